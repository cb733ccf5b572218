//! Cadre training and qualification service for Ho Chi Minh City's mass-mobilisation work.
//!
//! [`prepare`] builds the Rocket instance that `main` launches and that the tests drive.

pub mod accounts;
pub mod api;
pub mod audit;
pub mod auth;
pub mod cadres;
pub mod calendar;
pub mod classes;
pub mod completions;
pub mod config;
pub mod curriculum;
pub mod db;
pub mod documents;
pub mod enrolments;
pub mod error;
pub mod exchange;
pub mod exports;
pub mod gaps;
pub mod generate;
pub mod health;
pub mod imports;
pub mod logging;
pub mod me;
pub mod notices;
pub mod openapi;
pub mod problems;
pub mod reasons;
pub mod security;
mod shape;
pub mod shared;
pub mod standards;
pub mod state;
pub mod units;

use rocket::figment::Figment;
use rocket::fs::{relative, FileServer};
use rocket::{catchers, Build, Rocket};
use std::time::Duration;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::token::JwtKeys;
use crate::config::AppConfig;
use crate::db::{Db, PoolSettings};
use crate::state::AppState;

/// Every allocation of the service, its commands and its tests goes through mimalloc: glibc's
/// malloc, with its arenas' locks contended between the async workers and the SQLite connections'
/// threads, took a third of the CPU of a request that reads rows (BENCHMARKS.md, "mimalloc and
/// SQLite without memory statistics").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Opens the database named by the configuration (applying migrations), loads or creates
/// the JWT secret, creates the first admin if needed, and builds the Rocket instance.
///
/// Errors are one line, meant for the operator.
pub async fn prepare(figment: Figment) -> Result<Rocket<Build>, String> {
    let config = AppConfig::from_figment(&figment)?;
    gaps::timeline_store::install();
    let clock = shared::clock::Clock::from_setting(&config.time_zone)
        .map_err(|e| format!("invalid configuration: {e}"))?;
    let db = Db::connect(
        &config.database_url,
        &PoolSettings {
            max_connections: config.db_max_connections,
            acquire_timeout: Duration::from_secs(config.db_acquire_timeout_secs),
            sqlite_mmap_bytes: config.sqlite_mmap_mib.saturating_mul(1 << 20),
        },
    )
    .await?;
    let secret = auth::secret::load_or_create(config.jwt_secret.as_deref(), &config.data_dir)?;
    let keys = JwtKeys::new(&secret, config.token_lifetime_secs);
    accounts::routes::bootstrap_admin(&db, config.admin_password.as_deref(), &config.data_dir)
        .await?;
    units::store::ensure_periods(&db)
        .await
        .map_err(|e| format!("building the unit tree's periods: {e}"))?;
    completions::certificate::backfill_codes(&db)
        .await
        .map_err(|e| format!("giving earlier certificates their verification codes: {e}"))?;
    calendar::hash_legacy_tokens(&db)
        .await
        .map_err(|e| format!("hashing earlier calendar-feed tokens: {e}"))?;
    curriculum::seed::seed_if_empty(&db).await?;
    standards::titles::seed_if_empty(&db).await?;
    standards::seed::seed_if_empty(&db).await?;
    gaps::timeline_store::flush_backlog(&db)
        .await
        .map_err(|e| format!("building the gap timelines of earlier holders: {e}"))?;
    let records = shared::cache::VersionedCache::new(config.record_cache_entries);
    let reference = gaps::reference::ReferenceCache::new(config.reference_cache_entries);
    let uploads = api::upload::Uploads::new(&config);
    Ok(build(
        figment,
        AppState {
            db,
            config,
            keys,
            records,
            clock: std::sync::Arc::new(clock),
            reference,
            uploads,
        },
    ))
}

/// Builds the Rocket instance around ready state: routes, catchers, fairings, docs, static files.
///
/// Rocket's own logger is switched off (`log_level = off`, whatever the configuration says): its
/// lines carry whole URIs. [`logging::RequestLog`] writes the one line per request, and the
/// tracing subscriber ([`logging::init`]) leaves out Rocket's records other than its launch lines.
pub fn build(figment: Figment, state: AppState) -> Rocket<Build> {
    let log_lines_per_sec = state.config.log_lines_per_sec;
    rocket::custom(figment.merge(("log_level", rocket::config::LogLevel::Off)))
        .manage(state)
        .attach(error::LiteralPaths)
        .attach(api::UnreadablePaths)
        .attach(logging::RequestLog::new(log_lines_per_sec))
        .attach(security::SecurityHeaders)
        .attach(rocket::fairing::AdHoc::on_liftoff("notices", |rocket| {
            Box::pin(async move {
                if let Some(state) = rocket.state::<AppState>() {
                    notices::sender::start(
                        state.db.clone(),
                        state.config.clone(),
                        state.clock.clone(),
                        rocket.shutdown(),
                    );
                    completions::reminders::start(
                        state.db.clone(),
                        state.config.clone(),
                        state.clock.clone(),
                        rocket.shutdown(),
                    );
                }
            })
        }))
        // A server stopped as operators stop it (SIGTERM, Ctrl-C) closes its database after the
        // last request: on SQLite that moves the write-ahead log into the main file, so a copy of
        // the file alone, taken after the stop, holds everything written.
        .attach(rocket::fairing::AdHoc::on_shutdown("database", |rocket| {
            Box::pin(async move {
                if let Some(state) = rocket.state::<AppState>() {
                    state.db.close().await;
                }
            })
        }))
        .mount("/", health::routes())
        .mount("/", reasons::routes())
        .mount("/", accounts::session::routes())
        .mount("/", accounts::routes::routes())
        .mount("/", units::routes::routes())
        .mount("/", audit::routes::routes())
        .mount("/", curriculum::routes::routes())
        .mount("/", cadres::routes::routes())
        .mount("/", classes::routes::routes())
        .mount("/", enrolments::routes::routes())
        .mount("/", completions::routes::routes())
        .mount("/", documents::routes::routes())
        .mount("/", calendar::routes())
        .mount("/", me::routes())
        .mount("/", notices::routes::routes())
        .mount("/", gaps::routes::routes())
        .mount("/", standards::titles::routes())
        .mount("/", standards::routes::routes())
        .mount("/", imports::routes::routes())
        .mount("/", exports::routes::routes())
        .mount("/", exchange::routes::routes())
        .mount(
            "/",
            SwaggerUi::new("/api/docs/<_..>").url("/api/openapi.json", openapi::ApiDoc::openapi()),
        )
        .mount("/", FileServer::from(relative!("static")))
        .register("/", catchers![error::json_catcher])
}

#[cfg(test)]
mod tests {
    /// The global allocator is mimalloc: a block the standard library allocates is in its heap
    /// (and a value on the stack is not).
    #[test]
    fn allocations_go_through_mimalloc() {
        let on_stack = [0u64; 4];
        let stack = unsafe { libmimalloc_sys::mi_is_in_heap_region(on_stack.as_ptr().cast()) };
        assert!(!stack);
        let block = "a block on the heap".repeat(4);
        let inside = unsafe { libmimalloc_sys::mi_is_in_heap_region(block.as_ptr().cast()) };
        assert!(inside);
        let boxed = Box::new([0u64; 1_000]);
        assert!(unsafe { libmimalloc_sys::mi_is_in_heap_region(boxed.as_ptr().cast()) });
    }
}
