//! `cloud`.`disk_offering`: DiskOfferingVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::DiskCacheMode;
use crate::schema::cloud::disk_offering;
use crate::types::{DiskOfferingId, IntBool, OptionOf, UtcDateTime, UuidText};
use crate::types::{OfferingState, ProvisioningType};

/// A row of `cloud`.`disk_offering` as CloudStack's `DiskOfferingVO` maps it.
///
/// ```no_run
/// use cloudstack_db::catalog::DiskOffering;
/// use cloudstack_db::schema::cloud::disk_offering;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<DiskOffering> = disk_offering::table.select(DiskOffering::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = disk_offering, check_for_backend(diesel::mysql::Mysql))]
pub struct DiskOffering {
    /// `id` bigint(20) unsigned.
    pub id: DiskOfferingId,
    /// `name` varchar(255).
    pub name: String,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// Optional text set by the admin for display purpose only. `display_text` varchar(4096), nullable.
    pub display_text: Option<String>,
    /// Disk space in byte. `disk_size` bigint(20) unsigned.
    pub disk_size: u64,
    /// Comma separated tags about the disk_offering. `tags` varchar(4096), nullable.
    pub tags: Option<String>,
    /// The root disk is always recreatable. `recreatable` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub recreatable: bool,
    /// Indicates whether local storage pools should be used. `use_local_storage` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub use_local_storage: bool,
    /// Unique name. `unique_name` varchar(32), nullable.
    pub unique_name: Option<String>,
    /// 0 implies not customized by default. `customized` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub customized: bool,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// Date the disk offering was created. `created` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Sort key used for customising sort method. `sort_key` int(32), default 0.
    pub sort_key: i32,
    /// Should disk offering be displayed to the end user. `display_offering` tinyint(1), default 1.
    pub display_offering: bool,
    /// Should customized IOPS be displayed to the end user. `customized_iops` tinyint(1) unsigned, nullable.
    #[diesel(deserialize_as = OptionOf<IntBool>)]
    pub customized_iops: Option<bool>,
    /// Minimum IOPS. `min_iops` bigint(20) unsigned, nullable.
    pub min_iops: Option<u64>,
    /// Maximum IOPS. `max_iops` bigint(20) unsigned, nullable.
    pub max_iops: Option<u64>,
    /// `bytes_read_rate` bigint(20), nullable.
    pub bytes_read_rate: Option<i64>,
    /// `bytes_read_rate_max` bigint(20), nullable.
    pub bytes_read_rate_max: Option<i64>,
    /// `bytes_read_rate_max_length` bigint(20), nullable.
    pub bytes_read_rate_max_length: Option<i64>,
    /// `bytes_write_rate` bigint(20), nullable.
    pub bytes_write_rate: Option<i64>,
    /// `bytes_write_rate_max` bigint(20), nullable.
    pub bytes_write_rate_max: Option<i64>,
    /// `bytes_write_rate_max_length` bigint(20), nullable.
    pub bytes_write_rate_max_length: Option<i64>,
    /// `iops_read_rate` bigint(20), nullable.
    pub iops_read_rate: Option<i64>,
    /// `iops_read_rate_max` bigint(20), nullable.
    pub iops_read_rate_max: Option<i64>,
    /// `iops_read_rate_max_length` bigint(20), nullable.
    pub iops_read_rate_max_length: Option<i64>,
    /// `iops_write_rate` bigint(20), nullable.
    pub iops_write_rate: Option<i64>,
    /// `iops_write_rate_max` bigint(20), nullable.
    pub iops_write_rate_max: Option<i64>,
    /// `iops_write_rate_max_length` bigint(20), nullable.
    pub iops_write_rate_max_length: Option<i64>,
    /// State for disk offering. `state` char(40), default 'Active'.
    pub state: OfferingState,
    /// Hypervisor snapshot reserve space as a percent of a volume (for managed storage using Xen or VMware). `hv_ss_reserve` int(32) unsigned, nullable.
    pub hv_ss_reserve: Option<u32>,
    /// The disk cache mode to use for disks created with this offering. `cache_mode` varchar(18), nullable, default 'none'.
    pub cache_mode: Option<DiskCacheMode>,
    /// Pre allocation setting of the volume. `provisioning_type` varchar(32), default 'thin'.
    pub provisioning_type: ProvisioningType,
    /// To allow or disallow the resize operation on the disks created from this offering. `disk_size_strictness` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub disk_size_strictness: bool,
    /// When set to 1, disk offering has one to one binding with service offering. `compute_only` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub compute_only: bool,
    /// Volume encrypt requested. `encrypt` tinyint(1), nullable, default 0.
    pub encrypt: Option<bool>,
}

/// A new row of `cloud`.`disk_offering`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Default, Insertable)]
#[diesel(table_name = disk_offering, check_for_backend(diesel::mysql::Mysql))]
pub struct NewDiskOffering {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<DiskOfferingId>,
    /// `name` varchar(255).
    pub name: String,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// Optional text set by the admin for display purpose only. `display_text` varchar(4096), nullable.
    pub display_text: Option<String>,
    /// Disk space in byte. `disk_size` bigint(20) unsigned.
    pub disk_size: u64,
    /// Comma separated tags about the disk_offering. `tags` varchar(4096), nullable.
    pub tags: Option<String>,
    /// The root disk is always recreatable. `recreatable` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub recreatable: bool,
    /// Indicates whether local storage pools should be used. `use_local_storage` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub use_local_storage: bool,
    /// Unique name. `unique_name` varchar(32), nullable.
    pub unique_name: Option<String>,
    /// 0 implies not customized by default. `customized` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub customized: bool,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// Date the disk offering was created. `created` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Sort key used for customising sort method. `sort_key` int(32), default 0. `None` stores the column default.
    pub sort_key: Option<i32>,
    /// Should disk offering be displayed to the end user. `display_offering` tinyint(1), default 1. `None` stores the column default.
    pub display_offering: Option<bool>,
    /// Should customized IOPS be displayed to the end user. `customized_iops` tinyint(1) unsigned, nullable.
    #[diesel(serialize_as = OptionOf<IntBool>)]
    pub customized_iops: Option<bool>,
    /// Minimum IOPS. `min_iops` bigint(20) unsigned, nullable.
    pub min_iops: Option<u64>,
    /// Maximum IOPS. `max_iops` bigint(20) unsigned, nullable.
    pub max_iops: Option<u64>,
    /// `bytes_read_rate` bigint(20), nullable.
    pub bytes_read_rate: Option<i64>,
    /// `bytes_read_rate_max` bigint(20), nullable.
    pub bytes_read_rate_max: Option<i64>,
    /// `bytes_read_rate_max_length` bigint(20), nullable.
    pub bytes_read_rate_max_length: Option<i64>,
    /// `bytes_write_rate` bigint(20), nullable.
    pub bytes_write_rate: Option<i64>,
    /// `bytes_write_rate_max` bigint(20), nullable.
    pub bytes_write_rate_max: Option<i64>,
    /// `bytes_write_rate_max_length` bigint(20), nullable.
    pub bytes_write_rate_max_length: Option<i64>,
    /// `iops_read_rate` bigint(20), nullable.
    pub iops_read_rate: Option<i64>,
    /// `iops_read_rate_max` bigint(20), nullable.
    pub iops_read_rate_max: Option<i64>,
    /// `iops_read_rate_max_length` bigint(20), nullable.
    pub iops_read_rate_max_length: Option<i64>,
    /// `iops_write_rate` bigint(20), nullable.
    pub iops_write_rate: Option<i64>,
    /// `iops_write_rate_max` bigint(20), nullable.
    pub iops_write_rate_max: Option<i64>,
    /// `iops_write_rate_max_length` bigint(20), nullable.
    pub iops_write_rate_max_length: Option<i64>,
    /// State for disk offering. `state` char(40), default 'Active'. `None` stores the column default.
    pub state: Option<OfferingState>,
    /// Hypervisor snapshot reserve space as a percent of a volume (for managed storage using Xen or VMware). `hv_ss_reserve` int(32) unsigned, nullable.
    pub hv_ss_reserve: Option<u32>,
    /// The disk cache mode to use for disks created with this offering. `cache_mode` varchar(18), nullable, default 'none'.
    pub cache_mode: Option<DiskCacheMode>,
    /// Pre allocation setting of the volume. `provisioning_type` varchar(32), default 'thin'. `None` stores the column default.
    pub provisioning_type: Option<ProvisioningType>,
    /// To allow or disallow the resize operation on the disks created from this offering. `disk_size_strictness` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub disk_size_strictness: bool,
    /// When set to 1, disk offering has one to one binding with service offering. `compute_only` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub compute_only: bool,
    /// Volume encrypt requested. `encrypt` tinyint(1), nullable, default 0.
    pub encrypt: Option<bool>,
}
