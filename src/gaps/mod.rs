//! The gap engine and the gap reports: who falls short of their title's standard, where, in what.

pub mod engine;
pub mod export;
pub mod own;
pub mod params;
pub mod reasons;
pub mod reference;
pub mod report;
pub mod routes;
pub mod service;
pub mod store;
pub mod timeline;
pub mod timeline_store;
