//! Planning an import: every row checked against what the database holds (passed in as plain
//! data), giving either the full list of problems or the exact writes to make. Pure: no I/O, so
//! a dry run and a commit see the same answer.

use chrono::NaiveDate;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

use super::columns::{layout, Kind, Layout};
use super::rows::Row;
use crate::auth::Scope;
use crate::cadres::domain::{
    check_birth_date, check_party_date, check_period, default_minority, gender_from_text,
    organisation_from_text, parse_email, parse_full_name, parse_personal_id, parse_phone,
    parse_words, PersonalId,
};
use crate::cadres::rules::{
    check_life_date, check_move_date, check_title_age, check_title_level, check_unit,
    first_off_line, lasts_beyond, on_line, overlaps_another, runs_on_or_after, same_organisation,
    HomeSpan, Role, Span, UnitRefusal,
};
use crate::cadres::store::CadreWrite;
use crate::error::{AppError, ProblemCode as C, Problems};
use crate::shared::table::{Cell, Sheet};
use crate::shared::text::fold;

/// A unit as the planner needs it.
#[derive(Debug, Clone)]
pub struct UnitInfo {
    /// Materialised path.
    pub path: String,
    /// `city`, `district` or `commune`.
    pub level: String,
    /// The day it was retired, if it was: a retired unit takes no new cadres or titles.
    pub retired_on: Option<NaiveDate>,
    /// The day it came into being (none: always existed): nobody is in it, nor holds a title
    /// there, before.
    pub created_on: Option<NaiveDate>,
}

impl UnitInfo {
    /// Whether the unit is retired.
    pub fn retired(&self) -> bool {
        self.retired_on.is_some()
    }

    /// Whether day `day` comes before the unit came into being.
    pub fn before_existing(&self, day: NaiveDate) -> bool {
        self.created_on.is_some_and(|c| day < c)
    }

    /// The parameters of a problem `unit_not_yet` for unit `code`.
    pub fn not_yet(&self, code: &str) -> Value {
        json!({"unit": code, "date": self.created_on.map(|c| c.to_string())})
    }
}

/// A title as the planner needs it.
#[derive(Debug, Clone)]
pub struct TitleInfo {
    /// Id.
    pub id: i64,
    /// `city`, `district` or `commune`.
    pub level: String,
    /// Inactive titles take no new holders.
    pub active: bool,
    /// Organisation kind (`fatherland_front`): one title of it in a unit at a time.
    pub org: String,
}

/// A cadre already in the database.
#[derive(Debug, Clone)]
pub struct ExistingCadre {
    /// Id.
    pub id: i64,
    /// Current fields.
    pub w: CadreWrite,
    /// Path of the current unit.
    pub unit_path: String,
    /// Start of the current unit period.
    pub unit_from: Option<NaiveDate>,
}

/// A title held or planned already in the database.
#[derive(Debug, Clone)]
pub struct ExistingPeriod {
    /// Row id.
    pub id: i64,
    /// Cadre.
    pub cadre_id: i64,
    /// Title.
    pub title_id: i64,
    /// Unit of the title.
    pub unit_code: String,
    /// From.
    pub from: NaiveDate,
    /// Until, inclusive.
    pub to: Option<NaiveDate>,
}

/// A cadre's period in a unit, on record.
#[derive(Debug, Clone)]
pub struct ExistingHome {
    /// The unit's code.
    pub code: String,
    /// First day.
    pub from: NaiveDate,
    /// The day they left (exclusive); `None` while there.
    pub until: Option<NaiveDate>,
}

/// What a cadre import is checked against.
#[derive(Debug, Clone, Default)]
pub struct CadreLookups {
    /// Every unit by code.
    pub units: HashMap<String, UnitInfo>,
    /// Every title by code.
    pub titles: HashMap<String, TitleInfo>,
    /// Cadres with a personal id that the file names.
    pub cadres: HashMap<String, ExistingCadre>,
    /// Titles held by those cadres.
    pub held: Vec<ExistingPeriod>,
    /// Titles planned for those cadres.
    pub planned: Vec<ExistingPeriod>,
    /// The unit periods of those cadres, oldest first (a held title stays on their line).
    pub homes: HashMap<i64, Vec<ExistingHome>>,
    /// The first day of each of those cadres' earliest title period, held or planned (read even
    /// where `held` and `planned` are not: a birth date is checked against it).
    pub first_title_day: HashMap<i64, NaiveDate>,
    /// The earliest day of each of those cadres' completions and qualifications (a birth date
    /// stays before it).
    pub first_record_day: HashMap<i64, NaiveDate>,
    /// The classes not over in which each of those cadres holds a seat or a waitlist place, by
    /// code (a cadre holding one is not made inactive).
    pub seats: HashMap<i64, Vec<String>>,
}

/// Who a period belongs to: a cadre in the database or one created by this import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CadreRef {
    /// An existing cadre's id.
    Existing(i64),
    /// Index into [`CadrePlan::new`].
    New(usize),
}

/// A new title period to insert.
#[derive(Debug, Clone)]
pub struct NewPeriod {
    /// Whose.
    pub cadre: CadreRef,
    /// Title id.
    pub title_id: i64,
    /// Unit of the title.
    pub unit_code: String,
    /// From.
    pub from: NaiveDate,
    /// Until, inclusive.
    pub to: Option<NaiveDate>,
}

/// A new cadre to insert.
#[derive(Debug, Clone)]
pub struct NewCadre {
    /// Fields.
    pub w: CadreWrite,
    /// First day in the unit.
    pub since: NaiveDate,
}

/// The writes of a cadre import.
#[derive(Debug, Clone, Default)]
pub struct CadrePlan {
    /// Cadres to create.
    pub new: Vec<NewCadre>,
    /// Cadres whose fields change: (id, new fields).
    pub updates: Vec<(i64, CadreWrite)>,
    /// Moves: (id, new unit, day).
    pub moves: Vec<(i64, String, NaiveDate)>,
    /// Titles held to insert.
    pub new_held: Vec<NewPeriod>,
    /// Titles planned to insert.
    pub new_planned: Vec<NewPeriod>,
    /// Held periods whose end changes: (row id, new end).
    pub held_ends: Vec<(i64, Option<NaiveDate>)>,
    /// Planned periods whose end changes: (row id, new end).
    pub planned_ends: Vec<(i64, Option<NaiveDate>)>,
    /// Row counts.
    pub counts: ImportCounts,
}

/// How many rows create, update or leave records as they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportCounts {
    /// Data rows read.
    pub rows: usize,
    /// Rows that create a record.
    pub created: usize,
    /// Rows that change a record.
    pub updated: usize,
    /// Rows already up to date.
    pub unchanged: usize,
}

/// A title held or planned, as a row gives it (its code given; its other cells as far as they
/// could be read).
#[derive(Debug, Clone)]
struct TitleRef {
    key: &'static str,
    unit_key: &'static str,
    from_key: &'static str,
    to_key: &'static str,
    code: String,
    unit_code: Option<String>,
    /// The first day, when its cell is good.
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    /// Every cell of the period is good (a start, a readable end not before it).
    complete: bool,
}

/// A cadre row as read: what each cell gave (`None` where the cell has a problem or is blank),
/// so that the checks against other data run on every cell that can still be checked.
#[derive(Debug, Clone)]
struct CadreRow {
    line: usize,
    personal_id: Option<PersonalId>,
    full_name: Option<String>,
    unit_code: Option<String>,
    /// The record's fields, when every cell of the row is good.
    w: Option<CadreWrite>,
    since: Option<NaiveDate>,
    /// The `unit_since` cell has a problem of its own.
    since_bad: bool,
    /// The `active` cell says yes or no (blank: yes for a new cadre, the record's for one on
    /// record, so that a file without the column leaves those who left as they are).
    active_given: bool,
    title: Option<TitleRef>,
    plan: Option<TitleRef>,
}

/// A personal id from a cell; a number cell lost its leading zero in a spreadsheet, so it is
/// padded back to 9 or 12 digits.
pub fn personal_id_text(c: &Cell) -> String {
    let s = c.display();
    match c {
        Cell::Number(_) if s.len() == 8 || s.len() == 11 => format!("0{s}"),
        _ => s,
    }
}

fn read_personal_id(r: &mut Row) -> Option<PersonalId> {
    if r.cell("personal_id").is_blank() {
        r.problem("personal_id", C::Required);
        return None;
    }
    let raw = personal_id_text(r.cell("personal_id"));
    r.check("personal_id", parse_personal_id(&raw), C::PersonalIdInvalid)
}

/// The code of a full name's refusal (`cadres::domain::parse_full_name`): its length, or its
/// characters.
fn name_problem(message: &str) -> (C, Value) {
    if message.ends_with("characters") {
        (C::NameLength, json!({"min": 2, "max": 120}))
    } else {
        (C::NameCharacters, json!({}))
    }
}

/// The code of a word-like text's refusal (`cadres::domain::parse_words`) in `column`: its
/// length (at most `max`), or its characters.
fn words_problem(column: &'static str, max: usize) -> impl FnOnce(&str) -> (C, Value) {
    move |message| {
        if message.ends_with("characters") {
            (C::TextLength, json!({"column": column, "max": max}))
        } else {
            (C::TextCharacters, json!({ "column": column }))
        }
    }
}

/// A title's cells: `None` when no code is given (a problem when its other cells are).
fn read_title(r: &mut Row, keys: [&'static str; 4]) -> Option<TitleRef> {
    let [code_k, unit_k, from_k, to_k] = keys;
    let code = r.text(code_k).map(|c| c.to_uppercase());
    let unit_code = r.text(unit_k);
    let from = r.date(from_k);
    let to = r.date(to_k);
    let to_good = to.is_some() || r.cell(to_k).is_blank();
    let Some(code) = code else {
        if unit_code.is_some() || from.is_some() || to.is_some() {
            r.problem(code_k, C::TitleCodeRequired);
        }
        return None;
    };
    if from.is_none() && r.cell(from_k).is_blank() {
        r.problem(from_k, C::TitleStartRequired);
    }
    let period_good = match from {
        Some(f) => r
            .check(to_k, check_period(f, to), C::PeriodEndBeforeStart)
            .is_some(),
        None => false,
    };
    Some(TitleRef {
        key: code_k,
        unit_key: unit_k,
        from_key: from_k,
        to_key: to_k,
        code,
        unit_code,
        from,
        to,
        complete: period_good && to_good,
    })
}

/// Reads every cell of a cadre row, each problem reported.
fn read_cadre_row(r: &mut Row, today: NaiveDate) -> CadreRow {
    let personal_id = read_personal_id(r);
    // Composed first: a letter written with combining marks is the letter that has them.
    let full_name = r
        .required("full_name")
        .map(|n| nfc(&n))
        .and_then(|n| r.check_by("full_name", parse_full_name(&n), name_problem));
    let gender = r.required("gender").and_then(|g| {
        let p = gender_from_text(&g);
        if p.is_none() {
            r.problem("gender", C::GenderInvalid);
        }
        p
    });
    let birth = r.required_date("birth_date");
    let birth = birth.and_then(|b| {
        r.check("birth_date", check_birth_date(b, today), C::BirthDateRange)
            .map(|_| b)
    });
    let ethnicity = r.required("ethnicity").and_then(|e| {
        let checked = parse_words("ethnicity", &e, 50);
        r.check_by("ethnicity", checked, words_problem("ethnicity", 50))
    });
    let minority = r.boolean("ethnic_minority");
    let religion = r.text("religion").and_then(|t| {
        let checked = parse_words("religion", &t, 50);
        r.check_by("religion", checked, words_problem("religion", 50))
    });
    let party = r.date("party_joined_on");
    if let (Some(p), Some(b)) = (party, birth) {
        r.check(
            "party_joined_on",
            check_party_date(p, b, today),
            C::PartyDateRange,
        );
    }
    let unit_code = r.required("unit_code");
    let mut since = r.date("unit_since");
    let mut since_bad = since.is_none() && !r.cell("unit_since").is_blank();
    if since.is_some_and(|s| s > today) {
        r.problem("unit_since", C::DateInFuture);
        since = None;
        since_bad = true;
    }
    let organisation = r.required("organisation").and_then(|o| {
        let p = organisation_from_text(&o);
        if p.is_none() {
            r.problem("organisation", C::OrganisationUnknown);
        }
        p
    });
    let phone = r.text("phone");
    let phone = r
        .check("phone", parse_phone(phone.as_deref()), C::PhoneInvalid)
        .flatten();
    let email = r.text("email");
    let email = r
        .check("email", parse_email(email.as_deref()), C::EmailInvalid)
        .flatten();
    let active_cell = r.boolean("active");
    let active = active_cell.unwrap_or(true);
    let title = read_title(
        r,
        ["title_code", "title_unit_code", "title_from", "title_to"],
    );
    let plan = read_title(
        r,
        ["plan_title_code", "plan_unit_code", "plan_from", "plan_to"],
    );
    if let Some(b) = birth {
        for (t, key) in [(&title, "title_from"), (&plan, "plan_from")] {
            if let Some(Err(adult)) = t
                .as_ref()
                .and_then(|t| t.from)
                .map(|f| check_title_age(f, b))
            {
                r.problem_with(
                    key,
                    C::TitleBeforeAdulthood,
                    json!({"date": adult.to_string()}),
                );
            }
        }
    }
    let w = match (
        r.failed(),
        full_name.clone(),
        gender,
        birth,
        ethnicity,
        personal_id.clone(),
        unit_code.clone(),
        organisation,
    ) {
        (
            false,
            Some(full_name),
            Some(gender),
            Some(birth_date),
            Some(ethnicity),
            Some(pid),
            Some(unit),
            Some(org),
        ) => Some(CadreWrite {
            full_name,
            gender,
            birth_date,
            ethnic_minority: minority.unwrap_or_else(|| default_minority(&ethnicity)),
            ethnicity,
            religion,
            party_joined_on: party,
            personal_id: pid,
            unit_code: unit,
            organisation: org,
            phone,
            email,
            active,
        }),
        _ => None,
    };
    CadreRow {
        line: r.line,
        personal_id,
        full_name,
        unit_code,
        w,
        since,
        since_bad,
        active_given: active_cell.is_some(),
        title,
        plan,
    }
}

/// The personal ids a sheet names (to load the matching cadres before planning).
pub fn personal_ids(sheet: &Sheet, kind: Kind) -> Result<Vec<String>, AppError> {
    let l = layout(kind, &sheet.headers)?;
    let Some(i) = l.index("personal_id") else {
        return Ok(vec![]);
    };
    let mut ids: Vec<String> = sheet
        .rows
        .iter()
        .filter_map(|(_, cells)| cells.get(i))
        .map(|c| {
            personal_id_text(c)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect()
        })
        .filter(|s: &String| !s.is_empty())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The unit of `code` when a cadre or a title may be placed in it; else a problem of `key`.
/// `kept`: the record has them there already (a roster read back), so a unit retired since is
/// where they stay, not a new placement.
fn placed<'a>(
    r: &mut Row,
    key: &str,
    units: &'a HashMap<String, UnitInfo>,
    code: &str,
    scope: &Scope,
    may_stay: &dyn Fn(&UnitInfo) -> bool,
) -> Option<&'a UnitInfo> {
    match check_unit(
        units.get(code),
        |u| (&u.path, u.retired() && !may_stay(u)),
        scope,
    ) {
        Ok(u) => Some(u),
        Err(why) => {
            r.problem(
                key,
                match why {
                    UnitRefusal::Unknown => C::UnitUnknown,
                    UnitRefusal::Retired => C::UnitRetired,
                    UnitRefusal::OutsideScope => C::UnitOutsideSubtree,
                },
            );
            None
        }
    }
}

/// Reads and checks a cadre sheet against the lookups; gives the writes or every problem.
///
/// Every problem of every row is reported: each cell is read and checked, then every check
/// against other data that the row's good cells allow: its personal id not earlier in the file,
/// its home unit, a cadre on record with its personal id in the caller's subtree
/// (`check_record`), its title held and its title planned (`check_title`: the title, its unit,
/// the unit's level, the periods on record), its move's date (`check_move`). Only a row without
/// any problem is planned: its record's writes (`plan_record`), then its periods'
/// (`plan_period`).
pub fn plan_cadres(
    sheet: &Sheet,
    lookups: &CadreLookups,
    scope: &Scope,
    today: NaiveDate,
    problems: Problems,
) -> Result<CadrePlan, AppError> {
    let l = layout(Kind::Cadres, &sheet.headers)?;
    let mut errors = problems;
    let mut plan = CadrePlan::default();
    plan.counts.rows = sheet.rows.len();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let held_by = by_cadre(&lookups.held);
    let planned_by = by_cadre(&lookups.planned);
    // Each title's code and organisation kind by id, read once for every row.
    let titles_by_id: HashMap<i64, (&str, &str)> = lookups
        .titles
        .iter()
        .map(|(code, t)| (t.id, (code.as_str(), t.org.as_str())))
        .collect();
    for (line, cells) in &sheet.rows {
        let mut r = Row::new(*line, cells, &l, &mut errors);
        let mut row = read_cadre_row(&mut r, today);
        if let Some(pid) = &row.personal_id {
            if let Some(first) = first_row(&mut seen, pid.to_string(), row.line) {
                r.problem_with(
                    "personal_id",
                    C::PersonalIdRepeated,
                    json!({ "row_first": first }),
                );
            }
        }
        let kept_home = |code: &str| {
            row.personal_id
                .as_ref()
                .and_then(|pid| lookups.cadres.get(pid.as_str()))
                .is_some_and(|e| e.w.unit_code == code)
        };
        let home = row
            .unit_code
            .as_deref()
            .and_then(|code| {
                placed(&mut r, "unit_code", &lookups.units, code, scope, &|_| {
                    kept_home(code)
                })
            })
            .zip(row.unit_code.as_deref());
        let existing = check_record(&mut r, &row, lookups, scope);
        let on_record = existing.flatten();
        if let (Some(w), Some(e)) = (&mut row.w, on_record) {
            keep_unsaid(w, &e.w, &l, row.active_given);
        }
        if let (Some(e), Some(name)) = (on_record, &row.full_name) {
            check_name(&mut r, name, &e.w.full_name);
        }
        // A birth date moved past the start of a title on record less eighteen years.
        if let (Some(e), Some(w)) = (on_record, &row.w) {
            let moved = w.birth_date != e.w.birth_date;
            let first = lookups.first_title_day.get(&e.id);
            if let Some(f) = first.filter(|f| moved && check_title_age(**f, w.birth_date).is_err())
            {
                r.problem_with(
                    "birth_date",
                    C::BirthAfterTitles,
                    json!({"date": f.to_string()}),
                );
            }
            let record = lookups.first_record_day.get(&e.id);
            if let Some(f) = record.filter(|f| moved && **f < w.birth_date) {
                r.problem_with(
                    "birth_date",
                    C::BirthAfterRecords,
                    json!({"date": f.to_string()}),
                );
            }
        }
        let held = row.title.as_ref().map(|t| {
            let periods = periods_of(&held_by, on_record);
            check_title(&mut r, t, home, lookups, scope, periods)
        });
        let planned = row.plan.as_ref().map(|t| {
            let periods = periods_of(&planned_by, on_record);
            check_title(&mut r, t, home, lookups, scope, periods)
        });
        if let (Some(e), Some((u, unit))) = (on_record, home) {
            check_move(&mut r, &row, e, unit, today);
            let on = row.since.unwrap_or(today);
            let dated = !row.since_bad && check_move_date(e.unit_from, on).is_ok();
            if unit != e.w.unit_code && dated {
                let held_now = periods_of(&held_by, on_record);
                let checked = held.as_ref().and_then(Option::as_ref);
                let left = left_behind(held_now, checked, &titles_by_id, lookups, &u.path, on);
                if !left.is_empty() {
                    r.problem_with(
                        "unit_code",
                        C::CadreHoldsTitlesElsewhere,
                        json!({"titles": left.join(", "), "date": on.to_string()}),
                    );
                }
            }
        }
        // A held title (new, or with a new end) sits on the line of the cadre's unit.
        if let (Some(Some(c)), Some(t), Some((_, code))) = (&held, &row.title, home) {
            let changes = c.matched.is_none_or(|m| m.to != c.to);
            let on = row.since.unwrap_or(today);
            if changes && !row.since_bad {
                if let Some(params) = off_line_held(c, &t.code, on_record, code, on, lookups) {
                    let key = if t.unit_code.is_some() {
                        t.unit_key
                    } else {
                        "unit_code"
                    };
                    r.problem_with(key, C::TitleOffLine, params);
                }
            }
        }
        // Nor is it a second title of its organisation in its unit on a day.
        if let (Some(Some(c)), Some(t)) = (&held, &row.title) {
            if c.matched.is_none_or(|m| m.to != c.to) {
                let on_record = periods_of(&held_by, on_record);
                if let Some(params) = same_role_held(c, &t.code, on_record, &titles_by_id) {
                    r.problem_with(t.key, C::TitleSameOrganisation, params);
                }
            }
        }
        // A cadre joins (or moves to) a unit on a day it exists.
        if let Some((u, code)) = home {
            let joins = on_record.is_none_or(|e| e.w.unit_code != code);
            if joins && !row.since_bad && u.before_existing(row.since.unwrap_or(today)) {
                r.problem_with("unit_since", C::UnitNotYet, u.not_yet(code));
            }
        }
        if row.w.as_ref().is_some_and(|w| !w.active) {
            let lists = [
                (
                    row.title.as_ref(),
                    held.as_ref().and_then(Option::as_ref),
                    &held_by,
                ),
                (
                    row.plan.as_ref(),
                    planned.as_ref().and_then(Option::as_ref),
                    &planned_by,
                ),
            ]
            .map(|(t, checked, by)| (t, checked, periods_of(by, on_record)));
            // A new cadre is made inactive by the row as much as one active on record.
            let made_inactive = on_record.is_none_or(|e| e.w.active);
            check_inactive(&mut r, made_inactive, lists, today);
            // Nor does one leave holding a seat (the sign-in sheet, the promotion).
            let seats = on_record
                .filter(|e| e.w.active)
                .and_then(|e| lookups.seats.get(&e.id))
                .filter(|s| !s.is_empty());
            if let Some(classes) = seats {
                r.problem_with(
                    "active",
                    C::CadreHoldsSeats,
                    json!({"classes": classes.join(", ")}),
                );
            }
        }
        if r.failed() {
            continue;
        }
        let (Some(w), Some(existing)) = (&row.w, existing) else {
            continue;
        };
        let (who, record_changed) = plan_record(w, row.since, existing, today, &mut plan);
        let held_changed =
            plan_period(&mut plan.new_held, &mut plan.held_ends, who, held.flatten());
        let planned_changed = plan_period(
            &mut plan.new_planned,
            &mut plan.planned_ends,
            who,
            planned.flatten(),
        );
        match (existing, record_changed || held_changed || planned_changed) {
            (None, _) => plan.counts.created += 1,
            (Some(_), true) => plan.counts.updated += 1,
            (Some(_), false) => plan.counts.unchanged += 1,
        }
    }
    errors.finish(plan)
}

/// A row of a cadre on record keeps what the file does not say: the fields of the optional
/// columns the file lacks, the minority flag when the ethnicity stays (else it follows the new
/// one, as for a new cadre), and `active` when its cell is blank or absent. A file of the
/// required columns alone changes only what they hold.
fn keep_unsaid(w: &mut CadreWrite, on_record: &CadreWrite, l: &Layout, active_given: bool) {
    let absent = |key: &str| l.index(key).is_none();
    if absent("ethnic_minority") && w.ethnicity == on_record.ethnicity {
        w.ethnic_minority = on_record.ethnic_minority;
    }
    if absent("religion") {
        w.religion = on_record.religion.clone();
    }
    if absent("party_joined_on") {
        w.party_joined_on = on_record.party_joined_on;
    }
    if absent("phone") {
        w.phone = on_record.phone.clone();
    }
    if absent("email") {
        w.email = on_record.email.clone();
    }
    if !active_given {
        w.active = on_record.active;
    }
}

/// The first row of the file with `key` before `line`, if any (else `line` is, from now on).
fn first_row<K: std::hash::Hash + Eq>(
    seen: &mut HashMap<K, usize>,
    key: K,
    line: usize,
) -> Option<usize> {
    let first = *seen.entry(key).or_insert(line);
    (first != line).then_some(first)
}

/// Periods on record, by cadre.
fn by_cadre(periods: &[ExistingPeriod]) -> HashMap<i64, Vec<&ExistingPeriod>> {
    let mut by: HashMap<i64, Vec<&ExistingPeriod>> = HashMap::new();
    for p in periods {
        by.entry(p.cadre_id).or_default().push(p);
    }
    by
}

/// A cadre's periods on record in one list (none for a new cadre).
fn periods_of<'a, 'b>(
    by: &'b HashMap<i64, Vec<&'a ExistingPeriod>>,
    existing: Option<&ExistingCadre>,
) -> &'b [&'a ExistingPeriod] {
    existing
        .and_then(|e| by.get(&e.id))
        .map_or(&[], Vec::as_slice)
}

/// A row's record: a cadre on record with its personal id lies in the caller's subtree. Gives
/// that cadre, if any (`Some(None)`: a new cadre); `None` when the row's personal id is not good
/// or names a cadre outside the subtree (nothing more is checked against that record).
fn check_record<'a>(
    r: &mut Row,
    row: &CadreRow,
    lookups: &'a CadreLookups,
    scope: &Scope,
) -> Option<Option<&'a ExistingCadre>> {
    let pid = row.personal_id.as_ref()?;
    let existing = lookups.cadres.get(pid.as_str());
    if existing.is_some_and(|e| !scope.contains_path(&e.unit_path)) {
        r.problem("personal_id", C::CadreOutsideSubtree);
        return None;
    }
    Some(existing)
}

/// A move of a cadre on record to the row's home unit (`unit`, which may take them) is dated
/// `unit_since` (default today), not before their current unit period began.
fn check_move(r: &mut Row, row: &CadreRow, e: &ExistingCadre, unit: &str, today: NaiveDate) {
    if unit == e.w.unit_code || row.since_bad {
        return;
    }
    let on = row.since.unwrap_or(today);
    r.check(
        "unit_since",
        check_move_date(e.unit_from, on),
        C::MoveBeforeCurrentUnit,
    );
}

/// The titles a move to the unit at `home_path` on day `on` would leave behind
/// ([`crate::cadres::rules::on_line`]): the held periods on record (the one the row gives with
/// the row's end) and the row's new one that run on or after `on` in a unit off that unit's line,
/// as `TITLE (unit)`.
fn left_behind(
    on_record: &[&ExistingPeriod],
    checked: Option<&CheckedPeriod>,
    titles_by_id: &HashMap<i64, (&str, &str)>,
    lookups: &CadreLookups,
    home_path: &str,
    on: NaiveDate,
) -> Vec<String> {
    let given = checked.and_then(|c| c.matched.map(|m| (m.id, c.to)));
    let mut spans: Vec<(i64, &str, Option<NaiveDate>)> = on_record
        .iter()
        .map(|p| {
            let to = match given {
                Some((id, to)) if id == p.id => to,
                _ => p.to,
            };
            (p.title_id, p.unit_code.as_str(), to)
        })
        .collect();
    if let Some(c) = checked.filter(|c| c.matched.is_none()) {
        spans.push((c.title_id, c.unit_code.as_str(), c.to));
    }
    let mut left: Vec<String> = spans
        .into_iter()
        .filter(|(_, unit, to)| {
            runs_on_or_after(*to, on)
                && lookups
                    .units
                    .get(*unit)
                    .is_some_and(|u| !on_line(&u.path, home_path))
        })
        .map(|(title, unit, _)| {
            format!("{} ({unit})", titles_by_id.get(&title).map_or("?", |t| t.0))
        })
        .collect();
    left.sort_unstable();
    left.dedup();
    left
}

/// The parameters of a problem `title_off_line` when the held period `c` of title `title` lies
/// off the line ([`first_off_line`]) of the cadre's unit on a day they share: a new cadre's
/// units are the row's one (`code`) from day `on`; a cadre on record's are those on record, cut
/// at `on` when the row moves them (the move's own check, [`left_behind`], covers the new unit).
fn off_line_held(
    c: &CheckedPeriod,
    title: &str,
    existing: Option<&ExistingCadre>,
    code: &str,
    on: NaiveDate,
    lookups: &CadreLookups,
) -> Option<Value> {
    let path = |code: &str| lookups.units.get(code).map(|u| u.path.as_str());
    let homes: Vec<HomeSpan> = match existing {
        None => path(code)
            .map(|p| HomeSpan {
                code,
                path: p,
                from: on,
                until: None,
            })
            .into_iter()
            .collect(),
        Some(e) => {
            let moving = e.w.unit_code != code;
            lookups
                .homes
                .get(&e.id)
                .into_iter()
                .flatten()
                .filter(|h| !moving || h.from < on)
                .filter_map(|h| {
                    Some(HomeSpan {
                        code: &h.code,
                        path: path(&h.code)?,
                        from: h.from,
                        until: if moving {
                            Some(h.until.map_or(on, |u| u.min(on)))
                        } else {
                            h.until
                        },
                    })
                })
                .collect()
        }
    };
    let span = Span {
        from: c.from,
        to: c.to,
    };
    let (home, day) = first_off_line(path(&c.unit_code)?, span, &homes)?;
    Some(json!({"title": title, "unit": c.unit_code, "home": home.code, "date": day.to_string()}))
}

/// The parameters of a problem `title_same_organisation` when the held period `c` of title
/// `title` shares a day with another title of its organisation in its unit on record
/// ([`same_organisation`]); `by_id`: each title's code and organisation kind.
fn same_role_held(
    c: &CheckedPeriod,
    title: &str,
    on_record: &[&ExistingPeriod],
    by_id: &HashMap<i64, (&str, &str)>,
) -> Option<Value> {
    let (_, org) = by_id.get(&c.title_id)?;
    let held: Vec<Role> = on_record
        .iter()
        .filter_map(|p| {
            let (title, org) = by_id.get(&p.title_id)?;
            Some(Role {
                title,
                org,
                unit: &p.unit_code,
                span: Span {
                    from: p.from,
                    to: p.to,
                },
            })
        })
        .collect();
    let new = Role {
        title,
        org,
        unit: &c.unit_code,
        span: Span {
            from: c.from,
            to: c.to,
        },
    };
    let (other, day) = same_organisation(new, &held)?;
    Some(
        json!({"title": title, "other": other.title, "unit": c.unit_code, "date": day.to_string()}),
    )
}

/// An inactive row's periods ([`lasts_beyond`]): a row making its cadre inactive leaves none of
/// theirs lasting beyond today (on record, with the row's new ends, or the row's own), else a
/// problem of `active`; a row of a cadre already inactive gives no lasting period (new, or a new
/// end), else a problem of that period's end, so that such a record's unchanged rows (an
/// exported file read back) stay as they are.
fn check_inactive(
    r: &mut Row,
    made_inactive: bool,
    lists: [(
        Option<&TitleRef>,
        Option<&CheckedPeriod>,
        &[&ExistingPeriod],
    ); 2],
    today: NaiveDate,
) {
    let mut lasting = false;
    for (t, checked, on_record) in lists {
        let new_end = checked.and_then(|c| c.matched.map(|m| (m.id, c.to)));
        let changes = checked.filter(|c| c.matched.is_none_or(|m| m.to != c.to));
        if made_inactive {
            lasting |= on_record.iter().any(|p| {
                let to = match new_end {
                    Some((id, to)) if id == p.id => to,
                    _ => p.to,
                };
                lasts_beyond(to, today)
            });
            lasting |= checked.is_some_and(|c| c.matched.is_none() && lasts_beyond(c.to, today));
        } else if let (Some(t), Some(c)) = (t, changes) {
            if lasts_beyond(c.to, today) {
                r.problem(t.to_key, C::InactiveHoldsTitles);
            }
        }
    }
    if lasting {
        r.problem("active", C::InactiveHoldsTitles);
    }
}

/// A title period a row gives, checked.
struct CheckedPeriod<'a> {
    title_id: i64,
    unit_code: String,
    from: NaiveDate,
    to: Option<NaiveDate>,
    /// The period on record from the same day, which this one is.
    matched: Option<&'a ExistingPeriod>,
}

/// A title held or planned: known and active, at a unit that may take it (by default the home
/// unit `home`, when it may) of the title's level, and not overlapping the cadre's other periods
/// of the title in `on_record` (those of the same list). A period on record from the same day is
/// this one (its end may change), in the same unit. Every check that the row's good cells allow
/// is made; `None` after a problem (or when a cell of the period has one).
fn check_title<'a>(
    r: &mut Row,
    t: &TitleRef,
    home: Option<(&UnitInfo, &str)>,
    lookups: &CadreLookups,
    scope: &Scope,
    on_record: &[&'a ExistingPeriod],
) -> Option<CheckedPeriod<'a>> {
    // A title out of use takes no new holder or plan; a row restating a period of it on record
    // (the same title from the same day) is the record, as the roster export gives it back.
    let known = lookups.titles.get(&t.code);
    let restated = known.is_some_and(|ti| {
        on_record
            .iter()
            .any(|p| p.title_id == ti.id && Some(p.from) == t.from)
    });
    let title = known.filter(|ti| ti.active || restated);
    if title.is_none() {
        r.problem(t.key, C::TitleUnknown);
    }
    // The period on record from the row's first day, in unit `code`: kept where it is, even on
    // a unit retired since.
    let kept = |code: &str| {
        title.is_some_and(|ti| {
            on_record
                .iter()
                .any(|p| p.title_id == ti.id && Some(p.from) == t.from && p.unit_code == code)
        })
    };
    // A term that ended before its unit was retired (one before the 2025 reorganisation) is
    // recorded there, as the API records it; nothing lasting starts in a retired unit.
    let ended_before = |u: &UnitInfo| {
        t.to.zip(u.retired_on)
            .is_some_and(|(to, retired)| to < retired)
    };
    // At the home unit by default: then the home unit's column is named.
    let (unit, unit_code, key) = match &t.unit_code {
        Some(code) => {
            let may_stay = |u: &UnitInfo| kept(code) || ended_before(u);
            let unit = placed(r, t.unit_key, &lookups.units, code, scope, &may_stay);
            (unit, code.as_str(), t.unit_key)
        }
        // A cadre kept on a unit retired since takes no new title there.
        None => match home {
            Some((unit, code)) if unit.retired() && !kept(code) && !ended_before(unit) => {
                r.problem("unit_code", C::UnitRetired);
                (None, code, "unit_code")
            }
            Some((unit, code)) => (Some(unit), code, "unit_code"),
            None => (None, "", "unit_code"),
        },
    };
    let (title, unit) = (title?, unit?);
    let level = r.check_by(
        key,
        check_title_level(&t.code, &title.level, unit_code, &unit.level),
        |_| {
            let params = json!({"title": t.code, "title_level": title.level,
                "unit": unit_code, "unit_level": unit.level});
            (C::TitleWrongLevel, params)
        },
    );
    let from = t.from?;
    let same_title: Vec<&ExistingPeriod> = on_record
        .iter()
        .copied()
        .filter(|p| p.title_id == title.id)
        .collect();
    let matched = same_title.iter().rev().find(|p| p.from == from).copied();
    let others = same_title.iter().filter(|p| p.from != from).map(|p| Span {
        from: p.from,
        to: p.to,
    });
    let mut good = level.is_some() && t.complete;
    // A new period starts once its unit exists (one on record is the record).
    if matched.is_none() && unit.before_existing(from) {
        r.problem_with(t.from_key, C::UnitNotYet, unit.not_yet(unit_code));
        good = false;
    }
    if overlaps_another(Span { from, to: t.to }, others) {
        r.problem(t.key, C::TitleOverlap);
        good = false;
    }
    if matched.is_some_and(|m| m.unit_code != unit_code) {
        r.problem(t.unit_key, C::TitleOtherUnit);
        good = false;
    }
    good.then(|| CheckedPeriod {
        title_id: title.id,
        unit_code: unit_code.to_string(),
        from,
        to: t.to,
        matched,
    })
}

/// A row's record's writes: a new cadre, or the changes to one on record and their move (dated
/// `since`, default today). Gives whose the row's periods are and whether the record changes.
fn plan_record(
    w: &CadreWrite,
    since: Option<NaiveDate>,
    existing: Option<&ExistingCadre>,
    today: NaiveDate,
    plan: &mut CadrePlan,
) -> (CadreRef, bool) {
    let Some(e) = existing else {
        plan.new.push(NewCadre {
            w: w.clone(),
            since: since.unwrap_or(today),
        });
        return (CadreRef::New(plan.new.len() - 1), false);
    };
    let mut changed = false;
    let mut kept = w.clone();
    kept.unit_code = e.w.unit_code.clone();
    // The same name (`same_name`), perhaps written otherwise: the record's stays.
    kept.full_name = e.w.full_name.clone();
    if kept != e.w {
        plan.updates.push((e.id, kept));
        changed = true;
    }
    if w.unit_code != e.w.unit_code {
        plan.moves
            .push((e.id, w.unit_code.clone(), since.unwrap_or(today)));
        changed = true;
    }
    (CadreRef::Existing(e.id), changed)
}

/// A checked period's write: nothing when it is on record as it is, its new end, or a new
/// period of `who`. Gives whether anything changes.
fn plan_period(
    news: &mut Vec<NewPeriod>,
    ends: &mut Vec<(i64, Option<NaiveDate>)>,
    who: CadreRef,
    period: Option<CheckedPeriod>,
) -> bool {
    let Some(p) = period else {
        return false;
    };
    match p.matched {
        Some(m) if m.to == p.to => false,
        Some(m) => {
            ends.push((m.id, p.to));
            true
        }
        None => {
            news.push(NewPeriod {
                cadre: who,
                title_id: p.title_id,
                unit_code: p.unit_code,
                from: p.from,
                to: p.to,
            });
            true
        }
    }
}

/// A cadre that qualification and completion rows refer to.
#[derive(Debug, Clone)]
pub struct CadreKey {
    /// Id.
    pub id: i64,
    /// Path of their unit (scope).
    pub unit_path: String,
    /// Full name (a row's, when given, must be the same).
    pub full_name: String,
    /// Birth date (dates before it are refused).
    pub birth_date: NaiveDate,
}

/// A qualification scale as a qualification import needs it.
#[derive(Debug, Clone)]
pub struct ScaleInfo {
    /// Code (`political_theory`).
    pub code: String,
    /// Vietnamese name (`Lý luận chính trị`).
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Its levels.
    pub levels: Vec<LevelInfo>,
}

/// A level of a qualification scale.
#[derive(Debug, Clone)]
pub struct LevelInfo {
    /// Code (`elementary`).
    pub code: String,
    /// Vietnamese name (`Sơ cấp`).
    pub name_vi: String,
    /// English name.
    pub name_en: String,
}

/// What a cell names among `items` (scales, or a scale's levels): the one whose code it is (any
/// case); else the one whose Vietnamese name it is (any case, composed); else those whose name,
/// Vietnamese or English, it is with diacritics and case set aside. `Err(true)`: several are.
fn named<'a, T>(
    items: &'a [T],
    text: &str,
    facts: impl Fn(&T) -> [&str; 3],
) -> Result<&'a T, bool> {
    let lower = nfc(text.trim()).to_lowercase();
    let folded = fold(text);
    let found = |same: &dyn Fn(&T) -> bool| -> Result<&'a T, bool> {
        let mut hits = items.iter().filter(|t| same(t));
        match (hits.next(), hits.next()) {
            (Some(one), None) => Ok(one),
            (Some(_), Some(_)) => Err(true),
            (None, _) => Err(false),
        }
    };
    found(&|t| facts(t)[0].to_lowercase() == lower)
        .or_else(|_| found(&|t| nfc(facts(t)[1]).to_lowercase() == lower))
        .or_else(|several| {
            match found(&|t| fold(facts(t)[1]) == folded || fold(facts(t)[2]) == folded) {
                Err(false) => Err(several),
                other => other,
            }
        })
}

/// The scale and the level a qualification row names, by code or name; `None` after a problem
/// (an unknown scale is not checked for its level).
fn read_scale_level<'a>(
    r: &mut Row,
    scales: &'a [ScaleInfo],
) -> (Option<&'a ScaleInfo>, Option<&'a LevelInfo>) {
    let scale_text = r.required("scale_code");
    let level_text = r.required("level_code");
    let Some(scale_text) = scale_text else {
        return (None, None);
    };
    let scale = match named(scales, &scale_text, |s| [&s.code, &s.name_vi, &s.name_en]) {
        Ok(s) => s,
        Err(several) => {
            let code = if several {
                C::ScaleAmbiguous
            } else {
                C::ScaleUnknown
            };
            r.problem_with("scale_code", code, json!({ "scale": scale_text }));
            return (None, None);
        }
    };
    let Some(level_text) = level_text else {
        return (Some(scale), None);
    };
    match named(&scale.levels, &level_text, |l| {
        [&l.code, &l.name_vi, &l.name_en]
    }) {
        Ok(level) => (Some(scale), Some(level)),
        Err(several) => {
            let code = if several {
                C::LevelAmbiguous
            } else {
                C::LevelUnknown
            };
            let params = json!({"scale": scale.code, "level": level_text});
            r.problem_with("level_code", code, params);
            (Some(scale), None)
        }
    }
}

/// A qualification's natural key: (cadre, scale, level, day obtained).
pub type QualificationKey = (i64, String, String, NaiveDate);

/// What a qualification import is checked against.
#[derive(Debug, Clone, Default)]
pub struct QualificationLookups {
    /// Cadres by personal id.
    pub cadres: HashMap<String, CadreKey>,
    /// Every qualification scale, with its levels.
    pub scales: Vec<ScaleInfo>,
    /// Existing qualifications of those cadres recorded by hand or a file: (cadre, scale, level,
    /// day) → (id, issuer, evidence).
    pub existing: HashMap<QualificationKey, (i64, String, String)>,
    /// Every other qualification of those cadres (a completion's, the exchange's): an import
    /// neither repeats nor overwrites them.
    pub on_record: HashSet<QualificationKey>,
}

/// A qualification to insert or update.
#[derive(Debug, Clone)]
pub struct QualificationItem {
    /// Cadre.
    pub cadre_id: i64,
    /// Scale.
    pub scale: String,
    /// Level.
    pub level: String,
    /// Day obtained.
    pub obtained_on: NaiveDate,
    /// Issuer.
    pub issuer: String,
    /// Evidence (diploma number).
    pub evidence: String,
}

/// The writes of a qualification import.
#[derive(Debug, Clone, Default)]
pub struct QualificationPlan {
    /// To insert.
    pub new: Vec<QualificationItem>,
    /// To update (row id, new issuer and evidence).
    pub updates: Vec<(i64, String, String)>,
    /// Row counts.
    pub counts: ImportCounts,
}

/// Text in composed Unicode (NFC): `e` followed by combining marks is the one letter `ễ`.
fn nfc(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfc().collect()
}

/// A name as it is compared with the one on record: composed Unicode (a letter with combining
/// marks is the letter that has them), spaces trimmed and collapsed; case and diacritics kept.
fn name_key(name: &str) -> String {
    nfc(name).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a row's full name is the one on record.
fn same_name(given: &str, on_record: &str) -> bool {
    name_key(given) == name_key(on_record)
}

/// A row's full name must be the one on record for its personal id number: an import does not
/// rename a cadre (that is an edit of their record), nor attach a qualification or a completion
/// to someone else by a mistyped number.
pub(crate) fn check_name(r: &mut Row, given: &str, on_record: &str) {
    if !same_name(given, on_record) {
        r.problem_with(
            "full_name",
            C::NameMismatch,
            json!({ "on_record": on_record }),
        );
    }
}

/// Finds the cadre a row names, in the caller's scope, and checks the row's full name (when
/// given) against theirs. A cadre outside the scope gets the same answer as a personal id nobody
/// has, so an import does not tell whether a number exists.
fn row_cadre<'a>(
    r: &mut Row,
    cadres: &'a HashMap<String, CadreKey>,
    scope: &Scope,
) -> Option<&'a CadreKey> {
    let pid = read_personal_id(r)?;
    match cadres.get(pid.as_str()) {
        Some(c) if scope.contains_path(&c.unit_path) => {
            if let Some(name) = r.text("full_name") {
                check_name(r, &name, &c.full_name);
            }
            Some(c)
        }
        _ => {
            r.problem("personal_id", C::CadreUnknown);
            None
        }
    }
}

/// Reads and checks a qualification sheet.
pub fn plan_qualifications(
    sheet: &Sheet,
    lookups: &QualificationLookups,
    scope: &Scope,
    today: NaiveDate,
    problems: Problems,
) -> Result<QualificationPlan, AppError> {
    let l = layout(Kind::Qualifications, &sheet.headers)?;
    let mut errors = problems;
    let mut plan = QualificationPlan::default();
    plan.counts.rows = sheet.rows.len();
    let mut seen: HashMap<QualificationKey, usize> = HashMap::new();
    let (issuer_given, evidence_given) =
        (l.index("issuer").is_some(), l.index("evidence").is_some());
    for (line, cells) in &sheet.rows {
        let mut r = Row::new(*line, cells, &l, &mut errors);
        let cadre = row_cadre(&mut r, &lookups.cadres, scope);
        let (scale, level) = read_scale_level(&mut r, &lookups.scales);
        let day = r.required_date("obtained_on");
        let issuer = r.short("issuer", 200).unwrap_or_default();
        let evidence = r.short("evidence", 200).unwrap_or_default();
        if let (Some(d), Some(c)) = (day, cadre) {
            if check_life_date(d, c.birth_date, today).is_err() {
                r.problem("obtained_on", C::DateOutsideLife);
            }
        }
        let (Some(c), Some(scale), Some(level), Some(day)) = (cadre, scale, level, day) else {
            continue;
        };
        let (scale, level) = (scale.code.clone(), level.code.clone());
        let key = (c.id, scale.clone(), level.clone(), day);
        if let Some(first) = first_row(&mut seen, key.clone(), *line) {
            r.problem_with(
                "obtained_on",
                C::QualificationRepeated,
                json!({ "row_first": first }),
            );
        }
        if lookups.on_record.contains(&key) {
            r.problem("obtained_on", C::QualificationOnRecord);
        }
        if r.failed() {
            continue;
        }
        match lookups.existing.get(&key) {
            Some((id, i, e)) => {
                // A column the file lacks keeps what is on record.
                let issuer = if issuer_given { issuer } else { i.clone() };
                let evidence = if evidence_given { evidence } else { e.clone() };
                if *i == issuer && *e == evidence {
                    plan.counts.unchanged += 1;
                } else {
                    plan.updates.push((*id, issuer, evidence));
                    plan.counts.updated += 1;
                }
            }
            None => {
                plan.new.push(QualificationItem {
                    cadre_id: c.id,
                    scale,
                    level,
                    obtained_on: day,
                    issuer,
                    evidence,
                });
                plan.counts.created += 1;
            }
        }
    }
    errors.finish(plan)
}

/// A module as a completion import needs it.
#[derive(Debug, Clone)]
pub struct ModuleInfo {
    /// Id.
    pub id: i64,
    /// Current version.
    pub version: i64,
    /// The level it awards, if any: (scale, level).
    pub awards: Option<(String, String)>,
}

/// A historical completion on record: (id, score in tenths, source, reference).
pub type ExistingCompletion = (i64, Option<i64>, String, String);

/// What a completion import is checked against.
#[derive(Debug, Clone, Default)]
pub struct CompletionLookups {
    /// Cadres by personal id.
    pub cadres: HashMap<String, CadreKey>,
    /// Modules by code.
    pub modules: HashMap<String, ModuleInfo>,
    /// Existing paper/imported completions not revoked: (cadre, module id, day) → record.
    pub existing: HashMap<(i64, i64, NaiveDate), ExistingCompletion>,
    /// Every other completion on record (a class's, the exchange's, a revoked one): (cadre,
    /// module id, day). An import neither repeats nor overwrites them.
    pub on_record: HashSet<(i64, i64, NaiveDate)>,
    /// The qualifications on record of those cadres: a completion does not award one again.
    pub qualifications: HashSet<QualificationKey>,
}

/// A completion to insert.
#[derive(Debug, Clone)]
pub struct CompletionItem {
    /// Cadre.
    pub cadre_id: i64,
    /// Module id.
    pub module_id: i64,
    /// Module version.
    pub module_version: i64,
    /// Day.
    pub completed_on: NaiveDate,
    /// Score in tenths.
    pub score_tenths: Option<i64>,
    /// `paper` or `import`.
    pub source: String,
    /// Provenance reference.
    pub source_ref: String,
    /// Issuer (of the level the module awards).
    pub issuer: String,
    /// The level it awards.
    pub awards: Option<(String, String)>,
}

/// The writes of a completion import.
#[derive(Debug, Clone, Default)]
pub struct CompletionPlan {
    /// To insert.
    pub new: Vec<CompletionItem>,
    /// To update: (id, score, source, reference).
    pub updates: Vec<ExistingCompletion>,
    /// Row counts.
    pub counts: ImportCounts,
}

/// Reads and checks a completion sheet.
pub fn plan_completions(
    sheet: &Sheet,
    lookups: &CompletionLookups,
    scope: &Scope,
    today: NaiveDate,
    problems: Problems,
) -> Result<CompletionPlan, AppError> {
    let l = layout(Kind::Completions, &sheet.headers)?;
    let mut errors = problems;
    let mut plan = CompletionPlan::default();
    plan.counts.rows = sheet.rows.len();
    let mut seen: HashMap<(i64, i64, NaiveDate), usize> = HashMap::new();
    let (score_given, source_given) = (l.index("score").is_some(), l.index("source").is_some());
    // The levels awarded so far, on record or by an earlier row: each is awarded once.
    let mut awarded = lookups.qualifications.clone();
    for (line, cells) in &sheet.rows {
        let mut r = Row::new(*line, cells, &l, &mut errors);
        let cadre = row_cadre(&mut r, &lookups.cadres, scope);
        let module = r.required("module_code").and_then(|m| {
            let found = lookups.modules.get(&m.to_uppercase());
            if found.is_none() {
                r.problem("module_code", C::ModuleUnknown);
            }
            found
        });
        let day = r.required_date("completed_on");
        let score = r.number("score").and_then(|s| {
            let t = (s * 10.0).round();
            if (0.0..=10.0).contains(&s) && (t - s * 10.0).abs() < 1e-6 {
                Some(t as i64)
            } else {
                r.problem("score", C::ScoreInvalid);
                None
            }
        });
        let source = match r.text("source").map(|s| fold(&s)) {
            None => "import".to_string(),
            Some(s) if s == "paper" || s == "giay" || s == "ho so giay" => "paper".into(),
            Some(s) if s == "import" || s == "nhap" || s == "nhap tu tep" => "import".into(),
            Some(_) => {
                r.problem("source", C::SourceInvalid);
                String::new()
            }
        };
        let reference = r.required("source_ref");
        if reference.as_ref().is_some_and(|s| s.chars().count() > 300) {
            r.problem_with("source_ref", C::TooLong, json!({ "max": 300 }));
        }
        let issuer = r.short("issuer", 200).unwrap_or_default();
        if let (Some(d), Some(c)) = (day, cadre) {
            if check_life_date(d, c.birth_date, today).is_err() {
                r.problem("completed_on", C::DateOutsideLife);
            }
        }
        let (Some(c), Some(m), Some(day)) = (cadre, module, day) else {
            continue;
        };
        let key = (c.id, m.id, day);
        if let Some(first) = first_row(&mut seen, key, *line) {
            r.problem_with(
                "completed_on",
                C::CompletionRepeated,
                json!({ "row_first": first }),
            );
        }
        if lookups.on_record.contains(&key) {
            r.problem("completed_on", C::CompletionOnRecord);
        }
        let (false, Some(reference)) = (r.failed(), reference) else {
            continue;
        };
        match lookups.existing.get(&key) {
            Some((id, s, src, rf)) => {
                // A column the file lacks keeps what is on record.
                let score = if score_given { score } else { *s };
                let source = if source_given { source } else { src.clone() };
                if *s == score && *src == source && *rf == reference {
                    plan.counts.unchanged += 1;
                } else {
                    plan.updates.push((*id, score, source, reference));
                    plan.counts.updated += 1;
                }
            }
            None => {
                let awards = m.awards.clone().filter(|(scale, level)| {
                    awarded.insert((c.id, scale.clone(), level.clone(), day))
                });
                plan.new.push(CompletionItem {
                    cadre_id: c.id,
                    module_id: m.id,
                    module_version: m.version,
                    completed_on: day,
                    score_tenths: score,
                    source,
                    source_ref: reference,
                    issuer,
                    awards,
                });
                plan.counts.created += 1;
            }
        }
    }
    errors.finish(plan)
}

#[cfg(test)]
mod tests;
