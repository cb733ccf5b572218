//! Admin routes for accounts: list, create, change role/unit/active, reset password.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, patch, post, routes, Route, State};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::domain::{NewPassword, Username};
use super::service::create;
use super::store::{self, AccountView, NewAccount};
use crate::api::{JsonBody, Page, PageParams};
use crate::audit::{self, Actor};
use crate::auth::{password, AdminUser, Role};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::state::AppState;
use crate::units;

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
        .ok_or_else(|| AppError::not_found(format!("no account with id {raw}")))
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
                .ok_or_else(|| AppError::invalid("role", format!("unknown role {r:?}")))?,
        ),
    };
    let (total, items) = store::list(
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
    Ok(Json(store::get(&state.db, parse_id(id)?).await?))
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
    /// Home unit (required for officers and cadres).
    pub unit_code: Option<String>,
    /// Linked cadre record.
    pub cadre_id: Option<i64>,
}

async fn check_unit(tx: &mut Tx, role: Role, unit: Option<&str>) -> AppResult<Option<String>> {
    let unit = unit.map(str::trim).filter(|s| !s.is_empty());
    match unit {
        None if role.needs_unit() => Err(AppError::invalid(
            "unit_code",
            format!("a {} account needs a home unit", role.as_str()),
        )),
        None => Ok(None),
        Some(code) => {
            let u = units::store::get(tx, code).await?.ok_or_else(|| {
                AppError::invalid("unit_code", format!("no unit with code {code}"))
            })?;
            if u.retired_on.is_some() {
                return Err(AppError::invalid(
                    "unit_code",
                    format!("unit {code} is retired"),
                ));
            }
            Ok(Some(u.code))
        }
    }
}

async fn check_cadre_id(tx: &mut Tx, cadre_id: Option<i64>) -> AppResult<()> {
    if let Some(c) = cadre_id {
        if c <= 0 || !crate::cadres::store::exists(tx, c).await? {
            return Err(AppError::invalid(
                "cadre_id",
                format!("no cadre with id {c}"),
            ));
        }
    }
    Ok(())
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
    let hash = password::hash(password.expose()).await?;
    let mut tx = state.db.begin().await?;
    let unit = check_unit(&mut tx, input.role, input.unit_code.as_deref()).await?;
    check_cadre_id(&mut tx, input.cadre_id).await?;
    let account = create(
        &mut tx,
        &admin.actor(),
        &NewAccount {
            username: username.as_str(),
            password_hash: &hash,
            role: input.role,
            unit_code: unit.as_deref(),
            cadre_id: input.cadre_id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((Status::Created, Json(account)))
}

/// Changes to an account; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccount {
    /// New role.
    pub role: Option<Role>,
    /// New home unit (`null` clears it, where the role allows).
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub unit_code: Option<Option<String>>,
    /// New cadre link (`null` clears it).
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<i64>)]
    pub cadre_id: Option<Option<i64>>,
    /// `false` deactivates the account (its tokens and its cadre's calendar feed stop working at
    /// once).
    pub active: Option<bool>,
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
    let mut tx = state.db.begin().await?;
    let before = store::get(&mut tx, id).await?;
    let old_role = before.role;
    let role = input.role.unwrap_or(old_role);
    let unit_raw = match &input.unit_code {
        Some(u) => u.clone(),
        None => before.unit_code.clone(),
    };
    let unit = check_unit(&mut tx, role, unit_raw.as_deref()).await?;
    let cadre_id = input.cadre_id.unwrap_or(before.cadre_id);
    check_cadre_id(&mut tx, cadre_id).await?;
    let active = input.active.unwrap_or(before.active);
    let loses_admin = old_role == Role::Admin && before.active && (role != Role::Admin || !active);
    if loses_admin && store::other_active_admins(&mut tx, id).await? == 0 {
        return Err(AppError::conflict(
            Some("active"),
            "this is the last active admin account",
        ));
    }
    let revoke = role != old_role || unit != before.unit_code || active != before.active;
    store::update(
        &mut tx,
        id,
        role.as_str(),
        unit.as_deref(),
        cadre_id,
        active,
        revoke,
    )
    .await?;
    // A deactivated account, or one linked to another cadre, ends the calendar feed of the cadre
    // it was linked to (the feed is a credential of its own, outside the token version).
    if let Some(old_cadre) = before.cadre_id {
        if (before.active && !active) || cadre_id != Some(old_cadre) {
            crate::calendar::end_feed(&mut tx, old_cadre).await?;
        }
    }
    let after = store::get(&mut tx, id).await?;
    let action = if before.active && !active {
        "deactivate"
    } else {
        "update"
    };
    audit::record(
        &mut tx,
        &admin.actor(),
        action,
        "account",
        &id.to_string(),
        Some(before.snapshot()),
        Some(after.snapshot()),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(after))
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
    let target = store::get(&state.db, id).await?;
    let role = target.role;
    let pw = NewPassword::parse(
        "new_password",
        &body.into_inner().new_password,
        role,
        &target.username,
    )?;
    let hash = password::hash(pw.expose()).await?;
    let mut tx = state.db.begin().await?;
    store::get(&mut tx, id).await?;
    store::set_password(&mut tx, id, &hash).await?;
    audit::record(
        &mut tx,
        &admin.actor(),
        "reset_password",
        "account",
        &id.to_string(),
        None,
        Some(json!({"password": "reset"})),
    )
    .await?;
    let view = store::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(view))
}

/// Creates the first `admin` account when there is none: with `admin_password` from the
/// configuration, or a generated one written to `data_dir/admin-password` (mode 0600). The log
/// names only the file: passwords never go to the log.
pub async fn bootstrap_admin(
    db: &Db,
    configured: Option<&str>,
    data_dir: &std::path::Path,
) -> Result<(), String> {
    if store::any(db).await.map_err(|e| e.to_string())? {
        return Ok(());
    }
    let (pw, generated) = match configured.filter(|p| !p.is_empty()) {
        Some(p) => (p.to_string(), false),
        None => (crate::auth::secret::random_hex(9)?, true),
    };
    NewPassword::parse("admin_password", &pw, Role::Admin, "admin")
        .map_err(|e| format!("ADMIN_PASSWORD: {e}"))?;
    let hash = password::hash(&pw).await.map_err(|e| e.to_string())?;
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    let res = create(
        &mut tx,
        &Actor::system(),
        &NewAccount {
            username: "admin",
            password_hash: &hash,
            role: Role::Admin,
            unit_code: None,
            cadre_id: None,
        },
    )
    .await;
    if let Err(e) = res {
        // Conflict: another instance created it first.
        return match e {
            AppError::Conflict { .. } => Ok(()),
            e => Err(e.to_string()),
        };
    }
    let file = data_dir.join("admin-password");
    if generated {
        // Written before the commit: if the file cannot be written, no admin exists whose
        // password nobody knows.
        crate::auth::secret::write_private(&file, &format!("{pw}\n"))?;
    }
    if let Err(e) = tx.commit().await {
        if generated {
            let _ = std::fs::remove_file(&file);
        }
        return Err(e.to_string());
    }
    if generated {
        tracing::warn!(file = %file.display(), "created account 'admin' with a generated password, written to the file (readable by the owner only; change the password after logging in, then delete the file)");
    } else {
        tracing::info!("created account 'admin' with the password from ADMIN_PASSWORD");
    }
    Ok(())
}
