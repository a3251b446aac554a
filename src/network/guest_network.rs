//! `cloud`.`networks`: NetworkVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{AclType, BroadcastDomainType, GuestType, NetworkMode, NetworkState, TrafficType};
use crate::schema::cloud::networks;
use crate::types::{
    AccountId, DomainId, IntBool, NetworkId, OptionOf, UtcDateTime, UuidText, ZoneId,
};

/// A row of `cloud`.`networks` as CloudStack's `NetworkVO` maps it.
///
/// ```no_run
/// use cloudstack_db::network::Network;
/// use cloudstack_db::schema::cloud::networks;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Network> = networks::table.select(Network::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = networks, check_for_backend(diesel::mysql::Mysql))]
pub struct Network {
    /// Id. `id` bigint(20) unsigned.
    pub id: NetworkId,
    /// Name for this network. `name` varchar(255), nullable.
    pub name: Option<String>,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// Display text for this network. `display_text` varchar(255), nullable.
    pub display_text: Option<String>,
    /// Type of traffic going through this network. `traffic_type` varchar(32).
    pub traffic_type: TrafficType,
    /// Type of broadcast domain used. `broadcast_domain_type` varchar(32).
    pub broadcast_domain_type: BroadcastDomainType,
    /// Broadcast domain specifier. `broadcast_uri` varchar(255), nullable.
    pub broadcast_uri: Option<String>,
    /// Gateway(s) for this network configuration. `gateway` varchar(255), nullable.
    pub gateway: Option<String>,
    /// CloudStack managed vms get IP address from cidr.In general this cidr also serves as the network CIDR. But in case IP reservation feature is being used by a Guest network, networkcidr is the Effective network CIDR for that network. `cidr` varchar(255), nullable.
    pub cidr: Option<String>,
    /// How to retrieve ip address in this network. `mode` varchar(32), nullable.
    pub mode: Option<NetworkMode>,
    /// Network offering id that this configuration is created from. `network_offering_id` bigint(20) unsigned.
    pub network_offering_id: u64,
    /// Physical network id that this configuration is based on. `physical_network_id` bigint(20) unsigned, nullable.
    pub physical_network_id: Option<u64>,
    /// Data center id that this configuration is used in. `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// Who is responsible for this type of network configuration. `guru_name` varchar(255).
    pub guru_name: String,
    /// What state is this configuration in. `state` varchar(32).
    pub state: NetworkState,
    /// Related to what other network configuration. `related` bigint(20) unsigned.
    pub related: NetworkId,
    /// Foreign key to domain id. `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// Owner of this network. `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// Comma separated DNS list. `dns1` varchar(255), nullable.
    pub dns1: Option<String>,
    /// Comma separated DNS list. `dns2` varchar(255), nullable.
    pub dns2: Option<String>,
    /// First IPv6 DNS for the network. `ip6dns1` varchar(255), nullable.
    pub ip6dns1: Option<String>,
    /// Second IPv6 DNS for the network. `ip6dns2` varchar(255), nullable.
    pub ip6dns2: Option<String>,
    /// Data stored by the network guru that setup this network. `guru_data` varchar(1024), nullable.
    pub guru_data: Option<String>,
    /// Which fields are set already. `set_fields` bigint(20) unsigned, default 0.
    pub set_fields: u64,
    /// ACL access type. Null for system networks, can be Account/Domain for Guest networks. `acl_type` varchar(15), nullable.
    pub acl_type: Option<AclType>,
    /// Domain. `network_domain` varchar(255), nullable.
    pub network_domain: Option<String>,
    /// Reservation id. `reservation_id` char(40), nullable.
    pub reservation_id: Option<String>,
    /// Type of guest network that can be shared or isolated. `guest_type` char(32), nullable.
    pub guest_type: Option<GuestType>,
    /// 1 if restart is required for the network. `restart_required` int(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub restart_required: bool,
    /// Date created. `created` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// Date removed if not null. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// True if the network provides an ability to define ip ranges. `specify_ip_ranges` int(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub specify_ip_ranges: bool,
    /// Vpc this network belongs to. `vpc_id` bigint(20) unsigned, nullable.
    pub vpc_id: Option<u64>,
    /// IPv6 gateway(s) for this network. `ip6_gateway` varchar(1024), nullable.
    pub ip6_gateway: Option<String>,
    /// IPv6 cidr(s) for this network. `ip6_cidr` varchar(1024), nullable.
    pub ip6_cidr: Option<String>,
    /// The network cidr for the isolated guest network which uses IP Reservation facility.For networks not using IP reservation, network_cidr is always null. `network_cidr` varchar(18), nullable.
    pub network_cidr: Option<String>,
    /// Should network be displayed to the end user. `display_network` tinyint(1), default 1.
    pub display_network: bool,
    /// Network acl id. `network_acl_id` bigint(20) unsigned, nullable.
    pub network_acl_id: Option<u64>,
    /// `streched_l2` tinyint(1), nullable, default 0.
    pub streched_l2: Option<bool>,
    /// `redundant` tinyint(1), nullable, default 0.
    pub redundant: Option<bool>,
    /// `external_id` varchar(255), nullable.
    pub external_id: Option<String>,
    /// MTU for VR public interface. `public_mtu` bigint(20) unsigned, nullable.
    pub public_mtu: Option<u64>,
    /// MTU for VR private interfaces. `private_mtu` bigint(20) unsigned, nullable.
    pub private_mtu: Option<u64>,
}

/// A new row of `cloud`.`networks`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = networks, check_for_backend(diesel::mysql::Mysql))]
pub struct NewNetwork {
    /// Id. `id` bigint(20) unsigned.
    pub id: NetworkId,
    /// Name for this network. `name` varchar(255), nullable.
    pub name: Option<String>,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// Display text for this network. `display_text` varchar(255), nullable.
    pub display_text: Option<String>,
    /// Type of traffic going through this network. `traffic_type` varchar(32).
    pub traffic_type: TrafficType,
    /// Type of broadcast domain used. `broadcast_domain_type` varchar(32).
    pub broadcast_domain_type: BroadcastDomainType,
    /// Broadcast domain specifier. `broadcast_uri` varchar(255), nullable.
    pub broadcast_uri: Option<String>,
    /// Gateway(s) for this network configuration. `gateway` varchar(255), nullable.
    pub gateway: Option<String>,
    /// CloudStack managed vms get IP address from cidr.In general this cidr also serves as the network CIDR. But in case IP reservation feature is being used by a Guest network, networkcidr is the Effective network CIDR for that network. `cidr` varchar(255), nullable.
    pub cidr: Option<String>,
    /// How to retrieve ip address in this network. `mode` varchar(32), nullable.
    pub mode: Option<NetworkMode>,
    /// Network offering id that this configuration is created from. `network_offering_id` bigint(20) unsigned.
    pub network_offering_id: u64,
    /// Physical network id that this configuration is based on. `physical_network_id` bigint(20) unsigned, nullable.
    pub physical_network_id: Option<u64>,
    /// Data center id that this configuration is used in. `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// Who is responsible for this type of network configuration. `guru_name` varchar(255).
    pub guru_name: String,
    /// What state is this configuration in. `state` varchar(32).
    pub state: NetworkState,
    /// Related to what other network configuration. `related` bigint(20) unsigned.
    pub related: NetworkId,
    /// Foreign key to domain id. `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// Owner of this network. `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// Comma separated DNS list. `dns1` varchar(255), nullable.
    pub dns1: Option<String>,
    /// Comma separated DNS list. `dns2` varchar(255), nullable.
    pub dns2: Option<String>,
    /// First IPv6 DNS for the network. `ip6dns1` varchar(255), nullable.
    pub ip6dns1: Option<String>,
    /// Second IPv6 DNS for the network. `ip6dns2` varchar(255), nullable.
    pub ip6dns2: Option<String>,
    /// Data stored by the network guru that setup this network. `guru_data` varchar(1024), nullable.
    pub guru_data: Option<String>,
    /// Which fields are set already. `set_fields` bigint(20) unsigned, default 0. `None` stores the column default.
    pub set_fields: Option<u64>,
    /// ACL access type. Null for system networks, can be Account/Domain for Guest networks. `acl_type` varchar(15), nullable.
    pub acl_type: Option<AclType>,
    /// Domain. `network_domain` varchar(255), nullable.
    pub network_domain: Option<String>,
    /// Reservation id. `reservation_id` char(40), nullable.
    pub reservation_id: Option<String>,
    /// Type of guest network that can be shared or isolated. `guest_type` char(32), nullable.
    pub guest_type: Option<GuestType>,
    /// 1 if restart is required for the network. `restart_required` int(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub restart_required: bool,
    /// Date created. `created` datetime.
    #[diesel(serialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// Date removed if not null. `removed` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// True if the network provides an ability to define ip ranges. `specify_ip_ranges` int(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub specify_ip_ranges: bool,
    /// Vpc this network belongs to. `vpc_id` bigint(20) unsigned, nullable.
    pub vpc_id: Option<u64>,
    /// IPv6 gateway(s) for this network. `ip6_gateway` varchar(1024), nullable.
    pub ip6_gateway: Option<String>,
    /// IPv6 cidr(s) for this network. `ip6_cidr` varchar(1024), nullable.
    pub ip6_cidr: Option<String>,
    /// The network cidr for the isolated guest network which uses IP Reservation facility.For networks not using IP reservation, network_cidr is always null. `network_cidr` varchar(18), nullable.
    pub network_cidr: Option<String>,
    /// Should network be displayed to the end user. `display_network` tinyint(1), default 1. `None` stores the column default.
    pub display_network: Option<bool>,
    /// Network acl id. `network_acl_id` bigint(20) unsigned, nullable.
    pub network_acl_id: Option<u64>,
    /// `streched_l2` tinyint(1), nullable, default 0.
    pub streched_l2: Option<bool>,
    /// `redundant` tinyint(1), nullable, default 0.
    pub redundant: Option<bool>,
    /// `external_id` varchar(255), nullable.
    pub external_id: Option<String>,
    /// MTU for VR public interface. `public_mtu` bigint(20) unsigned, nullable.
    pub public_mtu: Option<u64>,
    /// MTU for VR private interfaces. `private_mtu` bigint(20) unsigned, nullable.
    pub private_mtu: Option<u64>,
}
