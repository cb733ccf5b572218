//! The rules of the gap reports: who may see which report, the root unit as it stood on the
//! day, and each answer (the report, the cadres behind a cell, training demand, two days compared,
//! one cadre's gaps) assembled from the store and the pure engine and report modules.

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use utoipa::ToSchema;

use super::own::{needs_open_classes, title_gaps, TitleGap};
use super::params::{Between, Drill, OnDay, Selection, Status, UnitChoice};
use super::report::{
    assessments, assessments_of, demand_by_group, from_timeline, grouped, pair, paired, rule_keys,
    Assessment, CompareRow, Counted, DemandRow, Grouping, KeysToCheck, ReportRow,
};
use super::store::{self, Filter, Holding, Population, ScaleRef};
use super::timeline_store::{Packing, Places, Reach};
use crate::auth::{AuthUser, Role, Scope};
use crate::error::{AppError, AppResult};
use crate::shared::tree::subtree_range;
use crate::standards::store::StandardVersion;
use crate::state::AppState;
use crate::units::store::UnitRecord;
use std::sync::Arc;

/// A report's root and what it loads, checked against the caller's scope.
#[derive(Clone)]
pub struct ReportQuery {
    /// The subtree's root.
    pub root: UnitRecord,
    /// Loading filter.
    pub filter: Filter,
    /// The data version the caller's request read first: what depends on any data (training
    /// demand's modules and seats) may come from the cache built at it (`None`: read afresh).
    pub version: Option<crate::db::version::DataVersion>,
    /// The reference version the same statement read: the standards, scales and units may come
    /// from the cache built at it (`None`: read afresh).
    pub reference: Option<crate::db::version::DataVersion>,
}

/// Resolves a selection on day `as_of` (default today): the caller may see reports (not the cadre
/// role), the unit (default: the caller's home unit, or the only root; `*` the whole tree, for
/// those who see all) as it stood on that day, within the caller's scope.
pub async fn report_query(
    state: &AppState,
    user: &AuthUser,
    sel: &Selection,
    as_of: Option<NaiveDate>,
) -> AppResult<ReportQuery> {
    if user.role == Role::Cadre {
        return Err(AppError::Forbidden(crate::msg!(CadreSeesOwnGaps)));
    }
    let scope = user.scope()?;
    let as_of = as_of.unwrap_or_else(|| state.clock.today());
    let code = match (&sel.unit, &scope) {
        (UnitChoice::Code(c), _) => Some(c.clone()),
        (UnitChoice::Whole, _) => None,
        (UnitChoice::Default, Scope::Subtree { code, .. } | Scope::Own { code, .. }) => {
            Some(code.clone())
        }
        (UnitChoice::Default, Scope::All) => {
            let roots = crate::units::store::roots(&state.db).await?;
            match roots.as_slice() {
                [only] => Some(only.code.clone()),
                _ => None,
            }
        }
    };
    let root = match code {
        // `unit=*`, or no unit when the tree has several top-level units: the whole country.
        None if scope == Scope::All => whole_tree(),
        None => return Err(AppError::Forbidden(crate::msg!(WholeTreeOutsideSubtree))),
        Some(code) => root_on(state, &scope, &code, as_of).await?,
    };
    // A title that does not exist is a typing error, not an empty report.
    if let Some(code) = &sel.title {
        if crate::standards::store::title(&state.db, code)
            .await?
            .is_none()
        {
            return Err(AppError::invalid(
                "title",
                crate::msg!(NoTitle, code = code),
            ));
        }
    }
    Ok(ReportQuery {
        filter: Filter {
            as_of,
            range: subtree_range(&root.path),
            population: sel.population,
            title: sel.title.clone(),
            org_kind: sel.org_kind.map(|o| o.as_str().to_string()),
            cadres: None,
            tree_on: as_of,
        },
        root,
        version: Some(user.data_version.clone()),
        reference: Some(user.reference_version.clone()),
    })
}

/// The report's root as it stood on `d` (name, kind, place in the tree of that day), checked
/// against the caller's scope across time (`docs/architecture/units-and-time.md`): an officer
/// sees a unit on D when it lay in their unit's subtree on D, or when the unit it became (its
/// main successor, followed to today) lies in their unit's subtree today.
pub async fn root_on(
    state: &AppState,
    scope: &Scope,
    code: &str,
    d: NaiveDate,
) -> AppResult<UnitRecord> {
    use crate::units::store::{period_on, period_today};
    let Some(p) = period_on(&state.db, code, d).await? else {
        return Err(match crate::units::store::get(&state.db, code).await? {
            Some(_) => AppError::invalid("unit", crate::msg!(UnitNotYet, code = code, date = d)),
            None => AppError::not_found(crate::msg!(NoUnit, code = code)),
        });
    };
    if p.status != "live" {
        return Err(AppError::invalid(
            "unit",
            if p.status == "merged" {
                crate::msg!(UnitMergedInto, code = code, date = d, into = p.placed_code)
            } else {
                crate::msg!(UnitGone, code = code, date = d)
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
            return Err(AppError::ForbiddenAt {
                field: "unit".into(),
                msg: crate::msg!(UnitOutsideSubtree),
            });
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
        created_on: None,
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
        created_on: None,
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

/// The holders' timeline rows on the filter's day, the standards in force and the scales: reads
/// side by side, each on a pooled connection (the rows beside the subtree's places, which come
/// from the reference cache when they can).
async fn timeline_on(
    state: &AppState,
    q: &ReportQuery,
) -> AppResult<(
    (Vec<store::Packed>, Arc<Places>),
    Arc<HashMap<String, StandardVersion>>,
    Arc<ScaleRef>,
)> {
    let f = &q.filter;
    let v = q.reference.as_ref();
    rocket::tokio::try_join!(
        super::timeline_store::read_rows(
            &state.db,
            f,
            places_of(state, q),
            state.reference.reach(&f.range)
        ),
        state.reference.standards(&state.db, v, f.as_of),
        state.reference.scales(&state.db, v),
    )
}

/// Loads the holders' facts and assesses them with the engine (a fixed number of queries): the
/// reference the timelines are checked against, and one cadre's gaps (the drill-down's reasons
/// come from `explain`, which reads only its listed cadres).
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
    pub population: Population,
    /// How rows are grouped.
    pub group: Grouping,
    /// Every requirement key appearing in the report (columns of `short_by_requirement`).
    pub requirement_keys: Vec<String>,
    /// One row per group.
    pub rows: Vec<ReportRow>,
    /// Totals (the sum of the rows).
    pub totals: ReportRow,
}

/// The gap report a caller asked for.
pub async fn report(state: &AppState, user: &AuthUser, a: &OnDay) -> AppResult<GapReport> {
    let q = report_query(state, user, &a.selection, a.as_of).await?;
    build_report(state, &q, a.grouping).await
}

/// The query's live units on its tree's day and where each unit's people are counted (from the
/// reference cache at the query's reference version).
async fn places_of(state: &AppState, q: &ReportQuery) -> AppResult<Arc<Places>> {
    let f = &q.filter;
    state
        .reference
        .places(&state.db, q.reference.as_ref(), &f.range, f.tree_on)
        .await
}

/// Builds the report for a resolved query, from the holders' timelines.
pub async fn build_report(
    state: &AppState,
    q: &ReportQuery,
    grouping: Grouping,
) -> AppResult<GapReport> {
    let reach = state.reference.reach(&q.filter.range);
    build_report_reaching(state, q, grouping, reach).await
}

/// [`build_report`] with its counting read finding its rows by `reach` (whatever the subtree:
/// what it counts is the same either way; for the tests and the benchmark).
pub async fn build_report_reaching(
    state: &AppState,
    q: &ReportQuery,
    grouping: Grouping,
    reach: Reach,
) -> AppResult<GapReport> {
    let day = day_reads(state, q, reach).await?;
    report_on_day(q, grouping, &day.packed, &day.places, &day.reference)
}

/// What a report reads besides its holders and the tree: the standards in force on its day and
/// the scales (both shared with the reference cache, not copied).
struct DayReference {
    standards: Arc<HashMap<String, StandardVersion>>,
    scales: Arc<ScaleRef>,
}

/// What a report of one day reads.
struct DayReads {
    /// The holders' counted rows (packed).
    packed: Vec<store::Packed>,
    /// The tree's units and where the rows' units are counted.
    places: Arc<Places>,
    reference: DayReference,
}

/// The holders' counted rows of the query's day with the subtree's places (cached), beside the
/// standards in force and the scales: side by side, each on its own connection.
async fn day_reads(state: &AppState, q: &ReportQuery, reach: Reach) -> AppResult<DayReads> {
    let f = &q.filter;
    let (db, r, v) = (&state.db, &state.reference, q.reference.as_ref());
    let ((packed, places), standards, scales) = rocket::tokio::try_join!(
        super::timeline_store::read_packed(db, f, places_of(state, q), Packing::Counts, reach),
        r.standards(db, v, f.as_of),
        r.scales(db, v),
    )?;
    Ok(DayReads {
        packed,
        places,
        reference: DayReference { standards, scales },
    })
}

/// The report of the query's day from its packed timeline read, each row counted as it is read
/// (`timeline_store::on_day`): no assessment with its checks is built per holder.
fn report_on_day(
    q: &ReportQuery,
    grouping: Grouping,
    packed: &[store::Packed],
    places: &Places,
    r: &DayReference,
) -> AppResult<GapReport> {
    let keys = rule_keys(&r.standards, &r.scales);
    let items = super::timeline_store::on_day(packed, &keys, places, q.filter.as_of)?;
    // The requirement columns: every key of the standards applied (as the checks would list),
    // from the titles assessed (each title's keys once, not once per holder).
    let titles: HashSet<&str> = items
        .iter()
        .filter(|h| h.standard && h.keys.is_some())
        .map(|h| h.title_code)
        .collect();
    let columns: BTreeSet<String> = titles
        .into_iter()
        .filter_map(|t| keys.get(t))
        .flatten()
        .cloned()
        .collect();
    Ok(report_with(q, grouping, &items, columns, places.units()))
}

/// The same report assessed from the holders' facts by the engine (today's path before the
/// timelines: the reference they are tested against).
pub async fn build_report_from_facts(
    state: &AppState,
    q: &ReportQuery,
    grouping: Grouping,
) -> AppResult<GapReport> {
    let assessed = assess_all(state, &q.filter).await?.items;
    let units = store::units(&state.db, &q.filter.range, q.filter.tree_on).await?;
    Ok(report_of(q, grouping, assessed, &units))
}

fn report_of(
    q: &ReportQuery,
    grouping: Grouping,
    assessed: Vec<Assessment>,
    units: &[store::ReportUnit],
) -> GapReport {
    let keys: BTreeSet<String> = assessed
        .iter()
        .flat_map(|a| a.checks.iter().map(|c| c.key.clone()))
        .collect();
    report_with(q, grouping, &assessed, keys, units)
}

fn report_with<C: Counted>(
    q: &ReportQuery,
    grouping: Grouping,
    assessed: &[C],
    keys: BTreeSet<String>,
    units: &[store::ReportUnit],
) -> GapReport {
    let (rows, totals) = grouped(&q.root, units, assessed, grouping);
    GapReport {
        unit_code: q.root.code.clone(),
        unit_name: q.root.name.clone(),
        as_of: q.filter.as_of,
        population: q.filter.population,
        group: grouping,
        requirement_keys: keys.into_iter().collect(),
        rows,
        totals,
    }
}

/// The cadres behind a cell, with the report's root and day.
pub struct Behind {
    /// The report's root.
    pub unit_code: String,
    /// Its day.
    pub as_of: NaiveDate,
    /// How many cadres match.
    pub total: usize,
    /// The cadres asked for (all of them, or one page), sorted, each with every check and why.
    pub cadres: Vec<Assessment>,
    /// The scales and their levels (the names a reason writes).
    pub scales: Arc<ScaleRef>,
}

/// Which of the matching cadres to give in full: all, or `limit` from `offset`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Skip this many.
    pub offset: usize,
    /// Then give at most this many.
    pub limit: usize,
}

/// The cadres behind a cell, sorted by unit path, then name, then id (then incumbent before
/// planned, then title code): by `status`, only those
/// short of `requirement`, only those counted in `row` of the report grouped by its grouping.
/// `window`: one page of them (default all).
pub async fn cadres_behind(
    state: &AppState,
    user: &AuthUser,
    d: &Drill,
    window: Option<Window>,
    reasons: Reasons,
) -> AppResult<Behind> {
    let q = report_query(state, user, &d.report.selection, d.report.as_of).await?;
    cadres_behind_in(state, q, d, window, reasons).await
}

/// Which checks of the cadres behind a cell carry their reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reasons {
    /// Every check, met or not (the API's pages: what was found for each requirement).
    Every,
    /// Only the unmet checks, each with its reason (the export, which writes what each cadre is
    /// short of and why): the met checks are not kept, and the facts of a cadre meeting every
    /// requirement are not read.
    Unmet,
}

/// The cadres behind a cell of a resolved report query (the caller's scope already checked).
/// Who matches comes from the holders' timelines (the report's own read, each row with its
/// holder's name and stored sort key). With [`Reasons::Unmet`] the unmet
/// checks are worded from what the timeline's rows keep they rest on (no facts read); with
/// [`Reasons::Every`] the cadres given (the page) are assessed by the engine from their facts,
/// for the reasons of each check.
pub async fn cadres_behind_in(
    state: &AppState,
    q: ReportQuery,
    d: &Drill,
    window: Option<Window>,
    reasons: Reasons,
) -> AppResult<Behind> {
    let requirement = d.requirement.as_deref();
    let row = d.row.as_deref();
    let ((packed, places), standards, scales) = timeline_on(state, &q).await?;
    // The rows borrowed from the read (only what an assessment keeps is copied), and each
    // cadre's stored sort key.
    let rows: Vec<_> = super::timeline_store::rows(&packed, &places).collect::<AppResult<_>>()?;
    let sort_keys: HashMap<i64, &str> = rows.iter().map(|r| (r.cadre_id, r.sort_key)).collect();
    // The unmet checks are worded from the timeline's rows themselves when only they are asked.
    let word_unmet = reasons == Reasons::Unmet;
    let keys = super::report::RowKeys::new(&q.root, places.units(), d.report.grouping);
    // A row the report cannot have is a mistake in the request, not a row with nobody in it.
    if let Some(r) = row.filter(|r| !keys.is_row(r)) {
        return Err(AppError::invalid(
            "row",
            crate::msg!(NoReportRow, row = r, unit = q.root.code),
        ));
    }
    // Nor is a requirement no standard of the day has: an empty list would read "nobody is short
    // of it".
    if let Some(k) = requirement {
        let known = standards.values().any(|s| {
            super::report::rules(&s.requirements, &scales)
                .iter()
                .any(|r| r.key() == k)
        });
        if !known {
            return Err(AppError::invalid(
                "requirement",
                crate::msg!(NoRequirementKey, requirement = k, date = q.filter.as_of),
            ));
        }
    }
    let mut list: Vec<Assessment> =
        from_timeline(rows, &standards, &scales, q.filter.as_of, word_unmet)
            .into_iter()
            .filter(|a| match d.status {
                Status::Short => a.meets() == Some(false),
                Status::Meeting => a.meets() == Some(true),
                Status::NoStandard => a.meets().is_none(),
                Status::All => true,
            })
            .filter(|a| requirement.is_none_or(|k| a.unmet().any(|c| c.key == k)))
            .filter(|a| row.is_none_or(|r| keys.of(a) == r))
            .collect();
    let reference = (&*standards, &*scales);
    if window.is_none() {
        explain(state, &q.filter, reference, &mut list, reasons).await?;
    }
    let total = list.len();
    let mut list = sorted(list, &sort_keys, window);
    if window.is_some() {
        explain(state, &q.filter, reference, &mut list, reasons).await?;
    }
    Ok(Behind {
        unit_code: q.root.code,
        as_of: q.filter.as_of,
        total,
        cadres: list,
        scales,
    })
}

/// The list sorted by unit path, then the stored sort key, then id (then incumbent before
/// planned, then title code: a cadre holding two titles in one unit), each key computed once;
/// only the window's part of it when given.
fn sorted(
    list: Vec<Assessment>,
    sort_keys: &HashMap<i64, &str>,
    window: Option<Window>,
) -> Vec<Assessment> {
    let key = |a: &Assessment| sort_keys.get(&a.cadre_id).copied().unwrap_or("");
    let mut order: Vec<_> = list
        .iter()
        .enumerate()
        .map(|(i, a)| {
            (
                a.unit_path.as_str(),
                key(a),
                a.cadre_id,
                a.population != Holding::Incumbent,
                a.title_code.as_str(),
                i,
            )
        })
        .collect();
    order.sort_unstable();
    let (skip, take) = window.map_or((0, usize::MAX), |w| (w.offset, w.limit));
    let picked: Vec<usize> = order.iter().skip(skip).take(take).map(|o| o.5).collect();
    let mut slots: Vec<Option<Assessment>> = list.into_iter().map(Some).collect();
    picked.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// Replaces the checks of these assessments (read from the timelines, without reasons) by the
/// engine's on the same day, from the cadres' facts, with the reason of each (with
/// [`Reasons::Unmet`], only the unmet checks not already worded from their timeline rows, which
/// is none unless a row's tokens did not match its keys). Only the listed cadres' titles and
/// facts are read; the standards and scales are those the list was counted with.
async fn explain(
    state: &AppState,
    f: &Filter,
    (standards, scales): (&HashMap<String, StandardVersion>, &ScaleRef),
    list: &mut [Assessment],
    reasons: Reasons,
) -> AppResult<()> {
    // With `Reasons::Unmet`, each (cadre, holding, title) short of something not yet worded from
    // its timeline row (see `from_timeline`) and the keys of those requirements.
    let only: Option<KeysToCheck> = (reasons == Reasons::Unmet).then(|| {
        list.iter()
            .filter(|a| a.unmet().any(|c| c.code.is_none()))
            .map(|a| {
                (
                    (a.cadre_id, a.population, a.title_code.clone()),
                    a.unmet()
                        .filter(|c| c.code.is_none())
                        .map(|c| c.key.clone())
                        .collect(),
                )
            })
            .collect()
    });
    if only.as_ref().map_or(list.is_empty(), HashMap::is_empty) {
        return Ok(());
    }
    // With `Reasons::Unmet`, only the facts those checks name, and the title rows of only the
    // cadres short of a person condition.
    let (needed, ids) = match only.as_ref().map(store::Needed::of) {
        Some((needed, persons)) => (Some(needed), persons),
        None => {
            let mut ids: Vec<i64> = list.iter().map(|a| a.cadre_id).collect();
            ids.sort_unstable();
            ids.dedup();
            (None, ids)
        }
    };
    let loaded =
        store::load_listed(&state.db, &ids, f.population, f.as_of, needed.as_ref()).await?;
    let mut engine: HashMap<(i64, Holding, String), Assessment> =
        assessments_of(loaded, standards, scales, f.as_of, only.as_ref())
            .into_iter()
            .map(|a| ((a.cadre_id, a.population, a.title_code.clone()), a))
            .collect();
    for a in list.iter_mut() {
        let Some(e) = engine.remove(&(a.cadre_id, a.population, a.title_code.clone())) else {
            continue;
        };
        if only.is_none() {
            a.checks = e.checks;
            continue;
        }
        // Only the unmet checks were assessed: each takes the place of the counted one.
        for found in e.checks {
            if let Some(c) = a.checks.iter_mut().find(|c| c.key == found.key) {
                *c = found;
            }
        }
    }
    Ok(())
}

/// The names of the scales and levels, for reasons and requirement names in either language.
pub async fn reason_names(state: &AppState) -> AppResult<ScaleRef> {
    store::scale_reference(&state.db).await
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

/// Training demand: per module, per group, how many assessed holders need it, with the seats
/// already planned.
pub async fn training_demand(
    state: &AppState,
    user: &AuthUser,
    args: &OnDay,
) -> AppResult<DemandReport> {
    let q = report_query(state, user, &args.selection, args.as_of).await?;
    training_demand_in(state, &q, args.grouping).await
}

/// Training demand of a resolved report query (the caller's scope already checked).
pub async fn training_demand_in(
    state: &AppState,
    q: &ReportQuery,
    grouping: Grouping,
) -> AppResult<DemandReport> {
    let (day, modules) = rocket::tokio::try_join!(
        day_reads(state, q, state.reference.reach(&q.filter.range)),
        state.reference.modules(&state.db, q.version.as_ref()),
    )?;
    let r = &day.reference;
    let keys = rule_keys(&r.standards, &r.scales);
    let assessed = super::timeline_store::on_day(&day.packed, &keys, &day.places, q.filter.as_of)?;
    // The seats offered from the report's day on (a class run by then is no seat for it).
    let modules = modules.offered_from(state.clock.start_of(q.filter.as_of));
    let modules = demand_by_group(
        &assessed,
        &r.standards,
        &r.scales,
        &modules,
        &q.root,
        day.places.units(),
        grouping,
    );
    Ok(DemandReport {
        unit_code: q.root.code.clone(),
        as_of: q.filter.as_of,
        modules,
    })
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

/// Compliance per unit at two dates and the change. Both dates are grouped by the later date's
/// tree: a unit merged away in between is rolled into its main successor, so the rows line up.
pub async fn compare(state: &AppState, user: &AuthUser, b: &Between) -> AppResult<CompareReport> {
    let (d1, d2) = (b.from, b.to);
    let later = d1.max(d2);
    let q = report_query(state, user, &b.selection, Some(later)).await?;
    compare_in(state, q, d1, d2, b.grouping).await
}

/// Two dates of a resolved report query (its tree's day the later one) side by side.
pub async fn compare_in(
    state: &AppState,
    mut q: ReportQuery,
    d1: NaiveDate,
    d2: NaiveDate,
    grouping: Grouping,
) -> AppResult<CompareReport> {
    let later = d1.max(d2);
    let mut second = q.clone();
    q.filter.as_of = d1;
    second.filter.as_of = d2;
    // Both days' holders and standards side by side; the tree's units and places and the scales
    // (the same for both days) read once.
    let (db, r, v) = (&state.db, &state.reference, q.reference.as_ref());
    let rows = super::timeline_store::read_packed_pair(
        db,
        &q.filter,
        &second.filter,
        places_of(state, &q),
        Packing::Counts,
        r.reach(&q.filter.range),
    );
    let (((rows1, rows2), places), std1, std2, scales) = rocket::tokio::try_join!(
        rows,
        r.standards(db, v, d1),
        r.standards(db, v, d2),
        r.scales(db, v),
    )?;
    // The two days counted side by side: the second on a blocking thread, the first here.
    let then = DayReference {
        standards: std2,
        scales: scales.clone(),
    };
    let places2 = places.clone();
    let second_day = crate::api::upload::blocking(move || {
        report_on_day(&second, grouping, &rows2, &places2, &then)
    });
    let first = DayReference {
        standards: std1,
        scales,
    };
    let a = report_on_day(&q, grouping, &rows1, &places, &first)?;
    let c = second_day.await??;
    Ok(CompareReport {
        unit_code: q.root.code.clone(),
        from: d1,
        to: d2,
        tree_as_of: later,
        note: format!(
            "both dates are grouped by the unit tree of {later}; units merged away before then are counted under their main successor"
        ),
        totals: pair(a.totals, c.totals),
        rows: paired(a.rows, c.rows),
    })
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
        cadres: Some(vec![cadre_id]),
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
        let now = state.clock.now();
        store::open_classes(&state.db, now, state.clock.date_of(now)).await?
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

/// One cadre's gaps on a day (default today), when the cadre is visible to the caller (404 if not).
pub async fn cadre_gaps(
    state: &AppState,
    user: &AuthUser,
    id: i64,
    as_of: Option<NaiveDate>,
) -> AppResult<GapList> {
    let as_of = as_of.unwrap_or_else(|| state.clock.today());
    let cadre = crate::cadres::service::visible(state, user, id).await?;
    Ok(GapList {
        as_of,
        items: gaps_of(state, cadre.id, as_of).await?,
    })
}
