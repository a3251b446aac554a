//! Does a live database have the columns this crate expects? (`cloudstack-db status`)

use diesel::MysqlConnection;

use crate::Result;
use crate::db::{ServerFlavor, ServerInfo, schema_release};
use crate::migrations::Schema;
use crate::schema::expected::{cloudstack_objects, expected_columns, live_columns};

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

/// Compares the columns of the database `conn` is connected to with what the crate expects for
/// `schema`: every missing column, and every column whose type or nullability differs.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::migrations::Schema;
/// for problem in cloudstack_db::install::check_columns(conn, Schema::Cloud)? {
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
    let database = schema.database_name();
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

/// [`check_columns`] without what the database's CloudStack release explains: on a 4.22.0
/// database the `vm_id` columns 4.22.1 added are not there, and the crate works without them.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::migrations::Schema;
/// let unfit = cloudstack_db::install::release_column_problems(conn, Schema::Usage)?;
/// assert!(unfit.iter().all(|p| !p.column.ends_with(".vm_id") || p.problem != "missing"));
/// # Ok(()) }
/// ```
pub fn release_column_problems(
    conn: &mut MysqlConnection,
    schema: Schema,
) -> Result<Vec<ColumnProblem>> {
    let release = schema_release(conn)?;
    Ok(check_columns(conn, schema)?
        .into_iter()
        .filter(|p| {
            let (table, column) = p.column.split_once('.').unwrap_or((&p.column, ""));
            !(p.problem == "missing" && release.lacks(table, column))
        })
        .collect())
}

/// The tables and views of CloudStack 4.22's `schema` database that the database `conn` uses
/// lacks (or has as the other kind), as `table x` / `view y`; empty when all are there.
/// Tables beyond 4.22's (a newer CloudStack, a plugin) are not counted.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::migrations::Schema;
/// let missing = cloudstack_db::install::missing_objects(conn, Schema::Cloud)?;
/// println!("{} of CloudStack 4.22's tables and views missing", missing.len());
/// # Ok(()) }
/// ```
pub fn missing_objects(conn: &mut MysqlConnection, schema: Schema) -> Result<Vec<String>> {
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    #[derive(QueryableByName)]
    struct Object {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        kind: String,
    }
    let live: Vec<Object> = diesel::sql_query(
        "SELECT table_name AS name, \
                CASE WHEN table_type = 'VIEW' THEN 'view' ELSE 'table' END AS kind \
           FROM information_schema.tables WHERE table_schema = DATABASE()",
    )
    .load(conn)?;
    let database = schema.database_name();
    Ok(cloudstack_objects()
        .filter(|[db, ..]| *db == database)
        .filter(|[_, name, kind]| !live.iter().any(|o| o.name == *name && o.kind == *kind))
        .map(|[_, name, kind]| format!("{kind} {name}"))
        .collect())
}

/// How many tables and views CloudStack 4.22's `schema` database has.
///
/// ```
/// use cloudstack_db::migrations::Schema;
/// assert_eq!(cloudstack_db::install::cloudstack_object_count(Schema::Cloud), 321 + 35);
/// assert_eq!(cloudstack_db::install::cloudstack_object_count(Schema::Usage), 31);
/// ```
pub fn cloudstack_object_count(schema: Schema) -> usize {
    cloudstack_objects()
        .filter(|[db, ..]| *db == schema.database_name())
        .count()
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
