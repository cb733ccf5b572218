//! The succession table of a reorganisation (`data/units/unit-successors-2025-hcmc.csv`): which
//! old unit became which new one(s) on a date. Importing it records the successors, retires the
//! old units that the table hands over to another code, and moves everything still attached to a
//! retired unit to its main successor as a dated move (history kept, so reports before the date
//! are unchanged): unit periods of cadres, title assignments, planned successions, and accounts.
//!
//! This module is pure: parsing ([`parse`]), checking the rows against the units held
//! ([`check_rows`]), the links they change ([`link_change`]), the moves ([`plan_moves`],
//! [`moved_records`]) and the clashes they make ([`clashes_in`]). The import itself, in one
//! transaction or rolled back for a dry run, is `service::import_successors` (also [`run`]); its
//! statements are in `store`.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use utoipa::ToSchema;

use super::domain::{detail, parse_code, rows_error, ExistingUnit};
use serde_json::json;

use crate::error::{AppError, AppResult, ProblemCode, Problems};
use crate::shared::table::{check_csv_shape, too_large, Limits};

/// Imports a succession table (the name callers outside the feature know it by).
pub use super::service::import_successors as run;

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
        msg: crate::msg!(CsvNotReadable, detail = e.to_string()),
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
            return Err(too_large(crate::msg!(
                FileTooManyRows,
                max = limits.max_rows
            )));
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(detail(
                    line,
                    "file",
                    None,
                    ProblemCode::RowUnreadable,
                    json!({"detail": e.to_string()}),
                ));
                continue;
            }
        };
        let get = |k: usize| rec.get(idx[k]).unwrap_or("").trim();
        let (old, new, part, eff, main) = (get(0), get(1), get(2), get(3), get(4));
        let before = errors.total();
        if parse_code("old_code", old).is_err() {
            errors.push(detail(
                line,
                "old_code",
                Some(old),
                ProblemCode::UnitCodeInvalid,
                json!({}),
            ));
        }
        if parse_code("new_code", new).is_err() {
            errors.push(detail(
                line,
                "new_code",
                Some(new),
                ProblemCode::UnitCodeInvalid,
                json!({}),
            ));
        }
        let part = match part {
            "whole" => false,
            "part" => true,
            _ => {
                errors.push(detail(
                    line,
                    "part",
                    Some(part),
                    ProblemCode::WholeOrPart,
                    json!({}),
                ));
                false
            }
        };
        let main = match main {
            "1" => true,
            "0" | "" => false,
            _ => {
                errors.push(detail(
                    line,
                    "main",
                    Some(main),
                    ProblemCode::OneOrZero,
                    json!({}),
                ));
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
                    ProblemCode::DateIsoInvalid,
                    json!({}),
                ));
                None
            }
        };
        if let Some(first) = seen.insert((old.to_string(), new.to_string()), line) {
            errors.push(detail(
                line,
                "new_code",
                Some(new),
                ProblemCode::SuccessionRepeated,
                json!({"old": old, "new": new, "row_first": first}),
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
                ProblemCode::MainSuccessorCount,
                json!({"old": old, "count": m.len()}),
            ));
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(detail(1, "file", None, ProblemCode::FileNoRows, json!({})));
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

/// The records attached to a unit that a succession moves, one table each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attachment {
    /// A cadre's unit period (`cadre_units`, end exclusive).
    CadreUnit,
    /// A title held (`title_assignments`, end inclusive).
    TitleAssignment,
    /// A planned succession (`succession_plans`, end inclusive).
    SuccessionPlan,
}

impl Attachment {
    /// Every kind, in the order they are moved.
    pub const ALL: [Attachment; 3] = [
        Attachment::CadreUnit,
        Attachment::TitleAssignment,
        Attachment::SuccessionPlan,
    ];

    /// The table holding them.
    pub fn table(self) -> &'static str {
        match self {
            Attachment::CadreUnit => "cadre_units",
            Attachment::TitleAssignment => "title_assignments",
            Attachment::SuccessionPlan => "succession_plans",
        }
    }

    /// The kind named in the report.
    pub fn kind(self) -> &'static str {
        match self {
            Attachment::CadreUnit => "cadre_unit",
            Attachment::TitleAssignment => "title_assignment",
            Attachment::SuccessionPlan => "succession_plan",
        }
    }

    /// Whether a period's `to` is its last day (titles) rather than the first day after (units).
    pub fn inclusive_end(self) -> bool {
        self != Attachment::CadreUnit
    }
}

/// Checks the rows against the units the database holds: rows about old units it never held
/// (e.g. the wards of provinces it did not load) are left out and counted; the new tree must be
/// loaded first, so a new unit that is unknown, or does not exist on the row's day, is a problem.
/// `created_on` gives each unit's first day (none: always existed). With `not_after` (the API's
/// today), a row taking effect later is a problem: its moves would apply at once.
pub fn check_rows(
    rows: Vec<SuccessorRow>,
    existing: &HashMap<String, ExistingUnit>,
    created_on: &HashMap<String, Option<NaiveDate>>,
    not_after: Option<NaiveDate>,
) -> AppResult<(Vec<SuccessorRow>, usize)> {
    let all = rows.len();
    let rows: Vec<SuccessorRow> = rows
        .into_iter()
        .filter(|r| existing.contains_key(&r.old_code))
        .collect();
    let skipped = all - rows.len();
    let mut errors = Problems::new();
    for r in &rows {
        if not_after.is_some_and(|today| r.effective > today) {
            errors.push(detail(
                r.line,
                "effective",
                Some(&r.effective.to_string()),
                ProblemCode::DateInFuture,
                json!({}),
            ));
        }
        match existing.get(&r.new_code) {
            None => errors.push(detail(
                r.line,
                "new_code",
                Some(&r.new_code),
                ProblemCode::UnitUnknown,
                json!({}),
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
                        ProblemCode::UnitNotOnDay,
                        json!({"unit": r.new_code, "date": r.effective.to_string()}),
                    ));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(rows_error(errors));
    }
    Ok((rows, skipped))
}

/// The stored successor links: (old code, new code, effective) → (part, main).
pub type Links = HashMap<(String, String, NaiveDate), (bool, bool)>;

/// What a row does to the stored link of its old unit, new unit and day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkChange {
    /// Stored as it is.
    Unchanged,
    /// Stored with another `part`/`main`.
    Updated,
    /// Not stored yet.
    Created,
}

/// What `row` does to the `stored` links.
pub fn link_change(row: &SuccessorRow, stored: &Links) -> LinkChange {
    match stored.get(&(row.old_code.clone(), row.new_code.clone(), row.effective)) {
        Some(&(p, m)) if (p, m) == (row.part, row.main) => LinkChange::Unchanged,
        Some(_) => LinkChange::Updated,
        None => LinkChange::Created,
    }
}

/// The report's lines for the moves of one kind of record.
pub fn moved_records(att: Attachment, records: &[Attached], moves: &[Move]) -> Vec<MovedRecord> {
    let by_id: HashMap<i64, &Attached> = records.iter().map(|r| (r.id, r)).collect();
    moves
        .iter()
        .map(|m| {
            let (id, to_unit, on) = match m {
                Move::Split {
                    id, to_unit, from, ..
                } => (*id, to_unit, *from),
                Move::Repoint { id, to_unit } => (*id, to_unit, by_id[id].from),
            };
            let r = by_id[&id];
            MovedRecord {
                kind: att.kind().into(),
                id,
                cadre_id: Some(r.cadre_id),
                from_unit: r.unit_code.clone(),
                to_unit: to_unit.clone(),
                on,
            }
        })
        .collect()
}

impl MovedRecord {
    /// An account moved from a retired unit to its main successor.
    pub fn account(id: i64, from_unit: &str, to_unit: &str, on: NaiveDate) -> MovedRecord {
        MovedRecord {
            kind: "account".into(),
            id,
            cadre_id: None,
            from_unit: from_unit.into(),
            to_unit: to_unit.into(),
            on,
        }
    }
}

/// The units that received title assignments, with the day: where two holders of one title may
/// now meet.
pub fn receiving(moved: &[MovedRecord]) -> BTreeSet<(String, NaiveDate)> {
    moved
        .iter()
        .filter(|m| m.kind == Attachment::TitleAssignment.kind())
        .map(|m| (m.to_unit.clone(), m.on))
        .collect()
}

/// The titles held by two or more cadres in `unit` on `on`, from its holders that day
/// (title code, cadre id), sorted.
pub fn clashes_in(unit: &str, on: NaiveDate, held: Vec<(String, i64)>) -> Vec<Clash> {
    let mut by_title: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (t, c) in held {
        by_title.entry(t).or_default().push(c);
    }
    by_title
        .into_iter()
        .filter_map(|(title_code, mut cadre_ids)| {
            cadre_ids.dedup();
            (cadre_ids.len() > 1).then(|| Clash {
                unit_code: unit.to_string(),
                title_code,
                on,
                cadre_ids,
            })
        })
        .collect()
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

    fn row(line: usize, old: &str, new: &str, main: bool) -> SuccessorRow {
        SuccessorRow {
            line,
            old_code: old.into(),
            new_code: new.into(),
            effective: d("2025-07-01"),
            part: false,
            main,
        }
    }

    fn unit(code: &str, retired_on: Option<&str>) -> (String, ExistingUnit) {
        (
            code.into(),
            ExistingUnit {
                code: code.into(),
                name: code.into(),
                kind: "ward".into(),
                parent_code: None,
                path: format!("/{code}/"),
                retired_on: retired_on.map(d),
            },
        )
    }

    #[test]
    fn rows_of_units_never_held_are_skipped_and_new_units_must_exist_on_the_day() {
        let existing = HashMap::from([
            unit("1", None),
            unit("2", None),
            unit("3", Some("2025-07-01")),
            unit("4", None),
        ]);
        let created_on = HashMap::from([("4".to_string(), Some(d("2025-08-01")))]);
        let (rows, skipped) = check_rows(
            vec![row(2, "1", "2", true), row(3, "99", "2", true)],
            &existing,
            &created_on,
            None,
        )
        .unwrap();
        assert_eq!((rows.len(), skipped), (1, 1));
        let AppError::Problems { report, .. } = check_rows(
            vec![
                row(2, "1", "98", true),
                row(3, "2", "3", true),
                row(4, "1", "4", false),
            ],
            &existing,
            &created_on,
            None,
        )
        .unwrap_err() else {
            panic!()
        };
        let messages: Vec<&str> = report.listed.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "no unit with this code",
                "unit 3 does not exist on 2025-07-01",
                "unit 4 does not exist on 2025-07-01"
            ]
        );
    }

    #[test]
    fn links_are_created_updated_or_left() {
        let r = row(2, "1", "2", true);
        let mut stored = Links::new();
        assert_eq!(link_change(&r, &stored), LinkChange::Created);
        stored.insert(("1".into(), "2".into(), r.effective), (false, false));
        assert_eq!(link_change(&r, &stored), LinkChange::Updated);
        stored.insert(("1".into(), "2".into(), r.effective), (false, true));
        assert_eq!(link_change(&r, &stored), LinkChange::Unchanged);
    }

    #[test]
    fn moves_are_reported_and_clashes_found() {
        let records = vec![
            Attached {
                id: 1,
                cadre_id: 10,
                unit_code: "A".into(),
                from: d("2015-01-01"),
                to: None,
            },
            Attached {
                id: 2,
                cadre_id: 11,
                unit_code: "A".into(),
                from: d("2025-08-01"),
                to: None,
            },
        ];
        let main = HashMap::from([("A".to_string(), ("B".to_string(), d("2025-07-01")))]);
        let moves = plan_moves(&records, &main, true);
        let moved = moved_records(Attachment::TitleAssignment, &records, &moves);
        assert_eq!(
            moved
                .iter()
                .map(|m| (m.id, m.on, m.cadre_id))
                .collect::<Vec<_>>(),
            [
                (1, d("2025-07-01"), Some(10)),
                (2, d("2025-08-01"), Some(11))
            ]
        );
        assert!(moved
            .iter()
            .all(|m| m.kind == "title_assignment" && m.to_unit == "B"));
        let mut all = moved.clone();
        all.push(MovedRecord::account(5, "A", "B", d("2025-07-01")));
        assert_eq!(
            receiving(&all).into_iter().collect::<Vec<_>>(),
            [
                ("B".to_string(), d("2025-07-01")),
                ("B".to_string(), d("2025-08-01"))
            ]
        );
        let clashes = clashes_in(
            "B",
            d("2025-07-01"),
            vec![
                ("FF-CHAIR".into(), 10),
                ("FF-CHAIR".into(), 12),
                ("YU-SEC".into(), 11),
                ("YU-SEC".into(), 11),
            ],
        );
        assert_eq!(
            clashes,
            [Clash {
                unit_code: "B".into(),
                title_code: "FF-CHAIR".into(),
                on: d("2025-07-01"),
                cadre_ids: vec![10, 12],
            }]
        );
        assert_eq!(
            Attachment::ALL.map(|a| (a.table(), a.inclusive_end())),
            [
                ("cadre_units", false),
                ("title_assignments", true),
                ("succession_plans", true)
            ]
        );
    }
}
