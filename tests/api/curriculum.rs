//! Curriculum 9.7: seeded modules and scales, editing with versions, programmes, role refusals.

use rocket::http::Status;
use serde_json::{json, Value};

use cadre_training::shared::clock::city_today;
use chrono::Duration;

use crate::cadres::create as create_cadre;
use crate::classes::{enrol, one_session, open_class, setup};
use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    seeded_curriculum_is_there,
    school_creates_and_edits_modules_with_versions,
    module_validation_names_the_field,
    programmes_are_ordered_lists_of_modules,
    only_school_and_admin_edit_the_curriculum,
    editing_a_module_keeps_the_terms_of_earlier_completions,
    the_documented_text_limits_are_the_servers,
);

fn module(code: &str) -> Value {
    json!({"code": code, "title_vi": "Học phần thử", "title_en": "Test module", "periods": 6,
           "audiences": ["civil_servants"], "validity_years": 2})
}

async fn seeded_curriculum_is_there(app: TestApp) {
    let admin = app.admin_token().await;
    let (s, v) = app.get("/api/modules?q=DV-", Some(&admin)).await;
    assert_eq!(s, Status::Ok);
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 12);
    assert_eq!(items[2]["code"], "DV-03");
    assert_eq!(items[2]["periods"], 12);
    assert_eq!(items[2]["validity_years"], 5);
    assert_eq!(items[2]["title_vi"], "Kỹ năng vận động quần chúng");
    assert_eq!(items[9]["prerequisites"], json!(["DV-03"]));
    let (_, m) = app.get("/api/modules/llct-tc", Some(&admin)).await;
    assert_eq!(
        m["awards"],
        json!({"scale": "political_theory", "level": "intermediate"})
    );
    let (_, scales) = app.get("/api/scales", Some(&admin)).await;
    let pt = scales["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "political_theory")
        .unwrap();
    let levels: Vec<&str> = pt["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        levels,
        ["elementary", "intermediate", "advanced", "bachelor"]
    );
    let (_, p) = app.get("/api/programmes/CT-DV-97", Some(&admin)).await;
    assert_eq!(p["modules"].as_array().unwrap().len(), 12);
    assert_eq!(p["periods"], 8 + 4 + 12 + 8 + 8 + 8 + 8 + 8 + 8 + 4 + 8 + 4);
    // Seeding again (a restart) adds nothing.
    cadre_training::curriculum::seed::seed_if_empty(&app.state().db)
        .await
        .unwrap();
    let (_, v) = app.get("/api/modules", Some(&admin)).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 15);
}

async fn school_creates_and_edits_modules_with_versions(app: TestApp) {
    let admin = app.admin_token().await;
    let school = app.account(&admin, "school1", "school", None).await;
    let (s, v) = app
        .post("/api/modules", Some(&school), module("tn-01"))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["code"], "TN-01");
    assert_eq!(v["version"], 1);
    let (s, v) = app
        .post("/api/modules", Some(&school), module("TN-01"))
        .await;
    assert_eq!(s, Status::Conflict);
    assert_eq!(v["error"]["field"], "code");
    let mut edit = module("TN-01");
    edit["periods"] = json!(10);
    edit["prerequisites"] = json!(["DV-01"]);
    let (s, v) = app
        .put("/api/modules/TN-01", Some(&school), edit.clone())
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["version"], 2);
    assert_eq!(v["periods"], 10);
    assert_eq!(v["prerequisites"], json!(["DV-01"]));
    // The same state again changes nothing.
    let (_, v) = app.put("/api/modules/TN-01", Some(&school), edit).await;
    assert_eq!(v["version"], 2);
    let (_, h) = app.get("/api/modules/TN-01/versions", Some(&school)).await;
    assert_eq!(h["current"], 2);
    assert_eq!(h["items"].as_array().unwrap().len(), 1);
    assert_eq!(h["items"][0]["version"], 1);
    assert_eq!(
        h["items"][0]["module"]["periods"], 6,
        "version 1 keeps its fields"
    );
    // A cycle through prerequisites is refused.
    let mut cyc = module("DV-01");
    cyc["prerequisites"] = json!(["TN-01"]);
    let (s, v) = app.put("/api/modules/DV-01", Some(&school), cyc).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "prerequisites[0]");
    let (_, a) = app
        .get("/api/audit?entity=module&entity_id=TN-01", Some(&admin))
        .await;
    assert_eq!(a["total"], 2);
}

async fn module_validation_names_the_field(app: TestApp) {
    let admin = app.admin_token().await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"code": "X", "title_vi": "a", "title_en": "b", "periods": 1}),
            "code",
        ),
        (
            json!({"code": "TN-02", "title_vi": " ", "title_en": "b", "periods": 1}),
            "title_vi",
        ),
        (
            json!({"code": "TN-02", "title_vi": "a", "title_en": "b", "periods": 0}),
            "periods",
        ),
        (
            json!({"code": "TN-02", "title_vi": "a", "title_en": "b", "periods": "many"}),
            "periods",
        ),
        (
            json!({"code": "TN-02", "title_vi": "a", "title_en": "b", "periods": 1, "validity_years": 0}),
            "validity_years",
        ),
        (
            json!({"code": "TN-02", "title_vi": "a", "title_en": "b", "periods": 1, "audiences": ["aliens"]}),
            "audiences[0]",
        ),
        (
            json!({"code": "TN-02", "title_vi": "a", "title_en": "b", "periods": 1, "prerequisites": ["NOPE-1"]}),
            "prerequisites[0]",
        ),
        (
            json!({"code": "TN-02", "title_vi": "a", "title_en": "b", "periods": 1, "prerequisites": ["TN-02"]}),
            "prerequisites[0]",
        ),
        (
            json!({"code": "TN-02", "title_vi": "a", "title_en": "b", "periods": 1, "awards": {"scale": "political_theory", "level": "genius"}}),
            "awards",
        ),
    ];
    for (body, field) in cases {
        let (s, v) = app.post("/api/modules", Some(&admin), body.clone()).await;
        assert_eq!(s, Status::UnprocessableEntity, "{body}: {v}");
        assert_eq!(v["error"]["field"], field, "{body}: {v}");
    }
    let (_, v) = app.get("/api/modules?q=TN-02", Some(&admin)).await;
    assert_eq!(
        v["items"].as_array().unwrap().len(),
        0,
        "nothing was written"
    );
    assert_eq!(
        app.get("/api/modules/NOPE-9", Some(&admin)).await.0,
        Status::NotFound
    );
    let (s, v) = app.get("/api/modules?active=maybe", Some(&admin)).await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "active");
}

async fn programmes_are_ordered_lists_of_modules(app: TestApp) {
    let admin = app.admin_token().await;
    let body = json!({"name_vi": "Bồi dưỡng ngắn hạn", "name_en": "Short course", "modules": ["DV-11", "dv-03"]});
    let (s, v) = app
        .put("/api/programmes/CT-NH", Some(&admin), body.clone())
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["modules"], json!(["DV-11", "DV-03"]));
    assert_eq!(v["periods"], 20);
    let mut again = body.clone();
    again["modules"] = json!(["DV-03"]);
    let (s, v) = app.put("/api/programmes/CT-NH", Some(&admin), again).await;
    assert_eq!(s, Status::Ok);
    assert_eq!(v["modules"], json!(["DV-03"]));
    let mut bad = body.clone();
    bad["modules"] = json!(["DV-03", "XX-99"]);
    let (s, v) = app.put("/api/programmes/CT-NH", Some(&admin), bad).await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "modules[1]");
    let (_, v) = app.get("/api/programmes/CT-NH", Some(&admin)).await;
    assert_eq!(
        v["modules"],
        json!(["DV-03"]),
        "the refused write changed nothing"
    );
    let (_, list) = app.get("/api/programmes", Some(&admin)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 5);
}

async fn only_school_and_admin_edit_the_curriculum(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let readers = [
        app.account(&admin, "commission1", "commission", None).await,
        app.account(&admin, "officer1", "officer", Some("760"))
            .await,
        app.cadre_login(&admin, "cadre1", "26734", "079180007701")
            .await,
    ];
    for t in &readers {
        assert_eq!(app.get("/api/modules", Some(t)).await.0, Status::Ok);
        assert_eq!(app.get("/api/programmes", Some(t)).await.0, Status::Ok);
        let (s, v) = app.post("/api/modules", Some(t), module("TN-03")).await;
        assert_eq!(s, Status::Forbidden, "{v}");
        assert_eq!(
            app.put("/api/modules/DV-01", Some(t), module("DV-01"))
                .await
                .0,
            Status::Forbidden
        );
        let p = json!({"name_vi": "x", "name_en": "x", "modules": ["DV-01"]});
        assert_eq!(
            app.put("/api/programmes/CT-X", Some(t), p).await.0,
            Status::Forbidden
        );
    }
    assert_eq!(app.get("/api/modules", None).await.0, Status::Unauthorized);
    let (_, v) = app.get("/api/modules/DV-01", Some(&admin)).await;
    assert_eq!(v["version"], 1, "refused edits changed nothing");
}

/// A completion keeps the module's edition it followed: editing the module (its titles, its
/// validity) changes neither a completion recorded before, nor its status, nor its place in the
/// stale-soon list, nor whether it counts as a prerequisite; completions of the new edition follow
/// the new terms. A class keeps the titles of the edition it teaches.
async fn editing_a_module_keeps_the_terms_of_earlier_completions(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let today = city_today();
    let (s, v) = app
        .post("/api/modules", Some(&school), module("TN-05"))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let mut next = module("TN-06");
    next["prerequisites"] = json!(["TN-05"]);
    next["validity_years"] = Value::Null;
    let (s, v) = app.post("/api/modules", Some(&school), next).await;
    assert_eq!(s, Status::Created, "{v}");
    let recent = create_cadre(&app, &admin, "Nguyễn Văn An", "079180005101", "26734").await;
    let old = create_cadre(&app, &admin, "Trần Thị Bình", "079180005102", "26734").await;
    let later = create_cadre(&app, &admin, "Lê Văn Cường", "079180005103", "26734").await;
    let one_year_ago = today - Duration::days(365);
    let three_years_ago = today - Duration::days(3 * 365);
    let paper = |on: chrono::NaiveDate| json!({"module_code": "TN-05", "completed_on": on.to_string(), "source_ref": "Sổ theo dõi"});
    for (id, on) in [(recent, one_year_ago), (old, three_years_ago)] {
        let (s, v) = app
            .post(
                &format!("/api/cadres/{id}/completions"),
                Some(&school),
                paper(on),
            )
            .await;
        assert_eq!(s, Status::Created, "{v}");
    }
    let day = (today + Duration::days(20)).to_string();
    open_class(&app, &school, "TN05-LOP-1", "TN-05", 10, one_session(&day)).await;
    let completions = |id: i64| {
        let app = &app;
        let school = school.clone();
        async move {
            let (s, v) = app
                .get(&format!("/api/cadres/{id}/completions"), Some(&school))
                .await;
            assert_eq!(s, Status::Ok, "{v}");
            v["items"][0].clone()
        }
    };
    let before_old = completions(old).await;
    let before_recent = completions(recent).await;
    assert_eq!(before_old["status"], "stale", "{before_old}");
    assert_eq!(before_recent["status"], "valid", "{before_recent}");
    // The school renames the module and makes it last five years.
    let mut edit = module("TN-05");
    edit["title_vi"] = json!("Học phần đổi tên");
    edit["title_en"] = json!("Renamed module");
    edit["validity_years"] = json!(5);
    let (s, v) = app.put("/api/modules/TN-05", Some(&school), edit).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["version"], 2);
    for (id, before) in [(old, &before_old), (recent, &before_recent)] {
        let after = completions(id).await;
        for key in [
            "status",
            "valid_until",
            "module_title_vi",
            "module_title_en",
            "module_version",
        ] {
            assert_eq!(after[key], before[key], "{key} of cadre {id}: {after}");
        }
    }
    assert_eq!(before_old["module_title_vi"], "Học phần thử");
    assert_eq!(before_old["module_version"], 1);
    // The stale-soon list reads each completion's own edition: the recent one ends within a year.
    let (s, v) = app
        .get(
            "/api/completions/stale-soon?days=400&module=TN-05",
            Some(&school),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let ids: Vec<i64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cadre_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [recent], "{v}");
    // A stale completion of the first edition is still no prerequisite; a valid one is.
    let other_day = (today + Duration::days(21)).to_string();
    open_class(
        &app,
        &school,
        "TN06-LOP-1",
        "TN-06",
        10,
        one_session(&other_day),
    )
    .await;
    let (s, v) = enrol(&app, &school, "TN06-LOP-1", Some(old)).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "cadre_id");
    let (s, v) = enrol(&app, &school, "TN06-LOP-1", Some(recent)).await;
    assert_eq!(s, Status::Created, "{v}");
    // A completion recorded now follows the new edition: five years, the new titles.
    let (s, v) = app
        .post(
            &format!("/api/cadres/{later}/completions"),
            Some(&school),
            paper(three_years_ago),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let new = completions(later).await;
    assert_eq!(new["module_version"], 2, "{new}");
    assert_eq!(new["status"], "valid", "{new}");
    assert_eq!(new["module_title_vi"], "Học phần đổi tên");
    assert_eq!(
        new["valid_until"],
        (three_years_ago + chrono::Months::new(60) - Duration::days(1)).to_string()
    );
    // The class scheduled under the first edition keeps its titles.
    let (s, v) = app.get("/api/classes/TN05-LOP-1", Some(&school)).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["module_version"], 1, "{v}");
    assert_eq!(v["module_title_vi"], "Học phần thử", "{v}");
}

/// The OpenAPI document's `maxLength` of a text field is where the server starts refusing it: a
/// text of that many characters is taken, one more is refused naming the field (the document said
/// 300 for a session's venue the server refused past 200, and gave no limit for descriptions).
async fn the_documented_text_limits_are_the_servers(app: TestApp) {
    use crate::classes::{class_body, session};
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (_, doc) = app.get("/api/openapi.json", None).await;
    let max = |schema: &str, field: &str| {
        doc["components"]["schemas"][schema]["properties"][field]["maxLength"]
            .as_u64()
            .unwrap_or_else(|| panic!("{schema}.{field} has no maxLength")) as usize
    };
    let mut n = 0;
    let mut check = |schema: &'static str, field: &'static str, error_field: &'static str| {
        let limit = max(schema, field);
        let app = &app;
        let admin = admin.clone();
        n += 1;
        let serial = n;
        async move {
            for (len, ok) in [(limit, true), (limit + 1, false)] {
                let text = "a".repeat(len);
                let code = format!("LIM-{serial}{}", if ok { "A" } else { "B" });
                let (path, body) = match schema {
                    "ModuleInput" => {
                        let mut b = module(&format!("LM-{serial}{}", if ok { 1 } else { 2 }));
                        b[field] = json!(text);
                        ("/api/modules".to_string(), b)
                    }
                    "ProgrammeInput" => {
                        let mut b = json!({"name_vi": "Chương trình", "name_en": "Programme", "modules": ["DV-01"]});
                        b[field] = json!(text);
                        (format!("/api/programmes/{code}"), b)
                    }
                    _ => {
                        let day = format!("2027-0{}-1{}", serial, if ok { 1 } else { 2 });
                        let mut s = session(
                            &format!("{day}T08:00"),
                            &format!("{day}T11:00"),
                            &format!("Phòng {code}"),
                            "GV",
                        );
                        let mut b = class_body(&code, "DV-01", 10, vec![]);
                        if schema == "SessionInput" {
                            s[field] = json!(text);
                        } else {
                            b[field] = json!(text);
                        }
                        b["sessions"] = json!([s]);
                        ("/api/classes".to_string(), b)
                    }
                };
                let (s, v) = if schema == "ProgrammeInput" {
                    app.put(&path, Some(&admin), body).await
                } else {
                    app.post(&path, Some(&admin), body).await
                };
                if ok {
                    assert_eq!(
                        s,
                        Status::Created,
                        "{schema}.{field} of {len}: {:.300}",
                        v.to_string()
                    );
                } else {
                    assert_eq!(
                        (s, v["error"]["field"].as_str()),
                        (Status::UnprocessableEntity, Some(error_field)),
                        "{schema}.{field} of {len}: {:.300}",
                        v.to_string()
                    );
                }
            }
        }
    };
    check("SessionInput", "venue", "sessions[0].venue").await;
    check("SessionInput", "instructor", "sessions[0].instructor").await;
    check("ClassInput", "title", "title").await;
    check("ModuleInput", "description", "description").await;
    check("ProgrammeInput", "description", "description").await;
}
