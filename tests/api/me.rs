//! A cadre's own record (`/api/me`) and the iCalendar feeds.

use cadre_training::shared::clock::city_today;
use chrono::Duration;
use rocket::http::Status;
use serde_json::json;

use crate::cadres::create as create_cadre;
use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    cadre_sees_their_record_in_one_answer,
    own_record_matches_the_officer_views,
    calendar_feeds
);

fn class(code: &str, module: &str, capacity: i64, day: &str, venue: &str) -> serde_json::Value {
    let today = city_today();
    json!({"code": code, "module_code": module, "organiser": "Trường Cán bộ thành phố", "capacity": capacity,
           "enrol_opens": (today - Duration::days(1)).to_string(), "enrol_closes": (today + Duration::days(30)).to_string(),
           "sessions": [{"starts_at": format!("{day}T08:00"), "ends_at": format!("{day}T11:00"), "venue": venue, "instructor": format!("GV {code}")}]})
}

async fn open(app: &TestApp, token: &str, body: serde_json::Value) {
    let code = body["code"].as_str().unwrap().to_string();
    let (s, v) = app.post("/api/classes", Some(token), body).await;
    assert_eq!(s, Status::Created, "{v}");
    app.post(
        &format!("/api/classes/{code}/status"),
        Some(token),
        json!({"status": "open"}),
    )
    .await;
}

async fn cadre_sees_their_record_in_one_answer(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school1", "school", None).await;
    let id = create_cadre(&app, &admin, "Nguyễn Văn An", "079180001301", "26734").await;
    let other = create_cadre(&app, &admin, "Trần Thị Bình", "079180001302", "26734").await;
    app.post("/api/accounts", Some(&admin), json!({"username": "cadre.an", "password": "lop-hoc-dan-van-2026", "role": "cadre", "unit_code": "26734", "cadre_id": id})).await;
    let me = app.token("cadre.an", "lop-hoc-dan-van-2026").await;
    app.post(
        &format!("/api/cadres/{id}/titles"),
        Some(&admin),
        json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2020-01-01"}),
    )
    .await;
    app.post(
        &format!("/api/cadres/{id}/qualifications"),
        Some(&admin),
        json!({"scale": "political_theory", "level": "intermediate", "obtained_on": "2015-06-01"}),
    )
    .await;
    app.post(
        &format!("/api/cadres/{id}/completions"),
        Some(&school),
        json!({"module_code": "DV-01", "completed_on": "2019-05-02", "source_ref": "Sổ 2019"}),
    )
    .await;
    let next_year = (city_today() + Duration::days(365)).to_string();
    open(
        &app,
        &school,
        class("CLS-A", "DV-02", 5, &next_year, "Phòng A"),
    )
    .await;
    open(
        &app,
        &school,
        class(
            "CLS-FULL",
            "DV-04",
            1,
            &(city_today() + Duration::days(366)).to_string(),
            "Phòng B",
        ),
    )
    .await;
    app.post("/api/classes/CLS-A/enrolments", Some(&me), json!({}))
        .await;
    app.post(
        "/api/classes/CLS-FULL/enrolments",
        Some(&school),
        json!({"cadre_id": other}),
    )
    .await;
    let (s, v) = app
        .post("/api/classes/CLS-FULL/enrolments", Some(&me), json!({}))
        .await;
    assert_eq!(s, Status::Created, "{v}");

    let (s, r) = app.get("/api/me", Some(&me)).await;
    assert_eq!(s, Status::Ok, "{r}");
    assert_eq!(r["account"]["username"], "cadre.an");
    assert_eq!(r["cadre"]["full_name"], "Nguyễn Văn An");
    assert_eq!(r["cadre"]["personal_id"], "079180001301");
    assert_eq!(r["cadre"]["titles"][0]["title_code"], "FF-CHAIR-COMMUNE");
    assert_eq!(r["cadre"]["qualifications"][0]["level"], "intermediate");
    assert_eq!(r["completions"][0]["module_code"], "DV-01");
    assert_eq!(r["completions"][0]["status"], "valid");
    let enrolments = r["enrolments"].as_array().unwrap();
    assert_eq!(enrolments.len(), 2);
    let full = enrolments
        .iter()
        .find(|e| e["class_code"] == "CLS-FULL")
        .unwrap();
    assert_eq!(full["status"], "waitlisted");
    assert_eq!(full["position"], 1);
    let upcoming = r["upcoming_sessions"].as_array().unwrap();
    assert_eq!(upcoming.len(), 1, "only classes with a seat: {r}");
    assert_eq!(upcoming[0]["venue"], "Phòng A");
    assert!(
        !r.to_string().contains("Trần Thị Bình"),
        "nothing of other cadres"
    );
    // Accounts without a cadre record get their account only.
    let (_, r) = app.get("/api/me", Some(&school)).await;
    assert!(r["cadre"].is_null());
    assert_eq!(r["account"]["role"], "school");
}

/// `/api/me` loads the record its own way (one connection, the gaps from what it has already
/// read); its parts must equal what the per-cadre routes answer.
async fn own_record_matches_the_officer_views(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school1", "school", None).await;
    let id = create_cadre(&app, &admin, "Lê Văn Cường", "079180001501", "26734").await;
    app.post("/api/accounts", Some(&admin), json!({"username": "cadre.cuong", "password": "lop-hoc-dan-van-2026", "role": "cadre", "unit_code": "26734", "cadre_id": id})).await;
    let me = app.token("cadre.cuong", "lop-hoc-dan-van-2026").await;
    for (path, body) in [
        (
            "titles",
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2010-01-01", "to_date": "2014-12-31"}),
        ),
        (
            "titles",
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2020-01-01"}),
        ),
        (
            "plans",
            json!({"title_code": "VA-CHAIR-COMMUNE", "from_date": "2021-01-01"}),
        ),
        (
            "qualifications",
            json!({"scale": "political_theory", "level": "elementary", "obtained_on": "2009-06-01"}),
        ),
        (
            "qualifications",
            json!({"scale": "professional_education", "level": "bachelor", "obtained_on": "2001-06-01"}),
        ),
    ] {
        let (s, v) = app
            .post(&format!("/api/cadres/{id}/{path}"), Some(&admin), body)
            .await;
        assert!(s.code < 300, "{path}: {v}");
    }
    for (module, day) in [
        ("DV-01", "2012-05-02"),
        ("DV-01", "2023-05-02"),
        ("DV-11", "2015-03-01"),
    ] {
        let (s, v) = app
            .post(
                &format!("/api/cadres/{id}/completions"),
                Some(&school),
                json!({"module_code": module, "completed_on": day, "source_ref": "Sổ"}),
            )
            .await;
        assert!(s.code < 300, "{v}");
    }
    let next_year = (city_today() + Duration::days(365)).to_string();
    open(
        &app,
        &school,
        class("CLS-11", "DV-11", 5, &next_year, "Phòng A"),
    )
    .await;
    open(
        &app,
        &school,
        class("CLS-TC", "LLCT-TC", 5, &next_year, "Phòng B"),
    )
    .await;
    app.post("/api/classes/CLS-11/enrolments", Some(&me), json!({}))
        .await;

    let (s, r) = app.get("/api/me", Some(&me)).await;
    assert_eq!(s, Status::Ok, "{r}");
    let (_, detail) = app.get(&format!("/api/cadres/{id}"), Some(&me)).await;
    assert_eq!(r["cadre"], detail);
    assert_eq!(r["cadre"]["titles"].as_array().unwrap().len(), 2);
    assert_eq!(r["cadre"]["plans"].as_array().unwrap().len(), 1);
    let (_, completions) = app
        .get(&format!("/api/cadres/{id}/completions"), Some(&me))
        .await;
    assert_eq!(r["completions"], completions["items"]);
    let (_, gaps) = app.get(&format!("/api/cadres/{id}/gaps"), Some(&me)).await;
    assert_eq!(r["gaps"], gaps["items"]);
    let gaps = r["gaps"].as_array().unwrap();
    assert_eq!(gaps.len(), 2, "held and planned: {r}");
    assert_eq!(gaps[0]["population"], "incumbent");
    assert_eq!(gaps[1]["population"], "planned");
    assert_eq!(r["enrolments"].as_array().unwrap().len(), 1);
    assert_eq!(r["upcoming_sessions"].as_array().unwrap().len(), 1);
    assert!(r["calendar_feed"].is_null());
}

async fn calendar_feeds(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school1", "school", None).await;
    let id = create_cadre(&app, &admin, "Nguyễn Văn An", "079180001401", "26734").await;
    app.post("/api/accounts", Some(&admin), json!({"username": "cadre.an", "password": "lop-hoc-dan-van-2026", "role": "cadre", "unit_code": "26734", "cadre_id": id})).await;
    let me = app.token("cadre.an", "lop-hoc-dan-van-2026").await;
    let day = (city_today() + Duration::days(20)).to_string();
    open(
        &app,
        &school,
        class("CLS-CAL", "DV-05", 5, &day, "Hội trường 1, tầng 2"),
    )
    .await;
    app.post(
        "/api/classes",
        Some(&school),
        class("CLS-PLAN", "DV-06", 5, &day, "Phòng 9"),
    )
    .await;
    // The class feed needs no login and lists the sessions with their venue.
    let res = app
        .client
        .get("/api/classes/cls-cal/calendar.ics")
        .dispatch()
        .await;
    assert_eq!(res.status(), Status::Ok);
    assert_eq!(
        res.content_type().map(|c| c.to_string()),
        Some("text/calendar; charset=utf-8".into())
    );
    let body = res.into_string().await.unwrap();
    assert!(body.starts_with("BEGIN:VCALENDAR\r\n"));
    assert_eq!(body.matches("BEGIN:VEVENT").count(), 1);
    assert!(
        body.contains("LOCATION:Hội trường 1\\, tầng 2\r\n"),
        "{body}"
    );
    assert_eq!(
        app.client
            .get("/api/classes/CLS-PLAN/calendar.ics")
            .dispatch()
            .await
            .status(),
        Status::NotFound
    );
    // The cadre feed works from a revocable token.
    assert_eq!(
        app.post("/api/me/calendar-token", Some(&school), json!({}))
            .await
            .0,
        Status::Forbidden
    );
    app.post("/api/classes/CLS-CAL/enrolments", Some(&me), json!({}))
        .await;
    let (s, t) = app
        .post("/api/me/calendar-token", Some(&me), json!({}))
        .await;
    assert_eq!(s, Status::Ok, "{t}");
    let path = t["path"].as_str().unwrap().to_string();
    let res = app.client.get(path.clone()).dispatch().await;
    assert_eq!(res.status(), Status::Ok);
    let body = res.into_string().await.unwrap();
    assert!(
        body.contains("SUMMARY:Quy chế dân chủ ở cơ sở (CLS-CAL)"),
        "{body}"
    );
    // The record says a feed exists, but not its link: only the token's hash is kept.
    let (_, r) = app.get("/api/me", Some(&me)).await;
    assert!(r["calendar_feed"]["created_at"].is_string(), "{r}");
    assert!(!r.to_string().contains(t["token"].as_str().unwrap()), "{r}");
    // A new token revokes the old link; deleting revokes the new one.
    let (_, t2) = app
        .post("/api/me/calendar-token", Some(&me), json!({}))
        .await;
    assert_eq!(
        app.client.get(path).dispatch().await.status(),
        Status::NotFound
    );
    let path2 = t2["path"].as_str().unwrap().to_string();
    assert_eq!(
        app.client.get(path2.clone()).dispatch().await.status(),
        Status::Ok
    );
    let res = app
        .client
        .delete("/api/me/calendar-token")
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {me}"),
        ))
        .dispatch()
        .await;
    assert_eq!(res.status(), Status::NoContent);
    assert_eq!(
        app.client.get(path2).dispatch().await.status(),
        Status::NotFound
    );
    assert_eq!(
        app.client
            .get("/api/feeds/nonsense.ics")
            .dispatch()
            .await
            .status(),
        Status::NotFound
    );
}
