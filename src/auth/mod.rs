//! Authentication and authorisation: roles, passwords, JWTs, request guards, unit scope, the login
//! throttle. Below every feature: it depends on none (sign-in routes live in `accounts::session`).

pub mod account;
pub mod client;
pub mod guard;
pub mod password;
pub mod ratelimit;
pub mod scope;
pub mod secret;
pub mod token;

pub use account::AccountView;
pub use guard::{AdminUser, AuthUser, RosterEditor, SchoolStaff, StaffReader, StandardsEditor};
pub use scope::Scope;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything.
    Admin,
    /// Training-school staff: curriculum, classes, enrolments, results; city-wide.
    School,
    /// Organisation commission: reads everything, gap reports, title standards.
    Commission,
    /// Unit officer: their home unit's subtree only.
    Officer,
    /// A cadre: their own record only.
    Cadre,
}

crate::text_enum!(Role);

impl Role {
    /// The name stored in the database and the token.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::School => "school",
            Role::Commission => "commission",
            Role::Officer => "officer",
            Role::Cadre => "cadre",
        }
    }

    /// Parses a stored role name.
    pub fn parse(s: &str) -> Option<Role> {
        [
            Role::Admin,
            Role::School,
            Role::Commission,
            Role::Officer,
            Role::Cadre,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    /// Whether accounts of this role must have a home unit.
    pub fn needs_unit(self) -> bool {
        matches!(self, Role::Officer | Role::Cadre)
    }
}
