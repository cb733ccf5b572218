//! Login, the caller's own account, and changing one's own password. Each route parses its
//! request, calls one `service` function and answers its result.

use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};
use serde::Deserialize;
use utoipa::ToSchema;

use super::domain::{login_username, NewPassword};
use super::service::{self, TokenResponse};
use super::store::AccountView;
use crate::api::JsonBody;
use crate::auth::client::ClientAddr;
use crate::auth::AuthUser;
use crate::error::{AppResult, ErrorEnvelope};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![login, logout, me, change_password]
}

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// Logs in. Unknown users and wrong passwords get the same answer. Guesses are throttled before
/// the password is checked (`auth::ratelimit`): per account and address, per address, and, softly,
/// per account for addresses it has never logged in from; a throttled attempt gets 429 with
/// `Retry-After`. Failures on an existing account go to the audit trail.
#[utoipa::path(tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope), (status = 429, body = ErrorEnvelope)))]
#[post("/api/auth/login", data = "<body>")]
pub async fn login(
    state: &State<AppState>,
    addr: ClientAddr,
    body: JsonBody<LoginRequest>,
) -> AppResult<Json<TokenResponse>> {
    let req = body.into_inner();
    let username = login_username(&req.username, &req.password)?;
    Ok(Json(
        service::login(state, &addr.0, &username, &req.password).await?,
    ))
}

/// Ends the caller's sessions at once: every token of the account stops working (server-side
/// logout; the account's token version moves on).
#[utoipa::path(tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Logged out"), (status = 401, body = ErrorEnvelope)))]
#[post("/api/auth/logout")]
pub async fn logout(state: &State<AppState>, user: AuthUser) -> AppResult<rocket::http::Status> {
    service::logout(&state.db, &user).await?;
    Ok(rocket::http::Status::NoContent)
}

/// The caller's own account.
#[utoipa::path(tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = AccountView), (status = 401, body = ErrorEnvelope)))]
#[get("/api/auth/me")]
pub async fn me(state: &State<AppState>, user: AuthUser) -> AppResult<Json<AccountView>> {
    Ok(Json(service::get(&state.db, user.id).await?))
}

/// Changing one's own password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    /// The current password.
    pub current_password: String,
    /// The new password (12–128 characters for staff, 10–128 for cadres, hard to guess).
    pub new_password: String,
}

/// Changes the caller's password. Every earlier token stops working; the answer carries a new one.
#[utoipa::path(tag = "auth", security(("bearer" = [])), request_body = ChangePassword,
    responses((status = 200, body = TokenResponse), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/auth/password", data = "<body>")]
pub async fn change_password(
    state: &State<AppState>,
    user: AuthUser,
    body: JsonBody<ChangePassword>,
) -> AppResult<Json<TokenResponse>> {
    let input = body.into_inner();
    let new = NewPassword::parse(
        "new_password",
        &input.new_password,
        user.role,
        &user.username,
    )?;
    Ok(Json(
        service::change_password(state, &user, &input.current_password, &new).await?,
    ))
}
