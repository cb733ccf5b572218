//! The imports' bulk writes (`db::bulk`: multi-row INSERTs on SQLite, COPY on PostgreSQL): text,
//! NULLs and the ids that tie the tables together arrive exactly, and a failure in the last
//! table an import writes leaves nothing behind, on both databases.

use cadre_training::db::Db;
use chrono::NaiveDate;
use rocket::http::{ContentType, Status};
use serde_json::Value;

use crate::db_tests;
use crate::helpers::{Backend, TestApp};

db_tests!(
    text_nulls_and_ids_arrive_exactly,
    a_failure_in_the_last_table_leaves_nothing,
);

/// One CSV cell, quoted (as a spreadsheet writes a cell holding a separator, quote or line break).
fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn file(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut s = String::from("\u{feff}");
    s.push_str(&header.join(","));
    s.push('\n');
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s.into_bytes()
}

async fn import(app: &TestApp, admin: &str, kind: &str, bytes: Vec<u8>) -> (Status, Value) {
    app.post_raw(
        &format!("/api/imports/{kind}"),
        Some(admin),
        ContentType::CSV,
        bytes,
    )
    .await
}

async fn exec(db: &Db, sql: &str) {
    cadre_training::on_db!(db, |p| {
        sqlx::query(sql).execute(p).await.unwrap();
    });
}

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    cadre_training::on_db!(db, |p| sqlx::query_scalar(&sql).fetch_one(p).await.unwrap())
}

const CADRES: &[&str] = &[
    "Số CCCD/CMND",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Dân tộc",
    "Tôn giáo",
    "Ngày vào Đảng",
    "Mã đơn vị",
    "Tổ chức",
    "Điện thoại",
    "Mã chức danh",
    "Giữ chức danh từ ngày",
    "Giữ chức danh đến ngày",
    "Mã chức danh quy hoạch",
    "Quy hoạch từ ngày",
];

fn cadre(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// Three cadres: titles held (open and ended) and planned, the optional columns given and blank.
fn roster() -> Vec<u8> {
    file(
        CADRES,
        &[
            cadre(&[
                "079180003101",
                "Nguyễn Thị Ánh-Dương",
                "Nữ",
                "15/03/1980",
                "Kinh",
                "Phật giáo",
                "03/02/2005",
                "26734",
                "Mặt trận Tổ quốc",
                "0901 234 567",
                "FF-CHAIR-COMMUNE",
                "01/06/2020",
                "",
                "",
                "",
            ]),
            cadre(&[
                "079185003102",
                "H'Hen Niê",
                "Nữ",
                "02/07/1985",
                "Ê Đê",
                "",
                "",
                "26737",
                "Đoàn Thanh niên",
                "",
                "",
                "",
                "",
                "FF-CHAIR-COMMUNE",
                "01/01/2021",
            ]),
            cadre(&[
                "079190003103",
                "Đặng Văn Ðức",
                "Nam",
                "02/02/1990",
                "Khmer",
                "",
                "",
                "26737",
                "Hội Nông dân",
                "",
                "FF-CHAIR-COMMUNE",
                "01/01/2016",
                "31/12/2019",
                "",
                "",
            ]),
        ],
    )
}

/// Free text with everything COPY's text format reads specially, and Vietnamese letters.
const TAB: &str = "Trường Chính trị\tTP. Hồ Chí Minh";
const BACKSLASHES: &str = r"C:\văn bằng\N\2012\";
const LINES: &str = "Sổ đào tạo Quận 1\nnăm 2009, tr. \"12\"\r\nbản sao";
const NULL_MARKER: &str = r"\N";

#[derive(Debug, PartialEq, sqlx::FromRow)]
struct CadreRow {
    personal_id: String,
    full_name: String,
    religion: Option<String>,
    party_joined_on: Option<NaiveDate>,
    phone: Option<String>,
    email: Option<String>,
    active: bool,
}

async fn text_nulls_and_ids_arrive_exactly(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let db = &app.state().db;
    let (s, v) = import(&app, &admin, "cadres", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 3, "{v}");

    let rows: Vec<CadreRow> = cadre_training::on_db!(db, |p| sqlx::query_as(
        "SELECT personal_id, full_name, religion, party_joined_on, phone, email, active
         FROM cadres ORDER BY personal_id"
    )
    .fetch_all(p)
    .await
    .unwrap());
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    let row =
        |pid: &str, name: &str, religion: Option<&str>, party, phone: Option<&str>| CadreRow {
            personal_id: pid.into(),
            full_name: name.into(),
            religion: religion.map(Into::into),
            party_joined_on: party,
            phone: phone.map(Into::into),
            email: None,
            active: true,
        };
    assert_eq!(
        rows,
        vec![
            row(
                "079180003101",
                "Nguyễn Thị Ánh-Dương",
                Some("Phật giáo"),
                day(2005, 2, 3),
                Some("0901 234 567")
            ),
            row("079185003102", "H'Hen Niê", None, None, None),
            row("079190003103", "Đặng Văn Ðức", None, None, None),
        ]
    );
    // Each period belongs to the cadre whose row gave it, and each cadre has its unit period.
    type Period = (String, String, NaiveDate, Option<NaiveDate>);
    let periods = |table: &str| {
        let sql = format!(
            "SELECT c.personal_id, p.unit_code, p.from_date, p.to_date
             FROM {table} p JOIN cadres c ON c.id = p.cadre_id ORDER BY c.personal_id"
        );
        async move {
            let rows: Vec<Period> =
                cadre_training::on_db!(db, |p| sqlx::query_as(&sql).fetch_all(p).await.unwrap());
            rows
        }
    };
    let period =
        |pid: &str, unit: &str, from, to| -> Period { (pid.into(), unit.into(), from, to) };
    assert_eq!(
        periods("title_assignments").await,
        vec![
            period("079180003101", "26734", day(2020, 6, 1).unwrap(), None),
            period(
                "079190003103",
                "26737",
                day(2016, 1, 1).unwrap(),
                day(2019, 12, 31)
            ),
        ]
    );
    assert_eq!(
        periods("succession_plans").await,
        vec![period(
            "079185003102",
            "26737",
            day(2021, 1, 1).unwrap(),
            None
        )]
    );
    let units: Vec<(String, String)> = cadre_training::on_db!(db, |p| {
        sqlx::query_as(
        "SELECT c.personal_id, u.unit_code FROM cadre_units u JOIN cadres c ON c.id = u.cadre_id
         WHERE u.to_date IS NULL ORDER BY c.personal_id"
    )
    .fetch_all(p)
    .await
    .unwrap()
    });
    assert_eq!(
        units,
        vec![
            ("079180003101".into(), "26734".into()),
            ("079185003102".into(), "26737".into()),
            ("079190003103".into(), "26737".into())
        ]
    );

    // Qualifications: free text with tabs, backslashes, `\N`, an empty cell.
    let quals = file(
        &[
            "Số CCCD/CMND",
            "Mã loại trình độ",
            "Mã trình độ",
            "Ngày cấp",
            "Nơi cấp",
            "Số văn bằng",
        ],
        &[
            cadre(&[
                "079180003101",
                "political_theory",
                "intermediate",
                "10/10/2012",
                &q(TAB),
                &q(BACKSLASHES),
            ]),
            cadre(&[
                "079185003102",
                "political_theory",
                "elementary",
                "2014-01-01",
                &q(LINES),
                NULL_MARKER,
            ]),
            cadre(&[
                "079190003103",
                "political_theory",
                "elementary",
                "2015-01-01",
                "",
                "",
            ]),
        ],
    );
    let (s, v) = import(&app, &admin, "qualifications", quals).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 3, "{v}");
    let quals: Vec<(String, String, String)> = cadre_training::on_db!(db, |p| sqlx::query_as(
        "SELECT c.personal_id, q.issuer, q.evidence FROM cadre_qualifications q
         JOIN cadres c ON c.id = q.cadre_id ORDER BY c.personal_id"
    )
    .fetch_all(p)
    .await
    .unwrap());
    assert_eq!(
        quals,
        vec![
            ("079180003101".into(), TAB.into(), BACKSLASHES.into()),
            ("079185003102".into(), LINES.into(), NULL_MARKER.into()),
            ("079190003103".into(), String::new(), String::new()),
        ]
    );

    // Completions: a score or none, references with line breaks; the qualification a module
    // awards points at its own completion.
    let comps = file(
        &[
            "Số CCCD/CMND",
            "Mã học phần",
            "Ngày hoàn thành",
            "Điểm",
            "Nguồn",
            "Tham chiếu",
            "Đơn vị cấp",
        ],
        &[
            cadre(&[
                "079180003101",
                "DV-01",
                "05/05/2009",
                "\"8,5\"",
                "giấy",
                &q(LINES),
                &q(TAB),
            ]),
            cadre(&[
                "079185003102",
                "llct-sc",
                "2015-06-30",
                "",
                "nhập",
                &q(BACKSLASHES),
                "",
            ]),
            cadre(&[
                "079190003103",
                "llct-sc",
                "2016-06-30",
                "7",
                "nhập",
                NULL_MARKER,
                "",
            ]),
        ],
    );
    let (s, v) = import(&app, &admin, "completions", comps).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 3, "{v}");
    type Comp = (String, String, Option<i64>, String);
    let comps: Vec<Comp> = cadre_training::on_db!(db, |p| sqlx::query_as(
        "SELECT c.personal_id, m.code, x.score_tenths, x.source_ref FROM completions x
         JOIN cadres c ON c.id = x.cadre_id JOIN modules m ON m.id = x.module_id
         ORDER BY c.personal_id"
    )
    .fetch_all(p)
    .await
    .unwrap());
    assert_eq!(
        comps,
        vec![
            (
                "079180003101".into(),
                "DV-01".into(),
                Some(85),
                LINES.into()
            ),
            (
                "079185003102".into(),
                "LLCT-SC".into(),
                None,
                BACKSLASHES.into()
            ),
            (
                "079190003103".into(),
                "LLCT-SC".into(),
                Some(70),
                NULL_MARKER.into()
            ),
        ]
    );
    type Awarded = (String, NaiveDate, NaiveDate, String);
    let awarded: Vec<Awarded> = cadre_training::on_db!(db, |p| sqlx::query_as(
        "SELECT c.personal_id, q.obtained_on, x.completed_on, q.source_ref
         FROM cadre_qualifications q JOIN completions x ON x.id = q.completion_id
         JOIN cadres c ON c.id = q.cadre_id
         WHERE q.source = 'completion' AND x.cadre_id = q.cadre_id ORDER BY c.personal_id"
    )
    .fetch_all(p)
    .await
    .unwrap());
    assert_eq!(
        awarded,
        vec![
            (
                "079185003102".into(),
                day(2015, 6, 30).unwrap(),
                day(2015, 6, 30).unwrap(),
                BACKSLASHES.into()
            ),
            (
                "079190003103".into(),
                day(2016, 6, 30).unwrap(),
                day(2016, 6, 30).unwrap(),
                NULL_MARKER.into()
            ),
        ]
    );

    // The API answers what was stored, and a new record after the bulk ids takes the next id.
    let (s, list) = app.get("/api/cadres?q=hen%20nie", Some(&admin)).await;
    assert_eq!(s, Status::Ok, "{list}");
    let id = list["items"][0]["id"].as_i64().unwrap();
    let (_, record) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(record["full_name"], "H'Hen Niê", "{record}");
    assert!(record["religion"].is_null(), "{record}");
    let evidence: Vec<&Value> = record["qualifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| &q["issuer"])
        .collect();
    assert!(evidence.contains(&&Value::from(LINES)), "{record}");
    let max: i64 = cadre_training::on_db!(db, |p| sqlx::query_scalar("SELECT MAX(id) FROM cadres")
        .fetch_one(p)
        .await
        .unwrap());
    let fresh = crate::cadres::create(&app, &admin, "Phạm Văn Tư", "079190003104", "26734").await;
    assert!(
        fresh > max,
        "a later insert takes an id after the bulk ones"
    );
}

/// Makes every insert into `table` fail (a constraint the planner knows nothing of), as a
/// failure in the middle of the write would.
async fn refuse_inserts(app: &TestApp, table: &str, when: &str) {
    let db = &app.state().db;
    match app.backend {
        Backend::Sqlite => {
            exec(
                db,
                &format!(
                    "CREATE TRIGGER refused_{table} BEFORE INSERT ON {table} WHEN {when}
                     BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                ),
            )
            .await
        }
        Backend::Postgres => {
            exec(
                db,
                &format!("ALTER TABLE {table} ADD CONSTRAINT refused_{table} CHECK (NOT ({when}))"),
            )
            .await
        }
    }
}

async fn allow_inserts(app: &TestApp, table: &str) {
    let db = &app.state().db;
    match app.backend {
        Backend::Sqlite => exec(db, &format!("DROP TRIGGER refused_{table}")).await,
        Backend::Postgres => {
            exec(
                db,
                &format!("ALTER TABLE {table} DROP CONSTRAINT refused_{table}"),
            )
            .await
        }
    }
}

/// The rows of every table an import writes, the audit entries and the data version.
async fn footprint(app: &TestApp) -> Vec<i64> {
    let db = &app.state().db;
    let mut out = vec![];
    for table in [
        "cadres",
        "cadre_units",
        "title_assignments",
        "succession_plans",
        "cadre_qualifications",
        "completions",
        "audit_log",
    ] {
        out.push(count(db, table).await);
    }
    out.push(app.data_version().await);
    out
}

/// An import that fails in the last table it writes (after all the others went through the bulk
/// path) leaves no row, no audit entry and the data version as they were; the same connection
/// pool then takes the same file whole.
async fn a_failure_in_the_last_table_leaves_nothing(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let before = footprint(&app).await;
    // The cadre import writes cadres, cadre_units, title_assignments, then succession_plans.
    refuse_inserts(&app, "succession_plans", "TRUE").await;
    let (s, v) = import(&app, &admin, "cadres", roster()).await;
    assert!(s.code >= 400, "{s} {v}");
    assert_eq!(footprint(&app).await, before, "{v}");
    allow_inserts(&app, "succession_plans").await;
    let (s, v) = import(&app, &admin, "cadres", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 3, "{v}");

    // The completion import writes completions, then the qualifications they award.
    let before = footprint(&app).await;
    refuse_inserts(&app, "cadre_qualifications", "source = 'completion'").await;
    let comps = file(
        &[
            "Số CCCD/CMND",
            "Mã học phần",
            "Ngày hoàn thành",
            "Tham chiếu",
        ],
        &[
            cadre(&["079180003101", "DV-01", "05/05/2009", "Sổ 1"]),
            cadre(&["079185003102", "llct-sc", "2015-06-30", "Sổ 2"]),
        ],
    );
    let (s, v) = import(&app, &admin, "completions", comps.clone()).await;
    assert!(s.code >= 400, "{s} {v}");
    assert_eq!(footprint(&app).await, before, "{v}");
    allow_inserts(&app, "cadre_qualifications").await;
    let (s, v) = import(&app, &admin, "completions", comps).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 2, "{v}");
}
