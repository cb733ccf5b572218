//! Downloads: tables written as CSV (UTF-8 with a BOM, so Excel shows Vietnamese correctly) or
//! XLSX (a sheet per part, a bold header row, frozen panes, numbers as numbers), and files streamed
//! to the client as they are written ([`Streamed`]).

use rocket::http::{ContentType, Header};
use rocket::response::{self, Responder};
use rocket::{Request, Response};
use rust_xlsxwriter::{Format, Workbook};

use crate::error::AppError;

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number.
    Num(f64),
    /// Nothing.
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Num(n as f64)
    }
}
impl From<Option<f64>> for Cell {
    fn from(n: Option<f64>) -> Self {
        n.map(Cell::Num).unwrap_or(Cell::Empty)
    }
}

/// A named table: a sheet in XLSX.
#[derive(Debug, Clone)]
pub struct Table {
    /// Sheet name (at most 31 characters).
    pub name: String,
    /// Header row.
    pub headers: Vec<String>,
    /// Data rows.
    pub rows: Vec<Vec<Cell>>,
}

/// Export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// CSV.
    Csv,
    /// XLSX.
    Xlsx,
}

/// Parses `csv` or `xlsx`.
pub fn parse_format(raw: Option<&str>) -> Result<ExportFormat, AppError> {
    match raw.map(str::trim) {
        Some("csv") => Ok(ExportFormat::Csv),
        Some("xlsx") => Ok(ExportFormat::Xlsx),
        _ => Err(AppError::invalid("format", "format must be csv or xlsx")),
    }
}

/// CSV of one table, with a BOM; every line through the one CSV writer
/// ([`crate::shared::csv_line`]: text that a spreadsheet would run as a formula gets a `'`).
pub fn csv(table: &Table) -> Result<Vec<u8>, AppError> {
    use crate::shared::csv_line;
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend(csv_line::text_line(&table.headers));
    for row in &table.rows {
        let cells: Vec<(String, bool)> = row
            .iter()
            .map(|c| match c {
                Cell::Text(s) => (s.clone(), true),
                Cell::Num(n) if n.fract() == 0.0 => (format!("{}", *n as i64), false),
                Cell::Num(n) => (format!("{n}"), false),
                Cell::Empty => (String::new(), false),
            })
            .collect();
        out.extend(csv_line::typed_line(&cells));
    }
    Ok(out)
}

/// XLSX with one sheet per table.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>, AppError> {
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    for t in tables {
        let ws = wb.add_worksheet();
        ws.set_name(t.name.chars().take(31).collect::<String>())
            .map_err(fail)?;
        for (c, h) in t.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &bold)
                .map_err(fail)?;
            ws.set_column_width(c as u16, if c == 1 { 32 } else { 14 })
                .map_err(fail)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(s) => {
                        ws.write_string(r, c, s).map_err(fail)?;
                    }
                    Cell::Num(n) => {
                        ws.write_number(r, c, *n).map_err(fail)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        ws.set_freeze_panes(1, 2).map_err(fail)?;
    }
    wb.save_to_buffer().map_err(fail)
}

/// A file download.
pub struct Download {
    /// File name.
    pub filename: String,
    /// Content type.
    pub content_type: ContentType,
    /// Bytes.
    pub bytes: Vec<u8>,
}

impl Download {
    /// Renders tables in a format: CSV takes the first table, XLSX all of them.
    pub fn of(tables: &[Table], format: ExportFormat, stem: &str) -> Result<Download, AppError> {
        Ok(match format {
            ExportFormat::Csv => Download {
                filename: format!("{stem}.csv"),
                content_type: ContentType::new("text", "csv").with_params(("charset", "utf-8")),
                bytes: csv(&tables[0])?,
            },
            ExportFormat::Xlsx => Download {
                filename: format!("{stem}.xlsx"),
                content_type: ContentType::new(
                    "application",
                    "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                bytes: xlsx(tables)?,
            },
        })
    }
}

impl<'r> Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(self.content_type)
            .header(Header::new(
                "Content-Disposition",
                format!("attachment; filename=\"{}\"", self.filename),
            ))
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

/// A streamed download.
pub struct Streamed {
    filename: String,
    content_type: ContentType,
    body: StreamBody,
}

/// What a streamed download reads from.
enum StreamBody {
    Pipe(rocket::tokio::io::DuplexStream),
    File(rocket::tokio::fs::File),
}

impl Streamed {
    /// A download read from a pipe that a task fills as it goes.
    pub fn pipe(
        reader: rocket::tokio::io::DuplexStream,
        filename: String,
        content_type: ContentType,
    ) -> Streamed {
        Streamed {
            filename,
            content_type,
            body: StreamBody::Pipe(reader),
        }
    }

    /// A file already written (e.g. a temporary file), streamed from its current position.
    pub fn file(file: std::fs::File, filename: String, content_type: ContentType) -> Streamed {
        Streamed {
            filename,
            content_type,
            body: StreamBody::File(rocket::tokio::fs::File::from_std(file)),
        }
    }

    /// A CSV file already written (e.g. a temporary file), streamed from its current position.
    pub fn csv_file(file: std::fs::File, filename: String) -> Streamed {
        let csv = ContentType::new("text", "csv").with_params(("charset", "utf-8"));
        Streamed::file(file, filename, csv)
    }
}

impl<'r> Responder<'r, 'static> for Streamed {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut b = Response::build();
        b.header(self.content_type).header(Header::new(
            "Content-Disposition",
            format!("attachment; filename=\"{}\"", self.filename),
        ));
        match self.body {
            StreamBody::Pipe(r) => b.streamed_body(r),
            StreamBody::File(f) => b.streamed_body(f),
        };
        b.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_has_bom_and_numbers() {
        let t = Table {
            name: "t".into(),
            headers: vec!["a".into(), "b".into()],
            rows: vec![
                vec!["Phường Tân Định".into(), Cell::Num(66.7)],
                vec![Cell::Empty, 3.into()],
            ],
        };
        let out = csv(&t).unwrap();
        assert!(out.starts_with(b"\xEF\xBB\xBF"));
        assert_eq!(
            String::from_utf8(out[3..].to_vec()).unwrap(),
            "a,b\nPhường Tân Định,66.7\n,3\n"
        );
    }
}
