//! HTTP routes of the gap reports: the report by unit, the cadres behind a cell, training demand,
//! two dates compared, and one cadre's own gaps.

use chrono::{NaiveDate, Utc};
use rocket::serde::json::Json;
use rocket::{get, routes, Route, State};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use utoipa::ToSchema;

use super::export::gap_tables;
use super::own::{needs_open_classes, title_gaps, TitleGap, OPEN_CLASSES_SQL};
use super::report::{aggregate, assessments, required_rank, Assessment, ReportRow};
use super::store::{self, Filter, Population, ReportUnit, ScaleRef};
use crate::api::{parse_opt, Page, PageParams};
use crate::auth::{AuthUser, Role, Scope};
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::on_db;
use crate::shared::download::{parse_format, Cell, Download, Table};
use crate::shared::tree::{path_codes, subtree_range};
use crate::standards::store::StandardVersion;
use crate::state::AppState;
use crate::units::domain::{UnitKind, UnitLevel};
use crate::units::store::UnitRecord;

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
        export_compare
    ]
}

/// How report rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// One row per child of the unit (drill down one level at a time).
    Children,
    /// One row per ward/commune under the unit.
    Lowest,
}

/// The common query parameters of the reports, parsed and checked against the caller's scope.
pub struct ReportQuery {
    /// The subtree's root.
    pub root: UnitRecord,
    /// Loading filter.
    pub filter: Filter,
}

/// Reads the common parameters: `unit` (default: the caller's home unit, or the only root),
/// `as_of` (default today), `population` (default `incumbent`), `title`, `org_kind`.
pub async fn report_query(
    state: &AppState,
    user: &AuthUser,
    unit: Option<&str>,
    as_of: Option<&str>,
    population: Option<&str>,
    title: Option<&str>,
    org_kind: Option<&str>,
) -> AppResult<ReportQuery> {
    if user.role == Role::Cadre {
        return Err(AppError::Forbidden(
            "the cadre role sees only its own gaps (GET /api/me)".into(),
        ));
    }
    let scope = user.scope()?;
    let as_of = parse_opt::<NaiveDate>("as_of", as_of)?.unwrap_or_else(|| state.clock.today());
    let population = match population.map(str::trim).filter(|s| !s.is_empty()) {
        None => Population::Incumbent,
        Some(p) => Population::parse(p).ok_or_else(|| {
            AppError::invalid(
                "population",
                "population must be incumbent, planned or both",
            )
        })?,
    };
    let code = match (unit.map(str::trim).filter(|s| !s.is_empty()), &scope) {
        (Some(c), _) => Some(c.to_string()),
        (None, Scope::Subtree { code, .. } | Scope::Own { code, .. }) => Some(code.clone()),
        (None, Scope::All) => {
            let roots = crate::units::store::roots(&state.db).await?;
            match roots.as_slice() {
                [only] => Some(only.code.clone()),
                _ => None,
            }
        }
    };
    let root = match code.as_deref() {
        // `unit=*`, or no unit when the tree has several top-level units: the whole country.
        None | Some("*") if scope == Scope::All => whole_tree(),
        None | Some("*") => {
            return Err(AppError::Forbidden(
                "the whole tree is outside the subtree of your account's unit".into(),
            ))
        }
        Some(code) => root_on(state, &scope, code, as_of).await?,
    };
    let title = title
        .map(|t| t.trim().to_uppercase())
        .filter(|t| !t.is_empty());
    let org_kind = org_kind
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty());
    if let Some(o) = &org_kind {
        crate::standards::domain::Organisation::parse(o).ok_or_else(|| {
            AppError::invalid("org_kind", format!("unknown organisation kind {o:?}"))
        })?;
    }
    Ok(ReportQuery {
        filter: Filter {
            as_of,
            range: subtree_range(&root.path),
            population,
            title,
            org_kind,
            cadre_id: None,
            tree_on: as_of,
        },
        root,
    })
}

/// The report's root as it stood on `d` (name, kind, place in the tree of that day), checked
/// against the caller's scope across time (ARCHITECTURE.md, "Time and place"): an officer sees a
/// unit on D when it lay in their unit's subtree on D, or when the unit it became (its main
/// successor, followed to today) lies in their unit's subtree today.
pub async fn root_on(
    state: &AppState,
    scope: &Scope,
    code: &str,
    d: NaiveDate,
) -> AppResult<UnitRecord> {
    use crate::units::store::{period_on, period_today};
    let Some(p) = period_on(&state.db, code, d).await? else {
        return Err(match crate::units::store::get(&state.db, code).await? {
            Some(_) => AppError::invalid("unit", format!("unit {code} did not exist yet on {d}")),
            None => AppError::not_found(format!("no unit with code {code}")),
        });
    };
    if p.status != "live" {
        return Err(AppError::invalid(
            "unit",
            if p.status == "merged" {
                format!(
                    "unit {code} no longer existed on {d}: it was merged into {}",
                    p.placed_code
                )
            } else {
                format!("unit {code} no longer existed on {d}")
            },
        ));
    }
    if let Scope::Subtree { code: home, path }
    | Scope::Own {
        code: home, path, ..
    } = scope
    {
        let home_then = period_on(&state.db, home, d)
            .await?
            .filter(|h| h.status == "live" && p.path.starts_with(&h.path));
        let now_in = period_today(&state.db, code)
            .await?
            .is_some_and(|t| t.path.starts_with(path.as_str()));
        if home_then.is_none() && !now_in {
            return Err(AppError::Forbidden(
                "this unit is outside the subtree of your account's unit".into(),
            ));
        }
    }
    Ok(UnitRecord {
        code: p.code,
        name: p.name,
        kind: p.kind,
        parent_code: p.parent_code,
        path: p.path,
        depth: p.depth,
        retired_on: None,
        successor_code: None,
        updated_at: chrono::DateTime::<Utc>::UNIX_EPOCH,
    })
}

/// A virtual root above the top-level units: reports over the whole country.
pub fn whole_tree() -> UnitRecord {
    UnitRecord {
        code: "*".into(),
        name: "Cả nước".into(),
        kind: "country".into(),
        parent_code: None,
        path: "/".into(),
        depth: -1,
        retired_on: None,
        successor_code: None,
        updated_at: chrono::DateTime::<Utc>::UNIX_EPOCH,
    }
}

/// Assessments with the reference data they were made with.
pub struct Assessed {
    /// One per title held or planned.
    pub items: Vec<Assessment>,
    /// The standards in force on the date, by title code.
    pub standards: HashMap<String, StandardVersion>,
    /// The scales and their ranks.
    pub scales: ScaleRef,
}

/// Loads and assesses (a fixed number of queries).
pub async fn assess_all(state: &AppState, f: &Filter) -> AppResult<Assessed> {
    let loaded = store::load(&state.db, f).await?;
    let standards = crate::standards::store::in_force(&state.db, f.as_of).await?;
    let scales = store::scale_reference(&state.db).await?;
    let items = assessments(loaded, &standards, &scales, f.as_of);
    Ok(Assessed {
        items,
        standards,
        scales,
    })
}

fn is_commune_level(kind: &str) -> bool {
    UnitKind::parse(kind).map(|k| k.level()) == Some(UnitLevel::Commune)
}

/// The groups of a report and the group of each assessment.
pub fn grouped(
    root: &UnitRecord,
    units: &[ReportUnit],
    assessed: &[Assessment],
    grouping: Grouping,
) -> (Vec<ReportRow>, ReportRow) {
    // The index of the child's code in a path (the whole tree's virtual root has depth -1).
    let mut groups: Vec<(String, String)> = match grouping {
        Grouping::Children => {
            let mut groups: Vec<(String, String)> = vec![];
            if assessed
                .iter()
                .any(|a| !a.unplaced && a.unit_code == root.code)
            {
                groups.push((root.code.clone(), root.name.clone()));
            }
            groups.extend(
                units
                    .iter()
                    .filter(|u| u.depth == root.depth + 1)
                    .map(|u| (u.code.clone(), u.name.clone())),
            );
            groups
        }
        Grouping::Lowest => {
            let with_people: BTreeSet<&str> =
                assessed.iter().map(|a| a.unit_code.as_str()).collect();
            units
                .iter()
                .filter(|u| is_commune_level(&u.kind) || with_people.contains(u.code.as_str()))
                .map(|u| (u.code.clone(), u.name.clone()))
                .collect()
        }
    };
    if assessed.iter().any(|a| a.unplaced) {
        groups.push((UNPLACED.into(), UNPLACED_NAME.into()));
    }
    aggregate(assessed, &groups, |a| Some(group_of(root, a, grouping)))
}

/// The row code of holders whose unit was retired with no successor on the tree's day.
pub const UNPLACED: &str = "UNPLACED";
/// Its name.
pub const UNPLACED_NAME: &str = "Chưa xếp đơn vị (đơn vị đã giải thể, chưa có đơn vị kế thừa)";

/// The group (row code) of an assessment in a report on `root`.
pub fn group_of(root: &UnitRecord, a: &Assessment, grouping: Grouping) -> String {
    if a.unplaced {
        return UNPLACED.into();
    }
    match grouping {
        Grouping::Lowest => a.unit_code.clone(),
        Grouping::Children => path_codes(&a.unit_path)
            .get((root.depth + 1) as usize)
            .map(|c| c.to_string())
            .unwrap_or_else(|| root.code.clone()),
    }
}

fn parse_grouping(raw: Option<&str>) -> AppResult<Grouping> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("children") => Ok(Grouping::Children),
        Some("lowest") => Ok(Grouping::Lowest),
        Some(_) => Err(AppError::invalid(
            "group",
            "group must be children or lowest",
        )),
    }
}

/// A gap report.
#[derive(Debug, Serialize, ToSchema)]
pub struct GapReport {
    /// The subtree's root.
    pub unit_code: String,
    /// Its name.
    pub unit_name: String,
    /// As of this day.
    pub as_of: NaiveDate,
    /// `incumbent`, `planned` or `both`.
    pub population: String,
    /// How rows are grouped.
    pub group: Grouping,
    /// Every requirement key appearing in the report (columns of `short_by_requirement`).
    pub requirement_keys: Vec<String>,
    /// One row per group.
    pub rows: Vec<ReportRow>,
    /// Totals (the sum of the rows).
    pub totals: ReportRow,
}

/// Builds the report for a query.
pub async fn build_report(
    state: &AppState,
    q: &ReportQuery,
    grouping: Grouping,
) -> AppResult<GapReport> {
    let assessed = assess_all(state, &q.filter).await?.items;
    let units = store::units(&state.db, &q.filter.range, q.filter.tree_on).await?;
    let (rows, totals) = grouped(&q.root, &units, &assessed, grouping);
    let keys: BTreeSet<String> = assessed
        .iter()
        .flat_map(|a| a.checks.iter().map(|c| c.key.clone()))
        .collect();
    Ok(GapReport {
        unit_code: q.root.code.clone(),
        unit_name: q.root.name.clone(),
        as_of: q.filter.as_of,
        population: match q.filter.population {
            Population::Incumbent => "incumbent",
            Population::Planned => "planned",
            Population::Both => "both",
        }
        .into(),
        group: grouping,
        requirement_keys: keys.into_iter().collect(),
        rows,
        totals,
    })
}

/// Gap report for a unit subtree as of a date: per child unit (or per ward/commune), how many
/// title holders (and/or planned successors) meet their title's standard, how many fall short
/// and of which requirement, split by gender, age band and ethnic minority, with a totals row.
/// Holders whose title has no standard in force are counted in `no_standard`.
#[utoipa::path(tag = "reports", security(("bearer" = [])),
    params(("unit" = Option<String>, Query, description = "Root unit (default: your unit, or the only root)"),
           ("as_of" = Option<String>, Query, description = "YYYY-MM-DD (default today)"),
           ("population" = Option<String>, Query, description = "incumbent (default), planned or both"),
           ("title" = Option<String>, Query, description = "Only this title code"),
           ("org_kind" = Option<String>, Query, description = "Only titles of this organisation kind"),
           ("group" = Option<String>, Query, description = "children (default) or lowest")),
    responses((status = 200, body = GapReport), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/gaps?<unit>&<as_of>&<population>&<title>&<org_kind>&<group>")]
#[allow(clippy::too_many_arguments)]
pub async fn gap_report(
    state: &State<AppState>,
    user: AuthUser,
    unit: Option<&str>,
    as_of: Option<&str>,
    population: Option<&str>,
    title: Option<&str>,
    org_kind: Option<&str>,
    group: Option<&str>,
) -> AppResult<Json<GapReport>> {
    let grouping = parse_grouping(group)?;
    let q = report_query(state, &user, unit, as_of, population, title, org_kind).await?;
    Ok(Json(build_report(state, &q, grouping).await?))
}

/// The cadres behind a cell of the report: those of a unit's subtree, optionally only those
/// short of one requirement (`requirement=module:DV-03`), or by status; paged, each with every check.
#[utoipa::path(tag = "reports", security(("bearer" = [])),
    params(("unit" = Option<String>, Query, description = "The row's unit"),
           ("as_of" = Option<String>, Query, description = "YYYY-MM-DD"),
           ("population" = Option<String>, Query, description = "incumbent, planned or both"),
           ("title" = Option<String>, Query, description = "Title code"),
           ("org_kind" = Option<String>, Query, description = "Organisation kind"),
           ("requirement" = Option<String>, Query, description = "Only those short of this requirement key"),
           ("status" = Option<String>, Query, description = "short (default), meeting, no_standard or all"),
           ("row" = Option<String>, Query, description = "Only those counted in this row of the report on `unit` (a child's code, the unit's own code, or UNPLACED)"),
           ("group" = Option<String>, Query, description = "children (default) or lowest: the grouping `row` refers to"),
           ("limit" = Option<i64>, Query, description = "1–500"), ("offset" = Option<i64>, Query, description = "Rows to skip")),
    responses((status = 200, body = Page<Assessment>), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/gaps/cadres?<unit>&<as_of>&<population>&<title>&<org_kind>&<requirement>&<status>&<row>&<group>&<limit>&<offset>")]
#[allow(clippy::too_many_arguments)]
pub async fn gap_cadres(
    state: &State<AppState>,
    user: AuthUser,
    unit: Option<&str>,
    as_of: Option<&str>,
    population: Option<&str>,
    title: Option<&str>,
    org_kind: Option<&str>,
    requirement: Option<&str>,
    status: Option<&str>,
    row: Option<&str>,
    group: Option<&str>,
    limit: Option<&str>,
    offset: Option<&str>,
) -> AppResult<Json<Page<Assessment>>> {
    let page = PageParams::parse(limit, offset)?;
    let q = report_query(state, &user, unit, as_of, population, title, org_kind).await?;
    let list = cadres_behind(state, &q, requirement, status, row, group).await?;
    let total = list.len() as i64;
    let items = list
        .into_iter()
        .skip(page.offset as usize)
        .take(page.limit as usize)
        .collect();
    Ok(Json(Page {
        total,
        limit: page.limit,
        offset: page.offset,
        items,
    }))
}

/// The cadres behind a cell, assessed once and sorted by unit path, then name (sort keys computed
/// once per cadre): `status` (short, meeting, no_standard, all), `requirement` (only those short of
/// it), `row` (only those counted in that row of the report grouped by `group`).
pub async fn cadres_behind(
    state: &AppState,
    q: &ReportQuery,
    requirement: Option<&str>,
    status: Option<&str>,
    row: Option<&str>,
    group: Option<&str>,
) -> AppResult<Vec<Assessment>> {
    let grouping = parse_grouping(group)?;
    let status = status
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("short");
    if !["short", "meeting", "no_standard", "all"].contains(&status) {
        return Err(AppError::invalid(
            "status",
            "status must be short, meeting, no_standard or all",
        ));
    }
    let requirement = requirement.map(str::trim).filter(|s| !s.is_empty());
    let row = row.map(str::trim).filter(|s| !s.is_empty());
    let mut list: Vec<Assessment> = assess_all(state, &q.filter)
        .await?
        .items
        .into_iter()
        .filter(|a| match status {
            "short" => a.meets() == Some(false),
            "meeting" => a.meets() == Some(true),
            "no_standard" => a.meets().is_none(),
            _ => true,
        })
        .filter(|a| requirement.is_none_or(|k| a.unmet().any(|c| c.key == k)))
        .filter(|a| row.is_none_or(|r| group_of(&q.root, a, grouping) == r))
        .collect();
    list.sort_by_cached_key(|a| {
        (
            a.unit_path.clone(),
            crate::cadres::domain::sort_key(&a.full_name),
            a.cadre_id,
        )
    });
    Ok(list)
}

/// Training demand for one module.
#[derive(Debug, Serialize, ToSchema)]
pub struct DemandRow {
    /// Module code.
    pub module_code: String,
    /// Module title (Vietnamese).
    pub module_title_vi: String,
    /// Assessed holders who need it.
    pub needed: i64,
    /// Seats in planned or open classes of the module.
    pub seats_planned: i64,
    /// needed − seats_planned (at least 0).
    pub remaining: i64,
    /// Who needs it, per group unit.
    pub by_unit: Vec<DemandCell>,
}

/// Demand in one unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct DemandCell {
    /// Unit code.
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Holders who need the module.
    pub needed: i64,
}

/// Training demand.
#[derive(Debug, Serialize, ToSchema)]
pub struct DemandReport {
    /// Root unit.
    pub unit_code: String,
    /// As of.
    pub as_of: NaiveDate,
    /// One row per module needed, most needed first.
    pub modules: Vec<DemandRow>,
}

/// Training demand: per module, per unit, how many assessed holders need it — a missing or stale
/// `module` requirement, or a `min_level` that a module awards — with the seats already planned
/// in open or planned classes, so the remaining demand is visible.
#[utoipa::path(tag = "reports", security(("bearer" = [])),
    params(("unit" = Option<String>, Query, description = "Root unit"), ("as_of" = Option<String>, Query, description = "YYYY-MM-DD"),
           ("population" = Option<String>, Query, description = "incumbent, planned or both"),
           ("title" = Option<String>, Query, description = "Title code"), ("org_kind" = Option<String>, Query, description = "Organisation kind"),
           ("group" = Option<String>, Query, description = "children (default) or lowest")),
    responses((status = 200, body = DemandReport), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/training-demand?<unit>&<as_of>&<population>&<title>&<org_kind>&<group>")]
#[allow(clippy::too_many_arguments)]
pub async fn training_demand(
    state: &State<AppState>,
    user: AuthUser,
    unit: Option<&str>,
    as_of: Option<&str>,
    population: Option<&str>,
    title: Option<&str>,
    org_kind: Option<&str>,
    group: Option<&str>,
) -> AppResult<Json<DemandReport>> {
    let grouping = parse_grouping(group)?;
    let q = report_query(state, &user, unit, as_of, population, title, org_kind).await?;
    let Assessed {
        items: assessed,
        standards,
        scales,
    } = assess_all(state, &q.filter).await?;
    let units = store::units(&state.db, &q.filter.range, q.filter.tree_on).await?;
    // Modules that award a level: scale → [(rank, module code)], lowest rank first.
    let awarding: Vec<(String, String, String, String)> = on_db!(&state.db, |p| {
        sqlx::query_as(
        "SELECT code, title_vi, awards_scale, awards_level FROM modules WHERE active = TRUE AND awards_scale IS NOT NULL AND awards_level IS NOT NULL"
    )
    .fetch_all(p)
    .await?
    });
    let mut by_scale: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    for (code, _, scale, level) in &awarding {
        if let Some(r) = scales.rank_of.get(&(scale.clone(), level.clone())) {
            by_scale
                .entry(scale.clone())
                .or_default()
                .push((*r, code.clone()));
        }
    }
    for v in by_scale.values_mut() {
        v.sort();
    }
    // Each cadre counts once per module and group, however many of their titles need it.
    let mut need: BTreeMap<String, BTreeMap<String, BTreeSet<i64>>> = BTreeMap::new();
    for a in &assessed {
        let Some(std) = standards.get(&a.title_code) else {
            continue;
        };
        for c in a.unmet() {
            let module = if let Some(m) = c.key.strip_prefix("module:") {
                Some(m.to_string())
            } else if let Some(scale) = c.key.strip_prefix("min_level:") {
                required_rank(std, scale, &scales).and_then(|nr| {
                    by_scale
                        .get(scale)
                        .and_then(|v| v.iter().find(|(r, _)| *r >= nr).map(|(_, m)| m.clone()))
                })
            } else {
                None
            };
            if let Some(m) = module {
                need.entry(m)
                    .or_default()
                    .entry(group_of(&q.root, a, grouping))
                    .or_default()
                    .insert(a.cadre_id);
            }
        }
    }
    let seats: Vec<(String, i64)> = on_db!(&state.db, |p| {
        sqlx::query_as(
        "SELECT m.code, CAST(SUM(c.capacity) AS BIGINT) FROM classes c JOIN modules m ON m.id = c.module_id
         WHERE c.status IN ('planned', 'open') GROUP BY m.code"
    )
    .fetch_all(p)
    .await?
    });
    let seats: HashMap<String, i64> = seats.into_iter().collect();
    let titles: HashMap<String, String> =
        on_db!(&state.db, |p| sqlx::query_as::<_, (String, String)>(
            "SELECT code, title_vi FROM modules"
        )
        .fetch_all(p)
        .await?)
        .into_iter()
        .collect();
    let names: HashMap<&str, &str> = units
        .iter()
        .map(|u| (u.code.as_str(), u.name.as_str()))
        .chain([
            (UNPLACED, UNPLACED_NAME),
            (q.root.code.as_str(), q.root.name.as_str()),
        ])
        .collect();
    let mut modules: Vec<DemandRow> = need
        .into_iter()
        .map(|(m, cells)| {
            let needed = cells.values().flatten().collect::<BTreeSet<_>>().len() as i64;
            let cells: BTreeMap<String, i64> = cells
                .into_iter()
                .map(|(u, who)| (u, who.len() as i64))
                .collect();
            let planned = seats.get(&m).copied().unwrap_or(0);
            DemandRow {
                module_title_vi: titles.get(&m).cloned().unwrap_or_default(),
                needed,
                seats_planned: planned,
                remaining: (needed - planned).max(0),
                by_unit: cells
                    .into_iter()
                    .map(|(u, n)| DemandCell {
                        unit_name: names
                            .get(u.as_str())
                            .map(|s| s.to_string())
                            .unwrap_or_default(),
                        unit_code: u,
                        needed: n,
                    })
                    .collect(),
                module_code: m,
            }
        })
        .collect();
    modules.sort_by(|a, b| {
        b.needed
            .cmp(&a.needed)
            .then(a.module_code.cmp(&b.module_code))
    });
    Ok(Json(DemandReport {
        unit_code: q.root.code.clone(),
        as_of: q.filter.as_of,
        modules,
    }))
}

/// Compliance of one unit at two dates.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompareRow {
    /// Unit code (`TOTAL` for the totals).
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Row at the first date.
    pub from: ReportRow,
    /// Row at the second date.
    pub to: ReportRow,
    /// Change of compliance, percentage points (absent when either side had nobody assessed).
    pub change_pct: Option<f64>,
}

/// Two dates side by side.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompareReport {
    /// Root unit.
    pub unit_code: String,
    /// First date.
    pub from: NaiveDate,
    /// Second date.
    pub to: NaiveDate,
    /// The day whose unit tree groups both dates (the later one).
    pub tree_as_of: NaiveDate,
    /// How the dates were grouped.
    pub note: String,
    /// One row per group (the groups of either date).
    pub rows: Vec<CompareRow>,
    /// Totals.
    pub totals: CompareRow,
}

fn pair(a: ReportRow, b: ReportRow) -> CompareRow {
    CompareRow {
        unit_code: if a.unit_code.is_empty() {
            b.unit_code.clone()
        } else {
            a.unit_code.clone()
        },
        unit_name: if a.unit_name.is_empty() {
            b.unit_name.clone()
        } else {
            a.unit_name.clone()
        },
        change_pct: match (a.compliance_pct, b.compliance_pct) {
            (Some(x), Some(y)) => Some(((y - x) * 10.0).round() / 10.0),
            _ => None,
        },
        from: a,
        to: b,
    }
}

/// Compliance per unit at two dates and the change (e.g. the 2015 mid-term review against the
/// 2020 final review).
#[utoipa::path(tag = "reports", security(("bearer" = [])),
    params(("unit" = Option<String>, Query, description = "Root unit"),
           ("from" = String, Query, description = "First date"), ("to" = String, Query, description = "Second date"),
           ("population" = Option<String>, Query, description = "incumbent, planned or both"),
           ("title" = Option<String>, Query, description = "Title code"), ("org_kind" = Option<String>, Query, description = "Organisation kind"),
           ("group" = Option<String>, Query, description = "children (default) or lowest")),
    responses((status = 200, body = CompareReport), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/gaps/compare?<unit>&<from>&<to>&<population>&<title>&<org_kind>&<group>")]
#[allow(clippy::too_many_arguments)]
pub async fn compare(
    state: &State<AppState>,
    user: AuthUser,
    unit: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    population: Option<&str>,
    title: Option<&str>,
    org_kind: Option<&str>,
    group: Option<&str>,
) -> AppResult<Json<CompareReport>> {
    let grouping = parse_grouping(group)?;
    let d1 = parse_opt::<NaiveDate>("from", from)?
        .ok_or_else(|| AppError::invalid("from", "from is required"))?;
    let d2 = parse_opt::<NaiveDate>("to", to)?
        .ok_or_else(|| AppError::invalid("to", "to is required"))?;
    // Both dates are grouped by the later date's tree: a unit merged away in between is rolled
    // into its main successor, so the rows of the two dates line up.
    let later = d1.max(d2);
    let mut q = report_query(
        state,
        &user,
        unit,
        Some(&later.to_string()),
        population,
        title,
        org_kind,
    )
    .await?;
    q.filter.as_of = d1;
    let a = build_report(state, &q, grouping).await?;
    q.filter.as_of = d2;
    let b = build_report(state, &q, grouping).await?;
    let mut b_rows: HashMap<String, ReportRow> = b
        .rows
        .into_iter()
        .map(|r| (r.unit_code.clone(), r))
        .collect();
    let mut rows: Vec<CompareRow> = a
        .rows
        .into_iter()
        .map(|r| {
            let other = b_rows.remove(&r.unit_code).unwrap_or_default();
            pair(r, other)
        })
        .collect();
    rows.extend(b_rows.into_values().map(|r| pair(ReportRow::default(), r)));
    Ok(Json(CompareReport {
        unit_code: q.root.code.clone(),
        from: d1,
        to: d2,
        tree_as_of: later,
        note: format!(
            "both dates are grouped by the unit tree of {later}; units merged away before then are counted under their main successor"
        ),
        totals: pair(a.totals, b.totals),
        rows,
    }))
}

/// A cadre's gaps against the standards of the titles they hold or are planned for, with the
/// open classes that would close each, as of any day (officers; `/api/me` uses `own::own_gaps_on`).
pub async fn gaps_of(
    state: &AppState,
    cadre_id: i64,
    as_of: NaiveDate,
) -> AppResult<Vec<TitleGap>> {
    let f = Filter {
        as_of,
        range: subtree_range("/"),
        population: Population::Both,
        title: None,
        org_kind: None,
        cadre_id: Some(cadre_id),
        tree_on: as_of,
    };
    let Assessed {
        items: assessed,
        standards,
        scales,
    } = assess_all(state, &f).await?;
    if assessed.is_empty() {
        return Ok(vec![]);
    }
    let open = if needs_open_classes(&assessed) {
        on_db!(&state.db, |p| sqlx::query_as(OPEN_CLASSES_SQL)
            .fetch_all(p)
            .await?)
    } else {
        vec![]
    };
    Ok(title_gaps(assessed, &standards, &scales, &open))
}

/// A list of title gaps.
#[derive(Debug, Serialize, ToSchema)]
pub struct GapList {
    /// As of.
    pub as_of: NaiveDate,
    /// One entry per title held or planned on the date.
    pub items: Vec<TitleGap>,
}

/// One cadre's gaps against their titles' standards, with the open classes that would close each.
#[utoipa::path(tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Cadre id"), ("as_of" = Option<String>, Query, description = "YYYY-MM-DD")),
    responses((status = 200, body = GapList), (status = 404, body = ErrorEnvelope)))]
#[get("/api/cadres/<id>/gaps?<as_of>")]
pub async fn cadre_gaps(
    state: &State<AppState>,
    user: AuthUser,
    id: &str,
    as_of: Option<&str>,
) -> AppResult<Json<GapList>> {
    let as_of = parse_opt::<NaiveDate>("as_of", as_of)?.unwrap_or_else(|| state.clock.today());
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::not_found(format!("no cadre with id {id}")))?;
    let cadre = crate::cadres::service::visible(state, &user, id).await?;
    Ok(Json(GapList {
        as_of,
        items: gaps_of(state, cadre.id, as_of).await?,
    }))
}

/// The gap report as a file: `format=csv` (the rows, every requirement and split as columns) or
/// `format=xlsx` (a sheet per part). Same parameters and scope as the JSON report.
#[utoipa::path(tag = "reports", security(("bearer" = [])),
    params(("format" = String, Query, description = "csv or xlsx"), ("unit" = Option<String>, Query, description = "Root unit"),
           ("as_of" = Option<String>, Query, description = "YYYY-MM-DD"), ("population" = Option<String>, Query, description = "incumbent, planned or both"),
           ("title" = Option<String>, Query, description = "Title code"), ("org_kind" = Option<String>, Query, description = "Organisation kind"),
           ("group" = Option<String>, Query, description = "children or lowest")),
    responses((status = 200, description = "CSV (UTF-8 with BOM) or XLSX file"), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/gaps/export?<format>&<unit>&<as_of>&<population>&<title>&<org_kind>&<group>")]
#[allow(clippy::too_many_arguments)]
pub async fn export_gap_report(
    state: &State<AppState>,
    user: AuthUser,
    format: Option<&str>,
    unit: Option<&str>,
    as_of: Option<&str>,
    population: Option<&str>,
    title: Option<&str>,
    org_kind: Option<&str>,
    group: Option<&str>,
) -> AppResult<Download> {
    let format = parse_format(format)?;
    let r = gap_report(state, user, unit, as_of, population, title, org_kind, group)
        .await?
        .into_inner();
    let tables = gap_tables(&r.rows, &r.totals, &r.requirement_keys);
    Download::of(
        &tables,
        format,
        &format!("gap-report-{}-{}", r.unit_code, r.as_of),
    )
}

/// The cadres behind a cell, as a file (`format=csv|xlsx`), every match (no paging).
#[utoipa::path(tag = "reports", security(("bearer" = [])),
    params(("format" = String, Query, description = "csv or xlsx"), ("unit" = Option<String>, Query, description = "The row's unit"),
           ("as_of" = Option<String>, Query, description = "YYYY-MM-DD"), ("population" = Option<String>, Query, description = "incumbent, planned or both"),
           ("title" = Option<String>, Query, description = "Title code"), ("org_kind" = Option<String>, Query, description = "Organisation kind"),
           ("requirement" = Option<String>, Query, description = "Requirement key"), ("status" = Option<String>, Query, description = "short, meeting, no_standard or all"),
           ("row" = Option<String>, Query, description = "Only those counted in this row of the report on `unit`"),
           ("group" = Option<String>, Query, description = "children (default) or lowest")),
    responses((status = 200, description = "CSV or XLSX file"), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/gaps/cadres/export?<format>&<unit>&<as_of>&<population>&<title>&<org_kind>&<requirement>&<status>&<row>&<group>")]
#[allow(clippy::too_many_arguments)]
pub async fn export_gap_cadres(
    state: &State<AppState>,
    user: AuthUser,
    format: Option<&str>,
    unit: Option<&str>,
    as_of: Option<&str>,
    population: Option<&str>,
    title: Option<&str>,
    org_kind: Option<&str>,
    requirement: Option<&str>,
    status: Option<&str>,
    row: Option<&str>,
    group: Option<&str>,
) -> AppResult<Download> {
    let format = parse_format(format)?;
    let q = report_query(state, &user, unit, as_of, population, title, org_kind).await?;
    // Assessed once, whatever the number of rows.
    let rows: Vec<Vec<Cell>> = cadres_behind(state, &q, requirement, status, row, group)
        .await?
        .iter()
        .map(|a| {
            let unmet: Vec<&super::engine::Check> = a.unmet().collect();
            vec![
                Cell::from(a.cadre_id),
                a.full_name.as_str().into(),
                a.unit_code.as_str().into(),
                a.title_code.as_str().into(),
                a.population.as_str().into(),
                a.standard_version.map(|v| v as f64).into(),
                unmet
                    .iter()
                    .map(|c| c.key.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
                    .into(),
                unmet
                    .iter()
                    .map(|c| c.reason.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
                    .into(),
            ]
        })
        .collect();
    let headers = [
        "cadre_id",
        "full_name",
        "unit_code",
        "title_code",
        "population",
        "standard_version",
        "unmet",
        "reasons",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    Download::of(
        &[Table {
            name: "cadres".into(),
            headers,
            rows,
        }],
        format,
        &format!("gap-cadres-{}-{}", q.root.code, q.filter.as_of),
    )
}

/// Training demand as a file (`format=csv|xlsx`): one row per module; XLSX adds a sheet per unit cell.
#[utoipa::path(tag = "reports", security(("bearer" = [])),
    params(("format" = String, Query, description = "csv or xlsx"), ("unit" = Option<String>, Query, description = "Root unit"),
           ("as_of" = Option<String>, Query, description = "YYYY-MM-DD"), ("population" = Option<String>, Query, description = "incumbent, planned or both"),
           ("title" = Option<String>, Query, description = "Title code"), ("org_kind" = Option<String>, Query, description = "Organisation kind"),
           ("group" = Option<String>, Query, description = "children or lowest")),
    responses((status = 200, description = "CSV or XLSX file"), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/training-demand/export?<format>&<unit>&<as_of>&<population>&<title>&<org_kind>&<group>")]
#[allow(clippy::too_many_arguments)]
pub async fn export_training_demand(
    state: &State<AppState>,
    user: AuthUser,
    format: Option<&str>,
    unit: Option<&str>,
    as_of: Option<&str>,
    population: Option<&str>,
    title: Option<&str>,
    org_kind: Option<&str>,
    group: Option<&str>,
) -> AppResult<Download> {
    let format = parse_format(format)?;
    let d = training_demand(state, user, unit, as_of, population, title, org_kind, group)
        .await?
        .into_inner();
    let modules = Table {
        name: "modules".into(),
        headers: [
            "module_code",
            "module_title_vi",
            "needed",
            "seats_planned",
            "remaining",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: d
            .modules
            .iter()
            .map(|m| {
                vec![
                    m.module_code.as_str().into(),
                    m.module_title_vi.as_str().into(),
                    m.needed.into(),
                    m.seats_planned.into(),
                    m.remaining.into(),
                ]
            })
            .collect(),
    };
    let cells = Table {
        name: "by_unit".into(),
        headers: ["module_code", "unit_code", "unit_name", "needed"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: d
            .modules
            .iter()
            .flat_map(|m| {
                m.by_unit.iter().map(move |c| {
                    vec![
                        m.module_code.as_str().into(),
                        c.unit_code.as_str().into(),
                        c.unit_name.as_str().into(),
                        c.needed.into(),
                    ]
                })
            })
            .collect(),
    };
    Download::of(
        &[modules, cells],
        format,
        &format!("training-demand-{}-{}", d.unit_code, d.as_of),
    )
}

/// Two dates compared, as a file (`format=csv|xlsx`).
#[utoipa::path(tag = "reports", security(("bearer" = [])),
    params(("format" = String, Query, description = "csv or xlsx"), ("unit" = Option<String>, Query, description = "Root unit"),
           ("from" = String, Query, description = "First date"), ("to" = String, Query, description = "Second date"),
           ("population" = Option<String>, Query, description = "incumbent, planned or both"),
           ("title" = Option<String>, Query, description = "Title code"), ("org_kind" = Option<String>, Query, description = "Organisation kind"),
           ("group" = Option<String>, Query, description = "children or lowest")),
    responses((status = 200, description = "CSV or XLSX file"), (status = 403, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/reports/gaps/compare/export?<format>&<unit>&<from>&<to>&<population>&<title>&<org_kind>&<group>")]
#[allow(clippy::too_many_arguments)]
pub async fn export_compare(
    state: &State<AppState>,
    user: AuthUser,
    format: Option<&str>,
    unit: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    population: Option<&str>,
    title: Option<&str>,
    org_kind: Option<&str>,
    group: Option<&str>,
) -> AppResult<Download> {
    let format = parse_format(format)?;
    let c = compare(
        state, user, unit, from, to, population, title, org_kind, group,
    )
    .await?
    .into_inner();
    let row = |r: &CompareRow| -> Vec<Cell> {
        vec![
            r.unit_code.as_str().into(),
            r.unit_name.as_str().into(),
            r.from.assessed.into(),
            r.from.meeting.into(),
            r.from.compliance_pct.into(),
            r.to.assessed.into(),
            r.to.meeting.into(),
            r.to.compliance_pct.into(),
            r.change_pct.into(),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = c.rows.iter().map(row).collect();
    rows.push(row(&c.totals));
    let headers = [
        "unit_code",
        "unit_name",
        "from_assessed",
        "from_meeting",
        "from_compliance_pct",
        "to_assessed",
        "to_meeting",
        "to_compliance_pct",
        "change_pct",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    Download::of(
        &[Table {
            name: "compare".into(),
            headers,
            rows,
        }],
        format,
        &format!("gap-compare-{}-{}-{}", c.unit_code, c.from, c.to),
    )
}
