//! iCalendar (RFC 5545) feeds: a writer for events, and the feed routes for a class (public, it
//! carries no personal data) and for a cadre (behind a revocable per-cadre token, since calendar
//! apps cannot send a bearer token). Only the SHA-256 of a cadre's token is stored ([`hash_token`]),
//! so the link is shown once, when made; a feed answers only while an active account is linked to
//! its cadre, and deactivating that account deletes it.

use chrono::{DateTime, Utc};
use rocket::http::ContentType;
use rocket::serde::json::Json;
use rocket::{delete, get, post, routes, Route, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::db::Db;
use crate::db::Exec;
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::on_exec;
use crate::state::AppState;
use crate::{on_db, on_tx};

/// One calendar event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Globally unique id.
    pub uid: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Title.
    pub summary: String,
    /// Venue.
    pub location: String,
    /// Details.
    pub description: String,
    /// Whether the class was called off.
    pub cancelled: bool,
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            // RFC 5545 forbids control characters in TEXT; the API refuses them, older
            // records may hold some.
            c if crate::api::text::is_refused_control(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1).
fn fold(line: &str, out: &mut String) {
    let mut len = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if len + n > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(c);
        len += n;
    }
    out.push_str("\r\n");
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Renders a calendar with a name and events.
pub fn render(name: &str, events: &[Event], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//HCMC cadre training//VI",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(l, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(name)), &mut out);
    fold("X-WR-TIMEZONE:Asia/Ho_Chi_Minh", &mut out);
    for e in events {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", e.uid), &mut out);
        fold(&format!("DTSTAMP:{}", stamp(now)), &mut out);
        fold(&format!("DTSTART:{}", stamp(e.starts_at)), &mut out);
        fold(&format!("DTEND:{}", stamp(e.ends_at)), &mut out);
        fold(&format!("SUMMARY:{}", escape(&e.summary)), &mut out);
        fold(&format!("LOCATION:{}", escape(&e.location)), &mut out);
        fold(&format!("DESCRIPTION:{}", escape(&e.description)), &mut out);
        fold(
            if e.cancelled {
                "STATUS:CANCELLED"
            } else {
                "STATUS:CONFIRMED"
            },
            &mut out,
        );
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![class_feed, cadre_feed, create_feed_token, revoke_feed_token]
}

#[derive(sqlx::FromRow)]
struct SessionEvent {
    id: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    venue: String,
    instructor: String,
    class_code: String,
    class_title: String,
    status: String,
}

const EVENTS_SQL: &str =
    "SELECT s.id, s.starts_at, s.ends_at, s.venue, s.instructor, c.code AS class_code,
    c.title AS class_title, c.status FROM class_sessions s JOIN classes c ON c.id = s.class_id";

fn to_events(rows: Vec<SessionEvent>) -> Vec<Event> {
    rows.into_iter()
        .map(|r| Event {
            uid: format!("session-{}@cadre-training", r.id),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            summary: format!("{} ({})", r.class_title, r.class_code),
            location: r.venue,
            description: format!("Giảng viên / Instructor: {}", r.instructor),
            cancelled: r.status == "cancelled",
        })
        .collect()
}

fn calendar() -> ContentType {
    ContentType::new("text", "calendar").with_params(("charset", "utf-8"))
}

/// The iCalendar feed of a class: every session with its venue (no login: no personal data).
#[utoipa::path(tag = "calendar",
    params(("code" = String, Path, description = "Class code")),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorEnvelope)))]
#[get("/api/classes/<code>/calendar.ics")]
pub async fn class_feed(state: &State<AppState>, code: &str) -> AppResult<(ContentType, String)> {
    let code = code.trim().to_uppercase();
    let sql =
        format!("{EVENTS_SQL} WHERE c.code = $1 AND c.status <> 'planned' ORDER BY s.starts_at");
    let rows: Vec<SessionEvent> = on_db!(&state.db, |p| sqlx::query_as(&sql)
        .bind(&code)
        .fetch_all(p)
        .await?);
    if rows.is_empty() {
        return Err(AppError::not_found(crate::msg!(
            NoPublishedClass,
            code = code
        )));
    }
    let name = format!("{} ({code})", rows[0].class_title);
    Ok((
        calendar(),
        render(&name, &to_events(rows), state.clock.now()),
    ))
}

/// A class's calendar, whatever its status (a cancelled class's sessions are marked cancelled):
/// what an e-mail notice about the class carries. `None`: no such class or no session.
pub async fn class_calendar(
    db: &Db,
    class_id: i64,
    now: DateTime<Utc>,
) -> AppResult<Option<String>> {
    let sql = format!("{EVENTS_SQL} WHERE c.id = $1 ORDER BY s.starts_at");
    let rows: Vec<SessionEvent> = on_db!(db, |p| sqlx::query_as(&sql)
        .bind(class_id)
        .fetch_all(p)
        .await?);
    if rows.is_empty() {
        return Ok(None);
    }
    let name = format!("{} ({})", rows[0].class_title, rows[0].class_code);
    Ok(Some(render(&name, &to_events(rows), now)))
}

/// Sessions of the classes a cadre holds a seat in (not finished), from `since`, in time order.
pub async fn cadre_sessions(
    ex: impl Into<Exec<'_>>,
    cadre_id: i64,
    since: DateTime<Utc>,
) -> AppResult<Vec<Event>> {
    let sql = format!(
        "{EVENTS_SQL} WHERE s.ends_at >= $2 AND c.status IN ('open', 'running', 'cancelled')
           AND c.id IN (SELECT class_id FROM enrolments WHERE cadre_id = $1 AND status = 'enrolled')
         ORDER BY s.starts_at"
    );
    let rows: Vec<SessionEvent> = on_exec!(ex, |c| sqlx::query_as(&sql)
        .bind(cadre_id)
        .bind(since)
        .fetch_all(&mut *c)
        .await?);
    Ok(to_events(rows))
}

/// A cadre's calendar feed, by its secret token (`/api/feeds/<token>.ics`): their upcoming sessions.
#[utoipa::path(tag = "calendar",
    params(("file" = String, Path, description = "The feed token followed by .ics")),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorEnvelope)))]
#[get("/api/feeds/<file>")]
pub async fn cadre_feed(state: &State<AppState>, file: &str) -> AppResult<(ContentType, String)> {
    let not_found = || AppError::not_found(crate::msg!(NoCalendarFeed));
    let token = file.strip_suffix(".ics").ok_or_else(not_found)?;
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    let hash = hash_token(token);
    let cadre: Option<(i64, String)> = on_db!(&state.db, |p| {
        sqlx::query_as(
            "SELECT c.id, c.full_name FROM feed_tokens f JOIN cadres c ON c.id = f.cadre_id
             WHERE f.token_hash = $1 AND f.hashed
               AND EXISTS (SELECT 1 FROM accounts a WHERE a.cadre_id = f.cadre_id AND a.active)",
        )
        .bind(&hash)
        .fetch_optional(p)
        .await?
    });
    let (id, name) = cadre.ok_or_else(not_found)?;
    let now = state.clock.now();
    let events = cadre_sessions(&state.db, id, now - chrono::Duration::days(30)).await?;
    Ok((
        calendar(),
        render(&format!("Lịch học — {name}"), &events, now),
    ))
}

/// The stored form of a feed token: its SHA-256, hex (the token is 32 random bytes, so a plain
/// hash is enough: there is nothing to guess).
pub fn hash_token(token: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.to_ascii_lowercase().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Replaces the plain tokens kept before migration 0009 by their hashes, so the links already
/// given out keep working. Run at start; a no-op once done.
pub async fn hash_legacy_tokens(db: &Db) -> AppResult<usize> {
    let plain: Vec<(i64, String)> = on_db!(db, |p| sqlx::query_as(
        "SELECT cadre_id, token_hash FROM feed_tokens WHERE NOT hashed"
    )
    .fetch_all(p)
    .await?);
    if plain.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    for (cadre_id, token) in &plain {
        on_tx!(&mut tx, |c| {
            sqlx::query(
            "UPDATE feed_tokens SET token_hash = $1, hashed = TRUE WHERE cadre_id = $2 AND NOT hashed"
        )
        .bind(hash_token(token))
        .bind(cadre_id)
        .execute(&mut *c)
        .await
        .map(|_| ())?
        });
    }
    tx.commit().await?;
    tracing::info!(
        feeds = plain.len(),
        "calendar-feed tokens are now kept as hashes"
    );
    Ok(plain.len())
}

/// Ends the calendar feed of a cadre (their account was deactivated or linked elsewhere).
pub async fn end_feed(tx: &mut crate::db::Tx, cadre_id: i64) -> AppResult<()> {
    on_tx!(tx, |c| sqlx::query(
        "DELETE FROM feed_tokens WHERE cadre_id = $1"
    )
    .bind(cadre_id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// A calendar-subscription link. Shown once: only its hash is kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedToken {
    /// The secret token.
    pub token: String,
    /// Path of the feed, to prefix with the service's address.
    pub path: String,
}

fn own_cadre(user: &AuthUser) -> AppResult<i64> {
    user.cadre_id
        .ok_or_else(|| AppError::Forbidden(crate::msg!(NotLinkedToCadre)))
}

/// Creates (or replaces, revoking the old link) the caller's calendar-feed token. Cadre accounts.
#[utoipa::path(tag = "calendar", security(("bearer" = [])),
    responses((status = 200, body = FeedToken), (status = 403, body = ErrorEnvelope)))]
#[post("/api/me/calendar-token")]
pub async fn create_feed_token(
    state: &State<AppState>,
    user: AuthUser,
) -> AppResult<Json<FeedToken>> {
    let cadre_id = own_cadre(&user)?;
    let token = crate::auth::secret::random_hex(32).map_err(AppError::Internal)?;
    let mut tx = state.db.begin().await?;
    on_tx!(&mut tx, |c| {
        sqlx::query("DELETE FROM feed_tokens WHERE cadre_id = $1")
            .bind(cadre_id)
            .execute(&mut *c)
            .await?;
        sqlx::query("INSERT INTO feed_tokens (cadre_id, token_hash, hashed, created_at) VALUES ($1, $2, TRUE, $3)")
            .bind(cadre_id)
            .bind(hash_token(&token))
            .bind(state.clock.now())
            .execute(&mut *c)
            .await?;
    });
    crate::audit::record(
        &mut tx,
        &user.actor(),
        "create",
        "feed_token",
        &cadre_id.to_string(),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(FeedToken {
        path: format!("/api/feeds/{token}.ics"),
        token,
    }))
}

/// Revokes the caller's calendar-feed token: the old link stops working.
#[utoipa::path(tag = "calendar", security(("bearer" = [])),
    responses((status = 204), (status = 403, body = ErrorEnvelope)))]
#[delete("/api/me/calendar-token")]
pub async fn revoke_feed_token(
    state: &State<AppState>,
    user: AuthUser,
) -> AppResult<rocket::http::Status> {
    let cadre_id = own_cadre(&user)?;
    let mut tx = state.db.begin().await?;
    on_tx!(&mut tx, |c| sqlx::query(
        "DELETE FROM feed_tokens WHERE cadre_id = $1"
    )
    .bind(cadre_id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    crate::audit::record(
        &mut tx,
        &user.actor(),
        "revoke",
        "feed_token",
        &cadre_id.to_string(),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(rocket::http::Status::NoContent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_escaped_folded_crlf() {
        let t = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let e = Event {
            uid: "session-1@x".into(),
            starts_at: t("2027-01-10T01:00:00Z"),
            ends_at: t("2027-01-10T04:00:00Z"),
            summary: "Kỹ năng vận động quần chúng; lớp 1, khóa 2".into(),
            location: "Hội trường A".into(),
            description: "x".repeat(100),
            cancelled: false,
        };
        let out = render("Lịch", &[e], t("2026-11-26T00:00:00Z"));
        assert!(out.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(out.contains("DTSTART:20270110T010000Z\r\n"));
        assert!(out.contains("SUMMARY:Kỹ năng vận động quần chúng\\; lớp 1\\, khóa 2\r\n"));
        assert!(out.ends_with("END:VCALENDAR\r\n"));
        for line in out.split("\r\n") {
            assert!(line.len() <= 75, "line over 75 octets: {line:?}");
        }
        assert!(out.contains("\r\n xxxx"), "long lines are folded");
    }
}
