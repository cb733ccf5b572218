//! HTTP routes of the printable documents (PDF): a certificate, a class's certificates, a
//! session's sign-in sheet. Who may see what is decided in `service`.

use rocket::http::{ContentType, Header};
use rocket::response::{self, Responder};
use rocket::{get, routes, Request, Response, Route, State};

use super::service::{self, PdfFile};
use crate::auth::AuthUser;
use crate::error::{AppResult, ErrorEnvelope};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![certificate_pdf, class_certificates_pdf, sign_in_pdf]
}

impl<'r> Responder<'r, 'static> for PdfFile {
    fn respond_to(self, _: &'r Request<'_>) -> response::Result<'static> {
        Response::build()
            .header(ContentType::PDF)
            .header(crate::shared::download::attachment(&self.filename))
            .header(Header::new("Cache-Control", "private, no-store"))
            .sized_body(self.bytes.len(), std::io::Cursor::new(self.bytes))
            .ok()
    }
}

/// A certificate as a printable PDF (A4 landscape): holder, unit, module, class and its days,
/// number, verification code and a QR code of the public check's page
/// (`{public_url}/#/verify/{no}?code=…`); a revoked certificate is marked "ĐÃ THU HỒI" with the
/// day and the reason. For whoever may see the holder's record: the holder, school, commission,
/// admin, officers whose subtree holds the holder's unit; anyone else gets 404.
#[utoipa::path(tag = "documents", security(("bearer" = [])),
    params(("no" = String, Path, description = "Certificate number, e.g. TCB-2026-000123"),
           ("lang" = Option<String>, Query, description = "vi (default) or en: the labels")),
    responses((status = 200, content_type = "application/pdf", body = String, description = "The certificate (PDF)"),
              (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope, description = "No such certificate, or its holder is not visible to the caller"),
              (status = 422, body = ErrorEnvelope)))]
#[get("/api/certificates/<no>/pdf?<lang>")]
pub async fn certificate_pdf(
    state: &State<AppState>,
    user: AuthUser,
    no: &str,
    lang: Option<&str>,
) -> AppResult<PdfFile> {
    let lang = crate::reasons::Lang::from_query(lang)?;
    service::certificate_pdf(state, &user, no, lang).await
}

/// Every certificate of a class in one PDF, a page each, in the Vietnamese order of the holders'
/// names. The class as the caller may see it; of its certificates, those whose holders the
/// caller may see: school, commission and admin all of them, an officer those of their
/// subtree's cadres, a cadre their own. 404 when none is left.
#[utoipa::path(tag = "documents", security(("bearer" = [])),
    params(("code" = String, Path, description = "Class code"),
           ("lang" = Option<String>, Query, description = "vi (default) or en: the labels")),
    responses((status = 200, content_type = "application/pdf", body = String, description = "The certificates (PDF)"),
              (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope, description = "No such class, or no certificate of it the caller may see"),
              (status = 422, body = ErrorEnvelope)))]
#[get("/api/classes/<code>/certificates.pdf?<lang>")]
pub async fn class_certificates_pdf(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
    lang: Option<&str>,
) -> AppResult<PdfFile> {
    let lang = crate::reasons::Lang::from_query(lang)?;
    service::class_certificates_pdf(state, &user, code, lang).await
}

/// The sign-in sheet of a session (PDF, A4 portrait): the class, module, the session's day and
/// times (city time) and venue on every page, then the enrolled cadres (not waitlisted or
/// withdrawn) in Vietnamese name order with their units' names and an empty signature column.
/// The cadres are those of the class's enrolment list the caller sees (school, commission,
/// admin: all; an officer: their subtree's; a cadre: themselves).
#[utoipa::path(tag = "documents", security(("bearer" = [])),
    params(("code" = String, Path, description = "Class code"),
           ("id" = i64, Path, description = "Session id"),
           ("lang" = Option<String>, Query, description = "vi (default) or en: the labels")),
    responses((status = 200, content_type = "application/pdf", body = String, description = "The sign-in sheet (PDF)"),
              (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
              (status = 404, body = ErrorEnvelope, description = "No such class or session (or the class is not visible)"),
              (status = 422, body = ErrorEnvelope)))]
#[get("/api/classes/<code>/sessions/<id>/sign-in.pdf?<lang>")]
pub async fn sign_in_pdf(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
    id: &str,
    lang: Option<&str>,
) -> AppResult<PdfFile> {
    let lang = crate::reasons::Lang::from_query(lang)?;
    service::sign_in_pdf(state, &user, code, id, lang).await
}
