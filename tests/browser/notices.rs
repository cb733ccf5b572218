//! The inbox (issue 17): a cadre told of an enrolment and a cancellation sees the unread count in
//! the top bar, reads the notices in Vietnamese, marks them read one by one and all at once, and
//! sets which kinds come by e-mail; each step checked through the API.

use cadre_training::shared::clock::city_today;
use chrono::Duration;
use serde_json::{json, Value};

use crate::harness::{Browser, Server, ADMIN_PASSWORD};

/// A call to the API with the page's session token: (status, body).
async fn api_send(b: &Browser, method: &str, path: &str, body: Value) -> (i64, Value) {
    let script = format!(
        "const done = arguments[arguments.length - 1]; fetch({}, {{ method: {}, headers: {{ 'Content-Type': 'application/json', Authorization: 'Bearer ' + sessionStorage.getItem('token') }}, body: {} }}).then(r => r.json().then(j => done({{ status: r.status, body: j }}))).catch(e => done({{ status: 0, body: String(e) }}));",
        serde_json::to_string(path).unwrap(),
        serde_json::to_string(method).unwrap(),
        if method == "GET" { "undefined".to_string() } else { serde_json::to_string(&body.to_string()).unwrap() },
    );
    let v = b.c.execute_async(&script, vec![]).await.expect("fetch");
    (v["status"].as_i64().unwrap_or(0), v["body"].clone())
}

async fn ok(b: &Browser, method: &str, path: &str, body: Value) -> Value {
    let (s, v) = api_send(b, method, path, body).await;
    assert!((200..300).contains(&s), "{method} {path}: {s} {v}");
    v
}

pub async fn notices_inbox(_s: &'static Server, b: &Browser) {
    // The admin makes a cadre with an account, a class, enrols the cadre and cancels the class.
    b.login("admin", ADMIN_PASSWORD, "admin").await;
    // The ward of the demo's Tân Định officer (a ward of today's tree).
    let officers = ok(b, "GET", "/api/accounts?q=officer.tandinh", json!(null)).await;
    let ward = officers["items"][0]["unit_code"]
        .as_str()
        .expect("the officer's ward")
        .to_string();
    let cadre = ok(b, "POST", "/api/cadres", json!({"full_name": "Lê Thị Thông Báo", "gender": "female", "birth_date": "1985-04-12",
        "ethnicity": "Kinh", "personal_id": "079185017777", "unit_code": ward, "organisation": "fatherland_front"})).await;
    let id = cadre["id"].as_i64().unwrap();
    ok(b, "POST", "/api/accounts", json!({"username": "notice.ui", "password": "lop-hoc-dan-van-2026", "role": "cadre", "unit_code": ward, "cadre_id": id})).await;
    let today = city_today();
    ok(b, "POST", "/api/classes", json!({"code": "NT-UI-01", "module_code": "DV-01", "organiser": "Trường Cán bộ thành phố", "capacity": 5,
        "enrol_opens": (today - Duration::days(1)).to_string(), "enrol_closes": (today + Duration::days(30)).to_string(),
        "sessions": [{"starts_at": "2031-09-09T08:00", "ends_at": "2031-09-09T11:00", "venue": "Phòng thông báo", "instructor": "GV thông báo"}]})).await;
    ok(
        b,
        "POST",
        "/api/classes/NT-UI-01/status",
        json!({"status": "open"}),
    )
    .await;
    ok(
        b,
        "POST",
        "/api/classes/NT-UI-01/enrolments",
        json!({"cadre_id": id}),
    )
    .await;
    ok(
        b,
        "POST",
        "/api/classes/NT-UI-01/status",
        json!({"status": "cancelled", "reason": "Giảng viên bận công tác"}),
    )
    .await;
    b.logout().await;

    b.login("notice.ui", "lop-hoc-dan-van-2026", "cadre").await;
    b.until("the unread count in the top bar", "return document.getElementById('unread').dataset.count === '2' && !document.getElementById('unread').hidden").await;
    b.click("#inbox-link").await;
    b.wait("#notice-list").await;
    assert_eq!(b.count("#notice-list li.unread").await, 2);
    assert_eq!(
        b.text("#notice-list li:first-child .notice-subject strong")
            .await,
        "Lớp NT-UI-01 bị hủy"
    );
    assert!(b
        .text("#notice-list li:first-child .notice-text")
        .await
        .contains("Lý do: Giảng viên bận công tác"));
    assert_eq!(
        b.text("#notice-list li:nth-child(2) .notice-subject strong")
            .await,
        "Đã ghi danh lớp NT-UI-01"
    );
    b.page("notices").await;

    // Marking one read: the count falls, the API agrees.
    b.click("#notice-list li:first-child button[data-notice]")
        .await;
    b.until(
        "one unread left",
        "return document.getElementById('unread').dataset.count === '1'",
    )
    .await;
    assert_eq!(
        ok(b, "GET", "/api/notices/unread", json!(null)).await["unread"],
        1
    );
    assert_eq!(b.count("#notice-list li.unread").await, 1);
    // All read: the count goes.
    b.click("#notices-read-all").await;
    b.until(
        "no unread left",
        "return document.getElementById('unread').hidden",
    )
    .await;
    assert_eq!(
        ok(b, "GET", "/api/notices/unread", json!(null)).await["unread"],
        0
    );
    assert_eq!(b.count("#notice-list li.unread").await, 0);

    // Settings: a bad address is refused next to its field and nothing is kept; a good one with
    // the enrolment e-mail turned off is.
    b.fill(
        "#notice-settings [data-field=email] input",
        "không phải địa chỉ",
    )
    .await;
    b.click("#notice-settings button[type=submit]").await;
    b.until("the address refused", "return document.querySelector('#notice-settings [data-field=email] .field-error').textContent !== ''").await;
    b.no_errors("notice settings refused").await;
    assert_eq!(
        ok(b, "GET", "/api/notices/settings", json!(null)).await["email"],
        Value::Null
    );
    b.fill(
        "#notice-settings [data-field=email] input",
        "thongbao@example.vn",
    )
    .await;
    b.click("#notice-settings input[name=mail_enrolled]").await;
    b.click("#notice-settings button[type=submit]").await;
    b.wait("#notice-settings-msg .notice").await;
    let s = ok(b, "GET", "/api/notices/settings", json!(null)).await;
    assert_eq!(
        (s["email"].clone(), s["email_off"].clone()),
        (json!("thongbao@example.vn"), json!(["enrolled"]))
    );
    b.page("notice-settings").await;

    // The cadre's enrolments say the class's status; a place still on the waitlist when its class
    // is cancelled is "not placed", not "1st in line".
    b.logout().await;
    b.login("admin", ADMIN_PASSWORD, "admin").await;
    let first = ok(b, "POST", "/api/cadres", json!({"full_name": "Lê Văn Giữ Chỗ", "gender": "male", "birth_date": "1984-04-12",
        "ethnicity": "Kinh", "personal_id": "079184017778", "unit_code": ward, "organisation": "fatherland_front"})).await;
    ok(b, "POST", "/api/classes", json!({"code": "NT-UI-02", "module_code": "DV-01", "organiser": "Trường Cán bộ thành phố", "capacity": 1,
        "enrol_opens": (today - Duration::days(1)).to_string(), "enrol_closes": (today + Duration::days(30)).to_string(),
        "sessions": [{"starts_at": "2031-09-10T08:00", "ends_at": "2031-09-10T11:00", "venue": "Phòng thông báo", "instructor": "GV thông báo"}]})).await;
    ok(
        b,
        "POST",
        "/api/classes/NT-UI-02/status",
        json!({"status": "open"}),
    )
    .await;
    for who in [first["id"].as_i64().unwrap(), id] {
        ok(
            b,
            "POST",
            "/api/classes/NT-UI-02/enrolments",
            json!({"cadre_id": who}),
        )
        .await;
    }
    ok(
        b,
        "POST",
        "/api/classes/NT-UI-02/status",
        json!({"status": "cancelled", "reason": "Không đủ học viên"}),
    )
    .await;
    // A class over: the cadre passed but attended one session of two (under the class's 80 %).
    // The school's grid says so before the class is finished, the cadre's enrolments after.
    let days = [today - Duration::days(6), today - Duration::days(5)];
    let class = ok(b, "POST", "/api/classes", json!({"code": "NT-UI-03", "module_code": "DV-01", "organiser": "Trường Cán bộ thành phố", "capacity": 5,
        "enrol_opens": (today - Duration::days(1)).to_string(), "enrol_closes": (today + Duration::days(30)).to_string(),
        "sessions": days.iter().map(|d| json!({"starts_at": format!("{d}T08:00"), "ends_at": format!("{d}T11:00"),
            "venue": "Phòng kết quả thông báo", "instructor": "GV kết quả thông báo"})).collect::<Vec<_>>()})).await;
    ok(
        b,
        "POST",
        "/api/classes/NT-UI-03/status",
        json!({"status": "open"}),
    )
    .await;
    let seat = ok(
        b,
        "POST",
        "/api/classes/NT-UI-03/enrolments",
        json!({"cadre_id": id}),
    )
    .await;
    ok(
        b,
        "POST",
        "/api/classes/NT-UI-03/status",
        json!({"status": "running"}),
    )
    .await;
    for (i, mark) in ["present", "absent"].iter().enumerate() {
        let session = &class["sessions"][i]["id"];
        ok(
            b,
            "PUT",
            &format!("/api/classes/NT-UI-03/sessions/{session}/attendance"),
            json!({"records": [{"enrolment_id": seat["id"], "status": mark}]}),
        )
        .await;
    }
    ok(
        b,
        "PUT",
        "/api/classes/NT-UI-03/results",
        json!({"results": [{"enrolment_id": seat["id"], "score": 8.0, "passed": true}]}),
    )
    .await;
    b.open("#/class/NT-UI-03").await;
    b.wait("#attendance-form .att-short").await;
    assert_eq!(
        b.text("#attendance-form .att-short").await,
        "Đạt nhưng dự học chưa đủ số buổi"
    );
    ok(
        b,
        "POST",
        "/api/classes/NT-UI-03/status",
        json!({"status": "finished"}),
    )
    .await;
    b.logout().await;
    b.login("notice.ui", "lop-hoc-dan-van-2026", "cadre").await;
    b.until(
        "the seat ended passed but short of sessions",
        "return document.querySelector('#my-enrolments tr[data-class=\"NT-UI-03\"] .enrolment-outcome')?.textContent === 'Đạt nhưng dự học chưa đủ số buổi'",
    )
    .await;
    let cell = |class: &str, which: &str| {
        format!("document.querySelector('#my-enrolments tr[data-class=\"{class}\"] .{which}')?.textContent")
    };
    b.until(
        "the class cancelled and the place not given",
        &format!(
            "return {} === 'Đã hủy' && {} === 'Không được xếp chỗ' && {} === 'Đã ghi danh'",
            cell("NT-UI-02", "class-status"),
            cell("NT-UI-02", "enrolment-status"),
            cell("NT-UI-01", "enrolment-status"),
        ),
    )
    .await;
}
