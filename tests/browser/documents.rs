//! Printable documents in the browser (issue 17): the cadre downloads their certificate as a PDF
//! from their own page, with the page's token.

use serde_json::json;

use crate::harness::{Browser, Server, DEMO_PASSWORD};

/// The demo cadre (who holds a certificate of the school's class UI-TEST-01) finds the PDF link
/// beside it on their own page; fetching it with the page's token gives a PDF, and clicking it
/// saves one.
pub async fn cadre_certificate_pdf(s: &'static Server, b: &Browser) {
    crate::school_classes(s).await;
    b.login("cadre", DEMO_PASSWORD, "cadre").await;
    b.wait("#my-record a.pdf-link[data-cert]").await;
    let link = b
        .js("const a = document.querySelector('#my-record a.pdf-link[data-cert]'); return [a.textContent, a.getAttribute('href'), a.dataset.cert]")
        .await;
    assert_eq!(link[0], "Tải giấy chứng nhận (PDF)", "{link}");
    let cert = link[2].as_str().expect("certificate number");
    assert_eq!(
        link[1],
        json!(format!("/api/certificates/{cert}/pdf?lang=vi")),
        "{link}"
    );
    // The file, fetched as the page fetches it: with the session's token.
    let got = b
        .c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const href = document.querySelector('#my-record a.pdf-link[data-cert]').getAttribute('href');
             fetch(href, { headers: { Authorization: 'Bearer ' + sessionStorage.getItem('token') } })
               .then(async (r) => { const b = new Uint8Array(await r.arrayBuffer());
                 done([r.status, r.headers.get('Content-Type'), String.fromCharCode(...b.slice(0, 5)), b.length]); })
               .catch((e) => done(String(e)));",
            vec![],
        )
        .await
        .expect("fetch in the page");
    assert_eq!(got[0], 200, "{got}");
    assert_eq!(got[1], "application/pdf", "{got}");
    assert_eq!(got[2], "%PDF-", "{got}");
    assert!(got[3].as_i64().unwrap() > 10_000, "{got}");
    // Without the token the API refuses it.
    let anonymous = b
        .c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(document.querySelector('#my-record a.pdf-link[data-cert]').getAttribute('href')).then((r) => done(r.status));",
            vec![],
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
    b.logout().await;
    // The school's class page: every certificate in one PDF, a PDF per certificate, and a
    // sign-in sheet per session.
    b.login("school", DEMO_PASSWORD, "school").await;
    b.open("#/class/UI-TEST-01").await;
    b.wait("#certs-pdf-all").await;
    assert_eq!(b.text("#certs-pdf-all").await, "Tải tất cả giấy chứng nhận (PDF)");
    assert_eq!(b.count("#class-page a.pdf-link[data-cert]").await, 2);
    assert_eq!(b.count("#class-page a.pdf-link[data-session]").await, 2);
    assert_eq!(
        b.text("#class-page a.pdf-link[data-session]").await,
        "Danh sách ký tên (PDF)"
    );
    b.click("#class-page a.pdf-link[data-session]").await;
    let d = b
        .until(
            "the sign-in sheet saved",
            "return (window.__downloads || []).find(d => d.name.endsWith('-sign-in.pdf'))",
        )
        .await;
    assert_eq!(d["magic"], "%PDF", "{d}");
    b.click("#certs-pdf-all").await;
    let d = b
        .until(
            "the class's certificates saved",
            "return (window.__downloads || []).find(d => d.name === 'UI-TEST-01-certificates.pdf')",
        )
        .await;
    assert_eq!(d["type"], "application/pdf", "{d}");
    b.page("class-documents").await;
}
