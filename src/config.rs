//! Service configuration: `Rocket.toml` profiles, `ROCKET_*` variables, and a few
//! unprefixed variables (`DATABASE_URL`, `JWT_SECRET`, `ADMIN_PASSWORD`) merged by figment.

use rocket::figment::providers::{Env, Serialized};
use rocket::figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Application settings (the keys Rocket itself does not know).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct AppConfig {
    /// `sqlite://path`, `sqlite::memory:` or `postgres://…`.
    pub database_url: String,
    /// Folder for the SQLite file and the generated JWT secret.
    pub data_dir: PathBuf,
    /// HS256 secret; when absent one is generated and kept in `data_dir/jwt-secret`.
    pub jwt_secret: Option<String>,
    /// Lifetime of an access token, in seconds.
    pub token_lifetime_secs: i64,
    /// Failed logins allowed per username and per client address within the window.
    pub login_max_failures: i64,
    /// Window of the login rate limit, in seconds.
    pub login_window_secs: i64,
    /// Reverse proxies whose `X-Real-IP` / `X-Forwarded-For` are believed (addresses or CIDR
    /// blocks); empty: the socket address is the client's.
    pub trusted_proxies: Vec<String>,
    /// Public certificate checks (`GET /api/certificates/{no}`) allowed per client address
    /// within the window; more get 429 with `Retry-After`.
    pub certificate_checks_max: i64,
    /// Window of the certificate-check rate limit, in seconds.
    pub certificate_checks_window_secs: i64,
    /// Request lines the log writes per second at most; the lines beyond are counted and summed
    /// up in one `suppressed` line when the next second begins.
    pub log_lines_per_sec: u32,
    /// Password of the first `admin` account (only used when no account exists).
    pub admin_password: Option<String>,
    /// Upper bound of the database connection pool.
    pub db_max_connections: u32,
    /// Seconds to wait for a database connection before answering 503.
    pub db_acquire_timeout_secs: u64,
    /// Largest accepted import file, in bytes (larger uploads get 413).
    pub import_max_bytes: u64,
    /// Data rows an uploaded sheet may hold under its header (more: 413).
    pub import_max_rows: usize,
    /// Columns an uploaded sheet may use: fields of a CSV line, columns of an XLSX cell with a
    /// value (more: 422).
    pub import_max_columns: usize,
    /// Cells with a value an uploaded sheet may hold (more: 413).
    pub import_max_cells: usize,
    /// Bytes of one CSV line (a record, quoted line breaks included; longer: 422).
    pub import_max_line_bytes: usize,
    /// Bytes the parts of an uploaded XLSX archive may unpack to, together (more: 413).
    pub import_max_unzipped_bytes: u64,
    /// Uploaded files read, checked and written at once; the next wait their turn.
    pub import_concurrency: usize,
    /// Default share of sessions (percent) a cadre must attend for a completion.
    pub min_attendance_pct: i64,
    /// Prefix of certificate numbers (`TCB-2026-000123`).
    pub certificate_prefix: String,
    /// Own records (`GET /api/me`) kept in memory, checked against the data version on every
    /// read (0 turns the cache off).
    pub record_cache_entries: usize,
    /// The reports' reference data (standards in force on a day, scales, a subtree's units on a
    /// day) kept in memory per data version (0 turns the cache off).
    pub reference_cache_entries: usize,
    /// SQLite only: MiB of the database file read through a memory map (0 turns it off).
    pub sqlite_mmap_mib: u64,
    /// The city's time zone: `Asia/Ho_Chi_Minh`, `UTC` or a fixed offset such as `+07:00`
    /// (`clock::parse_time_zone`). Days (today, as-of dates, enrolment windows) are its days.
    pub time_zone: String,
    /// SMTP server for e-mail notices; absent: no e-mail is sent (the inbox still works).
    pub smtp_host: Option<String>,
    /// SMTP port (587 for STARTTLS, 465 for TLS, 25 for none).
    pub smtp_port: u16,
    /// SMTP user name, if the server asks for one.
    pub smtp_username: Option<String>,
    /// SMTP password (never logged).
    pub smtp_password: Option<String>,
    /// `starttls` (default), `tls` or `none` (a server on this machine or a test sink only).
    pub smtp_tls: String,
    /// A PEM file of certificates to trust for the SMTP server besides the web PKI's roots (a
    /// relay whose certificate comes from a private CA).
    pub smtp_ca_file: Option<String>,
    /// The name the sender gives in EHLO (this service's fully qualified host name); unset: the
    /// machine's host name.
    pub smtp_hello_name: Option<String>,
    /// Seconds one SMTP session may take as a whole (connect, TLS, the message, QUIT); 1 to 100,
    /// so that it fits in the sender's claim of a notice (`sender::CLAIM_LEASE_SECS`).
    pub smtp_timeout_secs: u64,
    /// The sender of e-mail notices (`Trường Cán bộ <no-reply@example.vn>`).
    pub mail_from: String,
    /// Tries of one e-mail before it is marked failed (with backoff between them).
    pub mail_max_attempts: i64,
    /// Seconds between the sender's looks at the outbox.
    pub mail_poll_secs: u64,
    /// A reminder goes this many days before a class's first session (city days).
    pub reminder_days: i64,
    /// A required training going stale within this many days is told of.
    pub stale_notice_days: i64,
    /// Seconds between reminder sweeps (0: none; reminders are once-only whatever the sweeps).
    pub reminder_sweep_secs: u64,
    /// The address the service is reached at by the public (scheme, host, port, any path
    /// prefix; no trailing slash needed): printed certificates carry a QR code of
    /// `{public_url}/#/verify/{number}?code={code}`, the web page of the public check.
    pub public_url: String,
}

impl AppConfig {
    /// Whether e-mail notices are sent (an SMTP host is configured).
    pub fn mail_enabled(&self) -> bool {
        self.smtp_host
            .as_deref()
            .is_some_and(|h| !h.trim().is_empty())
    }
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            database_url: "sqlite://data/cadres.db".into(),
            data_dir: PathBuf::from("data"),
            jwt_secret: None,
            token_lifetime_secs: 8 * 3600,
            login_max_failures: 5,
            login_window_secs: 60,
            trusted_proxies: vec![],
            certificate_checks_max: 30,
            certificate_checks_window_secs: 60,
            log_lines_per_sec: 100,
            admin_password: None,
            db_max_connections: 16,
            db_acquire_timeout_secs: 5,
            import_max_bytes: 32 * 1024 * 1024,
            import_max_rows: 300_000,
            import_max_columns: 64,
            import_max_cells: 4_000_000,
            import_max_line_bytes: 64 * 1024,
            import_max_unzipped_bytes: 50 * 1024 * 1024,
            import_concurrency: 2,
            min_attendance_pct: 80,
            certificate_prefix: "TCB".into(),
            record_cache_entries: 4096,
            reference_cache_entries: 256,
            sqlite_mmap_mib: crate::db::DEFAULT_SQLITE_MMAP_BYTES >> 20,
            time_zone: crate::shared::clock::DEFAULT_TIME_ZONE.into(),
            smtp_host: None,
            smtp_port: 587,
            smtp_username: None,
            smtp_password: None,
            smtp_tls: "starttls".into(),
            smtp_ca_file: None,
            smtp_hello_name: None,
            smtp_timeout_secs: 60,
            mail_from: "Trường Cán bộ <no-reply@localhost>".into(),
            mail_max_attempts: 8,
            mail_poll_secs: 5,
            reminder_days: 3,
            stale_notice_days: 60,
            reminder_sweep_secs: 300,
            public_url: "http://127.0.0.1:8000".into(),
        }
    }
}

/// The figment the service reads: defaults, Rocket's own sources
/// (`Rocket.toml`, `ROCKET_*`), then the unprefixed variables.
pub fn figment() -> Figment {
    rocket::Config::figment()
        .join(Serialized::defaults(AppConfig::default()))
        .merge(
            Env::raw()
                .only(&["DATABASE_URL", "JWT_SECRET", "ADMIN_PASSWORD"])
                .global(),
        )
}

/// The longest `smtp_timeout_secs`: a session must end before the sender's claim of its notice
/// runs out (`notices::sender::CLAIM_LEASE_SECS`, checked there at compile time).
pub const MAX_SMTP_TIMEOUT_SECS: u64 = 100;

impl AppConfig {
    /// Extracts the application settings from a figment.
    pub fn from_figment(figment: &Figment) -> Result<Self, String> {
        let cfg: AppConfig = figment
            .extract()
            .map_err(|e| format!("invalid configuration: {e}"))?;
        if cfg.token_lifetime_secs <= 0 {
            return Err("invalid configuration: token_lifetime_secs must be positive".into());
        }
        if cfg.login_max_failures <= 0 || cfg.login_window_secs <= 0 {
            return Err(
                "invalid configuration: login_max_failures and login_window_secs must be positive"
                    .into(),
            );
        }
        for p in &cfg.trusted_proxies {
            crate::auth::client::Net::parse(p)
                .map_err(|e| format!("invalid configuration: {e}"))?;
        }
        if cfg.certificate_checks_max <= 0 || cfg.certificate_checks_window_secs <= 0 {
            return Err(
                "invalid configuration: certificate_checks_max and certificate_checks_window_secs must be positive"
                    .into(),
            );
        }
        if cfg.log_lines_per_sec == 0 {
            return Err("invalid configuration: log_lines_per_sec must be positive".into());
        }
        if !(0..=100).contains(&cfg.min_attendance_pct) {
            return Err(
                "invalid configuration: min_attendance_pct must be between 0 and 100".into(),
            );
        }
        if cfg.certificate_prefix.is_empty()
            || !cfg
                .certificate_prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric())
        {
            return Err(
                "invalid configuration: certificate_prefix must be letters and digits".into(),
            );
        }
        if cfg.import_max_bytes == 0
            || cfg.import_max_rows == 0
            || cfg.import_max_columns == 0
            || cfg.import_max_cells == 0
            || cfg.import_max_line_bytes == 0
            || cfg.import_max_unzipped_bytes == 0
            || cfg.import_concurrency == 0
        {
            return Err("invalid configuration: the import_max_* limits and import_concurrency must be positive".into());
        }
        if cfg.import_max_columns > 16_384 {
            return Err(
                "invalid configuration: import_max_columns must be at most 16384 (XFD)".into(),
            );
        }
        crate::shared::clock::parse_time_zone(&cfg.time_zone)
            .map_err(|e| format!("invalid configuration: {e}"))?;
        if !["starttls", "tls", "none"].contains(&cfg.smtp_tls.as_str()) {
            return Err("invalid configuration: smtp_tls must be starttls, tls or none".into());
        }
        if !(1..=MAX_SMTP_TIMEOUT_SECS).contains(&cfg.smtp_timeout_secs) {
            // A session must fit in the sender's claim of a notice (120 s), or another app
            // server could claim the notice and send it again.
            return Err(format!(
                "invalid configuration: smtp_timeout_secs must be between 1 and {MAX_SMTP_TIMEOUT_SECS} (a session must end within the sender's claim of a notice)"
            ));
        }
        if cfg.mail_max_attempts < 1
            || cfg.mail_poll_secs == 0
            || cfg.reminder_days < 0
            || cfg.stale_notice_days < 0
        {
            return Err("invalid configuration: mail_max_attempts and mail_poll_secs must be positive, reminder_days and stale_notice_days not negative".into());
        }
        if !(cfg.public_url.starts_with("http://") || cfg.public_url.starts_with("https://"))
            || cfg
                .public_url
                .chars()
                .any(|c| c.is_whitespace() || c == '#' || c == '?')
        {
            return Err(
                "invalid configuration: public_url must be an http:// or https:// address without spaces, query or fragment"
                    .into(),
            );
        }
        Ok(cfg)
    }
}
