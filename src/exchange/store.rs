//! Storage of the record exchange: what its sheets are checked against, their writes, and the
//! reads of the export (a page of cadres at a time, then each part's rows of those cadres).

use chrono::{NaiveDate, Utc};
use std::collections::{HashMap, HashSet};

use super::domain::{source_vi, Part};
use super::plan::{
    CompletionFacts, CompletionLookups, CompletionPlan, Period, PeriodLookups, PeriodPlan, Person,
};
use super::qualifications::{QualificationFacts, QualificationLookups, QualificationPlan};
use crate::auth::Scope;
use crate::cadres::domain::{gender_vi, organisation_vi};
use crate::cadres::store::Within;
use crate::db::bulk::{self, V};
use crate::db::{id_param, in_ids, Db, Tx};
use crate::error::AppResult;
use crate::exports::Out;
use crate::imports::plan::UnitInfo;
use crate::standards::domain::Organisation;
use crate::{on_db, on_tx};

/// Personal ids that can name a cadre at all (digits only, at most 12).
fn plausible(ids: &[String]) -> Vec<String> {
    ids.iter()
        .filter(|s| !s.is_empty() && s.len() <= 12 && s.bytes().all(|b| b.is_ascii_digit()))
        .cloned()
        .collect()
}

/// A text list as one parameter, as [`in_ids`] takes integers.
fn in_texts(tx: &Tx, n: usize) -> String {
    if tx.is_sqlite() {
        format!("IN (SELECT value FROM json_each(${n}))")
    } else {
        format!("= ANY(string_to_array(${n}, ','))")
    }
}

fn text_param(tx: &Tx, list: &[String]) -> String {
    if tx.is_sqlite() {
        serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
    } else {
        list.join(",")
    }
}

/// The cadres with these personal ids.
pub async fn people(tx: &mut Tx, ids: &[String]) -> AppResult<HashMap<String, Person>> {
    let ids = plausible(ids);
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT c.personal_id, c.id, c.full_name, u.path, c.birth_date
         FROM cadres c JOIN units u ON u.code = c.unit_code WHERE c.personal_id {}",
        in_texts(tx, 1)
    );
    let param = text_param(tx, &ids);
    let rows: Vec<(String, i64, String, String, NaiveDate)> = on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(&param)
        .fetch_all(&mut *c)
        .await?);
    Ok(rows
        .into_iter()
        .map(|(pid, id, full_name, unit_path, birth_date)| {
            (
                pid,
                Person {
                    id,
                    full_name,
                    unit_path,
                    birth_date,
                },
            )
        })
        .collect())
}

fn cadre_ids(people: &HashMap<String, Person>) -> Vec<i64> {
    let mut ids: Vec<i64> = people.values().map(|p| p.id).collect();
    ids.sort_unstable();
    ids
}

/// Of the cadres with these personal ids, those inactive and holding or planned for a title
/// beyond `today` (`cadres::rules::lasts_beyond`): the record import's check of a whole file.
pub async fn inactive_holding(
    tx: &mut Tx,
    ids: &[String],
    today: NaiveDate,
) -> AppResult<HashSet<String>> {
    let ids = plausible(ids);
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let [held, planned] = crate::cadres::store::lasting_periods_sql("c.id", "$2");
    let sql = format!(
        "SELECT c.personal_id FROM cadres c
         WHERE c.personal_id {} AND c.active = FALSE AND (EXISTS ({held}) OR EXISTS ({planned}))",
        in_texts(tx, 1)
    );
    let param = text_param(tx, &ids);
    let found: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(&param)
        .bind(today)
        .fetch_all(&mut *c)
        .await?);
    Ok(found.into_iter().collect())
}

/// The personal ids, among `ids`, of cadres holding a title off the line of their unit on a day
/// they share ([`crate::cadres::store::titles_off_line`], any of their unit periods).
pub async fn holding_off_line(tx: &mut Tx, ids: &[String]) -> AppResult<HashSet<String>> {
    let ids = plausible(ids);
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let filter = format!("c.personal_id {}", in_texts(tx, 1));
    let param = text_param(tx, &ids);
    Ok(
        crate::cadres::store::titles_off_line(tx, &filter, &param, Within::AnyUnit)
            .await?
            .into_iter()
            .map(|o| o.personal_id)
            .collect(),
    )
}

/// The personal ids, among `ids`, of cadres holding two titles of one organisation in one unit
/// on a day ([`crate::cadres::store::holding_two_roles`]).
pub async fn holding_two_roles(tx: &mut Tx, ids: &[String]) -> AppResult<HashSet<String>> {
    let ids = plausible(ids);
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let filter = format!("c.personal_id {}", in_texts(tx, 1));
    let param = text_param(tx, &ids);
    Ok(crate::cadres::store::holding_two_roles(tx, &filter, &param)
        .await?
        .into_iter()
        .collect())
}

/// The table of a period part.
fn period_table(part: Part) -> &'static str {
    match part {
        Part::History => "cadre_units",
        Part::Titles => "title_assignments",
        _ => "succession_plans",
    }
}

/// What a period sheet (history, titles, plans) naming these personal ids is checked against.
pub async fn period_lookups(tx: &mut Tx, part: Part, ids: &[String]) -> AppResult<PeriodLookups> {
    let people = people(tx, ids).await?;
    type U = (String, String, String, Option<NaiveDate>, Option<NaiveDate>);
    let units: Vec<U> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT code, path, kind, retired_on, created_on FROM units"
    )
    .fetch_all(&mut *c)
    .await?);
    let titles = crate::imports::store::titles(tx).await?;
    let mut on_record: HashMap<i64, Vec<Period>> = HashMap::new();
    let ids = cadre_ids(&people);
    if !ids.is_empty() {
        let (title, appointed) = if part == Part::History {
            ("CAST(0 AS BIGINT)", "CAST(NULL AS DATE)")
        } else {
            ("title_id", "appointed_on")
        };
        let sql = format!(
            "SELECT id, cadre_id, {title}, unit_code, from_date, to_date, {appointed} FROM {} WHERE cadre_id {}",
            period_table(part),
            in_ids(tx.is_sqlite(), 1)
        );
        let param = id_param(tx.is_sqlite(), &ids);
        type R = (
            i64,
            i64,
            i64,
            String,
            NaiveDate,
            Option<NaiveDate>,
            Option<NaiveDate>,
        );
        let rows: Vec<R> = on_tx!(tx, |c| sqlx::query_as(&sql)
            .bind(&param)
            .fetch_all(&mut *c)
            .await?);
        for (id, cadre, title_id, unit_code, from, to, appointed_on) in rows {
            on_record.entry(cadre).or_default().push(Period {
                id,
                title_id,
                unit_code,
                from,
                to,
                appointed_on,
            });
        }
    }
    Ok(PeriodLookups {
        people,
        units: units
            .into_iter()
            .map(|(code, path, kind, retired, created_on)| {
                let level = crate::cadres::rules::unit_level(&kind).to_string();
                (
                    code,
                    UnitInfo {
                        path,
                        level,
                        retired_on: retired,
                        created_on,
                    },
                )
            })
            .collect(),
        titles,
        on_record,
    })
}

/// Writes a checked period plan.
pub async fn apply_periods(tx: &mut Tx, part: Part, plan: &PeriodPlan) -> AppResult<()> {
    let table = period_table(part);
    let now = Utc::now();
    if part == Part::History {
        let rows = plan
            .new
            .iter()
            .map(|p| {
                vec![
                    V::I(p.cadre_id),
                    V::S(p.unit_code.clone()),
                    V::D(p.from),
                    V::OD(p.to),
                ]
            })
            .collect();
        bulk::insert(
            tx,
            table,
            &["cadre_id", "unit_code", "from_date", "to_date"],
            rows,
        )
        .await?;
    } else {
        let rows = plan
            .new
            .iter()
            .map(|p| {
                vec![
                    V::I(p.cadre_id),
                    V::I(p.title_id),
                    V::S(p.unit_code.clone()),
                    V::D(p.from),
                    V::OD(p.to),
                    V::OD(p.appointed_on),
                    V::T(now),
                ]
            })
            .collect();
        bulk::insert(
            tx,
            table,
            &[
                "cadre_id",
                "title_id",
                "unit_code",
                "from_date",
                "to_date",
                "appointed_on",
                "created_at",
            ],
            rows,
        )
        .await?;
    }
    // (The unit history's periods change only by moves: its plans have no ends.)
    let sql = format!("UPDATE {table} SET to_date = $1, appointed_on = $2 WHERE id = $3");
    for (id, to, appointed) in &plan.ends {
        on_tx!(tx, |c| sqlx::query(&sql)
            .bind(*to)
            .bind(*appointed)
            .bind(*id)
            .execute(&mut *c)
            .await
            .map(|_| ())?);
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CompletionRow {
    id: i64,
    cadre_id: i64,
    module_id: i64,
    completed_on: NaiveDate,
    score_tenths: Option<i64>,
    source: String,
    source_ref: String,
    class_code: Option<String>,
    certificate_no: Option<String>,
    certificate_code: Option<String>,
    revoked_on: Option<NaiveDate>,
    revoke_reason: Option<String>,
}

impl CompletionRow {
    fn facts(self) -> CompletionFacts {
        CompletionFacts {
            score_tenths: self.score_tenths,
            source: self.source,
            source_ref: self.source_ref,
            class_code: self.class_code,
            certificate_no: self.certificate_no,
            certificate_code: self.certificate_code,
            revoked_on: self.revoked_on,
            revoke_reason: self.revoke_reason,
        }
    }
}

const COMPLETION_SELECT: &str = "SELECT co.id, co.cadre_id, co.module_id, co.completed_on, co.score_tenths, co.source,
        co.source_ref, COALESCE(cl.code, co.class_code) AS class_code, co.certificate_no, co.certificate_code,
        co.revoked_on, co.revoke_reason
 FROM completions co LEFT JOIN classes cl ON cl.id = co.class_id";

/// What a completion sheet is checked against: `ids` the personal ids it names, `classes` and
/// `certificates` the class codes and certificate numbers it names.
pub async fn completion_lookups(
    tx: &mut Tx,
    ids: &[String],
    classes: &[String],
    certificates: &[String],
) -> AppResult<CompletionLookups> {
    let people = people(tx, ids).await?;
    let modules: Vec<(String, i64, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT code, id, version FROM modules"
    )
    .fetch_all(&mut *c)
    .await?);
    let mut out = CompletionLookups {
        modules: modules
            .into_iter()
            .map(|(code, id, version)| (code, (id, version)))
            .collect(),
        ..Default::default()
    };
    if !classes.is_empty() {
        let sql = format!("SELECT code FROM classes WHERE code {}", in_texts(tx, 1));
        let param = text_param(tx, classes);
        let rows: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(&sql)
            .bind(&param)
            .fetch_all(&mut *c)
            .await?);
        out.classes = rows.into_iter().collect();
    }
    if !certificates.is_empty() {
        let sql = format!(
            "SELECT certificate_no FROM completions WHERE certificate_no {}",
            in_texts(tx, 1)
        );
        let param = text_param(tx, certificates);
        let rows: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(&sql)
            .bind(&param)
            .fetch_all(&mut *c)
            .await?);
        out.certificates_taken = rows.into_iter().collect();
    }
    let ids = cadre_ids(&people);
    if !ids.is_empty() {
        let sql = format!(
            "{COMPLETION_SELECT} WHERE co.cadre_id {}",
            in_ids(tx.is_sqlite(), 1)
        );
        let param = id_param(tx.is_sqlite(), &ids);
        let rows: Vec<CompletionRow> = on_tx!(tx, |c| sqlx::query_as(&sql)
            .bind(&param)
            .fetch_all(&mut *c)
            .await?);
        for r in rows {
            let key = (r.cadre_id, r.module_id, r.completed_on);
            let id = r.id;
            out.on_record.insert(key, (id, r.facts()));
        }
    }
    out.people = people;
    Ok(out)
}

/// Writes a checked completion plan (no qualification is derived: the record's qualification
/// sheet carries them).
pub async fn apply_completions(tx: &mut Tx, plan: &CompletionPlan) -> AppResult<()> {
    let now = Utc::now();
    let rows = plan
        .new
        .iter()
        .map(|c| {
            let f = &c.facts;
            vec![
                V::I(c.cadre_id),
                V::I(c.module_id),
                V::I(c.module_version),
                V::OI(None),
                V::D(c.completed_on),
                V::OI(f.score_tenths),
                V::OS(f.certificate_no.clone()),
                V::OS(f.certificate_code.clone()),
                V::S(f.source.clone()),
                V::S(f.source_ref.clone()),
                V::OS(f.class_code.clone()),
                V::OD(f.revoked_on),
                V::OS(f.revoke_reason.clone()),
                V::T(now),
            ]
        })
        .collect();
    bulk::insert(
        tx,
        "completions",
        &[
            "cadre_id",
            "module_id",
            "module_version",
            "class_id",
            "completed_on",
            "score_tenths",
            "certificate_no",
            "certificate_code",
            "source",
            "source_ref",
            "class_code",
            "revoked_on",
            "revoke_reason",
            "created_at",
        ],
        rows,
    )
    .await?;
    for (id, f) in &plan.updates {
        on_tx!(tx, |c| sqlx::query(
            "UPDATE completions SET score_tenths = $1, source = $2, source_ref = $3 WHERE id = $4"
        )
        .bind(f.score_tenths)
        .bind(&f.source)
        .bind(&f.source_ref)
        .bind(*id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    }
    Ok(())
}

/// What a qualification sheet naming these personal ids is checked against.
pub async fn qualification_lookups(tx: &mut Tx, ids: &[String]) -> AppResult<QualificationLookups> {
    let people = people(tx, ids).await?;
    let levels: Vec<(String, String)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT scale_code, code FROM qualification_levels"
    )
    .fetch_all(&mut *c)
    .await?);
    let mut out = QualificationLookups {
        levels: levels.into_iter().collect(),
        ..Default::default()
    };
    let ids = cadre_ids(&people);
    if !ids.is_empty() {
        let sql = format!(
            "SELECT id, cadre_id, scale_code, level_code, obtained_on, issuer, evidence, source,
                    source_ref, revoked_on
             FROM cadre_qualifications WHERE cadre_id {}",
            in_ids(tx.is_sqlite(), 1)
        );
        let param = id_param(tx.is_sqlite(), &ids);
        type R = (
            i64,
            i64,
            String,
            String,
            NaiveDate,
            String,
            String,
            String,
            String,
            Option<NaiveDate>,
        );
        let rows: Vec<R> = on_tx!(tx, |c| sqlx::query_as(&sql)
            .bind(&param)
            .fetch_all(&mut *c)
            .await?);
        for (id, cadre, scale, level, day, issuer, evidence, source, source_ref, revoked) in rows {
            out.on_record.insert(
                (cadre, scale, level, day),
                (
                    id,
                    QualificationFacts {
                        issuer,
                        evidence,
                        source,
                        source_ref,
                        revoked_on: revoked,
                    },
                ),
            );
        }
    }
    out.people = people;
    Ok(out)
}

/// Writes a checked qualification plan.
pub async fn apply_qualifications(tx: &mut Tx, plan: &QualificationPlan) -> AppResult<()> {
    let now = Utc::now();
    let rows = plan
        .new
        .iter()
        .map(|q| {
            vec![
                V::I(q.cadre_id),
                V::S(q.scale.clone()),
                V::S(q.level.clone()),
                V::D(q.obtained_on),
                V::S(q.facts.issuer.clone()),
                V::S(q.facts.evidence.clone()),
                V::S(q.facts.source.clone()),
                V::S(q.facts.source_ref.clone()),
                V::OD(q.facts.revoked_on),
                V::T(now),
            ]
        })
        .collect();
    bulk::insert(
        tx,
        "cadre_qualifications",
        &[
            "cadre_id",
            "scale_code",
            "level_code",
            "obtained_on",
            "issuer",
            "evidence",
            "source",
            "source_ref",
            "revoked_on",
            "created_at",
        ],
        rows,
    )
    .await?;
    crate::cadres::store::set_qualification_details(tx, &plan.updates).await
}

/// A cadre as the export's first sheet writes them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonOut {
    /// Id (not exported: the ids of two databases differ).
    pub id: i64,
    /// Sort key (paging).
    pub sort_key: String,
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
}

/// Rows per page of cadres read by the export.
pub const PEOPLE_PAGE: i64 = 2_000;

fn yes_no(b: bool) -> Out {
    Out::Text(if b { "Có" } else { "Không" }.into())
}

impl PersonOut {
    /// Where the next page starts.
    pub fn cursor(&self) -> (String, String) {
        (self.sort_key.clone(), self.personal_id.clone())
    }

    /// The cadre sheet's row.
    pub fn row(&self) -> Vec<Out> {
        vec![
            Out::Text(self.personal_id.clone()),
            Out::Text(self.full_name.clone()),
            gender_vi(&self.gender).into(),
            self.birth_date.into(),
            Out::Text(self.ethnicity.clone()),
            yes_no(self.ethnic_minority),
            self.religion.clone().into(),
            self.party_joined_on.into(),
            Out::Text(self.unit_code.clone()),
            self.unit_since.into(),
            Organisation::parse(&self.organisation)
                .map(organisation_vi)
                .unwrap_or(self.organisation.as_str())
                .into(),
            self.phone.clone().into(),
            self.email.clone().into(),
            yes_no(self.active),
        ]
    }

    /// Personal id and name, which every other sheet's rows start with.
    fn who(&self) -> [Out; 2] {
        [
            Out::Text(self.personal_id.clone()),
            Out::Text(self.full_name.clone()),
        ]
    }
}

/// One page of the cadres in scope (and in `range`, a unit's subtree), by sort key then
/// personal id: the natural order, the same in every database holding the same people.
pub async fn people_page(
    db: &Db,
    scope: &Scope,
    range: &Option<(String, String)>,
    after: Option<&(String, String)>,
) -> AppResult<Vec<PersonOut>> {
    let (s, p) = after.cloned().unwrap_or_default();
    let mut binds: Vec<String> = vec![s, p];
    let (cond, scope_binds) = scope.cadre_filter("c.id", "u.path", 3);
    binds.extend(scope_binds);
    let mut sql = format!(
        "SELECT c.id, c.sort_key, c.personal_id, c.full_name, c.gender, c.birth_date, c.ethnicity,
                c.ethnic_minority, c.religion, c.party_joined_on, c.unit_code,
                (SELECT MAX(cu.from_date) FROM cadre_units cu WHERE cu.cadre_id = c.id AND cu.to_date IS NULL) AS unit_since,
                c.organisation, c.phone, c.email, c.active
         FROM cadres c JOIN units u ON u.code = c.unit_code
         WHERE c.sort_key >= $1 AND (c.sort_key > $1 OR c.personal_id > $2) AND {cond}"
    );
    if let Some((lo, hi)) = range {
        let n = binds.len();
        sql.push_str(&format!(
            " AND u.path >= ${} AND u.path < ${}",
            n + 1,
            n + 2
        ));
        binds.push(lo.clone());
        binds.push(hi.clone());
    }
    sql.push_str(&format!(
        " ORDER BY c.sort_key, c.personal_id LIMIT {PEOPLE_PAGE}"
    ));
    Ok(on_db!(db, |p| {
        let mut q = sqlx::query_as::<_, PersonOut>(&sql);
        for b in &binds {
            q = q.bind(b.as_str());
        }
        q.fetch_all(p).await?
    }))
}

/// The rows of `part` for a page of cadres, in the page's order, each cadre's rows by their
/// natural key (never by id).
pub async fn part_rows(db: &Db, part: Part, page: &[PersonOut]) -> AppResult<Vec<Vec<Out>>> {
    if part == Part::Cadres {
        return Ok(page.iter().map(PersonOut::row).collect());
    }
    let mut ids: Vec<i64> = page.iter().map(|p| p.id).collect();
    ids.sort_unstable();
    let sqlite = db.backend() == "sqlite";
    let filter = in_ids(sqlite, 1);
    let param = id_param(sqlite, &ids);
    let position: HashMap<i64, usize> = page.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    // (cadre position, sort key of the row, row)
    let mut out: Vec<(usize, Vec<String>, Vec<Out>)> = vec![];
    let pos = |id: i64| position.get(&id).copied().unwrap_or(usize::MAX);
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    match part {
        Part::Cadres => {}
        Part::History => {
            let sql = format!(
                "SELECT cadre_id, unit_code, from_date, to_date FROM cadre_units WHERE cadre_id {filter}"
            );
            let rows: Vec<(i64, String, NaiveDate, Option<NaiveDate>)> =
                on_db!(db, |p| sqlx::query_as(&sql)
                    .bind(&param)
                    .fetch_all(p)
                    .await?);
            for (cadre, unit, from, to) in rows {
                let i = pos(cadre);
                let [pid, name] = page[i].who();
                out.push((
                    i,
                    vec![from.to_string(), unit.clone(), day(to)],
                    vec![pid, name, Out::Text(unit), from.into(), to.into()],
                ));
            }
        }
        Part::Titles | Part::Plans => {
            let sql = format!(
                "SELECT x.cadre_id, t.code, x.unit_code, x.from_date, x.to_date, x.appointed_on FROM {} x
                 JOIN titles t ON t.id = x.title_id WHERE x.cadre_id {filter}",
                period_table(part)
            );
            type R = (
                i64,
                String,
                String,
                NaiveDate,
                Option<NaiveDate>,
                Option<NaiveDate>,
            );
            let rows: Vec<R> = on_db!(db, |p| sqlx::query_as(&sql)
                .bind(&param)
                .fetch_all(p)
                .await?);
            for (cadre, title, unit, from, to, appointed) in rows {
                let i = pos(cadre);
                let [pid, name] = page[i].who();
                out.push((
                    i,
                    vec![from.to_string(), title.clone(), unit.clone(), day(to)],
                    vec![
                        pid,
                        name,
                        Out::Text(title),
                        Out::Text(unit),
                        from.into(),
                        to.into(),
                        appointed.into(),
                    ],
                ));
            }
        }
        Part::Completions => {
            let sql = format!(
                "SELECT co.cadre_id, m.code, co.completed_on, co.score_tenths, co.source, co.source_ref,
                        COALESCE(cl.code, co.class_code), co.certificate_no, co.certificate_code,
                        co.revoked_on, co.revoke_reason
                 FROM completions co JOIN modules m ON m.id = co.module_id
                 LEFT JOIN classes cl ON cl.id = co.class_id WHERE co.cadre_id {filter}"
            );
            type R = (
                i64,
                String,
                NaiveDate,
                Option<i64>,
                String,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<NaiveDate>,
                Option<String>,
            );
            let rows: Vec<R> = on_db!(db, |p| sqlx::query_as(&sql)
                .bind(&param)
                .fetch_all(p)
                .await?);
            for (cadre, module, day_on, score, source, source_ref, class, cert, code, rev, why) in
                rows
            {
                let i = pos(cadre);
                let [pid, name] = page[i].who();
                out.push((
                    i,
                    vec![day_on.to_string(), module.clone()],
                    vec![
                        pid,
                        name,
                        Out::Text(module),
                        day_on.into(),
                        score
                            .map(|t| Out::Num(t as f64 / 10.0))
                            .unwrap_or(Out::Empty),
                        Out::Text(source_vi(&source).to_string()),
                        Some(source_ref).filter(|s| !s.is_empty()).into(),
                        class.into(),
                        cert.into(),
                        code.into(),
                        rev.into(),
                        why.into(),
                    ],
                ));
            }
        }
        Part::Qualifications => {
            let sql = format!(
                "SELECT cadre_id, scale_code, level_code, obtained_on, issuer, evidence, source, source_ref,
                        revoked_on
                 FROM cadre_qualifications WHERE cadre_id {filter}"
            );
            type R = (
                i64,
                String,
                String,
                NaiveDate,
                String,
                String,
                String,
                String,
                Option<NaiveDate>,
            );
            let rows: Vec<R> = on_db!(db, |p| sqlx::query_as(&sql)
                .bind(&param)
                .fetch_all(p)
                .await?);
            for (cadre, scale, level, on, issuer, evidence, source, source_ref, rev) in rows {
                let i = pos(cadre);
                let [pid, name] = page[i].who();
                let text = |s: String| Some(s).filter(|s| !s.is_empty()).into();
                out.push((
                    i,
                    vec![scale.clone(), on.to_string(), level.clone()],
                    vec![
                        pid,
                        name,
                        Out::Text(scale),
                        Out::Text(level),
                        on.into(),
                        text(issuer),
                        text(evidence),
                        Out::Text(super::qualifications::source_vi(&source).to_string()),
                        text(source_ref),
                        rev.into(),
                    ],
                ));
            }
        }
    }
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    Ok(out.into_iter().map(|(_, _, row)| row).collect())
}

/// The distinct non-blank values of a column (class codes, certificate numbers a sheet names).
pub fn distinct(values: impl Iterator<Item = String>) -> Vec<String> {
    let set: HashSet<String> = values.filter(|s| !s.is_empty()).collect();
    let mut v: Vec<String> = set.into_iter().collect();
    v.sort_unstable();
    v
}
