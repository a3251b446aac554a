//! `cloud`.`account`: AccountVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{AccountState, AccountType};
use crate::schema::cloud::account;
use crate::types::{AccountId, DomainId, IntBool, OptionOf, RoleId, UtcDateTime, UuidText, ZoneId};

/// A row of `cloud`.`account` as CloudStack's `AccountVO` maps it.
///
/// ```no_run
/// use cloudstack_db::identity::Account;
/// use cloudstack_db::schema::cloud::account;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Account> = account::table.select(Account::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = account, check_for_backend(diesel::mysql::Mysql))]
pub struct Account {
    /// `id` bigint(20) unsigned.
    pub id: AccountId,
    /// An account name set by the creator of the account, defaults to username for single accounts. `account_name` varchar(100), nullable.
    pub account_name: Option<String>,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `type` int(1) unsigned.
    #[diesel(column_name = type_)]
    pub account_type: AccountType,
    /// Role id for this account. `role_id` bigint(20) unsigned, nullable.
    pub role_id: Option<RoleId>,
    /// `domain_id` bigint(20) unsigned, nullable.
    pub domain_id: Option<DomainId>,
    /// `state` varchar(10), default 'enabled'.
    pub state: AccountState,
    /// Date created. `created` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// `cleanup_needed` tinyint(1), default 0.
    pub cleanup_needed: bool,
    /// `network_domain` varchar(255), nullable.
    pub network_domain: Option<String>,
    /// `default_zone_id` bigint(20) unsigned, nullable.
    pub default_zone_id: Option<ZoneId>,
    /// 1 if account is default. `default` int(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub default: bool,
    /// Is api key access allowed for the account. `api_key_access` tinyint(1), nullable.
    pub api_key_access: Option<bool>,
}

/// A new row of `cloud`.`account`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = account, check_for_backend(diesel::mysql::Mysql))]
pub struct NewAccount {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<AccountId>,
    /// An account name set by the creator of the account, defaults to username for single accounts. `account_name` varchar(100), nullable.
    pub account_name: Option<String>,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `type` int(1) unsigned.
    #[diesel(column_name = type_)]
    pub account_type: AccountType,
    /// Role id for this account. `role_id` bigint(20) unsigned, nullable.
    pub role_id: Option<RoleId>,
    /// `domain_id` bigint(20) unsigned, nullable.
    pub domain_id: Option<DomainId>,
    /// `state` varchar(10), default 'enabled'. `None` stores the column default.
    pub state: Option<AccountState>,
    /// Date created. `created` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// `cleanup_needed` tinyint(1), default 0. `None` stores the column default.
    pub cleanup_needed: Option<bool>,
    /// `network_domain` varchar(255), nullable.
    pub network_domain: Option<String>,
    /// `default_zone_id` bigint(20) unsigned, nullable.
    pub default_zone_id: Option<ZoneId>,
    /// 1 if account is default. `default` int(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub default: bool,
    /// Is api key access allowed for the account. `api_key_access` tinyint(1), nullable.
    pub api_key_access: Option<bool>,
}
