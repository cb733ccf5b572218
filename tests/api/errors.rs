//! The error model: JSON bodies naming the field, never a 500 or an HTML page.

use rocket::http::{ContentType, Method, Status};
use serde_json::{json, Value};

use crate::db_tests;
use crate::helpers::{Backend, TestApp};

db_tests!(
    malformed_input_is_4xx_json,
    unknown_routes_and_ids_are_json_404,
    undeclared_methods_on_known_paths_are_405,
    oversized_bodies_are_413,
    nul_characters_and_far_dates_are_refused_at_the_field,
    signed_years_are_far_dates_and_text_that_begins_with_a_date_is_text,
    database_rules_name_their_field,
    null_is_refused_where_a_field_cannot_be_cleared,
    invisible_and_reordering_text_is_refused_and_names_are_composed,
    unknown_query_parameters_are_refused,
    a_body_sent_as_something_else_is_not_read_as_json,
    a_long_value_is_echoed_short,
    a_field_given_twice_is_refused,
    an_object_is_not_read_from_a_list,
    a_value_of_the_wrong_type_is_named_in_words,
    a_day_in_a_query_is_written_yyyy_mm_dd,
    a_day_in_a_body_is_written_yyyy_mm_dd,
    a_window_that_ends_before_it_starts_is_refused,
    a_yes_or_no_left_blank_is_refused,
    a_module_filter_names_a_module,
);

/// A NUL character anywhere (login, search, free text) and a date outside 1900–2100 (title
/// periods, report dates) are 422s naming the field, on both databases; nothing is stored.
/// Imports a qualifications CSV of one row for cadre 079180009911, issued by `issuer`.
async fn qualification_issued_by(app: &TestApp, token: &str, issuer: &str) -> (Status, Value) {
    let csv = format!("Số CCCD/CMND;Mã loại trình độ;Mã trình độ;Ngày cấp;Nơi cấp\n079180009911;political_theory;elementary;01/01/2010;{issuer}\n");
    app.post_raw(
        "/api/imports/qualifications",
        Some(token),
        ContentType::CSV,
        csv.into_bytes(),
    )
    .await
}

async fn nul_characters_and_far_dates_are_refused_at_the_field(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = app
        .post(
            "/api/auth/login",
            None,
            json!({"username": "ad\u{0}min", "password": "x-password"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("username")),
        "{v}"
    );
    let (s, v) = app.get("/api/cadres?q=ngu%00yen", Some(&admin)).await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("q")),
        "{v}"
    );
    let cadre = |name: &str| {
        json!({"full_name": name, "gender": "female", "birth_date": "1980-01-01", "ethnicity": "Kinh",
            "personal_id": "079180009911", "unit_code": "26734", "organisation": "fatherland_front"})
    };
    let (s, v) = app
        .post("/api/cadres", Some(&admin), cadre("Lê Thị\u{0} Nul"))
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("full_name")),
        "{v}"
    );
    let (_, list) = app.get("/api/cadres?q=nul", Some(&admin)).await;
    assert_eq!(list["total"], 0, "nothing stored: {list}");
    let mut far = cadre("Lê Thị Xa");
    far["birth_date"] = json!("0001-01-01");
    let (s, v) = app.post("/api/cadres", Some(&admin), far).await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("birth_date")),
        "{v}"
    );
    let (s, v) = app
        .post("/api/cadres", Some(&admin), cadre("Lê Thị Gần"))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let id = v["id"].as_i64().unwrap();
    for day in ["0001-01-01", "9999-12-31"] {
        let (s, v) = app
            .post(
                &format!("/api/cadres/{id}/titles"),
                Some(&admin),
                json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": day}),
            )
            .await;
        assert_eq!(
            (s, v["error"]["field"].clone()),
            (Status::UnprocessableEntity, json!("from_date")),
            "{day}: {v}"
        );
    }
    // In an uploaded file too: the cell is a problem of its row and column, nothing is written.
    let (s, v) = qualification_issued_by(&app, &admin, "Trường\u{0}Chính trị").await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert!(v.to_string().contains("NUL"), "{v}");
    // An escape or a bell in a cell is refused the same way (a tab is text).
    for cell in ["Trường\u{1b}[31mChính trị", "Trường\u{7}Chính trị"] {
        let (s, v) = qualification_issued_by(&app, &admin, cell).await;
        assert_eq!(s, Status::UnprocessableEntity, "{v}");
        assert!(v.to_string().contains("control_character"), "{v}");
    }
    let (_, q) = app
        .get(&format!("/api/cadres/{id}/qualifications"), Some(&admin))
        .await;
    assert_eq!(q["items"], json!([]), "nothing stored: {q}");
    let (s, v) = qualification_issued_by(&app, &admin, "Trường\tChính trị").await;
    assert!(s.code < 300, "a tab is text: {v}");
    let (s, v) = app
        .get("/api/reports/gaps?unit=79&as_of=0001-01-01", Some(&admin))
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("as_of")),
        "{v}"
    );
}

/// Control characters other than tab and line breaks are refused at their field too.
/// Dates with a signed or five-digit year (`-0001-12-31`, `+12027-01-01`: chrono reads both) are
/// far dates like `0001-01-01`, refused at the field in bodies and queries; a text that only begins
/// with a date (a password, a note) is text. A day stored before these checks (1850) does not fail
/// the spreadsheet export.
async fn signed_years_are_far_dates_and_text_that_begins_with_a_date_is_text(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let body = json!({"full_name": "Lê Thị Xa", "gender": "female", "birth_date": "1980-01-01",
        "ethnicity": "Kinh", "personal_id": "079180009912", "unit_code": "26734",
        "organisation": "fatherland_front"});
    let (s, v) = app.post("/api/cadres", Some(&admin), body).await;
    assert_eq!(s, Status::Created, "{v}");
    let id = v["id"].as_i64().unwrap();
    for day in ["-2020-01-01", "+12027-01-01", " -0001-12-31"] {
        let (s, v) = app
            .post(
                &format!("/api/cadres/{id}/titles"),
                Some(&admin),
                json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": day}),
            )
            .await;
        assert_eq!(
            (s, v["error"]["field"].clone(), v["error"]["reason"].clone()),
            (
                Status::UnprocessableEntity,
                json!("from_date"),
                json!("date_years")
            ),
            "{day}: {v}"
        );
    }
    let (_, titles) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(titles["titles"], json!([]), "nothing stored: {titles}");
    for day in ["-262143-01-01", "%2B12027-01-01", "-2026-12-01"] {
        let (s, v) = app
            .get(
                &format!("/api/reports/gaps?unit=79&as_of={day}"),
                Some(&admin),
            )
            .await;
        assert_eq!(
            (s, v["error"]["field"].clone()),
            (Status::UnprocessableEntity, json!("as_of")),
            "{day}: {v}"
        );
    }
    // A control character (an escape sequence, a bell) is refused at its field; line breaks and
    // tabs are text.
    let qualification = |evidence: &str| {
        json!({"scale": "political_theory", "level": "elementary", "obtained_on": "2012-06-01",
            "issuer": "Trường Chính trị", "evidence": evidence})
    };
    for bad in ["Bằng\u{1b}[31m số 1", "Bằng\u{7}"] {
        let (s, v) = app
            .post(
                &format!("/api/cadres/{id}/qualifications"),
                Some(&admin),
                qualification(bad),
            )
            .await;
        assert_eq!(
            (s, v["error"]["field"].clone(), v["error"]["reason"].clone()),
            (
                Status::UnprocessableEntity,
                json!("evidence"),
                json!("control_character")
            ),
            "{bad:?}: {v}"
        );
    }
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/qualifications"),
            Some(&admin),
            qualification("Bằng số 1\r\n\tbản sao"),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    // A password that begins with a date is a password: a wrong one is 401, not a date error.
    let (s, v) = app
        .post(
            "/api/auth/login",
            None,
            json!({"username": "nobody", "password": "1850-06-15 violet canoe harbour"}),
        )
        .await;
    assert_eq!(s, Status::Unauthorized, "{v}");
    // A day stored before the API refused it is written as its text, not a 500.
    let db = &app.state().db;
    cadre_training::on_db!(db, |p| sqlx::query(
        "UPDATE cadres SET birth_date = '1850-01-01' WHERE personal_id = '079180009912'"
    )
    .execute(p)
    .await
    .map(|_| ())
    .unwrap());
    let (s, _, bytes) = app
        .get_bytes("/api/exports/cadres?format=xlsx", Some(&admin))
        .await;
    assert_eq!(s, Status::Ok, "{}", String::from_utf8_lossy(&bytes));
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    let found = range
        .rows()
        .flat_map(|r| r.iter())
        .any(|c| *c == Data::String("1850-01-01".into()));
    assert!(found, "the far birth date is written as text");
}

async fn malformed_input_is_4xx_json(app: TestApp) {
    let admin = app.admin_token().await;
    let raw = |s: &str| Some((ContentType::JSON, s.as_bytes().to_vec()));
    let (s, v, _) = app
        .request(
            Method::Post,
            "/api/accounts",
            Some(&admin),
            raw("{\"username\": "),
            &[],
        )
        .await;
    assert_eq!(s, Status::BadRequest, "{v}");
    assert_eq!(v["error"]["code"], "bad_request");
    let (s, v, _) = app
        .request(
            Method::Post,
            "/api/accounts",
            Some(&admin),
            raw("{\"username\": 5, \"password\": \"x\", \"role\": \"school\"}"),
            &[],
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "username");
    let (s, v, _) = app
        .request(
            Method::Post,
            "/api/accounts",
            Some(&admin),
            raw("{\"password\": \"password-1\", \"role\": \"school\"}"),
            &[],
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "username");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("missing field"));
    let (s, v, _) = app
        .request(
            Method::Post,
            "/api/accounts",
            Some(&admin),
            raw("[1,2]"),
            &[],
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let (s, v, _) = app.request(Method::Post, "/api/accounts", Some(&admin), raw("{\"username\": \"abc\", \"password\": \"password-1\", \"role\": \"school\"} trailing"), &[]).await;
    assert_eq!(s, Status::BadRequest, "{v}");
    let (s, v, _) = app
        .request(Method::Post, "/api/accounts", Some(&admin), None, &[])
        .await;
    assert_eq!(s, Status::BadRequest, "{v}");
    assert_eq!(v["error"]["code"], "bad_request");
    let (s, v, _) = app
        .request(
            Method::Patch,
            "/api/accounts/1",
            Some(&admin),
            raw("{\"unit_code\": [\"79\"]}"),
            &[],
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "unit_code");
    let (s, v, _) = app
        .request(
            Method::Post,
            "/api/units/900/retire",
            Some(&admin),
            raw("{\"retired_on\": \"2025-13-45\"}"),
            &[],
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "retired_on");
    let (s, v) = app.get("/api/audit?from=yesterday", Some(&admin)).await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "from");
    let (s, v) = app
        .get("/api/units/79?as_of=2020-02-30", Some(&admin))
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "as_of");
    // Non-UTF-8 CSV is a 4xx, not a 500.
    let (s, v) = app
        .post_raw(
            "/api/units/import",
            Some(&admin),
            ContentType::CSV,
            vec![0xff, 0xfe, 0x00, 0x41],
        )
        .await;
    assert!(s.code >= 400 && s.code < 500, "{s} {v}");
    assert!(v["error"]["code"].is_string());
}

async fn unknown_routes_and_ids_are_json_404(app: TestApp) {
    let admin = app.admin_token().await;
    for path in [
        "/api/nothing-here",
        "/api/units/12345678",
        "/api/accounts/0",
    ] {
        let (s, v) = app.get(path, Some(&admin)).await;
        assert_eq!(s, Status::NotFound, "{path}");
        assert_eq!(v["error"]["code"], "not_found", "{path}: {v}");
    }
    let (s, v, h) = app
        .request(Method::Delete, "/api/nothing-here", Some(&admin), None, &[])
        .await;
    assert_eq!(s, Status::NotFound);
    assert_eq!(v["error"]["code"], "not_found");
    assert!(h
        .iter()
        .any(|(k, v)| k == "Content-Type" && v.contains("json")));
    let _ = app.backend == Backend::Postgres;
}

/// A method a known path does not have is a JSON 405 naming the ones it has in `Allow`, with or
/// without a token; a path nobody serves stays 404.
async fn undeclared_methods_on_known_paths_are_405(app: TestApp) {
    let admin = app.admin_token().await;
    let allow = |h: &[(String, String)]| {
        h.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("allow"))
            .map(|(_, v)| v.clone())
    };
    for (method, path, token, expected) in [
        (
            Method::Delete,
            "/api/units/79",
            Some(admin.as_str()),
            "GET, HEAD, PATCH",
        ),
        (Method::Trace, "/health", None, "GET, HEAD"),
        (Method::Put, "/api/me", Some(admin.as_str()), "GET, HEAD"),
        (Method::Delete, "/api/cadres", None, "GET, HEAD, POST"),
        (
            Method::Options,
            "/api/classes/K-01/enrolments",
            None,
            "GET, HEAD, POST",
        ),
    ] {
        let (s, v, h) = app.request(method, path, token, None, &[]).await;
        assert_eq!(s, Status::MethodNotAllowed, "{method} {path}: {v}");
        assert_eq!(v["error"]["code"], "method_not_allowed", "{v}");
        assert_eq!(allow(&h).as_deref(), Some(expected), "{method} {path}");
    }
    // A literal path is not a pattern route's parameter: PATCH /api/units/import is not
    // PATCH /api/units/<code>.
    let (s, v, h) = app
        .request(
            Method::Patch,
            "/api/units/import",
            Some(&admin),
            Some((ContentType::JSON, b"{}".to_vec())),
            &[],
        )
        .await;
    assert_eq!(s, Status::MethodNotAllowed, "{v}");
    assert_eq!(allow(&h).as_deref(), Some("POST"));
    // A query parameter given twice is refused, not read as absent.
    let (s, v) = app.get("/api/units?limit=5&limit=6", Some(&admin)).await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("limit")),
        "{v}"
    );
    // A route that exists for the method and answers 404 itself keeps its 404.
    let (s, v, _) = app
        .request(Method::Get, "/api/accounts/0", Some(&admin), None, &[])
        .await;
    assert_eq!(
        (s, v["error"]["code"].clone()),
        (Status::NotFound, json!("not_found"))
    );
    let (s, _, h) = app
        .request(Method::Put, "/api/nothing-here", Some(&admin), None, &[])
        .await;
    assert_eq!(s, Status::NotFound);
    assert_eq!(allow(&h), None);
}

async fn oversized_bodies_are_413(app: TestApp) {
    let admin = app.admin_token().await;
    let big = format!("{{\"username\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let (s, v) = app
        .post_raw(
            "/api/accounts",
            Some(&admin),
            ContentType::JSON,
            big.into_bytes(),
        )
        .await;
    assert_eq!(s, Status::PayloadTooLarge, "{v}");
    assert_eq!(v["error"]["code"], "payload_too_large");
    // Import size is limited by import_max_bytes.
    let small = TestApp::spawn(app.backend, &[("import_max_bytes", json!(1000))])
        .await
        .unwrap();
    let admin = small.admin_token().await;
    let (s, v) = small
        .post_raw(
            "/api/units/import",
            Some(&admin),
            ContentType::CSV,
            crate::helpers::units_file("admin-units-2025.csv"),
        )
        .await;
    assert_eq!(s, Status::PayloadTooLarge, "{v}");
    assert_eq!(v["error"]["code"], "payload_too_large");
}

/// A value that slips past the checks in Rust and breaks a CHECK rule of the schema is a 422
/// naming its field on both databases (PostgreSQL names the constraint, SQLite quotes the rule),
/// and a unique clash a 409 naming its field.
async fn database_rules_name_their_field(app: TestApp) {
    use cadre_training::error::AppError;
    let db = &app.state().db;
    let role: Result<(), sqlx::Error> = cadre_training::on_db!(db, |p| sqlx::query(
        "UPDATE accounts SET role = 'pope' WHERE username = 'admin'"
    )
    .execute(p)
    .await
    .map(drop));
    match AppError::from(role.unwrap_err()) {
        AppError::Validation { field, msg, .. } => {
            assert_eq!(field.as_deref(), Some("role"), "{msg}");
        }
        other => panic!("expected a 422, got {other:?}"),
    }
    let clash: Result<_, sqlx::Error> = cadre_training::on_db!(db, |p| {
        sqlx::query(
        "INSERT INTO accounts (username, password_hash, role, active, token_version, created_at, updated_at)
         SELECT username, password_hash, role, active, token_version, created_at, updated_at
         FROM accounts WHERE username = 'admin'"
    )
    .execute(p)
    .await
    .map(drop)
    });
    match AppError::from(clash.unwrap_err()) {
        AppError::Conflict { field, .. } => assert_eq!(field.as_deref(), Some("username")),
        other => panic!("expected a 409, got {other:?}"),
    }
}

/// A PATCH body's `null` clears a field that may be empty (a telephone); for one that may not (a
/// birth date, a class's capacity, a title's flag) it is a 422 naming the field, not a value
/// silently kept; nothing changes.
async fn null_is_refused_where_a_field_cannot_be_cleared(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let id = crate::cadres::create(&app, &admin, "Lê Văn Rỗng", "079180000533", "26734").await;
    let cadre = format!("/api/cadres/{id}");
    let today = cadre_training::shared::clock::city_today();
    let day = (today + chrono::Duration::days(20)).to_string();
    crate::classes::open_class(
        &app,
        &admin,
        "CLS-NULL",
        "DV-03",
        5,
        crate::classes::one_session(&day),
    )
    .await;
    let (s, v) = app
        .post(
            "/api/accounts",
            Some(&admin),
            json!({"username": "nguoi.rong", "password": "lop-hoc-dan-van-2026", "role": "school"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let account = format!("/api/accounts/{}", v["id"]);
    // (what is patched, where it is read back, its fields)
    let cases: [(&str, &str, &[&str]); 4] = [
        (account.as_str(), "/api/accounts", &["role", "active"]),
        (
            cadre.as_str(),
            cadre.as_str(),
            &[
                "full_name",
                "gender",
                "birth_date",
                "ethnicity",
                "ethnic_minority",
                "personal_id",
                "unit_code",
                "moved_on",
                "organisation",
                "active",
            ],
        ),
        (
            "/api/classes/CLS-NULL",
            "/api/classes/CLS-NULL",
            &[
                "title",
                "organiser",
                "capacity",
                "enrol_opens",
                "enrol_closes",
                "min_attendance_pct",
            ],
        ),
        (
            "/api/titles/FF-CHAIR-COMMUNE",
            "/api/titles",
            &["name_vi", "name_en", "active"],
        ),
    ];
    for (url, read, fields) in cases {
        let (_, before) = app.get(read, Some(&admin)).await;
        for field in fields {
            let mut body = serde_json::Map::new();
            body.insert(field.to_string(), Value::Null);
            let (s, v) = app.patch(url, Some(&admin), Value::Object(body)).await;
            assert_eq!(s, Status::UnprocessableEntity, "{url} {field}: {v}");
            assert_eq!(v["error"]["field"], *field, "{url}: {v}");
        }
        let (_, after) = app.get(read, Some(&admin)).await;
        assert_eq!(before, after, "{url}");
    }
    let (s, v) = app
        .patch(&cadre, Some(&admin), json!({"phone": null}))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
}

/// Text that shows nothing or shows something else is refused at its field: a name or a reason
/// of only zero-width spaces or fillers (problem `invisible_text` in a file), and a direction
/// override anywhere (it shows `\u{202e}gnp.exe` as `exe.png`). A name typed with combining
/// marks is the name with composed letters, in the API as in the roster import.
async fn invisible_and_reordering_text_is_refused_and_names_are_composed(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let cadre = |name: &str, pid: &str| {
        json!({"full_name": name, "gender": "male", "birth_date": "1980-01-01", "ethnicity": "Kinh",
            "personal_id": pid, "unit_code": "26734", "organisation": "fatherland_front"})
    };
    for name in [
        "\u{3164}\u{3164}\u{3164}",
        "\u{200b}\u{200b}",
        "Trần\u{202e}Văn An",
    ] {
        let (s, v) = app
            .post("/api/cadres", Some(&admin), cadre(name, "079180009912"))
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{name:?}: {v}");
        assert_eq!(v["error"]["field"], "full_name", "{name:?}: {v}");
    }
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            json!({"code": "99002", "name": "\u{200b}\u{200b}", "kind": "ward", "parent_code": "79"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (Status::UnprocessableEntity, Some("name")),
        "{v}"
    );
    assert_eq!(
        app.get("/api/units/99002", Some(&admin)).await.0,
        Status::NotFound
    );
    // Composed: `e` + U+0302 is `ê`, `a` + U+0306 is `ă`.
    let (s, v) = app
        .post(
            "/api/cadres",
            Some(&admin),
            cadre("Le\u{302} Va\u{306}n Hai", "079180009913"),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["full_name"], "Lê Văn Hai", "{v}");
    let id = v["id"].as_i64().unwrap();
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{id}"),
            Some(&admin),
            json!({"religion": "Phật\u{202e} giáo"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (Status::UnprocessableEntity, Some("religion")),
        "{v}"
    );
    // A roster row alike.
    let file = "Số CCCD/CMND;Họ và tên;Giới tính;Ngày sinh;Dân tộc;Mã đơn vị;Tổ chức\n079180009914;\u{200b}\u{3164};Nam;01/01/1980;Kinh;26734;Mặt trận Tổ quốc\n";
    let (s, v) = app
        .post_raw(
            "/api/imports/cadres",
            Some(&admin),
            ContentType::CSV,
            file.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["details"][0]["code"], "invisible_text", "{v}");
    assert_eq!(v["error"]["details"][0]["field"], "Họ và tên", "{v}");
}

/// A query parameter the request does not take is a 422 naming it and the ones it takes, not
/// ignored: `dry_run` misspelt on an import would otherwise write.
async fn unknown_query_parameters_are_refused(app: TestApp) {
    let admin = app.admin_token().await;
    let (s, v) = app
        .post_raw(
            "/api/units/import?dry_runn=true",
            Some(&admin),
            ContentType::CSV,
            b"code,name,kind,parent_code\n900,T\xe1\xbb\x89nh Th\xe1\xbb\xad,province,\n".to_vec(),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "dry_runn", "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("dry_run"),
        "{v}"
    );
    assert_eq!(
        app.get("/api/units/900", Some(&admin)).await.0,
        Status::NotFound
    );
    let (s, v) = app.get("/api/classes?statuss=open", Some(&admin)).await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (Status::UnprocessableEntity, Some("statuss")),
        "{v}"
    );
    let (s, _) = app.get("/api/classes?status=open", Some(&admin)).await;
    assert_eq!(s, Status::Ok);
    // The reports read one struct of parameters: the names their document gives each of them.
    let (s, v) = app.get("/api/reports/gaps?unti=79", Some(&admin)).await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (Status::UnprocessableEntity, Some("unti")),
        "{v}"
    );
    let (s, v) = app
        .get("/api/reports/gaps/export?format=csv&zz=1", Some(&admin))
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (Status::UnprocessableEntity, Some("zz")),
        "{v}"
    );
    // A report parameter another report takes is left aside, as before (`limit` is the list's).
    let (s, v) = app
        .get("/api/reports/gaps?population=both", Some(&admin))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
}

/// A JSON body sent as text or as a form is a 415 naming what was sent, and nothing is written;
/// `application/json` with a charset, and a `+json` type, are JSON.
async fn a_body_sent_as_something_else_is_not_read_as_json(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let body = |pid: &str| {
        json!({"full_name": "Phan Văn Gửi", "gender": "male", "birth_date": "1980-01-01",
            "ethnicity": "Kinh", "personal_id": pid, "unit_code": "26734", "organisation": "fatherland_front"})
        .to_string()
        .into_bytes()
    };
    for (ct, given) in [
        (ContentType::Plain, "text/plain"),
        (ContentType::Form, "application/x-www-form-urlencoded"),
        (ContentType::CSV, "text/csv"),
    ] {
        let (s, v, _) = app
            .request(
                Method::Post,
                "/api/cadres",
                Some(&admin),
                Some((ct, body("079180020001"))),
                &[],
            )
            .await;
        assert_eq!(s, Status::UnsupportedMediaType, "{given}: {v}");
        assert_eq!(
            (v["error"]["code"].clone(), v["error"]["reason"].clone()),
            (json!("unsupported_media_type"), json!("json_media_type")),
            "{v}"
        );
        assert!(
            v["error"]["message"].as_str().unwrap().contains(given),
            "{v}"
        );
    }
    let search = "/api/cadres?q=Phan%20V%C4%83n%20G%E1%BB%ADi";
    let (_, list) = app.get(search, Some(&admin)).await;
    assert_eq!(list["total"], 0, "nothing written: {list}");
    for (ct, pid) in [
        (
            ContentType::new("application", "json").with_params(("charset", "utf-8")),
            "079180020002",
        ),
        (
            ContentType::new("application", "merge-patch+json"),
            "079180020003",
        ),
    ] {
        let (s, v, _) = app
            .request(
                Method::Post,
                "/api/cadres",
                Some(&admin),
                Some((ct, body(pid))),
                &[],
            )
            .await;
        assert_eq!(s, Status::Created, "{v}");
    }
    let (_, list) = app.get(search, Some(&admin)).await;
    assert_eq!(list["total"], 2, "{list}");
}

/// A refused value is named back to the caller, but not at any length: a query value of 6,000
/// characters (a number, a role, a status, a unit code) comes back as its first 60 and an
/// ellipsis, in the message and in `params` alike, so an error stays a few hundred bytes.
async fn a_long_value_is_echoed_short(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let long = "9".repeat(6000);
    for (path, field) in [
        (format!("/api/cadres?limit={long}"), "limit"),
        (format!("/api/accounts?role=x{long}"), "role"),
        (format!("/api/reports/gaps?unit=7{long}"), "unit"),
        (format!("/api/reports/gaps?unit=7x{long}"), "unit"),
    ] {
        let (s, body) = app.get(&path, Some(&admin)).await;
        assert_eq!(
            s,
            Status::UnprocessableEntity,
            "{field}: {:.300}",
            body.to_string()
        );
        assert_eq!(body["error"]["field"], field, "{:.300}", body.to_string());
        let text = body.to_string();
        assert!(
            text.len() < 1200,
            "{field}: {} bytes: {text:.300}",
            text.len()
        );
        let value = body["error"]["params"]["value"].as_str().unwrap_or("");
        assert!(
            value.ends_with('…') && value.chars().count() == 61,
            "{field}: {value:.100}"
        );
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(value), "{message:.200}");
    }
    // A code looked up and not found is named back short too.
    let (s, body) = app
        .get(&format!("/api/titles/T{long}/standards"), Some(&admin))
        .await;
    assert_eq!(s, Status::NotFound, "{:.300}", body.to_string());
    assert!(body.to_string().len() < 1200, "{:.300}", body.to_string());
    // So is what a path names (a certificate's number, even to nobody; a notice, a cadre, a
    // session), and a direction override or NUL in it is not echoed as it came.
    let a = "A".repeat(5000);
    for (path, token) in [
        (format!("/api/certificates/{a}"), None),
        (format!("/api/notices/{a}/read"), Some(admin.as_str())),
        (format!("/api/cadres/{a}"), Some(admin.as_str())),
        ("/api/certificates/%E2%80%AEfdp.exe".to_string(), None),
        ("/api/certificates/TCB%00".to_string(), None),
        ("/api/certificates/TCB%0D%0AX".to_string(), None),
    ] {
        let (s, body) = if path.ends_with("/read") {
            app.post(&path, token, serde_json::json!({})).await
        } else {
            app.get(&path, token).await
        };
        let text = body.to_string();
        assert!(s.code >= 400 && s.code < 500, "{path:.60}: {s} {text:.300}");
        if path.contains('%') {
            assert_eq!(
                body["error"]["reason"], "path_unreadable",
                "{path}: {text:.300}"
            );
        }
        assert!(
            text.len() < 1200,
            "{path:.60}: {} bytes: {text:.300}",
            text.len()
        );
        assert!(
            !text.contains('\u{202e}') && !text.contains("\\u0000") && !text.contains("\\u202e"),
            "{path:.60}: {text:.300}"
        );
    }
}

/// A JSON object naming a field twice could be read two ways (the last one winning, silently):
/// it is refused, 422 naming the field (`json_duplicate_field`), at any depth, and nothing is
/// written. An unknown field of a million characters is named back short.
async fn a_field_given_twice_is_refused(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let raw = |s: String| Some((ContentType::JSON, s.into_bytes()));
    let (_, before) = app.get("/api/accounts", Some(&admin)).await;
    for (path, body, field) in [
        (
            "/api/accounts",
            r#"{"username": "dup.role", "password": "lop-hoc-dan-van-2026", "role": "officer", "unit_code": "26737", "role": "admin"}"#.to_string(),
            "role",
        ),
        (
            "/api/classes",
            r#"{"code": "DUP-01", "module_code": "DV-01", "organiser": "Trường", "capacity": 10, "sessions": [{"starts_at": "2027-01-10T08:00", "ends_at": "2027-01-10T11:00", "venue": "A", "venue": "B", "instructor": "GV"}]}"#.to_string(),
            "sessions[0].venue",
        ),
    ] {
        let (s, v, _) = app
            .request(Method::Post, path, Some(&admin), raw(body), &[])
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{path}: {v}");
        assert_eq!(v["error"]["reason"], "json_duplicate_field", "{v}");
        assert_eq!(v["error"]["field"], field, "{v}");
        assert_eq!(v["error"]["params"]["name"], field, "{v}");
    }
    let (_, after) = app.get("/api/accounts", Some(&admin)).await;
    assert_eq!(after["total"], before["total"], "nothing written");
    let (s, _) = app.get("/api/classes/DUP-01", Some(&admin)).await;
    assert_eq!(s, Status::NotFound);
    // The same name in two objects is two fields, not one given twice.
    let (s, v, _) = app
        .request(
            Method::Post,
            "/api/accounts",
            Some(&admin),
            raw(r#"{"username": "dup.ok", "password": "lop-hoc-dan-van-2026", "role": "officer", "unit_code": "26737"}"#.to_string()),
            &[],
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let key = "k".repeat(1_000_000);
    let (s, v, _) = app
        .request(
            Method::Post,
            "/api/auth/login",
            None,
            raw(format!(r#"{{"{key}": 1}}"#)),
            &[],
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{:.300}", v.to_string());
    assert!(v.to_string().len() < 2000, "{:.300}", v.to_string());
}

/// A day in a query is written as the OpenAPI document says, `YYYY-MM-DD`: `2025-7-1` (which
/// chrono alone reads) is refused naming the parameter, on every route that takes a day.
async fn a_day_in_a_query_is_written_yyyy_mm_dd(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    for (path, field) in [
        ("/api/reports/gaps?as_of={}", "as_of"),
        ("/api/reports/gaps/compare?from={}&to=2026-01-01", "from"),
        ("/api/units/79?as_of={}", "as_of"),
        ("/api/titles/FF-CHAIR-COMMUNE/standard?as_of={}", "as_of"),
        ("/api/classes?from={}", "from"),
        ("/api/audit?from={}", "from"),
    ] {
        for (day, ok) in [
            ("2025-07-01", true),
            ("2025-7-1", false),
            ("2025-07-1", false),
        ] {
            let (s, v) = app.get(&path.replace("{}", day), Some(&admin)).await;
            if ok {
                assert_eq!(s, Status::Ok, "{path} {day}: {v}");
            } else {
                assert_eq!(
                    (s, v["error"]["field"].as_str()),
                    (Status::UnprocessableEntity, Some(field)),
                    "{path} {day}: {v}"
                );
            }
        }
    }
}

/// So is a day in a body: a title's first day `2015-1-1` or a unit change's `+2026-03-01` is refused
/// naming the field (`date_not_iso`), nothing written; the same day written `2015-01-01` is taken.
/// A session's time is written `YYYY-MM-DDTHH:MM` (`not_a_date_time` otherwise).
async fn a_day_in_a_body_is_written_yyyy_mm_dd(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let id = crate::cadres::create(&app, &admin, "Nguyễn Văn Ngày", "079180000951", "26734").await;
    let path = format!("/api/cadres/{id}/titles");
    for (path, body, field) in [
        (
            path.clone(),
            json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2015-1-1"}),
            "from_date",
        ),
        (
            "/api/units/26737".to_string(),
            json!({"name": "Phường Đa Kao", "kind": "ward", "parent_code": "760", "effective": "+2026-03-01"}),
            "effective",
        ),
    ] {
        let (s, v) = if path.starts_with("/api/units") {
            app.patch(&path, Some(&admin), body).await
        } else {
            app.post(&path, Some(&admin), body).await
        };
        assert_eq!(
            crate::helpers::refusal(s, &v),
            (
                Status::UnprocessableEntity,
                Some(field),
                Some("date_not_iso")
            ),
            "{path}: {v}"
        );
    }
    let (_, record) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(record["titles"], json!([]), "nothing written: {record}");
    let (s, v) = app
        .post(
            &path,
            Some(&admin),
            json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2015-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    // A session's time likewise: `+2027-01-10T08:00` and `2027-01-10T8:00` are refused naming it.
    let school = app.account(&admin, "school.ngay", "school", None).await;
    for (i, odd) in ["+2027-01-10T08:00", "2027-01-10T8:00"]
        .into_iter()
        .enumerate()
    {
        let body = json!({"code": format!("CLS-NGAY-{i}"), "module_code": "DV-01", "organiser": "Trường",
            "capacity": 5, "enrol_opens": "2026-12-01", "enrol_closes": "2027-01-05",
            "sessions": [{"starts_at": odd, "ends_at": "2027-01-10T11:00", "venue": "Phòng 1", "instructor": "GV 1"}]});
        let (s, v) = app.post("/api/classes", Some(&school), body).await;
        assert_eq!(
            crate::helpers::refusal(s, &v),
            (
                Status::UnprocessableEntity,
                Some("sessions[0].starts_at"),
                Some("not_a_date_time")
            ),
            "{odd}: {v:.300}"
        );
    }
}

/// serde reads a struct from a list of its fields in order as readily as from an object; such a
/// body would pass by the unknown- and duplicate-field checks and the documented schema. A list
/// where an object belongs is refused (422 `json_not_an_object`, naming its path), at any depth,
/// and nothing is written.
async fn an_object_is_not_read_from_a_list(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school.list", "school", None).await;
    let day =
        (cadre_training::shared::clock::city_today() + chrono::Duration::days(40)).to_string();
    let session = json!({"starts_at": format!("{day}T08:00"), "ends_at": format!("{day}T11:00"), "venue": "V", "instructor": "I"});
    let opens = cadre_training::shared::clock::city_today().to_string();
    let cases = [
        (
            json!([
                "LG-ARR",
                "DV-01",
                "T",
                "O",
                10,
                opens,
                day,
                80,
                [session.clone()]
            ]),
            Value::Null,
        ),
        (
            json!({"code": "LG-ARR", "module_code": "DV-01", "organiser": "O", "capacity": 10,
                   "enrol_opens": opens, "enrol_closes": day,
                   "sessions": [[format!("{day}T08:00"), format!("{day}T11:00"), "V", "I"]]}),
            json!("sessions[0]"),
        ),
    ];
    for (body, field) in cases {
        let (s, v) = app.post("/api/classes", Some(&school), body).await;
        assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
        assert_eq!(v["error"]["reason"], "json_not_an_object", "{v:.300}");
        assert_eq!(v["error"]["field"], field, "{v:.300}");
        assert!(
            !v.to_string().contains("struct"),
            "no Rust type named: {v:.300}"
        );
    }
    assert_eq!(
        app.get("/api/classes/LG-ARR", Some(&school)).await.0,
        Status::NotFound
    );
    let (s, v) = app
        .post(
            "/api/auth/login",
            None,
            json!(["school.list", "lop-hoc-dan-van-2026"]),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    assert_eq!(v["error"]["reason"], "json_not_an_object", "{v:.300}");
}

/// A value of the wrong type, or a day that is no day, is named by its field and what it must be,
/// in words each language has (not serde's Rust type names such as `i64`).
async fn a_value_of_the_wrong_type_is_named_in_words(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school.types", "school", None).await;
    let today = cadre_training::shared::clock::city_today();
    let day = (today + chrono::Duration::days(40)).to_string();
    let body = |key: &str, value: Value| {
        let mut b = json!({"code": "TY-01", "module_code": "DV-01", "organiser": "O", "capacity": 10,
            "enrol_opens": today.to_string(), "enrol_closes": day,
            "sessions": [{"starts_at": format!("{day}T08:00"), "ends_at": format!("{day}T11:00"), "venue": "V", "instructor": "I"}]});
        b[key] = value;
        b
    };
    for (key, value, reason, expected) in [
        (
            "capacity",
            json!("ten"),
            "json_wrong_type",
            json!("a whole number"),
        ),
        (
            "capacity",
            json!(1e30),
            "json_wrong_type",
            json!("a whole number"),
        ),
        ("organiser", json!(5), "json_wrong_type", json!("text")),
        (
            "sessions",
            json!("none"),
            "json_wrong_type",
            json!("a list"),
        ),
        (
            "enrol_opens",
            json!("2026-13-01"),
            "json_not_a_day",
            Value::Null,
        ),
    ] {
        let (s, v) = app
            .post("/api/classes", Some(&school), body(key, value))
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{key}: {v:.300}");
        assert_eq!(v["error"]["reason"], reason, "{key}: {v:.300}");
        assert_eq!(v["error"]["field"], key, "{key}: {v:.300}");
        assert_eq!(
            v["error"]["params"]["expected"], expected,
            "{key}: {v:.300}"
        );
        let text = v.to_string();
        for rust in ["i64", "u32", "struct", "expected a"] {
            assert!(!text.contains(rust), "{key}: {text:.300}");
        }
    }
    let (_, c) = app.get("/api/errors/messages?lang=vi", None).await;
    assert_eq!(
        c["messages"]["json_wrong_type"], "Trường \"{field}\" phải là {expected}",
        "{:.300}",
        c["messages"]
    );
    assert_eq!(c["values"]["expected"]["a whole number"], "một số nguyên");
}

/// A filter window whose last day is before its first (`from=2026-03-01&to=2026-02-01`) is a
/// mistake, said as one: 422 naming `to` on every list and export that takes such a window,
/// where it was an empty 200 that looked like "nothing happened". A window of one day is taken.
async fn a_window_that_ends_before_it_starts_is_refused(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    for path in [
        "/api/classes",
        "/api/exports/completions",
        "/api/exports/classes",
        "/api/audit",
    ] {
        let (s, v) = app
            .get(
                &format!("{path}?from=2026-03-01&to=2026-02-01"),
                Some(&admin),
            )
            .await;
        assert_eq!(
            crate::helpers::refusal(s, &v),
            (
                Status::UnprocessableEntity,
                Some("to"),
                Some("end_before_start")
            ),
            "{path}: {v:.300}"
        );
        let (s, v) = app
            .get(
                &format!("{path}?from=2026-03-01&to=2026-03-01"),
                Some(&admin),
            )
            .await;
        assert_eq!(s, Status::Ok, "{path}: {v:.300}");
    }
}

/// A yes-or-no switch of a query written without a value (`?dry_run`, `?dry_run=`) is refused
/// naming it (`true_or_false`), and nothing is written: read as "no", a bare `?dry_run` (a check
/// the clerk asked for) imported the file, and `retire_missing=` from an empty script variable is
/// no answer either. `true` and `false` are taken.
async fn a_yes_or_no_left_blank_is_refused(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let roster = "Số CCCD/CMND,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã đơn vị,Tổ chức\n079180000081,Ngô Văn Cờ,Nam,01/01/1980,Kinh,26734,Mặt trận Tổ quốc\n";
    let units = "code,name,kind,parent_code\n79,Thành phố Hồ Chí Minh,city,\n";
    for (path, body, field) in [
        ("/api/imports/cadres?dry_run", roster, "dry_run"),
        ("/api/imports/cadres?dry_run=", roster, "dry_run"),
        ("/api/imports/cadres?dry_run=%20", roster, "dry_run"),
        (
            "/api/units/import?root=79&dry_run=true&retire_missing",
            units,
            "retire_missing",
        ),
        (
            "/api/units/import?root=79&dry_run=&retire_missing=true",
            units,
            "dry_run",
        ),
        (
            "/api/units/successors/import?dry_run",
            "old_code,new_code,part,effective,main\n",
            "dry_run",
        ),
    ] {
        let (s, v) = app
            .post_raw(
                path,
                Some(&admin),
                ContentType::CSV,
                body.as_bytes().to_vec(),
            )
            .await;
        assert_eq!(
            crate::helpers::refusal(s, &v),
            (
                Status::UnprocessableEntity,
                Some(field),
                Some("true_or_false")
            ),
            "{path}: {v:.300}"
        );
    }
    for path in [
        "/api/notices?unread",
        "/api/units/79/children?include_retired",
    ] {
        let (s, v) = app.get(path, Some(&admin)).await;
        assert_eq!(s, Status::UnprocessableEntity, "{path}: {v:.300}");
    }
    let (_, v) = app.get("/api/cadres?limit=1", Some(&admin)).await;
    assert_eq!(v["total"], 0, "nothing imported: {v:.300}");
    let (_, v) = app.get("/api/units/26734", Some(&admin)).await;
    assert_eq!(v["retired_on"], Value::Null, "nothing retired: {v:.300}");
    let (s, v) = app
        .post_raw(
            "/api/imports/cadres?dry_run=true",
            Some(&admin),
            ContentType::CSV,
            roster.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(
        (s, v["dry_run"].as_bool()),
        (Status::Ok, Some(true)),
        "{v:.300}"
    );
}

/// A module filter names a module: an unknown code on the classes list or an export is 422
/// naming `module` (`no_module`), where it was an empty 200 that read as "none yet" (an unknown
/// unit was already refused). A known code, in any case, is taken.
async fn a_module_filter_names_a_module(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    for path in [
        "/api/classes",
        "/api/exports/completions",
        "/api/exports/classes",
    ] {
        let (s, v) = app
            .get(&format!("{path}?module=NOPE-9"), Some(&admin))
            .await;
        assert_eq!(
            crate::helpers::refusal(s, &v),
            (
                Status::UnprocessableEntity,
                Some("module"),
                Some("no_module")
            ),
            "{path}: {v:.300}"
        );
        let (s, v) = app.get(&format!("{path}?module=dv-01"), Some(&admin)).await;
        assert_eq!(s, Status::Ok, "{path}: {v:.300}");
    }
}
