//! Shared pieces of the HTTP layer: the JSON body guard, query parsing, paging.

pub mod json;
pub mod query;

pub use json::JsonBody;
pub use query::{parse_opt, Page, PageParams};
