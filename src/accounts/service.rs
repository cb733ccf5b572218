//! What other features (the generator, the first admin) need of accounts: creating one with its
//! audit entry.

use super::store::{self, AccountView, NewAccount};
use crate::audit::{self, Actor};
use crate::db::Tx;
use crate::error::{AppError, AppResult};

/// Inserts an account and its audit entry inside `tx`.
pub async fn create(tx: &mut Tx, actor: &Actor, a: &NewAccount<'_>) -> AppResult<AccountView> {
    if store::username_taken(tx, a.username).await? {
        return Err(AppError::conflict(
            Some("username"),
            format!("the username {:?} is taken", a.username),
        ));
    }
    let id = store::insert(tx, a).await?;
    let view = store::get(&mut *tx, id).await?;
    audit::record(
        tx,
        actor,
        "create",
        "account",
        &id.to_string(),
        None,
        Some(view.snapshot()),
    )
    .await?;
    Ok(view)
}
