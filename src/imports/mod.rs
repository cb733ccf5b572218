//! Bulk import of cadres (with titles held and planned), qualifications held and historical
//! completions, from CSV or XLSX: every row checked first, then all written in one transaction
//! or nothing; a dry run stops after the check. Templates for each kind.
//!
//! `table` reads the file (CSV itself, XLSX through `xlsx`) within the upload limits, `columns`
//! maps its headers, `rows` reads typed cells, `plan` checks every row against plain data
//! (pure), `store` loads that data and writes the plan. Reading and planning run on the
//! blocking pool; the problems of a file are bounded (`error::Problems`).

pub mod columns;
/// The problems' catalogue (in the foundation, `crate::problems`, so that the unit imports use it too).
pub use crate::problems as messages;
pub mod plan;
pub mod routes;
pub mod rows;
pub mod store;
pub mod template;

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::Instant;
use utoipa::ToSchema;

use crate::api::upload::blocking;
use crate::audit::{self, Actor};
use crate::auth::Scope;
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult, ErrorDetail, Problems};
use crate::shared::table::{self, Limits};
use columns::Kind;
use messages::Lang;
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

/// One import to run: the file and what to do with it.
#[derive(Debug, Clone)]
pub struct Job {
    /// Which kind of file.
    pub kind: Kind,
    /// The file (CSV or XLSX).
    pub bytes: Vec<u8>,
    /// The file's name, for the audit trail.
    pub file_name: String,
    /// Check only, write nothing.
    pub dry_run: bool,
    /// The city's day, which dates are checked against.
    pub today: NaiveDate,
    /// What the sheet may hold.
    pub limits: Limits,
}

/// The writes of a checked file.
enum Planned {
    Cadres(plan::CadrePlan),
    Qualifications(plan::QualificationPlan),
    Completions(plan::CompletionPlan),
}

impl Planned {
    fn counts(&self) -> ImportCounts {
        match self {
            Planned::Cadres(p) => p.counts,
            Planned::Qualifications(p) => p.counts,
            Planned::Completions(p) => p.counts,
        }
    }
}

/// A file read: its sheet, the personal ids it names, its SHA-256.
struct ReadFile {
    sheet: table::Sheet,
    ids: Vec<String>,
    sha256: String,
}

/// Reads the file on the blocking pool (not on an async worker), within the limits, its header
/// first: a header that does not fit the kind stops the reading there.
async fn read_file(kind: Kind, bytes: Vec<u8>, limits: Limits) -> AppResult<ReadFile> {
    blocking(move || -> AppResult<ReadFile> {
        let sha256 = hex(&Sha256::digest(&bytes));
        let sheet = table::read_checked(&bytes, &limits, &mut |headers| {
            columns::layout(kind, headers).map(|_| ())
        })?;
        drop(bytes);
        let ids = plan::personal_ids(&sheet, kind)?;
        Ok(ReadFile { sheet, ids, sha256 })
    })
    .await?
}

/// Checks every row of a file read: the lookups read the database in `tx`, the rows are
/// checked on the blocking pool.
async fn check(
    tx: &mut Tx,
    scope: &Scope,
    kind: Kind,
    file: ReadFile,
    today: NaiveDate,
    problems: Problems,
) -> AppResult<Planned> {
    let ReadFile { sheet, ids, .. } = file;
    let scope = scope.clone();
    Ok(match kind {
        Kind::Cadres => {
            let lookups = store::cadre_lookups(tx, &ids, store::Periods::Read).await?;
            let p = blocking(move || plan::plan_cadres(&sheet, &lookups, &scope, today, problems));
            Planned::Cadres(p.await??)
        }
        Kind::Qualifications => {
            let lookups = store::qualification_lookups(tx, &ids).await?;
            let p = blocking(move || {
                plan::plan_qualifications(&sheet, &lookups, &scope, today, problems)
            });
            Planned::Qualifications(p.await??)
        }
        Kind::Completions => {
            let lookups = store::completion_lookups(tx, &ids).await?;
            let p =
                blocking(move || plan::plan_completions(&sheet, &lookups, &scope, today, problems));
            Planned::Completions(p.await??)
        }
    })
}

/// Checks a file and, unless `dry_run`, writes it in one transaction and records it in the
/// audit trail. Any problem in any row: 422 with the first 1,000 problems, their counts by
/// column and reason and their total; nothing written. Dates are checked against `today`, the
/// city's day.
pub async fn run(db: &Db, actor: &Actor, scope: &Scope, job: Job) -> AppResult<ImportResult> {
    let started = Instant::now();
    let Job {
        kind,
        bytes,
        file_name,
        dry_run,
        today,
        limits,
    } = job;
    let size = bytes.len();
    let file = read_file(kind, bytes, limits).await?;
    let sha256 = file.sha256.clone();
    let mut tx = db.begin().await?;
    let planned = check(&mut tx, scope, kind, file, today, Problems::new()).await?;
    let counts = planned.counts();
    if dry_run {
        drop(tx); // rolls back: a dry run writes nothing
    } else {
        match &planned {
            Planned::Cadres(p) => store::apply_cadres(&mut tx, p).await?,
            Planned::Qualifications(p) => {
                // The source names the file when the caller gave its name.
                let source = match file_name.trim() {
                    "" => "import".to_string(),
                    name => format!("import: {name}"),
                };
                store::apply_qualifications(&mut tx, p, &source).await?
            }
            Planned::Completions(p) => store::apply_completions(&mut tx, p).await?,
        }
        audit::record(
            &mut tx,
            actor,
            "import",
            "import",
            kind.as_str(),
            None,
            Some(json!({
                "kind": kind.as_str(), "file_name": file_name, "sha256": sha256, "bytes": size,
                "rows": counts.rows, "created": counts.created, "updated": counts.updated,
                "unchanged": counts.unchanged,
            })),
        )
        .await?;
        tx.commit().await?;
    }
    // The plan can be large: freed off the async worker.
    blocking(move || drop(planned)).await?;
    Ok(ImportResult {
        kind: kind.as_str().into(),
        dry_run,
        file_name,
        sha256,
        counts,
        elapsed_ms: started.elapsed().as_millis(),
    })
}

/// Every problem of a file, as CSV (UTF-8 with BOM): row, column, value, reason (text that a
/// spreadsheet would run as a formula with a single quote in front), in the order
/// of the rows, the header line and the reasons in `lang` (`messages`). Checked exactly as a
/// dry run (nothing is written); each problem is written to a temporary file as it is found, so
/// memory stays bounded whatever their number. A file without problems gives the header line
/// alone.
pub async fn problems_csv(
    db: &Db,
    scope: &Scope,
    job: Job,
    lang: Lang,
) -> AppResult<(std::fs::File, usize)> {
    use std::io::{Seek, Write};
    use std::sync::{Arc, Mutex};
    let internal = |e: std::io::Error| AppError::Internal(format!("problems file: {e}"));
    let file = blocking(tempfile::tempfile).await?.map_err(internal)?;
    let mut out = std::io::BufWriter::new(file.try_clone().map_err(internal)?);
    out.write_all(b"\xEF\xBB\xBF").map_err(internal)?;
    let mut w = csv::Writer::from_writer(out);
    let csv_fail = |e: csv::Error| AppError::Internal(format!("problems file: {e}"));
    let headers = match lang {
        Lang::Vi => ["Dòng", "Cột", "Giá trị", "Lý do"],
        Lang::En => ["Row", "Column", "Value", "Reason"],
    };
    w.write_record(headers).map_err(csv_fail)?;
    let writer = Arc::new(Mutex::new((w, None::<csv::Error>)));
    let sink = {
        let writer = writer.clone();
        Box::new(move |d: &ErrorDetail| write_problem(&writer, d, lang))
    };
    let outcome = match read_file(job.kind, job.bytes, job.limits).await {
        Ok(file) => {
            let mut tx = db.begin().await?;
            let planned = check(
                &mut tx,
                scope,
                job.kind,
                file,
                job.today,
                Problems::with_sink(sink),
            )
            .await;
            drop(tx); // nothing is written
            planned.map(|p| blocking(move || drop(p)))
        }
        Err(e) => Err(e),
    };
    let total = match outcome {
        Ok(freed) => {
            freed.await?;
            0
        }
        Err(AppError::Problems { report, .. }) => report.total,
        // The header row does not fit the template: those are the problems.
        Err(AppError::Validation { field, details, .. })
            if field.as_deref() == Some("file") && !details.is_empty() =>
        {
            for d in &details {
                write_problem(&writer, d, lang);
            }
            details.len()
        }
        Err(e) => return Err(e),
    };
    {
        let mut guard = writer
            .lock()
            .map_err(|_| AppError::Internal("problems file: a writer panicked".into()))?;
        let (w, failed) = &mut *guard;
        if let Some(e) = failed.take() {
            return Err(csv_fail(e));
        }
        w.flush().map_err(internal)?;
    }
    let mut file = file;
    file.rewind().map_err(internal)?;
    Ok((file, total))
}

type SharedWriter = std::sync::Arc<
    std::sync::Mutex<(
        csv::Writer<std::io::BufWriter<std::fs::File>>,
        Option<csv::Error>,
    )>,
>;

/// Writes one problem, its reason in `lang` (as it came when it has no code).
fn write_problem(writer: &SharedWriter, d: &ErrorDetail, lang: Lang) {
    let Ok(mut guard) = writer.lock() else {
        return;
    };
    let (w, failed) = &mut *guard;
    if failed.is_some() {
        return;
    }
    let row = d.row.map(|r| r.to_string()).unwrap_or_default();
    let reason = match (d.code, &d.params) {
        (Some(code), Some(params)) => messages::render(code, params, lang),
        (Some(code), None) => messages::render(code, &Default::default(), lang),
        (None, _) => d.message.clone(),
    };
    // The value is the file's own text, so is the column of an unknown header, and the reason
    // may quote either: all are neutralised as every CSV the service writes (`shared::csv_line`),
    // so a spreadsheet shows them rather than runs them.
    use crate::shared::csv_line::neutralise;
    let record = [
        row.as_str(),
        &neutralise(d.field.as_deref().unwrap_or("")),
        &neutralise(d.value.as_deref().unwrap_or("")),
        &neutralise(&reason),
    ];
    if let Err(e) = w.write_record(record) {
        *failed = Some(e);
    }
}

/// Lower-case hex of bytes (a file's SHA-256 in the audit trail).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
