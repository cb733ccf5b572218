//! HTTP routes: attendance grid, results, completions, certificates, paper records, stale-soon
//! list, and a class's status change (finishing records the completions). The rules and
//! transactions are in `service`.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, put, routes, Route, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service::{
    self, AttendanceGrid, CertificateCheck, MarkInput, PaperCompletionInput, ResultInput,
    RevokeInput, StaleSoonList, StatusInput,
};
use super::store::CompletionView;
use crate::api::JsonBody;
use crate::auth::client::ClientAddr;
use crate::auth::{AuthUser, SchoolStaff};
use crate::classes::service::ClassView;
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
    Ok(Json(service::attendance(state, &user, code).await?))
}

/// The marks of one session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceInput {
    /// One mark per cadre; all are saved or none.
    pub records: Vec<MarkInput>,
}

/// Saves the attendance of one session of a running class for many cadres in one go (all or
/// nothing), once the session has started (before: 409 naming `session`). School staff or admin.
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
    Ok(Json(
        service::record_attendance(state, &user, code, sid, &input.records).await?,
    ))
}

/// Results of a class.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultsInput {
    /// One result per cadre; all are saved or none.
    pub results: Vec<ResultInput>,
}

/// Records results (score, passed) for many cadres in one go (all or nothing), for a running class
/// whose first session has started (before: 409 naming `results`). School staff or admin.
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
    Ok(Json(
        service::record_results(state, &user, code, &input.results).await?,
    ))
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
    let items = service::class_completions(state, &user, code).await?;
    Ok(Json(CompletionList { items }))
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
    _single: crate::api::query::SingleQuery,
    addr: ClientAddr,
    no: &str,
    code: Option<&str>,
) -> AppResult<Json<CertificateCheck>> {
    Ok(Json(
        service::check_certificate(state, &addr.0, no, code).await?,
    ))
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
    Ok(Json(
        service::revoke_certificate(state, &user.actor(), no, body.into_inner()).await?,
    ))
}

/// A cadre id from the path; anything else is a cadre that does not exist.
fn cadre_id(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| AppError::not_found(crate::msg!(NoCadre, id = raw)))
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
    let items = service::cadre_completions(state, &user, cadre_id(id)?).await?;
    Ok(Json(CompletionList { items }))
}

/// Records a completion from before the system, with provenance and no class. School staff or admin.
/// One completion of a module per cadre and day (a second: 409 naming `completed_on`).
#[utoipa::path(tag = "completions", security(("bearer" = [])), request_body = PaperCompletionInput,
    params(("id" = i64, Path, description = "Cadre id")),
    responses((status = 201, body = CompletionList), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope)))]
#[post("/api/cadres/<id>/completions", data = "<body>")]
pub async fn add_paper_completion(
    state: &State<AppState>,
    user: SchoolStaff,
    id: &str,
    body: JsonBody<PaperCompletionInput>,
) -> AppResult<(Status, Json<CompletionList>)> {
    let input = body.into_inner();
    let items = service::add_paper_completion(state, &user, cadre_id(id)?, input).await?;
    Ok((Status::Created, Json(CompletionList { items })))
}

/// Completions whose validity ends within `days` (default 90) for the cadres of a unit subtree
/// (default: the caller's whole scope), optionally of one module. Staff and officers.
#[utoipa::path(tag = "completions", security(("bearer" = [])),
    params(("unit" = Option<String>, Query, description = "Unit subtree"),
           ("module" = Option<String>, Query, description = "Module code"),
           ("days" = Option<i64>, Query, description = "Window in days (1–3650, default 90)")),
    responses((status = 200, body = StaleSoonList), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope)))]
#[get("/api/completions/stale-soon?<unit>&<module>&<days>")]
pub async fn stale_soon(
    state: &State<AppState>,
    user: AuthUser,
    unit: Option<&str>,
    module: Option<&str>,
    days: Option<&str>,
) -> AppResult<Json<StaleSoonList>> {
    Ok(Json(
        service::stale_soon(state, &user, unit, module, days).await?,
    ))
}

/// Moves a class along `planned → open → running → finished`, or cancels it (with its reason).
/// Finishing records the completions of those who passed and attended enough (hence served
/// here); a class is finished once its last session is over (before: 409 naming `status`), on a
/// day not before that session's (422 naming `finished_on`). School staff or admin.
#[utoipa::path(tag = "classes", security(("bearer" = [])), request_body = StatusInput,
    params(("code" = String, Path, description = "Class code")),
    responses((status = 200, body = ClassView), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope)))]
#[post("/api/classes/<code>/status", data = "<body>")]
pub async fn change_status(
    state: &State<AppState>,
    user: SchoolStaff,
    code: &str,
    body: JsonBody<StatusInput>,
) -> AppResult<Json<ClassView>> {
    Ok(Json(
        service::change_status(state, &user.actor(), code, body.into_inner()).await?,
    ))
}
