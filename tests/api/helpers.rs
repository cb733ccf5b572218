//! `TestApp`: the real Rocket instance on a fresh database per test (SQLite file, or a
//! PostgreSQL schema of its own), driven through Rocket's local client.

use cadre_training::db::ScratchSchema;
use cadre_training::state::AppState;
use rocket::figment::providers::Serialized;
use rocket::figment::Figment;
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The password of the bootstrap admin in tests.
pub const ADMIN_PASSWORD: &str = "admin-password-1";
/// The JWT secret in tests.
pub const JWT_SECRET: &str = "test-secret-0123456789abcdef";
/// The default PostgreSQL test database.
pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/test";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One running app on its own database.
pub struct TestApp {
    pub client: std::sync::Arc<Client>,
    pub backend: Backend,
    /// The database URL (another instance can be started on it).
    pub url: String,
    dir: PathBuf,
    /// The PostgreSQL schema this app made, dropped with it; none for another instance.
    _schema: Option<ScratchSchema>,
}

/// The PostgreSQL URL for tests, or `None` when explicitly switched off.
/// The long variants of the fault and scale tests run when `CADRE_LONG_TESTS=1` (README).
pub fn long_tests() -> bool {
    std::env::var("CADRE_LONG_TESTS").is_ok_and(|v| v == "1")
}

pub fn pg_base_url() -> Option<String> {
    let url = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG.to_string());
    if url == "off" || url.is_empty() {
        if std::env::var("CI").is_ok() {
            panic!("TEST_DATABASE_URL=off is not allowed in CI: the suite must run on PostgreSQL");
        }
        eprintln!("SKIPPED on PostgreSQL: TEST_DATABASE_URL=off");
        return None;
    }
    Some(url)
}

fn unique(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        Self::spawn(Backend::Sqlite, &[]).await.expect("sqlite app")
    }

    pub async fn postgres() -> Option<TestApp> {
        Self::spawn(Backend::Postgres, &[]).await
    }

    /// Spawns an app with extra configuration values.
    pub async fn spawn(backend: Backend, extra: &[(&str, Value)]) -> Option<TestApp> {
        let dir = std::env::temp_dir().join(unique("cadre-test"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (url, schema) = match backend {
            Backend::Sqlite => (format!("sqlite://{}", dir.join("test.db").display()), None),
            Backend::Postgres => {
                let base = pg_base_url()?;
                let schema = ScratchSchema::create_unique(&base, "t")
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL for tests at {base} is not reachable ({e}); start it or set TEST_DATABASE_URL"));
                (schema.url().to_string(), Some(schema))
            }
        };
        let client = client_on(&url, &dir, extra).await;
        Some(TestApp {
            client: std::sync::Arc::new(client),
            backend,
            url,
            dir,
            _schema: schema,
        })
    }

    /// A second, independent instance of the service (its own pool, its own process state) on
    /// this app's database, as a second app server behind a load balancer would be.
    pub async fn another_instance(&self, extra: &[(&str, Value)]) -> TestApp {
        let dir = std::env::temp_dir().join(unique("cadre-test"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let client = client_on(&self.url, &dir, extra).await;
        TestApp {
            client: std::sync::Arc::new(client),
            backend: self.backend,
            url: self.url.clone(),
            dir,
            _schema: None,
        }
    }

    /// The database's data version (`db::version`) as a number: the sum of its counter's rows.
    pub async fn data_version(&self) -> i64 {
        let sql = concat!("SELECT ", cadre_training::data_version!());
        let v: String = cadre_training::on_db!(&self.state().db, |p| sqlx::query_scalar(sql)
            .fetch_one(p)
            .await
            .unwrap());
        v.parse().unwrap()
    }

    /// The app's shared state (database handle, keys).
    pub fn state(&self) -> &AppState {
        self.client.rocket().state::<AppState>().expect("state")
    }

    pub async fn request(
        &self,
        method: rocket::http::Method,
        path: &str,
        token: Option<&str>,
        body: Option<(ContentType, Vec<u8>)>,
        headers: &[(&str, &str)],
    ) -> (Status, Value, Vec<(String, String)>) {
        let mut req = self.client.req(method, path.to_string());
        if let Some(t) = token {
            req = req.header(Header::new("Authorization", format!("Bearer {t}")));
        }
        for (k, v) in headers {
            req = req.header(Header::new(k.to_string(), v.to_string()));
        }
        if let Some((ct, bytes)) = body {
            req = req.header(ct).body(bytes);
        }
        let res: LocalResponse<'_> = req.dispatch().await;
        let status = res.status();
        let hdrs = res
            .headers()
            .iter()
            .map(|h| (h.name().to_string(), h.value().to_string()))
            .collect();
        let text = res.into_string().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, json, hdrs)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (Status, Value) {
        let (s, v, _) = self
            .request(rocket::http::Method::Get, path, token, None, &[])
            .await;
        (s, v)
    }

    /// Sends a JSON body with `method`.
    pub async fn send(
        &self,
        method: rocket::http::Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (Status, Value) {
        let bytes = body.to_string().into_bytes();
        let (s, v, _) = self
            .request(method, path, token, Some((ContentType::JSON, bytes)), &[])
            .await;
        (s, v)
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (Status, Value) {
        self.send(rocket::http::Method::Post, path, token, body)
            .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> (Status, Value) {
        self.send(rocket::http::Method::Patch, path, token, body)
            .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> (Status, Value) {
        self.send(rocket::http::Method::Put, path, token, body)
            .await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        ct: ContentType,
        bytes: Vec<u8>,
    ) -> (Status, Value) {
        let (s, v, _) = self
            .request(
                rocket::http::Method::Post,
                path,
                token,
                Some((ct, bytes)),
                &[],
            )
            .await;
        (s, v)
    }

    /// GETs a path and returns the status, the headers and the raw body (for downloads).
    pub async fn get_bytes(
        &self,
        path: &str,
        token: Option<&str>,
    ) -> (Status, Vec<(String, String)>, Vec<u8>) {
        let mut req = self.client.get(path.to_string());
        if let Some(t) = token {
            req = req.header(Header::new("Authorization", format!("Bearer {t}")));
        }
        let res = req.dispatch().await;
        let status = res.status();
        let hdrs = res
            .headers()
            .iter()
            .map(|h| (h.name().to_string(), h.value().to_string()))
            .collect();
        let bytes = res.into_bytes().await.unwrap_or_default();
        (status, hdrs, bytes)
    }

    /// Logs in and returns the token (panics on failure).
    pub async fn token(&self, username: &str, password: &str) -> String {
        let (s, v) = self
            .post(
                "/api/auth/login",
                None,
                serde_json::json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(s, Status::Ok, "login of {username} failed: {v}");
        v["token"].as_str().expect("token").to_string()
    }

    pub async fn admin_token(&self) -> String {
        self.token("admin", ADMIN_PASSWORD).await
    }

    /// Imports Ho Chi Minh City (code 79) from the real 2024 file.
    pub async fn import_hcmc(&self, admin: &str) -> Value {
        let (s, v) = self
            .post_raw(
                "/api/units/import?root=79",
                Some(admin),
                ContentType::CSV,
                units_file("admin-units-2024.csv"),
            )
            .await;
        assert_eq!(s, Status::Ok, "import failed: {v}");
        v
    }

    /// Creates an account and returns a token for it.
    pub async fn account(
        &self,
        admin: &str,
        username: &str,
        role: &str,
        unit: Option<&str>,
    ) -> String {
        let (s, v) = self
            .post(
                "/api/accounts",
                Some(admin),
                serde_json::json!({"username": username, "password": "lop-hoc-dan-van-2026", "role": role, "unit_code": unit}),
            )
            .await;
        assert_eq!(s, Status::Created, "create {username}: {v}");
        self.token(username, "lop-hoc-dan-van-2026").await
    }
}

impl TestApp {
    /// A cadre account linked to a new cadre of `unit` (personal id `personal_id`); its token.
    pub async fn cadre_login(
        &self,
        admin: &str,
        username: &str,
        unit: &str,
        personal_id: &str,
    ) -> String {
        let cadre = crate::cadres::create(self, admin, "Cán Bộ Thử", personal_id, unit).await;
        let (s, v) = self
            .post(
                "/api/accounts",
                Some(admin),
                serde_json::json!({"username": username, "password": "lop-hoc-dan-van-2026",
                    "role": "cadre", "cadre_id": cadre}),
            )
            .await;
        assert_eq!(s, Status::Created, "create {username}: {v}");
        self.token(username, "lop-hoc-dan-van-2026").await
    }
}

static LOG: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();

/// Appends to the captured log.
struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOG.get().unwrap().lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs (once per test binary, before any app starts, so that Rocket's own `log` records
/// reach it as they do in the service) the service's log format writing into memory, with the
/// default filter plus everything the service itself logs down to `trace`, and returns what
/// was logged so far by every test of the binary.
pub fn captured_log() -> String {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        LOG.get_or_init(|| Mutex::new(Vec::new()));
        let filter = tracing_subscriber::EnvFilter::new(format!(
            "{},cadre_training=trace",
            cadre_training::logging::DEFAULT_FILTER
        ));
        // Like `logging::init`: the subscriber, and `log` records (Rocket's) forwarded to it.
        tracing_subscriber::util::SubscriberInitExt::try_init(cadre_training::logging::subscriber(
            filter,
            || Capture,
        ))
        .expect("no other tracing subscriber or logger in the API tests");
    });
    String::from_utf8_lossy(&LOG.get().unwrap().lock().unwrap()).into_owned()
}

/// The app built on a database URL and a data folder, with the test configuration and `extra`.
async fn client_on(url: &str, dir: &std::path::Path, extra: &[(&str, Value)]) -> Client {
    captured_log();
    let mut figment: Figment = cadre_training::config::figment()
        .merge(Serialized::global("database_url", url))
        .merge(Serialized::global("data_dir", dir.display().to_string()))
        .merge(Serialized::global("jwt_secret", JWT_SECRET))
        .merge(Serialized::global("admin_password", ADMIN_PASSWORD))
        .merge(Serialized::global("db_max_connections", 4))
        .merge(Serialized::global("log_level", "off"));
    for (k, v) in extra {
        figment = figment.merge(Serialized::global(k, v));
    }
    let rocket = cadre_training::prepare(figment).await.expect("app starts");
    Client::untracked(rocket).await.expect("valid rocket")
}

/// Reads a file of the shared administrative-unit data.
pub fn units_file(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("data/units")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        // The test's PostgreSQL schema, if any, goes with `_schema` (`ScratchSchema`'s drop).
    }
}

/// Declares tests that run the same body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[rocket::async_test]
                async fn sqlite() {
                    super::$name($crate::helpers::TestApp::sqlite().await).await
                }
                #[rocket::async_test]
                async fn postgres() {
                    if let Some(app) = $crate::helpers::TestApp::postgres().await {
                        super::$name(app).await
                    }
                }
            }
        )*
    };
}

/// Like [`db_tests!`], in the slow lane: ignored by a plain `cargo test`, run by
/// `cargo test -- --include-ignored` (what `.ci/run` does).
#[macro_export]
macro_rules! slow_db_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[rocket::async_test]
                #[ignore = "slow lane: cargo test -- --include-ignored"]
                async fn sqlite() {
                    super::$name($crate::helpers::TestApp::sqlite().await).await
                }
                #[rocket::async_test]
                #[ignore = "slow lane: cargo test -- --include-ignored"]
                async fn postgres() {
                    if let Some(app) = $crate::helpers::TestApp::postgres().await {
                        super::$name(app).await
                    }
                }
            }
        )*
    };
}

/// A refusal as the tests compare it: (status, the field named, the reason code).
pub fn refusal(s: Status, v: &Value) -> (Status, Option<&str>, Option<&str>) {
    (
        s,
        v["error"]["field"].as_str(),
        v["error"]["reason"].as_str(),
    )
}
