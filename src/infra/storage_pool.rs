//! `cloud`.`storage_pool`: StoragePoolVO: a primary storage pool.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{PoolScope, StoragePoolStatus};
use crate::Secret;
use crate::schema::cloud::storage_pool;
use crate::storage::StoragePoolType;
use crate::types::{
    ClusterId, HypervisorType, IntBool, OptionOf, PodId, StoragePoolId, UtcDateTime, UuidText,
    ZoneId,
};

/// A row of `cloud`.`storage_pool` as CloudStack's StoragePoolVO maps it.
///
/// ```no_run
/// use cloudstack_db::infra::StoragePool;
/// use cloudstack_db::schema::cloud::storage_pool;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<StoragePool> = storage_pool::table.select(StoragePool::as_select()).limit(10).load(conn)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = storage_pool, check_for_backend(diesel::mysql::Mysql))]
pub struct StoragePool {
    /// `id` bigint(20) unsigned.
    pub id: StoragePoolId,
    /// Should be NOT NULL. `name` varchar(255), nullable.
    pub name: Option<String>,
    /// `uuid` varchar(255), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `pool_type` varchar(32).
    pub pool_type: StoragePoolType,
    /// `port` int(10) unsigned.
    pub port: u32,
    /// `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// `pod_id` bigint(20) unsigned, nullable.
    pub pod_id: Option<PodId>,
    /// Foreign key to cluster. `cluster_id` bigint(20) unsigned, nullable.
    pub cluster_id: Option<ClusterId>,
    /// `used_bytes` bigint(20) unsigned, nullable.
    pub used_bytes: Option<u64>,
    /// `capacity_bytes` bigint(20) unsigned, nullable.
    pub capacity_bytes: Option<u64>,
    /// FQDN or IP of storage server. `host_address` varchar(255).
    pub host_address: String,
    /// Authorization information for the storage pool. Used by network filesystems. `user_info` varchar(255), nullable.
    #[serde(skip)]
    pub user_info: Option<Secret>,
    /// Filesystem path that is shared. `path` varchar(255).
    pub path: String,
    /// Date the pool created. `created` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Date removed if not null. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// `update_time` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub update_time: Option<DateTime<Utc>>,
    /// `status` varchar(32), nullable.
    pub status: Option<StoragePoolStatus>,
    /// `storage_provider_name` varchar(255), nullable.
    pub storage_provider_name: Option<String>,
    /// `scope` varchar(255), nullable.
    pub scope: Option<PoolScope>,
    /// `hypervisor` varchar(32), nullable.
    pub hypervisor: Option<HypervisorType>,
    /// Should CloudStack manage this storage. `managed` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub managed: bool,
    /// IOPS CloudStack can provision from this storage pool. `capacity_iops` bigint(20) unsigned, nullable.
    pub capacity_iops: Option<u64>,
    /// ID of the Datastore cluster (storage pool) if this is a child in that Datastore cluster. `parent` bigint(20) unsigned, default 0.
    pub parent: u64,
    /// IOPS currently in use for this storage pool. `used_iops` bigint(20) unsigned, nullable.
    pub used_iops: Option<u64>,
}
