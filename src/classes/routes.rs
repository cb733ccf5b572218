//! HTTP routes of classes: create with sessions, list, read, reschedule. (A class's edit is served
//! by `enrolments`: its seats and waitlist follow the capacity; its status change by `completions`:
//! finishing records the completions.)

use chrono::{NaiveDate, Utc};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, put, routes, Route, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::domain::{overlaps, parse_time, ClassStatus};
use super::service::{self, is_staff, visible, ClassView};
use super::store::{self, ClassFilter, SessionWrite};
use crate::api::JsonBody;
use crate::audit;
use crate::auth::{AuthUser, SchoolStaff};
use crate::curriculum;
use crate::db::Tx;
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::shared::clock::Clock;
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![list_classes, get_class, create_class, replace_sessions,]
}

/// A list of classes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassList {
    /// The classes, soonest first.
    pub items: Vec<ClassView>,
}

/// Lists classes. Officers and cadres see open classes; staff filter by status (comma-separated),
/// module and a time window (`from`/`to` dates, city time).
#[utoipa::path(tag = "classes", security(("bearer" = [])),
    params(("status" = Option<String>, Query, description = "Comma-separated statuses (staff only; others always get open classes)"),
           ("module" = Option<String>, Query, description = "Module code"),
           ("from" = Option<String>, Query, description = "Classes with a session on or after this date"),
           ("to" = Option<String>, Query, description = "Classes with a session before this date")),
    responses((status = 200, body = ClassList), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/classes?<status>&<module>&<from>&<to>")]
pub async fn list_classes(
    state: &State<AppState>,
    user: AuthUser,
    status: Option<&str>,
    module: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Json<ClassList>> {
    let mut filter = ClassFilter::default();
    // Checked for every caller; a cadre and an officer see the open classes whatever they ask.
    for s in status
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let st = ClassStatus::parse(s)
            .ok_or_else(|| AppError::invalid("status", format!("unknown status {s:?}")))?;
        filter.statuses.push(st);
    }
    if !is_staff(&user) {
        filter.statuses = vec![ClassStatus::Open];
    }
    filter.module_code = module
        .map(|m| m.trim().to_uppercase())
        .filter(|m| !m.is_empty());
    let day = |field: &str, v: Option<&str>| -> AppResult<Option<chrono::DateTime<Utc>>> {
        match crate::api::parse_opt::<NaiveDate>(field, v)? {
            None => Ok(None),
            Some(d) => Ok(Some(state.clock.start_of(d))),
        }
    };
    filter.from = day("from", from)?;
    filter.to = day("to", to)?;
    let rows = store::list(&state.db, &filter).await?;
    Ok(Json(ClassList {
        items: service::views(state, rows).await?,
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
    let row = visible(state, &user, code).await?;
    Ok(Json(service::views(state, vec![row]).await?.remove(0)))
}

/// A session to schedule.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionInput {
    /// Start: RFC 3339, or city time without offset (`2026-12-01T08:00`).
    pub starts_at: String,
    /// End, after the start.
    pub ends_at: String,
    /// Venue.
    pub venue: String,
    /// Instructor.
    pub instructor: String,
}

/// Validates sessions and checks them against each other and against other classes'
/// venues and instructors (409 naming the other class and session).
async fn check_sessions(
    tx: &mut Tx,
    clock: &Clock,
    class_id: i64,
    input: &[SessionInput],
) -> AppResult<Vec<SessionWrite>> {
    if input.is_empty() {
        return Err(AppError::invalid(
            "sessions",
            "a class needs at least one session",
        ));
    }
    if input.len() > 200 {
        return Err(AppError::invalid("sessions", "at most 200 sessions"));
    }
    let mut out: Vec<SessionWrite> = Vec::with_capacity(input.len());
    for (i, s) in input.iter().enumerate() {
        let f = |name: &str| format!("sessions[{i}].{name}");
        let starts_at = parse_time(&f("starts_at"), &s.starts_at, clock)?;
        let ends_at = parse_time(&f("ends_at"), &s.ends_at, clock)?;
        if ends_at <= starts_at {
            return Err(AppError::invalid(
                f("ends_at"),
                "a session must end after it starts",
            ));
        }
        if ends_at - starts_at > chrono::Duration::hours(24) {
            return Err(AppError::invalid(
                f("ends_at"),
                "a session may last at most 24 hours",
            ));
        }
        let venue = crate::shared::text::required_text(&f("venue"), &s.venue, 200)?;
        let instructor = crate::shared::text::required_text(&f("instructor"), &s.instructor, 200)?;
        if let Some(j) = out
            .iter()
            .position(|o| overlaps(o.starts_at, o.ends_at, starts_at, ends_at))
        {
            return Err(AppError::invalid(
                f("starts_at"),
                format!("overlaps session {j} of the same class"),
            ));
        }
        out.push(SessionWrite {
            starts_at,
            ends_at,
            venue,
            instructor,
        });
    }
    for (i, s) in out.iter().enumerate() {
        if let Some(c) = store::venue_or_instructor_clash(tx, class_id, s).await? {
            let what = if c.venue_key == super::domain::key(&s.venue) {
                "venue"
            } else {
                "instructor"
            };
            let local =
                |t: chrono::DateTime<Utc>| clock.to_local(t).format("%d/%m/%Y %H:%M").to_string();
            return Err(AppError::conflict(
                Some(&format!("sessions[{i}].{what}")),
                format!(
                    "the {what} is already booked by class {} (session {}, {} – {})",
                    c.class_code,
                    c.session_id,
                    local(c.starts_at),
                    local(c.ends_at)
                ),
            ));
        }
    }
    Ok(out)
}

/// A new class.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassInput {
    /// Code (2–20 of A-Z, 0-9, '-').
    pub code: String,
    /// Module taught.
    pub module_code: String,
    /// Title (default: the module's Vietnamese title).
    pub title: Option<String>,
    /// Organiser (e.g. Trường Cán bộ thành phố).
    pub organiser: String,
    /// Seats (1–1000).
    pub capacity: i64,
    /// First day of enrolment.
    pub enrol_opens: NaiveDate,
    /// Last day of enrolment.
    pub enrol_closes: NaiveDate,
    /// Attendance share needed for a completion, percent (default from configuration, 80).
    pub min_attendance_pct: Option<i64>,
    /// Sessions.
    pub sessions: Vec<SessionInput>,
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
    let input = body.into_inner();
    let code = crate::shared::text::parse_code("code", &input.code)?;
    let mut tx = state.db.begin().await?;
    let module = curriculum::store::module_row(
        &mut tx,
        &crate::shared::text::parse_code("module_code", &input.module_code)?,
    )
    .await?
    .filter(|m| m.active)
    .ok_or_else(|| {
        AppError::invalid(
            "module_code",
            format!("no active module with code {}", input.module_code),
        )
    })?;
    let w = service::check_fields(
        input.title.as_deref().unwrap_or(&module.title_vi),
        &input.organiser,
        input.capacity,
        input.enrol_opens,
        input.enrol_closes,
        input
            .min_attendance_pct
            .unwrap_or(state.config.min_attendance_pct),
    )?;
    if store::by_code(&mut tx, &code).await?.is_some() {
        return Err(AppError::conflict(
            Some("code"),
            format!("class {code} already exists"),
        ));
    }
    let sessions = check_sessions(&mut tx, &state.clock, -1, &input.sessions).await?;
    let id = store::insert(&mut tx, &code, module.id, module.version, &w).await?;
    store::replace_sessions(&mut tx, id, &sessions).await?;
    audit::record(
        &mut tx,
        &user.actor(),
        "create",
        "class",
        &code,
        None,
        Some(json!({"module": module.code, "capacity": w.capacity, "sessions": sessions.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok((Status::Created, Json(service::view(state, &code).await?)))
}

/// A new schedule.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionsInput {
    /// All sessions of the class (replacing the old ones).
    pub sessions: Vec<SessionInput>,
}

/// Replaces a class's sessions, checking venues, instructors and the enrolled cadres' other
/// classes. Refused once attendance has been taken. School staff or admin.
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
    let code = code.trim().to_uppercase();
    let mut tx = state.db.begin().await?;
    let row = service::in_tx(&mut tx, &code).await?;
    service::editable(&row)?;
    if store::attendance_count(&mut tx, row.id).await? > 0 {
        return Err(AppError::conflict(
            Some("sessions"),
            "attendance has been taken; the schedule can no longer be replaced",
        ));
    }
    let sessions = check_sessions(&mut tx, &state.clock, row.id, &input.sessions).await?;
    store::replace_sessions(&mut tx, row.id, &sessions).await?;
    if let Some(c) = store::cadre_clash(&mut tx, row.id, None).await? {
        return Err(AppError::conflict(
            Some("sessions"),
            format!(
                "cadre {} is also in class {} whose session {} overlaps the new schedule",
                c.cadre_id, c.class_code, c.session_id
            ),
        ));
    }
    audit::record(
        &mut tx,
        &user.actor(),
        "reschedule",
        "class",
        &code,
        None,
        Some(json!({"sessions": sessions.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(service::view(state, &code).await?))
}
