//! Browser tests: the real server (SQLite and PostgreSQL, demo data) driven through headless
//! Chromium. Each flow is a test of its own on each backend, in a browser session of its own; the
//! tests of one backend share its server (started by the first of them, so the demo data is made
//! once per backend) and run side by side. The flows that need the school's classes and
//! certificates ask for them ([`school_classes`]): they are made once per backend, through the
//! school's pages, by the first test that asks. Screenshots land in target/screenshots/. Without
//! Chromium the tests skip loudly (fail in CI).

mod classedit;
mod dashboard;
mod documents;
mod error_language;
mod harness;
mod notices;
mod record;

use classedit::{school_class_edits, school_expiring_list, school_module_prerequisites};
use dashboard::commission_splits;
use documents::cadre_certificate_pdf;
use error_language::errors_in_vietnamese;
use notices::notices_inbox;

use harness::{Browser, Server, ADMIN_PASSWORD, DEMO_PASSWORD};
use record::cadre_record_editing;
use rocket::tokio::sync::OnceCell;
use serde_json::json;
use std::time::Duration;

/// Declares each flow's two tests, on SQLite and on PostgreSQL, in the slow lane; `$run` is the
/// harness's way of running it (`in_browser`: with a browser session of its own; `on_server`).
macro_rules! flows {
    ($run:ident: $($flow:ident),* $(,)?) => {
        $(
            mod $flow {
                #[test]
                #[ignore = "slow lane: cargo test -- --include-ignored"]
                fn sqlite() {
                    crate::harness::$run(crate::harness::Backend::Sqlite, super::$flow);
                }

                #[test]
                #[ignore = "slow lane: cargo test -- --include-ignored"]
                fn postgres() {
                    crate::harness::$run(crate::harness::Backend::Postgres, super::$flow);
                }
            }
        )*
    };
}

mod lang;

flows!(in_browser:
    language_switch,
    every_role_sees_its_home,
    public_pages,
    cadre_record,
    commission_report,
    officer_roster,
    officer_import_export,
    admin_pages,
    admin_import_template,
    cadre_record_editing,
    school_class_edits,
    school_expiring_list,
    school_module_prerequisites,
    commission_splits,
    errors_in_vietnamese,
    notices_inbox,
    cadre_certificate_pdf,
);
flows!(on_server: school_class_flow);

mod uiedges;

/// What the school's class flow leaves on a backend's server: the classes UI-BOOK-01 (open, a
/// cadre enrolled, six weeks on), UI-FULL-01 (open, full, ten days later), UI-PAST-01 (10 March
/// 2026, 08:00–11:30 at Hội trường A, a cadre added late) and UI-TEST-01 (10 March 2026,
/// finished: two certificates, the second revoked), the module DV-99 and the programme CT-UI; and
/// one valid certificate with its code.
struct SchoolClasses {
    certificate: String,
    code: String,
}

/// The school's classes on this server: made by the first test that asks (in a browser session
/// of its own: the demo cadre's missing module, then [`school_class_pages`]), then shared. If
/// that failed, every test that needs them fails with its message.
async fn school_classes(s: &'static Server) -> &'static SchoolClasses {
    static MADE: [OnceCell<Result<SchoolClasses, String>>; 2] =
        [OnceCell::const_new(), OnceCell::const_new()];
    let made = MADE[s.backend as usize]
        .get_or_init(|| {
            harness::catching(async {
                let bins = harness::browser_binaries().expect("found by the test");
                let b = Browser::start(&s.base, s.backend.name(), &bins).await;
                let (module, me) = cadre_gap_module(&b).await;
                let (certificate, code) = school_class_pages(s, &b, &module, me).await;
                b.close().await;
                SchoolClasses { certificate, code }
            })
        })
        .await;
    match made {
        Ok(classes) => classes,
        Err(e) => panic!(
            "[{}] needs the school's classes, which could not be made (test school_class_flow): {e}",
            s.backend.name()
        ),
    }
}

/// The school's class flow ([`school_class_pages`]), as a test of its own.
async fn school_class_flow(s: &'static Server) {
    school_classes(s).await;
}

/// The certificate page works without login: the number alone shows the holder's initials, the
/// number and the verification code the full name; a wrong code or an unknown number shows the
/// API's message at its field.
async fn public_pages(s: &'static Server, b: &Browser) {
    let classes = school_classes(s).await;
    let (cert, code) = (classes.certificate.as_str(), classes.code.as_str());
    b.open("#/verify").await;
    assert_eq!(b.text("h1").await, "Tra cứu giấy chứng nhận");
    b.fill("#verify-form input", cert).await;
    b.click("#verify-form button[type=submit]").await;
    b.wait("#verify-result dl").await;
    let shown = b.text("#verify-result").await;
    assert!(shown.contains(cert), "{shown}");
    assert_eq!(
        b.js("return document.getElementById('verify-holder').dataset.verified")
            .await,
        json!("false")
    );
    let masked = b.text("#verify-holder").await;
    assert!(masked.contains("***"), "initials only: {masked}");
    b.fill("#verify-form [data-field=code] input", &code.to_lowercase())
        .await;
    b.click("#verify-form button[type=submit]").await;
    b.until(
        "the full answer with the code",
        "return document.getElementById('verify-holder')?.dataset.verified === 'true'",
    )
    .await;
    let full = b.text("#verify-holder").await;
    assert!(!full.contains("***"), "the full name: {full}");
    b.page("verify-with-code").await;
    b.fill("#verify-form [data-field=code] input", "22222-22222")
        .await;
    b.click("#verify-form button[type=submit]").await;
    b.until("a wrong code refused at its field", "return document.querySelector('#verify-form [data-field=code] .field-error')?.textContent.includes('Mã xác thực không đúng')").await;
    b.fill("#verify-form [data-field=code] input", "").await;
    b.click("#verify-form button[type=submit]").await;
    b.wait("#verify-result dl").await;
    let shown = b.text("#verify-result").await;
    assert!(
        shown.contains("Còn hiệu lực")
            || shown.contains("Hết hiệu lực")
            || shown.contains("Đã thu hồi"),
        "{shown}"
    );
    assert!(
        regex_like_date(&shown),
        "a dd/mm/yyyy date on the page: {shown}"
    );
    b.page("verify").await;
    b.c.set_window_size(390, 844).await.expect("phone size");
    b.no_horizontal_scroll("the certificate check on a phone")
        .await;
    b.page("verify-phone").await;
    b.c.set_window_size(1280, 900).await.expect("desktop size");
    b.fill("#verify-form input", "TCB-1999-999999").await;
    b.click("#verify-form button[type=submit]").await;
    b.until("error shown next to the field", "return document.querySelector('#verify-form .field-error, #verify-form .form-error:not([hidden])')?.textContent.includes('TCB-1999-999999')").await;
    b.no_errors("verify").await;
}

/// Reasons (under SEL) still in the API's English words or with ISO dates: none expected.
const VIETNAMESE_REASONS: &str = "const all = [...document.querySelectorAll('SEL')].map(e => e.textContent); \
    if (!all.length) return ['no reasons under SEL']; \
    return all.filter(t => /\\b(needs|holds|completed|recorded|years|age)\\b|\\d{4}-\\d{2}-\\d{2}/.test(t));";

fn regex_like_date(s: &str) -> bool {
    s.as_bytes().windows(10).any(|w| {
        w.iter().enumerate().all(|(i, c)| match i {
            2 | 5 => *c == b'/',
            _ => c.is_ascii_digit(),
        })
    })
}

/// The switch changes the labels, and the choice survives a reload.
async fn language_switch(_: &'static Server, b: &Browser) {
    b.open("#/login").await;
    assert_eq!(b.text("#login-form label").await, "Tên đăng nhập");
    assert_eq!(
        b.js("return getComputedStyle(document.getElementById('logout')).display")
            .await,
        json!("none"),
        "no logout button before login"
    );
    b.click("#lang").await;
    b.until(
        "English labels",
        "return document.querySelector('#login-form label')?.textContent === 'Username'",
    )
    .await;
    assert_eq!(
        b.js("return document.documentElement.lang").await,
        json!("en")
    );
    b.c.refresh().await.expect("reload");
    b.until(
        "English after reload",
        "return document.querySelector('#login-form label')?.textContent === 'Username'",
    )
    .await;
    b.page("login-en").await;
    b.click("#lang").await;
    b.until(
        "Vietnamese again",
        "return document.querySelector('#login-form label')?.textContent === 'Tên đăng nhập'",
    )
    .await;
    b.page("login").await;
    // A wrong password: the API's message is shown on the form.
    b.fill("#login-form input[name=username]", "school").await;
    b.fill("#login-form input[name=password]", "wrong-password")
        .await;
    b.click("#login-form button[type=submit]").await;
    b.until("login error, in Vietnamese", "return document.querySelector('#login-form .form-error:not([hidden])')?.textContent === 'Sai tên đăng nhập hoặc mật khẩu'").await;
    b.no_errors("login").await;
    // The keyboard alone: from the password field, Tab reaches the login button (with a
    // visible focus ring) and Enter logs in.
    b.fill("#login-form input[name=password]", DEMO_PASSWORD)
        .await;
    b.press("\u{E004}").await;
    assert_eq!(
        b.js("const e = document.activeElement; return [e.matches('#login-form button[type=submit]'), e.matches(':focus-visible'), getComputedStyle(e).outlineStyle]").await,
        json!([true, true, "solid"]),
        "Tab from the password reaches the login button, visibly focused"
    );
    b.page("login-keyboard").await;
    b.press("\u{E007}").await;
    b.wait("[data-home=\"school\"]").await;
    b.logout().await;
}

async fn every_role_sees_its_home(_: &'static Server, b: &Browser) {
    for (user, password, role) in [
        ("admin", ADMIN_PASSWORD, "admin"),
        ("school", DEMO_PASSWORD, "school"),
        ("commission", DEMO_PASSWORD, "commission"),
        ("officer.tandinh", DEMO_PASSWORD, "officer"),
        ("cadre", DEMO_PASSWORD, "cadre"),
    ] {
        b.login(user, password, role).await;
        let who = b.text("#who").await;
        assert!(who.contains(user), "{who}");
        b.page(&format!("home-{role}")).await;
        b.logout().await;
    }
}

/// Reads which module the demo cadre lacks (from their own record), and the cadre's id.
async fn cadre_gap_module(b: &Browser) -> (String, i64) {
    b.login("cadre", DEMO_PASSWORD, "cadre").await;
    b.wait("#gaps").await;
    let key = b
        .until("a missing module", "const li = document.querySelector('#gaps li.unmet[data-key^=\"module:\"]'); return li && li.dataset.key")
        .await;
    let me = b.c.execute_async("const done = arguments[arguments.length - 1]; fetch('/api/me', { headers: { Authorization: 'Bearer ' + sessionStorage.getItem('token') } }).then(r => r.json()).then(j => done((j.cadre.cadre || j.cadre).id), e => done(String(e)));", vec![]).await.expect("fetch");
    b.logout().await;
    let module = key
        .as_str()
        .expect("key")
        .trim_start_matches("module:")
        .to_string();
    (
        module,
        me.as_i64().unwrap_or_else(|| panic!("cadre id: {me}")),
    )
}

/// The school creates a class with two sessions (a clash is shown inline first), enrols three
/// cadres into two seats (the third waits), withdraws one and sees the promotion; then runs the
/// class: attendance and results saved in one go, finished, certificates issued. Returns one.
async fn school_class_pages(s: &Server, b: &Browser, module: &str, me: i64) -> (String, String) {
    b.login("school", DEMO_PASSWORD, "school").await;
    b.page("classes").await;
    // Classes with their enrolments, as XLSX.
    b.click("#export-classes-xlsx").await;
    let d = b
        .until(
            "the classes XLSX",
            "return (window.__downloads || []).find(d => d.name === 'classes.xlsx')",
        )
        .await;
    assert_eq!(d["magic"].as_str().map(|m| &m[..2]), Some("PK"), "{d}");
    // Two classes ahead (cadres and officers enrol until a class begins: a thirty-seat one six
    // weeks on, a one-seat one ten days later, on days the demo's classes leave free); a past one
    // books a venue; the fourth, at the past one's time and place, is refused inline. A cadre (not
    // the demo cadre) takes a seat in the first three (in the past one, added late by the school).
    let ahead = |n: i64| {
        (cadre_training::shared::clock::city_today() + chrono::Duration::days(n))
            .format("%d/%m/%Y")
            .to_string()
    };
    let mut other = String::new();
    for (code, capacity, day) in [
        ("UI-BOOK-01", "30", ahead(44)),
        ("UI-FULL-01", "1", ahead(54)),
        ("UI-PAST-01", "30", "10/03/2026".to_string()),
        ("UI-TEST-01", "2", "10/03/2026".to_string()),
    ] {
        b.open("#/classes/new").await;
        b.wait("#class-form").await;
        b.fill("#class-form [data-field=code] input", code).await;
        b.js(&format!("const s = document.querySelector('#class-form [data-field=module_code] select'); s.value = '{module}'; s.dispatchEvent(new Event('change'));")).await;
        b.fill("#class-form [data-field=capacity] input", capacity)
            .await;
        // The server checks the enrolment window against the city's day; a window opened the day
        // before today in UTC has opened in the city too.
        let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
            .format("%d/%m/%Y")
            .to_string();
        b.fill("#class-form [data-field=enrol_opens] input", &yesterday)
            .await;
        b.fill("#class-form [data-field=\"sessions[0].date\"] input", &day)
            .await;
        b.fill(
            "#class-form [data-field=\"sessions[0].venue\"] input",
            "Hội trường A",
        )
        .await;
        b.fill(
            "#class-form [data-field=\"sessions[0].instructor\"] input",
            "TS. Lê Văn Minh",
        )
        .await;
        if code == "UI-TEST-01" {
            b.click("#add-session").await;
            b.fill(
                "#class-form [data-field=\"sessions[1].venue\"] input",
                "Phòng 2",
            )
            .await;
            b.fill(
                "#class-form [data-field=\"sessions[1].instructor\"] input",
                "ThS. Trần Thị Hoa",
            )
            .await;
            b.page("new-class").await;
            b.click("#class-form button[type=submit]").await;
            let err = b
                .until("the clash named next to the venue, in Vietnamese", "const e = document.querySelector('#class-form [data-field=\"sessions[0].venue\"] .field-error'); return e && e.textContent.startsWith('Địa điểm đã được lớp') && e.textContent")
                .await;
            let err = err.as_str().unwrap_or("");
            assert!(
                err.contains("UI-PAST-01") && err.contains("10/03/2026, 08:00"),
                "{err}"
            );
            b.page("new-class-conflict").await;
            b.fill(
                "#class-form [data-field=\"sessions[0].venue\"] input",
                "Phòng 1",
            )
            .await;
            b.fill(
                "#class-form [data-field=\"sessions[0].instructor\"] input",
                "TS. Nguyễn Văn Bình",
            )
            .await;
        }
        b.click("#class-form button[type=submit]").await;
        b.wait(&format!("#class-page[data-class=\"{code}\"]")).await;
        if code != "UI-TEST-01" {
            search_cadres(b, "nguyen").await;
            if other.is_empty() {
                other = b.js(&format!("return [...document.querySelectorAll('#enrol-form select option')].slice(4).find(o => o.value !== '{me}').value")).await.as_str().expect("a cadre").to_string();
            }
            b.js(&format!(
                "document.querySelector('#enrol-form select').value = '{other}';"
            ))
            .await;
            b.click("#enrol-form button[type=submit]").await;
            b.until(
                "the cadre enrolled",
                "return document.querySelectorAll('#enrolled-table tbody tr').length === 1",
            )
            .await;
        }
    }
    assert!(b.count("#class-page table tbody tr").await >= 2);
    assert!(
        b.js("return document.querySelector('#class-page a[href$=\"/api/classes/UI-TEST-01/calendar.ics\"]') !== null").await == json!(true),
        "the class's calendar-feed link"
    );
    // Three cadres, found without diacritics.
    search_cadres(b, "nguyen").await;
    for i in 0..3 {
        b.js(&format!(
            "const s = document.querySelector('#enrol-form select'); s.selectedIndex = {i};"
        ))
        .await;
        b.click("#enrol-form button[type=submit]").await;
        b.until("the enrolment listed", &format!("return document.querySelectorAll('#enrolled-table tbody tr, #waitlist-table tbody tr').length === {}", i + 1)).await;
    }
    assert_eq!(b.count("#enrolled-table tbody tr").await, 2);
    assert_eq!(b.count("#waitlist-table tbody tr").await, 1);
    // The API's refusals are shown next to the cadre field: the same cadre twice, and a cadre
    // whose other class (UI-PAST-01) meets at the same time.
    b.js("document.querySelector('#enrol-form select').selectedIndex = 0;")
        .await;
    b.click("#enrol-form button[type=submit]").await;
    b.until("already enrolled, at the field", "return document.querySelector('#enrol-form [data-field=cadre_id] .field-error')?.textContent.includes('Cán bộ đã ghi danh vào lớp UI-TEST-01')").await;
    b.js(&format!(
        "document.querySelector('#enrol-form select').value = '{other}';"
    ))
    .await;
    b.click("#enrol-form button[type=submit]").await;
    b.until("the clash names the other class, at the field", "return document.querySelector('#enrol-form [data-field=cadre_id] .field-error')?.textContent.includes('UI-PAST-01')").await;
    b.page("class-cadre-conflict").await;
    assert_eq!(b.count("#waitlist-table tbody tr").await, 1);
    assert_eq!(b.text("#waitlist-table tbody tr td").await, "1");
    let waiting = b
        .js("return document.querySelector('#waitlist-table tbody tr').dataset.enrolment")
        .await;
    b.page("class-waitlist").await;
    b.click("#enrolled-table tbody tr button.withdraw").await;
    // It asks first, with the reason (tests/browser/uiedges.rs walks the dialog).
    b.fill("#withdraw-dialog textarea", "Ốm").await;
    b.click("#withdraw-dialog button[type=submit]").await;
    b.until(
        "promotion visible",
        "return document.querySelector('#enrolled-table tr.promoted') !== null",
    )
    .await;
    assert_eq!(
        b.js("return document.querySelector('#enrolled-table tr.promoted').dataset.enrolment")
            .await,
        waiting
    );
    assert_eq!(b.count("#waitlist-table tbody tr").await, 0);
    let msg = b.text("#class-msg").await;
    assert!(msg.contains("được chuyển từ danh sách chờ"), "{msg}");
    b.page("class-promoted").await;
    b.c.set_window_size(390, 844).await.expect("phone size");
    b.no_horizontal_scroll("the class page on a phone").await;
    b.page("class-phone").await;
    b.c.set_window_size(1280, 900).await.expect("desktop size");
    b.no_errors("class page").await;
    // Run the class: attendance for every session and the results, then finish it.
    b.click("#status-actions button[data-status=running]").await;
    b.wait("#attendance-form select").await;
    b.js("document.querySelectorAll('#attendance-form select').forEach(s => { s.value = 'present'; }); document.querySelectorAll('#attendance-form input.passed').forEach(c => { c.checked = true; }); document.querySelectorAll('#attendance-form input.score').forEach(i => { i.value = '8.5'; });").await;
    assert_eq!(
        b.count("#attendance-form select").await,
        4,
        "two cadres × two sessions"
    );
    b.click("#attendance-form button[type=submit]").await;
    b.until(
        "saved",
        "return document.querySelector('#class-msg')?.textContent.includes('Đã lưu')",
    )
    .await;
    b.page("class-attendance").await;
    // Finishing the class and revoking a certificate move the gap report's numbers: not while
    // another test compares two readings of it.
    let report = s.report.write().await;
    b.click("#status-actions button[data-status=finished]")
        .await;
    let cert = b
        .until("certificates", "const a = document.querySelector('#class-page section:last-of-type a[href^=\"#/verify/\"]'); return a && a.textContent")
        .await;
    // The verification code is shown beside the number (and the link carries it).
    let code = b
        .until("the certificate's code", "const a = document.querySelector('#class-page section:last-of-type a[href^=\"#/verify/\"]'); const c = a && a.closest('tr').querySelector('td.cert-code'); return c && /^[2-9A-Z]{10}$/.test(c.textContent) && a.getAttribute('href').includes('code=' + c.textContent) && c.textContent")
        .await;
    assert_eq!(b.count("#class-page a[href^=\"#/verify/\"]").await, 2);
    b.page("class-certificates").await;
    // Revoke the second certificate with a reason.
    b.fill(
        "#class-page section:last-of-type tbody tr:nth-child(2) form input",
        "Hồ sơ không hợp lệ",
    )
    .await;
    b.click("#class-page section:last-of-type tbody tr:nth-child(2) form button")
        .await;
    b.until("revoked", "return document.querySelector('#class-page section:last-of-type tbody tr:nth-child(2) .badge.b-revoked') !== null").await;
    // Its public page says since when (not why).
    b.click("#class-page section:last-of-type tbody tr:nth-child(2) a[href^=\"#/verify/\"]")
        .await;
    let today = cadre_training::shared::clock::city_today()
        .format("%d/%m/%Y")
        .to_string();
    let since = b
        .until(
            "the day it was revoked",
            "return document.getElementById('verify-revoked-on')?.textContent",
        )
        .await;
    assert_eq!(since.as_str(), Some(today.as_str()), "{since}");
    assert!(!b
        .text("#verify-result")
        .await
        .contains("Hồ sơ không hợp lệ"));
    drop(report);
    b.no_errors("class run").await;
    // The calendar shows the sessions; demand and curriculum open.
    b.open("#/classes?month=2026-03").await;
    b.until("calendar entry", "return document.querySelector('#month-calendar td[data-day=\"2026-03-10\"] a.ev') !== null").await;
    b.page("calendar").await;
    b.click("#classes a[href*=\"view=week\"]").await;
    b.until("week calendar", "return document.querySelector('#week-calendar li[data-day=\"2026-03-10\"] a[href=\"#/class/UI-TEST-01\"]') !== null").await;
    b.page("calendar-week").await;
    b.open("#/demand").await;
    b.wait("#demand table").await;
    b.page("demand").await;
    assert!(b.count("#demand td.num").await > 0, "demand per module");
    b.click("#export-demand-csv").await;
    b.until(
        "the demand CSV",
        "return (window.__downloads || []).some(d => d.name.endsWith('.csv') && d.name.includes('demand'))",
    )
    .await;
    let module = b.js("return document.querySelector('#demand tr[data-module] a.button').closest('tr').dataset.module").await;
    b.click("#demand tr[data-module] a.button").await;
    b.wait("#class-form").await;
    assert_eq!(
        b.js("return document.querySelector('#class-form [data-field=module_code] select').value")
            .await,
        module,
        "schedule a class for this module"
    );
    b.open("#/modules").await;
    b.click("#new-module").await;
    b.fill("#module-form [data-field=code] input", "DV-99")
        .await;
    b.fill("#module-form [data-field=title_vi] input", "").await;
    b.click("#module-form button[type=submit]").await;
    b.until("error next to the Vietnamese title", "return document.querySelector('#module-form [data-field=title_vi] .field-error')?.textContent").await;
    b.fill(
        "#module-form [data-field=title_vi] input",
        "Chuyển đổi số trong công tác dân vận",
    )
    .await;
    b.fill(
        "#module-form [data-field=title_en] input",
        "Digital transformation in mass mobilisation",
    )
    .await;
    b.click("#module-form button[type=submit]").await;
    b.wait("#modules tr[data-module=\"DV-99\"]").await;
    // Edit it: the new periods are listed.
    b.click("#modules tr[data-module=\"DV-99\"] button.edit")
        .await;
    b.until(
        "the edit form",
        "return document.querySelector('#module-form h2')?.textContent.includes('DV-99')",
    )
    .await;
    b.fill("#module-form [data-field=periods] input", "6").await;
    b.page("module-edit").await;
    b.click("#module-form button[type=submit]").await;
    b.until("the edited module", "return document.querySelector('#modules-msg .notice') !== null && document.querySelector('#modules tr[data-module=\"DV-99\"] td.num')?.textContent === '6'").await;
    // A new programme: without modules it is refused next to the module boxes; then created.
    b.click("#new-programme").await;
    b.fill("#programme-form [data-field=code] input", "CT-UI")
        .await;
    b.fill(
        "#programme-form [data-field=name_vi] input",
        "Bồi dưỡng chuyển đổi số",
    )
    .await;
    b.fill(
        "#programme-form [data-field=name_en] input",
        "Digital refresher",
    )
    .await;
    b.click("#programme-form button[type=submit]").await;
    b.until("error next to the modules", "return document.querySelector('#programme-form [data-field=modules] .field-error')?.textContent").await;
    b.click("#programme-form input[value=\"DV-01\"]").await;
    b.click("#programme-form input[value=\"DV-99\"]").await;
    b.click("#programme-form button[type=submit]").await;
    b.until("the new programme", "return document.querySelector('#modules tr[data-programme=\"CT-UI\"]')?.textContent.includes('DV-01, DV-99')").await;
    // Edit it: DV-99 taken out.
    b.click("#modules tr[data-programme=\"CT-UI\"] button.edit")
        .await;
    b.click("#programme-form input[value=\"DV-99\"]").await;
    b.click("#programme-form button[type=submit]").await;
    b.until("the edited programme", "const tr = document.querySelector('#modules tr[data-programme=\"CT-UI\"]'); return tr && !tr.textContent.includes('DV-99')").await;
    b.page("curriculum").await;
    b.no_errors("school pages").await;
    b.logout().await;
    (
        cert.as_str().expect("certificate number").to_string(),
        code.as_str().expect("certificate code").to_string(),
    )
}

/// On a class page: finds cadres by name (without diacritics) and lets the debounced search settle.
async fn search_cadres(b: &Browser, q: &str) {
    b.fill("#enrol-form input[type=search]", q).await;
    b.until(
        "search results",
        "return document.querySelectorAll('#enrol-form select option').length >= 6",
    )
    .await;
    rocket::tokio::time::sleep(std::time::Duration::from_millis(400)).await;
}

/// The cadre sees a gap with a suggested open class and enrols in it; also on a phone.
async fn cadre_record(s: &'static Server, b: &Browser) {
    school_classes(s).await;
    b.login("cadre", DEMO_PASSWORD, "cadre").await;
    b.wait("#gaps .suggested-class button.enrol-btn[data-class=\"UI-BOOK-01\"]")
        .await;
    // Every part of the record is there.
    let record = b.text("#my-record").await;
    for part in [
        "Thông tin cá nhân",
        "Chức danh đang giữ",
        "Quy hoạch",
        "Trình độ",
        "Chuyên đề đã hoàn thành",
        "Lớp đã đăng ký",
        "Buổi học sắp tới",
        "Lịch học (iCalendar)",
    ] {
        assert!(record.contains(part), "{part} on the record: {record}");
    }
    // The reasons are in Vietnamese, dates dd/mm/yyyy.
    assert_eq!(
        b.js(VIETNAMESE_REASONS.replace("SEL", "#gaps .reason").as_str())
            .await,
        json!([]),
        "reasons in Vietnamese"
    );
    // A full class is offered as a request for a waitlist place.
    assert_eq!(
        b.text("#gaps button.request-btn[data-class=\"UI-FULL-01\"]")
            .await,
        "Xin vào danh sách chờ"
    );
    b.page("cadre-record").await;
    b.c.set_window_size(390, 844).await.expect("phone size");
    b.no_horizontal_scroll("the cadre record on a phone").await;
    b.page("cadre-phone").await;
    b.click("#gaps button.request-btn[data-class=\"UI-FULL-01\"]")
        .await;
    b.until(
        "waitlisted notice",
        "return document.querySelector('#me-msg')?.textContent.includes('UI-FULL-01')",
    )
    .await;
    b.until("the record reloaded", "return document.querySelector('#gaps button.enrol-btn[data-class=\"UI-FULL-01\"]') === null && document.querySelector('#gaps .badge.b-waitlisted') !== null").await;
    b.click("#gaps button.enrol-btn[data-class=\"UI-BOOK-01\"]")
        .await;
    b.until(
        "enrolled notice",
        "return document.querySelector('#me-msg')?.textContent.includes('UI-BOOK-01')",
    )
    .await;
    b.c.set_window_size(1280, 900).await.expect("desktop size");
    // The record reloads: the class is among my classes and its sessions are coming up.
    b.until("upcoming sessions", "return [...document.querySelectorAll('#my-record table td')].some(td => td.textContent.includes('UI-BOOK-01')) && document.querySelector('#feed button') !== null").await;
    assert_eq!(
        b.count("#gaps button.enrol-btn[data-class=\"UI-BOOK-01\"]")
            .await,
        0,
        "no second enrol button"
    );
    b.click("#feed button").await;
    let feed = b
        .until(
            "calendar link",
            "return document.querySelector('#feed a.feed-link')?.href",
        )
        .await;
    assert!(feed.as_str().unwrap_or("").ends_with(".ics"), "{feed}");
    b.page("cadre-enrolled").await;
    b.c.set_window_size(390, 844).await.expect("phone size");
    b.no_horizontal_scroll("the cadre record with the feed link on a phone")
        .await;
    b.js("document.getElementById('feed').scrollIntoView()")
        .await;
    b.page("cadre-phone-feed").await;
    b.c.set_window_size(1280, 900).await.expect("desktop size");
    b.no_errors("cadre record").await;
    b.logout().await;
}

/// City report → district → ward, the cadres behind a heat-map cell, and the XLSX export.
async fn commission_report(s: &'static Server, b: &Browser) {
    b.login("commission", DEMO_PASSWORD, "commission").await;
    b.wait("#bar-chart").await;
    b.wait("#heatmap").await;
    assert!(b.count("#bar-chart g.bar").await > 5);
    // The bars are sorted (lowest compliance first); the heat map colours every cell with cadres
    // falling short by their share (heat-1 … heat-5), and cells with none as heat-0.
    assert_eq!(
        b.js("const v = [...document.querySelectorAll('#bar-chart g.bar')].map(g => g.dataset.value).filter(x => x !== '').map(Number); return v.every((x, i) => i === 0 || v[i - 1] <= x)").await,
        json!(true),
        "bars sorted"
    );
    assert_eq!(
        b.js("const cells = [...document.querySelectorAll('#heatmap td.cell')]; return cells.length > 0 && cells.some(td => /heat-[1-5]/.test(td.className)) && cells.every(td => td.querySelector('.heat-btn') ? /heat-[1-5]/.test(td.className) : !/heat-[1-5]/.test(td.className))").await,
        json!(true),
        "heat-map colours by share falling short"
    );
    b.page("report-city").await;
    {
        let _report = s.report.read().await;
        report_rows_drill(b).await;
    }
    // Numbers in the Vietnamese way: thousands grouped with '.' ("1.184"), a decimal comma ("72,4 %").
    let assessed = b.text("#kpi-assessed").await;
    assert!(
        assessed.len() > 4
            && assessed.chars().all(|c| c.is_ascii_digit() || c == '.')
            && assessed.contains('.'),
        "a number grouped with '.': {assessed}"
    );
    let kpi = b.text("#kpi-compliance").await;
    assert!(
        kpi.contains(',') && !kpi.contains('.'),
        "Vietnamese number: {kpi}"
    );
    b.c.set_window_size(390, 844).await.expect("phone size");
    b.c.refresh().await.expect("reload");
    b.wait("#bar-chart").await;
    b.no_horizontal_scroll("the gap report on a phone").await;
    b.page("report-phone").await;
    b.c.set_window_size(1280, 900).await.expect("desktop size");
    b.c.refresh().await.expect("reload");
    b.wait("#heatmap a.drill").await;
    // Today the city has wards only; at the end of 2020 it had districts and their wards, under
    // their 2020 names.
    b.click("#report-filters button.preset[data-date=\"2020-12-31\"]")
        .await;
    b.until("the city in 2020, by district", "return location.hash.includes('as_of=2020-12-31') && [...document.querySelectorAll('#heatmap a.drill')].some(a => a.textContent === 'Quận 1')").await;
    b.wait(".crumbs li").await;
    let crumbs = 1;
    assert_eq!(b.count(".crumbs li").await, crumbs, "the city is the root");
    b.click("#heatmap a.drill").await;
    b.until(
        "district level",
        &format!(
            "return document.querySelectorAll('.crumbs li').length === {}",
            crumbs + 1
        ),
    )
    .await;
    b.wait("#heatmap a.drill").await;
    b.page("report-district").await;
    b.js("document.getElementById('heatmap').scrollIntoView()")
        .await;
    b.page("report-heatmap").await;
    b.click("#heatmap a.drill").await;
    b.until(
        "ward level",
        &format!(
            "return document.querySelectorAll('.crumbs li').length === {}",
            crumbs + 2
        ),
    )
    .await;
    b.page("report-ward").await;
    // Back up one level, where the heat map has cells with cadres behind them.
    b.c.back().await.expect("back");
    b.until("district again", &format!("return document.querySelectorAll('.crumbs li').length === {} && document.querySelector('#heatmap .heat-btn') !== null", crumbs + 1)).await;
    // A bar opens the cadres behind it, by mouse and by keyboard.
    b.click("#bar-chart g.bar").await;
    b.until(
        "cadres behind the bar",
        "return document.querySelectorAll('#cadres-table tbody tr').length > 0",
    )
    .await;
    b.js("document.getElementById('cadres-panel').replaceChildren(); document.querySelector('#bar-chart g.bar:last-of-type').focus();").await;
    b.c.active_element()
        .await
        .expect("focused bar")
        .send_keys("\u{E007}")
        .await
        .expect("Enter");
    b.until(
        "cadres behind the bar (keyboard)",
        "return document.querySelectorAll('#cadres-table tbody tr').length > 0",
    )
    .await;
    b.click("#heatmap .heat-btn").await;
    b.until(
        "cadres behind the cell",
        "return document.querySelectorAll('#cadres-table tbody tr').length > 0",
    )
    .await;
    assert_eq!(
        b.js(VIETNAMESE_REASONS
            .replace("SEL", "#cadres-table .reasons li")
            .as_str())
            .await,
        json!([]),
        "reasons in Vietnamese"
    );
    b.page("report-cadres").await;
    // The cadres on screen, as XLSX.
    b.click("#export-cadres-xlsx").await;
    b.until(
        "the cadres XLSX",
        "return (window.__downloads || []).some(d => d.name.endsWith('.xlsx') && d.magic.startsWith('PK'))",
    )
    .await;
    b.js("window.__downloads = [];").await;
    b.click("#export-xlsx").await;
    let d = b
        .until(
            "the XLSX download",
            "return (window.__downloads || []).find(d => d.name.endsWith('.xlsx'))",
        )
        .await;
    assert_eq!(d["magic"].as_str().map(|m| &m[..2]), Some("PK"), "{d}");
    assert!(d["size"].as_i64().unwrap_or(0) > 1000, "{d}");
    b.click("#export-csv").await;
    b.until(
        "the CSV download",
        "return (window.__downloads || []).some(d => d.name.endsWith('.csv') && d.size > 100)",
    )
    .await;
    // Filters: an earlier date and the planned successors.
    b.fill("#report-filters [data-field=as_of] input", "31/12/2015")
        .await;
    b.js("document.querySelector('#report-filters [data-field=population] select').value = 'planned';").await;
    b.click("#report-filters button[type=submit]").await;
    b.until("the filtered report", "return location.hash.includes('as_of=2015-12-31') && location.hash.includes('population=planned') && document.querySelector('#report-filters [data-field=as_of] input')?.value === '31/12/2015' && document.querySelector('#kpi-compliance') !== null").await;
    b.page("report-2015-planned").await;
    b.fill("#report-filters [data-field=as_of] input", "31/02/2015")
        .await;
    b.click("#report-filters button[type=submit]").await;
    b.until("a bad date refused at the field", "return document.querySelector('#report-filters [data-field=as_of] .field-error')?.textContent").await;
    // The final-review date, one click away.
    b.click("#report-filters button.preset[data-date=\"2020-12-31\"]")
        .await;
    b.until("the 2020 report", "return location.hash.includes('as_of=2020-12-31') && document.querySelector('#report-filters [data-field=as_of] input')?.value === '31/12/2020'").await;
    b.open("#/compare").await;
    b.wait("#compare-chart").await;
    assert!(
        b.count("#compare-chart g.bar").await > 5,
        "a bar of change per unit"
    );
    // A row opens that unit's comparison, but the city's own row and UNPLACED (no unit of the
    // day) are plain text: neither has a comparison of its own below the city's.
    assert_eq!(
        b.js("const links = [...document.querySelectorAll('#compare td a')].map(a => a.getAttribute('href')); const cells = [...document.querySelectorAll('#compare tbody tr td:first-child')]; return [links.length > 5, links.filter(h => h.includes('unit=UNPLACED') || h.includes('unit=79&')), cells.filter(td => !td.querySelector('a')).length >= 2]").await,
        json!([true, [], true]),
        "the links of the comparison's rows"
    );
    b.page("compare").await;
    // Up to today, past the 2025 reorganisation, the demo data has an UNPLACED row too.
    let today = cadre_training::shared::clock::city_today();
    b.open(&format!("#/compare?from=2015-12-31&to={today}"))
        .await;
    b.until("the comparison up to today", &format!("return location.hash.includes('to={today}') && document.querySelectorAll('#compare td a').length > 5")).await;
    assert_eq!(
        b.js("const links = [...document.querySelectorAll('#compare td a')].map(a => a.getAttribute('href')); const cells = [...document.querySelectorAll('#compare tbody tr td:first-child')]; return [links.filter(h => h.includes('unit=UNPLACED') || h.includes('unit=79&')), cells.filter(td => !td.querySelector('a')).length]").await,
        json!([[], 3]),
        "the city, UNPLACED and the total: no links"
    );
    b.click("#export-compare-csv").await;
    b.until(
        "the comparison CSV",
        "return (window.__downloads || []).some(d => d.name.endsWith('.csv') && d.size > 100 && d.name.includes('compare'))",
    )
    .await;
    // Title standards: versions, and a new version published from the form.
    b.open("#/standards?title=FF-CHAIR-COMMUNE").await;
    b.wait("#publish-form").await;
    let versions = b.count("#standards section").await;
    b.click("#publish-form button[type=submit]").await;
    b.until("date error next to the field", "return document.querySelector('#publish-form [data-field=effective_from] .field-error')?.textContent").await;
    // A first day before today is refused until confirmed as retroactive. Yesterday, with the
    // latest version's requirements (the form's own), leaves every report's numbers as they are;
    // it is published under the report's write lock all the same.
    let yesterday = (cadre_training::shared::clock::city_today() - chrono::Duration::days(1))
        .format("%d/%m/%Y")
        .to_string();
    b.fill(
        "#publish-form [data-field=effective_from] input",
        &yesterday,
    )
    .await;
    b.click("#publish-form button[type=submit]").await;
    b.until("asked to confirm as retroactive", "return document.querySelector('#publish-form [data-field=effective_from] .field-error')?.textContent.includes('hồi tố')").await;
    assert_eq!(b.count("#standards section").await, versions);
    {
        let _report = s.report.write().await;
        b.click("#publish-form [data-field=retroactive] input")
            .await;
        b.click("#publish-form button[type=submit]").await;
        b.until_within(
            Duration::from_secs(30),
            "the retroactive version listed",
            &format!(
                "return document.querySelectorAll('#standards section').length === {}",
                versions + 1
            ),
        )
        .await;
    }
    assert!(b.text("#standards section").await.contains(&yesterday));
    let versions = versions + 1;
    b.wait("#publish-form").await;
    b.fill(
        "#publish-form [data-field=effective_from] input",
        "01/01/2030",
    )
    .await;
    b.fill(
        "#publish-form [data-field=note] input",
        "Thử nghiệm giao diện",
    )
    .await;
    b.click("#publish-form button[type=submit]").await;
    b.until_within(
        Duration::from_secs(30),
        "the new version listed",
        &format!(
            "return document.querySelectorAll('#standards section').length === {}",
            versions + 1
        ),
    )
    .await;
    assert!(b.text("#standards section").await.contains("01/01/2030"));
    b.page("standards").await;
    // The labels follow the language switch on a signed-in page too.
    b.click("#lang").await;
    b.until(
        "English menu",
        "return document.querySelector('#nav a')?.textContent === 'Gap report'",
    )
    .await;
    b.open("#/home").await;
    b.wait("#heatmap").await;
    b.until("English page", "return document.querySelector('#home-title')?.textContent.startsWith('Organisation commission')").await;
    let kpi = b.text("#kpi-compliance").await;
    assert!(
        kpi.contains('.') && !kpi.contains(','),
        "English number: {kpi}"
    );
    b.page("report-en").await;
    b.click("#lang").await;
    b.until(
        "Vietnamese menu",
        "return document.querySelector('#nav a')?.textContent === 'Báo cáo thiếu hụt'",
    )
    .await;
    b.no_errors("report pages").await;
    b.logout().await;
}

/// A row of the city report opens only the cadres counted in that row: the unit's own row (when
/// the report has one) through the page, and the first child row through the API.
async fn report_rows_drill(b: &Browser) {
    let report = api_get(b, "/api/reports/gaps?unit=79").await;
    let rows = report["rows"].as_array().expect("rows");
    let unit = report["unit_code"].as_str().expect("unit").to_string();
    if let Some(own) = rows.iter().find(|r| r["unit_code"] == json!(unit)) {
        let short = own["short"].as_i64().expect("short");
        b.click(&format!("#bar-chart g.bar[data-unit=\"{unit}\"]"))
            .await;
        let heading = b
            .until(
                "the cadres of the unit's own row",
                "return document.querySelector('#cadres-panel h2')?.textContent",
            )
            .await;
        let heading = heading.as_str().unwrap_or("").to_string();
        // "… (1.234)": the number in the Vietnamese way.
        let shown: String = heading
            .rsplit('(')
            .next()
            .unwrap_or("")
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        assert_eq!(
            shown,
            short.to_string(),
            "the own row lists its {short} cadres only: {heading}"
        );
    }
    let child = rows
        .iter()
        .find(|r| r["unit_code"] != json!(unit) && r["unit_code"] != json!("UNPLACED"))
        .expect("a child row");
    let code = child["unit_code"].as_str().expect("code");
    let list = api_get(
        b,
        &format!("/api/reports/gaps/cadres?unit={unit}&row={code}&status=short&limit=1"),
    )
    .await;
    assert_eq!(
        list["total"], child["short"],
        "the cadres of row {code} are those counted in it: {child}"
    );
}

/// The officer adds a cadre (a wrong ID refused at its field), nominates them for a class, edits
/// the record and searches the roster without diacritics.
async fn officer_roster(s: &'static Server, b: &Browser) {
    school_classes(s).await;
    b.login("officer.tandinh", DEMO_PASSWORD, "officer").await;
    // Add a cadre (a wrong ID is refused next to its field), then nominate them.
    b.click("#add-cadre").await;
    b.fill("#cadre-form [data-field=full_name] input", "Lê Thị Thử")
        .await;
    b.fill("#cadre-form [data-field=birth_date] input", "15/05/1985")
        .await;
    b.fill("#cadre-form [data-field=personal_id] input", "123")
        .await;
    b.click("#cadre-form button[type=submit]").await;
    b.until("ID error next to the field", "return document.querySelector('#cadre-form [data-field=personal_id] .field-error')?.textContent").await;
    b.fill("#cadre-form [data-field=personal_id] input", "079185000123")
        .await;
    // Recorded with the third gender, which the edit below must keep.
    b.js("document.querySelector('#cadre-form [data-field=gender] select').value = 'other';")
        .await;
    b.click("#cadre-form button[type=submit]").await;
    b.until("the new cadre listed", "return [...document.querySelectorAll('#roster-table tbody td')].some(td => td.textContent === 'Lê Thị Thử')").await;
    b.click("#roster-table tbody tr button.nominate").await;
    b.wait("#roster-table form.inline select").await;
    b.js("const s = document.querySelector('#roster-table form.inline select'); s.value = 'UI-BOOK-01';").await;
    b.click("#roster-table form.inline button[type=submit]")
        .await;
    b.until("nominated", "return document.querySelector('#roster')?.textContent.includes('Đã ghi danh vào lớp UI-BOOK-01')").await;
    // Edit the record: the new name is listed.
    b.click("#roster-table tbody tr button.edit").await;
    b.fill("#cadre-form [data-field=full_name] input", "Lê Thị Thử Mới")
        .await;
    b.click("#cadre-form button[type=submit]").await;
    b.until("the edited cadre listed", "return [...document.querySelectorAll('#roster-table tbody td')].some(td => td.textContent === 'Lê Thị Thử Mới')").await;
    let edited = api_get(b, "/api/cadres?q=le%20thi%20thu%20moi").await;
    assert_eq!(
        edited["items"][0]["gender"], "other",
        "an edit keeps the gender on record: {edited}"
    );
    b.fill("#roster-search input", "nguyen").await;
    b.click("#roster-search button[type=submit]").await;
    b.until("roster search", "return location.hash.includes('q=nguyen') && document.querySelectorAll('#roster-table tbody tr').length > 0").await;
    let names = b.text("#roster-table tbody").await;
    assert!(
        names.contains("Nguyễn"),
        "diacritics-insensitive search: {names}"
    );
    b.page("roster").await;
    b.no_errors("roster").await;
    b.logout().await;
}

/// The officer's import and exports ([`officer_imports`]).
async fn officer_import_export(_: &'static Server, b: &Browser) {
    b.login("officer.tandinh", DEMO_PASSWORD, "officer").await;
    officer_imports(b).await;
    b.logout().await;
}

/// The admin: accounts (a short password refused at its field, a reset, a deactivation), the unit
/// and successor imports, and the audit trail (the school's classes among its entries).
async fn admin_pages(s: &'static Server, b: &Browser) {
    b.login("admin", ADMIN_PASSWORD, "admin").await;
    b.open("#/accounts").await;
    b.fill("#account-form [data-field=username] input", "ui.school")
        .await;
    b.fill("#account-form [data-field=password] input", "short")
        .await;
    b.js("document.querySelector('#account-form [data-field=role] select').value = 'school';")
        .await;
    b.click("#account-form button[type=submit]").await;
    b.until("password error next to the field", "return document.querySelector('#account-form [data-field=password] .field-error')?.textContent").await;
    b.fill(
        "#account-form [data-field=password] input",
        "a-long-password-1",
    )
    .await;
    b.click("#account-form button[type=submit]").await;
    b.wait("#accounts-table tr[data-account=\"ui.school\"]")
        .await;
    // Reset its password: too short is refused next to the field, then saved.
    let pw = "#accounts-table tr[data-account=\"ui.school\"] form input[type=password]";
    let reset = "#accounts-table tr[data-account=\"ui.school\"] form button[type=submit]";
    b.fill(pw, "short").await;
    b.click(reset).await;
    b.until("the short password refused at the field", "return document.querySelector('#accounts-table tr[data-account=\"ui.school\"] [data-field=new_password] .field-error')?.textContent").await;
    b.fill(pw, "another-long-password-2").await;
    b.click(reset).await;
    b.until(
        "password reset",
        "return document.querySelector('#accounts .notice')?.textContent === 'Đã lưu'",
    )
    .await;
    b.page("accounts-reset").await;
    b.click("#accounts-table tr[data-account=\"ui.school\"] button.toggle-active")
        .await;
    b.until("deactivated", "return document.querySelector('#accounts-table tr[data-account=\"ui.school\"] td:nth-child(4)')?.textContent === '—'").await;
    // Unit import: a small file (already loaded units) through the file field.
    let csv = std::env::temp_dir().join(format!("ui-units-{}-{}.csv", std::process::id(), b.name));
    std::fs::write(&csv, "code,name,kind,parent_code\n79,Thành phố Hồ Chí Minh,city,\n26737,Phường Tân Định,ward,79\n").expect("csv");
    b.c.find(fantoccini::Locator::Css("#import-form input[type=file]"))
        .await
        .expect("file field")
        .send_keys(&csv.display().to_string())
        .await
        .expect("choose file");
    b.click("#import-form button[type=submit]").await;
    b.until("import counts", "return document.querySelector('#import-result [data-count=unchanged]')?.textContent === '2'").await;
    let _ = std::fs::remove_file(&csv);
    // The new fields: a bad effective date is refused at the field.
    b.fill("#import-form [data-field=effective] input", "31/02/2025")
        .await;
    b.click("#import-form button[type=submit]").await;
    b.until("the effective date refused at the field", "return document.querySelector('#import-form [data-field=effective] .field-error')?.textContent").await;
    assert_eq!(
        b.count("#import-form [data-field=retire_missing] input[type=checkbox]")
            .await,
        1
    );
    successor_import(b).await;
    school_classes(s).await;
    b.open("#/audit?entity=class").await;
    b.until("audit entries of classes", "return [...document.querySelectorAll('#audit-table tbody td[data-entity=class]')].some(td => td.textContent.endsWith(' UI-TEST-01'))").await;
    // The filters through the form: a bad date is refused at its field; then who and what.
    b.fill("#audit-filters [data-field=from] input", "32/01/2030")
        .await;
    b.click("#audit-filters button[type=submit]").await;
    b.until("a bad date at the field", "return document.querySelector('#audit-filters [data-field=from] .field-error')?.textContent").await;
    b.fill("#audit-filters [data-field=from] input", "").await;
    b.fill("#audit-filters [data-field=actor] input", "admin")
        .await;
    b.fill("#audit-filters [data-field=entity] input", "account")
        .await;
    b.click("#audit-filters button[type=submit]").await;
    b.until("entries of accounts by admin", "const rows = [...document.querySelectorAll('#audit-table tbody tr')]; return location.hash.includes('actor=admin') && rows.length > 0 && rows.every(tr => tr.cells[1].textContent === 'admin' && tr.cells[3].dataset.entity === 'account')").await;
    let actions = b.text("#audit-table tbody").await;
    assert!(
        actions.contains("Đặt lại mật khẩu") && actions.contains("Khóa tài khoản"),
        "the password reset, in Vietnamese: {actions}"
    );
    b.page("audit-filtered").await;
    b.no_errors("audit filters").await;
    for (route, sel, shot) in [
        ("#/accounts", "#accounts-table", "accounts"),
        ("#/audit", "#audit-table", "audit"),
    ] {
        b.open(route).await;
        b.wait(sel).await;
        b.page(shot).await;
        b.no_errors(route).await;
    }
    b.logout().await;
}

/// The admin's Excel template from the import page: the button downloads an XLSX whose data
/// sheet comes first with the example row, then the instructions sheet and the hidden lists (the
/// live units only: the wards the 2025 reorganisation retired are not offered); the file, chosen
/// in the same page, passes the check (a dry run: nothing written).
async fn admin_import_template(_: &'static Server, b: &Browser) {
    use calamine::{Reader, SheetVisible, Xlsx};
    b.login("admin", ADMIN_PASSWORD, "admin").await;
    b.click("#nav a[href=\"#/import\"]").await;
    b.wait("#import-file-form").await;
    // What the page hands to the browser as a download (the blob behind the link), kept to read.
    b.js("window.__blobs = []; const make = URL.createObjectURL.bind(URL); URL.createObjectURL = (x) => { window.__blobs.push(x); return make(x); };").await;
    b.click("#template-xlsx").await;
    let d = b
        .until(
            "the XLSX template",
            "return (window.__downloads || []).find(d => d.name === 'template-cadres.xlsx')",
        )
        .await;
    assert!(d["magic"].as_str().unwrap_or("").starts_with("PK"), "{d}");
    assert_eq!(
        d["type"],
        json!("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "{d}"
    );
    b.until(
        "the download named on the page",
        "return document.querySelector('#import-file-form .export-msg')?.textContent.includes('template-cadres.xlsx')",
    )
    .await;
    let bytes = b
        .c
        .execute_async(
            "const done = arguments[arguments.length - 1]; window.__blobs[window.__blobs.length - 1].arrayBuffer().then(a => done(Array.from(new Uint8Array(a))), e => done(String(e)));",
            vec![],
        )
        .await
        .expect("the downloaded bytes");
    let bytes: Vec<u8> = serde_json::from_value(bytes).expect("bytes");
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).expect("an XLSX");
    let sheets: Vec<(String, bool)> = book
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible == SheetVisible::Visible))
        .collect();
    assert_eq!(
        sheets,
        [
            ("Cán bộ".to_string(), true),
            ("Hướng dẫn".to_string(), true),
            ("Danh mục".to_string(), false)
        ]
    );
    let data = book.worksheet_range("Cán bộ").expect("data sheet");
    assert_eq!(data.height(), 2, "the header and the example row");
    assert_eq!(
        data.get((1, 1)).map(|c| c.to_string()).as_deref(),
        Some("Nguyễn Thị Lan")
    );
    let help = book.worksheet_range("Hướng dẫn").expect("instructions");
    let text: Vec<String> = help
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect();
    assert!(text.iter().any(|l| l.contains("«Kiểm tra»")), "{text:?}");
    assert!(
        text.iter().any(|l| l.starts_with("Số CCCD/CMND | Có")),
        "{text:?}"
    );
    let units: Vec<String> = book
        .worksheet_range("Danh mục")
        .expect("lists")
        .rows()
        .skip(1)
        .map(|r| r[0].to_string())
        .filter(|c| !c.is_empty())
        .collect();
    assert!(
        units.contains(&"26740".to_string()),
        "a live ward: {units:?}"
    );
    assert!(
        !units.contains(&"26734".to_string()),
        "a retired ward: {units:?}"
    );
    // The template as downloaded passes the check on the same page.
    let path = std::env::temp_dir().join(format!(
        "ui-template-{}-{}.xlsx",
        std::process::id(),
        b.name
    ));
    std::fs::write(&path, &bytes).expect("template file");
    choose_file(b, &path).await;
    b.click("#import-check").await;
    b.until("the template's dry run", "return document.querySelector('#import-counts[data-dry-run=true] [data-count=created]')?.textContent === '1'").await;
    let _ = std::fs::remove_file(&path);
    b.page("import-template").await;
    b.no_errors("import template").await;
    b.logout().await;
}

/// A file for the import page's file field, in the temp directory.
fn upload_file(b: &Browser, name: &str, rows: &[&str]) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("ui-{name}-{}-{}.csv", std::process::id(), b.name));
    let mut text =
        String::from("Số CCCD/CMND,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã đơn vị,Tổ chức\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&path, text).expect("upload file");
    path
}

async fn choose_file(b: &Browser, path: &std::path::Path) {
    choose_file_in(b, "#import-file-form", path).await;
}

/// Chooses a file in the file field of the form `form`.
async fn choose_file_in(b: &Browser, form: &str, path: &std::path::Path) {
    b.c.find(fantoccini::Locator::Css(&format!(
        "{form} input[type=file]"
    )))
    .await
    .expect("file field")
    .send_keys(&path.display().to_string())
    .await
    .expect("choose file");
}

/// A GET of the API with the signed-in account's token (through the page), as JSON.
async fn api_get(b: &Browser, path: &str) -> serde_json::Value {
    let script = format!(
        "const done = arguments[arguments.length - 1]; fetch({}, {{ headers: {{ Authorization: 'Bearer ' + sessionStorage.getItem('token') }} }}).then(r => r.json().then(j => done({{ status: r.status, body: j }}))).catch(e => done({{ status: 0, body: String(e) }}));",
        serde_json::to_string(path).expect("json")
    );
    let v = b.c.execute_async(&script, vec![]).await.expect("fetch");
    assert_eq!(v["status"], json!(200), "GET {path}: {v}");
    v["body"].clone()
}

/// The successor import (admin): the real 2025 table, which the demo data has already been
/// through, is checked again: a preview in which every link is unchanged, nothing written. A tiny
/// table between two live wards gets a preview of the records that would move (dry run only:
/// importing it would move demo cadres that later steps rely on).
async fn successor_import(b: &Browser) {
    b.open("#/accounts").await;
    b.wait("#successor-form").await;
    assert_eq!(
        b.js("return document.getElementById('successor-commit').disabled")
            .await,
        json!(true),
        "import only after a clean check"
    );
    let before = api_get(b, "/api/units/26734").await;
    assert_eq!(
        before["successor_code"],
        json!("26737"),
        "the demo data crossed the reorganisation: {before}"
    );
    let table = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/units/unit-successors-2025-hcmc.csv");
    choose_file_in(b, "#successor-form", &table).await;
    b.click("#successor-check").await;
    b.until("the successor preview", "return document.querySelector('#successor-counts[data-dry-run=true] [data-count=rows]')?.textContent === '493'").await;
    assert_eq!(
        b.text("#successor-counts [data-count=created]").await,
        "0",
        "every link already recorded"
    );
    assert_eq!(
        b.text("#successor-counts [data-count=moved]").await,
        "0",
        "nothing left to move"
    );
    b.page("successor-check-2025").await;
    assert_eq!(
        api_get(b, "/api/units/26734").await,
        before,
        "nothing written"
    );
    // A clean table between two live wards: a preview with the records that would move.
    let tiny = std::env::temp_dir().join(format!(
        "ui-successors-{}-{}.csv",
        std::process::id(),
        b.name
    ));
    std::fs::write(
        &tiny,
        "old_code,new_code,part,effective,main\n26740,26743,whole,2026-06-01,1\n",
    )
    .expect("csv");
    choose_file_in(b, "#successor-form", &tiny).await;
    b.click("#successor-check").await;
    b.until("the successor preview", "return document.querySelector('#successor-counts[data-dry-run=true] [data-count=rows]')?.textContent === '1'").await;
    let moved = b
        .text("#successor-counts [data-count=moved]")
        .await
        .parse::<i64>()
        .expect("moved count");
    assert!(moved > 0, "the demo ward's people would move");
    assert_eq!(
        b.count("#successor-moved tbody tr").await,
        moved.min(500),
        "the moved records listed"
    );
    let first = b.text("#successor-moved tbody tr td:nth-child(4)").await;
    assert_eq!(first, "26740 → 26743");
    assert_eq!(
        b.js("return document.getElementById('successor-commit').disabled")
            .await,
        json!(false),
        "a clean check allows the import"
    );
    b.page("successor-preview").await;
    let _ = std::fs::remove_file(&tiny);
    let ward = api_get(b, "/api/units/26740").await;
    assert!(
        ward["successor_code"].is_null() && ward["retired_on"].is_null(),
        "a dry run writes nothing: {ward}"
    );
    b.no_errors("successor import").await;
}

/// How many cadres the signed-in account finds by name (through the API, with its token).
async fn cadres_named(b: &Browser, q: &str) -> i64 {
    let script = format!(
        "const done = arguments[arguments.length - 1]; fetch('/api/cadres?q=' + encodeURIComponent({}), {{ headers: {{ Authorization: 'Bearer ' + sessionStorage.getItem('token') }} }}).then(r => r.json()).then(j => done(j.total), e => done(String(e)));",
        serde_json::to_string(q).expect("json")
    );
    let v = b.c.execute_async(&script, vec![]).await.expect("fetch");
    v.as_i64().unwrap_or_else(|| panic!("cadre count: {v}"))
}

/// The officer's import: template, a file with problems (listed by row and column, nothing
/// written), the corrected file checked and imported, the same file again unchanged; then the
/// roster and completion exports.
async fn officer_imports(b: &Browser) {
    b.click("#nav a[href=\"#/import\"]").await;
    b.wait("#import-file-form").await;
    assert_eq!(
        b.js("return [...document.querySelectorAll('#import-file-form [data-field=kind] option')].map(o => o.value)").await,
        json!(["cadres", "qualifications"]),
        "officers import cadres and qualifications only"
    );
    assert_eq!(
        b.js("return document.getElementById('import-commit').disabled")
            .await,
        json!(true)
    );
    b.click("#template-csv").await;
    let d = b
        .until(
            "the cadre template",
            "return (window.__downloads || []).find(d => d.name === 'template-cadres.csv')",
        )
        .await;
    assert!(
        d["magic"]
            .as_str()
            .unwrap_or("")
            .starts_with("\u{ef}\u{bb}\u{bf}"),
        "BOM: {d}"
    );
    assert!(
        d["first_line"]
            .as_str()
            .unwrap_or("")
            .starts_with("Số CCCD/CMND,Họ và tên"),
        "{d}"
    );
    let good = "079190007771,Phạm Thị Nhập,Nữ,12/04/1990,Kinh,26737,Mặt trận Tổ quốc";
    let bad = upload_file(
        b,
        "cadres-bad",
        &[
            good,
            "079190007772,Võ Văn Tệp,Nam,31/02/1980,Kinh,26737,Đoàn Thanh niên",
            "079190007773,Đỗ Thị Ngoài,Nữ,01/06/1988,Kinh,27130,Hội Liên hiệp Phụ nữ",
        ],
    );
    choose_file(b, &bad).await;
    b.click("#import-check").await;
    b.until(
        "the problems listed",
        "return document.querySelectorAll('#problems-table tbody tr').length === 2",
    )
    .await;
    let rows = b.js("return [...document.querySelectorAll('#problems-table tbody tr')].map(tr => [...tr.cells].map(td => td.textContent))").await;
    assert_eq!(rows[0][0], json!("3"), "{rows}");
    assert_eq!(rows[0][1], json!("Ngày sinh"), "{rows}");
    assert_eq!(rows[0][2], json!("31/02/1980"), "{rows}");
    assert_eq!(rows[1][0], json!("4"), "{rows}");
    assert_eq!(rows[1][1], json!("Mã đơn vị"), "{rows}");
    assert_eq!(rows[1][2], json!("27130"), "{rows}");
    // Reasons rendered from each problem's code by the catalogue of the page's language.
    assert_eq!(
        rows[0][3],
        json!("Không phải ngày: hãy ghi theo dạng DD/MM/YYYY hoặc YYYY-MM-DD"),
        "{rows}"
    );
    let codes = b.js("return [...document.querySelectorAll('#problems-table tbody td[data-code]')].map(td => td.dataset.code)").await;
    assert_eq!(codes[0], json!("date_invalid"), "{codes}");
    assert!(
        rows[1][3].as_str().is_some_and(|r| r.starts_with("Đơn vị")),
        "{rows}"
    );
    let total = b.text("#import-problems .notice").await;
    assert!(
        total.starts_with("Có 2 lỗi; chưa ghi dữ liệu nào"),
        "{total}"
    );
    // Every problem as CSV, however many: the same file posted to the problems route.
    b.click("#problems-csv").await;
    let d = b
        .until(
            "the problems CSV",
            "return (window.__downloads || []).find(d => d.name === 'problems-cadres.csv')",
        )
        .await;
    assert_eq!(d["first_line"], json!("Dòng,Cột,Giá trị,Lý do"), "{d}");
    assert_eq!(d["size"].as_u64().map(|n| n > 40), Some(true), "{d}");
    assert_eq!(
        b.js("return document.getElementById('import-commit').disabled")
            .await,
        json!(true)
    );
    assert_eq!(
        cadres_named(b, "Phạm Thị Nhập").await,
        0,
        "a dry run writes nothing"
    );
    b.page("import-problems").await;
    b.c.set_window_size(390, 844).await.expect("phone size");
    b.js("document.getElementById('import-problems').scrollIntoView()")
        .await;
    b.page("import-problems-phone").await;
    b.c.set_window_size(1280, 900).await.expect("desktop size");
    // The corrected file: checked (nothing written yet), then imported.
    let fixed = upload_file(
        b,
        "cadres-fixed",
        &[
            good,
            "079190007772,Võ Văn Tệp,Nam,28/02/1980,Kinh,26737,Đoàn Thanh niên",
            "079190007773,Đỗ Thị Ngoài,Nữ,01/06/1988,Kinh,26737,Hội Liên hiệp Phụ nữ",
        ],
    );
    choose_file(b, &fixed).await;
    assert_eq!(
        b.count("#problems-table").await,
        0,
        "a new file clears the problems"
    );
    b.click("#import-check").await;
    b.until("the dry-run counts", "return document.querySelector('#import-counts[data-dry-run=true] [data-count=created]')?.textContent === '3'").await;
    assert_eq!(
        cadres_named(b, "Phạm Thị Nhập").await,
        0,
        "a dry run writes nothing"
    );
    b.click("#import-commit").await;
    b.until("the import counts", "return document.querySelector('#import-counts[data-dry-run=false] [data-count=created]')?.textContent === '3'").await;
    assert_eq!(
        b.js("return document.getElementById('import-commit').disabled")
            .await,
        json!(true)
    );
    b.page("import-done").await;
    // The new cadre is in the roster.
    b.open("#/home").await;
    b.fill("#roster-search input[type=search]", "pham thi nhap")
        .await;
    b.click("#roster-search button[type=submit]").await;
    b.until("the imported cadre in the roster", "return [...document.querySelectorAll('#roster-table tbody td')].some(td => td.textContent === 'Phạm Thị Nhập')").await;
    // The same file again: every row unchanged.
    b.open("#/import").await;
    b.wait("#import-file-form").await;
    choose_file(b, &fixed).await;
    b.click("#import-check").await;
    b.until("all unchanged", "const c = document.querySelector('#import-counts[data-dry-run=true]'); return c && c.querySelector('[data-count=unchanged]').textContent === '3' && c.querySelector('[data-count=created]').textContent === '0' && c.querySelector('[data-count=updated]').textContent === '0'").await;
    b.click("#import-commit").await;
    b.until("all unchanged (committed)", "return document.querySelector('#import-counts[data-dry-run=false] [data-count=unchanged]')?.textContent === '3'").await;
    // Completions of the subtree, from the import page.
    b.click("#export-completions-csv").await;
    b.until(
        "the completions CSV",
        "return (window.__downloads || []).some(d => d.name === 'completions.csv' && d.magic.startsWith('\\u00ef\\u00bb\\u00bf'))",
    )
    .await;
    for f in [bad, fixed] {
        let _ = std::fs::remove_file(f);
    }
    // The roster export: the import's columns, Vietnamese headers, a BOM.
    b.open("#/home").await;
    b.click("#export-roster-csv").await;
    let d = b
        .until(
            "the roster CSV",
            "return (window.__downloads || []).find(d => d.name === 'cadres.csv')",
        )
        .await;
    assert!(
        d["magic"]
            .as_str()
            .unwrap_or("")
            .starts_with("\u{ef}\u{bb}\u{bf}"),
        "BOM: {d}"
    );
    assert!(
        d["first_line"]
            .as_str()
            .unwrap_or("")
            .starts_with("Số CCCD/CMND"),
        "{d}"
    );
    b.no_errors("import and exports").await;
}
