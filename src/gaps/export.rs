//! The gap reports as tables for download (CSV or XLSX: [`crate::shared::download`]): the
//! report, the cadres behind a cell, training demand, two dates compared.

use super::engine::Check;
use super::report::{Assessment, CompareRow, DemandRow, ReportRow};
use crate::shared::download::{Cell, Table};

const GENDERS: [&str; 3] = ["female", "male", "other"];
const BANDS: [&str; 4] = ["under_35", "35_44", "45_54", "55_plus"];
const MINORITY: [&str; 2] = ["minority", "majority"];

/// The gap report as tables: the rows (with every requirement and split as columns, for CSV),
/// then one sheet per split.
pub fn gap_tables(rows: &[ReportRow], totals: &ReportRow, keys: &[String]) -> Vec<Table> {
    let all: Vec<&ReportRow> = rows.iter().chain(std::iter::once(totals)).collect();
    let base = |r: &ReportRow| -> Vec<Cell> {
        vec![
            r.unit_code.as_str().into(),
            r.unit_name.as_str().into(),
            r.assessed.into(),
            r.meeting.into(),
            r.short.into(),
            r.compliance_pct.into(),
            r.no_standard.into(),
        ]
    };
    let base_headers: Vec<String> = [
        "unit_code",
        "unit_name",
        "assessed",
        "meeting",
        "short",
        "compliance_pct",
        "no_standard",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let split =
        |name: &str,
         cats: &[&str],
         get: &dyn Fn(&ReportRow) -> &std::collections::BTreeMap<String, super::report::Counts>|
         -> Table {
            let mut headers: Vec<String> = vec!["unit_code".into(), "unit_name".into()];
            for c in cats {
                headers.extend([
                    format!("{c}_assessed"),
                    format!("{c}_meeting"),
                    format!("{c}_short"),
                ]);
            }
            Table {
                name: name.into(),
                headers,
                rows: all
                    .iter()
                    .map(|r| {
                        let mut v: Vec<Cell> =
                            vec![r.unit_code.as_str().into(), r.unit_name.as_str().into()];
                        for c in cats {
                            let k = get(r).get(*c).copied().unwrap_or_default();
                            v.extend([k.assessed.into(), k.meeting.into(), k.short.into()]);
                        }
                        v
                    })
                    .collect(),
            }
        };
    let gender = split("gender", &GENDERS, &|r| &r.by_gender);
    let age = split("age_band", &BANDS, &|r| &r.by_age_band);
    let minority = split("minority", &MINORITY, &|r| &r.by_minority);
    let mut main_headers = base_headers.clone();
    main_headers.extend(keys.iter().map(|k| format!("short:{k}")));
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
    let mut req_headers = vec!["unit_code".to_string(), "unit_name".to_string()];
    req_headers.extend(keys.iter().cloned());
    let requirements = Table {
        name: "short_by_requirement".into(),
        headers: req_headers,
        rows: all
            .iter()
            .map(|r| {
                let mut v: Vec<Cell> =
                    vec![r.unit_code.as_str().into(), r.unit_name.as_str().into()];
                v.extend(
                    keys.iter()
                        .map(|k| Cell::from(r.short_by_requirement.get(k).copied().unwrap_or(0))),
                );
                v
            })
            .collect(),
    };
    let summary = Table {
        name: "report".into(),
        headers: main_headers,
        rows: main_rows,
    };
    vec![summary, requirements, gender, age, minority]
}

fn names(headers: &[&str]) -> Vec<String> {
    headers.iter().map(|s| s.to_string()).collect()
}

/// The headers of the cadres behind a cell.
pub fn cadre_headers() -> Vec<String> {
    names(&[
        "cadre_id",
        "full_name",
        "unit_code",
        "title_code",
        "population",
        "standard_version",
        "unmet",
        "reasons",
    ])
}

/// One cadre behind a cell: who, where, which title, and what they are short of, and why.
pub fn cadre_row(a: &Assessment) -> Vec<Cell> {
    let unmet: Vec<&Check> = a.unmet().collect();
    vec![
        Cell::from(a.cadre_id),
        a.full_name.as_str().into(),
        a.unit_code.as_str().into(),
        a.title_code.as_str().into(),
        a.population.as_str().into(),
        a.standard_version.map(|v| v as f64).into(),
        unmet
            .iter()
            .map(|c| c.key.as_str())
            .collect::<Vec<_>>()
            .join("; ")
            .into(),
        unmet
            .iter()
            .map(|c| c.reason.as_str())
            .collect::<Vec<_>>()
            .join("; ")
            .into(),
    ]
}

/// Training demand as tables: one row per module, then one per module and unit (XLSX only).
pub fn demand_tables(modules: &[DemandRow]) -> Vec<Table> {
    let by_module = Table {
        name: "modules".into(),
        headers: names(&[
            "module_code",
            "module_title_vi",
            "needed",
            "seats_planned",
            "remaining",
        ]),
        rows: modules
            .iter()
            .map(|m| {
                vec![
                    m.module_code.as_str().into(),
                    m.module_title_vi.as_str().into(),
                    m.needed.into(),
                    m.seats_planned.into(),
                    m.remaining.into(),
                ]
            })
            .collect(),
    };
    let by_unit = Table {
        name: "by_unit".into(),
        headers: names(&["module_code", "unit_code", "unit_name", "needed"]),
        rows: modules
            .iter()
            .flat_map(|m| {
                m.by_unit.iter().map(move |c| {
                    vec![
                        m.module_code.as_str().into(),
                        c.unit_code.as_str().into(),
                        c.unit_name.as_str().into(),
                        c.needed.into(),
                    ]
                })
            })
            .collect(),
    };
    vec![by_module, by_unit]
}

/// Two dates compared as a table: one row per group, then the totals.
pub fn compare_table(rows: &[CompareRow], totals: &CompareRow) -> Table {
    let row = |r: &CompareRow| -> Vec<Cell> {
        vec![
            r.unit_code.as_str().into(),
            r.unit_name.as_str().into(),
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
        name: "compare".into(),
        headers: names(&[
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
        rows: rows.iter().chain([totals]).map(row).collect(),
    }
}
