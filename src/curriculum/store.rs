//! Storage of scales, modules (with versions and prerequisites) and programmes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

pub use super::domain::LevelRef;
use super::domain::{audiences_from_db, Audience};
use crate::db::Exec;
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};
use crate::on_exec;
use crate::{on_db, on_tx};

/// A level on a qualification scale.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct LevelView {
    /// Scale code.
    #[serde(skip)]
    pub scale_code: String,
    /// Level code, e.g. `intermediate`.
    pub code: String,
    /// Rank on the scale (1 = lowest).
    pub rank: i64,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
}

/// A qualification scale with its ordered levels.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScaleView {
    /// Scale code, e.g. `political_theory`.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Levels, lowest first.
    pub levels: Vec<LevelView>,
}

/// All scales with their levels.
pub async fn scales(db: &Db) -> AppResult<Vec<ScaleView>> {
    let (scales, levels): (Vec<(String, String, String)>, Vec<LevelView>) = on_db!(db, |p| {
        let s =
            sqlx::query_as("SELECT code, name_vi, name_en FROM qualification_scales ORDER BY code")
                .fetch_all(p)
                .await?;
        let l = sqlx::query_as("SELECT scale_code, code, rank, name_vi, name_en FROM qualification_levels ORDER BY scale_code, rank")
            .fetch_all(p)
            .await?;
        (s, l)
    });
    let mut by_scale: HashMap<String, Vec<LevelView>> = HashMap::new();
    for l in levels {
        by_scale.entry(l.scale_code.clone()).or_default().push(l);
    }
    Ok(scales
        .into_iter()
        .map(|(code, name_vi, name_en)| ScaleView {
            levels: by_scale.remove(&code).unwrap_or_default(),
            code,
            name_vi,
            name_en,
        })
        .collect())
}

/// Whether `level` exists on `scale`.
pub async fn level_exists(ex: impl Into<Exec<'_>>, scale: &str, level: &str) -> AppResult<bool> {
    let n: i64 = on_exec!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM qualification_levels WHERE scale_code = $1 AND code = $2"
    )
    .bind(scale)
    .bind(level)
    .fetch_one(&mut *c)
    .await?);
    Ok(n > 0)
}

/// Refuses a level that is not on its scale: 422 naming `scale_field` when the scale itself is
/// unknown (`no_scale`), else `level_field` (`no_level`).
pub async fn check_level(
    tx: &mut Tx,
    scale: &str,
    level: &str,
    (scale_field, level_field): (&str, &str),
) -> AppResult<()> {
    if level_exists(&mut *tx, scale, level).await? {
        return Ok(());
    }
    let scales: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM qualification_scales WHERE code = $1"
    )
    .bind(scale)
    .fetch_one(&mut *c)
    .await?);
    Err(if scales == 0 {
        AppError::invalid(scale_field, crate::msg!(NoScale, scale = scale))
    } else {
        AppError::invalid(
            level_field,
            crate::msg!(NoLevel, scale = scale, level = level),
        )
    })
}

/// A module as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ModuleRow {
    /// Internal id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Vietnamese title.
    pub title_vi: String,
    /// English title.
    pub title_en: String,
    /// Teaching periods.
    pub periods: i64,
    /// Description.
    pub description: String,
    /// Comma-separated audiences.
    pub audiences: String,
    /// Years a completion stays valid.
    pub validity_years: Option<i64>,
    /// Scale of the level awarded.
    pub awards_scale: Option<String>,
    /// Level awarded.
    pub awards_level: Option<String>,
    /// Offered now.
    pub active: bool,
    /// Current version.
    pub version: i64,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A module as served.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ModuleView {
    /// Code, e.g. `DV-03`.
    pub code: String,
    /// Vietnamese title.
    pub title_vi: String,
    /// English title.
    pub title_en: String,
    /// Teaching periods (tiết).
    pub periods: i64,
    /// Description.
    pub description: String,
    /// Target audiences.
    pub audiences: Vec<Audience>,
    /// Codes of the modules that must be completed (and not stale) first.
    pub prerequisites: Vec<String>,
    /// Years a completion stays valid; absent = never stale.
    pub validity_years: Option<i64>,
    /// The qualification level a completion awards.
    pub awards: Option<LevelRef>,
    /// Offered now.
    pub active: bool,
    /// Current version (bumped by every edit; earlier versions are kept).
    pub version: i64,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl ModuleRow {
    /// The served form, given the module's prerequisite codes.
    pub fn view(&self, prerequisites: Vec<String>) -> ModuleView {
        ModuleView {
            code: self.code.clone(),
            title_vi: self.title_vi.clone(),
            title_en: self.title_en.clone(),
            periods: self.periods,
            description: self.description.clone(),
            audiences: audiences_from_db(&self.audiences),
            prerequisites,
            validity_years: self.validity_years,
            awards: match (&self.awards_scale, &self.awards_level) {
                (Some(s), Some(l)) => Some(LevelRef {
                    scale: s.clone(),
                    level: l.clone(),
                }),
                _ => None,
            },
            active: self.active,
            version: self.version,
            updated_at: self.updated_at,
        }
    }
}

const MODULE_COLS: &str = "id, code, title_vi, title_en, periods, description, audiences, validity_years, awards_scale, awards_level, active, version, updated_at";

/// Prerequisite edges by module code: code → prerequisite codes (sorted).
fn edges_of(rows: Vec<(String, String)>) -> HashMap<String, Vec<String>> {
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for (a, b) in rows {
        m.entry(a).or_default().push(b);
    }
    for v in m.values_mut() {
        v.sort();
    }
    m
}

const EDGES_SQL: &str = "SELECT m.code, p.code FROM module_prerequisites mp
    JOIN modules m ON m.id = mp.module_id JOIN modules p ON p.id = mp.prerequisite_id";

/// All prerequisite edges (inside a transaction, for cycle checks).
pub async fn prerequisite_edges(tx: &mut Tx) -> AppResult<HashMap<String, Vec<String>>> {
    let rows: Vec<(String, String)> =
        on_tx!(tx, |c| sqlx::query_as(EDGES_SQL).fetch_all(&mut *c).await?);
    Ok(edges_of(rows))
}

/// Lists modules (optionally only active ones, or matching a code/title fragment), by code.
pub async fn list_modules(
    db: &Db,
    active: Option<bool>,
    q: Option<&str>,
) -> AppResult<Vec<ModuleView>> {
    let pattern = q.map(|q| format!("%{}%", crate::db::like_escape(&q.to_lowercase())));
    let sql = format!(
        "SELECT {MODULE_COLS} FROM modules WHERE ($1 IS NULL OR active = $1)
         AND ($2 IS NULL OR LOWER(code) LIKE $2 ESCAPE '\\' OR LOWER(title_vi) LIKE $2 ESCAPE '\\' OR LOWER(title_en) LIKE $2 ESCAPE '\\')
         ORDER BY code"
    );
    let (rows, edges): (Vec<ModuleRow>, Vec<(String, String)>) = on_db!(db, |p| {
        let rows = sqlx::query_as(&sql)
            .bind(active)
            .bind(&pattern)
            .fetch_all(p)
            .await?;
        let edges = sqlx::query_as(EDGES_SQL).fetch_all(p).await?;
        (rows, edges)
    });
    let mut edges = edges_of(edges);
    Ok(rows
        .iter()
        .map(|r| r.view(edges.remove(&r.code).unwrap_or_default()))
        .collect())
}

/// A module's row by code (no prerequisites).
pub async fn module_row(ex: impl Into<Exec<'_>>, code: &str) -> AppResult<Option<ModuleRow>> {
    let sql = format!("SELECT {MODULE_COLS} FROM modules WHERE code = $1");
    Ok(on_exec!(ex, |c| sqlx::query_as(&sql)
        .bind(code)
        .fetch_optional(&mut *c)
        .await?))
}

/// The codes of the active titles whose standard version in force on `today`, or one taking
/// effect later, requires module `code`, sorted.
pub async fn required_by_standards(
    tx: &mut Tx,
    code: &str,
    today: NaiveDate,
) -> AppResult<Vec<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT DISTINCT t.code FROM standard_requirements r
         JOIN standard_versions v ON v.id = r.version_id
         JOIN titles t ON t.id = v.title_id
         WHERE r.kind = 'module' AND r.module_code = $1 AND t.active = TRUE
           AND NOT EXISTS (SELECT 1 FROM standard_versions w WHERE w.title_id = v.title_id
                           AND w.effective_from > v.effective_from AND w.effective_from <= $2)
         ORDER BY t.code"
    )
    .bind(code)
    .bind(today)
    .fetch_all(&mut *c)
    .await?))
}

/// A module with its prerequisites, by code.
pub async fn module(db: &Db, code: &str) -> AppResult<Option<ModuleView>> {
    let sql = format!("SELECT {MODULE_COLS} FROM modules WHERE code = $1");
    let row: Option<ModuleRow> = on_db!(db, |p| sqlx::query_as(&sql)
        .bind(code)
        .fetch_optional(p)
        .await?);
    let Some(row) = row else { return Ok(None) };
    let prereqs: Vec<String> = on_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT p.code FROM module_prerequisites mp JOIN modules p ON p.id = mp.prerequisite_id WHERE mp.module_id = $1 ORDER BY p.code"
    )
    .bind(row.id)
    .fetch_all(p)
    .await?
    });
    Ok(Some(row.view(prereqs)))
}

/// The fields of a module to write, already validated.
pub struct ModuleWrite<'a> {
    /// Code.
    pub code: &'a str,
    /// Vietnamese title.
    pub title_vi: &'a str,
    /// English title.
    pub title_en: &'a str,
    /// Periods.
    pub periods: i64,
    /// Description.
    pub description: &'a str,
    /// Audiences, as stored.
    pub audiences: &'a str,
    /// Validity.
    pub validity_years: Option<i64>,
    /// Awarded level.
    pub awards: Option<&'a LevelRef>,
    /// Active flag.
    pub active: bool,
}

/// Inserts a module (version 1, created at `now`) and its first edition; returns its id.
pub async fn insert_module(tx: &mut Tx, m: &ModuleWrite<'_>, now: DateTime<Utc>) -> AppResult<i64> {
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO modules (code, title_vi, title_en, periods, description, audiences, validity_years, awards_scale, awards_level, active, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11) RETURNING id"
    )
    .bind(m.code).bind(m.title_vi).bind(m.title_en).bind(m.periods).bind(m.description).bind(m.audiences)
    .bind(m.validity_years).bind(m.awards.map(|a| a.scale.as_str())).bind(m.awards.map(|a| a.level.as_str()))
    .bind(m.active).bind(now)
    .fetch_one(&mut *c)
    .await?
    });
    insert_edition(tx, id, 1, m).await?;
    Ok(id)
}

/// Keeps the terms of version `version` of module `id` (titles, validity): completions and
/// classes of that version read them, whatever later edits change (`module_editions`).
async fn insert_edition(tx: &mut Tx, id: i64, version: i64, m: &ModuleWrite<'_>) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO module_editions (module_id, version, title_vi, title_en, validity_years)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(version)
        .bind(m.title_vi)
        .bind(m.title_en)
        .bind(m.validity_years)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Keeps the current state of a module as a version, then overwrites it, bumps the version and
/// keeps the new version's edition.
pub async fn replace_module(
    tx: &mut Tx,
    id: i64,
    old: &ModuleView,
    m: &ModuleWrite<'_>,
) -> AppResult<()> {
    let now = Utc::now();
    let snapshot = serde_json::to_string(old).unwrap_or_default();
    on_tx!(tx, |c| {
        sqlx::query("INSERT INTO module_versions (module_id, version, snapshot, replaced_at) VALUES ($1, $2, $3, $4)")
            .bind(id).bind(old.version).bind(&snapshot).bind(now)
            .execute(&mut *c).await?;
        sqlx::query(
            "UPDATE modules SET title_vi = $1, title_en = $2, periods = $3, description = $4, audiences = $5,
             validity_years = $6, awards_scale = $7, awards_level = $8, active = $9, version = version + 1, updated_at = $10
             WHERE id = $11",
        )
        .bind(m.title_vi).bind(m.title_en).bind(m.periods).bind(m.description).bind(m.audiences)
        .bind(m.validity_years).bind(m.awards.map(|a| a.scale.as_str())).bind(m.awards.map(|a| a.level.as_str()))
        .bind(m.active).bind(now).bind(id)
        .execute(&mut *c).await?;
    });
    insert_edition(tx, id, old.version + 1, m).await
}

/// Replaces a module's prerequisites (ids).
pub async fn set_prerequisites(tx: &mut Tx, id: i64, prereq_ids: &[i64]) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM module_prerequisites WHERE module_id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        for p in prereq_ids {
            sqlx::query(
                "INSERT INTO module_prerequisites (module_id, prerequisite_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(p)
            .execute(&mut *c)
            .await?;
        }
    });
    Ok(())
}

/// An earlier version of a module.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleVersion {
    /// Version number.
    pub version: i64,
    /// When it was replaced.
    pub replaced_at: DateTime<Utc>,
    /// The module as it was.
    #[schema(value_type = Object)]
    pub module: serde_json::Value,
}

/// Earlier versions of a module, oldest first.
pub async fn versions(db: &Db, id: i64) -> AppResult<Vec<ModuleVersion>> {
    let rows: Vec<(i64, String, DateTime<Utc>)> = on_db!(db, |p| {
        sqlx::query_as(
        "SELECT version, snapshot, replaced_at FROM module_versions WHERE module_id = $1 ORDER BY version"
    )
    .bind(id)
    .fetch_all(p)
    .await?
    });
    Ok(rows
        .into_iter()
        .map(|(version, s, replaced_at)| ModuleVersion {
            version,
            replaced_at,
            module: serde_json::from_str(&s).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}

/// A programme as served.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ProgrammeView {
    /// Code.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Description.
    pub description: String,
    /// Module codes, in teaching order.
    pub modules: Vec<String>,
    /// Total periods of its modules.
    pub periods: i64,
    /// Offered now.
    pub active: bool,
}

/// id, code, name_vi, name_en, description, active.
type ProgrammeRow = (i64, String, String, String, String, bool);

/// Lists programmes with their modules; with `code`, only that one.
pub async fn programmes(db: &Db, code: Option<&str>) -> AppResult<Vec<ProgrammeView>> {
    let (rows, mods): (Vec<ProgrammeRow>, Vec<(i64, String, i64)>) = on_db!(db, |p| {
        let rows = sqlx::query_as("SELECT id, code, name_vi, name_en, description, active FROM programmes WHERE ($1 IS NULL OR code = $1) ORDER BY code")
            .bind(code).fetch_all(p).await?;
        let mods = sqlx::query_as("SELECT pm.programme_id, m.code, m.periods FROM programme_modules pm JOIN modules m ON m.id = pm.module_id ORDER BY pm.programme_id, pm.position")
            .fetch_all(p).await?;
        (rows, mods)
    });
    let mut by_prog: HashMap<i64, (Vec<String>, i64)> = HashMap::new();
    for (pid, mcode, periods) in mods {
        let e = by_prog.entry(pid).or_default();
        e.0.push(mcode);
        e.1 += periods;
    }
    Ok(rows
        .into_iter()
        .map(|(id, code, name_vi, name_en, description, active)| {
            let (modules, periods) = by_prog.remove(&id).unwrap_or_default();
            ProgrammeView {
                code,
                name_vi,
                name_en,
                description,
                modules,
                periods,
                active,
            }
        })
        .collect())
}

/// Inserts or replaces a programme and its module list; returns whether it was new.
pub async fn upsert_programme(
    tx: &mut Tx,
    p: &ProgrammeView,
    module_ids: &[i64],
) -> AppResult<bool> {
    let now = Utc::now();
    let existing: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM programmes WHERE code = $1"
    )
    .bind(&p.code)
    .fetch_optional(&mut *c)
    .await?);
    let id: i64 = match existing {
        Some(id) => {
            on_tx!(tx, |c| {
                sqlx::query("UPDATE programmes SET name_vi = $1, name_en = $2, description = $3, active = $4, updated_at = $5 WHERE id = $6")
                .bind(&p.name_vi).bind(&p.name_en).bind(&p.description).bind(p.active).bind(now).bind(id)
                .execute(&mut *c).await.map(|_| ())?
            });
            id
        }
        None => on_tx!(tx, |c| {
            sqlx::query_scalar("INSERT INTO programmes (code, name_vi, name_en, description, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id")
            .bind(&p.code).bind(&p.name_vi).bind(&p.name_en).bind(&p.description).bind(p.active).bind(now)
            .fetch_one(&mut *c).await?
        }),
    };
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM programme_modules WHERE programme_id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        for (pos, m) in module_ids.iter().enumerate() {
            sqlx::query("INSERT INTO programme_modules (programme_id, module_id, position) VALUES ($1, $2, $3)")
                .bind(id).bind(m).bind(pos as i64 + 1).execute(&mut *c).await?;
        }
    });
    Ok(existing.is_none())
}

/// Number of modules.
pub async fn module_count(tx: &mut Tx) -> AppResult<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM modules"
    )
    .fetch_one(&mut *c)
    .await?))
}

/// Writes a seeded scale and its levels, lowest first (what exists is left as it is).
pub async fn seed_scale(
    tx: &mut Tx,
    code: &str,
    name_vi: &str,
    name_en: &str,
    levels: &[(&str, &str, &str)],
) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("INSERT INTO qualification_scales (code, name_vi, name_en) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING")
            .bind(code).bind(name_vi).bind(name_en).execute(&mut *c).await?;
        for (rank, (lc, lvi, len)) in levels.iter().enumerate() {
            sqlx::query("INSERT INTO qualification_levels (scale_code, code, rank, name_vi, name_en) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scale_code, code) DO NOTHING")
                .bind(code).bind(lc).bind(rank as i64 + 1).bind(lvi).bind(len).execute(&mut *c).await?;
        }
    });
    Ok(())
}

/// Makes module `prerequisite` a prerequisite of module `code` (both seeded).
pub async fn seed_prerequisite(tx: &mut Tx, code: &str, prerequisite: &str) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO module_prerequisites (module_id, prerequisite_id)
             SELECT m.id, p.id FROM modules m, modules p WHERE m.code = $1 AND p.code = $2",
        )
        .bind(code)
        .bind(prerequisite)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

/// Writes a seeded programme (active) with its modules, by code, in teaching order.
pub async fn seed_programme(
    tx: &mut Tx,
    code: &str,
    name_vi: &str,
    name_en: &str,
    description: &str,
    modules: &[&str],
    now: DateTime<Utc>,
) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("INSERT INTO programmes (code, name_vi, name_en, description, active, created_at, updated_at) VALUES ($1, $2, $3, $4, TRUE, $5, $5)")
            .bind(code).bind(name_vi).bind(name_en).bind(description).bind(now).execute(&mut *c).await?;
        for (pos, m) in modules.iter().enumerate() {
            sqlx::query("INSERT INTO programme_modules (programme_id, module_id, position)
                         SELECT p.id, m.id, $3 FROM programmes p, modules m WHERE p.code = $1 AND m.code = $2")
                .bind(code).bind(m).bind(pos as i64 + 1).execute(&mut *c).await?;
        }
    });
    Ok(())
}
