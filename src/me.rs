//! `GET /api/me`: the caller's own record in one answer (for cadres: profile, titles,
//! qualifications, completions, enrolments with waitlist positions, upcoming sessions).

use chrono::Utc;
use rocket::serde::json::Json;
use rocket::{get, routes, Route, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::store::AccountView;
use crate::auth::AuthUser;
use crate::cadres::routes::CadreDetail;
use crate::cadres::store as cadres;
use crate::completions::store::CompletionView;
use crate::enrolments::store::EnrolmentView;
use crate::error::{AppResult, ErrorEnvelope};
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
    // Every statement runs on one pooled connection taken once, and the gap assessment reuses
    // what the record has already loaded (see `gaps::routes::own_gaps_on`).
    // The account as the authentication guard's statement read it.
    let mut record = MyRecord {
        account: user.account,
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
    let mut conn = state.db.acquire().await?;
    let Some((cadre, token)) = cadres::get_with_feed_on(&mut conn, cadre_id).await? else {
        return Ok(Json(record));
    };
    let now = Utc::now();
    let today = now.date_naive();
    let units = cadres::unit_history_on(&mut conn, cadre_id).await?;
    let (titles, plans) = cadres::titles_both_on(&mut conn, cadre_id).await?;
    let qualifications = cadres::qualifications_on(&mut conn, cadre_id).await?;
    let completions = crate::completions::store::for_cadre_on(&mut conn, cadre_id).await?;
    record.completions = completions.iter().map(|c| c.view(today)).collect();
    record.enrolments = crate::enrolments::store::list_for_cadre_on(&mut conn, cadre_id)
        .await?
        .into_iter()
        .filter(|e| matches!(e.status.as_str(), "enrolled" | "waitlisted"))
        .collect();
    record.upcoming_sessions = crate::calendar::cadre_sessions_on(&mut conn, cadre_id, now)
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
    record.calendar_feed = token.map(|t| format!("/api/feeds/{t}.ics"));
    let own = crate::gaps::routes::OwnRecord {
        cadre: &cadre,
        titles: &titles,
        plans: &plans,
        qualifications: &qualifications,
        completions: &completions,
    };
    record.gaps = crate::gaps::routes::own_gaps_on(&mut conn, &own, today).await?;
    record.cadre = Some(CadreDetail {
        units,
        titles,
        plans,
        qualifications: qualifications.into_iter().map(|q| q.view).collect(),
        cadre,
    });
    Ok(Json(record))
}
