//! Health, OpenAPI document and docs page, start-up failures.

use rocket::figment::providers::Serialized;
use rocket::http::Status;
use std::collections::BTreeSet;

use crate::db_tests;
use crate::helpers::TestApp;

db_tests!(
    health_reports_database,
    openapi_describes_every_api_route,
    docs_page_is_served_locally
);

async fn health_reports_database(app: TestApp) {
    let (s, v) = app.get("/health", None).await;
    assert_eq!(s, Status::Ok);
    assert_eq!(v["database_reachable"], true);
    assert_eq!(
        v["database"],
        if app.backend == crate::helpers::Backend::Sqlite {
            "sqlite"
        } else {
            "postgres"
        }
    );
    app.state().db.close().await;
    let (s, v) = app.get("/health", None).await;
    assert_eq!(s, Status::ServiceUnavailable);
    assert_eq!(v["database_reachable"], false);
    // Other requests answer 503 JSON too, not 500.
    let (s, v) = app
        .post(
            "/api/auth/login",
            None,
            serde_json::json!({"username": "admin", "password": "x-password"}),
        )
        .await;
    assert_eq!(s, Status::ServiceUnavailable, "{v}");
    assert_eq!(v["error"]["code"], "service_unavailable");
}

async fn openapi_describes_every_api_route(app: TestApp) {
    let (s, doc) = app.get("/api/openapi.json", None).await;
    assert_eq!(s, Status::Ok);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), p.clone()))
        })
        .collect();
    let mut missing = vec![];
    for r in app.client.rocket().routes() {
        let path = r.uri.path().to_string();
        if !(path.starts_with("/api/") || path == "/health")
            || path.starts_with("/api/docs")
            || path == "/api/openapi.json"
        {
            continue;
        }
        let templ = path.replace('<', "{").replace('>', "}");
        if !documented.contains(&(r.method.as_str().to_string(), templ.clone())) {
            missing.push(format!("{} {templ}", r.method));
        }
    }
    assert!(
        missing.is_empty(),
        "routes missing from the OpenAPI document: {missing:?}"
    );
    // JSON object keys are strings: a map documented with integer keys fails every answer that
    // has one (schemathesis found `AttendanceRow.marks` once the demo data had attendance).
    fn integer_keys(v: &serde_json::Value, at: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if m.get("propertyNames")
                    .is_some_and(|p| p["type"] != "string")
                {
                    out.push(at.to_string());
                }
                for (k, x) in m {
                    integer_keys(x, &format!("{at}/{k}"), out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| integer_keys(x, at, out)),
            _ => {}
        }
    }
    let mut bad = vec![];
    integer_keys(&doc, "", &mut bad);
    assert!(bad.is_empty(), "maps with non-string keys: {bad:?}");
    assert!(doc["components"]["schemas"]["ErrorEnvelope"].is_object());
    // Every error the API really gives is documented (schemathesis's status-code check): 401 and
    // 403 on every secured operation, 404 where the path names something, 422 where there are
    // parameters or a body, 400 and 413 with a body, 503 everywhere.
    let mut undocumented = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let in_path = params.iter().any(|p| p["in"] == "path");
            let body = op.get("requestBody").is_some();
            let mut wanted = vec!["503"];
            if secured {
                wanted.extend(["401", "403"]);
            }
            if in_path {
                wanted.push("404");
            }
            if !params.is_empty() || body {
                wanted.push("422");
            }
            if body {
                wanted.extend(["400", "413"]);
            }
            for status in wanted {
                match responses.get(status) {
                    Some(r) if status == "503" || r["content"]["application/json"].is_object() => {}
                    _ => undocumented.push(format!("{method} {path} {status}")),
                }
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "undocumented errors: {undocumented:?}"
    );
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // Links chain each create to the reads of what it made (schemathesis's stateful phase), and
    // every link names an operation that exists.
    let ops: BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|i| i.as_object().unwrap().values())
        .filter_map(|o| o["operationId"].as_str().map(str::to_string))
        .collect();
    let mut links = 0;
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            for r in op["responses"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.values())
            {
                for (name, l) in r["links"].as_object().into_iter().flatten() {
                    let target = l["operationId"].as_str().unwrap_or("");
                    assert!(
                        ops.contains(target),
                        "link {name} names {target}, which is no operation"
                    );
                    links += 1;
                }
            }
        }
    }
    assert!(links >= 10, "{links} links");
    assert_eq!(
        doc["paths"]["/api/cadres"]["post"]["responses"]["201"]["links"]["GetCadre"]["parameters"]
            ["id"],
        "$response.body#/id"
    );
    // No two schema types share a name anywhere in the code (utoipa would keep one of them and
    // document the other's answers wrongly: two `VersionList`s did).
    let mut names: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut stack = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                let mut schema = false;
                for line in text.lines().map(str::trim) {
                    if line.starts_with("#[derive(") && line.contains("ToSchema") {
                        schema = true;
                    } else if schema
                        && (line.starts_with("pub struct ") || line.starts_with("pub enum "))
                    {
                        let name: String = line
                            .split_whitespace()
                            .nth(2)
                            .unwrap_or("")
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        names.entry(name).or_default().push(p.display().to_string());
                        schema = false;
                    } else if !line.starts_with("#[") && !line.starts_with("///") {
                        schema = false;
                    }
                }
            }
        }
    }
    let twice: Vec<_> = names.iter().filter(|(_, v)| v.len() > 1).collect();
    assert!(twice.is_empty(), "schema names used twice: {twice:?}");
    // Two Rust types with one name would share one schema (utoipa keeps the last): the report's
    // split counts and the import's row counts must each keep their own (found by schemathesis).
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["Counts"]["properties"]["assessed"].is_object(),
        "{}",
        schemas["Counts"]
    );
    assert!(
        schemas["ImportCounts"]["properties"]["created"].is_object(),
        "{}",
        schemas["ImportCounts"]
    );
}

async fn docs_page_is_served_locally(app: TestApp) {
    let res = app.client.get("/api/docs/").dispatch().await;
    assert_eq!(res.status(), Status::Ok);
    let html = res.into_string().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    for cdn in ["unpkg.com", "cdn.jsdelivr", "cdnjs"] {
        assert!(!html.contains(cdn), "docs page loads from a CDN: {cdn}");
    }
    let res = app
        .client
        .get("/api/docs/swagger-ui-bundle.js")
        .dispatch()
        .await;
    assert_eq!(
        res.status(),
        Status::Ok,
        "Swagger UI assets are served by the service"
    );
}

#[rocket::async_test]
async fn unknown_scheme_and_unreachable_database_fail_with_one_line() {
    let base =
        cadre_training::config::figment().merge(Serialized::global("db_acquire_timeout_secs", 2));
    let err = cadre_training::prepare(
        base.clone()
            .merge(Serialized::global("database_url", "mysql://localhost/x")),
    )
    .await
    .err()
    .unwrap_or_else(|| panic!("mysql refused"));
    assert!(err.contains("unsupported database URL scheme"), "{err}");
    assert!(!err.contains('\n'));
    let err = cadre_training::prepare(base.merge(Serialized::global(
        "database_url",
        "postgres://postgres@127.0.0.1:1/none",
    )))
    .await
    .err()
    .unwrap_or_else(|| panic!("unreachable refused"));
    assert!(err.contains("cannot connect to PostgreSQL"), "{err}");
    assert!(!err.contains('\n'));
}

#[rocket::async_test]
async fn generated_secret_is_kept_private_and_survives_a_restart() {
    use rocket::local::asynchronous::Client;
    // The log capture goes in before any Rocket starts (helpers::captured_log).
    crate::helpers::captured_log();
    let dir = std::env::temp_dir().join(format!("cadre-secret-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let figment = || {
        cadre_training::config::figment()
            .merge(Serialized::global(
                "database_url",
                format!("sqlite://{}", dir.join("t.db").display()),
            ))
            .merge(Serialized::global("data_dir", dir.display().to_string()))
            .merge(Serialized::global("jwt_secret", ""))
            .merge(Serialized::global("admin_password", "admin-password-1"))
            .merge(Serialized::global("log_level", "off"))
    };
    let first = Client::untracked(cadre_training::prepare(figment()).await.unwrap())
        .await
        .unwrap();
    let res = first
        .post("/api/auth/login")
        .header(rocket::http::ContentType::JSON)
        .body(r#"{"username": "admin", "password": "admin-password-1"}"#)
        .dispatch()
        .await;
    assert_eq!(res.status(), Status::Ok);
    let token = res.into_json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let file = dir.join("jwt-secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    drop(first);
    // A restart reads the same secret: the session is still valid.
    let second = Client::untracked(cadre_training::prepare(figment()).await.unwrap())
        .await
        .unwrap();
    let status = second
        .get("/api/auth/me")
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {token}"),
        ))
        .dispatch()
        .await
        .status();
    assert_eq!(status, Status::Ok);
    drop(second);
    // Another secret (another deployment) does not accept it.
    std::fs::write(&file, "f".repeat(64)).unwrap();
    let third = Client::untracked(cadre_training::prepare(figment()).await.unwrap())
        .await
        .unwrap();
    let status = third
        .get("/api/auth/me")
        .header(rocket::http::Header::new(
            "Authorization",
            format!("Bearer {token}"),
        ))
        .dispatch()
        .await
        .status();
    assert_eq!(status, Status::Unauthorized);
    drop(third);
    let _ = std::fs::remove_dir_all(&dir);
}
