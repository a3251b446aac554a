//! `cloud_usage`.`usage_vm_instance`: UsageVMInstanceVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::UsageType;
use crate::schema::cloud_usage::usage_vm_instance;
use crate::types::HypervisorType;
use crate::types::{AccountId, OptionOf, ServiceOfferingId, TemplateId, UtcDateTime, VmId, ZoneId};

/// A row of `cloud_usage`.`usage_vm_instance` as CloudStack's `UsageVMInstanceVO` maps it.
///
/// ```no_run
/// use cloudstack_db::usage::UsageVmInstance;
/// use cloudstack_db::schema::cloud_usage::usage_vm_instance;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<UsageVmInstance> = usage_vm_instance::table.select(UsageVmInstance::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = usage_vm_instance, check_for_backend(diesel::mysql::Mysql))]
pub struct UsageVmInstance {
    /// `id` bigint(20).
    pub id: i64,
    /// `usage_type` int(1) unsigned, nullable.
    pub usage_type: Option<UsageType>,
    /// `zone_id` bigint(20) unsigned.
    pub zone_id: ZoneId,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `vm_instance_id` bigint(20) unsigned.
    pub vm_instance_id: VmId,
    /// `vm_name` varchar(255).
    pub vm_name: String,
    /// `service_offering_id` bigint(20) unsigned.
    pub service_offering_id: ServiceOfferingId,
    /// `template_id` bigint(20) unsigned.
    pub template_id: TemplateId,
    /// `hypervisor_type` varchar(255), nullable.
    pub hypervisor_type: Option<HypervisorType>,
    /// `start_date` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub start_date: DateTime<Utc>,
    /// `end_date` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub end_date: Option<DateTime<Utc>>,
    /// Speed per core in Mhz. `cpu_speed` int(10) unsigned, nullable.
    pub cpu_speed: Option<u32>,
    /// Number of cpu cores. `cpu_cores` int(10) unsigned, nullable.
    pub cpu_cores: Option<u32>,
    /// Memory in MB. `memory` int(10) unsigned, nullable.
    pub memory: Option<u32>,
}

/// A new row of `cloud_usage`.`usage_vm_instance`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = usage_vm_instance, check_for_backend(diesel::mysql::Mysql))]
pub struct NewUsageVmInstance {
    /// `id` bigint(20). `None` lets the server assign it.
    pub id: Option<i64>,
    /// `usage_type` int(1) unsigned, nullable.
    pub usage_type: Option<UsageType>,
    /// `zone_id` bigint(20) unsigned.
    pub zone_id: ZoneId,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `vm_instance_id` bigint(20) unsigned.
    pub vm_instance_id: VmId,
    /// `vm_name` varchar(255).
    pub vm_name: String,
    /// `service_offering_id` bigint(20) unsigned.
    pub service_offering_id: ServiceOfferingId,
    /// `template_id` bigint(20) unsigned.
    pub template_id: TemplateId,
    /// `hypervisor_type` varchar(255), nullable.
    pub hypervisor_type: Option<HypervisorType>,
    /// `start_date` datetime.
    #[diesel(serialize_as = UtcDateTime)]
    pub start_date: DateTime<Utc>,
    /// `end_date` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub end_date: Option<DateTime<Utc>>,
    /// Speed per core in Mhz. `cpu_speed` int(10) unsigned, nullable.
    pub cpu_speed: Option<u32>,
    /// Number of cpu cores. `cpu_cores` int(10) unsigned, nullable.
    pub cpu_cores: Option<u32>,
    /// Memory in MB. `memory` int(10) unsigned, nullable.
    pub memory: Option<u32>,
}
