//! `cloud_usage`.`usage_ip_address`: UsageIPAddressVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::cloud_usage::usage_ip_address;
use crate::types::{AccountId, DomainId, IntBool, IpAddressId, OptionOf, UtcDateTime, ZoneId};

/// A row of `cloud_usage`.`usage_ip_address` as CloudStack's `UsageIPAddressVO` maps it.
///
/// ```no_run
/// use cloudstack_db::usage::UsageIpAddress;
/// use cloudstack_db::schema::cloud_usage::usage_ip_address;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<UsageIpAddress> = usage_ip_address::table.select(UsageIpAddress::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = usage_ip_address, check_for_backend(diesel::mysql::Mysql))]
pub struct UsageIpAddress {
    /// `id` bigint(20).
    pub id: i64,
    /// `ip_id` bigint(20) unsigned.
    pub ip_id: IpAddressId,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// `zone_id` bigint(20) unsigned.
    pub zone_id: ZoneId,
    /// `public_ip_address` varchar(15).
    pub public_ip_address: String,
    /// `is_source_nat` smallint(1).
    #[diesel(deserialize_as = IntBool)]
    pub is_source_nat: bool,
    /// `is_system` smallint(1), default 0.
    #[diesel(deserialize_as = IntBool)]
    pub is_system: bool,
    /// `assigned` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub assigned: DateTime<Utc>,
    /// `released` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub released: Option<DateTime<Utc>>,
    /// Is usage hidden. `is_hidden` smallint(1), default 0.
    #[diesel(deserialize_as = IntBool)]
    pub is_hidden: bool,
}

/// A new row of `cloud_usage`.`usage_ip_address`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = usage_ip_address, check_for_backend(diesel::mysql::Mysql))]
pub struct NewUsageIpAddress {
    /// `id` bigint(20). `None` lets the server assign it.
    pub id: Option<i64>,
    /// `ip_id` bigint(20) unsigned.
    pub ip_id: IpAddressId,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// `zone_id` bigint(20) unsigned.
    pub zone_id: ZoneId,
    /// `public_ip_address` varchar(15).
    pub public_ip_address: String,
    /// `is_source_nat` smallint(1).
    #[diesel(serialize_as = IntBool)]
    pub is_source_nat: bool,
    /// `is_system` smallint(1), default 0.
    #[diesel(serialize_as = IntBool)]
    pub is_system: bool,
    /// `assigned` datetime.
    #[diesel(serialize_as = UtcDateTime)]
    pub assigned: DateTime<Utc>,
    /// `released` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub released: Option<DateTime<Utc>>,
    /// Is usage hidden. `is_hidden` smallint(1), default 0.
    #[diesel(serialize_as = IntBool)]
    pub is_hidden: bool,
}
