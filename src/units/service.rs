//! The rules and transactions of the unit tree: what a caller may see of it (lists, a unit as of
//! a day, children), creating, changing and retiring a unit, and the two imports (a unit file, a
//! succession table), each written in one transaction with its audit entry.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use std::time::Instant;
use utoipa::ToSchema;

use super::domain::{
    parse_units_csv, plan_import, ImportPlan, UnitCode, UnitFields, UnitHistoryEntry, UnitKind,
    UnitRow, UnitView,
};
use super::import::{ImportOptions, ImportReport};
use super::store::{self, UnitRecord};
use super::successors::{
    self, check_rows, clashes_in, link_change, moved_records, plan_moves, receiving, Attachment,
    LinkChange, MovedRecord, SuccessorReport,
};
use crate::api::upload::blocking;
use crate::audit::{self, Actor};
use crate::auth::{AuthUser, Scope};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::shared::clock::not_after_today;
use crate::shared::table::Limits;

/// A unit with its breadcrumb and history.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitDetail {
    /// The unit (as of `as_of` when asked).
    #[serde(flatten)]
    pub unit: UnitView,
    /// Ancestors, root first (the breadcrumb).
    pub ancestors: Vec<UnitView>,
    /// Number of live children.
    pub child_count: i64,
    /// The successor after a merger.
    pub successor: Option<UnitView>,
    /// Earlier names, kinds and parents, oldest first.
    pub history: Vec<UnitHistoryEntry>,
}

/// A list of units.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitList {
    /// The units.
    pub items: Vec<UnitListItem>,
}

/// A unit in a list, with its live child count.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitListItem {
    /// The unit.
    #[serde(flatten)]
    pub unit: UnitView,
    /// Number of live children.
    pub child_count: i64,
}

async fn with_counts(db: &Db, rows: Vec<UnitRecord>) -> AppResult<UnitList> {
    let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    let counts = store::child_counts(db, &codes).await?;
    Ok(UnitList {
        items: rows
            .iter()
            .map(|r| UnitListItem {
                unit: r.into(),
                child_count: counts.get(&r.code).copied().unwrap_or(0),
            })
            .collect(),
    })
}

/// The units matching `q` (name without diacritics, or exact code) inside `scope`, at most
/// `limit`; without `q` the top of the caller's tree: the roots, or the caller's home unit.
pub async fn list(db: &Db, scope: &Scope, q: Option<&str>, limit: i64) -> AppResult<UnitList> {
    let rows = match q {
        Some(q) => store::search(db, q, scope, limit).await?,
        None => match scope {
            Scope::All => store::roots(db).await?,
            Scope::Subtree { code, .. } | Scope::Own { code, .. } => {
                store::get(db, code).await?.into_iter().collect()
            }
        },
    };
    with_counts(db, rows).await
}

/// A unit the caller may see: inside their subtree, or an ancestor of it (breadcrumb).
pub async fn visible(db: &Db, user: &AuthUser, code: &UnitCode) -> AppResult<UnitRecord> {
    let unit = store::require(db, code.as_str()).await?;
    let scope = user.scope()?;
    if !scope.contains_path(&unit.path) && !scope.is_ancestor_path(&unit.path) {
        scope.check_path(None, &unit.path)?;
    }
    Ok(unit)
}

/// A unit the caller may see, with its ancestors, successor and history; `as_of` gives the
/// name, kind, parent, depth, ancestors and number of children it had on that day.
pub async fn detail(
    db: &Db,
    user: &AuthUser,
    code: &UnitCode,
    as_of: Option<NaiveDate>,
) -> AppResult<UnitDetail> {
    let unit = visible(db, user, code).await?;
    let mut ancestors: Vec<UnitView> = store::ancestors(db, &unit)
        .await?
        .iter()
        .map(UnitView::from)
        .collect();
    let history = store::history(db, &unit.code).await?;
    let mut child_count = store::child_counts(db, &[unit.code.as_str()])
        .await?
        .get(&unit.code)
        .copied()
        .unwrap_or(0);
    let successor = match &unit.successor_code {
        Some(s) => store::get(db, s).await?.map(|r| UnitView::from(&r)),
        None => None,
    };
    let mut view = UnitView::from(&unit);
    if let Some(d) = as_of {
        // Before it came into being it had no name, parent nor place in the tree (422).
        unit.check_existed("as_of", d)?;
        view = view.as_of(&history, d);
        // On a day the unit existed, its depth and ancestors are those of that day's tree.
        if let Some(p) = store::period_on(db, &unit.code, d)
            .await?
            .filter(|p| p.status == "live")
        {
            view.depth = p.depth;
            let codes = crate::shared::tree::path_codes(&p.path);
            let mut then = vec![];
            for c in &codes[..codes.len().saturating_sub(1)] {
                if let Some(a) = store::period_on(db, c, d).await? {
                    then.push(UnitView::from(&a));
                }
            }
            ancestors = then;
        }
        child_count = store::child_count_on(db, &unit.code, d).await?;
    }
    Ok(UnitDetail {
        unit: view,
        ancestors,
        child_count,
        successor,
        history,
    })
}

/// The children of a unit in the caller's scope, by name (retired ones when asked).
pub async fn children(
    db: &Db,
    user: &AuthUser,
    code: &UnitCode,
    include_retired: bool,
) -> AppResult<UnitList> {
    let unit = visible(db, user, code).await?;
    user.scope()?.check_path(None, &unit.path)?;
    let rows = store::children(db, &unit.code, include_retired).await?;
    with_counts(db, rows).await
}

/// Creates unit `code` (409 if it exists).
pub async fn create(
    db: &Db,
    actor: &Actor,
    code: &UnitCode,
    fields: UnitFields,
    today: NaiveDate,
) -> AppResult<UnitView> {
    write(db, actor, code, fields, today, true).await
}

/// Renames, re-kinds or moves unit `code` (its subtree moves with it); the old state goes to
/// history on the effective day.
pub async fn update(
    db: &Db,
    actor: &Actor,
    code: &UnitCode,
    fields: UnitFields,
    today: NaiveDate,
) -> AppResult<UnitView> {
    write(db, actor, code, fields, today, false).await
}

/// Writes one unit through the import's plan (paths, history, the moves of its subtree), in one
/// transaction with the rebuilt periods and the audit entry.
async fn write(
    db: &Db,
    actor: &Actor,
    code: &UnitCode,
    fields: UnitFields,
    today: NaiveDate,
    creating: bool,
) -> AppResult<UnitView> {
    let effective = fields.effective.unwrap_or(today);
    // A new unit comes into being on its effective day (today unless given): a unit that
    // "always existed" would take people and titles, and show in reports, on any past day.
    let created_on = if creating {
        Some(effective)
    } else {
        fields.effective
    };
    // The unit's current row (names, paths, the officers' scope) changes at once.
    not_after_today("effective", effective, today)?;
    let mut tx = db.begin().await?;
    let existing = store::load_existing(&mut tx).await?;
    let before = existing.get(code.as_str()).cloned();
    match (&before, creating) {
        (Some(_), true) => {
            return Err(AppError::conflict(
                Some("code"),
                crate::msg!(UnitExists, code = code),
            ))
        }
        (None, false) => return Err(AppError::not_found(crate::msg!(NoUnit, code = code))),
        _ => {}
    }
    if let Some(p) = &fields.parent_code {
        match existing.get(p.as_str()) {
            None => {
                return Err(AppError::invalid(
                    "parent_code",
                    crate::msg!(NoUnit, code = p),
                ))
            }
            // A unit in use stays under units in use: under a retired one, its people would fall
            // out of the reports by the tree.
            Some(parent) if parent.retired_on.is_some() => {
                return Err(AppError::invalid(
                    "parent_code",
                    crate::msg!(UnitRetired, code = p),
                ))
            }
            Some(_) => {}
        }
    }
    let row = UnitRow {
        line: 1,
        code: code.to_string(),
        name: fields.name,
        kind: fields.kind,
        parent_code: fields.parent_code.map(UnitCode::into_string),
    };
    let plan =
        plan_import(std::slice::from_ref(&row), &existing, None, false).map_err(|e| match e {
            AppError::Validation { .. } => {
                AppError::invalid("parent_code", crate::msg!(UnitUnderItself))
            }
            other => other,
        })?;
    plan.check_parents_existed(
        effective,
        &store::created_on_all(&mut tx).await?,
        "parent_code",
    )?;
    check_levels_kept(&mut tx, &plan, effective).await?;
    plan.check_after_last_change(effective, &store::current_state_since(&mut tx).await?)?;
    store::apply_plan(&mut tx, &plan, effective, created_on).await?;
    store::rebuild_periods(&mut tx).await?;
    let after = store::get(&mut tx, code.as_str())
        .await?
        .ok_or_else(|| AppError::Internal("unit vanished".into()))?;
    let view = UnitView::from(&after);
    audit::record(
        &mut tx,
        actor,
        if creating { "create" } else { "update" },
        "unit",
        code.as_str(),
        before.map(|b| json!({"name": b.name, "kind": b.kind, "parent_code": b.parent_code})),
        Some(json!({"name": view.name, "kind": view.kind, "parent_code": view.parent_code})),
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

/// Refuses (409 on `kind`) a plan changing a unit's kind to another level while a title of the
/// old level is held or planned there on or after `effective`: its holder would hold a ward's
/// title in a district.
async fn check_levels_kept(
    tx: &mut crate::db::Tx,
    plan: &ImportPlan,
    effective: NaiveDate,
) -> AppResult<()> {
    for w in plan.writes.iter().filter(|w| !w.is_new) {
        let before = w
            .history
            .as_ref()
            .and_then(|h| UnitKind::parse(&h.kind))
            .map(|k| k.level());
        let level = w.kind.level();
        if before.is_none_or(|b| b == level) {
            continue;
        }
        let titles = store::titles_of_other_level(tx, &w.code, effective, level.as_str()).await?;
        if !titles.is_empty() {
            return Err(AppError::conflict(
                Some("kind"),
                crate::msg!(
                    UnitHoldsOtherLevelTitles,
                    code = w.code,
                    titles = titles.join(", "),
                    date = effective.to_string()
                ),
            ));
        }
    }
    Ok(())
}

/// Retires (merges) the unit named `code` on `retired_on`, into `successor` if given (a live unit
/// other than itself). A unit retired by an import (no successor yet) may still be given one;
/// one already merged is a 409.
pub async fn retire(
    db: &Db,
    actor: &Actor,
    code: &str,
    successor: Option<&str>,
    retired_on: NaiveDate,
    today: NaiveDate,
) -> AppResult<UnitView> {
    // A retired unit takes no new cadre from now on: retired for a later day, it would refuse
    // them before its day.
    not_after_today("retired_on", retired_on, today)?;
    let mut tx = db.begin().await?;
    let unit = store::get(&mut tx, code.trim())
        .await?
        .ok_or_else(|| AppError::not_found(crate::msg!(NoUnit, code = code)))?;
    if let (Some(on), Some(_)) = (unit.retired_on, &unit.successor_code) {
        return Err(AppError::conflict(
            None,
            crate::msg!(UnitAlreadyMerged, code = unit.code, date = on),
        ));
    }
    // Nor before it came into being or took its current state: its people's periods would be
    // handed over as if they had always been in the successor.
    unit.check_existed("retired_on", retired_on)?;
    if let Some(day) = store::current_state_since(&mut tx)
        .await?
        .remove(&unit.code)
        .filter(|d| retired_on < *d)
    {
        return Err(AppError::invalid(
            "retired_on",
            crate::msg!(UnitChangedSince, code = unit.code, date = day.to_string()),
        ));
    }
    // Nor is a unit retired over units still in use (their people would fall out of the
    // reports by the tree): they are retired or moved first.
    let live = store::live_children(&mut tx, &unit.code).await?;
    if !live.is_empty() {
        return Err(AppError::conflict(
            Some("code"),
            crate::msg!(UnitHasLiveUnits, code = unit.code, units = live.join(", ")),
        ));
    }
    let successor = match successor.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            if s == unit.code {
                return Err(AppError::invalid(
                    "successor_code",
                    crate::msg!(UnitSucceedsItself),
                ));
            }
            let succ = store::get(&mut tx, s).await?.ok_or_else(|| {
                AppError::invalid("successor_code", crate::msg!(NoUnit, code = s))
            })?;
            if succ.retired_on.is_some() {
                return Err(AppError::invalid(
                    "successor_code",
                    crate::msg!(UnitRetired, code = s),
                ));
            }
            // Nor into one that did not exist yet on the day: its people would be in no unit of
            // the tree between.
            succ.check_existed("successor_code", retired_on)?;
            // Its people and titles go to a unit of its own level (a ward's chair is no
            // district's).
            let level = |kind: &str| UnitKind::parse(kind).map(|k| k.level());
            if level(&succ.kind) != level(&unit.kind) {
                let name = |kind: &str| level(kind).map_or("?", |l| l.as_str());
                return Err(AppError::invalid(
                    "successor_code",
                    crate::msg!(
                        SuccessorOtherLevel,
                        code = succ.code,
                        level = name(&succ.kind),
                        unit_level = name(&unit.kind)
                    ),
                ));
            }
            Some(succ.code)
        }
    };
    store::retire(&mut tx, &unit.code, successor.as_deref(), retired_on).await?;
    // What is attached to the unit goes to its successor, as in the succession table's import.
    let moved = match &successor {
        Some(succ) => {
            let main = HashMap::from([(unit.code.clone(), (succ.clone(), retired_on))]);
            hand_over(&mut tx, actor, &main).await?.len()
        }
        None => 0,
    };
    store::rebuild_periods(&mut tx).await?;
    let after = store::get(&mut tx, &unit.code)
        .await?
        .ok_or_else(|| AppError::Internal("unit vanished".into()))?;
    audit::record(
        &mut tx,
        actor,
        "retire",
        "unit",
        &unit.code,
        Some(json!({"retired_on": unit.retired_on, "successor_code": unit.successor_code})),
        Some(json!({"retired_on": retired_on, "successor_code": successor, "moved": moved})),
    )
    .await?;
    tx.commit().await?;
    Ok(UnitView::from(&after))
}

/// Hands what is still attached to each retired unit of `main` (old code → its main successor
/// and the day) over to that successor as dated moves (history kept, so reports before the day
/// are unchanged): unit periods of cadres, title assignments, planned successions, the cadres'
/// current unit and the accounts (whose tokens are spent; each move in the account's audit
/// trail, by `actor`). Returns what moved.
async fn hand_over(
    tx: &mut crate::db::Tx,
    actor: &Actor,
    main: &HashMap<String, (String, NaiveDate)>,
) -> AppResult<Vec<MovedRecord>> {
    let olds: Vec<String> = main
        .keys()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut moved = vec![];
    for att in Attachment::ALL {
        let records = store::attached(tx, att, &olds).await?;
        let moves = plan_moves(&records, main, att.inclusive_end());
        let now = chrono::Utc::now();
        for m in &moves {
            store::apply_move(tx, att, m, now).await?;
        }
        moved.extend(moved_records(att, &records, &moves));
    }
    // The record's current unit, and accounts attached to a retired unit.
    for (old, (new, eff)) in main {
        store::move_cadres(tx, old, new).await?;
        let ids = store::move_accounts(tx, old, new).await?;
        // Each account's own trail says where its scope went, and when.
        for id in &ids {
            audit::record(
                tx,
                actor,
                "move",
                "account",
                &id.to_string(),
                Some(json!({"unit_code": old})),
                Some(json!({"unit_code": new, "on": eff})),
            )
            .await?;
        }
        moved.extend(
            ids.into_iter()
                .map(|id| MovedRecord::account(id, old, new, *eff)),
        );
    }
    Ok(moved)
}

/// Imports a unit CSV: every row valid or nothing written. The file is parsed (within `limits`)
/// and the import planned on the blocking pool, off the async workers.
pub async fn import_units(
    db: &Db,
    actor: &Actor,
    bytes: Vec<u8>,
    limits: &Limits,
    opts: &ImportOptions,
    today: NaiveDate,
) -> AppResult<ImportReport> {
    let started = Instant::now();
    let limits = *limits;
    let rows = blocking(move || parse_units_csv(&bytes, &limits)).await??;
    let effective = opts.effective.unwrap_or(today);
    let mut tx = db.begin().await?;
    let existing = store::load_existing(&mut tx).await?;
    let (root, retire_missing) = (opts.root.clone(), opts.retire_missing);
    let (rows, plan) = blocking(move || {
        let plan = plan_import(&rows, &existing, root.as_deref(), retire_missing);
        (rows.len(), plan)
    })
    .await?;
    let plan = plan?;
    // Nothing is retired before it came into being (its people would be in no tree between).
    let created_on = store::created_on_all(&mut tx).await?;
    if let Some(code) = plan.retire.iter().find(|c| {
        created_on
            .get(c.as_str())
            .copied()
            .flatten()
            .is_some_and(|first| effective < first)
    }) {
        return Err(AppError::invalid(
            "effective",
            crate::msg!(UnitNotYet, code = code, date = effective.to_string()),
        ));
    }
    plan.check_parents_existed(effective, &created_on, "effective")?;
    check_levels_kept(&mut tx, &plan, effective).await?;
    plan.check_after_last_change(effective, &store::current_state_since(&mut tx).await?)?;
    store::apply_plan(&mut tx, &plan, effective, opts.effective).await?;
    store::rebuild_periods(&mut tx).await?;
    let report = ImportReport {
        dry_run: opts.dry_run,
        rows,
        created: plan.created(),
        updated: plan.updated(),
        unchanged: plan.unchanged,
        moved: plan.moves.len(),
        retired: plan.retire.len(),
        skipped: plan.skipped,
        elapsed_ms: 0,
    };
    if opts.dry_run {
        drop(tx); // rolls back: a dry run writes nothing
        return Ok(ImportReport {
            elapsed_ms: started.elapsed().as_millis(),
            ..report
        });
    }
    audit::record(
        &mut tx,
        actor,
        "import",
        "unit_import",
        opts.root.as_deref().unwrap_or("*"),
        None,
        Some(json!({
            "rows": report.rows, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "moved": report.moved, "retired": report.retired,
            "skipped": report.skipped, "root": opts.root, "retire_missing": opts.retire_missing,
            "effective": effective,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(ImportReport {
        elapsed_ms: started.elapsed().as_millis(),
        ..report
    })
}

/// Imports a succession table: every row valid or nothing written; with `dry_run` the same
/// answer and nothing written. With `not_after` (the API's today), rows taking effect later are
/// refused (the CLI and the generator build data as of a chosen day: `None`).
pub async fn import_successors(
    db: &Db,
    actor: &Actor,
    bytes: Vec<u8>,
    limits: Limits,
    dry_run: bool,
    not_after: Option<NaiveDate>,
) -> AppResult<SuccessorReport> {
    // Parsed on the blocking pool, off the async workers.
    let rows = blocking(move || successors::parse(&bytes, &limits)).await??;
    let all = rows.len();
    let mut tx = db.begin().await?;
    let existing = store::load_existing(&mut tx).await?;
    let created_on = store::created_on_all(&mut tx).await?;
    let (rows, skipped) = check_rows(rows, &existing, &created_on, not_after)?;
    // The links.
    let stored = store::successor_links(&mut tx).await?;
    let (mut created, mut updated, mut unchanged) = (0, 0, 0);
    for r in &rows {
        match link_change(r, &stored) {
            LinkChange::Unchanged => {
                unchanged += 1;
                continue;
            }
            LinkChange::Updated => updated += 1,
            LinkChange::Created => created += 1,
        }
        store::upsert_successor_link(&mut tx, r).await?;
    }
    // Old units handed to another code: their main successor, retirement, and the moves.
    let mut main: HashMap<String, (String, NaiveDate)> = HashMap::new();
    let mut retired = vec![];
    let mut successors_set = 0;
    for r in rows.iter().filter(|r| r.main && r.old_code != r.new_code) {
        let old = &existing[&r.old_code];
        main.insert(r.old_code.clone(), (r.new_code.clone(), r.effective));
        let current = store::successor_code(&mut tx, &r.old_code).await?;
        if old.retired_on.is_none() {
            retired.push(r.old_code.clone());
        }
        if old.retired_on.is_none() || current.as_deref() != Some(r.new_code.as_str()) {
            successors_set += 1;
            store::retire(
                &mut tx,
                &r.old_code,
                Some(&r.new_code),
                old.retired_on.unwrap_or(r.effective),
            )
            .await?;
        }
    }
    // Nor is a unit retired over units still in use (their people would fall out of the reports
    // by the tree): they are handed on in the same table, or retired or moved first.
    for old in &retired {
        let live = store::live_children(&mut tx, old).await?;
        if !live.is_empty() {
            return Err(AppError::conflict(
                Some("old_code"),
                crate::msg!(UnitHasLiveUnits, code = old, units = live.join(", ")),
            ));
        }
    }
    let mut moved = hand_over(&mut tx, actor, &main).await?;
    moved.sort_by(|a, b| (&a.kind, a.id).cmp(&(&b.kind, b.id)));
    // Clashes: titles with two or more incumbents in a receiving unit on the day.
    let mut clashes = vec![];
    for (unit, on) in receiving(&moved) {
        let held = store::title_holders_on(&mut tx, &unit, on).await?;
        clashes.extend(clashes_in(&unit, on, held));
    }
    store::rebuild_periods(&mut tx).await?;
    let report = SuccessorReport {
        dry_run,
        rows: all,
        skipped,
        created,
        unchanged,
        updated,
        retired,
        successors_set,
        moved,
        clashes,
    };
    if dry_run {
        drop(tx); // rolls back: a dry run writes nothing
        return Ok(report);
    }
    audit::record(
        &mut tx,
        actor,
        "import",
        "unit_successors",
        "*",
        None,
        Some(json!({
            "rows": report.rows, "skipped": report.skipped, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "retired": report.retired.len(),
            "successors_set": report.successors_set, "moved": report.moved.len(),
            "clashes": report.clashes.len(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}
