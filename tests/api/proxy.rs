//! Behind a real nginx (Debian's package), the way the service is deployed: the app trusts the
//! proxy's `X-Real-IP` (config `trusted_proxies`), and nginx overwrites whatever a client sends, so
//! a client rotating `X-Real-IP` is still one address to the login throttle (issue 14).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rocket::figment::providers::Serialized;

use crate::helpers::{TestApp, ADMIN_PASSWORD, JWT_SECRET};

crate::slow_db_tests!(login_throttle_behind_nginx);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn nginx_binary() -> Option<PathBuf> {
    let found = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "nginx is missing (apt-get install -y nginx): the proxy test must run in CI"
        );
        eprintln!("SKIPPED: nginx is not installed (apt-get install -y nginx)");
    }
    found
}

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_nginx(bin: &Path, dir: &Path, port: u16, upstream: u16) -> Nginx {
    let conf = dir.join("nginx.conf");
    let d = dir.display();
    std::fs::write(
        &conf,
        format!(
            "daemon off;\nmaster_process off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
               fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
               server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      proxy_pass http://127.0.0.1:{upstream};\n\
                     proxy_set_header X-Real-IP $remote_addr;\n      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n    }}\n  }}\n}}\n"
        ),
    )
    .expect("nginx.conf");
    let child = Command::new(bin)
        .arg("-p")
        .arg(dir)
        .arg("-e")
        .arg(dir.join("error.log"))
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    Nginx(child)
}

/// One HTTP/1.1 request over a fresh connection; the status code and body.
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).expect("write");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let code = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (code, body)
}

fn wait_for(port: u16) {
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on {port}");
}

async fn login_throttle_behind_nginx(app: TestApp) {
    let Some(bin) = nginx_binary() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!(
        "cadre-nginx-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    // The real server on the test's database, trusting only the local proxy.
    let port = free_port();
    let figment = cadre_training::config::figment()
        .merge(Serialized::global("database_url", &app.url))
        .merge(Serialized::global("data_dir", dir.display().to_string()))
        .merge(Serialized::global("jwt_secret", JWT_SECRET))
        .merge(Serialized::global("admin_password", ADMIN_PASSWORD))
        .merge(Serialized::global("db_max_connections", 4))
        .merge(Serialized::global("trusted_proxies", ["127.0.0.1"]))
        .merge(Serialized::global("address", "127.0.0.1"))
        .merge(Serialized::global("port", port))
        .merge(Serialized::global("log_level", "off"));
    let rocket = cadre_training::prepare(figment)
        .await
        .expect("app")
        .ignite()
        .await
        .expect("ignite");
    let shutdown = rocket.shutdown();
    rocket::tokio::spawn(async move {
        let _ = rocket.launch().await;
    });
    let proxy_port = free_port();
    let _nginx = start_nginx(&bin, &dir, proxy_port, port);
    let (_ports, results) = rocket::tokio::task::spawn_blocking(move || {
        wait_for(port);
        wait_for(proxy_port);
        let mut codes = vec![];
        // 25 usernames × one guess each, the client claiming a new X-Real-IP every time.
        for i in 0..25 {
            let body = format!("{{\"username\":\"user{i}\",\"password\":\"bad-password\"}}");
            let fake = format!("10.7.{i}.1");
            codes.push(
                http(
                    proxy_port,
                    "POST",
                    "/api/auth/login",
                    &[("X-Real-IP", &fake), ("X-Forwarded-For", &fake)],
                    &body,
                )
                .0,
            );
        }
        ((port, proxy_port), codes)
    })
    .await
    .unwrap();
    let limited = results.iter().filter(|c| **c == 429).count();
    assert_eq!(
        results.iter().filter(|c| **c == 401).count(),
        20,
        "one client address behind nginx: 4 × 5 guesses, then 429 ({results:?})"
    );
    assert_eq!(limited, 5, "{results:?}");
    // Other requests pass through the proxy as before.
    let (code, _) = rocket::tokio::task::spawn_blocking(move || {
        http(proxy_port, "GET", "/api/auth/me", &[], "")
    })
    .await
    .unwrap();
    assert_eq!(code, 401);
    shutdown.notify();
    let _ = std::fs::remove_dir_all(&dir);
}
