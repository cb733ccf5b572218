//! Pure enrolment vocabulary: where an enrolment stands and who asked for it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

    /// Whether the enrolment still holds or waits for a seat (may be withdrawn).
    pub fn is_active(self) -> bool {
        matches!(
            self,
            EnrolmentStatus::Enrolled | EnrolmentStatus::Waitlisted
        )
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
}
