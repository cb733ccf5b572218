//! Loading what a document shows, with the caller's scope, and rendering it off the async
//! workers. The data comes from the features that own it: certificates from `completions`,
//! classes and sessions from `classes`, the enrolled cadres from `enrolments`; nothing here
//! writes.
//!
//! Who sees what (the rules of the data each document shows):
//! - **one certificate**: whoever may see its holder's record (`Scope::sees_cadre`): the
//!   holder (a cadre account, own only), school, commission and admin, officers whose subtree
//!   holds the cadre's unit. Anyone else gets 404, as for a cadre record, so numbers do not
//!   tell who holds them.
//! - **a class's certificates**: the class as `classes::service::visible` shows it, and of its
//!   certificates those whose holders the caller may see (school, commission, admin: all;
//!   an officer: their subtree's; a cadre: their own). None left: 404.
//! - **a session's sign-in sheet**: the class as above, the enrolled cadres (not waitlisted,
//!   withdrawn or removed) the caller may see, as the class's enrolment list shows them.

use chrono::NaiveDate;

use super::domain::{self, Certificate, Revocation, SignInSheet, Signer};
use crate::api::upload::blocking;
use crate::auth::AuthUser;
use crate::cadres::domain::sort_key;
use crate::classes;
use crate::classes::store::{ClassRow, SessionView};
use crate::completions::store::{self as completions, CompletionRow};
use crate::enrolments::domain::EnrolmentStatus;
use crate::enrolments::store as enrolments;
use crate::error::{AppError, AppResult};
use crate::reasons::Lang;
use crate::state::AppState;

/// A rendered document: its file name and bytes.
#[derive(Debug)]
pub struct PdfFile {
    /// File name offered to the browser.
    pub filename: String,
    /// The PDF.
    pub bytes: Vec<u8>,
}

/// The public check's web page for a certificate, as the web UI links it (`verifyHref`).
pub fn verify_url(public_url: &str, number: &str, code: Option<&str>) -> String {
    let base = public_url.trim_end_matches('/');
    match code {
        Some(code) => format!("{base}/#/verify/{number}?code={code}"),
        None => format!("{base}/#/verify/{number}"),
    }
}

/// First and last city day of a class's sessions.
fn class_days(state: &AppState, sessions: &[SessionView]) -> Option<(NaiveDate, NaiveDate)> {
    let first = sessions.iter().map(|s| s.starts_at).min()?;
    let last = sessions.iter().map(|s| s.ends_at).max()?;
    Some((state.clock.date_of(first), state.clock.date_of(last)))
}

/// What a certificate shows, from its completion and its class (with the class's sessions).
fn certificate(
    state: &AppState,
    c: &CompletionRow,
    class: Option<(&ClassRow, &[SessionView])>,
) -> Certificate {
    let number = c.certificate_no.clone().unwrap_or_default();
    let v = c.view(state.clock.today());
    Certificate {
        verify_url: verify_url(
            &state.config.public_url,
            &number,
            c.certificate_code.as_deref(),
        ),
        code: c.certificate_code.clone().unwrap_or_else(|| "—".into()),
        number,
        holder: c.full_name.clone(),
        unit_name: c.unit_name.clone(),
        module_code: c.module_code.clone(),
        module_title_vi: c.module_title_vi.clone(),
        module_title_en: c.module_title_en.clone(),
        class_code: c.class_code.clone(),
        class_title: class.map(|(k, _)| k.title.clone()),
        organiser: class
            .map(|(k, _)| k.organiser.clone())
            .filter(|o| !o.trim().is_empty())
            .unwrap_or_else(|| "Trường Cán bộ thành phố".into()),
        class_days: class.and_then(|(_, s)| class_days(state, s)),
        completed_on: c.completed_on,
        score: v.score,
        valid_until: v.valid_until,
        revoked: c.revoked_on.map(|on| Revocation {
            on,
            reason: c.revoke_reason.clone().unwrap_or_default(),
        }),
    }
}

/// Renders certificates on a blocking thread.
async fn render_certificates(certs: Vec<Certificate>, lang: Lang) -> AppResult<Vec<u8>> {
    blocking(move || domain::certificates_pdf(&certs, lang))
        .await?
        .map_err(AppError::Internal)
}

/// Sessions of one class.
async fn sessions_of(state: &AppState, class_id: i64) -> AppResult<Vec<SessionView>> {
    Ok(classes::store::sessions(&state.db, &[class_id])
        .await?
        .remove(&class_id)
        .unwrap_or_default())
}

/// The PDF of certificate `no`, if the caller may see its holder (else 404).
pub async fn certificate_pdf(
    state: &AppState,
    user: &AuthUser,
    no: &str,
    lang: Lang,
) -> AppResult<PdfFile> {
    let scope = user.scope()?;
    let no = no.trim().to_uppercase();
    let not_found = || AppError::not_found(crate::msg!(NoCertificate, number = no));
    if no.is_empty() || no.len() > 40 {
        return Err(not_found());
    }
    let c = match completions::by_certificate(&state.db, &no).await? {
        Some(c) if scope.sees_cadre(c.cadre_id, &c.unit_path) => c,
        _ => return Err(not_found()),
    };
    let class = match &c.class_code {
        Some(code) => classes::store::by_code(&state.db, code).await?,
        None => None,
    };
    let sessions = match &class {
        Some(k) => sessions_of(state, k.id).await?,
        None => vec![],
    };
    let cert = certificate(state, &c, class.as_ref().map(|k| (k, sessions.as_slice())));
    Ok(PdfFile {
        filename: format!("{no}.pdf"),
        bytes: render_certificates(vec![cert], lang).await?,
    })
}

/// Every certificate of class `code` whose holder the caller may see, a page each, in the
/// Vietnamese order of the holders' names; 404 when there is none.
pub async fn class_certificates_pdf(
    state: &AppState,
    user: &AuthUser,
    code: &str,
    lang: Lang,
) -> AppResult<PdfFile> {
    let class = classes::service::visible(state, user, code).await?;
    let scope = user.scope()?;
    let sessions = sessions_of(state, class.id).await?;
    let certs: Vec<Certificate> = completions::for_class(&state.db, class.id)
        .await?
        .iter()
        .filter(|c| c.certificate_no.is_some() && scope.sees_cadre(c.cadre_id, &c.unit_path))
        .map(|c| certificate(state, c, Some((&class, &sessions))))
        .collect();
    if certs.is_empty() {
        return Err(AppError::not_found(crate::msg!(
            NoCertificatesInClass,
            class = class.code
        )));
    }
    Ok(PdfFile {
        filename: format!("{}-certificates.pdf", class.code),
        bytes: render_certificates(certs, lang).await?,
    })
}

/// The sign-in sheet of session `session` of class `code`: the enrolled cadres the caller may
/// see, sorted by the Vietnamese sort key of their names, with their units' names. A cancelled
/// class has none (409).
pub async fn sign_in_pdf(
    state: &AppState,
    user: &AuthUser,
    code: &str,
    session: &str,
    lang: Lang,
) -> AppResult<PdfFile> {
    let class = classes::service::visible(state, user, code).await?;
    if class.status == crate::classes::domain::ClassStatus::Cancelled {
        return Err(AppError::conflict(
            Some("class"),
            crate::msg!(CancelledClassNoSheet, class = class.code),
        ));
    }
    let scope = user.scope()?;
    let sessions = sessions_of(state, class.id).await?;
    let no_session = || {
        AppError::not_found(crate::msg!(
            NoSession,
            session = session,
            class = class.code
        ))
    };
    let id: i64 = session.trim().parse().map_err(|_| no_session())?;
    let (index, s) = sessions
        .iter()
        .enumerate()
        .find(|(_, s)| s.id == id)
        .ok_or_else(no_session)?;
    let mut enrolled: Vec<(String, i64, Signer)> =
        enrolments::list_for_class(&state.db, class.id, &scope)
            .await?
            .into_iter()
            .filter(|e| e.status == EnrolmentStatus::Enrolled)
            .map(|e| {
                (
                    sort_key(&e.full_name),
                    e.cadre_id,
                    Signer {
                        full_name: e.full_name,
                        unit_name: e.unit_name,
                    },
                )
            })
            .collect();
    enrolled.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let (day, starts, ends) = classes::domain::city_span(&state.clock, s.starts_at, s.ends_at);
    let sheet = SignInSheet {
        class_code: class.code.clone(),
        class_title: class.title.clone(),
        organiser: class.organiser.clone(),
        module_code: class.module_code.clone(),
        module_title: match lang {
            Lang::Vi => class.module_title_vi.clone(),
            Lang::En => class.module_title_en.clone(),
        },
        session_no: index + 1,
        sessions: sessions.len(),
        day: NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .map_err(|e| AppError::Internal(format!("session day {day}: {e}")))?,
        starts,
        ends,
        venue: s.venue.clone(),
        instructor: s.instructor.clone(),
        signers: enrolled.into_iter().map(|(_, _, s)| s).collect(),
        scoped: !matches!(scope, crate::auth::Scope::All),
    };
    let bytes = blocking(move || domain::sign_in_pdf(&sheet, lang))
        .await?
        .map_err(AppError::Internal)?;
    Ok(PdfFile {
        filename: format!("{}-session-{id}-sign-in.pdf", class.code),
        bytes,
    })
}
