//! HTTP routes of title standards: versions, the version in force, publishing a new one. Each
//! parses its request, calls one `service` function and answers its result.

use chrono::NaiveDate;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::domain::{check_first_day, check_note, Requirement};
use super::service;
use super::store::StandardVersion;
use crate::api::{parse_opt, JsonBody};
use crate::auth::{AuthUser, StandardsEditor};
use crate::error::{AppResult, ErrorEnvelope};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![list_versions, in_force, publish]
}

/// A list of standard versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandardVersionList {
    /// Versions, oldest first.
    pub items: Vec<StandardVersion>,
}

/// Every version of a title's standard.
#[utoipa::path(tag = "standards", security(("bearer" = [])),
    params(("code" = String, Path, description = "Title code")),
    responses((status = 200, body = StandardVersionList), (status = 404, body = ErrorEnvelope)))]
#[get("/api/titles/<code>/standards")]
pub async fn list_versions(
    state: &State<AppState>,
    _user: AuthUser,
    code: &str,
) -> AppResult<Json<StandardVersionList>> {
    Ok(Json(StandardVersionList {
        items: service::versions(&state.db, code).await?,
    }))
}

/// The version of a title's standard in force on a day (default today).
#[utoipa::path(tag = "standards", security(("bearer" = [])),
    params(("code" = String, Path, description = "Title code"), ("as_of" = Option<String>, Query, description = "YYYY-MM-DD")),
    responses((status = 200, body = StandardVersion), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/titles/<code>/standard?<as_of>")]
pub async fn in_force(
    state: &State<AppState>,
    _user: AuthUser,
    code: &str,
    as_of: Option<&str>,
) -> AppResult<Json<StandardVersion>> {
    let d = parse_opt::<NaiveDate>("as_of", as_of)?.unwrap_or_else(|| state.clock.today());
    Ok(Json(service::in_force(&state.db, code, d).await?))
}

/// A new version of a standard.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishInput {
    /// First day in force.
    pub effective_from: NaiveDate,
    /// Note (e.g. the decision that adopted it).
    #[serde(default)]
    pub note: String,
    /// Requirements, in the order they are to be shown.
    pub requirements: Vec<Requirement>,
    /// Confirms a first day before today (the city's date): such a version changes the reports
    /// already made for the days since, so it is refused (422 `effective_from`) unless confirmed.
    #[serde(default)]
    pub retroactive: bool,
}

/// Publishes a new version of a title's standard; earlier versions never change.
/// Commission or admin.
#[utoipa::path(tag = "standards", security(("bearer" = [])), request_body = PublishInput,
    params(("code" = String, Path, description = "Title code")),
    responses((status = 201, body = StandardVersion), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/titles/<code>/standards", data = "<body>")]
pub async fn publish(
    state: &State<AppState>,
    user: StandardsEditor,
    code: &str,
    body: JsonBody<PublishInput>,
) -> AppResult<(Status, Json<StandardVersion>)> {
    let input = body.into_inner();
    check_note(&input.note)?;
    check_first_day(input.effective_from, state.clock.today(), input.retroactive)?;
    let version = service::publish(
        &state.db,
        &user.actor(),
        code,
        input.effective_from,
        &input.note,
        &input.requirements,
        state.clock.today(),
    )
    .await?;
    Ok((Status::Created, Json(version)))
}
