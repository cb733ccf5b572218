//! Reminders by the city clock (issue 17): a class starting within three days, a session
//! tomorrow (from 18:00 the evening before), a training going stale within 60 days — each told
//! once to the enrolled cadre and the officers of their unit, whatever the sweeps, a restart or a
//! second app server; the waitlisted are not reminded.

use cadre_training::completions::reminders::{sweep, Swept};
use chrono::{DateTime, Utc};
use rocket::http::Status;
use serde_json::{json, Value};

use crate::cadres::create as create_cadre;
use crate::classes::{enrol, open_class, session, setup};
use crate::db_tests;
use crate::helpers::TestApp;
use crate::notices::cadre_account;

db_tests!(
    class_reminders_go_once_by_the_city_clock,
    stale_trainings_are_told_once
);

/// A city time (UTC+7) as an instant.
fn city(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{s}+07:00"))
        .unwrap()
        .with_timezone(&Utc)
}

async fn sweep_at(app: &TestApp, at: &str, stale: bool) -> Swept {
    let st = app.state();
    st.clock.set_now(Some(city(at)));
    sweep(&st.db, &st.config, &st.clock, stale)
        .await
        .expect("a sweep")
}

fn kinds_about(v: &Value, cadre: i64) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["cadre_id"] == cadre)
        .map(|n| n["kind"].as_str().unwrap().to_string())
        .collect()
}

async fn class_reminders_go_once_by_the_city_clock(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let an = create_cadre(&app, &admin, "Nguyễn Văn An", "079180019001", "26734").await;
    let binh = create_cadre(&app, &admin, "Trần Thị Bình", "079180019002", "26734").await;
    let me = cadre_account(&app, &admin, "remind.an", an).await;
    let officer = app
        .account(&admin, "remind.officer", "officer", Some("26734"))
        .await;
    open_class(
        &app,
        &school,
        "RM-1",
        "DV-01",
        1,
        vec![
            session(
                "2027-05-10T08:00",
                "2027-05-10T11:00",
                "Hội trường D",
                "TS. Lê Văn Minh",
            ),
            session(
                "2027-05-12T13:30",
                "2027-05-12T16:30",
                "Hội trường D",
                "TS. Lê Văn Minh",
            ),
        ],
    )
    .await;
    assert_eq!(
        enrol(&app, &school, "RM-1", Some(an)).await.0,
        Status::Created
    );
    assert_eq!(
        enrol(&app, &school, "RM-1", Some(binh)).await.1["status"],
        "waitlisted"
    );

    // Four days before: nothing yet. Three days before (early morning, city time): the class
    // starts soon, to An and the officer; again, or on a second app server: nothing more.
    assert_eq!(
        sweep_at(&app, "2027-05-06T12:00:00", false).await,
        Swept::default()
    );
    assert_eq!(
        sweep_at(&app, "2027-05-07T06:00:00", false)
            .await
            .starts_soon,
        2
    );
    assert_eq!(
        sweep_at(&app, "2027-05-07T23:00:00", false).await,
        Swept::default()
    );
    let other = app.another_instance(&[]).await;
    assert_eq!(
        sweep_at(&other, "2027-05-08T07:00:00", false).await,
        Swept::default()
    );
    // The evening before the first session: not at 17:59, at 18:00 (once).
    assert_eq!(
        sweep_at(&app, "2027-05-09T17:59:00", false).await,
        Swept::default()
    );
    let s = sweep_at(&app, "2027-05-09T18:00:00", false).await;
    assert_eq!((s.starts_soon, s.tomorrow), (0, 2));
    assert_eq!(
        sweep_at(&other, "2027-05-09T21:00:00", false).await,
        Swept::default()
    );
    // The evening before the second session.
    assert_eq!(
        sweep_at(&app, "2027-05-11T19:30:00", false).await.tomorrow,
        2
    );
    app.state().clock.set_now(None);

    let (_, v) = app.get("/api/notices", Some(&me)).await;
    assert_eq!(
        kinds_about(&v, an),
        [
            "session_tomorrow",
            "session_tomorrow",
            "class_starts_soon",
            "enrolled"
        ],
        "{v}"
    );
    let soon = &v["items"][2];
    assert_eq!(soon["subject"], "Lớp RM-1 khai giảng sau 3 ngày");
    assert!(
        soon["text"]
            .as_str()
            .unwrap()
            .contains("khai giảng ngày 10/05/2027 lúc 08:00 tại Hội trường D"),
        "{soon}"
    );
    assert!(
        v["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("12/05/2027, 13:30–16:30"),
        "{v}"
    );
    // The waitlisted cadre is not reminded.
    let (_, v) = app.get("/api/notices", Some(&officer)).await;
    assert_eq!(kinds_about(&v, binh), ["waitlisted"], "{v}");
    assert_eq!(kinds_about(&v, an).len(), 4);
}

async fn stale_trainings_are_told_once(app: TestApp) {
    let (admin, school) = setup(&app).await;
    let an = create_cadre(&app, &admin, "Nguyễn Văn An", "079180019011", "26734").await;
    let me = cadre_account(&app, &admin, "remind.stale", an).await;
    app.account(&admin, "remind.officer2", "officer", Some("26734"))
        .await;
    app.state().clock.set_now(Some(city("2027-05-01T09:00:00")));
    // DV-03 is valid five years: completed 2022-06-01, its last valid day is 2027-05-31.
    // DV-01 never goes stale.
    for (module, day) in [("DV-03", "2022-06-01"), ("DV-01", "2022-06-01")] {
        let (s, v) = app
            .post(
                &format!("/api/cadres/{an}/completions"),
                Some(&school),
                json!({"module_code": module, "completed_on": day, "source_ref": "Sổ lớp 12/2022"}),
            )
            .await;
        assert_eq!(s, Status::Created, "{v}");
    }
    assert_eq!(
        sweep_at(&app, "2027-05-01T09:00:00", false).await,
        Swept::default()
    );
    assert_eq!(sweep_at(&app, "2027-05-01T09:00:00", true).await.stale, 2);
    assert_eq!(
        sweep_at(&app, "2027-05-02T09:00:00", true).await,
        Swept::default()
    );
    app.state().clock.set_now(None);
    let (_, v) = app.get("/api/notices", Some(&me)).await;
    assert_eq!(kinds_about(&v, an), ["training_stale_soon"], "{v}");
    let n = &v["items"][0];
    assert_eq!(n["subject"], "Học phần DV-03 sắp hết hiệu lực");
    assert!(
        n["text"]
            .as_str()
            .unwrap()
            .contains("còn hiệu lực đến hết ngày 31/05/2027"),
        "{n}"
    );
    let (_, v) = app.get("/api/notices?lang=en", Some(&me)).await;
    assert!(
        v["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Skills of mobilising the people"),
        "{v}"
    );
}
