//! Uploaded files: the body read up to its limit, a bounded number of files processed at once,
//! and the CPU-bound work (reading a sheet, planning an import) kept off Rocket's async workers.

use std::sync::Arc;

use rocket::data::{Data, ToByteUnit};
use rocket::tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::AppConfig;
use crate::error::{AppError, AppResult};
use crate::shared::table::Limits;

/// Reads an uploaded file body up to `max` bytes: 413 above it, 400 if it cannot be read.
pub async fn read_upload(data: Data<'_>, max: u64) -> AppResult<Vec<u8>> {
    let bytes = data
        .open(max.bytes())
        .into_bytes()
        .await
        .map_err(|e| AppError::BadRequest {
            field: Some("file".into()),
            msg: crate::msg!(UploadUnreadable, detail = e.to_string()),
        })?;
    if !bytes.is_complete() {
        return Err(AppError::PayloadTooLarge {
            field: Some("file".into()),
            msg: crate::msg!(FileTooLarge, max = max),
        });
    }
    Ok(bytes.into_inner())
}

/// What every upload route shares: the limits of a sheet and the slots of files being processed.
pub struct Uploads {
    /// Largest body, in bytes.
    pub max_bytes: u64,
    /// Limits of the sheet inside.
    pub limits: Limits,
    slots: Arc<Semaphore>,
}

/// A file received and its processing slot (released when dropped).
pub struct Received {
    /// The file.
    pub bytes: Vec<u8>,
    _slot: OwnedSemaphorePermit,
}

impl Uploads {
    /// From the configuration (`import_max_*`, `import_concurrency`).
    pub fn new(config: &AppConfig) -> Self {
        Uploads {
            max_bytes: config.import_max_bytes,
            limits: Limits::from_config(config),
            slots: Arc::new(Semaphore::new(config.import_concurrency)),
        }
    }

    /// Reads the body (413 past the limit; an empty file is a 422 naming `file`), then waits,
    /// without holding a worker, for one of the `import_concurrency` slots: the memory and CPU
    /// that files take at once stay bounded whatever the number of uploaders.
    pub async fn receive(&self, data: Data<'_>) -> AppResult<Received> {
        let bytes = read_upload(data, self.max_bytes).await?;
        if bytes.is_empty() {
            return Err(AppError::invalid("file", crate::msg!(FileEmpty)));
        }
        let slot = self
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AppError::Unavailable(crate::msg!(ShuttingDown)))?;
        Ok(Received { bytes, _slot: slot })
    }
}

/// Runs CPU-bound work on Tokio's blocking pool so the async workers keep answering other
/// requests (`/health` among them) meanwhile. The work starts at the call, not when the returned
/// future is first awaited: the caller may do other work in between (a comparison counts its
/// first day while the second is counted here).
pub fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> impl std::future::Future<Output = AppResult<T>> {
    let task = rocket::tokio::task::spawn_blocking(f);
    async move {
        task.await
            .map_err(|e| AppError::Internal(format!("background task failed: {e}")))
    }
}

/// The name an uploaded file is sent under (`file_name`, for the audit trail): trimmed, at most
/// 200 characters, checked like any text (no NUL, control character or direction override) and
/// on one line (no tab or line break); empty when not given.
pub fn file_name(raw: Option<&str>) -> AppResult<String> {
    let name = raw.map(str::trim).unwrap_or("");
    if name.is_empty() {
        return Ok(String::new());
    }
    super::text::check("file_name", name)?;
    // A name is one line: no tab or line break either.
    if name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "file_name",
            crate::msg!(OneLine, field = "file_name"),
        ));
    }
    if name.chars().count() > 200 {
        return Err(AppError::invalid(
            "file_name",
            crate::msg!(LongerThan, field = "file_name", max = 200),
        ));
    }
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::blocking;

    /// The work runs before the future is awaited: the caller can wait for it to finish (here,
    /// for its message) without awaiting, then take its result.
    #[rocket::async_test]
    async fn blocking_work_starts_at_the_call() {
        let (tx, rx) = std::sync::mpsc::channel();
        let task = blocking(move || {
            tx.send(()).expect("receiver alive");
            7
        });
        rx.recv_timeout(std::time::Duration::from_secs(30))
            .expect("the work ran before its future was awaited");
        assert_eq!(task.await.expect("task ran"), 7);
    }

    /// A panic in the work is an internal error, not a crash of the caller.
    #[rocket::async_test]
    async fn a_panic_in_the_work_is_an_internal_error() {
        let r = blocking(|| -> u8 { panic!("boom") }).await;
        assert!(matches!(r, Err(crate::error::AppError::Internal(_))));
    }
}
