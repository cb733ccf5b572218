//! Query-string parsing that names the parameter at fault, and paging.

use serde::Serialize;
use std::str::FromStr;
use utoipa::ToSchema;

use crate::error::AppError;

/// Parses an optional query parameter, answering 422 naming it when malformed (or when it holds a
/// NUL character or a date outside 1900–2100, `api::text`).
pub fn parse_opt<T: FromStr>(name: &str, raw: Option<&str>) -> Result<Option<T>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            super::text::check(name, s)?;
            s.parse::<T>().map(Some).map_err(|_| {
                AppError::invalid(name, crate::msg!(NotAValue, field = name, value = s))
            })
        }
    }
}

/// A yes-or-no switch of a query, `false` when absent: `true` or `false`, and a switch written
/// without a value (`?dry_run`, `?dry_run=`) refused naming it (`true_or_false`), not read as "no".
pub fn flag(name: &str, raw: Option<&str>) -> Result<bool, AppError> {
    match raw {
        None => Ok(false),
        Some(s) if s.trim().is_empty() => Err(AppError::invalid(
            name,
            crate::msg!(TrueOrFalse, field = name),
        )),
        Some(_) => Ok(parse_opt::<bool>(name, raw)?.unwrap_or(false)),
    }
}

/// Refuses a window whose end `to` comes before its start `from` (422 naming `to`): it would
/// hold nothing, an empty answer that reads as "nothing happened".
pub fn window<T: PartialOrd>(from: Option<T>, to: Option<T>) -> Result<(), AppError> {
    match (from, to) {
        (Some(f), Some(t)) if t < f => Err(AppError::invalid("to", crate::msg!(EndBeforeStart))),
        _ => Ok(()),
    }
}

/// Refuses a query parameter given more than once (`?limit=5&limit=6`): Rocket would read neither
/// value and take the default, so the request would silently mean something else (422 naming it).
pub fn single_values(req: &rocket::Request<'_>) -> Result<(), AppError> {
    let mut seen: Vec<&str> = Vec::new();
    for field in req.query_fields() {
        let name = field.name.source().as_str();
        // `offset[a]=1` or `offset.a=1` would be read as a nested value of `offset`, which no
        // parameter has: refused rather than read as absent.
        if name.contains(['[', ']', '.']) {
            let base = name.split(['[', ']', '.']).next().unwrap_or(name);
            return Err(AppError::invalid(
                base,
                crate::msg!(SingleValue, field = base),
            ));
        }
        if seen.contains(&name) {
            return Err(AppError::invalid(
                name,
                crate::msg!(GivenTwice, field = name),
            ));
        }
        seen.push(name);
    }
    // A name the route does not take would be ignored, and the request would silently mean
    // something else (`dry_run=true` on an import without a dry run writes): refused. Routes
    // reading their parameters as one struct (`?<q..>`) take the names their OpenAPI operation
    // gives.
    if let Some(declared) = req.route().and_then(declared_query) {
        if let Some(name) = seen.iter().find(|n| !declared.iter().any(|d| d == **n)) {
            return Err(AppError::invalid(
                *name,
                crate::msg!(
                    UnknownParameter,
                    field = *name,
                    expected = if declared.is_empty() {
                        "none".to_string()
                    } else {
                        declared.join(", ")
                    }
                ),
            ));
        }
    }
    Ok(())
}

/// The query parameter names route `route` takes: those it declares, or, when it reads them as
/// one struct (`<q..>`), those the OpenAPI document gives its operation (`None`: undocumented).
fn declared_query(route: &rocket::Route) -> Option<Vec<String>> {
    let query = route
        .uri
        .origin
        .query()
        .map(|q| q.as_str().to_string())
        .unwrap_or_default();
    let mut names = vec![];
    for seg in query.split('&').filter(|s| !s.is_empty()) {
        let name = seg.trim_start_matches('<').trim_end_matches('>');
        if name.ends_with("..") {
            return documented_query(route);
        }
        names.push(name.split('=').next().unwrap_or(name).to_string());
    }
    Some(names)
}

/// The query parameters the OpenAPI document gives the operation of route `route`.
fn documented_query(route: &rocket::Route) -> Option<Vec<String>> {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static DOCUMENTED: OnceLock<HashMap<(String, String), Vec<String>>> = OnceLock::new();
    let documented = DOCUMENTED.get_or_init(crate::openapi::query_parameters);
    // `/api/cadres/<id>/gaps` as the document writes it: `/api/cadres/{id}/gaps`.
    let path = route
        .uri
        .origin
        .path()
        .as_str()
        .replace("..>", ">")
        .replace('<', "{")
        .replace('>', "}");
    documented
        .get(&(route.method.as_str().to_string(), path))
        .cloned()
}

/// A request guard for the public routes (no login): refuses a query parameter given twice or
/// nested (422 naming it), as the authentication guard does for every other route.
pub struct SingleQuery;

#[rocket::async_trait]
impl<'r> rocket::request::FromRequest<'r> for SingleQuery {
    type Error = AppError;

    async fn from_request(
        req: &'r rocket::Request<'_>,
    ) -> rocket::request::Outcome<Self, Self::Error> {
        match single_values(req) {
            Ok(()) => rocket::request::Outcome::Success(SingleQuery),
            Err(e) => rocket::request::Outcome::Error((e.status(), crate::error::stash(req, e))),
        }
    }
}

/// An optional free-text query parameter (a search): trimmed, at most `max` characters, no NUL.
pub fn text_opt<'a>(
    name: &str,
    raw: Option<&'a str>,
    max: usize,
) -> Result<Option<&'a str>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => {
            super::text::check(name, s)?;
            if s.chars().count() > max {
                return Err(AppError::invalid(
                    name,
                    crate::msg!(TooLong, field = name, max = max),
                ));
            }
            Ok(Some(s))
        }
    }
}

/// `limit` and `offset` of a paged list, validated.
#[derive(Debug, Clone, Copy)]
pub struct PageParams {
    /// Rows per page (1–500, default 50).
    pub limit: i64,
    /// Rows to skip (≥ 0).
    pub offset: i64,
}

impl PageParams {
    /// Reads `limit`/`offset` from raw query values.
    pub fn parse(limit: Option<&str>, offset: Option<&str>) -> Result<Self, AppError> {
        let limit = parse_opt::<i64>("limit", limit)?.unwrap_or(50);
        let offset = parse_opt::<i64>("offset", offset)?.unwrap_or(0);
        if !(1..=500).contains(&limit) {
            return Err(AppError::invalid(
                "limit",
                crate::msg!(Between, field = "limit", min = 1, max = 500),
            ));
        }
        if offset < 0 {
            return Err(AppError::invalid(
                "offset",
                crate::msg!(NotNegative, field = "offset"),
            ));
        }
        Ok(PageParams { limit, offset })
    }

    /// The list's whole count when this page's `rows` already tell it: a page shorter than the
    /// limit is the last one, unless it is empty past the start (the offset may then lie beyond
    /// the end, which says nothing of the count).
    pub fn total_from_page(&self, rows: usize) -> Option<i64> {
        let rows = rows as i64;
        (rows < self.limit && (rows > 0 || self.offset == 0)).then_some(self.offset + rows)
    }

    /// A page when the caller asked for one (`limit` or `offset` given, read as [`Self::parse`]);
    /// `None` for a list that answers every row without them (kept as it was before paging).
    pub fn asked(limit: Option<&str>, offset: Option<&str>) -> Result<Option<Self>, AppError> {
        if limit.is_none() && offset.is_none() {
            return Ok(None);
        }
        Self::parse(limit, offset).map(Some)
    }
}

/// A page of results with the total count.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    /// Total rows matching the filters.
    pub total: i64,
    /// Rows per page.
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
    /// This page.
    pub items: Vec<T>,
}

#[cfg(test)]
mod tests {
    use super::PageParams;

    #[test]
    fn a_short_page_gives_the_total_unless_it_is_empty_past_the_start() {
        let page = |limit, offset| PageParams { limit, offset };
        assert_eq!(page(50, 0).total_from_page(0), Some(0));
        assert_eq!(page(50, 0).total_from_page(7), Some(7));
        assert_eq!(page(50, 100).total_from_page(7), Some(107));
        assert_eq!(page(2, 4).total_from_page(1), Some(5));
        // A full page may have more after it; an empty page past the start may lie beyond the end.
        assert_eq!(page(50, 0).total_from_page(50), None);
        assert_eq!(page(2, 4).total_from_page(2), None);
        assert_eq!(page(50, 100).total_from_page(0), None);
    }
}
