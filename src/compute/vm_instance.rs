//! `cloud`.`vm_instance`: VMInstanceVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{PowerState, VmDiscriminator, VmState, VmType};
use crate::Secret;
use crate::schema::cloud::vm_instance;
use crate::types::HypervisorType;
use crate::types::{
    AccountId, DomainId, IntBool, OptionOf, ServiceOfferingId, TemplateId, UserId, UtcDateTime,
    UuidText, VmId, ZoneId,
};

/// A row of `cloud`.`vm_instance` as CloudStack's `VMInstanceVO` maps it.
///
/// ```no_run
/// use cloudstack_db::compute::VmInstance;
/// use cloudstack_db::schema::cloud::vm_instance;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<VmInstance> = vm_instance::table.select(VmInstance::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = vm_instance, check_for_backend(diesel::mysql::Mysql))]
pub struct VmInstance {
    /// `id` bigint(20) unsigned.
    pub id: VmId,
    /// `name` varchar(255).
    pub name: String,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// Name of the vm instance running on the hosts. `instance_name` varchar(255).
    pub instance_name: String,
    /// `state` varchar(32).
    pub state: VmState,
    /// `vm_template_id` bigint(20) unsigned, nullable.
    pub vm_template_id: Option<TemplateId>,
    /// `guest_os_id` bigint(20) unsigned.
    pub guest_os_id: u64,
    /// `private_mac_address` varchar(17), nullable.
    pub private_mac_address: Option<String>,
    /// `private_ip_address` char(40), nullable.
    pub private_ip_address: Option<String>,
    /// `pod_id` bigint(20) unsigned, nullable.
    pub pod_id: Option<u64>,
    /// Data Center the instance belongs to. `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// `host_id` bigint(20) unsigned, nullable.
    pub host_id: Option<u64>,
    /// Tentative host for first run or last host that it has been running on. `last_host_id` bigint(20) unsigned, nullable.
    pub last_host_id: Option<u64>,
    /// Console proxy allocated in previous session. `proxy_id` bigint(20) unsigned, nullable.
    pub proxy_id: Option<u64>,
    /// Time when console proxy was assigned. `proxy_assign_time` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub proxy_assign_time: Option<DateTime<Utc>>,
    /// Vnc password. `vnc_password` varchar(255).
    #[serde(skip)]
    pub vnc_password: Secret,
    /// Should HA be enabled for this VM. `ha_enabled` tinyint(1), default 0.
    pub ha_enabled: bool,
    /// Limit the cpu usage to service offering. `limit_cpu_use` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub limit_cpu_use: bool,
    /// Date state was updated. `update_count` bigint(20) unsigned, default 0.
    pub update_count: u64,
    /// Date the destroy was requested. `update_time` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub update_time: Option<DateTime<Utc>>,
    /// Date created. `created` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// Date removed if not null. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// Type of vm it is. `type` varchar(32).
    #[diesel(column_name = type_)]
    pub discriminator: VmDiscriminator,
    /// Vm type. `vm_type` varchar(32).
    pub vm_type: VmType,
    /// User id of owner. `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// Service offering id. `service_offering_id` bigint(20) unsigned.
    pub service_offering_id: ServiceOfferingId,
    /// Reservation id. `reservation_id` char(40), nullable.
    pub reservation_id: Option<String>,
    /// Hypervisor type. `hypervisor_type` char(32), nullable.
    pub hypervisor_type: Option<HypervisorType>,
    /// `owner` varchar(255), nullable.
    pub owner: Option<String>,
    /// `host_name` varchar(255), nullable.
    pub host_name: Option<String>,
    /// `display_name` varchar(255), nullable.
    pub display_name: Option<String>,
    /// `desired_state` varchar(32), nullable.
    pub desired_state: Option<String>,
    /// True if VM contains XS/VMWare tools inorder to support dynamic scaling of VM cpu/memory. `dynamically_scalable` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub dynamically_scalable: bool,
    /// Should vm instance be displayed to the end user. `display_vm` tinyint(1), default 1.
    pub display_vm: bool,
    /// `power_state` varchar(74), nullable, default 'PowerUnknown'.
    pub power_state: Option<PowerState>,
    /// `power_state_update_time` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub power_state_update_time: Option<DateTime<Utc>>,
    /// `power_state_update_count` int(11), nullable, default 0.
    pub power_state_update_count: Option<i32>,
    /// `power_host` bigint(20) unsigned, nullable.
    pub power_host: Option<u64>,
    /// User id of VM deployer. `user_id` bigint(20) unsigned, default 1.
    pub user_id: UserId,
    /// ID of backup offering. `backup_offering_id` bigint(20) unsigned, nullable.
    pub backup_offering_id: Option<u64>,
    /// ID of external backup job or container if any. `backup_external_id` varchar(255), nullable.
    pub backup_external_id: Option<String>,
    /// Details of backedup volumes. `backup_volumes` text, nullable.
    pub backup_volumes: Option<String>,
    /// Delete protection for vm. `delete_protection` tinyint(1), nullable, default 0.
    pub delete_protection: Option<bool>,
}

/// A new row of `cloud`.`vm_instance`: the columns a user VM is created with; the others keep
/// their defaults. `None` stores NULL (never the `DEFAULT` keyword), so the INSERT has one text
/// and each connection prepares it once.
///
/// ```no_run
/// # fn demo(new: cloudstack_db::compute::NewVmInstance, conn: &mut diesel::MysqlConnection) -> diesel::QueryResult<usize> {
/// use diesel::RunQueryDsl;
/// diesel::insert_into(cloudstack_db::schema::cloud::vm_instance::table).values(new).execute(conn)
/// # }
/// ```
#[derive(Debug, Clone, Insertable)]
#[diesel(
    table_name = vm_instance,
    check_for_backend(diesel::mysql::Mysql),
    treat_none_as_default_value = false
)]
pub struct NewVmInstance {
    /// `id` bigint(20) unsigned (from `vm_instance_seq`).
    pub id: VmId,
    /// `name` varchar(255).
    pub name: String,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// Name of the vm instance running on the hosts. `instance_name` varchar(255).
    pub instance_name: String,
    /// `state` varchar(32).
    pub state: VmState,
    /// `vm_template_id` bigint(20) unsigned, nullable.
    pub vm_template_id: Option<TemplateId>,
    /// `guest_os_id` bigint(20) unsigned.
    pub guest_os_id: u64,
    /// Data Center the instance belongs to. `data_center_id` bigint(20) unsigned.
    pub data_center_id: ZoneId,
    /// `host_id` bigint(20) unsigned, nullable.
    pub host_id: Option<u64>,
    /// Vnc password (stored as given: encrypt it first). `vnc_password` varchar(255).
    pub vnc_password: Secret,
    /// Should HA be enabled for this VM. `ha_enabled` tinyint(1).
    pub ha_enabled: bool,
    /// Limit the cpu usage to service offering. `limit_cpu_use` tinyint(1) unsigned.
    #[diesel(serialize_as = IntBool)]
    pub limit_cpu_use: bool,
    /// `update_count` bigint(20) unsigned.
    pub update_count: u64,
    /// Date created. `created` datetime.
    #[diesel(serialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// Type of vm it is. `type` varchar(32).
    #[diesel(column_name = type_)]
    pub discriminator: VmDiscriminator,
    /// Vm type. `vm_type` varchar(32).
    pub vm_type: VmType,
    /// User id of owner. `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// Service offering id. `service_offering_id` bigint(20) unsigned.
    pub service_offering_id: ServiceOfferingId,
    /// Hypervisor type. `hypervisor_type` char(32), nullable.
    pub hypervisor_type: Option<HypervisorType>,
    /// `display_name` varchar(255), nullable.
    pub display_name: Option<String>,
    /// True if VM contains XS/VMWare tools inorder to support dynamic scaling of VM cpu/memory. `dynamically_scalable` tinyint(1) unsigned.
    #[diesel(serialize_as = IntBool)]
    pub dynamically_scalable: bool,
    /// Should vm instance be displayed to the end user. `display_vm` tinyint(1).
    pub display_vm: bool,
    /// User id of VM deployer. `user_id` bigint(20) unsigned.
    pub user_id: UserId,
}
