//! Storage of units: reads scoped by path range, the writes of an import plan, and the
//! statements of a succession table's import.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

use super::domain::{ExistingUnit, ImportPlan, UnitKind};
pub use super::domain::{UnitHistoryEntry, UnitView};
use super::successors::{Attached, Attachment, Links, Move, SuccessorRow};
use crate::auth::Scope;
use crate::db::Exec;
use crate::db::{like_escape, Db, Tx};
use crate::error::{AppError, AppResult};
use crate::on_exec;
use crate::shared::text::fold;
use crate::shared::tree::{path_codes, subtree_range};
use crate::{on_db, on_tx};

/// A unit as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitRecord {
    /// Official code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind name.
    pub kind: String,
    /// Parent code.
    pub parent_code: Option<String>,
    /// Materialised path.
    pub path: String,
    /// Depth (root = 0).
    pub depth: i64,
    /// Date retired.
    pub retired_on: Option<NaiveDate>,
    /// Successor after a merger.
    pub successor_code: Option<String>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// The day it came into being (none: it always existed, as far as the data knows).
    pub created_on: Option<NaiveDate>,
}

impl UnitRecord {
    /// Refuses day `day` of field `field` (someone's time in the unit, a title there) before the
    /// unit came into being (422 naming the field): on such a day the unit is in no tree, and
    /// its people would be counted in no unit's row of a report (only as unplaced).
    pub fn check_existed(&self, field: &str, day: NaiveDate) -> AppResult<()> {
        match self.created_on {
            Some(first) if day < first => Err(AppError::invalid(
                field,
                crate::msg!(UnitNotYet, code = self.code, date = day.to_string()),
            )),
            _ => Ok(()),
        }
    }
}

impl From<&UnitRecord> for UnitView {
    fn from(r: &UnitRecord) -> Self {
        UnitView {
            code: r.code.clone(),
            name: r.name.clone(),
            kind: r.kind.clone(),
            level: UnitKind::parse(&r.kind).map(|k| {
                serde_json::to_value(k.level())
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            }),
            parent_code: r.parent_code.clone(),
            depth: r.depth,
            retired_on: r.retired_on,
            successor_code: r.successor_code.clone(),
        }
    }
}

const COLS: &str =
    "code, name, kind, parent_code, path, depth, retired_on, successor_code, updated_at, created_on";

/// The codes of the units in use (not retired) directly under unit `code`, the first ten.
pub async fn live_children(tx: &mut Tx, code: &str) -> AppResult<Vec<String>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT code FROM units WHERE parent_code = $1 AND retired_on IS NULL ORDER BY code LIMIT 10"
    )
    .bind(code)
    .fetch_all(&mut *c)
    .await?
    }))
}

/// Gets a unit by code.
pub async fn get(ex: impl Into<Exec<'_>>, code: &str) -> AppResult<Option<UnitRecord>> {
    let sql = format!("SELECT {COLS} FROM units WHERE code = $1");
    Ok(on_exec!(ex, |c| sqlx::query_as(&sql)
        .bind(code)
        .fetch_optional(&mut *c)
        .await?))
}

/// Gets a unit or answers 404.
pub async fn require(db: &Db, code: &str) -> AppResult<UnitRecord> {
    get(db, code)
        .await?
        .ok_or_else(|| AppError::not_found(crate::msg!(NoUnit, code = code)))
}

/// The units with these codes, in the order given (unknown codes are left out).
pub async fn many(db: &Db, codes: &[&str]) -> AppResult<Vec<UnitRecord>> {
    if codes.is_empty() {
        return Ok(vec![]);
    }
    let marks: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {COLS} FROM units WHERE code IN ({})",
        marks.join(", ")
    );
    let rows: Vec<UnitRecord> = on_db!(db, |p| {
        let mut q = sqlx::query_as(&sql);
        for c in codes {
            q = q.bind(*c);
        }
        q.fetch_all(p).await?
    });
    let mut by_code: HashMap<String, UnitRecord> =
        rows.into_iter().map(|r| (r.code.clone(), r)).collect();
    Ok(codes.iter().filter_map(|c| by_code.remove(*c)).collect())
}

/// The ancestors of a unit, root first (the unit itself excluded).
pub async fn ancestors(db: &Db, unit: &UnitRecord) -> AppResult<Vec<UnitRecord>> {
    let codes = path_codes(&unit.path);
    many(db, &codes[..codes.len().saturating_sub(1)]).await
}

/// Children of a unit, by name; retired ones only when asked.
pub async fn children(db: &Db, code: &str, include_retired: bool) -> AppResult<Vec<UnitRecord>> {
    let sql = format!(
        "SELECT {COLS} FROM units WHERE parent_code = $1 {} ORDER BY name_folded, code",
        if include_retired {
            ""
        } else {
            "AND retired_on IS NULL"
        }
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(code)
        .fetch_all(p)
        .await?))
}

/// Top-level units (no parent).
pub async fn roots(db: &Db) -> AppResult<Vec<UnitRecord>> {
    let sql = format!(
        "SELECT {COLS} FROM units WHERE parent_code IS NULL AND retired_on IS NULL ORDER BY code"
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql).fetch_all(p).await?))
}

/// Counts of live children per unit code, for the given parents.
pub async fn child_counts(db: &Db, codes: &[&str]) -> AppResult<HashMap<String, i64>> {
    if codes.is_empty() {
        return Ok(HashMap::new());
    }
    let marks: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT parent_code, COUNT(*) FROM units WHERE retired_on IS NULL AND parent_code IN ({}) GROUP BY parent_code",
        marks.join(", ")
    );
    let rows: Vec<(String, i64)> = on_db!(db, |p| {
        let mut q = sqlx::query_as(&sql);
        for c in codes {
            q = q.bind(*c);
        }
        q.fetch_all(p).await?
    });
    Ok(rows.into_iter().collect())
}

/// Number of units in the subtree of `path` (itself included).
pub async fn subtree_count(db: &Db, path: &str) -> AppResult<i64> {
    let (lo, hi) = subtree_range(path);
    Ok(on_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM units WHERE path >= $1 AND path < $2"
    )
    .bind(&lo)
    .bind(&hi)
    .fetch_one(p)
    .await?))
}

/// Searches units by name without diacritics (or by exact code), inside the caller's scope.
/// Names starting with the query rank first, then shorter names.
pub async fn search(db: &Db, query: &str, scope: &Scope, limit: i64) -> AppResult<Vec<UnitRecord>> {
    let folded = fold(query);
    let contains = format!("%{}%", like_escape(&folded));
    let (scope_sql, scope_binds) = scope.sql_filter("path", 4);
    let sql = format!(
        "SELECT {COLS} FROM units
         WHERE (name_folded LIKE $1 ESCAPE '\\' OR code = $2) AND {scope_sql}
         ORDER BY CASE WHEN code = $2 THEN 0 WHEN name_folded LIKE $3 ESCAPE '\\' THEN 1 ELSE 2 END,
                  CASE WHEN retired_on IS NULL THEN 0 ELSE 1 END, LENGTH(name_folded), name_folded, code
         LIMIT {limit}"
    );
    // A query word may also start a name after the kind word ("tan dinh" in "phuong tan dinh").
    let word_start = format!("% {}%", like_escape(&folded));
    Ok(on_db!(db, |p| {
        let mut q = sqlx::query_as(&sql)
            .bind(&contains)
            .bind(query.trim())
            .bind(&word_start);
        for b in &scope_binds {
            q = q.bind(b);
        }
        q.fetch_all(p).await?
    }))
}

/// The history of a unit, oldest first.
pub async fn history(db: &Db, code: &str) -> AppResult<Vec<UnitHistoryEntry>> {
    let rows: Vec<(String, String, Option<String>, NaiveDate)> = on_db!(db, |p| {
        sqlx::query_as(
        "SELECT name, kind, parent_code, valid_until FROM unit_history WHERE code = $1 ORDER BY valid_until, id"
    )
    .bind(code)
    .fetch_all(p)
    .await?
    });
    Ok(rows
        .into_iter()
        .map(|(name, kind, parent_code, valid_until)| UnitHistoryEntry {
            name,
            kind,
            parent_code,
            valid_until,
        })
        .collect())
}

/// Loads what an import plan needs of every unit.
pub async fn load_existing(tx: &mut Tx) -> AppResult<HashMap<String, ExistingUnit>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        code: String,
        name: String,
        kind: String,
        parent_code: Option<String>,
        path: String,
        retired_on: Option<NaiveDate>,
    }
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT code, name, kind, parent_code, path, retired_on FROM units"
    )
    .fetch_all(&mut *c)
    .await?);
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.code.clone(),
                ExistingUnit {
                    code: r.code,
                    name: r.name,
                    kind: r.kind,
                    parent_code: r.parent_code,
                    path: r.path,
                    retired_on: r.retired_on,
                },
            )
        })
        .collect())
}

/// Rows per multi-row `INSERT` (9 binds each): sqlx-sqlite binds cost grows with the square of the
/// number of binds in one statement, so small batches are much faster than one big one.
const BATCH: usize = 200;

/// Writes an import plan: upserts parents first, keeps history, moves paths, retires units.
/// Units the plan creates are dated `created_on` (None: they have always existed, as for the first
/// load of a tree). The caller rebuilds the periods ([`rebuild_periods`]) before committing.
pub async fn apply_plan(
    tx: &mut Tx,
    plan: &ImportPlan,
    effective: NaiveDate,
    created_on: Option<NaiveDate>,
) -> AppResult<()> {
    let now = Utc::now();
    for chunk in plan.writes.chunks(BATCH) {
        let mut sql = String::from(
            "INSERT INTO units (code, name, name_folded, kind, parent_code, path, depth, updated_at, created_on) VALUES ",
        );
        for i in 0..chunk.len() {
            let b = i * 9;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9
            ));
        }
        sql.push_str(
            " ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_folded = excluded.name_folded,
              kind = excluded.kind, parent_code = excluded.parent_code, path = excluded.path,
              depth = excluded.depth, updated_at = excluded.updated_at",
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(&sql);
            for w in chunk {
                q = q
                    .bind(&w.code)
                    .bind(&w.name)
                    .bind(fold(&w.name))
                    .bind(w.kind.as_str())
                    .bind(&w.parent_code)
                    .bind(&w.path)
                    .bind(w.depth)
                    .bind(now)
                    .bind(if w.is_new { created_on } else { None });
            }
            q.execute(&mut *c).await?;
        });
    }
    for w in &plan.writes {
        if let Some(h) = &w.history {
            on_tx!(tx, |c| sqlx::query(
                "INSERT INTO unit_history (code, name, kind, parent_code, valid_until, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6)"
            )
            .bind(&h.code)
            .bind(&h.name)
            .bind(&h.kind)
            .bind(&h.parent_code)
            .bind(effective)
            .bind(now)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
        }
    }
    for (code, path, depth) in &plan.moves {
        on_tx!(tx, |c| sqlx::query(
            "UPDATE units SET path = $1, depth = $2, updated_at = $3 WHERE code = $4"
        )
        .bind(path)
        .bind(depth)
        .bind(now)
        .bind(code)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    }
    for code in &plan.retire {
        retire(tx, code, None, effective).await?;
    }
    Ok(())
}

/// Marks a unit retired on a date, with an optional successor.
pub async fn retire(
    tx: &mut Tx,
    code: &str,
    successor: Option<&str>,
    on: NaiveDate,
) -> AppResult<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE units SET retired_on = $1, successor_code = $2, updated_at = $3 WHERE code = $4"
    )
    .bind(on)
    .bind(successor)
    .bind(Utc::now())
    .bind(code)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// A stored period of the unit tree (see [`super::periods`]).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PeriodRow {
    /// Code.
    pub code: String,
    /// First day (None: since always).
    pub valid_from: Option<NaiveDate>,
    /// First day after (None: still).
    pub valid_to: Option<NaiveDate>,
    /// Name on those days.
    pub name: String,
    /// Kind on those days.
    pub kind: String,
    /// Parent on those days.
    pub parent_code: Option<String>,
    /// Path its people are counted at.
    pub path: String,
    /// Depth of that path.
    pub depth: i64,
    /// The live unit its people are counted in.
    pub placed_code: String,
    /// `live`, `merged` or `unplaced`.
    pub status: String,
}

impl From<&PeriodRow> for UnitView {
    /// The unit as it stood over the period.
    fn from(p: &PeriodRow) -> Self {
        UnitView::from(&UnitRecord {
            code: p.code.clone(),
            name: p.name.clone(),
            kind: p.kind.clone(),
            parent_code: p.parent_code.clone(),
            path: p.path.clone(),
            depth: p.depth,
            retired_on: None,
            successor_code: None,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
            created_on: None,
        })
    }
}

const PERIOD_COLS: &str =
    "code, valid_from, valid_to, name, kind, parent_code, path, depth, placed_code, status";

/// The SQL condition "period `alias` contains day `$n`".
pub fn period_on_sql(alias: &str, n: usize) -> String {
    format!(
        "({alias}.valid_from IS NULL OR {alias}.valid_from <= ${n}) AND ({alias}.valid_to IS NULL OR {alias}.valid_to > ${n})"
    )
}

/// The SQL condition "period `alias` places its unit's people on day `$n` in a report": the
/// period containing the day or, for a unit not yet in being that day, its first one. A record
/// written before units' dates were checked can place someone in a unit before its first day;
/// they are counted there, unplaced ([`placing_sql`]), rather than dropped from the report.
pub fn placing_period_sql(alias: &str, n: usize) -> String {
    format!(
        "({} OR ({alias}.valid_from > ${n} AND NOT EXISTS (SELECT 1 FROM unit_periods e WHERE e.code = {alias}.code AND (e.valid_from IS NULL OR e.valid_from < {alias}.valid_from))))",
        period_on_sql(alias, n)
    )
}

/// The placed code and the placement of a period read by [`placing_period_sql`] on day `$n`, in
/// SQL: before the unit's first day, the unit itself, `unplaced`.
pub fn placing_sql(alias: &str, n: usize) -> (String, String) {
    let before = format!("{alias}.valid_from > ${n}");
    (
        format!("CASE WHEN {before} THEN {alias}.code ELSE {alias}.placed_code END"),
        format!("CASE WHEN {before} THEN 'unplaced' ELSE {alias}.status END"),
    )
}

/// The period of a unit containing day `d`, if the unit existed then (live, merged or unplaced).
pub async fn period_on(db: &Db, code: &str, d: NaiveDate) -> AppResult<Option<PeriodRow>> {
    let sql = format!(
        "SELECT {PERIOD_COLS} FROM unit_periods p WHERE p.code = $1 AND {}",
        period_on_sql("p", 2)
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(code)
        .bind(d)
        .fetch_optional(p)
        .await?))
}

/// How many units were live children of `code` on day `d` (by that day's tree).
pub async fn child_count_on(db: &Db, code: &str, d: NaiveDate) -> AppResult<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM unit_periods p WHERE p.parent_code = $1 AND p.status = 'live' AND {}",
        period_on_sql("p", 2)
    );
    Ok(on_db!(db, |p| sqlx::query_scalar(&sql)
        .bind(code)
        .bind(d)
        .fetch_one(p)
        .await?))
}

/// The unit's latest period (open-ended): where it, or what it became, stands today.
pub async fn period_today(db: &Db, code: &str) -> AppResult<Option<PeriodRow>> {
    let sql =
        format!("SELECT {PERIOD_COLS} FROM unit_periods WHERE code = $1 AND valid_to IS NULL");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(code)
        .fetch_optional(p)
        .await?))
}

/// The live units on day `d` whose path on that day lies in `[lo, hi)`, by path.
pub async fn live_on(db: &Db, range: &(String, String), d: NaiveDate) -> AppResult<Vec<PeriodRow>> {
    let sql = format!(
        "SELECT {PERIOD_COLS} FROM unit_periods p
         WHERE p.path >= $1 AND p.path < $2 AND p.status = 'live' AND {} ORDER BY p.path",
        period_on_sql("p", 3)
    );
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(&range.0)
        .bind(&range.1)
        .bind(d)
        .fetch_all(p)
        .await?))
}

/// The province of a unit path held in the column `col`, in SQL: the path's first segment
/// (`/79/760/26734/` → `79`). A timeline row (`gaps::timeline_store`) keeps the least of the
/// provinces its unit has been in (over the unit's periods), so it does not depend on the
/// report's day, and a read by province looks in that province of every unit of its subtree.
pub fn province_sql(sqlite: bool, col: &str) -> String {
    if sqlite {
        format!("substr({col}, 2, instr(substr({col}, 2), '/') - 1)")
    } else {
        format!("split_part({col}, '/', 2)")
    }
}

/// The least province of each unit of the statement `codes` over all its periods (one column,
/// `province`): the provinces a timeline row of those units keeps ([`province_sql`]).
pub fn least_provinces_sql(sqlite: bool, codes: &str) -> String {
    format!(
        "SELECT MIN({}) AS province FROM unit_periods v WHERE v.code IN ({codes}) GROUP BY v.code",
        province_sql(sqlite, "v.path")
    )
}

/// Rebuilds the stored periods of the unit tree from the units, their history and their
/// successors, writing only the difference (an edit of one unit rewrites that unit's rows).
/// Called in the transaction of every change to the tree.
pub async fn rebuild_periods(tx: &mut Tx) -> AppResult<usize> {
    use super::periods::{build, PastState, Period, Placement, UnitNow};
    let units: Vec<UnitNow> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT code, name, kind, parent_code, created_on, retired_on, successor_code FROM units"
    )
    .fetch_all(&mut *c)
    .await?
    });
    let history: Vec<PastState> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT code, name, kind, parent_code, valid_until FROM unit_history ORDER BY valid_until, id"
    )
    .fetch_all(&mut *c)
    .await?
    });
    let stored: Vec<(i64, PeriodRow)> = {
        let sql = format!("SELECT id, {PERIOD_COLS} FROM unit_periods");
        #[derive(sqlx::FromRow)]
        struct WithId {
            id: i64,
            #[sqlx(flatten)]
            row: PeriodRow,
        }
        let rows: Vec<WithId> = on_tx!(tx, |c| sqlx::query_as(&sql).fetch_all(&mut *c).await?);
        rows.into_iter().map(|r| (r.id, r.row)).collect()
    };
    let wanted = build(&units, &history);
    let as_period = |r: &PeriodRow| Period {
        code: r.code.clone(),
        valid_from: r.valid_from,
        valid_to: r.valid_to,
        name: r.name.clone(),
        kind: r.kind.clone(),
        parent_code: r.parent_code.clone(),
        path: r.path.clone(),
        depth: r.depth,
        placed_code: r.placed_code.clone(),
        placement: Placement::parse(&r.status).unwrap_or(Placement::Unplaced),
    };
    let mut keep: std::collections::HashSet<Period> = wanted.iter().cloned().collect();
    let mut stale: Vec<i64> = vec![];
    // The units whose periods change: the province their timeline rows keep may change.
    let mut changed: std::collections::BTreeSet<String> = Default::default();
    for (id, r) in &stored {
        if !keep.remove(&as_period(r)) {
            stale.push(*id);
            changed.insert(r.code.clone());
        }
    }
    for chunk in stale.chunks(500) {
        let ids = chunk
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let sql = format!("DELETE FROM unit_periods WHERE id IN ({ids})");
        on_tx!(tx, |c| sqlx::query(&sql)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    // `keep` now holds the wanted periods not stored yet.
    let mut fresh: Vec<Period> = keep.into_iter().collect();
    fresh.sort();
    changed.extend(fresh.iter().map(|p| p.code.clone()));
    use crate::db::bulk::{insert, V};
    let rows: Vec<Vec<V>> = fresh
        .iter()
        .map(|p| {
            vec![
                V::S(p.code.clone()),
                V::OD(p.valid_from),
                V::OD(p.valid_to),
                V::S(p.name.clone()),
                V::S(p.kind.clone()),
                V::OS(p.parent_code.clone()),
                V::S(p.path.clone()),
                V::I(p.depth),
                V::S(p.placed_code.clone()),
                V::S(p.placement.as_str().into()),
            ]
        })
        .collect();
    insert(
        tx,
        "unit_periods",
        &[
            "code",
            "valid_from",
            "valid_to",
            "name",
            "kind",
            "parent_code",
            "path",
            "depth",
            "placed_code",
            "status",
        ],
        rows,
    )
    .await?;
    refresh_provinces(tx, &changed).await?;
    Ok(stale.len() + fresh.len())
}

/// Sets the province of the timeline rows of these units to what their periods now give
/// ([`province_sql`]), writing only the rows whose province changes.
async fn refresh_provinces(
    tx: &mut Tx,
    codes: &std::collections::BTreeSet<String>,
) -> AppResult<()> {
    let sqlite = tx.is_sqlite();
    let province = province_sql(sqlite, "v.path");
    let codes: Vec<&String> = codes.iter().collect();
    for chunk in codes.chunks(500) {
        let list = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let least = format!(
            "COALESCE((SELECT MIN({province}) FROM unit_periods v WHERE v.code = holder_timeline.unit_code), '')"
        );
        let sql = format!(
            "UPDATE holder_timeline SET province = {least}
             WHERE unit_code IN ({list}) AND province <> {least}"
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(&sql);
            for code in chunk {
                q = q.bind(*code);
            }
            q.execute(&mut *c).await.map(|_| ())?
        });
    }
    Ok(())
}

/// Builds the periods of a database whose units predate them (one check at start).
pub async fn ensure_periods(db: &Db) -> AppResult<()> {
    let (units, periods): (i64, i64) = on_db!(db, |p| sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM units), (SELECT COUNT(*) FROM unit_periods)"
    )
    .fetch_one(p)
    .await?);
    if units > 0 && periods == 0 {
        let mut tx = db.begin().await?;
        rebuild_periods(&mut tx).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The codes of the titles held or planned in unit `code` on or after `day` whose level is not
/// `level` (a unit's level decides the titles it takes).
pub async fn titles_of_other_level(
    tx: &mut Tx,
    code: &str,
    day: NaiveDate,
    level: &str,
) -> AppResult<Vec<String>> {
    let sql = "SELECT t.code FROM title_assignments a JOIN titles t ON t.id = a.title_id
               WHERE a.unit_code = $1 AND (a.to_date IS NULL OR a.to_date >= $2) AND t.level <> $3
               UNION
               SELECT t.code FROM succession_plans p JOIN titles t ON t.id = p.title_id
               WHERE p.unit_code = $1 AND (p.to_date IS NULL OR p.to_date >= $2) AND t.level <> $3
               ORDER BY 1";
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(code)
        .bind(day)
        .bind(level)
        .fetch_all(&mut *c)
        .await?))
}

/// The first day of every unit (none: it has always existed).
pub async fn created_on_all(tx: &mut Tx) -> AppResult<HashMap<String, Option<NaiveDate>>> {
    let rows: Vec<(String, Option<NaiveDate>)> = on_tx!(tx, |c| {
        sqlx::query_as("SELECT code, created_on FROM units")
            .fetch_all(&mut *c)
            .await?
    });
    Ok(rows.into_iter().collect())
}

/// The day each unit's current state began, where known: its last change (the end of its latest
/// state in history) or else its first day.
pub async fn current_state_since(tx: &mut Tx) -> AppResult<HashMap<String, NaiveDate>> {
    let rows: Vec<(String, Option<NaiveDate>)> = on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT u.code, COALESCE((SELECT MAX(h.valid_until) FROM unit_history h WHERE h.code = u.code), u.created_on)
             FROM units u",
        )
        .fetch_all(&mut *c)
        .await?
    });
    Ok(rows
        .into_iter()
        .filter_map(|(code, day)| day.map(|d| (code, d)))
        .collect())
}

/// The successor links stored.
pub async fn successor_links(tx: &mut Tx) -> AppResult<Links> {
    let rows: Vec<(String, String, NaiveDate, bool, bool)> = on_tx!(tx, |c| {
        sqlx::query_as("SELECT old_code, new_code, effective, part, main FROM unit_successors")
            .fetch_all(&mut *c)
            .await?
    });
    Ok(rows
        .into_iter()
        .map(|(o, n, e, p, m)| ((o, n, e), (p, m)))
        .collect())
}

/// Records the link of a row (or its new `part`/`main`).
pub async fn upsert_successor_link(tx: &mut Tx, r: &SuccessorRow) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO unit_successors (old_code, new_code, effective, part, main) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (old_code, new_code, effective) DO UPDATE SET part = excluded.part, main = excluded.main"
        )
        .bind(&r.old_code)
        .bind(&r.new_code)
        .bind(r.effective)
        .bind(r.part)
        .bind(r.main)
        .execute(&mut *c)
        .await
        .map(|_| ())?
    });
    Ok(())
}

/// The main successor recorded on a unit.
pub async fn successor_code(tx: &mut Tx, code: &str) -> AppResult<Option<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT successor_code FROM units WHERE code = $1"
    )
    .bind(code)
    .fetch_one(&mut *c)
    .await?))
}

fn marks(n: usize, from: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The records of one kind attached to any of the units `olds`, by id.
pub async fn attached(tx: &mut Tx, att: Attachment, olds: &[String]) -> AppResult<Vec<Attached>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        cadre_id: i64,
        unit_code: String,
        from_date: NaiveDate,
        to_date: Option<NaiveDate>,
    }
    if olds.is_empty() {
        return Ok(vec![]);
    }
    let sql = format!(
        "SELECT id, cadre_id, unit_code, from_date, to_date FROM {} WHERE unit_code IN ({}) ORDER BY id",
        att.table(),
        marks(olds.len(), 1)
    );
    let rows: Vec<Row> = on_tx!(tx, |c| {
        let mut q = sqlx::query_as(&sql);
        for o in olds {
            q = q.bind(o);
        }
        q.fetch_all(&mut *c).await?
    });
    Ok(rows
        .into_iter()
        .map(|r| Attached {
            id: r.id,
            cadre_id: r.cadre_id,
            unit_code: r.unit_code,
            from: r.from_date,
            to: r.to_date,
        })
        .collect())
}

/// Writes one move of an attached record: a split ends the period and copies it to the successor
/// (a title period keeps its appointment day); a repoint moves it whole. `now` dates the copies.
pub async fn apply_move(
    tx: &mut Tx,
    att: Attachment,
    m: &Move,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let table = att.table();
    match m {
        Move::Split {
            id,
            end,
            to_unit,
            from,
            to,
        } => {
            on_tx!(tx, |c| sqlx::query(&format!(
                "UPDATE {table} SET to_date = $1 WHERE id = $2"
            ))
            .bind(end)
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
            if att == Attachment::CadreUnit {
                let sql = format!(
                    "INSERT INTO {table} (cadre_id, unit_code, from_date, to_date)
                     SELECT cadre_id, $1, $2, $3 FROM {table} WHERE id = $4"
                );
                on_tx!(tx, |c| sqlx::query(&sql)
                    .bind(to_unit)
                    .bind(from)
                    .bind(to)
                    .bind(id)
                    .execute(&mut *c)
                    .await
                    .map(|_| ())?);
            } else {
                let sql = format!(
                    "INSERT INTO {table} (cadre_id, title_id, unit_code, from_date, to_date, created_at, appointed_on)
                     SELECT cadre_id, title_id, $1, $2, $3, $4, COALESCE(appointed_on, from_date) FROM {table} WHERE id = $5"
                );
                on_tx!(tx, |c| sqlx::query(&sql)
                    .bind(to_unit)
                    .bind(from)
                    .bind(to)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *c)
                    .await
                    .map(|_| ())?);
            }
        }
        Move::Repoint { id, to_unit } => {
            on_tx!(tx, |c| sqlx::query(&format!(
                "UPDATE {table} SET unit_code = $1 WHERE id = $2"
            ))
            .bind(to_unit)
            .bind(id)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
        }
    }
    Ok(())
}

/// Moves the cadres whose current unit is `old` to `new`.
pub async fn move_cadres(tx: &mut Tx, old: &str, new: &str) -> AppResult<()> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE cadres SET unit_code = $1 WHERE unit_code = $2"
    )
    .bind(new)
    .bind(old)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(())
}

/// Moves the accounts whose home unit is `old` to `new` (their tokens end); returns their ids.
pub async fn move_accounts(tx: &mut Tx, old: &str, new: &str) -> AppResult<Vec<i64>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
            "UPDATE accounts SET unit_code = $1, token_version = token_version + 1 WHERE unit_code = $2 RETURNING id"
        )
        .bind(new)
        .bind(old)
        .fetch_all(&mut *c)
        .await?
    }))
}

/// Who holds which title in `unit` on day `on`: (title code, cadre id), sorted.
pub async fn title_holders_on(
    tx: &mut Tx,
    unit: &str,
    on: NaiveDate,
) -> AppResult<Vec<(String, i64)>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
            "SELECT t.code, a.cadre_id FROM title_assignments a JOIN titles t ON t.id = a.title_id
             WHERE a.unit_code = $1 AND a.from_date <= $2 AND (a.to_date IS NULL OR a.to_date >= $2)
             ORDER BY t.code, a.cadre_id",
        )
        .bind(unit)
        .bind(on)
        .fetch_all(&mut *c)
        .await?
    }))
}
