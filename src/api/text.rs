//! Checks every text a client sends, whatever the field: no NUL character (PostgreSQL cannot store
//! one, and nobody types one), and dates within 1900–2100 (a date outside is a typing error that
//! would otherwise reach the reports as year 0001 or 9999).

use serde_json::Value;

use crate::error::AppError;

/// The first and last years a date may name.
pub const YEARS: (i32, i32) = (1900, 2100);

/// The year of a string that starts like an ISO date (`YYYY-MM-DD`, alone or followed by a time).
pub fn iso_year(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() < 10
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
    {
        return None;
    }
    if b.len() > 10 && !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    s[..4].parse().ok()
}

/// Checks one text value of `field`.
pub fn check(field: &str, s: &str) -> Result<(), AppError> {
    if s.contains('\0') {
        return Err(AppError::invalid(
            field,
            crate::msg!(NulCharacter, field = field),
        ));
    }
    if let Some(y) = iso_year(s) {
        if y < YEARS.0 || y > YEARS.1 {
            return Err(AppError::invalid(
                field,
                crate::msg!(DateYears, field = field, min = YEARS.0, max = YEARS.1),
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
    fn nul_and_far_dates_are_named() {
        assert!(check_json(&json!({"full_name": "An", "from_date": "2015-01-01"})).is_ok());
        let e = check_json(&json!({"username": "ad\u{0}min"})).unwrap_err();
        assert_eq!(e.field(), Some("username"));
        let e = check_json(&json!({"sessions": [{"starts_at": "2031-03-10T08:00"}, {"starts_at": "9999-03-10T08:00"}]})).unwrap_err();
        assert_eq!(e.field(), Some("sessions[1].starts_at"));
        assert!(check_json(&json!({"from_date": "0001-01-01"})).is_err());
        assert!(check_json(&json!({"note": "2015-01-01 was a Thursday"})).is_ok());
        assert!(check_json(&json!({"note": "12345-01-01"})).is_ok());
        assert_eq!(iso_year("2100-12-31"), Some(2100));
        assert!(check("as_of", "2101-01-01").is_err());
    }
}
