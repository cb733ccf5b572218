//! What can be exported, read a page at a time in a stable order (keyset paging).

use chrono::NaiveDate;

use super::{Out, PAGE};
use crate::auth::Scope;
use crate::cadres::domain::{gender_vi, organisation_vi};
use crate::cadres::store::name_filter;
use crate::db::bulk::V;
use crate::db::Db;
use crate::error::AppResult;
use crate::imports::columns::CADRE_COLUMNS;
use crate::on_db;
use crate::standards::domain::Organisation;

/// Where the next page starts: after this (text key, id, second id).
#[derive(Debug, Clone, Default)]
pub struct Cursor {
    s: String,
    a: i64,
    b: i64,
}

/// One page of rows.
#[derive(Debug, Clone, Default)]
pub struct PageOut {
    /// Rows.
    pub rows: Vec<Vec<Out>>,
    /// Where the next page starts, if there may be one.
    pub next: Option<Cursor>,
}

/// Filters common to the exports.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    /// Only this subtree (path range).
    pub unit_range: Option<(String, String)>,
    /// Only cadres whose name contains this (diacritics optional).
    pub q: Option<String>,
    /// Only this organisation (cadres).
    pub organisation: Option<String>,
    /// Only active or inactive cadres.
    pub active: Option<bool>,
    /// Only this module (completions, classes).
    pub module: Option<String>,
    /// From this day (completions: completed on; classes: enrolment opens).
    pub from: Option<NaiveDate>,
    /// Until this day, inclusive.
    pub to: Option<NaiveDate>,
    /// Only classes in this status.
    pub status: Option<String>,
    /// Only published classes (not planned, not cancelled): those an officer may open.
    pub published_only: bool,
    /// The classes file in English (headers and statuses); Vietnamese by default.
    pub english: bool,
}

/// An export: which rows, for whom, filtered how.
#[derive(Debug, Clone)]
pub struct Source {
    /// What.
    pub what: What,
    /// The caller's scope.
    pub scope: Scope,
    /// Filters.
    pub filter: ExportFilter,
    /// Today (titles and plans current on this day).
    pub today: NaiveDate,
}

/// The kinds of export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    /// The roster, in the cadre import's columns (it re-imports).
    Cadres,
    /// Completions.
    Completions,
    /// Classes, one row per enrolment (a class without enrolments has one row).
    Classes,
}

const COMPLETION_HEADERS: &[&str] = &[
    "Số CCCD/CMND",
    "Họ và tên",
    "Mã đơn vị",
    "Mã học phần",
    "Tên học phần",
    "Ngày hoàn thành",
    "Điểm",
    "Số chứng chỉ",
    "Mã xác thực",
    "Mã lớp",
    "Nguồn",
    "Tham chiếu",
    "Ngày thu hồi",
    "Lý do thu hồi",
];

const CLASS_HEADERS: &[&str] = &[
    "Mã lớp",
    "Mã học phần",
    "Tên lớp",
    "Đơn vị tổ chức",
    "Trạng thái lớp",
    "Sức chứa",
    "Mở đăng ký",
    "Đóng đăng ký",
    "Số CCCD/CMND",
    "Họ và tên",
    "Mã đơn vị",
    "Trạng thái ghi danh",
    "Vị trí chờ",
    "Nguồn ghi danh",
    "Điểm",
    "Đạt",
];

/// The classes file's headers in English (same order as [`CLASS_HEADERS`]).
const CLASS_HEADERS_EN: &[&str] = &[
    "Class code",
    "Module code",
    "Class title",
    "Organiser",
    "Class status",
    "Capacity",
    "Enrolment opens",
    "Enrolment closes",
    "Personal id",
    "Full name",
    "Unit code",
    "Enrolment status",
    "Waitlist position",
    "Enrolled by",
    "Score",
    "Passed",
];

/// A class status, an enrolment status or an enrolment source, in the file's language (the
/// code itself when it is none of them).
fn status_label(code: &str, english: bool) -> String {
    let (vi, en) = match code {
        "planned" => ("Dự kiến", "Planned"),
        "open" => ("Đang nhận ghi danh", "Open"),
        "running" => ("Đang học", "Running"),
        "finished" => ("Đã kết thúc", "Finished"),
        "cancelled" => ("Đã hủy", "Cancelled"),
        "enrolled" => ("Đã ghi danh", "Enrolled"),
        "waitlisted" => ("Danh sách chờ", "Waitlisted"),
        "withdrawn" => ("Đã rút", "Withdrawn"),
        "removed" => ("Bị đưa ra khỏi lớp", "Removed"),
        "school" => ("Trường ghi danh", "School"),
        "officer" => ("Đơn vị cử", "Nominated by the unit"),
        "self" => ("Tự đăng ký", "Self"),
        other => (other, other),
    };
    (if english { en } else { vi }).to_string()
}

fn yes_no(b: bool) -> Out {
    Out::Text(if b { "Có" } else { "Không" }.into())
}

fn score(t: Option<i64>) -> Out {
    t.map(|t| Out::Num(t as f64 / 10.0)).unwrap_or(Out::Empty)
}

#[derive(sqlx::FromRow)]
struct CadreOut {
    id: i64,
    sort_key: String,
    personal_id: String,
    full_name: String,
    gender: String,
    birth_date: NaiveDate,
    ethnicity: String,
    ethnic_minority: bool,
    religion: Option<String>,
    party_joined_on: Option<NaiveDate>,
    unit_code: String,
    unit_since: Option<NaiveDate>,
    organisation: String,
    phone: Option<String>,
    email: Option<String>,
    active: bool,
    title_code: Option<String>,
    title_unit_code: Option<String>,
    title_from: Option<NaiveDate>,
    title_to: Option<NaiveDate>,
    plan_title_code: Option<String>,
    plan_unit_code: Option<String>,
    plan_from: Option<NaiveDate>,
    plan_to: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct CompletionOut {
    id: i64,
    personal_id: String,
    full_name: String,
    unit_code: String,
    module_code: String,
    module_title: String,
    completed_on: NaiveDate,
    score_tenths: Option<i64>,
    certificate_no: Option<String>,
    certificate_code: Option<String>,
    class_code: Option<String>,
    source: String,
    source_ref: String,
    revoked_on: Option<NaiveDate>,
    revoke_reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ClassOut {
    class_id: i64,
    enrolment_key: i64,
    code: String,
    module_code: String,
    title: String,
    organiser: String,
    status: String,
    capacity: i64,
    enrol_opens: NaiveDate,
    enrol_closes: NaiveDate,
    personal_id: Option<String>,
    full_name: Option<String>,
    unit_code: Option<String>,
    enrolment_status: Option<String>,
    waitlist_position: Option<i64>,
    enrolment_source: Option<String>,
    score_tenths: Option<i64>,
    passed: Option<bool>,
}

/// Runs a page query with its binds, on either backend.
macro_rules! fetch {
    ($db:expr, $ty:ty, $sql:expr, $binds:expr) => {
        on_db!($db, |p| {
            let mut q = sqlx::query_as::<_, $ty>($sql);
            for v in $binds {
                q = match v {
                    V::I(x) => q.bind(*x),
                    V::OI(x) => q.bind(*x),
                    V::S(x) => q.bind(x.as_str()),
                    V::OS(x) => q.bind(x.as_deref()),
                    V::D(x) => q.bind(*x),
                    V::OD(x) => q.bind(*x),
                    V::B(x) => q.bind(*x),
                    V::T(x) => q.bind(*x),
                };
            }
            q.fetch_all(p).await?
        })
    };
}

/// Builds `AND …` conditions with numbered placeholders.
struct Conds {
    sql: String,
    binds: Vec<V>,
}

impl Conds {
    fn new(binds: Vec<V>) -> Self {
        Conds {
            sql: String::new(),
            binds,
        }
    }

    fn next(&self) -> usize {
        self.binds.len() + 1
    }

    fn push(&mut self, template: &str, v: V) {
        let n = self.next();
        self.sql.push_str(&format!(
            " AND {}",
            template.replace("$?", &format!("${n}"))
        ));
        self.binds.push(v);
    }

    fn scope(&mut self, scope: &Scope, id_col: &str, path_col: &str) {
        let (cond, binds) = scope.cadre_filter(id_col, path_col, self.next());
        self.sql.push_str(&format!(" AND {cond}"));
        self.binds.extend(binds.into_iter().map(V::S));
    }

    fn range(&mut self, col: &str, r: &Option<(String, String)>) {
        if let Some((lo, hi)) = r {
            self.push(&format!("{col} >= $?"), V::S(lo.clone()));
            self.push(&format!("{col} < $?"), V::S(hi.clone()));
        }
    }
}

impl Source {
    /// The header row.
    pub fn headers(&self) -> Vec<String> {
        match self.what {
            What::Cadres => CADRE_COLUMNS.iter().map(|c| c.vi.to_string()).collect(),
            What::Completions => COMPLETION_HEADERS.iter().map(|h| h.to_string()).collect(),
            What::Classes if self.filter.english => {
                CLASS_HEADERS_EN.iter().map(|h| h.to_string()).collect()
            }
            What::Classes => CLASS_HEADERS.iter().map(|h| h.to_string()).collect(),
        }
    }

    /// The page after `after` (the first page when `None`).
    pub async fn page(&self, db: &Db, after: Option<Cursor>) -> AppResult<PageOut> {
        let after = after.unwrap_or_default();
        match self.what {
            What::Cadres => self.cadres(db, after).await,
            What::Completions => self.completions(db, after).await,
            What::Classes => self.classes(db, after).await,
        }
    }

    async fn cadres(&self, db: &Db, after: Cursor) -> AppResult<PageOut> {
        let f = &self.filter;
        let mut c = Conds::new(vec![V::D(self.today), V::S(after.s.clone()), V::I(after.a)]);
        c.scope(&self.scope, "c.id", "u.path");
        c.range("u.path", &f.unit_range);
        if let Some(q) = &f.q {
            let (cond, binds) = name_filter("c.name_folded", q, c.next());
            c.sql.push_str(&format!(" AND {cond}"));
            c.binds.extend(binds.into_iter().map(V::S));
        }
        if let Some(o) = &f.organisation {
            c.push("c.organisation = $?", V::S(o.clone()));
        }
        if let Some(a) = f.active {
            c.push("c.active = $?", V::B(a));
        }
        let sql = format!(
            "SELECT c.id, c.sort_key, c.personal_id, c.full_name, c.gender, c.birth_date, c.ethnicity,
                    c.ethnic_minority, c.religion, c.party_joined_on, c.unit_code, cu.from_date AS unit_since,
                    c.organisation, c.phone, c.email, c.active,
                    t.code AS title_code, ta.unit_code AS title_unit_code, ta.from_date AS title_from, ta.to_date AS title_to,
                    pt.code AS plan_title_code, sp.unit_code AS plan_unit_code, sp.from_date AS plan_from, sp.to_date AS plan_to
             FROM cadres c JOIN units u ON u.code = c.unit_code
             LEFT JOIN cadre_units cu ON cu.cadre_id = c.id AND cu.to_date IS NULL
             LEFT JOIN title_assignments ta ON ta.id = (SELECT a.id FROM title_assignments a WHERE a.cadre_id = c.id
                 AND (a.to_date IS NULL OR a.to_date >= $1) ORDER BY a.from_date DESC, a.id DESC LIMIT 1)
             LEFT JOIN titles t ON t.id = ta.title_id
             LEFT JOIN succession_plans sp ON sp.id = (SELECT p.id FROM succession_plans p WHERE p.cadre_id = c.id
                 AND (p.to_date IS NULL OR p.to_date >= $1) ORDER BY p.from_date DESC, p.id DESC LIMIT 1)
             LEFT JOIN titles pt ON pt.id = sp.title_id
             WHERE (c.sort_key > $2 OR (c.sort_key = $2 AND c.id > $3)){}
             ORDER BY c.sort_key, c.id LIMIT {PAGE}",
            c.sql
        );
        let rows: Vec<CadreOut> = fetch!(db, CadreOut, &sql, &c.binds);
        let next = (rows.len() as i64 == PAGE).then(|| {
            let last = &rows[rows.len() - 1];
            Cursor {
                s: last.sort_key.clone(),
                a: last.id,
                b: 0,
            }
        });
        let rows = rows
            .into_iter()
            .map(|r| {
                vec![
                    Out::Text(r.personal_id),
                    Out::Text(r.full_name),
                    gender_vi(&r.gender).into(),
                    r.birth_date.into(),
                    Out::Text(r.ethnicity),
                    yes_no(r.ethnic_minority),
                    r.religion.into(),
                    r.party_joined_on.into(),
                    Out::Text(r.unit_code),
                    r.unit_since.into(),
                    Organisation::parse(&r.organisation)
                        .map(organisation_vi)
                        .unwrap_or(r.organisation.as_str())
                        .into(),
                    r.phone.into(),
                    r.email.into(),
                    yes_no(r.active),
                    r.title_code.into(),
                    r.title_unit_code.into(),
                    r.title_from.into(),
                    r.title_to.into(),
                    r.plan_title_code.into(),
                    r.plan_unit_code.into(),
                    r.plan_from.into(),
                    r.plan_to.into(),
                ]
            })
            .collect();
        Ok(PageOut { rows, next })
    }

    async fn completions(&self, db: &Db, after: Cursor) -> AppResult<PageOut> {
        let f = &self.filter;
        let mut c = Conds::new(vec![V::I(after.a)]);
        c.scope(&self.scope, "c.id", "u.path");
        c.range("u.path", &f.unit_range);
        if let Some(m) = &f.module {
            c.push("m.code = $?", V::S(m.clone()));
        }
        if let Some(d) = f.from {
            c.push("co.completed_on >= $?", V::D(d));
        }
        if let Some(d) = f.to {
            c.push("co.completed_on <= $?", V::D(d));
        }
        let sql = format!(
            "SELECT co.id, c.personal_id, c.full_name, c.unit_code, m.code AS module_code, e.title_vi AS module_title,
                    co.completed_on, co.score_tenths, co.certificate_no, co.certificate_code, cl.code AS class_code, co.source,
                    co.source_ref, co.revoked_on, co.revoke_reason
             FROM completions co JOIN cadres c ON c.id = co.cadre_id JOIN units u ON u.code = c.unit_code
             JOIN modules m ON m.id = co.module_id
             JOIN module_editions e ON e.module_id = co.module_id AND e.version = co.module_version
             LEFT JOIN classes cl ON cl.id = co.class_id
             WHERE co.id > $1{} ORDER BY co.id LIMIT {PAGE}",
            c.sql
        );
        let rows: Vec<CompletionOut> = fetch!(db, CompletionOut, &sql, &c.binds);
        let next = (rows.len() as i64 == PAGE).then(|| Cursor {
            a: rows[rows.len() - 1].id,
            ..Default::default()
        });
        let rows = rows
            .into_iter()
            .map(|r| {
                vec![
                    Out::Text(r.personal_id),
                    Out::Text(r.full_name),
                    Out::Text(r.unit_code),
                    Out::Text(r.module_code),
                    Out::Text(r.module_title),
                    r.completed_on.into(),
                    score(r.score_tenths),
                    r.certificate_no.into(),
                    r.certificate_code.into(),
                    r.class_code.into(),
                    Out::Text(r.source),
                    Out::Text(r.source_ref),
                    r.revoked_on.into(),
                    r.revoke_reason.into(),
                ]
            })
            .collect();
        Ok(PageOut { rows, next })
    }

    async fn classes(&self, db: &Db, after: Cursor) -> AppResult<PageOut> {
        let f = &self.filter;
        let english = f.english;
        let mut c = Conds::new(vec![V::I(after.a), V::I(after.b)]);
        // Enrolments only of cadres in scope; the class rows themselves are public.
        let mut inner = Conds::new(vec![]);
        inner.scope(&self.scope, "c2.id", "u2.path");
        let offset = c.binds.len();
        let inner_sql = renumber(&inner.sql, offset);
        c.binds.extend(inner.binds);
        if let Some(m) = &f.module {
            c.push("m.code = $?", V::S(m.clone()));
        }
        if let Some(s) = &f.status {
            c.push("cl.status = $?", V::S(s.clone()));
        }
        if f.published_only {
            c.sql
                .push_str(" AND cl.status NOT IN ('planned', 'cancelled')");
        }
        if let Some(d) = f.from {
            c.push("cl.enrol_opens >= $?", V::D(d));
        }
        if let Some(d) = f.to {
            c.push("cl.enrol_opens <= $?", V::D(d));
        }
        let sql = format!(
            "SELECT cl.id AS class_id, COALESCE(e.id, 0) AS enrolment_key, cl.code, m.code AS module_code, cl.title,
                    cl.organiser, cl.status, cl.capacity, cl.enrol_opens, cl.enrol_closes,
                    c.personal_id, c.full_name, c.unit_code, e.status AS enrolment_status,
                    CASE WHEN e.status = 'waitlisted' THEN (SELECT COUNT(*) FROM enrolments w WHERE w.class_id = e.class_id
                        AND w.status = 'waitlisted' AND w.queue_seq <= e.queue_seq) END AS waitlist_position,
                    e.source AS enrolment_source, e.score_tenths, e.passed
             FROM classes cl JOIN modules m ON m.id = cl.module_id
             LEFT JOIN enrolments e ON e.class_id = cl.id AND e.cadre_id IN
                 (SELECT c2.id FROM cadres c2 JOIN units u2 ON u2.code = c2.unit_code WHERE 1 = 1{inner_sql})
             LEFT JOIN cadres c ON c.id = e.cadre_id
             WHERE (cl.id > $1 OR (cl.id = $1 AND COALESCE(e.id, 0) > $2)){}
             ORDER BY cl.id, COALESCE(e.id, 0) LIMIT {PAGE}",
            c.sql
        );
        let rows: Vec<ClassOut> = fetch!(db, ClassOut, &sql, &c.binds);
        let next = (rows.len() as i64 == PAGE).then(|| {
            let last = &rows[rows.len() - 1];
            Cursor {
                s: String::new(),
                a: last.class_id,
                b: last.enrolment_key,
            }
        });
        let rows = rows
            .into_iter()
            .map(|r| {
                vec![
                    Out::Text(r.code),
                    Out::Text(r.module_code),
                    Out::Text(r.title),
                    Out::Text(r.organiser),
                    Out::Text(status_label(&r.status, english)),
                    Out::Num(r.capacity as f64),
                    r.enrol_opens.into(),
                    r.enrol_closes.into(),
                    r.personal_id.into(),
                    r.full_name.into(),
                    r.unit_code.into(),
                    r.enrolment_status.map(|s| status_label(&s, english)).into(),
                    r.waitlist_position.into(),
                    r.enrolment_source.map(|s| status_label(&s, english)).into(),
                    score(r.score_tenths),
                    r.passed
                        .map(|b| {
                            if english {
                                Out::Text(if b { "Yes" } else { "No" }.into())
                            } else {
                                yes_no(b)
                            }
                        })
                        .unwrap_or(Out::Empty),
                ]
            })
            .collect();
        Ok(PageOut { rows, next })
    }
}

/// Shifts the `$n` placeholders of a fragment built from 1 by `offset`.
fn renumber(sql: &str, offset: usize) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '$' {
            let mut digits = String::new();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(*d);
                chars.next();
            }
            match digits.parse::<usize>() {
                Ok(n) => out.push_str(&format!("${}", n + offset)),
                Err(_) => out.push('$'),
            }
        } else {
            out.push(ch);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renumbers_placeholders() {
        assert_eq!(renumber("a >= $1 AND a < $2", 2), "a >= $3 AND a < $4");
        assert_eq!(renumber("x = 1", 5), "x = 1");
    }
}
