//! Exports of cadres, completions and classes with their enrolments, as CSV or XLSX, within the
//! caller's scope. Rows are read a page at a time (keyset paging) and written out as they come:
//! CSV streams to the client, XLSX is written by rust_xlsxwriter's constant-memory mode to a
//! temporary file that is then streamed. Memory stays flat whatever the number of rows. Every CSV
//! line is written by [`csv_line`](crate::shared::csv_line) (text that a spreadsheet would run as a formula gets a `'`);
//! XLSX cells are typed: text as strings (never formulas), numbers as numbers, days as dates.

pub mod routes;
pub mod service;
pub mod sources;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::shared::csv_line;
pub use crate::shared::download::Streamed;
use crate::shared::download::{csv_type, xlsx_type};
use sources::Source;

/// One exported value.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    /// Text.
    Text(String),
    /// Number.
    Num(f64),
    /// Day (ISO text in CSV, a date cell in XLSX).
    Date(NaiveDate),
    /// Nothing.
    Empty,
}

impl Out {
    /// The CSV form: text as it is (neutralised by the line writer), numbers and ISO dates plain.
    fn csv_text(&self) -> (String, bool) {
        match self {
            Out::Text(s) => (s.clone(), true),
            Out::Num(n) if n.fract() == 0.0 => (format!("{}", *n as i64), false),
            Out::Num(n) => (n.to_string(), false),
            Out::Date(d) => (d.format("%Y-%m-%d").to_string(), false),
            Out::Empty => (String::new(), false),
        }
    }
}

/// One CSV line of a row of values (text neutralised against formulas: [`csv_line`](crate::shared::csv_line)).
pub(crate) fn csv_row(row: &[Out]) -> Vec<u8> {
    csv_line::typed_line(&row.iter().map(Out::csv_text).collect::<Vec<_>>())
}

impl From<String> for Out {
    fn from(s: String) -> Self {
        Out::Text(s)
    }
}
impl From<&str> for Out {
    fn from(s: &str) -> Self {
        Out::Text(s.to_string())
    }
}
impl From<Option<String>> for Out {
    fn from(s: Option<String>) -> Self {
        s.map(Out::Text).unwrap_or(Out::Empty)
    }
}
impl From<NaiveDate> for Out {
    fn from(d: NaiveDate) -> Self {
        Out::Date(d)
    }
}
impl From<Option<NaiveDate>> for Out {
    fn from(d: Option<NaiveDate>) -> Self {
        d.map(Out::Date).unwrap_or(Out::Empty)
    }
}
impl From<Option<i64>> for Out {
    fn from(n: Option<i64>) -> Self {
        n.map(|n| Out::Num(n as f64)).unwrap_or(Out::Empty)
    }
}

/// Rows per page read from the database.
pub const PAGE: i64 = 2_000;

/// Streams a source as CSV (UTF-8 with BOM) through a pipe that a task fills a page at a time.
/// The first page is read before answering, so a database failure is an error status, not a
/// truncated file.
pub async fn csv(db: Db, source: Source, stem: &str) -> AppResult<Streamed> {
    use rocket::tokio::io::AsyncWriteExt;
    let headers: Vec<String> = source.headers();
    let first = source.page(&db, None).await?;
    let (mut w, r) = rocket::tokio::io::duplex(64 * 1024);
    rocket::tokio::spawn(async move {
        let mut head = b"\xEF\xBB\xBF".to_vec();
        head.extend(csv_line::text_line(&headers));
        if w.write_all(&head).await.is_err() {
            return;
        }
        let mut page = first;
        loop {
            let mut buf = Vec::with_capacity(page.rows.len() * 128);
            for row in &page.rows {
                buf.extend(csv_row(row));
            }
            // The client went away: stop reading.
            if w.write_all(&buf).await.is_err() {
                return;
            }
            let Some(next) = page.next else { break };
            match source.page(&db, Some(next)).await {
                Ok(p) => page = p,
                Err(e) => {
                    tracing::error!(error = %e, "export stopped while streaming");
                    break;
                }
            }
        }
        let _ = w.shutdown().await;
    });
    Ok(Streamed::pipe(r, format!("{stem}.csv"), csv_type()))
}

/// Writes a source to an XLSX file in constant memory, then streams the file.
pub async fn xlsx(db: Db, source: Source, stem: &str) -> AppResult<Streamed> {
    let handle = rocket::tokio::runtime::Handle::current();
    let sheet = stem.to_string();
    let file = rocket::tokio::task::spawn_blocking(move || -> AppResult<std::fs::File> {
        let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
        let tmp = tempfile::NamedTempFile::new()
            .map_err(|e| AppError::Internal(format!("temporary file: {e}")))?;
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let date = Format::new().set_num_format("dd/mm/yyyy");
        let ws = wb.add_worksheet_with_constant_memory().map_err(fail)?;
        ws.set_name(sheet.chars().take(31).collect::<String>())
            .map_err(fail)?;
        let headers = source.headers();
        for (c, h) in headers.iter().enumerate() {
            ws.set_column_width(c as u16, 16).map_err(fail)?;
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(fail)?;
        }
        ws.set_freeze_panes(1, 0).map_err(fail)?;
        let mut r: u32 = 1;
        let mut after = None;
        loop {
            let page = handle.block_on(source.page(&db, after))?;
            for row in &page.rows {
                write_row(ws, r, row, &date).map_err(fail)?;
                r += 1;
            }
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        wb.save(tmp.path()).map_err(fail)?;
        // Opened before the temporary file is removed (on drop): the open handle keeps the data.
        let f = std::fs::File::open(tmp.path())
            .map_err(|e| AppError::Internal(format!("temporary file: {e}")))?;
        Ok(f)
    })
    .await
    .map_err(|e| AppError::Internal(format!("export task: {e}")))??;
    Ok(Streamed::file(file, format!("{stem}.xlsx"), xlsx_type()))
}

/// Writes one row of values at row `r` of a worksheet: text as strings (never formulas), numbers
/// as numbers, days as date cells in `date`'s format.
pub(crate) fn write_row(
    ws: &mut rust_xlsxwriter::Worksheet,
    r: u32,
    row: &[Out],
    date: &Format,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    for (c, cell) in row.iter().enumerate() {
        let c = c as u16;
        match cell {
            Out::Text(s) => {
                ws.write_string(r, c, s)?;
            }
            Out::Num(n) => {
                ws.write_number(r, c, *n)?;
            }
            // Excel's dates run from 1900 to 9999: a day outside (stored before the API refused
            // it) is written as its ISO text rather than failing the whole file.
            Out::Date(d) if !(1900..=9999).contains(&chrono::Datelike::year(d)) => {
                ws.write_string(r, c, d.format("%Y-%m-%d").to_string())?;
            }
            Out::Date(d) => {
                let dt = rust_xlsxwriter::ExcelDateTime::from_ymd(
                    chrono::Datelike::year(d) as u16,
                    chrono::Datelike::month(d) as u8,
                    chrono::Datelike::day(d) as u8,
                )?;
                ws.write_datetime_with_format(r, c, &dt, date)?;
            }
            Out::Empty => {}
        }
    }
    Ok(())
}
