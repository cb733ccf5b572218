//! Reading an uploaded sheet (CSV or XLSX) into rows of cells, with the header row apart.
//! Pure: bytes in, cells out.

use chrono::NaiveDate;
use std::io::Cursor;

use crate::error::AppError;

/// One cell as read from the file.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing in the cell.
    Empty,
    /// Text (CSV cells are always text).
    Text(String),
    /// A number (XLSX), which may be a date stored as an Excel serial number.
    Number(f64),
    /// A cell formatted as a date (XLSX), as its serial number.
    Date(f64),
    /// A boolean cell (XLSX).
    Bool(bool),
}

impl Cell {
    /// The cell as the user would read it (for error messages and text fields).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().to_string(),
            Cell::Number(n) | Cell::Date(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{}", *n as i64)
                } else {
                    n.to_string()
                }
            }
            Cell::Bool(b) => b.to_string(),
        }
    }

    /// True when the cell holds nothing but spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// A sheet: the header row and the data rows, each with its row number in the file (1-based,
/// the header being row 1 of a CSV).
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    /// Header cells, as text.
    pub headers: Vec<String>,
    /// Data rows with their row numbers; blank rows are left out.
    pub rows: Vec<(usize, Vec<Cell>)>,
}

/// Which file format the bytes are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma- or semicolon-separated text, UTF-8, with or without BOM.
    Csv,
    /// Office Open XML workbook (the first sheet is read).
    Xlsx,
}

/// Recognises the format from the content: an XLSX file is a ZIP archive.
pub fn sniff(bytes: &[u8]) -> FileFormat {
    if bytes.starts_with(b"PK\x03\x04") {
        FileFormat::Xlsx
    } else {
        FileFormat::Csv
    }
}

/// Reads a CSV or XLSX file (recognised by its content).
pub fn read(bytes: &[u8]) -> Result<Sheet, AppError> {
    match sniff(bytes) {
        FileFormat::Csv => read_csv(bytes),
        FileFormat::Xlsx => read_xlsx(bytes),
    }
}

fn file_error(message: impl Into<String>) -> AppError {
    AppError::invalid("file", message)
}

/// Picks `;` or `,` from the header line: whichever occurs more often outside quotes.
fn delimiter(text: &str) -> u8 {
    let line = text.lines().next().unwrap_or("");
    let (mut commas, mut semis, mut quoted) = (0, 0, false);
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semis += 1,
            _ => {}
        }
    }
    if semis > commas {
        b';'
    } else {
        b','
    }
}

/// Reads a CSV file: UTF-8 (a BOM is skipped), comma or semicolon separated.
pub fn read_csv(bytes: &[u8]) -> Result<Sheet, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        file_error(format!(
            "the file is not UTF-8 text (invalid byte at offset {}); save it as CSV UTF-8 or XLSX",
            e.valid_up_to()
        ))
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut sheet = Sheet::default();
    let mut record = csv::StringRecord::new();
    let mut first = true;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(AppError::Validation {
                    field: Some("file".into()),
                    message: format!("the CSV cannot be read at line {line}: {e}"),
                    details: vec![],
                });
            }
        }
        // After a CRLF the record's start position still sits on the previous line's `\n`.
        let line = record
            .position()
            .map(|p| {
                let at_newline = text.as_bytes().get(p.byte() as usize) == Some(&b'\n');
                p.line() as usize + usize::from(at_newline)
            })
            .unwrap_or(0);
        if first {
            sheet.headers = record.iter().map(|h| h.trim().to_string()).collect();
            first = false;
            continue;
        }
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells = record
            .iter()
            .map(|c| {
                if c.trim().is_empty() {
                    Cell::Empty
                } else {
                    // An exported cell that began like a formula carries a `'` (exports::csv_line).
                    Cell::Text(crate::exports::csv_line::unneutralise(c).to_string())
                }
            })
            .collect();
        sheet.rows.push((line, cells));
    }
    if sheet.headers.iter().all(|h| h.is_empty()) {
        return Err(file_error("the file is empty: it needs a header row"));
    }
    Ok(sheet)
}

/// Reads the first worksheet of an XLSX workbook.
pub fn read_xlsx(bytes: &[u8]) -> Result<Sheet, AppError> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| file_error(format!("the XLSX workbook cannot be read: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| file_error("the workbook has no worksheet"))?
        .map_err(|e| file_error(format!("the first worksheet cannot be read: {e}")))?;
    let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let first_col = range.start().map(|(_, c)| c as usize).unwrap_or(0);
    let mut sheet = Sheet::default();
    for (i, row) in range.rows().enumerate() {
        let line = first_row + i + 1;
        // Columns left of the used range are empty: keep positions aligned with the header.
        let mut cells: Vec<Cell> = vec![Cell::Empty; first_col];
        cells.extend(row.iter().map(|d| match d {
            Data::Empty | Data::Error(_) => Cell::Empty,
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                if s.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(s.clone())
                }
            }
            Data::Int(n) => Cell::Number(*n as f64),
            Data::Float(f) => Cell::Number(*f),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(dt) => Cell::Date(dt.as_f64()),
        }));
        if i == 0 {
            sheet.headers = cells.iter().map(Cell::display).collect();
            continue;
        }
        if cells.iter().all(Cell::is_blank) {
            continue;
        }
        sheet.rows.push((line, cells));
    }
    if sheet.headers.iter().all(|h| h.is_empty()) {
        return Err(file_error("the worksheet is empty: it needs a header row"));
    }
    Ok(sheet)
}

/// The day of an Excel serial number (1900 date system; 60 is the phantom 1900-02-29).
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    base.checked_add_signed(chrono::Duration::days(days))
}

/// Parses a day written as `YYYY-MM-DD`, `DD/MM/YYYY`, `D/M/YYYY` or `DD-MM-YYYY` / `DD.MM.YYYY`
/// (Vietnamese order: day first).
pub fn parse_day_text(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    // A date-time from a spreadsheet export: keep the day part.
    let s = s.split(['T', ' ']).next().unwrap_or(s);
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    for fmt in ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            if d.year_ce().1 >= 1000 {
                return Some(d);
            }
        }
    }
    None
}

use chrono::Datelike;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_bom_and_semicolons() {
        let s = read_csv("\u{feff}a;b;c\r\n1;\"x;y\";3\r\n;;\r\n4;5;6\r\n".as_bytes()).unwrap();
        assert_eq!(s.headers, vec!["a", "b", "c"]);
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0].0, 2);
        assert_eq!(s.rows[0].1[1], Cell::Text("x;y".into()));
        assert_eq!(s.rows[1].0, 4);
    }

    #[test]
    fn exported_formula_quotes_are_taken_off() {
        let s = read_csv("a,b,c\n'+84 909 123 456,'quoted,\"'=1;2\"\n".as_bytes()).unwrap();
        assert_eq!(
            s.rows[0].1,
            vec![
                Cell::Text("+84 909 123 456".into()),
                Cell::Text("'quoted".into()),
                Cell::Text("=1;2".into())
            ]
        );
    }

    #[test]
    fn csv_with_commas() {
        let s = read_csv(b"a,b\n1,2\n").unwrap();
        assert_eq!(s.headers, vec!["a", "b"]);
        assert_eq!(
            s.rows[0].1,
            vec![Cell::Text("1".into()), Cell::Text("2".into())]
        );
    }

    #[test]
    fn not_utf8_is_refused() {
        assert!(read_csv(b"a,b\n\xff,1\n").is_err());
        assert!(read_csv(b"").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(
            excel_serial_date(45292.0),
            NaiveDate::from_ymd_opt(2024, 1, 1)
        );
        assert_eq!(
            excel_serial_date(45292.75),
            NaiveDate::from_ymd_opt(2024, 1, 1)
        );
        assert_eq!(excel_serial_date(-3.0), None);
        assert_eq!(
            parse_day_text("2024-01-31"),
            NaiveDate::from_ymd_opt(2024, 1, 31)
        );
        assert_eq!(
            parse_day_text("31/01/2024"),
            NaiveDate::from_ymd_opt(2024, 1, 31)
        );
        assert_eq!(
            parse_day_text("5/2/1980"),
            NaiveDate::from_ymd_opt(1980, 2, 5)
        );
        assert_eq!(
            parse_day_text("2024-01-31T00:00:00"),
            NaiveDate::from_ymd_opt(2024, 1, 31)
        );
        assert_eq!(parse_day_text("31/02/2024"), None);
        assert_eq!(parse_day_text("hôm qua"), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"PK\x03\x04rest"), FileFormat::Xlsx);
        assert_eq!(sniff(b"a,b"), FileFormat::Csv);
    }
}
