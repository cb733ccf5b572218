//! Classes: scheduled offerings of a module, their sessions and status, with conflict checks.

pub mod domain;
pub mod routes;
pub mod service;
pub mod store;
