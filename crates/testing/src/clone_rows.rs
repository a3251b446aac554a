//! Many rows fast: copies of a row the crate wrote, made with one `INSERT ... SELECT`.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use cloudstack_db::Result;

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Inserts `count` copies of the row(s) of `table` that `source` (a condition over `src.*`)
/// selects, one per number `n.n` = 1..=count, with `overrides` — expressions over `src.*` and
/// `n.n` — for the columns that must differ (ids, uuids, names). Works on the connection's
/// current database; keeps a temporary numbers table on the connection.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// cloudstack_db_testing::clone_rows(conn, "account", "src.id = 2", 100, &[
///     ("id", "1000 + n.n".into()),
///     ("account_name", "CONCAT('copy-', n.n)".into()),
///     ("uuid", "UUID()".into()),
/// ])?;
/// # Ok(()) }
/// ```
pub fn clone_rows(
    conn: &mut MysqlConnection,
    table: &str,
    source: &str,
    count: u64,
    overrides: &[(&str, String)],
) -> Result<()> {
    conn.batch_execute(
        "CREATE TEMPORARY TABLE IF NOT EXISTS csdb_numbers (n INT PRIMARY KEY); \
         INSERT IGNORE INTO csdb_numbers VALUES (1)",
    )?;
    loop {
        let have = super::count(conn, "SELECT COUNT(*) FROM csdb_numbers")? as u64;
        if have >= count {
            break;
        }
        conn.batch_execute(&format!(
            "INSERT INTO csdb_numbers SELECT n + {have} FROM csdb_numbers"
        ))?;
    }
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT column_name AS name FROM information_schema.columns \
          WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position",
    )
    .bind::<Text, _>(table)
    .load(conn)?;
    let names: Vec<String> = columns.iter().map(|c| format!("`{}`", c.name)).collect();
    let values: Vec<String> = columns
        .iter()
        .map(|c| {
            overrides
                .iter()
                .find(|(name, _)| *name == c.name)
                .map(|(_, expr)| expr.clone())
                .unwrap_or_else(|| format!("src.`{}`", c.name))
        })
        .collect();
    conn.batch_execute(&format!(
        "INSERT INTO `{table}` ({}) SELECT {} FROM `{table}` AS src JOIN csdb_numbers AS n \
          WHERE ({source}) AND n.n <= {count}",
        names.join(", "),
        values.join(", ")
    ))?;
    Ok(())
}
