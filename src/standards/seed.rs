//! The key leadership titles at every level, and illustrative first standards (DOMAIN.md),
//! written on the first start of a database without any: version 1 from 2014-01-01 for every
//! seeded title, and version 2 from 2020-01-01 adding DV-11 (social media) within 3 years at
//! every level.

use chrono::{NaiveDate, Utc};

use super::domain::{NewTitle, Organisation, Requirement};
use super::store;
use crate::db::Db;
use crate::error::AppError;

/// (org kind, code stem, Vietnamese role, English role).
const ROLES: &[(&str, &str, &str, &str)] = &[
    (
        "fatherland_front",
        "FF-CHAIR",
        "Chủ tịch Ủy ban MTTQ Việt Nam",
        "Chair, Fatherland Front Committee",
    ),
    (
        "fatherland_front",
        "FF-VICE",
        "Phó Chủ tịch Ủy ban MTTQ Việt Nam",
        "Vice-chair, Fatherland Front Committee",
    ),
    (
        "youth_union",
        "YU-SEC",
        "Bí thư Đoàn TNCS Hồ Chí Minh",
        "Secretary, Youth Union",
    ),
    (
        "womens_union",
        "WU-CHAIR",
        "Chủ tịch Hội Liên hiệp Phụ nữ",
        "Chair, Women's Union",
    ),
    (
        "farmers_association",
        "FA-CHAIR",
        "Chủ tịch Hội Nông dân",
        "Chair, Farmers' Association",
    ),
    (
        "veterans_association",
        "VA-CHAIR",
        "Chủ tịch Hội Cựu chiến binh",
        "Chair, Veterans' Association",
    ),
    (
        "labour_federation",
        "LF-CHAIR",
        "Chủ tịch Liên đoàn Lao động",
        "Chair, Labour Federation",
    ),
    (
        "mass_mobilisation_commission",
        "MM-HEAD",
        "Trưởng Ban Dân vận",
        "Head, Mass Mobilisation Commission",
    ),
];

/// (level, code suffix, Vietnamese, English).
const LEVELS: &[(&str, &str, &str, &str)] = &[
    ("city", "CITY", "thành phố", "city"),
    ("district", "DISTRICT", "quận, huyện", "district"),
    ("commune", "COMMUNE", "phường, xã", "ward/commune"),
];

/// Writes the key leadership titles at every level if there are none yet.
pub async fn seed_titles_if_empty(db: &Db) -> Result<(), String> {
    let fail = |e: AppError| format!("seeding titles failed: {e}");
    if store::title_count(db).await.map_err(fail)? > 0 {
        return Ok(());
    }
    let now = Utc::now();
    let mut tx = db.begin().await.map_err(fail)?;
    for (org, stem, role_vi, role_en) in ROLES {
        let org_kind = Organisation::parse(org).expect("a seeded organisation kind");
        // The Labour Federation has no ward/commune-level chair.
        for (level, suffix, level_vi, level_en) in LEVELS {
            if *org == "labour_federation" && *level == "commune" {
                continue;
            }
            let title = NewTitle {
                code: format!("{stem}-{suffix}"),
                name_vi: format!("{role_vi} {level_vi}"),
                name_en: format!("{role_en}, {level_en}"),
                org_kind,
                level: level.to_string(),
            };
            store::seed_title(&mut tx, &title, now)
                .await
                .map_err(fail)?;
        }
    }
    tx.commit().await.map_err(fail)
}

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
    let n = store::version_count(db).await.map_err(fail)?;
    if n > 0 {
        return Ok(());
    }
    let v1 = NaiveDate::from_ymd_opt(2014, 1, 1).expect("date");
    let v2 = NaiveDate::from_ymd_opt(2020, 1, 1).expect("date");
    let all = store::titles(db, None, None).await.map_err(fail)?;
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
