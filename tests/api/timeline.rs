//! The per-holder status timeline (issue 18): every write keeps it, so that after any sequence of
//! writes through the API the kept timeline equals a rebuild from scratch, and every report read
//! from it equals the report the engine makes from the holders' facts.

use chrono::{Duration, NaiveDate};
use rocket::http::Status;
use serde_json::{json, Value};

use cadre_training::gaps::report::{pair, paired, Grouping};
use cadre_training::gaps::service::{
    assess_all, build_report_from_facts, build_report_reaching, compare_in, training_demand_in,
    ReportQuery,
};
use cadre_training::gaps::store::{Filter, Population};
use cadre_training::gaps::timeline_store::{all_intervals, rebuild_all, Reach};
use cadre_training::shared::tree::subtree_range;

use crate::helpers::TestApp;

/// xorshift64*: a small deterministic generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
    fn date(&mut self) -> NaiveDate {
        NaiveDate::from_ymd_opt(2008, 1, 1).unwrap() + Duration::days(self.below(19 * 366) as i64)
    }
}

const WARDS: [&str; 4] = ["26734", "26737", "26764", "26740"];
const TITLES: [&str; 2] = ["FF-CHAIR-COMMUNE", "FF-VICE-COMMUNE"];
const MODULES: [&str; 4] = ["DV-01", "DV-03", "DV-06", "LLCT-TC"];
const LEVELS: [&str; 3] = ["elementary", "intermediate", "advanced"];

/// A report query on `root`'s subtree as of `day` (on that day's tree), for `population`.
fn subtree_query(
    root: &cadre_training::units::store::UnitRecord,
    day: NaiveDate,
    population: Population,
) -> ReportQuery {
    ReportQuery {
        filter: Filter {
            as_of: day,
            range: subtree_range(&root.path),
            population,
            title: None,
            org_kind: None,
            cadres: None,
            tree_on: day,
        },
        root: root.clone(),
        version: None,
        reference: None,
    }
}

/// Checks the kept timeline against a rebuild and the reports against the engine's.
async fn check(app: &TestApp, round: usize, rng: &mut Rng) {
    let state = app.state();
    let kept = all_intervals(&state.db).await.unwrap();
    rebuild_all(&state.db).await.unwrap();
    let rebuilt = all_intervals(&state.db).await.unwrap();
    if kept != rebuilt {
        let only_kept: Vec<_> = kept.iter().filter(|i| !rebuilt.contains(i)).collect();
        let only_rebuilt: Vec<_> = rebuilt.iter().filter(|i| !kept.contains(i)).collect();
        panic!("round {round}: the kept timeline differs from a rebuild\nkept only: {only_kept:#?}\nrebuilt only: {only_rebuilt:#?}");
    }
    let root = cadre_training::units::store::get(&state.db, "79")
        .await
        .unwrap()
        .unwrap();
    let mut days = vec![state.clock.today()];
    days.extend((0..3).map(|_| rng.date()));
    // The whole tree too, and a ward: each read by its units and by day (on PostgreSQL; the
    // city holds the whole tree here, so a report chooses by day; for the ward by its units).
    let whole = cadre_training::gaps::service::whole_tree();
    let ward_code = *rng.pick(&WARDS);
    let ward = cadre_training::units::store::get(&state.db, ward_code)
        .await
        .unwrap()
        .unwrap();
    for &d in &days {
        for population in [Population::Both, Population::Incumbent, Population::Planned] {
            for grouping in [Grouping::Children, Grouping::Lowest] {
                for r in [&root, &whole, &ward] {
                    let q = subtree_query(r, d, population);
                    let engine = build_report_from_facts(state, &q, grouping).await.unwrap();
                    let what = format!("round {round}: {} on {d} ({population:?})", r.code);
                    let timeline = report_both_ways(state, &q, grouping, &what).await;
                    assert_eq!(
                        serde_json::to_value(&timeline).unwrap(),
                        serde_json::to_value(&engine).unwrap(),
                        "round {round}: the report of {} on {d} ({population:?}, {grouping:?}) from the timeline and from the facts differ",
                        r.code
                    );
                }
                let q = subtree_query(&root, d, population);
                demand_agrees(app, &q, grouping, round).await;
                if grouping == Grouping::Lowest {
                    drill_down_agrees(app, &q, round).await;
                }
            }
        }
    }
    // Two days compared (one read of the timelines for both) against the engine's report on
    // each day, both on the later day's tree; either order, and a day with itself.
    let mut pairs: Vec<(NaiveDate, NaiveDate)> = days.windows(2).map(|w| (w[0], w[1])).collect();
    pairs.push((days[1], days[1]));
    for (d1, d2) in pairs {
        for population in [Population::Both, Population::Planned] {
            let grouping = Grouping::Children;
            let later = d1.max(d2);
            let q = subtree_query(&root, later, population);
            let got = compare_in(state, q.clone(), d1, d2, grouping)
                .await
                .unwrap();
            let on = |d: NaiveDate| {
                let mut q = q.clone();
                q.filter.as_of = d;
                q
            };
            let a = build_report_from_facts(state, &on(d1), grouping)
                .await
                .unwrap();
            let c = build_report_from_facts(state, &on(d2), grouping)
                .await
                .unwrap();
            assert_eq!(
                (
                    serde_json::to_value(&got.rows).unwrap(),
                    serde_json::to_value(&got.totals).unwrap()
                ),
                (
                    serde_json::to_value(paired(a.rows, c.rows)).unwrap(),
                    serde_json::to_value(pair(a.totals, c.totals)).unwrap()
                ),
                "round {round}: {d1} compared with {d2} ({population:?}) differs from the engine's two reports"
            );
        }
    }
}

/// The report of `q` read by its units, by day and by province (the same statement every time on
/// SQLite), asserted equal; the one read by day.
async fn report_both_ways(
    state: &cadre_training::state::AppState,
    q: &ReportQuery,
    grouping: Grouping,
    what: &str,
) -> cadre_training::gaps::service::GapReport {
    let by_units = build_report_reaching(state, q, grouping, Reach::Units)
        .await
        .unwrap();
    let by_day = build_report_reaching(state, q, grouping, Reach::Day)
        .await
        .unwrap();
    let by_province = build_report_reaching(state, q, grouping, Reach::Province)
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(&by_day).unwrap(),
        serde_json::to_value(&by_units).unwrap(),
        "{what} ({grouping:?}): read by day and by its units"
    );
    assert_eq!(
        serde_json::to_value(&by_province).unwrap(),
        serde_json::to_value(&by_units).unwrap(),
        "{what} ({grouping:?}): read by province and by its units"
    );
    by_day
}

/// Training demand counted from the timelines equals the demand of the engine's assessments
/// from the facts (same modules, seats and groups).
async fn demand_agrees(app: &TestApp, q: &ReportQuery, grouping: Grouping, round: usize) {
    let state = app.state();
    let got = training_demand_in(state, q, grouping).await.unwrap();
    let engine = assess_all(state, &q.filter).await.unwrap();
    let modules = cadre_training::gaps::store::module_reference(&state.db)
        .await
        .unwrap();
    let units = cadre_training::gaps::store::units(&state.db, &q.filter.range, q.filter.tree_on)
        .await
        .unwrap();
    let want = cadre_training::gaps::report::demand_by_group(
        &engine.items,
        &engine.standards,
        &engine.scales,
        &modules,
        &q.root,
        &units,
        grouping,
    );
    assert_eq!(
        serde_json::to_value(&got.modules).unwrap(),
        serde_json::to_value(&want).unwrap(),
        "round {round}: training demand on {} ({:?}, {grouping:?}) from the timeline and from the facts differ",
        q.filter.as_of,
        q.filter.population
    );
}

/// The drill-down (who matches from the timelines, reasons from the engine for the page) equals
/// the engine's assessment of everyone, filtered and sorted the same way, in full and by page.
async fn drill_down_agrees(app: &TestApp, q: &ReportQuery, round: usize) {
    use cadre_training::gaps::params::{Drill, OnDay, Selection, Status as S, UnitChoice};
    use cadre_training::gaps::service::{assess_all, cadres_behind_in, Reasons, Window};
    let state = app.state();
    for status in [S::All, S::Short, S::Meeting] {
        let drill = Drill {
            report: OnDay {
                selection: Selection {
                    unit: UnitChoice::Default,
                    population: q.filter.population,
                    title: None,
                    org_kind: None,
                },
                as_of: Some(q.filter.as_of),
                grouping: Grouping::Lowest,
            },
            requirement: None,
            status,
            row: None,
        };
        let mut reference: Vec<_> = assess_all(state, &q.filter)
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|a| match status {
                S::Short => a.meets() == Some(false),
                S::Meeting => a.meets() == Some(true),
                _ => true,
            })
            .collect();
        reference.sort_by_cached_key(|a| {
            (
                a.unit_path.clone(),
                cadre_training::cadres::domain::sort_key(&a.full_name),
                a.cadre_id,
                a.population != cadre_training::gaps::store::Holding::Incumbent,
                a.title_code.clone(),
            )
        });
        let all = cadres_behind_in(state, q.clone(), &drill, None, Reasons::Every)
            .await
            .unwrap();
        assert_eq!(all.total, reference.len());
        assert_eq!(
            serde_json::to_value(&all.cadres).unwrap(),
            serde_json::to_value(&reference).unwrap(),
            "round {round}: the drill-down ({status:?}) differs from the engine's"
        );
        // The export's list: the same people in the same order, each one's unmet checks with the
        // engine's reasons.
        let export = cadres_behind_in(state, q.clone(), &drill, None, Reasons::Unmet)
            .await
            .unwrap();
        let unmet = |list: &[cadre_training::gaps::report::Assessment]| {
            list.iter()
                .map(|a| {
                    let checks: Vec<_> = a.unmet().collect();
                    (
                        a.cadre_id,
                        a.title_code.clone(),
                        serde_json::to_value(checks).unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            unmet(&export.cadres),
            unmet(&reference),
            "round {round}: the export's drill-down ({status:?}) differs from the engine's"
        );
        let page = cadres_behind_in(
            state,
            q.clone(),
            &drill,
            Some(Window {
                offset: 1,
                limit: 2,
            }),
            Reasons::Every,
        )
        .await
        .unwrap();
        assert_eq!(page.total, reference.len());
        assert_eq!(
            serde_json::to_value(&page.cadres).unwrap(),
            serde_json::to_value(reference.iter().skip(1).take(2).collect::<Vec<_>>()).unwrap(),
            "round {round}: a page of the drill-down ({status:?}) differs from the engine's"
        );
    }
}

async fn ok(app: &TestApp, s: Status, v: &Value, what: &str) -> bool {
    assert!(
        s.code < 500,
        "{what}: a write answered {s}: {v} (app {:?})",
        app.state().db.backend()
    );
    s.code < 300
}

crate::db_tests!(random_writes_keep_the_timeline_equal_to_a_rebuild_and_the_reports_to_the_engine);

/// Random sequences of writes through the API: cadres, titles and plans started and ended, moves,
/// qualifications, paper completions, a cadre's birth and Party dates, new standard versions.
/// After every few writes, the kept timeline equals a rebuild and every report (several days,
/// populations and groupings) equals the engine's answer from the facts.
async fn random_writes_keep_the_timeline_equal_to_a_rebuild_and_the_reports_to_the_engine(
    app: TestApp,
) {
    let t = app.admin_token().await;
    app.import_hcmc(&t).await;
    let mut rng = Rng(0xA076_1D64_78BD_642F);
    let mut cadres: Vec<i64> = vec![];
    for i in 0..8 {
        let born = format!(
            "19{}-0{}-{}",
            60 + rng.below(30),
            1 + rng.below(9),
            10 + rng.below(18)
        );
        let (s, v) = app
            .post("/api/cadres", Some(&t), json!({"full_name": format!("Cán Bộ Thử {}", ["An", "Bình", "Chi", "Dũng", "Em", "Giang", "Hà", "Khánh"][i]), "gender": if i % 2 == 0 { "female" } else { "male" },
                "birth_date": born, "ethnicity": "Kinh", "personal_id": format!("0791900{:05}", i), "unit_code": rng.pick(&WARDS),
                "organisation": "fatherland_front", "party_joined_on": if i % 3 == 0 { Value::Null } else { json!(rng.date().to_string()) },
                "unit_since": "2005-01-01"}))
            .await;
        assert_eq!(s, Status::Created, "{v}");
        cadres.push(v["id"].as_i64().unwrap());
    }
    let mut periods: Vec<(i64, &str, i64)> = vec![];
    let mut accepted = 0;
    for round in 0..60 {
        let c = *rng.pick(&cadres);
        let (what, (s, v)) = match rng.below(9) {
            0 | 1 => {
                let kind = if rng.below(2) == 0 { "titles" } else { "plans" };
                let from = rng.date();
                let to = (rng.below(3) == 0).then(|| (from + Duration::days(rng.below(2000) as i64)).to_string());
                let r = app
                    .post(&format!("/api/cadres/{c}/{kind}"), Some(&t),
                        json!({"title_code": rng.pick(&TITLES), "from_date": from.to_string(), "to_date": to}))
                    .await;
                if r.0 == Status::Created {
                    let list = if kind == "titles" { &r.1["titles"] } else { &r.1["plans"] };
                    if let Some(id) = list.as_array().and_then(|a| a.iter().filter_map(|p| p["id"].as_i64()).max()) {
                        periods.push((c, kind, id));
                    }
                }
                ("add a title or plan", r)
            }
            2 if !periods.is_empty() => {
                let (c, kind, id) = *rng.pick(&periods);
                let to = rng.date();
                ("end a period", app.patch(&format!("/api/cadres/{c}/{kind}/{id}"), Some(&t), json!({"to_date": to.to_string()})).await)
            }
            3 => ("a qualification", app.post(&format!("/api/cadres/{c}/qualifications"), Some(&t),
                json!({"scale": "political_theory", "level": rng.pick(&LEVELS), "obtained_on": rng.date().to_string()})).await),
            4 | 5 => ("a paper completion", app.post(&format!("/api/cadres/{c}/completions"), Some(&t),
                json!({"module_code": rng.pick(&MODULES), "completed_on": rng.date().to_string(), "source_ref": "Sổ lưu"})).await),
            6 => ("a move", app.patch(&format!("/api/cadres/{c}"), Some(&t),
                json!({"unit_code": rng.pick(&WARDS), "moved_on": rng.date().to_string()})).await),
            7 => {
                let body = match rng.below(4) {
                    0 => json!({"birth_date": format!("19{}-02-{}", 60 + rng.below(30), 20 + rng.below(9))}),
                    1 => json!({"party_joined_on": rng.date().to_string()}),
                    // A rename: the timeline's rows keep the name and sort key the drill-down lists.
                    2 => json!({"full_name": format!("{} Thị {}", rng.pick(&["Lê", "Trần", "Võ", "Đặng"]), rng.pick(&["Yến", "Bảo", "Ánh", "Xuân"]))}),
                    _ => json!({"gender": if rng.below(2) == 0 { "female" } else { "male" }, "ethnic_minority": rng.below(2) == 0}),
                };
                ("a person's dates", app.patch(&format!("/api/cadres/{c}"), Some(&t), body).await)
            }
            _ => {
                let mut reqs = vec![json!({"kind": "min_level", "scale": "political_theory", "level": rng.pick(&LEVELS)})];
                reqs.push(json!({"kind": "module", "module": rng.pick(&MODULES), "within_years": 1 + rng.below(6)}));
                if rng.below(2) == 0 {
                    reqs.push(json!({"kind": "max_age", "years": 40 + rng.below(20)}));
                }
                if rng.below(2) == 0 {
                    reqs.push(json!({"kind": "min_party_years", "years": 1 + rng.below(10)}));
                }
                ("a standard version", app.post(&format!("/api/titles/{}/standards", rng.pick(&TITLES)), Some(&t),
                    json!({"effective_from": rng.date().to_string(), "retroactive": true, "requirements": reqs})).await)
            }
        };
        if ok(&app, s, &v, what).await {
            accepted += 1;
        }
        if round % 10 == 9 {
            check(&app, round, &mut rng).await;
        }
    }
    assert!(accepted > 30, "only {accepted} of 60 writes were accepted");
    let holders = all_intervals(&app.state().db).await.unwrap();
    assert!(
        holders.len() >= 10
            && holders.iter().any(|i| !i.unmet.is_empty())
            && holders.iter().any(|i| i.unmet.is_empty()),
        "the writes made holders both short and not short: {holders:#?}"
    );
    // Rows written without tokens (by a version before them, during a rolling upgrade): the
    // export explains them from the facts, as the engine does.
    let db = &app.state().db;
    cadre_training::on_db!(db, |p| {
        sqlx::query("UPDATE holder_timeline SET found = ''")
            .execute(p)
            .await
            .unwrap();
    });
    let root = cadre_training::units::store::get(db, "79")
        .await
        .unwrap()
        .unwrap();
    for population in [Population::Both, Population::Incumbent] {
        let today = app.state().clock.today();
        let q = subtree_query(&root, today, population);
        drill_down_agrees(&app, &q, 999).await;
    }
}

/// A cadre of ward 26734 since 2005, Party member since 2000, chair of its Front committee from
/// `from`.
async fn chair(app: &TestApp, t: &str, name: &str, pid: &str, born: &str, from: &str) -> i64 {
    chair_in(app, t, ("26734", "2005-01-01"), (name, pid, born), from).await
}

/// The same in `ward` (its code and the day the cadre joined it).
async fn chair_in(
    app: &TestApp,
    t: &str,
    (ward, since): (&str, &str),
    (name, pid, born): (&str, &str, &str),
    from: &str,
) -> i64 {
    let (s, v) = app
        .post("/api/cadres", Some(t), json!({"full_name": name, "gender": "female", "birth_date": born,
            "ethnicity": "Kinh", "personal_id": pid, "unit_code": ward,
            "organisation": "fatherland_front", "party_joined_on": "2000-01-01", "unit_since": since}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let id = v["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/titles"),
            Some(t),
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": from}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    id
}

/// Lê Thị Hoa and Phạm Văn Minh, both chairs in ward 26734 since 2015, born 1975.
async fn two_chairs(app: &TestApp, t: &str) -> [i64; 2] {
    let born = "1975-03-01";
    [
        chair(app, t, "Lê Thị Hoa", "079191000000", born, "2015-01-01").await,
        chair(app, t, "Phạm Văn Minh", "079191000001", born, "2015-01-01").await,
    ]
}

crate::db_tests!(two_app_servers_writing_one_cadre_at_once_keep_its_timeline_whole);

/// Two app servers on one database write facts of the same two holders at the same time (paper
/// completions through one, qualifications and moves through the other). Each commit rebuilds the
/// cadre's timeline from what it sees; the rebuilds take turns (PostgreSQL: the cadre's row is
/// locked first; SQLite: one writer at a time), so the timeline after the race equals a rebuild
/// and reports agree with the engine.
async fn two_app_servers_writing_one_cadre_at_once_keep_its_timeline_whole(app: TestApp) {
    use rocket::http::{ContentType, Header};
    let t = app.admin_token().await;
    app.import_hcmc(&t).await;
    let ids = two_chairs(&app, &t).await;
    let extra = [("db_acquire_timeout_secs", json!(60))];
    let a = app.another_instance(&extra).await;
    let b = app.another_instance(&extra).await;
    let mut tasks = vec![];
    for k in 0..24usize {
        let id = ids[k % 2];
        let (client, path, body) = if k % 3 == 0 {
            (
                b.client.clone(),
                format!("/api/cadres/{id}/qualifications"),
                json!({"scale": "political_theory", "level": LEVELS[k % 3], "obtained_on": format!("20{:02}-05-01", 10 + k % 15)}),
            )
        } else if k % 3 == 1 {
            (
                a.client.clone(),
                format!("/api/cadres/{id}/completions"),
                json!({"module_code": MODULES[k % 4], "completed_on": format!("20{:02}-0{}-15", 10 + k % 15, 1 + k % 9), "source_ref": "Sổ lưu"}),
            )
        } else {
            (
                b.client.clone(),
                format!("/api/cadres/{id}"),
                json!({"unit_code": WARDS[k % 4], "moved_on": format!("20{:02}-07-01", 15 + k)}),
            )
        };
        let auth = Header::new("Authorization", format!("Bearer {t}"));
        let patch = k % 3 == 2;
        tasks.push(rocket::tokio::spawn(async move {
            let req = if patch {
                client.patch(path)
            } else {
                client.post(path)
            };
            let res = req
                .header(auth)
                .header(ContentType::JSON)
                .body(body.to_string())
                .dispatch()
                .await;
            let status = res.status();
            (status, res.into_string().await.unwrap_or_default())
        }));
    }
    let mut written = 0;
    for task in tasks {
        let (s, body) = task.await.expect("task");
        assert!(s.code < 500, "{s}: {body}");
        if s.code < 300 {
            written += 1;
        }
    }
    assert!(
        written >= 16,
        "only {written} of 24 concurrent writes succeeded"
    );
    let mut rng = Rng(7);
    check(&app, 0, &mut rng).await;
}

crate::db_tests!(a_fact_written_outside_a_transaction_is_caught_up_at_start);

/// A fact written by a statement outside the app's transactions (a maintenance script, another
/// tool) marks its cadre but has no commit hook to rebuild it: the next start does
/// (`flush_backlog`), and the timeline then equals a rebuild.
async fn a_fact_written_outside_a_transaction_is_caught_up_at_start(app: TestApp) {
    let t = app.admin_token().await;
    app.import_hcmc(&t).await;
    let id = chair(
        &app,
        &t,
        "Võ Thị Sáu",
        "079192000001",
        "1980-01-01",
        "2016-01-01",
    )
    .await;
    let db = &app.state().db;
    let before = all_intervals(db).await.unwrap();
    let sql = "INSERT INTO cadre_qualifications (cadre_id, scale_code, level_code, obtained_on, source, created_at)
               VALUES ($1, 'political_theory', 'advanced', '2018-03-01', 'manual', '2026-01-01T00:00:00Z')";
    let marked: i64 = cadre_training::on_db!(db, |p| {
        sqlx::query(sql).bind(id).execute(p).await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM timeline_dirty")
            .fetch_one(p)
            .await
            .unwrap()
    });
    assert_eq!(marked, 1, "the write marked its cadre");
    assert_eq!(
        all_intervals(db).await.unwrap(),
        before,
        "nothing rebuilt it yet"
    );
    let n = cadre_training::gaps::timeline_store::flush_backlog(db)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let kept = all_intervals(db).await.unwrap();
    assert_ne!(
        kept, before,
        "the qualification changed the assessment from 2018"
    );
    rebuild_all(db).await.unwrap();
    assert_eq!(kept, all_intervals(db).await.unwrap());
}

crate::db_tests!(a_report_reads_only_its_population_part_of_each_units_key);

/// The timeline's key is (unit, holding, end, …): a report on the incumbents, the planned
/// successors or both seeks each unit's part for the holding it counts, and never reads the
/// other holding's rows to throw them away (BENCHMARKS.md, "Third sitting").
async fn a_report_reads_only_its_population_part_of_each_units_key(app: TestApp) {
    let t = app.admin_token().await;
    app.import_hcmc(&t).await;
    let db = &app.state().db;
    let sqlite = matches!(db, cadre_training::db::Db::Sqlite(_));
    // A subtree (the city) read by its units and by day, and the whole tree (by day).
    let cases = [Population::Incumbent, Population::Planned, Population::Both]
        .into_iter()
        .flat_map(|p| {
            [
                (p, "/79/", Reach::Units),
                (p, "/79/", Reach::Day),
                (p, "/79/", Reach::Province),
                (p, "/", Reach::of(&subtree_range("/"), false)),
            ]
        });
    for (population, root, reach) in cases {
        let f = Filter {
            as_of: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
            range: subtree_range(root),
            population,
            title: None,
            org_kind: None,
            cadres: None,
            tree_on: NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
        };
        let plan = cadre_training::gaps::timeline_store::plan(db, &f, reach)
            .await
            .unwrap()
            .join("\n");
        if sqlite {
            let seeks = plan
                .lines()
                .filter(|l| l.contains("SEARCH s USING PRIMARY KEY (unit_code=? AND holding="))
                .count();
            let parts = if population == Population::Both { 4 } else { 2 };
            assert_eq!(
                seeks, parts,
                "{population:?} under {root}: every key range seeks the holding\n{plan}"
            );
        } else {
            // Each part reads one index range bounded by its holding: by its units (the
            // units' parts of the key, or the day's part of `holder_timeline_day` kept by unit,
            // as the planner chooses on this small table), or by day the day's part of
            // `holder_timeline_day` without the unit periods; never the timeline's table.
            let by_day = reach == Reach::Day;
            if by_day {
                assert!(
                    plan.contains("holder_timeline_day"),
                    "{population:?} under {root}, {reach:?}\n{plan}"
                );
            }
            if reach == Reach::Province {
                // The provinces named as constants (and '' for rows written without one). On
                // this small table the planner may take the day's index and keep the provinces'
                // rows by filter; on the national data it seeks the province's index
                // (BENCHMARKS.md, "A province read by province").
                assert!(
                    plan.contains("province = ANY ('{\"\",79}'::text[])"),
                    "{population:?} under {root}, {reach:?}\n{plan}"
                );
            }
            // Only a read by units finds the subtree's units in the statement (a read by
            // province names its provinces as constants).
            assert_eq!(
                plan.contains("unit_periods"),
                reach == Reach::Units,
                "{population:?} under {root}, {reach:?}\n{plan}"
            );
            let conds: Vec<&str> = plan
                .lines()
                .filter(|l| l.contains("Index Cond") && l.contains("to_date"))
                .collect();
            let parts = if population == Population::Both { 4 } else { 2 };
            assert_eq!(
                conds.len(),
                parts,
                "{population:?} under {root}: key ranges\n{plan}"
            );
            for c in conds {
                assert!(
                    c.contains("holding"),
                    "{population:?} under {root}: the holding bounds the key range\n{plan}"
                );
            }
            assert!(
                !plan.contains("Seq Scan on holder_timeline")
                    && !plan.contains("Bitmap Heap Scan on holder_timeline"),
                "{population:?} under {root}: the timeline read through its indexes\n{plan}"
            );
        }
    }
}

crate::db_tests!(rows_of_a_ward_made_after_the_places_were_read_are_placed_not_dropped);

/// A report places its rows by the tree's places, read beside its rows or cached at the caller's
/// data version. When the tree changed in between (a new ward, a title holder in it), the rows
/// the read saw are placed by the tree read afresh: the holder is counted, in the new ward, and
/// nothing fails.
async fn rows_of_a_ward_made_after_the_places_were_read_are_placed_not_dropped(app: TestApp) {
    use cadre_training::gaps::timeline_store::{read, Places};
    use std::sync::Arc;
    let t = app.admin_token().await;
    app.import_hcmc(&t).await;
    let state = app.state();
    let today = state.clock.today();
    let f = Filter {
        as_of: today,
        range: subtree_range("/79/"),
        population: Population::Incumbent,
        title: None,
        org_kind: None,
        cadres: None,
        tree_on: today,
    };
    let stale = Arc::new(Places::read(&state.db, &f.range, today).await.unwrap());
    let (s, v) = app
        .post(
            "/api/units",
            Some(&t),
            json!({"code": "27999", "name": "Phường Mới", "kind": "ward", "parent_code": "760"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let day = today.to_string();
    let id = chair_in(
        &app,
        &t,
        ("27999", &day),
        ("Lê Thị Hoa", "079191000000", "1975-03-01"),
        &day,
    )
    .await;
    assert!(stale.of("27999").is_none(), "the places predate the ward");
    for reach in [Reach::Units, Reach::Day, Reach::Province] {
        let rows = read(&state.db, &f, async { Ok(Arc::clone(&stale)) }, reach)
            .await
            .unwrap();
        let row = rows
            .iter()
            .find(|r| r.cadre_id == id)
            .expect("the new holder is counted");
        assert_eq!(
            (row.unit_code.as_str(), row.placement.as_str()),
            ("27999", "live"),
            "{reach:?}"
        );
        assert!(row.unit_path.ends_with("/760/27999/"), "{}", row.unit_path);
        let fresh = read(
            &state.db,
            &f,
            async { Ok(Arc::new(Places::read(&state.db, &f.range, today).await?)) },
            reach,
        )
        .await
        .unwrap();
        assert_eq!(rows.len(), fresh.len(), "{reach:?}");
    }
}

crate::db_tests!(a_read_by_day_counts_only_the_subtrees_rows);

/// A report reads its rows by day (PostgreSQL: the day's index, every unit's rows) when its
/// subtree held the whole tree the last time its places were read, else by its units. Either
/// way it counts the same: by day, the rows of units outside the subtree, and of a unit with no
/// period on the day, have no place and are left out, for any subtree.
async fn a_read_by_day_counts_only_the_subtrees_rows(app: TestApp) {
    use cadre_training::gaps::timeline_store::{read, Places};
    let t = app.admin_token().await;
    app.import_hcmc(&t).await;
    two_chairs(&app, &t).await;
    let born = ("Trần Thị Mai", "079191000002", "1970-05-01");
    chair_in(&app, &t, ("26737", "2005-01-01"), born, "2016-01-01").await;
    let state = app.state();
    // Which way a report reads is chosen from the places it last read.
    let (city, ward) = (subtree_range("/79/"), "26734");
    let ward_path = cadre_training::units::store::get(&state.db, ward)
        .await
        .unwrap()
        .unwrap()
        .path;
    assert_eq!(
        state.reference.reach(&city),
        Reach::Province,
        "nothing read yet: a province"
    );
    for unit in ["79", ward] {
        let (s, v) = app
            .get(&format!("/api/reports/gaps?unit={unit}"), Some(&t))
            .await;
        assert_eq!(s, Status::Ok, "{v}");
    }
    assert_eq!(
        state.reference.reach(&city),
        Reach::Day,
        "the city is the whole tree"
    );
    assert_eq!(
        state.reference.reach(&subtree_range(&ward_path)),
        Reach::Units,
        "a ward is not"
    );
    assert_eq!(
        state.reference.reach(&subtree_range("/")),
        Reach::Day,
        "the whole tree always"
    );
    // A row of a unit the tree does not know on the day (written by hand: no write makes one).
    let db = &state.db;
    cadre_training::on_db!(db, |p| {
        sqlx::query(
            "INSERT INTO holder_timeline (holding, period_id, cadre_id, title_code, org_kind, unit_code,
                 from_date, to_date, standard_version, unmet, gender, birth_date, ethnic_minority)
             SELECT holding, period_id + 1000000, cadre_id, title_code, org_kind, 'ZZ-NOWHERE',
                 from_date, to_date, standard_version, unmet, gender, birth_date, ethnic_minority
             FROM holder_timeline",
        )
        .execute(p)
        .await
        .unwrap();
    });
    let roots = [
        cadre_training::units::store::get(db, "79")
            .await
            .unwrap()
            .unwrap(),
        cadre_training::units::store::get(db, ward)
            .await
            .unwrap()
            .unwrap(),
        cadre_training::gaps::service::whole_tree(),
    ];
    let today = state.clock.today();
    let past = NaiveDate::from_ymd_opt(2015, 6, 1).unwrap();
    for (root, assessed) in roots.iter().zip([3, 2, 3]) {
        // The ward by today's tree; the city and the whole tree in 2015 too (one chair then).
        let days = if root.code == ward {
            vec![today]
        } else {
            vec![today, past]
        };
        for day in days {
            let q = subtree_query(root, day, Population::Both);
            let grouping = Grouping::Lowest;
            let what = format!("{} on {day}", root.code);
            let by_day = report_both_ways(state, &q, grouping, &what).await;
            let expected = if day == today { assessed } else { 2 };
            let counted = by_day.totals.assessed + by_day.totals.no_standard;
            assert_eq!(counted, expected, "{} on {day}", root.code);
            // The drill-down's read (names and all) the same both ways.
            let places = || async {
                let p = Places::read(db, &q.filter.range, q.filter.tree_on).await?;
                Ok(std::sync::Arc::new(p))
            };
            let mut lists = vec![];
            for reach in [Reach::Units, Reach::Day, Reach::Province] {
                let rows = read(db, &q.filter, places(), reach).await.unwrap();
                let mut list: Vec<_> = rows
                    .into_iter()
                    .map(|r| (r.cadre_id, r.title_code, r.full_name, r.unit_code, r.unmet))
                    .collect();
                list.sort();
                lists.push(list);
            }
            assert_eq!(lists[0], lists[1], "{} on {day}", root.code);
            assert_eq!(lists[0], lists[2], "{} on {day}", root.code);
            assert_eq!(lists[1].len(), expected as usize, "{} on {day}", root.code);
        }
    }
}

/// A province `province` with one ward `ward` whose chair (since 2016) is returned.
async fn chair_in_another_province(app: &TestApp, t: &str, (province, ward): (&str, &str)) -> i64 {
    for unit in [
        json!({"code": province, "name": "Tỉnh Thử", "kind": "province", "effective": "2010-01-01"}),
        json!({"code": ward, "name": "Phường Thử", "kind": "ward", "parent_code": province, "effective": "2010-01-01"}),
    ] {
        let (s, v) = app.post("/api/units", Some(t), unit).await;
        assert_eq!(s, Status::Created, "{v}");
    }
    let born = ("Trần Thị Mai", "079191000002", "1970-05-01");
    chair_in(app, t, (ward, "2015-01-01"), born, "2016-01-01").await
}

crate::db_tests!(a_province_reads_the_provinces_its_units_keep);

/// Each timeline row keeps the province of its unit (the least over the unit's periods): a
/// province's report reads the day of every province its units keep (PostgreSQL: the province's
/// index). A ward moved from one province into another keeps rows the new province's read finds,
/// today and on the old tree; the rows' provinces then equal a rebuild's; and every report
/// counts the same by province, by day and by its units.
async fn a_province_reads_the_provinces_its_units_keep(app: TestApp) {
    let t = app.admin_token().await;
    app.import_hcmc(&t).await;
    two_chairs(&app, &t).await;
    let state = app.state();
    let db = &state.db;
    let id = chair_in_another_province(&app, &t, ("80", "27998")).await;
    let today = state.clock.today();
    let yesterday = today - Duration::days(1);
    let provinces = |rows: &[cadre_training::gaps::timeline_store::StoredInterval], who: i64| {
        let mut p: Vec<String> = rows
            .iter()
            .filter(|r| r.cadre_id == who)
            .map(|r| r.province.clone())
            .collect();
        p.dedup();
        p
    };
    let rows = all_intervals(db).await.unwrap();
    assert_eq!(provinces(&rows, id), ["80"], "the ward's province");
    assert!(
        rows.iter()
            .filter(|r| r.cadre_id != id)
            .all(|r| r.province == "79"),
        "the city's chairs"
    );
    let get = |code: &'static str| async move {
        cadre_training::units::store::get(db, code)
            .await
            .unwrap()
            .unwrap()
    };
    let counted =
        |r: &cadre_training::gaps::service::GapReport| r.totals.assessed + r.totals.no_standard;
    let q = subtree_query(&get("80").await, today, Population::Both);
    let r = report_both_ways(state, &q, Grouping::Lowest, "province 80").await;
    assert_eq!(counted(&r), 1, "province 80 holds the ward's chair");
    let q = subtree_query(&get("79").await, today, Population::Both);
    let r = report_both_ways(state, &q, Grouping::Lowest, "the city").await;
    assert_eq!(
        counted(&r),
        2,
        "the city holds its two chairs, not the other province's"
    );
    // The ward moves into the city (its subtree with it) from today.
    let (s, v) = app
        .patch(
            "/api/units/27998",
            Some(&t),
            json!({"name": "Phường Thử", "kind": "ward", "parent_code": "760"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let rows = all_intervals(db).await.unwrap();
    assert_eq!(
        provinces(&rows, id),
        ["79"],
        "the least of the provinces the ward has been in"
    );
    rebuild_all(db).await.unwrap();
    assert_eq!(
        rows,
        all_intervals(db).await.unwrap(),
        "kept as a rebuild keeps it"
    );
    let q = subtree_query(&get("79").await, today, Population::Both);
    let r = report_both_ways(state, &q, Grouping::Lowest, "the city after the move").await;
    assert_eq!(counted(&r), 3, "the city holds the moved ward's chair");
    // Yesterday's tree still has the ward in province 80, whose read finds its rows under 79.
    let q = subtree_query(&get("80").await, yesterday, Population::Both);
    let r = report_both_ways(state, &q, Grouping::Lowest, "province 80 yesterday").await;
    assert_eq!(counted(&r), 1, "province 80 held the ward yesterday");
    let q = subtree_query(&get("80").await, today, Population::Both);
    let r = report_both_ways(state, &q, Grouping::Lowest, "province 80 after the move").await;
    assert_eq!(counted(&r), 0, "province 80 holds nobody today");
}

crate::db_tests!(a_ward_moved_in_after_the_callers_version_is_counted);

/// A province's read names the provinces of the places it was given (PostgreSQL), and those come
/// from the cache at the reference version the caller's request read first. A ward moved into the
/// city after that read, from a province whose code sorts first, keeps that province on its rows
/// (the least it has been in): the report, the comparison and the drill-down of that request
/// still count its chair, as they do on the next request.
async fn a_ward_moved_in_after_the_callers_version_is_counted(app: TestApp) {
    use cadre_training::gaps::params::{Drill, OnDay, Selection, Status as S, UnitChoice};
    use cadre_training::gaps::service::{build_report, cadres_behind_in, Reasons};
    let t = app.admin_token().await;
    app.import_hcmc(&t).await;
    two_chairs(&app, &t).await;
    let state = app.state();
    let db = &state.db;
    chair_in_another_province(&app, &t, ("75", "27997")).await;
    let today = state.clock.today();
    let reference = || async {
        let sql = concat!("SELECT ", cadre_training::reference_version!());
        let v: String = match db {
            cadre_training::db::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
            cadre_training::db::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        }
        .unwrap();
        cadre_training::db::version::DataVersion(v)
    };
    let city = cadre_training::units::store::get(db, "79")
        .await
        .unwrap()
        .unwrap();
    let counted =
        |r: &cadre_training::gaps::service::GapReport| r.totals.assessed + r.totals.no_standard;
    // A request before the move: its places are cached at its reference version.
    let mut q = subtree_query(&city, today, Population::Both);
    q.reference = Some(reference().await);
    let r = build_report(state, &q, Grouping::Lowest).await.unwrap();
    assert_eq!(counted(&r), 2, "the city's two chairs before the move");
    assert_eq!(
        state.reference.reach(&q.filter.range),
        Reach::Province,
        "a province not holding the whole tree is read by province"
    );
    let (s, v) = app
        .patch(
            "/api/units/27997",
            Some(&t),
            json!({"name": "Phường Thử", "kind": "ward", "parent_code": "760"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let rows = all_intervals(db).await.unwrap();
    assert!(
        rows.iter().any(|r| r.province == "75"),
        "the moved ward's rows keep the province that sorts first"
    );
    // A request that read its version before the move and reads the rows after it.
    let r = build_report(state, &q, Grouping::Lowest).await.unwrap();
    assert_eq!(counted(&r), 3, "the report counts the moved ward's chair");
    let c = compare_in(state, q.clone(), today, today, Grouping::Lowest)
        .await
        .unwrap();
    let compared = |r: &cadre_training::gaps::report::ReportRow| r.assessed + r.no_standard;
    assert_eq!(
        (compared(&c.totals.from), compared(&c.totals.to)),
        (3, 3),
        "the comparison counts it on both days"
    );
    let drill = Drill {
        report: OnDay {
            selection: Selection {
                unit: UnitChoice::Default,
                population: Population::Both,
                title: None,
                org_kind: None,
            },
            as_of: Some(today),
            grouping: Grouping::Lowest,
        },
        requirement: None,
        status: S::All,
        row: None,
    };
    let behind = cadres_behind_in(state, q.clone(), &drill, None, Reasons::Unmet)
        .await
        .unwrap();
    assert_eq!(behind.total, 3, "the drill-down lists it");
    // The next request, at the new version, counts it as well.
    q.reference = Some(reference().await);
    let r = build_report(state, &q, Grouping::Lowest).await.unwrap();
    assert_eq!(counted(&r), 3, "the next request counts it");
}

crate::db_tests!(postgres_connections_run_without_jit);

/// Every connection of the service's PostgreSQL pool has JIT and parallel workers off. With JIT on, the statement of a
/// timeline trigger, planned in a session while a bulk insert's transition table held 380,000
/// rows, kept that cost and was compiled again on every single-row write of the session after it
/// (50–100 ms each: the reorganisation's moves took minutes; found with auto_explain).
async fn postgres_connections_run_without_jit(app: TestApp) {
    let cadre_training::db::Db::Postgres(pool) = &app.state().db else {
        return;
    };
    // Three connections held at once: three different ones, not one handed back and out again.
    let mut held = vec![];
    let mut settings = vec![];
    for _ in 0..3 {
        let mut conn = pool.acquire().await.unwrap();
        let (jit, workers, path): (String, String, String) = sqlx::query_as(
            "SELECT current_setting('jit'), current_setting('max_parallel_workers_per_gather'),
                    current_setting('search_path')",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        settings.push((jit, workers, path));
        held.push(conn);
    }
    for (jit, workers, path) in settings {
        assert_eq!(jit, "off");
        assert_eq!(workers, "0", "no parallel workers");
        assert!(
            path.starts_with('t'),
            "the URL's own options are kept: {path}"
        );
    }
}

crate::db_tests!(a_holders_name_comes_from_the_timeline_and_follows_a_rename);

/// The drill-down reads each holder's name and sort key from their timeline rows (migration
/// 0020): a rename rewrites the rows at its commit, and a row written without them (by an older
/// app server during a rolling upgrade) is listed with the name looked up instead.
async fn a_holders_name_comes_from_the_timeline_and_follows_a_rename(app: TestApp) {
    use cadre_training::cadres::domain::sort_key;
    let t = app.admin_token().await;
    app.import_hcmc(&t).await;
    let [hoa, minh] = two_chairs(&app, &t).await;
    let listed = || async {
        let (s, v) = app
            .get(
                "/api/reports/gaps/cadres?unit=79&status=all&limit=500",
                Some(&t),
            )
            .await;
        assert_eq!(s, Status::Ok, "{v}");
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["cadre_id"].as_i64().unwrap(),
                    i["full_name"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    // In the order of their sort keys (one ward: the unit path is the same).
    let ordered = |mut v: Vec<(i64, String)>| {
        v.sort_by_cached_key(|(id, name)| (sort_key(name), *id));
        v
    };
    let before = ordered(vec![
        (hoa, "Lê Thị Hoa".into()),
        (minh, "Phạm Văn Minh".into()),
    ]);
    assert_eq!(listed().await, before);
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{hoa}"),
            Some(&t),
            json!({"full_name": "Trần Thị Yến"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let db = &app.state().db;
    let kept = all_intervals(db).await.unwrap();
    let rows_of_hoa: Vec<_> = kept.iter().filter(|i| i.cadre_id == hoa).collect();
    assert!(!rows_of_hoa.is_empty());
    for r in rows_of_hoa {
        assert_eq!(
            (r.full_name.as_str(), r.sort_key.clone()),
            ("Trần Thị Yến", sort_key("Trần Thị Yến")),
            "the rename rewrote the rows"
        );
    }
    let after = ordered(vec![
        (hoa, "Trần Thị Yến".into()),
        (minh, "Phạm Văn Minh".into()),
    ]);
    assert_ne!(after, before, "the rename changes the order");
    assert_eq!(listed().await, after);
    rebuild_all(db).await.unwrap();
    assert_eq!(
        kept,
        all_intervals(db).await.unwrap(),
        "kept equals a rebuild"
    );
    // Rows without the name (as an older app server writes them): looked up, same list.
    cadre_training::on_db!(db, |p| {
        sqlx::query("UPDATE holder_timeline SET full_name = '', sort_key = ''")
            .execute(p)
            .await
            .unwrap();
    });
    assert_eq!(listed().await, after);
}
