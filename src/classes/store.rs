//! Storage of classes and sessions, and the conflict queries.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

use super::domain::{key, ClassStatus};
/// What a write takes (checked in `domain`; named here too, as the generator writes classes).
pub use super::domain::{ClassWrite, SessionWrite};
use crate::auth::Scope;
use crate::db::Exec;
use crate::db::{Db, Tx};
use crate::error::AppResult;
use crate::on_exec;
use crate::{on_db, on_tx};

/// A class as stored, with its module.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClassRow {
    /// Internal id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Module id.
    pub module_id: i64,
    /// Module code.
    pub module_code: String,
    /// Module title (Vietnamese) of the edition taught.
    pub module_title_vi: String,
    /// Module title (English) of the edition taught.
    pub module_title_en: String,
    /// Module version taught.
    pub module_version: i64,
    /// Title.
    pub title: String,
    /// Organiser.
    pub organiser: String,
    /// Seats.
    pub capacity: i64,
    /// First day of enrolment.
    pub enrol_opens: NaiveDate,
    /// Last day of enrolment.
    pub enrol_closes: NaiveDate,
    /// Status name.
    pub status: ClassStatus,
    /// Attendance share needed for a completion, in percent.
    pub min_attendance_pct: i64,
    /// Day it finished.
    pub finished_on: Option<NaiveDate>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
}

/// A class with its module's code and the titles of the module's edition it teaches.
const CLASS_SQL: &str = "SELECT c.id, c.code, c.module_id, m.code AS module_code, ed.title_vi AS module_title_vi,
    ed.title_en AS module_title_en, c.module_version, c.title, c.organiser, c.capacity, c.enrol_opens, c.enrol_closes,
    c.status, c.min_attendance_pct, c.finished_on, c.cancel_reason FROM classes c JOIN modules m ON m.id = c.module_id
    JOIN module_editions ed ON ed.module_id = c.module_id AND ed.version = c.module_version";

/// A class by code.
pub async fn by_code(ex: impl Into<Exec<'_>>, code: &str) -> AppResult<Option<ClassRow>> {
    let sql = format!("{CLASS_SQL} WHERE c.code = $1");
    Ok(on_exec!(ex, |c| sqlx::query_as(&sql)
        .bind(code)
        .fetch_optional(&mut *c)
        .await?))
}

/// Filters of the class list.
#[derive(Debug, Default)]
pub struct ClassFilter {
    /// Only these statuses.
    pub statuses: Vec<ClassStatus>,
    /// Only this module.
    pub module_code: Option<String>,
    /// Only classes with a session ending at or after.
    pub from: Option<DateTime<Utc>>,
    /// Only classes with a session starting before.
    pub to: Option<DateTime<Utc>>,
}

/// At most this many classes in one answer when the caller asks for no page (as before paging).
pub const UNPAGED_MAX: i64 = 1000;

/// Lists classes, soonest first session first: `limit` rows from `offset`, with the number of
/// classes matching the filter.
pub async fn list(
    db: &Db,
    f: &ClassFilter,
    limit: i64,
    offset: i64,
) -> AppResult<(i64, Vec<ClassRow>)> {
    let mut conds = vec!["1 = 1".to_string()];
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if !f.statuses.is_empty() {
        let marks: Vec<String> = f.statuses.iter().map(|_| next()).collect();
        conds.push(format!("c.status IN ({})", marks.join(", ")));
    }
    if f.module_code.is_some() {
        conds.push(format!("m.code = {}", next()));
    }
    if f.from.is_some() {
        conds.push(format!(
            "EXISTS (SELECT 1 FROM class_sessions s WHERE s.class_id = c.id AND s.ends_at >= {})",
            next()
        ));
    }
    if f.to.is_some() {
        conds.push(format!(
            "EXISTS (SELECT 1 FROM class_sessions s WHERE s.class_id = c.id AND s.starts_at < {})",
            next()
        ));
    }
    let where_sql = conds.join(" AND ");
    let count_sql = format!(
        "SELECT COUNT(*) FROM classes c JOIN modules m ON m.id = c.module_id WHERE {where_sql}"
    );
    let sql = format!(
        "{CLASS_SQL} WHERE {where_sql} ORDER BY (SELECT MIN(s.starts_at) FROM class_sessions s WHERE s.class_id = c.id), c.code LIMIT {limit} OFFSET {offset}"
    );
    macro_rules! bind_all {
        ($q:expr) => {{
            let mut q = $q;
            for s in &f.statuses {
                q = q.bind(s);
            }
            if let Some(m) = &f.module_code {
                q = q.bind(m);
            }
            if let Some(t) = &f.from {
                q = q.bind(t);
            }
            if let Some(t) = &f.to {
                q = q.bind(t);
            }
            q
        }};
    }
    Ok(on_db!(db, |p| {
        let total: i64 = bind_all!(sqlx::query_scalar(&count_sql))
            .fetch_one(p)
            .await?;
        let rows: Vec<ClassRow> = bind_all!(sqlx::query_as(&sql)).fetch_all(p).await?;
        (total, rows)
    }))
}

/// A session as stored and served.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow, PartialEq)]
pub struct SessionView {
    /// Session id.
    pub id: i64,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End (UTC).
    pub ends_at: DateTime<Utc>,
    /// Venue.
    pub venue: String,
    /// Instructor.
    pub instructor: String,
}

/// Sessions of the given classes, by class id, in time order.
pub async fn sessions(db: &Db, class_ids: &[i64]) -> AppResult<HashMap<i64, Vec<SessionView>>> {
    if class_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<String> = class_ids.iter().map(|i| i.to_string()).collect();
    let sql = format!(
        "SELECT class_id, id, starts_at, ends_at, venue, instructor FROM class_sessions WHERE class_id IN ({}) ORDER BY starts_at, id",
        ids.join(", ")
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        class_id: i64,
        #[sqlx(flatten)]
        session: SessionView,
    }
    let rows: Vec<Row> = on_db!(db, |p| sqlx::query_as(&sql).fetch_all(p).await?);
    let mut m: HashMap<i64, Vec<SessionView>> = HashMap::new();
    for r in rows {
        m.entry(r.class_id).or_default().push(r.session);
    }
    Ok(m)
}

/// Enrolled and waitlisted counts per class.
pub async fn counts(db: &Db, class_ids: &[i64]) -> AppResult<HashMap<i64, (i64, i64)>> {
    if class_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<String> = class_ids.iter().map(|i| i.to_string()).collect();
    let sql = format!(
        "SELECT class_id, status, COUNT(*) FROM enrolments WHERE status IN ('enrolled', 'waitlisted') AND class_id IN ({}) GROUP BY class_id, status",
        ids.join(", ")
    );
    let rows: Vec<(i64, String, i64)> = on_db!(db, |p| sqlx::query_as(&sql).fetch_all(p).await?);
    let mut m: HashMap<i64, (i64, i64)> = HashMap::new();
    for (id, status, n) in rows {
        let e = m.entry(id).or_default();
        if status == "enrolled" {
            e.0 = n;
        } else {
            e.1 = n;
        }
    }
    Ok(m)
}

/// Inserts a class (status `planned`); returns its id.
pub async fn insert(
    tx: &mut Tx,
    code: &str,
    module_id: i64,
    module_version: i64,
    w: &ClassWrite,
) -> AppResult<i64> {
    let now = Utc::now();
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO classes (code, module_id, module_version, title, organiser, capacity, enrol_opens, enrol_closes, status,
            min_attendance_pct, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'planned', $9, $10, $10) RETURNING id"
    )
    .bind(code).bind(module_id).bind(module_version).bind(&w.title).bind(&w.organiser).bind(w.capacity)
    .bind(w.enrol_opens).bind(w.enrol_closes).bind(w.min_attendance_pct).bind(now)
    .fetch_one(&mut *c)
    .await?
    }))
}

/// Overwrites a class's editable fields.
pub async fn update(tx: &mut Tx, id: i64, w: &ClassWrite) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE classes SET title = $1, organiser = $2, capacity = $3, enrol_opens = $4, enrol_closes = $5,
            min_attendance_pct = $6, updated_at = $7 WHERE id = $8"
    )
    .bind(&w.title).bind(&w.organiser).bind(w.capacity).bind(w.enrol_opens).bind(w.enrol_closes)
    .bind(w.min_attendance_pct).bind(Utc::now()).bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}

/// Sets the status (and the finishing day when finished, the reason when cancelled).
pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    status: ClassStatus,
    finished_on: Option<NaiveDate>,
    cancel_reason: Option<&str>,
) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE classes SET status = $1, finished_on = $2, cancel_reason = $3, updated_at = $4 WHERE id = $5"
    )
    .bind(status)
    .bind(finished_on)
    .bind(cancel_reason)
    .bind(Utc::now())
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}

/// What an enrolment's seat decision needs from its class.
#[derive(Debug, sqlx::FromRow)]
pub struct SeatRules {
    /// Lifecycle status (`open` to enrol).
    pub status: ClassStatus,
    /// Seats.
    pub capacity: i64,
    /// First day of the enrolment window.
    pub enrol_opens: NaiveDate,
    /// Last day of the enrolment window.
    pub enrol_closes: NaiveDate,
}

/// Takes the class's row lock (like [`lock`]) and reads its seat rules in the same statement, so the
/// rules cannot change until the transaction ends.
pub async fn lock_for_seats(tx: &mut Tx, id: i64) -> AppResult<Option<SeatRules>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "UPDATE classes SET updated_at = updated_at WHERE id = $1
         RETURNING status, capacity, enrol_opens, enrol_closes"
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?))
}

/// Takes the class's row lock (PostgreSQL) / the write lock (SQLite, already held by
/// `BEGIN IMMEDIATE`), so enrolment changes to one class are serialised.
pub async fn lock(tx: &mut Tx, id: i64) -> AppResult<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE classes SET updated_at = updated_at WHERE id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Replaces a class's sessions (a new class's, or the demo's): every one on record goes.
pub async fn replace_sessions(
    tx: &mut Tx,
    class_id: i64,
    sessions: &[SessionWrite],
) -> AppResult<()> {
    rewrite_sessions(tx, class_id, sessions, &vec![None; sessions.len()]).await
}

/// A class's sessions, each with whether attendance has been taken at it.
pub async fn sessions_on_record(
    tx: &mut Tx,
    class_id: i64,
) -> AppResult<Vec<super::domain::SessionOnRecord>> {
    type Row = (i64, DateTime<Utc>, DateTime<Utc>, String, String, bool);
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT s.id, s.starts_at, s.ends_at, s.venue, s.instructor,
                EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = s.id) AS marked
         FROM class_sessions s WHERE s.class_id = $1 ORDER BY s.starts_at"
    )
    .bind(class_id)
    .fetch_all(&mut *c)
    .await?);
    Ok(rows
        .into_iter()
        .map(
            |(id, starts_at, ends_at, venue, instructor, marked)| super::domain::SessionOnRecord {
                id,
                starts_at,
                ends_at,
                venue,
                instructor,
                marked,
            },
        )
        .collect())
}

/// Writes a class's new schedule `sessions`: where `keep[i]` names a session on record (at the
/// same times), that session keeps its id and marks and takes the new venue and instructor; every
/// other session on record goes and the rest are added.
pub async fn rewrite_sessions(
    tx: &mut Tx,
    class_id: i64,
    sessions: &[SessionWrite],
    keep: &[Option<i64>],
) -> AppResult<()> {
    let kept: Vec<String> = keep.iter().flatten().map(i64::to_string).collect();
    let delete = if kept.is_empty() {
        "DELETE FROM class_sessions WHERE class_id = $1".to_string()
    } else {
        format!(
            "DELETE FROM class_sessions WHERE class_id = $1 AND id NOT IN ({})",
            kept.join(", ")
        )
    };
    on_tx!(tx, |c| {
        sqlx::query(&delete).bind(class_id).execute(&mut *c).await?;
        for (s, k) in sessions.iter().zip(keep) {
            match k {
                Some(id) => {
                    sqlx::query(
                        "UPDATE class_sessions SET venue = $1, venue_key = $2, instructor = $3, instructor_key = $4
                         WHERE id = $5",
                    )
                    .bind(&s.venue).bind(key(&s.venue)).bind(&s.instructor).bind(key(&s.instructor))
                    .bind(id)
                    .execute(&mut *c)
                    .await?;
                }
                None => {
                    sqlx::query(
                        "INSERT INTO class_sessions (class_id, starts_at, ends_at, venue, venue_key, instructor, instructor_key)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(class_id).bind(s.starts_at).bind(s.ends_at).bind(&s.venue).bind(key(&s.venue))
                    .bind(&s.instructor).bind(key(&s.instructor))
                    .execute(&mut *c)
                    .await?;
                }
            }
        }
    });
    Ok(())
}

/// A clash with another class's session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Clash {
    /// The other class's code.
    pub class_code: String,
    /// The other class's title.
    pub class_title: String,
    /// The other session's id.
    pub session_id: i64,
    /// Its start.
    pub starts_at: DateTime<Utc>,
    /// Its end.
    pub ends_at: DateTime<Utc>,
    /// Its venue key.
    pub venue_key: String,
    /// Its instructor key.
    pub instructor_key: String,
}

/// The first session of another live class that uses the same venue or instructor as `s`
/// and overlaps it in time.
pub async fn venue_or_instructor_clash(
    tx: &mut Tx,
    class_id: i64,
    s: &SessionWrite,
) -> AppResult<Option<Clash>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT c.code AS class_code, c.title AS class_title, s.id AS session_id, s.starts_at, s.ends_at, s.venue_key, s.instructor_key
         FROM class_sessions s JOIN classes c ON c.id = s.class_id
         WHERE c.id <> $1 AND c.status <> 'cancelled' AND (s.venue_key = $2 OR s.instructor_key = $3)
           AND s.starts_at < $4 AND s.ends_at > $5
         ORDER BY s.starts_at LIMIT 1"
    )
    .bind(class_id).bind(key(&s.venue)).bind(key(&s.instructor)).bind(s.ends_at).bind(s.starts_at)
    .fetch_optional(&mut *c)
    .await?
    }))
}

/// A clash between two classes a cadre is in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CadreClash {
    /// The cadre.
    pub cadre_id: i64,
    /// The cadre's full name.
    pub cadre_name: String,
    /// The other class's code.
    pub class_code: String,
    /// The other class's title.
    pub class_title: String,
    /// The other session's id.
    pub session_id: i64,
    /// Its start.
    pub starts_at: DateTime<Utc>,
    /// Its end.
    pub ends_at: DateTime<Utc>,
}

/// For cadres (all active enrolments of `class_id`, or only `cadre`), the first session of
/// another live, unfinished class they are actively enrolled in that overlaps a session of `class_id`.
pub async fn cadre_clash(
    tx: &mut Tx,
    class_id: i64,
    cadre: Option<i64>,
) -> AppResult<Option<CadreClash>> {
    let who = match cadre {
        Some(id) => format!("e.cadre_id = {id}"),
        None => format!("e.cadre_id IN (SELECT cadre_id FROM enrolments WHERE class_id = {class_id} AND status IN ('enrolled', 'waitlisted'))"),
    };
    let sql = format!(
        "SELECT e.cadre_id, cd.full_name AS cadre_name, c2.code AS class_code, c2.title AS class_title,
                s2.id AS session_id, s2.starts_at, s2.ends_at
         FROM enrolments e
         JOIN cadres cd ON cd.id = e.cadre_id
         JOIN classes c2 ON c2.id = e.class_id
         JOIN class_sessions s2 ON s2.class_id = c2.id
         JOIN class_sessions s1 ON s1.class_id = $1
         WHERE {who} AND e.status IN ('enrolled', 'waitlisted') AND c2.id <> $1
           AND c2.status IN ('planned', 'open', 'running')
           AND s1.starts_at < s2.ends_at AND s2.starts_at < s1.ends_at
         ORDER BY s2.starts_at LIMIT 1"
    );
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(class_id)
        .fetch_optional(&mut *c)
        .await?))
}

/// Whether a cadre in `scope` has an enrolment in the class, of any status (a cancelled class
/// stays readable to those who were in it and their officers).
pub async fn has_enrolment_in_scope(db: &Db, class_id: i64, scope: &Scope) -> AppResult<bool> {
    let (scope_sql, binds) = scope.cadre_filter("cd.id", "u.path", 2);
    let sql = format!(
        "SELECT COUNT(*) FROM enrolments e JOIN cadres cd ON cd.id = e.cadre_id
         JOIN units u ON u.code = cd.unit_code WHERE e.class_id = $1 AND {scope_sql}"
    );
    let n: i64 = on_db!(db, |p| {
        let mut q = sqlx::query_scalar(&sql).bind(class_id);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_one(p).await?
    });
    Ok(n > 0)
}
