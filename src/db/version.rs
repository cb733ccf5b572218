//! The data version: a value that moves whenever committed data changes, read in the same
//! statement as other data, so a process can keep something built from the database and know,
//! without rebuilding it, whether it may have changed (on any app server).
//!
//! - SQLite: a counter (`migrations/sqlite/0007_data_version.sql`) moved once by every write
//!   transaction that changed a row of the data, as it commits
//!   ([`Tx::commit`](crate::db::Tx::commit)): [`Db::begin`](crate::db::Db::begin) notes the
//!   connection's count of changed rows (`total_changes()`) and the last audit entry in a
//!   temporary table ([`SQLITE_MARK`]); the commit moves the counter when more rows changed since
//!   than the audit entries it added ([`SQLITE_BUMP`]). So every data write goes through a `Tx`
//!   (`shape::data_writes_go_through_a_transaction` checks the source); the logs (`audit_log`,
//!   `login_failures`, `login_known`), which nothing cached is built from, do not move it (a
//!   failed login records an audit entry and leaves every cached record valid). Until migration
//!   0012, triggers moved it for every row: a 100,000-row import ran 205,000 trigger programs.
//! - PostgreSQL: the statement's snapshot, `pg_current_snapshot()`. Two equal snapshots see the
//!   same committed transactions; any commit or abort after it gives a different one. Writers do
//!   not contend on anything.
//!
//! - The reference version (`migrations/*/0022_reference_version.sql`): a counter in a table that
//!   triggers move with every change to what the reports' reference cache is built from (the
//!   standards, the scales, the unit tree) and with nothing else, on both backends; read by
//!   [`reference_version!`](crate::reference_version). A completion or an enrolment leaves it
//!   where it was, so a report's standards, scales and places stay cached across them
//!   (`gaps::reference`), while the data version (the snapshot, on PostgreSQL, moved by every
//!   transaction of the cluster) keys what depends on everything.
//!
//! The rule for a cache: tag what you build with a version read **before** you read the data.
//! The data is then at least as new as its tag, and it is still current exactly when the version
//! read now equals the tag.

/// Run by `Db::begin` on SQLite right after `BEGIN IMMEDIATE`: notes the connection's count of
/// changed rows (`total_changes()`, which counts every row an INSERT, UPDATE or DELETE changed on
/// this connection) and the last audit entry's id in a temporary table of the connection. The
/// statement itself changes one row of that table, so the count after it is the noted one plus one.
pub const SQLITE_MARK: &str = "CREATE TEMP TABLE IF NOT EXISTS tx_changes \
     (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL, audit INTEGER NOT NULL); \
     INSERT OR REPLACE INTO temp.tx_changes (id, n, audit) \
     VALUES (1, total_changes(), (SELECT COALESCE(MAX(id), 0) FROM main.audit_log))";

/// Run by `Tx::commit` on SQLite just before `COMMIT`: moves the data version when the transaction
/// changed more rows since [`SQLITE_MARK`] than the audit entries it added (the transaction holds
/// the write lock, so the entries above the noted id are its own). A row written and rolled back
/// to a savepoint, or rewritten with its own values, still counts: a move that was not needed only
/// makes a cache build again.
pub const SQLITE_BUMP: &str = "UPDATE data_version SET version = version + 1 \
     WHERE id = 1 AND total_changes() > (SELECT t.n + 1 + \
         (SELECT COUNT(*) FROM main.audit_log a WHERE a.id > t.audit) \
       FROM temp.tx_changes t WHERE t.id = 1)";

/// A data version, as read by [`data_version_sqlite!`](crate::data_version_sqlite)
/// or [`data_version_postgres!`](crate::data_version_postgres); only equality is meaningful.
#[derive(Debug, Clone, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct DataVersion(pub String);

/// The SQL expression that reads the data version on SQLite.
#[macro_export]
macro_rules! data_version_sqlite {
    () => {
        "(SELECT CAST(version AS TEXT) FROM data_version WHERE id = 1)"
    };
}

/// The SQL expression that reads the data version on PostgreSQL.
#[macro_export]
macro_rules! data_version_postgres {
    () => {
        "pg_current_snapshot()::text"
    };
}

/// The SQL expression that reads the reference version (both backends).
#[macro_export]
macro_rules! reference_version {
    () => {
        "(SELECT CAST(version AS TEXT) FROM reference_version WHERE id = 1)"
    };
}
