//! HTTP routes of exports: parse the filters, then `service` streams the file.

use rocket::{get, routes, FromForm, Route, State};

use super::service::{day, export_scope, send, unit_range};
use super::sources::{ExportFilter, Source, What};
use super::Streamed;
use crate::api::parse_opt;
use crate::auth::AuthUser;
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::shared::download::parse_format;
use crate::standards::domain::Organisation;
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![export_cadres, export_completions, export_classes]
}

/// The cadre export's query, as sent (each value parsed by the handler, naming it when wrong).
#[derive(Debug, FromForm)]
pub struct CadreExportQuery<'r> {
    /// `csv` (default) or `xlsx`.
    pub format: Option<&'r str>,
    /// Only this unit's subtree.
    pub unit: Option<&'r str>,
    /// Name contains.
    pub q: Option<&'r str>,
    /// Only this organisation.
    pub organisation: Option<&'r str>,
    /// Active flag.
    pub active: Option<&'r str>,
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
#[get("/api/exports/cadres?<query..>")]
pub async fn export_cadres(
    state: &State<AppState>,
    user: AuthUser,
    query: CadreExportQuery<'_>,
) -> AppResult<Streamed> {
    let CadreExportQuery {
        format,
        unit,
        q,
        organisation,
        active,
    } = query;
    let q = crate::api::query::text_opt("q", q, 100)?;
    let scope = export_scope(&user)?;
    let format = parse_format(Some(format.unwrap_or("csv")))?;
    let organisation = match organisation.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(o) => Some(
            Organisation::parse(o)
                .ok_or_else(|| {
                    AppError::invalid("organisation", crate::msg!(UnknownOrganisation, value = o))
                })?
                .as_str()
                .to_string(),
        ),
    };
    let filter = ExportFilter {
        unit_range: unit_range(&state.db, &scope, unit).await?,
        q: match q.map(str::trim).filter(|s| !s.is_empty()) {
            Some(q) if q.chars().count() > 100 => {
                return Err(AppError::invalid(
                    "q",
                    crate::msg!(SearchTooLong, max = 100),
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
    send(&state.db, source, format, "cadres").await
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
        unit_range: unit_range(&state.db, &scope, unit).await?,
        module: crate::curriculum::service::module_filter(&state.db, module).await?,
        from: day("from", from)?,
        to: day("to", to)?,
        ..Default::default()
    };
    crate::api::window(filter.from, filter.to)?;
    let source = Source {
        what: What::Completions,
        scope,
        filter,
        today: state.clock.today(),
    };
    send(&state.db, source, format, "completions").await
}

/// Classes with their enrolments (one row per enrolment; officers see only the published classes
/// and their subtree's cadres).
#[utoipa::path(tag = "exports", security(("bearer" = [])),
    params(("format" = Option<String>, Query, description = "csv (default) or xlsx"),
           ("module" = Option<String>, Query, description = "Only this module code"),
           ("status" = Option<String>, Query, description = "planned, open, running, finished or cancelled"),
           ("from" = Option<String>, Query, description = "Enrolment opens on or after"),
           ("to" = Option<String>, Query, description = "Enrolment opens on or before"),
           ("lang" = Option<String>, Query, description = "vi (default) or en: the headers and the statuses")),
    responses((status = 200, description = "The file, streamed"), (status = 403, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope)))]
#[allow(clippy::too_many_arguments)]
#[get("/api/exports/classes?<format>&<module>&<status>&<from>&<to>&<lang>")]
pub async fn export_classes(
    state: &State<AppState>,
    user: AuthUser,
    format: Option<&str>,
    module: Option<&str>,
    status: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    lang: Option<&str>,
) -> AppResult<Streamed> {
    let english = crate::reasons::Lang::from_query(lang)? == crate::reasons::Lang::En;
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
                crate::msg!(
                    OneOf,
                    field = "status",
                    values = "planned, open, running, finished, cancelled"
                ),
            ))
        }
    };
    let filter = ExportFilter {
        module: crate::curriculum::service::module_filter(&state.db, module).await?,
        status,
        from: day("from", from)?,
        to: day("to", to)?,
        english,
        // As `GET /api/classes/<code>`: only the school and the commission see unpublished ones.
        published_only: !crate::classes::service::is_staff(&user),
        ..Default::default()
    };
    crate::api::window(filter.from, filter.to)?;
    let source = Source {
        what: What::Classes,
        scope,
        filter,
        today: state.clock.today(),
    };
    send(&state.db, source, format, "classes").await
}
