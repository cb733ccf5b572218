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
//! - PostgreSQL: the same counter (`migrations/postgres/0025_data_version.sql`), moved the same way
//!   by [`Tx::commit`](crate::db::Tx::commit): [`Db::begin`](crate::db::Db::begin) notes, in the
//!   same round trip as `BEGIN`, the rows this connection has inserted, updated and deleted in the
//!   schema's tables other than the logs, as the server's own per-transaction statistics count
//!   them (`pg_stat_get_xact_tuples_*`, [`PG_MARK`]); the commit moves the counter when that count
//!   has grown ([`PG_BUMP`]). Until migration 0025 the version was the statement's snapshot
//!   (`pg_current_snapshot()`), which every transaction of the cluster moved, logins' audit
//!   entries included, so with people signing in all day the cached records were rebuilt on
//!   nearly every read. The counter's row is taken by each data-writing transaction just before
//!   it commits, so such commits follow one another (the lock is held for the commit alone);
//!   transactions that write only the logs, and reads, never take it.
//! - The reference version (`migrations/*/0022_reference_version.sql`): a counter in a table that
//!   triggers move with every change to what the reports' reference cache is built from (the
//!   standards, the scales, the unit tree) and with nothing else, on both backends; read by
//!   [`reference_version!`](crate::reference_version). A completion or an enrolment leaves it
//!   where it was, so a report's standards, scales and places stay cached across them
//!   (`gaps::reference`), while the data version keys what depends on everything.
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

/// The rows changed so far by this PostgreSQL connection in the schema's tables other than the
/// logs and the counter itself: the server's per-transaction statistics, which also hold the
/// connection's earlier transactions until they are reported (when it is idle, at most once a
/// second), so only the growth within one transaction means anything. The statistics count every
/// row an INSERT (COPY included), UPDATE or DELETE wrote, rolled back to a savepoint or not.
#[macro_export]
#[doc(hidden)]
macro_rules! pg_rows_changed {
    () => {
        "(SELECT COALESCE(SUM(pg_stat_get_xact_tuples_inserted(c.oid) \
             + pg_stat_get_xact_tuples_updated(c.oid) + pg_stat_get_xact_tuples_deleted(c.oid)), 0) \
           FROM pg_class c \
           WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') \
             AND c.relname NOT IN ('audit_log', 'login_failures', 'login_known', 'data_version'))"
    };
}

/// Run by `Db::begin` on PostgreSQL, with `BEGIN` in one round trip: notes [`pg_rows_changed!`]
/// in a setting local to the transaction.
pub const PG_MARK: &str = concat!(
    "BEGIN; SELECT set_config('cadre.rows_changed', ",
    crate::pg_rows_changed!(),
    "::text, true)"
);

/// Run by `Tx::commit` on PostgreSQL just before `COMMIT`: moves the data version when the
/// transaction changed rows of the data since [`PG_MARK`]. With the server's row counting off
/// (`track_counts`), it moves it for every write transaction: a move that was not needed only
/// makes a cache build again.
pub const PG_BUMP: &str = concat!(
    "UPDATE data_version SET version = version + 1 WHERE id = 1 AND (",
    crate::pg_rows_changed!(),
    " > current_setting('cadre.rows_changed')::bigint \
       OR current_setting('track_counts')::boolean IS NOT TRUE)"
);

/// A data version, as read by [`data_version!`](crate::data_version); only equality is
/// meaningful.
#[derive(Debug, Clone, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct DataVersion(pub String);

/// The SQL expression that reads the data version (both backends).
#[macro_export]
macro_rules! data_version {
    () => {
        "(SELECT CAST(version AS TEXT) FROM data_version WHERE id = 1)"
    };
}

/// The SQL expression that reads the reference version (both backends).
#[macro_export]
macro_rules! reference_version {
    () => {
        "(SELECT CAST(version AS TEXT) FROM reference_version WHERE id = 1)"
    };
}
