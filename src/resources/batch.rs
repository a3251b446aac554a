//! The statements that read, lock and change many count rows at once — of several types, for an
//! account and the domains above it — each one cached prepared statement whatever the number
//! of types, domains or rows (their lists padded to fixed slots, see `push_padded`; longer
//! lists are split by the caller).

use diesel::QueryResult;
use diesel::mysql::Mysql;
use diesel::query_builder::{AstPass, Query, QueryFragment};
use diesel::sql_types::{BigInt, Nullable, Text, Unsigned};

use crate::db::statement::{cached_statement, padded_statement, push_padded};

/// Types one statement names.
pub(super) const TYPE_SLOTS: usize = 8;
/// Domains one statement names.
pub(super) const DOMAIN_SLOTS: usize = 8;
/// Count rows one statement locks or changes.
pub(super) const ROW_SLOTS: usize = 16;

/// Stands for "no domain" in a domain list (no domain has id 0).
pub(super) const NO_DOMAIN: &[u64] = &[0];

type Id = Unsigned<BigInt>;

/// `((account_id = ? AND domain_id IS NULL) OR (account_id IS NULL AND domain_id IN (…)))`.
fn push_owners<'b>(
    out: &mut AstPass<'_, 'b, Mysql>,
    account: &'b u64,
    domains: &'b [u64],
) -> QueryResult<()> {
    out.push_sql(" AND ((`account_id` = ");
    out.push_bind_param::<Id, u64>(account)?;
    out.push_sql(" AND `domain_id` IS NULL) OR (`account_id` IS NULL AND `domain_id` IN ");
    push_padded::<Id, u64>(out, domains, DOMAIN_SLOTS)?;
    out.push_sql("))");
    Ok(())
}

/// The count rows (id, type, tag, account, domain) of `types` for `account` and for
/// `domains`; not locked.
pub(super) struct CountRows<'a> {
    pub types: &'a [&'static str],
    pub account: u64,
    pub domains: &'a [u64],
}

padded_statement!(CountRows);

impl Query for CountRows<'_> {
    type SqlType = (
        Id,
        Nullable<Text>,
        Nullable<Text>,
        Nullable<Id>,
        Nullable<Id>,
    );
}

impl QueryFragment<Mysql> for CountRows<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Mysql>) -> QueryResult<()> {
        out.push_sql(
            "SELECT `id`, `type`, `tag`, `account_id`, `domain_id` FROM `resource_count` WHERE `type` IN ",
        );
        push_padded::<Text, &'static str>(&mut out, self.types, TYPE_SLOTS)?;
        push_owners(&mut out, &self.account, self.domains)
    }
}

/// The limits an administrator set (type, tag, account, domain, max) of `types` for `account`
/// and for `domains`, oldest first.
pub(super) struct OwnLimits<'a> {
    pub types: &'a [&'static str],
    pub account: u64,
    pub domains: &'a [u64],
}

padded_statement!(OwnLimits);

impl Query for OwnLimits<'_> {
    type SqlType = (
        Nullable<Text>,
        Nullable<Text>,
        Nullable<Id>,
        Nullable<Id>,
        BigInt,
    );
}

impl QueryFragment<Mysql> for OwnLimits<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Mysql>) -> QueryResult<()> {
        out.push_sql(
            "SELECT `type`, `tag`, `account_id`, `domain_id`, `max` FROM `resource_limit` WHERE `type` IN ",
        );
        push_padded::<Text, &'static str>(&mut out, self.types, TYPE_SLOTS)?;
        push_owners(&mut out, &self.account, self.domains)?;
        out.push_sql(" ORDER BY `id`");
        Ok(())
    }
}

/// Count rows by id, locked (`FOR UPDATE`) in ascending id order, with their counts.
pub(super) struct LockCounts<'a> {
    pub ids: &'a [u64],
}

padded_statement!(LockCounts);

impl Query for LockCounts<'_> {
    type SqlType = (Id, BigInt);
}

impl QueryFragment<Mysql> for LockCounts<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Mysql>) -> QueryResult<()> {
        out.push_sql("SELECT `id`, `count` FROM `resource_count` WHERE `id` IN ");
        push_padded::<Id, u64>(&mut out, self.ids, ROW_SLOTS)?;
        out.push_sql(" ORDER BY `id` FOR UPDATE");
        Ok(())
    }
}

/// Adds `deltas[i]` to the count of row `ids[i]` (distinct ids), in one statement.
pub(super) struct AddCounts<'a> {
    pub ids: &'a [u64],
    pub deltas: &'a [i64],
}

padded_statement!(AddCounts);

impl QueryFragment<Mysql> for AddCounts<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Mysql>) -> QueryResult<()> {
        debug_assert_eq!(self.ids.len(), self.deltas.len());
        out.push_sql("UPDATE `resource_count` SET `count` = `count` + CASE `id`");
        let last = self.ids.len() - 1;
        for slot in 0..ROW_SLOTS {
            let at = slot.min(last);
            out.push_sql(" WHEN ");
            out.push_bind_param::<Id, u64>(&self.ids[at])?;
            out.push_sql(" THEN ");
            out.push_bind_param::<BigInt, i64>(&self.deltas[at])?;
        }
        out.push_sql(" END WHERE `id` IN ");
        push_padded::<Id, u64>(&mut out, self.ids, ROW_SLOTS)
    }
}

cached_statement! {
    /// What accounting needs of an account: its domain, type and role, the role's type and the
    /// domain's parent.
    AccountLedger {
        account: u64 as Unsigned<BigInt>,
    } -> (Nullable<Id>, Unsigned<diesel::sql_types::Integer>, Nullable<Id>, Nullable<Text>, Nullable<Id>) =
        "SELECT `a`.`domain_id`, `a`.`type`, `a`.`role_id`, `r`.`role_type`, `d`.`parent` \
         FROM `account` `a` LEFT JOIN `roles` `r` ON `r`.`id` = `a`.`role_id` \
         LEFT JOIN `domain` `d` ON `d`.`id` = `a`.`domain_id` WHERE `a`.`id` = ?"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(q: &impl QueryFragment<Mysql>) -> String {
        diesel::debug_query::<Mysql, _>(q).to_string()
    }

    #[test]
    fn one_text_whatever_the_list_lengths() {
        let short = CountRows {
            types: &["cpu"],
            account: 3,
            domains: &[1],
        };
        let long = CountRows {
            types: &["cpu", "memory", "user_vm"],
            account: 3,
            domains: &[4, 2, 1],
        };
        let text = |q: &CountRows| sql(q).split(" -- ").next().unwrap().to_owned();
        assert_eq!(text(&short), text(&long));
    }

    #[test]
    fn each_row_gets_its_own_delta_and_padding_repeats_the_last_pair() {
        let q = AddCounts {
            ids: &[5, 9],
            deltas: &[1, 512],
        };
        let s = sql(&q);
        assert_eq!(s.matches(" WHEN ? THEN ?").count(), ROW_SLOTS);
        assert!(s.contains("[5, 1, 9, 512, 9, 512,"), "{s}");
    }
}
