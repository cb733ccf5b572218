//! The per-holder status timeline (pure): for one title assignment or planned succession, the
//! intervals over which its assessment is constant, computed with the gap engine. A report as of
//! D then reads the interval containing D instead of assessing the holder's facts again.
//!
//! The assessment of a holder on day `d` depends on `d` only through dated facts, so it can change
//! only on a breakpoint: the period's start, a move (a unit period's start or end), a standard
//! version taking effect, a qualification obtained or revoked, a completion made or revoked or
//! growing older than a requirement's window, and, for planned successors (whose person
//! conditions are taken on the report's day), a birthday passing an age limit or an anniversary of
//! joining the Party. The engine is run on every breakpoint and equal neighbours are merged.

use chrono::{Duration, NaiveDate};
use std::collections::BTreeSet;

use super::engine::{add_years, evidence, meets, CadreFacts, Rule};
use super::store::Holding;
use crate::cadres::domain::Gender;

/// A title held or planned over a period (inclusive end, as stored).
#[derive(Debug, Clone, PartialEq)]
pub struct HolderPeriod {
    /// Incumbent or planned.
    pub holding: Holding,
    /// The assignment's or plan's id.
    pub period_id: i64,
    /// The cadre.
    pub cadre_id: i64,
    /// Title code.
    pub title_code: String,
    /// The title's organisation kind.
    pub org_kind: String,
    /// The title's unit (where the holder is counted when no unit period of theirs covers a day).
    pub unit_code: String,
    /// First day.
    pub from_date: NaiveDate,
    /// Last day (inclusive), if it ended.
    pub to_date: Option<NaiveDate>,
    /// The day of the appointment: incumbents' person conditions are taken on it.
    pub appointed_on: NaiveDate,
}

/// A span of a cadre's membership of a unit (`to` exclusive, as stored).
#[derive(Debug, Clone, PartialEq)]
pub struct UnitSpan {
    /// Unit code.
    pub unit_code: String,
    /// First day.
    pub from: NaiveDate,
    /// First day no longer in it.
    pub to: Option<NaiveDate>,
}

/// What a holder's timeline is built from besides the period.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// The facts the engine reads (every qualification and completion, whatever its date).
    pub facts: CadreFacts,
    /// Gender.
    pub gender: Gender,
    /// Ethnic minority.
    pub ethnic_minority: bool,
    /// Unit memberships.
    pub units: Vec<UnitSpan>,
}

/// One version of a title's standard, as engine rules.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionRules {
    /// Version number.
    pub version: i64,
    /// In force from this day until the next version's day.
    pub effective_from: NaiveDate,
    /// Its requirements, in order.
    pub rules: Vec<Rule>,
}

/// An interval of constant assessment (`to` exclusive; `None`: open).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    /// First day.
    pub from: NaiveDate,
    /// First day after it.
    pub to: Option<NaiveDate>,
    /// The unit the holder is counted in.
    pub unit_code: String,
    /// The standard version in force (`None`: none).
    pub standard_version: Option<i64>,
    /// The requirement keys not met, in the standard's order.
    pub unmet: Vec<String>,
    /// What each unmet requirement's verdict rests on, one token per key of `unmet`
    /// ([`super::engine::evidence`]): the drill-down words the reasons from it.
    pub found: Vec<String>,
}

impl Interval {
    /// Whether day `d` lies in the interval.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && self.to.is_none_or(|t| d < t)
    }
}

/// The unit a holder is counted in on day `d`: the unit period covering it, else the title's unit.
pub fn unit_on<'a>(period: &'a HolderPeriod, person: &'a Person, d: NaiveDate) -> &'a str {
    person
        .units
        .iter()
        .find(|u| u.from <= d && u.to.is_none_or(|t| d < t))
        .map_or(period.unit_code.as_str(), |u| u.unit_code.as_str())
}

/// The version in force on `d` (versions in any order).
pub fn version_on(versions: &[VersionRules], d: NaiveDate) -> Option<&VersionRules> {
    versions
        .iter()
        .filter(|v| v.effective_from <= d)
        .max_by_key(|v| v.effective_from)
}

/// The assessment of the holder on `d` (inside the period): unit, version, unmet keys and what
/// each unmet verdict rests on.
pub fn state_on(
    period: &HolderPeriod,
    person: &Person,
    versions: &[VersionRules],
    d: NaiveDate,
) -> (String, Option<i64>, Vec<String>, Vec<String>) {
    let unit = unit_on(period, person, d).to_string();
    match version_on(versions, d) {
        None => (unit, None, vec![], vec![]),
        Some(v) => {
            // Person conditions: an incumbent's on the appointment, a successor's on the day.
            let fixed = match period.holding {
                Holding::Incumbent => Some(period.appointed_on),
                Holding::Planned => None,
            };
            let reference = fixed.unwrap_or(d);
            let (unmet, found) = v
                .rules
                .iter()
                .filter(|r| !meets(&person.facts, r, d, reference))
                .map(|r| (r.key(), evidence(&person.facts, r, d, fixed)))
                .unzip();
            (unit, Some(v.version), unmet, found)
        }
    }
}

/// Every day on which the holder's assessment may change, within the period.
fn breakpoints(
    period: &HolderPeriod,
    person: &Person,
    versions: &[VersionRules],
) -> Vec<NaiveDate> {
    let mut days: BTreeSet<NaiveDate> = BTreeSet::new();
    days.insert(period.from_date);
    for u in &person.units {
        days.insert(u.from);
        days.extend(u.to);
    }
    let mut windows: BTreeSet<i64> = BTreeSet::new();
    let mut ages: BTreeSet<i64> = BTreeSet::new();
    let mut party: BTreeSet<i64> = BTreeSet::new();
    for v in versions {
        days.insert(v.effective_from);
        for r in &v.rules {
            match r {
                Rule::Module {
                    within_years: Some(n),
                    ..
                } => {
                    windows.insert(*n);
                }
                Rule::MaxAge { years } => {
                    ages.insert(*years + 1);
                }
                Rule::MinPartyYears { years } => {
                    party.insert(*years);
                }
                _ => {}
            }
        }
    }
    let f = &person.facts;
    for q in &f.qualifications {
        days.insert(q.obtained_on);
        days.extend(q.revoked_on);
    }
    for c in &f.completions {
        days.insert(c.completed_on);
        days.extend(c.revoked_on);
        for n in &windows {
            days.insert(add_years(c.completed_on, *n));
        }
    }
    if period.holding == Holding::Planned {
        // Whole years change on the anniversary, which add_years may put a day early (29 February).
        let mut around = |d: NaiveDate| {
            days.insert(d);
            days.insert(d + Duration::days(1));
        };
        for y in &ages {
            around(add_years(f.birth_date, *y));
        }
        if let Some(joined) = f.party_joined_on {
            around(joined);
            for y in &party {
                around(add_years(joined, *y));
            }
        }
    }
    let end = period.to_date.map(|t| t + Duration::days(1));
    days.into_iter()
        .filter(|d| *d >= period.from_date && end.is_none_or(|e| *d < e))
        .collect()
}

/// The holder's timeline over the period: intervals of constant assessment, in order, covering
/// the whole period.
pub fn timeline(
    period: &HolderPeriod,
    person: &Person,
    versions: &[VersionRules],
) -> Vec<Interval> {
    let end = period.to_date.map(|t| t + Duration::days(1));
    let mut out: Vec<Interval> = vec![];
    for d in breakpoints(period, person, versions) {
        let (unit_code, standard_version, unmet, found) = state_on(period, person, versions, d);
        if let Some(last) = out.last_mut() {
            if last.unit_code == unit_code
                && last.standard_version == standard_version
                && last.unmet == unmet
                && last.found == found
            {
                continue;
            }
            last.to = Some(d);
        }
        out.push(Interval {
            from: d,
            to: end,
            unit_code,
            standard_version,
            unmet,
            found,
        });
    }
    out
}

/// The longest stored piece of a closed interval, in days. A report as of D then reads of each
/// unit the open intervals begun by D and the pieces ending in (D, D + `PIECE_DAYS`]: a bounded
/// range of the key (unit, end) on every day, where "every interval ending after D" would read
/// the whole future (for today) or nearly the whole history (for a day years back).
pub const PIECE_DAYS: i64 = 365;

/// The intervals as stored: each closed interval cut into consecutive pieces of at most
/// [`PIECE_DAYS`] days (the same assessment on each); open intervals whole.
pub fn pieces(intervals: Vec<Interval>) -> Vec<Interval> {
    let mut out = Vec::with_capacity(intervals.len());
    for i in intervals {
        let Some(to) = i.to else {
            out.push(i);
            continue;
        };
        let mut from = i.from;
        while (to - from).num_days() > PIECE_DAYS {
            let cut = from + Duration::days(PIECE_DAYS);
            out.push(Interval {
                from,
                to: Some(cut),
                ..i.clone()
            });
            from = cut;
        }
        out.push(Interval { from, ..i });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gaps::engine::tests::Rng;
    use crate::gaps::engine::{assess, check_from_evidence, CompletionFact, QualificationFact};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn random_case(rng: &mut Rng) -> (HolderPeriod, Person, Vec<VersionRules>) {
        let modules = ["DV-01", "DV-03", "DV-06"];
        let from = rng.date();
        let holding = if rng.below(2) == 0 {
            Holding::Incumbent
        } else {
            Holding::Planned
        };
        let period = HolderPeriod {
            holding,
            period_id: 1,
            cadre_id: 1,
            title_code: "T".into(),
            org_kind: "party".into(),
            unit_code: "U0".into(),
            from_date: from,
            to_date: (rng.below(2) == 0).then(|| from + Duration::days(rng.below(6000) as i64)),
            appointed_on: from - Duration::days(rng.below(800) as i64),
        };
        let mut units = vec![];
        let mut start = rng.date() - Duration::days(4000);
        for i in 0..rng.below(4) {
            let len = rng.below(3000) as i64 + 1;
            let to = (rng.below(4) != 0).then(|| start + Duration::days(len));
            units.push(UnitSpan {
                unit_code: format!("U{}", i + 1),
                from: start,
                to,
            });
            match to {
                Some(t) => start = t + Duration::days(rng.below(300) as i64),
                None => break,
            }
        }
        let facts = CadreFacts {
            birth_date: d("1955-02-28") + Duration::days(rng.below(40 * 366) as i64),
            party_joined_on: (rng.below(4) != 0).then(|| rng.date()),
            qualifications: (0..rng.below(4))
                .map(|_| {
                    let rank = rng.below(4) as i64 + 1;
                    QualificationFact {
                        scale: "political_theory".into(),
                        level: format!("l{rank}"),
                        rank,
                        obtained_on: rng.date(),
                        revoked_on: rng.maybe_date(),
                    }
                })
                .collect(),
            completions: (0..rng.below(6))
                .map(|_| CompletionFact {
                    module: modules[rng.below(3) as usize].into(),
                    completed_on: rng.date(),
                    revoked_on: rng.maybe_date(),
                })
                .collect(),
        };
        let person = Person {
            facts,
            gender: Gender::Female,
            ethnic_minority: false,
            units,
        };
        let versions = (0..rng.below(3))
            .map(|i| VersionRules {
                version: i as i64 + 1,
                effective_from: rng.date(),
                rules: vec![
                    Rule::MinLevel {
                        scale: "political_theory".into(),
                        scale_label: "political theory".into(),
                        level: "x".into(),
                        rank: rng.below(4) as i64 + 1,
                    },
                    Rule::Module {
                        module: modules[rng.below(3) as usize].into(),
                        within_years: (rng.below(2) == 0).then(|| rng.below(8) as i64 + 1),
                    },
                    Rule::MaxAge {
                        years: 35 + rng.below(25) as i64,
                    },
                    Rule::MinPartyYears {
                        years: rng.below(12) as i64 + 1,
                    },
                ],
            })
            .collect();
        (period, person, versions)
    }

    #[test]
    fn the_timeline_equals_the_engine_on_every_day() {
        let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B);
        for case in 0..600 {
            let (period, person, versions) = random_case(&mut rng);
            let tl = timeline(&period, &person, &versions);
            assert_eq!(tl.first().map(|i| i.from), Some(period.from_date));
            for w in tl.windows(2) {
                assert_eq!(w[0].to, Some(w[1].from), "case {case}: contiguous");
                assert!(
                    (
                        &w[0].unit_code,
                        w[0].standard_version,
                        &w[0].unmet,
                        &w[0].found
                    ) != (
                        &w[1].unit_code,
                        w[1].standard_version,
                        &w[1].unmet,
                        &w[1].found
                    ),
                    "case {case}: neighbours differ"
                );
            }
            let last = period
                .to_date
                .unwrap_or(period.from_date + Duration::days(20 * 366));
            let mut day = period.from_date;
            while day <= last {
                let at: Vec<&Interval> = tl.iter().filter(|i| i.contains(day)).collect();
                assert_eq!(at.len(), 1, "case {case}: one interval on {day}");
                let (u, v, unmet, found) = state_on(&period, &person, &versions, day);
                assert_eq!(
                    (
                        &at[0].unit_code,
                        at[0].standard_version,
                        &at[0].unmet,
                        &at[0].found
                    ),
                    (&u, v, &unmet, &found),
                    "case {case} on {day}: {period:?} {person:?} {versions:?}"
                );
                // Every unmet check worded from the interval's tokens as the engine words it
                // from the facts on that day.
                if let Some(version) = version_on(&versions, day) {
                    let reference = match period.holding {
                        Holding::Incumbent => period.appointed_on,
                        Holding::Planned => day,
                    };
                    let engine = assess(&person.facts, &version.rules, day, reference);
                    let rank_of = |_: &str, level: &str| level[1..].parse().ok();
                    for (key, token) in at[0].unmet.iter().zip(&at[0].found) {
                        let i = version.rules.iter().position(|r| &r.key() == key).unwrap();
                        let birth = person.facts.birth_date;
                        let worded =
                            check_from_evidence(&version.rules[i], token, birth, day, rank_of);
                        assert_eq!(worded.as_ref(), Some(&engine[i]), "case {case} on {day}");
                    }
                }
                day += Duration::days(1);
            }
            if let Some(t) = period.to_date {
                assert!(tl.iter().all(|i| !i.contains(t + Duration::days(1))));
            }
        }
    }

    /// The stored pieces hold the same assessment on every day as the intervals they are cut
    /// from, each closed one at most [`PIECE_DAYS`] long, contiguous; and the piece containing a
    /// day D is either open and begun by D, or ends in (D, D + PIECE_DAYS] (what a report reads).
    #[test]
    fn pieces_keep_every_day_and_end_within_the_window_of_the_day() {
        let mut rng = Rng(0x0BAD_5EED_1234_5678);
        for case in 0..300 {
            let (period, person, versions) = random_case(&mut rng);
            let tl = timeline(&period, &person, &versions);
            let ps = pieces(tl.clone());
            assert!(ps.len() >= tl.len());
            for w in ps.windows(2) {
                if w[0].to.is_some() {
                    assert!(w[0].to == Some(w[1].from) || w[1].from > w[0].from);
                }
            }
            for p in &ps {
                if let Some(to) = p.to {
                    assert!(to > p.from, "case {case}: empty piece {p:?}");
                    assert!((to - p.from).num_days() <= PIECE_DAYS, "case {case}: {p:?}");
                }
            }
            let last = period
                .to_date
                .unwrap_or(period.from_date + Duration::days(20 * 366));
            let mut day = period.from_date;
            while day <= last {
                let whole: Vec<&Interval> = tl.iter().filter(|i| i.contains(day)).collect();
                let cut: Vec<&Interval> = ps.iter().filter(|i| i.contains(day)).collect();
                assert_eq!(cut.len(), 1, "case {case}: one piece on {day}");
                assert_eq!(
                    (
                        &cut[0].unit_code,
                        cut[0].standard_version,
                        &cut[0].unmet,
                        &cut[0].found
                    ),
                    (
                        &whole[0].unit_code,
                        whole[0].standard_version,
                        &whole[0].unmet,
                        &whole[0].found
                    ),
                    "case {case} on {day}"
                );
                match cut[0].to {
                    None => assert!(cut[0].from <= day),
                    Some(to) => assert!(to > day && to <= day + Duration::days(PIECE_DAYS)),
                }
                day += Duration::days(7);
            }
        }
        // A long closed interval: cut at every PIECE_DAYS days from its start.
        let long = Interval {
            from: d("2010-01-01"),
            to: Some(d("2013-01-01")),
            unit_code: "U".into(),
            standard_version: Some(1),
            unmet: vec!["max_age".into()],
            found: vec!["2009-05-01".into()],
        };
        let ps = pieces(vec![long.clone()]);
        let bounds: Vec<(NaiveDate, Option<NaiveDate>)> =
            ps.iter().map(|p| (p.from, p.to)).collect();
        assert_eq!(
            bounds,
            [
                (d("2010-01-01"), Some(d("2011-01-01"))),
                (d("2011-01-01"), Some(d("2012-01-01"))),
                (d("2012-01-01"), Some(d("2012-12-31"))),
                (d("2012-12-31"), Some(d("2013-01-01"))),
            ]
        );
        assert!(ps.iter().all(|p| p.unmet == long.unmet));
    }

    #[test]
    fn a_planned_successor_ages_out_on_the_day_after_the_limit_birthday() {
        let period = HolderPeriod {
            holding: Holding::Planned,
            period_id: 7,
            cadre_id: 3,
            title_code: "T".into(),
            org_kind: "party".into(),
            unit_code: "U".into(),
            from_date: d("2020-01-01"),
            to_date: None,
            appointed_on: d("2020-01-01"),
        };
        let person = Person {
            facts: CadreFacts {
                birth_date: d("1980-02-29"),
                ..Default::default()
            },
            gender: Gender::Male,
            ethnic_minority: true,
            units: vec![],
        };
        let versions = vec![VersionRules {
            version: 1,
            effective_from: d("2015-01-01"),
            rules: vec![Rule::MaxAge { years: 40 }],
        }];
        let tl = timeline(&period, &person, &versions);
        assert_eq!(tl.len(), 2, "{tl:?}");
        assert_eq!(
            tl[1].from,
            d("2021-03-01"),
            "41 on 1 March in a common year"
        );
        assert_eq!(tl[1].unmet, vec!["max_age".to_string()]);
        assert_eq!(
            tl[1].found,
            vec!["-".to_string()],
            "taken on the report's day"
        );
        assert_eq!(tl[0].unit_code, "U", "no unit period: the title's unit");
    }
}
