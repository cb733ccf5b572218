//! The rules of exports: who may export what, the unit filter within the caller's scope, and the
//! streaming of a source in the asked format.

use chrono::NaiveDate;

use super::sources::Source;
use super::{csv, xlsx, Streamed};
use crate::api::parse_opt;
use crate::auth::{AuthUser, Role, Scope};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::shared::download::ExportFormat;
use crate::units;

/// Staff and officers export; a cadre account has only its own record (see `/api/me`).
pub fn export_scope(user: &AuthUser) -> AppResult<Scope> {
    if user.role == Role::Cadre {
        return Err(AppError::Forbidden(crate::msg!(ExportsForStaff)));
    }
    user.scope()
}

/// The path range of the `unit` filter, which must lie in the caller's scope (404 for an unknown
/// unit, 403 outside the scope).
pub async fn unit_range(
    db: &Db,
    scope: &Scope,
    unit: Option<&str>,
) -> AppResult<Option<(String, String)>> {
    let Some(code) = unit.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let u = units::store::get(db, code)
        .await?
        .ok_or_else(|| AppError::not_found(crate::msg!(NoUnit, code = code)))?;
    scope.check_path(Some("unit"), &u.path)?;
    Ok(Some(crate::shared::tree::subtree_range(&u.path)))
}

/// Streams a source as CSV or XLSX.
pub async fn send(
    db: &Db,
    source: Source,
    format: ExportFormat,
    stem: &str,
) -> AppResult<Streamed> {
    match format {
        ExportFormat::Csv => csv(db.clone(), source, stem).await,
        ExportFormat::Xlsx => xlsx(db.clone(), source, stem).await,
    }
}

/// An optional day filter, 422 naming it when malformed.
pub fn day(name: &str, raw: Option<&str>) -> AppResult<Option<NaiveDate>> {
    parse_opt::<NaiveDate>(name, raw)
}
