//! Storage of enrolments. Every function that changes seats runs after `classes::store::lock`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::domain::{
    EnrolmentOutcome, EnrolmentSource, EnrolmentStatus, PastCompletion, Prerequisite,
};
use crate::auth::Scope;
use crate::classes::domain::ClassStatus;
use crate::db::Exec;
use crate::db::{Db, Tx};
use crate::error::AppResult;
use crate::on_exec;
use crate::{on_db, on_tx};

/// An enrolment as served.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct EnrolmentView {
    /// Enrolment id.
    pub id: i64,
    /// Class code.
    pub class_code: String,
    /// Cadre id.
    pub cadre_id: i64,
    /// Cadre name.
    pub full_name: String,
    /// Cadre's unit.
    pub unit_code: String,
    /// The unit's name.
    pub unit_name: String,
    /// `enrolled`, `waitlisted`, `withdrawn` or `removed`.
    pub status: EnrolmentStatus,
    /// The class's status: an enrolment still `waitlisted` in a class `finished` or `cancelled`
    /// was never given a seat.
    pub class_status: ClassStatus,
    /// Place on the waitlist (1 = next in), for waitlisted enrolments of a class not yet over.
    pub position: Option<i64>,
    /// Who asked: `school`, `officer` (a nomination) or `self`.
    pub source: EnrolmentSource,
    /// Score on the 0–10 scale, once recorded.
    pub score: Option<f64>,
    /// Passed, once recorded.
    pub passed: Option<bool>,
    /// How a seat in a finished class ended (`completed`, `attendance_short`: passed but below
    /// the class's share of sessions, `failed`, `no_result`); absent until the class is finished
    /// and for enrolments without a seat.
    pub outcome: Option<EnrolmentOutcome>,
    /// Queue order (internal).
    #[serde(skip)]
    pub queue_seq: i64,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

const VIEW: &str = "SELECT e.id, c.code AS class_code, e.cadre_id, cd.full_name, cd.unit_code, u.name AS unit_name, e.status,
    c.status AS class_status,
    CASE WHEN e.status = 'waitlisted' AND c.status NOT IN ('finished', 'cancelled') THEN
        (SELECT COUNT(*) FROM enrolments w WHERE w.class_id = e.class_id AND w.status = 'waitlisted' AND w.queue_seq <= e.queue_seq)
    END AS position,
    e.source, CAST(e.score_tenths AS DOUBLE PRECISION) / 10 AS score, e.passed,
    CASE WHEN e.status = 'enrolled' AND c.status = 'finished' THEN
        CASE WHEN EXISTS (SELECT 1 FROM completions k WHERE k.class_id = e.class_id AND k.cadre_id = e.cadre_id) THEN 'completed'
             WHEN e.passed = TRUE THEN 'attendance_short'
             WHEN e.passed = FALSE THEN 'failed'
             ELSE 'no_result' END
    END AS outcome,
    e.queue_seq, e.created_at
    FROM enrolments e JOIN classes c ON c.id = e.class_id JOIN cadres cd ON cd.id = e.cadre_id JOIN units u ON u.code = cd.unit_code";

/// One enrolment by id.
pub async fn get(ex: impl Into<Exec<'_>>, id: i64) -> AppResult<Option<EnrolmentView>> {
    let sql = format!("{VIEW} WHERE e.id = $1");
    Ok(on_exec!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

/// Enrolments of a class that the caller's scope covers: enrolled first, then the waitlist in order,
/// then ended ones.
pub async fn list_for_class(
    db: &Db,
    class_id: i64,
    scope: &Scope,
) -> AppResult<Vec<EnrolmentView>> {
    let (filter, binds) = scope.cadre_filter("cd.id", "u.path", 2);
    let sql = format!(
        "{VIEW} WHERE e.class_id = $1 AND {filter}
         ORDER BY CASE e.status WHEN 'enrolled' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, e.queue_seq"
    );
    Ok(on_db!(db, |p| {
        let mut q = sqlx::query_as(&sql).bind(class_id);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_all(p).await?
    }))
}

/// What a class's enrolment list asks for.
#[derive(Debug, Default)]
pub struct EnrolmentFilter {
    /// Only these statuses (none: every status).
    pub statuses: Vec<EnrolmentStatus>,
    /// The cadre's name contains this (diacritics and case ignored; every word, in any order).
    pub q: Option<String>,
}

/// A page of a class's enrolments, with the counts of the whole list.
#[derive(Debug)]
pub struct EnrolmentPage {
    /// Enrolments matching the filter.
    pub total: i64,
    /// Seats taken by cadres in scope (whatever the filter).
    pub enrolled: i64,
    /// Cadres in scope on the waitlist (whatever the filter).
    pub waitlisted: i64,
    /// The page, in the list's order.
    pub items: Vec<EnrolmentView>,
}

/// A class's enrolments of cadres in scope, filtered, `limit` rows from `offset` (`None`: every
/// row; `offset` is then 0), in the list's order (enrolled, the waitlist in order, then ended ones).
pub async fn page_for_class(
    db: &Db,
    class_id: i64,
    scope: &Scope,
    f: &EnrolmentFilter,
    limit: Option<i64>,
    offset: i64,
) -> AppResult<EnrolmentPage> {
    let (scope_sql, mut binds) = scope.cadre_filter("cd.id", "u.path", 2);
    let base = format!(
        "FROM enrolments e JOIN cadres cd ON cd.id = e.cadre_id JOIN units u ON u.code = cd.unit_code
         WHERE e.class_id = $1 AND {scope_sql}"
    );
    let mut conds = vec![];
    if !f.statuses.is_empty() {
        let marks: Vec<String> = f
            .statuses
            .iter()
            .map(|s| {
                binds.push(s.as_str().to_string());
                format!("${}", binds.len() + 1)
            })
            .collect();
        conds.push(format!("e.status IN ({})", marks.join(", ")));
    }
    if let Some(q) = &f.q {
        let (cond, name_binds) =
            crate::cadres::store::name_filter("cd.name_folded", q, binds.len() + 2);
        conds.push(cond);
        binds.extend(name_binds);
    }
    let filter = conds
        .iter()
        .map(|c| format!(" AND {c}"))
        .collect::<String>();
    let counts_sql = format!(
        "SELECT COALESCE(SUM(CASE WHEN e.status = 'enrolled' THEN 1 ELSE 0 END), 0) AS enrolled,
           COALESCE(SUM(CASE WHEN e.status = 'waitlisted' THEN 1 ELSE 0 END), 0) AS waitlisted,
           COALESCE(SUM(CASE WHEN 1 = 1{filter} THEN 1 ELSE 0 END), 0) AS matching
         {base}"
    );
    let page_sql = limit.map_or(String::new(), |l| format!(" LIMIT {l} OFFSET {offset}"));
    let list_sql = format!(
        "{VIEW} WHERE e.class_id = $1 AND {scope_sql}{filter}
         ORDER BY CASE e.status WHEN 'enrolled' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, e.queue_seq, e.id{page_sql}"
    );
    let ((enrolled, waitlisted, total), items): ((i64, i64, i64), Vec<EnrolmentView>) =
        on_db!(db, |p| {
            let mut cq = sqlx::query_as(&counts_sql).bind(class_id);
            let mut lq = sqlx::query_as(&list_sql).bind(class_id);
            for b in &binds {
                cq = cq.bind(b);
                lq = lq.bind(b);
            }
            (cq.fetch_one(p).await?, lq.fetch_all(p).await?)
        });
    Ok(EnrolmentPage {
        total,
        enrolled,
        waitlisted,
        items,
    })
}

/// A cadre's enrolments (all classes), newest first, on a held connection.
pub async fn list_for_cadre(
    ex: impl Into<Exec<'_>>,
    cadre_id: i64,
) -> AppResult<Vec<EnrolmentView>> {
    let sql = format!("{VIEW} WHERE e.cadre_id = $1 ORDER BY e.created_at DESC, e.id DESC");
    Ok(on_exec!(ex, |c| sqlx::query_as(&sql)
        .bind(cadre_id)
        .fetch_all(&mut *c)
        .await?))
}

/// A class's seats as one enrolment finds them: the cadre's active enrolment there, if any, and
/// how many are enrolled and waitlisted (one statement).
#[derive(Debug, sqlx::FromRow)]
pub struct SeatState {
    /// `enrolled` or `waitlisted` when the cadre already holds a place.
    pub active: Option<EnrolmentStatus>,
    /// Seats taken.
    pub enrolled: i64,
    /// Length of the waitlist.
    pub waitlisted: i64,
}

/// The seat state of a class for one cadre; read under the class lock.
pub async fn seat_state(tx: &mut Tx, class_id: i64, cadre_id: i64) -> AppResult<SeatState> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT
           (SELECT status FROM enrolments WHERE class_id = $1 AND cadre_id = $2
              AND status IN ('enrolled', 'waitlisted')) AS active,
           (SELECT COUNT(*) FROM enrolments WHERE class_id = $1 AND status = 'enrolled') AS enrolled,
           (SELECT COUNT(*) FROM enrolments WHERE class_id = $1 AND status = 'waitlisted') AS waitlisted"
    )
    .bind(class_id)
    .bind(cadre_id)
    .fetch_one(&mut *c)
    .await?
    }))
}

/// Cadres enrolled in a class or waiting for a seat.
pub async fn enrolled_or_waiting(tx: &mut Tx, class_id: i64) -> AppResult<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM enrolments WHERE class_id = $1 AND status IN ('enrolled', 'waitlisted')"
    )
    .bind(class_id)
    .fetch_one(&mut *c)
    .await?
    }))
}

/// Seats taken in a class.
pub async fn enrolled_count(tx: &mut Tx, class_id: i64) -> AppResult<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM enrolments WHERE class_id = $1 AND status = 'enrolled'"
    )
    .bind(class_id)
    .fetch_one(&mut *c)
    .await?))
}

/// Inserts an enrolment at the end of the class's queue; returns its id.
pub async fn insert(
    tx: &mut Tx,
    class_id: i64,
    cadre_id: i64,
    status: EnrolmentStatus,
    source: EnrolmentSource,
    by: i64,
) -> AppResult<i64> {
    let now = Utc::now();
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO enrolments (class_id, cadre_id, status, queue_seq, source, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, (SELECT COALESCE(MAX(queue_seq), 0) + 1 FROM enrolments WHERE class_id = $1), $4, $5, $6, $6)
         RETURNING id"
    )
    .bind(class_id).bind(cadre_id).bind(status).bind(source).bind(by).bind(now)
    .fetch_one(&mut *c)
    .await?
    }))
}

/// Sets an enrolment's status.
pub async fn set_status(tx: &mut Tx, id: i64, status: EnrolmentStatus) -> AppResult<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE enrolments SET status = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(status)
    .bind(Utc::now())
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// The waitlisted enrolments of a class, in queue order, as (enrolment id, cadre id), passing
/// over cadres no longer active (made so by an import or an older version: the API refuses it
/// while they wait).
pub async fn waitlisted(tx: &mut Tx, class_id: i64) -> AppResult<Vec<(i64, i64)>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT e.id, e.cadre_id FROM enrolments e JOIN cadres c ON c.id = e.cadre_id
             WHERE e.class_id = $1 AND e.status = 'waitlisted' AND c.active = TRUE ORDER BY e.queue_seq",
        )
        .bind(class_id)
        .fetch_all(&mut *c)
        .await?
    }))
}

/// A cadre's completions of some modules, each with the validity of the edition it followed, for
/// the prerequisite check.
pub async fn completions_of(
    tx: &mut Tx,
    cadre_id: i64,
    module_ids: &[i64],
) -> AppResult<Vec<PastCompletion>> {
    if module_ids.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<String> = module_ids.iter().map(|i| i.to_string()).collect();
    let sql = format!(
        "SELECT co.module_id, co.completed_on, co.revoked_on, e.validity_years FROM completions co
         JOIN module_editions e ON e.module_id = co.module_id AND e.version = co.module_version
         WHERE co.cadre_id = $1 AND co.module_id IN ({})",
        ids.join(", ")
    );
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(cadre_id)
        .fetch_all(&mut *c)
        .await?))
}

/// The prerequisites of a module, by code.
pub async fn prerequisites(tx: &mut Tx, module_id: i64) -> AppResult<Vec<Prerequisite>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT p.id, p.code FROM module_prerequisites mp JOIN modules p ON p.id = mp.prerequisite_id
         WHERE mp.module_id = $1 ORDER BY p.code"
    )
    .bind(module_id)
    .fetch_all(&mut *c)
    .await?
    }))
}
