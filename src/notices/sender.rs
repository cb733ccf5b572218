//! The e-mail sender: a background task on every app server that claims the notices whose e-mail
//! is due (`store::claim`), sends each over SMTP (`smtp`: lettre's protocol client on a socket of
//! our own, each session bounded by `smtp_timeout_secs`; an iCalendar attachment for a class
//! event), and marks it sent, or retries it with backoff, giving up after `mail_max_attempts`.
//!
//! Nothing is lost: a notice is in the outbox from its event's commit until a server has taken
//! it; with SMTP down the tries back off and the mail goes out when it is back. Each notice is
//! claimed by one sender at a time (`FOR UPDATE SKIP LOCKED` on PostgreSQL, one writer on SQLite),
//! so with several app servers each is sent once. A round starts no session that could outlast
//! its claim (a slow relay), and gives what it did not try back at once. A sender that dies
//! holding a claim leaves it to run out (`CLAIM_LEASE_SECS`) and another takes it (the one case a
//! message may go twice: sent, then the process died before marking it).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use serde_json::{Map, Value};

use super::domain::{render, NoticeKind};
use super::smtp::{Relay, RelaySettings};
use super::store::{self, OutboxRow};
use crate::config::AppConfig;
use crate::db::Db;
use crate::error::AppResult;
use crate::reasons::Lang;
use crate::shared::clock::Clock;

/// How long a claim holds a notice for its sender, in seconds.
pub const CLAIM_LEASE_SECS: i64 = 120;
const _: () = assert!((crate::config::MAX_SMTP_TIMEOUT_SECS as i64) < CLAIM_LEASE_SECS);
/// Notices claimed at a time.
const BATCH: i64 = 50;
/// The first retry waits this long; each next one twice as long, up to [`MAX_BACKOFF_SECS`].
const FIRST_BACKOFF_SECS: i64 = 30;
const MAX_BACKOFF_SECS: i64 = 6 * 3600;

/// The seconds to wait after the `attempts`-th failed try.
pub fn backoff(attempts: i64) -> i64 {
    let doublings = (attempts - 1).clamp(0, 20) as u32;
    FIRST_BACKOFF_SECS
        .saturating_mul(1 << doublings)
        .min(MAX_BACKOFF_SECS)
}

/// The SMTP relay and the sender address.
pub struct Mailer {
    relay: Relay,
    from: Mailbox,
}

impl Mailer {
    /// The mailer the configuration describes; `Ok(None)`: e-mail is off (no `smtp_host`).
    pub fn from_config(cfg: &AppConfig) -> Result<Option<Mailer>, String> {
        let Some(host) = cfg
            .smtp_host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())
        else {
            return Ok(None);
        };
        let from: Mailbox = cfg
            .mail_from
            .parse()
            .map_err(|e| format!("invalid configuration: mail_from: {e}"))?;
        let credentials = cfg
            .smtp_username
            .as_deref()
            .filter(|u| !u.is_empty())
            .map(|user| {
                let password = cfg.smtp_password.clone().unwrap_or_default();
                (user.to_string(), password)
            });
        let relay = Relay::new(RelaySettings {
            host,
            port: cfg.smtp_port,
            tls: &cfg.smtp_tls,
            ca_file: cfg.smtp_ca_file.as_deref().filter(|f| !f.is_empty()),
            hello_name: cfg
                .smtp_hello_name
                .as_deref()
                .filter(|n| !n.trim().is_empty()),
            credentials,
            timeout: Duration::from_secs(cfg.smtp_timeout_secs),
        })?;
        Ok(Some(Mailer { relay, from }))
    }
}

/// What one round of the sender did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// Messages the server accepted.
    pub sent: usize,
    /// Tries that failed and will be made again.
    pub retried: usize,
    /// Notices given up (permanent refusal, no address, or the last try).
    pub failed: usize,
}

/// The footer of every message.
fn footer(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "\n\n—\nThư tự động của hệ thống Đào tạo cán bộ dân vận TP. Hồ Chí Minh. Xem mọi thông báo và tắt thư theo từng loại ở trang Thông báo.",
        Lang::En => "\n\n—\nAn automatic message of the Ho Chi Minh City cadre training system. See every notice, and turn e-mail off kind by kind, on the Notices page.",
    }
}

/// The message of one claimed notice; `Err`: why it cannot be made (no usable address).
fn message(
    from: &Mailbox,
    row: &OutboxRow,
    calendar: Option<String>,
) -> Result<Message, &'static str> {
    let to: Mailbox = row
        .mail_to
        .as_deref()
        .ok_or("no address")?
        .parse()
        .map_err(|_| "address not usable")?;
    let kind = NoticeKind::parse(&row.kind).ok_or("unknown kind")?;
    let params = match serde_json::from_str(&row.params) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let lang = Lang::parse(&row.lang).unwrap_or_default();
    let (subject, text) = render(kind, &params, lang);
    let body = SinglePart::plain(format!("{text}{}", footer(lang)));
    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject);
    let built = match calendar {
        Some(ics) => {
            let name = format!(
                "{}.ics",
                params
                    .get("class")
                    .and_then(Value::as_str)
                    .unwrap_or("lop-hoc")
                    .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
            );
            let ics_type = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                .map_err(|_| "calendar type")?;
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(body)
                    .singlepart(Attachment::new(name).body(ics, ics_type)),
            )
        }
        None => builder.singlepart(body),
    };
    built.map_err(|_| "message not buildable")
}

/// One round: claims the notices whose e-mail is due at `now` (a batch) and sends them.
pub async fn deliver_due(
    db: &Db,
    cfg: &AppConfig,
    mailer: &Mailer,
    now: DateTime<Utc>,
) -> AppResult<Delivery> {
    deliver_batch(db, cfg, mailer, now, BATCH).await
}

/// As [`deliver_due`], claiming at most `limit` notices.
pub async fn deliver_batch(
    db: &Db,
    cfg: &AppConfig,
    mailer: &Mailer,
    now: DateTime<Utc>,
    limit: i64,
) -> AppResult<Delivery> {
    let lease = Duration::from_secs(CLAIM_LEASE_SECS.unsigned_abs());
    deliver_within(db, cfg, mailer, now, limit, lease).await
}

/// As [`deliver_batch`], the notices claimed for `lease`. No message's session starts that could
/// still run when the claim runs out (the round's time so far plus the session bound): the rest
/// go back untried, so a slow relay never lets another app server claim, and send again, a
/// notice this one is still sending.
pub async fn deliver_within(
    db: &Db,
    cfg: &AppConfig,
    mailer: &Mailer,
    now: DateTime<Utc>,
    limit: i64,
    lease: Duration,
) -> AppResult<Delivery> {
    let started = Instant::now();
    let mut done = Delivery::default();
    let claimed = store::claim(db, now.timestamp(), lease.as_secs() as i64, limit).await?;
    let mut rows = claimed.into_iter().peekable();
    while let Some(row) = rows.next_if(|_| started.elapsed() + mailer.relay.bound() <= lease) {
        let about_class = NoticeKind::parse(&row.kind).is_some_and(NoticeKind::about_a_class);
        let calendar = match (about_class, row.class_id) {
            (true, Some(class)) => crate::calendar::class_calendar(db, class, now).await?,
            _ => None,
        };
        let give_up_at = cfg.mail_max_attempts;
        let msg = match message(&mailer.from, &row, calendar) {
            Ok(msg) => msg,
            Err(why) => {
                store::mark_retry(db, row.id, now.timestamp(), true, why).await?;
                done.failed += 1;
                continue;
            }
        };
        let Err(e) = mailer.relay.send(msg.envelope(), &msg.formatted()).await else {
            store::mark_sent(db, row.id, Utc::now()).await?;
            done.sent += 1;
            continue;
        };
        let give_up = e.is_permanent() || row.attempts >= give_up_at;
        let next = now.timestamp() + backoff(row.attempts);
        let why = e.label();
        store::mark_retry(db, row.id, next, give_up, &why).await?;
        tracing::warn!(notice = row.id, attempt = row.attempts, give_up, error = %why, "e-mail not sent");
        if give_up {
            done.failed += 1;
        } else {
            done.retried += 1;
        }
        if e.is_timeout() {
            // The relay did not answer in time: the rest of the round would wait for it in turn,
            // each up to the session bound, and outlive their claim (another app server would
            // then claim and send them as well). They go back untried, for the next round.
            break;
        }
    }
    let rest: Vec<i64> = rows.map(|r| r.id).collect();
    store::release(db, &rest).await?;
    Ok(done)
}

/// Starts the sender on this app server: a round every `mail_poll_secs` (sooner while there is
/// more to send) until the server shuts down. With no SMTP configured it logs that e-mail is off
/// and sends nothing (the inbox works without it).
pub fn start(db: Db, cfg: AppConfig, clock: Arc<Clock>, shutdown: rocket::Shutdown) {
    let mailer = match Mailer::from_config(&cfg) {
        Ok(Some(m)) => m,
        Ok(None) => {
            tracing::info!(
                "e-mail notices are off (no smtp_host configured); the inbox works without them"
            );
            return;
        }
        Err(e) => {
            tracing::error!("e-mail notices are off: {e}");
            return;
        }
    };
    tracing::info!(port = cfg.smtp_port, tls = %cfg.smtp_tls, "e-mail notices are on");
    rocket::tokio::spawn(async move {
        let poll = Duration::from_secs(cfg.mail_poll_secs);
        let mut wait = poll;
        loop {
            rocket::tokio::select! {
                _ = shutdown.clone() => break,
                _ = rocket::tokio::time::sleep(wait) => {}
            }
            wait = match deliver_due(&db, &cfg, &mailer, clock.now()).await {
                // A full batch: there may be more waiting.
                Ok(d) if (d.sent + d.retried + d.failed) as i64 >= BATCH => {
                    Duration::from_millis(50)
                }
                Ok(_) => poll,
                Err(e) => {
                    tracing::warn!(error = %e, "the e-mail outbox could not be read");
                    poll
                }
            };
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(
            (1..=6).map(backoff).collect::<Vec<_>>(),
            [30, 60, 120, 240, 480, 960]
        );
        assert_eq!(backoff(40), 6 * 3600);
        assert_eq!(backoff(0), 30);
    }
}
