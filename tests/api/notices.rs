//! Notices (issue 17): written in the transaction of each event to the cadre's account and the
//! officers of the cadre's unit, read only by their account, in its language; settings checked.

use rocket::http::Status;
use serde_json::{json, Value};

use crate::cadres::create as create_cadre;
use crate::classes::{enrol, one_session, open_class, session, setup};
use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    enrolment_waitlist_promotion_and_cancellation_are_told,
    schedule_completion_and_revocation_are_told,
    the_inbox_is_the_callers_alone,
    settings_are_checked_and_decide_the_mail,
    a_new_schedule_names_the_next_session,
    a_waitlist_left_when_the_class_finishes_is_told,
    an_account_that_sees_others_now_keeps_no_notices,
    the_same_schedule_again_changes_and_tells_nothing,
    a_removal_and_a_class_not_passed_are_told,
);

/// A cadre account (in ward 26734) for a cadre; its token.
pub async fn cadre_account(app: &TestApp, admin: &str, username: &str, cadre: i64) -> String {
    let (s, v) = app
        .post("/api/accounts", Some(admin),
            json!({"username": username, "password": "lop-hoc-dan-van-2026", "role": "cadre", "unit_code": "26734", "cadre_id": cadre}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    app.token(username, "lop-hoc-dan-van-2026").await
}

async fn inbox(app: &TestApp, token: &str, query: &str) -> Value {
    let (s, v) = app.get(&format!("/api/notices{query}"), Some(token)).await;
    assert_eq!(s, Status::Ok, "{v}");
    v
}

fn kinds(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn enrolment_waitlist_promotion_and_cancellation_are_told(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let an = create_cadre(&app, &admin, "Nguyễn Văn An", "079180017001", "26734").await;
    let binh = create_cadre(&app, &admin, "Trần Thị Bình", "079180017002", "26734").await;
    let me = cadre_account(&app, &admin, "notice.an", an).await;
    let officer = app
        .account(&admin, "notice.officer", "officer", Some("26734"))
        .await;
    let elsewhere = app
        .account(&admin, "notice.other", "officer", Some("26737"))
        .await;
    open_class(&app, &school, "TB-1", "DV-01", 1, one_session("2027-05-03")).await;

    let (s, a) = enrol(&app, &school, "TB-1", Some(an)).await;
    assert_eq!(s, Status::Created, "{a}");
    let (s, b) = enrol(&app, &school, "TB-1", Some(binh)).await;
    assert_eq!(s, Status::Created, "{b}");
    // A refused write tells nothing: the notice would be in its rolled-back transaction.
    assert_eq!(
        enrol(&app, &school, "TB-1", Some(an)).await.0,
        Status::Conflict
    );

    let v = inbox(&app, &me, "").await;
    assert_eq!(
        (v["unread"].clone(), v["total"].clone()),
        (json!(1), json!(1)),
        "{v}"
    );
    let n = &v["items"][0];
    assert_eq!(n["kind"], "enrolled");
    assert_eq!(n["subject"], "Đã ghi danh lớp TB-1");
    assert!(
        n["text"]
            .as_str()
            .unwrap()
            .starts_with("Nguyễn Văn An đã được ghi danh vào lớp TB-1"),
        "{n}"
    );
    assert_eq!(n["params"]["class"], "TB-1");
    assert_eq!(n["cadre_id"], an);
    assert_eq!(n["read_at"], Value::Null);
    assert_eq!(
        n["mail"], "none",
        "no SMTP configured: nothing waits for the mail"
    );

    // The unit's officer is told of both; an officer of another unit of neither.
    let v = inbox(&app, &officer, "").await;
    assert_eq!(kinds(&v), ["waitlisted", "enrolled"], "{v}");
    assert_eq!(v["items"][0]["params"]["position"], 1);
    assert_eq!(v["items"][0]["cadre_id"], binh);
    assert!(
        v["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("vị trí thứ 1"),
        "{v}"
    );
    assert_eq!(inbox(&app, &elsewhere, "").await["total"], 0);

    // An is taken out by the school (and told why): Bình takes the seat and is told.
    let (s, v) = app
        .post(
            &format!("/api/classes/TB-1/enrolments/{}/withdraw", a["id"]),
            Some(&school),
            json!({"reason": "ốm"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let v = inbox(&app, &officer, "").await;
    assert_eq!(
        kinds(&v),
        ["promoted", "removed_from_class", "waitlisted", "enrolled"],
        "{v}"
    );
    assert_eq!(v["items"][0]["cadre_id"], binh);
    assert_eq!(v["items"][1]["params"]["reason"], "ốm");

    // The class is cancelled with a reason: those holding a place are told (Bình), An no more.
    let (s, v) = app
        .post(
            "/api/classes/TB-1/status",
            Some(&school),
            json!({"status": "cancelled", "reason": "Giảng viên bận công tác"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let v = inbox(&app, &officer, "?lang=en").await;
    assert_eq!(v["items"][0]["kind"], "class_cancelled");
    assert_eq!(v["items"][0]["subject"], "Class TB-1 cancelled");
    assert!(
        v["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Reason: Giảng viên bận công tác"),
        "{v}"
    );
    // An was told of the removal, and of no cancellation since.
    assert_eq!(
        kinds(&inbox(&app, &me, "").await),
        ["removed_from_class", "enrolled"]
    );
}

async fn schedule_completion_and_revocation_are_told(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let an = create_cadre(&app, &admin, "Nguyễn Văn An", "079180017011", "26734").await;
    let me = cadre_account(&app, &admin, "notice.an2", an).await;
    open_class(&app, &school, "TB-2", "DV-01", 5, one_session("2027-06-01")).await;
    let (s, e) = enrol(&app, &school, "TB-2", Some(an)).await;
    assert_eq!(s, Status::Created, "{e}");
    let (s, c) = app
        .put("/api/classes/TB-2/sessions", Some(&school),
            json!({"sessions": [session("2027-06-08T13:30", "2027-06-08T16:30", "Hội trường C", "TS. Lê Văn Minh")]}))
        .await;
    assert_eq!(s, Status::Ok, "{c}");
    let v = inbox(&app, &me, "").await;
    assert_eq!(kinds(&v), ["class_rescheduled", "enrolled"], "{v}");
    assert_eq!(v["items"][0]["params"]["date"], "2027-06-08");
    assert_eq!(v["items"][0]["params"]["start"], "13:30");
    assert!(
        v["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("08/06/2027 lúc 13:30"),
        "{v}"
    );

    let sid = c["sessions"][0]["id"].as_i64().unwrap();
    let eid = e["id"].as_i64().unwrap();
    for (path, body) in [(
        "/api/classes/TB-2/status".to_string(),
        json!({"status": "running"}),
    )] {
        let (s, v) = app.post(&path, Some(&school), body).await;
        assert_eq!(s, Status::Ok, "{v}");
    }
    // The morning after the session: it is marked, and the class finished.
    let after = chrono::DateTime::parse_from_rfc3339("2027-06-09T09:00:00+07:00").unwrap();
    app.state()
        .clock
        .set_now(Some(after.with_timezone(&chrono::Utc)));
    let (s, v) = app
        .put(
            &format!("/api/classes/TB-2/sessions/{sid}/attendance"),
            Some(&school),
            json!({"records": [{"enrolment_id": eid, "status": "present"}]}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = app
        .put(
            "/api/classes/TB-2/results",
            Some(&school),
            json!({"results": [{"enrolment_id": eid, "score": 9.0, "passed": true}]}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = app
        .post(
            "/api/classes/TB-2/status",
            Some(&school),
            json!({"status": "finished"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, done) = app
        .get("/api/classes/TB-2/completions", Some(&school))
        .await;
    let cert = done["items"][0]["certificate_no"]
        .as_str()
        .unwrap()
        .to_string();
    let v = inbox(&app, &me, "").await;
    assert_eq!(v["items"][0]["kind"], "completion_recorded", "{v}");
    assert_eq!(v["items"][0]["params"]["certificate"], cert.as_str());
    assert!(
        v["items"][0]["text"].as_str().unwrap().contains(&cert),
        "{v}"
    );

    let (s, v) = app
        .post(
            &format!("/api/certificates/{cert}/revoke"),
            Some(&school),
            json!({"reason": "Hồ sơ không hợp lệ"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let v = inbox(&app, &me, "?lang=en").await;
    assert_eq!(v["items"][0]["kind"], "certificate_revoked", "{v}");
    assert_eq!(
        v["items"][0]["subject"],
        format!("Certificate {cert} revoked")
    );
    assert!(
        v["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Reason: Hồ sơ không hợp lệ"),
        "{v}"
    );
    assert_eq!(v["unread"], 4);
    app.state().clock.set_now(None);
}

async fn the_inbox_is_the_callers_alone(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let an = create_cadre(&app, &admin, "Nguyễn Văn An", "079180017021", "26734").await;
    let me = cadre_account(&app, &admin, "notice.an3", an).await;
    let officer = app
        .account(&admin, "notice.officer3", "officer", Some("26734"))
        .await;
    open_class(&app, &school, "TB-3", "DV-01", 5, one_session("2027-07-01")).await;
    assert_eq!(
        enrol(&app, &school, "TB-3", Some(an)).await.0,
        Status::Created
    );
    let mine = inbox(&app, &me, "").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let theirs = inbox(&app, &officer, "").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    assert_ne!(mine, theirs);

    // Nobody signed in: 401 everywhere.
    for path in [
        "/api/notices",
        "/api/notices/unread",
        "/api/notices/settings",
    ] {
        assert_eq!(app.get(path, None).await.0, Status::Unauthorized, "{path}");
    }
    assert_eq!(
        app.post(&format!("/api/notices/{mine}/read"), None, json!({}))
            .await
            .0,
        Status::Unauthorized
    );
    // Another account's notice is not found, and stays unread.
    let (s, v) = app
        .post(&format!("/api/notices/{theirs}/read"), Some(&me), json!({}))
        .await;
    assert_eq!(s, Status::NotFound, "{v}");
    assert_eq!(v["error"]["reason"], "no_notice");
    for bad in ["abc", "-1", "99999999999999999999"] {
        assert_eq!(
            app.post(&format!("/api/notices/{bad}/read"), Some(&me), json!({}))
                .await
                .0,
            Status::NotFound,
            "{bad}"
        );
    }
    assert_eq!(
        app.get("/api/notices/unread", Some(&officer)).await.1["unread"],
        1
    );
    // Reading one's own: the count falls; reading it again changes nothing.
    let (s, v) = app
        .post(&format!("/api/notices/{mine}/read"), Some(&me), json!({}))
        .await;
    assert_eq!((s, v["unread"].clone()), (Status::Ok, json!(0)));
    let read_at = inbox(&app, &me, "").await["items"][0]["read_at"].clone();
    assert!(read_at.is_string());
    app.post(&format!("/api/notices/{mine}/read"), Some(&me), json!({}))
        .await;
    assert_eq!(inbox(&app, &me, "").await["items"][0]["read_at"], read_at);
    assert_eq!(inbox(&app, &me, "?unread=true").await["total"], 0);
    // Read all.
    let (s, v) = app
        .post("/api/notices/read-all", Some(&officer), json!({}))
        .await;
    assert_eq!((s, v["unread"].clone()), (Status::Ok, json!(0)));
    // Bad query values name their field.
    for (q, field) in [
        ("?unread=maybe", "unread"),
        ("?lang=fr", "lang"),
        ("?limit=0", "limit"),
    ] {
        let (s, v) = app.get(&format!("/api/notices{q}"), Some(&me)).await;
        assert_eq!(
            (s, v["error"]["field"].clone()),
            (Status::UnprocessableEntity, json!(field)),
            "{q}: {v}"
        );
    }
    // Paging.
    let v = inbox(&app, &officer, "?limit=1&offset=1").await;
    assert_eq!(
        (v["total"].clone(), v["items"].as_array().unwrap().len()),
        (json!(1), 0)
    );
}

async fn settings_are_checked_and_decide_the_mail(app: TestApp) {
    let (admin, _school) = setup(&app).await;
    let an = create_cadre(&app, &admin, "Nguyễn Văn An", "079180017031", "26734").await;
    let me = cadre_account(&app, &admin, "notice.an4", an).await;
    let officer = app
        .account(&admin, "notice.officer4", "officer", Some("26734"))
        .await;
    let (s, v) = app.get("/api/notices/settings", Some(&me)).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["lang"], "vi");
    assert_eq!(v["email"], Value::Null);
    assert_eq!(
        v["mail_to"], "can.bo@example.vn",
        "the cadre's address serves the account"
    );
    assert_eq!(v["mail_enabled"], false);
    assert_eq!(v["kinds"].as_array().unwrap().len(), 14);

    for (body, field) in [
        (json!({"email": "not an address", "lang": "vi"}), "email"),
        (json!({"email": null, "lang": "fr"}), "lang"),
        (
            json!({"lang": "vi", "email_off": ["enrolled", "gossip"]}),
            "email_off",
        ),
        (json!({"lang": "vi", "colour": "red"}), "colour"),
    ] {
        let (s, v) = app
            .put("/api/notices/settings", Some(&me), body.clone())
            .await;
        assert_eq!(
            (s, v["error"]["field"].clone()),
            (Status::UnprocessableEntity, json!(field)),
            "{body}: {v}"
        );
    }
    // Nothing was kept of the refused ones.
    assert_eq!(
        app.get("/api/notices/settings", Some(&me)).await.1["lang"],
        "vi"
    );
    let (s, v) = app
        .put("/api/notices/settings", Some(&me), json!({"email": " An.Nguyen@Example.vn ", "lang": "en", "email_off": ["waitlisted", "enrolled"]}))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["email"], "an.nguyen@example.vn");
    assert_eq!(v["mail_to"], "an.nguyen@example.vn");
    assert_eq!(v["email_off"], json!(["enrolled", "waitlisted"]));

    // A second app server with SMTP configured: what it writes waits for the mail, unless the
    // account has turned the kind off or has no address. The account's language is the default.
    let mailing = app
        .another_instance(&[
            ("smtp_host", json!("127.0.0.1")),
            ("smtp_port", json!(9)),
            ("mail_poll_secs", json!(3600)),
        ])
        .await;
    let school2 = mailing.token("school1", "lop-hoc-dan-van-2026").await;
    open_class(
        &mailing,
        &school2,
        "TB-4",
        "DV-01",
        5,
        one_session("2027-07-05"),
    )
    .await;
    assert_eq!(
        enrol(&mailing, &school2, "TB-4", Some(an)).await.0,
        Status::Created
    );
    let (s, v) = mailing
        .post(
            "/api/classes/TB-4/status",
            Some(&school2),
            json!({"status": "cancelled", "reason": "Trùng lịch"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let v = inbox(&app, &me, "").await;
    assert_eq!(kinds(&v), ["class_cancelled", "enrolled"]);
    assert_eq!(
        v["items"][0]["subject"], "Class TB-4 cancelled",
        "the account reads English"
    );
    assert_eq!(v["items"][0]["mail"], "pending");
    assert_eq!(
        v["items"][1]["mail"], "none",
        "enrolled is turned off for e-mail"
    );
    // The officer account has no address: no mail.
    let v = inbox(&app, &officer, "").await;
    assert_eq!(v["items"][0]["mail"], "none", "{v}");
    // The log says whether e-mail is on, and never shows the SMTP password.
    let _with_password = app
        .another_instance(&[
            ("smtp_host", json!("127.0.0.1")),
            ("smtp_username", json!("truong")),
            ("smtp_password", json!("mat-khau-smtp-bi-mat-42")),
            ("mail_poll_secs", json!(3600)),
        ])
        .await;
    let log = crate::helpers::captured_log();
    assert!(
        log.contains("e-mail notices are off"),
        "an app without SMTP says so"
    );
    assert!(log.contains("e-mail notices are on"));
    assert!(!log.contains("mat-khau-smtp-bi-mat-42"));
}

/// A new schedule names the next session to come, not the first one, already held.
async fn a_new_schedule_names_the_next_session(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let an = create_cadre(&app, &admin, "Nguyễn Văn An", "079180017031", "26734").await;
    let me = cadre_account(&app, &admin, "notice.an9", an).await;
    let today = cadre_training::shared::clock::city_today();
    let held = today - chrono::Duration::days(1);
    let later = today + chrono::Duration::days(10);
    let moved = today + chrono::Duration::days(12);
    let past = session(
        &format!("{held}T08:00"),
        &format!("{held}T11:00"),
        "Hội trường C",
        "TS. Lê Văn Minh",
    );
    open_class(
        &app,
        &school,
        "TB-9",
        "DV-01",
        5,
        vec![
            past.clone(),
            session(
                &format!("{later}T08:00"),
                &format!("{later}T11:00"),
                "Hội trường C",
                "TS. Lê Văn Minh",
            ),
        ],
    )
    .await;
    let (s, e) = enrol(&app, &school, "TB-9", Some(an)).await;
    assert_eq!(s, Status::Created, "{e}");
    let (s, c) = app
        .put("/api/classes/TB-9/sessions", Some(&school),
            json!({"sessions": [past, session(&format!("{moved}T13:30"), &format!("{moved}T16:30"), "Hội trường C", "TS. Lê Văn Minh")]}))
        .await;
    assert_eq!(s, Status::Ok, "{c}");
    let v = inbox(&app, &me, "").await;
    assert_eq!(kinds(&v), ["class_rescheduled", "enrolled"], "{v}");
    let n = &v["items"][0];
    assert_eq!(
        (n["params"]["date"].clone(), n["params"]["start"].clone()),
        (json!(moved.to_string()), json!("13:30")),
        "{v}"
    );
    assert!(
        n["text"].as_str().unwrap().contains(&format!(
            "buổi học tới: {} lúc 13:30",
            moved.format("%d/%m/%Y")
        )),
        "{v}"
    );
}

/// Finishing a class tells those still on its waitlist that no seat was given (and the one who
/// held the seat nothing of the kind).
async fn a_waitlist_left_when_the_class_finishes_is_told(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let seated = create_cadre(&app, &admin, "Nguyễn Văn Ngồi", "079180017041", "26734").await;
    let waiting = create_cadre(&app, &admin, "Trần Thị Chờ", "079180017042", "26734").await;
    let officer = app
        .account(&admin, "notice.officer.w", "officer", Some("26734"))
        .await;
    let held = cadre_training::shared::clock::city_today() - chrono::Duration::days(2);
    let class = open_class(
        &app,
        &school,
        "TB-W",
        "DV-01",
        1,
        vec![session(
            &format!("{held}T08:00"),
            &format!("{held}T11:00"),
            "Hội trường W",
            "TS. Lê Văn Chờ",
        )],
    )
    .await;
    let (s, e) = enrol(&app, &school, "TB-W", Some(seated)).await;
    assert_eq!(s, Status::Created, "{e}");
    let (s, w) = enrol(&app, &school, "TB-W", Some(waiting)).await;
    assert_eq!(
        (s, w["status"].clone()),
        (Status::Created, json!("waitlisted")),
        "{w}"
    );
    let (s, v) = app
        .post(
            "/api/classes/TB-W/status",
            Some(&school),
            json!({"status": "running"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let sid = class["sessions"][0]["id"].as_i64().unwrap();
    let (s, v) = app
        .put(
            &format!("/api/classes/TB-W/sessions/{sid}/attendance"),
            Some(&school),
            json!({"records": [{"enrolment_id": e["id"], "status": "present"}]}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = app
        .post(
            "/api/classes/TB-W/status",
            Some(&school),
            json!({"status": "finished"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let v = inbox(&app, &officer, "?lang=en").await;
    let told: Vec<(String, i64)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "not_placed")
        .map(|n| {
            (
                n["subject"].as_str().unwrap().to_string(),
                n["cadre_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        told,
        [("No seat in class TB-W".to_string(), waiting)],
        "{v}"
    );
}

/// The id of the account `username` (as an admin lists it).
async fn account_id(app: &TestApp, admin: &str, username: &str) -> i64 {
    let (s, v) = app
        .get(&format!("/api/accounts?q={username}"), Some(admin))
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    v["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{username}: {v:.300}"))
}

/// Notices name a cadre and what happened to them; they are for the eyes the account had when
/// told. An account linked to another cadre, moved to another unit or given another role keeps
/// none of them; a change that leaves what it sees as it was keeps them.
async fn an_account_that_sees_others_now_keeps_no_notices(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let an = create_cadre(&app, &admin, "Nguyễn Văn An", "079180017101", "26734").await;
    let binh = create_cadre(&app, &admin, "Trần Thị Bình", "079180017102", "26734").await;
    let me = cadre_account(&app, &admin, "notice.relink", an).await;
    let mut officers = vec![];
    for name in ["notice.moved", "notice.promoted", "notice.stays"] {
        app.account(&admin, name, "officer", Some("26734")).await;
        officers.push(name);
    }
    let day =
        (cadre_training::shared::clock::city_today() + chrono::Duration::days(20)).to_string();
    open_class(&app, &school, "TB-EYES", "DV-01", 5, one_session(&day)).await;
    let (s, v) = enrol(&app, &school, "TB-EYES", Some(an)).await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let login = |name: &'static str| {
        let app = &app;
        async move { app.token(name, "lop-hoc-dan-van-2026").await }
    };
    for name in ["notice.moved", "notice.promoted", "notice.stays"] {
        assert_eq!(
            inbox(&app, &login(name).await, "").await["total"],
            1,
            "{name}"
        );
    }
    assert_eq!(inbox(&app, &me, "").await["total"], 1);
    let changes = [
        ("notice.relink", json!({"cadre_id": binh}), 0),
        ("notice.moved", json!({"unit_code": "26737"}), 0),
        (
            "notice.promoted",
            json!({"role": "school", "unit_code": null}),
            0,
        ),
        (
            "notice.stays",
            json!({"active": true, "unit_code": "26734"}),
            1,
        ),
    ];
    for (name, change, kept) in changes {
        let id = account_id(&app, &admin, name).await;
        let (s, v) = app
            .patch(&format!("/api/accounts/{id}"), Some(&admin), change)
            .await;
        assert_eq!(s, Status::Ok, "{name}: {v:.300}");
        let v = inbox(&app, &login(name).await, "").await;
        assert_eq!(v["total"], kept, "{name}: {v:.300}");
    }
}

/// Saving a class's schedule again as it is writes nothing and tells nobody; a session left at
/// its times keeps its id (its reminders and its calendar event stay the same), only the moved
/// one is new.
async fn the_same_schedule_again_changes_and_tells_nothing(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let an = create_cadre(&app, &admin, "Nguyễn Văn Lịch", "079180017201", "26734").await;
    let me = cadre_account(&app, &admin, "notice.schedule", an).await;
    let today = cadre_training::shared::clock::city_today();
    let day = |n: i64| (today + chrono::Duration::days(n)).to_string();
    let at = |n: i64, venue: &str| {
        session(
            &format!("{}T08:00", day(n)),
            &format!("{}T11:00", day(n)),
            venue,
            "TS. Lê Văn Minh",
        )
    };
    let first = vec![at(20, "Phòng 1"), at(21, "Phòng 2")];
    open_class(&app, &school, "TB-SAME", "DV-01", 5, first.clone()).await;
    let (s, v) = enrol(&app, &school, "TB-SAME", Some(an)).await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let ids = |v: &Value| -> Vec<i64> {
        v["sessions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["id"].as_i64())
            .collect()
    };
    let (_, before) = app.get("/api/classes/TB-SAME", Some(&school)).await;
    let told = |v: &Value| {
        kinds(v)
            .iter()
            .filter(|k| *k == "class_rescheduled")
            .count()
    };
    async fn trail(app: &TestApp, admin: &str) -> usize {
        let (_, a) = app
            .get("/api/audit?entity=class&entity_id=TB-SAME", Some(admin))
            .await;
        a["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["action"] == "reschedule")
            .count()
    }
    let (s, v) = app
        .put(
            "/api/classes/TB-SAME/sessions",
            Some(&school),
            json!({"sessions": first}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    assert_eq!(ids(&v), ids(&before), "{v:.300}");
    assert_eq!(told(&inbox(&app, &me, "").await), 0);
    assert_eq!(trail(&app, &admin).await, 0);
    let (s, v) = app
        .put(
            "/api/classes/TB-SAME/sessions",
            Some(&school),
            json!({"sessions": [at(20, "Phòng 1"), at(23, "Phòng 2")]}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (old, new) = (ids(&before), ids(&v));
    assert_eq!(new.len(), 2, "{v:.300}");
    assert_eq!(new[0], old[0], "the session left at its times keeps its id");
    assert!(
        !old.contains(&new[1]),
        "the moved one is new: {old:?} {new:?}"
    );
    assert_eq!(told(&inbox(&app, &me, "").await), 1);
    assert_eq!(trail(&app, &admin).await, 1);
}

/// The school taking a cadre out of a class, and a class finishing without a pass, are told to
/// the cadre and their unit's officers (with the school's reason); a cadre withdrawing themself
/// is told nothing new.
async fn a_removal_and_a_class_not_passed_are_told(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let an = create_cadre(&app, &admin, "Nguyễn Văn Rời", "079180017301", "26734").await;
    let binh = create_cadre(&app, &admin, "Trần Thị Trượt", "079180017302", "26734").await;
    let me = cadre_account(&app, &admin, "notice.removed", an).await;
    let her = cadre_account(&app, &admin, "notice.failed", binh).await;
    let officer = app
        .account(&admin, "notice.unit", "officer", Some("26734"))
        .await;
    open_class(
        &app,
        &school,
        "TB-OUT",
        "DV-01",
        5,
        one_session("2027-06-01"),
    )
    .await;
    let mut ids = vec![];
    for cadre in [an, binh] {
        let (s, e) = enrol(&app, &school, "TB-OUT", Some(cadre)).await;
        assert_eq!(s, Status::Created, "{e:.300}");
        ids.push(e["id"].as_i64().unwrap());
    }
    let (s, v) = app
        .post(
            &format!("/api/classes/TB-OUT/enrolments/{}/withdraw", ids[0]),
            Some(&school),
            json!({"reason": "Không đủ điều kiện dự học"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let v = inbox(&app, &me, "").await;
    assert_eq!(kinds(&v), ["removed_from_class", "enrolled"], "{v:.300}");
    let text = v["items"][0]["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("Nhà trường đã đưa Nguyễn Văn Rời ra khỏi lớp TB-OUT – ")
            && text.ends_with(". Lý do: Không đủ điều kiện dự học."),
        "{text}"
    );
    assert_eq!(
        kinds(&inbox(&app, &officer, "").await)[0],
        "removed_from_class"
    );
    // Run and finish the class with Bình recorded as not passing.
    let (s, v) = app
        .post(
            "/api/classes/TB-OUT/status",
            Some(&school),
            json!({"status": "running"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let sid = v["sessions"][0]["id"].as_i64().unwrap();
    let after = chrono::DateTime::parse_from_rfc3339("2027-06-02T09:00:00+07:00").unwrap();
    app.state().clock.set_now(Some(after.to_utc()));
    let (s, v) = app
        .put(
            &format!("/api/classes/TB-OUT/sessions/{sid}/attendance"),
            Some(&school),
            json!({"records": [{"enrolment_id": ids[1], "status": "present"}]}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, v) = app
        .put(
            "/api/classes/TB-OUT/results",
            Some(&school),
            json!({"results": [{"enrolment_id": ids[1], "score": 3.0, "passed": false}]}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, v) = app
        .post(
            "/api/classes/TB-OUT/status",
            Some(&school),
            json!({"status": "finished"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    app.state().clock.set_now(None);
    let v = inbox(&app, &her, "?lang=en").await;
    assert_eq!(kinds(&v)[0], "class_not_passed", "{v:.300}");
    assert_eq!(
        v["items"][0]["subject"], "Class TB-OUT not passed",
        "{v:.300}"
    );
    assert_eq!(
        kinds(&inbox(&app, &officer, "").await)[0],
        "class_not_passed"
    );
    assert_eq!(
        kinds(&inbox(&app, &me, "").await)[0],
        "removed_from_class",
        "nothing more for the one removed"
    );
}
