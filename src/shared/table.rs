//! Reading an uploaded sheet (CSV or XLSX) into rows of cells, with the header row apart.
//! Pure: bytes in, cells out.

use crate::error::AppError;
use chrono::NaiveDate;

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

/// What an uploaded sheet may hold. Every limit is checked while reading, before the cells it
/// guards are allocated: a file past a limit is refused with a 413 or 422 naming `file`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Data rows under the header (blank rows not counted).
    pub max_rows: usize,
    /// Columns: a CSV line may have this many fields, an XLSX cell with a value may lie in
    /// this many first columns (64: A to BL).
    pub max_columns: usize,
    /// Cells with a value, in the whole file.
    pub max_cells: usize,
    /// Bytes of one CSV line (a record, quoted line breaks included).
    pub max_line_bytes: usize,
    /// Bytes the parts of an XLSX archive unpack to, together (a ZIP bomb is refused).
    pub max_unzipped_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: 300_000,
            max_columns: 64,
            max_cells: 4_000_000,
            max_line_bytes: 64 * 1024,
            max_unzipped_bytes: 50 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// The limits of the configuration.
    pub fn from_config(c: &crate::config::AppConfig) -> Limits {
        Limits {
            max_rows: c.import_max_rows,
            max_columns: c.import_max_columns,
            max_cells: c.import_max_cells,
            max_line_bytes: c.import_max_line_bytes,
            max_unzipped_bytes: c.import_max_unzipped_bytes,
        }
    }
}

/// The 413 of a file past a limit on its size.
pub(crate) fn too_large(msg: crate::error::Msg) -> AppError {
    AppError::PayloadTooLarge {
        field: Some("file".into()),
        msg,
    }
}

/// Reads a CSV or XLSX file (recognised by its content).
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Sheet, AppError> {
    read_checked(bytes, limits, &mut |_| Ok(()))
}

/// Reads a CSV or XLSX file, handing its header row to `check_header` before any data row is
/// read (a header that does not fit stops the reading at once).
pub fn read_checked(
    bytes: &[u8],
    limits: &Limits,
    check_header: &mut dyn FnMut(&[String]) -> Result<(), AppError>,
) -> Result<Sheet, AppError> {
    let builder = SheetBuilder::new(limits, check_header);
    match sniff(bytes) {
        FileFormat::Csv => read_csv_into(bytes, builder),
        FileFormat::Xlsx => super::xlsx::read(bytes, builder),
    }
}

fn file_error(msg: crate::error::Msg) -> AppError {
    AppError::invalid("file", msg)
}

/// Builds a [`Sheet`] row by row within the limits. Columns under a blank header (and beyond the
/// header) are dropped as they are read: nothing reads them, so they cost no memory.
pub(crate) struct SheetBuilder<'a> {
    limits: Limits,
    check_header: &'a mut dyn FnMut(&[String]) -> Result<(), AppError>,
    sheet: Sheet,
    /// For each column of the file (up to the header's width): its position in the sheet.
    position: Vec<Option<usize>>,
    header_read: bool,
    cells: usize,
}

impl<'a> SheetBuilder<'a> {
    pub(crate) fn new(
        limits: &Limits,
        check_header: &'a mut dyn FnMut(&[String]) -> Result<(), AppError>,
    ) -> Self {
        SheetBuilder {
            limits: *limits,
            check_header,
            sheet: Sheet::default(),
            position: vec![],
            header_read: false,
            cells: 0,
        }
    }

    /// The limits being applied.
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Whether the header row has been read.
    pub(crate) fn header_read(&self) -> bool {
        self.header_read
    }

    /// Counts `n` more cells with a value; past the limit, 413.
    pub(crate) fn count_cells(&mut self, n: usize) -> Result<(), AppError> {
        self.cells += n;
        if self.cells > self.limits.max_cells {
            return Err(too_large(crate::msg!(
                FileTooManyCells,
                max = self.limits.max_cells
            )));
        }
        Ok(())
    }

    /// The header row: `(column, text)` for each cell with a value, columns ascending.
    pub(crate) fn header(&mut self, cells: Vec<(usize, String)>) -> Result<(), AppError> {
        let width = cells.last().map_or(0, |(c, _)| c + 1);
        self.position = vec![None; width];
        for (c, text) in cells {
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            self.position[c] = Some(self.sheet.headers.len());
            self.sheet.headers.push(text.to_string());
        }
        if self.sheet.headers.is_empty() {
            return Err(file_error(crate::msg!(FileNeedsHeader)));
        }
        self.header_read = true;
        (self.check_header)(&self.sheet.headers)
    }

    /// A data row: its line and `(column, cell)` for each cell with a value. Blank rows are
    /// left out.
    pub(crate) fn row(&mut self, line: usize, cells: Vec<(usize, Cell)>) -> Result<(), AppError> {
        let mut row: Vec<Cell> = Vec::new();
        for (c, cell) in cells {
            let Some(Some(p)) = self.position.get(c).copied() else {
                continue;
            };
            if cell.is_blank() {
                continue;
            }
            if row.len() <= p {
                row.resize(p + 1, Cell::Empty);
            }
            row[p] = cell;
        }
        if row.is_empty() {
            return Ok(());
        }
        if self.sheet.rows.len() >= self.limits.max_rows {
            return Err(too_large(crate::msg!(
                FileTooManyRows,
                max = self.limits.max_rows
            )));
        }
        row.shrink_to_fit();
        self.sheet.rows.push((line, row));
        Ok(())
    }

    /// The sheet read.
    pub(crate) fn finish(self) -> Result<Sheet, AppError> {
        if !self.header_read {
            return Err(file_error(crate::msg!(FileNeedsHeader)));
        }
        Ok(self.sheet)
    }
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

/// Checks the shape of a CSV text before it is parsed: no line (record) longer than
/// `max_line_bytes`, none with more than `max_columns` fields. Quotes are read as the CSV
/// parser reads them (a quote opens a field only at its start; `""` inside quotes is a quote),
/// so a quoted line break does not end a line. Allocates nothing; stops at the first breach.
pub fn check_csv_shape(bytes: &[u8], delimiter: u8, limits: &Limits) -> Result<(), AppError> {
    #[derive(Clone, Copy, PartialEq)]
    enum St {
        Start,
        Field,
        Quoted,
        QuoteInQuoted,
    }
    let mut st = St::Start;
    let (mut line, mut record_line) = (1usize, 1usize);
    let (mut fields, mut len) = (1usize, 0usize);
    let mut prev_cr = false;
    for &b in bytes {
        let terminator = (b == b'\n' || b == b'\r') && st != St::Quoted;
        if terminator {
            if !(b == b'\n' && prev_cr) {
                line += 1;
            }
            prev_cr = b == b'\r';
            st = St::Start;
            fields = 1;
            len = 0;
            record_line = line;
            continue;
        }
        if b == b'\n' || (b == b'\r') {
            // A line break inside quotes: part of the record.
            if !(b == b'\n' && prev_cr) {
                line += 1;
            }
        }
        prev_cr = b == b'\r';
        len += 1;
        if len > limits.max_line_bytes {
            return Err(file_error(crate::msg!(
                LineTooLong,
                line = record_line,
                max = limits.max_line_bytes
            )));
        }
        st = match (st, b) {
            (St::Quoted, b'"') => St::QuoteInQuoted,
            (St::Quoted, _) => St::Quoted,
            (St::QuoteInQuoted, b'"') => St::Quoted,
            (St::Start, b'"') => St::Quoted,
            (_, d) if d == delimiter => {
                fields += 1;
                if fields > limits.max_columns {
                    return Err(file_error(crate::msg!(
                        LineTooManyColumns,
                        line = record_line,
                        max = limits.max_columns
                    )));
                }
                St::Start
            }
            _ => St::Field,
        };
    }
    Ok(())
}

/// Reads a CSV file: UTF-8 (a BOM is skipped), comma or semicolon separated.
pub fn read_csv(bytes: &[u8], limits: &Limits) -> Result<Sheet, AppError> {
    read_csv_into(bytes, SheetBuilder::new(limits, &mut |_| Ok(())))
}

fn read_csv_into(bytes: &[u8], mut out: SheetBuilder<'_>) -> Result<Sheet, AppError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| file_error(crate::msg!(FileNotUtf8, offset = e.valid_up_to())))?;
    let delim = delimiter(text);
    check_csv_shape(bytes, delim, out.limits())?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(AppError::Validation {
                    field: Some("file".into()),
                    msg: crate::msg!(CsvUnreadable, line = line, detail = e.to_string()),
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
        if !out.header_read() {
            if record.iter().all(|h| h.trim().is_empty()) {
                // Nothing above the header counts; a first line of separators only is no header.
                return Err(file_error(crate::msg!(FileNeedsHeader)));
            }
            out.header(
                record
                    .iter()
                    .enumerate()
                    .map(|(c, h)| (c, h.to_string()))
                    .collect(),
            )?;
            continue;
        }
        let filled = record.iter().filter(|c| !c.trim().is_empty()).count();
        if filled == 0 {
            continue;
        }
        out.count_cells(filled)?;
        let cells = record
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.trim().is_empty())
            // An exported cell that began like a formula carries a `'` (shared::csv_line).
            .map(|(i, c)| {
                (
                    i,
                    Cell::Text(crate::shared::csv_line::unneutralise(c).to_string()),
                )
            })
            .collect();
        out.row(line, cells)?;
    }
    out.finish()
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
    // A date-time from a spreadsheet export (`2024-01-31 00:00:00`): the day part, when what
    // follows is a time of day alone. A time with an offset (`…T23:30:00-05:00`, `…Z`) is an
    // instant, which may fall on another day in the city: not a day.
    let (s, time) = s.split_once(['T', ' ']).unwrap_or((s, ""));
    let time = time.trim();
    if !time.is_empty()
        && ["%H:%M", "%H:%M:%S", "%H:%M:%S%.f"]
            .iter()
            .all(|f| chrono::NaiveTime::parse_from_str(time, f).is_err())
    {
        return None;
    }
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

    const L: Limits = Limits {
        max_rows: 300_000,
        max_columns: 64,
        max_cells: 4_000_000,
        max_line_bytes: 64 * 1024,
        max_unzipped_bytes: 50 * 1024 * 1024,
    };

    #[test]
    fn csv_with_bom_and_semicolons() {
        let s = read_csv(
            "\u{feff}a;b;c\r\n1;\"x;y\";3\r\n;;\r\n4;5;6\r\n".as_bytes(),
            &L,
        )
        .unwrap();
        assert_eq!(s.headers, vec!["a", "b", "c"]);
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0].0, 2);
        assert_eq!(s.rows[0].1[1], Cell::Text("x;y".into()));
        assert_eq!(s.rows[1].0, 4);
    }

    #[test]
    fn exported_formula_quotes_are_taken_off() {
        let s = read_csv("a,b,c\n'+84 909 123 456,'quoted,\"'=1;2\"\n".as_bytes(), &L).unwrap();
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
        let s = read_csv(b"a,b\n1,2\n", &L).unwrap();
        assert_eq!(s.headers, vec!["a", "b"]);
        assert_eq!(
            s.rows[0].1,
            vec![Cell::Text("1".into()), Cell::Text("2".into())]
        );
    }

    #[test]
    fn not_utf8_is_refused() {
        assert!(read_csv(b"a,b\n\xff,1\n", &L).is_err());
        assert!(read_csv(b"", &L).is_err());
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
        assert_eq!(
            parse_day_text("31/01/2024 08:30"),
            NaiveDate::from_ymd_opt(2024, 1, 31)
        );
        assert_eq!(parse_day_text("1985-03-15T23:30:00-05:00"), None);
        assert_eq!(parse_day_text("1985-03-15T23:30:00Z"), None);
        assert_eq!(parse_day_text("1985-03-15 hôm đó"), None);
        assert_eq!(parse_day_text("31/02/2024"), None);
        assert_eq!(parse_day_text("hôm qua"), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"PK\x03\x04rest"), FileFormat::Xlsx);
        assert_eq!(sniff(b"a,b"), FileFormat::Csv);
    }
}

#[cfg(test)]
mod limit_tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_rows: 3,
            max_columns: 4,
            max_cells: 10,
            max_line_bytes: 40,
            max_unzipped_bytes: 1 << 20,
        }
    }

    fn status(r: Result<Sheet, AppError>) -> (u16, String) {
        let e = r.unwrap_err();
        let body = e.body();
        assert_eq!(body.error.field.as_deref(), Some("file"), "{e:?}");
        (e.status().code, e.to_string())
    }

    #[test]
    fn csv_shape_is_checked_before_parsing() {
        let l = limits();
        // Five columns on line 2.
        let (s, m) = status(read_csv(b"a,b\n1,2,3,4,5\n", &l));
        assert_eq!(s, 422);
        assert!(
            m.contains("line 2") && m.contains("more than 4 columns"),
            "{m}"
        );
        // A quoted field keeps its delimiters and line breaks: one field, not five.
        assert!(check_csv_shape(b"a\n\"1,2,3,4,5\nx\"\n", b',', &l).is_ok());
        // `""` inside quotes is a quote; a quote inside an unquoted field is text.
        assert!(check_csv_shape(b"a,b\n\"x\"\",y\",2\n5\" pipe,3\n", b',', &l).is_ok());
        // A line longer than the limit, counted on its first line even across CRLFs.
        let long = format!("a\r\nb\r\n{}\r\n", "x".repeat(41));
        let (s, m) = status(read_csv(long.as_bytes(), &l));
        assert_eq!(s, 422);
        assert!(m.contains("line 3 is longer than 40 bytes"), "{m}");
        // Old Mac line ends are line ends.
        assert!(check_csv_shape(&b"a\rb\r".repeat(20), b',', &l).is_ok());
    }

    #[test]
    fn rows_and_cells_are_counted_as_they_are_read() {
        let l = limits();
        let (s, m) = status(read_csv(b"a\n1\n2\n\n3\n4\n", &l));
        assert_eq!(s, 413);
        assert!(m.contains("more than 3 rows"), "{m}");
        let (s, m) = status(read_csv(b"a,b,c,d\n1,2,3,4\n5,6,7,8\n9,9,9,9\n", &l));
        assert_eq!(s, 413);
        assert!(m.contains("more than 10 cells"), "{m}");
        // Blank rows are not rows.
        assert_eq!(read_csv(b"a\n1\n,\n\n2\n3\n", &l).unwrap().rows.len(), 3);
    }

    #[test]
    fn columns_under_no_header_are_dropped() {
        let s = read_csv(b"a;;b\n1;x;2;y;z\n;q;\n", &Limits::default()).unwrap();
        assert_eq!(s.headers, vec!["a", "b"]);
        assert_eq!(s.rows.len(), 1);
        assert_eq!(
            s.rows[0].1,
            vec![Cell::Text("1".into()), Cell::Text("2".into())]
        );
    }

    #[test]
    fn a_header_check_stops_before_the_rows() {
        let mut seen = vec![];
        let r = read_checked(b"a,b\n1,2\n", &Limits::default(), &mut |h| {
            seen = h.to_vec();
            Err(AppError::invalid("file", crate::msg!(FileEmpty)))
        });
        assert!(r.is_err());
        assert_eq!(seen, vec!["a", "b"]);
    }
}
