//! The audit-log viewer (admin only).

use chrono::{DateTime, NaiveDate, Utc};
use rocket::serde::json::Json;
use rocket::{get, routes, Route, State};
use serde::Serialize;
use utoipa::ToSchema;

use super::store::{self, AuditEntry, AuditFilter};
use crate::api::PageParams;
use crate::auth::AdminUser;
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::shared::clock::Clock;
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![list_audit]
}

/// Parses a time bound: RFC 3339, or a date (the start of that day in the city).
fn parse_time(field: &str, raw: Option<&str>, clock: &Clock) -> AppResult<Option<DateTime<Utc>>> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    if let Some(d) = s
        .parse::<NaiveDate>()
        .ok()
        .filter(|_| crate::api::text::is_iso_day(s))
    {
        return Ok(Some(clock.start_of(d)));
    }
    Err(AppError::invalid(
        field,
        crate::msg!(NotADate, field = field, value = s),
    ))
}

/// A page of the audit trail. The trail only grows, so its matches are counted up to 10,000
/// past the page's start (`audit::store::COUNT_AHEAD`): beyond that, `total` says "at least".
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Entries matching the filters: all of them when `total_exact`, else at least this many.
    pub total: i64,
    /// Whether `total` counts every match.
    pub total_exact: bool,
    /// Rows per page.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
    /// This page.
    pub items: Vec<AuditEntry>,
}

/// A filter's text, given and not blank, checked as every text a client sends is (no NUL, no
/// control character or direction override, not only invisible characters: 422 naming it).
fn non_empty(field: &str, s: Option<&str>) -> AppResult<Option<String>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => {
            crate::api::text::check(field, s)?;
            Ok(Some(s.to_owned()))
        }
        None => Ok(None),
    }
}

/// The audit trail, newest first, filtered by entity, record, user and time. Admin only. The
/// total is exact up to 10,000 matches past the page's start, a lower bound beyond
/// (`total_exact`).
#[utoipa::path(tag = "audit", security(("bearer" = [])),
    params(("entity" = Option<String>, Query, description = "Kind of record, e.g. account, unit"),
           ("entity_id" = Option<String>, Query, description = "Id or code of the record"),
           ("actor" = Option<String>, Query, description = "Username who made the change"),
           ("from" = Option<String>, Query, description = "At or after (a city date, or RFC 3339)"),
           ("to" = Option<String>, Query, description = "Before (a city date, or RFC 3339)"),
           ("limit" = Option<i64>, Query, description = "1–500, default 50"),
           ("offset" = Option<i64>, Query, description = "Rows to skip")),
    responses((status = 200, body = AuditPage), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/audit?<entity>&<entity_id>&<actor>&<from>&<to>&<limit>&<offset>")]
#[allow(clippy::too_many_arguments)]
pub async fn list_audit(
    state: &State<AppState>,
    _admin: AdminUser,
    entity: Option<&str>,
    entity_id: Option<&str>,
    actor: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> AppResult<Json<AuditPage>> {
    let page = PageParams::parse(limit, offset)?;
    let filter = AuditFilter {
        entity: non_empty("entity", entity)?,
        entity_id: non_empty("entity_id", entity_id)?,
        actor: non_empty("actor", actor)?.map(|a| a.to_lowercase()),
        from: parse_time("from", from, &state.clock)?,
        to: parse_time("to", to, &state.clock)?,
    };
    crate::api::window(filter.from, filter.to)?;
    let (counted, items) = store::list(&state.db, &filter, page).await?;
    Ok(Json(AuditPage {
        total: counted.total,
        total_exact: counted.exact,
        limit: page.limit,
        offset: page.offset,
        items,
    }))
}
