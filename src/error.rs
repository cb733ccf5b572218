//! The one error type of the service and the one place it becomes an HTTP answer.
//!
//! Every error body has the shape `{"error": {"code", "message", "field", "details"}}`.

use rocket::http::{Header, Status};
use rocket::response::{self, Responder};
use rocket::serde::json::Json;
use rocket::{Request, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::reasons::{Msg, Reason};

/// The stable code of a problem in a file's row or header (the bulk imports): what went wrong,
/// whatever the language it is told in. `ErrorDetail::params` carries the values the reason
/// names (`personal_id_repeated`: `{"row_first": 12}`); `imports::messages` renders each code in
/// Vietnamese and English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// A column of the header row is not one of the template's (`kind`, `columns`).
    ColumnUnknown,
    /// A column appears twice in the header row (`column`).
    ColumnRepeated,
    /// A required column is missing from the header row (`column`, `column_en`).
    ColumnMissing,
    /// A cell holds a NUL character.
    NulCharacter,
    /// A cell holds a control character other than tab and line breaks (escape, bell, DEL).
    ControlCharacter,
    /// A required cell is blank.
    Required,
    /// A required date is blank.
    DateRequired,
    /// Text longer than allowed (`max` characters).
    TooLong,
    /// Not a date.
    DateInvalid,
    /// A date outside the years taken (`date`, `year_min`, `year_max`).
    DateOutOfRange,
    /// A date after today.
    DateInFuture,
    /// Not yes or no.
    YesNoInvalid,
    /// Not a number.
    NumberInvalid,
    /// A personal id number that is not 9 or 12 digits.
    PersonalIdInvalid,
    /// The personal id number is on an earlier row of the file (`row_first`).
    PersonalIdRepeated,
    /// A full name of the wrong length (`min`, `max`).
    NameLength,
    /// A full name with characters other than letters, spaces, `'` and `-`.
    NameCharacters,
    /// The full name is not the one on record for the personal id number (`on_record`).
    NameMismatch,
    /// Not a gender.
    GenderInvalid,
    /// A birth date too early or too late.
    BirthDateRange,
    /// A word-like text (ethnicity, religion) of the wrong length (`column`, `max`).
    TextLength,
    /// A word-like text with characters other than letters, spaces, `'` and `-` (`column`).
    TextCharacters,
    /// A Party-joining date not after the birth date, or in the future.
    PartyDateRange,
    /// Not an organisation.
    OrganisationUnknown,
    /// Not a telephone number.
    PhoneInvalid,
    /// Not an e-mail address.
    EmailInvalid,
    /// No unit has the code.
    UnitUnknown,
    /// The unit is retired.
    UnitRetired,
    /// The unit is outside the caller's subtree.
    UnitOutsideSubtree,
    /// A cadre outside the caller's subtree has the personal id number.
    CadreOutsideSubtree,
    /// No cadre in the caller's subtree has the personal id number.
    CadreUnknown,
    /// A move dated before the cadre's current unit period began.
    MoveBeforeCurrentUnit,
    /// A move leaving behind titles held in units off the new unit's line (`titles`, `date`).
    CadreHoldsTitlesElsewhere,
    /// A title held off the line of the cadre's unit on a day they share (`title`, `unit`,
    /// `home`, `date`).
    TitleOffLine,
    /// A second title of an organisation in a unit on a day (`title`, `other`, `unit`, `date`).
    TitleSameOrganisation,
    /// A title's dates or unit without its code.
    TitleCodeRequired,
    /// A title without its start date.
    TitleStartRequired,
    /// A period ending before it starts.
    PeriodEndBeforeStart,
    /// No active title has the code.
    TitleUnknown,
    /// A title at a unit of another level (`title`, `title_level`, `unit`, `unit_level`).
    TitleWrongLevel,
    /// A title's period overlaps another of the same title on record.
    TitleOverlap,
    /// The cadre has the title from the same day in another unit.
    TitleOtherUnit,
    /// An inactive cadre would hold or be planned for a title beyond today.
    InactiveHoldsTitles,
    /// A cadre made inactive holds a seat or a waitlist place in a class not over (`classes`).
    CadreHoldsSeats,
    /// No qualification scale has the code or name (`scale`).
    ScaleUnknown,
    /// Several qualification scales have the name (`scale`).
    ScaleAmbiguous,
    /// The scale has no level of the code or name (`scale`, `level`).
    LevelUnknown,
    /// Several levels of the scale have the name (`scale`, `level`).
    LevelAmbiguous,
    /// A day before the cadre's birth, on it, or after today.
    DateOutsideLife,
    /// The same qualification is on an earlier row (`row_first`).
    QualificationRepeated,
    /// No module has the code.
    ModuleUnknown,
    /// A score not from 0 to 10 with at most one decimal.
    ScoreInvalid,
    /// Not a source (paper or import).
    SourceInvalid,
    /// The same completion is on an earlier row (`row_first`).
    CompletionRepeated,
    /// A completion of the module on that day is on record from a class or another record
    /// (revoked or not), which an import does not overwrite.
    CompletionOnRecord,
    /// A qualification of that scale, level and day is on record from a completion or another
    /// record, which an import does not repeat.
    QualificationOnRecord,
    // The record exchange (`exchange`).
    /// A sheet (or a ZIP's file) is not a part of a record (`parts`).
    PartUnknown,
    /// A part of a record comes twice (`part`).
    PartRepeated,
    /// The same period is on an earlier row (`row_first`).
    PeriodRepeated,
    /// A period in a unit overlaps another of the cadre's.
    UnitPeriodOverlap,
    /// The cadre was in another unit from the same day.
    UnitPeriodOtherUnit,
    /// The current unit period would end otherwise than by a move.
    CurrentPeriodEndsByMove,
    /// A new period in a unit has no day moved out.
    EarlierPeriodNeedsEnd,
    /// The day moved out is not after the first day.
    MovedOutBeforeStart,
    /// The day of appointment is after the period's start.
    AppointedAfterStart,
    /// A date before the cadre's birth.
    DateBeforeBirth,
    /// A title (held or planned) starting before the cadre's eighteenth birthday.
    TitleBeforeAdulthood,
    /// A birth date that would make a title on record start before the cadre was eighteen.
    BirthAfterTitles,
    /// A birth date after a completion or qualification on record of the cadre.
    BirthAfterRecords,
    /// A completion's source is not lớp, giấy or nhập.
    RecordSourceInvalid,
    /// A paper or imported completion without its reference.
    ReferenceRequired,
    /// A class code on a completion that is not a class's.
    ClassCodeNotClass,
    /// A revocation reason without its day.
    RevocationNeedsDay,
    /// A revocation dated before the record or after today.
    RevocationDayRange,
    /// The same certificate number is on an earlier row (`row_first`).
    CertificateRepeated,
    /// Another completion has the certificate number.
    CertificateTaken,
    /// A verification code that is not one (`len` letters of `alphabet`): the public check
    /// could never verify it.
    CertificateCodeInvalid,
    /// A new class completion naming a class of this database: its completions come from its
    /// results (`class`).
    ClassCompletionHere,
    /// A completion differs from the record where only its own page may change it.
    CompletionDiffers,
    /// A qualification's source is not thủ công, nhập or học phần.
    QualificationSourceInvalid,
    /// A qualification's provenance or revocation differs from the record.
    QualificationDiffers, // The unit and successor imports (`units`).
    /// A row that cannot be read (`detail`).
    RowUnreadable,
    /// Not a unit code (1 to 10 digits).
    UnitCodeInvalid,
    /// Not a kind of unit (`kinds`: the kinds).
    UnitKindUnknown,
    /// A unit named as its own parent.
    UnitOwnParent,
    /// The unit code is on an earlier line (`row_first`).
    UnitCodeRepeated,
    /// A parent neither in the file nor in the database.
    ParentUnknown,
    /// A period starting on or after its unit was retired.
    UnitGone,
    /// A day before the unit came into being (someone's time there, a title there).
    UnitNotYet,
    /// Text of only characters that show nothing (zero-width spaces, fillers).
    InvisibleText,
    /// A live unit placed under a retired one (its people would fall out of the reports).
    ParentRetired,
    /// Parents that form a cycle.
    ParentCycle,
    /// Not whole or part (a succession).
    WholeOrPart,
    /// Not 1 or 0 (a main successor).
    OneOrZero,
    /// Not a date written YYYY-MM-DD.
    DateIsoInvalid,
    /// The same succession is on an earlier line (`old`, `new`, `row_first`).
    SuccessionRepeated,
    /// An old unit without exactly one main successor (`old`, `count`).
    MainSuccessorCount,
    /// A file without rows.
    FileNoRows,
    /// A unit that does not exist on the day (`unit`, `date`).
    UnitNotOnDay,
}

impl ProblemCode {
    /// Every code.
    pub const ALL: [ProblemCode; 99] = [
        ProblemCode::ColumnUnknown,
        ProblemCode::ColumnRepeated,
        ProblemCode::ColumnMissing,
        ProblemCode::NulCharacter,
        ProblemCode::ControlCharacter,
        ProblemCode::Required,
        ProblemCode::DateRequired,
        ProblemCode::TooLong,
        ProblemCode::DateInvalid,
        ProblemCode::DateOutOfRange,
        ProblemCode::DateInFuture,
        ProblemCode::YesNoInvalid,
        ProblemCode::NumberInvalid,
        ProblemCode::PersonalIdInvalid,
        ProblemCode::PersonalIdRepeated,
        ProblemCode::NameLength,
        ProblemCode::NameCharacters,
        ProblemCode::NameMismatch,
        ProblemCode::GenderInvalid,
        ProblemCode::BirthDateRange,
        ProblemCode::TextLength,
        ProblemCode::TextCharacters,
        ProblemCode::PartyDateRange,
        ProblemCode::OrganisationUnknown,
        ProblemCode::PhoneInvalid,
        ProblemCode::EmailInvalid,
        ProblemCode::UnitUnknown,
        ProblemCode::UnitRetired,
        ProblemCode::UnitOutsideSubtree,
        ProblemCode::CadreOutsideSubtree,
        ProblemCode::CadreUnknown,
        ProblemCode::MoveBeforeCurrentUnit,
        ProblemCode::CadreHoldsTitlesElsewhere,
        ProblemCode::TitleOffLine,
        ProblemCode::TitleSameOrganisation,
        ProblemCode::TitleCodeRequired,
        ProblemCode::TitleStartRequired,
        ProblemCode::PeriodEndBeforeStart,
        ProblemCode::TitleUnknown,
        ProblemCode::TitleWrongLevel,
        ProblemCode::TitleOverlap,
        ProblemCode::TitleOtherUnit,
        ProblemCode::InactiveHoldsTitles,
        ProblemCode::CadreHoldsSeats,
        ProblemCode::ScaleUnknown,
        ProblemCode::ScaleAmbiguous,
        ProblemCode::LevelUnknown,
        ProblemCode::LevelAmbiguous,
        ProblemCode::DateOutsideLife,
        ProblemCode::QualificationRepeated,
        ProblemCode::ModuleUnknown,
        ProblemCode::ScoreInvalid,
        ProblemCode::SourceInvalid,
        ProblemCode::CompletionRepeated,
        ProblemCode::CompletionOnRecord,
        ProblemCode::QualificationOnRecord,
        ProblemCode::PartUnknown,
        ProblemCode::PartRepeated,
        ProblemCode::PeriodRepeated,
        ProblemCode::UnitPeriodOverlap,
        ProblemCode::UnitPeriodOtherUnit,
        ProblemCode::CurrentPeriodEndsByMove,
        ProblemCode::EarlierPeriodNeedsEnd,
        ProblemCode::MovedOutBeforeStart,
        ProblemCode::AppointedAfterStart,
        ProblemCode::DateBeforeBirth,
        ProblemCode::TitleBeforeAdulthood,
        ProblemCode::BirthAfterTitles,
        ProblemCode::BirthAfterRecords,
        ProblemCode::RecordSourceInvalid,
        ProblemCode::ReferenceRequired,
        ProblemCode::ClassCodeNotClass,
        ProblemCode::RevocationNeedsDay,
        ProblemCode::RevocationDayRange,
        ProblemCode::CertificateRepeated,
        ProblemCode::CertificateTaken,
        ProblemCode::CertificateCodeInvalid,
        ProblemCode::ClassCompletionHere,
        ProblemCode::CompletionDiffers,
        ProblemCode::QualificationSourceInvalid,
        ProblemCode::QualificationDiffers,
        ProblemCode::RowUnreadable,
        ProblemCode::UnitCodeInvalid,
        ProblemCode::UnitKindUnknown,
        ProblemCode::UnitOwnParent,
        ProblemCode::UnitCodeRepeated,
        ProblemCode::ParentUnknown,
        ProblemCode::ParentRetired,
        ProblemCode::InvisibleText,
        ProblemCode::UnitNotYet,
        ProblemCode::UnitGone,
        ProblemCode::ParentCycle,
        ProblemCode::WholeOrPart,
        ProblemCode::OneOrZero,
        ProblemCode::DateIsoInvalid,
        ProblemCode::SuccessionRepeated,
        ProblemCode::MainSuccessorCount,
        ProblemCode::FileNoRows,
        ProblemCode::UnitNotOnDay,
    ];

    /// The code as written in JSON (`date_invalid`).
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// The values a problem's reason names, by name (`{"row_first": 12}`).
pub type ProblemParams = serde_json::Map<String, serde_json::Value>;

/// One problem in a multi-row input (an import row, a batch item).
#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
pub struct ErrorDetail {
    /// 1-based row or item number, when the input has rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// The field or column at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The value found, when it helps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Why it was refused (English).
    pub message: String,
    /// The problem's stable code (a file's problems: every one has a code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<ProblemCode>,
    /// The values the reason names, by name, when there is a code (`{}` when it names none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub params: Option<ProblemParams>,
}

/// How many problems of a file are listed in full; the rest are counted.
pub const PROBLEMS_LISTED: usize = 1_000;

/// Distinct (column, reason) pairs counted one by one; further ones are counted together as
/// [`OTHER_REASONS`] of their column.
const MAX_COUNTED_REASONS: usize = 500;

/// The reason under which problems beyond [`MAX_COUNTED_REASONS`] are counted.
pub const OTHER_REASONS: &str = "other reasons";

/// How many problems of one kind a file has.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct ProblemCount {
    /// The column (header as written in the file), or `null` for problems of the whole file.
    pub column: Option<String>,
    /// The problems' code, when they have one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<ProblemCode>,
    /// The reason, with the numbers in it written `N` (`the same personal id number is on row N`).
    pub reason: String,
    /// How many problems have this column and reason.
    pub count: usize,
}

/// The problems of a file, bounded: the first [`PROBLEMS_LISTED`] by row, counts, total.
#[derive(Debug, Clone, PartialEq)]
pub struct ProblemReport {
    /// The first problems, by row.
    pub listed: Vec<ErrorDetail>,
    /// Every problem.
    pub total: usize,
    /// Per column and reason, most frequent first.
    pub counts: Vec<ProblemCount>,
}

/// Where every problem goes as it is found (e.g. a CSV of all of them).
pub type ProblemSink = Box<dyn FnMut(&ErrorDetail) + Send>;

/// What problems are counted by: column, code, reason.
type CountKey = (Option<String>, Option<ProblemCode>, String);

/// Collects the problems of a file in bounded memory: keeps the first [`PROBLEMS_LISTED`] by
/// row (ties in the order found), counts every problem by column and reason, and hands each one
/// to an optional sink.
pub struct Problems {
    kept: Vec<ErrorDetail>,
    total: usize,
    counts: std::collections::HashMap<CountKey, usize>,
    sink: Option<ProblemSink>,
}

impl Default for Problems {
    fn default() -> Self {
        Problems::new()
    }
}

impl std::fmt::Debug for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Problems")
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl Problems {
    /// An empty collector.
    pub fn new() -> Self {
        Problems {
            kept: Vec::new(),
            total: 0,
            counts: std::collections::HashMap::new(),
            sink: None,
        }
    }

    /// An empty collector that also hands every problem to `sink`.
    pub fn with_sink(sink: ProblemSink) -> Self {
        Problems {
            sink: Some(sink),
            ..Problems::new()
        }
    }

    /// Records one problem, counted under the reason of its message ([`reason_of`]).
    pub fn push(&mut self, d: ErrorDetail) {
        let reason = reason_of(&d.message);
        self.push_counted(d, reason);
    }

    /// Records one problem, counted under its column, code and `reason` (a reason without the
    /// values that differ from row to row).
    pub fn push_counted(&mut self, d: ErrorDetail, reason: String) {
        self.total += 1;
        if let Some(sink) = self.sink.as_mut() {
            sink(&d);
        }
        let mut key = (d.field.clone(), d.code, reason);
        if !self.counts.contains_key(&key) && self.counts.len() >= MAX_COUNTED_REASONS {
            key.1 = None;
            key.2 = OTHER_REASONS.into();
        }
        *self.counts.entry(key).or_insert(0) += 1;
        self.kept.push(d);
        if self.kept.len() >= 2 * PROBLEMS_LISTED {
            self.compact();
        }
    }

    /// Records several problems.
    pub fn extend(&mut self, details: impl IntoIterator<Item = ErrorDetail>) {
        for d in details {
            self.push(d);
        }
    }

    /// Keeps the first problems by row (a stable sort keeps ties in the order found).
    fn compact(&mut self) {
        self.kept.sort_by_key(|e| e.row);
        self.kept.truncate(PROBLEMS_LISTED);
    }

    /// How many problems were recorded.
    pub fn total(&self) -> usize {
        self.total
    }

    /// True when no problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The bounded report.
    pub fn report(mut self) -> ProblemReport {
        self.compact();
        let mut counts: Vec<ProblemCount> = self
            .counts
            .into_iter()
            .map(|((column, code, reason), count)| ProblemCount {
                column,
                code,
                reason,
                count,
            })
            .collect();
        counts.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.column.cmp(&b.column))
                .then_with(|| a.reason.cmp(&b.reason))
        });
        ProblemReport {
            listed: self.kept,
            total: self.total,
            counts,
        }
    }

    /// The 422 of these problems, naming `field`, with `msg`.
    pub fn into_error(self, field: Option<&str>, msg: Msg) -> AppError {
        AppError::Problems {
            field: field.map(str::to_owned),
            msg,
            report: Box::new(self.report()),
        }
    }

    /// `Ok(plan)` when nothing was recorded, else the 422 of the file's problems (the usual
    /// "N problems found; nothing was written" message, naming `file`).
    pub fn finish<T>(self, plan: T) -> Result<T, AppError> {
        if self.is_empty() {
            return Ok(plan);
        }
        let n = self.total;
        Err(self.into_error(
            Some("file"),
            if n == 1 {
                crate::msg!(ProblemFound)
            } else {
                crate::msg!(ProblemsFound, count = n)
            },
        ))
    }
}

impl FromIterator<ErrorDetail> for Problems {
    fn from_iter<I: IntoIterator<Item = ErrorDetail>>(iter: I) -> Self {
        let mut p = Problems::new();
        p.extend(iter);
        p
    }
}

/// The reason of a problem message: its numbers written `N`, so that "on row 12" and "on row
/// 13" count as one reason.
pub fn reason_of(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_number = false;
    for c in message.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('N');
                in_number = true;
            }
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}

/// Everything that can go wrong in a request. Each carries a [`Msg`]: its reason (the stable
/// code of the body's `reason`) and the values the message names; the English `message` is
/// rendered from the catalogue (`crate::reasons`).
#[derive(Debug, Clone)]
pub enum AppError {
    /// The request could not be read at all (malformed JSON, bad encoding): 400.
    BadRequest { field: Option<String>, msg: Msg },
    /// Well-formed input that breaks a rule: 422.
    Validation {
        field: Option<String>,
        msg: Msg,
        details: Vec<ErrorDetail>,
    },
    /// No such thing, or not visible to the caller: 404.
    NotFound(Msg),
    /// The write clashes with existing data: 409.
    Conflict { field: Option<String>, msg: Msg },
    /// Missing, invalid or revoked credentials: 401.
    Unauthorized(Msg),
    /// Authenticated but not allowed: 403.
    Forbidden(Msg),
    /// Authenticated but not allowed to name this value of `field` (a unit outside the caller's
    /// subtree): 403 naming the field.
    ForbiddenAt { field: String, msg: Msg },
    /// Body (or what it unpacks to) above the configured limit: 413.
    PayloadTooLarge { field: Option<String>, msg: Msg },
    /// A body sent as something other than what the route reads (text or a form where JSON is
    /// read): 415.
    UnsupportedMediaType(Msg),
    /// Row-level problems of a file or batch: 422 with the first [`PROBLEMS_LISTED`] problems in
    /// full, every problem counted by column and reason, and the total.
    Problems {
        field: Option<String>,
        msg: Msg,
        report: Box<ProblemReport>,
    },
    /// The path exists but not with this method: 405, with an `Allow` header listing the methods
    /// it has.
    MethodNotAllowed { method: String, allow: Vec<String> },
    /// Too many attempts; retry after the given seconds: 429.
    TooManyRequests { retry_after: u64 },
    /// The database (or another dependency) cannot be reached now: 503.
    Unavailable(Msg),
    /// A bug or an unexpected failure: 500. The detail is logged, never sent.
    Internal(String),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Internal(detail) => write!(f, "internal error: {detail}"),
            other => write!(f, "{}", other.msg()),
        }
    }
}

impl std::error::Error for AppError {}

impl AppError {
    /// A 422 naming one field.
    pub fn invalid(field: impl Into<String>, msg: Msg) -> Self {
        AppError::Validation {
            field: Some(field.into()),
            msg,
            details: Vec::new(),
        }
    }

    /// A 404.
    pub fn not_found(msg: Msg) -> Self {
        AppError::NotFound(msg)
    }

    /// A 409 naming one field.
    pub fn conflict(field: Option<&str>, msg: Msg) -> Self {
        AppError::Conflict {
            field: field.map(str::to_owned),
            msg,
        }
    }

    /// What the error says: its reason and parameters (the 405, 429 and 500 made from their
    /// fields).
    pub fn msg(&self) -> Msg {
        match self {
            AppError::BadRequest { msg, .. }
            | AppError::Validation { msg, .. }
            | AppError::Conflict { msg, .. }
            | AppError::PayloadTooLarge { msg, .. }
            | AppError::ForbiddenAt { msg, .. }
            | AppError::Problems { msg, .. }
            | AppError::NotFound(msg)
            | AppError::Unauthorized(msg)
            | AppError::Forbidden(msg)
            | AppError::UnsupportedMediaType(msg)
            | AppError::Unavailable(msg) => msg.clone(),
            AppError::MethodNotAllowed { method, allow } => {
                crate::msg!(MethodNotAllowed, method = method, allow = allow.join(", "))
            }
            AppError::TooManyRequests { retry_after } => {
                crate::msg!(TooManyAttempts, retry_after = retry_after)
            }
            AppError::Internal(_) => crate::msg!(InternalError),
        }
    }

    /// The reason of this error.
    pub fn reason(&self) -> Reason {
        self.msg().reason
    }

    /// The same error with its message's parameters given `sheet` (an error inside one sheet).
    pub fn in_sheet(self, sheet: &str) -> Self {
        let tag = |m: Msg| m.with("sheet", sheet);
        match self {
            AppError::Validation {
                field,
                msg,
                details,
            } => AppError::Validation {
                field,
                msg: tag(msg),
                details,
            },
            AppError::Problems { field, msg, report } => AppError::Problems {
                field,
                msg: tag(msg),
                report,
            },
            e => e,
        }
    }

    /// The HTTP status of this error.
    pub fn status(&self) -> Status {
        match self {
            AppError::BadRequest { .. } => Status::BadRequest,
            AppError::Validation { .. } => Status::UnprocessableEntity,
            AppError::NotFound(_) => Status::NotFound,
            AppError::Conflict { .. } => Status::Conflict,
            AppError::Unauthorized(_) => Status::Unauthorized,
            AppError::Forbidden(_) | AppError::ForbiddenAt { .. } => Status::Forbidden,
            AppError::PayloadTooLarge { .. } => Status::PayloadTooLarge,
            AppError::UnsupportedMediaType(_) => Status::UnsupportedMediaType,
            AppError::Problems { .. } => Status::UnprocessableEntity,
            AppError::TooManyRequests { .. } => Status::TooManyRequests,
            AppError::MethodNotAllowed { .. } => Status::MethodNotAllowed,
            AppError::Unavailable(_) => Status::ServiceUnavailable,
            AppError::Internal(_) => Status::InternalServerError,
        }
    }

    /// The JSON body of this error (internal details are replaced by a generic message).
    pub fn body(&self) -> ErrorEnvelope {
        let (code, field, details) = match self {
            AppError::BadRequest { field, .. } => ("bad_request", field.clone(), vec![]),
            AppError::Validation { field, details, .. } => {
                ("validation_failed", field.clone(), details.clone())
            }
            AppError::Problems { field, report, .. } => {
                ("validation_failed", field.clone(), report.listed.clone())
            }
            AppError::NotFound(_) => ("not_found", None, vec![]),
            AppError::Conflict { field, .. } => ("conflict", field.clone(), vec![]),
            AppError::Unauthorized(_) => ("unauthorized", None, vec![]),
            AppError::Forbidden(_) => ("forbidden", None, vec![]),
            AppError::ForbiddenAt { field, .. } => ("forbidden", Some(field.clone()), vec![]),
            AppError::PayloadTooLarge { field, .. } => ("payload_too_large", field.clone(), vec![]),
            AppError::UnsupportedMediaType(_) => ("unsupported_media_type", None, vec![]),
            AppError::TooManyRequests { .. } => ("too_many_requests", None, vec![]),
            AppError::MethodNotAllowed { .. } => ("method_not_allowed", None, vec![]),
            AppError::Unavailable(_) => ("service_unavailable", None, vec![]),
            AppError::Internal(_) => ("internal_error", None, vec![]),
        };
        let msg = self.msg();
        let (problems_total, problem_counts) = match self {
            AppError::Problems { report, .. } => (Some(report.total), report.counts.clone()),
            _ => (None, vec![]),
        };
        ErrorEnvelope {
            error: ErrorBody {
                code: code.into(),
                message: msg.to_string(),
                reason: msg.reason,
                params: msg.params,
                field,
                details,
                problems_total,
                problem_counts,
            },
        }
    }
}

/// The `error` object of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error's category, e.g. `validation_failed`, `not_found`, `conflict`.
    pub code: String,
    /// The English message, rendered from the catalogue (`GET /api/errors/messages?lang=en`).
    pub message: String,
    /// The stable code of what went wrong; the catalogue has its message in each language.
    pub reason: Reason,
    /// The values the reason's message names, by name (`{}` when it names none; a `sheet`
    /// when the error is inside one sheet of a workbook).
    #[schema(value_type = Object)]
    pub params: crate::reasons::Params,
    /// The input field at fault, when there is one.
    pub field: Option<String>,
    /// Row-level problems of a multi-row input (of a file: its first 1,000, by row).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
    /// How many problems a file has in all (`details` lists the first 1,000 of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems_total: Option<usize>,
    /// Every problem of a file counted by column and reason, most frequent first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problem_counts: Vec<ProblemCount>,
}

/// Every error response: `{"error": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// Shorthand for results of handlers and storage functions.
pub type AppResult<T> = Result<T, AppError>;

/// The field a unique constraint guards, from PostgreSQL's constraint name (`classes_code_key`,
/// or an index named in [`UNIQUE_INDEXES`]) or SQLite's message (`UNIQUE constraint failed:
/// classes.code`): so a write that loses a race to another one gets the same 409 naming the
/// field as the pre-check would have given.
fn unique_field(constraint: Option<&str>, message: &str) -> Option<&'static str> {
    if let Some(c) = constraint {
        if let Some((_, f)) = UNIQUE_INDEXES.iter().find(|(name, _)| *name == c) {
            return Some(f);
        }
    }
    match constraint {
        Some(c) => c.strip_suffix("_key").and_then(|c| {
            UNIQUE_COLUMNS
                .iter()
                .find(|(t, col, _)| c == format!("{t}_{col}"))
                .map(|x| x.2)
        }),
        None => message
            .strip_prefix("UNIQUE constraint failed: ")
            .and_then(|cols| {
                let first = cols.split(',').next()?.trim();
                let (t, col) = first.split_once('.')?;
                UNIQUE_COLUMNS
                    .iter()
                    .find(|x| x.0 == t && x.1 == col)
                    .map(|x| x.2)
            }),
    }
}

#[cfg(test)]
mod unique_tests {
    use super::unique_field;

    #[test]
    fn constraint_names_and_messages_name_the_field() {
        assert_eq!(unique_field(Some("classes_code_key"), ""), Some("code"));
        assert_eq!(
            unique_field(Some("accounts_username_key"), ""),
            Some("username")
        );
        assert_eq!(
            unique_field(Some("enrolments_active"), ""),
            Some("cadre_id")
        );
        assert_eq!(
            unique_field(None, "UNIQUE constraint failed: accounts.username"),
            Some("username")
        );
        assert_eq!(
            unique_field(
                None,
                "UNIQUE constraint failed: enrolments.class_id, enrolments.cadre_id"
            ),
            Some("cadre_id")
        );
        assert_eq!(unique_field(Some("something_else"), ""), None);
        assert_eq!(unique_field(None, "another message"), None);
    }
}

/// Tables with CHECK constraints, longest first (PostgreSQL names a column's check
/// `{table}_{column}_check`).
const CHECK_TABLES: &[&str] = &[
    "standard_requirements",
    "cadre_qualifications",
    "class_sessions",
    "unit_periods",
    "completions",
    "enrolments",
    "attendance",
    "accounts",
    "classes",
    "modules",
    "cadres",
    "units",
];

/// CHECK constraints over several columns and the field each is reported on.
const CHECK_RULES: &[(&str, &str)] = &[("class_sessions_check", "ends_at")];

/// The field a CHECK constraint guards, from PostgreSQL's constraint name (`classes_capacity_check`)
/// or SQLite's message, which quotes the rule (`CHECK constraint failed: capacity > 0`): a value
/// that slips past the checks in Rust still gets a 422 naming its field.
fn check_field(constraint: Option<&str>, message: &str) -> Option<String> {
    if let Some(c) = constraint {
        if let Some((_, f)) = CHECK_RULES.iter().find(|(name, _)| *name == c) {
            return Some(f.to_string());
        }
        let rest = c.trim_end_matches(|ch: char| ch.is_ascii_digit());
        let rest = rest.strip_suffix("_check")?;
        let table = CHECK_TABLES
            .iter()
            .find(|t| rest.starts_with(&format!("{t}_")))?;
        return Some(rest[table.len() + 1..].to_string());
    }
    let rule = message.strip_prefix("CHECK constraint failed: ")?.trim();
    let ident: String = rule
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    // Older SQLite versions name the table instead of quoting the rule.
    (!ident.is_empty() && ident.len() < rule.len() && !CHECK_TABLES.contains(&ident.as_str()))
        .then_some(ident)
}

#[cfg(test)]
mod check_tests {
    use super::check_field;

    #[test]
    fn check_constraints_name_the_field_on_both_backends() {
        let f = |c: Option<&str>, m: &str| check_field(c, m);
        assert_eq!(
            f(Some("classes_capacity_check"), "").as_deref(),
            Some("capacity")
        );
        assert_eq!(
            f(Some("classes_min_attendance_pct_check"), "").as_deref(),
            Some("min_attendance_pct")
        );
        assert_eq!(
            f(Some("class_sessions_check"), "").as_deref(),
            Some("ends_at")
        );
        assert_eq!(
            f(Some("cadre_qualifications_source_check"), "").as_deref(),
            Some("source")
        );
        assert_eq!(f(Some("accounts_role_check1"), "").as_deref(), Some("role"));
        assert_eq!(f(Some("something_else"), ""), None);
        assert_eq!(
            f(None, "CHECK constraint failed: capacity > 0").as_deref(),
            Some("capacity")
        );
        assert_eq!(
            f(
                None,
                "CHECK constraint failed: status IN ('planned', 'open')"
            )
            .as_deref(),
            Some("status")
        );
        assert_eq!(f(None, "CHECK constraint failed: classes"), None);
        assert_eq!(f(None, "another message"), None);
    }
}

/// (table, column, field) of the single-column unique constraints users can run into.
const UNIQUE_COLUMNS: &[(&str, &str, &str)] = &[
    ("accounts", "username", "username"),
    ("classes", "code", "code"),
    ("modules", "code", "code"),
    ("programmes", "code", "code"),
    ("titles", "code", "code"),
    ("units", "code", "code"),
    ("cadres", "personal_id", "personal_id"),
    ("enrolments", "class_id", "cadre_id"),
    ("completions", "class_id", "cadre_id"),
];

/// Unique indexes (PostgreSQL reports their names) and the field each guards.
const UNIQUE_INDEXES: &[(&str, &str)] = &[
    ("units_pkey", "code"),
    ("enrolments_active", "cadre_id"),
    ("completions_class_cadre", "cadre_id"),
];

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind;
        match &e {
            sqlx::Error::RowNotFound => AppError::NotFound(crate::msg!(RecordNotFound)),
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => {
                tracing::error!(error = %e, "database unavailable");
                // A SQLite connection whose thread is gone: the pool does not ping before handing
                // a connection out (`Db::connect`), so the connections open now are retired instead.
                if matches!(e, sqlx::Error::WorkerCrashed) {
                    crate::db::storage_fault::seen();
                }
                AppError::Unavailable(crate::msg!(DatabaseUnavailable))
            }
            sqlx::Error::Database(db) => {
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                let code = DbCode::of(db.as_ref(), &code);
                match db.kind() {
                    ErrorKind::UniqueViolation => {
                        let field = unique_field(db.constraint(), db.message());
                        let msg = match field {
                            Some(f) => crate::msg!(DuplicateField, field = f),
                            None => crate::msg!(DuplicateKey),
                        };
                        AppError::conflict(field, msg)
                    }
                    ErrorKind::ForeignKeyViolation => AppError::Validation {
                        field: None,
                        msg: crate::msg!(ReferenceBroken),
                        details: vec![],
                    },
                    ErrorKind::CheckViolation => {
                        let field = check_field(db.constraint(), db.message());
                        AppError::Validation {
                            msg: match &field {
                                Some(f) => crate::msg!(DatabaseRuleField, field = f),
                                None => crate::msg!(DatabaseRule),
                            },
                            field,
                            details: vec![],
                        }
                    }
                    ErrorKind::NotNullViolation => AppError::Validation {
                        field: None,
                        msg: crate::msg!(DatabaseRule),
                        details: vec![],
                    },
                    _ if code.unavailable() => {
                        tracing::error!(error = %e, "database unavailable");
                        if code.storage_fault() {
                            crate::db::storage_fault::seen();
                        }
                        AppError::Unavailable(Msg::new(code.reason()))
                    }
                    _ => {
                        tracing::error!(error = %e, "database error");
                        AppError::Internal(e.to_string())
                    }
                }
            }
            _ => {
                tracing::error!(error = %e, "database error");
                AppError::Internal(e.to_string())
            }
        }
    }
}

/// A database error code, read according to the backend that raised it (a PostgreSQL SQLSTATE
/// such as `53300` is all digits too, so the text alone cannot tell them apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DbCode<'a> {
    /// A SQLite result code; its low byte is the primary code (778 is SQLITE_IOERR_WRITE).
    Sqlite(i64),
    /// A PostgreSQL SQLSTATE.
    Postgres(&'a str),
}

impl<'a> DbCode<'a> {
    fn of(db: &'a dyn sqlx::error::DatabaseError, code: &'a str) -> Self {
        match db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
            Some(_) => DbCode::Sqlite(code.parse().unwrap_or(0)),
            None => DbCode::Postgres(code),
        }
    }

    /// The database cannot serve the request now for a reason outside the request: busy,
    /// read-only, full, I/O error, cannot open; a PostgreSQL connection, shutdown or resource class.
    fn unavailable(self) -> bool {
        match self {
            DbCode::Sqlite(n) => matches!(n & 0xff, 5 | 6 | 8 | 10 | 13 | 14),
            DbCode::Postgres(c) => {
                c.starts_with("08")
                    || c.starts_with("57P")
                    || matches!(c, "53000" | "53100" | "53200" | "53300" | "25006")
            }
        }
    }

    /// A fault of the storage under the SQLite file (read-only, I/O error, full, cannot open).
    fn storage_fault(self) -> bool {
        matches!(self, DbCode::Sqlite(n) if matches!(n & 0xff, 8 | 10 | 13 | 14))
    }

    /// What the caller is told: the cause, and that nothing was written.
    fn reason(self) -> Reason {
        match self {
            DbCode::Sqlite(n) => match n & 0xff {
                8 => Reason::DatabaseReadOnlyFile,
                13 => Reason::DatabaseDiskFull,
                10 => Reason::DatabaseIoError,
                14 => Reason::DatabaseCannotOpen,
                _ => Reason::DatabaseBusy,
            },
            DbCode::Postgres("25006") => Reason::DatabaseReadOnly,
            DbCode::Postgres("53100") => Reason::DatabaseDiskFullPg,
            DbCode::Postgres(_) => Reason::DatabaseUnavailable,
        }
    }

    /// The message the caller is told.
    #[cfg(test)]
    fn message(self) -> String {
        Msg::new(self.reason()).to_string()
    }
}

impl<'r> Responder<'r, 'static> for AppError {
    fn respond_to(self, req: &'r Request<'_>) -> response::Result<'static> {
        if let AppError::Internal(detail) = &self {
            // The path only: query strings may carry search text; feed paths carry a token.
            tracing::error!(path = %crate::logging::loggable_path(req.uri().path().as_str()), detail = %detail, "internal error");
        }
        let status = self.status();
        let mut res = Response::build_from(Json(self.body()).respond_to(req)?);
        res.status(status);
        match self {
            AppError::TooManyRequests { retry_after } => {
                res.header(Header::new("Retry-After", retry_after.to_string()));
            }
            AppError::MethodNotAllowed { allow, .. } => {
                res.header(Header::new("Allow", allow.join(", ")));
            }
            _ => {}
        }
        Ok(res.finalize())
    }
}

/// Stores an error raised by a guard so the catcher can answer with it.
pub fn stash(req: &Request<'_>, err: AppError) -> AppError {
    req.local_cache(|| Stashed(Some(err.clone())));
    err
}

/// An error left by a request or data guard for the catcher.
struct Stashed(Option<AppError>);

/// The JSON catcher for every status: answers with the guard's error when one was stashed.
#[rocket::catch(default)]
pub fn json_catcher(status: Status, req: &Request<'_>) -> AppError {
    if let Some(err) = &req.local_cache(|| Stashed(None)).0 {
        return err.clone();
    }
    // No route for this method, but the path is some route's: 405 naming the methods it has. A
    // request Rocket could not read (400 without a route tried) is one with a method Rocket does
    // not know (QUERY, …): it is told the same when its path exists.
    let unread = status.code == 400 && req.route().is_none();
    if status.code == 404 || status.code == 405 || unread {
        let method = if unread {
            "this method".to_string()
        } else {
            req.method().as_str().to_string()
        };
        let allow = allowed_methods(req);
        let has_own = !unread
            && allow.iter().any(|m| {
                m == req.method().as_str()
                    || (req.method() == rocket::http::Method::Head && m == "GET")
            });
        if !allow.is_empty() && !has_own {
            return AppError::MethodNotAllowed { method, allow };
        }
    }
    match status.code {
        400 => AppError::BadRequest {
            field: None,
            msg: crate::msg!(RequestUnreadable),
        },
        401 => AppError::Unauthorized(crate::msg!(AuthenticationRequired)),
        403 => AppError::Forbidden(crate::msg!(NotAllowed)),
        404 => AppError::NotFound(crate::msg!(NoResource, path = req.uri().path().as_str())),
        409 => AppError::conflict(None, crate::msg!(GenericConflict)),
        413 => AppError::PayloadTooLarge {
            field: None,
            msg: crate::msg!(BodyTooLarge),
        },
        422 => AppError::Validation {
            field: None,
            msg: crate::msg!(RequestInvalid),
            details: vec![],
        },
        503 => AppError::Unavailable(crate::msg!(ServiceUnavailable)),
        _ if status.code >= 500 => AppError::Internal(format!("status {status}")),
        _ => AppError::BadRequest {
            field: None,
            msg: crate::msg!(BadRequestStatus, status = status.reason_lossy().to_string()),
        },
    }
}

/// When the request's path is a route's literal path (no `<…>` segment) and no literal route of
/// that path has the request's method, the methods they have: `PATCH /api/units/import` is not
/// `PATCH /api/units/<code>` with the code `import` (the document names `/api/units/import` a path
/// of its own, with POST only), so it is a 405 whatever a pattern route would have answered.
fn literal_path_methods(req: &Request<'_>) -> Option<Vec<String>> {
    let path = req.uri().path().as_str();
    let mut methods: Vec<String> = Vec::new();
    for route in req.rocket().routes() {
        let pattern = route.uri.path();
        if pattern.contains('<') || !path_matches(pattern, path) {
            continue;
        }
        methods.push(route.method.as_str().to_string());
    }
    if methods.is_empty() {
        return None;
    }
    let own = req.method().as_str();
    let head_of_get =
        req.method() == rocket::http::Method::Head && methods.iter().any(|m| m == "GET");
    if methods.iter().any(|m| m == own) || head_of_get {
        return None;
    }
    Some(allowed_methods(req))
}

/// Answers 405 for a method that a literal path does not have ([`literal_path_methods`]), even
/// when a pattern route took the request. Attached first, so the other fairings see the 405.
pub struct LiteralPaths;

#[rocket::async_trait]
impl rocket::fairing::Fairing for LiteralPaths {
    fn info(&self) -> rocket::fairing::Info {
        rocket::fairing::Info {
            name: "405 for methods a literal path does not have",
            kind: rocket::fairing::Kind::Response,
        }
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        if res.status() == Status::MethodNotAllowed {
            return;
        }
        let Some(allow) = literal_path_methods(req) else {
            return;
        };
        let err = AppError::MethodNotAllowed {
            method: req.method().as_str().to_string(),
            allow,
        };
        if let Ok(answer) = err.respond_to(req) {
            *res = answer;
        }
    }
}

/// The methods of the routes whose path pattern matches the request's path (the static files'
/// catch-all left out), with HEAD where there is GET; empty when none does.
/// When a literal route (no `<…>` segment) has the path, only the literal routes count (see
/// [`literal_path_methods`]).
fn allowed_methods(req: &Request<'_>) -> Vec<String> {
    let path = req.uri().path().as_str();
    let literal = req
        .rocket()
        .routes()
        .any(|r| !r.uri.path().contains('<') && path_matches(r.uri.path(), path));
    let mut methods: Vec<String> = Vec::new();
    for route in req.rocket().routes() {
        let pattern = route.uri.path();
        if pattern.starts_with("/<")
            || (literal && pattern.contains('<'))
            || !path_matches(pattern, path)
        {
            continue;
        }
        let m = route.method.as_str().to_string();
        if !methods.contains(&m) {
            methods.push(m);
        }
    }
    if methods.iter().any(|m| m == "GET") && !methods.iter().any(|m| m == "HEAD") {
        methods.push("HEAD".into());
    }
    let order = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
    ];
    methods.sort_by_key(|m| order.iter().position(|o| o == m).unwrap_or(order.len()));
    methods
}

/// Whether a request path matches a Rocket route path pattern: `<x>` matches one non-empty
/// segment, `<x..>` the rest (even nothing), anything else itself.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let segments = |s: &str| -> Vec<String> {
        s.split('/')
            .filter(|x| !x.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let pattern = segments(pattern);
    let path = segments(path);
    for (i, p) in pattern.iter().enumerate() {
        if p.starts_with('<') && p.ends_with("..>") {
            return true;
        }
        match path.get(i) {
            None => return false,
            Some(s) if p.starts_with('<') && p.ends_with('>') => {
                let _ = s;
            }
            Some(s) if s == p => {}
            Some(_) => return false,
        }
    }
    pattern.len() == path.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_patterns_match_segments() {
        assert!(path_matches("/api/cadres/<id>", "/api/cadres/12"));
        assert!(path_matches("/api/cadres/<id>", "/api/cadres/12/"));
        assert!(!path_matches("/api/cadres/<id>", "/api/cadres"));
        assert!(!path_matches("/api/cadres/<id>", "/api/cadres/12/titles"));
        assert!(path_matches("/api/docs/<_..>", "/api/docs"));
        assert!(path_matches("/api/docs/<_..>", "/api/docs/a/b"));
        assert!(path_matches("/health", "/health"));
        assert!(!path_matches("/health", "/healthz"));
    }

    #[test]
    fn storage_faults_are_503_with_a_message_that_names_the_cause() {
        use DbCode::{Postgres, Sqlite};
        for code in [Sqlite(8), Sqlite(13), Sqlite(778), Sqlite(5)] {
            assert!(code.unavailable(), "{code:?}");
        }
        assert!(Sqlite(8).message().contains("read-only"));
        assert!(Sqlite(1032).message().contains("read-only")); // SQLITE_READONLY_DBMOVED
        assert!(Sqlite(13).message().contains("disk is full"));
        assert!(Sqlite(778).message().contains("I/O error"));
        assert!(Sqlite(778).storage_fault() && !Sqlite(5).storage_fault());
        // A constraint is the caller's problem, not an outage.
        assert!(!Sqlite(19).unavailable() && !Sqlite(2067).unavailable());
        // SQLSTATEs are digits too: read as PostgreSQL codes, not as SQLite numbers.
        assert!(Postgres("53300").unavailable() && Postgres("57P01").unavailable());
        assert!(Postgres("53100").message().contains("disk is full"));
        assert!(!Postgres("23505").unavailable() && !Postgres("53300").storage_fault());
    }
}
