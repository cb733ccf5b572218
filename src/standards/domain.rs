//! Requirements of a title standard, as written by the commission.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;

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

/// One requirement of a standard.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
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
                    format!("{f} must be between 1 and {max}"),
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
                format!("requirement {} repeats requirement {j}", r.key()),
            ));
        }
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
}
