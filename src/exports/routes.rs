//! HTTP routes of exports.

use chrono::NaiveDate;
use rocket::{get, routes, Route, State};

use super::sources::{ExportFilter, Source, What};
use super::{csv, xlsx, Streamed};
use crate::api::parse_opt;
use crate::auth::{AuthUser, Role, Scope};
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::shared::download::{parse_format, ExportFormat};
use crate::standards::domain::Organisation;
use crate::state::AppState;
use crate::units;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![export_cadres, export_completions, export_classes]
}

/// Staff and officers export; a cadre account has only its own record (see `/api/me`).
fn export_scope(user: &AuthUser) -> AppResult<Scope> {
    if user.role == Role::Cadre {
        return Err(AppError::Forbidden(
            "exports are for staff and unit officers".into(),
        ));
    }
    user.scope()
}

async fn unit_range(
    state: &AppState,
    scope: &Scope,
    unit: Option<&str>,
) -> AppResult<Option<(String, String)>> {
    let Some(code) = unit.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let u = units::store::get(&state.db, code)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no unit with code {code}")))?;
    scope.check_path(&u.path)?;
    Ok(Some(crate::shared::tree::subtree_range(&u.path)))
}

async fn send(
    state: &AppState,
    source: Source,
    format: ExportFormat,
    stem: &str,
) -> AppResult<Streamed> {
    match format {
        ExportFormat::Csv => csv(state.db.clone(), source, stem).await,
        ExportFormat::Xlsx => xlsx(state.db.clone(), source, stem).await,
    }
}

fn day(name: &str, raw: Option<&str>) -> AppResult<Option<NaiveDate>> {
    parse_opt::<NaiveDate>(name, raw)
}

/// The roster in the cadre import's columns (Vietnamese headers), sorted the Vietnamese way; it
/// re-imports as it is. Title and plan: the current ones.
#[utoipa::path(tag = "exports", security(("bearer" = [])),
    params(("format" = Option<String>, Query, description = "csv (default) or xlsx"),
           ("unit" = Option<String>, Query, description = "Only this unit's subtree"),
           ("q" = Option<String>, Query, description = "Name contains (diacritics optional)"),
           ("organisation" = Option<Organisation>, Query, description = "Only this organisation"),
           ("active" = Option<bool>, Query, description = "Active flag")),
    responses((status = 200, description = "The file, streamed"), (status = 403, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope)))]
#[get("/api/exports/cadres?<format>&<unit>&<q>&<organisation>&<active>")]
#[allow(clippy::too_many_arguments)]
pub async fn export_cadres(
    state: &State<AppState>,
    user: AuthUser,
    format: Option<&str>,
    unit: Option<&str>,
    q: Option<&str>,
    organisation: Option<&str>,
    active: Option<&str>,
) -> AppResult<Streamed> {
    let q = crate::api::query::text_opt("q", q, 100)?;
    let scope = export_scope(&user)?;
    let format = parse_format(Some(format.unwrap_or("csv")))?;
    let organisation = match organisation.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(o) => Some(
            Organisation::parse(o)
                .ok_or_else(|| {
                    AppError::invalid("organisation", format!("unknown organisation {o:?}"))
                })?
                .as_str()
                .to_string(),
        ),
    };
    let filter = ExportFilter {
        unit_range: unit_range(state, &scope, unit).await?,
        q: match q.map(str::trim).filter(|s| !s.is_empty()) {
            Some(q) if q.chars().count() > 100 => {
                return Err(AppError::invalid(
                    "q",
                    "the search text is longer than 100 characters",
                ))
            }
            other => other.map(String::from),
        },
        organisation,
        active: parse_opt::<bool>("active", active)?,
        ..Default::default()
    };
    let source = Source {
        what: What::Cadres,
        scope,
        filter,
        today: state.clock.today(),
    };
    send(state, source, format, "cadres").await
}

/// Completions (class and historical), with certificate numbers and revocations.
#[utoipa::path(tag = "exports", security(("bearer" = [])),
    params(("format" = Option<String>, Query, description = "csv (default) or xlsx"),
           ("unit" = Option<String>, Query, description = "Only cadres of this unit's subtree"),
           ("module" = Option<String>, Query, description = "Only this module code"),
           ("from" = Option<String>, Query, description = "Completed on or after"),
           ("to" = Option<String>, Query, description = "Completed on or before")),
    responses((status = 200, description = "The file, streamed"), (status = 403, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope)))]
#[get("/api/exports/completions?<format>&<unit>&<module>&<from>&<to>")]
pub async fn export_completions(
    state: &State<AppState>,
    user: AuthUser,
    format: Option<&str>,
    unit: Option<&str>,
    module: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Streamed> {
    let scope = export_scope(&user)?;
    let format = parse_format(Some(format.unwrap_or("csv")))?;
    let filter = ExportFilter {
        unit_range: unit_range(state, &scope, unit).await?,
        module: module
            .map(|m| m.trim().to_uppercase())
            .filter(|m| !m.is_empty()),
        from: day("from", from)?,
        to: day("to", to)?,
        ..Default::default()
    };
    let source = Source {
        what: What::Completions,
        scope,
        filter,
        today: state.clock.today(),
    };
    send(state, source, format, "completions").await
}

/// Classes with their enrolments (one row per enrolment; officers see only their subtree's cadres).
#[utoipa::path(tag = "exports", security(("bearer" = [])),
    params(("format" = Option<String>, Query, description = "csv (default) or xlsx"),
           ("module" = Option<String>, Query, description = "Only this module code"),
           ("status" = Option<String>, Query, description = "planned, open, running, finished or cancelled"),
           ("from" = Option<String>, Query, description = "Enrolment opens on or after"),
           ("to" = Option<String>, Query, description = "Enrolment opens on or before")),
    responses((status = 200, description = "The file, streamed"), (status = 403, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope)))]
#[get("/api/exports/classes?<format>&<module>&<status>&<from>&<to>")]
pub async fn export_classes(
    state: &State<AppState>,
    user: AuthUser,
    format: Option<&str>,
    module: Option<&str>,
    status: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Streamed> {
    let scope = export_scope(&user)?;
    let format = parse_format(Some(format.unwrap_or("csv")))?;
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) if ["planned", "open", "running", "finished", "cancelled"].contains(&s) => {
            Some(s.to_string())
        }
        Some(_) => {
            return Err(AppError::invalid(
                "status",
                "status must be planned, open, running, finished or cancelled",
            ))
        }
    };
    let filter = ExportFilter {
        module: module
            .map(|m| m.trim().to_uppercase())
            .filter(|m| !m.is_empty()),
        status,
        from: day("from", from)?,
        to: day("to", to)?,
        ..Default::default()
    };
    let source = Source {
        what: What::Classes,
        scope,
        filter,
        today: state.clock.today(),
    };
    send(state, source, format, "classes").await
}
