//! State shared by every request.

use crate::auth::token::JwtKeys;
use crate::config::AppConfig;
use crate::db::Db;
use crate::shared::cache::VersionedCache;
use crate::shared::clock::Clock;

/// Managed by Rocket; reached from handlers as `&State<AppState>`.
pub struct AppState {
    /// The database pool.
    pub db: Db,
    /// The application settings.
    pub config: AppConfig,
    /// Token keys.
    pub keys: JwtKeys,
    /// Cadres' own records (`GET /api/me`), serialized, checked against the data version.
    pub records: VersionedCache<i64, String>,
    /// The city clock: now, today, the next midnight (tests set it with `clock.set_now`); shared
    /// with the background tasks (the notices' sender and reminders).
    pub clock: std::sync::Arc<Clock>,
    /// The reports' reference data (standards in force, scales, units on a day) per data version.
    pub reference: crate::gaps::reference::ReferenceCache,
    /// Uploaded files: limits and processing slots.
    pub uploads: crate::api::upload::Uploads,
}
