//! What other features (enrolments, completions, gaps, `/api/me`) need of cadres: a cadre the
//! caller may see, and a cadre's whole record.

use serde::Serialize;
use utoipa::ToSchema;

use super::store::{self, CadreView, QualificationView, TitleList, TitlePeriod, UnitPeriod};
use crate::auth::AuthUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Loads a cadre the caller may see; anything else is 404 (existence is not disclosed).
pub async fn visible(state: &AppState, user: &AuthUser, id: i64) -> AppResult<CadreView> {
    let scope = user.scope()?;
    match store::get(&state.db, id).await? {
        Some(c) if scope.sees_cadre(c.id, &c.unit_path) => Ok(c),
        _ => Err(AppError::not_found(format!("no cadre with id {id}"))),
    }
}

/// A cadre's whole record.
#[derive(Debug, Serialize, ToSchema)]
pub struct CadreDetail {
    /// The record.
    #[serde(flatten)]
    pub cadre: CadreView,
    /// Units over time (moves), oldest first.
    pub units: Vec<UnitPeriod>,
    /// Titles held, oldest first.
    pub titles: Vec<TitlePeriod>,
    /// Titles planned (succession planning), oldest first.
    pub plans: Vec<TitlePeriod>,
    /// Qualifications held.
    pub qualifications: Vec<QualificationView>,
}

/// Builds the whole record of a visible cadre.
pub async fn detail(state: &AppState, cadre: CadreView) -> AppResult<CadreDetail> {
    let id = cadre.id;
    Ok(CadreDetail {
        units: store::unit_history(&state.db, id).await?,
        titles: store::titles(&state.db, id, TitleList::Held).await?,
        plans: store::titles(&state.db, id, TitleList::Planned).await?,
        qualifications: store::qualifications(&state.db, id).await?,
        cadre,
    })
}
