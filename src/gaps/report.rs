//! Pure report logic: assessments from loaded facts, and their aggregation into rows: the rows
//! of a report by group, two dates side by side, training demand by module.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use utoipa::ToSchema;

use super::engine::{
    assess, check_from_evidence, full_years, CadreFacts, Check, CompletionFact, QualificationFact,
    Rule,
};
use super::store::{Holding, Loaded, ReportUnit, ScaleRef};
use super::timeline_store::{RowRef, FOUND_SEPARATOR};
use crate::cadres::domain::Gender;
use crate::standards::domain::Requirement;
use crate::standards::store::StandardVersion;
use crate::units::domain::{UnitKind, UnitLevel};
use crate::units::store::UnitRecord;

/// One title held or planned, assessed against the standard in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assessment {
    /// Cadre id.
    pub cadre_id: i64,
    /// Name.
    pub full_name: String,
    /// `incumbent` or `planned`.
    pub population: Holding,
    /// Title code.
    pub title_code: String,
    /// The cadre's unit on the date.
    pub unit_code: String,
    /// Its path (not served).
    #[serde(skip)]
    pub unit_path: String,
    /// The holder's unit was retired with no successor on the tree's day (not served: such
    /// holders are counted in the report's `UNPLACED` row).
    #[serde(skip)]
    pub unplaced: bool,
    /// Gender.
    pub gender: Gender,
    /// Age on the date.
    pub age: i64,
    /// Ethnic minority.
    pub ethnic_minority: bool,
    /// Version of the standard applied (absent: no standard in force).
    pub standard_version: Option<i64>,
    /// Every requirement with its verdict (empty when no standard is in force).
    pub checks: Vec<Check>,
}

impl Assessment {
    /// Whether a standard applies and every requirement is met.
    pub fn meets(&self) -> Option<bool> {
        self.standard_version
            .map(|_| self.checks.iter().all(|c| c.met))
    }

    /// The requirements not met.
    pub fn unmet(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.met)
    }
}

/// What a report counts of one (holder, title) on its day: an [`Assessment`], or a
/// [`HolderOnDay`] read straight from the timeline (no checks built).
pub trait Counted {
    /// The cadre.
    fn cadre_id(&self) -> i64;
    /// The title held or planned.
    fn title_code(&self) -> &str;
    /// Whether a standard applies (`None`: none in force) and every requirement is met.
    fn verdict(&self) -> Option<bool>;
    /// The keys of the requirements not met.
    fn unmet_keys(&self) -> impl Iterator<Item = &str>;
    /// Gender.
    fn gender(&self) -> Gender;
    /// Age on the day.
    fn age(&self) -> i64;
    /// Ethnic minority.
    fn minority(&self) -> bool;
    /// Retired with no successor on the tree's day.
    fn unplaced(&self) -> bool;
    /// The unit counted in.
    fn unit_code(&self) -> &str;
    /// Its path.
    fn unit_path(&self) -> &str;
}

impl Counted for Assessment {
    fn cadre_id(&self) -> i64 {
        self.cadre_id
    }
    fn title_code(&self) -> &str {
        &self.title_code
    }
    fn verdict(&self) -> Option<bool> {
        self.meets()
    }
    fn unmet_keys(&self) -> impl Iterator<Item = &str> {
        self.unmet().map(|c| c.key.as_str())
    }
    fn gender(&self) -> Gender {
        self.gender
    }
    fn age(&self) -> i64 {
        self.age
    }
    fn minority(&self) -> bool {
        self.ethnic_minority
    }
    fn unplaced(&self) -> bool {
        self.unplaced
    }
    fn unit_code(&self) -> &str {
        &self.unit_code
    }
    fn unit_path(&self) -> &str {
        &self.unit_path
    }
}

/// One timeline row as a report counts it, borrowed from the packed read: the same verdicts as
/// [`from_timeline`]'s assessments (the standard's keys, each met unless listed as unmet), without
/// building a check per requirement.
#[derive(Debug, Clone)]
pub struct HolderOnDay<'a> {
    /// The cadre.
    pub cadre_id: i64,
    /// The title held or planned.
    pub title_code: &'a str,
    /// The requirement keys of the title's standard in force (`None`: the title has none).
    pub keys: Option<&'a [String]>,
    /// The timeline names a standard version.
    pub standard: bool,
    /// Which of `keys` are unmet.
    pub unmet: Unmet<'a>,
    /// Gender.
    pub gender: Gender,
    /// Age on the day.
    pub age: i64,
    /// Ethnic minority.
    pub minority: bool,
    /// Retired with no successor on the tree's day.
    pub unplaced: bool,
    /// The unit counted in.
    pub unit_code: &'a str,
    /// Its path.
    pub unit_path: &'a str,
}

impl Counted for HolderOnDay<'_> {
    fn cadre_id(&self) -> i64 {
        self.cadre_id
    }
    fn title_code(&self) -> &str {
        self.title_code
    }
    fn verdict(&self) -> Option<bool> {
        self.standard.then(|| match self.unmet {
            Unmet::Mask(m) => m == 0,
            Unmet::Listed(_) => self.unmet_keys().next().is_none(),
        })
    }
    fn unmet_keys(&self) -> impl Iterator<Item = &str> {
        let keys = if self.standard { self.keys } else { None };
        keys.unwrap_or(&[])
            .iter()
            .enumerate()
            .filter(|(i, k)| self.unmet.has(*i, k))
            .map(|(_, k)| k.as_str())
    }
    fn gender(&self) -> Gender {
        self.gender
    }
    fn age(&self) -> i64 {
        self.age
    }
    fn minority(&self) -> bool {
        self.minority
    }
    fn unplaced(&self) -> bool {
        self.unplaced
    }
    fn unit_code(&self) -> &str {
        self.unit_code
    }
    fn unit_path(&self) -> &str {
        self.unit_path
    }
}

/// Which of a title's requirement keys a timeline row lists as unmet, found once per row (a
/// report counts each row twice, in its group and in the totals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmet<'a> {
    /// Bit `i` set: the title's key `i` is unmet (titles of at most 64 keys).
    Mask(u64),
    /// The row's comma-separated unmet keys, looked up key by key (titles of more keys).
    Listed(&'a str),
}

impl<'a> Unmet<'a> {
    /// The unmet keys of a row (`listed`: comma-separated) among `keys`, a title's keys in order.
    pub fn of(keys: &[String], listed: &'a str) -> Unmet<'a> {
        if keys.len() > 64 {
            return Unmet::Listed(listed);
        }
        if listed.is_empty() {
            return Unmet::Mask(0);
        }
        // Key by key, as the list lookup does (a key listed twice, or a title listing one key
        // twice, counts the same either way).
        let mask = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| listed.split(',').any(|u| u == k.as_str()))
            .fold(0u64, |m, (i, _)| m | 1 << i);
        Unmet::Mask(mask)
    }

    /// Whether `key`, the title's key `i`, is unmet.
    fn has(&self, i: usize, key: &str) -> bool {
        match self {
            Unmet::Mask(m) => i < 64 && m & (1 << i) != 0,
            Unmet::Listed(listed) => listed.split(',').any(|u| u == key),
        }
    }
}

/// The requirement keys of each title's standard in force, by title code.
pub fn rule_keys(
    standards: &HashMap<String, StandardVersion>,
    scales: &ScaleRef,
) -> HashMap<String, Vec<String>> {
    standards
        .iter()
        .map(|(code, std)| {
            let keys = rules(&std.requirements, scales);
            (code.clone(), keys.iter().map(Rule::key).collect())
        })
        .collect()
}

/// The rank a standard requires on a scale (its `min_level` requirement), if it has one.
pub fn required_rank(std: &StandardVersion, scale: &str, scales: &ScaleRef) -> Option<i64> {
    std.requirements.iter().find_map(|r| match r {
        Requirement::MinLevel { scale: s, level } if s == scale => {
            scales.rank_of.get(&(s.clone(), level.clone())).copied()
        }
        _ => None,
    })
}

/// Turns a standard's requirements into engine rules, using the scales' ranks.
pub fn rules(reqs: &[Requirement], scales: &ScaleRef) -> Vec<Rule> {
    reqs.iter()
        .map(|r| match r {
            Requirement::MinLevel { scale, level } => Rule::MinLevel {
                scale: scale.clone(),
                scale_label: scales
                    .label
                    .get(scale)
                    .cloned()
                    .unwrap_or_else(|| scale.replace('_', " ")),
                level: level.clone(),
                rank: scales
                    .rank_of
                    .get(&(scale.clone(), level.clone()))
                    .copied()
                    .unwrap_or(i64::MAX),
            },
            Requirement::Module {
                module,
                within_years,
            } => Rule::Module {
                module: module.clone(),
                within_years: *within_years,
            },
            Requirement::MaxAge { years } => Rule::MaxAge { years: *years },
            Requirement::MinPartyYears { years } => Rule::MinPartyYears { years: *years },
        })
        .collect()
}

/// Assesses every holder loaded, against the standards in force (by title code).
pub fn assessments(
    loaded: Loaded,
    standards: &HashMap<String, StandardVersion>,
    scales: &ScaleRef,
    as_of: NaiveDate,
) -> Vec<Assessment> {
    assessments_of(loaded, standards, scales, as_of, None)
}

/// Requirement keys to check, by (cadre, holding, title code).
pub type KeysToCheck = HashMap<(i64, Holding, String), Vec<String>>;

/// As [`assessments`]; with `only`, only the holders it names, each checked only against the
/// requirements it names (their reasons for a list already counted).
pub fn assessments_of(
    loaded: Loaded,
    standards: &HashMap<String, StandardVersion>,
    scales: &ScaleRef,
    as_of: NaiveDate,
    only: Option<&KeysToCheck>,
) -> Vec<Assessment> {
    let Loaded {
        holders,
        best_rank,
        last_completion,
    } = loaded;
    let mut rule_cache: HashMap<String, Vec<Rule>> = HashMap::new();
    let mut out = Vec::with_capacity(holders.len());
    let mut picked: Vec<Rule> = vec![];
    for h in holders {
        let keys = match only {
            None => None,
            Some(only) => match only.get(&(h.cadre_id, h.population, h.title_code.clone())) {
                Some(keys) => Some(keys),
                None => continue,
            },
        };
        let std = standards.get(&h.title_code);
        let checks = match std {
            None => vec![],
            Some(s) => {
                if !rule_cache.contains_key(&h.title_code) {
                    rule_cache.insert(h.title_code.clone(), rules(&s.requirements, scales));
                }
                let mut rules = &rule_cache[&h.title_code];
                if let Some(keys) = keys {
                    picked.clear();
                    picked.extend(rules.iter().filter(|r| keys.contains(&r.key())).cloned());
                    rules = &picked;
                }
                let mut facts = CadreFacts {
                    birth_date: h.birth_date,
                    party_joined_on: h.party_joined_on,
                    ..Default::default()
                };
                let ranks = best_rank.get(&h.cadre_id).map_or(&[][..], Vec::as_slice);
                let dones = last_completion
                    .get(&h.cadre_id)
                    .map_or(&[][..], Vec::as_slice);
                for r in rules.iter() {
                    match r {
                        Rule::MinLevel { scale, .. } => {
                            if let Some((_, rank)) = ranks.iter().find(|(s, _)| s == scale) {
                                facts.qualifications.push(QualificationFact {
                                    scale: scale.clone(),
                                    level: scales
                                        .level_at
                                        .get(&(scale.clone(), *rank))
                                        .cloned()
                                        .unwrap_or_default(),
                                    rank: *rank,
                                    obtained_on: as_of,
                                    revoked_on: None,
                                });
                            }
                        }
                        Rule::Module { module, .. } => {
                            if let Some((_, d)) = dones.iter().find(|(m, _)| m == module) {
                                facts.completions.push(CompletionFact {
                                    module: module.clone(),
                                    completed_on: *d,
                                    revoked_on: None,
                                });
                            }
                        }
                        _ => {}
                    }
                }
                let reference = if h.population == Holding::Incumbent {
                    h.from_date
                } else {
                    as_of
                };
                assess(&facts, rules, as_of, reference)
            }
        };
        out.push(Assessment {
            cadre_id: h.cadre_id,
            age: full_years(h.birth_date, as_of),
            ethnic_minority: h.ethnic_minority,
            standard_version: std.map(|s| s.version),
            checks,
            full_name: h.full_name,
            population: h.population,
            title_code: h.title_code,
            unit_code: h.unit_code,
            unit_path: h.unit_path,
            unplaced: h.placement == "unplaced",
            gender: h.gender,
        });
    }
    out
}

/// Assessments as the holders' timelines have them on `as_of`: each requirement of the standard
/// in force (by title code) with its verdict. With `word_unmet`, only the unmet checks are kept
/// (what the export writes; [`Assessment::meets`] reads the same), each worded (reason, code,
/// params) from what the row keeps it rests on ([`check_from_evidence`]), as the engine words it
/// from the facts; a row whose tokens do not match its unmet keys keeps them as counted (the
/// caller may explain those from the facts). Without it, every check, no reasons: reports count,
/// they do not explain.
pub fn from_timeline<'a>(
    rows: impl IntoIterator<Item = RowRef<'a>>,
    standards: &HashMap<String, StandardVersion>,
    scales: &ScaleRef,
    as_of: NaiveDate,
    word_unmet: bool,
) -> Vec<Assessment> {
    // Each title's rules and their keys, once.
    let rules_of: HashMap<&str, (Vec<Rule>, Vec<String>)> = standards
        .iter()
        .map(|(code, std)| {
            let rules = rules(&std.requirements, scales);
            let keys = rules.iter().map(Rule::key).collect();
            (code.as_str(), (rules, keys))
        })
        .collect();
    let rank_of = |scale: &str, level: &str| {
        scales
            .rank_of
            .get(&(scale.to_string(), level.to_string()))
            .copied()
    };
    rows.into_iter()
        .map(|r| {
            let checks = match (r.standard_version, rules_of.get(r.title_code)) {
                (Some(_), Some((rules, keys))) => {
                    let unmet = |k: &str| r.unmet.split(',').any(|u| u == k);
                    if word_unmet {
                        let mut checks: Vec<Check> = keys
                            .iter()
                            .filter(|k| unmet(k))
                            .map(|k| Check::counted(k.clone(), false))
                            .collect();
                        if !checks.is_empty() {
                            word_from_tokens(&mut checks, (rules, keys), &r, as_of, rank_of);
                        }
                        checks
                    } else {
                        keys.iter()
                            .map(|k| Check::counted(k.clone(), !unmet(k)))
                            .collect()
                    }
                }
                _ => vec![],
            };
            Assessment {
                cadre_id: r.cadre_id,
                full_name: r.full_name.to_string(),
                population: r.holding,
                title_code: r.title_code.to_string(),
                unit_code: r.unit_code.to_string(),
                unit_path: r.unit_path.to_string(),
                unplaced: r.placement == "unplaced",
                gender: r.gender,
                age: full_years(r.birth_date, as_of),
                ethnic_minority: r.ethnic_minority,
                standard_version: r.standard_version,
                checks,
            }
        })
        .collect()
}

/// Words the unmet checks of one timeline row from its tokens (`rules` and their `keys` in the
/// standard's order), if it has one token per unmet key (a row written without tokens — by a
/// version before them, say, during a rolling upgrade — has none: its checks stay counted).
fn word_from_tokens(
    checks: &mut [Check],
    (rules, keys): (&[Rule], &[String]),
    r: &RowRef<'_>,
    as_of: NaiveDate,
    rank_of: impl Fn(&str, &str) -> Option<i64> + Copy,
) {
    let unmet = r.unmet.split(',');
    let tokens = r.found.split(FOUND_SEPARATOR);
    if r.found.is_empty() || unmet.clone().count() != tokens.clone().count() {
        return;
    }
    for (key, token) in unmet.zip(tokens) {
        let (Some(i), Some(rule)) = (
            checks.iter().position(|c| c.key == key),
            keys.iter().position(|k| k == key).map(|j| &rules[j]),
        ) else {
            continue;
        };
        if let Some(c) = check_from_evidence(rule, token, r.birth_date, as_of, rank_of) {
            checks[i] = c;
        }
    }
}

/// Assessed / meeting / short counts.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema, PartialEq)]
pub struct Counts {
    /// Assessed against a standard.
    pub assessed: i64,
    /// Meeting every requirement.
    pub meeting: i64,
    /// Falling short of at least one.
    pub short: i64,
}

impl Counts {
    fn add(&mut self, meets: bool) {
        self.assessed += 1;
        if meets {
            self.meeting += 1;
        } else {
            self.short += 1;
        }
    }
}

/// One row of a gap report.
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct ReportRow {
    /// Unit code (`TOTAL` for the totals row).
    pub unit_code: String,
    /// Unit name.
    pub unit_name: String,
    /// Assessed against a standard.
    pub assessed: i64,
    /// Meeting every requirement.
    pub meeting: i64,
    /// Falling short of at least one.
    pub short: i64,
    /// meeting / assessed × 100, one decimal (absent when nobody was assessed).
    pub compliance_pct: Option<f64>,
    /// Holders whose title has no standard in force on the date (not in `assessed`).
    pub no_standard: i64,
    /// Number falling short of each requirement, by requirement key.
    pub short_by_requirement: BTreeMap<String, i64>,
    /// The same counts by gender.
    pub by_gender: BTreeMap<String, Counts>,
    /// The same counts by age band (`under_35`, `35_44`, `45_54`, `55_plus`).
    pub by_age_band: BTreeMap<String, Counts>,
    /// The same counts for ethnic minorities (`minority`) and the others (`majority`).
    pub by_minority: BTreeMap<String, Counts>,
}

/// The age band of an age.
pub fn age_band(age: i64) -> &'static str {
    AGE_BANDS[band_index(age)]
}

impl ReportRow {
    fn new(code: &str, name: &str) -> Self {
        ReportRow {
            unit_code: code.into(),
            unit_name: name.into(),
            ..Default::default()
        }
    }
}

/// The age bands in their order (index of [`band_index`]).
const AGE_BANDS: [&str; 4] = ["under_35", "35_44", "45_54", "55_plus"];

fn band_index(age: i64) -> usize {
    match age {
        a if a < 35 => 0,
        a if a < 45 => 1,
        a if a < 55 => 2,
        _ => 3,
    }
}

const GENDERS: [Gender; 3] = [Gender::Female, Gender::Male, Gender::Other];

fn gender_index(g: Gender) -> usize {
    match g {
        Gender::Female => 0,
        Gender::Male => 1,
        Gender::Other => 2,
    }
}

/// One row's counts while its assessments are added: requirement keys borrowed from the
/// assessments and the demographic splits in fixed slots, so adding an assessment allocates
/// nothing (a whole-city report adds thousands). [`Tally::finish`] makes the served row.
struct Tally<'a> {
    row: ReportRow,
    short_by_requirement: HashMap<&'a str, i64>,
    by_gender: [Counts; 3],
    by_age_band: [Counts; 4],
    /// Majority, minority.
    by_minority: [Counts; 2],
}

impl<'a> Tally<'a> {
    fn new(code: &str, name: &str) -> Self {
        Tally {
            row: ReportRow::new(code, name),
            short_by_requirement: HashMap::new(),
            by_gender: Default::default(),
            by_age_band: Default::default(),
            by_minority: Default::default(),
        }
    }

    fn add<C: Counted>(&mut self, a: &'a C) {
        let Some(meets) = a.verdict() else {
            self.row.no_standard += 1;
            return;
        };
        self.row.assessed += 1;
        if meets {
            self.row.meeting += 1;
        } else {
            self.row.short += 1;
        }
        for key in a.unmet_keys() {
            *self.short_by_requirement.entry(key).or_default() += 1;
        }
        self.by_gender[gender_index(a.gender())].add(meets);
        self.by_age_band[band_index(a.age())].add(meets);
        self.by_minority[usize::from(a.minority())].add(meets);
    }

    fn finish(self) -> ReportRow {
        let mut row = self.row;
        row.short_by_requirement = self
            .short_by_requirement
            .into_iter()
            .map(|(k, n)| (k.to_string(), n))
            .collect();
        // A split appears when at least one assessment fell in it.
        let seen = |c: &Counts| c.assessed > 0;
        row.by_gender = GENDERS
            .iter()
            .zip(self.by_gender)
            .filter(|(_, c)| seen(c))
            .map(|(g, c)| (g.as_str().to_string(), c))
            .collect();
        row.by_age_band = AGE_BANDS
            .iter()
            .zip(self.by_age_band)
            .filter(|(_, c)| seen(c))
            .map(|(b, c)| (b.to_string(), c))
            .collect();
        row.by_minority = ["majority", "minority"]
            .iter()
            .zip(self.by_minority)
            .filter(|(_, c)| seen(c))
            .map(|(m, c)| (m.to_string(), c))
            .collect();
        row.compliance_pct = (row.assessed > 0)
            .then(|| (row.meeting as f64 * 1000.0 / row.assessed as f64).round() / 10.0);
        row
    }
}

/// Aggregates assessments into one row per group (in the order given) and a totals row.
/// `group_of` names the group of an assessment; assessments of no listed group are left out.
pub fn aggregate<'a, C: Counted>(
    assessed: &'a [C],
    groups: &[(String, String)],
    group_of: impl Fn(&'a C) -> Option<&'a str>,
) -> (Vec<ReportRow>, ReportRow) {
    let index: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (c.as_str(), i))
        .collect();
    let mut rows: Vec<Tally> = groups.iter().map(|(c, n)| Tally::new(c, n)).collect();
    let mut total = Tally::new("TOTAL", "Tổng cộng");
    for a in assessed {
        if let Some(i) = group_of(a).and_then(|g| index.get(g).copied()) {
            rows[i].add(a);
            total.add(a);
        }
    }
    (
        rows.into_iter().map(Tally::finish).collect(),
        total.finish(),
    )
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

/// The row code of holders whose unit was retired with no successor on the tree's day, or is no
/// live unit of that day's tree ([`RowKeys::of`]).
pub const UNPLACED: &str = "UNPLACED";
/// Its name.
pub const UNPLACED_NAME: &str =
    "Chưa xếp đơn vị (đơn vị đã giải thể chưa có đơn vị kế thừa, hoặc không có trong cây đơn vị ngày báo cáo)";

fn is_commune_level(kind: &str) -> bool {
    UnitKind::parse(kind).map(|k| k.level()) == Some(UnitLevel::Commune)
}

/// The rows of a report on `root` on its tree's day, and the row each holder is counted in.
pub struct RowKeys<'a> {
    root: &'a UnitRecord,
    grouping: Grouping,
    /// The subtree's live units on the day.
    live: HashSet<&'a str>,
    /// The units that may be rows: the live children (grouped by children) or every live unit
    /// (grouped by the lowest level).
    rows: HashSet<&'a str>,
}

impl<'a> RowKeys<'a> {
    /// The rows of a report on `root` grouped by `grouping`, over the subtree's live units on
    /// the tree's day (`units`).
    pub fn new(root: &'a UnitRecord, units: &'a [ReportUnit], grouping: Grouping) -> Self {
        RowKeys {
            root,
            grouping,
            live: units.iter().map(|u| u.code.as_str()).collect(),
            rows: units
                .iter()
                .filter(|u| grouping == Grouping::Lowest || u.depth == root.depth + 1)
                .map(|u| u.code.as_str())
                .collect(),
        }
    }

    /// Whether `code` names a row this report can have: the root's own, UNPLACED, or one of
    /// [`RowKeys::rows`]'s units.
    pub fn is_row(&self, code: &str) -> bool {
        code == self.root.code || code == UNPLACED || self.rows.contains(code)
    }

    /// The row code of an assessment: the child (or ward) it is counted in, the root's own, or
    /// [`UNPLACED`] when its unit was retired with no successor, was not yet in being, or lies
    /// under a unit that is no live unit on the day (a record written before units' dates were
    /// checked: a live ward left under a retired district). Nobody falls outside every row.
    pub fn of<'b, C: Counted>(&self, a: &'b C) -> &'b str
    where
        'a: 'b,
    {
        let key = group_key(self.root, a, self.grouping);
        if key == UNPLACED || key == self.root.code || self.live.contains(key) {
            key
        } else {
            UNPLACED
        }
    }
}

/// The groups of a report and the group of each assessment.
pub fn grouped<'a, C: Counted>(
    root: &'a UnitRecord,
    units: &'a [ReportUnit],
    assessed: &'a [C],
    grouping: Grouping,
) -> (Vec<ReportRow>, ReportRow) {
    let keys = RowKeys::new(root, units, grouping);
    let mut groups: Vec<(String, String)> = match grouping {
        Grouping::Children => {
            let mut groups: Vec<(String, String)> = vec![];
            if assessed
                .iter()
                .any(|a| !a.unplaced() && a.unit_code() == root.code)
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
            let with_people: BTreeSet<&str> = assessed.iter().map(|a| a.unit_code()).collect();
            units
                .iter()
                .filter(|u| is_commune_level(&u.kind) || with_people.contains(u.code.as_str()))
                .map(|u| (u.code.clone(), u.name.clone()))
                .collect()
        }
    };
    if assessed.iter().any(|a| keys.of(a) == UNPLACED) {
        groups.push((UNPLACED.into(), UNPLACED_NAME.into()));
    }
    aggregate(assessed, &groups, |a| Some(keys.of(a)))
}

/// Training demand of a report's holders, grouped as the report on `root` groups them and each
/// group named by its unit on the tree's day (`units`).
pub fn demand_by_group<C: Counted>(
    assessed: &[C],
    standards: &HashMap<String, StandardVersion>,
    scales: &ScaleRef,
    modules: &ModuleRef,
    root: &UnitRecord,
    units: &[ReportUnit],
    grouping: Grouping,
) -> Vec<DemandRow> {
    let names: HashMap<&str, &str> = units
        .iter()
        .map(|u| (u.code.as_str(), u.name.as_str()))
        .chain([
            (UNPLACED, UNPLACED_NAME),
            (root.code.as_str(), root.name.as_str()),
        ])
        .collect();
    let keys = RowKeys::new(root, units, grouping);
    demand(
        assessed,
        standards,
        scales,
        modules,
        |a| keys.of(a).to_string(),
        |u| names.get(u).map(|s| s.to_string()).unwrap_or_default(),
    )
}

/// The child (or ward) code of an assessment in a report on `root`, as its path has it.
fn group_key<'a, C: Counted>(root: &'a UnitRecord, a: &'a C, grouping: Grouping) -> &'a str {
    if a.unplaced() {
        return UNPLACED;
    }
    match grouping {
        Grouping::Lowest => a.unit_code(),
        // The child's code in the path (the whole tree's virtual root has depth -1), found
        // without collecting the path's codes: this runs once per holder.
        Grouping::Children => usize::try_from(root.depth + 1)
            .ok()
            .and_then(|i| a.unit_path().split('/').filter(|s| !s.is_empty()).nth(i))
            .unwrap_or(&root.code),
    }
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

/// One row of each date side by side.
pub fn pair(a: ReportRow, b: ReportRow) -> CompareRow {
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

/// The rows of two reports side by side: the first's groups in order, then those only the
/// second has.
pub fn paired(a: Vec<ReportRow>, b: Vec<ReportRow>) -> Vec<CompareRow> {
    let mut b_rows: HashMap<String, ReportRow> =
        b.into_iter().map(|r| (r.unit_code.clone(), r)).collect();
    let mut rows: Vec<CompareRow> = a
        .into_iter()
        .map(|r| {
            let other = b_rows.remove(&r.unit_code).unwrap_or_default();
            pair(r, other)
        })
        .collect();
    rows.extend(b_rows.into_values().map(|r| pair(ReportRow::default(), r)));
    rows
}

/// Training demand for one module.
#[derive(Debug, Serialize, ToSchema)]
pub struct DemandRow {
    /// Module code.
    pub module_code: String,
    /// Module title (Vietnamese).
    pub module_title_vi: String,
    /// Module title (English).
    pub module_title_en: String,
    /// Assessed holders who need it.
    pub needed: i64,
    /// Seats in planned or open classes of the module whose first session begins on or after the
    /// report's day (a class run by then, or one without sessions, is no seat for that day), in
    /// the whole city: classes are open to every unit's cadres.
    pub seats_planned: i64,
    /// Of those who need it here, how many already hold a seat in one of those classes.
    pub enrolled: i64,
    /// The seats of those classes nobody holds yet (any unit's cadres may take them).
    pub seats_free: i64,
    /// needed − enrolled − seats_free (at least 0): who would still have no seat were every free
    /// seat taken by someone of the report who needs it. Seats held by cadres who do not need
    /// the module, or from other units, cover nobody here.
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

/// What training demand reads of the modules and classes.
#[derive(Debug, Default, Clone)]
pub struct ModuleRef {
    /// Active modules that award a level: (module code, scale, level).
    pub awarding: Vec<(String, String, String)>,
    /// Seats counted by [`demand`], by module code ([`ModuleRef::offered_from`] fills it).
    pub seats: HashMap<String, i64>,
    /// Of those, the seats nobody holds, by module code ([`ModuleRef::offered_from`]).
    pub free: HashMap<String, i64>,
    /// Who holds those seats, by module code ([`ModuleRef::offered_from`]).
    pub holders: HashMap<String, HashSet<i64>>,
    /// Vietnamese titles, by module code.
    pub titles: HashMap<String, String>,
    /// English titles, by module code.
    pub titles_en: HashMap<String, String>,
    /// Planned and open classes: (module code, first session's start, capacity, seats held).
    pub offer: Vec<(String, Option<DateTime<Utc>>, i64, i64)>,
    /// The seats held in those classes: (module code, first session's start, cadre).
    pub seat_holders: Vec<(String, Option<DateTime<Utc>>, i64)>,
}

impl ModuleRef {
    /// The same reference with `seats`, `free` and `holders` counting the classes whose first
    /// session begins at or after `from` (the start of a report's day): what is offered from
    /// that day on.
    pub fn offered_from(&self, from: DateTime<Utc>) -> ModuleRef {
        let offered = |first: &Option<DateTime<Utc>>| first.is_some_and(|f| f >= from);
        let mut seats: HashMap<String, i64> = HashMap::new();
        let mut free: HashMap<String, i64> = HashMap::new();
        for (module, first, capacity, held) in &self.offer {
            if offered(first) {
                *seats.entry(module.clone()).or_default() += capacity;
                *free.entry(module.clone()).or_default() += (capacity - held).max(0);
            }
        }
        let mut holders: HashMap<String, HashSet<i64>> = HashMap::new();
        for (module, first, cadre) in &self.seat_holders {
            if offered(first) {
                holders.entry(module.clone()).or_default().insert(*cadre);
            }
        }
        ModuleRef {
            seats,
            free,
            holders,
            ..self.clone()
        }
    }
}

/// Training demand: per module, per group, the assessed holders who need it (a missing or stale
/// `module` requirement, or a `min_level` the lowest sufficient module awards), each cadre once
/// per module and group however many of their titles need it; most needed first. `group` names
/// an assessment's group, `name` a group's name.
pub fn demand<C: Counted>(
    assessed: &[C],
    standards: &HashMap<String, StandardVersion>,
    scales: &ScaleRef,
    modules: &ModuleRef,
    group: impl Fn(&C) -> String,
    name: impl Fn(&str) -> String,
) -> Vec<DemandRow> {
    // Modules that award a level: scale → [(rank, module code)], lowest rank first.
    let mut by_scale: HashMap<String, Vec<(i64, String)>> = HashMap::new();
    for (code, scale, level) in &modules.awarding {
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
    let mut need: BTreeMap<String, BTreeMap<String, BTreeSet<i64>>> = BTreeMap::new();
    for a in assessed {
        let Some(std) = standards.get(a.title_code()) else {
            continue;
        };
        for key in a.unmet_keys() {
            let module = if let Some(m) = key.strip_prefix("module:") {
                Some(m.to_string())
            } else if let Some(scale) = key.strip_prefix("min_level:") {
                required_rank(std, scale, scales).and_then(|nr| {
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
                    .entry(group(a))
                    .or_default()
                    .insert(a.cadre_id());
            }
        }
    }
    let mut rows: Vec<DemandRow> = need
        .into_iter()
        .map(|(m, cells)| {
            let who: BTreeSet<i64> = cells.values().flatten().copied().collect();
            let needed = who.len() as i64;
            let planned = modules.seats.get(&m).copied().unwrap_or(0);
            let free = modules.free.get(&m).copied().unwrap_or(0);
            let enrolled = modules
                .holders
                .get(&m)
                .map_or(0, |h| who.iter().filter(|c| h.contains(c)).count() as i64);
            DemandRow {
                module_title_vi: modules.titles.get(&m).cloned().unwrap_or_default(),
                module_title_en: modules.titles_en.get(&m).cloned().unwrap_or_default(),
                needed,
                seats_planned: planned,
                enrolled,
                seats_free: free,
                remaining: (needed - enrolled - free).max(0),
                by_unit: cells
                    .into_iter()
                    .map(|(u, who)| DemandCell {
                        unit_name: name(&u),
                        unit_code: u,
                        needed: who.len() as i64,
                    })
                    .collect(),
                module_code: m,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.needed
            .cmp(&a.needed)
            .then(a.module_code.cmp(&b.module_code))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(unit: &str, gender: &str, age: i64, unmet: &[&str], std: bool) -> Assessment {
        Assessment {
            cadre_id: 1,
            full_name: "x".into(),
            population: Holding::Incumbent,
            title_code: "T".into(),
            unit_code: unit.into(),
            unit_path: format!("/1/{unit}/"),
            unplaced: false,
            gender: Gender::parse(gender).expect("a gender"),
            age,
            ethnic_minority: age % 2 == 0,
            standard_version: std.then_some(1),
            checks: ["module:DV-01", "max_age"]
                .iter()
                .filter(|_| std)
                .map(|k| Check::counted(k.to_string(), !unmet.contains(k)))
                .collect(),
        }
    }

    /// Every holder falls in a row: their child's, the root's own, or UNPLACED when the row
    /// their path names is no live unit of the day (a ward left under a retired district), and
    /// the totals count them all.
    #[test]
    fn nobody_falls_outside_every_row() {
        let unit = |code: &str, path: &str, depth: i64| ReportUnit {
            code: code.into(),
            name: format!("U {code}"),
            kind: "ward".into(),
            path: path.into(),
            depth,
        };
        let root = UnitRecord {
            code: "1".into(),
            name: "City".into(),
            kind: "city".into(),
            parent_code: None,
            path: "/1/".into(),
            depth: 0,
            retired_on: None,
            successor_code: None,
            updated_at: chrono::DateTime::UNIX_EPOCH,
            created_on: None,
        };
        // Live on the day: the city, ward 11 under it; ward 21 left under district 2, retired.
        let units = [
            unit("1", "/1/", 0),
            unit("11", "/1/11/", 1),
            unit("21", "/1/2/21/", 2),
        ];
        let mut kept = a("21", "female", 50, &[], true);
        kept.unit_path = "/1/2/21/".into();
        let mut gone = a("31", "male", 40, &[], true);
        gone.unplaced = true;
        let own = a("1", "male", 41, &[], true);
        let assessed = [a("11", "female", 50, &[], true), kept, gone, own];
        let keys = RowKeys::new(&root, &units, Grouping::Children);
        let rows: Vec<&str> = assessed.iter().map(|x| keys.of(x)).collect();
        assert_eq!(rows, ["11", UNPLACED, UNPLACED, "1"]);
        let (rows, total) = grouped(&root, &units, &assessed, Grouping::Children);
        let codes: Vec<&str> = rows.iter().map(|r| r.unit_code.as_str()).collect();
        assert_eq!(codes, ["1", "11", UNPLACED]);
        assert_eq!(total.assessed, 4);
        assert_eq!(rows.iter().map(|r| r.assessed).sum::<i64>(), 4);
        // By ward, the live ward under the retired district is its own row.
        let (rows, total) = grouped(&root, &units, &assessed, Grouping::Lowest);
        let codes: Vec<(&str, i64)> = rows
            .iter()
            .map(|r| (r.unit_code.as_str(), r.assessed))
            .collect();
        assert_eq!(codes, [("1", 1), ("11", 1), ("21", 1), (UNPLACED, 1)]);
        assert_eq!(total.assessed, 4);
    }

    /// The drill-down's export words each unmet check from the row's tokens alone, as the engine
    /// words it from the facts; a row whose tokens do not match its unmet keys keeps them counted.
    #[test]
    fn unmet_checks_are_worded_from_the_rows_tokens() {
        use crate::gaps::reasons::ReasonCode;
        use crate::gaps::timeline_store::TimelineRow;
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let standard = StandardVersion {
            title_code: "T".into(),
            version: 2,
            effective_from: day("2015-01-01"),
            note: String::new(),
            created_by: String::new(),
            created_at: chrono::DateTime::UNIX_EPOCH,
            requirements: vec![
                Requirement::Module {
                    module: "DV-03".into(),
                    within_years: Some(5),
                },
                Requirement::MaxAge { years: 60 },
                Requirement::MinPartyYears { years: 10 },
            ],
        };
        let standards = HashMap::from([("T".to_string(), standard)]);
        let row = |unmet: &str, found: &str| TimelineRow {
            cadre_id: 7,
            holding: Holding::Incumbent,
            title_code: "T".into(),
            standard_version: Some(2),
            unmet: unmet.into(),
            found: found.into(),
            gender: Gender::Female,
            birth_date: day("1960-03-01"),
            ethnic_minority: false,
            full_name: "Lê Thị Hoa".into(),
            sort_key: "HOA".into(),
            unit_code: "U".into(),
            unit_path: "/U/".into(),
            placement: "live".into(),
        };
        let as_of = day("2024-06-30");
        let rows = [
            row(
                "module:DV-03,min_party_years",
                "2016-05-02;2019-01-01@2021-03-01",
            ),
            row("module:DV-03,max_age", "2016-05-02"),
            // Written without tokens: one unmet key, nothing recorded.
            row("module:DV-03", ""),
            // Never completed, and the minimum level: none held.
            row("module:DV-03", "-"),
        ];
        let got = from_timeline(
            rows.iter().map(TimelineRow::borrowed),
            &standards,
            &ScaleRef::default(),
            as_of,
            true,
        );
        // Only the unmet checks, in the standard's order (the export words only what is short).
        let keys = |a: &Assessment| a.checks.iter().map(|c| c.key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&got[0]), ["module:DV-03", "min_party_years"]);
        assert_eq!(got[0].meets(), Some(false));
        let module = &got[0].checks[0];
        assert!(!module.met);
        assert_eq!(module.code, Some(ReasonCode::ModuleStale));
        assert_eq!(module.params["completed_on"], "2016-05-02");
        let party = &got[0].checks[1];
        assert_eq!(party.code, Some(ReasonCode::PartyYearsShort));
        assert_eq!(party.params["years"], 2);
        assert_eq!(party.params["on"], "2021-03-01");
        // Two unmet keys, one token: counted, not worded.
        assert_eq!(keys(&got[1]), ["module:DV-03", "max_age"]);
        assert!(got[1].checks.iter().all(|c| !c.met && c.code.is_none()));
        assert!(got[2].checks.iter().all(|c| c.code.is_none()));
        assert_eq!(got[3].checks[0].code, Some(ReasonCode::ModuleNever));
        // Meeting everything: no check kept, and counted as meeting.
        let none = from_timeline(
            [row("", "").borrowed()],
            &standards,
            &ScaleRef::default(),
            as_of,
            true,
        );
        assert!(none[0].checks.is_empty());
        assert_eq!(none[0].meets(), Some(true));
        // Without asking, every check, nothing worded.
        let counted = from_timeline(
            [row("module:DV-03", "2016-05-02").borrowed()],
            &standards,
            &ScaleRef::default(),
            as_of,
            false,
        );
        assert_eq!(
            counted[0].checks.iter().map(|c| c.met).collect::<Vec<_>>(),
            [false, true, true]
        );
        assert!(counted[0].checks.iter().all(|c| c.code.is_none()));
    }

    /// A row's unmet keys are the same found as a mask (up to 64 keys) or looked up in the list
    /// (more): keys outside the title's ignored, empty tokens ignored.
    #[test]
    fn unmet_keys_as_a_mask_or_listed_agree() {
        let many: Vec<String> = (0..70).map(|i| format!("module:M-{i:02}")).collect();
        let twice: Vec<String> = vec!["max_age".into(), "module:M-01".into(), "max_age".into()];
        for (keys, listed) in [
            (&twice[..], "max_age"),
            (&twice[..], "module:M-01,module:M-01"),
            (&many[..10], "module:M-03,module:M-09,module:X"),
            (&many[..10], ""),
            (&many[..64], "module:M-63,,module:M-00"),
            (&many[..], "module:M-65,module:M-01"),
        ] {
            let holder = |unmet| HolderOnDay {
                cadre_id: 1,
                title_code: "T",
                keys: Some(keys),
                standard: true,
                unmet,
                gender: Gender::Female,
                age: 40,
                minority: false,
                unplaced: false,
                unit_code: "A",
                unit_path: "",
            };
            let found = Unmet::of(keys, listed);
            assert_eq!(matches!(found, Unmet::Mask(_)), keys.len() <= 64);
            let fast = holder(found);
            let slow = holder(Unmet::Listed(listed));
            let want: Vec<&str> = keys
                .iter()
                .map(String::as_str)
                .filter(|k| listed.split(',').any(|u| u == *k))
                .collect();
            assert_eq!(fast.unmet_keys().collect::<Vec<_>>(), want);
            assert_eq!(slow.unmet_keys().collect::<Vec<_>>(), want);
            assert_eq!(fast.verdict(), Some(want.is_empty()));
            assert_eq!(slow.verdict(), Some(want.is_empty()));
        }
    }

    /// A timeline row counted as it is read gives the same rows as the assessment
    /// `from_timeline` builds of it: unmet keys outside the standard ignored, a standard version
    /// whose title has no keys counted as meeting, no version counted as no standard.
    #[test]
    fn holders_counted_from_the_timeline_equal_their_assessments() {
        let keys: Vec<String> = vec!["module:DV-01".into(), "max_age".into()];
        let cases: [(&str, &str, i64, &str, bool, bool); 7] = [
            ("A", "female", 30, "", true, true),
            ("A", "male", 50, "max_age", true, true),
            ("B", "male", 60, "max_age,module:DV-01", true, true),
            ("B", "female", 40, "", false, true),
            ("B", "other", 41, "module:XX-09", true, true),
            ("C", "female", 40, "max_age", true, false),
            ("C", "male", 36, "", false, false),
        ];
        let mut assessed = vec![];
        let mut counted = vec![];
        for (unit, gender, age, unmet, std, titled) in cases {
            let standard_keys = if titled { &keys[..] } else { &[] };
            assessed.push(Assessment {
                checks: standard_keys
                    .iter()
                    .filter(|_| std)
                    .map(|k| Check::counted(k.clone(), !unmet.split(',').any(|u| u == k)))
                    .collect(),
                ..a(unit, gender, age, &[], std)
            });
            counted.push(HolderOnDay {
                cadre_id: 1,
                title_code: "T",
                keys: titled.then_some(&keys[..]),
                standard: std,
                unmet: Unmet::of(standard_keys, unmet),
                gender: Gender::parse(gender).unwrap(),
                age,
                minority: age % 2 == 0,
                unplaced: false,
                unit_code: unit,
                unit_path: "",
            });
        }
        let groups: Vec<(String, String)> = ["A", "B", "C"]
            .iter()
            .map(|c| (c.to_string(), format!("Ward {c}")))
            .collect();
        let from_assessments = aggregate(&assessed, &groups, |x| Some(x.unit_code.as_str()));
        let from_rows = aggregate(&counted, &groups, |x| Some(x.unit_code));
        assert_eq!(from_assessments, from_rows);
        assert_eq!(from_rows.1.no_standard, 2);
        assert_eq!(from_rows.1.short_by_requirement.get("module:XX-09"), None);
    }

    #[test]
    fn rows_and_totals_add_up() {
        let list = vec![
            a("A", "female", 30, &[], true),
            a("A", "male", 50, &["max_age"], true),
            a("B", "male", 60, &["max_age", "module:DV-01"], true),
            a("B", "female", 40, &[], false),
            a("C", "female", 40, &[], true),
        ];
        let groups = vec![
            ("A".to_string(), "Ward A".to_string()),
            ("B".to_string(), "Ward B".to_string()),
        ];
        let (rows, total) = aggregate(&list, &groups, |x| Some(x.unit_code.as_str()));
        assert_eq!(
            (rows[0].assessed, rows[0].meeting, rows[0].short),
            (2, 1, 1)
        );
        assert_eq!(rows[0].compliance_pct, Some(50.0));
        assert_eq!((rows[1].assessed, rows[1].no_standard), (1, 1));
        assert_eq!(rows[1].short_by_requirement.get("module:DV-01"), Some(&1));
        assert_eq!(
            total.assessed,
            rows.iter().map(|r| r.assessed).sum::<i64>(),
            "C is in no group"
        );
        assert_eq!(total.short_by_requirement.get("max_age"), Some(&2));
        assert_eq!(
            total.by_age_band.get("55_plus"),
            Some(&Counts {
                assessed: 1,
                meeting: 0,
                short: 1
            })
        );
        assert_eq!(
            total.by_gender.get("female"),
            Some(&Counts {
                assessed: 1,
                meeting: 1,
                short: 0
            })
        );
        assert_eq!(age_band(34), "under_35");
        assert_eq!(age_band(35), "35_44");
        assert_eq!(age_band(55), "55_plus");
    }
}
