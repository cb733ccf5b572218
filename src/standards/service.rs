//! The rules and transactions of titles and their standards: reading them, creating and changing
//! a title, and publishing a new version of a standard (its requirements checked against the
//! scales, levels and modules on record), each write in one transaction with its audit entry.

use chrono::NaiveDate;
use serde_json::json;

use super::domain::{check_duplicates, in_force_on, title_names, NewTitle, Requirement};
use super::store::{self, StandardVersion, Title};
use crate::audit::{self, Actor};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};

/// The titles, optionally of one level or organisation kind (both already checked).
pub async fn titles(db: &Db, level: Option<&str>, org_kind: Option<&str>) -> AppResult<Vec<Title>> {
    store::titles(db, level, org_kind).await
}

/// Creates a title (409 if its code exists).
pub async fn create_title(db: &Db, actor: &Actor, t: &NewTitle) -> AppResult<Title> {
    let mut tx = db.begin().await?;
    if store::title(&mut tx, &t.code).await?.is_some() {
        return Err(AppError::conflict(
            Some("code"),
            crate::msg!(TitleExists, code = t.code),
        ));
    }
    store::insert_title(&mut tx, t).await?;
    let title = store::title(&mut tx, &t.code)
        .await?
        .ok_or_else(|| AppError::Internal("title vanished".into()))?;
    audit::record(
        &mut tx,
        actor,
        "create",
        "title",
        &t.code,
        None,
        Some(json!(title)),
    )
    .await?;
    tx.commit().await?;
    Ok(title)
}

/// Renames or (de)activates title `code` (upper-cased); what is not given stays. Its
/// organisation kind and level are fixed.
pub async fn update_title(
    db: &Db,
    actor: &Actor,
    code: &str,
    name_vi: Option<&str>,
    name_en: Option<&str>,
    active: Option<bool>,
) -> AppResult<Title> {
    let mut tx = db.begin().await?;
    let before = store::title(&mut tx, code)
        .await?
        .ok_or_else(|| AppError::not_found(crate::msg!(NoTitle, code = code)))?;
    let (name_vi, name_en) = title_names((&before.name_vi, &before.name_en), name_vi, name_en)?;
    let active = active.unwrap_or(before.active);
    store::update_title(&mut tx, before.id, &name_vi, &name_en, active).await?;
    let after = store::title(&mut tx, code)
        .await?
        .ok_or_else(|| AppError::Internal("title vanished".into()))?;
    audit::record(
        &mut tx,
        actor,
        "update",
        "title",
        code,
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The code of a title that exists (upper-cased), or a 404.
async fn existing_title(db: &Db, code: &str) -> AppResult<String> {
    let code = code.trim().to_uppercase();
    match store::title(db, &code).await? {
        Some(_) => Ok(code),
        None => Err(AppError::not_found(crate::msg!(NoTitle, code = code))),
    }
}

/// Every version of a title's standard, oldest first.
pub async fn versions(db: &Db, title_code: &str) -> AppResult<Vec<StandardVersion>> {
    let code = existing_title(db, title_code).await?;
    store::versions(db, &code).await
}

/// The version of a title's standard in force on day `d`.
pub async fn in_force(db: &Db, title_code: &str, d: NaiveDate) -> AppResult<StandardVersion> {
    let code = existing_title(db, title_code).await?;
    in_force_on(store::versions(db, &code).await?, d)
        .ok_or_else(|| AppError::not_found(crate::msg!(NoStandardInForce, code = code, date = d)))
}

/// Checks requirements in order (each normalised, then its scale and level or its module looked
/// up; a version in force from now on requires no retired module, `current`), then that none
/// repeats another; answers them normalised.
async fn check_requirements(
    tx: &mut Tx,
    reqs: &[Requirement],
    current: bool,
) -> AppResult<Vec<Requirement>> {
    if reqs.is_empty() {
        return Err(AppError::invalid(
            "requirements",
            crate::msg!(StandardNeedsRequirement),
        ));
    }
    if reqs.len() > 50 {
        return Err(AppError::invalid(
            "requirements",
            crate::msg!(TooManyRequirements, max = 50),
        ));
    }
    let mut out = Vec::with_capacity(reqs.len());
    for (i, r) in reqs.iter().enumerate() {
        let r = r.normalised(i)?;
        match &r {
            Requirement::MinLevel { scale, level } => {
                let fields = (
                    format!("requirements[{i}].scale"),
                    format!("requirements[{i}].level"),
                );
                crate::curriculum::store::check_level(
                    &mut *tx,
                    scale,
                    level,
                    (&fields.0, &fields.1),
                )
                .await?;
            }
            Requirement::Module { module, .. } => {
                match crate::curriculum::store::module_row(&mut *tx, module).await? {
                    None => {
                        return Err(AppError::invalid(
                            format!("requirements[{i}].module"),
                            crate::msg!(NoModule, code = module),
                        ))
                    }
                    Some(m) if current && !m.active => {
                        return Err(AppError::invalid(
                            format!("requirements[{i}].module"),
                            crate::msg!(ModuleRetired, code = module),
                        ))
                    }
                    Some(_) => {}
                }
            }
            Requirement::MaxAge { .. } | Requirement::MinPartyYears { .. } => {}
        }
        out.push(r);
    }
    check_duplicates(&out)?;
    Ok(out)
}

/// Publishes a new version of the standard of the title named `code` (as given in the path),
/// in force from `effective_from` (one version per day: 409); earlier versions never change.
/// The note is already checked; the publisher is the actor. A version in force on `today` or
/// later requires no retired module (422 naming the requirement's module).
pub async fn publish(
    db: &Db,
    actor: &Actor,
    code: &str,
    effective_from: NaiveDate,
    note: &str,
    requirements: &[Requirement],
    today: NaiveDate,
) -> AppResult<StandardVersion> {
    let mut tx = db.begin().await?;
    let title = store::title(&mut tx, &code.trim().to_uppercase())
        .await?
        .ok_or_else(|| AppError::not_found(crate::msg!(NoTitle, code = code)))?;
    // A retroactive version that a later one replaced by today is history: it may name a module
    // retired since, as the standard then did.
    let current = !store::superseded_by_today(&mut tx, title.id, effective_from, today).await?;
    let reqs = check_requirements(&mut tx, requirements, current).await?;
    if store::has_version_on(&mut tx, title.id, effective_from).await? {
        return Err(AppError::conflict(
            Some("effective_from"),
            crate::msg!(VersionInForce, code = title.code, date = effective_from),
        ));
    }
    let version = store::publish(
        &mut tx,
        title.id,
        effective_from,
        note.trim(),
        &actor.username,
        &reqs,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        "publish",
        "standard",
        &format!("{}#{version}", title.code),
        None,
        Some(json!({"effective_from": effective_from, "requirements": reqs})),
    )
    .await?;
    tx.commit().await?;
    store::versions(db, &title.code)
        .await?
        .into_iter()
        .find(|v| v.version == version)
        .ok_or_else(|| AppError::Internal("standard vanished".into()))
}
