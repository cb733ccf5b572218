//! HTTP routes of the unit tree.

use chrono::NaiveDate;
use rocket::data::Data;
use rocket::serde::json::Json;
use rocket::{get, patch, post, routes, Route, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::domain::{parse_code, plan_import, UnitKind, UnitRow};
use super::import::{self, ImportOptions, ImportReport};
use super::store::{self, UnitHistoryEntry, UnitRecord, UnitView};
use crate::api::{parse_opt, JsonBody};
use crate::audit;
use crate::auth::{AdminUser, AuthUser, Scope};
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![
        list_units,
        get_unit,
        children,
        import_units,
        import_successors,
        create_unit,
        update_unit,
        retire_unit
    ]
}

/// A unit with its breadcrumb and history.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDetail {
    /// The unit (as of `as_of` when asked).
    #[serde(flatten)]
    pub unit: UnitView,
    /// Ancestors, root first (the breadcrumb).
    pub ancestors: Vec<UnitView>,
    /// Number of live children.
    pub child_count: i64,
    /// The successor after a merger.
    pub successor: Option<UnitView>,
    /// Earlier names, kinds and parents, oldest first.
    pub history: Vec<UnitHistoryEntry>,
}

/// A list of units.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitList {
    /// The units.
    pub items: Vec<UnitListItem>,
}

/// A unit in a list, with its live child count.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitListItem {
    /// The unit.
    #[serde(flatten)]
    pub unit: UnitView,
    /// Number of live children.
    pub child_count: i64,
}

async fn with_counts(state: &AppState, rows: Vec<UnitRecord>) -> AppResult<Json<UnitList>> {
    let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    let counts = store::child_counts(&state.db, &codes).await?;
    Ok(Json(UnitList {
        items: rows
            .iter()
            .map(|r| UnitListItem {
                unit: r.into(),
                child_count: counts.get(&r.code).copied().unwrap_or(0),
            })
            .collect(),
    }))
}

/// Searches units by name without diacritics, or lists the top of the caller's tree.
///
/// `q=tan dinh` finds `Phường Tân Định`. Without `q`: the roots (for officers and cadres,
/// their home unit).
#[utoipa::path(tag = "units", security(("bearer" = [])),
    params(("q" = Option<String>, Query, description = "Name (diacritics optional) or exact code"),
           ("limit" = Option<i64>, Query, description = "At most this many (1–200, default 20)")),
    responses((status = 200, body = UnitList), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/units?<q>&<limit>")]
pub async fn list_units(
    state: &State<AppState>,
    user: AuthUser,
    q: Option<&str>,
    limit: Option<&str>,
) -> AppResult<Json<UnitList>> {
    let q = crate::api::query::text_opt("q", q, 100)?;
    let scope = user.scope()?;
    let limit = parse_opt::<i64>("limit", limit)?.unwrap_or(20);
    if !(1..=200).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            "limit must be between 1 and 200",
        ));
    }
    let rows = match q.map(str::trim).filter(|s| !s.is_empty()) {
        Some(q) => {
            if q.chars().count() > 100 {
                return Err(AppError::invalid(
                    "q",
                    "the search text is longer than 100 characters",
                ));
            }
            store::search(&state.db, q, &scope, limit).await?
        }
        None => match &scope {
            Scope::All => store::roots(&state.db).await?,
            Scope::Subtree { code, .. } | Scope::Own { code, .. } => {
                store::get(&state.db, code).await?.into_iter().collect()
            }
        },
    };
    with_counts(state, rows).await
}

/// Reads a unit the caller may see: inside their subtree, or an ancestor of it (breadcrumb).
async fn visible_unit(state: &AppState, user: &AuthUser, code: &str) -> AppResult<UnitRecord> {
    let code = parse_code("code", code)
        .map_err(|_| AppError::not_found(format!("no unit with code {code}")))?;
    let unit = store::require(&state.db, &code).await?;
    let scope = user.scope()?;
    if !scope.contains_path(&unit.path) && !scope.is_ancestor_path(&unit.path) {
        scope.check_path(&unit.path)?;
    }
    Ok(unit)
}

/// A unit with its ancestors (breadcrumb), successor and history; `as_of` gives the name,
/// kind, parent, depth, ancestors and number of children it had on that date.
#[utoipa::path(tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, description = "Official unit code"),
           ("as_of" = Option<String>, Query, description = "A date (YYYY-MM-DD)")),
    responses((status = 200, body = UnitDetail), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
#[get("/api/units/<code>?<as_of>")]
pub async fn get_unit(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
    as_of: Option<&str>,
) -> AppResult<Json<UnitDetail>> {
    let as_of = parse_opt::<NaiveDate>("as_of", as_of)?;
    let unit = visible_unit(state, &user, code).await?;
    let mut ancestors: Vec<UnitView> = store::ancestors(&state.db, &unit)
        .await?
        .iter()
        .map(UnitView::from)
        .collect();
    let history = store::history(&state.db, &unit.code).await?;
    let mut child_count = store::child_counts(&state.db, &[unit.code.as_str()])
        .await?
        .get(&unit.code)
        .copied()
        .unwrap_or(0);
    let successor = match &unit.successor_code {
        Some(s) => store::get(&state.db, s).await?.map(|r| UnitView::from(&r)),
        None => None,
    };
    let mut view = UnitView::from(&unit);
    if let Some(d) = as_of {
        if let Some(h) = history.iter().find(|h| h.valid_until > d) {
            view.name = h.name.clone();
            view.kind = h.kind.clone();
            view.parent_code = h.parent_code.clone();
        }
        if view.retired_on.is_some_and(|r| r > d) {
            view.retired_on = None;
            view.successor_code = None;
        }
        // On a day the unit existed, its depth and ancestors are those of that day's tree.
        if let Some(p) = store::period_on(&state.db, &unit.code, d)
            .await?
            .filter(|p| p.status == "live")
        {
            view.depth = p.depth;
            let codes = crate::shared::tree::path_codes(&p.path);
            let mut then = vec![];
            for c in &codes[..codes.len().saturating_sub(1)] {
                if let Some(a) = store::period_on(&state.db, c, d).await? {
                    then.push(UnitView::from(&a));
                }
            }
            ancestors = then;
        }
        child_count = store::child_count_on(&state.db, &unit.code, d).await?;
    }
    Ok(Json(UnitDetail {
        unit: view,
        ancestors,
        child_count,
        successor,
        history,
    }))
}

/// The children of a unit, by name (retired ones with `include_retired=true`).
#[utoipa::path(tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, description = "Official unit code"),
           ("include_retired" = Option<bool>, Query, description = "Also list retired units")),
    responses((status = 200, body = UnitList), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
#[get("/api/units/<code>/children?<include_retired>")]
pub async fn children(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
    include_retired: Option<&str>,
) -> AppResult<Json<UnitList>> {
    let include_retired = parse_opt::<bool>("include_retired", include_retired)?.unwrap_or(false);
    let unit = visible_unit(state, &user, code).await?;
    user.scope()?.check_path(&unit.path)?;
    let rows = store::children(&state.db, &unit.code, include_retired).await?;
    with_counts(state, rows).await
}

/// Loads a `code,name,kind,parent_code` CSV (the statistics-office files). Idempotent;
/// every row valid or nothing written. Admin only.
#[utoipa::path(tag = "units", security(("bearer" = [])),
    params(("root" = Option<String>, Query, description = "Only this unit's subtree, e.g. 79"),
           ("retire_missing" = Option<bool>, Query, description = "Retire units under the root that the file omits"),
           ("effective" = Option<String>, Query, description = "Date the structure takes effect (default today)")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorEnvelope),
              (status = 413, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post(
    "/api/units/import?<root>&<retire_missing>&<effective>",
    data = "<data>"
)]
pub async fn import_units(
    state: &State<AppState>,
    user: AdminUser,
    root: Option<&str>,
    retire_missing: Option<&str>,
    effective: Option<&str>,
    data: Data<'_>,
) -> AppResult<Json<ImportReport>> {
    let opts = ImportOptions {
        root: root
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|r| parse_code("root", r))
            .transpose()?,
        retire_missing: parse_opt::<bool>("retire_missing", retire_missing)?.unwrap_or(false),
        effective: parse_opt::<NaiveDate>("effective", effective)?,
    };
    let file = state.uploads.receive(data).await?;
    let report = import::run(
        &state.db,
        &user.actor(),
        file.bytes,
        &state.uploads.limits,
        &opts,
        state.clock.today(),
    )
    .await?;
    Ok(Json(report))
}

/// Loads a succession table (`old_code,…,new_code,…,part,effective,main`, e.g.
/// `data/units/unit-successors-2025-hcmc.csv`): records each retired unit's successors, retires old
/// units the table hands to another code, and moves every cadre, title assignment, planned
/// successor and account still attached to a retired unit to its main successor as a dated move.
/// Answers what moved and which units now have two holders of one title. Idempotent; every row
/// valid or nothing written; `dry_run=true` answers the same and writes nothing. Admin only.
#[utoipa::path(tag = "units", security(("bearer" = [])),
    params(("dry_run" = Option<bool>, Query, description = "Check and preview only")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = crate::units::successors::SuccessorReport), (status = 403, body = ErrorEnvelope),
              (status = 413, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/units/successors/import?<dry_run>", data = "<data>")]
pub async fn import_successors(
    state: &State<AppState>,
    user: AdminUser,
    dry_run: Option<&str>,
    data: Data<'_>,
) -> AppResult<Json<crate::units::successors::SuccessorReport>> {
    let dry_run = parse_opt::<bool>("dry_run", dry_run)?.unwrap_or(false);
    let file = state.uploads.receive(data).await?;
    Ok(Json(
        crate::units::successors::run(
            &state.db,
            &user.actor(),
            file.bytes,
            state.uploads.limits,
            dry_run,
        )
        .await?,
    ))
}

/// A new unit, or the new state of one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitInput {
    /// Official code (1–10 digits); for an update it must match the path.
    pub code: Option<String>,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: UnitKind,
    /// Parent code (absent for a top-level unit).
    pub parent_code: Option<String>,
    /// Date the change takes effect (default today), for the unit's history.
    pub effective: Option<NaiveDate>,
}

async fn write_one(
    state: &AppState,
    user: &AdminUser,
    code: String,
    input: UnitInput,
    creating: bool,
) -> AppResult<Json<UnitView>> {
    let name = input.name.trim().to_string();
    if name.is_empty() || input.name.chars().count() > 200 {
        return Err(AppError::invalid(
            "name",
            "name must be 1 to 200 characters",
        ));
    }
    let parent_code = input
        .parent_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|p| parse_code("parent_code", p))
        .transpose()?;
    if parent_code.as_deref() == Some(code.as_str()) {
        return Err(AppError::invalid(
            "parent_code",
            "a unit cannot be its own parent",
        ));
    }
    let created_on = input.effective;
    let effective = input.effective.unwrap_or_else(|| state.clock.today());
    let mut tx = state.db.begin().await?;
    let existing = store::load_existing(&mut tx).await?;
    let before = existing.get(&code).cloned();
    match (&before, creating) {
        (Some(_), true) => {
            return Err(AppError::conflict(
                Some("code"),
                format!("unit {code} already exists"),
            ))
        }
        (None, false) => return Err(AppError::not_found(format!("no unit with code {code}"))),
        _ => {}
    }
    if let Some(p) = &parent_code {
        if !existing.contains_key(p) {
            return Err(AppError::invalid(
                "parent_code",
                format!("no unit with code {p}"),
            ));
        }
    }
    let row = UnitRow {
        line: 1,
        code: code.clone(),
        name,
        kind: input.kind,
        parent_code,
    };
    let plan =
        plan_import(std::slice::from_ref(&row), &existing, None, false).map_err(|e| match e {
            AppError::Validation { .. } => AppError::invalid(
                "parent_code",
                "the new parent would put the unit under itself",
            ),
            other => other,
        })?;
    store::apply_plan(&mut tx, &plan, effective, created_on).await?;
    store::rebuild_periods(&mut tx).await?;
    let after = store::get(&mut tx, &code)
        .await?
        .ok_or_else(|| AppError::Internal("unit vanished".into()))?;
    let view = UnitView::from(&after);
    audit::record(
        &mut tx,
        &user.actor(),
        if creating { "create" } else { "update" },
        "unit",
        &code,
        before.map(|b| json!({"name": b.name, "kind": b.kind, "parent_code": b.parent_code})),
        Some(json!({"name": view.name, "kind": view.kind, "parent_code": view.parent_code})),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(view))
}

/// Creates one unit. Admin only.
#[utoipa::path(tag = "units", security(("bearer" = [])), request_body = UnitInput,
    responses((status = 200, body = UnitView), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/units", data = "<body>")]
pub async fn create_unit(
    state: &State<AppState>,
    user: AdminUser,
    body: JsonBody<UnitInput>,
) -> AppResult<Json<UnitView>> {
    let input = body.into_inner();
    let code = parse_code("code", input.code.as_deref().unwrap_or(""))?;
    write_one(state, &user, code, input, true).await
}

/// Renames, re-kinds or moves one unit (its subtree moves with it); the old state goes to history. Admin only.
#[utoipa::path(tag = "units", security(("bearer" = [])), request_body = UnitInput,
    params(("code" = String, Path, description = "Official unit code")),
    responses((status = 200, body = UnitView), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[patch("/api/units/<code>", data = "<body>")]
pub async fn update_unit(
    state: &State<AppState>,
    user: AdminUser,
    code: &str,
    body: JsonBody<UnitInput>,
) -> AppResult<Json<UnitView>> {
    let input = body.into_inner();
    let code = parse_code("code", code)
        .map_err(|_| AppError::not_found(format!("no unit with code {code}")))?;
    if let Some(c) = &input.code {
        if c.trim() != code {
            return Err(AppError::invalid(
                "code",
                "the code of a unit cannot change; create a new unit and retire this one",
            ));
        }
    }
    write_one(state, &user, code, input, false).await
}

/// Retiring a unit (a merger).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireInput {
    /// The unit that takes over (optional).
    pub successor_code: Option<String>,
    /// Date of the merger.
    pub retired_on: NaiveDate,
}

/// Retires (merges) a unit into a successor; the unit keeps its code, name and history so
/// old records still resolve it. Admin only.
#[utoipa::path(tag = "units", security(("bearer" = [])), request_body = RetireInput,
    params(("code" = String, Path, description = "Official unit code")),
    responses((status = 200, body = UnitView), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/units/<code>/retire", data = "<body>")]
pub async fn retire_unit(
    state: &State<AppState>,
    user: AdminUser,
    code: &str,
    body: JsonBody<RetireInput>,
) -> AppResult<Json<UnitView>> {
    let input = body.into_inner();
    let mut tx = state.db.begin().await?;
    let unit = store::get(&mut tx, code.trim())
        .await?
        .ok_or_else(|| AppError::not_found(format!("no unit with code {code}")))?;
    // A unit retired by an import (no successor yet) may still be given its successor.
    if let (Some(on), Some(_)) = (unit.retired_on, &unit.successor_code) {
        return Err(AppError::conflict(
            None,
            format!("unit {} was already merged on {on}", unit.code),
        ));
    }
    let successor = match input
        .successor_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => {
            if s == unit.code {
                return Err(AppError::invalid(
                    "successor_code",
                    "a unit cannot succeed itself",
                ));
            }
            let succ = store::get(&mut tx, s).await?.ok_or_else(|| {
                AppError::invalid("successor_code", format!("no unit with code {s}"))
            })?;
            if succ.retired_on.is_some() {
                return Err(AppError::invalid(
                    "successor_code",
                    format!("unit {s} is itself retired"),
                ));
            }
            Some(succ.code)
        }
    };
    store::retire(&mut tx, &unit.code, successor.as_deref(), input.retired_on).await?;
    store::rebuild_periods(&mut tx).await?;
    let after = store::get(&mut tx, &unit.code)
        .await?
        .ok_or_else(|| AppError::Internal("unit vanished".into()))?;
    audit::record(
        &mut tx,
        &user.actor(),
        "retire",
        "unit",
        &unit.code,
        Some(json!({"retired_on": unit.retired_on, "successor_code": unit.successor_code})),
        Some(json!({"retired_on": input.retired_on, "successor_code": successor})),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(UnitView::from(&after)))
}
