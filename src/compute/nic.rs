//! `cloud`.`nics`: NicVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{NicReservationStrategy, NicState, VmType};
use crate::network::NetworkMode;
use crate::schema::cloud::nics;
use crate::types::{IntBool, NetworkId, NicId, OptionOf, UtcDateTime, UuidText, VmId};

/// A row of `cloud`.`nics` as CloudStack's `NicVO` maps it: one network interface of a VM.
///
/// ```no_run
/// use cloudstack_db::compute::Nic;
/// use cloudstack_db::schema::cloud::nics;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Nic> = nics::table.select(Nic::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = nics, check_for_backend(diesel::mysql::Mysql))]
pub struct Nic {
    /// `id` bigint(20) unsigned.
    pub id: NicId,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// The VM it belongs to. `instance_id` bigint(20) unsigned, nullable.
    pub instance_id: Option<VmId>,
    /// `mac_address` varchar(17), nullable.
    pub mac_address: Option<String>,
    /// `ip4_address` char(40), nullable.
    pub ip4_address: Option<String>,
    /// `netmask` varchar(15), nullable.
    pub netmask: Option<String>,
    /// `gateway` varchar(15), nullable.
    pub gateway: Option<String>,
    /// `ip_type` varchar(32), nullable.
    pub ip_type: Option<String>,
    /// `broadcast_uri` varchar(255), nullable.
    pub broadcast_uri: Option<String>,
    /// The network it is in. `network_id` bigint(20) unsigned.
    pub network_id: NetworkId,
    /// `mode` varchar(32), nullable.
    pub mode: Option<NetworkMode>,
    /// `state` varchar(32).
    pub state: NicState,
    /// `strategy` varchar(32).
    pub strategy: NicReservationStrategy,
    /// `reserver_name` varchar(255), nullable.
    pub reserver_name: Option<String>,
    /// `reservation_id` varchar(64), nullable.
    pub reservation_id: Option<String>,
    /// `device_id` int(10), nullable.
    pub device_id: Option<i32>,
    /// `update_time` timestamp, nullable, default current_timestamp().
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub update_time: Option<DateTime<Utc>>,
    /// `isolation_uri` varchar(255), nullable.
    pub isolation_uri: Option<String>,
    /// `ip6_address` char(40), nullable.
    pub ip6_address: Option<String>,
    /// The VM's default NIC. `default_nic` tinyint(4).
    #[diesel(deserialize_as = IntBool)]
    pub default_nic: bool,
    /// `vm_type` varchar(32), nullable.
    pub vm_type: Option<VmType>,
    /// `created` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// `ip6_gateway` varchar(50), nullable.
    pub ip6_gateway: Option<String>,
    /// `ip6_cidr` varchar(50), nullable.
    pub ip6_cidr: Option<String>,
    /// Whether the NIC has secondary addresses. `secondary_ip` smallint(6), nullable, default 0.
    pub secondary_ip: Option<i16>,
    /// Shown to the end user. `display_nic` tinyint(1), default 1.
    pub display_nic: bool,
    /// `mtu` bigint(20) unsigned, nullable.
    pub mtu: Option<u64>,
}

/// A new row of `cloud`.`nics`, every column; [`crate::compute::nics::create`] fills it from a
/// [`crate::compute::nics::NicSpec`].
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = nics, check_for_backend(diesel::mysql::Mysql))]
pub struct NewNic {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<NicId>,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `instance_id` bigint(20) unsigned, nullable.
    pub instance_id: Option<VmId>,
    /// `mac_address` varchar(17), nullable.
    pub mac_address: Option<String>,
    /// `ip4_address` char(40), nullable.
    pub ip4_address: Option<String>,
    /// `netmask` varchar(15), nullable.
    pub netmask: Option<String>,
    /// `gateway` varchar(15), nullable.
    pub gateway: Option<String>,
    /// `ip_type` varchar(32), nullable.
    pub ip_type: Option<String>,
    /// `broadcast_uri` varchar(255), nullable.
    pub broadcast_uri: Option<String>,
    /// `network_id` bigint(20) unsigned.
    pub network_id: NetworkId,
    /// `mode` varchar(32), nullable.
    pub mode: Option<NetworkMode>,
    /// `state` varchar(32).
    pub state: NicState,
    /// `strategy` varchar(32).
    pub strategy: NicReservationStrategy,
    /// `reserver_name` varchar(255), nullable.
    pub reserver_name: Option<String>,
    /// `reservation_id` varchar(64), nullable.
    pub reservation_id: Option<String>,
    /// `device_id` int(10), nullable.
    pub device_id: Option<i32>,
    /// `update_time` timestamp, nullable; `None` stores NULL.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub update_time: Option<DateTime<Utc>>,
    /// `isolation_uri` varchar(255), nullable.
    pub isolation_uri: Option<String>,
    /// `ip6_address` char(40), nullable.
    pub ip6_address: Option<String>,
    /// `default_nic` tinyint(4).
    #[diesel(serialize_as = IntBool)]
    pub default_nic: bool,
    /// `vm_type` varchar(32), nullable.
    pub vm_type: Option<VmType>,
    /// `created` datetime.
    #[diesel(serialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// `removed` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// `ip6_gateway` varchar(50), nullable.
    pub ip6_gateway: Option<String>,
    /// `ip6_cidr` varchar(50), nullable.
    pub ip6_cidr: Option<String>,
    /// `secondary_ip` smallint(6), nullable, default 0.
    pub secondary_ip: Option<i16>,
    /// `display_nic` tinyint(1), default 1.
    pub display_nic: bool,
    /// `mtu` bigint(20) unsigned, nullable.
    pub mtu: Option<u64>,
}
