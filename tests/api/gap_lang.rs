//! Gap reasons as codes with parameters (the drill-down, one cadre's gaps, `/api/me`), their
//! catalogue in both languages and in the OpenAPI document, and the reports' exports in the
//! caller's language (`lang=vi|en`, Vietnamese by default).

use calamine::{Data, Reader, Xlsx};
use rocket::http::Status;
use serde_json::{json, Value};
use std::collections::BTreeSet;

use crate::helpers::TestApp;
use crate::reports::world;

crate::db_tests!(
    reasons_carry_codes_and_params,
    exports_speak_the_callers_language
);

async fn file(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let (s, _, body) = app.get_bytes(path, Some(token)).await;
    assert_eq!(s, Status::Ok, "{path}: {}", String::from_utf8_lossy(&body));
    body
}

/// A CSV's header and rows.
fn csv_of(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM");
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    let headers = rdr.headers().unwrap().iter().map(String::from).collect();
    let rows = rdr
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

/// An XLSX's sheet names and the rows of its first sheet, as text.
fn xlsx_of(bytes: Vec<u8>) -> (Vec<String>, Vec<Vec<String>>) {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let names = wb.sheet_names();
    let range = wb.worksheet_range(&names[0]).unwrap();
    let rows = range
        .rows()
        .map(|r| r.iter().map(Data::to_string).collect())
        .collect();
    (names, rows)
}

fn has(headers: &[String], h: &str) -> usize {
    headers
        .iter()
        .position(|x| x == h)
        .unwrap_or_else(|| panic!("no column {h:?} in {headers:?}"))
}

/// Every unmet check of the drill-down and of one cadre's gaps carries a code from the catalogue
/// and its parameters (codes, ISO days, numbers), besides the English text; the catalogue is
/// served in both languages with every code of the OpenAPI document's enum, and no other.
async fn reasons_carry_codes_and_params(app: TestApp) {
    let w = world(&app).await;
    let t = &w.admin;
    let (s, v) = app
        .get(
            "/api/reports/gaps/cadres?unit=79&as_of=2019-01-01&status=all&limit=500",
            Some(t),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let checks: Vec<&Value> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["checks"].as_array().unwrap())
        .collect();
    assert!(!checks.is_empty());
    for c in &checks {
        assert!(c["code"].is_string(), "a code: {c}");
        assert!(c["params"].is_object(), "params: {c}");
        assert!(!c["reason"].as_str().unwrap().is_empty(), "{c}");
    }
    let stale = checks
        .iter()
        .find(|c| c["reason"] == "DV-03: last completed 2013-05-01, older than 5 years")
        .expect("A's stale DV-03");
    assert_eq!(stale["code"], "module_stale");
    assert_eq!(
        stale["params"],
        json!({"module": "DV-03", "completed_on": "2013-05-01", "years": 5})
    );
    let below = checks
        .iter()
        .find(|c| c["code"] == "min_level_below")
        .expect("B's political theory");
    assert_eq!(
        below["params"],
        json!({"scale": "political_theory", "held": "elementary", "needed": "intermediate"})
    );
    assert_eq!(
        below["reason"],
        "political theory: holds elementary, needs intermediate"
    );

    // One cadre's gaps (an officer's view) and the cadre's own record carry them too.
    let b = w.b;
    let (s, g) = app
        .get(&format!("/api/cadres/{b}/gaps?as_of=2019-01-01"), Some(t))
        .await;
    assert_eq!(s, Status::Ok, "{g}");
    let reqs = g["items"][0]["requirements"].as_array().unwrap();
    assert!(reqs
        .iter()
        .any(|r| r["code"] == "min_level_below" && r["params"]["held"] == "elementary"));
    let (s, v) = app
        .post(
            "/api/accounts",
            Some(t),
            json!({"username": "cadre.binh", "password": "lop-hoc-dan-van-2026",
        "role": "cadre", "unit_code": "26764", "cadre_id": b}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let me = app.token("cadre.binh", "lop-hoc-dan-van-2026").await;
    let (s, r) = app.get("/api/me", Some(&me)).await;
    assert_eq!(s, Status::Ok, "{r}");
    let own: Vec<&Value> = r["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["requirements"].as_array().unwrap())
        .collect();
    assert!(!own.is_empty());
    assert!(
        own.iter()
            .all(|c| c["code"].is_string() && c["params"].is_object()),
        "{own:?}"
    );
    assert!(own.iter().any(|c| c["code"] == "min_level_below"));

    // The catalogue: every code of the document's enum, in both languages, and nothing else.
    let (s, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(s, Status::Ok);
    let codes: BTreeSet<String> = doc["components"]["schemas"]["ReasonCode"]["enum"]
        .as_array()
        .expect("ReasonCode is an enum in the document")
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert!(
        codes.contains("module_stale") && codes.len() >= 11,
        "{codes:?}"
    );
    let check_schema = &doc["components"]["schemas"]["Check"]["properties"];
    assert!(
        check_schema["code"].is_object() && check_schema["params"].is_object(),
        "{check_schema}"
    );
    let mut served = vec![];
    for lang in ["vi", "en"] {
        let (s, c) = app
            .get(&format!("/api/gaps/reasons?lang={lang}"), Some(&me))
            .await;
        assert_eq!(s, Status::Ok, "{c}");
        assert_eq!(c["lang"], lang);
        let keys: BTreeSet<String> = c["messages"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys, codes,
            "{lang}: the catalogue's codes are the document's"
        );
        for code in &codes {
            let text = c["messages"][code].as_str().unwrap_or("");
            assert!(!text.trim().is_empty(), "{code} in {lang}");
            for p in c["params"][code].as_array().unwrap() {
                assert!(
                    text.contains(&format!("{{{}}}", p.as_str().unwrap())),
                    "{code} {lang}: {p}"
                );
            }
        }
        served.push(c);
    }
    let (_, default) = app.get("/api/gaps/reasons", Some(&me)).await;
    assert_eq!(default, served[0], "Vietnamese by default");
    assert_eq!(served[0]["messages"]["module_never"], "{module}: chưa học");
    assert_eq!(
        served[0]["values"]["scale"]["political_theory"],
        "Lý luận chính trị"
    );
    assert_eq!(
        served[0]["values"]["level"]["political_theory/elementary"],
        "sơ cấp"
    );
    assert_eq!(
        served[1]["messages"]["module_never"],
        "{module}: never completed"
    );
    let (s, e) = app.get("/api/gaps/reasons?lang=xx", Some(&me)).await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(e["error"]["field"], "lang");
    assert_eq!(
        app.get("/api/gaps/reasons", None).await.0,
        Status::Unauthorized
    );
}

/// The gap report, the cadres behind a cell, training demand and two dates compared, as CSV and
/// XLSX: Vietnamese headers, requirement names, reasons and words by default (and with
/// `lang=vi`), the API's English snake_case with `lang=en`; any other `lang` is a 422 naming it.
async fn exports_speak_the_callers_language(app: TestApp) {
    let w = world(&app).await;
    let t = &w.admin;
    let (_, json) = app
        .get("/api/reports/gaps?unit=79&as_of=2019-01-01", Some(t))
        .await;

    // The gap report.
    let base = "/api/reports/gaps/export?unit=79&as_of=2019-01-01";
    let vi = file(&app, t, &format!("{base}&format=csv")).await;
    assert_eq!(
        vi,
        file(&app, t, &format!("{base}&format=csv&lang=vi")).await
    );
    let (h, rows) = csv_of(&vi);
    for col in [
        "Mã đơn vị",
        "Tên đơn vị",
        "Số được đánh giá",
        "Đạt chuẩn",
        "Chưa đạt chuẩn",
        "Tỷ lệ đạt chuẩn (%)",
        "Chưa có tiêu chuẩn",
        "Thiếu: Chuyên đề DV-03",
        "Nữ: được đánh giá",
        "35–44 tuổi: thiếu",
        "Dưới 35 tuổi: đạt chuẩn",
        "Dân tộc thiểu số: thiếu",
    ] {
        has(&h, col);
    }
    let pt = has(&h, "Thiếu: Trình độ lý luận chính trị");
    assert!(
        h.iter()
            .all(|c| !c.contains('_') && !c.starts_with("short")),
        "no English snake_case header: {h:?}"
    );
    let total = rows.iter().find(|r| r[0] == "TOTAL").expect("totals row");
    assert_eq!(total[1], "Tổng cộng");
    assert_eq!(
        total[pt].parse::<i64>().unwrap(),
        json["totals"]["short_by_requirement"]["min_level:political_theory"]
            .as_i64()
            .unwrap()
    );
    let (h, rows) = csv_of(&file(&app, t, &format!("{base}&format=csv&lang=en")).await);
    let total = rows.iter().find(|r| r[0] == "TOTAL").expect("totals row");
    assert_eq!(total[1], "Total");
    for col in [
        "unit_code",
        "short:min_level:political_theory",
        "35_44_short",
        "female_assessed",
    ] {
        has(&h, col);
    }
    let (sheets, rows) = xlsx_of(file(&app, t, &format!("{base}&format=xlsx")).await);
    assert_eq!(
        sheets,
        [
            "Báo cáo",
            "Thiếu theo yêu cầu",
            "Giới tính",
            "Nhóm tuổi",
            "Dân tộc"
        ]
    );
    has(&rows[0], "Thiếu: Trình độ lý luận chính trị");
    let (sheets, rows) = xlsx_of(file(&app, t, &format!("{base}&format=xlsx&lang=en")).await);
    assert_eq!(sheets[0], "report");
    has(&rows[0], "short:min_level:political_theory");

    // The cadres behind a cell: reasons, requirements and populations in the language.
    let base = "/api/reports/gaps/cadres/export?unit=79&as_of=2019-01-01&population=both";
    let (h, rows) = csv_of(&file(&app, t, &format!("{base}&format=csv")).await);
    assert_eq!(
        h,
        [
            "Mã cán bộ",
            "Họ và tên",
            "Mã đơn vị",
            "Mã chức danh",
            "Đối tượng",
            "Phiên bản tiêu chuẩn",
            "Yêu cầu chưa đạt",
            "Lý do"
        ]
    );
    let cells: Vec<&String> = rows.iter().flatten().collect();
    let any = |s: &str| cells.iter().any(|c| c.contains(s));
    assert!(
        any("DV-03: học lần cuối ngày 01/05/2013, đã quá 5 năm"),
        "{rows:?}"
    );
    assert!(
        any("Lý luận chính trị: đang có sơ cấp, cần trung cấp"),
        "{rows:?}"
    );
    assert!(
        any("Chuyên đề DV-03") && any("Trình độ lý luận chính trị"),
        "{rows:?}"
    );
    assert!(
        cells.iter().any(|c| *c == "Đương nhiệm") && cells.iter().any(|c| *c == "Quy hoạch"),
        "{rows:?}"
    );
    assert!(
        !any("needs") && !any("older than") && !any("incumbent") && !any("min_level:"),
        "no English: {rows:?}"
    );
    let (h, rows) = csv_of(&file(&app, t, &format!("{base}&format=csv&lang=en")).await);
    assert_eq!(h[7], "reasons");
    let cells: Vec<&String> = rows.iter().flatten().collect();
    assert!(cells
        .iter()
        .any(|c| c.contains("DV-03: last completed 2013-05-01, older than 5 years")));
    assert!(cells
        .iter()
        .any(|c| c.contains("political theory: holds elementary, needs intermediate")));
    let (sheets, rows) = xlsx_of(file(&app, t, &format!("{base}&format=xlsx")).await);
    assert_eq!(sheets, ["Cán bộ"]);
    assert_eq!(rows[0][7], "Lý do");
    assert!(rows
        .iter()
        .flatten()
        .any(|c| c.contains("DV-03: học lần cuối ngày 01/05/2013")));

    // Training demand.
    let base = "/api/reports/training-demand/export?unit=79&as_of=2021-06-01";
    let (h, rows) = csv_of(&file(&app, t, &format!("{base}&format=csv")).await);
    assert_eq!(
        h,
        [
            "Mã chuyên đề",
            "Tên chuyên đề",
            "Số cán bộ cần học",
            "Số chỗ đã lên kế hoạch",
            "Số cán bộ cần học đã có chỗ",
            "Số chỗ còn trống",
            "Còn thiếu"
        ]
    );
    assert!(rows.iter().any(|r| r[0] == "DV-03"), "{rows:?}");
    let vi_title = rows.iter().find(|r| r[0] == "DV-03").map(|r| r[1].clone());
    let (h, rows) = csv_of(&file(&app, t, &format!("{base}&format=csv&lang=en")).await);
    assert_eq!(h[..2], ["module_code", "module_title"]);
    // The English file names the module in English.
    let en_title = rows.iter().find(|r| r[0] == "DV-03").map(|r| r[1].clone());
    assert!(
        en_title.is_some() && en_title != vi_title,
        "{en_title:?} {vi_title:?}"
    );
    let (sheets, _) = xlsx_of(file(&app, t, &format!("{base}&format=xlsx")).await);
    assert_eq!(sheets, ["Chuyên đề", "Theo đơn vị"]);
    let (sheets, _) = xlsx_of(file(&app, t, &format!("{base}&format=xlsx&lang=en")).await);
    assert_eq!(sheets, ["modules", "by_unit"]);

    // Two dates compared.
    let base = "/api/reports/gaps/compare/export?unit=79&from=2015-12-31&to=2019-01-01";
    let (h, _) = csv_of(&file(&app, t, &format!("{base}&format=csv")).await);
    has(&h, "Tỷ lệ đạt chuẩn ngày 31/12/2015 (%)");
    has(&h, "Tỷ lệ đạt chuẩn ngày 01/01/2019 (%)");
    has(&h, "Thay đổi (điểm %)");
    let (h, _) = csv_of(&file(&app, t, &format!("{base}&format=csv&lang=en")).await);
    has(&h, "from_compliance_pct");
    has(&h, "change_pct");
    let (sheets, rows) = xlsx_of(file(&app, t, &format!("{base}&format=xlsx")).await);
    assert_eq!(sheets, ["So sánh"]);
    has(&rows[0], "Thay đổi (điểm %)");

    // Any other language is refused, naming `lang`.
    for path in [
        "/api/reports/gaps/export?format=csv&unit=79",
        "/api/reports/gaps/cadres/export?format=xlsx&unit=79",
        "/api/reports/training-demand/export?format=csv&unit=79",
        "/api/reports/gaps/compare/export?format=csv&unit=79&from=2015-12-31&to=2019-01-01",
    ] {
        for bad in ["xx", "", "VI"] {
            let (s, v) = app.get(&format!("{path}&lang={bad}"), Some(t)).await;
            assert_eq!(s, Status::UnprocessableEntity, "{path} lang={bad}: {v}");
            assert_eq!(v["error"]["field"], "lang", "{v}");
        }
    }
}
