//! `cloud_usage`.`usage_network`: UsageNetworkVO.

use diesel::prelude::*;

use crate::schema::cloud_usage::usage_network;
use crate::types::{AccountId, NetworkId, ZoneId};

/// A row of `cloud_usage`.`usage_network` as CloudStack's `UsageNetworkVO` maps it.
///
/// ```no_run
/// use cloudstack_db::usage::UsageNetwork;
/// use cloudstack_db::schema::cloud_usage::usage_network;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<UsageNetwork> = usage_network::table.select(UsageNetwork::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = usage_network, check_for_backend(diesel::mysql::Mysql))]
#[diesel(primary_key(account_id, zone_id, host_id, network_id, event_time_millis))]
pub struct UsageNetwork {
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `zone_id` bigint(20) unsigned.
    pub zone_id: ZoneId,
    /// `host_id` bigint(20) unsigned.
    pub host_id: u64,
    /// `host_type` varchar(32), nullable.
    pub host_type: Option<String>,
    /// `network_id` bigint(20) unsigned.
    pub network_id: NetworkId,
    /// `bytes_sent` bigint(20) unsigned, default 0.
    pub bytes_sent: u64,
    /// `bytes_received` bigint(20) unsigned, default 0.
    pub bytes_received: u64,
    /// `agg_bytes_received` bigint(20) unsigned, default 0.
    pub agg_bytes_received: u64,
    /// `agg_bytes_sent` bigint(20) unsigned, default 0.
    pub agg_bytes_sent: u64,
    /// `event_time_millis` bigint(20) unsigned, default 0.
    pub event_time_millis: u64,
}

/// A new row of `cloud_usage`.`usage_network`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = usage_network, check_for_backend(diesel::mysql::Mysql))]
pub struct NewUsageNetwork {
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `zone_id` bigint(20) unsigned.
    pub zone_id: ZoneId,
    /// `host_id` bigint(20) unsigned.
    pub host_id: u64,
    /// `host_type` varchar(32), nullable.
    pub host_type: Option<String>,
    /// `network_id` bigint(20) unsigned.
    pub network_id: NetworkId,
    /// `bytes_sent` bigint(20) unsigned, default 0. `None` stores the column default.
    pub bytes_sent: Option<u64>,
    /// `bytes_received` bigint(20) unsigned, default 0. `None` stores the column default.
    pub bytes_received: Option<u64>,
    /// `agg_bytes_received` bigint(20) unsigned, default 0. `None` stores the column default.
    pub agg_bytes_received: Option<u64>,
    /// `agg_bytes_sent` bigint(20) unsigned, default 0. `None` stores the column default.
    pub agg_bytes_sent: Option<u64>,
    /// `event_time_millis` bigint(20) unsigned, default 0. `None` stores the column default.
    pub event_time_millis: Option<u64>,
}
