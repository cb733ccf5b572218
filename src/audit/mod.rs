//! The audit trail: who changed what, when, with a compact before/after.

pub mod routes;
pub mod store;

pub use store::{record, Actor};
