//! Faults on the real server process: `kill -9` in the middle of a 100,000-row import leaves the
//! SQLite database intact, holding all the rows or none.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "fault-test-password";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("faults.db").display())
}

/// Settings of the small pools these tests open on a server's file beside it.
fn small_pool() -> cadre_training::db::PoolSettings {
    cadre_training::db::PoolSettings {
        max_connections: 2,
        acquire_timeout: Duration::from_secs(10),
        sqlite_mmap_bytes: 0,
    }
}

fn start(dir: &Path, port: u16) -> Child {
    start_on(&sqlite_url(dir), dir, port)
}

/// One HTTP/1.1 request; returns the status and body.
fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    ct: &str,
    body: &[u8],
) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(300))).ok();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).expect("write");
    s.write_all(body).expect("write body");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn wait_healthy(port: u16) {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(60) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok()
            && http(port, "GET", "/health", None, "text/plain", b"").0 == 200
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the server did not become healthy");
}

fn token(port: u16) -> String {
    let (s, body) = http(
        port,
        "POST",
        "/api/auth/login",
        None,
        "application/json",
        format!("{{\"username\":\"admin\",\"password\":\"{PASSWORD}\"}}").as_bytes(),
    );
    assert_eq!(s, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    v["token"].as_str().expect("token").to_string()
}

fn wal_size(dir: &Path) -> u64 {
    std::fs::metadata(dir.join("faults.db-wal"))
        .map(|m| m.len())
        .unwrap_or(0)
}

#[rocket::async_test]
#[ignore = "slow lane: cargo test -- --include-ignored"]
async fn kill_9_during_a_large_import_leaves_all_rows_or_none() {
    // The long variant (CADRE_LONG_TESTS=1) kills at four points of the write, the last close to the
    // commit.
    let points: &[u64] = if crate::helpers::long_tests() {
        &[1, 4, 16, 40]
    } else {
        &[4]
    };
    for mib in points {
        kill_9_once_the_log_grew(mib * 1024 * 1024).await;
    }
}

/// Starts a 100,000-row import, kills the server with SIGKILL once its write-ahead log grew by
/// `growth` bytes, restarts it and checks the file.
async fn kill_9_once_the_log_grew(growth: u64) {
    let dir = std::env::temp_dir().join(format!("cadre-faults-{}-{growth}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (mut server, port, admin) = server_with_units(&sqlite_url(&dir), &dir);
    let csv = roster(79_000_000_000, 100_000);
    let base_wal = wal_size(&dir);
    let uploader = std::thread::spawn(move || import(port, &admin, &csv));
    // Kill the server once the import is writing (its write-ahead log grows), or after 60 s at most.
    let t = Instant::now();
    while wal_size(&dir) < base_wal + growth
        && t.elapsed() < Duration::from_secs(60)
        && !uploader.is_finished()
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    let killed_while_writing = !uploader.is_finished();
    server.kill().expect("kill -9");
    server.wait().expect("reaped");
    let _ = uploader.join();
    // Restart on the same file: the service recovers by itself and the database is intact.
    let mut server = start(&dir, port);
    wait_healthy(port);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.join("faults.db").display()))
        .await
        .expect("open");
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .expect("check");
    assert_eq!(check, "ok");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cadres")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert!(
        n == 0 || n == 100_000,
        "a partial import survived: {n} cadres"
    );
    if killed_while_writing {
        assert_eq!(n, 0, "killed before the commit, so nothing");
    }
    let units: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM units")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(units, 296, "the earlier, committed import is intact");
    pool.close().await;
    server.kill().ok();
    server.wait().ok();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The PostgreSQL server binaries (Debian keeps them under /usr/lib/postgresql/N/bin).
fn pg_bin(name: &str) -> Option<std::path::PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<_> = std::fs::read_dir(root)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    versions.sort();
    versions
        .into_iter()
        .rev()
        .map(|v| v.join("bin").join(name))
        .find(|p| p.exists())
}

/// Runs a PostgreSQL tool as the `postgres` user (the server refuses to run as root).
fn as_postgres(tool: &Path, args: &[&str]) -> bool {
    let running_as_root = std::env::var("USER").map(|u| u == "root").unwrap_or(true);
    let mut cmd = if running_as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(tool);
        c
    } else {
        Command::new(tool)
    };
    cmd.args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// A private PostgreSQL cluster for the outage test, so stopping it disturbs no other test.
struct PrivatePg {
    dir: std::path::PathBuf,
    port: u16,
    pg_ctl: std::path::PathBuf,
}

impl PrivatePg {
    fn create() -> Option<PrivatePg> {
        let initdb = pg_bin("initdb")?;
        let pg_ctl = pg_bin("pg_ctl")?;
        let dir = std::env::temp_dir().join(format!("cadre-pg-outage-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).ok()?;
        let _ = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status();
        let data = dir.join("data");
        if !as_postgres(
            &initdb,
            &["-D", data.to_str()?, "-A", "trust", "-U", "postgres"],
        ) {
            return None;
        }
        let pg = PrivatePg {
            dir,
            port: free_port(),
            pg_ctl,
        };
        pg.start().then_some(pg)
    }

    fn start(&self) -> bool {
        let data = self.dir.join("data");
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        as_postgres(
            &self.pg_ctl,
            &[
                "-D",
                &data.display().to_string(),
                "-o",
                &opts,
                "-w",
                "-t",
                "60",
                "start",
            ],
        )
    }

    fn stop(&self) -> bool {
        let data = self.dir.join("data");
        as_postgres(
            &self.pg_ctl,
            &[
                "-D",
                &data.display().to_string(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        )
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start_on(url: &str, dir: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cadre-training"))
        .env("DATABASE_URL", url)
        .env("ADMIN_PASSWORD", PASSWORD)
        .env("JWT_SECRET", "fault-test-secret-0123456789abcdef")
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_DATA_DIR", dir.display().to_string())
        .env("ROCKET_DB_ACQUIRE_TIMEOUT_SECS", "2")
        .env("RUST_LOG", "error")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts")
}

#[rocket::async_test]
#[ignore = "slow lane: cargo test -- --include-ignored"]
async fn postgres_outage_answers_503_and_the_service_recovers_by_itself() {
    let Some(pg) = PrivatePg::create() else {
        if std::env::var("CI").is_ok() {
            panic!("CI is set but a private PostgreSQL cluster could not be created (initdb/pg_ctl/runuser)");
        }
        eprintln!("\n*** SKIPPED postgres_outage test: no initdb/pg_ctl here (set CI=1 to make this fail) ***\n");
        return;
    };
    let dir = pg.dir.join("app");
    std::fs::create_dir_all(&dir).expect("dir");
    let port = free_port();
    let url = format!("postgres://postgres@127.0.0.1:{}/postgres", pg.port);
    let mut server = start_on(&url, &dir, port);
    wait_healthy(port);
    let admin = token(port);
    let (s, body) = http(port, "GET", "/api/cadres", Some(&admin), "text/plain", b"");
    assert_eq!(s, 200, "{body}");

    assert!(pg.stop(), "stop PostgreSQL");
    for path in ["/health", "/api/cadres", "/api/units?q=tan"] {
        let (s, body) = http(port, "GET", path, Some(&admin), "text/plain", b"");
        assert_eq!(s, 503, "{path} during the outage: {body}");
        let v: serde_json::Value =
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{path}: not JSON: {body}"));
        assert!(
            v["error"]["message"].is_string() || v["status"].is_string(),
            "{path}: {body}"
        );
    }
    let (s, body) = http(
        port,
        "POST",
        "/api/auth/login",
        None,
        "application/json",
        format!("{{\"username\":\"admin\",\"password\":\"{PASSWORD}\"}}").as_bytes(),
    );
    assert_eq!(s, 503, "login during the outage: {body}");

    assert!(pg.start(), "restart PostgreSQL");
    // The same process, not restarted, serves again once the database is back.
    until_200(Duration::from_secs(60), || {
        http(port, "GET", "/api/cadres", Some(&admin), "text/plain", b"")
    });
    assert_eq!(http(port, "GET", "/health", None, "text/plain", b"").0, 200);
    server.kill().ok();
    server.wait().ok();
}

/// Runs a system tool quietly; true when it succeeded.
fn tool(name: &str, args: &[&str]) -> bool {
    Command::new(name)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Skips a fault test that needs a capability this machine lacks, loudly; in CI that is a failure.
fn skip_or_fail(what: &str) {
    if std::env::var("CI").is_ok() {
        panic!("CI is set but {what}");
    }
    eprintln!("\n*** SKIPPED: {what} (set CI=1 to make this fail) ***\n");
}

/// A small roster import: `n` new cadres of Phường Tân Định, personal ids from `first`.
fn roster(first: u64, n: u64) -> Vec<u8> {
    let mut csv =
        String::from("Số CCCD/CMND,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã đơn vị,Tổ chức\n");
    for i in 0..n {
        csv.push_str(&format!(
            "{:012},Trần Thị Bình,Nữ,02/03/1985,Kinh,26734,Hội Liên hiệp Phụ nữ\n",
            first + i
        ));
    }
    csv.into_bytes()
}

/// A running server on the database at `url` with the city's units, and an admin token.
fn server_with_units(url: &str, dir: &Path) -> (Child, u16, String) {
    let port = free_port();
    let server = start_on(url, dir, port);
    wait_healthy(port);
    let admin = token(port);
    let units = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/units/admin-units-2024.csv"),
    )
    .expect("units");
    let (s, body) = http(
        port,
        "POST",
        "/api/units/import?root=79",
        Some(&admin),
        "text/csv",
        &units,
    );
    assert_eq!(s, 200, "{body}");
    (server, port, admin)
}

fn import(port: u16, admin: &str, csv: &[u8]) -> (u16, String) {
    http(
        port,
        "POST",
        "/api/imports/cadres",
        Some(admin),
        "text/csv",
        csv,
    )
}

/// Retries `csv`'s import until it succeeds: the service recovers by itself, without a restart.
fn imports_again_within_30_s(port: u16, admin: &str, csv: &[u8]) {
    until_200(Duration::from_secs(30), || import(port, admin, csv));
}

/// Repeats `request` every 200 ms until it answers 200; fails with the last answer after `limit`.
fn until_200(limit: Duration, mut request: impl FnMut() -> (u16, String)) {
    let t = Instant::now();
    loop {
        let (s, body) = request();
        if s == 200 {
            return;
        }
        assert!(t.elapsed() < limit, "no recovery: {s} {body}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The number of cadres the API lists (reads must keep working during a storage fault).
fn cadre_total(port: u16, admin: &str) -> i64 {
    let (s, body) = http(
        port,
        "GET",
        "/api/cadres?limit=1",
        Some(admin),
        "text/plain",
        b"",
    );
    assert_eq!(s, 200, "reading during the fault: {body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    v["total"].as_i64().expect("total")
}

/// Asserts a 503 whose JSON body says the cause in words containing `cause`.
fn assert_storage_refusal(status: u16, body: &str, cause: &[&str]) {
    assert_eq!(status, 503, "{body}");
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    assert_eq!(v["error"]["code"], "service_unavailable", "{body}");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(
        cause.iter().any(|c| message.contains(c)) && message.contains("nothing was changed"),
        "the message should name the cause: {message}"
    );
}

async fn integrity_and_count(db: &Path) -> (String, i64) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .expect("open");
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .expect("check");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cadres")
        .fetch_one(&pool)
        .await
        .expect("count");
    pool.close().await;
    (check, n)
}

/// Clears the immutable flag again however the test ends.
struct Immutable(Vec<std::path::PathBuf>);

impl Immutable {
    fn set(files: Vec<std::path::PathBuf>) -> Option<Immutable> {
        let args: Vec<&str> = files.iter().filter_map(|f| f.to_str()).collect();
        let ok = tool("chattr", &[&["+i"], args.as_slice()].concat());
        let guard = Immutable(files);
        ok.then_some(guard)
    }

    fn clear(&self) {
        let args: Vec<&str> = self.0.iter().filter_map(|f| f.to_str()).collect();
        tool("chattr", &[&["-i"], args.as_slice()].concat());
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        self.clear();
    }
}

/// The SQLite file made read-only under a running server (`chattr +i` on the database and its
/// write-ahead log: even root cannot write it; plain file modes do not stop root): writes answer 503
/// naming the cause, nothing is half-written, reads go on, and writes resume by themselves once the
/// file is writable again.
#[rocket::async_test]
#[ignore = "slow lane: cargo test -- --include-ignored"]
async fn sqlite_file_made_read_only_refuses_writes_clearly_and_recovers() {
    let dir = std::env::temp_dir().join(format!("cadre-readonly-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let db = dir.join("ro.db");
    let (mut server, port, admin) = server_with_units(&format!("sqlite://{}", db.display()), &dir);
    let (s, body) = import(port, &admin, &roster(79_100_000_000, 3));
    assert_eq!(s, 200, "{body}");

    let files = vec![db.clone(), dir.join("ro.db-wal")];
    let Some(guard) = Immutable::set(files) else {
        server.kill().ok();
        server.wait().ok();
        skip_or_fail("chattr +i is not available on this file system");
        return;
    };
    for _ in 0..3 {
        let (s, body) = import(port, &admin, &roster(79_200_000_000, 500));
        assert_storage_refusal(s, &body, &["read-only", "I/O error"]);
    }
    assert_eq!(
        cadre_total(port, &admin),
        3,
        "reads still work, nothing was added"
    );
    let (s, _) = http(port, "GET", "/health", None, "text/plain", b"");
    assert_eq!(s, 200, "the service itself is up");

    guard.clear();
    // The same process writes again, without a restart.
    imports_again_within_30_s(port, &admin, &roster(79_200_000_000, 500));
    assert_eq!(cadre_total(port, &admin), 503);
    server.kill().ok();
    server.wait().ok();
    drop(guard);
    assert_eq!(integrity_and_count(&db).await, ("ok".to_string(), 503));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Unmounts the small file system however the test ends.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = tool("umount", &["-l", &self.0.display().to_string()]);
    }
}

/// The disk under the SQLite file full (a 16 MiB tmpfs filled to the last byte by another file):
/// a 5,000-row import answers 503 naming the cause and leaves nothing behind, reads go on, and once
/// space is freed the same import succeeds without a restart; the file passes its integrity check.
#[rocket::async_test]
#[ignore = "slow lane: cargo test -- --include-ignored"]
async fn sqlite_disk_full_refuses_writes_clearly_and_recovers() {
    let dir = std::env::temp_dir().join(format!("cadre-diskfull-{}", std::process::id()));
    let mnt = dir.join("disk");
    std::fs::create_dir_all(&mnt).expect("dir");
    if !tool(
        "mount",
        &[
            "-t",
            "tmpfs",
            "-o",
            "size=16m",
            "tmpfs",
            &mnt.display().to_string(),
        ],
    ) {
        skip_or_fail("a tmpfs cannot be mounted here (needs root)");
        return;
    }
    let mounted = Mounted(mnt.clone());
    let db = mnt.join("full.db");
    let (mut server, port, admin) = server_with_units(&format!("sqlite://{}", db.display()), &dir);

    // Fill the disk: one file grows until the kernel says there is no space left.
    let filler = mnt.join("filler");
    {
        let mut f = std::fs::File::create(&filler).expect("filler");
        let chunk = vec![0x5a_u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        while f.write_all(&chunk[..512]).is_ok() {}
        let _ = f.sync_all();
    }
    let rows = roster(79_300_000_000, 5_000);
    for _ in 0..2 {
        let (s, body) = import(port, &admin, &rows);
        assert_storage_refusal(s, &body, &["disk is full", "I/O error"]);
    }
    assert_eq!(
        cadre_total(port, &admin),
        0,
        "reads still work, nothing was added"
    );

    std::fs::remove_file(&filler).expect("free the space");
    imports_again_within_30_s(port, &admin, &rows);
    assert_eq!(cadre_total(port, &admin), 5_000);
    server.kill().ok();
    server.wait().ok();
    assert_eq!(integrity_and_count(&db).await, ("ok".to_string(), 5_000));
    drop(mounted);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `kill -9` of a server on PostgreSQL while a 100,000-row import is writing (its COPY seen in
/// `pg_stat_activity`): PostgreSQL aborts the dead connection's transaction, so the schema holds all
/// the rows or none, nothing stays locked, and a restarted server imports the same file.
#[rocket::async_test]
#[ignore = "slow lane: cargo test -- --include-ignored"]
async fn kill_9_during_a_large_import_on_postgres_leaves_all_rows_or_none() {
    let Some(base) = crate::helpers::pg_base_url() else {
        return;
    };
    let name = format!("kill9_{}", std::process::id());
    let schema = cadre_training::db::ScratchSchema::create(&base, &name)
        .await
        .expect("schema");
    let admin_pool = schema.admin().clone();
    // The server's connections carry the schema's name, so other tests' sessions are not counted.
    let url = format!("{}&application_name={name}", schema.url());
    let dir = std::env::temp_dir().join(format!("cadre-kill9-pg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (mut server, port, admin) = server_with_units(&url, &dir);
    let csv = roster(79_600_000_000, 100_000);
    let file = csv.clone();
    let uploader = std::thread::spawn(move || import(port, &admin, &file));
    // Kill once the import's COPY into cadres is running, or after 60 s at most.
    let t = Instant::now();
    let mut inserting = false;
    while !inserting && t.elapsed() < Duration::from_secs(60) && !uploader.is_finished() {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND query LIKE 'COPY cadres%'",
        )
        .bind(&name)
        .fetch_one(&admin_pool)
        .await
        .expect("activity");
        inserting = n > 0;
        if !inserting {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let killed_while_writing = inserting && !uploader.is_finished();
    server.kill().expect("kill -9");
    server.wait().expect("reaped");
    let _ = uploader.join();
    let count = |pool: sqlx::PgPool, schema: String| async move {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {schema}.cadres"))
            .fetch_one(&pool)
            .await
            .expect("count")
    };
    // PostgreSQL notices the dead connection and rolls its transaction back.
    let t = Instant::now();
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1 AND (state LIKE 'idle in transaction%' OR state = 'active')",
        )
        .bind(&name)
        .fetch_one(&admin_pool)
        .await
        .expect("activity");
        if open == 0 {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "the dead server's transaction is still open"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let n = count(admin_pool.clone(), name.clone()).await;
    eprintln!(
        "PostgreSQL kill -9: killed while inserting: {killed_while_writing}; cadres after: {n}"
    );
    assert!(
        n == 0 || n == 100_000,
        "a partial import survived: {n} cadres"
    );
    if killed_while_writing {
        assert_eq!(n, 0, "killed before the commit, so nothing");
    }
    // A restarted server imports the same file: nothing was left locked or half-written.
    let mut server = start_on(&url, &dir, port);
    wait_healthy(port);
    let admin = token(port);
    let (s, body) = import(port, &admin, &csv);
    assert_eq!(s, 200, "{body}");
    assert_eq!(count(admin_pool.clone(), name.clone()).await, 100_000);
    server.kill().ok();
    server.wait().ok();
    schema.drop().await.expect("drop");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A maintenance command's work is in the main database file once it has closed the database,
/// even while another connection to the file stays open (SQLite moves its write-ahead log into
/// the file by itself only when the last connection closes): a copy of the main file alone, as an
/// operator takes after `import-units` or `generate`, holds it. Before, about one command in
/// three left everything in the log and the file empty.
#[rocket::async_test]
async fn closing_the_database_leaves_its_work_in_the_main_file() {
    use cadre_training::db::Db;
    let dir = tempfile::tempdir().unwrap();
    let settings = small_pool();
    let url = sqlite_url(dir.path());
    let db = Db::connect(&url, &settings).await.unwrap();
    // Another app server (or a command still running) keeps a connection to the file.
    let other = Db::connect(&url, &settings).await.unwrap();
    let Db::Sqlite(pool) = &db else {
        unreachable!("a SQLite database")
    };
    sqlx::query("CREATE TABLE kept (x INTEGER)")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO kept VALUES (42)")
        .execute(pool)
        .await
        .unwrap();
    db.close().await;
    assert_eq!(
        in_the_main_file_alone(dir.path(), "SELECT x FROM kept").await,
        42
    );
    other.close().await;
}

/// With the write-ahead log of the SQLite file in `dir` empty, the answer of `sql` (one number)
/// from a copy of the main file alone, as a backup after a stop or a command holds it.
async fn in_the_main_file_alone(dir: &Path, sql: &str) -> i64 {
    use cadre_training::db::Db;
    assert_eq!(wal_size(dir), 0, "the log still holds the last writes");
    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(dir.join("faults.db"), copy.path().join("faults.db")).unwrap();
    let copied = Db::connect(&sqlite_url(copy.path()), &small_pool())
        .await
        .unwrap();
    let Db::Sqlite(p) = &copied else {
        unreachable!("a SQLite database")
    };
    let n: i64 = sqlx::query_scalar(sql).fetch_one(p).await.unwrap();
    copied.close().await;
    n
}

/// A pooled SQLite connection is handed out without a ping first (one round trip to the
/// connection's thread per request, which could only find that thread gone: the statement finds
/// that too, and `storage_fault` then retires the pool's connections).
#[rocket::async_test]
async fn sqlite_connections_are_handed_out_without_a_ping() {
    use cadre_training::db::Db;
    let dir = tempfile::tempdir().unwrap();
    let settings = small_pool();
    let db = Db::connect(&sqlite_url(dir.path()), &settings)
        .await
        .unwrap();
    let Db::Sqlite(pool) = &db else {
        unreachable!("a SQLite database")
    };
    assert!(!pool.options().get_test_before_acquire());
    assert!(db.ping().await);
    db.close().await;
}

/// A server stopped as operators stop it (SIGTERM: systemd, Docker, `kill`) closes its database
/// after the last request: the write-ahead log is moved into the main file, so a copy of the file
/// alone (a backup taken after the stop) holds everything written, even while another process
/// keeps the file open. Before, the pool was left to the process's exit and the last writes stayed
/// in `-wal`.
#[rocket::async_test]
async fn a_stopped_server_leaves_its_work_in_the_main_file() {
    use cadre_training::db::Db;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(dir.path(), port);
    let status = rocket::tokio::task::spawn_blocking(move || {
        wait_healthy(port);
        let admin = token(port);
        let body =
            r#"{"username":"kept.officer","password":"kept-officer-password","role":"commission"}"#;
        http(
            port,
            "POST",
            "/api/accounts",
            Some(&admin),
            "application/json",
            body.as_bytes(),
        )
    })
    .await
    .unwrap();
    assert_eq!(status.0, 201, "{}", status.1);
    // Another process keeps a connection to the file (a second app server, `sqlite3` in a
    // terminal), so the log is not moved by the last connection closing.
    let settings = small_pool();
    let other = Db::connect(&sqlite_url(dir.path()), &settings)
        .await
        .unwrap();
    // SAFETY: sends a signal to the child process this test started.
    assert_eq!(unsafe { libc::kill(server.id() as i32, libc::SIGTERM) }, 0);
    let exit = rocket::tokio::task::spawn_blocking(move || server.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    let kept = "SELECT count(*) FROM accounts WHERE username = 'kept.officer'";
    assert_eq!(in_the_main_file_alone(dir.path(), kept).await, 1);
    other.close().await;
}

/// `serve --help` prints the usage and exits; it does not start a server (nor make a database).
#[test]
fn serve_help_prints_the_usage_and_starts_nothing() {
    let dir = std::env::temp_dir().join(format!("serve-help-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let db = dir.join("never.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cadre-training"))
        .args(["serve", "--help"])
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("ROCKET_DATA_DIR", dir.display().to_string())
        .env("ROCKET_PORT", free_port().to_string())
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("`serve --help` is still running after 30 s: it started a server");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().expect("stdout"), &mut out)
        .expect("read");
    assert!(status.success(), "{status}: {out:.300}");
    assert!(out.starts_with("usage:"), "{out:.300}");
    assert!(!db.exists(), "a database was made");
    let _ = std::fs::remove_dir_all(&dir);
}
