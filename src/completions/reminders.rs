//! Reminders by the city clock: a class starting within `reminder_days` days, a session tomorrow
//! (told from 18:00 the evening before), a completion going stale within `stale_notice_days` —
//! each to the cadre and the officers of the cadre's unit, through the notices.
//!
//! A sweep runs on every app server every `reminder_sweep_secs`; each reminder carries a once-only
//! key (the class, session or completion, and the cadre), so sweeps, restarts and several app
//! servers never tell the same thing twice. A sweep that finds nothing new writes nothing.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde_json::json;

use super::service::going_stale;
use crate::config::AppConfig;
use crate::curriculum::domain::valid_until;
use crate::db::Db;
use crate::error::AppResult;
use crate::notices::{NoticeKind, Notifier};
use crate::on_db;
use crate::shared::clock::Clock;

/// When the evening reminder of tomorrow's sessions starts, city time.
const EVENING: (u32, u32) = (18, 0);

#[derive(Debug, sqlx::FromRow)]
struct UpcomingSession {
    session_id: i64,
    class_id: i64,
    code: String,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    venue: String,
    first_start: DateTime<Utc>,
}

/// What a sweep wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Notices of classes starting soon.
    pub starts_soon: u64,
    /// Notices of sessions tomorrow.
    pub tomorrow: u64,
    /// Notices of trainings going stale.
    pub stale: u64,
}

/// One sweep at the clock's now; the stale trainings too if `stale` (the loop looks at them once a
/// city day: the window is counted in days).
pub async fn sweep(db: &Db, cfg: &AppConfig, clock: &Clock, stale: bool) -> AppResult<Swept> {
    let now = clock.now();
    let today = clock.today();
    let notifier = Notifier {
        at: now,
        mail_on: cfg.mail_enabled(),
    };
    let horizon = clock.start_of(today + Duration::days(cfg.reminder_days + 1));
    let sql = "SELECT s.id AS session_id, c.id AS class_id, c.code, c.title, s.starts_at, s.ends_at, s.venue,
                      (SELECT MIN(f.starts_at) FROM class_sessions f WHERE f.class_id = c.id) AS first_start
               FROM class_sessions s JOIN classes c ON c.id = s.class_id
               WHERE c.status IN ('open', 'running') AND s.starts_at >= $1 AND s.starts_at < $2
               ORDER BY s.starts_at, s.id";
    let sessions: Vec<UpcomingSession> = on_db!(db, |p| sqlx::query_as(sql)
        .bind(now)
        .bind(horizon)
        .fetch_all(p)
        .await?);
    let evening = clock.to_local(now).time()
        >= NaiveTime::from_hms_opt(EVENING.0, EVENING.1, 0).expect("a time");
    let tomorrow = today + Duration::days(1);
    let mut done = Swept::default();
    let mut tx = db.begin().await?;
    for s in &sessions {
        let day = clock.date_of(s.starts_at);
        let (date, start, end) = crate::classes::domain::city_span(clock, s.starts_at, s.ends_at);
        let first = s.starts_at == s.first_start;
        let is_tomorrow = day == tomorrow && evening;
        if !first && !is_tomorrow {
            continue;
        }
        // The waitlisted are not reminded.
        for cadre in crate::notices::store::class_cadres(
            &mut tx,
            s.class_id,
            crate::notices::store::Seats::Held,
        )
        .await?
        {
            if first {
                let key = format!("starts:{}:{cadre}", s.class_id);
                done.starts_soon += notifier
                    .tell_once(
                        &mut tx,
                        cadre,
                        Some(s.class_id),
                        NoticeKind::ClassStartsSoon,
                        json!({"class": s.code, "title": s.title, "date": date, "start": start,
                               "venue": s.venue, "days": (day - today).num_days()}),
                        Some(&key),
                    )
                    .await?;
            }
            if is_tomorrow {
                let key = format!("session:{}:{cadre}", s.session_id);
                done.tomorrow += notifier
                    .tell_once(
                        &mut tx,
                        cadre,
                        Some(s.class_id),
                        NoticeKind::SessionTomorrow,
                        json!({"class": s.code, "title": s.title, "date": date, "start": start,
                               "end": end, "venue": s.venue}),
                        Some(&key),
                    )
                    .await?;
            }
        }
    }
    let going = if stale {
        going_stale(db, None, None, today, cfg.stale_notice_days).await?
    } else {
        vec![]
    };
    for r in going {
        let Some(until) = valid_until(r.completed_on, r.validity_years) else {
            continue;
        };
        let key = format!("stale:{}:{}", r.id, r.cadre_id);
        done.stale += notifier
            .tell_once(
                &mut tx,
                r.cadre_id,
                None,
                NoticeKind::TrainingStaleSoon,
                json!({"module": r.module_code, "module_title": r.module_title_vi,
                       "module_title_en": r.module_title_en, "date": until}),
                Some(&key),
            )
            .await?;
    }
    tx.commit().await?;
    Ok(done)
}

/// Starts the reminder sweeps on this app server (none with `reminder_sweep_secs = 0`).
pub fn start(db: Db, cfg: AppConfig, clock: Arc<Clock>, shutdown: rocket::Shutdown) {
    if cfg.reminder_sweep_secs == 0 {
        return;
    }
    rocket::tokio::spawn(async move {
        let every = StdDuration::from_secs(cfg.reminder_sweep_secs);
        let mut stale_swept_on = None;
        loop {
            rocket::tokio::select! {
                _ = shutdown.clone() => break,
                _ = rocket::tokio::time::sleep(every) => {}
            }
            let today = clock.today();
            let stale = stale_swept_on != Some(today);
            match sweep(&db, &cfg, &clock, stale).await {
                Ok(_) if stale => stale_swept_on = Some(today),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "the reminder sweep failed; it runs again later")
                }
            }
        }
    });
}
