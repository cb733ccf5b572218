//! The gap reports as tables for download (CSV or XLSX: [`crate::shared::download`]): the
//! report, the cadres behind a cell, training demand, two dates compared; each in the caller's
//! language (`lang`): Vietnamese headers, requirement names, reasons and words, or the English
//! snake_case headers and reasons the API writes.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::engine::Check;
use super::reasons::{render, requirement_label, word, Lang, Names};
use super::report::{Assessment, CompareRow, DemandRow, ReportRow};
use crate::shared::download::{Cell, Table};

/// A row's unit name: the units' own (Vietnamese) names; the report's own rows (the totals,
/// the holders not placed, the whole country) named in the file's language.
fn unit_name(code: &str, name: &str, lang: Lang) -> Cell {
    match (lang, code) {
        (Lang::En, "TOTAL") => "Total".into(),
        (Lang::En, super::report::UNPLACED) => {
            "Not placed (unit dissolved with no successor yet, or not in that day's unit tree)"
                .into()
        }
        (Lang::En, "*") => "Whole country".into(),
        _ => name.into(),
    }
}

/// The English header or the Vietnamese one.
fn pick(lang: Lang, en: &str, vi: &str) -> String {
    match lang {
        Lang::En => en.to_string(),
        Lang::Vi => vi.to_string(),
    }
}

/// A split's three columns of one category: English `{cat}_assessed` …, Vietnamese
/// "{category}: được đánh giá" ….
fn split_headers(cat: &str, lang: Lang) -> [String; 3] {
    match lang {
        Lang::En => [
            format!("{cat}_assessed"),
            format!("{cat}_meeting"),
            format!("{cat}_short"),
        ],
        Lang::Vi => {
            let w = word(cat, lang);
            [
                format!("{w}: được đánh giá"),
                format!("{w}: đạt chuẩn"),
                format!("{w}: thiếu"),
            ]
        }
    }
}

/// The column of the holders short of a requirement.
fn short_header(key: &str, lang: Lang, names: &dyn Names) -> String {
    match lang {
        Lang::En => format!("short:{key}"),
        Lang::Vi => format!("Thiếu: {}", requirement_label(key, lang, names)),
    }
}

const GENDERS: [&str; 3] = ["female", "male", "other"];
const BANDS: [&str; 4] = ["under_35", "35_44", "45_54", "55_plus"];
const MINORITY: [&str; 2] = ["minority", "majority"];

/// The gap report as tables: the rows (with every requirement and split as columns, for CSV),
/// then one sheet per split.
pub fn gap_tables(
    rows: &[ReportRow],
    totals: &ReportRow,
    keys: &[String],
    lang: Lang,
    names: &dyn Names,
) -> Vec<Table> {
    let all: Vec<&ReportRow> = rows.iter().chain(std::iter::once(totals)).collect();
    let base = |r: &ReportRow| -> Vec<Cell> {
        vec![
            r.unit_code.as_str().into(),
            unit_name(&r.unit_code, &r.unit_name, lang),
            r.assessed.into(),
            r.meeting.into(),
            r.short.into(),
            r.compliance_pct.into(),
            r.no_standard.into(),
        ]
    };
    let unit_headers = || -> Vec<String> {
        vec![
            pick(lang, "unit_code", "Mã đơn vị"),
            pick(lang, "unit_name", "Tên đơn vị"),
        ]
    };
    let mut base_headers = unit_headers();
    base_headers.extend([
        pick(lang, "assessed", "Số được đánh giá"),
        pick(lang, "meeting", "Đạt chuẩn"),
        pick(lang, "short", "Chưa đạt chuẩn"),
        pick(lang, "compliance_pct", "Tỷ lệ đạt chuẩn (%)"),
        pick(lang, "no_standard", "Chưa có tiêu chuẩn"),
    ]);
    let split =
        |name: &str,
         cats: &[&str],
         get: &dyn Fn(&ReportRow) -> &std::collections::BTreeMap<String, super::report::Counts>|
         -> Table {
            let mut headers = unit_headers();
            for c in cats {
                headers.extend(split_headers(c, lang));
            }
            Table {
                name: name.into(),
                headers,
                rows: all
                    .iter()
                    .map(|r| {
                        let mut v: Vec<Cell> = vec![
                            r.unit_code.as_str().into(),
                            unit_name(&r.unit_code, &r.unit_name, lang),
                        ];
                        for c in cats {
                            let k = get(r).get(*c).copied().unwrap_or_default();
                            v.extend([k.assessed.into(), k.meeting.into(), k.short.into()]);
                        }
                        v
                    })
                    .collect(),
            }
        };
    let gender = split(&pick(lang, "gender", "Giới tính"), &GENDERS, &|r| {
        &r.by_gender
    });
    let age = split(&pick(lang, "age_band", "Nhóm tuổi"), &BANDS, &|r| {
        &r.by_age_band
    });
    let minority = split(&pick(lang, "minority", "Dân tộc"), &MINORITY, &|r| {
        &r.by_minority
    });
    let mut main_headers = base_headers.clone();
    main_headers.extend(keys.iter().map(|k| short_header(k, lang, names)));
    for t in [&gender, &age, &minority] {
        main_headers.extend(t.headers[2..].iter().cloned());
    }
    let main_rows = all
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut v = base(r);
            v.extend(
                keys.iter()
                    .map(|k| Cell::from(r.short_by_requirement.get(k).copied().unwrap_or(0))),
            );
            for t in [&gender, &age, &minority] {
                v.extend(t.rows[i][2..].iter().cloned());
            }
            v
        })
        .collect();
    let mut req_headers = unit_headers();
    req_headers.extend(keys.iter().map(|k| match lang {
        Lang::En => k.clone(),
        Lang::Vi => short_header(k, lang, names),
    }));
    let requirements = Table {
        name: pick(lang, "short_by_requirement", "Thiếu theo yêu cầu"),
        headers: req_headers,
        rows: all
            .iter()
            .map(|r| {
                let mut v: Vec<Cell> = vec![
                    r.unit_code.as_str().into(),
                    unit_name(&r.unit_code, &r.unit_name, lang),
                ];
                v.extend(
                    keys.iter()
                        .map(|k| Cell::from(r.short_by_requirement.get(k).copied().unwrap_or(0))),
                );
                v
            })
            .collect(),
    };
    let summary = Table {
        name: pick(lang, "report", "Báo cáo"),
        headers: main_headers,
        rows: main_rows,
    };
    vec![summary, requirements, gender, age, minority]
}

fn names(headers: &[&str]) -> Vec<String> {
    headers.iter().map(|s| s.to_string()).collect()
}

/// The headers of the cadres behind a cell.
pub fn cadre_headers(lang: Lang) -> Vec<String> {
    match lang {
        Lang::En => names(&[
            "cadre_id",
            "full_name",
            "unit_code",
            "title_code",
            "population",
            "standard_version",
            "unmet",
            "reasons",
        ]),
        Lang::Vi => names(&[
            "Mã cán bộ",
            "Họ và tên",
            "Mã đơn vị",
            "Mã chức danh",
            "Đối tượng",
            "Phiên bản tiêu chuẩn",
            "Yêu cầu chưa đạt",
            "Lý do",
        ]),
    }
}

/// One cadre behind a cell: who, where, which title, and what they are short of, and why.
pub fn cadre_row(a: Assessment, lang: Lang, names: &dyn Names) -> Vec<Cell> {
    let unmet: Vec<&Check> = a.unmet().collect();
    // English as the check words it; Vietnamese written from its code and values.
    fn reason<'c>(c: &'c Check, lang: Lang, names: &dyn Names) -> Cow<'c, str> {
        match (lang, c.code) {
            (Lang::Vi, Some(code)) => Cow::Owned(render(code, &c.params, lang, names)),
            _ => Cow::Borrowed(&c.reason),
        }
    }
    let labels = unmet
        .iter()
        .map(|c| requirement_label(&c.key, lang, names))
        .collect::<Vec<_>>()
        .join("; ");
    let reasons = unmet
        .iter()
        .map(|c| reason(c, lang, names))
        .collect::<Vec<_>>()
        .join("; ");
    // The assessment's own strings moved into the row, not copied.
    vec![
        Cell::from(a.cadre_id),
        Cell::Text(a.full_name),
        Cell::Text(a.unit_code),
        Cell::Text(a.title_code),
        word(a.population.as_str(), lang).into(),
        a.standard_version.map(|v| v as f64).into(),
        Cell::Text(labels),
        Cell::Text(reasons),
    ]
}

/// Training demand as tables: one row per module, then one per module and unit (XLSX only).
pub fn demand_tables(modules: &[DemandRow], lang: Lang) -> Vec<Table> {
    let by_module = Table {
        name: pick(lang, "modules", "Chuyên đề"),
        headers: match lang {
            Lang::En => names(&[
                "module_code",
                "module_title",
                "needed",
                "seats_planned",
                "enrolled",
                "seats_free",
                "remaining",
            ]),
            Lang::Vi => names(&[
                "Mã chuyên đề",
                "Tên chuyên đề",
                "Số cán bộ cần học",
                "Số chỗ đã lên kế hoạch",
                "Số cán bộ cần học đã có chỗ",
                "Số chỗ còn trống",
                "Còn thiếu",
            ]),
        },
        rows: modules
            .iter()
            .map(|m| {
                let title = match lang {
                    Lang::En if !m.module_title_en.is_empty() => &m.module_title_en,
                    _ => &m.module_title_vi,
                };
                vec![
                    m.module_code.as_str().into(),
                    title.as_str().into(),
                    m.needed.into(),
                    m.seats_planned.into(),
                    m.enrolled.into(),
                    m.seats_free.into(),
                    m.remaining.into(),
                ]
            })
            .collect(),
    };
    let by_unit = Table {
        name: pick(lang, "by_unit", "Theo đơn vị"),
        headers: match lang {
            Lang::En => names(&["module_code", "unit_code", "unit_name", "needed"]),
            Lang::Vi => names(&[
                "Mã chuyên đề",
                "Mã đơn vị",
                "Tên đơn vị",
                "Số cán bộ cần học",
            ]),
        },
        rows: modules
            .iter()
            .flat_map(|m| {
                m.by_unit.iter().map(move |c| {
                    vec![
                        m.module_code.as_str().into(),
                        c.unit_code.as_str().into(),
                        unit_name(&c.unit_code, &c.unit_name, lang),
                        c.needed.into(),
                    ]
                })
            })
            .collect(),
    };
    vec![by_module, by_unit]
}

/// Two dates compared as a table: one row per group, then the totals.
pub fn compare_table(
    rows: &[CompareRow],
    totals: &CompareRow,
    (from, to): (NaiveDate, NaiveDate),
    lang: Lang,
) -> Table {
    let row = |r: &CompareRow| -> Vec<Cell> {
        vec![
            r.unit_code.as_str().into(),
            unit_name(&r.unit_code, &r.unit_name, lang),
            r.from.assessed.into(),
            r.from.meeting.into(),
            r.from.compliance_pct.into(),
            r.to.assessed.into(),
            r.to.meeting.into(),
            r.to.compliance_pct.into(),
            r.change_pct.into(),
        ]
    };
    Table {
        name: pick(lang, "compare", "So sánh"),
        headers: match lang {
            Lang::En => names(&[
                "unit_code",
                "unit_name",
                "from_assessed",
                "from_meeting",
                "from_compliance_pct",
                "to_assessed",
                "to_meeting",
                "to_compliance_pct",
                "change_pct",
            ]),
            Lang::Vi => {
                let (a, b) = (from.format("%d/%m/%Y"), to.format("%d/%m/%Y"));
                vec![
                    "Mã đơn vị".into(),
                    "Tên đơn vị".into(),
                    format!("Số được đánh giá ngày {a}"),
                    format!("Đạt chuẩn ngày {a}"),
                    format!("Tỷ lệ đạt chuẩn ngày {a} (%)"),
                    format!("Số được đánh giá ngày {b}"),
                    format!("Đạt chuẩn ngày {b}"),
                    format!("Tỷ lệ đạt chuẩn ngày {b} (%)"),
                    "Thay đổi (điểm %)".into(),
                ]
            }
        },
        rows: rows.iter().chain([totals]).map(row).collect(),
    }
}
