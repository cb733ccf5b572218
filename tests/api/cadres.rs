//! Cadres: records, search and Vietnamese order, scope, moves, titles, plans, qualifications.

use rocket::http::Status;
use serde_json::{json, Value};

use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    an_edit_that_changes_nothing_writes_nothing,
    create_read_and_validate_cadres,
    search_without_diacritics_in_vietnamese_order,
    officer_keeps_only_their_subtree,
    list_totals_follow_scope_and_filters,
    cadre_sees_only_their_own_record,
    moves_are_recorded,
    a_move_on_the_periods_first_day_replaces_it,
    a_move_leaves_no_title_behind,
    a_title_is_held_on_the_line_of_the_cadres_unit,
    one_title_of_an_organisation_in_a_unit_at_a_time,
    titles_held_and_planned,
    an_inactive_cadre_holds_no_title_beyond_today,
    qualifications_by_hand,
    a_title_is_held_and_planned_from_the_cadres_eighteenth_birthday,
    a_birth_date_stays_before_the_cadres_completions_and_qualifications,
    a_cadre_is_in_a_unit_and_holds_titles_there_once_it_exists,
);

/// A valid new cadre in unit `unit` with this name and personal id.
pub fn cadre(name: &str, pid: &str, unit: &str) -> Value {
    json!({"full_name": name, "gender": "female", "birth_date": "1980-05-17", "ethnicity": "Kinh",
           "personal_id": pid, "unit_code": unit, "organisation": "fatherland_front",
           "party_joined_on": "2005-03-02", "phone": "0909 123 456", "email": "Can.Bo@example.vn"})
}

/// The full names of a list's items, in order.
fn full_names(v: &Value) -> Vec<&str> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["full_name"].as_str().unwrap())
        .collect()
}

/// Creates a cadre and returns its id.
/// Records a paper completion of DV-03 on `day` for cadre `id` (201).
pub async fn paper_dv03(app: &TestApp, token: &str, id: &Value, day: &str) {
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/completions"),
            Some(token),
            json!({"module_code": "DV-03", "completed_on": day, "source_ref": "Sổ"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
}

/// Creates a cadre in unit `unit` since day `since`; gives its id.
pub async fn create_since(
    app: &TestApp,
    token: &str,
    (name, pid): (&str, &str),
    unit: &str,
    since: &str,
) -> i64 {
    let mut body = cadre(name, pid, unit);
    body["unit_since"] = json!(since);
    let (s, v) = app.post("/api/cadres", Some(token), body).await;
    assert_eq!(s, Status::Created, "{v}");
    v["id"].as_i64().unwrap()
}

pub async fn create(app: &TestApp, token: &str, name: &str, pid: &str, unit: &str) -> i64 {
    let (s, v) = app
        .post("/api/cadres", Some(token), cadre(name, pid, unit))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    v["id"].as_i64().unwrap()
}

async fn create_read_and_validate_cadres(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = app
        .post(
            "/api/cadres",
            Some(&admin),
            cadre("  Nguyễn  Thị An ", "079180000001", "26734"),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["full_name"], "Nguyễn Thị An");
    assert_eq!(v["unit_name"], "Phường Tân Định");
    assert_eq!(v["ethnic_minority"], false);
    assert_eq!(v["email"], "can.bo@example.vn");
    assert_eq!(v["units"][0]["unit_code"], "26734");
    let id = v["id"].as_i64().unwrap();
    let (s, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(s, Status::Ok);
    assert_eq!(v["personal_id"], "079180000001");
    let mut khmer = cadre("Thạch Thị Sa Rươne", "079180000002", "26734");
    khmer["ethnicity"] = json!("Khmer");
    let (_, v) = app.post("/api/cadres", Some(&admin), khmer).await;
    assert_eq!(v["ethnic_minority"], true);
    let bad: Vec<(&str, Value, &str, u16)> = vec![
        ("full_name", json!("X"), "full_name", 422),
        ("full_name", json!("Nguyễn Văn 3"), "full_name", 422),
        ("gender", json!("robot"), "gender", 422),
        ("birth_date", json!("1980-02-30"), "birth_date", 422),
        ("birth_date", json!("2020-01-01"), "birth_date", 422),
        (
            "party_joined_on",
            json!("1970-01-01"),
            "party_joined_on",
            422,
        ),
        ("personal_id", json!("12ab"), "personal_id", 422),
        ("personal_id", json!("079180000001"), "personal_id", 409),
        ("unit_code", json!("99999"), "unit_code", 422),
        ("organisation", json!("book_club"), "organisation", 422),
        ("phone", json!("call me"), "phone", 422),
        ("phone", json!("+-+0903123456"), "phone", 422),
        ("full_name", json!("- -"), "full_name", 422),
        ("full_name", json!("'' --"), "full_name", 422),
        ("email", json!("nobody"), "email", 422),
        ("ethnicity", json!(""), "ethnicity", 422),
    ];
    for (field, value, named, status) in bad {
        let mut body = cadre("Lê Văn Bình", "079180000099", "26734");
        body[field] = value.clone();
        let (s, v) = app.post("/api/cadres", Some(&admin), body).await;
        assert_eq!(s.code, status, "{field}={value}: {v}");
        assert_eq!(v["error"]["field"], named, "{field}={value}: {v}");
    }
    let (_, list) = app.get("/api/cadres", Some(&admin)).await;
    assert_eq!(list["total"], 2, "refused writes created nothing");
    assert_eq!(
        app.get("/api/cadres/999999", Some(&admin)).await.0,
        Status::NotFound
    );
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{id}"),
            Some(&admin),
            json!({"phone": null, "religion": "Phật giáo"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert!(v["phone"].is_null());
    assert_eq!(v["religion"], "Phật giáo");
    let (_, a) = app
        .get(
            &format!("/api/audit?entity=cadre&entity_id={id}"),
            Some(&admin),
        )
        .await;
    assert_eq!(a["total"], 2);
    assert_eq!(
        a["items"][0]["after"]["personal_id"], "***",
        "personal ids stay out of the audit trail"
    );
}

async fn search_without_diacritics_in_vietnamese_order(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let names = [
        "Trần Văn Bình",
        "Nguyễn Văn An",
        "Lê Thị Ánh",
        "Phạm Đức An",
        "Võ Thị Ân",
        "Đỗ Văn Dũng",
        "Nguyễn Văn Đạt",
    ];
    for (i, n) in names.iter().enumerate() {
        create(&app, &admin, n, &format!("0791800001{i:02}"), "26734").await;
    }
    let (_, v) = app.get("/api/cadres?limit=10", Some(&admin)).await;
    let order = full_names(&v);
    assert_eq!(
        order,
        [
            "Nguyễn Văn An",
            "Phạm Đức An",
            "Lê Thị Ánh",
            "Võ Thị Ân",
            "Trần Văn Bình",
            "Đỗ Văn Dũng",
            "Nguyễn Văn Đạt"
        ]
    );
    let (_, v) = app
        .get("/api/cadres?q=nguyen%20van%20an", Some(&admin))
        .await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["full_name"], "Nguyễn Văn An");
    let (_, v) = app.get("/api/cadres?q=NGUY%E1%BB%84N", Some(&admin)).await;
    assert_eq!(v["total"], 2);
    // Words in any order (issue 16): "van nguyen" finds what "nguyen van" finds; every word counts.
    let (_, v) = app.get("/api/cadres?q=van%20nguyen", Some(&admin)).await;
    assert_eq!(v["total"], 2, "{v}");
    let (_, v) = app.get("/api/cadres?q=dat%20%20nguyen", Some(&admin)).await;
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["items"][0]["full_name"], "Nguyễn Văn Đạt");
    // A search lists its matches in the same Vietnamese order as the whole list.
    let (_, v) = app.get("/api/cadres?q=van", Some(&admin)).await;
    let found = full_names(&v);
    assert_eq!(
        found,
        [
            "Nguyễn Văn An",
            "Trần Văn Bình",
            "Đỗ Văn Dũng",
            "Nguyễn Văn Đạt"
        ]
    );
    let (_, v) = app.get("/api/cadres?q=van%20pham", Some(&admin)).await;
    assert_eq!(v["total"], 0, "{v}");
    // A word counts where it starts a word of the name, first or later ("an" is not the end of
    // "van"); the query as written counts anywhere.
    let (_, v) = app.get("/api/cadres?q=an%20nguyen", Some(&admin)).await;
    assert_eq!(full_names(&v), ["Nguyễn Văn An"], "{v}");
    let (_, v) = app.get("/api/cadres?q=an%20guyen", Some(&admin)).await;
    assert_eq!(v["total"], 0, "{v}");
    let (_, v) = app.get("/api/cadres?q=guyen%20van", Some(&admin)).await;
    assert_eq!(v["total"], 2, "{v}");
    let (_, p2) = app.get("/api/cadres?limit=3&offset=3", Some(&admin)).await;
    assert_eq!(p2["total"], 7);
    assert_eq!(p2["items"][0]["full_name"], "Võ Thị Ân");
    let (s, v) = app
        .get("/api/cadres?organisation=chess", Some(&admin))
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "organisation");
}

async fn officer_keeps_only_their_subtree(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;
    let mine = create(&app, &officer, "Nguyễn Văn An", "079180000201", "26734").await;
    let theirs = create(&app, &admin, "Trần Thị Bé", "079180000202", "26764").await;
    // Creating outside the subtree is refused and writes nothing.
    let (s, v) = app
        .post(
            "/api/cadres",
            Some(&officer),
            cadre("Lê Văn Cường", "079180000203", "26764"),
        )
        .await;
    assert_eq!(s, Status::Forbidden, "{v}");
    let (_, list) = app.get("/api/cadres", Some(&officer)).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], mine);
    // Another district's cadre is invisible: 404, and no name in the answer.
    for path in [
        format!("/api/cadres/{theirs}"),
        format!("/api/cadres/{theirs}/qualifications"),
    ] {
        let (s, v) = app.get(&path, Some(&officer)).await;
        assert_eq!(s, Status::NotFound, "{path}");
        assert!(!v.to_string().contains("Trần Thị Bé"));
    }
    let (s, _) = app
        .patch(
            &format!("/api/cadres/{theirs}"),
            Some(&officer),
            json!({"full_name": "Trần Thị Bê"}),
        )
        .await;
    assert_eq!(s, Status::NotFound);
    let (s, _) = app.get("/api/cadres?unit=761", Some(&officer)).await;
    assert_eq!(s, Status::Forbidden);
    // Moving their cadre out of the subtree is refused; inside it is fine.
    let (s, _) = app
        .patch(
            &format!("/api/cadres/{mine}"),
            Some(&officer),
            json!({"unit_code": "26764"}),
        )
        .await;
    assert_eq!(s, Status::Forbidden);
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{mine}"),
            Some(&officer),
            json!({"unit_code": "26737"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    // The commission reads everything and edits nothing.
    let commission = app.account(&admin, "commission1", "commission", None).await;
    let (_, all) = app.get("/api/cadres", Some(&commission)).await;
    assert_eq!(all["total"], 2);
    let (s, _) = app
        .patch(
            &format!("/api/cadres/{theirs}"),
            Some(&commission),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, Status::Forbidden);
    let (s, _) = app
        .post(
            "/api/cadres",
            Some(&commission),
            cadre("Lê Văn Cường", "079180000204", "26734"),
        )
        .await;
    assert_eq!(s, Status::Forbidden);
}

/// The list's total counts exactly what its pages hold, for every scope and filter: unit by unit
/// when only the scope and the unit narrow it, joined when the cadres' own columns do.
async fn list_totals_follow_scope_and_filters(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    // District 760: three in ward 26734, one in 26737; elsewhere one in 26764.
    let mut ids = vec![];
    for (i, unit) in ["26734", "26734", "26734", "26737", "26764"]
        .iter()
        .enumerate()
    {
        ids.push(
            create(
                &app,
                &admin,
                "Nguyễn Văn An",
                &format!("07918000030{i}"),
                unit,
            )
            .await,
        );
    }
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{}", ids[0]),
            Some(&admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let mut other = cadre("Lê Thị Ánh", "079180000309", "26737");
    other["organisation"] = json!("youth_union");
    let (s, v) = app.post("/api/cadres", Some(&admin), other).await;
    assert_eq!(s, Status::Created, "{v}");
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;
    let ward = app
        .account(&admin, "officer.w", "officer", Some("26737"))
        .await;
    for (token, path, total) in [
        (&admin, "/api/cadres", 6),
        (&admin, "/api/cadres?unit=760", 5),
        (&admin, "/api/cadres?unit=26734", 3),
        (&admin, "/api/cadres?unit=26740", 0),
        (&admin, "/api/cadres?active=true", 5),
        (&admin, "/api/cadres?organisation=youth_union", 1),
        (&admin, "/api/cadres?q=nguyen&active=true", 4),
        (&admin, "/api/cadres?q=nguyen&unit=26734", 3),
        (&officer, "/api/cadres", 5),
        (&officer, "/api/cadres?unit=26737", 2),
        (&officer, "/api/cadres?active=false", 1),
        (&officer, "/api/cadres?q=anh", 1),
        (&ward, "/api/cadres", 2),
        (&ward, "/api/cadres?organisation=fatherland_front", 1),
    ] {
        let (s, v) = app.get(path, Some(token)).await;
        assert_eq!(s, Status::Ok, "{path}: {v}");
        assert_eq!(v["total"], total, "{path}: {v}");
        // Past the end: no rows, and the same total (counted, not taken from the page).
        let sep = if path.contains('?') { '&' } else { '?' };
        let (s, past) = app.get(&format!("{path}{sep}offset=40"), Some(token)).await;
        assert_eq!(s, Status::Ok, "{path}: {past}");
        assert_eq!(past["total"], total, "{path} past the end: {past}");
        assert_eq!(past["items"].as_array().map(Vec::len), Some(0), "{past}");
        // Pages of two hold every counted cadre once.
        let mut seen = std::collections::BTreeSet::new();
        for offset in (0..total).step_by(2) {
            let (_, page) = app
                .get(&format!("{path}{sep}limit=2&offset={offset}"), Some(token))
                .await;
            assert_eq!(page["total"], total, "{path} at {offset}");
            for c in page["items"].as_array().unwrap() {
                assert!(seen.insert(c["id"].as_i64().unwrap()), "{path}: twice");
            }
        }
        assert_eq!(seen.len() as i64, total, "{path}");
    }
}

async fn cadre_sees_only_their_own_record(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let me = create(&app, &admin, "Nguyễn Văn An", "079180000301", "26734").await;
    let neighbour = create(&app, &admin, "Nguyễn Văn Bảo", "079180000302", "26734").await;
    let (s, v) = app
        .post("/api/accounts", Some(&admin), json!({"username": "cadre.an", "password": "lop-hoc-dan-van-2026", "role": "cadre", "unit_code": "26734", "cadre_id": me}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let (s, v) = app
        .post("/api/accounts", Some(&admin), json!({"username": "ghost", "password": "lop-hoc-dan-van-2026", "role": "cadre", "unit_code": "26734", "cadre_id": 987654}))
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "cadre_id");
    let token = app.token("cadre.an", "lop-hoc-dan-van-2026").await;
    assert_eq!(
        app.get(&format!("/api/cadres/{me}"), Some(&token)).await.0,
        Status::Ok
    );
    let (s, v) = app
        .get(&format!("/api/cadres/{neighbour}"), Some(&token))
        .await;
    assert_eq!(s, Status::NotFound);
    assert!(!v.to_string().contains("Bảo"));
    let (_, list) = app.get("/api/cadres", Some(&token)).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], me);
    let (s, _) = app
        .patch(
            &format!("/api/cadres/{me}"),
            Some(&token),
            json!({"full_name": "Nguyễn Văn Ân"}),
        )
        .await;
    assert_eq!(s, Status::Forbidden);
}

async fn moves_are_recorded(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let mut body = cadre("Nguyễn Văn An", "079180000401", "26734");
    body["unit_since"] = json!("2010-01-01");
    let (_, v) = app.post("/api/cadres", Some(&admin), body).await;
    let id = v["id"].as_i64().unwrap();
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{id}"),
            Some(&admin),
            json!({"unit_code": "26764", "moved_on": "2009-01-01"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "moved_on");
    // A move is applied at once (roster, scope), so it is dated today or earlier, as in the
    // imports: a later day is refused and nothing moves.
    let today = cadre_training::shared::clock::city_today();
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{id}"),
            Some(&admin),
            json!({"unit_code": "26764", "moved_on": tomorrow}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("moved_on")),
        "{v}"
    );
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["unit_code"], "26734", "nothing moved: {v}");
    let mut later = cadre("Nguyễn Văn Sau", "079180000402", "26734");
    later["unit_since"] = json!(tomorrow);
    let (s, v) = app.post("/api/cadres", Some(&admin), later).await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("unit_since")),
        "{v}"
    );
    let mut today_ok = cadre("Nguyễn Văn Nay", "079180000403", "26734");
    today_ok["unit_since"] = json!(today.to_string());
    let (s, v) = app.post("/api/cadres", Some(&admin), today_ok).await;
    assert_eq!(s, Status::Created, "today is not the future: {v}");
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{id}"),
            Some(&admin),
            json!({"unit_code": "26764", "moved_on": "2018-06-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["unit_code"], "26764");
    let units = v["units"].as_array().unwrap();
    assert_eq!(units.len(), 2);
    assert_eq!(units[0]["unit_code"], "26734");
    assert_eq!(units[0]["to_date"], "2018-06-01");
    assert_eq!(units[1]["from_date"], "2018-06-01");
    assert!(units[1]["to_date"].is_null());
    let (_, a) = app
        .get(
            &format!("/api/audit?entity=cadre&entity_id={id}"),
            Some(&admin),
        )
        .await;
    assert_eq!(a["items"][0]["action"], "move");
    assert_eq!(a["items"][0]["before"]["unit_code"], "26734");
}

/// A move dated on the first day of the cadre's current unit period (a same-day correction, or
/// a roster giving the same "since" with another unit) replaces that period: no period lasts no
/// day (the record exchange refuses one, so a unit's record would not import back), and moving
/// back where the cadre was that day reopens the period they were in.
async fn a_move_on_the_periods_first_day_replaces_it(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let id = create_since(
        &app,
        &admin,
        ("Nguyễn Văn Nhầm", "079180000451"),
        "26734",
        "2010-01-01",
    )
    .await;
    let today = cadre_training::shared::clock::city_today().to_string();
    let periods = |v: &Value| -> Vec<(String, String, String)> {
        v["units"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|u| {
                let day = |k: &str| u[k].as_str().unwrap_or("-").to_string();
                (day("unit_code"), day("from_date"), day("to_date"))
            })
            .collect()
    };
    let p = |unit: &str, from: &str, to: &str| (unit.to_string(), from.to_string(), to.to_string());
    let mut seen = vec![];
    for unit in ["26764", "26737", "26734"] {
        let (s, v) = app
            .patch(
                &format!("/api/cadres/{id}"),
                Some(&admin),
                json!({"unit_code": unit, "moved_on": today}),
            )
            .await;
        assert_eq!(s, Status::Ok, "{unit}: {v:.300}");
        seen.push(periods(&v));
    }
    assert_eq!(
        seen,
        [
            vec![p("26734", "2010-01-01", &today), p("26764", &today, "-")],
            vec![p("26734", "2010-01-01", &today), p("26737", &today, "-")],
            vec![p("26734", "2010-01-01", "-")],
        ]
    );
    // The same "since" with another unit: that unit since then.
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{id}"),
            Some(&admin),
            json!({"unit_code": "26764", "moved_on": "2010-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    assert_eq!(periods(&v), [p("26764", "2010-01-01", "-")]);
    let (_, a) = app
        .get(
            &format!("/api/audit?entity=cadre&entity_id={id}"),
            Some(&admin),
        )
        .await;
    assert_eq!(a["items"][0]["action"], "move", "{a:.300}");
    assert_eq!(a["items"][0]["before"]["unit_code"], "26734", "{a:.300}");
}

/// A move does not carry a title held in another ward along: the reports count a holder in their
/// own unit, so the old ward's chair would be counted in the new ward from the move on. While
/// the cadre holds one on or after the move's day in a unit that is neither the new unit, above
/// it nor within it, the move is refused (409 naming `unit_code`, the titles and the day) and
/// nothing moves; once those end by the day before, it is made. Titles above the new unit stay,
/// and plans are not held titles.
async fn a_move_leaves_no_title_behind(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let id = create_since(
        &app,
        &admin,
        ("Nguyễn Văn Chuyển", "079180000461"),
        "26734",
        "2010-01-01",
    )
    .await;
    let titles = format!("/api/cadres/{id}/titles");
    let period = |v: &Value, code: &str| -> i64 {
        v["titles"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["title_code"] == code)
            .and_then(|t| t["id"].as_i64())
            .unwrap_or_else(|| panic!("no {code}: {v:.300}"))
    };
    let mut v = Value::Null;
    for body in [
        json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2015-01-01"}),
        json!({"title_code": "FF-CHAIR-DISTRICT", "unit_code": "760", "from_date": "2016-01-01"}),
    ] {
        let (s, got) = app.post(&titles, Some(&admin), body).await;
        assert_eq!(s, Status::Created, "{got:.300}");
        v = got;
    }
    let (ward, district) = (
        period(&v, "FF-CHAIR-COMMUNE"),
        period(&v, "FF-CHAIR-DISTRICT"),
    );
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/plans"),
            Some(&admin),
            json!({"title_code": "FF-CHAIR-COMMUNE", "unit_code": "26764", "from_date": "2021-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let cadre_url = format!("/api/cadres/{id}");
    let move_to = |unit: &str, on: &str| {
        app.patch(
            &cadre_url,
            Some(&admin),
            json!({"unit_code": unit, "moved_on": on}),
        )
    };
    let (ward_url, district_url) = (format!("{titles}/{ward}"), format!("{titles}/{district}"));
    let end_ward = |to: &str| app.patch(&ward_url, Some(&admin), json!({"to_date": to}));
    let end_district = |to: &str| app.patch(&district_url, Some(&admin), json!({"to_date": to}));
    let refused = |v: &Value| {
        (
            v["error"]["field"].clone(),
            v["error"]["reason"].clone(),
            v["error"]["params"]["titles"].clone(),
            v["error"]["params"]["date"].clone(),
        )
    };
    // To another ward of the district: the ward's chair would follow them.
    let (s, v) = move_to("26737", "2018-06-01").await;
    assert_eq!(s, Status::Conflict, "{v:.300}");
    assert_eq!(
        refused(&v),
        (
            json!("unit_code"),
            json!("cadre_holds_titles_elsewhere"),
            json!("FF-CHAIR-COMMUNE (26734)"),
            json!("2018-06-01")
        )
    );
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["unit_code"], "26734", "nothing moved: {v:.300}");
    assert_eq!(v["units"].as_array().map(Vec::len), Some(1), "{v:.300}");
    // Ended on the move's day, it is still held that day; ended the day before, the move is made.
    let (s, v) = end_ward("2018-06-01").await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, v) = move_to("26737", "2018-06-01").await;
    assert_eq!(
        (s, refused(&v).1),
        (Status::Conflict, json!("cadre_holds_titles_elsewhere"))
    );
    let (s, v) = end_ward("2018-05-31").await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, v) = move_to("26737", "2018-06-01").await;
    assert_eq!(
        s,
        Status::Ok,
        "the district's chair stays with a ward of it: {v:.300}"
    );
    assert_eq!(v["unit_code"], "26737");
    // To another district: its chair is the one left behind.
    let today = cadre_training::shared::clock::city_today();
    let (s, v) = move_to("26764", &today.to_string()).await;
    assert_eq!(s, Status::Conflict, "{v:.300}");
    assert_eq!(refused(&v).2, json!("FF-CHAIR-DISTRICT (760)"), "{v:.300}");
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["unit_code"], "26737", "nothing moved: {v:.300}");
    let yesterday = (today - chrono::Duration::days(1)).to_string();
    let (s, v) = end_district(&yesterday).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, v) = move_to("26764", &today.to_string()).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    assert_eq!(v["unit_code"], "26764");
}

/// A title is held in the cadre's own unit, one above it or one within it, on every day the
/// cadre's unit periods share with it (the reports count a holder in their own unit on the day):
/// another ward's title is refused (422 `title_off_line` on `unit_code`, naming the title, its
/// unit, the cadre's unit and the first such day), and so is an end that prolongs a term into
/// such days (on `to_date`). Before the cadre's first unit period the title's unit places them,
/// and a plan may name another ward (a rotation is planned before the move).
async fn a_title_is_held_on_the_line_of_the_cadres_unit(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let id = create_since(
        &app,
        &admin,
        ("Trần Văn Tuyến", "079180000471"),
        "26734",
        "2010-01-01",
    )
    .await;
    let titles = format!("/api/cadres/{id}/titles");
    let add = |body: Value| app.post(&titles, Some(&admin), body);
    let off_line = |v: &Value| {
        let e = &v["error"];
        (
            e["field"].clone(),
            e["reason"].clone(),
            [
                &e["params"]["title"],
                &e["params"]["unit"],
                &e["params"]["home"],
                &e["params"]["date"],
            ]
            .map(|p| p.as_str().unwrap_or("").to_string())
            .join(" "),
        )
    };
    let (s, v) = add(
        json!({"title_code": "FF-CHAIR-COMMUNE", "unit_code": "26737", "from_date": "2015-01-01"}),
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    assert_eq!(
        off_line(&v),
        (
            json!("unit_code"),
            json!("title_off_line"),
            "FF-CHAIR-COMMUNE 26737 26734 2015-01-01".to_string()
        )
    );
    // Begun before the cadre's first unit period, it shares its days from then on.
    let (s, v) = add(json!({"title_code": "FF-CHAIR-COMMUNE", "unit_code": "26737", "from_date": "2005-01-01", "to_date": "2011-12-31"})).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    assert_eq!(off_line(&v).2, "FF-CHAIR-COMMUNE 26737 26734 2010-01-01");
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(
        v["titles"].as_array().map(Vec::len),
        Some(0),
        "nothing written: {v:.300}"
    );
    // Ended before it, it is that ward's title of those years.
    let (s, v) = add(json!({"title_code": "FF-CHAIR-COMMUNE", "unit_code": "26737", "from_date": "2005-01-01", "to_date": "2009-12-31"})).await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let early = v["titles"][0]["id"].as_i64().expect("period id");
    // Prolonged into the cadre's years in 26734, it is refused on its end.
    let (s, v) = app
        .patch(
            &format!("{titles}/{early}"),
            Some(&admin),
            json!({"to_date": "2010-06-30"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    assert_eq!(
        off_line(&v),
        (
            json!("to_date"),
            json!("title_off_line"),
            "FF-CHAIR-COMMUNE 26737 26734 2010-01-01".to_string()
        )
    );
    // The district above the ward, and the cadre's own ward, may take titles.
    for body in [
        json!({"title_code": "FF-CHAIR-DISTRICT", "unit_code": "760", "from_date": "2012-01-01", "to_date": "2019-12-31"}),
        json!({"title_code": "FF-CHAIR-COMMUNE", "unit_code": "26734", "from_date": "2012-01-01", "to_date": "2017-12-31"}),
    ] {
        let (s, v) = add(body).await;
        assert_eq!(s, Status::Created, "{v:.300}");
    }
    // Moved to 26737 from 2018-06-01: its title from then on is theirs, not before.
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{id}"),
            Some(&admin),
            json!({"unit_code": "26737", "moved_on": "2018-06-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, v) = add(
        json!({"title_code": "FF-CHAIR-COMMUNE", "unit_code": "26737", "from_date": "2018-01-01"}),
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    assert_eq!(off_line(&v).2, "FF-CHAIR-COMMUNE 26737 26734 2018-01-01");
    let (s, v) = add(
        json!({"title_code": "FF-CHAIR-COMMUNE", "unit_code": "26737", "from_date": "2018-06-01"}),
    )
    .await;
    assert_eq!(s, Status::Created, "{v:.300}");
    // A plan may name a ward the cadre is not (yet) in.
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/plans"),
            Some(&admin),
            json!({"title_code": "FF-CHAIR-COMMUNE", "unit_code": "26764", "from_date": "2026-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v:.300}");
}

/// A cadre holds one title of an organisation in a unit at a time: the chair of a ward's Front is
/// not also its vice-chair (409 `title_same_organisation` on `title_code`, naming the title, the
/// one held, the unit and the first shared day; on `to_date` for an end that prolongs a term into
/// the other). A vice-chair who becomes chair holds one after the other; a title of another
/// organisation (a concurrent post) or of another unit may be held beside it, and plans are not
/// held titles.
async fn one_title_of_an_organisation_in_a_unit_at_a_time(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let id = create_since(
        &app,
        &admin,
        ("Lê Văn Kiêm", "079180000481"),
        "26734",
        "2010-01-01",
    )
    .await;
    let titles = format!("/api/cadres/{id}/titles");
    let add = |body: Value| app.post(&titles, Some(&admin), body);
    let clash = |v: &Value| {
        let e = &v["error"];
        (
            e["field"].clone(),
            e["reason"].clone(),
            [
                &e["params"]["title"],
                &e["params"]["other"],
                &e["params"]["unit"],
                &e["params"]["date"],
            ]
            .map(|p| p.as_str().unwrap_or("").to_string())
            .join(" "),
        )
    };
    let (s, v) = add(json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2015-01-01"})).await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let (s, v) = add(json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2012-01-01"})).await;
    assert_eq!(s, Status::Conflict, "{v:.300}");
    assert_eq!(
        clash(&v),
        (
            json!("title_code"),
            json!("title_same_organisation"),
            "FF-VICE-COMMUNE FF-CHAIR-COMMUNE 26734 2015-01-01".to_string()
        )
    );
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(
        v["titles"].as_array().map(Vec::len),
        Some(1),
        "nothing written: {v:.300}"
    );
    // Vice-chair until the day before the chair.
    let (s, v) = add(json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2012-01-01", "to_date": "2014-12-31"})).await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let vice = v["titles"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["title_code"] == "FF-VICE-COMMUNE")
        .and_then(|t| t["id"].as_i64())
        .expect("the vice-chair's period");
    let (s, v) = app
        .patch(
            &format!("{titles}/{vice}"),
            Some(&admin),
            json!({"to_date": "2015-06-30"}),
        )
        .await;
    assert_eq!(s, Status::Conflict, "{v:.300}");
    assert_eq!(
        clash(&v),
        (
            json!("to_date"),
            json!("title_same_organisation"),
            "FF-VICE-COMMUNE FF-CHAIR-COMMUNE 26734 2015-01-01".to_string()
        )
    );
    // Another organisation's chair in the same ward, the Front's chair of the district above.
    for body in [
        json!({"title_code": "WU-CHAIR-COMMUNE", "from_date": "2015-01-01"}),
        json!({"title_code": "FF-CHAIR-DISTRICT", "unit_code": "760", "from_date": "2016-01-01"}),
    ] {
        let (s, v) = add(body).await;
        assert_eq!(s, Status::Created, "{v:.300}");
    }
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/plans"),
            Some(&admin),
            json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2016-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v:.300}");
}

async fn titles_held_and_planned(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (_, t) = app.get("/api/titles", Some(&admin)).await;
    assert_eq!(t["items"].as_array().unwrap().len(), 23);
    let (_, t) = app
        .get(
            "/api/titles?level=commune&org_kind=fatherland_front",
            Some(&admin),
        )
        .await;
    assert_eq!(t["items"].as_array().unwrap().len(), 2);
    let id = create(&app, &admin, "Nguyễn Văn An", "079180000501", "26734").await;
    let url = format!("/api/cadres/{id}/titles");
    let (s, v) = app
        .post(
            &url,
            Some(&admin),
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2015-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["titles"][0]["title_code"], "FF-CHAIR-COMMUNE");
    assert_eq!(v["titles"][0]["unit_code"], "26734");
    let aid = v["titles"][0]["id"].as_i64().unwrap();
    // A district title in a ward is refused; so is an overlapping second chair period.
    let (s, v) = app
        .post(
            &url,
            Some(&admin),
            json!({"title_code": "FF-CHAIR-DISTRICT", "from_date": "2016-01-01"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "unit_code");
    let (s, v) = app
        .post(
            &url,
            Some(&admin),
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2016-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Conflict, "{v}");
    let (s, v) = app
        .post(
            &url,
            Some(&admin),
            json!({"title_code": "NO-SUCH", "from_date": "2016-01-01"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "title_code");
    let (s, v) = app.post(&url, Some(&admin), json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2016-01-01", "to_date": "2015-01-01"})).await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "to_date");
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{id}/titles/{aid}"),
            Some(&admin),
            json!({"to_date": "2019-12-31"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["titles"][0]["to_date"], "2019-12-31");
    // A body without `to_date` is refused and reopens nothing (`null` reopens).
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{id}/titles/{aid}"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "to_date", "{v}");
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(v["titles"][0]["to_date"], "2019-12-31", "{v}");
    let (s, _) = app
        .post(
            &url,
            Some(&admin),
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2020-01-01"}),
        )
        .await;
    assert_eq!(
        s,
        Status::Created,
        "after the first period ends, a new one may start"
    );
    // Succession planning for a district title, in the district.
    let (s, v) = app
        .post(&format!("/api/cadres/{id}/plans"), Some(&admin), json!({"title_code": "FF-CHAIR-DISTRICT", "unit_code": "760", "from_date": "2021-01-01"}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["plans"][0]["unit_code"], "760");
    assert_eq!(v["titles"].as_array().unwrap().len(), 2);
}

/// A cadre made inactive has left the work: while they hold or are planned for a title beyond
/// today (open, or ending later), the change is refused (409 naming `active` and the titles),
/// and nothing changes; once those periods end by today it is made. An inactive cadre is given
/// no period lasting beyond today (a new one, or a reopened end), while an ended period may still
/// be recorded; made active again, they may be.
async fn an_inactive_cadre_holds_no_title_beyond_today(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let today = cadre_training::shared::clock::city_today();
    let (yesterday, tomorrow) = (today.pred_opt().unwrap(), today.succ_opt().unwrap());
    let id = create(&app, &admin, "Nguyễn Văn An", "079180000511", "26734").await;
    let cadre_url = format!("/api/cadres/{id}");
    let (s, v) = app
        .post(
            &format!("{cadre_url}/titles"),
            Some(&admin),
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2015-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let held = v["titles"][0]["id"].as_i64().unwrap();
    let (s, v) = app
        .post(
            &format!("{cadre_url}/plans"),
            Some(&admin),
            json!({"title_code": "FF-CHAIR-DISTRICT", "unit_code": "760", "from_date": "2021-01-01",
                   "to_date": tomorrow}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    let planned = v["plans"][0]["id"].as_i64().unwrap();
    let deactivate = || app.patch(&cadre_url, Some(&admin), json!({"active": false}));
    let (s, v) = deactivate().await;
    assert_eq!(s, Status::Conflict, "{v}");
    assert_eq!(v["error"]["field"], "active");
    assert_eq!(v["error"]["reason"], "cadre_holds_titles");
    assert_eq!(
        v["error"]["params"]["titles"],
        "FF-CHAIR-COMMUNE, FF-CHAIR-DISTRICT"
    );
    let (_, v) = app.get(&cadre_url, Some(&admin)).await;
    assert_eq!(v["active"], true, "nothing changed");
    // The title ends today (held today, not after it): only the plan, ending tomorrow, is left.
    let (s, v) = app
        .patch(
            &format!("{cadre_url}/titles/{held}"),
            Some(&admin),
            json!({"to_date": today}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = deactivate().await;
    assert_eq!(s, Status::Conflict, "{v}");
    assert_eq!(v["error"]["params"]["titles"], "FF-CHAIR-DISTRICT");
    let (s, v) = app
        .patch(
            &format!("{cadre_url}/plans/{planned}"),
            Some(&admin),
            json!({"to_date": yesterday}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = deactivate().await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["active"], false);
    // Inactive: no lasting period, new or reopened; an ended one may be recorded.
    for (url, body) in [
        (
            format!("{cadre_url}/titles"),
            json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2020-01-01"}),
        ),
        (
            format!("{cadre_url}/plans"),
            json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2020-01-01", "to_date": tomorrow}),
        ),
    ] {
        let (s, v) = app.post(&url, Some(&admin), body).await;
        assert_eq!(s, Status::Conflict, "{url}: {v}");
        assert_eq!(v["error"]["field"], "to_date");
        assert_eq!(v["error"]["reason"], "inactive_takes_no_title");
    }
    let (s, v) = app
        .patch(
            &format!("{cadre_url}/titles/{held}"),
            Some(&admin),
            json!({"to_date": null}),
        )
        .await;
    assert_eq!(s, Status::Conflict, "reopened: {v}");
    assert_eq!(v["error"]["reason"], "inactive_takes_no_title");
    let (s, v) = app
        .post(
            &format!("{cadre_url}/titles"),
            Some(&admin),
            json!({"title_code": "FF-VICE-COMMUNE", "from_date": "2010-01-01", "to_date": "2012-12-31"}),
        )
        .await;
    assert_eq!(s, Status::Created, "an ended period is their record: {v}");
    let (_, v) = app.get(&cadre_url, Some(&admin)).await;
    let ends: Vec<(&str, &Value)> = v["titles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["title_code"].as_str().unwrap(), &t["to_date"]))
        .collect();
    assert_eq!(
        ends,
        [
            ("FF-VICE-COMMUNE", &json!("2012-12-31")),
            ("FF-CHAIR-COMMUNE", &json!(today))
        ],
        "{v}"
    );
    // Active again, the title may be reopened.
    let (s, v) = app
        .patch(&cadre_url, Some(&admin), json!({"active": true}))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = app
        .patch(
            &format!("{cadre_url}/titles/{held}"),
            Some(&admin),
            json!({"to_date": null}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
}

async fn qualifications_by_hand(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let id = create(&app, &admin, "Nguyễn Văn An", "079180000601", "26734").await;
    let url = format!("/api/cadres/{id}/qualifications");
    let (s, v) = app
        .post(&url, Some(&admin), json!({"scale": "political_theory", "level": "intermediate", "obtained_on": "2012-06-30",
            "issuer": "Trường Cán bộ thành phố", "evidence": "Bằng số 123/TC", "source_ref": "Sổ đăng ký 2012"}))
        .await;
    assert_eq!(s, Status::Created, "{v}");
    assert_eq!(v["items"][0]["level"], "intermediate");
    assert_eq!(v["items"][0]["rank"], 2);
    assert_eq!(v["items"][0]["source"], "manual");
    for (body, field) in [
        (
            json!({"scale": "political_theory", "level": "genius", "obtained_on": "2012-06-30"}),
            "level",
        ),
        (
            json!({"scale": "astrology", "level": "intermediate", "obtained_on": "2012-06-30"}),
            "scale",
        ),
        (
            json!({"scale": "political_theory", "level": "advanced", "obtained_on": "2999-01-01"}),
            "obtained_on",
        ),
        (
            json!({"scale": "political_theory", "level": "advanced", "obtained_on": "1970-01-01"}),
            "obtained_on",
        ),
        (
            json!({"scale": "political_theory", "level": "advanced"}),
            "obtained_on",
        ),
    ] {
        let (s, v) = app.post(&url, Some(&admin), body.clone()).await;
        assert_eq!(s, Status::UnprocessableEntity, "{body}: {v}");
        assert_eq!(v["error"]["field"], field, "{body}: {v}");
    }
    let (_, v) = app.get(&url, Some(&admin)).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    let (_, d) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(d["qualifications"].as_array().unwrap().len(), 1);
}

/// A title is held, or planned, from the cadre's eighteenth birthday: a period starting before it
/// is refused (422 naming `from_date` and the day), and a birth date moved so that a period on
/// record would start before it is refused (409 naming `birth_date`); nothing changes. Otherwise
/// the gap report's "age at appointment" would take a child's (or an unborn's) appointment.
async fn a_title_is_held_and_planned_from_the_cadres_eighteenth_birthday(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    // Born 1980-05-17: eighteen on 1998-05-17.
    let id = create(&app, &admin, "Nguyễn Văn Trẻ", "079180000581", "26734").await;
    for (list, from) in [("titles", "1998-05-16"), ("plans", "1975-01-01")] {
        let (s, v) = app
            .post(
                &format!("/api/cadres/{id}/{list}"),
                Some(&admin),
                json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": from}),
            )
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{list}: {v}");
        assert_eq!(v["error"]["field"], "from_date", "{v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap()
                .contains("1998-05-17"),
            "{v}"
        );
    }
    let (_, v) = app.get(&format!("/api/cadres/{id}"), Some(&admin)).await;
    assert_eq!(
        (v["titles"].clone(), v["plans"].clone()),
        (json!([]), json!([])),
        "{v}"
    );
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/titles"),
            Some(&admin),
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "1998-05-17", "to_date": "2003-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    // Born three years later, they would have been fifteen.
    birth_date_refused(&app, &admin, id, json!({"birth_date": "1983-05-17"})).await;
    // A year later is still eighteen on the first day.
    let (s, v) = patch_birth(&app, &admin, id, json!({"birth_date": "1979-05-17"})).await;
    assert_eq!(s, Status::Ok, "{v}");
}

/// PATCHes cadre `id` with `body` (a birth date).
async fn patch_birth(app: &TestApp, admin: &str, id: i64, body: Value) -> (Status, Value) {
    app.patch(&format!("/api/cadres/{id}"), Some(admin), body)
        .await
}

/// PATCHes cadre `id` (born 1980-05-17) with `body`: 409 naming `birth_date`, the birth date
/// unchanged. Returns the answer.
async fn birth_date_refused(app: &TestApp, admin: &str, id: i64, body: Value) -> Value {
    let (s, v) = patch_birth(app, admin, id, body).await;
    assert_eq!(s, Status::Conflict, "{v}");
    assert_eq!(v["error"]["field"], "birth_date", "{v}");
    let (_, record) = app.get(&format!("/api/cadres/{id}"), Some(admin)).await;
    assert_eq!(record["birth_date"], "1980-05-17", "{record}");
    v
}

/// A birth date is not moved after a completion or a qualification on record (each is dated after
/// the birth where it is written): 409 naming `birth_date` and the day; nothing changes.
async fn a_birth_date_stays_before_the_cadres_completions_and_qualifications(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    // Born 1980-05-17; completed DV-03 on 2008-01-01.
    let id = create(&app, &admin, "Vũ Thị Nghỉ", "079180000591", "26734").await;
    paper_dv03(&app, &admin, &json!(id), "2008-01-01").await;
    let v = birth_date_refused(
        &app,
        &admin,
        id,
        json!({"birth_date": "2009-06-01", "party_joined_on": null}),
    )
    .await;
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2008-01-01"),
        "{v}"
    );
    // Still before it: taken.
    let (s, v) = patch_birth(&app, &admin, id, json!({"birth_date": "1985-01-01"})).await;
    assert_eq!(s, Status::Ok, "{v}");
}

/// Creates ward 99001 under the city, come into being on 2025-07-01 (as the wards of the 2025
/// reorganisation).
pub async fn new_ward(app: &TestApp, admin: &str) {
    let (s, v) = app
        .post(
            "/api/units",
            Some(admin),
            json!({"code": "99001", "name": "Phường Mới Lập", "kind": "ward", "parent_code": "79",
                   "effective": "2025-07-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
}

/// A cadre is in a unit, and holds a title there, from the day it came into being: on an earlier
/// day the unit is in no tree and they would be in no report of that day. A cadre placed, moved
/// or given a title there on an earlier day is a 422 naming that day's field; nothing is written.
async fn a_cadre_is_in_a_unit_and_holds_titles_there_once_it_exists(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    new_ward(&app, &admin).await;
    // The unit itself, on a day before: it was not in the tree.
    let (s, v) = app
        .get("/api/units/99001?as_of=2025-06-30", Some(&admin))
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "as_of", "{v}");
    let (s, v) = app
        .get("/api/units/99001?as_of=2025-07-01", Some(&admin))
        .await;
    assert_eq!((s, &v["code"]), (Status::Ok, &json!("99001")), "{v}");
    let mut body = cadre("Đỗ Văn Sớm", "079180000534", "99001");
    body["unit_since"] = json!("2015-01-01");
    let (s, v) = app.post("/api/cadres", Some(&admin), body.clone()).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "unit_since", "{v}");
    let (_, v) = app.get("/api/cadres?q=do%20van%20som", Some(&admin)).await;
    assert_eq!(v["total"], 0, "{v}");
    body["unit_since"] = json!("2025-07-01");
    let (s, v) = app.post("/api/cadres", Some(&admin), body).await;
    assert_eq!(s, Status::Created, "{v}");
    let id = v["id"].as_i64().unwrap();
    for list in ["titles", "plans"] {
        let url = format!("/api/cadres/{id}/{list}");
        let title = |from: &str| json!({"title_code": "FF-VICE-COMMUNE", "from_date": from});
        let (s, v) = app.post(&url, Some(&admin), title("2018-01-01")).await;
        assert_eq!(s, Status::UnprocessableEntity, "{v}");
        assert_eq!(v["error"]["field"], "from_date", "{v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("99001"),
            "{v}"
        );
        let (s, v) = app.post(&url, Some(&admin), title("2025-07-01")).await;
        assert_eq!(s, Status::Created, "{v}");
    }
    // A move there, dated before it came into being.
    let who = ("Đỗ Văn Chuyển", "079180000535");
    let other = create_since(&app, &admin, who, "26734", "2015-01-01").await;
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{other}"),
            Some(&admin),
            json!({"unit_code": "99001", "moved_on": "2025-06-30"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "moved_on", "{v}");
    let (_, v) = app.get(&format!("/api/cadres/{other}"), Some(&admin)).await;
    assert_eq!(v["unit_code"], "26734", "{v}");
    let (s, v) = app
        .patch(
            &format!("/api/cadres/{other}"),
            Some(&admin),
            json!({"unit_code": "99001", "moved_on": "2025-07-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
}

/// An edit that changes nothing (an empty body, a value as it is) writes nothing: the record's
/// `updated_at` stays and the audit trail gets no entry whose before and after are the same. A day
/// of a move without a move (`moved_on` alone, or with the cadre's own unit) is refused, not
/// dropped silently.
async fn an_edit_that_changes_nothing_writes_nothing(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let id = create(&app, &admin, "Nguyễn Văn Yên", "079180000931", "26734").await;
    let path = format!("/api/cadres/{id}");
    let audit_path = format!("/api/audit?entity=cadre&entity_id={id}");
    let (_, before) = app.get(&path, Some(&admin)).await;
    let entries = app.get(&audit_path, Some(&admin)).await.1["total"].clone();
    let today = cadre_training::shared::clock::city_today().to_string();
    for body in [
        json!({}),
        json!({"full_name": before["full_name"], "phone": before["phone"]}),
        json!({"unit_code": "26734"}),
    ] {
        let (s, v) = app.patch(&path, Some(&admin), body.clone()).await;
        assert_eq!(s, Status::Ok, "{body}: {v}");
        assert_eq!(v["updated_at"], before["updated_at"], "{body}: {v}");
    }
    for body in [
        json!({"moved_on": today}),
        json!({"unit_code": "26734", "moved_on": today}),
    ] {
        let (s, v) = app.patch(&path, Some(&admin), body.clone()).await;
        assert_eq!(
            crate::helpers::refusal(s, &v),
            (
                Status::UnprocessableEntity,
                Some("moved_on"),
                Some("moved_on_without_move")
            ),
            "{body}: {v}"
        );
    }
    assert_eq!(
        app.get(&audit_path, Some(&admin)).await.1["total"],
        entries,
        "no entry for nothing"
    );
    let (_, after) = app.get(&path, Some(&admin)).await;
    assert_eq!(after, before);
    // A real change is written and audited.
    let (s, v) = app
        .patch(&path, Some(&admin), json!({"phone": "0909123456"}))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(
        app.get(&audit_path, Some(&admin)).await.1["total"].as_i64(),
        entries.as_i64().map(|n| n + 1)
    );
}
