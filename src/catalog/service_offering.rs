//! `cloud`.`service_offering`: ServiceOfferingVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::cloud::service_offering;
use crate::types::OfferingState;
use crate::types::{DiskOfferingId, IntBool, OptionOf, ServiceOfferingId, UtcDateTime, UuidText};

/// A row of `cloud`.`service_offering` as CloudStack's `ServiceOfferingVO` maps it.
///
/// ```no_run
/// use cloudstack_db::catalog::ServiceOffering;
/// use cloudstack_db::schema::cloud::service_offering;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<ServiceOffering> = service_offering::table.select(ServiceOffering::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = service_offering, check_for_backend(diesel::mysql::Mysql))]
pub struct ServiceOffering {
    /// `id` bigint(20) unsigned.
    pub id: ServiceOfferingId,
    /// # of cores. `cpu` int(10) unsigned, nullable.
    pub cpu: Option<u32>,
    /// Speed per core in mhz. `speed` int(10) unsigned, nullable.
    pub speed: Option<u32>,
    /// `ram_size` bigint(20) unsigned, nullable.
    pub ram_size: Option<u64>,
    /// Network rate throttle mbits/s. `nw_rate` smallint(5) unsigned, nullable, default 200.
    pub nw_rate: Option<u16>,
    /// Mcast rate throttle mbits/s. `mc_rate` smallint(5) unsigned, nullable, default 10.
    pub mc_rate: Option<u16>,
    /// Enable HA. `ha_enabled` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub ha_enabled: bool,
    /// Limit the CPU usage to service offering. `limit_cpu_use` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub limit_cpu_use: bool,
    /// Host tag specified by the service_offering. `host_tag` varchar(255), nullable.
    pub host_tag: Option<String>,
    /// Is this offering a default system offering. `default_use` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub default_use: bool,
    /// Type of offering specified for system offerings. `vm_type` varchar(32), nullable.
    pub vm_type: Option<String>,
    /// Sort key used for customising sort method. `sort_key` int(32), default 0.
    pub sort_key: i32,
    /// True if the vm needs to be volatile, i.e., on every reboot of vm from API root disk is discarded and creates a new root disk. `is_volatile` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub is_volatile: bool,
    /// Planner heuristics used to deploy a VM of this offering; if null global config vm.deployment.planner is used. `deployment_planner` varchar(255), nullable.
    pub deployment_planner: Option<String>,
    /// True(1) if VM needs to be dynamically scalable of cpu or memory. `dynamic_scaling_enabled` tinyint(1) unsigned, default 1.
    #[diesel(deserialize_as = IntBool)]
    pub dynamic_scaling_enabled: bool,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `name` varchar(255).
    pub name: String,
    /// `display_text` varchar(4096), nullable.
    pub display_text: Option<String>,
    /// Unique name for offerings. `unique_name` varchar(32), nullable.
    pub unique_name: Option<String>,
    /// 0 implies not customized by default. `customized` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub customized: bool,
    /// Date when service offering was created. `created` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Date when service offering was removed. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// State of service offering either Active or Inactive. `state` char(40), default 'Active'.
    pub state: OfferingState,
    /// `disk_offering_id` bigint(20) unsigned, nullable.
    pub disk_offering_id: Option<DiskOfferingId>,
    /// Is this offering for system used only. `system_use` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub system_use: bool,
    /// Strict binding with disk offering or not. `disk_offering_strictness` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub disk_offering_strictness: bool,
    /// Vgpu profile ID. `vgpu_profile_id` bigint(20) unsigned, nullable.
    pub vgpu_profile_id: Option<u64>,
    /// Number of GPUs. `gpu_count` int(10) unsigned, nullable.
    pub gpu_count: Option<u32>,
    /// Enable GPU display. `gpu_display` tinyint(1), nullable, default 0.
    pub gpu_display: Option<bool>,
}

/// A new row of `cloud`.`service_offering`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Default, Insertable)]
#[diesel(table_name = service_offering, check_for_backend(diesel::mysql::Mysql))]
pub struct NewServiceOffering {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<ServiceOfferingId>,
    /// # of cores. `cpu` int(10) unsigned, nullable.
    pub cpu: Option<u32>,
    /// Speed per core in mhz. `speed` int(10) unsigned, nullable.
    pub speed: Option<u32>,
    /// `ram_size` bigint(20) unsigned, nullable.
    pub ram_size: Option<u64>,
    /// Network rate throttle mbits/s. `nw_rate` smallint(5) unsigned, nullable, default 200.
    pub nw_rate: Option<u16>,
    /// Mcast rate throttle mbits/s. `mc_rate` smallint(5) unsigned, nullable, default 10.
    pub mc_rate: Option<u16>,
    /// Enable HA. `ha_enabled` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub ha_enabled: bool,
    /// Limit the CPU usage to service offering. `limit_cpu_use` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub limit_cpu_use: bool,
    /// Host tag specified by the service_offering. `host_tag` varchar(255), nullable.
    pub host_tag: Option<String>,
    /// Is this offering a default system offering. `default_use` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub default_use: bool,
    /// Type of offering specified for system offerings. `vm_type` varchar(32), nullable.
    pub vm_type: Option<String>,
    /// Sort key used for customising sort method. `sort_key` int(32), default 0. `None` stores the column default.
    pub sort_key: Option<i32>,
    /// True if the vm needs to be volatile, i.e., on every reboot of vm from API root disk is discarded and creates a new root disk. `is_volatile` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub is_volatile: bool,
    /// Planner heuristics used to deploy a VM of this offering; if null global config vm.deployment.planner is used. `deployment_planner` varchar(255), nullable.
    pub deployment_planner: Option<String>,
    /// True(1) if VM needs to be dynamically scalable of cpu or memory. `dynamic_scaling_enabled` tinyint(1) unsigned, default 1.
    #[diesel(serialize_as = IntBool)]
    pub dynamic_scaling_enabled: bool,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `name` varchar(255).
    pub name: String,
    /// `display_text` varchar(4096), nullable.
    pub display_text: Option<String>,
    /// Unique name for offerings. `unique_name` varchar(32), nullable.
    pub unique_name: Option<String>,
    /// 0 implies not customized by default. `customized` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub customized: bool,
    /// Date when service offering was created. `created` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Date when service offering was removed. `removed` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// State of service offering either Active or Inactive. `state` char(40), default 'Active'. `None` stores the column default.
    pub state: Option<OfferingState>,
    /// `disk_offering_id` bigint(20) unsigned, nullable.
    pub disk_offering_id: Option<DiskOfferingId>,
    /// Is this offering for system used only. `system_use` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub system_use: bool,
    /// Strict binding with disk offering or not. `disk_offering_strictness` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub disk_offering_strictness: bool,
    /// Vgpu profile ID. `vgpu_profile_id` bigint(20) unsigned, nullable.
    pub vgpu_profile_id: Option<u64>,
    /// Number of GPUs. `gpu_count` int(10) unsigned, nullable.
    pub gpu_count: Option<u32>,
    /// Enable GPU display. `gpu_display` tinyint(1), nullable, default 0.
    pub gpu_display: Option<bool>,
}
