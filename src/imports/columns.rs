//! The columns of each import kind: a key, the Vietnamese header the templates carry and the
//! English header also accepted, and whether a value is required.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::messages::{render, Lang};
use crate::error::{AppError, ErrorDetail, ProblemCode, ProblemParams};
use crate::shared::text::fold;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Cadre records, with the title held and the title planned.
    Cadres,
    /// Qualifications held (political theory, state management, …).
    Qualifications,
    /// Completions from before the system (paper records, old spreadsheets).
    Completions,
}

impl Kind {
    /// Parses `cadres`, `qualifications` or `completions`.
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "cadres" => Some(Kind::Cadres),
            "qualifications" => Some(Kind::Qualifications),
            "completions" => Some(Kind::Completions),
            _ => None,
        }
    }

    /// The kind's name in URLs and the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Cadres => "cadres",
            Kind::Qualifications => "qualifications",
            Kind::Completions => "completions",
        }
    }

    /// The kind's columns, in template order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            Kind::Cadres => CADRE_COLUMNS,
            Kind::Qualifications => QUALIFICATION_COLUMNS,
            Kind::Completions => COMPLETION_COLUMNS,
        }
    }
}

/// One column of an import file.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Stable key (also accepted as a header).
    pub key: &'static str,
    /// Vietnamese header (the templates' and exports').
    pub vi: &'static str,
    /// English header.
    pub en: &'static str,
    /// A header for it must be present and every row must fill it.
    pub required: bool,
}

/// A column (for the tables of other areas).
pub const fn col(key: &'static str, vi: &'static str, en: &'static str, required: bool) -> Column {
    Column {
        key,
        vi,
        en,
        required,
    }
}

/// Cadres: one row per person, keyed by personal id number.
pub const CADRE_COLUMNS: &[Column] = &[
    col("personal_id", "Số CCCD/CMND", "Personal ID", true),
    col("full_name", "Họ và tên", "Full name", true),
    col("gender", "Giới tính", "Gender", true),
    col("birth_date", "Ngày sinh", "Birth date", true),
    col("ethnicity", "Dân tộc", "Ethnicity", true),
    col(
        "ethnic_minority",
        "Dân tộc thiểu số",
        "Ethnic minority",
        false,
    ),
    col("religion", "Tôn giáo", "Religion", false),
    col("party_joined_on", "Ngày vào Đảng", "Party joined on", false),
    col("unit_code", "Mã đơn vị", "Unit code", true),
    col("unit_since", "Ở đơn vị từ ngày", "In unit since", false),
    col("organisation", "Tổ chức", "Organisation", true),
    col("phone", "Điện thoại", "Phone", false),
    col("email", "Thư điện tử", "Email", false),
    col("active", "Đang công tác", "Active", false),
    col("title_code", "Mã chức danh", "Title code", false),
    col(
        "title_unit_code",
        "Đơn vị giữ chức danh",
        "Title unit code",
        false,
    ),
    col("title_from", "Giữ chức danh từ ngày", "Title from", false),
    col("title_to", "Giữ chức danh đến ngày", "Title to", false),
    col(
        "plan_title_code",
        "Mã chức danh quy hoạch",
        "Planned title code",
        false,
    ),
    col(
        "plan_unit_code",
        "Đơn vị quy hoạch",
        "Planned title unit code",
        false,
    ),
    col("plan_from", "Quy hoạch từ ngày", "Planned from", false),
    col("plan_to", "Quy hoạch đến ngày", "Planned to", false),
];

/// Qualifications held: one row per qualification, keyed by person, scale, level and date.
pub const QUALIFICATION_COLUMNS: &[Column] = &[
    col("personal_id", "Số CCCD/CMND", "Personal ID", true),
    col("full_name", "Họ và tên", "Full name", false),
    col("scale_code", "Mã loại trình độ", "Scale code", true),
    col("level_code", "Mã trình độ", "Level code", true),
    col("obtained_on", "Ngày cấp", "Obtained on", true),
    col("issuer", "Nơi cấp", "Issuer", false),
    col("evidence", "Số văn bằng", "Evidence", false),
];

/// Historical completions: one row per completion, keyed by person, module and day.
pub const COMPLETION_COLUMNS: &[Column] = &[
    col("personal_id", "Số CCCD/CMND", "Personal ID", true),
    col("full_name", "Họ và tên", "Full name", false),
    col("module_code", "Mã học phần", "Module code", true),
    col("completed_on", "Ngày hoàn thành", "Completed on", true),
    col("score", "Điểm", "Score", false),
    col("source", "Nguồn", "Source", false),
    col("source_ref", "Tham chiếu", "Reference", true),
    col("issuer", "Đơn vị cấp", "Issuer", false),
];

/// Where each known column sits in a file, and the header it has there.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    index: HashMap<&'static str, usize>,
    header: HashMap<&'static str, String>,
}

impl Layout {
    /// Position of a column in the file, if present.
    pub fn index(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// The header a column has in the file (or its key).
    pub fn header<'a>(&'a self, key: &'a str) -> &'a str {
        self.header.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The keys of the known columns.
    pub fn keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.index.keys().copied()
    }
}

/// A problem of the header row, with the column it names.
fn header_problem(column: &str, code: ProblemCode, params: Value) -> ErrorDetail {
    let params = match params {
        Value::Object(m) => m,
        _ => ProblemParams::new(),
    };
    ErrorDetail {
        row: Some(1),
        field: Some(column.to_string()),
        value: None,
        message: render(code, &params, Lang::En),
        code: Some(code),
        params: Some(params),
    }
}

/// Maps a header row to the kind's columns (Vietnamese, English or key; case and diacritics
/// ignored). Unknown, repeated and missing required columns are all reported at once.
pub fn layout(kind: Kind, headers: &[String]) -> Result<Layout, AppError> {
    layout_of(kind.as_str(), kind.columns(), headers)
}

/// Maps a header row to `columns` (of a file of kind `name`), as [`layout`] does.
pub fn layout_of(
    name: &str,
    columns: &'static [Column],
    headers: &[String],
) -> Result<Layout, AppError> {
    let mut out = Layout::default();
    let mut details = vec![];
    for (i, h) in headers.iter().enumerate() {
        if h.trim().is_empty() {
            continue;
        }
        let f = fold(h);
        let found = columns
            .iter()
            .find(|c| f == fold(c.vi) || f == fold(c.en) || f == c.key);
        match found {
            Some(c) if out.index.contains_key(c.key) => details.push(header_problem(
                h,
                ProblemCode::ColumnRepeated,
                json!({ "column": c.vi }),
            )),
            Some(c) => {
                out.index.insert(c.key, i);
                out.header.insert(c.key, h.trim().to_string());
            }
            None => details.push(header_problem(
                h,
                ProblemCode::ColumnUnknown,
                json!({
                    "kind": name,
                    "columns": columns.iter().map(|c| c.vi).collect::<Vec<_>>().join(", "),
                }),
            )),
        }
    }
    for c in columns {
        if c.required && !out.index.contains_key(c.key) {
            details.push(header_problem(
                c.vi,
                ProblemCode::ColumnMissing,
                json!({ "column": c.vi, "column_en": c.en }),
            ));
        }
    }
    if details.is_empty() {
        Ok(out)
    } else {
        Err(AppError::Validation {
            field: Some("file".into()),
            msg: crate::msg!(HeaderMismatch),
            details,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn vietnamese_english_and_keys_are_accepted() {
        let l = layout(
            Kind::Qualifications,
            &h(&["Số CCCD/CMND", "scale code", "level_code", "NGAY CAP"]),
        )
        .unwrap();
        assert_eq!(l.index("personal_id"), Some(0));
        assert_eq!(l.index("scale_code"), Some(1));
        assert_eq!(l.index("level_code"), Some(2));
        assert_eq!(l.index("obtained_on"), Some(3));
        assert_eq!(l.header("obtained_on"), "NGAY CAP");
    }

    #[test]
    fn unknown_repeated_and_missing_columns_are_all_reported() {
        let e = layout(
            Kind::Qualifications,
            &h(&["Personal ID", "Personal ID", "Colour", "Mã trình độ"]),
        )
        .unwrap_err();
        let AppError::Validation { details, .. } = e else {
            panic!("not a validation error")
        };
        let msgs: Vec<_> = details.iter().map(|d| d.message.clone()).collect();
        assert_eq!(details.len(), 4, "{msgs:?}");
        assert!(msgs[0].contains("twice"));
        assert!(msgs[1].contains("unknown column"));
        assert!(msgs.iter().any(|m| m.contains("Mã loại trình độ")));
        assert!(msgs.iter().any(|m| m.contains("Ngày cấp")));
    }

    #[test]
    fn headers_are_distinct_within_a_kind() {
        for k in [Kind::Cadres, Kind::Qualifications, Kind::Completions] {
            let mut seen = std::collections::HashSet::new();
            for c in k.columns() {
                assert!(seen.insert(fold(c.vi)), "{}", c.vi);
                assert!(seen.insert(fold(c.en)), "{}", c.en);
            }
        }
    }
}
