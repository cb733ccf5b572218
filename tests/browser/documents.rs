//! Printable documents in the browser (issue 17): the demo cadre downloads their certificate as a
//! PDF from their own page, with the page's token; the school finds the class's documents on the
//! class page.

use serde_json::{json, Value};

use crate::harness::{Browser, Server, DEMO_PASSWORD};

/// Calls the API from the page with the session's token: (status, JSON body or null).
async fn api(b: &Browser, method: &str, path: &str, body: Value) -> (i64, Value) {
    let got = b
        .c
        .execute_async(
            "const [method, path, body, done] = arguments;
             const init = { method, headers: { Authorization: 'Bearer ' + sessionStorage.getItem('token') } };
             if (body !== null) { init.body = JSON.stringify(body); init.headers['Content-Type'] = 'application/json'; }
             fetch(path, init).then(async (r) => done([r.status, await r.json().catch(() => null)]), (e) => done([0, String(e)]));",
            vec![json!(method), json!(path), body],
        )
        .await
        .expect("fetch in the page");
    (got[0].as_i64().unwrap_or(0), got[1].clone())
}

/// The school runs a one-session class of DV-12 (a module the demo cadre's titles do not ask
/// for, so the gap reports other flows read keep their numbers) with the demo cadre in it, and
/// finishes it: the cadre now holds a certificate.
async fn cadre_with_certificate(s: &Server, b: &Browser) {
    b.login("cadre", DEMO_PASSWORD, "cadre").await;
    let (_, me) = api(b, "GET", "/api/me", Value::Null).await;
    let me = (if me["cadre"]["cadre"].is_object() {
        &me["cadre"]["cadre"]
    } else {
        &me["cadre"]
    })["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the demo cadre's id: {me}"));
    b.logout().await;
    b.login("school", DEMO_PASSWORD, "school").await;
    let _report = s.report.write().await;
    let day = |d: i64| {
        (chrono::Utc::now() + chrono::Duration::days(d))
            .format("%Y-%m-%d")
            .to_string()
    };
    let (st, v) = api(b, "POST", "/api/classes", json!({
        "code": "UI-DOC-01", "module_code": "DV-12", "organiser": "Trường Cán bộ thành phố", "capacity": 5,
        "enrol_opens": day(-1), "enrol_closes": day(30),
        "sessions": [{"starts_at": "2024-05-05T08:00", "ends_at": "2024-05-05T11:00",
                      "venue": "Phòng tư liệu", "instructor": "ThS. Trần Minh Châu"}]})).await;
    assert_eq!(st, 201, "{v}");
    let session = v["sessions"][0]["id"].as_i64().expect("session id");
    for (method, path, body) in [
        (
            "POST",
            "/api/classes/UI-DOC-01/status".to_string(),
            json!({"status": "open"}),
        ),
        (
            "POST",
            "/api/classes/UI-DOC-01/enrolments".to_string(),
            json!({"cadre_id": me}),
        ),
    ] {
        let (st, v) = api(b, method, &path, body).await;
        assert!(st == 200 || st == 201, "{path}: {v}");
    }
    let (_, list) = api(b, "GET", "/api/classes/UI-DOC-01/enrolments", Value::Null).await;
    let enrolment = list["items"][0]["id"].as_i64().expect("enrolment");
    for (method, path, body) in [
        (
            "POST",
            "/api/classes/UI-DOC-01/status".to_string(),
            json!({"status": "running"}),
        ),
        (
            "PUT",
            format!("/api/classes/UI-DOC-01/sessions/{session}/attendance"),
            json!({"records": [{"enrolment_id": enrolment, "status": "present"}]}),
        ),
        (
            "PUT",
            "/api/classes/UI-DOC-01/results".to_string(),
            json!({"results": [{"enrolment_id": enrolment, "score": 9.0, "passed": true}]}),
        ),
        (
            "POST",
            "/api/classes/UI-DOC-01/status".to_string(),
            json!({"status": "finished"}),
        ),
    ] {
        let (st, v) = api(b, method, &path, body).await;
        assert_eq!(st, 200, "{path}: {v}");
    }
}

/// The demo cadre finds the PDF link beside their certificate on their own page; fetching it
/// with the page's token gives a PDF (without it, 401), and clicking it saves one. The school's
/// class page offers all the class's certificates, one per certificate, and a sign-in sheet per
/// session.
pub async fn cadre_certificate_pdf(s: &'static Server, b: &Browser) {
    crate::school_classes(s).await;
    cadre_with_certificate(s, b).await;

    // The school's class page.
    b.open("#/class/UI-DOC-01").await;
    b.wait("#certs-pdf-all").await;
    assert_eq!(
        b.text("#certs-pdf-all").await,
        "Tải tất cả giấy chứng nhận (PDF)"
    );
    assert_eq!(b.count("#class-page a.pdf-link[data-cert]").await, 1);
    assert_eq!(
        b.text("#class-page a.pdf-link[data-session]").await,
        "Danh sách ký tên (PDF)"
    );
    b.click("#class-page a.pdf-link[data-session]").await;
    let d = b
        .until(
            "the sign-in sheet saved",
            "return (window.__downloads || []).find(d => d.name === 'UI-DOC-01-session-' + document.querySelector('#class-page a.pdf-link[data-session]').dataset.session + '-sign-in.pdf')",
        )
        .await;
    assert_eq!(d["magic"], "%PDF", "{d}");
    b.click("#certs-pdf-all").await;
    let d = b
        .until(
            "the class's certificates saved",
            "return (window.__downloads || []).find(d => d.name === 'UI-DOC-01-certificates.pdf')",
        )
        .await;
    assert_eq!(d["type"], "application/pdf", "{d}");
    b.page("class-documents").await;
    b.logout().await;

    // The cadre's own page.
    b.login("cadre", DEMO_PASSWORD, "cadre").await;
    b.wait("#my-record a.pdf-link[data-cert]").await;
    let link = b
        .js("const a = document.querySelector('#my-record a.pdf-link[data-cert]'); return [a.textContent, a.getAttribute('href'), a.dataset.cert]")
        .await;
    assert_eq!(link[0], "Tải giấy chứng nhận (PDF)", "{link}");
    let cert = link[2].as_str().expect("certificate number").to_string();
    let href = format!("/api/certificates/{cert}/pdf?lang=vi");
    assert_eq!(link[1], json!(href), "{link}");
    // The file, fetched as the page fetches it: with the session's token.
    let got = b
        .c
        .execute_async(
            "const [href, done] = arguments;
             fetch(href, { headers: { Authorization: 'Bearer ' + sessionStorage.getItem('token') } })
               .then(async (r) => { const b = new Uint8Array(await r.arrayBuffer());
                 done([r.status, r.headers.get('Content-Type'), String.fromCharCode(...b.slice(0, 5)), b.length]); })
               .catch((e) => done(String(e)));",
            vec![json!(href)],
        )
        .await
        .expect("fetch in the page");
    assert_eq!(got[0], 200, "{got}");
    assert_eq!(got[1], "application/pdf", "{got}");
    assert_eq!(got[2], "%PDF-", "{got}");
    assert!(got[3].as_i64().unwrap() > 10_000, "{got}");
    // Without the token the API refuses it.
    let anonymous =
        b.c.execute_async(
            "const [href, done] = arguments; fetch(href).then((r) => done(r.status));",
            vec![json!(href)],
        )
        .await
        .expect("fetch in the page");
    assert_eq!(anonymous, 401);
    // The link saves it.
    b.click("#my-record a.pdf-link[data-cert]").await;
    let d = b
        .until(
            "the certificate saved",
            &format!("return (window.__downloads || []).find(d => d.name === '{cert}.pdf')"),
        )
        .await;
    assert_eq!(d["type"], "application/pdf", "{d}");
    assert_eq!(d["magic"], "%PDF", "{d}");
    b.page("cadre-certificate-pdf").await;
}
