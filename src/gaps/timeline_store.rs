//! Keeping the per-holder status timeline ([`super::timeline`]) and reading it for reports.
//!
//! Triggers on the facts (migrations `0011_holder_timeline.sql`) put the cadres a write touched
//! into `timeline_dirty`; [`flush`] runs inside every write transaction just before it commits
//! (`db::Tx::commit`, hook installed by [`install`]) and rebuilds exactly those cadres' timelines
//! from their facts with the gap engine. On PostgreSQL it first locks the cadres' rows, so two
//! transactions writing facts of one cadre rebuild its timeline one after the other, each from
//! every fact committed before it.

use chrono::NaiveDate;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use super::engine::{full_years, CadreFacts, CompletionFact, QualificationFact};
use super::report::{rules, HolderOnDay, Unmet};
use super::store::{id_param, in_ids, Filter, Holding, Population, ScaleRef};
use super::timeline::{pieces, timeline, HolderPeriod, Person, UnitSpan, VersionRules, PIECE_DAYS};
use crate::cadres::domain::Gender;
use crate::db::bulk::{self, V};
use crate::db::{Db, Tx};
use crate::error::AppResult;
use crate::{on_db, on_tx};

/// The stored end of an open interval (9999-12-31: SQLite compares dates as text).
pub const OPEN: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => d,
    None => panic!("9999-12-31 is a date"),
};

/// Cadres rebuilt per round of statements.
const CHUNK: usize = 4_000;

/// Separates the tokens of `holder_timeline.found` (one per unmet key; a token holds a level
/// code, or days and `@`, never this).
pub const FOUND_SEPARATOR: &str = ";";

/// Installs [`flush`] as the hook every write transaction runs before it commits.
pub fn install() {
    crate::db::set_commit_hook(|tx| Box::pin(flush(tx)));
}

/// Rebuilds the timelines of the cadres this transaction's writes touched (before it commits).
pub async fn flush(tx: &mut Tx) -> AppResult<()> {
    // SQLite has one writer at a time: everything marked is this transaction's (or a backlog,
    // which it takes over). On PostgreSQL, only what this transaction marked, and those cadres'
    // rows locked in the same statement (see [`LOCK_SQL`]). It also has the rest of the
    // transaction (the rebuild's statements, then the commit) planned generically: their plans
    // do not depend on which cadres, and planning the rebuild's read afresh on every write took
    // twice as long as running it (BENCHMARKS.md).
    let sql = if tx.is_sqlite() {
        "DELETE FROM timeline_dirty RETURNING cadre_id".to_string()
    } else {
        format!(
            "WITH g AS MATERIALIZED (SELECT set_config('plan_cache_mode', 'force_generic_plan', true)),
                  d AS (DELETE FROM timeline_dirty WHERE tx = txid_current_if_assigned() RETURNING cadre_id),
                  l AS (SELECT id FROM cadres WHERE id IN (SELECT cadre_id FROM d) {LOCK_SQL})
             SELECT cadre_id FROM d CROSS JOIN g UNION SELECT id FROM l"
        )
    };
    let ids: Vec<i64> = on_tx!(tx, |c| sqlx::query_scalar(&sql).fetch_all(&mut *c).await?);
    if ids.is_empty() {
        return Ok(());
    }
    rebuild_locked(tx, ids).await
}

/// On PostgreSQL, writers of one cadre's facts take turns rebuilding its timeline: its row is
/// locked (rows in id order) before its facts are read. Not `FOR UPDATE`: every fact insert holds
/// a KEY SHARE lock on its cadre (the foreign key), which `FOR UPDATE` waits for, so two writers
/// of one cadre would deadlock; `NO KEY UPDATE` does not.
const LOCK_SQL: &str = "ORDER BY id FOR NO KEY UPDATE";

/// The timelines of holders recorded before the timeline existed (tx 0), or marked by a write
/// that committed without the hook (a process or statement outside `Tx`): rebuilt at start. On
/// PostgreSQL the marks of transactions still in progress (another app server's) are left to them.
pub async fn flush_backlog(db: &Db) -> AppResult<usize> {
    let mut tx = db.begin().await?;
    let sql = if tx.is_sqlite() {
        "DELETE FROM timeline_dirty RETURNING cadre_id"
    } else {
        "DELETE FROM timeline_dirty WHERE tx = 0 OR txid_status(tx) IS DISTINCT FROM 'in progress'
         RETURNING cadre_id"
    };
    let ids: Vec<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(sql)
        .fetch_all(&mut *c)
        .await?);
    let n = ids.len();
    if n > 0 {
        rebuild_cadres(&mut tx, ids).await?;
    }
    tx.commit().await?;
    Ok(n)
}

/// Recomputes every timeline (the `rebuild-timelines` command); returns the number of intervals.
pub async fn rebuild_all(db: &Db) -> AppResult<i64> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |c| {
        sqlx::query("DELETE FROM holder_timeline")
            .execute(&mut *c)
            .await?;
        sqlx::query("DELETE FROM timeline_dirty")
            .execute(&mut *c)
            .await?;
    });
    let ids: Vec<i64> = on_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "SELECT cadre_id FROM title_assignments UNION SELECT cadre_id FROM succession_plans ORDER BY 1"
    )
    .fetch_all(&mut *c)
    .await?
    });
    rebuild_cadres(&mut tx, ids).await?;
    let n: i64 = on_tx!(&mut tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM holder_timeline"
    )
    .fetch_one(&mut *c)
    .await?);
    tx.commit().await?;
    Ok(n)
}

/// One stored interval, as read back whole (tests compare the kept timeline with a rebuild).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, sqlx::FromRow)]
pub struct StoredInterval {
    /// `incumbent` or `planned`.
    pub holding: String,
    /// Assignment or plan id.
    pub period_id: i64,
    /// First day.
    pub from_date: NaiveDate,
    /// Cadre.
    pub cadre_id: i64,
    /// Title code.
    pub title_code: String,
    /// Its organisation kind.
    pub org_kind: String,
    /// Unit counted in.
    pub unit_code: String,
    /// First day after it ([`OPEN`]: none).
    pub to_date: NaiveDate,
    /// Standard version in force.
    pub standard_version: Option<i64>,
    /// Unmet requirement keys, comma-separated.
    pub unmet: String,
    /// What each unmet verdict rests on, one token per key, [`FOUND_SEPARATOR`]-separated.
    pub found: String,
    /// Gender.
    pub gender: String,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Minority flag.
    pub ethnic_minority: bool,
    /// The cadre's name.
    pub full_name: String,
    /// The cadre's stored sort key.
    pub sort_key: String,
    /// The province of its unit ([`crate::units::store::province_sql`]).
    pub province: String,
}

/// Every stored interval, ordered (tests and the rebuild check).
pub async fn all_intervals(db: &Db) -> AppResult<Vec<StoredInterval>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
        "SELECT holding, period_id, from_date, cadre_id, title_code, org_kind, unit_code, to_date,
                standard_version, unmet, found, gender, birth_date, ethnic_minority, full_name, sort_key,
                province
         FROM holder_timeline ORDER BY holding, period_id, from_date"
    )
    .fetch_all(p)
    .await?
    }))
}

/// Every version of the standards of these titles (`None`: of every title) as engine rules, by
/// title code; levels ranked by `ranks`.
async fn all_versions(
    tx: &mut Tx,
    titles: Option<&[&str]>,
    ranks: &ScaleRef,
) -> AppResult<HashMap<String, Vec<VersionRules>>> {
    let versions = match titles {
        Some(titles) => crate::standards::store::versions_of_titles(&mut *tx, titles).await?,
        None => crate::standards::store::all_versions(&mut *tx).await?,
    };
    let mut out: HashMap<String, Vec<VersionRules>> = HashMap::new();
    for v in versions {
        out.entry(v.title_code.clone())
            .or_default()
            .push(VersionRules {
                version: v.version,
                effective_from: v.effective_from,
                rules: rules(&v.requirements, ranks),
            });
    }
    Ok(out)
}

/// Rebuilds the timelines of these cadres from their facts: on PostgreSQL their rows locked
/// first (see [`LOCK_SQL`]), then [`rebuild_locked`].
pub async fn rebuild_cadres(tx: &mut Tx, ids: Vec<i64>) -> AppResult<()> {
    if !tx.is_sqlite() && !ids.is_empty() {
        let param = id_param(false, &ids);
        let inn = in_ids(false, 1);
        on_tx!(tx, |c| {
            sqlx::query(&format!("SELECT id FROM cadres WHERE id {inn} {LOCK_SQL}"))
                .bind(&param)
                .execute(&mut *c)
                .await?;
        });
    }
    rebuild_locked(tx, ids).await
}

/// Rebuilds the timelines of these cadres (rows already locked on PostgreSQL): their intervals
/// deleted, then every title period of theirs recomputed. Per [`CHUNK`] cadres: one statement
/// reading everything they need ([`read_round`], which on PostgreSQL also deletes their
/// intervals), the standards of their titles once, one insert.
async fn rebuild_locked(tx: &mut Tx, mut ids: Vec<i64>) -> AppResult<()> {
    ids.sort_unstable();
    ids.dedup();
    let sqlite = tx.is_sqlite();
    // The standards, loaded once and only if some cadre holds or is planned for a title.
    let mut versions: Option<HashMap<String, Vec<VersionRules>>> = None;
    for chunk in ids.chunks(CHUNK) {
        let round = read_round(tx, sqlite, chunk).await?;
        if round.periods.is_empty() {
            continue;
        }
        if versions.is_none() {
            // A write touching a few cadres (one round) reads only their titles' standards;
            // a larger rebuild reads them all once.
            let mut titles: Vec<&str> = round
                .periods
                .iter()
                .map(|p| p.title_code.as_str())
                .collect();
            titles.sort_unstable();
            titles.dedup();
            let only = (ids.len() <= CHUNK).then_some(titles.as_slice());
            versions = Some(all_versions(tx, only, &round.ranks).await?);
        }
        let Some(versions) = versions.as_ref() else {
            continue;
        };
        let mut rows: Vec<Vec<V>> = vec![];
        for period in &round.periods {
            let (Some(person), Some((name, sort_key))) = (
                round.people.get(&period.cadre_id),
                round.names.get(&period.cadre_id),
            ) else {
                continue;
            };
            let vs = versions
                .get(&period.title_code)
                .map_or(&[][..], Vec::as_slice);
            for i in pieces(timeline(period, person, vs)) {
                // A unit without periods (none: every unit has some) would be read as unknown.
                let province = round
                    .provinces
                    .get(&i.unit_code)
                    .cloned()
                    .unwrap_or_default();
                rows.push(vec![
                    V::S(period.holding.as_str().into()),
                    V::I(period.period_id),
                    V::I(period.cadre_id),
                    V::S(period.title_code.clone()),
                    V::S(period.org_kind.clone()),
                    V::S(i.unit_code),
                    V::D(i.from),
                    V::D(i.to.unwrap_or(OPEN)),
                    V::OI(i.standard_version),
                    V::S(i.unmet.join(",")),
                    V::S(i.found.join(FOUND_SEPARATOR)),
                    V::S(person.gender.as_str().into()),
                    V::D(person.facts.birth_date),
                    V::B(person.ethnic_minority),
                    V::S(name.clone()),
                    V::S(sort_key.clone()),
                    V::S(province),
                ]);
            }
        }
        bulk::insert(
            tx,
            "holder_timeline",
            &[
                "holding",
                "period_id",
                "cadre_id",
                "title_code",
                "org_kind",
                "unit_code",
                "from_date",
                "to_date",
                "standard_version",
                "unmet",
                "found",
                "gender",
                "birth_date",
                "ethnic_minority",
                "full_name",
                "sort_key",
                "province",
            ],
            rows,
        )
        .await?;
    }
    Ok(())
}

/// One row of what [`read_round`] reads, in the one shape every kind is read in.
#[derive(sqlx::FromRow)]
struct FactRow {
    /// `c` the cadre, `u` a unit period, `q` a qualification, `m` a module completed, `a` a title
    /// held, `p` a title planned, `l` a level of a scale (cadre 0).
    kind: String,
    cadre_id: i64,
    /// Gender, unit code, scale, module or title code.
    s1: Option<String>,
    /// The cadre's name, a level code or the title's organisation kind.
    s2: Option<String>,
    /// The cadre's stored sort key or the title period's unit code.
    s3: Option<String>,
    /// Minority flag (0/1), unit period id, level rank or title period id.
    n: Option<i64>,
    /// Birth date, unit period start, day obtained or completed, title period start.
    d1: Option<NaiveDate>,
    /// Party date, unit period end, day revoked, title period end.
    d2: Option<NaiveDate>,
    /// Day of the appointment.
    d3: Option<NaiveDate>,
}

/// What the rebuild of a round of cadres reads.
#[derive(Default)]
struct Round {
    /// Their title periods (held and planned).
    periods: Vec<HolderPeriod>,
    /// Their facts (every dated fact, whatever its day), by cadre id.
    people: HashMap<i64, Person>,
    /// Their names and stored sort keys (kept in every row), by cadre id.
    names: HashMap<i64, (String, String)>,
    /// The levels' ranks (only `rank_of` is filled: the timeline keeps verdicts, not words).
    ranks: ScaleRef,
    /// The province of every unit their periods and titles name, by code
    /// ([`crate::units::store::province_sql`]).
    provinces: HashMap<String, String>,
}

/// The title periods and facts of these cadres and the scales' levels, in one statement (a
/// union is typed branch by branch, so the first names every column's type); on
/// PostgreSQL the same statement deletes their stored intervals (SQLite, which cannot, deletes
/// them in a statement of its own).
async fn read_round(tx: &mut Tx, sqlite: bool, ids: &[i64]) -> AppResult<Round> {
    let param = id_param(sqlite, ids);
    let inn = in_ids(sqlite, 1);
    if sqlite {
        on_tx!(tx, |c| {
            sqlx::query(&format!("DELETE FROM holder_timeline WHERE cadre_id {inn}"))
                .bind(&param)
                .execute(&mut *c)
                .await?;
        });
    }
    let (delete, flag) = if sqlite {
        (String::new(), "ethnic_minority")
    } else {
        (
            format!("WITH gone AS (DELETE FROM holder_timeline WHERE cadre_id {inn}) "),
            "CAST(CASE WHEN ethnic_minority THEN 1 ELSE 0 END AS BIGINT)",
        )
    };
    let sql = format!(
        "{delete}SELECT 'c' AS kind, id AS cadre_id, gender AS s1, full_name AS s2, sort_key AS s3,
                {flag} AS n, birth_date AS d1, party_joined_on AS d2, CAST(NULL AS DATE) AS d3
         FROM cadres WHERE id {inn}
         UNION ALL
         SELECT 'u', cadre_id, unit_code, NULL, NULL, id, from_date, to_date, NULL
         FROM cadre_units WHERE cadre_id {inn}
         UNION ALL
         SELECT 'q', q.cadre_id, q.scale_code, q.level_code, NULL, l.rank, q.obtained_on, q.revoked_on, NULL
         FROM cadre_qualifications q
         JOIN qualification_levels l ON l.scale_code = q.scale_code AND l.code = q.level_code
         WHERE q.cadre_id {inn}
         UNION ALL
         SELECT 'm', co.cadre_id, m.code, NULL, NULL, NULL, co.completed_on, co.revoked_on, NULL
         FROM completions co JOIN modules m ON m.id = co.module_id
         WHERE co.cadre_id {inn}
           AND m.code IN (SELECT DISTINCT module_code FROM standard_requirements WHERE kind = 'module')
         UNION ALL
         SELECT 'a', a.cadre_id, t.code, t.org_kind, a.unit_code, a.id, a.from_date, a.to_date,
                COALESCE(a.appointed_on, a.from_date)
         FROM title_assignments a JOIN titles t ON t.id = a.title_id WHERE a.cadre_id {inn}
         UNION ALL
         SELECT 'p', a.cadre_id, t.code, t.org_kind, a.unit_code, a.id, a.from_date, a.to_date,
                COALESCE(a.appointed_on, a.from_date)
         FROM succession_plans a JOIN titles t ON t.id = a.title_id WHERE a.cadre_id {inn}
         UNION ALL
         SELECT 'l', 0, scale_code, code, NULL, rank, NULL, NULL, NULL FROM qualification_levels
         UNION ALL
         SELECT 'v', 0, v.code, MIN({province}), NULL, NULL, NULL, NULL, NULL FROM unit_periods v
         WHERE v.code IN (SELECT unit_code FROM cadre_units WHERE cadre_id {inn}
                          UNION SELECT unit_code FROM title_assignments WHERE cadre_id {inn}
                          UNION SELECT unit_code FROM succession_plans WHERE cadre_id {inn})
         GROUP BY v.code",
        province = crate::units::store::province_sql(sqlite, "v.path"),
    );
    let rows: Vec<FactRow> = on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(&param)
        .fetch_all(&mut *c)
        .await?);
    Ok(Round::new(rows))
}

impl Round {
    /// From the rows of [`read_round`].
    fn new(rows: Vec<FactRow>) -> Round {
        let mut out = Round::default();
        for r in &rows {
            if r.kind == "c" {
                let (Some(gender), Some(birth_date)) =
                    (r.s1.as_deref().and_then(Gender::parse), r.d1)
                else {
                    continue;
                };
                out.names.insert(
                    r.cadre_id,
                    (
                        r.s2.clone().unwrap_or_default(),
                        r.s3.clone().unwrap_or_default(),
                    ),
                );
                out.people.insert(
                    r.cadre_id,
                    Person {
                        facts: CadreFacts {
                            birth_date,
                            party_joined_on: r.d2,
                            ..Default::default()
                        },
                        gender,
                        ethnic_minority: r.n == Some(1),
                        units: vec![],
                    },
                );
            }
        }
        let mut units: Vec<(i64, i64, UnitSpan)> = vec![];
        for r in rows {
            if let ("l", Some(scale), Some(level), Some(rank)) =
                (r.kind.as_str(), &r.s1, &r.s2, r.n)
            {
                out.ranks
                    .rank_of
                    .insert((scale.clone(), level.clone()), rank);
                continue;
            }
            if let ("v", Some(code), Some(province)) = (r.kind.as_str(), &r.s1, &r.s2) {
                out.provinces.insert(code.clone(), province.clone());
                continue;
            }
            let holding = match r.kind.as_str() {
                "a" => Some(Holding::Incumbent),
                "p" => Some(Holding::Planned),
                _ => None,
            };
            if let (Some(holding), Some(title_code), Some(org_kind), Some(unit_code), Some(n)) =
                (holding, &r.s1, &r.s2, &r.s3, r.n)
            {
                let (Some(from_date), Some(appointed_on)) = (r.d1, r.d3) else {
                    continue;
                };
                out.periods.push(HolderPeriod {
                    holding,
                    period_id: n,
                    cadre_id: r.cadre_id,
                    title_code: title_code.clone(),
                    org_kind: org_kind.clone(),
                    unit_code: unit_code.clone(),
                    from_date,
                    to_date: r.d2,
                    appointed_on,
                });
                continue;
            }
            let Some(p) = out.people.get_mut(&r.cadre_id) else {
                continue;
            };
            match (r.kind.as_str(), r.s1, r.d1) {
                ("u", Some(unit_code), Some(from)) => units.push((
                    r.cadre_id,
                    r.n.unwrap_or(0),
                    UnitSpan {
                        unit_code,
                        from,
                        to: r.d2,
                    },
                )),
                ("q", Some(scale), Some(obtained_on)) => {
                    p.facts.qualifications.push(QualificationFact {
                        scale,
                        level: r.s2.unwrap_or_default(),
                        rank: r.n.unwrap_or(0),
                        obtained_on,
                        revoked_on: r.d2,
                    })
                }
                ("m", Some(module), Some(completed_on)) => {
                    p.facts.completions.push(CompletionFact {
                        module,
                        completed_on,
                        revoked_on: r.d2,
                    })
                }
                _ => {}
            }
        }
        // Unit periods in order (start, then id), as `unit_on` takes the first that covers a day.
        units.sort_by_key(|u| (u.0, u.2.from, u.1));
        for (id, _, span) in units {
            if let Some(p) = out.people.get_mut(&id) {
                p.units.push(span);
            }
        }
        out
    }
}

/// Where the people of each unit of a subtree are counted on the tree's day: every unit period
/// of the subtree on that day (live, merged into a unit of it, or unplaced under it), and the
/// first period of a unit not yet in being (unplaced: `placing_period_sql`), by the
/// code the timeline keeps: a report's rows are placed here. Kept per reference version in the
/// reference cache.
/// With them, the subtree's live units that day (a report's rows), so both come from one read.
#[derive(Debug, Default)]
pub struct Places {
    /// Code → where its people are counted.
    by_code: HashMap<String, Place>,
    /// The live units, in path order.
    units: Vec<super::store::ReportUnit>,
    /// Whether the subtree held every unit period of the day (no unit lay outside it): a read
    /// of its rows may then take the day's rows without naming the units ([`Reach::Day`]).
    whole: bool,
    /// PostgreSQL, a province's subtree: the provinces its units keep
    /// ([`crate::units::store::province_sql`]), which a read by province names as constants, so
    /// that the planner sees which part of the index it reads (otherwise none).
    provinces: Vec<String>,
    /// The reference version the same statement read: the tree these places are.
    reference: String,
}

/// Where one unit's people are counted on the tree's day.
#[derive(Debug, Clone)]
pub struct Place {
    /// The live unit they are counted in.
    pub unit_code: String,
    /// Its path.
    pub unit_path: String,
    /// `live`, `merged` or `unplaced`.
    pub placement: String,
}

/// One unit period as [`Places::read`] reads it: code, placed code, path, status, depth, kind,
/// name.
type PeriodOnDay = (String, String, String, String, i64, String, String);

impl Places {
    /// From the subtree's unit periods on the tree's day.
    fn new(mut periods: Vec<PeriodOnDay>) -> Places {
        periods.sort_by(|a, b| (&a.2, &a.0).cmp(&(&b.2, &b.0)));
        let mut places = Places::default();
        for (code, placed_code, path, status, depth, kind, name) in periods {
            if places.by_code.contains_key(&code) {
                continue;
            }
            if status == "live" {
                places.units.push(super::store::ReportUnit {
                    code: code.clone(),
                    name,
                    kind,
                    path: path.clone(),
                    depth,
                });
            }
            let place = Place {
                unit_code: placed_code,
                unit_path: path,
                placement: status,
            };
            places.by_code.insert(code, place);
        }
        places
    }

    /// Reads the subtree `range`'s places on day `d`: one statement giving one JSON value (a
    /// row per period would cross from SQLite's thread one at a time).
    pub async fn read(db: &Db, range: &(String, String), d: NaiveDate) -> AppResult<Places> {
        let on = crate::units::store::placing_period_sql("p", 3);
        let (placed, status) = crate::units::store::placing_sql("p", 3);
        let fields = format!("p.code, {placed}, p.path, {status}, p.depth, p.kind, p.name");
        // Whether no unit period of the day lies outside the subtree (the whole tree always).
        let outside = crate::units::store::period_on_sql("q", 3);
        let whole = if range.0 == "/" {
            "1 = 1".to_string()
        } else {
            format!(
                "NOT EXISTS (SELECT 1 FROM unit_periods q WHERE (q.path < $1 OR q.path >= $2) AND {outside})"
            )
        };
        // The provinces (PostgreSQL) only for a province's subtree, the only one read by province.
        let provinces = if !db.is_sqlite() && is_province(range) {
            let on_w = crate::units::store::period_on_sql("w", 3);
            let codes = format!(
                "SELECT w.code FROM unit_periods w WHERE w.path >= $1 AND w.path < $2 AND {on_w}"
            );
            format!(
                "(SELECT CAST(COALESCE(json_agg(DISTINCT x.province), '[]') AS TEXT) FROM ({}) x)",
                crate::units::store::least_provinces_sql(false, &codes)
            )
        } else {
            "'[]'".to_string()
        };
        let reference = crate::reference_version!();
        let sql = match db {
            Db::Sqlite(_) => format!(
                "SELECT json_group_array(json_array({fields})), {whole}, {provinces}, {reference}
                 FROM unit_periods p WHERE p.path >= $1 AND p.path < $2 AND {on}"
            ),
            Db::Postgres(_) => format!(
                "SELECT CAST(COALESCE(json_agg(json_build_array({fields})), '[]') AS TEXT), {whole}, {provinces},
                        {reference}
                 FROM unit_periods p WHERE p.path >= $1 AND p.path < $2 AND {on}"
            ),
        };
        let (json, whole, provinces, reference): (String, bool, String, String) =
            on_db!(db, |p| sqlx::query_as(&sql)
                .bind(&range.0)
                .bind(&range.1)
                .bind(d)
                .fetch_one(p)
                .await?);
        let bad =
            |e: serde_json::Error| crate::error::AppError::Internal(format!("unit periods: {e}"));
        let periods = serde_json::from_str(&json).map_err(bad)?;
        let provinces = serde_json::from_str(&provinces).map_err(bad)?;
        Ok(Places {
            whole,
            provinces,
            reference,
            ..Places::new(periods)
        })
    }

    /// The provinces the subtree's units keep (PostgreSQL, a province's subtree; else empty).
    pub fn provinces(&self) -> &[String] {
        &self.provinces
    }

    /// Whether the subtree held every unit period of its day when these places were read.
    pub fn whole(&self) -> bool {
        self.whole
    }

    /// The subtree's live units on the day, in path order.
    pub fn units(&self) -> &[super::store::ReportUnit] {
        &self.units
    }

    /// Where the people of the unit the timeline calls `code` are counted; `None` for a unit
    /// with no period in the subtree on the tree's day (a row that a read by day, which does not
    /// name the subtree's units, brings along; a read by the units never does).
    pub fn of(&self, code: &str) -> Option<&Place> {
        self.by_code.get(code)
    }
}

/// One holder counted in a report, as the timeline has it on the day.
#[derive(Debug, Clone)]
pub struct TimelineRow {
    /// Cadre.
    pub cadre_id: i64,
    /// Incumbent or planned.
    pub holding: Holding,
    /// Title code.
    pub title_code: String,
    /// Standard version in force (none: no standard).
    pub standard_version: Option<i64>,
    /// Unmet requirement keys, comma-separated.
    pub unmet: String,
    /// What each unmet verdict rests on, one token per key, [`FOUND_SEPARATOR`]-separated
    /// ([`super::engine::evidence`]).
    pub found: String,
    /// Gender.
    pub gender: Gender,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Minority flag.
    pub ethnic_minority: bool,
    /// The cadre's name.
    pub full_name: String,
    /// The cadre's stored sort key (`cadres.sort_key`).
    pub sort_key: String,
    /// The unit the holder is counted in on the tree's day.
    pub unit_code: String,
    /// Its path on that day.
    pub unit_path: String,
    /// `live`, `merged` or `unplaced`.
    pub placement: String,
}

/// A [`TimelineRow`] borrowed from the packed read it came in (or from an owned row): what the
/// drill-down turns into assessments without copying the fields it does not keep.
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'a> {
    /// Cadre.
    pub cadre_id: i64,
    /// Incumbent or planned.
    pub holding: Holding,
    /// Title code.
    pub title_code: &'a str,
    /// Standard version in force (none: no standard).
    pub standard_version: Option<i64>,
    /// Unmet requirement keys, comma-separated.
    pub unmet: &'a str,
    /// What each unmet verdict rests on ([`TimelineRow::found`]).
    pub found: &'a str,
    /// Gender.
    pub gender: Gender,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Minority flag.
    pub ethnic_minority: bool,
    /// The cadre's name.
    pub full_name: &'a str,
    /// The cadre's stored sort key.
    pub sort_key: &'a str,
    /// The unit the holder is counted in on the tree's day.
    pub unit_code: &'a str,
    /// Its path on that day.
    pub unit_path: &'a str,
    /// `live`, `merged` or `unplaced`.
    pub placement: &'a str,
}

impl TimelineRow {
    /// The row, borrowed.
    pub fn borrowed(&self) -> RowRef<'_> {
        RowRef {
            cadre_id: self.cadre_id,
            holding: self.holding,
            title_code: &self.title_code,
            standard_version: self.standard_version,
            unmet: &self.unmet,
            found: &self.found,
            gender: self.gender,
            birth_date: self.birth_date,
            ethnic_minority: self.ethnic_minority,
            full_name: &self.full_name,
            sort_key: &self.sort_key,
            unit_code: &self.unit_code,
            unit_path: &self.unit_path,
            placement: &self.placement,
        }
    }
}

impl RowRef<'_> {
    /// The row, owned.
    pub fn owned(&self) -> TimelineRow {
        TimelineRow {
            cadre_id: self.cadre_id,
            holding: self.holding,
            title_code: self.title_code.to_string(),
            standard_version: self.standard_version,
            unmet: self.unmet.to_string(),
            found: self.found.to_string(),
            gender: self.gender,
            birth_date: self.birth_date,
            ethnic_minority: self.ethnic_minority,
            full_name: self.full_name.to_string(),
            sort_key: self.sort_key.to_string(),
            unit_code: self.unit_code.to_string(),
            unit_path: self.unit_path.to_string(),
            placement: self.placement.to_string(),
        }
    }
}

/// The holders of a report on its day, with their names and stored sort keys (the drill-down's
/// read): one read of the intervals containing the day, driven by the codes of the subtree's
/// units on the tree's day (`places`: so a unit's report reads only its own part), each row
/// placed where its unit's people are counted that day.
///
/// The rows come back packed into one text value (fields split by U+001F, rows by U+001E; every
/// field is a code, a number, a day or a name, which holds no control character) and are
/// unpacked here: handing each row
/// on its own from SQLite's thread to the async task cost more than the statement itself
/// (BENCHMARKS.md, "Reports from the status timeline").
pub async fn read(
    db: &Db,
    f: &Filter,
    places: impl Future<Output = AppResult<Arc<Places>>>,
    reach: Reach,
) -> AppResult<Vec<TimelineRow>> {
    let (packed, places) = read_rows(db, f, places, reach).await?;
    rows(&packed, &places)
        .map(|r| r.map(|r| r.owned()))
        .collect()
}

/// The read of [`read`], still packed, with the places to unpack it by ([`rows`]).
pub(super) async fn read_rows(
    db: &Db,
    f: &Filter,
    places: impl Future<Output = AppResult<Arc<Places>>>,
    reach: Reach,
) -> AppResult<(Vec<super::store::Packed>, Arc<Places>)> {
    read_packed(db, f, places, Packing::Rows, reach).await
}

/// How a report's counting read finds its rows on PostgreSQL (SQLite always seeks the units).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Each unit of the subtree on the tree's day: its part of the timeline's key, one descent
    /// per unit period and range.
    Units,
    /// The day's range of `holder_timeline_day`, every unit's rows, kept where [`Places`]
    /// places them: for a subtree that holds the whole tree (a city on its own database, the
    /// country), where the descents per unit cost more than the rows they find. Right for any
    /// subtree (rows outside it have no place and are not counted), only slower for a small one.
    Day,
    /// The day's range of `holder_timeline_province` in each province the subtree's units keep
    /// ([`crate::units::store::province_sql`]; and the rows written without one), kept where
    /// [`Places`] places them: for a province on a database of several (the national data),
    /// which then reads about what it would read by day on a database of its own. Right for any
    /// subtree, as [`Reach::Day`] is, while the places are the tree it reads: a read whose
    /// statement saw another reference version than its places' reads again by units.
    Province,
}

impl Reach {
    /// The reach for a subtree `range` whose places, when last read, were `whole` or not: by
    /// day for the whole tree, by province for a province (a subtree one level down), else by
    /// its units.
    pub fn of(range: &(String, String), whole: bool) -> Reach {
        if whole || range.0 == "/" {
            Reach::Day
        } else if is_province(range) {
            Reach::Province
        } else {
            Reach::Units
        }
    }
}

/// Whether the subtree `range` is a province's (one level below the root: `/79/`).
fn is_province(range: &(String, String)) -> bool {
    range.0.matches('/').count() == 2
}

/// What a packed read carries of each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Packing {
    /// Every field of a [`TimelineRow`] kept in the timeline, and the cadre's name and stored
    /// sort key ([`read`]).
    Rows,
    /// Only what a report counts ([`on_day`]): the cadre, the title, whether a standard applies,
    /// the unmet keys, gender, birth date, minority, the unit.
    Counts,
}

/// The rows of [`read`], still packed (their units as the timeline keeps them), with the places
/// they were read by.
pub(super) async fn read_packed(
    db: &Db,
    f: &Filter,
    places: impl Future<Output = AppResult<Arc<Places>>>,
    packing: Packing,
    reach: Reach,
) -> AppResult<(Vec<super::store::Packed>, Arc<Places>)> {
    if !by_provinces(db, reach) {
        let sql = packed_statement(db, f, packing, reach, &[]);
        let read = super::store::fetch_all(db, sql, f.as_of, binds_of(f));
        return by_places(db, f, places, read).await;
    }
    // By province: the statement names the places' provinces, so the places come first.
    let places = places.await?;
    let sql = packed_statement(db, f, packing, reach, places.provinces());
    let read = super::store::fetch_all(db, sql, f.as_of, binds_of(f)).await?;
    if !names_provinces(db, reach, places.provinces()) || current(&read, &places) {
        return by_places(db, f, async { Ok(places) }, async { Ok(read) }).await;
    }
    // The tree changed since the places were read: by its units, beside its places afresh.
    let sql = packed_statement(db, f, packing, Reach::Units, &[]);
    let read = super::store::fetch_all(db, sql, f.as_of, binds_of(f));
    by_places(db, f, fresh_places(db, f), read).await
}

/// The places of `f`'s subtree on its tree's day, read afresh.
async fn fresh_places(db: &Db, f: &Filter) -> AppResult<Arc<Places>> {
    Ok(Arc::new(Places::read(db, &f.range, f.tree_on).await?))
}

/// Whether a read by `reach` names the provinces of its places (PostgreSQL's [`Reach::Province`]).
fn by_provinces(db: &Db, reach: Reach) -> bool {
    reach == Reach::Province && !db.is_sqlite()
}

/// The packed rows of two days of one subtree (`first` and `second` differ only in their day),
/// read side by side with the places of their common tree.
pub(super) async fn read_packed_pair(
    db: &Db,
    first: &Filter,
    second: &Filter,
    places: impl Future<Output = AppResult<Arc<Places>>>,
    packing: Packing,
    reach: Reach,
) -> AppResult<(
    (Vec<super::store::Packed>, Vec<super::store::Packed>),
    Arc<Places>,
)> {
    let pair = |provinces: &[String]| {
        let (sql1, sql2) = (
            packed_statement(db, first, packing, reach, provinces),
            packed_statement(db, second, packing, reach, provinces),
        );
        let one = super::store::fetch_all(db, sql1, first.as_of, binds_of(first));
        let two = super::store::fetch_all(db, sql2, second.as_of, binds_of(second));
        async { rocket::tokio::try_join!(one, two) }
    };
    if !by_provinces(db, reach) {
        return by_places(db, first, places, pair(&[])).await;
    }
    let places = places.await?;
    let read = pair(places.provinces()).await?;
    if !names_provinces(db, reach, places.provinces())
        || (current(&read.0, &places) && current(&read.1, &places))
    {
        return by_places(db, first, async { Ok(places) }, async { Ok(read) }).await;
    }
    // The tree changed since the places were read (as in `read_packed`).
    let (sql1, sql2) = (
        packed_statement(db, first, packing, Reach::Units, &[]),
        packed_statement(db, second, packing, Reach::Units, &[]),
    );
    let one = super::store::fetch_all(db, sql1, first.as_of, binds_of(first));
    let two = super::store::fetch_all(db, sql2, second.as_of, binds_of(second));
    let read = async { rocket::tokio::try_join!(one, two) };
    by_places(db, first, fresh_places(db, first), read).await
}

/// The read of `f` with the fields `packing` names packed into one text value.
fn packed_statement(
    db: &Db,
    f: &Filter,
    packing: Packing,
    reach: Reach,
    provinces: &[String],
) -> String {
    let sqlite = db.is_sqlite();
    let text = |col: &str| format!("COALESCE(CAST({col} AS TEXT), '')");
    let minority = "CASE WHEN ethnic_minority THEN '1' ELSE '0' END".to_string();
    let (holding, version, found, names) = match packing {
        Packing::Rows => (
            "holding".to_string(),
            text("standard_version"),
            "found".to_string(),
            ["full_name".to_string(), "sort_key".to_string()],
        ),
        Packing::Counts => (
            String::new(),
            "CASE WHEN standard_version IS NULL THEN '' ELSE '1' END".to_string(),
            String::new(),
            [String::new(), String::new()],
        ),
    };
    let fields: Vec<String> = [
        text("cadre_id"),
        holding,
        "title_code".to_string(),
        version,
        "unmet".to_string(),
        found,
        "gender".to_string(),
        text("birth_date"),
        minority,
    ]
    .into_iter()
    .chain(names)
    // The unit last: `Placeable` reads it from the end.
    .chain(["unit_code".to_string()])
    .filter(|f| !f.is_empty())
    .collect();
    let named = packing == Packing::Rows;
    let sql = statement(db, f, named, reach, provinces);
    if names_provinces(db, reach, provinces) {
        super::store::packed_seeing_reference(sqlite, &fields, &sql)
    } else {
        super::store::packed(sqlite, &fields, &sql)
    }
}

/// Whether a read by `reach` names `provinces` as constants (PostgreSQL's [`Reach::Province`]
/// given its places' provinces): such a read depends on its places being the tree it reads, so
/// it reads the reference version beside its rows ([`current`]).
fn names_provinces(db: &Db, reach: Reach, provinces: &[String]) -> bool {
    by_provinces(db, reach) && !provinces.is_empty()
}

/// Whether a read that named `places`' provinces saw the tree `places` were read from: the
/// reference version its statement read beside its rows is the one the places were read at.
/// A tree change between the two (a unit moved into the subtree from a province they do not
/// name, after the caller's request read its version) would otherwise leave that unit's rows
/// unread, where a read by units finds them.
fn current(read: &[super::store::Packed], places: &Places) -> bool {
    read.iter()
        .all(|p| p.reference.as_deref() == Some(places.reference.as_str()))
}

/// Runs a read of the subtree's units beside the read of its places (both statements find the
/// subtree's units on the tree's day themselves, so neither waits for the other).
///
/// The places (cached, or read on another connection) may predate the tree the read saw, if the
/// tree changed in between: the rows are then placed by the tree read afresh. Rows that have no
/// place even then (a read by day brings other subtrees' rows) are left out where they are
/// counted or unpacked.
async fn by_places<T: Placeable>(
    db: &Db,
    f: &Filter,
    places: impl Future<Output = AppResult<Arc<Places>>>,
    read: impl Future<Output = AppResult<T>>,
) -> AppResult<(T, Arc<Places>)> {
    let (places, rows) = rocket::tokio::try_join!(places, read)?;
    if rows.placed_by(&places) {
        return Ok((rows, places));
    }
    Ok((rows, fresh_places(db, f).await?))
}

/// Rows that name the timeline's unit of each row.
trait Placeable {
    /// Whether `places` knows every row's unit.
    fn placed_by(&self, places: &Places) -> bool;
}

impl Placeable for Vec<super::store::Packed> {
    fn placed_by(&self, places: &Places) -> bool {
        // The unit is every packed row's last field.
        super::store::packed_rows(self).all(|mut r| {
            r.next_back()
                .is_some_and(|code| places.by_code.contains_key(code))
        })
    }
}

impl<A: Placeable, B: Placeable> Placeable for (A, B) {
    fn placed_by(&self, places: &Places) -> bool {
        self.0.placed_by(places) && self.1.placed_by(places)
    }
}

fn bad_row(what: &str) -> crate::error::AppError {
    crate::error::AppError::Internal(format!("packed timeline row: {what}"))
}

/// The rows of [`read_packed`] with [`Packing::Counts`] as a report counts them on `as_of`,
/// borrowed (no row allocates): `keys` are the requirement keys of each title's standard in force
/// ([`super::report::rule_keys`]), `places` those the rows were read with. A row whose unit has no
/// place in the subtree on the tree's day (which only a read by day brings) is not counted, as a
/// read by the subtree's units never reads it.
pub(super) fn on_day<'a>(
    packed: &'a [super::store::Packed],
    keys: &'a HashMap<String, Vec<String>>,
    places: &'a Places,
    as_of: NaiveDate,
) -> AppResult<Vec<HolderOnDay<'a>>> {
    let mut out = vec![];
    for mut f in super::store::packed_rows(packed) {
        let mut next = |name: &str| f.next().ok_or_else(|| bad_row(name));
        let cadre_id = next("cadre_id")?.parse().map_err(|_| bad_row("cadre_id"))?;
        let title_code = next("title_code")?;
        let standard = !next("standard_version")?.is_empty();
        let unmet = next("unmet")?;
        let gender = Gender::parse(next("gender")?).ok_or_else(|| bad_row("gender"))?;
        let birth_date =
            super::engine::iso_day(next("birth_date")?).ok_or_else(|| bad_row("birth_date"))?;
        let minority = next("ethnic_minority")? == "1";
        let Some(place) = places.of(next("unit_code")?) else {
            continue;
        };
        let keys = keys.get(title_code).map(Vec::as_slice);
        out.push(HolderOnDay {
            cadre_id,
            title_code,
            keys,
            standard,
            unmet: Unmet::of(keys.unwrap_or(&[]), unmet),
            gender,
            age: full_years(birth_date, as_of),
            minority,
            unplaced: place.placement == "unplaced",
            unit_code: &place.unit_code,
            unit_path: &place.unit_path,
        });
    }
    Ok(out)
}

/// The rows of a packed read of [`read_rows`], placed and borrowed (a row without a place is
/// left out, as in [`on_day`]).
pub(super) fn rows<'a>(
    packed: &'a [super::store::Packed],
    places: &'a Places,
) -> impl Iterator<Item = AppResult<RowRef<'a>>> + 'a {
    super::store::packed_rows(packed).filter_map(|f| row(f, places).transpose())
}

/// One row of [`rows`] from its fields (`None`: it has no place).
fn row<'a>(
    mut f: impl Iterator<Item = &'a str>,
    places: &'a Places,
) -> AppResult<Option<RowRef<'a>>> {
    let mut next = |name: &str| f.next().ok_or_else(|| bad_row(name));
    let cadre_id = next("cadre_id")?.parse().map_err(|_| bad_row("cadre_id"))?;
    let holding = Holding::parse(next("holding")?).ok_or_else(|| bad_row("holding"))?;
    let title_code = next("title_code")?;
    let standard_version = match next("standard_version")? {
        "" => None,
        v => Some(v.parse().map_err(|_| bad_row("standard_version"))?),
    };
    let unmet = next("unmet")?;
    let found = next("found")?;
    let gender = Gender::parse(next("gender")?).ok_or_else(|| bad_row("gender"))?;
    let birth_date =
        super::engine::iso_day(next("birth_date")?).ok_or_else(|| bad_row("birth_date"))?;
    let ethnic_minority = next("ethnic_minority")? == "1";
    let full_name = next("full_name")?;
    let sort_key = next("sort_key")?;
    let Some(place) = places.of(next("unit_code")?) else {
        return Ok(None);
    };
    Ok(Some(RowRef {
        cadre_id,
        holding,
        title_code,
        standard_version,
        unmet,
        found,
        gender,
        birth_date,
        ethnic_minority,
        full_name,
        sort_key,
        unit_code: &place.unit_code,
        unit_path: &place.unit_path,
        placement: &place.placement,
    }))
}

/// The report read of `f` as it runs (unpacked, its units as the timeline keeps them) and its
/// parameters after the day (`$1`): for the benchmark's split of a read into the statement, its
/// rows and their packing.
pub fn read_statement(
    db: &Db,
    f: &Filter,
    reach: Reach,
    provinces: &[String],
) -> (String, Vec<String>) {
    (statement(db, f, false, reach, provinces), binds_of(f))
}

/// The database's plan for the report read of `f` (SQLite's `EXPLAIN QUERY PLAN` details, or
/// PostgreSQL's `EXPLAIN` with sequential scans off, one line each): what the tests check to
/// know that a report reads only its part of the timeline's key.
pub async fn plan(db: &Db, f: &Filter, reach: Reach) -> AppResult<Vec<String>> {
    let places = Places::read(db, &f.range, f.tree_on).await?;
    let (sql, binds) = read_statement(db, f, reach, places.provinces());
    Ok(match db {
        Db::Sqlite(p) => {
            let sql = format!("EXPLAIN QUERY PLAN {sql}");
            let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(&sql).bind(f.as_of);
            for b in binds {
                q = q.bind(b);
            }
            q.fetch_all(p).await?.into_iter().map(|r| r.3).collect()
        }
        Db::Postgres(p) => {
            let mut tx = p.begin().await?;
            sqlx::query("SELECT set_config('enable_seqscan', 'off', true)")
                .execute(&mut *tx)
                .await?;
            let sql = format!("EXPLAIN {sql}");
            let mut q = sqlx::query_scalar::<_, String>(&sql)
                .persistent(false)
                .bind(f.as_of);
            for b in binds {
                q = q.bind(b);
            }
            let lines = q.fetch_all(&mut *tx).await?;
            tx.rollback().await?;
            lines
        }
    })
}

/// The parameters after the day: the subtree's path range, then the title and the organisation
/// kind if named.
fn binds_of(f: &Filter) -> Vec<String> {
    let mut binds = vec![f.range.0.clone(), f.range.1.clone()];
    binds.extend(f.title.iter().cloned());
    binds.extend(f.org_kind.iter().cloned());
    binds
}

/// The report statement: `$1` the day, then [`binds_of`]'s. It finds the subtree's units on the
/// tree's day itself (so what it reads is one snapshot), unless it reads by day ([`Reach`]); its
/// rows keep the timeline's unit code, which [`Places`] places.
fn statement(db: &Db, f: &Filter, names: bool, reach: Reach, provinces: &[String]) -> String {
    let sqlite = db.is_sqlite();
    let tree =
        crate::units::store::placing_period_sql("u", 1).replace("$1", &format!("'{}'", f.tree_on));
    let mut extra = String::new();
    // Each holding counted is its own part of a unit's key (unit, holding, end, …): one seek each.
    let holdings: &[&str] = match f.population {
        Population::Incumbent => &["incumbent"],
        Population::Planned => &["planned"],
        Population::Both => &["incumbent", "planned"],
    };
    let mut n = 3;
    if f.title.is_some() {
        n += 1;
        extra.push_str(&format!(" AND s.title_code = ${n}"));
    }
    if f.org_kind.is_some() {
        n += 1;
        extra.push_str(&format!(" AND s.org_kind = ${n}"));
    }
    extra.push_str(&super::store::only_cadres("s", f));
    // The drill-down's read takes each holder's name and stored sort key from the row (migration
    // 0020); a row written without them (empty: an older app server during a rolling upgrade) has
    // them looked up by primary key in the same statement, only for that row (COALESCE evaluates
    // its arguments in turn, on both databases). Names hold letters, spaces, `'` and `-`
    // (`parse_full_name`), sort keys no control character but U+0001: neither can break the
    // packed form; they are stripped anyway to be sure.
    let name_cols = if names {
        let strip = |col: &str| {
            let ch = if sqlite { "char" } else { "chr" };
            format!(
                "replace(replace(COALESCE(NULLIF(s.{col}, ''), (SELECT c.{col} FROM cadres c WHERE c.id = s.cadre_id), ''), {ch}(30), ''), {ch}(31), '') AS {col}"
            )
        };
        format!("{}, {}", strip("full_name"), strip("sort_key"))
    } else {
        "'' AS full_name, '' AS sort_key".to_string()
    };
    // The piece containing the day: open and begun by then, or ending within PIECE_DAYS after
    // it (closed intervals are stored cut to that length): two bounded ranges of the key.
    let window_end = if sqlite {
        format!("date($1, '+{PIECE_DAYS} days')")
    } else {
        format!("($1 + {PIECE_DAYS})")
    };
    let cols = format!(
        "s.cadre_id, s.holding, s.title_code, s.standard_version, s.unmet, s.found, s.gender, s.birth_date,
                s.ethnic_minority, s.unit_code, '' AS unit_path, '' AS placement, {name_cols}"
    );
    let subtree = format!("u.path >= $2 AND u.path < $3 AND {tree}");
    // Read by day on PostgreSQL: the day's index carries every column either read takes
    // (migration 0021), as the key does; so does the province's (0023).
    let by_day = reach == Reach::Day && !sqlite;
    let by_province = reach == Reach::Province && !sqlite;
    // The provinces as constants (the places' provinces, and '' for rows an older app server
    // wrote): given as an array computed in the statement, the planner could not see how few
    // rows they hold and read the whole country's day (194 ms for HCMC on the national data,
    // against 1 ms; BENCHMARKS.md). Without them (a caller without places), that array.
    let in_provinces = if provinces.is_empty() {
        let codes = format!("SELECT u.code FROM unit_periods u WHERE {subtree}");
        format!(
            "SELECT '' UNION {}",
            crate::units::store::least_provinces_sql(false, &codes)
        )
    } else {
        std::iter::once("''".to_string())
            .chain(
                provinces
                    .iter()
                    .map(|p| format!("'{}'", p.replace('\'', "''"))),
            )
            .collect::<Vec<_>>()
            .join(", ")
    };
    let one = |holding: &str, span: &str| {
        if sqlite {
            // SQLite keeps the written join order for CROSS JOIN: the subtree's unit periods
            // on the tree's day first, then each one's part of the timeline's key.
            format!(
                "SELECT {cols}
         FROM unit_periods u CROSS JOIN holder_timeline s
           ON s.unit_code = u.code AND s.holding = '{holding}' AND {span} AND s.from_date <= $1
         WHERE {subtree}{extra}"
            )
        } else if by_day {
            // The day's range of `holder_timeline_day` read once, every unit's rows: those of
            // units outside the subtree on the tree's day have no place and are not counted
            // (`on_day`). The whole country in 85–108 ms where 21,620 descents of the unit key
            // took 200 ms (BENCHMARKS.md, "Eleventh sitting"); a city on its own database in
            // 0.7–0.9 ms where its 367 unit periods' descents took 3.6–5.7 ms and a semi-join on
            // the unit periods 2.4–3.9 ms ("Thirteenth sitting").
            format!(
                "SELECT {cols}
         FROM holder_timeline s
         WHERE s.holding = '{holding}' AND {span} AND s.from_date <= $1{extra}"
            )
        } else if by_province {
            // The day's range of each province the subtree's units keep, every unit's rows
            // there: those of units outside the subtree have no place and are not counted, as
            // by day.
            format!(
                "SELECT {cols}
         FROM holder_timeline s
         WHERE s.province IN ({in_provinces})
           AND s.holding = '{holding}' AND {span} AND s.from_date <= $1{extra}"
            )
        } else {
            // The subtree's codes as an array computed once (`codes`): PostgreSQL seeks the key
            // once per code and range, as it did in a join, but plans in about 0.7 ms where the
            // join took 2 ms (it estimated every unit's share of the key); a province on the
            // national data this way took 5.2 ms, the semi-join above 6.4–7.3 ms.
            format!(
                "SELECT {cols}
         FROM holder_timeline s
         WHERE s.unit_code = ANY(ARRAY(SELECT code FROM codes))
           AND s.holding = '{holding}' AND {span} AND s.from_date <= $1{extra}"
            )
        }
    };
    let open = format!("s.to_date = '{OPEN}'");
    let closed = format!("s.to_date > $1 AND s.to_date <= {window_end}");
    let parts = holdings
        .iter()
        .flat_map(|h| [one(h, &open), one(h, &closed)])
        .collect::<Vec<_>>()
        .join("\n         UNION ALL\n");
    if sqlite || by_day || by_province {
        parts
    } else {
        format!(
            "WITH codes AS MATERIALIZED (SELECT u.code FROM unit_periods u WHERE {subtree})\n{parts}"
        )
    }
}
