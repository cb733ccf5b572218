//! The OpenAPI 3 document, generated from the route annotations, and its docs page.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{
    accounts, api, audit, auth, cadres, calendar, classes, completions, curriculum, enrolments,
    error, exports, gaps, health, imports, me, standards, units,
};

/// The API description served at `/api/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(title = "Cadre training and qualification", description = "Training and qualification of Ho Chi Minh City's mass-mobilisation cadres (deliverables 9.2 and 9.7). Every error body is `{\"error\": {\"code\", \"message\", \"field\"}}`."),
    paths(
        health::health,
        auth::routes::login, auth::routes::logout, auth::routes::me, auth::routes::change_password,
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
        standards::titles::list_titles, standards::titles::create_title, standards::titles::update_title,
        standards::routes::list_versions, standards::routes::in_force, standards::routes::publish,
        classes::routes::list_classes, classes::routes::get_class, classes::routes::create_class,
        classes::routes::update_class, classes::routes::replace_sessions, classes::routes::change_status,
        enrolments::routes::list_enrolments, enrolments::routes::enrol, enrolments::routes::withdraw,
        completions::routes::attendance_grid, completions::routes::record_attendance, completions::routes::record_results,
        completions::routes::class_completions, completions::routes::verify_certificate, completions::routes::revoke_certificate,
        completions::routes::cadre_completions, completions::routes::add_paper_completion, completions::routes::stale_soon,
        calendar::class_feed, calendar::cadre_feed, calendar::create_feed_token, calendar::revoke_feed_token,
        me::me,
        gaps::routes::gap_report, gaps::routes::gap_cadres, gaps::routes::training_demand, gaps::routes::compare,
        gaps::routes::cadre_gaps, gaps::routes::export_gap_report, gaps::routes::export_gap_cadres,
        gaps::routes::export_training_demand, gaps::routes::export_compare,
        imports::routes::template, imports::routes::import_file, imports::routes::import_problems, exports::routes::export_cadres, exports::routes::export_completions,
        exports::routes::export_classes,
    ),
    components(schemas(
        error::ErrorEnvelope, error::ErrorBody, error::ErrorDetail, error::ProblemCount,
        api::Page<accounts::store::AccountView>, api::Page<audit::store::AuditEntry>,
        api::Page<cadres::store::CadreView>, api::Page<gaps::report::Assessment>,
    )),
    modifiers(&BearerAuth, &Links),
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
        (name = "reports", description = "Gap reports, training demand"),
        (name = "calendar", description = "iCalendar feeds"),
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
