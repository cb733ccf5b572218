//! The succession table of a reorganisation (`data/units/unit-successors-2025-hcmc.csv`): which
//! old unit became which new one(s) on a date. Importing it records the successors, retires the
//! old units that the table hands over to another code, and moves everything still attached to a
//! retired unit to its main successor as a dated move (history kept, so reports before the date
//! are unchanged): unit periods of cadres, title assignments, planned successions, and accounts.
//!
//! Parsing and planning are pure ([`parse`], [`plan_moves`]); [`run`] loads, plans and writes in
//! one transaction, or rolls back for a dry run.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use utoipa::ToSchema;

use super::domain::{detail, parse_code, rows_error};
use super::store;
use crate::api::upload::blocking;
use crate::audit::{self, Actor};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult, Problems};
use crate::on_tx;
use crate::shared::table::{check_csv_shape, too_large, Limits};

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessorRow {
    /// Line in the file (header = 1).
    pub line: usize,
    /// The old unit.
    pub old_code: String,
    /// A unit it went (wholly or partly) into.
    pub new_code: String,
    /// Day the new structure took effect.
    pub effective: NaiveDate,
    /// Split between several new units.
    pub part: bool,
    /// The successor to use when one must be chosen.
    pub main: bool,
}

/// Parses the CSV (`old_code,…,new_code,…,part,effective,main`; other columns ignored).
/// Every problem is reported (the first 1,000 in full, all counted); each old unit needs exactly
/// one `main` row. The file's shape is checked against `limits` before it is parsed.
pub fn parse(bytes: &[u8], limits: &Limits) -> AppResult<Vec<SuccessorRow>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    check_csv_shape(bytes, b',', limits)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let headers = reader.headers().map_err(|e| AppError::BadRequest {
        field: Some("file".into()),
        message: format!("the file is not a readable CSV: {e}"),
    })?;
    let idx = crate::units::domain::header_columns(
        headers,
        &["old_code", "new_code", "part", "effective", "main"],
    )?;
    let mut rows = vec![];
    let mut errors = Problems::new();
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        if i >= limits.max_rows {
            return Err(too_large(format!(
                "the file has more than {} rows under its header; import it in parts",
                limits.max_rows
            )));
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(detail(line, "file", None, format!("unreadable row: {e}")));
                continue;
            }
        };
        let get = |k: usize| rec.get(idx[k]).unwrap_or("").trim();
        let (old, new, part, eff, main) = (get(0), get(1), get(2), get(3), get(4));
        let before = errors.total();
        if parse_code("old_code", old).is_err() {
            errors.push(detail(line, "old_code", Some(old), "not a unit code"));
        }
        if parse_code("new_code", new).is_err() {
            errors.push(detail(line, "new_code", Some(new), "not a unit code"));
        }
        let part = match part {
            "whole" => false,
            "part" => true,
            _ => {
                errors.push(detail(line, "part", Some(part), "must be whole or part"));
                false
            }
        };
        let main = match main {
            "1" => true,
            "0" | "" => false,
            _ => {
                errors.push(detail(line, "main", Some(main), "must be 1 or 0"));
                false
            }
        };
        let effective = match NaiveDate::parse_from_str(eff, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(detail(
                    line,
                    "effective",
                    Some(eff),
                    "not a date (YYYY-MM-DD)",
                ));
                None
            }
        };
        if let Some(first) = seen.insert((old.to_string(), new.to_string()), line) {
            errors.push(detail(
                line,
                "new_code",
                Some(new),
                format!("{old} → {new} is listed twice (first on line {first})"),
            ));
        }
        if errors.total() == before {
            if let Some(effective) = effective {
                rows.push(SuccessorRow {
                    line,
                    old_code: old.into(),
                    new_code: new.into(),
                    effective,
                    part,
                    main,
                });
            }
        }
    }
    let mut mains: BTreeMap<&str, Vec<&SuccessorRow>> = BTreeMap::new();
    for r in &rows {
        mains.entry(r.old_code.as_str()).or_default();
        if r.main {
            mains.entry(r.old_code.as_str()).or_default().push(r);
        }
    }
    for (old, m) in &mains {
        if m.len() != 1 {
            let line = rows
                .iter()
                .find(|r| r.old_code == *old)
                .map_or(0, |r| r.line);
            errors.push(detail(
                line,
                "main",
                Some(old),
                format!(
                    "old unit {old} needs exactly one main successor (has {})",
                    m.len()
                ),
            ));
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(detail(1, "file", None, "the file has no rows"));
    }
    if !errors.is_empty() {
        return Err(rows_error(errors));
    }
    Ok(rows)
}

/// A dated record attached to a unit: a cadre's unit period (`to` exclusive) or a title period
/// (`to` inclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct Attached {
    /// Row id.
    pub id: i64,
    /// Cadre.
    pub cadre_id: i64,
    /// Unit.
    pub unit_code: String,
    /// First day.
    pub from: NaiveDate,
    /// End (see above).
    pub to: Option<NaiveDate>,
}

/// What happens to one attached record.
#[derive(Debug, Clone, PartialEq)]
pub enum Move {
    /// The period ends at the change (new end) and a copy at the successor starts on it.
    Split {
        /// The record.
        id: i64,
        /// Its new end.
        end: NaiveDate,
        /// The successor.
        to_unit: String,
        /// Start of the copy.
        from: NaiveDate,
        /// End of the copy (the old end).
        to: Option<NaiveDate>,
    },
    /// The period starts on or after the change: it is simply re-pointed.
    Repoint {
        /// The record.
        id: i64,
        /// The successor.
        to_unit: String,
    },
}

/// Plans the moves of records attached to retired units: `main` maps an old code to (its main
/// successor, effective day). `inclusive_end` says whether `to` is the last day (title periods) or
/// the first day after (unit periods).
pub fn plan_moves(
    records: &[Attached],
    main: &HashMap<String, (String, NaiveDate)>,
    inclusive_end: bool,
) -> Vec<Move> {
    let mut out = vec![];
    for r in records {
        let Some((to_unit, eff)) = main.get(&r.unit_code) else {
            continue;
        };
        let still_on = match r.to {
            None => true,
            Some(t) if inclusive_end => t >= *eff,
            Some(t) => t > *eff,
        };
        if !still_on {
            continue;
        }
        if r.from < *eff {
            let end = if inclusive_end {
                eff.checked_sub_days(Days::new(1)).unwrap_or(*eff)
            } else {
                *eff
            };
            out.push(Move::Split {
                id: r.id,
                end,
                to_unit: to_unit.clone(),
                from: *eff,
                to: r.to,
            });
        } else {
            out.push(Move::Repoint {
                id: r.id,
                to_unit: to_unit.clone(),
            });
        }
    }
    out
}

/// One record moved (or to be moved, in a dry run).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct MovedRecord {
    /// `cadre_unit`, `title_assignment`, `succession_plan` or `account`.
    pub kind: String,
    /// The record's id.
    pub id: i64,
    /// The cadre concerned (absent for accounts).
    pub cadre_id: Option<i64>,
    /// The retired unit.
    pub from_unit: String,
    /// Its main successor.
    pub to_unit: String,
    /// The day of the move.
    pub on: NaiveDate,
}

/// Two or more holders of one title in one unit after the moves.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct Clash {
    /// The new unit.
    pub unit_code: String,
    /// The title.
    pub title_code: String,
    /// The day.
    pub on: NaiveDate,
    /// The holders (cadre ids).
    pub cadre_ids: Vec<i64>,
}

/// What a successor import did (or would do).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct SuccessorReport {
    /// Nothing was written.
    pub dry_run: bool,
    /// Rows in the file.
    pub rows: usize,
    /// Rows about old units this database never held (skipped).
    pub skipped: usize,
    /// Successor links new to the database.
    pub created: usize,
    /// Links already recorded as they are.
    pub unchanged: usize,
    /// Links whose `part`/`main` changed.
    pub updated: usize,
    /// Old units retired by this import (they were still live).
    pub retired: Vec<String>,
    /// Old units whose main successor was recorded or changed.
    pub successors_set: usize,
    /// Every record moved to a main successor.
    pub moved: Vec<MovedRecord>,
    /// Units that now have two or more holders of one title on the day of the change, for the
    /// organisation commission to resolve (every key leadership title has one holder per unit).
    pub clashes: Vec<Clash>,
}

fn marks(n: usize, from: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn attached(tx: &mut Tx, table: &str, olds: &[String]) -> AppResult<Vec<Attached>> {
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
        "SELECT id, cadre_id, unit_code, from_date, to_date FROM {table} WHERE unit_code IN ({}) ORDER BY id",
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

/// Writes the moves of one table; returns what moved.
async fn apply_moves(
    tx: &mut Tx,
    table: &str,
    kind: &str,
    records: &[Attached],
    moves: &[Move],
) -> AppResult<Vec<MovedRecord>> {
    let by_id: HashMap<i64, &Attached> = records.iter().map(|r| (r.id, r)).collect();
    let now = chrono::Utc::now();
    let titled = table != "cadre_units";
    let mut out = vec![];
    for m in moves {
        let (id, to_unit, on) = match m {
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
                if titled {
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
                } else {
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
                }
                (*id, to_unit, *from)
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
                (*id, to_unit, by_id[id].from)
            }
        };
        let r = by_id[&id];
        out.push(MovedRecord {
            kind: kind.into(),
            id,
            cadre_id: Some(r.cadre_id),
            from_unit: r.unit_code.clone(),
            to_unit: to_unit.clone(),
            on,
        });
    }
    Ok(out)
}

/// Imports a succession table: every row valid or nothing written; with `dry_run` the same
/// answer and nothing written.
pub async fn run(
    db: &Db,
    actor: &Actor,
    bytes: Vec<u8>,
    limits: Limits,
    dry_run: bool,
) -> AppResult<SuccessorReport> {
    // Parsed on the blocking pool, off the async workers.
    let rows = blocking(move || parse(&bytes, &limits)).await??;
    let mut tx = db.begin().await?;
    let existing = store::load_existing(&mut tx).await?;
    let created_on: HashMap<String, Option<NaiveDate>> = on_tx!(&mut tx, |c| {
        sqlx::query_as::<_, (String, Option<NaiveDate>)>("SELECT code, created_on FROM units")
            .fetch_all(&mut *c)
            .await?
    })
    .into_iter()
    .collect();
    // Rows of old units this database never held (e.g. the wards of provinces it did not load)
    // are skipped; the new tree must be loaded first, so an unknown new unit is a problem.
    let all = rows.len();
    let rows: Vec<SuccessorRow> = rows
        .into_iter()
        .filter(|r| existing.contains_key(&r.old_code))
        .collect();
    let skipped = all - rows.len();
    let mut errors = Problems::new();
    for r in &rows {
        match existing.get(&r.new_code) {
            None => errors.push(detail(
                r.line,
                "new_code",
                Some(&r.new_code),
                "no unit with this code",
            )),
            Some(u) => {
                let born = created_on.get(&r.new_code).copied().flatten();
                if u.retired_on.is_some_and(|d| d <= r.effective)
                    || born.is_some_and(|b| b > r.effective)
                {
                    errors.push(detail(
                        r.line,
                        "new_code",
                        Some(&r.new_code),
                        format!("unit {} does not exist on {}", r.new_code, r.effective),
                    ));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(rows_error(errors));
    }
    // The links.
    let stored: HashMap<(String, String, NaiveDate), (bool, bool)> = on_tx!(&mut tx, |c| {
        sqlx::query_as::<_, (String, String, NaiveDate, bool, bool)>(
            "SELECT old_code, new_code, effective, part, main FROM unit_successors",
        )
        .fetch_all(&mut *c)
        .await?
    })
    .into_iter()
    .map(|(o, n, e, p, m)| ((o, n, e), (p, m)))
    .collect();
    let (mut created, mut updated, mut unchanged) = (0, 0, 0);
    for r in &rows {
        match stored.get(&(r.old_code.clone(), r.new_code.clone(), r.effective)) {
            Some(&(p, m)) if (p, m) == (r.part, r.main) => {
                unchanged += 1;
                continue;
            }
            Some(_) => updated += 1,
            None => created += 1,
        }
        on_tx!(&mut tx, |c| {
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
    }
    // Old units handed to another code: their main successor, retirement, and the moves.
    let mut main: HashMap<String, (String, NaiveDate)> = HashMap::new();
    let mut retired = vec![];
    let mut successors_set = 0;
    for r in rows.iter().filter(|r| r.main && r.old_code != r.new_code) {
        let old = &existing[&r.old_code];
        main.insert(r.old_code.clone(), (r.new_code.clone(), r.effective));
        let current: Option<String> = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT successor_code FROM units WHERE code = $1"
        )
        .bind(&r.old_code)
        .fetch_one(&mut *c)
        .await?);
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
    let olds: Vec<String> = main
        .keys()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut moved = vec![];
    for (table, kind, inclusive) in [
        ("cadre_units", "cadre_unit", false),
        ("title_assignments", "title_assignment", true),
        ("succession_plans", "succession_plan", true),
    ] {
        let records = attached(&mut tx, table, &olds).await?;
        let moves = plan_moves(&records, &main, inclusive);
        moved.extend(apply_moves(&mut tx, table, kind, &records, &moves).await?);
    }
    // The record's current unit, and accounts attached to a retired unit.
    for (old, (new, eff)) in &main {
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE cadres SET unit_code = $1 WHERE unit_code = $2"
        )
        .bind(new)
        .bind(old)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
        let ids: Vec<i64> = on_tx!(&mut tx, |c| {
            sqlx::query_scalar(
            "UPDATE accounts SET unit_code = $1, token_version = token_version + 1 WHERE unit_code = $2 RETURNING id"
        )
        .bind(new)
        .bind(old)
        .fetch_all(&mut *c)
        .await?
        });
        moved.extend(ids.into_iter().map(|id| MovedRecord {
            kind: "account".into(),
            id,
            cadre_id: None,
            from_unit: old.clone(),
            to_unit: new.clone(),
            on: *eff,
        }));
    }
    moved.sort_by(|a, b| (&a.kind, a.id).cmp(&(&b.kind, b.id)));
    // Clashes: titles with two or more incumbents in a receiving unit on the day.
    let mut receiving: BTreeMap<(String, NaiveDate), ()> = BTreeMap::new();
    for m in moved.iter().filter(|m| m.kind == "title_assignment") {
        receiving.insert((m.to_unit.clone(), m.on), ());
    }
    let mut clashes = vec![];
    for (unit, on) in receiving.keys() {
        let held: Vec<(String, i64)> = on_tx!(&mut tx, |c| {
            sqlx::query_as(
            "SELECT t.code, a.cadre_id FROM title_assignments a JOIN titles t ON t.id = a.title_id
             WHERE a.unit_code = $1 AND a.from_date <= $2 AND (a.to_date IS NULL OR a.to_date >= $2)
             ORDER BY t.code, a.cadre_id"
        )
        .bind(unit)
        .bind(on)
        .fetch_all(&mut *c)
        .await?
        });
        let mut by_title: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        for (t, c) in held {
            by_title.entry(t).or_default().push(c);
        }
        for (title_code, mut cadre_ids) in by_title {
            cadre_ids.dedup();
            if cadre_ids.len() > 1 {
                clashes.push(Clash {
                    unit_code: unit.clone(),
                    title_code,
                    on: *on,
                    cadre_ids,
                });
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn parses_the_shipped_table() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/units/unit-successors-2025-hcmc.csv"
        ))
        .unwrap();
        let rows = parse(&bytes, &Limits::default()).unwrap();
        assert_eq!(rows.len(), 493);
        let olds: BTreeSet<&str> = rows.iter().map(|r| r.old_code.as_str()).collect();
        assert_eq!(olds.len(), rows.iter().filter(|r| r.main).count());
        let split: BTreeSet<&str> = rows
            .iter()
            .filter(|r| r.part)
            .map(|r| r.old_code.as_str())
            .collect();
        assert_eq!(split.len(), 47);
    }

    #[test]
    fn every_problem_is_listed() {
        let csv = "old_code,new_code,part,effective,main\n1,2,whole,2025-07-01,1\nx,2,half,2025-13-01,1\n3,4,part,2025-07-01,0\n";
        let AppError::Problems { report, .. } =
            parse(csv.as_bytes(), &Limits::default()).unwrap_err()
        else {
            panic!()
        };
        let details = report.listed;
        let fields: Vec<&str> = details.iter().filter_map(|d| d.field.as_deref()).collect();
        assert!(fields.contains(&"old_code") && fields.contains(&"part"));
        assert!(fields.contains(&"effective"));
        assert!(details
            .iter()
            .any(|d| d.message.contains("exactly one main")));
    }

    #[test]
    fn periods_split_at_the_change_or_repoint() {
        let main = HashMap::from([("A".to_string(), ("B".to_string(), d("2025-07-01")))]);
        let rec = |id, from: &str, to: Option<&str>| Attached {
            id,
            cadre_id: id,
            unit_code: "A".into(),
            from: d(from),
            to: to.map(d),
        };
        let records = vec![
            rec(1, "2015-01-01", None),
            rec(2, "2015-01-01", Some("2020-01-01")),
            rec(3, "2025-08-01", None),
            rec(4, "2015-01-01", Some("2025-07-01")),
        ];
        let titles = plan_moves(&records, &main, true);
        assert_eq!(
            titles,
            vec![
                Move::Split {
                    id: 1,
                    end: d("2025-06-30"),
                    to_unit: "B".into(),
                    from: d("2025-07-01"),
                    to: None
                },
                Move::Repoint {
                    id: 3,
                    to_unit: "B".into()
                },
                Move::Split {
                    id: 4,
                    end: d("2025-06-30"),
                    to_unit: "B".into(),
                    from: d("2025-07-01"),
                    to: Some(d("2025-07-01"))
                },
            ]
        );
        // Unit periods end exclusive: one ending on the day has already left.
        let units = plan_moves(&records, &main, false);
        assert_eq!(units.len(), 2);
        assert!(matches!(units[0], Move::Split { end, .. } if end == d("2025-07-01")));
    }
}
