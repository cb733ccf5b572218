//! HTTP routes: attendance grid, results, completions, certificates, paper records, stale-soon list.

use chrono::{Duration, NaiveDate};
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, put, routes, Route, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

use super::certificate;
use super::store::{self, CompletionView, CompletionWrite};
use crate::api::{parse_opt, JsonBody};
use crate::audit;
use crate::auth::client::ClientAddr;
use crate::auth::{ratelimit, AuthUser, Role, SchoolStaff};
use crate::cadres;
use crate::classes::{self, domain::ClassStatus, service::ClassView, store::SessionView};
use crate::curriculum::domain::valid_until;
use crate::enrolments::{self, domain::EnrolmentStatus};
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![
        attendance_grid,
        record_attendance,
        record_results,
        class_completions,
        verify_certificate,
        revoke_certificate,
        cadre_completions,
        add_paper_completion,
        stale_soon,
        change_status
    ]
}

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
}

/// Attendance of a class: its sessions and, per enrolled cadre, the marks.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttendanceGrid {
    /// Sessions in time order.
    pub sessions: Vec<SessionView>,
    /// One row per enrolled cadre the caller may see.
    pub rows: Vec<AttendanceRow>,
}

async fn grid(
    state: &AppState,
    user: &AuthUser,
    class: &classes::store::ClassRow,
) -> AppResult<AttendanceGrid> {
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
            AttendanceRow {
                present: marks.values().filter(|s| *s == "present").count(),
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

/// The attendance grid of a class (staff: everyone; officers: their subtree; cadres: themselves).
#[utoipa::path(tag = "completions", security(("bearer" = [])),
    params(("code" = String, Path, description = "Class code")),
    responses((status = 200, body = AttendanceGrid), (status = 404, body = ErrorEnvelope)))]
#[get("/api/classes/<code>/attendance")]
pub async fn attendance_grid(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
) -> AppResult<Json<AttendanceGrid>> {
    let class = classes::service::visible(state, &user, code).await?;
    Ok(Json(grid(state, &user, &class).await?))
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

/// Attendance at a session.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceStatus {
    /// Có mặt.
    Present,
    /// Vắng.
    Absent,
    /// Vắng có phép.
    Excused,
}

impl AttendanceStatus {
    fn as_str(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "present",
            AttendanceStatus::Absent => "absent",
            AttendanceStatus::Excused => "excused",
        }
    }
}

/// The marks of one session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceInput {
    /// One mark per cadre; all are saved or none.
    pub records: Vec<MarkInput>,
}

async fn class_for_school(
    state: &AppState,
    code: &str,
    allowed: &[ClassStatus],
) -> AppResult<classes::store::ClassRow> {
    let code = code.trim().to_uppercase();
    let class = classes::store::by_code(&state.db, &code)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no class with code {code}")))?;
    if !allowed.contains(&class.status) {
        return Err(AppError::conflict(
            Some("status"),
            format!(
                "class {} is {}; this needs it to be {}",
                class.code,
                class.status,
                allowed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        ));
    }
    Ok(class)
}

/// Checks that every id of a batch (`field[i].enrolment_id`) is an enrolled cadre of the class,
/// listed once.
async fn check_enrolled(
    state: &AppState,
    class: &classes::store::ClassRow,
    field: &str,
    ids: &[i64],
) -> AppResult<()> {
    let enrolled: std::collections::HashSet<i64> =
        enrolments::store::list_for_class(&state.db, class.id, &crate::auth::Scope::All)
            .await?
            .into_iter()
            .filter(|e| e.status == EnrolmentStatus::Enrolled)
            .map(|e| e.id)
            .collect();
    let mut seen = std::collections::HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        let name = format!("{field}[{i}].enrolment_id");
        if !enrolled.contains(id) {
            return Err(AppError::invalid(
                name,
                format!("{id} is not an enrolled cadre of class {}", class.code),
            ));
        }
        if !seen.insert(*id) {
            return Err(AppError::invalid(
                name,
                format!("enrolment {id} is listed twice"),
            ));
        }
    }
    Ok(())
}

/// Saves the attendance of one session for many cadres in one go (all or nothing). School staff or admin.
#[utoipa::path(tag = "completions", security(("bearer" = [])), request_body = AttendanceInput,
    params(("code" = String, Path, description = "Class code"), ("sid" = i64, Path, description = "Session id")),
    responses((status = 200, body = AttendanceGrid), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[put("/api/classes/<code>/sessions/<sid>/attendance", data = "<body>")]
pub async fn record_attendance(
    state: &State<AppState>,
    user: SchoolStaff,
    code: &str,
    sid: &str,
    body: JsonBody<AttendanceInput>,
) -> AppResult<Json<AttendanceGrid>> {
    let input = body.into_inner();
    let class = class_for_school(state, code, &[ClassStatus::Open, ClassStatus::Running]).await?;
    let sessions = classes::store::sessions(&state.db, &[class.id])
        .await?
        .remove(&class.id)
        .unwrap_or_default();
    let sid: i64 = sid
        .parse()
        .ok()
        .filter(|s| sessions.iter().any(|x| x.id == *s))
        .ok_or_else(|| AppError::not_found(format!("no session {sid} in class {}", class.code)))?;
    let ids: Vec<i64> = input.records.iter().map(|r| r.enrolment_id).collect();
    check_enrolled(state, &class, "records", &ids).await?;
    let mut tx = state.db.begin().await?;
    for r in &input.records {
        store::mark(&mut tx, sid, r.enrolment_id, r.status.as_str()).await?;
    }
    audit::record(
        &mut tx,
        &user.actor(),
        "attendance",
        "session",
        &sid.to_string(),
        None,
        Some(json!({"class": class.code, "marks": input.records.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(grid(state, &user, &class).await?))
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

/// Results of a class.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultsInput {
    /// One result per cadre; all are saved or none.
    pub results: Vec<ResultInput>,
}

/// Records results (score, passed) for many cadres in one go (all or nothing). School staff or admin.
#[utoipa::path(tag = "completions", security(("bearer" = [])), request_body = ResultsInput,
    params(("code" = String, Path, description = "Class code")),
    responses((status = 200, body = AttendanceGrid), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[put("/api/classes/<code>/results", data = "<body>")]
pub async fn record_results(
    state: &State<AppState>,
    user: SchoolStaff,
    code: &str,
    body: JsonBody<ResultsInput>,
) -> AppResult<Json<AttendanceGrid>> {
    let input = body.into_inner();
    let class = class_for_school(state, code, &[ClassStatus::Open, ClassStatus::Running]).await?;
    let ids: Vec<i64> = input.results.iter().map(|r| r.enrolment_id).collect();
    check_enrolled(state, &class, "results", &ids).await?;
    let mut checked = Vec::with_capacity(input.results.len());
    for (i, r) in input.results.iter().enumerate() {
        let tenths = match r.score {
            None => None,
            Some(s) => {
                let t = (s * 10.0).round();
                if !(0.0..=10.0).contains(&s) || (s * 10.0 - t).abs() > 1e-6 {
                    return Err(AppError::invalid(
                        format!("results[{i}].score"),
                        "score must be between 0 and 10 with at most one decimal",
                    ));
                }
                Some(t as i64)
            }
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
    Ok(Json(grid(state, &user, &class).await?))
}

/// A list of completions.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionList {
    /// The completions.
    pub items: Vec<CompletionView>,
}

/// The completions (and certificates) of a class, in the caller's scope.
#[utoipa::path(tag = "completions", security(("bearer" = [])),
    params(("code" = String, Path, description = "Class code")),
    responses((status = 200, body = CompletionList), (status = 404, body = ErrorEnvelope)))]
#[get("/api/classes/<code>/completions")]
pub async fn class_completions(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
) -> AppResult<Json<CompletionList>> {
    let class = classes::service::visible(state, &user, code).await?;
    let scope = user.scope()?;
    let today = state.clock.today();
    let items = store::for_class(&state.db, class.id)
        .await?
        .into_iter()
        .filter(|c| scope.sees_cadre(c.cadre_id, &c.unit_path))
        .map(|c| c.view(today))
        .collect();
    Ok(Json(CompletionList { items }))
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
}

/// Public certificate verification (no login). With the number alone: status, module, dates and
/// the holder's initials; with the verification code printed beside the number (`?code=`), also
/// the holder's full name and the class. Never the personal id. At most `certificate_checks_max`
/// checks per client address within `certificate_checks_window_secs` (then 429 with
/// `Retry-After`).
#[utoipa::path(tag = "completions",
    params(("no" = String, Path, description = "Certificate number, e.g. TCB-2026-000123"),
           ("code" = Option<String>, Query, description = "The certificate's verification code (10 letters; case, spaces and hyphens ignored)")),
    responses((status = 200, body = CertificateCheck), (status = 404, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope, description = "The code is malformed or does not match the certificate"),
              (status = 429, body = ErrorEnvelope, description = "Too many checks from this address; see Retry-After")))]
#[get("/api/certificates/<no>?<code>")]
pub async fn verify_certificate(
    state: &State<AppState>,
    addr: ClientAddr,
    no: &str,
    code: Option<&str>,
) -> AppResult<Json<CertificateCheck>> {
    let cfg = &state.config;
    ratelimit::hit(
        &state.db,
        &format!("cert:{}", addr.0),
        cfg.certificate_checks_max,
        cfg.certificate_checks_window_secs,
    )
    .await?;
    let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(raw) => Some(certificate::parse_code(raw).ok_or_else(|| {
            AppError::invalid(
                "code",
                format!(
                    "code must be {} letters of {}",
                    certificate::CODE_LEN,
                    std::str::from_utf8(certificate::CODE_ALPHABET).unwrap_or_default()
                ),
            )
        })?),
    };
    let no = no.trim().to_uppercase();
    let not_found = || AppError::not_found(format!("no certificate {no}"));
    if no.len() > 40 {
        return Err(not_found());
    }
    let c = store::by_certificate(&state.db, &no)
        .await?
        .ok_or_else(not_found)?;
    let verified = match (&code, &c.certificate_code) {
        (None, _) => false,
        (Some(given), Some(stored)) if certificate::codes_match(given, stored) => true,
        (Some(_), _) => {
            return Err(AppError::invalid(
                "code",
                "the code does not match this certificate",
            ))
        }
    };
    let v = c.view(state.clock.today());
    Ok(Json(CertificateCheck {
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
    }))
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

/// Revokes a certificate (and the qualification it awarded) with a reason. School staff or admin.
#[utoipa::path(tag = "completions", security(("bearer" = [])), request_body = RevokeInput,
    params(("no" = String, Path, description = "Certificate number")),
    responses((status = 200, body = CompletionView), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/certificates/<no>/revoke", data = "<body>")]
pub async fn revoke_certificate(
    state: &State<AppState>,
    user: SchoolStaff,
    no: &str,
    body: JsonBody<RevokeInput>,
) -> AppResult<Json<CompletionView>> {
    let input = body.into_inner();
    let reason = crate::shared::text::required_text("reason", &input.reason, 500)?;
    let no = no.trim().to_uppercase();
    let c = store::by_certificate(&state.db, &no)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no certificate {no}")))?;
    if c.revoked_on.is_some() {
        return Err(AppError::conflict(
            Some("revoked_on"),
            format!("certificate {no} is already revoked"),
        ));
    }
    let today = state.clock.today();
    let on = input.revoked_on.unwrap_or(today);
    if on < c.completed_on || on > today {
        return Err(AppError::invalid(
            "revoked_on",
            "revoked_on must be between the completion date and today",
        ));
    }
    let mut tx = state.db.begin().await?;
    store::revoke(&mut tx, c.id, on, &reason).await?;
    audit::record(
        &mut tx,
        &user.actor(),
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
    Ok(Json(c.view(today)))
}

fn cadre_id(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| AppError::not_found(format!("no cadre with id {raw}")))
}

/// A cadre's completions with certificate numbers, validity and status.
#[utoipa::path(tag = "completions", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Cadre id")),
    responses((status = 200, body = CompletionList), (status = 404, body = ErrorEnvelope)))]
#[get("/api/cadres/<id>/completions")]
pub async fn cadre_completions(
    state: &State<AppState>,
    user: AuthUser,
    id: &str,
) -> AppResult<Json<CompletionList>> {
    let cadre = cadres::service::visible(state, &user, cadre_id(id)?).await?;
    let today = state.clock.today();
    let items = store::for_cadre(&state.db, cadre.id)
        .await?
        .iter()
        .map(|c| c.view(today))
        .collect();
    Ok(Json(CompletionList { items }))
}

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

/// Records a completion from before the system, with provenance and no class. School staff or admin.
#[utoipa::path(tag = "completions", security(("bearer" = [])), request_body = PaperCompletionInput,
    params(("id" = i64, Path, description = "Cadre id")),
    responses((status = 201, body = CompletionList), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/cadres/<id>/completions", data = "<body>")]
pub async fn add_paper_completion(
    state: &State<AppState>,
    user: SchoolStaff,
    id: &str,
    body: JsonBody<PaperCompletionInput>,
) -> AppResult<(Status, Json<CompletionList>)> {
    let input = body.into_inner();
    let cadre = cadres::service::visible(state, &user, cadre_id(id)?).await?;
    let source = input.source.as_deref().unwrap_or("paper");
    if !matches!(source, "paper" | "import") {
        return Err(AppError::invalid(
            "source",
            "source must be paper or import",
        ));
    }
    let source_ref = crate::shared::text::required_text("source_ref", &input.source_ref, 300)?;
    let today = state.clock.today();
    if input.completed_on > today || input.completed_on < cadre.birth_date {
        return Err(AppError::invalid(
            "completed_on",
            "completed_on must be between the cadre's birth and today",
        ));
    }
    let score_tenths = match input.score {
        None => None,
        Some(s) if (0.0..=10.0).contains(&s) && ((s * 10.0).round() - s * 10.0).abs() < 1e-6 => {
            Some((s * 10.0).round() as i64)
        }
        Some(_) => {
            return Err(AppError::invalid(
                "score",
                "score must be between 0 and 10 with at most one decimal",
            ))
        }
    };
    let mut tx = state.db.begin().await?;
    let module =
        crate::curriculum::store::module_row(&mut tx, &input.module_code.trim().to_uppercase())
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "module_code",
                    format!("no module with code {}", input.module_code),
                )
            })?;
    let (cid, _) = store::insert_completion(
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
    let items = store::for_cadre(&state.db, cadre.id)
        .await?
        .iter()
        .map(|c| c.view(today))
        .collect();
    Ok((Status::Created, Json(CompletionList { items })))
}

/// Completions about to go stale.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaleSoonList {
    /// Window in days.
    pub days: i64,
    /// Latest completion per cadre and module whose validity ends within the window, soonest first.
    pub items: Vec<CompletionView>,
}

/// Completions whose validity ends within `days` (default 90) for the cadres of a unit subtree
/// (default: the caller's whole scope). Staff and officers.
#[utoipa::path(tag = "completions", security(("bearer" = [])),
    params(("unit" = Option<String>, Query, description = "Unit subtree"),
           ("days" = Option<i64>, Query, description = "Window in days (1–3650, default 90)")),
    responses((status = 200, body = StaleSoonList), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/completions/stale-soon?<unit>&<days>")]
pub async fn stale_soon(
    state: &State<AppState>,
    user: AuthUser,
    unit: Option<&str>,
    days: Option<&str>,
) -> AppResult<Json<StaleSoonList>> {
    if user.role == Role::Cadre {
        return Err(AppError::Forbidden(
            "the cadre role may not list other cadres' completions".into(),
        ));
    }
    let days = parse_opt::<i64>("days", days)?.unwrap_or(90);
    if !(1..=3650).contains(&days) {
        return Err(AppError::invalid("days", "days must be between 1 and 3650"));
    }
    let scope = user.scope()?;
    let range = match unit.map(str::trim).filter(|s| !s.is_empty()) {
        Some(code) => {
            let u = crate::units::store::get(&state.db, code)
                .await?
                .ok_or_else(|| AppError::not_found(format!("no unit with code {code}")))?;
            scope.check_path(&u.path)?;
            Some(crate::shared::tree::subtree_range(&u.path))
        }
        None => match &scope {
            crate::auth::Scope::All => None,
            crate::auth::Scope::Subtree { path, .. } | crate::auth::Scope::Own { path, .. } => {
                Some(crate::shared::tree::subtree_range(path))
            }
        },
    };
    let today = state.clock.today();
    let horizon = today + Duration::days(days);
    // Validity is at most 50 years: older completions cannot end inside the window.
    let since = today - Duration::days(366 * 51);
    let rows = store::expiring_candidates(&state.db, range, since).await?;
    let mut latest: HashMap<(i64, String), store::CompletionRow> = HashMap::new();
    for r in rows.into_iter().filter(|r| r.revoked_on.is_none()) {
        let k = (r.cadre_id, r.module_code.clone());
        match latest.get(&k) {
            Some(prev) if prev.completed_on >= r.completed_on => {}
            _ => {
                latest.insert(k, r);
            }
        }
    }
    let mut items: Vec<CompletionView> = latest
        .into_values()
        .filter(|r| {
            valid_until(r.completed_on, r.validity_years)
                .is_some_and(|v| v >= today && v <= horizon)
        })
        .map(|r| r.view(today))
        .collect();
    items.sort_by(|a, b| {
        a.valid_until
            .cmp(&b.valid_until)
            .then(a.full_name.cmp(&b.full_name))
    });
    Ok(Json(StaleSoonList { days, items }))
}

/// A status change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    /// The new status.
    pub status: ClassStatus,
    /// Day it finished (for `finished`; default today).
    pub finished_on: Option<NaiveDate>,
}

/// Moves a class along `planned → open → running → finished`, or cancels it. Finishing records
/// the completions of those who passed and attended enough (hence served here). School staff or
/// admin.
#[utoipa::path(tag = "classes", security(("bearer" = [])), request_body = StatusInput,
    params(("code" = String, Path, description = "Class code")),
    responses((status = 200, body = ClassView), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
#[post("/api/classes/<code>/status", data = "<body>")]
pub async fn change_status(
    state: &State<AppState>,
    user: SchoolStaff,
    code: &str,
    body: JsonBody<StatusInput>,
) -> AppResult<Json<ClassView>> {
    let input = body.into_inner();
    let code = code.trim().to_uppercase();
    let mut tx = state.db.begin().await?;
    let row = classes::service::in_tx(&mut tx, &code).await?;
    let from = row.status;
    if !from.can_become(input.status) {
        return Err(AppError::conflict(
            Some("status"),
            format!(
                "class {code} cannot go from {} to {}",
                from.as_str(),
                input.status.as_str()
            ),
        ));
    }
    classes::store::lock(&mut tx, row.id).await?;
    let today = state.clock.today();
    let finished_on =
        (input.status == ClassStatus::Finished).then(|| input.finished_on.unwrap_or(today));
    if finished_on.is_some_and(|d| d > today) {
        return Err(AppError::invalid(
            "finished_on",
            "finished_on must not be in the future",
        ));
    }
    let mut after = json!({"status": input.status});
    if let Some(day) = finished_on {
        let n =
            store::record_class_completions(&mut tx, &row, day, &state.config.certificate_prefix)
                .await?;
        after["completions"] = json!(n);
    }
    classes::store::set_status(&mut tx, row.id, input.status, finished_on).await?;
    audit::record(
        &mut tx,
        &user.actor(),
        "status",
        "class",
        &code,
        Some(json!({"status": row.status})),
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(classes::service::view(state, &code).await?))
}
