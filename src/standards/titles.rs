//! HTTP routes of titles: a role in an organisation kind at a level (e.g. chair of the ward
//! Fatherland Front). Each parses its request, calls one `service` function and answers its
//! result; titles are stored by `store`, seeded by `seed`.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, patch, post, routes, Route, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::domain::{title_filters, NewTitle, Organisation};
pub use super::seed::seed_titles_if_empty as seed_if_empty;
use super::service;
pub use super::store::{title as by_code, Title};
use crate::api::JsonBody;
use crate::auth::{AuthUser, StandardsEditor};
use crate::error::{AppResult, ErrorEnvelope};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![list_titles, create_title, update_title]
}

/// A list of titles.
#[derive(Debug, Serialize, ToSchema)]
pub struct TitleList {
    /// The titles.
    pub items: Vec<Title>,
}

/// The leadership titles, optionally filtered by level or organisation kind.
#[utoipa::path(tag = "standards", security(("bearer" = [])),
    params(("level" = Option<String>, Query, description = "city, district or commune"),
           ("org_kind" = Option<String>, Query, description = "Organisation kind, e.g. fatherland_front")),
    responses((status = 200, body = TitleList), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/titles?<level>&<org_kind>")]
pub async fn list_titles(
    state: &State<AppState>,
    _user: AuthUser,
    level: Option<&str>,
    org_kind: Option<&str>,
) -> AppResult<Json<TitleList>> {
    let (level, org_kind) = title_filters(level, org_kind)?;
    Ok(Json(TitleList {
        items: service::titles(&state.db, level, org_kind).await?,
    }))
}

/// A new title.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleInput {
    /// Code (2–20 of A-Z, 0-9, '-').
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Organisation kind.
    pub org_kind: Organisation,
    /// `city`, `district` or `commune`.
    pub level: String,
}

/// Creates a title. Commission or admin.
#[utoipa::path(tag = "standards", security(("bearer" = [])), request_body = TitleInput,
    responses((status = 201, body = Title), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/titles", data = "<body>")]
pub async fn create_title(
    state: &State<AppState>,
    user: StandardsEditor,
    body: JsonBody<TitleInput>,
) -> AppResult<(Status, Json<Title>)> {
    let t = body.into_inner();
    let title = NewTitle::parse(&t.code, &t.name_vi, &t.name_en, t.org_kind, &t.level)?;
    let title = service::create_title(&state.db, &user.actor(), &title).await?;
    Ok((Status::Created, Json(title)))
}

/// Changes to a title.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TitlePatch {
    /// Vietnamese name.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = String)]
    pub name_vi: Option<String>,
    /// English name.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = String)]
    pub name_en: Option<String>,
    /// In use (inactive titles cannot be newly assigned).
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

/// Renames or (de)activates a title; its organisation kind and level are fixed. Commission or admin.
#[utoipa::path(tag = "standards", security(("bearer" = [])), request_body = TitlePatch,
    params(("code" = String, Path, description = "Title code")),
    responses((status = 200, body = Title), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[patch("/api/titles/<code>", data = "<body>")]
pub async fn update_title(
    state: &State<AppState>,
    user: StandardsEditor,
    code: &str,
    body: JsonBody<TitlePatch>,
) -> AppResult<Json<Title>> {
    let p = body.into_inner();
    let code = code.trim().to_uppercase();
    Ok(Json(
        service::update_title(
            &state.db,
            &user.actor(),
            &code,
            p.name_vi.as_deref(),
            p.name_en.as_deref(),
            p.active,
        )
        .await?,
    ))
}
