//! Downloads: tables written as CSV (UTF-8 with a BOM, so Excel shows Vietnamese correctly) or
//! XLSX (a sheet per part, a bold header row, frozen panes, numbers as numbers), and files streamed
//! to the client as they are written ([`Streamed`]).

use rocket::http::{ContentType, Header};
use rocket::response::{self, Responder};
use rocket::{Request, Response};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::error::AppError;

/// The content type of a CSV download (UTF-8).
pub fn csv_type() -> ContentType {
    ContentType::new("text", "csv").with_params(("charset", "utf-8"))
}

/// The content type of an XLSX download.
pub fn xlsx_type() -> ContentType {
    ContentType::new(
        "application",
        "vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
}

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
        _ => Err(AppError::invalid(
            "format",
            crate::msg!(OneOf, field = "format", values = "csv, xlsx"),
        )),
    }
}

/// CSV of one table, with a BOM; every line through the one CSV writer
/// ([`crate::shared::csv_line`]: text that a spreadsheet would run as a formula gets a `'`).
pub fn csv(table: &Table) -> Result<Vec<u8>, AppError> {
    let mut out = csv_head(&table.headers);
    for row in &table.rows {
        out.extend(csv_row(row));
    }
    Ok(out)
}

/// The start of a CSV: the BOM and the header line.
fn csv_head(headers: &[String]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend(crate::shared::csv_line::text_line(headers));
    out
}

/// One data line of a CSV: text neutralised, whole numbers without a fraction.
fn csv_row(row: &[Cell]) -> Vec<u8> {
    use crate::shared::csv_line::{line, Field};
    // Only the numbers are written out first; the text is borrowed.
    let numbers: Vec<String> = row
        .iter()
        .map(|c| match c {
            Cell::Num(n) if n.fract() == 0.0 => format!("{}", *n as i64),
            Cell::Num(n) => format!("{n}"),
            Cell::Text(_) | Cell::Empty => String::new(),
        })
        .collect();
    let fields: Vec<Field<'_>> = row
        .iter()
        .zip(&numbers)
        .map(|(c, number)| match c {
            Cell::Text(s) => Field::Text(s),
            Cell::Num(_) | Cell::Empty => Field::Plain(number),
        })
        .collect();
    line(&fields)
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

/// One sheet: a bold header row, the second column wider, the header and first two columns frozen.
fn write_sheet<R: AsRef<[Cell]>>(
    ws: &mut Worksheet,
    name: &str,
    headers: &[String],
    rows: impl Iterator<Item = R>,
) -> Result<(), AppError> {
    let bold = Format::new().set_bold();
    ws.set_name(name.chars().take(31).collect::<String>())
        .map_err(xlsx_error)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)
            .map_err(xlsx_error)?;
        ws.set_column_width(c as u16, if c == 1 { 32 } else { 14 })
            .map_err(xlsx_error)?;
    }
    for (r, row) in rows.enumerate() {
        for (c, cell) in row.as_ref().iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell {
                Cell::Text(s) => {
                    ws.write_string(r, c, s).map_err(xlsx_error)?;
                }
                Cell::Num(n) => {
                    ws.write_number(r, c, *n).map_err(xlsx_error)?;
                }
                Cell::Empty => {}
            }
        }
    }
    ws.set_freeze_panes(1, 2).map_err(xlsx_error)?;
    Ok(())
}

/// XLSX with one sheet per table.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>, AppError> {
    let mut wb = Workbook::new();
    for t in tables {
        write_sheet(wb.add_worksheet(), &t.name, &t.headers, t.rows.iter())?;
    }
    wb.save_to_buffer().map_err(xlsx_error)
}

/// Rows per write of a streamed table.
const STREAM_PAGE: usize = 2_000;

/// One table written as its rows come, for a table too long to hold twice: CSV into a pipe that
/// a task fills [`STREAM_PAGE`] rows at a time, XLSX into a low-memory sheet (rows go to a
/// temporary file as they are written, strings to the shared table as in [`xlsx`]) that is then
/// streamed. CSV: the same bytes as [`Download::of`] for the table; XLSX: the same parts but for the
/// creation time (which differs between any two files) and the rows' optional `spans` hint, which
/// a low-memory sheet leaves out.
pub async fn stream_table<I>(
    name: String,
    headers: Vec<String>,
    rows: I,
    format: ExportFormat,
    stem: &str,
) -> Result<Streamed, AppError>
where
    I: Iterator<Item = Vec<Cell>> + Send + 'static,
{
    use rocket::tokio::io::AsyncWriteExt;
    match format {
        ExportFormat::Csv => {
            let (mut w, r) = rocket::tokio::io::duplex(64 * 1024);
            rocket::tokio::spawn(async move {
                let mut rows = rows;
                let mut buf = csv_head(&headers);
                loop {
                    let mut n = 0;
                    for row in rows.by_ref().take(STREAM_PAGE) {
                        buf.extend(csv_row(&row));
                        n += 1;
                    }
                    // The client went away: stop writing.
                    if w.write_all(&buf).await.is_err() {
                        return;
                    }
                    if n < STREAM_PAGE {
                        break;
                    }
                    buf.clear();
                }
                let _ = w.shutdown().await;
            });
            Ok(Streamed::pipe(r, format!("{stem}.csv"), csv_type()))
        }
        ExportFormat::Xlsx => {
            let file =
                rocket::tokio::task::spawn_blocking(move || xlsx_file(&name, &headers, rows))
                    .await
                    .map_err(|e| AppError::Internal(format!("export task: {e}")))??;
            Ok(Streamed::file(file, format!("{stem}.xlsx"), xlsx_type()))
        }
    }
}

/// One table as an XLSX file written through a low-memory sheet, open at its start.
fn xlsx_file(
    name: &str,
    headers: &[String],
    rows: impl Iterator<Item = Vec<Cell>>,
) -> Result<std::fs::File, AppError> {
    let tmp = tempfile::NamedTempFile::new()
        .map_err(|e| AppError::Internal(format!("temporary file: {e}")))?;
    let mut wb = Workbook::new();
    write_sheet(
        wb.add_worksheet_with_low_memory().map_err(xlsx_error)?,
        name,
        headers,
        rows,
    )?;
    wb.save(tmp.path()).map_err(xlsx_error)?;
    // Opened before the temporary file is removed (on drop): the open handle keeps the data.
    std::fs::File::open(tmp.path()).map_err(|e| AppError::Internal(format!("temporary file: {e}")))
}

/// The `Content-Disposition` of a download named `filename`, the name made safe for any system:
/// the whole country's `*` reads `all`, and any other character outside letters, digits, `.`,
/// `-` and `_` (Windows refuses `*`, `:`, `?`, …; a quote would end the header's value) is `_`.
pub fn attachment(filename: &str) -> Header<'static> {
    let name: String = filename
        .replace('*', "all")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    Header::new(
        "Content-Disposition",
        format!("attachment; filename=\"{name}\""),
    )
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
                content_type: csv_type(),
                bytes: csv(&tables[0])?,
            },
            ExportFormat::Xlsx => Download {
                filename: format!("{stem}.xlsx"),
                content_type: xlsx_type(),
                bytes: xlsx(tables)?,
            },
        })
    }
}

impl<'r> Responder<'r, 'static> for Download {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(self.content_type)
            .header(attachment(&self.filename))
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
        let csv = csv_type();
        Streamed::file(file, filename, csv)
    }
}

impl<'r> Responder<'r, 'static> for Streamed {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        let mut b = Response::build();
        b.header(self.content_type)
            .header(attachment(&self.filename));
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

    fn table(rows: usize) -> Table {
        Table {
            name: "cadres".into(),
            headers: vec!["id".into(), "name".into(), "note".into()],
            rows: (0..rows)
                .map(|i| {
                    vec![
                        Cell::from(i as i64),
                        format!("Nguyễn Văn {}", i % 7).into(),
                        if i % 3 == 0 {
                            Cell::Empty
                        } else {
                            Cell::Num(i as f64 / 4.0)
                        },
                    ]
                })
                .collect(),
        }
    }

    /// The parts of an XLSX file but its creation time, as text.
    fn parts(bytes: &[u8]) -> Vec<(String, String)> {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut text = String::new();
                f.read_to_string(&mut text).unwrap();
                (f.name().unwrap().to_string(), text)
            })
            .filter(|(name, _)| name != "docProps/core.xml")
            .collect()
    }

    /// The text without the rows' `spans` (the columns a row uses: an optional hint to the
    /// reader, which a low-memory sheet does not write).
    fn without_spans(xml: &str) -> String {
        let mut out = String::with_capacity(xml.len());
        let mut rest = xml;
        while let Some(i) = rest.find(" spans=\"") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 8..];
            rest = &after[after.find('"').unwrap() + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A streamed table is the table's download: the same bytes in CSV, the same parts in XLSX
    /// (but for the creation time, which differs between any two files, and the rows' spans).
    #[rocket::async_test]
    async fn a_streamed_table_is_the_table_download() {
        use rocket::tokio::io::AsyncReadExt;
        for n in [0, 1, STREAM_PAGE - 1, STREAM_PAGE, 2 * STREAM_PAGE + 5] {
            let t = table(n);
            let rows = t.rows.clone().into_iter();
            let s = stream_table(
                t.name.clone(),
                t.headers.clone(),
                rows,
                ExportFormat::Csv,
                "x",
            )
            .await
            .unwrap();
            let StreamBody::Pipe(mut r) = s.body else {
                panic!("a pipe")
            };
            let mut got = vec![];
            r.read_to_end(&mut got).await.unwrap();
            assert_eq!(got, csv(&t).unwrap(), "{n} rows");
            let mut file = xlsx_file(&t.name, &t.headers, t.rows.clone().into_iter()).unwrap();
            let mut got = vec![];
            std::io::Read::read_to_end(&mut file, &mut got).unwrap();
            let (got, want) = (parts(&got), parts(&xlsx(&[t]).unwrap()));
            let names = |p: &[(String, String)]| p.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
            assert_eq!(names(&got), names(&want), "{n} rows");
            for ((part, a), (_, b)) in got.iter().zip(&want) {
                assert_eq!(a, &without_spans(b), "{part}, {n} rows");
            }
        }
    }
}
