//! HTTP routes of the inbox: the caller's notices, unread count, marking read, settings. Every
//! signed-in role has an inbox; nobody reads another account's notices.

use rocket::serde::json::Json;
use rocket::{get, post, put, routes, Route, State};
use serde::Serialize;
use utoipa::ToSchema;

use super::service::{self, Inbox, NoticeSettings, SettingsInput};
use crate::api::query::SingleQuery;
use crate::api::{JsonBody, PageParams};
use crate::auth::AuthUser;
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::reasons::Lang;
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![
        list_notices,
        unread_notices,
        read_notice,
        read_all_notices,
        notice_settings,
        update_notice_settings
    ]
}

/// The unread count.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unread {
    /// Unread notices of the caller.
    pub unread: i64,
}

/// The caller's notices, newest first, with the unread count; `unread=true` for the unread ones
/// only; texts in `lang` (default: the account's language).
#[utoipa::path(tag = "notices", security(("bearer" = [])),
    params(("unread" = Option<bool>, Query, description = "Only the unread ones"),
           ("lang" = Option<String>, Query, description = "vi or en (default: the account's language)"),
           ("limit" = Option<i64>, Query, description = "1–500, default 50"),
           ("offset" = Option<i64>, Query, description = "Rows to skip")),
    responses((status = 200, body = Inbox), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/notices?<unread>&<lang>&<limit>&<offset>")]
pub async fn list_notices(
    state: &State<AppState>,
    user: AuthUser,
    _single: SingleQuery,
    unread: Option<&str>,
    lang: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> AppResult<Json<Inbox>> {
    let unread = crate::api::flag("unread", unread)?;
    // Absent: the account's own language.
    let lang = lang.map(|l| Lang::named("lang", l)).transpose()?;
    let page = PageParams::parse(limit, offset)?;
    Ok(Json(
        service::inbox(state, &user, unread, lang, page).await?,
    ))
}

/// How many of the caller's notices are unread (the top bar's count).
#[utoipa::path(tag = "notices", security(("bearer" = [])),
    responses((status = 200, body = Unread), (status = 401, body = ErrorEnvelope)))]
#[get("/api/notices/unread")]
pub async fn unread_notices(state: &State<AppState>, user: AuthUser) -> AppResult<Json<Unread>> {
    Ok(Json(Unread {
        unread: service::unread(state, &user).await?,
    }))
}

/// Marks one of the caller's notices read; answers the unread count. Another account's notice
/// is not found (404).
#[utoipa::path(tag = "notices", security(("bearer" = [])),
    params(("id" = String, Path, description = "The notice's id")),
    responses((status = 200, body = Unread), (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
#[post("/api/notices/<id>/read")]
pub async fn read_notice(
    state: &State<AppState>,
    user: AuthUser,
    id: &str,
) -> AppResult<Json<Unread>> {
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| AppError::not_found(crate::msg!(NoNotice, id = id)))?;
    Ok(Json(Unread {
        unread: service::mark_read(state, &user, id).await?,
    }))
}

/// Marks every notice of the caller read.
#[utoipa::path(tag = "notices", security(("bearer" = [])),
    responses((status = 200, body = Unread), (status = 401, body = ErrorEnvelope)))]
#[post("/api/notices/read-all")]
pub async fn read_all_notices(state: &State<AppState>, user: AuthUser) -> AppResult<Json<Unread>> {
    Ok(Json(Unread {
        unread: service::mark_all_read(state, &user).await?,
    }))
}

/// The caller's notice settings: e-mail address, language, the kinds not to mail.
#[utoipa::path(tag = "notices", security(("bearer" = [])),
    responses((status = 200, body = NoticeSettings), (status = 401, body = ErrorEnvelope)))]
#[get("/api/notices/settings")]
pub async fn notice_settings(
    state: &State<AppState>,
    user: AuthUser,
) -> AppResult<Json<NoticeSettings>> {
    Ok(Json(service::settings(state, &user).await?))
}

/// Replaces the caller's notice settings (422 naming the field for a bad address, language or
/// kind).
#[utoipa::path(tag = "notices", security(("bearer" = [])), request_body = SettingsInput,
    responses((status = 200, body = NoticeSettings), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[put("/api/notices/settings", data = "<body>")]
pub async fn update_notice_settings(
    state: &State<AppState>,
    user: AuthUser,
    body: JsonBody<SettingsInput>,
) -> AppResult<Json<NoticeSettings>> {
    Ok(Json(
        service::update_settings(state, &user, body.into_inner()).await?,
    ))
}
