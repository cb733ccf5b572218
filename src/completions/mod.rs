//! Attendance, results, completions and certificates (with public verification and revocation).

pub mod routes;
pub mod store;
