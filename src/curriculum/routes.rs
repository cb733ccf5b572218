//! HTTP routes of the curriculum: scales, modules, programmes.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, post, put, routes, Route, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::domain::{audiences_to_db, prerequisite_cycle, Audience};
use super::store::{
    self, LevelRef, ModuleVersion, ModuleView, ModuleWrite, ProgrammeView, ScaleView,
};
use crate::api::{parse_opt, JsonBody};
use crate::audit;
use crate::auth::{AuthUser, SchoolStaff};
use crate::db::Tx;
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::shared::text::{parse_code, required_text};
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
        items: store::scales(&state.db).await?,
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
        items: store::list_modules(&state.db, active, q).await?,
    }))
}

fn not_found(code: &str) -> AppError {
    AppError::not_found(format!("no module with code {code}"))
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
    let code = code.trim().to_uppercase();
    store::module(&state.db, &code)
        .await?
        .map(Json)
        .ok_or_else(|| not_found(&code))
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
    let code = code.trim().to_uppercase();
    let current = store::module(&state.db, &code)
        .await?
        .ok_or_else(|| not_found(&code))?;
    let id = store::module_id(&state.db, &code)
        .await?
        .ok_or_else(|| not_found(&code))?;
    Ok(Json(ModuleVersionList {
        current: current.version,
        items: store::versions(&state.db, id).await?,
    }))
}

/// A module to create, or the new state of one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuleInput {
    /// Code (2–20 of A-Z, 0-9, '-'); on update it must match the path or be absent.
    pub code: Option<String>,
    /// Vietnamese title.
    pub title_vi: String,
    /// English title.
    pub title_en: String,
    /// Teaching periods (1–5000).
    pub periods: i64,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Target audiences.
    #[serde(default)]
    pub audiences: Vec<Audience>,
    /// Codes of prerequisite modules.
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// Years a completion stays valid (1–50); absent = never stale.
    pub validity_years: Option<i64>,
    /// The qualification level a completion awards.
    pub awards: Option<LevelRef>,
    /// Offered now (default true).
    pub active: Option<bool>,
}

struct CheckedModule {
    title_vi: String,
    title_en: String,
    description: String,
    audiences: String,
    prereq_codes: Vec<String>,
    prereq_ids: Vec<i64>,
}

async fn check_module(tx: &mut Tx, code: &str, m: &ModuleInput) -> AppResult<CheckedModule> {
    let title_vi = required_text("title_vi", &m.title_vi, 300)?;
    let title_en = required_text("title_en", &m.title_en, 300)?;
    if !(1..=5000).contains(&m.periods) {
        return Err(AppError::invalid(
            "periods",
            "periods must be between 1 and 5000",
        ));
    }
    if m.description.chars().count() > 5000 {
        return Err(AppError::invalid(
            "description",
            "description must be at most 5000 characters",
        ));
    }
    if m.validity_years.is_some_and(|v| !(1..=50).contains(&v)) {
        return Err(AppError::invalid(
            "validity_years",
            "validity_years must be between 1 and 50",
        ));
    }
    if let Some(a) = &m.awards {
        if !store::level_exists(tx, &a.scale, &a.level).await? {
            return Err(AppError::invalid(
                "awards",
                format!("no level {:?} on scale {:?}", a.level, a.scale),
            ));
        }
    }
    let mut prereq_codes = Vec::new();
    let mut prereq_ids = Vec::new();
    for (i, raw) in m.prerequisites.iter().enumerate() {
        let field = format!("prerequisites[{i}]");
        let p = parse_code(&field, raw)?;
        if p == code {
            return Err(AppError::invalid(
                field,
                "a module cannot be its own prerequisite",
            ));
        }
        if prereq_codes.contains(&p) {
            return Err(AppError::invalid(field, format!("{p} is listed twice")));
        }
        let row = store::module_row(&mut *tx, &p)
            .await?
            .ok_or_else(|| AppError::invalid(field.clone(), format!("no module with code {p}")))?;
        prereq_ids.push(row.id);
        prereq_codes.push(p);
    }
    let edges = store::prerequisite_edges(tx).await?;
    if let Some(via) = prerequisite_cycle(code, &prereq_codes, &edges) {
        let i = prereq_codes.iter().position(|c| c == via).unwrap_or(0);
        return Err(AppError::invalid(
            format!("prerequisites[{i}]"),
            format!("{via} already requires {code}: prerequisites cannot form a cycle"),
        ));
    }
    Ok(CheckedModule {
        title_vi,
        title_en,
        description: m.description.trim().to_string(),
        audiences: audiences_to_db(&m.audiences),
        prereq_codes,
        prereq_ids,
    })
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
    let code = parse_code("code", input.code.as_deref().unwrap_or(""))?;
    let mut tx = state.db.begin().await?;
    if store::module_row(&mut tx, &code).await?.is_some() {
        return Err(AppError::conflict(
            Some("code"),
            format!("module {code} already exists"),
        ));
    }
    let c = check_module(&mut tx, &code, &input).await?;
    let write = ModuleWrite {
        code: &code,
        title_vi: &c.title_vi,
        title_en: &c.title_en,
        periods: input.periods,
        description: &c.description,
        audiences: &c.audiences,
        validity_years: input.validity_years,
        awards: input.awards.as_ref(),
        active: input.active.unwrap_or(true),
    };
    let id = store::insert_module(&mut tx, &write).await?;
    store::set_prerequisites(&mut tx, id, &c.prereq_ids).await?;
    let row = store::module_row(&mut tx, &code)
        .await?
        .ok_or_else(|| AppError::Internal("module vanished".into()))?;
    let view = row.view(c.prereq_codes);
    audit::record(
        &mut tx,
        &user.actor(),
        "create",
        "module",
        &code,
        None,
        Some(json!(view)),
    )
    .await?;
    tx.commit().await?;
    Ok((Status::Created, Json(view)))
}

/// Replaces a module's fields. The previous state is kept as a version (completions refer to the
/// version they followed), and the version number goes up. School staff or admin.
#[utoipa::path(tag = "curriculum", security(("bearer" = [])), request_body = ModuleInput,
    params(("code" = String, Path, description = "Module code")),
    responses((status = 200, body = ModuleView), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[put("/api/modules/<code>", data = "<body>")]
pub async fn update_module(
    state: &State<AppState>,
    user: SchoolStaff,
    code: &str,
    body: JsonBody<ModuleInput>,
) -> AppResult<Json<ModuleView>> {
    let input = body.into_inner();
    let code = code.trim().to_uppercase();
    if let Some(c) = &input.code {
        if c.trim().to_uppercase() != code {
            return Err(AppError::invalid(
                "code",
                "the code of a module cannot change",
            ));
        }
    }
    let mut tx = state.db.begin().await?;
    let row = store::module_row(&mut tx, &code)
        .await?
        .ok_or_else(|| not_found(&code))?;
    let c = check_module(&mut tx, &code, &input).await?;
    let edges = store::prerequisite_edges(&mut tx).await?;
    let before = row.view(edges.get(&code).cloned().unwrap_or_default());
    let write = ModuleWrite {
        code: &code,
        title_vi: &c.title_vi,
        title_en: &c.title_en,
        periods: input.periods,
        description: &c.description,
        audiences: &c.audiences,
        validity_years: input.validity_years,
        awards: input.awards.as_ref(),
        active: input.active.unwrap_or(row.active),
    };
    let mut sorted_prereqs = c.prereq_codes.clone();
    sorted_prereqs.sort();
    let unchanged = before.title_vi == c.title_vi
        && before.title_en == c.title_en
        && before.periods == input.periods
        && before.description == c.description
        && audiences_to_db(&before.audiences) == c.audiences
        && before.prerequisites == sorted_prereqs
        && before.validity_years == input.validity_years
        && before.awards == input.awards
        && before.active == write.active;
    if unchanged {
        return Ok(Json(before));
    }
    store::replace_module(&mut tx, row.id, &before, &write).await?;
    store::set_prerequisites(&mut tx, row.id, &c.prereq_ids).await?;
    let after_row = store::module_row(&mut tx, &code)
        .await?
        .ok_or_else(|| AppError::Internal("module vanished".into()))?;
    let after = after_row.view(sorted_prereqs);
    audit::record(
        &mut tx,
        &user.actor(),
        "update",
        "module",
        &code,
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(after))
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
        items: store::programmes(&state.db, None).await?,
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
    store::programmes(&state.db, Some(&code))
        .await?
        .into_iter()
        .next()
        .map(Json)
        .ok_or_else(|| AppError::not_found(format!("no programme with code {code}")))
}

/// A programme's new state.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeInput {
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Module codes in teaching order.
    pub modules: Vec<String>,
    /// Offered now (default true).
    pub active: Option<bool>,
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
    let name_vi = required_text("name_vi", &input.name_vi, 300)?;
    let name_en = required_text("name_en", &input.name_en, 300)?;
    if input.modules.is_empty() {
        return Err(AppError::invalid(
            "modules",
            "a programme needs at least one module",
        ));
    }
    let mut tx = state.db.begin().await?;
    let mut ids = Vec::new();
    let mut codes: Vec<String> = Vec::new();
    let mut periods = 0;
    for (i, raw) in input.modules.iter().enumerate() {
        let field = format!("modules[{i}]");
        let m = parse_code(&field, raw)?;
        if codes.contains(&m) {
            return Err(AppError::invalid(field, format!("{m} is listed twice")));
        }
        let row = store::module_row(&mut tx, &m)
            .await?
            .ok_or_else(|| AppError::invalid(field.clone(), format!("no module with code {m}")))?;
        ids.push(row.id);
        periods += row.periods;
        codes.push(m);
    }
    let view = ProgrammeView {
        code: code.clone(),
        name_vi,
        name_en,
        description: input.description.trim().to_string(),
        modules: codes,
        periods,
        active: input.active.unwrap_or(true),
    };
    let created = store::upsert_programme(&mut tx, &view, &ids).await?;
    audit::record(
        &mut tx,
        &user.actor(),
        if created { "create" } else { "update" },
        "programme",
        &code,
        None,
        Some(json!(view)),
    )
    .await?;
    tx.commit().await?;
    Ok((
        if created { Status::Created } else { Status::Ok },
        Json(view),
    ))
}
