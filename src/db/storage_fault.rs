//! Recovery from SQLite storage faults (file made read-only, disk full, I/O errors) without a
//! restart.
//!
//! A storage fault can spoil a pooled SQLite connection beyond the fault itself:
//! - SQLite rolls a transaction back by itself after an I/O error or a full disk, so sqlx's own
//!   `ROLLBACK` fails and sqlx still counts an open transaction on that connection: every later
//!   `BEGIN` on it fails.
//! - A connection that opened its files while they could not be written keeps a read-only file
//!   handle (SQLite falls back to one), typically on the write-ahead log, after the files are
//!   writable again.
//!
//! [`usable`] runs before a pooled connection is handed out and refuses one that is still in a
//! transaction or that was opened before the last storage fault seen, so the pool closes it and
//! opens a fresh one. A connection opened during a fault but after its last failed write is caught by
//! its own first failed write. Both checks are atomic loads. A connection whose thread is gone
//! counts as a fault too: the pool hands connections out without sqlx's ping, which would have
//! found it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use sqlx::pool::PoolConnectionMetadata;
use sqlx::sqlite::SqliteConnection;
use sqlx::Connection;

/// Milliseconds from [`epoch`] to the last storage fault seen; 0 when none.
static LAST_FAULT: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn millis(at: Instant) -> u64 {
    at.saturating_duration_since(epoch()).as_millis() as u64
}

/// Records that a query failed for a storage reason or on a connection whose thread is gone
/// (called where database errors are mapped).
pub fn seen() {
    LAST_FAULT.store(millis(Instant::now()).max(1), Ordering::Relaxed);
}

/// Whether a pooled connection may be handed out again (`false`: the pool closes it).
pub async fn usable(
    conn: &mut SqliteConnection,
    meta: PoolConnectionMetadata,
) -> Result<bool, sqlx::Error> {
    Ok(!conn.is_in_transaction() && !opened_before_last_fault(meta))
}

fn opened_before_last_fault(meta: PoolConnectionMetadata) -> bool {
    let last = LAST_FAULT.load(Ordering::Relaxed);
    if last == 0 {
        return false;
    }
    let opened = Instant::now()
        .checked_sub(meta.age)
        .map(millis)
        .unwrap_or(0);
    opened <= last
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    /// The pool hands connections out without a ping, so a connection whose thread is gone is
    /// retired through the fault mark, like one spoilt by a storage fault.
    #[test]
    fn a_crashed_connection_thread_marks_a_fault() {
        let before = LAST_FAULT.load(Ordering::Relaxed);
        std::thread::sleep(std::time::Duration::from_millis(5));
        let e = AppError::from(sqlx::Error::WorkerCrashed);
        assert!(matches!(e, AppError::Unavailable(_)), "{e:?}");
        assert!(LAST_FAULT.load(Ordering::Relaxed) > before);
    }
}
