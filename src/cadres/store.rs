//! Storage of cadres and what hangs off them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::domain::{fold_name, sort_key, Gender, Organisation, PersonalId};
use crate::api::PageParams;
use crate::auth::Scope;
use crate::db::Exec;
use crate::db::{like_escape, Db, Tx};
use crate::error::AppResult;
use crate::on_exec;
use crate::{on_db, on_tx};

/// The columns of a qualification row written in bulk (imports of completions, the generator),
/// in the order their values are given.
pub const QUALIFICATION_COLUMNS: &[&str] = &[
    "cadre_id",
    "scale_code",
    "level_code",
    "obtained_on",
    "issuer",
    "evidence",
    "source",
    "source_ref",
    "completion_id",
    "created_at",
];

/// A cadre as stored, with the name and path of their unit.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CadreView {
    /// Cadre id.
    pub id: i64,
    /// Full name (family, middle, given).
    pub full_name: String,
    /// `female`, `male` or `other`.
    pub gender: Gender,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// Ethnicity (e.g. Kinh, Hoa, Khmer, Chăm).
    pub ethnicity: String,
    /// Whether the ethnicity is an ethnic minority.
    pub ethnic_minority: bool,
    /// Religion, if recorded.
    pub religion: Option<String>,
    /// Date joined the Party.
    pub party_joined_on: Option<NaiveDate>,
    /// Personal id number (CMND/CCCD).
    pub personal_id: String,
    /// Current unit code.
    pub unit_code: String,
    /// Current unit name.
    pub unit_name: String,
    /// Path of the current unit (not served).
    #[serde(skip)]
    pub unit_path: String,
    /// Organisation.
    pub organisation: Organisation,
    /// Telephone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Active flag.
    pub active: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

const VIEW: &str = "SELECT c.id, c.full_name, c.gender, c.birth_date, c.ethnicity, c.ethnic_minority, c.religion,
    c.party_joined_on, c.personal_id, c.unit_code, u.name AS unit_name, u.path AS unit_path, c.organisation,
    c.phone, c.email, c.active, c.created_at, c.updated_at
    FROM cadres c JOIN units u ON u.code = c.unit_code";

/// A cadre by id.
pub async fn get(ex: impl Into<Exec<'_>>, id: i64) -> AppResult<Option<CadreView>> {
    let sql = format!("{VIEW} WHERE c.id = $1");
    Ok(on_exec!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

/// A cadre by id, with when the link of their calendar feed was made, if
/// one exists (the link itself is not kept, only its hash).
pub async fn get_with_feed(
    ex: impl Into<Exec<'_>>,
    id: i64,
) -> AppResult<Option<(CadreView, Option<DateTime<Utc>>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        cadre: CadreView,
        feed_since: Option<DateTime<Utc>>,
    }
    let sql = VIEW.replacen(
        "\n    FROM cadres c",
        ", (SELECT f.created_at FROM feed_tokens f WHERE f.cadre_id = c.id) AS feed_since\n    FROM cadres c",
        1,
    ) + " WHERE c.id = $1";
    let row: Option<Row> = on_exec!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?);
    Ok(row.map(|r| (r.cadre, r.feed_since)))
}

/// Filters of the cadre list.
#[derive(Debug, Default, Clone)]
pub struct CadreFilter {
    /// Only under this unit path.
    pub unit_path: Option<String>,
    /// Name without diacritics contains each of these words, in any order.
    pub q: Option<String>,
    /// Active flag.
    pub active: Option<bool>,
    /// Organisation.
    pub organisation: Option<String>,
}

/// The condition of a name search on the folded-name column `col` (diacritics and case ignored),
/// with its binds, numbered from `$first`: the query as written anywhere in the name, or every
/// word of it (at most 8) starting a word of the name, in any order ("van nguyen" finds Nguyễn
/// Văn An; "nguyen van an" does not find Nguyễn Văn Đạt). A query of one word is the first form
/// alone (a word that starts a word of the name is in it), so a scan tests one pattern per name;
/// a longer query's longest word is tested first, anywhere in the name (every match holds it), and
/// the rest only where it is found. A word starts the name or follows a space, tested without
/// building a string per name.
pub fn name_filter(col: &str, q: &str, first: usize) -> (String, Vec<String>) {
    let folded = fold_name(q);
    let mut binds = vec![format!("%{}%", like_escape(folded.trim()))];
    let phrase = format!("{col} LIKE ${first} ESCAPE '\\'");
    let words: Vec<&str> = folded.split_whitespace().take(8).collect();
    if words.len() < 2 {
        return (phrase, binds);
    }
    let longest = like_escape(
        words
            .iter()
            .max_by_key(|w| w.chars().count())
            .expect("two words"),
    );
    let mut starts = vec![];
    for w in words {
        let w = like_escape(w);
        let n = first + binds.len();
        binds.push(format!("{w}%"));
        binds.push(format!("% {w}%"));
        starts.push(format!(
            "({col} LIKE ${n} ESCAPE '\\' OR {col} LIKE ${} ESCAPE '\\')",
            n + 1
        ));
    }
    let n = first + binds.len();
    binds.push(format!("%{longest}%"));
    (
        format!(
            "({col} LIKE ${n} ESCAPE '\\' AND ({phrase} OR ({})))",
            starts.join(" AND ")
        ),
        binds,
    )
}

/// Lists cadres in scope, sorted the Vietnamese way, paged, with the total (`q`: every word in
/// the name, in any order).
pub async fn list(
    db: &Db,
    scope: &Scope,
    f: &CadreFilter,
    page: PageParams,
) -> AppResult<(i64, Vec<CadreView>)> {
    let mut conds = vec![];
    let mut binds: Vec<String> = vec![];
    let (scope_sql, scope_binds) = scope.cadre_filter("c.id", "u.path", 1);
    conds.push(scope_sql);
    binds.extend(scope_binds);
    if let Some(p) = &f.unit_path {
        let (lo, hi) = crate::shared::tree::subtree_range(p);
        conds.push(format!(
            "u.path >= ${} AND u.path < ${}",
            binds.len() + 1,
            binds.len() + 2
        ));
        binds.push(lo);
        binds.push(hi);
    }
    if let Some(q) = &f.q {
        let (cond, name_binds) = name_filter("c.name_folded", q, binds.len() + 1);
        conds.push(cond);
        binds.extend(name_binds);
    }
    if let Some(o) = &f.organisation {
        conds.push(format!("c.organisation = ${}", binds.len() + 1));
        binds.push(o.clone());
    }
    if let Some(a) = f.active {
        conds.push(if a {
            "c.active = TRUE".into()
        } else {
            "c.active = FALSE".into()
        });
    }
    let where_sql = conds.join(" AND ");
    // With no condition on the cadres' own columns, the total is counted unit by unit (each
    // unit's part of `cadres_unit`, read from the index alone): PostgreSQL otherwise hashes every
    // cadre against the units, 28–32 ms for an admin over 122,297 cadres against 11 ms
    // (BENCHMARKS.md, "The cadre list's total"); SQLite plans both alike. A condition on the
    // cadres' columns would make the per-unit form read each cadre's row, so it keeps the join.
    let by_unit = f.q.is_none()
        && f.organisation.is_none()
        && f.active.is_none()
        && !matches!(scope, Scope::Own { .. });
    // Nothing on the units' side (every unit in scope, none asked for): the cadres alone, without
    // the units hashed against each of them (PostgreSQL, an admin's `active=true`: 38–43 ms
    // before, 26–27 ms).
    let units_free = matches!(scope, Scope::All) && f.unit_path.is_none();
    let count_sql = if by_unit {
        format!(
            "SELECT CAST(COALESCE(SUM((SELECT COUNT(*) FROM cadres c WHERE c.unit_code = u.code)), 0) AS BIGINT)
             FROM units u WHERE {where_sql}"
        )
    } else if units_free {
        format!("SELECT COUNT(*) FROM cadres c WHERE {where_sql}")
    } else {
        format!(
            "SELECT COUNT(*) FROM cadres c JOIN units u ON u.code = c.unit_code WHERE {where_sql}"
        )
    };
    // The page's ids first, then only their rows: the walk of `cadres_sort` tests the conditions
    // in the index (on PostgreSQL it carries the filtered columns, migration 0026), where fetching
    // each walked row cost a rare name's search 85 ms (BENCHMARKS.md, "The cadre list's name
    // search on PostgreSQL").
    let page_from = if units_free {
        "cadres c"
    } else {
        "cadres c JOIN units u ON u.code = c.unit_code"
    };
    let list_sql = format!(
        "{VIEW} JOIN (SELECT c.id FROM {page_from} WHERE {where_sql}
           ORDER BY c.sort_key, c.id LIMIT {} OFFSET {}) page ON page.id = c.id
         ORDER BY c.sort_key, c.id",
        page.limit, page.offset
    );
    Ok(on_db!(db, |p| {
        let mut cq = sqlx::query_scalar(&count_sql);
        let mut lq = sqlx::query_as(&list_sql);
        for b in &binds {
            cq = cq.bind(b);
            lq = lq.bind(b);
        }
        let rows: Vec<CadreView> = lq.fetch_all(p).await?;
        // A short page is the last: its rows give the total without a second pass over the
        // matches (a full name's search on PostgreSQL: BENCHMARKS.md, "The cadre list's name
        // search on PostgreSQL").
        let total: i64 = match page.total_from_page(rows.len()) {
            Some(total) => total,
            None => cq.fetch_one(p).await?,
        };
        (total, rows)
    }))
}

/// The fields of a cadre to write, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct CadreWrite {
    /// Full name.
    pub full_name: String,
    /// Gender.
    pub gender: Gender,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Ethnicity.
    pub ethnicity: String,
    /// Minority flag.
    pub ethnic_minority: bool,
    /// Religion.
    pub religion: Option<String>,
    /// Party date.
    pub party_joined_on: Option<NaiveDate>,
    /// Personal id.
    pub personal_id: PersonalId,
    /// Unit.
    pub unit_code: String,
    /// Organisation.
    pub organisation: Organisation,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Active flag.
    pub active: bool,
}

/// Whether another cadre holds this personal id.
pub async fn personal_id_taken(
    tx: &mut Tx,
    personal_id: &str,
    except: Option<i64>,
) -> AppResult<bool> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM cadres WHERE personal_id = $1 AND id <> $2"
    )
    .bind(personal_id)
    .bind(except.unwrap_or(-1))
    .fetch_one(&mut *c)
    .await?);
    Ok(n > 0)
}

/// Inserts a cadre and opens their unit history on `since`.
pub async fn insert(tx: &mut Tx, w: &CadreWrite, since: NaiveDate) -> AppResult<i64> {
    let now = Utc::now();
    let id: i64 = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO cadres (full_name, name_folded, sort_key, gender, birth_date, ethnicity, ethnic_minority, religion,
            party_joined_on, personal_id, unit_code, organisation, phone, email, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id"
    )
    .bind(&w.full_name).bind(fold_name(&w.full_name)).bind(sort_key(&w.full_name)).bind(w.gender)
    .bind(w.birth_date).bind(&w.ethnicity).bind(w.ethnic_minority).bind(&w.religion).bind(w.party_joined_on)
    .bind(w.personal_id.as_str()).bind(&w.unit_code).bind(w.organisation).bind(&w.phone).bind(&w.email)
    .bind(w.active).bind(now)
    .fetch_one(&mut *c)
    .await?
    });
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO cadre_units (cadre_id, unit_code, from_date) VALUES ($1, $2, $3)"
    )
    .bind(id)
    .bind(&w.unit_code)
    .bind(since)
    .execute(&mut *c)
    .await
    .map(|_| ())?);
    Ok(id)
}

/// Overwrites a cadre's fields (not the unit: see [`move_unit`]).
pub async fn update(tx: &mut Tx, id: i64, w: &CadreWrite) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE cadres SET full_name = $1, name_folded = $2, sort_key = $3, gender = $4, birth_date = $5, ethnicity = $6,
            ethnic_minority = $7, religion = $8, party_joined_on = $9, personal_id = $10, organisation = $11,
            phone = $12, email = $13, active = $14, updated_at = $15 WHERE id = $16"
    )
    .bind(&w.full_name).bind(fold_name(&w.full_name)).bind(sort_key(&w.full_name)).bind(w.gender)
    .bind(w.birth_date).bind(&w.ethnicity).bind(w.ethnic_minority).bind(&w.religion).bind(w.party_joined_on)
    .bind(w.personal_id.as_str()).bind(w.organisation).bind(&w.phone).bind(&w.email).bind(w.active).bind(Utc::now())
    .bind(id)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}

/// Moves a cadre to another unit on a date: closes the current period, opens a new one. A move
/// dated on the current period's first day replaces that period instead (a same-day correction,
/// or another unit since the same day): no period lasts no day, and a move back to the unit of a
/// period ending that day reopens it.
pub async fn move_unit(tx: &mut Tx, id: i64, to_unit: &str, on: NaiveDate) -> AppResult<()> {
    let current_from: Option<NaiveDate> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT from_date FROM cadre_units WHERE cadre_id = $1 AND to_date IS NULL"
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await?);
    super::rules::check_move_date(current_from, on)?;
    on_tx!(tx, |c| {
        if current_from == Some(on) {
            sqlx::query("DELETE FROM cadre_units WHERE cadre_id = $1 AND to_date IS NULL")
                .bind(id)
                .execute(&mut *c)
                .await?;
        } else {
            sqlx::query(
                "UPDATE cadre_units SET to_date = $1 WHERE cadre_id = $2 AND to_date IS NULL",
            )
            .bind(on)
            .bind(id)
            .execute(&mut *c)
            .await?;
        }
        let reopened = sqlx::query(
            "UPDATE cadre_units SET to_date = NULL WHERE cadre_id = $1 AND unit_code = $2 AND to_date = $3",
        )
        .bind(id)
        .bind(to_unit)
        .bind(on)
        .execute(&mut *c)
        .await?
        .rows_affected();
        if reopened == 0 {
            sqlx::query(
                "INSERT INTO cadre_units (cadre_id, unit_code, from_date) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(to_unit)
            .bind(on)
            .execute(&mut *c)
            .await?;
        }
        sqlx::query("UPDATE cadres SET unit_code = $1, updated_at = $2 WHERE id = $3")
            .bind(to_unit)
            .bind(Utc::now())
            .bind(id)
            .execute(&mut *c)
            .await?;
    });
    Ok(())
}

/// One period of a cadre in a unit.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct UnitPeriod {
    /// Unit code.
    pub unit_code: String,
    /// Unit name on the period's last day (today's name while it lasts).
    pub unit_name: String,
    /// From (inclusive).
    pub from_date: NaiveDate,
    /// Until (exclusive); absent for the current unit.
    pub to_date: Option<NaiveDate>,
    /// The unit's name on the period's first day, when it was another (renamed since, as many
    /// wards were on 2025-07-01); absent otherwise.
    pub unit_former_name: Option<String>,
}

/// SQL naming unit `code` (an expression) as it was named on the days where `later_than`
/// (a condition on `h.valid_until`) holds for the end of a state in its history, else today:
/// the first state in history ending after the day is the one in effect on it.
fn unit_name_sql(code: &str, later_than: &str) -> String {
    format!(
        "COALESCE((SELECT h.name FROM unit_history h WHERE h.code = {code} AND h.valid_until {later_than}
                   ORDER BY h.valid_until, h.id LIMIT 1), u.name)"
    )
}

/// A cadre's units over time, oldest first, each named as it was then.
pub async fn unit_history(ex: impl Into<Exec<'_>>, id: i64) -> AppResult<Vec<UnitPeriod>> {
    // The last day of a period is the day before `to_date` (exclusive).
    let last = unit_name_sql("cu.unit_code", ">= cu.to_date");
    let first = unit_name_sql("cu.unit_code", "> cu.from_date");
    let sql = format!(
        "SELECT cu.unit_code, {last} AS unit_name, cu.from_date, cu.to_date,
                NULLIF({first}, {last}) AS unit_former_name
         FROM cadre_units cu JOIN units u ON u.code = cu.unit_code
         WHERE cu.cadre_id = $1 ORDER BY cu.from_date, cu.id"
    );
    Ok(on_exec!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_all(&mut *c)
        .await?))
}

/// A cadre's unit periods with their units' paths: (code, path, from, until exclusive), oldest
/// first (as [`super::rules::HomeSpan`] reads them).
pub async fn home_spans(
    tx: &mut Tx,
    id: i64,
) -> AppResult<Vec<(String, String, NaiveDate, Option<NaiveDate>)>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT cu.unit_code, u.path, cu.from_date, cu.to_date
         FROM cadre_units cu JOIN units u ON u.code = cu.unit_code
         WHERE cu.cadre_id = $1 ORDER BY cu.from_date, cu.id"
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await?))
}

/// A held period as [`held_roles`] gives it: (period id, title code, organisation kind, unit code,
/// from, to).
pub type HeldRole = (i64, String, String, String, NaiveDate, Option<NaiveDate>);

/// The titles cadre `id` holds or held, with their organisation kinds
/// (as [`super::rules::Role`] reads them).
pub async fn held_roles(tx: &mut Tx, id: i64) -> AppResult<Vec<HeldRole>> {
    Ok(on_tx!(tx, |c| sqlx::query_as(
        "SELECT a.id, t.code, t.org_kind, a.unit_code, a.from_date, a.to_date
         FROM title_assignments a JOIN titles t ON t.id = a.title_id
         WHERE a.cadre_id = $1 ORDER BY a.from_date, a.id"
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await?))
}

/// A title held or planned over a period.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct TitlePeriod {
    /// Assignment or plan id.
    pub id: i64,
    /// Title code.
    pub title_code: String,
    /// Title name (Vietnamese).
    pub title_name_vi: String,
    /// Title name (English).
    pub title_name_en: String,
    /// Unit the title is held in.
    pub unit_code: String,
    /// Unit name on the period's last day (today's name while it lasts).
    pub unit_name: String,
    /// From (inclusive).
    pub from_date: NaiveDate,
    /// Until (inclusive); absent while it lasts.
    pub to_date: Option<NaiveDate>,
    /// The unit's name on the period's first day, when it was another; absent otherwise.
    pub unit_former_name: Option<String>,
    /// The day of the appointment this period continues (`from_date` unless the period was split
    /// by a move to a successor unit); the standard's person conditions are taken on it.
    #[serde(skip)]
    pub appointed_on: NaiveDate,
}

/// Which list of titles: held (assignments) or planned (succession).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleList {
    /// `title_assignments`.
    Held,
    /// `succession_plans`.
    Planned,
}

impl TitleList {
    fn table(self) -> &'static str {
        match self {
            TitleList::Held => "title_assignments",
            TitleList::Planned => "succession_plans",
        }
    }
}

/// A cadre's titles held or planned, oldest first.
pub async fn titles(db: &Db, id: i64, which: TitleList) -> AppResult<Vec<TitlePeriod>> {
    let sql = format!("{} ORDER BY a.from_date, a.id", titles_sql(which, ""));
    Ok(on_db!(db, |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_all(p)
        .await?))
}

fn titles_sql(which: TitleList, extra_column: &str) -> String {
    // Each named as it was then: on the last day (`to_date`, inclusive) and the first.
    let last = unit_name_sql("a.unit_code", "> a.to_date");
    let first = unit_name_sql("a.unit_code", "> a.from_date");
    format!(
        "SELECT {extra_column}a.id, t.code AS title_code, t.name_vi AS title_name_vi, t.name_en AS title_name_en, a.unit_code,
                {last} AS unit_name, a.from_date, a.to_date, COALESCE(a.appointed_on, a.from_date) AS appointed_on,
                NULLIF({first}, {last}) AS unit_former_name
         FROM {} a JOIN titles t ON t.id = a.title_id JOIN units u ON u.code = a.unit_code
         WHERE a.cadre_id = $1",
        which.table()
    )
}

/// Titles held and titles planned (each as [`titles`] orders them), in one statement on a held
/// connection.
pub async fn titles_both(
    ex: impl Into<Exec<'_>>,
    id: i64,
) -> AppResult<(Vec<TitlePeriod>, Vec<TitlePeriod>)> {
    #[derive(sqlx::FromRow)]
    struct Row {
        list: String,
        #[sqlx(flatten)]
        period: TitlePeriod,
    }
    let sql = format!(
        // By position: SQLite matches only some bare column names in a compound ORDER BY.
        // 1 = list, 8 = from_date, 2 = id.
        "{} UNION ALL {} ORDER BY 1, 8, 2",
        titles_sql(TitleList::Held, "'held' AS list, "),
        titles_sql(TitleList::Planned, "'planned' AS list, ")
    );
    let rows: Vec<Row> = on_exec!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_all(&mut *c)
        .await?);
    let (held, planned): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|r| r.list == "held");
    Ok((
        held.into_iter().map(|r| r.period).collect(),
        planned.into_iter().map(|r| r.period).collect(),
    ))
}

/// A cadre's periods of one title (held or planned), with their ids.
pub async fn title_spans(
    tx: &mut Tx,
    which: TitleList,
    cadre: i64,
    title: i64,
) -> AppResult<Vec<(i64, super::rules::Span)>> {
    let sql = format!(
        "SELECT id, from_date, to_date FROM {} WHERE cadre_id = $1 AND title_id = $2",
        which.table()
    );
    let rows: Vec<(i64, NaiveDate, Option<NaiveDate>)> = on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(cadre)
        .bind(title)
        .fetch_all(&mut *c)
        .await?);
    Ok(rows
        .into_iter()
        .map(|(id, from, to)| (id, super::rules::Span { from, to }))
        .collect())
}

/// Whether cadre `id` is active, read in `tx` with its row locked (PostgreSQL; SQLite has one
/// writer at a time): a change of the flag and a change of the cadre's titles take turns, so
/// neither decides on what the other is changing (`rules::lasts_beyond`). `NO KEY UPDATE`, as
/// the timeline's rebuild locks it (a fact's foreign key holds KEY SHARE). `None`: no such cadre.
pub async fn active_locked(tx: &mut Tx, id: i64) -> AppResult<Option<bool>> {
    let lock = if tx.is_sqlite() {
        ""
    } else {
        " FOR NO KEY UPDATE"
    };
    let sql = format!("SELECT active FROM cadres WHERE id = $1{lock}");
    Ok(on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}

/// The codes of the titles cadre `cadre` holds or is planned for beyond `today` (periods open or
/// ending after it), sorted, each once.
pub async fn lasting_titles(tx: &mut Tx, cadre: i64, today: NaiveDate) -> AppResult<Vec<String>> {
    let [held, planned] = lasting_periods_sql("$1", "$2");
    let sql = format!(
        "SELECT t.code FROM titles t WHERE t.id IN ({held} UNION {planned}) ORDER BY t.code"
    );
    Ok(on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(cadre)
        .bind(today)
        .fetch_all(&mut *c)
        .await?))
}

/// A title held in a unit off the line ([`super::rules::on_line`]) of its holder's unit on a day
/// they share: left behind by a move, or placed in another ward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleOffLine {
    /// The holder.
    pub cadre_id: i64,
    /// Their personal id number.
    pub personal_id: String,
    /// The title and its unit, as a message names them: `FF-CHAIR-COMMUNE (26734)`.
    pub label: String,
}

/// Which of a holder's unit periods [`titles_off_line`] looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Within {
    /// Their current one (a move's check).
    CurrentUnit,
    /// Every one (a whole record's check).
    AnyUnit,
}

/// The titles held off the line of their holders' units ([`TitleOffLine`]) on a day they share
/// with a unit period that `within` names, by the cadres that `filter` (a condition on `c`, the
/// cadre, with one text parameter `$1` bound to `param`) selects, by cadre id, title and unit.
pub async fn titles_off_line(
    tx: &mut Tx,
    filter: &str,
    param: &str,
    within: Within,
) -> AppResult<Vec<TitleOffLine>> {
    // Periods share a day: a title's end is inclusive, a unit period's exclusive.
    let shared = match within {
        Within::CurrentUnit => "cu.to_date IS NULL",
        Within::AnyUnit => "(cu.to_date IS NULL OR cu.to_date > a.from_date)",
    };
    let sql = format!(
        "SELECT DISTINCT c.id, c.personal_id, t.code, a.unit_code, tu.path, h.path
         FROM cadres c
         JOIN title_assignments a ON a.cadre_id = c.id
         JOIN cadre_units cu ON cu.cadre_id = c.id AND {shared}
              AND (a.to_date IS NULL OR a.to_date >= cu.from_date)
         JOIN units h ON h.code = cu.unit_code
         JOIN titles t ON t.id = a.title_id
         JOIN units tu ON tu.code = a.unit_code
         WHERE {filter}
         ORDER BY c.id, t.code, a.unit_code"
    );
    type Row = (i64, String, String, String, String, String);
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(param)
        .fetch_all(&mut *c)
        .await?);
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, _, title_path, home_path)| !super::rules::on_line(title_path, home_path))
        .map(|(cadre_id, personal_id, title, unit, _, _)| TitleOffLine {
            cadre_id,
            personal_id,
            label: format!("{title} ({unit})"),
        })
        .collect())
}

/// The personal ids of the cadres that `filter` selects (as [`titles_off_line`] takes it) who
/// hold two titles of one organisation in one unit on a day ([`super::rules::same_organisation`]).
pub async fn holding_two_roles(tx: &mut Tx, filter: &str, param: &str) -> AppResult<Vec<String>> {
    let sql = format!(
        "SELECT DISTINCT c.personal_id
         FROM cadres c
         JOIN title_assignments a ON a.cadre_id = c.id
         JOIN titles t ON t.id = a.title_id
         JOIN title_assignments b ON b.cadre_id = c.id AND b.unit_code = a.unit_code
              AND b.title_id <> a.title_id
              AND (b.to_date IS NULL OR b.to_date >= a.from_date)
              AND (a.to_date IS NULL OR a.to_date >= b.from_date)
         JOIN titles tb ON tb.id = b.title_id AND tb.org_kind = t.org_kind
         WHERE {filter}
         ORDER BY c.personal_id"
    );
    Ok(on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(param)
        .fetch_all(&mut *c)
        .await?))
}

/// The codes of the classes not over (neither finished nor cancelled) in which cadre `cadre`
/// holds a seat or a waitlist place, sorted.
pub async fn seats_held(tx: &mut Tx, cadre: i64) -> AppResult<Vec<String>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT k.code FROM enrolments e JOIN classes k ON k.id = e.class_id
         WHERE e.cadre_id = $1 AND e.status IN ('enrolled', 'waitlisted')
           AND k.status NOT IN ('finished', 'cancelled')
         ORDER BY k.code"
    )
    .bind(cadre)
    .fetch_all(&mut *c)
    .await?))
}

/// The earliest day of cadre `cadre`'s completions and qualifications, if any.
pub async fn first_record_day(tx: &mut Tx, cadre: i64) -> AppResult<Option<NaiveDate>> {
    Ok(on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT completed_on FROM completions WHERE cadre_id = $1
         UNION ALL SELECT obtained_on FROM cadre_qualifications WHERE cadre_id = $1
         ORDER BY 1 LIMIT 1"
    )
    .bind(cadre)
    .fetch_optional(&mut *c)
    .await?))
}

/// The first day of the earliest title period (held or planned) of cadre `cadre`, if any.
pub async fn first_title_day(tx: &mut Tx, cadre: i64) -> AppResult<Option<NaiveDate>> {
    let sql = format!(
        "SELECT from_date FROM {} WHERE cadre_id = $1 UNION ALL SELECT from_date FROM {} WHERE cadre_id = $1
         ORDER BY from_date LIMIT 1",
        TitleList::Held.table(),
        TitleList::Planned.table()
    );
    Ok(on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(cadre)
        .fetch_optional(&mut *c)
        .await?))
}

/// The SQL of [`super::rules::lasts_beyond`]: for the titles held and the titles planned, the
/// titles of the periods of the cadre `cadre` (an SQL expression) lasting beyond the day `today`
/// (a parameter), one `SELECT p.title_id …` each.
pub fn lasting_periods_sql(cadre: &str, today: &str) -> [String; 2] {
    [TitleList::Held, TitleList::Planned].map(|list| {
        format!(
            "SELECT p.title_id FROM {} p
             WHERE p.cadre_id = {cadre} AND (p.to_date IS NULL OR p.to_date > {today})",
            list.table()
        )
    })
}

/// Records a title held or planned; returns its id.
pub async fn insert_title(
    tx: &mut Tx,
    which: TitleList,
    cadre: i64,
    title: i64,
    unit: &str,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> AppResult<i64> {
    let sql = format!(
        "INSERT INTO {} (cadre_id, title_id, unit_code, from_date, to_date, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        which.table()
    );
    Ok(on_tx!(tx, |c| sqlx::query_scalar(&sql)
        .bind(cadre)
        .bind(title)
        .bind(unit)
        .bind(from)
        .bind(to)
        .bind(Utc::now())
        .fetch_one(&mut *c)
        .await?))
}

/// A title period of a cadre, for ending it: (title id, from, to).
pub async fn title_period(
    tx: &mut Tx,
    which: TitleList,
    cadre: i64,
    id: i64,
) -> AppResult<Option<(i64, NaiveDate, Option<NaiveDate>, String, String)>> {
    let sql = format!(
        "SELECT p.title_id, p.from_date, p.to_date, p.unit_code, t.code
         FROM {} p JOIN titles t ON t.id = p.title_id WHERE p.id = $1 AND p.cadre_id = $2",
        which.table()
    );
    Ok(on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(cadre)
        .fetch_optional(&mut *c)
        .await?))
}

/// Sets the end date of a title period.
pub async fn end_title(
    tx: &mut Tx,
    which: TitleList,
    id: i64,
    to: Option<NaiveDate>,
) -> AppResult<()> {
    let sql = format!("UPDATE {} SET to_date = $1 WHERE id = $2", which.table());
    on_tx!(tx, |c| sqlx::query(&sql)
        .bind(to)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    Ok(())
}

/// A qualification held.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct QualificationView {
    /// Id.
    pub id: i64,
    /// Scale code.
    pub scale: String,
    /// Level code.
    pub level: String,
    /// Rank of the level on its scale.
    pub rank: i64,
    /// Level name (Vietnamese).
    pub level_name_vi: String,
    /// Date obtained.
    pub obtained_on: NaiveDate,
    /// Issuing body.
    pub issuer: String,
    /// Evidence note (diploma number, …).
    pub evidence: String,
    /// `manual`, `import` or `completion`.
    pub source: String,
    /// Provenance reference (file, register, certificate number).
    pub source_ref: String,
    /// The day it stopped counting (revoked), if it did.
    pub revoked_on: Option<NaiveDate>,
}

/// A cadre's qualifications, by scale then date.
pub async fn qualifications(ex: impl Into<Exec<'_>>, id: i64) -> AppResult<Vec<QualificationView>> {
    let rows = qualification_facts(ex, id).await?;
    Ok(rows.into_iter().map(|q| q.view).collect())
}

/// A qualification with the day it was revoked (not served; the gap engine needs it).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QualificationFactRow {
    /// As served.
    #[sqlx(flatten)]
    pub view: QualificationView,
    /// Day revoked, if it was.
    pub revoked_on: Option<NaiveDate>,
}

/// A cadre's qualifications with their revocation days (the facts the gap engine reads).
pub async fn qualification_facts(
    ex: impl Into<Exec<'_>>,
    id: i64,
) -> AppResult<Vec<QualificationFactRow>> {
    Ok(on_exec!(ex, |c| {
        sqlx::query_as(
        "SELECT q.id, q.scale_code AS scale, q.level_code AS level, l.rank, l.name_vi AS level_name_vi,
                q.obtained_on, q.issuer, q.evidence, q.source, q.source_ref, q.revoked_on
         FROM cadre_qualifications q
         JOIN qualification_levels l ON l.scale_code = q.scale_code AND l.code = q.level_code
         WHERE q.cadre_id = $1 ORDER BY q.scale_code, q.obtained_on, q.id"
    )
    .bind(id)
    .fetch_all(&mut *c)
    .await?
    }))
}

/// A qualification to record.
pub struct QualificationWrite<'a> {
    /// Scale.
    pub scale: &'a str,
    /// Level.
    pub level: &'a str,
    /// Date obtained.
    pub obtained_on: NaiveDate,
    /// Issuer.
    pub issuer: &'a str,
    /// Evidence.
    pub evidence: &'a str,
    /// Source.
    pub source: &'a str,
    /// Provenance.
    pub source_ref: &'a str,
    /// Completion that awarded it.
    pub completion_id: Option<i64>,
}

/// Sets the issuer and the evidence of qualifications on record: (id, issuer, evidence).
pub async fn set_qualification_details(
    tx: &mut Tx,
    updates: &[(i64, String, String)],
) -> AppResult<()> {
    for (id, issuer, evidence) in updates {
        on_tx!(tx, |c| sqlx::query(
            "UPDATE cadre_qualifications SET issuer = $1, evidence = $2 WHERE id = $3"
        )
        .bind(issuer)
        .bind(evidence)
        .bind(*id)
        .execute(&mut *c)
        .await
        .map(|_| ())?);
    }
    Ok(())
}

/// Qualification `qid` of cadre `cadre`, with its revocation day.
pub async fn qualification(
    tx: &mut Tx,
    cadre: i64,
    qid: i64,
) -> AppResult<Option<QualificationFactRow>> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT q.id, q.scale_code AS scale, q.level_code AS level, l.rank, l.name_vi AS level_name_vi,
                q.obtained_on, q.issuer, q.evidence, q.source, q.source_ref, q.revoked_on
         FROM cadre_qualifications q
         JOIN qualification_levels l ON l.scale_code = q.scale_code AND l.code = q.level_code
         WHERE q.cadre_id = $1 AND q.id = $2"
    )
    .bind(cadre)
    .bind(qid)
    .fetch_optional(&mut *c)
    .await?
    }))
}

/// What an edit of a qualification sets.
pub struct QualificationChange {
    /// Issuer.
    pub issuer: String,
    /// Evidence.
    pub evidence: String,
    /// Provenance.
    pub source_ref: String,
    /// Day revoked, if it is.
    pub revoked_on: Option<NaiveDate>,
}

/// Sets the provenance and the revocation day of qualification `qid`.
pub async fn update_qualification(tx: &mut Tx, qid: i64, q: &QualificationChange) -> AppResult<()> {
    on_tx!(tx, |c| {
        sqlx::query(
        "UPDATE cadre_qualifications SET issuer = $1, evidence = $2, source_ref = $3, revoked_on = $4 WHERE id = $5"
    )
    .bind(&q.issuer)
    .bind(&q.evidence)
    .bind(&q.source_ref)
    .bind(q.revoked_on)
    .bind(qid)
    .execute(&mut *c)
    .await
    .map(|_| ())?
    });
    Ok(())
}

/// Records a qualification held; returns its id.
pub async fn insert_qualification(
    tx: &mut Tx,
    cadre: i64,
    q: &QualificationWrite<'_>,
) -> AppResult<i64> {
    Ok(on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO cadre_qualifications (cadre_id, scale_code, level_code, obtained_on, issuer, evidence, source, source_ref, completion_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
    )
    .bind(cadre).bind(q.scale).bind(q.level).bind(q.obtained_on).bind(q.issuer).bind(q.evidence)
    .bind(q.source).bind(q.source_ref).bind(q.completion_id).bind(Utc::now())
    .fetch_one(&mut *c)
    .await?
    }))
}

/// Whether cadre `cadre` has a qualification of `scale` and `level` obtained on `day` on record,
/// of any source, revoked or not (a qualification's natural key).
pub async fn qualification_on_record(
    tx: &mut Tx,
    cadre: i64,
    scale: &str,
    level: &str,
    day: NaiveDate,
) -> AppResult<bool> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM cadre_qualifications
         WHERE cadre_id = $1 AND scale_code = $2 AND level_code = $3 AND obtained_on = $4"
    )
    .bind(cadre)
    .bind(scale)
    .bind(level)
    .bind(day)
    .fetch_one(&mut *c)
    .await?);
    Ok(n > 0)
}

/// The current unit of cadre `id`, if there is such a cadre (for links from accounts), its row
/// locked until `tx` ends on PostgreSQL (`FOR NO KEY UPDATE`, as the timelines' writers lock it),
/// so two accounts linked to one cadre at once are checked one after the other (SQLite has one
/// writer at a time).
pub async fn unit_of_locked(tx: &mut Tx, id: i64) -> AppResult<Option<String>> {
    let sql = if tx.is_sqlite() {
        "SELECT unit_code FROM cadres WHERE id = $1"
    } else {
        "SELECT unit_code FROM cadres WHERE id = $1 FOR NO KEY UPDATE"
    };
    Ok(on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await?))
}
