//! Password hashing with argon2id (default parameters), off the async executor.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use std::sync::OnceLock;

use crate::error::{AppError, AppResult};

/// Hashes a password into a PHC string (`$argon2id$…`).
pub async fn hash(password: &str) -> AppResult<String> {
    let pw = password.to_owned();
    rocket::tokio::task::spawn_blocking(move || hash_blocking(&pw))
        .await
        .map_err(|e| AppError::Internal(format!("hashing task failed: {e}")))?
}

/// Hashes a password on the current thread.
pub fn hash_blocking(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// A password as it is hashed: composed (NFC), so that a Vietnamese letter typed as a letter and
/// combining marks (`e` + `̂` + `̃`, "Unicode tổ hợp") is the one letter (`ễ`) most keyboards
/// send.
pub fn composed(password: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    password.nfc().collect()
}

/// Checks a password against a stored hash: its composed form ([`composed`]), or else the text
/// as typed (a hash made before passwords were composed). With `None` (unknown user) it
/// verifies against a fixed dummy hash so that the answer takes as long as for a real account.
pub async fn verify(password: &str, stored: Option<String>) -> bool {
    let pw = password.to_owned();
    rocket::tokio::task::spawn_blocking(move || {
        let real = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let matches = |text: &str| {
            Argon2::default()
                .verify_password(text.as_bytes(), &parsed)
                .is_ok()
        };
        let nfc = composed(&pw);
        let ok = matches(&nfc) || (nfc != pw && matches(&pw));
        ok && real
    })
    .await
    .unwrap_or(false)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("not a password of anyone").unwrap_or_default())
}
