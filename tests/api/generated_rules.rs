//! Generated data obeys the rules (issue 15): every record the generator lays down passes the
//! checks the API and the imports apply when the same record is entered by hand, through their
//! own rule functions (`cadres::domain`, `cadres::rules`, `completions::domain`), on the
//! generator's day (its as-of day is its "today"). A record's history is checked as it would have
//! been entered at the time: the unit of a period must exist and be live on the period's first
//! day (on the tree of that day).
//!
//! The failure counts the offending cadres per rule, with one example each.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{NaiveDate, TimeZone, Utc};

use cadre_training::auth::Scope;
use cadre_training::cadres::domain::{
    check_birth_date, check_party_date, check_period, parse_full_name, parse_personal_id,
    parse_words,
};
use cadre_training::cadres::rules::{
    check_life_date, check_move_date, check_title_level, check_unit, first_off_line, lasts_beyond,
    overlaps_another, same_organisation, unit_level, HomeSpan, Role, Span,
};
use cadre_training::completions::domain::{check_paper_day, paper_source, revocation_day};
use cadre_training::generate::{run, Scale};
use cadre_training::on_db;
use cadre_training::shared::text::required_text;

use crate::helpers::TestApp;

crate::slow_db_tests!(generated_data_obeys_the_rules_the_api_enforces);

/// A unit's state over `[from, to)` (`unit_periods`).
struct UnitState {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    kind: String,
    path: String,
    live: bool,
}

/// The tree over time: each unit's states.
struct Tree(HashMap<String, Vec<UnitState>>);

impl Tree {
    /// The unit `code` as it stood on `day`, if it existed.
    fn on(&self, code: &str, day: NaiveDate) -> Option<&UnitState> {
        self.0
            .get(code)?
            .iter()
            .find(|s| s.from.is_none_or(|f| f <= day) && s.to.is_none_or(|t| day < t))
    }

    /// The API's unit check (exists, live; every unit is in an admin's scope) on `day`.
    fn check(&self, code: &str, day: NaiveDate) -> Result<&UnitState, String> {
        check_unit(
            self.on(code, day),
            |u| (u.path.as_str(), !u.live),
            &Scope::All,
        )
        .map_err(|why| format!("unit {code} on {day}: {}", why.reason()))
    }
}

/// The offending cadres per rule, each with the first thing found.
#[derive(Default)]
struct Offences(BTreeMap<&'static str, BTreeMap<i64, String>>);

impl Offences {
    fn add(&mut self, rule: &'static str, cadre: i64, what: impl FnOnce() -> String) {
        self.0
            .entry(rule)
            .or_default()
            .entry(cadre)
            .or_insert_with(what);
    }

    fn report(&self) -> String {
        self.0
            .iter()
            .map(|(rule, who)| {
                let (id, what) = who.iter().next().expect("one at least");
                format!("{rule}: {} cadres (e.g. cadre {id}: {what})", who.len())
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A title held or planned: (cadre, title, unit, from, to).
type Period = (i64, i64, String, NaiveDate, Option<NaiveDate>);

async fn periods(app: &TestApp, table: &str) -> Vec<Period> {
    let sql = format!(
        "SELECT cadre_id, title_id, unit_code, from_date, to_date FROM {table} ORDER BY cadre_id, from_date, id"
    );
    on_db!(&app.state().db, |p| sqlx::query_as(&sql)
        .fetch_all(p)
        .await
        .unwrap())
}

/// The titles a list of periods names: one period of a title at a time, at a unit of the title's
/// level that was live on its first day, not ending before it starts.
fn check_titles(
    list: &'static [&'static str; 5],
    rows: &[Period],
    titles: &HashMap<i64, (String, String, bool)>,
    tree: &Tree,
    off: &mut Offences,
) {
    let [ends, inactive, unit, level, overlap] = *list;
    let mut by_title: BTreeMap<(i64, i64), Vec<Span>> = BTreeMap::new();
    for (cadre, title, unit_code, from, to) in rows {
        let (cadre, from, to) = (*cadre, *from, *to);
        if let Err(e) = check_period(from, to) {
            off.add(ends, cadre, || format!("{from}..{to:?}: {e}"));
        }
        let Some((code, title_level, active)) = titles.get(title) else {
            off.add(inactive, cadre, || format!("no title {title}"));
            continue;
        };
        if !active {
            off.add(inactive, cadre, || format!("title {code} is not active"));
        }
        match tree.check(unit_code, from) {
            Err(e) => off.add(unit, cadre, || format!("{code}: {e}")),
            Ok(u) => {
                if let Err(e) = check_title_level(code, title_level, unit_code, unit_level(&u.kind))
                {
                    off.add(level, cadre, || format!("from {from}: {e}"));
                }
            }
        }
        by_title
            .entry((cadre, *title))
            .or_default()
            .push(Span { from, to });
    }
    for ((cadre, title), spans) in by_title {
        for (i, s) in spans.iter().enumerate() {
            let others = spans
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, o)| *o);
            if overlaps_another(*s, others) {
                let code = titles.get(&title).map_or("?", |t| t.0.as_str());
                off.add(overlap, cadre, || format!("{code}: {spans:?}"));
                break;
            }
        }
    }
}

/// The demo data of two seeds, one laid as of a day after the 2025 reorganisation (and carried
/// across it), one as of a day before it, each on a database of its own.
async fn generated_data_obeys_the_rules_the_api_enforces(app: TestApp) {
    let day = |s: &str| s.parse::<NaiveDate>().unwrap();
    let other = TestApp::spawn(app.backend, &[])
        .await
        .expect("a second database");
    let mut found = vec![];
    for (app, seed, as_of) in [(&app, 1, day("2026-12-01")), (&other, 7, day("2025-03-01"))] {
        let (summary, off) = offences(app, seed, as_of).await;
        if !off.0.is_empty() {
            found.push(format!("{summary}:\n{}", off.report()));
        }
    }
    assert!(
        found.is_empty(),
        "generated data the API would refuse, offending cadres per rule:\n{}",
        found.join("\n")
    );
}

/// Generates the demo data of `seed` as of `as_of` into `app`'s empty database and checks every
/// record; gives the generator's summary and what offends.
async fn offences(app: &TestApp, seed: u64, as_of: NaiveDate) -> (String, Offences) {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/units");
    // The generator's day is the data's "today"; the clock says the same.
    let today = as_of;
    let noon = today.and_hms_opt(5, 0, 0).expect("time"); // noon in the city (UTC+7)
    app.state()
        .clock
        .set_now(Some(Utc.from_utc_datetime(&noon)));
    let summary = run(app.state(), Scale::Demo, seed, Some(as_of), &data)
        .await
        .expect("demo");
    assert_eq!(
        summary.contains("reorganised on 2025-07-01"),
        as_of >= day_of_reorganisation(),
        "{summary}"
    );
    let summary = summary
        .split_once(':')
        .map_or(summary.as_str(), |(head, _)| head)
        .to_string();
    let facts = Facts::load(app).await;
    assert!(facts.cadres.len() >= 2_000, "{summary}");
    assert!(
        facts.held.len() > 1_000 && facts.planned.len() > 1_000,
        "{summary}"
    );
    assert!(
        facts.quals.len() > 1_000 && facts.comps.len() > 10_000,
        "{summary}"
    );
    (summary, facts.offences(today))
}

/// The day the 2025 structure took effect.
fn day_of_reorganisation() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).expect("date")
}

/// A unit period as stored: (code, from, to, kind, path, status).
type UnitRow = (
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
    String,
    String,
    String,
);
/// A cadre: (id, full name, birth, Party date, personal id, ethnicity, unit, active).
type Cadre = (
    i64,
    String,
    NaiveDate,
    Option<NaiveDate>,
    String,
    String,
    String,
    bool,
);
/// A period in a unit: (cadre, unit, from, to exclusive).
type Stay = (i64, String, NaiveDate, Option<NaiveDate>);
/// A qualification: (cadre, scale, level, obtained).
type Qualification = (i64, String, String, NaiveDate);
/// A completion: (cadre, module, day, revoked, class, source, source reference).
type Completion = (
    i64,
    i64,
    NaiveDate,
    Option<NaiveDate>,
    Option<i64>,
    String,
    String,
    Option<String>,
);

/// Everything the generator laid that a write through the API or an import checks.
struct Facts {
    tree: Tree,
    /// Title id → (code, level, active).
    titles: HashMap<i64, (String, String, bool)>,
    /// Title id → organisation kind.
    orgs: HashMap<i64, String>,
    /// Unit code → path (as the API reads it).
    paths: HashMap<String, String>,
    cadres: Vec<Cadre>,
    stays: Vec<Stay>,
    held: Vec<Period>,
    planned: Vec<Period>,
    quals: Vec<Qualification>,
    comps: Vec<Completion>,
}

impl Facts {
    async fn load(app: &TestApp) -> Facts {
        let db = &app.state().db;
        let tree_rows: Vec<UnitRow> = on_db!(db, |p| {
            sqlx::query_as(
                "SELECT code, valid_from, valid_to, kind, path, status FROM unit_periods
                 ORDER BY code, valid_from",
            )
            .fetch_all(p)
            .await
            .unwrap()
        });
        let mut tree = Tree(HashMap::new());
        for (code, from, to, kind, path, status) in tree_rows {
            tree.0.entry(code).or_default().push(UnitState {
                from,
                to,
                kind,
                path,
                live: status == "live",
            });
        }
        let titles: HashMap<i64, (String, String, bool)> =
            on_db!(db, |p| sqlx::query_as::<_, (i64, String, String, bool)>(
                "SELECT id, code, level, active FROM titles"
            )
            .fetch_all(p)
            .await
            .unwrap())
            .into_iter()
            .map(|(id, code, level, active)| (id, (code, level, active)))
            .collect();
        let orgs: HashMap<i64, String> =
            on_db!(db, |p| sqlx::query_as("SELECT id, org_kind FROM titles")
                .fetch_all(p)
                .await
                .unwrap())
            .into_iter()
            .collect();
        let paths: HashMap<String, String> =
            on_db!(db, |p| sqlx::query_as("SELECT code, path FROM units")
                .fetch_all(p)
                .await
                .unwrap())
            .into_iter()
            .collect();
        let cadres: Vec<Cadre> = on_db!(db, |p| {
            sqlx::query_as(
                "SELECT id, full_name, birth_date, party_joined_on, personal_id, ethnicity, unit_code,
                        active
                 FROM cadres ORDER BY id",
            )
            .fetch_all(p)
            .await
            .unwrap()
        });
        let stays: Vec<Stay> = on_db!(db, |p| {
            sqlx::query_as(
                "SELECT cadre_id, unit_code, from_date, to_date FROM cadre_units ORDER BY cadre_id, from_date, id",
            )
            .fetch_all(p)
            .await
            .unwrap()
        });
        let quals: Vec<Qualification> = on_db!(db, |p| {
            sqlx::query_as(
                "SELECT cadre_id, scale_code, level_code, obtained_on FROM cadre_qualifications ORDER BY id",
            )
            .fetch_all(p)
            .await
            .unwrap()
        });
        let comps: Vec<Completion> = on_db!(db, |p| {
            sqlx::query_as(
                "SELECT cadre_id, module_id, completed_on, revoked_on, class_id, source, source_ref,
                        revoke_reason
                 FROM completions ORDER BY id",
            )
            .fetch_all(p)
            .await
            .unwrap()
        });
        let held = periods(app, "title_assignments").await;
        let planned = periods(app, "succession_plans").await;
        Facts {
            tree,
            titles,
            orgs,
            paths,
            cadres,
            stays,
            held,
            planned,
            quals,
            comps,
        }
    }

    /// What the API's rules refuse, `today` being the generator's day.
    fn offences(&self, today: NaiveDate) -> Offences {
        let (tree, titles, cadres) = (&self.tree, &self.titles, &self.cadres);
        let mut off = Offences::default();
        let births: HashMap<i64, NaiveDate> = cadres.iter().map(|c| (c.0, c.2)).collect();

        // The record (create and edit): its fields, birth and Party dates, a live unit.
        for (id, name, birth, party, pid, ethnicity, unit, _) in cadres {
            let id = *id;
            if parse_full_name(name).is_err()
                || parse_personal_id(pid).is_err()
                || parse_words("ethnicity", ethnicity, 50).is_err()
            {
                off.add(
                    "record: name, personal id or ethnicity (parse_*)",
                    id,
                    || format!("{name:?} {pid:?} {ethnicity:?}"),
                );
            }
            if let Err(e) = check_birth_date(*birth, today) {
                off.add("record: birth date (check_birth_date)", id, || {
                    format!("{birth}: {e}")
                });
            }
            if let Some(p) = party {
                if let Err(e) = check_party_date(*p, *birth, today) {
                    off.add("record: Party date (check_party_date)", id, || {
                        format!("{p} (born {birth}): {e}")
                    });
                }
            }
            if let Err(e) = tree.check(unit, today) {
                off.add("record: unit live today (check_unit)", id, || e);
            }
        }

        // The unit history (create, moves): one period at a time, each move dated on or after the
        // current period's first day, each unit live when the cadre arrived, the last one open and
        // the record's.
        let mut history: BTreeMap<i64, Vec<&Stay>> = BTreeMap::new();
        for stay in &self.stays {
            history.entry(stay.0).or_default().push(stay);
        }
        for (id, _, _, _, _, _, unit, _) in cadres {
            let id = *id;
            let Some(h) = history.get(&id) else {
                off.add("unit history: none", id, String::new);
                continue;
            };
            let open = h.iter().filter(|s| s.3.is_none()).count();
            if open != 1 || h.last().is_some_and(|s| s.3.is_some() || &s.1 != unit) {
                off.add(
                    "unit history: one open period, the last, at the record's unit",
                    id,
                    || format!("{h:?}, record at {unit}"),
                );
            }
            for (_, u, from, _) in h.iter().copied() {
                if *from > today {
                    off.add("unit history: a period begun after today", id, || {
                        format!("{u} from {from}")
                    });
                }
                if let Err(e) = tree.check(u, *from) {
                    off.add(
                        "unit history: unit live when the cadre arrived (check_unit)",
                        id,
                        || e,
                    );
                }
            }
            for w in h.windows(2) {
                let (prev, next) = (w[0], w[1]);
                if let Err(e) = check_move_date(Some(prev.2), next.2) {
                    off.add(
                        "unit history: move before the current period began (check_move_date)",
                        id,
                        || format!("{h:?}: {e}"),
                    );
                }
                if prev.3 != Some(next.2) {
                    off.add(
                        "unit history: periods overlap or leave a gap (a move closes the current period)",
                        id,
                        || format!("{h:?}"),
                    );
                }
            }
        }

        // Titles held and planned (add_period, end_period).
        check_titles(
            &[
                "titles held: end before start (check_period)",
                "titles held: no active title",
                "titles held: unit live on the first day (check_unit)",
                "titles held: unit at the title's level (check_title_level)",
                "titles held: two periods of one title overlap (overlaps_another)",
            ],
            &self.held,
            titles,
            tree,
            &mut off,
        );
        check_titles(
            &[
                "titles planned: end before start (check_period)",
                "titles planned: no active title",
                "titles planned: unit live on the first day (check_unit)",
                "titles planned: unit at the title's level (check_title_level)",
                "titles planned: two periods of one title overlap (overlaps_another)",
            ],
            &self.planned,
            titles,
            tree,
            &mut off,
        );

        // A held title stays on the line of the cadre's unit on every day they share
        // (`first_off_line`), and is their only one of its organisation in its unit
        // (`same_organisation`).
        let mut by_cadre: BTreeMap<i64, Vec<&Period>> = BTreeMap::new();
        for p in &self.held {
            by_cadre.entry(p.0).or_default().push(p);
        }
        let path = |code: &str| self.paths.get(code).map_or("", String::as_str);
        for (cadre, held) in &by_cadre {
            let homes: Vec<HomeSpan> = history
                .get(cadre)
                .into_iter()
                .flatten()
                .map(|(_, code, from, until)| HomeSpan {
                    code,
                    path: path(code),
                    from: *from,
                    until: *until,
                })
                .collect();
            let roles: Vec<Role> = held
                .iter()
                .map(|(_, title, unit, from, to)| Role {
                    title: titles.get(title).map_or("?", |t| t.0.as_str()),
                    org: self.orgs.get(title).map_or("?", String::as_str),
                    unit,
                    span: Span {
                        from: *from,
                        to: *to,
                    },
                })
                .collect();
            for r in &roles {
                if let Some((home, day)) = first_off_line(path(r.unit), r.span, &homes) {
                    off.add(
                        "titles held: off the line of the cadre's unit (first_off_line)",
                        *cadre,
                        || format!("{} in {} on {day}, cadre in {}", r.title, r.unit, home.code),
                    );
                }
                if let Some((other, day)) = same_organisation(*r, &roles) {
                    off.add(
                        "titles held: two titles of one organisation in a unit (same_organisation)",
                        *cadre,
                        || format!("{} and {} in {} on {day}", r.title, other.title, r.unit),
                    );
                }
            }
        }

        // No inactive cadre holds or is planned for a title beyond today (update, add_period,
        // end_period: `lasts_beyond`).
        let inactive: HashSet<i64> = cadres.iter().filter(|c| !c.7).map(|c| c.0).collect();
        for (list, periods) in [("held", &self.held), ("planned", &self.planned)] {
            for (cadre, title, _, from, to) in periods {
                if inactive.contains(cadre) && lasts_beyond(*to, today) {
                    off.add(
                        "titles: an inactive cadre's period lasts beyond today (lasts_beyond)",
                        *cadre,
                        || format!("{list}: title {title} from {from}"),
                    );
                }
            }
        }

        // Qualifications and completions: after birth, not after today (check_life_date, as the
        // imports apply it; a paper record as the API checks it), with provenance; a revocation
        // between the completion and today (revocation_day); one of each per day as the imports
        // key them (person, scale, level, day; a past completion, not a class's: person, module,
        // day), so a record on file is found again.
        let mut seen = HashSet::new();
        for (cadre, scale, level, on) in &self.quals {
            let birth = births[cadre];
            if let Err(why) = check_life_date(*on, birth, today) {
                off.add(
                    "qualifications: after birth, not after today (check_life_date)",
                    *cadre,
                    || format!("{scale} on {on}, born {birth}: {why:?}"),
                );
            }
            if !seen.insert((*cadre, scale, level, *on)) {
                off.add(
                    "qualifications: one per scale, level and day (the import's key)",
                    *cadre,
                    || format!("{scale} {level} on {on}"),
                );
            }
        }
        let mut seen = HashSet::new();
        for (cadre, module, on, revoked, class, source, source_ref, why) in &self.comps {
            let (cadre, on) = (*cadre, *on);
            let birth = births[&cadre];
            if let Err(why) = check_life_date(on, birth, today) {
                off.add(
                    "completions: after birth, not after today (check_life_date)",
                    cadre,
                    || format!("module {module} on {on}, born {birth}: {why:?}"),
                );
            }
            if class.is_none() {
                let paper = check_paper_day(on, birth, today)
                    .and_then(|_| paper_source(Some(source)).map(|_| ()))
                    .and_then(|_| required_text("source_ref", source_ref, 300).map(|_| ()));
                if let Err(e) = paper {
                    off.add(
                        "completions: a paper record's day and provenance (check_paper_day, paper_source)",
                        cadre,
                        || format!("module {module} on {on}: {e}"),
                    );
                }
            }
            if let Some(r) = revoked {
                if let Err(e) = revocation_day(Some(*r), on, today) {
                    off.add(
                        "completions: revoked between completion and today (revocation_day)",
                        cadre,
                        || format!("module {module} on {on}, revoked {r}: {e}"),
                    );
                }
                // The API revokes only with a reason (completions::service::revoke).
                if let Err(e) = required_text("reason", why.as_deref().unwrap_or(""), 500) {
                    off.add("completions: a revocation has its reason", cadre, || {
                        format!("module {module} on {on}, revoked {r}: {e}")
                    });
                }
            }
            if class.is_none() && !seen.insert((cadre, *module, on)) {
                off.add(
                    "past completions: one per module and day (the import's key)",
                    cadre,
                    || format!("module {module} on {on}"),
                );
            }
        }
        off
    }
}
