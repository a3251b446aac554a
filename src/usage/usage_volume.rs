//! `cloud_usage`.`usage_volume`: UsageVolumeVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::cloud_usage::usage_volume;
use crate::types::{
    AccountId, DiskOfferingId, DomainId, OptionOf, TemplateId, UtcDateTime, VmId, VolumeId, ZoneId,
};

/// A row of `cloud_usage`.`usage_volume` as CloudStack's `UsageVolumeVO` maps it.
///
/// ```no_run
/// use cloudstack_db::usage::UsageVolume;
/// use cloudstack_db::schema::cloud_usage::usage_volume;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<UsageVolume> = usage_volume::table.select(UsageVolume::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = usage_volume, check_for_backend(diesel::mysql::Mysql))]
pub struct UsageVolume {
    /// `id` bigint(20).
    pub id: i64,
    /// `volume_id` bigint(20) unsigned.
    pub volume_id: VolumeId,
    /// `zone_id` bigint(20) unsigned.
    pub zone_id: ZoneId,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// `disk_offering_id` bigint(20) unsigned, nullable.
    pub disk_offering_id: Option<DiskOfferingId>,
    /// `template_id` bigint(20) unsigned, nullable.
    pub template_id: Option<TemplateId>,
    /// `size` bigint(20) unsigned, nullable.
    pub size: Option<u64>,
    /// `created` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// `deleted` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub deleted: Option<DateTime<Utc>>,
    /// VM ID associated with the volume usage (4.22.1). `vm_id` bigint(20) unsigned, nullable.
    pub vm_id: Option<VmId>,
}

/// A new row of `cloud_usage`.`usage_volume`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = usage_volume, check_for_backend(diesel::mysql::Mysql))]
pub struct NewUsageVolume {
    /// `id` bigint(20). `None` lets the server assign it.
    pub id: Option<i64>,
    /// `volume_id` bigint(20) unsigned.
    pub volume_id: VolumeId,
    /// `zone_id` bigint(20) unsigned.
    pub zone_id: ZoneId,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// `disk_offering_id` bigint(20) unsigned, nullable.
    pub disk_offering_id: Option<DiskOfferingId>,
    /// `template_id` bigint(20) unsigned, nullable.
    pub template_id: Option<TemplateId>,
    /// `size` bigint(20) unsigned, nullable.
    pub size: Option<u64>,
    /// `created` datetime.
    #[diesel(serialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// `deleted` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub deleted: Option<DateTime<Utc>>,
    /// VM ID associated with the volume usage (4.22.1). `vm_id` bigint(20) unsigned, nullable.
    pub vm_id: Option<VmId>,
}

/// The selection of [`columns_without_vm_id`].
pub(crate) type ColumnsWithoutVmId = (
    usage_volume::id,
    usage_volume::volume_id,
    usage_volume::zone_id,
    usage_volume::account_id,
    usage_volume::domain_id,
    usage_volume::disk_offering_id,
    usage_volume::template_id,
    usage_volume::size,
    usage_volume::created,
    usage_volume::deleted,
    crate::db::NoVmId,
);

/// The columns of [`UsageVolume`] in a CloudStack 4.22.0 database, which has no `vm_id`: NULL
/// stands in for it, so rows load into the same struct.
pub(crate) fn columns_without_vm_id() -> ColumnsWithoutVmId {
    use usage_volume::dsl as c;
    (
        c::id,
        c::volume_id,
        c::zone_id,
        c::account_id,
        c::domain_id,
        c::disk_offering_id,
        c::template_id,
        c::size,
        c::created,
        c::deleted,
        crate::db::no_vm_id(),
    )
}
