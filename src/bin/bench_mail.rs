//! The e-mail sender's throughput (issue 17): N notices waiting in the outbox are sent by the
//! sender's rounds (claim a batch, render, send over SMTP, mark sent) to a real SMTP server
//! process on this machine (aiosmtpd, tests/support/smtp_sink.py), on SQLite and PostgreSQL.
//!
//!     python3 -m pip install aiosmtpd
//!     cargo run --release --features test-support --bin bench_mail            # add -- --pg off
//!     cargo run --release --features test-support --bin bench_mail -- --notices 2000 --runs 3
//!
//! Each run checks its outcome: every notice marked sent, and the sink holding exactly N
//! messages. The messages carry no calendar (a class's calendar adds one read per message).

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use cadre_training::db::{Db, ScratchSchema};
use cadre_training::notices::sender::{self, Delivery, Mailer};
use cadre_training::state::AppState;
use chrono::Utc;
use rocket::figment::providers::Serialized;
use rocket::local::asynchronous::Client;

struct Sink(Child);

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_sink(port: u16, dir: &Path) -> Sink {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(port.to_string())
        .arg(dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready", "the SMTP sink (pip install aiosmtpd)");
    Sink(child)
}

fn received(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))
        })
        .count()
}

/// Fills the outbox with `n` notices to the admin account (given an address).
async fn fill(db: &Db, n: usize, run: usize) {
    let now = Utc::now();
    let params = r#"{"class":"BENCH-1","title":"Kỹ năng vận động quần chúng","cadre":"Nguyễn Thị Ánh Tuyết"}"#;
    macro_rules! go {
        ($p:expr) => {{
            let mut tx = $p.begin().await.unwrap();
            sqlx::query("UPDATE accounts SET email = 'bench@example.vn' WHERE username = 'admin'")
                .execute(&mut *tx)
                .await
                .unwrap();
            for i in 0..n {
                sqlx::query(
                    "INSERT INTO notices (account_id, kind, params, dedupe, created_at, mail_state, next_attempt)
                     SELECT id, 'enrolled', $1, $2, $3, 'pending', 0 FROM accounts WHERE username = 'admin'",
                )
                .bind(params)
                .bind(format!("bench:{run}:{i}"))
                .bind(now)
                .execute(&mut *tx)
                .await
                .unwrap();
            }
            tx.commit().await.unwrap();
        }};
    }
    match db {
        Db::Sqlite(p) => go!(p),
        Db::Postgres(p) => go!(p),
    }
}

async fn run(label: &str, url: &str, dir: &Path, n: usize, runs: usize) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let figment = cadre_training::config::figment()
        .merge(Serialized::global("database_url", url))
        .merge(Serialized::global("data_dir", dir.display().to_string()))
        .merge(Serialized::global(
            "jwt_secret",
            "bench-mail-secret-0123456789abcdef",
        ))
        .merge(Serialized::global("admin_password", "bench-mail-password"))
        .merge(Serialized::global("smtp_host", "127.0.0.1"))
        .merge(Serialized::global("smtp_port", port))
        .merge(Serialized::global("smtp_tls", "none"))
        .merge(Serialized::global("mail_poll_secs", 3600))
        .merge(Serialized::global("reminder_sweep_secs", 0))
        .merge(Serialized::global("log_level", "off"));
    let rocket = cadre_training::prepare(figment).await.expect("app starts");
    let client = Client::untracked(rocket).await.expect("valid rocket");
    let state = client.rocket().state::<AppState>().expect("state");
    let mailer = Mailer::from_config(&state.config)
        .unwrap()
        .expect("SMTP on");
    for r in 0..runs {
        let sink_dir = dir.join(format!("sink-{label}-{r}"));
        std::fs::create_dir_all(&sink_dir).unwrap();
        let _sink = start_sink(port, &sink_dir);
        fill(&state.db, n, r).await;
        let start = Instant::now();
        let mut sent = 0;
        let mut rounds = 0;
        loop {
            let d = sender::deliver_due(&state.db, &state.config, &mailer, Utc::now())
                .await
                .expect("a round");
            if d == Delivery::default() {
                break;
            }
            assert_eq!((d.retried, d.failed), (0, 0), "{d:?}");
            sent += d.sent;
            rounds += 1;
        }
        let wall = start.elapsed();
        // The sink writes each message before it answers 250, so all are there.
        assert_eq!((sent, received(&sink_dir)), (n, n));
        println!(
            "| {label} | {n} | {rounds} | {:.2} s | {:.0} messages/s | {:.2} ms |",
            wall.as_secs_f64(),
            n as f64 / wall.as_secs_f64(),
            wall.as_secs_f64() * 1000.0 / n as f64
        );
    }
}

#[rocket::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let n: usize = arg("--notices")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let runs: usize = arg("--runs").and_then(|v| v.parse().ok()).unwrap_or(3);
    println!("| backend | notices | rounds | wall | throughput | per message |");
    println!("|---|---|---|---|---|---|");
    let dir = std::env::temp_dir().join(format!("cadre-bench-mail-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("mail.db").display());
    run("SQLite", &url, &dir, n, runs).await;
    let pg = arg("--pg").unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    if pg != "off" {
        let schema = ScratchSchema::create(&pg, &format!("bench_mail_{}", std::process::id()))
            .await
            .expect("schema");
        run("PostgreSQL", schema.url(), &dir, n, runs).await;
        schema.drop().await.expect("drop");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
