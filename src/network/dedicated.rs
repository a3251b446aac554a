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

impl Dedications {
    pub(crate) fn of(conn: &mut MysqlConnection, ranges: &[VlanId]) -> Result<Self> {
        let accounts = account_vlan_map::table
            .filter(account_vlan_map::vlan_db_id.eq_any(ranges))
            .select((account_vlan_map::vlan_db_id, account_vlan_map::account_id))
            .load::<(VlanId, AccountId)>(conn)?
            .into_iter()
            .collect();
        let domains = domain_vlan_map::table
            .filter(domain_vlan_map::vlan_db_id.eq_any(ranges))
            .select((domain_vlan_map::vlan_db_id, domain_vlan_map::domain_id))
            .load::<(VlanId, DomainId)>(conn)?
            .into_iter()
            .collect();
        Ok(Self { accounts, domains })
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
