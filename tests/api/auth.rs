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
    parallel_guesses_are_counted_before_the_hash,
    password_change_guesses_are_limited,
    weak_passwords_are_refused,
    a_vietnamese_password_is_the_same_however_its_letters_are_typed,
    logout_ends_the_token_and_nothing_is_cached,
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

/// A login as if from the socket address `ip` (port 40000), with extra headers.
async fn login_via(
    app: &TestApp,
    ip: &str,
    headers: &[(&str, &str)],
    user: &str,
    pw: &str,
) -> (Status, Value, Vec<(String, String)>) {
    let body = json!({"username": user, "password": pw}).to_string();
    let mut req = app
        .client
        .post("/api/auth/login")
        .remote(format!("{ip}:40000").parse().unwrap())
        .header(ContentType::JSON)
        .body(body);
    for (k, v) in headers {
        req = req.header(rocket::http::Header::new(k.to_string(), v.to_string()));
    }
    let res = req.dispatch().await;
    let status = res.status();
    let hdrs = res
        .headers()
        .iter()
        .map(|h| (h.name().to_string(), h.value().to_string()))
        .collect();
    let v = res.into_json::<Value>().await.unwrap_or(Value::Null);
    (status, v, hdrs)
}

async fn login_from(
    app: &TestApp,
    ip: &str,
    user: &str,
    pw: &str,
) -> (Status, Value, Vec<(String, String)>) {
    login_via(app, ip, &[], user, pw).await
}

/// Five wrong guesses stop that address for that account (429 with Retry-After), but the owner,
/// from their own address, still gets in: guessing never locks the owner out.
async fn rate_limit_per_username(app: TestApp) {
    for _ in 0..5 {
        let (s, _, _) = login_from(&app, "198.51.100.9", "admin", "bad-password").await;
        assert_eq!(s, Status::Unauthorized);
    }
    let (s, v, h) = login_from(&app, "198.51.100.9", "admin", ADMIN_PASSWORD).await;
    assert_eq!(s, Status::TooManyRequests, "{v}");
    assert_eq!(v["error"]["code"], "too_many_requests");
    assert!(h.iter().any(|(k, _)| k.eq_ignore_ascii_case("Retry-After")));
    let (s, v, _) = login_from(&app, "203.0.113.5", "admin", ADMIN_PASSWORD).await;
    assert_eq!(s, Status::Ok, "the owner from their own address: {v}");
    // Many more guesses from ever new addresses: those are spaced out (the account-wide soft
    // throttle), the owner's known address is not.
    let mut throttled = 0;
    for i in 0..30 {
        let (s, _, _) = login_from(&app, &format!("192.0.2.{i}"), "admin", "bad-password").await;
        assert!(
            s == Status::Unauthorized || s == Status::TooManyRequests,
            "{s}"
        );
        throttled += i32::from(s == Status::TooManyRequests);
    }
    assert!(throttled > 0, "guesses from new addresses are slowed");
    let mut admin = String::new();
    for _ in 0..3 {
        let (s, v, _) = login_from(&app, "203.0.113.5", "admin", ADMIN_PASSWORD).await;
        assert_eq!(s, Status::Ok, "the owner is never locked out: {v}");
        admin = v["token"].as_str().unwrap().to_string();
    }
    // A failed login on an existing account is in the audit trail (with the address).
    let (s, v) = app
        .get("/api/audit?entity=account&limit=200", Some(&admin))
        .await;
    assert_eq!(s, Status::Ok, "{v}");
    let text = v.to_string();
    assert!(
        text.contains("login_failed") && text.contains("198.51.100.9"),
        "{text}"
    );
    assert!(
        !text.contains("bad-password"),
        "no password in the audit trail"
    );
}

/// One address trying many usernames is stopped after 4 × the per-account limit; another address
/// is not. A forwarded address is believed only from a configured proxy.
async fn rate_limit_per_client_address(app: TestApp) {
    let admin = app.admin_token().await;
    app.account(&admin, "school1", "school", None).await;
    for i in 0..20 {
        // A different X-Real-IP each time: not believed from a client.
        let spoof = format!("10.9.{i}.1");
        let (s, _, _) = login_via(
            &app,
            "192.0.2.7",
            &[("X-Real-IP", &spoof)],
            &format!("user{i}"),
            "bad-password",
        )
        .await;
        assert_eq!(s, Status::Unauthorized);
    }
    let (s, _, _) = login_from(&app, "192.0.2.7", "school1", "lop-hoc-dan-van-2026").await;
    assert_eq!(s, Status::TooManyRequests);
    let (s, _, _) = login_from(&app, "192.0.2.8", "school1", "lop-hoc-dan-van-2026").await;
    assert_eq!(s, Status::Ok);
    // Behind a configured proxy, the proxy's X-Real-IP is the client.
    let proxied = app
        .another_instance(&[("trusted_proxies", json!(["127.0.0.0/8"]))])
        .await;
    for i in 0..25 {
        let (s, _, _) = login_via(
            &proxied,
            "127.0.0.1",
            &[("X-Real-IP", &format!("10.8.{i}.1"))],
            &format!("user{i}"),
            "bad-password",
        )
        .await;
        assert_eq!(s, Status::Unauthorized, "each client address counted apart");
    }
}

/// Sixty guesses at once for one account from one address: at most the limit reach the hash.
async fn parallel_guesses_are_counted_before_the_hash(app: TestApp) {
    let futures = (0..60).map(|_| login_from(&app, "198.51.100.77", "admin", "bad-password"));
    let answers = rocket::futures::future::join_all(futures).await;
    let verified = answers
        .iter()
        .filter(|a| a.0 == Status::Unauthorized)
        .count();
    let limited = answers
        .iter()
        .filter(|a| a.0 == Status::TooManyRequests)
        .count();
    assert_eq!(verified + limited, 60);
    assert!(
        verified <= 5,
        "{verified} guesses were verified, against a limit of 5"
    );
}

/// A stolen token cannot guess the current password without limit.
async fn password_change_guesses_are_limited(app: TestApp) {
    let admin = app.admin_token().await;
    let t = app.account(&admin, "changer2", "commission", None).await;
    for _ in 0..5 {
        let (s, _) = app
            .post(
                "/api/auth/password",
                Some(&t),
                json!({"current_password": "guess-number-x", "new_password": "new-password-1"}),
            )
            .await;
        assert_eq!(s, Status::UnprocessableEntity);
    }
    let (s, v) = app
        .post(
            "/api/auth/password",
            Some(&t),
            json!({"current_password": "lop-hoc-dan-van-2026", "new_password": "new-password-1"}),
        )
        .await;
    assert_eq!(s, Status::TooManyRequests, "{v}");
}

/// Weak passwords are refused at the field, for staff and cadres alike.
async fn weak_passwords_are_refused(app: TestApp) {
    let admin = app.admin_token().await;
    for (pw, role) in [
        ("12345678", "school"),
        ("password", "school"),
        ("weak.user.1", "school"),
        ("password-123", "commission"),
        ("lop-hoc-99", "school"),
        ("12345678901", "cadre"),
    ] {
        let (s, v) = app
            .post(
                "/api/accounts",
                Some(&admin),
                json!({"username": "weak.user.1", "password": pw, "role": role}),
            )
            .await;
        assert_eq!(s, Status::UnprocessableEntity, "{pw}: {v}");
        assert_eq!(v["error"]["field"], "password", "{pw}: {v}");
    }
    let (s, v) = app
        .post(
            "/api/accounts",
            Some(&admin),
            json!({"username": "weak.user.1", "password": "mua-thu-ha-noi-2026", "role": "school"}),
        )
        .await;
    assert_eq!(s, Status::Created, "{v}");
}

/// Logout ends the token at once; personal answers are never cached.
async fn logout_ends_the_token_and_nothing_is_cached(app: TestApp) {
    let (s, v, h) = login_from(&app, "198.51.100.1", "admin", ADMIN_PASSWORD).await;
    assert_eq!(s, Status::Ok);
    assert!(
        h.iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("Cache-Control") && v == "no-store"),
        "{h:?}"
    );
    let token = v["token"].as_str().unwrap().to_string();
    let (_, _, h) = app
        .request(Method::Get, "/api/auth/me", Some(&token), None, &[])
        .await;
    assert!(
        h.iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("Cache-Control") && v == "no-store"),
        "{h:?}"
    );
    let (s, _) = app.post("/api/auth/logout", Some(&token), json!({})).await;
    assert_eq!(s, Status::NoContent);
    let (s, v) = app.get("/api/auth/me", Some(&token)).await;
    assert_eq!(s, Status::Unauthorized, "{v}");
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
            json!({"username": "school2", "password": "lop-hoc-dan-van-2026"}),
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
    app.token("school2", "lop-hoc-dan-van-2026").await;
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
            json!({"current_password": "lop-hoc-dan-van-2026", "new_password": "short"}),
        )
        .await;
    assert_eq!(s, Status::UnprocessableEntity);
    assert_eq!(v["error"]["field"], "new_password");
    let (s, v) = app
        .post(
            "/api/auth/password",
            Some(&old),
            json!({"current_password": "lop-hoc-dan-van-2026", "new_password": "new-password-1"}),
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

/// A Vietnamese password is the same password whether its letters come precomposed (NFC, most
/// keyboards) or as a letter and combining marks (NFD, "Unicode tổ hợp"): set in one form, it
/// logs in with the other, and changing to the other form of the current password is no change.
/// A password set, before this rule, from decomposed text still logs in as typed.
async fn a_vietnamese_password_is_the_same_however_its_letters_are_typed(app: TestApp) {
    use unicode_normalization::UnicodeNormalization;
    let admin = app.admin_token().await;
    let t = app.account(&admin, "go.dau", "commission", None).await;
    let composed: String = "Mật khẩu rất khó đoán 7".nfc().collect();
    let decomposed: String = composed.nfd().collect();
    assert_ne!(composed, decomposed);
    let (s, v) = app
        .post(
            "/api/auth/password",
            Some(&t),
            json!({"current_password": "lop-hoc-dan-van-2026", "new_password": composed}),
        )
        .await;
    assert_eq!(s, Status::Ok, "{v:.300}");
    let login = |pw: &str| {
        app.post(
            "/api/auth/login",
            None,
            json!({"username": "go.dau", "password": pw}),
        )
    };
    let (s, v) = login(&decomposed).await;
    assert_eq!(s, Status::Ok, "typed with combining marks: {v:.300}");
    let t = v["token"].as_str().expect("token").to_string();
    let (s, v) = app
        .post(
            "/api/auth/password",
            Some(&t),
            json!({"current_password": composed, "new_password": decomposed}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["reason"].clone()),
        (Status::UnprocessableEntity, json!("password_unchanged")),
        "{v:.300}"
    );
    // A hash made from decomposed text (as before this rule) still answers to it.
    let legacy: String = "Đường về nhà xa lắm 9".nfd().collect();
    let hash = cadre_training::auth::password::hash_blocking(&legacy).expect("hash");
    cadre_training::on_db!(&app.state().db, |p| sqlx::query(
        "UPDATE accounts SET password_hash = $1 WHERE username = 'go.dau'"
    )
    .bind(&hash)
    .execute(p)
    .await
    .map(|_| ())
    .expect("set a legacy hash"));
    let (s, v) = login(&legacy).await;
    assert_eq!(s, Status::Ok, "{v:.300}");
}
