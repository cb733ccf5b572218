//! Pure class rules: statuses and their transitions, session times, overlap.

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
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

/// Parses a session time: RFC 3339 with an offset, or a city time without one
/// (`2026-12-01T08:00`, in the zone of `city`). Seconds are dropped.
pub fn parse_time(field: &str, raw: &str, city: &Clock) -> Result<DateTime<Utc>, AppError> {
    let s = raw.trim();
    let parsed = DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
                .map(|n| city.to_utc(n))
        })
        .map_err(|_| AppError::invalid(field, format!("{field}: {s:?} is not a date-time (e.g. 2026-12-01T08:00 or 2026-12-01T08:00:00+07:00)")))?;
    Ok(parsed
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(parsed))
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
