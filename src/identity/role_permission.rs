//! `cloud`.`role_permissions`: RolePermissionVO.

use diesel::prelude::*;
use uuid::Uuid;

use super::Permission;
use crate::schema::cloud::role_permissions;
use crate::types::{OptionOf, RoleId, RolePermissionId, UuidText};

/// A row of `cloud`.`role_permissions` as CloudStack's `RolePermissionVO` maps it.
///
/// ```no_run
/// use cloudstack_db::identity::RolePermission;
/// use cloudstack_db::schema::cloud::role_permissions;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<RolePermission> = role_permissions::table.select(RolePermission::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = role_permissions, check_for_backend(diesel::mysql::Mysql))]
pub struct RolePermission {
    /// `id` bigint(20) unsigned.
    pub id: RolePermissionId,
    /// `uuid` varchar(255), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// Id of the role. `role_id` bigint(20) unsigned.
    pub role_id: RoleId,
    /// Rule for the role, api name or wildcard. `rule` varchar(255).
    pub rule: String,
    /// Access authority, allow or deny. `permission` varchar(255).
    pub permission: Permission,
    /// Description of the rule. `description` text, nullable.
    pub description: Option<String>,
    /// Permission sort order. `sort_order` bigint(20) unsigned, default 0.
    pub sort_order: u64,
}

/// A new row of `cloud`.`role_permissions`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = role_permissions, check_for_backend(diesel::mysql::Mysql))]
pub struct NewRolePermission {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<RolePermissionId>,
    /// `uuid` varchar(255), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// Id of the role. `role_id` bigint(20) unsigned.
    pub role_id: RoleId,
    /// Rule for the role, api name or wildcard. `rule` varchar(255).
    pub rule: String,
    /// Access authority, allow or deny. `permission` varchar(255).
    pub permission: Permission,
    /// Description of the rule. `description` text, nullable.
    pub description: Option<String>,
    /// Permission sort order. `sort_order` bigint(20) unsigned, default 0. `None` stores the column default.
    pub sort_order: Option<u64>,
}
