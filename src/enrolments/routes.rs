//! HTTP routes of enrolments: list a class's, enrol (school, officer nomination, self), withdraw,
//! and a class's edit (its capacity decides the seats and promotes the waitlist). The rules and
//! transactions are in `service`.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, patch, post, routes, Route, State};
use serde::Deserialize;
use utoipa::ToSchema;

use super::domain::EnrolmentStatus;
use super::service::{self, ClassPatch, EnrolmentList};
use super::store::EnrolmentFilter;
use super::store::EnrolmentView;
use crate::api::query::text_opt;
use crate::api::{JsonBody, PageParams};
use crate::auth::{AuthUser, SchoolStaff};
use crate::classes::service::ClassView;
use crate::error::{AppResult, ErrorEnvelope};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![list_enrolments, enrol, withdraw, update_class]
}

/// A class's enrolments and waitlist. Staff see all; officers their subtree's cadres; cadres
/// themselves. Filters: `status` (comma-separated) and `q` (the cadre's name, without diacritics,
/// every word in any order). With `limit`/`offset`, a page and the total; without, every row.
#[utoipa::path(tag = "enrolments", security(("bearer" = [])),
    params(("code" = String, Path, description = "Class code"),
           ("status" = Option<String>, Query, description = "Comma-separated: enrolled, waitlisted, withdrawn, removed"),
           ("q" = Option<String>, Query, description = "The cadre's name (diacritics and word order ignored)"),
           ("limit" = Option<i64>, Query, description = "1–500, default 50 when paging (without limit and offset: every row)"),
           ("offset" = Option<i64>, Query, description = "Rows to skip")),
    responses((status = 200, body = EnrolmentList), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/classes/<code>/enrolments?<status>&<q>&<limit>&<offset>")]
pub async fn list_enrolments(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
    status: Option<&str>,
    q: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> AppResult<Json<EnrolmentList>> {
    let page = PageParams::asked(limit, offset)?;
    let filter = EnrolmentFilter {
        statuses: EnrolmentStatus::parse_list(status.unwrap_or(""))?,
        q: text_opt("q", q, 100)?.map(str::to_owned),
    };
    Ok(Json(
        service::list(state, &user, code, &filter, page).await?,
    ))
}

/// Whom to enrol.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolInput {
    /// The cadre (a cadre enrolling themself may leave it out).
    pub cadre_id: Option<i64>,
}

/// Enrols a cadre: by the school or an admin, by an officer for a cadre of their subtree (a
/// nomination), or by a cadre for themself (accepted directly, like any other enrolment).
/// Past capacity the cadre joins the FIFO waitlist and the answer gives the position.
/// Refused: outside the enrolment window (422), class not open (409), already in the class (409),
/// a missing or stale prerequisite (422 naming the module), a session overlapping another class
/// of the cadre (409 naming it).
#[utoipa::path(tag = "enrolments", security(("bearer" = [])), request_body = EnrolInput,
    params(("code" = String, Path, description = "Class code")),
    responses((status = 201, body = EnrolmentView), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/classes/<code>/enrolments", data = "<body>")]
pub async fn enrol(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
    body: JsonBody<EnrolInput>,
) -> AppResult<(Status, Json<EnrolmentView>)> {
    let view = service::enrol(state, &user, code, body.into_inner().cadre_id).await?;
    Ok((Status::Created, Json(view)))
}

/// Why an enrolment ends.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawInput {
    /// Reason, kept in the audit trail (required; 1 to 500 characters).
    pub reason: String,
}

/// Withdraws an enrolment (the cadre, their officer) or removes it (school, admin). When a seat
/// frees up, the first on the waitlist is promoted in the same transaction.
#[utoipa::path(tag = "enrolments", security(("bearer" = [])), request_body = WithdrawInput,
    params(("code" = String, Path, description = "Class code"), ("id" = i64, Path, description = "Enrolment id")),
    responses((status = 200, body = EnrolmentList), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
#[post("/api/classes/<code>/enrolments/<id>/withdraw", data = "<body>")]
pub async fn withdraw(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
    id: &str,
    body: JsonBody<WithdrawInput>,
) -> AppResult<Json<EnrolmentList>> {
    let reason = body.into_inner().reason;
    Ok(Json(
        service::withdraw(state, &user, code, id, reason).await?,
    ))
}

/// Edits a class. School staff or admin. Served here because a class's seats follow its capacity:
/// it may not drop below the seats taken, and a rise promotes the waitlist in order.
#[utoipa::path(tag = "classes", security(("bearer" = [])), request_body = ClassPatch,
    params(("code" = String, Path, description = "Class code")),
    responses((status = 200, body = ClassView), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[patch("/api/classes/<code>", data = "<body>")]
pub async fn update_class(
    state: &State<AppState>,
    user: SchoolStaff,
    code: &str,
    body: JsonBody<ClassPatch>,
) -> AppResult<Json<ClassView>> {
    Ok(Json(
        service::update_class(state, &user.actor(), code, body.into_inner()).await?,
    ))
}
