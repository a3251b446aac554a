//! Naming the drifted column behind an unexpected NULL.

use diesel::MysqlConnection;

use super::Error;
use crate::schema::expected::{expected_columns, live_columns};

/// Names the column behind an unexpected NULL. Diesel reports a NULL in a field the crate reads
/// as a value without saying which field; the schema facts make every such column `NOT NULL`,
/// so a NULL can only come from a database that drifted (a column altered to allow NULL). This
/// looks up which columns of the connected database allow NULL where CloudStack's schema does
/// not, and returns [`Error::InvalidValue`] naming them (`table.column`, several joined by
/// ` or `). Any other error is returned unchanged. The pool's `PooledConnection::run` and
/// `DbPool::run` apply it to every error; call it yourself when you use a
/// connection directly.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection, id: cloudstack_db::types::VmId) {
/// use cloudstack_db::compute::vms;
/// let named = vms::find(conn, id).map_err(|e| cloudstack_db::name_unexpected_null(conn, e));
/// # }
/// ```
pub fn name_unexpected_null(conn: &mut MysqlConnection, err: Error) -> Error {
    let unnamed = matches!(&err, Error::InvalidValue { column, .. }
        if column == super::UNNAMED_NULL_COLUMN);
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
