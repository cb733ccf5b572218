//! Bulk import (cadres, qualifications, historical completions) and exports, on both databases.

use cadre_training::shared::clock::city_today;
use rocket::http::{ContentType, Status};
use serde_json::{json, Value};

use crate::db_tests;
use crate::helpers::TestApp;

const CADRE_HEADER: &str = "Số CCCD/CMND;Họ và tên;Giới tính;Ngày sinh;Dân tộc;Mã đơn vị;Tổ chức;Ở đơn vị từ ngày;Mã chức danh;Giữ chức danh từ ngày;Mã chức danh quy hoạch;Quy hoạch từ ngày";

/// A CSV with BOM and semicolons, as Excel saves it in Vietnamese locales.
fn csv(header: &str, rows: &[&str]) -> Vec<u8> {
    let mut s = String::from("\u{feff}");
    s.push_str(header);
    s.push_str("\r\n");
    for r in rows {
        s.push_str(r);
        s.push_str("\r\n");
    }
    s.into_bytes()
}

fn roster() -> Vec<u8> {
    csv(
        CADRE_HEADER,
        &[
            "079180000001;Nguyễn Thị An;Nữ;15/03/1980;Kinh;26734;Mặt trận Tổ quốc;01/01/2015;FF-CHAIR-COMMUNE;01/06/2020;;",
            "079185000002;Trần Văn Bình;Nam;1985-07-02;Hoa;26737;Đoàn Thanh niên;2016-01-01;;;FF-CHAIR-COMMUNE;2021-01-01",
            "079190000003;Lê Thị Cúc;nu;02/02/1990;Khmer;760;womens_union;01/01/2018;;;;",
        ],
    )
}

async fn import(
    app: &TestApp,
    t: &str,
    kind: &str,
    query: &str,
    bytes: Vec<u8>,
) -> (Status, Value) {
    app.post_raw(
        &format!("/api/imports/{kind}?{query}"),
        Some(t),
        ContentType::CSV,
        bytes,
    )
    .await
}

async fn cadre_count(app: &TestApp, t: &str) -> i64 {
    let (s, v) = app.get("/api/cadres?limit=1", Some(t)).await;
    assert_eq!(s, Status::Ok, "{v}");
    v["total"].as_i64().unwrap()
}

async fn find(app: &TestApp, t: &str, q: &str) -> Value {
    let (s, v) = app
        .get(&format!("/api/cadres?q={}", q.replace(' ', "%20")), Some(t))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let id = v["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no cadre {q}: {v}"));
    app.get(&format!("/api/cadres/{id}"), Some(t)).await.1
}

/// The problems of a 422, as (row, field, message).
fn problems(v: &Value) -> Vec<(i64, String, String)> {
    v["error"]["details"]
        .as_array()
        .unwrap_or_else(|| panic!("no details: {v}"))
        .iter()
        .map(|d| {
            (
                d["row"].as_i64().unwrap_or(0),
                d["field"].as_str().unwrap_or("").to_string(),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(p: &[(i64, String, String)], row: i64, field: &str, msg: &str) -> bool {
    p.iter()
        .any(|(r, f, m)| *r == row && f == field && m.contains(msg))
}

crate::slow_db_tests!(large_file_failing_near_the_end_writes_nothing_then_imports_whole);
db_tests!(
    a_roster_move_leaves_no_title_behind,
    a_roster_title_is_held_on_the_line_of_the_cadres_unit,
    a_roster_row_holds_one_title_of_an_organisation_in_a_unit_at_a_time,
    a_completion_on_record_from_a_class_is_not_imported_again,
    dry_run_commit_and_reimport,
    every_row_problem_is_reported_and_nothing_written,
    header_problems,
    officers_import_only_into_their_subtree,
    xlsx_with_serial_and_text_dates,
    qualifications_and_completions,
    size_limit_and_roles,
    export_round_trip_into_an_empty_database,
    exports_are_scoped,
    templates,
    every_problem_of_a_row_is_listed,
    problems_have_codes_and_reasons_in_two_languages,
    names_must_match_the_record,
    qualification_levels_by_name,
    an_import_leaves_no_inactive_cadre_holding_a_title,
    an_import_leaves_no_inactive_cadre_in_a_seat,
    a_roster_records_a_past_term_at_a_retired_ward,
    a_blank_active_cell_keeps_the_record,
    titles_in_a_roster_start_at_eighteen,
    a_roster_keeps_a_birth_date_before_the_cadres_completions,
    a_roster_places_cadres_and_titles_in_a_unit_once_it_exists,
    a_column_left_out_of_a_file_leaves_its_field_as_recorded,
    the_problems_file_runs_no_formula_from_a_header,
    a_qualification_is_on_record_once,
    a_roster_restating_a_title_no_longer_in_use_is_unchanged,
);

/// A SQLite app with the city's units and the sample roster imported.
async fn sqlite_with_roster() -> TestApp {
    let app = TestApp::sqlite().await;
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    app
}

/// SQLite gathers no planner statistics by itself: an imported database had none, and a ward's
/// export walked the whole table of cadres in name order. An app server starting on a database
/// gathers the statistics of the tables that have none (`Db::optimize`), so the planner knows how
/// many units and cadres there are and seeks a subtree's units first.
#[rocket::async_test]
async fn sqlite_gathers_the_planners_statistics_at_start() {
    let app = sqlite_with_roster().await;
    let stat = |app: &TestApp, table: &'static str| {
        let db = app.state().db.clone();
        async move {
            let cadre_training::db::Db::Sqlite(p) = &db else {
                unreachable!("a SQLite app")
            };
            let known: bool = sqlx::query_scalar(
                "SELECT COUNT(*) > 0 FROM sqlite_master WHERE name = 'sqlite_stat1'",
            )
            .fetch_one(p)
            .await
            .unwrap();
            if !known {
                return None;
            }
            sqlx::query_scalar::<_, String>(
                "SELECT stat FROM sqlite_stat1 WHERE tbl = $1 ORDER BY idx LIMIT 1",
            )
            .bind(table)
            .fetch_optional(p)
            .await
            .unwrap()
        }
    };
    // The first start found empty tables; the import's rows are not counted yet.
    let units_before = stat(&app, "units").await;
    assert!(
        units_before.as_deref().is_none_or(|s| s.starts_with("0 ")),
        "{units_before:?}"
    );
    // A second app server starting on the same database counts them.
    let again = app.another_instance(&[]).await;
    for table in ["units", "cadres"] {
        let counted = stat(&again, table).await;
        let rows = counted
            .as_deref()
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse::<i64>().ok());
        assert!(rows.is_some_and(|n| n > 0), "{table}: {counted:?}");
    }
}

/// The bundled SQLite is built as `.cargo/config.toml` says: without STAT4, so the statistics are
/// `sqlite_stat1` only (with STAT4 and gathered statistics, SQLite re-prepares every statement
/// whose plan could depend on a bound value each time it runs, which cost `/api/me` half its
/// throughput: BENCHMARKS.md, "SQLite without STAT4"), and without memory statistics (kept, every
/// allocation took one process-wide mutex: "SQLite without memory statistics"). Fails if either
/// build option is lost.
#[rocket::async_test]
async fn sqlite_is_built_without_stat4_or_memory_statistics() {
    let app = sqlite_with_roster().await;
    let again = app.another_instance(&[]).await;
    let cadre_training::db::Db::Sqlite(p) = &again.state().db else {
        unreachable!("a SQLite app")
    };
    let options: Vec<String> = sqlx::query_scalar("PRAGMA compile_options")
        .fetch_all(p)
        .await
        .unwrap();
    assert!(
        !options.iter().any(|o| o.starts_with("ENABLE_STAT4")),
        "{options:?}"
    );
    assert!(
        options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
        "{options:?}"
    );
    // The start gathered statistics (stat1), and no per-value samples.
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%' ORDER BY name",
    )
    .fetch_all(p)
    .await
    .unwrap();
    assert_eq!(tables, ["sqlite_stat1"]);
}

async fn dry_run_commit_and_reimport(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(
        &app,
        &admin,
        "cadres",
        "dry_run=true&file_name=roster.csv",
        roster(),
    )
    .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(
        (
            v["dry_run"].as_bool(),
            v["rows"].as_i64(),
            v["created"].as_i64()
        ),
        (Some(true), Some(3), Some(3))
    );
    assert_eq!(
        cadre_count(&app, &admin).await,
        0,
        "a dry run writes nothing"
    );

    let (s, v) = import(&app, &admin, "cadres", "file_name=roster.csv", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(
        (
            v["created"].as_i64(),
            v["updated"].as_i64(),
            v["unchanged"].as_i64()
        ),
        (Some(3), Some(0), Some(0))
    );
    assert_eq!(v["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(cadre_count(&app, &admin).await, 3);

    let an = find(&app, &admin, "nguyen thi an").await;
    assert_eq!(an["birth_date"], "1980-03-15");
    assert_eq!(an["gender"], "female");
    assert_eq!(an["organisation"], "fatherland_front");
    assert_eq!(an["ethnic_minority"], false);
    assert_eq!(an["titles"][0]["title_code"], "FF-CHAIR-COMMUNE");
    assert_eq!(an["titles"][0]["from_date"], "2020-06-01");
    assert_eq!(an["units"][0]["from_date"], "2015-01-01");
    let binh = find(&app, &admin, "tran van binh").await;
    assert_eq!(binh["ethnic_minority"], true, "Hoa is a minority");
    assert_eq!(binh["plans"][0]["title_code"], "FF-CHAIR-COMMUNE");
    assert_eq!(binh["titles"].as_array().unwrap().len(), 0);
    let cuc = find(&app, &admin, "le thi cuc").await;
    assert_eq!(cuc["organisation"], "womens_union");

    // The same file again changes nothing.
    let (s, v) = import(&app, &admin, "cadres", "file_name=roster.csv", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(
        (
            v["created"].as_i64(),
            v["updated"].as_i64(),
            v["unchanged"].as_i64()
        ),
        (Some(0), Some(0), Some(3))
    );
    assert_eq!(cadre_count(&app, &admin).await, 3);

    // A changed file updates in place: a move, a title that ended (a name is not changed by an
    // import: `names_must_match_the_record`).
    let changed = csv(
        &format!("{CADRE_HEADER};Giữ chức danh đến ngày"),
        &[
            "079180000001;Nguyễn Thị An;Nữ;15/03/1980;Kinh;26734;Mặt trận Tổ quốc;01/01/2015;FF-CHAIR-COMMUNE;01/06/2020;;;31/12/2025",
            "079185000002;Trần Văn Bình;Nam;1985-07-02;Hoa;26737;Đoàn Thanh niên;2016-01-01;;;FF-CHAIR-COMMUNE;2021-01-01;",
            "079190000003;Lê Thị Cúc;nu;02/02/1990;Khmer;26740;womens_union;01/03/2024;;;;;",
        ],
    );
    let (s, v) = import(&app, &admin, "cadres", "file_name=roster-v2.csv", changed).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(
        (
            v["created"].as_i64(),
            v["updated"].as_i64(),
            v["unchanged"].as_i64()
        ),
        (Some(0), Some(2), Some(1))
    );
    let an = find(&app, &admin, "nguyen thi an").await;
    assert_eq!(an["titles"][0]["to_date"], "2025-12-31");
    let cuc = find(&app, &admin, "le thi cuc").await;
    assert_eq!(cuc["unit_code"], "26740");
    assert_eq!(
        cuc["units"].as_array().unwrap().len(),
        2,
        "the move is history: {cuc}"
    );
    assert_eq!(cuc["units"][1]["from_date"], "2024-03-01");

    // Each committed import is in the audit trail with its file name, hash and counts.
    let (s, v) = app.get("/api/audit?entity=import", Some(&admin)).await;
    assert_eq!(s, Status::Ok, "{v}");
    let entries = v["items"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "dry runs are not recorded: {v}");
    let names: Vec<&str> = entries
        .iter()
        .map(|e| e["after"]["file_name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"roster-v2.csv"));
    assert!(entries
        .iter()
        .all(|e| e["after"]["sha256"].as_str().unwrap().len() == 64 && e["actor"] == "admin"));
    assert!(entries.iter().any(|e| e["after"]["updated"] == 2));
}

async fn every_row_problem_is_reported_and_nothing_written(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    // A retired unit.
    let (s, v) = app
        .post(
            "/api/units/26743/retire",
            Some(&admin),
            json!({"on": "2025-01-01"}),
        )
        .await;
    assert!(s == Status::Ok || s == Status::UnprocessableEntity, "{v}");
    let bad = csv(
        CADRE_HEADER,
        &[
            "079180000001;Nguyễn Thị An;Nữ;15/03/1980;Kinh;26734;Mặt trận Tổ quốc;;;;;",
            "079180000002;Phạm Văn Dũng;Nam;31/02/1980;Kinh;26734;Mặt trận Tổ quốc;;;;;",
            "079180000001;Võ Thị Em;Nữ;01/01/1981;Kinh;26734;Mặt trận Tổ quốc;;;;;",
            "079180000004;Đỗ Văn Phúc;Nam;01/01/1982;Kinh;99999;Mặt trận Tổ quốc;;;;;",
            "079180000005;Hồ Thị Giang;Nữ;01/01/1983;Kinh;760;Mặt trận Tổ quốc;;FF-CHAIR-COMMUNE;01/01/2020;;",
            "079180000006;Bùi Văn Hải;Nam;01/01/1984;Kinh;26734;Mặt trận Tổ quốc;;NO-SUCH-TITLE;01/01/2020;;",
            "12345;Ngô Thị Khánh;Nữ;01/01/1985;Kinh;26734;Mặt trận Tổ quốc;;;;;",
            "079180000008;Lý Văn Long;Robot;01/01/1986;Kinh;26734;Câu lạc bộ;;;;;",
            "079180000009;;Nữ;;Kinh;26734;Mặt trận Tổ quốc;;;;;",
            "079180000010;Mai Thị Ngọc;Nữ;01/01/1987;Kinh;26734;Mặt trận Tổ quốc;;FF-CHAIR-COMMUNE;;;",
        ],
    );
    let (s, v) = import(&app, &admin, "cadres", "dry_run=true", bad.clone()).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let (s2, v2) = import(&app, &admin, "cadres", "", bad).await;
    assert_eq!(s2, Status::UnprocessableEntity, "{v2}");
    assert_eq!(v, v2, "a dry run and a commit find the same problems");
    assert_eq!(v["error"]["field"], "file");
    let p = problems(&v);
    assert!(has(&p, 3, "Ngày sinh", "not a date"), "{p:?}");
    assert!(has(&p, 4, "Số CCCD/CMND", "row 2"), "{p:?}");
    assert!(has(&p, 5, "Mã đơn vị", "no unit with this code"), "{p:?}");
    assert!(has(&p, 6, "Mã đơn vị", "commune-level title"), "{p:?}");
    assert!(has(&p, 7, "Mã chức danh", "no active title"), "{p:?}");
    assert!(has(&p, 8, "Số CCCD/CMND", "9 or 12 digits"), "{p:?}");
    assert!(has(&p, 9, "Giới tính", "Nam, Nữ"), "{p:?}");
    assert!(has(&p, 9, "Tổ chức", "unknown organisation"), "{p:?}");
    assert!(has(&p, 10, "Họ và tên", "required"), "{p:?}");
    assert!(has(&p, 10, "Ngày sinh", "required"), "{p:?}");
    assert!(has(&p, 11, "Giữ chức danh từ ngày", "required"), "{p:?}");
    assert!(!p.iter().any(|(r, _, _)| *r == 2), "row 2 is fine: {p:?}");
    let d = v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["row"] == 3)
        .unwrap()
        .clone();
    assert_eq!(d["value"], "31/02/1980", "the value is named");
    assert_eq!(cadre_count(&app, &admin).await, 0, "nothing was written");
}

async fn header_problems(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(
        &app,
        &admin,
        "cadres",
        "",
        csv(
            "Số CCCD/CMND;Họ và tên;Màu yêu thích",
            &["079180000001;Nguyễn Thị An;xanh"],
        ),
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let p = problems(&v);
    assert!(has(&p, 1, "Màu yêu thích", "unknown column"), "{p:?}");
    assert!(has(&p, 1, "Ngày sinh", "missing"), "{p:?}");
    // English headers are accepted as well as Vietnamese, commas as well as semicolons.
    let en = "Personal ID,Full name,Gender,Birth date,Ethnicity,Unit code,Organisation\n079180000001,Nguyễn Thị An,female,1980-03-15,Kinh,26734,fatherland_front\n";
    let (s, v) = import(&app, &admin, "cadres", "", en.as_bytes().to_vec()).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 1);
    // Not UTF-8, empty, garbage.
    let (s, v) = import(&app, &admin, "cadres", "", b"\xff\xfe\x00a".to_vec()).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("UTF-8"),
        "{v}"
    );
    let (s, v) = import(&app, &admin, "cadres", "", vec![]).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let (s, v) = import(
        &app,
        &admin,
        "cadres",
        "",
        b"PK\x03\x04 not really a workbook".to_vec(),
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "file");
    let (s, v) = import(&app, &admin, "cadres", "dry_run=maybe", roster()).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "dry_run");
}

async fn officers_import_only_into_their_subtree(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    // A cadre of Quận 3 already on record.
    let (s, v) = import(
        &app,
        &admin,
        "cadres",
        "",
        csv(
            CADRE_HEADER,
            &["079170000009;Đặng Văn Sơn;Nam;01/01/1970;Kinh;27127;Mặt trận Tổ quốc;;;;;"],
        ),
    )
    .await;
    assert_eq!(s, Status::Ok, "{v}");
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;
    let file = csv(
        CADRE_HEADER,
        &[
            "079180000001;Nguyễn Thị An;Nữ;15/03/1980;Kinh;26734;Mặt trận Tổ quốc;;;;;",
            "079180000002;Trần Văn Bình;Nam;01/01/1981;Kinh;27130;Mặt trận Tổ quốc;;;;;",
            "079170000009;Đặng Văn Sơn;Nam;01/01/1970;Kinh;26734;Mặt trận Tổ quốc;;;;;",
        ],
    );
    let (s, v) = import(&app, &officer, "cadres", "", file).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let p = problems(&v);
    assert!(has(&p, 3, "Mã đơn vị", "outside your subtree"), "{p:?}");
    assert!(has(&p, 4, "Số CCCD/CMND", "outside your subtree"), "{p:?}");
    assert_eq!(p.len(), 2, "{p:?}");
    assert!(
        !v.to_string().contains("Đặng Văn Sơn"),
        "no name leaks: {v}"
    );
    // Their own rows go in.
    let (s, v) = import(
        &app,
        &officer,
        "cadres",
        "",
        csv(
            CADRE_HEADER,
            &["079180000001;Nguyễn Thị An;Nữ;15/03/1980;Kinh;26734;Mặt trận Tổ quốc;;;;;"],
        ),
    )
    .await;
    assert_eq!(s, Status::Ok, "{v}");
    // Commission and cadre accounts cannot import.
    let commission = app.account(&admin, "commission1", "commission", None).await;
    let (s, _) = import(&app, &commission, "cadres", "", roster()).await;
    assert_eq!(s, Status::Forbidden);
    let (s, _) = import(&app, &officer, "completions", "", roster()).await;
    assert_eq!(
        s,
        Status::Forbidden,
        "historical completions are the school's"
    );
    let (s, _) = app
        .post_raw("/api/imports/cadres", None, ContentType::CSV, roster())
        .await;
    assert_eq!(s, Status::Unauthorized);
}

async fn xlsx_with_serial_and_text_dates(app: TestApp) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let headers = [
        "Số CCCD/CMND",
        "Họ và tên",
        "Giới tính",
        "Ngày sinh",
        "Dân tộc",
        "Mã đơn vị",
        "Tổ chức",
        "Ngày vào Đảng",
        "Đang công tác",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    // Row 2: a date cell, a personal id typed as a number (its leading zero lost), a boolean cell.
    ws.write_number(1, 0, 79_180_000_001.0).unwrap();
    ws.write_string(1, 1, "Nguyễn Thị An").unwrap();
    ws.write_string(1, 2, "Nữ").unwrap();
    ws.write_datetime_with_format(
        1,
        3,
        ExcelDateTime::from_ymd(1980, 3, 15).unwrap(),
        &date_fmt,
    )
    .unwrap();
    ws.write_string(1, 4, "Kinh").unwrap();
    ws.write_number(1, 5, 26734.0).unwrap();
    ws.write_string(1, 6, "Mặt trận Tổ quốc").unwrap();
    ws.write_number(1, 7, 40_179.0).unwrap(); // a bare serial number: 2010-01-01
    ws.write_boolean(1, 8, true).unwrap();
    // Row 3: dates as text, in both accepted shapes.
    ws.write_string(2, 0, "079185000002").unwrap();
    ws.write_string(2, 1, "Trần Văn Bình").unwrap();
    ws.write_string(2, 2, "Nam").unwrap();
    ws.write_string(2, 3, "02/07/1985").unwrap();
    ws.write_string(2, 4, "Kinh").unwrap();
    ws.write_string(2, 5, "26737").unwrap();
    ws.write_string(2, 6, "Đoàn Thanh niên").unwrap();
    ws.write_string(2, 7, "2012-05-19").unwrap();
    ws.write_string(2, 8, "không").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let (s, v) = app
        .post_raw(
            "/api/imports/cadres?file_name=roster.xlsx",
            Some(&admin),
            ContentType::Binary,
            bytes,
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 2);
    let an = find(&app, &admin, "nguyen thi an").await;
    assert_eq!(an["personal_id"], "079180000001");
    assert_eq!(an["birth_date"], "1980-03-15");
    assert_eq!(an["party_joined_on"], "2010-01-01");
    assert_eq!(an["active"], true);
    let binh = find(&app, &admin, "tran van binh").await;
    assert_eq!(binh["birth_date"], "1985-07-02");
    assert_eq!(binh["party_joined_on"], "2012-05-19");
    assert_eq!(binh["active"], false);

    // A bad date in a workbook is reported with its spreadsheet row.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, val) in [
        "079190000003",
        "Lê Thị Cúc",
        "Nữ",
        "sometime in 1990",
        "Kinh",
        "26734",
        "Mặt trận Tổ quốc",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(1, c as u16, *val).unwrap();
    }
    let (s, v) = app
        .post_raw(
            "/api/imports/cadres",
            Some(&admin),
            ContentType::Binary,
            wb.save_to_buffer().unwrap(),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert!(has(&problems(&v), 2, "Ngày sinh", "not a date"), "{v}");
}

async fn qualifications_and_completions(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    let quals = csv(
        "Số CCCD/CMND;Họ và tên;Mã loại trình độ;Mã trình độ;Ngày cấp;Nơi cấp;Số văn bằng",
        &[
            "079180000001;Nguyễn Thị An;political_theory;intermediate;10/10/2012;Trường Chính trị TP;TC-123",
            "079185000002;Trần Văn Bình;political_theory;elementary;2014-01-01;;",
        ],
    );
    let (s, v) = import(
        &app,
        &admin,
        "qualifications",
        "file_name=quals.csv",
        quals.clone(),
    )
    .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 2);
    let (s, v) = import(&app, &admin, "qualifications", "", quals).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(
        (v["created"].as_i64(), v["unchanged"].as_i64()),
        (Some(0), Some(2))
    );
    let an = find(&app, &admin, "nguyen thi an").await;
    let q = an["qualifications"].as_array().unwrap();
    assert!(
        q.iter()
            .any(|q| q["level"] == "intermediate" && q["obtained_on"] == "2012-10-10"),
        "{an}"
    );

    let comps_header = "Số CCCD/CMND;Mã học phần;Ngày hoàn thành;Điểm;Nguồn;Tham chiếu;Đơn vị cấp";
    let comps = csv(
        comps_header,
        &[
            "079180000001;DV-01;05/05/2009;8,5;giấy;Sổ đào tạo Quận 1, 2009, tr. 12;Trường Chính trị TP",
            "079185000002;llct-sc;2015-06-30;;nhập;Bảng tính Ban Dân vận 2015;Trường Chính trị TP",
        ],
    );
    let (s, v) = import(
        &app,
        &admin,
        "completions",
        "file_name=history.csv",
        comps.clone(),
    )
    .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 2);
    let (s, v) = import(&app, &admin, "completions", "", comps).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(
        (v["created"].as_i64(), v["unchanged"].as_i64()),
        (Some(0), Some(2))
    );
    let binh = find(&app, &admin, "tran van binh").await;
    let (s, list) = app
        .get(
            &format!("/api/cadres/{}/completions", binh["id"]),
            Some(&admin),
        )
        .await;
    assert_eq!(s, Status::Ok, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["source"], "import");
    assert_eq!(items[0]["source_ref"], "Bảng tính Ban Dân vận 2015");
    // LLCT-SC awards elementary political theory, dated the completion.
    assert!(
        binh["qualifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["source"] == "completion" && q["obtained_on"] == "2015-06-30"),
        "{binh}"
    );

    // Problems: unknown person, unknown module, duplicate within the file, future date, bad score.
    let bad = csv(
        comps_header,
        &[
            "079199999999;DV-01;05/05/2009;;giấy;ref;",
            "079180000001;DV-99;05/05/2009;;giấy;ref;",
            "079180000001;DV-02;05/05/2010;;giấy;ref;",
            "079180000001;DV-02;05/05/2010;;giấy;ref;",
            "079180000001;DV-03;05/05/2999;;giấy;ref;",
            "079180000001;DV-04;05/05/2010;11;giấy;ref;",
            "079180000001;DV-05;05/05/2010;;;;",
        ],
    );
    let (s, v) = import(&app, &admin, "completions", "", bad).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let p = problems(&v);
    assert!(has(&p, 2, "Số CCCD/CMND", "no cadre"), "{p:?}");
    assert!(has(&p, 3, "Mã học phần", "no module"), "{p:?}");
    assert!(has(&p, 5, "Ngày hoàn thành", "row 4"), "{p:?}");
    assert!(has(&p, 6, "Ngày hoàn thành", "2100-12-31"), "{p:?}");
    assert!(has(&p, 7, "Điểm", "0 to 10"), "{p:?}");
    assert!(has(&p, 8, "Tham chiếu", "required"), "{p:?}");
    let bad_q = csv(
        "Số CCCD/CMND;Mã loại trình độ;Mã trình độ;Ngày cấp",
        &["079180000001;political_theory;doctorate;2012-01-01"],
    );
    let (s, v) = import(&app, &admin, "qualifications", "", bad_q).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert!(has(&problems(&v), 2, "Mã trình độ", "no level"), "{v}");
}

async fn size_limit_and_roles(app: TestApp) {
    let small = TestApp::spawn(app.backend, &[("import_max_bytes", json!(512))])
        .await
        .unwrap();
    let admin = small.admin_token().await;
    let mut big = roster();
    big.extend(std::iter::repeat_n(b' ', 1024));
    let (s, v) = import(&small, &admin, "cadres", "", big).await;
    assert_eq!(s, Status::PayloadTooLarge, "{v}");
    assert_eq!(v["error"]["code"], "payload_too_large");
    let (s, v) = import(&small, &admin, "nonsense", "", roster()).await;
    assert_eq!(s, Status::NotFound, "{v}");
}

async fn large_file_failing_near_the_end_writes_nothing_then_imports_whole(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let file = |bad: bool| {
        let mut s =
            String::from("Số CCCD/CMND,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã đơn vị,Tổ chức\n");
        for i in 0..100_000u64 {
            // File row 99,999 (data row 99,998) carries an impossible date.
            let born = if bad && i == 99_997 {
                "30/02/1980"
            } else {
                "01/01/1980"
            };
            s.push_str(&format!(
                "{:012},Nguyễn Văn An,Nam,{born},Kinh,26734,Mặt trận Tổ quốc\n",
                79_000_000_000u64 + i
            ));
        }
        s.into_bytes()
    };
    let (_, audit_before) = app.get("/api/audit?limit=1", Some(&admin)).await;
    let (st, v) = import(&app, &admin, "cadres", "", file(true)).await;
    assert_eq!(st, Status::UnprocessableEntity, "{v}");
    let p = problems(&v);
    assert_eq!(p.len(), 1, "{p:?}");
    assert_eq!(p[0].0, 99_999);
    assert_eq!(cadre_count(&app, &admin).await, 0);
    let (_, audit_after) = app.get("/api/audit?limit=1", Some(&admin)).await;
    assert_eq!(
        audit_before["total"], audit_after["total"],
        "not even an audit entry"
    );
    // Corrected, the 100,000 rows go in, and the export pages through all of them.
    let (st, v) = import(&app, &admin, "cadres", "", file(false)).await;
    assert_eq!(st, Status::Ok, "{v}");
    assert_eq!(v["created"], 100_000);
    assert_eq!(cadre_count(&app, &admin).await, 100_000);
    let (s, _, body) = app.get_bytes("/api/exports/cadres", Some(&admin)).await;
    assert_eq!(s, Status::Ok);
    let text = String::from_utf8(body).unwrap();
    let ids: std::collections::HashSet<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(text.lines().count(), 100_001);
    assert_eq!(
        ids.len(),
        100_000,
        "every cadre exactly once across the export's pages"
    );
}

async fn export_round_trip_into_an_empty_database(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    // A cadre entered through the API, with optional fields filled.
    let (s, v) = app
        .post("/api/cadres", Some(&admin), json!({"full_name": "Phan Thị Diệu", "gender": "female", "birth_date": "1975-12-01",
            "ethnicity": "Chăm", "religion": "Hồi giáo", "party_joined_on": "2000-02-03", "personal_id": "079175000004",
            "unit_code": "26740", "organisation": "labour_federation", "phone": "0903 123 456", "email": "dieu@example.vn",
            "active": false, "unit_since": "2019-04-01"}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, _, first) = app
        .get_bytes("/api/exports/cadres?format=csv", Some(&admin))
        .await;
    assert_eq!(s, Status::Ok);
    assert!(first.starts_with(b"\xEF\xBB\xBF"), "BOM");
    let text = String::from_utf8(first.clone()).unwrap();
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(
        text.contains("Phan Thị Diệu")
            && text.contains("Liên đoàn Lao động")
            && text.contains("Hồi giáo")
    );

    let other = TestApp::spawn(app.backend, &[]).await.unwrap();
    let admin2 = other.admin_token().await;
    other.import_hcmc(&admin2).await;
    let (s, v) = other
        .post_raw(
            "/api/imports/cadres?file_name=cadres.csv",
            Some(&admin2),
            ContentType::CSV,
            first.clone(),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 4);
    let (s, _, second) = other
        .get_bytes("/api/exports/cadres?format=csv", Some(&admin2))
        .await;
    assert_eq!(s, Status::Ok);
    assert_eq!(
        String::from_utf8(second).unwrap(),
        text,
        "the re-imported records export the same"
    );

    // The XLSX export carries the same rows, dates as dates, and re-imports too.
    let (s, hdrs, xlsx) = app
        .get_bytes("/api/exports/cadres?format=xlsx", Some(&admin))
        .await;
    assert_eq!(s, Status::Ok);
    assert!(hdrs
        .iter()
        .any(|(k, v)| k == "Content-Disposition" && v.contains("cadres.xlsx")));
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.clone())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.height(), 5);
    let third = TestApp::spawn(app.backend, &[]).await.unwrap();
    let admin3 = third.admin_token().await;
    third.import_hcmc(&admin3).await;
    let (s, v) = third
        .post_raw(
            "/api/imports/cadres",
            Some(&admin3),
            ContentType::Binary,
            xlsx,
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, _, again) = third
        .get_bytes("/api/exports/cadres?format=csv", Some(&admin3))
        .await;
    assert_eq!(String::from_utf8(again).unwrap(), text);
}

async fn exports_are_scoped(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let mut rows = roster();
    rows.extend(
        "079170000009;Đặng Văn Sơn;Nam;01/01/1970;Kinh;27127;Mặt trận Tổ quốc;;;;;\r\n".as_bytes(),
    );
    let (s, v) = import(&app, &admin, "cadres", "", rows).await;
    assert_eq!(s, Status::Ok, "{v}");
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;
    let (s, _, body) = app.get_bytes("/api/exports/cadres", Some(&officer)).await;
    assert_eq!(s, Status::Ok);
    let text = String::from_utf8(body).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    assert!(
        !text.contains("Đặng Văn Sơn"),
        "another district's cadre leaked"
    );
    let (s, _, body) = app
        .get_bytes("/api/exports/cadres?unit=26734", Some(&officer))
        .await;
    assert_eq!(s, Status::Ok);
    assert_eq!(String::from_utf8(body).unwrap().lines().count(), 2);
    let (s, _, _) = app
        .get_bytes("/api/exports/cadres?unit=770", Some(&officer))
        .await;
    assert_eq!(s, Status::Forbidden);
    let (s, _, _) = app
        .get_bytes("/api/exports/cadres?format=pdf", Some(&admin))
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    let cadre = app
        .cadre_login(&admin, "cadre1", "26734", "079180007703")
        .await;
    let (s, _, _) = app.get_bytes("/api/exports/cadres", Some(&cadre)).await;
    assert_eq!(s, Status::Forbidden);
    let (s, _, _) = app
        .get_bytes("/api/imports/cadres/template", Some(&cadre))
        .await;
    assert_eq!(s, Status::Forbidden);
    let (s, _, _) = app.get_bytes("/api/exports/cadres", None).await;
    assert_eq!(s, Status::Unauthorized);

    // Completions and classes with enrolments, for the officer only their cadres.
    let comps = csv(
        "Số CCCD/CMND;Mã học phần;Ngày hoàn thành;Tham chiếu",
        &[
            "079180000001;DV-01;05/05/2009;Sổ 2009",
            "079170000009;DV-01;05/05/2009;Sổ 2009",
        ],
    );
    let (s, v) = import(&app, &admin, "completions", "", comps).await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, _, all) = app
        .get_bytes("/api/exports/completions?module=DV-01", Some(&admin))
        .await;
    assert_eq!(String::from_utf8(all).unwrap().lines().count(), 3);
    let (_, _, mine) = app
        .get_bytes("/api/exports/completions", Some(&officer))
        .await;
    let mine = String::from_utf8(mine).unwrap();
    assert_eq!(mine.lines().count(), 2, "{mine}");
    assert!(!mine.contains("Đặng"));
    let today = city_today();
    let (s, v) = app
        .post("/api/classes", Some(&admin), json!({"code": "DV01-EXP", "module_code": "DV-01", "organiser": "Trường",
            "capacity": 1, "enrol_opens": (today - chrono::Duration::days(1)).to_string(),
            "enrol_closes": (today + chrono::Duration::days(30)).to_string(),
            "sessions": [{"starts_at": "2030-03-01T08:00", "ends_at": "2030-03-01T11:00", "venue": "P1", "instructor": "GV"}]}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, v) = app
        .post(
            "/api/classes/DV01-EXP/status",
            Some(&admin),
            json!({"status": "open"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    for q in ["nguyen thi an", "dang van son"] {
        let c = find(&app, &admin, q).await;
        let (s, v) = app
            .post(
                "/api/classes/DV01-EXP/enrolments",
                Some(&admin),
                json!({"cadre_id": c["id"]}),
            )
            .await;
        assert_eq!(s, Status::Created, "{v}");
    }
    let (s, _, all) = app.get_bytes("/api/exports/classes", Some(&admin)).await;
    assert_eq!(s, Status::Ok);
    let all = String::from_utf8(all).unwrap();
    assert_eq!(all.lines().count(), 3, "{all}");
    // Vietnamese by default: headers and statuses; English on request; anything else refused.
    assert!(
        all.contains("Danh sách chờ") && all.contains("Đã ghi danh"),
        "{all}"
    );
    assert!(
        all.contains("Đang nhận ghi danh") && !all.contains(",open,"),
        "{all}"
    );
    let (s, _, en) = app
        .get_bytes("/api/exports/classes?lang=en", Some(&admin))
        .await;
    assert_eq!(s, Status::Ok);
    let en = String::from_utf8(en).unwrap();
    assert!(
        en.trim_start_matches('\u{feff}').starts_with("Class code,"),
        "{en}"
    );
    assert!(
        en.contains("Waitlisted") && en.contains("Enrolled") && en.contains(",Open,"),
        "{en}"
    );
    let (s, _, _) = app
        .get_bytes("/api/exports/classes?lang=fr", Some(&admin))
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    // A class not yet published (planned) is the school's: in its file, not in an officer's,
    // who cannot open it either.
    let (s, v) = app
        .post("/api/classes", Some(&admin), json!({"code": "DV01-PLAN", "module_code": "DV-01", "organiser": "Trường",
            "capacity": 5, "enrol_opens": (today - chrono::Duration::days(1)).to_string(),
            "enrol_closes": (today + chrono::Duration::days(30)).to_string(),
            "sessions": [{"starts_at": "2030-04-01T08:00", "ends_at": "2030-04-01T11:00", "venue": "P1", "instructor": "GV"}]}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (_, _, all) = app.get_bytes("/api/exports/classes", Some(&admin)).await;
    assert!(String::from_utf8(all).unwrap().contains("DV01-PLAN"));
    let (s, _) = app.get("/api/classes/DV01-PLAN", Some(&officer)).await;
    assert_eq!(s, Status::NotFound);
    let (_, _, mine) = app.get_bytes("/api/exports/classes", Some(&officer)).await;
    let mine = String::from_utf8(mine).unwrap();
    assert_eq!(mine.lines().count(), 2, "{mine}");
    assert!(
        !mine.contains("Đặng") && !mine.contains("DV01-PLAN"),
        "{mine}"
    );
    let (_, _, mine) = app
        .get_bytes("/api/exports/classes?status=planned", Some(&officer))
        .await;
    let mine = String::from_utf8(mine).unwrap();
    assert_eq!(mine.lines().count(), 1, "{mine}");
}

async fn templates(app: TestApp) {
    let admin = app.admin_token().await;
    for kind in ["cadres", "qualifications", "completions"] {
        let (s, hdrs, body) = app
            .get_bytes(&format!("/api/imports/{kind}/template"), Some(&admin))
            .await;
        assert_eq!(s, Status::Ok);
        assert!(hdrs
            .iter()
            .any(|(k, v)| k == "Content-Type" && v.starts_with("text/csv")));
        assert!(
            body.starts_with("\u{feff}Số CCCD/CMND".as_bytes()),
            "{kind}"
        );
        let (s, _, en) = app
            .get_bytes(
                &format!("/api/imports/{kind}/template?lang=en&format=xlsx"),
                Some(&admin),
            )
            .await;
        assert_eq!(s, Status::Ok);
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(en)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(range.get((0, 0)).unwrap().to_string(), "Personal ID");
    }
    // The empty template imports as an empty file.
    let (_, _, body) = app
        .get_bytes("/api/imports/cadres/template", Some(&admin))
        .await;
    let (s, v) = import(&app, &admin, "cadres", "dry_run=true", body).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["rows"], 0);
    let (s, _, _) = app
        .get_bytes("/api/imports/cadres/template?lang=fr", Some(&admin))
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    let (s, _, _) = app.get_bytes("/api/imports/cadres/template", None).await;
    assert_eq!(s, Status::Unauthorized);
}

/// Every problem of a row is listed: those of its cells and every check against the data that
/// can still be made, whatever else fails on the row (issue 15).
async fn every_problem_of_a_row_is_listed(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;
    let header = format!("{CADRE_HEADER};Đơn vị giữ chức danh;Đơn vị quy hoạch");
    let file = csv(
        &header,
        &[
            // A bad date and a unit outside the officer's subtree.
            "079180000011;Phạm Văn Dũng;Nam;31/02/1980;Kinh;27127;Mặt trận Tổ quốc;;;;;;;",
            // A bad gender, an unknown home unit, an unknown title at a unit outside the
            // subtree, a planned district title at a ward.
            "079180000012;Võ Thị Em;Robot;01/01/1981;Kinh;99999;Mặt trận Tổ quốc;;NO-SUCH;01/01/2020;FF-CHAIR-DISTRICT;2021-01-01;27127;26737",
            // Row 2's personal id again, with a bad date.
            "079180000011;Phạm Văn Dũng;Nam;soon;Kinh;26734;Mặt trận Tổ quốc;;;;;;;",
            // An (on record in 26734 since 2015, chair there since 2020-06-01): a move dated
            // before that and a chair's period overlapping the one on record.
            "079180000001;Nguyễn Thị An;Nữ;15/03/1980;Kinh;26737;Mặt trận Tổ quốc;01/01/2014;FF-CHAIR-COMMUNE;01/01/2021;;;;",
        ],
    );
    let (s, v) = import(&app, &officer, "cadres", "dry_run=true", file).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let p = problems(&v);
    let want = [
        (2, "Ngày sinh", "not a date"),
        (2, "Mã đơn vị", "the unit is outside your subtree"),
        (3, "Giới tính", "write Nam, Nữ or Khác"),
        (3, "Mã đơn vị", "no unit with this code"),
        (3, "Mã chức danh", "no active title with this code"),
        (
            3,
            "Đơn vị giữ chức danh",
            "the unit is outside your subtree",
        ),
        (
            3,
            "Đơn vị quy hoạch",
            "district-level title; unit 26737 is at commune level",
        ),
        (4, "Số CCCD/CMND", "the same personal id number is on row 2"),
        (4, "Ngày sinh", "not a date"),
        (5, "Mã chức danh", "overlaps another period"),
        (
            5,
            "Ở đơn vị từ ngày",
            "before the cadre's current unit period",
        ),
    ];
    for (row, field, msg) in want {
        assert!(has(&p, row, field, msg), "{row} {field} {msg}: {p:?}");
    }
    assert_eq!(p.len(), want.len(), "{p:?}");

    // Qualifications and completions: a repeated row is reported beside the row's other problems.
    let quals = csv(
        "Số CCCD/CMND;Mã loại trình độ;Mã trình độ;Ngày cấp;Nơi cấp",
        &[
            "079180000001;political_theory;intermediate;10/10/2012;Trường Chính trị TP",
            &format!(
                "079180000001;political_theory;intermediate;10/10/2012;{}",
                "x".repeat(201)
            ),
            "079199999999;political_theory;doctorate;31/02/2012;",
        ],
    );
    let (s, v) = import(&app, &admin, "qualifications", "dry_run=true", quals).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let p = problems(&v);
    let want = [
        (3, "Nơi cấp", "at most 200 characters"),
        (3, "Ngày cấp", "the same qualification is on row 2"),
        (4, "Số CCCD/CMND", "no cadre with this personal id number"),
        (
            4,
            "Mã trình độ",
            "no level doctorate on scale political_theory",
        ),
        (4, "Ngày cấp", "not a date"),
    ];
    for (row, field, msg) in want {
        assert!(has(&p, row, field, msg), "{row} {field} {msg}: {p:?}");
    }
    assert_eq!(p.len(), want.len(), "{p:?}");
    let comps = csv(
        "Số CCCD/CMND;Mã học phần;Ngày hoàn thành;Điểm;Nguồn;Tham chiếu",
        &[
            "079180000001;DV-02;05/05/2010;;giấy;ref",
            "079180000001;DV-02;05/05/2010;11;giấy;ref",
            "079199999999;DV-99;05/05/2999;;sách;",
        ],
    );
    let (s, v) = import(&app, &admin, "completions", "dry_run=true", comps).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let p = problems(&v);
    let want = [
        (3, "Điểm", "a score from 0 to 10"),
        (3, "Ngày hoàn thành", "the same completion is on row 2"),
        (4, "Số CCCD/CMND", "no cadre with this personal id number"),
        (4, "Mã học phần", "no module with this code"),
        (4, "Ngày hoàn thành", "not between"),
        (4, "Nguồn", "write giấy (paper) or nhập (import)"),
        (4, "Tham chiếu", "a value is required"),
    ];
    for (row, field, msg) in want {
        assert!(has(&p, row, field, msg), "{row} {field} {msg}: {p:?}");
    }
    assert_eq!(p.len(), want.len(), "{p:?}");
}

/// The problems of a 422 as (row, field, code), in the order listed.
pub fn coded(v: &Value) -> Vec<(i64, String, String)> {
    v["error"]["details"]
        .as_array()
        .unwrap_or_else(|| panic!("no details: {v}"))
        .iter()
        .map(|d| {
            (
                d["row"].as_i64().unwrap_or(0),
                d["field"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn owned(p: &[(i64, &str, &str)]) -> Vec<(i64, String, String)> {
    p.iter()
        .map(|(r, f, c)| (*r, f.to_string(), c.to_string()))
        .collect()
}

/// Every problem of a file as the problems CSV gives it: (row, column, value, reason).
async fn problems_csv(
    app: &TestApp,
    t: &str,
    kind: &str,
    query: &str,
    bytes: Vec<u8>,
) -> Vec<[String; 4]> {
    let (s, v, _) = app
        .request(
            rocket::http::Method::Post,
            &format!("/api/imports/{kind}/problems{query}"),
            Some(t),
            Some((ContentType::CSV, bytes)),
            &[],
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let text = v.as_str().unwrap_or_else(|| panic!("not a CSV: {v}"));
    let text = text.strip_prefix('\u{feff}').expect("a BOM");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            [0, 1, 2, 3].map(|i| rec[i].to_string())
        })
        .collect()
}

/// Each problem carries a stable code and its parameters beside its English reason; the
/// problems CSV gives the reasons in Vietnamese (by default) or English; the OpenAPI document
/// lists the codes (issue 15).
async fn problems_have_codes_and_reasons_in_two_languages(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;
    let file = csv(
        CADRE_HEADER,
        &[
            "079180000011;Phạm Văn Dũng;Nam;31/02/1980;Kinh;27127;Mặt trận Tổ quốc;;;;;",
            "079180000011;Phạm Văn Dũng;Nam;01/01/1980;Kinh;26734;Mặt trận Tổ quốc;;;;;",
            "079180000013;Lê Văn Giàu;Nam;01/01/1980;Kinh;26734;Mặt trận Tổ quốc;;FF-CHAIR-DISTRICT;01/01/2020;;",
            ";;Nữ;01/01/1980;Kinh;26734;Mặt trận Tổ quốc;;;;;",
        ],
    );
    let (s, v) = import(&app, &officer, "cadres", "dry_run=true", file.clone()).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(
        coded(&v),
        owned(&[
            (2, "Ngày sinh", "date_invalid"),
            (2, "Mã đơn vị", "unit_outside_subtree"),
            (3, "Số CCCD/CMND", "personal_id_repeated"),
            (4, "Mã đơn vị", "title_wrong_level"),
            (5, "Số CCCD/CMND", "required"),
            (5, "Họ và tên", "required"),
        ])
    );
    let details = v["error"]["details"].as_array().unwrap();
    assert_eq!(details[2]["params"], json!({"row_first": 2}));
    assert_eq!(
        details[2]["message"], "the same personal id number is on row 2",
        "the English reason stays"
    );
    assert_eq!(
        details[3]["params"],
        json!({"title": "FF-CHAIR-DISTRICT", "title_level": "district", "unit": "26734", "unit_level": "commune"})
    );
    assert_eq!(details[0]["params"], json!({}));
    let counts = v["error"]["problem_counts"].as_array().unwrap();
    assert!(
        counts.iter().any(|c| c["code"] == "personal_id_repeated"
            && c["reason"] == "the same personal id number is on row N"
            && c["count"] == 1),
        "{counts:?}"
    );
    assert!(counts.iter().all(|c| c["code"].is_string()), "{counts:?}");

    // The problems CSV: Vietnamese by default, English on request.
    let vi = problems_csv(&app, &officer, "cadres", "", file.clone()).await;
    let en = problems_csv(&app, &officer, "cadres", "?lang=en", file.clone()).await;
    assert_eq!(vi.len(), 6, "{vi:?}");
    assert_eq!(en.len(), 6, "{en:?}");
    let reasons =
        |rows: &[[String; 4]]| -> Vec<String> { rows.iter().map(|r| r[3].clone()).collect() };
    assert_eq!(
        reasons(&vi),
        [
            "Không phải ngày: hãy ghi theo dạng DD/MM/YYYY hoặc YYYY-MM-DD",
            "Đơn vị nằm ngoài phạm vi quản lý của bạn",
            "Số CCCD/CMND này đã có ở dòng 2",
            "Chức danh FF-CHAIR-DISTRICT là chức danh cấp huyện; đơn vị 26734 thuộc cấp xã",
            "Bắt buộc nhập",
            "Bắt buộc nhập",
        ]
    );
    assert_eq!(
        reasons(&en),
        details
            .iter()
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(vi[0][..3], ["2", "Ngày sinh", "31/02/1980"]);
    // A value a spreadsheet would run as a formula is written with a quote in front, as in
    // every CSV the service writes.
    let formula = csv(
        CADRE_HEADER,
        &["079180000021;=1+2 Lê;Nữ;01/01/1980;Kinh;26734;Mặt trận Tổ quốc;;;;;"],
    );
    let rows = problems_csv(&app, &officer, "cadres", "", formula).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][2], "'=1+2 Lê", "{rows:?}");
    // A header that does not fit the template: its problems, in the language asked for.
    let bad_header = csv("Số CCCD/CMND;Màu yêu thích", &["079180000001;xanh"]);
    let (s, v) = import(&app, &officer, "cadres", "dry_run=true", bad_header.clone()).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(
        coded(&v)[0],
        (1, "Màu yêu thích".into(), "column_unknown".into())
    );
    assert!(coded(&v)
        .iter()
        .any(|(_, f, c)| f == "Họ và tên" && c == "column_missing"));
    let vi = problems_csv(&app, &officer, "cadres", "?lang=vi", bad_header).await;
    assert!(vi[0][3].starts_with("Cột không có trong tệp mẫu"), "{vi:?}");
    assert!(
        vi.iter()
            .any(|r| r[3] == "Thiếu cột bắt buộc \"Họ và tên\""),
        "{vi:?}"
    );

    // The OpenAPI document lists the codes.
    let (s, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(s, Status::Ok);
    let schemas = &doc["components"]["schemas"];
    let codes: Vec<&str> = schemas["ProblemCode"]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("no ProblemCode: {}", schemas["ErrorDetail"]))
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for c in [
        "required",
        "date_invalid",
        "unit_outside_subtree",
        "title_wrong_level",
        "name_mismatch",
    ] {
        assert!(codes.contains(&c), "{c}: {codes:?}");
    }
    let props = &schemas["ErrorDetail"]["properties"];
    assert!(
        props["code"].is_object() && props["params"].is_object(),
        "{props}"
    );
}

/// A row's full name must be the one on record for its personal id number (after trimming and
/// collapsing spaces; case and diacritics count): in the cadre import (which does not rename a
/// cadre: that is an edit of the record) and in the qualification and completion imports. And
/// a title at a unit of another level is a problem (issue 15).
async fn names_must_match_the_record(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    let file = csv(
        CADRE_HEADER,
        &[
            "079180000001;  Nguyễn   Thị An ;Nữ;15/03/1980;Kinh;26734;Mặt trận Tổ quốc;01/01/2015;FF-CHAIR-COMMUNE;01/06/2020;;",
            "079185000002;Trần Văn Binh;Nam;1985-07-02;Hoa;26737;Đoàn Thanh niên;2016-01-01;;;FF-CHAIR-COMMUNE;2021-01-01",
            "079190000003;lê thị cúc;nu;02/02/1990;Khmer;760;womens_union;01/01/2018;FF-CHAIR-COMMUNE;01/01/2020;;",
        ],
    );
    let (s, v) = import(&app, &admin, "cadres", "dry_run=true", file).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(
        coded(&v),
        owned(&[
            (3, "Họ và tên", "name_mismatch"),
            (4, "Họ và tên", "name_mismatch"),
            (4, "Mã đơn vị", "title_wrong_level"),
        ])
    );
    let d = &v["error"]["details"];
    assert_eq!(d[0]["value"], "Trần Văn Binh");
    assert_eq!(d[0]["params"], json!({"on_record": "Trần Văn Bình"}));
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .contains("not the one on record"),
        "{d}"
    );
    assert_eq!(
        d[2]["params"],
        json!({"title": "FF-CHAIR-COMMUNE", "title_level": "commune", "unit": "760", "unit_level": "district"})
    );
    // The same name written with combining marks (as some systems save Vietnamese) is the same.
    let nfd = csv(
        CADRE_HEADER,
        &["079180000001;Nguye\u{302}\u{303}n Thi\u{323} An;Nữ;15/03/1980;Kinh;26734;Mặt trận Tổ quốc;01/01/2015;FF-CHAIR-COMMUNE;01/06/2020;;"],
    );
    let (s, v) = import(&app, &admin, "cadres", "", nfd).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["unchanged"], 1, "{v}");
    let an = find(&app, &admin, "nguyen thi an").await;
    assert_eq!(an["full_name"], "Nguyễn Thị An");

    // Qualifications and completions: the name, when given, is checked too.
    let quals = csv(
        "Số CCCD/CMND;Họ và tên;Mã loại trình độ;Mã trình độ;Ngày cấp",
        &[
            "079180000001;Nguyễn Thị Ân;political_theory;intermediate;10/10/2012",
            "079185000002;Trần Văn Bình;political_theory;elementary;2014-01-01",
            "079190000003;;political_theory;elementary;2015-01-01",
        ],
    );
    let (s, v) = import(&app, &admin, "qualifications", "dry_run=true", quals).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(coded(&v), owned(&[(2, "Họ và tên", "name_mismatch")]));
    assert_eq!(
        v["error"]["details"][0]["params"],
        json!({"on_record": "Nguyễn Thị An"})
    );
    let comps = csv(
        "Số CCCD/CMND;Họ và tên;Mã học phần;Ngày hoàn thành;Nguồn;Tham chiếu",
        &[
            "079180000001;Nguyen Thi An;DV-01;05/05/2009;giấy;Sổ 2009",
            "079185000002; Trần  Văn Bình ;DV-01;05/05/2009;giấy;Sổ 2009",
        ],
    );
    let (s, v) = import(&app, &admin, "completions", "dry_run=true", comps).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(coded(&v), owned(&[(2, "Họ và tên", "name_mismatch")]));
    // In Vietnamese, the problems file names the name on record.
    let comps = csv(
        "Số CCCD/CMND;Họ và tên;Mã học phần;Ngày hoàn thành;Nguồn;Tham chiếu",
        &["079180000001;Nguyen Thi An;DV-01;05/05/2009;giấy;Sổ 2009"],
    );
    let vi = problems_csv(&app, &admin, "completions", "", comps).await;
    assert_eq!(
        vi[0][3],
        "Họ và tên khác với hồ sơ đã có của số CCCD/CMND này: Nguyễn Thị An"
    );
}

/// The qualification import takes a scale and a level by code or by name, Vietnamese (with or
/// without diacritics, any case) or English; a level's name is looked up in its scale (issue 15).
async fn qualification_levels_by_name(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    let header = "Số CCCD/CMND;Mã loại trình độ;Mã trình độ;Ngày cấp";
    let quals = csv(
        header,
        &[
            "079180000001;political_theory;Sơ cấp;01/01/2010",
            "079180000001;political_theory;so cap;01/01/2011",
            "079180000001;Lý luận chính trị;SO CẤP;01/01/2012",
            "079185000002;LY LUAN CHINH TRI;Trung cấp;01/01/2013",
            "079185000002;Trình độ chuyên môn;trung cap;01/01/2013",
            "079190000003;it;Nâng cao;01/01/2014",
            "079190000003;Foreign language;bac 3 (b1);01/01/2015",
        ],
    );
    let (s, v) = import(
        &app,
        &admin,
        "qualifications",
        "dry_run=true",
        quals.clone(),
    )
    .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 7, "{v}");
    let (s, v) = import(&app, &admin, "qualifications", "", quals.clone()).await;
    assert_eq!(s, Status::Ok, "{v}");
    // Again, the same records: unchanged.
    let (s, v) = import(&app, &admin, "qualifications", "", quals).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["unchanged"], 7, "{v}");
    let held = |c: &Value| -> Vec<(String, String, String)> {
        let mut q: Vec<_> = c["qualifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| {
                (
                    q["scale"].as_str().unwrap().to_string(),
                    q["level"].as_str().unwrap().to_string(),
                    q["obtained_on"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        q.sort();
        q
    };
    let t = |s: &str, l: &str, d: &str| (s.to_string(), l.to_string(), d.to_string());
    let an = find(&app, &admin, "nguyen thi an").await;
    assert_eq!(
        held(&an),
        [
            t("political_theory", "elementary", "2010-01-01"),
            t("political_theory", "elementary", "2011-01-01"),
            t("political_theory", "elementary", "2012-01-01"),
        ]
    );
    let binh = find(&app, &admin, "tran van binh").await;
    assert_eq!(
        held(&binh),
        [
            t("political_theory", "intermediate", "2013-01-01"),
            t("professional_education", "vocational", "2013-01-01"),
        ]
    );
    let cuc = find(&app, &admin, "le thi cuc").await;
    assert_eq!(
        held(&cuc),
        [
            t("foreign_language", "b1", "2015-01-01"),
            t("it", "advanced", "2014-01-01"),
        ]
    );
    // A level of another scale, a scale nobody has.
    let bad = csv(
        header,
        &[
            "079180000001;political_theory;Cao đẳng;01/01/2016",
            "079180000001;Lý luận;Sơ cấp;01/01/2017",
        ],
    );
    let (s, v) = import(&app, &admin, "qualifications", "dry_run=true", bad).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(
        coded(&v),
        owned(&[
            (2, "Mã trình độ", "level_unknown"),
            (3, "Mã loại trình độ", "scale_unknown"),
        ])
    );
    assert_eq!(
        v["error"]["details"][0]["params"],
        json!({"scale": "political_theory", "level": "Cao đẳng"})
    );
}

/// An import applies the API's rule: no inactive cadre holds or is planned for a title beyond
/// today. A row making a cadre inactive (on record and active, or new) while a period of theirs
/// lasts is a problem of `active`, the same in a dry run and a commit, and nothing is written;
/// with the period ended in the same row it is made. A row of a cadre already inactive may not
/// reopen a period (a problem of its end), and its unchanged rows (an exported file read back)
/// stay as they are.
async fn an_import_leaves_no_inactive_cadre_holding_a_title(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    let header = format!("{CADRE_HEADER};Giữ chức danh đến ngày;Quy hoạch đến ngày;Đang công tác");
    let today = city_today().format("%Y-%m-%d").to_string();
    let an = "079180000001;Nguyễn Thị An;Nữ;15/03/1980;Kinh;26734;Mặt trận Tổ quốc;01/01/2015;FF-CHAIR-COMMUNE;01/06/2020;;";
    let binh = "079185000002;Trần Văn Bình;Nam;1985-07-02;Hoa;26737;Đoàn Thanh niên;2016-01-01;;;FF-CHAIR-COMMUNE;2021-01-01";
    let new = "079180000007;Phan Thị Dung;Nữ;01/01/1988;Kinh;26734;Mặt trận Tổ quốc;;FF-VICE-COMMUNE;01/01/2022;;";
    let bad = csv(
        &header,
        &[
            &format!("{an};;;không"),
            &format!("{binh};;;không"),
            &format!("{new};;;không"),
        ],
    );
    let (s, v) = import(&app, &admin, "cadres", "dry_run=true", bad.clone()).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let (s2, v2) = import(&app, &admin, "cadres", "", bad).await;
    assert_eq!(s2, Status::UnprocessableEntity, "{v2}");
    assert_eq!(v, v2, "a dry run and a commit find the same problems");
    let p = problems(&v);
    for row in [2, 3, 4] {
        assert!(
            has(&p, row, "Đang công tác", "inactive cadre"),
            "row {row}: {p:?}"
        );
    }
    assert_eq!(p.len(), 3, "{p:?}");
    assert_eq!(cadre_count(&app, &admin).await, 3, "nothing was written");
    assert_eq!(find(&app, &admin, "nguyen thi an").await["active"], true);
    // The periods ended today in the same rows: made inactive.
    let ok = csv(
        &header,
        &[
            &format!("{an};{today};;không"),
            &format!("{binh};;{today};không"),
        ],
    );
    let (s, v) = import(&app, &admin, "cadres", "", ok.clone()).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["updated"], 2, "{v}");
    let an_record = find(&app, &admin, "nguyen thi an").await;
    assert_eq!(an_record["active"], false, "{an_record}");
    assert_eq!(an_record["titles"][0]["to_date"], json!(today));
    // Read back unchanged, the rows stay; reopening the period is a problem of its end.
    let (s, v) = import(&app, &admin, "cadres", "", ok).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["unchanged"], 2, "{v}");
    let reopen = csv(&header, &[&format!("{an};;;không")]);
    let (s, v) = import(&app, &admin, "cadres", "", reopen).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let p = problems(&v);
    assert!(
        has(&p, 2, "Giữ chức danh đến ngày", "inactive cadre"),
        "{p:?}"
    );
    assert_eq!(p.len(), 1, "{p:?}");
}

/// An import applies the API's other rule for those who leave: a row making a cadre inactive while
/// they hold a seat or a waitlist place in a class not over is a problem of `active` naming the
/// class (`cadre_holds_seats`), the same in a dry run and a commit, nothing written; once
/// withdrawn, the row is imported.
async fn an_import_leaves_no_inactive_cadre_in_a_seat(app: TestApp) {
    use crate::classes::{enrol, one_session, open_class, setup};
    let (admin, school) = setup(&app).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    let cuc = find(&app, &admin, "le thi cuc").await["id"]
        .as_i64()
        .unwrap();
    let day = (city_today() + chrono::Duration::days(20)).to_string();
    open_class(&app, &school, "DV01-SEAT-1", "DV-01", 10, one_session(&day)).await;
    let (s, v) = enrol(&app, &school, "DV01-SEAT-1", Some(cuc)).await;
    assert_eq!(s, Status::Created, "{v}");
    let eid = v["id"].as_i64().unwrap();
    let header = format!("{CADRE_HEADER};Đang công tác");
    let cuc_row = "079190000003;Lê Thị Cúc;nu;02/02/1990;Khmer;760;womens_union;01/01/2018;;;;";
    let file = csv(&header, &[&format!("{cuc_row};không")]);
    for dry_run in ["dry_run=true", ""] {
        let (s, v) = import(&app, &admin, "cadres", dry_run, file.clone()).await;
        assert_eq!(s, Status::UnprocessableEntity, "{v}");
        let d = &v["error"]["details"];
        assert_eq!(d.as_array().map(Vec::len), Some(1), "{v}");
        assert_eq!(
            (
                d[0]["row"].clone(),
                d[0]["field"].clone(),
                d[0]["code"].clone()
            ),
            (json!(2), json!("Đang công tác"), json!("cadre_holds_seats")),
            "{v}"
        );
        assert_eq!(d[0]["params"]["classes"], "DV01-SEAT-1", "{v}");
        assert!(
            d[0]["message"].as_str().unwrap().contains("DV01-SEAT-1"),
            "{v}"
        );
    }
    assert_eq!(find(&app, &admin, "le thi cuc").await["active"], true);
    let (s, v) = app
        .post(
            &format!("/api/classes/DV01-SEAT-1/enrolments/{eid}/withdraw"),
            Some(&school),
            json!({"reason": "nghỉ công tác"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = import(&app, &admin, "cadres", "", file).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["updated"], 1, "{v}");
    assert_eq!(find(&app, &admin, "le thi cuc").await["active"], false);
}

/// A roster row moving a cadre away from a title they hold in another ward (the API's rule,
/// `cadres::a_move_leaves_no_title_behind`) is a problem of the unit naming the title and the
/// day, the same in a dry run and a commit, nothing written; the same row ending that title by
/// the day before the move is imported.
async fn a_roster_move_leaves_no_title_behind(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let header = "Số CCCD/CMND;Họ và tên;Giới tính;Ngày sinh;Dân tộc;Mã đơn vị;Tổ chức;Ở đơn vị từ ngày;Mã chức danh;Đơn vị giữ chức danh;Giữ chức danh từ ngày;Giữ chức danh đến ngày";
    let an = "079180000001;Nguyễn Thị An;Nữ;15/03/1980;Kinh;26737;Mặt trận Tổ quốc;01/01/2024";
    let file = csv(header, &[&format!("{an};;;;")]);
    for dry_run in ["dry_run=true", ""] {
        let (s, v) = import(&app, &admin, "cadres", dry_run, file.clone()).await;
        assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
        let d = &v["error"]["details"];
        assert_eq!(d.as_array().map(Vec::len), Some(1), "{v:.300}");
        assert_eq!(
            (
                d[0]["row"].clone(),
                d[0]["field"].clone(),
                d[0]["code"].clone(),
                d[0]["params"]["titles"].clone(),
                d[0]["params"]["date"].clone(),
            ),
            (
                json!(2),
                json!("Mã đơn vị"),
                json!("cadre_holds_titles_elsewhere"),
                json!("FF-CHAIR-COMMUNE (26734)"),
                json!("2024-01-01")
            ),
            "{v:.300}"
        );
    }
    let on_record = find(&app, &admin, "nguyen thi an").await;
    assert_eq!(on_record["unit_code"], "26734", "{on_record:.300}");
    // Ended on the move's day it is still held that day; ended the day before, the row goes in.
    let ending = |to: &str| {
        csv(
            header,
            &[&format!("{an};FF-CHAIR-COMMUNE;26734;01/06/2020;{to}")],
        )
    };
    let (s, v) = import(&app, &admin, "cadres", "dry_run=true", ending("01/01/2024")).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    assert_eq!(
        v["error"]["details"][0]["code"],
        "cadre_holds_titles_elsewhere"
    );
    let (s, v) = import(&app, &admin, "cadres", "", ending("31/12/2023")).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    assert_eq!(v["updated"], 1, "{v:.300}");
    let moved = find(&app, &admin, "nguyen thi an").await;
    assert_eq!(moved["unit_code"], "26737", "{moved:.300}");
    assert_eq!(moved["titles"][0]["to_date"], "2023-12-31", "{moved:.300}");
}

/// A roster row's held title sits on the line of the cadre's unit on every day they share (the
/// API's rule, `cadres::a_title_is_held_on_the_line_of_the_cadres_unit`): the row's unit from its
/// day on, the units on record before it. Another ward's title is a problem of the title's unit
/// naming the title, its unit, the cadre's unit and the first such day, in a dry run and a
/// commit, nothing written; the same ward's title of the years the cadre was there goes in.
async fn a_roster_title_is_held_on_the_line_of_the_cadres_unit(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    // Bình, in 26737 since 2016, moves to 26734 from 2022.
    let binh = find(&app, &admin, "tran van binh").await;
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{}", binh["id"]),
            Some(&admin),
            json!({"unit_code": "26734", "moved_on": "2022-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let header = "Số CCCD/CMND;Họ và tên;Giới tính;Ngày sinh;Dân tộc;Mã đơn vị;Tổ chức;Ở đơn vị từ ngày;Mã chức danh;Đơn vị giữ chức danh;Giữ chức danh từ ngày;Giữ chức danh đến ngày";
    let new = "079180000009;Võ Văn Mới;Nam;01/01/1980;Kinh;26734;Mặt trận Tổ quốc;01/01/2015";
    let binh_row = "079185000002;Trần Văn Bình;Nam;1985-07-02;Hoa;26734;Đoàn Thanh niên;01/01/2022";
    let file = csv(
        header,
        &[
            &format!("{new};FF-CHAIR-COMMUNE;26737;01/06/2020;"),
            &format!("{binh_row};FF-CHAIR-COMMUNE;26734;01/01/2019;31/12/2021"),
        ],
    );
    for dry_run in ["dry_run=true", ""] {
        let (s, v) = import(&app, &admin, "cadres", dry_run, file.clone()).await;
        assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
        let d = &v["error"]["details"];
        let seen: Vec<String> = d
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let q = &p["params"];
                format!(
                    "{} {} {} {} {} {} {}",
                    p["row"], p["field"], p["code"], q["title"], q["unit"], q["home"], q["date"]
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                r#"2 "Đơn vị giữ chức danh" "title_off_line" "FF-CHAIR-COMMUNE" "26737" "26734" "2020-06-01""#,
                r#"3 "Đơn vị giữ chức danh" "title_off_line" "FF-CHAIR-COMMUNE" "26734" "26737" "2019-01-01""#,
            ],
            "{v:.300}"
        );
    }
    let (_, v) = app.get("/api/cadres?q=vo%20van%20moi", Some(&admin)).await;
    assert_eq!(
        v["items"].as_array().map(Vec::len),
        Some(0),
        "nothing written: {v:.300}"
    );
    // The ward Bình was in then, and the new cadre's own ward, take the same rows.
    let file = csv(
        header,
        &[
            &format!("{new};FF-CHAIR-COMMUNE;26734;01/06/2020;"),
            &format!("{binh_row};FF-CHAIR-COMMUNE;26737;01/01/2019;31/12/2021"),
        ],
    );
    let (s, v) = import(&app, &admin, "cadres", "", file).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    assert_eq!(
        (v["created"].as_i64(), v["updated"].as_i64()),
        (Some(1), Some(1)),
        "{v:.300}"
    );
    let binh = find(&app, &admin, "tran van binh").await;
    assert_eq!(binh["titles"][0]["unit_code"], "26737", "{binh:.300}");
}

/// A roster row's held title is not a second title of the same organisation in the same unit on
/// a day (the API's rule, `cadres::one_title_of_an_organisation_in_a_unit_at_a_time`): a problem
/// of the title code naming the title, the one on record, the unit and the first shared day,
/// nothing written; the vice-chair's years before the chair go in, and so does another
/// organisation's title.
async fn a_roster_row_holds_one_title_of_an_organisation_in_a_unit_at_a_time(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    // An chairs the Front of 26734 from 2020-06-01 (the roster).
    let header = "Số CCCD/CMND;Họ và tên;Giới tính;Ngày sinh;Dân tộc;Mã đơn vị;Tổ chức;Ở đơn vị từ ngày;Mã chức danh;Giữ chức danh từ ngày;Giữ chức danh đến ngày";
    let an = "079180000001;Nguyễn Thị An;Nữ;15/03/1980;Kinh;26734;Mặt trận Tổ quốc;01/01/2015";
    let file = csv(
        header,
        &[&format!("{an};FF-VICE-COMMUNE;01/01/2019;31/12/2020")],
    );
    for dry_run in ["dry_run=true", ""] {
        let (s, v) = import(&app, &admin, "cadres", dry_run, file.clone()).await;
        assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
        let d = &v["error"]["details"];
        assert_eq!(d.as_array().map(Vec::len), Some(1), "{v:.300}");
        let q = &d[0]["params"];
        assert_eq!(
            format!(
                "{} {} {} {} {} {} {}",
                d[0]["row"],
                d[0]["field"],
                d[0]["code"],
                q["title"],
                q["other"],
                q["unit"],
                q["date"]
            ),
            r#"2 "Mã chức danh" "title_same_organisation" "FF-VICE-COMMUNE" "FF-CHAIR-COMMUNE" "26734" "2020-06-01""#,
            "{v:.300}"
        );
    }
    let on_record = find(&app, &admin, "nguyen thi an").await;
    assert_eq!(
        on_record["titles"].as_array().map(Vec::len),
        Some(1),
        "{on_record:.300}"
    );
    for row in [
        format!("{an};FF-VICE-COMMUNE;01/01/2019;31/05/2020"),
        format!("{an};WU-CHAIR-COMMUNE;01/01/2019;"),
    ] {
        let (s, v) = import(&app, &admin, "cadres", "", csv(header, &[&row])).await;
        assert_eq!(s, Status::Ok, "{v:.300}");
        assert_eq!(v["updated"], 1, "{v:.300}");
    }
    let an = find(&app, &admin, "nguyen thi an").await;
    assert_eq!(an["titles"].as_array().map(Vec::len), Some(3), "{an:.300}");
}

/// A blank `active` cell (or a file without the column) means "in service" for a new cadre and
/// "as on record" for one already there: reading a roster back does not bring back those who
/// have left.
async fn a_blank_active_cell_keeps_the_record(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    let cuc = find(&app, &admin, "le thi cuc").await;
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{}", cuc["id"]),
            Some(&admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["unchanged"], 3, "{v}");
    assert_eq!(find(&app, &admin, "le thi cuc").await["active"], false);
    let header = format!("{CADRE_HEADER};Đang công tác");
    let cuc_row = "079190000003;Lê Thị Cúc;nu;02/02/1990;Khmer;760;womens_union;01/01/2018;;;;";
    let new_row = "079180000008;Phan Văn Dũng;Nam;01/01/1988;Kinh;26734;Mặt trận Tổ quốc;;;;;";
    let file = csv(&header, &[&format!("{cuc_row};"), &format!("{new_row};")]);
    let (s, v) = import(&app, &admin, "cadres", "", file).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(
        (v["unchanged"].as_i64(), v["created"].as_i64()),
        (Some(1), Some(1)),
        "{v}"
    );
    assert_eq!(find(&app, &admin, "le thi cuc").await["active"], false);
    assert_eq!(find(&app, &admin, "phan van dung").await["active"], true);
    let file = csv(&header, &[&format!("{cuc_row};có")]);
    let (s, v) = import(&app, &admin, "cadres", "", file).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["updated"], 1, "{v}");
    assert_eq!(
        find(&app, &admin, "le thi cuc").await["active"],
        true,
        "said yes"
    );
}

/// A roster row's titles (held and planned) start on the cadre's eighteenth birthday or later, and
/// a row moving a birth date past a title on record less eighteen years is refused: problems
/// `title_before_adulthood` and `birth_after_titles` at their cells, nothing written.
async fn titles_in_a_roster_start_at_eighteen(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    // Born 1 June 1995: eighteen on 1 June 2013. Nguyễn Thị An holds a title from 1 June 2020.
    let young = |title: &str, plan: &str| {
        format!("079195000011;Võ Văn Nhỏ;Nam;01/06/1995;Kinh;26734;Mặt trận Tổ quốc;;FF-VICE-COMMUNE;{title};FF-CHAIR-COMMUNE;{plan}")
    };
    let an_born_2005 =
        "079180000001;Nguyễn Thị An;Nữ;15/03/2005;Kinh;26734;Mặt trận Tổ quốc;01/01/2015;;;;";
    let bad = csv(
        CADRE_HEADER,
        &[&young("31/05/2013", "01/01/2010"), an_born_2005],
    );
    let (s, v) = import(&app, &admin, "cadres", "", bad).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let found: Vec<(i64, String, String)> = v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["row"].as_i64().unwrap_or(0),
                d["field"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want = |row: i64, field: &str, code: &str| (row, field.to_string(), code.to_string());
    assert_eq!(
        found,
        [
            want(2, "Giữ chức danh từ ngày", "title_before_adulthood"),
            want(2, "Quy hoạch từ ngày", "title_before_adulthood"),
            want(3, "Ngày sinh", "birth_after_titles"),
        ],
        "{v}"
    );
    // Each names its day: the eighteenth birthday, the first title on record.
    let days: Vec<&Value> = v["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["params"]["date"])
        .collect();
    assert_eq!(
        days,
        [
            &json!("2013-06-01"),
            &json!("2013-06-01"),
            &json!("2020-06-01")
        ],
        "{v}"
    );
    assert_eq!(cadre_count(&app, &admin).await, 3, "nothing was written");
    assert_eq!(
        find(&app, &admin, "nguyen thi an").await["birth_date"],
        "1980-03-15"
    );
    // From the eighteenth birthday itself: taken.
    let good = csv(CADRE_HEADER, &[&young("01/06/2013", "01/06/2013")]);
    let (s, v) = import(&app, &admin, "cadres", "", good).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 1, "{v}");
}

/// A roster row does not move a birth date past a completion or qualification on record (each is
/// dated after the birth): a problem `birth_after_records` at the birth date, nothing written; a
/// birth date still before them is taken.
async fn a_roster_keeps_a_birth_date_before_the_cadres_completions(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v}");
    // Lê Thị Cúc holds no title; she completed DV-03 on 2008-01-01.
    let cuc = find(&app, &admin, "le thi cuc").await;
    crate::cadres::paper_dv03(&app, &admin, &cuc["id"], "2008-01-01").await;
    let row = |born: &str| {
        csv(
            CADRE_HEADER,
            &[&format!(
                "079190000003;Lê Thị Cúc;nu;{born};Khmer;760;womens_union;01/01/2018;;;;"
            )],
        )
    };
    let (s, v) = import(&app, &admin, "cadres", "", row("01/06/2009")).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let d = &v["error"]["details"];
    assert_eq!(d.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(
        (d[0]["row"].as_i64(), d[0]["field"].as_str()),
        (Some(2), Some("Ngày sinh")),
        "{v}"
    );
    assert_eq!(d[0]["code"], "birth_after_records", "{v}");
    assert_eq!(d[0]["params"]["date"], "2008-01-01", "{v}");
    assert_eq!(
        find(&app, &admin, "le thi cuc").await["birth_date"],
        "1990-02-02"
    );
    let (s, v) = import(&app, &admin, "cadres", "", row("01/01/1991")).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["updated"], 1, "{v}");
    assert_eq!(
        find(&app, &admin, "le thi cuc").await["birth_date"],
        "1991-01-01"
    );
}

/// A roster row places a cadre in a unit, and a title there, from the day the unit came into
/// being: an earlier day is a problem `unit_not_yet` at its cell (naming the unit and its first
/// day); nothing is written.
async fn a_roster_places_cadres_and_titles_in_a_unit_once_it_exists(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    crate::cadres::new_ward(&app, &admin).await;
    let row = |since: &str, from: &str| {
        csv(
            CADRE_HEADER,
            &[&format!(
                "079180000536;Hồ Văn Mới;Nam;01/01/1980;Kinh;99001;Mặt trận Tổ quốc;{since};FF-VICE-COMMUNE;{from};;"
            )],
        )
    };
    let (s, v) = import(&app, &admin, "cadres", "", row("01/01/2015", "01/01/2018")).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let d = v["error"]["details"].as_array().unwrap();
    let found: Vec<(&str, &str, &str)> = d
        .iter()
        .map(|d| {
            (
                d["field"].as_str().unwrap_or(""),
                d["code"].as_str().unwrap_or(""),
                d["params"]["date"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("Giữ chức danh từ ngày", "unit_not_yet", "2025-07-01"),
            ("Ở đơn vị từ ngày", "unit_not_yet", "2025-07-01"),
        ],
        "{v}"
    );
    assert_eq!(cadre_count(&app, &admin).await, 0, "nothing was written");
    let (s, v) = import(&app, &admin, "cadres", "", row("01/07/2025", "01/07/2025")).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 1, "{v}");
}

/// A completion a class recorded (certificate and all) is on record: a past-training file with
/// the same cadre, module and day is refused at the row (`completion_on_record`), not recorded a
/// second time beside it, as the one-record route refuses it.
async fn a_completion_on_record_from_a_class_is_not_imported_again(app: TestApp) {
    use crate::classes::{enrol, open_class, session, setup};
    let (admin, school) = setup(&app).await;
    let pid = "079180002201";
    let id = crate::cadres::create(&app, &admin, "Ngô Văn Lớp", pid, "26734").await;
    let held = city_today() - chrono::Duration::days(3);
    let class = open_class(
        &app,
        &school,
        "DV03-IMP",
        "DV-03",
        5,
        vec![session(
            &format!("{held}T08:00"),
            &format!("{held}T11:00"),
            "Hội trường Nhập",
            "TS. Nhập",
        )],
    )
    .await;
    let (s, e) = enrol(&app, &school, "DV03-IMP", Some(id)).await;
    assert_eq!(s, Status::Created, "{e}");
    for (method, path, body) in [
        (
            "POST",
            "/api/classes/DV03-IMP/status".to_string(),
            json!({"status": "running"}),
        ),
        (
            "PUT",
            format!(
                "/api/classes/DV03-IMP/sessions/{}/attendance",
                class["sessions"][0]["id"]
            ),
            json!({"records": [{"enrolment_id": e["id"], "status": "present"}]}),
        ),
        (
            "PUT",
            "/api/classes/DV03-IMP/results".to_string(),
            json!({"results": [{"enrolment_id": e["id"], "score": 8.0, "passed": true}]}),
        ),
        (
            "POST",
            "/api/classes/DV03-IMP/status".to_string(),
            json!({"status": "finished"}),
        ),
    ] {
        let (s, v) = if method == "POST" {
            app.post(&path, Some(&school), body).await
        } else {
            app.put(&path, Some(&school), body).await
        };
        assert_eq!(s, Status::Ok, "{path}: {v}");
    }
    let (_, done) = app
        .get("/api/classes/DV03-IMP/completions", Some(&school))
        .await;
    let day = done["items"][0]["completed_on"]
        .as_str()
        .unwrap()
        .to_string();
    let d: chrono::NaiveDate = day.parse().unwrap();
    let csv = format!(
        "Số CCCD/CMND,Mã học phần,Ngày hoàn thành,Tham chiếu\n{pid},DV-03,{},Sổ giấy\n",
        d.format("%d/%m/%Y")
    );
    let (s, v) = app
        .post_raw(
            "/api/imports/completions",
            Some(&admin),
            ContentType::CSV,
            csv.into_bytes(),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(
        (
            v["error"]["details"][0]["field"].clone(),
            v["error"]["details"][0]["code"].clone()
        ),
        (json!("Ngày hoàn thành"), json!("completion_on_record")),
        "{v}"
    );
    let (_, mine) = app
        .get(&format!("/api/cadres/{id}/completions"), Some(&admin))
        .await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1), "{mine}");
}

/// As the API does, a roster records a term (held or planned) at a ward retired since when it
/// ended before the ward was retired (the history of the wards merged in 2025, of a cadre in the
/// successor from the merger on); one lasting to or past that day is a problem `unit_retired` at
/// its unit cell, nothing written.
async fn a_roster_records_a_past_term_at_a_retired_ward(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = app
        .post(
            "/api/units/26740/retire",
            Some(&admin),
            json!({"successor_code": "26737", "retired_on": "2025-07-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let header = format!(
        "{CADRE_HEADER};Giữ chức danh đến ngày;Đơn vị giữ chức danh;Quy hoạch đến ngày;Đơn vị quy hoạch"
    );
    let row = |held_to: &str, plan_to: &str| {
        format!(
            "079180000031;Võ Thị Nghé;Nữ;01/01/1980;Kinh;26737;Mặt trận Tổ quốc;01/07/2025;\
             FF-VICE-COMMUNE;01/01/2024;FF-CHAIR-COMMUNE;01/01/2023;{held_to};26740;{plan_to};26740"
        )
    };
    let (s, v) = import(
        &app,
        &admin,
        "cadres",
        "",
        csv(&header, &[&row("30/06/2025", "2025-06-30")]),
    )
    .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 1, "{v}");
    let an = find(&app, &admin, "vo thi nghe").await;
    assert_eq!(an["titles"][0]["unit_code"], "26740", "{an}");
    assert_eq!(an["titles"][0]["to_date"], "2025-06-30", "{an}");
    // To the day of the retirement, or open: refused at the unit cells.
    let other =
        row("01/07/2025", "").replace("079180000031;Võ Thị Nghé", "079180000032;Võ Văn Nghé");
    let (s, v) = import(&app, &admin, "cadres", "", csv(&header, &[&other])).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let p = coded(&v);
    assert_eq!(
        p,
        owned(&[
            (2, "Đơn vị giữ chức danh", "unit_retired"),
            (2, "Đơn vị quy hoạch", "unit_retired")
        ]),
        "{v}"
    );
}

/// A file that leaves out an optional column changes nothing the column would hold: an officer's
/// roster of the required columns alone keeps each cadre's party date, phone, e-mail, religion and
/// minority flag (the party date counts in the standards: clearing it made holders fall short),
/// and a qualifications or completions file without its issuer, evidence, score or source
/// columns keeps those. A column that is there still says what it says: its blank cell clears.
async fn a_column_left_out_of_a_file_leaves_its_field_as_recorded(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let full = "Số CCCD/CMND;Họ và tên;Giới tính;Ngày sinh;Dân tộc;Dân tộc thiểu số;Tôn giáo;Ngày vào Đảng;Mã đơn vị;Tổ chức;Điện thoại;Thư điện tử";
    let row = "079180000071;Lý Văn Hoa;Nam;01/02/1980;Hoa;có;Phật giáo;19/05/2010;26734;Mặt trận Tổ quốc;0903123456;hoa@example.vn";
    let (s, v) = import(&app, &admin, "cadres", "", csv(full, &[row])).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    assert_eq!(v["created"], 1, "{v:.300}");
    let fields = [
        "party_joined_on",
        "phone",
        "email",
        "religion",
        "ethnic_minority",
    ];
    let record = |v: &Value| fields.map(|f| v[f].clone());
    let before = record(&find(&app, &admin, "ly van hoa").await);
    assert_eq!(
        before,
        [
            json!("2010-05-19"),
            json!("0903123456"),
            json!("hoa@example.vn"),
            json!("Phật giáo"),
            json!(true)
        ]
    );
    let required = "Số CCCD/CMND;Họ và tên;Giới tính;Ngày sinh;Dân tộc;Mã đơn vị;Tổ chức";
    let short = "079180000071;Lý Văn Hoa;Nam;01/02/1980;Hoa;26734;Mặt trận Tổ quốc";
    let (s, v) = import(&app, &admin, "cadres", "", csv(required, &[short])).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    assert_eq!(
        (v["unchanged"].as_i64(), v["updated"].as_i64()),
        (Some(1), Some(0)),
        "{v:.300}"
    );
    assert_eq!(record(&find(&app, &admin, "ly van hoa").await), before);
    // A phone column with a blank cell clears the phone, and only it.
    let (s, v) = import(
        &app,
        &admin,
        "cadres",
        "",
        csv(&format!("{required};Điện thoại"), &[&format!("{short};")]),
    )
    .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    assert_eq!(v["updated"], 1, "{v:.300}");
    let after = record(&find(&app, &admin, "ly van hoa").await);
    assert_eq!(after[1], Value::Null);
    assert_eq!((&after[0], &after[2]), (&before[0], &before[2]));

    let quals = "Số CCCD/CMND;Mã loại trình độ;Mã trình độ;Ngày cấp";
    let (s, v) = import(
        &app,
        &admin,
        "qualifications",
        "",
        csv(
            &format!("{quals};Nơi cấp;Số văn bằng"),
            &["079180000071;political_theory;intermediate;10/10/2012;Trường Chính trị TP;TC-123"],
        ),
    )
    .await;
    assert_eq!(
        (s, v["created"].as_i64()),
        (Status::Ok, Some(1)),
        "{v:.300}"
    );
    let (s, v) = import(
        &app,
        &admin,
        "qualifications",
        "",
        csv(
            quals,
            &["079180000071;political_theory;intermediate;10/10/2012"],
        ),
    )
    .await;
    assert_eq!(
        (s, v["unchanged"].as_i64()),
        (Status::Ok, Some(1)),
        "{v:.300}"
    );
    let hoa = find(&app, &admin, "ly van hoa").await;
    let q = &hoa["qualifications"][0];
    assert_eq!(
        (q["issuer"].clone(), q["evidence"].clone()),
        (json!("Trường Chính trị TP"), json!("TC-123")),
        "{hoa:.600}"
    );

    let comps = "Số CCCD/CMND;Mã học phần;Ngày hoàn thành;Tham chiếu";
    let (s, v) = import(
        &app,
        &admin,
        "completions",
        "",
        csv(
            &format!("{comps};Điểm;Nguồn"),
            &["079180000071;DV-01;05/05/2009;Sổ đào tạo 2009;8,5;giấy"],
        ),
    )
    .await;
    assert_eq!(
        (s, v["created"].as_i64()),
        (Status::Ok, Some(1)),
        "{v:.300}"
    );
    let (s, v) = import(
        &app,
        &admin,
        "completions",
        "",
        csv(comps, &["079180000071;DV-01;05/05/2009;Sổ đào tạo 2009"]),
    )
    .await;
    assert_eq!(
        (s, v["unchanged"].as_i64()),
        (Status::Ok, Some(1)),
        "{v:.300}"
    );
    let (_, v) = app
        .get(
            &format!("/api/cadres/{}/completions", hoa["id"]),
            Some(&admin),
        )
        .await;
    let c = &v["items"][0];
    assert_eq!(
        (c["score"].clone(), c["source"].clone()),
        (json!(8.5), json!("paper")),
        "{v:.600}"
    );
}

/// The problems CSV names a column by the file's own header when it is unknown: a header written
/// as a formula (`=HYPERLINK(…)`, `@SUM(1)`, `+1`) comes back neutralised, as its values do, so a
/// clerk opening the problems file of a third party's roster in a spreadsheet runs nothing.
async fn the_problems_file_runs_no_formula_from_a_header(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let header = format!(
        "{CADRE_HEADER};\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\";@SUM(1);+1;-1"
    );
    let row = "079180000091;Đỗ Văn Ô;Nam;01/01/1980;Kinh;26734;Mặt trận Tổ quốc;;;;;;a;b;c;d";
    let lines = problems_csv(&app, &admin, "cadres", "?lang=en", csv(&header, &[row])).await;
    let columns: Vec<&str> = lines.iter().map(|l| l[1].as_str()).collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    for c in &columns {
        assert!(!c.starts_with(['=', '@', '+', '-']), "{columns:?}");
    }
    assert!(columns[0].contains("HYPERLINK"), "{columns:?}");
}

/// A qualification is on record once per cadre, scale, level and day, as a completion is per
/// module and day: the API refuses a second (409 `qualification_on_record` on `obtained_on`), and
/// a qualifications file row restating one a completion awarded is a problem at its day
/// (`qualification_on_record`), nothing written. Two such records made the record exchange refuse
/// its own export.
async fn a_qualification_is_on_record_once(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let an = find(&app, &admin, "nguyen thi an").await;
    let path = format!("/api/cadres/{}/qualifications", an["id"]);
    let body = json!({"scale": "professional_education", "level": "bachelor", "obtained_on": "2004-06-25", "issuer": "Đại học A"});
    let (s, v) = app.post(&path, Some(&admin), body.clone()).await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let (s, v) = app.post(&path, Some(&admin), body).await;
    assert_eq!(
        crate::helpers::refusal(s, &v),
        (
            Status::Conflict,
            Some("obtained_on"),
            Some("qualification_on_record")
        ),
        "{v:.300}"
    );
    let held = |v: &Value| {
        v["qualifications"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["level"] == "bachelor")
            .count()
    };
    assert_eq!(held(&find(&app, &admin, "nguyen thi an").await), 1);
    // LLCT-SC awards elementary political theory: its completion's qualification is on record.
    let comps = csv(
        "Số CCCD/CMND;Mã học phần;Ngày hoàn thành;Tham chiếu",
        &["079180000001;LLCT-SC;2011-05-05;Sổ đào tạo 2011"],
    );
    let (s, v) = import(&app, &admin, "completions", "", comps).await;
    assert_eq!(
        (s, v["created"].as_i64()),
        (Status::Ok, Some(1)),
        "{v:.300}"
    );
    let quals = csv(
        "Số CCCD/CMND;Mã loại trình độ;Mã trình độ;Ngày cấp;Nơi cấp",
        &["079180000001;political_theory;elementary;2011-05-05;Trường Chính trị"],
    );
    let (s, v) = import(&app, &admin, "qualifications", "", quals).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    let found = coded(&v);
    assert!(
        found
            .iter()
            .any(|(r, f, c)| *r == 2 && f == "Ngày cấp" && c == "qualification_on_record"),
        "{found:?}"
    );
    let an = find(&app, &admin, "nguyen thi an").await;
    let elementary = an["qualifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["level"] == "elementary")
        .count();
    assert_eq!(elementary, 1, "{an:.600}");
    // A completion of a day whose level is on record by hand awards no second one.
    let body =
        json!({"scale": "political_theory", "level": "intermediate", "obtained_on": "2013-06-01"});
    let (s, v) = app.post(&path, Some(&admin), body).await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let comps = csv(
        "Số CCCD/CMND;Mã học phần;Ngày hoàn thành;Tham chiếu",
        &["079180000001;LLCT-TC;2013-06-01;Sổ đào tạo 2013"],
    );
    let (s, v) = import(&app, &admin, "completions", "", comps).await;
    assert_eq!(
        (s, v["created"].as_i64()),
        (Status::Ok, Some(1)),
        "{v:.300}"
    );
    let an = find(&app, &admin, "nguyen thi an").await;
    let intermediate = an["qualifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["level"] == "intermediate")
        .count();
    assert_eq!(intermediate, 1, "{an:.600}");
}

/// A title taken out of use keeps its holders and planned successors on record, and a roster
/// restating them (the roster export read back) is unchanged; only a new holder or plan of it is
/// refused (`title_unknown`). The export of a ward whose title went out of use could not be read
/// back.
async fn a_roster_restating_a_title_no_longer_in_use_is_unchanged(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = import(&app, &admin, "cadres", "", roster()).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, v) = app
        .patch(
            "/api/titles/FF-CHAIR-COMMUNE",
            Some(&admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, v) = import(&app, &admin, "cadres", "dry_run=true", roster()).await;
    assert_eq!(s, Status::Ok, "{v:.600}");
    assert_eq!(v["unchanged"], 3, "{v:.300}");
    let new_holder = csv(
        CADRE_HEADER,
        &["079190000003;Lê Thị Cúc;nu;02/02/1990;Khmer;760;womens_union;01/01/2018;FF-CHAIR-COMMUNE;01/06/2021;;"],
    );
    let (s, v) = import(&app, &admin, "cadres", "", new_holder).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    assert!(
        coded(&v)
            .iter()
            .any(|(r, _, c)| *r == 2 && c == "title_unknown"),
        "{v:.600}"
    );
}
