//! The audit trail records writes with before/after, and only admins read it.

use rocket::http::Status;
use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(writes_are_audited_and_filterable);

async fn writes_are_audited_and_filterable(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school1", "school", None).await;
    let (_, me) = app.get("/api/auth/me", Some(&school)).await;
    let id = me["id"].as_i64().unwrap();
    app.patch(
        &format!("/api/accounts/{id}"),
        Some(&admin),
        json!({"active": false}),
    )
    .await;
    // A refused write leaves no audit row.
    app.post(
        "/api/accounts",
        Some(&admin),
        json!({"username": "school1", "password": "lop-hoc-dan-van-2026", "role": "school"}),
    )
    .await;

    let (s, v) = app
        .get(
            &format!("/api/audit?entity=account&entity_id={id}"),
            Some(&admin),
        )
        .await;
    assert_eq!(s, Status::Ok);
    assert_eq!(v["total"], 2, "{v}");
    let newest = &v["items"][0];
    assert_eq!(newest["action"], "deactivate");
    assert_eq!(newest["actor"], "admin");
    assert_eq!(newest["before"]["active"], true);
    assert_eq!(newest["after"]["active"], false);
    assert_eq!(v["items"][1]["action"], "create");
    assert!(v["items"][1]["before"].is_null());
    assert!(v["items"][1]["after"].get("password_hash").is_none());

    let (_, v) = app.get("/api/audit?entity=unit_import", Some(&admin)).await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["after"]["created"], 296);
    let (_, v) = app
        .get("/api/audit?actor=admin&limit=1", Some(&admin))
        .await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert!(v["total"].as_i64().unwrap() >= 3);
    let (_, v) = app.get("/api/audit?from=2999-01-01", Some(&admin)).await;
    assert_eq!(v["total"], 0);
    let (_, v) = app
        .get(
            "/api/audit?to=2999-01-01T00:00:00Z&entity=account",
            Some(&admin),
        )
        .await;
    assert_eq!(
        v["total"], 3,
        "bootstrap admin, school1 created, school1 deactivated: {v}"
    );
}
