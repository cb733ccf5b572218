//! The database handle: one pool, SQLite or PostgreSQL, chosen at start-up from the URL.
//!
//! Queries are written once in portable SQL (`$1` placeholders, `RETURNING`, `ON CONFLICT`)
//! and compiled once per backend through [`on_db!`](crate::on_db) and [`on_tx!`](crate::on_tx).

pub mod bulk;
#[cfg(feature = "test-support")]
mod scratch;
pub mod storage_fault;
pub mod text_enum;
pub mod version;

#[cfg(feature = "test-support")]
pub use scratch::ScratchSchema;

use rocket::tokio::sync::{OwnedSemaphorePermit, Semaphore};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::error::AppError;

/// A connection pool to one of the supported backends.
#[derive(Clone, Debug)]
pub enum Db {
    /// Embedded SQLite (the default).
    Sqlite(SqlitePool),
    /// PostgreSQL, for deployments with several app servers.
    Postgres(PgPool),
}

/// An open write transaction on either backend.
pub enum Tx {
    /// SQLite transaction, begun with `BEGIN IMMEDIATE`, and what it holds beside it.
    Sqlite(Transaction<'static, Sqlite>, SqliteTx),
    /// PostgreSQL transaction.
    Postgres(Transaction<'static, Postgres>),
}

/// What a SQLite transaction holds beside its connection.
pub struct SqliteTx {
    /// The permit of the process's writer queue for this file ([`writer_gate`]), held until the
    /// transaction ends.
    _writer: Option<OwnedSemaphorePermit>,
    /// Rows changed outside the data so far ([`Tx::outside_data`]).
    outside: i64,
}

/// One pooled connection held for a series of reads: the pool is asked once (on SQLite each
/// acquisition also pings the connection's worker thread) instead of once per statement.
pub enum Conn {
    /// A SQLite connection.
    Sqlite(PoolConnection<Sqlite>),
    /// A PostgreSQL connection.
    Postgres(PoolConnection<Postgres>),
}

/// Runs `$body` with `$p` bound to the concrete pool of a [`Db`].
#[macro_export]
macro_rules! on_db {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($p) => $body,
            $crate::db::Db::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the concrete connection of a [`Conn`]
/// (use `&mut *$c` as the executor).
#[macro_export]
macro_rules! on_conn {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite(pc) => {
                let $c = &mut **pc;
                $body
            }
            $crate::db::Conn::Postgres(pc) => {
                let $c = &mut **pc;
                $body
            }
        }
    };
}

/// Runs `$body` with `$c` bound to the concrete connection of a [`Tx`]
/// (use `&mut *$c` as the executor).
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t, _) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Where a statement runs: the pool, an open transaction or a held connection. Each read is
/// written once, taking `impl Into<Exec<'_>>`, and runs on whichever the caller has:
/// `store::get(&state.db, id)`, `store::get(&mut tx, id)`, `store::get(&mut conn, id)`.
pub enum Exec<'a> {
    /// A connection from the pool, for this statement.
    Pool(&'a Db),
    /// The caller's transaction.
    Tx(&'a mut Tx),
    /// The caller's held connection.
    Conn(&'a mut Conn),
}

impl<'a> From<&'a Db> for Exec<'a> {
    fn from(db: &'a Db) -> Self {
        Exec::Pool(db)
    }
}
impl<'a> From<&'a mut Tx> for Exec<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Exec::Tx(tx)
    }
}
impl<'a> From<&'a mut Conn> for Exec<'a> {
    fn from(conn: &'a mut Conn) -> Self {
        Exec::Conn(conn)
    }
}

/// A connection of one backend for the length of a statement: acquired from the pool, or
/// borrowed from the caller's transaction or held connection.
pub enum Held<'a, DB: sqlx::Database> {
    /// Acquired from the pool (returned when dropped).
    Pooled(PoolConnection<DB>),
    /// The caller's.
    Borrowed(&'a mut DB::Connection),
}

impl<DB: sqlx::Database> std::ops::Deref for Held<'_, DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        match self {
            Held::Pooled(c) => c,
            Held::Borrowed(c) => c,
        }
    }
}
impl<DB: sqlx::Database> std::ops::DerefMut for Held<'_, DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Held::Pooled(c) => c,
            Held::Borrowed(c) => c,
        }
    }
}

/// A [`Held`] connection of either backend (what [`on_exec!`](crate::on_exec) matches on).
pub enum HeldConn<'a> {
    /// SQLite.
    Sqlite(Held<'a, Sqlite>),
    /// PostgreSQL.
    Postgres(Held<'a, Postgres>),
}

impl<'a> Exec<'a> {
    /// Whether the statement runs on SQLite (for SQL that differs between the backends).
    pub fn is_sqlite(&self) -> bool {
        match self {
            Exec::Pool(db) => db.is_sqlite(),
            Exec::Tx(tx) => tx.is_sqlite(),
            Exec::Conn(conn) => matches!(conn, Conn::Sqlite(_)),
        }
    }

    /// The connection the statement runs on.
    pub async fn hold(self) -> Result<HeldConn<'a>, sqlx::Error> {
        Ok(match self {
            Exec::Pool(Db::Sqlite(p)) => HeldConn::Sqlite(Held::Pooled(p.acquire().await?)),
            Exec::Pool(Db::Postgres(p)) => HeldConn::Postgres(Held::Pooled(p.acquire().await?)),
            Exec::Tx(Tx::Sqlite(t, _)) => HeldConn::Sqlite(Held::Borrowed(&mut **t)),
            Exec::Tx(Tx::Postgres(t)) => HeldConn::Postgres(Held::Borrowed(&mut **t)),
            Exec::Conn(Conn::Sqlite(c)) => HeldConn::Sqlite(Held::Borrowed(&mut **c)),
            Exec::Conn(Conn::Postgres(c)) => HeldConn::Postgres(Held::Borrowed(&mut **c)),
        })
    }
}

/// Runs `$body` with `$c` bound to the concrete connection of an [`Exec`] (anything that converts
/// into one: `&Db`, `&mut Tx`, `&mut Conn`); use `&mut *$c` as the executor. The body is compiled
/// once per backend, as with [`on_db!`](crate::on_db).
#[macro_export]
macro_rules! on_exec {
    ($ex:expr, |$c:ident| $body:expr) => {
        match Into::<$crate::db::Exec<'_>>::into($ex).hold().await? {
            $crate::db::HeldConn::Sqlite(mut held) => {
                let $c = &mut *held;
                $body
            }
            $crate::db::HeldConn::Postgres(mut held) => {
                let $c = &mut *held;
                $body
            }
        }
    };
}

/// Options for opening the pool.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// Maximum connections (ignored for in-memory SQLite, which needs exactly one).
    pub max_connections: u32,
    /// How long a request waits for a connection.
    pub acquire_timeout: Duration,
    /// SQLite only: bytes of the database file read through a memory map (0: none).
    pub sqlite_mmap_bytes: u64,
}

/// The memory map a SQLite database gets unless configured otherwise (1 GiB: the city's
/// 100,000 cadres take 230 MB).
pub const DEFAULT_SQLITE_MMAP_BYTES: u64 = 1 << 30;

impl Db {
    /// Whether this is the embedded SQLite database (for SQL that differs between the backends).
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Db::Sqlite(_))
    }

    /// Connects to the database named by `url` and applies the migrations.
    ///
    /// Fails with a one-line message for an unknown scheme or an unreachable database.
    pub async fn connect(url: &str, settings: &PoolSettings) -> Result<Db, String> {
        let db = if url.starts_with("sqlite:") {
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| format!("invalid DATABASE_URL {url:?}: {e}"))?
                .create_if_missing(true)
                .journal_mode(if memory {
                    SqliteJournalMode::Memory
                } else {
                    SqliteJournalMode::Wal
                })
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // 64 MiB of page cache per connection (the default is 2 MiB): bulk imports
                // and reports touch more index pages than that.
                .pragma("cache_size", "-65536")
                .pragma("temp_store", "memory")
                // Reads through a memory map of the file (up to this many bytes) share the OS page
                // cache instead of copying pages into each connection's cache: the whole-city gap
                // report ran 30–45% faster (BENCHMARKS.md). SQLite writes through write(2) as before.
                .pragma("mmap_size", settings.sqlite_mmap_bytes.to_string())
                // Each connection leaves the planner's statistics up to date as it closes (the
                // pool closes idle and old connections): SQLite gathers them only when asked.
                .optimize_on_close(!memory, None);
            if let Some(parent) = opts.get_filename().parent() {
                if !memory && !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        format!("cannot create database folder {}: {e}", parent.display())
                    })?;
                }
            }
            if !memory {
                private_sqlite_files(opts.get_filename())?;
            }
            let mut pool = SqlitePoolOptions::new().acquire_timeout(settings.acquire_timeout);
            pool = if memory {
                pool.max_connections(1)
                    .min_connections(1)
                    .max_lifetime(None)
                    .idle_timeout(None)
            } else {
                // Connections spoilt by a storage fault are closed, not handed out again. No
                // ping before handing one out: a ping to an embedded database is a round trip to
                // the connection's thread that can only find that thread gone, which the first
                // statement finds as well (then `storage_fault` retires the pool's connections).
                pool.max_connections(settings.max_connections.max(2))
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| Box::pin(storage_fault::usable(conn, meta)))
            };
            let pool = pool
                .connect_with(opts)
                .await
                .map_err(|e| format!("cannot open SQLite database {url:?}: {e}"))?;
            Db::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            // No JIT: a statement-level trigger's plan cached in a session after a bulk insert
            // (its transition table costed at the bulk's size) was compiled again on every
            // single-row write after it, 50–100 ms each; every statement here is short. No
            // parallel workers either: starting them costs more than these statements take (a
            // province's report on the national data: 8–9 ms with two workers, 4–5 ms without).
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| format!("invalid DATABASE_URL: {e}"))?
                .options([("jit", "off"), ("max_parallel_workers_per_gather", "0")]);
            // One direct attempt first, so an unreachable server is reported with its real cause.
            let probe = sqlx::ConnectOptions::connect(&opts)
                .await
                .map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
            let _ = sqlx::Connection::close(probe).await;
            let pool = PgPoolOptions::new()
                .max_connections(settings.max_connections)
                .acquire_timeout(settings.acquire_timeout)
                .connect_with(opts)
                .await
                .map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
            Db::Postgres(pool)
        } else {
            let scheme = url.split(':').next().unwrap_or(url);
            return Err(format!(
                "unsupported database URL scheme {scheme:?}: use sqlite://FILE or postgres://…"
            ));
        };
        db.migrate().await?;
        db.optimize().await;
        Ok(db)
    }

    /// SQLite only: gathers the planner's statistics of every table that has none or has changed
    /// much since (`PRAGMA optimize=0x10002`, bounded by SQLite's own analysis limit). A database
    /// the service built itself (imports, writes) has none until asked, and without them SQLite
    /// walks a subtree's rows in name order through the whole table (a ward's export of the
    /// city's cadres: 133 ms without, 18 ms with; BENCHMARKS.md). Statistics only speed reads up:
    /// a database that cannot take them now (read-only, full) starts without, with a warning.
    pub async fn optimize(&self) {
        if let Db::Sqlite(p) = self {
            if let Err(e) = sqlx::query("PRAGMA optimize=0x10002").execute(p).await {
                tracing::warn!(error = %e, "SQLite planner statistics not gathered at start");
            }
        }
    }

    /// Applies the migrations of this backend.
    pub async fn migrate(&self) -> Result<(), String> {
        match self {
            Db::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await,
            Db::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await,
        }
        .map_err(|e| format!("database migration failed: {e}"))
    }

    /// The backend's name, as shown by `/health`.
    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Begins a write transaction (`BEGIN IMMEDIATE` on SQLite, so a transaction that
    /// reads before it writes never fails on lock upgrade).
    pub async fn begin(&self) -> Result<Tx, AppError> {
        Ok(match self {
            Db::Sqlite(p) => {
                let writer =
                    match writer_gate(p) {
                        Some(gate) => Some(gate.acquire_owned().await.map_err(|_| {
                            AppError::Unavailable(crate::msg!(DatabaseShuttingDown))
                        })?),
                        None => None,
                    };
                let mut t = p.begin_with("BEGIN IMMEDIATE").await?;
                sqlx::query(version::SQLITE_MARK).execute(&mut *t).await?;
                Tx::Sqlite(
                    t,
                    SqliteTx {
                        _writer: writer,
                        outside: 0,
                    },
                )
            }
            Db::Postgres(p) => Tx::Postgres(p.begin_with(version::pg_mark()).await?),
        })
    }

    /// Takes one connection from the pool for a series of reads (not a transaction).
    pub async fn acquire(&self) -> Result<Conn, AppError> {
        Ok(match self {
            Db::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Db::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }

    /// Checks the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        on_db!(self, |p| sqlx::query("SELECT 1").execute(p).await.is_ok())
    }

    /// Closes the pool. On SQLite, then moves everything written into the main file and empties
    /// the write-ahead log (`wal_checkpoint(TRUNCATE)` on one last connection): SQLite does that
    /// itself only when the last connection to the file closes, which a connection still open
    /// elsewhere (or one closing late) prevents, and a copy of the main file alone, as an operator
    /// takes after a maintenance command or a stop (the server closes through here as it stops),
    /// then lacked the last work.
    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => {
                let opts = (*p.connect_options())
                    .clone()
                    .optimize_on_close(false, None);
                p.close().await;
                if let Err(e) = checkpoint(&opts).await {
                    tracing::warn!(error = %e, "SQLite log not checkpointed at close");
                }
            }
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// Moves SQLite's write-ahead log into the main file on one last connection (`opts` without
/// `optimize_on_close`, so nothing is written after it).
async fn checkpoint(opts: &SqliteConnectOptions) -> Result<(), sqlx::Error> {
    let mut conn = sqlx::ConnectOptions::connect(opts).await?;
    let done = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
        .map(drop);
    let _ = sqlx::Connection::close(conn).await;
    done
}

/// Work every write transaction does just before it commits, in it (the gap timeline's rebuild of
/// the cadres the transaction touched). Set once at start by the app's assembly; the foundation
/// names no feature.
pub type CommitHook = for<'a> fn(
    &'a mut Tx,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(), AppError>> + Send + 'a>,
>;

static COMMIT_HOOK: OnceLock<CommitHook> = OnceLock::new();

/// Installs the [`CommitHook`] (the first one set stays).
pub fn set_commit_hook(hook: CommitHook) {
    let _ = COMMIT_HOOK.set(hook);
}

impl Tx {
    /// Whether the transaction is SQLite's (for SQL that differs between the backends).
    pub fn is_sqlite(&self) -> bool {
        matches!(self, Tx::Sqlite(..))
    }

    /// Notes `rows` changed in tables outside the data ([`version::OUTSIDE_DATA`]: the notices)
    /// by the statement just run, so that the commit does not take them for a change of the data
    /// (`db::version`). Only SQLite needs it: its count of changed rows covers every table, while
    /// PostgreSQL counts the data's tables alone. A row left unnoted only moves the version
    /// needlessly; a row noted that was data would leave caches stale, so note exactly what the
    /// statement itself reports (its `rows_affected`, or the rows it returned).
    pub fn outside_data(&mut self, rows: u64) {
        if let Tx::Sqlite(_, held) = self {
            held.outside = held
                .outside
                .saturating_add(i64::try_from(rows).unwrap_or(i64::MAX));
        }
    }

    /// Runs the commit hook, then commits the transaction.
    pub async fn commit(mut self) -> Result<(), AppError> {
        if let Some(hook) = COMMIT_HOOK.get() {
            hook(&mut self).await?;
        }
        match self {
            Tx::Sqlite(mut t, held) => {
                // The data version moves once per transaction that wrote (db::version).
                sqlx::query(version::SQLITE_BUMP)
                    .bind(held.outside)
                    .execute(&mut *t)
                    .await?;
                t.commit().await?
            }
            Tx::Postgres(mut t) => {
                sqlx::query(version::pg_bump()).execute(&mut *t).await?;
                t.commit().await?
            }
        }
        Ok(())
    }
}

/// The queue of this process's writers to one SQLite file.
///
/// SQLite lets one writer in at a time. Without a queue, the writers that find the file locked sleep
/// in SQLite's busy handler, which backs off by up to 100 ms between attempts, so a freed lock can sit
/// idle while they sleep and a waiting writer can lose to newcomers again and again. Queued here,
/// each waiting transaction starts the moment the previous one ends, in arrival order (with 64
/// concurrent enrolments on one class, p99 went from 600–800 ms to 130 ms; BENCHMARKS.md). Another
/// process on the same file still meets the busy handler. A pool of one connection (in-memory
/// databases) is a queue already.
fn writer_gate(pool: &SqlitePool) -> Option<Arc<Semaphore>> {
    static GATES: OnceLock<Mutex<HashMap<PathBuf, Arc<Semaphore>>>> = OnceLock::new();
    if pool.options().get_max_connections() <= 1 {
        return None;
    }
    let options = pool.connect_options();
    let file = options.get_filename();
    let mut gates = GATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(gate) = gates.get(file) {
        return Some(gate.clone());
    }
    let gate = Arc::new(Semaphore::new(1));
    gates.insert(file.to_path_buf(), gate.clone());
    Some(gate)
}

/// Makes the SQLite database file readable by the owner only (mode 0600 on Unix) before SQLite
/// opens it: it holds personal id numbers and password hashes. A new file is created empty with
/// that mode (SQLite takes an empty file for a new database); SQLite creates the `-wal` and `-shm`
/// files with the mode of the database file. An existing file (or its `-wal`/`-shm`) readable by
/// others is made private, with a line in the log (a warning if that is not allowed).
pub fn private_sqlite_files(file: &std::path::Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(file)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("cannot create {}: {e}", file.display())),
        }
        let mut all = vec![file.to_path_buf()];
        for suffix in ["-wal", "-shm"] {
            let mut name = file.as_os_str().to_owned();
            name.push(suffix);
            all.push(PathBuf::from(name));
        }
        for f in all {
            let Ok(meta) = std::fs::metadata(&f) else {
                continue;
            };
            if meta.permissions().mode() & 0o077 != 0 {
                match std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600)) {
                    Ok(()) => {
                        tracing::info!(file = %f.display(), "made the database file readable by its owner only")
                    }
                    Err(e) => {
                        tracing::warn!(file = %f.display(), error = %e, "the database file is readable by others and cannot be made private")
                    }
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// Escapes `%`, `_` and `\` for use in a `LIKE … ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `IN` a list of integer ids given as one text parameter `$n` (see [`id_param`]): a JSON array
/// read by `json_each` on SQLite, a comma-separated list cast to `BIGINT[]` on PostgreSQL.
pub fn in_ids(sqlite: bool, n: usize) -> String {
    if sqlite {
        format!("IN (SELECT value FROM json_each(${n}))")
    } else {
        format!("= ANY(CAST(string_to_array(${n}, ',') AS BIGINT[]))")
    }
}

/// An id list as one text parameter for [`in_ids`]: a JSON array on SQLite, comma-separated on
/// PostgreSQL.
pub fn id_param(sqlite: bool, ids: &[i64]) -> String {
    let joined = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    if sqlite {
        format!("[{joined}]")
    } else {
        joined
    }
}
