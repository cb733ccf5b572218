//! HTTP routes of imports: templates, dry runs and commits.

use rocket::data::Data;
use rocket::serde::json::Json;
use rocket::{get, post, routes, Route, State};

use super::columns::Kind;
use super::messages::Lang;
use super::{problems_csv, run, ImportResult, Job};
use crate::auth::{AuthUser, Role};
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::shared::download::Streamed;
use crate::shared::download::{parse_format, Download};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![template, import_file, import_problems, problem_messages]
}

fn parse_kind(raw: &str) -> AppResult<Kind> {
    Kind::parse(raw).ok_or_else(|| AppError::not_found(crate::msg!(NoImportKind, kind = raw)))
}

/// The template of an import kind, Vietnamese (default) or English: the header row and one
/// example row made from live data that imports cleanly for the caller (a new cadre in a unit of
/// the caller's subtree; a qualification or completion of a cadre of the subtree), or the header
/// alone when none can be made. XLSX adds an instructions sheet (the workflow; every column:
/// required or not, format, allowed values, the example; the codes with their names), drop-down
/// lists on the data sheet (gender, yes/no, organisation, source; units of the caller's subtree,
/// active titles, scales, levels, modules from a hidden lists sheet), dates formatted dd/mm/yyyy.
#[utoipa::path(tag = "imports", security(("bearer" = [])),
    params(("kind" = String, Path, description = "cadres, qualifications or completions"),
           ("format" = Option<String>, Query, description = "csv (default) or xlsx"),
           ("lang" = Option<String>, Query, description = "vi (default) or en")),
    responses((status = 200, description = "The template file"), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 422, body = ErrorEnvelope)))]
#[get("/api/imports/<kind>/template?<format>&<lang>")]
pub async fn template(
    state: &State<AppState>,
    user: AuthUser,
    kind: &str,
    format: Option<&str>,
    lang: Option<&str>,
) -> AppResult<Download> {
    if user.role == Role::Cadre {
        return Err(AppError::Forbidden(crate::msg!(ImportsForStaff)));
    }
    let kind = parse_kind(kind)?;
    let format = parse_format(Some(format.unwrap_or("csv")))?;
    let english = Lang::from_query(lang)? == Lang::En;
    let scope = user.scope()?;
    let catalogue = super::template::load(&state.db, kind, &scope).await?;
    let today = state.clock.today();
    crate::api::upload::blocking(move || {
        super::template::render(kind, &catalogue, format, english, today)
    })
    .await?
}

/// Who may import a kind, as the import routes check it.
fn may_import(user: &AuthUser, kind: Kind) -> AppResult<()> {
    let allowed = match kind {
        Kind::Cadres | Kind::Qualifications => {
            matches!(user.role, Role::Admin | Role::School | Role::Officer)
        }
        Kind::Completions => matches!(user.role, Role::Admin | Role::School),
    };
    if !allowed {
        return Err(AppError::Forbidden(crate::msg!(
            RoleMayNotImport,
            kind = kind.as_str()
        )));
    }
    Ok(())
}

/// Imports a file of one kind. The body is the file itself, CSV (UTF-8, `,` or `;`) or XLSX.
/// Every row is checked first, every problem of each row reported; any problem answers 422 and
/// writes nothing: the first 1,000 problems in `details` (by row; each with a stable `code` and
/// the `params` its reason names beside the English `message`), `problems_total`, and
/// `problem_counts` by column, code and reason (every problem, as CSV in Vietnamese or English:
/// `POST /api/imports/{kind}/problems`).
/// Cadres (upsert by personal id number, with the title held and the title planned) and
/// qualifications (keyed by person, scale, level and date): admin, school, officers (their
/// subtree only). Past completions with their provenance (keyed by person, module and day; a
/// module that awards a level awards it): admin and school.
/// Limits (configuration): the body's bytes (413); the sheet's rows, cells with a value and an
/// XLSX's unpacked bytes (413); its columns and a CSV line's bytes (422); each error names `file`.
#[utoipa::path(tag = "imports", security(("bearer" = [])),
    params(("kind" = String, Path, description = "cadres, qualifications or completions"),
           ("dry_run" = Option<bool>, Query, description = "Check every row, write nothing"),
           ("file_name" = Option<String>, Query, description = "The file's name, for the audit trail")),
    request_body(content = String, content_type = "text/csv", description = "CSV or XLSX file"),
    responses((status = 200, body = ImportResult), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 413, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/imports/<kind>?<dry_run>&<file_name>", data = "<data>")]
pub async fn import_file(
    state: &State<AppState>,
    user: AuthUser,
    kind: &str,
    dry_run: Option<&str>,
    file_name: Option<&str>,
    data: Data<'_>,
) -> AppResult<Json<ImportResult>> {
    let kind = parse_kind(kind)?;
    may_import(&user, kind)?;
    let dry_run = crate::api::flag("dry_run", dry_run)?;
    let file_name = crate::api::upload::file_name(file_name)?;
    let scope = user.scope()?;
    let file = state.uploads.receive(data).await?;
    let job = Job {
        kind,
        bytes: file.bytes,
        file_name,
        dry_run,
        today: state.clock.today(),
        limits: state.uploads.limits,
    };
    let result = run(&state.db, &user.actor(), &scope, job).await?;
    Ok(Json(result))
}

/// Every problem of a file, as CSV (UTF-8 with a BOM; columns row, column, value, reason: the
/// header line and the reasons in Vietnamese by default or English with `lang=en`), whatever
/// their number. The file is checked
/// exactly as a dry run of `POST /api/imports/{kind}` (same roles, scope and limits); nothing is
/// written. A file without problems gives the header line alone.
#[utoipa::path(tag = "imports", security(("bearer" = [])),
    params(("kind" = String, Path, description = "cadres, qualifications or completions"),
           ("lang" = Option<String>, Query, description = "vi (default) or en: the CSV's header line and reasons")),
    request_body(content = String, content_type = "text/csv", description = "CSV or XLSX file"),
    responses((status = 200, description = "CSV of every problem, streamed"),
              (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 413, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/imports/<kind>/problems?<lang>", data = "<data>")]
pub async fn import_problems(
    state: &State<AppState>,
    user: AuthUser,
    kind: &str,
    lang: Option<&str>,
    data: Data<'_>,
) -> AppResult<Streamed> {
    let kind = parse_kind(kind)?;
    may_import(&user, kind)?;
    let lang = Lang::from_query(lang)?;
    let scope = user.scope()?;
    let file = state.uploads.receive(data).await?;
    let job = Job {
        kind,
        bytes: file.bytes,
        file_name: String::new(),
        dry_run: true,
        today: state.clock.today(),
        limits: state.uploads.limits,
    };
    let (csv, _total) = problems_csv(&state.db, &scope, job, lang).await?;
    Ok(Streamed::csv_file(
        csv,
        format!("problems-{}.csv", kind.as_str()),
    ))
}

/// The catalogue of the imports' problem codes in one language (`vi`, the default, or `en`):
/// every code's template and the words its parameters may hold, so a client renders a problem
/// (`code` and `params` of each detail) in its user's language. Any signed-in user.
#[utoipa::path(tag = "imports", security(("bearer" = [])),
    params(("lang" = Option<String>, Query, description = "vi (default) or en")),
    responses((status = 200, description = "The catalogue: {lang, messages: {code: template}, values}"),
              (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/imports/messages?<lang>")]
pub async fn problem_messages(
    _user: AuthUser,
    lang: Option<&str>,
) -> AppResult<Json<serde_json::Value>> {
    Ok(Json(super::messages::catalogue(Lang::from_query(lang)?)))
}
