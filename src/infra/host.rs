//! `cloud`.`host`: HostVO: a hypervisor host (or another agent-managed resource).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{HostStatus, HostType, ResourceState};
use crate::schema::cloud::host;
use crate::types::{
    ClusterId, HostId, HypervisorType, IntBool, OptionOf, PodId, UtcDateTime, UuidText, ZoneId,
};

/// A row of `cloud`.`host` as CloudStack's HostVO maps it.
///
/// ```no_run
/// use cloudstack_db::infra::Host;
/// use cloudstack_db::schema::cloud::host;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Host> = host::table.select(Host::as_select()).limit(10).load(conn)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = host, check_for_backend(diesel::mysql::Mysql))]
pub struct Host {
    /// `id` bigint(20) unsigned.
    pub id: HostId,
    /// `name` varchar(255).
    pub name: String,
    /// This uuid is different with guid below, the later one is used by hypervisor resource. `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `status` varchar(32).
    pub status: HostStatus,
    /// `type` varchar(32).
    #[diesel(column_name = type_)]
    pub host_type: HostType,
    /// `private_ip_address` char(40).
    pub private_ip_address: String,
    /// `private_netmask` varchar(15), nullable.
    pub private_netmask: Option<String>,
    /// `private_mac_address` varchar(17), nullable.
    pub private_mac_address: Option<String>,
    /// `storage_ip_address` char(40), nullable.
    pub storage_ip_address: Option<String>,
    /// `storage_netmask` varchar(15), nullable.
    pub storage_netmask: Option<String>,
    /// `storage_mac_address` varchar(17), nullable.
    pub storage_mac_address: Option<String>,
    /// `storage_ip_address_2` char(40), nullable.
    pub storage_ip_address_2: Option<String>,
    /// `storage_mac_address_2` varchar(17), nullable.
    pub storage_mac_address_2: Option<String>,
    /// `storage_netmask_2` varchar(15), nullable.
    pub storage_netmask_2: Option<String>,
    /// Foreign key to cluster. `cluster_id` bigint(20) unsigned, nullable.
    pub cluster_id: Option<ClusterId>,
    /// `public_ip_address` char(40), nullable.
    pub public_ip_address: Option<String>,
    /// `public_netmask` varchar(15), nullable.
    pub public_netmask: Option<String>,
    /// `public_mac_address` varchar(17), nullable.
    pub public_mac_address: Option<String>,
    /// `proxy_port` int(10) unsigned, nullable.
    pub proxy_port: Option<u32>,
    /// `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// `pod_id` bigint(20) unsigned, nullable.
    pub pod_id: Option<PodId>,
    /// The number of CPU sockets on the host. `cpu_sockets` int(10) unsigned, nullable.
    pub cpu_sockets: Option<u32>,
    /// `cpus` int(10) unsigned, nullable.
    pub cpus: Option<u32>,
    /// `speed` int(10) unsigned, nullable.
    pub speed: Option<u32>,
    /// Iqn for the servers. `url` varchar(255), nullable.
    pub url: Option<String>,
    /// `fs_type` varchar(32), nullable.
    pub fs_type: Option<String>,
    /// Hypervisor type, can be NONE for storage. `hypervisor_type` varchar(32), nullable.
    pub hypervisor_type: Option<HypervisorType>,
    /// Hypervisor version. `hypervisor_version` varchar(32), nullable.
    pub hypervisor_version: Option<String>,
    /// `ram` bigint(20) unsigned, nullable.
    pub ram: Option<u64>,
    /// If it is a local resource, this is the class name. `resource` varchar(255), nullable.
    pub resource: Option<String>,
    /// `version` varchar(40).
    pub version: String,
    /// Parent path for the storage server. `parent` varchar(255), nullable.
    pub parent: Option<String>,
    /// TotalSize. `total_size` bigint(20) unsigned, nullable.
    pub total_size: Option<u64>,
    /// Host capabilities in comma separated list. `capabilities` varchar(255), nullable.
    pub capabilities: Option<String>,
    /// `guid` varchar(255), nullable.
    pub guid: Option<String>,
    /// Is this host ready for more resources?. `available` int(1) unsigned, default 1.
    #[diesel(deserialize_as = IntBool)]
    pub available: bool,
    /// Is this host already setup?. `setup` int(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub setup: bool,
    /// Memory used by dom0 for computing and routing servers. `dom0_memory` bigint(20) unsigned.
    pub dom0_memory: u64,
    /// Time in seconds from the start of machine of the last ping. `last_ping` int(10) unsigned.
    pub last_ping: u32,
    /// ManagementServer this host is connected to. `mgmt_server_id` bigint(20) unsigned, nullable.
    pub mgmt_server_id: Option<u64>,
    /// Last management server this host is connected to. `last_mgmt_server_id` bigint(20) unsigned, nullable.
    pub last_mgmt_server_id: Option<u64>,
    /// Time this was disconnected. `disconnected` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub disconnected: Option<DateTime<Utc>>,
    /// Date the host first signed on. `created` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Date removed if not null. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// Atomic increase count making status update operation atomical. `update_count` bigint(20) unsigned, default 0.
    pub update_count: u64,
    /// Is this host enabled for allocation for new resources. `resource_state` varchar(32), default 'Enabled'.
    pub resource_state: ResourceState,
    /// `owner` varchar(255), nullable.
    pub owner: Option<String>,
    /// Last updated. `lastUpdated` datetime, nullable.
    #[diesel(column_name = lastUpdated)]
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub last_updated: Option<DateTime<Utc>>,
    /// The engine state of the zone. `engine_state` varchar(32), default 'Disabled'.
    pub engine_state: String,
    /// The CPU architecture of the host. `arch` varchar(8), nullable, default 'x86_64'.
    pub arch: Option<String>,
    /// Storage access groups for the host. `storage_access_groups` varchar(255), nullable.
    pub storage_access_groups: Option<String>,
}
