//! Leadership titles and their versioned standards (deliverable 9.2).

pub mod domain;
pub mod routes;
pub mod seed;
pub mod service;
pub mod store;
pub mod titles;
