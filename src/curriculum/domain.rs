//! Pure curriculum rules: module codes, audiences, field limits, prerequisite cycles, and the
//! bodies of a module and a programme with their checks.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::shared::text::{parse_code, required_text};

/// A module code (2–20 of `A-Z 0-9 -`, upper-cased: `shared::text::parse_code`), checked once
/// where it enters and passed on as is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ModuleCode(String);

impl ModuleCode {
    /// Parses a code given in `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        parse_code(field, raw).map(ModuleCode)
    }

    /// A code named in a path: one that is not a module code names no module (404).
    pub fn in_path(raw: &str) -> Result<Self, AppError> {
        Self::parse("code", raw).map_err(|_| module_not_found(&raw.trim().to_uppercase()))
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for ModuleCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The 404 of a module code that names no module.
pub fn module_not_found(code: &str) -> AppError {
    AppError::not_found(crate::msg!(NoModule, code = code))
}

/// Checks the code a body gives for the module at `path`: absent, or the same (case and spaces
/// ignored).
pub fn check_same_code(path: &str, given: Option<&str>) -> Result<(), AppError> {
    match given {
        Some(c) if c.trim().to_uppercase() != path.trim().to_uppercase() => {
            Err(AppError::invalid("code", crate::msg!(ModuleCodeFixed)))
        }
        _ => Ok(()),
    }
}

/// The qualification level a module awards.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LevelRef {
    /// Scale code.
    pub scale: String,
    /// Level code.
    pub level: String,
}

/// A module to create, or the new state of one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModuleInput {
    /// Code (2–20 of A-Z, 0-9, '-'); on update it must match the path or be absent.
    pub code: Option<String>,
    /// Vietnamese title.
    pub title_vi: String,
    /// English title.
    pub title_en: String,
    /// Teaching periods (1–5000).
    pub periods: i64,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Target audiences.
    #[serde(default)]
    pub audiences: Vec<Audience>,
    /// Codes of prerequisite modules.
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// Years a completion stays valid (1–50); absent = never stale.
    pub validity_years: Option<i64>,
    /// The qualification level a completion awards.
    pub awards: Option<LevelRef>,
    /// Offered now (default true).
    pub active: Option<bool>,
}

/// A module's texts, checked and trimmed, with its audiences as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleTexts {
    /// Vietnamese title.
    pub title_vi: String,
    /// English title.
    pub title_en: String,
    /// Description.
    pub description: String,
    /// Audiences, as stored.
    pub audiences: String,
}

impl ModuleInput {
    /// Checks the fields that need nothing from the database: titles (1–300 characters),
    /// periods (1–5000), description (at most 5000 characters), validity (1–50 years).
    pub fn texts(&self) -> Result<ModuleTexts, AppError> {
        let title_vi = required_text("title_vi", &self.title_vi, 300)?;
        let title_en = required_text("title_en", &self.title_en, 300)?;
        if !(1..=5000).contains(&self.periods) {
            return Err(AppError::invalid(
                "periods",
                crate::msg!(Between, field = "periods", min = 1, max = 5000),
            ));
        }
        if self.description.chars().count() > 5000 {
            return Err(AppError::invalid(
                "description",
                crate::msg!(TooLong, field = "description", max = 5000),
            ));
        }
        if self.validity_years.is_some_and(|v| !(1..=50).contains(&v)) {
            return Err(AppError::invalid(
                "validity_years",
                crate::msg!(Between, field = "validity_years", min = 1, max = 50),
            ));
        }
        Ok(ModuleTexts {
            title_vi,
            title_en,
            description: self.description.trim().to_string(),
            audiences: audiences_to_db(&self.audiences),
        })
    }
}

/// Checks prerequisite `i` of module `module`, given as `raw`, against those before it: a module
/// code, not the module itself, not listed twice.
pub fn prerequisite(
    module: &ModuleCode,
    i: usize,
    raw: &str,
    before: &[ModuleCode],
) -> Result<ModuleCode, AppError> {
    let field = format!("prerequisites[{i}]");
    let p = ModuleCode::parse(&field, raw)?;
    if p == *module {
        return Err(AppError::invalid(field, crate::msg!(ModuleOwnPrerequisite)));
    }
    if before.contains(&p) {
        return Err(AppError::invalid(field, crate::msg!(ListedTwice, item = p)));
    }
    Ok(p)
}

/// Refuses prerequisites that would make `module` its own (indirect) prerequisite, given the
/// graph `edges` (module → its prerequisites), naming the prerequisite that closes the cycle.
pub fn check_no_cycle(
    module: &ModuleCode,
    prerequisites: &[ModuleCode],
    edges: &HashMap<String, Vec<String>>,
) -> Result<(), AppError> {
    let codes: Vec<String> = prerequisites.iter().map(|p| p.to_string()).collect();
    if let Some(via) = prerequisite_cycle(module.as_str(), &codes, edges) {
        let i = codes.iter().position(|c| c == via).unwrap_or(0);
        return Err(AppError::invalid(
            format!("prerequisites[{i}]"),
            crate::msg!(PrerequisiteCycle, via = via, module = module),
        ));
    }
    Ok(())
}

/// A programme's new state.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeInput {
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Module codes in teaching order.
    pub modules: Vec<String>,
    /// Offered now (default true).
    pub active: Option<bool>,
}

impl ProgrammeInput {
    /// Checks the names (1–300 characters each), the description (at most 5000) and that some
    /// module is listed; returns the names trimmed.
    pub fn names(&self) -> Result<(String, String), AppError> {
        let name_vi = required_text("name_vi", &self.name_vi, 300)?;
        let name_en = required_text("name_en", &self.name_en, 300)?;
        if self.description.chars().count() > 5000 {
            return Err(AppError::invalid(
                "description",
                crate::msg!(TooLong, field = "description", max = 5000),
            ));
        }
        if self.modules.is_empty() {
            return Err(AppError::invalid(
                "modules",
                crate::msg!(ProgrammeNeedsModule),
            ));
        }
        Ok((name_vi, name_en))
    }
}

/// Checks module `i` of a programme, given as `raw`, against those before it: a module code not
/// listed twice.
pub fn programme_module(
    i: usize,
    raw: &str,
    before: &[ModuleCode],
) -> Result<ModuleCode, AppError> {
    let field = format!("modules[{i}]");
    let m = ModuleCode::parse(&field, raw)?;
    if before.contains(&m) {
        return Err(AppError::invalid(field, crate::msg!(ListedTwice, item = m)));
    }
    Ok(m)
}

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

    fn field(r: Result<impl std::fmt::Debug, AppError>) -> String {
        match r {
            Err(AppError::Validation { field, .. }) => field.unwrap_or_default(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn module_codes_are_normalised_once() {
        let c = ModuleCode::parse("code", " dv-03 ").unwrap();
        assert_eq!((c.as_str(), c.to_string()), ("DV-03", "DV-03".to_string()));
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            serde_json::json!("DV-03")
        );
        assert_eq!(field(ModuleCode::parse("code", "D")), "code");
        assert!(matches!(
            ModuleCode::in_path(" d_1 "),
            Err(AppError::NotFound(m)) if m.to_string() == "no module with code D_1"
        ));
        assert!(check_same_code("dv-03", None).is_ok());
        assert!(check_same_code("dv-03", Some(" DV-03 ")).is_ok());
        assert_eq!(field(check_same_code("DV-03", Some("DV-04"))), "code");
    }

    fn module_input() -> ModuleInput {
        ModuleInput {
            code: None,
            title_vi: " Dân vận ".into(),
            title_en: "Mass mobilisation".into(),
            periods: 24,
            description: " about ".into(),
            audiences: vec![Audience::CivilServants, Audience::ArmedForces],
            prerequisites: vec![],
            validity_years: Some(5),
            awards: None,
            active: None,
        }
    }

    #[test]
    fn module_fields_are_checked_in_order() {
        let t = module_input().texts().unwrap();
        assert_eq!(t.title_vi, "Dân vận");
        assert_eq!(t.description, "about");
        assert_eq!(t.audiences, "armed_forces,civil_servants");
        let with = |f: fn(&mut ModuleInput)| {
            let mut m = module_input();
            f(&mut m);
            field(m.texts())
        };
        assert_eq!(with(|m| m.title_vi = " ".into()), "title_vi");
        assert_eq!(with(|m| m.title_en = "x".repeat(301)), "title_en");
        assert_eq!(with(|m| m.periods = 0), "periods");
        assert_eq!(with(|m| m.description = "x".repeat(5001)), "description");
        assert_eq!(with(|m| m.validity_years = Some(51)), "validity_years");
        // The first problem is the one named.
        assert_eq!(
            with(|m| {
                m.periods = 0;
                m.title_en = String::new();
            }),
            "title_en"
        );
    }

    #[test]
    fn prerequisites_are_checked_one_by_one() {
        let me = ModuleCode::parse("code", "DV-03").unwrap();
        let dv01 = prerequisite(&me, 0, "dv-01", &[]).unwrap();
        assert_eq!(dv01.as_str(), "DV-01");
        assert_eq!(field(prerequisite(&me, 1, "x", &[])), "prerequisites[1]");
        assert_eq!(
            field(prerequisite(&me, 1, "dv-03", &[])),
            "prerequisites[1]"
        );
        let e = prerequisite(&me, 1, "DV-01", std::slice::from_ref(&dv01)).unwrap_err();
        assert!(e.to_string().contains("DV-01 is listed twice"), "{e}");
        let edges = HashMap::from([("DV-01".to_string(), vec!["DV-03".to_string()])]);
        let other = ModuleCode::parse("c", "DV-02").unwrap();
        assert!(check_no_cycle(&me, std::slice::from_ref(&other), &edges).is_ok());
        let e = check_no_cycle(&me, &[other, dv01], &edges).unwrap_err();
        assert!(
            matches!(&e, AppError::Validation { field: Some(f), .. } if f == "prerequisites[1]")
        );
        assert!(
            e.to_string().contains("DV-01 already requires DV-03"),
            "{e}"
        );
    }

    #[test]
    fn programmes_need_names_and_distinct_modules() {
        let p = ProgrammeInput {
            name_vi: " Chương trình ".into(),
            name_en: "Programme".into(),
            description: String::new(),
            modules: vec!["DV-01".into()],
            active: None,
        };
        assert_eq!(
            p.names().unwrap(),
            ("Chương trình".to_string(), "Programme".to_string())
        );
        let empty = ProgrammeInput {
            modules: vec![],
            ..p
        };
        assert_eq!(field(empty.names()), "modules");
        let first = programme_module(0, "dv-01", &[]).unwrap();
        assert_eq!(field(programme_module(1, "dv-01", &[first])), "modules[1]");
        assert_eq!(field(programme_module(2, "?", &[])), "modules[2]");
    }
}
