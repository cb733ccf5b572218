//! Certificate verification codes and what the public check may show without one.
//!
//! A certificate number (`TCB-2026-000123`) is sequential, so anyone can walk through them. Each
//! certificate therefore also gets a **verification code**, printed with the number and given to
//! its holder: 10 characters drawn by the operating system's CSPRNG from a 32-letter alphabet with
//! no look-alikes (no `0`/`O`, no `1`/`I`), 50 bits. The public check answers the holder's full
//! name and the class only with the right code; with the number alone it answers the status,
//! module and date, and the name masked to initials ([`mask_name`]).

use crate::error::{AppError, AppResult};

/// The letters of a verification code: digits 2–9 and A–Z without I and O (32 letters, so each
/// random byte's low five bits pick one without bias).
pub const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Length of a verification code (5 bits each: 50 bits).
pub const CODE_LEN: usize = 10;

/// A new verification code from the operating system's random source.
pub fn new_code() -> AppResult<String> {
    let mut buf = [0u8; CODE_LEN];
    getrandom::fill(&mut buf)
        .map_err(|e| AppError::Internal(format!("no randomness available: {e}")))?;
    Ok(buf
        .iter()
        .map(|b| CODE_ALPHABET[(b & 31) as usize] as char)
        .collect())
}

/// Reads a typed code: case, spaces and hyphens are ignored (`abcde-fghjk`). `None` when what is
/// left is not [`CODE_LEN`] letters of [`CODE_ALPHABET`].
pub fn parse_code(raw: &str) -> Option<String> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (s.len() == CODE_LEN && s.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(s)
}

/// Compares two codes in time independent of where they differ.
pub fn codes_match(given: &str, stored: &str) -> bool {
    let (a, b) = (given.as_bytes(), stored.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A name reduced to initials: each word becomes its first letter and three asterisks, whatever
/// its length (`Nguyễn Thị Hoa` → `N*** T*** H***`), so the answer gives away neither the name
/// nor the length of its words.
pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .map(|c| format!("{}***", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads the code given to the public check (`?code=`): none when absent or blank; a 422 naming
/// `code` when it is not [`CODE_LEN`] letters of [`CODE_ALPHABET`].
pub fn given_code(raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(raw) => Ok(Some(parse_code(raw).ok_or_else(|| {
            AppError::invalid(
                "code",
                crate::msg!(
                    CertificateCodeShape,
                    len = CODE_LEN,
                    alphabet = std::str::from_utf8(CODE_ALPHABET).unwrap_or_default()
                ),
            )
        })?)),
    }
}

/// Whether the public check is verified: no code given, not verified; the certificate's own code,
/// verified; any other (or a certificate without a code), a 422 naming `code`.
pub fn verified(given: Option<&str>, stored: Option<&str>) -> AppResult<bool> {
    match (given, stored) {
        (None, _) => Ok(false),
        (Some(given), Some(stored)) if codes_match(given, stored) => Ok(true),
        (Some(_), _) => Err(AppError::invalid("code", crate::msg!(CertificateCodeWrong))),
    }
}

/// Gives a verification code to every certificate that has none (those issued before codes
/// existed, migration 0009); run at start (the transaction is the service's).
pub use super::service::backfill_codes;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ten_unambiguous_letters_and_differ() {
        let a = new_code().unwrap();
        let b = new_code().unwrap();
        assert_eq!(a.len(), CODE_LEN);
        assert!(a.bytes().all(|c| CODE_ALPHABET.contains(&c)), "{a}");
        assert!(!a.contains(['0', 'O', '1', 'I']), "{a}");
        assert_ne!(a, b);
        assert_eq!(CODE_ALPHABET.len(), 32);
        let mut seen: Vec<u8> = CODE_ALPHABET.to_vec();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 32, "no letter twice");
    }

    #[test]
    fn typed_codes_are_read_leniently_but_exactly() {
        assert_eq!(parse_code("abcde-fghjk").as_deref(), Some("ABCDEFGHJK"));
        assert_eq!(parse_code(" ABCDE FGHJK ").as_deref(), Some("ABCDEFGHJK"));
        assert_eq!(parse_code("ABCDEFGHJ"), None, "too short");
        assert_eq!(parse_code("ABCDEFGHJKL"), None, "too long");
        assert_eq!(
            parse_code("ABCDEFGHJ0"),
            None,
            "0 is not a letter of the alphabet"
        );
        assert_eq!(parse_code("ABCDEFGHJÉ"), None);
        assert!(codes_match("ABCDEFGHJK", "ABCDEFGHJK"));
        assert!(!codes_match("ABCDEFGHJK", "ABCDEFGHJL"));
        assert!(!codes_match("ABCDEFGHJ", "ABCDEFGHJK"));
    }

    #[test]
    fn the_public_check_is_verified_by_the_certificates_own_code() {
        assert_eq!(given_code(None).unwrap(), None);
        assert_eq!(given_code(Some("  ")).unwrap(), None);
        assert_eq!(
            given_code(Some("abcde-fghjk")).unwrap().as_deref(),
            Some("ABCDEFGHJK")
        );
        let e = given_code(Some("ABC")).unwrap_err().body().error;
        assert_eq!(e.field.as_deref(), Some("code"));
        assert_eq!(
            e.message,
            "code must be 10 letters of 23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
        );
        assert!(!verified(None, Some("ABCDEFGHJK")).unwrap());
        assert!(!verified(None, None).unwrap());
        assert!(verified(Some("ABCDEFGHJK"), Some("ABCDEFGHJK")).unwrap());
        assert!(verified(Some("ABCDEFGHJK"), Some("ABCDEFGHJL")).is_err());
        assert!(verified(Some("ABCDEFGHJK"), None).is_err());
    }

    #[test]
    fn names_are_masked_to_initials() {
        assert_eq!(mask_name("Nguyễn Thị Hoa"), "N*** T*** H***");
        assert_eq!(mask_name("  Đặng   Văn  Ân "), "Đ*** V*** Â***");
        assert_eq!(mask_name("Lý An"), "L*** A***");
        assert_eq!(mask_name(""), "");
    }
}
