//! The rules and transactions of enrolments: enrolling (who may enrol whom, the window,
//! prerequisites, time clashes, then the seat or waitlist place under the class's lock),
//! withdrawing (the waitlist promoted in the same transaction), and a class's edit, served here
//! because its capacity decides the seats.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::domain::{self, EnrolmentSource, EnrolmentStatus};
use super::store::{self, EnrolmentFilter, EnrolmentView};
use crate::api::PageParams;
use crate::audit::{self, Actor};
use crate::auth::{AuthUser, Role};
use crate::cadres;
use crate::classes::{self, service::ClassView};
use crate::db::Tx;
use crate::error::{AppError, AppResult};
use crate::notices::{NoticeKind, Notifier};
use crate::state::AppState;

/// A class's enrolments: a page of them when `limit` or `offset` is given.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentList {
    /// Seats.
    pub capacity: i64,
    /// Seats taken by the cadres you see (whatever the filter).
    pub enrolled: i64,
    /// The cadres you see on the waitlist (whatever the filter).
    pub waitlisted: i64,
    /// Enrolments matching the filter (all pages).
    pub total: i64,
    /// Rows per page (the whole list without `limit` and `offset`).
    pub limit: i64,
    /// Rows skipped.
    pub offset: i64,
    /// Waitlisted enrolments this change gave a seat to (a withdrawal's answer; empty otherwise).
    pub promoted: Vec<i64>,
    /// Enrolled first, then the waitlist in order, then ended enrolments.
    pub items: Vec<EnrolmentView>,
}

/// The enrolments of a class the caller may see, of the cadres in the caller's scope: those the
/// filter keeps, a page of them when one is asked for.
pub async fn list(
    state: &AppState,
    user: &AuthUser,
    code: &str,
    filter: &EnrolmentFilter,
    page: Option<PageParams>,
) -> AppResult<EnrolmentList> {
    let class = classes::service::visible(state, user, code).await?;
    let p = store::page_for_class(
        &state.db,
        class.id,
        &user.scope()?,
        filter,
        page.map(|p| p.limit),
        page.map_or(0, |p| p.offset),
    )
    .await?;
    Ok(EnrolmentList {
        capacity: class.capacity,
        enrolled: p.enrolled,
        waitlisted: p.waitlisted,
        total: p.total,
        limit: page.map_or(p.items.len() as i64, |p| p.limit),
        offset: page.map_or(0, |p| p.offset),
        promoted: vec![],
        items: p.items,
    })
}

/// Enrols a cadre (the one named, or a cadre account's own record) in a class, in a seat or at
/// the end of the waitlist, with its audit entry. Refused: the commission (403), a class or cadre
/// the caller may not see, an inactive cadre, a class not open or outside its window, a class
/// begun (cadres and officers; the school adds late participants), a missing
/// or stale prerequisite, a time clash with another of the cadre's classes, a cadre already in
/// the class.
pub async fn enrol(
    state: &AppState,
    user: &AuthUser,
    code: &str,
    cadre_id: Option<i64>,
) -> AppResult<EnrolmentView> {
    let source = EnrolmentSource::of_role(user.role)?;
    let cadre_id = domain::cadre_to_enrol(user.role, user.cadre_id, cadre_id)?;
    let class = classes::service::visible(state, user, code).await?;
    let cadre = cadres::service::visible(state, user, cadre_id)
        .await
        .map_err(|_| AppError::invalid("cadre_id", crate::msg!(NoCadreToEnrol, id = cadre_id)))?;
    if !cadre.active {
        return Err(AppError::invalid("cadre_id", crate::msg!(CadreInactive)));
    }
    let today = state.clock.today();
    domain::open_for_enrolment(
        &class.code,
        class.status,
        class.enrol_opens,
        class.enrol_closes,
        today,
    )?;
    let first_start = classes::store::sessions(&state.db, &[class.id])
        .await?
        .remove(&class.id)
        .and_then(|s| s.into_iter().map(|s| s.starts_at).min());
    domain::before_it_begins(source, &class.code, first_start, &state.clock)?;
    let mut tx = state.db.begin().await?;
    // The cadre's own checks (prerequisites, time clashes) first, outside the class lock: they do
    // not depend on the seats, and the lock is then held only for the seat decision and the write.
    let prereqs = store::prerequisites(&mut tx, class.module_id).await?;
    if !prereqs.is_empty() {
        let ids: Vec<i64> = prereqs.iter().map(|p| p.0).collect();
        let done = store::completions_of(&mut tx, cadre.id, &ids).await?;
        domain::check_prerequisites(&prereqs, &done, today)?;
    }
    if let Some(c) = classes::store::cadre_clash(&mut tx, class.id, Some(cadre.id)).await? {
        return Err(AppError::conflict(Some("cadre_id"), {
            let (date, start, end) =
                classes::domain::city_span(&state.clock, c.starts_at, c.ends_at);
            crate::msg!(
                CadreInClass,
                class = c.class_code,
                title = c.class_title,
                date = date,
                start = start,
                end = end
            )
        }));
    }
    let rules = classes::store::lock_for_seats(&mut tx, class.id)
        .await?
        .ok_or_else(|| AppError::not_found(crate::msg!(NoClass, code = class.code)))?;
    // Checked again under the lock: the class may have changed since.
    domain::open_for_enrolment(
        &class.code,
        rules.status,
        rules.enrol_opens,
        rules.enrol_closes,
        today,
    )?;
    let seats = store::seat_state(&mut tx, class.id, cadre.id).await?;
    if let Some(status) = seats.active {
        return Err(AppError::conflict(
            Some("cadre_id"),
            if status == EnrolmentStatus::Waitlisted {
                crate::msg!(AlreadyWaitlisted, class = class.code)
            } else {
                crate::msg!(AlreadyEnrolled, class = class.code)
            },
        ));
    }
    let (status, position) = domain::place(rules.capacity, seats.enrolled, seats.waitlisted);
    let id = store::insert(&mut tx, class.id, cadre.id, status, source, user.id).await?;
    let kind = if status == EnrolmentStatus::Waitlisted {
        NoticeKind::Waitlisted
    } else {
        NoticeKind::Enrolled
    };
    Notifier::of(state)
        .tell(
            &mut tx,
            cadre.id,
            Some(class.id),
            kind,
            json!({"class": class.code, "title": class.title, "position": position}),
        )
        .await?;
    audit::record(&mut tx, &user.actor(), "enrol", "enrolment", &id.to_string(), None,
        Some(json!({"class": class.code, "cadre_id": cadre.id, "status": status, "position": position, "source": source}))).await?;
    tx.commit().await?;
    // Read after the commit, outside the lock.
    store::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::Internal("enrolment vanished".into()))
}

/// Ends an enrolment (`id` and `code` as given in the path): withdrawn by the cadre or their
/// officer, removed by the school or an admin (the cadre and their officers told why), with the
/// reason in the audit trail. A seat freed is
/// taken by the first on the waitlist in the same transaction. Answers the class's enrolments.
pub async fn withdraw(
    state: &AppState,
    user: &AuthUser,
    code: &str,
    id: &str,
    reason: String,
) -> AppResult<EnrolmentList> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "reason",
            crate::msg!(WithdrawReasonNeeded, max = 500),
        ));
    }
    let not_found = || AppError::not_found(crate::msg!(NoEnrolment, id = id, class = code));
    let id: i64 = id.parse().map_err(|_| not_found())?;
    if user.role == Role::Commission {
        return Err(AppError::Forbidden(crate::msg!(
            CommissionMayNotChangeEnrolments
        )));
    }
    let class = classes::service::visible(state, user, code).await?;
    let scope = user.scope()?;
    let mut tx = state.db.begin().await?;
    classes::store::lock(&mut tx, class.id).await?;
    let e = store::get(&mut tx, id)
        .await?
        .filter(|e| e.class_code == class.code)
        .ok_or_else(not_found)?;
    let cadre = cadres::store::get(&mut tx, e.cadre_id)
        .await?
        .ok_or_else(not_found)?;
    if !scope.sees_cadre(cadre.id, &cadre.unit_path) {
        return Err(not_found());
    }
    domain::check_may_end(e.status, &class.code, class.status)?;
    let new_status = EnrolmentStatus::ended_by(user.role);
    store::set_status(&mut tx, e.id, new_status).await?;
    let notifier = Notifier::of(state);
    if new_status == EnrolmentStatus::Removed {
        // Taken out by the school: the cadre and their officers learn it, and why.
        notifier
            .tell(
                &mut tx,
                cadre.id,
                Some(class.id),
                NoticeKind::RemovedFromClass,
                json!({"class": class.code, "title": class.title, "reason": reason}),
            )
            .await?;
    }
    let promoted = promote(
        &mut tx,
        &notifier,
        &class,
        class.capacity,
        state.clock.today(),
    )
    .await?;
    audit::record(
        &mut tx,
        &user.actor(),
        new_status.as_str(),
        "enrolment",
        &e.id.to_string(),
        Some(json!({"status": e.status})),
        Some(json!({"status": new_status, "reason": reason, "promoted": promoted})),
    )
    .await?;
    tx.commit().await?;
    let mut list = list(state, user, code, &EnrolmentFilter::default(), None).await?;
    // Those promoted, as the caller sees them: not another unit's enrolment ids.
    list.promoted = promoted
        .into_iter()
        .filter(|id| list.items.iter().any(|e| e.id == *id))
        .collect();
    Ok(list)
}

/// Moves the first waitlisted enrolments into the free seats, in queue order, and tells each
/// cadre promoted; returns the ids promoted. A cadre who could not enrol on `today` for want of a
/// prerequisite that counts (it went stale or was revoked while they waited) is passed over and
/// keeps their place. Runs under the class's lock.
async fn promote(
    tx: &mut Tx,
    notifier: &Notifier,
    class: &classes::store::ClassRow,
    capacity: i64,
    today: NaiveDate,
) -> AppResult<Vec<i64>> {
    let taken = store::enrolled_count(tx, class.id).await?;
    let mut free = domain::free_seats(capacity, taken);
    let mut ids = vec![];
    if free == 0 {
        return Ok(ids);
    }
    let prereqs = store::prerequisites(tx, class.module_id).await?;
    let prereq_ids: Vec<i64> = prereqs.iter().map(|p| p.0).collect();
    for (id, cadre_id) in store::waitlisted(tx, class.id).await? {
        if free == 0 {
            break;
        }
        if !prereqs.is_empty() {
            let done = store::completions_of(tx, cadre_id, &prereq_ids).await?;
            if domain::check_prerequisites(&prereqs, &done, today).is_err() {
                continue;
            }
        }
        store::set_status(tx, id, EnrolmentStatus::Enrolled).await?;
        notifier
            .tell(
                tx,
                cadre_id,
                Some(class.id),
                NoticeKind::Promoted,
                json!({"class": class.code, "title": class.title}),
            )
            .await?;
        ids.push(id);
        free -= 1;
    }
    Ok(ids)
}

/// Changes to a class; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassPatch {
    /// Title.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = String)]
    pub title: Option<String>,
    /// Organiser.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = String)]
    pub organiser: Option<String>,
    /// Seats; raising it promotes waiting cadres at once, lowering it below the seats taken is refused.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = i64)]
    pub capacity: Option<i64>,
    /// First day of enrolment.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = NaiveDate)]
    pub enrol_opens: Option<NaiveDate>,
    /// Last day of enrolment.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = NaiveDate)]
    pub enrol_closes: Option<NaiveDate>,
    /// Attendance share for completion.
    #[serde(default, deserialize_with = "crate::api::not_null")]
    #[schema(value_type = i64)]
    pub min_attendance_pct: Option<i64>,
}

/// Edits a class that is not over, under its lock: its fields checked as at creation, its capacity
/// not below the seats taken; a rise promotes the waitlist in order. With its audit entry.
pub async fn update_class(
    state: &AppState,
    actor: &Actor,
    code: &str,
    p: ClassPatch,
) -> AppResult<ClassView> {
    let code = code.trim().to_uppercase();
    let mut tx = state.db.begin().await?;
    let row = classes::service::in_tx(&mut tx, &code).await?;
    classes::service::editable(&row)?;
    classes::store::lock(&mut tx, row.id).await?;
    // A first day sent alone, after the last day kept, is named as the day sent.
    if let (Some(opens), None) = (p.enrol_opens, p.enrol_closes) {
        if opens > row.enrol_closes {
            return Err(AppError::invalid(
                "enrol_opens",
                crate::msg!(EnrolOpensAfterCloses, closes = row.enrol_closes.to_string()),
            ));
        }
    }
    let w = classes::domain::check_fields(
        p.title.as_deref().unwrap_or(&row.title),
        p.organiser.as_deref().unwrap_or(&row.organiser),
        p.capacity.unwrap_or(row.capacity),
        p.enrol_opens.unwrap_or(row.enrol_opens),
        p.enrol_closes.unwrap_or(row.enrol_closes),
        p.min_attendance_pct.unwrap_or(row.min_attendance_pct),
    )?;
    let taken = store::enrolled_count(&mut tx, row.id).await?;
    domain::check_capacity(w.capacity, taken)?;
    classes::store::update(&mut tx, row.id, &w).await?;
    let promoted = promote(
        &mut tx,
        &Notifier::of(state),
        &row,
        w.capacity,
        state.clock.today(),
    )
    .await?;
    audit::record(&mut tx, actor, "update", "class", &code,
        Some(json!({"title": row.title, "organiser": row.organiser, "capacity": row.capacity, "enrol_opens": row.enrol_opens, "enrol_closes": row.enrol_closes, "min_attendance_pct": row.min_attendance_pct})),
        Some(json!({"title": w.title, "organiser": w.organiser, "capacity": w.capacity, "enrol_opens": w.enrol_opens, "enrol_closes": w.enrol_closes, "min_attendance_pct": w.min_attendance_pct, "promoted": promoted}))).await?;
    tx.commit().await?;
    classes::service::view(state, &code).await
}
