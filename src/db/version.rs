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
//!   failed login records an audit entry and leaves every cached record valid), nor do the
//!   notices ([`OUTSIDE_DATA`]: nothing cached is built from them either; their writes note their
//!   rows, [`Tx::outside_data`](crate::db::Tx::outside_data), which the commit leaves out of the
//!   count, so a notice read or mailed leaves every cached record valid). Until migration
//!   0012, triggers moved it for every row: a 100,000-row import ran 205,000 trigger programs.
//! - PostgreSQL: a counter too (`migrations/postgres/0025_data_version.sql`), moved the same way by
//!   [`Tx::commit`](crate::db::Tx::commit): [`Db::begin`](crate::db::Db::begin) notes, in the
//!   same round trip as `BEGIN`, the rows this connection has inserted, updated and deleted in the
//!   data's tables ([`DATA_TABLES`]: all but the logs and the notices), as the server's own
//!   per-transaction statistics count them (`pg_stat_get_xact_tuples_*`, [`pg_mark`]); the
//!   commit moves the counter when that count has grown ([`pg_bump`]). The counter is spread over
//!   [`PG_SLOTS`] rows, one per connection's process id modulo their number, and the version is
//!   their sum: each data-writing commit adds one, so equal sums are equal committed data, and
//!   concurrent writers rarely wait for the same row (one row would be held by each writer from
//!   its bump to the end of its commit, so writers on different rows would commit one at a
//!   time). Transactions that write only the logs, and reads, take no row. Until migration 0025
//!   the version was the statement's snapshot (`pg_current_snapshot()`), which every
//!   transaction of the cluster moved, logins' audit entries included, so with people signing in
//!   all day the cached records were rebuilt on nearly every read.
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
/// the write lock, so the entries above the noted id are its own) and the rows of the notices it
/// noted (`$1`, [`Tx::outside_data`](crate::db::Tx::outside_data)). A row written and rolled back
/// to a savepoint, or rewritten with its own values, still counts: a move that was not needed only
/// makes a cache build again.
pub const SQLITE_BUMP: &str = "UPDATE data_version SET version = version + 1 \
     WHERE id = 1 AND total_changes() > (SELECT t.n + 1 + $1 + \
         (SELECT COUNT(*) FROM main.audit_log a WHERE a.id > t.audit) \
       FROM temp.tx_changes t WHERE t.id = 1)";

/// The tables of the data: every table whose writes move the data version, all but the logs
/// (`audit_log`, `login_failures`, `login_known`) and the notices ([`OUTSIDE_DATA`]), which
/// nothing cached is built from, the version's own rows and the migrations' bookkeeping.
/// PostgreSQL counts the rows written to these ([`pg_mark`]); `tests/api/record_cache.rs` checks
/// the list against the schema, so a migration that adds a table must name it here.
pub const DATA_TABLES: [&str; 30] = [
    "accounts",
    "attendance",
    "cadre_qualifications",
    "cadre_units",
    "cadres",
    "class_sessions",
    "classes",
    "completions",
    "enrolments",
    "feed_tokens",
    "holder_timeline",
    "module_editions",
    "module_prerequisites",
    "module_versions",
    "modules",
    "programme_modules",
    "programmes",
    "qualification_levels",
    "qualification_scales",
    "reference_version",
    "standard_requirements",
    "standard_versions",
    "succession_plans",
    "timeline_dirty",
    "title_assignments",
    "titles",
    "unit_history",
    "unit_periods",
    "unit_successors",
    "units",
];

/// The tables outside the data that are not logs: the notices and the kinds of them an account
/// gets no e-mail of. Nothing cached is built from them (the own record holds no notice), so their
/// writes (a notice read, the sender's claims and marks, a reminders' sweep) leave the data
/// version: on PostgreSQL by their absence from [`DATA_TABLES`], on SQLite by their writes noting
/// their rows ([`Tx::outside_data`](crate::db::Tx::outside_data)). Only `notices::store` writes
/// them. A cache built from them one day must move them into [`DATA_TABLES`].
pub const OUTSIDE_DATA: [&str; 2] = ["notice_mail_off", "notices"];

/// The rows of PostgreSQL's data version (`data_version.id` 0 to `PG_SLOTS - 1`).
pub const PG_SLOTS: i64 = 16;

/// The rows changed so far by this PostgreSQL connection in [`DATA_TABLES`] (resolved by name
/// through the search path, by the catalog's index): the server's per-transaction statistics,
/// which also hold the connection's earlier transactions until they are reported (when it is
/// idle, at most once a second), so only the growth within one transaction means anything. They
/// count every row an INSERT (COPY included), UPDATE or DELETE wrote, rolled back to a savepoint
/// or not.
fn pg_rows_changed() -> String {
    format!(
        "(SELECT COALESCE(SUM(pg_stat_get_xact_tuples_inserted(t) \
           + pg_stat_get_xact_tuples_updated(t) + pg_stat_get_xact_tuples_deleted(t)), 0) \
         FROM unnest('{{{}}}'::regclass[]) t)",
        DATA_TABLES.join(",")
    )
}

/// Run by `Db::begin` on PostgreSQL, `BEGIN` and this in one round trip: notes the rows changed
/// so far in a setting local to the transaction.
pub fn pg_mark() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "BEGIN; SELECT set_config('cadre.rows_changed', {}::text, true)",
            pg_rows_changed()
        )
    })
}

/// Run by `Tx::commit` on PostgreSQL just before `COMMIT`: adds one to this connection's row of
/// the data version when the transaction changed rows of the data since [`pg_mark`]. With the
/// server's row counting off (`track_counts`), it does so for every write transaction: a move that
/// was not needed only makes a cache build again.
pub fn pg_bump() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "UPDATE data_version SET version = version + 1 \
             WHERE id = pg_backend_pid() % {PG_SLOTS} AND ({} > current_setting('cadre.rows_changed')::bigint \
               OR current_setting('track_counts')::boolean IS NOT TRUE)",
            pg_rows_changed()
        )
    })
}

/// A data version, as read by [`data_version!`](crate::data_version); only equality is
/// meaningful.
#[derive(Debug, Clone, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct DataVersion(pub String);

/// The SQL expression that reads the data version (both backends): the sum of its rows (one on
/// SQLite, [`PG_SLOTS`] on PostgreSQL).
#[macro_export]
macro_rules! data_version {
    () => {
        "(SELECT CAST(SUM(version) AS TEXT) FROM data_version)"
    };
}

/// The SQL expression that reads the reference version (both backends).
#[macro_export]
macro_rules! reference_version {
    () => {
        "(SELECT CAST(version AS TEXT) FROM reference_version WHERE id = 1)"
    };
}
