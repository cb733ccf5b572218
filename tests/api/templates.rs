//! Import templates people fill in without the manual (issue 15): the XLSX template's data sheet
//! (header, an example row that imports cleanly, dates as dates), its instructions sheet, its
//! drop-down lists (the units of the caller's subtree, from a hidden lists sheet), a workbook
//! filled in from the template's headers and imported, and the CSV template; on both databases.

use calamine::{Data, Reader, SheetVisible, Xlsx};
use rocket::http::{ContentType, Status};
use serde_json::Value;
use std::io::Read;

use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    cadre_template_for_admin_and_officer,
    qualification_and_completion_templates,
    csv_templates_and_their_example_row,
);

async fn download(app: &TestApp, token: &str, kind: &str, query: &str) -> Vec<u8> {
    let (s, hdrs, body) = app
        .get_bytes(
            &format!("/api/imports/{kind}/template?{query}"),
            Some(token),
        )
        .await;
    assert_eq!(
        s,
        Status::Ok,
        "{kind} template: {}",
        String::from_utf8_lossy(&body)
    );
    if query.contains("xlsx") {
        assert!(
            hdrs.iter()
                .any(|(k, v)| k == "Content-Disposition"
                    && v.contains(&format!("template-{kind}.xlsx"))),
            "{hdrs:?}"
        );
    }
    body
}

async fn import(app: &TestApp, token: &str, kind: &str, query: &str, bytes: Vec<u8>) -> Value {
    let (s, v) = app
        .post_raw(
            &format!("/api/imports/{kind}?{query}"),
            Some(token),
            ContentType::Binary,
            bytes,
        )
        .await;
    assert_eq!(s, Status::Ok, "{kind} import ({query}): {v}");
    v
}

fn book(bytes: &[u8]) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an XLSX")
}

/// The sheets' names and whether each is visible.
fn sheets(bytes: &[u8]) -> Vec<(String, bool)> {
    book(bytes)
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible))
        .collect()
}

/// A sheet's cells as text (dates as calamine shows them), row by row.
fn cells(bytes: &[u8], sheet: &str) -> Vec<Vec<Data>> {
    let range = book(bytes).worksheet_range(sheet).expect("the sheet");
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// A part of the archive, as text.
fn part(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    let mut f = z.by_name(name).unwrap_or_else(|_| panic!("no part {name}"));
    let mut s = String::new();
    f.read_to_string(&mut s).expect("UTF-8");
    s
}

/// The column letters of a zero-based column.
fn letters(mut col: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (col % 26) as u8) as char);
        if col < 26 {
            return s;
        }
        col = col / 26 - 1;
    }
}

/// The `<dataValidation>` element of the data sheet covering a whole column from row 2 to
/// 5001, with its formula.
fn validation_of(sheet_xml: &str, col: usize) -> String {
    let sqref = format!("sqref=\"{0}2:{0}5001\"", letters(col));
    sheet_xml
        .split("<dataValidation ")
        .skip(1)
        .find(|e| e.contains(&sqref))
        .map(|e| {
            e.split("</dataValidation>")
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_else(|| panic!("no drop-down on {sqref}"))
}

fn position(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// A workbook of one sheet written with rust_xlsxwriter: the header, then rows of text.
fn filled(header: &[String], rows: &[Vec<(&str, &str)>]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (name, value) in row {
            let c = position(header, name);
            ws.write_string(r as u32 + 1, c as u16, *value).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

async fn find_cadre(app: &TestApp, token: &str, q: &str) -> Value {
    let (s, v) = app
        .get(
            &format!("/api/cadres?q={}", q.replace(' ', "%20")),
            Some(token),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let id = v["items"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no cadre {q}: {v}"));
    app.get(&format!("/api/cadres/{id}"), Some(token)).await.1
}

/// The codes of a list column of the lists sheet (its header in row 1).
fn list(rows: &[Vec<Data>], col: usize) -> Vec<String> {
    rows.iter()
        .skip(1)
        .map(|r| r.get(col).map(text).unwrap_or_default())
        .filter(|s| !s.is_empty())
        .collect()
}

async fn cadre_template_for_admin_and_officer(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;

    let xlsx = download(&app, &admin, "cadres", "format=xlsx").await;
    assert_eq!(
        sheets(&xlsx),
        vec![
            ("Cán bộ".to_string(), true),
            ("Hướng dẫn".to_string(), true),
            ("Danh mục".to_string(), false)
        ],
        "the data sheet first, the lists hidden"
    );
    let data = cells(&xlsx, "Cán bộ");
    assert_eq!(data.len(), 2, "the header and one example row");
    let header: Vec<String> = data[0].iter().map(text).collect();
    assert_eq!(header.len(), 22);
    assert_eq!(
        &header[..4],
        ["Số CCCD/CMND", "Họ và tên", "Giới tính", "Ngày sinh"]
    );
    let example: Vec<String> = data[1].iter().map(text).collect();
    let at = |name: &str| example[position(&header, name)].clone();
    assert_eq!(at("Họ và tên"), "Nguyễn Thị Lan");
    assert_eq!(at("Giới tính"), "Nữ");
    assert_eq!(at("Số CCCD/CMND").len(), 12, "{example:?}");
    assert!(
        matches!(data[1][position(&header, "Ngày sinh")], Data::DateTime(_)),
        "the birth date is a date cell: {:?}",
        data[1]
    );
    assert!(
        part(&xlsx, "xl/styles.xml").contains("formatCode=\"dd/mm/yyyy\""),
        "dates shown dd/mm/yyyy"
    );
    let sheet1 = part(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(
        sheet1.contains("xSplit=\"2\" ySplit=\"1\""),
        "header (and the id and name) frozen"
    );

    // The lists: every live unit (city, districts, wards), the active titles.
    let lists = cells(&xlsx, "Danh mục");
    assert_eq!(text(&lists[0][0]), "Mã đơn vị");
    assert_eq!(text(&lists[0][1]), "Mã chức danh");
    let units = list(&lists, 0);
    let titles = list(&lists, 1);
    assert!(units.len() > 250, "{}", units.len());
    assert!(["79", "760", "770", "26734", "27127"]
        .iter()
        .all(|c| units.contains(&c.to_string())));
    assert!(
        titles.contains(&"FF-CHAIR-COMMUNE".to_string()),
        "{titles:?}"
    );
    assert!(
        units.contains(&at("Mã đơn vị")),
        "the example's unit is listed"
    );
    assert!(
        titles.contains(&at("Mã chức danh")),
        "the example's title is listed"
    );

    // The drop-downs: units and titles by range in the hidden sheet, the words inline.
    let dv = |name: &str| validation_of(&sheet1, position(&header, name));
    let unit_range = format!(
        "<formula1>'Danh mục'!$A$2:$A${}</formula1>",
        units.len() + 1
    );
    for c in ["Mã đơn vị", "Đơn vị giữ chức danh", "Đơn vị quy hoạch"] {
        assert!(dv(c).contains(&unit_range), "{c}: {}", dv(c));
        assert!(dv(c).contains("type=\"list\""), "{}", dv(c));
    }
    let title_range = format!(
        "<formula1>'Danh mục'!$B$2:$B${}</formula1>",
        titles.len() + 1
    );
    for c in ["Mã chức danh", "Mã chức danh quy hoạch"] {
        assert!(dv(c).contains(&title_range), "{c}: {}", dv(c));
    }
    assert!(
        dv("Giới tính").contains("<formula1>\"Nam,Nữ,Khác\"</formula1>"),
        "{}",
        dv("Giới tính")
    );
    for c in ["Dân tộc thiểu số", "Đang công tác"] {
        assert!(
            dv(c).contains("<formula1>\"có,không\"</formula1>"),
            "{c}: {}",
            dv(c)
        );
    }
    assert!(
        dv("Tổ chức").contains("Mặt trận Tổ quốc,Đoàn Thanh niên"),
        "{}",
        dv("Tổ chức")
    );
    assert_eq!(sheet1.matches("<dataValidation ").count(), 9, "{sheet1}");

    // The instructions: the workflow and every column, required or not, with the example.
    let help = cells(&xlsx, "Hướng dẫn");
    let lines: Vec<Vec<String>> = help.iter().map(|r| r.iter().map(text).collect()).collect();
    let all = lines
        .iter()
        .map(|r| r.join(" | "))
        .collect::<Vec<_>>()
        .join("\n");
    for needle in [
        "Kiểm tra",
        "Tải toàn bộ lỗi",
        "dry_run=true",
        "Nguyễn Thị Lan",
        "dd/mm/yyyy",
    ] {
        assert!(all.contains(needle), "{needle} in\n{all}");
    }
    let row_of = |name: &str| {
        lines
            .iter()
            .find(|r| r.first().map(String::as_str) == Some(name))
            .unwrap_or_else(|| panic!("no line for {name} in\n{all}"))
            .clone()
    };
    assert_eq!(row_of("Số CCCD/CMND")[1], "Có");
    assert_eq!(row_of("Tôn giáo")[1], "Không");
    assert_eq!(row_of("Họ và tên")[3], "Nguyễn Thị Lan");
    assert_eq!(row_of("Ngày sinh")[3], "15/03/1985");
    assert!(row_of("Tổ chức")[2].contains("Hội Liên hiệp Phụ nữ"));
    assert!(
        row_of("26734")[1].starts_with("Phường"),
        "units with their names"
    );

    // The template as downloaded imports cleanly: one cadre would be created.
    let v = import(&app, &admin, "cadres", "dry_run=true", xlsx.clone()).await;
    assert_eq!(
        (v["rows"].as_i64(), v["created"].as_i64()),
        (Some(1), Some(1)),
        "{v}"
    );

    // Filled in from the template's headers and imported.
    let file = filled(
        &header,
        &[
            vec![
                ("Số CCCD/CMND", "079180000101"),
                ("Họ và tên", "Trần Thị Mai"),
                ("Giới tính", "Nữ"),
                ("Ngày sinh", "12/05/1980"),
                ("Dân tộc", "Kinh"),
                ("Mã đơn vị", "26734"),
                ("Tổ chức", "Hội Liên hiệp Phụ nữ"),
                ("Ở đơn vị từ ngày", "01/01/2020"),
                ("Mã chức danh", "WU-CHAIR-COMMUNE"),
                ("Giữ chức danh từ ngày", "01/06/2021"),
            ],
            vec![
                ("Số CCCD/CMND", "079082000102"),
                ("Họ và tên", "Lê Văn Hùng"),
                ("Giới tính", "Nam"),
                ("Ngày sinh", "03/09/1982"),
                ("Dân tộc", "Hoa"),
                ("Mã đơn vị", "760"),
                ("Tổ chức", "Mặt trận Tổ quốc"),
                ("Đang công tác", "có"),
                ("Mã chức danh quy hoạch", "FF-CHAIR-DISTRICT"),
                ("Quy hoạch từ ngày", "01/01/2024"),
            ],
        ],
    );
    let v = import(
        &app,
        &admin,
        "cadres",
        "dry_run=false&file_name=filled.xlsx",
        file,
    )
    .await;
    assert_eq!(
        (v["rows"].as_i64(), v["created"].as_i64()),
        (Some(2), Some(2)),
        "{v}"
    );
    let mai = find_cadre(&app, &admin, "tran thi mai").await;
    assert_eq!(mai["titles"][0]["title_code"], "WU-CHAIR-COMMUNE", "{mai}");
    let hung = find_cadre(&app, &admin, "le van hung").await;
    assert_eq!(
        hung["plans"][0]["title_code"], "FF-CHAIR-DISTRICT",
        "{hung}"
    );
    assert_eq!(hung["ethnic_minority"], true);

    // The officer's template: only their subtree's live units; its example in it.
    let mine = download(&app, &officer, "cadres", "format=xlsx").await;
    let mine_units = list(&cells(&mine, "Danh mục"), 0);
    assert!(mine_units.contains(&"760".to_string()) && mine_units.contains(&"26734".to_string()));
    assert!(!mine_units.contains(&"770".to_string()) && !mine_units.contains(&"79".to_string()));
    for code in &mine_units {
        let (s, u) = app.get(&format!("/api/units/{code}"), Some(&admin)).await;
        assert_eq!(s, Status::Ok, "{u}");
        let under = code == "760"
            || u["ancestors"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x["code"] == "760"));
        assert!(
            under && u["retired_on"].is_null(),
            "{code} is a live unit of the officer's subtree: {u}"
        );
    }
    assert!(units.len() > mine_units.len());
    let sheet1 = part(&mine, "xl/worksheets/sheet1.xml");
    assert!(sheet1.contains(&format!(
        "<formula1>'Danh mục'!$A$2:$A${}</formula1>",
        mine_units.len() + 1
    )));
    let data = cells(&mine, "Cán bộ");
    let unit = text(&data[1][position(&header, "Mã đơn vị")]);
    assert!(mine_units.contains(&unit), "{unit}");
    let v = import(&app, &officer, "cadres", "dry_run=true", mine.clone()).await;
    assert_eq!(v["created"], 1, "{v}");
    // The example's personal id is nobody's: not the cadres just imported.
    let pid = text(&data[1][0]);
    assert!(!["079180000101", "079082000102"].contains(&pid.as_str()));

    // English: the same workbook in English.
    let en = download(&app, &admin, "cadres", "format=xlsx&lang=en").await;
    assert_eq!(
        sheets(&en).into_iter().map(|s| s.0).collect::<Vec<_>>(),
        ["Cadres", "Instructions", "Lists"]
    );
    let data = cells(&en, "Cadres");
    assert_eq!(text(&data[0][0]), "Personal ID");
    let help: Vec<String> = cells(&en, "Instructions")
        .iter()
        .map(|r| r.iter().map(text).collect::<Vec<_>>().join(" | "))
        .collect();
    assert!(
        help.iter().any(|l| l.starts_with("Personal ID | Yes")),
        "{help:?}"
    );
    assert!(part(&en, "xl/worksheets/sheet1.xml").contains("<formula1>'Lists'!$A$2:$A$"));
    let v = import(&app, &admin, "cadres", "dry_run=true", en).await;
    assert_eq!(v["created"], 1, "{v}");
}

async fn qualification_and_completion_templates(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;
    // Without a cadre the templates have no example row, and say why.
    let empty = download(&app, &admin, "qualifications", "format=xlsx").await;
    assert_eq!(cells(&empty, "Trình độ").len(), 1, "the header alone");
    let help = cells(&empty, "Hướng dẫn")
        .iter()
        .map(|r| r.iter().map(text).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(help.contains("không có dòng ví dụ"), "{help}");

    // Two cadres, through the cadre template's columns.
    let cadres = download(&app, &admin, "cadres", "format=xlsx").await;
    let header: Vec<String> = cells(&cadres, "Cán bộ")[0].iter().map(text).collect();
    let people = filled(
        &header,
        &[
            vec![
                ("Số CCCD/CMND", "079180000201"),
                ("Họ và tên", "Phạm Thị Hoa"),
                ("Giới tính", "Nữ"),
                ("Ngày sinh", "20/10/1980"),
                ("Dân tộc", "Kinh"),
                ("Mã đơn vị", "26734"),
                ("Tổ chức", "Mặt trận Tổ quốc"),
            ],
            vec![
                ("Số CCCD/CMND", "079075000202"),
                ("Họ và tên", "Võ Văn Tâm"),
                ("Giới tính", "Nam"),
                ("Ngày sinh", "01/02/1975"),
                ("Dân tộc", "Kinh"),
                ("Mã đơn vị", "27127"),
                ("Tổ chức", "Hội Nông dân"),
            ],
        ],
    );
    let v = import(&app, &admin, "cadres", "", people).await;
    assert_eq!(v["created"], 2, "{v}");

    // Qualifications.
    let q = download(&app, &admin, "qualifications", "format=xlsx").await;
    assert_eq!(
        sheets(&q),
        vec![
            ("Trình độ".to_string(), true),
            ("Hướng dẫn".to_string(), true),
            ("Danh mục".to_string(), false)
        ]
    );
    let data = cells(&q, "Trình độ");
    let header: Vec<String> = data[0].iter().map(text).collect();
    assert_eq!(
        header,
        [
            "Số CCCD/CMND",
            "Họ và tên",
            "Mã loại trình độ",
            "Mã trình độ",
            "Ngày cấp",
            "Nơi cấp",
            "Số văn bằng"
        ]
    );
    assert_eq!(data.len(), 2);
    assert_eq!(
        text(&data[1][0]),
        "079180000201",
        "the subtree's first cadre"
    );
    assert_eq!(text(&data[1][2]), "political_theory");
    assert!(matches!(data[1][4], Data::DateTime(_)), "{:?}", data[1]);
    let lists = cells(&q, "Danh mục");
    let scales = list(&lists, 0);
    let levels = list(&lists, 1);
    assert!(
        scales.contains(&"state_management".to_string()),
        "{scales:?}"
    );
    assert!(
        levels.contains(&"intermediate".to_string()) && levels.contains(&"officer".to_string())
    );
    let sheet1 = part(&q, "xl/worksheets/sheet1.xml");
    assert!(validation_of(&sheet1, 2).contains(&format!(
        "<formula1>'Danh mục'!$A$2:$A${}</formula1>",
        scales.len() + 1
    )));
    assert!(validation_of(&sheet1, 3).contains(&format!(
        "<formula1>'Danh mục'!$B$2:$B${}</formula1>",
        levels.len() + 1
    )));
    let help = cells(&q, "Hướng dẫn")
        .iter()
        .map(|r| r.iter().map(text).collect::<Vec<_>>().join(" | "))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        help.contains("political_theory | Lý luận chính trị | intermediate | Trung cấp"),
        "{help}"
    );
    let v = import(&app, &admin, "qualifications", "dry_run=true", q).await;
    assert_eq!(
        (v["rows"].as_i64(), v["created"].as_i64()),
        (Some(1), Some(1)),
        "{v}"
    );
    let file = filled(
        &header,
        &[
            vec![
                ("Số CCCD/CMND", "079180000201"),
                ("Mã loại trình độ", "political_theory"),
                ("Mã trình độ", "intermediate"),
                ("Ngày cấp", "15/06/2012"),
                ("Nơi cấp", "Trường Chính trị Thành phố Hồ Chí Minh"),
            ],
            vec![
                ("Số CCCD/CMND", "079075000202"),
                ("Mã loại trình độ", "state_management"),
                ("Mã trình độ", "officer"),
                ("Ngày cấp", "2015-03-01"),
            ],
        ],
    );
    let v = import(&app, &admin, "qualifications", "dry_run=false", file).await;
    assert_eq!(v["created"], 2, "{v}");
    let hoa = find_cadre(&app, &admin, "pham thi hoa").await;
    assert!(
        hoa["qualifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["level"] == "intermediate" && q["obtained_on"] == "2012-06-15"),
        "{hoa}"
    );

    // Completions.
    let c = download(&app, &admin, "completions", "format=xlsx").await;
    let data = cells(&c, "Chuyên đề đã hoàn thành");
    let header: Vec<String> = data[0].iter().map(text).collect();
    assert_eq!(header[2], "Mã học phần");
    assert_eq!(data.len(), 2);
    assert_eq!(text(&data[1][2]), "DV-01");
    assert_eq!(data[1][4], Data::Float(8.5));
    assert_eq!(text(&data[1][5]), "giấy");
    let modules = list(&cells(&c, "Danh mục"), 0);
    assert!(
        modules.len() >= 12 && modules.contains(&"DV-12".to_string()),
        "{modules:?}"
    );
    let sheet1 = part(&c, "xl/worksheets/sheet1.xml");
    assert!(validation_of(&sheet1, 2).contains(&format!(
        "<formula1>'Danh mục'!$A$2:$A${}</formula1>",
        modules.len() + 1
    )));
    assert!(validation_of(&sheet1, 5).contains("<formula1>\"giấy,nhập\"</formula1>"));
    let v = import(&app, &admin, "completions", "dry_run=true", c).await;
    assert_eq!(
        (v["rows"].as_i64(), v["created"].as_i64()),
        (Some(1), Some(1)),
        "{v}"
    );
    let file = filled(
        &header,
        &[
            vec![
                ("Số CCCD/CMND", "079180000201"),
                ("Mã học phần", "DV-02"),
                ("Ngày hoàn thành", "10/10/2018"),
                ("Điểm", "9"),
                ("Nguồn", "giấy"),
                ("Tham chiếu", "Sổ 2018, trang 4"),
            ],
            vec![
                ("Số CCCD/CMND", "079075000202"),
                ("Mã học phần", "DV-03"),
                ("Ngày hoàn thành", "2019-04-01"),
                ("Nguồn", "nhập"),
                ("Tham chiếu", "bang-tinh-cu.xlsx"),
            ],
        ],
    );
    let v = import(&app, &admin, "completions", "dry_run=false", file).await;
    assert_eq!(v["created"], 2, "{v}");

    // The officer's qualification template: a cadre of their subtree (Võ Văn Tâm is not).
    let mine = download(&app, &officer, "qualifications", "format=xlsx").await;
    let data = cells(&mine, "Trình độ");
    assert_eq!(text(&data[1][0]), "079180000201");
    let v = import(&app, &officer, "qualifications", "dry_run=true", mine).await;
    assert_eq!(v["rows"], 1, "{v}");
}

async fn csv_templates_and_their_example_row(app: TestApp) {
    let admin = app.admin_token().await;
    // An empty database: no unit, so no example; the header alone.
    let body = download(&app, &admin, "cadres", "").await;
    let text = String::from_utf8(body).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    app.import_hcmc(&admin).await;
    for (kind, example) in [("cadres", "Nguyễn Thị Lan,Nữ,15/03/1985,Kinh,không,")] {
        let body = download(&app, &admin, kind, "format=csv").await;
        assert!(body.starts_with(b"\xEF\xBB\xBF"), "BOM");
        let text = String::from_utf8(body.clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].starts_with("\u{feff}Số CCCD/CMND,Họ và tên"),
            "{text}"
        );
        assert!(lines[1].contains(example), "{text}");
        let v = import(&app, &admin, kind, "dry_run=true", body).await;
        assert_eq!(v["created"], 1, "{v}");
    }
    // A cadre (the template's example itself, imported), then the other kinds' CSV.
    let body = download(&app, &admin, "cadres", "format=csv").await;
    let v = import(&app, &admin, "cadres", "", body).await;
    assert_eq!(v["created"], 1, "{v}");
    let lan = find_cadre(&app, &admin, "nguyen thi lan").await;
    assert_eq!(lan["birth_date"], "1985-03-15");
    let pid = lan["personal_id"].as_str().unwrap().to_string();
    // The next cadre template's example is another person (its number is now taken).
    let body = download(&app, &admin, "cadres", "format=csv").await;
    let again = String::from_utf8(body.clone()).unwrap();
    assert!(!again.contains(&pid), "{again}");
    let v = import(&app, &admin, "cadres", "dry_run=true", body).await;
    assert_eq!(v["created"], 1, "{v}");
    for (kind, module) in [
        ("qualifications", "political_theory,intermediate"),
        ("completions", "DV-01"),
    ] {
        let body = download(&app, &admin, kind, "format=csv&lang=en").await;
        let text = String::from_utf8(body.clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("\u{feff}Personal ID,Full name"),
            "{text}"
        );
        assert!(
            lines[1].starts_with(&format!("{pid},Nguyễn Thị Lan,{module}")),
            "{text}"
        );
        let v = import(&app, &admin, kind, "dry_run=true", body).await;
        assert_eq!(v["created"], 1, "{v}");
    }
}
