//! The rules and transactions of the curriculum: reading scales, modules and programmes, and
//! creating or changing a module (fields, awarded level, prerequisites without cycles, a version
//! kept per change) or a programme, each in one transaction with its audit entry.

use chrono::Utc;
use serde_json::json;

use super::domain::{
    audiences_to_db, check_no_cycle, module_not_found, prerequisite, programme_module, ModuleCode,
    ModuleInput, ModuleTexts, ProgrammeInput,
};
use super::store::{self, ModuleVersion, ModuleView, ModuleWrite, ProgrammeView, ScaleView};
use crate::audit::{self, Actor};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};

/// A module filter of a list or an export (`module=`): blank for none, else the code of a module
/// (any case), 422 naming `module` when there is none such.
pub async fn module_filter(db: &Db, raw: Option<&str>) -> AppResult<Option<String>> {
    let Some(code) = raw
        .map(|m| m.trim().to_uppercase())
        .filter(|m| !m.is_empty())
    else {
        return Ok(None);
    };
    match store::module_row(db, &code).await? {
        Some(_) => Ok(Some(code)),
        None => Err(AppError::invalid(
            "module",
            crate::msg!(NoModule, code = code),
        )),
    }
}

/// All scales with their ordered levels.
pub async fn scales(db: &Db) -> AppResult<Vec<ScaleView>> {
    store::scales(db).await
}

/// The modules, by code: only active (or inactive) ones when asked, or those whose code or
/// title contains `q`.
pub async fn modules(db: &Db, active: Option<bool>, q: Option<&str>) -> AppResult<Vec<ModuleView>> {
    store::list_modules(db, active, q).await
}

/// One module with its prerequisites (404 if none has the code).
pub async fn module(db: &Db, code: &ModuleCode) -> AppResult<ModuleView> {
    store::module(db, code.as_str())
        .await?
        .ok_or_else(|| module_not_found(code.as_str()))
}

/// A module's current version number and its earlier versions, oldest first.
pub async fn versions(db: &Db, code: &ModuleCode) -> AppResult<(i64, Vec<ModuleVersion>)> {
    let row = store::module_row(db, code.as_str())
        .await?
        .ok_or_else(|| module_not_found(code.as_str()))?;
    Ok((row.version, store::versions(db, row.id).await?))
}

/// A module's fields, checked against the database too.
struct CheckedModule {
    texts: ModuleTexts,
    prereq_codes: Vec<String>,
    prereq_ids: Vec<i64>,
}

/// Checks a module's fields in order: those that need nothing stored, the level it awards, each
/// prerequisite (a module that exists), and that the prerequisites form no cycle.
async fn check_module(tx: &mut Tx, code: &ModuleCode, m: &ModuleInput) -> AppResult<CheckedModule> {
    let texts = m.texts()?;
    if let Some(a) = &m.awards {
        store::check_level(&mut *tx, &a.scale, &a.level, ("awards", "awards")).await?;
    }
    let mut prereqs: Vec<ModuleCode> = Vec::new();
    let mut prereq_ids = Vec::new();
    for (i, raw) in m.prerequisites.iter().enumerate() {
        let p = prerequisite(code, i, raw, &prereqs)?;
        let row = store::module_row(&mut *tx, p.as_str())
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    format!("prerequisites[{i}]"),
                    crate::msg!(NoModule, code = p),
                )
            })?;
        prereq_ids.push(row.id);
        prereqs.push(p);
    }
    let edges = store::prerequisite_edges(tx).await?;
    check_no_cycle(code, &prereqs, &edges)?;
    Ok(CheckedModule {
        texts,
        prereq_codes: prereqs.into_iter().map(ModuleCode::into_string).collect(),
        prereq_ids,
    })
}

fn write<'a>(
    code: &'a ModuleCode,
    c: &'a CheckedModule,
    m: &'a ModuleInput,
    active: bool,
) -> ModuleWrite<'a> {
    ModuleWrite {
        code: code.as_str(),
        title_vi: &c.texts.title_vi,
        title_en: &c.texts.title_en,
        periods: m.periods,
        description: &c.texts.description,
        audiences: &c.texts.audiences,
        validity_years: m.validity_years,
        awards: m.awards.as_ref(),
        active,
    }
}

/// Creates module `code` (409 if it exists).
pub async fn create_module(
    db: &Db,
    actor: &Actor,
    code: &ModuleCode,
    input: &ModuleInput,
) -> AppResult<ModuleView> {
    let mut tx = db.begin().await?;
    if store::module_row(&mut tx, code.as_str()).await?.is_some() {
        return Err(AppError::conflict(
            Some("code"),
            crate::msg!(ModuleExists, code = code),
        ));
    }
    let c = check_module(&mut tx, code, input).await?;
    let write = write(code, &c, input, input.active.unwrap_or(true));
    let id = store::insert_module(&mut tx, &write, Utc::now()).await?;
    store::set_prerequisites(&mut tx, id, &c.prereq_ids).await?;
    let row = store::module_row(&mut tx, code.as_str())
        .await?
        .ok_or_else(|| AppError::Internal("module vanished".into()))?;
    let view = row.view(c.prereq_codes);
    audit::record(
        &mut tx,
        actor,
        "create",
        "module",
        code.as_str(),
        None,
        Some(json!(view)),
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

/// Replaces the fields of module `code`. A change keeps the previous state as a version and bumps
/// the version number; the same fields again change nothing (and write no audit entry). A module
/// that a title's standard in force on `today` (or one to come) requires is not retired (409 on
/// `active`): no class could be scheduled for it, and the holders could never meet the standard.
pub async fn update_module(
    db: &Db,
    actor: &Actor,
    code: &ModuleCode,
    input: &ModuleInput,
    today: chrono::NaiveDate,
) -> AppResult<ModuleView> {
    let mut tx = db.begin().await?;
    let row = store::module_row(&mut tx, code.as_str())
        .await?
        .ok_or_else(|| module_not_found(code.as_str()))?;
    let c = check_module(&mut tx, code, input).await?;
    let edges = store::prerequisite_edges(&mut tx).await?;
    let before = row.view(edges.get(code.as_str()).cloned().unwrap_or_default());
    let write = write(code, &c, input, input.active.unwrap_or(row.active));
    let mut sorted_prereqs = c.prereq_codes.clone();
    sorted_prereqs.sort();
    let unchanged = before.title_vi == c.texts.title_vi
        && before.title_en == c.texts.title_en
        && before.periods == input.periods
        && before.description == c.texts.description
        && audiences_to_db(&before.audiences) == c.texts.audiences
        && before.prerequisites == sorted_prereqs
        && before.validity_years == input.validity_years
        && before.awards == input.awards
        && before.active == write.active;
    if unchanged {
        return Ok(before);
    }
    if before.active && !write.active {
        let titles = store::required_by_standards(&mut tx, code.as_str(), today).await?;
        if !titles.is_empty() {
            return Err(AppError::conflict(
                Some("active"),
                crate::msg!(ModuleRequiredByStandards, titles = titles.join(", ")),
            ));
        }
    }
    store::replace_module(&mut tx, row.id, &before, &write).await?;
    store::set_prerequisites(&mut tx, row.id, &c.prereq_ids).await?;
    let after_row = store::module_row(&mut tx, code.as_str())
        .await?
        .ok_or_else(|| AppError::Internal("module vanished".into()))?;
    let after = after_row.view(sorted_prereqs);
    audit::record(
        &mut tx,
        actor,
        "update",
        "module",
        code.as_str(),
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The programmes with their modules, by code.
pub async fn programmes(db: &Db) -> AppResult<Vec<ProgrammeView>> {
    store::programmes(db, None).await
}

/// One programme (404 if none has the code).
pub async fn programme(db: &Db, code: &str) -> AppResult<ProgrammeView> {
    store::programmes(db, Some(code))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::not_found(crate::msg!(NoProgramme, code = code)))
}

/// Creates or replaces programme `code` (its names and ordered modules, each a module that
/// exists); answers whether it was created, and the programme.
pub async fn put_programme(
    db: &Db,
    actor: &Actor,
    code: &str,
    input: &ProgrammeInput,
) -> AppResult<(bool, ProgrammeView)> {
    let (name_vi, name_en) = input.names()?;
    let mut tx = db.begin().await?;
    let mut ids = Vec::new();
    let mut codes: Vec<ModuleCode> = Vec::new();
    let mut periods = 0;
    for (i, raw) in input.modules.iter().enumerate() {
        let m = programme_module(i, raw, &codes)?;
        let row = store::module_row(&mut tx, m.as_str())
            .await?
            .ok_or_else(|| {
                AppError::invalid(format!("modules[{i}]"), crate::msg!(NoModule, code = m))
            })?;
        ids.push(row.id);
        periods += row.periods;
        codes.push(m);
    }
    let view = ProgrammeView {
        code: code.to_string(),
        name_vi,
        name_en,
        description: input.description.trim().to_string(),
        modules: codes.into_iter().map(ModuleCode::into_string).collect(),
        periods,
        active: input.active.unwrap_or(true),
    };
    let created = store::upsert_programme(&mut tx, &view, &ids).await?;
    audit::record(
        &mut tx,
        actor,
        if created { "create" } else { "update" },
        "programme",
        code,
        None,
        Some(json!(view)),
    )
    .await?;
    tx.commit().await?;
    Ok((created, view))
}
