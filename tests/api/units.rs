//! The unit tree: import from the real files, search, breadcrumb, scope, mergers.

use rocket::http::{ContentType, Status};
use serde_json::{json, Value};

use crate::db_tests;
use crate::helpers::{units_file, Backend, TestApp};
use crate::reorganisation::holder;

db_tests!(
    import_hcmc_from_real_csv,
    a_unit_is_retired_after_it_came_into_being_into_one_of_its_level,
    import_whole_country,
    search_ignores_diacritics,
    officer_sees_only_their_subtree,
    import_is_admin_only_and_all_or_nothing,
    merger_2025_keeps_history,
    create_move_and_retire_units,
    a_unit_in_use_stays_under_units_in_use,
    the_units_files_keep_the_tree_whole,
    a_ward_merged_by_hand_hands_over_its_cadres,
    unit_changes_are_dated_today_or_earlier,
    a_unit_change_comes_after_its_last,
    a_units_file_holds_no_unreadable_name,
    a_unit_is_placed_under_and_merged_into_units_of_its_day,
    a_unit_keeps_the_level_of_the_titles_it_holds,
);

async fn import_hcmc_from_real_csv(app: TestApp) {
    let admin = app.admin_token().await;
    let r = app.import_hcmc(&admin).await;
    assert_eq!(r["created"], 1 + 22 + 273);
    assert_eq!(r["skipped"], 10_810 - 296);
    let (s, v) = app.get("/api/units/26734", Some(&admin)).await;
    assert_eq!(s, Status::Ok);
    assert_eq!(v["name"], "Phường Tân Định");
    assert_eq!(v["level"], "commune");
    let crumbs: Vec<&str> = v["ancestors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(crumbs, ["79", "760"]);
    assert_eq!(v["ancestors"][1]["name"], "Quận 1");
    let (_, kids) = app.get("/api/units/79/children", Some(&admin)).await;
    assert_eq!(kids["items"].as_array().unwrap().len(), 22);
    let (_, q1) = app.get("/api/units/760/children", Some(&admin)).await;
    assert!(q1["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["code"] == "26734"));
    let (_, roots) = app.get("/api/units", Some(&admin)).await;
    assert_eq!(roots["items"][0]["code"], "79");
    assert_eq!(roots["items"][0]["child_count"], 22);
    // Idempotent: nothing changes the second time.
    let again = app.import_hcmc(&admin).await;
    assert_eq!(again["created"], 0);
    assert_eq!(again["updated"], 0);
    assert_eq!(again["unchanged"], 296);
    let n = cadre_training::units::store::subtree_count(&app.state().db, "/79/")
        .await
        .unwrap();
    assert_eq!(n, 296);
}

async fn import_whole_country(app: TestApp) {
    let admin = app.admin_token().await;
    let (s, r) = app
        .post_raw(
            "/api/units/import",
            Some(&admin),
            ContentType::CSV,
            units_file("admin-units-2024.csv"),
        )
        .await;
    assert_eq!(s, Status::Ok, "{r}");
    assert_eq!(r["created"], 10_810);
    let (_, roots) = app.get("/api/units?limit=100", Some(&admin)).await;
    assert_eq!(roots["items"].as_array().unwrap().len(), 63);
    let db = &app.state().db;
    assert_eq!(
        cadre_training::units::store::subtree_count(db, "/79/")
            .await
            .unwrap(),
        296
    );
    assert!(
        cadre_training::units::store::subtree_count(db, "/01/")
            .await
            .unwrap()
            > 500
    );
}

async fn search_ignores_diacritics(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = app.get("/api/units?q=tan%20dinh", Some(&admin)).await;
    assert_eq!(s, Status::Ok);
    let items = v["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|u| u["code"] == "26734" && u["name"] == "Phường Tân Định"),
        "{v}"
    );
    let (_, v) = app
        .get(
            "/api/units?q=PH%C6%AF%E1%BB%9CNG%20T%C3%82N%20%C4%90%E1%BB%8ANH",
            Some(&admin),
        )
        .await;
    assert!(
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["code"] == "26734"),
        "upper-case with diacritics: {v}"
    );
    let (_, v) = app.get("/api/units?q=26734", Some(&admin)).await;
    assert_eq!(v["items"][0]["code"], "26734");
    let (_, v) = app.get("/api/units?q=%25", Some(&admin)).await;
    assert_eq!(
        v["items"].as_array().unwrap().len(),
        0,
        "LIKE wildcards are escaped"
    );
    let (s, v) = app.get("/api/units?q=x&limit=abc", Some(&admin)).await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "limit");
}

async fn officer_sees_only_their_subtree(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let officer = app
        .account(&admin, "officer.q1", "officer", Some("760"))
        .await;
    // Inside: their unit, its wards, and the breadcrumb above them.
    assert_eq!(
        app.get("/api/units/760", Some(&officer)).await.0,
        Status::Ok
    );
    assert_eq!(
        app.get("/api/units/26734", Some(&officer)).await.0,
        Status::Ok
    );
    assert_eq!(
        app.get("/api/units/760/children", Some(&officer)).await.0,
        Status::Ok
    );
    assert_eq!(app.get("/api/units/79", Some(&officer)).await.0, Status::Ok);
    // Outside: another district, its wards, and the city's child list.
    for path in [
        "/api/units/761",
        "/api/units/26764/children",
        "/api/units/26764",
        "/api/units/79/children",
        "/api/units/761/children",
    ] {
        let (s, v) = app.get(path, Some(&officer)).await;
        assert_eq!(s, Status::Forbidden, "{path}: {v}");
        assert_eq!(v["error"]["code"], "forbidden");
    }
    let (_, v) = app.get("/api/units", Some(&officer)).await;
    assert_eq!(v["items"].as_array().unwrap().len(), 1);
    assert_eq!(v["items"][0]["code"], "760");
    // Search stays inside the subtree: Tân Định of Quận 1 yes, of other places no.
    let (_, v) = app.get("/api/units?q=phuong", Some(&officer)).await;
    let items = v["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|u| u["parent_code"] == "760"), "{v}");
    // A ward officer sees neither the district's other wards nor its child list.
    let ward = app
        .account(&admin, "officer.td", "officer", Some("26734"))
        .await;
    assert_eq!(
        app.get("/api/units/26737", Some(&ward)).await.0,
        Status::Forbidden
    );
    assert_eq!(
        app.get("/api/units/760/children", Some(&ward)).await.0,
        Status::Forbidden
    );
}

async fn import_is_admin_only_and_all_or_nothing(app: TestApp) {
    let admin = app.admin_token().await;
    let school = app.account(&admin, "school1", "school", None).await;
    let csv = units_file("admin-units-2024.csv");
    let (s, _) = app
        .post_raw(
            "/api/units/import?root=79",
            Some(&school),
            ContentType::CSV,
            csv.clone(),
        )
        .await;
    assert_eq!(s, Status::Forbidden);
    let (s, _) = app
        .post_raw(
            "/api/units/import?root=79",
            None,
            ContentType::CSV,
            csv.clone(),
        )
        .await;
    assert_eq!(s, Status::Unauthorized);
    // A file with one bad row among good ones: 422 naming the row, nothing written.
    let mut bad = String::from_utf8(csv).unwrap();
    bad.push_str("99999,Phường Lỗi,ward,00000\n");
    bad.push_str("88888,Tỉnh Sai,planet,\n");
    let (s, v) = app
        .post_raw(
            "/api/units/import",
            Some(&admin),
            ContentType::CSV,
            bad.into_bytes(),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let details = v["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 1, "{v}");
    assert_eq!(details[0]["row"], 10_813);
    assert_eq!(details[0]["field"], "kind");
    assert_eq!(details[0]["code"], "unit_kind_unknown", "{v}");
    assert!(details[0]["params"]["kinds"]
        .as_str()
        .is_some_and(|k| k.contains("ward")));
    let (_, roots) = app.get("/api/units", Some(&admin)).await;
    assert_eq!(
        roots["items"].as_array().unwrap().len(),
        0,
        "nothing was written"
    );
    // Unknown parent is reported after parsing, also with its line.
    let (s, v) = app
        .post_raw(
            "/api/units/import",
            Some(&admin),
            ContentType::CSV,
            b"code,name,kind,parent_code\n1,A,city,\n2,B,ward,3\n".to_vec(),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["details"][0]["row"], 3);
    assert_eq!(v["error"]["details"][0]["field"], "parent_code");
    assert_eq!(v["error"]["details"][0]["code"], "parent_unknown", "{v}");
    let (s, v) = app
        .post_raw(
            "/api/units/import",
            Some(&admin),
            ContentType::CSV,
            b"id;ten\n1;A\n".to_vec(),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "file");
    let (s, v) = app
        .post_raw(
            "/api/units/import?root=7x",
            Some(&admin),
            ContentType::CSV,
            b"x".to_vec(),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "root");
    let (_, roots) = app.get("/api/units", Some(&admin)).await;
    assert_eq!(roots["items"].as_array().unwrap().len(), 0);
}

async fn merger_2025_keeps_history(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, r) = app
        .post_raw(
            "/api/units/import?root=79&retire_missing=true&effective=2025-07-01",
            Some(&admin),
            ContentType::CSV,
            units_file("admin-units-2025.csv"),
        )
        .await;
    assert_eq!(s, Status::Ok, "{r}");
    // 168 units under 79 in 2025; 26737 (Đa Kao) became Phường Tân Định directly under the city.
    let (_, kids) = app.get("/api/units/79/children", Some(&admin)).await;
    assert_eq!(kids["items"].as_array().unwrap().len(), 168);
    let (_, v) = app.get("/api/units/26737", Some(&admin)).await;
    assert_eq!(v["name"], "Phường Tân Định");
    assert_eq!(v["parent_code"], "79");
    let (_, v) = app
        .get("/api/units/26737?as_of=2020-01-01", Some(&admin))
        .await;
    assert_eq!(v["name"], "Phường Đa Kao");
    assert_eq!(v["parent_code"], "760");
    assert_eq!(v["history"][0]["valid_until"], "2025-07-01");
    // The old Tân Định ward is retired, still resolvable, and can be given its successor.
    let (_, old) = app.get("/api/units/26734", Some(&admin)).await;
    assert_eq!(old["name"], "Phường Tân Định");
    assert_eq!(old["retired_on"], "2025-07-01");
    let (s, v) = app
        .post(
            "/api/units/26734/retire",
            Some(&admin),
            json!({"successor_code": "26737", "retired_on": "2025-07-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, old) = app.get("/api/units/26734", Some(&admin)).await;
    assert_eq!(old["successor"]["code"], "26737");
    let (_, old_then) = app
        .get("/api/units/26734?as_of=2020-01-01", Some(&admin))
        .await;
    assert!(old_then["retired_on"].is_null());
    // Retired districts are hidden from child lists unless asked for.
    let (_, live) = app.get("/api/units/79/children", Some(&admin)).await;
    assert!(!live["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["code"] == "760"));
    let (_, all) = app
        .get("/api/units/79/children?include_retired=true", Some(&admin))
        .await;
    assert!(all["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["code"] == "760"));
}

async fn create_move_and_retire_units(app: TestApp) {
    let admin = app.admin_token().await;
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            json!({"code": "900", "name": "Tỉnh Thử", "kind": "province"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
    app.post(
        "/api/units",
        Some(&admin),
        json!({"code": "901", "name": "Huyện A", "kind": "rural_district", "parent_code": "900"}),
    )
    .await;
    app.post(
        "/api/units",
        Some(&admin),
        json!({"code": "902", "name": "Huyện B", "kind": "rural_district", "parent_code": "900"}),
    )
    .await;
    app.post(
        "/api/units",
        Some(&admin),
        json!({"code": "90001", "name": "Xã C", "kind": "commune", "parent_code": "901"}),
    )
    .await;
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            json!({"code": "901", "name": "Again", "kind": "town"}),
        )
        .await;
    assert_eq!(s, Status::Conflict);
    assert_eq!(v["error"]["field"], "code");
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            json!({"code": "903", "name": "X", "kind": "galaxy"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "kind");
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            json!({"code": "903", "name": "X", "kind": "town", "parent_code": "404"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "parent_code");
    // Moving a district into its own commune is refused; moving a commune moves its path.
    let (s, v) = app
        .patch(
            "/api/units/901",
            Some(&admin),
            json!({"name": "Huyện A", "kind": "rural_district", "parent_code": "90001"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let (s, v) = app
        .patch(
            "/api/units/90001",
            Some(&admin),
            json!({"name": "Xã C mới", "kind": "commune", "parent_code": "902"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, v) = app.get("/api/units/90001", Some(&admin)).await;
    assert_eq!(v["ancestors"][1]["code"], "902");
    assert_eq!(v["history"][0]["name"], "Xã C");
    // Retire with an unknown successor: 422; with a real one: done; twice: 409. (The units came
    // into being today.)
    let today = cadre_training::shared::clock::city_today().to_string();
    let (s, v) = app
        .post(
            "/api/units/901/retire",
            Some(&admin),
            json!({"successor_code": "777", "retired_on": today}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "successor_code");
    let (s, v) = app
        .post(
            "/api/units/901/retire",
            Some(&admin),
            json!({"successor_code": "902", "retired_on": today}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, _) = app
        .post(
            "/api/units/901/retire",
            Some(&admin),
            json!({"successor_code": "902", "retired_on": "2025-07-02"}),
        )
        .await;
    assert_eq!(s, Status::Conflict);
    let (s, v) = app
        .post(
            "/api/units/902/retire",
            Some(&admin),
            json!({"retired_on": "not a date"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "retired_on");
    let _ = Backend::Sqlite;
}

/// Retiring a ward into a successor through the API hands over what is attached to it, as the
/// succession table's import does: the cadre's unit, their unit period and title split on the day
/// (history kept), the ward's accounts; so the successor's officer reaches the cadre the report
/// counts under the successor. A ward retired without a successor keeps its cadres.
async fn a_ward_merged_by_hand_hands_over_its_cadres(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let id = holder(
        &app,
        &admin,
        "Trần Thị Chuyển",
        "079170004411",
        "26734",
        &["FF-CHAIR-COMMUNE"],
    )
    .await;
    let old_officer = app
        .account(&admin, "can.bo.tan.dinh", "officer", Some("26734"))
        .await;
    let officer = app
        .account(&admin, "can.bo.da.kao", "officer", Some("26737"))
        .await;
    assert_eq!(
        app.get(&format!("/api/cadres/{id}"), Some(&officer))
            .await
            .0,
        Status::NotFound
    );
    let (s, v) = app
        .post(
            "/api/units/26734/retire",
            Some(&admin),
            json!({"successor_code": "26737", "retired_on": "2025-07-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    // The audit trail says how much moved: the unit period, the title and the ward's account.
    let (_, audit) = app
        .get("/api/audit?entity=unit&entity_id=26734", Some(&admin))
        .await;
    assert_eq!(audit["items"][0]["action"], "retire", "{audit}");
    assert_eq!(audit["items"][0]["after"]["moved"], 3, "{audit}");
    let (s, v) = app.get(&format!("/api/cadres/{id}"), Some(&officer)).await;
    assert_eq!(
        s,
        Status::Ok,
        "the successor's officer reaches the cadre: {v}"
    );
    assert_eq!(v["unit_code"], "26737");
    let units: Vec<(Value, Value, Value)> = v["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["unit_code"].clone(),
                u["from_date"].clone(),
                u["to_date"].clone(),
            )
        })
        .collect();
    assert_eq!(
        units,
        vec![
            (json!("26734"), json!("2015-01-01"), json!("2025-07-01")),
            (json!("26737"), json!("2025-07-01"), Value::Null),
        ],
        "{v}"
    );
    let titles: Vec<(Value, Value)> = v["titles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["unit_code"].clone(), t["from_date"].clone()))
        .collect();
    assert!(
        titles.contains(&(json!("26737"), json!("2025-07-01"))),
        "{v}"
    );
    assert!(
        titles.contains(&(json!("26734"), json!("2015-01-01"))),
        "{v}"
    );
    let (_, roster) = app.get("/api/cadres", Some(&officer)).await;
    assert_eq!(roster["total"], 1, "{roster}");
    // The old ward's account went with it: its token is spent (its scope changed), and on its
    // next login its officer keeps the successor's roster.
    assert_eq!(
        app.get("/api/cadres", Some(&old_officer)).await.0,
        Status::Unauthorized
    );
    let old_officer = app.token("can.bo.tan.dinh", "lop-hoc-dan-van-2026").await;
    let (_, roster) = app.get("/api/cadres", Some(&old_officer)).await;
    assert_eq!(roster["total"], 1, "{roster}");
    // A ward retired without a successor keeps its cadres (nobody to hand them to).
    let stays = holder(&app, &admin, "Lê Văn Ở", "079170004412", "26740", &[]).await;
    let (s, v) = app
        .post(
            "/api/units/26740/retire",
            Some(&admin),
            json!({"retired_on": "2025-07-01"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, v) = app.get(&format!("/api/cadres/{stays}"), Some(&admin)).await;
    assert_eq!(v["unit_code"], "26740", "{v}");
}

/// A unit's change applies at once (its current name and parent, the officers' scope, whether it
/// takes cadres), so it is dated today or earlier: a later `effective` or `retired_on` is refused
/// (422 naming it; a succession table's row, a problem of its cell) and nothing changes, instead of
/// showing today what happens later.
async fn unit_changes_are_dated_today_or_earlier(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let today = cadre_training::shared::clock::city_today();
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    let (_, before) = app.get("/api/units/26737", Some(&admin)).await;
    let (s, v) = app
        .patch(
            "/api/units/26737",
            Some(&admin),
            json!({"name": "Phường Mai Sau", "kind": "ward", "parent_code": "771",
                "effective": tomorrow}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("effective")),
        "{v}"
    );
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            json!({"code": "99901", "name": "Phường Sắp Lập", "kind": "ward", "parent_code": "760",
                "effective": tomorrow}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("effective")),
        "{v}"
    );
    let (s, v) = app
        .post(
            "/api/units/26740/retire",
            Some(&admin),
            json!({"successor_code": "26737", "retired_on": tomorrow}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("retired_on")),
        "{v}"
    );
    let (s, v) = app
        .post_raw(
            &format!("/api/units/import?root=79&effective={tomorrow}"),
            Some(&admin),
            ContentType::CSV,
            units_file("admin-units-2024.csv"),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].clone()),
        (Status::UnprocessableEntity, json!("effective")),
        "{v}"
    );
    // A succession table row taking effect later: a problem of its `effective` cell.
    let table = format!(
        "old_code,old_name,old_parent_code,new_code,new_name,part,effective,main\n\
         26740,Phường Bến Nghé,760,26737,Phường Đa Kao,whole,{tomorrow},1\n"
    );
    let (s, v) = app
        .post_raw(
            "/api/units/successors/import",
            Some(&admin),
            ContentType::CSV,
            table.into_bytes(),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["details"][0]["code"], "date_in_future", "{v}");
    assert_eq!(v["error"]["details"][0]["field"], "effective", "{v}");
    let (_, after) = app.get("/api/units/26737", Some(&admin)).await;
    assert_eq!(after, before, "nothing changed");
    let (_, retired) = app.get("/api/units/26740", Some(&admin)).await;
    assert!(retired["retired_on"].is_null(), "{retired}");
    assert_eq!(
        app.get("/api/units/99901", Some(&admin)).await.0,
        Status::NotFound
    );
    // Today is not later.
    let (s, v) = app
        .patch(
            "/api/units/26737",
            Some(&admin),
            json!({"name": "Phường Đa Kao", "kind": "ward", "parent_code": "760",
                "effective": today.to_string()}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
}

/// A unit in use stays under units in use, or its people would fall out of the reports by the
/// tree: a unit is not created or moved under a retired one (422 naming parent_code; in a units
/// file, a problem `parent_retired` at the row), and a unit with units in use under it is not
/// retired (409). Nothing changes.
async fn a_unit_in_use_stays_under_units_in_use(app: TestApp) {
    let admin = app.admin_token().await;
    test_tree(&app, &admin, None, true).await;
    let retire = |code: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.post(
                &format!("/api/units/{code}/retire"),
                Some(&admin),
                json!({"retired_on": "2025-07-01"}),
            )
            .await
        }
    };
    let (s, v) = retire("901").await;
    refused_over_xa_c(&app, &admin, s, v).await;
    // Its commune retired first: then it may go.
    assert_eq!(retire("90001").await.0, Status::Ok);
    assert_eq!(retire("901").await.0, Status::Ok);
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            json!({"code": "90003", "name": "Xã E", "kind": "commune", "parent_code": "901"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "parent_code", "{v}");
    assert_eq!(
        app.get("/api/units/90003", Some(&admin)).await.0,
        Status::NotFound
    );
    let (s, v) = app
        .patch(
            "/api/units/90002",
            Some(&admin),
            json!({"name": "Xã D", "kind": "commune", "parent_code": "901"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "parent_code", "{v}");
    assert_eq!(
        app.get("/api/units/90002", Some(&admin)).await.1["ancestors"][1]["code"],
        "902"
    );
    // A units file alike; the retired commune listed as it is stays as it is.
    let file = "code,name,kind,parent_code\n90001,Xã C,commune,901\n90004,Xã G,commune,901\n";
    let (s, v) = post_csv(&app, &admin, "/api/units/import", file).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let d = &v["error"]["details"];
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(
        (d[0]["row"].as_i64(), d[0]["code"].as_str()),
        (Some(3), Some("parent_retired")),
        "{v}"
    );
    assert_eq!(
        app.get("/api/units/90004", Some(&admin)).await.0,
        Status::NotFound
    );
}

/// The units file and the succession table keep units in use under units in use, as the API
/// does: a succession table retiring a unit with units in use under it is a 409 naming them; a
/// units file retiring a unit before it came into being is a 422 naming `effective`; a units
/// file has a dry run (answered, nothing written). Nothing changes on a refusal.
async fn the_units_files_keep_the_tree_whole(app: TestApp) {
    let admin = app.admin_token().await;
    test_tree(&app, &admin, Some("2026-01-01"), false).await;
    let table = "old_code,old_name,old_parent_code,new_code,new_name,part,effective,main\n901,Huyện A,900,902,Huyện B,whole,2025-07-01,1\n";
    let (s, v) = post_csv(&app, &admin, "/api/units/successors/import", table).await;
    refused_over_xa_c(&app, &admin, s, v).await;
    // The units file that leaves out Xã C retires it: not before it came into being.
    let file = "code,name,kind,parent_code\n900,Tỉnh Thử,province,\n901,Huyện A,rural_district,900\n902,Huyện B,rural_district,900\n";
    let url = |effective: &str, dry: bool| {
        format!(
            "/api/units/import?root=900&retire_missing=true&effective={effective}&dry_run={dry}"
        )
    };
    let (s, v) = post_csv(&app, &admin, &url("2025-07-01", false), file).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    assert_eq!(v["error"]["field"], "effective", "{v}");
    let (s, v) = post_csv(&app, &admin, &url("2026-06-01", true), file).await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(
        (v["dry_run"].as_bool(), v["retired"].as_i64()),
        (Some(true), Some(1)),
        "{v}"
    );
    assert_eq!(
        app.get("/api/units/90001", Some(&admin)).await.1["retired_on"],
        Value::Null,
        "a dry run"
    );
    let (s, v) = post_csv(&app, &admin, &url("2026-06-01", false), file).await;
    assert_eq!(
        (s, v["dry_run"].as_bool()),
        (Status::Ok, Some(false)),
        "{v}"
    );
    assert_eq!(
        app.get("/api/units/90001", Some(&admin)).await.1["retired_on"],
        "2026-06-01"
    );
    // A name typed with combining marks is stored composed.
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            json!({"code": "90002", "name": "Phu\u{31b}o\u{31b}\u{300}ng To\u{302}\u{301}", "kind": "ward", "parent_code": "902"}),
        )
        .await;
    assert_eq!(
        (s, &v["name"]),
        (Status::Created, &json!("Phường Tố")),
        "{v}"
    );
}

/// Creates the tests' tree: province 900 with districts 901 and 902, commune 90001 under 901
/// (come into being on `commune_from`, when given) and, with `second`, commune 90002 under 902;
/// the others in being since 2000-01-01.
async fn test_tree(app: &TestApp, admin: &str, commune_from: Option<&str>, second: bool) {
    let mut units = vec![
        ("900", "Tỉnh Thử", "province", None, None),
        ("901", "Huyện A", "rural_district", Some("900"), None),
        ("902", "Huyện B", "rural_district", Some("900"), None),
        ("90001", "Xã C", "commune", Some("901"), commune_from),
    ];
    if second {
        units.push(("90002", "Xã D", "commune", Some("902"), None));
    }
    for (code, name, kind, parent, effective) in units {
        let (s, v) = app
            .post(
                "/api/units",
                Some(admin),
                json!({"code": code, "name": name, "kind": kind, "parent_code": parent, "effective": effective.unwrap_or("2000-01-01")}),
            )
            .await;
        assert_eq!(s, Status::Created, "{v}");
    }
}

/// Posts a CSV file to `url` as `admin`.
async fn post_csv(app: &TestApp, admin: &str, url: &str, text: &str) -> (Status, Value) {
    app.post_raw(url, Some(admin), ContentType::CSV, text.as_bytes().to_vec())
        .await
}

/// A retirement of Huyện A refused over Xã C in use under it (409 naming it); Huyện A still live.
async fn refused_over_xa_c(app: &TestApp, admin: &str, s: Status, v: Value) {
    assert_eq!(s, Status::Conflict, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("90001"),
        "{v}"
    );
    assert_eq!(
        app.get("/api/units/901", Some(admin)).await.1["retired_on"],
        Value::Null
    );
}

/// A unit's history is a line of states, each from its change to the next: a change dated before
/// the unit's last change (by hand or by a units file, the official one read again included) would
/// put a later state before an earlier one. It is refused (422 naming `effective` and the day of
/// the last change, `unit_changed_since`) and nothing changes; a change on that day or later
/// goes on the line in order.
async fn a_unit_change_comes_after_its_last(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let rename = |name: &'static str, effective: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            app.patch(
                "/api/units/26737",
                Some(&admin),
                json!({"name": name, "kind": "ward", "parent_code": "760", "effective": effective}),
            )
            .await
        }
    };
    let refused_since = |s: Status, v: &Value| {
        assert_eq!(
            crate::helpers::refusal(s, v),
            (
                Status::UnprocessableEntity,
                Some("effective"),
                Some("unit_changed_since")
            ),
            "{v}"
        );
    };
    let (s, v) = rename("Phường Đa Kao B", "2026-03-01").await;
    assert_eq!(s, Status::Ok, "{v}");
    let (_, before) = app.get("/api/units/26737", Some(&admin)).await;
    let (s, v) = rename("Phường Đa Kao A", "2025-10-01").await;
    refused_since(s, &v);
    assert_eq!(v["error"]["params"]["date"], "2026-03-01", "{v}");
    let (s, v) = app
        .post_raw(
            "/api/units/import?root=79&effective=2025-07-01",
            Some(&admin),
            ContentType::CSV,
            units_file("admin-units-2024.csv"),
        )
        .await;
    refused_since(s, &v);
    let (_, after) = app.get("/api/units/26737", Some(&admin)).await;
    assert_eq!(after, before, "nothing changed");
    // On the day of the last change or later: in order.
    let (s, v) = rename("Phường Đa Kao C", "2026-03-01").await;
    assert_eq!(s, Status::Ok, "{v}");
    let (s, v) = rename("Phường Đa Kao D", "2026-04-01").await;
    assert_eq!(s, Status::Ok, "{v}");
    for (day, name) in [
        ("2026-02-28", "Phường Đa Kao"),
        ("2026-03-15", "Phường Đa Kao C"),
        ("2026-04-01", "Phường Đa Kao D"),
    ] {
        let (_, v) = app
            .get(&format!("/api/units/26737?as_of={day}"), Some(&admin))
            .await;
        assert_eq!(v["name"], name, "{day}: {v}");
    }
}

/// A units file's names follow the API's rules: a NUL, a control character (a bell, a direction
/// override) or only characters that show nothing is a problem of that row's `name`
/// (`nul_character`, `control_character`, `invisible_text`), and nothing is written.
async fn a_units_file_holds_no_unreadable_name(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let file = "code,name,kind,parent_code\n\
                88881,Phường \u{0}A,ward,760\n\
                88882,Phường \u{202e}XYZ,ward,760\n\
                88883,\u{200b}\u{200b},ward,760\n\
                88884,Phường\u{7}Chuông,ward,760\n\
                88885,Phường Mới,ward,760\n";
    let (s, v) = app
        .post_raw(
            "/api/units/import?root=79",
            Some(&admin),
            ContentType::CSV,
            file.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v}");
    let found = crate::imports::coded(&v);
    let want: Vec<(i64, String, String)> = [
        (2, "nul_character"),
        (3, "control_character"),
        (4, "invisible_text"),
        (5, "control_character"),
    ]
    .iter()
    .map(|(r, c)| (*r, "name".to_string(), c.to_string()))
    .collect();
    assert_eq!(found, want, "{v}");
    for code in ["88881", "88885"] {
        let (s, _) = app.get(&format!("/api/units/{code}"), Some(&admin)).await;
        assert_eq!(s, Status::NotFound, "{code}: nothing written");
    }
}

/// A unit is retired on a day after it came into being (an earlier day would hand its people's
/// periods over to the successor as if they had always been there: 422 `unit_not_yet` on
/// `retired_on`), and into a unit of its own level (a ward's titles and people do not become a
/// district's: 422 `successor_other_level` on `successor_code`); nothing is written. The accounts
/// it hands over are moves in their own audit trails.
async fn a_unit_is_retired_after_it_came_into_being_into_one_of_its_level(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            json!({"code": "9990001", "name": "Phường Thử", "kind": "ward", "parent_code": "760",
                   "effective": "2026-01-01"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let cadre = crate::cadres::create_since(
        &app,
        &admin,
        ("Trần Thị Mới Đến", "079180000491"),
        "9990001",
        "2026-02-01",
    )
    .await;
    app.account(&admin, "officer.thu", "officer", Some("9990001"))
        .await;
    let (_, v) = app.get("/api/accounts?q=officer.thu", Some(&admin)).await;
    let officer = v["items"][0]["id"].as_i64().expect("the officer's account");
    let retire = |body: Value| app.post("/api/units/9990001/retire", Some(&admin), body);
    let refused = |v: &Value| {
        (
            v["error"]["field"].clone(),
            v["error"]["reason"].clone(),
            v["error"]["params"]["code"].clone(),
        )
    };
    let (s, v) = retire(json!({"retired_on": "1999-01-01", "successor_code": "26734"})).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    assert_eq!(
        refused(&v),
        (json!("retired_on"), json!("unit_not_yet"), json!("9990001"))
    );
    let (s, v) = retire(json!({"retired_on": "2026-06-01", "successor_code": "760"})).await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    assert_eq!(
        refused(&v),
        (
            json!("successor_code"),
            json!("successor_other_level"),
            json!("760")
        )
    );
    let (_, v) = app.get("/api/units/9990001", Some(&admin)).await;
    assert_eq!(v["retired_on"], Value::Null, "nothing written: {v:.300}");
    let (_, v) = app.get(&format!("/api/cadres/{cadre}"), Some(&admin)).await;
    assert_eq!(v["units"][0]["unit_code"], "9990001", "{v:.300}");
    let (s, v) = retire(json!({"retired_on": "2026-06-01", "successor_code": "26734"})).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (_, v) = app.get(&format!("/api/cadres/{cadre}"), Some(&admin)).await;
    let units: Vec<String> = v["units"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| format!("{} {}", u["unit_code"], u["from_date"]))
        .collect();
    assert_eq!(
        units,
        [r#""9990001" "2026-02-01""#, r#""26734" "2026-06-01""#],
        "{v:.300}"
    );
    // The officer's account went with the ward, and its own trail says so.
    let (_, a) = app
        .get(
            &format!("/api/audit?entity=account&entity_id={officer}"),
            Some(&admin),
        )
        .await;
    let first = &a["items"][0];
    assert_eq!(
        (
            first["action"].clone(),
            first["before"]["unit_code"].clone(),
            first["after"]["unit_code"].clone()
        ),
        (json!("move"), json!("9990001"), json!("26734")),
        "{a:.300}"
    );
}

/// A change to the tree dated in the past is checked against the tree of that day, as a cadre's
/// or a title's is: a unit placed (created or moved, by hand or by a units file) under a parent
/// that did not exist yet on the effective day, or retired into a successor that did not exist
/// yet on the retirement day, is refused (422 `unit_not_yet` naming the parent or successor) and
/// nothing changes. Written, such a unit was an orphan on those days and its holders fell out of
/// the city's report.
async fn a_unit_is_placed_under_and_merged_into_units_of_its_day(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    let unit = |code: &str, kind: &str, parent: &str, effective: &str| json!({"code": code, "name": format!("Đơn vị {code}"), "kind": kind, "parent_code": parent, "effective": effective});
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            unit("99906", "urban_district", "79", "2026-01-01"),
        )
        .await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            unit("99905", "ward", "760", "2025-08-01"),
        )
        .await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let not_yet = |v: &Value, field: &str, code: &str| {
        assert_eq!(
            (
                v["error"]["field"].as_str(),
                v["error"]["reason"].as_str(),
                v["error"]["params"]["code"].as_str()
            ),
            (Some(field), Some("unit_not_yet"), Some(code)),
            "{v:.300}"
        );
    };
    // Created under a district of 2026 from 2025-08-01.
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            unit("99908", "ward", "99906", "2025-08-01"),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    not_yet(&v, "parent_code", "99906");
    assert_eq!(
        app.get("/api/units/99908", Some(&admin)).await.0,
        Status::NotFound
    );
    // Moved under it from 2025-12-01, by hand and by a file.
    let (s, v) = app
        .patch(
            "/api/units/99905",
            Some(&admin),
            unit("99905", "ward", "99906", "2025-12-01"),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    not_yet(&v, "parent_code", "99906");
    let (s, v) = post_csv(
        &app,
        &admin,
        "/api/units/import?root=79&effective=2025-12-01",
        "code,name,kind,parent_code\n99905,Đơn vị 99905,ward,99906\n",
    )
    .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    not_yet(&v, "effective", "99906");
    let (_, v) = app.get("/api/units/99905", Some(&admin)).await;
    assert_eq!(v["parent_code"], "760", "nothing moved: {v:.300}");
    // Merged on 2025-12-01 into a ward of 2026.
    let (s, v) = app
        .post(
            "/api/units",
            Some(&admin),
            unit("99907", "ward", "760", "2026-01-01"),
        )
        .await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let (s, v) = app
        .post(
            "/api/units/99905/retire",
            Some(&admin),
            json!({"retired_on": "2025-12-01", "successor_code": "99907"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity, "{v:.300}");
    not_yet(&v, "successor_code", "99907");
    assert_eq!(
        app.get("/api/units/99905", Some(&admin)).await.1["retired_on"],
        Value::Null
    );
    // On the parent's or successor's first day, or later, each is taken.
    let (s, v) = app
        .patch(
            "/api/units/99905",
            Some(&admin),
            unit("99905", "ward", "99906", "2026-01-01"),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let (s, v) = app
        .post(
            "/api/units/99905/retire",
            Some(&admin),
            json!({"retired_on": "2026-02-01", "successor_code": "99907"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
}

/// A unit's level decides its titles: a change of kind to another level (a ward made a district,
/// by hand or by a units file) while a title of the old level is held or planned there on or
/// after the day is refused (409 `unit_holds_other_level_titles` on `kind`, naming the titles),
/// and nothing changes; the holder was left with a ward's chair in a district. A unit with no
/// such title changes level.
async fn a_unit_keeps_the_level_of_the_titles_it_holds(app: TestApp) {
    let admin = app.admin_token().await;
    app.import_hcmc(&admin).await;
    for code in ["99911", "99912"] {
        let (s, v) = app
            .post(
                "/api/units",
                Some(&admin),
                json!({"code": code, "name": format!("Phường {code}"), "kind": "ward", "parent_code": "760", "effective": "2026-01-01"}),
            )
            .await;
        assert_eq!(s, Status::Created, "{v:.300}");
    }
    let id = crate::cadres::create_since(
        &app,
        &admin,
        ("Vũ Văn Cấp", "079180000611"),
        "99911",
        "2026-02-01",
    )
    .await;
    let (s, v) = app
        .post(
            &format!("/api/cadres/{id}/titles"),
            Some(&admin),
            json!({"title_code": "FF-CHAIR-COMMUNE", "from_date": "2026-02-01", "unit_code": "99911"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v:.300}");
    let district = |code: &str| json!({"code": code, "name": format!("Quận {code}"), "kind": "urban_district", "parent_code": "79"});
    let (s, v) = app
        .patch("/api/units/99911", Some(&admin), district("99911"))
        .await;
    assert_eq!(
        crate::helpers::refusal(s, &v),
        (
            Status::Conflict,
            Some("kind"),
            Some("unit_holds_other_level_titles")
        ),
        "{v:.300}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("FF-CHAIR-COMMUNE"),
        "{v:.300}"
    );
    let (s, v) = post_csv(
        &app,
        &admin,
        "/api/units/import?root=79",
        "code,name,kind,parent_code\n99911,Quận 99911,urban_district,79\n",
    )
    .await;
    assert_eq!(
        (s, v["error"]["reason"].as_str()),
        (Status::Conflict, Some("unit_holds_other_level_titles")),
        "{v:.300}"
    );
    let (_, v) = app.get("/api/units/99911", Some(&admin)).await;
    assert_eq!(v["kind"], "ward", "nothing changed: {v:.300}");
    let (s, v) = app
        .patch("/api/units/99912", Some(&admin), district("99912"))
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
}
