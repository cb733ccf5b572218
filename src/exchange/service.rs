//! The record exchange's service: reading a record file, importing it part by part in one
//! transaction, writing the export.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::time::Instant;
use utoipa::ToSchema;

use super::domain::{Part, PARTS};
use super::{plan, qualifications, store};
use crate::api::upload::blocking;
use crate::audit::{self, Actor};
use crate::auth::Scope;
use crate::db::Db;
use crate::error::{AppError, AppResult, ErrorDetail, ProblemCode, Problems};
use crate::exports::{csv_row, write_row};
use crate::imports::columns::Kind;
use crate::imports::messages::{render, Lang};
use crate::imports::plan::{personal_id_text, ImportCounts};
use crate::shared::csv_line;
use crate::shared::download::{xlsx_type, Streamed};
use crate::shared::table::{self, FileFormat, Limits, Sheet};

/// What an import did to one part.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartResult {
    /// `cadres`, `unit history`, `titles`, `plans`, `completions` or `qualifications`.
    pub part: String,
    /// The sheet's name.
    pub sheet: String,
    /// Row counts.
    #[serde(flatten)]
    pub counts: ImportCounts,
}

/// What a record import did (or, for a dry run, would do).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordResult {
    /// True when nothing was written.
    pub dry_run: bool,
    /// The file's name, as given.
    pub file_name: String,
    /// SHA-256 of the file, hex.
    pub sha256: String,
    /// Per part present in the file, in import order.
    pub parts: Vec<PartResult>,
    /// Wall time in milliseconds.
    pub elapsed_ms: u128,
}

/// A record import to run.
#[derive(Debug, Clone)]
pub struct RecordJob {
    /// The file: an XLSX workbook or a ZIP of CSV files.
    pub bytes: Vec<u8>,
    /// Its name, for the audit trail.
    pub file_name: String,
    /// Check only.
    pub dry_run: bool,
    /// The city's day.
    pub today: NaiveDate,
    /// What the file may hold (the cells of all its sheets together).
    pub limits: Limits,
}

fn file_problem(msg: crate::error::Msg) -> AppError {
    AppError::invalid("file", msg)
}

fn cells_of(sheet: &Sheet) -> usize {
    sheet.headers.len()
        + sheet
            .rows
            .iter()
            .map(|(_, r)| r.iter().filter(|c| !c.is_blank()).count())
            .sum::<usize>()
}

/// A problem of a whole sheet (or a ZIP's file), named by its name.
fn sheet_problem(name: String, code: ProblemCode, params: serde_json::Value) -> ErrorDetail {
    let params = match params {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    ErrorDetail {
        row: None,
        field: Some(name),
        value: None,
        message: render(code, &params, Lang::En),
        code: Some(code),
        params: Some(params),
    }
}

/// Reads a record file into its parts: every sheet (or CSV file) must name a part, once.
pub fn read_book(bytes: &[u8], limits: &Limits) -> AppResult<Vec<(Part, String, Sheet)>> {
    if table::sniff(bytes) != FileFormat::Xlsx {
        return Err(file_problem(crate::msg!(RecordFileKind)));
    }
    let mut parts: Vec<(Part, usize, String, Sheet)> = vec![];
    let mut details = vec![];
    let mut take = |name: String, sheet: Option<Sheet>, details: &mut Vec<ErrorDetail>| {
        match Part::named_piece(&name) {
            Some((p, n)) if parts.iter().any(|(q, m, _, _)| (*q, *m) == (p, n)) => {
                let part = json!({ "part": p.piece_name(n) });
                details.push(sheet_problem(name, ProblemCode::PartRepeated, part))
            }
            Some((p, n)) => {
                if let Some(sheet) = sheet {
                    parts.push((p, n, name, sheet))
                }
            }
            None => details.push(sheet_problem(
                name,
                ProblemCode::PartUnknown,
                json!({ "parts": PARTS.map(|p| p.sheet_name()).join(", ") }),
            )),
        }
    };
    if crate::shared::xlsx::is_workbook(bytes) {
        for (name, sheet) in crate::shared::xlsx::read_all(bytes, limits)? {
            take(name, Some(sheet), &mut details);
        }
    } else {
        let mut left = *limits;
        for (name, data) in crate::shared::xlsx::zip_entries(bytes, limits.max_unzipped_bytes)? {
            // A file that is no part is named, not read.
            if Part::named(&name).is_none() {
                take(name, None, &mut details);
                continue;
            }
            let sheet = table::read_csv(&data, &left)?;
            left.max_cells = left.max_cells.saturating_sub(cells_of(&sheet));
            take(name, Some(sheet), &mut details);
        }
    }
    if !details.is_empty() {
        return Err(AppError::Validation {
            field: Some("file".into()),
            msg: crate::msg!(RecordSheetsWrong),
            details,
        });
    }
    parts.sort_by_key(|(p, n, _, _)| (PARTS.iter().position(|q| q == p), *n));
    Ok(parts
        .into_iter()
        .map(|(p, _, name, sheet)| (p, name, sheet))
        .collect())
}

/// The personal ids a part's sheet names.
fn personal_ids(part: Part, sheet: &Sheet) -> AppResult<Vec<String>> {
    if part == Part::Cadres {
        return crate::imports::plan::personal_ids(sheet, Kind::Cadres);
    }
    let l = plan::part_layout(part, sheet)?;
    Ok(column(sheet, l.index("personal_id"), personal_id_text)
        .into_iter()
        .map(|s| s.chars().filter(|c| !c.is_whitespace()).collect())
        .collect())
}

/// The distinct texts of a column (by position), each cell read by `read`.
fn column(sheet: &Sheet, i: Option<usize>, read: fn(&table::Cell) -> String) -> Vec<String> {
    let Some(i) = i else { return vec![] };
    let cells = sheet.rows.iter().filter_map(|(_, r)| r.get(i)).map(read);
    store::distinct(cells)
}

/// Names the sheet in a part's problems (the 422 of its rows, or of its header).
fn in_sheet(sheet: &str, e: AppError) -> AppError {
    let name = |f: Option<String>| Some(format!("{sheet}: {}", f.unwrap_or_default()));
    match e {
        AppError::Problems {
            field,
            msg,
            mut report,
        } => {
            for d in &mut report.listed {
                d.field = name(d.field.take());
            }
            for c in &mut report.counts {
                c.column = name(c.column.take());
            }
            AppError::Problems {
                field,
                msg: msg.with("sheet", sheet),
                report,
            }
        }
        AppError::Validation {
            field,
            msg,
            mut details,
        } => {
            for d in &mut details {
                d.field = name(d.field.take());
            }
            AppError::Validation {
                field,
                msg: msg.with("sheet", sheet),
                details,
            }
        }
        e => e,
    }
}

/// Checks one part against the database as the transaction has it, and writes it.
async fn import_part(
    tx: &mut crate::db::Tx,
    scope: &Scope,
    part: Part,
    sheet: Sheet,
    today: NaiveDate,
) -> AppResult<ImportCounts> {
    let ids = personal_ids(part, &sheet)?;
    let scope = scope.clone();
    let p = Problems::new;
    Ok(match part {
        Part::Cadres => {
            // The record's periods come in sheets of their own, after this one: whether an
            // inactive cadre keeps one lasting is checked on the whole file (`run`), not here.
            use crate::imports::store::{cadre_lookups, Periods};
            let lookups = cadre_lookups(tx, &ids, Periods::Skip).await?;
            let plan = blocking(move || {
                crate::imports::plan::plan_cadres(&sheet, &lookups, &scope, today, p())
            })
            .await??;
            crate::imports::store::apply_cadres(tx, &plan).await?;
            plan.counts
        }
        Part::History | Part::Titles | Part::Plans => {
            let lookups = store::period_lookups(tx, part, &ids).await?;
            let plan =
                blocking(move || plan::plan_periods(part, &sheet, &lookups, &scope, today, p()))
                    .await??;
            store::apply_periods(tx, part, &plan).await?;
            plan.counts
        }
        Part::Completions => {
            let l = plan::part_layout(part, &sheet)?;
            let classes = column(&sheet, l.index("class_code"), table::Cell::display);
            let certificates = column(&sheet, l.index("certificate_no"), table::Cell::display);
            let lookups = store::completion_lookups(tx, &ids, &classes, &certificates).await?;
            let plan =
                blocking(move || plan::plan_completions(&sheet, &lookups, &scope, today, p()))
                    .await??;
            store::apply_completions(tx, &plan).await?;
            plan.counts
        }
        Part::Qualifications => {
            let lookups = store::qualification_lookups(tx, &ids).await?;
            let plan = blocking(move || {
                qualifications::plan_qualifications(&sheet, &lookups, &scope, today, p())
            })
            .await??;
            store::apply_qualifications(tx, &plan).await?;
            plan.counts
        }
    })
}

/// The personal ids of `after` not in `before`, sorted: those a whole-file check finds that the
/// file itself made so (a case already on record is not the file's).
fn new_since(
    after: std::collections::HashSet<String>,
    before: &std::collections::HashSet<String>,
) -> Vec<String> {
    let mut ids: Vec<String> = after.into_iter().filter(|p| !before.contains(p)).collect();
    ids.sort_unstable();
    ids
}

/// Up to ten personal ids and how many there are in all, for a message.
fn some_of(ids: &[String]) -> String {
    match ids.len() {
        n if n > 10 => format!("{}, … ({n})", ids[..10].join(", ")),
        _ => ids.join(", "),
    }
}

/// Imports a record file in one transaction (see the module's documentation); unless
/// `dry_run`, writes it and records it in the audit trail.
pub async fn run(db: &Db, actor: &Actor, scope: &Scope, job: RecordJob) -> AppResult<RecordResult> {
    let started = Instant::now();
    let RecordJob {
        bytes,
        file_name,
        dry_run,
        today,
        limits,
    } = job;
    let size = bytes.len();
    let (book, sha256) = blocking(move || -> AppResult<_> {
        let sha = crate::imports::hex(&Sha256::digest(&bytes));
        Ok((read_book(&bytes, &limits)?, sha))
    })
    .await??;
    // The people the file names, in any sheet: those the whole-file check below looks at (a
    // sheet whose columns cannot be read fails in its own part, before the check).
    let mut people = vec![];
    for (part, _, sheet) in &book {
        people.extend(personal_ids(*part, sheet).unwrap_or_default());
    }
    people.sort_unstable();
    people.dedup();
    let mut tx = db.begin().await?;
    let inactive_before = store::inactive_holding(&mut tx, &people, today).await?;
    let off_line_before = store::holding_off_line(&mut tx, &people).await?;
    let two_roles_before = store::holding_two_roles(&mut tx, &people).await?;
    let mut parts = vec![];
    for (part, name, sheet) in book {
        let counts = import_part(&mut tx, scope, part, sheet, today)
            .await
            .map_err(|e| in_sheet(&name, e))?;
        parts.push(PartResult {
            part: part.english().into(),
            sheet: name,
            counts,
        });
    }
    // No inactive cadre holds a title beyond today (`cadres::rules::lasts_beyond`): checked on the
    // whole file, whose people and periods come in separate sheets (a cadre made inactive in one
    // may have their periods ended in another).
    let made = new_since(
        store::inactive_holding(&mut tx, &people, today).await?,
        &inactive_before,
    );
    if !made.is_empty() {
        return Err(AppError::invalid(
            "file",
            crate::msg!(RecordInactiveHoldsTitles, people = some_of(&made)),
        ));
    }
    // Nor does a move leave a title behind in another ward (`cadres::rules::on_line`): checked on
    // the whole file too (the titles sheet may end the ones the cadre sheet moves away from).
    let moved = new_since(
        store::holding_off_line(&mut tx, &people).await?,
        &off_line_before,
    );
    if !moved.is_empty() {
        return Err(AppError::invalid(
            "file",
            crate::msg!(RecordTitlesElsewhere, people = some_of(&moved)),
        ));
    }
    // Nor does anyone come to hold two titles of one organisation in one unit on a day
    // (`cadres::rules::same_organisation`).
    let doubled = new_since(
        store::holding_two_roles(&mut tx, &people).await?,
        &two_roles_before,
    );
    if !doubled.is_empty() {
        return Err(AppError::invalid(
            "file",
            crate::msg!(RecordTitlesSameOrganisation, people = some_of(&doubled)),
        ));
    }
    if dry_run {
        drop(tx); // rolls back: a dry run writes nothing
    } else {
        let counts: serde_json::Map<String, serde_json::Value> = parts
            .iter()
            .map(|p| {
                (
                    p.sheet.clone(),
                    json!({"rows": p.counts.rows, "created": p.counts.created,
                           "updated": p.counts.updated, "unchanged": p.counts.unchanged}),
                )
            })
            .collect();
        audit::record(
            &mut tx,
            actor,
            "import",
            "import",
            "record",
            None,
            Some(
                json!({"kind": "record", "file_name": file_name, "sha256": sha256,
                        "bytes": size, "parts": counts}),
            ),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(RecordResult {
        dry_run,
        file_name,
        sha256,
        parts,
        elapsed_ms: started.elapsed().as_millis(),
    })
}

/// The record export's two forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookFormat {
    /// One XLSX workbook, a sheet per part.
    Xlsx,
    /// A ZIP of CSV files (UTF-8 with BOM), one per part.
    Zip,
}

/// What to export: the cadres in `scope`, within `range` (a unit's subtree) if given.
#[derive(Debug, Clone)]
pub struct RecordExport {
    /// The caller's scope.
    pub scope: Scope,
    /// Path range of the unit filter.
    pub range: Option<(String, String)>,
    /// The city's day (the workbook's creation date: the same file all day long).
    pub today: NaiveDate,
}

/// Every part's rows, a page of cadres at a time, handed to `sink` in order: `(part, rows)`,
/// with `None` rows when a part starts (`Some` pages follow).
fn each_page(
    db: &Db,
    x: &RecordExport,
    handle: &rocket::tokio::runtime::Handle,
    part: Part,
    sink: &mut dyn FnMut(Vec<Vec<crate::exports::Out>>) -> AppResult<()>,
) -> AppResult<()> {
    let mut after = None;
    loop {
        let page = handle.block_on(store::people_page(db, &x.scope, &x.range, after.as_ref()))?;
        let rows = handle.block_on(store::part_rows(db, part, &page))?;
        sink(rows)?;
        if (page.len() as i64) < store::PEOPLE_PAGE {
            return Ok(());
        }
        after = page.last().map(store::PersonOut::cursor);
    }
}

fn temp_fail(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("record export: {e}"))
}

/// Writes the record to a temporary file (constant memory: a page of cadres at a time), then
/// streams it.
pub async fn export(db: &Db, x: RecordExport, format: BookFormat) -> AppResult<Streamed> {
    let handle = rocket::tokio::runtime::Handle::current();
    let db = db.clone();
    let file = rocket::tokio::task::spawn_blocking(move || -> AppResult<std::fs::File> {
        let tmp = tempfile::NamedTempFile::new().map_err(temp_fail)?;
        match format {
            BookFormat::Xlsx => write_xlsx(&db, &x, &handle, tmp.path())?,
            BookFormat::Zip => write_zip(&db, &x, &handle, tmp.as_file())?,
        }
        std::fs::File::open(tmp.path()).map_err(temp_fail)
    })
    .await
    .map_err(|e| AppError::Internal(format!("export task: {e}")))??;
    Ok(match format {
        BookFormat::Xlsx => Streamed::file(file, "ho-so-can-bo.xlsx".into(), xlsx_type()),
        BookFormat::Zip => Streamed::file(
            file,
            "ho-so-can-bo.zip".into(),
            rocket::http::ContentType::ZIP,
        ),
    })
}

/// Rows of a worksheet (Excel's limit), the header's included.
const EXCEL_ROWS: u32 = 1_048_576;

fn write_xlsx(
    db: &Db,
    x: &RecordExport,
    handle: &rocket::tokio::runtime::Handle,
    path: &std::path::Path,
) -> AppResult<()> {
    use chrono::Datelike;
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        x.today.year() as u16,
        x.today.month() as u8,
        x.today.day() as u8,
    )
    .map_err(fail)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    // A sheet holds Excel's rows at most: a longer part continues on "Đào tạo (2)", ….
    let add = |wb: &mut Workbook, part: Part, piece: usize| -> AppResult<()> {
        let ws = wb.add_worksheet_with_constant_memory().map_err(fail)?;
        ws.set_name(part.piece_name(piece)).map_err(fail)?;
        for (c, h) in part.headers().iter().enumerate() {
            ws.set_column_width(c as u16, 16).map_err(fail)?;
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(fail)?;
        }
        ws.set_freeze_panes(1, 0).map_err(fail)?;
        Ok(())
    };
    for part in PARTS {
        let mut piece = 1;
        add(&mut wb, part, piece)?;
        let mut r: u32 = 1;
        each_page(db, x, handle, part, &mut |rows| {
            for row in &rows {
                if r >= EXCEL_ROWS {
                    piece += 1;
                    add(&mut wb, part, piece)?;
                    r = 1;
                }
                let ws = wb
                    .worksheets_mut()
                    .last_mut()
                    .ok_or_else(|| AppError::Internal("xlsx: no worksheet".into()))?;
                write_row(ws, r, row, &date).map_err(fail)?;
                r += 1;
            }
            Ok(())
        })?;
    }
    wb.save(path).map_err(fail)
}

fn write_zip(
    db: &Db,
    x: &RecordExport,
    handle: &rocket::tokio::runtime::Handle,
    file: &std::fs::File,
) -> AppResult<()> {
    use zip::write::SimpleFileOptions;
    let mut z = zip::ZipWriter::new(std::io::BufWriter::new(
        file.try_clone().map_err(temp_fail)?,
    ));
    // A fixed time: the same record gives the same bytes.
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for part in PARTS {
        z.start_file(part.file_name(), options).map_err(temp_fail)?;
        let mut head = b"\xEF\xBB\xBF".to_vec();
        head.extend(csv_line::text_line(&part.headers()));
        z.write_all(&head).map_err(temp_fail)?;
        each_page(db, x, handle, part, &mut |rows| {
            let mut buf = Vec::with_capacity(rows.len() * 96);
            for row in &rows {
                buf.extend(csv_row(row));
            }
            z.write_all(&buf).map_err(temp_fail)
        })?;
    }
    let mut w = z.finish().map_err(temp_fail)?;
    w.flush().map_err(temp_fail)
}
