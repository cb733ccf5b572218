//! Title standards (9.2): seeded versions, the version in force on a date, publishing, validation, roles.

use rocket::http::Status;
use serde_json::{json, Value};

use cadre_training::shared::clock::city_today;

use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    seeded_standards_and_version_in_force,
    publishing_new_versions,
    invalid_standards_are_refused_naming_the_requirement,
    titles_are_editable_by_commission_and_admin,
    a_module_the_standards_require_is_not_retired,
);

fn keys(v: &Value) -> Vec<String> {
    v["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| match r["kind"].as_str().unwrap() {
            "min_level" => format!(
                "{}>={}",
                r["scale"].as_str().unwrap(),
                r["level"].as_str().unwrap()
            ),
            "module" => format!(
                "{}{}",
                r["module"].as_str().unwrap(),
                r["within_years"]
                    .as_i64()
                    .map(|n| format!("/{n}y"))
                    .unwrap_or_default()
            ),
            k => format!("{k}:{}", r["years"]),
        })
        .collect()
}

async fn seeded_standards_and_version_in_force(app: TestApp) {
    let admin = app.admin_token().await;
    let (s, v) = app
        .get("/api/titles/FF-CHAIR-COMMUNE/standards", Some(&admin))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let (_, v1) = app
        .get(
            "/api/titles/ff-chair-commune/standard?as_of=2015-12-31",
            Some(&admin),
        )
        .await;
    assert_eq!(v1["version"], 1);
    assert_eq!(
        keys(&v1),
        [
            "political_theory>=intermediate",
            "professional_education>=bachelor",
            "DV-01",
            "DV-03/5y",
            "min_party_years:3",
            "max_age:55"
        ]
    );
    let (_, v2) = app
        .get(
            "/api/titles/FF-CHAIR-COMMUNE/standard?as_of=2020-01-01",
            Some(&admin),
        )
        .await;
    assert_eq!(v2["version"], 2);
    assert!(keys(&v2).contains(&"DV-11/3y".to_string()));
    assert_eq!(
        app.get(
            "/api/titles/FF-CHAIR-COMMUNE/standard?as_of=2013-12-31",
            Some(&admin)
        )
        .await
        .0,
        Status::NotFound
    );
    let (_, y) = app
        .get(
            "/api/titles/YU-SEC-COMMUNE/standard?as_of=2016-01-01",
            Some(&admin),
        )
        .await;
    assert!(keys(&y).contains(&"max_age:30".to_string()));
    let (_, vice) = app
        .get(
            "/api/titles/FF-VICE-COMMUNE/standard?as_of=2016-01-01",
            Some(&admin),
        )
        .await;
    assert_eq!(keys(&vice)[0], "political_theory>=elementary");
    let (_, city) = app
        .get(
            "/api/titles/MM-HEAD-CITY/standard?as_of=2016-01-01",
            Some(&admin),
        )
        .await;
    assert_eq!(
        keys(&city)[..3],
        [
            "political_theory>=advanced",
            "professional_education>=bachelor",
            "state_management>=principal_officer"
        ]
    );
    let (s, v) = app
        .get(
            "/api/titles/FF-CHAIR-COMMUNE/standard?as_of=soon",
            Some(&admin),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "as_of");
    assert_eq!(
        app.get("/api/titles/NOPE/standards", Some(&admin)).await.0,
        Status::NotFound
    );
}

async fn publishing_new_versions(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let commission = app.account(&admin, "commission1", "commission", None).await;
    let (_, before) = app
        .get("/api/titles/FF-CHAIR-DISTRICT/standards", Some(&admin))
        .await;
    let body = json!({"effective_from": "2026-01-01", "note": "Quyết định 123", "requirements": [
        {"kind": "min_level", "scale": "political_theory", "level": "advanced"},
        {"kind": "module", "module": "dv-11", "within_years": 2},
        {"kind": "max_age", "years": 50}]});
    for role in ["school", "officer", "cadre"] {
        let t = match role {
            "school" => app.account(&admin, "school.x", role, None).await,
            "officer" => app.account(&admin, "officer.x", role, Some("26734")).await,
            _ => {
                app.cadre_login(&admin, "cadre.x", "26734", "079180007704")
                    .await
            }
        };
        assert_eq!(
            app.post(
                "/api/titles/FF-CHAIR-DISTRICT/standards",
                Some(&t),
                body.clone()
            )
            .await
            .0,
            Status::Forbidden,
            "{role}"
        );
    }
    // A first day before today (the city's) would change the reports already made for the days
    // since: refused unless confirmed, nothing published.
    let (s, v) = app
        .post(
            "/api/titles/FF-CHAIR-DISTRICT/standards",
            Some(&commission),
            body.clone(),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone(), v["error"]["reason"].clone()),
        (
            Status::UnprocessableEntity,
            json!("effective_from"),
            json!("retroactive_version")
        ),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&city_today().to_string()),
        "{v}"
    );
    let (_, unchanged) = app
        .get("/api/titles/FF-CHAIR-DISTRICT/standards", Some(&admin))
        .await;
    assert_eq!(unchanged, before);
    let mut body = body;
    body["retroactive"] = json!(true);
    let (s, v) = app
        .post(
            "/api/titles/FF-CHAIR-DISTRICT/standards",
            Some(&commission),
            body.clone(),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["version"], 3);
    assert_eq!(v["created_by"], "commission1");
    assert_eq!(
        keys(&v),
        ["political_theory>=advanced", "DV-11/2y", "max_age:50"]
    );
    let (_, after) = app
        .get("/api/titles/FF-CHAIR-DISTRICT/standards", Some(&admin))
        .await;
    assert_eq!(
        after["items"][0], before["items"][0],
        "version 1 is untouched"
    );
    assert_eq!(
        after["items"][1], before["items"][1],
        "version 2 is untouched"
    );
    let (_, now) = app
        .get(
            "/api/titles/FF-CHAIR-DISTRICT/standard?as_of=2026-06-01",
            Some(&admin),
        )
        .await;
    assert_eq!(now["version"], 3);
    assert_eq!(
        keys(&now),
        ["political_theory>=advanced", "DV-11/2y", "max_age:50"],
        "read back with its requirements in their order"
    );
    assert_eq!(now["created_at"], v["created_at"]);
    let (s, v) = app
        .post(
            "/api/titles/FF-CHAIR-DISTRICT/standards",
            Some(&commission),
            body,
        )
        .await;
    assert_eq!(s, Status::Conflict);
    assert_eq!(v["error"]["field"], "effective_from");
    let (_, a) = app.get("/api/audit?entity=standard", Some(&admin)).await;
    assert_eq!(a["total"], 1);
}

async fn invalid_standards_are_refused_naming_the_requirement(app: TestApp) {
    let admin = app.admin_token().await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!([{"kind": "min_level", "scale": "political_theory", "level": "genius"}]),
            "requirements[0].level",
        ),
        (
            json!([{"kind": "min_level", "scale": "astrology", "level": "advanced"}]),
            "requirements[0].scale",
        ),
        (
            json!([{"kind": "max_age", "years": 55}, {"kind": "module", "module": "XX-99"}]),
            "requirements[1].module",
        ),
        (
            json!([{"kind": "module", "module": "DV-03", "within_years": 0}]),
            "requirements[0].within_years",
        ),
        (
            json!([{"kind": "min_party_years", "years": -2}]),
            "requirements[0].years",
        ),
        (
            json!([{"kind": "max_age", "years": 55}, {"kind": "module", "module": "DV-03"}, {"kind": "module", "module": "dv-03", "within_years": 5}]),
            "requirements[2]",
        ),
        (json!([{"kind": "be_nice"}]), "requirements[0].kind"),
        // A value of the wrong type names its own field, not the requirement.
        (
            json!([{"kind": "max_age", "years": true}]),
            "requirements[0].years",
        ),
        (
            json!([{"kind": "module", "module": "DV-03", "within_years": "5"}]),
            "requirements[0].within_years",
        ),
        (
            json!([{"kind": "module", "module": "DV-03", "within_years": 5.5}]),
            "requirements[0].within_years",
        ),
        (
            json!([{"kind": "min_level", "scale": "political_theory", "level": 3}]),
            "requirements[0].level",
        ),
        (json!([{"kind": "max_age"}]), "requirements[0].years"),
        (json!([]), "requirements"),
    ];
    for (reqs, field) in cases {
        let (s, v) = app
            .post(
                "/api/titles/FF-CHAIR-COMMUNE/standards",
                Some(&admin),
                json!({"effective_from": "2030-01-01", "requirements": reqs}),
            )
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{reqs}: {v}");
        assert_eq!(v["error"]["field"], field, "{reqs}: {v}");
        // A repeated requirement names the first one by its position, counted from 1 as people
        // count (the field, a JSON path, counts from 0).
        if field == "requirements[2]" {
            assert_eq!(v["error"]["params"]["position"], 2, "{v}");
            assert_eq!(
                v["error"]["message"],
                "requirement module:DV-03 repeats the requirement at position 2 (counted from 1)",
                "{v}"
            );
        }
    }
    let (_, v) = app
        .get("/api/titles/FF-CHAIR-COMMUNE/standards", Some(&admin))
        .await;
    assert_eq!(
        v["items"].as_array().unwrap().len(),
        2,
        "nothing was published"
    );
}

async fn titles_are_editable_by_commission_and_admin(app: TestApp) {
    let admin = app.admin_token().await;
    let commission = app.account(&admin, "commission1", "commission", None).await;
    let school = app.account(&admin, "school1", "school", None).await;
    let body = json!({"code": "ff-sec-commune", "name_vi": "Thư ký Ủy ban MTTQ phường, xã", "name_en": "Secretary, Fatherland Front Committee, ward/commune", "org_kind": "fatherland_front", "level": "commune"});
    assert_eq!(
        app.post("/api/titles", Some(&school), body.clone()).await.0,
        Status::Forbidden
    );
    let (s, v) = app
        .post("/api/titles", Some(&commission), body.clone())
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["code"], "FF-SEC-COMMUNE");
    assert_eq!(
        app.post("/api/titles", Some(&commission), body.clone())
            .await
            .0,
        Status::Conflict
    );
    for (k, bad, field) in [
        ("level", json!("galaxy"), "level"),
        ("org_kind", json!("club"), "org_kind"),
        ("name_vi", json!(" "), "name_vi"),
    ] {
        let mut b = body.clone();
        b["code"] = json!("X-NEW");
        b[k] = bad;
        let (s, v) = app.post("/api/titles", Some(&admin), b).await;
        assert_eq!(s, Status::UnprocessableEntity, "{v}");
        assert_eq!(v["error"]["field"], field);
    }
    let (s, v) = app
        .patch(
            "/api/titles/FF-SEC-COMMUNE",
            Some(&admin),
            json!({"active": false, "name_en": "Secretary"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["active"], false);
    // A title without a standard shows up as such; an inactive one cannot be assigned.
    let (s, _) = app
        .get("/api/titles/FF-SEC-COMMUNE/standard", Some(&admin))
        .await;
    assert_eq!(s, Status::NotFound);
}

/// A module that a title's standard in force, or one to come, requires is not retired: no class
/// could be scheduled for it and the holders could never meet the standard (409 on `active`,
/// naming the titles; nothing changes). Once the version requiring it is replaced by today, it
/// is. Nor does a version in force from now on require a retired module (422 naming the
/// requirement's module), while a retroactive one that a later version replaced by today may, as
/// the standard then did.
async fn a_module_the_standards_require_is_not_retired(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school1", "school", None).await;
    let commission = app.account(&admin, "commission1", "commission", None).await;
    let module = json!({"code": "TN-99", "title_vi": "Học phần thử", "title_en": "Test module",
        "periods": 6, "audiences": ["civil_servants"], "validity_years": 2});
    let (s, v) = app
        .post("/api/modules", Some(&school), module.clone())
        .await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let url = "/api/titles/FF-CHAIR-COMMUNE/standards";
    let (_, versions) = app.get(url, Some(&admin)).await;
    let latest = versions["items"]
        .as_array()
        .and_then(|l| l.last())
        .map(|v| v["requirements"].clone())
        .unwrap_or_else(|| panic!("{versions:.300}"));
    let with = |extra: bool| {
        let mut reqs = latest.as_array().cloned().unwrap_or_default();
        if extra {
            reqs.push(json!({"kind": "module", "module": "TN-99", "within_years": 2}));
        }
        Value::Array(reqs)
    };
    let publish = |from: String, extra: bool| {
        app.post(
            url,
            Some(&commission),
            json!({"effective_from": from, "retroactive": true, "requirements": with(extra)}),
        )
    };
    let today = city_today();
    let (s, v) = publish("2021-01-01".into(), true).await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let mut retire = module.clone();
    retire["active"] = json!(false);
    let (s, v) = app
        .put("/api/modules/TN-99", Some(&school), retire.clone())
        .await;
    assert_eq!(
        (
            s,
            v["error"]["field"].clone(),
            v["error"]["reason"].clone(),
            v["error"]["params"]["titles"].clone()
        ),
        (
            Status::Conflict,
            json!("active"),
            json!("module_required_by_standards"),
            json!("FF-CHAIR-COMMUNE")
        ),
        "{v:.300}"
    );
    let (_, v) = app.get("/api/modules/TN-99", Some(&school)).await;
    assert_eq!(
        (v["active"].clone(), v["version"].clone()),
        (json!(true), json!(1))
    );
    // Replaced from today by a version without it: retired.
    let (s, v) = publish(today.to_string(), false).await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let (s, v) = app.put("/api/modules/TN-99", Some(&school), retire).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    assert_eq!(v["active"], false, "{v:.300}");
    // A version to come may not require it; a past one, replaced by today, may.
    let at = with(true).as_array().map_or(0, Vec::len) - 1;
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    let (s, v) = publish(tomorrow, true).await;
    assert_eq!(
        (s, v["error"]["field"].clone(), v["error"]["reason"].clone()),
        (
            Status::UnprocessableEntity,
            json!(format!("requirements[{at}].module")),
            json!("module_retired")
        ),
        "{v:.300}"
    );
    let (s, v) = publish("2022-01-01".into(), true).await;
    assert_eq!(s, Status::Created, "a past version may name it: {v:.300}");
}
