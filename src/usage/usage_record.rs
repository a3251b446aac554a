//! `cloud_usage`.`cloud_usage`: UsageVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::UsageType;
use crate::schema::cloud_usage::cloud_usage;
use crate::types::{
    AccountId, DomainId, IntBool, NetworkId, TemplateId, UsageRecordId, UtcDateTime, VmId, ZoneId,
};

/// A row of `cloud_usage`.`cloud_usage` as CloudStack's `UsageVO` maps it.
///
/// ```no_run
/// use cloudstack_db::usage::UsageRecord;
/// use cloudstack_db::schema::cloud_usage::cloud_usage;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<UsageRecord> = cloud_usage::table.select(UsageRecord::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = cloud_usage, check_for_backend(diesel::mysql::Mysql))]
pub struct UsageRecord {
    /// `id` bigint(20) unsigned.
    pub id: UsageRecordId,
    /// `zone_id` bigint(20) unsigned.
    pub zone_id: ZoneId,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// `description` varchar(1024).
    pub description: String,
    /// `usage_display` varchar(255).
    pub usage_display: String,
    /// `usage_type` int(1) unsigned, nullable.
    pub usage_type: Option<UsageType>,
    /// `raw_usage` double unsigned.
    pub raw_usage: f64,
    /// `vm_instance_id` bigint(20) unsigned, nullable.
    pub vm_instance_id: Option<VmId>,
    /// `vm_name` varchar(255), nullable.
    pub vm_name: Option<String>,
    /// `offering_id` bigint(20) unsigned, nullable.
    pub offering_id: Option<u64>,
    /// `template_id` bigint(20) unsigned, nullable.
    pub template_id: Option<TemplateId>,
    /// `usage_id` bigint(20) unsigned, nullable.
    pub usage_id: Option<u64>,
    /// `type` varchar(32), nullable.
    #[diesel(column_name = type_)]
    pub resource_kind: Option<String>,
    /// `size` bigint(20) unsigned, nullable.
    pub size: Option<u64>,
    /// `network_id` bigint(20) unsigned, nullable.
    pub network_id: Option<NetworkId>,
    /// `start_date` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub start_date: DateTime<Utc>,
    /// `end_date` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub end_date: DateTime<Utc>,
    /// `virtual_size` bigint(20) unsigned, nullable.
    pub virtual_size: Option<u64>,
    /// Speed per core in Mhz. `cpu_speed` int(10) unsigned, nullable.
    pub cpu_speed: Option<u32>,
    /// Number of cpu cores. `cpu_cores` int(10) unsigned, nullable.
    pub cpu_cores: Option<u32>,
    /// Memory in MB. `memory` int(10) unsigned, nullable.
    pub memory: Option<u32>,
    /// Quota calculation status. `quota_calculated` tinyint(1), default 0.
    pub quota_calculated: bool,
    /// Is usage hidden. `is_hidden` smallint(1), default 0.
    #[diesel(deserialize_as = IntBool)]
    pub is_hidden: bool,
    /// `state` varchar(100), nullable.
    pub state: Option<String>,
}

/// A new row of `cloud_usage`.`cloud_usage`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = cloud_usage, check_for_backend(diesel::mysql::Mysql))]
pub struct NewUsageRecord {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<UsageRecordId>,
    /// `zone_id` bigint(20) unsigned.
    pub zone_id: ZoneId,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// `description` varchar(1024).
    pub description: String,
    /// `usage_display` varchar(255).
    pub usage_display: String,
    /// `usage_type` int(1) unsigned, nullable.
    pub usage_type: Option<UsageType>,
    /// `raw_usage` double unsigned.
    pub raw_usage: f64,
    /// `vm_instance_id` bigint(20) unsigned, nullable.
    pub vm_instance_id: Option<VmId>,
    /// `vm_name` varchar(255), nullable.
    pub vm_name: Option<String>,
    /// `offering_id` bigint(20) unsigned, nullable.
    pub offering_id: Option<u64>,
    /// `template_id` bigint(20) unsigned, nullable.
    pub template_id: Option<TemplateId>,
    /// `usage_id` bigint(20) unsigned, nullable.
    pub usage_id: Option<u64>,
    /// `type` varchar(32), nullable.
    #[diesel(column_name = type_)]
    pub resource_kind: Option<String>,
    /// `size` bigint(20) unsigned, nullable.
    pub size: Option<u64>,
    /// `network_id` bigint(20) unsigned, nullable.
    pub network_id: Option<NetworkId>,
    /// `start_date` datetime.
    #[diesel(serialize_as = UtcDateTime)]
    pub start_date: DateTime<Utc>,
    /// `end_date` datetime.
    #[diesel(serialize_as = UtcDateTime)]
    pub end_date: DateTime<Utc>,
    /// `virtual_size` bigint(20) unsigned, nullable.
    pub virtual_size: Option<u64>,
    /// Speed per core in Mhz. `cpu_speed` int(10) unsigned, nullable.
    pub cpu_speed: Option<u32>,
    /// Number of cpu cores. `cpu_cores` int(10) unsigned, nullable.
    pub cpu_cores: Option<u32>,
    /// Memory in MB. `memory` int(10) unsigned, nullable.
    pub memory: Option<u32>,
    /// Quota calculation status. `quota_calculated` tinyint(1), default 0. `None` stores the column default.
    pub quota_calculated: Option<bool>,
    /// Is usage hidden. `is_hidden` smallint(1), default 0.
    #[diesel(serialize_as = IntBool)]
    pub is_hidden: bool,
    /// `state` varchar(100), nullable.
    pub state: Option<String>,
}
