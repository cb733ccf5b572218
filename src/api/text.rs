//! Checks every text a client sends, whatever the field: no NUL character (PostgreSQL cannot store
//! one, and nobody types one) nor other control character but tab and line breaks (they would
//! reach calendars, spreadsheets and terminals raw), and dates within 1900–2100 (a date outside
//! is a typing error that would otherwise reach the reports as year 0001 or 9999).

use serde_json::Value;

use crate::error::AppError;

/// The first and last years a date may name.
pub const YEARS: (i32, i32) = (1900, 2100);

/// The year of a string that is a date or a date and time as the API's date fields read them
/// (chrono's `NaiveDate` and `NaiveDateTime`, RFC 3339, and the city times of
/// `classes::domain::parse_time`: the whole string, a signed or five-digit year included, as
/// `-0001-12-31` or `+12027-01-01`). Text that merely begins with a date (`2015-01-01 was a
/// Thursday`, a password) is not one.
pub fn iso_year(s: &str) -> Option<i32> {
    use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime};
    let t = s.trim();
    // Cheap refusals first: every string of a request body passes here.
    if t.len() < 8
        || t.len() > 64
        || !t.starts_with(|c: char| c.is_ascii_digit() || c == '+' || c == '-')
    {
        return None;
    }
    if let Ok(d) = t.parse::<NaiveDate>() {
        return Some(d.year());
    }
    if let Ok(d) = t.parse::<NaiveDateTime>() {
        return Some(d.year());
    }
    if let Ok(d) = DateTime::<FixedOffset>::parse_from_rfc3339(t) {
        return Some(d.year());
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
        .map(|d| d.year())
}

/// A control character no typed text holds: every C0 character but tab, line feed and carriage
/// return, DEL, and the direction overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
/// reorder what is shown after them (`\u{202e}gnp.exe` shows as `exe.png`) and which no
/// Vietnamese text needs.
pub fn is_refused_control(c: char) -> bool {
    (c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r'))
        || c == '\u{7f}'
        || matches!(c as u32, 0x202A..=0x202E | 0x2066..=0x2069)
}

/// A character that shows nothing: a soft hyphen, a zero-width space or joiner, a direction
/// mark, a word joiner, a filler (U+3164 and its kin), a variation selector, a byte-order mark,
/// a tag.
pub fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

/// Text that holds something yet shows nothing: invisible characters, with spaces or not. Such
/// a name or reason would read as blank wherever it is shown.
pub fn is_invisible_text(s: &str) -> bool {
    s.chars().any(is_invisible) && s.chars().all(|c| c.is_whitespace() || is_invisible(c))
}

/// Whether `s` is a day written exactly `YYYY-MM-DD` (the OpenAPI document's `format: date`;
/// chrono alone also reads `2025-7-1`).
pub fn is_iso_day(s: &str) -> bool {
    s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        })
}

/// Checks one text value of `field`.
pub fn check(field: &str, s: &str) -> Result<(), AppError> {
    if s.contains('\0') {
        return Err(AppError::invalid(
            field,
            crate::msg!(NulCharacter, field = field),
        ));
    }
    if s.chars().any(is_refused_control) {
        return Err(AppError::invalid(
            field,
            crate::msg!(ControlCharacter, field = field),
        ));
    }
    if is_invisible_text(s) {
        return Err(AppError::invalid(
            field,
            crate::msg!(InvisibleText, field = field),
        ));
    }
    if let Some(y) = iso_year(s) {
        if y < YEARS.0 || y > YEARS.1 {
            return Err(AppError::invalid(
                field,
                crate::msg!(DateYears, field = field, min = YEARS.0, max = YEARS.1),
            ));
        }
        // A day is written as the OpenAPI document's `format: date` says: chrono alone also reads
        // `2025-7-1` and `+2025-07-01`, which nobody else would take for the same day.
        let t = s.trim();
        if t.parse::<chrono::NaiveDate>().is_ok() && !is_iso_day(t) {
            return Err(AppError::invalid(
                field,
                crate::msg!(DateNotIso, field = field),
            ));
        }
    }
    Ok(())
}

/// Checks every string (and object key) of a JSON document; the error names the field's path
/// (`sessions[0].starts_at`).
pub fn check_json(v: &Value) -> Result<(), AppError> {
    fn walk(v: &Value, path: &mut String) -> Result<(), AppError> {
        match v {
            Value::String(s) => check(if path.is_empty() { "body" } else { path }, s),
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(x, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            Value::Object(m) => {
                for (k, x) in m {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&k.replace('\0', "\\0"));
                    if k.contains('\0') {
                        return Err(AppError::invalid(path.clone(), crate::msg!(FieldNameNul)));
                    }
                    walk(x, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(v, &mut String::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    trait Field {
        fn field(&self) -> Option<&str>;
    }
    impl Field for AppError {
        fn field(&self) -> Option<&str> {
            match self {
                AppError::Validation { field, .. } => field.as_deref(),
                _ => None,
            }
        }
    }

    #[test]
    fn invisible_and_reordering_text_is_named() {
        for fine in ["Lý do", "", "   ", "a\u{200b}b", "Phật giáo\u{feff}"] {
            assert!(check("reason", fine).is_ok(), "{fine:?}");
        }
        for bad in [
            "\u{200b}",
            " \u{3164}\u{3164} ",
            "\u{feff}",
            "\u{202e}gnp.exe",
            "a\u{2066}b",
        ] {
            assert_eq!(
                check("reason", bad).unwrap_err().field(),
                Some("reason"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn nul_and_far_dates_are_named() {
        assert!(check_json(&json!({"full_name": "An", "from_date": "2015-01-01"})).is_ok());
        let e = check_json(&json!({"username": "ad\u{0}min"})).unwrap_err();
        assert_eq!(e.field(), Some("username"));
        let e = check_json(&json!({"sessions": [{"starts_at": "2031-03-10T08:00"}, {"starts_at": "9999-03-10T08:00"}]})).unwrap_err();
        assert_eq!(e.field(), Some("sessions[1].starts_at"));
        assert!(check_json(&json!({"from_date": "0001-01-01"})).is_err());
        assert!(check_json(&json!({"note": "2015-01-01 was a Thursday"})).is_ok());
        assert_eq!(iso_year("2100-12-31"), Some(2100));
        for bad in ["Lớp\u{1b}[31m đỏ", "chuông\u{7}", "xoá\u{7f}"] {
            let e = check_json(&json!({"title": bad})).unwrap_err();
            assert_eq!(e.field(), Some("title"), "{bad:?}");
        }
        assert!(check_json(&json!({"description": "Dòng một\r\n\tDòng hai"})).is_ok());
        // Every form chrono reads as a date is a date: signed and five-digit years too.
        for far in [
            "-0001-12-31",
            "+12027-01-01",
            "-262143-01-01",
            "-2024-12-22T08:00",
            "-2024-12-22T08:00:00",
            "0999-01-01T08:00:00+07:00",
        ] {
            assert!(check("from_date", far).is_err(), "{far}");
        }
        // Text that only begins like a date is text (a password, a note).
        for text in [
            "1850-06-15 violet canoe harbour",
            "0999-01-01 scanned copy",
            "2015-01-01 was a Thursday",
            "1850-01-01T",
            "12027-01-01",
        ] {
            assert!(check("password", text).is_ok(), "{text}");
        }
        assert!(check("as_of", "2101-01-01").is_err());
    }
}
