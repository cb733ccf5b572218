//! Reports across the 2025 reorganisation (issue 13): the unit tree as of the report's date,
//! successor wards, nobody dropped, comparing across the line, an officer's scope across time.

use rocket::http::{ContentType, Status};
use serde_json::{json, Value};

use crate::db_tests;
use crate::helpers::{units_file, TestApp};

db_tests!(
    reports_hold_across_the_2025_reorganisation,
    a_record_names_each_unit_as_it_was_then
);

/// Loads the 2025 structure, as the README documents it (effective 2025-07-01, retiring what it
/// leaves out).
async fn reorganise(app: &TestApp, admin: &str) {
    let (s, v) = app
        .post_raw(
            "/api/units/import?root=79&retire_missing=true&effective=2025-07-01",
            Some(admin),
            ContentType::CSV,
            units_file("admin-units-2025.csv"),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
}

/// A cadre in `unit` since 2015-01-01 holding `titles` from that day; their id.
pub async fn holder(
    app: &TestApp,
    t: &str,
    name: &str,
    pid: &str,
    unit: &str,
    titles: &[&str],
) -> i64 {
    let (s, v) = app
        .post("/api/cadres", Some(t), json!({"full_name": name, "gender": "female", "birth_date": "1965-01-01",
            "ethnicity": "Kinh", "personal_id": pid, "unit_code": unit, "organisation": "fatherland_front",
            "party_joined_on": "2000-01-01", "unit_since": "2015-01-01"}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let id = v["id"].as_i64().unwrap();
    for title in titles {
        let (s, v) = app
            .post(
                &format!("/api/cadres/{id}/titles"),
                Some(t),
                json!({"title_code": title, "from_date": "2015-01-01"}),
            )
            .await;
        assert_eq!(s, Status::Created, "{v}");
    }
    id
}

fn row<'a>(report: &'a Value, unit: &str) -> Option<&'a Value> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_code"] == unit)
}

fn assessed(report: &Value, unit: &str) -> i64 {
    row(report, unit).map_or(0, |r| r["assessed"].as_i64().unwrap())
}

async fn ok(app: &TestApp, t: &str, path: &str) -> Value {
    let (s, v) = app.get(path, Some(t)).await;
    assert_eq!(s, Status::Ok, "{path}: {v}");
    v
}

const PAST: [&str; 4] = [
    "/api/reports/gaps?unit=760&as_of=2020-06-30&group=children",
    "/api/reports/gaps?unit=79&as_of=2020-06-30&group=children",
    "/api/reports/gaps?unit=79&as_of=2020-06-30&group=lowest",
    "/api/reports/training-demand?unit=79&as_of=2020-06-30",
];

async fn reports_hold_across_the_2025_reorganisation(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    // A holds two titles in Phường Tân Định (26734); B chairs the Front in Phường Đa Kao (26737,
    // a code the 2025 tree reuses for the new Phường Tân Định); C in Phường 14, Quận 3 (27127).
    let a = holder(
        &app,
        &admin,
        "Nguyễn Thị An",
        "079175000001",
        "26734",
        &["FF-CHAIR-COMMUNE", "WU-CHAIR-COMMUNE"],
    )
    .await;
    let b = holder(
        &app,
        &admin,
        "Trần Thị Bình",
        "079175000002",
        "26737",
        &["FF-CHAIR-COMMUNE"],
    )
    .await;
    let c = holder(
        &app,
        &admin,
        "Lê Thị Cúc",
        "079175000003",
        "27127",
        &["FF-CHAIR-COMMUNE"],
    )
    .await;

    // D chairs the Front of Quận 1 itself: a district the reorganisation abolished with no successor.
    let d = holder(
        &app,
        &admin,
        "Phạm Thị Dung",
        "079175000004",
        "760",
        &["FF-CHAIR-DISTRICT"],
    )
    .await;
    let mut before = vec![];
    for p in PAST {
        before.push(ok(&app, &admin, p).await);
    }
    assert_eq!(assessed(&before[0], "26734"), 2);
    assert_eq!(assessed(&before[0], "26737"), 1);

    // The 2025 structure, as the README documents it.
    reorganise(&app, &admin).await;

    // 1. Reports on a past date are the reports made before the reorganisation, row by row.
    for (p, was) in PAST.iter().zip(&before) {
        assert_eq!(&ok(&app, &admin, p).await, was, "{p}");
    }
    let q1 = &before[0];
    assert_eq!(row(q1, "26737").unwrap()["unit_name"], "Phường Đa Kao");
    assert_eq!(
        q1["rows"].as_array().unwrap().len(),
        11,
        "Quận 1 had ten wards in 2020, and its own row"
    );
    assert_eq!(assessed(q1, "760"), 1);
    // 5. The unit's own row opens only the cadres counted in it, not the whole subtree.
    let own = ok(
        &app,
        &admin,
        "/api/reports/gaps/cadres?unit=760&as_of=2020-06-30&status=all&row=760",
    )
    .await;
    assert_eq!(
        (own["total"].clone(), own["items"][0]["cadre_id"].clone()),
        (json!(1), json!(d))
    );
    let all = ok(
        &app,
        &admin,
        "/api/reports/gaps/cadres?unit=760&as_of=2020-06-30&status=all",
    )
    .await;
    assert_eq!(all["total"], 4);
    let ward = ok(
        &app,
        &admin,
        "/api/reports/gaps/cadres?unit=760&as_of=2020-06-30&status=all&row=26734",
    )
    .await;
    assert_eq!(ward["total"], 2);
    let city = &before[1];
    assert_eq!(
        city["rows"].as_array().unwrap().len(),
        22,
        "22 districts in 2020"
    );
    assert!(row(city, "26737").is_none(), "no ward beside the districts");
    assert_eq!(assessed(city, "760"), 4);
    assert_eq!(assessed(city, "770"), 1);
    let unit = ok(&app, &admin, "/api/units/26737?as_of=2020-06-30").await;
    assert_eq!(unit["name"], "Phường Đa Kao");
    assert_eq!(
        (unit["parent_code"].clone(), unit["depth"].clone()),
        (json!("760"), json!(2))
    );
    let anc: Vec<&str> = unit["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(anc, ["79", "760"]);
    assert_eq!(unit["ancestors"][1]["name"], "Quận 1");
    // The number of children is that day's too (the report page drills by it).
    let q1 = ok(&app, &admin, "/api/units/760?as_of=2020-06-30").await;
    assert_eq!(q1["child_count"], 10, "Quận 1's ten wards in 2020");
    let q1 = ok(&app, &admin, "/api/units/760").await;
    assert_eq!(q1["child_count"], 0, "none today");
    let city_then = ok(&app, &admin, "/api/units/79?as_of=2020-06-30").await;
    assert_eq!(city_then["child_count"], 22);
    let now = ok(&app, &admin, "/api/units/26737").await;
    assert_eq!(
        (now["name"].clone(), now["depth"].clone()),
        (json!("Phường Tân Định"), json!(1))
    );
    // A unit created by the reorganisation did not exist in 2020.
    let (s, v) = app
        .get("/api/reports/gaps?unit=760&as_of=2026-01-01", Some(&admin))
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("unit")),
        "{v}"
    );

    // 4. Demand counts cadres: A's two titles both need DV-03, yet A needs it once.
    let demand = &before[3];
    let dv03 = demand["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module_code"] == "DV-03")
        .unwrap();
    assert_eq!(dv03["needed"], 4, "{dv03}");
    let cells: i64 = dv03["by_unit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["needed"].as_i64().unwrap())
        .sum();
    assert_eq!(cells, 4);

    // 2. Today, before any successor is known: nobody vanishes; the retired wards' holders are in
    // an explicit unplaced row, and the drill-down counts the same people.
    let unplaced_today = ok(&app, &admin, "/api/reports/gaps?unit=79").await;
    let today = &unplaced_today;
    assert_eq!(today["totals"]["assessed"], 5, "{today}");
    assert_eq!(assessed(today, "UNPLACED"), 4);
    assert_eq!(assessed(today, "26737"), 1);
    let sum: i64 = today["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["assessed"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 5, "rows add up to the totals");
    let list = ok(&app, &admin, "/api/reports/gaps/cadres?unit=79&status=all").await;
    assert_eq!(list["total"], 5);

    // Successors: a dry run previews, writes nothing.
    let table = units_file("unit-successors-2025-hcmc.csv");
    let (s, dry) = app
        .post_raw(
            "/api/units/successors/import?dry_run=true",
            Some(&admin),
            ContentType::CSV,
            table.clone(),
        )
        .await;
    assert_eq!(s, Status::Ok, "{dry}");
    // The table also covers the wards of Bình Dương and Bà Rịa–Vũng Tàu, not loaded here.
    assert_eq!(
        (dry["dry_run"].clone(), dry["rows"].clone()),
        (json!(true), json!(493))
    );
    let linked = dry["created"].as_i64().unwrap();
    assert_eq!(linked + dry["skipped"].as_i64().unwrap(), 493);
    assert!(linked > 300, "{linked}");
    let moved = |r: &Value, kind: &str, cadre: i64| -> Vec<(String, String)> {
        r["moved"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == kind && m["cadre_id"] == cadre)
            .map(|m| {
                (
                    m["from_unit"].as_str().unwrap().to_string(),
                    m["to_unit"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        moved(&dry, "cadre_unit", a),
        [("26734".to_string(), "26737".to_string())]
    );
    assert_eq!(moved(&dry, "title_assignment", a).len(), 2);
    assert_eq!(
        moved(&dry, "cadre_unit", c),
        [("27127".to_string(), "27142".to_string())]
    );
    assert!(
        moved(&dry, "cadre_unit", b).is_empty(),
        "26737 goes on under its own code"
    );
    assert_eq!(
        dry["clashes"],
        json!([{"unit_code": "26737", "title_code": "FF-CHAIR-COMMUNE", "on": "2025-07-01", "cadre_ids": [a, b]}])
    );
    assert_eq!(
        assessed(
            &ok(&app, &admin, "/api/reports/gaps?unit=79").await,
            "UNPLACED"
        ),
        4,
        "dry run wrote nothing"
    );
    // A bad table is refused whole, naming every bad row.
    let (s, v) = app
        .post_raw("/api/units/successors/import", Some(&admin), ContentType::CSV,
            b"old_code,new_code,part,effective,main\n26734,26737,whole,2025-07-01,1\n26737,99999999,whole,2025-07-01,1\n26740,26740,whole,07/01/2025,1\n".to_vec())
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let fields: Vec<&str> = v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["effective"], "{v}");
    assert_eq!(v["error"]["details"][0]["code"], "date_iso_invalid", "{v}");
    // Every problem of a successor table has a code the catalogue tells in Vietnamese.
    let (s, v) = app
        .post_raw("/api/units/successors/import", Some(&admin), ContentType::CSV,
            b"old_code,new_code,part,effective,main\nx,26737,half,2025-07-01,2\n26734,26737,whole,2025-07-01,1\n26734,26737,whole,2025-07-01,1\n".to_vec())
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let codes: Vec<&str> = v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("none"))
        .collect();
    for want in [
        "unit_code_invalid",
        "whole_or_part",
        "one_or_zero",
        "succession_repeated",
    ] {
        assert!(codes.contains(&want), "{want}: {v}");
    }
    let repeated = v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "succession_repeated")
        .unwrap();
    assert_eq!(repeated["params"]["row_first"], 3, "{repeated}");
    let (_, vi) = app.get("/api/imports/messages?lang=vi", Some(&admin)).await;
    for c in &codes {
        assert!(
            vi["messages"][c].is_object() || vi["messages"][c].is_string(),
            "{c} in {vi}"
        );
    }
    let (s, v) = app
        .post_raw("/api/units/successors/import", Some(&admin), ContentType::CSV,
            b"old_code,new_code,part,effective,main\n26734,26737,whole,2025-07-01,1\n26737,99999999,whole,2025-07-01,1\n".to_vec())
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["details"][0]["field"], "new_code", "{v}");
    assert_eq!(v["error"]["details"][0]["code"], "unit_unknown", "{v}");
    let officer = app
        .account(&admin, "officer.tan.dinh", "officer", Some("26737"))
        .await;
    let (s, _) = app
        .post_raw(
            "/api/units/successors/import",
            Some(&officer),
            ContentType::CSV,
            table.clone(),
        )
        .await;
    assert_eq!(s, Status::Forbidden);

    let (s, done) = app
        .post_raw(
            "/api/units/successors/import",
            Some(&admin),
            ContentType::CSV,
            table.clone(),
        )
        .await;
    assert_eq!(s, Status::Ok, "{done}");
    assert_eq!(done["moved"], dry["moved"]);
    let today = ok(&app, &admin, "/api/reports/gaps?unit=79").await;
    // The moves change where people are counted, not how they are assessed (a split title keeps
    // its appointment day: age at appointment is unchanged).
    assert_eq!(today["totals"], unplaced_today["totals"]);
    assert_eq!(today["totals"]["assessed"], 5);
    // The district had no successor: its chair stays in sight, unplaced.
    assert_eq!(assessed(&today, "UNPLACED"), 1, "{today}");
    let lost = ok(
        &app,
        &admin,
        "/api/reports/gaps/cadres?unit=79&status=all&row=UNPLACED",
    )
    .await;
    assert_eq!(lost["items"][0]["cadre_id"], d);
    assert_eq!(assessed(&today, "26737"), 3);
    assert_eq!(assessed(&today, "27142"), 1);
    for (p, was) in PAST.iter().zip(&before) {
        assert_eq!(&ok(&app, &admin, p).await, was, "after the moves: {p}");
    }
    let rec = ok(&app, &admin, &format!("/api/cadres/{a}")).await;
    assert_eq!(rec["unit_code"], "26737");
    // Again: nothing changes.
    let (s, again) = app
        .post_raw(
            "/api/units/successors/import",
            Some(&admin),
            ContentType::CSV,
            table,
        )
        .await;
    assert_eq!(s, Status::Ok);
    assert_eq!(
        (
            again["created"].clone(),
            again["unchanged"].clone(),
            again["moved"].clone()
        ),
        (json!(0), json!(linked), json!([]))
    );

    // Comparing across the line: both dates on today's tree, each row of the past rolled into
    // its main successor; the totals are the two single-date reports' totals.
    let cmp = ok(
        &app,
        &admin,
        "/api/reports/gaps/compare?unit=79&from=2020-12-31&to=2026-01-01",
    )
    .await;
    assert_eq!(cmp["tree_as_of"], "2026-01-01");
    let r = cmp["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_code"] == "26737")
        .unwrap();
    assert_eq!(
        (r["from"]["assessed"].clone(), r["to"]["assessed"].clone()),
        (json!(3), json!(3))
    );
    let single = ok(&app, &admin, "/api/reports/gaps?unit=79&as_of=2020-12-31").await;
    assert_eq!(
        cmp["totals"]["from"]["assessed"],
        single["totals"]["assessed"]
    );
    let from_sum: i64 = cmp["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["from"]["assessed"].as_i64().unwrap())
        .sum();
    assert_eq!(from_sum, 5);

    // An officer of the new ward sees, before the reorganisation, the old units whose main
    // successor is their ward, and nothing else.
    let officer = app.token("officer.tan.dinh", "lop-hoc-dan-van-2026").await;
    let r = ok(
        &app,
        &officer,
        "/api/reports/gaps?unit=26734&as_of=2020-06-30",
    )
    .await;
    assert_eq!(r["totals"]["assessed"], 2);
    let r = ok(
        &app,
        &officer,
        "/api/reports/gaps?unit=26737&as_of=2020-06-30",
    )
    .await;
    assert_eq!(r["unit_name"], "Phường Đa Kao");
    for unit in ["760", "27127", "26740"] {
        let (s, v) = app
            .get(
                &format!("/api/reports/gaps?unit={unit}&as_of=2020-06-30"),
                Some(&officer),
            )
            .await;
        assert_eq!(s, Status::Forbidden, "{unit}: {v}");
    }
    let r = ok(&app, &officer, "/api/reports/gaps").await;
    assert_eq!(
        (r["unit_code"].clone(), r["totals"]["assessed"].clone()),
        (json!("26737"), json!(3))
    );
}

db_tests!(
    rows_written_before_the_unit_date_rules_still_count,
    a_unit_created_by_hand_begins_on_its_day,
    a_term_is_not_reopened_in_a_retired_unit
);

/// Rows written before a unit's dates were checked (a live ward left under a retired district, a
/// cadre placed in a ward before it came into being): nobody drops out of a report, its export,
/// its drill-down, the demand or a cadre's own gaps; they are counted in the UNPLACED row until
/// the record is mended.
async fn rows_written_before_the_unit_date_rules_still_count(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    // A ward of Quận 1 created by hand, with its chair, before the reorganisation.
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            json!({"code": "99001", "name": "Phường Thử Nghiệm", "kind": "ward", "parent_code": "760", "effective": "2010-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let kept = holder(
        &app,
        &admin,
        "Hồ Thị Giữ",
        "079175000011",
        "99001",
        &["FF-CHAIR-COMMUNE"],
    )
    .await;
    reorganise(&app, &admin).await;
    // A chair of the new Phường Bình Tây (27367, from 2025-07-01) since then.
    let early = crate::cadres::create_since(
        &app,
        &admin,
        ("Đỗ Thị Sớm", "079175000012"),
        "27367",
        "2025-07-01",
    )
    .await;
    let (s, v) = app
        .post(
            &format!("/api/cadres/{early}/titles"),
            Some(&admin),
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2025-07-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");

    // What the service refuses today, written straight into the database as older versions did:
    // the hand-made ward live again under the retired Quận 1, the new ward's chair there since
    // 2015.
    let db = &app.state().db;
    let mut tx = db.begin().await.unwrap();
    cadre_training::on_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE units SET retired_on = NULL, successor_code = NULL WHERE code = '99001'",
        )
        .execute(&mut *c)
        .await
        .unwrap();
        sqlx::query("UPDATE cadre_units SET from_date = '2015-01-01' WHERE cadre_id = $1")
            .bind(early)
            .execute(&mut *c)
            .await
            .unwrap();
        sqlx::query("UPDATE title_assignments SET from_date = '2018-01-01' WHERE cadre_id = $1")
            .bind(early)
            .execute(&mut *c)
            .await
            .unwrap();
    });
    cadre_training::units::store::rebuild_periods(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    cadre_training::gaps::timeline_store::flush_backlog(db)
        .await
        .unwrap();
    let ward = ok(&app, &admin, "/api/units/99001").await;
    assert!(ward["retired_on"].is_null(), "{ward}");

    // Today: the ward's chair is in the city's report, in the UNPLACED row (Quận 1 is no row),
    // and in the ward's own row when grouped by ward.
    let today = ok(&app, &admin, "/api/reports/gaps?unit=79").await;
    assert_eq!(assessed(&today, "UNPLACED"), 1, "{today}");
    assert!(row(&today, "760").is_none(), "{today}");
    let lowest = ok(&app, &admin, "/api/reports/gaps?unit=79&group=lowest").await;
    assert_eq!(today["totals"], lowest["totals"]);
    assert_eq!(assessed(&lowest, "99001"), 1, "{lowest}");
    let behind = ok(
        &app,
        &admin,
        "/api/reports/gaps/cadres?unit=79&status=all&row=UNPLACED",
    )
    .await;
    assert_eq!(behind["total"], 1, "{behind}");
    assert_eq!(behind["items"][0]["cadre_id"], kept);
    // The ward is a row when grouped by ward, not among the city's children (422 naming `row`).
    let (s, v) = app
        .get(
            "/api/reports/gaps/cadres?unit=79&status=all&row=99001",
            Some(&admin),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone(), v["error"]["reason"].clone()),
        (
            Status::UnprocessableEntity,
            json!("row"),
            json!("no_report_row")
        ),
        "{v}"
    );
    let by_ward = ok(
        &app,
        &admin,
        "/api/reports/gaps/cadres?unit=79&status=all&group=lowest&row=99001",
    )
    .await;
    assert_eq!(by_ward["total"], 1, "{by_ward}");
    // The files say the same: the report's UNPLACED row, the drill-down's list.
    for (path, needle) in [
        (
            "/api/reports/gaps/export?unit=79&format=csv",
            "UNPLACED".to_string(),
        ),
        (
            "/api/reports/gaps/cadres/export?unit=79&row=UNPLACED&status=all&format=csv",
            "Hồ Thị Giữ".to_string(),
        ),
    ] {
        let (s, _, body) = app.get_bytes(path, Some(&admin)).await;
        assert_eq!(s, Status::Ok, "{path}");
        let text = String::from_utf8(body).unwrap();
        assert!(text.contains(&needle), "{path}: {text}");
    }
    let demand = ok(&app, &admin, "/api/reports/training-demand?unit=79").await;
    let cells: Vec<&Value> = demand["modules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["by_unit"].as_array().unwrap())
        .filter(|c| c["unit_code"] == "UNPLACED")
        .collect();
    assert!(!cells.is_empty(), "{demand}");
    assert!(cells.iter().all(|c| c["unit_name"] != ""), "{demand}");

    // 2020: the new ward's chair, placed there "since 2015", is counted (unplaced: the ward was not
    // yet on the tree), in the report, the compare, the drill-down and their own gaps.
    let then = ok(&app, &admin, "/api/reports/gaps?unit=79&as_of=2020-06-30").await;
    assert_eq!(assessed(&then, "UNPLACED"), 1, "{then}");
    let lowest_then = ok(
        &app,
        &admin,
        "/api/reports/gaps?unit=79&as_of=2020-06-30&group=lowest",
    )
    .await;
    assert_eq!(then["totals"], lowest_then["totals"]);
    let behind = ok(
        &app,
        &admin,
        "/api/reports/gaps/cadres?unit=79&as_of=2020-06-30&status=all&row=UNPLACED",
    )
    .await;
    assert_eq!(behind["total"], 1, "{behind}");
    assert_eq!(behind["items"][0]["cadre_id"], early);
    let compare = ok(
        &app,
        &admin,
        "/api/reports/gaps/compare?unit=79&from=2020-06-30&to=2026-01-01",
    )
    .await;
    assert_eq!(compare["totals"]["from"], then["totals"], "{compare}");
    let gaps = ok(
        &app,
        &admin,
        &format!("/api/cadres/{early}/gaps?as_of=2020-06-30"),
    )
    .await;
    assert_eq!(gaps["items"].as_array().map(Vec::len), Some(1), "{gaps}");
}

/// A unit created through the API without a day comes into being today (the city's), not "for
/// ever": no past report shows it and nobody is placed there, or given a title there, before.
async fn a_unit_created_by_hand_begins_on_its_day(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            json!({"code": "8880002", "name": "Phường Mới Hai", "kind": "ward", "parent_code": "79"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let today = cadre_training::shared::clock::city_today();
    let (s, v) = app
        .get("/api/units/8880002?as_of=2020-12-31", Some(&admin))
        .await;
    assert_eq!(
        (s, v["error"]["reason"].clone()),
        (Status::UnprocessableEntity, json!("unit_not_yet")),
        "{v}"
    );
    assert_eq!(
        ok(&app, &admin, &format!("/api/units/8880002?as_of={today}")).await["name"],
        "Phường Mới Hai"
    );
    let report = ok(
        &app,
        &admin,
        "/api/reports/gaps?unit=79&as_of=2020-12-31&group=lowest",
    )
    .await;
    assert!(row(&report, "8880002").is_none(), "not in 2020's tree");
    let id = crate::cadres::create(&app, &admin, "Phạm Văn Cũ", "079070000333", "8880002").await;
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/titles"),
            Some(&admin),
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2019-01-01", "unit_code": "8880002"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("from_date")),
        "{v}"
    );
    // Given a day, the unit begins then.
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            json!({"code": "8880003", "name": "Phường Mới Ba", "kind": "ward", "parent_code": "79", "effective": "2019-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(
        ok(&app, &admin, "/api/units/8880003?as_of=2020-12-31").await["name"],
        "Phường Mới Ba"
    );
}

/// A past term in a ward the reorganisation retired is kept, and may be corrected within the
/// ward's life, but not reopened or prolonged into its retirement (the reports would count it in
/// the successor ward from that day), as none is created there.
async fn a_term_is_not_reopened_in_a_retired_unit(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    reorganise(&app, &admin).await;
    let id = crate::cadres::create(&app, &admin, "Đỗ Thị Chuyển", "079175000021", "26737").await;
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/titles"),
            Some(&admin),
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2018-01-01", "to_date": "2024-12-31", "unit_code": "26734"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let aid = v["titles"][0]["id"].as_i64().unwrap();
    let path = format!("/api/cadres/{id}/titles/{aid}");
    for to in [json!(null), json!("2025-07-01"), json!("2026-01-01")] {
        let (s, v) = app.patch(&path, Some(&admin), json!({"to_date": to})).await;
        assert_eq!(
            (s, v["error"]["field"].clone(), v["error"]["reason"].clone()),
            (
                Status::UnprocessableEntity,
                json!("to_date"),
                json!("unit_gone")
            ),
            "{to}: {v}"
        );
    }
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["titles"][0]["to_date"], "2024-12-31", "{v}");
    let (s, v) = app
        .patch(&path, Some(&admin), json!({"to_date": "2025-06-30"}))
        .await;
    assert_eq!(s, Status::Ok, "the ward's last day: {v}");
    assert_eq!(v["titles"][0]["to_date"], "2025-06-30", "{v}");
}

/// A cadre's record names the unit of each period as it was then: code 26737 was Phường Đa Kao
/// until 2025-07-01 and is Phường Tân Định since, so a term there in 2015–2020 reads Đa Kao (not
/// the old Tân Định, 26734, merged into it), and the stay since 2015 reads Tân Định, formerly
/// Đa Kao. The cadre's own record says the same.
async fn a_record_names_each_unit_as_it_was_then(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let id = holder(&app, &admin, "Nguyễn Thị Đa", "079165000741", "26737", &[]).await;
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/titles"),
            Some(&admin),
            json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2015-01-01", "to_date": "2020-12-31"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    reorganise(&app, &admin).await;
    let (s, account) = app
        .post(
            "/api/accounts",
            Some(&admin),
            json!({"username": "cadre.da", "password": "lop-hoc-dan-van-2026", "role": "cadre", "cadre_id": id}),
        )
        .await;
    assert_eq!(s, Status::Created, "{account}");
    let cadre = app.token("cadre.da", "lop-hoc-dan-van-2026").await;
    let (_, record) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    let (_, me) = app.get("/api/me", Some(&cadre)).await;
    for (who, r) in [("record", &record), ("me", &me["cadre"])] {
        let term = &r["titles"][0];
        assert_eq!(
            (
                term["unit_code"].as_str(),
                term["unit_name"].as_str(),
                &term["unit_former_name"]
            ),
            (Some("26737"), Some("Phường Đa Kao"), &Value::Null),
            "{who}: {r}"
        );
        let stay = &r["units"][0];
        assert_eq!(
            (
                stay["unit_name"].as_str(),
                stay["unit_former_name"].as_str()
            ),
            (Some("Phường Tân Định"), Some("Phường Đa Kao")),
            "{who}: {r}"
        );
    }
}
