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
    cadre_accounts_link_one_cadre_at_its_unit,
    a_cadre_account_moves_with_its_cadre,
    simultaneous_accounts_for_one_cadre_give_one,
    an_account_edit_that_changes_nothing_writes_nothing,
    a_cadre_account_takes_a_staff_role_with_a_staff_password,
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
        app.cadre_login(&admin, "cadre1", "26734", "079180007702")
            .await,
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
    assert_eq!(v["error"]["field"], "active", "{v}");
    // A change of role names the role.
    let (s, v) = app
        .patch(
            &format!("/api/accounts/{id}"),
            Some(&admin),
            json!({"role": "school"}),
        )
        .await;
    assert_eq!(s, Status::Conflict);
    assert_eq!(
        (v["error"]["field"].clone(), v["error"]["reason"].clone()),
        (json!("role"), json!("last_admin")),
        "{v}"
    );
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

/// A cadre account is linked to its cadre (required; no other role is linked to one), its home
/// unit is the cadre's (taken from the cadre when not given; another is refused), and a cadre has
/// at most one active account. A refused write changes nothing.
async fn cadre_accounts_link_one_cadre_at_its_unit(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let a = crate::cadres::create(&app, &admin, "Nguyễn Văn An", "079180007801", "26734").await;
    let b = crate::cadres::create(&app, &admin, "Trần Thị Bình", "079180007802", "26764").await;
    let body = |user: &str, extra: serde_json::Value| {
        let mut v = json!({"username": user, "password": "lop-hoc-dan-van-2026"});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    let (_, before) = app.get("/api/accounts", Some(&admin)).await;
    for (extra, status, field) in [
        (
            json!({"role": "cadre", "unit_code": "26734"}),
            422,
            "cadre_id",
        ),
        (
            json!({"role": "officer", "unit_code": "760", "cadre_id": a}),
            422,
            "cadre_id",
        ),
        (json!({"role": "school", "cadre_id": a}), 422, "cadre_id"),
        (
            json!({"role": "cadre", "unit_code": "26764", "cadre_id": a}),
            422,
            "unit_code",
        ),
        (
            json!({"role": "cadre", "cadre_id": 987654}),
            422,
            "cadre_id",
        ),
    ] {
        let (s, v) = app
            .post(
                "/api/accounts",
                Some(&admin),
                body("cadre.x", extra.clone()),
            )
            .await;
        assert_eq!(
            (s.code, &v["error"]["field"]),
            (status, &json!(field)),
            "{extra}: {v}"
        );
    }
    let (_, after) = app.get("/api/accounts", Some(&admin)).await;
    assert_eq!(after["total"], before["total"], "nothing written");
    // The home unit comes from the cadre.
    let (s, first) = app
        .post(
            "/api/accounts",
            Some(&admin),
            body("cadre.an", json!({"role": "cadre", "cadre_id": a})),
        )
        .await;
    assert_eq!(s, Status::Created, "{first}");
    assert_eq!(first["unit_code"], "26734");
    let first_id = first["id"].as_i64().unwrap();
    // One active account per cadre.
    let (s, v) = app
        .post(
            "/api/accounts",
            Some(&admin),
            body(
                "cadre.an2",
                json!({"role": "cadre", "cadre_id": a, "unit_code": "26734"}),
            ),
        )
        .await;
    assert_eq!(
        (s, &v["error"]["field"]),
        (Status::Conflict, &json!("cadre_id")),
        "{v}"
    );
    let path = format!("/api/accounts/{first_id}");
    let (s, v) = app
        .patch(&path, Some(&admin), json!({"active": false}))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, second) = app
        .post(
            "/api/accounts",
            Some(&admin),
            body("cadre.an2", json!({"role": "cadre", "cadre_id": a})),
        )
        .await;
    assert_eq!(s, Status::Created, "{second}");
    let (s, v) = app
        .patch(&path, Some(&admin), json!({"active": true}))
        .await;
    assert_eq!(
        (s, &v["error"]["field"]),
        (Status::Conflict, &json!("cadre_id")),
        "{v}"
    );
    // Another role drops the link; it cannot keep one.
    let second_path = format!("/api/accounts/{}", second["id"]);
    let (s, v) = app
        .patch(
            &second_path,
            Some(&admin),
            json!({"role": "officer", "cadre_id": a}),
        )
        .await;
    assert_eq!(
        (s, &v["error"]["field"]),
        (Status::UnprocessableEntity, &json!("cadre_id")),
        "{v}"
    );
    let (s, v) = app
        .patch(&second_path, Some(&admin), json!({"role": "officer"}))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["cadre_id"], serde_json::Value::Null, "{v}");
    assert_eq!(v["unit_code"], "26734");
    let (s, v) = app
        .patch(&path, Some(&admin), json!({"active": true}))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    // Linked to another cadre, the account moves to that cadre's unit; a unit that is not the
    // cadre's is refused.
    let (s, v) = app
        .patch(
            &path,
            Some(&admin),
            json!({"cadre_id": b, "unit_code": "26734"}),
        )
        .await;
    assert_eq!(
        (s, &v["error"]["field"]),
        (Status::UnprocessableEntity, &json!("unit_code")),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("26764"),
        "{v}"
    );
    let (s, v) = app.patch(&path, Some(&admin), json!({"cadre_id": b})).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(
        (v["cadre_id"].as_i64(), v["unit_code"].as_str()),
        (Some(b), Some("26764"))
    );
    let token = app.token("cadre.an", "lop-hoc-dan-van-2026").await;
    let (s, me) = app.get("/api/me", Some(&token)).await;
    assert_eq!(s, Status::Ok, "{me}");
    assert_eq!(me["cadre"]["full_name"], "Trần Thị Bình", "{me}");
}

/// Eight admins link new accounts to one cadre at once: one wins, every other gets 409 naming
/// `cadre_id` (the cadre's row is locked while the link is checked, so two transactions cannot
/// both pass the check on PostgreSQL; SQLite has one writer at a time).
async fn simultaneous_accounts_for_one_cadre_give_one(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let a = crate::cadres::create(&app, &admin, "Nguyễn Văn An", "079180007901", "26734").await;
    let tries = (0..8).map(|i| {
        let (app, admin) = (&app, &admin);
        let body = json!({"username": format!("race.{i}"), "password": "lop-hoc-dan-van-2026",
            "role": "cadre", "cadre_id": a});
        async move { app.post("/api/accounts", Some(admin), body).await }
    });
    let answers = rocket::futures::future::join_all(tries).await;
    assert_eq!(
        answers.iter().filter(|a| a.0 == Status::Created).count(),
        1,
        "{answers:?}"
    );
    for (s, v) in answers.iter().filter(|a| a.0 != Status::Created) {
        assert_eq!(
            (*s, &v["error"]["field"]),
            (Status::Conflict, &json!("cadre_id")),
            "{v}"
        );
    }
}

/// A cadre account's home unit stays its cadre's current unit when the cadre moves (here through
/// the API; a roster import or the record exchange moves them through the same column): the
/// account, `/api/me` and the cadre's own view of the tree follow, and the account can still be
/// edited without naming a unit.
async fn a_cadre_account_moves_with_its_cadre(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let a = crate::cadres::create(&app, &admin, "Nguyễn Văn Chuyển", "079180007811", "26734").await;
    let (s, account) = app
        .post(
            "/api/accounts",
            Some(&admin),
            json!({"username": "cadre.chuyen", "password": "lop-hoc-dan-van-2026",
                   "role": "cadre", "cadre_id": a}),
        )
        .await;
    assert_eq!(s, Status::Created, "{account}");
    assert_eq!(account["unit_code"], "26734");
    let cadre = app.token("cadre.chuyen", "lop-hoc-dan-van-2026").await;
    let (s, v) = app.get("/api/units/26737", Some(&cadre)).await;
    assert_eq!(s, Status::Forbidden, "another ward is not the cadre's: {v}");
    let today = cadre_training::shared::clock::city_today().to_string();
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{a}"),
            Some(&admin),
            json!({"unit_code": "26737", "moved_on": today}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let path = format!("/api/accounts/{}", account["id"]);
    let (_, v) = app.get(&path, Some(&admin)).await;
    assert_eq!(v["unit_code"], "26737", "{v}");
    let (s, me) = app.get("/api/me", Some(&cadre)).await;
    assert_eq!(s, Status::Ok, "the cadre stays signed in: {me}");
    assert_eq!(me["account"]["unit_code"], "26737", "{me}");
    let (s, v) = app.get("/api/units/26737", Some(&cadre)).await;
    assert_eq!(s, Status::Ok, "the new ward is the cadre's: {v}");
    let (s, v) = app
        .patch(&path, Some(&admin), json!({"active": false}))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = app
        .patch(&path, Some(&admin), json!({"active": true}))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["unit_code"], "26737", "{v}");
}

/// An account edit that changes nothing (an empty body, a value as it is) writes nothing: no
/// audit entry, the same `updated_at`.
async fn an_account_edit_that_changes_nothing_writes_nothing(app: TestApp) {
    let admin = app.admin_token().await;
    app.account(&admin, "khong.doi", "commission", None).await;
    let (_, v) = app.get("/api/accounts?q=khong.doi", Some(&admin)).await;
    let id = v["items"][0]["id"].as_i64().expect("the account");
    let url = format!("/api/accounts/{id}");
    let trail = format!("/api/audit?entity=account&entity_id={id}");
    let (_, before) = app.get(&url, Some(&admin)).await;
    for body in [
        json!({}),
        json!({"role": "commission"}),
        json!({"cadre_id": null, "active": true}),
    ] {
        let (s, v) = app.patch(&url, Some(&admin), body.clone()).await;
        assert_eq!(s, Status::Ok, "{body}: {v:.300}");
        assert_eq!(v["updated_at"], before["updated_at"], "{body}: {v:.300}");
    }
    let (_, a) = app.get(&trail, Some(&admin)).await;
    assert_eq!(a["total"], 1, "the creation only: {a:.300}");
    let (s, v) = app
        .patch(&url, Some(&admin), json!({"active": false}))
        .await;
    assert_eq!(
        (s, v["active"].clone()),
        (Status::Ok, json!(false)),
        "{v:.300}"
    );
    let (_, a) = app.get(&trail, Some(&admin)).await;
    assert_eq!(a["total"], 2, "{a:.300}");
}

/// A cadre's password may have 10 characters, a staff account's 12: a cadre account is given a
/// staff role only once its password is long enough for it (409 `password_short_for_role` on
/// `role`, nothing changed); reset to a longer one, or set long enough from the start, it is.
async fn a_cadre_account_takes_a_staff_role_with_a_staff_password(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let mut ids = vec![];
    for (pid, username, pw) in [
        ("079180000501", "can.bo.ngan", "Qz7#kLp2Wm"),
        ("079180000502", "can.bo.dai", "Qz7#kLp2Wm-x9"),
    ] {
        let cadre = crate::cadres::create(&app, &admin, "Cán Bộ Lên Chức", pid, "26734").await;
        let (s, v) = app
            .post(
                "/api/accounts",
                Some(&admin),
                json!({"username": username, "password": pw, "role": "cadre", "cadre_id": cadre,
                       "unit_code": "26734"}),
            )
            .await;
        assert_eq!(s, Status::Created, "{v:.300}");
        ids.push(v["id"].as_i64().expect("id"));
    }
    let short = format!("/api/accounts/{}", ids[0]);
    let (s, v) = app
        .patch(
            &short,
            Some(&admin),
            json!({"role": "admin", "cadre_id": null}),
        )
        .await;
    assert_eq!(s, Status::Conflict, "{v:.300}");
    assert_eq!(
        (
            v["error"]["field"].clone(),
            v["error"]["reason"].clone(),
            v["error"]["params"]["min"].clone()
        ),
        (json!("role"), json!("password_short_for_role"), json!(12))
    );
    let (_, v) = app.get(&short, Some(&admin)).await;
    assert_eq!(v["role"], "cadre", "nothing changed: {v:.300}");
    let (s, v) = app
        .post(
            &format!("{short}/password"),
            Some(&admin),
            json!({"new_password": "Qz7#kLp2Wm-long"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    for url in [short, format!("/api/accounts/{}", ids[1])] {
        let (s, v) = app
            .patch(
                &url,
                Some(&admin),
                json!({"role": "commission", "cadre_id": null}),
            )
            .await;
        assert_eq!(
            (s, v["role"].clone()),
            (Status::Ok, json!("commission")),
            "{v:.300}"
        );
    }
}
