//! HTTP routes of classes: create with sessions, list, read, edit, reschedule, change status.

use chrono::{NaiveDate, Utc};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, patch, post, put, routes, Route, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::domain::{overlaps, parse_time, ClassStatus};
use super::service::{is_staff, visible};
use super::store::{self, ClassFilter, ClassRow, ClassWrite, SessionView, SessionWrite};
use crate::api::JsonBody;
use crate::audit;
use crate::auth::{AuthUser, SchoolStaff};
use crate::curriculum;
use crate::db::Tx;
use crate::enrolments;
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::shared::clock::Clock;
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![
        list_classes,
        get_class,
        create_class,
        update_class,
        replace_sessions,
        change_status
    ]
}

/// A class as served.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClassView {
    /// Code, e.g. `DV03-2026-01`.
    pub code: String,
    /// Module code.
    pub module_code: String,
    /// Module title (Vietnamese).
    pub module_title_vi: String,
    /// Module title (English).
    pub module_title_en: String,
    /// Module version taught.
    pub module_version: i64,
    /// Title.
    pub title: String,
    /// Organiser.
    pub organiser: String,
    /// Seats.
    pub capacity: i64,
    /// Seats taken.
    pub enrolled: i64,
    /// Cadres waiting.
    pub waitlisted: i64,
    /// Seats still free.
    pub seats_left: i64,
    /// First day of enrolment.
    pub enrol_opens: NaiveDate,
    /// Last day of enrolment.
    pub enrol_closes: NaiveDate,
    /// Status.
    pub status: ClassStatus,
    /// Attendance share needed for a completion (percent).
    pub min_attendance_pct: i64,
    /// Day it finished.
    pub finished_on: Option<NaiveDate>,
    /// Sessions in time order.
    pub sessions: Vec<SessionView>,
}

/// Builds the served form of classes (two queries whatever the number of classes).
pub async fn views(state: &AppState, rows: Vec<ClassRow>) -> AppResult<Vec<ClassView>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut sessions = store::sessions(&state.db, &ids).await?;
    let counts = store::counts(&state.db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (enrolled, waitlisted) = counts.get(&r.id).copied().unwrap_or_default();
            ClassView {
                sessions: sessions.remove(&r.id).unwrap_or_default(),
                seats_left: (r.capacity - enrolled).max(0),
                enrolled,
                waitlisted,
                status: ClassStatus::parse(&r.status).unwrap_or(ClassStatus::Planned),
                code: r.code,
                module_code: r.module_code,
                module_title_vi: r.module_title_vi,
                module_title_en: r.module_title_en,
                module_version: r.module_version,
                title: r.title,
                organiser: r.organiser,
                capacity: r.capacity,
                enrol_opens: r.enrol_opens,
                enrol_closes: r.enrol_closes,
                min_attendance_pct: r.min_attendance_pct,
                finished_on: r.finished_on,
            }
        })
        .collect())
}

/// The served form of one class, read after a change.
async fn class_view(state: &AppState, code: &str) -> AppResult<ClassView> {
    let row = store::by_code(&state.db, code)
        .await?
        .ok_or_else(|| AppError::Internal("class vanished".into()))?;
    Ok(views(state, vec![row]).await?.remove(0))
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
        filter.statuses.push(st.as_str().to_string());
    }
    if !is_staff(&user) {
        filter.statuses = vec!["open".into()];
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
        items: views(state, rows).await?,
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
    Ok(Json(views(state, vec![row]).await?.remove(0)))
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

fn check_fields(
    title: &str,
    organiser: &str,
    capacity: i64,
    opens: NaiveDate,
    closes: NaiveDate,
    pct: i64,
) -> AppResult<ClassWrite> {
    let title = crate::shared::text::required_text("title", title, 300)?;
    let organiser = crate::shared::text::required_text("organiser", organiser, 300)?;
    if !(1..=1000).contains(&capacity) {
        return Err(AppError::invalid(
            "capacity",
            "capacity must be between 1 and 1000",
        ));
    }
    if closes < opens {
        return Err(AppError::invalid(
            "enrol_closes",
            "enrol_closes must not be before enrol_opens",
        ));
    }
    if !(0..=100).contains(&pct) {
        return Err(AppError::invalid(
            "min_attendance_pct",
            "min_attendance_pct must be between 0 and 100",
        ));
    }
    Ok(ClassWrite {
        title,
        organiser,
        capacity,
        enrol_opens: opens,
        enrol_closes: closes,
        min_attendance_pct: pct,
    })
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
    let module = curriculum::store::module_tx(
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
    let w = check_fields(
        input.title.as_deref().unwrap_or(&module.title_vi),
        &input.organiser,
        input.capacity,
        input.enrol_opens,
        input.enrol_closes,
        input
            .min_attendance_pct
            .unwrap_or(state.config.min_attendance_pct),
    )?;
    if store::by_code_tx(&mut tx, &code).await?.is_some() {
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
    Ok((Status::Created, Json(class_view(state, &code).await?)))
}

/// Changes to a class; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassPatch {
    /// Title.
    pub title: Option<String>,
    /// Organiser.
    pub organiser: Option<String>,
    /// Seats; raising it promotes waiting cadres at once, lowering it below the seats taken is refused.
    pub capacity: Option<i64>,
    /// First day of enrolment.
    pub enrol_opens: Option<NaiveDate>,
    /// Last day of enrolment.
    pub enrol_closes: Option<NaiveDate>,
    /// Attendance share for completion.
    pub min_attendance_pct: Option<i64>,
}

/// A class by code inside a transaction, or 404.
async fn class_in_tx(tx: &mut Tx, code: &str) -> AppResult<ClassRow> {
    store::by_code_tx(tx, code)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no class with code {code}")))
}

fn editable(row: &ClassRow) -> AppResult<()> {
    if matches!(row.status.as_str(), "finished" | "cancelled") {
        return Err(AppError::conflict(
            Some("status"),
            format!("class {} is {} and cannot change", row.code, row.status),
        ));
    }
    Ok(())
}

/// Edits a class. School staff or admin.
#[utoipa::path(tag = "classes", security(("bearer" = [])), request_body = ClassPatch,
    params(("code" = String, Path, description = "Class code")),
    responses((status = 200, body = ClassView), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[patch("/api/classes/<code>", data = "<body>")]
pub async fn update_class(
    state: &State<AppState>,
    user: SchoolStaff,
    code: &str,
    body: JsonBody<ClassPatch>,
) -> AppResult<Json<ClassView>> {
    let p = body.into_inner();
    let code = code.trim().to_uppercase();
    let mut tx = state.db.begin().await?;
    let row = class_in_tx(&mut tx, &code).await?;
    editable(&row)?;
    store::lock(&mut tx, row.id).await?;
    let w = check_fields(
        p.title.as_deref().unwrap_or(&row.title),
        p.organiser.as_deref().unwrap_or(&row.organiser),
        p.capacity.unwrap_or(row.capacity),
        p.enrol_opens.unwrap_or(row.enrol_opens),
        p.enrol_closes.unwrap_or(row.enrol_closes),
        p.min_attendance_pct.unwrap_or(row.min_attendance_pct),
    )?;
    let taken = enrolments::store::enrolled_count(&mut tx, row.id).await?;
    if w.capacity < taken {
        return Err(AppError::conflict(Some("capacity"), format!("{taken} cadres already hold seats; withdraw some before lowering the capacity to {}", w.capacity)));
    }
    store::update(&mut tx, row.id, &w).await?;
    let promoted = enrolments::store::promote(&mut tx, row.id, w.capacity).await?;
    audit::record(&mut tx, &user.actor(), "update", "class", &code,
        Some(json!({"title": row.title, "organiser": row.organiser, "capacity": row.capacity, "enrol_opens": row.enrol_opens, "enrol_closes": row.enrol_closes, "min_attendance_pct": row.min_attendance_pct})),
        Some(json!({"title": w.title, "organiser": w.organiser, "capacity": w.capacity, "enrol_opens": w.enrol_opens, "enrol_closes": w.enrol_closes, "min_attendance_pct": w.min_attendance_pct, "promoted": promoted}))).await?;
    tx.commit().await?;
    Ok(Json(class_view(state, &code).await?))
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
    let row = class_in_tx(&mut tx, &code).await?;
    editable(&row)?;
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
    Ok(Json(class_view(state, &code).await?))
}

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// The new status.
    pub status: ClassStatus,
    /// Day it finished (for `finished`; default today).
    pub finished_on: Option<NaiveDate>,
}

/// Moves a class along `planned → open → running → finished`, or cancels it. Finishing records
/// the completions of those who passed and attended enough. School staff or admin.
#[utoipa::path(tag = "classes", security(("bearer" = [])), request_body = StatusInput,
    params(("code" = String, Path, description = "Class code")),
    responses((status = 200, body = ClassView), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
#[post("/api/classes/<code>/status", data = "<body>")]
pub async fn change_status(
    state: &State<AppState>,
    user: SchoolStaff,
    code: &str,
    body: JsonBody<StatusInput>,
) -> AppResult<Json<ClassView>> {
    let input = body.into_inner();
    let code = code.trim().to_uppercase();
    let mut tx = state.db.begin().await?;
    let row = class_in_tx(&mut tx, &code).await?;
    let from = ClassStatus::parse(&row.status).unwrap_or(ClassStatus::Planned);
    if !from.can_become(input.status) {
        return Err(AppError::conflict(
            Some("status"),
            format!(
                "class {code} cannot go from {} to {}",
                from.as_str(),
                input.status.as_str()
            ),
        ));
    }
    store::lock(&mut tx, row.id).await?;
    let today = state.clock.today();
    let finished_on =
        (input.status == ClassStatus::Finished).then(|| input.finished_on.unwrap_or(today));
    if finished_on.is_some_and(|d| d > today) {
        return Err(AppError::invalid(
            "finished_on",
            "finished_on must not be in the future",
        ));
    }
    let mut after = json!({"status": input.status});
    if let Some(day) = finished_on {
        let n = crate::completions::store::record_class_completions(
            &mut tx,
            &row,
            day,
            &state.config.certificate_prefix,
        )
        .await?;
        after["completions"] = json!(n);
    }
    store::set_status(&mut tx, row.id, input.status.as_str(), finished_on).await?;
    audit::record(
        &mut tx,
        &user.actor(),
        "status",
        "class",
        &code,
        Some(json!({"status": row.status})),
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(class_view(state, &code).await?))
}
