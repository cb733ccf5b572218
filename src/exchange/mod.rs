//! The record exchange: cadres' whole records out of one database and into another (or back into
//! the same one), without loss.
//!
//! A record is one workbook (XLSX, a sheet per part) or the same as a ZIP of CSV files (one per
//! part): cadres, unit history, titles held, planned successions, completions with their
//! provenance, certificates and revocations, qualifications with theirs ([`domain`]). Rows carry
//! personal id numbers and codes, never database ids, in the natural order of each part, so
//! export → import into an empty database → export gives the same bytes, and export → import into
//! the same database changes nothing.
//!
//! An import reads the whole file off the async workers, then checks and writes the parts in
//! order in one transaction (each part is checked against the database as the parts before it
//! left it): every problem of the first part that has any answers 422, naming the sheet, and
//! nothing is written; a dry run rolls back. The cadre part goes through the cadre import's
//! planner (`imports::plan`); the others through [`plan`] and [`qualifications`] (pure).

pub mod domain;
pub mod plan;
pub mod qualifications;
pub mod routes;
pub mod service;
pub mod store;
