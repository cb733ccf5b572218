//! `GET /api/me`: the caller's own record in one answer (for cadres: profile, titles,
//! qualifications, completions, enrolments with waitlist positions, upcoming sessions, gaps).
//!
//! The cadre's part of the record is built from about ten statements, so it is kept, serialized,
//! in a [`VersionedCache`](crate::shared::cache::VersionedCache) tagged with the data version the authentication statement read
//! (`db::version`). A read whose version differs, or that comes after a session in the record
//! ended or after the city's midnight (`clock`), builds it again; nothing is ever served that a
//! write has changed.

use chrono::{DateTime, Utc};
use rocket::response::content::RawJson;
use rocket::{get, routes, Route, State};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

use crate::accounts::store::AccountView;
use crate::auth::AuthUser;
use crate::cadres::service::CadreDetail;
use crate::cadres::store as cadres;
use crate::completions::store::CompletionView;
use crate::db::version::DataVersion;
use crate::enrolments::store::EnrolmentView;
use crate::error::{AppError, AppResult, ErrorEnvelope};
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

/// A calendar feed that exists (its link is not kept).
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeed {
    /// When its link was made.
    pub created_at: DateTime<Utc>,
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
    /// The calendar feed, if one exists. Its link is shown once, when made
    /// (`POST /api/me/calendar-token`): only a hash of its token is kept.
    pub calendar_feed: Option<CalendarFeed>,
    /// Gaps against the standards of the titles held or planned today, with classes that close them.
    pub gaps: Vec<crate::gaps::own::TitleGap>,
}

/// The caller's own record.
#[utoipa::path(tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MyRecord), (status = 401, body = ErrorEnvelope)))]
#[get("/api/me")]
pub async fn me(state: &State<AppState>, user: AuthUser) -> AppResult<RawJson<String>> {
    // The account as the authentication guard's statement read it; the rest from the cache when
    // nothing has changed since it was built.
    let account = to_json(&user.account)?;
    let parts = match user.cadre_id {
        Some(cadre_id) => cadre_parts(state, cadre_id, &user).await?,
        None => None,
    };
    let parts = match parts {
        Some(parts) => parts,
        None => Arc::new(to_json(&CadreParts::default())?),
    };
    Ok(RawJson(splice(&account, &parts)))
}

/// The cadre's part, serialized: from the cache when built at `version` and still valid, else
/// built and kept. `None` when the linked cadre no longer exists.
async fn cadre_parts(
    state: &AppState,
    cadre_id: i64,
    user: &AuthUser,
) -> AppResult<Option<Arc<String>>> {
    let (version, now) = (&user.data_version, state.clock.now());
    if let Some(parts) = state.records.get(cadre_id, version, now) {
        return Ok(Some(parts));
    }
    let reference = &user.reference_version;
    let Some((parts, valid_until)) = build(state, cadre_id, reference, now).await? else {
        return Ok(None);
    };
    let parts = Arc::new(to_json(&parts)?);
    let kept = Arc::clone(&parts);
    state
        .records
        .put(cadre_id, version.clone(), valid_until, kept);
    Ok(Some(parts))
}

/// The record without its account: what [`MyRecord`] holds after `account`, in the same order.
#[derive(Debug, Default, Serialize)]
struct CadreParts {
    cadre: Option<CadreDetail>,
    completions: Vec<CompletionView>,
    enrolments: Vec<EnrolmentView>,
    upcoming_sessions: Vec<UpcomingSession>,
    calendar_feed: Option<CalendarFeed>,
    gaps: Vec<crate::gaps::own::TitleGap>,
}

fn to_json<T: Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(format!("serializing: {e}")))
}

/// `{"account":…,` followed by the parts object without its opening brace.
fn splice(account: &str, parts: &str) -> String {
    let rest = parts.strip_prefix('{').unwrap_or(parts);
    let mut out = String::with_capacity(account.len() + parts.len() + 12);
    out.push_str("{\"account\":");
    out.push_str(account);
    if rest != "}" {
        out.push(',');
    }
    out.push_str(rest);
    out
}

/// Until when a record built before `midnight` (the city's next) holds with no data change: the
/// first of the `changes` (a listed session's end: it then leaves `upcoming_sessions`; an offered
/// class's start: it is then no longer offered), or that midnight (validity, gaps and suggestions
/// are as of the city's day).
fn valid_until(
    midnight: DateTime<Utc>,
    changes: impl IntoIterator<Item = DateTime<Utc>>,
) -> DateTime<Utc> {
    changes.into_iter().fold(midnight, DateTime::min)
}

/// Builds the cadre's part of the record on one pooled connection; the gap assessment reuses
/// what the record has already loaded, and the standards and scales of the reference cache at the
/// caller's `reference` version (see `gaps::own::own_gaps_on`). `None` when the linked
/// cadre no longer exists.
async fn build(
    state: &AppState,
    cadre_id: i64,
    reference: &DataVersion,
    now: DateTime<Utc>,
) -> AppResult<Option<(CadreParts, DateTime<Utc>)>> {
    let mut conn = state.db.acquire().await?;
    let Some((cadre, feed_since)) = cadres::get_with_feed(&mut conn, cadre_id).await? else {
        return Ok(None);
    };
    let today = state.clock.date_of(now);
    let units = cadres::unit_history(&mut conn, cadre_id).await?;
    let (titles, plans) = cadres::titles_both(&mut conn, cadre_id).await?;
    let qualifications = cadres::qualification_facts(&mut conn, cadre_id).await?;
    let completions = crate::completions::store::for_cadre(&mut conn, cadre_id).await?;
    let mut parts = CadreParts {
        completions: completions.iter().map(|c| c.view(today)).collect(),
        ..CadreParts::default()
    };
    parts.enrolments = crate::enrolments::store::list_for_cadre(&mut conn, cadre_id)
        .await?
        .into_iter()
        .filter(|e| e.status.is_active())
        .collect();
    parts.upcoming_sessions = crate::calendar::cadre_sessions(&mut conn, cadre_id, now)
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
    parts.calendar_feed = feed_since.map(|created_at| CalendarFeed { created_at });
    let own = crate::gaps::own::OwnRecord {
        cadre: &cadre,
        titles: &titles,
        plans: &plans,
        qualifications: &qualifications,
        completions: &completions,
    };
    let cache = &state.reference;
    parts.gaps =
        crate::gaps::own::own_gaps_on(&mut conn, &own, today, (now, today), cache, Some(reference))
            .await?;
    parts.cadre = Some(CadreDetail {
        units,
        titles,
        plans,
        qualifications: qualifications.into_iter().map(|q| q.view).collect(),
        cadre,
    });
    let offered = parts
        .gaps
        .iter()
        .flat_map(|g| &g.requirements)
        .flat_map(|r| &r.open_classes)
        .map(|c| c.starts_at);
    let ends = parts.upcoming_sessions.iter().map(|s| s.ends_at);
    let until = valid_until(state.clock.midnight_after(now), ends.chain(offered));
    Ok(Some((parts, until)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_record_holds_until_midnight_or_the_first_change() {
        // 16:30 in the city: its midnight is 17:00 UTC.
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 9, 30, 0).unwrap();
        let midnight = Utc.with_ymd_and_hms(2026, 11, 26, 17, 0, 0).unwrap();
        let next = crate::shared::clock::Clock::default().midnight_after(now);
        assert_eq!(next, midnight);
        assert_eq!(valid_until(next, []), midnight);
        let later = Utc.with_ymd_and_hms(2026, 12, 3, 11, 0, 0).unwrap();
        assert_eq!(valid_until(next, [later]), midnight);
        let soon = Utc.with_ymd_and_hms(2026, 11, 26, 11, 0, 0).unwrap();
        assert_eq!(valid_until(next, [later, soon]), soon);
    }

    #[test]
    fn the_spliced_record_has_the_documented_shape() {
        let account = r#"{"id":3,"username":"cadre"}"#;
        let empty = to_json(&CadreParts::default()).unwrap();
        let json: serde_json::Value = serde_json::from_str(&splice(account, &empty)).unwrap();
        let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        let mut expected = vec![
            "account",
            "cadre",
            "completions",
            "enrolments",
            "upcoming_sessions",
            "calendar_feed",
            "gaps",
        ];
        expected.sort();
        let mut keys = keys;
        keys.sort();
        assert_eq!(keys, expected);
        assert_eq!(json["account"]["username"], "cadre");
        assert_eq!(splice(account, "{}"), format!("{{\"account\":{account}}}"));
    }
}
