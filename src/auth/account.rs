//! The account a request is authenticated as, as served (read by the guard with the token check).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::Role;

/// An account as served (never with its password hash).
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AccountView {
    /// Account id.
    pub id: i64,
    /// Username (lower-case).
    pub username: String,
    /// Role: `admin`, `school`, `commission`, `officer` or `cadre`.
    pub role: Role,
    /// Home unit code.
    pub unit_code: Option<String>,
    /// Home unit name.
    pub unit_name: Option<String>,
    /// Linked cadre record.
    pub cadre_id: Option<i64>,
    /// Whether the account may log in.
    pub active: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl AccountView {
    /// The audit snapshot of this account.
    pub fn snapshot(&self) -> serde_json::Value {
        json!({
            "username": self.username, "role": self.role, "unit_code": self.unit_code,
            "cadre_id": self.cadre_id, "active": self.active,
        })
    }
}
