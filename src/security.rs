//! Security headers on every response.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::{Request, Response};

/// Adds `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`
/// and a Content-Security-Policy that forbids framing (`frame-ancestors 'none'`), plugins, and
/// scripts and styles from elsewhere or inline (only the vendored Swagger UI under `/api/docs`
/// needs inline script and style).
pub struct SecurityHeaders;

#[rocket::async_trait]
impl Fairing for SecurityHeaders {
    fn info(&self) -> Info {
        Info {
            name: "security headers",
            kind: Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        res.set_header(Header::new("X-Content-Type-Options", "nosniff"));
        res.set_header(Header::new("Referrer-Policy", "no-referrer"));
        res.set_header(Header::new("X-Frame-Options", "DENY"));
        // The vendored Swagger UI page needs inline script and style.
        let csp = if req.uri().path().starts_with("/api/docs") {
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"
        } else {
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        };
        res.set_header(Header::new("Content-Security-Policy", csp));
        // Every API answer may be personal (a record, a token, an export): no cache keeps it.
        let path = req.uri().path();
        if (path.starts_with("/api/") && !path.starts_with("/api/docs"))
            && !res.headers().contains("Cache-Control")
        {
            res.set_header(Header::new("Cache-Control", "no-store"));
        }
    }
}
