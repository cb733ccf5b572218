//! The planner's rules, table by table: plain-data sheets and lookups in, writes or problems
//! (row, column, reason) out. The headers are the column keys, so a problem's column is its key.
//!
//! Every problem of every row is reported (pinned by `every_problem_of_a_row`): each cell is
//! read and checked, and every check against other data that the row's good cells allow is made
//! (the personal id seen earlier in the file, the home unit, a cadre on record outside the
//! caller's subtree, the title held and the title planned with their units and levels and the
//! periods on record, the move's date), whatever else fails on the row.

use chrono::NaiveDate;
use std::collections::HashMap;

use super::*;
use crate::cadres::domain::{Gender, Organisation};
use crate::error::ErrorDetail;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn today() -> NaiveDate {
    day("2025-06-15")
}

fn t(s: &str) -> Cell {
    Cell::Text(s.into())
}

/// The Excel serial number of a day (what an XLSX date cell holds).
fn serial(s: &str) -> f64 {
    (day(s) - day("1899-12-30")).num_days() as f64
}

type Cells = Vec<(&'static str, Cell)>;

/// The problems of one row: (column, reason).
type RowProblems = Vec<(&'static str, &'static str)>;

/// The problems of a file: (row, column, reason).
type FileProblems = Vec<(usize, &'static str, &'static str)>;

/// A period to insert: (title id, unit, from, to).
type PeriodWant = (i64, &'static str, &'static str, Option<&'static str>);

/// A sheet of `kind` whose header is every column key; each row is `base` with its own cells
/// over it. Rows are numbered from 2 (the header is row 1).
fn sheet(kind: Kind, base: &[(&'static str, Cell)], rows: &[Cells]) -> Sheet {
    let headers: Vec<String> = kind.columns().iter().map(|c| c.key.to_string()).collect();
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, own)| {
            let mut cells = vec![Cell::Empty; headers.len()];
            for (k, c) in base.iter().chain(own) {
                let at = headers.iter().position(|h| h == k).unwrap_or_else(|| {
                    panic!("no column {k}");
                });
                cells[at] = c.clone();
            }
            (i + 2, cells)
        })
        .collect();
    Sheet { headers, rows }
}

/// The problems of a plan: (row, column, reason), in the order reported.
fn problems<T: std::fmt::Debug>(r: Result<T, AppError>) -> Vec<(usize, String, String)> {
    match r {
        Err(AppError::Problems { report, .. }) => report
            .listed
            .iter()
            .map(|d: &ErrorDetail| {
                (
                    d.row.unwrap_or(0),
                    d.field.clone().unwrap_or_default(),
                    d.message.clone(),
                )
            })
            .collect(),
        Err(e) => panic!("not a list of problems: {e}"),
        Ok(p) => panic!("no problems: {p:?}"),
    }
}

fn owned(p: &[(usize, &str, &str)]) -> Vec<(usize, String, String)> {
    p.iter()
        .map(|(r, f, m)| (*r, f.to_string(), m.to_string()))
        .collect()
}

fn officer() -> Scope {
    Scope::Subtree {
        code: "760".into(),
        path: "/79/760/".into(),
    }
}

// ------------------------------------------------------------------------------------------
// Cadres

/// The unit tree: the city, two districts (760 with wards 26734, 26737 and the retired 26743;
/// 770 with ward 27127).
fn units() -> HashMap<String, UnitInfo> {
    [
        ("79", "/79/", "city", false),
        ("760", "/79/760/", "district", false),
        ("26734", "/79/760/26734/", "commune", false),
        ("26737", "/79/760/26737/", "commune", false),
        ("26743", "/79/760/26743/", "commune", true),
        ("770", "/79/770/", "district", false),
        ("27127", "/79/770/27127/", "commune", false),
    ]
    .into_iter()
    .map(|(code, path, level, retired)| {
        (
            code.to_string(),
            UnitInfo {
                path: path.into(),
                level: level.into(),
                retired_on: retired.then(|| day("2025-07-01")),
                created_on: None,
            },
        )
    })
    .collect()
}

/// An Chủ tịch of ward 26734 since 2020-06-01 (held 100), Phó chủ tịch there 2010–2014 (held
/// 101), planned for the district chair from 2021 (planned 200); Sơn, on record in district 770.
fn lookups() -> CadreLookups {
    let titles = [
        ("FF-CHAIR-COMMUNE", 1, "commune", true),
        ("FF-CHAIR-DISTRICT", 2, "district", true),
        ("FF-VICE-COMMUNE", 3, "commune", true),
        ("OLD-COMMUNE", 4, "commune", false),
    ]
    .into_iter()
    .map(|(code, id, level, active)| {
        (
            code.to_string(),
            TitleInfo {
                id,
                level: level.into(),
                active,
                org: code.split('-').next().unwrap_or("").into(),
            },
        )
    })
    .collect();
    let an = ExistingCadre {
        id: 10,
        w: an_write(),
        unit_path: "/79/760/26734/".into(),
        unit_from: Some(day("2015-01-01")),
    };
    let son = ExistingCadre {
        id: 11,
        w: CadreWrite {
            full_name: "Đặng Văn Sơn".into(),
            personal_id: PersonalId::stored("079170000009"),
            unit_code: "27127".into(),
            ..an_write()
        },
        unit_path: "/79/770/27127/".into(),
        unit_from: None,
    };
    let period = |id, title_id, unit: &str, from: &str, to: Option<&str>| ExistingPeriod {
        id,
        cadre_id: 10,
        title_id,
        unit_code: unit.into(),
        from: day(from),
        to: to.map(day),
    };
    CadreLookups {
        units: units(),
        titles,
        cadres: [an, son]
            .into_iter()
            .map(|c| (c.w.personal_id.to_string(), c))
            .collect(),
        held: vec![
            period(100, 1, "26734", "2020-06-01", None),
            period(101, 3, "26734", "2010-01-01", Some("2014-12-31")),
        ],
        planned: vec![period(200, 2, "760", "2021-01-01", None)],
        homes: [(
            10,
            vec![ExistingHome {
                code: "26734".into(),
                from: day("2015-01-01"),
                until: None,
            }],
        )]
        .into(),
        first_title_day: [(10, day("2010-01-01"))].into(),
        first_record_day: [(10, day("1990-01-01"))].into(),
        seats: HashMap::new(),
    }
}

/// An's record as stored.
fn an_write() -> CadreWrite {
    CadreWrite {
        full_name: "Nguyễn Thị An".into(),
        gender: Gender::Female,
        birth_date: day("1980-03-15"),
        ethnicity: "Kinh".into(),
        ethnic_minority: false,
        religion: None,
        party_joined_on: None,
        personal_id: PersonalId::stored("079180000001"),
        unit_code: "26734".into(),
        organisation: Organisation::FatherlandFront,
        phone: None,
        email: None,
        active: true,
    }
}

/// A row for An exactly as on record.
fn an() -> Cells {
    vec![
        ("personal_id", t("079180000001")),
        ("full_name", t("Nguyễn Thị An")),
        ("gender", t("Nữ")),
        ("birth_date", t("15/03/1980")),
        ("ethnicity", t("Kinh")),
        ("unit_code", t("26734")),
        ("organisation", t("Mặt trận Tổ quốc")),
    ]
}

/// A row for Bình, who is not on record.
fn binh() -> Cells {
    vec![
        ("personal_id", t("079185000002")),
        ("full_name", t("Trần Văn Bình")),
        ("gender", t("Nam")),
        ("birth_date", t("02/07/1985")),
        ("ethnicity", t("Kinh")),
        ("unit_code", t("26734")),
        ("organisation", t("Mặt trận Tổ quốc")),
    ]
}

fn plan_rows(base: Cells, rows: &[Cells], scope: &Scope) -> Result<CadrePlan, AppError> {
    let s = sheet(Kind::Cadres, &base, rows);
    plan_cadres(&s, &lookups(), scope, today(), Problems::new())
}

/// One row: `base` with `own` over it, planned for an admin.
fn plan_one(base: Cells, own: Cells) -> Result<CadrePlan, AppError> {
    plan_rows(base, &[own], &Scope::All)
}

/// Each column's reading: a new cadre's row with one or two cells changed, and what the
/// created record holds.
#[test]
fn cadre_columns_are_read() {
    type Get = fn(&NewCadre) -> String;
    let name: Get = |n| n.w.full_name.clone();
    let pid: Get = |n| n.w.personal_id.to_string();
    let gender: Get = |n| n.w.gender.as_str().to_string();
    let birth: Get = |n| n.w.birth_date.to_string();
    let org: Get = |n| n.w.organisation.as_str().to_string();
    let minority: Get = |n| n.w.ethnic_minority.to_string();
    let ethnicity: Get = |n| n.w.ethnicity.clone();
    let religion: Get = |n| format!("{:?}", n.w.religion);
    let party: Get = |n| format!("{:?}", n.w.party_joined_on);
    let phone: Get = |n| format!("{:?}", n.w.phone);
    let email: Get = |n| format!("{:?}", n.w.email);
    let active: Get = |n| n.w.active.to_string();
    let since: Get = |n| n.since.to_string();
    let cases: Vec<(Cells, Get, &str)> = vec![
        // Personal ids: spaces dropped; a number cell gets back the leading zero it lost.
        (
            vec![("personal_id", t(" 079 185 000 002 "))],
            pid,
            "079185000002",
        ),
        (
            vec![("personal_id", Cell::Number(79185000002.0))],
            pid,
            "079185000002",
        ),
        (
            vec![("personal_id", Cell::Number(23456789.0))],
            pid,
            "023456789",
        ),
        (vec![("personal_id", t("123456789"))], pid, "123456789"),
        // Names: spaces collapsed.
        (
            vec![("full_name", t("  Trần   Văn  Bình "))],
            name,
            "Trần Văn Bình",
        ),
        // Genders: Vietnamese or English, any case, with or without diacritics.
        (vec![("gender", t("Nam"))], gender, "male"),
        (vec![("gender", t("m"))], gender, "male"),
        (vec![("gender", t("MALE"))], gender, "male"),
        (vec![("gender", t("Nữ"))], gender, "female"),
        (vec![("gender", t("nu"))], gender, "female"),
        (vec![("gender", t("F"))], gender, "female"),
        (vec![("gender", t("Khác"))], gender, "other"),
        (vec![("gender", t("other"))], gender, "other"),
        // Dates: day first or ISO, a spreadsheet's date-time, date and number cells.
        (vec![("birth_date", t("02/07/1985"))], birth, "1985-07-02"),
        (vec![("birth_date", t("2/7/1985"))], birth, "1985-07-02"),
        (vec![("birth_date", t("1985-07-02"))], birth, "1985-07-02"),
        (vec![("birth_date", t("02-07-1985"))], birth, "1985-07-02"),
        (vec![("birth_date", t("02.07.1985"))], birth, "1985-07-02"),
        (
            vec![("birth_date", t("1985-07-02T00:00:00"))],
            birth,
            "1985-07-02",
        ),
        (
            vec![("birth_date", Cell::Date(serial("1985-07-02")))],
            birth,
            "1985-07-02",
        ),
        (
            vec![("birth_date", Cell::Number(serial("1985-07-02")))],
            birth,
            "1985-07-02",
        ),
        // Organisations: Vietnamese name (diacritics optional) or code.
        (
            vec![("organisation", t("Mặt trận Tổ quốc"))],
            org,
            "fatherland_front",
        ),
        (
            vec![("organisation", t("mat tran to quoc"))],
            org,
            "fatherland_front",
        ),
        (
            vec![("organisation", t("fatherland_front"))],
            org,
            "fatherland_front",
        ),
        (
            vec![("organisation", t("Đoàn Thanh niên"))],
            org,
            "youth_union",
        ),
        (
            vec![("organisation", t("Hội Liên hiệp Phụ nữ"))],
            org,
            "womens_union",
        ),
        (
            vec![("organisation", t("FARMERS_ASSOCIATION"))],
            org,
            "farmers_association",
        ),
        (
            vec![("organisation", t("Liên đoàn Lao động"))],
            org,
            "labour_federation",
        ),
        (
            vec![("organisation", t("Lực lượng vũ trang"))],
            org,
            "armed_forces",
        ),
        // Ethnic minority: yes/no in words, marks, numbers, booleans; blank: not Kinh.
        (vec![], minority, "false"),
        (vec![("ethnicity", t("Hoa"))], minority, "true"),
        (vec![("ethnicity", t("KINH"))], minority, "false"),
        (
            vec![("ethnicity", t("Kinh")), ("ethnic_minority", t("có"))],
            minority,
            "true",
        ),
        (vec![("ethnic_minority", t("x"))], minority, "true"),
        (vec![("ethnic_minority", t("1"))], minority, "true"),
        (vec![("ethnic_minority", t("Yes"))], minority, "true"),
        (vec![("ethnic_minority", t("đúng"))], minority, "true"),
        (
            vec![("ethnic_minority", Cell::Number(1.0))],
            minority,
            "true",
        ),
        (
            vec![("ethnic_minority", Cell::Bool(true))],
            minority,
            "true",
        ),
        (
            vec![("ethnicity", t("Hoa")), ("ethnic_minority", t("Không"))],
            minority,
            "false",
        ),
        (
            vec![("ethnicity", t("Hoa")), ("ethnic_minority", t("0"))],
            minority,
            "false",
        ),
        (
            vec![("ethnicity", t("Hoa")), ("ethnic_minority", t("no"))],
            minority,
            "false",
        ),
        (
            vec![("ethnicity", t("Hoa")), ("ethnic_minority", t("sai"))],
            minority,
            "false",
        ),
        (
            vec![
                ("ethnicity", t("Hoa")),
                ("ethnic_minority", Cell::Bool(false)),
            ],
            minority,
            "false",
        ),
        (
            vec![
                ("ethnicity", t("Hoa")),
                ("ethnic_minority", Cell::Number(0.0)),
            ],
            minority,
            "false",
        ),
        (
            vec![("ethnicity", t("Hoa")), ("ethnic_minority", t("  "))],
            minority,
            "true",
        ),
        (vec![("ethnicity", t(" Ê   Đê "))], ethnicity, "Ê Đê"),
        // Optional texts: blank is none.
        (vec![], religion, "None"),
        (vec![("religion", t(" "))], religion, "None"),
        (
            vec![("religion", t("Phật  giáo"))],
            religion,
            "Some(\"Phật giáo\")",
        ),
        (vec![], party, "None"),
        (
            vec![("party_joined_on", t("02/03/2005"))],
            party,
            "Some(2005-03-02)",
        ),
        (vec![], phone, "None"),
        (
            vec![("phone", t("0909 123 456"))],
            phone,
            "Some(\"0909 123 456\")",
        ),
        (vec![], email, "None"),
        (
            vec![("email", t("Can.Bo@Example.vn"))],
            email,
            "Some(\"can.bo@example.vn\")",
        ),
        // Active: blank is yes.
        (vec![], active, "true"),
        (vec![("active", t("không"))], active, "false"),
        (vec![("active", t("có"))], active, "true"),
        // In the unit since: blank is today; today itself is fine.
        (vec![], since, "2025-06-15"),
        (vec![("unit_since", t("01/01/2015"))], since, "2015-01-01"),
        (vec![("unit_since", t("2025-06-15"))], since, "2025-06-15"),
    ];
    for (own, get, want) in cases {
        let label = format!("{own:?}");
        let plan = plan_one(binh(), own).unwrap_or_else(|e| panic!("{label}: {e:?}"));
        assert_eq!(plan.new.len(), 1, "{label}");
        assert_eq!(get(&plan.new[0]), want, "{label}");
        assert_eq!(plan.counts.created, 1, "{label}");
    }
}

/// Each column's problems: a new cadre's row with cells changed, and every problem it gets.
#[test]
fn cadre_column_problems() {
    const REQUIRED: &str = "a value is required";
    const NOT_A_DATE: &str = "not a date: write it as DD/MM/YYYY or YYYY-MM-DD";
    const YES_NO: &str = "write có or không (yes or no)";
    let cases: Vec<(Cells, Vec<(&str, &str)>)> = vec![
        // Blanks in required columns.
        (vec![("personal_id", t(" "))], vec![("personal_id", REQUIRED)]),
        (vec![("full_name", Cell::Empty)], vec![("full_name", REQUIRED)]),
        (vec![("gender", t(""))], vec![("gender", REQUIRED)]),
        (vec![("birth_date", Cell::Empty)], vec![("birth_date", "a date is required")]),
        (vec![("ethnicity", t(" "))], vec![("ethnicity", REQUIRED)]),
        (vec![("unit_code", Cell::Empty)], vec![("unit_code", REQUIRED)]),
        (vec![("organisation", Cell::Empty)], vec![("organisation", REQUIRED)]),
        // Personal ids.
        (vec![("personal_id", t("12345"))], vec![("personal_id", "personal_id must be 9 or 12 digits")]),
        (vec![("personal_id", t("07918500000A"))], vec![("personal_id", "personal_id must be 9 or 12 digits")]),
        (vec![("personal_id", Cell::Number(1234567.0))], vec![("personal_id", "personal_id must be 9 or 12 digits")]),
        // Names.
        (vec![("full_name", t("X"))], vec![("full_name", "full_name must be 2 to 120 characters")]),
        (vec![("full_name", t("Trần Văn 3"))], vec![("full_name", "full_name may hold only letters, spaces, ' and -")]),
        // Genders and organisations.
        (vec![("gender", t("Robot"))], vec![("gender", "write Nam, Nữ or Khác (male, female, other)")]),
        (vec![("organisation", t("Câu lạc bộ"))], vec![("organisation", "unknown organisation; write e.g. Mặt trận Tổ quốc, Đoàn Thanh niên, Hội Liên hiệp Phụ nữ")]),
        // Dates: unreadable, impossible, out of the years taken, a birth too late.
        (vec![("birth_date", t("31/02/1980"))], vec![("birth_date", NOT_A_DATE)]),
        (vec![("birth_date", t("soon"))], vec![("birth_date", NOT_A_DATE)]),
        (vec![("birth_date", Cell::Bool(true))], vec![("birth_date", NOT_A_DATE)]),
        (vec![("birth_date", Cell::Number(0.5))], vec![("birth_date", NOT_A_DATE)]),
        (vec![("birth_date", t("01/01/1850"))], vec![("birth_date", "the date 1850-01-01 is not between 1900-01-01 and 2100-12-31")]),
        (vec![("birth_date", t("2020-01-01"))], vec![("birth_date", "birth_date must be on or after 1900-01-01 and at least 15 years ago")]),
        (vec![("party_joined_on", t("1970-01-01"))], vec![("party_joined_on", "party_joined_on must be after the birth date and not in the future")]),
        (vec![("party_joined_on", t("2025-06-16"))], vec![("party_joined_on", "party_joined_on must be after the birth date and not in the future")]),
        (vec![("party_joined_on", t("1985-07-02"))], vec![("party_joined_on", "party_joined_on must be after the birth date and not in the future")]),
        // The Party date is checked against a birth date only when that one is good.
        (vec![("birth_date", t("2020-01-01")), ("party_joined_on", t("2019-01-01"))], vec![("birth_date", "birth_date must be on or after 1900-01-01 and at least 15 years ago")]),
        (vec![("unit_since", t("2025-06-16"))], vec![("unit_since", "the date is in the future")]),
        (vec![("unit_since", t("later"))], vec![("unit_since", NOT_A_DATE)]),
        // Words, phone, e-mail.
        (vec![("ethnicity", t("K1nh"))], vec![("ethnicity", "ethnicity may hold only letters, spaces, ' and -, and begins with a letter")]),
        (vec![("ethnicity", t(&"a".repeat(51)))], vec![("ethnicity", "ethnicity must be 1 to 50 characters")]),
        (vec![("religion", t("=1"))], vec![("religion", "religion may hold only letters, spaces, ' and -, and begins with a letter")]),
        (vec![("phone", t("call me"))], vec![("phone", "phone must be a telephone number of 8 to 15 digits")]),
        (vec![("email", t("nobody"))], vec![("email", "email is not an e-mail address")]),
        // Yes/no.
        (vec![("ethnic_minority", t("có lẽ"))], vec![("ethnic_minority", YES_NO)]),
        (vec![("ethnic_minority", Cell::Number(2.0))], vec![("ethnic_minority", YES_NO)]),
        (vec![("active", t("maybe"))], vec![("active", YES_NO)]),
        // A NUL character anywhere.
        (vec![("religion", t("Phật\0giáo"))], vec![("religion", "must not contain a NUL character"), ("religion", "religion may hold only letters, spaces, ' and -, and begins with a letter")]),
        // Every problem of a row's cells, in the order of the columns read.
        (
            vec![
                ("personal_id", t("12ab")),
                ("full_name", Cell::Empty),
                ("gender", t("Robot")),
                ("birth_date", t("31/02/1980")),
                ("organisation", t("Câu lạc bộ")),
                ("email", t("nobody")),
            ],
            vec![
                ("personal_id", "personal_id must be 9 or 12 digits"),
                ("full_name", REQUIRED),
                ("gender", "write Nam, Nữ or Khác (male, female, other)"),
                ("birth_date", NOT_A_DATE),
                ("organisation", "unknown organisation; write e.g. Mặt trận Tổ quốc, Đoàn Thanh niên, Hội Liên hiệp Phụ nữ"),
                ("email", "email is not an e-mail address"),
            ],
        ),
    ];
    for (own, want) in cases {
        let label = format!("{own:?}");
        let want: Vec<(usize, &str, &str)> = want.into_iter().map(|(f, m)| (2, f, m)).collect();
        assert_eq!(problems(plan_one(binh(), own)), owned(&want), "{label}");
    }
}

/// The title held and the title planned, as a row gives them: which cells go together, their
/// dates, and the checks against the titles and units.
#[test]
fn title_columns() {
    const NO_TITLE: &str = "no active title with this code";
    // Held (title_*) and planned (plan_*) columns follow the same rules.
    for [code, unit, from, to] in [
        ["title_code", "title_unit_code", "title_from", "title_to"],
        ["plan_title_code", "plan_unit_code", "plan_from", "plan_to"],
    ] {
        let mut ok: Vec<(Cells, PeriodWant)> = vec![
            // The unit defaults to the home unit; codes are taken in any case.
            (
                vec![(code, t("ff-chair-commune")), (from, t("01/06/2020"))],
                (1, "26734", "2020-06-01", None),
            ),
            (
                vec![
                    (code, t("FF-CHAIR-COMMUNE")),
                    (from, t("2020-06-01")),
                    (to, t("2020-06-01")),
                ],
                (1, "26734", "2020-06-01", Some("2020-06-01")),
            ),
            (
                vec![
                    (code, t("FF-CHAIR-DISTRICT")),
                    (unit, t("760")),
                    (from, t("2021-01-01")),
                    (to, t("31/12/2025")),
                ],
                (2, "760", "2021-01-01", Some("2025-12-31")),
            ),
        ];
        // A plan at another ward of the home district (a date cell); a title held there is
        // off the line of the new cadre's unit from the day they join it.
        let elsewhere = vec![
            (code, t("FF-VICE-COMMUNE")),
            (unit, t("26737")),
            (from, Cell::Date(serial("2019-01-01"))),
        ];
        if code == "title_code" {
            let Err(AppError::Problems { report, .. }) = plan_one(binh(), elsewhere) else {
                panic!("off the line: not a list of problems");
            };
            let listed: Vec<_> = report
                .listed
                .iter()
                .map(|d| (d.field.clone(), d.code, d.params.clone().map(Value::Object)))
                .collect();
            assert_eq!(
                listed,
                [(
                    Some(unit.to_string()),
                    Some(C::TitleOffLine),
                    Some(
                        json!({"title": "FF-VICE-COMMUNE", "unit": "26737", "home": "26734",
                        "date": "2025-06-15"})
                    )
                )]
            );
        } else {
            ok.push((elsewhere, (3, "26737", "2019-01-01", None)));
        }
        for (own, (title_id, unit_code, start, end)) in ok {
            let label = format!("{own:?}");
            let plan = plan_one(binh(), own).unwrap_or_else(|e| panic!("{label}: {e:?}"));
            let (mine, other) = if code == "title_code" {
                (&plan.new_held, &plan.new_planned)
            } else {
                (&plan.new_planned, &plan.new_held)
            };
            assert!(other.is_empty(), "{label}");
            assert_eq!(mine.len(), 1, "{label}");
            let p = &mine[0];
            assert_eq!(p.cadre, CadreRef::New(0), "{label}");
            assert_eq!(
                (p.title_id, p.unit_code.as_str(), p.from, p.to),
                (title_id, unit_code, day(start), end.map(day)),
                "{label}"
            );
        }
        let bad: Vec<(Cells, Vec<(&str, String)>)> = vec![
            // Cells that go together.
            (vec![(from, t("2020-01-01"))], vec![(code, "a title code is required when its dates or unit are given".into())]),
            (vec![(unit, t("26734"))], vec![(code, "a title code is required when its dates or unit are given".into())]),
            (vec![(to, t("2020-01-01"))], vec![(code, "a title code is required when its dates or unit are given".into())]),
            (vec![(code, t("FF-CHAIR-COMMUNE"))], vec![(from, "the start date of the title is required".into())]),
            (vec![(code, t("FF-CHAIR-COMMUNE")), (from, t("01/13/2020"))], vec![(from, "not a date: write it as DD/MM/YYYY or YYYY-MM-DD".into())]),
            (vec![(code, t("FF-CHAIR-COMMUNE")), (from, t("2020-01-01")), (to, t("2019-12-31"))], vec![(to, "the end date is before the start date".into())]),
            // The title: known and active.
            (vec![(code, t("NO-SUCH")), (from, t("2020-01-01"))], vec![(code, NO_TITLE.into())]),
            (vec![(code, t("OLD-COMMUNE")), (from, t("2020-01-01"))], vec![(code, NO_TITLE.into())]),
            // Its unit: known, live, at the title's level.
            (vec![(code, t("FF-CHAIR-COMMUNE")), (unit, t("99999")), (from, t("2020-01-01"))], vec![(unit, "no unit with this code".into())]),
            (vec![(code, t("FF-CHAIR-COMMUNE")), (unit, t("26743")), (from, t("2020-01-01"))], vec![(unit, "the unit is retired".into())]),
            (
                vec![(code, t("FF-CHAIR-DISTRICT")), (from, t("2020-01-01"))],
                // At the home unit by default: the home unit's column is named.
                vec![("unit_code", "title FF-CHAIR-DISTRICT is a district-level title; unit 26734 is at commune level".into())],
            ),
            (
                vec![(code, t("FF-CHAIR-DISTRICT")), (unit, t("26737")), (from, t("2020-01-01"))],
                vec![(unit, "title FF-CHAIR-DISTRICT is a district-level title; unit 26737 is at commune level".into())],
            ),
            (
                vec![(code, t("FF-CHAIR-COMMUNE")), (unit, t("79")), (from, t("2020-01-01"))],
                vec![(unit, "title FF-CHAIR-COMMUNE is a commune-level title; unit 79 is at city level".into())],
            ),
        ];
        for (own, want) in bad {
            let label = format!("{own:?}");
            let want: Vec<(usize, String, String)> = want
                .into_iter()
                .map(|(f, m)| (2, f.to_string(), m))
                .collect();
            assert_eq!(problems(plan_one(binh(), own)), want, "{label}");
        }
    }
    // Problems of the title held and of the title planned are both reported.
    let p = problems(plan_one(
        binh(),
        vec![
            ("title_code", t("NO-SUCH")),
            ("title_from", t("2020-01-01")),
            ("plan_title_code", t("FF-CHAIR-DISTRICT")),
            ("plan_from", t("2020-01-01")),
        ],
    ));
    assert_eq!(
        p,
        owned(&[
            (2, "title_code", NO_TITLE),
            (
                2,
                "unit_code",
                "title FF-CHAIR-DISTRICT is a district-level title; unit 26734 is at commune level"
            ),
        ])
    );
}

/// Units against the caller's subtree: the home unit, a title's unit, a cadre on record.
#[test]
fn units_and_records_in_and_out_of_the_subtree() {
    let outside = "the unit is outside your subtree";
    let cases: Vec<(Scope, Cells, Option<RowProblems>)> = vec![
        (Scope::All, vec![("unit_code", t("27127"))], None),
        (officer(), vec![], None),
        (officer(), vec![("unit_code", t("760"))], None),
        (
            officer(),
            vec![("unit_code", t("27127"))],
            Some(vec![("unit_code", outside)]),
        ),
        (
            officer(),
            vec![("unit_code", t("79"))],
            Some(vec![("unit_code", outside)]),
        ),
        (
            officer(),
            vec![("unit_code", t("99999"))],
            Some(vec![("unit_code", "no unit with this code")]),
        ),
        (
            officer(),
            vec![("unit_code", t("26743"))],
            Some(vec![("unit_code", "the unit is retired")]),
        ),
        (
            officer(),
            vec![
                ("plan_title_code", t("FF-CHAIR-DISTRICT")),
                ("plan_unit_code", t("770")),
                ("plan_from", t("2021-01-01")),
            ],
            Some(vec![("plan_unit_code", outside)]),
        ),
        (
            Scope::All,
            vec![
                ("plan_title_code", t("FF-CHAIR-DISTRICT")),
                ("plan_unit_code", t("770")),
                ("plan_from", t("2021-01-01")),
            ],
            None,
        ),
        // Sơn is on record in district 770: an officer of 760 may not touch the record, even to
        // bring him into 760; the answer does not say who he is.
        (
            officer(),
            vec![
                ("personal_id", t("079170000009")),
                ("full_name", t("Đặng Văn Sơn")),
            ],
            Some(vec![(
                "personal_id",
                "a cadre outside your subtree has this personal id number",
            )]),
        ),
    ];
    for (scope, own, want) in cases {
        let label = format!("{scope:?} {own:?}");
        let r = plan_rows(binh(), &[own], &scope);
        match want {
            None => assert!(r.is_ok(), "{label}: {r:?}"),
            Some(want) => {
                let want: Vec<(usize, &str, &str)> =
                    want.into_iter().map(|(f, m)| (2, f, m)).collect();
                assert_eq!(problems(r), owned(&want), "{label}");
            }
        }
    }
}

/// Rows against the cadre's periods on record (An: held 100 FF-CHAIR-COMMUNE from 2020-06-01,
/// open; held 101 FF-VICE-COMMUNE 2010–2014; planned 200 FF-CHAIR-DISTRICT at 760 from 2021).
#[test]
fn periods_against_those_on_record() {
    const OVERLAP: &str = "overlaps another period of the same title on record for this cadre";
    type Check = fn(&CadrePlan);
    let cases: Vec<(&str, Cells, Result<Check, RowProblems>)> = vec![
        (
            "the same period again changes nothing",
            vec![
                ("title_code", t("FF-CHAIR-COMMUNE")),
                ("title_from", t("2020-06-01")),
            ],
            Ok(|p| {
                assert!(p.new_held.is_empty() && p.held_ends.is_empty());
                assert_eq!((p.counts.unchanged, p.counts.updated), (1, 0));
            }),
        ),
        (
            "the same start with an end ends the period on record",
            vec![
                ("title_code", t("FF-CHAIR-COMMUNE")),
                ("title_from", t("2020-06-01")),
                ("title_to", t("2025-12-31")),
            ],
            Ok(|p| {
                assert!(p.new_held.is_empty());
                assert_eq!(p.held_ends, vec![(100, Some(day("2025-12-31")))]);
                assert!(p.updates.is_empty() && p.moves.is_empty());
                assert_eq!((p.counts.unchanged, p.counts.updated), (0, 1));
            }),
        ),
        (
            "the same start of a planned title with an end",
            vec![
                ("plan_title_code", t("FF-CHAIR-DISTRICT")),
                ("plan_unit_code", t("760")),
                ("plan_from", t("2021-01-01")),
                ("plan_to", t("2024-12-31")),
            ],
            Ok(|p| {
                assert!(p.new_planned.is_empty() && p.held_ends.is_empty());
                assert_eq!(p.planned_ends, vec![(200, Some(day("2024-12-31")))]);
                assert_eq!(p.counts.updated, 1);
            }),
        ),
        (
            "a later start of an open title overlaps",
            vec![
                ("title_code", t("FF-CHAIR-COMMUNE")),
                ("title_from", t("2024-01-01")),
            ],
            Err(vec![("title_code", OVERLAP)]),
        ),
        (
            "an earlier start that runs into the period overlaps",
            vec![
                ("title_code", t("FF-CHAIR-COMMUNE")),
                ("title_from", t("2019-01-01")),
                ("title_to", t("2020-06-01")),
            ],
            Err(vec![("title_code", OVERLAP)]),
        ),
        (
            "an earlier period that ends the day before does not",
            vec![
                ("title_code", t("FF-CHAIR-COMMUNE")),
                ("title_from", t("2019-01-01")),
                ("title_to", t("2020-05-31")),
            ],
            Ok(|p| {
                assert_eq!(p.new_held.len(), 1);
                assert_eq!(p.new_held[0].cadre, CadreRef::Existing(10));
                assert_eq!(p.new_held[0].title_id, 1);
                assert_eq!(p.counts.updated, 1);
            }),
        ),
        (
            "a period after an ended one of the same title (until the chair's)",
            vec![
                ("title_code", t("FF-VICE-COMMUNE")),
                ("title_from", t("2015-01-01")),
                ("title_to", t("2020-05-31")),
            ],
            Ok(|p| assert_eq!(p.new_held.len(), 1)),
        ),
        (
            "the vice-chair's period while the chair's lasts",
            vec![
                ("title_code", t("FF-VICE-COMMUNE")),
                ("title_from", t("2015-01-01")),
                ("title_to", t("2020-06-01")),
            ],
            Err(vec![(
                "title_code",
                "from 2020-06-01 the cadre would hold FF-VICE-COMMUNE beside FF-CHAIR-COMMUNE in unit 26734: one cadre holds one title of an organisation in a unit at a time",
            )]),
        ),
        (
            "an open period from before an ended one overlaps it",
            vec![
                ("title_code", t("FF-VICE-COMMUNE")),
                ("title_from", t("2009-01-01")),
            ],
            Err(vec![("title_code", OVERLAP)]),
        ),
        (
            "the same start in another unit",
            vec![
                ("title_code", t("FF-CHAIR-COMMUNE")),
                ("title_unit_code", t("26737")),
                ("title_from", t("2020-06-01")),
            ],
            Err(vec![(
                "title_unit_code",
                "this cadre has this title from the same day in another unit",
            )]),
        ),
        (
            "a planned period overlapping the planned one on record",
            vec![
                ("plan_title_code", t("FF-CHAIR-DISTRICT")),
                ("plan_unit_code", t("760")),
                ("plan_from", t("2022-01-01")),
            ],
            Err(vec![("plan_title_code", OVERLAP)]),
        ),
        (
            "held and planned are separate lists: planning a title held is no overlap",
            vec![
                ("plan_title_code", t("FF-CHAIR-COMMUNE")),
                ("plan_from", t("2022-01-01")),
            ],
            Ok(|p| {
                assert_eq!(p.new_planned.len(), 1);
                assert_eq!(p.new_planned[0].cadre, CadreRef::Existing(10));
            }),
        ),
        (
            "held and planned problems in one row",
            vec![
                ("title_code", t("FF-CHAIR-COMMUNE")),
                ("title_from", t("2024-01-01")),
                ("plan_title_code", t("FF-CHAIR-DISTRICT")),
                ("plan_unit_code", t("760")),
                ("plan_from", t("2022-01-01")),
            ],
            Err(vec![("title_code", OVERLAP), ("plan_title_code", OVERLAP)]),
        ),
    ];
    for (label, own, want) in cases {
        let r = plan_one(an(), own);
        match want {
            Ok(check) => check(&r.unwrap_or_else(|e| panic!("{label}: {e:?}"))),
            Err(want) => {
                let want: Vec<(usize, &str, &str)> =
                    want.into_iter().map(|(f, m)| (2, f, m)).collect();
                assert_eq!(problems(r), owned(&want), "{label}");
            }
        }
    }
    // A new cadre has no periods on record: anything goes in.
    let plan = plan_one(
        binh(),
        vec![
            ("title_code", t("FF-CHAIR-COMMUNE")),
            ("title_from", t("2024-01-01")),
        ],
    )
    .unwrap();
    assert_eq!(plan.new_held[0].cadre, CadreRef::New(0));
}

/// Creations, updates, moves and rows already up to date.
#[test]
fn updates_moves_and_creations() {
    type Check = fn(&CadrePlan);
    let cases: Vec<(&str, Vec<Cells>, Result<Check, FileProblems>)> = vec![
        (
            "a record as on record is unchanged",
            vec![an()],
            Ok(|p| {
                assert!(p.new.is_empty() && p.updates.is_empty() && p.moves.is_empty());
                assert_eq!(
                    p.counts,
                    ImportCounts {
                        rows: 1,
                        created: 0,
                        updated: 0,
                        unchanged: 1
                    }
                );
            }),
        ),
        (
            "a changed field updates the record (the unit is left to the move)",
            vec![vec![
                ("religion", t("Phật giáo")),
                ("phone", t("0909123456")),
            ]],
            Ok(|p| {
                assert_eq!(p.updates.len(), 1);
                let (id, w) = &p.updates[0];
                assert_eq!(*id, 10);
                assert_eq!(w.religion.as_deref(), Some("Phật giáo"));
                assert_eq!(w.phone.as_deref(), Some("0909123456"));
                assert_eq!(w.unit_code, "26734");
                assert!(p.moves.is_empty() && p.new.is_empty());
                assert_eq!(
                    p.counts,
                    ImportCounts {
                        rows: 1,
                        created: 0,
                        updated: 1,
                        unchanged: 0
                    }
                );
            }),
        ),
        (
            "a yes/no cell changes the flag",
            vec![vec![("ethnic_minority", t("có"))]],
            Ok(|p| {
                assert_eq!(p.updates.len(), 1);
                assert!(p.updates[0].1.ethnic_minority);
            }),
        ),
        (
            "another unit is a move, dated by unit_since (to the district above: An's ward title stays on its line)",
            vec![vec![
                ("unit_code", t("760")),
                ("unit_since", t("01/03/2024")),
            ]],
            Ok(|p| {
                assert!(p.updates.is_empty(), "only the unit changed");
                assert_eq!(p.moves, vec![(10, "760".to_string(), day("2024-03-01"))]);
                assert_eq!(p.counts.updated, 1);
            }),
        ),
        (
            "a move without a date is dated today",
            vec![vec![("unit_code", t("760"))]],
            Ok(|p| assert_eq!(p.moves, vec![(10, "760".to_string(), today())])),
        ),
        (
            "a move on the first day of the current unit period",
            vec![vec![
                ("unit_code", t("760")),
                ("unit_since", t("2015-01-01")),
            ]],
            Ok(|p| assert_eq!(p.moves.len(), 1)),
        ),
        (
            "a move to another ward leaves An's ward chair behind: refused at the unit",
            vec![vec![
                ("unit_code", t("26737")),
                ("unit_since", t("01/03/2024")),
            ]],
            Err(vec![(
                2,
                "unit_code",
                "from 2024-03-01 on, the cadre would hold titles in units that are neither the new unit, above it nor within it (FF-CHAIR-COMMUNE (26734)): end them by the day before the move first",
            )]),
        ),
        (
            "the same move with the row ending that title the day before",
            vec![vec![
                ("unit_code", t("26737")),
                ("unit_since", t("01/03/2024")),
                ("title_code", t("FF-CHAIR-COMMUNE")),
                ("title_unit_code", t("26734")),
                ("title_from", t("2020-06-01")),
                ("title_to", t("2024-02-29")),
            ]],
            Ok(|p| {
                assert_eq!(p.moves, vec![(10, "26737".to_string(), day("2024-03-01"))]);
                assert_eq!(p.held_ends, vec![(100, Some(day("2024-02-29")))]);
            }),
        ),
        (
            "a move dated before the current unit period began",
            vec![vec![
                ("unit_code", t("26737")),
                ("unit_since", t("2014-12-31")),
            ]],
            Err(vec![(
                2,
                "unit_since",
                "the move would be dated before the cadre's current unit period began",
            )]),
        ),
        (
            "unit_since on an unmoved record changes nothing",
            vec![vec![("unit_since", t("2014-12-31"))]],
            Ok(|p| assert_eq!(p.counts.unchanged, 1)),
        ),
        (
            "new and existing cadres in one file, each with a title",
            vec![
                vec![
                    ("title_code", t("FF-VICE-COMMUNE")),
                    ("title_from", t("2016-01-01")),
                    ("title_to", t("2020-05-31")),
                ],
                [
                    binh(),
                    vec![
                        ("title_code", t("FF-CHAIR-COMMUNE")),
                        ("title_from", t("2024-01-01")),
                    ],
                ]
                .concat(),
                [
                    binh(),
                    vec![
                        ("personal_id", t("079190000003")),
                        ("full_name", t("Lê Thị Cúc")),
                    ],
                ]
                .concat(),
            ],
            Ok(|p| {
                assert_eq!(p.new.len(), 2);
                assert_eq!(p.new[1].w.personal_id, "079190000003");
                let whose: Vec<CadreRef> = p.new_held.iter().map(|n| n.cadre).collect();
                assert_eq!(whose, [CadreRef::Existing(10), CadreRef::New(0)]);
                assert_eq!(
                    p.counts,
                    ImportCounts {
                        rows: 3,
                        created: 2,
                        updated: 1,
                        unchanged: 0
                    }
                );
            }),
        ),
        (
            "a personal id twice in the file: the later rows are refused",
            vec![
                an(),
                an(),
                [binh(), vec![("personal_id", Cell::Number(79180000001.0))]].concat(),
            ],
            // Each names the first row with the number; the third is Bình's, not An's name.
            Err(vec![
                (3, "personal_id", "the same personal id number is on row 2"),
                (4, "personal_id", "the same personal id number is on row 2"),
                (
                    4,
                    "full_name",
                    "the full name is not the one on record for this personal id number: Nguyễn Thị An",
                ),
            ]),
        ),
        (
            "a row refused for its cells still counts as the first of its personal id",
            vec![[an(), vec![("gender", t("?"))]].concat(), an()],
            Err(vec![
                (2, "gender", "write Nam, Nữ or Khác (male, female, other)"),
                (3, "personal_id", "the same personal id number is on row 2"),
            ]),
        ),
    ];
    for (label, rows, want) in cases {
        // Rows without a personal id are An's.
        let rows: Vec<Cells> = rows
            .into_iter()
            .map(|r| {
                if r.iter().any(|(k, _)| *k == "personal_id") {
                    r
                } else {
                    [an(), r].concat()
                }
            })
            .collect();
        let r = plan_rows(vec![], &rows, &Scope::All);
        match want {
            Ok(check) => check(&r.unwrap_or_else(|e| panic!("{label}: {e:?}"))),
            Err(want) => assert_eq!(problems(r), owned(&want), "{label}"),
        }
    }
}

/// Every problem of a row is reported, whatever else fails on it: the problems of its cells and
/// every check against other data that its good cells allow.
#[test]
fn every_problem_of_a_row() {
    const NO_UNIT: &str = "no unit with this code";
    const NO_TITLE: &str = "no active title with this code";
    let cases: Vec<(&str, Vec<Cells>, FileProblems)> = vec![
        (
            "a bad cell beside an unknown unit and title",
            vec![[
                binh(),
                vec![
                    ("gender", t("?")),
                    ("unit_code", t("99999")),
                    ("title_code", t("NO-SUCH")),
                    ("title_from", t("2020-01-01")),
                ],
            ]
            .concat()],
            vec![
                (2, "gender", "write Nam, Nữ or Khác (male, female, other)"),
                (2, "unit_code", NO_UNIT),
                (2, "title_code", NO_TITLE),
            ],
        ),
        (
            "a repeated personal id beside an unknown unit",
            vec![binh(), [binh(), vec![("unit_code", t("99999"))]].concat()],
            vec![
                (3, "personal_id", "the same personal id number is on row 2"),
                (3, "unit_code", NO_UNIT),
            ],
        ),
        (
            "an unknown home unit and an unknown title (whose unit, the home unit, is not named twice)",
            vec![[
                binh(),
                vec![
                    ("unit_code", t("99999")),
                    ("title_code", t("NO-SUCH")),
                    ("title_from", t("2020-01-01")),
                ],
            ]
            .concat()],
            vec![(2, "unit_code", NO_UNIT), (2, "title_code", NO_TITLE)],
        ),
        (
            "an unknown title and its unknown unit",
            vec![[
                binh(),
                vec![
                    ("title_code", t("NO-SUCH")),
                    ("title_unit_code", t("99999")),
                    ("title_from", t("2020-01-01")),
                ],
            ]
            .concat()],
            vec![(2, "title_code", NO_TITLE), (2, "title_unit_code", NO_UNIT)],
        ),
        (
            "a title problem and a move dated too early",
            vec![[
                an(),
                vec![
                    ("unit_code", t("26737")),
                    ("unit_since", t("2014-01-01")),
                    ("title_code", t("NO-SUCH")),
                    ("title_from", t("2020-01-01")),
                ],
            ]
            .concat()],
            vec![
                (2, "title_code", NO_TITLE),
                (
                    2,
                    "unit_since",
                    "the move would be dated before the cadre's current unit period began",
                ),
            ],
        ),
        (
            "a title's bad start date beside its level and its overlap on record",
            vec![[
                an(),
                vec![
                    ("title_code", t("FF-CHAIR-DISTRICT")),
                    ("title_from", t("31/02/2021")),
                    ("plan_title_code", t("FF-CHAIR-DISTRICT")),
                    ("plan_unit_code", t("760")),
                    ("plan_from", t("2022-01-01")),
                    ("plan_to", t("2021-12-31")),
                ],
            ]
            .concat()],
            vec![
                (2, "title_from", "not a date: write it as DD/MM/YYYY or YYYY-MM-DD"),
                (2, "plan_to", "the end date is before the start date"),
                (
                    2,
                    "unit_code",
                    "title FF-CHAIR-DISTRICT is a district-level title; unit 26734 is at commune level",
                ),
                (
                    2,
                    "plan_title_code",
                    "overlaps another period of the same title on record for this cadre",
                ),
            ],
        ),
    ];
    for (label, rows, want) in cases {
        assert_eq!(
            problems(plan_rows(vec![], &rows, &Scope::All)),
            owned(&want),
            "{label}"
        );
    }
}

/// A row's full name against the one on record for its personal id number: spaces trimmed and
/// collapsed, combining marks composed; case and diacritics count. A cadre outside the caller's
/// subtree is not compared (nothing is told about them).
/// A birth date moved is checked against An's records: her first title (2010-01-01, so born by
/// 1992-01-01) and her first completion or qualification (1990-01-01, so born by that day).
#[test]
fn a_birth_date_moved_against_the_record() {
    let born = |d: &'static str| plan_one(an(), vec![("birth_date", t(d))]);
    for fine in ["15/03/1980", "01/01/1990"] {
        assert!(born(fine).is_ok(), "{fine}");
    }
    assert_eq!(
        problems(born("01/06/1990")),
        owned(&[(
            2,
            "birth_date",
            "the cadre has a completion or qualification on record dated 1990-01-01, before this birth date"
        )])
    );
    assert_eq!(
        problems(born("02/01/1992")),
        owned(&[
            (
                2,
                "birth_date",
                "with this birth date the cadre would not have been 18 when a title on record began, on 2010-01-01"
            ),
            (
                2,
                "birth_date",
                "the cadre has a completion or qualification on record dated 1990-01-01, before this birth date"
            ),
        ])
    );
}

#[test]
fn names_against_the_record() {
    const MISMATCH: &str =
        "the full name is not the one on record for this personal id number: Nguyễn Thị An";
    let cases: Vec<(&str, Scope, Cells, Option<FileProblems>)> = vec![
        ("the same", Scope::All, vec![], None),
        (
            "spaces",
            Scope::All,
            vec![("full_name", t("  Nguyễn  Thị   An "))],
            None,
        ),
        (
            "combining marks",
            Scope::All,
            vec![("full_name", t("Nguye\u{302}\u{303}n Thi\u{323} An"))],
            None,
        ),
        (
            "case",
            Scope::All,
            vec![("full_name", t("nguyễn thị an"))],
            Some(vec![(2, "full_name", MISMATCH)]),
        ),
        (
            "diacritics",
            Scope::All,
            vec![("full_name", t("Nguyễn Thị Ân"))],
            Some(vec![(2, "full_name", MISMATCH)]),
        ),
        (
            "without diacritics",
            Scope::All,
            vec![("full_name", t("Nguyen Thi An"))],
            Some(vec![(2, "full_name", MISMATCH)]),
        ),
        (
            "a name that is not one, and a bad date: no comparison for the bad name",
            Scope::All,
            vec![("full_name", t("An 2")), ("birth_date", t("soon"))],
            Some(vec![
                (2, "full_name", "full_name may hold only letters, spaces, ' and -"),
                (2, "birth_date", "not a date: write it as DD/MM/YYYY or YYYY-MM-DD"),
            ]),
        ),
        (
            "another name beside another problem",
            officer(),
            vec![("full_name", t("Nguyễn Thị Ân")), ("unit_code", t("27127"))],
            Some(vec![
                (2, "unit_code", "the unit is outside your subtree"),
                (
                    2,
                    "full_name",
                    "the full name is not the one on record for this personal id number: Nguyễn Thị An",
                ),
            ]),
        ),
        (
            "a cadre outside the subtree: only that",
            officer(),
            vec![
                ("personal_id", t("079170000009")),
                ("full_name", t("Someone Else")),
            ],
            Some(vec![(
                2,
                "personal_id",
                "a cadre outside your subtree has this personal id number",
            )]),
        ),
    ];
    for (label, scope, own, want) in cases {
        let r = plan_rows(an(), &[own], &scope);
        match want {
            None => {
                let p = r.unwrap_or_else(|e| panic!("{label}: {e:?}"));
                assert_eq!(p.counts.unchanged, 1, "{label}");
                assert!(p.updates.is_empty(), "{label}: {:?}", p.updates);
            }
            Some(want) => assert_eq!(problems(r), owned(&want), "{label}"),
        }
    }
    // Qualifications and completions: the name, when given.
    for (name, want) in [
        ("", None),
        (" Nguyễn Thị  An", None),
        ("Nguyễn Thị Ân", Some(MISMATCH)),
    ] {
        let s = sheet(
            Kind::Qualifications,
            &qualification(),
            &[vec![("full_name", t(name))]],
        );
        let q = plan_qualifications(
            &s,
            &qualification_lookups(),
            &Scope::All,
            today(),
            Problems::new(),
        );
        let s = sheet(
            Kind::Completions,
            &completion(),
            &[vec![("full_name", t(name))]],
        );
        let c = plan_completions(
            &s,
            &completion_lookups(),
            &Scope::All,
            today(),
            Problems::new(),
        );
        match want {
            None => assert!(q.is_ok() && c.is_ok(), "{name}: {q:?} {c:?}"),
            Some(m) => {
                assert_eq!(problems(q), owned(&[(2, "full_name", m)]), "{name}");
                assert_eq!(problems(c), owned(&[(2, "full_name", m)]), "{name}");
            }
        }
    }
}

/// The problems name the column by the header as written in the file.
#[test]
fn problems_name_the_files_header() {
    let mut s = sheet(Kind::Cadres, &binh(), &[vec![("gender", t("?"))]]);
    let at = s.headers.iter().position(|h| h == "gender").unwrap();
    s.headers[at] = "Giới tính".into();
    let p = problems(plan_cadres(
        &s,
        &lookups(),
        &Scope::All,
        today(),
        Problems::new(),
    ));
    assert_eq!(p[0].1, "Giới tính");
}

/// The personal ids a file names, to load the matching records: normalised, once each.
#[test]
fn personal_ids_of_a_sheet() {
    let s = sheet(
        Kind::Cadres,
        &[],
        &[
            vec![("personal_id", t("079 180 000 001"))],
            vec![("personal_id", Cell::Number(79180000001.0))],
            vec![("personal_id", Cell::Number(23456789.0))],
            vec![("personal_id", Cell::Empty)],
            vec![("personal_id", t("12ab"))],
        ],
    );
    assert_eq!(
        personal_ids(&s, Kind::Cadres).unwrap(),
        ["023456789", "079180000001", "12ab"]
    );
}

// ------------------------------------------------------------------------------------------
// Qualifications and completions

fn cadre_keys() -> HashMap<String, CadreKey> {
    [
        (
            "079180000001",
            10,
            "/79/760/26734/",
            "Nguyễn Thị An",
            "1980-03-15",
        ),
        (
            "079170000009",
            11,
            "/79/770/27127/",
            "Đặng Văn Sơn",
            "1970-01-01",
        ),
    ]
    .into_iter()
    .map(|(pid, id, path, name, birth)| {
        (
            pid.to_string(),
            CadreKey {
                id,
                unit_path: path.into(),
                full_name: name.into(),
                birth_date: day(birth),
            },
        )
    })
    .collect()
}

fn scale(code: &str, vi: &str, en: &str, levels: &[(&str, &str, &str)]) -> ScaleInfo {
    ScaleInfo {
        code: code.into(),
        name_vi: vi.into(),
        name_en: en.into(),
        levels: levels
            .iter()
            .map(|(code, vi, en)| LevelInfo {
                code: code.to_string(),
                name_vi: vi.to_string(),
                name_en: en.to_string(),
            })
            .collect(),
    }
}

fn qualification_lookups() -> QualificationLookups {
    QualificationLookups {
        cadres: cadre_keys(),
        scales: vec![
            scale(
                "political_theory",
                "Lý luận chính trị",
                "Political theory",
                &[
                    ("elementary", "Sơ cấp", "Elementary"),
                    ("intermediate", "Trung cấp", "Intermediate"),
                    ("advanced", "Cao cấp", "Advanced"),
                ],
            ),
            scale(
                "professional_education",
                "Trình độ chuyên môn",
                "Professional education",
                &[
                    ("vocational", "Trung cấp", "Vocational"),
                    ("college", "Cao đẳng", "College"),
                ],
            ),
            // Two levels of one name (no real scale has them).
            scale(
                "twins",
                "Song sinh",
                "Twins",
                &[("a", "Bậc một", "One"), ("b", "Bậc mốt", "One more")],
            ),
        ],
        existing: [(
            (
                10,
                "political_theory".to_string(),
                "intermediate".to_string(),
                day("2012-06-30"),
            ),
            (500, "Trường Cán bộ".to_string(), "Bằng 1".to_string()),
        )]
        .into_iter()
        .collect(),
        on_record: Default::default(),
    }
}

fn qualification() -> Cells {
    vec![
        ("personal_id", t("079180000001")),
        ("scale_code", t("political_theory")),
        ("level_code", t("advanced")),
        ("obtained_on", t("30/06/2018")),
    ]
}

#[test]
fn qualification_rows() {
    const DATE: &str = "the date must be after the cadre's birth and not in the future";
    const NOBODY: &str = "no cadre with this personal id number in your subtree";
    type Want = Result<fn(&QualificationPlan), FileProblems>;
    let cases: Vec<(&str, Scope, Vec<Cells>, Want)> = vec![
        (
            "a new qualification",
            Scope::All,
            vec![vec![("issuer", t("Học viện")), ("evidence", t("Số 9"))]],
            Ok(|p| {
                assert_eq!(p.new.len(), 1);
                let q = &p.new[0];
                assert_eq!(
                    (
                        q.cadre_id,
                        q.scale.as_str(),
                        q.level.as_str(),
                        q.obtained_on,
                        q.issuer.as_str(),
                        q.evidence.as_str()
                    ),
                    (
                        10,
                        "political_theory",
                        "advanced",
                        day("2018-06-30"),
                        "Học viện",
                        "Số 9"
                    )
                );
                assert_eq!(
                    p.counts,
                    ImportCounts {
                        rows: 1,
                        created: 1,
                        updated: 0,
                        unchanged: 0
                    }
                );
            }),
        ),
        (
            "codes in any case, a number cell for the personal id, a date cell",
            Scope::All,
            vec![vec![
                ("personal_id", Cell::Number(79180000001.0)),
                ("scale_code", t("POLITICAL_THEORY")),
                ("level_code", t("Advanced")),
                ("obtained_on", Cell::Date(serial("2018-06-30"))),
            ]],
            Ok(|p| {
                assert_eq!(
                    (p.new[0].level.as_str(), p.new[0].obtained_on),
                    ("advanced", day("2018-06-30"))
                )
            }),
        ),
        (
            "the same qualification as on record is unchanged",
            Scope::All,
            vec![vec![
                ("level_code", t("intermediate")),
                ("obtained_on", t("2012-06-30")),
                ("issuer", t("Trường Cán bộ")),
                ("evidence", t("Bằng 1")),
            ]],
            Ok(|p| {
                assert_eq!(
                    p.counts,
                    ImportCounts {
                        rows: 1,
                        created: 0,
                        updated: 0,
                        unchanged: 1
                    }
                )
            }),
        ),
        (
            "another issuer or evidence updates it",
            Scope::All,
            vec![vec![
                ("level_code", t("intermediate")),
                ("obtained_on", t("2012-06-30")),
                ("evidence", t("Bằng 2")),
            ]],
            Ok(|p| {
                assert_eq!(p.updates, vec![(500, String::new(), "Bằng 2".to_string())]);
                assert_eq!(p.counts.updated, 1);
            }),
        ),
        (
            "a level the scale does not have",
            Scope::All,
            vec![vec![("level_code", t("genius"))]],
            Err(vec![(
                2,
                "level_code",
                "no level genius on scale political_theory",
            )]),
        ),
        (
            "a scale that does not exist (its level is not looked for)",
            Scope::All,
            vec![vec![("scale_code", t("astrology"))]],
            Err(vec![(
                2,
                "scale_code",
                "no qualification scale with the code or name astrology",
            )]),
        ),
        (
            "scales and levels by code (any case) or by name, with or without diacritics",
            Scope::All,
            vec![
                vec![
                    ("level_code", t("Sơ cấp")),
                    ("obtained_on", t("2010-01-01")),
                ],
                vec![
                    ("level_code", t("so cap")),
                    ("obtained_on", t("2011-01-01")),
                ],
                vec![
                    ("level_code", t("SO CẤP")),
                    ("obtained_on", t("2012-01-01")),
                ],
                vec![
                    ("scale_code", t("Lý luận chính trị")),
                    ("level_code", t("ELEMENTARY")),
                    ("obtained_on", t("2013-01-01")),
                ],
                vec![
                    ("scale_code", t("ly luan chinh tri")),
                    ("level_code", t("Trung cấp")),
                    ("obtained_on", t("2014-01-01")),
                ],
                vec![
                    ("scale_code", t("Professional education")),
                    ("level_code", t("trung cap")),
                    ("obtained_on", t("2014-01-01")),
                ],
                // The exact name first: "Bậc một" is one level, though "bac mot" is two.
                vec![
                    ("scale_code", t("twins")),
                    ("level_code", t("bậc một")),
                    ("obtained_on", t("2015-01-01")),
                ],
            ],
            Ok(|p| {
                let got: Vec<(&str, &str, String)> = p
                    .new
                    .iter()
                    .map(|q| {
                        (
                            q.scale.as_str(),
                            q.level.as_str(),
                            q.obtained_on.to_string(),
                        )
                    })
                    .collect();
                assert_eq!(
                    got,
                    [
                        ("political_theory", "elementary", "2010-01-01".to_string()),
                        ("political_theory", "elementary", "2011-01-01".to_string()),
                        ("political_theory", "elementary", "2012-01-01".to_string()),
                        ("political_theory", "elementary", "2013-01-01".to_string()),
                        ("political_theory", "intermediate", "2014-01-01".to_string()),
                        (
                            "professional_education",
                            "vocational",
                            "2014-01-01".to_string()
                        ),
                        ("twins", "a", "2015-01-01".to_string()),
                    ]
                );
            }),
        ),
        (
            "a level's name of another scale; a name two levels have",
            Scope::All,
            vec![
                vec![("level_code", t("Cao đẳng"))],
                vec![("scale_code", t("Twins")), ("level_code", t("bac mot"))],
            ],
            Err(vec![
                (
                    2,
                    "level_code",
                    "no level Cao đẳng on scale political_theory",
                ),
                (
                    3,
                    "level_code",
                    "several levels of scale twins are named bac mot; write the level's code",
                ),
            ]),
        ),
        (
            "the same qualification by code and by name",
            Scope::All,
            vec![vec![], vec![("level_code", t("Cao cấp"))]],
            Err(vec![(
                3,
                "obtained_on",
                "the same qualification is on row 2",
            )]),
        ),
        (
            "nobody with this personal id",
            Scope::All,
            vec![vec![("personal_id", t("079199999999"))]],
            Err(vec![(2, "personal_id", NOBODY)]),
        ),
        (
            "a cadre outside the subtree is nobody",
            officer(),
            vec![vec![("personal_id", t("079170000009"))]],
            Err(vec![(2, "personal_id", NOBODY)]),
        ),
        (
            "a personal id that is not one",
            Scope::All,
            vec![vec![("personal_id", t("12ab"))]],
            Err(vec![(
                2,
                "personal_id",
                "personal_id must be 9 or 12 digits",
            )]),
        ),
        (
            "dates after birth, not in the future",
            Scope::All,
            vec![
                vec![("obtained_on", t("2025-06-16"))],
                vec![("obtained_on", t("1980-03-15"))],
                vec![("obtained_on", t("1979-01-01"))],
                vec![("obtained_on", t("1980-03-16"))],
                vec![("obtained_on", t("2025-06-15"))],
            ],
            Err(vec![
                (2, "obtained_on", DATE),
                (3, "obtained_on", DATE),
                (4, "obtained_on", DATE),
            ]),
        ),
        (
            "texts of at most 200 characters",
            Scope::All,
            vec![vec![
                ("issuer", t(&"a".repeat(201))),
                ("evidence", t(&"b".repeat(201))),
            ]],
            Err(vec![
                (2, "issuer", "at most 200 characters"),
                (2, "evidence", "at most 200 characters"),
            ]),
        ),
        (
            "every problem of the row's cells",
            Scope::All,
            vec![vec![
                ("personal_id", Cell::Empty),
                ("scale_code", Cell::Empty),
                ("level_code", t("x")),
                ("obtained_on", t("soon")),
            ]],
            Err(vec![
                (2, "personal_id", "a value is required"),
                (2, "scale_code", "a value is required"),
                (
                    2,
                    "obtained_on",
                    "not a date: write it as DD/MM/YYYY or YYYY-MM-DD",
                ),
            ]),
        ),
        (
            "the same qualification twice in the file",
            Scope::All,
            vec![vec![], vec![("evidence", t("again"))]],
            Err(vec![(
                3,
                "obtained_on",
                "the same qualification is on row 2",
            )]),
        ),
    ];
    for (label, scope, rows, want) in cases {
        let s = sheet(Kind::Qualifications, &qualification(), &rows);
        let r = plan_qualifications(
            &s,
            &qualification_lookups(),
            &scope,
            today(),
            Problems::new(),
        );
        match want {
            Ok(check) => check(&r.unwrap_or_else(|e| panic!("{label}: {e:?}"))),
            Err(want) => assert_eq!(problems(r), owned(&want), "{label}"),
        }
    }
}

fn completion_lookups() -> CompletionLookups {
    CompletionLookups {
        cadres: cadre_keys(),
        modules: [
            (
                "DV-01",
                ModuleInfo {
                    id: 1,
                    version: 2,
                    awards: None,
                },
            ),
            (
                "LLCT-TC",
                ModuleInfo {
                    id: 2,
                    version: 1,
                    awards: Some(("political_theory".into(), "intermediate".into())),
                },
            ),
        ]
        .into_iter()
        .map(|(c, m)| (c.to_string(), m))
        .collect(),
        existing: [(
            (10, 1, day("2019-05-05")),
            (700, Some(85), "paper".to_string(), "Sổ 2019".to_string()),
        )]
        .into_iter()
        .collect(),
        on_record: [(10, 1, day("2020-10-29"))].into_iter().collect(),
        qualifications: Default::default(),
    }
}

fn completion() -> Cells {
    vec![
        ("personal_id", t("079180000001")),
        ("module_code", t("DV-01")),
        ("completed_on", t("01/09/2020")),
        ("source_ref", t("Sổ lớp 2020")),
    ]
}

#[test]
fn completion_columns_are_read() {
    type Get = fn(&CompletionItem) -> String;
    let score: Get = |c| format!("{:?}", c.score_tenths);
    let source: Get = |c| c.source.clone();
    let module: Get = |c| format!("{} v{} {:?}", c.module_id, c.module_version, c.awards);
    let cases: Vec<(Cells, Get, &str)> = vec![
        (vec![], score, "None"),
        (vec![("score", t("8,5"))], score, "Some(85)"),
        (vec![("score", t("8.5"))], score, "Some(85)"),
        (vec![("score", Cell::Number(9.0))], score, "Some(90)"),
        (vec![("score", t("0"))], score, "Some(0)"),
        (vec![("score", t("10"))], score, "Some(100)"),
        (vec![], source, "import"),
        (vec![("source", t("giấy"))], source, "paper"),
        (vec![("source", t("Hồ sơ giấy"))], source, "paper"),
        (vec![("source", t("PAPER"))], source, "paper"),
        (vec![("source", t("nhập"))], source, "import"),
        (vec![("source", t("Nhập từ tệp"))], source, "import"),
        (vec![("module_code", t("dv-01"))], module, "1 v2 None"),
        (
            vec![("module_code", t("LLCT-TC"))],
            module,
            "2 v1 Some((\"political_theory\", \"intermediate\"))",
        ),
    ];
    for (own, get, want) in cases {
        let label = format!("{own:?}");
        let s = sheet(Kind::Completions, &completion(), &[own]);
        let plan = plan_completions(
            &s,
            &completion_lookups(),
            &Scope::All,
            today(),
            Problems::new(),
        )
        .unwrap_or_else(|e| panic!("{label}: {e:?}"));
        assert_eq!(plan.new.len(), 1, "{label}");
        assert_eq!(get(&plan.new[0]), want, "{label}");
    }
}

#[test]
fn completion_rows() {
    const DATE: &str = "the date must be after the cadre's birth and not in the future";
    const SCORE: &str = "a score from 0 to 10 with at most one decimal";
    type Check = fn(&CompletionPlan);
    let cases: Vec<(&str, Vec<Cells>, Result<Check, FileProblems>)> = vec![
        (
            "the same completion as on record is unchanged",
            vec![vec![
                ("completed_on", t("2019-05-05")),
                ("score", t("8.5")),
                ("source", t("giấy")),
                ("source_ref", t("Sổ 2019")),
            ]],
            Ok(|p| {
                assert_eq!(
                    p.counts,
                    ImportCounts {
                        rows: 1,
                        created: 0,
                        updated: 0,
                        unchanged: 1
                    }
                )
            }),
        ),
        (
            "another score updates it",
            vec![vec![
                ("completed_on", t("2019-05-05")),
                ("score", t("9")),
                ("source", t("giấy")),
                ("source_ref", t("Sổ 2019")),
            ]],
            Ok(|p| {
                assert_eq!(
                    p.updates,
                    vec![(700, Some(90), "paper".to_string(), "Sổ 2019".to_string())]
                );
                assert_eq!(p.counts.updated, 1);
            }),
        ),
        (
            "scores from 0 to 10 with one decimal",
            vec![
                vec![("score", t("11")), ("completed_on", t("2019-01-01"))],
                vec![("score", t("8.55")), ("completed_on", t("2019-01-02"))],
                vec![("score", t("-1")), ("completed_on", t("2019-01-03"))],
                vec![("score", t("tám")), ("completed_on", t("2019-01-04"))],
            ],
            Err(vec![
                (2, "score", SCORE),
                (3, "score", SCORE),
                (4, "score", SCORE),
                (5, "score", "not a number"),
            ]),
        ),
        (
            "paper or import",
            vec![vec![("source", t("fax"))]],
            Err(vec![(2, "source", "write giấy (paper) or nhập (import)")]),
        ),
        (
            "an unknown module",
            vec![vec![("module_code", t("DV-99"))]],
            Err(vec![(2, "module_code", "no module with this code")]),
        ),
        (
            "a reference is required, of at most 300 characters",
            vec![
                vec![("source_ref", Cell::Empty)],
                vec![
                    ("source_ref", t(&"r".repeat(301))),
                    ("completed_on", t("2019-01-01")),
                ],
            ],
            Err(vec![
                (2, "source_ref", "a value is required"),
                (3, "source_ref", "at most 300 characters"),
            ]),
        ),
        (
            "dates after birth, not in the future",
            vec![
                vec![("completed_on", t("2025-06-16"))],
                vec![("completed_on", t("1980-03-15"))],
                vec![("completed_on", t("2025-06-15"))],
            ],
            Err(vec![(2, "completed_on", DATE), (3, "completed_on", DATE)]),
        ),
        (
            "every problem of the row's cells",
            vec![vec![
                ("personal_id", t("079199999999")),
                ("module_code", t("DV-99")),
                ("completed_on", Cell::Empty),
                ("score", t("11")),
                ("source", t("fax")),
            ]],
            Err(vec![
                (
                    2,
                    "personal_id",
                    "no cadre with this personal id number in your subtree",
                ),
                (2, "module_code", "no module with this code"),
                (2, "completed_on", "a date is required"),
                (2, "score", SCORE),
                (2, "source", "write giấy (paper) or nhập (import)"),
            ]),
        ),
        (
            "the same completion twice in the file",
            vec![vec![], vec![("score", t("7"))]],
            Err(vec![(3, "completed_on", "the same completion is on row 2")]),
        ),
        (
            "a class's (or a revoked) completion of that day is on record as it is",
            vec![vec![("completed_on", t("2020-10-29"))]],
            Err(vec![(
                2,
                "completed_on",
                "a completion of this module on this day is already on record (from a class, or revoked)",
            )]),
        ),
    ];
    for (label, rows, want) in cases {
        let s = sheet(Kind::Completions, &completion(), &rows);
        let r = plan_completions(
            &s,
            &completion_lookups(),
            &Scope::All,
            today(),
            Problems::new(),
        );
        match want {
            Ok(check) => check(&r.unwrap_or_else(|e| panic!("{label}: {e:?}"))),
            Err(want) => assert_eq!(problems(r), owned(&want), "{label}"),
        }
    }
}
