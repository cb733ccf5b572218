//! The catalogue of the API's errors: every [`Reason`] an error body may carry (`error.reason`),
//! the parameters it names (`error.params`) and its message in English and Vietnamese. A template
//! names a parameter `{name}`. The English message of every error (`error.message`) is rendered
//! from here, so the code and the words never drift; the web UI renders the Vietnamese from the
//! catalogue served at `GET /api/errors/messages?lang=`. Every error is built from a [`Msg`]
//! (a reason and its parameters), so an error without a reason cannot be made.
//!
//! A parameter named `sheet` may come with any reason (an error inside one sheet of a record
//! exchange workbook): the message is then told inside [`IN_SHEET`].

use rocket::{get, routes};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// The language of a message, a gap reason, a notice or an export (Vietnamese by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Vietnamese (the default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// `vi` or `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language a caller named (`vi` or `en`, spaces around ignored); anything else,
    /// blank included, is refused (422 naming `field`).
    pub fn named(field: &str, s: &str) -> Result<Lang, crate::error::AppError> {
        Lang::parse(s.trim()).ok_or_else(|| {
            crate::error::AppError::invalid(
                field,
                crate::msg!(OneOf, field = field, values = "vi, en"),
            )
        })
    }

    /// A `lang` query value: absent → Vietnamese, else as [`Lang::named`].
    pub fn from_query(raw: Option<&str>) -> Result<Lang, crate::error::AppError> {
        raw.map_or(Ok(Lang::Vi), |s| Lang::named("lang", s))
    }

    /// `vi` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

macro_rules! reasons {
    ($( $name:ident [$($p:ident),*] $en:literal $vi:literal ;)*) => {
        /// The stable code of an error (`error.reason`): what went wrong, whatever the language
        /// it is told in. `error.params` carries the values its message names.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum Reason {
            $(
                #[allow(missing_docs)]
                $name,
            )*
        }

        impl Reason {
            /// Every reason.
            pub const ALL: &'static [Reason] = &[$(Reason::$name,)*];

            /// The parameters its message may name.
            pub fn params(self) -> &'static [&'static str] {
                match self { $(Reason::$name => &[$(stringify!($p)),*],)* }
            }

            /// Its message in `lang`.
            pub fn template(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(
                        (Reason::$name, Lang::En) => $en,
                        (Reason::$name, Lang::Vi) => $vi,
                    )*
                }
            }
        }
    };
}

reasons! {
    // Generic rules of a field.
    Required [field] "{field} is required" "Bắt buộc nhập";
    TextLength [field, max] "{field} must be 1 to {max} characters" "Bắt buộc nhập (tối đa {max} ký tự)";
    TooLong [field, max] "{field} must be at most {max} characters" "Tối đa {max} ký tự";
    LongerThan [field, max] "{field} is longer than {max} characters" "Dài hơn {max} ký tự";
    SearchTooLong [max] "the search text is longer than {max} characters" "Nội dung tìm kiếm dài hơn {max} ký tự";
    Between [field, min, max] "{field} must be between {min} and {max}" "Phải từ {min} đến {max}";
    OneOf [field, values] "{field} must be one of: {values}" "Phải là một trong các giá trị: {values}";
    NotNegative [field] "{field} must not be negative" "Không được là số âm";
    NotInFuture [field] "{field} must not be in the future" "Không được là ngày trong tương lai";
    BeforeBirth [field] "{field} is before the cadre's birth" "Trước ngày sinh của cán bộ";
    NulCharacter [field] "{field} must not contain a NUL character" "Không được chứa ký tự NUL";
    InvisibleText [field] "{field} holds only characters that show nothing (zero-width spaces, fillers): write it in visible letters" "Chỉ gồm các ký tự không hiển thị (khoảng trắng độ rộng 0, ký tự lấp chỗ): hãy viết bằng chữ nhìn thấy được";
    UnknownParameter [field, expected] "{field} is not a parameter of this request (it takes: {expected})" "{field} không phải là tham số của yêu cầu này (các tham số: {expected})";
    OneLine [field] "{field} is one line: no tab, line break or other control character" "Chỉ gồm một dòng: không có tab, xuống dòng hay ký tự điều khiển khác";
    ControlCharacter [field] "{field} must not contain a control character (tab and line breaks are allowed)" "Không được chứa ký tự điều khiển (trừ tab và xuống dòng)";
    FieldNameNul [] "field names must not contain a NUL character" "Tên trường không được chứa ký tự NUL";
    DateYears [field, min, max] "{field}: dates must lie between {min}-01-01 and {max}-12-31" "Ngày phải nằm trong khoảng 01/01/{min} đến 31/12/{max}";
    DateNotIso [field] "{field}: a day is written YYYY-MM-DD (2025-07-01)" "Ngày phải viết theo dạng YYYY-MM-DD (2025-07-01)";
    TrueOrFalse [field] "{field}: write true or false" "Ghi true hoặc false";
    NotAValue [field, value] "{field}: \"{value}\" is not a valid value" "\"{value}\" không phải là giá trị hợp lệ";
    SingleValue [field] "{field} must be a single value" "Chỉ được nhập một giá trị";
    GivenTwice [field] "{field} is given more than once" "Được nhập nhiều hơn một lần";
    NotACode [field, value] "{field}: \"{value}\" is not a code (2 to 20 letters, digits or '-', e.g. DV-03)" "\"{value}\" không phải là mã hợp lệ (2 đến 20 chữ cái, chữ số hoặc '-', ví dụ DV-03)";
    NotAUnitCode [field, value] "{field}: \"{value}\" is not a unit code (1 to 10 digits)" "\"{value}\" không phải là mã đơn vị (1 đến 10 chữ số)";
    NotADate [field, value] "{field}: \"{value}\" is not a date (YYYY-MM-DD) or an RFC 3339 time" "\"{value}\" không phải là ngày (YYYY-MM-DD) hoặc thời điểm RFC 3339";
    NotADateTime [field, value] "{field}: \"{value}\" is not a date-time (e.g. 2026-12-01T08:00 or 2026-12-01T08:00:00+07:00)" "\"{value}\" không phải là ngày giờ (ví dụ 2026-12-01T08:00)";
    ListedTwice [item] "{item} is listed twice" "{item} bị chọn hai lần";
    EndBeforeStart [] "the end date is before the start date" "Ngày kết thúc trước ngày bắt đầu";
    UnknownOrgKind [value] "unknown organisation kind \"{value}\"" "Không có loại tổ chức \"{value}\"";
    UnknownOrganisation [value] "unknown organisation \"{value}\"" "Không có tổ chức \"{value}\"";
    UnknownStatus [value] "unknown status \"{value}\"" "Không có tình trạng \"{value}\"";
    UnknownRole [value] "unknown role \"{value}\"" "Không có vai trò \"{value}\"";
    // The request as a whole.
    JsonMalformed [detail] "malformed JSON: {detail}" "Dữ liệu JSON không đọc được: {detail}";
    JsonUnknownField [name, expected] "unknown field `{name}`, expected one of {expected}" "Trường \"{name}\" không được nhận (các trường được nhận: {expected})";
    PathUnreadable [] "the path holds a NUL, a control character or a direction override; no address has one" "Đường dẫn chứa ký tự NUL, ký tự điều khiển hoặc ký tự đảo chiều; không địa chỉ nào có các ký tự này";
    JsonWrongType [field, expected] "{field} must be {expected}" "Trường \"{field}\" phải là {expected}";
    JsonNotADay [field] "{field} is not a day (YYYY-MM-DD)" "Trường \"{field}\" không phải là ngày (YYYY-MM-DD)";
    JsonNotAnObject [] "a JSON object is expected here, not a list" "Ở đây cần một đối tượng JSON, không phải một danh sách";
    JsonMissingField [name] "missing field `{name}`" "Thiếu trường \"{name}\"";
    JsonDuplicateField [name] "the field `{name}` is given more than once" "Trường \"{name}\" được gửi nhiều lần";
    JsonInvalid [detail] "{detail}" "Giá trị không hợp lệ: {detail}";
    JsonTooLarge [limit] "the JSON body is larger than the limit of {limit}" "Dữ liệu gửi lên lớn hơn giới hạn {limit}";
    BodyUnreadable [detail] "the body could not be read: {detail}" "Không đọc được dữ liệu gửi lên: {detail}";
    JsonRequired [] "a JSON body is required" "Cần gửi dữ liệu JSON";
    JsonMediaType [given] "the body must be JSON (Content-Type: application/json), not {given}" "Dữ liệu gửi phải là JSON (Content-Type: application/json), không phải {given}";
    RequestUnreadable [] "the request could not be read" "Không đọc được yêu cầu";
    BadRequestStatus [status] "{status}" "Yêu cầu không hợp lệ ({status})";
    RequestInvalid [] "the request is not valid: check the path and query parameters" "Yêu cầu không hợp lệ: hãy kiểm tra đường dẫn và tham số";
    BodyTooLarge [] "the request body is too large" "Dữ liệu gửi lên quá lớn";
    NoResource [path] "no resource at {path}" "Không có tài nguyên tại {path}";
    MethodNotAllowed [method, allow] "{method} is not allowed here; allowed: {allow}" "Không dùng được phương thức {method} ở đây; được dùng: {allow}";
    TooManyAttempts [retry_after] "too many attempts; try again in {retry_after} s" "Thử sai quá nhiều lần; hãy thử lại sau {retry_after} giây";
    ServiceUnavailable [] "the service is unavailable" "Dịch vụ tạm thời không hoạt động";
    ShuttingDown [] "the service is shutting down" "Dịch vụ đang tắt; hãy thử lại sau";
    InternalError [] "internal error; the details are in the server log" "Lỗi hệ thống; chi tiết có trong nhật ký máy chủ";
    GenericConflict [] "conflict" "Xung đột dữ liệu";
    NotAllowed [] "not allowed" "Không được phép";
    // The database.
    DatabaseUnavailable [] "the database is unavailable; try again shortly" "Cơ sở dữ liệu tạm thời không truy cập được; hãy thử lại sau";
    DatabaseShuttingDown [] "the database is shutting down" "Cơ sở dữ liệu đang tắt; hãy thử lại sau";
    DatabaseBusy [] "the database is busy: nothing was changed; try again shortly" "Cơ sở dữ liệu đang bận: chưa thay đổi gì; hãy thử lại sau";
    DatabaseReadOnlyFile [] "the database file is read-only: nothing was changed; reading still works, writing resumes once an administrator makes the file writable" "Tệp cơ sở dữ liệu chỉ cho đọc: chưa thay đổi gì; vẫn xem được, ghi được lại khi quản trị viên cho phép ghi tệp";
    DatabaseReadOnly [] "the database is read-only: nothing was changed; try again shortly" "Cơ sở dữ liệu chỉ cho đọc: chưa thay đổi gì; hãy thử lại sau";
    DatabaseDiskFull [] "the database disk is full: nothing was changed; reading still works, writing resumes once space is freed" "Ổ đĩa của cơ sở dữ liệu đã đầy: chưa thay đổi gì; vẫn xem được, ghi được lại khi giải phóng dung lượng";
    DatabaseDiskFullPg [] "the database disk is full: nothing was changed; try again once space is freed" "Ổ đĩa của cơ sở dữ liệu đã đầy: chưa thay đổi gì; hãy thử lại khi đã giải phóng dung lượng";
    DatabaseIoError [] "the database could not write to its disk (an I/O error: the file may be read-only or the disk failing): nothing was changed; try again once it is fixed" "Cơ sở dữ liệu không ghi được xuống đĩa (lỗi vào/ra): chưa thay đổi gì; hãy thử lại khi đã khắc phục";
    DatabaseCannotOpen [] "the database file cannot be opened; try again shortly" "Không mở được tệp cơ sở dữ liệu; hãy thử lại sau";
    RecordNotFound [] "record not found" "Không tìm thấy bản ghi";
    DuplicateField [field] "another record already has this {field}" "Đã có bản ghi khác mang giá trị này";
    DuplicateKey [] "a record with the same key already exists" "Đã có bản ghi trùng khóa";
    ReferenceBroken [] "the record refers to something that does not exist, or is still referred to" "Bản ghi tham chiếu tới dữ liệu không tồn tại, hoặc vẫn đang được tham chiếu";
    DatabaseRuleField [field] "{field} breaks a rule of the database" "Giá trị vi phạm quy tắc của cơ sở dữ liệu";
    DatabaseRule [] "a value breaks a rule of the database" "Có giá trị vi phạm quy tắc của cơ sở dữ liệu";
    // Signing in.
    BadCredentials [] "invalid username or password" "Sai tên đăng nhập hoặc mật khẩu";
    AuthenticationRequired [] "authentication required" "Cần đăng nhập";
    BearerRequired [] "authentication required: send Authorization: Bearer <token>" "Cần đăng nhập (gửi Authorization: Bearer <token>)";
    BearerMalformed [] "the Authorization header must be Bearer <token>" "Tiêu đề Authorization phải có dạng Bearer <token>";
    TokenInvalid [] "the token is invalid" "Phiên đăng nhập không hợp lệ; hãy đăng nhập lại";
    TokenExpired [] "the token has expired" "Phiên đăng nhập đã hết hạn; hãy đăng nhập lại";
    TokenSignatureInvalid [] "the token signature is invalid" "Chữ ký của phiên đăng nhập không hợp lệ; hãy đăng nhập lại";
    TokenAlgorithm [] "the token algorithm is not accepted" "Thuật toán của phiên đăng nhập không được chấp nhận; hãy đăng nhập lại";
    AccountGone [] "the account no longer exists" "Tài khoản không còn tồn tại";
    TokenRevoked [] "the token has been revoked; log in again" "Phiên đăng nhập đã bị thu hồi; hãy đăng nhập lại";
    // Accounts.
    UsernameLength [] "username must be 3 to 64 characters" "Tên đăng nhập gồm 3 đến 64 ký tự";
    UsernameCharacters [] "username may hold only letters a-z, digits, '.', '_' and '-'" "Tên đăng nhập chỉ gồm chữ cái a-z, chữ số, '.', '_' và '-'";
    PasswordShortForRole [min] "this account's password was set for a cadre account and is shorter than a staff account's {min} characters: reset it to one of {min} or more first" "Mật khẩu của tài khoản này được đặt cho vai trò cán bộ và ngắn hơn {min} ký tự mà các vai trò khác yêu cầu: hãy đặt lại mật khẩu từ {min} ký tự trở lên trước";
    PasswordLength [min, max] "password must be {min} to {max} characters" "Mật khẩu gồm {min} đến {max} ký tự";
    PasswordBlank [] "password must not be only spaces or hold a NUL character" "Mật khẩu không được chỉ có dấu cách hoặc chứa ký tự NUL";
    PasswordEasy [] "password is too easy to guess (a common word, a sequence, a date or the username); use a longer phrase" "Mật khẩu quá dễ đoán (từ thông dụng, dãy ký tự, ngày tháng hoặc tên đăng nhập); hãy dùng một cụm từ dài hơn";
    HomeUnitNeeded [role] "a {role} account needs a home unit" "Tài khoản vai trò {role} cần có đơn vị";
    UsernameTaken [username] "the username \"{username}\" is taken" "Tên đăng nhập \"{username}\" đã có người dùng";
    NoAccount [id] "no account with id {id}" "Không có tài khoản mã {id}";
    CadreAccountNeedsCadre [] "a cadre account needs its cadre record (cadre_id)" "Tài khoản cán bộ cần gắn với hồ sơ cán bộ (cadre_id)";
    CadreLinkNotForRole [role] "only a cadre account is linked to a cadre record, not a {role} account" "Chỉ tài khoản cán bộ mới gắn với hồ sơ cán bộ, tài khoản vai trò {role} thì không";
    CadreAccountUnit [code] "a cadre account's home unit is its cadre's unit, {code}" "Đơn vị của tài khoản cán bộ là đơn vị của cán bộ đó ({code})";
    CadreHasAccount [id] "cadre {id} already has an active account" "Cán bộ mã {id} đã có tài khoản đang hoạt động";
    LastAdmin [] "this is the last active admin account" "Đây là tài khoản quản trị cuối cùng còn hoạt động";
    PasswordWrong [] "the current password is wrong" "Mật khẩu hiện tại không đúng";
    PasswordUnchanged [] "the new password must differ from the current one" "Mật khẩu mới phải khác mật khẩu hiện tại";
    // Who may do what.
    NotLinkedToCadre [] "your account is not linked to a cadre record" "Tài khoản chưa gắn với hồ sơ cán bộ";
    NoHomeUnit [] "your account has no home unit" "Tài khoản chưa có đơn vị";
    RoleMayNot [role] "the {role} role may not do this" "Vai trò {role} không được làm việc này";
    UnitOutsideSubtree [] "this unit is outside the subtree of your account's unit" "Đơn vị này nằm ngoài phạm vi đơn vị của tài khoản";
    UnitCodeOutsideSubtree [code] "unit {code} is outside the subtree of your account's unit" "Đơn vị {code} nằm ngoài phạm vi đơn vị của tài khoản";
    WholeTreeOutsideSubtree [] "the whole tree is outside the subtree of your account's unit" "Toàn thành phố nằm ngoài phạm vi đơn vị của tài khoản";
    CadreSeesOwnGaps [] "the cadre role sees only its own gaps (GET /api/me)" "Cán bộ chỉ xem được thiếu hụt của chính mình";
    CommissionMayNotEnrol [] "the commission role may not enrol cadres" "Ban Tổ chức không ghi danh cán bộ";
    CommissionMayNotChangeEnrolments [] "the commission role may not change enrolments" "Ban Tổ chức không thay đổi ghi danh";
    CadreMayNotListCompletions [] "the cadre role may not list other cadres' completions" "Cán bộ không xem được quá trình đào tạo của cán bộ khác";
    ExportsForStaff [] "exports are for staff and unit officers" "Chỉ cán bộ nghiệp vụ và cán bộ đơn vị được xuất dữ liệu";
    ImportsForStaff [] "imports are for staff and unit officers" "Chỉ cán bộ nghiệp vụ và cán bộ đơn vị được nhập dữ liệu";
    RoleMayNotImport [kind] "your role may not import {kind}" "Vai trò của bạn không được nhập {kind}";
    RecordImportForAdminSchool [] "importing whole records is for the admin and the school" "Chỉ quản trị viên và nhà trường được nhập toàn bộ hồ sơ";
    // Units.
    NoUnit [code] "no unit with code {code}" "Không có đơn vị mã {code}";
    UnitRetired [code] "unit {code} is retired" "Đơn vị {code} đã giải thể";
    UnitHoldsOtherLevelTitles [code, titles, date] "unit {code} has titles of its level held or planned on or after {date} ({titles}): end them before changing its level" "Đơn vị {code} có chức danh của cấp hiện tại đang giữ hoặc quy hoạch từ ngày {date} ({titles}): hãy kết thúc trước khi đổi cấp đơn vị";
    UnitHasLiveUnits [code, units] "unit {code} still has units in use under it ({units}): retire or move them first" "Đơn vị {code} còn đơn vị trực thuộc đang hoạt động ({units}): hãy giải thể hoặc chuyển các đơn vị đó trước";
    UnitExists [code] "unit {code} already exists" "Đơn vị {code} đã có";
    UnitCodeFixed [] "the code of a unit cannot change; create a new unit and retire this one" "Không đổi được mã đơn vị; hãy tạo đơn vị mới và giải thể đơn vị này";
    UnitOwnParent [] "a unit cannot be its own parent" "Đơn vị không thể là đơn vị cấp trên của chính nó";
    UnitUnderItself [] "the new parent would put the unit under itself" "Đơn vị cấp trên mới nằm bên dưới chính đơn vị này";
    UnitAlreadyMerged [code, date] "unit {code} was already merged on {date}" "Đơn vị {code} đã được sáp nhập ngày {date}";
    UnitSucceedsItself [] "a unit cannot succeed itself" "Đơn vị không thể kế thừa chính nó";
    MovedOnWithoutMove [] "moved_on is the day of a move: give it with a unit_code other than the cadre's current unit" "moved_on là ngày chuyển đơn vị: chỉ gửi kèm unit_code khác đơn vị hiện tại của cán bộ";
    UnitNotYet [code, date] "unit {code} did not exist yet on {date}" "Đơn vị {code} chưa tồn tại vào ngày {date}";
    SuccessorOtherLevel [code, level, unit_level] "unit {code} is at {level} level: a unit is retired into one of its own level ({unit_level})" "Đơn vị {code} thuộc cấp {level}: đơn vị chỉ được sáp nhập vào đơn vị cùng cấp ({unit_level})";
    UnitChangedSince [code, date] "unit {code} was last changed on {date}: a change to it takes effect on that day or later" "Đơn vị {code} được thay đổi lần gần nhất vào ngày {date}: thay đổi tiếp theo phải có hiệu lực từ ngày đó trở đi";
    UnitGone [code, date] "unit {code} no longer existed on {date}" "Đơn vị {code} không còn tồn tại vào ngày {date}";
    UnitMergedInto [code, date, into] "unit {code} no longer existed on {date}: it was merged into {into}" "Đơn vị {code} không còn tồn tại vào ngày {date}: đã sáp nhập vào {into}";
    RootUnitMissing [code] "root unit {code} is in neither the file nor the database" "Đơn vị gốc {code} không có trong tệp lẫn cơ sở dữ liệu";
    // Files.
    FileEmpty [] "the file is empty" "Tệp rỗng";
    FileNeedsHeader [] "the file is empty: it needs a header row" "Tệp rỗng: cần có dòng tiêu đề";
    FileTooLarge [max] "the file is larger than the limit of {max} bytes" "Tệp lớn hơn giới hạn {max} byte";
    UploadUnreadable [detail] "the upload could not be read: {detail}" "Không đọc được tệp tải lên: {detail}";
    FileTooManyCells [max] "the file has more than {max} cells with a value; import it in parts" "Tệp có hơn {max} ô có dữ liệu; hãy chia tệp để nhập từng phần";
    FileTooManyRows [max] "the file has more than {max} rows under its header; import it in parts" "Tệp có hơn {max} dòng dưới dòng tiêu đề; hãy chia tệp để nhập từng phần";
    LineTooLong [line, max] "line {line} is longer than {max} bytes; a line may hold at most {max} bytes" "Dòng {line} dài hơn {max} byte; mỗi dòng tối đa {max} byte";
    LineTooManyColumns [line, max] "line {line} has more than {max} columns; a file may have at most {max} columns" "Dòng {line} có hơn {max} cột; tệp chỉ được có tối đa {max} cột";
    FileNotUtf8 [offset] "the file is not UTF-8 text (invalid byte at offset {offset}); save it as CSV UTF-8 or XLSX" "Tệp không phải văn bản UTF-8 (byte sai ở vị trí {offset}); hãy lưu dưới dạng CSV UTF-8 hoặc XLSX";
    CsvUnreadable [line, detail] "the CSV cannot be read at line {line}: {detail}" "Không đọc được tệp CSV ở dòng {line}: {detail}";
    CsvNotReadable [detail] "the file is not a readable CSV: {detail}" "Tệp không phải CSV đọc được: {detail}";
    XlsxUnreadable [detail] "the XLSX workbook cannot be read: {detail}" "Không đọc được tệp XLSX: {detail}";
    XlsxTooManyEntries [max] "the file cannot be read: its archive (an XLSX workbook or a ZIP of CSV files) has more than {max} entries" "Không đọc được tệp: tệp nén (XLSX hoặc ZIP gồm các tệp CSV) có hơn {max} mục";
    ArchiveNameRepeated [] "the file cannot be read: two of its entries have the same name (only one would be read)" "Không đọc được tệp: có hai mục cùng tên trong tệp nén (chỉ một mục được đọc)";
    XlsxNoWorkbook [] "the XLSX workbook cannot be read: it has no workbook part" "Không đọc được tệp XLSX: thiếu phần workbook";
    XlsxNoWorksheet [] "the XLSX workbook cannot be read: the workbook has no worksheet" "Không đọc được tệp XLSX: không có trang tính nào";
    XlsxWorksheetMissing [] "the XLSX workbook cannot be read: a worksheet is not in the archive" "Không đọc được tệp XLSX: thiếu một trang tính trong tệp nén";
    XlsxTooBig [max] "the file's archive (an XLSX workbook or a ZIP of CSV files) unpacks to more than {max} bytes (the limit of what its parts may hold together); save it again, or in parts" "Tệp nén (XLSX hoặc ZIP gồm các tệp CSV) khi giải nén lớn hơn {max} byte; hãy lưu lại tệp hoặc chia thành nhiều phần";
    XlsxTooManyStrings [max] "the workbook has more than {max} shared strings (the limit of cells with a value); import it in parts" "Tệp có hơn {max} chuỗi (giới hạn số ô có dữ liệu); hãy chia tệp để nhập từng phần";
    CellOutsideColumns [cell, max, last] "cell {cell} lies outside the columns an import reads: at most {max} columns (A to {last})" "Ô {cell} nằm ngoài vùng được đọc: tối đa {max} cột (A đến {last})";
    CellBelowRows [cell, max] "cell {cell} lies below the rows an import reads: the file has more than {max} rows under its header; import it in parts" "Ô {cell} nằm quá số dòng được đọc: tệp có hơn {max} dòng dưới dòng tiêu đề; hãy chia tệp để nhập từng phần";
    HeaderColumns [columns, missing] "the header must name the columns {columns}; \"{missing}\" is missing" "Dòng tiêu đề phải có các cột {columns}; thiếu cột \"{missing}\"";
    HeaderMismatch [] "the header row does not match the template" "Dòng tiêu đề không khớp với tệp mẫu";
    NoUnitRows [] "the file holds no unit rows" "Tệp không có dòng đơn vị nào";
    FileHasProblems [] "the file has problems" "Tệp có lỗi";
    ProblemsFound [count] "{count} problems found; nothing was written. Correct the rows and import the file again." "Có {count} lỗi; chưa ghi dữ liệu nào. Hãy sửa các dòng rồi nhập lại tệp.";
    ProblemFound [] "1 problem found; nothing was written. Correct the rows and import the file again." "Có 1 lỗi; chưa ghi dữ liệu nào. Hãy sửa dòng đó rồi nhập lại tệp.";
    FileProblemsFirst [count, line, first] "{count} problem(s) in the file; the first, on line {line}: {first}" "Có {count} lỗi trong tệp, chưa ghi gì; lỗi đầu tiên ở dòng {line} (xem danh sách lỗi)";
    NoImportKind [kind] "no import kind \"{kind}\"; the kinds are cadres, qualifications, completions" "Không có loại nhập \"{kind}\"; các loại là cadres, qualifications, completions";
    RecordFileKind [] "a record is an XLSX workbook or a ZIP of CSV files, as the record export gives them" "Hồ sơ phải là tệp XLSX hoặc tệp ZIP gồm các tệp CSV, như khi xuất hồ sơ";
    RecordSheetsWrong [] "the file's sheets are not those of a record" "Các trang tính của tệp không phải là các phần của hồ sơ";
    // Cadres.
    NoCadre [id] "no cadre with id {id}" "Không có cán bộ mã {id}";
    PersonalIdInvalid [] "personal_id must be 9 or 12 digits" "Số CCCD/CMND gồm 9 hoặc 12 chữ số";
    FullNameLength [] "full_name must be 2 to 120 characters" "Họ tên gồm 2 đến 120 ký tự";
    FullNameCharacters [] "full_name may hold only letters, spaces, ' and -, each word beginning and ending with a letter" "Họ tên chỉ gồm chữ cái, dấu cách, ' và -; mỗi từ bắt đầu và kết thúc bằng chữ cái";
    TextCharacters [field] "{field} may hold only letters, spaces, ' and -, and begins with a letter" "Chỉ gồm chữ cái, dấu cách, ' và -, bắt đầu bằng chữ cái";
    BirthDateRange [] "birth_date must be on or after 1900-01-01 and at least 15 years ago" "Ngày sinh phải từ ngày 01/01/1900 trở đi và cách đây ít nhất 15 năm";
    PartyDateRange [] "party_joined_on must be after the birth date and not in the future" "Ngày vào Đảng phải sau ngày sinh và không ở tương lai";
    PhoneInvalid [] "phone must be a telephone number of 8 to 15 digits" "Số điện thoại gồm 8 đến 15 chữ số";
    NoNotice [id] "no notice {id} of yours" "Không có thông báo {id} của bạn";
    EmailInvalid [] "email is not an e-mail address" "Địa chỉ thư điện tử không hợp lệ";
    PersonalIdTaken [] "another cadre has this personal id number" "Đã có cán bộ khác mang số CCCD/CMND này";
    CadreInactive [] "the cadre record is not active" "Hồ sơ cán bộ không còn hoạt động";
    CadreHoldsTitles [titles] "the cadre holds or is planned for titles beyond today ({titles}): end those periods first" "Cán bộ còn giữ hoặc được quy hoạch chức danh sau hôm nay ({titles}): hãy kết thúc các giai đoạn đó trước";
    NoRequirementKey [requirement, date] "no title's standard in force on {date} has the requirement {requirement} (write it as the report names it: module:DV-03, min_level:political_theory, max_age, min_party_years)" "Không tiêu chuẩn chức danh nào áp dụng ngày {date} có yêu cầu {requirement} (ghi như báo cáo: module:DV-03, min_level:political_theory, max_age, min_party_years)";
    NoReportRow [row, unit] "{row} is not a row of the report on {unit} (grouped this way, on that day)" "{row} không phải là một dòng của báo cáo về {unit} (theo cách nhóm này, vào ngày đó)";
    CadreHoldsSeats [classes] "the cadre holds a seat or a waitlist place in classes not over ({classes}): withdraw from them first" "Cán bộ còn chỗ học hoặc chỗ chờ trong lớp chưa kết thúc ({classes}): hãy rút khỏi các lớp đó trước";
    CadreHoldsTitlesElsewhere [titles, date] "from {date} on, the cadre would hold titles in units that are neither the new unit, above it nor within it ({titles}): end them by the day before the move first" "Từ ngày {date}, cán bộ sẽ còn giữ chức danh ở đơn vị không phải đơn vị mới, đơn vị cấp trên hay cấp dưới của đơn vị mới ({titles}): hãy kết thúc các chức danh đó chậm nhất vào ngày trước ngày chuyển";
    RecordTitlesSameOrganisation [people] "the record would have cadres hold two titles of one organisation in one unit at the same time (personal ids {people}): end one before the other begins" "Hồ sơ nhập vào sẽ để cán bộ giữ cùng lúc hai chức danh của một tổ chức ở một đơn vị (số CCCD/CMND {people}): hãy kết thúc chức danh này trước khi chức danh kia bắt đầu";
    RecordTitlesElsewhere [people] "the record would have cadres hold titles in units that are neither their unit on those days, above it nor within it (personal ids {people}): end a title by the day before the move away from it, or record it in the cadre's unit" "Hồ sơ nhập vào sẽ để cán bộ giữ chức danh ở đơn vị không phải đơn vị của họ vào những ngày đó, đơn vị cấp trên hay cấp dưới của đơn vị đó (số CCCD/CMND {people}): hãy kết thúc chức danh chậm nhất vào ngày trước ngày chuyển đi, hoặc ghi chức danh ở đơn vị của cán bộ";
    RecordInactiveHoldsTitles [people] "the record would leave inactive cadres holding or planned for titles beyond today (personal ids {people}): end those periods in the file, or keep the cadres active" "Hồ sơ nhập vào sẽ để cán bộ không còn công tác vẫn giữ hoặc được quy hoạch chức danh sau hôm nay (số CCCD/CMND {people}): hãy kết thúc các giai đoạn đó trong tệp, hoặc giữ cán bộ ở trạng thái đang công tác";
    InactiveTakesNoTitle [] "the cadre record is not active: no title period may last beyond today" "Hồ sơ cán bộ không còn hoạt động: không giai đoạn chức danh nào được kéo dài sau hôm nay";
    NoPeriod [id] "no such period {id}" "Không có giai đoạn mã {id}";
    NoPeriodOfCadre [id, cadre] "no such period {id} for cadre {cadre}" "Cán bộ mã {cadre} không có giai đoạn mã {id}";
    TitleWrongLevel [title, title_level, unit, unit_level] "title {title} is a {title_level}-level title; unit {unit} is at {unit_level} level" "Chức danh {title} thuộc cấp {title_level}; đơn vị {unit} thuộc cấp {unit_level}";
    MoveBeforeCurrentUnit [] "the move would be dated before the cadre's current unit period began" "Ngày điều động trước ngày bắt đầu công tác ở đơn vị hiện tại";
    TitleOffLine [title, unit, home, date] "on {date} the cadre was in unit {home}, and {title} in {unit} lies neither in it, above it nor within it: a title is held in the cadre's own unit, one above it or one within it (record the move first)" "Ngày {date}, cán bộ ở đơn vị {home}; chức danh {title} ở đơn vị {unit} không thuộc đơn vị đó, đơn vị cấp trên hay cấp dưới của đơn vị đó: chức danh chỉ giữ ở đơn vị của cán bộ, đơn vị cấp trên hoặc cấp dưới (hãy ghi nhận việc chuyển đơn vị trước)";
    TitleSameOrganisation [title, other, unit, date] "from {date} the cadre would hold {title} beside {other} in unit {unit}: one cadre holds one title of an organisation in a unit at a time (end the other first)" "Từ ngày {date}, cán bộ sẽ giữ chức danh {title} cùng lúc với {other} ở đơn vị {unit}: mỗi cán bộ chỉ giữ một chức danh của một tổ chức ở một đơn vị tại một thời điểm (hãy kết thúc chức danh kia trước)";
    TitleOverlap [] "overlaps another period of the same title on record for this cadre" "Trùng với một thời gian khác của cùng chức danh trong hồ sơ cán bộ";
    NoActiveTitle [code] "no active title with code \"{code}\"" "Không có chức danh đang dùng mã \"{code}\"";
    NoScale [scale] "no qualification scale \"{scale}\"" "Không có loại trình độ \"{scale}\"";
    NoLevel [scale, level] "no level \"{level}\" on scale \"{scale}\"" "Thang \"{scale}\" không có trình độ \"{level}\"";
    // Curriculum and standards.
    ModuleRequiredByStandards [titles] "the standards in force or to come of titles {titles} require this module: publish versions without it before retiring it" "Tiêu chuẩn đang áp dụng hoặc sắp áp dụng của các chức danh {titles} yêu cầu chuyên đề này: hãy ban hành phiên bản không yêu cầu chuyên đề trước khi ngừng dùng";
    ModuleRetired [code] "module {code} is retired: no class can be scheduled for it, so a standard in force from now on may not require it" "Chuyên đề {code} đã ngừng dùng: không thể mở lớp, nên tiêu chuẩn áp dụng từ nay không được yêu cầu chuyên đề này";
    NoModule [code] "no module with code {code}" "Không có chuyên đề mã {code}";
    NoActiveModule [code] "no active module with code {code}" "Không có chuyên đề đang dùng mã {code}";
    ModuleExists [code] "module {code} already exists" "Chuyên đề {code} đã có";
    ModuleCodeFixed [] "the code of a module cannot change" "Không đổi được mã chuyên đề";
    ModuleOwnPrerequisite [] "a module cannot be its own prerequisite" "Chuyên đề không thể là điều kiện tiên quyết của chính nó";
    PrerequisiteCycle [via, module] "{via} already requires {module}: prerequisites cannot form a cycle" "{via} đã yêu cầu {module}: điều kiện tiên quyết không được tạo vòng";
    ProgrammeNeedsModule [] "a programme needs at least one module" "Chương trình cần ít nhất một chuyên đề";
    NoProgramme [code] "no programme with code {code}" "Không có chương trình mã {code}";
    NoTitle [code] "no title with code {code}" "Không có chức danh mã {code}";
    TitleExists [code] "title {code} already exists" "Chức danh {code} đã có";
    NoStandardInForce [code, date] "no standard of {code} is in force on {date}" "Chức danh {code} không có tiêu chuẩn có hiệu lực vào ngày {date}";
    StandardNeedsRequirement [] "a standard needs at least one requirement" "Tiêu chuẩn cần ít nhất một yêu cầu";
    TooManyRequirements [max] "at most {max} requirements" "Tối đa {max} yêu cầu";
    RequirementRepeated [key, position] "requirement {key} repeats the requirement at position {position} (counted from 1)" "Yêu cầu {key} trùng với yêu cầu thứ {position}";
    VersionInForce [code, date] "{code} already has a version in force from {date}" "{code} đã có phiên bản có hiệu lực từ ngày {date}";
    RetroactiveVersion [date, today] "a version in force from {date}, before today ({today}), changes the reports already made for the days since: confirm it as retroactive (retroactive: true)" "Phiên bản có hiệu lực từ ngày {date}, trước hôm nay ({today}), làm thay đổi các báo cáo đã lập cho những ngày từ đó: cần xác nhận áp dụng hồi tố (retroactive: true)";
    // Classes.
    NoClass [code] "no class with code {code}" "Không có lớp mã {code}";
    NoPublishedClass [code] "no published class with code {code}" "Không có lớp đã công bố mã {code}";
    NoCalendarFeed [] "no such calendar feed" "Không có lịch này";
    ClassExists [code] "class {code} already exists" "Lớp {code} đã có";
    ClassCannotGo [code, from, to] "class {code} cannot go from {from} to {to}" "Lớp {code} không thể chuyển từ \"{from}\" sang \"{to}\"";
    ClassFrozen [code, status] "class {code} is {status} and cannot change" "Lớp {code} đang ở tình trạng \"{status}\", không thể thay đổi";
    ClassStatusNeeds [code, status, allowed] "class {code} is {status}; this needs it to be {allowed}" "Lớp {code} đang ở tình trạng \"{status}\"; việc này cần tình trạng: {allowed}";
    ClassNeedsSession [] "a class needs at least one session" "Lớp cần ít nhất một buổi học";
    TooManySessions [max] "at most {max} sessions" "Tối đa {max} buổi học";
    SessionEndsFirst [] "a session must end after it starts" "Buổi học phải kết thúc sau khi bắt đầu";
    SessionTooLong [] "a session may last at most 24 hours" "Một buổi học dài tối đa 24 giờ";
    EnrolWindow [] "enrol_closes must not be before enrol_opens" "Ngày đóng ghi danh không được trước ngày mở";
    EnrolOpensAfterCloses [closes] "enrol_opens must not be after the last day of enrolment ({closes})" "Ngày mở ghi danh không được sau ngày đóng ({closes})";
    SessionOverlap [session, date, start, end] "overlaps session {session} of the same class ({date}, {start}–{end})" "Trùng giờ với buổi {session} của chính lớp này ({date}, {start}–{end})";
    VenueBooked [class, title, date, start, end] "the venue is already booked by class {class} \"{title}\" on {date}, {start}–{end}" "Địa điểm đã được lớp {class} \"{title}\" sử dụng vào ngày {date}, {start}–{end}";
    InstructorBooked [class, title, date, start, end] "the instructor is already booked by class {class} \"{title}\" on {date}, {start}–{end}" "Giảng viên đã dạy lớp {class} \"{title}\" vào ngày {date}, {start}–{end}";
    ClassNotOver [class, date, time] "class {class} is not over: its last session ends on {date} at {time}; it can be finished after that" "Lớp {class} chưa học xong: buổi học cuối kết thúc lúc {time} ngày {date}; chỉ kết thúc lớp được sau thời điểm đó";
    FinishedBeforeLastSession [date] "finished_on must be on or after {date}, the day of the class's last session" "Ngày kết thúc phải từ ngày {date} (ngày của buổi học cuối) trở về sau";
    SessionNotStarted [date, time] "the session of {date} at {time} has not started; attendance is taken from its start" "Buổi học lúc {time} ngày {date} chưa bắt đầu; chỉ điểm danh được từ khi buổi học bắt đầu";
    TitleBeforeAdulthood [date] "from_date must be on or after {date}, the cadre's eighteenth birthday: titles are held and planned from the age of 18" "Ngày bắt đầu phải từ ngày {date} (ngày cán bộ đủ 18 tuổi) trở đi: chức danh chỉ đảm nhiệm, quy hoạch từ 18 tuổi";
    BirthAfterRecords [date] "the cadre has a completion or qualification dated {date}, before this birth date" "Cán bộ có kết quả đào tạo hoặc trình độ ghi ngày {date}, trước ngày sinh này";
    BirthAfterTitles [date] "the cadre holds or is planned for a title from {date}; with this birth date they would not have been 18 then" "Cán bộ đảm nhiệm hoặc được quy hoạch chức danh từ ngày {date}; với ngày sinh này khi đó cán bộ chưa đủ 18 tuổi";
    QualificationOnRecord [scale, level, date] "a qualification {scale} {level} obtained on {date} is already on record for this cadre" "Cán bộ đã có trình độ {scale} {level} cấp ngày {date}";
    CompletionOnRecord [module, date] "a completion of {module} on {date} is already on record for this cadre" "Cán bộ đã có kết quả hoàn thành học phần {module} ngày {date}";
    ResultsBeforeStart [date, time] "the class begins on {date} at {time}; results are recorded once it has begun" "Lớp bắt đầu lúc {time} ngày {date}; chỉ ghi kết quả sau khi lớp đã bắt đầu";
    AttendanceTakenAt [date, time] "attendance has been taken at the session of {date} at {time}; it stays in the schedule as it is" "Buổi học lúc {time} ngày {date} đã điểm danh; buổi này phải giữ nguyên trong lịch";
    SessionMovedIntoPast [] "the class is running: a session added or moved cannot start before now" "Lớp đang học: buổi học thêm hoặc dời không được bắt đầu trước thời điểm hiện tại";
    CadreClashSchedule [cadre, class, title, date, start, end] "{cadre} is also in class {class} \"{title}\" whose session on {date}, {start}–{end} overlaps the new schedule" "{cadre} đang học lớp {class} \"{title}\", có buổi ngày {date}, {start}–{end} trùng lịch mới";
    // Enrolments.
    CadreIdRequired [] "cadre_id is required" "Cần chọn cán bộ";
    ClassNotOpen [code, status] "class {code} is {status}, not open for enrolment" "Lớp {code} không nhận ghi danh (tình trạng: {status})";
    ClassBegun [code, date, time] "class {code} began on {date} at {time}; once a class has begun only the training school adds a participant" "Lớp {code} đã bắt đầu lúc {time} ngày {date}; lớp đã bắt đầu thì chỉ nhà trường ghi danh bổ sung";
    EnrolmentWindow [code, opens, closes] "enrolment for class {code} is open from {opens} to {closes}" "Lớp {code} nhận ghi danh từ {opens} đến {closes}";
    PrerequisiteMissing [code] "prerequisite {code} is missing or stale: the cadre needs a valid completion of {code} first" "Chưa học (hoặc đã hết hiệu lực) chuyên đề tiên quyết {code}";
    SeatsTaken [taken, capacity] "{taken} cadres already hold seats; withdraw some before lowering the capacity to {capacity}" "Đã có {taken} cán bộ giữ chỗ; hãy rút bớt trước khi giảm sĩ số xuống {capacity}";
    EnrolmentAlready [status] "the enrolment is already {status}" "Ghi danh đã ở tình trạng \"{status}\"";
    ClassIs [code, status] "class {code} is {status}" "Lớp {code} đang ở tình trạng \"{status}\"";
    NoCadreToEnrol [id] "no cadre with id {id} that you may enrol" "Không có cán bộ mã {id} mà bạn được ghi danh";
    CadreInClass [class, title, date, start, end] "the cadre is in class {class} \"{title}\" whose session on {date}, {start}–{end} overlaps this class" "Cán bộ đang học lớp {class} \"{title}\", có buổi ngày {date}, {start}–{end} trùng giờ với lớp này";
    ClassHasEnrolments [class, count] "class {class} has {count} cadres enrolled or waitlisted: cancel it, or withdraw them first, rather than take it back to planned" "Lớp {class} có {count} cán bộ đã ghi danh hoặc đang chờ: hãy hủy lớp, hoặc rút họ khỏi lớp trước, thay vì đưa lớp về trạng thái dự kiến";
    AlreadyEnrolled [class] "the cadre is already enrolled in class {class}" "Cán bộ đã ghi danh vào lớp {class}";
    AlreadyWaitlisted [class] "the cadre is already waitlisted in class {class}" "Cán bộ đã ở danh sách chờ của lớp {class}";
    NoEnrolment [id, class] "no enrolment {id} in class {class}" "Lớp {class} không có ghi danh mã {id}";
    // Completions and certificates.
    NotEnrolledInClass [id, class] "{id} is not an enrolled cadre of class {class}" "{id} không phải là học viên đã ghi danh của lớp {class}";
    EnrolmentListedTwice [id] "enrolment {id} is listed twice" "Ghi danh {id} bị liệt kê hai lần";
    RevokedOnRange [] "revoked_on must be between the completion date and today" "Ngày thu hồi phải từ ngày hoàn thành đến hôm nay";
    CompletedOnRange [] "completed_on must be between the cadre's birth and today" "Ngày hoàn thành phải từ ngày sinh của cán bộ đến hôm nay";
    ScoreInvalid [] "score must be between 0 and 10 with at most one decimal" "Điểm từ 0 đến 10, tối đa một chữ số thập phân";
    NoSession [session, class] "no session {session} in class {class}" "Lớp {class} không có buổi học mã {session}";
    NoCertificate [number] "no certificate {number}" "Không có giấy chứng nhận số {number}";
    CancelledClassNoSheet [class] "class {class} was cancelled: its sessions are not held, so there is no sign-in sheet" "Lớp {class} đã hủy: các buổi học không diễn ra nên không có danh sách ký tên";
    NoCertificatesInClass [class] "class {class} has no certificate you may see" "Lớp {class} không có giấy chứng nhận nào bạn được xem";
    CertificateRevoked [number] "certificate {number} is already revoked" "Giấy chứng nhận {number} đã bị thu hồi";
    CertificateCodeShape [len, alphabet] "code must be {len} letters of {alphabet}" "Mã xác thực gồm {len} ký tự trong {alphabet}";
    CertificateCodeWrong [] "the code does not match this certificate" "Mã xác thực không đúng với giấy chứng nhận này";
    // A class's cancellation; a qualification's edit, revocation and reinstatement.
    WithdrawReasonNeeded [max] "ending an enrolment needs its reason (1 to {max} characters)" "Rút tên cần có lý do (1 đến {max} ký tự)";
    CancelReasonNeeded [max] "cancelling a class needs its reason (1 to {max} characters)" "Hủy lớp cần có lý do (1 đến {max} ký tự)";
    ReasonOnlyWithCancel [] "a reason goes only with cancelling a class" "Lý do chỉ đi kèm việc hủy lớp";
    FinishedOnOnlyWithFinish [] "finished_on goes only with finishing a class" "Ngày kết thúc chỉ đi kèm việc kết thúc lớp";
    NoQualification [id, cadre] "no qualification {id} for cadre {cadre}" "Cán bộ {cadre} không có trình độ mã {id}";
    QualificationReasonNeeded [] "a revocation or a reinstatement needs its reason" "Thu hồi hoặc khôi phục trình độ cần có lý do";
    ReasonOnlyWithRevocation [] "a reason goes with a revocation day (revoked_on)" "Lý do chỉ đi kèm ngày thu hồi";
    QualificationFromClass [] "a qualification a class completion awarded changes with its certificate" "Trình độ do hoàn thành lớp học cấp chỉ thay đổi theo giấy chứng nhận";
    QualificationRevokedRange [] "revoked_on must be from the day obtained to today" "Ngày thu hồi phải từ ngày cấp đến hôm nay";
}

/// The message of an error inside one sheet of a workbook (a parameter `sheet`), around the
/// message of its reason (`{message}`).
pub const IN_SHEET: [&str; 2] = [
    "sheet \"{sheet}\": {message}",
    "Trang tính \"{sheet}\": {message}",
];

impl Reason {
    /// The reason as written in JSON (`no_unit`).
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// The values a reason names, by name.
pub type Params = serde_json::Map<String, Value>;

/// What an error says: its reason and the values its message names. Built with [`crate::msg!`].
#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    /// The reason.
    pub reason: Reason,
    /// Its parameters.
    pub params: Params,
}

impl Msg {
    /// A reason without parameters (add them with [`Msg::with`]).
    pub fn new(reason: Reason) -> Msg {
        Msg {
            reason,
            params: Params::new(),
        }
    }

    /// Adds the parameter `name` (one the reason declares, or `sheet`).
    pub fn with(mut self, name: &str, value: impl Serialize) -> Msg {
        debug_assert!(
            name == "sheet" || self.reason.params().contains(&name),
            "{:?} does not name {name}",
            self.reason
        );
        let mut value = serde_json::to_value(value).unwrap_or(Value::Null);
        if ECHOED.contains(&name) {
            // The caller's own input, named back: its first characters are enough to find it.
            // A NUL, a control character or a direction override in it is shown as `�`.
            if let Value::String(s) = &mut value {
                if s.chars().any(crate::api::text::is_refused_control) {
                    *s = s
                        .chars()
                        .map(|c| {
                            if crate::api::text::is_refused_control(c) {
                                '\u{fffd}'
                            } else {
                                c
                            }
                        })
                        .collect();
                }
                if let Some((cut, _)) = s.char_indices().nth(ECHO_CHARS) {
                    s.truncate(cut);
                    s.push('…');
                }
            }
        }
        self.params.insert(name.to_string(), value);
        self
    }

    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let text = fill(self.reason.template(lang), |name| {
            value(name, self.params.get(name), lang)
        });
        match self.params.get("sheet") {
            Some(sheet) => {
                let frame = IN_SHEET[if lang == Lang::En { 0 } else { 1 }];
                fill(frame, |name| match name {
                    "message" => text.clone(),
                    _ => value(name, Some(sheet), lang),
                })
            }
            None => text,
        }
    }
}

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// A [`Msg`]: `msg!(NoUnit, code = c)` is the reason `NoUnit` with its parameter `code`.
#[macro_export]
macro_rules! msg {
    ($reason:ident $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::reasons::Msg::new($crate::reasons::Reason::$reason)
            $(.with(stringify!($name), &$value))*
    };
}

/// How much of a refused value (the parameters in [`ECHOED`]) an error names back; the rest is
/// cut and marked with an ellipsis.
const ECHO_CHARS: usize = 60;

/// The parameters that name back what the caller sent (a value, a code or an id looked up and
/// not found: in a path, a class, a session, a certificate's number; a path no route has; a
/// report's row or requirement).
const ECHOED: [&str; 9] = [
    "value",
    "code",
    "id",
    "number",
    "session",
    "class",
    "path",
    "row",
    "requirement",
];

/// Statuses, roles and levels a parameter may hold, in Vietnamese (English keeps the code).
const WORDS_VI: &[(&str, &str)] = &[
    ("planned", "dự kiến"),
    ("open", "đang nhận ghi danh"),
    ("running", "đang học"),
    ("finished", "đã kết thúc"),
    ("cancelled", "đã hủy"),
    ("enrolled", "đã ghi danh"),
    ("waitlisted", "danh sách chờ"),
    ("withdrawn", "đã rút"),
    ("removed", "đã bị loại"),
    ("admin", "Quản trị"),
    ("school", "Trường Cán bộ"),
    ("officer", "Cán bộ đơn vị"),
    ("commission", "Ban Tổ chức"),
    ("cadre", "Cán bộ"),
    ("city", "thành phố"),
    ("district", "huyện"),
    ("commune", "xã"),
    ("cadres", "hồ sơ cán bộ"),
    ("qualifications", "trình độ"),
    ("completions", "quá trình đào tạo"),
    ("a whole number", "một số nguyên"),
    ("a number", "một số"),
    ("text", "văn bản"),
    ("true or false", "true hoặc false"),
    ("a list", "một danh sách"),
    ("an object", "một đối tượng JSON"),
];

/// The parameters whose values are words of [`WORDS_VI`].
const WORD_PARAMS: &[&str] = &[
    "status",
    "from",
    "to",
    "role",
    "title_level",
    "unit_level",
    "kind",
    "expected",
];

/// A parameter's value as a message writes it: words of the system in the message's language,
/// ISO days as DD/MM/YYYY in Vietnamese.
fn value(key: &str, v: Option<&Value>, lang: Lang) -> String {
    let text = match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    if lang == Lang::En {
        return text;
    }
    if WORD_PARAMS.contains(&key) {
        if let Some((_, vi)) = WORDS_VI.iter().find(|(en, _)| *en == text) {
            return (*vi).to_string();
        }
    }
    match chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        Ok(d) => d.format("%d/%m/%Y").to_string(),
        Err(_) => text,
    }
}

/// Writes `template` with each `{name}` (lowercase letters and `_`) replaced by `fill(name)`;
/// any other brace is written as it is.
pub fn fill(template: &str, mut fill: impl FnMut(&str) -> String) -> String {
    fill_into(template, |name, out| out.push_str(&fill(name)))
}

/// As [`fill`], with `write(name, out)` appending each value to the text itself (no value
/// copied on its way in).
pub fn fill_into(template: &str, mut write: impl FnMut(&str, &mut String)) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_name(&after[..close]) => {
                write(&after[..close], &mut out);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// The names a template uses.
#[cfg(test)]
fn named(template: &str) -> Vec<String> {
    let mut names = vec![];
    fill(template, |n| {
        names.push(n.to_string());
        String::new()
    });
    names
}

/// The catalogue in `lang`, for a client that renders errors itself (the web UI): every reason's
/// template (`{name}` for a parameter), the frame of a message inside a sheet (`in_sheet`), and
/// the words a parameter may hold in that language (`values.status.open` = `đang nhận ghi
/// danh`). A parameter holding an ISO day is written DD/MM/YYYY in Vietnamese.
pub fn catalogue(lang: Lang) -> Value {
    let messages: serde_json::Map<String, Value> = Reason::ALL
        .iter()
        .map(|r| (r.as_str(), Value::String(r.template(lang).into())))
        .collect();
    let words: serde_json::Map<String, Value> = WORDS_VI
        .iter()
        .map(|(en, vi)| {
            let w = if lang == Lang::En { *en } else { *vi };
            ((*en).to_string(), Value::String(w.into()))
        })
        .collect();
    let values: serde_json::Map<String, Value> = WORD_PARAMS
        .iter()
        .map(|p| ((*p).to_string(), Value::Object(words.clone())))
        .collect();
    serde_json::json!({
        "lang": if lang == Lang::Vi { "vi" } else { "en" },
        "messages": messages,
        "in_sheet": IN_SHEET[if lang == Lang::En { 0 } else { 1 }],
        "values": values,
    })
}

/// The routes of the catalogue.
pub fn routes() -> Vec<rocket::Route> {
    routes![error_messages]
}

/// The catalogue in one language, cacheable for a day (it changes only with the service).
pub struct Catalogue(Value);

impl<'r> rocket::response::Responder<'r, 'static> for Catalogue {
    fn respond_to(self, req: &'r rocket::Request<'_>) -> rocket::response::Result<'static> {
        rocket::Response::build_from(rocket::serde::json::Json(self.0).respond_to(req)?)
            .raw_header("Cache-Control", "public, max-age=86400")
            .ok()
    }
}

/// The catalogue of the API's errors in one language (`vi`, the default, or `en`): every
/// reason's template (`{name}` for a parameter), the frame of a message inside a workbook's sheet
/// and the words a parameter may hold, so a client renders an error (`reason` and `params`) in
/// its user's language. Public and cacheable.
#[utoipa::path(tag = "health",
    params(("lang" = Option<String>, Query, description = "vi (default) or en")),
    responses((status = 200, description = "The catalogue: {lang, messages: {reason: template}, in_sheet, values}"),
              (status = 422, body = crate::error::ErrorEnvelope)))]
#[get("/api/errors/messages?<lang>")]
pub fn error_messages(
    _single: crate::api::query::SingleQuery,
    lang: Option<&str>,
) -> Result<Catalogue, crate::error::AppError> {
    Ok(Catalogue(catalogue(Lang::from_query(lang)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_both_languages_and_names_only_its_params() {
        for r in Reason::ALL {
            for lang in [Lang::En, Lang::Vi] {
                let t = r.template(lang);
                assert!(!t.trim().is_empty(), "{r:?} has no {lang:?} message");
                for n in named(t) {
                    assert!(
                        r.params().contains(&n.as_str()),
                        "{r:?}'s {lang:?} message names {n}, which it does not declare"
                    );
                }
            }
            // English names every parameter (the API's message carries all of them).
            for p in r.params() {
                assert!(
                    named(r.template(Lang::En)).iter().any(|n| n == p),
                    "{r:?} declares {p} but its English message does not name it"
                );
            }
            let served = catalogue(Lang::Vi);
            assert_eq!(served["messages"][r.as_str()], r.template(Lang::Vi));
            assert_eq!(
                catalogue(Lang::En)["messages"][r.as_str()],
                r.template(Lang::En)
            );
        }
    }

    #[test]
    fn reasons_are_snake_case_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for r in Reason::ALL {
            let s = r.as_str();
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{s}"
            );
            assert!(seen.insert(s.clone()), "{s} twice");
        }
    }

    #[test]
    fn messages_render_params_in_each_language() {
        let m = crate::msg!(ClassNotOpen, code = "CLS-1", status = "finished");
        assert_eq!(
            m.to_string(),
            "class CLS-1 is finished, not open for enrolment"
        );
        assert_eq!(
            m.render(Lang::Vi),
            "Lớp CLS-1 không nhận ghi danh (tình trạng: đã kết thúc)"
        );
        let m = crate::msg!(UnitNotYet, code = "760", date = "2025-07-01").with("sheet", "units");
        assert_eq!(
            m.to_string(),
            "sheet \"units\": unit 760 did not exist yet on 2025-07-01"
        );
        assert_eq!(
            m.render(Lang::Vi),
            "Trang tính \"units\": Đơn vị 760 chưa tồn tại vào ngày 01/07/2025"
        );
        assert_eq!(
            crate::msg!(TooManyAttempts, retry_after = 30).to_string(),
            "too many attempts; try again in 30 s"
        );
    }
}
