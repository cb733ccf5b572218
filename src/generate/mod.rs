//! Deterministic synthetic data on the real unit tree, for demos and benchmarks:
//! `demo` (Ho Chi Minh City, about 2,400 cadres, demo logins and classes), `city` (Ho Chi Minh
//! City, 100,000 cadres, ~1,000,000 completions), `nation` (the 2024 national tree, 2,000,000
//! cadres, ~20,000,000 completions). Vietnamese names, a realistic gender and ethnicity mix, titles
//! held over three terms and planned successors, qualifications, completions since 2005, moves.
//!
//! `demo` and `city` cross the 2025 reorganisation as the real city did: the data is laid on the
//! 2024 tree, then the real 2025 unit file and successor table are imported ([`reorg`]), and the
//! wards that came from Bình Dương and Bà Rịa–Vũng Tàu get people from 1 July 2025. So reports
//! for 2020 show districts and wards, and today's show the new wards.
//!
//! The same seed and the same as-of day give the same rows, ids included, whatever day the
//! generator runs: every date is derived from the as-of day (`--as-of`, default the city's today),
//! never from the clock, the reorganisation is applied when the as-of day is on or after its
//! effective day, and rows are written in an order that depends on nothing else (no hash-map
//! order, no concurrent tasks). Only instants (`created_at`, `updated_at`, audit times), password
//! hashes and certificate verification codes (from the OS CSPRNG: they are secrets) differ.

mod demo;
mod people;
mod reorg;

pub use demo::OFFICER_UNIT;

use chrono::{Duration, NaiveDate};
use std::time::Instant;

use crate::audit::Actor;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::on_tx;
use crate::state::AppState;
use crate::units::domain::{UnitKind, UnitLevel};
use people::{Phase, Reference};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Small, with demo accounts.
    Demo,
    /// Ho Chi Minh City.
    City,
    /// The whole country.
    Nation,
}

impl Scale {
    /// Parses `demo`, `city` or `nation`.
    pub fn parse(s: &str) -> Option<Scale> {
        match s {
            "demo" => Some(Scale::Demo),
            "city" => Some(Scale::City),
            "nation" => Some(Scale::Nation),
            _ => None,
        }
    }

    fn cadres(self) -> usize {
        match self {
            Scale::Demo => 2_000,
            Scale::City => 100_000,
            Scale::Nation => 2_000_000,
        }
    }
}

/// The first as-of day the generator accepts: the history it lays (people's moves) runs to the
/// end of 2024, so an earlier day would date records after it.
pub fn earliest_as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).expect("date")
}

/// The last as-of day the generator accepts (the demo classes run a few weeks past it, and the
/// API takes dates up to 2100).
pub fn latest_as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2099, 12, 31).expect("date")
}

/// Reads an as-of day: `YYYY-MM-DD`, between [`earliest_as_of`] and [`latest_as_of`]. The error
/// is one line.
pub fn parse_as_of(s: &str) -> Result<NaiveDate, String> {
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| d.format("%Y-%m-%d").to_string() == s)
        .ok_or_else(|| format!("--as-of: {s:?} is not a date written YYYY-MM-DD"))?;
    check_as_of(day)
}

/// Whether data as of `as_of` has been through the 2025 reorganisation: from its effective day on.
fn reorganised(as_of: NaiveDate) -> bool {
    as_of >= reorg::effective()
}

/// Checks that an as-of day is in the range the generator can lay data up to.
fn check_as_of(day: NaiveDate) -> Result<NaiveDate, String> {
    let (from, to) = (earliest_as_of(), latest_as_of());
    if day < from || day > to {
        return Err(format!(
            "--as-of: {day} is outside {from}..{to} (the generated history runs to the end of 2024)"
        ));
    }
    Ok(day)
}

/// xorshift64*: small, fast, deterministic.
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
    fn weighted<'a>(&mut self, v: &'a [(&'a str, u64)]) -> &'a str {
        let total: u64 = v.iter().map(|x| x.1).sum();
        let mut r = self.below(total);
        for (s, w) in v {
            if r < *w {
                return s;
            }
            r -= w;
        }
        v[0].0
    }
    fn date(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(1) as u64;
        from + Duration::days(self.below(span) as i64)
    }
}

const FAMILY: &[(&str, u64)] = &[
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 70),
    ("Huỳnh", 50),
    ("Hoàng", 30),
    ("Phan", 45),
    ("Võ", 40),
    ("Vũ", 20),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Trương", 10),
    ("Đinh", 6),
];
const MIDDLE_M: &[&str] = &[
    "Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Ngọc", "Xuân", "Hoàng",
];
const MIDDLE_F: &[&str] = &[
    "Thị", "Ngọc", "Thanh", "Thu", "Kim", "Minh", "Bích", "Mỹ", "Hồng", "Phương",
];
const GIVEN_M: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Khang", "Long", "Minh", "Nam", "Phong",
    "Phúc", "Quang", "Sơn", "Tài", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Hiếu", "Khoa", "Lộc",
];
const GIVEN_F: &[&str] = &[
    "An", "Anh", "Ánh", "Bích", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hương", "Lan", "Linh",
    "Mai", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thủy", "Trang", "Uyên", "Vân",
    "Yến",
];
const ETHNIC: &[(&str, u64)] = &[
    ("Kinh", 930),
    ("Hoa", 50),
    ("Khmer", 8),
    ("Chăm", 2),
    ("Tày", 3),
    ("Nùng", 3),
    ("Mường", 2),
    ("Thái", 2),
];
const ORGS: &[(&str, u64)] = &[
    ("fatherland_front", 20),
    ("youth_union", 15),
    ("womens_union", 15),
    ("farmers_association", 8),
    ("veterans_association", 7),
    ("labour_federation", 5),
    ("mass_mobilisation_commission", 10),
    ("government", 15),
    ("armed_forces", 5),
];
const MODULES: &[(&str, u64)] = &[
    ("DV-01", 14),
    ("DV-02", 10),
    ("DV-03", 16),
    ("DV-04", 7),
    ("DV-05", 7),
    ("DV-06", 10),
    ("DV-07", 5),
    ("DV-08", 6),
    ("DV-09", 3),
    ("DV-10", 5),
    ("DV-11", 10),
    ("DV-12", 7),
];

async fn scalar_i64(tx: &mut Tx, sql: &str) -> Result<i64, AppError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&mut *c)
        .await?))
}

/// Live units under `root` (all of them without one), with their level.
async fn live_units(
    db: &Db,
    root: Option<&str>,
    empty_only: bool,
) -> Result<Vec<(String, UnitLevel)>, AppError> {
    let mut tx = db.begin().await?;
    let sql = if empty_only {
        "SELECT code, kind, path FROM units u WHERE retired_on IS NULL
           AND NOT EXISTS (SELECT 1 FROM cadres c WHERE c.unit_code = u.code) ORDER BY path"
    } else {
        "SELECT code, kind, path FROM units WHERE retired_on IS NULL ORDER BY path"
    };
    let units: Vec<(String, String, String)> =
        on_tx!(&mut tx, |c| sqlx::query_as(sql).fetch_all(&mut *c).await?);
    tx.commit().await?;
    Ok(units
        .into_iter()
        .filter(|(_, _, p)| root.is_none_or(|r| p.starts_with(&format!("/{r}/"))))
        .filter_map(|(c, k, _)| UnitKind::parse(&k).map(|k| (c, k.level())))
        .collect())
}

/// Fills the database (which must hold no cadre yet) as of `as_of` (checked as [`parse_as_of`]
/// does; `None`: the city's today). Every date is derived from that day and the seed, so the same
/// seed and day give the same rows whatever day it runs. Returns a summary line, which names the
/// day and the seed (as does the audit entry).
pub async fn run(
    state: &AppState,
    scale: Scale,
    seed: u64,
    as_of: Option<NaiveDate>,
    data_dir: &std::path::Path,
) -> Result<String, String> {
    let (db, clock) = (&state.db, &state.clock);
    let started = Instant::now();
    // `now` stamps the rows' instants only (created_at, updated_at); every date comes from `as_of`.
    let now = clock.now();
    let as_of = match as_of {
        Some(day) => check_as_of(day)?,
        None => clock.date_of(now),
    };
    tracing::info!(%as_of, seed, scale = ?scale, "generating as of");
    let err = |e: AppError| e.to_string();
    let file = data_dir.join("admin-units-2024.csv");
    let csv = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let root = (scale != Scale::Nation).then_some("79");
    crate::units::import::run(
        db,
        &Actor::system(),
        csv,
        &crate::shared::table::Limits::default(),
        &crate::units::import::ImportOptions {
            root: root.map(str::to_string),
            ..Default::default()
        },
        as_of,
    )
    .await
    .map_err(err)?;
    let mut tx = db.begin().await.map_err(err)?;
    if scalar_i64(&mut tx, "SELECT COUNT(*) FROM cadres")
        .await
        .map_err(err)?
        > 0
    {
        return Err("the database already holds cadres; generate into an empty database".into());
    }
    tx.commit().await.map_err(err)?;
    let refs = Reference::load(db).await.map_err(err)?;
    let units = live_units(db, root, false).await.map_err(err)?;
    let mut rng = Rng::new(seed);
    let d = |y: i32, m: u32, dd: u32| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
    let n = scale.cadres();
    let mut tx = db.begin().await.map_err(err)?;
    let first_id = scalar_i64(&mut tx, "SELECT COALESCE(MAX(id), 0) FROM cadres")
        .await
        .map_err(err)?
        + 1;
    let terms = [
        (d(2010, 7, 1), Some(d(2015, 6, 30))),
        (d(2015, 7, 1), Some(d(2020, 6, 30))),
        (d(2020, 7, 1), None),
    ];
    let mut total = people::generate(
        &mut tx,
        &mut rng,
        &refs,
        &Phase {
            units: &units,
            n,
            first_id,
            index_base: 0,
            since: (d(2003, 1, 1), d(2020, 1, 1)),
            terms: &terms,
            plans: (d(2012, 1, 1), d(2024, 1, 1)),
            moves: true,
            demo_unit: (scale == Scale::Demo).then_some("26734"),
        },
        seed,
        now,
        as_of,
    )
    .await
    .map_err(err)?;
    tx.commit().await.map_err(err)?;
    let mut line = String::new();
    if let Some(root) = root.filter(|_| reorganised(as_of)) {
        let r = reorg::apply(db, &mut rng, data_dir, root, as_of, total.demo_cadre).await?;
        line = format!(
            "; reorganised on {}: {} units retired, {} records moved to successors, {} title clashes resolved ({} terms ended), {} district cadres placed in wards",
            reorg::effective(),
            r.retired,
            r.moved,
            r.clashes,
            r.seats_ended,
            r.placed
        );
        // The wards that came from the absorbed provinces get their people from 1 July 2025.
        let new_units: Vec<(String, UnitLevel)> = live_units(db, Some(root), true)
            .await
            .map_err(err)?
            .into_iter()
            .filter(|u| u.1 == UnitLevel::Commune)
            .collect();
        let n_new = n * new_units.len() / units.len().max(1);
        let eff = reorg::effective();
        let mut tx = db.begin().await.map_err(err)?;
        let first = scalar_i64(&mut tx, "SELECT COALESCE(MAX(id), 0) FROM cadres")
            .await
            .map_err(err)?
            + 1;
        let b = people::generate(
            &mut tx,
            &mut rng,
            &refs,
            &Phase {
                units: &new_units,
                n: n_new,
                first_id: first,
                index_base: n as u64,
                since: (eff, eff + Duration::days(1)),
                terms: &[(eff, None)],
                plans: (eff, as_of.max(eff + Duration::days(1))),
                moves: false,
                demo_unit: None,
            },
            seed,
            now,
            as_of,
        )
        .await
        .map_err(err)?;
        tx.commit().await.map_err(err)?;
        total.cadres += b.cadres;
        total.quals += b.quals;
        total.comps += b.comps;
        total.held += b.held;
        total.planned += b.planned;
        line.push_str(&format!(
            "; {} cadres in the {} wards from the absorbed provinces",
            b.cadres,
            new_units.len()
        ));
    }
    let mut tx = db.begin().await.map_err(err)?;
    if let Db::Postgres(_) = db {
        on_tx!(&mut tx, |c| sqlx::query(
            "SELECT setval(pg_get_serial_sequence('cadres', 'id'), (SELECT MAX(id) FROM cadres))"
        )
        .fetch_all(&mut *c)
        .await
        .map(|_| ())
        .map_err(|e| err(e.into()))?);
    }
    crate::audit::record(
        &mut tx,
        &Actor::system(),
        "generate",
        "dataset",
        &format!("{scale:?}"),
        None,
        Some(serde_json::json!({
            "cadres": total.cadres, "completions": total.comps, "seed": seed, "as_of": as_of,
        })),
    )
    .await
    .map_err(err)?;
    tx.commit().await.map_err(err)?;
    if scale == Scale::Demo {
        demo::accounts(db, total.demo_cadre).await?;
        let prefix = &state.config.certificate_prefix;
        let certs = demo::classes(db, clock, as_of, &mut rng, prefix, total.demo_cadre)
            .await
            .map_err(err)?;
        line.push_str(&format!("; demo logins and classes ({certs} certificates)"));
    }
    match db {
        Db::Sqlite(p) => {
            sqlx::query("ANALYZE")
                .execute(p)
                .await
                .map_err(|e| e.to_string())?;
        }
        Db::Postgres(p) => {
            // VACUUM sets the visibility map, so the reports' index-only scans work at once.
            sqlx::query("VACUUM ANALYZE")
                .execute(p)
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(format!(
        "as of {as_of}, seed {seed}: {} cadres, {} qualifications, {} completions, {} title assignments, {} planned successors{line} in {:.1} s",
        total.cadres,
        total.quals,
        total.comps,
        total.held,
        total.planned,
        started.elapsed().as_secs_f64()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_is_a_day_written_in_full_within_the_range() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(parse_as_of("2026-12-01"), Ok(d("2026-12-01")));
        assert_eq!(parse_as_of("2025-01-01"), Ok(d("2025-01-01")));
        assert_eq!(parse_as_of("2099-12-31"), Ok(d("2099-12-31")));
        for bad in [
            "",
            "2026-12-1",
            "2026-2-01",
            "26-12-01",
            "2026/12/01",
            "2026-02-30",
            "2026-12-01x",
            " 2026-12-01",
            "01-12-2026",
            "today",
            "+2026-12-01",
        ] {
            let e = parse_as_of(bad).unwrap_err();
            assert!(
                e.contains("YYYY-MM-DD") && !e.contains('\n'),
                "{bad:?}: {e}"
            );
        }
        for out in ["2024-12-31", "1990-01-01", "2100-01-01"] {
            let e = parse_as_of(out).unwrap_err();
            assert!(
                e.contains("outside 2025-01-01..2099-12-31") && !e.contains('\n'),
                "{out}: {e}"
            );
        }
    }

    #[test]
    fn the_reorganisation_is_applied_from_its_effective_day() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(!reorganised(d("2025-01-01")));
        assert!(!reorganised(d("2025-06-30")));
        assert!(reorganised(d("2025-07-01")));
        assert!(reorganised(d("2026-12-01")));
    }
}
