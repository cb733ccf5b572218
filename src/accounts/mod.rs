//! Accounts: who may log in, with which role and home unit.

pub mod domain;
pub mod routes;
pub mod service;
pub mod session;
pub mod store;
