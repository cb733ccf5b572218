//! Storage of accounts.

use chrono::Utc;

use crate::api::PageParams;
use crate::auth::Role;
use crate::db::Exec;
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult};
use crate::on_exec;
use crate::{on_db, on_tx};

pub use crate::auth::AccountView;

const VIEW_SQL: &str =
    "SELECT a.id, a.username, a.role, a.unit_code, u.name AS unit_name, a.cadre_id,
    a.active, a.created_at, a.updated_at FROM accounts a LEFT JOIN units u ON u.code = a.unit_code";

/// What login needs of an account.
#[derive(Debug, sqlx::FromRow)]
pub struct Credentials {
    /// Account id.
    pub id: i64,
    /// Role name.
    pub role: Role,
    /// Home unit.
    pub unit_code: Option<String>,
    /// PHC hash.
    pub password_hash: String,
    /// Active flag.
    pub active: bool,
    /// Current token version.
    pub token_version: i64,
}

const CREDENTIALS_SQL: &str =
    "SELECT id, role, unit_code, password_hash, active, token_version FROM accounts";

/// Finds the credentials of a username.
pub async fn credentials(db: &Db, username: &str) -> AppResult<Option<Credentials>> {
    let sql = format!("{CREDENTIALS_SQL} WHERE username = $1");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(username)
        .fetch_optional(p)
        .await?))
}

/// Credentials by id (for changing one's own password).
pub async fn credentials_by_id(db: &Db, id: i64) -> AppResult<Credentials> {
    let sql = format!("{CREDENTIALS_SQL} WHERE id = $1");
    let row: Option<Credentials> = on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await?);
    row.ok_or_else(|| AppError::not_found(crate::msg!(NoAccount, id = id)))
}

/// Gets one account.
pub async fn get(ex: impl Into<Exec<'_>>, id: i64) -> AppResult<AccountView> {
    let sql = format!("{VIEW_SQL} WHERE a.id = $1");
    let row: Option<AccountView> = on_exec!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?);
    row.ok_or_else(|| AppError::not_found(crate::msg!(NoAccount, id = id)))
}

/// Lists accounts, optionally by role or username fragment.
pub async fn list(
    db: &Db,
    role: Option<Role>,
    q: Option<&str>,
    page: PageParams,
) -> AppResult<(i64, Vec<AccountView>)> {
    let pattern = q.map(|q| format!("%{}%", crate::db::like_escape(&q.to_lowercase())));
    let role = role.map(|r| r.as_str());
    let cond = "($1 IS NULL OR a.role = $1) AND ($2 IS NULL OR a.username LIKE $2 ESCAPE '\\')";
    let count_sql = format!("SELECT COUNT(*) FROM accounts a WHERE {cond}");
    let list_sql = format!(
        "{VIEW_SQL} WHERE {cond} ORDER BY a.username LIMIT {} OFFSET {}",
        page.limit, page.offset
    );
    Ok(on_db!(db, |p| {
        let total: i64 = sqlx::query_scalar(&count_sql)
            .bind(role)
            .bind(&pattern)
            .fetch_one(p)
            .await?;
        let rows: Vec<AccountView> = sqlx::query_as(&list_sql)
            .bind(role)
            .bind(&pattern)
            .fetch_all(p)
            .await?;
        (total, rows)
    }))
}

/// The fields of a new account, already validated.
pub struct NewAccount<'a> {
    /// Normalised username.
    pub username: &'a str,
    /// PHC hash.
    pub password_hash: &'a str,
    /// Whether the password is long enough for a staff account.
    pub password_for_staff: bool,
    /// Role.
    pub role: Role,
    /// Home unit.
    pub unit_code: Option<&'a str>,
    /// Linked cadre.
    pub cadre_id: Option<i64>,
}

/// Inserts an account; a taken username answers 409 naming `username`.
pub async fn insert(tx: &mut Tx, a: &NewAccount<'_>) -> AppResult<i64> {
    let now = Utc::now();
    let res: Result<i64, sqlx::Error> = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO accounts (username, password_hash, role, unit_code, cadre_id, active, token_version, created_at, updated_at, password_for_staff)
         VALUES ($1, $2, $3, $4, $5, TRUE, 0, $6, $6, $7) RETURNING id"
    )
    .bind(a.username)
    .bind(a.password_hash)
    .bind(a.role.as_str())
    .bind(a.unit_code)
    .bind(a.cadre_id)
    .bind(now)
    .bind(a.password_for_staff)
    .fetch_one(&mut *c)
    .await
    });
    res.map_err(|e| match AppError::from(e) {
        AppError::Conflict { .. } => AppError::conflict(
            Some("username"),
            crate::msg!(UsernameTaken, username = a.username),
        ),
        other => other,
    })
}

/// Whether a username exists.
pub async fn username_taken(tx: &mut Tx, username: &str) -> AppResult<bool> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE username = $1"
    )
    .bind(username)
    .fetch_one(&mut *c)
    .await?);
    Ok(n > 0)
}

/// Number of active admins other than `except`.
pub async fn other_active_admins(tx: &mut Tx, except: i64) -> AppResult<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE role = 'admin' AND active = TRUE AND id <> $1"
    )
    .bind(except)
    .fetch_one(&mut *c)
    .await?))
}

/// How many active accounts other than `except` are linked to cadre `cadre_id`.
pub async fn other_active_links(tx: &mut Tx, cadre_id: i64, except: i64) -> AppResult<i64> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM accounts WHERE cadre_id = $1 AND active = TRUE AND id <> $2"
    )
    .bind(cadre_id)
    .bind(except)
    .fetch_one(&mut *c)
    .await?))
}

/// Writes role, unit, cadre link and active flag; bumps the token version so old tokens die.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    role: &str,
    unit_code: Option<&str>,
    cadre_id: Option<i64>,
    active: bool,
    revoke: bool,
) -> AppResult<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE accounts SET role = $1, unit_code = $2, cadre_id = $3, active = $4,
         token_version = token_version + $5, updated_at = $6 WHERE id = $7"
    )
    .bind(role)
    .bind(unit_code)
    .bind(cadre_id)
    .bind(active)
    .bind(if revoke { 1i64 } else { 0 })
    .bind(Utc::now())
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Sets a new password hash and revokes every token issued before; returns the new version.
pub async fn set_password(tx: &mut Tx, id: i64, hash: &str, for_staff: bool) -> AppResult<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "UPDATE accounts SET password_hash = $1, token_version = token_version + 1, updated_at = $2,
                password_for_staff = $4
         WHERE id = $3 RETURNING token_version"
    )
    .bind(hash)
    .bind(Utc::now())
    .bind(id)
    .bind(for_staff)
    .fetch_one(&mut *c)
    .await?
    }))
}

/// Whether account `id`'s password is long enough for a staff account.
pub async fn password_for_staff(tx: &mut Tx, id: i64) -> AppResult<bool> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT password_for_staff FROM accounts WHERE id = $1"
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await?))
}

/// Revokes every token issued to the account so far (logout everywhere).
pub async fn revoke_tokens(tx: &mut Tx, id: i64) -> AppResult<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE accounts SET token_version = token_version + 1, updated_at = $1 WHERE id = $2"
    )
    .bind(Utc::now())
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Whether any account exists.
pub async fn any(db: &Db) -> AppResult<bool> {
    let n: i64 = on_db!(db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
        .fetch_one(p)
        .await?);
    Ok(n > 0)
}
