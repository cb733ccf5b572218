//! Loading what a gap report needs, as of a date, in a fixed number of queries whatever the
//! number of cadres or units.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

use crate::cadres::domain::Gender;

use crate::db::Db;
use crate::db::Exec;
use crate::error::{AppError, AppResult};
use crate::on_exec;

/// Which assessments a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
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

/// How a cadre stands to a title on a day: holding it, or planned to succeed to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Holding {
    /// Holds the title.
    Incumbent,
    /// Planned successor.
    Planned,
}

crate::text_enum!(Holding);

impl Holding {
    /// Stored (and served) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Holding::Incumbent => "incumbent",
            Holding::Planned => "planned",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Holding> {
        [Holding::Incumbent, Holding::Planned]
            .into_iter()
            .find(|h| h.as_str() == s)
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
    /// Only these cadres.
    pub cadres: Option<Vec<i64>>,
    /// The day whose unit tree places and groups the holders (normally `as_of`; `compare`
    /// places an earlier date's holders on the later date's tree).
    pub tree_on: NaiveDate,
}

/// One title held or planned on the date, with the person and where they were.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Holder {
    /// Cadre.
    pub cadre_id: i64,
    /// Name.
    pub full_name: String,
    /// `incumbent` or `planned`.
    pub population: Holding,
    /// Title code.
    pub title_code: String,
    /// Id of the assignment or plan.
    pub period_id: i64,
    /// Day of the appointment (the assignment's start, or the original one's when it was split
    /// by a move to a successor unit).
    pub from_date: NaiveDate,
    /// Gender.
    pub gender: Gender,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Minority flag.
    pub ethnic_minority: bool,
    /// Party date.
    pub party_joined_on: Option<NaiveDate>,
    /// The unit the holder is counted in on the tree's day: their own unit, or its main
    /// successor when it was merged away.
    pub unit_code: String,
    /// Its path on the tree's day.
    pub unit_path: String,
    /// `live`, `merged` (counted under the successor) or `unplaced` (retired with no successor).
    pub placement: String,
}

fn holders_sql(table: &str, population: &str, f: &Filter, sqlite: bool) -> String {
    // The whole tree (`/`) or one top-level unit (`/79/`).
    let big = f.range.0.matches('/').count() <= 2;
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
    extra.push_str(&only_cadres("a", f));
    let day = format!("'{}'", f.tree_on);
    // The unit code the holder is counted in and its placement (a unit not yet in being on the
    // day: itself, unplaced).
    let (code, placement) = crate::units::store::placing_sql("u", 1);
    let placing = format!("{code} AS unit_code, {placement} AS placement").replace("$1", &day);
    let cols = format!(
        "a.cadre_id, c.full_name, '{population}' AS population, t.code AS title_code, a.id AS period_id, COALESCE(a.appointed_on, a.from_date) AS from_date, c.gender,
         c.birth_date, c.ethnic_minority, c.party_joined_on, {placing}, u.path AS unit_path"
    );
    // The unit tree of the tree's day: each unit's period containing it (live, merged into a
    // successor, or unplaced), or the first one of a unit not yet in being. The day is a checked
    // date, written as a literal.
    let tree = crate::units::store::placing_period_sql("u", 1).replace("$1", &day);
    let cu = "cu.from_date <= $1 AND (cu.to_date IS NULL OR cu.to_date > $1)";
    let a = "a.from_date <= $1 AND (a.to_date IS NULL OR a.to_date >= $1)";
    let placed_by_title = format!(
        "SELECT {cols} FROM unit_periods u
         JOIN {table} a ON a.unit_code = u.code AND {a}
         JOIN titles t ON t.id = a.title_id
         JOIN cadres c ON c.id = a.cadre_id
         WHERE u.path >= $2 AND u.path < $3 AND {tree}{extra}
           AND NOT EXISTS (SELECT 1 FROM cadre_units cu WHERE cu.cadre_id = a.cadre_id AND {cu})"
    );
    // Holders placed by the unit they belonged to on D, then holders with no unit period covering
    // D, placed by the unit of the title. A small subtree (a district, a ward) is driven by its
    // units, so it touches only its own rows; a whole province or the country is driven by the
    // titles held on D (far fewer rows than everyone's unit periods). SQLite keeps the written
    // join order for CROSS JOIN; PostgreSQL chooses its own.
    if big {
        // One pass: a holder's unit periods covering D, or else (no period) the title's unit.
        let cross = if sqlite { "CROSS JOIN" } else { "JOIN" };
        format!(
            "SELECT {cols} FROM {table} a
             LEFT JOIN cadre_units cu ON cu.cadre_id = a.cadre_id AND {cu}
             {cross} unit_periods u ON u.code = COALESCE(cu.unit_code, a.unit_code) AND {tree}
             JOIN titles t ON t.id = a.title_id
             JOIN cadres c ON c.id = a.cadre_id
             WHERE {a} AND u.path >= $2 AND u.path < $3{extra}"
        )
    } else {
        format!(
            "SELECT {cols} FROM unit_periods u
             JOIN cadre_units cu ON cu.unit_code = u.code AND {cu}
             JOIN {table} a ON a.cadre_id = cu.cadre_id AND {a}
             JOIN titles t ON t.id = a.title_id
             JOIN cadres c ON c.id = a.cadre_id
             WHERE u.path >= $2 AND u.path < $3 AND {tree}{extra}
             UNION ALL
             {placed_by_title}"
        )
    }
}

pub(super) use crate::db::{id_param, in_ids};

/// The filter's "only these cadres" on table `alias` (ids are numbers, written as literals).
pub(super) fn only_cadres(alias: &str, f: &Filter) -> String {
    match &f.cadres {
        Some(ids) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(" AND {alias}.cadre_id IN ({})", list.join(","))
        }
        None => String::new(),
    }
}

/// Everything a report computes from.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Titles held/planned on the date in the subtree.
    pub holders: Vec<Holder>,
    /// Best qualification rank per cadre and scale on the date: cadre → [(scale, rank)].
    pub best_rank: HashMap<i64, Vec<(String, i64)>>,
    /// Latest counting completion per cadre and module on the date: cadre → [(module, day)].
    pub last_completion: HashMap<i64, Vec<(String, NaiveDate)>>,
}

/// Loads holders and their facts: the holders, then their qualifications and completions
/// (each in at most [`FACT_PARTS`] statements run side by side).
pub async fn load(db: &Db, f: &Filter) -> AppResult<Loaded> {
    let sqlite = db.is_sqlite();
    let mut parts = vec![];
    if matches!(f.population, Population::Incumbent | Population::Both) {
        parts.push(holders_sql("title_assignments", "incumbent", f, sqlite));
    }
    if matches!(f.population, Population::Planned | Population::Both) {
        parts.push(holders_sql("succession_plans", "planned", f, sqlite));
    }
    let holders_q = parts.join(" UNION ALL ");
    let mut binds = vec![f.range.0.clone(), f.range.1.clone()];
    binds.extend(f.title.iter().cloned());
    binds.extend(f.org_kind.iter().cloned());
    let mut holders: Vec<Holder> = joined(spawn_fetch(db, holders_q, f.as_of, binds)).await?;
    if f.cadres.is_some() {
        // One cadre's titles in a fixed order (incumbent first, then by id), as `/api/me` lists them.
        holders.sort_by_key(|h| (h.population != Holding::Incumbent, h.period_id));
    }
    with_facts(db, holders, f.as_of).await
}

/// The facts the reasons of some unmet checks need: the best level of each (cadre, scale) and the
/// last completion of each (cadre, module) named. Whatever else the cadres did is not read.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Needed {
    /// (cadre, scale code) of unmet `min_level` requirements.
    pub scales: BTreeSet<(i64, String)>,
    /// (cadre, module code) of unmet `module` requirements.
    pub modules: BTreeSet<(i64, String)>,
    /// The holders with no unmet person condition: their titles' rows are not read (no
    /// appointment day, birth or Party date is needed to explain a level or a module).
    pub bare: Vec<(i64, Holding, String)>,
}

impl Needed {
    /// What explaining the unmet requirement keys of these holders ((cadre, holding, title) →
    /// keys) needs, and the cadres (sorted, distinct) whose title rows must be read: those short
    /// of a person condition. Every other holder is `bare`.
    pub fn of(unmet: &HashMap<(i64, Holding, String), Vec<String>>) -> (Needed, Vec<i64>) {
        let mut needed = Needed::default();
        let mut persons = vec![];
        for ((cadre_id, _, _), keys) in unmet {
            for k in keys {
                if needed.add(*cadre_id, k) {
                    persons.push(*cadre_id);
                }
            }
        }
        persons.sort_unstable();
        persons.dedup();
        // A cadre whose title rows are read gets every title it holds from them.
        needed.bare = unmet
            .keys()
            .filter(|k| persons.binary_search(&k.0).is_err())
            .cloned()
            .collect();
        (needed, persons)
    }

    /// The facts needed to explain requirement `key` of `cadre_id`; whether it is a person
    /// condition (age, Party years), which needs the holder's title row and person dates.
    fn add(&mut self, cadre_id: i64, key: &str) -> bool {
        if let Some(scale) = key.strip_prefix("min_level:") {
            self.scales.insert((cadre_id, scale.to_string()));
            false
        } else if let Some(module) = key.strip_prefix("module:") {
            self.modules.insert((cadre_id, module.to_string()));
            false
        } else {
            true
        }
    }
}

/// The titles these cadres hold or are planned for on `as_of` (`population`; wherever their
/// units are: no unit or name is read, `full_name`, `unit_code`, `unit_path` and `placement`
/// are empty), with their
/// facts: what the engine needs to give the reasons of cadres already listed by a report.
/// `ids`: sorted, distinct. `needed`: only these facts (the reasons of unmet checks), else all
/// that any standard's requirement reads; its `bare` holders are added without a title row
/// read (their person fields are placeholders: the day `as_of`, no Party date).
pub async fn load_listed(
    db: &Db,
    ids: &[i64],
    population: Population,
    as_of: NaiveDate,
    needed: Option<&Needed>,
) -> AppResult<Loaded> {
    if ids.is_empty() && needed.is_none_or(|n| n.bare.is_empty()) {
        return Ok(Loaded::default());
    }
    let sqlite = db.is_sqlite();
    let inn = in_ids(sqlite, 2);
    let one = |table: &str, holding: &str| {
        format!(
            "SELECT a.cadre_id, '{holding}' AS population, t.code AS title_code, a.id AS period_id,
                    COALESCE(a.appointed_on, a.from_date) AS from_date, c.gender, c.birth_date,
                    CASE WHEN c.ethnic_minority THEN 1 ELSE 0 END AS minority, c.party_joined_on
             FROM {table} a JOIN titles t ON t.id = a.title_id JOIN cadres c ON c.id = a.cadre_id
             WHERE a.cadre_id {inn} AND a.from_date <= $1 AND (a.to_date IS NULL OR a.to_date >= $1)"
        )
    };
    let mut parts = vec![];
    if matches!(population, Population::Incumbent | Population::Both) {
        parts.push(one("title_assignments", "incumbent"));
    }
    if matches!(population, Population::Planned | Population::Both) {
        parts.push(one("succession_plans", "planned"));
    }
    let text = |col: &str| format!("COALESCE(CAST({col} AS TEXT), '')");
    let fields = [
        text("cadre_id"),
        "population".into(),
        "title_code".into(),
        text("period_id"),
        text("from_date"),
        "gender".into(),
        text("birth_date"),
        text("minority"),
        text("party_joined_on"),
    ];
    let sql = packed(sqlite, &fields, &parts.join(" UNION ALL "));
    // The facts are read beside the titles (both by the ids given).
    let facts = match needed {
        Some(needed) => FactReads::spawn_needed(db, needed, as_of),
        None => FactReads::spawn(db, ids, as_of),
    };
    let packed: Vec<Packed> = if ids.is_empty() {
        vec![]
    } else {
        fetch_all(db, sql, as_of, vec![id_param(sqlite, ids)]).await?
    };
    let mut holders = listed_holders(&packed)?;
    let bare = needed.map_or(&[][..], |n| n.bare.as_slice());
    holders.extend(
        bare.iter()
            .map(|(cadre_id, population, title_code)| Holder {
                cadre_id: *cadre_id,
                full_name: String::new(),
                population: *population,
                title_code: title_code.clone(),
                period_id: 0,
                from_date: as_of,
                gender: Gender::Other,
                birth_date: as_of,
                ethnic_minority: false,
                party_joined_on: None,
                unit_code: String::new(),
                unit_path: String::new(),
                placement: String::new(),
            }),
    );
    facts.gather(holders).await
}

/// The rows of [`load_listed`]'s packed titles (no name, no unit).
fn listed_holders(packed: &[Packed]) -> AppResult<Vec<Holder>> {
    let bad = |what: &str| AppError::Internal(format!("packed title row: {what}"));
    let mut out = vec![];
    for mut f in packed_rows(packed) {
        let mut next = |name: &str| f.next().ok_or_else(|| bad(name));
        let cadre_id = next("cadre_id")?.parse().map_err(|_| bad("cadre_id"))?;
        let population = Holding::parse(next("population")?).ok_or_else(|| bad("population"))?;
        let title_code = next("title_code")?.to_string();
        let period_id = next("period_id")?.parse().map_err(|_| bad("period_id"))?;
        let from_date = next("from_date")?.parse().map_err(|_| bad("from_date"))?;
        let gender = Gender::parse(next("gender")?).ok_or_else(|| bad("gender"))?;
        let birth_date = next("birth_date")?.parse().map_err(|_| bad("birth_date"))?;
        let ethnic_minority = next("minority")? == "1";
        let party_joined_on = match next("party_joined_on")? {
            "" => None,
            d => Some(d.parse().map_err(|_| bad("party_joined_on"))?),
        };
        out.push(Holder {
            cadre_id,
            full_name: String::new(),
            population,
            title_code,
            period_id,
            from_date,
            gender,
            birth_date,
            ethnic_minority,
            party_joined_on,
            unit_code: String::new(),
            unit_path: String::new(),
            placement: String::new(),
        });
    }
    Ok(out)
}

/// These holders with their facts on `as_of`.
async fn with_facts(db: &Db, holders: Vec<Holder>, as_of: NaiveDate) -> AppResult<Loaded> {
    let mut ids: Vec<i64> = holders.iter().map(|h| h.cadre_id).collect();
    ids.sort_unstable();
    ids.dedup();
    FactReads::spawn(db, &ids, as_of).gather(holders).await
}

/// The reads of some cadres' facts on a day, under way: their best qualification per scale and
/// their last counting completion per module required by some standard.
struct FactReads {
    quals: Vec<Fetch<Packed>>,
    comps: Vec<Fetch<Packed>>,
}

impl FactReads {
    /// Starts the reads of the facts of `ids` (sorted, distinct), passed as one text parameter
    /// (a JSON array on SQLite, a comma-separated list on PostgreSQL). Large sets are cut into
    /// FACT_PARTS ranges of ids and every (kind, part) statement runs on its own pooled
    /// connection at the same time: a fixed number of statements whatever the number of
    /// holders, spread over the server's cores.
    fn spawn(db: &Db, ids: &[i64], as_of: NaiveDate) -> FactReads {
        let parts = if ids.len() >= SPLIT_FROM {
            FACT_PARTS
        } else {
            1
        };
        let sqlite = db.is_sqlite();
        let in_ids = in_ids(sqlite, 2);
        let quals_q = format!(
            "SELECT q.cadre_id AS a, q.scale_code AS b, MAX(l.rank) AS c FROM cadre_qualifications q
             JOIN qualification_levels l ON l.scale_code = q.scale_code AND l.code = q.level_code
             WHERE q.obtained_on <= $1 AND (q.revoked_on IS NULL OR q.revoked_on > $1) AND q.cadre_id {in_ids}
             GROUP BY q.cadre_id, q.scale_code"
        );
        let comps_q = format!(
            "SELECT co.cadre_id AS a, m.code AS b, MAX(co.completed_on) AS c FROM completions co JOIN modules m ON m.id = co.module_id
             WHERE co.completed_on <= $1 AND (co.revoked_on IS NULL OR co.revoked_on > $1) AND co.cadre_id {in_ids}
               AND m.code IN (SELECT DISTINCT module_code FROM standard_requirements WHERE kind = 'module')
             GROUP BY co.cadre_id, m.code"
        );
        let mut reads = FactReads {
            quals: vec![],
            comps: vec![],
        };
        if !ids.is_empty() {
            let per = ids.len().div_ceil(parts);
            for chunk in ids.chunks(per) {
                let param = id_param(sqlite, chunk);
                reads.quals.push(spawn_fetch::<Packed>(
                    db,
                    packed3(sqlite, &quals_q),
                    as_of,
                    vec![param.clone()],
                ));
                reads.comps.push(spawn_fetch::<Packed>(
                    db,
                    packed3(sqlite, &comps_q),
                    as_of,
                    vec![param],
                ));
            }
        }
        reads
    }

    /// Starts the reads of only the `needed` facts, each (cadre, code) pair a seek of its own:
    /// the pairs passed as one JSON array parameter (`[[id, "code"], …]`).
    fn spawn_needed(db: &Db, needed: &Needed, as_of: NaiveDate) -> FactReads {
        let sqlite = db.is_sqlite();
        // The pairs of a JSON array parameter, as `j.id` and `j.code`.
        let pairs = if sqlite {
            "(SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS code \
             FROM json_each($2))"
        } else {
            "(SELECT CAST(value->>0 AS BIGINT) AS id, value->>1 AS code \
             FROM json_array_elements(CAST($2 AS JSON)))"
        };
        let quals_q = format!(
            "SELECT a, b, c FROM (SELECT j.id AS a, j.code AS b,
                (SELECT MAX(l.rank) FROM cadre_qualifications q
                 JOIN qualification_levels l ON l.scale_code = q.scale_code AND l.code = q.level_code
                 WHERE q.cadre_id = j.id AND q.scale_code = j.code
                   AND q.obtained_on <= $1 AND (q.revoked_on IS NULL OR q.revoked_on > $1)) AS c
             FROM {pairs} j) t WHERE c IS NOT NULL"
        );
        let comps_q = format!(
            "SELECT a, b, c FROM (SELECT j.id AS a, j.code AS b,
                (SELECT MAX(co.completed_on) FROM completions co
                 WHERE co.cadre_id = j.id AND co.module_id = m.id
                   AND co.completed_on <= $1 AND (co.revoked_on IS NULL OR co.revoked_on > $1)) AS c
             FROM {pairs} j {join} modules m ON m.code = j.code) t WHERE c IS NOT NULL",
            // SQLite would otherwise scan the modules and the pairs under each.
            join = if sqlite { "CROSS JOIN" } else { "JOIN" }
        );
        let param = |set: &BTreeSet<(i64, String)>| {
            serde_json::to_string(&set.iter().collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into())
        };
        let mut reads = FactReads {
            quals: vec![],
            comps: vec![],
        };
        for (set, sql, into) in [
            (&needed.scales, quals_q, &mut reads.quals),
            (&needed.modules, comps_q, &mut reads.comps),
        ] {
            if !set.is_empty() {
                into.push(spawn_fetch::<Packed>(
                    db,
                    packed3(sqlite, &sql),
                    as_of,
                    vec![param(set)],
                ));
            }
        }
        reads
    }

    /// `holders` with the facts read.
    async fn gather(self, holders: Vec<Holder>) -> AppResult<Loaded> {
        let mut best_rank: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
        for t in self.quals {
            for (c, s, r) in unpack3::<i64>(joined(t).await?)? {
                best_rank.entry(c).or_default().push((s, r));
            }
        }
        let mut last_completion: HashMap<i64, Vec<(String, NaiveDate)>> = HashMap::new();
        for t in self.comps {
            for (c, m, d) in unpack3::<NaiveDate>(joined(t).await?)? {
                last_completion.entry(c).or_default().push((m, d));
            }
        }
        Ok(Loaded {
            holders,
            best_rank,
            last_completion,
        })
    }
}

/// Holder sets at least this large have their facts loaded in [`FACT_PARTS`] parts at once.
const SPLIT_FROM: usize = 4_096;
/// Parts a large holder set's fact queries are cut into (statements run side by side).
const FACT_PARTS: usize = 2;

type Fetch<T> = rocket::tokio::task::JoinHandle<AppResult<Vec<T>>>;

/// One packed result: every row of a statement in one text value.
#[derive(sqlx::FromRow)]
pub(super) struct Packed {
    /// The rows, or none when there are none.
    pub packed: Option<String>,
    /// The reference version the statement saw, where it reads it ([`packed_seeing_reference`]).
    #[sqlx(default)]
    pub reference: Option<String>,
}

/// `sql` with its rows packed into one text value: each row's `fields` (SQL expressions giving
/// text: codes, numbers, days, never free text) joined by U+001F, the rows by U+001E. On SQLite
/// every row of a result is handed on its own from the connection's thread to the async task,
/// which cost more than the report statements themselves (BENCHMARKS.md, "Reports from the status
/// timeline"); one value is handed once.
pub(super) fn packed(sqlite: bool, fields: &[impl AsRef<str>], sql: &str) -> String {
    packed_with(sqlite, fields, sql, "")
}

/// [`packed`] with the reference version the statement saw beside its rows (in the same
/// snapshot), as the column `reference`.
pub(super) fn packed_seeing_reference(
    sqlite: bool,
    fields: &[impl AsRef<str>],
    sql: &str,
) -> String {
    let seen = concat!(", ", crate::reference_version!(), " AS reference");
    packed_with(sqlite, fields, sql, seen)
}

/// [`packed`] with the columns `more` (each led by a comma) after the packed rows.
fn packed_with(sqlite: bool, fields: &[impl AsRef<str>], sql: &str, more: &str) -> String {
    let (agg, ch) = if sqlite {
        ("group_concat", "char")
    } else {
        ("string_agg", "chr")
    };
    let row: Vec<&str> = fields.iter().map(AsRef::as_ref).collect();
    let row = row.join(&format!(" || {ch}(31) || "));
    format!("SELECT {agg}({row}, {ch}(30)) AS packed{more} FROM ({sql}) t")
}

/// The rows of a [`packed`] result, each as its fields in order.
pub(super) fn packed_rows(packed: &[Packed]) -> impl Iterator<Item = std::str::Split<'_, char>> {
    packed
        .iter()
        .filter_map(|p| p.packed.as_deref())
        .flat_map(|t| t.split('\u{1e}'))
        .filter(|r| !r.is_empty())
        .map(|r| r.split('\u{1f}'))
}

/// The three columns `a` (an id), `b` (a code) and `c` of a fact statement, packed.
fn packed3(sqlite: bool, sql: &str) -> String {
    packed(
        sqlite,
        &["CAST(a AS TEXT)", "CAST(b AS TEXT)", "CAST(c AS TEXT)"],
        sql,
    )
}

/// The rows of a [`packed3`] result: an id, a code and a value parsed as `T`.
fn unpack3<T: std::str::FromStr>(packed: Vec<Packed>) -> AppResult<Vec<(i64, String, T)>> {
    let bad = || AppError::Internal("packed report row".into());
    let mut out = vec![];
    for mut f in packed_rows(&packed) {
        let (Some(a), Some(b), Some(c)) = (f.next(), f.next(), f.next()) else {
            return Err(bad());
        };
        out.push((
            a.parse().map_err(|_| bad())?,
            b.to_string(),
            c.parse().map_err(|_| bad())?,
        ));
    }
    Ok(out)
}

/// Starts `sql` (`$1` the date, then `binds` as text) on a connection of its own. On PostgreSQL
/// not as a prepared statement kept on the connection: PostgreSQL would switch it to a generic
/// plan after five runs, and for these statements that plan can be 50 times slower (the
/// whole-city report on the city data: 80 ms → 4–7 s); an unnamed statement is planned for its
/// actual dates and unit range every time. JIT compilation and parallel workers are off on every
/// connection (`Db::connect`): these statements are costed high enough for both, which take
/// longer than running them.
fn spawn_fetch<T>(db: &Db, sql: String, as_of: NaiveDate, binds: Vec<String>) -> Fetch<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
        + 'static,
{
    let db = db.clone();
    rocket::tokio::spawn(async move {
        let rows = match &db {
            Db::Sqlite(p) => {
                let mut q = sqlx::query_as(&sql).bind(as_of);
                for b in &binds {
                    q = q.bind(b);
                }
                q.fetch_all(p).await?
            }
            Db::Postgres(p) => {
                let mut q = sqlx::query_as(&sql).persistent(false).bind(as_of);
                for b in &binds {
                    q = q.bind(b);
                }
                q.fetch_all(p).await?
            }
        };
        Ok(rows)
    })
}

/// Runs one report statement (`$1` the date, then `binds` as text) as [`spawn_fetch`] does and
/// waits for its rows.
pub(super) async fn fetch_all<T>(
    db: &Db,
    sql: String,
    as_of: NaiveDate,
    binds: Vec<String>,
) -> AppResult<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
        + 'static,
{
    joined(spawn_fetch(db, sql, as_of, binds)).await
}

async fn joined<T>(task: Fetch<T>) -> AppResult<Vec<T>> {
    task.await
        .map_err(|e| AppError::Internal(format!("report query task: {e}")))?
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
    /// Vietnamese scale name, by scale code.
    pub name_vi: HashMap<String, String>,
    /// Vietnamese level name, by (scale, level code).
    pub level_vi: HashMap<(String, String), String>,
}

/// Loads the scales and their levels (one statement).
pub async fn scale_reference(ex: impl Into<Exec<'_>>) -> AppResult<ScaleRef> {
    type Row = (
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
    );
    // One JSON value rather than a row per level (each row costs more to hand over than its
    // fields).
    let ex = ex.into();
    let fields = "s.code, s.name_en, s.name_vi, l.code, l.rank, l.name_vi";
    let sql = if ex.is_sqlite() {
        format!("SELECT json_group_array(json_array({fields}))")
    } else {
        format!("SELECT CAST(COALESCE(json_agg(json_build_array({fields})), '[]') AS TEXT)")
    }
        + " FROM qualification_scales s LEFT JOIN qualification_levels l ON l.scale_code = s.code";
    let json: String = on_exec!(ex, |c| sqlx::query_scalar(&sql).fetch_one(&mut *c).await?);
    let rows: Vec<Row> = serde_json::from_str(&json)
        .map_err(|e| crate::error::AppError::Internal(format!("qualification scales: {e}")))?;
    let mut out = ScaleRef::default();
    for (scale, name, name_vi, level, rank, level_vi) in rows {
        if let (Some(level), Some(rank)) = (level, rank) {
            out.level_at.insert((scale.clone(), rank), level.clone());
            if let Some(vi) = level_vi {
                out.level_vi.insert((scale.clone(), level.clone()), vi);
            }
            out.rank_of.insert((scale.clone(), level), rank);
        }
        out.name_vi.entry(scale.clone()).or_insert(name_vi);
        out.label
            .entry(scale)
            .or_insert_with(|| name.to_lowercase());
    }
    Ok(out)
}

/// A unit of the report's subtree as it stood on the date.
#[derive(Debug, Clone)]
pub struct ReportUnit {
    /// Code.
    pub code: String,
    /// Name on the date.
    pub name: String,
    /// Kind on the date.
    pub kind: String,
    /// Path on the date.
    pub path: String,
    /// Depth on the date.
    pub depth: i64,
}

/// The units of the subtree `range` that existed on day `d`, with their names, kinds and places
/// in the tree of that day.
pub async fn units(db: &Db, range: &(String, String), d: NaiveDate) -> AppResult<Vec<ReportUnit>> {
    Ok(crate::units::store::live_on(db, range, d)
        .await?
        .into_iter()
        .map(|p| ReportUnit {
            code: p.code,
            name: p.name,
            kind: p.kind,
            path: p.path,
            depth: p.depth,
        })
        .collect())
}

/// What training demand reads of the modules and classes (four statements): the active modules
/// that award a level, the planned and open classes (module, first session, seats, seats held),
/// who holds those seats, and every module's titles.
pub async fn module_reference(db: &Db) -> AppResult<super::report::ModuleRef> {
    let awarding: Vec<(String, String, String)> = on_exec!(db, |c| sqlx::query_as(
        "SELECT code, awards_scale, awards_level FROM modules
         WHERE active = TRUE AND awards_scale IS NOT NULL AND awards_level IS NOT NULL"
    )
    .fetch_all(&mut *c)
    .await?);
    type Start = Option<chrono::DateTime<chrono::Utc>>;
    let offer: Vec<(String, Start, i64, i64)> = on_exec!(db, |c| {
        sqlx::query_as(
        "SELECT m.code, (SELECT MIN(s.starts_at) FROM class_sessions s WHERE s.class_id = c.id), c.capacity,
                (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = c.id AND e.status = 'enrolled')
         FROM classes c JOIN modules m ON m.id = c.module_id
         WHERE c.status IN ('planned', 'open')"
    )
    .fetch_all(&mut *c)
    .await?
    });
    let seat_holders: Vec<(String, Start, i64)> = on_exec!(db, |c| {
        sqlx::query_as(
        "SELECT m.code, (SELECT MIN(s.starts_at) FROM class_sessions s WHERE s.class_id = c.id), e.cadre_id
         FROM enrolments e JOIN classes c ON c.id = e.class_id JOIN modules m ON m.id = c.module_id
         WHERE c.status IN ('planned', 'open') AND e.status = 'enrolled'"
    )
    .fetch_all(&mut *c)
    .await?
    });
    let titles: Vec<(String, String, String)> = on_exec!(db, |c| sqlx::query_as(
        "SELECT code, title_vi, title_en FROM modules"
    )
    .fetch_all(&mut *c)
    .await?);
    Ok(super::report::ModuleRef {
        awarding,
        seats: HashMap::new(),
        free: HashMap::new(),
        holders: HashMap::new(),
        titles: titles
            .iter()
            .map(|(c, vi, _)| (c.clone(), vi.clone()))
            .collect(),
        titles_en: titles.into_iter().map(|(c, _, en)| (c, en)).collect(),
        offer,
        seat_holders,
    })
}

/// An open class that has not begun: what a cadre or officer may still enrol in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct OpenClassRow {
    /// Class code.
    pub code: String,
    /// Module taught.
    pub module_code: String,
    /// Title.
    pub title: String,
    /// Seats still free (negative never: clipped by the reader).
    pub seats_left: i64,
    /// The module's awarded scale, if any.
    pub awards_scale: Option<String>,
    /// The module's awarded level, if any.
    pub awards_level: Option<String>,
    /// Its first session's start.
    pub starts_at: DateTime<Utc>,
}

const OPEN_CLASSES_SQL: &str = "SELECT * FROM (SELECT c.code, m.code AS module_code, c.title,
        c.capacity - (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = c.id AND e.status = 'enrolled') AS seats_left,
        m.awards_scale, m.awards_level, c.enrol_closes,
        (SELECT MIN(s.starts_at) FROM class_sessions s WHERE s.class_id = c.id) AS starts_at
     FROM classes c JOIN modules m ON m.id = c.module_id
     WHERE c.status = 'open' AND c.enrol_opens <= $2 AND c.enrol_closes >= $2) o
     WHERE o.starts_at > $1 ORDER BY o.enrol_closes, o.code";

/// The open classes that take enrolments on the city's day `today` (their window holds it) and
/// have not begun by `now` (one statement), soonest closing first: the classes a cadre or an
/// officer can enrol in now (`enrolments::domain::open_for_enrolment`).
pub(super) async fn open_classes(
    ex: impl Into<Exec<'_>>,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> AppResult<Vec<OpenClassRow>> {
    Ok(on_exec!(ex, |c| sqlx::query_as(OPEN_CLASSES_SQL)
        .bind(now)
        .bind(today)
        .fetch_all(&mut *c)
        .await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unmet_level_or_module_needs_one_fact_and_a_person_condition_the_title_row() {
        let mut n = Needed::default();
        assert!(!n.add(7, "min_level:political_theory"));
        assert!(!n.add(7, "module:DV-03"));
        assert!(!n.add(9, "module:DV-03"));
        assert!(n.add(7, "max_age"));
        assert!(n.add(9, "min_party_years"));
        assert_eq!(
            n.scales.into_iter().collect::<Vec<_>>(),
            vec![(7, "political_theory".to_string())]
        );
        assert_eq!(
            n.modules.into_iter().collect::<Vec<_>>(),
            vec![(7, "DV-03".to_string()), (9, "DV-03".to_string())]
        );
    }

    #[test]
    fn only_cadres_short_of_a_person_condition_have_their_title_rows_read() {
        let key = |c: i64, t: &str| (c, Holding::Incumbent, t.to_string());
        let unmet: HashMap<_, _> = [
            (key(7, "A"), vec!["module:DV-03".to_string()]),
            (key(7, "B"), vec!["max_age".to_string()]),
            (key(9, "A"), vec!["min_level:political_theory".to_string()]),
        ]
        .into_iter()
        .collect();
        let (n, persons) = Needed::of(&unmet);
        assert_eq!(persons, vec![7]);
        assert_eq!(n.bare, vec![key(9, "A")]);
        assert_eq!(n.modules.len(), 1);
        assert_eq!(n.scales.len(), 1);
    }
}
