//! The audit trail: who changed what, when, with a compact before/after.

pub mod routes;
pub mod store;

pub use store::{record, Actor};

impl crate::auth::AuthUser {
    /// The audit actor for this user.
    pub fn actor(&self) -> Actor {
        Actor {
            id: Some(self.id),
            username: self.username.clone(),
        }
    }
}
