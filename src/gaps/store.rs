//! Loading what a gap report needs, as of a date, in a fixed number of queries whatever the
//! number of cadres or units.

use chrono::NaiveDate;
use std::collections::HashMap;

use crate::db::Db;
use crate::error::AppResult;
use crate::on_db;

/// Which assessments a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Population {
    /// Title holders on the date.
    Incumbent,
    /// Planned successors on the date.
    Planned,
    /// Both.
    Both,
}

impl Population {
    /// Parses `incumbent`, `planned` or `both`.
    pub fn parse(s: &str) -> Option<Population> {
        match s {
            "incumbent" => Some(Population::Incumbent),
            "planned" => Some(Population::Planned),
            "both" => Some(Population::Both),
            _ => None,
        }
    }
}

/// The filters of a report.
#[derive(Debug, Clone)]
pub struct Filter {
    /// As of this day.
    pub as_of: NaiveDate,
    /// Subtree path range `[lo, hi)`.
    pub range: (String, String),
    /// Population.
    pub population: Population,
    /// Only this title.
    pub title: Option<String>,
    /// Only titles of this organisation kind.
    pub org_kind: Option<String>,
    /// Only this cadre.
    pub cadre_id: Option<i64>,
}

/// One title held or planned on the date, with the person and where they were.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Holder {
    /// Cadre.
    pub cadre_id: i64,
    /// Name.
    pub full_name: String,
    /// `incumbent` or `planned`.
    pub population: String,
    /// Title code.
    pub title_code: String,
    /// Start of the assignment or plan.
    pub from_date: NaiveDate,
    /// Gender.
    pub gender: String,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Minority flag.
    pub ethnic_minority: bool,
    /// Party date.
    pub party_joined_on: Option<NaiveDate>,
    /// The cadre's unit on the date.
    pub unit_code: String,
    /// Its path.
    pub unit_path: String,
}

fn holders_sql(table: &str, population: &str, f: &Filter) -> String {
    let mut extra = String::new();
    let mut n = 3;
    if f.title.is_some() {
        n += 1;
        extra.push_str(&format!(" AND t.code = ${n}"));
    }
    if f.org_kind.is_some() {
        n += 1;
        extra.push_str(&format!(" AND t.org_kind = ${n}"));
    }
    if let Some(id) = f.cadre_id {
        extra.push_str(&format!(" AND a.cadre_id = {id}"));
    }
    let cols = format!(
        "a.cadre_id, c.full_name, '{population}' AS population, t.code AS title_code, a.from_date, c.gender,
         c.birth_date, c.ethnic_minority, c.party_joined_on, u.code AS unit_code, u.path AS unit_path"
    );
    let cu = "cu.from_date <= $1 AND (cu.to_date IS NULL OR cu.to_date > $1)";
    let a = "a.from_date <= $1 AND (a.to_date IS NULL OR a.to_date >= $1)";
    // Driven by the subtree's units, so a ward's report touches only that ward's rows: holders placed
    // by the unit they belonged to on D, then holders with no unit period covering D, placed by the
    // unit of the title.
    format!(
        "SELECT {cols} FROM units u
         JOIN cadre_units cu ON cu.unit_code = u.code AND {cu}
         JOIN {table} a ON a.cadre_id = cu.cadre_id AND {a}
         JOIN titles t ON t.id = a.title_id
         JOIN cadres c ON c.id = a.cadre_id
         WHERE u.path >= $2 AND u.path < $3{extra}
         UNION ALL
         SELECT {cols} FROM units u
         JOIN {table} a ON a.unit_code = u.code AND {a}
         JOIN titles t ON t.id = a.title_id
         JOIN cadres c ON c.id = a.cadre_id
         WHERE u.path >= $2 AND u.path < $3{extra}
           AND NOT EXISTS (SELECT 1 FROM cadre_units cu WHERE cu.cadre_id = a.cadre_id AND {cu})"
    )
}

/// Everything a report computes from.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Titles held/planned on the date in the subtree.
    pub holders: Vec<Holder>,
    /// Best qualification rank per cadre and scale on the date: (cadre, scale) → rank.
    pub best_rank: HashMap<(i64, String), i64>,
    /// Latest counting completion per cadre and module on the date: (cadre, module) → day.
    pub last_completion: HashMap<(i64, String), NaiveDate>,
}

/// Loads holders and their facts (three queries).
pub async fn load(db: &Db, f: &Filter) -> AppResult<Loaded> {
    let mut parts = vec![];
    if matches!(f.population, Population::Incumbent | Population::Both) {
        parts.push(holders_sql("title_assignments", "incumbent", f));
    }
    if matches!(f.population, Population::Planned | Population::Both) {
        parts.push(holders_sql("succession_plans", "planned", f));
    }
    let holders_q = parts.join(" UNION ALL ");
    let holders: Vec<Holder> = on_db!(db, |p| {
        let mut q = sqlx::query_as(&holders_q)
            .bind(f.as_of)
            .bind(&f.range.0)
            .bind(&f.range.1);
        if let Some(t) = &f.title {
            q = q.bind(t);
        }
        if let Some(o) = &f.org_kind {
            q = q.bind(o);
        }
        q.fetch_all(p).await?
    });
    // The facts of exactly these holders, passed as one text parameter (a JSON array on SQLite,
    // a comma-separated list on PostgreSQL): one statement whatever their number.
    let mut ids: Vec<i64> = holders.iter().map(|h| h.cadre_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let joined = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let (in_ids, ids_param) = match db {
        Db::Sqlite(_) => (
            "IN (SELECT value FROM json_each($2))",
            format!("[{joined}]"),
        ),
        Db::Postgres(_) => ("= ANY(CAST(string_to_array($2, ',') AS BIGINT[]))", joined),
    };
    let quals_q = format!(
        "SELECT q.cadre_id, q.scale_code, MAX(l.rank) FROM cadre_qualifications q
         JOIN qualification_levels l ON l.scale_code = q.scale_code AND l.code = q.level_code
         WHERE q.obtained_on <= $1 AND (q.revoked_on IS NULL OR q.revoked_on > $1) AND q.cadre_id {in_ids}
         GROUP BY q.cadre_id, q.scale_code"
    );
    let comps_q = format!(
        "SELECT co.cadre_id, m.code, MAX(co.completed_on) FROM completions co JOIN modules m ON m.id = co.module_id
         WHERE co.completed_on <= $1 AND (co.revoked_on IS NULL OR co.revoked_on > $1) AND co.cadre_id {in_ids}
           AND m.code IN (SELECT DISTINCT module_code FROM standard_requirements WHERE kind = 'module')
         GROUP BY co.cadre_id, m.code"
    );
    let mut quals: Vec<(i64, String, i64)> = vec![];
    let mut comps: Vec<(i64, String, NaiveDate)> = vec![];
    if !ids.is_empty() {
        quals = on_db!(db, |p| sqlx::query_as(&quals_q)
            .bind(f.as_of)
            .bind(&ids_param)
            .fetch_all(p)
            .await?);
        comps = on_db!(db, |p| sqlx::query_as(&comps_q)
            .bind(f.as_of)
            .bind(&ids_param)
            .fetch_all(p)
            .await?);
    }
    Ok(Loaded {
        holders,
        best_rank: quals.into_iter().map(|(c, s, r)| ((c, s), r)).collect(),
        last_completion: comps.into_iter().map(|(c, m, d)| ((c, m), d)).collect(),
    })
}

/// Reference data of the qualification scales.
#[derive(Debug, Default, Clone)]
pub struct ScaleRef {
    /// Level code by (scale, rank).
    pub level_at: HashMap<(String, i64), String>,
    /// Rank by (scale, level code).
    pub rank_of: HashMap<(String, String), i64>,
    /// English scale name, lower-case, by scale code.
    pub label: HashMap<String, String>,
}

/// Loads the scales and levels (two small queries).
pub async fn scale_reference(db: &Db) -> AppResult<ScaleRef> {
    let levels: Vec<(String, String, i64)> = on_db!(db, |p| sqlx::query_as(
        "SELECT scale_code, code, rank FROM qualification_levels"
    )
    .fetch_all(p)
    .await?);
    let scales: Vec<(String, String)> = on_db!(db, |p| sqlx::query_as(
        "SELECT code, name_en FROM qualification_scales"
    )
    .fetch_all(p)
    .await?);
    Ok(ScaleRef {
        level_at: levels
            .iter()
            .map(|(s, c, r)| ((s.clone(), *r), c.clone()))
            .collect(),
        rank_of: levels.into_iter().map(|(s, c, r)| ((s, c), r)).collect(),
        label: scales
            .into_iter()
            .map(|(c, n)| (c, n.to_lowercase()))
            .collect(),
    })
}

/// A unit of the report's subtree that existed on the date.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportUnit {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Path.
    pub path: String,
    /// Depth.
    pub depth: i64,
}

/// Units of the subtree live on the date (not retired on or before it).
pub async fn units(db: &Db, range: &(String, String), d: NaiveDate) -> AppResult<Vec<ReportUnit>> {
    Ok(on_db!(db, |p| {
        sqlx::query_as(
        "SELECT code, name, kind, path, depth FROM units WHERE path >= $1 AND path < $2 AND (retired_on IS NULL OR retired_on > $3) ORDER BY path"
    )
    .bind(&range.0)
    .bind(&range.1)
    .bind(d)
    .fetch_all(p)
    .await?
    }))
}
