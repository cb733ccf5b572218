//! Request guards: the authenticated user, and role guards built on it.

use rocket::http::Status;
use rocket::outcome::Outcome;
use rocket::request::{self, FromRequest};
use rocket::Request;
use std::ops::Deref;

use super::{Role, Scope};
use crate::db::version::DataVersion;
use crate::error::{stash, AppError, AppResult};
use crate::state::AppState;

/// The caller, authenticated by a bearer token that matches a live, active account.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// Account id.
    pub id: i64,
    /// Username.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Home unit code.
    pub unit_code: Option<String>,
    /// Path of the home unit.
    pub unit_path: Option<String>,
    /// Linked cadre record.
    pub cadre_id: Option<i64>,
    /// The account as served (`/api/me`), read by the same statement.
    pub account: super::AccountView,
    /// The data version seen by that statement (`db::version`): anything built from data read
    /// after it is at least this new.
    pub data_version: DataVersion,
    /// The reference version seen by that statement (`db::version`): moves only with the
    /// standards, the scales and the unit tree.
    pub reference_version: DataVersion,
}

impl AuthUser {
    /// The part of the unit tree this caller may see.
    pub fn scope(&self) -> AppResult<Scope> {
        match self.role {
            Role::Admin | Role::School | Role::Commission => Ok(Scope::All),
            Role::Officer | Role::Cadre => match (&self.unit_code, &self.unit_path) {
                (Some(code), Some(path)) if self.role == Role::Officer => Ok(Scope::Subtree {
                    code: code.clone(),
                    path: path.clone(),
                }),
                (Some(code), Some(path)) => Ok(Scope::Own {
                    cadre_id: self.cadre_id,
                    code: code.clone(),
                    path: path.clone(),
                }),
                _ => Err(AppError::Forbidden(crate::msg!(NoHomeUnit))),
            },
        }
    }
}

#[derive(sqlx::FromRow)]
struct GuardRow {
    id: i64,
    username: String,
    role: Role,
    unit_code: Option<String>,
    cadre_id: Option<i64>,
    active: bool,
    token_version: i64,
    path: Option<String>,
    unit_name: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    data_version: DataVersion,
    reference_version: DataVersion,
}

async fn authenticate(req: &Request<'_>) -> Result<AuthUser, AppError> {
    let state = req
        .rocket()
        .state::<AppState>()
        .ok_or_else(|| AppError::Internal("application state missing".into()))?;
    let header = req
        .headers()
        .get_one("Authorization")
        .ok_or_else(|| AppError::Unauthorized(crate::msg!(BearerRequired)))?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .ok_or_else(|| AppError::Unauthorized(crate::msg!(BearerMalformed)))?
        .trim();
    let claims = state.keys.verify(token)?;
    let id: i64 = claims
        .sub
        .parse()
        .map_err(|_| AppError::Unauthorized(crate::msg!(TokenInvalid)))?;
    // The data and reference versions are read by the same statement (see `db::version`), so a
    // handler can tell whether something it cached from the data is still current without
    // another statement.
    // The unit's columns are scalar subqueries, not a join: with a few hundred units PostgreSQL
    // planned the join as a hash join over a scan of the whole table, on every request.
    const GUARD_SQL: &str = concat!(
        "SELECT a.id, a.username, a.role, a.unit_code, a.cadre_id, a.active, a.token_version,
                (SELECT path FROM units WHERE code = a.unit_code) AS path,
                (SELECT name FROM units WHERE code = a.unit_code) AS unit_name,
                a.created_at, a.updated_at, ",
        crate::data_version!(),
        " AS data_version, ",
        crate::reference_version!(),
        " AS reference_version FROM accounts a WHERE a.id = $1"
    );
    let row: Option<GuardRow> = crate::on_db!(&state.db, |p| sqlx::query_as(GUARD_SQL)
        .bind(id)
        .fetch_optional(p)
        .await?);
    let row = row.ok_or_else(|| AppError::Unauthorized(crate::msg!(AccountGone)))?;
    if !row.active || row.token_version != claims.ver {
        return Err(AppError::Unauthorized(crate::msg!(TokenRevoked)));
    }
    let role = row.role;
    let account = super::AccountView {
        id: row.id,
        username: row.username.clone(),
        role: row.role,
        unit_code: row.unit_code.clone(),
        unit_name: row.unit_name,
        cadre_id: row.cadre_id,
        active: row.active,
        created_at: row.created_at,
        updated_at: row.updated_at,
    };
    Ok(AuthUser {
        id: row.id,
        username: row.username,
        role,
        unit_code: row.unit_code,
        unit_path: row.path,
        cadre_id: row.cadre_id,
        account,
        data_version: row.data_version,
        reference_version: row.reference_version,
    })
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for AuthUser {
    type Error = AppError;

    async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        let cached = req
            .local_cache_async(async { authenticate(req).await })
            .await;
        let checked = cached
            .clone()
            .and_then(|u| crate::api::query::single_values(req).map(|()| u));
        match checked {
            Ok(u) => Outcome::Success(u),
            Err(e) => Outcome::Error((e.status(), stash(req, e))),
        }
    }
}

/// Declares a guard that admits only the listed roles (403 for the others).
macro_rules! role_guard {
    ($(#[$m:meta])* $name:ident: $($role:ident),+) => {
        $(#[$m])*
        #[derive(Debug, Clone)]
        pub struct $name(pub AuthUser);

        impl Deref for $name {
            type Target = AuthUser;
            fn deref(&self) -> &AuthUser {
                &self.0
            }
        }

        #[rocket::async_trait]
        impl<'r> FromRequest<'r> for $name {
            type Error = AppError;

            async fn from_request(req: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
                match req.guard::<AuthUser>().await {
                    Outcome::Success(u) if matches!(u.role, $(Role::$role)|+) => Outcome::Success($name(u)),
                    Outcome::Success(u) => {
                        let e = AppError::Forbidden(crate::msg!(RoleMayNot, role = u.role.as_str()));
                        Outcome::Error((Status::Forbidden, stash(req, e)))
                    }
                    Outcome::Error(e) => Outcome::Error(e),
                    Outcome::Forward(s) => Outcome::Forward(s),
                }
            }
        }
    };
}

role_guard!(
    /// An administrator.
    AdminUser: Admin
);
role_guard!(
    /// A city-wide reader: admin, school or commission.
    StaffReader: Admin, School, Commission
);
role_guard!(
    /// Training-school staff or an administrator (curriculum, classes, results).
    SchoolStaff: Admin, School
);
role_guard!(
    /// Someone who keeps cadre rosters: admin, school (city-wide) or officer (own subtree).
    RosterEditor: Admin, School, Officer
);
role_guard!(
    /// Someone who edits title standards: admin or the organisation commission.
    StandardsEditor: Admin, Commission
);
