//! Loading a unit CSV: parse, plan against the database, write in one transaction, audit.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use std::time::Instant;
use utoipa::ToSchema;

use super::domain::{parse_units_csv, plan_import};
use super::store;
use crate::api::upload::blocking;
use crate::audit::{self, Actor};
use crate::db::Db;
use crate::error::AppResult;
use crate::shared::table::Limits;

/// Options of a unit import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Only the subtree of this code (e.g. `79` for Ho Chi Minh City).
    pub root: Option<String>,
    /// Retire live units under the root that the file does not list.
    pub retire_missing: bool,
    /// Date the file's structure takes effect (history and retirements); default today.
    pub effective: Option<NaiveDate>,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ImportReport {
    /// Data rows in the file.
    pub rows: usize,
    /// Units created.
    pub created: usize,
    /// Units changed (name, kind, parent or position).
    pub updated: usize,
    /// Rows already up to date.
    pub unchanged: usize,
    /// Units not in the file whose position changed with an ancestor.
    pub moved: usize,
    /// Units retired because the file no longer lists them.
    pub retired: usize,
    /// Rows outside the requested root.
    pub skipped: usize,
    /// Wall time in milliseconds.
    pub elapsed_ms: u128,
}

/// Imports a unit CSV: every row valid or nothing written. The file is parsed (within `limits`)
/// and the import planned on the blocking pool, off the async workers.
pub async fn run(
    db: &Db,
    actor: &Actor,
    bytes: Vec<u8>,
    limits: &Limits,
    opts: &ImportOptions,
    today: NaiveDate,
) -> AppResult<ImportReport> {
    let started = Instant::now();
    let limits = *limits;
    let rows = blocking(move || parse_units_csv(&bytes, &limits)).await??;
    let effective = opts.effective.unwrap_or(today);
    let mut tx = db.begin().await?;
    let existing = store::load_existing(&mut tx).await?;
    let (root, retire_missing) = (opts.root.clone(), opts.retire_missing);
    let (rows, plan) = blocking(move || {
        let plan = plan_import(&rows, &existing, root.as_deref(), retire_missing);
        (rows.len(), plan)
    })
    .await?;
    let plan = plan?;
    store::apply_plan(&mut tx, &plan, effective, opts.effective).await?;
    store::rebuild_periods(&mut tx).await?;
    let report = ImportReport {
        rows,
        created: plan.created(),
        updated: plan.updated(),
        unchanged: plan.unchanged,
        moved: plan.moves.len(),
        retired: plan.retire.len(),
        skipped: plan.skipped,
        elapsed_ms: 0,
    };
    audit::record(
        &mut tx,
        actor,
        "import",
        "unit_import",
        opts.root.as_deref().unwrap_or("*"),
        None,
        Some(json!({
            "rows": report.rows, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "moved": report.moved, "retired": report.retired,
            "skipped": report.skipped, "root": opts.root, "retire_missing": opts.retire_missing,
            "effective": effective,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(ImportReport {
        elapsed_ms: started.elapsed().as_millis(),
        ..report
    })
}
