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

fn start(dir: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cadre-training"))
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.join("faults.db").display()),
        )
        .env("ADMIN_PASSWORD", PASSWORD)
        .env("JWT_SECRET", "fault-test-secret-0123456789abcdef")
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_DATA_DIR", dir.display().to_string())
        .env("RUST_LOG", "error")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts")
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
async fn kill_9_during_a_large_import_leaves_all_rows_or_none() {
    let dir = std::env::temp_dir().join(format!("cadre-faults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let port = free_port();
    let mut server = start(&dir, port);
    wait_healthy(port);
    let admin = token(port);
    let units = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/admin-units-2024.csv"),
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
    let mut csv =
        String::from("Số CCCD/CMND,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã đơn vị,Tổ chức\n");
    for i in 0..100_000u64 {
        csv.push_str(&format!(
            "{:012},Nguyễn Văn An,Nam,01/01/1980,Kinh,26734,Mặt trận Tổ quốc\n",
            79_000_000_000u64 + i
        ));
    }
    let base_wal = wal_size(&dir);
    let uploader = std::thread::spawn(move || {
        http(
            port,
            "POST",
            "/api/imports/cadres",
            Some(&admin),
            "text/csv",
            csv.as_bytes(),
        )
    });
    // Kill the server once the import is writing (its write-ahead log grows), or after 60 s at most.
    let t = Instant::now();
    while wal_size(&dir) < base_wal + 4 * 1024 * 1024
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
