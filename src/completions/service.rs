//! The rules and transactions of attendance, results and completions: the attendance grid and its
//! marks, results, a class's completions when it finishes (served here, as finishing records
//! them), certificates (the public check, revocation, codes for old certificates), paper records
//! and the stale-soon list.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa::ToSchema;

use super::certificate;
use super::domain::{self, AttendanceStatus};
use super::store::{self, CompletionRow, CompletionView, CompletionWrite};
use crate::audit::{self, Actor};
use crate::auth::{ratelimit, AuthUser, Role, Scope};
use crate::cadres;
use crate::classes::store::{ClassRow, SessionView};
use crate::classes::{self, domain::ClassStatus, service::ClassView};
use crate::db::{Db, Tx};
use crate::enrolments::{self, domain::EnrolmentStatus};
use crate::error::{AppError, AppResult};
use crate::notices::{NoticeKind, Notifier, Seats};
use crate::state::AppState;

// ---------------------------------------------------------------------------------------------
// Attendance and results

/// One row of the attendance grid.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceRow {
    /// Enrolment id.
    pub enrolment_id: i64,
    /// Cadre id.
    pub cadre_id: i64,
    /// Cadre name.
    pub full_name: String,
    /// Session id → `present`, `absent` or `excused` (absent key: not recorded). JSON object keys
    /// are strings, so the document says so.
    #[schema(value_type = std::collections::HashMap<String, String>)]
    pub marks: BTreeMap<i64, String>,
    /// Sessions attended.
    pub present: usize,
    /// Score (0–10), once recorded.
    pub score: Option<f64>,
    /// Passed, once recorded.
    pub passed: Option<bool>,
    /// Whether the sessions attended reach the class's share (`min_attendance_pct` of its
    /// sessions): finishing the class records a completion only for those passed who do.
    pub enough_attendance: bool,
}

/// Attendance of a class: its sessions and, per enrolled cadre, the marks.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceGrid {
    /// Sessions in time order.
    pub sessions: Vec<SessionView>,
    /// One row per enrolled cadre the caller may see.
    pub rows: Vec<AttendanceRow>,
}

/// The attendance grid of a class the caller may see, with the enrolled cadres of their scope.
pub async fn attendance(
    state: &AppState,
    user: &AuthUser,
    code: &str,
) -> AppResult<AttendanceGrid> {
    let class = classes::service::visible(state, user, code).await?;
    grid(state, user, &class).await
}

async fn grid(state: &AppState, user: &AuthUser, class: &ClassRow) -> AppResult<AttendanceGrid> {
    let sessions = classes::store::sessions(&state.db, &[class.id])
        .await?
        .remove(&class.id)
        .unwrap_or_default();
    let enrolled: Vec<_> = enrolments::store::list_for_class(&state.db, class.id, &user.scope()?)
        .await?
        .into_iter()
        .filter(|e| e.status == EnrolmentStatus::Enrolled)
        .collect();
    let mut by_enrolment: HashMap<i64, BTreeMap<i64, String>> = HashMap::new();
    for (sid, eid, status) in store::marks(&state.db, class.id).await? {
        by_enrolment.entry(eid).or_default().insert(sid, status);
    }
    let rows = enrolled
        .into_iter()
        .map(|e| {
            let marks = by_enrolment.remove(&e.id).unwrap_or_default();
            let present = marks.values().filter(|s| *s == "present").count();
            AttendanceRow {
                present,
                enough_attendance: domain::attended_enough(
                    i64::try_from(present).unwrap_or(i64::MAX),
                    i64::try_from(sessions.len()).unwrap_or(i64::MAX),
                    class.min_attendance_pct,
                ),
                enrolment_id: e.id,
                cadre_id: e.cadre_id,
                full_name: e.full_name,
                marks,
                score: e.score,
                passed: e.passed,
            }
        })
        .collect();
    Ok(AttendanceGrid { sessions, rows })
}

/// A class by code for the school's records, in one of the `allowed` statuses (else 409).
async fn class_for_school(
    state: &AppState,
    code: &str,
    allowed: &[ClassStatus],
) -> AppResult<ClassRow> {
    let code = code.trim().to_uppercase();
    let class = classes::store::by_code(&state.db, &code)
        .await?
        .ok_or_else(|| AppError::not_found(crate::msg!(NoClass, code = code)))?;
    if !allowed.contains(&class.status) {
        return Err(AppError::conflict(
            Some("status"),
            crate::msg!(
                ClassStatusNeeds,
                code = class.code,
                status = class.status.to_string(),
                allowed = allowed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Ok(class)
}

/// Checks that every id of a batch (`field[i].enrolment_id`) is an enrolled cadre of the class,
/// listed once.
async fn check_enrolled(
    state: &AppState,
    class: &ClassRow,
    field: &str,
    ids: &[i64],
) -> AppResult<()> {
    let enrolled: HashSet<i64> =
        enrolments::store::list_for_class(&state.db, class.id, &Scope::All)
            .await?
            .into_iter()
            .filter(|e| e.status == EnrolmentStatus::Enrolled)
            .map(|e| e.id)
            .collect();
    domain::check_batch(field, ids, &enrolled, &class.code)
}

/// One attendance mark.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkInput {
    /// Enrolment id (an enrolled cadre of the class).
    pub enrolment_id: i64,
    /// Attendance.
    pub status: AttendanceStatus,
}

/// Saves the attendance of one session (`sid` as given in the path) of a running class
/// for many enrolled cadres, all or nothing, with its audit entry; answers the grid.
pub async fn record_attendance(
    state: &AppState,
    user: &AuthUser,
    code: &str,
    sid: &str,
    records: &[MarkInput],
) -> AppResult<AttendanceGrid> {
    let class = class_for_school(state, code, &[ClassStatus::Running]).await?;
    let sessions = classes::store::sessions(&state.db, &[class.id])
        .await?
        .remove(&class.id)
        .unwrap_or_default();
    let session = sid
        .parse::<i64>()
        .ok()
        .and_then(|s| sessions.iter().find(|x| x.id == s))
        .ok_or_else(|| {
            AppError::not_found(crate::msg!(NoSession, session = sid, class = class.code))
        })?;
    domain::check_session_started(session.starts_at, &state.clock)?;
    let sid = session.id;
    let ids: Vec<i64> = records.iter().map(|r| r.enrolment_id).collect();
    check_enrolled(state, &class, "records", &ids).await?;
    let mut tx = state.db.begin().await?;
    for r in records {
        store::mark(&mut tx, sid, r.enrolment_id, r.status.as_str()).await?;
    }
    audit::record(
        &mut tx,
        &user.actor(),
        "attendance",
        "session",
        &sid.to_string(),
        None,
        Some(json!({"class": class.code, "marks": records.len()})),
    )
    .await?;
    tx.commit().await?;
    grid(state, user, &class).await
}

/// One result.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultInput {
    /// Enrolment id (an enrolled cadre of the class).
    pub enrolment_id: i64,
    /// Score on the 0–10 scale, at most one decimal.
    pub score: Option<f64>,
    /// Passed.
    pub passed: bool,
}

/// Records the results (score, passed) of many enrolled cadres of a running class that has begun
/// (its first session started), all or nothing, with its audit entry; answers the grid.
pub async fn record_results(
    state: &AppState,
    user: &AuthUser,
    code: &str,
    results: &[ResultInput],
) -> AppResult<AttendanceGrid> {
    let class = class_for_school(state, code, &[ClassStatus::Running]).await?;
    // Results are of a class that has begun: none before its first session starts.
    let first = classes::store::sessions(&state.db, &[class.id])
        .await?
        .remove(&class.id)
        .and_then(|s| s.into_iter().map(|s| s.starts_at).min());
    if let Some(start) = first {
        domain::check_class_begun(start, &state.clock)?;
    }
    let ids: Vec<i64> = results.iter().map(|r| r.enrolment_id).collect();
    check_enrolled(state, &class, "results", &ids).await?;
    let mut checked = Vec::with_capacity(results.len());
    for (i, r) in results.iter().enumerate() {
        let tenths = match r.score {
            None => None,
            Some(s) => Some(domain::score_tenths(s).ok_or_else(|| {
                AppError::invalid(format!("results[{i}].score"), crate::msg!(ScoreInvalid))
            })?),
        };
        checked.push((r.enrolment_id, tenths, r.passed));
    }
    let mut tx = state.db.begin().await?;
    for (eid, tenths, passed) in &checked {
        store::set_result(&mut tx, *eid, *tenths, *passed).await?;
    }
    audit::record(
        &mut tx,
        &user.actor(),
        "results",
        "class",
        &class.code,
        None,
        Some(json!({"results": checked.len()})),
    )
    .await?;
    tx.commit().await?;
    grid(state, user, &class).await
}

// ---------------------------------------------------------------------------------------------
// A class's status, and the completions of a finishing class

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// The new status.
    pub status: ClassStatus,
    /// Day it finished (for `finished`; default today; not before the last session's day).
    pub finished_on: Option<NaiveDate>,
    /// Why it is cancelled (required for `cancelled`, and only there; 1 to 500 characters).
    pub reason: Option<String>,
}

/// Moves a class along `planned → open → running → finished`, or cancels it, under its lock, with
/// its audit entry. Finishing (on a day not after today) records the completions of those who
/// passed and attended enough.
pub async fn change_status(
    state: &AppState,
    actor: &Actor,
    code: &str,
    input: StatusInput,
) -> AppResult<ClassView> {
    let code = code.trim().to_uppercase();
    let mut tx = state.db.begin().await?;
    let row = classes::service::in_tx(&mut tx, &code).await?;
    classes::domain::check_transition(&code, row.status, input.status)?;
    classes::store::lock(&mut tx, row.id).await?;
    // A class back to planned leaves the cadres' lists and the enrolment pages: with cadres in
    // it, they would lose a class they still hold a seat in.
    if (row.status, input.status) == (ClassStatus::Open, ClassStatus::Planned) {
        let n = enrolments::store::enrolled_or_waiting(&mut tx, row.id).await?;
        if n > 0 {
            return Err(AppError::conflict(
                Some("status"),
                crate::msg!(ClassHasEnrolments, class = code, count = n),
            ));
        }
    }
    let finished_on = domain::finishing_day(input.status, input.finished_on, state.clock.today())?;
    if let Some(day) = finished_on {
        let last_end = store::last_session_end(&mut tx, row.id).await?;
        domain::check_finish_after_sessions(&code, last_end, day, &state.clock)?;
    }
    let reason = domain::cancel_reason(input.status, input.reason.as_deref())?;
    let mut after = json!({"status": input.status});
    if let Some(r) = reason {
        after["reason"] = json!(r);
    }
    let notifier = Notifier::of(state);
    if let Some(day) = finished_on {
        let n = record_class_completions(
            &mut tx,
            &row,
            day,
            &state.config.certificate_prefix,
            Some(&notifier),
        )
        .await?;
        after["completions"] = json!(n);
        // Those still waiting were never given a seat: told so, as a cancellation tells them.
        notifier
            .tell_class(
                &mut tx,
                row.id,
                Seats::Waiting,
                NoticeKind::NotPlaced,
                json!({"class": row.code, "title": row.title}),
            )
            .await?;
    }
    if input.status == ClassStatus::Cancelled {
        notifier
            .tell_class(
                &mut tx,
                row.id,
                Seats::HeldOrWaiting,
                NoticeKind::ClassCancelled,
                json!({"class": row.code, "title": row.title, "reason": reason}),
            )
            .await?;
    }
    classes::store::set_status(&mut tx, row.id, input.status, finished_on, reason).await?;
    audit::record(
        &mut tx,
        actor,
        "status",
        "class",
        &code,
        Some(json!({"status": row.status})),
        Some(after),
    )
    .await?;
    tx.commit().await?;
    classes::service::view(state, &code).await
}

/// Records the completions of a finishing class, with certificates numbered under `prefix`: every
/// enrolled cadre who passed and attended at least the class's share of sessions, each told by
/// `notifier` if given (as is each one passed who attended less, of why there is no completion,
/// and each one recorded as not passing). A cadre with a completion of the module on `day`
/// already (a paper record) keeps it and gets no second one.
/// Returns how many were recorded.
pub async fn record_class_completions(
    tx: &mut Tx,
    class: &ClassRow,
    day: NaiveDate,
    prefix: &str,
    notifier: Option<&Notifier>,
) -> AppResult<usize> {
    let sessions = store::session_count(&mut *tx, class.id).await?;
    if let Some(notifier) = notifier {
        // Those the school recorded as not passing learn the class is over for them.
        for cadre_id in store::not_passed(&mut *tx, class.id).await? {
            notifier
                .tell(
                    tx,
                    cadre_id,
                    Some(class.id),
                    NoticeKind::ClassNotPassed,
                    json!({"class": class.code, "title": class.title}),
                )
                .await?;
        }
    }
    let passed = store::passed(&mut *tx, class.id).await?;
    let mut n = 0;
    for p in passed {
        if !domain::attended_enough(p.present, sessions, class.min_attendance_pct) {
            // Passed, yet no completion: the cadre and their officers are told why.
            if let Some(notifier) = notifier {
                notifier
                    .tell(
                        tx,
                        p.cadre_id,
                        Some(class.id),
                        NoticeKind::CompletionWithheld,
                        json!({"class": class.code, "title": class.title, "attended": p.present,
                               "sessions": sessions, "min_pct": class.min_attendance_pct}),
                    )
                    .await?;
            }
            continue;
        }
        // One completion of a module per cadre and day (the paper route's, the imports' and the
        // exchange's key): one already on record that day, a paper record of the attendance
        // sheet, stands, and the class adds none. The cadre's row is locked as the paper route
        // locks it, so the two cannot both write.
        cadres::store::unit_of_locked(tx, p.cadre_id).await?;
        if store::completed_on_day(tx, p.cadre_id, class.module_id, day).await? {
            continue;
        }
        let (_, cert) = record_completion(
            tx,
            &CompletionWrite {
                cadre_id: p.cadre_id,
                module_id: class.module_id,
                module_version: class.module_version,
                class_id: Some(class.id),
                completed_on: day,
                score_tenths: p.score_tenths,
                source: "class",
                source_ref: &class.code,
                certificate_prefix: Some(prefix),
            },
            &class.organiser,
        )
        .await?;
        if let Some(notifier) = notifier {
            notifier
                .tell(tx, p.cadre_id, Some(class.id), NoticeKind::CompletionRecorded,
                    json!({"module": class.module_code, "module_title": class.module_title_vi,
                           "module_title_en": class.module_title_en, "date": day, "certificate": cert}))
                .await?;
        }
        n += 1;
    }
    Ok(n)
}

/// The certificate number `no`, or, when a completion brought in by the record exchange already
/// holds it (another database's certificate keeps its number), the first free one of `no-2`,
/// `no-3`, …: finishing a class never fails on a number this database did not issue.
async fn free_certificate_no(tx: &mut Tx, no: String) -> AppResult<String> {
    if !store::certificate_taken(tx, &no).await? {
        return Ok(no);
    }
    let mut k = 2;
    loop {
        let other = format!("{no}-{k}");
        if !store::certificate_taken(tx, &other).await? {
            return Ok(other);
        }
        k += 1;
    }
}

/// Records a completion: its certificate number and verification code when it has a prefix, and
/// the module's level when the module awards one (a qualification issued by `issuer`, its
/// evidence the certificate or else the provenance). Returns its id and certificate number.
async fn record_completion(
    tx: &mut Tx,
    w: &CompletionWrite<'_>,
    issuer: &str,
) -> AppResult<(i64, Option<String>)> {
    let id = store::insert_completion(tx, w).await?;
    let cert = match w.certificate_prefix {
        Some(p) => {
            Some(free_certificate_no(tx, domain::certificate_no(p, w.completed_on, id)).await?)
        }
        None => None,
    };
    if let Some(no) = &cert {
        let code = certificate::new_code()?;
        store::set_certificate(tx, id, no, &code).await?;
    }
    // The level is awarded once: one already on record for the day (by hand, a file) stands.
    let awarded = match store::module_awards(&mut *tx, w.module_id).await? {
        Some((Some(scale), Some(level)))
            if !cadres::store::qualification_on_record(
                tx,
                w.cadre_id,
                &scale,
                &level,
                w.completed_on,
            )
            .await? =>
        {
            Some((scale, level))
        }
        _ => None,
    };
    if let Some((scale, level)) = awarded {
        let evidence = cert.clone().unwrap_or_else(|| w.source_ref.to_string());
        cadres::store::insert_qualification(
            tx,
            w.cadre_id,
            &cadres::store::QualificationWrite {
                scale: &scale,
                level: &level,
                obtained_on: w.completed_on,
                issuer,
                evidence: &evidence,
                source: "completion",
                source_ref: w.source_ref,
                completion_id: Some(id),
            },
        )
        .await?;
    }
    Ok((id, cert))
}

// ---------------------------------------------------------------------------------------------
// Completions and certificates

/// The completions (and certificates) of a class the caller may see, of the cadres in their scope.
pub async fn class_completions(
    state: &AppState,
    user: &AuthUser,
    code: &str,
) -> AppResult<Vec<CompletionView>> {
    let class = classes::service::visible(state, user, code).await?;
    let scope = user.scope()?;
    let today = state.clock.today();
    Ok(store::for_class(&state.db, class.id)
        .await?
        .into_iter()
        .filter(|c| scope.sees_cadre(c.cadre_id, &c.unit_path))
        .map(|c| c.view(today))
        .collect())
}

/// The completions of a cadre the caller may see.
pub async fn cadre_completions(
    state: &AppState,
    user: &AuthUser,
    cadre_id: i64,
) -> AppResult<Vec<CompletionView>> {
    let cadre = cadres::service::visible(state, user, cadre_id).await?;
    of_cadre(state, cadre.id, state.clock.today()).await
}

/// A cadre's completions as served on `today`.
async fn of_cadre(
    state: &AppState,
    cadre_id: i64,
    today: NaiveDate,
) -> AppResult<Vec<CompletionView>> {
    Ok(store::for_cadre(&state.db, cadre_id)
        .await?
        .iter()
        .map(|c| c.view(today))
        .collect())
}

/// What the public may know of a certificate. With the number alone: status, module, dates and
/// the holder's initials. With the number and its verification code: also the full name and the
/// class.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateCheck {
    /// Certificate number.
    pub certificate_no: String,
    /// Whether the verification code was given and matched (then `holder_name` and `class_code`
    /// are filled in).
    pub verified: bool,
    /// The holder's name reduced to initials (`N*** T*** H***`).
    pub holder_name_masked: String,
    /// Holder's full name (only with the verification code).
    pub holder_name: Option<String>,
    /// Module code.
    pub module_code: String,
    /// Module title (Vietnamese).
    pub module_title_vi: String,
    /// Module title (English).
    pub module_title_en: String,
    /// Class code (only with the verification code).
    pub class_code: Option<String>,
    /// Day completed.
    pub completed_on: NaiveDate,
    /// `valid`, `stale` or `revoked`.
    pub status: String,
    /// Last day it counts, if the module goes stale.
    pub valid_until: Option<NaiveDate>,
    /// Day it was revoked, if it was (it counted until the day before; a revocation may be dated
    /// back). Its reason is not told.
    pub revoked_on: Option<NaiveDate>,
}

/// The public check of a certificate `no`, with its verification `code` if given, counted against
/// the client's limit (`client`: its address) before anything else.
pub async fn check_certificate(
    state: &AppState,
    client: &str,
    no: &str,
    code: Option<&str>,
) -> AppResult<CertificateCheck> {
    let cfg = &state.config;
    ratelimit::hit(
        &state.db,
        &format!("cert:{client}"),
        cfg.certificate_checks_max,
        cfg.certificate_checks_window_secs,
    )
    .await?;
    let code = certificate::given_code(code)?;
    let no = no.trim().to_uppercase();
    let not_found = || AppError::not_found(crate::msg!(NoCertificate, number = no));
    if no.len() > 40 {
        return Err(not_found());
    }
    let c = store::by_certificate(&state.db, &no)
        .await?
        .ok_or_else(not_found)?;
    let verified = certificate::verified(code.as_deref(), c.certificate_code.as_deref())?;
    let v = c.view(state.clock.today());
    Ok(CertificateCheck {
        certificate_no: no,
        verified,
        holder_name_masked: certificate::mask_name(&v.full_name),
        holder_name: verified.then_some(v.full_name),
        module_code: v.module_code,
        module_title_vi: v.module_title_vi,
        module_title_en: v.module_title_en,
        class_code: if verified { v.class_code } else { None },
        completed_on: v.completed_on,
        status: v.status,
        valid_until: v.valid_until,
        revoked_on: v.revoked_on,
    })
}

/// Revoking a certificate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeInput {
    /// Why (required).
    pub reason: String,
    /// From which day (default today).
    pub revoked_on: Option<NaiveDate>,
}

/// Revokes a certificate (and the qualification it awarded) from a day between its completion and
/// today, with a reason and its audit entry.
pub async fn revoke_certificate(
    state: &AppState,
    actor: &Actor,
    no: &str,
    input: RevokeInput,
) -> AppResult<CompletionView> {
    let reason = crate::shared::text::required_text("reason", &input.reason, 500)?;
    let no = no.trim().to_uppercase();
    let c = store::by_certificate(&state.db, &no)
        .await?
        .ok_or_else(|| AppError::not_found(crate::msg!(NoCertificate, number = no)))?;
    if c.revoked_on.is_some() {
        return Err(AppError::conflict(
            Some("revoked_on"),
            crate::msg!(CertificateRevoked, number = no),
        ));
    }
    let today = state.clock.today();
    let on = domain::revocation_day(input.revoked_on, c.completed_on, today)?;
    let mut tx = state.db.begin().await?;
    store::revoke(&mut tx, c.id, on, &reason).await?;
    Notifier::of(state)
        .tell(
            &mut tx,
            c.cadre_id,
            None,
            NoticeKind::CertificateRevoked,
            json!({"certificate": no, "module": c.module_code, "module_title": c.module_title_vi,
                   "module_title_en": c.module_title_en, "date": on, "reason": reason}),
        )
        .await?;
    audit::record(
        &mut tx,
        actor,
        "revoke",
        "certificate",
        &no,
        Some(json!({"revoked_on": null})),
        Some(json!({"revoked_on": on, "reason": reason})),
    )
    .await?;
    tx.commit().await?;
    let c = store::by_certificate(&state.db, &no)
        .await?
        .ok_or_else(|| AppError::Internal("certificate vanished".into()))?;
    Ok(c.view(today))
}

/// Gives a verification code to every certificate that has none (those issued before codes
/// existed, migration 0009). Run at start; a no-op once done.
pub async fn backfill_codes(db: &Db) -> AppResult<usize> {
    let ids = store::uncoded_certificates(db).await?;
    if ids.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    for id in &ids {
        let code = certificate::new_code()?;
        store::give_code(&mut tx, *id, &code).await?;
    }
    tx.commit().await?;
    tracing::info!(
        certificates = ids.len(),
        "gave verification codes to earlier certificates"
    );
    Ok(ids.len())
}

// ---------------------------------------------------------------------------------------------
// Paper records and the stale-soon list

/// A completion from before the system (a paper record), with its provenance.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaperCompletionInput {
    /// Module code.
    pub module_code: String,
    /// Day completed.
    pub completed_on: NaiveDate,
    /// Score (0–10), if known.
    pub score: Option<f64>,
    /// `paper` (default) or `import`.
    pub source: Option<String>,
    /// Where the record comes from: register, book, file (required).
    pub source_ref: String,
    /// Who issued it (default: the organiser on record, if any).
    #[serde(default)]
    pub issuer: String,
}

/// Records a completion from before the system for a cadre the caller may see, with provenance
/// and no class (nor certificate), and its audit entry; answers the cadre's completions.
pub async fn add_paper_completion(
    state: &AppState,
    user: &AuthUser,
    cadre_id: i64,
    input: PaperCompletionInput,
) -> AppResult<Vec<CompletionView>> {
    let cadre = cadres::service::visible(state, user, cadre_id).await?;
    let source = domain::paper_source(input.source.as_deref())?;
    let source_ref = crate::shared::text::required_text("source_ref", &input.source_ref, 300)?;
    let today = state.clock.today();
    domain::check_paper_day(input.completed_on, cadre.birth_date, today)?;
    if input.issuer.chars().count() > 300 {
        return Err(AppError::invalid(
            "issuer",
            crate::msg!(TooLong, field = "issuer", max = 300),
        ));
    }
    let score_tenths = match input.score {
        None => None,
        Some(s) => Some(
            domain::paper_score_tenths(s)
                .ok_or_else(|| AppError::invalid("score", crate::msg!(ScoreInvalid)))?,
        ),
    };
    let mut tx = state.db.begin().await?;
    let module =
        crate::curriculum::store::module_row(&mut tx, &input.module_code.trim().to_uppercase())
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "module_code",
                    crate::msg!(NoModule, code = input.module_code),
                )
            })?;
    // One completion of a module per cadre and day (the imports' and the exchange's key): the
    // cadre's row is locked while it is checked, so two at once give one.
    cadres::store::unit_of_locked(&mut tx, cadre.id).await?;
    if store::completed_on_day(&mut tx, cadre.id, module.id, input.completed_on).await? {
        return Err(AppError::conflict(
            Some("completed_on"),
            crate::msg!(
                CompletionOnRecord,
                module = module.code,
                date = input.completed_on.to_string()
            ),
        ));
    }
    let (cid, _) = record_completion(
        &mut tx,
        &CompletionWrite {
            cadre_id: cadre.id,
            module_id: module.id,
            module_version: module.version,
            class_id: None,
            completed_on: input.completed_on,
            score_tenths,
            source,
            source_ref: &source_ref,
            certificate_prefix: None,
        },
        input.issuer.trim(),
    )
    .await?;
    audit::record(&mut tx, &user.actor(), "create", "completion", &cid.to_string(), None,
        Some(json!({"cadre_id": cadre.id, "module": module.code, "completed_on": input.completed_on, "source": source, "source_ref": source_ref}))).await?;
    tx.commit().await?;
    of_cadre(state, cadre.id, today).await
}

/// Completions about to go stale.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaleSoonList {
    /// Window in days.
    pub days: i64,
    /// Latest completion per cadre and module whose validity ends within the window, soonest first.
    pub items: Vec<CompletionView>,
}

/// Each cadre's latest (not revoked) completion of a module that goes stale (of one module, when
/// given), under a path range (or everyone), whose validity ends between `today` and `days` days
/// later: what the stale-soon list shows and what the reminders tell of. Each completion goes stale
/// by the validity of the module's edition it followed. The database finds the latest completions
/// completed within a few days of each edition's window; the window itself is
/// [`domain::goes_stale_within`]'s.
pub async fn going_stale(
    db: &Db,
    range: Option<(String, String)>,
    module: Option<&str>,
    today: NaiveDate,
    days: i64,
) -> AppResult<Vec<CompletionRow>> {
    let horizon = today + Duration::days(days);
    let editions = store::stale_editions(db, module).await?;
    let windows: Vec<_> = domain::stale_runs(&editions)
        .into_iter()
        .map(|(id, first, last, years)| {
            let (from, to) = domain::completed_for_stale_within(years, today, horizon);
            (id, first, last, from, to)
        })
        .collect();
    Ok(store::latest_completed_within(db, range, &windows)
        .await?
        .into_iter()
        .filter(|r| domain::goes_stale_within(r.completed_on, r.validity_years, today, horizon))
        .collect())
}

/// The latest unrevoked completion per cadre and module whose validity ends within `days` (as
/// given in the query; default 90), for the cadres of a unit's subtree (default: the caller's
/// whole scope), soonest first (then by name, cadre and module: the same order every time). Not
/// for cadres (403).
pub async fn stale_soon(
    state: &AppState,
    user: &AuthUser,
    unit: Option<&str>,
    module: Option<&str>,
    days: Option<&str>,
) -> AppResult<StaleSoonList> {
    if user.role == Role::Cadre {
        return Err(AppError::Forbidden(crate::msg!(CadreMayNotListCompletions)));
    }
    let days = domain::stale_window(crate::api::parse_opt::<i64>("days", days)?)?;
    let module = match module.map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => {
            let code = code.to_uppercase();
            if crate::curriculum::store::module(&state.db, &code)
                .await?
                .is_none()
            {
                return Err(AppError::invalid(
                    "module",
                    crate::msg!(NoModule, code = code),
                ));
            }
            Some(code)
        }
        None => None,
    };
    let scope = user.scope()?;
    let range = match unit.map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => {
            let u = crate::units::store::get(&state.db, code)
                .await?
                .ok_or_else(|| AppError::not_found(crate::msg!(NoUnit, code = code)))?;
            scope.check_path(Some("unit"), &u.path)?;
            Some(crate::shared::tree::subtree_range(&u.path))
        }
        None => match &scope {
            Scope::All => None,
            Scope::Subtree { path, .. } | Scope::Own { path, .. } => {
                Some(crate::shared::tree::subtree_range(path))
            }
        },
    };
    let today = state.clock.today();
    let mut items: Vec<CompletionView> =
        going_stale(&state.db, range, module.as_deref(), today, days)
            .await?
            .into_iter()
            .map(|r| r.view(today))
            .collect();
    items.sort_by(|a, b| {
        a.valid_until
            .cmp(&b.valid_until)
            .then(a.full_name.cmp(&b.full_name))
            .then(a.cadre_id.cmp(&b.cadre_id))
            .then(a.module_code.cmp(&b.module_code))
    });
    Ok(StaleSoonList { days, items })
}
