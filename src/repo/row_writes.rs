//! Writes every table with an `id` and a `removed` column shares: a change set applied to a
//! live row, CloudStack's soft delete (`removed` set to now) and the real delete.

/// `UPDATE <table> SET removed = now WHERE id = ? AND removed IS NULL`; [`crate::Error::NotFound`]
/// when no live row has that id.
macro_rules! soft_delete {
    ($conn:expr, $table:ident, $id:expr) => {{
        use diesel::prelude::*;
        let n = diesel::update(
            $table::table
                .filter($table::id.eq($id))
                .filter($table::removed.is_null()),
        )
        .set($table::removed.eq($crate::repo::now().naive_utc()))
        .execute($conn)?;
        if n == 0 {
            Err($crate::Error::NotFound)
        } else {
            Ok(())
        }
    }};
}

/// `DELETE FROM <table> WHERE id = ?`; [`crate::Error::NotFound`] when there is no such row.
macro_rules! expunge_row {
    ($conn:expr, $table:ident, $id:expr) => {{
        use diesel::prelude::*;
        let n = diesel::delete($table::table.filter($table::id.eq($id))).execute($conn)?;
        if n == 0 {
            Err($crate::Error::NotFound)
        } else {
            Ok(())
        }
    }};
}

/// `UPDATE <table> SET <the changes that are Some> WHERE id = ? AND removed IS NULL` with a
/// Diesel `AsChangeset` whose fields are all optional (`Option<Option<T>>` sets a nullable column
/// to NULL with `Some(None)`); [`crate::Error::NotFound`] when no live row has that id. A change
/// set with nothing in it sends no UPDATE, only checks that the row is live.
macro_rules! update_live {
    ($conn:expr, $table:ident, $id:expr, $changes:expr) => {{
        use diesel::prelude::*;
        let conn: &mut diesel::MysqlConnection = $conn;
        let live = $table::table
            .filter($table::id.eq($id))
            .filter($table::removed.is_null());
        match diesel::update(live).set($changes).execute(conn) {
            Ok(0) => Err($crate::Error::NotFound),
            Ok(_) => Ok(()),
            // Diesel refuses to build an UPDATE without columns: nothing to change.
            Err(diesel::result::Error::QueryBuilderError(_)) => {
                let n: i64 = live.count().get_result(conn)?;
                if n == 0 {
                    Err($crate::Error::NotFound)
                } else {
                    Ok(())
                }
            }
            Err(other) => Err($crate::Error::from(other)),
        }
    }};
}

pub(crate) use {expunge_row, soft_delete, update_live};
