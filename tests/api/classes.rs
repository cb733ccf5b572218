//! Classes, conflicts, enrolment with waitlist (and its concurrency), attendance, results,
//! completions and certificates.

use cadre_training::shared::clock::city_today;
use chrono::Duration;
use rocket::futures::future::join_all;
use rocket::http::Status;
use serde_json::{json, Value};

use crate::cadres::create as create_cadre;
use crate::db_tests;
use crate::helpers::TestApp;

crate::slow_db_tests!(two_hundred_simultaneous_enrolments);
db_tests!(
    classes_are_validated,
    venue_and_instructor_conflicts_on_time_overlap,
    a_cadre_cannot_be_in_two_overlapping_classes,
    enrolment_rules,
    waitlist_and_promotion,
    a_waitlist_ends_with_its_class,
    who_may_enrol_whom,
    attendance_results_completions_certificates,
    paper_completions_and_stale_soon,
    stale_soon_is_each_cadres_latest_completion_at_the_windows_edges,
    stale_certificates_and_finished_classes,
    simultaneous_creates_of_one_code_name_the_field,
    an_open_class_with_cadres_does_not_go_back_to_planned,
    a_class_is_finished_after_its_sessions_and_attendance_taken_once_they_start,
    a_session_called_off_leaves_the_schedule_once_attendance_is_taken,
    an_inactive_cadre_takes_no_seat,
    an_officer_learns_only_their_own_cadres_promotions,
    cadres_and_officers_enrol_before_the_class_begins,
    a_seat_freed_passes_over_a_cadre_whose_prerequisite_lapsed,
    finishing_a_class_adds_no_second_completion_of_a_day,
    a_cancelled_class_stays_readable_to_those_who_were_in_it,
    a_class_edit_names_the_window_day_it_was_sent,
);

/// Eight schools' clerks create the same class code at once, and an admin the same username:
/// one wins, every other gets 409 naming the field (the database's unique constraint, mapped in
/// one place, not only a pre-check that two transactions can both pass).
async fn simultaneous_creates_of_one_code_name_the_field(app: TestApp) {
    let admin = app.admin_token().await;
    let school = app.account(&admin, "school.race", "school", None).await;
    let tries = (0..8).map(|i| {
        let body = class_body(
            "RACE-01",
            "DV-01",
            10,
            vec![session(
                &format!("2031-04-{:02}T08:00", i + 1),
                &format!("2031-04-{:02}T11:00", i + 1),
                &format!("Phòng {i}"),
                &format!("GV {i}"),
            )],
        );
        let (app, school) = (&app, &school);
        async move { app.post("/api/classes", Some(school), body).await }
    });
    let answers = rocket::futures::future::join_all(tries).await;
    assert_eq!(
        answers.iter().filter(|a| a.0 == Status::Created).count(),
        1,
        "{answers:?}"
    );
    for (s, v) in answers.iter().filter(|a| a.0 != Status::Created) {
        assert_eq!(
            (*s, v["error"]["field"].clone()),
            (Status::Conflict, json!("code")),
            "{v}"
        );
    }
    let tries = (0..8).map(|_| {
        let (app, admin) = (&app, &admin);
        async move {
            app.post("/api/accounts", Some(admin), json!({"username": "same.name", "password": "mua-thu-ha-noi-2026", "role": "commission"}))
                .await
        }
    });
    let answers = rocket::futures::future::join_all(tries).await;
    assert_eq!(
        answers.iter().filter(|a| a.0 == Status::Created).count(),
        1,
        "{answers:?}"
    );
    for (s, v) in answers.iter().filter(|a| a.0 != Status::Created) {
        assert_eq!(
            (*s, v["error"]["field"].clone()),
            (Status::Conflict, json!("username")),
            "{v}"
        );
    }
}

pub fn session(start: &str, end: &str, venue: &str, instructor: &str) -> Value {
    json!({"starts_at": start, "ends_at": end, "venue": venue, "instructor": instructor})
}

pub fn class_body(code: &str, module: &str, capacity: i64, sessions: Vec<Value>) -> Value {
    let today = city_today();
    json!({"code": code, "module_code": module, "organiser": "Trường Cán bộ thành phố", "capacity": capacity,
           "enrol_opens": (today - Duration::days(1)).to_string(), "enrol_closes": (today + Duration::days(30)).to_string(),
           "sessions": sessions})
}

/// Creates a class and opens it for enrolment.
pub async fn open_class(
    app: &TestApp,
    token: &str,
    code: &str,
    module: &str,
    capacity: i64,
    sessions: Vec<Value>,
) -> Value {
    let (s, v) = app
        .post(
            "/api/classes",
            Some(token),
            class_body(code, module, capacity, sessions),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, v) = app
        .post(
            &format!("/api/classes/{code}/status"),
            Some(token),
            json!({"status": "open"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    v
}

pub fn one_session(day: &str) -> Vec<Value> {
    vec![session(
        &format!("{day}T08:00"),
        &format!("{day}T11:00"),
        &format!("Phòng {day}"),
        &format!("GV {day}"),
    )]
}

pub async fn enrol(app: &TestApp, token: &str, class: &str, cadre: Option<i64>) -> (Status, Value) {
    let body = match cadre {
        Some(id) => json!({"cadre_id": id}),
        None => json!({}),
    };
    app.post(
        &format!("/api/classes/{class}/enrolments"),
        Some(token),
        body,
    )
    .await
}

pub async fn setup(app: &TestApp) -> (String, String) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school1", "school", None).await;
    (admin, school)
}

async fn classes_are_validated(app: TestApp) {
    let (_, school) = setup(&app).await;
    let good = || {
        class_body(
            "DV03-2027-01",
            "DV-03",
            30,
            vec![session(
                "2027-01-10T08:00",
                "2027-01-10T11:30",
                "Hội trường A",
                "TS. Lê Văn Minh",
            )],
        )
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        ("code", json!("x"), "code"),
        ("module_code", json!("ZZ-99"), "module_code"),
        ("capacity", json!(0), "capacity"),
        ("organiser", json!(""), "organiser"),
        ("enrol_closes", json!("2000-01-01"), "enrol_closes"),
        ("sessions", json!([]), "sessions"),
        (
            "sessions",
            json!([session("tomorrow", "2027-01-10T11:30", "A", "B")]),
            "sessions[0].starts_at",
        ),
        (
            "sessions",
            json!([session("2027-01-10T11:30", "2027-01-10T08:00", "A", "B")]),
            "sessions[0].ends_at",
        ),
        (
            "sessions",
            json!([session("2027-01-10T08:00", "2027-01-10T11:30", " ", "B")]),
            "sessions[0].venue",
        ),
        (
            "sessions",
            json!([
                session("2027-01-10T08:00", "2027-01-10T11:30", "A", "B"),
                session("2027-01-10T11:00", "2027-01-10T12:00", "C", "D")
            ]),
            "sessions[1].starts_at",
        ),
    ];
    for (field, value, named) in cases {
        let mut body = good();
        body[field] = value.clone();
        let (s, v) = app.post("/api/classes", Some(&school), body).await;
        assert_eq!(s, Status::UnprocessableEntity, "{field}={value}: {v}");
        assert_eq!(v["error"]["field"], named, "{field}={value}: {v}");
    }
    let (s, v) = app.post("/api/classes", Some(&school), good()).await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["status"], "planned");
    assert_eq!(v["module_code"], "DV-03");
    assert_eq!(v["title"], "Kỹ năng vận động quần chúng");
    assert_eq!(v["min_attendance_pct"], 80);
    assert_eq!(
        v["sessions"][0]["starts_at"], "2027-01-10T01:00:00Z",
        "city time is UTC+7"
    );
    let (s, v) = app.post("/api/classes", Some(&school), good()).await;
    assert_eq!(s, Status::Conflict);
    assert_eq!(v["error"]["field"], "code");
    let (s, _) = app
        .post(
            "/api/classes/DV03-2027-01/status",
            Some(&school),
            json!({"status": "finished"}),
        )
        .await;
    assert_eq!(s, Status::Conflict, "planned cannot jump to finished");
    let (s, v) = app
        .post(
            "/api/classes/DV03-2027-01/status",
            Some(&school),
            json!({"status": "paused"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "status");
    let (s, v) = app
        .patch(
            "/api/classes/DV03-2027-01",
            Some(&school),
            json!({"capacity": 12, "title": "Lớp kỹ năng"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["capacity"], 12);
    let (_, list) = app.get("/api/classes?status=planned", Some(&school)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

async fn venue_and_instructor_conflicts_on_time_overlap(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let a = class_body(
        "CLS-A",
        "DV-01",
        30,
        vec![session(
            "2027-02-01T08:00",
            "2027-02-01T10:00",
            "Hội trường A",
            "ThS. Trần Thị Hoa",
        )],
    );
    assert_eq!(
        app.post("/api/classes", Some(&school), a).await.0,
        Status::Created
    );
    // Same venue (spelled without diacritics), overlapping by one minute: refused, naming class A.
    let b = class_body(
        "CLS-B",
        "DV-02",
        30,
        vec![session(
            "2027-02-01T09:59",
            "2027-02-01T11:00",
            "hoi truong a",
            "GV khác",
        )],
    );
    let (s, v) = app.post("/api/classes", Some(&school), b).await;
    assert_eq!(s, Status::Conflict, "{v}");
    assert_eq!(v["error"]["field"], "sessions[0].venue");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("CLS-A"),
        "{v}"
    );
    // Merely touching (end = start): no conflict.
    let b = class_body(
        "CLS-B",
        "DV-02",
        30,
        vec![session(
            "2027-02-01T10:00",
            "2027-02-01T11:00",
            "Hội trường A",
            "GV khác",
        )],
    );
    assert_eq!(
        app.post("/api/classes", Some(&school), b).await.0,
        Status::Created
    );
    // Same instructor elsewhere, one minute of overlap: refused.
    let c = class_body(
        "CLS-C",
        "DV-04",
        30,
        vec![session(
            "2027-02-01T07:00",
            "2027-02-01T08:01",
            "Phòng 2",
            "ThS. Trần Thị Hoa",
        )],
    );
    let (s, v) = app.post("/api/classes", Some(&school), c).await;
    assert_eq!(s, Status::Conflict);
    assert_eq!(v["error"]["field"], "sessions[0].instructor");
    assert!(v["error"]["message"].as_str().unwrap().contains("CLS-A"));
    // Cancelling needs its reason (nothing changes without one); a reason goes only with
    // cancelling. The class shows the reason, and the audit trail keeps it.
    for body in [
        json!({"status": "cancelled"}),
        json!({"status": "cancelled", "reason": "   "}),
        json!({"status": "cancelled", "reason": "x".repeat(501)}),
        json!({"status": "open", "reason": "Đủ học viên"}),
    ] {
        let (s, v) = app
            .post("/api/classes/CLS-A/status", Some(&school), body.clone())
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{body}: {v}");
        assert_eq!(v["error"]["field"], "reason", "{body}: {v}");
    }
    // A finishing day goes only with finishing: refused, not ignored.
    let (s, v) = app
        .post(
            "/api/classes/CLS-A/status",
            Some(&school),
            json!({"status": "open", "finished_on": "2026-01-01"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "finished_on", "{v}");
    let (_, v) = app.get("/api/classes/CLS-A", Some(&school)).await;
    assert_eq!(v["status"], "planned", "{v}");
    assert!(v.get("cancel_reason").is_none(), "{v}");
    // A cancelled class frees its venue and instructor.
    let (s, v) = app
        .post(
            "/api/classes/CLS-A/status",
            Some(&school),
            json!({"status": "cancelled", "reason": " Giảng viên bận công tác "}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["status"], "cancelled");
    assert_eq!(v["cancel_reason"], "Giảng viên bận công tác");
    let (_, log) = app
        .get("/api/audit?entity=class&entity_id=CLS-A", Some(&admin))
        .await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["after"]["reason"] == "Giảng viên bận công tác"),
        "{log}"
    );
    let c = class_body(
        "CLS-C",
        "DV-04",
        30,
        vec![session(
            "2027-02-01T07:00",
            "2027-02-01T08:01",
            "Phòng 2",
            "ThS. Trần Thị Hoa",
        )],
    );
    assert_eq!(
        app.post("/api/classes", Some(&school), c).await.0,
        Status::Created
    );
    // Rescheduling is checked the same way.
    let (s, v) = app
        .put("/api/classes/CLS-C/sessions", Some(&school), json!({"sessions": [session("2027-02-01T10:30", "2027-02-01T12:00", "Hội trường A", "X")]}))
        .await;
    assert_eq!(s, Status::Conflict, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("CLS-B"));
}

async fn a_cadre_cannot_be_in_two_overlapping_classes(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let id = create_cadre(&app, &admin, "Nguyễn Văn An", "079180000701", "26734").await;
    open_class(
        &app,
        &school,
        "CLS-A",
        "DV-01",
        10,
        vec![session("2027-03-01T08:00", "2027-03-01T10:00", "P1", "G1")],
    )
    .await;
    open_class(
        &app,
        &school,
        "CLS-B",
        "DV-02",
        10,
        vec![session("2027-03-01T09:00", "2027-03-01T11:00", "P2", "G2")],
    )
    .await;
    open_class(
        &app,
        &school,
        "CLS-C",
        "DV-04",
        10,
        vec![session("2027-03-01T10:00", "2027-03-01T11:00", "P3", "G3")],
    )
    .await;
    assert_eq!(
        enrol(&app, &school, "CLS-A", Some(id)).await.0,
        Status::Created
    );
    let (s, v) = enrol(&app, &school, "CLS-B", Some(id)).await;
    assert_eq!(s, Status::Conflict, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("CLS-A"));
    let (s, v) = enrol(&app, &school, "CLS-C", Some(id)).await;
    assert_eq!(s, Status::Created, "touching sessions do not clash: {v}");
}

async fn enrolment_rules(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let id = create_cadre(&app, &admin, "Nguyễn Văn An", "079180000801", "26734").await;
    // Not open yet.
    app.post(
        "/api/classes",
        Some(&school),
        class_body("CLS-P", "DV-01", 10, one_session("2027-04-01")),
    )
    .await;
    let (s, v) = enrol(&app, &school, "CLS-P", Some(id)).await;
    assert_eq!(s, Status::Conflict, "{v}");
    // Outside the enrolment window.
    let mut later = class_body("CLS-W", "DV-01", 10, one_session("2027-04-02"));
    let today = city_today();
    later["enrol_opens"] = json!((today + Duration::days(5)).to_string());
    later["enrol_closes"] = json!((today + Duration::days(9)).to_string());
    app.post("/api/classes", Some(&school), later).await;
    app.post(
        "/api/classes/CLS-W/status",
        Some(&school),
        json!({"status": "open"}),
    )
    .await;
    let (s, v) = enrol(&app, &school, "CLS-W", Some(id)).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    // Twice in the same class.
    open_class(
        &app,
        &school,
        "CLS-O",
        "DV-01",
        10,
        one_session("2027-04-03"),
    )
    .await;
    assert_eq!(
        enrol(&app, &school, "CLS-O", Some(id)).await.0,
        Status::Created
    );
    let (s, v) = enrol(&app, &school, "CLS-O", Some(id)).await;
    assert_eq!(s, Status::Conflict);
    assert_eq!(v["error"]["field"], "cadre_id");
    // Prerequisites: DV-10 needs a valid DV-03 (valid 5 years).
    open_class(
        &app,
        &school,
        "CLS-10",
        "DV-10",
        10,
        one_session("2027-04-04"),
    )
    .await;
    let (s, v) = enrol(&app, &school, "CLS-10", Some(id)).await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("DV-03"),
        "{v}"
    );
    let paper = |on: String| json!({"module_code": "DV-03", "completed_on": on, "source_ref": "Sổ lớp 2010/15"});
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/completions"),
            Some(&school),
            paper("2010-05-02".into()),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, v) = enrol(&app, &school, "CLS-10", Some(id)).await;
    assert_eq!(
        s,
        Status::UnprocessableEntity,
        "a stale DV-03 does not count: {v}"
    );
    app.post(
        &format!("/api/cadres/{id}/completions"),
        Some(&school),
        paper((today - Duration::days(400)).to_string()),
    )
    .await;
    let (s, v) = enrol(&app, &school, "CLS-10", Some(id)).await;
    assert_eq!(s, Status::Created, "{v}");
    // Cancelled classes take nobody.
    let (s, v) = app
        .post(
            "/api/classes/CLS-O/status",
            Some(&school),
            json!({"status": "cancelled", "reason": "Không đủ học viên"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let other = create_cadre(&app, &admin, "Trần Văn Bình", "079180000802", "26734").await;
    assert_eq!(
        enrol(&app, &school, "CLS-O", Some(other)).await.0,
        Status::Conflict
    );
}

async fn waitlist_and_promotion(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let mut ids = vec![];
    for (i, n) in [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Văn Cường",
        "Phạm Thị Dung",
    ]
    .iter()
    .enumerate()
    {
        ids.push(create_cadre(&app, &admin, n, &format!("0791800009{i:02}"), "26734").await);
    }
    open_class(
        &app,
        &school,
        "CLS-2",
        "DV-01",
        2,
        one_session("2027-05-01"),
    )
    .await;
    let mut eids = vec![];
    for id in &ids {
        let (s, v) = enrol(&app, &school, "CLS-2", Some(*id)).await;
        assert_eq!(s, Status::Created, "{v}");
        eids.push(v["id"].as_i64().unwrap());
    }
    let (_, v) = app
        .get("/api/classes/CLS-2/enrolments", Some(&school))
        .await;
    let items = v["items"].as_array().unwrap();
    let summary: Vec<(String, Option<i64>)> = items
        .iter()
        .map(|e| {
            (
                e["status"].as_str().unwrap().to_string(),
                e["position"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("enrolled".into(), None),
            ("enrolled".into(), None),
            ("waitlisted".into(), Some(1)),
            ("waitlisted".into(), Some(2))
        ]
    );
    // A withdrawal needs its reason (kept in the audit trail, as the class page asks): without
    // one, or a blank one, 422 naming it, and nothing changes.
    for body in [json!({}), json!({"reason": "  "})] {
        let (s, v) = app
            .post(
                &format!("/api/classes/CLS-2/enrolments/{}/withdraw", eids[0]),
                Some(&school),
                body,
            )
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{v}");
        assert_eq!(v["error"]["field"], "reason", "{v}");
    }
    let (_, c) = app.get("/api/classes/CLS-2", Some(&school)).await;
    assert_eq!(c["enrolled"].as_i64(), Some(2), "{c}");
    // The first enrolled withdraws: the first on the waitlist takes the seat at once.
    let (s, v) = app
        .post(
            &format!("/api/classes/CLS-2/enrolments/{}/withdraw", eids[0]),
            Some(&school),
            json!({"reason": "ốm"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let status_of = |v: &Value, eid: i64| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == eid)
            .map(|e| {
                (
                    e["status"].as_str().unwrap().to_string(),
                    e["position"].as_i64(),
                )
            })
            .unwrap()
    };
    assert_eq!(status_of(&v, eids[0]), ("removed".into(), None));
    assert_eq!(status_of(&v, eids[2]), ("enrolled".into(), None));
    assert_eq!(status_of(&v, eids[3]), ("waitlisted".into(), Some(1)));
    let (_, c) = app.get("/api/classes/CLS-2", Some(&school)).await;
    assert_eq!(
        (
            c["enrolled"].as_i64(),
            c["waitlisted"].as_i64(),
            c["seats_left"].as_i64()
        ),
        (Some(2), Some(1), Some(0))
    );
    // Lowering capacity below seats taken is refused; raising it promotes.
    assert_eq!(
        app.patch("/api/classes/CLS-2", Some(&school), json!({"capacity": 1}))
            .await
            .0,
        Status::Conflict
    );
    let (_, c) = app
        .patch("/api/classes/CLS-2", Some(&school), json!({"capacity": 3}))
        .await;
    assert_eq!(
        (c["enrolled"].as_i64(), c["waitlisted"].as_i64()),
        (Some(3), Some(0))
    );
    // Withdrawing twice is refused.
    let (s, _) = app
        .post(
            &format!("/api/classes/CLS-2/enrolments/{}/withdraw", eids[0]),
            Some(&school),
            json!({"reason": "Nhầm"}),
        )
        .await;
    assert_eq!(s, Status::Conflict);
}

async fn who_may_enrol_whom(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;
    let commission = app.account(&admin, "commission1", "commission", None).await;
    let mine = create_cadre(&app, &admin, "Nguyễn Văn An", "079180001001", "26734").await;
    let other = create_cadre(&app, &admin, "Trần Thị Bình", "079180001002", "26764").await;
    let (s, v) = app.post("/api/accounts", Some(&admin), json!({"username": "cadre.an", "password": "lop-hoc-dan-van-2026", "role": "cadre", "unit_code": "26734", "cadre_id": mine})).await;
    assert_eq!(s, Status::Created, "{v}");
    let me = app.token("cadre.an", "lop-hoc-dan-van-2026").await;
    // Only school and admin create classes.
    for t in [&officer, &commission, &me] {
        assert_eq!(
            app.post(
                "/api/classes",
                Some(t),
                class_body("CLS-X", "DV-01", 5, one_session("2027-06-01"))
            )
            .await
            .0,
            Status::Forbidden
        );
    }
    app.post(
        "/api/classes",
        Some(&school),
        class_body("CLS-PLAN", "DV-02", 5, one_session("2027-06-02")),
    )
    .await;
    // Cadres and officers enrol until a class begins: a month on, whatever day this runs.
    let ahead = (city_today() + Duration::days(30)).to_string();
    open_class(&app, &school, "CLS-1", "DV-01", 5, one_session(&ahead)).await;
    // Everyone lists open classes; planned ones are the school's business.
    let (_, v) = app.get("/api/classes", Some(&me)).await;
    let codes: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CLS-1"]);
    assert_eq!(
        app.get("/api/classes/CLS-PLAN", Some(&officer)).await.0,
        Status::NotFound
    );
    // An officer nominates inside the subtree only.
    let (s, v) = enrol(&app, &officer, "CLS-1", Some(other)).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert!(!v.to_string().contains("Bình"));
    let (s, v) = enrol(&app, &officer, "CLS-1", Some(mine)).await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["source"], "officer");
    // A cadre enrols themself only; the commission enrols nobody.
    let (s, v) = enrol(&app, &me, "CLS-1", Some(other)).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(
        enrol(&app, &commission, "CLS-1", Some(other)).await.0,
        Status::Forbidden
    );
    let (_, list) = app.get("/api/classes/CLS-1/enrolments", Some(&me)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let eid = list["items"][0]["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            &format!("/api/classes/CLS-1/enrolments/{eid}/withdraw"),
            Some(&me),
            json!({"reason": "Bận"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["items"][0]["status"], "withdrawn");
    let (s, v) = enrol(&app, &me, "CLS-1", None).await;
    assert_eq!(s, Status::Created, "re-enrolling after withdrawing: {v}");
    assert_eq!(v["source"], "self");
    // The school sees both; the officer of another district sees neither.
    let officer2 = app
        .account(&admin, "officer.q12", "officer", Some("761"))
        .await;
    let (_, list) = app
        .get("/api/classes/CLS-1/enrolments", Some(&officer2))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let (s, _) = app
        .post(
            &format!("/api/classes/CLS-1/enrolments/{eid}/withdraw"),
            Some(&officer2),
            json!({"reason": "Bận"}),
        )
        .await;
    assert_eq!(s, Status::NotFound);
}

async fn two_hundred_simultaneous_enrolments(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let mut ids = vec![];
    for i in 0..200 {
        ids.push(
            create_cadre(
                &app,
                &admin,
                &format!("Nguyễn Văn An {}", char::from(b'A' + (i % 26) as u8)),
                &format!("079181{i:06}"),
                "26734",
            )
            .await,
        );
    }
    open_class(
        &app,
        &school,
        "CLS-RACE",
        "DV-01",
        20,
        one_session("2027-07-01"),
    )
    .await;
    // 200 tasks on the runtime, each sending its request through the shared local client.
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let client = app.client.clone();
            let auth = rocket::http::Header::new("Authorization", format!("Bearer {school}"));
            let body = json!({"cadre_id": id}).to_string();
            rocket::tokio::spawn(async move {
                let res = client
                    .post("/api/classes/CLS-RACE/enrolments")
                    .header(auth)
                    .header(rocket::http::ContentType::JSON)
                    .body(body)
                    .dispatch()
                    .await;
                let status = res.status();
                (status, res.into_string().await.unwrap_or_default())
            })
        })
        .collect();
    let results: Vec<(Status, String)> = join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect();
    let failures: Vec<_> = results
        .iter()
        .filter(|(s, _)| *s != Status::Created)
        .collect();
    assert!(
        failures.is_empty(),
        "{} failed, e.g. {:?}",
        failures.len(),
        failures.first()
    );
    let (_, v) = app
        .get("/api/classes/CLS-RACE/enrolments", Some(&school))
        .await;
    let items = v["items"].as_array().unwrap();
    let enrolled = items.iter().filter(|e| e["status"] == "enrolled").count();
    let mut positions: Vec<i64> = items
        .iter()
        .filter(|e| e["status"] == "waitlisted")
        .map(|e| e["position"].as_i64().unwrap())
        .collect();
    positions.sort();
    assert_eq!(enrolled, 20);
    assert_eq!(positions, (1..=180).collect::<Vec<i64>>());
    // Five withdrawals promote exactly the first five waiting, in order.
    let first_five: Vec<i64> = items
        .iter()
        .filter(|e| e["status"] == "waitlisted")
        .take(5)
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    let leaving: Vec<i64> = items
        .iter()
        .filter(|e| e["status"] == "enrolled")
        .take(5)
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    for eid in leaving {
        let (s, v) = app
            .post(
                &format!("/api/classes/CLS-RACE/enrolments/{eid}/withdraw"),
                Some(&school),
                json!({"reason": "Bận"}),
            )
            .await;
        assert_eq!(s, Status::Ok, "{v}");
    }
    let (_, v) = app
        .get("/api/classes/CLS-RACE/enrolments", Some(&school))
        .await;
    let items = v["items"].as_array().unwrap();
    for eid in &first_five {
        let e = items.iter().find(|e| e["id"] == *eid).unwrap();
        assert_eq!(e["status"], "enrolled", "{e}");
    }
    assert_eq!(
        items.iter().filter(|e| e["status"] == "enrolled").count(),
        20
    );
    let mut positions: Vec<i64> = items
        .iter()
        .filter(|e| e["status"] == "waitlisted")
        .map(|e| e["position"].as_i64().unwrap())
        .collect();
    positions.sort();
    assert_eq!(positions, (1..=175).collect::<Vec<i64>>());
}

async fn attendance_results_completions_certificates(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let a = create_cadre(&app, &admin, "Nguyễn Văn An", "079180001101", "26734").await;
    let b = create_cadre(&app, &admin, "Trần Thị Bình", "079180001102", "26734").await;
    // Five sessions held over the last ten days.
    let sessions: Vec<Value> = (1..=5)
        .map(|d| {
            let day = city_today() - Duration::days(12 - 2 * d);
            session(
                &format!("{day}T08:00"),
                &format!("{day}T11:00"),
                "Hội trường B",
                "TS. Võ Văn Kiệt",
            )
        })
        .collect();
    let class = open_class(&app, &school, "LLCT-SC-27", "LLCT-SC", 10, sessions).await;
    let sids: Vec<i64> = class["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    let ea = enrol(&app, &school, "LLCT-SC-27", Some(a)).await.1["id"]
        .as_i64()
        .unwrap();
    let eb = enrol(&app, &school, "LLCT-SC-27", Some(b)).await.1["id"]
        .as_i64()
        .unwrap();
    app.post(
        "/api/classes/LLCT-SC-27/status",
        Some(&school),
        json!({"status": "running"}),
    )
    .await;
    // A bad mark spoils the whole batch: nothing is saved.
    let (s, v) = app
        .put(&format!("/api/classes/LLCT-SC-27/sessions/{}/attendance", sids[0]), Some(&school),
             json!({"records": [{"enrolment_id": ea, "status": "present"}, {"enrolment_id": 999999, "status": "present"}]}))
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "records[1].enrolment_id");
    let (_, g) = app
        .get("/api/classes/LLCT-SC-27/attendance", Some(&school))
        .await;
    assert_eq!(g["rows"][0]["present"], 0);
    let (s, v) = app
        .put(
            &format!("/api/classes/LLCT-SC-27/sessions/{}/attendance", sids[0]),
            Some(&school),
            json!({"records": [{"enrolment_id": ea, "status": "here"}]}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "records[0].status");
    // An attends 4 of 5 (80 %), Bình 3 of 5 (60 %).
    for (i, sid) in sids.iter().enumerate() {
        let sa = if i < 4 { "present" } else { "excused" };
        let sb = if i < 3 { "present" } else { "absent" };
        let (s, v) = app
            .put(&format!("/api/classes/LLCT-SC-27/sessions/{sid}/attendance"), Some(&school),
                 json!({"records": [{"enrolment_id": ea, "status": sa}, {"enrolment_id": eb, "status": sb}]}))
            .await;
        assert_eq!(s, Status::Ok, "{v}");
    }
    let (s, v) = app
        .put(
            "/api/classes/LLCT-SC-27/results",
            Some(&school),
            json!({"results": [{"enrolment_id": ea, "score": 7.25, "passed": true}]}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "results[0].score");
    let (s, g) = app
        .put("/api/classes/LLCT-SC-27/results", Some(&school), json!({"results": [{"enrolment_id": ea, "score": 8.5, "passed": true}, {"enrolment_id": eb, "score": 9.0, "passed": true}]}))
        .await;
    assert_eq!(s, Status::Ok, "{g}");
    assert_eq!(
        g["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["present"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [4, 3]
    );
    // Before finishing, the grid says who has not attended the class's share (80 %): Bình's
    // "passed" will give no completion.
    assert_eq!(
        g["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["enough_attendance"].clone())
            .collect::<Vec<_>>(),
        [json!(true), json!(false)],
        "{g}"
    );
    let (_, list) = app
        .get("/api/classes/LLCT-SC-27/enrolments", Some(&school))
        .await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["outcome"].is_null()),
        "no outcome before the class is finished: {list}"
    );
    let officer = app
        .account(&admin, "attendance.officer", "officer", Some("26734"))
        .await;
    let (s, v) = app
        .post(
            "/api/classes/LLCT-SC-27/status",
            Some(&school),
            json!({"status": "finished"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    // Each enrolment says how it ended: An completed, Bình passed but attended too little; Bình
    // (and the unit's officer) is told why there is no certificate.
    let (_, list) = app
        .get("/api/classes/LLCT-SC-27/enrolments", Some(&school))
        .await;
    let outcome = |id: i64| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .map(|e| e["outcome"].clone())
    };
    assert_eq!(
        (outcome(ea), outcome(eb)),
        (Some(json!("completed")), Some(json!("attendance_short"))),
        "{list}"
    );
    let (s, inbox) = app.get("/api/notices?lang=en", Some(&officer)).await;
    assert_eq!(s, Status::Ok, "{inbox}");
    let withheld: Vec<&Value> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "completion_withheld")
        .collect();
    assert_eq!(withheld.len(), 1, "{inbox}");
    assert_eq!(withheld[0]["cadre_id"], b);
    assert_eq!(
        (
            withheld[0]["params"]["attended"].clone(),
            withheld[0]["params"]["sessions"].clone(),
            withheld[0]["params"]["min_pct"].clone()
        ),
        (json!(3), json!(5), json!(80))
    );
    assert!(
        withheld[0]["text"]
            .as_str()
            .unwrap()
            .contains("attended 3 of 5 sessions"),
        "{inbox}"
    );
    let (_, done) = app
        .get("/api/classes/LLCT-SC-27/completions", Some(&school))
        .await;
    let items = done["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only An attended enough: {done}");
    assert_eq!(items[0]["cadre_id"], a);
    assert_eq!(items[0]["score"], 8.5);
    let cert = items[0]["certificate_no"].as_str().unwrap().to_string();
    let year = city_today().format("%Y").to_string();
    assert!(
        cert.starts_with(&format!("TCB-{year}-")) && cert.len() == "TCB-2027-000001".len(),
        "{cert}"
    );
    // The level awarded by the module is now a qualification of An's.
    let (_, q) = app
        .get(&format!("/api/cadres/{a}/qualifications"), Some(&school))
        .await;
    assert_eq!(q["items"][0]["level"], "elementary");
    assert_eq!(q["items"][0]["source"], "completion");
    assert_eq!(q["items"][0]["evidence"], cert);
    // Public verification: no login. The number alone: status, module and initials; with the
    // verification code printed beside it, the name and class too; never anything else personal.
    let code = items[0]["certificate_code"].as_str().unwrap().to_string();
    let (s, v) = app
        .get(&format!("/api/certificates/{}", cert.to_lowercase()), None)
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["verified"], false);
    assert_eq!(v["holder_name"], Value::Null);
    assert_eq!(v["holder_name_masked"], "N*** V*** A***");
    assert_eq!(v["class_code"], Value::Null);
    assert_eq!(v["module_code"], "LLCT-SC");
    assert_eq!(v["status"], "valid");
    let (s, v) = app
        .get(
            &format!(
                "/api/certificates/{}?code={}",
                cert.to_lowercase(),
                code.to_lowercase()
            ),
            None,
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["verified"], true);
    assert_eq!(v["holder_name"], "Nguyễn Văn An");
    assert_eq!(v["module_code"], "LLCT-SC");
    assert_eq!(v["class_code"], "LLCT-SC-27");
    assert_eq!(v["status"], "valid");
    let text = v.to_string();
    assert!(
        !text.contains("079180001101") && !text.contains("birth") && !text.contains("phone"),
        "{text}"
    );
    assert_eq!(
        app.get("/api/certificates/TCB-1999-000000", None).await.0,
        Status::NotFound
    );
    // Revocation needs a reason; then verification says revoked.
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;
    assert_eq!(
        app.post(
            &format!("/api/certificates/{cert}/revoke"),
            Some(&officer),
            json!({"reason": "x"})
        )
        .await
        .0,
        Status::Forbidden
    );
    let (s, v) = app
        .post(
            &format!("/api/certificates/{cert}/revoke"),
            Some(&school),
            json!({"reason": "x", "revoked_on": "2999-01-01"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "revoked_on");
    let (s, v) = app
        .post(
            &format!("/api/certificates/{cert}/revoke"),
            Some(&school),
            json!({"reason": " "}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "reason");
    let (s, v) = app
        .post(
            &format!("/api/certificates/{cert}/revoke"),
            Some(&school),
            json!({"reason": "Gian lận trong kiểm tra"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, v) = app.get(&format!("/api/certificates/{cert}"), None).await;
    assert_eq!(v["status"], "revoked");
    // A verifier learns from when (a revocation may be dated back), not why.
    assert_eq!(v["revoked_on"], city_today().to_string(), "{v:.300}");
    assert!(!v.to_string().contains("Gian lận"), "{v:.300}");
    assert_eq!(
        app.post(
            &format!("/api/certificates/{cert}/revoke"),
            Some(&school),
            json!({"reason": "again"})
        )
        .await
        .0,
        Status::Conflict
    );
    // A finished class takes no more attendance.
    let (s, _) = app
        .put(
            &format!("/api/classes/LLCT-SC-27/sessions/{}/attendance", sids[0]),
            Some(&school),
            json!({"records": []}),
        )
        .await;
    assert_eq!(s, Status::Conflict);
}

async fn paper_completions_and_stale_soon(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let a = create_cadre(&app, &admin, "Nguyễn Văn An", "079180001201", "26734").await;
    let b = create_cadre(&app, &admin, "Trần Thị Bình", "079180001202", "26764").await;
    let today = city_today();
    let soon = today - Duration::days(5 * 365 - 20);
    for (id, on) in [(a, soon), (b, soon)] {
        let (s, v) = app
            .post(&format!("/api/cadres/{id}/completions"), Some(&school),
                  json!({"module_code": "DV-03", "completed_on": on.to_string(), "source_ref": "Sổ theo dõi 2021", "score": 8}))
            .await;
        assert_eq!(s, Status::Created, "{v}");
        assert_eq!(v["items"][0]["source"], "paper");
        assert!(v["items"][0]["certificate_no"].is_null());
    }
    for (body, field) in [
        (
            json!({"module_code": "DV-03", "completed_on": "2020-01-01"}),
            "source_ref",
        ),
        (
            json!({"module_code": "XX-1", "completed_on": "2020-01-01", "source_ref": "r"}),
            "module_code",
        ),
        (
            json!({"module_code": "DV-03", "completed_on": "2999-01-01", "source_ref": "r"}),
            "completed_on",
        ),
        (
            json!({"module_code": "DV-03", "completed_on": "2020-01-01", "source_ref": "r", "source": "rumour"}),
            "source",
        ),
        (
            json!({"module_code": "DV-03", "completed_on": "2020-01-01", "source_ref": "r", "issuer": "x".repeat(301)}),
            "issuer",
        ),
    ] {
        let (s, v) = app
            .post(
                &format!("/api/cadres/{a}/completions"),
                Some(&school),
                body.clone(),
            )
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{body}: {v}");
        assert_eq!(v["error"]["field"], field, "{body}: {v}");
    }
    let (_, v) = app
        .get("/api/completions/stale-soon?days=30", Some(&school))
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2, "{v}");
    let (_, v) = app
        .get("/api/completions/stale-soon?days=10", Some(&school))
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 0);
    // By module (any case), with the unit's name; an unknown module is named.
    let (s, v) = app
        .get(
            "/api/completions/stale-soon?days=30&module=dv-03",
            Some(&school),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 2, "{v}");
    assert!(v["items"][0]["unit_name"]
        .as_str()
        .is_some_and(|n| !n.is_empty() && !n.chars().all(|c| c.is_ascii_digit())));
    let (_, v) = app
        .get(
            "/api/completions/stale-soon?days=30&module=DV-01",
            Some(&school),
        )
        .await;
    assert_eq!(v["items"], json!([]));
    let (s, v) = app
        .get("/api/completions/stale-soon?module=XX-9", Some(&school))
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "module");
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;
    let (_, v) = app
        .get("/api/completions/stale-soon?days=30", Some(&officer))
        .await;
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["cadre_id"], a);
    assert_eq!(
        app.get("/api/completions/stale-soon?unit=761", Some(&officer))
            .await
            .0,
        Status::Forbidden
    );
    // A fresh completion of the same module replaces the one going stale.
    app.post(
        &format!("/api/cadres/{a}/completions"),
        Some(&school),
        json!({"module_code": "DV-03", "completed_on": today.to_string(), "source_ref": "r"}),
    )
    .await;
    let (_, v) = app
        .get("/api/completions/stale-soon?days=30", Some(&school))
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let (_, v) = app
        .get(&format!("/api/cadres/{a}/completions"), Some(&school))
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    assert_eq!(v["items"][1]["status"], "valid");
}

/// The stale-soon list at the edges of its window (the last valid day today and on the horizon
/// are in, a day either side out), each cadre's latest unrevoked completion per module only (a
/// later one replaces an earlier; a revoked one does not; two on one day are listed once), two
/// modules of one cadre apart, and an anniversary of 29 February (valid to 28 February).
async fn stale_soon_is_each_cadres_latest_completion_at_the_windows_edges(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let at = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(&format!("{s}T09:00:00+07:00"))
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    app.state().clock.set_now(Some(at("2027-05-01")));
    let mut ids = vec![];
    for i in 0..9 {
        let name = format!("Cán bộ Hạn {}", (b'A' + i) as char);
        let pid = format!("0791800190{:02}", 40 + i);
        ids.push(create_cadre(&app, &admin, &name, &pid, "26734").await);
    }
    let complete = |cadre: i64, module: &'static str, on: &'static str| {
        let (app, school) = (&app, &school);
        async move {
            let (s, v) = app
                .post(
                    &format!("/api/cadres/{cadre}/completions"),
                    Some(school),
                    json!({"module_code": module, "completed_on": on, "source_ref": "Sổ lớp"}),
                )
                .await;
            assert_eq!(s, Status::Created, "{v}");
        }
    };
    // DV-03 and DV-06 are valid five years: completed 2022-05-02, valid to 2027-05-01.
    complete(ids[0], "DV-03", "2022-05-02").await; // to today: in
    complete(ids[1], "DV-03", "2022-05-01").await; // to yesterday: out
    complete(ids[2], "DV-03", "2022-06-01").await; // to the horizon (30 days): in
    complete(ids[3], "DV-03", "2022-06-02").await; // a day past it: out
    complete(ids[4], "DV-03", "2022-05-10").await; // replaced by a later one: out
    complete(ids[4], "DV-03", "2023-01-01").await;
    complete(ids[5], "DV-03", "2022-05-10").await; // the later one of two in the window
    complete(ids[5], "DV-03", "2022-05-20").await;
    complete(ids[5], "DV-06", "2022-05-15").await;
    complete(ids[6], "DV-03", "2022-05-10").await; // the later one revoked: this one counts
    complete(ids[6], "DV-03", "2023-01-01").await;
    complete(ids[7], "DV-03", "2022-05-10").await; // twice on one day: listed once
    complete(ids[8], "DV-03", "2024-02-29").await;
    let db = &app.state().db;
    let revoked: Result<_, sqlx::Error> = cadre_training::on_db!(db, |p| sqlx::query(
        "UPDATE completions SET revoked_on = completed_on, revoke_reason = 'Sai sót'
         WHERE cadre_id = $1 AND completed_on > $2"
    )
    .bind(ids[6])
    .bind(chrono::NaiveDate::from_ymd_opt(2022, 12, 31).unwrap())
    .execute(p)
    .await
    .map(|r| r.rows_affected()));
    assert_eq!(revoked.unwrap(), 1);
    // The API takes one completion of a module per cadre and day; a database from before that
    // rule may hold two.
    let (s, v) = app
        .post(
            &format!("/api/cadres/{}/completions", ids[7]),
            Some(&school),
            json!({"module_code": "DV-03", "completed_on": "2022-05-10", "source_ref": "Sổ lớp"}),
        )
        .await;
    assert_eq!(s, Status::Conflict, "{v}");
    assert_eq!(v["error"]["field"], "completed_on", "{v}");
    let twice: Result<_, sqlx::Error> = cadre_training::on_db!(db, |p| {
        sqlx::query(
        "INSERT INTO completions (cadre_id, module_id, module_version, completed_on, source, source_ref, created_at)
         SELECT cadre_id, module_id, module_version, completed_on, source, source_ref, created_at
         FROM completions WHERE cadre_id = $1"
    )
    .bind(ids[7])
    .execute(p)
    .await
    .map(|r| r.rows_affected())
    });
    assert_eq!(twice.unwrap(), 1);
    let listed = |v: &Value| -> Vec<(i64, String, String, String)> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["cadre_id"].as_i64().unwrap(),
                    i["module_code"].as_str().unwrap().to_string(),
                    i["completed_on"].as_str().unwrap().to_string(),
                    i["valid_until"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let row = |i: usize, m: &str, on: &str, until: &str| {
        (ids[i], m.to_string(), on.to_string(), until.to_string())
    };
    let (s, v) = app
        .get("/api/completions/stale-soon?days=30", Some(&school))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let mut want = vec![
        row(0, "DV-03", "2022-05-02", "2027-05-01"),
        row(6, "DV-03", "2022-05-10", "2027-05-09"),
        row(7, "DV-03", "2022-05-10", "2027-05-09"),
        row(5, "DV-06", "2022-05-15", "2027-05-14"),
        row(5, "DV-03", "2022-05-20", "2027-05-19"),
        row(2, "DV-03", "2022-06-01", "2027-05-31"),
    ];
    // Soonest first, then by name (G before H).
    assert_eq!(listed(&v), want, "{v}");
    let (_, v) = app
        .get(
            "/api/completions/stale-soon?days=30&module=DV-06",
            Some(&school),
        )
        .await;
    assert_eq!(listed(&v), [want.remove(3)], "{v}");
    // A day less: the horizon's last valid day is out.
    let (_, v) = app
        .get("/api/completions/stale-soon?days=29", Some(&school))
        .await;
    assert_eq!(listed(&v).len(), 5, "{v}");
    // 29 February 2024 + five years: valid to 28 February 2029.
    app.state().clock.set_now(Some(at("2029-02-01")));
    let (_, v) = app
        .get("/api/completions/stale-soon?days=27", Some(&school))
        .await;
    assert_eq!(
        listed(&v),
        [row(8, "DV-03", "2024-02-29", "2029-02-28")],
        "{v}"
    );
    let (_, v) = app
        .get("/api/completions/stale-soon?days=26", Some(&school))
        .await;
    assert_eq!(listed(&v), [], "{v}");
    app.state().clock.set_now(None);
}

async fn stale_certificates_and_finished_classes(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let a = create_cadre(&app, &admin, "Nguyễn Văn An", "079180001501", "26734").await;
    let b = create_cadre(&app, &admin, "Trần Thị Bình", "079180001502", "26734").await;
    let class = open_class(
        &app,
        &school,
        "DV03-2015",
        "DV-03",
        5,
        one_session("2015-01-05"),
    )
    .await;
    let sid = class["sessions"][0]["id"].as_i64().unwrap();
    let eid = enrol(&app, &school, "DV03-2015", Some(a)).await.1["id"]
        .as_i64()
        .unwrap();
    app.post(
        "/api/classes/DV03-2015/status",
        Some(&school),
        json!({"status": "running"}),
    )
    .await;
    app.put(
        &format!("/api/classes/DV03-2015/sessions/{sid}/attendance"),
        Some(&school),
        json!({"records": [{"enrolment_id": eid, "status": "present"}]}),
    )
    .await;
    app.put(
        "/api/classes/DV03-2015/results",
        Some(&school),
        json!({"results": [{"enrolment_id": eid, "score": 7.5, "passed": true}]}),
    )
    .await;
    let (s, v) = app
        .post(
            "/api/classes/DV03-2015/status",
            Some(&school),
            json!({"status": "finished", "finished_on": "2999-01-01"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "finished_on");
    let (s, v) = app
        .post(
            "/api/classes/DV03-2015/status",
            Some(&school),
            json!({"status": "finished", "finished_on": "2015-01-10"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    // DV-03 is valid five years: the certificate still verifies, as stale.
    let (_, done) = app
        .get("/api/classes/DV03-2015/completions", Some(&school))
        .await;
    let cert = done["items"][0]["certificate_no"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(cert.starts_with("TCB-2015-"), "{cert}");
    let (s, v) = app.get(&format!("/api/certificates/{cert}"), None).await;
    assert_eq!(s, Status::Ok);
    assert_eq!(v["status"], "stale");
    assert_eq!(v["valid_until"], "2020-01-09");
    // A finished class takes no enrolment, no withdrawal and no new status.
    let (s, v) = enrol(&app, &school, "DV03-2015", Some(b)).await;
    assert_eq!(s, Status::Conflict, "{v}");
    let (s, _) = app
        .post(
            &format!("/api/classes/DV03-2015/enrolments/{eid}/withdraw"),
            Some(&school),
            json!({"reason": "Lớp đã xong"}),
        )
        .await;
    assert_eq!(s, Status::Conflict);
    let (s, _) = app
        .post(
            "/api/classes/DV03-2015/status",
            Some(&school),
            json!({"status": "cancelled", "reason": "Nhầm lớp"}),
        )
        .await;
    assert_eq!(s, Status::Conflict);
}

/// An open class goes back to planned only while nobody is enrolled or waiting: a planned class
/// leaves the cadres' lists, so those enrolled would lose a class they hold a seat in (409 naming
/// the status, nothing changes); once they are withdrawn it may.
async fn an_open_class_with_cadres_does_not_go_back_to_planned(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let id = create_cadre(&app, &admin, "Nguyễn Văn Giữ", "079180000951", "26734").await;
    open_class(
        &app,
        &school,
        "CLS-BACK",
        "DV-01",
        2,
        one_session("2027-05-01"),
    )
    .await;
    let (s, v) = enrol(&app, &school, "CLS-BACK", Some(id)).await;
    assert_eq!(s, Status::Created, "{v}");
    let eid = v["id"].as_i64().unwrap();
    let back = json!({"status": "planned"});
    let (s, v) = app
        .post("/api/classes/CLS-BACK/status", Some(&school), back.clone())
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone(), v["error"]["reason"].clone()),
        (
            Status::Conflict,
            json!("status"),
            json!("class_has_enrolments")
        ),
        "{v}"
    );
    let (_, v) = app.get("/api/classes/CLS-BACK", Some(&school)).await;
    assert_eq!(v["status"], "open", "nothing changed: {v}");
    let (s, v) = app
        .post(
            &format!("/api/classes/CLS-BACK/enrolments/{eid}/withdraw"),
            Some(&school),
            json!({"reason": "lớp dời lịch"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = app
        .post("/api/classes/CLS-BACK/status", Some(&school), back)
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["status"], "planned", "{v}");
}

/// Attendance is taken for a session once it has started (409 naming the session before, nothing
/// recorded), and a class is finished once its last session is over (409 naming the status
/// before), on a day not before that session's (422 naming `finished_on`): no certificate dated
/// before the training it certifies.
async fn a_class_is_finished_after_its_sessions_and_attendance_taken_once_they_start(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let who = create_cadre(&app, &admin, "Nguyễn Văn Sớm", "079180001901", "26734").await;
    let today = city_today();
    let (yesterday, tomorrow) = (today - Duration::days(1), today + Duration::days(1));
    let mut sessions = one_session(&yesterday.to_string());
    sessions.extend(one_session(&tomorrow.to_string()));
    let class = open_class(&app, &school, "CLS-EARLY", "DV-03", 5, sessions).await;
    let sid = |i: usize| class["sessions"][i]["id"].as_i64().unwrap();
    let eid = enrol(&app, &school, "CLS-EARLY", Some(who)).await.1["id"]
        .as_i64()
        .unwrap();
    // Open for enrolment, it takes neither attendance nor results: they are a running class's.
    for (path, body) in [
        (
            format!("sessions/{}/attendance", sid(0)),
            json!({"records": [{"enrolment_id": eid, "status": "present"}]}),
        ),
        (
            "results".to_string(),
            json!({"results": [{"enrolment_id": eid, "score": 8.0, "passed": true}]}),
        ),
    ] {
        let (s, v) = app
            .put(
                &format!("/api/classes/CLS-EARLY/{path}"),
                Some(&school),
                body,
            )
            .await;
        assert_eq!(s, Status::Conflict, "{path}: {v}");
        assert_eq!(v["error"]["field"], "status", "{v}");
    }
    let (s, v) = app
        .post(
            "/api/classes/CLS-EARLY/status",
            Some(&school),
            json!({"status": "running"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let mark = |session: i64| {
        let (app, school) = (&app, &school);
        async move {
            app.put(
                &format!("/api/classes/CLS-EARLY/sessions/{session}/attendance"),
                Some(school),
                json!({"records": [{"enrolment_id": eid, "status": "present"}]}),
            )
            .await
        }
    };
    // Tomorrow's session has not started: no mark, of any kind.
    let (s, v) = mark(sid(1)).await;
    assert_eq!(s, Status::Conflict, "{v}");
    assert_eq!(v["error"]["field"], "session", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{tomorrow} at 08:00")),
        "{v}"
    );
    let (_, grid) = app
        .get("/api/classes/CLS-EARLY/attendance", Some(&school))
        .await;
    assert_eq!(grid["rows"][0]["marks"], json!({}), "{grid}");
    // A running class whose first session lies ahead takes no results yet.
    let ahead = (today + Duration::days(5)).to_string();
    open_class(&app, &school, "CLS-AHEAD", "DV-06", 5, one_session(&ahead)).await;
    let other = enrol(&app, &school, "CLS-AHEAD", Some(who)).await.1["id"]
        .as_i64()
        .unwrap();
    app.post(
        "/api/classes/CLS-AHEAD/status",
        Some(&school),
        json!({"status": "running"}),
    )
    .await;
    let (s, v) = app
        .put(
            "/api/classes/CLS-AHEAD/results",
            Some(&school),
            json!({"results": [{"enrolment_id": other, "score": 8.0, "passed": true}]}),
        )
        .await;
    assert_eq!(s, Status::Conflict, "{v}");
    assert_eq!(v["error"]["field"], "results", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{ahead} at 08:00")),
        "{v}"
    );
    // Yesterday's was held.
    let (s, v) = mark(sid(0)).await;
    assert_eq!(s, Status::Ok, "{v}");
    app.put(
        "/api/classes/CLS-EARLY/results",
        Some(&school),
        json!({"results": [{"enrolment_id": eid, "score": 8.0, "passed": true}]}),
    )
    .await;
    // Not over: it cannot be finished today, nor on a day given.
    for body in [
        json!({"status": "finished"}),
        json!({"status": "finished", "finished_on": yesterday.to_string()}),
    ] {
        let (s, v) = app
            .post("/api/classes/CLS-EARLY/status", Some(&school), body)
            .await;
        assert_eq!(s, Status::Conflict, "{v}");
        assert_eq!(v["error"]["field"], "status", "{v}");
    }
    let (_, v) = app.get("/api/classes/CLS-EARLY", Some(&school)).await;
    assert_eq!(v["status"], "running", "{v}");
    // The day after tomorrow: the last session is over and marked; the class finishes on its
    // day or later, not before.
    let later = chrono::DateTime::parse_from_rfc3339(&format!(
        "{}T09:00:00+07:00",
        today + Duration::days(2)
    ))
    .unwrap()
    .with_timezone(&chrono::Utc);
    app.state().clock.set_now(Some(later));
    let (s, v) = mark(sid(1)).await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = app
        .post(
            "/api/classes/CLS-EARLY/status",
            Some(&school),
            json!({"status": "finished", "finished_on": today.to_string()}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "finished_on", "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&tomorrow.to_string()),
        "{v}"
    );
    let (s, v) = app
        .post(
            "/api/classes/CLS-EARLY/status",
            Some(&school),
            json!({"status": "finished", "finished_on": tomorrow.to_string()}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, done) = app
        .get("/api/classes/CLS-EARLY/completions", Some(&school))
        .await;
    assert_eq!(
        done["items"][0]["completed_on"],
        tomorrow.to_string(),
        "{done}"
    );
    app.state().clock.set_now(None);
}

/// Once attendance is taken, a session with attendance stays at its times (409 naming the
/// sessions), while one not held may move or go, as a session called off does; a running class
/// takes no session added or moved into the past (422 at its start). So a class whose last
/// session is called off finishes with those who came to every session held.
async fn a_session_called_off_leaves_the_schedule_once_attendance_is_taken(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let who = create_cadre(&app, &admin, "Nguyễn Văn Hủy", "079180001951", "26734").await;
    let today = city_today();
    let day = |n: i64| (today + Duration::days(n)).to_string();
    let at = |n: i64, venue: &str| {
        session(
            &format!("{}T08:00", day(n)),
            &format!("{}T11:00", day(n)),
            venue,
            "GV Hủy",
        )
    };
    let class = open_class(
        &app,
        &school,
        "CLS-OFF",
        "DV-03",
        5,
        vec![at(-1, "Phòng Hủy"), at(2, "Phòng Hủy"), at(4, "Phòng Hủy")],
    )
    .await;
    let held = class["sessions"][0]["id"].as_i64().unwrap();
    let eid = enrol(&app, &school, "CLS-OFF", Some(who)).await.1["id"]
        .as_i64()
        .unwrap();
    for (path, body) in [
        ("status", json!({"status": "running"})),
        (
            &*format!("sessions/{held}/attendance"),
            json!({"records": [{"enrolment_id": eid, "status": "present"}]}),
        ),
        (
            "results",
            json!({"results": [{"enrolment_id": eid, "score": 8.0, "passed": true}]}),
        ),
    ] {
        let url = format!("/api/classes/CLS-OFF/{path}");
        let (s, v) = if path == "status" {
            app.post(&url, Some(&school), body).await
        } else {
            app.put(&url, Some(&school), body).await
        };
        assert_eq!(s, Status::Ok, "{path}: {v}");
    }
    let reschedule = |sessions: Vec<Value>| {
        let (app, school) = (&app, &school);
        async move {
            app.put(
                "/api/classes/CLS-OFF/sessions",
                Some(school),
                json!({ "sessions": sessions }),
            )
            .await
        }
    };
    // The session held cannot go, nor move.
    for sessions in [
        vec![at(2, "Phòng Hủy"), at(4, "Phòng Hủy")],
        vec![at(-2, "Phòng Hủy"), at(2, "Phòng Hủy")],
    ] {
        let (s, v) = reschedule(sessions).await;
        assert_eq!(s, Status::Conflict, "{v}");
        assert_eq!(v["error"]["field"], "sessions", "{v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(&day(-1)),
            "{v}"
        );
    }
    // Nor does a running class take a session moved into the past.
    let (s, v) = reschedule(vec![at(-1, "Phòng Hủy"), at(-3, "Phòng Hủy")]).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "sessions[1].starts_at", "{v}");
    // The last session is called off and the other moved a day; the one held keeps its marks
    // (and takes another room).
    let (s, v) = reschedule(vec![at(-1, "Phòng Mới"), at(3, "Phòng Hủy")]).await;
    assert_eq!(s, Status::Ok, "{v}");
    let sessions = v["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{v}");
    assert_eq!(sessions[0]["id"], held, "{v}");
    assert_eq!(sessions[0]["venue"], "Phòng Mới", "{v}");
    let second = sessions[1]["id"].as_i64().unwrap();
    let (_, grid) = app
        .get("/api/classes/CLS-OFF/attendance", Some(&school))
        .await;
    assert_eq!(grid["rows"][0]["present"], 1, "{grid}");
    // After the second session, marked: the class finishes, and the cadre completes.
    let later = chrono::DateTime::parse_from_rfc3339(&format!("{}T12:00:00+07:00", day(3)))
        .unwrap()
        .with_timezone(&chrono::Utc);
    app.state().clock.set_now(Some(later));
    let (s, v) = app
        .put(
            &format!("/api/classes/CLS-OFF/sessions/{second}/attendance"),
            Some(&school),
            json!({"records": [{"enrolment_id": eid, "status": "present"}]}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = app
        .post(
            "/api/classes/CLS-OFF/status",
            Some(&school),
            json!({"status": "finished"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, done) = app
        .get("/api/classes/CLS-OFF/completions", Some(&school))
        .await;
    assert_eq!(done["items"].as_array().unwrap().len(), 1, "{done}");
    app.state().clock.set_now(None);
}

/// A waitlist ends with its class: an enrolment still waitlisted when the class is cancelled (or
/// finished) says so by the class's status and has no place in a queue any more (it told the cadre
/// "1st in line" for ever).
async fn a_waitlist_ends_with_its_class(app: TestApp) {
    let (admin, school) = setup(&app).await;
    open_class(
        &app,
        &school,
        "CLS-W",
        "DV-01",
        1,
        one_session("2027-05-03"),
    )
    .await;
    for (i, n) in ["Nguyễn Văn Chờ", "Trần Thị Đợi"].iter().enumerate() {
        let id = create_cadre(&app, &admin, n, &format!("0791800019{i:02}"), "26734").await;
        assert_eq!(
            enrol(&app, &school, "CLS-W", Some(id)).await.0,
            Status::Created
        );
    }
    let summary = |v: &Value| -> Vec<(String, String, Option<i64>)> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["status"].as_str().unwrap_or("").to_string(),
                    e["class_status"].as_str().unwrap_or("").to_string(),
                    e["position"].as_i64(),
                )
            })
            .collect()
    };
    let (_, v) = app
        .get("/api/classes/CLS-W/enrolments", Some(&school))
        .await;
    let open = |s: &str, p| (s.to_string(), "open".to_string(), p);
    assert_eq!(
        summary(&v),
        [open("enrolled", None), open("waitlisted", Some(1))],
        "{v}"
    );
    let (s, v) = app
        .post(
            "/api/classes/CLS-W/status",
            Some(&school),
            json!({"status": "cancelled", "reason": "Giảng viên ốm"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, v) = app
        .get("/api/classes/CLS-W/enrolments", Some(&school))
        .await;
    let over = |s: &str| (s.to_string(), "cancelled".to_string(), None);
    assert_eq!(summary(&v), [over("enrolled"), over("waitlisted")], "{v}");
}

/// A cadre who has left the work takes no seat: one holding a seat or a waitlist place in a
/// class not over is not made inactive (409 naming the class: withdraw first), and one made
/// inactive elsewhere (an import, an older version) is passed over when a seat frees up.
async fn an_inactive_cadre_takes_no_seat(app: TestApp) {
    let (admin, school) = setup(&app).await;
    open_class(
        &app,
        &school,
        "CLS-I",
        "DV-01",
        1,
        one_session("2027-05-03"),
    )
    .await;
    let mut ids = vec![];
    let mut eids = vec![];
    for (i, n) in ["Nguyễn Văn Ngồi", "Trần Thị Nghỉ", "Lê Văn Chờ"]
        .iter()
        .enumerate()
    {
        let id = create_cadre(&app, &admin, n, &format!("0791800020{i:02}"), "26734").await;
        let (s, v) = enrol(&app, &school, "CLS-I", Some(id)).await;
        assert_eq!(s, Status::Created, "{v}");
        ids.push(id);
        eids.push(v["id"].as_i64().unwrap());
    }
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{}", ids[1]),
            Some(&admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone(), v["error"]["reason"].clone()),
        (
            Status::Conflict,
            json!("active"),
            json!("cadre_holds_seats")
        ),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("CLS-I"),
        "{v}"
    );
    // Made inactive by another path: the seat that frees up goes to the next active cadre.
    cadre_training::on_db!(&app.state().db, |p| {
        sqlx::query("UPDATE cadres SET active = FALSE WHERE id = $1")
            .bind(ids[1])
            .execute(p)
            .await
            .unwrap();
    });
    let (s, v) = app
        .post(
            &format!("/api/classes/CLS-I/enrolments/{}/withdraw", eids[0]),
            Some(&school),
            json!({"reason": "ốm"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["promoted"], json!([eids[2]]), "{v}");
}

/// A withdrawal answers the class's enrolments as the caller sees them, and so does the list of
/// those it promoted: an officer withdrawing their own cadre does not learn the enrolment id of
/// another ward's cadre who took the seat (the school does).
async fn an_officer_learns_only_their_own_cadres_promotions(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let officer = app
        .account(&admin, "officer.own", "officer", Some("26734"))
        .await;
    open_class(
        &app,
        &school,
        "CLS-P",
        "DV-01",
        1,
        one_session("2027-05-04"),
    )
    .await;
    let mut eids = vec![];
    for (i, (name, unit)) in [
        ("Nguyễn Văn Mình", "26734"),
        ("Trần Thị Khác", "26737"),
        ("Lê Văn Nhà", "26734"),
    ]
    .iter()
    .enumerate()
    {
        let id = create_cadre(&app, &admin, name, &format!("0791800030{i:02}"), unit).await;
        let (s, v) = enrol(&app, &school, "CLS-P", Some(id)).await;
        assert_eq!(s, Status::Created, "{v}");
        eids.push(v["id"].as_i64().unwrap());
    }
    let (s, v) = app
        .post(
            &format!("/api/classes/CLS-P/enrolments/{}/withdraw", eids[0]),
            Some(&officer),
            json!({"reason": "bận công tác"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["promoted"], json!([]), "another ward's enrolment: {v}");
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["id"] != eids[1]),
        "{v}"
    );
    let (s, v) = app
        .post(
            &format!("/api/classes/CLS-P/enrolments/{}/withdraw", eids[1]),
            Some(&school),
            json!({"reason": "ốm"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["promoted"], json!([eids[2]]), "the school sees all: {v}");
}

/// Cadres and unit officers enrol before a class begins (its first session's start); the school
/// still adds a late participant until the class is finished. Said once the first session has
/// started, whatever the enrolment window says, with the day and time it began.
async fn cadres_and_officers_enrol_before_the_class_begins(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let officer = app
        .account(&admin, "officer.begun", "officer", Some("26734"))
        .await;
    let ids = [
        create_cadre(&app, &admin, "Nguyễn Văn Sớm", "079180004001", "26734").await,
        create_cadre(&app, &admin, "Trần Thị Muộn", "079180004002", "26734").await,
        create_cadre(&app, &admin, "Lê Văn Trễ", "079180004003", "26734").await,
    ];
    let (s, v) = app.post("/api/accounts", Some(&admin), json!({"username": "cadre.som", "password": "lop-hoc-dan-van-2026", "role": "cadre", "unit_code": "26734", "cadre_id": ids[0]})).await;
    assert_eq!(s, Status::Created, "{v}");
    let me = app.token("cadre.som", "lop-hoc-dan-van-2026").await;
    // Its enrolment window runs a month past the first session (08:00 city time, ten days on).
    let day = city_today() + Duration::days(10);
    let mut body = class_body("CLS-BEGUN", "DV-01", 10, one_session(&day.to_string()));
    body["enrol_closes"] = json!((day + Duration::days(30)).to_string());
    let (s, v) = app.post("/api/classes", Some(&school), body).await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, v) = app
        .post(
            "/api/classes/CLS-BEGUN/status",
            Some(&school),
            json!({"status": "open"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let start = day.and_hms_opt(1, 0, 0).unwrap().and_utc();
    // A minute before it begins, the cadre enrols themself.
    app.state()
        .clock
        .set_now(Some(start - Duration::minutes(1)));
    let (s, v) = enrol(&app, &me, "CLS-BEGUN", None).await;
    assert_eq!(s, Status::Created, "{v}");
    // Once it has begun, neither the cadre nor the officer; the school still may.
    app.state().clock.set_now(Some(start));
    let (_, v) = app
        .get("/api/classes/CLS-BEGUN/enrolments", Some(&school))
        .await;
    let eid = v["items"][0]["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            &format!("/api/classes/CLS-BEGUN/enrolments/{eid}/withdraw"),
            Some(&me),
            json!({"reason": "Bận"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    for (who, token, cadre) in [("cadre", &me, None), ("officer", &officer, Some(ids[1]))] {
        let (s, v) = enrol(&app, token, "CLS-BEGUN", cadre).await;
        assert_eq!(s, Status::Conflict, "{who}: {v:.300}");
        assert_eq!(v["error"]["field"], "class", "{who}: {v:.300}");
        assert_eq!(v["error"]["reason"], "class_begun", "{who}: {v:.300}");
        let said = v["error"]["message"].as_str().unwrap_or_default();
        assert!(
            said.contains("CLS-BEGUN") && said.contains(&day.to_string()) && said.contains("08:00"),
            "{who}: {said}"
        );
    }
    let (s, v) = enrol(&app, &school, "CLS-BEGUN", Some(ids[2])).await;
    assert_eq!(
        s,
        Status::Created,
        "a late participant added by the school: {v:.300}"
    );
    let (_, v) = app
        .get("/api/classes/CLS-BEGUN/enrolments", Some(&school))
        .await;
    assert_eq!(v["enrolled"], 1, "nothing else written: {v:.300}");
    app.state().clock.set_now(None);
}

/// A seat freed goes to the first waiting cadre who may still take it: one whose prerequisite
/// went stale while they waited is passed over and stays on the waitlist (in their place, for when
/// they qualify again), and the next one takes the seat, on a withdrawal and on a capacity rise
/// alike (the seat went to the lapsed cadre, who could not have enrolled that day).
async fn a_seat_freed_passes_over_a_cadre_whose_prerequisite_lapsed(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let today = city_today();
    for (code, pre) in [("TN-21", json!([])), ("TN-22", json!(["TN-21"]))] {
        let body = json!({"code": code, "title_vi": "Học phần thử", "title_en": "Test module",
                          "periods": 6, "audiences": ["civil_servants"], "validity_years": 2,
                          "prerequisites": pre});
        let (s, v) = app.post("/api/modules", Some(&school), body).await;
        assert_eq!(s, Status::Created, "{v}");
    }
    // Two years of validity: a completion of 24 months less ten days ago lapses in ten days.
    let lapsing = (today + Duration::days(10))
        .checked_sub_months(chrono::Months::new(24))
        .unwrap();
    let recent = today - Duration::days(100);
    let mut ids = vec![];
    for (i, (name, done)) in [
        ("Nguyễn Văn Ngồi", recent),
        ("Trần Thị Hết Hạn", lapsing),
        ("Lê Văn Kế", recent),
        ("Phạm Thị Sau", recent),
    ]
    .into_iter()
    .enumerate()
    {
        let id = create_cadre(&app, &admin, name, &format!("0791800031{i:02}"), "26734").await;
        let body = json!({"module_code": "TN-21", "completed_on": done.to_string(), "source_ref": "Sổ theo dõi"});
        let (s, v) = app
            .post(
                &format!("/api/cadres/{id}/completions"),
                Some(&school),
                body,
            )
            .await;
        assert_eq!(s, Status::Created, "{v}");
        ids.push(id);
    }
    let day = (today + Duration::days(40)).to_string();
    open_class(&app, &school, "TN22-LOP", "TN-22", 1, one_session(&day)).await;
    let mut eids = vec![];
    for id in &ids {
        let (s, v) = enrol(&app, &school, "TN22-LOP", Some(*id)).await;
        assert_eq!(s, Status::Created, "{v}");
        eids.push(v["id"].as_i64().unwrap());
    }
    // Fifteen days on, the second cadre's prerequisite is stale; the window is still open.
    app.state()
        .clock
        .set_now(Some(chrono::Utc::now() + Duration::days(15)));
    let (s, v) = app
        .post(
            &format!("/api/classes/TN22-LOP/enrolments/{}/withdraw", eids[0]),
            Some(&school),
            json!({"reason": "chuyển công tác"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    assert_eq!(v["promoted"], json!([eids[2]]), "{v:.600}");
    let status_of = |v: &Value, id: i64| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .map(|e| e["status"].clone())
    };
    assert_eq!(
        status_of(&v, eids[1]),
        Some(json!("waitlisted")),
        "{v:.600}"
    );
    let (s, v) = app
        .patch(
            "/api/classes/TN22-LOP",
            Some(&school),
            json!({"capacity": 3}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, v) = app
        .get("/api/classes/TN22-LOP/enrolments", Some(&school))
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    assert_eq!(status_of(&v, eids[3]), Some(json!("enrolled")), "{v:.600}");
    assert_eq!(
        status_of(&v, eids[1]),
        Some(json!("waitlisted")),
        "{v:.600}"
    );
    assert_eq!(
        (v["enrolled"].clone(), v["waitlisted"].clone()),
        (json!(2), json!(1)),
        "{v:.600}"
    );
    app.state().clock.set_now(None);
}

/// Finishing a class records no second completion of its module for a cadre who already has one
/// on that day (a paper record of the day, entered from the attendance sheet): one completion of
/// a module per cadre and day, as the paper route, the imports and the record exchange keep. The
/// others who passed get theirs.
async fn finishing_a_class_adds_no_second_completion_of_a_day(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let a = create_cadre(&app, &admin, "Nguyễn Văn Giấy", "079180003201", "26734").await;
    let b = create_cadre(&app, &admin, "Trần Thị Lớp", "079180003202", "26734").await;
    let class = open_class(
        &app,
        &school,
        "DV03-2016",
        "DV-03",
        5,
        one_session("2016-03-07"),
    )
    .await;
    let sid = class["sessions"][0]["id"].as_i64().unwrap();
    let mut eids = vec![];
    for id in [a, b] {
        let (s, v) = enrol(&app, &school, "DV03-2016", Some(id)).await;
        assert_eq!(s, Status::Created, "{v:.300}");
        eids.push(v["id"].as_i64().unwrap());
    }
    let paper =
        json!({"module_code": "DV-03", "completed_on": "2016-03-10", "source_ref": "Sổ điểm danh"});
    let (s, v) = app
        .post(
            &format!("/api/cadres/{a}/completions"),
            Some(&school),
            paper,
        )
        .await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let (s, v) = app
        .post(
            "/api/classes/DV03-2016/status",
            Some(&school),
            json!({"status": "running"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let records: Vec<Value> = eids
        .iter()
        .map(|e| json!({"enrolment_id": e, "status": "present"}))
        .collect();
    let (s, v) = app
        .put(
            &format!("/api/classes/DV03-2016/sessions/{sid}/attendance"),
            Some(&school),
            json!({"records": records}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let results: Vec<Value> = eids
        .iter()
        .map(|e| json!({"enrolment_id": e, "score": 8.0, "passed": true}))
        .collect();
    let (s, v) = app
        .put(
            "/api/classes/DV03-2016/results",
            Some(&school),
            json!({"results": results}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, v) = app
        .post(
            "/api/classes/DV03-2016/status",
            Some(&school),
            json!({"status": "finished", "finished_on": "2016-03-10"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let of_day = |v: &Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["module_code"] == "DV-03" && c["completed_on"] == "2016-03-10")
            .count()
    };
    let (s, v) = app
        .get(&format!("/api/cadres/{a}/completions"), Some(&school))
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    assert_eq!(of_day(&v), 1, "{v:.900}");
    let (_, v) = app
        .get(&format!("/api/cadres/{b}/completions"), Some(&school))
        .await;
    assert_eq!(of_day(&v), 1, "{v:.900}");
    let (_, v) = app
        .get("/api/classes/DV03-2016/completions", Some(&school))
        .await;
    let who: Vec<i64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cadre_id"].as_i64().unwrap())
        .collect();
    assert_eq!(who, [b], "{v:.600}");
}

/// A cancelled class stays readable to the cadres who were in it and to the officers of their
/// units (their record and the notice of the cancellation name it), with its status and reason;
/// to any other cadre or officer it is not there.
async fn a_cancelled_class_stays_readable_to_those_who_were_in_it(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let cadre = app
        .cadre_login(&admin, "cadre.huy", "26734", "079180003301")
        .await;
    let other = app
        .cadre_login(&admin, "cadre.khac", "26734", "079180003302")
        .await;
    let officer = app
        .account(&admin, "officer.huy", "officer", Some("26734"))
        .await;
    let elsewhere = app
        .account(&admin, "officer.xa", "officer", Some("26737"))
        .await;
    let day = (city_today() + Duration::days(20)).to_string();
    open_class(&app, &school, "CLS-HUY", "DV-01", 5, one_session(&day)).await;
    let (s, v) = enrol(&app, &cadre, "CLS-HUY", None).await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let (s, v) = app
        .post(
            "/api/classes/CLS-HUY/status",
            Some(&school),
            json!({"status": "cancelled", "reason": "Giảng viên ốm"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    for who in [&cadre, &officer] {
        let (s, v) = app.get("/api/classes/CLS-HUY", Some(who)).await;
        assert_eq!(s, Status::Ok, "{v:.300}");
        assert_eq!(v["status"], "cancelled", "{v:.300}");
        let (s, v) = app.get("/api/classes/CLS-HUY/enrolments", Some(who)).await;
        assert_eq!(s, Status::Ok, "{v:.300}");
        assert_eq!(v["items"].as_array().unwrap().len(), 1, "{v:.300}");
    }
    for who in [&other, &elsewhere] {
        let (s, v) = app.get("/api/classes/CLS-HUY", Some(who)).await;
        assert_eq!(s, Status::NotFound, "{v:.300}");
        let (s, v) = app.get("/api/classes/CLS-HUY/enrolments", Some(who)).await;
        assert_eq!(s, Status::NotFound, "{v:.300}");
    }
}

/// An edit that puts the enrolment window's first day after its last names the day it was sent
/// (`enrol_opens` alone names `enrol_opens`, with the last day in the message; `enrol_closes`
/// alone names `enrol_closes`), and changes nothing.
async fn a_class_edit_names_the_window_day_it_was_sent(app: TestApp) {
    let (_, school) = setup(&app).await;
    let today = city_today();
    let day = (today + Duration::days(60)).to_string();
    open_class(&app, &school, "CLS-WIN", "DV-01", 5, one_session(&day)).await;
    let closes = today + Duration::days(30);
    let opens = today - Duration::days(1);
    for (body, field) in [
        (
            json!({"enrol_opens": (closes + Duration::days(1)).to_string()}),
            "enrol_opens",
        ),
        (
            json!({"enrol_closes": (opens - Duration::days(1)).to_string()}),
            "enrol_closes",
        ),
        (
            json!({"enrol_opens": closes.to_string(), "enrol_closes": opens.to_string()}),
            "enrol_closes",
        ),
    ] {
        let (s, v) = app
            .patch("/api/classes/CLS-WIN", Some(&school), body.clone())
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{body}: {v:.300}");
        assert_eq!(v["error"]["field"], field, "{body}: {v:.300}");
        if field == "enrol_opens" {
            let m = v["error"]["message"].as_str().unwrap_or_default();
            assert!(m.contains(&closes.to_string()), "{v:.300}");
        }
    }
    let (_, v) = app.get("/api/classes/CLS-WIN", Some(&school)).await;
    assert_eq!(
        (v["enrol_opens"].clone(), v["enrol_closes"].clone()),
        (json!(opens.to_string()), json!(closes.to_string())),
        "{v:.300}"
    );
}
