//! The city clock (issue 13): "today" is Ho Chi Minh City's day (UTC+7), also between 00:00 and
//! 07:00 in the city, when the UTC date is still yesterday. The app's clock is stopped at chosen
//! instants with `state().clock.set_now`.

use chrono::{DateTime, Utc};
use rocket::http::Status;
use serde_json::{json, Value};

use crate::cadres::create as create_cadre;
use crate::db_tests;
use crate::helpers::{Backend, TestApp};

db_tests!(
    enrolment_opens_on_the_city_day,
    reports_default_to_the_city_day,
    finishing_and_revoking_on_the_city_day,
    own_record_turns_stale_at_the_city_midnight,
);

/// 06:30 on 2 December in the city.
const MORNING_2_DEC: &str = "2026-12-01T23:30:00Z";
/// 23:30 on 1 December in the city.
const EVENING_1_DEC: &str = "2026-12-01T16:30:00Z";

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("an RFC 3339 instant")
}

fn set_clock(app: &TestApp, instant: &str) {
    app.state().clock.set_now(Some(at(instant)));
}

/// Units, a school account, a cadre in 26734 with an account of their own.
async fn setup(app: &TestApp) -> (String, String, i64, String) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school1", "school", None).await;
    let id = create_cadre(app, &admin, "Nguyễn Văn An", "079180001401", "26734").await;
    let (s, v) = app
        .post(
            "/api/accounts",
            Some(&admin),
            json!({"username": "cadre.an", "password": "lop-hoc-dan-van-2026", "role": "cadre",
                   "unit_code": "26734", "cadre_id": id}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let me = app.token("cadre.an", "lop-hoc-dan-van-2026").await;
    (admin, school, id, me)
}

/// Creates a DV-01 class with one session and opens it.
async fn open_class(app: &TestApp, school: &str, code: &str, opens: &str, session_day: &str) {
    let body = json!({"code": code, "module_code": "DV-01", "organiser": "Trường Cán bộ thành phố",
        "capacity": 10, "enrol_opens": opens, "enrol_closes": "2026-12-20",
        "sessions": [{"starts_at": format!("{session_day}T08:00"), "ends_at": format!("{session_day}T11:00"),
                      "venue": format!("Phòng {code}"), "instructor": format!("GV {code}")}]});
    let (s, v) = app.post("/api/classes", Some(school), body).await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, v) = app
        .post(
            &format!("/api/classes/{code}/status"),
            Some(school),
            json!({"status": "open"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
}

async fn enrolment_opens_on_the_city_day(app: TestApp) {
    let (_, school, _, me) = setup(&app).await;
    open_class(&app, &school, "CLOCK-01", "2026-12-02", "2026-12-10").await;
    // 23:30 on 1 December in the city: the window has not opened yet.
    set_clock(&app, EVENING_1_DEC);
    let (s, v) = app
        .post("/api/classes/CLOCK-01/enrolments", Some(&me), json!({}))
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "class");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("open from 2026-12-02"),
        "{v}"
    );
    // 06:30 on 2 December in the city (still 1 December in UTC): the opening day.
    set_clock(&app, MORNING_2_DEC);
    let (s, v) = app
        .post("/api/classes/CLOCK-01/enrolments", Some(&me), json!({}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["status"], "enrolled");
    assert_eq!(v["source"], "self");
}

async fn reports_default_to_the_city_day(app: TestApp) {
    let (admin, _, id, _) = setup(&app).await;
    // A version of a standard that comes into force on 2 December.
    let (s, v) = app
        .post(
            "/api/titles/FF-CHAIR-COMMUNE/standards",
            Some(&admin),
            json!({"effective_from": "2026-12-02", "retroactive": true, "requirements": [{"kind": "max_age", "years": 60}]}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    for (instant, day) in [
        (MORNING_2_DEC, "2026-12-02"),
        (EVENING_1_DEC, "2026-12-01"),
        ("2026-12-01T16:59:59Z", "2026-12-01"),
        ("2026-12-01T17:00:00Z", "2026-12-02"),
    ] {
        set_clock(&app, instant);
        let (s, r) = app.get("/api/reports/gaps", Some(&admin)).await;
        assert_eq!(s, Status::Ok, "{r}");
        assert_eq!(r["as_of"], day, "{instant}");
        let (s, r) = app
            .get(&format!("/api/cadres/{id}/gaps"), Some(&admin))
            .await;
        assert_eq!(s, Status::Ok, "{r}");
        assert_eq!(r["as_of"], day, "{instant}");
        let (s, r) = app
            .get("/api/titles/FF-CHAIR-COMMUNE/standard", Some(&admin))
            .await;
        assert_eq!(s, Status::Ok, "{r}");
        let in_force = r["effective_from"].as_str().unwrap();
        assert_eq!(
            in_force == "2026-12-02",
            day == "2026-12-02",
            "{instant}: {r}"
        );
    }
}

async fn finishing_and_revoking_on_the_city_day(app: TestApp) {
    let (_, school, _, me) = setup(&app).await;
    open_class(&app, &school, "CLOCK-02", "2026-11-20", "2026-11-25").await;
    // The cadre enrols before the class begins (25 November, 08:00).
    set_clock(&app, "2026-11-24T10:00:00Z");
    let (s, v) = app
        .post("/api/classes/CLOCK-02/enrolments", Some(&me), json!({}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let enrolment = v["id"].as_i64().unwrap();
    set_clock(&app, MORNING_2_DEC);
    let (s, v) = app
        .post(
            "/api/classes/CLOCK-02/status",
            Some(&school),
            json!({"status": "running"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let session = v["sessions"][0]["id"].as_i64().unwrap();
    let (s, v) = app
        .put(
            &format!("/api/classes/CLOCK-02/sessions/{session}/attendance"),
            Some(&school),
            json!({"records": [{"enrolment_id": enrolment, "status": "present"}]}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = app
        .put(
            "/api/classes/CLOCK-02/results",
            Some(&school),
            json!({"results": [{"enrolment_id": enrolment, "score": 8.0, "passed": true}]}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    // On 1 December in the city, 2 December is still to come.
    set_clock(&app, EVENING_1_DEC);
    let (s, v) = app
        .post(
            "/api/classes/CLOCK-02/status",
            Some(&school),
            json!({"status": "finished", "finished_on": "2026-12-02"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "finished_on");
    // At 06:30 on 2 December the class finishes today: the city's today.
    set_clock(&app, MORNING_2_DEC);
    let (s, v) = app
        .post(
            "/api/classes/CLOCK-02/status",
            Some(&school),
            json!({"status": "finished"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, done) = app
        .get("/api/classes/CLOCK-02/completions", Some(&school))
        .await;
    let completion = &done["items"][0];
    assert_eq!(completion["completed_on"], "2026-12-02", "{done}");
    let cert = completion["certificate_no"].as_str().unwrap().to_string();
    assert!(cert.starts_with("TCB-2026-"), "{cert}");
    let revoke = json!({"reason": "Hồ sơ sai", "revoked_on": "2026-12-02"});
    // 23:30 on 1 December: a revocation dated 2 December is in the future.
    set_clock(&app, EVENING_1_DEC);
    let (s, v) = app
        .post(
            &format!("/api/certificates/{cert}/revoke"),
            Some(&school),
            revoke.clone(),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "revoked_on");
    // 06:30 on 2 December: it is dated today.
    set_clock(&app, MORNING_2_DEC);
    let (s, v) = app
        .post(
            &format!("/api/certificates/{cert}/revoke"),
            Some(&school),
            revoke,
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["revoked_on"], "2026-12-02");
    assert_eq!(v["status"], "revoked");
}

async fn own_record_turns_stale_at_the_city_midnight(app: TestApp) {
    let (_, school, id, me) = setup(&app).await;
    set_clock(&app, EVENING_1_DEC);
    // DV-03 is valid for five years: this completion counts up to 1 December 2026.
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/completions"),
            Some(&school),
            json!({"module_code": "DV-03", "completed_on": "2021-12-02", "source_ref": "Sổ 2021"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let status = |v: &Value| v["completions"][0]["status"].as_str().unwrap().to_string();
    let (s, v) = app.get("/api/me", Some(&me)).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["completions"][0]["valid_until"], "2026-12-01");
    assert_eq!(status(&v), "valid");
    // Nothing is written in between: the kept record holds until the city's midnight …
    set_clock(&app, "2026-12-01T16:59:59Z");
    assert_eq!(status(&app.get("/api/me", Some(&me)).await.1), "valid");
    // … and not a moment longer (17:00 UTC, not 00:00 UTC).
    set_clock(&app, "2026-12-01T17:00:00Z");
    assert_eq!(status(&app.get("/api/me", Some(&me)).await.1), "stale");
}

/// The zone is a setting: in UTC, 23:30 UTC on 1 December is still 1 December.
#[rocket::async_test]
async fn the_time_zone_is_a_setting() {
    let app = TestApp::spawn(Backend::Sqlite, &[("time_zone", json!("+00:00"))])
        .await
        .expect("app");
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    set_clock(&app, MORNING_2_DEC);
    let (s, r) = app.get("/api/reports/gaps", Some(&admin)).await;
    assert_eq!(s, Status::Ok, "{r}");
    assert_eq!(r["as_of"], "2026-12-01");
}

/// A zone the clock cannot keep stops the start with one line naming the setting.
#[rocket::async_test]
async fn an_unknown_time_zone_stops_the_start() {
    let dir = std::env::temp_dir().join(format!("cadre-clock-{}", std::process::id()));
    for zone in ["Europe/Paris", "+7", "Asia/Ho_Chi_Minh_City"] {
        let figment = cadre_training::config::figment()
            .merge(rocket::figment::providers::Serialized::global(
                "database_url",
                "sqlite::memory:",
            ))
            .merge(rocket::figment::providers::Serialized::global(
                "data_dir",
                dir.display().to_string(),
            ))
            .merge(rocket::figment::providers::Serialized::global(
                "time_zone",
                zone,
            ));
        let err = cadre_training::prepare(figment)
            .await
            .err()
            .unwrap_or_else(|| panic!("{zone} was accepted"));
        assert!(
            err.contains("time_zone") && err.contains(zone) && !err.contains('\n'),
            "{err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every "today" comes from the clock: no other file in `src/` derives the day from UTC or from
/// the machine's local zone.
#[test]
fn no_today_outside_the_clock() {
    const FORBIDDEN: [&str; 4] = [
        "Utc::now().date_naive()",
        "Utc::today()",
        "Local::now()",
        "Local::today()",
    ];
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let clock = src.join("clock.rs");
    let mut files = vec![];
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && path != clock {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 50, "found only {} files", files.len());
    let mut found = vec![];
    for path in &files {
        let text = std::fs::read_to_string(path).expect("source");
        // Whitespace-blind, so a call that rustfmt splits over two lines is found too.
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for f in FORBIDDEN {
            if squeezed.contains(f) {
                found.push(format!("{}: {f}", path.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "use the city clock (state.clock.today(), clock::city_today() in src/bin) instead:\n{}",
        found.join("\n")
    );
}
