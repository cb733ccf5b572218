//! E-mail notices (issue 17) against a real SMTP server process (aiosmtpd, tests/support/
//! smtp_sink.py): the right recipient, subject and Vietnamese text and a parseable calendar; SMTP
//! stopped mid-run → retried with backoff, nothing lost, nothing doubled; two app servers → each
//! notice once.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use cadre_training::notices::sender::{self, Delivery, Mailer};
use chrono::{Duration, Utc};
use rocket::http::Status;
use serde_json::{json, Value};

use crate::cadres::cadre;
use crate::classes::{enrol, one_session, open_class, setup};
use crate::db_tests;
use crate::helpers::TestApp;
use crate::notices::cadre_account;

db_tests!(
    a_notice_is_mailed_in_vietnamese_with_its_calendar,
    smtp_down_mid_run_loses_and_doubles_nothing,
    two_app_servers_send_each_notice_once,
    a_relay_that_stops_answering_does_not_stop_the_sender,
    mail_goes_over_starttls_and_tls_with_a_login,
    a_slow_relay_never_outlasts_the_claim,
);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The SMTP server process, killed when dropped.
struct Sink {
    child: Child,
    dir: PathBuf,
}

impl Sink {
    /// Starts the sink on `port` writing into `dir`; `None` (skipped, or a failure in CI) when
    /// Python's aiosmtpd is missing.
    fn start(port: u16, dir: &Path) -> Option<Sink> {
        Sink::start_with(port, dir, &[])
    }

    /// As [`Sink::start`], with the sink's options (`--tls MODE CERT KEY`, `--auth USER PASSWORD`).
    fn start_with(port: u16, dir: &Path, options: &[&str]) -> Option<Sink> {
        std::fs::create_dir_all(dir).unwrap();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let spawned = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(dir)
            .args(options)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn();
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => return missing(&format!("python3: {e}")),
        };
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if line.trim() != "ready" {
            let _ = child.kill();
            return missing("the SMTP sink did not start (pip install aiosmtpd)");
        }
        Some(Sink {
            child,
            dir: dir.to_path_buf(),
        })
    }

    /// Every message received so far, in arrival order.
    fn messages(&self) -> Vec<Value> {
        messages_in(&self.dir)
    }

    /// The first recipient of every message received so far, sorted (repeats kept).
    fn recipients(&self) -> Vec<String> {
        let mut to: Vec<String> = self
            .messages()
            .iter()
            .map(|m| m["rcpt_tos"][0].as_str().unwrap().to_string())
            .collect();
        to.sort();
        to
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn missing(why: &str) -> Option<Sink> {
    if std::env::var("CI").is_ok() {
        panic!("{why}: the e-mail tests need Python's aiosmtpd in CI");
    }
    eprintln!("SKIPPED: {why}");
    None
}

fn messages_in(dir: &Path) -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "cadre-mail-{tag}-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A second app server on the same database that mails through `port` (its own sender idle: the
/// test drives the rounds).
async fn mailing(app: &TestApp, port: u16) -> TestApp {
    mailing_with(app, port, &[]).await
}

/// As [`mailing`], with more settings (which win over the plain-SMTP defaults).
async fn mailing_with(app: &TestApp, port: u16, more: &[(&str, Value)]) -> TestApp {
    let mut settings = vec![
        ("smtp_host", json!("127.0.0.1")),
        ("smtp_port", json!(port)),
        ("smtp_tls", json!("none")),
        ("mail_from", json!("Trường Cán bộ <truong@example.vn>")),
        ("mail_poll_secs", json!(3600)),
        ("mail_max_attempts", json!(5)),
    ];
    settings.extend(more.iter().cloned());
    app.another_instance(&settings).await
}

async fn round(app: &TestApp, at: chrono::DateTime<Utc>, limit: i64) -> Delivery {
    let s = app.state();
    let mailer = Mailer::from_config(&s.config)
        .unwrap()
        .expect("SMTP configured");
    sender::deliver_batch(&s.db, &s.config, &mailer, at, limit)
        .await
        .expect("a round")
}

/// As [`round`], the notices claimed for `lease` only.
async fn round_within(app: &TestApp, at: chrono::DateTime<Utc>, lease: u64) -> Delivery {
    let s = app.state();
    let mailer = Mailer::from_config(&s.config)
        .unwrap()
        .expect("SMTP configured");
    let lease = std::time::Duration::from_secs(lease);
    sender::deliver_within(&s.db, &s.config, &mailer, at, 50, lease)
        .await
        .expect("a round")
}

/// A cadre with their own address.
async fn cadre_with(app: &TestApp, admin: &str, name: &str, pid: &str, email: &str) -> i64 {
    let mut body = cadre(name, pid, "26734");
    body["email"] = json!(email);
    let (s, v) = app.post("/api/cadres", Some(admin), body).await;
    assert_eq!(s, Status::Created, "{v}");
    v["id"].as_i64().unwrap()
}

/// A cadre with their own address and account, enrolled in `class` by the school through `srv`
/// (which writes the notice to mail); the account's token.
#[allow(clippy::too_many_arguments)]
async fn enrolled(
    app: &TestApp,
    srv: &TestApp,
    (admin, school): (&str, &str),
    class: &str,
    name: &str,
    pid: &str,
    email: &str,
    username: &str,
) -> String {
    let id = cadre_with(app, admin, name, pid, email).await;
    let token = cadre_account(app, admin, username, id).await;
    assert_eq!(enrol(srv, school, class, Some(id)).await.0, Status::Created);
    token
}

/// Checks an iCalendar text is well formed (folded lines unfolded, BEGIN/END nested and
/// balanced, CRLF line ends, each event with a UTC start and end) and returns its events' starts.
fn parse_ics(ics: &str) -> Vec<String> {
    assert!(ics.contains("\r\n"), "CRLF line ends");
    let mut lines: Vec<String> = vec![];
    for l in ics.split("\r\n").filter(|l| !l.is_empty()) {
        if let Some(rest) = l.strip_prefix(' ') {
            lines
                .last_mut()
                .expect("a folded line continues one")
                .push_str(rest);
        } else {
            lines.push(l.to_string());
        }
    }
    let mut stack: Vec<String> = vec![];
    let mut starts = vec![];
    for l in &lines {
        let (name, value) = l
            .split_once(':')
            .unwrap_or_else(|| panic!("not a content line: {l}"));
        match name {
            "BEGIN" => stack.push(value.to_string()),
            "END" => assert_eq!(stack.pop().as_deref(), Some(value), "{l}"),
            "DTSTART" | "DTEND" => {
                chrono::NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ")
                    .unwrap_or_else(|e| panic!("{l}: {e}"));
                if name == "DTSTART" {
                    starts.push(value.to_string());
                }
            }
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    starts
}

async fn a_notice_is_mailed_in_vietnamese_with_its_calendar(app: TestApp) {
    let port = free_port();
    let dir = temp_dir("one");
    let Some(sink) = Sink::start(port, &dir) else {
        return;
    };
    let (admin, _) = setup(&app).await;
    let srv = mailing(&app, port).await;
    let school = srv.token("school1", "lop-hoc-dan-van-2026").await;
    let an = cadre_with(
        &app,
        &admin,
        "Nguyễn Thị Ánh Tuyết",
        "079180018001",
        "anh.tuyet@example.vn",
    )
    .await;
    let me = cadre_account(&app, &admin, "mail.an", an).await;
    app.account(&admin, "mail.officer", "officer", Some("26734"))
        .await;
    open_class(&srv, &school, "ML-1", "DV-01", 5, one_session("2027-09-15")).await;
    assert_eq!(
        enrol(&srv, &school, "ML-1", Some(an)).await.0,
        Status::Created
    );

    let d = round(&srv, Utc::now(), 50).await;
    assert_eq!(
        (d.sent, d.retried, d.failed),
        (1, 0, 0),
        "one address among the two recipients"
    );
    let got = sink.messages();
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m["rcpt_tos"], json!(["anh.tuyet@example.vn"]));
    assert!(
        m["from"].as_str().unwrap().contains("truong@example.vn"),
        "{m}"
    );
    assert_eq!(m["subject"], "Đã ghi danh lớp ML-1");
    let text = m["text"].as_str().unwrap();
    assert!(
        text.contains("Nguyễn Thị Ánh Tuyết đã được ghi danh vào lớp ML-1"),
        "{text}"
    );
    assert!(text.contains("Thư tự động"), "{text}");
    let ics = &m["attachments"][0];
    assert_eq!(ics["content_type"], "text/calendar");
    assert_eq!(ics["filename"], "ML-1.ics");
    // The session at 08:00 in the city is 01:00 UTC.
    assert_eq!(
        parse_ics(ics["content"].as_str().unwrap()),
        ["20270915T010000Z"]
    );
    // The inbox says it was mailed; another round sends nothing more.
    assert_eq!(
        app.get("/api/notices", Some(&me)).await.1["items"][0]["mail"],
        "sent"
    );
    assert_eq!(
        round(&srv, Utc::now() + Duration::hours(1), 50).await,
        Delivery::default()
    );
    assert_eq!(sink.messages().len(), 1);
}

async fn smtp_down_mid_run_loses_and_doubles_nothing(app: TestApp) {
    let port = free_port();
    let dir = temp_dir("down");
    let Some(sink) = Sink::start(port, &dir) else {
        return;
    };
    let (admin, _) = setup(&app).await;
    let srv = mailing(&app, port).await;
    let school = srv.token("school1", "lop-hoc-dan-van-2026").await;
    let ids = [
        cadre_with(
            &app,
            &admin,
            "Trần Văn Một",
            "079180018011",
            "mot@example.vn",
        )
        .await,
        cadre_with(
            &app,
            &admin,
            "Trần Văn Hai",
            "079180018012",
            "hai@example.vn",
        )
        .await,
        cadre_with(&app, &admin, "Trần Văn Ba", "079180018013", "ba@example.vn").await,
    ];
    let mut tokens = vec![];
    for (i, id) in ids.iter().enumerate() {
        tokens.push(cadre_account(&app, &admin, &format!("mail.down{i}"), *id).await);
    }
    open_class(&srv, &school, "ML-2", "DV-01", 5, one_session("2027-09-20")).await;
    // The first goes out while the server is up.
    assert_eq!(
        enrol(&srv, &school, "ML-2", Some(ids[0])).await.0,
        Status::Created
    );
    let t0 = Utc::now();
    assert_eq!(round(&srv, t0, 50).await.sent, 1);
    // The SMTP server stops; two more notices are written and their tries fail.
    drop(sink);
    assert_eq!(
        enrol(&srv, &school, "ML-2", Some(ids[1])).await.0,
        Status::Created
    );
    assert_eq!(
        enrol(&srv, &school, "ML-2", Some(ids[2])).await.0,
        Status::Created
    );
    // Rounds from here on are timed from after these writes: a notice is due from the second
    // it was written, and `t0` may lie in the second before.
    let t1 = Utc::now();
    // The sender writes notices alone: its claims, retries and sends leave the data version
    // (and every cached record) as they were.
    let version = app.data_version().await;
    let d = round(&srv, t1, 50).await;
    assert_eq!((d.sent, d.retried, d.failed), (0, 2, 0));
    // Not due again before the backoff has passed; still pending in the inbox.
    assert_eq!(
        round(&srv, t1 + Duration::seconds(10), 50).await,
        Delivery::default()
    );
    let tok = &tokens[1];
    assert_eq!(
        app.get("/api/notices", Some(tok)).await.1["items"][0]["mail"],
        "pending"
    );
    // A second failed try backs off longer (60 s after 30 s).
    let d = round(&srv, t1 + Duration::seconds(31), 50).await;
    assert_eq!(d.retried, 2);
    assert_eq!(
        round(&srv, t1 + Duration::seconds(80), 50).await,
        Delivery::default()
    );
    // The server is back: both go out, once.
    let Some(sink) = Sink::start(port, &dir) else {
        return;
    };
    let d = round(&srv, t1 + Duration::seconds(92), 50).await;
    assert_eq!((d.sent, d.retried, d.failed), (2, 0, 0));
    assert_eq!(
        round(&srv, t1 + Duration::hours(2), 50).await,
        Delivery::default()
    );
    let to = ["ba@example.vn", "hai@example.vn", "mot@example.vn"];
    assert_eq!(sink.recipients(), to);
    assert_eq!(app.data_version().await, version, "the sender's rounds");
    assert_eq!(
        app.get("/api/notices", Some(tok)).await.1["items"][0]["mail"],
        "sent"
    );
}

async fn two_app_servers_send_each_notice_once(app: TestApp) {
    let port = free_port();
    let dir = temp_dir("two");
    let Some(sink) = Sink::start(port, &dir) else {
        return;
    };
    let (admin, _) = setup(&app).await;
    let one = mailing(&app, port).await;
    let two = mailing(&app, port).await;
    let school = one.token("school1", "lop-hoc-dan-van-2026").await;
    open_class(
        &one,
        &school,
        "ML-3",
        "DV-01",
        40,
        one_session("2027-09-25"),
    )
    .await;
    let n = 24;
    for i in 0..n {
        let id = cadre_with(
            &app,
            &admin,
            &format!("Lê Văn {}", (b'A' + i as u8) as char),
            &format!("0791800181{i:02}"),
            &format!("so{i}@example.vn"),
        )
        .await;
        cadre_account(&app, &admin, &format!("mail.two{i}"), id).await;
        assert_eq!(
            enrol(&one, &school, "ML-3", Some(id)).await.0,
            Status::Created
        );
    }
    // Both servers' senders run side by side, three notices a claim, until nothing is left.
    let now = Utc::now();
    let (a, b) = rocket::tokio::join!(drain(&one, now), drain(&two, now));
    assert_eq!(a + b, n, "{a} + {b}");
    let mut to = sink.recipients();
    assert_eq!(to.len(), n, "each notice once");
    to.dedup();
    assert_eq!(to.len(), n, "no address twice");
}

/// Rounds of three until nothing is left; how many this server sent.
async fn drain(srv: &TestApp, now: chrono::DateTime<Utc>) -> usize {
    let mut sent = 0;
    loop {
        let d = round(srv, now, 3).await;
        if d == Delivery::default() {
            return sent;
        }
        assert_eq!((d.retried, d.failed), (0, 0));
        sent += d.sent;
    }
}

/// A relay that takes the connection and then says nothing (a hung server, or a firewall that
/// swallows the session): the try ends after `smtp_timeout_secs` and is retried later, and the
/// round ends with it, giving the rest of its claim back untried, so the sender goes on and no
/// claim outlives its lease. (lettre's own transport bounded only the connect: the round waited
/// for the greeting for ever, and no more e-mail left that app server.)
async fn a_relay_that_stops_answering_does_not_stop_the_sender(app: TestApp) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        // Every connection taken and held open, without a word.
        let held: Vec<_> = listener.incoming().map_while(Result::ok).collect();
        drop(held);
    });
    let (admin, _) = setup(&app).await;
    let srv = mailing_with(&app, port, &[("smtp_timeout_secs", json!(2))]).await;
    let school = srv.token("school1", "lop-hoc-dan-van-2026").await;
    open_class(&srv, &school, "ML-4", "DV-01", 5, one_session("2027-09-28")).await;
    let mut tokens = vec![];
    for (i, who) in ["Lặng", "Im"].into_iter().enumerate() {
        let (pid, email) = (format!("07918001802{i}"), format!("hung{i}@example.vn"));
        let (name, user) = (format!("Võ Văn {who}"), format!("mail.hung{i}"));
        let roles = (admin.as_str(), school.as_str());
        tokens.push(enrolled(&app, &srv, roles, "ML-4", &name, &pid, &email, &user).await);
    }
    let at = Utc::now();
    let d = bounded_round(&srv, at).await;
    assert_eq!((d.sent, d.retried, d.failed), (0, 1, 0), "one tried");
    // The other was given back untried: due at once, tried by the next round.
    let d = bounded_round(&srv, at).await;
    assert_eq!((d.sent, d.retried, d.failed), (0, 1, 0), "the other tried");
    assert_eq!(bounded_round(&srv, at).await, Delivery::default());
    for token in &tokens {
        assert_eq!(
            app.get("/api/notices", Some(token)).await.1["items"][0]["mail"],
            "pending"
        );
    }
}

/// A round that must end within 30 seconds whatever the relay does.
async fn bounded_round(srv: &TestApp, at: chrono::DateTime<Utc>) -> Delivery {
    let limit = std::time::Duration::from_secs(30);
    rocket::tokio::time::timeout(limit, round(srv, at, 50))
        .await
        .expect("the round ends although the relay never answers")
}

/// A private CA and a certificate it signed for `localhost` and 127.0.0.1 (openssl), in `dir`:
/// the paths of the CA's certificate, the relay's certificate and the relay's key.
fn certificates(dir: &Path) -> (String, String, String) {
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let ca = [
        &["req", "-x509"][..],
        &ec,
        &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2"],
    ];
    openssl(&[&ca.concat()[..], &["-subj", "/CN=Test mail CA"]].concat());
    let csr = [
        &["req"][..],
        &ec,
        &["-keyout", "relay.key", "-out", "relay.csr"],
    ];
    openssl(&[&csr.concat()[..], &["-subj", "/CN=localhost"]].concat());
    let ext = "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
               extendedKeyUsage=serverAuth\n";
    std::fs::write(dir.join("relay.ext"), ext).unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "relay.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "relay.pem",
        "-days",
        "2",
        "-extfile",
        "relay.ext",
    ]);
    (path("ca.pem"), path("relay.pem"), path("relay.key"))
}

/// The two protected ways to a relay, each with a login, against a real server that requires
/// both (aiosmtpd: STARTTLS before MAIL, or TLS from the first byte; AUTH over TLS only), whose
/// certificate comes from a private CA named by `smtp_ca_file`. Without that file the certificate
/// is not trusted and nothing is sent (retried); a wrong password is a permanent refusal. EHLO
/// gives `smtp_hello_name`.
async fn mail_goes_over_starttls_and_tls_with_a_login(app: TestApp) {
    let dir = temp_dir("tls");
    let (ca, cert, key) = certificates(&dir);
    let (admin, _) = setup(&app).await;
    for (i, mode) in ["starttls", "tls"].into_iter().enumerate() {
        let port = free_port();
        let inbox = dir.join(mode);
        let options = [
            "--tls",
            mode,
            &cert,
            &key,
            "--auth",
            "truong",
            "mat-khau-smtp",
        ];
        let Some(sink) = Sink::start_with(port, &inbox, &options) else {
            return;
        };
        let relay = |ca: Option<&str>, password: &str| {
            let mut settings = vec![
                ("smtp_host", json!("localhost")),
                ("smtp_tls", json!(mode)),
                ("smtp_username", json!("truong")),
                ("smtp_password", json!(password)),
                ("smtp_hello_name", json!("daotao.danvan.example.vn")),
            ];
            if let Some(ca) = ca {
                settings.push(("smtp_ca_file", json!(ca)));
            }
            settings
        };
        let srv = mailing_with(&app, port, &relay(Some(&ca), "mat-khau-smtp")).await;
        let untrusting = mailing_with(&app, port, &relay(None, "mat-khau-smtp")).await;
        let wrong = mailing_with(&app, port, &relay(Some(&ca), "sai-mat-khau")).await;
        let school = srv.token("school1", "lop-hoc-dan-van-2026").await;
        let code = format!("ML-T{i}");
        let day = format!("2027-10-0{}", i + 2);
        open_class(&srv, &school, &code, "DV-01", 5, one_session(&day)).await;
        let mut to = vec![];
        for (j, who) in ["an", "binh", "chi"].into_iter().enumerate() {
            let email = format!("{who}.{mode}@example.vn");
            let pid = format!("0791800180{i}{j}");
            let (name, user) = (format!("Đỗ Văn {who}"), format!("mail.{mode}.{who}"));
            let roles = (admin.as_str(), school.as_str());
            enrolled(&app, &srv, roles, &code, &name, &pid, &email, &user).await;
            to.push(email);
        }
        let now = Utc::now();
        let d = round(&untrusting, now, 1).await;
        assert_eq!(
            (d.sent, d.retried, d.failed),
            (0, 1, 0),
            "{mode}: untrusted certificate"
        );
        let d = round(&wrong, now, 1).await;
        assert_eq!(
            (d.sent, d.retried, d.failed),
            (0, 0, 1),
            "{mode}: wrong password"
        );
        let d = round(&srv, now, 50).await;
        assert_eq!((d.sent, d.retried, d.failed), (1, 0, 0), "{mode}");
        let got = sink.messages();
        assert_eq!(got.len(), 1, "{mode}: {got:?}");
        assert_eq!(got[0]["tls"], true, "{mode}");
        assert_eq!(got[0]["login"], "truong", "{mode}");
        assert_eq!(got[0]["ehlo"], "daotao.danvan.example.vn", "{mode}");
        assert!(to.contains(&got[0]["rcpt_tos"][0].as_str().unwrap().to_string()));
    }
}

/// A relay that answers, slowly (1.2 s a message): a round starts no session that could still
/// run when its claim of the notices runs out (claims held 3 s here, sessions bounded by 2 s), so
/// no other app server could claim a notice this one is sending and send it again. The first
/// message goes; the second could not have ended in time and goes back untried with the third;
/// the next rounds send them, each once.
async fn a_slow_relay_never_outlasts_the_claim(app: TestApp) {
    let port = free_port();
    let dir = temp_dir("slow");
    let Some(sink) = Sink::start_with(port, &dir, &["--delay", "1.2"]) else {
        return;
    };
    let (admin, _) = setup(&app).await;
    let srv = mailing_with(&app, port, &[("smtp_timeout_secs", json!(2))]).await;
    let school = srv.token("school1", "lop-hoc-dan-van-2026").await;
    open_class(&srv, &school, "ML-5", "DV-01", 5, one_session("2027-10-06")).await;
    for (i, who) in ["Chậm", "Từ", "Tốn"].into_iter().enumerate() {
        let (pid, email) = (format!("07918001804{i}"), format!("slow{i}@example.vn"));
        let (name, user) = (format!("Hồ Văn {who}"), format!("mail.slow{i}"));
        let roles = (admin.as_str(), school.as_str());
        enrolled(&app, &srv, roles, "ML-5", &name, &pid, &email, &user).await;
    }
    let at = Utc::now();
    for left in [3, 2, 1] {
        let d = round_within(&srv, at, 3).await;
        assert_eq!((d.sent, d.retried, d.failed), (1, 0, 0), "{left} left");
    }
    assert_eq!(round_within(&srv, at, 3).await, Delivery::default());
    assert_eq!(
        sink.recipients(),
        ["slow0@example.vn", "slow1@example.vn", "slow2@example.vn"]
    );
}
