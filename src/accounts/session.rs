//! Login, the caller's own account, and changing one's own password.

use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::domain::NewPassword;
use super::store::{self as accounts, AccountView};
use crate::api::JsonBody;
use crate::audit;
use crate::auth::{password, ratelimit, AuthUser, Role};
use crate::error::{AppError, AppResult, ErrorEnvelope};
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

/// An access token and the account it is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The JWT to send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Expiry, seconds since the epoch.
    pub expires_at: i64,
    /// The account.
    pub account: AccountView,
}

use crate::auth::client::ClientAddr;

fn limits(state: &AppState) -> ratelimit::Limits {
    ratelimit::Limits {
        max: state.config.login_max_failures,
        window: state.config.login_window_secs,
    }
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
    let username = req.username.trim().to_lowercase();
    if username.is_empty() {
        return Err(AppError::invalid("username", "username is required"));
    }
    if req.password.is_empty() {
        return Err(AppError::invalid("password", "password is required"));
    }
    if username.len() > 64 || req.password.len() > 128 || username.contains('\0') {
        return Err(AppError::Unauthorized(
            "invalid username or password".into(),
        ));
    }
    let attempt = ratelimit::reserve_login(&state.db, &username, &addr.0, limits(state)).await?;
    let creds = accounts::credentials(&state.db, &username).await?;
    let ok = password::verify(
        &req.password,
        creds.as_ref().map(|c| c.password_hash.clone()),
    )
    .await;
    match creds {
        Some(c) if ok && c.active => {
            attempt.release(&state.db).await?;
            ratelimit::succeeded(&state.db, &username, &addr.0).await?;
            tracing::info!(account = c.id, "login");
            token_for(state, c.id, c.role, c.unit_code.as_deref(), c.token_version).await
        }
        creds => {
            attempt.fail(&state.db).await?;
            if let Some(c) = creds {
                // Only for existing accounts: an unknown "username" may be a password typed in
                // the wrong field.
                let mut tx = state.db.begin().await?;
                audit::record(
                    &mut tx,
                    &audit::Actor {
                        id: None,
                        username: "anonymous".into(),
                    },
                    "login_failed",
                    "account",
                    &c.id.to_string(),
                    None,
                    Some(json!({"client": addr.0, "active": c.active})),
                )
                .await?;
                tx.commit().await?;
                tracing::warn!(account = c.id, "failed login");
            } else {
                tracing::warn!("failed login for an unknown username");
            }
            Err(AppError::Unauthorized(
                "invalid username or password".into(),
            ))
        }
    }
}

/// Ends the caller's sessions at once: every token of the account stops working (server-side
/// logout; the account's token version moves on).
#[utoipa::path(tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Logged out"), (status = 401, body = ErrorEnvelope)))]
#[post("/api/auth/logout")]
pub async fn logout(state: &State<AppState>, user: AuthUser) -> AppResult<rocket::http::Status> {
    let mut tx = state.db.begin().await?;
    accounts::revoke_tokens(&mut tx, user.id).await?;
    audit::record(
        &mut tx,
        &user.actor(),
        "logout",
        "account",
        &user.id.to_string(),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(rocket::http::Status::NoContent)
}

/// The caller's own account.
#[utoipa::path(tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = AccountView), (status = 401, body = ErrorEnvelope)))]
#[get("/api/auth/me")]
pub async fn me(state: &State<AppState>, user: AuthUser) -> AppResult<Json<AccountView>> {
    Ok(Json(accounts::get(&state.db, user.id).await?))
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
    let creds = accounts::credentials_by_id(&state.db, user.id).await?;
    // A stolen token must not become an unlimited oracle for the current password.
    let attempt = ratelimit::reserve_password_check(&state.db, user.id, limits(state)).await?;
    if !password::verify(&input.current_password, Some(creds.password_hash.clone())).await {
        attempt.fail(&state.db).await?;
        return Err(AppError::invalid(
            "current_password",
            "the current password is wrong",
        ));
    }
    attempt.release(&state.db).await?;
    if input.current_password == input.new_password {
        return Err(AppError::invalid(
            "new_password",
            "the new password must differ from the current one",
        ));
    }
    let hash = password::hash(new.expose()).await?;
    let mut tx = state.db.begin().await?;
    let version = accounts::set_password(&mut tx, user.id, &hash).await?;
    audit::record(
        &mut tx,
        &user.actor(),
        "change_password",
        "account",
        &user.id.to_string(),
        None,
        Some(json!({"password": "changed"})),
    )
    .await?;
    tx.commit().await?;
    token_for(
        state,
        user.id,
        user.role,
        user.unit_code.as_deref(),
        version,
    )
    .await
}

/// Issues a token for an account and answers it with the account.
async fn token_for(
    state: &AppState,
    id: i64,
    role: Role,
    unit: Option<&str>,
    version: i64,
) -> AppResult<Json<TokenResponse>> {
    let (token, expires_at) = state.keys.issue(id, role.as_str(), unit, version)?;
    let account = accounts::get(&state.db, id).await?;
    Ok(Json(TokenResponse {
        token,
        token_type: "Bearer".into(),
        expires_at,
        account,
    }))
}
