//! The OpenAPI 3 document, generated from the route annotations, and its docs page.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{
    accounts, api, audit, cadres, calendar, classes, completions, curriculum, documents,
    enrolments, error, exchange, exports, gaps, health, imports, me, notices, standards, units,
};

/// The API description served at `/api/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(title = "Cadre training and qualification", description = "Training and qualification of Ho Chi Minh City's mass-mobilisation cadres (deliverables 9.2 and 9.7). Every error body is `{\"error\": {\"code\", \"reason\", \"params\", \"message\", \"field\"}}`: `reason` is a stable code (the `Reason` enum), `params` the values its message names; `GET /api/errors/messages?lang=vi|en` renders each reason."),
    paths(
        health::health,
        crate::reasons::error_messages,
        accounts::session::login, accounts::session::logout, accounts::session::me, accounts::session::change_password,
        accounts::routes::list_accounts, accounts::routes::get_account, accounts::routes::create_account,
        accounts::routes::update_account, accounts::routes::reset_password,
        units::routes::list_units, units::routes::get_unit, units::routes::children,
        units::routes::import_units, units::routes::import_successors, units::routes::create_unit, units::routes::update_unit,
        units::routes::retire_unit,
        audit::routes::list_audit,
        curriculum::routes::list_scales, curriculum::routes::list_modules, curriculum::routes::get_module,
        curriculum::routes::module_versions, curriculum::routes::create_module, curriculum::routes::update_module,
        curriculum::routes::list_programmes, curriculum::routes::get_programme, curriculum::routes::put_programme,
        cadres::routes::list_cadres, cadres::routes::get_cadre, cadres::routes::create_cadre, cadres::routes::update_cadre,
        cadres::routes::add_title, cadres::routes::end_title, cadres::routes::add_plan, cadres::routes::end_plan,
        cadres::routes::list_qualifications, cadres::routes::add_qualification,
        cadres::routes::update_qualification,
        standards::titles::list_titles, standards::titles::create_title, standards::titles::update_title,
        standards::routes::list_versions, standards::routes::in_force, standards::routes::publish,
        classes::routes::list_classes, classes::routes::get_class, classes::routes::create_class,
        enrolments::routes::update_class, classes::routes::replace_sessions, completions::routes::change_status,
        enrolments::routes::list_enrolments, enrolments::routes::enrol, enrolments::routes::withdraw,
        completions::routes::attendance_grid, completions::routes::record_attendance, completions::routes::record_results,
        completions::routes::class_completions, completions::routes::verify_certificate, completions::routes::revoke_certificate,
        completions::routes::cadre_completions, completions::routes::add_paper_completion, completions::routes::stale_soon,
        documents::routes::certificate_pdf, documents::routes::class_certificates_pdf, documents::routes::sign_in_pdf,
        calendar::class_feed, calendar::cadre_feed, calendar::create_feed_token, calendar::revoke_feed_token,
        me::me,
        notices::routes::list_notices, notices::routes::unread_notices, notices::routes::read_notice,
        notices::routes::read_all_notices, notices::routes::notice_settings, notices::routes::update_notice_settings,
        gaps::routes::gap_report, gaps::routes::gap_cadres, gaps::routes::training_demand, gaps::routes::compare,
        gaps::routes::cadre_gaps, gaps::routes::export_gap_report, gaps::routes::export_gap_cadres,
        gaps::routes::export_training_demand, gaps::routes::export_compare, gaps::routes::reason_catalogue,
        imports::routes::template, imports::routes::import_file, imports::routes::import_problems, imports::routes::problem_messages, exports::routes::export_cadres, exports::routes::export_completions,
        exports::routes::export_classes, exchange::routes::export_record, exchange::routes::import_record,
    ),
    components(schemas(
        error::ErrorEnvelope, error::ErrorBody, crate::reasons::Reason, error::ErrorDetail, error::ProblemCount, error::ProblemCode,
        api::Page<accounts::store::AccountView>, audit::routes::AuditPage,
        api::Page<cadres::store::CadreView>, api::Page<gaps::report::Assessment>,
    )),
    modifiers(&BearerAuth, &Links, &ErrorResponses, &ParameterRules, &BodyRules),
    tags(
        (name = "auth", description = "Log in, own account"),
        (name = "accounts", description = "Accounts and roles (admin)"),
        (name = "units", description = "The administrative-unit tree"),
        (name = "audit", description = "Audit trail (admin)"),
        (name = "cadres", description = "Cadre records, titles held and planned, qualifications"),
        (name = "standards", description = "Leadership titles (9.2)"),
        (name = "classes", description = "Classes, sessions, conflict checks"),
        (name = "enrolments", description = "Enrolment, waitlist, withdrawal"),
        (name = "completions", description = "Attendance, results, completions, certificates"),
        (name = "documents", description = "Printable PDFs: certificates with a QR check, sessions' sign-in sheets"),
        (name = "reports", description = "Gap reports, training demand"),
        (name = "calendar", description = "iCalendar feeds"),
        (name = "notices", description = "Each account's notices (inbox) and their e-mail settings"),
        (name = "curriculum", description = "Curriculum 9.7: scales, modules, programmes"),
        (name = "imports", description = "Bulk import of cadres, qualifications, historical completions"),
        (name = "exports", description = "Streamed CSV/XLSX exports of cadres, completions, classes"),
        (name = "health", description = "Liveness and database reachability"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

/// OpenAPI links from each create to the reads and edits of what it created, so a stateful tester
/// (schemathesis) can chain real ids instead of guessing: (path, method, status, link name,
/// target operation id, target parameter, runtime expression).
const LINKS: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "/api/cadres",
        "post",
        "201",
        "GetCadre",
        "get_cadre",
        "id",
        "$response.body#/id",
    ),
    (
        "/api/cadres",
        "post",
        "201",
        "UpdateCadre",
        "update_cadre",
        "id",
        "$response.body#/id",
    ),
    (
        "/api/cadres",
        "post",
        "201",
        "AddTitle",
        "add_title",
        "id",
        "$response.body#/id",
    ),
    (
        "/api/cadres",
        "post",
        "201",
        "AddQualification",
        "add_qualification",
        "id",
        "$response.body#/id",
    ),
    (
        "/api/cadres",
        "post",
        "201",
        "CadreCompletions",
        "cadre_completions",
        "id",
        "$response.body#/id",
    ),
    (
        "/api/classes",
        "post",
        "201",
        "GetClass",
        "get_class",
        "code",
        "$response.body#/code",
    ),
    (
        "/api/classes",
        "post",
        "201",
        "UpdateClass",
        "update_class",
        "code",
        "$response.body#/code",
    ),
    (
        "/api/classes",
        "post",
        "201",
        "Enrol",
        "enrol",
        "code",
        "$response.body#/code",
    ),
    (
        "/api/classes",
        "post",
        "201",
        "Enrolments",
        "list_enrolments",
        "code",
        "$response.body#/code",
    ),
    (
        "/api/classes",
        "post",
        "201",
        "Attendance",
        "attendance_grid",
        "code",
        "$response.body#/code",
    ),
    (
        "/api/accounts",
        "post",
        "201",
        "GetAccount",
        "get_account",
        "id",
        "$response.body#/id",
    ),
    (
        "/api/accounts",
        "post",
        "201",
        "UpdateAccount",
        "update_account",
        "id",
        "$response.body#/id",
    ),
    (
        "/api/modules",
        "post",
        "201",
        "GetModule",
        "get_module",
        "code",
        "$response.body#/code",
    ),
    (
        "/api/modules",
        "post",
        "201",
        "UpdateModule",
        "update_module",
        "code",
        "$response.body#/code",
    ),
    (
        "/api/units",
        "post",
        "201",
        "GetUnit",
        "get_unit",
        "code",
        "$response.body#/code",
    ),
    (
        "/api/units",
        "post",
        "201",
        "UpdateUnit",
        "update_unit",
        "code",
        "$response.body#/code",
    ),
];

struct Links;

impl Modify for Links {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::link::LinkBuilder;
        use utoipa::openapi::RefOr;
        for (path, method, status, name, target, param, expr) in LINKS {
            let Some(item) = openapi.paths.paths.get_mut(*path) else {
                continue;
            };
            let op = match *method {
                "post" => item.post.as_mut(),
                _ => None,
            };
            let Some(RefOr::T(response)) = op.and_then(|o| o.responses.responses.get_mut(*status))
            else {
                continue;
            };
            response.links.insert(
                name.to_string(),
                RefOr::T(
                    LinkBuilder::new()
                        .operation_id(*target)
                        .parameter(*param, *expr)
                        .build(),
                ),
            );
        }
    }
}

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The error answers every operation can really give, added where an annotation left them out
/// (each with the [`error::ErrorEnvelope`] body): 401 and 403 on operations with security (no,
/// invalid or revoked token; a role or scope that does not allow it), 404 where a path names
/// something (an unknown id or code), 422 where there are parameters or a body (a value that breaks
/// a rule), 400 and 413 where there is a body (unreadable, too large), and 503 everywhere (the
/// database unavailable).
struct ErrorResponses;

impl ErrorResponses {
    fn add(op: &mut utoipa::openapi::path::Operation) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{RefOr, Required};
        let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
        let params: Vec<(ParameterIn, bool)> = op
            .parameters
            .iter()
            .flatten()
            .filter_map(|p| match p {
                RefOr::T(p) => Some((p.parameter_in.clone(), p.required == Required::True)),
                RefOr::Ref(_) => None,
            })
            .collect();
        let has_path = params.iter().any(|(at, _)| *at == ParameterIn::Path);
        // A unit named in the query that does not exist is a 404 too.
        let names_unit = op.parameters.iter().flatten().any(
            |p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query && p.name == "unit"),
        );
        let has_body = op.request_body.is_some();
        let mut wanted: Vec<(&str, &str)> = Vec::new();
        if secured {
            wanted.push((
                "401",
                "No valid token (missing, invalid, expired or revoked)",
            ));
            wanted.push(("403", "The caller's role or scope does not allow this"));
        }
        if has_path || names_unit {
            wanted.push((
                "404",
                "Nothing with this identifier (or not visible to the caller)",
            ));
        }
        if !params.is_empty() || has_body {
            wanted.push((
                "422",
                "A parameter or field breaks a rule (the field is named)",
            ));
        }
        if has_body {
            wanted.push(("400", "The body could not be read (malformed)"));
            wanted.push(("413", "The body is above the configured limit"));
        }
        let json_body = op.request_body.as_ref().is_some_and(
            |b| matches!(b, RefOr::T(b) if b.content.contains_key("application/json")),
        );
        if json_body {
            wanted.push(("415", "The body was sent as something other than JSON"));
        }
        wanted.push(("503", "The database is unavailable; try again shortly"));
        for (status, description) in wanted {
            op.responses
                .responses
                .entry(status.to_string())
                .or_insert_with(|| RefOr::T(error_response(description)));
        }
    }
}

/// A response with the error envelope as its JSON body.
pub(crate) fn error_response(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                .build(),
        )
        .build()
}

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for op in operations(item) {
                ErrorResponses::add(op);
            }
        }
    }
}

/// A date the API accepts: `YYYY-MM-DD` within 1900–2100 (`api::text::YEARS`), exactly the real
/// days: 30 or 31 days a month as the calendar has them, 29 February in leap years (2000, not
/// 1900 or 2100). A client that checks its input against the document refuses no real day.
pub const DATE_PATTERN: &str = concat!(
    r"^\s*(?:(?:19[0-9]{2}|20[0-9]{2}|2100)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])",
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))",
    r"|(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:0[048]|[2468][048]|[13579][26]))-02-29)\s*$"
);
/// A module, programme, class or title code: 2–20 of `A-Z 0-9 -`, not starting with `-` (case
/// and surrounding spaces ignored, `shared::text::parse_code`).
pub const CODE_PATTERN: &str = r"^\s*[A-Za-z0-9][A-Za-z0-9-]{1,19}\s*$";
/// An official unit code: 1–10 digits (`units::domain::parse_code`).
pub const UNIT_PATTERN: &str = r"^\s*[0-9]{1,10}\s*$";
/// Free text: anything but a NUL character (`api::text::check`).
pub const TEXT_PATTERN: &str = r"^[^\u0000]*$";

/// The real constraints of the query and path parameters, which the annotations leave as plain
/// strings and integers: ranges of `limit`/`offset`/`days`, the values of enumerations, the shapes
/// of codes and dates. A generator that follows the document then sends only what the API accepts,
/// and whatever breaks these rules is refused (422, or 404 for a path naming nothing).
struct ParameterRules;

impl ParameterRules {
    /// The schema of parameter `name` of the operation at `path`, when it has a rule.
    fn schema(path: &str, name: &str) -> Option<serde_json::Value> {
        use serde_json::json;
        let date = json!({"type": "string", "pattern": DATE_PATTERN});
        let code = json!({"type": "string", "pattern": CODE_PATTERN});
        let unit = json!({"type": "string", "pattern": UNIT_PATTERN});
        let text =
            |max: usize| json!({"type": "string", "maxLength": max, "pattern": TEXT_PATTERN});
        let one_of = |values: &[&str]| json!({"type": "string", "enum": values});
        Some(match name {
            "limit" if path == "/api/units" => {
                json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": 200})
            }
            "limit" => json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": 500}),
            "offset" => json!({"type": "integer", "format": "int64", "minimum": 0}),
            "days" => json!({"type": "integer", "format": "int64", "minimum": 1, "maximum": 3650}),
            "as_of" | "effective" => date,
            "from" | "to" => date,
            "format" if path.starts_with("/api/imports/") => one_of(&["csv", "xlsx"]),
            "format" if path.starts_with("/api/exchange/") => one_of(&["xlsx", "zip"]),
            "format" => one_of(&["csv", "xlsx"]),
            "group" => one_of(&["children", "lowest"]),
            "population" => one_of(&["incumbent", "planned", "both"]),
            "lang" => one_of(&["vi", "en"]),
            "role" => one_of(&["admin", "school", "commission", "officer", "cadre"]),
            "level" => one_of(&["city", "district", "commune"]),
            "kind" if path.starts_with("/api/imports/") => {
                one_of(&["cadres", "qualifications", "completions"])
            }
            "organisation" | "org_kind" => one_of(&[
                "fatherland_front",
                "youth_union",
                "womens_union",
                "farmers_association",
                "veterans_association",
                "labour_federation",
                "mass_mobilisation_commission",
                "government",
                "armed_forces",
            ]),
            "status" if path.starts_with("/api/reports/") => {
                one_of(&["short", "meeting", "no_standard", "all"])
            }
            "status" if path == "/api/exports/classes" => json!({"type": "string",
                "pattern": r"^\s*(planned|open|running|finished|cancelled)\s*$"}),
            // A class's enrolments are filtered by theirs (`EnrolmentStatus::parse_list`).
            "status" if path.ends_with("/enrolments") => {
                let one = "(enrolled|waitlisted|withdrawn|removed)";
                json!({"type": "string", "pattern": format!(r"^\s*{one}?\s*(,\s*{one}?\s*)*$")})
            }
            "status" => {
                let one = "(planned|open|running|finished|cancelled)";
                json!({"type": "string", "pattern": format!(r"^\s*{one}?\s*(,\s*{one}?\s*)*$")})
            }
            "code" if path.starts_with("/api/units/") => unit,
            "code" if path.starts_with("/api/certificates/") => json!({"type": "string",
                "pattern": r"^[\s-]*([2-9A-HJ-NP-Za-hj-np-z][\s-]*){10}$"}),
            "code" => code,
            "unit" if path.starts_with("/api/reports/") => {
                json!({"type": "string", "pattern": r"^\s*([0-9]{1,10}|\*)\s*$"})
            }
            "unit" | "root" => unit,
            "q" => text(100),
            "active" | "include_retired" | "retire_missing" | "dry_run" => {
                json!({"type": "boolean"})
            }
            _ => return None,
        })
    }
}

impl Modify for ParameterRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        for (path, item) in openapi.paths.paths.iter_mut() {
            for op in operations(item) {
                for p in op.parameters.iter_mut().flatten() {
                    let RefOr::T(p) = p else { continue };
                    let Some(mut rule) = ParameterRules::schema(path, &p.name) else {
                        continue;
                    };
                    // An optional parameter left empty (or blank) takes its default.
                    // (Not `format` and `lang`, which must be named when given.)
                    if p.required != utoipa::openapi::Required::True
                        && !matches!(p.name.as_str(), "format" | "lang")
                    {
                        allow_blank(&mut rule);
                    }
                    match serde_json::from_value::<RefOr<utoipa::openapi::schema::Schema>>(rule) {
                        Ok(schema) => p.schema = Some(schema),
                        Err(e) => panic!("parameter rule of {path} {}: {e}", p.name),
                    }
                }
            }
        }
    }
}

/// Lets a string rule also admit a blank value.
fn allow_blank(rule: &mut serde_json::Value) {
    // A number or a yes/no left blank: the type admits a string, the pattern only a blank one
    // (`minimum`, `maximum` bind numbers only).
    if rule["type"] == "integer" || rule["type"] == "boolean" {
        let ty = rule["type"].clone();
        rule["type"] = serde_json::json!([ty, "string"]);
        rule["pattern"] = r"^\s*$".into();
        return;
    }
    if rule["type"] != "string" {
        return;
    }
    if let Some(values) = rule["enum"].as_array_mut() {
        values.push("".into());
    }
    if let Some(p) = rule["pattern"].as_str() {
        if p != TEXT_PATTERN {
            rule["pattern"] = format!(r"^\s*$|{p}").into();
        }
    }
}

/// Text the API trims and then requires: at least one character that is not a space, no NUL.
const NON_BLANK_PATTERN: &str = r"^[^\u0000]*[^\s\u0000][^\u0000]*$";

/// The real constraints of the request bodies' fields (lengths, ranges, the shapes of codes and
/// dates), merged into their schemas: (schema, field, constraints). Every `format: date` field of
/// these schemas also gets [`DATE_PATTERN`].
struct BodyRules;

impl BodyRules {
    fn rules() -> Vec<(&'static str, &'static str, serde_json::Value)> {
        use serde_json::json;
        let text = |min: usize, max: usize| {
            if min == 0 {
                json!({"maxLength": max, "pattern": TEXT_PATTERN})
            } else {
                json!({"minLength": min, "maxLength": max, "pattern": NON_BLANK_PATTERN})
            }
        };
        let code = json!({"pattern": CODE_PATTERN});
        let unit = json!({"pattern": UNIT_PATTERN});
        // Left blank: none.
        let blank_or_unit = json!({"pattern": format!(r"^\s*$|{UNIT_PATTERN}")});
        let int = |min: i64, max: i64| json!({"minimum": min, "maximum": max});
        let password = json!({"minLength": 12, "maxLength": 128, "pattern": TEXT_PATTERN});
        let mut rules = vec![
            (
                "CreateAccount",
                "username",
                json!({"pattern": r"^[a-z0-9._-]{3,64}$"}),
            ),
            ("CreateAccount", "password", password.clone()),
            ("CreateAccount", "unit_code", unit.clone()),
            ("UpdateAccount", "unit_code", unit.clone()),
            ("ResetPassword", "new_password", password.clone()),
            ("ChangePassword", "new_password", password),
            ("LoginRequest", "username", text(1, 64)),
            ("LoginRequest", "password", text(1, 128)),
            ("CadreInput", "full_name", text(2, 120)),
            ("CadreInput", "ethnicity", text(1, 50)),
            ("CadreInput", "religion", text(0, 50)),
            (
                "CadreInput",
                "personal_id",
                json!({"pattern": r"^([0-9]{9}|[0-9]{12})$"}),
            ),
            ("CadreInput", "unit_code", unit.clone()),
            ("CadreInput", "phone", json!({"pattern": r"^[0-9]{8,15}$"})),
            (
                "CadreInput",
                "email",
                json!({"pattern": r"^[a-z0-9._-]{1,40}@[a-z0-9-]{1,40}\.[a-z]{2,10}$"}),
            ),
            ("PaperCompletionInput", "module_code", code.clone()),
            ("PaperCompletionInput", "source_ref", text(1, 300)),
            ("PaperCompletionInput", "issuer", text(0, 300)),
            (
                "PaperCompletionInput",
                "source",
                json!({"enum": ["paper", "import", null]}),
            ),
            (
                "PaperCompletionInput",
                "score",
                json!({"minimum": 0, "maximum": 10}),
            ),
            ("PeriodInput", "title_code", code.clone()),
            ("PeriodInput", "unit_code", unit.clone()),
            ("QualificationInput", "evidence", text(0, 300)),
            ("QualificationInput", "issuer", text(0, 300)),
            ("QualificationInput", "source_ref", text(0, 300)),
            ("QualificationPatch", "evidence", text(0, 300)),
            ("QualificationPatch", "issuer", text(0, 300)),
            ("QualificationPatch", "source_ref", text(0, 300)),
            ("QualificationPatch", "reason", text(1, 500)),
            ("RevokeInput", "reason", text(1, 500)),
            ("StatusInput", "reason", text(1, 500)),
            ("WithdrawInput", "reason", text(1, 500)),
            ("ClassInput", "code", code.clone()),
            ("ClassInput", "module_code", code.clone()),
            ("ClassInput", "organiser", text(1, 300)),
            ("ClassInput", "title", text(1, 300)),
            ("ClassInput", "capacity", int(1, 1000)),
            ("ClassInput", "min_attendance_pct", int(0, 100)),
            ("ClassPatch", "organiser", text(1, 300)),
            ("ClassPatch", "title", text(1, 300)),
            ("ClassPatch", "capacity", int(1, 1000)),
            ("ClassPatch", "min_attendance_pct", int(0, 100)),
            ("SessionInput", "venue", text(1, 200)),
            ("SessionInput", "instructor", text(1, 200)),
            ("SessionInput", "title", text(1, 300)),
            ("ResultInput", "score", json!({"minimum": 0, "maximum": 10})),
            ("ModuleInput", "code", code.clone()),
            ("ModuleInput", "title_vi", text(1, 300)),
            ("ModuleInput", "title_en", text(1, 300)),
            ("ModuleInput", "description", text(0, 5000)),
            ("ModuleInput", "periods", int(1, 5000)),
            ("ModuleInput", "validity_years", int(1, 50)),
            (
                "ModuleInput",
                "prerequisites",
                json!({"items": {"type": "string", "pattern": CODE_PATTERN}}),
            ),
            ("ProgrammeInput", "name_vi", text(1, 300)),
            ("ProgrammeInput", "name_en", text(1, 300)),
            ("ProgrammeInput", "description", text(0, 5000)),
            (
                "ProgrammeInput",
                "modules",
                json!({"minItems": 1, "items": {"type": "string", "pattern": CODE_PATTERN}}),
            ),
            ("TitleInput", "code", code.clone()),
            ("TitleInput", "name_vi", text(1, 300)),
            ("TitleInput", "name_en", text(1, 300)),
            (
                "TitleInput",
                "level",
                json!({"enum": ["city", "district", "commune"]}),
            ),
            ("TitlePatch", "name_vi", text(1, 300)),
            ("TitlePatch", "name_en", text(1, 300)),
            ("PublishInput", "note", text(0, 1000)),
            ("UnitInput", "code", unit.clone()),
            ("UnitInput", "name", text(1, 200)),
            ("UnitInput", "parent_code", blank_or_unit.clone()),
            ("RetireInput", "successor_code", blank_or_unit),
        ];
        // A cadre's edit has the same fields, each optional, as its creation.
        let patch: Vec<_> = rules
            .iter()
            .filter(|r| r.0 == "CadreInput")
            .map(|r| ("CadrePatch", r.1, r.2.clone()))
            .collect();
        rules.extend(patch);
        rules
    }
}

/// Merges `extra` into a schema (as JSON; `null` stays allowed where the type allows it).
fn merge_schema(
    schema: &mut utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    f: impl FnOnce(&mut serde_json::Value),
) {
    let Ok(mut v) = serde_json::to_value(&*schema) else {
        return;
    };
    f(&mut v);
    match serde_json::from_value(v) {
        Ok(s) => *schema = s,
        Err(e) => panic!("schema rule: {e}"),
    }
}

impl Modify for BodyRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::schema::Schema;
        use utoipa::openapi::RefOr;
        // An uploaded file is whatever bytes were sent (its rows are checked one by one): its
        // body has no JSON type to violate.
        for item in openapi.paths.paths.values_mut() {
            for op in [item.post.as_mut(), item.put.as_mut()]
                .into_iter()
                .flatten()
            {
                let Some(RefOr::T(body)) = op.request_body.as_mut() else {
                    continue;
                };
                for (content_type, content) in body.content.iter_mut() {
                    let RefOr::T(content) = content else { continue };
                    if content_type != "application/json" {
                        content.schema = Some(RefOr::T(Schema::Object(
                            utoipa::openapi::ObjectBuilder::new()
                                .schema_type(utoipa::openapi::schema::SchemaType::AnyValue)
                                .description(Some("The file's bytes"))
                                .build(),
                        )));
                    }
                }
            }
        }
        let Some(components) = openapi.components.as_mut() else {
            return;
        };
        let rules = BodyRules::rules();
        let mut names: Vec<&str> = rules.iter().map(|r| r.0).collect();
        names.extend(["EndInput", "StatusInput"]);
        for name in names {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) else {
                panic!("no object schema {name}");
            };
            for (field, schema) in object.properties.iter_mut() {
                let extra = rules
                    .iter()
                    .find(|r| r.0 == name && r.1 == field)
                    .map(|r| r.2.clone());
                merge_schema(schema, |v| {
                    if v["format"] == "date" {
                        v["pattern"] = DATE_PATTERN.replace(r"\s*", "").into();
                    }
                    if let (Some(v), Some(serde_json::Value::Object(extra))) =
                        (v.as_object_mut(), extra)
                    {
                        for (k, x) in extra {
                            v.insert(k, x);
                        }
                    }
                });
            }
        }
    }
}

/// The operations of a path, each method once.
/// The query parameter names of every operation the document describes, by method and path as
/// the document writes them (`("GET", "/api/cadres/{id}/gaps")`): what a route reading its
/// parameters as one struct (`?<q..>`) takes (`api::query::single_values`).
pub fn query_parameters() -> std::collections::HashMap<(String, String), Vec<String>> {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::RefOr;
    let mut doc = <ApiDoc as utoipa::OpenApi>::openapi();
    let mut out = std::collections::HashMap::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        let methods = [
            ("GET", item.get.as_ref()),
            ("PUT", item.put.as_ref()),
            ("POST", item.post.as_ref()),
            ("DELETE", item.delete.as_ref()),
            ("PATCH", item.patch.as_ref()),
        ];
        for (method, op) in methods {
            let Some(op) = op else { continue };
            let names = op
                .parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    RefOr::T(p) if p.parameter_in == ParameterIn::Query => Some(p.name.clone()),
                    _ => None,
                })
                .collect();
            out.insert((method.to_string(), path.clone()), names);
        }
    }
    out
}

fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        item.get.as_mut(),
        item.put.as_mut(),
        item.post.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::{ParameterRules, DATE_PATTERN};

    /// The date pattern admits exactly the real days of 1900–2100: every string `YYYY-MM-DD` of
    /// months 00–13 and days 00–32 in the years around the bounds, the leap years and others.
    #[test]
    fn a_status_filter_takes_the_statuses_of_what_it_lists() {
        let pattern = |path: &str| {
            let schema = ParameterRules::schema(path, "status").expect("a rule");
            regex::Regex::new(schema["pattern"].as_str().expect("a pattern")).expect("a regex")
        };
        let enrolments = pattern("/api/classes/{code}/enrolments");
        assert!(enrolments.is_match("enrolled, waitlisted"));
        assert!(enrolments.is_match("withdrawn,removed"));
        assert!(!enrolments.is_match("open"));
        let classes = pattern("/api/classes");
        assert!(classes.is_match("open,running"));
        assert!(!classes.is_match("enrolled"));
    }

    #[test]
    fn the_date_pattern_is_the_calendar() {
        let re = regex::Regex::new(DATE_PATTERN).expect("a pattern");
        for year in [
            1899, 1900, 1901, 1904, 1996, 2000, 2023, 2024, 2025, 2096, 2099, 2100, 2101,
        ] {
            for month in 0..=13 {
                for day in 0..=32 {
                    let s = format!("{year:04}-{month:02}-{day:02}");
                    let real = chrono::NaiveDate::from_ymd_opt(year, month, day).is_some()
                        && (1900..=2100).contains(&year);
                    assert_eq!(re.is_match(&s), real, "{s}");
                }
            }
        }
        assert!(re.is_match(" 2015-12-31 "));
        assert!(!re.is_match("2015-12-31T00:00"));
    }
}
