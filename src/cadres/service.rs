//! What cadres do, for their routes and for other features (enrolments, completions, gaps,
//! `/api/me`): a cadre the caller may see and their whole record; the roster; creating and
//! editing a record, moves, titles held and planned, qualifications by hand. Each write checks
//! its fields (`domain`) and the record's rules (`rules`), and is made with its audit entry in
//! one transaction; the SQL is in `store`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::domain::{
    check_birth_date, check_party_date, check_period, default_minority, parse_email,
    parse_full_name, parse_personal_id, parse_phone, parse_words, Gender, Organisation, PersonalId,
};
use super::rules::{
    check_life_date, check_title_age, check_title_level, check_unit, first_off_line, lasts_beyond,
    overlaps_another, same_organisation, unit_level, HomeSpan, Role, Span,
};
use super::store::{
    self, CadreFilter, CadreView, CadreWrite, QualificationChange, QualificationView,
    QualificationWrite, TitleList, TitlePeriod, UnitPeriod,
};
use crate::api::PageParams;
use crate::audit;
use crate::auth::{AuthUser, Scope};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::shared::clock::not_after_today;
use crate::standards::titles;
use crate::state::AppState;
use crate::units;

/// Loads a cadre the caller may see; anything else is 404 (existence is not disclosed).
pub async fn visible(state: &AppState, user: &AuthUser, id: i64) -> AppResult<CadreView> {
    let scope = user.scope()?;
    match store::get(&state.db, id).await? {
        Some(c) if scope.sees_cadre(c.id, &c.unit_path) => Ok(c),
        _ => Err(AppError::not_found(crate::msg!(NoCadre, id = id))),
    }
}

/// A cadre's whole record.
#[derive(Debug, Serialize, ToSchema)]
pub struct CadreDetail {
    /// The record.
    #[serde(flatten)]
    pub cadre: CadreView,
    /// Units over time (moves), oldest first.
    pub units: Vec<UnitPeriod>,
    /// Titles held, oldest first.
    pub titles: Vec<TitlePeriod>,
    /// Titles planned (succession planning), oldest first.
    pub plans: Vec<TitlePeriod>,
    /// Qualifications held.
    pub qualifications: Vec<QualificationView>,
}

/// Builds the whole record of a visible cadre.
pub async fn detail(state: &AppState, cadre: CadreView) -> AppResult<CadreDetail> {
    let id = cadre.id;
    Ok(CadreDetail {
        units: store::unit_history(&state.db, id).await?,
        titles: store::titles(&state.db, id, TitleList::Held).await?,
        plans: store::titles(&state.db, id, TitleList::Planned).await?,
        qualifications: store::qualifications(&state.db, id).await?,
        cadre,
    })
}

/// The path of the unit a roster is limited to: 404 when no unit has the code, 403 when it
/// lies outside the caller's subtree.
pub async fn roster_unit(state: &AppState, scope: &Scope, code: &str) -> AppResult<String> {
    let u = units::store::get(&state.db, code)
        .await?
        .ok_or_else(|| AppError::not_found(crate::msg!(NoUnit, code = code)))?;
    scope.check_path(Some("unit"), &u.path)?;
    Ok(u.path)
}

/// The cadres in the caller's scope that pass the filter, sorted the Vietnamese way, paged,
/// with their total.
pub async fn roster(
    state: &AppState,
    scope: &Scope,
    filter: &CadreFilter,
    page: PageParams,
) -> AppResult<(i64, Vec<CadreView>)> {
    store::list(&state.db, scope, filter, page).await
}

/// Checks that a unit exists, is live, and lies in the caller's scope; returns its record.
async fn unit_in_scope(
    tx: &mut Tx,
    scope: &Scope,
    field: &str,
    code: &str,
) -> AppResult<units::store::UnitRecord> {
    let u = units::store::get(&mut *tx, code.trim()).await?;
    check_unit(u, |u| (&u.path, u.retired_on.is_some()), scope)
        .map_err(|why| why.api_error(field, code))
}

/// A new cadre.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CadreInput {
    /// Full name, family name first.
    pub full_name: String,
    /// Gender.
    pub gender: Gender,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// Ethnicity (e.g. Kinh, Hoa, Khmer).
    pub ethnicity: String,
    /// Ethnic minority; default: true unless the ethnicity is Kinh.
    pub ethnic_minority: Option<bool>,
    /// Religion.
    pub religion: Option<String>,
    /// Date joined the Party.
    pub party_joined_on: Option<NaiveDate>,
    /// CMND (9 digits) or CCCD (12 digits); unique.
    pub personal_id: String,
    /// Home unit code.
    pub unit_code: String,
    /// Organisation.
    pub organisation: Organisation,
    /// Telephone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Active (default true).
    pub active: Option<bool>,
    /// Date the cadre joined the unit (default today; not after today).
    pub unit_since: Option<NaiveDate>,
}

fn check_write(w: &CadreWrite, today: NaiveDate) -> AppResult<()> {
    check_birth_date(w.birth_date, today)?;
    if let Some(p) = w.party_joined_on {
        check_party_date(p, w.birth_date, today)?;
    }
    Ok(())
}

async fn check_personal_id(tx: &mut Tx, pid: &str, except: Option<i64>) -> AppResult<()> {
    if store::personal_id_taken(tx, pid, except).await? {
        return Err(AppError::conflict(
            Some("personal_id"),
            crate::msg!(PersonalIdTaken),
        ));
    }
    Ok(())
}

fn opt_text(field: &str, v: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse_words(field, s, max).map(Some),
    }
}

fn snapshot(c: &CadreView) -> serde_json::Value {
    json!({
        "full_name": c.full_name, "gender": c.gender, "birth_date": c.birth_date, "ethnicity": c.ethnicity,
        "ethnic_minority": c.ethnic_minority, "religion": c.religion, "party_joined_on": c.party_joined_on,
        "unit_code": c.unit_code, "organisation": c.organisation, "phone": c.phone, "email": c.email,
        "active": c.active, "personal_id": "***",
    })
}

/// Creates a cadre: officers only inside their subtree; admin and school anywhere.
pub async fn create(
    state: &AppState,
    user: &AuthUser,
    input: CadreInput,
) -> AppResult<CadreDetail> {
    let scope = user.scope()?;
    let ethnicity = parse_words("ethnicity", &input.ethnicity, 50)?;
    let w = CadreWrite {
        full_name: parse_full_name(&input.full_name)?,
        gender: input.gender,
        birth_date: input.birth_date,
        ethnic_minority: input
            .ethnic_minority
            .unwrap_or_else(|| default_minority(&ethnicity)),
        ethnicity,
        religion: opt_text("religion", input.religion.as_deref(), 50)?,
        party_joined_on: input.party_joined_on,
        personal_id: parse_personal_id(&input.personal_id)?,
        unit_code: input.unit_code.trim().to_string(),
        organisation: input.organisation,
        phone: parse_phone(input.phone.as_deref())?,
        email: parse_email(input.email.as_deref())?,
        active: input.active.unwrap_or(true),
    };
    check_write(&w, state.clock.today())?;
    let since = input.unit_since.unwrap_or_else(|| state.clock.today());
    // A cadre joins a unit (or moves, below) today or earlier: the move applies at once (the
    // roster, the officers' scope), and the imports refuse a later day too.
    not_after_today("unit_since", since, state.clock.today())?;
    let mut tx = state.db.begin().await?;
    unit_in_scope(&mut tx, &scope, "unit_code", &w.unit_code)
        .await?
        .check_existed("unit_since", since)?;
    check_personal_id(&mut tx, w.personal_id.as_str(), None).await?;
    let id = store::insert(&mut tx, &w, since).await?;
    let view = store::get(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::Internal("cadre vanished".into()))?;
    audit::record(
        &mut tx,
        &user.actor(),
        "create",
        "cadre",
        &id.to_string(),
        None,
        Some(snapshot(&view)),
    )
    .await?;
    tx.commit().await?;
    detail(state, view).await
}

/// Changes to a cadre; absent fields stay, `null` clears an optional one. A new `unit_code`
/// is a move, recorded in the unit history on `moved_on` (default today).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CadrePatch {
    /// Full name.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = String)]
    pub full_name: Option<String>,
    /// Gender.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = Gender)]
    pub gender: Option<Gender>,
    /// Date of birth.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = NaiveDate)]
    pub birth_date: Option<NaiveDate>,
    /// Ethnicity.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = String)]
    pub ethnicity: Option<String>,
    /// Ethnic minority.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = bool)]
    pub ethnic_minority: Option<bool>,
    /// Religion.
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub religion: Option<Option<String>>,
    /// Party date.
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub party_joined_on: Option<Option<NaiveDate>>,
    /// Personal id.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = String)]
    pub personal_id: Option<String>,
    /// New unit (a move).
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = String)]
    pub unit_code: Option<String>,
    /// Date of the move (default today; not after today: a move applies at once).
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = NaiveDate)]
    pub moved_on: Option<NaiveDate>,
    /// Organisation.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = Organisation)]
    pub organisation: Option<Organisation>,
    /// Telephone.
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// E-mail.
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Active flag.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = bool)]
    pub active: Option<bool>,
}

/// Whether writing `w` would leave the record `before` as it is.
fn same_record(w: &CadreWrite, before: &CadreView) -> bool {
    w.full_name == before.full_name
        && w.gender == before.gender
        && w.birth_date == before.birth_date
        && w.ethnicity == before.ethnicity
        && w.ethnic_minority == before.ethnic_minority
        && w.religion == before.religion
        && w.party_joined_on == before.party_joined_on
        && w.personal_id.as_str() == before.personal_id
        && w.unit_code == before.unit_code
        && w.organisation == before.organisation
        && w.phone == before.phone
        && w.email == before.email
        && w.active == before.active
}

/// Edits a visible cadre (officers: only moves within their subtree).
pub async fn update(
    state: &AppState,
    user: &AuthUser,
    before: CadreView,
    p: CadrePatch,
) -> AppResult<CadreDetail> {
    let scope = user.scope()?;
    let ethnicity = match &p.ethnicity {
        Some(e) => parse_words("ethnicity", e, 50)?,
        None => before.ethnicity.clone(),
    };
    let w = CadreWrite {
        full_name: match &p.full_name {
            Some(n) => parse_full_name(n)?,
            None => before.full_name.clone(),
        },
        gender: p.gender.unwrap_or(before.gender),
        birth_date: p.birth_date.unwrap_or(before.birth_date),
        ethnic_minority: p.ethnic_minority.unwrap_or(if p.ethnicity.is_some() {
            default_minority(&ethnicity)
        } else {
            before.ethnic_minority
        }),
        ethnicity,
        religion: match &p.religion {
            Some(r) => opt_text("religion", r.as_deref(), 50)?,
            None => before.religion.clone(),
        },
        party_joined_on: p.party_joined_on.unwrap_or(before.party_joined_on),
        personal_id: match &p.personal_id {
            Some(pid) => parse_personal_id(pid)?,
            None => PersonalId::stored(&before.personal_id),
        },
        unit_code: before.unit_code.clone(),
        organisation: p.organisation.unwrap_or(before.organisation),
        phone: match &p.phone {
            Some(v) => parse_phone(v.as_deref())?,
            None => before.phone.clone(),
        },
        email: match &p.email {
            Some(v) => parse_email(v.as_deref())?,
            None => before.email.clone(),
        },
        active: p.active.unwrap_or(before.active),
    };
    let today = state.clock.today();
    check_write(&w, today)?;
    let moving = p
        .unit_code
        .as_deref()
        .map(str::trim)
        .is_some_and(|u| u != before.unit_code);
    if let Some(on) = p.moved_on {
        // A day of a move without a move would be dropped silently.
        if !moving {
            return Err(AppError::invalid(
                "moved_on",
                crate::msg!(MovedOnWithoutMove),
            ));
        }
        not_after_today("moved_on", on, today)?;
    }
    // Nothing to change: nothing written, no audit entry, the record as it is.
    if !moving && same_record(&w, &before) {
        return detail(state, before).await;
    }
    let mut tx = state.db.begin().await?;
    check_personal_id(&mut tx, w.personal_id.as_str(), Some(before.id)).await?;
    if w.birth_date != before.birth_date {
        if let Some(first) = store::first_title_day(&mut tx, before.id).await? {
            if check_title_age(first, w.birth_date).is_err() {
                return Err(AppError::conflict(
                    Some("birth_date"),
                    crate::msg!(BirthAfterTitles, date = first.to_string()),
                ));
            }
        }
        // Nor after a completion or qualification on record (each is dated after the birth).
        if let Some(first) = store::first_record_day(&mut tx, before.id).await? {
            if first < w.birth_date {
                return Err(AppError::conflict(
                    Some("birth_date"),
                    crate::msg!(BirthAfterRecords, date = first.to_string()),
                ));
            }
        }
    }
    if !w.active && active_now(&mut tx, before.id).await? {
        // No inactive cadre holds a title beyond today (`rules::lasts_beyond`).
        let lasting = store::lasting_titles(&mut tx, before.id, today).await?;
        if !lasting.is_empty() {
            return Err(AppError::conflict(
                Some("active"),
                crate::msg!(CadreHoldsTitles, titles = lasting.join(", ")),
            ));
        }
        // Nor a seat or a waitlist place in a class not over (the sign-in sheet, the promotion).
        let seats = store::seats_held(&mut tx, before.id).await?;
        if !seats.is_empty() {
            return Err(AppError::conflict(
                Some("active"),
                crate::msg!(CadreHoldsSeats, classes = seats.join(", ")),
            ));
        }
    }
    store::update(&mut tx, before.id, &w).await?;
    if let Some(to) = p
        .unit_code
        .as_deref()
        .map(str::trim)
        .filter(|u| *u != before.unit_code)
    {
        let u = unit_in_scope(&mut tx, &scope, "unit_code", to).await?;
        let on = p.moved_on.unwrap_or_else(|| state.clock.today());
        u.check_existed("moved_on", on)?;
        store::move_unit(&mut tx, before.id, &u.code, on).await?;
        // No title held in another ward is carried along (`rules::on_line`).
        let sqlite = tx.is_sqlite();
        let filter = format!("c.id {}", crate::db::in_ids(sqlite, 1));
        let param = crate::db::id_param(sqlite, &[before.id]);
        let off =
            store::titles_off_line(&mut tx, &filter, &param, store::Within::CurrentUnit).await?;
        if !off.is_empty() {
            let titles: Vec<String> = off.into_iter().map(|o| o.label).collect();
            return Err(AppError::conflict(
                Some("unit_code"),
                crate::msg!(
                    CadreHoldsTitlesElsewhere,
                    titles = titles.join(", "),
                    date = on.to_string()
                ),
            ));
        }
    }
    let after = store::get(&mut tx, before.id)
        .await?
        .ok_or_else(|| AppError::Internal("cadre vanished".into()))?;
    let action = if after.unit_code != before.unit_code {
        "move"
    } else {
        "update"
    };
    audit::record(
        &mut tx,
        &user.actor(),
        action,
        "cadre",
        &before.id.to_string(),
        Some(snapshot(&before)),
        Some(snapshot(&after)),
    )
    .await?;
    tx.commit().await?;
    detail(state, after).await
}

/// A title held or planned.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodInput {
    /// Title code, e.g. `FF-CHAIR-COMMUNE`.
    pub title_code: String,
    /// Unit the title sits in (default: the cadre's unit); its level must be the title's.
    pub unit_code: Option<String>,
    /// From (inclusive).
    pub from_date: NaiveDate,
    /// Until (inclusive), if known.
    pub to_date: Option<NaiveDate>,
}

/// What the audit trail calls a period of this list.
fn period_entity(which: TitleList) -> &'static str {
    if which == TitleList::Held {
        "title_assignment"
    } else {
        "succession_plan"
    }
}

/// Records a title a visible cadre holds, or is planned for, with its period.
pub async fn add_period(
    state: &AppState,
    user: &AuthUser,
    cadre: CadreView,
    input: PeriodInput,
    which: TitleList,
) -> AppResult<CadreDetail> {
    let scope = user.scope()?;
    check_period(input.from_date, input.to_date)?;
    check_title_age(input.from_date, cadre.birth_date).map_err(|adult| {
        AppError::invalid(
            "from_date",
            crate::msg!(TitleBeforeAdulthood, date = adult.to_string()),
        )
    })?;
    let mut tx = state.db.begin().await?;
    check_inactive_period(state, &mut tx, &cadre, input.to_date).await?;
    let title = titles::by_code(&mut tx, input.title_code.trim())
        .await?
        .filter(|t| t.active)
        .ok_or_else(|| {
            AppError::invalid(
                "title_code",
                crate::msg!(NoActiveTitle, code = input.title_code),
            )
        })?;
    let unit_code = input
        .unit_code
        .clone()
        .unwrap_or_else(|| cadre.unit_code.clone());
    // A period that ended before its unit was retired (a term before the 2025 reorganisation)
    // is recorded there; nothing lasting starts in a retired unit.
    let to = input.to_date;
    let unit = units::store::get(&mut tx, unit_code.trim()).await?;
    let unit = check_unit(
        unit,
        |u| {
            (
                &u.path,
                u.retired_on.is_some_and(|r| to.is_none_or(|t| t >= r)),
            )
        },
        &scope,
    )
    .map_err(|why| why.api_error("unit_code", &unit_code))?;
    unit.check_existed("from_date", input.from_date)?;
    check_title_level(
        &title.code,
        &title.level,
        &unit.code,
        unit_level(&unit.kind),
    )?;
    let period = Span {
        from: input.from_date,
        to: input.to_date,
    };
    let others = store::title_spans(&mut tx, which, cadre.id, title.id).await?;
    if overlaps_another(period, others.into_iter().map(|(_, s)| s)) {
        return Err(AppError::conflict(
            Some("from_date"),
            crate::msg!(TitleOverlap),
        ));
    }
    if which == TitleList::Held {
        let held = (title.code.as_str(), unit.code.as_str(), unit.path.as_str());
        check_on_line(&mut tx, cadre.id, held, period, "unit_code").await?;
        let role = Role {
            title: &title.code,
            org: &title.org_kind,
            unit: &unit.code,
            span: period,
        };
        check_one_role(&mut tx, cadre.id, None, role, "title_code").await?;
    }
    let pid = store::insert_title(
        &mut tx,
        which,
        cadre.id,
        title.id,
        &unit.code,
        input.from_date,
        input.to_date,
    )
    .await?;
    audit::record(&mut tx, &user.actor(), "create", period_entity(which), &pid.to_string(), None,
        Some(json!({"cadre_id": cadre.id, "title": title.code, "unit_code": unit.code, "from_date": input.from_date, "to_date": input.to_date}))).await?;
    tx.commit().await?;
    detail(state, cadre).await
}

/// A held title (code, its unit's code and path) over `period` stays on the line of the
/// cadre's unit on every day they share ([`first_off_line`]); else 422 `title_off_line` naming
/// `field`.
async fn check_on_line(
    tx: &mut Tx,
    cadre: i64,
    (title, unit, path): (&str, &str, &str),
    period: Span,
    field: &str,
) -> AppResult<()> {
    let rows = store::home_spans(tx, cadre).await?;
    let homes: Vec<HomeSpan> = rows
        .iter()
        .map(|(code, path, from, until)| HomeSpan {
            code,
            path,
            from: *from,
            until: *until,
        })
        .collect();
    match first_off_line(path, period, &homes) {
        None => Ok(()),
        Some((home, day)) => Err(AppError::invalid(
            field,
            crate::msg!(
                TitleOffLine,
                title = title,
                unit = unit,
                home = home.code,
                date = day.to_string()
            ),
        )),
    }
}

/// A held title (`role`) is the cadre's only one of its organisation in its unit on its days
/// ([`same_organisation`]), period `except` (the one changing) set aside; else 409
/// `title_same_organisation` naming `field`.
async fn check_one_role(
    tx: &mut Tx,
    cadre: i64,
    except: Option<i64>,
    role: Role<'_>,
    field: &str,
) -> AppResult<()> {
    let rows = store::held_roles(tx, cadre).await?;
    let held: Vec<Role> = rows
        .iter()
        .filter(|r| Some(r.0) != except)
        .map(|(_, title, org, unit, from, to)| Role {
            title,
            org,
            unit,
            span: Span {
                from: *from,
                to: *to,
            },
        })
        .collect();
    match same_organisation(role, &held) {
        None => Ok(()),
        Some((other, day)) => Err(AppError::conflict(
            Some(field),
            crate::msg!(
                TitleSameOrganisation,
                title = role.title,
                other = other.title,
                unit = role.unit,
                date = day.to_string()
            ),
        )),
    }
}

/// An inactive cadre is given no title period lasting beyond today ([`lasts_beyond`]): a
/// period that ended by then may be recorded. Names `to_date`.
async fn check_inactive_period(
    state: &AppState,
    tx: &mut Tx,
    cadre: &CadreView,
    to: Option<NaiveDate>,
) -> AppResult<()> {
    if lasts_beyond(to, state.clock.today()) && !active_now(tx, cadre.id).await? {
        return Err(AppError::conflict(
            Some("to_date"),
            crate::msg!(InactiveTakesNoTitle),
        ));
    }
    Ok(())
}

/// Whether the cadre is active, as `tx` reads it with the row locked
/// ([`store::active_locked`]).
async fn active_now(tx: &mut Tx, id: i64) -> AppResult<bool> {
    store::active_locked(tx, id)
        .await?
        .ok_or_else(|| AppError::Internal("cadre vanished".into()))
}

/// Ending a title period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndInput {
    /// Last day (inclusive); `null` reopens the period. Required: a body without it changes
    /// nothing and is refused (422 naming `to_date`).
    #[serde(deserialize_with = "Option::deserialize")]
    #[schema(required = true)]
    pub to_date: Option<NaiveDate>,
}

/// Sets (or clears) the end of period `pid` of a visible cadre.
pub async fn end_period(
    state: &AppState,
    user: &AuthUser,
    cadre: CadreView,
    pid: i64,
    input: EndInput,
    which: TitleList,
) -> AppResult<CadreDetail> {
    let mut tx = state.db.begin().await?;
    let (title_id, from, old_to, unit_code, title_code) =
        store::title_period(&mut tx, which, cadre.id, pid)
            .await?
            .ok_or_else(|| {
                AppError::not_found(crate::msg!(NoPeriodOfCadre, id = pid, cadre = cadre.id))
            })?;
    check_period(from, input.to_date)?;
    // A term is not prolonged into its unit's retirement (nor reopened there), as none is
    // recorded there: the reports would count it in the successor's unit from that day.
    let to = input.to_date;
    let later = |a: Option<NaiveDate>, b: Option<NaiveDate>| match (a, b) {
        (None, Some(_)) => true,
        (Some(a), Some(b)) => a > b,
        _ => false,
    };
    if let Some(retired) = units::store::get(&mut tx, &unit_code)
        .await?
        .and_then(|u| u.retired_on)
    {
        if to.is_none_or(|t| t >= retired) && later(to, old_to) {
            return Err(AppError::invalid(
                "to_date",
                crate::msg!(UnitGone, code = unit_code, date = retired.to_string()),
            ));
        }
    }
    check_inactive_period(state, &mut tx, &cadre, input.to_date).await?;
    let period = Span {
        from,
        to: input.to_date,
    };
    let others = store::title_spans(&mut tx, which, cadre.id, title_id).await?;
    let others = others.into_iter().filter(|(id, _)| *id != pid);
    if overlaps_another(period, others.map(|(_, s)| s)) {
        return Err(AppError::conflict(
            Some("to_date"),
            crate::msg!(TitleOverlap),
        ));
    }
    if which == TitleList::Held && later(input.to_date, old_to) {
        let unit = units::store::get(&mut tx, &unit_code)
            .await?
            .ok_or_else(|| AppError::Internal("title unit vanished".into()))?;
        let title = (title_code.as_str(), unit.code.as_str(), unit.path.as_str());
        check_on_line(&mut tx, cadre.id, title, period, "to_date").await?;
        let org = titles::by_code(&mut tx, &title_code)
            .await?
            .map(|t| t.org_kind)
            .unwrap_or_default();
        let role = Role {
            title: &title_code,
            org: &org,
            unit: &unit.code,
            span: period,
        };
        check_one_role(&mut tx, cadre.id, Some(pid), role, "to_date").await?;
    }
    store::end_title(&mut tx, which, pid, input.to_date).await?;
    audit::record(
        &mut tx,
        &user.actor(),
        "update",
        period_entity(which),
        &pid.to_string(),
        Some(json!({"to_date": old_to})),
        Some(json!({"to_date": input.to_date})),
    )
    .await?;
    tx.commit().await?;
    detail(state, cadre).await
}

/// A list of qualifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct QualificationList {
    /// The qualifications.
    pub items: Vec<QualificationView>,
}

/// The qualifications a visible cadre holds.
pub async fn qualifications(state: &AppState, cadre: &CadreView) -> AppResult<QualificationList> {
    Ok(QualificationList {
        items: store::qualifications(&state.db, cadre.id).await?,
    })
}

/// A qualification entered by hand or from an old register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualificationInput {
    /// Scale code, e.g. `political_theory`.
    pub scale: String,
    /// Level code on that scale, e.g. `intermediate`.
    pub level: String,
    /// Date obtained.
    pub obtained_on: NaiveDate,
    /// Issuing body.
    #[serde(default)]
    pub issuer: String,
    /// Evidence (diploma number, …).
    #[serde(default)]
    pub evidence: String,
    /// Where the record comes from (register, file), for provenance.
    #[serde(default)]
    pub source_ref: String,
}

/// Records a qualification a visible cadre holds (by hand, with provenance); gives all of
/// their qualifications.
pub async fn add_qualification(
    state: &AppState,
    user: &AuthUser,
    cadre: CadreView,
    q: QualificationInput,
) -> AppResult<QualificationList> {
    if let Err(why) = check_life_date(q.obtained_on, cadre.birth_date, state.clock.today()) {
        if let Some(e) = why.api_error("obtained_on") {
            return Err(e);
        }
    }
    for (field, v) in [
        ("issuer", &q.issuer),
        ("evidence", &q.evidence),
        ("source_ref", &q.source_ref),
    ] {
        if v.chars().count() > 300 {
            return Err(AppError::invalid(
                field,
                crate::msg!(TooLong, field = field, max = 300),
            ));
        }
    }
    let mut tx = state.db.begin().await?;
    crate::curriculum::store::check_level(
        &mut tx,
        q.scale.trim(),
        q.level.trim(),
        ("scale", "level"),
    )
    .await?;
    // One qualification per scale, level and day (the imports' and the exchange's key): the
    // cadre's row is locked while it is checked, so two at once give one.
    store::unit_of_locked(&mut tx, cadre.id).await?;
    let (scale, level) = (q.scale.trim(), q.level.trim());
    if store::qualification_on_record(&mut tx, cadre.id, scale, level, q.obtained_on).await? {
        return Err(AppError::conflict(
            Some("obtained_on"),
            crate::msg!(
                QualificationOnRecord,
                scale = scale,
                level = level,
                date = q.obtained_on.to_string()
            ),
        ));
    }
    let qid = store::insert_qualification(
        &mut tx,
        cadre.id,
        &QualificationWrite {
            scale: q.scale.trim(),
            level: q.level.trim(),
            obtained_on: q.obtained_on,
            issuer: q.issuer.trim(),
            evidence: q.evidence.trim(),
            source: "manual",
            source_ref: q.source_ref.trim(),
            completion_id: None,
        },
    )
    .await?;
    audit::record(&mut tx, &user.actor(), "create", "qualification", &qid.to_string(), None,
        Some(json!({"cadre_id": cadre.id, "scale": q.scale, "level": q.level, "obtained_on": q.obtained_on}))).await?;
    tx.commit().await?;
    qualifications(state, &cadre).await
}

/// Changes to a qualification recorded by hand or imported: its provenance, or its revocation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualificationPatch {
    /// Issuing body.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = String)]
    pub issuer: Option<String>,
    /// Evidence (diploma number, …).
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = String)]
    pub evidence: Option<String>,
    /// Where the record comes from (register, file).
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = String)]
    pub source_ref: Option<String>,
    /// The day it stopped counting (revoked, found void); `null` reinstates it.
    #[serde(default, deserialize_with = "crate::api::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub revoked_on: Option<Option<NaiveDate>>,
    /// Why it was revoked or reinstated (required with `revoked_on`; kept in the audit trail).
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = String)]
    pub reason: Option<String>,
}

/// The longest revocation reason.
const REASON_MAX: usize = 500;

/// Edits the provenance of qualification `qid` of a visible cadre, or revokes or reinstates it;
/// gives all of their qualifications. A qualification a class completion awarded changes only
/// with its certificate (409).
pub async fn update_qualification(
    state: &AppState,
    user: &AuthUser,
    cadre: CadreView,
    qid: i64,
    patch: QualificationPatch,
) -> AppResult<QualificationList> {
    for (field, v) in [
        ("issuer", &patch.issuer),
        ("evidence", &patch.evidence),
        ("source_ref", &patch.source_ref),
    ] {
        if v.as_deref().is_some_and(|v| v.chars().count() > 300) {
            return Err(AppError::invalid(
                field,
                crate::msg!(TooLong, field = field, max = 300),
            ));
        }
    }
    let reason = patch.reason.as_deref().map(str::trim).unwrap_or("");
    if patch.revoked_on.is_some() && reason.is_empty() {
        return Err(AppError::invalid(
            "reason",
            crate::msg!(QualificationReasonNeeded),
        ));
    }
    if patch.revoked_on.is_none() && patch.reason.is_some() {
        return Err(AppError::invalid(
            "reason",
            crate::msg!(ReasonOnlyWithRevocation),
        ));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::invalid(
            "reason",
            crate::msg!(TooLong, field = "reason", max = REASON_MAX),
        ));
    }
    let mut tx = state.db.begin().await?;
    let before = store::qualification(&mut tx, cadre.id, qid)
        .await?
        .ok_or_else(|| {
            AppError::not_found(crate::msg!(NoQualification, id = qid, cadre = cadre.id))
        })?;
    if before.view.source == "completion" {
        return Err(AppError::conflict(
            Some("source"),
            crate::msg!(QualificationFromClass),
        ));
    }
    if let Some(Some(day)) = patch.revoked_on {
        if day < before.view.obtained_on || day > state.clock.today() {
            return Err(AppError::invalid(
                "revoked_on",
                crate::msg!(QualificationRevokedRange),
            ));
        }
    }
    let text = |new: &Option<String>, old: &str| {
        new.as_deref()
            .map_or(old.to_owned(), |v| v.trim().to_owned())
    };
    let after = QualificationChange {
        issuer: text(&patch.issuer, &before.view.issuer),
        evidence: text(&patch.evidence, &before.view.evidence),
        source_ref: text(&patch.source_ref, &before.view.source_ref),
        revoked_on: patch.revoked_on.unwrap_or(before.revoked_on),
    };
    store::update_qualification(&mut tx, qid, &after).await?;
    audit::record(
        &mut tx,
        &user.actor(),
        "update",
        "qualification",
        &qid.to_string(),
        Some(
            json!({"issuer": before.view.issuer, "evidence": before.view.evidence,
            "source_ref": before.view.source_ref, "revoked_on": before.revoked_on}),
        ),
        Some(json!({"issuer": after.issuer, "evidence": after.evidence,
            "source_ref": after.source_ref, "revoked_on": after.revoked_on,
            "reason": (!reason.is_empty()).then_some(reason)})),
    )
    .await?;
    tx.commit().await?;
    qualifications(state, &cadre).await
}
