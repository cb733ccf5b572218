//! Administrative units: a tree of any depth kept as materialised paths.

pub mod domain;
pub mod import;
pub mod periods;
pub mod routes;
pub mod service;
pub mod store;
pub mod successors;
