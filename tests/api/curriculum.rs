//! Curriculum 9.7: seeded modules and scales, editing with versions, programmes, role refusals.

use rocket::http::Status;
use serde_json::{json, Value};

use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    seeded_curriculum_is_there,
    school_creates_and_edits_modules_with_versions,
    module_validation_names_the_field,
    programmes_are_ordered_lists_of_modules,
    only_school_and_admin_edit_the_curriculum,
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
        app.account(&admin, "cadre1", "cadre", Some("26734")).await,
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
