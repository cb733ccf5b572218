//! Shared pieces of the HTTP layer: the JSON body guard, query parsing, paging.

pub mod json;
pub mod query;
pub mod text;
pub mod upload;

pub use json::JsonBody;
pub use query::{parse_opt, Page, PageParams};
pub use upload::read_upload;

use serde::{Deserialize, Deserializer};

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null` (`Some(None)`).
/// Use with `#[serde(default, deserialize_with = "crate::api::double_option")]`.
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// For PATCH bodies: an absent field is `None`, a value `Some`, and `null` is refused (422 naming
/// the field) rather than read as absent: a field that cannot be cleared is not silently kept.
/// Use with `#[serde(default, deserialize_with = "crate::api::not_null")]`.
pub fn not_null<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}
