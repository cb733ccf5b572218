//! Illustrative first standards (DOMAIN.md), written on the first start of a database without any:
//! version 1 from 2014-01-01 for every seeded title, and version 2 from 2020-01-01 adding DV-11
//! (social media) within 3 years at every level.

use chrono::NaiveDate;

use super::domain::Requirement;
use super::{store, titles};
use crate::db::Db;
use crate::error::AppError;
use crate::on_db;

fn level(scale: &str, level: &str) -> Requirement {
    Requirement::MinLevel {
        scale: scale.into(),
        level: level.into(),
    }
}

fn module(m: &str, within: Option<i64>) -> Requirement {
    Requirement::Module {
        module: m.into(),
        within_years: within,
    }
}

/// The requirements of version 1 for a title of this organisation kind, role stem and level.
fn first_version(stem: &str, lvl: &str) -> Vec<Requirement> {
    let vice = stem == "FF-VICE";
    let youth = stem == "YU-SEC";
    let mut r = match lvl {
        "commune" => vec![
            level(
                "political_theory",
                if vice { "elementary" } else { "intermediate" },
            ),
            level("professional_education", "bachelor"),
            module("DV-01", None),
            module("DV-03", Some(5)),
            Requirement::MinPartyYears { years: 3 },
        ],
        "district" => vec![
            level("political_theory", "intermediate"),
            level("professional_education", "bachelor"),
            level("state_management", "officer"),
            module("DV-01", None),
            module("DV-03", Some(5)),
            module("DV-06", Some(5)),
            Requirement::MinPartyYears { years: 5 },
        ],
        _ => vec![
            level("political_theory", "advanced"),
            level("professional_education", "bachelor"),
            level("state_management", "principal_officer"),
            module("DV-01", None),
            module("DV-02", None),
            module("DV-06", Some(5)),
            Requirement::MinPartyYears { years: 10 },
        ],
    };
    let age = if youth {
        match lvl {
            "commune" => 30,
            "district" => 35,
            _ => 40,
        }
    } else {
        55
    };
    r.push(Requirement::MaxAge { years: age });
    r
}

/// Writes the illustrative standards when no standard exists yet.
pub async fn seed_if_empty(db: &Db) -> Result<(), String> {
    let fail = |e: AppError| format!("seeding standards failed: {e}");
    let n: i64 = on_db!(db, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM standard_versions"
    )
    .fetch_one(p)
    .await)
    .map_err(|e| fail(e.into()))?;
    if n > 0 {
        return Ok(());
    }
    let v1 = NaiveDate::from_ymd_opt(2014, 1, 1).expect("date");
    let v2 = NaiveDate::from_ymd_opt(2020, 1, 1).expect("date");
    let all = titles::list(db, None, None).await.map_err(fail)?;
    let mut tx = db.begin().await.map_err(fail)?;
    for t in all {
        let stem = t.code.rsplit_once('-').map(|(s, _)| s).unwrap_or(&t.code);
        let first = first_version(stem, &t.level);
        store::publish(
            &mut tx,
            t.id,
            v1,
            "Tiêu chuẩn minh họa (DOMAIN.md)",
            "system",
            &first,
        )
        .await
        .map_err(fail)?;
        let mut second = first.clone();
        second.insert(second.len() - 1, module("DV-11", Some(3)));
        store::publish(
            &mut tx,
            t.id,
            v2,
            "Bổ sung DV-11 (mạng xã hội) trong 3 năm",
            "system",
            &second,
        )
        .await
        .map_err(fail)?;
    }
    tx.commit().await.map_err(fail)
}
