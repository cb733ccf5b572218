//! The rules of classes that routes and other features (enrolments, completions) use: the class a
//! caller may see, the served form, the checks of a class's fields, whether it may still change.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::domain::ClassStatus;
use super::store::{self, ClassRow, ClassWrite, SessionView};
use crate::auth::{AuthUser, Role};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Whether the account works for the school or the commission (sees every class).
pub fn is_staff(user: &AuthUser) -> bool {
    matches!(user.role, Role::Admin | Role::School | Role::Commission)
}

/// A class the caller may see: staff see every class; others every class that has been
/// published (not `planned`, not `cancelled`).
pub async fn visible(state: &AppState, user: &AuthUser, code: &str) -> AppResult<ClassRow> {
    let code = code.trim().to_uppercase();
    match store::by_code(&state.db, &code).await? {
        Some(c)
            if is_staff(user)
                || !matches!(c.status, ClassStatus::Planned | ClassStatus::Cancelled) =>
        {
            Ok(c)
        }
        _ => Err(AppError::not_found(format!("no class with code {code}"))),
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
        .ok_or_else(|| AppError::not_found(format!("no class with code {code}")))
}

/// Refuses a change to a finished or cancelled class.
pub fn editable(row: &ClassRow) -> AppResult<()> {
    if matches!(row.status, ClassStatus::Finished | ClassStatus::Cancelled) {
        return Err(AppError::conflict(
            Some("status"),
            format!("class {} is {} and cannot change", row.code, row.status),
        ));
    }
    Ok(())
}

/// Checks a class's own fields (title, organiser, capacity, enrolment window, attendance share).
pub fn check_fields(
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
