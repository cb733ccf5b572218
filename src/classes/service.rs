//! What other features (enrolments, completions) need of classes: the class a caller may see.

use super::domain::ClassStatus;
use super::store::{self, ClassRow};
use crate::auth::{AuthUser, Role};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Whether the account works for the school or the commission (sees every class).
pub fn is_staff(user: &AuthUser) -> bool {
    matches!(user.role, Role::Admin | Role::School | Role::Commission)
}

/// A class the caller may see: staff see every class; others every class that has been
/// published (not `planned`, not `cancelled`).
pub async fn visible(state: &AppState, user: &AuthUser, code: &str) -> AppResult<ClassRow> {
    let code = code.trim().to_uppercase();
    match store::by_code(&state.db, &code).await? {
        Some(c)
            if is_staff(user)
                || !matches!(
                    ClassStatus::parse(&c.status),
                    Some(ClassStatus::Planned | ClassStatus::Cancelled)
                ) =>
        {
            Ok(c)
        }
        _ => Err(AppError::not_found(format!("no class with code {code}"))),
    }
}
