//! Unit-tree benchmark: national import (cold and idempotent re-run) and subtree queries,
//! on SQLite and PostgreSQL. Run: `cargo run --release --bin bench [-- --pg URL] [--data DIR]`.

use std::time::{Duration, Instant};

use cadre_training::audit::Actor;
use cadre_training::auth::Scope;
use cadre_training::db::{Db, PoolSettings};
use cadre_training::units::{import, store};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

async fn timed<F, Fut, T>(runs: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f().await);
        times.push(t.elapsed());
    }
    median(times)
}

async fn run(label: &str, db: Db, csv: &[u8]) {
    let opts = import::ImportOptions::default();
    let t = Instant::now();
    let r = import::run(&db, &Actor::system(), csv, &opts)
        .await
        .expect("import");
    let cold = t.elapsed();
    let t = Instant::now();
    let again = import::run(&db, &Actor::system(), csv, &opts)
        .await
        .expect("re-import");
    let warm = t.elapsed();
    assert_eq!(again.created + again.updated, 0);
    let hcmc = store::require(&db, "79").await.expect("79");
    let q1 = store::require(&db, "760").await.expect("760");
    let all = timed(50, || store::subtree_count(&db, "/")).await;
    let city = timed(200, || store::subtree_count(&db, &hcmc.path)).await;
    let district = timed(200, || store::subtree_count(&db, &q1.path)).await;
    let kids = timed(200, || store::children(&db, "79", false)).await;
    let scope = Scope::Subtree {
        code: "79".into(),
        path: hcmc.path.clone(),
    };
    let search = timed(50, || store::search(&db, "tan dinh", &Scope::All, 20)).await;
    let search_scoped = timed(50, || store::search(&db, "tan dinh", &scope, 20)).await;
    let crumbs = timed(200, || store::ancestors(&db, &q1)).await;
    println!(
        "| {label} | {} rows | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        r.rows,
        ms(cold),
        ms(warm),
        ms(all),
        ms(city),
        ms(district),
        ms(kids),
        ms(crumbs),
        ms(search),
        ms(search_scoped)
    );
}

#[rocket::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let data = arg("--data").unwrap_or_else(|| "../shared/data".into());
    let csv =
        std::fs::read(format!("{data}/admin-units-2024.csv")).expect("read admin-units-2024.csv");
    let settings = PoolSettings {
        max_connections: 4,
        acquire_timeout: Duration::from_secs(10),
    };
    println!("| backend | file | import (cold) | re-import (no change) | count whole tree | count city subtree | count district subtree | children of 79 | breadcrumb | search all | search in 79 |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let dir = std::env::temp_dir().join(format!("cadre-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let db = Db::connect(&url, &settings).await.expect("sqlite");
    run("SQLite (file, WAL)", db.clone(), &csv).await;
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    let pg = arg("--pg").unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    if pg != "off" {
        let schema = format!("bench_{}", std::process::id());
        let admin = sqlx::PgPool::connect(&pg).await.expect("postgres");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&admin)
            .await
            .expect("schema");
        let sep = if pg.contains('?') { '&' } else { '?' };
        let url = format!("{pg}{sep}options=-c%20search_path%3D{schema}");
        let db = Db::connect(&url, &settings).await.expect("postgres");
        run("PostgreSQL 15", db.clone(), &csv).await;
        db.close().await;
        sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&admin)
            .await
            .expect("drop");
    }
}
