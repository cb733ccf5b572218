//! The reference version (migration 0022): moved by every write to what the reports' reference
//! cache is built from (standards, scales, the unit tree) and by nothing else, so a report's
//! standards, scales and places stay cached across ordinary writes, on both databases, and a
//! change to any of them shows in the next report at once, whichever app server made it; two
//! transactions writing them never deadlock over the counter.

use rocket::http::Status;
use serde_json::{json, Value};

use crate::db_tests;
use crate::helpers::TestApp;
use cadre_training::db::Db;

db_tests!(
    each_reference_table_moves_it_and_ordinary_writes_do_not,
    reports_stay_cached_across_ordinary_writes_and_see_reference_writes_at_once
);

/// The tables the reference cache is built from.
const REFERENCE_TABLES: [&str; 7] = [
    "units",
    "unit_periods",
    "titles",
    "standard_versions",
    "standard_requirements",
    "qualification_scales",
    "qualification_levels",
];

async fn reference_version(app: &TestApp) -> i64 {
    let sql = "SELECT version FROM reference_version WHERE id = 1";
    match &app.state().db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

async fn execute(app: &TestApp, sql: &str) -> u64 {
    match &app.state().db {
        Db::Sqlite(p) => sqlx::query(sql).execute(p).await.unwrap().rows_affected(),
        Db::Postgres(p) => sqlx::query(sql).execute(p).await.unwrap().rows_affected(),
    }
}

/// The write events (INSERT, UPDATE, DELETE) whose triggers on `table` move the reference version.
async fn bumping_events(app: &TestApp, table: &str) -> Vec<String> {
    let mut events: Vec<String> = match &app.state().db {
        Db::Sqlite(p) => {
            let sqls: Vec<String> = sqlx::query_scalar(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = $1",
            )
            .bind(table)
            .fetch_all(p)
            .await
            .unwrap();
            sqls.iter()
                .filter(|s| s.contains("UPDATE reference_version SET version = version + 1"))
                .filter_map(|s| {
                    ["INSERT", "UPDATE", "DELETE"]
                        .into_iter()
                        .find(|e| s.contains(&format!("AFTER {e} ON {table} ")))
                        .map(str::to_string)
                })
                .collect()
        }
        Db::Postgres(p) => sqlx::query_scalar(
            "SELECT event_manipulation::text FROM information_schema.triggers
             WHERE event_object_table = $1 AND action_statement LIKE '%reference_version_bump%'",
        )
        .bind(table)
        .fetch_all(p)
        .await
        .unwrap(),
    };
    events.sort();
    events.dedup();
    events
}

/// Every reference table has a trigger for each kind of write, and an update of one row of each
/// moves the version; a cadre, a qualification, a completion, a title and an account, written
/// through the API, leave it where it was.
async fn each_reference_table_moves_it_and_ordinary_writes_do_not(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    for table in REFERENCE_TABLES {
        assert_eq!(
            bumping_events(&app, table).await,
            ["DELETE", "INSERT", "UPDATE"],
            "{table}"
        );
    }
    // Ordinary writes.
    let before = reference_version(&app).await;
    let (s, v) = app
        .post(
            "/api/cadres",
            Some(&admin),
            json!({"full_name": "Đỗ Thị Hoa", "gender": "female", "birth_date": "1980-01-01",
                "ethnicity": "Kinh", "personal_id": "079180000001", "unit_code": "26734",
                "organisation": "fatherland_front", "party_joined_on": "2005-01-01",
                "unit_since": "2010-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let id = v["id"].as_i64().unwrap();
    for (path, body) in [
        (
            "qualifications",
            json!({"scale": "political_theory", "level": "intermediate", "obtained_on": "2012-01-01"}),
        ),
        (
            "completions",
            json!({"module_code": "DV-01", "completed_on": "2020-01-01", "source_ref": "Sổ lưu"}),
        ),
        (
            "titles",
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2015-01-01", "to_date": null}),
        ),
    ] {
        let (s, v) = app
            .post(&format!("/api/cadres/{id}/{path}"), Some(&admin), body)
            .await;
        assert_eq!(s, Status::Created, "{path}: {v}");
    }
    app.account(&admin, "school1", "school", None).await;
    assert_eq!(reference_version(&app).await, before);
    // One row of each reference table rewritten: the version moves each time.
    let updates = [
        "UPDATE units SET name = name WHERE code = '79'",
        "UPDATE unit_periods SET name = name WHERE id = (SELECT MIN(id) FROM unit_periods)",
        "UPDATE titles SET name_en = name_en WHERE code = 'FF-CHAIR-COMMUNE'",
        "UPDATE standard_versions SET note = note WHERE id = (SELECT MIN(id) FROM standard_versions)",
        "UPDATE standard_requirements SET position = position WHERE id = (SELECT MIN(id) FROM standard_requirements)",
        "UPDATE qualification_scales SET name_en = name_en WHERE code = 'political_theory'",
        "UPDATE qualification_levels SET name_en = name_en WHERE scale_code = 'political_theory' AND code = 'elementary'",
    ];
    for (table, sql) in REFERENCE_TABLES.iter().zip(updates) {
        assert!(sql.starts_with(&format!("UPDATE {table} ")), "{sql}");
        let was = reference_version(&app).await;
        assert_eq!(execute(&app, sql).await, 1, "{sql}");
        assert!(reference_version(&app).await > was, "{table}");
    }
}

/// A report's standards, scales and places come from the cache after a completion is recorded
/// (on PostgreSQL too, where the data version moves with every transaction of the cluster), and
/// the report still counts the completion; a unit renamed and a standard published through
/// another app server show in the first server's next report at once.
async fn reports_stay_cached_across_ordinary_writes_and_see_reference_writes_at_once(app: TestApp) {
    let w = crate::reports::world(&app).await;
    let t = &w.admin;
    let path = "/api/reports/gaps?unit=79&as_of=2021-06-01&group=lowest";
    let (s, first) = app.get(path, Some(t)).await;
    assert_eq!(s, Status::Ok, "{first}");
    assert_eq!(first["totals"]["short_by_requirement"]["module:DV-11"], 3);
    // B completes DV-11 in 2021: recorded, not a reference write.
    let version = reference_version(&app).await;
    let before = app.state().reference.stats();
    let (s, v) = app
        .post(
            &format!("/api/cadres/{}/completions", w.b),
            Some(t),
            json!({"module_code": "DV-11", "completed_on": "2021-01-01", "source_ref": "Sổ lưu"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(reference_version(&app).await, version);
    let (_, after_write) = app.get(path, Some(t)).await;
    assert_eq!(
        after_write["totals"]["short_by_requirement"]["module:DV-11"], 2,
        "{after_write}"
    );
    let after = app.state().reference.stats();
    // The standards, the scales and the places: all three from the cache.
    assert!(after.hits >= before.hits + 3, "{before:?} -> {after:?}");
    assert_eq!(after.misses, before.misses, "{before:?} -> {after:?}");
    // Another app server renames the unit holding B's row; the first server's next report
    // names it so.
    let row = |r: &Value, code: &str| {
        r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["unit_code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("{code} in {r}"))
    };
    let ward = "26764";
    let (_, unit) = app.get(&format!("/api/units/{ward}"), Some(t)).await;
    assert_eq!(row(&after_write, ward)["unit_name"], unit["name"]);
    let other = app.another_instance(&[]).await;
    let (s, v) = other
        .patch(
            &format!("/api/units/{ward}"),
            Some(t),
            json!({"name": "Phường Mười Hai", "kind": unit["kind"], "parent_code": unit["parent_code"],
                "effective": "2020-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, renamed) = app.get(path, Some(t)).await;
    assert_eq!(
        row(&renamed, ward)["unit_name"],
        "Phường Mười Hai",
        "{renamed}"
    );
    // Another app server publishes a version in force from 2021-01-01 that only limits the age.
    crate::reports::age_only_standard_shows_at_once(&app, &other, t, path).await;
}

/// Two transactions writing the reference, each waiting for a row the other wrote first, both
/// commit (PostgreSQL; SQLite runs one writer at a time): the version moves at each commit, once
/// per transaction, so its row is never held while a transaction waits for another's rows. A
/// statement trigger taking it at the first write deadlocked here.
#[rocket::async_test]
async fn two_reference_writers_waiting_for_each_others_rows_both_commit() {
    let Some(app) = TestApp::postgres().await else {
        return;
    };
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let Db::Postgres(pool) = &app.state().db else {
        unreachable!()
    };
    let before = reference_version(&app).await;
    let title = "UPDATE titles SET name_en = name_en WHERE code = 'FF-CHAIR-COMMUNE'";
    let mut first = pool.begin().await.unwrap();
    sqlx::query("UPDATE units SET name = name WHERE code = '79'")
        .execute(&mut *first)
        .await
        .unwrap();
    // The second writes the title, then holds it a moment before committing.
    let (wrote, written) = rocket::tokio::sync::oneshot::channel();
    let pool2 = pool.clone();
    let second = rocket::tokio::spawn(async move {
        let mut second = pool2.begin().await?;
        sqlx::query(title).execute(&mut *second).await?;
        let _ = wrote.send(());
        rocket::tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        second.commit().await
    });
    // (With the counter's lock taken at the first write, the second waited here for the first.)
    rocket::tokio::time::timeout(std::time::Duration::from_secs(10), written)
        .await
        .expect("the second writer waited for the first's lock on the counter")
        .unwrap();
    // The first waits for the title's row until the second commits, then writes it too.
    sqlx::query(title).execute(&mut *first).await.unwrap();
    first.commit().await.unwrap();
    second.await.unwrap().unwrap();
    assert_eq!(reference_version(&app).await, before + 2);
}
