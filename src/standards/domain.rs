//! Requirements of a title standard, as written by the commission; the version in force on a
//! day; the checked fields of a title.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::shared::text::{parse_code, required_text};

/// The organisation a cadre works for (and the organisation kind of a title).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Organisation {
    /// Mặt trận Tổ quốc.
    FatherlandFront,
    /// Đoàn TNCS Hồ Chí Minh.
    YouthUnion,
    /// Hội Liên hiệp Phụ nữ.
    WomensUnion,
    /// Hội Nông dân.
    FarmersAssociation,
    /// Hội Cựu chiến binh.
    VeteransAssociation,
    /// Liên đoàn Lao động.
    LabourFederation,
    /// Ban Dân vận.
    MassMobilisationCommission,
    /// Chính quyền (CBCCVC).
    Government,
    /// Lực lượng vũ trang.
    ArmedForces,
}

crate::text_enum!(Organisation);

impl Organisation {
    /// Every organisation.
    pub const ALL: [Organisation; 9] = [
        Organisation::FatherlandFront,
        Organisation::YouthUnion,
        Organisation::WomensUnion,
        Organisation::FarmersAssociation,
        Organisation::VeteransAssociation,
        Organisation::LabourFederation,
        Organisation::MassMobilisationCommission,
        Organisation::Government,
        Organisation::ArmedForces,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Organisation::FatherlandFront => "fatherland_front",
            Organisation::YouthUnion => "youth_union",
            Organisation::WomensUnion => "womens_union",
            Organisation::FarmersAssociation => "farmers_association",
            Organisation::VeteransAssociation => "veterans_association",
            Organisation::LabourFederation => "labour_federation",
            Organisation::MassMobilisationCommission => "mass_mobilisation_commission",
            Organisation::Government => "government",
            Organisation::ArmedForces => "armed_forces",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Organisation> {
        Organisation::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// One requirement of a standard. Read through [`RawRequirement`], so that a value of the wrong
/// type names its own field (`requirements[0].years`), as serde's internally tagged enums do not.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    deny_unknown_fields,
    try_from = "RawRequirement"
)]
pub enum Requirement {
    /// A level on a qualification scale at least as high as `level` (ranks come from the scale).
    MinLevel {
        /// Scale code, e.g. `political_theory`.
        scale: String,
        /// Minimum level code, e.g. `intermediate`.
        level: String,
    },
    /// A completion of a module (any version), not revoked, optionally within the last N years.
    Module {
        /// Module code, e.g. `DV-03`.
        module: String,
        /// The completion must be younger than this many years.
        within_years: Option<i64>,
    },
    /// Age at the reference date (appointment for incumbents, the report date for planned successors) at most N.
    MaxAge {
        /// Years.
        years: i64,
    },
    /// Full years of Party membership at the reference date at least N.
    MinPartyYears {
        /// Years.
        years: i64,
    },
}

/// The kinds of requirement, as a body names them.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawKind {
    MinLevel,
    Module,
    MaxAge,
    MinPartyYears,
}

/// A requirement as a body gives it: every kind's fields, each read (and refused) at its own
/// path; [`Requirement`]'s `TryFrom` then takes the kind's own fields, in serde's words for a
/// field missing or one the kind does not have.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequirement {
    kind: RawKind,
    scale: Option<String>,
    level: Option<String>,
    module: Option<String>,
    within_years: Option<i64>,
    years: Option<i64>,
}

impl TryFrom<RawRequirement> for Requirement {
    type Error = String;

    fn try_from(r: RawRequirement) -> Result<Self, String> {
        let missing = |name: &str| format!("missing field `{name}`");
        let given = [
            ("scale", r.scale.is_some()),
            ("level", r.level.is_some()),
            ("module", r.module.is_some()),
            ("within_years", r.within_years.is_some()),
            ("years", r.years.is_some()),
        ];
        let own: &[&str] = match r.kind {
            RawKind::MinLevel => &["scale", "level"],
            RawKind::Module => &["module", "within_years"],
            RawKind::MaxAge | RawKind::MinPartyYears => &["years"],
        };
        if let Some((name, _)) = given.iter().find(|(n, g)| *g && !own.contains(n)) {
            let expected = match own {
                [one] => format!("`{one}`"),
                [a, b] => format!("`{a}` or `{b}`"),
                _ => own.join(", "),
            };
            return Err(format!("unknown field `{name}`, expected {expected}"));
        }
        Ok(match r.kind {
            RawKind::MinLevel => Requirement::MinLevel {
                scale: r.scale.ok_or_else(|| missing("scale"))?,
                level: r.level.ok_or_else(|| missing("level"))?,
            },
            RawKind::Module => Requirement::Module {
                module: r.module.ok_or_else(|| missing("module"))?,
                within_years: r.within_years,
            },
            RawKind::MaxAge => Requirement::MaxAge {
                years: r.years.ok_or_else(|| missing("years"))?,
            },
            RawKind::MinPartyYears => Requirement::MinPartyYears {
                years: r.years.ok_or_else(|| missing("years"))?,
            },
        })
    }
}

impl Requirement {
    /// The stored kind name.
    pub fn kind(&self) -> &'static str {
        match self {
            Requirement::MinLevel { .. } => "min_level",
            Requirement::Module { .. } => "module",
            Requirement::MaxAge { .. } => "max_age",
            Requirement::MinPartyYears { .. } => "min_party_years",
        }
    }

    /// A short stable key naming the requirement in reports (`min_level:political_theory`,
    /// `module:DV-03`, `max_age`, `min_party_years`). Two requirements with the same key are duplicates.
    pub fn key(&self) -> String {
        match self {
            Requirement::MinLevel { scale, .. } => format!("min_level:{scale}"),
            Requirement::Module { module, .. } => format!("module:{module}"),
            Requirement::MaxAge { .. } => "max_age".into(),
            Requirement::MinPartyYears { .. } => "min_party_years".into(),
        }
    }

    /// Normalises codes and checks numbers; `i` is the requirement's index for error fields.
    pub fn normalised(&self, i: usize) -> Result<Requirement, AppError> {
        let field = |f: &str| format!("requirements[{i}].{f}");
        let positive = |f: &str, n: i64, max: i64| -> Result<i64, AppError> {
            if n <= 0 || n > max {
                Err(AppError::invalid(
                    field(f),
                    crate::msg!(Between, field = f, min = 1, max = max),
                ))
            } else {
                Ok(n)
            }
        };
        Ok(match self {
            Requirement::MinLevel { scale, level } => Requirement::MinLevel {
                scale: scale.trim().to_string(),
                level: level.trim().to_string(),
            },
            Requirement::Module {
                module,
                within_years,
            } => Requirement::Module {
                module: module.trim().to_uppercase(),
                within_years: within_years
                    .map(|n| positive("within_years", n, 100))
                    .transpose()?,
            },
            Requirement::MaxAge { years } => Requirement::MaxAge {
                years: positive("years", *years, 120)?,
            },
            Requirement::MinPartyYears { years } => Requirement::MinPartyYears {
                years: positive("years", *years, 100)?,
            },
        })
    }
}

/// Checks a list of requirements for duplicates (same key twice).
pub fn check_duplicates(reqs: &[Requirement]) -> Result<(), AppError> {
    for (i, r) in reqs.iter().enumerate() {
        if let Some(j) = reqs[..i].iter().position(|p| p.key() == r.key()) {
            return Err(AppError::invalid(
                format!("requirements[{i}]"),
                crate::msg!(RequirementRepeated, key = r.key(), position = j + 1),
            ));
        }
    }
    Ok(())
}

/// A version of a title's standard.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct StandardVersion {
    /// Title code.
    pub title_code: String,
    /// Version number (1, 2, …).
    pub version: i64,
    /// In force from this day until the next version's day.
    pub effective_from: NaiveDate,
    /// Note (e.g. the decision that adopted it).
    pub note: String,
    /// Who published it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Requirements in order.
    pub requirements: Vec<Requirement>,
}

/// The version in force on day `d`: the latest with `effective_from <= d`.
pub fn in_force_on(versions: Vec<StandardVersion>, d: NaiveDate) -> Option<StandardVersion> {
    versions
        .into_iter()
        .filter(|v| v.effective_from <= d)
        .max_by_key(|v| v.effective_from)
}

/// Checks a version's note: at most 1000 characters.
pub fn check_note(note: &str) -> Result<(), AppError> {
    if note.chars().count() > 1000 {
        return Err(AppError::invalid(
            "note",
            crate::msg!(TooLong, field = "note", max = 1000),
        ));
    }
    Ok(())
}

/// The levels a title sits at: `city`, `district` or `commune`.
pub const TITLE_LEVELS: [&str; 3] = ["city", "district", "commune"];

/// Checks a title's level (one of [`TITLE_LEVELS`]).
pub fn check_title_level(level: &str) -> Result<(), AppError> {
    if TITLE_LEVELS.contains(&level) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "level",
            crate::msg!(OneOf, field = "level", values = "city, district, commune"),
        ))
    }
}

/// The filters of the title list: a level and an organisation kind, each checked when given
/// (blank is none).
pub fn title_filters<'a>(
    level: Option<&'a str>,
    org_kind: Option<&'a str>,
) -> Result<(Option<&'a str>, Option<&'a str>), AppError> {
    let level = level.map(str::trim).filter(|s| !s.is_empty());
    if let Some(l) = level {
        check_title_level(l)?;
    }
    let org_kind = org_kind.map(str::trim).filter(|s| !s.is_empty());
    if let Some(o) = org_kind {
        if Organisation::parse(o).is_none() {
            return Err(AppError::invalid(
                "org_kind",
                crate::msg!(UnknownOrgKind, value = o),
            ));
        }
    }
    Ok((level, org_kind))
}

/// A new title, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTitle {
    /// Code, upper-cased (2–20 of `A-Z 0-9 -`).
    pub code: String,
    /// Vietnamese name (1–300 characters).
    pub name_vi: String,
    /// English name (1–300 characters).
    pub name_en: String,
    /// Organisation kind.
    pub org_kind: Organisation,
    /// Level (one of [`TITLE_LEVELS`]).
    pub level: String,
}

impl NewTitle {
    /// Checks the fields of a new title, in order: code, names, level.
    pub fn parse(
        code: &str,
        name_vi: &str,
        name_en: &str,
        org_kind: Organisation,
        level: &str,
    ) -> Result<Self, AppError> {
        let code = parse_code("code", code)?;
        let name_vi = required_text("name_vi", name_vi, 300)?;
        let name_en = required_text("name_en", name_en, 300)?;
        let level = level.trim();
        check_title_level(level)?;
        Ok(NewTitle {
            code,
            name_vi,
            name_en,
            org_kind,
            level: level.to_string(),
        })
    }
}

/// A title's names after a change: each given one checked (1–300 characters), the others kept.
pub fn title_names(
    current: (&str, &str),
    name_vi: Option<&str>,
    name_en: Option<&str>,
) -> Result<(String, String), AppError> {
    let name_vi = match name_vi {
        Some(n) => required_text("name_vi", n, 300)?,
        None => current.0.to_string(),
    };
    let name_en = match name_en {
        Some(n) => required_text("name_en", n, 300)?,
        None => current.1.to_string(),
    };
    Ok((name_vi, name_en))
}

/// Refuses a version's first day before `today` (the city's date) unless `retroactive` confirms
/// it: such a version changes the reports already made for the days since (422 `effective_from`).
pub fn check_first_day(
    effective_from: NaiveDate,
    today: NaiveDate,
    retroactive: bool,
) -> AppResult<()> {
    if effective_from < today && !retroactive {
        return Err(AppError::invalid(
            "effective_from",
            crate::msg!(RetroactiveVersion, date = effective_from, today = today),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_four_kinds() {
        let v: Vec<Requirement> = serde_json::from_str(
            r#"[{"kind":"min_level","scale":"political_theory","level":"intermediate"},
                {"kind":"module","module":"dv-03","within_years":5},
                {"kind":"max_age","years":55},{"kind":"min_party_years","years":3}]"#,
        )
        .unwrap();
        assert_eq!(v.len(), 4);
        assert_eq!(v[1].normalised(1).unwrap().key(), "module:DV-03");
        assert!(Requirement::MaxAge { years: 0 }.normalised(2).is_err());
        assert!(Requirement::Module {
            module: "DV-03".into(),
            within_years: Some(-1)
        }
        .normalised(0)
        .is_err());
    }

    #[test]
    fn duplicates_are_named() {
        let r = vec![
            Requirement::MaxAge { years: 55 },
            Requirement::Module {
                module: "DV-01".into(),
                within_years: None,
            },
            Requirement::MaxAge { years: 50 },
        ];
        let e = check_duplicates(&r).unwrap_err();
        assert!(matches!(e, AppError::Validation { field: Some(f), .. } if f == "requirements[2]"));
    }

    fn field<T: std::fmt::Debug>(r: Result<T, AppError>) -> String {
        match r {
            Err(AppError::Validation { field, .. }) => field.unwrap_or_default(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn the_version_in_force_is_the_latest_begun() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let v = |n: i64, from: &str| StandardVersion {
            title_code: "FF-CHAIR-COMMUNE".into(),
            version: n,
            effective_from: d(from),
            note: String::new(),
            created_by: "system".into(),
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            requirements: vec![],
        };
        let all = || vec![v(1, "2014-01-01"), v(2, "2020-01-01")];
        assert_eq!(in_force_on(all(), d("2013-12-31")), None);
        assert_eq!(
            in_force_on(all(), d("2019-12-31")).map(|v| v.version),
            Some(1)
        );
        assert_eq!(
            in_force_on(all(), d("2020-01-01")).map(|v| v.version),
            Some(2)
        );
        assert!(check_note(&"x".repeat(1000)).is_ok());
        assert_eq!(field(check_note(&"x".repeat(1001))), "note");
    }

    #[test]
    fn title_fields_and_filters_are_checked() {
        let t = NewTitle::parse(
            " ff-chair-x ",
            " Chủ tịch ",
            "Chair",
            Organisation::FatherlandFront,
            " commune ",
        )
        .unwrap();
        assert_eq!(
            (t.code.as_str(), t.name_vi.as_str(), t.level.as_str()),
            ("FF-CHAIR-X", "Chủ tịch", "commune")
        );
        let p =
            |code, vi, level| NewTitle::parse(code, vi, "Chair", Organisation::YouthUnion, level);
        assert_eq!(field(p("F", "x", "city")), "code");
        assert_eq!(field(p("FF-X", " ", "city")), "name_vi");
        assert_eq!(field(p("FF-X", "x", "ward")), "level");
        assert_eq!(title_filters(Some(" "), None).unwrap(), (None, None));
        assert_eq!(
            title_filters(Some("city"), Some("youth_union")).unwrap(),
            (Some("city"), Some("youth_union"))
        );
        assert_eq!(field(title_filters(Some("ward"), None)), "level");
        assert_eq!(field(title_filters(None, Some("club"))), "org_kind");
        assert_eq!(
            title_names(("a", "b"), None, Some(" B ")).unwrap(),
            ("a".to_string(), "B".to_string())
        );
        assert_eq!(field(title_names(("a", "b"), Some(""), None)), "name_vi");
    }
}
