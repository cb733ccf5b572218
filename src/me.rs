//! `GET /api/me`: the caller's own record in one answer (for cadres: profile, titles,
//! qualifications, completions, enrolments with waitlist positions, upcoming sessions).

use chrono::Utc;
use rocket::serde::json::Json;
use rocket::{get, routes, Route, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::store::{self as accounts, AccountView};
use crate::auth::AuthUser;
use crate::cadres::routes::CadreDetail;
use crate::completions::store::CompletionView;
use crate::enrolments::store::EnrolmentView;
use crate::error::{AppResult, ErrorEnvelope};
use crate::on_db;
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![me]
}

/// A session coming up.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpcomingSession {
    /// Class title and code.
    pub summary: String,
    /// Start.
    pub starts_at: chrono::DateTime<Utc>,
    /// End.
    pub ends_at: chrono::DateTime<Utc>,
    /// Venue.
    pub venue: String,
    /// Whether the class was cancelled.
    pub cancelled: bool,
}

/// The caller's own record.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyRecord {
    /// The account.
    pub account: AccountView,
    /// The linked cadre record, if any: profile, units, titles held and planned, qualifications.
    pub cadre: Option<CadreDetail>,
    /// Completions with certificate numbers, validity and status.
    pub completions: Vec<CompletionView>,
    /// Current enrolments (enrolled, or waitlisted with the position).
    pub enrolments: Vec<EnrolmentView>,
    /// Sessions still to come in the classes the cadre holds a seat in.
    pub upcoming_sessions: Vec<UpcomingSession>,
    /// Path of the calendar feed, if a feed token exists (`POST /api/me/calendar-token` makes one).
    pub calendar_feed: Option<String>,
    /// Gaps against the standards of the titles held or planned today, with classes that close them.
    pub gaps: Vec<crate::gaps::routes::TitleGap>,
}

/// The caller's own record.
#[utoipa::path(tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MyRecord), (status = 401, body = ErrorEnvelope)))]
#[get("/api/me")]
pub async fn me(state: &State<AppState>, user: AuthUser) -> AppResult<Json<MyRecord>> {
    let account = accounts::get(&state.db, user.id).await?;
    let mut record = MyRecord {
        account,
        cadre: None,
        completions: vec![],
        enrolments: vec![],
        upcoming_sessions: vec![],
        calendar_feed: None,
        gaps: vec![],
    };
    let Some(cadre_id) = user.cadre_id else {
        return Ok(Json(record));
    };
    let Some(cadre) = crate::cadres::store::get(&state.db, cadre_id).await? else {
        return Ok(Json(record));
    };
    let today = Utc::now().date_naive();
    record.cadre = Some(crate::cadres::routes::detail(state, cadre).await?);
    record.completions = crate::completions::store::for_cadre(&state.db, cadre_id)
        .await?
        .iter()
        .map(|c| c.view(today))
        .collect();
    record.enrolments = crate::enrolments::store::list_for_cadre(&state.db, cadre_id)
        .await?
        .into_iter()
        .filter(|e| matches!(e.status.as_str(), "enrolled" | "waitlisted"))
        .collect();
    record.upcoming_sessions = crate::calendar::cadre_sessions(&state.db, cadre_id, Utc::now())
        .await?
        .into_iter()
        .map(|e| UpcomingSession {
            summary: e.summary,
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            venue: e.location,
            cancelled: e.cancelled,
        })
        .collect();
    let token: Option<String> = on_db!(&state.db, |p| sqlx::query_scalar(
        "SELECT token FROM feed_tokens WHERE cadre_id = $1"
    )
    .bind(cadre_id)
    .fetch_optional(p)
    .await?);
    record.calendar_feed = token.map(|t| format!("/api/feeds/{t}.ics"));
    record.gaps = crate::gaps::routes::gaps_of(state, cadre_id, today).await?;
    Ok(Json(record))
}
