//! Gap reports on hand-built cases: every requirement kind and every as-of rule, drill-down,
//! totals, populations, scope, training demand, two dates compared, a cadre's own gaps.

use cadre_training::shared::clock::city_today;
use chrono::Duration;
use rocket::http::Status;
use serde_json::{json, Value};

use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    report_as_of_dates,
    drill_down_populations_and_scope,
    demand_compare_and_own_gaps,
    demand_counts_the_seats_that_cover_the_need,
    city_and_district_reports_agree,
    each_report_reads_its_own_query_names,
    reference_data_is_cached_until_any_instance_writes,
    a_file_of_the_whole_country_is_named_for_any_system
);

pub(crate) struct World {
    pub(crate) admin: String,
    school: String,
    a: i64,
    pub(crate) b: i64,
    c: i64,
    d: i64,
}

async fn cadre(
    app: &TestApp,
    t: &str,
    name: &str,
    pid: &str,
    unit: &str,
    born: &str,
    party: Option<&str>,
) -> i64 {
    let (s, v) = app
        .post("/api/cadres", Some(t), json!({"full_name": name, "gender": "female", "birth_date": born, "ethnicity": "Kinh",
            "personal_id": pid, "unit_code": unit, "organisation": "fatherland_front", "party_joined_on": party, "unit_since": "2010-01-01"}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    v["id"].as_i64().unwrap()
}

async fn qual(app: &TestApp, t: &str, id: i64, scale: &str, level: &str, on: &str) {
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/qualifications"),
            Some(t),
            json!({"scale": scale, "level": level, "obtained_on": on}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
}

async fn paper(app: &TestApp, t: &str, id: i64, module: &str, on: &str) {
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/completions"),
            Some(t),
            json!({"module_code": module, "completed_on": on, "source_ref": "Sổ lưu"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
}

async fn title(
    app: &TestApp,
    t: &str,
    id: i64,
    kind: &str,
    title: &str,
    from: &str,
    to: Option<&str>,
) {
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/{kind}"),
            Some(t),
            json!({"title_code": title, "from_date": from, "to_date": to}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
}

/// A: meets in 2015; its DV-01 (a class certificate) is revoked on 2016-06-01; DV-03 (2013) goes stale in 2018.
/// B: elementary political theory only. C: moves from 26737 (Quận 1) to 26764 (Quận 12) on 2018-01-01,
/// chair of each ward's Front in turn.
/// D: planned successor with nothing. E: held a vice-chair title in 2012–2013, before any standard.
pub(crate) async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school1", "school", None).await;
    let a = cadre(
        app,
        &admin,
        "Nguyễn Thị An",
        "079190000001",
        "26734",
        "1970-06-15",
        Some("2005-01-01"),
    )
    .await;
    let b = cadre(
        app,
        &admin,
        "Trần Thị Bình",
        "079190000002",
        "26764",
        "1975-01-01",
        Some("2000-01-01"),
    )
    .await;
    let c = cadre(
        app,
        &admin,
        "Lê Thị Cúc",
        "079190000003",
        "26737",
        "1980-01-01",
        Some("2010-01-01"),
    )
    .await;
    let d = cadre(
        app,
        &admin,
        "Phạm Văn Dũng",
        "079190000004",
        "26734",
        "1990-01-01",
        None,
    )
    .await;
    let e = cadre(
        app,
        &admin,
        "Võ Văn Em",
        "079190000005",
        "26740",
        "1960-01-01",
        Some("1990-01-01"),
    )
    .await;
    for (id, pt, pt_on) in [
        (a, "intermediate", "2010-01-01"),
        (b, "elementary", "2008-01-01"),
        (c, "intermediate", "2012-01-01"),
    ] {
        qual(app, &admin, id, "political_theory", pt, pt_on).await;
        qual(
            app,
            &admin,
            id,
            "professional_education",
            "bachelor",
            "2000-01-01",
        )
        .await;
    }
    paper(app, &school, a, "DV-03", "2013-05-01").await;
    paper(app, &school, b, "DV-01", "2011-01-01").await;
    paper(app, &school, b, "DV-03", "2014-01-01").await;
    paper(app, &school, c, "DV-01", "2012-01-01").await;
    paper(app, &school, c, "DV-03", "2015-01-01").await;
    // A's DV-01 through a class finished on 2012-03-01, then revoked from 2016-06-01.
    let today = city_today();
    let (s, v) = app
        .post("/api/classes", Some(&school), json!({"code": "DV01-2012", "module_code": "DV-01", "organiser": "Trường Cán bộ", "capacity": 5,
            "enrol_opens": (today - Duration::days(1)).to_string(), "enrol_closes": (today + Duration::days(1)).to_string(),
            "sessions": [{"starts_at": "2012-02-01T08:00", "ends_at": "2012-02-01T11:00", "venue": "P1", "instructor": "G1"}]}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let sid = v["sessions"][0]["id"].as_i64().unwrap();
    app.post(
        "/api/classes/DV01-2012/status",
        Some(&school),
        json!({"status": "open"}),
    )
    .await;
    let eid = app
        .post(
            "/api/classes/DV01-2012/enrolments",
            Some(&school),
            json!({"cadre_id": a}),
        )
        .await
        .1["id"]
        .as_i64()
        .unwrap();
    app.post(
        "/api/classes/DV01-2012/status",
        Some(&school),
        json!({"status": "running"}),
    )
    .await;
    app.put(
        &format!("/api/classes/DV01-2012/sessions/{sid}/attendance"),
        Some(&school),
        json!({"records": [{"enrolment_id": eid, "status": "present"}]}),
    )
    .await;
    app.put(
        "/api/classes/DV01-2012/results",
        Some(&school),
        json!({"results": [{"enrolment_id": eid, "score": 9, "passed": true}]}),
    )
    .await;
    let (s, v) = app
        .post(
            "/api/classes/DV01-2012/status",
            Some(&school),
            json!({"status": "finished", "finished_on": "2012-03-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, done) = app
        .get("/api/classes/DV01-2012/completions", Some(&school))
        .await;
    let cert = done["items"][0]["certificate_no"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, v) = app
        .post(
            &format!("/api/certificates/{cert}/revoke"),
            Some(&school),
            json!({"reason": "Sai sót hồ sơ", "revoked_on": "2016-06-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    for id in [a, b] {
        title(
            app,
            &admin,
            id,
            "titles",
            "FF-CHAIR-COMMUNE",
            "2014-01-01",
            None,
        )
        .await;
    }
    // C chairs 26737's Front until the move, then 26764's (a move leaves no title behind).
    title(
        app,
        &admin,
        c,
        "titles",
        "FF-CHAIR-COMMUNE",
        "2014-01-01",
        Some("2017-12-31"),
    )
    .await;
    title(
        app,
        &admin,
        d,
        "plans",
        "FF-CHAIR-COMMUNE",
        "2015-01-01",
        None,
    )
    .await;
    title(
        app,
        &admin,
        e,
        "titles",
        "FF-VICE-COMMUNE",
        "2012-01-01",
        Some("2013-12-31"),
    )
    .await;
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{c}"),
            Some(&admin),
            json!({"unit_code": "26764", "moved_on": "2018-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    title(
        app,
        &admin,
        c,
        "titles",
        "FF-CHAIR-COMMUNE",
        "2018-01-01",
        None,
    )
    .await;
    World {
        admin,
        school,
        a,
        b,
        c,
        d,
    }
}

fn row<'a>(report: &'a Value, unit: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_code"] == unit)
        .unwrap_or_else(|| panic!("no row {unit} in {report}"))
}

fn counts(r: &Value) -> (i64, i64, i64) {
    (
        r["assessed"].as_i64().unwrap(),
        r["meeting"].as_i64().unwrap(),
        r["short"].as_i64().unwrap(),
    )
}

fn assert_totals_add_up(report: &Value) {
    let rows = report["rows"].as_array().unwrap();
    for k in ["assessed", "meeting", "short", "no_standard"] {
        let sum: i64 = rows.iter().map(|r| r[k].as_i64().unwrap()).sum();
        assert_eq!(report["totals"][k].as_i64().unwrap(), sum, "{k}");
    }
}

async fn report_as_of_dates(app: TestApp) {
    let w = world(&app).await;
    let t = &w.admin;
    // 2015-12-31, standard v1: A and C (then in Quận 1) meet; B is short of political theory.
    let (s, r) = app
        .get("/api/reports/gaps?unit=79&as_of=2015-12-31", Some(t))
        .await;
    assert_eq!(s, Status::Ok, "{r}");
    assert_eq!(r["rows"].as_array().unwrap().len(), 22);
    assert_eq!(counts(row(&r, "760")), (2, 2, 0));
    assert_eq!(counts(row(&r, "761")), (1, 0, 1));
    assert_eq!(
        row(&r, "761")["short_by_requirement"],
        json!({"min_level:political_theory": 1})
    );
    assert_eq!(row(&r, "761")["compliance_pct"], 0.0);
    assert_eq!(counts(&r["totals"]), (3, 2, 1));
    assert_eq!(r["totals"]["compliance_pct"], 66.7);
    assert_eq!(
        r["totals"]["by_gender"]["female"],
        json!({"assessed": 3, "meeting": 2, "short": 1})
    );
    assert_eq!(
        r["totals"]["by_age_band"]["35_44"],
        json!({"assessed": 2, "meeting": 1, "short": 1})
    );
    assert_eq!(r["totals"]["by_minority"]["majority"]["assessed"], 3);
    assert_totals_add_up(&r);
    // A completion revoked after D still counts at D; from the revocation on it does not.
    let (_, r) = app
        .get(
            "/api/reports/gaps?unit=760&as_of=2016-07-01&group=lowest",
            Some(t),
        )
        .await;
    assert_eq!(counts(row(&r, "26734")), (1, 0, 1));
    assert_eq!(
        row(&r, "26734")["short_by_requirement"],
        json!({"module:DV-01": 1})
    );
    assert_eq!(counts(row(&r, "26737")), (1, 1, 0));
    assert_totals_add_up(&r);
    // 2019: C has moved to Quận 12 and counts there; A's DV-03 (2013) is older than 5 years.
    let (_, r) = app
        .get("/api/reports/gaps?unit=79&as_of=2019-01-01", Some(t))
        .await;
    assert_eq!(counts(row(&r, "760")), (1, 0, 1));
    assert_eq!(
        row(&r, "760")["short_by_requirement"],
        json!({"module:DV-01": 1, "module:DV-03": 1})
    );
    assert_eq!(counts(row(&r, "761")), (2, 1, 1));
    // 2021: version 2 adds DV-11 within 3 years: nobody has it.
    let (_, r) = app
        .get("/api/reports/gaps?unit=79&as_of=2021-06-01", Some(t))
        .await;
    assert_eq!(r["totals"]["short_by_requirement"]["module:DV-11"], 3);
    assert_eq!(r["totals"]["meeting"], 0);
    // 2013: E held a title before any standard: counted apart, not dropped.
    let (_, r) = app
        .get("/api/reports/gaps?unit=79&as_of=2013-06-01", Some(t))
        .await;
    assert_eq!(r["totals"]["no_standard"], 1);
    assert_eq!(r["totals"]["assessed"], 0);
    assert_eq!(row(&r, "760")["no_standard"], 1);
    // A version that starts tomorrow is not in force today.
    let tomorrow = (city_today() + Duration::days(1)).to_string();
    let (s, v) = app
        .post(
            "/api/titles/FF-CHAIR-COMMUNE/standards",
            Some(t),
            json!({"effective_from": tomorrow, "requirements": [{"kind": "max_age", "years": 20}]}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (_, today) = app
        .get("/api/reports/gaps/cadres?unit=79&status=all", Some(t))
        .await;
    assert!(
        today["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["standard_version"] == 2),
        "{today}"
    );
    let (_, later) = app
        .get(
            &format!("/api/reports/gaps/cadres?unit=79&status=all&as_of={tomorrow}"),
            Some(t),
        )
        .await;
    assert!(later["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["standard_version"] == 3));
    let _ = (w.a, w.b, w.c, w.d, &w.school);
}

async fn drill_down_populations_and_scope(app: TestApp) {
    let w = world(&app).await;
    let t = &w.admin;
    let (_, r) = app
        .get("/api/reports/gaps?unit=79&as_of=2019-01-01", Some(t))
        .await;
    // The cadres behind a cell match its count, each with the unmet requirement.
    let (s, cell) = app
        .get(
            "/api/reports/gaps/cadres?unit=760&as_of=2019-01-01&requirement=module:DV-03",
            Some(t),
        )
        .await;
    assert_eq!(s, Status::Ok, "{cell}");
    assert_eq!(
        cell["total"],
        row(&r, "760")["short_by_requirement"]["module:DV-03"]
    );
    // A requirement no standard of the day has is refused, naming it, not an empty list read as
    // "nobody is short of it"; DV-11 came in with the 2020 versions.
    for (key, day) in [
        ("garbage", "2019-01-01"),
        ("module:ZZZ", "2019-01-01"),
        ("module:DV-11", "2019-01-01"),
    ] {
        let (s, v) = app
            .get(
                &format!("/api/reports/gaps/cadres?unit=760&as_of={day}&requirement={key}"),
                Some(t),
            )
            .await;
        assert_eq!(
            (s, v["error"]["field"].clone(), v["error"]["reason"].clone()),
            (
                Status::UnprocessableEntity,
                json!("requirement"),
                json!("no_requirement_key")
            ),
            "{key}: {v:.300}"
        );
        assert_eq!(v["error"]["params"]["requirement"], key, "{v:.300}");
    }
    let (s, v) = app
        .get(
            "/api/reports/gaps/cadres?unit=760&as_of=2021-06-01&requirement=module:DV-11",
            Some(t),
        )
        .await;
    assert_eq!(s, Status::Ok, "in force by 2021: {v:.300}");
    let a = &cell["items"][0];
    assert_eq!(a["cadre_id"], w.a);
    let unmet: Vec<&Value> = a["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["met"] == false)
        .collect();
    assert!(
        unmet
            .iter()
            .any(|c| c["reason"] == "DV-03: last completed 2013-05-01, older than 5 years"),
        "{a}"
    );
    let (_, short) = app
        .get("/api/reports/gaps/cadres?unit=79&as_of=2019-01-01", Some(t))
        .await;
    assert_eq!(short["total"], r["totals"]["short"]);
    let (_, meeting) = app
        .get(
            "/api/reports/gaps/cadres?unit=79&as_of=2019-01-01&status=meeting",
            Some(t),
        )
        .await;
    assert_eq!(meeting["total"], r["totals"]["meeting"]);
    assert_eq!(meeting["items"][0]["cadre_id"], w.c);
    // Planned successors: D only, and short of everything it can be short of.
    let (_, p) = app
        .get(
            "/api/reports/gaps?unit=79&as_of=2015-12-31&population=planned",
            Some(t),
        )
        .await;
    assert_eq!(counts(&p["totals"]), (1, 0, 1));
    let (_, both) = app
        .get(
            "/api/reports/gaps?unit=79&as_of=2015-12-31&population=both",
            Some(t),
        )
        .await;
    assert_eq!(counts(&both["totals"]), (4, 2, 2));
    let (_, none) = app
        .get(
            "/api/reports/gaps?unit=79&as_of=2015-12-31&org_kind=youth_union",
            Some(t),
        )
        .await;
    assert_eq!(counts(&none["totals"]), (0, 0, 0));
    let (_, one) = app
        .get(
            "/api/reports/gaps?unit=79&as_of=2015-12-31&title=ff-chair-commune",
            Some(t),
        )
        .await;
    assert_eq!(counts(&one["totals"]), (3, 2, 1));
    // Errors name the parameter.
    for (q, field) in [
        ("population=everyone", "population"),
        ("group=flat", "group"),
        ("as_of=2015-13-01", "as_of"),
        ("org_kind=club", "org_kind"),
    ] {
        let (s, v) = app.get(&format!("/api/reports/gaps?{q}"), Some(t)).await;
        assert_eq!(s, Status::UnprocessableEntity, "{q}: {v}");
        assert_eq!(v["error"]["field"], field, "{q}");
    }
    // A unit that does not exist is not found.
    let (s, v) = app.get("/api/reports/gaps?unit=123456", Some(t)).await;
    assert_eq!(
        (s, v["error"]["code"].clone()),
        (Status::NotFound, json!("not_found")),
        "{v}"
    );
    // Scope: an officer of Quận 1 gets Quận 1 by default and nothing else; a cadre gets nothing.
    let officer = app.account(t, "officer.q1", "officer", Some("760")).await;
    let (s, r) = app
        .get(
            "/api/reports/gaps?as_of=2015-12-31&group=lowest",
            Some(&officer),
        )
        .await;
    assert_eq!(s, Status::Ok, "{r}");
    assert_eq!(r["unit_code"], "760");
    assert_eq!(counts(&r["totals"]), (2, 2, 0));
    assert_eq!(
        app.get("/api/reports/gaps?unit=79", Some(&officer)).await.0,
        Status::Forbidden
    );
    assert_eq!(
        app.get("/api/reports/gaps/cadres?unit=761", Some(&officer))
            .await
            .0,
        Status::Forbidden
    );
    let (_, mine) = app
        .get(
            "/api/reports/gaps/cadres?as_of=2019-01-01&status=all",
            Some(&officer),
        )
        .await;
    assert!(
        !mine.to_string().contains("Trần Thị Bình") && !mine.to_string().contains("Lê Thị Cúc"),
        "{mine}"
    );
    let (s, v) = app.post("/api/accounts", Some(t), json!({"username": "cadre.an", "password": "lop-hoc-dan-van-2026", "role": "cadre", "unit_code": "26734", "cadre_id": w.a})).await;
    assert_eq!(s, Status::Created, "{v}");
    let cadre = app.token("cadre.an", "lop-hoc-dan-van-2026").await;
    assert_eq!(
        app.get("/api/reports/gaps", Some(&cadre)).await.0,
        Status::Forbidden
    );
}

/// Training demand counts the seats that cover the need: the classes are the whole city's, so a
/// seat held by a cadre who does not need the module (or of another unit) covers nobody in the
/// report. Per module: `enrolled` (those who need it here and hold a seat), `seats_free` (seats
/// nobody holds) and `remaining` = needed − enrolled − seats_free; `seats_planned` stays the
/// classes' capacity. Before, a district's demand subtracted every seat of the city's classes,
/// taken or not, and read "0 remaining" with nobody of the district seated.
async fn demand_counts_the_seats_that_cover_the_need(app: TestApp) {
    use crate::classes::{enrol, one_session, open_class};
    let w = world(&app).await;
    let day = (city_today() + Duration::days(30)).to_string();
    open_class(
        &app,
        &w.school,
        "LLCT-TC-X",
        "LLCT-TC",
        2,
        one_session(&day),
    )
    .await;
    let llct = |d: &Value| -> Value {
        d["modules"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|m| m["module_code"] == "LLCT-TC")
            .cloned()
            .unwrap_or_else(|| panic!("no LLCT-TC: {d:.300}"))
    };
    let figures = |m: &Value| -> Vec<i64> {
        [
            "needed",
            "seats_planned",
            "enrolled",
            "seats_free",
            "remaining",
        ]
        .iter()
        .map(|k| m[*k].as_i64().unwrap_or(-1))
        .collect()
    };
    // B, of Quận 12 (761), needs it (intermediate political theory).
    let demand = |unit: &'static str| {
        let (app, school) = (&app, &w.school);
        async move {
            let (s, d) = app
                .get(
                    &format!("/api/reports/training-demand?unit={unit}"),
                    Some(school),
                )
                .await;
            assert_eq!(s, Status::Ok, "{d:.300}");
            llct(&d)
        }
    };
    let m = demand("761").await;
    let needed = m["needed"].as_i64().unwrap();
    assert!(needed >= 1, "{m}");
    assert_eq!(figures(&m), [needed, 2, 0, 2, (needed - 2).max(0)], "{m}");
    // Both seats taken by cadres of Quận 1 who hold no title: Quận 12's need is uncovered.
    let mut others = vec![];
    for (name, pid) in [
        ("Đỗ Văn Một", "079180000771"),
        ("Đỗ Văn Hai", "079180000772"),
    ] {
        let id = crate::cadres::create(&app, &w.admin, name, pid, "26734").await;
        let (s, v) = enrol(&app, &w.school, "LLCT-TC-X", Some(id)).await;
        assert_eq!(s, Status::Created, "{v:.300}");
        others.push(v["id"].as_i64().unwrap());
    }
    let m = demand("761").await;
    assert_eq!(figures(&m), [needed, 2, 0, 0, needed], "{m}");
    // One of them withdraws and B takes the seat: B is covered, here and in the city's report.
    let (s, v) = app
        .post(
            &format!("/api/classes/LLCT-TC-X/enrolments/{}/withdraw", others[0]),
            Some(&w.school),
            json!({"reason": "đổi lịch"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, v) = enrol(&app, &w.school, "LLCT-TC-X", Some(w.b)).await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let m = demand("761").await;
    assert_eq!(figures(&m), [needed, 2, 1, 0, needed - 1], "{m}");
    let city = demand("79").await;
    assert_eq!(city["enrolled"], 1, "{city}");
    assert_eq!(city["seats_free"], 0, "{city}");
    assert!(
        city["module_title_en"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "{city}"
    );
}

async fn demand_compare_and_own_gaps(app: TestApp) {
    let w = world(&app).await;
    let t = &w.admin;
    // B lacks intermediate political theory: the module that awards it is LLCT-TC.
    let today = city_today();
    let (s, v) = app
        .post("/api/classes", Some(&w.school), json!({"code": "LLCT-TC-26", "module_code": "LLCT-TC", "organiser": "Trường Cán bộ", "capacity": 30,
            "enrol_opens": (today - Duration::days(1)).to_string(), "enrol_closes": "2027-03-01",
            "sessions": [{"starts_at": "2027-03-01T08:00", "ends_at": "2027-03-01T11:00", "venue": "P9", "instructor": "G9"}]}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, d) = app
        .get(
            "/api/reports/training-demand?unit=79&as_of=2015-12-31",
            Some(&w.school),
        )
        .await;
    assert_eq!(s, Status::Ok, "{d}");
    let m = &d["modules"][0];
    assert_eq!(m["module_code"], "LLCT-TC");
    assert_eq!(m["needed"], 1);
    assert_eq!(m["seats_planned"], 30);
    assert_eq!(m["remaining"], 0);
    assert_eq!(m["by_unit"][0]["unit_code"], "761");
    // The class's seats count for a day up to its first session's (1 March 2027, 08:00), and not
    // for a day after it: by then it has run.
    for (day, seats) in [("2027-03-01", 30), ("2027-03-02", 0)] {
        let (s, d) = app
            .get(
                &format!("/api/reports/training-demand?unit=79&as_of={day}"),
                Some(&w.school),
            )
            .await;
        assert_eq!(s, Status::Ok, "{d}");
        let m = d["modules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["module_code"] == "LLCT-TC")
            .unwrap_or_else(|| panic!("{day}: {d}"));
        assert_eq!(m["seats_planned"], seats, "{day}: {m}");
        assert_eq!(
            m["remaining"].as_i64(),
            m["needed"].as_i64().map(|n| (n - seats).max(0)),
            "{day}: {m}"
        );
    }
    let (_, d) = app
        .get(
            "/api/reports/training-demand?unit=79&as_of=2021-06-01",
            Some(&w.school),
        )
        .await;
    let dv11 = d["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module_code"] == "DV-11")
        .unwrap();
    assert_eq!(dv11["needed"], 3);
    assert_eq!(dv11["remaining"], 3);
    // Two dates side by side.
    let (s, c) = app
        .get(
            "/api/reports/gaps/compare?unit=79&from=2015-12-31&to=2019-01-01",
            Some(t),
        )
        .await;
    assert_eq!(s, Status::Ok, "{c}");
    let q1 = c["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_code"] == "760")
        .unwrap();
    assert_eq!(q1["from"]["compliance_pct"], 100.0);
    assert_eq!(q1["to"]["compliance_pct"], 0.0);
    assert_eq!(q1["change_pct"], -100.0);
    assert_eq!(c["totals"]["from"]["assessed"], 3);
    let (s, v) = app
        .get("/api/reports/gaps/compare?unit=79&from=2015-12-31", Some(t))
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "to");
    // A cadre's own gaps, with the open class that would close the political-theory gap: offered
    // until it begins (1 March 2027, 08:00 city time), so seen half an hour before.
    let begins = chrono::DateTime::parse_from_rfc3339("2027-03-01T08:00:00+07:00")
        .unwrap()
        .to_utc();
    app.state()
        .clock
        .set_now(Some(begins - chrono::Duration::minutes(30)));
    app.post(
        "/api/classes/LLCT-TC-26/status",
        Some(&w.school),
        json!({"status": "open"}),
    )
    .await;
    let (s, g) = app.get(&format!("/api/cadres/{}/gaps", w.b), Some(t)).await;
    assert_eq!(s, Status::Ok, "{g}");
    let item = &g["items"][0];
    assert_eq!(item["title_code"], "FF-CHAIR-COMMUNE");
    assert_eq!(item["meets"], false);
    let pt = item["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "min_level:political_theory")
        .unwrap();
    assert_eq!(
        pt["reason"],
        "political theory: holds elementary, needs intermediate"
    );
    assert_eq!(pt["open_classes"][0]["class_code"], "LLCT-TC-26");
    // The same through /api/me for the cadre.
    app.post("/api/accounts", Some(t), json!({"username": "cadre.binh", "password": "lop-hoc-dan-van-2026", "role": "cadre", "unit_code": "26764", "cadre_id": w.b})).await;
    let me = app.token("cadre.binh", "lop-hoc-dan-van-2026").await;
    let (_, r) = app.get("/api/me", Some(&me)).await;
    assert_eq!(r["gaps"][0]["title_code"], "FF-CHAIR-COMMUNE");
    assert_eq!(
        app.get(&format!("/api/cadres/{}/gaps", w.a), Some(&me))
            .await
            .0,
        Status::NotFound
    );
    // A class is offered until it begins (1 March 2027, 08:00 city time): half an hour before, it
    // is; from then on cadres and officers no longer enrol in it, and neither the officers' view
    // nor the cadre's record (kept in the record cache since) offers it.
    let offered = |g: &Value| -> Vec<String> {
        g.as_array()
            .into_iter()
            .flatten()
            .flat_map(|t| t["requirements"].as_array().into_iter().flatten())
            .flat_map(|r| r["open_classes"].as_array().into_iter().flatten())
            .filter_map(|c| c["class_code"].as_str().map(str::to_owned))
            .collect()
    };
    // Nor is it offered once its enrolment window has closed, nor before it opens: the enrol
    // route refuses those days.
    let city = |day: &str| {
        chrono::DateTime::parse_from_rfc3339(&format!("{day}T09:00:00+07:00"))
            .unwrap()
            .to_utc()
    };
    let before = (today - Duration::days(2)).to_string();
    app.patch(
        "/api/classes/LLCT-TC-26",
        Some(&w.school),
        json!({"enrol_closes": "2027-02-27"}),
    )
    .await;
    for (at, want) in [
        (city(&before), vec![]),
        (city("2027-02-27"), vec!["LLCT-TC-26"]),
        (city("2027-02-28"), vec![]),
    ] {
        app.state().clock.set_now(Some(at));
        let (_, g) = app.get(&format!("/api/cadres/{}/gaps", w.b), Some(t)).await;
        assert_eq!(offered(&g["items"]), want, "{at}: {g:.300}");
        let (_, r) = app.get("/api/me", Some(&me)).await;
        assert_eq!(offered(&r["gaps"]), want, "{at}: {r:.300}");
    }
    app.patch(
        "/api/classes/LLCT-TC-26",
        Some(&w.school),
        json!({"enrol_closes": "2027-03-01"}),
    )
    .await;
    for (at, want) in [
        (begins - chrono::Duration::minutes(30), vec!["LLCT-TC-26"]),
        (begins, vec![]),
    ] {
        app.state().clock.set_now(Some(at));
        let (_, g) = app.get(&format!("/api/cadres/{}/gaps", w.b), Some(t)).await;
        assert_eq!(offered(&g["items"]), want, "{at}: {g:.300}");
        let (_, r) = app.get("/api/me", Some(&me)).await;
        assert_eq!(offered(&r["gaps"]), want, "{at}: {r:.300}");
    }
    app.state().clock.set_now(None);
}

db_tests!(exports_carry_the_same_numbers);

async fn download(app: &TestApp, token: &str, path: &str) -> (Status, Option<String>, Vec<u8>) {
    let res = app
        .client
        .get(path.to_string())
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {token}"),
        ))
        .dispatch()
        .await;
    let status = res.status();
    let ct = res.content_type().map(|c| c.to_string());
    (status, ct, res.into_bytes().await.unwrap_or_default())
}

async fn exports_carry_the_same_numbers(app: TestApp) {
    use calamine::{Reader, Xlsx};
    let w = world(&app).await;
    let t = &w.admin;
    let (_, json) = app
        .get("/api/reports/gaps?unit=79&as_of=2019-01-01", Some(t))
        .await;
    // CSV: BOM, header, one line per row plus the totals, the same numbers (in English, the
    // API's own names: `lang=en`; gap_lang.rs checks the Vietnamese default).
    let (s, ct, bytes) = download(
        &app,
        t,
        "/api/reports/gaps/export?format=csv&unit=79&as_of=2019-01-01&lang=en",
    )
    .await;
    assert_eq!(s, Status::Ok);
    assert_eq!(ct.as_deref(), Some("text/csv; charset=utf-8"));
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    let headers: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let col = |h: &str| {
        headers
            .iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("no column {h} in {headers:?}"))
    };
    let records: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), json["rows"].as_array().unwrap().len() + 1);
    for rec in &records {
        let code = &rec[col("unit_code")];
        let j = if code == "TOTAL" {
            &json["totals"]
        } else {
            row(&json, code)
        };
        // The units' own names; the totals' in English, as the file is.
        let name = if code == "TOTAL" {
            "Total"
        } else {
            j["unit_name"].as_str().unwrap()
        };
        assert_eq!(rec[col("unit_name")], *name);
        for k in ["assessed", "meeting", "short", "no_standard"] {
            assert_eq!(
                rec[col(k)].parse::<i64>().unwrap(),
                j[k].as_i64().unwrap(),
                "{code} {k}"
            );
        }
        assert_eq!(
            rec[col("short:module:DV-03")].parse::<i64>().unwrap(),
            j["short_by_requirement"]["module:DV-03"]
                .as_i64()
                .unwrap_or(0)
        );
        assert_eq!(
            rec[col("female_assessed")].parse::<i64>().unwrap(),
            j["by_gender"]["female"]["assessed"].as_i64().unwrap_or(0)
        );
    }
    // XLSX: a sheet per part, numbers as numbers.
    let (s, ct, bytes) = download(
        &app,
        t,
        "/api/reports/gaps/export?format=xlsx&unit=79&as_of=2019-01-01&lang=en",
    )
    .await;
    assert_eq!(s, Status::Ok);
    assert!(ct.unwrap().contains("spreadsheetml"));
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "report",
            "short_by_requirement",
            "gender",
            "age_band",
            "minority"
        ]
    );
    let range = wb.worksheet_range("report").unwrap();
    let rows: Vec<_> = range.rows().collect();
    let hdr: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let c = |h: &str| hdr.iter().position(|x| x == h).unwrap();
    let q12 = rows.iter().find(|r| r[0] == "761").unwrap();
    assert_eq!(q12[c("assessed")], calamine::Data::Float(2.0));
    assert_eq!(
        q12[c("compliance_pct")],
        calamine::Data::Float(row(&json, "761")["compliance_pct"].as_f64().unwrap())
    );
    let total = rows.iter().find(|r| r[0] == "TOTAL").unwrap();
    assert_eq!(
        total[c("short")],
        calamine::Data::Float(json["totals"]["short"].as_f64().unwrap())
    );
    // The other reports export too, and the officer's scope holds for files.
    for path in [
        "/api/reports/gaps/cadres/export?format=csv&unit=79&as_of=2019-01-01",
        "/api/reports/training-demand/export?format=xlsx&unit=79&as_of=2021-06-01",
        "/api/reports/gaps/compare/export?format=csv&unit=79&from=2015-12-31&to=2019-01-01",
    ] {
        let (s, _, bytes) = download(&app, t, path).await;
        assert_eq!(s, Status::Ok, "{path}");
        assert!(!bytes.is_empty());
    }
    let (_, _, cadres) = download(
        &app,
        t,
        "/api/reports/gaps/cadres/export?format=csv&unit=79&as_of=2019-01-01&lang=en",
    )
    .await;
    let text = String::from_utf8(cadres[3..].to_vec()).unwrap();
    assert_eq!(
        text.lines().count(),
        1 + json["totals"]["short"].as_i64().unwrap() as usize
    );
    assert!(text.contains("DV-03: last completed 2013-05-01, older than 5 years"));
    let officer = app.account(t, "officer.q1", "officer", Some("760")).await;
    assert_eq!(
        download(
            &app,
            &officer,
            "/api/reports/gaps/export?format=csv&unit=79"
        )
        .await
        .0,
        Status::Forbidden
    );
    let (s, _, bytes) = download(
        &app,
        &officer,
        "/api/reports/gaps/cadres/export?format=csv&as_of=2019-01-01&status=all",
    )
    .await;
    assert_eq!(s, Status::Ok);
    assert!(!String::from_utf8_lossy(&bytes).contains("Trần Thị Bình"));
    let (s, v) = app
        .get("/api/reports/gaps/export?format=pdf&unit=79", Some(t))
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "format");
}

/// The city report (holders found from the titles held) and each district's own report (holders
/// found from the district's units) place and count everyone alike, on every date, including a
/// holder with no unit period covering the date (placed by the title's unit).
async fn city_and_district_reports_agree(app: TestApp) {
    let w = world(&app).await;
    let t = &w.admin;
    let (s, v) = app
        .post("/api/cadres", Some(t), json!({"full_name": "Lê Văn Giàu", "gender": "male", "birth_date": "1975-02-01",
            "ethnicity": "Kinh", "personal_id": "079175000099", "unit_code": "26734", "organisation": "fatherland_front",
            "party_joined_on": "2000-01-01", "unit_since": "2016-01-01"}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let g = v["id"].as_i64().unwrap();
    title(&app, t, g, "titles", "FF-CHAIR-COMMUNE", "2014-01-01", None).await;
    for as_of in [
        "2013-06-01",
        "2014-06-01",
        "2015-12-31",
        "2019-01-01",
        "2021-06-01",
    ] {
        for population in ["incumbent", "both"] {
            let q = format!("as_of={as_of}&population={population}");
            let (s, city) = app
                .get(&format!("/api/reports/gaps?unit=79&{q}"), Some(t))
                .await;
            assert_eq!(s, Status::Ok, "{city}");
            for r in city["rows"].as_array().unwrap() {
                let code = r["unit_code"].as_str().unwrap();
                let (s, own) = app
                    .get(&format!("/api/reports/gaps?unit={code}&{q}"), Some(t))
                    .await;
                assert_eq!(s, Status::Ok, "{own}");
                let tot = &own["totals"];
                assert_eq!(
                    (
                        counts(tot),
                        &tot["no_standard"],
                        &tot["short_by_requirement"]
                    ),
                    (counts(r), &r["no_standard"], &r["short_by_requirement"]),
                    "{code} on {as_of}, {population}"
                );
            }
        }
    }
    // 2014-06-01: G holds the title but has no unit period yet: placed by the title's ward.
    for unit in ["79", "760", "26734"] {
        let (s, v) = app
            .get(
                &format!("/api/reports/gaps/cadres?unit={unit}&as_of=2014-06-01&status=all"),
                Some(t),
            )
            .await;
        assert_eq!(s, Status::Ok, "{v}");
        let g_row = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["cadre_id"] == g)
            .unwrap_or_else(|| panic!("G missing under {unit}: {v}"));
        assert_eq!(g_row["unit_code"], "26734");
    }
}

/// Each report reads its own query parameters by their exact names: another report's parameter,
/// or a name in other letters, is refused naming it, as any name a request does not take (it was
/// ignored, and a typo silently gave another answer); a name given twice, or nested, is refused
/// naming it.
async fn each_report_reads_its_own_query_names(app: TestApp) {
    let t = app.admin_token().await;
    app.import_hcmc(&t).await;
    for (path, field) in [
        (
            "/api/reports/gaps?unit=79&status=nonsense&from=x&to=x&limit=0&format=pdf&row=1",
            Some("status"),
        ),
        (
            "/api/reports/gaps?unit=79&GROUP=flat&Unit=x&As_of=x",
            Some("GROUP"),
        ),
        (
            "/api/reports/training-demand?unit=79&status=x&limit=x&offset=-1",
            Some("status"),
        ),
        (
            "/api/reports/gaps/cadres?unit=79&format=pdf&from=x&to=x",
            Some("format"),
        ),
        (
            "/api/reports/gaps/compare?unit=79&from=2015-01-01&to=2020-01-01&as_of=x&status=x",
            Some("as_of"),
        ),
        (
            "/api/reports/gaps/export?format=csv&unit=79&status=x&limit=x",
            Some("status"),
        ),
        (
            "/api/reports/gaps/cadres/export?format=csv&unit=79&limit=0&offset=x&from=x",
            Some("limit"),
        ),
        (
            "/api/reports/gaps?unit=79&group=lowest&group=children",
            Some("group"),
        ),
        (
            "/api/reports/gaps/cadres?unit=79&limit=5&limit=6",
            Some("limit"),
        ),
        ("/api/reports/gaps?unit.a=79", Some("unit")),
        ("/api/reports/gaps?unit%5Ba%5D=79", Some("unit")),
        ("/api/reports/gaps/cadres?unit=79&limit=0", Some("limit")),
        ("/api/reports/gaps/cadres/export?unit=79", Some("format")),
        (
            "/api/reports/gaps/compare?unit=79&to=2020-01-01",
            Some("from"),
        ),
        (
            "/api/reports/gaps/compare?unit=79&from=2020-01-01",
            Some("to"),
        ),
        ("/api/cadres/999999/gaps?as_of=x&unit=x", Some("unit")),
        ("/api/cadres/999999/gaps?as_of=x", Some("as_of")),
        ("/api/reports/gaps?unit=%00", Some("unit")),
        ("/api/reports/gaps?unit=79&title=%00", Some("title")),
        // A title that does not exist, in every view that takes the selection.
        ("/api/reports/gaps?unit=79&title=NOPE", Some("title")),
        ("/api/reports/gaps/cadres?unit=79&title=NOPE", Some("title")),
        (
            "/api/reports/training-demand?unit=79&title=NOPE",
            Some("title"),
        ),
        (
            "/api/reports/gaps/compare?unit=79&from=2015-12-31&to=2020-01-01&title=NOPE",
            Some("title"),
        ),
        ("/api/reports/gaps?unit=79&title=ff-chair-commune", None),
    ] {
        let (s, _, body) = app.get_bytes(path, Some(&t)).await;
        let text = String::from_utf8_lossy(&body);
        match field {
            None => assert_eq!(s, Status::Ok, "{path}: {text}"),
            Some(f) => {
                assert_eq!(s, Status::UnprocessableEntity, "{path}: {text}");
                let v: Value = serde_json::from_slice(&body).unwrap();
                assert_eq!(v["error"]["field"], f, "{path}: {text}");
            }
        }
    }
}

/// The standards in force, scales and units a report reads are kept per reference version: a second
/// identical report is served from the cache; a standard published through another app server on
/// the same database shows in the next report of the first at once.
async fn reference_data_is_cached_until_any_instance_writes(app: TestApp) {
    let w = world(&app).await;
    let t = &w.admin;
    let path = "/api/reports/gaps?unit=79&as_of=2021-06-01";
    let (s, first) = app.get(path, Some(t)).await;
    assert_eq!(s, Status::Ok, "{first}");
    assert_eq!(first["totals"]["short_by_requirement"]["module:DV-11"], 3);
    let eve = "/api/reports/gaps?unit=79&as_of=2020-12-31";
    let (_, eve_before) = app.get(eve, Some(t)).await;
    let before = app.state().reference.stats();
    let (_, again) = app.get(path, Some(t)).await;
    assert_eq!(again, first);
    let after = app.state().reference.stats();
    // Served from the cache, on both databases: it is kept per reference version, which only
    // writes to the standards, scales and units move (not the cluster's snapshot).
    assert!(after.hits >= before.hits + 3, "{before:?} -> {after:?}");
    assert_eq!(after.misses, before.misses, "{before:?} -> {after:?}");
    // Another app server publishes a version in force from 2021-01-01 that only limits the age.
    let other = app.another_instance(&[]).await;
    let now = age_only_standard_shows_at_once(&app, &other, t, path).await;
    assert_eq!(now["totals"]["meeting"], 3, "{now}");
    // The day before it, the report is what it was.
    let (_, then) = app.get(eve, Some(t)).await;
    assert_eq!(then, eve_before);
    let _ = (w.a, w.b, w.c, w.d, &w.school);
}

/// Publishes through `other` a version of the commune chair's standard in force from 2021-01-01
/// that only limits the age, then reads the report at `path` (as of a later day) through `app`:
/// it names only that requirement and counts nobody short. Returns that report.
pub(crate) async fn age_only_standard_shows_at_once(
    app: &TestApp,
    other: &TestApp,
    t: &str,
    path: &str,
) -> Value {
    let (s, v) = other
        .post(
            "/api/titles/FF-CHAIR-COMMUNE/standards",
            Some(t),
            json!({"effective_from": "2021-01-01", "retroactive": true, "requirements": [{"kind": "max_age", "years": 99}]}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (_, now) = app.get(path, Some(t)).await;
    assert_eq!(now["requirement_keys"], json!(["max_age"]), "{now}");
    assert_eq!(now["totals"]["short"], 0, "{now}");
    now
}

/// The files of the whole country's reports (`unit=*`) are named without `*`, which Windows does
/// not allow in a file name (the browser would rename or refuse the download).
async fn a_file_of_the_whole_country_is_named_for_any_system(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    for path in [
        "/api/reports/gaps/export?unit=*&format=csv",
        "/api/reports/gaps/cadres/export?unit=*&format=csv",
        "/api/reports/training-demand/export?unit=*&format=csv",
    ] {
        let (s, v, headers) = app
            .request(rocket::http::Method::Get, path, Some(&admin), None, &[])
            .await;
        assert_eq!(s, Status::Ok, "{path}: {v:.300}");
        let name = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-disposition"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        assert!(
            name.starts_with("attachment; filename=\""),
            "{path}: {name}"
        );
        let file = name
            .trim_start_matches("attachment; filename=\"")
            .trim_end_matches('"');
        assert!(
            !file.is_empty() && !file.contains(['*', '<', '>', ':', '"', '/', '\\', '|', '?']),
            "{path}: {file}"
        );
    }
}
