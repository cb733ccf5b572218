//! Loading a unit CSV: its options and its report. The import (parse, plan against the
//! database, write in one transaction, audit) is `service::import_units`, also [`run`].

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

/// Imports a unit CSV (the name callers outside the feature know it by).
pub use super::service::import_units as run;

/// Options of a unit import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Only the subtree of this code (e.g. `79` for Ho Chi Minh City).
    pub root: Option<String>,
    /// Retire live units under the root that the file does not list.
    pub retire_missing: bool,
    /// Date the file's structure takes effect (history and retirements); default today.
    pub effective: Option<NaiveDate>,
    /// Check and answer only: nothing written.
    pub dry_run: bool,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ImportReport {
    /// A dry run: checked and answered, nothing written.
    pub dry_run: bool,
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
