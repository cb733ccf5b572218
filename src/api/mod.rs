//! Shared pieces of the HTTP layer: the JSON body guard, query parsing, paging.

pub mod json;
pub mod query;
pub mod text;
pub mod upload;

pub use json::JsonBody;
pub use query::{flag, parse_opt, window, Page, PageParams};
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

/// Refuses a path holding a NUL, a control character (a tab or a line break too) or a direction
/// override (sent percent-encoded: `%00`, `%0A`, `%E2%80%AE`) before any route reads it: 404
/// (`path_unreadable`), as for any address no route has (and as the OpenAPI document describes for
/// every path with a parameter). No address has such a character, PostgreSQL cannot even compare
/// a text holding a NUL, and an answer or a log line naming the value would carry it. Attached
/// before the request log, which then logs the path the request was turned to.
pub struct UnreadablePaths;

/// Where a refused request is turned: no route has it, so the catcher answers with the error.
const UNREADABLE: &str = "/api/unreadable-path";

#[rocket::async_trait]
impl rocket::fairing::Fairing for UnreadablePaths {
    fn info(&self) -> rocket::fairing::Info {
        rocket::fairing::Info {
            name: "paths holding control characters",
            kind: rocket::fairing::Kind::Request,
        }
    }

    async fn on_request(&self, req: &mut rocket::Request<'_>, _: &mut rocket::Data<'_>) {
        let path = req.uri().path();
        let decoded = path.percent_decode_lossy();
        if !decoded
            .chars()
            .any(|c| c.is_control() || text::is_refused_control(c))
        {
            return;
        }
        crate::error::stash(
            req,
            crate::error::AppError::NotFound(crate::msg!(PathUnreadable)),
        );
        if let Ok(to) = rocket::http::uri::Origin::parse(UNREADABLE) {
            req.set_uri(to);
        }
    }
}
