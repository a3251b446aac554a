//! `cloud`.`vlan`: VlanVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::VlanType;
use crate::schema::cloud::vlan;
use crate::types::{NetworkId, OptionOf, UtcDateTime, UuidText, VlanId, ZoneId};

/// A row of `cloud`.`vlan` as CloudStack's `VlanVO` maps it.
///
/// ```no_run
/// use cloudstack_db::network::Vlan;
/// use cloudstack_db::schema::cloud::vlan;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Vlan> = vlan::table.select(Vlan::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = vlan, check_for_backend(diesel::mysql::Mysql))]
pub struct Vlan {
    /// `id` bigint(20) unsigned.
    pub id: VlanId,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `vlan_id` varchar(255), nullable.
    pub vlan_id: Option<String>,
    /// `vlan_gateway` varchar(255), nullable.
    pub vlan_gateway: Option<String>,
    /// `vlan_netmask` varchar(255), nullable.
    pub vlan_netmask: Option<String>,
    /// `ip4_range` varchar(255), nullable.
    pub ip4_range: Option<String>,
    /// `vlan_type` varchar(255), nullable.
    pub vlan_type: Option<VlanType>,
    /// `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// Id of corresponding network offering. `network_id` bigint(20) unsigned.
    pub network_id: NetworkId,
    /// Physical network id that this configuration is based on. `physical_network_id` bigint(20) unsigned.
    pub physical_network_id: u64,
    /// `ip6_gateway` varchar(255), nullable.
    pub ip6_gateway: Option<String>,
    /// `ip6_cidr` varchar(255), nullable.
    pub ip6_cidr: Option<String>,
    /// `ip6_range` varchar(255), nullable.
    pub ip6_range: Option<String>,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// Date created. `created` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
}

/// A new row of `cloud`.`vlan`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = vlan, check_for_backend(diesel::mysql::Mysql))]
pub struct NewVlan {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<VlanId>,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `vlan_id` varchar(255), nullable.
    pub vlan_id: Option<String>,
    /// `vlan_gateway` varchar(255), nullable.
    pub vlan_gateway: Option<String>,
    /// `vlan_netmask` varchar(255), nullable.
    pub vlan_netmask: Option<String>,
    /// `ip4_range` varchar(255), nullable.
    pub ip4_range: Option<String>,
    /// `vlan_type` varchar(255), nullable.
    pub vlan_type: Option<VlanType>,
    /// `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// Id of corresponding network offering. `network_id` bigint(20) unsigned.
    pub network_id: NetworkId,
    /// Physical network id that this configuration is based on. `physical_network_id` bigint(20) unsigned.
    pub physical_network_id: u64,
    /// `ip6_gateway` varchar(255), nullable.
    pub ip6_gateway: Option<String>,
    /// `ip6_cidr` varchar(255), nullable.
    pub ip6_cidr: Option<String>,
    /// `ip6_range` varchar(255), nullable.
    pub ip6_range: Option<String>,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// Date created. `created` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
}
