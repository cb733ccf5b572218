//! Bulk import of cadres (with titles held and planned), qualifications held and historical
//! completions, from CSV or XLSX: every row checked first, then all written in one transaction
//! or nothing; a dry run stops after the check. Templates for each kind.
//!
//! `table` reads the file, `columns` maps its headers, `rows` reads typed cells, `plan` checks
//! every row against plain data (pure), `store` loads that data and writes the plan.

pub mod columns;
pub mod plan;
pub mod routes;
pub mod rows;
pub mod store;
pub mod table;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Instant;
use utoipa::ToSchema;

use crate::audit::{self, Actor};
use crate::auth::Scope;
use crate::db::Db;
use crate::error::AppResult;
use columns::Kind;
use plan::ImportCounts;

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportResult {
    /// `cadres`, `qualifications` or `completions`.
    pub kind: String,
    /// True when nothing was written.
    pub dry_run: bool,
    /// The file's name, as given.
    pub file_name: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Row counts.
    #[serde(flatten)]
    pub counts: ImportCounts,
    /// Wall time in milliseconds.
    pub elapsed_ms: u128,
}

/// Checks a file and, unless `dry_run`, writes it in one transaction and records it in the
/// audit trail. Any problem in any row: 422 with every problem, nothing written. Dates are
/// checked against `today`, the city's day.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    kind: Kind,
    bytes: &[u8],
    file_name: &str,
    dry_run: bool,
    today: NaiveDate,
) -> AppResult<ImportResult> {
    let started = Instant::now();
    let sha256 = hex(&Sha256::digest(bytes));
    let sheet = table::read(bytes)?;
    let ids = plan::personal_ids(&sheet, kind)?;
    let mut tx = db.begin().await?;
    let counts = match kind {
        Kind::Cadres => {
            let lookups = store::cadre_lookups(&mut tx, &ids).await?;
            let p = plan::plan_cadres(&sheet, &lookups, scope, today)?;
            if !dry_run {
                store::apply_cadres(&mut tx, &p).await?;
            }
            p.counts
        }
        Kind::Qualifications => {
            let lookups = store::qualification_lookups(&mut tx, &ids).await?;
            let p = plan::plan_qualifications(&sheet, &lookups, scope, today)?;
            if !dry_run {
                store::apply_qualifications(&mut tx, &p, &format!("import: {file_name}")).await?;
            }
            p.counts
        }
        Kind::Completions => {
            let lookups = store::completion_lookups(&mut tx, &ids).await?;
            let p = plan::plan_completions(&sheet, &lookups, scope, today)?;
            if !dry_run {
                store::apply_completions(&mut tx, &p).await?;
            }
            p.counts
        }
    };
    if dry_run {
        drop(tx); // rolls back: a dry run writes nothing
    } else {
        audit::record(
            &mut tx,
            actor,
            "import",
            "import",
            kind.as_str(),
            None,
            Some(json!({
                "kind": kind.as_str(), "file_name": file_name, "sha256": sha256, "bytes": bytes.len(),
                "rows": counts.rows, "created": counts.created, "updated": counts.updated,
                "unchanged": counts.unchanged,
            })),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(ImportResult {
        kind: kind.as_str().into(),
        dry_run,
        file_name: file_name.into(),
        sha256,
        counts,
        elapsed_ms: started.elapsed().as_millis(),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
