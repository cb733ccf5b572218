//! The demo data (issue 13): laid on the 2024 tree, carried across the real 2025 reorganisation by
//! the same imports an administrator uses, with classes on every status and a compliance level
//! that looks like a real city. Reports for 2020 show districts and wards; today's the new wards.

use std::collections::{HashMap, HashSet};

use rocket::http::Status;
use serde_json::Value;

use crate::helpers::TestApp;
use cadre_training::generate::{run, Scale, OFFICER_UNIT};

crate::slow_db_tests!(demo_data_crosses_the_2025_reorganisation);

async fn ok(app: &TestApp, t: &str, path: &str) -> Value {
    let (s, v) = app.get(path, Some(t)).await;
    assert_eq!(s, Status::Ok, "{path}: {v}");
    v
}

fn codes(report: &Value) -> Vec<String> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unit_code"].as_str().unwrap().to_string())
        .collect()
}

async fn demo_data_crosses_the_2025_reorganisation(app: TestApp) {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/units");
    let summary = run(app.state(), Scale::Demo, 1, None, &data)
        .await
        .expect("demo");
    assert!(summary.contains("reorganised on 2025-07-01"), "{summary}");
    let c = app.token("commission", "demo-password").await;

    // 2020: the city by its 22 districts (and the city's own titles); every holder counted.
    let past = ok(
        &app,
        &c,
        "/api/reports/gaps?unit=79&as_of=2020-12-31&group=children",
    )
    .await;
    let rows = codes(&past);
    assert!(
        rows.contains(&"760".to_string()),
        "Quận 1 in 2020: {rows:?}"
    );
    assert_eq!(rows.len(), 23, "the city and its 22 districts: {rows:?}");
    let pct = past["totals"]["compliance_pct"].as_f64().unwrap();
    assert!(
        (40.0..=80.0).contains(&pct),
        "a believable compliance in 2020: {pct}"
    );
    let assessed_2020 = past["totals"]["assessed"].as_i64().unwrap();
    let sum: i64 = past["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["assessed"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, assessed_2020, "the rows add up to the total");

    // Today: the city and its 168 new units, nobody unplaced.
    let now = ok(&app, &c, "/api/reports/gaps?unit=79&group=children").await;
    let rows = codes(&now);
    assert_eq!(
        rows.len(),
        169,
        "the city and its 168 units: {}",
        rows.len()
    );
    assert!(
        !rows.contains(&"760".to_string()) && !rows.iter().any(|r| r == "UNPLACED"),
        "{rows:?}"
    );
    assert!(
        rows.contains(&"25747".to_string()),
        "a ward from Bình Dương has people: {rows:?}"
    );
    let pct = now["totals"]["compliance_pct"].as_f64().unwrap();
    assert!(
        (40.0..=80.0).contains(&pct),
        "a believable compliance today: {pct}"
    );

    // One holder per title and unit today (the merged wards' clashes resolved), and no cadre
    // planned twice for one title in one unit.
    let mut tx = app.state().db.begin().await.unwrap();
    let seats: Vec<(String, i64, i64)> = cadre_training::on_tx!(&mut tx, |c| {
        sqlx::query_as(
        "SELECT unit_code, title_id, COUNT(*) FROM title_assignments WHERE to_date IS NULL GROUP BY unit_code, title_id HAVING COUNT(*) > 1"
    )
    .fetch_all(&mut *c)
    .await
    .unwrap()
    });
    assert!(seats.is_empty(), "titles with two incumbents: {seats:?}");
    let plans: Vec<(i64, i64, i64)> = cadre_training::on_tx!(&mut tx, |c| {
        sqlx::query_as(
        "SELECT cadre_id, title_id, COUNT(*) FROM succession_plans WHERE to_date IS NULL GROUP BY cadre_id, title_id HAVING COUNT(*) > 1"
    )
    .fetch_all(&mut *c)
    .await
    .unwrap()
    });
    assert!(plans.is_empty(), "duplicate open plans: {plans:?}");
    let on_retired: i64 = cadre_training::on_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM cadres c JOIN units u ON u.code = c.unit_code WHERE u.retired_on IS NOT NULL"
    )
    .fetch_one(&mut *c)
    .await
    .unwrap()
    });
    assert_eq!(on_retired, 0, "every cadre works in a live unit today");
    tx.commit().await.unwrap();

    // Classes on every status, with certificates that verify.
    let school = app.token("school", "demo-password").await;
    let classes = ok(&app, &school, "/api/classes").await;
    let statuses: HashSet<String> = classes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap().to_string())
        .collect();
    for s in ["open", "running", "finished"] {
        assert!(statuses.contains(s), "a class {s}: {statuses:?}");
    }
    let done = ok(&app, &school, "/api/classes/DV03-K1/completions").await;
    let certs: Vec<&str> = done["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["certificate_no"].as_str())
        .collect();
    assert!(!certs.is_empty(), "certificates issued: {done}");
    let (s, v) = app
        .get(&format!("/api/certificates/{}", certs[0]), None)
        .await;
    assert_eq!(s, Status::Ok, "{v}");

    // The officer of the new Tân Định sees, for 2020, the wards it took in (old Tân Định 26734,
    // and Đa Kao, whose code it now carries).
    let officer = app.token("officer.tandinh", "demo-password").await;
    let mine = ok(
        &app,
        &officer,
        &format!("/api/reports/gaps?unit={OFFICER_UNIT}&as_of=2020-12-31&group=children"),
    )
    .await;
    let rows: HashMap<String, i64> = mine["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["unit_code"].as_str().unwrap().to_string(),
                r["assessed"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(mine["totals"]["assessed"].as_i64().unwrap() > 0, "{mine}");
    let (s, _) = app
        .get(
            "/api/reports/gaps?unit=760&as_of=2020-12-31",
            Some(&officer),
        )
        .await;
    assert_eq!(
        s,
        Status::Forbidden,
        "the rest of the old Quận 1 is not theirs; rows: {rows:?}"
    );

    // The demo cadre: a title holder in Tân Định with a module to take.
    let cadre = app.token("cadre", "demo-password").await;
    let me = ok(&app, &cadre, "/api/me").await;
    let text = me.to_string();
    assert!(
        text.contains("module:"),
        "a module gap on the cadre's own record"
    );
    assert!(text.contains(OFFICER_UNIT), "in the new Tân Định");
}
