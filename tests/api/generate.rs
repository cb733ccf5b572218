//! The generator is deterministic (issue 18): the same seed and the same as-of day give the same
//! rows, ids and order included, whatever day the city clock says; another as-of day gives other
//! data. Instants (`created_at`, `updated_at`, attendance and audit times), password hashes and
//! certificate verification codes (secrets, from the OS CSPRNG) are left out of the comparison.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use cadre_training::generate::{run, Scale};

use crate::helpers::TestApp;

crate::slow_db_tests!(the_same_seed_and_as_of_day_give_the_same_rows_on_any_day);

/// The tables compared: name, columns, order.
const TABLES: &[(&str, &str, &str)] = &[
    (
        "cadres",
        "id, personal_id, full_name, name_folded, sort_key, gender, birth_date, ethnicity, \
         ethnic_minority, religion, party_joined_on, unit_code, organisation, phone, email, active",
        "id",
    ),
    (
        "cadre_units",
        "id, cadre_id, unit_code, from_date, to_date",
        "id",
    ),
    (
        "title_assignments",
        "id, cadre_id, title_id, unit_code, from_date, to_date, appointed_on",
        "id",
    ),
    (
        "succession_plans",
        "id, cadre_id, title_id, unit_code, from_date, to_date, appointed_on",
        "id",
    ),
    (
        "cadre_qualifications",
        "id, cadre_id, scale_code, level_code, obtained_on, issuer, evidence, source, source_ref, \
         completion_id, revoked_on",
        "id",
    ),
    (
        "completions",
        "id, cadre_id, module_id, module_version, class_id, completed_on, score_tenths, \
         certificate_no, source, source_ref, revoked_on, revoke_reason",
        "id",
    ),
    (
        "classes",
        "id, code, module_id, module_version, title, organiser, capacity, enrol_opens, \
         enrol_closes, status, min_attendance_pct, finished_on",
        "id",
    ),
    (
        "class_sessions",
        "id, class_id, starts_at, ends_at, venue, instructor",
        "id",
    ),
    (
        "enrolments",
        "id, class_id, cadre_id, status, queue_seq, source, created_by, score_tenths, passed",
        "id",
    ),
    (
        "attendance",
        "session_id, enrolment_id, status",
        "session_id, enrolment_id",
    ),
    (
        "units",
        "code, name, kind, parent_code, path, depth, created_on, retired_on, successor_code",
        "code",
    ),
    (
        "unit_history",
        "id, code, name, kind, parent_code, valid_until",
        "id",
    ),
    (
        "unit_periods",
        "id, code, valid_from, valid_to, name, kind, parent_code, path, depth, placed_code, status",
        "id",
    ),
    (
        "unit_successors",
        "old_code, new_code, effective, part, main",
        "old_code, new_code, effective",
    ),
    (
        "accounts",
        "id, username, role, unit_code, cadre_id, active, token_version",
        "id",
    ),
];

/// Every compared table's rows, in order, each written as one line of text.
async fn contents(app: &TestApp) -> Vec<(&'static str, Vec<String>)> {
    let db = &app.state().db;
    let mut out = vec![];
    for (table, columns, order) in TABLES {
        let line = columns
            .split(',')
            .map(|c| format!("COALESCE(CAST({} AS TEXT), '-')", c.trim()))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let sql = format!("SELECT {line} FROM {table} ORDER BY {order}");
        let rows: Vec<String> = cadre_training::on_db!(db, |p| sqlx::query_scalar(&sql)
            .fetch_all(p)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}")));
        out.push((*table, rows));
    }
    out
}

/// The tables whose rows differ, each with its row counts and first differing row.
fn differences(a: &[(&str, Vec<String>)], b: &[(&str, Vec<String>)]) -> Vec<String> {
    a.iter()
        .zip(b)
        .filter(|((_, ra), (_, rb))| ra != rb)
        .map(|((table, ra), (_, rb))| {
            let i = ra
                .iter()
                .zip(rb)
                .position(|(x, y)| x != y)
                .unwrap_or(ra.len().min(rb.len()));
            format!(
                "{table}: {} rows and {} rows; first difference at row {}: {:?} / {:?}",
                ra.len(),
                rb.len(),
                i + 1,
                ra.get(i),
                rb.get(i)
            )
        })
        .collect()
}

/// The summary without its last part (the time taken).
fn without_time(summary: &str) -> &str {
    summary.rsplit_once(" in ").map_or(summary, |(s, _)| s)
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
}

async fn the_same_seed_and_as_of_day_give_the_same_rows_on_any_day(first: TestApp) {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/units");
    let day = |s: &str| s.parse::<NaiveDate>().unwrap();
    let as_of = day("2026-12-01");
    // Two runs on two other days: one before the reorganisation took effect (the data must
    // still cross it, because the as-of day is after it), one months after the as-of day and,
    // at 20:00 UTC, already the next day in the city.
    let second = TestApp::spawn(first.backend, &[])
        .await
        .expect("a second database");
    first.state().clock.set_now(Some(at(2025, 3, 10, 2)));
    second.state().clock.set_now(Some(at(2027, 8, 20, 20)));
    let a = run(first.state(), Scale::Demo, 7, Some(as_of), &data)
        .await
        .expect("first run");
    let b = run(second.state(), Scale::Demo, 7, Some(as_of), &data)
        .await
        .expect("second run");
    assert!(
        a.starts_with("as of 2026-12-01, seed 7: ") && a.contains("reorganised on 2025-07-01"),
        "{a}"
    );
    let (ca, cb) = (contents(&first).await, contents(&second).await);
    let differ = differences(&ca, &cb);
    assert!(
        differ.is_empty(),
        "the same seed and as-of day on two other days gave other rows in:\n{}",
        differ.join("\n")
    );
    for (table, rows) in &ca {
        assert!(!rows.is_empty(), "{table} holds rows");
    }
    // Every title held or planned was taken at eighteen or older (at the first appointment,
    // where a reorganisation split the period).
    for table in ["title_assignments", "succession_plans"] {
        let sql = format!(
            "SELECT c.birth_date, COALESCE(p.appointed_on, p.from_date) FROM {table} p
             JOIN cadres c ON c.id = p.cadre_id"
        );
        let pairs: Vec<(NaiveDate, NaiveDate)> = cadre_training::on_db!(&first.state().db, |p| {
            sqlx::query_as(&sql).fetch_all(p).await.unwrap()
        });
        assert!(!pairs.is_empty(), "{table}");
        let young: Vec<_> = pairs
            .iter()
            .filter(|(born, from)| {
                cadre_training::cadres::rules::check_title_age(*from, *born).is_err()
            })
            .collect();
        assert!(
            young.is_empty(),
            "{table}: {} of {} before eighteen, e.g. {:?}",
            young.len(),
            pairs.len(),
            young.first()
        );
    }
    assert_eq!(without_time(&a), without_time(&b), "the same summary");
    // The audit entry records the seed and the day.
    let after: String = cadre_training::on_db!(&first.state().db, |p| {
        sqlx::query_scalar(
        "SELECT CAST(after_json AS TEXT) FROM audit_log WHERE action = 'generate' AND entity = 'dataset'"
    )
    .fetch_one(p)
    .await
    .unwrap()
    });
    let after: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(
        (&after["seed"], &after["as_of"]),
        (&serde_json::json!(7), &serde_json::json!("2026-12-01")),
        "{after}"
    );

    // Another as-of day, on the first run's clock: other data (the comparison can fail).
    let third = TestApp::spawn(first.backend, &[])
        .await
        .expect("a third database");
    third.state().clock.set_now(Some(at(2025, 3, 10, 2)));
    let c = run(
        third.state(),
        Scale::Demo,
        7,
        Some(day("2026-06-01")),
        &data,
    )
    .await
    .expect("third run");
    assert!(c.starts_with("as of 2026-06-01, seed 7: "), "{c}");
    let cc = contents(&third).await;
    let differ = differences(&ca, &cc);
    for table in ["completions", "classes"] {
        assert!(
            differ.iter().any(|d| d.starts_with(&format!("{table}:"))),
            "{table} differs with another as-of day: {differ:?}"
        );
    }
    // The same tree: both days are after the reorganisation.
    for table in ["units", "unit_successors"] {
        assert!(
            !differ.iter().any(|d| d.starts_with(&format!("{table}:"))),
            "{table} is the same with another as-of day after the reorganisation: {differ:?}"
        );
    }
}
