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
}
