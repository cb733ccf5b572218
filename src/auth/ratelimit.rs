//! Throttling of password guesses, kept in the database so every app server behind a load balancer
//! shares the counts.
//!
//! Each attempt is **reserved before the password is verified**: its rows are inserted (committed)
//! first, then counted, so whatever the concurrency only the first `max` rows of a window pass and
//! reach the (expensive) hash; a refused attempt removes its rows, a successful one too.
//!
//! A login attempt carries three keys (see [`Limits`]):
//! - the account and the address together (`pair:`): `max` failures per window, then 429 — an
//!   attacker's address is stopped without touching anyone else;
//! - the address alone (`ip:`): `4 × max` failures per window, across accounts (one address trying
//!   many usernames);
//! - the account alone (`user:`), softly: past `2 × max` failures in the window from anywhere,
//!   attempts from addresses the account has never logged in from are spaced out by a delay that
//!   doubles with every further failure (capped at 60 s). Addresses the account has logged in from
//!   within 30 days are exempt, so guesses from elsewhere never lock the owner out.
//!
//! Public certificate checks are limited with the same table ([`hit`], keys `cert:<address>`).

use chrono::{DateTime, Duration, Utc};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::on_db;

/// The limits of one kind of attempt.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failures per account and address (and per account for a password change) in the window.
    pub max: i64,
    /// The window, in seconds.
    pub window: i64,
}

/// Longest delay of the account-wide soft throttle, in seconds.
pub const MAX_SOFT_DELAY: i64 = 60;
/// How long a successful login makes an address known to the account.
pub const KNOWN_DAYS: i64 = 30;

/// A reserved attempt: its rows, to keep (failure) or release (success or refusal).
#[derive(Debug)]
pub struct Attempt {
    ids: Vec<i64>,
}

async fn insert(db: &Db, key: &str, at: DateTime<Utc>) -> AppResult<i64> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "INSERT INTO login_failures (key, at) VALUES ($1, $2) RETURNING id"
    )
    .bind(key)
    .bind(at)
    .fetch_one(p)
    .await?))
}

async fn count(
    db: &Db,
    key: &str,
    since: DateTime<Utc>,
) -> AppResult<(i64, Option<DateTime<Utc>>)> {
    Ok(on_db!(db, |p| sqlx::query_as(
        "SELECT COUNT(*), MIN(at) FROM login_failures WHERE key = $1 AND at > $2"
    )
    .bind(key)
    .bind(since)
    .fetch_one(p)
    .await?))
}

/// The latest attempt on `key` before this one's row `mine`.
async fn previous(db: &Db, key: &str, mine: i64) -> AppResult<Option<DateTime<Utc>>> {
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "SELECT MAX(at) FROM login_failures WHERE key = $1 AND id < $2"
    )
    .bind(key)
    .bind(mine)
    .fetch_one(p)
    .await?))
}

fn too_many(secs: i64) -> AppError {
    AppError::TooManyRequests {
        retry_after: secs.max(1) as u64,
    }
}

impl Attempt {
    /// Releases the rows of an attempt that must not count (it succeeded, or was refused).
    pub async fn release(self, db: &Db) -> AppResult<()> {
        for id in self.ids {
            on_db!(db, |p| sqlx::query(
                "DELETE FROM login_failures WHERE id = $1"
            )
            .bind(id)
            .execute(p)
            .await
            .map(|_| ()))?;
        }
        Ok(())
    }

    /// Keeps the rows (a failure), and forgets failures older than a day.
    pub async fn fail(self, db: &Db) -> AppResult<()> {
        let old = Utc::now() - Duration::days(1);
        on_db!(db, |p| sqlx::query(
            "DELETE FROM login_failures WHERE at < $1"
        )
        .bind(old)
        .execute(p)
        .await
        .map(|_| ()))?;
        Ok(())
    }
}

/// Reserves a login attempt for `username` from `addr`, or refuses it (429 with the seconds to wait).
pub async fn reserve_login(db: &Db, username: &str, addr: &str, lim: Limits) -> AppResult<Attempt> {
    let now = Utc::now();
    let since = now - Duration::seconds(lim.window);
    let keys = [
        (format!("pair:{username}|{addr}"), lim.max),
        (format!("ip:{addr}"), lim.max * 4),
        (format!("user:{username}"), i64::MAX),
    ];
    let mut attempt = Attempt { ids: vec![] };
    for (key, _) in &keys {
        attempt.ids.push(insert(db, key, now).await?);
    }
    for (key, max) in &keys[..2] {
        let (n, oldest) = count(db, key, since).await?;
        if n > *max {
            let wait = oldest.map_or(lim.window, |o| {
                (o + Duration::seconds(lim.window) - now).num_seconds()
            });
            attempt.release(db).await?;
            return Err(too_many(wait));
        }
    }
    // The account-wide soft throttle, for addresses the account does not know.
    let (n, _) = count(db, &keys[2].0, since).await?;
    let soft = lim.max * 2;
    if n > soft && !known(db, username, addr).await? {
        let delay = 1i64 << (n - soft - 1).clamp(0, 6);
        let delay = delay.min(MAX_SOFT_DELAY);
        let mine = attempt.ids[2];
        if let Some(prev) = previous(db, &keys[2].0, mine).await? {
            let waited = (now - prev).num_seconds();
            if waited < delay {
                attempt.release(db).await?;
                return Err(too_many(delay - waited));
            }
        }
    }
    Ok(attempt)
}

/// Reserves a guess of account `id`'s current password (a password change), or refuses it.
pub async fn reserve_password_check(db: &Db, id: i64, lim: Limits) -> AppResult<Attempt> {
    let now = Utc::now();
    let key = format!("pw:{id}");
    let attempt = Attempt {
        ids: vec![insert(db, &key, now).await?],
    };
    let (n, oldest) = count(db, &key, now - Duration::seconds(lim.window)).await?;
    if n > lim.max {
        let wait = oldest.map_or(lim.window, |o| {
            (o + Duration::seconds(lim.window) - now).num_seconds()
        });
        attempt.release(db).await?;
        return Err(too_many(wait));
    }
    Ok(attempt)
}

/// Whether `username` logged in from `addr` within [`KNOWN_DAYS`].
async fn known(db: &Db, username: &str, addr: &str) -> AppResult<bool> {
    let key = format!("{username}|{addr}");
    let since = Utc::now() - Duration::days(KNOWN_DAYS);
    let n: i64 = on_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_known WHERE key = $1 AND last_at > $2"
    )
    .bind(&key)
    .bind(since)
    .fetch_one(p)
    .await?);
    Ok(n > 0)
}

/// After a successful login: the account's failures from this address are forgotten and the
/// address becomes known to the account.
pub async fn succeeded(db: &Db, username: &str, addr: &str) -> AppResult<()> {
    let key = format!("{username}|{addr}");
    let now = Utc::now();
    on_db!(db, |p| {
        sqlx::query("DELETE FROM login_failures WHERE key = $1")
            .bind(format!("pair:{key}"))
            .execute(p)
            .await?;
        sqlx::query(
            "INSERT INTO login_known (key, last_at) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET last_at = excluded.last_at",
        )
        .bind(&key)
        .bind(now)
        .execute(p)
        .await?;
        sqlx::query("DELETE FROM login_known WHERE last_at < $1")
            .bind(now - Duration::days(KNOWN_DAYS))
            .execute(p)
            .await?;
    });
    Ok(())
}

/// Counts one request against `key`, refusing it (429, with the seconds until a slot frees up)
/// when `key` already made `max` within the last `window` seconds. The request is counted before
/// the answer (so concurrency cannot pass more than `max`); refused requests are not counted, so
/// a client that keeps hammering is let in again as soon as its window allows.
pub async fn hit(db: &Db, key: &str, max: i64, window: i64) -> AppResult<()> {
    let now = Utc::now();
    let id = insert(db, key, now).await?;
    let (n, oldest) = count(db, key, now - Duration::seconds(window)).await?;
    if n > max {
        let wait = oldest.map_or(window, |o| {
            (o + Duration::seconds(window) - now).num_seconds()
        });
        Attempt { ids: vec![id] }.release(db).await?;
        return Err(too_many(wait));
    }
    on_db!(db, |p| sqlx::query(
        "DELETE FROM login_failures WHERE key = $1 AND at <= $2"
    )
    .bind(key)
    .bind(now - Duration::seconds(window))
    .execute(p)
    .await
    .map(|_| ()))?;
    Ok(())
}
