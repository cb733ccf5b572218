//! The audit trail records writes with before/after, and only admins read it.

use rocket::http::Status;
use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    writes_are_audited_and_filterable,
    a_long_trail_is_counted_ten_thousand_past_the_page,
    the_trails_filters_are_checked
);

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
    assert_eq!(
        (v["total"].clone(), v["total_exact"].clone()),
        (json!(2), json!(true)),
        "{v}"
    );
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

/// The trail only grows: its matches are counted up to 10,000 past the page's start, and beyond
/// that the total is a lower bound (`total_exact` false), on both databases. 10,050 entries of a
/// kind of their own are written straight into the table.
async fn a_long_trail_is_counted_ten_thousand_past_the_page(app: TestApp) {
    let admin = app.admin_token().await;
    let (_, v) = app.get("/api/audit", Some(&admin)).await;
    let before = v["total"].as_i64().unwrap();
    assert_eq!(v["total_exact"], true, "{v}");
    let rows = 10_050;
    let at = "2026-01-01T00:00:00Z";
    let sql = if app.state().db.is_sqlite() {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) \
             INSERT INTO audit_log (at, actor, action, entity, entity_id) \
             SELECT '{at}', 'school1', 'update', 'trail_test', CAST(i AS TEXT) FROM n"
        )
    } else {
        format!(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id) \
             SELECT timestamptz '{at}', 'school1', 'update', 'trail_test', CAST(i AS TEXT) \
             FROM generate_series(1, {rows}) i"
        )
    };
    cadre_training::on_db!(&app.state().db, |p| {
        sqlx::query(&sql).execute(p).await.unwrap();
    });
    let all = before + rows;
    let page = |q: &str| {
        let path = format!("/api/audit?{q}");
        let admin = admin.clone();
        let app = &app;
        async move {
            let (s, v) = app.get(&path, Some(&admin)).await;
            assert_eq!(s, Status::Ok, "{path}: {v}");
            let n = v["items"].as_array().unwrap().len();
            (
                v["total"].as_i64().unwrap(),
                v["total_exact"].as_bool().unwrap(),
                n,
            )
        }
    };
    // The first pages: at least 10,000.
    assert_eq!(page("limit=50").await, (10_000, false, 50));
    assert_eq!(
        page("entity=trail_test&limit=500").await,
        (10_000, false, 500)
    );
    // Close enough to the end to count it all.
    assert_eq!(page("limit=50&offset=9000").await, (all, true, 50));
    assert_eq!(
        page("entity=trail_test&limit=50&offset=1000").await,
        (rows, true, 50)
    );
    // The last page tells the total itself; past the end, it is counted.
    assert_eq!(
        page("entity=trail_test&limit=100&offset=10000").await,
        (rows, true, 50)
    );
    assert_eq!(
        page("entity=trail_test&limit=10&offset=20000").await,
        (rows, true, 0)
    );
    // A filter matching few is exact, as before.
    assert_eq!(page("entity=trail_test&entity_id=77").await, (1, true, 1));
}

/// The trail's filters are checked as every text a client sends: a NUL, a control character or
/// direction override, or only invisible characters in `entity`, `entity_id` or `actor` is a 422
/// naming it (not an empty page), and so is a window ending before it starts.
async fn the_trails_filters_are_checked(app: TestApp) {
    let admin = app.admin_token().await;
    for (query, field) in [
        ("entity=%00", "entity"),
        ("entity_id=a%07b", "entity_id"),
        ("actor=%E2%80%AEadmin", "actor"),
        ("actor=%E2%80%8B%E2%80%8B", "actor"),
        ("from=2026-12-08&to=2026-12-01", "to"),
    ] {
        let (s, v) = app.get(&format!("/api/audit?{query}"), Some(&admin)).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (Status::UnprocessableEntity, Some(field)),
            "{query}: {v}"
        );
    }
    let (s, v) = app
        .get("/api/audit?from=2026-12-01&to=2026-12-01", Some(&admin))
        .await;
    assert_eq!(s, Status::Ok, "an empty window is a window: {v}");
}
