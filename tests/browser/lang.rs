//! The pages in the user's language: gap reasons rendered from their codes through the served
//! catalogue (the cadres behind a report's cell, the cadre's own record), the reports' files in
//! the page's language, and the audit log's actions and record kinds through labels.

use crate::harness::{Browser, Server, ADMIN_PASSWORD, DEMO_PASSWORD};
use serde_json::json;

flows!(in_browser: gap_reasons_and_files_in_the_page_language, audit_log_in_vietnamese);

/// Reasons (under SEL) without a code, still in the API's English words or with ISO dates, or
/// with a parameter left unfilled: none expected.
const VIETNAMESE_REASONS: &str = "const all = [...document.querySelectorAll('SEL')]; \
    if (!all.length) return ['no reasons under SEL']; \
    return all.filter(e => !e.dataset.code || /\\b(needs|holds|completed|recorded|years|age|never)\\b|\\d{4}-\\d{2}-\\d{2}|[{}]/.test(e.textContent)).map(e => e.dataset.code + ': ' + e.textContent);";

/// Some reason (under SEL) in Vietnamese words.
const SOME_VIETNAMESE: &str = "return [...document.querySelectorAll('SEL')].some(e => /cần|chưa học|đã quá|đã có|đã học|tuổi/.test(e.textContent))";

/// The first line of the last CSV downloaded whose name holds NAME.
const CSV_LINE: &str = "return (window.__downloads || []).filter(d => d.name.endsWith('.csv') && d.name.includes('NAME')).map(d => d.first_line).pop()";

async fn csv_header(b: &Browser, button: &str, name: &str) -> String {
    b.js("window.__downloads = [];").await;
    b.click(button).await;
    b.until(
        &format!("the CSV of {button}"),
        &CSV_LINE.replace("NAME", name),
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// The commission's drill-down and the cadre's record show reasons rendered from their codes in
/// Vietnamese (English after the switch); the report's, the cadres', the comparison's and the
/// training demand's CSV come in the page's language.
async fn gap_reasons_and_files_in_the_page_language(_: &'static Server, b: &Browser) {
    b.login("commission", DEMO_PASSWORD, "commission").await;
    b.wait("#heatmap .heat-btn").await;
    b.click("#heatmap .heat-btn").await;
    b.until(
        "cadres behind the cell",
        "return document.querySelectorAll('#cadres-table .reasons li').length > 0",
    )
    .await;
    let sel = "#cadres-table .reasons li";
    assert_eq!(
        b.js(&VIETNAMESE_REASONS.replace("SEL", sel)).await,
        json!([]),
        "reasons from their codes, in Vietnamese"
    );
    assert_eq!(
        b.js(&SOME_VIETNAMESE.replace("SEL", sel)).await,
        json!(true)
    );
    b.page("lang-report-reasons-vi").await;
    let line = csv_header(b, "#export-cadres-csv", "gap-cadres").await;
    assert!(
        line.starts_with("Mã cán bộ,Họ và tên,Mã đơn vị,Mã chức danh,Đối tượng"),
        "{line}"
    );
    let line = csv_header(b, "#export-csv", "gap-report").await;
    assert!(
        line.starts_with("Mã đơn vị,Tên đơn vị,Số được đánh giá") && line.contains("Thiếu: "),
        "{line}"
    );
    assert!(
        !line.contains("short:") && !line.contains("_short"),
        "{line}"
    );
    b.open("#/compare").await;
    b.wait("#compare-chart").await;
    let line = csv_header(b, "#export-compare-csv", "gap-compare").await;
    assert!(
        line.starts_with("Mã đơn vị,Tên đơn vị,Số được đánh giá ngày 31/12/2015"),
        "{line}"
    );
    // In English: the same reasons in the API's words, the files with its headers.
    b.click("#lang").await;
    b.open("#/report").await;
    b.wait("#heatmap .heat-btn").await;
    b.click("#heatmap .heat-btn").await;
    b.until(
        "cadres behind the cell, in English",
        "return document.querySelectorAll('#cadres-table .reasons li').length > 0",
    )
    .await;
    assert_eq!(
        b.js("return [...document.querySelectorAll('#cadres-table .reasons li')].some(e => /needs|never completed|older than|limit/.test(e.textContent))").await,
        json!(true),
        "English reasons"
    );
    b.page("lang-report-reasons-en").await;
    let line = csv_header(b, "#export-cadres-csv", "gap-cadres").await;
    assert!(line.starts_with("cadre_id,full_name"), "{line}");
    b.click("#lang").await;
    b.no_errors("the reports in both languages").await;
    b.logout().await;

    // The school's training demand, as CSV in Vietnamese.
    b.login("school", DEMO_PASSWORD, "school").await;
    b.open("#/demand").await;
    b.wait("#demand table").await;
    let line = csv_header(b, "#export-demand-csv", "demand").await;
    assert!(line.starts_with("Mã chuyên đề,Tên chuyên đề"), "{line}");
    b.no_errors("training demand").await;
    b.logout().await;

    // The cadre's own gaps.
    b.login("cadre", DEMO_PASSWORD, "cadre").await;
    b.wait("#gaps .reason").await;
    assert_eq!(
        b.js(&VIETNAMESE_REASONS.replace("SEL", "#gaps .reason"))
            .await,
        json!([]),
        "own reasons from their codes, in Vietnamese"
    );
    assert_eq!(
        b.js(&SOME_VIETNAMESE.replace("SEL", "#gaps .reason")).await,
        json!(true)
    );
    b.page("lang-cadre-reasons").await;
    b.no_errors("the cadre's record").await;
    b.logout().await;
}

/// The audit log in Vietnamese names every action and kind of record by its label, never by the
/// code the API stores (a failed login, made here, among them); in English, by the English label.
async fn audit_log_in_vietnamese(_: &'static Server, b: &Browser) {
    b.open("#/login").await;
    b.fill("#login-form input[name=username]", "admin").await;
    b.fill("#login-form input[name=password]", "not-the-password-2026")
        .await;
    b.click("#login-form button[type=submit]").await;
    b.until(
        "the failed login refused",
        "return document.querySelector('#login-form .form-error:not([hidden]), #login-form .field-error')?.textContent",
    )
    .await;
    b.login("admin", ADMIN_PASSWORD, "admin").await;
    b.open("#/audit").await;
    b.wait("#audit-table tbody td[data-action]").await;
    let raw = "return [...document.querySelectorAll('#audit-table tbody tr')].flatMap(tr => { \
        const a = tr.querySelector('td[data-action]'), e = tr.querySelector('td[data-entity]'); \
        const bad = []; \
        if (!a.textContent.trim() || a.textContent === a.dataset.action) bad.push('action ' + a.dataset.action); \
        if (e.textContent.startsWith(e.dataset.entity + ' ')) bad.push('kind ' + e.dataset.entity); \
        return bad; })";
    assert_eq!(b.js(raw).await, json!([]), "no raw action or kind");
    b.page("lang-audit-vi").await;
    b.open("#/audit?entity=account").await;
    b.until(
        "the accounts' entries",
        "return location.hash.includes('entity=account') && [...document.querySelectorAll('#audit-table td[data-entity]')].length > 0 && [...document.querySelectorAll('#audit-table td[data-entity]')].every(td => td.dataset.entity === 'account')",
    )
    .await;
    assert_eq!(b.js(raw).await, json!([]), "no raw action or kind");
    let shown = b.text("#audit-table tbody").await;
    assert!(shown.contains("Đăng nhập sai"), "the failed login: {shown}");
    assert!(shown.contains("Tài khoản"), "{shown}");
    b.click("#lang").await;
    b.until(
        "the audit log in English",
        "return [...document.querySelectorAll('#audit-table td[data-action]')].some(td => td.textContent === 'Failed login')",
    )
    .await;
    assert_eq!(
        b.js(raw).await,
        json!([]),
        "no raw action or kind (English)"
    );
    b.click("#lang").await;
    b.no_errors("audit log").await;
    b.logout().await;
}
