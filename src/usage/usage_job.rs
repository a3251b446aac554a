//! `cloud_usage`.`usage_job`: UsageJobVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::UsageJobType;
use crate::schema::cloud_usage::usage_job;
use crate::types::{IntBool, OptionOf, UsageJobId, UtcDateTime};

/// A row of `cloud_usage`.`usage_job` as CloudStack's `UsageJobVO` maps it.
///
/// ```no_run
/// use cloudstack_db::usage::UsageJob;
/// use cloudstack_db::schema::cloud_usage::usage_job;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<UsageJob> = usage_job::table.select(UsageJob::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = usage_job, check_for_backend(diesel::mysql::Mysql))]
pub struct UsageJob {
    /// `id` bigint(20) unsigned.
    pub id: UsageJobId,
    /// `host` varchar(255), nullable.
    pub host: Option<String>,
    /// `pid` int(5), nullable.
    pub pid: Option<i32>,
    /// `job_type` int(1), nullable.
    pub job_type: Option<UsageJobType>,
    /// `scheduled` int(1), nullable.
    pub scheduled: Option<i32>,
    /// Start time in milliseconds of the aggregation range used by this job. `start_millis` bigint(20) unsigned, default 0.
    pub start_millis: u64,
    /// End time in milliseconds of the aggregation range used by this job. `end_millis` bigint(20) unsigned, default 0.
    pub end_millis: u64,
    /// How long in milliseconds it took for the job to execute. `exec_time` bigint(20) unsigned, default 0.
    pub exec_time: u64,
    /// Start date of the aggregation range used by this job. `start_date` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub start_date: Option<DateTime<Utc>>,
    /// End date of the aggregation range used by this job. `end_date` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub end_date: Option<DateTime<Utc>>,
    /// `success` int(1), nullable.
    #[diesel(deserialize_as = OptionOf<IntBool>)]
    pub success: Option<bool>,
    /// `heartbeat` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub heartbeat: DateTime<Utc>,
}

/// A new row of `cloud_usage`.`usage_job`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = usage_job, check_for_backend(diesel::mysql::Mysql))]
pub struct NewUsageJob {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<UsageJobId>,
    /// `host` varchar(255), nullable.
    pub host: Option<String>,
    /// `pid` int(5), nullable.
    pub pid: Option<i32>,
    /// `job_type` int(1), nullable.
    pub job_type: Option<UsageJobType>,
    /// `scheduled` int(1), nullable.
    pub scheduled: Option<i32>,
    /// Start time in milliseconds of the aggregation range used by this job. `start_millis` bigint(20) unsigned, default 0. `None` stores the column default.
    pub start_millis: Option<u64>,
    /// End time in milliseconds of the aggregation range used by this job. `end_millis` bigint(20) unsigned, default 0. `None` stores the column default.
    pub end_millis: Option<u64>,
    /// How long in milliseconds it took for the job to execute. `exec_time` bigint(20) unsigned, default 0. `None` stores the column default.
    pub exec_time: Option<u64>,
    /// Start date of the aggregation range used by this job. `start_date` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub start_date: Option<DateTime<Utc>>,
    /// End date of the aggregation range used by this job. `end_date` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub end_date: Option<DateTime<Utc>>,
    /// `success` int(1), nullable.
    #[diesel(serialize_as = OptionOf<IntBool>)]
    pub success: Option<bool>,
    /// `heartbeat` datetime.
    #[diesel(serialize_as = UtcDateTime)]
    pub heartbeat: DateTime<Utc>,
}
