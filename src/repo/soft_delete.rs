//! CloudStack's soft delete (`removed` set to now) and real delete, for any table with an `id`
//! and a `removed` column.

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

pub(crate) use {expunge_row, soft_delete};
