//! The two backends' schemas agree (issue 19): after the migrations, SQLite and PostgreSQL have
//! the same tables, the same columns with compatible types and the same nullability, and the same
//! indexes. A migration written for one backend only fails here.

use std::collections::BTreeMap;

use cadre_training::db::Db;
use chrono::Datelike;

use crate::helpers::TestApp;

/// A column as both backends can describe it: (type family, not null).
type Columns = BTreeMap<String, BTreeMap<String, (String, bool)>>;

/// Type families that both backends can hold for the same Rust type.
fn family(t: &str) -> String {
    let t = t.to_ascii_lowercase();
    match t.as_str() {
        "integer" | "bigint" | "int8" | "int4" | "smallint" => "int",
        "boolean" | "bool" => "bool",
        "real" | "double precision" | "float8" | "numeric" => "real",
        "bytea" | "blob" => "bytes",
        // SQLite keeps dates and times as TEXT; PostgreSQL as DATE / TIMESTAMPTZ / TEXT.
        _ => "text",
    }
    .into()
}

async fn sqlite_schema(app: &TestApp) -> (Columns, Vec<String>) {
    let Db::Sqlite(p) = &app.state().db else {
        unreachable!()
    };
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(p)
    .await
    .unwrap();
    let mut cols = Columns::new();
    for (t,) in tables {
        let rows: Vec<(String, String, bool, i64)> = sqlx::query_as(&format!(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info('{t}')"
        ))
        .fetch_all(p)
        .await
        .unwrap();
        let entry = cols.entry(t.clone()).or_default();
        for (name, ty, notnull, pk) in rows {
            // A primary key is NOT NULL on PostgreSQL; on SQLite an INTEGER one is (a rowid alias)
            // and a TEXT one only by SQLite's legacy leniency, which no write of ours relies on.
            let not_null = notnull || pk > 0;
            entry.insert(name, (family(&ty), not_null));
        }
    }
    let mut indexes: Vec<String> = sqlx::query_as::<_, (String,)>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'",
    )
    .fetch_all(p)
    .await
    .unwrap()
    .into_iter()
    .map(|r| r.0)
    .collect();
    indexes.sort();
    (cols, indexes)
}

async fn postgres_schema(app: &TestApp) -> (Columns, Vec<String>) {
    let Db::Postgres(p) = &app.state().db else {
        unreachable!()
    };
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text
         FROM information_schema.columns WHERE table_schema = current_schema()
           AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(p)
    .await
    .unwrap();
    let mut cols = Columns::new();
    for (t, name, ty, nullable) in rows {
        cols.entry(t)
            .or_default()
            .insert(name, (family(&ty), nullable == "NO"));
    }
    let mut indexes: Vec<String> = sqlx::query_as::<_, (String,)>(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema()
           AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
    )
    .fetch_all(p)
    .await
    .unwrap()
    .into_iter()
    .map(|r| r.0)
    .collect();
    indexes.sort();
    (cols, indexes)
}

#[rocket::async_test]
#[ignore = "slow lane: cargo test -- --include-ignored"]
async fn sqlite_and_postgres_schemas_agree() {
    let Some(pg) = TestApp::postgres().await else {
        return;
    };
    let lite = TestApp::sqlite().await;
    let (lc, li) = sqlite_schema(&lite).await;
    let (pc, mut pi) = postgres_schema(&pg).await;
    // PostgreSQL's own planner indexes, by design: the whole tree's report reads the timeline by
    // day there (migration 0019; SQLite's statement walks the units, its 0019 is empty), and a
    // province's by province (0023; SQLite keeps the column only).
    let own = ["holder_timeline_day", "holder_timeline_province"];
    assert!(
        own.iter().all(|i| pi.iter().any(|p| p == i)),
        "PostgreSQL keeps {own:?}"
    );
    pi.retain(|i| !own.contains(&i.as_str()));
    let lt: Vec<&String> = lc.keys().collect();
    let pt: Vec<&String> = pc.keys().collect();
    assert_eq!(lt, pt, "the same tables");
    let mut differ = vec![];
    for (t, cols) in &lc {
        let other = &pc[t];
        for (c, l) in cols {
            match other.get(c) {
                None => differ.push(format!("{t}.{c}: only in SQLite")),
                Some(p) if p != l => {
                    differ.push(format!("{t}.{c}: SQLite {l:?}, PostgreSQL {p:?}"))
                }
                _ => {}
            }
        }
        for c in other.keys().filter(|c| !cols.contains_key(*c)) {
            differ.push(format!("{t}.{c}: only in PostgreSQL"));
        }
    }
    assert!(
        differ.is_empty(),
        "columns that differ:\n{}",
        differ.join("\n")
    );
    assert_eq!(li, pi, "the same indexes");
}

/// The same generated data gives the same reports, byte for byte as JSON, on both databases: the
/// city as of 2020 and today, by children and by lowest level, the drill-down, training demand
/// and the comparison across the reorganisation.
#[rocket::async_test]
#[ignore = "slow lane: cargo test -- --include-ignored"]
async fn the_same_data_gives_the_same_reports_on_both_databases() {
    let Some(pg) = TestApp::postgres().await else {
        return;
    };
    let lite = TestApp::sqlite().await;
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/units");
    // One instant for both (the generator dates the demo classes from the city's today).
    let now = lite.state().clock.now();
    pg.state().clock.set_now(Some(now));
    lite.state().clock.set_now(Some(now));
    for app in [&lite, &pg] {
        cadre_training::generate::run(
            app.state(),
            cadre_training::generate::Scale::Demo,
            1,
            None,
            &data,
        )
        .await
        .expect("demo");
    }
    let paths = [
        "/api/reports/gaps?unit=79&as_of=2020-12-31&group=children",
        "/api/reports/gaps?unit=79&group=children",
        "/api/reports/gaps?unit=79&as_of=2020-12-31&group=lowest&population=both",
        "/api/reports/gaps?unit=26737&as_of=2020-12-31&group=children",
        "/api/reports/gaps/cadres?unit=79&status=short&limit=200",
        "/api/reports/training-demand?unit=79",
        "/api/reports/gaps/compare?unit=79&from=2020-12-31&to=2026-06-30",
    ];
    let (lt, pt) = (
        lite.token("commission", "demo-password").await,
        pg.token("commission", "demo-password").await,
    );
    for path in paths {
        let (ls, lv) = lite.get(path, Some(&lt)).await;
        let (ps, pv) = pg.get(path, Some(&pt)).await;
        assert_eq!(ls, rocket::http::Status::Ok, "{path}: {lv}");
        assert_eq!(
            (ls, &lv),
            (ps, &pv),
            "{path} differs between SQLite and PostgreSQL"
        );
    }
}

crate::slow_db_tests!(the_report_path_and_the_engine_agree_on_generated_data);

/// The report path filters facts by date and revocation in SQL before the engine sees them; a
/// cadre's own record gives the engine every raw fact and lets it decide. On generated data (with
/// revoked, refreshed and future-dated facts, moves and the 2025 reorganisation), both say the
/// same for every title holder and planned successor of a sample, on several days.
async fn the_report_path_and_the_engine_agree_on_generated_data(app: TestApp) {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/units");
    cadre_training::generate::run(
        app.state(),
        cadre_training::generate::Scale::Demo,
        3,
        None,
        &data,
    )
    .await
    .expect("demo");
    let state = app.state();
    let ids: Vec<i64> = cadre_training::on_db!(&state.db, |p| {
        sqlx::query_scalar(
        "SELECT DISTINCT cadre_id FROM (SELECT cadre_id FROM title_assignments UNION SELECT cadre_id FROM succession_plans) t
         ORDER BY cadre_id"
    )
    .fetch_all(p)
    .await
    .unwrap()
    });
    assert!(ids.len() > 500, "{}", ids.len());
    let today = state.clock.today();
    let days = [
        chrono::NaiveDate::from_ymd_opt(2012, 3, 1).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap(),
        chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
        today,
    ];
    let mut compared = 0;
    for id in ids.iter().step_by(7) {
        let mut conn = state.db.acquire().await.unwrap();
        let (cadre, _) = cadre_training::cadres::store::get_with_feed(&mut conn, *id)
            .await
            .unwrap()
            .unwrap();
        let (titles, plans) = cadre_training::cadres::store::titles_both(&mut conn, *id)
            .await
            .unwrap();
        let quals = cadre_training::cadres::store::qualification_facts(&mut conn, *id)
            .await
            .unwrap();
        let comps = cadre_training::completions::store::for_cadre(&mut conn, *id)
            .await
            .unwrap();
        let own = cadre_training::gaps::own::OwnRecord {
            cadre: &cadre,
            titles: &titles,
            plans: &plans,
            qualifications: &quals,
            completions: &comps,
        };
        for d in days {
            let now = state.clock.now();
            let engine = cadre_training::gaps::own::own_gaps_on(
                &mut conn,
                &own,
                d,
                (now, state.clock.date_of(now)),
                &state.reference,
                None,
            )
            .await
            .unwrap();
            let report = cadre_training::gaps::service::gaps_of(state, *id, d)
                .await
                .unwrap();
            assert_eq!(
                serde_json::to_value(&engine).unwrap(),
                serde_json::to_value(&report).unwrap(),
                "cadre {id} on {d}: the engine on raw facts and the report path disagree"
            );
            compared += engine.len();
        }
    }
    assert!(compared > 300, "{compared} title verdicts compared");

    // The timelines the generator's writes kept equal a rebuild, and the reports read from them
    // equal the engine's from the facts (issue 18).
    use cadre_training::gaps::timeline_store::{all_intervals, rebuild_all};
    let kept = all_intervals(&state.db).await.unwrap();
    assert!(kept.len() >= ids.len(), "{} intervals", kept.len());
    rebuild_all(&state.db).await.unwrap();
    assert!(
        kept == all_intervals(&state.db).await.unwrap(),
        "the timelines kept by the generator's writes differ from a rebuild"
    );
    let root = cadre_training::units::store::get(&state.db, "79")
        .await
        .unwrap()
        .unwrap();
    for d in days {
        for grouping in [
            cadre_training::gaps::report::Grouping::Children,
            cadre_training::gaps::report::Grouping::Lowest,
        ] {
            let q = cadre_training::gaps::service::ReportQuery {
                filter: cadre_training::gaps::store::Filter {
                    as_of: d,
                    range: cadre_training::shared::tree::subtree_range(&root.path),
                    population: cadre_training::gaps::store::Population::Both,
                    title: None,
                    org_kind: None,
                    cadres: None,
                    tree_on: d,
                },
                root: root.clone(),
                version: None,
                reference: None,
            };
            let timeline = cadre_training::gaps::service::build_report(state, &q, grouping)
                .await
                .unwrap();
            let engine =
                cadre_training::gaps::service::build_report_from_facts(state, &q, grouping)
                    .await
                    .unwrap();
            assert!(timeline.totals.assessed > 0 || d.year() < 2014);
            assert_eq!(
                serde_json::to_value(&timeline).unwrap(),
                serde_json::to_value(&engine).unwrap(),
                "the city's report on {d} ({grouping:?}): the timeline and the engine disagree"
            );
        }
    }
}
