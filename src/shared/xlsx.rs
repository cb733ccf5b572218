//! Reading the first worksheet of an XLSX workbook in bounded memory, without a spreadsheet
//! library: the archive is opened with `zip`, its parts are parsed as they inflate with
//! `quick-xml`, and each cell goes straight into the sheet being built.
//!
//! A spreadsheet library sizes a dense grid from the cells' extent (a sheet with cells at A1 and
//! XFD1048576 asks for 16,384 × 1,048,576 cells and aborts the process) and trusts the sizes the
//! archive declares. Here nothing is sized from the file: cells are kept sparse, a cell with a
//! value beyond the allowed columns or rows is refused with its reference, the bytes the parts
//! inflate to are counted as they come (a ZIP bomb stops at the limit, whatever the archive
//! declares), and the number of archive entries is bounded before the archive is opened.

use std::cell::Cell as Counter;
use std::io::{BufRead, BufReader, Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::ZipArchive;

use super::table::{too_large, Cell, Limits, Sheet, SheetBuilder};
use crate::error::AppError;

/// Entries an archive may hold (a workbook has a few dozen).
const MAX_ENTRIES: usize = 10_000;

/// Excel's last column (XFD) and row.
const EXCEL_COLUMNS: usize = 16_384;
const EXCEL_ROWS: usize = 1_048_576;

fn unreadable(detail: impl std::fmt::Display) -> AppError {
    AppError::invalid(
        "file",
        crate::msg!(XlsxUnreadable, detail = detail.to_string()),
    )
}

/// Bytes inflated so far, against the limit.
struct Budget {
    left: Counter<u64>,
    limit: u64,
    exceeded: Counter<bool>,
}

impl Budget {
    fn error(&self) -> AppError {
        too_large(crate::msg!(XlsxTooBig, max = self.limit))
    }
}

/// A part being inflated, counted against the budget.
struct Bounded<'b, R> {
    inner: R,
    budget: &'b Budget,
}

impl<R: Read> Read for Bounded<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.budget.left.get();
        // One byte more than allowed tells "exactly at the limit" from "past it".
        let want = buf
            .len()
            .min(usize::try_from(left + 1).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > left {
            self.budget.exceeded.set(true);
            return Err(std::io::Error::other("unpacked size limit"));
        }
        self.budget.left.set(left - n as u64);
        Ok(n)
    }
}

type Zip<'a> = ZipArchive<Cursor<&'a [u8]>>;

struct Archive<'a> {
    zip: Zip<'a>,
    budget: Budget,
}

impl<'a> Archive<'a> {
    fn open(bytes: &'a [u8], limit: u64) -> Result<Self, AppError> {
        // Every central-directory entry starts with this signature: counting it bounds what
        // opening the archive allocates, whatever its end record claims.
        let entries = bytes.windows(4).filter(|w| w == b"PK\x01\x02").count();
        if entries > MAX_ENTRIES {
            return Err(AppError::invalid(
                "file",
                crate::msg!(XlsxTooManyEntries, max = MAX_ENTRIES),
            ));
        }
        let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
        // Two entries of one name: one of them would be read and the other silently left.
        if zip.has_duplicate_names() {
            return Err(AppError::invalid("file", crate::msg!(ArchiveNameRepeated)));
        }
        let mut declared: u64 = 0;
        for i in 0..zip.len() {
            let f = zip.by_index_raw(i).map_err(unreadable)?;
            declared = declared.saturating_add(f.size());
        }
        let budget = Budget {
            left: Counter::new(limit),
            limit,
            exceeded: Counter::new(false),
        };
        if declared > limit {
            return Err(budget.error());
        }
        Ok(Archive { zip, budget })
    }
}

impl Budget {
    /// The error of a failed read: past the budget (413) or unreadable (422).
    fn fail(&self, e: impl std::fmt::Display) -> AppError {
        if self.exceeded.get() {
            self.error()
        } else {
            unreadable(e)
        }
    }
}

/// An XML reader over a part as it inflates, or `None` when the archive has no such part.
fn part<'z, 'a>(
    zip: &'z mut Zip<'a>,
    budget: &'z Budget,
    name: &str,
) -> Result<Option<Reader<impl BufRead + use<'z, 'a>>>, AppError> {
    let name = name.trim_start_matches('/');
    let Some(i) = zip.index_for_name(name) else {
        return Ok(None);
    };
    let file = zip.by_index(i).map_err(unreadable)?;
    let mut r = Reader::from_reader(BufReader::with_capacity(
        64 * 1024,
        Bounded {
            inner: file,
            budget,
        },
    ));
    let config = r.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = false;
    config.trim_text(false);
    Ok(Some(r))
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| {
            let raw: &str = a.value.as_ref();
            quick_xml::escape::unescape(raw)
                .map(|c| c.into_owned())
                .unwrap_or_else(|_| raw.to_string())
        })
}

/// Resolves a part's relationship target against the folder of the part.
fn resolve(base_dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = base_dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in target.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Relationships of a part: (id, type, target resolved to an archive path).
fn relationships(
    a: &mut Archive<'_>,
    rels: &str,
    base_dir: &str,
) -> Result<Vec<(String, String, String)>, AppError> {
    let mut out = vec![];
    let Some(mut xml) = part(&mut a.zip, &a.budget, rels)? else {
        return Ok(out);
    };
    let mut buf = vec![];
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    let kind = attr(&e, "Type").unwrap_or_default();
                    out.push((id, kind, resolve(base_dir, &target)));
                }
            }
            Ok(Event::Eof) => return Ok(out),
            Err(e) => return Err(a.budget.fail(e)),
            _ => {}
        }
    }
}

/// Where the worksheets are: the workbook's folder, its relationships, the first sheet's path,
/// every sheet's name and path in the workbook's order, and whether the workbook counts days
/// from 1904.
struct Located {
    dir: String,
    rels: Vec<(String, String, String)>,
    sheet: String,
    sheets: Vec<(String, String)>,
    date1904: bool,
}

fn locate(a: &mut Archive<'_>) -> Result<Located, AppError> {
    let book = relationships(a, "_rels/.rels", "")?
        .into_iter()
        .find(|(_, kind, _)| kind.ends_with("/officeDocument"))
        .map(|(_, _, t)| t)
        .unwrap_or_else(|| "xl/workbook.xml".into());
    let (dir, file) = book.rsplit_once('/').unwrap_or(("", book.as_str()));
    let (dir, file) = (dir.to_string(), file.to_string());
    let (mut ids, mut date1904) = (Vec::<(String, String)>::new(), false);
    {
        let Some(mut xml) = part(&mut a.zip, &a.budget, &book)? else {
            return Err(AppError::invalid("file", crate::msg!(XlsxNoWorkbook)));
        };
        let mut buf = vec![];
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e)) if e.local_name().as_ref() == "workbookPr" => {
                    date1904 = matches!(attr(&e, "date1904").as_deref(), Some("1" | "true"));
                }
                Ok(Event::Start(e)) if e.local_name().as_ref() == "sheet" => {
                    if let Some(id) = attr(&e, "id") {
                        ids.push((attr(&e, "name").unwrap_or_default(), id));
                    }
                }
                Ok(Event::Eof) => break,
                Err(e) => return Err(a.budget.fail(e)),
                _ => {}
            }
        }
    }
    let rels_path = if dir.is_empty() {
        format!("_rels/{file}.rels")
    } else {
        format!("{dir}/_rels/{file}.rels")
    };
    let rels = relationships(a, &rels_path, &dir)?;
    let first = ids
        .first()
        .map(|(_, id)| id.clone())
        .ok_or_else(|| AppError::invalid("file", crate::msg!(XlsxNoWorksheet)))?;
    let target = |id: &str| {
        rels.iter()
            .find(|(rid, _, _)| rid == id)
            .map(|(_, _, t)| t.clone())
    };
    let sheet = target(&first)
        .ok_or_else(|| AppError::invalid("file", crate::msg!(XlsxWorksheetMissing)))?;
    let sheets = ids
        .iter()
        .filter_map(|(name, id)| target(id).map(|t| (name.clone(), t)))
        .collect();
    Ok(Located {
        dir,
        rels,
        sheet,
        sheets,
        date1904,
    })
}

/// Text of a `<t>`-carrying element (`<si>`, `<is>`) up to its end: runs joined, phonetic
/// runs left out, Excel's `_xHHHH_` escapes decoded.
fn read_text<R: BufRead>(
    xml: &mut Reader<R>,
    end: &str,
    buf: &mut Vec<u8>,
) -> Result<String, String> {
    let mut out = String::new();
    let (mut in_t, mut phonetic) = (false, false);
    loop {
        buf.clear();
        match xml.read_event_into(buf).map_err(|e| e.to_string())? {
            Event::Start(e) => match e.local_name().as_ref() {
                "t" if !phonetic => in_t = true,
                "rPh" => phonetic = true,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_t = false,
                "rPh" => phonetic = false,
                n if n == end => return Ok(excel_unescape(out)),
                _ => {}
            },
            Event::Text(t) if in_t => out.push_str(&t.xml10_content()),
            Event::CData(t) if in_t => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_t => push_ref(&mut out, &r)?,
            Event::Eof => return Err("the XML ends inside a text".into()),
            _ => {}
        }
    }
}

fn push_ref(out: &mut String, r: &quick_xml::events::BytesRef<'_>) -> Result<(), String> {
    if let Some(s) = quick_xml::escape::resolve_xml_entity(r) {
        out.push_str(s);
        return Ok(());
    }
    match r.resolve_char_ref() {
        Ok(Some(c)) => {
            out.push(c);
            Ok(())
        }
        _ => Err(format!("unknown entity &{};", &**r)),
    }
}

/// Decodes Excel's `_xHHHH_` escapes (control characters kept in XML text).
fn excel_unescape(s: String) -> String {
    if !s.contains("_x") {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let code = tail
            .get(2..6)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()) && tail.get(6..7) == Some("_"))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match code {
            Some(c) => {
                out.push(c);
                rest = &tail[7..];
            }
            None => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The shared strings, at most `max` of them (a sheet cannot use more strings than it has cells).
fn shared_strings(a: &mut Archive<'_>, path: &str, max: usize) -> Result<Vec<String>, AppError> {
    let mut out = vec![];
    let Some(mut xml) = part(&mut a.zip, &a.budget, path)? else {
        return Ok(out);
    };
    let (mut buf, mut inner) = (vec![], vec![]);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "si" => {
                if out.len() >= max {
                    return Err(too_large(crate::msg!(XlsxTooManyStrings, max = max)));
                }
                let s = read_text(&mut xml, "si", &mut inner).map_err(|e| a.budget.fail(e))?;
                out.push(s);
            }
            Ok(Event::Eof) => return Ok(out),
            Err(e) => return Err(a.budget.fail(e)),
            _ => {}
        }
    }
}

/// Whether a built-in number format shows a date or time (ECMA-376 18.8.30, with the East
/// Asian built-ins).
fn builtin_date(id: u32) -> bool {
    matches!(id, 14..=22 | 27..=36 | 45..=47 | 50..=58)
}

/// Whether a custom number format code shows a date or time: a d, m, y, h or s outside quotes,
/// brackets and escapes, in its first section.
fn custom_date(code: &str) -> bool {
    let (mut quoted, mut bracket, mut escaped) = (false, false, false);
    for c in code.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '\\' | '_' | '*' => escaped = true,
            '[' => bracket = true,
            ']' => bracket = false,
            _ if bracket => {}
            ';' => return false,
            'd' | 'D' | 'm' | 'M' | 'y' | 'Y' | 'h' | 'H' | 's' | 'S' => return true,
            _ => {}
        }
    }
    false
}

/// For each cell style (`cellXfs` index): whether it shows a date.
fn date_styles(a: &mut Archive<'_>, path: &str) -> Result<Vec<bool>, AppError> {
    let mut custom: std::collections::HashMap<u32, bool> = std::collections::HashMap::new();
    let mut out = vec![];
    let Some(mut xml) = part(&mut a.zip, &a.budget, path)? else {
        return Ok(out);
    };
    let mut buf = vec![];
    let mut in_xfs = false;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "numFmt" => {
                    if let (Some(id), Some(code)) = (
                        attr(&e, "numFmtId").and_then(|i| i.parse().ok()),
                        attr(&e, "formatCode"),
                    ) {
                        custom.insert(id, custom_date(&code));
                    }
                }
                "cellXfs" => in_xfs = true,
                "xf" if in_xfs => {
                    let id: u32 = attr(&e, "numFmtId")
                        .and_then(|i| i.parse().ok())
                        .unwrap_or(0);
                    let date = custom.get(&id).copied().unwrap_or_else(|| builtin_date(id));
                    out.push(date);
                }
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == "cellXfs" => in_xfs = false,
            Ok(Event::Eof) => return Ok(out),
            Err(e) => return Err(a.budget.fail(e)),
            _ => {}
        }
    }
}

/// `(row, column)`, 0-based, of a reference such as `XFD1048576`; `None` when malformed or
/// outside Excel's grid.
fn cell_ref(r: &str) -> Option<(usize, usize)> {
    let letters = r.bytes().take_while(u8::is_ascii_alphabetic).count();
    if !(1..=3).contains(&letters) {
        return None;
    }
    let (col, row) = r.split_at(letters);
    if row.is_empty() || row.len() > 7 || !row.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let col = col.bytes().fold(0usize, |n, b| {
        n * 26 + (b.to_ascii_uppercase() - b'A') as usize + 1
    });
    let row: usize = row.parse().ok()?;
    if col == 0 || col > EXCEL_COLUMNS || row == 0 || row > EXCEL_ROWS {
        return None;
    }
    Some((row - 1, col - 1))
}

/// The letters of a 0-based column (`63` → `BL`).
pub fn column_name(mut col: usize) -> String {
    let mut s = vec![];
    col += 1;
    while col > 0 {
        let r = (col - 1) % 26;
        s.push(b'A' + r as u8);
        col = (col - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A cell being read.
#[derive(Default)]
struct RawCell {
    at: (usize, usize),
    kind: Option<String>,
    date: bool,
    value: Option<String>,
}

/// Reads the first worksheet into `out`.
pub(crate) fn read(bytes: &[u8], out: SheetBuilder<'_>) -> Result<Sheet, AppError> {
    let limits = *out.limits();
    let mut a = Archive::open(bytes, limits.max_unzipped_bytes)?;
    let at = locate(&mut a)?;
    let book = Book::open(&mut a, &at, &limits)?;
    let first = at.sheet.clone();
    book.sheet(&mut a, &first, out)
}

/// Reads every worksheet of a workbook, in the workbook's order, as (name, sheet). One budget of
/// unpacked bytes for the whole archive; each sheet is read within `limits` (rows, columns),
/// and the cells of all sheets together within `limits.max_cells`.
pub(crate) fn read_all(bytes: &[u8], limits: &Limits) -> Result<Vec<(String, Sheet)>, AppError> {
    let mut a = Archive::open(bytes, limits.max_unzipped_bytes)?;
    let at = locate(&mut a)?;
    let book = Book::open(&mut a, &at, limits)?;
    let mut left = *limits;
    let mut out = vec![];
    for (name, path) in &at.sheets {
        let mut no_check = |_: &[String]| Ok(());
        let sheet = book.sheet(&mut a, path, SheetBuilder::new(&left, &mut no_check))?;
        let cells: usize = sheet
            .rows
            .iter()
            .map(|(_, r)| r.iter().filter(|c| !c.is_blank()).count())
            .sum::<usize>()
            + sheet.headers.len();
        left.max_cells = left.max_cells.saturating_sub(cells);
        out.push((name.clone(), sheet));
    }
    Ok(out)
}

/// The parts every worksheet of a workbook reads: shared strings, date styles, the epoch.
struct Book {
    strings: Vec<String>,
    dates: Vec<bool>,
    date1904: bool,
}

impl Book {
    fn open(a: &mut Archive<'_>, at: &Located, limits: &Limits) -> Result<Book, AppError> {
        let find = |suffix: &str, default: &str| {
            at.rels
                .iter()
                .find(|(_, kind, _)| kind.ends_with(suffix))
                .map(|(_, _, t)| t.clone())
                .unwrap_or_else(|| resolve(&at.dir, default))
        };
        let strings = shared_strings(
            a,
            &find("/sharedStrings", "sharedStrings.xml"),
            limits.max_cells,
        )?;
        let dates = date_styles(a, &find("/styles", "styles.xml"))?;
        Ok(Book {
            strings,
            dates,
            date1904: at.date1904,
        })
    }

    /// Reads the worksheet at `path` into `out`.
    fn sheet(
        &self,
        a: &mut Archive<'_>,
        path: &str,
        mut out: SheetBuilder<'_>,
    ) -> Result<Sheet, AppError> {
        let limits = *out.limits();
        let Some(mut xml) = part(&mut a.zip, &a.budget, path)? else {
            return Err(AppError::invalid("file", crate::msg!(XlsxWorksheetMissing)));
        };
        let sheet = SheetXml {
            strings: &self.strings,
            dates: &self.dates,
            date1904: self.date1904,
            max_columns: limits.max_columns,
            max_rows: limits.max_rows,
        };
        match sheet.read(&mut xml, &mut out) {
            Ok(()) => out.finish(),
            Err(Failure::App(e)) => Err(e),
            Err(Failure::Xml(e)) => Err(a.budget.fail(e)),
        }
    }
}

/// The entries of a ZIP archive (a ZIP of CSV files), as (name, bytes), in the archive's order,
/// within one budget of unpacked bytes (`limit`); directories left out.
pub(crate) fn zip_entries(bytes: &[u8], limit: u64) -> Result<Vec<(String, Vec<u8>)>, AppError> {
    let mut a = Archive::open(bytes, limit)?;
    let mut out = vec![];
    for i in 0..a.zip.len() {
        let f = a.zip.by_index(i).map_err(unreadable)?;
        if f.is_dir() {
            continue;
        }
        let name = f.name().map_err(unreadable)?.to_string();
        let mut data = vec![];
        let mut r = Bounded {
            inner: f,
            budget: &a.budget,
        };
        r.read_to_end(&mut data).map_err(|e| a.budget.fail(e))?;
        out.push((name, data));
    }
    Ok(out)
}

/// Whether a ZIP archive is an XLSX workbook (it has the package's content types part).
pub(crate) fn is_workbook(bytes: &[u8]) -> bool {
    ZipArchive::new(Cursor::new(bytes))
        .map(|z| z.index_for_name("[Content_Types].xml").is_some())
        .unwrap_or(true)
}

/// Why reading the worksheet stopped: a limit or a rule (as is), or unreadable XML (which may
/// be the budget running out).
enum Failure {
    App(AppError),
    Xml(String),
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Failure::App(e)
    }
}

/// What reading the worksheet needs besides the XML.
struct SheetXml<'s> {
    strings: &'s [String],
    dates: &'s [bool],
    date1904: bool,
    max_columns: usize,
    max_rows: usize,
}

impl SheetXml<'_> {
    /// The error of a cell with a value past the columns (422) or the rows (413) an import
    /// reads, naming the cell.
    fn outside(&self, at: (usize, usize)) -> AppError {
        let cell = format!("{}{}", column_name(at.1), at.0 + 1);
        if at.1 >= self.max_columns {
            AppError::invalid(
                "file",
                crate::msg!(
                    CellOutsideColumns,
                    cell = cell,
                    max = self.max_columns,
                    last = column_name(self.max_columns.saturating_sub(1))
                ),
            )
        } else {
            too_large(crate::msg!(CellBelowRows, cell = cell, max = self.max_rows))
        }
    }

    /// Streams the worksheet's cells into rows.
    fn read<R: BufRead>(
        &self,
        xml: &mut Reader<R>,
        out: &mut SheetBuilder<'_>,
    ) -> Result<(), Failure> {
        let (mut buf, mut inner) = (vec![], vec![]);
        let mut row_no: usize = 0; // 1-based number of the current row
        let mut row: Vec<(usize, Cell)> = vec![];
        let mut in_row = false;
        let mut next_col = 0usize;
        let mut cell: Option<RawCell> = None;
        let mut in_v = false;
        let mut header_row: Option<usize> = None; // 0-based
        loop {
            buf.clear();
            let ev = xml
                .read_event_into(&mut buf)
                .map_err(|e| Failure::Xml(e.to_string()))?;
            match ev {
                Event::Start(e) => match e.local_name().as_ref() {
                    "row" => {
                        row_no = match attr(&e, "r").and_then(|r| r.parse::<usize>().ok()) {
                            Some(r) if (1..=EXCEL_ROWS).contains(&r) => r,
                            Some(r) => {
                                return Err(Failure::Xml(format!("row number {r} is not valid")))
                            }
                            None => row_no + 1,
                        };
                        in_row = true;
                        next_col = 0;
                        row.clear();
                    }
                    "c" if in_row => {
                        let at = match attr(&e, "r") {
                            Some(r) => cell_ref(&r).ok_or_else(|| {
                                Failure::Xml(format!("cell reference {r:?} is not valid"))
                            })?,
                            None => (row_no.saturating_sub(1), next_col),
                        };
                        next_col = at.1 + 1;
                        let style: usize = attr(&e, "s").and_then(|s| s.parse().ok()).unwrap_or(0);
                        cell = Some(RawCell {
                            at,
                            kind: attr(&e, "t"),
                            date: self.dates.get(style).copied().unwrap_or(false),
                            value: None,
                        });
                    }
                    "v" if cell.is_some() => in_v = true,
                    "is" if cell.is_some() => {
                        let text = read_text(xml, "is", &mut inner).map_err(Failure::Xml)?;
                        if let Some(c) = cell.as_mut() {
                            c.value = Some(text);
                        }
                    }
                    _ => {}
                },
                Event::Text(t) if in_v => {
                    if let Some(c) = cell.as_mut() {
                        c.value
                            .get_or_insert_with(String::new)
                            .push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) if in_v => {
                    if let Some(c) = cell.as_mut() {
                        push_ref(c.value.get_or_insert_with(String::new), &r)
                            .map_err(Failure::Xml)?;
                    }
                }
                Event::End(e) => match e.local_name().as_ref() {
                    "v" => in_v = false,
                    "c" => {
                        in_v = false;
                        let Some(c) = cell.take() else { continue };
                        let value =
                            to_cell(&c, self.strings, self.date1904).map_err(Failure::Xml)?;
                        if value.is_blank() {
                            continue;
                        }
                        // Nothing is sized from a position, but a cell with a value past the
                        // area an import reads is refused with its reference.
                        let past_rows = header_row.is_some_and(|h| c.at.0 > h + self.max_rows);
                        if c.at.1 >= self.max_columns || past_rows {
                            return Err(self.outside(c.at).into());
                        }
                        out.count_cells(1)?;
                        // A row holds at most one cell a column: more is a repeated reference.
                        if row.len() >= self.max_columns {
                            return Err(Failure::Xml(format!(
                                "row {} has more than {} cells",
                                c.at.0 + 1,
                                self.max_columns
                            )));
                        }
                        row.push((c.at.1, value));
                    }
                    "row" => {
                        in_row = false;
                        if row.is_empty() {
                            continue;
                        }
                        let mut cells = std::mem::take(&mut row);
                        cells.sort_by_key(|(c, _)| *c);
                        cells.dedup_by_key(|(c, _)| *c);
                        if header_row.is_none() {
                            header_row = Some(row_no.saturating_sub(1));
                            out.header(cells.into_iter().map(|(c, v)| (c, v.display())).collect())?;
                        } else {
                            out.row(row_no, cells)?;
                        }
                    }
                    _ => {}
                },
                Event::Eof => return Ok(()),
                _ => {}
            }
        }
    }
}

/// The value of a cell from its type, style and raw value.
fn to_cell(c: &RawCell, strings: &[String], date1904: bool) -> Result<Cell, String> {
    let Some(v) = c.value.as_deref() else {
        return Ok(Cell::Empty);
    };
    let text = |s: &str| {
        if s.trim().is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.to_string())
        }
    };
    Ok(match c.kind.as_deref() {
        Some("s") => {
            let i: usize = v
                .trim()
                .parse()
                .map_err(|_| format!("shared string index {v:?} is not a number"))?;
            let s = strings
                .get(i)
                .ok_or_else(|| format!("shared string {i} does not exist"))?;
            text(s)
        }
        Some("inlineStr") | Some("str") | Some("d") => text(&excel_unescape(v.to_string())),
        Some("b") => Cell::Bool(v.trim() == "1" || v.trim().eq_ignore_ascii_case("true")),
        Some("e") => Cell::Empty,
        _ => match v.trim().parse::<f64>() {
            Ok(n) if c.date => Cell::Date(if date1904 { n + 1462.0 } else { n }),
            Ok(n) => Cell::Number(n),
            Err(_) => text(v),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(cell_ref("A1"), Some((0, 0)));
        assert_eq!(cell_ref("bl7"), Some((6, 63)));
        assert_eq!(cell_ref("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_ref("XFE1"), None);
        assert_eq!(cell_ref("A1048577"), None);
        assert_eq!(cell_ref("A0"), None);
        assert_eq!(cell_ref("AAAA1"), None);
        assert_eq!(cell_ref("1A"), None);
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(63), "BL");
        assert_eq!(column_name(16_383), "XFD");
    }

    #[test]
    fn date_formats() {
        assert!(builtin_date(14) && builtin_date(22) && !builtin_date(0) && !builtin_date(49));
        assert!(custom_date("dd/mm/yyyy"));
        assert!(custom_date("[$-409]d-mmm-yy;@"));
        assert!(!custom_date("0.00"));
        assert!(!custom_date("\"days\" 0"));
        assert!(!custom_date("[Red]0;[Blue]-0"));
        assert!(!custom_date("#,##0_);(#,##0)"));
    }

    #[test]
    fn paths_and_escapes() {
        assert_eq!(
            resolve("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl", "/xl/worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl/worksheets", "../sharedStrings.xml"),
            "xl/sharedStrings.xml"
        );
        assert_eq!(excel_unescape("a_x000D_b".into()), "a\rb");
        assert_eq!(excel_unescape("_x_y_x12".into()), "_x_y_x12");
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;
    use crate::shared::table::{read, Limits};
    use std::io::Write;

    /// A workbook of the given sheet XML (inline strings), zipped with deflate.
    fn workbook(sheet: &str) -> Vec<u8> {
        let parts: [(&str, &str); 4] = [
            (
                "_rels/.rels",
                r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
            ),
            (
                "xl/workbook.xml",
                r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            ),
            (
                "xl/_rels/workbook.xml.rels",
                r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
            ),
            ("xl/worksheets/sheet1.xml", sheet),
        ];
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in parts {
            z.start_file(name, opts).unwrap();
            z.write_all(body.as_bytes()).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    fn sheet(rows: &str) -> String {
        format!(
            r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
        )
    }

    #[test]
    fn inline_strings_numbers_and_positions() {
        let xml = sheet(
            r#"<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="C2" t="inlineStr"><is><r><t>b</t></r><r><t> c</t></r></is></c></row>
               <row r="3"><c r="A3"><v>12</v></c><c r="B3" t="inlineStr"><is><t>skipped</t></is></c><c r="C3" t="b"><v>1</v></c></row>
               <row r="4"><c r="C4" t="str"><v>x &amp; y</v></c></row>"#,
        );
        let s = read(&workbook(&xml), &Limits::default()).unwrap();
        assert_eq!(s.headers, vec!["a", "b c"]);
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0], (3, vec![Cell::Number(12.0), Cell::Bool(true)]));
        assert_eq!(
            s.rows[1],
            (4, vec![Cell::Empty, Cell::Text("x & y".into())])
        );
    }

    #[test]
    fn a_cell_past_the_columns_or_rows_is_refused_by_its_reference() {
        let far = sheet(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
        );
        let e = read(&workbook(&far), &Limits::default()).unwrap_err();
        assert_eq!(e.status().code, 422);
        assert!(e.to_string().contains("cell XFD1048576"), "{e}");
        let low = sheet(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><row r="300002"><c r="A300002"><v>1</v></c></row>"#,
        );
        let e = read(&workbook(&low), &Limits::default()).unwrap_err();
        assert!(e.to_string().contains("cell A300002"), "{e}");
        // An empty, formatted cell far away is nothing.
        let styled = sheet(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><row r="1048576"><c r="XFD1048576" s="1"/></row>"#,
        );
        assert!(read(&workbook(&styled), &Limits::default()).is_ok());
    }

    #[test]
    fn a_part_that_unpacks_past_the_limit_is_a_413_whatever_it_declares() {
        let pad = " ".repeat(3 << 20);
        let xml = sheet(&format!(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>{pad}"#
        ));
        let mut bytes = workbook(&xml);
        let limits = Limits {
            max_unzipped_bytes: 1 << 20,
            ..Limits::default()
        };
        let e = read(&bytes, &limits).unwrap_err();
        assert_eq!(e.status().code, 413, "{e}");
        // The same archive claiming a small size for the part (its headers edited): the zip
        // reader stops at the declared size, and the inflated bytes are counted as they come.
        let real = (xml.len() as u32).to_le_bytes();
        let mut at = 0;
        while let Some(i) = bytes[at..].windows(4).position(|w| w == real) {
            bytes[at + i..at + i + 4].copy_from_slice(&100u32.to_le_bytes());
            at += i + 4;
        }
        let e = read(&bytes, &limits).unwrap_err();
        assert!(matches!(e.status().code, 413 | 422), "{e}");
        assert!(
            e.to_string().contains("declared") || e.to_string().contains("unpacks"),
            "{e}"
        );
    }

    #[test]
    fn shared_strings_and_date_styles_from_a_real_writer() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "when").unwrap();
        ws.write_string(0, 1, "what").unwrap();
        let f = Format::new().set_num_format("dd/mm/yyyy");
        ws.write_datetime_with_format(1, 0, ExcelDateTime::from_ymd(2024, 1, 1).unwrap(), &f)
            .unwrap();
        ws.write_string(1, 1, "Nguyễn_x000D_").unwrap();
        let s = read(&wb.save_to_buffer().unwrap(), &Limits::default()).unwrap();
        assert_eq!(s.headers, vec!["when", "what"]);
        assert_eq!(s.rows[0].1[0], Cell::Date(45292.0));
        assert!(matches!(&s.rows[0].1[1], Cell::Text(t) if t.starts_with("Nguyễn")));
    }
}
