//! A cadre's record page (issue 16): the officer finds a cadre in the roster, opens the record,
//! adds a planned title and sets its last day, adds a qualification, edits its evidence and
//! revokes it with a reason; the school reaches the same page from its roster. Each step is
//! checked through the API.

use serde_json::{json, Value};

use crate::harness::{Browser, Server, DEMO_PASSWORD};

/// A write to the API with the signed-in account's token (through the page): (status, body).
pub(crate) async fn api_send(b: &Browser, method: &str, path: &str, body: Value) -> (i64, Value) {
    let script = format!(
        "const done = arguments[arguments.length - 1]; fetch({}, {{ method: {}, headers: {{ 'Content-Type': 'application/json', Authorization: 'Bearer ' + sessionStorage.getItem('token') }}, body: {} }}).then(r => r.json().then(j => done({{ status: r.status, body: j }}))).catch(e => done({{ status: 0, body: String(e) }}));",
        serde_json::to_string(path).expect("json"),
        serde_json::to_string(method).expect("json"),
        serde_json::to_string(&body.to_string()).expect("json"),
    );
    let v = b.c.execute_async(&script, vec![]).await.expect("fetch");
    (v["status"].as_i64().unwrap_or(0), v["body"].clone())
}

/// The code of an active title of a ward's level.
pub(crate) async fn ward_title(b: &Browser) -> String {
    let titles = super::api_get(b, "/api/titles").await;
    titles["items"]
        .as_array()
        .or(titles.as_array())
        .expect("titles")
        .iter()
        .find(|x| x["level"] == "commune" && x["active"] == true)
        .expect("a ward title")["code"]
        .as_str()
        .expect("code")
        .to_string()
}

pub async fn cadre_record_editing(s: &'static Server, b: &Browser) {
    b.login("officer.tandinh", DEMO_PASSWORD, "officer").await;
    let (status, created) = api_send(
        b,
        "POST",
        "/api/cadres",
        json!({"full_name": "Phạm Thị Hồ Sơ", "gender": "female", "birth_date": "1985-05-15",
               "ethnicity": "Kinh", "personal_id": "079185000777", "unit_code": "26737",
               "organisation": "womens_union", "unit_since": "2020-01-01"}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().expect("id");
    // Found in the roster, opened from its name.
    b.fill("#roster-search input[type=search]", "ho so pham")
        .await;
    b.click("#roster-search button[type=submit]").await;
    b.click(&format!(
        "#roster-table tr[data-cadre=\"{id}\"] a.record-link"
    ))
    .await;
    b.until(
        "the record page",
        "return document.querySelector('#cadre-record h1')?.textContent === 'Phạm Thị Hồ Sơ'",
    )
    .await;
    assert_eq!(
        b.js("return location.hash").await,
        json!(format!("#/cadre/{id}"))
    );
    b.page("cadre-record-empty").await;
    // In the ward since 2020, when code 26737 was Phường Đa Kao: named as it was then too.
    assert_eq!(
        b.js("return [...document.querySelectorAll('#cadre-record td')].some(td => td.textContent === 'Phường Tân Định (trước đây là Phường Đa Kao)')").await,
        json!(true),
        "the ward's former name beside its name"
    );
    // A planned title at the ward's level: a from day after the last day is refused at its field.
    let title = ward_title(b).await;
    // Writes move the planned population's report: not while a test compares two readings.
    let report = s.report.write().await;
    b.js(&format!(
        "document.querySelector('#plans-form [data-field=title_code] select').value = '{title}';"
    ))
    .await;
    b.fill("#plans-form [data-field=from_date] input", "01/06/2026")
        .await;
    b.fill("#plans-form [data-field=to_date] input", "01/05/2026")
        .await;
    b.click("#plans-form button[type=submit]").await;
    b.until(
        "the period refused at its field",
        "return document.querySelector('#plans-form [data-field=to_date] .field-error')?.textContent",
    )
    .await;
    assert_eq!(
        super::api_get(b, &format!("/api/cadres/{id}")).await["plans"],
        json!([])
    );
    b.fill("#plans-form [data-field=to_date] input", "").await;
    b.click("#plans-form button[type=submit]").await;
    b.until(
        "the plan listed",
        "return document.querySelectorAll('#plans-table tbody tr').length === 1",
    )
    .await;
    let rec = super::api_get(b, &format!("/api/cadres/{id}")).await;
    assert_eq!(rec["plans"][0]["title_code"], json!(title), "{rec}");
    assert_eq!(rec["plans"][0]["from_date"], "2026-06-01");
    assert_eq!(rec["plans"][0]["to_date"], json!(null));
    let pid = rec["plans"][0]["id"].as_i64().expect("plan id");
    // Its last day set from the row.
    b.click(&format!(
        "#plans-table tr[data-period=\"{pid}\"] button.end-period"
    ))
    .await;
    b.fill("#plans-table .end-form input", "30/11/2026").await;
    b.click("#plans-table .end-form button[type=submit]").await;
    b.until(
        "the last day shown",
        &format!("return document.querySelector('#plans-table tr[data-period=\"{pid}\"]')?.textContent.includes('30/11/2026')"),
    )
    .await;
    let rec = super::api_get(b, &format!("/api/cadres/{id}")).await;
    assert_eq!(rec["plans"][0]["to_date"], "2026-11-30", "{rec}");
    // A qualification added, its evidence edited, then revoked with a reason.
    b.js("const s = document.querySelector('#qualification-form [data-field=scale] select'); s.value = 'political_theory'; s.dispatchEvent(new Event('change'));").await;
    b.fill(
        "#qualification-form [data-field=obtained_on] input",
        "15/03/2015",
    )
    .await;
    b.fill(
        "#qualification-form [data-field=issuer] input",
        "Trường Chính trị",
    )
    .await;
    b.fill(
        "#qualification-form [data-field=evidence] input",
        "B-2015/77",
    )
    .await;
    b.click("#qualification-form button[type=submit]").await;
    b.until(
        "the qualification listed",
        "return document.querySelectorAll('#qualifications-table tbody tr').length === 1",
    )
    .await;
    let qs = super::api_get(b, &format!("/api/cadres/{id}/qualifications")).await;
    let q = &qs["items"][0];
    assert_eq!(q["scale"], "political_theory", "{qs}");
    assert_eq!(q["evidence"], "B-2015/77");
    assert_eq!(q["source"], "manual");
    let qid = q["id"].as_i64().expect("qualification id");
    let row = format!("#qualifications-table tr[data-qualification=\"{qid}\"]");
    b.click(&format!("{row} button.edit-qual")).await;
    b.fill(".qual-edit [data-field=evidence] input", "B-2015/78")
        .await;
    b.click(".qual-edit button[type=submit]").await;
    b.until(
        "evidence saved",
        "return [...document.querySelectorAll('#qualifications-table td')].some(td => td.textContent === 'B-2015/78')",
    )
    .await;
    assert_eq!(
        super::api_get(b, &format!("/api/cadres/{id}/qualifications")).await["items"][0]
            ["evidence"],
        "B-2015/78"
    );
    b.click(&format!("{row} button.revoke-qual")).await;
    b.fill(".qual-revoke [data-field=revoked_on] input", "01/10/2026")
        .await;
    b.click(".qual-revoke button[type=submit]").await;
    b.until(
        "a reason asked for",
        "return document.querySelector('.qual-revoke [data-field=reason] .field-error')?.textContent",
    )
    .await;
    b.fill(
        ".qual-revoke [data-field=reason] input",
        "Bằng không hợp lệ",
    )
    .await;
    b.click(".qual-revoke button[type=submit]").await;
    b.until(
        "revoked",
        "return document.querySelector('#record-msg')?.textContent.includes('Đã thu hồi')",
    )
    .await;
    let q = &super::api_get(b, &format!("/api/cadres/{id}/qualifications")).await["items"][0];
    assert_eq!(q["revoked_on"], "2026-10-01", "{q}");
    drop(report);
    b.page("cadre-record").await;
    b.logout().await;
    // The school reaches the record from its own roster.
    b.login("school", DEMO_PASSWORD, "school").await;
    b.click("#nav a[href='#/roster']").await;
    b.fill("#roster-search input[type=search]", "Phạm Thị Hồ Sơ")
        .await;
    b.click("#roster-search button[type=submit]").await;
    b.click(&format!(
        "#roster-table tr[data-cadre=\"{id}\"] a.record-link"
    ))
    .await;
    b.wait("#plans-form").await;
    b.page("cadre-record-school").await;
    b.logout().await;
}
