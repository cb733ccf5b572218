//! The API's errors on a Vietnamese page: each is rendered from its reason and params through
//! the error catalogue (`GET /api/errors/messages?lang=vi`), and one the catalogue cannot render
//! lands in `window.__errors` (which fails any flow).

use crate::harness::{Browser, Server, DEMO_PASSWORD};

/// The text of the field error under `field` of the class form, once shown.
async fn class_field_error(b: &Browser, what: &str, field: &str) -> String {
    let v = b
        .until(
            what,
            &format!(
                "const e = document.querySelector('#class-form [data-field=\"{field}\"] .field-error'); return e && e.textContent"
            ),
        )
        .await;
    v.as_str().unwrap_or_default().to_string()
}

/// Opens the school's new-class form with one session at UI-PAST-01's venue on another day.
async fn new_class(b: &Browser, code: &str) {
    b.open("#/home").await;
    b.wait("[data-home]").await;
    b.open("#/classes/new").await;
    b.wait("#class-form").await;
    b.fill("#class-form [data-field=code] input", code).await;
    b.fill(
        "#class-form [data-field=\"sessions[0].venue\"] input",
        "Hội trường A",
    )
    .await;
    b.fill(
        "#class-form [data-field=\"sessions[0].instructor\"] input",
        "ThS. Ngô Thị Lan",
    )
    .await;
    b.fill(
        "#class-form [data-field=\"sessions[0].date\"] input",
        "10/04/2031",
    )
    .await;
}

/// Wrong password, an invalid field, two sessions of one class overlapping and a venue booked by
/// another class: each error in Vietnamese, from the catalogue, and nothing in `window.__errors`.
pub async fn errors_in_vietnamese(s: &'static Server, b: &Browser) {
    // UI-PAST-01 (10/03/2026 08:00–11:30, Hội trường A) is the school's.
    crate::school_classes(s).await;
    b.open("#/login").await;
    b.wait("#login-form").await;
    assert_eq!(
        b.js("return document.documentElement.lang").await,
        "vi",
        "the page is Vietnamese"
    );
    b.fill("#login-form input[name=username]", "school").await;
    b.fill("#login-form input[name=password]", "not-the-password")
        .await;
    b.click("#login-form button[type=submit]").await;
    b.until(
        "the wrong password, in Vietnamese",
        "return document.querySelector('#login-form .form-error:not([hidden])')?.textContent === 'Sai tên đăng nhập hoặc mật khẩu'",
    )
    .await;
    b.no_errors("login refused").await;
    b.login("school", DEMO_PASSWORD, "school").await;

    // An invalid field: the server's rule, in Vietnamese, at the field.
    new_class(b, "UI-LANG-01").await;
    b.fill("#class-form [data-field=capacity] input", "0").await;
    b.click("#class-form button[type=submit]").await;
    let err = class_field_error(b, "the capacity refused", "capacity").await;
    assert_eq!(err, "Phải từ 1 đến 1000");
    b.no_errors("capacity refused").await;

    // Two sessions of the same class at the same time: the other one named by its number, day
    // and times.
    b.fill("#class-form [data-field=capacity] input", "30")
        .await;
    b.click("#add-session").await;
    b.fill(
        "#class-form [data-field=\"sessions[1].date\"] input",
        "10/04/2031",
    )
    .await;
    b.fill(
        "#class-form [data-field=\"sessions[1].venue\"] input",
        "Phòng 3",
    )
    .await;
    b.fill(
        "#class-form [data-field=\"sessions[1].instructor\"] input",
        "ThS. Ngô Thị Lan",
    )
    .await;
    b.click("#class-form button[type=submit]").await;
    let err = class_field_error(b, "the overlap refused", "sessions[1].starts_at").await;
    assert_eq!(
        err,
        "Trùng giờ với buổi 1 của chính lớp này (10/04/2031, 08:00–11:30)"
    );
    b.page("errors-vi-overlap").await;

    // Another class's venue at the same time: that class named by code and title, with the day
    // and times of its session (not an internal session id).
    new_class(b, "UI-LANG-02").await;
    b.fill(
        "#class-form [data-field=\"sessions[0].date\"] input",
        "10/03/2026",
    )
    .await;
    b.click("#class-form button[type=submit]").await;
    let err = class_field_error(b, "the venue clash", "sessions[0].venue").await;
    assert!(
        err.starts_with("Địa điểm đã được lớp UI-PAST-01 \"")
            && err.ends_with("\" sử dụng vào ngày 10/03/2026, 08:00–11:30"),
        "{err}"
    );
    assert!(!err.contains("buổi"), "no session id: {err}");
    b.page("errors-vi-clash").await;

    // The guard: an error the catalogue cannot render is shown as it came and recorded.
    b.js("import('/i18n.js').then((m) => { window.__probe = m.errorText({ reason: 'no_such_reason', message: 'an English message' }); })").await;
    let shown = b
        .until("the unknown reason rendered", "return window.__probe")
        .await;
    assert_eq!(shown, "an English message");
    let recorded = b
        .js("const e = window.__errors.splice(0); return e.join(' | ')")
        .await;
    assert!(
        recorded
            .as_str()
            .is_some_and(|r| r.contains("no_such_reason")),
        "recorded: {recorded}"
    );
    b.no_errors("errors in Vietnamese").await;
}
