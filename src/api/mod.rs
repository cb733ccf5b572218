//! Shared pieces of the HTTP layer: the JSON body guard, query parsing, paging.

pub mod json;
pub mod query;
pub mod text;

pub use json::JsonBody;
pub use query::{parse_opt, Page, PageParams};

use serde::{Deserialize, Deserializer};

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null` (`Some(None)`).
/// Use with `#[serde(default, deserialize_with = "crate::api::double_option")]`.
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Reads an uploaded file body up to `max` bytes: 413 above it, 400 if it cannot be read.
pub async fn read_upload(
    data: rocket::data::Data<'_>,
    max: u64,
) -> Result<Vec<u8>, crate::error::AppError> {
    use rocket::data::ToByteUnit;
    let bytes = data.open(max.bytes()).into_bytes().await.map_err(|e| {
        crate::error::AppError::BadRequest {
            field: Some("file".into()),
            message: format!("the upload could not be read: {e}"),
        }
    })?;
    if !bytes.is_complete() {
        return Err(crate::error::AppError::PayloadTooLarge(format!(
            "the file is larger than the limit of {max} bytes"
        )));
    }
    Ok(bytes.into_inner())
}
