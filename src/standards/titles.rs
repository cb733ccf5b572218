//! Titles: a role in an organisation kind at a level (e.g. chair of the ward Fatherland Front).

use chrono::Utc;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, patch, post, routes, Route, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::api::JsonBody;
use crate::auth::{AuthUser, StandardsEditor};
use crate::db::{Db, Tx};
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::state::AppState;
use crate::{on_db, on_tx};

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![list_titles, create_title, update_title]
}

/// A title as stored and served.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow, PartialEq)]
pub struct Title {
    /// Internal id.
    #[serde(skip)]
    pub id: i64,
    /// Code, e.g. `FF-CHAIR-COMMUNE`.
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Organisation kind (`fatherland_front`, `youth_union`, …).
    pub org_kind: String,
    /// Level of the unit it sits in: `city`, `district` or `commune`.
    pub level: String,
    /// In use.
    pub active: bool,
}

const COLS: &str = "id, code, name_vi, name_en, org_kind, level, active";

/// All titles, optionally of one level or organisation kind.
pub async fn list(db: &Db, level: Option<&str>, org_kind: Option<&str>) -> AppResult<Vec<Title>> {
    let sql = format!("SELECT {COLS} FROM titles WHERE ($1 IS NULL OR level = $1) AND ($2 IS NULL OR org_kind = $2) ORDER BY org_kind, level, code");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(level)
        .bind(org_kind)
        .fetch_all(p)
        .await?))
}

/// A title by code.
pub async fn get(db: &Db, code: &str) -> AppResult<Option<Title>> {
    let sql = format!("SELECT {COLS} FROM titles WHERE code = $1");
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(code)
        .fetch_optional(p)
        .await?))
}

/// A title by code inside a transaction.
pub async fn by_code(tx: &mut Tx, code: &str) -> AppResult<Option<Title>> {
    let sql = format!("SELECT {COLS} FROM titles WHERE code = $1");
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(code)
        .fetch_optional(&mut *c)
        .await?))
}

/// A list of titles.
#[derive(Debug, Serialize, ToSchema)]
pub struct TitleList {
    /// The titles.
    pub items: Vec<Title>,
}

/// The leadership titles, optionally filtered by level or organisation kind.
#[utoipa::path(tag = "standards", security(("bearer" = [])),
    params(("level" = Option<String>, Query, description = "city, district or commune"),
           ("org_kind" = Option<String>, Query, description = "Organisation kind, e.g. fatherland_front")),
    responses((status = 200, body = TitleList), (status = 401, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[get("/api/titles?<level>&<org_kind>")]
pub async fn list_titles(
    state: &State<AppState>,
    _user: AuthUser,
    level: Option<&str>,
    org_kind: Option<&str>,
) -> AppResult<Json<TitleList>> {
    let level = level.map(str::trim).filter(|s| !s.is_empty());
    if let Some(l) = level {
        if !["city", "district", "commune"].contains(&l) {
            return Err(AppError::invalid(
                "level",
                "level must be city, district or commune",
            ));
        }
    }
    let org_kind = org_kind.map(str::trim).filter(|s| !s.is_empty());
    if let Some(o) = org_kind {
        if crate::standards::domain::Organisation::parse(o).is_none() {
            return Err(AppError::invalid(
                "org_kind",
                format!("unknown organisation kind {o:?}"),
            ));
        }
    }
    Ok(Json(TitleList {
        items: list(&state.db, level, org_kind).await?,
    }))
}

/// (org kind, code stem, Vietnamese role, English role).
const ROLES: &[(&str, &str, &str, &str)] = &[
    (
        "fatherland_front",
        "FF-CHAIR",
        "Chủ tịch Ủy ban MTTQ Việt Nam",
        "Chair, Fatherland Front Committee",
    ),
    (
        "fatherland_front",
        "FF-VICE",
        "Phó Chủ tịch Ủy ban MTTQ Việt Nam",
        "Vice-chair, Fatherland Front Committee",
    ),
    (
        "youth_union",
        "YU-SEC",
        "Bí thư Đoàn TNCS Hồ Chí Minh",
        "Secretary, Youth Union",
    ),
    (
        "womens_union",
        "WU-CHAIR",
        "Chủ tịch Hội Liên hiệp Phụ nữ",
        "Chair, Women's Union",
    ),
    (
        "farmers_association",
        "FA-CHAIR",
        "Chủ tịch Hội Nông dân",
        "Chair, Farmers' Association",
    ),
    (
        "veterans_association",
        "VA-CHAIR",
        "Chủ tịch Hội Cựu chiến binh",
        "Chair, Veterans' Association",
    ),
    (
        "labour_federation",
        "LF-CHAIR",
        "Chủ tịch Liên đoàn Lao động",
        "Chair, Labour Federation",
    ),
    (
        "mass_mobilisation_commission",
        "MM-HEAD",
        "Trưởng Ban Dân vận",
        "Head, Mass Mobilisation Commission",
    ),
];

/// (level, code suffix, Vietnamese, English).
const LEVELS: &[(&str, &str, &str, &str)] = &[
    ("city", "CITY", "thành phố", "city"),
    ("district", "DISTRICT", "quận, huyện", "district"),
    ("commune", "COMMUNE", "phường, xã", "ward/commune"),
];

/// Writes the key leadership titles at every level if there are none yet.
pub async fn seed_if_empty(db: &Db) -> Result<(), String> {
    let fail = |e: AppError| format!("seeding titles failed: {e}");
    let n: i64 = on_db!(db, |p| sqlx::query_scalar("SELECT COUNT(*) FROM titles")
        .fetch_one(p)
        .await)
    .map_err(|e| fail(e.into()))?;
    if n > 0 {
        return Ok(());
    }
    let now = Utc::now();
    let mut tx = db.begin().await.map_err(fail)?;
    for (org, stem, role_vi, role_en) in ROLES {
        // The Labour Federation has no ward/commune-level chair.
        for (level, suffix, level_vi, level_en) in LEVELS {
            if *org == "labour_federation" && *level == "commune" {
                continue;
            }
            let r = on_tx!(&mut tx, |c| {
                sqlx::query(
                "INSERT INTO titles (code, name_vi, name_en, org_kind, level, active, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) ON CONFLICT (code) DO NOTHING"
            )
            .bind(format!("{stem}-{suffix}"))
            .bind(format!("{role_vi} {level_vi}"))
            .bind(format!("{role_en}, {level_en}"))
            .bind(org)
            .bind(level)
            .bind(now)
            .execute(&mut *c)
            .await
            .map(|_| ())
            });
            r.map_err(|e| fail(e.into()))?;
        }
    }
    tx.commit().await.map_err(fail)
}

/// A new title.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TitleInput {
    /// Code (2–20 of A-Z, 0-9, '-').
    pub code: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// English name.
    pub name_en: String,
    /// Organisation kind.
    pub org_kind: crate::standards::domain::Organisation,
    /// `city`, `district` or `commune`.
    pub level: String,
}

fn check_level(level: &str) -> AppResult<()> {
    if ["city", "district", "commune"].contains(&level) {
        Ok(())
    } else {
        Err(AppError::invalid(
            "level",
            "level must be city, district or commune",
        ))
    }
}

/// Creates a title. Commission or admin.
#[utoipa::path(tag = "standards", security(("bearer" = [])), request_body = TitleInput,
    responses((status = 201, body = Title), (status = 403, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/titles", data = "<body>")]
pub async fn create_title(
    state: &State<AppState>,
    user: StandardsEditor,
    body: JsonBody<TitleInput>,
) -> AppResult<(Status, Json<Title>)> {
    let t = body.into_inner();
    let code = crate::shared::text::parse_code("code", &t.code)?;
    let name_vi = crate::shared::text::required_text("name_vi", &t.name_vi, 300)?;
    let name_en = crate::shared::text::required_text("name_en", &t.name_en, 300)?;
    check_level(t.level.trim())?;
    let mut tx = state.db.begin().await?;
    if by_code(&mut tx, &code).await?.is_some() {
        return Err(AppError::conflict(
            Some("code"),
            format!("title {code} already exists"),
        ));
    }
    let now = Utc::now();
    on_tx!(&mut tx, |c| {
        sqlx::query(
        "INSERT INTO titles (code, name_vi, name_en, org_kind, level, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6)"
    )
    .bind(&code).bind(&name_vi).bind(&name_en).bind(t.org_kind.as_str()).bind(t.level.trim()).bind(now)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    let title = by_code(&mut tx, &code)
        .await?
        .ok_or_else(|| AppError::Internal("title vanished".into()))?;
    crate::audit::record(
        &mut tx,
        &user.actor(),
        "create",
        "title",
        &code,
        None,
        Some(json!(title)),
    )
    .await?;
    tx.commit().await?;
    Ok((Status::Created, Json(title)))
}

/// Changes to a title.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TitlePatch {
    /// Vietnamese name.
    pub name_vi: Option<String>,
    /// English name.
    pub name_en: Option<String>,
    /// In use (inactive titles cannot be newly assigned).
    pub active: Option<bool>,
}

/// Renames or (de)activates a title; its organisation kind and level are fixed. Commission or admin.
#[utoipa::path(tag = "standards", security(("bearer" = [])), request_body = TitlePatch,
    params(("code" = String, Path, description = "Title code")),
    responses((status = 200, body = Title), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[patch("/api/titles/<code>", data = "<body>")]
pub async fn update_title(
    state: &State<AppState>,
    user: StandardsEditor,
    code: &str,
    body: JsonBody<TitlePatch>,
) -> AppResult<Json<Title>> {
    let p = body.into_inner();
    let code = code.trim().to_uppercase();
    let mut tx = state.db.begin().await?;
    let before = by_code(&mut tx, &code)
        .await?
        .ok_or_else(|| AppError::not_found(format!("no title with code {code}")))?;
    let name_vi = match &p.name_vi {
        Some(n) => crate::shared::text::required_text("name_vi", n, 300)?,
        None => before.name_vi.clone(),
    };
    let name_en = match &p.name_en {
        Some(n) => crate::shared::text::required_text("name_en", n, 300)?,
        None => before.name_en.clone(),
    };
    let active = p.active.unwrap_or(before.active);
    on_tx!(&mut tx, |c| sqlx::query(
        "UPDATE titles SET name_vi = $1, name_en = $2, active = $3, updated_at = $4 WHERE id = $5"
    )
    .bind(&name_vi)
    .bind(&name_en)
    .bind(active)
    .bind(Utc::now())
    .bind(before.id)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    let after = by_code(&mut tx, &code)
        .await?
        .ok_or_else(|| AppError::Internal("title vanished".into()))?;
    crate::audit::record(
        &mut tx,
        &user.actor(),
        "update",
        "title",
        &code,
        Some(json!(before)),
        Some(json!(after)),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(after))
}
