//! Deterministic synthetic data on the real unit tree, for demos and benchmarks:
//! `demo` (Ho Chi Minh City, 2,000 cadres, demo accounts), `city` (Ho Chi Minh City 2024,
//! 100,000 cadres, ~1,000,000 completions), `nation` (the 2024 national tree, 2,000,000 cadres,
//! ~20,000,000 completions). Vietnamese names, a realistic gender and ethnicity mix, titles held
//! over three terms and planned successors, qualifications, completions since 2005, moves.

use chrono::{Duration, NaiveDate};
use std::time::Instant;

use crate::audit::Actor;
use crate::clock::Clock;
use crate::db::{Db, Tx};
use crate::error::AppError;
use crate::on_tx;
use crate::units::domain::{UnitKind, UnitLevel};

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

use crate::db::bulk::V;

/// Multi-row INSERTs (see [`crate::db::bulk`]).
async fn bulk(tx: &mut Tx, table: &str, cols: &[&str], rows: Vec<Vec<V>>) -> Result<(), AppError> {
    crate::db::bulk::insert(tx, table, cols, &rows).await
}

async fn scalar_i64(tx: &mut Tx, sql: &str) -> Result<i64, AppError> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&mut *c)
        .await?))
}

/// Fills the database (which must hold no cadre yet). Returns a summary line.
pub async fn run(
    db: &Db,
    clock: &Clock,
    scale: Scale,
    seed: u64,
    data_dir: &std::path::Path,
) -> Result<String, String> {
    let started = Instant::now();
    let now = clock.now();
    let today = clock.date_of(now);
    let err = |e: AppError| e.to_string();
    let file = data_dir.join("admin-units-2024.csv");
    let csv = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let root = if scale == Scale::Nation {
        None
    } else {
        Some("79".to_string())
    };
    crate::units::import::run(
        db,
        &Actor::system(),
        csv,
        &crate::imports::table::Limits::default(),
        &crate::units::import::ImportOptions {
            root: root.clone(),
            ..Default::default()
        },
        today,
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
    let units: Vec<(String, String, String)> =
        on_tx!(&mut tx, |c| sqlx::query_as::<_, (String, String, String)>(
            "SELECT code, kind, path FROM units WHERE retired_on IS NULL ORDER BY path"
        )
        .fetch_all(&mut *c)
        .await
        .map_err(|e| err(e.into()))?);
    let units: Vec<(String, UnitLevel)> = units
        .into_iter()
        .filter(|(_, _, p)| {
            root.as_ref()
                .is_none_or(|r| p.starts_with(&format!("/{r}/")))
        })
        .filter_map(|(c, k, _)| UnitKind::parse(&k).map(|k| (c, k.level())))
        .collect();
    let communes: Vec<&str> = units
        .iter()
        .filter(|u| u.1 == UnitLevel::Commune)
        .map(|u| u.0.as_str())
        .collect();
    let mut rng = Rng::new(seed);
    let d = |y: i32, m: u32, dd: u32| NaiveDate::from_ymd_opt(y, m, dd).expect("date");
    let first_id = scalar_i64(&mut tx, "SELECT COALESCE(MAX(id), 0) FROM cadres")
        .await
        .map_err(err)?
        + 1;
    let n = scale.cadres();
    let module_ids: Vec<(String, i64)> = on_tx!(&mut tx, |c| sqlx::query_as::<_, (String, i64)>(
        "SELECT code, id FROM modules"
    )
    .fetch_all(&mut *c)
    .await
    .map_err(|e| err(e.into()))?);
    let module_id = |code: &str| {
        module_ids
            .iter()
            .find(|m| m.0 == code)
            .map(|m| m.1)
            .unwrap_or(1)
    };
    let mut home: Vec<String> = Vec::with_capacity(n);
    let (mut n_quals, mut n_comps) = (0usize, 0usize);
    // In chunks, so that memory stays bounded at the national scale.
    const CHUNK: usize = 50_000;
    for chunk_start in (0..n).step_by(CHUNK) {
        let chunk_end = (chunk_start + CHUNK).min(n);
        let mut cadre_rows = Vec::with_capacity(CHUNK);
        let mut unit_rows = Vec::with_capacity(CHUNK + CHUNK / 20);
        let mut qual_rows = Vec::with_capacity(CHUNK * 2);
        let mut comp_rows = Vec::with_capacity(CHUNK * 10);
        for i in chunk_start..chunk_end {
            let id = first_id + i as i64;
            let female = rng.chance(52);
            let family = rng.weighted(FAMILY);
            let name = if female {
                format!("{family} {} {}", rng.pick(MIDDLE_F), rng.pick(GIVEN_F))
            } else {
                format!("{family} {} {}", rng.pick(MIDDLE_M), rng.pick(GIVEN_M))
            };
            let unit = if rng.chance(85) && !communes.is_empty() {
                rng.pick(&communes).to_string()
            } else {
                rng.pick(&units).0.clone()
            };
            let birth = rng.date(d(1960, 1, 1), d(2001, 1, 1));
            let ethnicity = rng.weighted(ETHNIC);
            let party = rng.chance(70).then(|| {
                rng.date(
                    birth + Duration::days(18 * 366),
                    today.min(birth + Duration::days(45 * 366)),
                )
            });
            let since = rng.date(d(2003, 1, 1), d(2020, 1, 1));
            cadre_rows.push(vec![
                V::I(id),
                V::S(name.clone()),
                V::S(crate::cadres::domain::fold_name(&name)),
                V::S(crate::cadres::domain::sort_key(&name)),
                V::S(if female { "female" } else { "male" }.into()),
                V::D(birth),
                V::S(ethnicity.into()),
                V::B(ethnicity != "Kinh"),
                V::OD(party),
                V::S(format!("{:012}", seed % 100 * 10_000_000_000 + i as u64)),
                V::S(unit.clone()),
                V::S(rng.weighted(ORGS).into()),
                V::B(true),
                V::T(now),
                V::T(now),
            ]);
            // 5 % moved once between units.
            if rng.chance(5) && !communes.is_empty() {
                let moved = rng.date(since + Duration::days(200), d(2025, 1, 1));
                let before = rng.pick(&communes).to_string();
                unit_rows.push(vec![
                    V::I(id),
                    V::S(before),
                    V::D(since),
                    V::OD(Some(moved)),
                ]);
                unit_rows.push(vec![V::I(id), V::S(unit.clone()), V::D(moved), V::OD(None)]);
            } else {
                unit_rows.push(vec![V::I(id), V::S(unit.clone()), V::D(since), V::OD(None)]);
            }
            let grown = birth + Duration::days(22 * 366);
            let mut qual = |scale: &str, level: &str, on: NaiveDate| {
                qual_rows.push(vec![
                    V::I(id),
                    V::S(scale.into()),
                    V::S(level.into()),
                    V::D(on),
                    V::S("Cơ sở đào tạo".into()),
                    V::S(String::new()),
                    V::S("import".into()),
                    V::S("generated".into()),
                    V::OI(None),
                    V::T(now),
                ]);
            };
            let edu = rng.weighted(&[
                ("bachelor", 60),
                ("college", 10),
                ("vocational", 10),
                ("master", 12),
                ("none", 8),
            ]);
            if edu != "none" {
                qual(
                    "professional_education",
                    edu,
                    rng.date(grown, grown + Duration::days(3 * 365)),
                );
            }
            let pt = rng.weighted(&[
                ("elementary", 40),
                ("intermediate", 33),
                ("advanced", 8),
                ("none", 19),
            ]);
            if pt != "none" {
                qual(
                    "political_theory",
                    pt,
                    rng.date(grown, today.max(grown + Duration::days(1))),
                );
            }
            if rng.chance(35) {
                let sm = rng.weighted(&[
                    ("officer", 75),
                    ("principal_officer", 22),
                    ("senior_officer", 3),
                ]);
                qual(
                    "state_management",
                    sm,
                    rng.date(grown, today.max(grown + Duration::days(1))),
                );
            }
            // Completions: on average 10 a cadre, 2005–today; about 0.5 % revoked later.
            let start = (birth + Duration::days(20 * 366)).max(d(2005, 1, 1));
            if start < today {
                for _ in 0..rng.below(21) {
                    let on = rng.date(start, today);
                    let revoked = rng
                        .chance(1)
                        .then(|| rng.date(on, today + Duration::days(1)))
                        .filter(|r| *r > on && rng.chance(50));
                    comp_rows.push(vec![
                        V::I(id),
                        V::I(module_id(rng.weighted(MODULES))),
                        V::I(1),
                        V::D(on),
                        V::S("import".into()),
                        V::S("generated".into()),
                        V::OD(revoked),
                        V::T(now),
                    ]);
                }
            }
            home.push(unit);
        }
        n_quals += qual_rows.len();
        n_comps += comp_rows.len();
        bulk(
            &mut tx,
            "cadres",
            &[
                "id",
                "full_name",
                "name_folded",
                "sort_key",
                "gender",
                "birth_date",
                "ethnicity",
                "ethnic_minority",
                "party_joined_on",
                "personal_id",
                "unit_code",
                "organisation",
                "active",
                "created_at",
                "updated_at",
            ],
            cadre_rows,
        )
        .await
        .map_err(err)?;
        bulk(
            &mut tx,
            "cadre_units",
            &["cadre_id", "unit_code", "from_date", "to_date"],
            unit_rows,
        )
        .await
        .map_err(err)?;
        bulk(
            &mut tx,
            "cadre_qualifications",
            &[
                "cadre_id",
                "scale_code",
                "level_code",
                "obtained_on",
                "issuer",
                "evidence",
                "source",
                "source_ref",
                "completion_id",
                "created_at",
            ],
            qual_rows,
        )
        .await
        .map_err(err)?;
        bulk(
            &mut tx,
            "completions",
            &[
                "cadre_id",
                "module_id",
                "module_version",
                "completed_on",
                "source",
                "source_ref",
                "revoked_on",
                "created_at",
            ],
            comp_rows,
        )
        .await
        .map_err(err)?;
        tracing::info!(cadres = chunk_end, completions = n_comps, "generating");
    }
    // Titles: every title of the unit's level, held over three terms, with one or two planned successors.
    let titles: Vec<(i64, String, String)> =
        on_tx!(&mut tx, |c| sqlx::query_as::<_, (i64, String, String)>(
            "SELECT id, code, level FROM titles"
        )
        .fetch_all(&mut *c)
        .await
        .map_err(|e| err(e.into()))?);
    let mut by_unit: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (i, u) in home.iter().enumerate() {
        by_unit.entry(u.as_str()).or_default().push(i);
    }
    let terms = [
        (d(2010, 7, 1), Some(d(2015, 6, 30))),
        (d(2015, 7, 1), Some(d(2020, 6, 30))),
        (d(2020, 7, 1), None),
    ];
    let mut held = Vec::new();
    let mut planned = Vec::new();
    for (code, level) in &units {
        let Some(people) = by_unit.get(code.as_str()) else {
            continue;
        };
        let lvl = match level {
            UnitLevel::City => "city",
            UnitLevel::District => "district",
            UnitLevel::Commune => "commune",
        };
        for (tid, _, tlevel) in titles.iter().filter(|t| t.2 == lvl) {
            let _ = tlevel;
            for (from, to) in terms {
                let who = first_id + *rng.pick(people) as i64;
                held.push(vec![
                    V::I(who),
                    V::I(*tid),
                    V::S(code.clone()),
                    V::D(from),
                    V::OD(to),
                    V::T(now),
                ]);
            }
            for _ in 0..1 + rng.below(2) {
                let who = first_id + *rng.pick(people) as i64;
                let from = rng.date(d(2012, 1, 1), d(2024, 1, 1));
                planned.push(vec![
                    V::I(who),
                    V::I(*tid),
                    V::S(code.clone()),
                    V::D(from),
                    V::OD(None),
                    V::T(now),
                ]);
            }
        }
    }
    let (n_held, n_planned) = (held.len(), planned.len());
    bulk(
        &mut tx,
        "title_assignments",
        &[
            "cadre_id",
            "title_id",
            "unit_code",
            "from_date",
            "to_date",
            "created_at",
        ],
        held,
    )
    .await
    .map_err(err)?;
    bulk(
        &mut tx,
        "succession_plans",
        &[
            "cadre_id",
            "title_id",
            "unit_code",
            "from_date",
            "to_date",
            "created_at",
        ],
        planned,
    )
    .await
    .map_err(err)?;
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
        Some(serde_json::json!({"cadres": n, "completions": n_comps, "seed": seed})),
    )
    .await
    .map_err(err)?;
    tx.commit().await.map_err(err)?;
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
    if scale == Scale::Demo {
        demo_accounts(db).await?;
    }
    Ok(format!(
        "{n} cadres, {n_quals} qualifications, {n_comps} completions, {n_held} title assignments, {n_planned} planned successors in {:.1} s",
        started.elapsed().as_secs_f64()
    ))
}

/// Demo logins for every role (password `demo-password`).
async fn demo_accounts(db: &Db) -> Result<(), String> {
    let hash = crate::auth::password::hash("demo-password")
        .await
        .map_err(|e| e.to_string())?;
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    let cadre_id: i64 = scalar_i64(&mut tx, "SELECT MIN(a.cadre_id) FROM title_assignments a WHERE a.unit_code = '26734' AND a.to_date IS NULL")
        .await
        .unwrap_or(1);
    for (user, role, unit, cadre) in [
        ("school", crate::auth::Role::School, None, None),
        ("commission", crate::auth::Role::Commission, None, None),
        ("officer.q1", crate::auth::Role::Officer, Some("760"), None),
        (
            "cadre",
            crate::auth::Role::Cadre,
            Some("26734"),
            Some(cadre_id),
        ),
    ] {
        let a = crate::accounts::store::NewAccount {
            username: user,
            password_hash: &hash,
            role,
            unit_code: unit,
            cadre_id: cadre,
        };
        crate::accounts::routes::create(&mut tx, &Actor::system(), &a)
            .await
            .map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| e.to_string())
}
