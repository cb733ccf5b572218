//! Leadership titles and their standards (deliverable 9.2). Titles are here; versioned
//! standards come with the gap engine.

pub mod domain;
pub mod titles;
