//! Account administration: validation, role refusals, last-admin protection.

use rocket::http::Status;
use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    admin_creates_accounts_with_validation,
    only_admin_manages_accounts,
    last_admin_cannot_be_deactivated,
    first_start_creates_one_admin,
);

async fn admin_creates_accounts_with_validation(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let cases = [
        (
            json!({"username": "ab", "password": "lop-hoc-dan-van-2026", "role": "school"}),
            "username",
            422,
        ),
        (
            json!({"username": "ok.name", "password": "short", "role": "school"}),
            "password",
            422,
        ),
        (
            json!({"username": "ok.name", "password": "lop-hoc-dan-van-2026", "role": "king"}),
            "role",
            422,
        ),
        (
            json!({"username": "ok.name", "password": "lop-hoc-dan-van-2026"}),
            "role",
            422,
        ),
        (
            json!({"username": "ok.name", "password": "lop-hoc-dan-van-2026", "role": "officer"}),
            "unit_code",
            422,
        ),
        (
            json!({"username": "ok.name", "password": "lop-hoc-dan-van-2026", "role": "officer", "unit_code": "99999"}),
            "unit_code",
            422,
        ),
        (
            json!({"username": "ok.name", "password": "lop-hoc-dan-van-2026", "role": "school", "cadre_id": -4}),
            "cadre_id",
            422,
        ),
        (
            json!({"username": "ok.name", "password": "lop-hoc-dan-van-2026", "role": "school", "extra": 1}),
            "extra",
            422,
        ),
    ];
    for (body, field, status) in cases {
        let (s, v) = app.post("/api/accounts", Some(&admin), body.clone()).await;
        assert_eq!(s.code, status, "{body} -> {v}");
        assert_eq!(v["error"]["field"], field, "{body} -> {v}");
    }
    let (s, v) = app
        .post("/api/accounts", Some(&admin), json!({"username": "Officer.Q1", "password": "lop-hoc-dan-van-2026", "role": "officer", "unit_code": "760"}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["username"], "officer.q1");
    assert_eq!(v["unit_code"], "760");
    assert_eq!(v["unit_name"], "Quận 1");
    let (s, v) = app
        .post(
            "/api/accounts",
            Some(&admin),
            json!({"username": "officer.q1", "password": "lop-hoc-dan-van-2026", "role": "school"}),
        )
        .await;
    assert_eq!(s, Status::Conflict);
    assert_eq!(v["error"]["field"], "username");
    let (s, v) = app.get("/api/accounts?role=officer", Some(&admin)).await;
    assert_eq!(s, Status::Ok);
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["username"], "officer.q1");
    let (s, v) = app.get("/api/accounts?role=emperor", Some(&admin)).await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "role");
    let (s, v) = app.get("/api/accounts?limit=0", Some(&admin)).await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "limit");
    assert_eq!(
        app.get("/api/accounts/999999", Some(&admin)).await.0,
        Status::NotFound
    );
    assert_eq!(
        app.get("/api/accounts/abc", Some(&admin)).await.0,
        Status::NotFound
    );
}

async fn only_admin_manages_accounts(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let others = [
        app.account(&admin, "school1", "school", None).await,
        app.account(&admin, "commission1", "commission", None).await,
        app.account(&admin, "officer1", "officer", Some("760"))
            .await,
        app.account(&admin, "cadre1", "cadre", Some("26734")).await,
    ];
    for t in &others {
        let (s, v) = app.get("/api/accounts", Some(t)).await;
        assert_eq!(s, Status::Forbidden, "{v}");
        assert_eq!(v["error"]["code"], "forbidden");
        let (s, _) = app
            .post(
                "/api/accounts",
                Some(t),
                json!({"username": "sneaky", "password": "lop-hoc-dan-van-2026", "role": "admin"}),
            )
            .await;
        assert_eq!(s, Status::Forbidden);
        assert_eq!(
            app.patch("/api/accounts/1", Some(t), json!({"active": false}))
                .await
                .0,
            Status::Forbidden
        );
        assert_eq!(
            app.post(
                "/api/accounts/1/password",
                Some(t),
                json!({"new_password": "nam-moi-mat-khau-999"})
            )
            .await
            .0,
            Status::Forbidden
        );
        assert_eq!(app.get("/api/audit", Some(t)).await.0, Status::Forbidden);
    }
    // Nothing was created by the refused calls.
    let (_, v) = app.get("/api/accounts", Some(&admin)).await;
    assert_eq!(v["total"], 5);
}

async fn last_admin_cannot_be_deactivated(app: TestApp) {
    let admin = app.admin_token().await;
    let (_, me) = app.get("/api/auth/me", Some(&admin)).await;
    let id = me["id"].as_i64().unwrap();
    let (s, v) = app
        .patch(
            &format!("/api/accounts/{id}"),
            Some(&admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, Status::Conflict, "{v}");
    let (s, _) = app
        .patch(
            &format!("/api/accounts/{id}"),
            Some(&admin),
            json!({"role": "school"}),
        )
        .await;
    assert_eq!(s, Status::Conflict);
    // With a second admin it is allowed.
    app.account(&admin, "admin2", "admin", None).await;
    let (s, v) = app
        .patch(
            &format!("/api/accounts/{id}"),
            Some(&admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
}

async fn first_start_creates_one_admin(app: TestApp) {
    let admin = app.admin_token().await;
    let (_, v) = app.get("/api/accounts?role=admin", Some(&admin)).await;
    assert_eq!(v["total"], 1);
    // A second start on the same database does not create another.
    cadre_training::accounts::routes::bootstrap_admin(
        &app.state().db,
        Some("other-password-9"),
        &app.state().config.data_dir,
    )
    .await
    .unwrap();
    let (_, v) = app.get("/api/accounts?role=admin", Some(&admin)).await;
    assert_eq!(v["total"], 1);
    let (_, v) = app
        .get("/api/audit?entity=account&actor=system", Some(&admin))
        .await;
    assert_eq!(v["total"], 1);
}
