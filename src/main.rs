//! Launches the service, or runs one of its maintenance commands.

use std::process::ExitCode;

use cadre_training::{audit::Actor, config, db, logging, prepare, units};

const USAGE: &str = "usage:
  cadre-training [serve]                      run the web service
  cadre-training import-units FILE [--root CODE] [--retire-missing] [--effective YYYY-MM-DD]
                                              load a code,name,kind,parent_code CSV of units
  cadre-training import-successors FILE [--dry-run]
                                              load a succession table (old_code,new_code,part,effective,main)
                                              and move what is attached to retired units to their successors
  cadre-training generate --scale demo|city|nation [--seed N] [--as-of YYYY-MM-DD] [--data DIR]
                                              fill an empty database with synthetic data as of a day
                                              (default the city's today; the same seed and day give
                                              the same data; DIR holds admin-units-2024.csv;
                                              default data/units)
  cadre-training rebuild-timelines            recompute every holder's status timeline (the gap
                                              reports read it; every write keeps it, this is a check)";

#[rocket::main]
async fn main() -> ExitCode {
    logging::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None => serve().await,
        // `serve` takes no arguments: asked for help, it gives it instead of starting.
        Some("serve") => match args.get(1).map(String::as_str) {
            None => serve().await,
            Some("-h" | "--help" | "help") => {
                println!("{USAGE}");
                Ok(())
            }
            Some(other) => Err(format!("serve takes no argument, not {other:?}\n{USAGE}")),
        },
        Some("import-units") => import_units(&args[1..]).await,
        Some("import-successors") => import_successors(&args[1..]).await,
        Some("generate") => generate(&args[1..]).await,
        Some("rebuild-timelines") => rebuild_timelines().await,
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), String> {
    let rocket = prepare(config::figment()).await?;
    rocket
        .launch()
        .await
        .map(|_| ())
        .map_err(|e| format!("the server stopped: {e}"))
}

async fn import_units(args: &[String]) -> Result<(), String> {
    let mut file = None;
    let mut opts = units::import::ImportOptions::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--root" => opts.root = Some(it.next().ok_or("--root needs a unit code")?.clone()),
            "--retire-missing" => opts.retire_missing = true,
            "--effective" => {
                let d = it.next().ok_or("--effective needs a date")?;
                opts.effective = Some(
                    d.parse()
                        .map_err(|_| format!("--effective: {d:?} is not a date"))?,
                );
            }
            f if file.is_none() && !f.starts_with("--") => file = Some(f.to_string()),
            other => return Err(format!("unexpected argument {other:?}\n{USAGE}")),
        }
    }
    let file = file.ok_or(format!("import-units needs a FILE\n{USAGE}"))?;
    let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let cfg = config::AppConfig::from_figment(&config::figment())?;
    let clock = cadre_training::shared::clock::Clock::from_setting(&cfg.time_zone)?;
    let limits = cadre_training::shared::table::Limits::from_config(&cfg);
    let db = connect().await?;
    let report = units::import::run(&db, &Actor::system(), bytes, &limits, &opts, clock.today())
        .await
        .map_err(problems)?;
    db.close().await;
    println!(
        "{file}: {} rows, {} created, {} updated, {} unchanged, {} moved, {} retired, {} outside the root; {} ms",
        report.rows, report.created, report.updated, report.unchanged, report.moved, report.retired, report.skipped, report.elapsed_ms
    );
    Ok(())
}

async fn import_successors(args: &[String]) -> Result<(), String> {
    let mut file = None;
    let mut dry_run = false;
    for a in args {
        match a.as_str() {
            "--dry-run" => dry_run = true,
            f if file.is_none() && !f.starts_with("--") => file = Some(f.to_string()),
            other => return Err(format!("unexpected argument {other:?}\n{USAGE}")),
        }
    }
    let file = file.ok_or(format!("import-successors needs a FILE\n{USAGE}"))?;
    let bytes = std::fs::read(&file).map_err(|e| format!("cannot read {file}: {e}"))?;
    let limits = cadre_training::shared::table::Limits::from_config(
        &config::AppConfig::from_figment(&config::figment())?,
    );
    let db = connect().await?;
    let r = units::successors::run(&db, &Actor::system(), bytes, limits, dry_run, None)
        .await
        .map_err(problems)?;
    db.close().await;
    println!(
        "{file}: {} rows, {} links created, {} updated, {} unchanged; {} units retired, {} successors set; {} records moved, {} clashes{}",
        r.rows, r.created, r.updated, r.unchanged, r.retired.len(), r.successors_set, r.moved.len(), r.clashes.len(),
        if dry_run { " (dry run: nothing written)" } else { "" }
    );
    for c in &r.clashes {
        println!(
            "  clash: unit {} has {} holders of {} on {}: cadres {:?}",
            c.unit_code,
            c.cadre_ids.len(),
            c.title_code,
            c.on,
            c.cadre_ids
        );
    }
    Ok(())
}

async fn rebuild_timelines() -> Result<(), String> {
    let db = connect().await?;
    let t = std::time::Instant::now();
    let n = cadre_training::gaps::timeline_store::rebuild_all(&db)
        .await
        .map_err(|e| format!("rebuilding the timelines: {e}"))?;
    db.close().await;
    println!("{n} intervals rebuilt in {} ms", t.elapsed().as_millis());
    Ok(())
}

/// The configured database, opened for a maintenance command (migrations applied, the commit
/// hook that keeps the gap timelines installed).
async fn connect() -> Result<db::Db, String> {
    cadre_training::gaps::timeline_store::install();
    let cfg = config::AppConfig::from_figment(&config::figment())?;
    db::Db::connect(
        &cfg.database_url,
        &db::PoolSettings {
            max_connections: 4,
            acquire_timeout: std::time::Duration::from_secs(cfg.db_acquire_timeout_secs),
            sqlite_mmap_bytes: cfg.sqlite_mmap_mib.saturating_mul(1 << 20),
        },
    )
    .await
}

/// A one-screen account of an import's problems.
fn problems(e: cadre_training::error::AppError) -> String {
    use cadre_training::error::AppError;
    let (message, details) = match e {
        AppError::Validation { msg, details, .. } => (msg.to_string(), details),
        AppError::Problems { msg, report, .. } => (msg.to_string(), report.listed),
        other => return other.to_string(),
    };
    let mut s = message;
    for d in details.iter().take(20) {
        s.push_str(&format!(
            "\n  line {}: {}: {}",
            d.row.unwrap_or(0),
            d.field.as_deref().unwrap_or("-"),
            d.message
        ));
    }
    s
}

async fn generate(args: &[String]) -> Result<(), String> {
    let mut scale = None;
    let mut seed = 1u64;
    let mut as_of = None;
    let mut data = std::path::PathBuf::from("data/units");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--scale" => {
                let s = it.next().ok_or("--scale needs demo, city or nation")?;
                scale = Some(
                    cadre_training::generate::Scale::parse(s)
                        .ok_or(format!("--scale: {s:?} is not demo, city or nation"))?,
                );
            }
            "--seed" => {
                let s = it.next().ok_or("--seed needs a number")?;
                seed = s
                    .parse()
                    .map_err(|_| format!("--seed: {s:?} is not a number"))?;
            }
            "--as-of" => {
                let d = it.next().ok_or("--as-of needs a date (YYYY-MM-DD)")?;
                as_of = Some(cadre_training::generate::parse_as_of(d)?);
            }
            "--data" => data = it.next().ok_or("--data needs a folder")?.into(),
            other => return Err(format!("unexpected argument {other:?}\n{USAGE}")),
        }
    }
    let scale = scale.ok_or(format!("generate needs --scale\n{USAGE}"))?;
    let rocket = prepare(config::figment()).await?;
    let state = rocket
        .state::<cadre_training::state::AppState>()
        .ok_or("no state")?;
    let summary = cadre_training::generate::run(state, scale, seed, as_of, &data).await?;
    state.db.close().await;
    println!("generated: {summary}");
    Ok(())
}
