//! Bulk writes (imports, the generator, unit periods): on SQLite multi-row `INSERT`s of as many
//! rows per statement as it takes well; on PostgreSQL `COPY … FROM STDIN` in the text format,
//! streamed in the caller's transaction (one statement per table, whatever the number of rows).
//! Either way the rows are written in the transaction or not at all.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::PgConnection;

use super::Tx;
use crate::error::AppResult;

/// One value of a row to insert.
#[derive(Debug, Clone)]
pub enum V {
    /// Integer.
    I(i64),
    /// Optional integer.
    OI(Option<i64>),
    /// Text.
    S(String),
    /// Optional text.
    OS(Option<String>),
    /// Day.
    D(NaiveDate),
    /// Optional day.
    OD(Option<NaiveDate>),
    /// Boolean.
    B(bool),
    /// Timestamp.
    T(DateTime<Utc>),
}

/// Binds per SQLite statement (SQLite takes up to 32,766).
const SQLITE_BINDS: usize = 8_000;

/// Bytes of COPY data sent to PostgreSQL at a time.
const COPY_CHUNK: usize = 1 << 20;

/// The placeholder style: SQLite gets anonymous `?` (looking up `$n` names costs SQLite time
/// linear in the number of names for every bind, quadratic per statement).
fn insert_sql(table: &str, cols: &[&str], rows: usize, with_id: bool) -> String {
    let mut sql = format!("INSERT INTO {table} (");
    if with_id {
        sql.push_str("id, ");
    }
    sql.push_str(&cols.join(", "));
    sql.push_str(") VALUES ");
    let per_row = cols.len() + usize::from(with_id);
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for j in 0..per_row {
            if j > 0 {
                sql.push_str(", ");
            }
            sql.push('?');
        }
        sql.push(')');
    }
    sql
}

/// Inserts `rows` into `table` (each row's values in the order of `cols`).
pub async fn insert(tx: &mut Tx, table: &str, cols: &[&str], rows: Vec<Vec<V>>) -> AppResult<()> {
    write(tx, table, cols, rows, None).await
}

/// Inserts `rows` into `table` with new ids (the table's `id` column, from its own sequence) and
/// returns each row's id, in the order of `rows`: one statement to take the ids, then the rows
/// as [`insert`] writes them.
pub async fn insert_ids(
    tx: &mut Tx,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<V>>,
) -> AppResult<Vec<i64>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let n = rows.len() as i64;
    let ids: Vec<i64> = match tx {
        // The transaction holds SQLite's write lock (`BEGIN IMMEDIATE`), so nobody else takes ids
        // meanwhile: the next ids are those above both the largest id and the AUTOINCREMENT
        // counter, exactly as SQLite would give them (the counter follows the largest id written).
        Tx::Sqlite(t, _) => {
            let sql = format!(
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = $1), 0),
                            COALESCE((SELECT MAX(id) FROM {table}), 0))"
            );
            let last: i64 = sqlx::query_scalar(&sql)
                .bind(table)
                .fetch_one(&mut **t)
                .await?;
            (last + 1..=last + n).collect()
        }
        // Each id from the table's own sequence, as a default would take it: concurrent writers
        // get other ids, never these.
        Tx::Postgres(t) => {
            sqlx::query_scalar(
                "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)",
            )
            .bind(table)
            .bind(n)
            .fetch_all(&mut **t)
            .await?
        }
    };
    write(tx, table, cols, rows, Some(&ids)).await?;
    Ok(ids)
}

async fn write(
    tx: &mut Tx,
    table: &str,
    cols: &[&str],
    rows: Vec<Vec<V>>,
    ids: Option<&[i64]>,
) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    match tx {
        Tx::Sqlite(t, _) => {
            let per = (SQLITE_BINDS / (cols.len() + usize::from(ids.is_some()))).max(1);
            let mut ids = ids.map(|ids| ids.iter().copied());
            let mut rows = rows.into_iter();
            let mut sql = (0, String::new());
            let mut stamp = Stamp::default();
            loop {
                let chunk: Vec<Vec<V>> = rows.by_ref().take(per).collect();
                if chunk.is_empty() {
                    return Ok(());
                }
                if sql.0 != chunk.len() {
                    sql = (
                        chunk.len(),
                        insert_sql(table, cols, chunk.len(), ids.is_some()),
                    );
                }
                let mut q = sqlx::query(&sql.1);
                for row in chunk {
                    if let Some(id) = ids.as_mut().and_then(Iterator::next) {
                        q = q.bind(id);
                    }
                    for v in row {
                        // Values are moved into the statement (sqlx would copy borrowed text),
                        // days and times written as sqlx writes them.
                        q = match v {
                            V::I(x) => q.bind(x),
                            V::OI(x) => q.bind(x),
                            V::S(x) => q.bind(x),
                            V::OS(x) => q.bind(x),
                            V::D(x) => q.bind(day_text(x)),
                            V::OD(x) => q.bind(x.map(day_text)),
                            V::B(x) => q.bind(x),
                            V::T(x) => q.bind(stamp.text(x)),
                        };
                    }
                }
                q.execute(&mut **t).await?;
            }
        }
        Tx::Postgres(t) => copy(&mut *t, table, cols, &rows, ids).await,
    }
}

/// A day as sqlx writes a `NaiveDate` to SQLite (`%F`), without parsing a format each time.
fn day_text(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// A timestamp as sqlx writes a `DateTime<Utc>` to SQLite, the last one kept: a bulk write's
/// rows mostly share one.
#[derive(Default)]
struct Stamp(Option<(DateTime<Utc>, String)>);

impl Stamp {
    fn text(&mut self, t: DateTime<Utc>) -> String {
        match &self.0 {
            Some((at, text)) if *at == t => text.clone(),
            _ => {
                let text = t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
                self.0 = Some((t, text.clone()));
                text
            }
        }
    }
}

/// `COPY table (cols) FROM STDIN` of `rows`, in the text format (see [`copy_value`]).
async fn copy(
    conn: &mut PgConnection,
    table: &str,
    cols: &[&str],
    rows: &[Vec<V>],
    ids: Option<&[i64]>,
) -> AppResult<()> {
    let mut sql = format!("COPY {table} (");
    if ids.is_some() {
        sql.push_str("id, ");
    }
    sql.push_str(&cols.join(", "));
    sql.push_str(") FROM STDIN");
    let mut copy = conn.copy_in_raw(&sql).await?;
    let mut buf = Vec::with_capacity(COPY_CHUNK + 4096);
    for (i, row) in rows.iter().enumerate() {
        copy_row(&mut buf, ids.map(|ids| ids[i]), row);
        if buf.len() >= COPY_CHUNK {
            copy.send(buf.as_slice()).await?;
            buf.clear();
        }
    }
    if !buf.is_empty() {
        copy.send(buf.as_slice()).await?;
    }
    copy.finish().await?;
    Ok(())
}

/// One row of COPY's text format: values separated by tabs, ended by a newline.
fn copy_row(buf: &mut Vec<u8>, id: Option<i64>, row: &[V]) {
    let mut first = true;
    if let Some(id) = id {
        buf.extend_from_slice(id.to_string().as_bytes());
        first = false;
    }
    for v in row {
        if !first {
            buf.push(b'\t');
        }
        first = false;
        copy_value(buf, v);
    }
    buf.push(b'\n');
}

/// One value in COPY's text format: `\N` for NULL; text with its backslashes, tabs, line feeds
/// and carriage returns escaped (every other byte, UTF-8 included, goes as it is); days as
/// `YYYY-MM-DD` and timestamps as `YYYY-MM-DD HH:MM:SS.ffffff+00` (ISO, read the same under any
/// `DateStyle`; microseconds truncated, as the binary encoding of a bound value does); booleans
/// as `t`/`f`.
fn copy_value(buf: &mut Vec<u8>, v: &V) {
    use chrono::{Datelike, Timelike};
    use std::io::Write;
    match v {
        V::I(x) | V::OI(Some(x)) => {
            let _ = write!(buf, "{x}");
        }
        V::S(x) | V::OS(Some(x)) => copy_text(buf, x),
        V::D(x) | V::OD(Some(x)) => {
            let _ = write!(buf, "{:04}-{:02}-{:02}", x.year(), x.month(), x.day());
        }
        V::B(x) => buf.push(if *x { b't' } else { b'f' }),
        V::T(x) => {
            let _ = write!(
                buf,
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00",
                x.year(),
                x.month(),
                x.day(),
                x.hour(),
                x.minute(),
                x.second(),
                x.timestamp_subsec_micros().min(999_999)
            );
        }
        V::OI(None) | V::OS(None) | V::OD(None) => buf.extend_from_slice(b"\\N"),
    }
}

fn copy_text(buf: &mut Vec<u8>, s: &str) {
    for &b in s.as_bytes() {
        match b {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            _ => buf.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_statements_take_anonymous_placeholders() {
        assert_eq!(
            insert_sql("t", &["a", "b"], 2, true),
            "INSERT INTO t (id, a, b) VALUES (?, ?, ?), (?, ?, ?)"
        );
        assert_eq!(
            insert_sql("t", &["a"], 2, false),
            "INSERT INTO t (a) VALUES (?), (?)"
        );
    }

    #[test]
    fn days_and_times_are_written_as_sqlx_writes_them() {
        for d in [(1900, 1, 1), (1975, 3, 9), (2100, 12, 31)] {
            let d = NaiveDate::from_ymd_opt(d.0, d.1, d.2).unwrap();
            assert_eq!(day_text(d), d.format("%F").to_string());
        }
        let mut stamp = Stamp::default();
        for t in [
            "2026-12-02T03:04:05Z",
            "2026-12-02T03:04:05.120Z",
            "2026-12-02T03:04:05.123456789Z",
        ] {
            let t = DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&Utc);
            let want = t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false);
            assert_eq!(stamp.text(t), want);
            assert_eq!(stamp.text(t), want, "kept");
        }
    }

    #[test]
    fn copy_rows_escape_what_the_text_format_reads_specially() {
        let day = NaiveDate::from_ymd_opt(1975, 3, 9).unwrap();
        let at = DateTime::parse_from_rfc3339("2026-12-02T03:04:05.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut buf = vec![];
        copy_row(
            &mut buf,
            Some(7),
            &[
                V::S("Nguyễn\tThị\\N\r\nAn".into()),
                V::OS(None),
                V::OS(Some(String::new())),
                V::OI(None),
                V::OI(Some(-3)),
                V::D(day),
                V::OD(None),
                V::B(true),
                V::B(false),
                V::T(at),
            ],
        );
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "7\tNguyễn\\tThị\\\\N\\r\\nAn\t\\N\t\t\\N\t-3\t1975-03-09\t\\N\tt\tf\t2026-12-02 03:04:05.123456+00\n"
        );
    }
}
