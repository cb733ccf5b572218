//! Abuse (issue 7): a scope probe of every endpoint (driven by the OpenAPI document) by an officer
//! against other wards' cadres and by a cadre against other cadres; every kind of bad token; no
//! passwords or personal id numbers in the log; security headers; the generated admin password.

use std::collections::BTreeMap;

use base64::Engine;
use cadre_training::shared::clock::city_today;
use chrono::Duration;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use rocket::http::{ContentType, Method, Status};
use serde_json::{json, Value};

use crate::cadres::{cadre as cadre_body, create as create_cadre};
use crate::db_tests;
use crate::helpers::{Backend, TestApp, JWT_SECRET};

db_tests!(
    officer_cannot_reach_other_wards,
    cadre_cannot_reach_other_cadres,
    every_bad_token_is_401_with_a_json_body,
    no_passwords_or_personal_ids_in_the_log,
    a_flood_of_404s_writes_one_line_each_at_most,
    security_headers_on_ui_api_and_errors,
);

// ---------------------------------------------------------------------------------------------
// The world: an officer of Phường Tân Định (26734), a cadre of the same ward, a neighbour in the
// same ward, and cadres of Phường Đa Kao (26737, same district) and Phường 14 (27127, Quận 3),
// each with a title, a plan, a qualification, a paper completion, a certificate and enrolments.

const CLASS_OPEN: &str = "ABUSE-OPEN";
const CLASS_DONE: &str = "ABUSE-DONE";

/// Everything a probe may aim at, for one cadre.
#[derive(Debug, Clone)]
struct Target {
    name: &'static str,
    pid: &'static str,
    unit: &'static str,
    cadre: i64,
    assignment: i64,
    plan: i64,
    /// The qualification entered by hand.
    qualification: i64,
    /// Enrolment in `CLASS_OPEN`.
    enrolment: i64,
    /// The cadre's login account.
    account: i64,
    username: String,
    certificate: String,
}

struct World {
    admin: String,
    school: String,
    officer: String,
    /// The cadre account of `mine`.
    cadre: String,
    mine: Target,
    neighbour: Target,
    dakao: Target,
    q3: Target,
    session: i64,
}

async fn ok(app: &TestApp, method: Method, path: &str, token: &str, body: Value) -> Value {
    let (s, v) = app.send(method, path, Some(token), body).await;
    assert!(s.code < 300, "{method} {path}: {s} {v}");
    v
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school.abuse", "school", None).await;
    let officer = app
        .account(&admin, "officer.tandinh", "officer", Some("26734"))
        .await;
    let specs = [
        ("Nguyễn Văn Mình", "079180007001", "26734", "cadre.minh"),
        (
            "Lý Thị Láng Giềng",
            "079180007002",
            "26734",
            "cadre.langgieng",
        ),
        ("Phạm Thị Kín Đáo", "079180007003", "26737", "cadre.kindao"),
        ("Hoàng Văn Xa Lạ", "079180007004", "27127", "cadre.xala"),
    ];
    let next_year = city_today() + Duration::days(365);
    let today = city_today();
    let class = |code: &str, module: &str, day: chrono::NaiveDate| {
        json!({"code": code, "module_code": module, "organiser": "Trường Cán bộ thành phố", "capacity": 10,
               "enrol_opens": (today - Duration::days(1)).to_string(), "enrol_closes": (today + Duration::days(30)).to_string(),
               "sessions": [{"starts_at": format!("{day}T08:00"), "ends_at": format!("{day}T11:00"),
                             "venue": format!("Phòng {code}"), "instructor": format!("GV {code}")}]})
    };
    for (code, module, day) in [
        (CLASS_OPEN, "DV-02", next_year),
        (CLASS_DONE, "DV-03", today - Duration::days(7)),
    ] {
        ok(
            app,
            Method::Post,
            "/api/classes",
            &school,
            class(code, module, day),
        )
        .await;
        ok(
            app,
            Method::Post,
            &format!("/api/classes/{code}/status"),
            &school,
            json!({"status": "open"}),
        )
        .await;
    }
    let mut targets = vec![];
    for (name, pid, unit, username) in specs {
        let mut body = cadre_body(name, pid, unit);
        body["unit_since"] = json!("2015-01-01");
        let v = ok(app, Method::Post, "/api/cadres", &admin, body).await;
        let id = v["id"].as_i64().unwrap();
        let v = ok(
            app,
            Method::Post,
            &format!("/api/cadres/{id}/titles"),
            &admin,
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2020-01-01"}),
        )
        .await;
        let assignment = v["titles"][0]["id"].as_i64().unwrap();
        let v = ok(
            app,
            Method::Post,
            &format!("/api/cadres/{id}/plans"),
            &admin,
            json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2021-01-01"}),
        )
        .await;
        let plan = v["plans"][0]["id"].as_i64().unwrap();
        let v = ok(app, Method::Post, &format!("/api/cadres/{id}/qualifications"), &admin,
           json!({"scale": "political_theory", "level": "elementary", "obtained_on": "2012-06-01", "issuer": "Trường Chính trị"})).await;
        let qualification = v["items"][0]["id"].as_i64().unwrap();
        ok(
            app,
            Method::Post,
            &format!("/api/cadres/{id}/completions"),
            &school,
            json!({"module_code": "DV-01", "completed_on": "2019-05-02", "source_ref": "Sổ 2019"}),
        )
        .await;
        let v = ok(
            app,
            Method::Post,
            &format!("/api/classes/{CLASS_OPEN}/enrolments"),
            &school,
            json!({"cadre_id": id}),
        )
        .await;
        let enrolment = v["id"].as_i64().unwrap();
        ok(
            app,
            Method::Post,
            &format!("/api/classes/{CLASS_DONE}/enrolments"),
            &school,
            json!({"cadre_id": id}),
        )
        .await;
        let v = ok(app, Method::Post, "/api/accounts", &admin,
            json!({"username": username, "password": "lop-hoc-dan-van-2026", "role": "cadre", "unit_code": unit, "cadre_id": id})).await;
        targets.push(Target {
            name,
            pid,
            unit,
            cadre: id,
            assignment,
            plan,
            qualification,
            enrolment,
            account: v["id"].as_i64().unwrap(),
            username: username.to_string(),
            certificate: String::new(),
        });
    }
    // CLASS_DONE: everyone attends and passes; finishing it issues the certificates.
    ok(
        app,
        Method::Post,
        &format!("/api/classes/{CLASS_DONE}/status"),
        &school,
        json!({"status": "running"}),
    )
    .await;
    let (_, grid) = app
        .get(
            &format!("/api/classes/{CLASS_DONE}/attendance"),
            Some(&school),
        )
        .await;
    let session = grid["sessions"][0]["id"].as_i64().unwrap();
    let rows = grid["rows"].as_array().unwrap();
    let marks: Vec<Value> = rows
        .iter()
        .map(|r| json!({"enrolment_id": r["enrolment_id"], "status": "present"}))
        .collect();
    let results: Vec<Value> = rows
        .iter()
        .map(|r| json!({"enrolment_id": r["enrolment_id"], "score": 8.0, "passed": true}))
        .collect();
    ok(
        app,
        Method::Put,
        &format!("/api/classes/{CLASS_DONE}/sessions/{session}/attendance"),
        &school,
        json!({ "records": marks }),
    )
    .await;
    ok(
        app,
        Method::Put,
        &format!("/api/classes/{CLASS_DONE}/results"),
        &school,
        json!({ "results": results }),
    )
    .await;
    ok(
        app,
        Method::Post,
        &format!("/api/classes/{CLASS_DONE}/status"),
        &school,
        json!({"status": "finished"}),
    )
    .await;
    let (_, done) = app
        .get(
            &format!("/api/classes/{CLASS_DONE}/completions"),
            Some(&school),
        )
        .await;
    for t in &mut targets {
        t.certificate = done["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["cadre_id"] == t.cadre)
            .and_then(|c| c["certificate_no"].as_str())
            .unwrap_or_else(|| panic!("no certificate for {}: {done}", t.name))
            .to_string();
    }
    let cadre = app.token("cadre.minh", "lop-hoc-dan-van-2026").await;
    let mut t = targets.into_iter();
    World {
        admin,
        school,
        officer,
        cadre,
        mine: t.next().unwrap(),
        neighbour: t.next().unwrap(),
        dakao: t.next().unwrap(),
        q3: t.next().unwrap(),
        session,
    }
}

/// What an admin sees of a cadre: used to show that a probe wrote nothing.
async fn snapshot(app: &TestApp, w: &World, t: &Target) -> String {
    let mut out = String::new();
    for path in [
        format!("/api/cadres/{}", t.cadre),
        format!("/api/cadres/{}/qualifications", t.cadre),
        format!("/api/cadres/{}/completions", t.cadre),
        format!("/api/cadres/{}/gaps", t.cadre),
        format!("/api/classes/{CLASS_OPEN}/enrolments"),
        format!("/api/accounts/{}", t.account),
        format!("/api/certificates/{}", t.certificate),
    ] {
        let (s, v) = app.get(&path, Some(&w.admin)).await;
        assert_eq!(s, Status::Ok, "{path}: {v}");
        out.push_str(&v.to_string());
    }
    out
}

/// The raw body of a request (no JSON parsing: the assertions are on the text).
async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<(ContentType, Vec<u8>)>,
) -> (Status, String) {
    let (s, v, _) = app.request(method, path, Some(token), body, &[]).await;
    let text = match v {
        Value::String(s) => s,
        other => other.to_string(),
    };
    (s, text)
}

fn assert_no_leak(targets: &[&Target], what: &str, body: &str) {
    for t in targets {
        assert!(
            !body.contains(t.name),
            "{what} leaks the name of {}: {body}",
            t.name
        );
        assert!(
            !body.contains(t.pid),
            "{what} leaks the personal id of {}: {body}",
            t.name
        );
        // The family-name-last order and the bare given name of a CSV or report, too.
        let given = t.name.rsplit(' ').take(2).collect::<Vec<_>>();
        let given = format!("{} {}", given[1], given[0]);
        assert!(
            !body.contains(&given),
            "{what} leaks part of the name of {}: {body}",
            t.name
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The probe driven by the OpenAPI document.

/// One concrete request built from a documented operation.
struct Probe {
    method: Method,
    path: String,
    /// It names the target's data (its ids, or a unit outside the caller's scope).
    aimed: bool,
    /// It names a cadre id (used to compare with an id that does not exist).
    by_cadre_id: bool,
}

/// Public by design: the certificate check answers anyone with the number (status, module, date and
/// the holder's initials; the full name only with the certificate's verification code:
/// `tests/api/public_data.rs`).
const PUBLIC_BY_DESIGN: &[&str] = &["/api/certificates/{no}"];

/// The caller's own session: logging out is always allowed (and would end the probe's token).
const OWN_SESSION: &[&str] = &["/api/auth/logout"];

/// Builds the requests for every documented operation aimed at `t` (`foreign_unit`: whether
/// `t.unit` is outside the caller's scope). A path parameter the probe does not know fails the
/// test, so a new endpoint has to be taught here rather than skipped.
fn probes(doc: &Value, w: &World, t: &Target, foreign_unit: bool) -> Vec<Probe> {
    let mut out = vec![];
    let paths = doc["paths"]
        .as_object()
        .expect("paths in the OpenAPI document");
    for (template, item) in paths {
        if !template.starts_with("/api/")
            || PUBLIC_BY_DESIGN.contains(&template.as_str())
            || OWN_SESSION.contains(&template.as_str())
        {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let method = match method.as_str() {
                "get" => Method::Get,
                "post" => Method::Post,
                "put" => Method::Put,
                "patch" => Method::Patch,
                "delete" => Method::Delete,
                _ => continue,
            };
            let params: Vec<&Value> = op["parameters"]
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            // Each `{code}` of a class is tried with both classes.
            let class_codes: &[&str] = if template.starts_with("/api/classes/{code}") {
                &[CLASS_OPEN, CLASS_DONE]
            } else {
                &[""]
            };
            for class in class_codes {
                let mut path = template.clone();
                let mut aimed = false;
                let mut by_cadre_id = false;
                for p in params.iter().filter(|p| p["in"] == "path") {
                    let name = p["name"].as_str().unwrap();
                    let value = match (name, template.as_str()) {
                        ("id", t0) if t0.starts_with("/api/cadres/") => {
                            aimed = true;
                            by_cadre_id = true;
                            t.cadre.to_string()
                        }
                        ("id", t0) if t0.starts_with("/api/accounts/") => {
                            aimed = true;
                            t.account.to_string()
                        }
                        // A class's session (not anyone's data).
                        ("id", t0) if t0.contains("/sessions/{id}") => w.session.to_string(),
                        // A notice: an id the caller cannot know to be someone else's (another
                        // account's notice is 404: tests/api/notices.rs).
                        ("id", t0) if t0.starts_with("/api/notices/") => "1".into(),
                        ("id", t0) if t0.contains("/enrolments/{id}") => {
                            aimed = true;
                            t.enrolment.to_string()
                        }
                        ("aid", _) => {
                            aimed = true;
                            t.assignment.to_string()
                        }
                        ("pid", _) => {
                            aimed = true;
                            t.plan.to_string()
                        }
                        ("qid", _) => {
                            aimed = true;
                            t.qualification.to_string()
                        }
                        ("no", _) => {
                            aimed = true;
                            t.certificate.clone()
                        }
                        ("code", t0) if t0.starts_with("/api/classes/") => class.to_string(),
                        ("code", t0) if t0.starts_with("/api/units/") => {
                            aimed |= foreign_unit;
                            t.unit.to_string()
                        }
                        ("code", t0) if t0.starts_with("/api/modules/") => "DV-01".into(),
                        ("code", t0) if t0.starts_with("/api/programmes/") => "LLCT-SC".into(),
                        ("code", t0) if t0.starts_with("/api/titles/") => "FF-CHAIR-COMMUNE".into(),
                        ("sid", _) => w.session.to_string(),
                        ("kind", _) => "cadres".into(),
                        ("file", _) => format!("{}.ics", "ab".repeat(32)),
                        _ => panic!("the scope probe does not know path parameter {name:?} of {template}: teach it"),
                    };
                    path = path.replace(&format!("{{{name}}}"), &value);
                }
                let mut query = vec![];
                for p in params.iter().filter(|p| p["in"] == "query") {
                    match p["name"].as_str().unwrap() {
                        "unit" | "root" => {
                            aimed |= foreign_unit;
                            query.push(format!("{}={}", p["name"].as_str().unwrap(), t.unit));
                        }
                        "format" => query.push("format=csv".into()),
                        "status" if template.starts_with("/api/reports/gaps/cadres") => {
                            query.push("status=all".into())
                        }
                        "population" => query.push("population=both".into()),
                        "from" => query.push("from=2015-01-01".into()),
                        "to" => query.push("to=2030-12-31".into()),
                        _ => {}
                    }
                }
                if !query.is_empty() {
                    path = format!("{path}?{}", query.join("&"));
                }
                out.push(Probe {
                    method,
                    path,
                    aimed,
                    by_cadre_id,
                });
            }
        }
    }
    assert!(
        out.len() > 80,
        "the OpenAPI document lists too few operations: {}",
        out.len()
    );
    out
}

/// Runs every probe as `token` against each target; returns how many were aimed.
async fn probe_all(app: &TestApp, w: &World, token: &str, targets: &[(&Target, bool)]) -> usize {
    let (s, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(s, Status::Ok);
    let all: Vec<&Target> = targets.iter().map(|(t, _)| *t).collect();
    let mut aimed_count = 0;
    for (t, foreign_unit) in targets {
        for p in probes(&doc, w, t, *foreign_unit) {
            let body = (p.method != Method::Get && p.method != Method::Delete)
                .then(|| (ContentType::JSON, b"{}".to_vec()));
            let what = format!("{} {} (aimed at {})", p.method, p.path, t.name);
            let (s, text) = raw(app, p.method, &p.path, token, body.clone()).await;
            assert!(s.code < 500, "{what}: {s} {text}");
            assert_no_leak(&all, &what, &text);
            if !p.aimed {
                continue;
            }
            aimed_count += 1;
            let refused = match p.method {
                Method::Get | Method::Delete => [403, 404].contains(&s.code),
                // A write with an empty body may be refused for the body first (422); the
                // explicit probes below send valid bodies.
                _ => [403, 404, 422].contains(&s.code),
            };
            assert!(refused, "{what} was not refused: {s} {text}");
            if p.by_cadre_id {
                // The same request for a cadre that does not exist gets the same answer:
                // existence does not leak either.
                let ghost = p.path.replacen(
                    &format!("/api/cadres/{}", t.cadre),
                    "/api/cadres/99999999",
                    1,
                );
                let (gs, gtext) = raw(app, p.method, &ghost, token, body).await;
                let code = |x: &str| {
                    serde_json::from_str::<Value>(x)
                        .ok()
                        .map(|v| v["error"]["code"].clone())
                };
                assert_eq!(
                    (s, code(&text)),
                    (gs, code(&gtext)),
                    "{what} differs from a missing cadre: {text} / {gtext}"
                );
            }
        }
    }
    aimed_count
}

/// Requests that need a valid body, each aimed at another ward's (or cadre's) data, with the
/// same request aimed at the caller's own data as the control that it is well-formed.
async fn explicit_writes(
    app: &TestApp,
    token: &str,
    own: &Target,
    other: &Target,
    foreign_unit: bool,
    control: bool,
) {
    let all = [other];
    let calls: Vec<(Method, String, Value, &[u16])> = vec![
        (
            Method::Patch,
            format!("/api/cadres/{}", other.cadre),
            json!({"full_name": "Tên Bị Sửa"}),
            &[403, 404],
        ),
        // Pulling another ward's cadre into one's own ward.
        (
            Method::Patch,
            format!("/api/cadres/{}", other.cadre),
            json!({"unit_code": own.unit, "moved_on": "2024-01-01"}),
            &[403, 404],
        ),
        (
            Method::Post,
            format!("/api/cadres/{}/titles", other.cadre),
            json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2024-01-01"}),
            &[403, 404],
        ),
        (
            Method::Patch,
            format!("/api/cadres/{}/titles/{}", other.cadre, other.assignment),
            json!({"to_date": "2024-01-01"}),
            &[403, 404],
        ),
        // Someone else's assignment through one's own cadre's path.
        (
            Method::Patch,
            format!("/api/cadres/{}/titles/{}", own.cadre, other.assignment),
            json!({"to_date": "2024-01-01"}),
            &[403, 404],
        ),
        (
            Method::Post,
            format!("/api/cadres/{}/plans", other.cadre),
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2024-01-01"}),
            &[403, 404],
        ),
        (
            Method::Patch,
            format!("/api/cadres/{}/plans/{}", other.cadre, other.plan),
            json!({"to_date": "2024-01-01"}),
            &[403, 404],
        ),
        (
            Method::Patch,
            format!("/api/cadres/{}/plans/{}", own.cadre, other.plan),
            json!({"to_date": "2024-01-01"}),
            &[403, 404],
        ),
        (
            Method::Post,
            format!("/api/cadres/{}/qualifications", other.cadre),
            json!({"scale": "political_theory", "level": "intermediate", "obtained_on": "2016-01-01"}),
            &[403, 404],
        ),
        (
            Method::Post,
            format!("/api/cadres/{}/completions", other.cadre),
            json!({"module_code": "DV-04", "completed_on": "2020-01-01", "source_ref": "Sổ 2020"}),
            &[403, 404],
        ),
        (
            Method::Post,
            format!(
                "/api/classes/{CLASS_OPEN}/enrolments/{}/withdraw",
                other.enrolment
            ),
            json!({"reason": "probe"}),
            &[403, 404],
        ),
    ];
    for (method, path, body, refused) in calls {
        let (s, text) = raw(
            app,
            method,
            &path,
            token,
            Some((ContentType::JSON, body.to_string().into_bytes())),
        )
        .await;
        assert!(
            refused.contains(&s.code),
            "{method} {path} was not refused: {s} {text}"
        );
        assert_no_leak(&all, &format!("{method} {path}"), &text);
    }
    // Enrolling (nominating) the other cadre: the same answer as for a cadre id that does not exist.
    let mut answers = vec![];
    for id in [other.cadre, 99999999] {
        let (s, v) = app
            .post(
                &format!("/api/classes/{CLASS_DONE}/enrolments"),
                Some(token),
                json!({"cadre_id": id}),
            )
            .await;
        assert!([403, 404, 422].contains(&s.code), "enrol {id}: {s} {v}");
        assert_no_leak(&all, "enrol", &v.to_string());
        answers.push((
            s,
            v["error"]["code"].clone(),
            v["error"]["message"]
                .as_str()
                .unwrap_or("")
                .replace(&id.to_string(), "<id>"),
        ));
    }
    assert_eq!(
        answers[0], answers[1],
        "enrolling another's cadre tells that it exists"
    );
    if foreign_unit {
        // Creating in, moving to, or giving a title in the other unit.
        let (s, v) = app
            .post(
                "/api/cadres",
                Some(token),
                cadre_body("Người Mới Tạo", "079180007099", other.unit),
            )
            .await;
        assert_eq!(s, Status::Forbidden, "{v}");
        let (s, v) = app
            .patch(
                &format!("/api/cadres/{}", own.cadre),
                Some(token),
                json!({"unit_code": other.unit}),
            )
            .await;
        assert_eq!(s, Status::Forbidden, "{v}");
        let (s, v) = app.post(&format!("/api/cadres/{}/titles", own.cadre), Some(token),
            json!({"title_code": "FF-VICE-COMMUNE", "unit_code": other.unit, "from_date": "2024-01-01"})).await;
        assert_eq!(s, Status::Forbidden, "{v}");
    }
    if control {
        // The same kinds of request on one's own cadre are accepted: the refusals above are scope.
        let (s, v) = app
            .patch(
                &format!("/api/cadres/{}", own.cadre),
                Some(token),
                json!({"phone": "0909 000 111"}),
            )
            .await;
        assert_eq!(s, Status::Ok, "{v}");
        let (s, v) = app
            .patch(
                &format!("/api/cadres/{}/titles/{}", own.cadre, own.assignment),
                Some(token),
                json!({"to_date": null}),
            )
            .await;
        assert_eq!(s, Status::Ok, "{v}");
        let (s, v) = app.post(&format!("/api/cadres/{}/qualifications", own.cadre), Some(token),
            json!({"scale": "political_theory", "level": "intermediate", "obtained_on": "2016-01-01"})).await;
        assert_eq!(s, Status::Created, "{v}");
    }
}

/// The rows of a CSV import.
fn roster(rows: &[String]) -> Vec<u8> {
    let mut s = String::from("Số CCCD/CMND;Họ và tên;Giới tính;Ngày sinh;Dân tộc;Mã đơn vị;Tổ chức;Ở đơn vị từ ngày;Mã chức danh;Giữ chức danh từ ngày;Mã chức danh quy hoạch;Quy hoạch từ ngày\r\n");
    for r in rows {
        s.push_str(r);
        s.push_str("\r\n");
    }
    s.into_bytes()
}

async fn import(app: &TestApp, token: &str, kind: &str, bytes: Vec<u8>) -> (Status, Value) {
    app.post_raw(
        &format!("/api/imports/{kind}"),
        Some(token),
        ContentType::CSV,
        bytes,
    )
    .await
}

async fn officer_cannot_reach_other_wards(app: TestApp) {
    let w = world(&app).await;
    let before_dakao = snapshot(&app, &w, &w.dakao).await;
    let before_q3 = snapshot(&app, &w, &w.q3).await;
    let (_, audit) = app
        .get("/api/audit?actor=officer.tandinh", Some(&w.admin))
        .await;
    let audit_before = audit["total"].clone();

    let aimed = probe_all(&app, &w, &w.officer, &[(&w.dakao, true), (&w.q3, true)]).await;
    assert!(
        aimed > 40,
        "only {aimed} probes were aimed at the other wards"
    );
    // Control: the same documented GETs on the officer's own ward answer 200.
    for path in [
        format!("/api/cadres/{}", w.mine.cadre),
        format!("/api/exports/cadres?unit={}", w.mine.unit),
        format!("/api/reports/gaps/cadres?unit={}&status=all", w.mine.unit),
    ] {
        let (s, text) = raw(&app, Method::Get, &path, &w.officer, None).await;
        assert_eq!(s, Status::Ok, "{path}: {text}");
        assert!(
            text.contains(w.mine.name),
            "{path} shows the officer's own cadre: {text}"
        );
    }
    for path in [
        format!("/api/cadres/{}/completions", w.mine.cadre),
        format!("/api/cadres/{}/gaps", w.mine.cadre),
    ] {
        assert_eq!(
            app.get(&path, Some(&w.officer)).await.0,
            Status::Ok,
            "{path}"
        );
    }
    // Lists in the officer's scope name their own cadres and nobody else's.
    for path in [
        "/api/cadres?limit=500",
        "/api/exports/cadres",
        "/api/exports/completions",
        "/api/exports/classes",
        "/api/reports/gaps/cadres?status=all&population=both",
        "/api/reports/gaps/cadres/export?format=csv&status=all&population=both",
        "/api/completions/stale-soon?days=3650",
    ] {
        let path = path.to_string();
        let (s, text) = raw(&app, Method::Get, &path, &w.officer, None).await;
        assert_eq!(s, Status::Ok, "{path}: {text}");
        assert_no_leak(&[&w.dakao, &w.q3], &path, &text);
    }
    for other in [&w.dakao, &w.q3] {
        explicit_writes(
            &app,
            &w.officer,
            &w.mine,
            other,
            true,
            other.unit == "26737",
        )
        .await;
    }

    // Imports: a row in another ward, and a row that would move another ward's cadre here.
    let count = |v: &Value| v["total"].as_i64().unwrap();
    let (_, all) = app.get("/api/cadres?limit=1", Some(&w.admin)).await;
    for (rows, field) in [
        (
            vec![format!(
                "079180007055;Người Mới Nhập;Nam;01/01/1985;Kinh;{};Mặt trận Tổ quốc;;;;;",
                w.dakao.unit
            )],
            "Mã đơn vị",
        ),
        (
            vec![format!(
                "{};Ai Đó;Nữ;17/05/1980;Kinh;26734;Mặt trận Tổ quốc;01/01/2024;;;;",
                w.q3.pid
            )],
            "Số CCCD/CMND",
        ),
    ] {
        let (s, v) = import(&app, &w.officer, "cadres", roster(&rows)).await;
        assert_eq!(s, Status::UnprocessableEntity, "{v}");
        let details = v["error"]["details"].as_array().unwrap();
        assert_eq!(details.len(), 1, "{v}");
        assert_eq!(details[0]["row"], 2, "{v}");
        assert_eq!(details[0]["field"], field, "{v}");
        assert!(
            !v.to_string().contains(w.q3.name) && !v.to_string().contains(w.dakao.name),
            "{v}"
        );
    }
    // A qualification for another ward's cadre: the same answer as for a number nobody has.
    let quals = |pid: &str| {
        format!("Số CCCD/CMND;Mã loại trình độ;Mã trình độ;Ngày cấp\r\n{pid};political_theory;advanced;01/01/2020\r\n").into_bytes()
    };
    let (s1, v1) = import(&app, &w.officer, "qualifications", quals(w.dakao.pid)).await;
    let (s2, v2) = import(&app, &w.officer, "qualifications", quals("079180007098")).await;
    assert_eq!(s1, Status::UnprocessableEntity, "{v1}");
    assert_eq!(
        (s1, &v1["error"]["details"][0]["message"]),
        (s2, &v2["error"]["details"][0]["message"])
    );
    let (_, after) = app.get("/api/cadres?limit=1", Some(&w.admin)).await;
    assert_eq!(count(&all), count(&after), "an import wrote a cadre");

    // Nothing of theirs changed, and the officer wrote nothing but their own cadre's edits.
    assert_eq!(before_dakao, snapshot(&app, &w, &w.dakao).await);
    assert_eq!(before_q3, snapshot(&app, &w, &w.q3).await);
    let (_, audit) = app
        .get("/api/audit?actor=officer.tandinh&limit=100", Some(&w.admin))
        .await;
    let new = audit["total"].as_i64().unwrap() - audit_before.as_i64().unwrap();
    assert_eq!(
        new, 3,
        "only the three control writes on their own cadre: {audit}"
    );
    for e in audit["items"].as_array().unwrap() {
        for t in [&w.dakao, &w.q3] {
            assert_ne!(e["entity_id"], json!(t.cadre.to_string()), "{e}");
        }
    }
}

async fn cadre_cannot_reach_other_cadres(app: TestApp) {
    let w = world(&app).await;
    let others = [&w.neighbour, &w.dakao, &w.q3];
    let mut before = vec![];
    for t in others {
        before.push(snapshot(&app, &w, t).await);
    }
    let aimed = probe_all(
        &app,
        &w,
        &w.cadre,
        &[(&w.neighbour, false), (&w.dakao, true), (&w.q3, true)],
    )
    .await;
    assert!(aimed > 40, "only {aimed} probes were aimed at other cadres");
    for other in others {
        explicit_writes(&app, &w.cadre, &w.mine, other, false, false).await;
    }
    // Their own record, gaps, completions and enrolments are there.
    for path in [
        format!("/api/cadres/{}", w.mine.cadre),
        format!("/api/cadres/{}/gaps", w.mine.cadre),
        format!("/api/cadres/{}/completions", w.mine.cadre),
        "/api/me".to_string(),
        format!("/api/classes/{CLASS_OPEN}/enrolments"),
    ] {
        let (s, text) = raw(&app, Method::Get, &path, &w.cadre, None).await;
        assert_eq!(s, Status::Ok, "{path}: {text}");
        assert!(
            text.contains(w.mine.name) || text.contains(&w.mine.cadre.to_string()),
            "{path}: {text}"
        );
        assert_no_leak(&others, &path, &text);
    }
    // The calendar feed: the cadre manages only their own link; another's link is not guessable.
    let neighbour = app
        .token(&w.neighbour.username, "lop-hoc-dan-van-2026")
        .await;
    let (s, theirs) = app
        .post("/api/me/calendar-token", Some(&neighbour), json!({}))
        .await;
    assert_eq!(s, Status::Ok, "{theirs}");
    let (s, mine) = app
        .post("/api/me/calendar-token", Some(&w.cadre), json!({}))
        .await;
    assert_eq!(s, Status::Ok, "{mine}");
    assert_ne!(theirs["token"], mine["token"]);
    let (s, _, body) = app.get_bytes(theirs["path"].as_str().unwrap(), None).await;
    assert_eq!(
        s,
        Status::Ok,
        "the neighbour's link still works after the cadre made their own"
    );
    assert!(String::from_utf8_lossy(&body).contains(w.neighbour.name));
    let (s, _) = app
        .send(
            Method::Delete,
            "/api/me/calendar-token",
            Some(&w.cadre),
            json!({}),
        )
        .await;
    assert_eq!(s, Status::NoContent);
    let (s, _, _) = app.get_bytes(theirs["path"].as_str().unwrap(), None).await;
    assert_eq!(
        s,
        Status::Ok,
        "revoking one's own link leaves the neighbour's"
    );
    let guessed = format!("/api/feeds/{}.ics", "0".repeat(64));
    let (s, _, body) = app.get_bytes(&guessed, None).await;
    assert_eq!(s, Status::NotFound);
    assert_no_leak(&others, "guessed feed", &String::from_utf8_lossy(&body));
    // Officers and staff have no feed of their own to manage.
    let (s, _) = app
        .post("/api/me/calendar-token", Some(&w.officer), json!({}))
        .await;
    assert_eq!(s, Status::Forbidden);
    let (s, _) = app
        .post("/api/me/calendar-token", Some(&w.school), json!({}))
        .await;
    assert_eq!(s, Status::Forbidden);
    for (t, b) in others.iter().zip(before) {
        assert_eq!(b, snapshot(&app, &w, t).await, "{} changed", t.name);
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens.

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn sign(alg: Algorithm, claims: &Value, secret: &[u8]) -> String {
    encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret)).unwrap()
}

async fn every_bad_token_is_401_with_a_json_body(app: TestApp) {
    let admin = app.admin_token().await;
    let school = app.account(&admin, "school.tokens", "school", None).await;
    let (_, me) = app.get("/api/auth/me", Some(&school)).await;
    let id = me["id"].as_i64().unwrap();
    let now = chrono::Utc::now().timestamp();
    let claims = |sub: &str, ver: i64, exp: i64| json!({"sub": sub, "role": "admin", "unit": null, "ver": ver, "iat": now, "exp": exp});
    let good = claims(&id.to_string(), 0, now + 3600);
    // The control: a token made here with the right key and claims is accepted.
    let valid = sign(Algorithm::HS256, &good, JWT_SECRET.as_bytes());
    assert_eq!(app.get("/api/auth/me", Some(&valid)).await.0, Status::Ok);
    let parts: Vec<&str> = school.split('.').collect();
    let mut payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    payload["role"] = json!("admin");
    let mut no_exp = good.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    let cases: Vec<(&str, String)> = vec![
        (
            "tampered payload (role raised, signature kept)",
            format!("{}.{}.{}", parts[0], b64(&payload), parts[2]),
        ),
        ("tampered signature", {
            let (head, last) = parts[2].split_at(parts[2].len() - 1);
            format!(
                "{}.{}.{head}{}",
                parts[0],
                parts[1],
                if last == "A" { "B" } else { "A" }
            )
        }),
        (
            "expired",
            sign(
                Algorithm::HS256,
                &claims(&id.to_string(), 0, now - 3600),
                JWT_SECRET.as_bytes(),
            ),
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(&json!({"alg": "none", "typ": "JWT"})),
                b64(&good)
            ),
        ),
        (
            "alg None, with a signature",
            format!(
                "{}.{}.{}",
                b64(&json!({"alg": "None", "typ": "JWT"})),
                b64(&good),
                parts[2]
            ),
        ),
        (
            "HS512 with the right secret",
            sign(Algorithm::HS512, &good, JWT_SECRET.as_bytes()),
        ),
        (
            "signed with another key",
            sign(Algorithm::HS256, &good, b"another-secret-of-some-length"),
        ),
        (
            "for an account that does not exist",
            sign(
                Algorithm::HS256,
                &claims("999999", 0, now + 3600),
                JWT_SECRET.as_bytes(),
            ),
        ),
        (
            "sub not a number",
            sign(
                Algorithm::HS256,
                &claims("admin", 0, now + 3600),
                JWT_SECRET.as_bytes(),
            ),
        ),
        (
            "another token version",
            sign(
                Algorithm::HS256,
                &claims(&id.to_string(), 7, now + 3600),
                JWT_SECRET.as_bytes(),
            ),
        ),
        (
            "no exp",
            sign(Algorithm::HS256, &no_exp, JWT_SECRET.as_bytes()),
        ),
        ("garbage", "garbage".into()),
        ("three dots of garbage", "a.b.c".into()),
        ("empty", String::new()),
    ];
    let check = |what: String, s: Status, v: Value| {
        assert_eq!(s, Status::Unauthorized, "{what}: {v}");
        assert_eq!(v["error"]["code"], "unauthorized", "{what}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{what}: {v}"
        );
    };
    for (what, token) in &cases {
        for path in ["/api/auth/me", "/api/cadres", "/api/accounts"] {
            let (s, v) = app.get(path, Some(token)).await;
            check(format!("{what} on {path}"), s, v);
        }
        let (s, v) = app
            .post(
                "/api/cadres",
                Some(token),
                cadre_body("Ai Đó", "079180007200", "26734"),
            )
            .await;
        check(format!("{what} on POST /api/cadres"), s, v);
    }
    // Revoked tokens: after a password change, and for a deactivated account (the account's
    // own token and one made with valid claims).
    let mut cases: Vec<(&str, String)> = vec![];
    let changer = app.account(&admin, "changer", "commission", None).await;
    let (s, v) = app
        .post(
            "/api/auth/password",
            Some(&changer),
            json!({"current_password": "lop-hoc-dan-van-2026", "new_password": "new-password-1"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    cases.push(("after a password change", changer));
    let (s, v) = app
        .patch(
            &format!("/api/accounts/{id}"),
            Some(&admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    cases.push(("for a deactivated account", school.clone()));
    cases.push(("valid claims, deactivated account", valid));
    for (what, token) in &cases {
        for path in ["/api/auth/me", "/api/cadres", "/api/accounts"] {
            let (s, v) = app.get(path, Some(token)).await;
            check(format!("{what} on {path}"), s, v);
        }
        let (s, v) = app
            .post(
                "/api/cadres",
                Some(token),
                cadre_body("Ai Đó", "079180007200", "26734"),
            )
            .await;
        check(format!("{what} on POST /api/cadres"), s, v);
    }
    // The Authorization header itself: missing, without `Bearer`, another scheme, nothing after it.
    let admin_raw = admin.clone();
    let headers: Vec<(&str, Option<String>)> = vec![
        ("missing", None),
        ("token without the Bearer prefix", Some(admin_raw.clone())),
        (
            "Basic scheme",
            Some("Basic YWRtaW46YWRtaW4tcGFzc3dvcmQtMQ==".into()),
        ),
        ("Token scheme", Some(format!("Token {admin_raw}"))),
        ("Bearer and nothing", Some("Bearer".into())),
        ("Bearer and a space", Some("Bearer ".into())),
        ("Bearer twice", Some(format!("Bearer Bearer {admin_raw}"))),
    ];
    for (what, header) in headers {
        let h: Vec<(&str, &str)> = header
            .as_deref()
            .map(|h| vec![("Authorization", h)])
            .unwrap_or_default();
        let (s, v, _) = app
            .request(Method::Get, "/api/auth/me", None, None, &h)
            .await;
        check(what.to_string(), s, v);
    }
}

// ---------------------------------------------------------------------------------------------
// The log.

// The capture is installed by every test app (`helpers::captured_log`), before Rocket starts, so
// that Rocket's own `log` records reach it too.
use crate::helpers::captured_log;

async fn no_passwords_or_personal_ids_in_the_log(app: TestApp) {
    captured_log();
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let tag = match app.backend {
        Backend::Sqlite => "s",
        Backend::Postgres => "p",
    };
    let user = format!("log.officer.{tag}");
    let password = "Log-Password-Right-4471";
    let wrong = "Log-Password-Wrong-8823";
    let changed = "Log-Password-Changed-1937";
    let reset = "Log-Password-Reset-6604";
    let pids: Vec<String> = (1..=7)
        .map(|i| format!("07918{}88770{i}", if tag == "s" { 1 } else { 2 }))
        .collect();
    // Logging in: right, wrong, unknown user, a password typed as a too-long field.
    let (s, v) = app
        .post(
            "/api/accounts",
            Some(&admin),
            json!({"username": user, "password": password, "role": "officer", "unit_code": "760"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let officer = app.token(&user, password).await;
    for (u, p) in [
        (user.as_str(), wrong),
        ("nobody.here", wrong),
        (user.as_str(), ""),
    ] {
        let (s, _) = app
            .post(
                "/api/auth/login",
                None,
                json!({"username": u, "password": p}),
            )
            .await;
        assert!(
            s == Status::Unauthorized || s == Status::UnprocessableEntity,
            "{s}"
        );
    }
    let (s, _) = app
        .post(
            "/api/auth/login",
            None,
            json!({"username": user, "password": password, "extra": wrong}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    // Changing and resetting passwords (and a refused change).
    let (s, _) = app
        .post(
            "/api/auth/password",
            Some(&officer),
            json!({"current_password": wrong, "new_password": changed}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    let (s, v) = app
        .post(
            "/api/auth/password",
            Some(&officer),
            json!({"current_password": password, "new_password": changed}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let account = v["account"]["id"].as_i64().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/accounts/{account}/password"),
            Some(&admin),
            json!({"new_password": reset}),
        )
        .await;
    assert_eq!(s, Status::Ok);
    let officer = app.token(&user, reset).await;
    // Creating cadres, a duplicate, failed validations, a search by number, a change of number.
    let id = create_cadre(&app, &officer, "Nguyễn Văn Nhật Ký", &pids[0], "26734").await;
    let (s, _) = app
        .post(
            "/api/cadres",
            Some(&officer),
            cadre_body("Trần Văn Trùng", &pids[0], "26734"),
        )
        .await;
    assert_eq!(s, Status::Conflict);
    let mut bad = cadre_body("Lê Văn Sai", &pids[1], "26734");
    bad["birth_date"] = json!("2030-01-01");
    let (s, _) = app.post("/api/cadres", Some(&officer), bad).await;
    assert_eq!(s, Status::UnprocessableEntity);
    let (s, _) = app
        .post(
            "/api/cadres",
            Some(&officer),
            cadre_body("Lê Văn Xa", &pids[1], "27127"),
        )
        .await;
    assert_eq!(s, Status::Forbidden);
    let (s, _) = app
        .post(
            "/api/cadres",
            Some(&officer),
            json!({"personal_id": pids[1].parse::<i64>().unwrap()}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    let (s, _, _) = app
        .request(
            Method::Post,
            "/api/cadres",
            Some(&officer),
            Some((
                ContentType::JSON,
                format!("{{\"personal_id\": \"{}\"", pids[1]).into_bytes(),
            )),
            &[],
        )
        .await;
    assert_eq!(s, Status::BadRequest);
    let (s, _) = app
        .get(&format!("/api/cadres?q={}", pids[0]), Some(&officer))
        .await;
    assert_eq!(s, Status::Ok);
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{id}"),
            Some(&officer),
            json!({"personal_id": pids[2]}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    // Importing a roster: a dry run, a commit, a failing file, qualifications.
    let rows: Vec<String> = vec![
        format!(
            "{};Phạm Thị Nhập;Nữ;15/03/1980;Kinh;26734;Mặt trận Tổ quốc;01/01/2015;;;;",
            pids[3]
        ),
        format!(
            "{};Võ Văn Nhập;Nam;1985-07-02;Kinh;26737;Đoàn Thanh niên;2016-01-01;;;;",
            pids[4]
        ),
    ];
    for query in ["dry_run=true&file_name=roster.csv", "file_name=roster.csv"] {
        let (s, v) = app
            .post_raw(
                &format!("/api/imports/cadres?{query}"),
                Some(&officer),
                ContentType::CSV,
                roster(&rows),
            )
            .await;
        assert_eq!(s, Status::Ok, "{v}");
    }
    let failing = vec![
        format!(
            "{};Đỗ Văn Lỗi;Nam;31/02/1985;Kinh;26734;Mặt trận Tổ quốc;;;;;",
            pids[5]
        ),
        format!(
            "{};Đỗ Văn Lỗi Hai;Nam;01/02/1985;Kinh;27127;Mặt trận Tổ quốc;;;;;",
            pids[6]
        ),
        format!(
            "{};Trùng Số;Nam;01/02/1985;Kinh;26734;Mặt trận Tổ quốc;;;;;",
            pids[6]
        ),
    ];
    let (s, v) = app
        .post_raw(
            "/api/imports/cadres",
            Some(&officer),
            ContentType::CSV,
            roster(&failing),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let quals = format!("Số CCCD/CMND;Mã loại trình độ;Mã trình độ;Ngày cấp\r\n{};political_theory;intermediate;01/01/2020\r\n{};political_theory;intermediate;01/01/2020\r\n", pids[3], pids[5]);
    let (s, _) = app
        .post_raw(
            "/api/imports/qualifications",
            Some(&officer),
            ContentType::CSV,
            quals.into_bytes(),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    // A cadre's calendar feed: its secret token is in the path.
    let (s, v) = app.post("/api/accounts", Some(&admin), json!({"username": format!("log.cadre.{tag}"), "password": password, "role": "cadre", "unit_code": "26734", "cadre_id": id})).await;
    assert_eq!(s, Status::Created, "{v}");
    let cadre = app.token(&format!("log.cadre.{tag}"), password).await;
    let (_, feed) = app
        .post("/api/me/calendar-token", Some(&cadre), json!({}))
        .await;
    let feed_token = feed["token"].as_str().unwrap().to_string();
    let (s, _, _) = app.get_bytes(feed["path"].as_str().unwrap(), None).await;
    assert_eq!(s, Status::Ok);
    // The token where no route matches (Rocket's own line named the whole URI), an unknown
    // token, personal ids in query strings and in a path.
    let unknown_token: String = feed_token.chars().rev().collect();
    for (method, path, status) in [
        (Method::Get, format!("/api/feeds/{feed_token}.ics/x"), 404),
        (Method::Post, format!("/api/feeds/{feed_token}.ics"), 405),
        (Method::Get, format!("/api/feeds/{unknown_token}.ics"), 404),
        (Method::Get, format!("/nope?personal_id={}", pids[6]), 404),
        // A parameter the roster does not take is refused (422), its value not logged either.
        (
            Method::Get,
            format!("/api/cadres?personal_id={}&q={}", pids[6], pids[5]),
            422,
        ),
        (Method::Get, format!("/api/cadres?q={}", pids[5]), 200),
        (Method::Get, format!("/api/cadres/{}", pids[6]), 404),
    ] {
        let (s, _, _) = app.request(method, &path, Some(&officer), None, &[]).await;
        assert_eq!(s.code, status, "{method} {path}");
    }
    // Usernames that would forge a line or colour the terminal (from an address of their own,
    // so the login limit of the test's address is not used up).
    let forged = format!("{user}\ninfo forged");
    let red = format!("{user}\x1b[31mred");
    // A line break is text, so the forged line is a wrong login; the escape character is
    // refused at the field before any lookup (422 control_character).
    for (u, refused) in [
        (&forged, Status::Unauthorized),
        (&red, Status::UnprocessableEntity),
    ] {
        let (s, _, _) = app
            .request(
                Method::Post,
                "/api/auth/login",
                None,
                Some((
                    ContentType::JSON,
                    json!({"username": u, "password": wrong})
                        .to_string()
                        .into_bytes(),
                )),
                &[("X-Real-IP", "192.0.2.14")],
            )
            .await;
        assert_eq!(s, refused, "{u:?}");
    }

    // Values of the wrong type: refused (422) before any handler runs; Rocket's warning about the
    // failed guard quoted them (a password sent as a number, a personal id as a number).
    let numeric_password = if tag == "s" {
        98765432109871_i64
    } else {
        98765432109872
    };
    let numeric_pid = if tag == "s" {
        79090000111_i64
    } else {
        79090000112
    };
    for (path, token, body) in [
        (
            "/api/auth/login",
            None,
            json!({"username": "admin", "password": numeric_password}),
        ),
        (
            "/api/auth/password",
            Some(officer.as_str()),
            json!({"current_password": "x", "new_password": numeric_password}),
        ),
        (
            "/api/cadres",
            Some(admin.as_str()),
            json!({"full_name": "Nguyễn Văn Số", "personal_id": numeric_pid}),
        ),
    ] {
        let (s, v) = app.post(path, token, body).await;
        assert_eq!(s, Status::UnprocessableEntity, "{path}: {v}");
    }
    let log = captured_log();
    // Usernames are not logged at all (an account id is), so neither can forge a line.
    assert!(
        !log.contains(&forged) && !log.contains(&red),
        "a username in the log:\n{log}"
    );
    assert!(
        !log.lines().any(|l| l.starts_with("info forged")),
        "a forged line"
    );
    assert!(!log.contains('\x1b'), "a raw escape character in the log");
    // Rocket's own per-request lines are gone (they logged whole URIs).
    for rocket_line in [
        "No matching routes",
        "catcher",
        "Matched:",
        "Data guard",
        "Request guard",
    ] {
        assert!(
            !log.contains(rocket_line),
            "Rocket's own line {rocket_line:?} in the log"
        );
    }
    // The capture works: this test's logins and requests are in it.
    assert!(
        log.contains("/api/auth/login"),
        "the log was not captured:\n{log}"
    );
    assert!(
        !log.contains(&user),
        "usernames are not logged (an account id is)"
    );
    assert!(
        log.contains("/api/imports/cadres"),
        "no request lines captured"
    );
    for secret in [
        password,
        wrong,
        changed,
        reset,
        crate::helpers::ADMIN_PASSWORD,
        "lop-hoc-dan-van-2026",
        feed_token.as_str(),
        unknown_token.as_str(),
        &numeric_password.to_string(),
        &numeric_pid.to_string(),
    ] {
        assert!(
            !log.contains(secret),
            "the log contains the secret {secret:?}"
        );
    }
    for pid in &pids {
        assert!(
            !log.contains(pid.as_str()),
            "the log contains the personal id {pid}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Log floods.

/// An in-memory log of one test's own requests.
#[derive(Clone, Default)]
struct OwnLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for OwnLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl OwnLog {
    fn lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().unwrap())
            .lines()
            .map(String::from)
            .collect()
    }
}

/// Sends `n` unauthenticated requests to `/nope` with the service's log format (default filter)
/// writing into a log of this task's own (Rocket's `log` records included).
async fn nope(app: &TestApp, n: usize, log: &OwnLog) {
    use tracing::instrument::WithSubscriber;
    let writer = log.clone();
    let dispatch = tracing::Dispatch::new(cadre_training::logging::subscriber(
        tracing_subscriber::EnvFilter::new(cadre_training::logging::DEFAULT_FILTER),
        move || writer.clone(),
    ));
    async {
        for _ in 0..n {
            let (s, _, _) = app.request(Method::Get, "/nope", None, None, &[]).await;
            assert_eq!(s, Status::NotFound);
        }
    }
    .with_subscriber(dispatch)
    .await;
}

/// Each 404 used to write two WARN and one ERROR line of Rocket's besides the request's own; a
/// flood is now one `info` line per request at most, and beyond `log_lines_per_sec` a summary.
async fn a_flood_of_404s_writes_one_line_each_at_most(app: TestApp) {
    let log = OwnLog::default();
    nope(&app, 100, &log).await;
    let lines = log.lines();
    assert_eq!(
        lines.len(),
        100,
        "one line per request:\n{}",
        lines.join("\n")
    );
    for l in &lines {
        assert!(
            l.contains(" INFO ") && l.contains("path=/nope") && l.contains("status=404"),
            "{l}"
        );
    }
    // Over the limit, the lines are counted and summed up.
    let limited = app
        .another_instance(&[("log_lines_per_sec", json!(10))])
        .await;
    let log = OwnLog::default();
    let started = std::time::Instant::now();
    nope(&limited, 100, &log).await;
    let seconds = started.elapsed().as_secs();
    rocket::tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    nope(&limited, 1, &log).await;
    let lines = log.lines();
    let requests = lines.iter().filter(|l| l.contains("path=/nope")).count() as u64;
    let summaries: Vec<&String> = lines.iter().filter(|l| l.contains("left out")).collect();
    let left_out: u64 = summaries
        .iter()
        .map(|l| {
            l.split("suppressed=")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or_else(|| panic!("no count in {l}"))
        })
        .sum();
    assert_eq!(
        requests + left_out,
        101,
        "every request written or counted:\n{}",
        lines.join("\n")
    );
    assert!(
        requests <= 10 * (seconds + 2),
        "{requests} lines in {seconds} s"
    );
    assert!(
        !summaries.is_empty() && summaries.iter().all(|l| l.contains(" WARN ")),
        "{lines:?}"
    );
    assert_eq!(
        lines.len() as u64,
        requests + summaries.len() as u64,
        "{lines:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Security headers.

fn header<'a>(h: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    h.iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The directives of a Content-Security-Policy.
fn csp(value: &str) -> BTreeMap<String, Vec<String>> {
    value
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            let name = words.next()?.to_ascii_lowercase();
            Some((name, words.map(str::to_string).collect()))
        })
        .collect()
}

async fn security_headers_on_ui_api_and_errors(app: TestApp) {
    let admin = app.admin_token().await;
    let pages: Vec<(&str, Option<&str>, u16)> = vec![
        ("/", None, 200),
        ("/index.html", None, 200),
        ("/app.js", None, 200),
        ("/api/modules", Some(&admin), 200),
        ("/api/openapi.json", None, 200),
        ("/health", None, 200),
        ("/api/cadres/99999999", Some(&admin), 404),
        ("/api/me", None, 401),
        ("/api/accounts?limit=x", Some(&admin), 422),
        ("/no/such/page", None, 404),
    ];
    for (path, token, status) in pages {
        let (s, h, body) = app.get_bytes(path, token).await;
        assert_eq!(s.code, status, "{path}");
        let one = |name: &str| {
            let v = header(&h, name);
            assert_eq!(v.len(), 1, "{path}: {name} should be sent once: {h:?}");
            v[0].to_string()
        };
        assert_eq!(one("X-Content-Type-Options"), "nosniff", "{path}");
        assert_eq!(one("X-Frame-Options"), "DENY", "{path}");
        assert_eq!(one("Referrer-Policy"), "no-referrer", "{path}");
        let policy = csp(&one("Content-Security-Policy"));
        let scripts = policy
            .get("script-src")
            .or_else(|| policy.get("default-src"))
            .unwrap_or_else(|| panic!("{path}: no script-src"));
        assert!(
            scripts.iter().all(|s| s == "'self'"),
            "{path}: scripts only from the service: {policy:?}"
        );
        for d in ["default-src", "style-src"] {
            assert!(
                !policy[d].iter().any(|s| s.contains("unsafe")),
                "{path}: {d} {policy:?}"
            );
        }
        assert_eq!(policy["frame-ancestors"], ["'none'"], "{path}");
        assert_eq!(policy["object-src"], ["'none'"], "{path}");
        assert_eq!(policy["base-uri"], ["'none'"], "{path}");
        // Errors are JSON, never a page that could run script.
        if status >= 400 && path.starts_with("/api") {
            assert!(
                one("Content-Type").starts_with("application/json"),
                "{path}"
            );
            serde_json::from_slice::<Value>(&body).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
    }
    // nosniff needs the right types: the script is served as JavaScript.
    let (_, h, _) = app.get_bytes("/app.js", None).await;
    assert!(
        header(&h, "Content-Type")[0].contains("javascript"),
        "{h:?}"
    );
    // The page itself has no inline script or style for the policy to forbid.
    let (_, _, page) = app.get_bytes("/", None).await;
    let page = String::from_utf8(page).unwrap();
    assert!(
        !page.contains("<script>") && !page.contains("style=") && !page.contains("<style"),
        "{page}"
    );
    // The one exception, documented in src/security.rs: the vendored Swagger UI page.
    let (s, h, _) = app.get_bytes("/api/docs/", None).await;
    assert_eq!(s, Status::Ok);
    let policy = csp(header(&h, "Content-Security-Policy")[0]);
    assert_eq!(policy["frame-ancestors"], ["'none'"]);
    assert_eq!(header(&h, "X-Content-Type-Options"), ["nosniff"]);
}

// ---------------------------------------------------------------------------------------------
// The generated admin password goes to a private file, not to the log.

async fn generated_admin_password(backend: Backend) {
    captured_log();
    let Some(app) = TestApp::spawn(backend, &[("admin_password", json!(""))]).await else {
        return;
    };
    let file = app.state().config.data_dir.join("admin-password");
    let password =
        std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let password = password.trim();
    assert!(password.len() >= 16, "{password:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let token = app.token("admin", password).await;
    assert_eq!(app.get("/api/accounts", Some(&token)).await.0, Status::Ok);
    let log = captured_log();
    assert!(
        !log.contains(password),
        "the generated password is in the log"
    );
    assert!(
        log.contains(&file.display().to_string()),
        "the log names the file:\n{log}"
    );
    // A second start over the same database creates nothing and leaves the file alone.
    cadre_training::accounts::routes::bootstrap_admin(
        &app.state().db,
        None,
        &app.state().config.data_dir,
    )
    .await
    .unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), password);
}

mod generated_admin_password_is_in_a_private_file {
    use crate::helpers::Backend;

    #[rocket::async_test]
    async fn sqlite() {
        super::generated_admin_password(Backend::Sqlite).await
    }

    #[rocket::async_test]
    async fn postgres() {
        super::generated_admin_password(Backend::Postgres).await
    }
}
