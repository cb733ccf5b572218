//! The city clock: the one place that knows what time it is and which day it is in the city.
//!
//! Ho Chi Minh City keeps UTC+7 all year (`Asia/Ho_Chi_Minh`, no daylight saving), so the zone is
//! a fixed offset: the `time_zone` setting accepts `Asia/Ho_Chi_Minh` (also `Asia/Saigon`), `UTC`,
//! or an offset such as `+07:00`, and refuses anything else at start. Every "today", every
//! "midnight" and every city time written without an offset goes through a [`Clock`]; a test
//! fails if UTC's date (`Utc::now()` then `date_naive`) appears anywhere else in `src/`.
//!
//! Instants are stored in UTC; days (enrolment windows, as-of dates, revocations) are city days.
//! Tests move the clock with [`Clock::set_now`].

use chrono::{DateTime, Days, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use std::sync::atomic::{AtomicI64, Ordering};

/// The default `time_zone`.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Ho_Chi_Minh";

/// Ho Chi Minh City's offset from UTC, in seconds (UTC+7, no daylight saving).
const CITY_OFFSET_SECS: i32 = 7 * 3600;

/// No fixed instant set: the clock follows the system time.
const UNSET: i64 = i64::MIN;

/// Reads a `time_zone` setting: `Asia/Ho_Chi_Minh` (or its old name `Asia/Saigon`), `UTC`, or a
/// fixed offset `±HH:MM` (also `±HHMM`, `±HH`, optionally after `UTC`). Zones with daylight
/// saving are refused: the city has none, and a fixed offset cannot follow one.
pub fn parse_time_zone(raw: &str) -> Result<FixedOffset, String> {
    let s = raw.trim();
    let refuse = || {
        format!(
            "time_zone {raw:?} is not supported: use {DEFAULT_TIME_ZONE}, UTC or a fixed offset such as +07:00"
        )
    };
    match s {
        "Asia/Ho_Chi_Minh" | "Asia/Saigon" => return Ok(city_offset()),
        "UTC" | "Etc/UTC" | "Z" => return Ok(FixedOffset::east_opt(0).expect("zero offset")),
        _ => {}
    }
    let s = s.strip_prefix("UTC").unwrap_or(s);
    if !s.is_ascii() {
        return Err(refuse());
    }
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => return Err(refuse()),
    };
    let (h, m) = match rest.len() {
        2 => (rest, "00"),
        4 => (&rest[..2], &rest[2..]),
        5 if rest.as_bytes()[2] == b':' => (&rest[..2], &rest[3..]),
        _ => return Err(refuse()),
    };
    let digits = |p: &str| {
        p.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| p.parse::<i32>().ok())
            .flatten()
    };
    match (digits(h), digits(m)) {
        (Some(h), Some(m)) if h <= 14 && m < 60 && h * 60 + m <= 14 * 60 => {
            FixedOffset::east_opt(sign * (h * 3600 + m * 60)).ok_or_else(refuse)
        }
        _ => Err(refuse()),
    }
}

/// Ho Chi Minh City's offset (the default zone).
fn city_offset() -> FixedOffset {
    FixedOffset::east_opt(CITY_OFFSET_SECS).expect("valid offset")
}

/// The city's day right now by the system clock, in the default zone. For the tools in `src/bin`,
/// which run without the service's configuration; the service asks its [`Clock`].
pub fn city_today() -> NaiveDate {
    Clock::default().today()
}

/// Refuses a day after `today` (the city's) for a change that applies at once — a move, a unit
/// change, a merger: recorded for a later day it would show before it happens (422 naming
/// `field`).
pub fn not_after_today(
    field: &str,
    day: NaiveDate,
    today: NaiveDate,
) -> Result<(), crate::error::AppError> {
    if day > today {
        return Err(crate::error::AppError::invalid(
            field,
            crate::msg!(NotInFuture, field = field),
        ));
    }
    Ok(())
}

/// The service's clock: the city's zone and, for tests, an instant that stands in for the system
/// time. Held in `AppState` (`state.clock`).
#[derive(Debug)]
pub struct Clock {
    zone: FixedOffset,
    /// Microseconds since the epoch of the instant set by [`Clock::set_now`], or [`UNSET`].
    fixed_micros: AtomicI64,
}

impl Default for Clock {
    /// Ho Chi Minh City's clock, following the system time.
    fn default() -> Self {
        Clock::new(city_offset())
    }
}

impl Clock {
    /// A clock in `zone`, following the system time.
    pub fn new(zone: FixedOffset) -> Clock {
        Clock {
            zone,
            fixed_micros: AtomicI64::new(UNSET),
        }
    }

    /// A clock in the zone a `time_zone` setting names (see [`parse_time_zone`]).
    pub fn from_setting(time_zone: &str) -> Result<Clock, String> {
        parse_time_zone(time_zone).map(Clock::new)
    }

    /// The zone's offset from UTC.
    pub fn zone(&self) -> FixedOffset {
        self.zone
    }

    /// Stops the clock at `at` (`Some`), or lets it follow the system time again (`None`). For
    /// tests; the service never calls it.
    pub fn set_now(&self, at: Option<DateTime<Utc>>) {
        let micros = at.map_or(UNSET, |t| t.timestamp_micros());
        self.fixed_micros.store(micros, Ordering::SeqCst);
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match self.fixed_micros.load(Ordering::SeqCst) {
            UNSET => Utc::now(),
            micros => DateTime::from_timestamp_micros(micros).unwrap_or_else(Utc::now),
        }
    }

    /// Today in the city.
    pub fn today(&self) -> NaiveDate {
        self.date_of(self.now())
    }

    /// The next city midnight after now, as an instant.
    pub fn next_midnight(&self) -> DateTime<Utc> {
        self.midnight_after(self.now())
    }

    /// The city's date at instant `t`.
    pub fn date_of(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.zone).date_naive()
    }

    /// The first city midnight strictly after `t`, as an instant.
    pub fn midnight_after(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let next_day = self
            .date_of(t)
            .checked_add_days(Days::new(1))
            .unwrap_or(NaiveDate::MAX);
        self.start_of(next_day)
    }

    /// The instant a city day begins (its local midnight).
    pub fn start_of(&self, day: NaiveDate) -> DateTime<Utc> {
        self.to_utc(day.and_time(NaiveTime::MIN))
    }

    /// The instant of a city wall-clock time (a time written without an offset).
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        // A fixed offset has no gaps or folds: every local time is exactly one instant (only
        // times at the very ends of chrono's range have none; they are taken as UTC).
        self.zone
            .from_local_datetime(&local)
            .single()
            .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
    }

    /// The city's wall-clock time at instant `t`.
    pub fn to_local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.with_timezone(&self.zone).naive_local()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn clock_at(s: &str) -> Clock {
        let c = Clock::default();
        c.set_now(Some(at(s)));
        c
    }

    #[test]
    fn the_city_day_turns_at_17_00_utc() {
        assert_eq!(clock_at("2026-12-01T16:59:59Z").today(), day("2026-12-01"));
        assert_eq!(clock_at("2026-12-01T17:00:00Z").today(), day("2026-12-02"));
        assert_eq!(clock_at("2026-12-01T23:30:00Z").today(), day("2026-12-02"));
        assert_eq!(clock_at("2026-12-01T16:30:00Z").today(), day("2026-12-01"));
        assert_eq!(clock_at("2026-12-31T17:00:00Z").today(), day("2027-01-01"));
    }

    #[test]
    fn next_midnight_is_the_city_midnight() {
        let c = clock_at("2026-11-26T09:30:00Z");
        assert_eq!(c.next_midnight(), at("2026-11-26T17:00:00Z"));
        // Exactly at midnight: the next one, a day later.
        let c = clock_at("2026-11-26T17:00:00Z");
        assert_eq!(c.next_midnight(), at("2026-11-27T17:00:00Z"));
        let c = clock_at("2026-11-26T16:59:59Z");
        assert_eq!(c.next_midnight(), at("2026-11-26T17:00:00Z"));
        assert_eq!(c.date_of(c.next_midnight()), day("2026-11-27"));
    }

    #[test]
    fn local_times_convert_both_ways() {
        let c = Clock::default();
        let local = NaiveDateTime::parse_from_str("2026-12-02T06:30", "%Y-%m-%dT%H:%M").unwrap();
        assert_eq!(c.to_utc(local), at("2026-12-01T23:30:00Z"));
        assert_eq!(c.to_local(at("2026-12-01T23:30:00Z")), local);
        assert_eq!(c.start_of(day("2026-12-02")), at("2026-12-01T17:00:00Z"));
    }

    #[test]
    fn set_now_stops_and_releases_the_clock() {
        let c = Clock::default();
        c.set_now(Some(at("2020-01-01T00:00:00.123456Z")));
        assert_eq!(c.now(), at("2020-01-01T00:00:00.123456Z"));
        c.set_now(None);
        assert!(c.now() > at("2026-01-01T00:00:00Z"));
    }

    #[test]
    fn time_zone_settings() {
        let secs = |s: &str| parse_time_zone(s).map(|o| o.local_minus_utc());
        assert_eq!(secs("Asia/Ho_Chi_Minh"), Ok(7 * 3600));
        assert_eq!(secs("Asia/Saigon"), Ok(7 * 3600));
        assert_eq!(secs("+07:00"), Ok(7 * 3600));
        assert_eq!(secs("+0700"), Ok(7 * 3600));
        assert_eq!(secs("UTC+07"), Ok(7 * 3600));
        assert_eq!(secs("-03:30"), Ok(-(3 * 3600 + 1800)));
        assert_eq!(secs("UTC"), Ok(0));
        for bad in [
            "Europe/Paris",
            "Asia/Bangkok",
            "",
            "7",
            "+7:00",
            "+15:00",
            "+07:60",
            "+07:0a",
            "++7:00",
            "+a€",
        ] {
            let e = parse_time_zone(bad).unwrap_err();
            assert!(e.contains("time_zone") && !e.contains('\n'), "{bad}: {e}");
        }
    }
}
