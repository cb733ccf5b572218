//! Structured logging: the tracing subscriber, and one line per request with status and latency.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Data, Request, Response};
use std::time::Instant;
use tracing_subscriber::util::SubscriberInitExt;

/// The log filter when `RUST_LOG` is not set.
pub const DEFAULT_FILTER: &str = "info,sqlx=error,rocket=warn";

/// Installs the tracing subscriber (`RUST_LOG` filters; default [`DEFAULT_FILTER`]), writing
/// to standard output, and forwards `log` records (Rocket's own) to it. Safe to call twice.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_FILTER));
    let _ = subscriber(filter, std::io::stdout).try_init();
}

/// The service's log format with `filter`, written to `writer`. [`init`] installs it on standard
/// output; the tests install it on an in-memory writer (`tracing::subscriber::set_global_default`)
/// to read what the service logs (`tests/api/abuse.rs`).
pub fn subscriber<W>(
    filter: tracing_subscriber::EnvFilter,
    writer: W,
) -> impl tracing::Subscriber + Send + Sync + 'static
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(writer)
        .finish()
}

/// The path as logged: the secret token of a calendar feed (`/api/feeds/<token>.ics`) is a
/// credential and is left out.
pub fn loggable_path(path: &str) -> &str {
    if path.starts_with("/api/feeds/") {
        "/api/feeds/<token>"
    } else {
        path
    }
}

/// Logs each request once it is answered.
pub struct RequestLog;

struct Started(Instant);

#[rocket::async_trait]
impl Fairing for RequestLog {
    fn info(&self) -> Info {
        Info {
            name: "request log",
            kind: Kind::Request | Kind::Response,
        }
    }

    async fn on_request(&self, req: &mut Request<'_>, _: &mut Data<'_>) {
        req.local_cache(|| Started(Instant::now()));
    }

    async fn on_response<'r>(&self, req: &'r Request<'_>, res: &mut Response<'r>) {
        let started = req.local_cache(|| Started(Instant::now())).0;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        // Only the path: query strings may carry search text or tokens.
        tracing::info!(
            method = %req.method(),
            path = %loggable_path(req.uri().path().as_str()),
            status = res.status().code,
            latency_ms = format_args!("{ms:.2}"),
            "request"
        );
    }
}
