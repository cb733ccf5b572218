//! Curriculum (deliverable 9.7): qualification scales, modules (versioned) and programmes.

pub mod domain;
pub mod routes;
pub mod seed;
pub mod service;
pub mod store;
