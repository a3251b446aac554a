//! Public address ranges dedicated to an account (`account_vlan_map`) or a domain
//! (`domain_vlan_map`): only their owner allocates from them, and the zone's other accounts
//! never do (`IpAddressManagerImpl.listAvailablePublicIps`).

use std::collections::HashMap;

use diesel::prelude::*;

use crate::Result;
use crate::db::Tx;
use crate::repo::last_insert_id;
use crate::schema::cloud::{account_vlan_map, domain_vlan_map};
use crate::types::{AccountId, DomainId, VlanId};

/// A range dedicated to an account.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = account_vlan_map, check_for_backend(diesel::mysql::Mysql))]
pub struct AccountVlanMap {
    /// `id` bigint(20) unsigned.
    pub id: u64,
    /// The account. `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// The range. `vlan_db_id` bigint(20) unsigned.
    pub vlan_db_id: VlanId,
}

/// A range dedicated to a domain.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = domain_vlan_map, check_for_backend(diesel::mysql::Mysql))]
pub struct DomainVlanMap {
    /// `id` bigint(20) unsigned.
    pub id: u64,
    /// The domain. `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// The range. `vlan_db_id` bigint(20) unsigned.
    pub vlan_db_id: VlanId,
}

/// Dedicates range `vlan` to `account`.
///
/// ```no_run
/// use cloudstack_db::network::dedicated::dedicate_to_account;
/// use cloudstack_db::types::{AccountId, VlanId};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// db.write(|tx| dedicate_to_account(tx, VlanId(3), AccountId(7)))?;
/// # Ok(()) }
/// ```
pub fn dedicate_to_account(
    tx: &mut Tx<'_>,
    vlan: VlanId,
    account: AccountId,
) -> Result<AccountVlanMap> {
    let conn = tx.conn();
    diesel::insert_into(account_vlan_map::table)
        .values((
            account_vlan_map::account_id.eq(account),
            account_vlan_map::vlan_db_id.eq(vlan),
        ))
        .execute(conn)?;
    let id = last_insert_id(conn)?;
    Ok(account_vlan_map::table
        .find(id)
        .select(AccountVlanMap::as_select())
        .first(conn)?)
}

/// Dedicates range `vlan` to `domain`.
///
/// ```no_run
/// use cloudstack_db::network::dedicated::dedicate_to_domain;
/// use cloudstack_db::types::{DomainId, VlanId};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// db.write(|tx| dedicate_to_domain(tx, VlanId(3), DomainId(2)))?;
/// # Ok(()) }
/// ```
pub fn dedicate_to_domain(
    tx: &mut Tx<'_>,
    vlan: VlanId,
    domain: DomainId,
) -> Result<DomainVlanMap> {
    let conn = tx.conn();
    diesel::insert_into(domain_vlan_map::table)
        .values((
            domain_vlan_map::domain_id.eq(domain),
            domain_vlan_map::vlan_db_id.eq(vlan),
        ))
        .execute(conn)?;
    let id = last_insert_id(conn)?;
    Ok(domain_vlan_map::table
        .find(id)
        .select(DomainVlanMap::as_select())
        .first(conn)?)
}

/// Who the ranges among `ranges` are dedicated to.
#[derive(Debug, Default)]
pub(crate) struct Dedications {
    pub(crate) accounts: HashMap<VlanId, AccountId>,
    pub(crate) domains: HashMap<VlanId, DomainId>,
}

/// Ranges one [`DedicationsOf`] statement names.
const RANGE_SLOTS: usize = 16;

/// Who the ranges among `ranges` (1 to [`RANGE_SLOTS`]) are dedicated to, both maps in one
/// statement: (`true` for an account, range, owner).
struct DedicationsOf<'a> {
    ranges: &'a [VlanId],
}

crate::db::statement::padded_statement!(DedicationsOf);

impl diesel::query_builder::Query for DedicationsOf<'_> {
    type SqlType = (
        diesel::sql_types::Bool,
        diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
        diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
    );
}

impl diesel::query_builder::QueryFragment<diesel::mysql::Mysql> for DedicationsOf<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::mysql::Mysql>,
    ) -> QueryResult<()> {
        type Id = diesel::sql_types::Unsigned<diesel::sql_types::BigInt>;
        out.push_sql(
            "SELECT TRUE, `vlan_db_id`, `account_id` FROM `account_vlan_map` WHERE `vlan_db_id` IN ",
        );
        crate::db::statement::push_padded::<Id, VlanId>(&mut out, self.ranges, RANGE_SLOTS)?;
        out.push_sql(
            " UNION ALL SELECT FALSE, `vlan_db_id`, `domain_id` FROM `domain_vlan_map` WHERE `vlan_db_id` IN ",
        );
        crate::db::statement::push_padded::<Id, VlanId>(&mut out, self.ranges, RANGE_SLOTS)
    }
}

impl Dedications {
    /// Reads who `ranges` are dedicated to: one cached statement per 16 ranges.
    pub(crate) fn of(conn: &mut MysqlConnection, ranges: &[VlanId]) -> Result<Self> {
        let mut found = Self::default();
        for part in ranges.chunks(RANGE_SLOTS) {
            let rows = DedicationsOf { ranges: part }.load::<(bool, VlanId, u64)>(conn)?;
            for (to_account, range, owner) in rows {
                if to_account {
                    found.accounts.insert(range, AccountId(owner));
                } else {
                    found.domains.insert(range, DomainId(owner));
                }
            }
        }
        Ok(found)
    }

    /// Whether `range` is dedicated to anyone.
    pub(crate) fn is_dedicated(&self, range: VlanId) -> bool {
        self.accounts.contains_key(&range) || self.domains.contains_key(&range)
    }

    /// Whether `range` is dedicated to `account` or to `domain`.
    pub(crate) fn is_for(&self, range: VlanId, account: AccountId, domain: DomainId) -> bool {
        self.accounts.get(&range) == Some(&account) || self.domains.get(&range) == Some(&domain)
    }
}
