//! HTTP routes of cadres: roster, record, moves, titles held and planned, qualifications. Each
//! parses its request, asks `service`, and answers with what it gives.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, patch, post, routes, Route, State};

use super::domain::Organisation;
use super::service::{
    self, visible, CadreDetail, CadreInput, CadrePatch, EndInput, PeriodInput, QualificationInput,
    QualificationList, QualificationPatch,
};
use super::store::{CadreFilter, CadreView, TitleList};
use crate::api::{parse_opt, JsonBody, Page, PageParams};
use crate::auth::{AuthUser, RosterEditor};
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![
        list_cadres,
        get_cadre,
        create_cadre,
        update_cadre,
        add_title,
        end_title,
        add_plan,
        end_plan,
        list_qualifications,
        add_qualification,
        update_qualification
    ]
}

fn parse_id(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::not_found(crate::msg!(NoCadre, id = raw)))
}

/// Lists cadres in the caller's scope, sorted the Vietnamese way (given name first), paged.
/// `q` matches the name without diacritics (`nguyen van an` finds `Nguyễn Văn An`).
#[utoipa::path(tag = "cadres", security(("bearer" = [])),
    params(("unit" = Option<String>, Query, description = "Only this unit's subtree"),
           ("q" = Option<String>, Query, description = "Name contains (diacritics optional)"),
           ("organisation" = Option<Organisation>, Query, description = "Only this organisation"),
           ("active" = Option<bool>, Query, description = "Active flag"),
           ("limit" = Option<i64>, Query, description = "1–500, default 50"),
           ("offset" = Option<i64>, Query, description = "Rows to skip")),
    responses((status = 200, body = Page<CadreView>), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/cadres?<unit>&<q>&<organisation>&<active>&<limit>&<offset>")]
#[allow(clippy::too_many_arguments)]
pub async fn list_cadres(
    state: &State<AppState>,
    user: AuthUser,
    unit: Option<&str>,
    q: Option<&str>,
    organisation: Option<&str>,
    active: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> AppResult<Json<Page<CadreView>>> {
    let q = crate::api::query::text_opt("q", q, 100)?;
    let page = PageParams::parse(limit, offset)?;
    let scope = user.scope()?;
    let mut filter = CadreFilter {
        active: parse_opt::<bool>("active", active)?,
        ..Default::default()
    };
    if let Some(code) = unit.map(str::trim).filter(|s| !s.is_empty()) {
        filter.unit_path = Some(service::roster_unit(state, &scope, code).await?);
    }
    if let Some(q) = q.map(str::trim).filter(|s| !s.is_empty()) {
        if q.chars().count() > 100 {
            return Err(AppError::invalid(
                "q",
                crate::msg!(SearchTooLong, max = 100),
            ));
        }
        filter.q = Some(q.to_string());
    }
    if let Some(o) = organisation.map(str::trim).filter(|s| !s.is_empty()) {
        Organisation::parse(o).ok_or_else(|| {
            AppError::invalid("organisation", crate::msg!(UnknownOrganisation, value = o))
        })?;
        filter.organisation = Some(o.to_string());
    }
    let (total, items) = service::roster(state, &scope, &filter, page).await?;
    Ok(Json(Page {
        total,
        limit: page.limit,
        offset: page.offset,
        items,
    }))
}

/// One cadre's record: profile, units over time, titles held and planned, qualifications.
#[utoipa::path(tag = "cadres", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Cadre id")),
    responses((status = 200, body = CadreDetail), (status = 404, body = ErrorEnvelope)))]
#[get("/api/cadres/<id>")]
pub async fn get_cadre(
    state: &State<AppState>,
    user: AuthUser,
    id: &str,
) -> AppResult<Json<CadreDetail>> {
    let cadre = visible(state, &user, parse_id(id)?).await?;
    Ok(Json(service::detail(state, cadre).await?))
}

/// Creates a cadre. Officers only inside their subtree; admin and school anywhere.
#[utoipa::path(tag = "cadres", security(("bearer" = [])), request_body = CadreInput,
    responses((status = 201, body = CadreDetail), (status = 403, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/cadres", data = "<body>")]
pub async fn create_cadre(
    state: &State<AppState>,
    user: RosterEditor,
    body: JsonBody<CadreInput>,
) -> AppResult<(Status, Json<CadreDetail>)> {
    let created = service::create(state, &user, body.into_inner()).await?;
    Ok((Status::Created, Json(created)))
}

/// Edits a cadre (officers: only inside their subtree, and only moves within it). A cadre who
/// holds or is planned for a title beyond today is not made inactive (409 naming `active` and
/// the titles): those periods end first. Nor is a birth date moved so that a title on record
/// would have begun before the cadre was eighteen, or after a completion or qualification on
/// record (409 naming `birth_date`).
#[utoipa::path(tag = "cadres", security(("bearer" = [])), request_body = CadrePatch,
    params(("id" = i64, Path, description = "Cadre id")),
    responses((status = 200, body = CadreDetail), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[patch("/api/cadres/<id>", data = "<body>")]
pub async fn update_cadre(
    state: &State<AppState>,
    user: RosterEditor,
    id: &str,
    body: JsonBody<CadrePatch>,
) -> AppResult<Json<CadreDetail>> {
    let patch = body.into_inner();
    let before = visible(state, &user, parse_id(id)?).await?;
    Ok(Json(service::update(state, &user, before, patch).await?))
}

async fn add_title_period(
    state: &AppState,
    user: &RosterEditor,
    id: &str,
    input: PeriodInput,
    which: TitleList,
) -> AppResult<(Status, Json<CadreDetail>)> {
    let cadre = visible(state, user, parse_id(id)?).await?;
    let added = service::add_period(state, user, cadre, input, which).await?;
    Ok((Status::Created, Json(added)))
}

async fn end_title_period(
    state: &AppState,
    user: &RosterEditor,
    id: &str,
    pid: &str,
    input: EndInput,
    which: TitleList,
) -> AppResult<Json<CadreDetail>> {
    let cadre = visible(state, user, parse_id(id)?).await?;
    let pid: i64 = pid
        .parse()
        .map_err(|_| AppError::not_found(crate::msg!(NoPeriod, id = pid)))?;
    Ok(Json(
        service::end_period(state, user, cadre, pid, input, which).await?,
    ))
}

/// Records a title the cadre holds (an assignment), with its period, from the cadre's eighteenth
/// birthday (before it: 422 naming `from_date` and the day).
#[utoipa::path(tag = "cadres", security(("bearer" = [])), request_body = PeriodInput,
    params(("id" = i64, Path, description = "Cadre id")),
    responses((status = 201, body = CadreDetail), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/cadres/<id>/titles", data = "<body>")]
pub async fn add_title(
    state: &State<AppState>,
    user: RosterEditor,
    id: &str,
    body: JsonBody<PeriodInput>,
) -> AppResult<(Status, Json<CadreDetail>)> {
    add_title_period(state, &user, id, body.into_inner(), TitleList::Held).await
}

/// Sets the end of a title assignment.
#[utoipa::path(tag = "cadres", security(("bearer" = [])), request_body = EndInput,
    params(("id" = i64, Path, description = "Cadre id"), ("aid" = i64, Path, description = "Assignment id")),
    responses((status = 200, body = CadreDetail), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[patch("/api/cadres/<id>/titles/<aid>", data = "<body>")]
pub async fn end_title(
    state: &State<AppState>,
    user: RosterEditor,
    id: &str,
    aid: &str,
    body: JsonBody<EndInput>,
) -> AppResult<Json<CadreDetail>> {
    end_title_period(state, &user, id, aid, body.into_inner(), TitleList::Held).await
}

/// Records a succession-planning entry: the cadre is planned for a title, from their eighteenth
/// birthday (before it: 422 naming `from_date` and the day).
#[utoipa::path(tag = "cadres", security(("bearer" = [])), request_body = PeriodInput,
    params(("id" = i64, Path, description = "Cadre id")),
    responses((status = 201, body = CadreDetail), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/cadres/<id>/plans", data = "<body>")]
pub async fn add_plan(
    state: &State<AppState>,
    user: RosterEditor,
    id: &str,
    body: JsonBody<PeriodInput>,
) -> AppResult<(Status, Json<CadreDetail>)> {
    add_title_period(state, &user, id, body.into_inner(), TitleList::Planned).await
}

/// Sets the end of a succession-planning entry.
#[utoipa::path(tag = "cadres", security(("bearer" = [])), request_body = EndInput,
    params(("id" = i64, Path, description = "Cadre id"), ("pid" = i64, Path, description = "Plan id")),
    responses((status = 200, body = CadreDetail), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[patch("/api/cadres/<id>/plans/<pid>", data = "<body>")]
pub async fn end_plan(
    state: &State<AppState>,
    user: RosterEditor,
    id: &str,
    pid: &str,
    body: JsonBody<EndInput>,
) -> AppResult<Json<CadreDetail>> {
    end_title_period(state, &user, id, pid, body.into_inner(), TitleList::Planned).await
}

/// The qualifications a cadre holds.
#[utoipa::path(tag = "cadres", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Cadre id")),
    responses((status = 200, body = QualificationList), (status = 404, body = ErrorEnvelope)))]
#[get("/api/cadres/<id>/qualifications")]
pub async fn list_qualifications(
    state: &State<AppState>,
    user: AuthUser,
    id: &str,
) -> AppResult<Json<QualificationList>> {
    let cadre = visible(state, &user, parse_id(id)?).await?;
    Ok(Json(service::qualifications(state, &cadre).await?))
}

/// Records a qualification held (by hand, with provenance).
#[utoipa::path(tag = "cadres", security(("bearer" = [])), request_body = QualificationInput,
    params(("id" = i64, Path, description = "Cadre id")),
    responses((status = 201, body = QualificationList), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/cadres/<id>/qualifications", data = "<body>")]
pub async fn add_qualification(
    state: &State<AppState>,
    user: RosterEditor,
    id: &str,
    body: JsonBody<QualificationInput>,
) -> AppResult<(Status, Json<QualificationList>)> {
    let q = body.into_inner();
    let cadre = visible(state, &user, parse_id(id)?).await?;
    let list = service::add_qualification(state, &user, cadre, q).await?;
    Ok((Status::Created, Json(list)))
}

/// Edits a qualification recorded by hand or imported (issuer, evidence, provenance), or revokes
/// or reinstates it with a reason (kept in the audit trail). One a class completion awarded
/// changes only with its certificate (409).
#[utoipa::path(tag = "cadres", security(("bearer" = [])), request_body = QualificationPatch,
    params(("id" = i64, Path, description = "Cadre id"), ("qid" = i64, Path, description = "Qualification id")),
    responses((status = 200, body = QualificationList), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[patch("/api/cadres/<id>/qualifications/<qid>", data = "<body>")]
pub async fn update_qualification(
    state: &State<AppState>,
    user: RosterEditor,
    id: &str,
    qid: &str,
    body: JsonBody<QualificationPatch>,
) -> AppResult<Json<QualificationList>> {
    let patch = body.into_inner();
    let cadre = visible(state, &user, parse_id(id)?).await?;
    let qid: i64 = qid.parse().map_err(|_| {
        AppError::not_found(crate::msg!(NoQualification, id = qid, cadre = cadre.id))
    })?;
    Ok(Json(
        service::update_qualification(state, &user, cadre, qid, patch).await?,
    ))
}
