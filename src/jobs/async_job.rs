//! `cloud`.`async_job`: AsyncJobVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::JobStatus;
use crate::schema::cloud::async_job;
use crate::types::{AccountId, JobId, OptionOf, UserId, UtcDateTime, UuidText};

/// A row of `cloud`.`async_job` as CloudStack's `AsyncJobVO` maps it.
///
/// ```no_run
/// use cloudstack_db::jobs::AsyncJob;
/// use cloudstack_db::schema::cloud::async_job;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<AsyncJob> = async_job::table.select(AsyncJob::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = async_job, check_for_backend(diesel::mysql::Mysql))]
pub struct AsyncJob {
    /// `id` bigint(20) unsigned.
    pub id: JobId,
    /// `user_id` bigint(20) unsigned.
    pub user_id: UserId,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// Instance_type and instance_id work together to allow attaching an instance object to a job. `instance_type` varchar(64), nullable.
    pub instance_type: Option<String>,
    /// `instance_id` bigint(20) unsigned, nullable.
    pub instance_id: Option<u64>,
    /// `job_cmd` varchar(255), nullable.
    pub job_cmd: Option<String>,
    /// Command parameter info. `job_cmd_info` text, nullable.
    pub job_cmd_info: Option<String>,
    /// Command version. `job_cmd_ver` int(1), nullable.
    pub job_cmd_ver: Option<i32>,
    /// General job execution status. `job_status` int(1), nullable.
    pub job_status: Option<JobStatus>,
    /// Job specific process status for asynchronize progress update. `job_process_status` int(1), nullable.
    pub job_process_status: Option<i32>,
    /// Job result code, specify error code corresponding to result message. `job_result_code` int(1), nullable.
    pub job_result_code: Option<i32>,
    /// Job result info. `job_result` text, nullable.
    pub job_result: Option<String>,
    /// The initiating msid. `job_init_msid` bigint(20), nullable.
    pub job_init_msid: Option<i64>,
    /// Completing msid. `job_complete_msid` bigint(20), nullable.
    pub job_complete_msid: Option<i64>,
    /// Date created. `created` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Date created. `last_updated` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub last_updated: Option<DateTime<Utc>>,
    /// Date polled. `last_polled` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub last_polled: Option<DateTime<Utc>>,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `related` char(40).
    pub related: String,
    /// `job_type` varchar(32), nullable.
    pub job_type: Option<String>,
    /// `job_dispatcher` varchar(64), nullable.
    pub job_dispatcher: Option<String>,
    /// `job_executing_msid` bigint(20), nullable.
    pub job_executing_msid: Option<i64>,
    /// `job_pending_signals` int(10), default 0.
    pub job_pending_signals: i32,
}

/// A new row of `cloud`.`async_job`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = async_job, check_for_backend(diesel::mysql::Mysql))]
pub struct NewAsyncJob {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<JobId>,
    /// `user_id` bigint(20) unsigned.
    pub user_id: UserId,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// Instance_type and instance_id work together to allow attaching an instance object to a job. `instance_type` varchar(64), nullable.
    pub instance_type: Option<String>,
    /// `instance_id` bigint(20) unsigned, nullable.
    pub instance_id: Option<u64>,
    /// `job_cmd` varchar(255), nullable.
    pub job_cmd: Option<String>,
    /// Command parameter info. `job_cmd_info` text, nullable.
    pub job_cmd_info: Option<String>,
    /// Command version. `job_cmd_ver` int(1), nullable.
    pub job_cmd_ver: Option<i32>,
    /// General job execution status. `job_status` int(1), nullable.
    pub job_status: Option<JobStatus>,
    /// Job specific process status for asynchronize progress update. `job_process_status` int(1), nullable.
    pub job_process_status: Option<i32>,
    /// Job result code, specify error code corresponding to result message. `job_result_code` int(1), nullable.
    pub job_result_code: Option<i32>,
    /// Job result info. `job_result` text, nullable.
    pub job_result: Option<String>,
    /// The initiating msid. `job_init_msid` bigint(20), nullable.
    pub job_init_msid: Option<i64>,
    /// Completing msid. `job_complete_msid` bigint(20), nullable.
    pub job_complete_msid: Option<i64>,
    /// Date created. `created` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Date created. `last_updated` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub last_updated: Option<DateTime<Utc>>,
    /// Date polled. `last_polled` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub last_polled: Option<DateTime<Utc>>,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `related` char(40).
    pub related: String,
    /// `job_type` varchar(32), nullable.
    pub job_type: Option<String>,
    /// `job_dispatcher` varchar(64), nullable.
    pub job_dispatcher: Option<String>,
    /// `job_executing_msid` bigint(20), nullable.
    pub job_executing_msid: Option<i64>,
    /// `job_pending_signals` int(10), default 0. `None` stores the column default.
    pub job_pending_signals: Option<i32>,
}
