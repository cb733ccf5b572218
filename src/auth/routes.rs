//! Login, the caller's own account, and changing one's own password.

use rocket::request::{self, FromRequest};
use rocket::serde::json::Json;
use rocket::{get, post, routes, Request, Route, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{password, ratelimit, AuthUser};
use crate::accounts::domain::NewPassword;
use crate::accounts::store::{self as accounts, AccountView};
use crate::api::JsonBody;
use crate::audit;
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![login, me, change_password]
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

/// The client's address (from `X-Real-IP` behind a proxy, else the socket).
pub struct ClientAddr(pub String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for ClientAddr {
    type Error = std::convert::Infallible;
    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        let ip = req
            .client_ip()
            .map(|ip| ip.to_string())
            .unwrap_or_else(|| "unknown".into());
        request::Outcome::Success(ClientAddr(ip))
    }
}

/// Logs in. Unknown users and wrong passwords get the same answer; after
/// `login_max_failures` failures within `login_window_secs` per username or per client
/// address, further attempts get 429 until the window passes.
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
    if username.len() > 64 || req.password.len() > 128 {
        return Err(AppError::Unauthorized(
            "invalid username or password".into(),
        ));
    }
    let cfg = &state.config;
    let keys = [format!("user:{username}"), format!("ip:{}", addr.0)];
    ratelimit::check(
        &state.db,
        &keys,
        cfg.login_max_failures,
        cfg.login_window_secs,
    )
    .await?;
    let creds = accounts::credentials(&state.db, &username).await?;
    let ok = password::verify(
        &req.password,
        creds.as_ref().map(|c| c.password_hash.clone()),
    )
    .await;
    match creds {
        Some(c) if ok && c.active => {
            ratelimit::clear(&state.db, &keys[0]).await?;
            tracing::info!(user = %username, "login");
            token_for(
                state,
                c.id,
                &c.role,
                c.unit_code.as_deref(),
                c.token_version,
            )
            .await
        }
        _ => {
            ratelimit::record_failure(&state.db, &keys).await?;
            tracing::warn!(user = %username, client = %addr.0, "failed login");
            Err(AppError::Unauthorized(
                "invalid username or password".into(),
            ))
        }
    }
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
    /// The new password (8–128 characters).
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
    let new = NewPassword::parse("new_password", &input.new_password)?;
    let creds = accounts::credentials_by_id(&state.db, user.id).await?;
    if !password::verify(&input.current_password, Some(creds.password_hash.clone())).await {
        return Err(AppError::invalid(
            "current_password",
            "the current password is wrong",
        ));
    }
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
        user.role.as_str(),
        user.unit_code.as_deref(),
        version,
    )
    .await
}

/// Issues a token for an account and answers it with the account.
async fn token_for(
    state: &AppState,
    id: i64,
    role: &str,
    unit: Option<&str>,
    version: i64,
) -> AppResult<Json<TokenResponse>> {
    let (token, expires_at) = state.keys.issue(id, role, unit, version)?;
    let account = accounts::get(&state.db, id).await?;
    Ok(Json(TokenResponse {
        token,
        token_type: "Bearer".into(),
        expires_at,
        account,
    }))
}
