//! The real 2025 reorganisation, applied to generated data the way an administrator applies it to
//! real data: the 2025 unit file (retiring what it no longer lists, effective 1 July 2025) and the
//! successor table, through the same imports. Then what the commission did in real life:
//! a merged ward keeps one holder of each title (the others' terms end on 30 June 2025), and the
//! district leaders, whose districts were abolished without a successor, end their district terms
//! and move to a ward that took over part of their district.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use chrono::{Days, NaiveDate};

use super::Rng;
use crate::audit::Actor;
use crate::db::Db;
use crate::error::AppError;
use crate::on_tx;
use crate::units::import::{run as import_units, ImportOptions};

/// The day the 2025 structure took effect.
pub fn effective() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).expect("date")
}

/// What the reorganisation did to the generated data.
#[derive(Debug, Default)]
pub struct Summary {
    /// Units retired by the 2025 file.
    pub retired: usize,
    /// Records moved to a main successor.
    pub moved: usize,
    /// Titles with two or more holders in a merged ward, before resolving.
    pub clashes: usize,
    /// Terms ended because another holder kept the seat.
    pub seats_ended: usize,
    /// Cadres of abolished districts placed in a ward.
    pub placed: usize,
}

/// Applies the 2025 tree and successor table under `root`, as of `as_of` (the generator's day);
/// `keep` (the demo cadre) keeps their seat.
pub async fn apply(
    db: &Db,
    rng: &mut Rng,
    data_dir: &Path,
    root: &str,
    as_of: NaiveDate,
    keep: Option<i64>,
) -> Result<Summary, String> {
    let err = |e: AppError| e.to_string();
    let read = |name: &str| {
        let f = data_dir.join(name);
        std::fs::read(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))
    };
    let eff = effective();
    let end = eff - Days::new(1);
    // Parents before the change, to know which wards a district's people can go to.
    let parent: HashMap<String, String> = {
        let mut tx = db.begin().await.map_err(err)?;
        let rows: Vec<(String, Option<String>)> = on_tx!(&mut tx, |c| sqlx::query_as(
            "SELECT code, parent_code FROM units WHERE retired_on IS NULL"
        )
        .fetch_all(&mut *c)
        .await
        .map_err(|e| err(e.into()))?);
        rows.into_iter()
            .filter_map(|(c, p)| p.map(|p| (c, p)))
            .collect()
    };
    let units = import_units(
        db,
        &Actor::system(),
        read("admin-units-2025.csv")?,
        &crate::shared::table::Limits::default(),
        &ImportOptions {
            root: Some(root.to_string()),
            retire_missing: true,
            effective: Some(eff),
            dry_run: false,
        },
        as_of,
    )
    .await
    .map_err(err)?;
    let report = crate::units::successors::run(
        db,
        &Actor::system(),
        read("unit-successors-2025-hcmc.csv")?,
        crate::shared::table::Limits::default(),
        false,
        None,
    )
    .await
    .map_err(err)?;
    let mut s = Summary {
        retired: units.retired,
        moved: report.moved.len(),
        clashes: report.clashes.len(),
        ..Summary::default()
    };
    let mut tx = db.begin().await.map_err(err)?;
    // One holder per title in each merged ward: the demo cadre, else the ward's own continuing
    // holder, else one of those who arrived.
    for clash in &report.clashes {
        let rows: Vec<(i64, i64, NaiveDate)> = on_tx!(&mut tx, |c| {
            sqlx::query_as(
            "SELECT a.id, a.cadre_id, a.from_date FROM title_assignments a JOIN titles t ON t.id = a.title_id
             WHERE a.unit_code = $1 AND t.code = $2 AND a.from_date <= $3 AND (a.to_date IS NULL OR a.to_date >= $3)
             ORDER BY a.id"
        )
        .bind(&clash.unit_code)
        .bind(&clash.title_code)
        .bind(clash.on)
        .fetch_all(&mut *c)
        .await
        .map_err(|e| err(e.into()))?
        });
        if rows.len() < 2 {
            continue;
        }
        let kept = rows
            .iter()
            .position(|r| Some(r.1) == keep)
            .or_else(|| rows.iter().position(|r| r.2 < clash.on))
            .unwrap_or_else(|| rng.below(rows.len() as u64) as usize);
        for (i, (id, _, from)) in rows.iter().enumerate() {
            if i == kept {
                continue;
            }
            let sql = if *from >= clash.on {
                "DELETE FROM title_assignments WHERE id = $1"
            } else {
                "UPDATE title_assignments SET to_date = $2 WHERE id = $1"
            };
            let day = clash.on - Days::new(1);
            on_tx!(&mut tx, |c| sqlx::query(sql)
                .bind(id)
                .bind(day)
                .execute(&mut *c)
                .await
                .map(|_| ())
                .map_err(|e| err(e.into()))?);
            s.seats_ended += 1;
        }
    }
    // Abolished districts: terms and plans end on 30 June; their people go to a ward that took
    // over one of the district's wards.
    let abolished: Vec<String> = on_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "SELECT code FROM units WHERE retired_on IS NOT NULL AND successor_code IS NULL ORDER BY code"
    )
    .fetch_all(&mut *c)
    .await
    .map_err(|e| err(e.into()))?
    });
    let links: Vec<(String, String)> = on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT old_code, new_code FROM unit_successors ORDER BY old_code, new_code"
    )
    .fetch_all(&mut *c)
    .await
    .map_err(|e| err(e.into()))?);
    let mut wards: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for (old, new) in &links {
        if let Some(p) = parent.get(old) {
            wards.entry(p.as_str()).or_default().insert(new.as_str());
        }
    }
    for district in &abolished {
        let Some(to) = wards.get(district.as_str()) else {
            continue;
        };
        let to: Vec<&str> = to.iter().copied().collect();
        for table in ["title_assignments", "succession_plans"] {
            let sql = format!(
                "UPDATE {table} SET to_date = $1 WHERE unit_code = $2 AND (to_date IS NULL OR to_date > $1)"
            );
            on_tx!(&mut tx, |c| sqlx::query(&sql)
                .bind(end)
                .bind(district)
                .execute(&mut *c)
                .await
                .map(|_| ())
                .map_err(|e| err(e.into()))?);
        }
        let people: Vec<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "SELECT id FROM cadres WHERE unit_code = $1 ORDER BY id"
        )
        .bind(district)
        .fetch_all(&mut *c)
        .await
        .map_err(|e| err(e.into()))?);
        for id in people {
            let ward = *rng.pick(&to);
            crate::cadres::store::move_unit(&mut tx, id, ward, eff)
                .await
                .map_err(err)?;
            s.placed += 1;
        }
    }
    tx.commit().await.map_err(err)?;
    Ok(s)
}
