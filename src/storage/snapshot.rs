//! `cloud`.`snapshots`: SnapshotVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{SnapshotState, SnapshotType};
use crate::schema::cloud::snapshots;
use crate::types::{
    AccountId, DiskOfferingId, DomainId, HypervisorType, OptionOf, SnapshotId, UtcDateTime,
    UuidText, VolumeId, ZoneId,
};

/// A row of `cloud`.`snapshots` as CloudStack's SnapshotVO maps it: a volume snapshot.
///
/// ```no_run
/// use cloudstack_db::storage::Snapshot;
/// use cloudstack_db::schema::cloud::snapshots;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Snapshot> = snapshots::table.select(Snapshot::as_select()).limit(10).load(conn)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = snapshots, check_for_backend(diesel::mysql::Mysql))]
pub struct Snapshot {
    /// Primary Key. `id` bigint(20) unsigned.
    pub id: SnapshotId,
    /// `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// Owner.  foreign key to account table. `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// The domain that the owner belongs to. `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// Volume it belongs to. foreign key to volume table. `volume_id` bigint(20) unsigned.
    pub volume_id: VolumeId,
    /// From original volume. `disk_offering_id` bigint(20) unsigned.
    pub disk_offering_id: DiskOfferingId,
    /// Snapshot creation status. `status` varchar(32), nullable.
    pub status: Option<SnapshotState>,
    /// Path. `path` varchar(255), nullable.
    pub path: Option<String>,
    /// Snapshot name. `name` varchar(255).
    pub name: String,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// Type of snapshot, e.g. manual, recurring. `snapshot_type` int(4).
    pub snapshot_type: SnapshotType,
    /// Description of the type of snapshot, e.g. manual, recurring. `type_description` varchar(25), nullable.
    pub type_description: Option<String>,
    /// Original disk size of snapshot. `size` bigint(20) unsigned.
    pub size: u64,
    /// Date Created. `created` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Date removed.  not null if removed. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// Back up uuid of the snapshot. `backup_snap_id` varchar(255), nullable.
    pub backup_snap_id: Option<String>,
    /// Which swift. `swift_id` bigint(20) unsigned, nullable.
    pub swift_id: Option<u64>,
    /// Secondary storage host id. `sechost_id` bigint(20) unsigned, nullable.
    pub sechost_id: Option<u64>,
    /// Id of the most recent snapshot. `prev_snap_id` bigint(20) unsigned, nullable.
    pub prev_snap_id: Option<u64>,
    /// Hypervisor that the snapshot was taken under. `hypervisor_type` varchar(32).
    pub hypervisor_type: HypervisorType,
    /// Snapshot version. `version` varchar(32), nullable.
    pub version: Option<String>,
    /// Minimum IOPS. `min_iops` bigint(20) unsigned, nullable.
    pub min_iops: Option<u64>,
    /// Maximum IOPS. `max_iops` bigint(20) unsigned, nullable.
    pub max_iops: Option<u64>,
    /// Location of snapshot (ex. Primary). `location_type` varchar(32), nullable.
    pub location_type: Option<String>,
}
