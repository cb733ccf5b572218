//! A scratch PostgreSQL schema: a private database for one test or one benchmark run on a shared
//! server. Compiled only with the `test-support` feature (the integration tests and the `bench*`
//! binaries turn it on; the service never does).

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, Executor, PgConnection, PgPool};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A schema of its own on the PostgreSQL server at `base`: created by [`ScratchSchema::create`],
/// reached through [`ScratchSchema::url`] (every connection's `search_path`), dropped with
/// everything in it by [`ScratchSchema::drop`], or else when the value goes out of scope.
pub struct ScratchSchema {
    base: String,
    name: String,
    url: String,
    /// Outside the schema; connects on first use.
    admin: PgPool,
    dropped: bool,
}

impl ScratchSchema {
    /// Creates the schema `name` (lower-case letters, digits and `_`) on the server at `base`.
    pub async fn create(base: &str, name: &str) -> Result<ScratchSchema, sqlx::Error> {
        assert!(
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "a scratch schema's name is lower-case letters, digits and _: {name:?}"
        );
        let mut conn = PgConnection::connect(base).await?;
        conn.execute(format!("CREATE SCHEMA {name}").as_str())
            .await?;
        let _ = conn.close().await;
        let sep = if base.contains('?') { '&' } else { '?' };
        Ok(ScratchSchema {
            base: base.to_string(),
            name: name.to_string(),
            url: format!("{base}{sep}options=-c%20search_path%3D{name}"),
            admin: PgPoolOptions::new().connect_lazy(base)?,
            dropped: false,
        })
    }

    /// Creates a schema named `{prefix}_{process id}_{counter}_{nanoseconds}`: unique among the
    /// tests of a run and across runs side by side on one server.
    pub async fn create_unique(base: &str, prefix: &str) -> Result<ScratchSchema, sqlx::Error> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!("{prefix}_{}_{n}_{nanos}", std::process::id());
        ScratchSchema::create(base, &name).await
    }

    /// The database URL whose connections use this schema.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The schema's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A pool on the server outside the schema (for checks from outside the app).
    pub fn admin(&self) -> &PgPool {
        &self.admin
    }

    /// Drops the schema and everything in it.
    pub async fn drop(mut self) -> Result<(), sqlx::Error> {
        sqlx::query(&format!("DROP SCHEMA {} CASCADE", self.name))
            .execute(&self.admin)
            .await?;
        self.dropped = true;
        self.admin.close().await;
        Ok(())
    }
}

impl Drop for ScratchSchema {
    /// A schema not dropped by [`ScratchSchema::drop`] (a test that ended, or panicked) is
    /// dropped here, on a connection of its own from a thread of its own: this may run inside an
    /// async runtime, which cannot block on another, or outside any.
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        let (base, name) = (self.base.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let rt = rocket::tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    if let Ok(mut conn) = PgConnection::connect(&base).await {
                        let _ = conn
                            .execute(format!("DROP SCHEMA IF EXISTS {name} CASCADE").as_str())
                            .await;
                        let _ = conn.close().await;
                    }
                });
            }
        })
        .join();
    }
}
