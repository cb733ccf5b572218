//! Editing a cadre's record by hand: a qualification's provenance, its revocation with a reason
//! (audited) and its reinstatement; who may, and what is refused (issue 16's record pages).

use rocket::http::Status;
use serde_json::json;

use crate::cadres::create;
use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(qualification_edited_revoked_and_reinstated);

async fn qualification_edited_revoked_and_reinstated(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let id = create(&app, &admin, "Nguyễn Văn An", "079180000701", "26734").await;
    let other = create(&app, &admin, "Trần Thị Bé", "079180000702", "26764").await;
    let url = format!("/api/cadres/{id}/qualifications");
    let (s, v) = app
        .post(&url, Some(&admin), json!({"scale": "political_theory", "level": "intermediate", "obtained_on": "2012-06-30",
            "issuer": "Trường Cán bộ", "evidence": "Bằng số 123/TC", "source_ref": "Sổ 2012"}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let qid = v["items"][0]["id"].as_i64().unwrap();
    assert_eq!(v["items"][0]["revoked_on"], json!(null));
    let q_url = format!("{url}/{qid}");
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;
    // The officer of the district edits the provenance; the rest stays.
    let (s, v) = app
        .patch(
            &q_url,
            Some(&officer),
            json!({"issuer": "  Trường Chính trị thành phố ", "evidence": "Bằng số 124/TC"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["items"][0]["issuer"], "Trường Chính trị thành phố");
    assert_eq!(v["items"][0]["evidence"], "Bằng số 124/TC");
    assert_eq!(v["items"][0]["source_ref"], "Sổ 2012");
    // Refusals, each naming its field, and nothing written.
    for (body, status, field) in [
        (
            json!({"revoked_on": "2020-01-01"}),
            Status::UnprocessableEntity,
            "reason",
        ),
        (
            json!({"reason": "Bằng giả"}),
            Status::UnprocessableEntity,
            "reason",
        ),
        (
            json!({"revoked_on": "2011-01-01", "reason": "Bằng giả"}),
            Status::UnprocessableEntity,
            "revoked_on",
        ),
        (
            json!({"revoked_on": "2999-01-01", "reason": "Bằng giả"}),
            Status::UnprocessableEntity,
            "revoked_on",
        ),
        (
            json!({"revoked_on": "2020-01-01", "reason": "x".repeat(501)}),
            Status::UnprocessableEntity,
            "reason",
        ),
        (
            json!({"issuer": "x".repeat(301)}),
            Status::UnprocessableEntity,
            "issuer",
        ),
        (
            json!({"level": "advanced"}),
            Status::UnprocessableEntity,
            "level",
        ),
    ] {
        let (s, v) = app.patch(&q_url, Some(&officer), body.clone()).await;
        assert_eq!(s, status, "{body}: {v}");
        assert_eq!(v["error"]["field"], field, "{body}: {v}");
    }
    let (_, v) = app.get(&url, Some(&admin)).await;
    assert_eq!(v["items"][0]["revoked_on"], json!(null));
    assert_eq!(v["items"][0]["issuer"], "Trường Chính trị thành phố");
    // Who may not: the commission and a cadre (403), an officer of another district and
    // another cadre's path (404), an unknown qualification (404).
    let commission = app.account(&admin, "commission1", "commission", None).await;
    let (s, _) = app
        .patch(&q_url, Some(&commission), json!({"evidence": "x"}))
        .await;
    assert_eq!(s, Status::Forbidden);
    let elsewhere = app
        .account(&admin, "officer.q3", "officer", Some("770"))
        .await;
    let (s, v) = app
        .patch(&q_url, Some(&elsewhere), json!({"evidence": "x"}))
        .await;
    assert_eq!(s, Status::NotFound, "{v}");
    assert!(!v.to_string().contains("Nguyễn Văn An"));
    for path in [
        format!("/api/cadres/{other}/qualifications/{qid}"),
        format!("{url}/999999"),
        format!("{url}/abc"),
    ] {
        let (s, v) = app
            .patch(&path, Some(&admin), json!({"evidence": "x"}))
            .await;
        assert_eq!(s, Status::NotFound, "{path}: {v}");
    }
    let (s, _) = app.patch(&q_url, None, json!({"evidence": "x"})).await;
    assert_eq!(s, Status::Unauthorized);
    // Revoked with its reason: served with the day, and the reason is in the audit trail.
    let (s, v) = app
        .patch(
            &q_url,
            Some(&officer),
            json!({"revoked_on": "2020-01-01", "reason": "Bằng không hợp lệ"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["items"][0]["revoked_on"], "2020-01-01");
    let (_, d) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(d["qualifications"][0]["revoked_on"], "2020-01-01");
    let (s, log) = app
        .get(
            &format!("/api/audit?entity=qualification&entity_id={qid}"),
            Some(&admin),
        )
        .await;
    assert_eq!(s, Status::Ok, "{log}");
    let entries = log["items"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["action"] == "update"
            && e["after"]["reason"] == "Bằng không hợp lệ"
            && e["after"]["revoked_on"] == "2020-01-01"
            && e["actor"] == "officer.q1"),
        "{log}"
    );
    // Reinstated (with a reason) it counts again.
    let (s, v) = app
        .patch(
            &q_url,
            Some(&admin),
            json!({"revoked_on": null, "reason": "Đã xác minh bản gốc"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["items"][0]["revoked_on"], json!(null));
    // A qualification a class completion awarded changes only with its certificate.
    let db = &app.state().db;
    cadre_training::on_db!(db, |p| sqlx::query(
        "UPDATE cadre_qualifications SET source = 'completion' WHERE id = $1"
    )
    .bind(qid)
    .execute(p)
    .await
    .map(drop))
    .unwrap();
    let (s, v) = app
        .patch(&q_url, Some(&admin), json!({"evidence": "x"}))
        .await;
    assert_eq!(s, Status::Conflict, "{v}");
    assert_eq!(v["error"]["field"], "source");
}
