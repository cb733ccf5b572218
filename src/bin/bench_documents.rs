//! Rendering time of the printable documents (issue 17): one certificate, a class of 60
//! certificates in one PDF, and a sign-in sheet of 60 cadres, from sample data (pure rendering:
//! layout, font subsetting, compression; no database).
//!
//!     cargo run --release --features test-support --bin bench_documents
//!     cargo run --release --features test-support --bin bench_documents -- --runs 21 --write /tmp/docs
//!
//! Each figure is the median (and the fastest and slowest) of `--runs` runs, after one warm-up
//! run; `--write DIR` also saves the three PDFs there to look at.

use std::time::{Duration, Instant};

use cadre_training::documents::domain::{self, sample};
use cadre_training::reasons::Lang;

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<Duration>, T) {
    let mut out = f();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        out = f();
        times.push(t.elapsed());
    }
    times.sort();
    (times, out)
}

fn report(what: &str, times: &[Duration], bytes: &[u8]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what:<32} median {:>8.2} ms   min {:>8.2} ms   max {:>8.2} ms   {:>8.1} kB",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1]),
        bytes.len() as f64 / 1024.0
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let runs: usize = arg("--runs")
        .and_then(|r| r.parse().ok())
        .unwrap_or(11)
        .max(1);
    let one = vec![sample::certificate(0)];
    let class: Vec<_> = (0..60).map(sample::certificate).collect();
    let sheet = sample::sheet(60);
    let (t1, pdf1) = time(runs, || {
        domain::certificates_pdf(&one, Lang::Vi).expect("renders")
    });
    report("one certificate", &t1, &pdf1);
    let (t60, pdf60) = time(runs, || {
        domain::certificates_pdf(&class, Lang::Vi).expect("renders")
    });
    report("a class of 60 certificates", &t60, &pdf60);
    let (ts, pdfs) = time(runs, || {
        domain::sign_in_pdf(&sheet, Lang::Vi).expect("renders")
    });
    report("sign-in sheet, 60 cadres", &ts, &pdfs);
    if let Some(dir) = arg("--write") {
        std::fs::create_dir_all(&dir).expect("output folder");
        for (name, bytes) in [
            ("certificate.pdf", &pdf1),
            ("class-60.pdf", &pdf60),
            ("sign-in-60.pdf", &pdfs),
        ] {
            std::fs::write(format!("{dir}/{name}"), bytes).expect("written");
        }
        println!("written to {dir}");
    }
}
