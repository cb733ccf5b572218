//! Rate limits kept in the database, so every app server behind a load balancer shares the same
//! counts: at most `max` events per key within `window` seconds. The events are failed logins
//! (per username and per client address) and public certificate checks (per client address,
//! [`hit`]); all live in the `login_failures` table, keyed `user:…`, `ip:…` and `cert:…`.

use chrono::{Duration, Utc};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::on_db;

/// Refuses (429) when any key already has `max` failures inside the window.
pub async fn check(db: &Db, keys: &[String], max: i64, window: i64) -> AppResult<()> {
    let now = Utc::now();
    let since = now - Duration::seconds(window);
    for key in keys {
        let (count, oldest): (i64, Option<chrono::DateTime<Utc>>) = on_db!(db, |p| {
            let count: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at > $2",
            )
            .bind(key)
            .bind(since)
            .fetch_one(p)
            .await?;
            let oldest: Option<chrono::DateTime<Utc>> = sqlx::query_scalar(
                "SELECT at FROM login_failures WHERE key = $1 AND at > $2 ORDER BY at LIMIT 1",
            )
            .bind(key)
            .bind(since)
            .fetch_optional(p)
            .await?;
            (count, oldest)
        });
        if count >= max {
            let retry = oldest
                .map(|o| (o + Duration::seconds(window) - now).num_seconds().max(1))
                .unwrap_or(window);
            return Err(AppError::TooManyRequests {
                retry_after: retry as u64,
            });
        }
    }
    Ok(())
}

/// Counts one failure against each key, and forgets failures older than a day.
pub async fn record_failure(db: &Db, keys: &[String]) -> AppResult<()> {
    let now = Utc::now();
    on_db!(db, |p| {
        for key in keys {
            sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
                .bind(key)
                .bind(now)
                .execute(p)
                .await?;
        }
        sqlx::query("DELETE FROM login_failures WHERE at < $1")
            .bind(now - Duration::days(1))
            .execute(p)
            .await?;
    });
    Ok(())
}

/// Counts one request against `key`, refusing it (429, with the seconds until a slot frees up)
/// when `key` already made `max` within the last `window` seconds. Refused requests are not
/// counted, so a client that keeps hammering is let in again as soon as its window allows.
pub async fn hit(db: &Db, key: &str, max: i64, window: i64) -> AppResult<()> {
    check(db, &[key.to_string()], max, window).await?;
    let now = Utc::now();
    on_db!(db, |p| {
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
            .bind(key)
            .bind(now)
            .execute(p)
            .await?;
        sqlx::query("DELETE FROM login_failures WHERE key = $1 AND at <= $2")
            .bind(key)
            .bind(now - Duration::seconds(window))
            .execute(p)
            .await?;
    });
    Ok(())
}

/// Forgets the failures of one key (after a successful login).
pub async fn clear(db: &Db, key: &str) -> AppResult<()> {
    on_db!(db, |p| sqlx::query(
        "DELETE FROM login_failures WHERE key = $1"
    )
    .bind(key)
    .execute(p)
    .await
    .map(|_| ()))?;
    Ok(())
}
