//! Pure enrolment rules: where an enrolment stands and who asked for it, who may enrol whom, the
//! enrolment window, prerequisites, the seat or waitlist place, and how an enrolment ends.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Role;
use crate::classes::domain::ClassStatus;
use crate::curriculum::domain::completion_counts_on;
use crate::error::{AppError, AppResult};
use crate::shared::clock::Clock;

/// Where an enrolment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentStatus {
    /// Holds a seat.
    Enrolled,
    /// Waiting for a seat, in queue order.
    Waitlisted,
    /// Withdrawn by the cadre or their officer.
    Withdrawn,
    /// Removed by the school.
    Removed,
}

crate::text_enum!(EnrolmentStatus);

/// How a seat in a finished class ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentOutcome {
    /// A completion (and its certificate) was recorded from the class.
    Completed,
    /// Passed, but attended less than the class's share of sessions: no completion.
    AttendanceShort,
    /// Did not pass.
    Failed,
    /// No result was recorded before the class was finished.
    NoResult,
}

crate::text_enum!(EnrolmentOutcome);

impl EnrolmentOutcome {
    /// Every outcome.
    pub const ALL: [EnrolmentOutcome; 4] = [
        EnrolmentOutcome::Completed,
        EnrolmentOutcome::AttendanceShort,
        EnrolmentOutcome::Failed,
        EnrolmentOutcome::NoResult,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EnrolmentOutcome::Completed => "completed",
            EnrolmentOutcome::AttendanceShort => "attendance_short",
            EnrolmentOutcome::Failed => "failed",
            EnrolmentOutcome::NoResult => "no_result",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<EnrolmentOutcome> {
        EnrolmentOutcome::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

impl EnrolmentStatus {
    /// Every status.
    pub const ALL: [EnrolmentStatus; 4] = [
        EnrolmentStatus::Enrolled,
        EnrolmentStatus::Waitlisted,
        EnrolmentStatus::Withdrawn,
        EnrolmentStatus::Removed,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EnrolmentStatus::Enrolled => "enrolled",
            EnrolmentStatus::Waitlisted => "waitlisted",
            EnrolmentStatus::Withdrawn => "withdrawn",
            EnrolmentStatus::Removed => "removed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<EnrolmentStatus> {
        EnrolmentStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Parses a comma-separated list of statuses (a query's filter), 422 naming `status`.
    pub fn parse_list(raw: &str) -> Result<Vec<EnrolmentStatus>, AppError> {
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                EnrolmentStatus::parse(s).ok_or_else(|| {
                    AppError::invalid("status", crate::msg!(UnknownStatus, value = s))
                })
            })
            .collect()
    }

    /// Whether the enrolment still holds or waits for a seat (may be withdrawn).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            EnrolmentStatus::Enrolled | EnrolmentStatus::Waitlisted
        )
    }

    /// What an active enrolment becomes when an account of `role` ends it: removed by the school
    /// (or an admin), withdrawn by the cadre or their officer.
    pub fn ended_by(role: Role) -> EnrolmentStatus {
        if matches!(role, Role::Admin | Role::School) {
            EnrolmentStatus::Removed
        } else {
            EnrolmentStatus::Withdrawn
        }
    }
}

impl std::fmt::Display for EnrolmentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who asked for an enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentSource {
    /// The training school.
    School,
    /// The cadre's unit officer (a nomination).
    Officer,
    /// The cadre.
    #[serde(rename = "self")]
    SelfEnrolled,
}

crate::text_enum!(EnrolmentSource);

impl EnrolmentSource {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EnrolmentSource::School => "school",
            EnrolmentSource::Officer => "officer",
            EnrolmentSource::SelfEnrolled => "self",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<EnrolmentSource> {
        [
            EnrolmentSource::School,
            EnrolmentSource::Officer,
            EnrolmentSource::SelfEnrolled,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Who an enrolment made by an account of `role` comes from: the school (and an admin), an
    /// officer's nomination, or the cadre. The commission may not enrol (403).
    pub fn of_role(role: Role) -> AppResult<EnrolmentSource> {
        match role {
            Role::Admin | Role::School => Ok(EnrolmentSource::School),
            Role::Officer => Ok(EnrolmentSource::Officer),
            Role::Cadre => Ok(EnrolmentSource::SelfEnrolled),
            Role::Commission => Err(AppError::Forbidden(crate::msg!(CommissionMayNotEnrol))),
        }
    }
}

/// The cadre an account of `role` enrols: the one it names, or (a cadre naming none) its own
/// record, `own`.
pub fn cadre_to_enrol(role: Role, own: Option<i64>, named: Option<i64>) -> AppResult<i64> {
    match (role, named) {
        (Role::Cadre, None) => {
            own.ok_or_else(|| AppError::Forbidden(crate::msg!(NotLinkedToCadre)))
        }
        (_, Some(id)) => Ok(id),
        (_, None) => Err(AppError::invalid("cadre_id", crate::msg!(CadreIdRequired))),
    }
}

/// Refuses a class that is not open (409), or whose enrolment window does not hold `today` (422).
pub fn open_for_enrolment(
    code: &str,
    status: ClassStatus,
    opens: NaiveDate,
    closes: NaiveDate,
    today: NaiveDate,
) -> AppResult<()> {
    if status != ClassStatus::Open {
        return Err(AppError::conflict(
            Some("status"),
            crate::msg!(ClassNotOpen, code = code, status = status.to_string()),
        ));
    }
    if today < opens || today > closes {
        return Err(AppError::invalid(
            "class",
            crate::msg!(EnrolmentWindow, code = code, opens = opens, closes = closes),
        ));
    }
    Ok(())
}

/// Refuses a cadre's or an officer's enrolment (`source`) in class `code` whose first session,
/// starting at `first_start`, has started by `clock` (409 on `class`, naming its city day and
/// time): the window is for joining before the teaching begins. The school (and an admin) still
/// adds a late participant until the class is finished.
pub fn before_it_begins(
    source: EnrolmentSource,
    code: &str,
    first_start: Option<DateTime<Utc>>,
    clock: &Clock,
) -> AppResult<()> {
    let Some(start) = first_start else {
        return Ok(());
    };
    if source == EnrolmentSource::School || start > clock.now() {
        return Ok(());
    }
    let (date, time, _) = crate::classes::domain::city_span(clock, start, start);
    Err(AppError::conflict(
        Some("class"),
        crate::msg!(ClassBegun, code = code, date = date, time = time),
    ))
}

/// A prerequisite of a module: (module id, code).
pub type Prerequisite = (i64, String);

/// A cadre's completion as the prerequisite check reads it: (module id, completed on, revoked on,
/// validity in years of the module's edition it followed).
pub type PastCompletion = (i64, NaiveDate, Option<NaiveDate>, Option<i64>);

/// Refuses a cadre lacking a completion that counts on `today` for any prerequisite (the first
/// missing one, in the order given, is named).
pub fn check_prerequisites(
    prereqs: &[Prerequisite],
    done: &[PastCompletion],
    today: NaiveDate,
) -> AppResult<()> {
    for (pid, pcode) in prereqs {
        let ok = done.iter().any(|(m, on, rev, validity)| {
            m == pid && completion_counts_on(*on, *validity, *rev, today)
        });
        if !ok {
            return Err(AppError::invalid(
                "cadre_id",
                crate::msg!(PrerequisiteMissing, code = pcode),
            ));
        }
    }
    Ok(())
}

/// Where a new enrolment goes: a seat while fewer than `capacity` are enrolled, else the end of
/// the waitlist, with its position there (1 = next in).
pub fn place(capacity: i64, enrolled: i64, waitlisted: i64) -> (EnrolmentStatus, Option<i64>) {
    if enrolled < capacity {
        (EnrolmentStatus::Enrolled, None)
    } else {
        (EnrolmentStatus::Waitlisted, Some(waitlisted + 1))
    }
}

/// How many waiting cadres a class can take in: its free seats, none when full (or over).
pub fn free_seats(capacity: i64, enrolled: i64) -> i64 {
    (capacity - enrolled).max(0)
}

/// Refuses a capacity below the seats already taken.
pub fn check_capacity(capacity: i64, taken: i64) -> AppResult<()> {
    if capacity < taken {
        return Err(AppError::conflict(
            Some("capacity"),
            crate::msg!(SeatsTaken, taken = taken, capacity = capacity),
        ));
    }
    Ok(())
}

/// Refuses ending an enrolment that has already ended, or one of a class that is over.
pub fn check_may_end(
    status: EnrolmentStatus,
    class_code: &str,
    class_status: ClassStatus,
) -> AppResult<()> {
    if !status.is_active() {
        return Err(AppError::conflict(
            Some("status"),
            crate::msg!(EnrolmentAlready, status = status.to_string()),
        ));
    }
    if class_status.is_closed() {
        return Err(AppError::conflict(
            Some("status"),
            crate::msg!(
                ClassIs,
                code = class_code,
                status = class_status.to_string()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip_and_match_the_json() {
        for s in EnrolmentStatus::ALL {
            assert_eq!(EnrolmentStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in [
            EnrolmentSource::School,
            EnrolmentSource::Officer,
            EnrolmentSource::SelfEnrolled,
        ] {
            assert_eq!(EnrolmentSource::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(EnrolmentStatus::parse("Enrolled"), None);
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
    fn who_enrols_whom() {
        assert_eq!(
            EnrolmentSource::of_role(Role::Admin).unwrap(),
            EnrolmentSource::School
        );
        assert_eq!(
            EnrolmentSource::of_role(Role::School).unwrap(),
            EnrolmentSource::School
        );
        assert_eq!(
            EnrolmentSource::of_role(Role::Officer).unwrap(),
            EnrolmentSource::Officer
        );
        assert_eq!(
            EnrolmentSource::of_role(Role::Cadre).unwrap(),
            EnrolmentSource::SelfEnrolled
        );
        assert_eq!(
            said(EnrolmentSource::of_role(Role::Commission).unwrap_err()).0,
            403
        );
        assert_eq!(cadre_to_enrol(Role::Cadre, Some(7), None).unwrap(), 7);
        assert_eq!(cadre_to_enrol(Role::Cadre, Some(7), Some(8)).unwrap(), 8);
        assert_eq!(cadre_to_enrol(Role::Officer, None, Some(8)).unwrap(), 8);
        assert_eq!(
            said(cadre_to_enrol(Role::Cadre, None, None).unwrap_err()).0,
            403
        );
        assert_eq!(
            said(cadre_to_enrol(Role::School, Some(7), None).unwrap_err()),
            (422, Some("cadre_id".into()), "cadre_id is required".into())
        );
        assert_eq!(
            EnrolmentStatus::ended_by(Role::Admin),
            EnrolmentStatus::Removed
        );
        assert_eq!(
            EnrolmentStatus::ended_by(Role::School),
            EnrolmentStatus::Removed
        );
        assert_eq!(
            EnrolmentStatus::ended_by(Role::Officer),
            EnrolmentStatus::Withdrawn
        );
        assert_eq!(
            EnrolmentStatus::ended_by(Role::Cadre),
            EnrolmentStatus::Withdrawn
        );
    }

    #[test]
    fn the_window_holds_its_first_and_last_day() {
        let (opens, closes) = (day("2026-11-01"), day("2026-11-20"));
        let open = |st, today| open_for_enrolment("A-1", st, opens, closes, day(today));
        assert!(open(ClassStatus::Open, "2026-11-01").is_ok());
        assert!(open(ClassStatus::Open, "2026-11-20").is_ok());
        assert_eq!(
            said(open(ClassStatus::Open, "2026-11-21").unwrap_err()),
            (
                422,
                Some("class".into()),
                "enrolment for class A-1 is open from 2026-11-01 to 2026-11-20".into()
            )
        );
        assert!(open(ClassStatus::Open, "2026-10-31").is_err());
        assert_eq!(
            said(open(ClassStatus::Planned, "2026-11-21").unwrap_err()),
            (
                409,
                Some("status".into()),
                "class A-1 is planned, not open for enrolment".into()
            )
        );
    }

    #[test]
    fn cadres_and_officers_join_before_the_first_session_the_school_after() {
        use chrono::TimeZone;
        // 08:00 city time on 10 March 2027.
        let start = Utc.with_ymd_and_hms(2027, 3, 10, 1, 0, 0).unwrap();
        let clock = Clock::default();
        let at = |t| {
            clock.set_now(Some(t));
            [
                EnrolmentSource::SelfEnrolled,
                EnrolmentSource::Officer,
                EnrolmentSource::School,
            ]
            .map(|s| before_it_begins(s, "A-1", Some(start), &clock).map_err(said))
        };
        let minute = chrono::Duration::minutes(1);
        assert!(at(start - minute).iter().all(Result::is_ok));
        let begun = (
            409,
            Some("class".into()),
            "class A-1 began on 2027-03-10 at 08:00; once a class has begun only the training school adds a participant".into(),
        );
        assert_eq!(at(start), [Err(begun.clone()), Err(begun), Ok(())]);
        clock.set_now(None);
        assert!(before_it_begins(EnrolmentSource::SelfEnrolled, "A-1", None, &clock).is_ok());
    }

    #[test]
    fn prerequisites_need_a_completion_that_counts_today() {
        let today = day("2026-06-01");
        let prereqs: Vec<Prerequisite> = vec![(1, "DV-01".into()), (2, "DV-02".into())];
        let done = |v: &[PastCompletion]| check_prerequisites(&prereqs, v, today);
        assert!(check_prerequisites(&[], &[], today).is_ok());
        let ok = [
            (1, day("2010-01-01"), None, None),
            (2, day("2025-01-01"), None, Some(2)),
        ];
        assert!(done(&ok).is_ok());
        let missing = |v: &[PastCompletion]| said(done(v).unwrap_err()).2;
        assert!(
            missing(&[(2, day("2025-01-01"), None, Some(2))]).starts_with("prerequisite DV-01 ")
        );
        // stale: two years' validity ended on 2025-12-31
        assert!(missing(&[
            (1, day("2010-01-01"), None, None),
            (2, day("2024-01-01"), None, Some(2))
        ])
        .starts_with("prerequisite DV-02 is missing or stale"));
        // each completion by its own edition's validity: five years, so 2024 still counts
        assert!(done(&[
            (1, day("2010-01-01"), None, None),
            (2, day("2024-01-01"), None, Some(5))
        ])
        .is_ok());
        // revoked, or not yet completed
        assert!(done(&[
            (1, day("2010-01-01"), Some(day("2026-06-01")), None),
            (2, day("2025-01-01"), None, Some(2))
        ])
        .is_err());
        assert!(done(&[
            (1, day("2026-06-02"), None, None),
            (2, day("2025-01-01"), None, Some(2))
        ])
        .is_err());
        // another stale completion does not hide a valid one
        assert!(done(&[
            (1, day("2010-01-01"), None, None),
            (2, day("2020-01-01"), None, Some(2)),
            (2, day("2026-01-01"), None, Some(2))
        ])
        .is_ok());
    }

    #[test]
    fn seats_then_the_waitlist_in_order() {
        assert_eq!(place(2, 0, 0), (EnrolmentStatus::Enrolled, None));
        assert_eq!(place(2, 1, 0), (EnrolmentStatus::Enrolled, None));
        assert_eq!(place(2, 2, 0), (EnrolmentStatus::Waitlisted, Some(1)));
        assert_eq!(place(2, 2, 3), (EnrolmentStatus::Waitlisted, Some(4)));
        assert_eq!(place(1, 3, 0), (EnrolmentStatus::Waitlisted, Some(1)));
        assert_eq!(free_seats(5, 3), 2);
        assert_eq!(free_seats(3, 3), 0);
        assert_eq!(free_seats(2, 3), 0);
        assert!(check_capacity(3, 3).is_ok());
        assert_eq!(
            said(check_capacity(2, 3).unwrap_err()),
            (
                409,
                Some("capacity".into()),
                "3 cadres already hold seats; withdraw some before lowering the capacity to 2"
                    .into()
            )
        );
    }

    #[test]
    fn only_active_enrolments_of_live_classes_end() {
        assert!(check_may_end(EnrolmentStatus::Waitlisted, "A-1", ClassStatus::Running).is_ok());
        assert_eq!(
            said(
                check_may_end(EnrolmentStatus::Withdrawn, "A-1", ClassStatus::Finished)
                    .unwrap_err()
            )
            .2,
            "the enrolment is already withdrawn"
        );
        assert_eq!(
            said(
                check_may_end(EnrolmentStatus::Enrolled, "A-1", ClassStatus::Cancelled)
                    .unwrap_err()
            ),
            (409, Some("status".into()), "class A-1 is cancelled".into())
        );
    }
}
