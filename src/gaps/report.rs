//! Pure report logic: assessments from loaded facts, and their aggregation into rows.

use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

use super::engine::{
    assess, full_years, CadreFacts, Check, CompletionFact, QualificationFact, Rule,
};
use super::store::{Loaded, ScaleRef};
use crate::standards::domain::Requirement;
use crate::standards::store::StandardVersion;

/// One title held or planned, assessed against the standard in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assessment {
    /// Cadre id.
    pub cadre_id: i64,
    /// Name.
    pub full_name: String,
    /// `incumbent` or `planned`.
    pub population: String,
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
    pub gender: String,
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
    let Loaded {
        holders,
        best_rank,
        last_completion,
    } = loaded;
    let mut rule_cache: HashMap<String, Vec<Rule>> = HashMap::new();
    let mut out = Vec::with_capacity(holders.len());
    for h in holders {
        let std = standards.get(&h.title_code);
        let checks = match std {
            None => vec![],
            Some(s) => {
                if !rule_cache.contains_key(&h.title_code) {
                    rule_cache.insert(h.title_code.clone(), rules(&s.requirements, scales));
                }
                let rules = &rule_cache[&h.title_code];
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
                let reference = if h.population == "incumbent" {
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
    match age {
        a if a < 35 => "under_35",
        a if a < 45 => "35_44",
        a if a < 55 => "45_54",
        _ => "55_plus",
    }
}

impl ReportRow {
    fn new(code: &str, name: &str) -> Self {
        ReportRow {
            unit_code: code.into(),
            unit_name: name.into(),
            ..Default::default()
        }
    }

    fn add(&mut self, a: &Assessment) {
        let Some(meets) = a.meets() else {
            self.no_standard += 1;
            return;
        };
        self.assessed += 1;
        if meets {
            self.meeting += 1;
        } else {
            self.short += 1;
        }
        for c in a.unmet() {
            *self.short_by_requirement.entry(c.key.clone()).or_default() += 1;
        }
        self.by_gender
            .entry(a.gender.clone())
            .or_default()
            .add(meets);
        self.by_age_band
            .entry(age_band(a.age).into())
            .or_default()
            .add(meets);
        self.by_minority
            .entry(
                if a.ethnic_minority {
                    "minority"
                } else {
                    "majority"
                }
                .into(),
            )
            .or_default()
            .add(meets);
    }

    fn finish(mut self) -> Self {
        self.compliance_pct = (self.assessed > 0)
            .then(|| (self.meeting as f64 * 1000.0 / self.assessed as f64).round() / 10.0);
        self
    }
}

/// Aggregates assessments into one row per group (in the order given) and a totals row.
/// `group_of` names the group of an assessment; assessments of no listed group are left out.
pub fn aggregate(
    assessed: &[Assessment],
    groups: &[(String, String)],
    group_of: impl Fn(&Assessment) -> Option<String>,
) -> (Vec<ReportRow>, ReportRow) {
    let index: HashMap<&str, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, (c, _))| (c.as_str(), i))
        .collect();
    let mut rows: Vec<ReportRow> = groups.iter().map(|(c, n)| ReportRow::new(c, n)).collect();
    let mut total = ReportRow::new("TOTAL", "Tổng cộng");
    for a in assessed {
        if let Some(i) = group_of(a).and_then(|g| index.get(g.as_str()).copied()) {
            rows[i].add(a);
            total.add(a);
        }
    }
    (
        rows.into_iter().map(ReportRow::finish).collect(),
        total.finish(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(unit: &str, gender: &str, age: i64, unmet: &[&str], std: bool) -> Assessment {
        Assessment {
            cadre_id: 1,
            full_name: "x".into(),
            population: "incumbent".into(),
            title_code: "T".into(),
            unit_code: unit.into(),
            unit_path: format!("/1/{unit}/"),
            unplaced: false,
            gender: gender.into(),
            age,
            ethnic_minority: age % 2 == 0,
            standard_version: std.then_some(1),
            checks: ["module:DV-01", "max_age"]
                .iter()
                .filter(|_| std)
                .map(|k| Check {
                    key: k.to_string(),
                    met: !unmet.contains(k),
                    reason: String::new(),
                })
                .collect(),
        }
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
        let (rows, total) = aggregate(&list, &groups, |x| Some(x.unit_code.clone()));
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
