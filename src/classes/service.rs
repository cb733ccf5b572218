//! The rules and transactions of classes: the class list as a caller may see it, creating a
//! class and replacing its schedule (checked against other classes' venues and instructors and the
//! enrolled cadres' other classes). And what other features (enrolments, completions) use: the
//! class a caller may see, the served form, whether it may still change.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::domain::{self, ClassStatus, SessionInput, SessionWrite};
use super::store::{self, ClassFilter, ClassRow, SessionView};
use crate::api::PageParams;
use crate::audit::{self, Actor};
use crate::auth::{AuthUser, Role};
use crate::curriculum;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::shared::clock::Clock;
use crate::shared::text::parse_code;
use crate::state::AppState;

/// Whether the account works for the school or the commission (sees every class).
pub fn is_staff(user: &AuthUser) -> bool {
    matches!(user.role, Role::Admin | Role::School | Role::Commission)
}

/// A class the caller may see: staff see every class; others every class that has been
/// published (not `planned`, not `cancelled`), and a cancelled one a cadre in their scope was in.
pub async fn visible(state: &AppState, user: &AuthUser, code: &str) -> AppResult<ClassRow> {
    let code = code.trim().to_uppercase();
    let class = store::by_code(&state.db, &code).await?;
    let seen = match &class {
        None => false,
        Some(_) if is_staff(user) => true,
        Some(c) if c.status == ClassStatus::Cancelled => {
            store::has_enrolment_in_scope(&state.db, c.id, &user.scope()?).await?
        }
        Some(c) => c.status != ClassStatus::Planned,
    };
    match class {
        Some(c) if seen => Ok(c),
        _ => Err(AppError::not_found(crate::msg!(NoClass, code = code))),
    }
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
    /// Why it was cancelled (cancelled classes; none for those cancelled before reasons were kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_reason: Option<String>,
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
                status: r.status,
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
                cancel_reason: r.cancel_reason,
            }
        })
        .collect())
}

/// The served form of one class, read after a change.
pub async fn view(state: &AppState, code: &str) -> AppResult<ClassView> {
    let row = store::by_code(&state.db, code)
        .await?
        .ok_or_else(|| AppError::Internal("class vanished".into()))?;
    Ok(views(state, vec![row]).await?.remove(0))
}

/// A class by code inside a transaction, or 404.
pub async fn in_tx(tx: &mut Tx, code: &str) -> AppResult<ClassRow> {
    store::by_code(tx, code)
        .await?
        .ok_or_else(|| AppError::not_found(crate::msg!(NoClass, code = code)))
}

/// Refuses a change to a finished or cancelled class.
pub fn editable(row: &ClassRow) -> AppResult<()> {
    domain::editable(&row.code, row.status)
}

/// What the class list asks for (read from the query).
#[derive(Debug, Default)]
pub struct ClassQuery {
    /// Only these statuses (staff only: others always get the open classes).
    pub statuses: Vec<ClassStatus>,
    /// Only this module (upper case).
    pub module_code: Option<String>,
    /// Only classes with a session on or after this day (city time).
    pub from: Option<NaiveDate>,
    /// Only classes with a session before this day (city time).
    pub to: Option<NaiveDate>,
}

/// The classes a caller may list: staff filter by status; officers and cadres see the open
/// classes whatever they ask.
/// `page`: `limit` rows from `offset`; `None` (no paging asked): the first
/// [`store::UNPAGED_MAX`]. Answers the number matching the filter and the page's classes.
pub async fn list(
    state: &AppState,
    user: &AuthUser,
    q: ClassQuery,
    page: Option<PageParams>,
) -> AppResult<(i64, Vec<ClassView>)> {
    let statuses = if is_staff(user) {
        q.statuses
    } else {
        vec![ClassStatus::Open]
    };
    let filter = ClassFilter {
        statuses,
        module_code: q.module_code,
        from: q.from.map(|d| state.clock.start_of(d)),
        to: q.to.map(|d| state.clock.start_of(d)),
    };
    let (limit, offset) = page.map_or((store::UNPAGED_MAX, 0), |p| (p.limit, p.offset));
    let (total, rows) = store::list(&state.db, &filter, limit, offset).await?;
    Ok((total, views(state, rows).await?))
}

/// The served form of a class the caller may see.
pub async fn get(state: &AppState, user: &AuthUser, code: &str) -> AppResult<ClassView> {
    let row = visible(state, user, code).await?;
    Ok(views(state, vec![row]).await?.remove(0))
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

/// Creates a class with its sessions (status `planned`), of an active module, under a code not
/// yet taken, with its audit entry.
pub async fn create(state: &AppState, actor: &Actor, input: ClassInput) -> AppResult<ClassView> {
    let code = parse_code("code", &input.code)?;
    let mut tx = state.db.begin().await?;
    let module =
        curriculum::store::module_row(&mut tx, &parse_code("module_code", &input.module_code)?)
            .await?
            .filter(|m| m.active)
            .ok_or_else(|| {
                AppError::invalid(
                    "module_code",
                    crate::msg!(NoActiveModule, code = input.module_code),
                )
            })?;
    let w = domain::check_fields(
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
            crate::msg!(ClassExists, code = code),
        ));
    }
    let sessions = check_schedule(&mut tx, &state.clock, -1, &input.sessions).await?;
    let id = store::insert(&mut tx, &code, module.id, module.version, &w).await?;
    store::replace_sessions(&mut tx, id, &sessions).await?;
    audit::record(
        &mut tx,
        actor,
        "create",
        "class",
        &code,
        None,
        Some(json!({"module": module.code, "capacity": w.capacity, "sessions": sessions.len()})),
    )
    .await?;
    tx.commit().await?;
    view(state, &code).await
}

/// Replaces a class's sessions, checking venues, instructors and the enrolled cadres' other
/// classes; refused once the class is over. A session at the same times keeps its id, a session
/// with attendance stays as it is, and a running class takes no session added or moved into the
/// past ([`domain::weigh_schedule`]); the same schedule again writes and tells nothing.
pub async fn reschedule(
    state: &AppState,
    actor: &Actor,
    code: &str,
    input: &[SessionInput],
) -> AppResult<ClassView> {
    let code = code.trim().to_uppercase();
    let mut tx = state.db.begin().await?;
    let row = in_tx(&mut tx, &code).await?;
    editable(&row)?;
    let sessions = check_schedule(&mut tx, &state.clock, row.id, input).await?;
    let on_record = store::sessions_on_record(&mut tx, row.id).await?;
    if domain::same_schedule(&sessions, &on_record) {
        return view(state, &code).await;
    }
    let running = row.status == ClassStatus::Running;
    let keep = domain::weigh_schedule(&sessions, &on_record, running, &state.clock)?;
    store::rewrite_sessions(&mut tx, row.id, &sessions, &keep).await?;
    if let Some(c) = store::cadre_clash(&mut tx, row.id, None).await? {
        return Err(AppError::conflict(Some("sessions"), {
            let (date, start, end) = domain::city_span(&state.clock, c.starts_at, c.ends_at);
            crate::msg!(
                CadreClashSchedule,
                cadre = c.cadre_name,
                class = c.class_code,
                title = c.class_title,
                date = date,
                start = start,
                end = end
            )
        }));
    }
    // The notice names the next session to come (the first one when all are held).
    let now = state.clock.now();
    let next = sessions
        .iter()
        .filter(|s| s.starts_at > now)
        .min_by_key(|s| s.starts_at)
        .or_else(|| sessions.iter().min_by_key(|s| s.starts_at));
    if let Some(next) = next {
        let (date, start, _) = domain::city_span(&state.clock, next.starts_at, next.ends_at);
        crate::notices::Notifier::of(state)
            .tell_class(
                &mut tx,
                row.id,
                crate::notices::Seats::HeldOrWaiting,
                crate::notices::NoticeKind::ClassRescheduled,
                serde_json::json!({"class": row.code, "title": row.title, "date": date, "start": start}),
            )
            .await?;
    }
    audit::record(
        &mut tx,
        actor,
        "reschedule",
        "class",
        &code,
        None,
        Some(json!({"sessions": sessions.len()})),
    )
    .await?;
    tx.commit().await?;
    view(state, &code).await
}

/// Checks a schedule ([`domain::check_sessions`]) and then each session against the other live
/// classes' venues and instructors (409 naming the other class and session).
async fn check_schedule(
    tx: &mut Tx,
    clock: &Clock,
    class_id: i64,
    input: &[SessionInput],
) -> AppResult<Vec<SessionWrite>> {
    let out = domain::check_sessions(input, clock)?;
    for (i, s) in out.iter().enumerate() {
        if let Some(c) = store::venue_or_instructor_clash(tx, class_id, s).await? {
            let what = if c.venue_key == domain::key(&s.venue) {
                "venue"
            } else {
                "instructor"
            };
            let (date, start, end) = domain::city_span(clock, c.starts_at, c.ends_at);
            let reason = if what == "venue" {
                crate::error::Reason::VenueBooked
            } else {
                crate::error::Reason::InstructorBooked
            };
            return Err(AppError::conflict(
                Some(&format!("sessions[{i}].{what}")),
                crate::error::Msg::new(reason)
                    .with("class", &c.class_code)
                    .with("title", &c.class_title)
                    .with("date", date)
                    .with("start", start)
                    .with("end", end),
            ));
        }
    }
    Ok(out)
}
