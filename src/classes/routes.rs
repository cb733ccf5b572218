//! HTTP routes of classes: create with sessions, list, read, reschedule. (A class's edit is served
//! by `enrolments`: its seats and waitlist follow the capacity; its status change by `completions`:
//! finishing records the completions.) The rules and transactions are in `service`.

use chrono::NaiveDate;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, put, routes, Route, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::domain::{ClassStatus, SessionInput};
use super::service::{self, ClassInput, ClassQuery, ClassView};
use crate::api::{parse_opt, JsonBody, PageParams};
use crate::auth::{AuthUser, SchoolStaff};
use crate::error::{AppResult, ErrorEnvelope};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![list_classes, get_class, create_class, replace_sessions,]
}

/// A list of classes: a page of them when `limit` or `offset` is given.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassList {
    /// Classes matching the filters (all pages).
    pub total: i64,
    /// Rows per page (without `limit` and `offset`: every class up to 1,000).
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
    /// The classes, soonest first.
    pub items: Vec<ClassView>,
}

/// Lists classes. Officers and cadres see open classes; staff filter by status (comma-separated),
/// module and a time window (`from`/`to` dates, city time). With `limit`/`offset`, a page of them
/// and the total; without, every class up to 1,000.
#[utoipa::path(tag = "classes", security(("bearer" = [])),
    params(("status" = Option<String>, Query, description = "Comma-separated statuses (staff only; others always get open classes)"),
           ("module" = Option<String>, Query, description = "Module code"),
           ("from" = Option<String>, Query, description = "Classes with a session on or after this date"),
           ("to" = Option<String>, Query, description = "Classes with a session before this date"),
           ("limit" = Option<i64>, Query, description = "1–500, default 50 when paging (without limit and offset: up to 1,000)"),
           ("offset" = Option<i64>, Query, description = "Rows to skip")),
    responses((status = 200, body = ClassList), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/classes?<status>&<module>&<from>&<to>&<limit>&<offset>")]
#[allow(clippy::too_many_arguments)]
pub async fn list_classes(
    state: &State<AppState>,
    user: AuthUser,
    status: Option<&str>,
    module: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> AppResult<Json<ClassList>> {
    let page = PageParams::asked(limit, offset)?;
    // Checked for every caller; a cadre and an officer see the open classes whatever they ask.
    let query = ClassQuery {
        statuses: ClassStatus::parse_list(status.unwrap_or(""))?,
        module_code: crate::curriculum::service::module_filter(&state.db, module).await?,
        from: parse_opt::<NaiveDate>("from", from)?,
        to: parse_opt::<NaiveDate>("to", to)?,
    };
    crate::api::window(query.from, query.to)?;
    let (total, items) = service::list(state, &user, query, page).await?;
    Ok(Json(ClassList {
        total,
        limit: page.map_or(super::store::UNPAGED_MAX, |p| p.limit),
        offset: page.map_or(0, |p| p.offset),
        items,
    }))
}

/// One class with its sessions and seat counts.
#[utoipa::path(tag = "classes", security(("bearer" = [])),
    params(("code" = String, Path, description = "Class code")),
    responses((status = 200, body = ClassView), (status = 404, body = ErrorEnvelope)))]
#[get("/api/classes/<code>")]
pub async fn get_class(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
) -> AppResult<Json<ClassView>> {
    Ok(Json(service::get(state, &user, code).await?))
}

/// Creates a class with its sessions (status `planned`). School staff or admin.
#[utoipa::path(tag = "classes", security(("bearer" = [])), request_body = ClassInput,
    responses((status = 201, body = ClassView), (status = 403, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/classes", data = "<body>")]
pub async fn create_class(
    state: &State<AppState>,
    user: SchoolStaff,
    body: JsonBody<ClassInput>,
) -> AppResult<(Status, Json<ClassView>)> {
    let view = service::create(state, &user.actor(), body.into_inner()).await?;
    Ok((Status::Created, Json(view)))
}

/// A new schedule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionsInput {
    /// All sessions of the class (replacing the old ones).
    pub sessions: Vec<SessionInput>,
}

/// Replaces a class's sessions, checking venues, instructors and the enrolled cadres' other
/// classes. A session with attendance stays at its times (else 409 naming `sessions`); the
/// others may move or go, as a session called off does; a running class takes no session added
/// or moved into the past (422 naming `sessions[i].starts_at`). School staff or admin.
#[utoipa::path(tag = "classes", security(("bearer" = [])), request_body = SessionsInput,
    params(("code" = String, Path, description = "Class code")),
    responses((status = 200, body = ClassView), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[put("/api/classes/<code>/sessions", data = "<body>")]
pub async fn replace_sessions(
    state: &State<AppState>,
    user: SchoolStaff,
    code: &str,
    body: JsonBody<SessionsInput>,
) -> AppResult<Json<ClassView>> {
    let input = body.into_inner();
    Ok(Json(
        service::reschedule(state, &user.actor(), code, &input.sessions).await?,
    ))
}
