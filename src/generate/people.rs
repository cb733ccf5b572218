//! One generation phase: people on a set of units, the titles they hold over given terms and the
//! planned successors, and their facts (qualifications, completions, Party membership).
//!
//! Holders are chosen the way an organisation commission would: among the unit's people young
//! enough for the title on the day of appointment, preferring someone who holds no other title in
//! that term, often keeping the previous holder. About seven in ten holders and planned successors
//! are *diligent*: they get exactly what their titles' standards (every version) ask for, in time;
//! the others get a random record, which rarely meets a whole standard. So a city report shows a
//! believable compliance level, and reports before and after a new standard version differ.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, Months, NaiveDate};

use super::{Rng, ETHNIC, FAMILY, GIVEN_F, GIVEN_M, MIDDLE_F, MIDDLE_M, MODULES, ORGS};
use crate::cadres::rules::{check_title_age, of_title_age_on};
use crate::db::bulk::V;
use crate::db::{Db, Tx};
use crate::error::AppResult;
use crate::gaps::engine::full_years;
use crate::on_db;
use crate::standards::domain::Requirement;
use crate::units::domain::UnitLevel;

/// Why a generated completion was revoked.
const REVOKE_REASON: &str = "Hồ sơ gốc không hợp lệ (dữ liệu mẫu)";

/// What a title's standards ask for, merged over all their versions.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// The lowest age limit at appointment, if any.
    pub max_age: Option<i64>,
    /// The most years of Party membership asked.
    pub party_years: i64,
    /// (scale, level) at the highest rank asked per scale.
    pub levels: Vec<(String, String)>,
    /// (module, within years): a refresh period when any version asks for one.
    pub modules: Vec<(String, Option<i64>)>,
}

impl Profile {
    /// Adds the asks of `other` (stricter of the two wherever they overlap).
    fn merge(&mut self, other: &Profile, rank: &HashMap<(String, String), i64>) {
        self.max_age = match (self.max_age, other.max_age) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.party_years = self.party_years.max(other.party_years);
        for (s, l) in &other.levels {
            let r = |l: &str| rank.get(&(s.clone(), l.to_string())).copied().unwrap_or(0);
            match self.levels.iter_mut().find(|x| &x.0 == s) {
                Some(x) if r(&x.1) < r(l) => x.1 = l.clone(),
                Some(_) => {}
                None => self.levels.push((s.clone(), l.clone())),
            }
        }
        for (m, w) in &other.modules {
            match self.modules.iter_mut().find(|x| &x.0 == m) {
                Some(x) => {
                    x.1 = match (x.1, *w) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    }
                }
                None => self.modules.push((m.clone(), *w)),
            }
        }
    }
}

/// A title with what its standards ask.
#[derive(Debug, Clone)]
pub struct TitleRef {
    /// Id.
    pub id: i64,
    /// Level of the units it exists at.
    pub level: UnitLevel,
    /// The merged asks of its standards.
    pub profile: Profile,
}

/// The reference data a phase needs.
pub struct Reference {
    /// Every title.
    pub titles: Vec<TitleRef>,
    /// Module code → id.
    pub module_ids: HashMap<String, i64>,
    /// (scale, level) → rank.
    pub rank: HashMap<(String, String), i64>,
}

impl Reference {
    /// Reads titles, their standards, modules and level ranks.
    pub async fn load(db: &Db) -> AppResult<Reference> {
        let titles: Vec<(i64, String, String)> = on_db!(db, |p| sqlx::query_as(
            "SELECT id, code, level FROM titles WHERE active ORDER BY id"
        )
        .fetch_all(p)
        .await?);
        let module_ids: Vec<(String, i64)> =
            on_db!(db, |p| sqlx::query_as("SELECT code, id FROM modules")
                .fetch_all(p)
                .await?);
        let ranks: Vec<(String, String, i64)> = on_db!(db, |p| sqlx::query_as(
            "SELECT scale_code, code, rank FROM qualification_levels"
        )
        .fetch_all(p)
        .await?);
        let rank: HashMap<(String, String), i64> =
            ranks.into_iter().map(|(s, l, r)| ((s, l), r)).collect();
        let mut out = Vec::with_capacity(titles.len());
        for (id, code, level) in titles {
            let level = match level.as_str() {
                "city" => UnitLevel::City,
                "district" => UnitLevel::District,
                _ => UnitLevel::Commune,
            };
            let mut profile = Profile::default();
            for v in crate::standards::store::versions(db, &code).await? {
                let mut p = Profile::default();
                for r in v.requirements {
                    match r {
                        Requirement::MinLevel { scale, level } => p.levels.push((scale, level)),
                        Requirement::Module {
                            module,
                            within_years,
                        } => p.modules.push((module, within_years)),
                        Requirement::MaxAge { years } => p.max_age = Some(years),
                        Requirement::MinPartyYears { years } => p.party_years = years,
                    }
                }
                profile.merge(&p, &rank);
            }
            out.push(TitleRef { id, level, profile });
        }
        Ok(Reference {
            titles: out,
            module_ids: module_ids.into_iter().collect(),
            rank,
        })
    }
}

/// What one phase lays down.
pub struct Phase<'a> {
    /// The units people work in (code, level).
    pub units: &'a [(String, UnitLevel)],
    /// How many people.
    pub n: usize,
    /// The first cadre id.
    pub first_id: i64,
    /// Offset of this phase's personal ids (so phases never share one).
    pub index_base: u64,
    /// People start in their unit on a day in this range (title holders earlier if needed).
    pub since: (NaiveDate, NaiveDate),
    /// Terms of office.
    pub terms: &'a [(NaiveDate, Option<NaiveDate>)],
    /// Planned successors are named on a day in this range.
    pub plans: (NaiveDate, NaiveDate),
    /// Whether 5 % of the people without a title move once between communes.
    pub moves: bool,
    /// A unit whose first incumbent of the open term becomes the demo cadre (not diligent, and
    /// never trained in one module their title asks for, so their record shows a gap).
    pub demo_unit: Option<&'a str>,
}

/// What a phase wrote.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Cadres.
    pub cadres: usize,
    /// Qualifications.
    pub quals: usize,
    /// Completions.
    pub comps: usize,
    /// Title assignments.
    pub held: usize,
    /// Planned-successor entries.
    pub planned: usize,
    /// The demo cadre's id, when asked for and found.
    pub demo_cadre: Option<i64>,
}

struct Person {
    unit: usize,
    birth: NaiveDate,
    female: bool,
}

struct Seat {
    person: usize,
    title: usize,
    unit: usize,
    from: NaiveDate,
    to: Option<NaiveDate>,
}

/// Every unit gets people enough for its titles, one each, and two more (successors): a unit
/// short of them takes people, in order, from units with more than they need. So a district or
/// the city, which few people are drawn to at random, has a chair and a vice-chair who are two
/// people.
fn staff_every_unit(persons: &mut [Person], units: &[(String, UnitLevel)], refs: &Reference) {
    let need: Vec<usize> = units
        .iter()
        .map(|(_, level)| refs.titles.iter().filter(|t| t.level == *level).count() + 2)
        .collect();
    let mut count = vec![0usize; units.len()];
    for p in persons.iter() {
        count[p.unit] += 1;
    }
    let mut next = 0;
    for u in 0..units.len() {
        while count[u] < need[u] {
            while next < persons.len() && count[persons[next].unit] <= need[persons[next].unit] {
                next += 1;
            }
            let Some(p) = persons.get_mut(next) else {
                return;
            };
            count[p.unit] -= 1;
            p.unit = u;
            count[u] += 1;
            next += 1;
        }
    }
}

fn age_ok(p: &Person, on: NaiveDate, limit: i64) -> bool {
    (25..=limit).contains(&full_years(p.birth, on))
}

/// Runs one phase inside `tx`. Every date is derived from `as_of` (the day the data is laid as
/// of); `now` only stamps the rows' instants.
pub async fn generate(
    tx: &mut Tx,
    rng: &mut Rng,
    refs: &Reference,
    ph: &Phase<'_>,
    seed: u64,
    now: chrono::DateTime<chrono::Utc>,
    as_of: NaiveDate,
) -> AppResult<Outcome> {
    let d = |y: i32, m: u32, dd: u32| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
    let mut out = Outcome::default();
    if ph.units.is_empty() || ph.n == 0 {
        return Ok(out);
    }
    let communes: Vec<usize> = (0..ph.units.len())
        .filter(|&u| ph.units[u].1 == UnitLevel::Commune)
        .collect();
    // People: unit, birth, gender first; the rest of the record once titles are known.
    let mut persons: Vec<Person> = (0..ph.n)
        .map(|_| Person {
            female: rng.chance(52),
            unit: if rng.chance(85) && !communes.is_empty() {
                *rng.pick(&communes)
            } else {
                rng.below(ph.units.len() as u64) as usize
            },
            birth: rng.date(d(1960, 1, 1), d(2001, 1, 1)),
        })
        .collect();
    staff_every_unit(&mut persons, ph.units, refs);
    let mut by_unit: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, p) in persons.iter().enumerate() {
        by_unit.entry(p.unit).or_default().push(i);
    }
    // Titles: every title of the unit's level, over each term, and one or two planned successors.
    let mut held: Vec<Seat> = Vec::new();
    let mut planned: Vec<Seat> = Vec::new();
    for (u, (_, level)) in ph.units.iter().enumerate() {
        let Some(people) = by_unit.get(&u) else {
            continue;
        };
        let mut busy: HashSet<(usize, usize)> = HashSet::new();
        for (ti, t) in refs.titles.iter().enumerate() {
            if t.level != *level {
                continue;
            }
            let limit = t.profile.max_age.unwrap_or(60);
            let mut prev: Option<usize> = None;
            for (k, (from, to)) in ph.terms.iter().enumerate() {
                let fits = |p: usize| age_ok(&persons[p], *from, limit);
                let who = match prev {
                    Some(p) if fits(p) && !busy.contains(&(p, k)) && rng.chance(50) => p,
                    _ => {
                        let free: Vec<usize> = people
                            .iter()
                            .copied()
                            .filter(|&p| fits(p) && !busy.contains(&(p, k)))
                            .collect();
                        // Nobody of the age: an adult, or the seat stays empty this term (a
                        // title is held from eighteen). Nobody holds two titles of a unit in
                        // one term (the chair is not also the vice-chair).
                        let adults: Vec<usize> = people
                            .iter()
                            .copied()
                            .filter(|&p| {
                                check_title_age(*from, persons[p].birth).is_ok()
                                    && !busy.contains(&(p, k))
                            })
                            .collect();
                        if !free.is_empty() {
                            *rng.pick(&free)
                        } else if !adults.is_empty() {
                            *rng.pick(&adults)
                        } else {
                            prev = None;
                            continue;
                        }
                    }
                };
                busy.insert((who, k));
                held.push(Seat {
                    person: who,
                    title: ti,
                    unit: u,
                    from: *from,
                    to: *to,
                });
                prev = Some(who);
            }
            // Planned successors: distinct people, not the incumbent, young enough on the as-of
            // day if possible.
            let others: Vec<usize> = people
                .iter()
                .copied()
                .filter(|&p| Some(p) != prev)
                .collect();
            let young: Vec<usize> = others
                .iter()
                .copied()
                .filter(|&p| age_ok(&persons[p], as_of, limit))
                .collect();
            let mut pool = if young.is_empty() { others } else { young };
            for _ in 0..1 + rng.below(2) {
                if pool.is_empty() {
                    break;
                }
                let who = pool.swap_remove(rng.below(pool.len() as u64) as usize);
                let from = rng.date(ph.plans.0, ph.plans.1);
                // Planned from eighteen: a younger one is planned from that birthday.
                let from = from.max(of_title_age_on(persons[who].birth));
                planned.push(Seat {
                    person: who,
                    title: ti,
                    unit: u,
                    from,
                    to: None,
                });
            }
        }
    }
    // Who has a role, since when, and what their titles ask; who is diligent.
    struct Role {
        first: NaiveDate,
        profile: Profile,
        diligent: bool,
        skip_module: Option<String>,
    }
    let mut roles: HashMap<usize, Role> = HashMap::new();
    for s in held.iter().chain(planned.iter()) {
        let r = roles.entry(s.person).or_insert_with(|| Role {
            first: s.from,
            profile: Profile::default(),
            diligent: false,
            skip_module: None,
        });
        r.first = r.first.min(s.from);
        r.profile.merge(&refs.titles[s.title].profile, &refs.rank);
    }
    let mut ordered: Vec<usize> = roles.keys().copied().collect();
    ordered.sort_unstable();
    for p in &ordered {
        let diligent = rng.chance(72);
        if let Some(r) = roles.get_mut(p) {
            r.diligent = diligent;
        }
    }
    if let Some(code) = ph.demo_unit {
        let demo = held
            .iter()
            .filter(|s| s.to.is_none() && ph.units[s.unit].0 == code)
            .map(|s| s.person)
            .min();
        if let Some(p) = demo {
            if let Some(r) = roles.get_mut(&p) {
                r.diligent = false;
                r.skip_module = r.profile.modules.first().map(|m| m.0.clone());
            }
            out.demo_cadre = Some(ph.first_id + p as i64);
        }
    }
    // The records, in chunks so that memory stays bounded at the national scale.
    const CHUNK: usize = 50_000;
    let module_id = |code: &str| refs.module_ids.get(code).copied().unwrap_or(1);
    for chunk_start in (0..ph.n).step_by(CHUNK) {
        let chunk_end = (chunk_start + CHUNK).min(ph.n);
        let mut cadre_rows = Vec::with_capacity(CHUNK);
        let mut unit_rows = Vec::with_capacity(CHUNK + CHUNK / 20);
        let mut qual_rows = Vec::with_capacity(CHUNK * 2);
        let mut comp_rows = Vec::with_capacity(CHUNK * 10);
        for (i, person) in persons.iter().enumerate().take(chunk_end).skip(chunk_start) {
            let id = ph.first_id + i as i64;
            let role = roles.get(&i);
            let diligent = role.filter(|r| r.diligent);
            let family = rng.weighted(FAMILY);
            let name = if person.female {
                format!("{family} {} {}", rng.pick(MIDDLE_F), rng.pick(GIVEN_F))
            } else {
                format!("{family} {} {}", rng.pick(MIDDLE_M), rng.pick(GIVEN_M))
            };
            let unit = ph.units[person.unit].0.clone();
            let birth = person.birth;
            let adult = birth + Duration::days(18 * 366);
            let ethnicity = rng.weighted(ETHNIC);
            let party = match diligent {
                Some(r) => {
                    let years = r.profile.party_years.max(1) as u32;
                    let latest = r
                        .first
                        .checked_sub_months(Months::new(years * 12))
                        .unwrap_or(adult)
                        - Duration::days(1);
                    Some(if latest > adult {
                        rng.date(adult.max(latest - Duration::days(12 * 365)), latest)
                    } else {
                        adult
                    })
                }
                None => rng
                    .chance(70)
                    .then(|| rng.date(adult, as_of.min(birth + Duration::days(45 * 366)))),
            };
            let mut since = rng.date(ph.since.0, ph.since.1);
            if let Some(r) = role {
                since = since.min(r.first);
            }
            let skip = role.and_then(|r| r.skip_module.as_deref());
            cadre_rows.push(vec![
                V::I(id),
                V::S(name.clone()),
                V::S(crate::cadres::domain::fold_name(&name)),
                V::S(crate::cadres::domain::sort_key(&name)),
                V::S(if person.female { "female" } else { "male" }.into()),
                V::D(birth),
                V::S(ethnicity.into()),
                V::B(ethnicity != "Kinh"),
                V::OD(party),
                V::S(format!(
                    "{:012}",
                    seed % 100 * 10_000_000_000 + ph.index_base + i as u64
                )),
                V::S(unit.clone()),
                V::S(rng.weighted(ORGS).into()),
                V::B(true),
                V::T(now),
                V::T(now),
            ]);
            // 5 % of the people without a title moved once between communes.
            if ph.moves && role.is_none() && communes.len() > 1 && rng.chance(5) {
                let moved = rng.date(since + Duration::days(200), d(2025, 1, 1));
                let mut before = *rng.pick(&communes);
                if before == person.unit {
                    before = communes[(communes.iter().position(|&c| c == before).unwrap_or(0)
                        + 1)
                        % communes.len()];
                }
                unit_rows.push(vec![
                    V::I(id),
                    V::S(ph.units[before].0.clone()),
                    V::D(since),
                    V::OD(Some(moved)),
                ]);
                unit_rows.push(vec![V::I(id), V::S(unit.clone()), V::D(moved), V::OD(None)]);
            } else {
                unit_rows.push(vec![V::I(id), V::S(unit.clone()), V::D(since), V::OD(None)]);
            }
            let grown = birth + Duration::days(22 * 366);
            let mut qual = |scale: &str, level: &str, on: NaiveDate| {
                qual_rows.push(vec![
                    V::I(id),
                    V::S(scale.into()),
                    V::S(level.into()),
                    V::D(on),
                    V::S("Cơ sở đào tạo".into()),
                    V::S(String::new()),
                    V::S("import".into()),
                    V::S("generated".into()),
                    V::OI(None),
                    V::T(now),
                ]);
            };
            // Before `first`: a day between `lo` and a month before it (or `lo` when too late).
            let before = |rng: &mut Rng, lo: NaiveDate, first: NaiveDate| {
                let hi = first - Duration::days(30);
                if hi > lo {
                    rng.date(lo.max(hi - Duration::days(8 * 365)), hi)
                } else {
                    lo.min(first)
                }
            };
            let asked: Vec<&str> = diligent
                .map(|r| r.profile.levels.iter().map(|l| l.0.as_str()).collect())
                .unwrap_or_default();
            if let Some(r) = diligent {
                for (scale, level) in &r.profile.levels {
                    let on = before(rng, grown, r.first);
                    qual(scale, level, on);
                }
            }
            if !asked.contains(&"professional_education") {
                let edu = rng.weighted(&[
                    ("bachelor", 60),
                    ("college", 10),
                    ("vocational", 10),
                    ("master", 12),
                    ("none", 8),
                ]);
                if edu != "none" {
                    // Never after the as-of day (only a day in 2025 can come before the end of
                    // the three years; the draw is the same either way).
                    qual(
                        "professional_education",
                        edu,
                        rng.date(grown, grown + Duration::days(3 * 365)).min(as_of),
                    );
                }
            }
            if !asked.contains(&"political_theory") {
                let pt = rng.weighted(&[
                    ("elementary", 40),
                    ("intermediate", 33),
                    ("advanced", 8),
                    ("none", 19),
                ]);
                if pt != "none" {
                    qual(
                        "political_theory",
                        pt,
                        rng.date(grown, as_of.max(grown + Duration::days(1))),
                    );
                }
            }
            if !asked.contains(&"state_management") && rng.chance(35) {
                let sm = rng.weighted(&[
                    ("officer", 75),
                    ("principal_officer", 22),
                    ("senior_officer", 3),
                ]);
                qual(
                    "state_management",
                    sm,
                    rng.date(grown, as_of.max(grown + Duration::days(1))),
                );
            }
            // One completion of a module a day, as the imports key them (a second draw of the
            // same day is left out; the draws themselves do not change).
            let mut done: HashSet<(i64, NaiveDate)> = HashSet::new();
            let mut completion = |module: &str, on: NaiveDate, revoked: Option<NaiveDate>| {
                if skip == Some(module) || !done.insert((module_id(module), on)) {
                    return;
                }
                comp_rows.push(vec![
                    V::I(id),
                    V::I(module_id(module)),
                    V::I(1),
                    V::D(on),
                    V::S("import".into()),
                    V::S("generated".into()),
                    V::OD(revoked),
                    // A revocation has its reason, as the API asks for one.
                    V::OS(revoked.map(|_| REVOKE_REASON.to_string())),
                    V::T(now),
                ]);
            };
            // What the titles ask, in time: once before the first role, refreshed within the period.
            if let Some(r) = diligent {
                for (module, within) in &r.profile.modules {
                    match within {
                        None => {
                            let lo = (birth + Duration::days(20 * 366))
                                .max(r.first - Duration::days(3 * 365));
                            completion(module, before(rng, lo, r.first), None);
                        }
                        Some(w) => {
                            let step = (*w * 365 - 150).max(200);
                            let mut on = r.first - Duration::days(30 + rng.below(300) as i64);
                            while on <= as_of {
                                completion(module, on, None);
                                on += Duration::days(step - rng.below(120) as i64);
                            }
                        }
                    }
                }
            }
            // Other training: on average 10 a cadre (3 for the diligent), from 2005 to the as-of
            // day; about 0.5 % revoked later.
            let start = (birth + Duration::days(20 * 366)).max(d(2005, 1, 1));
            if start < as_of {
                let n = if diligent.is_some() { 7 } else { 21 };
                for _ in 0..rng.below(n) {
                    let on = rng.date(start, as_of);
                    let revoked = rng
                        .chance(1)
                        .then(|| rng.date(on, as_of + Duration::days(1)))
                        .filter(|r| *r > on && rng.chance(50));
                    completion(rng.weighted(MODULES), on, revoked);
                }
            }
        }
        out.quals += qual_rows.len();
        out.comps += comp_rows.len();
        crate::db::bulk::insert(
            tx,
            "cadres",
            &[
                "id",
                "full_name",
                "name_folded",
                "sort_key",
                "gender",
                "birth_date",
                "ethnicity",
                "ethnic_minority",
                "party_joined_on",
                "personal_id",
                "unit_code",
                "organisation",
                "active",
                "created_at",
                "updated_at",
            ],
            cadre_rows,
        )
        .await?;
        crate::db::bulk::insert(
            tx,
            "cadre_units",
            &["cadre_id", "unit_code", "from_date", "to_date"],
            unit_rows,
        )
        .await?;
        crate::db::bulk::insert(
            tx,
            "cadre_qualifications",
            crate::cadres::store::QUALIFICATION_COLUMNS,
            qual_rows,
        )
        .await?;
        crate::db::bulk::insert(
            tx,
            "completions",
            &[
                "cadre_id",
                "module_id",
                "module_version",
                "completed_on",
                "source",
                "source_ref",
                "revoked_on",
                "revoke_reason",
                "created_at",
            ],
            comp_rows,
        )
        .await?;
        tracing::info!(cadres = chunk_end, completions = out.comps, "generating");
    }
    out.cadres = ph.n;
    out.held = held.len();
    out.planned = planned.len();
    let seats = |v: &[Seat]| -> Vec<Vec<V>> {
        v.iter()
            .map(|s| {
                vec![
                    V::I(ph.first_id + s.person as i64),
                    V::I(refs.titles[s.title].id),
                    V::S(ph.units[s.unit].0.clone()),
                    V::D(s.from),
                    V::OD(s.to),
                    V::T(now),
                ]
            })
            .collect()
    };
    let cols = [
        "cadre_id",
        "title_id",
        "unit_code",
        "from_date",
        "to_date",
        "created_at",
    ];
    crate::db::bulk::insert(tx, "title_assignments", &cols, seats(&held)).await?;
    crate::db::bulk::insert(tx, "succession_plans", &cols, seats(&planned)).await?;
    Ok(out)
}
