//! Loading what an import is checked against, and writing a checked plan in one transaction.
//! The gap timelines of the cadres written are rebuilt at the commit (triggers mark them;
//! `gaps::timeline_store`).

use chrono::{NaiveDate, Utc};
use std::collections::{HashMap, HashSet};

use super::plan::{
    CadreKey, CadreLookups, CadrePlan, CadreRef, CompletionLookups, CompletionPlan, ExistingCadre,
    ExistingHome, ExistingPeriod, LevelInfo, ModuleInfo, NewPeriod, QualificationLookups,
    QualificationPlan, ScaleInfo, TitleInfo, UnitInfo,
};
use crate::cadres::domain::{fold_name, sort_key, Gender, Organisation, PersonalId};
use crate::cadres::rules::unit_level;
use crate::cadres::store::CadreWrite;
use crate::db::bulk::{self, V};
use crate::db::Tx;
use crate::error::AppResult;
use crate::on_tx;

/// The SQL that keeps only rows whose `col` is one of the ids in parameter `$n`, and the value
/// of that parameter (a JSON array on SQLite, a comma-separated list on PostgreSQL).
fn id_filter(tx: &Tx, col: &str, n: usize, ids: &[String]) -> (String, String) {
    match tx {
        Tx::Sqlite(..) => (
            format!("{col} IN (SELECT value FROM json_each(${n}))"),
            serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()),
        ),
        Tx::Postgres(_) => (
            format!("{col} = ANY(string_to_array(${n}, ','))"),
            ids.join(","),
        ),
    }
}

/// Same for integer ids.
fn int_filter(tx: &Tx, col: &str, n: usize, ids: &[i64]) -> (String, String) {
    let sqlite = tx.is_sqlite();
    (
        format!("{col} {}", crate::db::in_ids(sqlite, n)),
        crate::db::id_param(sqlite, ids),
    )
}

/// Every unit by code.
async fn units(tx: &mut Tx) -> AppResult<HashMap<String, UnitInfo>> {
    type U = (String, String, String, Option<NaiveDate>, Option<NaiveDate>);
    let rows: Vec<U> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT code, path, kind, retired_on, created_on FROM units"
    )
    .fetch_all(&mut *c)
    .await?);
    Ok(rows
        .into_iter()
        .map(|(code, path, kind, retired, created_on)| {
            (
                code,
                UnitInfo {
                    path,
                    level: unit_level(&kind).to_string(),
                    retired_on: retired,
                    created_on,
                },
            )
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct CadreRowDb {
    id: i64,
    full_name: String,
    gender: Gender,
    birth_date: NaiveDate,
    ethnicity: String,
    ethnic_minority: bool,
    religion: Option<String>,
    party_joined_on: Option<NaiveDate>,
    personal_id: String,
    unit_code: String,
    organisation: Organisation,
    phone: Option<String>,
    email: Option<String>,
    active: bool,
    unit_path: String,
    unit_from: Option<NaiveDate>,
}

/// Personal ids that can name a cadre at all (digits only): the others fail their row anyway.
fn plausible(ids: &[String]) -> Vec<String> {
    ids.iter()
        .filter(|s| !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()))
        .cloned()
        .collect()
}

async fn cadres_by_pid(tx: &mut Tx, ids: &[String]) -> AppResult<Vec<CadreRowDb>> {
    let ids = plausible(ids);
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let (filter, param) = id_filter(tx, "c.personal_id", 1, &ids);
    let sql = format!(
        "SELECT c.id, c.full_name, c.gender, c.birth_date, c.ethnicity, c.ethnic_minority, c.religion,
                c.party_joined_on, c.personal_id, c.unit_code, c.organisation, c.phone, c.email, c.active,
                u.path AS unit_path, cu.from_date AS unit_from
         FROM cadres c JOIN units u ON u.code = c.unit_code
         LEFT JOIN cadre_units cu ON cu.cadre_id = c.id AND cu.to_date IS NULL
         WHERE {filter}"
    );
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(&param)
        .fetch_all(&mut *c)
        .await?))
}

/// The earliest day of each of the cadres' completions and qualifications, where they have one.
async fn first_record_days(tx: &mut Tx, cadre_ids: &[i64]) -> AppResult<HashMap<i64, NaiveDate>> {
    if cadre_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (filter, param) = int_filter(tx, "cadre_id", 1, cadre_ids);
    let sql = format!(
        "SELECT cadre_id, MIN(day) FROM (
            SELECT cadre_id, completed_on AS day FROM completions WHERE {filter}
            UNION ALL SELECT cadre_id, obtained_on FROM cadre_qualifications WHERE {filter}
         ) r GROUP BY cadre_id"
    );
    let rows: Vec<(i64, NaiveDate)> = on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(&param)
        .fetch_all(&mut *c)
        .await?);
    Ok(rows.into_iter().collect())
}

/// The classes not over (by code) in which each of the cadres holds a seat or a waitlist place.
async fn seats(tx: &mut Tx, cadre_ids: &[i64]) -> AppResult<HashMap<i64, Vec<String>>> {
    if cadre_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (filter, param) = int_filter(tx, "e.cadre_id", 1, cadre_ids);
    let sql = format!(
        "SELECT e.cadre_id, k.code FROM enrolments e JOIN classes k ON k.id = e.class_id
         WHERE {filter} AND e.status IN ('enrolled', 'waitlisted')
           AND k.status NOT IN ('finished', 'cancelled')
         ORDER BY e.cadre_id, k.code"
    );
    let rows: Vec<(i64, String)> = on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(&param)
        .fetch_all(&mut *c)
        .await?);
    let mut by: HashMap<i64, Vec<String>> = HashMap::new();
    for (cadre, class) in rows {
        by.entry(cadre).or_default().push(class);
    }
    Ok(by)
}

async fn periods(tx: &mut Tx, table: &str, cadre_ids: &[i64]) -> AppResult<Vec<ExistingPeriod>> {
    if cadre_ids.is_empty() {
        return Ok(vec![]);
    }
    let (filter, param) = int_filter(tx, "cadre_id", 1, cadre_ids);
    let sql = format!(
        "SELECT id, cadre_id, title_id, unit_code, from_date, to_date FROM {table} WHERE {filter}"
    );
    type P = (i64, i64, i64, String, NaiveDate, Option<NaiveDate>);
    let rows: Vec<P> = on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(&param)
        .fetch_all(&mut *c)
        .await?);
    Ok(rows
        .into_iter()
        .map(
            |(id, cadre_id, title_id, unit_code, from, to)| ExistingPeriod {
                id,
                cadre_id,
                title_id,
                unit_code,
                from,
                to,
            },
        )
        .collect())
}

/// The unit periods of the cadres, oldest first.
async fn homes(tx: &mut Tx, cadre_ids: &[i64]) -> AppResult<HashMap<i64, Vec<ExistingHome>>> {
    if cadre_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (filter, param) = int_filter(tx, "cadre_id", 1, cadre_ids);
    let sql = format!(
        "SELECT cadre_id, unit_code, from_date, to_date FROM cadre_units WHERE {filter}
         ORDER BY cadre_id, from_date, id"
    );
    type H = (i64, String, NaiveDate, Option<NaiveDate>);
    let rows: Vec<H> = on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(&param)
        .fetch_all(&mut *c)
        .await?);
    let mut by: HashMap<i64, Vec<ExistingHome>> = HashMap::new();
    for (cadre, code, from, until) in rows {
        by.entry(cadre)
            .or_default()
            .push(ExistingHome { code, from, until });
    }
    Ok(by)
}

/// Whether [`cadre_lookups`] reads the titles held and planned of the file's cadres.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Periods {
    /// The roster import: its rows carry a title held and a title planned.
    Read,
    /// The record exchange's cadre sheet: its periods come in sheets of their own.
    Skip,
}

/// Every title by code, as a planner checks a title against it (the roster import, the record
/// exchange's period sheets).
pub async fn titles(tx: &mut Tx) -> AppResult<HashMap<String, TitleInfo>> {
    let rows: Vec<(i64, String, String, bool, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, code, level, active, org_kind FROM titles"
    )
    .fetch_all(&mut *c)
    .await?);
    Ok(rows
        .into_iter()
        .map(|(id, code, level, active, org)| {
            let title = TitleInfo {
                id,
                level,
                active,
                org,
            };
            (code, title)
        })
        .collect())
}

/// Loads what a cadre import is checked against.
pub async fn cadre_lookups(tx: &mut Tx, ids: &[String], with: Periods) -> AppResult<CadreLookups> {
    let units = units(tx).await?;
    let titles = titles(tx).await?;
    let found = cadres_by_pid(tx, ids).await?;
    let cadre_ids: Vec<i64> = found.iter().map(|c| c.id).collect();
    let (held, planned) = (
        periods(tx, "title_assignments", &cadre_ids).await?,
        periods(tx, "succession_plans", &cadre_ids).await?,
    );
    let mut first_title_day: HashMap<i64, NaiveDate> = HashMap::new();
    for p in held.iter().chain(&planned) {
        let day = first_title_day.entry(p.cadre_id).or_insert(p.from);
        *day = (*day).min(p.from);
    }
    let first_record_day = first_record_days(tx, &cadre_ids).await?;
    let seats = seats(tx, &cadre_ids).await?;
    let (held, planned, homes) = match with {
        Periods::Read => (held, planned, homes(tx, &cadre_ids).await?),
        Periods::Skip => (vec![], vec![], HashMap::new()),
    };
    Ok(CadreLookups {
        units,
        titles,
        first_title_day,
        first_record_day,
        seats,
        cadres: found
            .into_iter()
            .map(|c| {
                (
                    c.personal_id.clone(),
                    ExistingCadre {
                        id: c.id,
                        unit_path: c.unit_path,
                        unit_from: c.unit_from,
                        w: CadreWrite {
                            full_name: c.full_name,
                            gender: c.gender,
                            birth_date: c.birth_date,
                            ethnicity: c.ethnicity,
                            ethnic_minority: c.ethnic_minority,
                            religion: c.religion,
                            party_joined_on: c.party_joined_on,
                            personal_id: PersonalId::stored(&c.personal_id),
                            unit_code: c.unit_code,
                            organisation: c.organisation,
                            phone: c.phone,
                            email: c.email,
                            active: c.active,
                        },
                    },
                )
            })
            .collect(),
        held,
        planned,
        homes,
    })
}

fn cadre_values(w: &CadreWrite, now: chrono::DateTime<Utc>) -> Vec<V> {
    vec![
        V::S(w.full_name.clone()),
        V::S(fold_name(&w.full_name)),
        V::S(sort_key(&w.full_name)),
        V::S(w.gender.as_str().to_string()),
        V::D(w.birth_date),
        V::S(w.ethnicity.clone()),
        V::B(w.ethnic_minority),
        V::OS(w.religion.clone()),
        V::OD(w.party_joined_on),
        V::S(w.personal_id.to_string()),
        V::S(w.unit_code.clone()),
        V::S(w.organisation.as_str().to_string()),
        V::OS(w.phone.clone()),
        V::OS(w.email.clone()),
        V::B(w.active),
        V::T(now),
        V::T(now),
    ]
}

const CADRE_COLS: &[&str] = &[
    "full_name",
    "name_folded",
    "sort_key",
    "gender",
    "birth_date",
    "ethnicity",
    "ethnic_minority",
    "religion",
    "party_joined_on",
    "personal_id",
    "unit_code",
    "organisation",
    "phone",
    "email",
    "active",
    "created_at",
    "updated_at",
];

const PERIOD_COLS: &[&str] = &[
    "cadre_id",
    "title_id",
    "unit_code",
    "from_date",
    "to_date",
    "created_at",
];

async fn set_ends(tx: &mut Tx, table: &str, ends: &[(i64, Option<NaiveDate>)]) -> AppResult<()> {
    let sql = format!("UPDATE {table} SET to_date = $1 WHERE id = $2");
    for (id, to) in ends {
        on_tx!(tx, |c| sqlx::query(&sql)
            .bind(*to)
            .bind(*id)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(())
}

/// Writes a checked cadre plan.
pub async fn apply_cadres(tx: &mut Tx, plan: &CadrePlan) -> AppResult<()> {
    let now = Utc::now();
    let rows: Vec<Vec<V>> = plan.new.iter().map(|n| cadre_values(&n.w, now)).collect();
    // The new cadres' ids, in the order of `plan.new`.
    let new_ids: Vec<i64> = bulk::insert_ids(tx, "cadres", CADRE_COLS, rows).await?;
    let unit_rows: Vec<Vec<V>> = plan
        .new
        .iter()
        .zip(&new_ids)
        .map(|(n, id)| vec![V::I(*id), V::S(n.w.unit_code.clone()), V::D(n.since)])
        .collect();
    bulk::insert(
        tx,
        "cadre_units",
        &["cadre_id", "unit_code", "from_date"],
        unit_rows,
    )
    .await?;
    for (id, w) in &plan.updates {
        crate::cadres::store::update(tx, *id, w).await?;
    }
    for (id, unit, on) in &plan.moves {
        crate::cadres::store::move_unit(tx, *id, unit, *on).await?;
    }
    let period_rows = |list: &[NewPeriod]| -> Vec<Vec<V>> {
        list.iter()
            .map(|p| {
                let cadre = match p.cadre {
                    CadreRef::Existing(id) => id,
                    CadreRef::New(i) => new_ids[i],
                };
                vec![
                    V::I(cadre),
                    V::I(p.title_id),
                    V::S(p.unit_code.clone()),
                    V::D(p.from),
                    V::OD(p.to),
                    V::T(now),
                ]
            })
            .collect()
    };
    bulk::insert(
        tx,
        "title_assignments",
        PERIOD_COLS,
        period_rows(&plan.new_held),
    )
    .await?;
    bulk::insert(
        tx,
        "succession_plans",
        PERIOD_COLS,
        period_rows(&plan.new_planned),
    )
    .await?;
    set_ends(tx, "title_assignments", &plan.held_ends).await?;
    set_ends(tx, "succession_plans", &plan.planned_ends).await?;
    Ok(())
}

async fn cadre_keys(tx: &mut Tx, ids: &[String]) -> AppResult<HashMap<String, CadreKey>> {
    let ids = plausible(ids);
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (filter, param) = id_filter(tx, "c.personal_id", 1, &ids);
    let sql = format!(
        "SELECT c.personal_id, c.id, u.path, c.full_name, c.birth_date FROM cadres c JOIN units u ON u.code = c.unit_code WHERE {filter}"
    );
    let rows: Vec<(String, i64, String, String, NaiveDate)> = on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(&param)
        .fetch_all(&mut *c)
        .await?);
    Ok(rows
        .into_iter()
        .map(|(pid, id, unit_path, full_name, birth_date)| {
            (
                pid,
                CadreKey {
                    id,
                    unit_path,
                    full_name,
                    birth_date,
                },
            )
        })
        .collect())
}

/// Loads what a qualification import is checked against.
pub async fn qualification_lookups(tx: &mut Tx, ids: &[String]) -> AppResult<QualificationLookups> {
    let cadres = cadre_keys(tx, ids).await?;
    let scales: Vec<(String, String, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT code, name_vi, name_en FROM qualification_scales ORDER BY code"
    )
    .fetch_all(&mut *c)
    .await?);
    let levels: Vec<(String, String, String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT scale_code, code, name_vi, name_en FROM qualification_levels ORDER BY scale_code, rank"
    )
    .fetch_all(&mut *c)
    .await?
    });
    let mut scales: Vec<ScaleInfo> = scales
        .into_iter()
        .map(|(code, name_vi, name_en)| ScaleInfo {
            code,
            name_vi,
            name_en,
            levels: vec![],
        })
        .collect();
    for (scale, code, name_vi, name_en) in levels {
        if let Some(s) = scales.iter_mut().find(|s| s.code == scale) {
            s.levels.push(LevelInfo {
                code,
                name_vi,
                name_en,
            });
        }
    }
    let cadre_ids: Vec<i64> = cadres.values().map(|c| c.id).collect();
    let mut existing = HashMap::new();
    let mut on_record = HashSet::new();
    if !cadre_ids.is_empty() {
        let (filter, param) = int_filter(tx, "cadre_id", 1, &cadre_ids);
        let sql = format!(
            "SELECT id, cadre_id, scale_code, level_code, obtained_on, issuer, evidence,
                    source IN ('manual', 'import') AS editable
             FROM cadre_qualifications WHERE {filter}"
        );
        type Q = (i64, i64, String, String, NaiveDate, String, String, bool);
        let rows: Vec<Q> = on_tx!(tx, |c| sqlx::query_as(&sql)
            .bind(&param)
            .fetch_all(&mut *c)
            .await?);
        for (id, cadre, scale, level, day, issuer, evidence, editable) in rows {
            let key = (cadre, scale, level, day);
            if editable {
                existing.insert(key, (id, issuer, evidence));
            } else {
                on_record.insert(key);
            }
        }
    }
    Ok(QualificationLookups {
        cadres,
        scales,
        existing,
        on_record,
    })
}

/// Writes a checked qualification plan; `source_ref` names the file.
pub async fn apply_qualifications(
    tx: &mut Tx,
    plan: &QualificationPlan,
    source_ref: &str,
) -> AppResult<()> {
    let now = Utc::now();
    let rows: Vec<Vec<V>> = plan
        .new
        .iter()
        .map(|q| {
            vec![
                V::I(q.cadre_id),
                V::S(q.scale.clone()),
                V::S(q.level.clone()),
                V::D(q.obtained_on),
                V::S(q.issuer.clone()),
                V::S(q.evidence.clone()),
                V::S("import".into()),
                V::S(source_ref.to_string()),
                V::T(now),
            ]
        })
        .collect();
    bulk::insert(
        tx,
        "cadre_qualifications",
        &[
            "cadre_id",
            "scale_code",
            "level_code",
            "obtained_on",
            "issuer",
            "evidence",
            "source",
            "source_ref",
            "created_at",
        ],
        rows,
    )
    .await?;
    crate::cadres::store::set_qualification_details(tx, &plan.updates).await
}

/// Loads what a completion import is checked against.
pub async fn completion_lookups(tx: &mut Tx, ids: &[String]) -> AppResult<CompletionLookups> {
    let cadres = cadre_keys(tx, ids).await?;
    type M = (i64, String, i64, Option<String>, Option<String>);
    let modules: Vec<M> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, code, version, awards_scale, awards_level FROM modules"
    )
    .fetch_all(&mut *c)
    .await?);
    let cadre_ids: Vec<i64> = cadres.values().map(|c| c.id).collect();
    let mut existing = HashMap::new();
    let mut on_record = HashSet::new();
    let mut qualifications = HashSet::new();
    if !cadre_ids.is_empty() {
        let (filter, param) = int_filter(tx, "cadre_id", 1, &cadre_ids);
        // Every completion of those cadres: a paper or imported one not revoked is one an import
        // may update; any other (a class's, the exchange's, a revoked one) is on record as it is.
        let sql = format!(
            "SELECT id, cadre_id, module_id, completed_on, score_tenths, source, source_ref,
                    source IN ('paper', 'import') AND revoked_on IS NULL AS editable
             FROM completions WHERE {filter}"
        );
        type C = (i64, i64, i64, NaiveDate, Option<i64>, String, String, bool);
        let rows: Vec<C> = on_tx!(tx, |c| sqlx::query_as(&sql)
            .bind(&param)
            .fetch_all(&mut *c)
            .await?);
        for (id, cadre, module, day, score, source, source_ref, editable) in rows {
            if editable {
                existing.insert((cadre, module, day), (id, score, source, source_ref));
            } else {
                on_record.insert((cadre, module, day));
            }
        }
        let sql = format!(
            "SELECT cadre_id, scale_code, level_code, obtained_on FROM cadre_qualifications WHERE {filter}"
        );
        qualifications = on_tx!(tx, |c| sqlx::query_as(&sql)
            .bind(&param)
            .fetch_all(&mut *c)
            .await?)
        .into_iter()
        .collect();
    }
    Ok(CompletionLookups {
        cadres,
        modules: modules
            .into_iter()
            .map(|(id, code, version, scale, level)| {
                (
                    code,
                    ModuleInfo {
                        id,
                        version,
                        awards: scale.zip(level),
                    },
                )
            })
            .collect(),
        existing,
        on_record,
        qualifications,
    })
}

/// Writes a checked completion plan, with the level each module awards.
pub async fn apply_completions(tx: &mut Tx, plan: &CompletionPlan) -> AppResult<()> {
    let now = Utc::now();
    let rows: Vec<Vec<V>> = plan
        .new
        .iter()
        .map(|c| {
            vec![
                V::I(c.cadre_id),
                V::I(c.module_id),
                V::I(c.module_version),
                V::D(c.completed_on),
                V::OI(c.score_tenths),
                V::S(c.source.clone()),
                V::S(c.source_ref.clone()),
                V::T(now),
            ]
        })
        .collect();
    // The new completions' ids, in the order of `plan.new`.
    let ids: Vec<i64> = bulk::insert_ids(
        tx,
        "completions",
        &[
            "cadre_id",
            "module_id",
            "module_version",
            "completed_on",
            "score_tenths",
            "source",
            "source_ref",
            "created_at",
        ],
        rows,
    )
    .await?;
    let mut quals = vec![];
    for (c, id) in plan.new.iter().zip(&ids) {
        let Some((scale, level)) = &c.awards else {
            continue;
        };
        quals.push(vec![
            V::I(c.cadre_id),
            V::S(scale.clone()),
            V::S(level.clone()),
            V::D(c.completed_on),
            V::S(c.issuer.clone()),
            V::S(c.source_ref.clone()),
            V::S("completion".into()),
            V::S(c.source_ref.clone()),
            V::I(*id),
            V::T(now),
        ]);
    }
    bulk::insert(
        tx,
        "cadre_qualifications",
        crate::cadres::store::QUALIFICATION_COLUMNS,
        quals,
    )
    .await?;
    for (id, score, source, source_ref) in &plan.updates {
        on_tx!(tx, |c| sqlx::query(
            "UPDATE completions SET score_tenths = $1, source = $2, source_ref = $3 WHERE id = $4"
        )
        .bind(*score)
        .bind(source)
        .bind(source_ref)
        .bind(*id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    }
    Ok(())
}
