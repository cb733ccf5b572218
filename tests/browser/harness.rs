//! The browser-test harness: the real server on a random local port over a fresh database
//! filled with the demo data (one per backend, shared by that backend's tests), and a headless
//! Chromium per test driven over WebDriver (fantoccini).

use cadre_training::db::ScratchSchema;
use cadre_training::state::AppState;
use fantoccini::{Client, ClientBuilder, Locator};
use rocket::figment::providers::Serialized;
use rocket::tokio::runtime::Runtime;
use rocket::tokio::sync::{OnceCell, RwLock};
use serde_json::{json, Value};
use std::future::Future;
use std::net::TcpListener;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, Once, OnceLock};
use std::task::Poll;
use std::time::{Duration, Instant};

pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const DEMO_PASSWORD: &str = "demo-password";
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Which database the server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite = 0,
    Postgres = 1,
}

impl Backend {
    /// The name of the backend's browser (in screenshots' names and messages).
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{nanos}", std::process::id())
}

/// Finds Chromium and its driver; `None` (after a loud message) when missing outside CI.
/// In CI (`CI` set) a missing browser fails the test.
pub fn browser_binaries() -> Option<(PathBuf, PathBuf)> {
    let find = |var: &str, default: &str| {
        let p = PathBuf::from(std::env::var(var).unwrap_or_else(|_| default.to_string()));
        p.exists().then_some(p)
    };
    match (
        find("CHROMIUM", "/usr/bin/chromium"),
        find("CHROMEDRIVER", "/usr/bin/chromedriver"),
    ) {
        (Some(b), Some(d)) => Some((b, d)),
        _ => {
            let msg = "Chromium or chromedriver is missing (apt-get install -y chromium chromium-driver, \
                       or set CHROMIUM and CHROMEDRIVER)";
            if std::env::var("CI").is_ok() {
                panic!("{msg}: the browser tests must run in CI");
            }
            eprintln!("\n*** BROWSER TESTS SKIPPED: {msg} ***\n");
            None
        }
    }
}

/// The PostgreSQL base URL, or `None` when switched off (an error in CI).
pub fn pg_base_url() -> Option<String> {
    let url = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG.to_string());
    if url == "off" || url.is_empty() {
        if std::env::var("CI").is_ok() {
            panic!("TEST_DATABASE_URL=off is not allowed in CI");
        }
        eprintln!("*** browser tests on PostgreSQL SKIPPED: TEST_DATABASE_URL=off ***");
        return None;
    }
    Some(url)
}

/// The process's runtime: the shared servers run on it for as long as the process, and each
/// test drives its browser from it.
fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        rocket::tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

/// Runs a test on the backend's shared server (started by the first test that needs it), with
/// a browser session of its own. Skips loudly without Chromium (fails in CI), and on PostgreSQL
/// when it is switched off.
pub fn in_browser<F>(backend: Backend, flow: F)
where
    F: AsyncFnOnce(&'static Server, &Browser),
{
    let Some(bins) = browser_binaries() else {
        return;
    };
    let Some(pg) = database(backend) else {
        return;
    };
    runtime().block_on(async move {
        let server = Server::shared(backend, pg).await;
        let b = Browser::start(&server.base, backend.name(), &bins).await;
        flow(server, &b).await;
        b.close().await;
    });
}

/// Like [`in_browser`], for a test that starts its own browser sessions (if any).
pub fn on_server<F>(backend: Backend, test: F)
where
    F: AsyncFnOnce(&'static Server),
{
    if browser_binaries().is_none() {
        return;
    }
    let Some(pg) = database(backend) else {
        return;
    };
    runtime().block_on(async move { test(Server::shared(backend, pg).await).await });
}

/// The PostgreSQL server for the backend (`Some(None)` on SQLite); `None` when it is switched off.
fn database(backend: Backend) -> Option<Option<String>> {
    match backend {
        Backend::Sqlite => Some(None),
        Backend::Postgres => pg_base_url().map(Some),
    }
}

/// Runs `fut`, turning a panic into its message (the panic itself is reported as usual).
pub async fn catching<T>(fut: impl Future<Output = T>) -> Result<T, String> {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".to_string()))),
        }
    })
    .await
}

/// The servers of the two backends, each started by the first test that needs it and kept until
/// the process ends (a start that failed is kept as its message, not tried again by every test).
static SERVERS: [OnceCell<Result<Server, String>>; 2] =
    [OnceCell::const_new(), OnceCell::const_new()];

/// The real app on a random port over a fresh database with the demo data, shared by the tests
/// of one backend: each test has a browser session of its own.
pub struct Server {
    pub base: String,
    pub backend: Backend,
    /// The tests share the server and run side by side: a step that moves the gap report's
    /// numbers (finishing a class, revoking a certificate) holds this for writing, and a check
    /// that compares two readings of the report holds it for reading.
    pub report: RwLock<()>,
    dir: PathBuf,
    schema: Mutex<Option<ScratchSchema>>,
    shutdown: rocket::Shutdown,
}

impl Server {
    /// The backend's server, started on first use (on PostgreSQL, on the server `pg`).
    async fn shared(backend: Backend, pg: Option<String>) -> &'static Server {
        let started = SERVERS[backend as usize]
            .get_or_init(|| catching(Server::start(backend, pg)))
            .await;
        match started {
            Ok(server) => {
                static CLEAN_UP: Once = Once::new();
                // SAFETY: registers a plain function with the C library, once.
                CLEAN_UP.call_once(|| unsafe {
                    libc::atexit(clean_up_servers);
                });
                server
            }
            Err(e) => panic!("the {} server did not start: {e}", backend.name()),
        }
    }

    /// Starts the real app on a random port over a fresh database with the demo data.
    async fn start(backend: Backend, pg: Option<String>) -> Server {
        let dir = std::env::temp_dir().join(unique(&format!("cadre-browser-{}", backend.name())));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (url, schema) = match pg {
            None => (format!("sqlite://{}", dir.join("test.db").display()), None),
            Some(base) => {
                let schema = ScratchSchema::create_unique(&base, "b")
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at {base} is not reachable ({e})"));
                (schema.url().to_string(), Some(schema))
            }
        };
        let port = free_port();
        let figment = cadre_training::config::figment()
            .merge(Serialized::global("database_url", &url))
            .merge(Serialized::global("data_dir", dir.display().to_string()))
            .merge(Serialized::global(
                "jwt_secret",
                "browser-secret-0123456789abcdef",
            ))
            .merge(Serialized::global("admin_password", ADMIN_PASSWORD))
            .merge(Serialized::global("db_max_connections", 4))
            .merge(Serialized::global("login_max_failures", 1000))
            .merge(Serialized::global("address", "127.0.0.1"))
            .merge(Serialized::global("port", port))
            .merge(Serialized::global("log_level", "off"));
        let rocket = cadre_training::prepare(figment).await.expect("app starts");
        let state = rocket.state::<AppState>().expect("state");
        let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/units");
        cadre_training::generate::run(state, cadre_training::generate::Scale::Demo, 1, None, &data)
            .await
            .expect("demo data");
        let rocket = rocket.ignite().await.expect("ignite");
        let shutdown = rocket.shutdown();
        rocket::tokio::spawn(async move {
            if let Err(e) = rocket.launch().await {
                eprintln!("server stopped with an error: {e}");
            }
        });
        let base = format!("http://127.0.0.1:{port}");
        wait_for_port(port).await;
        Server {
            base,
            backend,
            report: RwLock::new(()),
            dir,
            schema: Mutex::new(schema),
            shutdown,
        }
    }

    /// Stops the server and removes its database (the SQLite folder, the PostgreSQL schema).
    fn clean_up(&self) {
        self.shutdown.clone().notify();
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Ok(mut schema) = self.schema.lock() {
            drop(schema.take());
        }
    }
}

/// At the process's exit (statics are never dropped): the shared servers' databases go.
extern "C" fn clean_up_servers() {
    for server in &SERVERS {
        if let Some(Ok(server)) = server.get() {
            server.clean_up();
        }
    }
}

async fn wait_for_port(port: u16) {
    let start = Instant::now();
    while rocket::tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "port {port} never opened"
        );
        rocket::tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// chromedriver (killed on drop) and a WebDriver session on it.
pub struct Browser {
    pub c: Client,
    pub base: String,
    driver: Option<Child>,
    pub name: &'static str,
}

impl Browser {
    pub async fn start(base: &str, name: &'static str, bins: &(PathBuf, PathBuf)) -> Browser {
        let port = free_port();
        let driver = Command::new(&bins.1)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        wait_for_port(port).await;
        let caps = json!({
            "goog:chromeOptions": {
                "binary": bins.0.display().to_string(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,900", "--lang=vi", "--no-first-run", "--disable-extensions"]
            }
        });
        let caps = caps.as_object().expect("object").clone();
        let mut last = None;
        for _ in 0..20 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => {
                    return Browser {
                        c,
                        base: base.to_string(),
                        driver: Some(driver),
                        name,
                    }
                }
                Err(e) => {
                    last = Some(e);
                    rocket::tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
        panic!("no WebDriver session: {last:?}");
    }

    /// Opens a hash route of the app (e.g. "#/verify").
    pub async fn open(&self, hash: &str) {
        self.c
            .goto(&format!("{}/{}", self.base, hash))
            .await
            .expect("goto");
    }

    /// Runs a script; returns its value.
    pub async fn js(&self, script: &str) -> Value {
        match self.c.execute(script, vec![]).await {
            Ok(v) => v,
            Err(e) => panic!("[{}] script failed: {script}: {e}", self.name),
        }
    }

    /// Holds back by `ms` the page's requests whose address matches `pattern` (a JavaScript
    /// regular expression), until [`Self::restore_fetch`]: their answers come late, after newer ones.
    pub async fn hold_back_requests(&self, pattern: &str, ms: u64) {
        let pattern = serde_json::to_string(pattern).expect("json");
        self.js(&format!(
            "window.__fetch = window.__fetch || window.fetch; const re = new RegExp({pattern}); \
             window.fetch = async (...a) => {{ if (re.test(String(a[0]))) await new Promise((r) => setTimeout(r, {ms})); \
             return window.__fetch(...a); }}; return true"
        ))
        .await;
    }

    /// Puts the page's own `fetch` back after [`Self::hold_back_requests`] or another stand-in
    /// kept it in `window.__fetch`.
    pub async fn restore_fetch(&self) {
        self.js("if (window.__fetch) { window.fetch = window.__fetch; delete window.__fetch; } return true")
            .await;
    }

    /// Waits until the script returns something truthy (10 s), returning it.
    pub async fn until(&self, what: &str, script: &str) -> Value {
        self.until_within(Duration::from_secs(10), what, script)
            .await
    }

    /// [`Browser::until`] with a longer wait, for a step whose request does heavy work (a
    /// standard published recomputes every holder's timeline: seconds in the debug build on a
    /// loaded machine).
    pub async fn until_within(&self, limit: Duration, what: &str, script: &str) -> Value {
        let start = Instant::now();
        loop {
            let v = self.c.execute(script, vec![]).await.unwrap_or(Value::Null);
            let truthy = match &v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return v;
            }
            if start.elapsed() > limit {
                self.shot(&format!("FAILED-{}", what.replace(' ', "-")))
                    .await;
                let errs = self.js("return window.__errors || []").await;
                let view = self
                    .js("return document.getElementById('view') && document.getElementById('view').innerText.slice(0, 1500)")
                    .await;
                panic!(
                    "[{}] timed out waiting for {what} ({script}); JS errors: {errs}; page: {view}",
                    self.name
                );
            }
            rocket::tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for an element matching `css`.
    pub async fn wait(&self, css: &str) {
        let q = serde_json::to_string(css).expect("json");
        self.until(css, &format!("return document.querySelector({q}) !== null"))
            .await;
    }

    /// Text of the first element matching `css` (waits for it).
    pub async fn text(&self, css: &str) -> String {
        self.wait(css).await;
        self.c
            .find(Locator::Css(css))
            .await
            .expect("element")
            .text()
            .await
            .expect("text")
    }

    /// Clicks the first element matching `css` (waits for it; retries if the page re-rendered).
    pub async fn click(&self, css: &str) {
        let mut last = None;
        for _ in 0..5 {
            self.wait(css).await;
            match self.c.find(Locator::Css(css)).await {
                Ok(el) => match el.click().await {
                    Ok(()) => return,
                    Err(e) => last = Some(e),
                },
                Err(e) => last = Some(e),
            }
            rocket::tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("[{}] click {css}: {last:?}", self.name);
    }

    /// Replaces the value of an input.
    pub async fn fill(&self, css: &str, value: &str) {
        self.wait(css).await;
        let el = self.c.find(Locator::Css(css)).await.expect("element");
        el.clear().await.expect("clear");
        el.send_keys(value).await.expect("type");
    }

    pub async fn count(&self, css: &str) -> i64 {
        let q = serde_json::to_string(css).expect("json");
        self.js(&format!("return document.querySelectorAll({q}).length"))
            .await
            .as_i64()
            .unwrap_or(0)
    }

    /// Logs in through the form and waits for the role's home.
    pub async fn login(&self, user: &str, password: &str, role: &str) {
        self.open("#/login").await;
        self.fill("#login-form input[name=username]", user).await;
        self.fill("#login-form input[name=password]", password)
            .await;
        self.click("#login-form button[type=submit]").await;
        self.wait(&format!("[data-home=\"{role}\"]")).await;
        self.no_errors(&format!("home of {user}")).await;
    }

    pub async fn logout(&self) {
        self.click("#logout").await;
        self.wait("#login-form").await;
    }

    /// Fails on any JavaScript error recorded by the page (window.__errors), and on any form
    /// control without a label or button/link without a name on the page as shown.
    pub async fn no_errors(&self, page: &str) {
        let errs = self.js("return window.__errors || []").await;
        assert_eq!(
            errs,
            json!([]),
            "[{}] JavaScript errors on {page}",
            self.name
        );
        let unnamed = self.js(UNNAMED_CONTROLS).await;
        assert_eq!(
            unnamed,
            json!([]),
            "[{}] controls without a label on {page}",
            self.name
        );
    }

    /// Fails when the page scrolls sideways (e.g. on a phone-width window).
    pub async fn no_horizontal_scroll(&self, page: &str) {
        let w = self
            .js("const d = document.documentElement; return [d.scrollWidth, d.clientWidth, [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > d.clientWidth + 1 && !e.closest('.table-wrap')).slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)]")
            .await;
        assert!(
            w[0].as_i64() <= w[1].as_i64(),
            "[{}] {page} scrolls sideways (scroll width, window width, widest): {w}",
            self.name
        );
    }

    /// Presses a key (WebDriver code, e.g. "\u{E004}" Tab) on the focused element.
    pub async fn press(&self, key: &str) {
        self.c
            .active_element()
            .await
            .expect("a focused element")
            .send_keys(key)
            .await
            .expect("key");
    }

    /// A main page as shown: its screenshot, then no JavaScript errors, no unlabelled controls and
    /// no serious or critical accessibility violation (axe-core).
    pub async fn page(&self, name: &str) {
        self.shot(name).await;
        self.no_errors(name).await;
        self.accessible(name).await;
    }

    /// Runs axe-core (vendored in tests/browser/vendor, injected into the page by the test, never
    /// served by the app) on the page as shown; fails on any serious or critical violation,
    /// naming the rule and the first elements it found.
    pub async fn accessible(&self, page: &str) {
        if self.js("return typeof window.axe === 'object'").await != json!(true) {
            self.js(&format!("{AXE_SOURCE}\n;return true;")).await;
        }
        let found = self
            .c
            .execute_async(AXE_RUN, vec![])
            .await
            .unwrap_or_else(|e| panic!("[{}] axe-core failed on {page}: {e}", self.name));
        if found != json!([]) {
            self.shot(&format!("FAILED-axe-{page}")).await;
        }
        assert_eq!(
            found,
            json!([]),
            "[{}] serious or critical accessibility violations (axe-core) on {page}",
            self.name
        );
    }

    /// Saves a screenshot to target/screenshots/<browser name>-<name>.png.
    pub async fn shot(&self, name: &str) {
        let dir = std::env::var("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
            .join("screenshots");
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.c.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{}-{name}.png", self.name)), png);
        }
    }

    pub async fn close(mut self) {
        let _ = self.c.clone().close().await;
        if let Some(mut driver) = self.driver.take() {
            let _ = driver.kill();
            let _ = driver.wait();
        }
    }
}

impl Drop for Browser {
    /// A browser left by a failed test: its session is closed (Chromium quits) from a thread of
    /// its own while the test unwinds, then chromedriver is killed.
    fn drop(&mut self) {
        let Some(mut driver) = self.driver.take() else {
            return;
        };
        let c = self.c.clone();
        let _ = std::thread::spawn(move || {
            let rt = rocket::tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    let _ = rocket::tokio::time::timeout(Duration::from_secs(5), c.close()).await;
                });
            }
            let _ = driver.kill();
            let _ = driver.wait();
        })
        .join();
    }
}

/// axe-core 4.14.1 (MPL-2.0, tests/browser/vendor/axe-core.LICENSE), from the npm package.
const AXE_SOURCE: &str = include_str!("vendor/axe.min.js");

/// Runs axe-core on the document (WCAG 2.0/2.1 A and AA rules and best practices) and calls back
/// with the serious and critical violations: rule, impact, help and up to three elements.
const AXE_RUN: &str = "const done = arguments[arguments.length - 1]; \
  window.axe.run(document, { resultTypes: ['violations'] }).then((r) => done(r.violations \
    .filter((v) => v.impact === 'serious' || v.impact === 'critical') \
    .map((v) => ({ rule: v.id, impact: v.impact, help: v.help, \
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ' :: ' + (n.failureSummary || '').slice(0, 200)) })))) \
  .catch((e) => done([{ rule: 'axe-error', help: String(e) }]));";

/// Visible inputs, selects and text areas without a label (label element, aria-label or
/// aria-labelledby), and buttons and links without a name.
const UNNAMED_CONTROLS: &str = "const seen = (e) => e.getClientRects().length > 0; \
  const bad = []; \
  for (const e of document.querySelectorAll('input:not([type=hidden]), select, textarea')) { \
    if (!seen(e)) continue; \
    if (!((e.labels && e.labels.length) || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby'))) bad.push(e.outerHTML.slice(0, 150)); \
  } \
  for (const e of document.querySelectorAll('button, a[href], [role=button]')) { \
    if (!seen(e)) continue; \
    if (!(e.textContent.trim() || e.getAttribute('aria-label'))) bad.push(e.outerHTML.slice(0, 150)); \
  } \
  return bad;";
