//! The rules and transactions of accounts: creating one with its audit entry (also what the
//! generator and the first admin use), an admin's changes (role, home unit, cadre link, active
//! flag, password), and signing in: login (throttled), logout, one's own password.

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::domain::{
    home_unit, AccountChange, AccountState, NewAccountInput, NewPassword, UpdateAccount,
    STAFF_MIN_PASSWORD,
};
use super::store::{self, AccountView, NewAccount};
use crate::api::PageParams;
use crate::audit::{self, Actor};
use crate::auth::{password, ratelimit, AuthUser, Role};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::units;

/// Inserts an account and its audit entry inside `tx`.
pub async fn create(tx: &mut Tx, actor: &Actor, a: &NewAccount<'_>) -> AppResult<AccountView> {
    if store::username_taken(tx, a.username).await? {
        return Err(AppError::conflict(
            Some("username"),
            crate::msg!(UsernameTaken, username = a.username),
        ));
    }
    let id = store::insert(tx, a).await?;
    let view = store::get(&mut *tx, id).await?;
    audit::record(
        tx,
        actor,
        "create",
        "account",
        &id.to_string(),
        None,
        Some(view.snapshot()),
    )
    .await?;
    Ok(view)
}

/// The accounts, optionally of one role or with a username containing `q`, a page of them and
/// how many there are.
pub async fn list(
    db: &Db,
    role: Option<Role>,
    q: Option<&str>,
    page: PageParams,
) -> AppResult<(i64, Vec<AccountView>)> {
    store::list(db, role, q, page).await
}

/// One account (404 if there is none with the id).
pub async fn get(db: &Db, id: i64) -> AppResult<AccountView> {
    store::get(db, id).await
}

/// The home unit of an account of `role`: a live unit (422 on `unit_code` otherwise), required
/// for officers and cadres.
async fn check_unit(tx: &mut Tx, role: Role, unit: Option<&str>) -> AppResult<Option<String>> {
    let Some(code) = home_unit(role, unit)? else {
        return Ok(None);
    };
    let u = units::store::get(&mut *tx, code)
        .await?
        .ok_or_else(|| AppError::invalid("unit_code", crate::msg!(NoUnit, code = code)))?;
    if u.retired_on.is_some() {
        return Err(AppError::invalid(
            "unit_code",
            crate::msg!(UnitRetired, code = code),
        ));
    }
    Ok(Some(u.code))
}

/// Checks the cadre link of an account about to be in `state` (`account`: its id, on a change):
/// a cadre account is linked to a cadre that exists, and its home unit is that cadre's current
/// unit (set so when `unit_given` is false; 422 on `unit_code` when given otherwise); no other
/// role is linked to a cadre (422 on `cadre_id`); no other active account is linked to the same
/// cadre (409 on `cadre_id`).
async fn check_link(
    tx: &mut Tx,
    account: Option<i64>,
    state: &mut AccountState,
    unit_given: bool,
) -> AppResult<()> {
    let Some(cadre) = state.cadre_id else {
        if state.role == Role::Cadre {
            return Err(AppError::invalid(
                "cadre_id",
                crate::msg!(CadreAccountNeedsCadre),
            ));
        }
        return Ok(());
    };
    if state.role != Role::Cadre {
        return Err(AppError::invalid(
            "cadre_id",
            crate::msg!(CadreLinkNotForRole, role = state.role.as_str()),
        ));
    }
    let unit = match cadre {
        c if c > 0 => crate::cadres::store::unit_of_locked(tx, c).await?,
        _ => None,
    }
    .ok_or_else(|| AppError::invalid("cadre_id", crate::msg!(NoCadre, id = cadre)))?;
    let given = state
        .unit_code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if unit_given && given.is_some_and(|u| u != unit) {
        return Err(AppError::invalid(
            "unit_code",
            crate::msg!(CadreAccountUnit, code = unit),
        ));
    }
    state.unit_code = Some(unit);
    if state.active && store::other_active_links(tx, cadre, account.unwrap_or(0)).await? > 0 {
        return Err(AppError::conflict(
            Some("cadre_id"),
            crate::msg!(CadreHasAccount, id = cadre),
        ));
    }
    Ok(())
}

/// Creates an account: its home unit and cadre link checked (`check_link`), the password hashed.
pub async fn create_account(
    db: &Db,
    actor: &Actor,
    input: &NewAccountInput,
) -> AppResult<AccountView> {
    let hash = password::hash(input.password.expose()).await?;
    let mut tx = db.begin().await?;
    let mut state = AccountState {
        role: input.role,
        unit_code: input.unit_code.clone(),
        cadre_id: input.cadre_id,
        active: true,
    };
    check_link(&mut tx, None, &mut state, true).await?;
    let unit = check_unit(&mut tx, input.role, state.unit_code.as_deref()).await?;
    let account = create(
        &mut tx,
        actor,
        &NewAccount {
            username: input.username.as_str(),
            password_hash: &hash,
            password_for_staff: input.password.for_staff(),
            role: input.role,
            unit_code: unit.as_deref(),
            cadre_id: input.cadre_id,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(account)
}

/// Changes an account's role, home unit, cadre link or active flag. A change of role, unit or
/// active flag revokes its tokens; the last active admin cannot be demoted or deactivated
/// (409); deactivating it or linking it to another cadre ends its cadre's calendar feed; a
/// change of what it sees (role, unit, cadre link) deletes its notices. An edit that changes
/// nothing writes nothing.
pub async fn update_account(
    db: &Db,
    actor: &Actor,
    id: i64,
    input: &UpdateAccount,
) -> AppResult<AccountView> {
    let mut tx = db.begin().await?;
    let before = store::get(&mut tx, id).await?;
    let was = AccountState::of(&before);
    let mut wanted = input.apply(&was);
    check_link(&mut tx, Some(id), &mut wanted, input.unit_code.is_some()).await?;
    let unit_code = check_unit(&mut tx, wanted.role, wanted.unit_code.as_deref()).await?;
    let change = AccountChange {
        before: was,
        after: AccountState {
            unit_code,
            ..wanted
        },
    };
    // An edit that changes nothing writes nothing (no audit entry, no new `updated_at`).
    if change.after == change.before {
        return Ok(before);
    }
    // A cadre's password may be shorter than a staff account's: a staff role comes with a
    // password long enough for it.
    let to_staff = change.after.role != Role::Cadre && change.after.role != change.before.role;
    if to_staff && !store::password_for_staff(&mut tx, id).await? {
        return Err(AppError::conflict(
            Some("role"),
            crate::msg!(PasswordShortForRole, min = STAFF_MIN_PASSWORD),
        ));
    }
    if change.loses_admin() && store::other_active_admins(&mut tx, id).await? == 0 {
        // The field that takes the admin away: the role, or else the active flag.
        let field = if change.after.role != Role::Admin {
            "role"
        } else {
            "active"
        };
        return Err(AppError::conflict(Some(field), crate::msg!(LastAdmin)));
    }
    let after = &change.after;
    store::update(
        &mut tx,
        id,
        after.role.as_str(),
        after.unit_code.as_deref(),
        after.cadre_id,
        after.active,
        change.revokes_tokens(),
    )
    .await?;
    if let Some(cadre_id) = change.ended_feed() {
        crate::calendar::end_feed(&mut tx, cadre_id).await?;
    }
    if change.drops_notices() {
        crate::notices::store::drop_for_account(&mut tx, id).await?;
    }
    let after = store::get(&mut tx, id).await?;
    audit::record(
        &mut tx,
        actor,
        change.action(),
        "account",
        &id.to_string(),
        Some(before.snapshot()),
        Some(after.snapshot()),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Sets a new password for an account (checked for its role and username); its tokens stop
/// working.
pub async fn reset_password(
    db: &Db,
    actor: &Actor,
    id: i64,
    new_password: &str,
) -> AppResult<AccountView> {
    let target = store::get(db, id).await?;
    let pw = NewPassword::parse("new_password", new_password, target.role, &target.username)?;
    let hash = password::hash(pw.expose()).await?;
    let mut tx = db.begin().await?;
    store::get(&mut tx, id).await?;
    store::set_password(&mut tx, id, &hash, pw.for_staff()).await?;
    audit::record(
        &mut tx,
        actor,
        "reset_password",
        "account",
        &id.to_string(),
        None,
        Some(json!({"password": "reset"})),
    )
    .await?;
    let view = store::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(view)
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
    let hash = password::hash(&password::composed(&pw))
        .await
        .map_err(|e| e.to_string())?;
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    let res = create(
        &mut tx,
        &Actor::system(),
        &NewAccount {
            username: "admin",
            password_hash: &hash,
            password_for_staff: true,
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

fn limits(state: &AppState) -> ratelimit::Limits {
    ratelimit::Limits {
        max: state.config.login_max_failures,
        window: state.config.login_window_secs,
    }
}

/// Logs `username` (already normalised: `domain::login_username`) in from address `client`.
/// Unknown users and wrong passwords get the same answer. Guesses are throttled before the
/// password is checked (`auth::ratelimit`); failures on an existing account go to the audit
/// trail.
pub async fn login(
    state: &AppState,
    client: &str,
    username: &str,
    pw: &str,
) -> AppResult<TokenResponse> {
    let attempt = ratelimit::reserve_login(&state.db, username, client, limits(state)).await?;
    let creds = store::credentials(&state.db, username).await?;
    let ok = password::verify(pw, creds.as_ref().map(|c| c.password_hash.clone())).await;
    match creds {
        Some(c) if ok && c.active => {
            attempt.release(&state.db).await?;
            ratelimit::succeeded(&state.db, username, client).await?;
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
                    &Actor {
                        id: None,
                        username: "anonymous".into(),
                    },
                    "login_failed",
                    "account",
                    &c.id.to_string(),
                    None,
                    Some(json!({"client": client, "active": c.active})),
                )
                .await?;
                tx.commit().await?;
                tracing::warn!(account = c.id, "failed login");
            } else {
                tracing::warn!("failed login for an unknown username");
            }
            Err(AppError::Unauthorized(crate::msg!(BadCredentials)))
        }
    }
}

/// Ends the caller's sessions at once: every token of the account stops working.
pub async fn logout(db: &Db, user: &AuthUser) -> AppResult<()> {
    let mut tx = db.begin().await?;
    store::revoke_tokens(&mut tx, user.id).await?;
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
    Ok(())
}

/// Changes the caller's password: the current one is checked (throttled, so that a stolen token
/// is no unlimited oracle for it) and must differ from the new one. Every earlier token stops
/// working; the answer carries a new one.
pub async fn change_password(
    state: &AppState,
    user: &AuthUser,
    current: &str,
    new: &NewPassword,
) -> AppResult<TokenResponse> {
    let creds = store::credentials_by_id(&state.db, user.id).await?;
    let attempt = ratelimit::reserve_password_check(&state.db, user.id, limits(state)).await?;
    if !password::verify(current, Some(creds.password_hash.clone())).await {
        attempt.fail(&state.db).await?;
        return Err(AppError::invalid(
            "current_password",
            crate::msg!(PasswordWrong),
        ));
    }
    attempt.release(&state.db).await?;
    if password::composed(current) == new.expose() {
        return Err(AppError::invalid(
            "new_password",
            crate::msg!(PasswordUnchanged),
        ));
    }
    let hash = password::hash(new.expose()).await?;
    let mut tx = state.db.begin().await?;
    let version = store::set_password(&mut tx, user.id, &hash, new.for_staff()).await?;
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
) -> AppResult<TokenResponse> {
    let (token, expires_at) = state.keys.issue(id, role.as_str(), unit, version)?;
    let account = store::get(&state.db, id).await?;
    Ok(TokenResponse {
        token,
        token_type: "Bearer".into(),
        expires_at,
        account,
    })
}
