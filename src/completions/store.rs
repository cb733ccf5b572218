//! Storage of attendance, results, completions and certificates.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::domain::status_on;
use crate::curriculum::domain::valid_until;
use crate::db::Exec;
use crate::db::{Db, Tx};
use crate::error::AppResult;
use crate::on_exec;
use crate::{on_db, on_tx};

/// Upserts one attendance mark.
pub async fn mark(tx: &mut Tx, session_id: i64, enrolment_id: i64, status: &str) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO attendance (session_id, enrolment_id, status, recorded_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (session_id, enrolment_id) DO UPDATE SET status = excluded.status, recorded_at = excluded.recorded_at"
    )
    .bind(session_id).bind(enrolment_id).bind(status).bind(Utc::now())
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}

/// One attendance mark: (session id, enrolment id, status).
pub type Mark = (i64, i64, String);

/// Every attendance mark of a class.
pub async fn marks(db: &Db, class_id: i64) -> AppResult<Vec<Mark>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
        "SELECT a.session_id, a.enrolment_id, a.status FROM attendance a JOIN class_sessions s ON s.id = a.session_id
         WHERE s.class_id = $1 ORDER BY a.session_id, a.enrolment_id"
    )
    .bind(class_id)
    .fetch_all(p)
    .await?
    }))
}

/// Records a result on an enrolment.
pub async fn set_result(
    tx: &mut Tx,
    enrolment_id: i64,
    score_tenths: Option<i64>,
    passed: bool,
) -> AppResult<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE enrolments SET score_tenths = $1, passed = $2, updated_at = $3 WHERE id = $4"
    )
    .bind(score_tenths)
    .bind(passed)
    .bind(Utc::now())
    .bind(enrolment_id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// A completion to record.
pub struct CompletionWrite<'a> {
    /// Cadre.
    pub cadre_id: i64,
    /// Module.
    pub module_id: i64,
    /// Module version followed.
    pub module_version: i64,
    /// Class, if any.
    pub class_id: Option<i64>,
    /// Day completed.
    pub completed_on: NaiveDate,
    /// Score in tenths.
    pub score_tenths: Option<i64>,
    /// `class`, `paper` or `import`.
    pub source: &'a str,
    /// Provenance.
    pub source_ref: &'a str,
    /// Certificate prefix, when a certificate is issued.
    pub certificate_prefix: Option<&'a str>,
}

/// Inserts a completion; returns its id.
pub async fn insert_completion(tx: &mut Tx, w: &CompletionWrite<'_>) -> AppResult<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO completions (cadre_id, module_id, module_version, class_id, completed_on, score_tenths, source, source_ref, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
    )
    .bind(w.cadre_id).bind(w.module_id).bind(w.module_version).bind(w.class_id).bind(w.completed_on)
    .bind(w.score_tenths).bind(w.source).bind(w.source_ref).bind(Utc::now())
    .fetch_one(&mut *c)
    .await?
    }))
}

/// Whether a completion already holds certificate number `no`.
pub async fn certificate_taken(tx: &mut Tx, no: &str) -> AppResult<bool> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM completions WHERE certificate_no = $1"
    )
    .bind(no)
    .fetch_one(&mut *c)
    .await?);
    Ok(n > 0)
}

/// Gives a completion its certificate number and verification code.
pub async fn set_certificate(tx: &mut Tx, id: i64, no: &str, code: &str) -> AppResult<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE completions SET certificate_no = $1, certificate_code = $2 WHERE id = $3"
    )
    .bind(no)
    .bind(code)
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// The level a module awards, if it has one: (scale, level), each possibly unset.
pub async fn module_awards(
    ex: impl Into<Exec<'_>>,
    module_id: i64,
) -> AppResult<Option<(Option<String>, Option<String>)>> {
    Ok(on_exec!(ex, |c| sqlx::query_as(
        "SELECT awards_scale, awards_level FROM modules WHERE id = $1"
    )
    .bind(module_id)
    .fetch_optional(&mut *c)
    .await?))
}

/// How many sessions a class has.
pub async fn session_count(ex: impl Into<Exec<'_>>, class_id: i64) -> AppResult<i64> {
    Ok(on_exec!(ex, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM class_sessions WHERE class_id = $1"
    )
    .bind(class_id)
    .fetch_one(&mut *c)
    .await?))
}

/// Whether cadre `cadre` has a completion of module `module` dated `day` (revoked or not).
pub async fn completed_on_day(
    tx: &mut Tx,
    cadre: i64,
    module: i64,
    day: NaiveDate,
) -> AppResult<bool> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM completions WHERE cadre_id = $1 AND module_id = $2 AND completed_on = $3"
    )
    .bind(cadre)
    .bind(module)
    .bind(day)
    .fetch_one(&mut *c)
    .await?
    }) > 0)
}

/// When a class's last session ends (none without sessions).
pub async fn last_session_end(
    ex: impl Into<Exec<'_>>,
    class_id: i64,
) -> AppResult<Option<DateTime<Utc>>> {
    Ok(on_exec!(ex, |c| sqlx::query_scalar(
        "SELECT ends_at FROM class_sessions WHERE class_id = $1 ORDER BY ends_at DESC LIMIT 1"
    )
    .bind(class_id)
    .fetch_optional(&mut *c)
    .await?))
}

/// An enrolled cadre of a class who passed: the candidates for a completion when it finishes.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Passed {
    /// Enrolment.
    pub id: i64,
    /// Cadre.
    pub cadre_id: i64,
    /// Score in tenths.
    pub score_tenths: Option<i64>,
    /// Sessions the cadre was present at.
    pub present: i64,
}

/// The enrolled cadres of a class who passed, with their attendance, by enrolment.
pub async fn passed(ex: impl Into<Exec<'_>>, class_id: i64) -> AppResult<Vec<Passed>> {
    Ok(on_exec!(ex, |c| {
        sqlx::query_as(
        "SELECT e.id, e.cadre_id, e.score_tenths,
            (SELECT COUNT(*) FROM attendance a WHERE a.enrolment_id = e.id AND a.status = 'present') AS present
         FROM enrolments e WHERE e.class_id = $1 AND e.status = 'enrolled' AND e.passed = TRUE ORDER BY e.id"
    )
    .bind(class_id)
    .fetch_all(&mut *c)
    .await?
    }))
}

/// The enrolled cadres of a class recorded as not passing, by enrolment.
pub async fn not_passed(ex: impl Into<Exec<'_>>, class_id: i64) -> AppResult<Vec<i64>> {
    Ok(on_exec!(ex, |c| {
        sqlx::query_scalar(
            "SELECT e.cadre_id FROM enrolments e
             WHERE e.class_id = $1 AND e.status = 'enrolled' AND e.passed = FALSE ORDER BY e.id",
        )
        .bind(class_id)
        .fetch_all(&mut *c)
        .await?
    }))
}

/// A completion as stored, with module and class.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CompletionRow {
    /// Id.
    pub id: i64,
    /// Cadre.
    pub cadre_id: i64,
    /// Cadre name.
    pub full_name: String,
    /// Cadre unit path (not served).
    pub unit_path: String,
    /// Cadre unit code.
    pub unit_code: String,
    /// Cadre unit name.
    pub unit_name: String,
    /// Module code.
    pub module_code: String,
    /// Module title (Vietnamese).
    pub module_title_vi: String,
    /// Module title (English).
    pub module_title_en: String,
    /// Validity of the module's edition followed, years.
    pub validity_years: Option<i64>,
    /// Version followed.
    pub module_version: i64,
    /// Class code.
    pub class_code: Option<String>,
    /// Day completed.
    pub completed_on: NaiveDate,
    /// Score in tenths.
    pub score_tenths: Option<i64>,
    /// Certificate number.
    pub certificate_no: Option<String>,
    /// Verification code of the certificate.
    pub certificate_code: Option<String>,
    /// Source.
    pub source: String,
    /// Provenance.
    pub source_ref: String,
    /// Day revoked.
    pub revoked_on: Option<NaiveDate>,
    /// Why revoked.
    pub revoke_reason: Option<String>,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
}

/// A completion as served, with its status on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletionView {
    /// Id.
    pub id: i64,
    /// Cadre id.
    pub cadre_id: i64,
    /// Cadre name.
    pub full_name: String,
    /// Cadre unit.
    pub unit_code: String,
    /// Cadre unit name.
    pub unit_name: String,
    /// Module code.
    pub module_code: String,
    /// Module title (Vietnamese).
    pub module_title_vi: String,
    /// Module title (English).
    pub module_title_en: String,
    /// Module version followed.
    pub module_version: i64,
    /// Class code (absent for paper records).
    pub class_code: Option<String>,
    /// Day completed.
    pub completed_on: NaiveDate,
    /// Score (0–10).
    pub score: Option<f64>,
    /// Certificate number (class completions).
    pub certificate_no: Option<String>,
    /// The certificate's verification code (printed with the number; the public check answers the
    /// holder's full name only with it).
    pub certificate_code: Option<String>,
    /// `class`, `paper` or `import`.
    pub source: String,
    /// Provenance reference.
    pub source_ref: String,
    /// Last day it counts, if the module goes stale.
    pub valid_until: Option<NaiveDate>,
    /// `valid`, `stale` or `revoked` today.
    pub status: String,
    /// Day revoked.
    pub revoked_on: Option<NaiveDate>,
    /// Why revoked.
    pub revoke_reason: Option<String>,
}

impl CompletionRow {
    /// The served form, with the status on `today`.
    pub fn view(&self, today: NaiveDate) -> CompletionView {
        let status = status_on(
            self.completed_on,
            self.validity_years,
            self.revoked_on,
            today,
        );
        CompletionView {
            id: self.id,
            cadre_id: self.cadre_id,
            full_name: self.full_name.clone(),
            unit_code: self.unit_code.clone(),
            unit_name: self.unit_name.clone(),
            module_code: self.module_code.clone(),
            module_title_vi: self.module_title_vi.clone(),
            module_title_en: self.module_title_en.clone(),
            module_version: self.module_version,
            class_code: self.class_code.clone(),
            completed_on: self.completed_on,
            score: self.score_tenths.map(|s| s as f64 / 10.0),
            certificate_no: self.certificate_no.clone(),
            certificate_code: self.certificate_code.clone(),
            source: self.source.clone(),
            source_ref: self.source_ref.clone(),
            valid_until: valid_until(self.completed_on, self.validity_years),
            status: status.into(),
            revoked_on: self.revoked_on,
            revoke_reason: self.revoke_reason.clone(),
        }
    }
}

const VIEW: &str = "SELECT co.id, co.cadre_id, cd.full_name, u.path AS unit_path, cd.unit_code, u.name AS unit_name, m.code AS module_code,
    e.title_vi AS module_title_vi, e.title_en AS module_title_en, e.validity_years, co.module_version, cl.code AS class_code,
    co.completed_on, co.score_tenths, co.certificate_no, co.certificate_code, co.source, co.source_ref, co.revoked_on, co.revoke_reason, co.created_at
    FROM completions co JOIN cadres cd ON cd.id = co.cadre_id JOIN units u ON u.code = cd.unit_code
    JOIN modules m ON m.id = co.module_id
    JOIN module_editions e ON e.module_id = co.module_id AND e.version = co.module_version
    LEFT JOIN classes cl ON cl.id = co.class_id";

/// A cadre's completions, newest first.
pub async fn for_cadre(ex: impl Into<Exec<'_>>, cadre_id: i64) -> AppResult<Vec<CompletionRow>> {
    let sql = format!("{VIEW} WHERE co.cadre_id = $1 ORDER BY co.completed_on DESC, co.id DESC");
    Ok(on_exec!(ex, |c| sqlx::query_as(&sql)
        .bind(cadre_id)
        .fetch_all(&mut *c)
        .await?))
}

/// A class's completions.
pub async fn for_class(db: &Db, class_id: i64) -> AppResult<Vec<CompletionRow>> {
    let sql = format!("{VIEW} WHERE co.class_id = $1 ORDER BY cd.sort_key, co.id");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(class_id)
        .fetch_all(p)
        .await?))
}

/// A completion by certificate number.
pub async fn by_certificate(db: &Db, no: &str) -> AppResult<Option<CompletionRow>> {
    let sql = format!("{VIEW} WHERE co.certificate_no = $1");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(no)
        .fetch_optional(p)
        .await?))
}

/// Revokes a completion (and the qualification it awarded) from a day, with a reason.
pub async fn revoke(tx: &mut Tx, id: i64, on: NaiveDate, reason: &str) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query("UPDATE completions SET revoked_on = $1, revoke_reason = $2 WHERE id = $3")
            .bind(on)
            .bind(reason)
            .bind(id)
            .execute(&mut *c)
            .await?;
        sqlx::query("UPDATE cadre_qualifications SET revoked_on = $1 WHERE completion_id = $2")
            .bind(on)
            .bind(id)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// The editions of modules that go stale (module id, version, validity in years), of all
/// modules or of the one with this code, by module and version.
pub async fn stale_editions(db: &Db, code: Option<&str>) -> AppResult<Vec<(i64, i64, i64)>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
        "SELECT e.module_id, e.version, e.validity_years FROM module_editions e JOIN modules m ON m.id = e.module_id
         WHERE e.validity_years IS NOT NULL AND ($1 IS NULL OR m.code = $1) ORDER BY e.module_id, e.version"
    )
    .bind(code)
    .fetch_all(p)
    .await?
    }))
}

/// Each cadre's latest unrevoked completion of a module, for cadres under a path range (or
/// everyone), where that completion lies within its edition's window (module id, first and last
/// version, first and last day completed): the candidates of the stale-soon list, found by the
/// database (per module the window is a range of `completions_module`; "latest" is a probe of
/// `completions_cadre`; of two on the same day, the first recorded).
pub async fn latest_completed_within(
    db: &Db,
    range: Option<(String, String)>,
    windows: &[(i64, i64, i64, NaiveDate, NaiveDate)],
) -> AppResult<Vec<CompletionRow>> {
    if windows.is_empty() {
        return Ok(vec![]);
    }
    let ors = (0..windows.len())
        .map(|i| {
            let k = 5 * i;
            format!(
                "(co.module_id = ${} AND co.module_version >= ${} AND co.module_version <= ${} \
                 AND co.completed_on >= ${} AND co.completed_on <= ${})",
                k + 1,
                k + 2,
                k + 3,
                k + 4,
                k + 5
            )
        })
        .collect::<Vec<_>>()
        .join(" OR ");
    let next = 5 * windows.len() + 1;
    let cond = match range {
        Some(_) => format!("AND u.path >= ${next} AND u.path < ${}", next + 1),
        None => String::new(),
    };
    let sql = format!(
        "{VIEW} WHERE co.revoked_on IS NULL AND ({ors}) {cond}
         AND NOT EXISTS (SELECT 1 FROM completions c2 WHERE c2.cadre_id = co.cadre_id
            AND c2.module_id = co.module_id AND c2.revoked_on IS NULL
            AND (c2.completed_on > co.completed_on OR (c2.completed_on = co.completed_on AND c2.id < co.id)))
         ORDER BY co.cadre_id, m.code"
    );
    Ok(on_db!(db, |p| {
        let mut q = sqlx::query_as(&sql);
        for (module, first, last, from, to) in windows {
            q = q
                .bind(*module)
                .bind(*first)
                .bind(*last)
                .bind(*from)
                .bind(*to);
        }
        if let Some((lo, hi)) = &range {
            q = q.bind(lo).bind(hi);
        }
        q.fetch_all(p).await?
    }))
}

/// The certificates that have no verification code yet (issued before codes existed).
pub async fn uncoded_certificates(ex: impl Into<Exec<'_>>) -> AppResult<Vec<i64>> {
    Ok(on_exec!(ex, |c| {
        sqlx::query_scalar(
        "SELECT id FROM completions WHERE certificate_no IS NOT NULL AND certificate_code IS NULL ORDER BY id"
    )
    .fetch_all(&mut *c)
    .await?
    }))
}

/// Gives a certificate that has none a verification code.
pub async fn give_code(tx: &mut Tx, id: i64, code: &str) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE completions SET certificate_code = $1 WHERE id = $2 AND certificate_code IS NULL",
        )
        .bind(code)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ())?
    });
    Ok(())
}
