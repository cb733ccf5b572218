//! Parsed account inputs: usernames and passwords are checked once, at the edge.

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

/// A new password: 8–128 characters, not only spaces.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

impl NewPassword {
    /// Checks the password rules.
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        let n = raw.chars().count();
        if !(8..=128).contains(&n) {
            return Err(AppError::invalid(
                field,
                "password must be 8 to 128 characters",
            ));
        }
        if raw.trim().is_empty() {
            return Err(AppError::invalid(field, "password must not be only spaces"));
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
        assert!(NewPassword::parse("p", "short").is_err());
        assert!(NewPassword::parse("p", "         ").is_err());
        assert!(NewPassword::parse("p", "long enough").is_ok());
        assert_eq!(
            format!("{:?}", NewPassword::parse("p", "secret123").unwrap()),
            "NewPassword(***)"
        );
    }
}
