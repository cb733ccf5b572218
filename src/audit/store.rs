//! Storage of audit entries. Entries are written inside the transaction of the change they record.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::api::PageParams;
use crate::db::{Db, Tx};
use crate::error::AppResult;
use crate::{on_db, on_tx};

/// Who made a change: an account, or the system (command line, start-up).
#[derive(Debug, Clone)]
pub struct Actor {
    /// Account id, `None` for the system.
    pub id: Option<i64>,
    /// Username, or `system`.
    pub username: String,
}

impl Actor {
    /// The actor for changes made by the service itself or its command line.
    pub fn system() -> Self {
        Actor {
            id: None,
            username: "system".into(),
        }
    }
}

/// Records one change in the audit trail, inside the caller's transaction.
pub async fn record(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> AppResult<()> {
    let before = before.map(|v| v.to_string());
    let after = after.map(|v| v.to_string());
    on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, actor, action, entity, entity_id, before_json, after_json)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(Utc::now())
        .bind(actor.id)
        .bind(&actor.username)
        .bind(action)
        .bind(entity)
        .bind(entity_id)
        .bind(&before)
        .bind(&after)
        .execute(&mut *c)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// One audit entry as stored.
#[derive(Debug, sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    before_json: Option<String>,
    after_json: Option<String>,
}

/// One audit entry as served.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    /// Entry id.
    pub id: i64,
    /// When the change committed.
    pub at: DateTime<Utc>,
    /// Account id of the actor (absent for the system).
    pub actor_id: Option<i64>,
    /// Username of the actor.
    pub actor: String,
    /// What was done (`create`, `update`, `deactivate`, `import`, …).
    pub action: String,
    /// Kind of record (`account`, `unit`, `unit_import`, …).
    pub entity: String,
    /// Id or code of the record.
    pub entity_id: String,
    /// State before the change.
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// State after the change.
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
}

/// Filters of the audit list.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// Only this kind of record.
    pub entity: Option<String>,
    /// Only this record id.
    pub entity_id: Option<String>,
    /// Only changes by this username.
    pub actor: Option<String>,
    /// Changes at or after.
    pub from: Option<DateTime<Utc>>,
    /// Changes before.
    pub to: Option<DateTime<Utc>>,
}

/// How far past a page's start the audit list counts its matches: the trail only grows (millions
/// of entries after some years), and at two million entries an exact count of them all cost
/// 130–210 ms a page on PostgreSQL (BENCHMARKS.md, "The audit list at two million entries").
/// Beyond it the total is a lower bound ([`Counted::exact`] false).
pub const COUNT_AHEAD: i64 = 10_000;

/// How many entries match: exactly, or at least this many (the count stopped at
/// [`COUNT_AHEAD`] past the page's start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// The count.
    pub total: i64,
    /// Whether it is every match (else there are more).
    pub exact: bool,
}

/// Lists audit entries, newest first, with how many match ([`Counted`]): from the page itself
/// when it is the last ([`PageParams::total_from_page`]), else counted up to [`COUNT_AHEAD`] past
/// its start.
pub async fn list(
    db: &Db,
    f: &AuditFilter,
    page: PageParams,
) -> AppResult<(Counted, Vec<AuditEntry>)> {
    let mut conds = Vec::new();
    let mut n = 0;
    let mut next = |col: &str, op: &str| {
        n += 1;
        format!("{col} {op} ${n}")
    };
    if f.entity.is_some() {
        conds.push(next("entity", "="));
    }
    if f.entity_id.is_some() {
        conds.push(next("entity_id", "="));
    }
    if f.actor.is_some() {
        conds.push(next("actor", "="));
    }
    if f.from.is_some() {
        conds.push(next("at", ">="));
    }
    if f.to.is_some() {
        conds.push(next("at", "<"));
    }
    let where_sql = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    let bound = page.offset.saturating_add(COUNT_AHEAD);
    let count_sql =
        format!("SELECT COUNT(*) FROM (SELECT 1 FROM audit_log {where_sql} LIMIT {bound}) m");
    let list_sql = format!(
        "SELECT id, at, actor_id, actor, action, entity, entity_id, before_json, after_json
         FROM audit_log {where_sql} ORDER BY at DESC, id DESC LIMIT {} OFFSET {}",
        page.limit, page.offset
    );
    macro_rules! bind_all {
        ($q:expr) => {{
            let mut q = $q;
            if let Some(v) = &f.entity {
                q = q.bind(v);
            }
            if let Some(v) = &f.entity_id {
                q = q.bind(v);
            }
            if let Some(v) = &f.actor {
                q = q.bind(v);
            }
            if let Some(v) = &f.from {
                q = q.bind(v);
            }
            if let Some(v) = &f.to {
                q = q.bind(v);
            }
            q
        }};
    }
    let (total, rows): (i64, Vec<AuditRow>) = on_db!(db, |p| {
        let rows: Vec<AuditRow> = bind_all!(sqlx::query_as(&list_sql)).fetch_all(p).await?;
        let total = match page.total_from_page(rows.len()) {
            Some(total) => total,
            None => {
                bind_all!(sqlx::query_scalar(&count_sql))
                    .fetch_one(p)
                    .await?
            }
        };
        (total, rows)
    });
    let total = Counted {
        total,
        exact: total < bound,
    };
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok((
        total,
        rows.into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                actor_id: r.actor_id,
                actor: r.actor,
                action: r.action,
                entity: r.entity,
                entity_id: r.entity_id,
                before: parse(r.before_json),
                after: parse(r.after_json),
            })
            .collect(),
    ))
}
