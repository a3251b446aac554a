//! Hand-written statements that Diesel prepares once per connection.
//!
//! Diesel never caches the prepared statement of an `UPDATE` (nor of raw SQL): each call is a
//! prepare, an execute and a close — two round trips instead of one. The hot updates of the
//! repositories are therefore written as fixed SQL with typed bind parameters, which Diesel
//! caches by type like its own SELECTs.

/// Defines a statement type: fixed SQL with one `?` per field, bound in field order.
macro_rules! cached_statement {
    (
        $(#[$doc:meta])*
        $name:ident { $($field:ident : $ty:ty as $sql_ty:ty),* $(,)? } = $sql:literal
    ) => {
        $(#[$doc])*
        pub(crate) struct $name {
            $(pub(crate) $field: $ty,)*
        }

        impl diesel::query_builder::QueryId for $name {
            type QueryId = Self;
            const HAS_STATIC_QUERY_ID: bool = true;
        }

        impl diesel::query_builder::QueryFragment<diesel::mysql::Mysql> for $name {
            fn walk_ast<'b>(
                &'b self,
                mut out: diesel::query_builder::AstPass<'_, 'b, diesel::mysql::Mysql>,
            ) -> diesel::QueryResult<()> {
                let mut parts = $sql.split('?');
                out.push_sql(parts.next().unwrap_or_default());
                $(
                    out.push_bind_param::<$sql_ty, _>(&self.$field)?;
                    out.push_sql(parts.next().unwrap_or_default());
                )*
                Ok(())
            }
        }

        impl diesel::RunQueryDsl<diesel::MysqlConnection> for $name {}
    };
    (
        $(#[$doc:meta])*
        $name:ident { $($field:ident : $ty:ty as $sql_ty:ty),* $(,)? } -> $row:ty = $sql:literal
    ) => {
        $crate::db::statement::cached_statement! {
            $(#[$doc])*
            $name { $($field : $ty as $sql_ty),* } = $sql
        }

        impl diesel::query_builder::Query for $name {
            type SqlType = $row;
        }
    };
}

pub(crate) use cached_statement;

/// Marks a hand-written statement `$name<'a>` (a [`push_padded`] list makes its text the same
/// on every call) as cacheable and runnable: `QueryId` with a static id, and `RunQueryDsl`.
macro_rules! padded_statement {
    ($name:ident) => {
        impl diesel::query_builder::QueryId for $name<'_> {
            type QueryId = $name<'static>;
            const HAS_STATIC_QUERY_ID: bool = true;
        }

        impl diesel::RunQueryDsl<diesel::MysqlConnection> for $name<'_> {}
    };
}

pub(crate) use padded_statement;

/// Writes `(?, ?, …)` with exactly `slots` binds: `values`, then its last value again for each
/// slot left. A repeat changes nothing in an `IN` list (nor in a later arm of a `CASE`), so a
/// statement whose lists vary in length up to `slots` keeps one text and stays one cached
/// prepared statement. `values` holds 1 to `slots` items (callers split longer lists).
pub(crate) fn push_padded<'b, ST, T>(
    out: &mut diesel::query_builder::AstPass<'_, 'b, diesel::mysql::Mysql>,
    values: &'b [T],
    slots: usize,
) -> diesel::QueryResult<()>
where
    diesel::mysql::Mysql: diesel::sql_types::HasSqlType<ST>,
    T: diesel::serialize::ToSql<ST, diesel::mysql::Mysql>,
{
    debug_assert!(!values.is_empty() && values.len() <= slots);
    out.push_sql("(");
    for slot in 0..slots {
        if slot > 0 {
            out.push_sql(", ");
        }
        out.push_bind_param::<ST, T>(&values[slot.min(values.len() - 1)])?;
    }
    out.push_sql(")");
    Ok(())
}

#[cfg(test)]
mod tests {
    use diesel::query_builder::QueryFragment;
    use diesel::sql_types::{BigInt, Text};

    cached_statement! {
        /// A test statement.
        Probe { name: String as Text, n: i64 as BigInt } = "UPDATE t SET name = ? WHERE n = ?"
    }

    #[test]
    fn binds_in_order_and_is_cacheable() {
        let probe = Probe {
            name: "x".into(),
            n: 3,
        };
        let sql = diesel::debug_query::<diesel::mysql::Mysql, _>(&probe).to_string();
        assert!(
            sql.starts_with("UPDATE t SET name = ? WHERE n = ?"),
            "{sql}"
        );
        assert!(sql.contains("[\"x\", 3]"), "{sql}");
        let mut safe = true;
        probe
            .is_safe_to_cache_prepared(&diesel::mysql::Mysql)
            .map(|s| safe = s)
            .unwrap();
        assert!(safe);
    }

    struct InList(Vec<i64>);

    impl diesel::query_builder::QueryFragment<diesel::mysql::Mysql> for InList {
        fn walk_ast<'b>(
            &'b self,
            mut out: diesel::query_builder::AstPass<'_, 'b, diesel::mysql::Mysql>,
        ) -> diesel::QueryResult<()> {
            out.push_sql("SELECT 1 WHERE n IN ");
            super::push_padded::<BigInt, _>(&mut out, &self.0, 4)
        }
    }

    #[test]
    fn a_padded_list_has_its_slots_filled_with_the_last_value() {
        let sql = diesel::debug_query::<diesel::mysql::Mysql, _>(&InList(vec![7, 9])).to_string();
        assert!(sql.starts_with("SELECT 1 WHERE n IN (?, ?, ?, ?)"), "{sql}");
        assert!(sql.contains("[7, 9, 9, 9]"), "{sql}");
        let full =
            diesel::debug_query::<diesel::mysql::Mysql, _>(&InList(vec![1, 2, 3, 4])).to_string();
        assert!(full.contains("[1, 2, 3, 4]"), "{full}");
    }
}
