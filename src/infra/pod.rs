//! `cloud`.`host_pod_ref`: HostPodVO: a pod of a zone.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::AllocationState;
use crate::schema::cloud::host_pod_ref;
use crate::types::{IntBool, OptionOf, PodId, UtcDateTime, UuidText, ZoneId};

/// A row of `cloud`.`host_pod_ref` as CloudStack's HostPodVO maps it.
///
/// ```no_run
/// use cloudstack_db::infra::Pod;
/// use cloudstack_db::schema::cloud::host_pod_ref;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Pod> = host_pod_ref::table.select(Pod::as_select()).limit(10).load(conn)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = host_pod_ref, check_for_backend(diesel::mysql::Mysql))]
pub struct Pod {
    /// `id` bigint(20) unsigned.
    pub id: PodId,
    /// `name` varchar(255), nullable.
    pub name: Option<String>,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// Gateway for the pod. `gateway` varchar(255).
    pub gateway: String,
    /// CIDR address for the pod. `cidr_address` varchar(15).
    pub cidr_address: String,
    /// CIDR size for the pod. `cidr_size` bigint(20) unsigned.
    pub cidr_size: u64,
    /// Store private ip range in startIP-endIP format. `description` varchar(255), nullable.
    pub description: Option<String>,
    /// Is this Pod enabled for allocation for new resources. `allocation_state` varchar(32), default 'Enabled'.
    pub allocation_state: AllocationState,
    /// Is this Pod using external DHCP. `external_dhcp` tinyint(4), default 0.
    #[diesel(deserialize_as = IntBool)]
    pub external_dhcp: bool,
    /// Date removed if not null. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// `owner` varchar(255), nullable.
    pub owner: Option<String>,
    /// Date created. `created` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Last updated. `lastUpdated` datetime, nullable.
    #[diesel(column_name = lastUpdated)]
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub last_updated: Option<DateTime<Utc>>,
    /// The engine state of the zone. `engine_state` varchar(32), default 'Disabled'.
    pub engine_state: String,
    /// Storage access groups for the hosts in the pod. `storage_access_groups` varchar(255), nullable.
    pub storage_access_groups: Option<String>,
}
