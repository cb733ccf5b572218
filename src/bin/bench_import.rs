//! Roster-import benchmark: `bench_import [--rows N] [--pg URL|off] [--data DIR]`.
//! `bench_import --write FILE [--rows N] [--bad]` only writes the roster CSV (with `--bad`, every
//! row carries two problems: an unknown gender and an impossible birth date), for
//! `scripts/bench-uploads.sh`.
//!
//! Writes a realistic cadre CSV (N rows, default 100,000, on the real Ho Chi Minh City wards, a
//! title for one row in 20), imports it into a fresh SQLite file (and a fresh PostgreSQL schema),
//! then re-imports it (nothing changes) and dry-runs it; and, as the yardsticks of the same run,
//! times each engine's own loader on the same file into a plain table of its 11 columns as text
//! (the median of three runs): `sqlite3`'s `.import` right before the SQLite import and `psql`'s
//! `\copy` right before the PostgreSQL one, and prints the import's time as a multiple of its
//! yardstick's.

use std::time::{Duration, Instant};

use cadre_training::audit::Actor;
use cadre_training::auth::Scope;
use cadre_training::db::{Db, PoolSettings, ScratchSchema};
use cadre_training::imports::{self, columns::Kind};
use cadre_training::shared::clock::city_today;
use cadre_training::shared::table::Limits;
use cadre_training::units::import as units_import;

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý",
];
const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Đức", "Thu", "Quốc", "Kim",
];
const GIVEN: &[&str] = &[
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Linh", "Mai",
    "Nam", "Ngọc", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến",
];
const ORGS: &[&str] = &[
    "Mặt trận Tổ quốc",
    "Đoàn Thanh niên",
    "Hội Liên hiệp Phụ nữ",
    "Hội Nông dân",
    "Hội Cựu chiến binh",
    "Liên đoàn Lao động",
    "Ban Dân vận",
    "Chính quyền",
];
const ETHNIC: &[&str] = &[
    "Kinh", "Kinh", "Kinh", "Kinh", "Kinh", "Kinh", "Kinh", "Kinh", "Hoa", "Khmer",
];

/// The test file: Vietnamese headers, one row per cadre; with `bad`, two problems a row.
fn roster(rows: usize, wards: &[String], bad: bool) -> String {
    let mut s = String::from("\u{feff}Số CCCD/CMND,Họ và tên,Giới tính,Ngày sinh,Dân tộc,Mã đơn vị,Ở đơn vị từ ngày,Tổ chức,Điện thoại,Mã chức danh,Giữ chức danh từ ngày\n");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..rows {
        let r = next();
        let family = FAMILY[(r % FAMILY.len() as u64) as usize];
        let middle = MIDDLE[((r >> 8) % MIDDLE.len() as u64) as usize];
        let given = GIVEN[((r >> 16) % GIVEN.len() as u64) as usize];
        let female = middle == "Thị" || (r >> 24) % 2 == 0;
        let ward = &wards[((r >> 28) % wards.len() as u64) as usize];
        let year = 1961 + (r >> 36) % 40;
        let title = if i % 20 == 0 {
            ("FF-CHAIR-COMMUNE", "01/06/2021")
        } else {
            ("", "")
        };
        s.push_str(&format!(
            "{:012},{family} {middle} {given},{},{:02}/{:02}/{year},{},{ward},01/01/2015,{},09{:08},{},{}\n",
            79_000_000_000u64 + i as u64,
            if bad {
                "robot"
            } else if female {
                "Nữ"
            } else {
                "Nam"
            },
            if bad { 31 } else { 1 + (r >> 44) % 28 },
            if bad { 2 } else { 1 + (r >> 49) % 12 },
            ETHNIC[((r >> 52) % ETHNIC.len() as u64) as usize],
            ORGS[((r >> 56) % ORGS.len() as u64) as usize],
            r % 100_000_000,
            title.0,
            title.1,
        ));
    }
    s
}

/// Times one import path on `db`: dry run, import of new cadres, re-import. Returns the import's
/// time and the table row's other cells.
async fn run(db: &Db, units_csv: &[u8], file: &[u8], rows: usize) -> (Duration, String) {
    let actor = Actor::system();
    cadre_training::curriculum::seed::seed_if_empty(db)
        .await
        .expect("seed");
    cadre_training::standards::titles::seed_if_empty(db)
        .await
        .expect("titles");
    let opts = units_import::ImportOptions {
        root: Some("79".into()),
        ..Default::default()
    };
    units_import::run(
        db,
        &Actor::system(),
        units_csv.to_vec(),
        &Limits::default(),
        &opts,
        city_today(),
    )
    .await
    .expect("units");
    let go = |dry: bool| {
        let job = imports::Job {
            kind: Kind::Cadres,
            bytes: file.to_vec(),
            file_name: "bench.csv".into(),
            dry_run: dry,
            today: city_today(),
            limits: Limits::default(),
        };
        imports::run(db, &actor, &Scope::All, job)
    };
    let t = Instant::now();
    let r = go(true).await.expect("dry run");
    let dry = t.elapsed();
    assert_eq!(r.counts.created, rows);
    let t = Instant::now();
    let r = go(false).await.expect("import");
    let cold = t.elapsed();
    assert_eq!(r.counts.created, rows);
    let t = Instant::now();
    let r = go(false).await.expect("re-import");
    let warm = t.elapsed();
    assert_eq!(r.counts.unchanged, rows);
    (
        cold,
        format!(
            "{} ms ({}) | {} ms |",
            warm.as_millis(),
            per_s(rows, warm),
            dry.as_millis()
        ),
    )
}

fn per_s(rows: usize, d: Duration) -> String {
    format!("{:.0} rows/s", rows as f64 / d.as_secs_f64())
}

/// Runs an engine's own loader; its wall time (process start and connection included), or why not.
fn yardstick(cmd: &mut std::process::Command) -> Result<Duration, String> {
    let t = Instant::now();
    match cmd.output() {
        Ok(o) if o.status.success() => Ok(t.elapsed()),
        Ok(o) => Err(String::from_utf8_lossy(&o.stderr).trim().to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// Times a yardstick this many times (a fresh plain table each) and keeps the median: it takes a
/// few hundred milliseconds, so one run would make the ratio as noisy as the machine.
const YARDSTICK_RUNS: usize = 3;

/// The median of `n` runs of `once(i)`, or the first failure.
fn median_of(
    n: usize,
    mut once: impl FnMut(usize) -> Result<Duration, String>,
) -> Result<Duration, String> {
    let mut runs = (0..n).map(&mut once).collect::<Result<Vec<_>, _>>()?;
    runs.sort();
    Ok(runs[runs.len() / 2])
}

/// The table's row for one backend: the import against its yardstick.
fn line(label: &str, rows: usize, yard: &Result<Duration, String>, cold: Duration, rest: &str) {
    let (yard_cell, ratio) = match yard {
        Ok(y) => (
            format!("{} ms ({})", y.as_millis(), per_s(rows, *y)),
            format!("{:.1} ×", cold.as_secs_f64() / y.as_secs_f64()),
        ),
        Err(e) => (format!("not run: {e}"), "–".into()),
    };
    println!(
        "| {label} | {rows} | {yard_cell} | {} ms ({}) | {ratio} | {rest}",
        cold.as_millis(),
        per_s(rows, cold),
    );
}

/// The tables a roster import writes, parents first.
const WRITTEN: [&str; 4] = [
    "cadres",
    "cadre_units",
    "title_assignments",
    "succession_plans",
];

/// The floor on SQLite: `sqlite3` copying the imported rows from `bench` into the real tables of
/// a fresh database (the app's pragmas, one transaction).
async fn floor_sqlite(dir: &std::path::Path, bench: &std::path::Path) -> Result<Duration, String> {
    let floor = dir.join("floor.db");
    let settings = PoolSettings {
        max_connections: 2,
        acquire_timeout: Duration::from_secs(30),
        sqlite_mmap_bytes: 0,
    };
    let db = Db::connect(&format!("sqlite://{}", floor.display()), &settings).await?;
    db.close().await;
    let attach = format!("ATTACH '{}' AS b;", bench.display());
    yardstick(std::process::Command::new("sqlite3").arg(&floor).arg(format!(
        "{attach} INSERT INTO units SELECT * FROM b.units; INSERT INTO titles SELECT * FROM b.titles;"
    )))?;
    let copy: String = WRITTEN
        .iter()
        .map(|t| format!("INSERT INTO {t} SELECT * FROM b.{t};"))
        .collect();
    yardstick(
        std::process::Command::new("sqlite3")
            .arg(&floor)
            .arg(format!(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536; \
         {attach} BEGIN IMMEDIATE; {copy} COMMIT;"
    )),
    )
}

/// The floor on PostgreSQL: `psql`'s `\copy` of the rows the import wrote in `from` (exported
/// first) into the real tables of a fresh schema, in one transaction.
async fn floor_postgres(pg: &str, from: &str, dir: &std::path::Path) -> Result<Duration, String> {
    let psql = |commands: &[String], single: bool| {
        let mut cmd = std::process::Command::new("psql");
        cmd.arg(pg).arg("-v").arg("ON_ERROR_STOP=1");
        if single {
            cmd.arg("-1");
        }
        for c in commands {
            cmd.arg("-c").arg(c);
        }
        yardstick(&mut cmd)
    };
    let file = |t: &str| dir.join(format!("{t}.copy")).display().to_string();
    let out: Vec<String> = WRITTEN
        .iter()
        .map(|t| format!("\\copy {from}.{t} TO '{}'", file(t)))
        .collect();
    psql(&out, false)?;
    let schema = ScratchSchema::create(pg, &format!("{from}_floor"))
        .await
        .map_err(|e| e.to_string())?;
    let settings = PoolSettings {
        max_connections: 2,
        acquire_timeout: Duration::from_secs(30),
        sqlite_mmap_bytes: 0,
    };
    let db = Db::connect(schema.url(), &settings).await?;
    db.close().await;
    let to = schema.name().to_string();
    for t in ["units", "titles"] {
        sqlx::query(&format!("INSERT INTO {to}.{t} SELECT * FROM {from}.{t}"))
            .execute(schema.admin())
            .await
            .map_err(|e| e.to_string())?;
    }
    // The schema's triggers name their tables unqualified: they resolve in the floor's schema.
    let load: Vec<String> = std::iter::once(format!("SET search_path TO {to}"))
        .chain(
            WRITTEN
                .iter()
                .map(|t| format!("\\copy {to}.{t} FROM '{}'", file(t))),
        )
        .collect();
    let took = psql(&load, true);
    schema.drop().await.map_err(|e| e.to_string())?;
    took
}

/// The floor's row: the engine's own loader writing the import's rows into the real tables.
fn floor_line(
    label: &str,
    yard: &Result<Duration, String>,
    floor: &Result<Duration, String>,
    cold: Duration,
) {
    match (yard, floor) {
        (Ok(y), Ok(f)) => println!(
            "| {label} | {} ms | {:.1} × | {:.1} × |",
            f.as_millis(),
            f.as_secs_f64() / y.as_secs_f64(),
            cold.as_secs_f64() / f.as_secs_f64()
        ),
        (_, Err(e)) | (Err(e), _) => println!("| {label} | not run: {e} | – | – |"),
    }
}

/// The CSV's 11 columns as a plain table (what `sqlite3 .import` makes of the header).
const PLAIN_TABLE: &str = "CREATE TABLE roster (personal_id TEXT, full_name TEXT, gender TEXT, \
    birth_date TEXT, ethnicity TEXT, unit_code TEXT, unit_from TEXT, organisation TEXT, phone TEXT, \
    title_code TEXT, title_from TEXT)";

#[rocket::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let rows: usize = arg("--rows")
        .and_then(|r| r.parse().ok())
        .unwrap_or(100_000);
    let data = arg("--data").unwrap_or_else(|| "data/units".into());
    let units_csv =
        std::fs::read(format!("{data}/admin-units-2024.csv")).expect("read admin-units-2024.csv");
    let wards: Vec<String> = String::from_utf8_lossy(&units_csv)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.trim_end().split(',').collect();
            (f.len() == 4
                && f[2] == "ward"
                && [
                    "760", "769", "770", "771", "772", "773", "774", "775", "776", "777", "778",
                ]
                .contains(&f[3]))
            .then(|| f[0].to_string())
        })
        .collect();
    if let Some(out) = arg("--write") {
        let file = roster(rows, &wards, args.iter().any(|a| a == "--bad"));
        std::fs::write(&out, &file).expect("write csv");
        println!("{out}: {rows} rows, {} bytes", file.len());
        return;
    }
    let dir = std::env::temp_dir().join(format!("cadre-bench-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = roster(rows, &wards, false);
    let csv_path = dir.join("roster.csv");
    std::fs::write(&csv_path, &file).expect("write csv");
    println!("{rows} rows, {} bytes, {} wards", file.len(), wards.len());
    println!(
        "| backend | rows | yardstick: the engine's own loader, plain table (median of 3) | import (new cadres) | ratio | re-import (no change) | dry run |"
    );
    println!("|---|---|---|---|---|---|---|");
    let settings = PoolSettings {
        max_connections: 4,
        acquire_timeout: Duration::from_secs(30),
        sqlite_mmap_bytes: cadre_training::db::DEFAULT_SQLITE_MMAP_BYTES,
    };

    // SQLite: `sqlite3 .import` into a plain table of a fresh file (install Debian's sqlite3).
    let yard = median_of(YARDSTICK_RUNS, |i| {
        yardstick(
            std::process::Command::new("sqlite3")
                .arg(dir.join(format!("plain-{i}.db")))
                .arg(PLAIN_TABLE)
                .arg(".mode csv")
                .arg(format!(".import --skip 1 {} roster", csv_path.display())),
        )
    });
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let db = Db::connect(&url, &settings).await.expect("sqlite");
    let (cold, rest) = run(&db, &units_csv, file.as_bytes(), rows).await;
    line("SQLite (file, WAL)", rows, &yard, cold, &rest);
    db.close().await;
    let floor = floor_sqlite(&dir, &dir.join("bench.db")).await;
    let mut floors = vec![("SQLite (file, WAL)", yard, floor, cold)];

    let pg = arg("--pg").unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    if pg != "off" {
        let schema = ScratchSchema::create(&pg, &format!("bench_import_{}", std::process::id()))
            .await
            .expect("schema");
        // PostgreSQL: `psql`'s `\copy` into a plain table in the same schema.
        let mut tables = vec![];
        for i in 0..YARDSTICK_RUNS {
            let table = format!("{}.roster_{i}", schema.name());
            sqlx::query(&PLAIN_TABLE.replace("TABLE roster", &format!("TABLE {table}")))
                .execute(schema.admin())
                .await
                .expect("plain table");
            tables.push(table);
        }
        let yard = median_of(YARDSTICK_RUNS, |i| {
            yardstick(
                std::process::Command::new("psql")
                    .arg(&pg)
                    .arg("-v")
                    .arg("ON_ERROR_STOP=1")
                    .arg("-c")
                    .arg(format!(
                        "\\copy {} FROM '{}' WITH (FORMAT csv, HEADER true)",
                        tables[i],
                        csv_path.display()
                    )),
            )
        });
        let db = Db::connect(schema.url(), &settings)
            .await
            .expect("postgres");
        let (cold, rest) = run(&db, &units_csv, file.as_bytes(), rows).await;
        line("PostgreSQL 15", rows, &yard, cold, &rest);
        db.close().await;
        let floor = floor_postgres(&pg, schema.name(), &dir).await;
        floors.push(("PostgreSQL 15", yard, floor, cold));
        schema.drop().await.expect("drop");
    }
    println!();
    println!(
        "| backend | floor: the engine's own loader, the import's rows into the real tables | floor ÷ yardstick | import ÷ floor |"
    );
    println!("|---|---|---|---|");
    for (label, yard, floor, cold) in &floors {
        floor_line(label, yard, floor, *cold);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
