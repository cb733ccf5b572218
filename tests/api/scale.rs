//! Several app servers on one database behave as one: the enrolment race split across two
//! instances, and a write on one instance seen at once by the other (no in-process caches).

use cadre_training::shared::clock::city_today;
use chrono::Duration;
use rocket::futures::future::join_all;
use rocket::http::{ContentType, Header, Status};
use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    thousand_enrolments_for_thirty_seats_across_two_instances,
    a_write_on_one_instance_is_seen_by_the_other_at_once,
);

/// Imports `n` cadres of Phường Tân Định in one file; returns their ids.
async fn many_cadres(app: &TestApp, admin: &str, n: usize) -> Vec<i64> {
    let mut csv =
        String::from("Số CCCD/CMND,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã đơn vị,Tổ chức\n");
    for i in 0..n {
        csv.push_str(&format!(
            "{:012},Nguyễn Văn An,Nam,01/01/1980,Kinh,26734,Mặt trận Tổ quốc\n",
            79_100_000_000u64 + i as u64
        ));
    }
    let (s, v) = app
        .post_raw(
            "/api/imports/cadres",
            Some(admin),
            ContentType::CSV,
            csv.into_bytes(),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let mut ids = vec![];
    let mut offset = 0;
    while ids.len() < n {
        let (s, v) = app
            .get(
                &format!("/api/cadres?limit=500&offset={offset}"),
                Some(admin),
            )
            .await;
        assert_eq!(s, Status::Ok, "{v}");
        let items = v["items"].as_array().unwrap();
        assert!(!items.is_empty());
        ids.extend(items.iter().map(|c| c["id"].as_i64().unwrap()));
        offset += items.len();
    }
    ids
}

async fn open_class(app: &TestApp, school: &str, code: &str, capacity: i64) {
    let today = city_today();
    let (s, v) = app
        .post("/api/classes", Some(school), json!({"code": code, "module_code": "DV-01", "organiser": "Trường Cán bộ thành phố",
            "capacity": capacity, "enrol_opens": (today - Duration::days(1)).to_string(),
            "enrol_closes": (today + Duration::days(30)).to_string(),
            "sessions": [{"starts_at": "2030-03-01T08:00", "ends_at": "2030-03-01T11:00", "venue": "Phòng 1", "instructor": "GV 1"}]}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, v) = app
        .post(
            &format!("/api/classes/{code}/status"),
            Some(school),
            json!({"status": "open"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
}

async fn thousand_enrolments_for_thirty_seats_across_two_instances(app: TestApp) {
    let extra = [("db_acquire_timeout_secs", json!(60))];
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school1", "school", None).await;
    // The long variant (CADRE_LONG_TESTS=1) races 5,000 requests for the same 30 seats.
    let n = if crate::helpers::long_tests() {
        5_000
    } else {
        1_000
    };
    let ids = many_cadres(&app, &admin, n).await;
    open_class(&app, &school, "RACE-1000", 30).await;
    let a = app.another_instance(&extra).await;
    let b = app.another_instance(&extra).await;
    // 1,000 requests at once, every other one to the second instance.
    let tasks: Vec<_> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let client = if i % 2 == 0 {
                a.client.clone()
            } else {
                b.client.clone()
            };
            let auth = Header::new("Authorization", format!("Bearer {school}"));
            let body = json!({"cadre_id": id}).to_string();
            rocket::tokio::spawn(async move {
                let res = client
                    .post("/api/classes/RACE-1000/enrolments")
                    .header(auth)
                    .header(ContentType::JSON)
                    .body(body)
                    .dispatch()
                    .await;
                let status = res.status();
                (status, res.into_string().await.unwrap_or_default())
            })
        })
        .collect();
    let results: Vec<(Status, String)> = join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect();
    let server_errors = results.iter().filter(|(s, _)| s.code >= 500).count();
    assert_eq!(
        server_errors,
        0,
        "5xx answers, e.g. {:?}",
        results.iter().find(|(s, _)| s.code >= 500)
    );
    let refused: Vec<_> = results
        .iter()
        .filter(|(s, _)| *s != Status::Created)
        .collect();
    assert!(
        refused.is_empty(),
        "{} refused, e.g. {:?}",
        refused.len(),
        refused.first()
    );
    // Either instance reads the same outcome.
    for reader in [&a, &b, &app] {
        let (s, v) = reader
            .get("/api/classes/RACE-1000/enrolments", Some(&school))
            .await;
        assert_eq!(s, Status::Ok, "{v}");
        let items = v["items"].as_array().unwrap();
        assert_eq!(
            items.iter().filter(|e| e["status"] == "enrolled").count(),
            30
        );
        let mut positions: Vec<i64> = items
            .iter()
            .filter(|e| e["status"] == "waitlisted")
            .map(|e| e["position"].as_i64().unwrap())
            .collect();
        positions.sort_unstable();
        assert_eq!(positions, (1..=n as i64 - 30).collect::<Vec<i64>>());
    }
}

async fn a_write_on_one_instance_is_seen_by_the_other_at_once(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let other = app.another_instance(&[]).await;
    let commission = app.account(&admin, "commission1", "commission", None).await;
    let report = "/api/reports/gaps?unit=26734&population=incumbent";
    let (s, before) = other.get(report, Some(&commission)).await;
    assert_eq!(s, Status::Ok, "{before}");
    assert_eq!(before["totals"]["assessed"], 0, "{before}");
    // A title holder recorded through the first instance…
    let (s, v) = app
        .post("/api/cadres", Some(&admin), json!({"full_name": "Nguyễn Thị An", "gender": "female", "birth_date": "1980-03-15",
            "ethnicity": "Kinh", "personal_id": "079180000001", "unit_code": "26734", "organisation": "fatherland_front",
            "unit_since": "2010-01-01"}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let id = v["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/titles"),
            Some(&admin),
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2020-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    // …is in the second instance's report at once.
    let (s, after) = other.get(report, Some(&commission)).await;
    assert_eq!(s, Status::Ok, "{after}");
    assert_eq!(after["totals"]["assessed"], 1, "{after}");
    let short = after["totals"]["short"].as_i64().unwrap();
    assert_eq!(short, 1, "no qualifications yet: {after}");
    // A revocation of tokens on one instance holds on the other: deactivate through the second.
    let officer = app
        .account(&admin, "officer1", "officer", Some("760"))
        .await;
    let (s, _) = other.get("/api/cadres", Some(&officer)).await;
    assert_eq!(s, Status::Ok);
    let (s, list) = other.get("/api/accounts?limit=100", Some(&admin)).await;
    assert_eq!(s, Status::Ok, "{list}");
    let oid = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "officer1")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (s, v) = other
        .patch(
            &format!("/api/accounts/{oid}"),
            Some(&admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, _) = app.get("/api/cadres", Some(&officer)).await;
    assert_eq!(
        s,
        Status::Unauthorized,
        "the first instance refuses the deactivated account's token at once"
    );
}
