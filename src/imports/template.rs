//! The import templates people fill in without the manual.
//!
//! Every template has the kind's header row and one example row made from live data, so that the
//! example imports cleanly for the caller (a dry run finds no problem in it): a cadre
//! "Nguyễn Thị Lan" with a personal id nobody has, placed in a live unit of the caller's subtree
//! with an active title of that unit's level; for qualifications and past completions a cadre of
//! the caller's subtree (the lowest id), a real scale and level, a real module. Imported, the
//! example row is written like any other row: the instructions say to overwrite or delete it.
//! When no valid example can be made (no live unit, no cadre in the subtree), the template has
//! the header row alone and the instructions say why.
//!
//! CSV: the header and the example row. XLSX: the data sheet first (the one an import reads),
//! with a bold frozen header, column widths, date columns formatted dd/mm/yyyy, text columns
//! formatted as text (leading zeros stay) and drop-down lists on rows 2 to
//! [`VALIDATED_ROWS`]` + 1`; then an instructions sheet ("Hướng dẫn" / "Instructions": the
//! workflow, every column with whether it is required, its format, allowed values and the
//! example, and the codes with their names); then a hidden lists sheet ("Danh mục" / "Lists")
//! holding the lists read from the database, which the drop-downs refer to by range (an inline
//! list may hold only 255 characters).

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Formula, Workbook, Worksheet, XlsxError,
};

use super::columns::Kind;
use crate::auth::Scope;
use crate::cadres::domain::{organisation_vi, Organisation};
use crate::cadres::rules::unit_level;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::on_db;
use crate::shared::download::{self, Cell, Download, ExportFormat, Table};

/// Data rows of the data sheet the drop-down lists cover: rows 2 to 5001.
pub const VALIDATED_ROWS: u32 = 5_000;

/// A live unit of the caller's subtree.
#[derive(Debug, Clone)]
pub struct UnitChoice {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `city`, `district` or `commune`.
    pub level: String,
}

/// An active title.
#[derive(Debug, Clone)]
pub struct TitleChoice {
    /// Code.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// `city`, `district` or `commune`.
    pub level: String,
    /// The organisation it belongs to.
    pub organisation: Option<Organisation>,
}

/// A level of a qualification scale.
#[derive(Debug, Clone)]
pub struct LevelChoice {
    /// Scale code.
    pub scale: String,
    /// Scale name, Vietnamese.
    pub scale_vi: String,
    /// Scale name, English.
    pub scale_en: String,
    /// Level code.
    pub code: String,
    /// Level name, Vietnamese.
    pub name_vi: String,
    /// Level name, English.
    pub name_en: String,
}

/// A module.
#[derive(Debug, Clone)]
pub struct ModuleChoice {
    /// Code.
    pub code: String,
    /// Vietnamese title.
    pub title_vi: String,
    /// English title.
    pub title_en: String,
    /// Still taught.
    pub active: bool,
}

/// A cadre of the caller's subtree (the example of qualifications and completions).
#[derive(Debug, Clone)]
pub struct CadreChoice {
    /// Personal id number.
    pub personal_id: String,
    /// Full name.
    pub full_name: String,
    /// Birth date (the example's dates come after it).
    pub birth_date: NaiveDate,
}

/// What a template is built from: the lists its drop-downs offer and its example's facts.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// Live units of the caller's subtree, by code (shorter codes first: city, districts, wards).
    pub units: Vec<UnitChoice>,
    /// Active titles, by code.
    pub titles: Vec<TitleChoice>,
    /// Scales' levels, by scale code then rank.
    pub levels: Vec<LevelChoice>,
    /// Every module, by code (past completions may be of modules no longer taught).
    pub modules: Vec<ModuleChoice>,
    /// A cadre of the caller's subtree, if any.
    pub cadre: Option<CadreChoice>,
    /// A personal id number no cadre has, for the example cadre.
    pub free_personal_id: String,
}

/// The example cadre's name.
pub const EXAMPLE_NAME: &str = "Nguyễn Thị Lan";

/// The personal ids tried for the example cadre (a woman of Ho Chi Minh City born in 1985:
/// province 079, century and gender 1, year 85), from the first.
const EXAMPLE_IDS: (u64, u64) = (79_185_000_001, 79_185_000_999);

/// Loads what the template of `kind` needs, within the caller's scope.
pub async fn load(db: &Db, kind: Kind, scope: &Scope) -> AppResult<Catalogue> {
    let mut cat = Catalogue::default();
    match kind {
        Kind::Cadres => {
            cat.units = units(db, scope).await?;
            cat.titles = titles(db).await?;
            cat.free_personal_id = free_personal_id(db).await?;
        }
        Kind::Qualifications => {
            cat.levels = levels(db).await?;
            cat.cadre = first_cadre(db, scope).await?;
        }
        Kind::Completions => {
            cat.modules = modules(db).await?;
            cat.cadre = first_cadre(db, scope).await?;
        }
    }
    Ok(cat)
}

async fn units(db: &Db, scope: &Scope) -> AppResult<Vec<UnitChoice>> {
    let (filter, binds) = scope.sql_filter("path", 1);
    let sql = format!("SELECT code, name, kind FROM units WHERE retired_on IS NULL AND {filter}");
    let rows: Vec<(String, String, String)> = on_db!(db, |p| {
        let mut q = sqlx::query_as(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_all(p).await?
    });
    let mut units: Vec<UnitChoice> = rows
        .into_iter()
        .map(|(code, name, kind)| UnitChoice {
            code,
            name,
            level: unit_level(&kind).to_string(),
        })
        .collect();
    units.sort_by(|a, b| (a.code.len(), &a.code).cmp(&(b.code.len(), &b.code)));
    Ok(units)
}

async fn titles(db: &Db) -> AppResult<Vec<TitleChoice>> {
    let rows: Vec<(String, String, String, String, String)> = on_db!(db, |p| {
        sqlx::query_as(
        "SELECT code, name_vi, name_en, level, org_kind FROM titles WHERE active = TRUE ORDER BY code"
    )
    .fetch_all(p)
    .await?
    });
    Ok(rows
        .into_iter()
        .map(|(code, name_vi, name_en, level, org)| TitleChoice {
            code,
            name_vi,
            name_en,
            level,
            organisation: Organisation::parse(&org),
        })
        .collect())
}

async fn levels(db: &Db) -> AppResult<Vec<LevelChoice>> {
    type L = (String, String, String, String, String, String);
    let rows: Vec<L> = on_db!(db, |p| sqlx::query_as(
        "SELECT l.scale_code, s.name_vi, s.name_en, l.code, l.name_vi, l.name_en
         FROM qualification_levels l JOIN qualification_scales s ON s.code = l.scale_code
         ORDER BY l.scale_code, l.rank"
    )
    .fetch_all(p)
    .await?);
    Ok(rows
        .into_iter()
        .map(
            |(scale, scale_vi, scale_en, code, name_vi, name_en)| LevelChoice {
                scale,
                scale_vi,
                scale_en,
                code,
                name_vi,
                name_en,
            },
        )
        .collect())
}

async fn modules(db: &Db) -> AppResult<Vec<ModuleChoice>> {
    let rows: Vec<(String, String, String, bool)> = on_db!(db, |p| sqlx::query_as(
        "SELECT code, title_vi, title_en, active FROM modules ORDER BY code"
    )
    .fetch_all(p)
    .await?);
    Ok(rows
        .into_iter()
        .map(|(code, title_vi, title_en, active)| ModuleChoice {
            code,
            title_vi,
            title_en,
            active,
        })
        .collect())
}

/// The cadre of the caller's subtree with the lowest id.
async fn first_cadre(db: &Db, scope: &Scope) -> AppResult<Option<CadreChoice>> {
    let (filter, binds) = scope.sql_filter("u.path", 1);
    let sql = format!(
        "SELECT c.personal_id, c.full_name, c.birth_date FROM cadres c
         JOIN units u ON u.code = c.unit_code WHERE {filter} ORDER BY c.id LIMIT 1"
    );
    let row: Option<(String, String, NaiveDate)> = on_db!(db, |p| {
        let mut q = sqlx::query_as(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        q.fetch_optional(p).await?
    });
    Ok(row.map(|(personal_id, full_name, birth_date)| CadreChoice {
        personal_id,
        full_name,
        birth_date,
    }))
}

/// The first of [`EXAMPLE_IDS`] that no cadre has (such a number may well be a real person's:
/// the example never names a record on file).
async fn free_personal_id(db: &Db) -> AppResult<String> {
    let (lo, hi) = EXAMPLE_IDS;
    let (lo_s, hi_s) = (format!("{lo:012}"), format!("{hi:012}"));
    let taken: Vec<String> = on_db!(db, |p| sqlx::query_scalar(
        "SELECT personal_id FROM cadres WHERE personal_id >= $1 AND personal_id <= $2"
    )
    .bind(&lo_s)
    .bind(&hi_s)
    .fetch_all(p)
    .await?);
    (lo..=hi)
        .map(|n| format!("{n:012}"))
        .find(|id| !taken.contains(id))
        .ok_or_else(|| AppError::Internal("no free personal id for the template's example".into()))
}

/// A value of the example row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A day (a date cell in XLSX, `DD/MM/YYYY` in CSV).
    Date(NaiveDate),
    /// A number.
    Number(f64),
}

impl Value {
    fn shown(&self) -> String {
        match self {
            Value::Text(s) => s.clone(),
            Value::Date(d) => d.format("%d/%m/%Y").to_string(),
            Value::Number(n) => format!("{n}"),
        }
    }
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// The example row: values by column key (the others empty), and what importing it would do.
#[derive(Debug, Clone)]
pub struct Example {
    /// (column key, value).
    pub values: Vec<(&'static str, Value)>,
    /// What importing the row would write, Vietnamese.
    pub effect_vi: String,
    /// The same, English.
    pub effect_en: String,
}

impl Example {
    fn get(&self, key: &str) -> Option<&Value> {
        self.values.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

/// Why a template has no example row: (Vietnamese, English).
type NoExample = (&'static str, &'static str);

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A day of the example: `wanted`, or today when that is later than today; `None` unless
/// after `after`.
fn past_day(wanted: NaiveDate, after: NaiveDate, today: NaiveDate) -> Option<NaiveDate> {
    Some(wanted.min(today)).filter(|d| *d > after)
}

const SCHOOL: &str = "Trường Chính trị Thành phố Hồ Chí Minh";

/// The example row of a kind, valid against the catalogue on `today`.
pub fn example(kind: Kind, cat: &Catalogue, today: NaiveDate) -> Result<Example, NoExample> {
    match kind {
        Kind::Cadres => cadre_example(cat, today),
        Kind::Qualifications => qualification_example(cat, today),
        Kind::Completions => completion_example(cat, today),
    }
}

/// Levels in the order the example prefers their units (most cadres work in wards).
const LEVEL_ORDER: [&str; 3] = ["commune", "district", "city"];

fn cadre_example(cat: &Catalogue, today: NaiveDate) -> Result<Example, NoExample> {
    let rank = |u: &UnitChoice| {
        let level = LEVEL_ORDER
            .iter()
            .position(|l| *l == u.level)
            .unwrap_or(LEVEL_ORDER.len());
        let titled = cat.titles.iter().any(|t| t.level == u.level);
        (!titled, level, u.code.len(), u.code.clone())
    };
    let Some(unit) = cat.units.iter().min_by_key(|u| rank(u)) else {
        return Err((
            "không có đơn vị nào đang hoạt động trong phạm vi tài khoản của bạn",
            "there is no live unit in your account's subtree",
        ));
    };
    let at_level: Vec<&TitleChoice> = cat
        .titles
        .iter()
        .filter(|t| t.level == unit.level)
        .collect();
    // A holder of one title of an organisation planned for another (a vice-chair for the
    // chair), when an organisation has two at this level; else the first title alone.
    let pair = at_level.iter().find_map(|first| {
        let same: Vec<&&TitleChoice> = at_level
            .iter()
            .filter(|t| t.organisation == first.organisation)
            .collect();
        (same.len() >= 2).then(|| (*same[same.len() - 1], Some(*same[0])))
    });
    let (held, planned) = match pair {
        Some((h, p)) => (Some(h), p),
        None => (at_level.first().copied(), None),
    };
    let organisation = held
        .and_then(|t| t.organisation)
        .unwrap_or(Organisation::FatherlandFront);
    let birth = day(1985, 3, 15);
    let since = day(2025, 7, 1).min(today);
    let mut values = vec![
        ("personal_id", text(&cat.free_personal_id)),
        ("full_name", text(EXAMPLE_NAME)),
        ("gender", text("Nữ")),
        ("birth_date", Value::Date(birth)),
        ("ethnicity", text("Kinh")),
        ("ethnic_minority", text("không")),
        ("unit_code", text(&unit.code)),
        ("unit_since", Value::Date(since)),
        ("organisation", text(organisation_vi(organisation))),
        ("phone", text("0903 123 456")),
        ("email", text("nguyenthilan@example.vn")),
        ("active", text("có")),
    ];
    if let Some(d) = past_day(day(2010, 2, 3), birth, today) {
        values.push(("party_joined_on", Value::Date(d)));
    }
    if let Some(t) = held {
        values.push(("title_code", text(&t.code)));
        values.push(("title_unit_code", text(&unit.code)));
        values.push(("title_from", Value::Date(since)));
    }
    if let Some(t) = planned {
        values.push(("plan_title_code", text(&t.code)));
        values.push(("plan_unit_code", text(&unit.code)));
        values.push(("plan_from", Value::Date(since)));
    }
    let id = &cat.free_personal_id;
    Ok(Example {
        values,
        effect_vi: format!(
            "nó tạo cán bộ {EXAMPLE_NAME}, số CCCD {id} (chưa ai có), ở đơn vị {} – {}",
            unit.code, unit.name
        ),
        effect_en: format!(
            "it creates the cadre {EXAMPLE_NAME}, personal ID {id} (nobody has it), in unit {} – {}",
            unit.code, unit.name
        ),
    })
}

fn qualification_example(cat: &Catalogue, today: NaiveDate) -> Result<Example, NoExample> {
    let Some(c) = &cat.cadre else {
        return Err(NO_CADRE);
    };
    let theory: Vec<&LevelChoice> = cat
        .levels
        .iter()
        .filter(|l| l.scale == "political_theory")
        .collect();
    let level = theory
        .get(1)
        .or(theory.first())
        .copied()
        .or(cat.levels.first());
    let Some(level) = level else {
        return Err((
            "chưa có loại trình độ nào",
            "there is no qualification scale",
        ));
    };
    let Some(on) = past_day(day(2018, 6, 30), c.birth_date, today) else {
        return Err(NO_DAY);
    };
    Ok(Example {
        values: vec![
            ("personal_id", text(&c.personal_id)),
            ("full_name", text(&c.full_name)),
            ("scale_code", text(&level.scale)),
            ("level_code", text(&level.code)),
            ("obtained_on", Value::Date(on)),
            ("issuer", text(SCHOOL)),
            ("evidence", text(format!("{}/2018/B-0123", on.year() % 100))),
        ],
        effect_vi: format!(
            "nó ghi trình độ {} – {} cho cán bộ {} ({}), một người có thật trong phạm vi của bạn",
            level.scale_vi, level.name_vi, c.full_name, c.personal_id
        ),
        effect_en: format!(
            "it records the qualification {} – {} for the cadre {} ({}), a real person of your subtree",
            level.scale_en, level.name_en, c.full_name, c.personal_id
        ),
    })
}

fn completion_example(cat: &Catalogue, today: NaiveDate) -> Result<Example, NoExample> {
    let Some(c) = &cat.cadre else {
        return Err(NO_CADRE);
    };
    let Some(m) = cat
        .modules
        .iter()
        .find(|m| m.active)
        .or(cat.modules.first())
    else {
        return Err(("chưa có chuyên đề nào", "there is no module"));
    };
    let Some(on) = past_day(day(2019, 11, 20), c.birth_date, today) else {
        return Err(NO_DAY);
    };
    Ok(Example {
        values: vec![
            ("personal_id", text(&c.personal_id)),
            ("full_name", text(&c.full_name)),
            ("module_code", text(&m.code)),
            ("completed_on", Value::Date(on)),
            ("score", Value::Number(8.5)),
            ("source", text("giấy")),
            (
                "source_ref",
                text(format!("Sổ lưu lớp bồi dưỡng năm {}, trang 12", on.year())),
            ),
            ("issuer", text(SCHOOL)),
        ],
        effect_vi: format!(
            "nó ghi học phần {} – {} là đã hoàn thành cho cán bộ {} ({}), một người có thật trong phạm vi của bạn",
            m.code, m.title_vi, c.full_name, c.personal_id
        ),
        effect_en: format!(
            "it records the module {} – {} as completed by the cadre {} ({}), a real person of your subtree",
            m.code, m.title_en, c.full_name, c.personal_id
        ),
    })
}

const NO_CADRE: NoExample = (
    "chưa có cán bộ nào trong phạm vi của bạn (hãy nhập hồ sơ cán bộ trước)",
    "there is no cadre in your subtree yet (import the cadre records first)",
);
const NO_DAY: NoExample = (
    "không có ngày hợp lệ sau ngày sinh của cán bộ",
    "there is no valid day after the cadre's birth",
);

/// The template of `kind` in `format`, Vietnamese or English, from the catalogue, on `today`.
pub fn render(
    kind: Kind,
    cat: &Catalogue,
    format: ExportFormat,
    english: bool,
    today: NaiveDate,
) -> AppResult<Download> {
    let ex = example(kind, cat, today);
    let stem = format!("template-{}", kind.as_str());
    match format {
        ExportFormat::Csv => {
            let headers = kind
                .columns()
                .iter()
                .map(|c| if english { c.en } else { c.vi }.to_string())
                .collect();
            let rows = match &ex {
                Ok(ex) => vec![kind
                    .columns()
                    .iter()
                    .map(|c| match ex.get(c.key) {
                        Some(Value::Number(n)) => Cell::Num(*n),
                        Some(v) => Cell::Text(v.shown()),
                        None => Cell::Empty,
                    })
                    .collect()],
                Err(_) => vec![],
            };
            let table = Table {
                name: kind.as_str().into(),
                headers,
                rows,
            };
            Download::of(&[table], format, &stem)
        }
        ExportFormat::Xlsx => Ok(Download {
            filename: format!("{stem}.xlsx"),
            content_type: download::xlsx_type(),
            bytes: workbook(kind, cat, &ex, english)
                .map_err(|e| AppError::Internal(format!("template xlsx: {e}")))?,
        }),
    }
}

/// The sheets' names: (data, instructions, lists).
pub fn sheet_names(kind: Kind, english: bool) -> (&'static str, &'static str, &'static str) {
    let data = match (kind, english) {
        (Kind::Cadres, false) => "Cán bộ",
        (Kind::Qualifications, false) => "Trình độ",
        (Kind::Completions, false) => "Chuyên đề đã hoàn thành",
        (Kind::Cadres, true) => "Cadres",
        (Kind::Qualifications, true) => "Qualifications",
        (Kind::Completions, true) => "Completions",
    };
    if english {
        (data, "Instructions", "Lists")
    } else {
        (data, "Hướng dẫn", "Danh mục")
    }
}

/// Where a drop-down takes its values.
enum Source {
    /// Fixed words, written in the validation (at most 255 characters).
    Inline(Vec<String>),
    /// A column of the lists sheet: (column, number of values).
    Range(u16, usize),
}

/// A drop-down of a column: its values, whether other words are allowed after a warning (the
/// import takes other spellings: `nu`, `female`, `x`, …), and its prompt.
struct DropDown {
    source: Source,
    warn_only: bool,
    prompt_vi: &'static str,
    prompt_en: &'static str,
}

const GENDERS: [&str; 3] = ["Nam", "Nữ", "Khác"];
const YES_NO: [&str; 2] = ["có", "không"];
const SOURCES: [&str; 2] = ["giấy", "nhập"];

/// The lists of the lists sheet a kind uses: (key, header vi, header en, values).
fn lists(
    kind: Kind,
    cat: &Catalogue,
) -> Vec<(&'static str, &'static str, &'static str, Vec<String>)> {
    let codes = |v: Vec<&String>| v.into_iter().cloned().collect::<Vec<_>>();
    match kind {
        Kind::Cadres => vec![
            (
                "units",
                "Mã đơn vị",
                "Unit code",
                codes(cat.units.iter().map(|u| &u.code).collect()),
            ),
            (
                "titles",
                "Mã chức danh",
                "Title code",
                codes(cat.titles.iter().map(|t| &t.code).collect()),
            ),
        ],
        Kind::Qualifications => {
            let mut scales: Vec<String> = vec![];
            let mut levels: Vec<String> = vec![];
            for l in &cat.levels {
                if !scales.contains(&l.scale) {
                    scales.push(l.scale.clone());
                }
                if !levels.contains(&l.code) {
                    levels.push(l.code.clone());
                }
            }
            vec![
                ("scales", "Mã loại trình độ", "Scale code", scales),
                ("levels", "Mã trình độ", "Level code", levels),
            ]
        }
        Kind::Completions => vec![(
            "modules",
            "Mã học phần",
            "Module code",
            codes(cat.modules.iter().map(|m| &m.code).collect()),
        )],
    }
}

/// The drop-down of a column, given the lists sheet's lists (`list(key)`: column and length).
fn drop_down(key: &str, list: &dyn Fn(&str) -> Option<(u16, usize)>) -> Option<DropDown> {
    let fixed = |words: &[&str], vi, en| DropDown {
        source: Source::Inline(words.iter().map(|w| w.to_string()).collect()),
        warn_only: true,
        prompt_vi: vi,
        prompt_en: en,
    };
    let ranged = |name: &str, vi, en| {
        let (col, n) = list(name)?;
        (n > 0).then_some(DropDown {
            source: Source::Range(col, n),
            warn_only: false,
            prompt_vi: vi,
            prompt_en: en,
        })
    };
    Some(match key {
        "gender" => fixed(
            &GENDERS,
            "Chọn Nam, Nữ hoặc Khác.",
            "Choose Nam (male), Nữ (female) or Khác (other).",
        ),
        "ethnic_minority" | "active" => fixed(
            &YES_NO,
            "Chọn có hoặc không.",
            "Choose có (yes) or không (no).",
        ),
        "source" => fixed(
            &SOURCES,
            "Chọn giấy (hồ sơ giấy) hoặc nhập (nhập từ tệp).",
            "Choose giấy (paper records) or nhập (imported).",
        ),
        "organisation" => {
            let names: Vec<&str> = Organisation::ALL.into_iter().map(organisation_vi).collect();
            fixed(
                &names,
                "Chọn tổ chức trong danh sách.",
                "Choose the organisation from the list.",
            )
        }
        "unit_code" | "title_unit_code" | "plan_unit_code" => ranged(
            "units",
            "Chọn mã đơn vị; tên đơn vị ở trang Hướng dẫn.",
            "Choose the unit code; the units' names are on the Instructions sheet.",
        )?,
        "title_code" | "plan_title_code" => ranged(
            "titles",
            "Chọn mã chức danh cùng cấp với đơn vị; tên ở trang Hướng dẫn.",
            "Choose a title code of the unit's level; the names are on the Instructions sheet.",
        )?,
        "scale_code" => ranged("scales", "Chọn mã loại trình độ.", "Choose the scale code.")?,
        "level_code" => ranged(
            "levels",
            "Chọn mã trình độ thuộc loại trình độ đã chọn (bảng ở trang Hướng dẫn).",
            "Choose a level of the chosen scale (the table is on the Instructions sheet).",
        )?,
        "module_code" => ranged(
            "modules",
            "Chọn mã học phần; tên ở trang Hướng dẫn.",
            "Choose the module code; the names are on the Instructions sheet.",
        )?,
        _ => return None,
    })
}

/// The column's cells are days.
fn is_date(key: &str) -> bool {
    matches!(
        key,
        "birth_date"
            | "party_joined_on"
            | "unit_since"
            | "title_from"
            | "title_to"
            | "plan_from"
            | "plan_to"
            | "obtained_on"
            | "completed_on"
    )
}

/// The column's cells are text even when they look like numbers (leading zeros kept).
fn is_text(key: &str) -> bool {
    matches!(
        key,
        "personal_id" | "phone" | "unit_code" | "title_unit_code" | "plan_unit_code"
    )
}

/// A column's help: whether it is required (text), and how to fill it. Vietnamese or English.
fn help(kind: Kind, key: &str, english: bool, cat: &Catalogue) -> (String, String) {
    let orgs = Organisation::ALL
        .into_iter()
        .map(organisation_vi)
        .collect::<Vec<_>>()
        .join(", ");
    let units = cat.units.len();
    let (req_vi, req_en, vi, en): (&str, &str, String, String) = match key {
        "personal_id" if kind != Kind::Cadres => (
            "Có", "Yes",
            "Số CCCD (12 chữ số) hoặc CMND (9 chữ số) của một cán bộ đã có trong phạm vi của bạn.".into(),
            "The citizen ID (12 digits) or old ID card number (9 digits) of a cadre on record in your subtree.".into(),
        ),
        "personal_id" => (
            "Có", "Yes",
            "Số CCCD (12 chữ số) hoặc CMND (9 chữ số). Cán bộ được nhận biết theo số này: một dòng có số đã có trong hệ thống sẽ cập nhật hồ sơ đó. Cột định dạng văn bản để giữ số 0 ở đầu.".into(),
            "Citizen ID (12 digits) or old ID card number (9 digits). It identifies the cadre: a row with a number already on record updates that record. The column is formatted as text so that leading zeros stay.".into(),
        ),
        "full_name" if kind != Kind::Cadres => (
            "Không", "No",
            "Họ và tên, cho dễ đọc (không dùng để đối chiếu).".into(),
            "Full name, for the reader (not used to match the cadre).".into(),
        ),
        "full_name" => (
            "Có", "Yes",
            "Họ và tên đầy đủ, 2–120 ký tự: chữ cái, khoảng trắng, ' và -.".into(),
            "Full name, 2–120 characters: letters, spaces, ' and -.".into(),
        ),
        "gender" => (
            "Có", "Yes",
            "Chọn trong danh sách: Nam, Nữ, Khác (cũng nhận nam, nu, khac, male, female, other).".into(),
            "From the list: Nam (male), Nữ (female), Khác (other); male, female and other are accepted too.".into(),
        ),
        "birth_date" => (
            "Có", "Yes",
            "Ngày dd/mm/yyyy, từ 01/01/1900 trở đi và cách hôm nay ít nhất 15 năm.".into(),
            "A day, dd/mm/yyyy, on or after 01/01/1900 and at least 15 years ago.".into(),
        ),
        "ethnicity" => (
            "Có", "Yes",
            "Tên dân tộc, ví dụ Kinh, Hoa, Khmer, Chăm (tối đa 50 ký tự).".into(),
            "The ethnic group, e.g. Kinh, Hoa, Khmer, Chăm (at most 50 characters).".into(),
        ),
        "ethnic_minority" => (
            "Không", "No",
            "có hoặc không. Để trống: mọi dân tộc trừ Kinh là dân tộc thiểu số.".into(),
            "có (yes) or không (no). Left empty: every ethnic group but Kinh is a minority.".into(),
        ),
        "religion" => (
            "Không", "No",
            "Tôn giáo, nếu có (tối đa 50 ký tự).".into(),
            "Religion, if any (at most 50 characters).".into(),
        ),
        "party_joined_on" => (
            "Không", "No",
            "Ngày vào Đảng, dd/mm/yyyy: sau ngày sinh, không ở tương lai. Để trống nếu không phải đảng viên.".into(),
            "Day of joining the Party, dd/mm/yyyy: after the birth date, not in the future. Empty for non-members.".into(),
        ),
        "unit_code" => (
            "Có", "Yes",
            format!("Mã đơn vị công tác: chọn trong danh sách ({units} đơn vị đang hoạt động trong phạm vi tài khoản của bạn; mã và tên ở cuối trang này)."),
            format!("The unit's code: from the list ({units} live units of your account's subtree; codes and names at the end of this sheet)."),
        ),
        "unit_since" => (
            "Không", "No",
            "Ngày bắt đầu ở đơn vị, dd/mm/yyyy, không ở tương lai. Để trống: hôm nay. Với cán bộ đã có, đổi mã đơn vị là chuyển đơn vị từ ngày này.".into(),
            "First day in the unit, dd/mm/yyyy, not in the future. Empty: today. For a cadre on record, another unit code is a move on this day.".into(),
        ),
        "organisation" => (
            "Có", "Yes",
            format!("Chọn trong danh sách: {orgs}."),
            format!("From the list (Vietnamese names): {orgs}."),
        ),
        "phone" => (
            "Không", "No",
            "Số điện thoại, 8–15 chữ số (được có khoảng trắng, +, -, .).".into(),
            "Telephone number, 8–15 digits (spaces, +, - and . allowed).".into(),
        ),
        "email" => (
            "Không", "No",
            "Địa chỉ thư điện tử, ví dụ ten@example.vn.".into(),
            "E-mail address, e.g. name@example.vn.".into(),
        ),
        "active" => (
            "Không", "No",
            "có hoặc không. Để trống: có với cán bộ mới, giữ như hồ sơ với cán bộ đã có. Cán bộ không còn công tác (không) không giữ và không được quy hoạch chức danh nào sau hôm nay: hãy ghi ngày kết thúc các giai đoạn đó trước.".into(),
            "có (yes) or không (no). Empty: yes for a new cadre, as on record for one already there. A cadre who is not active (không) holds and is planned for no title beyond today: give those periods their end first.".into(),
        ),
        "title_code" => (
            "Không", "No",
            "Mã chức danh đang giữ: chọn trong danh sách các chức danh đang dùng (mã, tên và cấp ở cuối trang này). Chức danh phải cùng cấp với đơn vị giữ chức danh. Để trống nếu không giữ chức danh nào.".into(),
            "The title held: from the list of titles in use (codes, names and levels at the end of this sheet). The title must be of the level of the unit where it is held. Empty when no title is held.".into(),
        ),
        "title_unit_code" => (
            "Không", "No",
            "Đơn vị nơi giữ chức danh (danh sách như Mã đơn vị). Để trống: đơn vị công tác.".into(),
            "The unit where the title is held (the same list as the unit code). Empty: the cadre's unit.".into(),
        ),
        "title_from" => (
            "Khi có mã chức danh", "With a title code",
            "Ngày bắt đầu giữ chức danh, dd/mm/yyyy.".into(),
            "First day of the title, dd/mm/yyyy.".into(),
        ),
        "title_to" => (
            "Không", "No",
            "Ngày thôi giữ chức danh, dd/mm/yyyy, không trước ngày bắt đầu. Để trống nếu đang giữ.".into(),
            "Last day of the title, dd/mm/yyyy, not before the first. Empty while it is held.".into(),
        ),
        "plan_title_code" => (
            "Không", "No",
            "Mã chức danh được quy hoạch (danh sách như Mã chức danh), cùng cấp với đơn vị quy hoạch. Để trống nếu không có.".into(),
            "The title the cadre is planned for (the same list as the title code), of the level of its unit. Empty when none.".into(),
        ),
        "plan_unit_code" => (
            "Không", "No",
            "Đơn vị của chức danh quy hoạch. Để trống: đơn vị công tác.".into(),
            "The unit of the planned title. Empty: the cadre's unit.".into(),
        ),
        "plan_from" => (
            "Khi có mã chức danh quy hoạch", "With a planned title code",
            "Ngày bắt đầu quy hoạch, dd/mm/yyyy.".into(),
            "First day of the plan, dd/mm/yyyy.".into(),
        ),
        "plan_to" => (
            "Không", "No",
            "Ngày kết thúc quy hoạch, dd/mm/yyyy, không trước ngày bắt đầu.".into(),
            "Last day of the plan, dd/mm/yyyy, not before the first.".into(),
        ),
        "scale_code" => (
            "Có", "Yes",
            "Mã loại trình độ: chọn trong danh sách (bảng ở cuối trang này).".into(),
            "The scale's code: from the list (the table at the end of this sheet).".into(),
        ),
        "level_code" => (
            "Có", "Yes",
            "Mã trình độ thuộc loại trình độ đã chọn: chọn trong danh sách (bảng loại trình độ – trình độ ở cuối trang này).".into(),
            "A level of the chosen scale: from the list (the table of scales and levels at the end of this sheet).".into(),
        ),
        "obtained_on" => (
            "Có", "Yes",
            "Ngày cấp, dd/mm/yyyy: sau ngày sinh, không ở tương lai. Cùng người, loại, trình độ và ngày là cùng một văn bằng (nhập lại sẽ cập nhật).".into(),
            "Day obtained, dd/mm/yyyy: after the birth date, not in the future. The same person, scale, level and day is the same qualification (importing again updates it).".into(),
        ),
        "evidence" => (
            "Không", "No",
            "Số hiệu văn bằng (tối đa 200 ký tự).".into(),
            "Diploma number (at most 200 characters).".into(),
        ),
        "module_code" => (
            "Có", "Yes",
            "Mã học phần (chuyên đề): chọn trong danh sách (mã và tên ở cuối trang này).".into(),
            "The module's code: from the list (codes and names at the end of this sheet).".into(),
        ),
        "completed_on" => (
            "Có", "Yes",
            "Ngày hoàn thành, dd/mm/yyyy: sau ngày sinh, không ở tương lai. Cùng người, học phần và ngày là cùng một lần hoàn thành (nhập lại sẽ cập nhật).".into(),
            "Day completed, dd/mm/yyyy: after the birth date, not in the future. The same person, module and day is the same completion (importing again updates it).".into(),
        ),
        "score" => (
            "Không", "No",
            "Điểm từ 0 đến 10, tối đa một chữ số thập phân (8,5 hoặc 8.5).".into(),
            "A score from 0 to 10 with at most one decimal (8.5 or 8,5).".into(),
        ),
        "source" => (
            "Không", "No",
            "Chọn giấy (hồ sơ giấy) hoặc nhập (nhập từ tệp). Để trống: nhập.".into(),
            "giấy (paper records) or nhập (imported from a file). Empty: nhập.".into(),
        ),
        "source_ref" => (
            "Có", "Yes",
            "Nguồn gốc của dòng: số sổ, trang, tên tệp cũ… (tối đa 300 ký tự).".into(),
            "Where the row comes from: register number, page, old file name… (at most 300 characters).".into(),
        ),
        "issuer" if kind == Kind::Completions => (
            "Không", "No",
            "Đơn vị cấp; ghi vào trình độ mà học phần mang lại, nếu có (tối đa 200 ký tự).".into(),
            "The issuer; recorded on the level the module awards, if any (at most 200 characters).".into(),
        ),
        "issuer" => (
            "Không", "No",
            "Nơi cấp văn bằng (tối đa 200 ký tự).".into(),
            "Issuing body (at most 200 characters).".into(),
        ),
        _ => ("", "", String::new(), String::new()),
    };
    if english {
        (req_en.into(), en)
    } else {
        (req_vi.into(), vi)
    }
}

fn level_name(level: &str, english: bool) -> &str {
    match (level, english) {
        ("city", false) => "thành phố",
        ("district", false) => "quận, huyện",
        ("commune", false) => "phường, xã",
        ("city", true) => "city",
        ("district", true) => "district",
        ("commune", true) => "ward, commune",
        (other, _) => other,
    }
}

/// The workflow's steps, in order.
fn steps(kind: Kind, data: &str, ex: &Result<Example, NoExample>, english: bool) -> Vec<String> {
    let k = kind.as_str();
    let rows = VALIDATED_ROWS + 1;
    let who_vi = match kind {
        Kind::Completions => "Chỉ quản trị viên và nhà trường nhập được học phần đã hoàn thành.",
        _ => "Quản trị viên và nhà trường nhập cho toàn thành phố; cán bộ phụ trách đơn vị chỉ nhập trong phạm vi đơn vị của mình.",
    };
    let who_en = match kind {
        Kind::Completions => "Only the administrator and the school import past completions.",
        _ => "The administrator and the school import for the whole city; unit officers only within their unit's subtree.",
    };
    if english {
        vec![
            format!("1. Fill in one record a row on the sheet «{data}», from row 2. Keep the header row; optional columns may be removed and columns put in another order."),
            match ex {
                Ok(e) => format!("2. Row 2 is an example that passes the check with today's data: if it is still there when you import, it is written like any other row: {}. Overwrite it or delete it.", e.effect_en),
                Err((_, why)) => format!("2. This template has no example row: {why}. The table below shows what each column takes."),
            },
            "3. Days: dd/mm/yyyy (or yyyy-mm-dd); the date columns are formatted already. Codes and numbers with leading zeros: the columns are text.".into(),
            format!("4. Columns with a drop-down list (an arrow at the cell's corner, rows 2 to {rows}): choose a value or type it exactly. Codes must be in the list; for words (gender, yes/no, organisation, source) other spellings the import accepts get a warning only."),
            "5. In the system, open «Import» (Nhập dữ liệu), choose what the file holds and the file, press «Check»: every row is checked and nothing is written (a dry run).".into(),
            "6. Problems are listed by row, column, value and reason; «Download every problem (CSV)» gives all of them. Correct the file and check again.".into(),
            "7. When no problem is left, press «Import»: the whole file is written at once, or nothing. Importing the same file again changes nothing.".into(),
            format!("8. Through the API: POST /api/imports/{k}?dry_run=true (check), POST /api/imports/{k}/problems (every problem as CSV), then POST /api/imports/{k}."),
            format!("9. {who_en}"),
        ]
    } else {
        vec![
            format!("1. Điền mỗi bản ghi một dòng trên trang «{data}», từ dòng 2. Giữ nguyên dòng tiêu đề; có thể bỏ các cột không bắt buộc hoặc đổi thứ tự cột."),
            match ex {
                Ok(e) => format!("2. Dòng 2 là dòng ví dụ hợp lệ với dữ liệu hiện có: nếu còn giữ khi nhập, nó được ghi như mọi dòng khác: {}. Hãy ghi đè hoặc xoá dòng này.", e.effect_vi),
                Err((why, _)) => format!("2. Tệp mẫu này không có dòng ví dụ: {why}. Bảng dưới đây cho biết cách điền từng cột."),
            },
            "3. Ngày ghi dd/mm/yyyy (hoặc yyyy-mm-dd); các cột ngày đã được định dạng sẵn. Mã và số có số 0 ở đầu: các cột đó là văn bản.".into(),
            format!("4. Các cột có danh sách chọn (mũi tên ở góc ô, từ dòng 2 đến dòng {rows}): chọn giá trị hoặc gõ đúng. Mã phải có trong danh sách; với các từ (giới tính, có/không, tổ chức, nguồn) cách viết khác mà hệ thống nhận chỉ bị cảnh báo."),
            "5. Trong hệ thống, mở trang «Nhập dữ liệu», chọn loại dữ liệu và tệp, bấm «Kiểm tra»: mọi dòng được kiểm tra, chưa ghi gì (chạy thử).".into(),
            "6. Lỗi được liệt kê theo dòng, cột, giá trị và lý do; nút «Tải toàn bộ lỗi (CSV)» tải mọi lỗi. Sửa tệp rồi kiểm tra lại.".into(),
            "7. Khi không còn lỗi, bấm «Nhập»: cả tệp được ghi một lần, hoặc không dòng nào. Nhập lại cùng một tệp không thay đổi gì.".into(),
            format!("8. Qua API: POST /api/imports/{k}?dry_run=true (chạy thử), POST /api/imports/{k}/problems (mọi lỗi, CSV), rồi POST /api/imports/{k}."),
            format!("9. {who_vi}"),
        ]
    }
}

/// A table at the end of the instructions: (title, headers, rows).
type Reference = (String, Vec<&'static str>, Vec<Vec<String>>);

/// The catalogue tables at the end of the instructions.
fn reference_tables(kind: Kind, cat: &Catalogue, english: bool) -> Vec<Reference> {
    let l = |vi: &'static str, en: &'static str| if english { en } else { vi };
    match kind {
        Kind::Cadres => vec![
            (
                format!(
                    "{} ({})",
                    l("Đơn vị trong phạm vi của bạn", "Units of your subtree"),
                    cat.units.len()
                ),
                vec![
                    l("Mã đơn vị", "Unit code"),
                    l("Tên", "Name"),
                    l("Cấp", "Level"),
                ],
                cat.units
                    .iter()
                    .map(|u| {
                        vec![
                            u.code.clone(),
                            u.name.clone(),
                            level_name(&u.level, english).to_string(),
                        ]
                    })
                    .collect(),
            ),
            (
                l("Chức danh đang dùng", "Titles in use").to_string(),
                vec![
                    l("Mã chức danh", "Title code"),
                    l("Tên", "Name"),
                    l("Cấp", "Level"),
                ],
                cat.titles
                    .iter()
                    .map(|t| {
                        vec![
                            t.code.clone(),
                            if english { &t.name_en } else { &t.name_vi }.clone(),
                            level_name(&t.level, english).to_string(),
                        ]
                    })
                    .collect(),
            ),
        ],
        Kind::Qualifications => vec![(
            l("Loại trình độ và trình độ", "Scales and levels").to_string(),
            vec![
                l("Mã loại trình độ", "Scale code"),
                l("Loại trình độ", "Scale"),
                l("Mã trình độ", "Level code"),
                l("Trình độ", "Level"),
            ],
            cat.levels
                .iter()
                .map(|v| {
                    let (s, n) = if english {
                        (&v.scale_en, &v.name_en)
                    } else {
                        (&v.scale_vi, &v.name_vi)
                    };
                    vec![v.scale.clone(), s.clone(), v.code.clone(), n.clone()]
                })
                .collect(),
        )],
        Kind::Completions => vec![(
            l("Học phần (chuyên đề)", "Modules").to_string(),
            vec![
                l("Mã học phần", "Module code"),
                l("Tên", "Title"),
                l("Đang dạy", "Taught"),
            ],
            cat.modules
                .iter()
                .map(|m| {
                    vec![
                        m.code.clone(),
                        if english { &m.title_en } else { &m.title_vi }.clone(),
                        if m.active {
                            l("có", "yes")
                        } else {
                            l("không", "no")
                        }
                        .to_string(),
                    ]
                })
                .collect(),
        )],
    }
}

fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

/// A sheet name quoted for a formula.
fn quoted(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

/// The column letters of a zero-based column.
fn column_letters(col: u16) -> String {
    crate::shared::xlsx::column_name(col as usize)
}

/// The XLSX template.
fn workbook(
    kind: Kind,
    cat: &Catalogue,
    ex: &Result<Example, NoExample>,
    english: bool,
) -> Result<Vec<u8>, XlsxError> {
    let (data_name, help_name, lists_name) = sheet_names(kind, english);
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_background_color(0xDDEBF7)
        .set_border_bottom(FormatBorder::Thin);
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let as_text = Format::new().set_num_format("@");
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);

    // The lists sheet (hidden): one column per list, its header in row 1.
    let mut lists_ws = Worksheet::new();
    lists_ws.set_name(lists_name)?;
    let mut placed: Vec<(&'static str, u16, usize)> = vec![];
    for (i, (key, vi, en, values)) in lists(kind, cat).into_iter().enumerate() {
        let col = i as u16;
        lists_ws.write_string_with_format(0, col, if english { en } else { vi }, &bold)?;
        for (r, v) in values.iter().enumerate() {
            lists_ws.write_string(r as u32 + 1, col, v)?;
        }
        lists_ws.set_column_width(col, 18)?;
        placed.push((key, col, values.len()));
    }
    lists_ws.set_hidden(true);
    let list = |key: &str| {
        placed
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, c, n)| (*c, *n))
    };

    // The data sheet.
    let mut data = Worksheet::new();
    data.set_name(data_name)?;
    let example = ex.as_ref().ok();
    for (c, column) in kind.columns().iter().enumerate() {
        let col = c as u16;
        let title = if english { column.en } else { column.vi };
        if is_date(column.key) {
            data.set_column_format(col, &date)?;
        } else if is_text(column.key) {
            data.set_column_format(col, &as_text)?;
        }
        data.write_string_with_format(0, col, title, &header)?;
        let value = example.and_then(|e| e.get(column.key));
        match value {
            Some(Value::Text(s)) if is_text(column.key) => {
                data.write_string_with_format(1, col, s, &as_text)?;
            }
            Some(Value::Text(s)) => {
                data.write_string(1, col, s)?;
            }
            Some(Value::Date(d)) => {
                data.write_datetime_with_format(1, col, excel_date(*d)?, &date)?;
            }
            Some(Value::Number(n)) => {
                data.write_number(1, col, *n)?;
            }
            None => {}
        }
        let shown = value.map(Value::shown).unwrap_or_default();
        let least = match column.key {
            "full_name" => 26,
            "source_ref" | "issuer" | "evidence" | "email" => 30,
            _ => 10,
        };
        let width = title.chars().count().max(shown.chars().count()).max(least) + 3;
        data.set_column_width(col, width.min(42) as f64)?;
        if let Some(d) = drop_down(column.key, &list) {
            let v = match &d.source {
                Source::Inline(words) => DataValidation::new().allow_list_strings(words)?,
                Source::Range(lc, n) => {
                    let letters = column_letters(*lc);
                    DataValidation::new().allow_list_formula(Formula::new(format!(
                        "={}!${letters}$2:${letters}${}",
                        quoted(lists_name),
                        n + 1
                    )))
                }
            };
            let v = v
                .set_input_title(title.chars().take(32).collect::<String>())?
                .set_input_message(if english { d.prompt_en } else { d.prompt_vi })?
                .set_error_title(if english {
                    "Not in the list"
                } else {
                    "Không có trong danh sách"
                })?
                .set_error_message(if d.warn_only {
                    if english {
                        "This value is not in the list. Keep it only if it is another spelling the import accepts (see the Instructions sheet)."
                    } else {
                        "Giá trị này không có trong danh sách. Chỉ giữ lại nếu đó là cách viết khác mà hệ thống nhận (xem trang Hướng dẫn)."
                    }
                } else if english {
                    "Choose a value from the list (the codes and names are on the Instructions sheet)."
                } else {
                    "Hãy chọn một giá trị trong danh sách (mã và tên ở trang Hướng dẫn)."
                })?
                .set_error_style(if d.warn_only {
                    DataValidationErrorStyle::Warning
                } else {
                    DataValidationErrorStyle::Stop
                });
            data.add_data_validation(1, col, VALIDATED_ROWS, col, &v)?;
        }
    }
    data.set_freeze_panes(1, 2)?;

    // The instructions sheet.
    let mut help_ws = Worksheet::new();
    help_ws.set_name(help_name)?;
    let big = Format::new().set_bold().set_font_size(14);
    help_ws.set_column_width(0, 30)?;
    help_ws.set_column_width(1, 16)?;
    help_ws.set_column_width(2, 90)?;
    help_ws.set_column_width(3, 36)?;
    let kind_name = match (kind, english) {
        (Kind::Cadres, false) => "hồ sơ cán bộ",
        (Kind::Qualifications, false) => "trình độ đã có",
        (Kind::Completions, false) => "học phần đã hoàn thành trước đây",
        (Kind::Cadres, true) => "cadre records",
        (Kind::Qualifications, true) => "qualifications held",
        (Kind::Completions, true) => "modules completed before the system",
    };
    let heading = if english {
        format!("How to fill in the template: {kind_name}")
    } else {
        format!("Hướng dẫn điền tệp mẫu: {kind_name}")
    };
    help_ws.write_string_with_format(0, 0, &heading, &big)?;
    let mut row: u32 = 2;
    for s in steps(kind, data_name, ex, english) {
        help_ws.write_string(row, 0, &s)?;
        row += 1;
    }
    row += 1;
    let cols_title = if english { "The columns" } else { "Các cột" };
    help_ws.write_string_with_format(row, 0, cols_title, &big)?;
    row += 1;
    let heads = if english {
        [
            "Column",
            "Required",
            "How to fill it in, allowed values",
            "Example (row 2)",
        ]
    } else {
        [
            "Cột",
            "Bắt buộc",
            "Cách điền, giá trị cho phép",
            "Ví dụ (dòng 2)",
        ]
    };
    for (c, h) in heads.iter().enumerate() {
        help_ws.write_string_with_format(row, c as u16, *h, &header)?;
    }
    row += 1;
    for column in kind.columns() {
        let (required, how) = help(kind, column.key, english, cat);
        help_ws.write_string_with_format(
            row,
            0,
            if english { column.en } else { column.vi },
            &bold,
        )?;
        help_ws.write_string_with_format(row, 1, &required, &wrap)?;
        help_ws.write_string_with_format(row, 2, &how, &wrap)?;
        let shown = example
            .and_then(|e| e.get(column.key))
            .map(Value::shown)
            .unwrap_or_default();
        help_ws.write_string_with_format(row, 3, &shown, &wrap)?;
        row += 1;
    }
    for (title, heads, rows) in reference_tables(kind, cat, english) {
        row += 1;
        help_ws.write_string_with_format(row, 0, &title, &big)?;
        row += 1;
        for (c, h) in heads.iter().enumerate() {
            help_ws.write_string_with_format(row, c as u16, *h, &header)?;
        }
        row += 1;
        for r in rows {
            for (c, v) in r.iter().enumerate() {
                help_ws.write_string(row, c as u16, v)?;
            }
            row += 1;
        }
    }

    let mut wb = Workbook::new();
    wb.push_worksheet(data);
    wb.push_worksheet(help_ws);
    wb.push_worksheet(lists_ws);
    wb.save_to_buffer()
}
