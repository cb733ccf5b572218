//! Benchmarks. `bench [--pg URL] [--data DIR]`: unit-tree import and subtree queries on SQLite and
//! PostgreSQL. `bench reports --url URL [--runs N] [--profile] [--only TEXT]`: gap reports on a
//! generated database, next to a `SELECT count(*)` of the completions and aggH in the same run.

use std::time::{Duration, Instant};

use cadre_training::audit::Actor;
use cadre_training::auth::Scope;
use cadre_training::db::{Db, PoolSettings, ScratchSchema};
use cadre_training::shared::clock::city_today;
use cadre_training::shared::table::Limits;
use cadre_training::units::{import, store};

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p95(v: &mut [Duration]) -> Duration {
    v.sort();
    v[((v.len() as f64 * 0.95).ceil() as usize)
        .saturating_sub(1)
        .min(v.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Prints `what`: the ratio of two medians, with both.
fn ratio(what: &str, top: Duration, bottom: Duration) {
    println!(
        "{what}: {:.2} (medians {} / {})",
        top.as_secs_f64() / bottom.as_secs_f64(),
        ms(top),
        ms(bottom)
    );
}

/// Runs `f` `runs` times (after one warm-up run); returns the median and the 95th percentile.
async fn timed<F, Fut, T>(runs: usize, mut f: F) -> (Duration, Duration)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    std::hint::black_box(f().await);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f().await);
        times.push(t.elapsed());
    }
    (median(&mut times), p95(&mut times))
}

async fn run(label: &str, db: Db, csv: &[u8]) {
    let opts = import::ImportOptions::default();
    let t = Instant::now();
    let r = import::run(
        &db,
        &Actor::system(),
        csv.to_vec(),
        &Limits::default(),
        &opts,
        city_today(),
    )
    .await
    .expect("import");
    let cold = t.elapsed();
    let t = Instant::now();
    let again = import::run(
        &db,
        &Actor::system(),
        csv.to_vec(),
        &Limits::default(),
        &opts,
        city_today(),
    )
    .await
    .expect("re-import");
    let warm = t.elapsed();
    assert_eq!(again.created + again.updated, 0);
    let hcmc = store::require(&db, "79").await.expect("79");
    let q1 = store::require(&db, "760").await.expect("760");
    let all = timed(50, || store::subtree_count(&db, "/")).await.0;
    let city = timed(200, || store::subtree_count(&db, &hcmc.path)).await.0;
    let district = timed(200, || store::subtree_count(&db, &q1.path)).await.0;
    let kids = timed(200, || store::children(&db, "79", false)).await.0;
    let scope = Scope::Subtree {
        code: "79".into(),
        path: hcmc.path.clone(),
    };
    let search = timed(50, || store::search(&db, "tan dinh", &Scope::All, 20))
        .await
        .0;
    let search_scoped = timed(50, || store::search(&db, "tan dinh", &scope, 20))
        .await
        .0;
    let crumbs = timed(200, || store::ancestors(&db, &q1)).await.0;
    println!(
        "| {label} | {} rows | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        r.rows,
        ms(cold),
        ms(warm),
        ms(all),
        ms(city),
        ms(district),
        ms(kids),
        ms(crumbs),
        ms(search),
        ms(search_scoped)
    );
}

#[rocket::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if args.first().map(String::as_str) == Some("reports") {
        let url = arg("--url").unwrap_or_else(|| "sqlite://data/cadres.db".into());
        let runs = arg("--runs").and_then(|r| r.parse().ok()).unwrap_or(15);
        let profile = args.iter().any(|a| a == "--profile");
        reports(&url, runs, profile, arg("--only")).await;
        return;
    }
    let data = arg("--data").unwrap_or_else(|| "data/units".into());
    let csv =
        std::fs::read(format!("{data}/admin-units-2024.csv")).expect("read admin-units-2024.csv");
    let settings = PoolSettings {
        max_connections: 4,
        acquire_timeout: Duration::from_secs(10),
        sqlite_mmap_bytes: cadre_training::db::DEFAULT_SQLITE_MMAP_BYTES,
    };
    println!("| backend | file | import (cold) | re-import (no change) | count whole tree | count city subtree | count district subtree | children of 79 | breadcrumb | search all | search in 79 |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let dir = std::env::temp_dir().join(format!("cadre-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let db = Db::connect(&url, &settings).await.expect("sqlite");
    run("SQLite (file, WAL)", db.clone(), &csv).await;
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    let pg = arg("--pg").unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    if pg != "off" {
        let schema = ScratchSchema::create(&pg, &format!("bench_{}", std::process::id()))
            .await
            .expect("schema");
        let db = Db::connect(schema.url(), &settings)
            .await
            .expect("postgres");
        run("PostgreSQL 15", db.clone(), &csv).await;
        db.close().await;
        schema.drop().await.expect("drop");
    }
}

/// Gap-report benchmark on a generated database: `bench reports --url URL [--runs N]`; `only`
/// keeps the cases whose label holds it, and the root's extras (the engine, demand, compare, the
/// drill-down and its export) when it is that case's whole label (`--only '* as of today'`).
async fn reports(url: &str, runs: usize, profile: bool, only: Option<String>) {
    use cadre_training::gaps::report::Grouping;
    use cadre_training::gaps::service::{build_report, ReportQuery};
    use cadre_training::gaps::store::{Filter, Population};
    let figment = cadre_training::config::figment()
        .merge(rocket::figment::providers::Serialized::global(
            "database_url",
            url,
        ))
        .merge(rocket::figment::providers::Serialized::global(
            "jwt_secret",
            "bench-secret-0123456789",
        ));
    let rocket = cadre_training::prepare(figment).await.expect("database");
    let state = rocket
        .state::<cadre_training::state::AppState>()
        .expect("state");
    let db = &state.db;
    // The yardsticks on connections set as the service's were before it turned parallel workers
    // off (JIT off, the server's own parallel workers): the same yardstick as earlier sittings.
    let yard = match db {
        cadre_training::db::Db::Sqlite(p) => cadre_training::db::Db::Sqlite(p.clone()),
        cadre_training::db::Db::Postgres(_) => {
            use std::str::FromStr;
            let opts = sqlx::postgres::PgConnectOptions::from_str(url)
                .expect("url")
                .options([("jit", "off")]);
            cadre_training::db::Db::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(2)
                    .connect_with(opts)
                    .await
                    .expect("yardstick connection"),
            )
        }
    };
    let count = timed(runs, || async {
        cadre_training::on_db!(&yard, |p| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM completions"
        )
        .fetch_one(p)
        .await
        .unwrap())
    })
    .await;
    let n: i64 = cadre_training::on_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM completions"
    )
    .fetch_one(p)
    .await
    .unwrap());
    let cadres: i64 =
        cadre_training::on_db!(db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM cadres")
            .fetch_one(p)
            .await
            .unwrap());
    let today = city_today();
    // aggH: one statement reading today's holders joined to their completions, grouped by unit and
    // module (the yardstick of issue 18).
    let agg_sql = "SELECT a.unit_code, co.module_id, COUNT(*) FROM title_assignments a
         JOIN completions co ON co.cadre_id = a.cadre_id
         WHERE a.from_date <= $1 AND (a.to_date IS NULL OR a.to_date >= $1)
         GROUP BY a.unit_code, co.module_id";
    let agg_rows = cadre_training::on_db!(&yard, |p| sqlx::query(agg_sql)
        .bind(today)
        .fetch_all(p)
        .await
        .unwrap()
        .len());
    let agg = timed(runs, || async {
        cadre_training::on_db!(&yard, |p| sqlx::query(agg_sql)
            .bind(today)
            .fetch_all(p)
            .await
            .unwrap()
            .len())
    })
    .await;
    println!(
        "{} | {cadres} cadres | {n} completions | count(*) of completions: median {} | aggH ({agg_rows} rows): median {}",
        db.backend(),
        ms(count.0),
        ms(agg.0)
    );
    println!("| report | grouping | assessed | median | p95 | ÷ count(*) | ÷ aggH |");
    println!("|---|---|---|---|---|---|---|");
    let past = chrono::NaiveDate::from_ymd_opt(2015, 12, 31).unwrap();
    let mut roots = cadre_training::units::store::roots(db).await.unwrap();
    let several = roots.len() != 1;
    // One top-level unit (a city): report on it; several (the country): report on the whole tree.
    let root = if roots.len() == 1 {
        roots.remove(0)
    } else {
        cadre_training::gaps::service::whole_tree()
    };
    let mut cases = vec![
        (
            format!("{} as of today", root.code),
            root.code.clone(),
            today,
            Grouping::Children,
        ),
        (
            format!("{} as of 2015-12-31", root.code),
            root.code.clone(),
            past,
            Grouping::Children,
        ),
        (
            format!("{} every ward, today", root.code),
            root.code.clone(),
            today,
            Grouping::Lowest,
        ),
        // Quận 1 was abolished on 2025-07-01: a district as of 2020; a ward of today's tree.
        (
            "district 760 as of 2020-12-31".to_string(),
            "760".to_string(),
            chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap(),
            Grouping::Children,
        ),
        (
            "ward 26737 today".to_string(),
            "26737".to_string(),
            today,
            Grouping::Children,
        ),
    ];
    // On the national data: Ho Chi Minh City's report too (against the same report on a
    // database holding the city alone: the cost should follow the subtree).
    if several {
        cases.push((
            "province 79 today".to_string(),
            "79".to_string(),
            today,
            Grouping::Children,
        ));
    }
    for (label, code, as_of, grouping) in cases {
        // `--only TEXT`: the cases whose label holds TEXT, each report alone (for `perf`); the
        // extras too when TEXT is the whole label.
        if only.as_ref().is_some_and(|o| !label.contains(o.as_str())) {
            continue;
        }
        let unit = if code == root.code {
            root.clone()
        } else {
            match cadre_training::units::store::get(db, &code).await.unwrap() {
                Some(u) => u,
                None => continue,
            }
        };
        let q = ReportQuery {
            filter: Filter {
                as_of,
                range: cadre_training::shared::tree::subtree_range(&unit.path),
                population: Population::Incumbent,
                title: None,
                org_kind: None,
                cadres: None,
                tree_on: as_of,
            },
            root: unit,
            version: None,
            reference: None,
        };
        if profile {
            phases(state, &q, grouping).await;
        }
        let assessed = build_report(state, &q, grouping)
            .await
            .unwrap()
            .totals
            .assessed;
        let (med, p95) = timed(runs, || build_report(state, &q, grouping)).await;
        let row = |label: &str, med: Duration, p95: Duration| {
            println!(
                "| {label} | {grouping:?} | {assessed} | {} | {} | {:.2} | {:.2} |",
                ms(med),
                ms(p95),
                med.as_secs_f64() / count.0.as_secs_f64(),
                med.as_secs_f64() / agg.0.as_secs_f64()
            )
        };
        row(&label, med, p95);
        // The same with the reference data (standards, scales, units) cached at the current
        // reference version, as a request's report runs (the auth guard reads both versions):
        // what a report costs after any write but one to the standards, scales or units.
        let version = |sql: &'static str| async move {
            let v: String = match db {
                cadre_training::db::Db::Sqlite(p) => {
                    sqlx::query_scalar(sql).fetch_one(p).await.unwrap()
                }
                cadre_training::db::Db::Postgres(p) => {
                    sqlx::query_scalar(sql).fetch_one(p).await.unwrap()
                }
            };
            Some(cadre_training::db::version::DataVersion(v))
        };
        let data_version = concat!("SELECT ", cadre_training::data_version!());
        let cached = ReportQuery {
            version: version(data_version).await,
            reference: version(concat!("SELECT ", cadre_training::reference_version!())).await,
            ..q.clone()
        };
        let (m, p) = timed(runs, || build_report(state, &cached, grouping)).await;
        row(&format!("{label}, reference cached"), m, p);
        let extras = only.as_ref().is_none_or(|o| *o == label);
        if code != root.code || as_of != today || grouping != Grouping::Children || !extras {
            continue;
        }
        // The same root today: the engine from the facts (the path before the timelines), training
        // demand, 2015 against 2020, and the drill-down of everyone (assessed, sorted).
        let (m, p) = timed(runs, || {
            cadre_training::gaps::service::build_report_from_facts(state, &q, grouping)
        })
        .await;
        row(&format!("{label}, from the facts (engine)"), m, p);
        let (m, p) = timed(runs, || {
            cadre_training::gaps::service::training_demand_in(state, &q, grouping)
        })
        .await;
        row(&format!("{label}: training demand"), m, p);
        let compare_q = {
            let mut c = q.clone();
            c.filter.tree_on = chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
            c
        };
        // 2015-12-31 against 2020-12-31 on the later day's tree.
        let compare = |c: ReportQuery| {
            cadre_training::gaps::service::compare_in(
                state,
                c,
                past,
                chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap(),
                grouping,
            )
        };
        let (m, p) = timed(runs, || compare(compare_q.clone())).await;
        row(
            &format!("{label}: compare 2015-12-31 with 2020-12-31"),
            m,
            p,
        );
        // One report of the kind the comparison holds two of: as of its later day, on that
        // day's tree (the target: compare within 1.5 × one report).
        let one_q = {
            let mut c = compare_q.clone();
            c.filter.as_of = chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap();
            c
        };
        let (one, one_p95) = timed(runs, || build_report(state, &one_q, grouping)).await;
        row(
            &format!("{label}: one report as of 2020-12-31"),
            one,
            one_p95,
        );
        ratio("compare ÷ one report as of 2020-12-31", m, one);
        // The same two with the reference cached at its version, as a request runs them.
        let (m, p) = timed(runs, || {
            compare(ReportQuery {
                version: cached.version.clone(),
                reference: cached.reference.clone(),
                ..compare_q.clone()
            })
        })
        .await;
        row(
            &format!("{label}: compare 2015-12-31 with 2020-12-31, reference cached"),
            m,
            p,
        );
        let one_cached = ReportQuery {
            version: cached.version.clone(),
            reference: cached.reference.clone(),
            ..one_q.clone()
        };
        let (one, _) = timed(runs, || build_report(state, &one_cached, grouping)).await;
        ratio(
            "compare ÷ one report as of 2020-12-31, reference cached",
            m,
            one,
        );
        let drill = cadre_training::gaps::params::Drill {
            report: cadre_training::gaps::params::OnDay {
                selection: cadre_training::gaps::params::Selection {
                    unit: cadre_training::gaps::params::UnitChoice::Default,
                    population: Population::Incumbent,
                    title: None,
                    org_kind: None,
                },
                as_of: Some(today),
                grouping,
            },
            requirement: None,
            status: cadre_training::gaps::params::Status::All,
            row: None,
        };
        for (reasons, what) in [
            (
                cadre_training::gaps::service::Reasons::Unmet,
                "explained where short: the export",
            ),
            (
                cadre_training::gaps::service::Reasons::Every,
                "every check explained",
            ),
        ] {
            let (m, p) = timed(runs, || {
                cadre_training::gaps::service::cadres_behind_in(
                    state,
                    q.clone(),
                    &drill,
                    None,
                    reasons,
                )
            })
            .await;
            row(
                &format!("{label}: drill-down of everyone (sorted, {what})"),
                m,
                p,
            );
            if reasons == cadre_training::gaps::service::Reasons::Unmet {
                // The report again, right after (the machine's speed drifts within a run).
                let (again, _) = timed(runs, || build_report(state, &q, grouping)).await;
                ratio(
                    "export ÷ report today (the report measured right after)",
                    m,
                    again,
                );
                // Both with the reference cached at its version, as a request runs them.
                let (m, p) = timed(runs, || {
                    cadre_training::gaps::service::cadres_behind_in(
                        state,
                        cached.clone(),
                        &drill,
                        None,
                        reasons,
                    )
                })
                .await;
                row(
                    &format!("{label}: drill-down of everyone ({what}), reference cached"),
                    m,
                    p,
                );
                let (again, _) = timed(runs, || build_report(state, &cached, grouping)).await;
                ratio("export ÷ report today, reference cached", m, again);
            }
        }
        let first = Some(cadre_training::gaps::service::Window {
            offset: 0,
            limit: 50,
        });
        let (m, p) = timed(runs, || {
            cadre_training::gaps::service::cadres_behind_in(
                state,
                q.clone(),
                &drill,
                first,
                cadre_training::gaps::service::Reasons::Every,
            )
        })
        .await;
        row(&format!("{label}: drill-down, first 50"), m, p);
    }
}

/// Where one report's time goes: each loading step and the pure work, timed apart (`--profile`).
async fn phases(
    state: &cadre_training::state::AppState,
    q: &cadre_training::gaps::service::ReportQuery,
    grouping: cadre_training::gaps::report::Grouping,
) {
    use cadre_training::gaps::{report, store as gstore, timeline_store};
    // Where the read's time goes (SQLite only): the statement counted in the database, its rows
    // fetched, and the same rows packed into one text value.
    if let cadre_training::db::Db::Sqlite(p) = &state.db {
        let d = q.filter.as_of;
        // The report's own statement, unpacked.
        let (inner, binds) = timeline_store::read_statement(
            &state.db,
            &q.filter,
            state.reference.reach(&q.filter.range),
            &[],
        );
        fn bound<'q>(
            sql: &'q str,
            d: chrono::NaiveDate,
            binds: &[String],
        ) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
            let mut q = sqlx::query(sql).bind(d);
            for b in binds {
                q = q.bind(b.clone());
            }
            q
        }
        let bind = |sql| bound(sql, d, &binds);
        let count = format!("SELECT COUNT(*) FROM ({inner})");
        let packed = format!(
            "SELECT group_concat(cadre_id || '|' || holding || '|' || title_code || '|' || COALESCE(standard_version, '') || '|' || unmet || '|' || gender || '|' || birth_date || '|' || ethnic_minority || '|' || unit_code, char(10)) FROM ({inner})"
        );
        for _ in 0..5 {
            use sqlx::Row;
            let t = Instant::now();
            let n: i64 = bind(&count).fetch_one(p).await.unwrap().get(0);
            let t_count = t.elapsed();
            let t = Instant::now();
            let rows = bind(&inner).fetch_all(p).await.unwrap();
            let t_rows = t.elapsed();
            let t = Instant::now();
            let text: Option<String> = bind(&packed).fetch_one(p).await.unwrap().get(0);
            let lines = text
                .as_deref()
                .unwrap_or("")
                .lines()
                .map(|l| l.split('|').count())
                .sum::<usize>();
            let t_packed = t.elapsed();
            eprintln!(
                "  read parts: count {} ({n}), rows {} ({}), packed {} ({lines} fields)",
                ms(t_count),
                ms(t_rows),
                rows.len(),
                ms(t_packed)
            );
        }
    }
    // The timeline path (what a report runs), each step one after the other.
    for _ in 0..5 {
        let t = Instant::now();
        let places = async {
            let p = timeline_store::Places::read(&state.db, &q.filter.range, q.filter.tree_on);
            Ok(std::sync::Arc::new(p.await?))
        };
        let reach = state.reference.reach(&q.filter.range);
        let rows = timeline_store::read(&state.db, &q.filter, places, reach)
            .await
            .unwrap();
        let t_read = t.elapsed();
        let n = rows.len();
        let t = Instant::now();
        let standards = cadre_training::standards::store::in_force(&state.db, q.filter.as_of)
            .await
            .unwrap();
        let t_std = t.elapsed();
        let t = Instant::now();
        let scales = gstore::scale_reference(&state.db).await.unwrap();
        let t_scales = t.elapsed();
        let t = Instant::now();
        let units = gstore::units(&state.db, &q.filter.range, q.filter.tree_on)
            .await
            .unwrap();
        let t_units = t.elapsed();
        let t = Instant::now();
        let items = report::from_timeline(
            rows.iter().map(timeline_store::TimelineRow::borrowed),
            &standards,
            &scales,
            q.filter.as_of,
            false,
        );
        let t_assess = t.elapsed();
        let t = Instant::now();
        let _ = std::hint::black_box(report::grouped(&q.root, &units, &items, grouping));
        let t_group = t.elapsed();
        eprintln!(
            "  timeline profile: read {} ({n} rows), standards {}, scales {}, units {} ({}), verdicts {}, group {}",
            ms(t_read),
            ms(t_std),
            ms(t_scales),
            ms(t_units),
            units.len(),
            ms(t_assess),
            ms(t_group)
        );
    }
    for _ in 0..3 {
        let t = Instant::now();
        let loaded = gstore::load(&state.db, &q.filter).await.unwrap();
        let t_load = t.elapsed();
        let t = Instant::now();
        let standards = cadre_training::standards::store::in_force(&state.db, q.filter.as_of)
            .await
            .unwrap();
        let scales = gstore::scale_reference(&state.db).await.unwrap();
        let units = gstore::units(&state.db, &q.filter.range, q.filter.as_of)
            .await
            .unwrap();
        let t_ref = t.elapsed();
        let counts = (
            loaded.holders.len(),
            loaded.best_rank.values().map(Vec::len).sum::<usize>(),
            loaded.last_completion.values().map(Vec::len).sum::<usize>(),
        );
        let t = Instant::now();
        let items = report::assessments(loaded, &standards, &scales, q.filter.as_of);
        let t_assess = t.elapsed();
        let t = Instant::now();
        let _ = std::hint::black_box(cadre_training::gaps::report::grouped(
            &q.root, &units, &items, grouping,
        ));
        let t_group = t.elapsed();
        eprintln!(
            "  profile: load {} (holders {}, best levels {}, completions {}), reference {}, assess {}, group {}",
            ms(t_load),
            counts.0,
            counts.1,
            counts.2,
            ms(t_ref),
            ms(t_assess),
            ms(t_group)
        );
    }
}
