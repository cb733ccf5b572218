//! Structured logging: the tracing subscriber, and one line per request with status and latency.
//!
//! The policy (issue 14):
//! - **One line per request**, at `info`, written by [`RequestLog`]: method, path, status, latency.
//!   Rocket's own per-request lines ("No matching routes for GET /…?personal_id=…", "Responding
//!   with registered catcher") are never written: they carry the whole URI, query and all. Only
//!   Rocket's launch lines (`rocket::launch`) get through, whatever `RUST_LOG` says; the warnings
//!   its route code writes in our modules (target `…::_`, "Data guard … failed: <the value>") never.
//! - **Paths only**, never query strings; a calendar-feed path loses its token and a run of nine or
//!   more digits (a personal id number) is replaced ([`loggable_path`]).
//! - **Every value escaped**: control characters (line breaks, ANSI escapes, …) in anything logged
//!   are written as `\n`, `\x1b`, …, so a username cannot forge a line or colour a terminal
//!   ([`Escaping`]). The log itself has no colours.
//! - **Floods are summed up**: at most `log_lines_per_sec` request lines a second; the lines over
//!   that are counted and reported in one `warn` line when a later second's first request comes.

use rocket::fairing::{Fairing, Info, Kind};
use rocket::{Data, Request, Response};
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// The log filter when `RUST_LOG` is not set.
pub const DEFAULT_FILTER: &str = "info,sqlx=error,rocket=warn";

/// Installs the tracing subscriber (`RUST_LOG` filters; default [`DEFAULT_FILTER`]), writing
/// to standard output, and forwards `log` records (Rocket's own) to it. Safe to call twice.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_FILTER));
    let _ = subscriber(filter, std::io::stdout).try_init();
}

/// Whether an event of `target` may be written at all: Rocket's records other than its launch
/// lines are left out (they log whole URIs; [`RequestLog`] writes the request's one line), and so
/// are the warnings Rocket's route code writes in our own modules under a `…::_` target ("Data
/// guard `Json<…>` failed: …" quoted the refused value — a password or a personal id sent as a
/// number — and were written once per request, past the flood limit).
pub fn target_allowed(target: &str) -> bool {
    match target.strip_prefix("rocket") {
        Some(rest) if rest.is_empty() || rest.starts_with("::") => rest.starts_with("::launch"),
        _ => !target.ends_with("::_"),
    }
}

/// The service's log format with `filter`, written to `writer` through [`Escaping`]. [`init`]
/// installs it on standard output; the tests install it on an in-memory writer to read what the
/// service logs (`tests/api/abuse.rs`).
pub fn subscriber<W>(
    filter: tracing_subscriber::EnvFilter,
    writer: W,
) -> impl tracing::Subscriber + Send + Sync + 'static
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::registry().with(filter).with(
        tracing_subscriber::fmt::layer()
            .with_target(false)
            .with_ansi(false)
            .with_writer(Escaping(writer))
            .with_filter(tracing_subscriber::filter::filter_fn(|meta| {
                target_allowed(meta.target())
            })),
    )
}

/// A writer that escapes every control character of a formatted line except its final line
/// break: `\n`, `\r`, `\t` as such, the others (ESC, DEL, C1 controls) as `\x1b`, `\u{9b}`.
/// The formatter hands each event over in one write, so a value cannot end the line early.
pub struct Escaping<W>(pub W);

/// The writer [`Escaping`] makes for each event.
pub struct EscapingWriter<W>(W);

impl<'a, W: tracing_subscriber::fmt::MakeWriter<'a>> tracing_subscriber::fmt::MakeWriter<'a>
    for Escaping<W>
{
    type Writer = EscapingWriter<W::Writer>;
    fn make_writer(&'a self) -> Self::Writer {
        EscapingWriter(self.0.make_writer())
    }
    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        EscapingWriter(self.0.make_writer_for(meta))
    }
}

/// `text` with its control characters escaped (a final `\n` kept when `keep_final_newline`).
pub fn escape_controls(text: &str, keep_final_newline: bool) -> std::borrow::Cow<'_, str> {
    let body = match text.strip_suffix('\n') {
        Some(b) if keep_final_newline => b,
        _ => text,
    };
    if !body.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in body.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 && c.is_control() => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    if body.len() < text.len() {
        out.push('\n');
    }
    std::borrow::Cow::Owned(out)
}

impl<W: Write> Write for EscapingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(escape_controls(&text, true).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The path as logged: the secret token of a calendar feed (`/api/feeds/<token>.ics`) is a
/// credential and is left out, and so is any run of nine or more digits (a personal id number
/// typed into a path; the service's own ids and codes are shorter).
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    if path.starts_with("/api/feeds/") {
        return "/api/feeds/<token>".into();
    }
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.len() >= 9 {
            out.push_str("<number>");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    let mut changed = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            changed |= digits.len() >= 9;
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    changed |= digits.len() >= 9;
    flush(&mut digits, &mut out);
    if changed {
        out.into()
    } else {
        path.into()
    }
}

/// Logs each request once it is answered (one `info` line), at most `per_sec` a second.
pub struct RequestLog {
    per_sec: u32,
    base: Instant,
    flood: Mutex<Flood>,
}

/// The current second's count of request lines, and of those left out.
#[derive(Default)]
struct Flood {
    second: u64,
    written: u32,
    left_out: u64,
}

impl RequestLog {
    /// A request log writing at most `per_sec` request lines a second (`log_lines_per_sec`).
    pub fn new(per_sec: u32) -> Self {
        RequestLog {
            per_sec: per_sec.max(1),
            base: Instant::now(),
            flood: Mutex::new(Flood::default()),
        }
    }

    /// Whether this request's line is written, and how many lines were left out in the second(s)
    /// before, if this is the first request of a new second after a flood.
    fn admit(&self) -> (bool, u64) {
        let second = self.base.elapsed().as_secs();
        let mut f = self.flood.lock().unwrap_or_else(|e| e.into_inner());
        let mut left_out = 0;
        if f.second != second {
            left_out = std::mem::take(&mut f.left_out);
            f.second = second;
            f.written = 0;
        }
        if f.written < self.per_sec {
            f.written += 1;
            (true, left_out)
        } else {
            f.left_out += 1;
            (false, left_out)
        }
    }
}

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
        let (write, left_out) = self.admit();
        if left_out > 0 {
            tracing::warn!(
                suppressed = left_out,
                limit_per_sec = self.per_sec,
                "request lines left out (log flood)"
            );
        }
        if !write {
            return;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_but_the_line_ends() {
        assert_eq!(escape_controls("plain\n", true), "plain\n");
        assert_eq!(
            escape_controls("user=a\nINFO forged\x1b[31m\t\r\u{9b}x\n", true),
            "user=a\\nINFO forged\\x1b[31m\\t\\r\\x9bx\n"
        );
        assert_eq!(escape_controls("a\n", false), "a\\n");
        assert_eq!(escape_controls("Nguyễn", true), "Nguyễn");
    }

    #[test]
    fn paths_lose_tokens_and_id_numbers() {
        assert_eq!(
            loggable_path(&format!("/api/feeds/{}.ics", "ab".repeat(32))),
            "/api/feeds/<token>"
        );
        assert_eq!(
            loggable_path("/api/cadres/079190001234/x"),
            "/api/cadres/<number>/x"
        );
        assert_eq!(loggable_path("/nope/079190001"), "/nope/<number>");
        assert_eq!(
            loggable_path("/api/certificates/TCB-2026-000123"),
            "/api/certificates/TCB-2026-000123"
        );
        assert_eq!(
            loggable_path("/api/cadres/12345678"),
            "/api/cadres/12345678"
        );
    }

    #[test]
    fn only_rockets_launch_lines_pass() {
        assert!(!target_allowed("rocket::server::_"));
        assert!(!target_allowed("rocket::server"));
        assert!(!target_allowed("rocket"));
        assert!(target_allowed("rocket::launch"));
        assert!(!target_allowed("cadre_training::auth::handlers::_"));
        assert!(target_allowed("cadre_training::auth::handlers"));
        assert!(target_allowed("rocket::launch::_"));
        assert!(target_allowed("cadre_training::logging"));
        assert!(target_allowed("rocketeer"));
    }

    #[test]
    fn floods_are_cut_and_summed_up() {
        let log = RequestLog::new(3);
        let admitted: Vec<(bool, u64)> = (0..5).map(|_| log.admit()).collect();
        // Within one second (the test takes far less, unless it straddles a boundary).
        if log.base.elapsed().as_secs() == 0 {
            assert_eq!(
                admitted,
                [(true, 0), (true, 0), (true, 0), (false, 0), (false, 0)]
            );
            log.flood.lock().unwrap().second = u64::MAX; // as if a second had passed
            assert_eq!(
                log.admit(),
                (true, 2),
                "the next second reports the 2 left out"
            );
            assert_eq!(log.flood.lock().unwrap().left_out, 0);
        }
    }
}
