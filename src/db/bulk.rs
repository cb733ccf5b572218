//! Multi-row `INSERT`s for bulk writes (imports, the generator): as many rows per statement as
//! both backends take well.

use chrono::{DateTime, NaiveDate, Utc};

use super::Tx;
use crate::error::AppResult;
use crate::on_tx;

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

/// Rows per statement: SQLite takes up to 32,766 binds, PostgreSQL 65,535.
fn rows_per_statement(tx: &Tx, cols: usize) -> usize {
    let binds = match tx {
        Tx::Sqlite(..) => 8_000,
        Tx::Postgres(_) => 30_000,
    };
    (binds / cols.max(1)).max(1)
}

/// The placeholder style: SQLite gets anonymous `?` (looking up `$n` names costs SQLite time
/// linear in the number of names for every bind, quadratic per statement), PostgreSQL `$n`.
fn placeholders(tx: &Tx) -> bool {
    matches!(tx, Tx::Postgres(_))
}

fn insert_sql(
    table: &str,
    cols: &[&str],
    rows: usize,
    returning: Option<&str>,
    numbered: bool,
) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    let mut n = 0;
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for j in 0..cols.len() {
            n += 1;
            if j > 0 {
                sql.push_str(", ");
            }
            if numbered {
                sql.push('$');
                sql.push_str(&n.to_string());
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    if let Some(r) = returning {
        sql.push_str(" RETURNING ");
        sql.push_str(r);
    }
    sql
}

macro_rules! bind_all {
    ($q:ident, $chunk:expr) => {
        for row in $chunk {
            for v in row {
                $q = match v {
                    V::I(x) => $q.bind(*x),
                    V::OI(x) => $q.bind(*x),
                    V::S(x) => $q.bind(x.as_str()),
                    V::OS(x) => $q.bind(x.as_deref()),
                    V::D(x) => $q.bind(*x),
                    V::OD(x) => $q.bind(*x),
                    V::B(x) => $q.bind(*x),
                    V::T(x) => $q.bind(*x),
                };
            }
        }
    };
}

/// Inserts `rows` into `table` (each row's values in the order of `cols`).
pub async fn insert(tx: &mut Tx, table: &str, cols: &[&str], rows: &[Vec<V>]) -> AppResult<()> {
    let per = rows_per_statement(tx, cols.len());
    for chunk in rows.chunks(per) {
        let sql = insert_sql(table, cols, chunk.len(), None, placeholders(tx));
        on_tx!(tx, |c| {
            let mut q = sqlx::query(&sql);
            bind_all!(q, chunk);
            q.execute(&mut *c).await?;
        });
    }
    Ok(())
}

/// Inserts `rows` and returns the `returning` columns of each inserted row, in no particular
/// order (return a natural key with the id to match them up).
pub async fn insert_returning<R>(
    tx: &mut Tx,
    table: &str,
    cols: &[&str],
    rows: &[Vec<V>],
    returning: &str,
) -> AppResult<Vec<R>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    let per = rows_per_statement(tx, cols.len());
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(per) {
        let sql = insert_sql(table, cols, chunk.len(), Some(returning), placeholders(tx));
        let got: Vec<R> = on_tx!(tx, |c| {
            let mut q = sqlx::query_as::<_, R>(&sql);
            bind_all!(q, chunk);
            q.fetch_all(&mut *c).await?
        });
        out.extend(got);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_across_rows() {
        assert_eq!(
            insert_sql("t", &["a", "b"], 2, Some("id"), true),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) RETURNING id"
        );
        assert_eq!(
            insert_sql("t", &["a"], 2, None, false),
            "INSERT INTO t (a) VALUES (?), (?)"
        );
    }
}
