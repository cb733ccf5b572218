//! Storage of titles, and of standard versions and their requirements.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

pub use super::domain::StandardVersion;
use super::domain::{NewTitle, Requirement};
use crate::db::{Db, Exec, Tx};
use crate::error::AppResult;
use crate::{on_db, on_exec, on_tx};

/// A title as stored and served.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow, PartialEq)]
pub struct Title {
    /// Internal id.
    #[serde(skip)]
    pub id: i64,
    /// Code, e.g. `FF-CHAIR-COMMUNE`.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Organisation kind (`fatherland_front`, `youth_union`, …).
    pub org_kind: String,
    /// Level of the unit it sits in: `city`, `district` or `commune`.
    pub level: String,
    /// In use.
    pub active: bool,
}

const TITLE_COLS: &str = "id, code, name_vi, name_en, org_kind, level, active";

/// All titles, optionally of one level or organisation kind.
pub async fn titles(db: &Db, level: Option<&str>, org_kind: Option<&str>) -> AppResult<Vec<Title>> {
    let sql = format!("SELECT {TITLE_COLS} FROM titles WHERE ($1 IS NULL OR level = $1) AND ($2 IS NULL OR org_kind = $2) ORDER BY org_kind, level, code");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(level)
        .bind(org_kind)
        .fetch_all(p)
        .await?))
}

/// A title by code.
pub async fn title(ex: impl Into<Exec<'_>>, code: &str) -> AppResult<Option<Title>> {
    let sql = format!("SELECT {TITLE_COLS} FROM titles WHERE code = $1");
    Ok(on_exec!(ex, |c| sqlx::query_as(&sql)
        .bind(code)
        .fetch_optional(&mut *c)
        .await?))
}

/// Inserts a title (active).
pub async fn insert_title(tx: &mut Tx, t: &NewTitle) -> AppResult<()> {
    let now = Utc::now();
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO titles (code, name_vi, name_en, org_kind, level, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6)"
    )
    .bind(&t.code).bind(&t.name_vi).bind(&t.name_en).bind(t.org_kind.as_str()).bind(&t.level).bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}

/// Writes a title's names and active flag.
pub async fn update_title(
    tx: &mut Tx,
    id: i64,
    name_vi: &str,
    name_en: &str,
    active: bool,
) -> AppResult<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE titles SET name_vi = $1, name_en = $2, active = $3, updated_at = $4 WHERE id = $5"
    )
    .bind(name_vi)
    .bind(name_en)
    .bind(active)
    .bind(Utc::now())
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Number of titles.
pub async fn title_count(db: &Db) -> AppResult<i64> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM titles"
    )
    .fetch_one(p)
    .await?))
}

/// Inserts a seeded title unless its code exists (another instance seeding at once).
pub async fn seed_title(tx: &mut Tx, t: &NewTitle, now: DateTime<Utc>) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO titles (code, name_vi, name_en, org_kind, level, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) ON CONFLICT (code) DO NOTHING"
    )
    .bind(&t.code)
    .bind(&t.name_vi)
    .bind(&t.name_en)
    .bind(t.org_kind.as_str())
    .bind(&t.level)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}

/// Number of standard versions.
pub async fn version_count(db: &Db) -> AppResult<i64> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM standard_versions"
    )
    .fetch_one(p)
    .await?))
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    title_code: String,
    version: i64,
    effective_from: NaiveDate,
    note: String,
    created_by: String,
    created_at: DateTime<Utc>,
    /// The version's requirements in order, one JSON array of [`ReqRow`]s (see [`reqs_sql`]).
    requirements: String,
}

/// A requirement as [`reqs_sql`] packs it: kind, scale, level, module, within years, years.
type ReqRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// The requirement a stored row describes (`None`: a kind this build does not know, or a row
/// missing what its kind needs).
fn requirement((kind, scale, level, module, within_years, years): ReqRow) -> Option<Requirement> {
    Some(match kind.as_str() {
        "min_level" => Requirement::MinLevel {
            scale: scale?,
            level: level?,
        },
        "module" => Requirement::Module {
            module: module?,
            within_years,
        },
        "max_age" => Requirement::MaxAge { years: years? },
        "min_party_years" => Requirement::MinPartyYears { years: years? },
        _ => return None,
    })
}

impl VersionRow {
    fn assemble(self) -> AppResult<StandardVersion> {
        let reqs: Vec<ReqRow> = serde_json::from_str(&self.requirements)
            .map_err(|e| crate::error::AppError::Internal(format!("standard requirements: {e}")))?;
        Ok(StandardVersion {
            requirements: reqs.into_iter().filter_map(requirement).collect(),
            title_code: self.title_code,
            version: self.version,
            effective_from: self.effective_from,
            note: self.note,
            created_by: self.created_by,
            created_at: self.created_at,
        })
    }
}

/// The requirements of the version `v`, by position, as one JSON array of arrays: one value per
/// version rather than one row per requirement (each row a statement's result costs more to
/// hand over than its few fields, SQLite's most).
fn reqs_sql(sqlite: bool) -> String {
    let fields = "r.kind, r.scale_code, r.level_code, r.module_code, r.within_years, r.years";
    let array = if sqlite {
        format!("json_group_array(json_array({fields}) ORDER BY r.position)")
    } else {
        format!("CAST(COALESCE(json_agg(json_build_array({fields}) ORDER BY r.position), '[]') AS TEXT)")
    };
    format!("(SELECT {array} FROM standard_requirements r WHERE r.version_id = v.id)")
}

/// The versions (`v`, with `t` their titles) that `rest` (a filter, then an order) reads, each
/// with its requirements, in one statement; `$1` is `day` when given, then one placeholder per
/// title code (see [`placeholders`]).
async fn read_joined(
    ex: impl Into<Exec<'_>>,
    rest: &str,
    day: Option<NaiveDate>,
    title_codes: &[&str],
) -> AppResult<Vec<StandardVersion>> {
    let ex = ex.into();
    let sql = format!(
        "SELECT t.code AS title_code, v.version, v.effective_from, v.note, v.created_by, v.created_at,
                {} AS requirements
         FROM titles t JOIN standard_versions v ON v.title_id = t.id {rest}",
        reqs_sql(ex.is_sqlite())
    );
    let rows: Vec<VersionRow> = on_exec!(ex, |c| {
        let mut q = sqlx::query_as(&sql);
        if let Some(d) = day {
            q = q.bind(d);
        }
        for code in title_codes {
            q = q.bind(*code);
        }
        q.fetch_all(&mut *c).await?
    });
    rows.into_iter().map(VersionRow::assemble).collect()
}

/// `$from, $from+1, …` (`n` of them).
fn placeholders(from: usize, n: usize) -> String {
    (0..n)
        .map(|i| format!("${}", i + from))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The filter keeping the version in force on `$1` of each title.
const IN_FORCE: &str = "v.effective_from = (SELECT MAX(v2.effective_from) FROM standard_versions v2
    WHERE v2.title_id = t.id AND v2.effective_from <= $1)";

/// Every version of every title's standard, on whatever the caller has.
pub async fn all_versions(ex: impl Into<Exec<'_>>) -> AppResult<Vec<StandardVersion>> {
    read_joined(ex, "ORDER BY v.id", None, &[]).await
}

/// Every version of the standards of these titles only (the same versions as [`all_versions`]
/// gives for them): what a write touching a few holders recomputes them with.
pub async fn versions_of_titles(
    ex: impl Into<Exec<'_>>,
    title_codes: &[&str],
) -> AppResult<Vec<StandardVersion>> {
    if title_codes.is_empty() {
        return Ok(vec![]);
    }
    let codes = placeholders(1, title_codes.len());
    let rest = format!("WHERE t.code IN ({codes}) ORDER BY v.id");
    read_joined(ex, &rest, None, title_codes).await
}

/// Every version of one title's standard, oldest first.
pub async fn versions(db: &Db, title_code: &str) -> AppResult<Vec<StandardVersion>> {
    let rest = "WHERE t.code = $1 ORDER BY v.effective_from, v.id";
    read_joined(db, rest, None, &[title_code]).await
}

/// The version of every title's standard in force on `d` (title code → version), on any
/// executor (the pool, or a connection a request holds).
pub async fn in_force(
    ex: impl Into<Exec<'_>>,
    d: NaiveDate,
) -> AppResult<HashMap<String, StandardVersion>> {
    let rest = format!("WHERE {IN_FORCE} ORDER BY v.id");
    Ok(read_joined(ex, &rest, Some(d), &[])
        .await?
        .into_iter()
        .map(|s| (s.title_code.clone(), s))
        .collect())
}

/// The nullable columns of a requirement row: scale, level, module, within years, years.
type ReqColumns<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<i64>,
    Option<i64>,
);

/// Publishes a new version; returns its number.
pub async fn publish(
    tx: &mut Tx,
    title_id: i64,
    effective_from: NaiveDate,
    note: &str,
    by: &str,
    reqs: &[Requirement],
) -> AppResult<i64> {
    let now = Utc::now();
    let (vid, version): (i64, i64) = on_tx!(tx, |c| {
        sqlx::query_as(
        "INSERT INTO standard_versions (title_id, version, effective_from, note, created_by, created_at)
         VALUES ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM standard_versions WHERE title_id = $1), $2, $3, $4, $5)
         RETURNING id, version"
    )
    .bind(title_id).bind(effective_from).bind(note).bind(by).bind(now)
    .fetch_one(&mut *c)
    .await?
    });
    for (i, r) in reqs.iter().enumerate() {
        let (scale, level, module, within, years): ReqColumns<'_> = match r {
            Requirement::MinLevel { scale, level } => (Some(scale), Some(level), None, None, None),
            Requirement::Module {
                module,
                within_years,
            } => (None, None, Some(module), *within_years, None),
            Requirement::MaxAge { years } | Requirement::MinPartyYears { years } => {
                (None, None, None, None, Some(*years))
            }
        };
        on_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO standard_requirements (version_id, position, kind, scale_code, level_code, module_code, within_years, years)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(vid).bind(i as i64 + 1).bind(r.kind()).bind(scale).bind(level).bind(module).bind(within).bind(years)
        .execute(&mut *c)
        .await
        .map(|_| ())?
        });
    }
    Ok(version)
}

/// Whether a version of title `title_id` taking effect after `d` is in force by `today`: a
/// version from `d` would then be history only.
pub async fn superseded_by_today(
    tx: &mut Tx,
    title_id: i64,
    d: NaiveDate,
    today: NaiveDate,
) -> AppResult<bool> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM standard_versions
         WHERE title_id = $1 AND effective_from > $2 AND effective_from <= $3"
    )
    .bind(title_id)
    .bind(d)
    .bind(today)
    .fetch_one(&mut *c)
    .await?);
    Ok(n > 0)
}

/// Whether the title already has a version starting that day.
pub async fn has_version_on(tx: &mut Tx, title_id: i64, d: NaiveDate) -> AppResult<bool> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM standard_versions WHERE title_id = $1 AND effective_from = $2"
    )
    .bind(title_id)
    .bind(d)
    .fetch_one(&mut *c)
    .await?);
    Ok(n > 0)
}
