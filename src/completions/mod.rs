//! Attendance, results, completions and certificates (with public verification and revocation).

pub mod certificate;
pub mod routes;
pub mod store;
