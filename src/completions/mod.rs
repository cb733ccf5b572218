//! Attendance, results, completions and certificates (with public verification and revocation).

pub mod certificate;
pub mod domain;
pub mod reminders;
pub mod routes;
pub mod service;
pub mod store;
