//! The columns the crate's models expect (generated from the schema facts, with the migrations,
//! by `scripts/generate-schema-migrations.py`) and the columns a live database has — what
//! `cloudstack-db status` compares and what an unexpected NULL is named from.

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::Result;

/// Every column the crate's models use, per database.
const EXPECTED: &str = include_str!("expected_columns.tsv");
/// Every table and view of CloudStack 4.22, per database.
const OBJECTS: &str = include_str!("cloudstack_objects.tsv");

/// Every table and view of CloudStack 4.22 (database, name, `table` or `view`), from the facts.
pub(crate) fn cloudstack_objects() -> impl Iterator<Item = [&'static str; 3]> {
    OBJECTS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|line| line.split('\t').collect::<Vec<_>>().try_into().ok())
}

#[derive(QueryableByName)]
pub(crate) struct LiveColumn {
    #[diesel(sql_type = Text)]
    pub(crate) table_name: String,
    #[diesel(sql_type = Text)]
    pub(crate) column_name: String,
    #[diesel(sql_type = Text)]
    pub(crate) column_type: String,
    #[diesel(sql_type = Text)]
    pub(crate) is_nullable: String,
}

/// One line of the expected columns: database, table, column, MariaDB type, MySQL 8 type,
/// nullable (`YES`/`NO`).
pub(crate) type ExpectedColumn<'a> = [&'a str; 6];

pub(crate) fn expected_columns() -> impl Iterator<Item = ExpectedColumn<'static>> {
    EXPECTED
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|line| line.split('\t').collect::<Vec<_>>().try_into().ok())
}

/// The columns of the connected database (`only_nullable`: just those that allow NULL).
pub(crate) fn live_columns(
    conn: &mut MysqlConnection,
    only_nullable: bool,
) -> Result<Vec<LiveColumn>> {
    let filter = if only_nullable {
        " AND is_nullable = 'YES'"
    } else {
        ""
    };
    Ok(diesel::sql_query(format!(
        "SELECT table_name AS table_name, column_name AS column_name, column_type AS column_type, \
                is_nullable AS is_nullable \
           FROM information_schema.columns WHERE table_schema = DATABASE(){filter}"
    ))
    .load(conn)?)
}
