//! Certificate verification codes and what the public check may show without one.
//!
//! A certificate number (`TCB-2026-000123`) is sequential, so anyone can walk through them. Each
//! certificate therefore also gets a **verification code**, printed with the number and given to
//! its holder: 10 characters drawn by the operating system's CSPRNG from a 32-letter alphabet with
//! no look-alikes (no `0`/`O`, no `1`/`I`), 50 bits. The public check answers the holder's full
//! name and the class only with the right code; with the number alone it answers the status,
//! module and date, and the name masked to initials ([`mask_name`]).

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::on_db;

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

/// Gives a verification code to every certificate that has none (those issued before codes
/// existed, migration 0009). Run at start; a no-op once done.
pub async fn backfill_codes(db: &Db) -> AppResult<usize> {
    let ids: Vec<i64> = on_db!(db, |p| {
        sqlx::query_scalar(
        "SELECT id FROM completions WHERE certificate_no IS NOT NULL AND certificate_code IS NULL ORDER BY id"
    )
    .fetch_all(p)
    .await?
    });
    if ids.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    for id in &ids {
        let code = new_code()?;
        crate::on_tx!(&mut tx, |c| {
            sqlx::query(
            "UPDATE completions SET certificate_code = $1 WHERE id = $2 AND certificate_code IS NULL"
        )
        .bind(&code)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ())?
        });
    }
    tx.commit().await?;
    tracing::info!(
        certificates = ids.len(),
        "gave verification codes to earlier certificates"
    );
    Ok(ids.len())
}

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
    fn names_are_masked_to_initials() {
        assert_eq!(mask_name("Nguyễn Thị Hoa"), "N*** T*** H***");
        assert_eq!(mask_name("  Đặng   Văn  Ân "), "Đ*** V*** Â***");
        assert_eq!(mask_name("Lý An"), "L*** A***");
        assert_eq!(mask_name(""), "");
    }
}
