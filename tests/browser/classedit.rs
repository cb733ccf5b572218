//! The school edits a class after creating it (issue 16): its details, its schedule (a session
//! added; a clash refused at the session, nothing changed) and its cancellation, which asks for
//! a reason and shows it. Each step is checked through the API.

use serde_json::json;

use crate::harness::{Browser, Server, DEMO_PASSWORD};
use crate::record::api_send;

pub async fn school_class_edits(_: &'static Server, b: &Browser) {
    b.login("school", DEMO_PASSWORD, "school").await;
    let modules = super::api_get(b, "/api/modules?active=true").await;
    let module = modules["items"]
        .as_array()
        .or(modules.as_array())
        .and_then(|m| m.first())
        .expect("a module")["code"]
        .as_str()
        .expect("code")
        .to_string();
    let city_today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    let day = |n: i64| (city_today + chrono::Duration::days(n)).to_string();
    let (status, created) = api_send(
        b,
        "POST",
        "/api/classes",
        json!({"code": "UI-EDIT-01", "module_code": module, "organiser": "Trường Cán bộ thành phố",
               "capacity": 20, "enrol_opens": day(0), "enrol_closes": day(20),
               "sessions": [{"starts_at": format!("{}T08:00", day(40)), "ends_at": format!("{}T11:00", day(40)),
                             "venue": "Phòng Sửa Lớp", "instructor": "GV Sửa Lớp"}]}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    b.open("#/class/UI-EDIT-01").await;
    b.wait("#class-edit-form").await;
    // Details.
    b.fill("#class-edit-form [data-field=title] input", "Lớp đã sửa")
        .await;
    b.fill("#class-edit-form [data-field=capacity] input", "12")
        .await;
    b.click("#class-edit-form button[type=submit]").await;
    b.until(
        "saved",
        "return location.hash.includes('saved=') && document.querySelector('#class-msg')?.textContent.includes('Đã lưu')",
    )
    .await;
    let c = super::api_get(b, "/api/classes/UI-EDIT-01").await;
    assert_eq!(c["title"], "Lớp đã sửa", "{c}");
    assert_eq!(c["capacity"], 12);
    // A session added.
    b.click("#schedule-form #add-session").await;
    b.fill(
        "#schedule-form [data-field='sessions[1].venue'] input",
        "Phòng Sửa Lớp",
    )
    .await;
    b.fill(
        "#schedule-form [data-field='sessions[1].instructor'] input",
        "GV Sửa Lớp",
    )
    .await;
    let before = b.js("return location.hash").await;
    b.click("#schedule-form button[type=submit]").await;
    b.until(
        "the schedule saved",
        &format!("return location.hash !== {before} && document.querySelectorAll('#schedule-form .session-row').length === 2"),
    )
    .await;
    let c = super::api_get(b, "/api/classes/UI-EDIT-01").await;
    assert_eq!(c["sessions"].as_array().map(Vec::len), Some(2), "{c}");
    assert_eq!(
        c["sessions"][1]["starts_at"].as_str().map(|s| &s[..10]),
        Some(day(41).as_str()),
        "{c}"
    );
    // The second session moved onto the first: refused at that session, nothing changed.
    b.fill(
        "#schedule-form [data-field='sessions[1].date'] input",
        &format!("{}/{}/{}", &day(40)[8..10], &day(40)[5..7], &day(40)[..4]),
    )
    .await;
    b.click("#schedule-form button[type=submit]").await;
    b.until(
        "the clash at its session",
        "return [...document.querySelectorAll('#schedule-form [data-field^=\"sessions[1]\"] .field-error')].some(e => e.textContent)",
    )
    .await;
    let again = super::api_get(b, "/api/classes/UI-EDIT-01").await;
    assert_eq!(again["sessions"], c["sessions"]);
    // An evening session past midnight: its end, before its start, is on the next day (said
    // beside it), saved as one session of five and a half hours.
    let field = |f: &str| format!("#schedule-form [data-field='sessions[1].{f}'] input");
    b.fill(
        &field("date"),
        &format!("{}/{}/{}", &day(41)[8..10], &day(41)[5..7], &day(41)[..4]),
    )
    .await;
    b.fill(&field("starts_at"), "20:00").await;
    b.fill(&field("ends_at"), "01:30").await;
    b.until(
        "the next day said",
        "return document.querySelectorAll('#schedule-form .next-day:not([hidden])').length === 1",
    )
    .await;
    let before = b.js("return location.hash").await;
    b.click("#schedule-form button[type=submit]").await;
    b.until(
        "the overnight session saved",
        &format!("return location.hash !== {before}"),
    )
    .await;
    let c = super::api_get(b, "/api/classes/UI-EDIT-01").await;
    let at = |k: &str| {
        chrono::DateTime::parse_from_rfc3339(c["sessions"][1][k].as_str().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{k}: {e}: {c}"))
    };
    assert_eq!((at("ends_at") - at("starts_at")).num_minutes(), 330, "{c}");
    assert_eq!(
        at("starts_at")
            .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"))
            .date_naive()
            .to_string(),
        day(41),
        "{c}"
    );
    b.page("class-edit").await;
    // Cancelling asks for the reason, then shows it.
    b.click("#status-actions button[data-status=cancelled]")
        .await;
    b.click("#cancel-form button[type=submit]").await;
    b.until(
        "a reason asked for",
        "return document.querySelector('#cancel-form [data-field=reason] .field-error')?.textContent",
    )
    .await;
    assert_eq!(
        super::api_get(b, "/api/classes/UI-EDIT-01").await["status"],
        "planned"
    );
    b.fill(
        "#cancel-form [data-field=reason] input",
        "Giảng viên bận công tác",
    )
    .await;
    b.click("#cancel-form button[type=submit]").await;
    b.until(
        "the reason shown",
        "return document.querySelector('#class-page')?.textContent.includes('Giảng viên bận công tác')",
    )
    .await;
    let c = super::api_get(b, "/api/classes/UI-EDIT-01").await;
    assert_eq!(c["status"], "cancelled", "{c}");
    assert_eq!(c["cancel_reason"], "Giảng viên bận công tác");
    b.page("class-cancelled").await;
    b.logout().await;
}

/// The school's list of training going stale (issue 16): filtered by module and window, and a
/// cadre on it nominated to an open class of that module, checked through the API.
pub async fn school_expiring_list(_: &'static Server, b: &Browser) {
    b.login("school", DEMO_PASSWORD, "school").await;
    let all = super::api_get(b, "/api/completions/stale-soon?days=3650").await;
    let first = all["items"]
        .as_array()
        .and_then(|i| i.first())
        .cloned()
        .expect("demo completions going stale within ten years");
    let module = first["module_code"].as_str().expect("module").to_string();
    let cadre = first["cadre_id"].as_i64().expect("cadre");
    let city_today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    let day = |n: i64| (city_today + chrono::Duration::days(n)).to_string();
    let (status, created) = api_send(
        b,
        "POST",
        "/api/classes",
        json!({"code": "UI-EXP-01", "module_code": module, "organiser": "Trường Cán bộ thành phố",
               "capacity": 30, "enrol_opens": day(0), "enrol_closes": day(20),
               "sessions": [{"starts_at": format!("{}T13:30", day(55)), "ends_at": format!("{}T16:30", day(55)),
                             "venue": "Phòng Hết Hạn", "instructor": "GV Hết Hạn"}]}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let (status, opened) = api_send(
        b,
        "POST",
        "/api/classes/UI-EXP-01/status",
        json!({"status": "open"}),
    )
    .await;
    assert_eq!(status, 200, "{opened}");
    b.click("#nav a[href='#/expiring']").await;
    b.wait("#expiring-filters").await;
    b.fill("#expiring-filters [data-field=days] input", "3650")
        .await;
    b.js(&format!(
        "document.querySelector('#expiring-filters [data-field=module] select').value = '{module}';"
    ))
    .await;
    b.click("#expiring-filters button[type=submit]").await;
    let row = format!("#expiring-table tr[data-cadre=\"{cadre}\"][data-module=\"{module}\"]");
    b.wait(&row).await;
    assert_eq!(
        b.js(&format!("return [...document.querySelectorAll('#expiring-table tbody tr')].every(r => r.dataset.module === '{module}')")).await,
        json!(true),
        "the module filter"
    );
    b.page("expiring").await;
    b.click(&format!("{row} button.nominate")).await;
    b.wait(&format!("{row} form.inline select")).await;
    b.js(&format!(
        "document.querySelector('{} form.inline select').value = 'UI-EXP-01';",
        row.replace('\'', "\\'")
    ))
    .await;
    b.click(&format!("{row} form.inline button[type=submit]"))
        .await;
    b.until(
        "nominated",
        "return document.querySelector('#expiring-msg')?.textContent.includes('UI-EXP-01')",
    )
    .await;
    let list = super::api_get(b, "/api/classes/UI-EXP-01/enrolments").await;
    assert!(
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|e| e["cadre_id"] == cadre && e["status"] == "enrolled"),
        "{list}"
    );
    b.logout().await;
}

/// Prerequisites in the school's module form (issue 16): a new module made with one, checked
/// through the API; a cycle refused at the prerequisites, nothing changed.
pub async fn school_module_prerequisites(_: &'static Server, b: &Browser) {
    b.login("school", DEMO_PASSWORD, "school").await;
    b.open("#/modules").await;
    b.click("#new-module").await;
    b.fill("#module-form [data-field=code] input", "DV-98")
        .await;
    b.fill(
        "#module-form [data-field=title_vi] input",
        "Kỹ năng vận động quần chúng nâng cao",
    )
    .await;
    b.fill(
        "#module-form [data-field=title_en] input",
        "Advanced mass mobilisation skills",
    )
    .await;
    b.click("#module-form [data-field=prerequisites] input[value=\"DV-01\"]")
        .await;
    b.page("module-prerequisites").await;
    b.click("#module-form button[type=submit]").await;
    b.wait("#modules tr[data-module=\"DV-98\"]").await;
    let m = super::api_get(b, "/api/modules/DV-98").await;
    assert_eq!(m["prerequisites"], json!(["DV-01"]), "{m}");
    // DV-97 needs DV-98; DV-98 needing DV-97 would close a cycle.
    let (status, v) = api_send(
        b,
        "POST",
        "/api/modules",
        json!({"code": "DV-97", "title_vi": "Chuyên đề thử", "title_en": "A test module", "periods": 2,
               "description": "", "audiences": ["mass_mobilisation_staff"], "prerequisites": ["DV-98"],
               "validity_years": null, "awards": null, "active": true}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    b.open("#/modules?x=1").await;
    b.click("#modules tr[data-module=\"DV-98\"] button.edit")
        .await;
    b.click("#module-form [data-field=prerequisites] input[value=\"DV-97\"]")
        .await;
    b.click("#module-form button[type=submit]").await;
    b.until(
        "the cycle refused at the prerequisites",
        "return document.querySelector('#module-form [data-field=prerequisites] .field-error')?.textContent",
    )
    .await;
    let m = super::api_get(b, "/api/modules/DV-98").await;
    assert_eq!(m["prerequisites"], json!(["DV-01"]), "{m}");
    b.logout().await;
}
