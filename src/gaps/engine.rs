//! The gap engine: pure Rust over plain data, no I/O. Given a cadre's facts and the rules of the
//! standard in force, it says for each requirement whether it is met on a date, and why not.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use super::reasons::{render, Lang, ReasonCode, ReasonParams, ScaleLabel};

/// A qualification held, as a fact.
#[derive(Debug, Clone, PartialEq)]
pub struct QualificationFact {
    /// Scale code.
    pub scale: String,
    /// Level code.
    pub level: String,
    /// Rank of the level on its scale (higher is better).
    pub rank: i64,
    /// Day obtained.
    pub obtained_on: NaiveDate,
    /// Day revoked, if it was.
    pub revoked_on: Option<NaiveDate>,
}

/// A completion of a module, as a fact.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletionFact {
    /// Module code.
    pub module: String,
    /// Day completed.
    pub completed_on: NaiveDate,
    /// Day revoked, if it was.
    pub revoked_on: Option<NaiveDate>,
}

/// Everything the engine needs to know of a cadre.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CadreFacts {
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// Date joined the Party.
    pub party_joined_on: Option<NaiveDate>,
    /// Qualifications held (any date; the engine filters by date).
    pub qualifications: Vec<QualificationFact>,
    /// Completions (any date; the engine filters by date).
    pub completions: Vec<CompletionFact>,
}

/// A requirement resolved against the reference data.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Hold a level of rank ≥ `rank` on `scale`.
    MinLevel {
        /// Scale code.
        scale: String,
        /// Scale label for reasons, e.g. "political theory".
        scale_label: String,
        /// Required level code.
        level: String,
        /// Its rank.
        rank: i64,
    },
    /// Have completed `module`, within `within_years` if given.
    Module {
        /// Module code.
        module: String,
        /// Maximum age of the completion, in years.
        within_years: Option<i64>,
    },
    /// Age at the reference date ≤ `years`.
    MaxAge {
        /// Limit.
        years: i64,
    },
    /// Full years of Party membership at the reference date ≥ `years`.
    MinPartyYears {
        /// Minimum.
        years: i64,
    },
}

impl Rule {
    /// The report key of the rule (same as the requirement's key).
    pub fn key(&self) -> String {
        match self {
            Rule::MinLevel { scale, .. } => format!("min_level:{scale}"),
            Rule::Module { module, .. } => format!("module:{module}"),
            Rule::MaxAge { .. } => "max_age".into(),
            Rule::MinPartyYears { .. } => "min_party_years".into(),
        }
    }
}

/// The verdict on one requirement.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Check {
    /// Requirement key, e.g. `module:DV-03`.
    pub key: String,
    /// Whether it is met.
    pub met: bool,
    /// Why not (or what was found), in English words (rendered from `code` and `params`).
    pub reason: String,
    /// What was found, as a stable code (the catalogue `GET /api/gaps/reasons` renders it in
    /// either language). Absent only on counts read from a stored timeline, which keep no reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<ReasonCode>,
    /// The values the reason names, by name (codes, ISO days, numbers).
    #[schema(value_type = Object)]
    pub params: ReasonParams,
}

impl Check {
    /// A verdict without a reason (counted from a stored timeline).
    pub fn counted(key: String, met: bool) -> Check {
        Check {
            key,
            met,
            reason: String::new(),
            code: None,
            params: ReasonParams::new(),
        }
    }
}

/// Whether something dated `on` and maybe revoked on `revoked` counts on day `d`.
fn counts(on: NaiveDate, revoked: Option<NaiveDate>, d: NaiveDate) -> bool {
    on <= d && revoked.is_none_or(|r| r > d)
}

/// Full years from `from` to `to` (0 when `to` is earlier).
pub fn full_years(from: NaiveDate, to: NaiveDate) -> i64 {
    if to < from {
        return 0;
    }
    let mut y = (to.year() - from.year()) as i64;
    if (to.month(), to.day()) < (from.month(), from.day()) {
        y -= 1;
    }
    y
}

/// `d` plus `years` years (29 February becomes 28 February when needed).
pub fn add_years(d: NaiveDate, years: i64) -> NaiveDate {
    d.checked_add_months(Months::new((years.max(0) * 12) as u32))
        .unwrap_or(NaiveDate::MAX)
}

/// Assesses a cadre against rules on day `as_of`. Person conditions are taken at `reference`
/// (the start of the assignment for incumbents, `as_of` for planned successors).
pub fn assess(
    facts: &CadreFacts,
    rules: &[Rule],
    as_of: NaiveDate,
    reference: NaiveDate,
) -> Vec<Check> {
    rules
        .iter()
        .map(|r| check(facts, r, as_of, reference))
        .collect()
}

/// Whether the cadre meets `rule` on day `d` (person conditions at `reference`): the verdict
/// [`assess`] gives, without putting the reason into words (the timeline needs only this).
pub fn meets(facts: &CadreFacts, rule: &Rule, d: NaiveDate, reference: NaiveDate) -> bool {
    find(facts, rule, d, reference).met(d)
}

/// What the engine found for one rule on a day (with the rule's terms), before the verdict is
/// put into words.
enum Found<'a> {
    /// The best level held on the scale (its code and rank), if any.
    Level {
        scale: &'a str,
        level: &'a str,
        rank: i64,
        best: Option<(&'a str, i64)>,
    },
    /// The day of the last counting completion of the module, if any.
    Module {
        module: &'a str,
        within_years: Option<i64>,
        last: Option<NaiveDate>,
    },
    /// Full years of age at the reference day.
    Age { limit: i64, age: i64 },
    /// Full years of Party membership at the reference day (`None`: not a member by then).
    Party { needed: i64, years: Option<i64> },
}

fn find<'a>(
    facts: &'a CadreFacts,
    rule: &'a Rule,
    d: NaiveDate,
    reference: NaiveDate,
) -> Found<'a> {
    match rule {
        Rule::MinLevel {
            scale, level, rank, ..
        } => Found::Level {
            scale,
            level,
            rank: *rank,
            best: facts
                .qualifications
                .iter()
                .filter(|q| &q.scale == scale && counts(q.obtained_on, q.revoked_on, d))
                .max_by_key(|q| q.rank)
                .map(|q| (q.level.as_str(), q.rank)),
        },
        Rule::Module {
            module,
            within_years,
        } => Found::Module {
            module,
            within_years: *within_years,
            last: facts
                .completions
                .iter()
                .filter(|c| &c.module == module && counts(c.completed_on, c.revoked_on, d))
                .map(|c| c.completed_on)
                .max(),
        },
        Rule::MaxAge { years } => Found::Age {
            limit: *years,
            age: full_years(facts.birth_date, reference),
        },
        Rule::MinPartyYears { years } => Found::Party {
            needed: *years,
            years: match facts.party_joined_on {
                Some(joined) if joined <= reference => Some(full_years(joined, reference)),
                _ => None,
            },
        },
    }
}

impl Found<'_> {
    /// The verdict on day `d`.
    fn met(&self, d: NaiveDate) -> bool {
        match *self {
            Found::Level { rank, best, .. } => best.is_some_and(|(_, held)| held >= rank),
            Found::Module {
                within_years, last, ..
            } => match (last, within_years) {
                (None, _) => false,
                (Some(on), Some(n)) => add_years(on, n) > d,
                (Some(_), None) => true,
            },
            Found::Age { limit, age } => age <= limit,
            Found::Party { needed, years } => years.is_some_and(|n| n >= needed),
        }
    }
}

fn check(facts: &CadreFacts, rule: &Rule, d: NaiveDate, reference: NaiveDate) -> Check {
    word(find(facts, rule, d, reference), rule, d, reference)
}

/// The check of `rule` on day `d` from what was found (person conditions taken at `reference`),
/// with its reason in words.
fn word(found: Found<'_>, rule: &Rule, d: NaiveDate, reference: NaiveDate) -> Check {
    use ReasonCode as R;
    let on = || reference.to_string();
    let met = found.met(d);
    let (code, params) = match found {
        Found::Level {
            scale, level, best, ..
        } => match best {
            Some((held, _)) if met => (R::MinLevelMet, json!({"scale": scale, "held": held})),
            Some((held, _)) => (
                R::MinLevelBelow,
                json!({"scale": scale, "held": held, "needed": level}),
            ),
            None => (R::MinLevelNone, json!({"scale": scale, "needed": level})),
        },
        Found::Module {
            module,
            within_years,
            last,
        } => match (last, within_years) {
            (None, _) => (R::ModuleNever, json!({"module": module})),
            (Some(on), Some(n)) if !met => (
                R::ModuleStale,
                json!({"module": module, "completed_on": on.to_string(), "years": n}),
            ),
            (Some(on), _) => (
                R::ModuleCompleted,
                json!({"module": module, "completed_on": on.to_string()}),
            ),
        },
        Found::Age { limit, age } => {
            if met {
                (R::MaxAgeMet, json!({"age": age, "on": on()}))
            } else {
                (
                    R::MaxAgeOver,
                    json!({"age": age, "on": on(), "limit": limit}),
                )
            }
        }
        Found::Party { needed, years } => match years {
            Some(n) if met => (R::PartyYearsMet, json!({"years": n, "on": on()})),
            Some(n) => (
                R::PartyYearsShort,
                json!({"years": n, "on": on(), "needed": needed}),
            ),
            None => (R::PartyNotMember, json!({"on": on(), "needed": needed})),
        },
    };
    let params = match params {
        serde_json::Value::Object(m) => m,
        _ => ReasonParams::new(),
    };
    let label = match rule {
        Rule::MinLevel { scale_label, .. } => scale_label.as_str(),
        _ => "",
    };
    Check {
        key: rule.key(),
        met,
        reason: render(code, &params, Lang::En, &ScaleLabel(label)),
        code: Some(code),
        params,
    }
}

/// What an unmet rule's verdict rests on, as one token the timeline keeps beside the unmet key:
/// enough to word the reason again on any day of the interval without the cadre's facts
/// ([`check_from_evidence`]). The best level held (its code), the last completion (its day), and
/// for a person condition the day it is taken on when that does not move with the report's day
/// (`fixed_reference`: an incumbent's appointment; `None` for a planned successor), with the Party
/// date. Each part is [`NONE`] when there is none, so a token is never empty (an empty `found`
/// means a row written without tokens). Constant between the timeline's breakpoints: it names
/// facts, never the day itself.
pub fn evidence(
    facts: &CadreFacts,
    rule: &Rule,
    d: NaiveDate,
    fixed_reference: Option<NaiveDate>,
) -> String {
    let day = |x: Option<NaiveDate>| x.map_or_else(|| NONE.to_string(), |d| d.to_string());
    match find(facts, rule, d, fixed_reference.unwrap_or(d)) {
        Found::Level { best, .. } => best.map_or_else(|| NONE.to_string(), |(l, _)| l.to_string()),
        Found::Module { last, .. } => day(last),
        Found::Age { .. } => day(fixed_reference),
        Found::Party { .. } => format!("{}@{}", day(facts.party_joined_on), day(fixed_reference)),
    }
}

/// A day written `YYYY-MM-DD`, read without chrono's general parser (the timeline's rows hold
/// thousands of them per report); any other form is left to that parser, so the answer is always
/// what `str::parse::<NaiveDate>` gives.
pub fn iso_day(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
            return NaiveDate::from_ymd_opt(y as i32, m, d);
        }
    }
    s.parse().ok()
}

/// The part of an [`evidence`] token that stands for "none".
pub const NONE: &str = "-";

/// The check of `rule` on day `d` worded from its [`evidence`] token and the cadre's birth date,
/// as [`assess`] words it from the cadre's facts (`rank_of`: a level's rank on a scale). `None`
/// if the token cannot be read (or names a level no longer ranked).
pub fn check_from_evidence(
    rule: &Rule,
    token: &str,
    birth_date: NaiveDate,
    d: NaiveDate,
    rank_of: impl Fn(&str, &str) -> Option<i64>,
) -> Option<Check> {
    let day = |s: &str| -> Option<Option<NaiveDate>> {
        match s {
            NONE => Some(None),
            s => iso_day(s).map(Some),
        }
    };
    // What the token names, found as the engine finds it in the facts (no fact built).
    let mut facts = CadreFacts {
        birth_date,
        ..Default::default()
    };
    let mut reference = d;
    let found = match rule {
        Rule::MinLevel {
            scale, level, rank, ..
        } => Found::Level {
            scale,
            level,
            rank: *rank,
            best: match token {
                NONE => None,
                held => Some((held, rank_of(scale, held)?)),
            },
        },
        Rule::Module {
            module,
            within_years,
        } => Found::Module {
            module,
            within_years: *within_years,
            // As the engine counts a completion: only one made by the day.
            last: day(token)?.filter(|on| *on <= d),
        },
        Rule::MaxAge { .. } => {
            reference = day(token)?.unwrap_or(d);
            find(&facts, rule, d, reference)
        }
        Rule::MinPartyYears { .. } => {
            let (joined, on) = token.split_once('@')?;
            facts.party_joined_on = day(joined)?;
            reference = day(on)?.unwrap_or(d);
            find(&facts, rule, d, reference)
        }
    };
    Some(word(found, rule, d, reference))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The quick reading of a day agrees with chrono's on well-formed, impossible and odd days.
    #[test]
    fn iso_day_reads_as_chrono_does() {
        for s in [
            "2024-02-29",
            "2023-02-29",
            "1960-03-01",
            "2026-12-31",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "0000-01-01",
            "9999-12-31",
            "2026-1-05",
            "2026-01-5x",
            "20a6-01-05",
            "2026/01/05",
            "+2026-01-05",
            "-",
            "",
            "2026-01-05 ",
        ] {
            assert_eq!(iso_day(s), s.parse::<NaiveDate>().ok(), "{s:?}");
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn pt(level: &str) -> Rule {
        let rank = ["elementary", "intermediate", "advanced", "bachelor"]
            .iter()
            .position(|l| *l == level)
            .unwrap() as i64
            + 1;
        Rule::MinLevel {
            scale: "political_theory".into(),
            scale_label: "political theory".into(),
            level: level.into(),
            rank,
        }
    }

    fn facts() -> CadreFacts {
        CadreFacts {
            birth_date: d("1970-06-15"),
            party_joined_on: Some(d("2000-03-01")),
            qualifications: vec![QualificationFact {
                scale: "political_theory".into(),
                level: "elementary".into(),
                rank: 1,
                obtained_on: d("2005-01-01"),
                revoked_on: None,
            }],
            completions: vec![
                CompletionFact {
                    module: "DV-03".into(),
                    completed_on: d("2009-05-02"),
                    revoked_on: None,
                },
                CompletionFact {
                    module: "DV-01".into(),
                    completed_on: d("2012-01-01"),
                    revoked_on: Some(d("2016-01-01")),
                },
            ],
        }
    }

    #[test]
    fn min_level_reasons() {
        let c = assess(
            &facts(),
            &[pt("intermediate")],
            d("2015-12-31"),
            d("2015-12-31"),
        );
        assert_eq!(
            c[0],
            Check {
                key: "min_level:political_theory".into(),
                met: false,
                reason: "political theory: holds elementary, needs intermediate".into(),
                code: Some(ReasonCode::MinLevelBelow),
                params: json!({"scale": "political_theory", "held": "elementary", "needed": "intermediate"})
                    .as_object()
                    .unwrap()
                    .clone(),
            }
        );
        let c = assess(
            &facts(),
            &[pt("elementary")],
            d("2015-12-31"),
            d("2015-12-31"),
        );
        assert!(c[0].met);
        // Obtained after D does not count yet.
        let c = assess(
            &facts(),
            &[pt("elementary")],
            d("2004-12-31"),
            d("2004-12-31"),
        );
        assert_eq!(
            c[0].reason,
            "political theory: none recorded, needs elementary"
        );
    }

    #[test]
    fn module_within_years() {
        let r = Rule::Module {
            module: "DV-03".into(),
            within_years: Some(5),
        };
        let c = assess(
            &facts(),
            std::slice::from_ref(&r),
            d("2015-12-31"),
            d("2015-12-31"),
        );
        assert_eq!(
            c[0].reason,
            "DV-03: last completed 2009-05-02, older than 5 years"
        );
        assert!(!c[0].met);
        assert!(
            assess(
                &facts(),
                std::slice::from_ref(&r),
                d("2014-05-01"),
                d("2014-05-01")
            )[0]
            .met
        );
        assert!(
            !assess(&facts(), &[r], d("2014-05-02"), d("2014-05-02"))[0].met,
            "exactly five years later it is stale"
        );
        let never = Rule::Module {
            module: "DV-11".into(),
            within_years: Some(3),
        };
        assert_eq!(
            assess(&facts(), &[never], d("2020-01-01"), d("2020-01-01"))[0].reason,
            "DV-11: never completed"
        );
    }

    #[test]
    fn revoked_after_d_still_counts_at_d() {
        let r = Rule::Module {
            module: "DV-01".into(),
            within_years: None,
        };
        assert!(
            assess(
                &facts(),
                std::slice::from_ref(&r),
                d("2015-12-31"),
                d("2015-12-31")
            )[0]
            .met
        );
        assert!(!assess(&facts(), &[r], d("2016-01-01"), d("2016-01-01"))[0].met);
    }

    #[test]
    fn person_conditions_use_the_reference_date() {
        let age = Rule::MaxAge { years: 55 };
        // Appointed at 54, assessed later at 60: still met for an incumbent.
        assert!(
            assess(
                &facts(),
                std::slice::from_ref(&age),
                d("2030-01-01"),
                d("2025-01-01")
            )[0]
            .met
        );
        let c = assess(&facts(), &[age], d("2030-01-01"), d("2030-01-01"));
        assert_eq!(c[0].reason, "age 59 at 2030-01-01, limit 55");
        let party = Rule::MinPartyYears { years: 5 };
        assert!(
            !assess(
                &facts(),
                std::slice::from_ref(&party),
                d("2005-02-28"),
                d("2005-02-28")
            )[0]
            .met
        );
        assert!(
            assess(
                &facts(),
                std::slice::from_ref(&party),
                d("2005-03-01"),
                d("2005-03-01")
            )[0]
            .met
        );
        let none = CadreFacts {
            party_joined_on: None,
            ..facts()
        };
        assert!(!assess(&none, &[party], d("2020-01-01"), d("2020-01-01"))[0].met);
    }

    #[test]
    fn full_years_and_leap_days() {
        assert_eq!(full_years(d("2000-02-29"), d("2001-02-28")), 0);
        assert_eq!(full_years(d("2000-02-29"), d("2001-03-01")), 1);
        assert_eq!(add_years(d("2020-02-29"), 1), d("2021-02-28"));
    }

    // ---- property test against a deliberately naive reference ----

    /// xorshift64*: a small deterministic generator so the property tests need no dependency
    /// (the engine's here, the timeline's in `gaps::timeline`).
    pub(crate) struct Rng(pub(crate) u64);
    impl Rng {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        pub(crate) fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        pub(crate) fn date(&mut self) -> NaiveDate {
            d("1990-01-01") + chrono::Duration::days(self.below(40 * 366) as i64)
        }
        pub(crate) fn maybe_date(&mut self) -> Option<NaiveDate> {
            (self.below(3) == 0).then(|| self.date())
        }
    }

    /// The naive reading of each rule: "is there some single record that satisfies every condition?",
    /// and ages counted by stepping a birthday forward one year at a time.
    fn naive(f: &CadreFacts, rule: &Rule, as_of: NaiveDate, reference: NaiveDate) -> bool {
        let step_years = |from: NaiveDate, to: NaiveDate| {
            let mut n = 0;
            while add_years(from, n + 1) <= to && to >= from {
                n += 1;
            }
            n
        };
        match rule {
            Rule::MinLevel { scale, rank, .. } => f.qualifications.iter().any(|q| {
                &q.scale == scale
                    && q.rank >= *rank
                    && q.obtained_on <= as_of
                    && !matches!(q.revoked_on, Some(r) if r <= as_of)
            }),
            Rule::Module {
                module,
                within_years,
            } => f.completions.iter().any(|c| {
                &c.module == module
                    && c.completed_on <= as_of
                    && !matches!(c.revoked_on, Some(r) if r <= as_of)
                    && within_years.is_none_or(|n| as_of < add_years(c.completed_on, n))
            }),
            Rule::MaxAge { years } => step_years(f.birth_date, reference) <= *years,
            Rule::MinPartyYears { years } => match f.party_joined_on {
                Some(j) if j <= reference => step_years(j, reference) >= *years,
                _ => false,
            },
        }
    }

    #[test]
    fn engine_agrees_with_naive_reference_on_random_data() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let modules = ["DV-01", "DV-03", "DV-06", "DV-11"];
        let scales = ["political_theory", "state_management"];
        for case in 0..5000 {
            let facts = CadreFacts {
                birth_date: d("1950-01-01") + chrono::Duration::days(rng.below(40 * 366) as i64),
                party_joined_on: rng
                    .maybe_date()
                    .or_else(|| (rng.below(2) == 0).then(|| rng.date())),
                qualifications: (0..rng.below(4))
                    .map(|_| {
                        let rank = rng.below(4) as i64 + 1;
                        QualificationFact {
                            scale: scales[rng.below(2) as usize].into(),
                            level: format!("l{rank}"),
                            rank,
                            obtained_on: rng.date(),
                            revoked_on: rng.maybe_date(),
                        }
                    })
                    .collect(),
                completions: (0..rng.below(5))
                    .map(|_| CompletionFact {
                        module: modules[rng.below(4) as usize].into(),
                        completed_on: rng.date(),
                        revoked_on: rng.maybe_date(),
                    })
                    .collect(),
            };
            let rules = vec![
                Rule::MinLevel {
                    scale: scales[rng.below(2) as usize].into(),
                    scale_label: "s".into(),
                    level: "x".into(),
                    rank: rng.below(4) as i64 + 1,
                },
                Rule::Module {
                    module: modules[rng.below(4) as usize].into(),
                    within_years: (rng.below(2) == 0).then(|| rng.below(10) as i64 + 1),
                },
                Rule::MaxAge {
                    years: 30 + rng.below(30) as i64,
                },
                Rule::MinPartyYears {
                    years: rng.below(15) as i64 + 1,
                },
            ];
            let as_of = rng.date();
            let reference = if rng.below(2) == 0 {
                as_of
            } else {
                rng.date().min(as_of)
            };
            let got = assess(&facts, &rules, as_of, reference);
            for (rule, c) in rules.iter().zip(&got) {
                assert_eq!(
                    c.met,
                    naive(&facts, rule, as_of, reference),
                    "case {case}: {rule:?} on {as_of} (ref {reference}) for {facts:?}: {}",
                    c.reason
                );
                assert_eq!(
                    meets(&facts, rule, as_of, reference),
                    c.met,
                    "case {case}: the verdict alone differs from assess's: {rule:?} on {as_of} (ref {reference})"
                );
                // Worded again from the timeline's token alone: the same check, met or not.
                let fixed = (reference != as_of).then_some(reference);
                let token = evidence(&facts, rule, as_of, fixed);
                let rank_of = |_: &str, level: &str| level[1..].parse().ok();
                assert_eq!(
                    check_from_evidence(rule, &token, facts.birth_date, as_of, rank_of).as_ref(),
                    Some(c),
                    "case {case}: from the evidence {token:?}: {rule:?} on {as_of} (ref {reference})"
                );
            }
        }
    }
}
