//! Checking the record's period sheets (unit history, titles held, planned successions) and its
//! completions against what the database holds (passed in as plain data): every problem of
//! every row, or the exact writes. Pure, like `imports::plan`; the cadre and qualification
//! sheets go through that planner as they are.
//!
//! A record is merged, never replaced: a row matching one on record (same person and natural
//! key) leaves it, or changes only what may change (a period's end); a new row is added when it
//! fits the rules the API applies (one period of a title at a time, a title at a unit of its
//! level, dates in the cadre's life); nothing on record is deleted.

use chrono::NaiveDate;
use serde_json::json;
use std::collections::{HashMap, HashSet};

use super::domain::{source_from_text, Part};
use crate::auth::Scope;
use crate::cadres::domain::parse_personal_id;
use crate::cadres::rules::check_title_level;
use crate::error::{AppError, ProblemCode as C, Problems};
use crate::imports::columns::{layout_of, Layout};
use crate::imports::plan::{check_name, ImportCounts, TitleInfo, UnitInfo};
use crate::imports::rows::Row;
use crate::shared::table::{Cell, Sheet};

/// A cadre the rows name, as the checks need them.
#[derive(Debug, Clone)]
pub struct Person {
    /// Id.
    pub id: i64,
    /// Full name on record.
    pub full_name: String,
    /// Path of the current unit (scope).
    pub unit_path: String,
    /// Birth date.
    pub birth_date: NaiveDate,
}

/// A period on record: in a unit (history) or of a title (held, planned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// Row id.
    pub id: i64,
    /// Title (0 for the unit history).
    pub title_id: i64,
    /// Unit.
    pub unit_code: String,
    /// First day.
    pub from: NaiveDate,
    /// History: the day moved out (exclusive); titles: the last day (inclusive). `None` while it
    /// lasts.
    pub to: Option<NaiveDate>,
    /// Titles: the day of the original appointment, when a move to a successor unit split the
    /// period (`None`: `from`).
    pub appointed_on: Option<NaiveDate>,
}

/// What a period sheet is checked against.
#[derive(Debug, Clone, Default)]
pub struct PeriodLookups {
    /// Cadres by personal id.
    pub people: HashMap<String, Person>,
    /// Every unit by code.
    pub units: HashMap<String, UnitInfo>,
    /// Every title by code.
    pub titles: HashMap<String, TitleInfo>,
    /// The periods on record of those cadres (of this sheet's kind), by cadre id.
    pub on_record: HashMap<i64, Vec<Period>>,
}

/// A new period to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPeriod {
    /// Cadre.
    pub cadre_id: i64,
    /// Title (0 for the unit history).
    pub title_id: i64,
    /// Unit.
    pub unit_code: String,
    /// First day.
    pub from: NaiveDate,
    /// End, as [`Period::to`].
    pub to: Option<NaiveDate>,
    /// As [`Period::appointed_on`].
    pub appointed_on: Option<NaiveDate>,
}

/// The writes of a period sheet.
#[derive(Debug, Clone, Default)]
pub struct PeriodPlan {
    /// Periods to insert.
    pub new: Vec<NewPeriod>,
    /// Periods whose end (or day of appointment) changes: (row id, new end, appointed on).
    pub ends: Vec<(i64, Option<NaiveDate>, Option<NaiveDate>)>,
    /// Row counts.
    pub counts: ImportCounts,
}

/// The sheet's layout for a part, or the header's problems.
pub fn part_layout(part: Part, sheet: &Sheet) -> Result<Layout, AppError> {
    layout_of(part.english(), part.columns(), &sheet.headers)
}

/// The cadre a row names, in the caller's scope, with the name on record; `None` after a
/// problem. A cadre outside the scope gets the answer of a number nobody has.
pub(super) fn person<'a>(
    r: &mut Row,
    people: &'a HashMap<String, Person>,
    scope: &Scope,
) -> Option<&'a Person> {
    let raw = crate::imports::plan::personal_id_text(r.cell("personal_id"));
    if raw.trim().is_empty() {
        r.problem("personal_id", C::Required);
        return None;
    }
    let pid = r.check("personal_id", parse_personal_id(&raw), C::PersonalIdInvalid)?;
    let Some(p) = people
        .get(pid.as_str())
        .filter(|p| scope.contains_path(&p.unit_path))
    else {
        r.problem("personal_id", C::CadreUnknown);
        return None;
    };
    match r.text("full_name") {
        None => r.problem("full_name", C::Required),
        Some(n) => check_name(r, &n, &p.full_name),
    }
    Some(p)
}

/// Whether two periods share a day; `exclusive`: ends are the first day after (unit history).
fn overlap(
    a: (NaiveDate, Option<NaiveDate>),
    b: (NaiveDate, Option<NaiveDate>),
    exclusive: bool,
) -> bool {
    let end = |t: Option<NaiveDate>| t.unwrap_or(NaiveDate::MAX);
    if exclusive {
        a.0 < end(b.1) && b.0 < end(a.1)
    } else {
        a.0 <= end(b.1) && b.0 <= end(a.1)
    }
}

/// Reads one row of a period sheet (`part`: history, titles or plans) into the period it gives,
/// checked on its own.
fn read_period(
    r: &mut Row,
    part: Part,
    lookups: &PeriodLookups,
    scope: &Scope,
    today: NaiveDate,
) -> Option<NewPeriod> {
    let history = part == Part::History;
    let to_key = if history { "until" } else { "to" };
    let who = person(r, &lookups.people, scope);
    let from = r.required_date("from");
    let to = r.date(to_key);
    if let (Some(f), Some(t)) = (from, to) {
        if (history && t <= f) || (!history && t < f) {
            r.problem(
                to_key,
                if history {
                    C::MovedOutBeforeStart
                } else {
                    C::PeriodEndBeforeStart
                },
            );
        }
    }
    if let (Some(f), Some(p)) = (from, who) {
        if f < p.birth_date {
            r.problem("from", C::DateBeforeBirth);
        } else if let (false, Err(adult)) = (
            history,
            crate::cadres::rules::check_title_age(f, p.birth_date),
        ) {
            r.problem_with(
                "from",
                C::TitleBeforeAdulthood,
                json!({"date": adult.to_string()}),
            );
        } else if history && f > today {
            r.problem("from", C::DateInFuture);
        }
    }
    let appointed_on = if history {
        None
    } else {
        r.date("appointed_on")
    };
    if let (Some(a), Some(f)) = (appointed_on, from) {
        if a > f {
            r.problem("appointed_on", C::AppointedAfterStart);
        }
    }
    let title = if history {
        None
    } else {
        let code = r.required("title_code").map(|c| c.to_uppercase());
        match code.as_ref().map(|c| (c, lookups.titles.get(c))) {
            Some((_, None)) => {
                r.problem("title_code", C::TitleUnknown);
                None
            }
            // An inactive title keeps its past holders; it takes no period that lasts, but for
            // one on record read back (same cadre, title and first day).
            Some((_, Some(t)))
                if !t.active
                    && to.is_none_or(|t| t >= today)
                    && !who.zip(from).is_some_and(|(p, f)| {
                        lookups
                            .on_record
                            .get(&p.id)
                            .is_some_and(|ps| ps.iter().any(|o| o.from == f && o.title_id == t.id))
                    }) =>
            {
                r.problem("title_code", C::TitleUnknown);
                None
            }
            Some((c, Some(t))) => Some((c.clone(), t)),
            None => None,
        }
    };
    let unit_code = r.required("unit_code");
    // The period on record as the row gives it, lasting (same cadre, title, first day and unit):
    // read back as it is, even on a unit retired since (it is the record, not a new period).
    let title_id = title.as_ref().map_or(0, |(_, t)| t.id);
    let kept = |code: &str| {
        let (Some(p), Some(f)) = (who, from) else {
            return false;
        };
        lookups.on_record.get(&p.id).is_some_and(|ps| {
            ps.iter().any(|o| {
                o.from == f && o.to.is_none() && o.unit_code == code && o.title_id == title_id
            })
        })
    };
    let unit = unit_code.as_ref().and_then(|c| {
        let u = lookups.units.get(c);
        match u {
            None => r.problem("unit_code", C::UnitUnknown),
            // History may name units outside the subtree (where the cadre came from); titles
            // and plans are placed in it, as the API places them.
            Some(u) if !history && !scope.contains_path(&u.path) => {
                r.problem("unit_code", C::UnitOutsideSubtree)
            }
            // A retired unit keeps its past; nothing lasting starts there.
            Some(u) if u.retired() && to.is_none() && !kept(c) => {
                r.problem("unit_code", C::UnitRetired)
            }
            _ => {}
        }
        u
    });
    // A new period (history, title, plan) starts once its unit exists; one on record is the
    // record, read back as it is.
    if let (Some(u), Some(uc), Some(f)) = (unit, &unit_code, from) {
        let on_record = who.is_some_and(|p| {
            lookups.on_record.get(&p.id).is_some_and(|ps| {
                ps.iter()
                    .any(|o| o.from == f && o.unit_code == *uc && o.title_id == title_id)
            })
        });
        if !on_record && u.before_existing(f) {
            r.problem_with("from", C::UnitNotYet, u.not_yet(uc));
        }
        // Nor from the day it was retired: on such a day it is in no tree of its own.
        if let Some(gone) = u.retired_on.filter(|g| !on_record && f >= *g) {
            let params = json!({"unit": uc, "date": gone.to_string()});
            r.problem_with("from", C::UnitGone, params);
        }
    }
    if let (Some((code, t)), Some(u), Some(uc)) = (&title, unit, &unit_code) {
        r.check_by(
            "unit_code",
            check_title_level(code, &t.level, uc, &u.level),
            |_| {
                let params = json!({"title": code, "title_level": t.level, "unit": uc,
                    "unit_level": u.level});
                (C::TitleWrongLevel, params)
            },
        );
    }
    if r.failed() {
        return None;
    }
    Some(NewPeriod {
        cadre_id: who?.id,
        title_id: title.map_or(0, |(_, t)| t.id),
        unit_code: unit_code?,
        from: from?,
        to,
        appointed_on,
    })
}

/// Checks a period sheet and gives its writes or every problem.
///
/// Rows are read whole, then checked per cadre: a row matching a period on record (same title,
/// same first day) is that period (same unit; its end may change, except the current unit's,
/// which only a move ends); any other must overlap neither the periods on record nor the
/// sheet's other rows of the same title (history: of any unit). A new period of the unit
/// history must have ended: the current unit is the cadre sheet's.
pub fn plan_periods(
    part: Part,
    sheet: &Sheet,
    lookups: &PeriodLookups,
    scope: &Scope,
    today: NaiveDate,
    problems: Problems,
) -> Result<PeriodPlan, AppError> {
    let history = part == Part::History;
    let to_key = if history { "until" } else { "to" };
    let l = part_layout(part, sheet)?;
    let mut errors = problems;
    let mut plan = PeriodPlan::default();
    plan.counts.rows = sheet.rows.len();
    let mut rows: Vec<(usize, NewPeriod, &[Cell])> = vec![];
    for (line, cells) in &sheet.rows {
        let mut r = Row::new(*line, cells, &l, &mut errors);
        if let Some(p) = read_period(&mut r, part, lookups, scope, today) {
            rows.push((*line, p, cells));
        }
    }
    // Each cadre's rows (a cadre's periods are checked against each other only).
    let mut by_cadre: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, (_, p, _)) in rows.iter().enumerate() {
        by_cadre.entry(p.cadre_id).or_default().push(i);
    }
    let mut seen: HashMap<(i64, i64, NaiveDate), usize> = HashMap::new();
    let none = vec![];
    for (i, (line, p, cells)) in rows.iter().enumerate() {
        let mut r = Row::new(*line, cells, &l, &mut errors);
        if let Some(first) = seen.insert((p.cadre_id, p.title_id, p.from), *line) {
            r.problem_with("from", C::PeriodRepeated, json!({"row_first": first}));
            continue;
        }
        let on_record = lookups.on_record.get(&p.cadre_id).unwrap_or(&none);
        let same_kind = |title_id: i64| history || title_id == p.title_id;
        let matched = on_record
            .iter()
            .find(|o| same_kind(o.title_id) && o.from == p.from);
        let span = (p.from, p.to);
        let clash_on_record = on_record.iter().any(|o| {
            same_kind(o.title_id) && o.from != p.from && overlap(span, (o.from, o.to), history)
        });
        let clash_in_file = by_cadre[&p.cadre_id].iter().any(|&j| {
            let q = &rows[j].1;
            j != i
                && same_kind(q.title_id)
                && q.from != p.from
                && overlap(span, (q.from, q.to), history)
        });
        if clash_on_record || clash_in_file {
            let key = if history { "from" } else { "title_code" };
            r.problem(
                key,
                if history {
                    C::UnitPeriodOverlap
                } else {
                    C::TitleOverlap
                },
            );
            continue;
        }
        match matched {
            Some(m) if m.unit_code != p.unit_code => {
                r.problem(
                    "unit_code",
                    if history {
                        C::UnitPeriodOtherUnit
                    } else {
                        C::TitleOtherUnit
                    },
                );
            }
            Some(m) if m.to == p.to && m.appointed_on == p.appointed_on => {
                plan.counts.unchanged += 1
            }
            Some(_) if history => {
                r.problem(to_key, C::CurrentPeriodEndsByMove);
            }
            Some(m) => {
                plan.ends.push((m.id, p.to, p.appointed_on));
                plan.counts.updated += 1;
            }
            None if history && p.to.is_none() => {
                r.problem(to_key, C::EarlierPeriodNeedsEnd);
            }
            None => {
                plan.new.push(p.clone());
                plan.counts.created += 1;
            }
        }
    }
    errors.finish(plan)
}

/// A completion on record, with everything the record carries of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionFacts {
    /// Score in tenths.
    pub score_tenths: Option<i64>,
    /// `class`, `paper` or `import`.
    pub source: String,
    /// Reference.
    pub source_ref: String,
    /// Class code (of the class, or kept from the record it came from).
    pub class_code: Option<String>,
    /// Certificate number.
    pub certificate_no: Option<String>,
    /// Verification code.
    pub certificate_code: Option<String>,
    /// Revoked on.
    pub revoked_on: Option<NaiveDate>,
    /// Why.
    pub revoke_reason: Option<String>,
}

/// What a completion sheet is checked against.
#[derive(Debug, Clone, Default)]
pub struct CompletionLookups {
    /// Cadres by personal id.
    pub people: HashMap<String, Person>,
    /// Modules by code: (id, current version).
    pub modules: HashMap<String, (i64, i64)>,
    /// Codes of this database's classes among those the sheet names.
    pub classes: HashSet<String>,
    /// Completions on record of those cadres: (cadre, module, day) → (id, facts).
    pub on_record: HashMap<(i64, i64, NaiveDate), (i64, CompletionFacts)>,
    /// Certificate numbers on record among those the sheet names.
    pub certificates_taken: HashSet<String>,
}

/// A completion to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCompletion {
    /// Cadre.
    pub cadre_id: i64,
    /// Module.
    pub module_id: i64,
    /// Module version (the current one).
    pub module_version: i64,
    /// Day.
    pub completed_on: NaiveDate,
    /// The rest.
    pub facts: CompletionFacts,
}

/// The writes of a completion sheet.
#[derive(Debug, Clone, Default)]
pub struct CompletionPlan {
    /// To insert.
    pub new: Vec<NewCompletion>,
    /// Paper and imported completions whose score or provenance changes: (id, facts).
    pub updates: Vec<(i64, CompletionFacts)>,
    /// Row counts.
    pub counts: ImportCounts,
}

/// Reads one completion row's facts.
fn read_facts(r: &mut Row) -> Option<CompletionFacts> {
    let score = r.number("score").and_then(|s| {
        let t = (s * 10.0).round();
        if (0.0..=10.0).contains(&s) && (t - s * 10.0).abs() < 1e-6 {
            Some(t as i64)
        } else {
            r.problem("score", C::ScoreInvalid);
            None
        }
    });
    let source = r.required("source").and_then(|s| {
        let found = source_from_text(&s);
        if found.is_none() {
            r.problem("source", C::RecordSourceInvalid);
        }
        found
    });
    let source_ref = r.short("source_ref", 300).unwrap_or_default();
    if source_ref.is_empty() && matches!(source, Some("paper" | "import")) {
        r.problem("source_ref", C::ReferenceRequired);
    }
    let class_code = r.short("class_code", 40);
    if class_code.is_some() && source.is_some_and(|s| s != "class") {
        r.problem("class_code", C::ClassCodeNotClass);
    }
    let certificate_no = r.short("certificate_no", 60);
    // A verification code is the public check's: read as it reads one (case, spaces and hyphens
    // aside), kept in its stored form; any other could never be verified.
    let certificate_code = r.short("certificate_code", 60).and_then(|raw| {
        let code = crate::completions::certificate::parse_code(&raw);
        if code.is_none() {
            r.problem_with(
                "certificate_code",
                C::CertificateCodeInvalid,
                json!({"len": crate::completions::certificate::CODE_LEN,
                       "alphabet": String::from_utf8_lossy(crate::completions::certificate::CODE_ALPHABET)}),
            );
        }
        code
    });
    let revoked_on = r.date("revoked_on");
    let revoke_reason = r.short("revoke_reason", 500);
    // Older records may lack the reason; a reason without its day is a slip.
    if revoke_reason.is_some() && revoked_on.is_none() {
        r.problem("revoked_on", C::RevocationNeedsDay);
    }
    if r.failed() {
        return None;
    }
    Some(CompletionFacts {
        score_tenths: score,
        source: source?.to_string(),
        source_ref,
        class_code,
        certificate_no,
        certificate_code,
        revoked_on,
        revoke_reason,
    })
}

/// Checks a completion sheet and gives its writes or every problem. A row matching a
/// completion on record (person, module, day) is that completion: unchanged when equal; a paper
/// or imported one takes a new score and provenance; a class completion, a certificate and a
/// revocation change only through their own pages.
pub fn plan_completions(
    sheet: &Sheet,
    lookups: &CompletionLookups,
    scope: &Scope,
    today: NaiveDate,
    problems: Problems,
) -> Result<CompletionPlan, AppError> {
    let l = part_layout(Part::Completions, sheet)?;
    let mut errors = problems;
    let mut plan = CompletionPlan::default();
    plan.counts.rows = sheet.rows.len();
    let mut seen: HashMap<(i64, i64, NaiveDate), usize> = HashMap::new();
    let mut certificates: HashMap<String, usize> = HashMap::new();
    for (line, cells) in &sheet.rows {
        let mut r = Row::new(*line, cells, &l, &mut errors);
        let who = person(&mut r, &lookups.people, scope);
        let module = r.required("module_code").and_then(|m| {
            let found = lookups.modules.get(&m.to_uppercase()).copied();
            if found.is_none() {
                r.problem("module_code", C::ModuleUnknown);
            }
            found
        });
        let day = r.required_date("completed_on");
        if let (Some(d), Some(p)) = (day, who) {
            if crate::cadres::rules::check_life_date(d, p.birth_date, today).is_err() {
                r.problem("completed_on", C::DateOutsideLife);
            }
        }
        let facts = read_facts(&mut r);
        if let (Some(d), Some(f)) = (day, &facts) {
            if f.revoked_on.is_some_and(|v| v < d || v > today) {
                r.problem("revoked_on", C::RevocationDayRange);
            }
        }
        if r.failed() {
            continue;
        }
        let (Some(p), Some((module_id, version)), Some(day), Some(facts)) =
            (who, module, day, facts)
        else {
            continue;
        };
        let key = (p.id, module_id, day);
        if let Some(first) = seen.insert(key, *line) {
            r.problem_with(
                "completed_on",
                C::CompletionRepeated,
                json!({"row_first": first}),
            );
            continue;
        }
        if let Some(c) = &facts.certificate_no {
            if let Some(first) = certificates.insert(c.clone(), *line) {
                r.problem_with(
                    "certificate_no",
                    C::CertificateRepeated,
                    json!({"row_first": first}),
                );
                continue;
            }
        }
        match lookups.on_record.get(&key) {
            Some((_, on)) if *on == facts => plan.counts.unchanged += 1,
            Some((id, on)) => {
                let fixed = on.source != "class"
                    && facts.source != "class"
                    && on.certificate_no == facts.certificate_no
                    && on.certificate_code == facts.certificate_code
                    && on.revoked_on == facts.revoked_on
                    && on.revoke_reason == facts.revoke_reason;
                if fixed {
                    plan.updates.push((*id, facts));
                    plan.counts.updated += 1;
                } else {
                    r.problem("completed_on", C::CompletionDiffers);
                }
            }
            None => {
                if facts
                    .certificate_no
                    .as_ref()
                    .is_some_and(|c| lookups.certificates_taken.contains(c))
                {
                    r.problem("certificate_no", C::CertificateTaken);
                    continue;
                }
                // A class of this database records its completions from its results (with its
                // own certificates); one from elsewhere keeps its class code and certificate.
                if let Some(c) = facts
                    .class_code
                    .as_ref()
                    .filter(|c| lookups.classes.contains(*c))
                {
                    r.problem_with("class_code", C::ClassCompletionHere, json!({"class": c}));
                    continue;
                }
                plan.new.push(NewCompletion {
                    cadre_id: p.id,
                    module_id,
                    module_version: version,
                    completed_on: day,
                    facts,
                });
                plan.counts.created += 1;
            }
        }
    }
    errors.finish(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::table::Cell;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn sheet(part: Part, rows: &[&[&str]]) -> Sheet {
        Sheet {
            headers: part.headers(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    (
                        i + 2,
                        r.iter()
                            .map(|s| {
                                if s.is_empty() {
                                    Cell::Empty
                                } else {
                                    Cell::Text(s.to_string())
                                }
                            })
                            .collect(),
                    )
                })
                .collect(),
        }
    }

    fn lookups() -> PeriodLookups {
        let mut l = PeriodLookups::default();
        l.people.insert(
            "079123456789".into(),
            Person {
                id: 1,
                full_name: "Nguyễn Văn An".into(),
                unit_path: "/79/760/26734/".into(),
                birth_date: d("1980-01-01"),
            },
        );
        for (code, path, level, retired) in [
            ("26734", "/79/760/26734/", "commune", false),
            ("26737", "/79/760/26737/", "commune", true),
            ("760", "/79/760/", "district", false),
        ] {
            l.units.insert(
                code.into(),
                UnitInfo {
                    path: path.into(),
                    level: level.into(),
                    retired_on: retired.then(|| d("2025-07-02")),
                    created_on: None,
                },
            );
        }
        l.titles.insert(
            "CT_MTTQ_XA".into(),
            TitleInfo {
                id: 7,
                level: "commune".into(),
                active: true,
                org: "fatherland_front".into(),
            },
        );
        l
    }

    fn problems(e: AppError) -> Vec<(String, String)> {
        let AppError::Problems { report, .. } = e else {
            panic!("not problems: {e:?}")
        };
        report
            .listed
            .iter()
            .map(|p| (p.field.clone().unwrap_or_default(), p.message.clone()))
            .collect()
    }

    fn scope() -> Scope {
        Scope::Subtree {
            code: "79".into(),
            path: "/79/".into(),
        }
    }

    #[test]
    fn history_rows_merge_with_the_record() {
        let mut l = lookups();
        l.on_record.insert(
            1,
            vec![Period {
                id: 10,
                title_id: 0,
                unit_code: "26734".into(),
                from: d("2020-01-01"),
                to: None,
                appointed_on: None,
            }],
        );
        let s = sheet(
            Part::History,
            &[
                &[
                    "079123456789",
                    "Nguyễn Văn An",
                    "26737",
                    "2015-01-01",
                    "2020-01-01",
                ],
                &["079123456789", "Nguyễn  Văn An", "26734", "2020-01-01", ""],
            ],
        );
        let p = plan_periods(
            Part::History,
            &s,
            &l,
            &scope(),
            d("2026-01-01"),
            Problems::new(),
        )
        .unwrap();
        assert_eq!(p.new.len(), 1);
        assert_eq!(p.new[0].unit_code, "26737");
        assert_eq!((p.counts.created, p.counts.unchanged), (1, 1));
    }

    #[test]
    fn every_problem_of_every_row_is_listed() {
        let mut l = lookups();
        l.on_record.insert(
            1,
            vec![Period {
                id: 10,
                title_id: 7,
                unit_code: "26734".into(),
                from: d("2020-01-01"),
                to: None,
                appointed_on: None,
            }],
        );
        let s = sheet(
            Part::Titles,
            &[
                // Wrong name, wrong level.
                &[
                    "079123456789",
                    "Trần Thị B",
                    "CT_MTTQ_XA",
                    "760",
                    "2021-01-01",
                    "",
                ],
                // Overlaps the period on record.
                &[
                    "079123456789",
                    "Nguyễn Văn An",
                    "CT_MTTQ_XA",
                    "26734",
                    "2019-01-01",
                    "2020-06-01",
                ],
                // Bad date and unknown title.
                &[
                    "079123456789",
                    "Nguyễn Văn An",
                    "NOPE",
                    "26734",
                    "31/02/2020",
                    "",
                ],
            ],
        );
        let got = problems(
            plan_periods(
                Part::Titles,
                &s,
                &l,
                &scope(),
                d("2026-01-01"),
                Problems::new(),
            )
            .unwrap_err(),
        );
        let fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "Họ và tên",
                "Mã đơn vị",
                "Mã chức danh",
                "Từ ngày",
                "Mã chức danh"
            ],
            "{got:?}"
        );
    }

    #[test]
    fn an_open_title_at_a_retired_unit_is_refused_an_ended_one_kept() {
        let l = lookups();
        let s = sheet(
            Part::Titles,
            &[
                &[
                    "079123456789",
                    "Nguyễn Văn An",
                    "CT_MTTQ_XA",
                    "26737",
                    "2019-01-01",
                    "2025-06-30",
                ],
                &[
                    "079123456789",
                    "Nguyễn Văn An",
                    "CT_MTTQ_XA",
                    "26737",
                    "2025-07-01",
                    "",
                ],
            ],
        );
        let got = problems(
            plan_periods(
                Part::Titles,
                &s,
                &l,
                &scope(),
                d("2026-01-01"),
                Problems::new(),
            )
            .unwrap_err(),
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].1.contains("retired"));
    }

    #[test]
    fn the_current_unit_period_ends_only_by_a_move() {
        let mut l = lookups();
        l.on_record.insert(
            1,
            vec![Period {
                id: 10,
                title_id: 0,
                unit_code: "26734".into(),
                from: d("2020-01-01"),
                to: None,
                appointed_on: None,
            }],
        );
        let s = sheet(
            Part::History,
            &[&[
                "079123456789",
                "Nguyễn Văn An",
                "26734",
                "2020-01-01",
                "2021-01-01",
            ]],
        );
        let got = problems(
            plan_periods(
                Part::History,
                &s,
                &l,
                &scope(),
                d("2026-01-01"),
                Problems::new(),
            )
            .unwrap_err(),
        );
        assert!(got[0].1.contains("only by a move"), "{got:?}");
    }

    #[test]
    fn completions_merge_and_keep_their_provenance() {
        let mut l = CompletionLookups {
            people: lookups().people,
            ..Default::default()
        };
        l.modules.insert("MOD1".into(), (3, 2));
        let facts = CompletionFacts {
            score_tenths: Some(85),
            source: "class".into(),
            source_ref: String::new(),
            class_code: Some("L-1".into()),
            certificate_no: Some("GCN-1".into()),
            certificate_code: Some("ABCDEFGHJK".into()),
            revoked_on: None,
            revoke_reason: None,
        };
        // One class completion row, with this verification code.
        let with_code = |code: &str| {
            sheet(
                Part::Completions,
                &[&[
                    "079123456789",
                    "Nguyễn Văn An",
                    "MOD1",
                    "2024-05-01",
                    "8.5",
                    "lớp",
                    "",
                    "L-1",
                    "GCN-1",
                    code,
                    "",
                    "",
                ]],
            )
        };
        let s = with_code("abcde-fghjk");
        let p = plan_completions(&s, &l, &scope(), d("2026-01-01"), Problems::new()).unwrap();
        assert_eq!(p.new.len(), 1);
        assert_eq!(p.new[0].facts, facts);
        l.classes.insert("L-1".into());
        let got = problems(
            plan_completions(&s, &l, &scope(), d("2026-01-01"), Problems::new()).unwrap_err(),
        );
        assert_eq!(got[0].0, "Mã lớp", "a class of this database: {got:?}");
        l.classes.clear();
        l.on_record.insert((1, 3, d("2024-05-01")), (99, facts));
        let p = plan_completions(&s, &l, &scope(), d("2026-01-01"), Problems::new()).unwrap();
        assert_eq!((p.new.len(), p.counts.unchanged), (0, 1));
        l.on_record.clear();
        l.certificates_taken.insert("GCN-1".into());
        let got = problems(
            plan_completions(&s, &l, &scope(), d("2026-01-01"), Problems::new()).unwrap_err(),
        );
        assert_eq!(got[0].0, "Số chứng chỉ");
        // A verification code the public check could never read (I and O are not in it).
        l.certificates_taken.clear();
        let s = with_code("ABCDEFGHIO");
        let got = problems(
            plan_completions(&s, &l, &scope(), d("2026-01-01"), Problems::new()).unwrap_err(),
        );
        assert_eq!(got[0].0, "Mã xác thực", "{got:?}");
    }
}
