//! Checking the record's qualification sheet: every qualification with its provenance (entered by
//! hand, imported, awarded by a completion) and its revocation. Pure.

use chrono::NaiveDate;
use serde_json::json;
use std::collections::{HashMap, HashSet};

use super::domain::Part;
use super::plan::{part_layout, person, Person};
use crate::auth::Scope;
use crate::cadres::rules::check_life_date;
use crate::error::{AppError, ProblemCode as C, Problems};
use crate::imports::plan::ImportCounts;
use crate::imports::rows::Row;
use crate::shared::table::Sheet;
use crate::shared::text::fold;

/// Source of a qualification as the exchange writes it.
pub fn source_vi(source: &str) -> &str {
    match source {
        "manual" => "thủ công",
        "import" => "nhập",
        "completion" => "học phần",
        other => other,
    }
}

/// Source of a qualification as a cell gives it.
pub fn source_from_text(s: &str) -> Option<&'static str> {
    match fold(s).as_str() {
        "thu cong" | "manual" | "nhap tay" => Some("manual"),
        "nhap" | "import" | "nhap tu tep" => Some("import"),
        "hoc phan" | "completion" | "hoan thanh hoc phan" => Some("completion"),
        _ => None,
    }
}

/// A qualification's natural key: (cadre, scale, level, day obtained).
pub type Key = (i64, String, String, NaiveDate);

/// What the record carries of a qualification besides its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualificationFacts {
    /// Issuer.
    pub issuer: String,
    /// Evidence (diploma number).
    pub evidence: String,
    /// `manual`, `import` or `completion`.
    pub source: String,
    /// Provenance.
    pub source_ref: String,
    /// Revoked on.
    pub revoked_on: Option<NaiveDate>,
}

/// What a qualification sheet is checked against.
#[derive(Debug, Clone, Default)]
pub struct QualificationLookups {
    /// Cadres by personal id.
    pub people: HashMap<String, Person>,
    /// Known (scale, level) pairs.
    pub levels: HashSet<(String, String)>,
    /// Qualifications on record of those cadres.
    pub on_record: HashMap<Key, (i64, QualificationFacts)>,
}

/// A qualification to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewQualification {
    /// Cadre.
    pub cadre_id: i64,
    /// Scale.
    pub scale: String,
    /// Level.
    pub level: String,
    /// Day obtained.
    pub obtained_on: NaiveDate,
    /// The rest.
    pub facts: QualificationFacts,
}

/// The writes of a qualification sheet.
#[derive(Debug, Clone, Default)]
pub struct QualificationPlan {
    /// To insert.
    pub new: Vec<NewQualification>,
    /// New issuer and evidence: (id, issuer, evidence).
    pub updates: Vec<(i64, String, String)>,
    /// Row counts.
    pub counts: ImportCounts,
}

/// Checks a qualification sheet and gives its writes or every problem. A row matching one on
/// record (person, scale, level, day) is that one: unchanged when equal, a new issuer or
/// evidence taken; its provenance and revocation change only on the cadre's page.
pub fn plan_qualifications(
    sheet: &Sheet,
    lookups: &QualificationLookups,
    scope: &Scope,
    today: NaiveDate,
    problems: Problems,
) -> Result<QualificationPlan, AppError> {
    let l = part_layout(Part::Qualifications, sheet)?;
    let mut errors = problems;
    let mut plan = QualificationPlan::default();
    plan.counts.rows = sheet.rows.len();
    let mut seen: HashMap<Key, usize> = HashMap::new();
    for (line, cells) in &sheet.rows {
        let mut r = Row::new(*line, cells, &l, &mut errors);
        let who = person(&mut r, &lookups.people, scope);
        // Codes are lower case (`political_theory`, `intermediate`); any case is read.
        let scale = r.required("scale_code").map(|s| s.to_lowercase());
        let level = r.required("level_code").map(|s| s.to_lowercase());
        if let (Some(s), Some(v)) = (&scale, &level) {
            if !lookups.levels.contains(&(s.clone(), v.clone())) {
                r.problem_with(
                    "level_code",
                    C::LevelUnknown,
                    json!({"scale": s, "level": v}),
                );
            }
        }
        let day = r.required_date("obtained_on");
        if let (Some(d), Some(p)) = (day, who) {
            if check_life_date(d, p.birth_date, today).is_err() {
                r.problem("obtained_on", C::DateOutsideLife);
            }
        }
        let issuer = r.short("issuer", 200).unwrap_or_default();
        let evidence = r.short("evidence", 200).unwrap_or_default();
        let source = r.required("source").and_then(|s| {
            let found = source_from_text(&s);
            if found.is_none() {
                r.problem("source", C::QualificationSourceInvalid);
            }
            found
        });
        let source_ref = r.short("source_ref", 300).unwrap_or_default();
        let revoked_on = r.date("revoked_on");
        if let (Some(d), Some(v)) = (day, revoked_on) {
            if v < d || v > today {
                r.problem("revoked_on", C::RevocationDayRange);
            }
        }
        if r.failed() {
            continue;
        }
        let (Some(p), Some(scale), Some(level), Some(day), Some(source)) =
            (who, scale, level, day, source)
        else {
            continue;
        };
        let key = (p.id, scale.clone(), level.clone(), day);
        if let Some(first) = seen.insert(key.clone(), *line) {
            r.problem_with(
                "obtained_on",
                C::QualificationRepeated,
                json!({"row_first": first}),
            );
            continue;
        }
        let facts = QualificationFacts {
            issuer,
            evidence,
            source: source.to_string(),
            source_ref,
            revoked_on,
        };
        match lookups.on_record.get(&key) {
            Some((_, on)) if *on == facts => plan.counts.unchanged += 1,
            Some((id, on))
                if on.source == facts.source
                    && on.source_ref == facts.source_ref
                    && on.revoked_on == facts.revoked_on =>
            {
                plan.updates.push((*id, facts.issuer, facts.evidence));
                plan.counts.updated += 1;
            }
            Some(_) => r.problem("source", C::QualificationDiffers),
            None => {
                plan.new.push(NewQualification {
                    cadre_id: p.id,
                    scale,
                    level,
                    obtained_on: day,
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

    #[test]
    fn sources_read_back() {
        for s in ["manual", "import", "completion"] {
            assert_eq!(source_from_text(source_vi(s)), Some(s));
        }
    }
}
