//! HTTP routes of title standards: versions, the version in force, publishing a new one.

use chrono::NaiveDate;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::domain::{check_duplicates, Requirement};
use super::store::{self, StandardVersion};
use super::titles;
use crate::api::{parse_opt, JsonBody};
use crate::audit;
use crate::auth::{AuthUser, StandardsEditor};
use crate::db::Tx;
use crate::error::{AppError, AppResult, ErrorEnvelope};
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

async fn title_exists(state: &AppState, code: &str) -> AppResult<String> {
    let code = code.trim().to_uppercase();
    match titles::get(&state.db, &code).await? {
        Some(_) => Ok(code),
        None => Err(AppError::not_found(format!("no title with code {code}"))),
    }
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
    let code = title_exists(state, code).await?;
    Ok(Json(StandardVersionList {
        items: store::versions(&state.db, &code).await?,
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
    let code = title_exists(state, code).await?;
    store::versions(&state.db, &code)
        .await?
        .into_iter()
        .filter(|v| v.effective_from <= d)
        .max_by_key(|v| v.effective_from)
        .map(Json)
        .ok_or_else(|| AppError::not_found(format!("no standard of {code} is in force on {d}")))
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
}

/// Checks requirements against the scales, levels and modules on record.
pub async fn check_requirements(tx: &mut Tx, reqs: &[Requirement]) -> AppResult<Vec<Requirement>> {
    if reqs.is_empty() {
        return Err(AppError::invalid(
            "requirements",
            "a standard needs at least one requirement",
        ));
    }
    if reqs.len() > 50 {
        return Err(AppError::invalid("requirements", "at most 50 requirements"));
    }
    let mut out = Vec::with_capacity(reqs.len());
    for (i, r) in reqs.iter().enumerate() {
        let r = r.normalised(i)?;
        match &r {
            Requirement::MinLevel { scale, level } => {
                if !crate::curriculum::store::level_exists(tx, scale, level).await? {
                    return Err(AppError::invalid(
                        format!("requirements[{i}].level"),
                        format!("no level {level:?} on scale {scale:?}"),
                    ));
                }
            }
            Requirement::Module { module, .. } => {
                if crate::curriculum::store::module_row(&mut *tx, module)
                    .await?
                    .is_none()
                {
                    return Err(AppError::invalid(
                        format!("requirements[{i}].module"),
                        format!("no module with code {module}"),
                    ));
                }
            }
            Requirement::MaxAge { .. } | Requirement::MinPartyYears { .. } => {}
        }
        out.push(r);
    }
    check_duplicates(&out)?;
    Ok(out)
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
    if input.note.chars().count() > 1000 {
        return Err(AppError::invalid(
            "note",
            "note must be at most 1000 characters",
        ));
    }
    let mut tx = state.db.begin().await?;
    let title = titles::by_code(&mut tx, &code.trim().to_uppercase())
        .await?
        .ok_or_else(|| AppError::not_found(format!("no title with code {code}")))?;
    let reqs = check_requirements(&mut tx, &input.requirements).await?;
    if store::has_version_on(&mut tx, title.id, input.effective_from).await? {
        return Err(AppError::conflict(
            Some("effective_from"),
            format!(
                "{} already has a version in force from {}",
                title.code, input.effective_from
            ),
        ));
    }
    let version = store::publish(
        &mut tx,
        title.id,
        input.effective_from,
        input.note.trim(),
        &user.username,
        &reqs,
    )
    .await?;
    audit::record(
        &mut tx,
        &user.actor(),
        "publish",
        "standard",
        &format!("{}#{version}", title.code),
        None,
        Some(json!({"effective_from": input.effective_from, "requirements": reqs})),
    )
    .await?;
    tx.commit().await?;
    let v = store::versions(&state.db, &title.code)
        .await?
        .into_iter()
        .find(|v| v.version == version)
        .ok_or_else(|| AppError::Internal("standard vanished".into()))?;
    Ok((Status::Created, Json(v)))
}
