//! Pure curriculum rules: module codes, audiences, field limits, prerequisite cycles.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

/// Who a module is written for (DOMAIN.md: the four audiences of 9.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Staff of the mass-mobilisation commissions.
    MassMobilisationStaff,
    /// Cadres of the Fatherland Front and the socio-political organisations.
    FrontAndOrganisations,
    /// Civil servants and public employees (CBCCVC).
    CivilServants,
    /// Armed-forces cadres.
    ArmedForces,
}

impl Audience {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Audience::MassMobilisationStaff => "mass_mobilisation_staff",
            Audience::FrontAndOrganisations => "front_and_organisations",
            Audience::CivilServants => "civil_servants",
            Audience::ArmedForces => "armed_forces",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Audience> {
        [
            Audience::MassMobilisationStaff,
            Audience::FrontAndOrganisations,
            Audience::CivilServants,
            Audience::ArmedForces,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }
}

/// Joins audiences for storage (sorted, unique, comma-separated).
pub fn audiences_to_db(list: &[Audience]) -> String {
    let mut names: Vec<&str> = list.iter().map(|a| a.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.join(",")
}

/// Splits stored audiences.
pub fn audiences_from_db(s: &str) -> Vec<Audience> {
    s.split(',').filter_map(Audience::parse).collect()
}

/// Whether adding `module → prerequisites` to the graph `edges` (module → its prerequisites)
/// would make a module its own (indirect) prerequisite. Returns the code that closes the cycle.
pub fn prerequisite_cycle<'a>(
    module: &'a str,
    prerequisites: &'a [String],
    edges: &'a HashMap<String, Vec<String>>,
) -> Option<&'a str> {
    for start in prerequisites {
        let mut stack: Vec<&str> = vec![start.as_str()];
        let mut seen: HashSet<&str> = HashSet::new();
        while let Some(cur) = stack.pop() {
            if cur == module {
                return Some(start.as_str());
            }
            if !seen.insert(cur) {
                continue;
            }
            if let Some(next) = edges.get(cur) {
                stack.extend(next.iter().map(String::as_str));
            }
        }
    }
    None
}

/// The last day a completion of a module with this validity still counts, if it ever goes stale:
/// the day before the same date `validity_years` later.
pub fn valid_until(
    completed_on: chrono::NaiveDate,
    validity_years: Option<i64>,
) -> Option<chrono::NaiveDate> {
    use chrono::Datelike;
    let years = validity_years?;
    let target_year = completed_on.year() + years as i32;
    let same_day = completed_on
        .with_year(target_year)
        // 29 February on a non-leap year: the validity ends with 28 February.
        .or_else(|| chrono::NaiveDate::from_ymd_opt(target_year, 3, 1))?;
    same_day.pred_opt()
}

/// Whether a completion counts on date `d`: completed on or before `d`, not revoked on `d`,
/// and not stale.
pub fn completion_counts_on(
    completed_on: chrono::NaiveDate,
    validity_years: Option<i64>,
    revoked_on: Option<chrono::NaiveDate>,
    d: chrono::NaiveDate,
) -> bool {
    completed_on <= d
        && revoked_on.is_none_or(|r| r > d)
        && valid_until(completed_on, validity_years).is_none_or(|v| d <= v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audiences_round_trip_sorted() {
        let s = audiences_to_db(&[
            Audience::CivilServants,
            Audience::ArmedForces,
            Audience::CivilServants,
        ]);
        assert_eq!(s, "armed_forces,civil_servants");
        assert_eq!(
            audiences_from_db(&s),
            vec![Audience::ArmedForces, Audience::CivilServants]
        );
        assert!(audiences_from_db("").is_empty());
    }

    #[test]
    fn validity_and_revocation() {
        let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        assert_eq!(valid_until(d("2020-03-15"), Some(5)), Some(d("2025-03-14")));
        assert_eq!(valid_until(d("2020-02-29"), Some(1)), Some(d("2021-02-28")));
        assert_eq!(valid_until(d("2020-03-15"), None), None);
        assert!(completion_counts_on(
            d("2020-03-15"),
            Some(5),
            None,
            d("2025-03-14")
        ));
        assert!(!completion_counts_on(
            d("2020-03-15"),
            Some(5),
            None,
            d("2025-03-15")
        ));
        assert!(!completion_counts_on(
            d("2020-03-15"),
            None,
            None,
            d("2020-03-14")
        ));
        // Revoked after D still counts at D; revoked on or before D does not.
        assert!(completion_counts_on(
            d("2020-03-15"),
            None,
            Some(d("2021-01-01")),
            d("2020-12-31")
        ));
        assert!(!completion_counts_on(
            d("2020-03-15"),
            None,
            Some(d("2021-01-01")),
            d("2021-01-01")
        ));
    }

    #[test]
    fn cycles_are_found_through_several_steps() {
        let mut edges = HashMap::new();
        edges.insert("B".to_string(), vec!["C".to_string()]);
        edges.insert("C".to_string(), vec!["A".to_string()]);
        assert_eq!(
            prerequisite_cycle("A", &["B".to_string()], &edges),
            Some("B")
        );
        assert_eq!(
            prerequisite_cycle("A", &["A".to_string()], &edges),
            Some("A")
        );
        assert_eq!(prerequisite_cycle("D", &["B".to_string()], &edges), None);
    }
}
