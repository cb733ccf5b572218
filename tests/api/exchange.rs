//! The record exchange (issue 15): a cadre's whole record out of one database and into another
//! without loss. On the demo data (which crosses the 2025 reorganisation): export → import into
//! an empty database → export gives the same bytes (workbook and ZIP of CSVs), export → import
//! into the same database changes nothing, and both databases answer the same reports. A broken
//! row answers 422 naming the sheet, every problem listed, nothing written.

use std::io::{Read, Write};

use chrono::NaiveDate;
use rocket::http::{ContentType, Status};
use serde_json::Value;

use crate::helpers::TestApp;

crate::slow_db_tests!(a_whole_record_survives_a_round_trip);
crate::db_tests!(
    the_exchange_checks_who_calls_and_what_is_sent,
    a_record_leaves_no_inactive_cadre_holding_a_title,
    a_record_move_leaves_no_title_behind,
    a_record_leaves_no_inactive_cadre_in_a_seat,
    a_record_on_a_unit_retired_since_reads_back_unchanged,
    a_record_of_a_title_out_of_use_reads_back_unchanged,
    a_record_brings_no_completion_into_a_class_here_and_no_number_blocks_finishing,
    a_record_holds_no_title_before_the_eighteenth_birthday,
    a_record_keeps_a_birth_date_before_the_cadres_completions,
    a_record_places_titles_in_a_unit_once_it_exists,
    a_record_starts_nothing_in_a_retired_unit,
    a_qualification_imported_without_a_file_name_reads_back_unchanged
);

const AS_OF: &str = "2026-11-30";

async fn export(app: &TestApp, token: &str, format: &str) -> Vec<u8> {
    let (s, _, body) = app
        .get_bytes(
            &format!("/api/exchange/record?format={format}"),
            Some(token),
        )
        .await;
    assert_eq!(s, Status::Ok, "{}", String::from_utf8_lossy(&body));
    body
}

async fn import(app: &TestApp, token: &str, bytes: Vec<u8>, dry_run: bool) -> (Status, Value) {
    app.post_raw(
        &format!("/api/exchange/record?dry_run={dry_run}&file_name=ho-so.xlsx"),
        Some(token),
        ContentType::new("application", "zip"),
        bytes,
    )
    .await
}

/// Rows per part of an import's answer: (part, created, updated, unchanged).
fn counts(v: &Value) -> Vec<(String, i64, i64, i64)> {
    v["parts"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|p| {
            (
                p["part"].as_str().unwrap().to_string(),
                p["created"].as_i64().unwrap(),
                p["updated"].as_i64().unwrap(),
                p["unchanged"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// The roster export (the cadre import's columns) read back into the same database by a dry run:
/// nothing created, nothing updated.
async fn roster_reads_back_unchanged(app: &TestApp, token: &str) {
    let (s, _, roster) = app
        .get_bytes("/api/exports/cadres?format=csv", Some(token))
        .await;
    assert_eq!(s, Status::Ok);
    let (s, v) = app
        .post_raw(
            "/api/imports/cadres?dry_run=true",
            Some(token),
            ContentType::CSV,
            roster,
        )
        .await;
    assert_eq!(
        s,
        Status::Ok,
        "{}",
        &v.to_string()[..v.to_string().len().min(2000)]
    );
    assert_eq!(
        (v["created"].as_i64(), v["updated"].as_i64()),
        (Some(0), Some(0)),
        "{v}"
    );
}

/// The units of the generated data (the 2024 tree, the 2025 file, the successor table) without
/// any cadre: what an empty database of the same city holds.
async fn same_units_no_cadres(app: &TestApp, as_of: NaiveDate) {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/units");
    let read = |n: &str| std::fs::read(data.join(n)).unwrap();
    let actor = cadre_training::audit::Actor::system();
    let db = &app.state().db;
    let limits = cadre_training::shared::table::Limits::default();
    cadre_training::units::import::run(
        db,
        &actor,
        read("admin-units-2024.csv"),
        &limits,
        &cadre_training::units::import::ImportOptions {
            root: Some("79".into()),
            ..Default::default()
        },
        as_of,
    )
    .await
    .unwrap();
    cadre_training::units::import::run(
        db,
        &actor,
        read("admin-units-2025.csv"),
        &limits,
        &cadre_training::units::import::ImportOptions {
            root: Some("79".into()),
            retire_missing: true,
            effective: Some(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()),
            dry_run: false,
        },
        as_of,
    )
    .await
    .unwrap();
    cadre_training::units::successors::run(
        db,
        &actor,
        read("unit-successors-2025-hcmc.csv"),
        limits,
        false,
        None,
    )
    .await
    .unwrap();
}

/// The reports both databases must answer alike (the record is whole: titles, plans, history,
/// completions, qualifications all count).
async fn reports(app: &TestApp, token: &str) -> Vec<Value> {
    let mut out = vec![];
    for q in [
        "/api/reports/gaps?unit=79&group=children&population=both",
        "/api/reports/gaps?unit=79&as_of=2020-12-31&group=children&population=both",
        "/api/reports/gaps?unit=79&as_of=2025-06-30&group=lowest&population=both",
        "/api/reports/training-demand?unit=79",
        "/api/reports/gaps/cadres?unit=79&status=short&limit=500",
    ] {
        let (s, v) = app.get(q, Some(token)).await;
        assert_eq!(s, Status::Ok, "{q}: {v}");
        out.push(v);
    }
    out
}

/// Where two JSON values first differ. Left out: database ids (two databases number rows apart)
/// and the seats of the school's classes (classes are not part of a cadre's record).
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter()
                .filter(|k| {
                    !k.ends_with("id")
                        && !["seats_planned", "seats_free", "enrolled", "remaining"]
                            .contains(&k.as_str())
                })
                .find_map(|k| {
                    first_difference(
                        x.get(k).unwrap_or(&Value::Null),
                        y.get(k).unwrap_or(&Value::Null),
                        format!("{at}.{k}"),
                    )
                })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, format!("{at}[{i}]"))),
        _ if a == b => None,
        _ => Some(format!("{at}: {a} against {b}")),
    }
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = vec![];
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

fn rezip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(vec![]));
    for (name, data) in files {
        z.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

async fn a_whole_record_survives_a_round_trip(app: TestApp) {
    let as_of: NaiveDate = AS_OF.parse().unwrap();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/units");
    cadre_training::generate::run(
        app.state(),
        cadre_training::generate::Scale::Demo,
        1,
        Some(as_of),
        &data,
    )
    .await
    .expect("demo data");
    // Text that begins with a single quote, before a formula start or not: a CSV export quotes
    // what a spreadsheet would run, and the import takes exactly that quote off again.
    let db = app.state().db.clone();
    let mut tx = db.begin().await.unwrap();
    cadre_training::on_tx!(&mut tx, |c| {
        sqlx::query("UPDATE cadre_qualifications SET issuer = '''+84 Trường' WHERE id = (SELECT MIN(id) FROM cadre_qualifications)")
            .execute(&mut *c)
            .await
            .unwrap();
        sqlx::query("UPDATE cadre_qualifications SET source_ref = '''=x' WHERE id = (SELECT MAX(id) FROM cadre_qualifications)")
            .execute(&mut *c)
            .await
            .unwrap();
        sqlx::query("UPDATE completions SET source_ref = '''''Sổ 2019' WHERE id = (SELECT MIN(id) FROM completions)")
            .execute(&mut *c)
            .await
            .unwrap();
    });
    tx.commit().await.unwrap();
    let admin = app.admin_token().await;
    // The roster export (the cadre import's columns) re-imports into the same database without
    // a change.
    roster_reads_back_unchanged(&app, &admin).await;
    let xlsx = export(&app, &admin, "xlsx").await;
    let zip = export(&app, &admin, "zip").await;

    // The ZIP holds every part, each row of a cadre there, with every period of history.
    let files = unzip(&zip);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "can-bo.csv",
            "qua-trinh-cong-tac.csv",
            "chuc-danh.csv",
            "quy-hoach.csv",
            "dao-tao.csv",
            "trinh-do.csv"
        ]
    );
    let lines = |i: usize| {
        String::from_utf8(files[i].1.clone())
            .unwrap()
            .lines()
            .count()
            - 1
    };
    let db_count = |sql: &'static str| {
        let db = app.state().db.clone();
        async move {
            let mut tx = db.begin().await.unwrap();
            let n: i64 = cadre_training::on_tx!(&mut tx, |c| sqlx::query_scalar(sql)
                .fetch_one(&mut *c)
                .await
                .unwrap());
            n as usize
        }
    };
    assert_eq!(lines(0), db_count("SELECT COUNT(*) FROM cadres").await);
    assert_eq!(lines(1), db_count("SELECT COUNT(*) FROM cadre_units").await);
    assert_eq!(
        lines(2),
        db_count("SELECT COUNT(*) FROM title_assignments").await,
        "every title assignment, not one per cadre"
    );
    assert_eq!(
        lines(3),
        db_count("SELECT COUNT(*) FROM succession_plans").await,
        "every planned succession"
    );
    assert_eq!(lines(4), db_count("SELECT COUNT(*) FROM completions").await);
    assert_eq!(
        lines(5),
        db_count("SELECT COUNT(*) FROM cadre_qualifications").await
    );

    // Into the same database: nothing changes (dry run and for real), the export is the same.
    for (bytes, dry) in [
        (xlsx.clone(), true),
        (zip.clone(), true),
        (xlsx.clone(), false),
    ] {
        let (s, v) = import(&app, &admin, bytes, dry).await;
        if s == Status::InternalServerError {
            let log = crate::helpers::captured_log();
            panic!("{}", &log[log.len().saturating_sub(3000)..]);
        }
        assert_eq!(s, Status::Ok, "{v}");
        for (part, created, updated, _) in counts(&v) {
            assert_eq!((created, updated), (0, 0), "{part} changed: {v}");
        }
    }
    assert!(
        export(&app, &admin, "xlsx").await == xlsx,
        "same database, same workbook"
    );

    // Into an empty database of the same city: the same records, the same bytes, the same
    // reports.
    let other = TestApp::spawn(app.backend, &[]).await.expect("second app");
    same_units_no_cadres(&other, as_of).await;
    let admin2 = other.admin_token().await;
    let (s, v) = import(&other, &admin2, xlsx.clone(), false).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert!(
        counts(&v).iter().all(|(_, _, updated, _)| *updated == 0),
        "{v}"
    );
    assert!(
        export(&other, &admin2, "xlsx").await == xlsx,
        "empty database: the workbook re-exports byte for byte"
    );
    assert!(
        export(&other, &admin2, "zip").await == zip,
        "empty database: the ZIP re-exports byte for byte"
    );
    let commission = app.token("commission", "demo-password").await;
    // The second database has no demo logins: its admin reads the same reports.
    let (mine, theirs) = (
        reports(&app, &commission).await,
        reports(&other, &admin2).await,
    );
    for (a, b) in mine.iter().zip(&theirs) {
        if let Some(at) = first_difference(a, b, String::new()) {
            panic!("both databases answer the same reports; they differ at {at}");
        }
    }

    // A broken file: every problem of the sheet, named by its file (the ZIP's) and column;
    // nothing written.
    let before = db_count("SELECT COUNT(*) FROM title_assignments").await;
    let mut files = files;
    let titles = String::from_utf8(files[2].1.clone()).unwrap();
    let mut rows: Vec<String> = titles.lines().map(str::to_string).collect();
    // Row 2: a wrong name and the title at a unit of the wrong level (a district).
    let mut cells: Vec<String> = rows[1].split(',').map(str::to_string).collect();
    cells[1] = "Người Khác".into();
    cells[3] = "760".into();
    rows[1] = cells.join(",");
    // Row 3: a date that is not one.
    let mut cells: Vec<String> = rows[2].split(',').map(str::to_string).collect();
    cells[4] = "31/02/2020".into();
    rows[2] = cells.join(",");
    files[2].1 = (rows.join("\n") + "\n").into_bytes();
    // A new cadre in the first sheet, so that something would be written before the titles.
    let cadres = String::from_utf8(files[0].1.clone()).unwrap();
    let mut first: Vec<String> = cadres
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    first[0] = "079099999999".into();
    files[0].1 = (cadres + &first.join(",") + "\n").into_bytes();
    let (s, v) = import(&app, &admin, rezip(&files), false).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let details = v["error"]["details"].as_array().unwrap();
    let named: Vec<(i64, String, String)> = details
        .iter()
        .map(|d| {
            (
                d["row"].as_i64().unwrap(),
                d["field"].as_str().unwrap().to_string(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want = [
        (2, "chuc-danh.csv: Họ và tên", "name_mismatch"),
        (2, "chuc-danh.csv: Mã đơn vị", "title_wrong_level"),
        (3, "chuc-danh.csv: Từ ngày", "date_invalid"),
    ];
    assert_eq!(
        named,
        want.map(|(r, f, c)| (r, f.to_string(), c.to_string())),
        "{v}"
    );
    assert_eq!(
        db_count("SELECT COUNT(*) FROM title_assignments").await,
        before
    );
    assert_eq!(
        db_count("SELECT COUNT(*) FROM cadres WHERE personal_id = '079099999999'").await,
        0,
        "all or nothing"
    );
}

async fn the_exchange_checks_who_calls_and_what_is_sent(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    // Nobody: 401. An officer may export their subtree but not import whole records.
    let (s, _, _) = app.get_bytes("/api/exchange/record", None).await;
    assert_eq!(s, Status::Unauthorized);
    let officer = app
        .account(&admin, "officer.exchange", "officer", Some("26734"))
        .await;
    let (s, _, body) = app
        .get_bytes("/api/exchange/record?format=zip", Some(&officer))
        .await;
    assert_eq!(s, Status::Ok);
    assert_eq!(unzip(&body).len(), 6);
    let (s, v) = import(&app, &officer, body.clone(), true).await;
    assert_eq!(s, Status::Forbidden, "{v}");
    // Staff only: a cadre account exports nothing.
    let (s, v) = app
        .get("/api/exchange/record?format=pdf", Some(&admin))
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (Status::UnprocessableEntity, Some("format"))
    );
    // A plain CSV is not a record; a ZIP with a stray file names it.
    let (s, v) = import(&app, &admin, b"a,b\n1,2\n".to_vec(), true).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "file");
    let mut files = unzip(&body);
    files.push(("notes.csv".into(), b"x\n1\n".to_vec()));
    let (s, v) = import(&app, &admin, rezip(&files), true).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["details"][0]["field"], "notes.csv", "{v}");
    assert_eq!(v["error"]["details"][0]["code"], "part_unknown", "{v}");
    // The empty record (headers only) imports to nothing.
    files.pop();
    // Two entries of one name: refused, not one of them read and the other left.
    let mut twice = files.clone();
    let copy = twice
        .iter()
        .find(|(n, _)| n == "can-bo.csv")
        .unwrap()
        .1
        .clone();
    twice.push(("can-bp.csv".into(), copy));
    let mut bytes = rezip(&twice);
    let at: Vec<usize> = (0..bytes.len() - 10)
        .filter(|&i| &bytes[i..i + 10] == b"can-bp.csv")
        .collect();
    assert_eq!(at.len(), 2, "the local header and the central directory");
    for i in at {
        bytes[i..i + 10].copy_from_slice(b"can-bo.csv");
    }
    let (s, v) = import(&app, &admin, bytes, true).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "file", "{v}");
    assert_eq!(v["error"]["reason"], "archive_name_repeated", "{v}");
    let (s, v) = import(&app, &admin, rezip(&files), false).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert!(counts(&v)
        .iter()
        .all(|(_, c, u, n)| (*c, *u, *n) == (0, 0, 0)));
}

/// The index of the record's file whose header holds `header` and which names `pid`.
fn sheet_with(files: &[(String, Vec<u8>)], header: &str, pid: &str) -> usize {
    files
        .iter()
        .position(|(_, f)| {
            let text = String::from_utf8_lossy(f);
            text.lines().next().unwrap_or("").contains(header) && text.contains(pid)
        })
        .unwrap_or_else(|| panic!("no file with {header:?} naming {pid}"))
}

/// The CSV `file` with the fields of the row naming `pid` changed by `edit` (the delimiter read
/// from the header; the record's values hold none).
fn edit_row(file: &[u8], pid: &str, edit: impl Fn(&mut Vec<String>)) -> Vec<u8> {
    let text = String::from_utf8(file.to_vec()).unwrap();
    let sep = if text.lines().next().unwrap().contains(';') {
        ';'
    } else {
        ','
    };
    let mut found = false;
    let lines: Vec<String> = text
        .split_inclusive('\n')
        .map(|line| {
            if !line.contains(pid) {
                return line.to_string();
            }
            found = true;
            let end = &line[line.trim_end_matches(['\r', '\n']).len()..];
            let mut fields: Vec<String> = line
                .trim_end_matches(['\r', '\n'])
                .split(sep)
                .map(str::to_string)
                .collect();
            edit(&mut fields);
            format!("{}{end}", fields.join(&sep.to_string()))
        })
        .collect();
    assert!(found, "no row of {pid}");
    lines.concat().into_bytes()
}

/// The exchange applies the API's rule to a whole file: no inactive cadre holds or is planned
/// for a title beyond today. A record making a cadre inactive while their title lasts is refused
/// (422 naming the file and the personal id; the same in a dry run), nothing written; with the
/// title ended today in its own sheet of the same file, it is imported.
async fn a_record_leaves_no_inactive_cadre_holding_a_title(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let pid = "079180000521";
    let id = crate::cadres::create(&app, &admin, "Nguyễn Văn An", pid, "26734").await;
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/titles"),
            Some(&admin),
            serde_json::json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2015-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let files = unzip(&export(&app, &admin, "zip").await);
    let holding = |file: &[u8], header: &str| {
        let text = String::from_utf8_lossy(file);
        text.lines().next().unwrap().contains(header) && text.contains(pid)
    };
    let cadres_at = files
        .iter()
        .position(|(_, f)| holding(f, "Đang công tác"))
        .unwrap();
    let titles_at = files
        .iter()
        .position(|(_, f)| holding(f, "Ngày bổ nhiệm"))
        .unwrap();
    let mut inactive = files.clone();
    inactive[cadres_at].1 = edit_row(&files[cadres_at].1, pid, |f| {
        *f.last_mut().unwrap() = "không".into();
    });
    for dry_run in [true, false] {
        let (s, v) = import(&app, &admin, rezip(&inactive), dry_run).await;
        assert_eq!(s, Status::UnprocessableEntity, "{v}");
        assert_eq!(v["error"]["field"], "file", "{v}");
        assert_eq!(v["error"]["reason"], "record_inactive_holds_titles", "{v}");
        assert_eq!(v["error"]["params"]["people"], pid, "{v}");
    }
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["active"], true, "nothing written: {v}");
    let today = cadre_training::shared::clock::city_today()
        .format("%Y-%m-%d")
        .to_string();
    inactive[titles_at].1 = edit_row(&files[titles_at].1, pid, |f| f[5] = today.clone());
    let (s, v) = import(&app, &admin, rezip(&inactive), false).await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["active"], false, "{v}");
    assert_eq!(v["titles"][0]["to_date"], today.as_str(), "{v}");
}

/// The exchange applies the API's move rule to a whole file too: a record moving a cadre away
/// from a title they hold in another ward (`cadres::a_move_leaves_no_title_behind`) is refused
/// (422 naming the file and the personal id; the same in a dry run), nothing written; with the
/// title ended the day before the move in its own sheet of the same file, it is imported. A
/// titles sheet moving the title to another ward (`cadres::a_title_is_held_on_the_line_of_the_
/// cadres_unit`) is refused the same way, and so is one giving the cadre a second title of an
/// organisation in a unit (`cadres::one_title_of_an_organisation_in_a_unit_at_a_time`).
async fn a_record_move_leaves_no_title_behind(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let pid = "079180000523";
    let id =
        crate::cadres::create_since(&app, &admin, ("Nguyễn Văn Đi", pid), "26734", "2010-01-01")
            .await;
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/titles"),
            Some(&admin),
            serde_json::json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2015-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let files = unzip(&export(&app, &admin, "zip").await);
    let cadres_at = sheet_with(&files, "Đang công tác", pid);
    let history_at = sheet_with(&files, "Chuyển đi ngày", pid);
    let titles_at = sheet_with(&files, "Ngày bổ nhiệm", pid);
    let mut moved = files.clone();
    // The cadre sheet names the new unit since the move, the history ends the old period on the move's day and
    // opens the new one.
    moved[cadres_at].1 = edit_row(&files[cadres_at].1, pid, |f| {
        for cell in f.iter_mut() {
            if cell == "26734" {
                *cell = "26737".into();
            }
            if cell == "2010-01-01" || cell == "01/01/2010" {
                *cell = "2024-01-01".into();
            }
        }
    });
    let ended = edit_row(&files[history_at].1, pid, |f| f[4] = "2024-01-01".into());
    let text = String::from_utf8(ended).unwrap();
    let sep = if text.lines().next().unwrap().contains(';') {
        ";"
    } else {
        ","
    };
    let row = ["079180000523", "Nguyễn Văn Đi", "26737", "2024-01-01", ""].join(sep);
    moved[history_at].1 = format!("{}\r\n{row}\r\n", text.trim_end()).into_bytes();
    for dry_run in [true, false] {
        let (s, v) = import(&app, &admin, rezip(&moved), dry_run).await;
        assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
        assert_eq!(v["error"]["field"], "file", "{v:.300}");
        assert_eq!(v["error"]["reason"], "record_titles_elsewhere", "{v:.300}");
        assert_eq!(v["error"]["params"]["people"], pid, "{v:.300}");
    }
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["unit_code"], "26734", "nothing written: {v:.300}");
    moved[titles_at].1 = edit_row(&files[titles_at].1, pid, |f| f[5] = "2023-12-31".into());
    let (s, v) = import(&app, &admin, rezip(&moved), false).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["unit_code"], "26737", "{v:.300}");
    assert_eq!(v["titles"][0]["to_date"], "2023-12-31", "{v:.300}");
    // Nor does a titles sheet place a title in another ward in the years the cadre was in 26734.
    let files = unzip(&export(&app, &admin, "zip").await);
    let titles_at = sheet_with(&files, "Ngày bổ nhiệm", pid);
    let mut elsewhere = files.clone();
    let text = String::from_utf8(files[titles_at].1.clone()).unwrap();
    let sep = if text.lines().next().unwrap().contains(';') {
        ";"
    } else {
        ","
    };
    let row = [
        pid,
        "Nguyễn Văn Đi",
        "FF-CHAIR-COMMUNE",
        "26737",
        "2005-01-01",
        "2012-12-31",
        "",
    ]
    .join(sep);
    elsewhere[titles_at].1 = format!("{}\r\n{row}\r\n", text.trim_end()).into_bytes();
    let (s, v) = import(&app, &admin, rezip(&elsewhere), false).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    assert_eq!(v["error"]["reason"], "record_titles_elsewhere", "{v:.300}");
    assert_eq!(v["error"]["params"]["people"], pid, "{v:.300}");
    // Nor a second title of the Front in 26734 while the cadre chaired it there.
    let row = [
        pid,
        "Nguyễn Văn Đi",
        "FF-VICE-COMMUNE",
        "26734",
        "2016-01-01",
        "2017-12-31",
        "",
    ]
    .join(sep);
    elsewhere[titles_at].1 = format!("{}\r\n{row}\r\n", text.trim_end()).into_bytes();
    let (s, v) = import(&app, &admin, rezip(&elsewhere), false).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    assert_eq!(
        v["error"]["reason"], "record_titles_same_organisation",
        "{v:.300}"
    );
    assert_eq!(v["error"]["params"]["people"], pid, "{v:.300}");
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(
        v["titles"].as_array().map(Vec::len),
        Some(1),
        "nothing written: {v:.300}"
    );
}

/// A cadre whose unit was retired since with no successor (as the districts the 2025
/// reorganisation abolished), holding and planned for titles there: their record reads back
/// into the same database unchanged (the record exchange as ZIP and workbook, and the roster),
/// where it was refused as `unit_retired`. A new lasting title at that unit is still refused.
async fn a_record_on_a_unit_retired_since_reads_back_unchanged(app: TestApp) {
    use serde_json::json;
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let pid = "079180000522";
    let id = crate::reorganisation::holder(
        &app,
        &admin,
        "Phạm Thị Ở Lại",
        pid,
        "26740",
        &["FF-CHAIR-COMMUNE"],
    )
    .await;
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/plans"),
            Some(&admin),
            json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2016-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, v) = app
        .post(
            "/api/units/26740/retire",
            Some(&admin),
            json!({"retired_on": "2025-07-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let zip = export(&app, &admin, "zip").await;
    let xlsx = export(&app, &admin, "xlsx").await;
    for (bytes, dry_run) in [(zip.clone(), true), (xlsx, true), (zip.clone(), false)] {
        let (s, v) = import(&app, &admin, bytes, dry_run).await;
        assert_eq!(s, Status::Ok, "{v}");
        for (part, created, updated, _) in counts(&v) {
            assert_eq!((created, updated), (0, 0), "{part} changed: {v}");
        }
    }
    roster_reads_back_unchanged(&app, &admin).await;
    // A title starting another day at the retired unit is a new period there: refused.
    let files = unzip(&zip);
    let titles_at = sheet_with(&files, "Ngày bổ nhiệm", pid);
    let mut moved = files.clone();
    moved[titles_at].1 = edit_row(&files[titles_at].1, pid, |f| f[4] = "2016-01-01".into());
    let (s, v) = import(&app, &admin, rezip(&moved), true).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert!(v.to_string().contains("unit_retired"), "{v}");
}

/// A class completion belongs to its class's results: a record naming a class of this database
/// for a completion not on record is refused (`class_code`), nothing written. One naming a class
/// elsewhere keeps its certificate number, even one this database would give next: finishing a
/// class then numbers its certificates around it, instead of failing on the taken number.
async fn a_record_brings_no_completion_into_a_class_here_and_no_number_blocks_finishing(
    app: TestApp,
) {
    use crate::classes::{enrol, one_session, open_class, setup};
    let (admin, school) = setup(&app).await;
    let today = cadre_training::shared::clock::city_today();
    let a = crate::cadres::create(&app, &admin, "Nguyễn Văn An", "079180008101", "26734").await;
    let (s, v) = app
        .post(&format!("/api/cadres/{a}/completions"), Some(&school),
            serde_json::json!({"module_code": "DV-01", "completed_on": "2024-01-01", "source_ref": "Sổ"}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let paper_id = v["items"][0]["id"].as_i64().unwrap();
    let day = (today - chrono::Duration::days(10)).to_string();
    let class = open_class(&app, &school, "DV03-XC-1", "DV-03", 10, one_session(&day)).await;
    let sid = class["sessions"][0]["id"].as_i64().unwrap();
    let files = unzip(&export(&app, &admin, "zip").await);
    let at = files.iter().position(|(n, _)| n == "dao-tao.csv").unwrap();
    let with_row = |edit: &dyn Fn(&mut Vec<String>)| {
        let text = String::from_utf8(files[at].1.clone()).unwrap();
        let line = text.lines().find(|l| l.contains("079180008101")).unwrap();
        let sep = if line.contains(';') { ";" } else { "," };
        let mut fields: Vec<String> = line.split(sep).map(str::to_string).collect();
        edit(&mut fields);
        let mut out = files.clone();
        out[at].1 = format!("{text}{}\n", fields.join(sep)).into_bytes();
        rezip(&out)
    };
    let class_row = |module: &str, class: &str, no: &str| {
        let (module, class, no) = (module.to_string(), class.to_string(), no.to_string());
        move |f: &mut Vec<String>| {
            f[2] = module.clone();
            f[3] = "2024-05-05".into();
            f[5] = "lớp".into();
            f[6] = class.clone();
            f[7] = class.clone();
            f[8] = no.clone();
            f[9] = "ABCDEFGHJK".into();
        }
    };
    // Into a class of this database: refused at its class code, nothing written.
    let (s, v) = import(
        &app,
        &admin,
        with_row(&class_row("DV-03", "DV03-XC-1", "TCB-2024-777777")),
        false,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert!(v.to_string().contains("class_completion_here"), "{v}");
    let (_, list) = app
        .get("/api/classes/DV03-XC-1/completions", Some(&school))
        .await;
    assert_eq!(list["items"], serde_json::json!([]), "{list}");
    // A verification code the public check could never read (I and O are not in its letters).
    let bad_code = class_row("DV-02", "OLD-K8", "TCB-2024-888888");
    let (s, v) = import(
        &app,
        &admin,
        with_row(&|f: &mut Vec<String>| {
            bad_code(f);
            f[9] = "ABCDEFGHIO".into();
        }),
        false,
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert!(v.to_string().contains("certificate_code_invalid"), "{v}");
    // From a class elsewhere, with the number the next completion here would get.
    let next = format!("TCB-{}-{:06}", today.format("%Y"), paper_id + 2);
    let (s, v) = import(
        &app,
        &admin,
        with_row(&class_row("DV-02", "OLD-K9", &next)),
        false,
    )
    .await;
    assert_eq!(s, Status::Ok, "{v}");
    let e = enrol(&app, &school, "DV03-XC-1", Some(a)).await.1["id"]
        .as_i64()
        .unwrap();
    for (path, body) in [
        ("status", serde_json::json!({"status": "running"})),
        (
            &*format!("sessions/{sid}/attendance"),
            serde_json::json!({"records": [{"enrolment_id": e, "status": "present"}]}),
        ),
        (
            "results",
            serde_json::json!({"results": [{"enrolment_id": e, "score": 8, "passed": true}]}),
        ),
        ("status", serde_json::json!({"status": "finished"})),
    ] {
        let url = format!("/api/classes/DV03-XC-1/{path}");
        let (s, v) = if path.starts_with("status") {
            app.post(&url, Some(&school), body).await
        } else {
            app.put(&url, Some(&school), body).await
        };
        assert_eq!(s, Status::Ok, "{path}: {v}");
    }
    let (_, done) = app
        .get("/api/classes/DV03-XC-1/completions", Some(&school))
        .await;
    let issued = done["items"][0]["certificate_no"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        issued.starts_with(&next) && issued != next,
        "{issued} beside {next}"
    );
    let code = done["items"][0]["certificate_code"].as_str().unwrap();
    let (s, v) = app
        .get(&format!("/api/certificates/{issued}?code={code}"), None)
        .await;
    assert_eq!(
        (s, &v["verified"]),
        (Status::Ok, &serde_json::json!(true)),
        "{v}"
    );
    let (s, v) = app.get(&format!("/api/certificates/{next}"), None).await;
    assert_eq!(
        (s, &v["module_code"]),
        (Status::Ok, &serde_json::json!("DV-02")),
        "{v}"
    );
}

/// A record's titles held and planned start on the cadre's eighteenth birthday or later: a period
/// from before it (after the birth) is a problem `title_before_adulthood` at its first day, in
/// each sheet; nothing is written.
async fn a_record_holds_no_title_before_the_eighteenth_birthday(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    // Born 1980-05-17 (the tests' cadre): eighteen on 1998-05-17.
    let pid = "079180000531";
    let id = crate::cadres::create(&app, &admin, "Nguyễn Văn Sớm", pid, "26734").await;
    for (list, from) in [("titles", "2015-01-01"), ("plans", "2016-01-01")] {
        let (s, v) = app
            .post(
                &format!("/api/cadres/{id}/{list}"),
                Some(&admin),
                serde_json::json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": from}),
            )
            .await;
        assert_eq!(s, Status::Created, "{v}");
    }
    let files = unzip(&export(&app, &admin, "zip").await);
    let with_from = |name: &str, day: &str| {
        let at = files.iter().position(|(n, _)| n == name).unwrap();
        let edited = edit_row(&files[at].1, pid, |f| {
            f[4] = day.to_string();
            f[6] = String::new();
        });
        (at, edited)
    };
    // The sheets are read in order, each refused with every problem it has.
    for name in ["chuc-danh.csv", "quy-hoach.csv"] {
        let mut young = files.clone();
        let (at, edited) = with_from(name, "1998-05-16");
        young[at].1 = edited;
        let (s, v) = import(&app, &admin, rezip(&young), false).await;
        assert_eq!(s, Status::UnprocessableEntity, "{v}");
        let d = &v["error"]["details"];
        assert_eq!(d.as_array().unwrap().len(), 1, "{v}");
        assert_eq!(d[0]["field"], format!("{name}: Từ ngày"), "{v}");
        assert_eq!(d[0]["code"], "title_before_adulthood", "{v}");
        assert_eq!(d[0]["params"]["date"], "1998-05-17", "{v}");
    }
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["titles"][0]["from_date"], "2015-01-01", "{v}");
    assert_eq!(v["plans"][0]["from_date"], "2016-01-01", "{v}");
    // From the birthday itself, ended before the periods on record: taken.
    let mut young = files.clone();
    for name in ["chuc-danh.csv", "quy-hoach.csv"] {
        let (at, edited) = with_from(name, "1998-05-17");
        young[at].1 = edit_row(&edited, pid, |f| f[5] = "2014-12-31".into());
    }
    let (s, v) = import(&app, &admin, rezip(&young), false).await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["titles"][0]["from_date"], "1998-05-17", "{v}");
    // Nor does the record move the birth date past a title on record (the titles sheet need
    // not name it: the exchange adds periods, it never removes one).
    let mut later = files.clone();
    let at = files.iter().position(|(n, _)| n == "can-bo.csv").unwrap();
    later[at].1 = edit_row(&files[at].1, pid, |f| f[3] = "1981-01-01".into());
    let (s, v) = import(&app, &admin, rezip(&later[..=at]), false).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let d = &v["error"]["details"];
    assert_eq!(d[0]["field"], "can-bo.csv: Ngày sinh", "{v}");
    assert_eq!(d[0]["code"], "birth_after_titles", "{v}");
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["birth_date"], "1980-05-17", "{v}");
}

/// A record's cadres sheet does not move a birth date past a completion or qualification on record
/// (each is dated after the birth): a problem `birth_after_records` at the birth date, nothing
/// written; a birth date still before them is taken.
async fn a_record_keeps_a_birth_date_before_the_cadres_completions(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    // Born 1980-05-17, no title; completed DV-03 on 2008-01-01.
    let pid = "079180000532";
    let id = crate::cadres::create(&app, &admin, "Trần Thị Muộn", pid, "26734").await;
    crate::cadres::paper_dv03(&app, &admin, &serde_json::json!(id), "2008-01-01").await;
    let files = unzip(&export(&app, &admin, "zip").await);
    let at = files.iter().position(|(n, _)| n == "can-bo.csv").unwrap();
    // The tests' cadre joined the party in 2005: that date goes too, to leave one problem.
    let header = String::from_utf8_lossy(&files[at].1)
        .lines()
        .next()
        .unwrap()
        .to_string();
    let party = header
        .split([';', ','])
        .position(|h| h.contains("Ngày vào Đảng"))
        .expect("a party column");
    let born = |day: &str| {
        let mut moved = files.clone();
        moved[at].1 = edit_row(&files[at].1, pid, |f| {
            f[3] = day.into();
            f[party] = String::new();
        });
        rezip(&moved[..=at])
    };
    let (s, v) = import(&app, &admin, born("2009-06-01"), false).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let d = &v["error"]["details"];
    assert_eq!(d.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(d[0]["field"], "can-bo.csv: Ngày sinh", "{v}");
    assert_eq!(d[0]["code"], "birth_after_records", "{v}");
    assert_eq!(d[0]["params"]["date"], "2008-01-01", "{v}");
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["birth_date"], "1980-05-17", "{v}");
    // Still before the completion: taken.
    let (s, v) = import(&app, &admin, born("1985-01-01"), false).await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["birth_date"], "1985-01-01", "{v}");
}

/// A record's title period starts once its unit came into being: an earlier first day is a
/// problem `unit_not_yet` at that day (naming the unit's first day); nothing is written.
async fn a_record_places_titles_in_a_unit_once_it_exists(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    crate::cadres::new_ward(&app, &admin).await;
    let pid = "079180000537";
    let who = ("Lê Văn Phường Mới", pid);
    let id = crate::cadres::create_since(&app, &admin, who, "99001", "2025-07-01").await;
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/titles"),
            Some(&admin),
            serde_json::json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2025-07-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let files = unzip(&export(&app, &admin, "zip").await);
    let at = files
        .iter()
        .position(|(n, _)| n == "chuc-danh.csv")
        .unwrap();
    // An earlier period in the same ward, ended before the one on record.
    let mut earlier = files.clone();
    earlier[at].1 = edit_row(&files[at].1, pid, |f| {
        f[4] = "2018-01-01".into();
        f[5] = "2018-12-31".into();
        f[6] = String::new();
    });
    let (s, v) = import(&app, &admin, rezip(&earlier), false).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let d = &v["error"]["details"];
    assert_eq!(d.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(d[0]["field"], "chuc-danh.csv: Từ ngày", "{v}");
    assert_eq!(d[0]["code"], "unit_not_yet", "{v}");
    assert_eq!(d[0]["params"]["date"], "2025-07-01", "{v}");
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["titles"].as_array().map(Vec::len), Some(1), "{v}");
    // The record read back as it is: taken.
    let (s, v) = import(&app, &admin, rezip(&files), false).await;
    assert_eq!(s, Status::Ok, "{v}");
}

/// Nothing starts in a unit from the day it was retired: a record's title period there from that
/// day is a problem `unit_gone` (naming the day); through the API a past term that ended before
/// the retirement is recorded there, and a lasting one is refused.
async fn a_record_starts_nothing_in_a_retired_unit(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let pid = "079180000538";
    let who = ("Phan Văn Cũ", pid);
    let id = crate::cadres::create_since(&app, &admin, who, "26734", "2015-01-01").await;
    let (s, v) = app
        .post(
            "/api/units/26734/retire",
            Some(&admin),
            serde_json::json!({"retired_on": "2025-07-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let title = |from: &str, to: Option<&str>| serde_json::json!({"title_code": "FF-VICE-COMMUNE", "from_date": from, "to_date": to, "unit_code": "26734"});
    let url = format!("/api/cadres/{id}/titles");
    let (s, v) = app
        .post(&url, Some(&admin), title("2016-01-01", None))
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (Status::UnprocessableEntity, Some("unit_code")),
        "{v}"
    );
    let (s, v) = app
        .post(&url, Some(&admin), title("2016-01-01", Some("2020-12-31")))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let files = unzip(&export(&app, &admin, "zip").await);
    let at = files
        .iter()
        .position(|(n, _)| n == "chuc-danh.csv")
        .unwrap();
    let mut later = files.clone();
    let text = String::from_utf8(files[at].1.clone()).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains(pid))
        .expect("the term")
        .to_string();
    let sep = if line.contains(';') { ';' } else { ',' };
    let mut f: Vec<String> = line.split(sep).map(str::to_string).collect();
    f[4] = "2025-08-01".into();
    f[5] = "2025-09-01".into();
    let mut added = text.clone();
    if !added.ends_with('\n') {
        added.push('\n');
    }
    added.push_str(&f.join(&sep.to_string()));
    added.push('\n');
    later[at].1 = added.into_bytes();
    let (s, v) = import(&app, &admin, rezip(&later), false).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let d = &v["error"]["details"];
    assert_eq!(d.as_array().unwrap().len(), 1, "{v}");
    assert_eq!(d[0]["field"], "chuc-danh.csv: Từ ngày", "{v}");
    assert_eq!(
        (d[0]["code"].as_str(), d[0]["params"]["date"].as_str()),
        (Some("unit_gone"), Some("2025-07-01")),
        "{v}"
    );
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["titles"].as_array().map(Vec::len), Some(1), "{v}");
    // The record as it is reads back.
    let (s, v) = import(&app, &admin, rezip(&files), false).await;
    assert_eq!(s, Status::Ok, "{v}");
}

/// A qualification brought in by an import sent without a file name reads back from the record
/// unchanged (its source was kept as `import: `, which the record's cell trims).
async fn a_qualification_imported_without_a_file_name_reads_back_unchanged(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let pid = "079180000541";
    crate::cadres::create(&app, &admin, "Lê Văn Nguồn", pid, "26734").await;
    let csv = format!("Số CCCD/CMND;Mã loại trình độ;Mã trình độ;Ngày cấp;Nơi cấp\n{pid};political_theory;intermediate;30/06/2018;Trường X\n");
    let (s, v) = app
        .post_raw(
            "/api/imports/qualifications",
            Some(&admin),
            ContentType::CSV,
            csv.into_bytes(),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = import(&app, &admin, export(&app, &admin, "zip").await, true).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert!(
        counts(&v)
            .iter()
            .all(|(_, created, updated, _)| (*created, *updated) == (0, 0)),
        "{v}"
    );
}

/// Nor does a record make a cadre inactive while they hold a seat or a waitlist place in a class
/// not over: 422 naming the cadre sheet's row and the class (`cadre_holds_seats`, the same in a
/// dry run), nothing written; once withdrawn, the record is imported.
async fn a_record_leaves_no_inactive_cadre_in_a_seat(app: TestApp) {
    use crate::classes::{enrol, one_session, open_class, setup};
    let (admin, school) = setup(&app).await;
    let pid = "079180000522";
    let id = crate::cadres::create(&app, &admin, "Nguyễn Văn Ngồi", pid, "26734").await;
    let day =
        (cadre_training::shared::clock::city_today() + chrono::Duration::days(20)).to_string();
    open_class(&app, &school, "DV01-XS-1", "DV-01", 10, one_session(&day)).await;
    let (s, v) = enrol(&app, &school, "DV01-XS-1", Some(id)).await;
    assert_eq!(s, Status::Created, "{v}");
    let eid = v["id"].as_i64().unwrap();
    let files = unzip(&export(&app, &admin, "zip").await);
    let cadres_at = sheet_with(&files, "Đang công tác", pid);
    let mut inactive = files.clone();
    inactive[cadres_at].1 = edit_row(&files[cadres_at].1, pid, |f| {
        *f.last_mut().unwrap() = "không".into();
    });
    for dry_run in [true, false] {
        let (s, v) = import(&app, &admin, rezip(&inactive), dry_run).await;
        assert_eq!(s, Status::UnprocessableEntity, "{v}");
        let d = &v["error"]["details"];
        assert_eq!(d.as_array().map(Vec::len), Some(1), "{v}");
        assert_eq!(d[0]["field"], "can-bo.csv: Đang công tác", "{v}");
        assert_eq!(d[0]["code"], "cadre_holds_seats", "{v}");
        assert_eq!(d[0]["params"]["classes"], "DV01-XS-1", "{v}");
    }
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["active"], true, "nothing written: {v}");
    let (s, v) = app
        .post(
            &format!("/api/classes/DV01-XS-1/enrolments/{eid}/withdraw"),
            Some(&school),
            serde_json::json!({"reason": "nghỉ công tác"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = import(&app, &admin, rezip(&inactive), false).await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["active"], false, "{v}");
}

/// A title taken out of use keeps its holders: the record of a ward where one still holds it (and
/// the roster export) reads back unchanged, where the titles sheet was refused (`title_unknown`).
async fn a_record_of_a_title_out_of_use_reads_back_unchanged(app: TestApp) {
    use serde_json::json;
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    crate::reorganisation::holder(
        &app,
        &admin,
        "Đặng Văn Giữ",
        "079180000523",
        "26734",
        &["FF-VICE-COMMUNE"],
    )
    .await;
    let (s, v) = app
        .patch(
            "/api/titles/FF-VICE-COMMUNE",
            Some(&admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let zip = export(&app, &admin, "zip").await;
    let (s, v) = import(&app, &admin, zip, true).await;
    assert_eq!(s, Status::Ok, "{v:.600}");
    for (part, created, updated, _) in counts(&v) {
        assert_eq!((created, updated), (0, 0), "{part} changed: {v:.600}");
    }
    roster_reads_back_unchanged(&app, &admin).await;
}
