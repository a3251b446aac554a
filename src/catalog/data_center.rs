//! `cloud`.`data_center`: DataCenterVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{AllocationState, ZoneNetworkType, ZoneType};
use crate::schema::cloud::data_center;
use crate::types::{DomainId, IntBool, OptionOf, UtcDateTime, UuidText, ZoneId};

/// A row of `cloud`.`data_center` as CloudStack's `DataCenterVO` maps it.
///
/// ```no_run
/// use cloudstack_db::catalog::DataCenter;
/// use cloudstack_db::schema::cloud::data_center;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<DataCenter> = data_center::table.select(DataCenter::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = data_center, check_for_backend(diesel::mysql::Mysql))]
pub struct DataCenter {
    /// `id` bigint(20) unsigned.
    pub id: ZoneId,
    /// `name` varchar(255), nullable.
    pub name: Option<String>,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `description` varchar(255), nullable.
    pub description: Option<String>,
    /// `dns1` varchar(255).
    pub dns1: String,
    /// `dns2` varchar(255), nullable.
    pub dns2: Option<String>,
    /// `internal_dns1` varchar(255).
    pub internal_dns1: String,
    /// `internal_dns2` varchar(255), nullable.
    pub internal_dns2: Option<String>,
    /// `gateway` varchar(15), nullable.
    pub gateway: Option<String>,
    /// `netmask` varchar(15), nullable.
    pub netmask: Option<String>,
    /// Mac address for the router within the domain. `router_mac_address` varchar(17), default '02:00:00:00:00:01'.
    pub router_mac_address: String,
    /// Next available mac address for the ethernet card interacting with public internet. `mac_address` bigint(20) unsigned, default 1.
    pub mac_address: u64,
    /// `guest_network_cidr` varchar(18), nullable.
    pub guest_network_cidr: Option<String>,
    /// Network domain name of the Vms of the zone. `domain` varchar(100), nullable.
    pub domain: Option<String>,
    /// Domain id for the parent domain to this zone (null signifies public zone). `domain_id` bigint(20) unsigned, nullable.
    pub domain_id: Option<DomainId>,
    /// Network type of the zone. `networktype` varchar(255), default 'Basic'.
    pub networktype: ZoneNetworkType,
    /// `dns_provider` char(64), nullable, default 'VirtualRouter'.
    pub dns_provider: Option<String>,
    /// `gateway_provider` char(64), nullable, default 'VirtualRouter'.
    pub gateway_provider: Option<String>,
    /// `firewall_provider` char(64), nullable, default 'VirtualRouter'.
    pub firewall_provider: Option<String>,
    /// `dhcp_provider` char(64), nullable, default 'VirtualRouter'.
    pub dhcp_provider: Option<String>,
    /// `lb_provider` char(64), nullable, default 'VirtualRouter'.
    pub lb_provider: Option<String>,
    /// `vpn_provider` char(64), nullable, default 'VirtualRouter'.
    pub vpn_provider: Option<String>,
    /// `userdata_provider` char(64), nullable, default 'VirtualRouter'.
    pub userdata_provider: Option<String>,
    /// Is this data center enabled for allocation for new resources. `allocation_state` varchar(32), default 'Enabled'.
    pub allocation_state: AllocationState,
    /// `zone_token` varchar(255), nullable.
    pub zone_token: Option<String>,
    /// 1: enabled, 0: not. `is_security_group_enabled` tinyint(4), default 0.
    #[diesel(deserialize_as = IntBool)]
    pub is_security_group_enabled: bool,
    /// Is local storage offering enabled for this data center; 1: enabled, 0: not. `is_local_storage_enabled` tinyint(4), default 0.
    #[diesel(deserialize_as = IntBool)]
    pub is_local_storage_enabled: bool,
    /// Date removed if not null. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// `owner` varchar(255), nullable.
    pub owner: Option<String>,
    /// Date created. `created` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Last updated. `lastUpdated` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    #[diesel(column_name = lastUpdated)]
    pub last_updated: Option<DateTime<Utc>>,
    /// The engine state of the zone. `engine_state` varchar(32), default 'Disabled'.
    pub engine_state: String,
    /// `ip6_dns1` varchar(255), nullable.
    pub ip6_dns1: Option<String>,
    /// `ip6_dns2` varchar(255), nullable.
    pub ip6_dns2: Option<String>,
    /// `sort_key` int(32), default 0.
    pub sort_key: i32,
    /// The type of the zone. `type` varchar(32), nullable, default 'Core'.
    #[diesel(column_name = type_)]
    pub zone_type: Option<ZoneType>,
    /// Storage access groups for the hosts in the zone. `storage_access_groups` varchar(255), nullable.
    pub storage_access_groups: Option<String>,
}

/// A new row of `cloud`.`data_center`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Default, Insertable)]
#[diesel(table_name = data_center, check_for_backend(diesel::mysql::Mysql))]
pub struct NewDataCenter {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<ZoneId>,
    /// `name` varchar(255), nullable.
    pub name: Option<String>,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `description` varchar(255), nullable.
    pub description: Option<String>,
    /// `dns1` varchar(255).
    pub dns1: String,
    /// `dns2` varchar(255), nullable.
    pub dns2: Option<String>,
    /// `internal_dns1` varchar(255).
    pub internal_dns1: String,
    /// `internal_dns2` varchar(255), nullable.
    pub internal_dns2: Option<String>,
    /// `gateway` varchar(15), nullable.
    pub gateway: Option<String>,
    /// `netmask` varchar(15), nullable.
    pub netmask: Option<String>,
    /// Mac address for the router within the domain. `router_mac_address` varchar(17), default '02:00:00:00:00:01'. `None` stores the column default.
    pub router_mac_address: Option<String>,
    /// Next available mac address for the ethernet card interacting with public internet. `mac_address` bigint(20) unsigned, default 1. `None` stores the column default.
    pub mac_address: Option<u64>,
    /// `guest_network_cidr` varchar(18), nullable.
    pub guest_network_cidr: Option<String>,
    /// Network domain name of the Vms of the zone. `domain` varchar(100), nullable.
    pub domain: Option<String>,
    /// Domain id for the parent domain to this zone (null signifies public zone). `domain_id` bigint(20) unsigned, nullable.
    pub domain_id: Option<DomainId>,
    /// Network type of the zone. `networktype` varchar(255), default 'Basic'. `None` stores the column default.
    pub networktype: Option<ZoneNetworkType>,
    /// `dns_provider` char(64), nullable, default 'VirtualRouter'.
    pub dns_provider: Option<String>,
    /// `gateway_provider` char(64), nullable, default 'VirtualRouter'.
    pub gateway_provider: Option<String>,
    /// `firewall_provider` char(64), nullable, default 'VirtualRouter'.
    pub firewall_provider: Option<String>,
    /// `dhcp_provider` char(64), nullable, default 'VirtualRouter'.
    pub dhcp_provider: Option<String>,
    /// `lb_provider` char(64), nullable, default 'VirtualRouter'.
    pub lb_provider: Option<String>,
    /// `vpn_provider` char(64), nullable, default 'VirtualRouter'.
    pub vpn_provider: Option<String>,
    /// `userdata_provider` char(64), nullable, default 'VirtualRouter'.
    pub userdata_provider: Option<String>,
    /// Is this data center enabled for allocation for new resources. `allocation_state` varchar(32), default 'Enabled'. `None` stores the column default.
    pub allocation_state: Option<AllocationState>,
    /// `zone_token` varchar(255), nullable.
    pub zone_token: Option<String>,
    /// 1: enabled, 0: not. `is_security_group_enabled` tinyint(4), default 0.
    #[diesel(serialize_as = IntBool)]
    pub is_security_group_enabled: bool,
    /// Is local storage offering enabled for this data center; 1: enabled, 0: not. `is_local_storage_enabled` tinyint(4), default 0.
    #[diesel(serialize_as = IntBool)]
    pub is_local_storage_enabled: bool,
    /// Date removed if not null. `removed` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// `owner` varchar(255), nullable.
    pub owner: Option<String>,
    /// Date created. `created` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Last updated. `lastUpdated` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    #[diesel(column_name = lastUpdated)]
    pub last_updated: Option<DateTime<Utc>>,
    /// The engine state of the zone. `engine_state` varchar(32), default 'Disabled'. `None` stores the column default.
    pub engine_state: Option<String>,
    /// `ip6_dns1` varchar(255), nullable.
    pub ip6_dns1: Option<String>,
    /// `ip6_dns2` varchar(255), nullable.
    pub ip6_dns2: Option<String>,
    /// `sort_key` int(32), default 0. `None` stores the column default.
    pub sort_key: Option<i32>,
    /// The type of the zone. `type` varchar(32), nullable, default 'Core'.
    #[diesel(column_name = type_)]
    pub zone_type: Option<ZoneType>,
    /// Storage access groups for the hosts in the zone. `storage_access_groups` varchar(255), nullable.
    pub storage_access_groups: Option<String>,
}
