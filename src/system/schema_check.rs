//! Does a live database have the columns this crate expects? (`cloudstack-db status`)

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::{ServerFlavor, ServerInfo};
use crate::migrations::Schema;
use crate::{Error, Result};

/// Every column the crate's models use, per database (generated from the schema facts).
const EXPECTED: &str = include_str!("expected_columns.tsv");

/// A column the crate expects that the live database lacks or has differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnProblem {
    /// `table.column`.
    pub column: String,
    /// What is wrong, e.g. `missing` or `type int(10) unsigned, expected bigint(20) unsigned`.
    pub problem: String,
}

impl std::fmt::Display for ColumnProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.column, self.problem)
    }
}

#[derive(QueryableByName)]
struct LiveColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    column_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

/// One line of the expected columns: database, table, column, MariaDB type, MySQL 8 type,
/// nullable (`YES`/`NO`).
type ExpectedColumn<'a> = [&'a str; 6];

fn expected_columns() -> impl Iterator<Item = ExpectedColumn<'static>> {
    EXPECTED
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|line| line.split('\t').collect::<Vec<_>>().try_into().ok())
}

/// The columns of the connected database (`only_nullable`: just those that allow NULL).
fn live_columns(conn: &mut MysqlConnection, only_nullable: bool) -> Result<Vec<LiveColumn>> {
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

/// Compares the columns of the database `conn` is connected to with what the crate expects for
/// `schema`: every missing column, and every column whose type or nullability differs.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::migrations::Schema;
/// for problem in cloudstack_db::system::check_columns(conn, Schema::Cloud)? {
///     println!("{problem}");
/// }
/// # Ok(()) }
/// ```
pub fn check_columns(conn: &mut MysqlConnection, schema: Schema) -> Result<Vec<ColumnProblem>> {
    let flavor = ServerInfo::query(conn)?.flavor;
    let live = live_columns(conn, false)?;
    let find = |table: &str, column: &str| {
        live.iter()
            .find(|c| c.table_name == table && c.column_name.eq_ignore_ascii_case(column))
    };
    let database = match schema {
        Schema::Cloud => "cloud",
        Schema::Usage => "cloud_usage",
    };
    let mut problems = Vec::new();
    for [db, table, column, maria_type, mysql8_type, nullable] in expected_columns() {
        if db != database {
            continue;
        }
        let name = format!("{table}.{column}");
        let Some(found) = find(table, column) else {
            problems.push(ColumnProblem {
                column: name,
                problem: "missing".into(),
            });
            continue;
        };
        let want_type = match flavor {
            ServerFlavor::MariaDb => maria_type,
            ServerFlavor::MySql => mysql8_type,
        };
        // MySQL 8 may still print display widths (upgraded tables): compare without them.
        if strip_widths(&found.column_type) != strip_widths(want_type) {
            problems.push(ColumnProblem {
                column: name.clone(),
                problem: format!("type {}, expected {want_type}", found.column_type),
            });
        }
        if found.is_nullable != nullable {
            let want = if nullable == "YES" {
                "NULL"
            } else {
                "NOT NULL"
            };
            problems.push(ColumnProblem {
                column: name,
                problem: format!("nullability differs, expected {want}"),
            });
        }
    }
    Ok(problems)
}

/// Names the column behind an unexpected NULL. Diesel reports a NULL in a field the crate reads
/// as a value without saying which field; the schema facts make every such column `NOT NULL`,
/// so a NULL can only come from a database that drifted (a column altered to allow NULL). This
/// looks up which columns of the connected database allow NULL where CloudStack's schema does
/// not, and returns [`Error::InvalidValue`] naming them (`table.column`, several joined by
/// ` or `). Any other error is returned unchanged. [`crate::db::PooledConnection::run`] and
/// [`crate::db::DbPool::run`] apply it to every error; call it yourself when you use a
/// connection directly.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection, id: cloudstack_db::types::VmId) {
/// use cloudstack_db::compute::vms;
/// let named = vms::find(conn, id).map_err(|e| cloudstack_db::system::name_unexpected_null(conn, e));
/// # }
/// ```
pub fn name_unexpected_null(conn: &mut MysqlConnection, err: Error) -> Error {
    let unnamed = matches!(&err, Error::InvalidValue { column, .. }
        if column == crate::error::UNNAMED_NULL_COLUMN);
    if !unnamed {
        return err;
    }
    let Ok(live) = live_columns(conn, true) else {
        return err;
    };
    let drifted: Vec<String> = expected_columns()
        .filter_map(|[_, table, column, _, _, nullable]| {
            if nullable != "NO" {
                return None;
            }
            live.iter()
                .any(|c| c.table_name == table && c.column_name.eq_ignore_ascii_case(column))
                .then(|| format!("{table}.{column}"))
        })
        .collect();
    if drifted.is_empty() {
        return err;
    }
    Error::InvalidValue {
        column: drifted.join(" or "),
        value: None,
        reason: "NULL where a value is required (the column allows NULL in this database, \
                 CloudStack's schema does not)"
            .to_owned(),
    }
}

/// `bigint(20) unsigned` → `bigint unsigned`; `tinyint(1)` keeps its width (it means boolean).
fn strip_widths(column_type: &str) -> String {
    if column_type.starts_with("tinyint(1)") {
        return column_type.to_owned();
    }
    let integer = ["tinyint(", "smallint(", "mediumint(", "int(", "bigint("];
    match integer.iter().find(|p| column_type.starts_with(**p)) {
        Some(prefix) => {
            let rest = &column_type[prefix.len()..];
            let after = rest.split_once(')').map(|(_, a)| a).unwrap_or("");
            format!("{}{after}", prefix.trim_end_matches('('))
        }
        None => column_type.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn widths_are_ignored_except_for_booleans() {
        assert_eq!(
            super::strip_widths("bigint(20) unsigned"),
            "bigint unsigned"
        );
        assert_eq!(super::strip_widths("int(1)"), "int");
        assert_eq!(super::strip_widths("tinyint(1)"), "tinyint(1)");
        assert_eq!(super::strip_widths("varchar(255)"), "varchar(255)");
    }
}
