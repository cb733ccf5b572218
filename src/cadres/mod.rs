//! Cadres: records, unit history, titles held and planned, qualifications held.

pub mod domain;
pub mod routes;
pub mod rules;
pub mod service;
pub mod store;
