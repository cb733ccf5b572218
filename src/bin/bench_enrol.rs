//! Enrolment throughput under contention (issue 7): many concurrent enrolment requests for the same
//! few seats, through the whole app (guards, validation, the seat/waitlist transaction, audit) on a
//! real database, next to `GET /health` in the same run and the same client.
//!
//!     cargo run --release --bin bench_enrol                # add -- --pg off to skip PostgreSQL
//!     cargo run --release --bin bench_enrol -- --requests 4000 --concurrency 64 --seats 30 --classes 1
//!
//! Requests go through Rocket's in-process client, so the figures are the app and the database
//! without the socket. Each run checks its outcome: no 5xx, exactly `seats × classes` enrolled,
//! and waitlist positions 1, 2, 3, … in every class.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cadre_training::db::ScratchSchema;
use rocket::figment::providers::Serialized;
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::Client;
use rocket::tokio::sync::Semaphore;
use serde_json::{json, Value};

const PASSWORD: &str = "bench-enrol-password";

struct Options {
    requests: usize,
    concurrency: usize,
    seats: usize,
    classes: usize,
}

async fn call(
    client: &Client,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<(ContentType, Vec<u8>)>,
) -> (Status, Value) {
    let mut req = match method {
        "POST" => client.post(path.to_string()),
        _ => client.get(path.to_string()),
    };
    if let Some(t) = token {
        req = req.header(Header::new("Authorization", format!("Bearer {t}")));
    }
    if let Some((ct, bytes)) = body {
        req = req.header(ct).body(bytes);
    }
    let res = req.dispatch().await;
    let status = res.status();
    let text = res.into_string().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn json_post(client: &Client, path: &str, token: &str, body: Value) -> Value {
    let (s, v) = call(
        client,
        "POST",
        path,
        Some(token),
        Some((ContentType::JSON, body.to_string().into_bytes())),
    )
    .await;
    assert!(s.code < 300, "POST {path}: {s} {v}");
    v
}

async fn login(client: &Client, username: &str, password: &str) -> String {
    let (s, v) = call(
        client,
        "POST",
        "/api/auth/login",
        None,
        Some((
            ContentType::JSON,
            json!({"username": username, "password": password})
                .to_string()
                .into_bytes(),
        )),
    )
    .await;
    assert_eq!(s, Status::Ok, "login {username}: {v}");
    v["token"].as_str().expect("token").to_string()
}

/// The city's units, a school account, `n` cadres and `classes` open classes of `seats` seats.
async fn setup(client: &Client, o: &Options) -> (String, Vec<i64>, Vec<String>) {
    let admin = login(client, "admin", PASSWORD).await;
    let units = std::fs::read("data/units/admin-units-2024.csv").expect("units file");
    let (s, v) = call(
        client,
        "POST",
        "/api/units/import?root=79",
        Some(&admin),
        Some((ContentType::CSV, units)),
    )
    .await;
    assert_eq!(s, Status::Ok, "{v}");
    json_post(
        client,
        "/api/accounts",
        &admin,
        json!({"username": "school1", "password": PASSWORD, "role": "school"}),
    )
    .await;
    let school = login(client, "school1", PASSWORD).await;
    let mut csv =
        String::from("Số CCCD/CMND,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã đơn vị,Tổ chức\n");
    for i in 0..o.requests {
        csv.push_str(&format!(
            "{:012},Nguyễn Văn An,Nam,01/01/1980,Kinh,26734,Mặt trận Tổ quốc\n",
            79_500_000_000u64 + i as u64
        ));
    }
    let (s, v) = call(
        client,
        "POST",
        "/api/imports/cadres",
        Some(&admin),
        Some((ContentType::CSV, csv.into_bytes())),
    )
    .await;
    assert_eq!(s, Status::Ok, "{v}");
    let mut ids = Vec::with_capacity(o.requests);
    while ids.len() < o.requests {
        let (s, v) = call(
            client,
            "GET",
            &format!("/api/cadres?limit=500&offset={}", ids.len()),
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(s, Status::Ok, "{v}");
        let items = v["items"].as_array().expect("items");
        assert!(!items.is_empty(), "fewer cadres than requests");
        ids.extend(items.iter().filter_map(|c| c["id"].as_i64()));
    }
    let today = cadre_training::shared::clock::city_today();
    let mut codes = vec![];
    for k in 0..o.classes {
        let code = format!("BENCH-{k:03}");
        // Sessions far apart, so classes never clash in venue or time.
        let day = format!("2031-{:02}-{:02}", 1 + k % 12, 1 + k / 12 % 28);
        json_post(
            client,
            "/api/classes",
            &school,
            json!({"code": code, "module_code": "DV-01",
            "organiser": "Trường Cán bộ thành phố", "capacity": o.seats,
            "enrol_opens": (today - chrono::Duration::days(1)).to_string(),
            "enrol_closes": (today + chrono::Duration::days(30)).to_string(),
            "sessions": [{"starts_at": format!("{day}T08:00"), "ends_at": format!("{day}T11:00"),
                "venue": format!("Phòng {k}"), "instructor": format!("GV {k}")}]}),
        )
        .await;
        json_post(
            client,
            &format!("/api/classes/{code}/status"),
            &school,
            json!({"status": "open"}),
        )
        .await;
        codes.push(code);
    }
    (school, ids, codes)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// `n` requests from `concurrency` concurrent tasks; `make(i)` builds request `i`. Returns the
/// wall time, the sorted latencies and the statuses.
async fn drive<F>(
    client: &Arc<Client>,
    n: usize,
    concurrency: usize,
    make: F,
) -> (Duration, Vec<Duration>, Vec<u16>)
where
    F: Fn(usize) -> (String, Option<String>, Option<String>) + Send + Sync + 'static,
{
    let gate = Arc::new(Semaphore::new(concurrency));
    let make = Arc::new(make);
    let start = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let (client, gate, make) = (client.clone(), gate.clone(), make.clone());
            rocket::tokio::spawn(async move {
                let _permit = gate.acquire().await.expect("gate");
                let (path, token, body) = make(i);
                let t = Instant::now();
                let (status, _) = match body {
                    Some(b) => {
                        call(
                            &client,
                            "POST",
                            &path,
                            token.as_deref(),
                            Some((ContentType::JSON, b.into_bytes())),
                        )
                        .await
                    }
                    None => call(&client, "GET", &path, token.as_deref(), None).await,
                };
                (t.elapsed(), status.code)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(n);
    let mut statuses = Vec::with_capacity(n);
    for t in tasks {
        let (d, s) = t.await.expect("task");
        latencies.push(d);
        statuses.push(s);
    }
    let wall = start.elapsed();
    latencies.sort();
    (wall, latencies, statuses)
}

async fn run(label: &str, url: &str, dir: &std::path::Path, o: &Options) {
    let figment = cadre_training::config::figment()
        .merge(Serialized::global("database_url", url))
        .merge(Serialized::global("data_dir", dir.display().to_string()))
        .merge(Serialized::global(
            "jwt_secret",
            "bench-enrol-secret-0123456789abcdef",
        ))
        .merge(Serialized::global("admin_password", PASSWORD))
        .merge(Serialized::global("db_acquire_timeout_secs", 120))
        .merge(Serialized::global("log_level", "off"));
    let rocket = cadre_training::prepare(figment).await.expect("app starts");
    let client = Arc::new(Client::untracked(rocket).await.expect("valid rocket"));
    let (school, ids, codes) = setup(&client, o).await;

    let (health_wall, _, _) = drive(&client, o.requests, o.concurrency, |_| {
        ("/health".into(), None, None)
    })
    .await;

    let ids = Arc::new(ids);
    let (cls, tok) = (Arc::new(codes.clone()), school.clone());
    let (wall, lat, statuses) = drive(&client, o.requests, o.concurrency, move |i| {
        (
            format!("/api/classes/{}/enrolments", cls[i % cls.len()]),
            Some(tok.clone()),
            Some(json!({"cadre_id": ids[i]}).to_string()),
        )
    })
    .await;

    // The outcome must be right, or the figure means nothing.
    let server_errors = statuses.iter().filter(|s| **s >= 500).count();
    let created = statuses.iter().filter(|s| **s == 201).count();
    assert_eq!(server_errors, 0, "5xx answers under contention");
    assert_eq!(
        created, o.requests,
        "every request is enrolled or waitlisted"
    );
    let mut enrolled = 0;
    let mut waitlisted = 0;
    for code in &codes {
        let (s, v) = call(
            &client,
            "GET",
            &format!("/api/classes/{code}/enrolments"),
            Some(&school),
            None,
        )
        .await;
        assert_eq!(s, Status::Ok, "{v}");
        let items = v["items"].as_array().expect("items");
        let e = items.iter().filter(|e| e["status"] == "enrolled").count();
        let mut positions: Vec<i64> = items
            .iter()
            .filter(|e| e["status"] == "waitlisted")
            .filter_map(|e| e["position"].as_i64())
            .collect();
        positions.sort();
        assert_eq!(e, o.seats.min(items.len()), "{code}: seats filled exactly");
        assert!(
            positions
                .iter()
                .enumerate()
                .all(|(i, p)| *p == i as i64 + 1),
            "{code}: waitlist positions 1, 2, 3, …"
        );
        enrolled += e;
        waitlisted += positions.len();
    }
    let rate = o.requests as f64 / wall.as_secs_f64();
    let health_rate = o.requests as f64 / health_wall.as_secs_f64();
    println!(
        "| {label} | {} | {} | {} × {} | {:.0} /s | {} | {} | {:.0} /s | {:.3} | {enrolled} / {waitlisted} | 0 |",
        o.requests,
        o.concurrency,
        o.classes,
        o.seats,
        rate,
        ms(percentile(&lat, 0.5)),
        ms(percentile(&lat, 0.99)),
        health_rate,
        rate / health_rate,
    );
}

#[rocket::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let num = |name: &str, default: usize| {
        arg(name)
            .and_then(|v| v.parse().ok())
            .filter(|n: &usize| *n > 0)
            .unwrap_or(default)
    };
    let o = Options {
        requests: num("--requests", 2000),
        concurrency: num("--concurrency", 64),
        seats: num("--seats", 30),
        classes: num("--classes", 1),
    };
    println!("| backend | requests | concurrency | classes × seats | enrolments/s | p50 | p99 | /health same run | ratio | enrolled / waitlisted | 5xx |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let dir = std::env::temp_dir().join(format!("cadre-bench-enrol-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("enrol.db").display());
    run("SQLite", &url, &dir, &o).await;
    let pg = arg("--pg").unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    if pg != "off" {
        let schema = ScratchSchema::create(&pg, &format!("bench_enrol_{}", std::process::id()))
            .await
            .expect("schema");
        run("PostgreSQL", schema.url(), &dir, &o).await;
        schema.drop().await.expect("drop");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
