//! Text rules every feature shares: folding for search and matching, codes, required text.

use crate::error::AppError;

/// Text composed (NFC), spaces trimmed and collapsed: a letter typed with combining marks (as
/// "Unicode tổ hợp" keyboards send `e` + `̂` + `̃`) is the one letter `ễ`.
pub fn composed_words(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let s: String = raw.nfc().collect();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Lower-cases and strips diacritics (`Phường Tân Định` → `phuong tan dinh`),
/// collapsing runs of spaces.
pub fn fold(s: &str) -> String {
    let ascii = deunicode::deunicode(s).to_lowercase();
    ascii.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks and normalises a module or programme code: 2–20 of `A-Z 0-9 -`, upper-cased.
pub fn parse_code(field: &str, raw: &str) -> Result<String, AppError> {
    let s = raw.trim().to_uppercase();
    let n = s.chars().count();
    let ok = (2..=20).contains(&n)
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-');
    if ok {
        Ok(s)
    } else {
        Err(AppError::invalid(
            field,
            crate::msg!(NotACode, field = field, value = raw),
        ))
    }
}

/// Checks a required text field of at most `max` characters; returns it trimmed.
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String, AppError> {
    let s = raw.trim();
    // At most `max` as sent, too (the document's `maxLength`).
    if s.is_empty() || raw.chars().count() > max {
        return Err(AppError::invalid(
            field,
            crate::msg!(TextLength, field = field, max = max),
        ));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_strips_vietnamese_diacritics() {
        assert_eq!(fold("Phường  Tân Định"), "phuong tan dinh");
        assert_eq!(fold("Đặc khu Côn Đảo"), "dac khu con dao");
    }

    #[test]
    fn codes_are_normalised_or_refused() {
        assert_eq!(parse_code("code", " dv-03 ").unwrap(), "DV-03");
        assert!(parse_code("code", "D").is_err());
        assert!(parse_code("code", "-DV").is_err());
        assert!(parse_code("code", "DV 03").is_err());
    }

    #[test]
    fn required_text_is_trimmed_and_bounded() {
        assert_eq!(required_text("title", "  Lớp  ", 10).unwrap(), "Lớp");
        assert!(required_text("title", "   ", 10).is_err());
        assert!(required_text("title", "ab", 1).is_err());
    }
}
