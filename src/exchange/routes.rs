//! HTTP routes of the record exchange.

use rocket::serde::json::Json;
use rocket::{get, post, routes, Data, Route, State};

use super::service::{export, run, BookFormat, RecordExport, RecordJob, RecordResult};
use crate::auth::{AuthUser, Role};
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::exports::service::{export_scope, unit_range};
use crate::shared::download::Streamed;
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![export_record, import_record]
}

/// Cadres' whole records within the caller's scope (or a unit's subtree in it): cadres, unit
/// history, titles held, planned successions, completions with their provenance, certificates
/// and revocations, qualifications. `format=xlsx` (default): one workbook, a sheet per part;
/// `format=zip`: the same as CSV files (UTF-8 with BOM). Rows carry personal id numbers and
/// codes, in a fixed order: it re-imports into an empty database to the same records (and the
/// same bytes), and into the same database changes nothing. Staff and unit officers.
#[utoipa::path(tag = "exports", security(("bearer" = [])),
    params(("format" = Option<String>, Query, description = "xlsx (default) or zip"),
           ("unit" = Option<String>, Query, description = "Only this unit's subtree")),
    responses((status = 200, description = "The file"), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/exchange/record?<format>&<unit>")]
pub async fn export_record(
    state: &State<AppState>,
    user: AuthUser,
    format: Option<&str>,
    unit: Option<&str>,
) -> AppResult<Streamed> {
    // Who and where first: a unit outside the caller's scope is refused whatever the format.
    let scope = export_scope(&user)?;
    let range = unit_range(&state.db, &scope, unit).await?;
    let format = match format.map(str::trim).unwrap_or("xlsx") {
        "xlsx" => BookFormat::Xlsx,
        "zip" => BookFormat::Zip,
        _ => {
            return Err(AppError::invalid(
                "format",
                crate::msg!(OneOf, field = "format", values = "xlsx, zip"),
            ))
        }
    };
    let x = RecordExport {
        scope,
        range,
        today: state.clock.today(),
    };
    export(&state.db, x, format).await
}

/// Imports cadres' whole records: the body is a record file (the export's XLSX workbook or ZIP
/// of CSV files). The parts are checked and written in order in one transaction: the first part
/// with a problem answers 422 listing its problems (fields named "sheet: column"), and nothing
/// is written. Records are merged by personal id number and each part's natural key; nothing
/// on record is deleted. Admin and school (the record carries completions and their
/// provenance).
#[utoipa::path(tag = "imports", security(("bearer" = [])),
    params(("dry_run" = Option<bool>, Query, description = "Check every part, write nothing"),
           ("file_name" = Option<String>, Query, description = "The file's name, for the audit trail")),
    request_body(content = String, content_type = "application/octet-stream", description = "XLSX workbook or ZIP of CSV files"),
    responses((status = 200, body = RecordResult), (status = 403, body = ErrorEnvelope),
              (status = 413, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/exchange/record?<dry_run>&<file_name>", data = "<data>")]
pub async fn import_record(
    state: &State<AppState>,
    user: AuthUser,
    dry_run: Option<&str>,
    file_name: Option<&str>,
    data: Data<'_>,
) -> AppResult<Json<RecordResult>> {
    if !matches!(user.role, Role::Admin | Role::School) {
        return Err(AppError::Forbidden(crate::msg!(RecordImportForAdminSchool)));
    }
    let dry_run = crate::api::flag("dry_run", dry_run)?;
    let file_name = crate::api::upload::file_name(file_name)?;
    let scope = user.scope()?;
    let file = state.uploads.receive(data).await?;
    let job = RecordJob {
        bytes: file.bytes,
        file_name,
        dry_run,
        today: state.clock.today(),
        limits: state.uploads.limits,
    };
    Ok(Json(run(&state.db, &user.actor(), &scope, job).await?))
}
