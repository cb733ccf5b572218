//! Pure rules of attendance, results and completions: attendance marks, scores, who completes a
//! finishing class, certificate numbers, a completion's status on a day, and the days a finish,
//! a revocation or a paper record may bear.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;

use crate::classes::domain::ClassStatus;
use crate::curriculum::domain::{completion_counts_on, valid_until};
use crate::error::{AppError, AppResult, Msg, Reason};
use crate::shared::clock::Clock;

/// Attendance at a session.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceStatus {
    /// Có mặt.
    Present,
    /// Vắng.
    Absent,
    /// Vắng có phép.
    Excused,
}

impl AttendanceStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "present",
            AttendanceStatus::Absent => "absent",
            AttendanceStatus::Excused => "excused",
        }
    }
}

/// Refuses a batch (attendance marks, results) naming an enrolment that is not an enrolled cadre
/// of the class, or naming one twice (`field[i].enrolment_id`).
pub fn check_batch(
    field: &str,
    ids: &[i64],
    enrolled: &HashSet<i64>,
    class_code: &str,
) -> AppResult<()> {
    let mut seen = HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        let name = format!("{field}[{i}].enrolment_id");
        if !enrolled.contains(id) {
            return Err(AppError::invalid(
                name,
                crate::msg!(NotEnrolledInClass, id = id, class = class_code),
            ));
        }
        if !seen.insert(*id) {
            return Err(AppError::invalid(
                name,
                crate::msg!(EnrolmentListedTwice, id = id),
            ));
        }
    }
    Ok(())
}

/// A score on the 0–10 scale in tenths; `None` outside the scale or with more than one decimal
/// (more than 1e-6 off a tenth).
pub fn score_tenths(score: f64) -> Option<i64> {
    let t = (score * 10.0).round();
    ((0.0..=10.0).contains(&score) && (score * 10.0 - t).abs() <= 1e-6).then_some(t as i64)
}

/// [`score_tenths`] for a paper record, which refuses a score exactly 1e-6 off a tenth too
/// (`0.0000001`), as it always has.
pub fn paper_score_tenths(score: f64) -> Option<i64> {
    score_tenths(score).filter(|_| ((score * 10.0).round() - score * 10.0).abs() < 1e-6)
}

/// Whether a cadre who was present at `present` of a class's `sessions` attended enough for a
/// completion: at least `min_pct` percent of them (a class without sessions completes no one).
pub fn attended_enough(present: i64, sessions: i64, min_pct: i64) -> bool {
    sessions > 0 && present * 100 >= min_pct * sessions
}

/// The certificate number of a completion: `PREFIX-YEAR-000123`.
pub fn certificate_no(prefix: &str, completed_on: NaiveDate, id: i64) -> String {
    format!("{prefix}-{}-{id:06}", completed_on.year())
}

/// A completion's status on `today`: `revoked` from its revocation day, else `valid` while it
/// counts (or is dated after today), else `stale`.
pub fn status_on(
    completed_on: NaiveDate,
    validity_years: Option<i64>,
    revoked_on: Option<NaiveDate>,
    today: NaiveDate,
) -> &'static str {
    if revoked_on.is_some_and(|r| r <= today) {
        "revoked"
    } else if completion_counts_on(completed_on, validity_years, None, today)
        || completed_on > today
    {
        "valid"
    } else {
        "stale"
    }
}

/// Whether a completion's validity ends between `today` and `horizon` (both included).
pub fn goes_stale_within(
    completed_on: NaiveDate,
    validity_years: Option<i64>,
    today: NaiveDate,
    horizon: NaiveDate,
) -> bool {
    valid_until(completed_on, validity_years).is_some_and(|v| v >= today && v <= horizon)
}

/// A run of a module's editions that go stale after the same number of years: (module id, first
/// version, last version, validity in years).
pub type StaleEditions = (i64, i64, i64, i64);

/// The editions that go stale, (module id, version, validity in years) sorted by module and
/// version, as runs of consecutive versions of one module with the same validity: each run is one
/// window of the stale-soon search, however often a module was edited without changing it.
pub fn stale_runs(editions: &[(i64, i64, i64)]) -> Vec<StaleEditions> {
    let mut runs: Vec<StaleEditions> = Vec::new();
    for &(module, version, years) in editions {
        match runs.last_mut() {
            Some(r) if r.0 == module && r.3 == years && r.2 + 1 == version => r.2 = version,
            _ => runs.push((module, version, version, years)),
        }
    }
    runs
}

/// The days a completion of a module valid `years` years may have been completed on for its
/// validity to end between `today` and `horizon`: a range a few days wider than exactly
/// [`goes_stale_within`]'s (anniversaries of 29 February move by a day), so that an index can
/// find the candidates and the rule itself decides.
pub fn completed_for_stale_within(
    years: i64,
    today: NaiveDate,
    horizon: NaiveDate,
) -> (NaiveDate, NaiveDate) {
    let back = |d: NaiveDate| {
        u32::try_from(years)
            .ok()
            .and_then(|y| y.checked_mul(12))
            .and_then(|m| d.checked_sub_months(chrono::Months::new(m)))
    };
    let slack = chrono::Duration::days(3);
    (
        back(today).map_or(NaiveDate::MIN, |d| d - slack),
        back(horizon).map_or(NaiveDate::MIN, |d| d + slack),
    )
}

/// The window of the stale-soon list in days: 1–3650, 90 when not given.
pub fn stale_window(days: Option<i64>) -> AppResult<i64> {
    let days = days.unwrap_or(90);
    if !(1..=3650).contains(&days) {
        return Err(AppError::invalid(
            "days",
            crate::msg!(Between, field = "days", min = 1, max = 3650),
        ));
    }
    Ok(days)
}

/// The day a class finishes on when it moves to `to`: none unless `finished` (a day given for
/// another status is refused, not ignored); then the day given, or `today`, never later than today.
pub fn finishing_day(
    to: ClassStatus,
    given: Option<NaiveDate>,
    today: NaiveDate,
) -> AppResult<Option<NaiveDate>> {
    if to != ClassStatus::Finished && given.is_some() {
        return Err(AppError::invalid(
            "finished_on",
            crate::msg!(FinishedOnOnlyWithFinish),
        ));
    }
    let day = (to == ClassStatus::Finished).then(|| given.unwrap_or(today));
    if day.is_some_and(|d| d > today) {
        return Err(AppError::invalid(
            "finished_on",
            crate::msg!(NotInFuture, field = "finished_on"),
        ));
    }
    Ok(day)
}

/// Refuses finishing class `class` on `day` before its last session (ending at `last_end`, if it
/// has sessions) is over by `clock` (409 on `status`), or on a day before that session's city day
/// (422 on `finished_on`): a class is finished once it has been taught, on a day after it was.
pub fn check_finish_after_sessions(
    class: &str,
    last_end: Option<DateTime<Utc>>,
    day: NaiveDate,
    clock: &Clock,
) -> AppResult<()> {
    let Some(end) = last_end else { return Ok(()) };
    let local = clock.to_local(end);
    if end > clock.now() {
        return Err(AppError::conflict(
            Some("status"),
            crate::msg!(
                ClassNotOver,
                class = class,
                date = local.format("%Y-%m-%d").to_string(),
                time = local.format("%H:%M").to_string()
            ),
        ));
    }
    if day < local.date() {
        return Err(AppError::invalid(
            "finished_on",
            crate::msg!(FinishedBeforeLastSession, date = local.date().to_string()),
        ));
    }
    Ok(())
}

/// Refuses attendance for a session starting at `starts_at` that has not started by `clock`
/// (409 on `session`): who came is known once it has begun, and an absence told ahead is
/// recorded then.
pub fn check_session_started(starts_at: DateTime<Utc>, clock: &Clock) -> AppResult<()> {
    begun(starts_at, clock, "session", Reason::SessionNotStarted)
}

/// Refuses results for a class whose first session, starting at `first_start`, has not started by
/// `clock` (409 on `results`): a pass is recorded for teaching that has begun.
pub fn check_class_begun(first_start: DateTime<Utc>, clock: &Clock) -> AppResult<()> {
    begun(first_start, clock, "results", Reason::ResultsBeforeStart)
}

/// Refuses, with a conflict on `field` for `reason` naming its city day and time, what comes
/// before `start` by `clock`.
fn begun(start: DateTime<Utc>, clock: &Clock, field: &str, reason: Reason) -> AppResult<()> {
    if start <= clock.now() {
        return Ok(());
    }
    let (date, time, _) = crate::classes::domain::city_span(clock, start, start);
    Err(AppError::conflict(
        Some(field),
        Msg::new(reason).with("date", date).with("time", time),
    ))
}

/// The reason a class is cancelled for: required (trimmed, 1 to 500 characters) when `to` is
/// `cancelled`, refused with any other status.
pub fn cancel_reason(to: ClassStatus, given: Option<&str>) -> AppResult<Option<&str>> {
    let given = given.map(str::trim);
    match (to == ClassStatus::Cancelled, given) {
        (true, Some(r)) if !r.is_empty() && r.chars().count() <= 500 => Ok(Some(r)),
        (true, _) => Err(AppError::invalid(
            "reason",
            crate::msg!(CancelReasonNeeded, max = 500),
        )),
        (false, Some(_)) => Err(AppError::invalid(
            "reason",
            crate::msg!(ReasonOnlyWithCancel),
        )),
        (false, None) => Ok(None),
    }
}

/// The day a certificate is revoked from: the day given, or `today`; between its completion and
/// today.
pub fn revocation_day(
    given: Option<NaiveDate>,
    completed_on: NaiveDate,
    today: NaiveDate,
) -> AppResult<NaiveDate> {
    let on = given.unwrap_or(today);
    if on < completed_on || on > today {
        return Err(AppError::invalid("revoked_on", crate::msg!(RevokedOnRange)));
    }
    Ok(on)
}

/// The source of a paper record: `paper` (when not given) or `import`.
pub fn paper_source(given: Option<&str>) -> AppResult<&str> {
    let source = given.unwrap_or("paper");
    if !matches!(source, "paper" | "import") {
        return Err(AppError::invalid(
            "source",
            crate::msg!(OneOf, field = "source", values = "paper, import"),
        ));
    }
    Ok(source)
}

/// Refuses a paper record dated before the cadre's birth or after today.
pub fn check_paper_day(
    completed_on: NaiveDate,
    born: NaiveDate,
    today: NaiveDate,
) -> AppResult<()> {
    if completed_on > today || completed_on < born {
        return Err(AppError::invalid(
            "completed_on",
            crate::msg!(CompletedOnRange),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_runs_join_consecutive_editions_of_one_validity() {
        // Module 1: versions 1–2 five years, 3 (never stale) absent, 4–5 five years, 6 three
        // years; module 2: version 1 two years.
        let editions = [
            (1, 1, 5),
            (1, 2, 5),
            (1, 4, 5),
            (1, 5, 5),
            (1, 6, 3),
            (2, 1, 2),
        ];
        assert_eq!(
            stale_runs(&editions),
            [(1, 1, 2, 5), (1, 4, 5, 5), (1, 6, 6, 3), (2, 1, 1, 2)]
        );
        assert_eq!(stale_runs(&[]), []);
    }

    #[test]
    fn the_stale_window_of_completion_days_holds_every_day_that_goes_stale() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Every completion day from 1975 to 2031 against windows around leap days, year ends and
        // ordinary days, for validities of 1 to 50 years: every day the rule keeps lies in the
        // range, and the range is at most a week wider than the window.
        for (today, days) in [
            ("2027-05-01", 30),
            ("2028-02-01", 28),
            ("2028-02-29", 1),
            ("2029-02-28", 1),
            ("2026-12-31", 1),
            ("2030-03-01", 90),
        ] {
            let today = day(today);
            let horizon = today + chrono::Duration::days(days);
            for years in [1, 2, 3, 4, 5, 10, 50] {
                let (from, to) = completed_for_stale_within(years, today, horizon);
                assert!((to - from).num_days() <= days + 7, "{today} {years}");
                let mut d = day("1975-01-01");
                while d <= day("2031-12-31") {
                    if goes_stale_within(d, Some(years), today, horizon) {
                        assert!(from <= d && d <= to, "{d} {years} {today} {from}..{to}");
                    }
                    d = d.succ_opt().unwrap();
                }
            }
        }
        // A validity too long for the calendar: the range starts at the first day there is.
        assert_eq!(
            completed_for_stale_within(i64::MAX, day("2027-01-01"), day("2027-02-01")).0,
            NaiveDate::MIN
        );
    }

    #[test]
    fn a_cancellation_needs_its_reason_and_only_it_takes_one() {
        use ClassStatus::*;
        assert_eq!(
            cancel_reason(Cancelled, Some(" Hoãn ")).unwrap(),
            Some("Hoãn")
        );
        for bad in [None, Some(""), Some("  ")] {
            assert!(cancel_reason(Cancelled, bad).is_err(), "{bad:?}");
        }
        assert!(cancel_reason(Cancelled, Some(&"x".repeat(501))).is_err());
        assert!(cancel_reason(Cancelled, Some(&"ư".repeat(500))).is_ok());
        assert!(cancel_reason(Open, Some("x")).is_err());
        assert_eq!(cancel_reason(Finished, None).unwrap(), None);
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The HTTP status, field and message of an error.
    fn said(e: AppError) -> (u16, Option<String>, String) {
        let b = e.body().error;
        (e.status().code, b.field, b.message)
    }

    #[test]
    fn a_class_finishes_after_its_last_session_and_attendance_follows_the_sessions() {
        let clock = Clock::new(chrono::FixedOffset::east_opt(7 * 3600).unwrap());
        let utc = |s: &str| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
                .unwrap()
                .and_utc()
        };
        // Now: 2026-06-01 08:00 in the city (01:00 UTC).
        clock.set_now(Some(utc("2026-06-01T01:00")));
        // No session: nothing to wait for.
        assert!(check_finish_after_sessions("A-1", None, day("2020-01-01"), &clock).is_ok());
        // The last session ended 2026-05-31 23:30 city time (16:30 UTC): finished that day or later.
        let end = Some(utc("2026-05-31T16:30"));
        assert!(check_finish_after_sessions("A-1", end, day("2026-05-31"), &clock).is_ok());
        assert!(check_finish_after_sessions("A-1", end, day("2026-06-01"), &clock).is_ok());
        let (code, field, message) =
            said(check_finish_after_sessions("A-1", end, day("2026-05-30"), &clock).unwrap_err());
        assert_eq!((code, field.as_deref()), (422, Some("finished_on")));
        assert!(message.contains("2026-05-31"), "{message}");
        // It ends at 08:30 today, city time: not over yet; over at 08:30.
        let end = Some(utc("2026-06-01T01:30"));
        let (code, field, message) =
            said(check_finish_after_sessions("A-1", end, day("2026-06-01"), &clock).unwrap_err());
        assert_eq!((code, field.as_deref()), (409, Some("status")));
        assert!(message.contains("2026-06-01 at 08:30"), "{message}");
        clock.set_now(Some(utc("2026-06-01T01:30")));
        assert!(check_finish_after_sessions("A-1", end, day("2026-06-01"), &clock).is_ok());
        // Attendance from the session's start, not a second before.
        let start = utc("2026-06-01T02:00");
        let (code, field, message) = said(check_session_started(start, &clock).unwrap_err());
        assert_eq!((code, field.as_deref()), (409, Some("session")));
        assert!(message.contains("2026-06-01 at 09:00"), "{message}");
        clock.set_now(Some(start));
        assert!(check_session_started(start, &clock).is_ok());
    }

    #[test]
    fn a_batch_names_enrolled_cadres_once() {
        let enrolled: HashSet<i64> = [3, 5, 8].into();
        assert!(check_batch("records", &[], &enrolled, "A-1").is_ok());
        assert!(check_batch("records", &[8, 3], &enrolled, "A-1").is_ok());
        assert_eq!(
            said(check_batch("records", &[3, 4], &enrolled, "A-1").unwrap_err()),
            (
                422,
                Some("records[1].enrolment_id".into()),
                "4 is not an enrolled cadre of class A-1".into()
            )
        );
        assert_eq!(
            said(check_batch("results", &[5, 3, 5], &enrolled, "A-1").unwrap_err()),
            (
                422,
                Some("results[2].enrolment_id".into()),
                "enrolment 5 is listed twice".into()
            )
        );
    }

    #[test]
    fn scores_have_one_decimal_on_the_ten_point_scale() {
        assert_eq!(score_tenths(0.0), Some(0));
        assert_eq!(score_tenths(7.5), Some(75));
        assert_eq!(score_tenths(8.3), Some(83));
        assert_eq!(score_tenths(10.0), Some(100));
        assert_eq!(score_tenths(7.25), None);
        assert_eq!(score_tenths(-0.1), None);
        assert_eq!(score_tenths(10.1), None);
        assert_eq!(score_tenths(0.000_000_1), Some(0));
        assert_eq!(paper_score_tenths(0.000_000_1), None);
        assert_eq!(paper_score_tenths(8.3), Some(83));
        assert_eq!(paper_score_tenths(7.25), None);
    }

    #[test]
    fn completing_needs_the_attendance_share() {
        assert!(attended_enough(4, 5, 80));
        assert!(!attended_enough(3, 5, 80));
        assert!(attended_enough(5, 5, 100));
        assert!(attended_enough(0, 5, 0));
        assert!(!attended_enough(0, 0, 0), "no sessions, no completion");
        assert!(attended_enough(2, 3, 66));
        assert!(!attended_enough(2, 3, 67));
    }

    #[test]
    fn certificate_numbers_carry_the_year_and_six_digits() {
        assert_eq!(
            certificate_no("TCB", day("2026-03-01"), 123),
            "TCB-2026-000123"
        );
        assert_eq!(
            certificate_no("X", day("2025-12-31"), 1_234_567),
            "X-2025-1234567"
        );
    }

    #[test]
    fn a_completion_is_valid_stale_or_revoked_on_a_day() {
        let on = day("2024-01-01");
        assert_eq!(status_on(on, None, None, day("2060-01-01")), "valid");
        assert_eq!(status_on(on, Some(2), None, day("2025-12-31")), "valid");
        assert_eq!(status_on(on, Some(2), None, day("2026-01-01")), "stale");
        assert_eq!(
            status_on(on, Some(2), Some(day("2025-01-01")), day("2025-01-01")),
            "revoked"
        );
        assert_eq!(
            status_on(on, Some(2), Some(day("2025-01-02")), day("2025-01-01")),
            "valid"
        );
        assert_eq!(
            status_on(day("2030-01-01"), Some(1), None, day("2025-01-01")),
            "valid"
        );
        let today = day("2025-11-01");
        assert!(goes_stale_within(on, Some(2), today, day("2026-01-30")));
        assert!(goes_stale_within(on, Some(2), today, day("2025-12-31")));
        assert!(!goes_stale_within(on, Some(2), today, day("2025-12-30")));
        assert!(!goes_stale_within(
            on,
            Some(2),
            day("2026-01-01"),
            day("2026-12-30")
        ));
        assert!(!goes_stale_within(on, None, today, day("2099-01-01")));
    }

    #[test]
    fn days_a_record_may_bear() {
        let today = day("2026-06-01");
        assert_eq!(stale_window(None).unwrap(), 90);
        assert_eq!(stale_window(Some(3650)).unwrap(), 3650);
        assert_eq!(
            said(stale_window(Some(0)).unwrap_err()).1.as_deref(),
            Some("days")
        );
        assert_eq!(
            finishing_day(ClassStatus::Running, None, today).unwrap(),
            None
        );
        assert_eq!(
            said(finishing_day(ClassStatus::Running, Some(day("2026-05-01")), today).unwrap_err())
                .1
                .as_deref(),
            Some("finished_on")
        );
        assert_eq!(
            finishing_day(ClassStatus::Finished, None, today).unwrap(),
            Some(today)
        );
        assert_eq!(
            finishing_day(ClassStatus::Finished, Some(day("2026-05-01")), today).unwrap(),
            Some(day("2026-05-01"))
        );
        assert_eq!(
            said(finishing_day(ClassStatus::Finished, Some(day("2026-06-02")), today).unwrap_err())
                .1
                .as_deref(),
            Some("finished_on")
        );
        let done = day("2026-01-10");
        assert_eq!(revocation_day(None, done, today).unwrap(), today);
        assert_eq!(revocation_day(Some(done), done, today).unwrap(), done);
        assert!(revocation_day(Some(day("2026-01-09")), done, today).is_err());
        assert!(revocation_day(Some(day("2026-06-02")), done, today).is_err());
        assert_eq!(paper_source(None).unwrap(), "paper");
        assert_eq!(paper_source(Some("import")).unwrap(), "import");
        assert_eq!(
            said(paper_source(Some("class")).unwrap_err()).1.as_deref(),
            Some("source")
        );
        let born = day("1980-05-05");
        assert!(check_paper_day(born, born, today).is_ok());
        assert!(check_paper_day(today, born, today).is_ok());
        assert!(check_paper_day(day("1980-05-04"), born, today).is_err());
        assert!(check_paper_day(day("2026-06-02"), born, today).is_err());
    }
}
