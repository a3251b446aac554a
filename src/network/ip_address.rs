//! `cloud`.`user_ip_address`: IPAddressVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::IpAddressState;
use crate::schema::cloud::user_ip_address;
use crate::types::{
    AccountId, DomainId, IntBool, IpAddressId, NetworkId, OptionOf, UtcDateTime, UuidText, VlanId,
    VmId, ZoneId,
};

/// A row of `cloud`.`user_ip_address` as CloudStack's `IPAddressVO` maps it.
///
/// ```no_run
/// use cloudstack_db::network::IpAddress;
/// use cloudstack_db::schema::cloud::user_ip_address;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<IpAddress> = user_ip_address::table.select(IpAddress::as_select()).limit(10).load(conn)?;
/// # Ok(()) }
/// ```
#[derive(
    Debug,
    Clone,
    PartialEq,
    Queryable,
    Selectable,
    Identifiable,
    serde::Serialize,
    serde::Deserialize,
)]
#[diesel(table_name = user_ip_address, check_for_backend(diesel::mysql::Mysql))]
pub struct IpAddress {
    /// `id` bigint(20) unsigned.
    pub id: IpAddressId,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `account_id` bigint(20) unsigned, nullable.
    pub account_id: Option<AccountId>,
    /// `domain_id` bigint(20) unsigned, nullable.
    pub domain_id: Option<DomainId>,
    /// `public_ip_address` char(40).
    pub public_ip_address: String,
    /// Zone that it belongs to. `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// `source_nat` int(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub source_nat: bool,
    /// Date this ip was allocated to someone. `allocated` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub allocated: Option<DateTime<Utc>>,
    /// `vlan_db_id` bigint(20) unsigned.
    pub vlan_db_id: VlanId,
    /// `one_to_one_nat` int(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub one_to_one_nat: bool,
    /// Vm id the one_to_one nat ip is assigned to. `vm_id` bigint(20) unsigned, nullable.
    pub vm_id: Option<VmId>,
    /// State of the ip address. `state` char(32), default 'Free'.
    pub state: IpAddressState,
    /// Mac address of this ip. `mac_address` bigint(20) unsigned.
    pub mac_address: u64,
    /// Network id ip belongs to. `source_network_id` bigint(20) unsigned.
    pub source_network_id: NetworkId,
    /// Network this public ip address is associated with. `network_id` bigint(20) unsigned, nullable.
    pub network_id: Option<NetworkId>,
    /// Physical network id that this configuration is based on. `physical_network_id` bigint(20) unsigned.
    pub physical_network_id: u64,
    /// `is_system` int(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub is_system: bool,
    /// Vpc the ip address is associated with. `vpc_id` bigint(20) unsigned, nullable.
    pub vpc_id: Option<u64>,
    /// `dnat_vmip` varchar(40), nullable.
    pub dnat_vmip: Option<String>,
    /// `is_portable` int(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub is_portable: bool,
    /// True if the ip address can be displayed to the end user. `display` tinyint(1), default 1.
    pub display: bool,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// Date created. `created` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Static  rule state while removing. `rule_state` varchar(32), nullable.
    pub rule_state: Option<IpAddressState>,
    /// True if IP is set to system vms, false if not. `forsystemvms` tinyint(1), default 0.
    pub forsystemvms: bool,
    /// True if the ip address is used by Domain Router to expose services. `for_router` tinyint(1), nullable, default 0.
    pub for_router: Option<bool>,
}

/// A new row of `cloud`.`user_ip_address`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = user_ip_address, check_for_backend(diesel::mysql::Mysql))]
pub struct NewIpAddress {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<IpAddressId>,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `account_id` bigint(20) unsigned, nullable.
    pub account_id: Option<AccountId>,
    /// `domain_id` bigint(20) unsigned, nullable.
    pub domain_id: Option<DomainId>,
    /// `public_ip_address` char(40).
    pub public_ip_address: String,
    /// Zone that it belongs to. `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// `source_nat` int(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub source_nat: bool,
    /// Date this ip was allocated to someone. `allocated` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub allocated: Option<DateTime<Utc>>,
    /// `vlan_db_id` bigint(20) unsigned.
    pub vlan_db_id: VlanId,
    /// `one_to_one_nat` int(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub one_to_one_nat: bool,
    /// Vm id the one_to_one nat ip is assigned to. `vm_id` bigint(20) unsigned, nullable.
    pub vm_id: Option<VmId>,
    /// State of the ip address. `state` char(32), default 'Free'. `None` stores the column default.
    pub state: Option<IpAddressState>,
    /// Mac address of this ip. `mac_address` bigint(20) unsigned.
    pub mac_address: u64,
    /// Network id ip belongs to. `source_network_id` bigint(20) unsigned.
    pub source_network_id: NetworkId,
    /// Network this public ip address is associated with. `network_id` bigint(20) unsigned, nullable.
    pub network_id: Option<NetworkId>,
    /// Physical network id that this configuration is based on. `physical_network_id` bigint(20) unsigned.
    pub physical_network_id: u64,
    /// `is_system` int(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub is_system: bool,
    /// Vpc the ip address is associated with. `vpc_id` bigint(20) unsigned, nullable.
    pub vpc_id: Option<u64>,
    /// `dnat_vmip` varchar(40), nullable.
    pub dnat_vmip: Option<String>,
    /// `is_portable` int(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub is_portable: bool,
    /// True if the ip address can be displayed to the end user. `display` tinyint(1), default 1. `None` stores the column default.
    pub display: Option<bool>,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// Date created. `created` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Static  rule state while removing. `rule_state` varchar(32), nullable.
    pub rule_state: Option<IpAddressState>,
    /// True if IP is set to system vms, false if not. `forsystemvms` tinyint(1), default 0. `None` stores the column default.
    pub forsystemvms: Option<bool>,
    /// True if the ip address is used by Domain Router to expose services. `for_router` tinyint(1), nullable, default 0.
    pub for_router: Option<bool>,
}

/// The INSERT head of [`NewIpAddress`]'s columns, for [`NewIpAddress::write_values`].
pub(crate) const INSERT_HEAD: &str = "INSERT INTO `user_ip_address` (`id`, `uuid`, `account_id`, \
    `domain_id`, `public_ip_address`, `data_center_id`, `source_nat`, `allocated`, `vlan_db_id`, \
    `one_to_one_nat`, `vm_id`, `state`, `mac_address`, `source_network_id`, `network_id`, \
    `physical_network_id`, `is_system`, `vpc_id`, `dnat_vmip`, `is_portable`, `display`, \
    `removed`, `created`, `rule_state`, `forsystemvms`, `for_router`)";

impl NewIpAddress {
    /// This address's values in [`INSERT_HEAD`]'s order, as the Diesel insert of the struct
    /// would bind them (`None` is `DEFAULT`, or `NULL` for the nullable uuid and times).
    pub(crate) fn write_values(&self, v: &mut crate::repo::literal::Values) -> crate::Result<()> {
        v.opt_uint(self.id.map(|i| i.get()));
        match self.uuid {
            Some(u) => v.uuid(u),
            None => v.null(),
        }
        v.opt_uint(self.account_id.map(|i| i.get()));
        v.opt_uint(self.domain_id.map(|i| i.get()));
        v.text(&self.public_ip_address);
        v.uint(self.data_center_id.get());
        v.flag(self.source_nat);
        v.opt_datetime(self.allocated.map(|t| t.naive_utc()));
        v.uint(self.vlan_db_id.get());
        v.flag(self.one_to_one_nat);
        v.opt_uint(self.vm_id.map(|i| i.get()));
        v.opt_text(self.state.map(|s| s.as_str()));
        v.uint(self.mac_address);
        v.uint(self.source_network_id.get());
        v.opt_uint(self.network_id.map(|i| i.get()));
        v.uint(self.physical_network_id);
        v.flag(self.is_system);
        v.opt_uint(self.vpc_id);
        v.opt_text(self.dnat_vmip.as_deref());
        v.flag(self.is_portable);
        v.opt_flag(self.display);
        v.opt_datetime(self.removed.map(|t| t.naive_utc()));
        v.opt_datetime(self.created.map(|t| t.naive_utc()));
        v.opt_text(self.rule_state.map(|s| s.as_str()));
        v.opt_flag(self.forsystemvms);
        v.opt_flag(self.for_router);
        Ok(())
    }
}
