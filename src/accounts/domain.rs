//! Parsed account inputs (usernames and passwords are checked once, at the edge), and the rules
//! of an account's change: its home unit, losing the last admin, revoking tokens, ending a feed.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{AccountView, Role};
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
            return Err(AppError::invalid(field, crate::msg!(UsernameLength)));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        {
            return Err(AppError::invalid(field, crate::msg!(UsernameCharacters)));
        }
        Ok(Username(s))
    }

    /// The normalised username.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password, composed (NFC): long enough for the role (12 characters for staff, 10 for
/// cadres, at most 128), and hard to guess: `zxcvbn` (dictionaries, keyboard patterns, dates, the username itself) must
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
        // Kept composed, however its letters were typed (`auth::password::composed`).
        let composed = crate::auth::password::composed(raw);
        let raw = composed.as_str();
        let min = if role == Role::Cadre {
            CADRE_MIN_PASSWORD
        } else {
            STAFF_MIN_PASSWORD
        };
        let n = raw.chars().count();
        if n < min || n > 128 {
            return Err(AppError::invalid(
                field,
                crate::msg!(PasswordLength, min = min, max = 128),
            ));
        }
        if raw.trim().is_empty() || raw.contains('\0') {
            return Err(AppError::invalid(field, crate::msg!(PasswordBlank)));
        }
        // A date or a date and time (`2026-12-01T08:00`) is guessed early: zxcvbn rates some
        // 16-character ones strong.
        let strength = zxcvbn::zxcvbn(raw, &[username, "cadre", "training", "admin"]);
        if (strength.score() as u8) < 3 || crate::api::text::iso_year(raw).is_some() {
            return Err(AppError::invalid(field, crate::msg!(PasswordEasy)));
        }
        Ok(NewPassword(raw.to_string()))
    }

    /// The password text.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it is long enough for a staff account ([`STAFF_MIN_PASSWORD`]).
    pub fn for_staff(&self) -> bool {
        self.0.chars().count() >= STAFF_MIN_PASSWORD
    }
}

/// The username to check a login against: trimmed and lower-cased. A blank username or password
/// is a 422 naming it; one longer than any account's (64, 128 for the password) or holding a NUL
/// character is answered like a wrong password (401).
pub fn login_username(username: &str, password: &str) -> Result<String, AppError> {
    let username = username.trim().to_lowercase();
    if username.is_empty() {
        return Err(AppError::invalid(
            "username",
            crate::msg!(Required, field = "username"),
        ));
    }
    if password.is_empty() {
        return Err(AppError::invalid(
            "password",
            crate::msg!(Required, field = "password"),
        ));
    }
    if username.len() > 64 || password.len() > 128 || username.contains('\0') {
        return Err(AppError::Unauthorized(crate::msg!(BadCredentials)));
    }
    Ok(username)
}

/// A new account, its username and password checked.
#[derive(Debug, Clone)]
pub struct NewAccountInput {
    /// Username.
    pub username: Username,
    /// Password.
    pub password: NewPassword,
    /// Role.
    pub role: Role,
    /// Home unit, as given (checked against the units by the service).
    pub unit_code: Option<String>,
    /// Linked cadre, as given.
    pub cadre_id: Option<i64>,
}

/// The home unit to look up for an account of `role`: the given code trimmed (blank is none);
/// officers and cadres need one (422 on `unit_code`).
pub fn home_unit(role: Role, unit: Option<&str>) -> Result<Option<&str>, AppError> {
    match unit.map(str::trim).filter(|s| !s.is_empty()) {
        None if role.needs_unit() => Err(AppError::invalid(
            "unit_code",
            crate::msg!(HomeUnitNeeded, role = role.as_str()),
        )),
        unit => Ok(unit),
    }
}

/// Changes to an account; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccount {
    /// New role.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = Role)]
    pub role: Option<Role>,
    /// New home unit (`null` clears it, where the role allows).
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub unit_code: Option<Option<String>>,
    /// New cadre link (`null` clears it).
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<i64>)]
    pub cadre_id: Option<Option<i64>>,
    /// `false` deactivates the account (its tokens and its cadre's calendar feed stop working at
    /// once).
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

/// What an admin may change of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState {
    /// Role.
    pub role: Role,
    /// Home unit.
    pub unit_code: Option<String>,
    /// Linked cadre.
    pub cadre_id: Option<i64>,
    /// Active flag.
    pub active: bool,
}

impl AccountState {
    /// The state of a stored account.
    pub fn of(a: &AccountView) -> AccountState {
        AccountState {
            role: a.role,
            unit_code: a.unit_code.clone(),
            cadre_id: a.cadre_id,
            active: a.active,
        }
    }
}

impl UpdateAccount {
    /// The state the changes ask for (the home unit as given, not checked yet). A new role other
    /// than cadre clears the cadre link unless the change names one.
    pub fn apply(&self, before: &AccountState) -> AccountState {
        AccountState {
            role: self.role.unwrap_or(before.role),
            unit_code: match &self.unit_code {
                Some(u) => u.clone(),
                None => before.unit_code.clone(),
            },
            // A role other than cadre drops the link unless one is asked for (and refused).
            cadre_id: match self.cadre_id {
                Some(c) => c,
                None if self.role.is_some_and(|r| r != Role::Cadre) => None,
                None => before.cadre_id,
            },
            active: self.active.unwrap_or(before.active),
        }
    }
}

/// An account's state before and after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountChange {
    /// Before.
    pub before: AccountState,
    /// After (checked).
    pub after: AccountState,
}

impl AccountChange {
    /// Whether an active admin stops being one (refused for the last active admin).
    pub fn loses_admin(&self) -> bool {
        self.before.role == Role::Admin
            && self.before.active
            && (self.after.role != Role::Admin || !self.after.active)
    }

    /// Whether the account's tokens stop working: a change of role, home unit or active flag.
    pub fn revokes_tokens(&self) -> bool {
        self.after.role != self.before.role
            || self.after.unit_code != self.before.unit_code
            || self.after.active != self.before.active
    }

    /// Whether the account now sees other cadres than before (another role, home unit or cadre
    /// link): the notices it was told, which name cadres and what happened to them, go.
    pub fn drops_notices(&self) -> bool {
        self.after.role != self.before.role
            || self.after.unit_code != self.before.unit_code
            || self.after.cadre_id != self.before.cadre_id
    }

    /// The cadre whose calendar feed ends: the one the account was linked to, when the account
    /// is deactivated or linked to another cadre (the feed is a credential of its own, outside
    /// the token version).
    pub fn ended_feed(&self) -> Option<i64> {
        let old = self.before.cadre_id?;
        ((self.before.active && !self.after.active) || self.after.cadre_id != Some(old))
            .then_some(old)
    }

    /// The audit action: `deactivate` or `update`.
    pub fn action(&self) -> &'static str {
        if self.before.active && !self.after.active {
            "deactivate"
        } else {
            "update"
        }
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
            "2026-12-01T08:00",
            "2026-12-01T08:00:00",
            "2026-12-01 08:00",
            "2026-12-01T08:00:00+07:00",
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

    #[test]
    fn login_names_are_normalised_and_bounded() {
        assert_eq!(login_username(" Admin ", "x").unwrap(), "admin");
        let field = |r: Result<String, AppError>| match r {
            Err(AppError::Validation { field, .. }) => field,
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(
            field(login_username("  ", "x")).as_deref(),
            Some("username")
        );
        assert_eq!(field(login_username("a", "")).as_deref(), Some("password"));
        for (u, p) in [
            ("a".repeat(65), "x".to_string()),
            ("a".to_string(), "x".repeat(129)),
            ("a\0b".to_string(), "x".to_string()),
        ] {
            assert!(matches!(
                login_username(&u, &p),
                Err(AppError::Unauthorized(m)) if m.to_string() == "invalid username or password"
            ));
        }
    }

    #[test]
    fn officers_and_cadres_need_a_home_unit() {
        assert_eq!(home_unit(Role::Admin, None).unwrap(), None);
        assert_eq!(home_unit(Role::Admin, Some(" ")).unwrap(), None);
        assert_eq!(
            home_unit(Role::Officer, Some(" 760 ")).unwrap(),
            Some("760")
        );
        let e = home_unit(Role::Cadre, Some("")).unwrap_err();
        assert!(matches!(&e, AppError::Validation { field: Some(f), .. } if f == "unit_code"));
        assert!(
            e.to_string().contains("a cadre account needs a home unit"),
            "{e}"
        );
    }

    fn state(role: Role, unit: Option<&str>, cadre_id: Option<i64>, active: bool) -> AccountState {
        AccountState {
            role,
            unit_code: unit.map(Into::into),
            cadre_id,
            active,
        }
    }

    #[test]
    fn changes_keep_what_they_do_not_name() {
        let before = state(Role::Officer, Some("760"), Some(7), true);
        let none = UpdateAccount {
            role: None,
            unit_code: None,
            cadre_id: None,
            active: None,
        };
        assert_eq!(none.apply(&before), before);
        let all = UpdateAccount {
            role: Some(Role::School),
            unit_code: Some(None),
            cadre_id: Some(None),
            active: Some(false),
        };
        assert_eq!(all.apply(&before), state(Role::School, None, None, false));
    }

    #[test]
    fn what_a_change_does() {
        let admin = state(Role::Admin, None, None, true);
        let change = |before: &AccountState, after: AccountState| AccountChange {
            before: before.clone(),
            after,
        };
        let demoted = change(&admin, state(Role::School, None, None, true));
        assert!(demoted.loses_admin() && demoted.revokes_tokens());
        assert_eq!(demoted.action(), "update");
        let off = change(&admin, state(Role::Admin, None, None, false));
        assert!(off.loses_admin());
        assert_eq!(off.action(), "deactivate");
        let same = change(&admin, admin.clone());
        assert!(!same.loses_admin() && !same.revokes_tokens());
        // An inactive admin made active again loses nothing.
        let inactive = state(Role::Admin, None, None, false);
        assert!(!change(&inactive, state(Role::School, None, None, false)).loses_admin());

        let cadre = state(Role::Cadre, Some("26734"), Some(7), true);
        let moved = change(&cadre, state(Role::Cadre, Some("26737"), Some(7), true));
        assert!(moved.revokes_tokens());
        assert_eq!(moved.ended_feed(), None);
        let relinked = change(&cadre, state(Role::Cadre, Some("26734"), Some(8), true));
        assert!(!relinked.revokes_tokens());
        assert_eq!(relinked.ended_feed(), Some(7));
        let deactivated = change(&cadre, state(Role::Cadre, Some("26734"), Some(7), false));
        assert_eq!(deactivated.ended_feed(), Some(7));
        assert_eq!(deactivated.action(), "deactivate");
        let unlinked = change(&admin, state(Role::Admin, None, Some(3), true));
        assert_eq!(unlinked.ended_feed(), None);
    }
}
