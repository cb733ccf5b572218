//! Pure class rules: statuses and their transitions, session times and schedules, overlap, the
//! checks of a class's own fields.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::shared::clock::Clock;

/// Life of a class: `planned → open → running → finished`, or `cancelled` before it finishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClassStatus {
    /// Scheduled, not yet taking enrolments.
    Planned,
    /// Taking enrolments.
    Open,
    /// Being taught.
    Running,
    /// Over; completions recorded.
    Finished,
    /// Called off.
    Cancelled,
}

crate::text_enum!(ClassStatus);

impl std::fmt::Display for ClassStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ClassStatus {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ClassStatus::Planned => "planned",
            ClassStatus::Open => "open",
            ClassStatus::Running => "running",
            ClassStatus::Finished => "finished",
            ClassStatus::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<ClassStatus> {
        [
            ClassStatus::Planned,
            ClassStatus::Open,
            ClassStatus::Running,
            ClassStatus::Finished,
            ClassStatus::Cancelled,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }

    /// Parses a comma-separated list of statuses (the class list's `status`; blanks skipped).
    pub fn parse_list(raw: &str) -> Result<Vec<ClassStatus>, AppError> {
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                ClassStatus::parse(s).ok_or_else(|| {
                    AppError::invalid("status", crate::msg!(UnknownStatus, value = s))
                })
            })
            .collect()
    }

    /// Whether the class is over (finished or cancelled): it may no longer change.
    pub fn is_closed(self) -> bool {
        matches!(self, ClassStatus::Finished | ClassStatus::Cancelled)
    }

    /// Whether a class may go from `self` to `to`.
    pub fn can_become(self, to: ClassStatus) -> bool {
        use ClassStatus::*;
        matches!(
            (self, to),
            (Planned, Open)
                | (Open, Running)
                | (Running, Finished)
                | (Planned | Open | Running, Cancelled)
                | (Open, Planned)
        )
    }
}

/// Refuses a move of class `code` from `from` to `to` that [`ClassStatus::can_become`] does not allow.
pub fn check_transition(code: &str, from: ClassStatus, to: ClassStatus) -> Result<(), AppError> {
    if !from.can_become(to) {
        return Err(AppError::conflict(
            Some("status"),
            crate::msg!(
                ClassCannotGo,
                code = code,
                from = from.as_str(),
                to = to.as_str()
            ),
        ));
    }
    Ok(())
}

/// Refuses a change to a finished or cancelled class.
pub fn editable(code: &str, status: ClassStatus) -> Result<(), AppError> {
    if status.is_closed() {
        return Err(AppError::conflict(
            Some("status"),
            crate::msg!(ClassFrozen, code = code, status = status.to_string()),
        ));
    }
    Ok(())
}

/// The fields of a class, validated.
#[derive(Debug, Clone)]
pub struct ClassWrite {
    /// Title.
    pub title: String,
    /// Organiser.
    pub organiser: String,
    /// Seats.
    pub capacity: i64,
    /// Enrolment window start.
    pub enrol_opens: NaiveDate,
    /// Enrolment window end.
    pub enrol_closes: NaiveDate,
    /// Attendance share for completion.
    pub min_attendance_pct: i64,
}

/// Checks a class's own fields (title, organiser, capacity, enrolment window, attendance share).
pub fn check_fields(
    title: &str,
    organiser: &str,
    capacity: i64,
    opens: NaiveDate,
    closes: NaiveDate,
    pct: i64,
) -> Result<ClassWrite, AppError> {
    let title = crate::shared::text::required_text("title", title, 300)?;
    let organiser = crate::shared::text::required_text("organiser", organiser, 300)?;
    if !(1..=1000).contains(&capacity) {
        return Err(AppError::invalid(
            "capacity",
            crate::msg!(Between, field = "capacity", min = 1, max = 1000),
        ));
    }
    if closes < opens {
        return Err(AppError::invalid("enrol_closes", crate::msg!(EnrolWindow)));
    }
    if !(0..=100).contains(&pct) {
        return Err(AppError::invalid(
            "min_attendance_pct",
            crate::msg!(Between, field = "min_attendance_pct", min = 0, max = 100),
        ));
    }
    Ok(ClassWrite {
        title,
        organiser,
        capacity,
        enrol_opens: opens,
        enrol_closes: closes,
        min_attendance_pct: pct,
    })
}

/// A session to schedule, as asked.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionInput {
    /// Start: RFC 3339, or city time without offset (`2026-12-01T08:00`).
    pub starts_at: String,
    /// End, after the start.
    pub ends_at: String,
    /// Venue.
    pub venue: String,
    /// Instructor.
    pub instructor: String,
}

/// A new session, validated.
#[derive(Debug, Clone)]
pub struct SessionWrite {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Venue.
    pub venue: String,
    /// Instructor.
    pub instructor: String,
}

/// A session's day (ISO) and its start and end times (`HH:MM`) in city time, as clash messages
/// name them.
pub fn city_span(
    city: &Clock,
    starts_at: chrono::DateTime<chrono::Utc>,
    ends_at: chrono::DateTime<chrono::Utc>,
) -> (String, String, String) {
    let (s, e) = (city.to_local(starts_at), city.to_local(ends_at));
    (
        s.format("%Y-%m-%d").to_string(),
        s.format("%H:%M").to_string(),
        e.format("%H:%M").to_string(),
    )
}

/// A session on record, as a new schedule is weighed against it.
#[derive(Debug, Clone)]
pub struct SessionOnRecord {
    /// Session id.
    pub id: i64,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Venue.
    pub venue: String,
    /// Instructor.
    pub instructor: String,
    /// Whether attendance has been taken at it.
    pub marked: bool,
}

/// Whether a new schedule `new` is the one `on_record`: the same sessions, each at the same times
/// and place with the same instructor (saving it again changes nothing and tells nobody).
pub fn same_schedule(new: &[SessionWrite], on_record: &[SessionOnRecord]) -> bool {
    new.len() == on_record.len()
        && new.iter().all(|s| {
            on_record.iter().any(|r| {
                s.starts_at == r.starts_at
                    && s.ends_at == r.ends_at
                    && s.venue == r.venue
                    && s.instructor == r.instructor
            })
        })
}

/// Weighs a new schedule `new` against the sessions `on_record`: for each new session, the id of
/// the session on record it keeps (same start and end: its id, and so its reminders, calendar
/// event and attendance, stay), or `None`. A session with
/// attendance stays where it is (409 on `sessions` naming it: who came is on record); the others
/// may move or go, so a session called off leaves the schedule. In a `running` class a session
/// added or moved does not start before now (422 on `sessions[i].starts_at`): the schedule is
/// what finishing waits for.
pub fn weigh_schedule(
    new: &[SessionWrite],
    on_record: &[SessionOnRecord],
    running: bool,
    clock: &Clock,
) -> Result<Vec<Option<i64>>, AppError> {
    let same = |s: &SessionWrite, r: &SessionOnRecord| {
        s.starts_at == r.starts_at && s.ends_at == r.ends_at
    };
    for r in on_record.iter().filter(|r| r.marked) {
        if !new.iter().any(|s| same(s, r)) {
            let (date, start, _) = city_span(clock, r.starts_at, r.ends_at);
            return Err(AppError::conflict(
                Some("sessions"),
                crate::msg!(AttendanceTakenAt, date = date, time = start),
            ));
        }
    }
    let now = clock.now();
    new.iter()
        .enumerate()
        .map(|(i, s)| {
            let kept = on_record.iter().find(|r| same(s, r));
            if running && kept.is_none() && s.starts_at < now {
                return Err(AppError::invalid(
                    format!("sessions[{i}].starts_at"),
                    crate::msg!(SessionMovedIntoPast),
                ));
            }
            Ok(kept.map(|r| r.id))
        })
        .collect()
}

/// Most sessions a class may have.
pub const MAX_SESSIONS: usize = 200;

/// Checks a schedule on its own: at least one and at most [`MAX_SESSIONS`] sessions, each with
/// its times (city time without an offset), ending after it starts and within 24 hours, a venue
/// and an instructor, and no two of them overlapping. (Clashes with other classes need the
/// database: `classes::service`.)
pub fn check_sessions(input: &[SessionInput], city: &Clock) -> Result<Vec<SessionWrite>, AppError> {
    if input.is_empty() {
        return Err(AppError::invalid(
            "sessions",
            crate::msg!(ClassNeedsSession),
        ));
    }
    if input.len() > MAX_SESSIONS {
        return Err(AppError::invalid(
            "sessions",
            crate::msg!(TooManySessions, max = MAX_SESSIONS),
        ));
    }
    let mut out: Vec<SessionWrite> = Vec::with_capacity(input.len());
    for (i, s) in input.iter().enumerate() {
        let f = |name: &str| format!("sessions[{i}].{name}");
        let starts_at = parse_time(&f("starts_at"), &s.starts_at, city)?;
        let ends_at = parse_time(&f("ends_at"), &s.ends_at, city)?;
        if ends_at <= starts_at {
            return Err(AppError::invalid(
                f("ends_at"),
                crate::msg!(SessionEndsFirst),
            ));
        }
        if ends_at - starts_at > chrono::Duration::hours(24) {
            return Err(AppError::invalid(f("ends_at"), crate::msg!(SessionTooLong)));
        }
        let venue = crate::shared::text::required_text(&f("venue"), &s.venue, 200)?;
        let instructor = crate::shared::text::required_text(&f("instructor"), &s.instructor, 200)?;
        if let Some(j) = out
            .iter()
            .position(|o| overlaps(o.starts_at, o.ends_at, starts_at, ends_at))
        {
            let (date, start, end) = city_span(city, out[j].starts_at, out[j].ends_at);
            return Err(AppError::invalid(
                f("starts_at"),
                crate::msg!(
                    SessionOverlap,
                    session = j + 1,
                    date = date,
                    start = start,
                    end = end
                ),
            ));
        }
        out.push(SessionWrite {
            starts_at,
            ends_at,
            venue,
            instructor,
        });
    }
    Ok(out)
}

/// Parses a session time: RFC 3339 with an offset, or a city time without one
/// (`2026-12-01T08:00`, in the zone of `city`). Seconds are dropped.
pub fn parse_time(field: &str, raw: &str, city: &Clock) -> Result<DateTime<Utc>, AppError> {
    let s = raw.trim();
    let refused = || AppError::invalid(field, crate::msg!(NotADateTime, field = field, value = s));
    // Written as the examples are: chrono alone also reads `+2027-01-10T08:00` and
    // `2027-01-10T8:00`, which nobody else would take for a session's time.
    if !is_date_time_shape(s) {
        return Err(refused());
    }
    let parsed = DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
                .map(|n| city.to_utc(n))
        })
        .map_err(|_| refused())?;
    Ok(parsed
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(parsed))
}

/// Whether `s` begins with a day and a time written `YYYY-MM-DDTHH:MM` (or with a space for the
/// `T`): four-digit year, two-digit month, day, hour and minute.
fn is_date_time_shape(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 16
        && s.get(..10).is_some_and(crate::api::text::is_iso_day)
        && matches!(b[10], b'T' | b't' | b' ')
        && b[11].is_ascii_digit()
        && b[12].is_ascii_digit()
        && b[13] == b':'
        && b[14].is_ascii_digit()
        && b[15].is_ascii_digit()
}

/// Whether two half-open intervals `[a_start, a_end)` and `[b_start, b_end)` overlap
/// (sessions that merely touch do not).
pub fn overlaps(
    a_start: DateTime<Utc>,
    a_end: DateTime<Utc>,
    b_start: DateTime<Utc>,
    b_end: DateTime<Utc>,
) -> bool {
    a_start < b_end && b_start < a_end
}

/// A venue or instructor name folded for comparison.
pub fn key(s: &str) -> String {
    crate::shared::text::fold(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        parse_time("t", s, &Clock::default()).unwrap()
    }

    /// The HTTP status, field and message of an error.
    fn said(e: AppError) -> (u16, Option<String>, String) {
        let b = e.body().error;
        (e.status().code, b.field, b.message)
    }

    #[test]
    fn a_schedule_keeps_the_sessions_with_attendance_and_a_running_class_its_past() {
        let clock = Clock::default();
        clock.set_now(Some(t("2026-06-10T12:00")));
        let w = |from: &str, to: &str| SessionWrite {
            starts_at: t(from),
            ends_at: t(to),
            venue: "P".into(),
            instructor: "G".into(),
        };
        let r = |id, from: &str, to: &str, marked| SessionOnRecord {
            id,
            starts_at: t(from),
            ends_at: t(to),
            venue: "P".into(),
            instructor: "G".into(),
            marked,
        };
        let record = [
            r(1, "2026-06-01T08:00", "2026-06-01T11:00", true),
            r(2, "2026-06-05T08:00", "2026-06-05T11:00", false),
            r(3, "2026-06-20T08:00", "2026-06-20T11:00", false),
        ];
        // Session 2 (past, no marks) kept as is, 3 called off, one added ahead: 1 and 2 are kept
        // by id.
        let new = [
            w("2026-06-01T08:00", "2026-06-01T11:00"),
            w("2026-06-05T08:00", "2026-06-05T11:00"),
            w("2026-06-25T08:00", "2026-06-25T11:00"),
        ];
        assert_eq!(
            weigh_schedule(&new, &record, true, &clock).unwrap(),
            [Some(1), Some(2), None]
        );
        assert!(!same_schedule(&new, &record));
        let again = [
            w("2026-06-20T08:00", "2026-06-20T11:00"),
            w("2026-06-01T08:00", "2026-06-01T11:00"),
            w("2026-06-05T08:00", "2026-06-05T11:00"),
        ];
        assert!(same_schedule(&again, &record), "in any order");
        let elsewhere = [
            w("2026-06-01T08:00", "2026-06-01T11:00"),
            w("2026-06-05T08:00", "2026-06-05T11:00"),
            SessionWrite {
                venue: "Q".into(),
                ..w("2026-06-20T08:00", "2026-06-20T11:00")
            },
        ];
        assert!(!same_schedule(&elsewhere, &record), "another venue");
        // Session 1 moved: refused, naming its day and time.
        let moved = [w("2026-06-01T08:30", "2026-06-01T11:00")];
        let (code, field, message) =
            said(weigh_schedule(&moved, &record, true, &clock).unwrap_err());
        assert_eq!((code, field.as_deref()), (409, Some("sessions")));
        assert!(message.contains("2026-06-01 at 08:00"), "{message}");
        // A session moved into the past: refused while running, taken before.
        let past = [
            w("2026-06-01T08:00", "2026-06-01T11:00"),
            w("2026-06-09T08:00", "2026-06-09T11:00"),
        ];
        let (code, field, _) = said(weigh_schedule(&past, &record, true, &clock).unwrap_err());
        assert_eq!(
            (code, field.as_deref()),
            (422, Some("sessions[1].starts_at"))
        );
        assert!(weigh_schedule(&past, &record, false, &clock).is_ok());
    }

    fn session(from: &str, to: &str, venue: &str) -> SessionInput {
        SessionInput {
            starts_at: from.into(),
            ends_at: to.into(),
            venue: venue.into(),
            instructor: "TS. Trần Quốc Bảo".into(),
        }
    }

    #[test]
    fn statuses_are_read_from_a_list() {
        assert_eq!(
            ClassStatus::parse_list(" open, ,running").unwrap(),
            vec![ClassStatus::Open, ClassStatus::Running]
        );
        assert_eq!(ClassStatus::parse_list("").unwrap(), vec![]);
        assert_eq!(
            said(ClassStatus::parse_list("open,closed").unwrap_err()),
            (
                422,
                Some("status".into()),
                "unknown status \"closed\"".into()
            )
        );
    }

    #[test]
    fn closed_classes_do_not_change() {
        assert!(editable("A-1", ClassStatus::Running).is_ok());
        assert_eq!(
            said(editable("A-1", ClassStatus::Finished).unwrap_err()),
            (
                409,
                Some("status".into()),
                "class A-1 is finished and cannot change".into()
            )
        );
        assert!(editable("A-1", ClassStatus::Cancelled).is_err());
        assert!(check_transition("A-1", ClassStatus::Planned, ClassStatus::Open).is_ok());
        assert_eq!(
            said(check_transition("A-1", ClassStatus::Planned, ClassStatus::Finished).unwrap_err()),
            (
                409,
                Some("status".into()),
                "class A-1 cannot go from planned to finished".into()
            )
        );
    }

    #[test]
    fn class_fields_are_checked_in_order() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (a, b) = (d("2026-11-01"), d("2026-11-20"));
        let w = check_fields(" Lớp 1 ", "Trường", 30, a, b, 80).unwrap();
        assert_eq!((w.title.as_str(), w.capacity), ("Lớp 1", 30));
        let field = |r: Result<ClassWrite, AppError>| said(r.unwrap_err()).1.unwrap();
        assert_eq!(field(check_fields(" ", "T", 0, b, a, 101)), "title");
        assert_eq!(field(check_fields("L", "", 0, b, a, 101)), "organiser");
        assert_eq!(field(check_fields("L", "T", 0, b, a, 101)), "capacity");
        assert_eq!(field(check_fields("L", "T", 1001, a, b, 80)), "capacity");
        assert_eq!(
            field(check_fields("L", "T", 1000, b, a, 101)),
            "enrol_closes"
        );
        assert_eq!(
            field(check_fields("L", "T", 1, a, a, 101)),
            "min_attendance_pct"
        );
        assert!(check_fields("L", "T", 1, a, a, 0).is_ok());
    }

    #[test]
    fn schedules_are_checked_on_their_own() {
        let city = Clock::default();
        let ok = check_sessions(
            &[
                session("2026-12-01T08:00", "2026-12-01T10:00", "Phòng 201"),
                session("2026-12-01T10:00", "2026-12-01T11:00", " Phòng 201 "),
            ],
            &city,
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].venue, "Phòng 201");
        assert_eq!(ok[0].starts_at, t("2026-12-01T01:00:00Z"));
        let err = |s: &[SessionInput]| said(check_sessions(s, &city).unwrap_err());
        assert_eq!(err(&[]).1.as_deref(), Some("sessions"));
        let many = vec![session("2026-12-01T08:00", "2026-12-01T10:00", "P"); MAX_SESSIONS + 1];
        assert_eq!(err(&many).2, "at most 200 sessions");
        assert_eq!(
            err(&[session("2026-12-01T08:00", "2026-12-01T08:00", "P")]),
            (
                422,
                Some("sessions[0].ends_at".into()),
                "a session must end after it starts".into()
            )
        );
        assert_eq!(
            err(&[session("2026-12-01T08:00", "2026-12-02T08:01", "P")]).2,
            "a session may last at most 24 hours"
        );
        assert_eq!(
            err(&[session("2026-12-01T08:00", "nine", "P")])
                .1
                .as_deref(),
            Some("sessions[0].ends_at")
        );
        assert_eq!(
            err(&[session("2026-12-01T08:00", "2026-12-01T09:00", " ")])
                .1
                .as_deref(),
            Some("sessions[0].venue")
        );
        assert_eq!(
            err(&[
                session("2026-12-01T08:00", "2026-12-01T10:00", "P"),
                session("2026-12-01T09:00", "2026-12-01T11:00", "Q"),
            ]),
            (
                422,
                Some("sessions[1].starts_at".into()),
                "overlaps session 1 of the same class (2026-12-01, 08:00–10:00)".into()
            )
        );
    }

    #[test]
    fn transitions() {
        assert!(ClassStatus::Planned.can_become(ClassStatus::Open));
        assert!(ClassStatus::Running.can_become(ClassStatus::Finished));
        assert!(ClassStatus::Open.can_become(ClassStatus::Cancelled));
        assert!(!ClassStatus::Finished.can_become(ClassStatus::Cancelled));
        assert!(!ClassStatus::Planned.can_become(ClassStatus::Finished));
        assert!(!ClassStatus::Cancelled.can_become(ClassStatus::Open));
    }

    #[test]
    fn local_times_are_city_time() {
        assert_eq!(t("2026-12-01T08:00"), t("2026-12-01T01:00:00Z"));
        assert_eq!(t("2026-12-01T08:00:59+07:00"), t("2026-12-01T08:00"));
        assert!(parse_time("starts_at", "tomorrow", &Clock::default()).is_err());
        assert_eq!(t("2026-12-01 08:00"), t("2026-12-01T08:00"));
        for odd in [
            "+2026-12-01T08:00",
            "2026-12-01T8:00",
            "2026-12-1T08:00",
            "12026-12-01T08:00",
            "2026-12-01T08",
            "2026-12-01T08:00:00+7:00",
            "2026-12-01Tà8:00",
            "2026-12-0à8:00",
        ] {
            assert!(
                parse_time("starts_at", odd, &Clock::default()).is_err(),
                "{odd}"
            );
        }
    }

    #[test]
    fn touching_is_not_overlapping() {
        let (a, b, c, d) = (
            t("2026-12-01T08:00"),
            t("2026-12-01T10:00"),
            t("2026-12-01T10:00"),
            t("2026-12-01T11:00"),
        );
        assert!(!overlaps(a, b, c, d));
        assert!(overlaps(a, t("2026-12-01T10:01"), c, d));
        assert!(overlaps(a, d, b, c));
    }
}
