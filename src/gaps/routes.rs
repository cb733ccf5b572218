//! HTTP routes of the gap reports: the report by unit, the cadres behind a cell, training demand,
//! two dates compared, and one cadre's own gaps. Each reads its query parameters into their typed
//! form (`params`), asks the service, and answers JSON or a file.

use rocket::serde::json::Json;
use rocket::{get, routes, Route, State};

use super::export::{cadre_headers, cadre_row, compare_table, demand_tables, gap_tables};
use super::params::{
    AsOf, Between, BetweenFile, DrillFile, DrillPage, OnDay, OnDayFile, ReportParams,
};
use super::reasons::Lang;
use super::report::Assessment;
use super::service::{self, CompareReport, DemandReport, GapList, GapReport, Reasons};
use crate::api::Page;
use crate::auth::AuthUser;
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::shared::download::{stream_table, Download, Streamed};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![
        gap_report,
        gap_cadres,
        training_demand,
        compare,
        cadre_gaps,
        export_gap_report,
        export_gap_cadres,
        export_training_demand,
        export_compare,
        reason_catalogue
    ]
}

/// Gap report for a unit subtree as of a date: per child unit (or per ward/commune), how many
/// title holders (and/or planned successors) meet their title's standard, how many fall short
/// and of which requirement, split by gender, age band and ethnic minority, with a totals row.
/// Holders whose title has no standard in force are counted in `no_standard`.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(OnDay),
    responses((status = 200, body = GapReport), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/gaps?<q..>")]
pub async fn gap_report(
    state: &State<AppState>,
    user: AuthUser,
    q: ReportParams<'_>,
) -> AppResult<Json<GapReport>> {
    let args: OnDay = q.parse()?;
    Ok(Json(service::report(state, &user, &args).await?))
}

/// The cadres behind a cell of the report: those of a unit's subtree, optionally only those
/// short of one requirement (`requirement=module:DV-03`), or by status; paged, each with every check.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(DrillPage),
    responses((status = 200, body = Page<Assessment>), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/gaps/cadres?<q..>")]
pub async fn gap_cadres(
    state: &State<AppState>,
    user: AuthUser,
    q: ReportParams<'_>,
) -> AppResult<Json<Page<Assessment>>> {
    let args: DrillPage = q.parse()?;
    let window = service::Window {
        offset: args.page.offset as usize,
        limit: args.page.limit as usize,
    };
    let b = service::cadres_behind(state, &user, &args.of, Some(window), Reasons::Every).await?;
    Ok(Json(Page {
        total: b.total as i64,
        limit: args.page.limit,
        offset: args.page.offset,
        items: b.cadres,
    }))
}

/// Training demand: per module, per unit, how many assessed holders need it — a missing or stale
/// `module` requirement, or a `min_level` that a module awards — with the seats already planned
/// in open or planned classes, so the remaining demand is visible.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(OnDay),
    responses((status = 200, body = DemandReport), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/training-demand?<q..>")]
pub async fn training_demand(
    state: &State<AppState>,
    user: AuthUser,
    q: ReportParams<'_>,
) -> AppResult<Json<DemandReport>> {
    let args: OnDay = q.parse()?;
    Ok(Json(service::training_demand(state, &user, &args).await?))
}

/// Compliance per unit at two dates and the change (e.g. the 2015 mid-term review against the
/// 2020 final review).
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(Between),
    responses((status = 200, body = CompareReport), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/gaps/compare?<q..>")]
pub async fn compare(
    state: &State<AppState>,
    user: AuthUser,
    q: ReportParams<'_>,
) -> AppResult<Json<CompareReport>> {
    let args: Between = q.parse()?;
    Ok(Json(service::compare(state, &user, &args).await?))
}

/// One cadre's gaps against their titles' standards, with the open classes that would close each.
#[utoipa::path(tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Cadre id"), AsOf),
    responses((status = 200, body = GapList), (status = 404, body = ErrorEnvelope)))]
#[get("/api/cadres/<id>/gaps?<q..>")]
pub async fn cadre_gaps(
    state: &State<AppState>,
    user: AuthUser,
    id: &str,
    q: ReportParams<'_>,
) -> AppResult<Json<GapList>> {
    let AsOf(as_of) = q.parse()?;
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::not_found(crate::msg!(NoCadre, id = id)))?;
    Ok(Json(service::cadre_gaps(state, &user, id, as_of).await?))
}

/// The gap report as a file: `format=csv` (the rows, every requirement and split as columns) or
/// `format=xlsx` (a sheet per part). Same parameters and scope as the JSON report.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(OnDayFile),
    responses((status = 200, description = "CSV (UTF-8 with BOM) or XLSX file"), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/gaps/export?<q..>")]
pub async fn export_gap_report(
    state: &State<AppState>,
    user: AuthUser,
    q: ReportParams<'_>,
) -> AppResult<Download> {
    let args: OnDayFile = q.parse()?;
    let r = service::report(state, &user, &args.of).await?;
    let names = service::reason_names(state).await?;
    Download::of(
        &gap_tables(&r.rows, &r.totals, &r.requirement_keys, args.lang, &names),
        args.format,
        &format!("gap-report-{}-{}", r.unit_code, r.as_of),
    )
}

/// The cadres behind a cell, as a file (`format=csv|xlsx`), every match (no paging).
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(DrillFile),
    responses((status = 200, description = "CSV or XLSX file"), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/gaps/cadres/export?<q..>")]
pub async fn export_gap_cadres(
    state: &State<AppState>,
    user: AuthUser,
    q: ReportParams<'_>,
) -> AppResult<Streamed> {
    let args: DrillFile = q.parse()?;
    // Assessed once, whatever the number of rows; written a page of rows at a time.
    let b = service::cadres_behind(state, &user, &args.of, None, Reasons::Unmet).await?;
    let (lang, names) = (args.lang, b.scales);
    stream_table(
        if lang == Lang::Vi {
            "Cán bộ"
        } else {
            "cadres"
        }
        .into(),
        cadre_headers(lang),
        b.cadres
            .into_iter()
            .map(move |a| cadre_row(a, lang, &*names)),
        args.format,
        &format!("gap-cadres-{}-{}", b.unit_code, b.as_of),
    )
    .await
}

/// Training demand as a file (`format=csv|xlsx`): one row per module; XLSX adds a sheet per unit cell.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(OnDayFile),
    responses((status = 200, description = "CSV or XLSX file"), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/training-demand/export?<q..>")]
pub async fn export_training_demand(
    state: &State<AppState>,
    user: AuthUser,
    q: ReportParams<'_>,
) -> AppResult<Download> {
    let args: OnDayFile = q.parse()?;
    let d = service::training_demand(state, &user, &args.of).await?;
    Download::of(
        &demand_tables(&d.modules, args.lang),
        args.format,
        &format!("training-demand-{}-{}", d.unit_code, d.as_of),
    )
}

/// Two dates compared, as a file (`format=csv|xlsx`).
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(BetweenFile),
    responses((status = 200, description = "CSV or XLSX file"), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/gaps/compare/export?<q..>")]
pub async fn export_compare(
    state: &State<AppState>,
    user: AuthUser,
    q: ReportParams<'_>,
) -> AppResult<Download> {
    let args: BetweenFile = q.parse()?;
    let c = service::compare(state, &user, &args.of).await?;
    Download::of(
        &[compare_table(&c.rows, &c.totals, (c.from, c.to), args.lang)],
        args.format,
        &format!("gap-compare-{}-{}-{}", c.unit_code, c.from, c.to),
    )
}

/// The catalogue of the gap reasons in one language (`vi`, the default, or `en`): every reason
/// code's template (`{name}` for a parameter) and the parameters it names, and how the scales
/// and levels a parameter holds are written in that language, so a client renders a check
/// (`code` and `params`) in its user's language. Any signed-in user (a cadre reads their own gaps).
#[utoipa::path(tag = "reports", security(("bearer" = [])),
    params(("lang" = Option<String>, Query, description = "vi (default) or en")),
    responses((status = 200, description = "The catalogue: {lang, messages: {code: template}, params: {code: [name]}, values: {scale, level}}"),
              (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/gaps/reasons?<lang>")]
pub async fn reason_catalogue(
    state: &State<AppState>,
    _user: AuthUser,
    lang: Option<&str>,
) -> AppResult<Json<serde_json::Value>> {
    let lang = Lang::from_query(lang)?;
    let names = service::reason_names(state).await?;
    Ok(Json(super::reasons::catalogue(lang, &names)))
}
