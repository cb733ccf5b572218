//! What only the demo scale gets: a login for every role and a training school's current term
//! (a finished class with its certificates, one running, two open for enrolment, one of them full
//! with a waitlist), all dated from the generator's as-of day (not the clock) and written through
//! the same stores the API uses.

use chrono::{Days, NaiveDate, NaiveTime};

use super::Rng;
use crate::audit::Actor;
use crate::auth::Role;
use crate::classes::domain::ClassStatus;
use crate::classes::store::{ClassWrite, SessionWrite};
use crate::db::{Db, Tx};
use crate::enrolments::domain::{EnrolmentSource, EnrolmentStatus};
use crate::error::{AppError, AppResult};
use crate::on_tx;
use crate::shared::clock::Clock;

/// The demo officer's ward: the new Phường Tân Định (2025), which took in the old Tân Định and
/// most of Đa Kao, so the officer sees both for dates before the reorganisation.
pub const OFFICER_UNIT: &str = "26737";

/// Demo logins for every role (password `demo-password`): `school`, `commission`,
/// `officer.tandinh` and `cadre` (the demo cadre, in their ward today; none without one).
pub async fn accounts(db: &Db, cadre: Option<i64>) -> Result<(), String> {
    let err = |e: AppError| e.to_string();
    let hash = crate::auth::password::hash("demo-password")
        .await
        .map_err(err)?;
    let mut tx = db.begin().await.map_err(err)?;
    let cadre: Option<(i64, String)> = match cadre {
        Some(id) => on_tx!(&mut tx, |c| sqlx::query_as(
            "SELECT id, unit_code FROM cadres WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        .map_err(|e| err(e.into()))?),
        None => None,
    };
    let (cadre_id, cadre_unit) = cadre
        .map(|(i, u)| (Some(i), u))
        .unwrap_or((None, OFFICER_UNIT.to_string()));
    for (user, role, unit, cadre) in [
        ("school", Role::School, None, None),
        ("commission", Role::Commission, None, None),
        ("officer.tandinh", Role::Officer, Some(OFFICER_UNIT), None),
        ("cadre", Role::Cadre, Some(cadre_unit.as_str()), cadre_id),
    ] {
        // A cadre login is its cadre's: none when the data has no demo cadre.
        if role == Role::Cadre && cadre.is_none() {
            continue;
        }
        let a = crate::accounts::store::NewAccount {
            username: user,
            password_hash: &hash,
            password_for_staff: true, // `demo-password`: 13 characters
            role,
            unit_code: unit,
            cadre_id: cadre,
        };
        crate::accounts::service::create(&mut tx, &Actor::system(), &a)
            .await
            .map_err(err)?;
    }
    tx.commit().await.map_err(err)
}

struct DemoClass {
    code: &'static str,
    module: &'static str,
    title: &'static str,
    capacity: i64,
    /// Enrolment window, in days from the as-of day.
    window: (i64, i64),
    /// Session days, from the as-of day.
    days: &'static [i64],
    /// Final status.
    status: ClassStatus,
    /// Cadres to enrol (beyond capacity they wait).
    enrol: usize,
}

const CLASSES: &[DemoClass] = &[
    DemoClass {
        code: "DV03-K1",
        module: "DV-03",
        title: "Kỹ năng vận động quần chúng — khóa 1",
        capacity: 30,
        window: (-75, -45),
        days: &[-40, -39],
        status: ClassStatus::Finished,
        enrol: 24,
    },
    DemoClass {
        code: "DV11-K1",
        module: "DV-11",
        title: "Nắm bắt dư luận xã hội, truyền thông trên mạng xã hội",
        capacity: 25,
        window: (-40, -5),
        days: &[-2, 5, 12],
        status: ClassStatus::Running,
        enrol: 20,
    },
    DemoClass {
        code: "DV06-K1",
        module: "DV-06",
        title: "Giám sát và phản biện xã hội",
        capacity: 40,
        window: (-3, 14),
        days: &[20, 21],
        status: ClassStatus::Open,
        enrol: 12,
    },
    DemoClass {
        code: "DV01-K2",
        module: "DV-01",
        title: "Quan điểm của Đảng về công tác dân vận — lớp chuyên đề",
        capacity: 3,
        window: (0, 25),
        days: &[35],
        status: ClassStatus::Open,
        enrol: 5,
    },
];

/// The demo classes, their sessions, enrolments, attendance, results and certificates, dated
/// from `as_of` (`clock` only converts city times). A session counts as held when it starts before
/// the as-of day.
pub async fn classes(
    db: &Db,
    clock: &Clock,
    as_of: NaiveDate,
    rng: &mut Rng,
    certificate_prefix: &str,
    skip: Option<i64>,
) -> AppResult<usize> {
    let held_before = clock.start_of(as_of);
    let mut tx = db.begin().await?;
    let mut pool: Vec<i64> = on_tx!(&mut tx, |c| {
        sqlx::query_scalar(
        "SELECT DISTINCT cadre_id FROM title_assignments WHERE to_date IS NULL ORDER BY cadre_id"
    )
    .fetch_all(&mut *c)
    .await?
    });
    pool.retain(|id| Some(*id) != skip);
    let day = |n: i64| -> NaiveDate {
        if n >= 0 {
            as_of + Days::new(n as u64)
        } else {
            as_of - Days::new(n.unsigned_abs())
        }
    };
    let mut certificates = 0;
    for (k, dc) in CLASSES.iter().enumerate() {
        let module: Option<(i64, i64)> = on_tx!(&mut tx, |c| sqlx::query_as(
            "SELECT id, version FROM modules WHERE code = $1"
        )
        .bind(dc.module)
        .fetch_optional(&mut *c)
        .await?);
        let Some((module_id, version)) = module else {
            continue;
        };
        let write = ClassWrite {
            title: dc.title.into(),
            organiser: "Trường Cán bộ Thành phố Hồ Chí Minh".into(),
            capacity: dc.capacity,
            enrol_opens: day(dc.window.0),
            enrol_closes: day(dc.window.1),
            min_attendance_pct: 80,
        };
        let id =
            crate::classes::store::insert(&mut tx, dc.code, module_id, version, &write).await?;
        let at = |d: i64, h: u32| {
            clock.to_utc(day(d).and_time(NaiveTime::from_hms_opt(h, 0, 0).expect("time")))
        };
        let sessions: Vec<SessionWrite> = dc
            .days
            .iter()
            .map(|&d| SessionWrite {
                starts_at: at(d, 8),
                ends_at: at(d, 11),
                venue: format!("Trường Cán bộ Thành phố — Phòng {}", 201 + k),
                instructor: [
                    "ThS. Nguyễn Thị Lan",
                    "TS. Trần Quốc Bảo",
                    "ThS. Lê Minh Tâm",
                    "TS. Phạm Thu Hà",
                ][k % 4]
                    .into(),
            })
            .collect();
        crate::classes::store::replace_sessions(&mut tx, id, &sessions).await?;
        // Enrolments: the first `capacity` get a seat, the rest wait in order.
        let mut enrolled = vec![];
        for i in 0..dc.enrol.min(pool.len()) {
            let who = pool.swap_remove(rng.below(pool.len() as u64) as usize);
            let status = if (i as i64) < dc.capacity {
                EnrolmentStatus::Enrolled
            } else {
                EnrolmentStatus::Waitlisted
            };
            let school = EnrolmentSource::School;
            let e = crate::enrolments::store::insert(&mut tx, id, who, status, school, 0).await?;
            if status == EnrolmentStatus::Enrolled {
                enrolled.push(e);
            }
        }
        // Attendance for sessions already held; results and certificates for the finished class.
        let held: Vec<i64> = on_tx!(&mut tx, |c| {
            sqlx::query_scalar(
            "SELECT id FROM class_sessions WHERE class_id = $1 AND starts_at < $2 ORDER BY starts_at"
        )
        .bind(id)
        .bind(held_before)
        .fetch_all(&mut *c)
        .await?
        });
        for &e in &enrolled {
            let absent = rng.chance(10);
            for (j, s) in held.iter().enumerate() {
                let mark = if absent && j == 0 {
                    "absent"
                } else {
                    "present"
                };
                crate::completions::store::mark(&mut tx, *s, e, mark).await?;
            }
            if dc.status == ClassStatus::Finished {
                let score = 50 + rng.below(46) as i64;
                crate::completions::store::set_result(
                    &mut tx,
                    e,
                    Some(score),
                    score >= 50 && !absent,
                )
                .await?;
            }
        }
        let finished_on =
            (dc.status == ClassStatus::Finished).then(|| day(*dc.days.last().unwrap_or(&0)));
        if let Some(on) = finished_on {
            let row = crate::classes::store::by_code(&mut tx, dc.code)
                .await?
                .ok_or_else(|| AppError::not_found(crate::msg!(NoClass, code = dc.code)))?;
            certificates += crate::completions::service::record_class_completions(
                &mut tx,
                &row,
                on,
                certificate_prefix,
                None,
            )
            .await?;
        }
        crate::classes::store::set_status(&mut tx, id, dc.status, finished_on, None).await?;
    }
    record(&mut tx, certificates).await?;
    tx.commit().await?;
    Ok(certificates)
}

async fn record(tx: &mut Tx, certificates: usize) -> AppResult<()> {
    crate::audit::record(
        tx,
        &Actor::system(),
        "generate",
        "classes",
        "demo",
        None,
        Some(serde_json::json!({"classes": CLASSES.len(), "certificates": certificates})),
    )
    .await
}
