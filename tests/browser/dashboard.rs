//! The commission's dashboard by group (issue 16): a compliance chart per split (gender, age
//! band, minority) and the shares of women, young and minority cadres among the incumbents and
//! the planned successors of each unit, checked against the API's report.

use serde_json::{json, Value};

use crate::harness::{Browser, Server, DEMO_PASSWORD};

/// meeting / assessed × 100, one decimal, as the page computes it.
fn share(part: i64, whole: i64) -> Value {
    if whole == 0 {
        return json!("");
    }
    let v = (1000.0 * part as f64 / whole as f64).round() / 10.0;
    json!(v.to_string())
}

pub async fn commission_splits(s: &'static Server, b: &Browser) {
    // An incumbent of the third gender (the demo data has none): the gender chart has a bar for
    // them, as for women and men.
    {
        let _writing = s.report.write().await;
        b.login("officer.tandinh", DEMO_PASSWORD, "officer").await;
        let (status, created) = crate::record::api_send(
            b,
            "POST",
            "/api/cadres",
            json!({"full_name": "Lâm Khác Giới", "gender": "other", "birth_date": "1984-04-04",
                   "ethnicity": "Kinh", "personal_id": "079184000778", "unit_code": "26737",
                   "organisation": "fatherland_front"}),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        let title = crate::record::ward_title(b).await;
        let (status, held) = crate::record::api_send(
            b,
            "POST",
            &format!("/api/cadres/{}/titles", created["id"]),
            json!({"title_code": title, "from_date": "2020-01-01"}),
        )
        .await;
        assert_eq!(status, 201, "{held}");
        b.logout().await;
    }
    b.login("commission", DEMO_PASSWORD, "commission").await;
    let _reading = s.report.read().await;
    b.open("#/home").await;
    b.wait("#shares-table").await;
    for split in ["gender", "age_band", "minority"] {
        assert!(
            b.count(&format!("#chart-{split} g.bar")).await >= 2,
            "a chart of the {split} split"
        );
    }
    let unit = b
        .js("return document.querySelector('#report').dataset.unit || new URLSearchParams(location.hash.split('?')[1] || '').get('unit') || ''")
        .await;
    let unit = unit.as_str().unwrap_or("").to_string();
    let q = if unit.is_empty() {
        String::new()
    } else {
        format!("&unit={unit}")
    };
    // The compliance of women on the chart is the API's.
    let inc = super::api_get(b, &format!("/api/reports/gaps?population=incumbent{q}")).await;
    let f = &inc["totals"]["by_gender"]["female"];
    assert_eq!(
        b.js(
            "return document.querySelector('#chart-gender g.bar[data-unit=female]').dataset.value"
        )
        .await,
        share(
            f["meeting"].as_i64().unwrap_or(0),
            f["assessed"].as_i64().unwrap_or(0)
        ),
        "{f}"
    );
    let other = &inc["totals"]["by_gender"]["other"];
    assert!(other["assessed"].as_i64().unwrap_or(0) >= 1, "{inc}");
    assert_eq!(
        b.js(
            "return document.querySelector('#chart-gender g.bar[data-unit=other]')?.dataset.value"
        )
        .await,
        share(
            other["meeting"].as_i64().unwrap_or(0),
            other["assessed"].as_i64().unwrap_or(0)
        ),
        "{other}"
    );
    // The shares per unit, for both populations, are the API's.
    let plan = super::api_get(b, &format!("/api/reports/gaps?population=planned{q}")).await;
    for (pop, r) in [("incumbent", &inc), ("planned", &plan)] {
        let t = &r["totals"];
        let n = t["assessed"].as_i64().unwrap_or(0);
        let cell = |what: &str| {
            format!("return document.querySelector('#shares-table tbody tr:first-child td[data-share=\"{pop}-{what}\"]').dataset.value")
        };
        assert_eq!(b.js(&cell("n")).await, json!(n.to_string()), "{pop}");
        let count = |field: &str, key: &str| t[field][key]["assessed"].as_i64().unwrap_or(0);
        assert_eq!(
            b.js(&cell("women")).await,
            share(count("by_gender", "female"), n),
            "{pop}"
        );
        assert_eq!(
            b.js(&cell("young")).await,
            share(count("by_age_band", "under_35"), n),
            "{pop}"
        );
        assert_eq!(
            b.js(&cell("minority")).await,
            share(count("by_minority", "minority"), n),
            "{pop}"
        );
    }
    assert!(
        b.count("#shares-table tbody tr").await > 1,
        "a row per unit"
    );
    b.page("dashboard-groups").await;
    b.logout().await;
}
