//! Admin routes for accounts: list, create, change role/unit/active, reset password. Each parses
//! its request, calls one `service` function and answers its result.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, patch, post, routes, Route, State};
use serde::Deserialize;
use utoipa::ToSchema;

use super::domain::{NewAccountInput, NewPassword, UpdateAccount, Username};
use super::service;
/// Creates the first admin (kept under this name for the app's start).
pub use super::service::bootstrap_admin;
use super::store::AccountView;
use crate::api::{JsonBody, Page, PageParams};
use crate::auth::{AdminUser, Role};
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![
        list_accounts,
        get_account,
        create_account,
        update_account,
        reset_password
    ]
}

fn parse_id(raw: &str) -> AppResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::not_found(crate::msg!(NoAccount, id = raw)))
}

/// Lists accounts. Admin only.
#[utoipa::path(tag = "accounts", security(("bearer" = [])),
    params(("role" = Option<Role>, Query, description = "Only this role"),
           ("q" = Option<String>, Query, description = "Username contains"),
           ("limit" = Option<i64>, Query, description = "1–500, default 50"),
           ("offset" = Option<i64>, Query, description = "Rows to skip")),
    responses((status = 200, body = Page<AccountView>), (status = 403, body = ErrorEnvelope)))]
#[get("/api/accounts?<role>&<q>&<limit>&<offset>")]
pub async fn list_accounts(
    state: &State<AppState>,
    _admin: AdminUser,
    role: Option<&str>,
    q: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> AppResult<Json<Page<AccountView>>> {
    let q = crate::api::query::text_opt("q", q, 100)?;
    let page = PageParams::parse(limit, offset)?;
    let role = match role.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(r) => Some(
            Role::parse(r)
                .ok_or_else(|| AppError::invalid("role", crate::msg!(UnknownRole, value = r)))?,
        ),
    };
    let (total, items) = service::list(
        &state.db,
        role,
        q.map(str::trim).filter(|s| !s.is_empty()),
        page,
    )
    .await?;
    Ok(Json(Page {
        total,
        limit: page.limit,
        offset: page.offset,
        items,
    }))
}

/// One account. Admin only.
#[utoipa::path(tag = "accounts", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = AccountView), (status = 404, body = ErrorEnvelope)))]
#[get("/api/accounts/<id>")]
pub async fn get_account(
    state: &State<AppState>,
    _admin: AdminUser,
    id: &str,
) -> AppResult<Json<AccountView>> {
    Ok(Json(service::get(&state.db, parse_id(id)?).await?))
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    /// 3–64 characters of a-z, 0-9, `.`, `_`, `-`.
    pub username: String,
    /// 12–128 characters for staff, 10–128 for cadres, hard to guess.
    pub password: String,
    /// Role.
    pub role: Role,
    /// Home unit (required for officers; a cadre account's is its cadre's unit, taken from the
    /// cadre when not given).
    pub unit_code: Option<String>,
    /// Linked cadre record: required for a cadre account (one active account per cadre), refused
    /// for the other roles.
    pub cadre_id: Option<i64>,
}

/// Creates an account. Admin only.
#[utoipa::path(tag = "accounts", security(("bearer" = [])), request_body = CreateAccount,
    responses((status = 201, body = AccountView), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/accounts", data = "<body>")]
pub async fn create_account(
    state: &State<AppState>,
    admin: AdminUser,
    body: JsonBody<CreateAccount>,
) -> AppResult<(Status, Json<AccountView>)> {
    let input = body.into_inner();
    let username = Username::parse("username", &input.username)?;
    let password = NewPassword::parse("password", &input.password, input.role, username.as_str())?;
    let input = NewAccountInput {
        username,
        password,
        role: input.role,
        unit_code: input.unit_code,
        cadre_id: input.cadre_id,
    };
    let account = service::create_account(&state.db, &admin.actor(), &input).await?;
    Ok((Status::Created, Json(account)))
}

/// Changes role, home unit, cadre link or active flag. A change of role, unit or active
/// flag revokes the account's tokens. Admin only; an admin cannot lock out the last admin.
#[utoipa::path(tag = "accounts", security(("bearer" = [])), request_body = UpdateAccount,
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = AccountView), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[patch("/api/accounts/<id>", data = "<body>")]
pub async fn update_account(
    state: &State<AppState>,
    admin: AdminUser,
    id: &str,
    body: JsonBody<UpdateAccount>,
) -> AppResult<Json<AccountView>> {
    let id = parse_id(id)?;
    let input = body.into_inner();
    Ok(Json(
        service::update_account(&state.db, &admin.actor(), id, &input).await?,
    ))
}

/// A password set by an admin.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPassword {
    /// 12–128 characters for staff, 10–128 for cadres, hard to guess.
    pub new_password: String,
}

/// Sets a new password for an account; its tokens stop working. Admin only.
#[utoipa::path(tag = "accounts", security(("bearer" = [])), request_body = ResetPassword,
    params(("id" = i64, Path, description = "Account id")),
    responses((status = 200, body = AccountView), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/accounts/<id>/password", data = "<body>")]
pub async fn reset_password(
    state: &State<AppState>,
    admin: AdminUser,
    id: &str,
    body: JsonBody<ResetPassword>,
) -> AppResult<Json<AccountView>> {
    let id = parse_id(id)?;
    let new_password = body.into_inner().new_password;
    Ok(Json(
        service::reset_password(&state.db, &admin.actor(), id, &new_password).await?,
    ))
}
