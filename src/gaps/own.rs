//! A cadre's own gaps against the standards of the titles they hold or are planned for, with the
//! open classes that would close each: the service `/api/me` (and the officers' view of one cadre,
//! `service::gaps_of`) use.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

use super::reference::ReferenceCache;
use super::report::{required_rank, Assessment};
use super::store::{self, Holding, OpenClassRow, ScaleRef};
use crate::db::version::DataVersion;
use crate::error::AppResult;
use crate::standards::store::StandardVersion;

/// A class that would close a gap.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosingClass {
    /// Class code.
    pub class_code: String,
    /// Module taught.
    pub module_code: String,
    /// Title.
    pub title: String,
    /// Seats still free.
    pub seats_left: i64,
    /// Its first session's start: cadres and officers enrol until then.
    pub starts_at: DateTime<Utc>,
}

/// One requirement of a cadre's own gap.
#[derive(Debug, Serialize, ToSchema)]
pub struct GapItem {
    /// The verdict.
    #[serde(flatten)]
    pub check: super::engine::Check,
    /// Open classes that would close it (for unmet module and level requirements).
    pub open_classes: Vec<ClosingClass>,
}

/// A cadre's standing against one title.
#[derive(Debug, Serialize, ToSchema)]
pub struct TitleGap {
    /// Title code.
    pub title_code: String,
    /// `incumbent` or `planned`.
    pub population: Holding,
    /// Standard version applied (absent: none in force).
    pub standard_version: Option<i64>,
    /// Whether every requirement is met.
    pub meets: Option<bool>,
    /// Every requirement with its verdict.
    pub requirements: Vec<GapItem>,
}

/// What a cadre's own gaps are computed from, as `/api/me` has already loaded it.
pub struct OwnRecord<'a> {
    /// The cadre.
    pub cadre: &'a crate::cadres::store::CadreView,
    /// Titles held (every period).
    pub titles: &'a [crate::cadres::store::TitlePeriod],
    /// Titles planned (every period).
    pub plans: &'a [crate::cadres::store::TitlePeriod],
    /// Qualifications with their revocation days.
    pub qualifications: &'a [crate::cadres::store::QualificationFactRow],
    /// Completions.
    pub completions: &'a [crate::completions::store::CompletionRow],
}

/// The same gaps as `service::gaps_of` from a record already loaded: the engine is given the cadre's
/// raw qualifications and completions (it filters them by date and revocation itself). The
/// standards in force and the scales come from the reference cache at the caller's reference
/// `version` (read on the held connection when missing, or always without a version); only the
/// open classes taking enrolments on `today` (the city's day of `now`) and not begun by `now`,
/// when a gap is open that a class could close, are read here.
pub async fn own_gaps_on(
    conn: &mut crate::db::Conn,
    r: &OwnRecord<'_>,
    as_of: NaiveDate,
    (now, today): (DateTime<Utc>, NaiveDate),
    reference: &ReferenceCache,
    version: Option<&DataVersion>,
) -> AppResult<Vec<TitleGap>> {
    use super::engine::{assess, CadreFacts, CompletionFact, QualificationFact};
    // Titles held or planned on the day, incumbents first, each in id order.
    let on_day = |t: &&crate::cadres::store::TitlePeriod| {
        t.from_date <= as_of && t.to_date.is_none_or(|to| to >= as_of)
    };
    let mut held: Vec<_> = r.titles.iter().filter(on_day).collect();
    let mut planned: Vec<_> = r.plans.iter().filter(on_day).collect();
    if held.is_empty() && planned.is_empty() {
        return Ok(vec![]);
    }
    held.sort_by_key(|t| t.id);
    planned.sort_by_key(|t| t.id);
    let holders: Vec<(Holding, &crate::cadres::store::TitlePeriod)> = held
        .into_iter()
        .map(|t| (Holding::Incumbent, t))
        .chain(planned.into_iter().map(|t| (Holding::Planned, t)))
        .collect();
    let (standards, scales) = reference.held(conn, version, as_of).await?;
    let facts = CadreFacts {
        birth_date: r.cadre.birth_date,
        party_joined_on: r.cadre.party_joined_on,
        qualifications: r
            .qualifications
            .iter()
            .map(|q| QualificationFact {
                scale: q.view.scale.clone(),
                level: q.view.level.clone(),
                rank: q.view.rank,
                obtained_on: q.view.obtained_on,
                revoked_on: q.revoked_on,
            })
            .collect(),
        completions: r
            .completions
            .iter()
            .map(|c| CompletionFact {
                module: c.module_code.clone(),
                completed_on: c.completed_on,
                revoked_on: c.revoked_on,
            })
            .collect(),
    };
    let assessed: Vec<Assessment> = holders
        .into_iter()
        .map(|(population, t)| {
            let std = standards.get(&t.title_code);
            let checks = match std {
                None => vec![],
                Some(s) => {
                    let rules = super::report::rules(&s.requirements, &scales);
                    let reference = if population == Holding::Incumbent {
                        t.appointed_on
                    } else {
                        as_of
                    };
                    assess(&facts, &rules, as_of, reference)
                }
            };
            Assessment {
                cadre_id: r.cadre.id,
                full_name: r.cadre.full_name.clone(),
                population,
                title_code: t.title_code.clone(),
                unit_code: r.cadre.unit_code.clone(),
                unit_path: r.cadre.unit_path.clone(),
                unplaced: false,
                gender: r.cadre.gender,
                age: super::engine::full_years(r.cadre.birth_date, as_of),
                ethnic_minority: r.cadre.ethnic_minority,
                standard_version: std.map(|s| s.version),
                checks,
            }
        })
        .collect();
    let open = if needs_open_classes(&assessed) {
        store::open_classes(&mut *conn, now, today).await?
    } else {
        vec![]
    };
    Ok(title_gaps(assessed, &standards, &scales, &open))
}

/// Whether any unmet requirement could be closed by a class (modules and levels).
pub(super) fn needs_open_classes(assessed: &[Assessment]) -> bool {
    assessed
        .iter()
        .flat_map(|a| a.unmet())
        .any(|c| c.key.starts_with("module:") || c.key.starts_with("min_level:"))
}

pub(super) fn title_gaps(
    assessed: Vec<Assessment>,
    standards: &HashMap<String, StandardVersion>,
    scales: &ScaleRef,
    open: &[OpenClassRow],
) -> Vec<TitleGap> {
    let closing = |o: &OpenClassRow| ClosingClass {
        class_code: o.code.clone(),
        module_code: o.module_code.clone(),
        title: o.title.clone(),
        seats_left: o.seats_left.max(0),
        starts_at: o.starts_at,
    };
    assessed
        .into_iter()
        .map(|a| {
            let std = standards.get(&a.title_code);
            let requirements = a
                .checks
                .iter()
                .map(|c| {
                    let open_classes = if c.met {
                        vec![]
                    } else if let Some(m) = c.key.strip_prefix("module:") {
                        open.iter()
                            .filter(|o| o.module_code == m)
                            .map(closing)
                            .collect()
                    } else if let Some(scale) = c.key.strip_prefix("min_level:") {
                        let need = std.and_then(|s| required_rank(s, scale, scales));
                        open.iter()
                            .filter(|o| {
                                o.awards_scale.as_deref() == Some(scale)
                                    && o.awards_level
                                        .as_ref()
                                        .and_then(|l| {
                                            scales.rank_of.get(&(scale.to_string(), l.clone()))
                                        })
                                        .zip(need)
                                        .is_some_and(|(r, n)| *r >= n)
                            })
                            .map(closing)
                            .collect()
                    } else {
                        vec![]
                    };
                    GapItem {
                        check: c.clone(),
                        open_classes,
                    }
                })
                .collect();
            TitleGap {
                meets: a.meets(),
                title_code: a.title_code,
                population: a.population,
                standard_version: a.standard_version,
                requirements,
            }
        })
        .collect()
}
