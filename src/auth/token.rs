//! Access tokens: HS256 JWTs carrying the account id, role, unit and token version.

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// Account id.
    pub sub: String,
    /// Role name.
    pub role: String,
    /// Home unit code, if any.
    pub unit: Option<String>,
    /// Token version of the account when issued; bumped to revoke.
    pub ver: i64,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
}

/// Keys and lifetime for issuing and checking tokens.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Token lifetime in seconds.
    pub lifetime_secs: i64,
}

impl JwtKeys {
    /// Builds the keys from a shared secret.
    pub fn new(secret: &[u8], lifetime_secs: i64) -> Self {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            lifetime_secs,
        }
    }

    /// Issues a token for an account.
    pub fn issue(
        &self,
        id: i64,
        role: &str,
        unit: Option<&str>,
        ver: i64,
    ) -> Result<(String, i64), AppError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: id.to_string(),
            role: role.to_string(),
            unit: unit.map(str::to_owned),
            ver,
            iat: now,
            exp: now + self.lifetime_secs,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::Internal(format!("token signing failed: {e}")))?;
        Ok((token, claims.exp))
    }

    /// Checks signature (HS256 only), expiry and shape.
    pub fn verify(&self, token: &str) -> Result<Claims, AppError> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 5;
        v.set_required_spec_claims(&["exp", "sub", "iat"]);
        decode::<Claims>(token, &self.decoding, &v)
            .map(|d| d.claims)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => crate::error::Reason::TokenExpired,
                    ErrorKind::InvalidSignature => crate::error::Reason::TokenSignatureInvalid,
                    ErrorKind::InvalidAlgorithm => crate::error::Reason::TokenAlgorithm,
                    _ => crate::error::Reason::TokenInvalid,
                };
                AppError::Unauthorized(crate::error::Msg::new(why))
            })
    }
}
