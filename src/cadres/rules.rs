//! The rules of a cadre's record that both the API (`cadres::service`) and the bulk import's
//! planner (`imports::plan`) apply, each written once: where a cadre or a title may be placed,
//! a title's level, a title from the age of eighteen, one period of a title at a time, a held
//! title on the line of the cadre's unit, one title of an organisation in a unit at a time, no
//! lasting title for an inactive cadre, the date of a move, the date of a qualification. Pure:
//! they check plain data. Each path names its
//! own field or column (a JSON field, a file's header); where the words differ, both are here:
//! the API names the unit it could not use, an import's reasons carry no values (the cell is
//! shown beside them, and problems are counted by reason).

use chrono::{Datelike, NaiveDate};

use crate::auth::Scope;
use crate::error::AppError;
use crate::units::domain::UnitKind;

/// Why a unit cannot take a cadre or a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitRefusal {
    /// No unit has the code.
    Unknown,
    /// The unit is retired.
    Retired,
    /// The unit lies outside the caller's subtree.
    OutsideScope,
}

/// A cadre, and a title a cadre holds or is planned for, is placed only in a unit that exists,
/// is live and lies in the caller's subtree, checked in that order. `unit`: the unit found by
/// its code, if any; `facts`: its path and whether it is retired. Gives back the unit.
pub fn check_unit<U>(
    unit: Option<U>,
    facts: impl Fn(&U) -> (&str, bool),
    scope: &Scope,
) -> Result<U, UnitRefusal> {
    let Some(u) = unit else {
        return Err(UnitRefusal::Unknown);
    };
    match facts(&u) {
        (_, true) => Err(UnitRefusal::Retired),
        (path, false) if !scope.contains_path(path) => Err(UnitRefusal::OutsideScope),
        _ => Ok(u),
    }
}

impl UnitRefusal {
    /// An import's reason.
    pub fn reason(self) -> &'static str {
        match self {
            UnitRefusal::Unknown => "no unit with this code",
            UnitRefusal::Retired => "the unit is retired",
            UnitRefusal::OutsideScope => "the unit is outside your subtree",
        }
    }

    /// The API's answer about the unit `code` (as given) in `field`: 422, or 403 for a unit
    /// outside the caller's subtree.
    pub fn api_error(self, field: &str, code: &str) -> AppError {
        match self {
            UnitRefusal::Unknown => AppError::invalid(field, crate::msg!(NoUnit, code = code)),
            UnitRefusal::Retired => {
                AppError::invalid(field, crate::msg!(UnitRetired, code = code.trim()))
            }
            UnitRefusal::OutsideScope => AppError::ForbiddenAt {
                field: field.to_string(),
                msg: crate::msg!(UnitCodeOutsideSubtree, code = code.trim()),
            },
        }
    }
}

/// The level of a unit kind as titles name it (`city`, `district`, `commune`); `""` for a
/// kind not known.
pub fn unit_level(kind: &str) -> &'static str {
    UnitKind::parse(kind).map_or("", |k| k.level().as_str())
}

/// A title is held, or planned, only in a unit of the title's level (levels by name, as
/// [`unit_level`] gives them). Names `unit_code`.
pub fn check_title_level(
    title_code: &str,
    title_level: &str,
    unit_code: &str,
    unit_level: &str,
) -> Result<(), AppError> {
    if unit_level == title_level {
        return Ok(());
    }
    Err(AppError::invalid(
        "unit_code",
        crate::msg!(
            TitleWrongLevel,
            title = title_code,
            title_level = title_level,
            unit = unit_code,
            unit_level = unit_level
        ),
    ))
}

/// A period of a title held or planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive); `None` while it lasts.
    pub to: Option<NaiveDate>,
}

impl Span {
    /// Whether the two periods share a day.
    pub fn overlaps(self, other: Span) -> bool {
        self.from <= other.to.unwrap_or(NaiveDate::MAX)
            && other.from <= self.to.unwrap_or(NaiveDate::MAX)
    }
}

/// What is said of a period that [`overlaps_another`] (the API: a 409 naming the date it was
/// given; an import: a problem of the title's code).
pub const OVERLAP: &str = "overlaps another period of the same title on record for this cadre";

/// A cadre holds a title, and is planned for a title, in one period at a time: whether
/// `period` overlaps one of `others`, the cadre's other periods of the same title in the same
/// list (held, or planned).
pub fn overlaps_another(period: Span, others: impl IntoIterator<Item = Span>) -> bool {
    others.into_iter().any(|o| o.overlaps(period))
}

/// Whether a title period (held or planned) ending on `to` (`None`: open) lasts beyond `today`.
/// An inactive cadre has no such period: they have left the work, and a report would count
/// them as holding it (or planned for it) on every later day. So a cadre holding one is not
/// made inactive, and an inactive cadre is given none; periods that ended by today stay, as
/// their record.
pub fn lasts_beyond(to: Option<NaiveDate>, today: NaiveDate) -> bool {
    to.is_none_or(|t| t > today)
}

/// A move is dated on or after the first day of the cadre's current unit period (`None`: no
/// period open). Names `moved_on`.
pub fn check_move_date(current_from: Option<NaiveDate>, on: NaiveDate) -> Result<(), AppError> {
    if current_from.is_some_and(|f| on < f) {
        return Err(AppError::invalid(
            "moved_on",
            crate::msg!(MoveBeforeCurrentUnit),
        ));
    }
    Ok(())
}

/// Whether a title held in the unit at `title_path` stays with a cadre of the unit at
/// `home_path`: the same unit, one above it or one within it (paths are materialised,
/// `/79/760/26734/`). A move takes the cadre off the line of a title held in another ward: that
/// title is ended before the move (the reports count a holder in their own unit, so it would
/// follow them there), and a move is refused while one lasts on or after its day.
pub fn on_line(title_path: &str, home_path: &str) -> bool {
    home_path.starts_with(title_path) || title_path.starts_with(home_path)
}

/// A period of a cadre in a unit, as [`first_off_line`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HomeSpan<'a> {
    /// The unit's code.
    pub code: &'a str,
    /// The unit's path.
    pub path: &'a str,
    /// First day.
    pub from: NaiveDate,
    /// The day the cadre left (exclusive, as `cadre_units` keeps it); `None` while there.
    pub until: Option<NaiveDate>,
}

/// A title held is held on the line ([`on_line`]) of the cadre's unit on every day the two
/// share: the reports count a holder in their own unit on the day. Gives the first of `homes`
/// sharing a day with `period` whose unit is off the line of the title's unit (at
/// `title_path`), with the first day they share; `None` when there is none. Days before the
/// cadre's first unit period are placed by the title's own unit and checked against nothing.
pub fn first_off_line<'a>(
    title_path: &str,
    period: Span,
    homes: &[HomeSpan<'a>],
) -> Option<(HomeSpan<'a>, NaiveDate)> {
    homes
        .iter()
        .filter(|h| {
            period.to.is_none_or(|t| h.from <= t)
                && h.until.is_none_or(|u| u > period.from)
                && !on_line(title_path, h.path)
        })
        .map(|h| (*h, h.from.max(period.from)))
        .min_by_key(|(_, day)| *day)
}

/// A title held in a unit, as [`same_organisation`] reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Role<'a> {
    /// The title's code.
    pub title: &'a str,
    /// Its organisation kind.
    pub org: &'a str,
    /// The unit it is held in.
    pub unit: &'a str,
    /// Its period.
    pub span: Span,
}

/// A cadre holds one title of an organisation in a unit at a time: the chair of a ward's Front is
/// not also its vice-chair. Titles of other organisations (concurrent posts) or other units may
/// be held beside it; the same title twice is [`overlaps_another`]'s. Gives the first of `held`
/// (the cadre's other held titles) that clashes with `new`, with the first day they share.
pub fn same_organisation<'a>(new: Role, held: &[Role<'a>]) -> Option<(Role<'a>, NaiveDate)> {
    held.iter()
        .filter(|h| {
            h.title != new.title
                && h.org == new.org
                && h.unit == new.unit
                && h.span.overlaps(new.span)
        })
        .map(|h| (*h, h.span.from.max(new.span.from)))
        .min_by_key(|(_, day)| *day)
}

/// Whether a held period ending `to` (inclusive) still runs on day `on` or later.
pub fn runs_on_or_after(to: Option<NaiveDate>, on: NaiveDate) -> bool {
    to.is_none_or(|t| t >= on)
}

/// Why a day cannot date a qualification a cadre obtained (or a course they completed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LifeDateRefusal {
    /// After today.
    Future,
    /// Before the cadre's birth.
    BeforeBirth,
    /// The day of the cadre's birth: refused by the imports, taken by the API (as each has
    /// always done).
    BirthDay,
}

/// A qualification is obtained, and a course completed, after the cadre's birth and not after
/// today.
pub fn check_life_date(
    day: NaiveDate,
    birth: NaiveDate,
    today: NaiveDate,
) -> Result<(), LifeDateRefusal> {
    if day > today {
        Err(LifeDateRefusal::Future)
    } else if day < birth {
        Err(LifeDateRefusal::BeforeBirth)
    } else if day == birth {
        Err(LifeDateRefusal::BirthDay)
    } else {
        Ok(())
    }
}

impl LifeDateRefusal {
    /// The API's answer about the date in `field`; `None` for the day of birth, which the API
    /// takes.
    pub fn api_error(self, field: &str) -> Option<AppError> {
        match self {
            LifeDateRefusal::Future => Some(AppError::invalid(
                field,
                crate::msg!(NotInFuture, field = field),
            )),
            LifeDateRefusal::BeforeBirth => Some(AppError::invalid(
                field,
                crate::msg!(BeforeBirth, field = field),
            )),
            LifeDateRefusal::BirthDay => None,
        }
    }
}

/// The age from which a title is held or planned: a leadership post of a mass organisation is
/// an adult's.
pub const TITLE_MIN_AGE: i64 = 18;

/// The day a cadre born on `birth` is [`TITLE_MIN_AGE`] in full years, as the gap engine counts
/// them (born 29 February: 1 March in a common year).
pub fn of_title_age_on(birth: NaiveDate) -> NaiveDate {
    let year = birth.year() + TITLE_MIN_AGE as i32;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
        .unwrap_or(NaiveDate::MAX)
}

/// A title period (held or planned) starts on or after the cadre's eighteenth birthday; the
/// refusal names that day.
pub fn check_title_age(from: NaiveDate, birth: NaiveDate) -> Result<(), NaiveDate> {
    let adult = of_title_age_on(birth);
    if from < adult {
        Err(adult)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::domain::UnitLevel;

    #[test]
    fn a_title_stays_on_the_line_of_the_cadres_unit() {
        let ward = "/79/760/26734/";
        assert!(on_line(ward, ward));
        assert!(on_line("/79/760/", ward), "the district above");
        assert!(on_line("/79/", ward), "the city above");
        assert!(on_line(ward, "/79/760/"), "a ward within the district");
        assert!(!on_line("/79/760/26737/", ward), "another ward");
        assert!(!on_line("/79/770/", ward), "another district");
        assert!(
            !on_line("/79/760/2673/", "/79/760/26734/"),
            "whole codes only"
        );
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(runs_on_or_after(None, d("2018-06-01")));
        assert!(runs_on_or_after(Some(d("2018-06-01")), d("2018-06-01")));
        assert!(!runs_on_or_after(Some(d("2018-05-31")), d("2018-06-01")));
    }

    #[test]
    fn a_title_is_held_on_the_line_of_the_cadres_unit_on_every_day_they_share() {
        let homes = [
            HomeSpan {
                code: "26734",
                path: "/79/760/26734/",
                from: day("2010-01-01"),
                until: Some(day("2018-06-01")),
            },
            HomeSpan {
                code: "26737",
                path: "/79/760/26737/",
                from: day("2018-06-01"),
                until: None,
            },
        ];
        let span = |from: &str, to: Option<&str>| Span {
            from: day(from),
            to: to.map(day),
        };
        let first = |path: &str, s: Span| {
            first_off_line(path, s, &homes).map(|(h, d)| (h.code, d.to_string()))
        };
        let ward = "/79/760/26737/";
        // Before the first unit period: nothing to check against.
        assert_eq!(first(ward, span("2005-01-01", Some("2009-12-31"))), None);
        assert_eq!(
            first(ward, span("2005-01-01", Some("2010-01-01"))),
            Some(("26734", "2010-01-01".into()))
        );
        // The day the cadre left 26734 is theirs in 26737.
        assert_eq!(first(ward, span("2018-06-01", None)), None);
        assert_eq!(
            first(ward, span("2018-05-31", None)),
            Some(("26734", "2018-05-31".into()))
        );
        // Above both, or within none of them but earlier.
        assert_eq!(first("/79/760/", span("2000-01-01", None)), None);
        assert_eq!(
            first("/79/761/26764/", span("2012-03-04", None)),
            Some(("26734", "2012-03-04".into()))
        );
        assert_eq!(
            first("/79/760/26734/", span("2019-01-01", None)),
            Some(("26737", "2019-01-01".into()))
        );
    }

    #[test]
    fn one_title_of_an_organisation_in_a_unit_at_a_time() {
        let role = |title, org, unit, from: &str, to: Option<&str>| Role {
            title,
            org,
            unit,
            span: Span {
                from: day(from),
                to: to.map(day),
            },
        };
        let ff = "fatherland_front";
        let held = [
            role("FF-CHAIR-COMMUNE", ff, "26734", "2015-01-01", None),
            role(
                "WU-CHAIR-COMMUNE",
                "womens_union",
                "26734",
                "2010-01-01",
                None,
            ),
            role("FF-CHAIR-DISTRICT", ff, "760", "2010-01-01", None),
        ];
        let first = |new| same_organisation(new, &held).map(|(h, d)| (h.title, d.to_string()));
        assert_eq!(
            first(role("FF-VICE-COMMUNE", ff, "26734", "2012-01-01", None)),
            Some(("FF-CHAIR-COMMUNE", "2015-01-01".into()))
        );
        assert_eq!(
            first(role(
                "FF-VICE-COMMUNE",
                ff,
                "26734",
                "2012-01-01",
                Some("2015-01-01")
            )),
            Some(("FF-CHAIR-COMMUNE", "2015-01-01".into()))
        );
        // The day before; another unit; the same title (a repeated period is another rule's).
        assert_eq!(
            first(role(
                "FF-VICE-COMMUNE",
                ff,
                "26734",
                "2012-01-01",
                Some("2014-12-31")
            )),
            None
        );
        assert_eq!(
            first(role("FF-VICE-COMMUNE", ff, "26737", "2012-01-01", None)),
            None
        );
        assert_eq!(
            first(role("FF-CHAIR-COMMUNE", ff, "26734", "2012-01-01", None)),
            None
        );
    }

    #[test]
    fn a_title_starts_on_the_eighteenth_birthday_or_later() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(check_title_age(d("1998-05-17"), d("1980-05-17")), Ok(()));
        assert_eq!(
            check_title_age(d("1998-05-16"), d("1980-05-17")),
            Err(d("1998-05-17"))
        );
        assert_eq!(
            check_title_age(d("1900-01-01"), d("1980-05-17")),
            Err(d("1998-05-17"))
        );
        // Born on 29 February: eighteen on 1 March of a common year, 29 February of a leap one.
        assert_eq!(of_title_age_on(d("2000-02-29")), d("2018-03-01"));
        assert_eq!(of_title_age_on(d("2002-02-28")), d("2020-02-28"));
        assert_eq!(of_title_age_on(d("1996-02-29")), d("2014-03-01"));
        assert_eq!(of_title_age_on(d("1982-02-28")), d("2000-02-28"));
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn officer() -> Scope {
        Scope::Subtree {
            code: "760".into(),
            path: "/79/760/".into(),
        }
    }

    #[test]
    fn units_exist_are_live_and_in_scope_in_that_order() {
        use UnitRefusal::*;
        type Unit<'a> = Option<(&'a str, bool)>;
        let cases: [(Unit, Scope, Result<(), UnitRefusal>); 7] = [
            (Some(("/79/760/26734/", false)), officer(), Ok(())),
            (Some(("/79/760/", false)), officer(), Ok(())),
            (Some(("/79/770/", false)), Scope::All, Ok(())),
            (Some(("/79/770/", false)), officer(), Err(OutsideScope)),
            (Some(("/79/", false)), officer(), Err(OutsideScope)),
            (Some(("/79/770/", true)), officer(), Err(Retired)),
            (None, Scope::All, Err(Unknown)),
        ];
        for (unit, scope, want) in cases {
            let got = check_unit(unit, |u| *u, &scope).map(|_| ());
            assert_eq!(got, want, "{unit:?} {scope:?}");
        }
        let e = Unknown.api_error("unit_code", " 99999");
        assert_eq!(e.to_string(), "no unit with code  99999");
        assert_eq!(
            Retired.api_error("unit_code", " 26743 ").to_string(),
            "unit 26743 is retired"
        );
        assert!(matches!(
            OutsideScope.api_error("unit_code", "770"),
            AppError::ForbiddenAt { field, msg } if field == "unit_code"
                && msg.to_string() == "unit 770 is outside the subtree of your account's unit"
        ));
    }

    #[test]
    fn titles_sit_at_their_level() {
        for kind in UnitKind::ALL {
            let serde = serde_json::to_value(kind.level()).unwrap();
            assert_eq!(unit_level(kind.as_str()), serde.as_str().unwrap());
        }
        assert_eq!(unit_level("ward"), UnitLevel::Commune.as_str());
        assert_eq!(unit_level("urban_district"), "district");
        assert_eq!(unit_level("moon_base"), "");
        assert!(check_title_level("FF-CHAIR-COMMUNE", "commune", "26734", "commune").is_ok());
        let e = check_title_level("FF-CHAIR-DISTRICT", "district", "26734", "commune").unwrap_err();
        let AppError::Validation { field, msg, .. } = e else {
            panic!("not a 422")
        };
        assert_eq!(field.as_deref(), Some("unit_code"));
        assert_eq!(
            msg.to_string(),
            "title FF-CHAIR-DISTRICT is a district-level title; unit 26734 is at commune level"
        );
        assert!(check_title_level("FF-CHAIR-COMMUNE", "commune", "79", "").is_err());
    }

    #[test]
    fn one_period_of_a_title_at_a_time() {
        let span = |from: &str, to: Option<&str>| Span {
            from: day(from),
            to: to.map(day),
        };
        let on_record = [
            span("2010-01-01", Some("2014-12-31")),
            span("2020-06-01", None),
        ];
        let cases = [
            (span("2015-01-01", Some("2020-05-31")), false),
            (span("2015-01-01", Some("2020-06-01")), true),
            (span("2014-12-31", Some("2015-06-30")), true),
            (span("2009-01-01", Some("2009-12-31")), false),
            (span("2009-01-01", None), true),
            (span("2030-01-01", None), true),
            (span("2012-01-01", Some("2012-01-01")), true),
        ];
        for (period, want) in cases {
            assert_eq!(overlaps_another(period, on_record), want, "{period:?}");
        }
        assert!(!overlaps_another(span("2000-01-01", None), []));
    }

    #[test]
    fn a_period_lasts_beyond_today_while_open_or_ending_later() {
        let today = day("2026-12-06");
        assert!(lasts_beyond(None, today));
        assert!(lasts_beyond(Some(day("2026-12-07")), today));
        assert!(
            !lasts_beyond(Some(today), today),
            "ends today: held today, not after"
        );
        assert!(!lasts_beyond(Some(day("2020-01-01")), today));
    }

    #[test]
    fn moves_are_dated_within_the_current_period() {
        let from = Some(day("2015-01-01"));
        assert!(check_move_date(from, day("2015-01-01")).is_ok());
        assert!(check_move_date(from, day("2024-03-01")).is_ok());
        assert!(check_move_date(None, day("1990-01-01")).is_ok());
        let today = day("2026-12-07");
        let not_after = crate::shared::clock::not_after_today;
        assert!(not_after("moved_on", today, today).is_ok());
        let e = not_after("moved_on", day("2026-12-08"), today).unwrap_err();
        assert!(matches!(e, AppError::Validation { field: Some(ref f), .. } if f == "moved_on"));
        let e = check_move_date(from, day("2014-12-31")).unwrap_err();
        assert!(matches!(e, AppError::Validation { field: Some(f), .. } if f == "moved_on"));
    }

    #[test]
    fn qualifications_are_dated_between_birth_and_today() {
        use LifeDateRefusal::*;
        let (birth, today) = (day("1980-03-15"), day("2025-06-15"));
        for (d, want) in [
            ("2025-06-15", Ok(())),
            ("1980-03-16", Ok(())),
            ("2025-06-16", Err(Future)),
            ("1980-03-15", Err(BirthDay)),
            ("1980-03-14", Err(BeforeBirth)),
        ] {
            assert_eq!(check_life_date(day(d), birth, today), want, "{d}");
        }
        assert_eq!(
            Future.api_error("obtained_on").unwrap().to_string(),
            "obtained_on must not be in the future"
        );
        assert_eq!(
            BeforeBirth.api_error("obtained_on").unwrap().to_string(),
            "obtained_on is before the cadre's birth"
        );
        assert!(BirthDay.api_error("obtained_on").is_none());
    }
}
