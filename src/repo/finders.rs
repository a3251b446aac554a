//! The lookups every table with `id`, `uuid` and `removed` columns offers, and the keyset page
//! every paged list returns — written once, expanded per table.

/// Defines `find` (a live row by id), `find_including_removed` and `find_by_uuid` (a live row
/// by uuid) for `$table` read as `$model`, and with `name` also `find_by_name` (the first live
/// row with that name, by id). `$module` and `$id` only feed the doc examples.
macro_rules! live_finders {
    ($table:ident, $model:ty, $id_ty:ty, $module:literal, $id:literal $(, $name:ident)?) => {
        #[doc = concat!("A live `", stringify!($table), "` row by id; [`crate::Error::NotFound`] when none is live.\n\n",
            "```no_run\n# fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {\n",
            "let row = cloudstack_db::", $module, "::find(conn, ", $id, ")?;\n# Ok(()) }\n```")]
        pub fn find(conn: &mut diesel::MysqlConnection, id: $id_ty) -> $crate::Result<$model> {
            use diesel::prelude::*;
            use $crate::schema::cloud::$table as t;
            Ok(t::table
                .filter(t::id.eq(id))
                .filter(t::removed.is_null())
                .select(<$model>::as_select())
                .first(conn)?)
        }

        #[doc = concat!("A `", stringify!($table), "` row by id, removed or not.\n\n",
            "```no_run\n# fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {\n",
            "let row = cloudstack_db::", $module, "::find_including_removed(conn, ", $id, ")?;\n# Ok(()) }\n```")]
        pub fn find_including_removed(
            conn: &mut diesel::MysqlConnection,
            id: $id_ty,
        ) -> $crate::Result<$model> {
            use diesel::prelude::*;
            use $crate::schema::cloud::$table as t;
            Ok(t::table
                .filter(t::id.eq(id))
                .select(<$model>::as_select())
                .first(conn)?)
        }

        #[doc = concat!("A live `", stringify!($table), "` row by uuid.\n\n",
            "```no_run\n# fn demo(conn: &mut diesel::MysqlConnection, uuid: uuid::Uuid) -> cloudstack_db::Result<()> {\n",
            "let row = cloudstack_db::", $module, "::find_by_uuid(conn, uuid)?;\n# Ok(()) }\n```")]
        pub fn find_by_uuid(
            conn: &mut diesel::MysqlConnection,
            uuid: uuid::Uuid,
        ) -> $crate::Result<$model> {
            use diesel::prelude::*;
            use $crate::schema::cloud::$table as t;
            Ok(t::table
                .filter(t::uuid.eq(uuid.hyphenated().to_string()))
                .filter(t::removed.is_null())
                .select(<$model>::as_select())
                .first(conn)?)
        }

        $(
        #[doc = concat!("The first live `", stringify!($table), "` row (by id) with this ", stringify!($name), ".\n\n",
            "```no_run\n# fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {\n",
            "let row = cloudstack_db::", $module, "::find_by_", stringify!($name), "(conn, \"Small Instance\")?;\n# Ok(()) }\n```")]
        pub fn find_by_name(conn: &mut diesel::MysqlConnection, name: &str) -> $crate::Result<$model> {
            use diesel::prelude::*;
            use $crate::schema::cloud::$table as t;
            Ok(t::table
                .filter(t::$name.eq(name))
                .filter(t::removed.is_null())
                .order(t::id)
                .select(<$model>::as_select())
                .first(conn)?)
        }
        )?
    };
}

/// Defines `list_all`: every live `$table` row, by id — for short reference lists (zones,
/// offerings, roles) that need no page.
macro_rules! live_list_all {
    ($table:ident, $model:ty, $module:literal) => {
        #[doc = concat!("Every live `", stringify!($table), "` row, by id (a short reference list, not paged).\n\n",
            "May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few seconds ",
            "old will do (see `docs/scaling.md`).\n\n",
            "```no_run\n# fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {\n",
            "let rows = db.read(|c| cloudstack_db::", $module, "::list_all(c))?;\n# Ok(()) }\n```")]
        pub fn list_all(conn: &mut diesel::MysqlConnection) -> $crate::Result<Vec<$model>> {
            use diesel::prelude::*;
            use $crate::schema::cloud::$table as t;
            Ok(t::table
                .filter(t::removed.is_null())
                .order(t::id)
                .select(<$model>::as_select())
                .load(conn)?)
        }
    };
}

/// One keyset page of `$model` rows from the boxed query `$build()` (called twice when the
/// total is asked for): rows with `$id_col` after the request's cursor, in id order, one more
/// than the page to know whether another follows.
macro_rules! keyset_page {
    ($conn:expr, $request:expr, $build:expr, $id_col:expr, $after:expr, $model:ty, $id_of:expr) => {{
        use diesel::prelude::*;
        let request: &$crate::repo::PageRequest = $request;
        let rows = $build()
            .filter($id_col.gt($after))
            .order($id_col.asc())
            .limit(i64::from(request.limit()) + 1)
            .select(<$model>::as_select())
            .load($conn)?;
        let total = if request.count_total {
            Some($build().count().get_result($conn)?)
        } else {
            None
        };
        Ok($crate::repo::Page::from_rows(rows, request, $id_of, total))
    }};
}

pub(crate) use {keyset_page, live_finders, live_list_all};
