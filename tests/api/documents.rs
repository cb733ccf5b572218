//! Printable documents (issue 17): a certificate's PDF (its Vietnamese text read back by
//! `pdftotext`, its QR code decoded by `zbarimg` to the public check, which answers valid, then
//! revoked), a class's certificates in one PDF, a session's sign-in sheet, and who may get them.
//!
//! Needs poppler-utils (`pdftotext`, `pdftoppm`, `pdfinfo`) and zbar-tools (`zbarimg`): without
//! them the tests fail under CI and are skipped (with a line on stderr) elsewhere.

use std::path::PathBuf;
use std::process::Command;

use cadre_training::shared::clock::city_today;
use chrono::Duration;
use rocket::http::Status;
use serde_json::{json, Value};

use crate::cadres::create as create_cadre;
use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    a_certificate_pdf_reads_back_and_its_qr_checks,
    a_class_batch_and_a_sign_in_sheet,
);

const TOOLS: [&str; 4] = ["pdftotext", "pdftoppm", "pdfinfo", "zbarimg"];

/// Whether the PDF tools are installed; under CI their absence fails the test.
fn tools() -> bool {
    let missing: Vec<&str> = TOOLS
        .iter()
        .copied()
        .filter(|t| Command::new(t).arg("-v").output().is_err())
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("CI").is_ok() {
        panic!("{missing:?} missing: install poppler-utils and zbar-tools (.ci/run does)");
    }
    eprintln!("SKIPPED: {missing:?} not installed (apt-get install poppler-utils zbar-tools)");
    false
}

/// A temporary file holding `bytes`, removed on drop.
struct TempPdf(PathBuf);

impl TempPdf {
    fn new(bytes: &[u8]) -> TempPdf {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!("doc-test-{}-{n}.pdf", std::process::id()));
        std::fs::write(&path, bytes).expect("temp pdf");
        TempPdf(path)
    }

    fn run(&self, tool: &str, args: &[&str]) -> String {
        let out = Command::new(tool)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// The text, whitespace runs squashed to one space (`pdftotext -layout` pads columns).
    fn text(&self) -> String {
        let raw = self.run("pdftotext", &["-layout", self.path(), "-"]);
        raw.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn pages(&self) -> usize {
        let info = self.run("pdfinfo", &[self.path()]);
        info.lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("page count")
    }

    /// The QR code of page 1, decoded.
    fn qr(&self) -> String {
        let png = self.0.with_extension("");
        let png_s = png.to_str().unwrap().to_string();
        self.run(
            "pdftoppm",
            &[
                "-png",
                "-r",
                "150",
                "-f",
                "1",
                "-singlefile",
                self.path(),
                &png_s,
            ],
        );
        let file = format!("{png_s}.png");
        let out = Command::new("zbarimg")
            .args(["--raw", "-q", &file])
            .output()
            .expect("zbarimg");
        let _ = std::fs::remove_file(&file);
        assert!(out.status.success(), "no QR code found on the page");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempPdf {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// GETs a PDF: asserts 200, `application/pdf`, `%PDF`, and an attachment name.
async fn pdf(app: &TestApp, path: &str, token: Option<&str>) -> TempPdf {
    let (s, headers, bytes) = app.get_bytes(path, token).await;
    assert_eq!(s, Status::Ok, "{path}: {}", String::from_utf8_lossy(&bytes));
    let header = |n: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(header("Content-Type"), "application/pdf");
    assert!(header("Content-Disposition").starts_with("attachment; filename="));
    assert!(bytes.starts_with(b"%PDF"), "{path}");
    TempPdf::new(&bytes)
}

/// Who is who in the tests.
struct World {
    admin: String,
    school: String,
    /// Nguyễn Thị Ánh Tuyết, Phường Tân Định (Quận 1), and her own account.
    a: i64,
    a_token: String,
    /// Trần Văn Bình, Phường Thạnh Xuân (Quận 12), and his own account.
    b_token: String,
    /// An officer of Quận 1 (sees Ánh Tuyết), one of Quận 12 (sees Bình), one of Gò Vấp (neither).
    officer_q1: String,
    officer_q12: String,
    officer_gv: String,
    session_ids: Vec<i64>,
    module_title_vi: String,
}

const CLASS: &str = "LLCT-SC-IN-27";

fn session(day: &str) -> Value {
    json!({"starts_at": format!("{day}T08:00"), "ends_at": format!("{day}T11:00"),
           "venue": "Hội trường Nguyễn Văn Cừ", "instructor": "TS. Võ Văn Kiệt"})
}

async fn cadre_account(app: &TestApp, admin: &str, user: &str, unit: &str, cadre: i64) -> String {
    let (s, v) = app
        .post(
            "/api/accounts",
            Some(admin),
            json!({"username": user, "password": "lop-hoc-dan-van-2026", "role": "cadre",
                   "unit_code": unit, "cadre_id": cadre}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    app.token(user, "lop-hoc-dan-van-2026").await
}

/// A class of two sessions with capacity 2: Ánh Tuyết and Bình enrolled, Lê Hoàng Yến waitlisted.
async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school.docs", "school", None).await;
    let a = create_cadre(app, &admin, "Nguyễn Thị Ánh Tuyết", "079180002201", "26734").await;
    let b = create_cadre(app, &admin, "Trần Văn Bình", "079180002202", "26764").await;
    let c = create_cadre(app, &admin, "Lê Hoàng Yến", "079180002203", "26740").await;
    let today = city_today();
    let (s, v) = app
        .post(
            "/api/classes",
            Some(&school),
            json!({"code": CLASS, "module_code": "LLCT-SC", "title": "Lớp sơ cấp lý luận chính trị khóa 3",
                   "organiser": "Trường Cán bộ thành phố", "capacity": 2,
                   "enrol_opens": (today - Duration::days(1)).to_string(),
                   "enrol_closes": (today + Duration::days(30)).to_string(),
                   "sessions": [session("2021-08-03"), session("2021-08-04")]}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let session_ids = v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    let (s, v) = app
        .post(
            &format!("/api/classes/{CLASS}/status"),
            Some(&school),
            json!({"status": "open"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    for (id, want) in [(a, "enrolled"), (b, "enrolled"), (c, "waitlisted")] {
        let (s, v) = app
            .post(
                &format!("/api/classes/{CLASS}/enrolments"),
                Some(&school),
                json!({"cadre_id": id}),
            )
            .await;
        assert_eq!(s, Status::Created, "{v}");
        assert_eq!(v["status"], want, "{v}");
    }
    let (_, m) = app.get("/api/modules/LLCT-SC", Some(&admin)).await;
    let module_title_vi = m["title_vi"].as_str().expect("title").to_string();
    World {
        a_token: cadre_account(app, &admin, "cadre.tuyet", "26734", a).await,
        b_token: cadre_account(app, &admin, "cadre.binh", "26764", b).await,
        officer_q1: app
            .account(&admin, "officer.q1", "officer", Some("760"))
            .await,
        officer_q12: app
            .account(&admin, "officer.q12", "officer", Some("761"))
            .await,
        officer_gv: app
            .account(&admin, "officer.gv", "officer", Some("764"))
            .await,
        admin,
        school,
        a,
        session_ids,
        module_title_vi,
    }
}

/// Runs the class: both enrolled attend every session and pass; finishing issues their
/// certificates. Returns Ánh Tuyết's certificate number and code.
async fn finish(app: &TestApp, w: &World) -> (String, String) {
    let (s, v) = app
        .post(
            &format!("/api/classes/{CLASS}/status"),
            Some(&w.school),
            json!({"status": "running"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, list) = app
        .get(&format!("/api/classes/{CLASS}/enrolments"), Some(&w.school))
        .await;
    let enrolled: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["status"] == "enrolled")
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(enrolled.len(), 2);
    for sid in &w.session_ids {
        let records: Vec<Value> = enrolled
            .iter()
            .map(|e| json!({"enrolment_id": e, "status": "present"}))
            .collect();
        let (s, v) = app
            .put(
                &format!("/api/classes/{CLASS}/sessions/{sid}/attendance"),
                Some(&w.school),
                json!({ "records": records }),
            )
            .await;
        assert_eq!(s, Status::Ok, "{v}");
    }
    let results: Vec<Value> = enrolled
        .iter()
        .map(|e| json!({"enrolment_id": e, "score": 8.5, "passed": true}))
        .collect();
    let (s, v) = app
        .put(
            &format!("/api/classes/{CLASS}/results"),
            Some(&w.school),
            json!({ "results": results }),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = app
        .post(
            &format!("/api/classes/{CLASS}/status"),
            Some(&w.school),
            json!({"status": "finished"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, done) = app
        .get(&format!("/api/cadres/{}/completions", w.a), Some(&w.school))
        .await;
    let item = &done["items"][0];
    (
        item["certificate_no"].as_str().unwrap().to_string(),
        item["certificate_code"].as_str().unwrap().to_string(),
    )
}

/// The public check the QR code's address stands for: the web page `/#/verify/NO?code=CODE`,
/// which asks `GET /api/certificates/NO?code=CODE`. Returns the API's answer.
async fn check_qr(app: &TestApp, url: &str, no: &str, code: &str) -> Value {
    assert_eq!(
        url,
        format!("http://127.0.0.1:8000/#/verify/{no}?code={code}")
    );
    let (base, fragment) = url.split_once('#').unwrap();
    assert_eq!(base, "http://127.0.0.1:8000/");
    // The page itself is served …
    let (s, _, page) = app.get_bytes("/", None).await;
    assert_eq!(s, Status::Ok);
    assert!(String::from_utf8_lossy(&page).contains("app.js"));
    // … and its route `#/verify/NO?code=CODE` asks the API for that number and code.
    let rest = fragment.strip_prefix("/verify/").expect("the verify route");
    let (s, v) = app.get(&format!("/api/certificates/{rest}"), None).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["certificate_no"], no);
    assert_eq!(v["verified"], true);
    v
}

async fn a_certificate_pdf_reads_back_and_its_qr_checks(app: TestApp) {
    if !tools() {
        return;
    }
    let w = world(&app).await;
    let (no, code) = finish(&app, &w).await;
    let path = format!("/api/certificates/{no}/pdf");

    // The holder downloads her own certificate.
    let file = pdf(&app, &path, Some(&w.a_token)).await;
    assert_eq!(file.pages(), 1);
    let text = file.text();
    for want in [
        "GIẤY CHỨNG NHẬN",
        "Nguyễn Thị Ánh Tuyết",
        "Phường Tân Định",
        w.module_title_vi.as_str(),
        "LLCT-SC-IN-27 — Lớp sơ cấp lý luận chính trị khóa 3",
        "từ ngày 03/08/2021 đến ngày 04/08/2021",
        &format!("Số: {no}"),
        &format!("Mã xác thực: {code}"),
        "Điểm: 8,5",
    ] {
        assert!(text.contains(want), "{want:?} not in {text}");
    }
    assert!(!text.contains("THU HỒI"), "{text}");
    let url = file.qr();
    let v = check_qr(&app, &url, &no, &code).await;
    assert_eq!(v["status"], "valid");
    assert_eq!(v["holder_name"], "Nguyễn Thị Ánh Tuyết");

    // English labels on request; a language it does not know is a 422.
    let en = pdf(&app, &format!("{path}?lang=en"), Some(&w.a_token))
        .await
        .text();
    assert!(
        en.contains("CERTIFICATE") && en.contains("Nguyễn Thị Ánh Tuyết"),
        "{en}"
    );
    let (s, v) = app.get(&format!("{path}?lang=fr"), Some(&w.a_token)).await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "lang");

    // Who may: the school, the admin, the commission, the officer of her district; the number is
    // case-insensitive.
    let commission = app
        .account(&w.admin, "commission.docs", "commission", None)
        .await;
    for t in [&w.school, &w.admin, &commission, &w.officer_q1] {
        pdf(&app, &path.to_lowercase(), Some(t)).await;
    }
    // Who may not: another cadre, officers elsewhere (404, as for her record); no token 401;
    // an unknown number 404.
    for t in [&w.b_token, &w.officer_q12, &w.officer_gv] {
        let (s, v) = app.get(&path, Some(t)).await;
        assert_eq!(s, Status::NotFound, "{v}");
        assert_eq!(v["error"]["reason"], "no_certificate");
    }
    assert_eq!(app.get(&path, None).await.0, Status::Unauthorized);
    let (s, v) = app
        .get("/api/certificates/TCB-1999-000000/pdf", Some(&w.admin))
        .await;
    assert_eq!(s, Status::NotFound, "{v}");
    let (s, _) = app
        .get(
            &format!("/api/certificates/{}/pdf", "X".repeat(300)),
            Some(&w.admin),
        )
        .await;
    assert_eq!(s, Status::NotFound);

    // Revoked: still downloadable, marked, with the day and the reason; the QR check says revoked.
    let (s, v) = app
        .post(
            &format!("/api/certificates/{no}/revoke"),
            Some(&w.school),
            json!({"reason": "Hồ sơ không hợp lệ"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let file = pdf(&app, &path, Some(&w.a_token)).await;
    let text = file.text();
    let today = city_today().format("%d/%m/%Y").to_string();
    assert!(text.contains("ĐÃ THU HỒI"), "{text}");
    assert!(
        text.contains(&format!(
            "Thu hồi từ ngày {today}. Lý do: Hồ sơ không hợp lệ"
        )),
        "{text}"
    );
    let v = check_qr(&app, &file.qr(), &no, &code).await;
    assert_eq!(v["status"], "revoked");
}

async fn a_class_batch_and_a_sign_in_sheet(app: TestApp) {
    if !tools() {
        return;
    }
    let w = world(&app).await;
    let sheet = format!(
        "/api/classes/{CLASS}/sessions/{}/sign-in.pdf",
        w.session_ids[1]
    );

    // The sign-in sheet: the enrolled cadres (not the waitlisted), by given name, with units.
    let text = pdf(&app, &sheet, Some(&w.school)).await.text();
    for want in [
        "DANH SÁCH KÝ TÊN",
        "Lớp LLCT-SC-IN-27 — Lớp sơ cấp lý luận chính trị khóa 3",
        &format!("Học phần: LLCT-SC — {}", w.module_title_vi),
        "Buổi 2/2: Thứ Tư, 04/08/2021, 08:00–11:00",
        "Địa điểm: Hội trường Nguyễn Văn Cừ",
        "Ký tên",
        "Tổng số: 2",
    ] {
        assert!(text.contains(want), "{want:?} not in {text}");
    }
    let bình = text
        .find("Trần Văn Bình Phường Thạnh Xuân")
        .expect("Bình and his unit");
    let tuyết = text
        .find("Nguyễn Thị Ánh Tuyết Phường Tân Định")
        .expect("Ánh Tuyết and her unit");
    assert!(bình < tuyết, "sorted by given name: {text}");
    assert!(
        !text.contains("Lê Hoàng Yến"),
        "the waitlisted cadre is not listed: {text}"
    );
    // In English; an officer sees only their district's cadres.
    let en = pdf(&app, &format!("{sheet}?lang=en"), Some(&w.admin))
        .await
        .text();
    assert!(
        en.contains("SIGN-IN SHEET") && en.contains("Session 2/2: Wednesday, 04/08/2021"),
        "{en}"
    );
    let q1 = pdf(&app, &sheet, Some(&w.officer_q1)).await.text();
    assert!(
        q1.contains("Nguyễn Thị Ánh Tuyết") && !q1.contains("Trần Văn Bình"),
        "{q1}"
    );
    assert!(q1.contains("Tổng số: 1"));
    // An officer none of whose cadres is in the class is told so, not that nobody is enrolled.
    let gv = pdf(&app, &sheet, Some(&w.officer_gv)).await.text();
    assert!(
        gv.contains("Không có cán bộ nào bạn được xem ghi danh vào lớp.")
            && !gv.contains("Chưa có cán bộ nào ghi danh"),
        "{gv}"
    );
    // A cancelled class has no sessions to sign: no sheet.
    let (s, v) = app
        .post(
            "/api/classes",
            Some(&w.school),
            json!({"code": "LLCT-HUY", "module_code": "LLCT-SC", "organiser": "Trường Cán bộ thành phố",
                   "capacity": 5, "enrol_opens": city_today().to_string(),
                   "enrol_closes": (city_today() + Duration::days(10)).to_string(),
                   "sessions": [session("2031-08-03")]}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let cancelled = v["sessions"][0]["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            "/api/classes/LLCT-HUY/status",
            Some(&w.school),
            json!({"status": "cancelled", "reason": "Giảng viên bận công tác"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, v) = app
        .get(
            &format!("/api/classes/LLCT-HUY/sessions/{cancelled}/sign-in.pdf"),
            Some(&w.school),
        )
        .await;
    assert_eq!(s, Status::Conflict, "{v:.300}");
    assert_eq!(v["error"]["reason"], "cancelled_class_no_sheet", "{v:.300}");
    // An unknown session, or one of another class, is a 404; no token 401; an unknown class 404.
    for bad in ["999999", "abc", "-1"] {
        let (s, v) = app
            .get(
                &format!("/api/classes/{CLASS}/sessions/{bad}/sign-in.pdf"),
                Some(&w.school),
            )
            .await;
        assert_eq!(s, Status::NotFound, "{bad}: {v}");
        assert_eq!(v["error"]["reason"], "no_session");
    }
    assert_eq!(app.get(&sheet, None).await.0, Status::Unauthorized);
    let (s, _) = app
        .get(
            &format!(
                "/api/classes/NO-SUCH/sessions/{}/sign-in.pdf",
                w.session_ids[0]
            ),
            Some(&w.school),
        )
        .await;
    assert_eq!(s, Status::NotFound);

    // No certificates before the class finishes.
    let batch = format!("/api/classes/{CLASS}/certificates.pdf");
    let (s, v) = app.get(&batch, Some(&w.school)).await;
    assert_eq!(s, Status::NotFound, "{v}");
    assert_eq!(v["error"]["reason"], "no_certificates_in_class");

    finish(&app, &w).await;
    // The school gets every certificate, a page each; officers and cadres those they may see.
    let all = pdf(&app, &batch, Some(&w.school)).await;
    assert_eq!(all.pages(), 2);
    let text = all.text();
    assert!(
        text.contains("Nguyễn Thị Ánh Tuyết") && text.contains("Trần Văn Bình"),
        "{text}"
    );
    assert_eq!(text.matches("GIẤY CHỨNG NHẬN").count(), 2);
    for (token, mine, other) in [
        (&w.officer_q1, "Nguyễn Thị Ánh Tuyết", "Trần Văn Bình"),
        (&w.b_token, "Trần Văn Bình", "Nguyễn Thị Ánh Tuyết"),
        (&w.officer_q12, "Trần Văn Bình", "Nguyễn Thị Ánh Tuyết"),
    ] {
        let file = pdf(&app, &batch, Some(token)).await;
        assert_eq!(file.pages(), 1);
        let text = file.text();
        assert!(text.contains(mine) && !text.contains(other), "{text}");
    }
    let (s, v) = app.get(&batch, Some(&w.officer_gv)).await;
    assert_eq!(s, Status::NotFound, "{v}");
    assert_eq!(app.get(&batch, None).await.0, Status::Unauthorized);
    assert_eq!(
        app.get("/api/classes/NO-SUCH/certificates.pdf", Some(&w.school))
            .await
            .0,
        Status::NotFound
    );
}
