//! Parsed account inputs: usernames and passwords are checked once, at the edge.

use crate::auth::Role;
use crate::error::AppError;

/// A username: 3–64 characters of `a-z 0-9 . _ -`, stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// Parses and normalises a username.
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        let s = raw.trim().to_lowercase();
        let n = s.chars().count();
        if !(3..=64).contains(&n) {
            return Err(AppError::invalid(
                field,
                "username must be 3 to 64 characters",
            ));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err(AppError::invalid(
                field,
                "username may hold only letters a-z, digits, '.', '_' and '-'",
            ));
        }
        Ok(Username(s))
    }

    /// The normalised username.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: long enough for the role (12 characters for staff, 10 for cadres, at most 128),
/// and hard to guess: `zxcvbn` (dictionaries, keyboard patterns, dates, the username itself) must
/// rate it at least 3 of 4, i.e. more than 10^8 guesses.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

/// Minimum length of a staff account's password.
pub const STAFF_MIN_PASSWORD: usize = 12;
/// Minimum length of a cadre account's password.
pub const CADRE_MIN_PASSWORD: usize = 10;

impl NewPassword {
    /// Checks the password rules for an account of `role` named `username`.
    pub fn parse(field: &str, raw: &str, role: Role, username: &str) -> Result<Self, AppError> {
        let min = if role == Role::Cadre {
            CADRE_MIN_PASSWORD
        } else {
            STAFF_MIN_PASSWORD
        };
        let n = raw.chars().count();
        if n < min || n > 128 {
            return Err(AppError::invalid(
                field,
                format!("password must be {min} to 128 characters"),
            ));
        }
        if raw.trim().is_empty() || raw.contains('\0') {
            return Err(AppError::invalid(
                field,
                "password must not be only spaces or hold a NUL character",
            ));
        }
        let strength = zxcvbn::zxcvbn(raw, &[username, "cadre", "training", "admin"]);
        if (strength.score() as u8) < 3 {
            return Err(AppError::invalid(
                field,
                "password is too easy to guess (a common word, a sequence, a date or the username); use a longer phrase",
            ));
        }
        Ok(NewPassword(raw.to_string()))
    }

    /// The password text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(
            Username::parse("u", " Officer.Q1 ").unwrap().as_str(),
            "officer.q1"
        );
        assert!(Username::parse("u", "ab").is_err());
        assert!(Username::parse("u", "nguyễn").is_err());
        assert!(Username::parse("u", "a b c").is_err());
    }

    #[test]
    fn passwords_need_length() {
        let p = |raw: &str, role: Role| NewPassword::parse("p", raw, role, "ui.school");
        assert!(p("short", Role::Cadre).is_err());
        assert!(p("            ", Role::School).is_err());
        for weak in [
            "12345678",
            "password",
            "password-123",
            "ui.school123",
            "123456789012",
            "qwertyuiopas",
        ] {
            assert!(p(weak, Role::School).is_err(), "{weak} refused");
        }
        assert!(
            p("lop-hoc-99", Role::School).is_err(),
            "staff need 12 characters"
        );
        assert!(p("mua-thu-ha-noi-2026", Role::School).is_ok());
        assert!(p("ga-trong-92x", Role::Cadre).is_ok());
        assert_eq!(
            format!(
                "{:?}",
                NewPassword::parse("p", "mua-thu-ha-noi-2026", Role::Admin, "a").unwrap()
            ),
            "NewPassword(***)"
        );
    }
}
