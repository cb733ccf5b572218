//! `GET /health`: 200 when the database answers, 503 when it does not.

use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, routes, Route, State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![health]
}

/// Health of the service.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `unavailable`.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// Whether the database answered.
    pub database_reachable: bool,
    /// Service version.
    pub version: String,
}

/// Reports whether the database is reachable.
#[utoipa::path(tag = "health", responses((status = 200, body = Health), (status = 503, body = Health)))]
#[get("/health")]
pub async fn health(state: &State<AppState>) -> (Status, Json<Health>) {
    let ok = state.db.ping().await;
    let body = Health {
        status: if ok { "ok" } else { "unavailable" }.into(),
        database: state.db.backend().into(),
        database_reachable: ok,
        version: env!("CARGO_PKG_VERSION").into(),
    };
    (
        if ok {
            Status::Ok
        } else {
            Status::ServiceUnavailable
        },
        Json(body),
    )
}
