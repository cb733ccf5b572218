//! HTTP routes of enrolments: list a class's, enrol (school, officer nomination, self), withdraw,
//! and a class's edit (its capacity decides the seats and promotes the waitlist).

use chrono::NaiveDate;
use rocket::http::Status;
use rocket::serde::json::Json;
use rocket::{get, patch, post, routes, Route, State};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::domain::{EnrolmentSource, EnrolmentStatus};
use super::store::{self, EnrolmentView};
use crate::api::JsonBody;
use crate::audit;
use crate::auth::{AuthUser, Role, SchoolStaff};
use crate::cadres;
use crate::classes::{self, domain::ClassStatus, service::ClassView};
use crate::curriculum::domain::completion_counts_on;
use crate::error::{AppError, AppResult, ErrorEnvelope};
use crate::state::AppState;

/// The routes of this area.
pub fn routes() -> Vec<Route> {
    routes![list_enrolments, enrol, withdraw, update_class]
}

/// A list of enrolments.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentList {
    /// Seats.
    pub capacity: i64,
    /// Enrolled first, then the waitlist in order, then ended enrolments.
    pub items: Vec<EnrolmentView>,
}

/// A class's enrolments and waitlist. Staff see all; officers their subtree's cadres; cadres themselves.
#[utoipa::path(tag = "enrolments", security(("bearer" = [])),
    params(("code" = String, Path, description = "Class code")),
    responses((status = 200, body = EnrolmentList), (status = 404, body = ErrorEnvelope)))]
#[get("/api/classes/<code>/enrolments")]
pub async fn list_enrolments(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
) -> AppResult<Json<EnrolmentList>> {
    let class = classes::service::visible(state, &user, code).await?;
    let items = store::list_for_class(&state.db, class.id, &user.scope()?).await?;
    Ok(Json(EnrolmentList {
        capacity: class.capacity,
        items,
    }))
}

/// Whom to enrol.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolInput {
    /// The cadre (a cadre enrolling themself may leave it out).
    pub cadre_id: Option<i64>,
}

/// Enrols a cadre: by the school or an admin, by an officer for a cadre of their subtree (a
/// nomination), or by a cadre for themself (accepted directly, like any other enrolment).
/// Past capacity the cadre joins the FIFO waitlist and the answer gives the position.
/// Refused: outside the enrolment window (422), class not open (409), already in the class (409),
/// a missing or stale prerequisite (422 naming the module), a session overlapping another class
/// of the cadre (409 naming it).
#[utoipa::path(tag = "enrolments", security(("bearer" = [])), request_body = EnrolInput,
    params(("code" = String, Path, description = "Class code")),
    responses((status = 201, body = EnrolmentView), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[post("/api/classes/<code>/enrolments", data = "<body>")]
pub async fn enrol(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
    body: JsonBody<EnrolInput>,
) -> AppResult<(Status, Json<EnrolmentView>)> {
    let input = body.into_inner();
    let source = match user.role {
        Role::Admin | Role::School => EnrolmentSource::School,
        Role::Officer => EnrolmentSource::Officer,
        Role::Cadre => EnrolmentSource::SelfEnrolled,
        Role::Commission => {
            return Err(AppError::Forbidden(
                "the commission role may not enrol cadres".into(),
            ))
        }
    };
    let cadre_id = match (user.role, input.cadre_id) {
        (Role::Cadre, None) => user.cadre_id.ok_or_else(|| {
            AppError::Forbidden("your account is not linked to a cadre record".into())
        })?,
        (_, Some(id)) => id,
        (_, None) => return Err(AppError::invalid("cadre_id", "cadre_id is required")),
    };
    let class = classes::service::visible(state, &user, code).await?;
    let cadre = cadres::service::visible(state, &user, cadre_id)
        .await
        .map_err(|_| {
            AppError::invalid(
                "cadre_id",
                format!("no cadre with id {cadre_id} that you may enrol"),
            )
        })?;
    if !cadre.active {
        return Err(AppError::invalid(
            "cadre_id",
            "the cadre record is not active",
        ));
    }
    let today = state.clock.today();
    open_for_enrolment(
        &class.code,
        class.status,
        class.enrol_opens,
        class.enrol_closes,
        today,
    )?;
    let mut tx = state.db.begin().await?;
    // The cadre's own checks (prerequisites, time clashes) first, outside the class lock: they do
    // not depend on the seats, and the lock is then held only for the seat decision and the write.
    let prereqs = store::prerequisites(&mut tx, class.module_id).await?;
    if !prereqs.is_empty() {
        let ids: Vec<i64> = prereqs.iter().map(|p| p.0).collect();
        let done = store::completions_of(&mut tx, cadre.id, &ids).await?;
        for (pid, pcode, validity) in &prereqs {
            let ok = done
                .iter()
                .any(|(m, on, rev)| m == pid && completion_counts_on(*on, *validity, *rev, today));
            if !ok {
                return Err(AppError::invalid("cadre_id", format!(
                    "prerequisite {pcode} is missing or stale: the cadre needs a valid completion of {pcode} first"
                )));
            }
        }
    }
    if let Some(c) = classes::store::cadre_clash(&mut tx, class.id, Some(cadre.id)).await? {
        return Err(AppError::conflict(
            Some("cadre_id"),
            format!(
                "the cadre is in class {} whose session {} overlaps this class",
                c.class_code, c.session_id
            ),
        ));
    }
    let rules = classes::store::lock_for_seats(&mut tx, class.id)
        .await?
        .ok_or_else(|| AppError::not_found("class vanished"))?;
    // Checked again under the lock: the class may have changed since.
    open_for_enrolment(
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
            format!("the cadre is already {status} in class {}", class.code),
        ));
    }
    let (status, position) = if seats.enrolled < rules.capacity {
        (EnrolmentStatus::Enrolled, None)
    } else {
        (EnrolmentStatus::Waitlisted, Some(seats.waitlisted + 1))
    };
    let id = store::insert(&mut tx, class.id, cadre.id, status, source, user.id).await?;
    audit::record(&mut tx, &user.actor(), "enrol", "enrolment", &id.to_string(), None,
        Some(json!({"class": class.code, "cadre_id": cadre.id, "status": status, "position": position, "source": source}))).await?;
    tx.commit().await?;
    // Read after the commit, outside the lock.
    let view = store::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::Internal("enrolment vanished".into()))?;
    Ok((Status::Created, Json(view)))
}

/// Why an enrolment ends.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawInput {
    /// Reason, kept in the audit trail.
    #[serde(default)]
    pub reason: String,
}

/// Withdraws an enrolment (the cadre, their officer) or removes it (school, admin). When a seat
/// frees up, the first on the waitlist is promoted in the same transaction.
#[utoipa::path(tag = "enrolments", security(("bearer" = [])), request_body = WithdrawInput,
    params(("code" = String, Path, description = "Class code"), ("id" = i64, Path, description = "Enrolment id")),
    responses((status = 200, body = EnrolmentList), (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
#[post("/api/classes/<code>/enrolments/<id>/withdraw", data = "<body>")]
pub async fn withdraw(
    state: &State<AppState>,
    user: AuthUser,
    code: &str,
    id: &str,
    body: JsonBody<WithdrawInput>,
) -> AppResult<Json<EnrolmentList>> {
    let reason = body.into_inner().reason;
    if reason.chars().count() > 500 {
        return Err(AppError::invalid(
            "reason",
            "reason must be at most 500 characters",
        ));
    }
    let not_found = || AppError::not_found(format!("no enrolment {id} in class {code}"));
    let id: i64 = id.parse().map_err(|_| not_found())?;
    if user.role == Role::Commission {
        return Err(AppError::Forbidden(
            "the commission role may not change enrolments".into(),
        ));
    }
    let class = classes::service::visible(state, &user, code).await?;
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
    if !e.status.is_active() {
        return Err(AppError::conflict(
            Some("status"),
            format!("the enrolment is already {}", e.status),
        ));
    }
    if matches!(class.status.as_str(), "finished" | "cancelled") {
        return Err(AppError::conflict(
            Some("status"),
            format!("class {} is {}", class.code, class.status),
        ));
    }
    let new_status = if matches!(user.role, Role::Admin | Role::School) {
        "removed"
    } else {
        "withdrawn"
    };
    store::set_status(&mut tx, e.id, new_status).await?;
    let promoted = store::promote(&mut tx, class.id, class.capacity).await?;
    audit::record(
        &mut tx,
        &user.actor(),
        new_status,
        "enrolment",
        &e.id.to_string(),
        Some(json!({"status": e.status})),
        Some(json!({"status": new_status, "reason": reason, "promoted": promoted})),
    )
    .await?;
    tx.commit().await?;
    let items = store::list_for_class(&state.db, class.id, &scope).await?;
    Ok(Json(EnrolmentList {
        capacity: class.capacity,
        items,
    }))
}

/// Refuses a class that is not open, or whose enrolment window does not hold `today`.
fn open_for_enrolment(
    code: &str,
    status: ClassStatus,
    opens: NaiveDate,
    closes: NaiveDate,
    today: NaiveDate,
) -> AppResult<()> {
    if status != ClassStatus::Open {
        return Err(AppError::conflict(
            Some("status"),
            format!("class {code} is {status}, not open for enrolment"),
        ));
    }
    if today < opens || today > closes {
        return Err(AppError::invalid(
            "class",
            format!("enrolment for class {code} is open from {opens} to {closes}"),
        ));
    }
    Ok(())
}

/// Changes to a class; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassPatch {
    /// Title.
    pub title: Option<String>,
    /// Organiser.
    pub organiser: Option<String>,
    /// Seats; raising it promotes waiting cadres at once, lowering it below the seats taken is refused.
    pub capacity: Option<i64>,
    /// First day of enrolment.
    pub enrol_opens: Option<NaiveDate>,
    /// Last day of enrolment.
    pub enrol_closes: Option<NaiveDate>,
    /// Attendance share for completion.
    pub min_attendance_pct: Option<i64>,
}

/// Edits a class. School staff or admin. Served here because a class's seats follow its capacity:
/// it may not drop below the seats taken, and a rise promotes the waitlist in order.
#[utoipa::path(tag = "classes", security(("bearer" = [])), request_body = ClassPatch,
    params(("code" = String, Path, description = "Class code")),
    responses((status = 200, body = ClassView), (status = 404, body = ErrorEnvelope),
              (status = 409, body = ErrorEnvelope), (status = 422, body = ErrorEnvelope)))]
#[patch("/api/classes/<code>", data = "<body>")]
pub async fn update_class(
    state: &State<AppState>,
    user: SchoolStaff,
    code: &str,
    body: JsonBody<ClassPatch>,
) -> AppResult<Json<ClassView>> {
    let p = body.into_inner();
    let code = code.trim().to_uppercase();
    let mut tx = state.db.begin().await?;
    let row = classes::service::in_tx(&mut tx, &code).await?;
    classes::service::editable(&row)?;
    classes::store::lock(&mut tx, row.id).await?;
    let w = classes::domain::check_fields(
        p.title.as_deref().unwrap_or(&row.title),
        p.organiser.as_deref().unwrap_or(&row.organiser),
        p.capacity.unwrap_or(row.capacity),
        p.enrol_opens.unwrap_or(row.enrol_opens),
        p.enrol_closes.unwrap_or(row.enrol_closes),
        p.min_attendance_pct.unwrap_or(row.min_attendance_pct),
    )?;
    let taken = store::enrolled_count(&mut tx, row.id).await?;
    if w.capacity < taken {
        return Err(AppError::conflict(Some("capacity"), format!("{taken} cadres already hold seats; withdraw some before lowering the capacity to {}", w.capacity)));
    }
    classes::store::update(&mut tx, row.id, &w).await?;
    let promoted = store::promote(&mut tx, row.id, w.capacity).await?;
    audit::record(&mut tx, &user.actor(), "update", "class", &code,
        Some(json!({"title": row.title, "organiser": row.organiser, "capacity": row.capacity, "enrol_opens": row.enrol_opens, "enrol_closes": row.enrol_closes, "min_attendance_pct": row.min_attendance_pct})),
        Some(json!({"title": w.title, "organiser": w.organiser, "capacity": w.capacity, "enrol_opens": w.enrol_opens, "enrol_closes": w.enrol_closes, "min_attendance_pct": w.min_attendance_pct, "promoted": promoted}))).await?;
    tx.commit().await?;
    Ok(Json(classes::service::view(state, &code).await?))
}
