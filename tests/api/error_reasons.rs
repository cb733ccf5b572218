//! Every error body carries a stable `reason` (an enum of the OpenAPI document) and the `params`
//! its message names; the public catalogue (`GET /api/errors/messages?lang=`) renders every
//! reason in Vietnamese and English, and the English `message` is its rendering.

use chrono::Duration;
use rocket::http::{ContentType, Method, Status};
use serde_json::{json, Value};

use crate::cadres::{cadre, create as create_cadre};
use crate::db_tests;
use crate::helpers::TestApp;
use cadre_training::shared::clock::city_today;

db_tests!(
    the_catalogue_has_every_reason_of_the_document,
    errors_of_every_category_carry_reason_and_params,
    clashes_name_the_other_class_and_the_session_day_and_times
);

/// Fills a catalogue template with params as the web UI does (values as written in JSON).
fn render(template: &str, params: &Value) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if after[..close]
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_')
                    && close > 0 =>
            {
                let v = &params[&after[..close]];
                out.push_str(&match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                });
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The catalogue in both languages.
async fn catalogues(app: &TestApp) -> (Value, Value) {
    let (s, vi) = app.get("/api/errors/messages?lang=vi", None).await;
    assert_eq!(s, Status::Ok, "{vi}");
    let (s, en) = app.get("/api/errors/messages?lang=en", None).await;
    assert_eq!(s, Status::Ok, "{en}");
    (vi, en)
}

/// Checks an error answer: its status, reason and params, that both languages of the catalogue
/// have the reason, and that the English message is the catalogue's rendering of its params.
fn check(
    cat: &(Value, Value),
    (s, v): &(Status, Value),
    status: Status,
    reason: &str,
    params: Value,
) {
    assert_eq!(*s, status, "{v}");
    let e = &v["error"];
    assert_eq!(e["reason"], reason, "{v}");
    assert_eq!(e["params"], params, "{v}");
    let vi = cat.0["messages"][reason].as_str();
    let en = cat.1["messages"][reason].as_str();
    assert!(
        vi.is_some_and(|t| !t.is_empty()),
        "{reason} lacks Vietnamese"
    );
    let en = en.unwrap_or_else(|| panic!("{reason} lacks English"));
    assert_eq!(e["message"], render(en, &e["params"]), "{v}");
}

async fn the_catalogue_has_every_reason_of_the_document(app: TestApp) {
    let (s, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(s, Status::Ok);
    let reasons = doc["components"]["schemas"]["Reason"]["enum"]
        .as_array()
        .expect("the Reason enum in the document")
        .clone();
    assert!(reasons.len() > 150, "{}", reasons.len());
    assert_eq!(
        doc["components"]["schemas"]["ErrorBody"]["properties"]["reason"]["$ref"],
        "#/components/schemas/Reason"
    );
    let (vi, en) = catalogues(&app).await;
    assert_eq!(
        (vi["lang"].clone(), en["lang"].clone()),
        (json!("vi"), json!("en"))
    );
    for r in &reasons {
        let r = r.as_str().unwrap();
        assert!(vi["messages"][r].is_string(), "{r} lacks Vietnamese");
        assert!(en["messages"][r].is_string(), "{r} lacks English");
    }
    assert_eq!(vi["messages"].as_object().unwrap().len(), reasons.len());
    assert_eq!(vi["values"]["status"]["finished"], "đã kết thúc");
    // Public and cacheable; Vietnamese by default; another language is refused with a reason.
    let (s, _, headers) = app
        .request(Method::Get, "/api/errors/messages", None, None, &[])
        .await;
    assert_eq!(s, Status::Ok);
    let cache = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("cache-control"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    assert!(cache.starts_with("public"), "{cache}");
    let refused = app.get("/api/errors/messages?lang=fr", None).await;
    check(
        &(vi, en),
        &refused,
        Status::UnprocessableEntity,
        "one_of",
        json!({"field": "lang", "values": "vi, en"}),
    );
}

async fn errors_of_every_category_carry_reason_and_params(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let cat = catalogues(&app).await;
    // The public routes refuse a query parameter given twice, as the others do (schemathesis
    // sent `?lang=null&lang=null`, which Rocket reads as absent).
    for path in [
        "/api/errors/messages?lang=null&lang=null",
        "/api/certificates/TCB-2026-000001?code=A&code=B",
    ] {
        let r = app.get(path, None).await;
        let field = if path.contains("lang") {
            "lang"
        } else {
            "code"
        };
        check(
            &cat,
            &r,
            Status::UnprocessableEntity,
            "given_twice",
            json!({"field": field}),
        );
    }
    let r = app.get("/api/errors/messages?lang=null", None).await;
    assert_eq!(r.0, Status::UnprocessableEntity, "{}", r.1);
    // 401: no token; a wrong password.
    let r = app.get("/api/cadres", None).await;
    check(&cat, &r, Status::Unauthorized, "bearer_required", json!({}));
    let r = app
        .post(
            "/api/auth/login",
            None,
            json!({"username": "admin", "password": "not-the-password"}),
        )
        .await;
    check(&cat, &r, Status::Unauthorized, "bad_credentials", json!({}));
    // 403: a unit outside the officer's subtree.
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;
    let r = app
        .post(
            "/api/cadres",
            Some(&officer),
            cadre("Lê Văn Cường", "079180000903", "26764"),
        )
        .await;
    check(
        &cat,
        &r,
        Status::Forbidden,
        "unit_code_outside_subtree",
        json!({"code": "26764"}),
    );
    // The 403 names the field that gave the unit (the body's, a query's).
    assert_eq!(r.1["error"]["field"], "unit_code", "{}", r.1);
    for path in [
        "/api/cadres?unit=26764",
        "/api/reports/gaps?unit=26764",
        "/api/exports/cadres?format=csv&unit=26764",
    ] {
        let (s, v) = app.get(path, Some(&officer)).await;
        assert_eq!(
            (s, v["error"]["field"].clone()),
            (Status::Forbidden, json!("unit")),
            "{path}: {v}"
        );
    }
    // 404: an id, a path.
    let r = app.get("/api/cadres/999999", Some(&admin)).await;
    check(
        &cat,
        &r,
        Status::NotFound,
        "no_cadre",
        json!({"id": 999999}),
    );
    let r = app.get("/api/nothing-here", Some(&admin)).await;
    check(
        &cat,
        &r,
        Status::NotFound,
        "no_resource",
        json!({"path": "/api/nothing-here"}),
    );
    // 405.
    let (s, v, _) = app
        .request(Method::Patch, "/api/units/import", Some(&admin), None, &[])
        .await;
    assert_eq!(v["error"]["params"]["method"], "PATCH", "{v}");
    let allow = v["error"]["params"]["allow"].clone();
    check(
        &cat,
        &(s, v),
        Status::MethodNotAllowed,
        "method_not_allowed",
        json!({"method": "PATCH", "allow": allow}),
    );
    // 400: malformed JSON; 422: an unknown field, a bad code, an invalid value.
    let raw = |s: &str| Some((ContentType::JSON, s.as_bytes().to_vec()));
    let (s, v, _) = app
        .request(
            Method::Post,
            "/api/auth/login",
            None,
            raw("{\"username\": "),
            &[],
        )
        .await;
    let detail = v["error"]["params"]["detail"].clone();
    assert!(detail.is_string(), "{v}");
    check(
        &cat,
        &(s, v),
        Status::BadRequest,
        "json_malformed",
        json!({"detail": detail}),
    );
    let school = app.account(&admin, "school1", "school", None).await;
    let today = city_today();
    let body = |code: &str, capacity: i64| {
        json!({"code": code, "module_code": "DV-01", "organiser": "Trường Cán bộ thành phố",
               "capacity": capacity, "enrol_opens": (today - Duration::days(1)).to_string(),
               "enrol_closes": (today + Duration::days(30)).to_string(),
               "sessions": [{"starts_at": "2027-05-03T08:00", "ends_at": "2027-05-03T10:00",
                             "venue": "Phòng 9", "instructor": "GV 9"}]})
    };
    let mut extra = body("CLS-X", 30);
    extra["colour"] = json!("blue");
    let (s, v) = app.post("/api/classes", Some(&school), extra).await;
    let expected = v["error"]["params"]["expected"].clone();
    assert!(
        expected.as_str().is_some_and(|e| e.contains("`capacity`")),
        "{v}"
    );
    check(
        &cat,
        &(s, v),
        Status::UnprocessableEntity,
        "json_unknown_field",
        json!({"name": "colour", "expected": expected}),
    );
    let r = app
        .post("/api/classes", Some(&school), body("x!", 30))
        .await;
    check(
        &cat,
        &r,
        Status::UnprocessableEntity,
        "not_a_code",
        json!({"field": "code", "value": "x!"}),
    );
    let r = app
        .post("/api/classes", Some(&school), body("CLS-X", 0))
        .await;
    check(
        &cat,
        &r,
        Status::UnprocessableEntity,
        "between",
        json!({"field": "capacity", "min": 1, "max": 1000}),
    );
    assert_eq!(r.1["error"]["field"], "capacity");
    // 409: the same code twice.
    let r = app
        .post("/api/classes", Some(&school), body("CLS-X", 30))
        .await;
    assert_eq!(r.0, Status::Created, "{}", r.1);
    let r = app
        .post("/api/classes", Some(&school), body("CLS-X", 30))
        .await;
    check(
        &cat,
        &r,
        Status::Conflict,
        "class_exists",
        json!({"code": "CLS-X"}),
    );
    // 413: a JSON body above the limit.
    let big = format!("{{\"username\": \"{}\"}}", "a".repeat(2 << 20));
    let r = app
        .request(Method::Post, "/api/auth/login", None, raw(&big), &[])
        .await;
    let limit = r.1["error"]["params"]["limit"].clone();
    check(
        &cat,
        &(r.0, r.1),
        Status::PayloadTooLarge,
        "json_too_large",
        json!({"limit": limit}),
    );
    // 429: wrong passwords until the throttle answers.
    let mut last = None;
    for _ in 0..8 {
        let r = app
            .post(
                "/api/auth/login",
                None,
                json!({"username": "school1", "password": "not-the-password"}),
            )
            .await;
        if r.0 == Status::TooManyRequests {
            last = Some(r);
            break;
        }
    }
    let (s, v) = last.expect("throttled");
    let retry = v["error"]["params"]["retry_after"].clone();
    assert!(retry.as_u64().is_some_and(|n| n > 0), "{v}");
    check(
        &cat,
        &(s, v),
        Status::TooManyRequests,
        "too_many_attempts",
        json!({"retry_after": retry}),
    );
}

async fn clashes_name_the_other_class_and_the_session_day_and_times(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school1", "school", None).await;
    let cat = catalogues(&app).await;
    let today = city_today();
    let class = |code: &str, title: &str, module: &str, sessions: Value| {
        json!({"code": code, "title": title, "module_code": module,
               "organiser": "Trường Cán bộ thành phố", "capacity": 10,
               "enrol_opens": (today - Duration::days(1)).to_string(),
               "enrol_closes": (today + Duration::days(30)).to_string(), "sessions": sessions})
    };
    let s = |start: &str, end: &str, venue: &str, who: &str| json!({"starts_at": start, "ends_at": end, "venue": venue, "instructor": who});
    // Two sessions of one class at once: the other one named by its number, day and times.
    let r = app
        .post(
            "/api/classes",
            Some(&school),
            class(
                "CLS-A",
                "Dân vận khéo",
                "DV-01",
                json!([
                    s("2027-02-01T08:00", "2027-02-01T10:00", "P1", "G1"),
                    s("2027-02-01T09:00", "2027-02-01T11:00", "P2", "G2")
                ]),
            ),
        )
        .await;
    check(
        &cat,
        &r,
        Status::UnprocessableEntity,
        "session_overlap",
        json!({"session": 1, "date": "2027-02-01", "start": "08:00", "end": "10:00"}),
    );
    assert_eq!(r.1["error"]["field"], "sessions[1].starts_at");
    // Several sessions; the second one is taken by the next class: named by code, title, day
    // and city times (not a session id).
    for (code, title, module, sessions) in [
        (
            "CLS-A",
            "Dân vận khéo",
            "DV-01",
            json!([
                s("2027-02-01T08:00", "2027-02-01T10:00", "P1", "G1"),
                s("2027-02-02T13:30", "2027-02-02T16:00", "Hội trường A", "G1")
            ]),
        ),
        (
            "CLS-C",
            "Công tác dân tộc",
            "DV-04",
            json!([s("2027-02-01T08:00", "2027-02-01T10:00", "P9", "G9")]),
        ),
    ] {
        let r = app
            .post(
                "/api/classes",
                Some(&school),
                class(code, title, module, sessions),
            )
            .await;
        assert_eq!(r.0, Status::Created, "{}", r.1);
        let r = app
            .post(
                &format!("/api/classes/{code}/status"),
                Some(&school),
                json!({"status": "open"}),
            )
            .await;
        assert_eq!(r.0, Status::Ok, "{}", r.1);
    }
    let r = app
        .post(
            "/api/classes",
            Some(&school),
            class(
                "CLS-B",
                "Vận động quần chúng",
                "DV-02",
                json!([s(
                    "2027-02-02T15:00",
                    "2027-02-02T17:00",
                    "hoi truong a",
                    "G7"
                )]),
            ),
        )
        .await;
    let place = json!({"class": "CLS-A", "title": "Dân vận khéo", "date": "2027-02-02",
                       "start": "13:30", "end": "16:00"});
    check(&cat, &r, Status::Conflict, "venue_booked", place.clone());
    let vi = render(cat.0["messages"]["venue_booked"].as_str().unwrap(), &place);
    assert!(
        vi.starts_with("Địa điểm đã được lớp CLS-A \"Dân vận khéo\""),
        "{vi}"
    );
    let r = app
        .post(
            "/api/classes",
            Some(&school),
            class(
                "CLS-B",
                "Vận động quần chúng",
                "DV-02",
                json!([s("2027-02-02T15:00", "2027-02-02T17:00", "P7", "g1")]),
            ),
        )
        .await;
    check(
        &cat,
        &r,
        Status::Conflict,
        "instructor_booked",
        place.clone(),
    );
    // A cadre in CLS-A cannot join CLS-C (same morning): CLS-A's title, day and times named.
    let id = create_cadre(&app, &admin, "Nguyễn Văn An", "079180000911", "26734").await;
    let enrol = |class: &str| format!("/api/classes/{class}/enrolments");
    let r = app
        .post(&enrol("CLS-A"), Some(&school), json!({"cadre_id": id}))
        .await;
    assert_eq!(r.0, Status::Created, "{}", r.1);
    let r = app
        .post(&enrol("CLS-C"), Some(&school), json!({"cadre_id": id}))
        .await;
    check(
        &cat,
        &r,
        Status::Conflict,
        "cadre_in_class",
        json!({"class": "CLS-A", "title": "Dân vận khéo", "date": "2027-02-01",
               "start": "08:00", "end": "10:00"}),
    );
    // Enrolled in CLS-C's time by rescheduling: the cadre named by name.
    let r = app
        .put(
            "/api/classes/CLS-C/sessions",
            Some(&school),
            json!({"sessions": [s("2027-03-01T08:00", "2027-03-01T10:00", "P9", "G9")]}),
        )
        .await;
    assert_eq!(r.0, Status::Ok, "{}", r.1);
    let r = app
        .post(&enrol("CLS-C"), Some(&school), json!({"cadre_id": id}))
        .await;
    assert_eq!(r.0, Status::Created, "{}", r.1);
    let r = app
        .put(
            "/api/classes/CLS-C/sessions",
            Some(&school),
            json!({"sessions": [s("2027-02-02T14:00", "2027-02-02T15:00", "P9", "G9")]}),
        )
        .await;
    check(
        &cat,
        &r,
        Status::Conflict,
        "cadre_clash_schedule",
        json!({"cadre": "Nguyễn Văn An", "class": "CLS-A", "title": "Dân vận khéo",
               "date": "2027-02-02", "start": "13:30", "end": "16:00"}),
    );
}
