//! Login, tokens, revocation and rate limiting.

use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use rocket::http::{ContentType, Method, Status};
use serde_json::{json, Value};

use crate::db_tests;
use crate::helpers::{TestApp, ADMIN_PASSWORD, JWT_SECRET};

db_tests!(
    login_success_and_me,
    wrong_password_and_unknown_user_look_the_same,
    rate_limit_per_username,
    rate_limit_per_client_address,
    expired_token_is_refused,
    tampered_signature_is_refused,
    alg_none_is_refused,
    token_signed_with_another_key_is_refused,
    deactivated_account_is_refused,
    password_change_revokes_old_tokens,
    missing_or_malformed_authorization_is_401,
);

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

fn claims(app_id: i64, exp_offset: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": app_id.to_string(), "role": "admin", "unit": null, "ver": 0, "iat": now, "exp": now + exp_offset})
}

async fn login_success_and_me(app: TestApp) {
    let (s, v) = app
        .post(
            "/api/auth/login",
            None,
            json!({"username": "Admin", "password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["account"]["username"], "admin");
    assert_eq!(v["account"]["role"], "admin");
    assert!(v["account"].get("password_hash").is_none());
    let token = v["token"].as_str().unwrap();
    // The token carries sub, role, unit, iat, exp (8 h by default).
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["role"], "admin");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        8 * 3600
    );
    let (s, me) = app.get("/api/auth/me", Some(token)).await;
    assert_eq!(s, Status::Ok);
    assert_eq!(me["username"], "admin");
}

async fn wrong_password_and_unknown_user_look_the_same(app: TestApp) {
    let (s1, v1) = app
        .post(
            "/api/auth/login",
            None,
            json!({"username": "admin", "password": "wrong-password"}),
        )
        .await;
    let (s2, v2) = app
        .post(
            "/api/auth/login",
            None,
            json!({"username": "nobody", "password": "wrong-password"}),
        )
        .await;
    assert_eq!(s1, Status::Unauthorized);
    assert_eq!(s2, Status::Unauthorized);
    assert_eq!(v1, v2);
    assert_eq!(v1["error"]["code"], "unauthorized");
}

async fn login_from(
    app: &TestApp,
    ip: &str,
    user: &str,
    pw: &str,
) -> (Status, Value, Vec<(String, String)>) {
    let body = json!({"username": user, "password": pw})
        .to_string()
        .into_bytes();
    app.request(
        Method::Post,
        "/api/auth/login",
        None,
        Some((ContentType::JSON, body)),
        &[("X-Real-IP", ip)],
    )
    .await
}

async fn rate_limit_per_username(app: TestApp) {
    for i in 0..5 {
        // Different client addresses: only the username count trips.
        let (s, _, _) = login_from(&app, &format!("10.0.0.{i}"), "admin", "bad-password").await;
        assert_eq!(s, Status::Unauthorized);
    }
    let (s, v, h) = login_from(&app, "10.0.1.1", "admin", ADMIN_PASSWORD).await;
    assert_eq!(s, Status::TooManyRequests, "{v}");
    assert_eq!(v["error"]["code"], "too_many_requests");
    assert!(h.iter().any(|(k, _)| k.eq_ignore_ascii_case("Retry-After")));
    // Another username from a fresh address is not affected.
    let admin = app.admin_token_after_limit().await;
    assert!(admin.is_none());
}

async fn rate_limit_per_client_address(app: TestApp) {
    let admin = app.admin_token().await;
    app.account(&admin, "school1", "school", None).await;
    for i in 0..5 {
        let (s, _, _) = login_from(&app, "192.0.2.7", &format!("user{i}"), "bad-password").await;
        assert_eq!(s, Status::Unauthorized);
    }
    let (s, _, _) = login_from(&app, "192.0.2.7", "school1", "password-123").await;
    assert_eq!(s, Status::TooManyRequests);
    let (s, _, _) = login_from(&app, "192.0.2.8", "school1", "password-123").await;
    assert_eq!(s, Status::Ok);
}

async fn expired_token_is_refused(app: TestApp) {
    let token = encode(
        &Header::default(),
        &claims(1, -3600),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    let (s, v) = app.get("/api/auth/me", Some(&token)).await;
    assert_eq!(s, Status::Unauthorized);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("expired"),
        "{v}"
    );
    // The same claims, unexpired, are accepted: the refusal is about expiry alone.
    let token = encode(
        &Header::default(),
        &claims(1, 3600),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    assert_eq!(app.get("/api/auth/me", Some(&token)).await.0, Status::Ok);
}

async fn tampered_signature_is_refused(app: TestApp) {
    let admin = app.admin_token().await;
    let officer = app.account(&admin, "cadre1", "school", None).await;
    let parts: Vec<&str> = officer.split('.').collect();
    let mut payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    payload["sub"] = json!("1");
    payload["role"] = json!("admin");
    let forged = format!("{}.{}.{}", parts[0], b64(&payload), parts[2]);
    let (s, v) = app.get("/api/accounts", Some(&forged)).await;
    assert_eq!(s, Status::Unauthorized, "{v}");
    // A flipped signature byte is refused too.
    let mut sig = parts[2].to_string();
    let last = sig.pop().unwrap();
    sig.push(if last == 'A' { 'B' } else { 'A' });
    let (s, _) = app
        .get(
            "/api/auth/me",
            Some(&format!("{}.{}.{}", parts[0], parts[1], sig)),
        )
        .await;
    assert_eq!(s, Status::Unauthorized);
}

async fn alg_none_is_refused(app: TestApp) {
    let header = json!({"alg": "none", "typ": "JWT"});
    let token = format!("{}.{}.", b64(&header), b64(&claims(1, 3600)));
    let (s, v) = app.get("/api/auth/me", Some(&token)).await;
    assert_eq!(s, Status::Unauthorized, "{v}");
    assert_eq!(v["error"]["code"], "unauthorized");
}

async fn token_signed_with_another_key_is_refused(app: TestApp) {
    let token = encode(
        &Header::default(),
        &claims(1, 3600),
        &EncodingKey::from_secret(b"another-secret-of-some-length"),
    )
    .unwrap();
    let (s, _) = app.get("/api/auth/me", Some(&token)).await;
    assert_eq!(s, Status::Unauthorized);
}

async fn deactivated_account_is_refused(app: TestApp) {
    let admin = app.admin_token().await;
    let school = app.account(&admin, "school2", "school", None).await;
    let (_, me) = app.get("/api/auth/me", Some(&school)).await;
    let id = me["id"].as_i64().unwrap();
    let (s, v) = app
        .patch(
            &format!("/api/accounts/{id}"),
            Some(&admin),
            json!({"active": false}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    assert_eq!(v["active"], false);
    let (s, v) = app.get("/api/auth/me", Some(&school)).await;
    assert_eq!(s, Status::Unauthorized, "{v}");
    let (s, _) = app
        .post(
            "/api/auth/login",
            None,
            json!({"username": "school2", "password": "password-123"}),
        )
        .await;
    assert_eq!(s, Status::Unauthorized);
    // Reactivated: logs in again.
    app.patch(
        &format!("/api/accounts/{id}"),
        Some(&admin),
        json!({"active": true}),
    )
    .await;
    app.token("school2", "password-123").await;
}

async fn password_change_revokes_old_tokens(app: TestApp) {
    let admin = app.admin_token().await;
    let old = app.account(&admin, "officer9", "commission", None).await;
    let (s, v) = app
        .post(
            "/api/auth/password",
            Some(&old),
            json!({"current_password": "wrong-one", "new_password": "new-password-1"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "current_password");
    let (s, v) = app
        .post(
            "/api/auth/password",
            Some(&old),
            json!({"current_password": "password-123", "new_password": "short"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "new_password");
    let (s, v) = app
        .post(
            "/api/auth/password",
            Some(&old),
            json!({"current_password": "password-123", "new_password": "new-password-1"}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let fresh = v["token"].as_str().unwrap().to_string();
    assert_eq!(
        app.get("/api/auth/me", Some(&old)).await.0,
        Status::Unauthorized
    );
    assert_eq!(app.get("/api/auth/me", Some(&fresh)).await.0, Status::Ok);
    // An admin reset revokes the fresh token too.
    let id = v["account"]["id"].as_i64().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/accounts/{id}/password"),
            Some(&admin),
            json!({"new_password": "reset-password-2"}),
        )
        .await;
    assert_eq!(s, Status::Ok);
    assert_eq!(
        app.get("/api/auth/me", Some(&fresh)).await.0,
        Status::Unauthorized
    );
    app.token("officer9", "reset-password-2").await;
}

async fn missing_or_malformed_authorization_is_401(app: TestApp) {
    let (s, v) = app.get("/api/auth/me", None).await;
    assert_eq!(s, Status::Unauthorized);
    assert_eq!(v["error"]["code"], "unauthorized");
    let (s, v, _) = app
        .request(
            Method::Get,
            "/api/auth/me",
            None,
            None,
            &[("Authorization", "Basic YWJjOmRlZg==")],
        )
        .await;
    assert_eq!(s, Status::Unauthorized);
    assert_eq!(v["error"]["code"], "unauthorized");
    let (s, _) = app.get("/api/auth/me", Some("not.a.jwt")).await;
    assert_eq!(s, Status::Unauthorized);
}

impl TestApp {
    /// Tries the admin login once more (used after the username limit tripped).
    async fn admin_token_after_limit(&self) -> Option<String> {
        let (s, v, _) = login_from(self, "10.9.9.9", "admin", ADMIN_PASSWORD).await;
        (s == Status::Ok).then(|| v["token"].as_str().unwrap_or_default().to_string())
    }
}
