//! The parts of a cadre's whole record as the exchange writes and reads them: one sheet (or one
//! CSV file in the ZIP) per part, in the order they are imported, each with its columns.

use crate::imports::columns::{col, Column, CADRE_COLUMNS};
use crate::shared::text::fold;

/// One part of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The people: one row per cadre (the cadre import's columns without titles).
    Cadres,
    /// Unit history: one row per period in a unit.
    History,
    /// Titles held: one row per period.
    Titles,
    /// Planned successions: one row per period.
    Plans,
    /// Completions with their provenance (class, paper, import), certificates and revocations.
    Completions,
    /// Qualifications held.
    Qualifications,
}

/// The parts in the order they are written and imported (each needs the ones before it).
pub const PARTS: [Part; 6] = [
    Part::Cadres,
    Part::History,
    Part::Titles,
    Part::Plans,
    Part::Completions,
    Part::Qualifications,
];

/// The unit history's columns. `until`: the day the cadre moved out (the first day in the next
/// unit), blank for the current unit.
pub const HISTORY_COLUMNS: &[Column] = &[
    col("personal_id", "Số CCCD/CMND", "Personal ID", true),
    col("full_name", "Họ và tên", "Full name", true),
    col("unit_code", "Mã đơn vị", "Unit code", true),
    col("from", "Từ ngày", "From", true),
    col("until", "Chuyển đi ngày", "Moved out on", false),
];

/// Titles held and planned successions: `to` is the last day (inclusive), blank while it lasts;
/// `appointed_on`, the day of the original appointment when a reorganisation split the period
/// (blank: `from`).
pub const PERIOD_COLUMNS: &[Column] = &[
    col("personal_id", "Số CCCD/CMND", "Personal ID", true),
    col("full_name", "Họ và tên", "Full name", true),
    col("title_code", "Mã chức danh", "Title code", true),
    col("unit_code", "Mã đơn vị", "Unit code", true),
    col("from", "Từ ngày", "From", true),
    col("to", "Đến ngày", "To", false),
    col("appointed_on", "Ngày bổ nhiệm", "Appointed on", false),
];

/// Completions with their provenance.
pub const COMPLETION_COLUMNS: &[Column] = &[
    col("personal_id", "Số CCCD/CMND", "Personal ID", true),
    col("full_name", "Họ và tên", "Full name", true),
    col("module_code", "Mã học phần", "Module code", true),
    col("completed_on", "Ngày hoàn thành", "Completed on", true),
    col("score", "Điểm", "Score", false),
    col("source", "Nguồn", "Source", true),
    col("source_ref", "Tham chiếu", "Reference", false),
    col("class_code", "Mã lớp", "Class code", false),
    col(
        "certificate_no",
        "Số chứng chỉ",
        "Certificate number",
        false,
    ),
    col(
        "certificate_code",
        "Mã xác thực",
        "Verification code",
        false,
    ),
    col("revoked_on", "Ngày thu hồi", "Revoked on", false),
    col("revoke_reason", "Lý do thu hồi", "Revocation reason", false),
];

/// Qualifications held, with their provenance and revocation.
pub const QUALIFICATION_COLUMNS: &[Column] = &[
    col("personal_id", "Số CCCD/CMND", "Personal ID", true),
    col("full_name", "Họ và tên", "Full name", true),
    col("scale_code", "Mã loại trình độ", "Scale code", true),
    col("level_code", "Mã trình độ", "Level code", true),
    col("obtained_on", "Ngày cấp", "Obtained on", true),
    col("issuer", "Nơi cấp", "Issuer", false),
    col("evidence", "Số văn bằng", "Evidence", false),
    col("source", "Nguồn", "Source", true),
    col("source_ref", "Tham chiếu", "Reference", false),
    col("revoked_on", "Ngày thu hồi", "Revoked on", false),
];

impl Part {
    /// The sheet's name in the workbook.
    pub fn sheet_name(self) -> &'static str {
        match self {
            Part::Cadres => "Cán bộ",
            Part::History => "Quá trình công tác",
            Part::Titles => "Chức danh",
            Part::Plans => "Quy hoạch",
            Part::Completions => "Đào tạo",
            Part::Qualifications => "Trình độ",
        }
    }

    /// Its English name (also accepted as a sheet name).
    pub fn english(self) -> &'static str {
        match self {
            Part::Cadres => "cadres",
            Part::History => "unit history",
            Part::Titles => "titles",
            Part::Plans => "plans",
            Part::Completions => "completions",
            Part::Qualifications => "qualifications",
        }
    }

    /// The CSV file's name in the ZIP.
    pub fn file_name(self) -> &'static str {
        match self {
            Part::Cadres => "can-bo.csv",
            Part::History => "qua-trinh-cong-tac.csv",
            Part::Titles => "chuc-danh.csv",
            Part::Plans => "quy-hoach.csv",
            Part::Completions => "dao-tao.csv",
            Part::Qualifications => "trinh-do.csv",
        }
    }

    /// The part's columns, in order.
    pub fn columns(self) -> &'static [Column] {
        match self {
            // Personal ID … Active: the cadre import's columns before the title ones.
            Part::Cadres => &CADRE_COLUMNS[..14],
            Part::History => HISTORY_COLUMNS,
            Part::Titles | Part::Plans => PERIOD_COLUMNS,
            Part::Completions => COMPLETION_COLUMNS,
            Part::Qualifications => QUALIFICATION_COLUMNS,
        }
    }

    /// The Vietnamese header row.
    pub fn headers(self) -> Vec<String> {
        self.columns().iter().map(|c| c.vi.to_string()).collect()
    }

    /// The part a sheet or file name names: its Vietnamese or English name or its file name,
    /// case, diacritics and a `.csv` ending ignored (a ZIP's folders too).
    pub fn named(name: &str) -> Option<Part> {
        Part::named_piece(name).map(|(p, _)| p)
    }

    /// The part a sheet names and which piece of it the sheet is: a part longer than a
    /// worksheet's rows continues on sheets named `Đào tạo (2)`, `Đào tạo (3)`, … (piece 2, 3, …;
    /// the first sheet is piece 1).
    pub fn named_piece(name: &str) -> Option<(Part, usize)> {
        let (name, piece) = match name
            .trim()
            .strip_suffix(')')
            .and_then(|s| s.rsplit_once(" ("))
        {
            Some((base, n)) if n.parse::<usize>().is_ok_and(|n| n >= 2) => {
                (base, n.parse().unwrap_or(1))
            }
            _ => (name, 1),
        };
        Part::named_one(name).map(|p| (p, piece))
    }

    /// A sheet's piece `n` name (`n` from 2).
    pub fn piece_name(self, n: usize) -> String {
        if n <= 1 {
            self.sheet_name().to_string()
        } else {
            format!("{} ({n})", self.sheet_name())
        }
    }

    fn named_one(name: &str) -> Option<Part> {
        let base = name.rsplit('/').next().unwrap_or(name);
        let base = base.strip_suffix(".csv").unwrap_or(base);
        let f = fold(&base.replace(['-', '_'], " "));
        PARTS.into_iter().find(|p| {
            f == fold(p.sheet_name())
                || f == p.english()
                || f == fold(&p.file_name().trim_end_matches(".csv").replace('-', " "))
        })
    }
}

/// Source of a completion as the exchange writes it.
pub fn source_vi(source: &str) -> &str {
    match source {
        "class" => "lớp",
        "paper" => "giấy",
        "import" => "nhập",
        other => other,
    }
}

/// Source of a completion as a cell gives it: `lớp`/`class`, `giấy`/`paper`, `nhập`/`import`.
pub fn source_from_text(s: &str) -> Option<&'static str> {
    match fold(s).as_str() {
        "lop" | "class" | "lop hoc" => Some("class"),
        "giay" | "paper" | "ho so giay" => Some("paper"),
        "nhap" | "import" | "nhap tu tep" => Some("import"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_found_by_any_of_their_names() {
        for p in PARTS {
            assert_eq!(Part::named(p.sheet_name()), Some(p));
            assert_eq!(Part::named(p.english()), Some(p));
            assert_eq!(Part::named(p.file_name()), Some(p));
            assert_eq!(Part::named(&format!("ho-so/{}", p.file_name())), Some(p));
        }
        assert_eq!(Part::named("QUA TRINH CONG TAC"), Some(Part::History));
        assert_eq!(Part::named("Sheet1"), None);
        assert_eq!(
            Part::named_piece(&Part::Completions.piece_name(3)),
            Some((Part::Completions, 3))
        );
        assert_eq!(Part::named_piece("Đào tạo"), Some((Part::Completions, 1)));
        assert_eq!(Part::named_piece("Đào tạo (1)"), None);
    }

    #[test]
    fn the_cadre_part_ends_before_the_title_columns() {
        let keys: Vec<&str> = Part::Cadres.columns().iter().map(|c| c.key).collect();
        assert_eq!(keys.first(), Some(&"personal_id"));
        assert_eq!(keys.last(), Some(&"active"));
    }

    #[test]
    fn sources_read_back() {
        for s in ["class", "paper", "import"] {
            assert_eq!(source_from_text(source_vi(s)), Some(s));
        }
    }
}
