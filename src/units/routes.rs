//! HTTP routes of the unit tree: each parses its request, calls one `service` function and
//! answers its result.

use chrono::NaiveDate;
use rocket::data::Data;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, patch, post, routes, Route, State};
use serde::Deserialize;
use utoipa::ToSchema;

use super::domain::{parse_code, UnitCode, UnitFields, UnitKind, UnitView};
use super::import::{ImportOptions, ImportReport};
use super::service::{self, UnitDetail, UnitList};
use super::successors::SuccessorReport;
use crate::api::{parse_opt, JsonBody};
use crate::auth::{AdminUser, AuthUser};
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
            crate::msg!(Between, field = "limit", min = 1, max = 200),
        ));
    }
    let q = q.map(str::trim).filter(|s| !s.is_empty());
    if q.is_some_and(|q| q.chars().count() > 100) {
        return Err(AppError::invalid(
            "q",
            crate::msg!(SearchTooLong, max = 100),
        ));
    }
    Ok(Json(service::list(&state.db, &scope, q, limit).await?))
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
    let code = UnitCode::in_path(code)?;
    Ok(Json(service::detail(&state.db, &user, &code, as_of).await?))
}

/// The children of a unit, by name (retired ones with `include_retired=true`).
#[utoipa::path(tag = "units", security(("bearer" = [])),
    params(("code" = String, Path, description = "Official unit code"),
           ("include_retired" = Option<bool>, Query, description = "Also list retired units")),
    responses((status = 200, body = UnitList), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope)))]
#[get("/api/units/<code>/children?<include_retired>")]
pub async fn children(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
    include_retired: Option<&str>,
) -> AppResult<Json<UnitList>> {
    let include_retired = crate::api::flag("include_retired", include_retired)?;
    let code = UnitCode::in_path(code)?;
    Ok(Json(
        service::children(&state.db, &user, &code, include_retired).await?,
    ))
}

/// Loads a `code,name,kind,parent_code` CSV (the statistics-office files). Idempotent;
/// every row valid or nothing written. Admin only.
#[utoipa::path(tag = "units", security(("bearer" = [])),
    params(("root" = Option<String>, Query, description = "Only this unit's subtree, e.g. 79"),
           ("retire_missing" = Option<bool>, Query, description = "Retire units under the root that the file omits"),
           ("effective" = Option<String>, Query, description = "Date the structure takes effect (default today)"),
           ("dry_run" = Option<bool>, Query, description = "Check and preview only: nothing written")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorEnvelope),
              (status = 413, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post(
    "/api/units/import?<root>&<retire_missing>&<effective>&<dry_run>",
    data = "<data>"
)]
pub async fn import_units(
    state: &State<AppState>,
    user: AdminUser,
    root: Option<&str>,
    retire_missing: Option<&str>,
    effective: Option<&str>,
    dry_run: Option<&str>,
    data: Data<'_>,
) -> AppResult<Json<ImportReport>> {
    let opts = ImportOptions {
        root: root
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|r| parse_code("root", r))
            .transpose()?,
        retire_missing: crate::api::flag("retire_missing", retire_missing)?,
        effective: parse_opt::<NaiveDate>("effective", effective)?,
        dry_run: crate::api::flag("dry_run", dry_run)?,
    };
    // The import changes the current tree (names, paths, the officers' scope) at once.
    if let Some(day) = opts.effective {
        crate::shared::clock::not_after_today("effective", day, state.clock.today())?;
    }
    let file = state.uploads.receive(data).await?;
    let report = service::import_units(
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
    responses((status = 200, body = SuccessorReport), (status = 403, body = ErrorEnvelope),
              (status = 413, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/units/successors/import?<dry_run>", data = "<data>")]
pub async fn import_successors(
    state: &State<AppState>,
    user: AdminUser,
    dry_run: Option<&str>,
    data: Data<'_>,
) -> AppResult<Json<SuccessorReport>> {
    let dry_run = crate::api::flag("dry_run", dry_run)?;
    let file = state.uploads.receive(data).await?;
    Ok(Json(
        service::import_successors(
            &state.db,
            &user.actor(),
            file.bytes,
            state.uploads.limits,
            dry_run,
            Some(state.clock.today()),
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
    /// Date the change takes effect (default today, the city's): for a new unit, the day it comes into
    /// being (no one is placed there, and no report shows it, before); for an update, the day
    /// the old state goes to history.
    pub effective: Option<NaiveDate>,
}

impl UnitInput {
    /// The checked fields for unit `code`.
    fn fields(&self, code: &UnitCode) -> AppResult<UnitFields> {
        UnitFields::parse(
            code,
            &self.name,
            self.kind,
            self.parent_code.as_deref(),
            self.effective,
        )
    }
}

/// Creates one unit (201). Admin only.
#[utoipa::path(tag = "units", security(("bearer" = [])), request_body = UnitInput,
    responses((status = 201, body = UnitView), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/units", data = "<body>")]
pub async fn create_unit(
    state: &State<AppState>,
    user: AdminUser,
    body: JsonBody<UnitInput>,
) -> AppResult<(Status, Json<UnitView>)> {
    let input = body.into_inner();
    let code = UnitCode::parse("code", input.code.as_deref().unwrap_or(""))?;
    let fields = input.fields(&code)?;
    let today = state.clock.today();
    let created = service::create(&state.db, &user.actor(), &code, fields, today).await?;
    Ok((Status::Created, Json(created)))
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
    let code = UnitCode::in_path(code)?;
    code.check_unchanged(input.code.as_deref())?;
    let fields = input.fields(&code)?;
    let today = state.clock.today();
    Ok(Json(
        service::update(&state.db, &user.actor(), &code, fields, today).await?,
    ))
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
/// old records still resolve it. With a successor, what is still attached to the unit (cadres,
/// their unit periods, titles held and planned, accounts) moves to it on the day, as the
/// succession table's import does. Admin only.
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
    Ok(Json(
        service::retire(
            &state.db,
            &user.actor(),
            code,
            input.successor_code.as_deref(),
            input.retired_on,
            state.clock.today(),
        )
        .await?,
    ))
}
