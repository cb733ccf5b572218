//! Notices: telling of events inside their transactions, and each account's inbox and settings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::domain::{render, NoticeKind};
use super::store::{self, NewNotice, Seats};
use crate::api::{Page, PageParams};
use crate::auth::AuthUser;
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::reasons::Lang;
use crate::state::AppState;

/// What every notice written by one request shares: when, and whether e-mail is on.
#[derive(Debug, Clone, Copy)]
pub struct Notifier {
    /// The moment of the event (the city clock's now).
    pub at: DateTime<Utc>,
    /// Whether the server sends e-mail (an SMTP host is configured).
    pub mail_on: bool,
}

impl Notifier {
    /// The notifier of a request: now by the city clock, e-mail as configured.
    pub fn of(state: &AppState) -> Notifier {
        Notifier {
            at: state.clock.now(),
            mail_on: state.config.mail_enabled(),
        }
    }

    /// Tells a cadre (and the officers of their unit) of an event, in the caller's transaction.
    pub async fn tell(
        &self,
        tx: &mut Tx,
        cadre_id: i64,
        class_id: Option<i64>,
        kind: NoticeKind,
        params: Value,
    ) -> AppResult<u64> {
        self.tell_once(tx, cadre_id, class_id, kind, params, None)
            .await
    }

    /// As [`Notifier::tell`], at most once per `dedupe` key and account (reminders).
    pub async fn tell_once(
        &self,
        tx: &mut Tx,
        cadre_id: i64,
        class_id: Option<i64>,
        kind: NoticeKind,
        params: Value,
        dedupe: Option<&str>,
    ) -> AppResult<u64> {
        let params = match params {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        store::notify(
            tx,
            NewNotice {
                cadre_id,
                class_id,
                kind,
                params,
                dedupe,
                at: self.at,
                mail_on: self.mail_on,
            },
        )
        .await
    }

    /// Tells every cadre of a class holding a seat, a waitlist place or either (`seats`).
    pub async fn tell_class(
        &self,
        tx: &mut Tx,
        class_id: i64,
        seats: Seats,
        kind: NoticeKind,
        params: Value,
    ) -> AppResult<u64> {
        let mut n = 0;
        for cadre in store::class_cadres(tx, class_id, seats).await? {
            n += self
                .tell(tx, cadre, Some(class_id), kind, params.clone())
                .await?;
        }
        Ok(n)
    }
}

/// A notice as its reader sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeView {
    /// Id.
    pub id: i64,
    /// What it tells of.
    pub kind: NoticeKind,
    /// Its subject, in the reader's language.
    pub subject: String,
    /// Its text, in the reader's language.
    pub text: String,
    /// The values its words name (codes, ISO days, numbers, names).
    #[schema(value_type = Object)]
    pub params: Map<String, Value>,
    /// The cadre it is about.
    pub cadre_id: Option<i64>,
    /// Written at.
    pub created_at: DateTime<Utc>,
    /// Read at (absent: unread).
    pub read_at: Option<DateTime<Utc>>,
    /// Its e-mail: `none` (not mailed), `pending`, `sent` or `failed`.
    pub mail: String,
}

/// One page of an account's notices with its unread count.
#[derive(Debug, Serialize, ToSchema)]
pub struct Inbox {
    /// Unread notices of the account (whatever the page).
    pub unread: i64,
    /// The page.
    #[serde(flatten)]
    pub page: Page<NoticeView>,
}

/// The caller's notices, newest first, in `lang` (default: the account's language).
pub async fn inbox(
    state: &AppState,
    user: &AuthUser,
    unread_only: bool,
    lang: Option<Lang>,
    page: PageParams,
) -> AppResult<Inbox> {
    let lang = match lang {
        Some(l) => l,
        None => account_lang(state, user.id).await?,
    };
    let (total, unread, rows) = store::list(&state.db, user.id, unread_only, page).await?;
    let items = rows
        .into_iter()
        .filter_map(|r| {
            let kind = NoticeKind::parse(&r.kind)?;
            let params = match serde_json::from_str(&r.params) {
                Ok(Value::Object(m)) => m,
                _ => Map::new(),
            };
            let (subject, text) = render(kind, &params, lang);
            Some(NoticeView {
                id: r.id,
                kind,
                subject,
                text,
                params,
                cadre_id: r.cadre_id,
                created_at: r.created_at,
                read_at: r.read_at,
                mail: r.mail_state,
            })
        })
        .collect();
    Ok(Inbox {
        unread,
        page: Page {
            total,
            limit: page.limit,
            offset: page.offset,
            items,
        },
    })
}

async fn account_lang(state: &AppState, account: i64) -> AppResult<Lang> {
    let (row, _) = store::settings(&state.db, account).await?;
    Ok(Lang::parse(&row.lang).unwrap_or_default())
}

/// The caller's unread count.
pub async fn unread(state: &AppState, user: &AuthUser) -> AppResult<i64> {
    store::unread(&state.db, user.id).await
}

/// Marks one of the caller's notices read (404 if the caller has no such notice).
pub async fn mark_read(state: &AppState, user: &AuthUser, id: i64) -> AppResult<i64> {
    let mut tx = state.db.begin().await?;
    if !store::mark_read(&mut tx, user.id, id, state.clock.now()).await? {
        return Err(AppError::not_found(crate::msg!(NoNotice, id = id)));
    }
    tx.commit().await?;
    unread(state, user).await
}

/// Marks every notice of the caller read; answers the unread count (0).
pub async fn mark_all_read(state: &AppState, user: &AuthUser) -> AppResult<i64> {
    let mut tx = state.db.begin().await?;
    store::mark_all_read(&mut tx, user.id, state.clock.now()).await?;
    tx.commit().await?;
    unread(state, user).await
}

/// An account's notice settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticeSettings {
    /// The account's own e-mail address (absent: its cadre's is used, if any).
    pub email: Option<String>,
    /// The address e-mail goes to: the account's, else its cadre's; absent: none is sent.
    pub mail_to: Option<String>,
    /// The language of its notices and e-mail: `vi` or `en`.
    pub lang: String,
    /// The kinds it gets no e-mail of (the inbox still has them).
    pub email_off: Vec<NoticeKind>,
    /// Every kind of notice.
    pub kinds: Vec<NoticeKind>,
    /// Whether this server sends e-mail at all.
    pub mail_enabled: bool,
}

/// New notice settings (every field replaces the stored one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsInput {
    /// The account's own address; empty or absent: none (its cadre's is then used).
    pub email: Option<String>,
    /// `vi` or `en`.
    pub lang: String,
    /// The kinds to get no e-mail of.
    #[serde(default)]
    pub email_off: Vec<String>,
}

/// The caller's settings.
pub async fn settings(state: &AppState, user: &AuthUser) -> AppResult<NoticeSettings> {
    let (row, off) = store::settings(&state.db, user.id).await?;
    Ok(NoticeSettings {
        mail_to: row.email.clone().or(row.cadre_email),
        email: row.email,
        lang: row.lang,
        email_off: off.iter().filter_map(|k| NoticeKind::parse(k)).collect(),
        kinds: NoticeKind::ALL.to_vec(),
        mail_enabled: state.config.mail_enabled(),
    })
}

/// Replaces the caller's settings: the address is checked, the language is `vi` or `en`, every
/// kind turned off is a kind.
pub async fn update_settings(
    state: &AppState,
    user: &AuthUser,
    input: SettingsInput,
) -> AppResult<NoticeSettings> {
    let email = crate::cadres::domain::parse_email(input.email.as_deref())?;
    let lang = Lang::named("lang", &input.lang)?;
    let mut off = vec![];
    for k in &input.email_off {
        let kind = NoticeKind::parse(k.trim()).ok_or_else(|| {
            AppError::invalid(
                "email_off",
                crate::msg!(OneOf, field = "email_off", values = kind_names()),
            )
        })?;
        if !off.contains(&kind) {
            off.push(kind);
        }
    }
    let mut tx = state.db.begin().await?;
    store::set_settings(&mut tx, user.id, email.as_deref(), lang.as_str(), &off).await?;
    crate::audit::record(
        &mut tx,
        &user.actor(),
        "notice_settings",
        "account",
        &user.id.to_string(),
        None,
        Some(serde_json::json!({"lang": lang.as_str(), "email_set": email.is_some(), "email_off": off})),
    )
    .await?;
    tx.commit().await?;
    settings(state, user).await
}

fn kind_names() -> String {
    NoticeKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
