//! The message catalogue of the imports' problems: each [`ProblemCode`] with the parameters its
//! reason names, in English (the `message` of the JSON answer, as the API has always written it)
//! and in Vietnamese (the problems CSV's default). A template names a parameter `{name}`; a
//! parameter that is a word of the system (a unit level, an import kind) is written in the
//! language of the message. `catalogue_is_complete` fails when a code lacks a message.

use serde_json::Value;

use crate::error::{ProblemCode, ProblemParams};

use crate::reasons::fill;
pub use crate::reasons::Lang;

/// A code's message: the parameters it names, and its templates.
struct Message {
    code: ProblemCode,
    params: &'static [&'static str],
    en: &'static str,
    vi: &'static str,
}

const fn m(
    code: ProblemCode,
    params: &'static [&'static str],
    en: &'static str,
    vi: &'static str,
) -> Message {
    Message {
        code,
        params,
        en,
        vi,
    }
}

use ProblemCode as C;

/// Every code's message.
const CATALOGUE: &[Message] = &[
    m(
        C::ColumnUnknown,
        &["kind", "columns"],
        "unknown column for a {kind} file; the template's columns are: {columns}",
        "Cột không có trong tệp mẫu {kind}; các cột của tệp mẫu là: {columns}",
    ),
    m(
        C::ColumnRepeated,
        &["column"],
        "column \"{column}\" appears twice",
        "Cột \"{column}\" xuất hiện hai lần",
    ),
    m(
        C::ColumnMissing,
        &["column", "column_en"],
        "required column \"{column}\" ({column_en}) is missing",
        "Thiếu cột bắt buộc \"{column}\"",
    ),
    m(
        C::NulCharacter,
        &[],
        "must not contain a NUL character",
        "Không được chứa ký tự NUL",
    ),
    m(
        C::ControlCharacter,
        &[],
        "must not contain a control character (tab and line breaks are allowed)",
        "Không được chứa ký tự điều khiển (trừ tab và xuống dòng)",
    ),
    m(C::Required, &[], "a value is required", "Bắt buộc nhập"),
    m(
        C::DateRequired,
        &[],
        "a date is required",
        "Bắt buộc nhập ngày",
    ),
    m(
        C::TooLong,
        &["max"],
        "at most {max} characters",
        "Tối đa {max} ký tự",
    ),
    m(
        C::DateInvalid,
        &[],
        "not a date: write it as DD/MM/YYYY or YYYY-MM-DD",
        "Không phải ngày: hãy ghi theo dạng DD/MM/YYYY hoặc YYYY-MM-DD",
    ),
    m(
        C::DateOutOfRange,
        &["date", "year_min", "year_max"],
        "the date {date} is not between {year_min}-01-01 and {year_max}-12-31",
        "Ngày {date} không nằm trong khoảng từ 01/01/{year_min} đến 31/12/{year_max}",
    ),
    m(
        C::DateInFuture,
        &[],
        "the date is in the future",
        "Ngày không được sau hôm nay",
    ),
    m(
        C::YesNoInvalid,
        &[],
        "write có or không (yes or no)",
        "Hãy ghi có hoặc không",
    ),
    m(C::NumberInvalid, &[], "not a number", "Không phải là số"),
    m(
        C::PersonalIdInvalid,
        &[],
        "personal_id must be 9 or 12 digits",
        "Số CCCD/CMND phải gồm 9 hoặc 12 chữ số",
    ),
    m(
        C::PersonalIdRepeated,
        &["row_first"],
        "the same personal id number is on row {row_first}",
        "Số CCCD/CMND này đã có ở dòng {row_first}",
    ),
    m(
        C::NameLength,
        &["min", "max"],
        "full_name must be {min} to {max} characters",
        "Họ và tên phải có từ {min} đến {max} ký tự",
    ),
    m(
        C::NameCharacters,
        &[],
        "full_name may hold only letters, spaces, ' and -",
        "Họ và tên chỉ được gồm chữ cái, dấu cách, dấu ' và dấu -",
    ),
    m(
        C::NameMismatch,
        &["on_record"],
        "the full name is not the one on record for this personal id number: {on_record}",
        "Họ và tên khác với hồ sơ đã có của số CCCD/CMND này: {on_record}",
    ),
    m(
        C::GenderInvalid,
        &[],
        "write Nam, Nữ or Khác (male, female, other)",
        "Hãy ghi Nam, Nữ hoặc Khác",
    ),
    m(
        C::BirthDateRange,
        &[],
        "birth_date must be on or after 1900-01-01 and at least 15 years ago",
        "Ngày sinh phải từ ngày 01/01/1900 trở đi và cách đây ít nhất 15 năm",
    ),
    m(
        C::TextLength,
        &["column", "max"],
        "{column} must be 1 to {max} characters",
        "Phải có từ 1 đến {max} ký tự",
    ),
    m(
        C::TextCharacters,
        &["column"],
        "{column} may hold only letters, spaces, ' and -, and begins with a letter",
        "Chỉ được gồm chữ cái, dấu cách, dấu ' và dấu -, bắt đầu bằng chữ cái",
    ),
    m(
        C::PartyDateRange,
        &[],
        "party_joined_on must be after the birth date and not in the future",
        "Ngày vào Đảng phải sau ngày sinh và không được sau hôm nay",
    ),
    m(
        C::OrganisationUnknown,
        &[],
        "unknown organisation; write e.g. Mặt trận Tổ quốc, Đoàn Thanh niên, Hội Liên hiệp Phụ nữ",
        "Không rõ tổ chức; hãy ghi, ví dụ: Mặt trận Tổ quốc, Đoàn Thanh niên, Hội Liên hiệp Phụ nữ",
    ),
    m(
        C::PhoneInvalid,
        &[],
        "phone must be a telephone number of 8 to 15 digits",
        "Số điện thoại phải gồm 8 đến 15 chữ số",
    ),
    m(
        C::EmailInvalid,
        &[],
        "email is not an e-mail address",
        "Không phải địa chỉ thư điện tử",
    ),
    m(
        C::UnitUnknown,
        &[],
        "no unit with this code",
        "Không có đơn vị mang mã này",
    ),
    m(
        C::UnitRetired,
        &[],
        "the unit is retired",
        "Đơn vị đã ngừng hoạt động (giải thể hoặc sáp nhập)",
    ),
    m(
        C::UnitOutsideSubtree,
        &[],
        "the unit is outside your subtree",
        "Đơn vị nằm ngoài phạm vi quản lý của bạn",
    ),
    m(
        C::CadreOutsideSubtree,
        &[],
        "a cadre outside your subtree has this personal id number",
        "Số CCCD/CMND này thuộc một cán bộ ngoài phạm vi quản lý của bạn",
    ),
    m(
        C::CadreUnknown,
        &[],
        "no cadre with this personal id number in your subtree",
        "Không có cán bộ mang số CCCD/CMND này trong phạm vi quản lý của bạn",
    ),
    m(
        C::MoveBeforeCurrentUnit,
        &[],
        "the move would be dated before the cadre's current unit period began",
        "Ngày chuyển đơn vị trước ngày cán bộ bắt đầu ở đơn vị hiện tại",
    ),
    m(
        C::CadreHoldsTitlesElsewhere,
        &["titles", "date"],
        "from {date} on, the cadre would hold titles in units that are neither the new unit, above it nor within it ({titles}): end them by the day before the move first",
        "Từ ngày {date}, cán bộ sẽ còn giữ chức danh ở đơn vị không phải đơn vị mới, đơn vị cấp trên hay cấp dưới của đơn vị mới ({titles}): hãy kết thúc các chức danh đó chậm nhất vào ngày trước ngày chuyển",
    ),
    m(
        C::TitleOffLine,
        &["title", "unit", "home", "date"],
        "on {date} the cadre was in unit {home}, and {title} in {unit} lies neither in it, above it nor within it: a title is held in the cadre's own unit, one above it or one within it",
        "Ngày {date}, cán bộ ở đơn vị {home}; chức danh {title} ở đơn vị {unit} không thuộc đơn vị đó, đơn vị cấp trên hay cấp dưới của đơn vị đó: chức danh chỉ giữ ở đơn vị của cán bộ, đơn vị cấp trên hoặc cấp dưới",
    ),
    m(
        C::TitleSameOrganisation,
        &["title", "other", "unit", "date"],
        "from {date} the cadre would hold {title} beside {other} in unit {unit}: one cadre holds one title of an organisation in a unit at a time",
        "Từ ngày {date}, cán bộ sẽ giữ chức danh {title} cùng lúc với {other} ở đơn vị {unit}: mỗi cán bộ chỉ giữ một chức danh của một tổ chức ở một đơn vị tại một thời điểm",
    ),
    m(
        C::TitleCodeRequired,
        &[],
        "a title code is required when its dates or unit are given",
        "Cần ghi mã chức danh khi đã ghi ngày hoặc đơn vị của chức danh",
    ),
    m(
        C::TitleStartRequired,
        &[],
        "the start date of the title is required",
        "Bắt buộc ghi ngày bắt đầu của chức danh",
    ),
    m(
        C::PeriodEndBeforeStart,
        &[],
        "the end date is before the start date",
        "Ngày kết thúc trước ngày bắt đầu",
    ),
    m(
        C::TitleUnknown,
        &[],
        "no active title with this code",
        "Không có chức danh đang sử dụng mang mã này",
    ),
    m(
        C::TitleWrongLevel,
        &["title", "title_level", "unit", "unit_level"],
        "title {title} is a {title_level}-level title; unit {unit} is at {unit_level} level",
        "Chức danh {title} là chức danh cấp {title_level}; đơn vị {unit} thuộc cấp {unit_level}",
    ),
    m(
        C::TitleOverlap,
        &[],
        "overlaps another period of the same title on record for this cadre",
        "Trùng thời gian với một giai đoạn khác của cùng chức danh trong hồ sơ cán bộ này",
    ),
    m(
        C::TitleOtherUnit,
        &[],
        "this cadre has this title from the same day in another unit",
        "Cán bộ này đã có chức danh này, từ cùng ngày, ở một đơn vị khác",
    ),
    m(
        C::InactiveHoldsTitles,
        &[],
        "an inactive cadre holds and is planned for no title beyond today: end the period first",
        "Cán bộ không còn công tác không giữ và không được quy hoạch chức danh nào sau hôm nay: hãy kết thúc giai đoạn trước",
    ),
    m(
        C::CadreHoldsSeats,
        &["classes"],
        "the cadre holds a seat or a waitlist place in classes not over ({classes}): withdraw from them first",
        "Cán bộ còn chỗ học hoặc chỗ chờ trong lớp chưa kết thúc ({classes}): hãy rút khỏi các lớp đó trước",
    ),
    m(
        C::ScaleUnknown,
        &["scale"],
        "no qualification scale with the code or name {scale}",
        "Không có loại trình độ mang mã hoặc tên {scale}",
    ),
    m(
        C::ScaleAmbiguous,
        &["scale"],
        "several qualification scales are named {scale}; write the scale's code",
        "Có nhiều loại trình độ mang tên {scale}; hãy ghi mã loại trình độ",
    ),
    m(
        C::LevelUnknown,
        &["scale", "level"],
        "no level {level} on scale {scale}",
        "Loại trình độ {scale} không có trình độ {level}",
    ),
    m(
        C::LevelAmbiguous,
        &["scale", "level"],
        "several levels of scale {scale} are named {level}; write the level's code",
        "Loại trình độ {scale} có nhiều trình độ mang tên {level}; hãy ghi mã trình độ",
    ),
    m(
        C::DateOutsideLife,
        &[],
        "the date must be after the cadre's birth and not in the future",
        "Ngày phải sau ngày sinh của cán bộ và không được sau hôm nay",
    ),
    m(
        C::QualificationRepeated,
        &["row_first"],
        "the same qualification is on row {row_first}",
        "Trình độ này đã có ở dòng {row_first}",
    ),
    m(
        C::ModuleUnknown,
        &[],
        "no module with this code",
        "Không có học phần mang mã này",
    ),
    m(
        C::ScoreInvalid,
        &[],
        "a score from 0 to 10 with at most one decimal",
        "Điểm phải từ 0 đến 10, tối đa một chữ số thập phân",
    ),
    m(
        C::SourceInvalid,
        &[],
        "write giấy (paper) or nhập (import)",
        "Hãy ghi giấy (hồ sơ giấy) hoặc nhập (nhập từ tệp)",
    ),
    m(
        C::CompletionRepeated,
        &["row_first"],
        "the same completion is on row {row_first}",
        "Lần hoàn thành này đã có ở dòng {row_first}",
    ),
    m(
        C::QualificationOnRecord,
        &[],
        "this qualification (scale, level and day) is already on record, from a completion or another record",
        "Trình độ này (loại, bậc và ngày cấp) đã có trong hồ sơ, từ một lần hoàn thành học phần hoặc hồ sơ khác",
    ),
    m(
        C::CompletionOnRecord,
        &[],
        "a completion of this module on this day is already on record (from a class, or revoked)",
        "Đã có kết quả hoàn thành học phần này vào ngày này (từ một lớp học, hoặc đã bị thu hồi)",
    ),
    m(
        C::RowUnreadable,
        &["detail"],
        "unreadable row: {detail}",
        "Không đọc được dòng: {detail}",
    ),
    m(
        C::UnitCodeInvalid,
        &[],
        "not a unit code (1 to 10 digits)",
        "Không phải mã đơn vị (1 đến 10 chữ số)",
    ),
    m(
        C::UnitKindUnknown,
        &["kinds"],
        "unknown kind; expected one of {kinds}",
        "Loại đơn vị không hợp lệ; phải là một trong: {kinds}",
    ),
    m(
        C::UnitOwnParent,
        &[],
        "a unit cannot be its own parent",
        "Đơn vị không thể là cấp trên của chính nó",
    ),
    m(
        C::UnitCodeRepeated,
        &["row_first"],
        "duplicate code; first seen on line {row_first}",
        "Mã đơn vị trùng; đã có ở dòng {row_first}",
    ),
    m(
        C::ParentUnknown,
        &[],
        "unknown parent: not in the file nor in the database",
        "Không có đơn vị cấp trên này trong tệp lẫn trong cơ sở dữ liệu",
    ),
    m(
        C::UnitGone,
        &["unit", "date"],
        "unit {unit} was retired on {date}: nothing starts there from that day",
        "Đơn vị {unit} đã giải thể từ ngày {date}: từ ngày đó không bắt đầu gì tại đơn vị này",
    ),
    m(
        C::UnitNotYet,
        &["unit", "date"],
        "unit {unit} came into being on {date}: nobody was in it, nor held a title there, before",
        "Đơn vị {unit} được thành lập từ ngày {date}: trước ngày đó chưa ai thuộc đơn vị hay giữ chức danh tại đó",
    ),
    m(
        C::InvisibleText,
        &[],
        "only characters that show nothing (zero-width spaces, fillers): write it in visible letters",
        "Chỉ gồm các ký tự không hiển thị (khoảng trắng độ rộng 0, ký tự lấp chỗ): hãy viết bằng chữ nhìn thấy được",
    ),
    m(
        C::ParentRetired,
        &[],
        "the parent unit is retired: a unit in use is placed under a unit in use",
        "Đơn vị cấp trên đã giải thể: đơn vị đang hoạt động phải thuộc một đơn vị đang hoạt động",
    ),
    m(
        C::ParentCycle,
        &[],
        "the parents form a cycle",
        "Quan hệ cấp trên tạo thành vòng",
    ),
    m(
        C::WholeOrPart,
        &[],
        "must be whole or part",
        "Phải là whole (toàn bộ) hoặc part (một phần)",
    ),
    m(
        C::OneOrZero,
        &[],
        "must be 1 or 0",
        "Phải là 1 hoặc 0",
    ),
    m(
        C::DateIsoInvalid,
        &[],
        "not a date (YYYY-MM-DD)",
        "Không phải ngày (YYYY-MM-DD)",
    ),
    m(
        C::SuccessionRepeated,
        &["old", "new", "row_first"],
        "{old} → {new} is listed twice (first on line {row_first})",
        "{old} → {new} bị ghi hai lần (lần đầu ở dòng {row_first})",
    ),
    m(
        C::MainSuccessorCount,
        &["old", "count"],
        "old unit {old} needs exactly one main successor (has {count})",
        "Đơn vị cũ {old} cần đúng một đơn vị kế thừa chính (đang có {count})",
    ),
    m(
        C::FileNoRows,
        &[],
        "the file has no rows",
        "Tệp không có dòng nào",
    ),
    m(
        C::UnitNotOnDay,
        &["unit", "date"],
        "unit {unit} does not exist on {date}",
        "Đơn vị {unit} không tồn tại vào ngày {date}",
    ),
    m(
        C::PartUnknown,
        &["parts"],
        "not a part of a record; the parts are: {parts}",
        "Không phải một phần của hồ sơ; các phần là: {parts}",
    ),
    m(
        C::PartRepeated,
        &["part"],
        "a second sheet of the part \"{part}\"",
        "Phần \"{part}\" có hai trang tính",
    ),
    m(
        C::PeriodRepeated,
        &["row_first"],
        "the same period is on row {row_first}",
        "Giai đoạn này đã có ở dòng {row_first}",
    ),
    m(
        C::UnitPeriodOverlap,
        &[],
        "overlaps another unit period of this cadre",
        "Trùng thời gian với một giai đoạn công tác khác của cán bộ này",
    ),
    m(
        C::UnitPeriodOtherUnit,
        &[],
        "this cadre was in another unit from the same day",
        "Từ cùng ngày này cán bộ đang ở một đơn vị khác",
    ),
    m(
        C::CurrentPeriodEndsByMove,
        &[],
        "the current unit period ends only by a move (the cadre sheet's unit and its day)",
        "Giai đoạn công tác hiện tại chỉ kết thúc khi chuyển đơn vị (đơn vị và ngày ở trang Cán bộ)",
    ),
    m(
        C::EarlierPeriodNeedsEnd,
        &[],
        "the current unit is the cadre sheet's: an earlier period needs the day the cadre moved out",
        "Đơn vị hiện tại là đơn vị ở trang Cán bộ: giai đoạn trước cần có ngày chuyển đi",
    ),
    m(
        C::MovedOutBeforeStart,
        &[],
        "the day moved out must be after the first day",
        "Ngày chuyển đi phải sau ngày bắt đầu",
    ),
    m(
        C::AppointedAfterStart,
        &[],
        "the appointment is on or before the period's start",
        "Ngày bổ nhiệm phải trước hoặc trùng ngày bắt đầu giai đoạn",
    ),
    m(
        C::DateBeforeBirth,
        &[],
        "the date must be after the cadre's birth",
        "Ngày phải sau ngày sinh của cán bộ",
    ),
    m(
        C::TitleBeforeAdulthood,
        &["date"],
        "a title is held or planned from the cadre's eighteenth birthday, {date}",
        "Chức danh chỉ đảm nhiệm, quy hoạch từ ngày cán bộ đủ 18 tuổi ({date})",
    ),
    m(
        C::BirthAfterTitles,
        &["date"],
        "with this birth date the cadre would not have been 18 when a title on record began, on {date}",
        "Với ngày sinh này, cán bộ chưa đủ 18 tuổi khi bắt đầu một chức danh đã ghi nhận (ngày {date})",
    ),
    m(
        C::BirthAfterRecords,
        &["date"],
        "the cadre has a completion or qualification on record dated {date}, before this birth date",
        "Cán bộ có kết quả đào tạo hoặc trình độ đã ghi nhận ngày {date}, trước ngày sinh này",
    ),
    m(
        C::RecordSourceInvalid,
        &[],
        "write lớp (class), giấy (paper) or nhập (import)",
        "Hãy ghi lớp (học tại lớp), giấy (hồ sơ giấy) hoặc nhập (nhập từ tệp)",
    ),
    m(
        C::ReferenceRequired,
        &[],
        "a paper or imported completion needs its reference",
        "Kết quả theo hồ sơ giấy hoặc nhập từ tệp cần có tham chiếu",
    ),
    m(
        C::ClassCodeNotClass,
        &[],
        "only a class completion names a class",
        "Chỉ kết quả học tại lớp mới ghi mã lớp",
    ),
    m(
        C::RevocationNeedsDay,
        &[],
        "a revocation reason needs the day it was revoked",
        "Lý do thu hồi cần có ngày thu hồi",
    ),
    m(
        C::RevocationDayRange,
        &[],
        "a revocation is dated from the completion (or the day obtained) to today",
        "Ngày thu hồi phải từ ngày hoàn thành (hoặc ngày cấp) đến hôm nay",
    ),
    m(
        C::CertificateRepeated,
        &["row_first"],
        "the same certificate number is on row {row_first}",
        "Số chứng chỉ này đã có ở dòng {row_first}",
    ),
    m(
        C::CertificateTaken,
        &[],
        "another completion has this certificate number",
        "Số chứng chỉ này đã thuộc về một kết quả khác",
    ),
    m(
        C::CertificateCodeInvalid,
        &["len", "alphabet"],
        "a verification code is {len} letters of {alphabet} (the public check could not verify this one)",
        "Mã xác thực gồm {len} ký tự trong {alphabet} (mã này không thể dùng để tra cứu)",
    ),
    m(
        C::ClassCompletionHere,
        &["class"],
        "class {class} is in this database: its completions are recorded from its results, not brought in",
        "Lớp {class} có trong cơ sở dữ liệu này: kết quả của lớp được ghi từ trang kết quả của lớp, không nhập vào",
    ),
    m(
        C::CompletionDiffers,
        &[],
        "differs from the completion on record: a class result, a certificate and a revocation change only on their own pages",
        "Khác với kết quả đã có trong hồ sơ: kết quả học tại lớp, chứng chỉ và việc thu hồi chỉ được sửa ở trang riêng",
    ),
    m(
        C::QualificationSourceInvalid,
        &[],
        "write thủ công (manual), nhập (import) or học phần (completion)",
        "Hãy ghi thủ công, nhập (nhập từ tệp) hoặc học phần (hoàn thành học phần)",
    ),
    m(
        C::QualificationDiffers,
        &[],
        "differs from the qualification on record: its provenance and revocation change only on the cadre's page",
        "Khác với trình độ đã có trong hồ sơ: nguồn và việc thu hồi chỉ được sửa ở trang cán bộ",
    ),
];

fn message(code: ProblemCode) -> Option<&'static Message> {
    CATALOGUE.iter().find(|m| m.code == code)
}

/// A parameter's value as a message writes it: words of the system in the message's language.
fn value(key: &str, v: Option<&Value>, lang: Lang) -> String {
    let text = match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    if lang == Lang::En {
        return text;
    }
    match (key, text.as_str()) {
        ("title_level" | "unit_level", "city") => "thành phố".into(),
        ("title_level" | "unit_level", "district") => "huyện".into(),
        ("title_level" | "unit_level", "commune") => "xã".into(),
        ("title_level" | "unit_level", "") => "không xác định".into(),
        ("kind", "cadres") => "hồ sơ cán bộ".into(),
        ("kind", "qualifications") => "trình độ".into(),
        ("kind", "completions") => "quá trình đào tạo".into(),
        ("date", iso) => chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|_| iso.to_string()),
        _ => text,
    }
}

/// The catalogue in `lang`, for a client that renders problems itself (the web UI): every code's
/// template (`{name}` for a parameter), and the words of the system a parameter may hold, as
/// they are written in that language (`values.unit_level.commune` = `xã`). A parameter named
/// `date` holds an ISO day, written DD/MM/YYYY in Vietnamese.
pub fn catalogue(lang: Lang) -> Value {
    let messages: serde_json::Map<String, Value> = CATALOGUE
        .iter()
        .map(|m| {
            let text = if lang == Lang::Vi { m.vi } else { m.en };
            (m.code.as_str(), Value::String(text.into()))
        })
        .collect();
    let words = |key: &str, of: &[&str]| -> Value {
        of.iter()
            .map(|w| {
                let v = value(key, Some(&Value::String((*w).into())), lang);
                ((*w).to_string(), Value::String(v))
            })
            .collect::<serde_json::Map<String, Value>>()
            .into()
    };
    let levels = ["city", "district", "commune"];
    serde_json::json!({
        "lang": if lang == Lang::Vi { "vi" } else { "en" },
        "messages": messages,
        "values": {
            "title_level": words("title_level", &levels),
            "unit_level": words("unit_level", &levels),
            "kind": words("kind", &["cadres", "qualifications", "completions"]),
        },
    })
}

/// A problem's reason in `lang`, from its code and parameters.
pub fn render(code: ProblemCode, params: &ProblemParams, lang: Lang) -> String {
    let Some(m) = message(code) else {
        return code.as_str();
    };
    debug_assert!(
        params.keys().all(|k| m.params.contains(&k.as_str())),
        "{code:?} does not name {params:?}"
    );
    let template = match lang {
        Lang::Vi => m.vi,
        Lang::En => m.en,
    };
    fill(template, |name| value(name, params.get(name), lang))
}

/// The English reason problems of `code` are counted under: numbers written `N`, the other
/// values `…` (so that "on row 12" and "on row 13", or two names, count as one reason).
pub fn count_reason(code: ProblemCode, params: &ProblemParams) -> String {
    let Some(m) = message(code) else {
        return code.as_str();
    };
    fill(m.en, |name| match params.get(name) {
        Some(Value::Number(_)) => "N".into(),
        Some(Value::String(s)) if name == "title_level" || name == "unit_level" => s.clone(),
        _ => "…".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: Value) -> ProblemParams {
        match v {
            Value::Object(m) => m,
            _ => ProblemParams::new(),
        }
    }

    /// The names of the parameters a template writes.
    fn named(template: &str) -> Vec<String> {
        let mut names = vec![];
        fill(template, |n| {
            names.push(n.to_string());
            String::new()
        });
        names
    }

    #[test]
    fn catalogue_is_complete() {
        for code in ProblemCode::ALL {
            let found: Vec<&Message> = CATALOGUE.iter().filter(|m| m.code == code).collect();
            assert_eq!(found.len(), 1, "{code:?} has {} messages", found.len());
            let m = found[0];
            assert!(!m.en.trim().is_empty(), "{code:?} has no English message");
            assert!(
                !m.vi.trim().is_empty(),
                "{code:?} has no Vietnamese message"
            );
            assert_ne!(
                m.en, m.vi,
                "{code:?}: the Vietnamese message is the English one"
            );
            assert!(
                !m.vi.is_ascii(),
                "{code:?}: a Vietnamese message without diacritics: {}",
                m.vi
            );
            for (lang, t) in [("en", m.en), ("vi", m.vi)] {
                for n in named(t) {
                    assert!(m.params.contains(&n.as_str()), "{code:?} {lang}: {{{n}}}");
                }
            }
            for p in m.params {
                assert!(named(m.en).iter().any(|n| n == p), "{code:?} en lacks {p}");
            }
            // Rendered with every parameter, nothing is left unfilled.
            let ps = params(Value::Object(
                m.params.iter().map(|p| (p.to_string(), json!(7))).collect(),
            ));
            for lang in [Lang::Vi, Lang::En] {
                let text = render(code, &ps, lang);
                assert!(!text.contains('{') && !text.contains('}'), "{text}");
            }
        }
        assert_eq!(CATALOGUE.len(), ProblemCode::ALL.len());
    }

    #[test]
    fn the_served_catalogue_has_every_code_in_both_languages() {
        for lang in [Lang::Vi, Lang::En] {
            let c = catalogue(lang);
            for code in ProblemCode::ALL {
                let text = c["messages"][code.as_str()].as_str().unwrap_or("");
                assert!(!text.is_empty(), "{code:?} in {lang:?}");
            }
        }
        assert_eq!(catalogue(Lang::Vi)["values"]["unit_level"]["commune"], "xã");
    }

    #[test]
    fn codes_are_snake_case() {
        for code in ProblemCode::ALL {
            let s = code.as_str();
            assert!(
                !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{code:?}: {s}"
            );
        }
    }

    #[test]
    fn messages_name_their_values_in_each_language() {
        let p = params(json!({"row_first": 12}));
        assert_eq!(
            render(ProblemCode::PersonalIdRepeated, &p, Lang::En),
            "the same personal id number is on row 12"
        );
        assert_eq!(
            render(ProblemCode::PersonalIdRepeated, &p, Lang::Vi),
            "Số CCCD/CMND này đã có ở dòng 12"
        );
        assert_eq!(
            count_reason(ProblemCode::PersonalIdRepeated, &p),
            "the same personal id number is on row N"
        );
        let p = params(
            json!({"title": "FF-CHAIR-DISTRICT", "title_level": "district",
            "unit": "26734", "unit_level": "commune"}),
        );
        assert_eq!(
            render(ProblemCode::TitleWrongLevel, &p, Lang::En),
            "title FF-CHAIR-DISTRICT is a district-level title; unit 26734 is at commune level"
        );
        assert_eq!(
            render(ProblemCode::TitleWrongLevel, &p, Lang::Vi),
            "Chức danh FF-CHAIR-DISTRICT là chức danh cấp huyện; đơn vị 26734 thuộc cấp xã"
        );
        assert_eq!(
            count_reason(ProblemCode::TitleWrongLevel, &p),
            "title … is a district-level title; unit … is at commune level"
        );
        let p = params(json!({"on_record": "Nguyễn Thị An"}));
        assert_eq!(
            render(ProblemCode::NameMismatch, &p, Lang::Vi),
            "Họ và tên khác với hồ sơ đã có của số CCCD/CMND này: Nguyễn Thị An"
        );
        assert_eq!(
            count_reason(ProblemCode::NameMismatch, &p),
            "the full name is not the one on record for this personal id number: …"
        );
        let p = params(json!({"date": "1850-01-01", "year_min": 1900, "year_max": 2100}));
        assert_eq!(
            render(ProblemCode::DateOutOfRange, &p, Lang::Vi),
            "Ngày 01/01/1850 không nằm trong khoảng từ 01/01/1900 đến 31/12/2100"
        );
        assert_eq!(
            render(ProblemCode::DateOutOfRange, &p, Lang::En),
            "the date 1850-01-01 is not between 1900-01-01 and 2100-12-31"
        );
        assert_eq!(Lang::parse("vi"), Some(Lang::Vi));
        assert_eq!(Lang::parse("fr"), None);
    }
}
