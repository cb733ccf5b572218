//! Upload limits (issue 14): hostile or oversized sheets are refused with a 413 or 422 naming
//! `file` before their contents are allocated, problem lists stay bounded (the full list is a
//! CSV download), and `/health` answers while a large import is read and planned.

use rocket::futures::future::{select, Either};
use rocket::http::{ContentType, Header, Status};
use serde_json::{json, Value};
use std::io::{Cursor, Write};

use crate::db_tests;
use crate::helpers::TestApp;

crate::slow_db_tests!(
    many_bad_rows_give_a_bounded_answer_and_a_csv_of_all,
    health_answers_while_a_large_import_is_planned
);
db_tests!(
    xlsx_with_cells_at_a1_and_xfd1048576_is_refused,
    xlsx_zip_bomb_is_refused,
    csv_with_100k_columns_is_refused,
    csv_line_longer_than_the_limit_is_refused,
    rows_and_cells_beyond_the_limits_are_refused,
    unit_and_successor_uploads_are_bounded,
    a_file_name_is_checked_like_any_text,
);

const HEADER: &str = "Số CCCD/CMND,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã đơn vị,Tổ chức";

/// An XLSX archive of the given worksheet XML (the other parts minimal), zipped with deflate.
fn xlsx(sheet_xml: &str) -> Vec<u8> {
    let parts: [(&str, &str); 5] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    ];
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in parts {
        z.start_file(name, opts).unwrap();
        z.write_all(body.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// A worksheet part: `dimension` and the rows' XML.
fn sheet(dimension: &str, rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>"#
    )
}

/// Row 1 of inline-string cells with the cadre template's required headers.
fn header_row() -> String {
    let cells: String = HEADER
        .split(',')
        .enumerate()
        .map(|(i, h)| {
            format!(
                r#"<c r="{}1" t="inlineStr"><is><t>{h}</t></is></c>"#,
                (b'A' + i as u8) as char
            )
        })
        .collect();
    format!(r#"<row r="1">{cells}</row>"#)
}

async fn post(app: &TestApp, path: &str, token: &str, bytes: Vec<u8>) -> (Status, Value) {
    app.post_raw(path, Some(token), ContentType::Binary, bytes)
        .await
}

/// A refusal that names `file`, with the status expected.
fn refused(s: Status, v: &Value, status: Status) -> String {
    assert_eq!(s, status, "{v}");
    assert_eq!(v["error"]["field"], "file", "{v}");
    v["error"]["message"].as_str().unwrap().to_string()
}

async fn officer(app: &TestApp) -> String {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    app.account(&admin, "officer.q1", "officer", Some("760"))
        .await
}

/// The reproduction: a 1.6 KB workbook whose only cells are A1 and XFD1048576 made the
/// spreadsheet reader ask for 16,384 × 1,048,576 cells and abort the process.
async fn xlsx_with_cells_at_a1_and_xfd1048576_is_refused(app: TestApp) {
    let officer = officer(&app).await;
    let repro = xlsx(&sheet(
        "A1:XFD1048576",
        r#"<row r="1"><c r="A1" t="inlineStr"><is><t>Số CCCD/CMND</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
    ));
    assert!(repro.len() < 3_000, "{}", repro.len());
    let (s, v) = post(&app, "/api/imports/cadres?dry_run=true", &officer, repro).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "file", "{v}");
    // With a header that fits, the far cell itself is what is refused, by its reference.
    let far = xlsx(&sheet(
        "A1:XFD1048576",
        &format!(
            r#"{}<row r="2"><c r="A2" t="inlineStr"><is><t>079180000001</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
            header_row()
        ),
    ));
    let (s, v) = post(&app, "/api/imports/cadres?dry_run=true", &officer, far).await;
    let m = refused(s, &v, Status::UnprocessableEntity);
    assert!(m.contains("XFD1048576") && m.contains("64 columns"), "{m}");
    // A cell with a value below the allowed rows, in the first column, too.
    let low = xlsx(&sheet(
        "A1:A1048576",
        &format!(
            r#"{}<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>"#,
            header_row()
        ),
    ));
    let (s, v) = post(&app, "/api/imports/cadres?dry_run=true", &officer, low).await;
    let m = refused(s, &v, Status::PayloadTooLarge);
    assert!(
        m.contains("A1048576") && m.contains("more than 300000 rows"),
        "{m}"
    );
    // The service is still up and the same officer still imports.
    let (s, _) = app.get("/health", None).await;
    assert_eq!(s, Status::Ok);
}

/// A workbook whose sheet part inflates past `import_max_unzipped_bytes` (here 1 MiB, so the
/// test stays fast; the default is 50 MiB) is refused with a 413 before it is parsed.
async fn xlsx_zip_bomb_is_refused(app: TestApp) {
    let small = TestApp::spawn(
        app.backend,
        &[("import_max_unzipped_bytes", json!(1 << 20))],
    )
    .await
    .unwrap();
    let admin = small.admin_token().await;
    let padding = " ".repeat(4 << 20);
    let bomb = xlsx(&sheet("A1:G1", &format!("{}{padding}", header_row())));
    assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
    let (s, v) = post(&small, "/api/imports/cadres?dry_run=true", &admin, bomb).await;
    let m = refused(s, &v, Status::PayloadTooLarge);
    assert!(m.contains("unpacks to more than 1048576 bytes"), "{m}");
    // The same workbook without the padding is read.
    let fine = xlsx(&sheet("A1:G1", &header_row()));
    let (s, v) = post(&small, "/api/imports/cadres?dry_run=true", &admin, fine).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["rows"], 0);
}

/// 100,001 columns on the header line: refused at once by the column limit, not by one problem
/// per unknown column.
async fn csv_with_100k_columns_is_refused(app: TestApp) {
    let officer = officer(&app).await;
    let mut line = String::from(HEADER);
    for i in 0..100_000 {
        line.push_str(&format!(",c{i}"));
    }
    line.push('\n');
    let (s, v) = post(
        &app,
        "/api/imports/cadres?dry_run=true",
        &officer,
        line.clone().into_bytes(),
    )
    .await;
    let m = refused(s, &v, Status::UnprocessableEntity);
    assert!(m.contains("line 1 has more than 64 columns"), "{m}");
    assert!(v["error"].get("details").is_none(), "{v}");
    // Semicolons, and the wide line second (a data row).
    let wide = format!("{}\n{}", HEADER.replace(',', ";"), ";".repeat(100_000));
    let (s, v) = post(
        &app,
        "/api/imports/cadres?dry_run=true",
        &officer,
        wide.into_bytes(),
    )
    .await;
    let m = refused(s, &v, Status::UnprocessableEntity);
    assert!(m.contains("line 2 has more than 64 columns"), "{m}");
}

async fn csv_line_longer_than_the_limit_is_refused(app: TestApp) {
    let officer = officer(&app).await;
    // 70,000 bytes in one quoted field that spans several lines: one record, one line number.
    let body = format!(
        "{HEADER}\n079180000001,\"Nguyễn\n{}\",Nữ,01/01/1980,Kinh,26734,Mặt trận Tổ quốc\n",
        "A".repeat(70_000)
    );
    let (s, v) = post(
        &app,
        "/api/imports/cadres?dry_run=true",
        &officer,
        body.into_bytes(),
    )
    .await;
    let m = refused(s, &v, Status::UnprocessableEntity);
    assert!(m.contains("line 2 is longer than 65536 bytes"), "{m}");
    // The limit is a setting.
    let roomy = TestApp::spawn(app.backend, &[("import_max_line_bytes", json!(100_000))])
        .await
        .unwrap();
    let admin = roomy.admin_token().await;
    roomy.import_hcmc(&admin).await;
    let body = format!(
        "{HEADER}\n079180000001,\"Nguyễn {}\",Nữ,01/01/1980,Kinh,26734,Mặt trận Tổ quốc\n",
        "A".repeat(70_000)
    );
    let (s, v) = post(
        &roomy,
        "/api/imports/cadres?dry_run=true",
        &admin,
        body.into_bytes(),
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["details"][0]["field"], "Họ và tên", "{v}");
}

async fn rows_and_cells_beyond_the_limits_are_refused(app: TestApp) {
    let small = TestApp::spawn(
        app.backend,
        &[
            ("import_max_rows", json!(5)),
            ("import_max_cells", json!(60)),
        ],
    )
    .await
    .unwrap();
    let admin = small.admin_token().await;
    let rows = |n: usize| {
        let mut s = format!("{HEADER}\n");
        for i in 0..n {
            s.push_str(&format!(
                "{:012},A B,Nam,01/01/1980,Kinh,26734,Mặt trận Tổ quốc\n",
                i + 1
            ));
        }
        s.into_bytes()
    };
    let (s, v) = post(&small, "/api/imports/cadres?dry_run=true", &admin, rows(6)).await;
    let m = refused(s, &v, Status::PayloadTooLarge);
    assert!(m.contains("more than 5 rows"), "{m}");
    // 5 rows of 7 cells and a header: fine; 60 cells is the limit.
    let (s, v) = post(&small, "/api/imports/cadres?dry_run=true", &admin, rows(5)).await;
    assert_ne!(s, Status::PayloadTooLarge, "{v}");
    let mut wide = rows(4);
    wide.extend_from_slice(b"1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34\n");
    let (s, v) = post(&small, "/api/imports/cadres?dry_run=true", &admin, wide).await;
    let m = refused(s, &v, Status::PayloadTooLarge);
    assert!(m.contains("more than 60 cells"), "{m}");
    // An XLSX with too many rows: the same limit.
    let mut xml = header_row();
    for r in 2..=7 {
        xml.push_str(&format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#));
    }
    let (s, v) = post(
        &small,
        "/api/imports/cadres?dry_run=true",
        &admin,
        xlsx(&sheet("A1:G7", &xml)),
    )
    .await;
    let m = refused(s, &v, Status::PayloadTooLarge);
    assert!(m.contains("more than 5 rows"), "{m}");
}

/// POSTs a file and answers the status, the headers and the raw body.
async fn post_bytes(
    app: &TestApp,
    path: &str,
    token: &str,
    bytes: Vec<u8>,
) -> (Status, Vec<(String, String)>, Vec<u8>) {
    let res = app
        .client
        .post(path.to_string())
        .header(ContentType::CSV)
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .body(bytes)
        .dispatch()
        .await;
    let status = res.status();
    let hdrs = res
        .headers()
        .iter()
        .map(|h| (h.name().to_string(), h.value().to_string()))
        .collect();
    (status, hdrs, res.into_bytes().await.unwrap_or_default())
}

/// 3,000 bad rows with two problems each, and 1,500 rows repeating one personal id: the answer
/// lists the first 1,000 problems, counts all 7,499 by column and reason, and the CSV download
/// has every one of them.
async fn many_bad_rows_give_a_bounded_answer_and_a_csv_of_all(app: TestApp) {
    let officer = officer(&app).await;
    let mut body = format!("{HEADER}\n");
    for i in 0..3_000u64 {
        body.push_str(&format!(
            "{:012},Nguyễn Văn An,robot,31/02/1980,Kinh,26734,Mặt trận Tổ quốc\n",
            79_100_000_000u64 + i
        ));
    }
    for _ in 0..1_500 {
        body.push_str("079200000001,Trần Thị Bình,Nữ,01/01/1990,Kinh,26734,Mặt trận Tổ quốc\n");
    }
    let bytes = body.into_bytes();
    let (s, v) = post(
        &app,
        "/api/imports/cadres?dry_run=true",
        &officer,
        bytes.clone(),
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let e = &v["error"];
    assert_eq!(e["field"], "file");
    assert_eq!(e["problems_total"], 7_499, "{}", e["message"]);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("7499 problems found"),
        "{e}"
    );
    let details = e["details"].as_array().unwrap();
    assert_eq!(details.len(), 1_000);
    // The first 1,000 by row: rows 2 to 501, gender then birth date on each.
    assert_eq!(details[0]["row"], 2);
    assert_eq!(details[0]["field"], "Giới tính");
    assert_eq!(details[1]["field"], "Ngày sinh");
    assert_eq!(details[999]["row"], 501);
    let counts: Vec<(String, String, u64)> = e["problem_counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["column"].as_str().unwrap_or("").to_string(),
                c["reason"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            (
                "Giới tính".into(),
                "write Nam, Nữ or Khác (male, female, other)".into(),
                3_000
            ),
            (
                "Ngày sinh".into(),
                "not a date: write it as DD/MM/YYYY or YYYY-MM-DD".into(),
                3_000
            ),
            (
                "Số CCCD/CMND".into(),
                "the same personal id number is on row N".into(),
                1_499
            ),
        ]
    );
    // The answer stays small: about a thousand problems, not 7,499.
    assert!(v.to_string().len() < 200_000, "{}", v.to_string().len());

    // Every problem, as CSV, in the order of the rows.
    let (s, hdrs, csv) = post_bytes(
        &app,
        "/api/imports/cadres/problems",
        &officer,
        bytes.clone(),
    )
    .await;
    assert_eq!(s, Status::Ok, "{}", String::from_utf8_lossy(&csv));
    assert!(hdrs
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.starts_with("text/csv")));
    assert!(hdrs
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-disposition")
            && v.contains("problems-cadres.csv")));
    let text = String::from_utf8(csv).unwrap();
    let text = text.strip_prefix('\u{feff}').expect("a BOM");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        vec!["Dòng", "Cột", "Giá trị", "Lý do"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 7_499);
    assert_eq!(&rows[0][0], "2");
    assert_eq!(&rows[0][1], "Giới tính");
    assert_eq!(&rows[0][2], "robot");
    assert_eq!(&rows[1][2], "31/02/1980");
    let last = &rows[7_498];
    assert_eq!(&last[0], "4501");
    assert_eq!(&last[3], "Số CCCD/CMND này đã có ở dòng 3002");
    // English header; a clean file gives the header alone; nothing was written either way.
    let (s, _, csv) = post_bytes(
        &app,
        "/api/imports/cadres/problems?lang=en",
        &officer,
        bytes,
    )
    .await;
    assert_eq!(s, Status::Ok);
    assert!(String::from_utf8(csv)
        .unwrap()
        .starts_with("\u{feff}Row,Column,Value,Reason\n"));
    let clean =
        format!("{HEADER}\n079200000001,Trần Thị Bình,Nữ,01/01/1990,Kinh,26734,Mặt trận Tổ quốc\n");
    let (s, _, csv) = post_bytes(
        &app,
        "/api/imports/cadres/problems?lang=en",
        &officer,
        clean.into_bytes(),
    )
    .await;
    assert_eq!(s, Status::Ok);
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "\u{feff}Row,Column,Value,Reason\n"
    );
    let (_, v) = app.get("/api/cadres?limit=1", Some(&officer)).await;
    assert_eq!(v["total"], 0, "{v}");
    // A header that does not fit: its problems are the list. Limits answer as the import does.
    let (s, _, csv) = post_bytes(
        &app,
        "/api/imports/cadres/problems?lang=en",
        &officer,
        b"Nonsense\n1\n".to_vec(),
    )
    .await;
    assert_eq!(s, Status::Ok);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("1,Nonsense,,\"unknown column"), "{csv}");
    let (s, _, body) = post_bytes(
        &app,
        "/api/imports/cadres/problems",
        &officer,
        ",".repeat(100).into_bytes(),
    )
    .await;
    assert_eq!(
        s,
        Status::UnprocessableEntity,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (s, _, _) = post_bytes(
        &app,
        "/api/imports/cadres/problems?lang=fr",
        &officer,
        b"a\n".to_vec(),
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity);
    // Roles as for the import itself.
    let admin = app.admin_token().await;
    let school = app.account(&admin, "school.1", "school", None).await;
    let completions = "Số CCCD/CMND,Mã học phần,Ngày hoàn thành,Tham chiếu\n";
    let (s, _, _) = post_bytes(
        &app,
        "/api/imports/completions/problems",
        &officer,
        completions.into(),
    )
    .await;
    assert_eq!(s, Status::Forbidden);
    let (s, _, _) = post_bytes(
        &app,
        "/api/imports/completions/problems",
        &school,
        completions.into(),
    )
    .await;
    assert_eq!(s, Status::Ok);
}

/// The unit and succession imports read through the same bounded reader, and their problem
/// lists are bounded the same way.
async fn unit_and_successor_uploads_are_bounded(app: TestApp) {
    let admin = app.admin_token().await;
    let wide = format!("code,name,kind,parent_code\n{}\n", ",".repeat(100_000));
    let (s, v) = post(&app, "/api/units/import", &admin, wide.into_bytes()).await;
    let m = refused(s, &v, Status::UnprocessableEntity);
    assert!(m.contains("line 2 has more than 64 columns"), "{m}");
    let mut bad = String::from("code,name,kind,parent_code\n");
    for i in 0..2_500 {
        bad.push_str(&format!("x{i},Nowhere,planet,\n"));
    }
    let (s, v) = post(&app, "/api/units/import", &admin, bad.into_bytes()).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["problems_total"], 5_000);
    assert_eq!(v["error"]["details"].as_array().unwrap().len(), 1_000);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("5000 problem(s) in the file; the first, on line 2"),
        "{v}"
    );
    let counts = v["error"]["problem_counts"].as_array().unwrap();
    assert_eq!(counts.len(), 2, "{counts:?}");
    assert_eq!(counts[0]["count"], 2_500);
    let mut succ = String::from("old_code,new_code,part,effective,main\n");
    for _ in 0..1_200 {
        succ.push_str("x,y,half,2025-13-01,2\n");
    }
    let (s, v) = post(
        &app,
        "/api/units/successors/import?dry_run=true",
        &admin,
        succ.into_bytes(),
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    // Five problems a row, and each row after the first repeats "x → y".
    assert_eq!(v["error"]["problems_total"], 7_199);
    assert_eq!(v["error"]["details"].as_array().unwrap().len(), 1_000);
    let long = format!(
        "old_code,new_code,part,effective,main\n{}\n",
        "1".repeat(70_000)
    );
    let (s, v) = post(
        &app,
        "/api/units/successors/import?dry_run=true",
        &admin,
        long.into_bytes(),
    )
    .await;
    let m = refused(s, &v, Status::UnprocessableEntity);
    assert!(m.contains("line 2 is longer than 65536 bytes"), "{m}");
}

/// Runs `import` and `/health` side by side on the test's single-threaded runtime, the import
/// polled first each time, and requires `/health` to answer while the import is still pending;
/// then answers the import's status and body. No clock is read.
async fn health_before<'c>(
    app: &'c TestApp,
    import: rocket::local::asynchronous::LocalRequest<'c>,
) -> (Status, Value) {
    let import = std::pin::pin!(import.dispatch());
    let health = std::pin::pin!(app.client.get("/health").dispatch());
    match select(import, health).await {
        Either::Left((res, _)) => panic!(
            "the import answered ({}) before /health: it held the async worker",
            res.status()
        ),
        Either::Right((h, import)) => {
            assert_eq!(h.status(), Status::Ok);
            let res = import.await;
            let status = res.status();
            let body = res.into_bytes().await.unwrap_or_default();
            (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
        }
    }
}

/// While a large file is read and planned (on the blocking pool), `/health` answers.
///
/// First, deterministically: with one database connection, the import's authentication takes it
/// before `/health` can ping, so `/health` can only answer if the import, once authenticated,
/// gives the runtime back while it reads a workbook that inflates to 40 MB (and turns out
/// unreadable at its very end: a 422, with no database work after the reading). Read on the
/// async worker, the import would answer first. Then a 60,000-row roster read and planned as a dry run, on the usual pool.
async fn health_answers_while_a_large_import_is_planned(app: TestApp) {
    let one = TestApp::spawn(app.backend, &[("db_max_connections", json!(1))])
        .await
        .unwrap();
    let admin = one.admin_token().await;
    // A small upload (the whole body is read in one go) whose sheet inflates to 40 MB, cut short.
    let broken = sheet(
        "A1:G2",
        &format!("{}{}", header_row(), " ".repeat(40 << 20)),
    )
    .replace("</sheetData></worksheet>", r#"<row r="2"><c r="A"#);
    let broken = xlsx(&broken);
    assert!(broken.len() < 100 * 1024, "{}", broken.len());
    let request = one
        .client
        .post("/api/imports/cadres?dry_run=true")
        .header(ContentType::Binary)
        .header(Header::new("Authorization", format!("Bearer {admin}")))
        .body(broken);
    let (s, v) = health_before(&one, request).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "file", "{v}");

    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let mut body = format!("{HEADER}\n");
    for i in 0..60_000u64 {
        body.push_str(&format!(
            "{:012},Nguyễn Văn An,Nam,01/01/1980,Kinh,26734,Mặt trận Tổ quốc\n",
            79_000_000_000u64 + i
        ));
    }
    let request = app
        .client
        .post("/api/imports/cadres?dry_run=true")
        .header(ContentType::CSV)
        .header(Header::new("Authorization", format!("Bearer {admin}")))
        .body(body);
    let (s, v) = health_before(&app, request).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["created"], 60_000, "{v}");
}

/// The name a file is sent under goes to the audit trail: a NUL (which PostgreSQL's JSON cannot
/// hold), a line break or a direction override in it is refused like in any text, before the
/// file is read; nothing is written.
async fn a_file_name_is_checked_like_any_text(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let csv = format!(
        "{HEADER}\n079180009901,Nguyễn Văn Tên,Nam,1980-01-02,Kinh,26734,Mặt trận Tổ quốc\n"
    );
    for (path, name) in [
        ("/api/imports/cadres", "a%00b.csv"),
        ("/api/imports/cadres", "a%0D%0AX-Injected:%201.csv"),
        ("/api/imports/cadres", "%E2%80%AEvsc.exe"),
        ("/api/exchange/record", "a%00b.zip"),
    ] {
        let (s, v) = app
            .post_raw(
                &format!("{path}?file_name={name}"),
                Some(&admin),
                ContentType::CSV,
                csv.clone().into_bytes(),
            )
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{path} {name}: {v:.300}");
        assert_eq!(v["error"]["field"], "file_name", "{path} {name}: {v:.300}");
    }
    // A tab or a line break: a name is one line, and the message says so.
    for name in ["a%09b.csv", "a%0Ab.csv"] {
        let (s, v) = app
            .post_raw(
                &format!("/api/imports/cadres?file_name={name}"),
                Some(&admin),
                ContentType::CSV,
                csv.clone().into_bytes(),
            )
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{name}: {v:.300}");
        assert_eq!(v["error"]["reason"], "one_line", "{name}: {v:.300}");
    }
    let (_, v) = app.get("/api/cadres?q=T%C3%AAn", Some(&admin)).await;
    assert_eq!(v["total"], 0, "nothing imported: {v:.300}");
    let (s, v) = app
        .post_raw(
            "/api/imports/cadres?file_name=Danh%20s%C3%A1ch%20c%C3%A1n%20b%E1%BB%99.csv",
            Some(&admin),
            ContentType::CSV,
            csv.into_bytes(),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    assert_eq!(v["file_name"], "Danh sách cán bộ.csv", "{v:.300}");
}
