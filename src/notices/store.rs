//! Storage of notices: written in the event's transaction, read by their account, and the e-mail
//! outbox the sender claims rows from (`migrations/*/0015_notices.sql`).
//!
//! Notices are not data (`db::version::OUTSIDE_DATA`): every write here notes the rows it changed
//! ([`Tx::outside_data`]), so that reading or mailing a notice leaves the data version, and with
//! it every cached record, as it was.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::domain::NoticeKind;
use crate::api::PageParams;
use crate::db::{Db, Tx};
use crate::error::AppResult;
use crate::{on_db, on_tx};

/// A notice to write for a cadre: to the cadre's own account and to the officers of the cadre's
/// unit.
pub struct NewNotice<'a> {
    /// The cadre it is about.
    pub cadre_id: i64,
    /// The class it is about, if any.
    pub class_id: Option<i64>,
    /// What it tells of.
    pub kind: NoticeKind,
    /// The values its words name (the cadre's name is added here).
    pub params: Map<String, Value>,
    /// A key making it once-only (reminders): with the account's id appended, unique.
    pub dedupe: Option<&'a str>,
    /// When.
    pub at: DateTime<Utc>,
    /// Whether the server sends e-mail at all (else no notice waits for the mail).
    pub mail_on: bool,
}

/// Writes one notice per recipient of the cadre's: their active account, and the active officer
/// accounts whose home unit is the cadre's unit. A recipient with an address (the account's, else
/// its cadre's) and the kind not turned off gets it queued for e-mail too. Returns how many were
/// written (a once-only notice already written is not written again).
pub async fn notify(tx: &mut Tx, n: NewNotice<'_>) -> AppResult<u64> {
    let name: Option<String> = on_tx!(tx, |c| {
        sqlx::query_scalar("SELECT full_name FROM cadres WHERE id = $1")
            .bind(n.cadre_id)
            .fetch_optional(&mut *c)
            .await?
    });
    let Some(name) = name else { return Ok(0) };
    let mut params = n.params;
    params.insert("cadre".into(), Value::String(name));
    let params = Value::Object(params).to_string();
    let sql = "INSERT INTO notices (account_id, kind, cadre_id, class_id, params, dedupe, created_at, mail_state, next_attempt)
         SELECT a.id, $2, $1, $3, $4, CASE WHEN $5 = '' THEN NULL ELSE $5 || ':' || CAST(a.id AS TEXT) END, $6,
                CASE WHEN $7 AND COALESCE(a.email, c.email) IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM notice_mail_off o WHERE o.account_id = a.id AND o.kind = $2)
                     THEN 'pending' ELSE 'none' END,
                $8
         FROM accounts a LEFT JOIN cadres c ON c.id = a.cadre_id
         WHERE a.active AND (a.cadre_id = $1
               OR (a.role = 'officer' AND a.unit_code = (SELECT unit_code FROM cadres WHERE id = $1)))
         ON CONFLICT (dedupe) DO NOTHING";
    let written = on_tx!(tx, |c| {
        sqlx::query(sql)
            .bind(n.cadre_id)
            .bind(n.kind.as_str())
            .bind(n.class_id)
            .bind(&params)
            .bind(n.dedupe.unwrap_or(""))
            .bind(n.at)
            .bind(n.mail_on)
            .bind(n.at.timestamp())
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    tx.outside_data(written);
    Ok(written)
}

/// The cadres of a class holding a seat, a waitlist place or either (`seats`), in enrolment
/// order, for a notice to each.
pub async fn class_cadres(tx: &mut Tx, class_id: i64, seats: Seats) -> AppResult<Vec<i64>> {
    let statuses = match seats {
        Seats::Held => "'enrolled'",
        Seats::Waiting => "'waitlisted'",
        Seats::HeldOrWaiting => "'enrolled', 'waitlisted'",
    };
    let sql = format!(
        "SELECT cadre_id FROM enrolments WHERE class_id = $1 AND status IN ({statuses}) ORDER BY id"
    );
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(&sql)
            .bind(class_id)
            .fetch_all(&mut *c)
            .await?
    }))
}

/// Which of a class's cadres a notice goes to.
#[derive(Debug, Clone, Copy)]
pub enum Seats {
    /// Those holding a seat.
    Held,
    /// Those still on the waitlist.
    Waiting,
    /// Both.
    HeldOrWaiting,
}

/// A notice as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct NoticeRow {
    /// Id.
    pub id: i64,
    /// Kind, as stored.
    pub kind: String,
    /// The cadre it is about.
    pub cadre_id: Option<i64>,
    /// The class it is about.
    pub class_id: Option<i64>,
    /// Its parameters (a JSON object).
    pub params: String,
    /// Written at.
    pub created_at: DateTime<Utc>,
    /// Read at.
    pub read_at: Option<DateTime<Utc>>,
    /// `none`, `pending`, `sent`, `failed`.
    pub mail_state: String,
}

/// An account's notices, newest first (only the unread ones if asked), with the total of that
/// selection and the account's unread count.
pub async fn list(
    db: &Db,
    account_id: i64,
    unread_only: bool,
    page: PageParams,
) -> AppResult<(i64, i64, Vec<NoticeRow>)> {
    let filter = if unread_only {
        " AND read_at IS NULL"
    } else {
        ""
    };
    let count = format!("SELECT COUNT(*) FROM notices WHERE account_id = $1{filter}");
    let rows = format!(
        "SELECT id, kind, cadre_id, class_id, params, created_at, read_at, mail_state
         FROM notices WHERE account_id = $1{filter} ORDER BY id DESC LIMIT {} OFFSET {}",
        page.limit, page.offset
    );
    Ok(on_db!(db, |p| {
        let total: i64 = sqlx::query_scalar(&count)
            .bind(account_id)
            .fetch_one(p)
            .await?;
        let unread: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notices WHERE account_id = $1 AND read_at IS NULL",
        )
        .bind(account_id)
        .fetch_one(p)
        .await?;
        let rows: Vec<NoticeRow> = sqlx::query_as(&rows).bind(account_id).fetch_all(p).await?;
        (total, unread, rows)
    }))
}

/// How many of an account's notices are unread.
pub async fn unread(db: &Db, account_id: i64) -> AppResult<i64> {
    Ok(on_db!(db, |p| {
        sqlx::query_scalar("SELECT COUNT(*) FROM notices WHERE account_id = $1 AND read_at IS NULL")
            .bind(account_id)
            .fetch_one(p)
            .await?
    }))
}

/// Marks one of the account's notices read (already read: unchanged). `false`: the account has
/// no such notice.
pub async fn mark_read(
    tx: &mut Tx,
    account_id: i64,
    id: i64,
    at: DateTime<Utc>,
) -> AppResult<bool> {
    let found: Option<i64> = on_tx!(tx, |c| {
        sqlx::query_scalar(
            "UPDATE notices SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND account_id = $2 RETURNING id",
        )
        .bind(id)
        .bind(account_id)
        .bind(at)
        .fetch_optional(&mut *c)
        .await?
    });
    tx.outside_data(u64::from(found.is_some()));
    Ok(found.is_some())
}

/// Marks every unread notice of the account read; returns how many.
pub async fn mark_all_read(tx: &mut Tx, account_id: i64, at: DateTime<Utc>) -> AppResult<u64> {
    let marked = on_tx!(tx, |c| {
        sqlx::query("UPDATE notices SET read_at = $2 WHERE account_id = $1 AND read_at IS NULL")
            .bind(account_id)
            .bind(at)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    tx.outside_data(marked);
    Ok(marked)
}

/// Deletes every notice of the account (and so any mail of them still waiting); returns how
/// many. For an account that now sees other cadres than those it was told about.
pub async fn drop_for_account(tx: &mut Tx, account_id: i64) -> AppResult<u64> {
    let dropped = on_tx!(tx, |c| {
        sqlx::query("DELETE FROM notices WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *c)
            .await?
            .rows_affected()
    });
    tx.outside_data(dropped);
    Ok(dropped)
}

/// An account's notice settings as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct SettingsRow {
    /// The account's own address.
    pub email: Option<String>,
    /// Its cadre's address (used when the account has none).
    pub cadre_email: Option<String>,
    /// `vi` or `en`.
    pub lang: String,
}

/// An account's settings and the kinds it gets no e-mail of.
pub async fn settings(db: &Db, account_id: i64) -> AppResult<(SettingsRow, Vec<String>)> {
    Ok(on_db!(db, |p| {
        let row: SettingsRow = sqlx::query_as(
            "SELECT a.email, c.email AS cadre_email, a.lang FROM accounts a LEFT JOIN cadres c ON c.id = a.cadre_id WHERE a.id = $1",
        )
        .bind(account_id)
        .fetch_one(p)
        .await?;
        let off: Vec<String> = sqlx::query_scalar(
            "SELECT kind FROM notice_mail_off WHERE account_id = $1 ORDER BY kind",
        )
        .bind(account_id)
        .fetch_all(p)
        .await?;
        (row, off)
    }))
}

/// Replaces an account's address, language and the kinds it gets no e-mail of.
pub async fn set_settings(
    tx: &mut Tx,
    account_id: i64,
    email: Option<&str>,
    lang: &str,
    off: &[NoticeKind],
) -> AppResult<()> {
    let outside = on_tx!(tx, |c| {
        // The account's row is data (its address and language); the kinds turned off are not.
        sqlx::query("UPDATE accounts SET email = $2, lang = $3 WHERE id = $1")
            .bind(account_id)
            .bind(email)
            .bind(lang)
            .execute(&mut *c)
            .await?;
        let mut rows = sqlx::query("DELETE FROM notice_mail_off WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *c)
            .await?
            .rows_affected();
        for k in off {
            rows += sqlx::query("INSERT INTO notice_mail_off (account_id, kind) VALUES ($1, $2)")
                .bind(account_id)
                .bind(k.as_str())
                .execute(&mut *c)
                .await?
                .rows_affected();
        }
        rows
    });
    tx.outside_data(outside);
    Ok(())
}

/// A notice claimed for e-mail, with what the message needs.
#[derive(Debug, sqlx::FromRow)]
pub struct OutboxRow {
    /// Id.
    pub id: i64,
    /// Kind, as stored.
    pub kind: String,
    /// Its parameters (a JSON object).
    pub params: String,
    /// The class it is about.
    pub class_id: Option<i64>,
    /// Tries so far, this one included.
    pub attempts: i64,
    /// The address: the account's, else its cadre's.
    pub mail_to: Option<String>,
    /// The account's language.
    pub lang: String,
}

/// Claims up to `limit` notices whose e-mail is due at `now` (seconds) and not claimed by another
/// sender, for `lease` seconds, counting the try. On PostgreSQL the rows are taken with
/// `FOR UPDATE SKIP LOCKED`, so two app servers claiming at once take different rows; SQLite has
/// one writer at a time. A claim whose sender died runs out and the row is claimed again.
pub async fn claim(db: &Db, now: i64, lease: i64, limit: i64) -> AppResult<Vec<OutboxRow>> {
    let mut tx = db.begin().await?;
    let lock = if !db.is_sqlite() {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE notices SET claimed_until = $1 + $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM notices WHERE mail_state = 'pending' AND next_attempt <= $1
                      AND claimed_until <= $1 ORDER BY id LIMIT $3{lock})
         RETURNING id"
    );
    let ids: Vec<i64> = on_tx!(&mut tx, |c| {
        sqlx::query_scalar(&sql)
            .bind(now)
            .bind(lease)
            .bind(limit)
            .fetch_all(&mut *c)
            .await?
    });
    tx.outside_data(ids.len() as u64);
    let rows: Vec<OutboxRow> = if ids.is_empty() {
        vec![]
    } else {
        let sql = format!(
            "SELECT n.id, n.kind, n.params, n.class_id, n.attempts, COALESCE(a.email, c.email) AS mail_to, a.lang
             FROM notices n JOIN accounts a ON a.id = n.account_id LEFT JOIN cadres c ON c.id = a.cadre_id
             WHERE n.id IN ({}) ORDER BY n.id",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
        );
        on_tx!(&mut tx, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await?)
    };
    tx.commit().await?;
    Ok(rows)
}

/// Records a notice's e-mail as sent.
pub async fn mark_sent(db: &Db, id: i64, at: DateTime<Utc>) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let rows = on_tx!(&mut tx, |c| {
        sqlx::query("UPDATE notices SET mail_state = 'sent', sent_at = $2, last_error = NULL, claimed_until = 0 WHERE id = $1")
            .bind(id)
            .bind(at)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())
    })?;
    tx.outside_data(rows);
    tx.commit().await
}

/// Gives claimed notices back untried (the relay could not be reached for an earlier one of the
/// round): due again at once, the claim's try not counted.
pub async fn release(db: &Db, ids: &[i64]) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "UPDATE notices SET claimed_until = 0, attempts = attempts - 1
         WHERE mail_state = 'pending' AND id IN ({})",
        ids.join(", ")
    );
    let rows = on_tx!(&mut tx, |c| sqlx::query(&sql)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    tx.outside_data(rows);
    tx.commit().await
}

/// Records a failed try: the e-mail waits until `next_attempt` (seconds), or is given up as
/// `failed`. `error` is what the server said (no personal data: the address is not in it).
pub async fn mark_retry(
    db: &Db,
    id: i64,
    next_attempt: i64,
    give_up: bool,
    error: &str,
) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let rows = on_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE notices SET mail_state = CASE WHEN $3 THEN 'failed' ELSE 'pending' END,
                    next_attempt = $2, claimed_until = 0, last_error = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(next_attempt)
        .bind(give_up)
        .bind(error)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
    })?;
    tx.outside_data(rows);
    tx.commit().await
}
