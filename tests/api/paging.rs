//! Paging of the lists the web pages walk through (issue 16): the classes, a class's enrolments
//! (with its name search and status filter) and the audit trail. Each answers the total with the
//! page; a limit beyond 500 or below 1, or a negative offset, is a 422 naming it; an offset past
//! the end is an empty page with the same total. Also what a withdrawal answers and keeps.

use cadre_training::shared::clock::city_today;
use chrono::Duration;
use rocket::http::Status;
use serde_json::{json, Value};

use crate::cadres::create as create_cadre;
use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    classes_are_paged,
    enrolments_are_paged_filtered_and_searched,
    a_withdrawal_names_the_promoted_and_keeps_its_reason,
    audit_pages_have_bounds,
);

async fn setup(app: &TestApp) -> (String, String) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school.pages", "school", None).await;
    (admin, school)
}

/// Creates a class (one session on `day`, a venue of its own) and opens it.
async fn open_class(app: &TestApp, school: &str, code: &str, capacity: i64, day: &str) {
    let today = city_today();
    let body = json!({"code": code, "module_code": "DV-01", "organiser": "Trường Cán bộ thành phố",
        "capacity": capacity, "enrol_opens": (today - Duration::days(1)).to_string(),
        "enrol_closes": (today + Duration::days(30)).to_string(),
        "sessions": [{"starts_at": format!("{day}T08:00"), "ends_at": format!("{day}T11:00"),
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

fn codes(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("items: {v}"))
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect()
}

/// Asserts the three refusals of a paged list at `path` (which already has a `?`).
async fn bounds_refused(app: &TestApp, token: &str, path: &str) {
    for (query, field) in [
        ("limit=501", "limit"),
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("offset=-1", "offset"),
    ] {
        let (s, v) = app.get(&format!("{path}&{query}"), Some(token)).await;
        assert_eq!(
            (s, v["error"]["field"].clone()),
            (Status::UnprocessableEntity, json!(field)),
            "{path}&{query}: {v}"
        );
    }
}

async fn classes_are_paged(app: TestApp) {
    let (_, school) = setup(&app).await;
    for i in 1..=5 {
        open_class(
            &app,
            &school,
            &format!("PG-{i}"),
            10,
            &format!("2031-05-{:02}", i),
        )
        .await;
    }
    // Without paging: every class, soonest first, with the total.
    let (s, all) = app.get("/api/classes", Some(&school)).await;
    assert_eq!(s, Status::Ok, "{all}");
    assert_eq!(all["total"], 5, "{all}");
    assert_eq!(codes(&all), ["PG-1", "PG-2", "PG-3", "PG-4", "PG-5"]);
    // Pages of two walk the same list.
    let mut walked = vec![];
    for offset in [0, 2, 4] {
        let (s, v) = app
            .get(
                &format!("/api/classes?limit=2&offset={offset}"),
                Some(&school),
            )
            .await;
        assert_eq!(s, Status::Ok, "{v}");
        assert_eq!(
            (v["total"].clone(), v["limit"].clone(), v["offset"].clone()),
            (json!(5), json!(2), json!(offset))
        );
        walked.extend(codes(&v));
    }
    assert_eq!(walked, codes(&all));
    // The filters count too; an offset alone pages by 50.
    let (_, v) = app
        .get(
            "/api/classes?status=open&from=2031-05-03&limit=1",
            Some(&school),
        )
        .await;
    assert_eq!(
        (v["total"].clone(), codes(&v)),
        (json!(3), vec!["PG-3".to_string()]),
        "{v}"
    );
    let (_, v) = app.get("/api/classes?offset=1", Some(&school)).await;
    assert_eq!((v["limit"].clone(), codes(&v).len()), (json!(50), 4), "{v}");
    // Past the end: an empty page, the same total.
    for offset in [5, 500] {
        let (s, v) = app
            .get(
                &format!("/api/classes?limit=2&offset={offset}"),
                Some(&school),
            )
            .await;
        assert_eq!(s, Status::Ok, "{v}");
        assert_eq!((v["total"].clone(), codes(&v).len()), (json!(5), 0), "{v}");
    }
    bounds_refused(&app, &school, "/api/classes?status=open").await;
    let (s, v) = app.get("/api/classes?limit=500", Some(&school)).await;
    assert_eq!((s, v["limit"].clone()), (Status::Ok, json!(500)), "{v}");
}

/// Five cadres in a class of two seats: two enrolled, three waiting.
async fn full_class(app: &TestApp, admin: &str, school: &str) -> Vec<i64> {
    open_class(app, school, "PG-ENR", 2, "2031-06-01").await;
    let mut eids = vec![];
    for (i, n) in [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Văn Cường",
        "Phạm Thị Dung",
        "Nguyễn Thị Em",
    ]
    .iter()
    .enumerate()
    {
        let id = create_cadre(app, admin, n, &format!("0791800077{i:02}"), "26734").await;
        let (s, v) = app
            .post(
                "/api/classes/PG-ENR/enrolments",
                Some(school),
                json!({"cadre_id": id}),
            )
            .await;
        assert_eq!(s, Status::Created, "{v}");
        eids.push(v["id"].as_i64().unwrap());
    }
    eids
}

fn ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("items: {v}"))
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect()
}

async fn enrolments_are_paged_filtered_and_searched(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let eids = full_class(&app, &admin, &school).await;
    let path = "/api/classes/PG-ENR/enrolments";
    // Without paging: the whole list (as before), with its counts; each row names its unit.
    let (s, all) = app.get(path, Some(&school)).await;
    assert_eq!(s, Status::Ok, "{all}");
    assert_eq!(ids(&all), eids);
    for (k, n) in [
        ("total", 5),
        ("enrolled", 2),
        ("waitlisted", 3),
        ("capacity", 2),
        ("offset", 0),
        ("limit", 5),
    ] {
        assert_eq!(all[k], n, "{k}: {all}");
    }
    assert_eq!(all["promoted"], json!([]));
    assert_eq!(all["items"][0]["unit_code"], "26734");
    assert_eq!(all["items"][0]["unit_name"], "Phường Tân Định", "{all}");
    // Pages of two.
    let mut walked = vec![];
    for offset in [0, 2, 4] {
        let (_, v) = app
            .get(&format!("{path}?limit=2&offset={offset}"), Some(&school))
            .await;
        assert_eq!(v["total"], 5, "{v}");
        walked.extend(ids(&v));
    }
    assert_eq!(walked, eids);
    // The waitlist alone, its second page: the third in the queue; the counts stay whole.
    let (_, v) = app
        .get(
            &format!("{path}?status=waitlisted&limit=2&offset=2"),
            Some(&school),
        )
        .await;
    assert_eq!(ids(&v), [eids[4]], "{v}");
    assert_eq!(v["items"][0]["position"], 3);
    assert_eq!(
        (
            v["total"].clone(),
            v["enrolled"].clone(),
            v["waitlisted"].clone()
        ),
        (json!(3), json!(2), json!(3))
    );
    let (_, v) = app
        .get(
            &format!("{path}?status=enrolled,waitlisted&limit=10"),
            Some(&school),
        )
        .await;
    assert_eq!(v["total"], 5, "{v}");
    // The name search: no diacritics, any word order.
    let (_, v) = app
        .get(&format!("{path}?q=van%20nguyen&limit=10"), Some(&school))
        .await;
    assert_eq!(ids(&v), [eids[0]], "{v}");
    let (_, v) = app.get(&format!("{path}?q=NGUYEN"), Some(&school)).await;
    assert_eq!(
        (v["total"].clone(), ids(&v)),
        (json!(2), vec![eids[0], eids[4]]),
        "{v}"
    );
    let (_, v) = app
        .get(&format!("{path}?q=nguyen&status=waitlisted"), Some(&school))
        .await;
    assert_eq!(ids(&v), [eids[4]], "{v}");
    // Past the end; the bounds; an unknown status.
    let (s, v) = app
        .get(&format!("{path}?limit=2&offset=5"), Some(&school))
        .await;
    assert_eq!(
        (s, v["total"].clone(), ids(&v).len()),
        (Status::Ok, json!(5), 0),
        "{v}"
    );
    bounds_refused(&app, &school, &format!("{path}?q=a")).await;
    let (s, v) = app.get(&format!("{path}?status=gone"), Some(&school)).await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("status")),
        "{v}"
    );
}

async fn a_withdrawal_names_the_promoted_and_keeps_its_reason(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let eids = full_class(&app, &admin, &school).await;
    let (s, v) = app
        .post(
            &format!("/api/classes/PG-ENR/enrolments/{}/withdraw", eids[1]),
            Some(&school),
            json!({"reason": "Bận công tác đột xuất"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(
        v["promoted"],
        json!([eids[2]]),
        "the first waiting takes the seat: {v}"
    );
    assert_eq!(
        (
            v["enrolled"].clone(),
            v["waitlisted"].clone(),
            v["total"].clone()
        ),
        (json!(2), json!(2), json!(5))
    );
    // The reason is kept in the audit trail, with the promotion.
    let (_, a) = app
        .get(
            &format!("/api/audit?entity=enrolment&entity_id={}", eids[1]),
            Some(&admin),
        )
        .await;
    let entry = &a["items"][0];
    assert_eq!(entry["after"]["reason"], "Bận công tác đột xuất", "{a}");
    assert_eq!(entry["after"]["promoted"], json!([eids[2]]), "{a}");
    // A reason of more than 500 characters is refused at its field.
    let (s, v) = app
        .post(
            &format!("/api/classes/PG-ENR/enrolments/{}/withdraw", eids[0]),
            Some(&school),
            json!({"reason": "x".repeat(501)}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("reason")),
        "{v}"
    );
}

async fn audit_pages_have_bounds(app: TestApp) {
    let (admin, _) = setup(&app).await;
    let (_, all) = app.get("/api/audit?limit=500", Some(&admin)).await;
    let total = all["total"].as_i64().unwrap();
    assert!(total >= 2, "{all}");
    let (_, first) = app.get("/api/audit?limit=1", Some(&admin)).await;
    let (_, second) = app.get("/api/audit?limit=1&offset=1", Some(&admin)).await;
    assert_eq!(
        (first["total"].as_i64(), second["total"].as_i64()),
        (Some(total), Some(total))
    );
    assert_eq!(
        [
            first["items"][0]["id"].clone(),
            second["items"][0]["id"].clone()
        ],
        [all["items"][0]["id"].clone(), all["items"][1]["id"].clone()]
    );
    let (s, v) = app
        .get(&format!("/api/audit?limit=10&offset={total}"), Some(&admin))
        .await;
    assert_eq!(
        (s, v["total"].as_i64(), v["items"].as_array().map(Vec::len)),
        (Status::Ok, Some(total), Some(0)),
        "{v}"
    );
    bounds_refused(&app, &admin, "/api/audit?entity=account").await;
}
