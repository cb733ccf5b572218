//! The data version: a value that moves whenever committed data changes, read in the same
//! statement as other data, so a process can keep something built from the database and know,
//! without rebuilding it, whether it may have changed (on any app server).
//!
//! - SQLite: a counter that triggers on every data table move in the writing transaction
//!   (`migrations/sqlite/0007_data_version.sql`).
//! - PostgreSQL: the statement's snapshot, `pg_current_snapshot()`. Two equal snapshots see the
//!   same committed transactions; any commit or abort after it gives a different one. Writers do
//!   not contend on anything.
//!
//! The rule for a cache: tag what you build with a version read **before** you read the data.
//! The data is then at least as new as its tag, and it is still current exactly when the version
//! read now equals the tag.

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
