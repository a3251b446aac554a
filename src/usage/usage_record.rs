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

/// The INSERT head of [`NewUsageRecord`]'s columns, for [`NewUsageRecord::write_values`].
pub(crate) const INSERT_HEAD: &str = "INSERT INTO `cloud_usage` (`id`, `zone_id`, `account_id`, \
    `domain_id`, `description`, `usage_display`, `usage_type`, `raw_usage`, `vm_instance_id`, \
    `vm_name`, `offering_id`, `template_id`, `usage_id`, `type`, `size`, `network_id`, \
    `start_date`, `end_date`, `virtual_size`, `cpu_speed`, `cpu_cores`, `memory`, \
    `quota_calculated`, `is_hidden`, `state`)";

impl NewUsageRecord {
    /// This record's values in [`INSERT_HEAD`]'s order, as the Diesel insert of the struct
    /// would bind them (`None` is `DEFAULT`).
    pub(crate) fn write_values(&self, v: &mut crate::repo::literal::Values) -> crate::Result<()> {
        v.opt_uint(self.id.map(|i| i.get()));
        v.uint(self.zone_id.get());
        v.uint(self.account_id.get());
        v.uint(self.domain_id.get());
        v.text(&self.description);
        v.text(&self.usage_display);
        v.opt_uint(self.usage_type.map(|t| u64::from(t.value())));
        v.double("cloud_usage.raw_usage", self.raw_usage)?;
        v.opt_uint(self.vm_instance_id.map(|i| i.get()));
        v.opt_text(self.vm_name.as_deref());
        v.opt_uint(self.offering_id);
        v.opt_uint(self.template_id.map(|i| i.get()));
        v.opt_uint(self.usage_id);
        v.opt_text(self.resource_kind.as_deref());
        v.opt_uint(self.size);
        v.opt_uint(self.network_id.map(|i| i.get()));
        v.datetime(self.start_date.naive_utc());
        v.datetime(self.end_date.naive_utc());
        v.opt_uint(self.virtual_size);
        v.opt_uint(self.cpu_speed.map(u64::from));
        v.opt_uint(self.cpu_cores.map(u64::from));
        v.opt_uint(self.memory.map(u64::from));
        v.opt_flag(self.quota_calculated);
        v.flag(self.is_hidden);
        v.opt_text(self.state.as_deref());
        Ok(())
    }
}
