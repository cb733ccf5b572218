//! The unit tree as of any date, built from what the units keep: each unit's current state, its
//! earlier states (`unit_history`), the day it was created, the day it was retired and its main
//! successor. Pure: no database.
//!
//! The result is a list of periods: for every unit, the intervals of days over which its name,
//! kind, parent, path and placement are constant. A report as of D reads the periods containing D:
//! live units give the tree of that day; a retired unit's period says where the people still
//! attached to it are counted: under its main successor (followed until a live unit), or, with no
//! successor, in an explicit "unplaced" row at its own last path, so nobody disappears.

use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};

/// A unit as it stands now.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct UnitNow {
    /// Official code.
    pub code: String,
    /// Current name.
    pub name: String,
    /// Current kind.
    pub kind: String,
    /// Current parent.
    pub parent_code: Option<String>,
    /// The day it came into being (`None`: always, as far as the data knows).
    pub created_on: Option<NaiveDate>,
    /// The day it stopped existing.
    pub retired_on: Option<NaiveDate>,
    /// Its main successor after retirement.
    pub successor_code: Option<String>,
}

/// An earlier state of a unit, held until (not including) `valid_until`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PastState {
    /// Code.
    pub code: String,
    /// Name then.
    pub name: String,
    /// Kind then.
    pub kind: String,
    /// Parent then.
    pub parent_code: Option<String>,
    /// First day of the next state.
    pub valid_until: NaiveDate,
}

/// How a period places the unit's people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Placement {
    /// The unit exists: counted at its own path.
    Live,
    /// Retired: counted under its (main) successor, `placed_code`.
    Merged,
    /// Retired with no live successor: counted in an "unplaced" row at its last path.
    Unplaced,
}

impl Placement {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::Live => "live",
            Placement::Merged => "merged",
            Placement::Unplaced => "unplaced",
        }
    }
    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Placement> {
        match s {
            "live" => Some(Placement::Live),
            "merged" => Some(Placement::Merged),
            "unplaced" => Some(Placement::Unplaced),
            _ => None,
        }
    }
}

/// A unit's state over `[valid_from, valid_to)` (open ends are `None`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    /// Code.
    pub code: String,
    /// First day (None: since always).
    pub valid_from: Option<NaiveDate>,
    /// First day after (None: still).
    pub valid_to: Option<NaiveDate>,
    /// Name on those days.
    pub name: String,
    /// Kind on those days.
    pub kind: String,
    /// Parent on those days.
    pub parent_code: Option<String>,
    /// Where its people are counted: its own path when live, the successor's when merged, its
    /// last own path when unplaced.
    pub path: String,
    /// Depth of `path` (root = 0).
    pub depth: i64,
    /// The live unit its people are counted in (itself when live or unplaced).
    pub placed_code: String,
    /// Live, merged or unplaced.
    pub placement: Placement,
}

impl Period {
    /// Whether the period contains day `d`.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= d) && self.valid_to.is_none_or(|t| d < t)
    }
}

struct Tree<'a> {
    now: HashMap<&'a str, &'a UnitNow>,
    past: HashMap<&'a str, Vec<&'a PastState>>,
}

/// (name, kind, parent) of a unit on a day, or None if it did not exist yet.
type State<'a> = (&'a str, &'a str, Option<&'a str>);

impl<'a> Tree<'a> {
    fn state(&self, code: &str, d: NaiveDate) -> Option<State<'a>> {
        let u = self.now.get(code)?;
        if u.created_on.is_some_and(|c| c > d) {
            return None;
        }
        if let Some(p) = self
            .past
            .get(code)
            .and_then(|v| v.iter().find(|p| p.valid_until > d))
        {
            return Some((&p.name, &p.kind, p.parent_code.as_deref()));
        }
        Some((&u.name, &u.kind, u.parent_code.as_deref()))
    }

    fn retired(&self, code: &str, d: NaiveDate) -> bool {
        self.now
            .get(code)
            .is_some_and(|u| u.retired_on.is_some_and(|r| r <= d))
    }

    /// The path of a unit on a day by its parents on that day (retirement ignored).
    fn path(&self, code: &str, d: NaiveDate) -> Option<String> {
        let mut chain = vec![code.to_string()];
        let mut cur = self.state(code, d)?.2;
        while let Some(p) = cur {
            if chain.len() > 64 || chain.iter().any(|c| c == p) {
                break;
            }
            chain.push(p.to_string());
            cur = self.state(p, d).and_then(|s| s.2);
        }
        chain.reverse();
        Some(format!("/{}/", chain.join("/")))
    }

    /// The live unit that stands for `code` on `d`, following successors.
    fn placed(&self, code: &str, d: NaiveDate) -> Option<String> {
        let mut cur = code.to_string();
        for _ in 0..64 {
            if self.state(&cur, d).is_some() && !self.retired(&cur, d) {
                return Some(cur);
            }
            cur = self.now.get(cur.as_str())?.successor_code.clone()?;
        }
        None
    }
}

fn depth_of(path: &str) -> i64 {
    path.matches('/').count() as i64 - 2
}

/// Builds every unit's periods (sorted by code, then start).
pub fn build(units: &[UnitNow], history: &[PastState]) -> Vec<Period> {
    let mut past: HashMap<&str, Vec<&PastState>> = HashMap::new();
    for h in history {
        past.entry(h.code.as_str()).or_default().push(h);
    }
    for v in past.values_mut() {
        v.sort_by_key(|p| p.valid_until);
    }
    let tree = Tree {
        now: units.iter().map(|u| (u.code.as_str(), u)).collect(),
        past,
    };
    let mut cuts: BTreeSet<NaiveDate> = BTreeSet::new();
    for u in units {
        cuts.extend(u.created_on);
        cuts.extend(u.retired_on);
    }
    cuts.extend(history.iter().map(|h| h.valid_until));
    let cuts: Vec<NaiveDate> = cuts.into_iter().collect();
    // Intervals [start, end): the first from the beginning of time, the last open-ended.
    let mut intervals: Vec<(Option<NaiveDate>, Option<NaiveDate>)> = vec![];
    let mut start = None;
    for c in &cuts {
        intervals.push((start, Some(*c)));
        start = Some(*c);
    }
    intervals.push((start, None));
    let mut out: Vec<Period> = vec![];
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (from, to) in intervals {
        // A day inside the interval.
        let day = match (from, to) {
            (Some(f), _) => f,
            (None, Some(t)) => t.pred_opt().unwrap_or(t),
            (None, None) => NaiveDate::MIN,
        };
        for u in units {
            let Some((name, kind, parent)) = tree.state(&u.code, day) else {
                continue;
            };
            let (path, placed_code, placement) = if !tree.retired(&u.code, day) {
                let Some(p) = tree.path(&u.code, day) else {
                    continue;
                };
                (p, u.code.clone(), Placement::Live)
            } else if let Some(s) = tree.placed(&u.code, day) {
                let Some(p) = tree.path(&s, day) else {
                    continue;
                };
                (p, s, Placement::Merged)
            } else {
                // Its own path on its last day.
                let last_day = u
                    .retired_on
                    .and_then(|r| r.pred_opt())
                    .filter(|l| tree.state(&u.code, *l).is_some())
                    .unwrap_or(day);
                let Some(p) = tree.path(&u.code, last_day) else {
                    continue;
                };
                (p, u.code.clone(), Placement::Unplaced)
            };
            let period = Period {
                code: u.code.clone(),
                valid_from: from,
                valid_to: to,
                name: name.to_string(),
                kind: kind.to_string(),
                parent_code: parent.map(str::to_string),
                depth: depth_of(&path),
                path,
                placed_code,
                placement,
            };
            // Extend the unit's previous period when nothing but the dates differ.
            if let Some(&i) = last.get(u.code.as_str()) {
                let prev = &mut out[i];
                if prev.valid_to == from
                    && (&prev.name, &prev.kind, &prev.parent_code, &prev.path)
                        == (
                            &period.name,
                            &period.kind,
                            &period.parent_code,
                            &period.path,
                        )
                    && (&prev.placed_code, prev.placement)
                        == (&period.placed_code, period.placement)
                {
                    prev.valid_to = to;
                    continue;
                }
            }
            last.insert(u.code.as_str(), out.len());
            out.push(period);
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn unit(code: &str, name: &str, kind: &str, parent: Option<&str>) -> UnitNow {
        UnitNow {
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
            parent_code: parent.map(str::to_string),
            created_on: None,
            retired_on: None,
            successor_code: None,
        }
    }

    fn on<'a>(periods: &'a [Period], code: &str, day: &str) -> Option<&'a Period> {
        periods
            .iter()
            .find(|p| p.code == code && p.contains(d(day)))
    }

    /// The 2025 reorganisation in miniature: Quận 1 (760) abolished; 26734 Tân Định retired into
    /// 26737, whose code the new Phường Tân Định reuses (in 2024 it was Đa Kao, under 760); 26740
    /// reused likewise; 26743 retired with no successor; 99999 new in 2025.
    fn reorganised() -> Vec<Period> {
        let eff = Some(d("2025-07-01"));
        let mut units = vec![
            unit("79", "Thành phố Hồ Chí Minh", "city", None),
            UnitNow {
                retired_on: eff,
                ..unit("760", "Quận 1", "urban_district", Some("79"))
            },
            UnitNow {
                retired_on: eff,
                successor_code: Some("26737".into()),
                ..unit("26734", "Phường Tân Định", "ward", Some("760"))
            },
            unit("26737", "Phường Tân Định", "ward", Some("79")),
            unit("26740", "Phường Sài Gòn", "ward", Some("79")),
            UnitNow {
                retired_on: eff,
                ..unit("26743", "Phường Nguyễn Thái Bình", "ward", Some("760"))
            },
            UnitNow {
                created_on: eff,
                ..unit("99999", "Phường Mới", "ward", Some("79"))
            },
        ];
        units.reverse();
        let history = vec![
            PastState {
                code: "26737".into(),
                name: "Phường Đa Kao".into(),
                kind: "ward".into(),
                parent_code: Some("760".into()),
                valid_until: d("2025-07-01"),
            },
            PastState {
                code: "26740".into(),
                name: "Phường Bến Nghé".into(),
                kind: "ward".into(),
                parent_code: Some("760".into()),
                valid_until: d("2025-07-01"),
            },
        ];
        build(&units, &history)
    }

    #[test]
    fn the_tree_of_2020_has_its_districts_and_names() {
        let p = reorganised();
        let dakao = on(&p, "26737", "2020-06-30").unwrap();
        assert_eq!(dakao.name, "Phường Đa Kao");
        assert_eq!(dakao.path, "/79/760/26737/");
        assert_eq!((dakao.depth, dakao.placement), (2, Placement::Live));
        assert_eq!(on(&p, "760", "2020-06-30").unwrap().path, "/79/760/");
        assert_eq!(
            on(&p, "26734", "2025-06-30").unwrap().path,
            "/79/760/26734/"
        );
        assert!(on(&p, "99999", "2025-06-30").is_none(), "not created yet");
        assert_eq!(on(&p, "26737", "1900-01-01").unwrap().valid_from, None);
    }

    #[test]
    fn the_tree_of_today_places_retired_units() {
        let p = reorganised();
        let tan_dinh = on(&p, "26737", "2026-12-02").unwrap();
        assert_eq!(
            (tan_dinh.name.as_str(), tan_dinh.path.as_str()),
            ("Phường Tân Định", "/79/26737/")
        );
        assert_eq!(tan_dinh.depth, 1);
        let old = on(&p, "26734", "2026-12-02").unwrap();
        assert_eq!(old.placement, Placement::Merged);
        assert_eq!(
            (old.placed_code.as_str(), old.path.as_str()),
            ("26737", "/79/26737/")
        );
        assert_eq!(old.name, "Phường Tân Định");
        let lost = on(&p, "26743", "2026-12-02").unwrap();
        assert_eq!(lost.placement, Placement::Unplaced);
        assert_eq!(lost.path, "/79/760/26743/", "its last own path");
        let district = on(&p, "760", "2026-12-02").unwrap();
        assert_eq!(district.placement, Placement::Unplaced);
        assert_eq!(on(&p, "99999", "2025-07-01").unwrap().path, "/79/99999/");
        // Two periods for a reused code, one for an unchanged root.
        assert_eq!(p.iter().filter(|x| x.code == "26737").count(), 2);
        assert_eq!(p.iter().filter(|x| x.code == "79").count(), 1);
    }

    #[test]
    fn successors_are_followed_to_a_live_unit() {
        let mut units = vec![
            unit("1", "Root", "city", None),
            UnitNow {
                retired_on: Some(d("2020-01-01")),
                successor_code: Some("B".into()),
                ..unit("A", "A", "ward", Some("1"))
            },
            UnitNow {
                retired_on: Some(d("2022-01-01")),
                successor_code: Some("C".into()),
                ..unit("B", "B", "ward", Some("1"))
            },
            unit("C", "C", "ward", Some("1")),
        ];
        let p = build(&units, &[]);
        assert_eq!(on(&p, "A", "2021-01-01").unwrap().placed_code, "B");
        assert_eq!(on(&p, "A", "2023-01-01").unwrap().placed_code, "C");
        // A cycle of successors ends unplaced rather than looping.
        units[2].successor_code = Some("A".into());
        let p = build(&units, &[]);
        assert_eq!(
            on(&p, "A", "2023-01-01").unwrap().placement,
            Placement::Unplaced
        );
    }

    #[test]
    fn every_day_has_at_most_one_period_per_unit() {
        let p = reorganised();
        for day in ["1990-01-01", "2025-06-30", "2025-07-01", "2030-01-01"] {
            let mut seen = std::collections::HashSet::new();
            for x in p.iter().filter(|x| x.contains(d(day))) {
                assert!(seen.insert(&x.code), "{} twice on {day}", x.code);
            }
        }
    }
}
