//! Reading the cells of one row into typed values, collecting every problem with its row,
//! column and value rather than stopping at the first.

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};

use super::columns::Layout;

use super::messages::{count_reason, render, Lang};
use crate::error::{AppError, ErrorDetail, ProblemCode, ProblemParams, Problems};
use crate::shared::table::{excel_serial_date, parse_day_text, Cell};
use crate::shared::text::fold;

/// One data row being read; problems go to the shared list.
pub struct Row<'a> {
    /// Row number in the file.
    pub line: usize,
    cells: &'a [Cell],
    layout: &'a Layout,
    errors: &'a mut Problems,
    failed: bool,
}

const EMPTY: Cell = Cell::Empty;

impl<'a> Row<'a> {
    /// Starts reading a row.
    pub fn new(
        line: usize,
        cells: &'a [Cell],
        layout: &'a Layout,
        errors: &'a mut Problems,
    ) -> Row<'a> {
        let mut row = Row {
            line,
            cells,
            layout,
            errors,
            failed: false,
        };
        // No text may hold a NUL character (PostgreSQL cannot store one; nobody types one) nor
        // another control character but tab and line breaks (an escape, a bell: nobody types
        // them either, and the calendar and the spreadsheets would carry them). Rows without one
        // (all but a forged file's) are passed over in one scan of the cells.
        let refused = |t: &str| {
            t.chars().any(crate::api::text::is_refused_control)
                || crate::api::text::is_invisible_text(t)
        };
        if !cells
            .iter()
            .any(|c| matches!(c, Cell::Text(t) if refused(t)))
        {
            return row;
        }
        let mut keys: Vec<&'static str> = layout.keys().collect();
        keys.sort_unstable();
        for key in keys {
            let code = match row.cell(key) {
                Cell::Text(t) if t.contains('\0') => ProblemCode::NulCharacter,
                Cell::Text(t) if crate::api::text::is_invisible_text(t) => {
                    ProblemCode::InvisibleText
                }
                Cell::Text(t) if refused(t) => ProblemCode::ControlCharacter,
                _ => continue,
            };
            row.problem(key, code);
        }
        row
    }

    /// Whether any problem was found in this row.
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// The raw cell of a column (empty when the column is absent).
    pub fn cell(&self, key: &str) -> &Cell {
        self.layout
            .index(key)
            .and_then(|i| self.cells.get(i))
            .unwrap_or(&EMPTY)
    }

    /// Records a problem with a column of this row.
    pub fn problem(&mut self, key: &str, code: ProblemCode) {
        self.problem_with(key, code, json!({}));
    }

    /// Records a problem with a column of this row, with the values its reason names (an
    /// object: `json!({"row_first": 12})`).
    pub fn problem_with(&mut self, key: &str, code: ProblemCode, params: Value) {
        let params = match params {
            Value::Object(m) => m,
            _ => ProblemParams::new(),
        };
        let value = self.cell(key).display();
        let reason = count_reason(code, &params);
        let detail = ErrorDetail {
            row: Some(self.line),
            field: Some(self.layout.header(key).to_string()),
            value: (!value.is_empty()).then_some(value),
            message: render(code, &params, Lang::En),
            code: Some(code),
            params: Some(params),
        };
        self.errors.push_counted(detail, reason);
        self.failed = true;
    }

    /// Takes the refusal of a field check as a problem of this column, of `code`.
    pub fn check<T>(&mut self, key: &str, r: Result<T, AppError>, code: ProblemCode) -> Option<T> {
        self.check_by(key, r, |_| (code, json!({})))
    }

    /// Takes the refusal of a field check as a problem of this column, its code and values
    /// told by `classify` from the check's message.
    pub fn check_by<T>(
        &mut self,
        key: &str,
        r: Result<T, AppError>,
        classify: impl FnOnce(&str) -> (ProblemCode, Value),
    ) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                let (code, params) = classify(&e.to_string());
                self.problem_with(key, code, params);
                None
            }
        }
    }

    /// Trimmed text, `None` when blank.
    pub fn text(&self, key: &str) -> Option<String> {
        let c = self.cell(key);
        (!c.is_blank()).then(|| c.display())
    }

    /// Trimmed text that must be there.
    pub fn required(&mut self, key: &str) -> Option<String> {
        let t = self.text(key);
        if t.is_none() {
            self.problem(key, ProblemCode::Required);
        }
        t
    }

    /// Text of at most `max` characters.
    pub fn short(&mut self, key: &str, max: usize) -> Option<String> {
        let t = self.text(key)?;
        if t.chars().count() > max {
            self.problem_with(key, ProblemCode::TooLong, json!({ "max": max }));
            return None;
        }
        Some(t)
    }

    /// A day: a date cell, an Excel serial number, or text `YYYY-MM-DD` / `DD/MM/YYYY`.
    /// `Ok(None)` when blank.
    pub fn date(&mut self, key: &str) -> Option<NaiveDate> {
        let parsed = match self.cell(key) {
            Cell::Empty => return None,
            Cell::Text(s) if s.trim().is_empty() => return None,
            Cell::Text(s) => parse_day_text(s),
            Cell::Number(n) | Cell::Date(n) => excel_serial_date(*n),
            Cell::Bool(_) => None,
        };
        if parsed.is_none() {
            self.problem(key, ProblemCode::DateInvalid);
        }
        let (lo, hi) = crate::api::text::YEARS;
        if let Some(d) = parsed.filter(|d| !(lo..=hi).contains(&d.year())) {
            self.problem_with(
                key,
                ProblemCode::DateOutOfRange,
                json!({"date": d.to_string(), "year_min": lo, "year_max": hi}),
            );
            return None;
        }
        parsed
    }

    /// A day that must be there.
    pub fn required_date(&mut self, key: &str) -> Option<NaiveDate> {
        if self.cell(key).is_blank() {
            self.problem(key, ProblemCode::DateRequired);
            return None;
        }
        self.date(key)
    }

    /// Yes or no: `có`/`không`, `x`, `1`/`0`, `true`/`false`, `yes`/`no`. `None` when blank.
    pub fn boolean(&mut self, key: &str) -> Option<bool> {
        let v = match self.cell(key) {
            Cell::Empty => return None,
            Cell::Bool(b) => Some(*b),
            Cell::Number(n) if *n == 1.0 => Some(true),
            Cell::Number(n) if *n == 0.0 => Some(false),
            Cell::Text(s) => match fold(s).as_str() {
                "" => return None,
                "co" | "x" | "1" | "true" | "yes" | "y" | "dung" => Some(true),
                "khong" | "0" | "false" | "no" | "n" | "sai" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if v.is_none() {
            self.problem(key, ProblemCode::YesNoInvalid);
        }
        v
    }

    /// A number (a number cell or text with `.` or `,` as decimal mark). `None` when blank.
    pub fn number(&mut self, key: &str) -> Option<f64> {
        let v = match self.cell(key) {
            Cell::Empty => return None,
            Cell::Number(n) => Some(*n),
            Cell::Text(s) if s.trim().is_empty() => return None,
            Cell::Text(s) => s.trim().replace(',', ".").parse::<f64>().ok(),
            _ => None,
        }
        .filter(|n| n.is_finite());
        if v.is_none() {
            self.problem(key, ProblemCode::NumberInvalid);
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::super::columns::{layout, Kind};
    use super::*;

    #[test]
    fn reads_typed_values_and_collects_problems() {
        let l = layout(
            Kind::Completions,
            &[
                "personal_id".into(),
                "module_code".into(),
                "completed_on".into(),
                "score".into(),
                "source_ref".into(),
            ],
        )
        .unwrap();
        let cells = vec![
            Cell::Number(79_123_456.0),
            Cell::Text(" dv-01 ".into()),
            Cell::Date(45292.0),
            Cell::Text("8,5".into()),
            Cell::Empty,
        ];
        let mut errors = Problems::new();
        let mut r = Row::new(7, &cells, &l, &mut errors);
        assert_eq!(r.text("personal_id").as_deref(), Some("79123456"));
        assert_eq!(r.text("module_code").as_deref(), Some("dv-01"));
        assert_eq!(r.date("completed_on"), NaiveDate::from_ymd_opt(2024, 1, 1));
        assert_eq!(r.number("score"), Some(8.5));
        assert_eq!(r.required("source_ref"), None);
        assert_eq!(r.text("issuer"), None);
        assert!(r.failed());
        let errors = errors.report().listed;
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].row, Some(7));
        assert_eq!(errors[0].field.as_deref(), Some("source_ref"));
    }

    #[test]
    fn bad_dates_and_booleans_name_the_value() {
        let l = layout(
            Kind::Cadres,
            &[
                "birth_date".into(),
                "active".into(),
                "ethnic_minority".into(),
            ],
        );
        // Required columns are missing: the layout refuses; build one from a complete header.
        assert!(l.is_err());
        let headers: Vec<String> = Kind::Cadres
            .columns()
            .iter()
            .map(|c| c.key.to_string())
            .collect();
        let l = layout(Kind::Cadres, &headers).unwrap();
        let mut cells = vec![Cell::Empty; headers.len()];
        cells[3] = Cell::Text("31/02/1980".into());
        cells[13] = Cell::Text("có lẽ".into());
        cells[5] = Cell::Text("Không".into());
        let mut errors = Problems::new();
        let mut r = Row::new(3, &cells, &l, &mut errors);
        assert_eq!(r.date("birth_date"), None);
        assert_eq!(r.boolean("active"), None);
        assert_eq!(r.boolean("ethnic_minority"), Some(false));
        let errors = errors.report().listed;
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].value.as_deref(), Some("31/02/1980"));
        assert_eq!(errors[1].value.as_deref(), Some("có lẽ"));
    }
}
