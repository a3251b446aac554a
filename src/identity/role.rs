//! `cloud`.`roles`: RoleVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{RoleState, RoleType};
use crate::schema::cloud::roles;
use crate::types::{OptionOf, RoleId, UtcDateTime, UuidText};

/// A row of `cloud`.`roles` as CloudStack's `RoleVO` maps it.
///
/// ```no_run
/// use cloudstack_db::identity::Role;
/// use cloudstack_db::schema::cloud::roles;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Role> = roles::table.select(Role::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = roles, check_for_backend(diesel::mysql::Mysql))]
pub struct Role {
    /// `id` bigint(20) unsigned.
    pub id: RoleId,
    /// `uuid` varchar(255), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// Unique name of the dynamic role. `name` varchar(255), nullable.
    pub name: Option<String>,
    /// The type of the role. `role_type` varchar(255).
    pub role_type: RoleType,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// Description of the role. `description` text, nullable.
    pub description: Option<String>,
    /// Is this a default role. `is_default` tinyint(1), default 0.
    pub is_default: bool,
    /// Indicates whether the role will be visible to all users (public) or only to root admins (private). If this parameter is not specified during the creation of the role its value will be defaulted to true (public). `public_role` tinyint(1), default 1.
    pub public_role: bool,
    /// Role state. `state` varchar(10), default 'enabled'.
    pub state: RoleState,
}

/// A new row of `cloud`.`roles`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = roles, check_for_backend(diesel::mysql::Mysql))]
pub struct NewRole {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<RoleId>,
    /// `uuid` varchar(255), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// Unique name of the dynamic role. `name` varchar(255), nullable.
    pub name: Option<String>,
    /// The type of the role. `role_type` varchar(255).
    pub role_type: RoleType,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// Description of the role. `description` text, nullable.
    pub description: Option<String>,
    /// Is this a default role. `is_default` tinyint(1), default 0. `None` stores the column default.
    pub is_default: Option<bool>,
    /// Indicates whether the role will be visible to all users (public) or only to root admins (private). If this parameter is not specified during the creation of the role its value will be defaulted to true (public). `public_role` tinyint(1), default 1. `None` stores the column default.
    pub public_role: Option<bool>,
    /// Role state. `state` varchar(10), default 'enabled'. `None` stores the column default.
    pub state: Option<RoleState>,
}
