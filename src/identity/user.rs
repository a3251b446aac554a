//! `cloud`.`user`: UserVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{AccountState, UserSource};
use crate::Secret;
use crate::schema::cloud::user;
use crate::types::{AccountId, IntBool, OptionOf, UserId, UtcDateTime, UuidText};

/// A row of `cloud`.`user` as CloudStack's `UserVO` maps it.
///
/// ```no_run
/// use cloudstack_db::identity::User;
/// use cloudstack_db::schema::cloud::user;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<User> = user::table.select(User::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = user, check_for_backend(diesel::mysql::Mysql))]
pub struct User {
    /// `id` bigint(20) unsigned.
    pub id: UserId,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `username` varchar(255).
    pub username: String,
    /// `password` varchar(255).
    #[serde(skip)]
    pub password: Secret,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `firstname` varchar(255), nullable.
    pub firstname: Option<String>,
    /// `lastname` varchar(255), nullable.
    pub lastname: Option<String>,
    /// `email` varchar(255), nullable.
    pub email: Option<String>,
    /// `state` varchar(10), default 'enabled'.
    pub state: AccountState,
    /// `api_key` varchar(255), nullable.
    pub api_key: Option<String>,
    /// `secret_key` varchar(255), nullable.
    #[serde(skip)]
    pub secret_key: Option<Secret>,
    /// Is api key access allowed for the user. `api_key_access` tinyint(1), nullable.
    pub api_key_access: Option<bool>,
    /// Date created. `created` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// `timezone` varchar(30), nullable.
    pub timezone: Option<String>,
    /// `registration_token` varchar(255), nullable.
    pub registration_token: Option<String>,
    /// 1: yes, 0: no. `is_registered` tinyint(4), default 0.
    #[diesel(deserialize_as = IntBool)]
    pub is_registered: bool,
    /// `incorrect_login_attempts` int(10) unsigned, default 0.
    pub incorrect_login_attempts: u32,
    /// 1 if user is default. `default` int(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub default: bool,
    /// `source` varchar(40), default 'UNKNOWN'.
    pub source: UserSource,
    /// Reference to external federation entity. `external_entity` text, nullable.
    pub external_entity: Option<String>,
    /// `is_user_2fa_enabled` tinyint(4), default 0.
    #[diesel(deserialize_as = IntBool)]
    pub is_user_2fa_enabled: bool,
    /// `key_for_2fa` varchar(255), nullable.
    pub key_for_2fa: Option<String>,
    /// `user_2fa_provider` varchar(255), nullable.
    pub user_2fa_provider: Option<String>,
}

/// A new row of `cloud`.`user`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = user, check_for_backend(diesel::mysql::Mysql))]
pub struct NewUser {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<UserId>,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `username` varchar(255).
    pub username: String,
    /// `password` varchar(255).
    pub password: Secret,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `firstname` varchar(255), nullable.
    pub firstname: Option<String>,
    /// `lastname` varchar(255), nullable.
    pub lastname: Option<String>,
    /// `email` varchar(255), nullable.
    pub email: Option<String>,
    /// `state` varchar(10), default 'enabled'. `None` stores the column default.
    pub state: Option<AccountState>,
    /// `api_key` varchar(255), nullable.
    pub api_key: Option<String>,
    /// `secret_key` varchar(255), nullable.
    pub secret_key: Option<Secret>,
    /// Is api key access allowed for the user. `api_key_access` tinyint(1), nullable.
    pub api_key_access: Option<bool>,
    /// Date created. `created` datetime.
    #[diesel(serialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// `timezone` varchar(30), nullable.
    pub timezone: Option<String>,
    /// `registration_token` varchar(255), nullable.
    pub registration_token: Option<String>,
    /// 1: yes, 0: no. `is_registered` tinyint(4), default 0.
    #[diesel(serialize_as = IntBool)]
    pub is_registered: bool,
    /// `incorrect_login_attempts` int(10) unsigned, default 0. `None` stores the column default.
    pub incorrect_login_attempts: Option<u32>,
    /// 1 if user is default. `default` int(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub default: bool,
    /// `source` varchar(40), default 'UNKNOWN'. `None` stores the column default.
    pub source: Option<UserSource>,
    /// Reference to external federation entity. `external_entity` text, nullable.
    pub external_entity: Option<String>,
    /// `is_user_2fa_enabled` tinyint(4), default 0.
    #[diesel(serialize_as = IntBool)]
    pub is_user_2fa_enabled: bool,
    /// `key_for_2fa` varchar(255), nullable.
    pub key_for_2fa: Option<String>,
    /// `user_2fa_provider` varchar(255), nullable.
    pub user_2fa_provider: Option<String>,
}
