//! `cloud`.`volumes`: VolumeVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{StoragePoolType, VolumeState, VolumeType};
use crate::schema::cloud::volumes;
use crate::types::{
    AccountId, DiskOfferingId, DomainId, IntBool, OptionOf, TemplateId, UtcDateTime, UuidText,
    VmId, VolumeId, ZoneId,
};
use crate::types::{ImageFormat, ProvisioningType};

/// A row of `cloud`.`volumes` as CloudStack's `VolumeVO` maps it.
///
/// ```no_run
/// use cloudstack_db::storage::Volume;
/// use cloudstack_db::schema::cloud::volumes;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Volume> = volumes::table.select(Volume::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = volumes, check_for_backend(diesel::mysql::Mysql))]
pub struct Volume {
    /// Primary Key. `id` bigint(20) unsigned.
    pub id: VolumeId,
    /// Owner.  foreign key to account table. `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// The domain that the owner belongs to. `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// Pool it belongs to. foreign key to storage_pool table. `pool_id` bigint(20) unsigned, nullable.
    pub pool_id: Option<u64>,
    /// Last pool it belongs to. `last_pool_id` bigint(20) unsigned, nullable.
    pub last_pool_id: Option<u64>,
    /// Vm instance it belongs to. foreign key to vm_instance table. `instance_id` bigint(20) unsigned, nullable.
    pub instance_id: Option<VmId>,
    /// Which device inside vm instance it is . `device_id` bigint(20) unsigned, nullable.
    pub device_id: Option<u64>,
    /// A user specified name for the volume. `name` varchar(255), nullable.
    pub name: Option<String>,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// Total size. `size` bigint(20) unsigned.
    pub size: u64,
    /// The folder where the volume is saved. `folder` varchar(255), nullable.
    pub folder: Option<String>,
    /// Path. `path` varchar(255), nullable.
    pub path: Option<String>,
    /// Pod this volume belongs to. `pod_id` bigint(20) unsigned, nullable.
    pub pod_id: Option<u64>,
    /// Data center this volume belongs to. `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// Iscsi target name. `iscsi_name` varchar(255), nullable.
    pub iscsi_name: Option<String>,
    /// Host ip address for convenience. `host_ip` char(40), nullable.
    pub host_ip: Option<String>,
    /// Root, swap or data. `volume_type` varchar(64).
    pub volume_type: VolumeType,
    /// Type of the pool. `pool_type` varchar(64), nullable.
    pub pool_type: Option<StoragePoolType>,
    /// Can be null for system VMs. `disk_offering_id` bigint(20) unsigned.
    pub disk_offering_id: DiskOfferingId,
    /// Fk to vm_template.id. `template_id` bigint(20) unsigned, nullable.
    pub template_id: Option<TemplateId>,
    /// The first snapshot that was ever taken for this volume. `first_snapshot_backup_uuid` varchar(255), nullable.
    pub first_snapshot_backup_uuid: Option<String>,
    /// Is this volume recreatable?. `recreatable` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub recreatable: bool,
    /// Date Created. `created` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Date Attached. `attached` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub attached: Option<DateTime<Utc>>,
    /// Date updated for attach/detach. `updated` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub updated: Option<DateTime<Utc>>,
    /// Date removed.  not null if removed. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// State machine. `state` varchar(32), nullable.
    pub state: Option<VolumeState>,
    /// Save possible disk chain info in primary storage. `chain_info` text, nullable.
    pub chain_info: Option<String>,
    /// Date state was updated. `update_count` bigint(20) unsigned, default 0.
    pub update_count: u64,
    /// `disk_type` varchar(255), nullable.
    pub disk_type: Option<String>,
    /// `vm_snapshot_chain_size` bigint(20) unsigned, nullable.
    pub vm_snapshot_chain_size: Option<u64>,
    /// The id of the iso from which the volume was created. `iso_id` bigint(20) unsigned, nullable.
    pub iso_id: Option<TemplateId>,
    /// Should volume be displayed to the end user. `display_volume` tinyint(1), default 1.
    pub display_volume: bool,
    /// Volume format. `format` varchar(255), nullable.
    pub format: Option<ImageFormat>,
    /// Minimum IOPS. `min_iops` bigint(20) unsigned, nullable.
    pub min_iops: Option<u64>,
    /// Maximum IOPS. `max_iops` bigint(20) unsigned, nullable.
    pub max_iops: Option<u64>,
    /// Hypervisor snapshot reserve space as a percent of a volume (for managed storage using Xen or VMware). `hv_ss_reserve` int(32) unsigned, nullable.
    pub hv_ss_reserve: Option<u32>,
    /// Pre allocation setting of the volume. `provisioning_type` varchar(32), default 'thin'.
    pub provisioning_type: ProvisioningType,
    /// `external_uuid` varchar(40), nullable.
    pub external_uuid: Option<String>,
    /// Encryption passphrase id. `passphrase_id` bigint(20) unsigned, nullable.
    pub passphrase_id: Option<u64>,
    /// Encryption format. `encrypt_format` varchar(64), nullable.
    pub encrypt_format: Option<String>,
    /// Delete protection for volumes. `delete_protection` tinyint(1), nullable, default 0.
    pub delete_protection: Option<bool>,
    /// `last_id` bigint(20) unsigned, nullable.
    pub last_id: Option<u64>,
}

/// A new row of `cloud`.`volumes`: the columns a volume is created with; the others keep their
/// defaults. `None` stores NULL, so the INSERT has one text and each connection prepares it once.
///
/// ```no_run
/// # fn demo(new: cloudstack_db::storage::NewVolume, conn: &mut diesel::MysqlConnection) -> diesel::QueryResult<usize> {
/// use diesel::RunQueryDsl;
/// diesel::insert_into(cloudstack_db::schema::cloud::volumes::table).values(new).execute(conn)
/// # }
/// ```
#[derive(Debug, Clone, Insertable)]
#[diesel(
    table_name = volumes,
    check_for_backend(diesel::mysql::Mysql),
    treat_none_as_default_value = false
)]
pub struct NewVolume {
    /// `id` bigint(20) unsigned (from `volume_seq`).
    pub id: VolumeId,
    /// Owner. `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// The domain of the owner. `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// The VM it is attached to. `instance_id` bigint(20) unsigned, nullable.
    pub instance_id: Option<VmId>,
    /// Which device inside the VM. `device_id` bigint(20) unsigned, nullable.
    pub device_id: Option<u64>,
    /// A user specified name for the volume. `name` varchar(255), nullable.
    pub name: Option<String>,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// Total size. `size` bigint(20) unsigned.
    pub size: u64,
    /// Data center this volume belongs to. `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// Root, swap or data. `volume_type` varchar(64).
    pub volume_type: VolumeType,
    /// Disk offering id. `disk_offering_id` bigint(20) unsigned.
    pub disk_offering_id: DiskOfferingId,
    /// Template from which the volume is created. `template_id` bigint(20) unsigned, nullable.
    pub template_id: Option<TemplateId>,
    /// Can the volume be recreated. `recreatable` tinyint(1) unsigned.
    #[diesel(serialize_as = IntBool)]
    pub recreatable: bool,
    /// Date created. `created` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Date attached. `attached` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub attached: Option<DateTime<Utc>>,
    /// Date updated for attach/detach. `updated` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub updated: Option<DateTime<Utc>>,
    /// The state of the volume. `state` varchar(32), nullable.
    pub state: Option<VolumeState>,
    /// Date state was updated. `update_count` bigint(20) unsigned.
    pub update_count: u64,
    /// Should volume be displayed to the end user. `display_volume` tinyint(1).
    pub display_volume: bool,
    /// Volume format. `format` varchar(255), nullable.
    pub format: Option<ImageFormat>,
    /// Pre allocation setting. `provisioning_type` varchar(32).
    pub provisioning_type: ProvisioningType,
}
