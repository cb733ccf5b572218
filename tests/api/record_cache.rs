//! The own-record cache (`GET /api/me`): every change, by this app server or another, shows in
//! the next read; reads with nothing changed are served from memory.

use cadre_training::shared::clock::city_today;
use chrono::Duration;
use rocket::http::Status;
use serde_json::{json, Value};

use crate::cadres::create as create_cadre;
use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    every_change_shows_in_the_next_read,
    unchanged_reads_come_from_the_cache,
    logins_leave_the_cached_records_valid,
    data_version_moves_once_per_write_transaction,
    notices_leave_the_cached_records_valid,
    the_data_tables_are_every_table_but_the_logs_and_notices
);

async fn me(app: &TestApp, token: &str) -> Value {
    let (s, r) = app.get("/api/me", Some(token)).await;
    assert_eq!(s, Status::Ok, "{r}");
    r
}

fn ok(what: &str, (s, v): (Status, Value)) -> Value {
    assert!(s.code < 300, "{what}: {s} {v}");
    v
}

async fn class(app: &TestApp, school: &str, code: &str, capacity: i64, in_days: i64) {
    let today = city_today();
    let day = (today + Duration::days(in_days)).to_string();
    let body = json!({"code": code, "module_code": "DV-02", "organiser": "Trường Cán bộ thành phố",
        "capacity": capacity, "enrol_opens": (today - Duration::days(1)).to_string(),
        "enrol_closes": (today + Duration::days(30)).to_string(),
        "sessions": [{"starts_at": format!("{day}T08:00"), "ends_at": format!("{day}T11:00"),
                      "venue": format!("Phòng {code}"), "instructor": format!("GV {code}")}]});
    ok("class", app.post("/api/classes", Some(school), body).await);
    let status = json!({"status": "open"});
    let path = format!("/api/classes/{code}/status");
    ok("open", app.post(&path, Some(school), status).await);
}

/// A cadre of ward 26734 with a cadre account (`cadre.<personal id>`) and its token.
async fn cadre_with_account(
    app: &TestApp,
    admin: &str,
    name: &str,
    personal_id: &str,
) -> (i64, String) {
    let id = create_cadre(app, admin, name, personal_id, "26734").await;
    let username = format!("cadre.{personal_id}");
    let account = json!({"username": username, "password": "lop-hoc-dan-van-2026", "role": "cadre",
                         "unit_code": "26734", "cadre_id": id});
    ok(
        "account",
        app.post("/api/accounts", Some(admin), account).await,
    );
    (id, app.token(&username, "lop-hoc-dan-van-2026").await)
}

fn position(r: &Value, class: &str) -> Value {
    r["enrolments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["class_code"] == class)
        .map(|e| e["position"].clone())
        .unwrap_or(Value::Null)
}

/// Reads the record after each kind of write that changes it (the cache is warm before each),
/// including writes by other cadres and writes through a second app server.
async fn every_change_shows_in_the_next_read(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school1", "school", None).await;
    let (id, token) = cadre_with_account(&app, &admin, "Nguyễn Văn An", "079180002301").await;
    let first = create_cadre(&app, &admin, "Trần Thị Bình", "079180002302", "26734").await;
    let second = create_cadre(&app, &admin, "Lê Văn Chí", "079180002303", "26734").await;
    me(&app, &token).await;
    me(&app, &token).await;

    // The cadre's own rows.
    let path = format!("/api/cadres/{id}");
    let body = json!({"full_name": "Nguyễn Văn Ân"});
    ok("rename", app.patch(&path, Some(&admin), body).await);
    assert_eq!(
        me(&app, &token).await["cadre"]["full_name"],
        "Nguyễn Văn Ân"
    );

    let path = format!("/api/cadres/{id}/titles");
    let body = json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2020-01-01"});
    ok("title", app.post(&path, Some(&admin), body).await);
    let r = me(&app, &token).await;
    assert_eq!(r["cadre"]["titles"][0]["title_code"], "FF-CHAIR-COMMUNE");
    let gaps_before = r["gaps"].clone();
    assert_eq!(gaps_before.as_array().unwrap().len(), 1, "{r}");

    // The standard of the title (not a row of the cadre's), published through a second app
    // server: the gaps follow (the record's standards come from the reference cache, kept per
    // reference version, which the write moved).
    let other = app.another_instance(&[]).await;
    let today = city_today().to_string();
    let standard = json!({"effective_from": today, "note": "Quyết định 9",
        "requirements": [{"kind": "module", "module": "DV-11"}]});
    let path = "/api/titles/FF-CHAIR-COMMUNE/standards";
    ok("standard", other.post(path, Some(&admin), standard).await);
    let r = me(&app, &token).await;
    assert_ne!(r["gaps"], gaps_before, "the new standard is assessed");
    assert!(r["gaps"].to_string().contains("DV-11"), "{}", r["gaps"]);

    // Other cadres' enrolments move this cadre's waitlist position.
    class(&app, &school, "CLS-ONE", 1, 200).await;
    for (who, what) in [(first, "first"), (second, "second")] {
        let body = json!({"cadre_id": who});
        let path = "/api/classes/CLS-ONE/enrolments";
        ok(what, app.post(path, Some(&school), body).await);
    }
    let path = "/api/classes/CLS-ONE/enrolments";
    ok("own", app.post(path, Some(&token), json!({})).await);
    assert_eq!(position(&me(&app, &token).await, "CLS-ONE"), 2);
    let (_, list) = app.get(path, Some(&school)).await;
    let waiting = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["cadre_id"] == second)
        .unwrap()["id"]
        .clone();
    let path = format!("/api/classes/CLS-ONE/enrolments/{waiting}/withdraw");
    ok(
        "withdraw",
        app.post(&path, Some(&school), json!({"reason": "Bận"}))
            .await,
    );
    assert_eq!(position(&me(&app, &token).await, "CLS-ONE"), 1);

    // A class the cadre holds a seat in is cancelled.
    class(&app, &school, "CLS-SEAT", 5, 210).await;
    let path = "/api/classes/CLS-SEAT/enrolments";
    ok("seat", app.post(path, Some(&token), json!({})).await);
    let r = me(&app, &token).await;
    assert_eq!(r["upcoming_sessions"][0]["cancelled"], false, "{r}");
    let path = "/api/classes/CLS-SEAT/status";
    let body = json!({"status": "cancelled", "reason": "Hoãn lớp"});
    ok("cancel", app.post(path, Some(&school), body).await);
    let r = me(&app, &token).await;
    assert_eq!(r["upcoming_sessions"][0]["cancelled"], true, "{r}");

    // A write through a second app server shows in this one's next read.
    let path = format!("/api/cadres/{id}/completions");
    let body = json!({"module_code": "DV-11", "completed_on": "2024-05-02", "source_ref": "Sổ"});
    ok("completion", other.post(&path, Some(&school), body).await);
    let r = me(&app, &token).await;
    assert_eq!(r["completions"][0]["module_code"], "DV-11", "{r}");
    // DV-11 is no longer a gap (its check is met; the check names the module in its params).
    assert!(
        r["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["requirements"].as_array().unwrap())
            .filter(|c| c["key"] == "module:DV-11")
            .all(|c| c["met"] == true && c["code"] == "module_completed"),
        "{}",
        r["gaps"]
    );
    // And the other way round, for the calendar feed token.
    ok("feed", other.get("/api/me", Some(&token)).await);
    let (s, _) = app
        .post("/api/me/calendar-token", Some(&token), json!({}))
        .await;
    assert!(s.code < 300);
    let (_, r) = other.get("/api/me", Some(&token)).await;
    assert!(r["calendar_feed"]["created_at"].is_string(), "{r}");
}

/// Reads with no write in between are answered from memory; a write makes the next read build
/// the record again. Other tests' transactions (on PostgreSQL, in the same cluster) leave this
/// database's version alone, so the second read is already a hit.
async fn unchanged_reads_come_from_the_cache(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (id, token) = cadre_with_account(&app, &admin, "Phạm Thị Dung", "079180002401").await;
    let records = &app.state().records;
    let first = me(&app, &token).await;
    let start = records.stats();
    assert_eq!(me(&app, &token).await, first);
    assert_eq!(
        records.stats().hits,
        start.hits + 1,
        "the second read comes from the cache"
    );
    let path = format!("/api/cadres/{id}");
    let body = json!({"full_name": "Phạm Thị Dung Hà"});
    ok("rename", app.patch(&path, Some(&admin), body).await);
    let misses = records.stats().misses;
    assert_eq!(
        me(&app, &token).await["cadre"]["full_name"],
        "Phạm Thị Dung Hà"
    );
    assert_eq!(
        records.stats().misses,
        misses + 1,
        "the write made the read build it again"
    );
}

/// Logins, failed and successful, by other people write only the logs (audit entries, failure
/// counts), which no cached record is built from: the records stay cached across them, on both
/// databases (on PostgreSQL the version was the cluster's snapshot, which every login moved, so a
/// deployment with people signing in all day rebuilt every record on its next read).
async fn logins_leave_the_cached_records_valid(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (_, token) = cadre_with_account(&app, &admin, "Võ Thị Em", "079180002451").await;
    app.account(&admin, "officer1", "officer", Some("26734"))
        .await;
    let records = &app.state().records;
    let first = me(&app, &token).await;
    for round in 0..3 {
        let before = records.stats();
        let wrong = json!({"username": "officer1", "password": "not the password"});
        let (s, _) = app.post("/api/auth/login", None, wrong).await;
        assert_eq!(s, Status::Unauthorized);
        app.admin_token().await;
        app.token("officer1", "lop-hoc-dan-van-2026").await;
        assert_eq!(me(&app, &token).await, first);
        let after = records.stats();
        assert_eq!(
            (after.hits, after.misses),
            (before.hits + 1, before.misses),
            "round {round}: the read after the logins comes from the cache"
        );
    }
}

/// The data version moves exactly once for each write transaction that changed the data,
/// whatever the path (an API write, a bulk import, the unit tree's import, a transaction of the
/// library's own), and not for reads, dry runs, rolled-back or empty transactions, or the logs
/// (failed and successful logins, audit entries alone); on both databases, and on PostgreSQL with
/// its row counting (`track_counts`) off too. That no data write bypasses a `Tx` is checked in the
/// source (`shape::data_writes_go_through_a_transaction`).
async fn data_version_moves_once_per_write_transaction(app: TestApp) {
    let db = &app.state().db;
    let version = || app.data_version();
    let admin = app.admin_token().await;
    let mut v = version().await;
    let mut moved = |now: i64, by: i64, what: &str| {
        assert_eq!(now, v + by, "{what}: the version should move by {by}");
        v = now;
    };

    // Writes through each kind of path: once each, whatever the number of rows.
    app.import_hcmc(&admin).await;
    moved(version().await, 1, "the unit tree's import");
    let id = create_cadre(&app, &admin, "Nguyễn Văn An", "079180002501", "26734").await;
    moved(version().await, 1, "an API write");
    let roster = "Số CCCD/CMND,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã đơn vị,Tổ chức\n\
                  079180002502,Trần Thị Bình,Nữ,01/01/1980,Kinh,26734,Mặt trận Tổ quốc\n\
                  079180002503,Lê Văn Chí,Nam,02/02/1981,Kinh,26734,Mặt trận Tổ quốc\n";
    let (app_ref, admin_ref) = (&app, admin.as_str());
    let import = |dry: bool| async move {
        let path = format!("/api/imports/cadres?dry_run={dry}");
        let bytes = roster.as_bytes().to_vec();
        app_ref
            .post_raw(
                &path,
                Some(admin_ref),
                rocket::http::ContentType::CSV,
                bytes,
            )
            .await
    };
    ok("dry run", import(true).await);
    moved(version().await, 0, "a dry run");
    ok("import", import(false).await);
    moved(version().await, 1, "a bulk import");
    let mut tx = db.begin().await.unwrap();
    cadre_training::on_tx!(&mut tx, |c| sqlx::query(
        "UPDATE cadres SET phone = '0901234567' WHERE id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())
    .unwrap());
    tx.commit().await.unwrap();
    moved(version().await, 1, "a transaction of the library's");
    if db.backend() == "postgres" {
        // PostgreSQL's row counting switched off (`track_counts`, here for the rest of the
        // transaction): the write is not counted, and the version moves all the same.
        let mut tx = db.begin().await.unwrap();
        cadre_training::on_tx!(&mut tx, |c| {
            sqlx::query("SET LOCAL track_counts = off")
                .execute(&mut *c)
                .await
                .unwrap();
            sqlx::query("UPDATE cadres SET phone = '0907654321' WHERE id = $1")
                .bind(id)
                .execute(&mut *c)
                .await
                .unwrap();
        });
        tx.commit().await.unwrap();
        moved(
            version().await,
            1,
            "a write with PostgreSQL's row counting off",
        );
    }

    // Nothing that leaves the data as it was.
    ok("read", app.get("/api/cadres", Some(&admin)).await);
    ok(
        "record",
        app.get(&format!("/api/cadres/{id}"), Some(&admin)).await,
    );
    moved(version().await, 0, "reads");
    ok("re-import", import(false).await);
    moved(
        version().await,
        0,
        "a re-import changing nothing (its audit entry alone)",
    );
    let (s, _) = app
        .post(
            "/api/auth/login",
            None,
            json!({"username": "admin", "password": "not the password"}),
        )
        .await;
    assert_eq!(s, Status::Unauthorized);
    app.admin_token().await;
    moved(
        version().await,
        0,
        "logins, failed and successful (the logs)",
    );
    db.begin().await.unwrap().commit().await.unwrap();
    moved(version().await, 0, "an empty transaction");
    let mut tx = db.begin().await.unwrap();
    cadre_training::on_tx!(&mut tx, |c| sqlx::query("DELETE FROM cadre_units")
        .execute(&mut *c)
        .await
        .map(|_| ())
        .unwrap());
    drop(tx);
    moved(version().await, 0, "a transaction rolled back");
}

/// Notices are not data: nothing cached is built from them, so writing them (reading them, the
/// sender's claims and marks, a reminder's sweep) leaves the data version where it was, and the
/// cached records valid, on both databases. The event a notice tells of is data and moves it.
async fn notices_leave_the_cached_records_valid(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let school = app.account(&admin, "school1", "school", None).await;
    let officer = app
        .account(&admin, "notice.officer", "officer", Some("26734"))
        .await;
    let (id, token) = cadre_with_account(&app, &admin, "Đỗ Thị Hoa", "079180002501").await;
    class(&app, &school, "NV-1", 5, 2).await;
    let before = app.data_version().await;
    let (s, v) = crate::classes::enrol(&app, &school, "NV-1", Some(id)).await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(
        app.data_version().await,
        before + 1,
        "the enrolment (with its notices) is data"
    );
    let first = me(&app, &token).await;
    let version = app.data_version().await;
    let records = &app.state().records;

    let inbox = ok("inbox", app.get("/api/notices", Some(&token)).await);
    let notice = inbox["items"][0]["id"].as_i64().unwrap();
    let path = format!("/api/notices/{notice}/read");
    ok("read one", app.post(&path, Some(&token), json!({})).await);
    ok("read again", app.post(&path, Some(&token), json!({})).await);
    let all = "/api/notices/read-all";
    ok("read all", app.post(all, Some(&officer), json!({})).await);
    assert_eq!(app.data_version().await, version, "reading notices");
    // A reminder's sweep writes notices alone.
    let st = app.state();
    let swept = cadre_training::completions::reminders::sweep(&st.db, &st.config, &st.clock, true)
        .await
        .expect("a sweep");
    assert!(swept.starts_soon > 0, "{swept:?}");
    assert_eq!(app.data_version().await, version, "a reminders' sweep");
    let hits = records.stats().hits;
    assert_eq!(me(&app, &token).await, first);
    assert_eq!(records.stats().hits, hits + 1, "the record is still cached");

    // Their settings write the account (data) as well.
    let body = json!({"email": "hoa@example.vn", "lang": "vi", "email_off": ["enrolled"]});
    ok(
        "settings",
        app.put("/api/notices/settings", Some(&token), body).await,
    );
    assert_eq!(app.data_version().await, version + 1, "notice settings");
}

/// `db::version::DATA_TABLES` (the tables PostgreSQL's version counts the rows of) names every
/// table of the schema but the logs, the notices, the version's own rows and the migrations'
/// bookkeeping: a migration that adds a table and forgets it here would leave the cached records
/// stale after writes to it.
async fn the_data_tables_are_every_table_but_the_logs_and_notices(app: TestApp) {
    let not_data = [
        "_sqlx_migrations",
        "audit_log",
        "data_version",
        "login_failures",
        "login_known",
    ];
    let mut tables: Vec<String> = match &app.state().db {
        cadre_training::db::Db::Sqlite(p) => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(p)
        .await
        .unwrap(),
        cadre_training::db::Db::Postgres(p) => sqlx::query_scalar(
            "SELECT relname::text FROM pg_class \
             WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p')",
        )
        .fetch_all(p)
        .await
        .unwrap(),
    };
    let outside = cadre_training::db::version::OUTSIDE_DATA;
    assert_eq!(outside, ["notice_mail_off", "notices"]);
    tables.retain(|t| !not_data.contains(&t.as_str()) && !outside.contains(&t.as_str()));
    tables.sort();
    let mut listed: Vec<String> = cadre_training::db::version::DATA_TABLES
        .iter()
        .map(|t| t.to_string())
        .collect();
    listed.sort();
    assert_eq!(listed, tables);
}
