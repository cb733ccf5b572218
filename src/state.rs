//! State shared by every request.

use crate::auth::token::JwtKeys;
use crate::config::AppConfig;
use crate::db::Db;

/// Managed by Rocket; reached from handlers as `&State<AppState>`.
pub struct AppState {
    /// The database pool.
    pub db: Db,
    /// The application settings.
    pub config: AppConfig,
    /// Token keys.
    pub keys: JwtKeys,
}
