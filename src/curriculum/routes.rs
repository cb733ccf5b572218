//! HTTP routes of the curriculum: scales, modules, programmes. Each parses its request, calls
//! one `service` function and answers its result.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, put, routes, Route, State};
use serde::Serialize;
use utoipa::ToSchema;

use super::domain::{check_same_code, ModuleCode, ModuleInput, ProgrammeInput};
use super::service;
use super::store::{ModuleVersion, ModuleView, ProgrammeView, ScaleView};
use crate::api::{parse_opt, JsonBody};
use crate::auth::{AuthUser, SchoolStaff};
use crate::error::{AppResult, ErrorEnvelope};
use crate::shared::text::parse_code;
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![
        list_scales,
        list_modules,
        get_module,
        module_versions,
        create_module,
        update_module,
        list_programmes,
        get_programme,
        put_programme
    ]
}

/// A list of scales.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScaleList {
    /// The scales, each with its ordered levels.
    pub items: Vec<ScaleView>,
}

/// Qualification scales and their ordered levels (data, editable in the database).
#[utoipa::path(tag = "curriculum", security(("bearer" = [])),
    responses((status = 200, body = ScaleList), (status = 401, body = ErrorEnvelope)))]
#[get("/api/scales")]
pub async fn list_scales(state: &State<AppState>, _user: AuthUser) -> AppResult<Json<ScaleList>> {
    Ok(Json(ScaleList {
        items: service::scales(&state.db).await?,
    }))
}

/// A list of modules.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleList {
    /// The modules, by code.
    pub items: Vec<ModuleView>,
}

/// Lists modules; `active=true` for those offered now, `q` to match code or title.
#[utoipa::path(tag = "curriculum", security(("bearer" = [])),
    params(("active" = Option<bool>, Query, description = "Only active (true) or inactive (false) modules"),
           ("q" = Option<String>, Query, description = "Code or title contains")),
    responses((status = 200, body = ModuleList), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/modules?<active>&<q>")]
pub async fn list_modules(
    state: &State<AppState>,
    _user: AuthUser,
    active: Option<&str>,
    q: Option<&str>,
) -> AppResult<Json<ModuleList>> {
    let q = crate::api::query::text_opt("q", q, 100)?;
    let active = parse_opt::<bool>("active", active)?;
    let q = q.map(str::trim).filter(|s| !s.is_empty());
    Ok(Json(ModuleList {
        items: service::modules(&state.db, active, q).await?,
    }))
}

/// One module with its prerequisites.
#[utoipa::path(tag = "curriculum", security(("bearer" = [])),
    params(("code" = String, Path, description = "Module code, e.g. DV-03")),
    responses((status = 200, body = ModuleView), (status = 404, body = ErrorEnvelope)))]
#[get("/api/modules/<code>")]
pub async fn get_module(
    state: &State<AppState>,
    _user: AuthUser,
    code: &str,
) -> AppResult<Json<ModuleView>> {
    let code = ModuleCode::in_path(code)?;
    Ok(Json(service::module(&state.db, &code).await?))
}

/// A list of earlier versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModuleVersionList {
    /// The current version number.
    pub current: i64,
    /// Earlier versions, oldest first.
    pub items: Vec<ModuleVersion>,
}

/// The earlier versions of a module (every edit keeps the previous state whole).
#[utoipa::path(tag = "curriculum", security(("bearer" = [])),
    params(("code" = String, Path, description = "Module code")),
    responses((status = 200, body = ModuleVersionList), (status = 404, body = ErrorEnvelope)))]
#[get("/api/modules/<code>/versions")]
pub async fn module_versions(
    state: &State<AppState>,
    _user: AuthUser,
    code: &str,
) -> AppResult<Json<ModuleVersionList>> {
    let code = ModuleCode::in_path(code)?;
    let (current, items) = service::versions(&state.db, &code).await?;
    Ok(Json(ModuleVersionList { current, items }))
}

/// Creates a module. School staff or admin.
#[utoipa::path(tag = "curriculum", security(("bearer" = [])), request_body = ModuleInput,
    responses((status = 201, body = ModuleView), (status = 403, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/modules", data = "<body>")]
pub async fn create_module(
    state: &State<AppState>,
    user: SchoolStaff,
    body: JsonBody<ModuleInput>,
) -> AppResult<(Status, Json<ModuleView>)> {
    let input = body.into_inner();
    let code = ModuleCode::parse("code", input.code.as_deref().unwrap_or(""))?;
    let view = service::create_module(&state.db, &user.actor(), &code, &input).await?;
    Ok((Status::Created, Json(view)))
}

/// Replaces a module's fields. The previous state is kept as a version (completions refer to the
/// version they followed), and the version number goes up. School staff or admin.
#[utoipa::path(tag = "curriculum", security(("bearer" = [])), request_body = ModuleInput,
    params(("code" = String, Path, description = "Module code")),
    responses((status = 200, body = ModuleView), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope)))]
#[put("/api/modules/<code>", data = "<body>")]
pub async fn update_module(
    state: &State<AppState>,
    user: SchoolStaff,
    code: &str,
    body: JsonBody<ModuleInput>,
) -> AppResult<Json<ModuleView>> {
    let input = body.into_inner();
    check_same_code(code, input.code.as_deref())?;
    let code = ModuleCode::in_path(code)?;
    Ok(Json(
        service::update_module(&state.db, &user.actor(), &code, &input, state.clock.today())
            .await?,
    ))
}

/// A list of programmes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgrammeList {
    /// The programmes, by code.
    pub items: Vec<ProgrammeView>,
}

/// Lists programmes with their modules.
#[utoipa::path(tag = "curriculum", security(("bearer" = [])),
    responses((status = 200, body = ProgrammeList), (status = 401, body = ErrorEnvelope)))]
#[get("/api/programmes")]
pub async fn list_programmes(
    state: &State<AppState>,
    _user: AuthUser,
) -> AppResult<Json<ProgrammeList>> {
    Ok(Json(ProgrammeList {
        items: service::programmes(&state.db).await?,
    }))
}

/// One programme.
#[utoipa::path(tag = "curriculum", security(("bearer" = [])),
    params(("code" = String, Path, description = "Programme code")),
    responses((status = 200, body = ProgrammeView), (status = 404, body = ErrorEnvelope)))]
#[get("/api/programmes/<code>")]
pub async fn get_programme(
    state: &State<AppState>,
    _user: AuthUser,
    code: &str,
) -> AppResult<Json<ProgrammeView>> {
    let code = code.trim().to_uppercase();
    Ok(Json(service::programme(&state.db, &code).await?))
}

/// Creates or replaces a programme (its name and ordered modules). School staff or admin.
#[utoipa::path(tag = "curriculum", security(("bearer" = [])), request_body = ProgrammeInput,
    params(("code" = String, Path, description = "Programme code")),
    responses((status = 200, body = ProgrammeView), (status = 201, body = ProgrammeView),
              (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[put("/api/programmes/<code>", data = "<body>")]
pub async fn put_programme(
    state: &State<AppState>,
    user: SchoolStaff,
    code: &str,
    body: JsonBody<ProgrammeInput>,
) -> AppResult<(Status, Json<ProgrammeView>)> {
    let input = body.into_inner();
    let code = parse_code("code", code)?;
    let (created, view) = service::put_programme(&state.db, &user.actor(), &code, &input).await?;
    Ok((
        if created { Status::Created } else { Status::Ok },
        Json(view),
    ))
}
