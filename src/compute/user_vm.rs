//! `cloud`.`user_vm`: UserVmVO.

use diesel::prelude::*;

use crate::schema::cloud::user_vm;
use crate::types::{TemplateId, VmId};

/// A row of `cloud`.`user_vm` as CloudStack's `UserVmVO` maps it.
///
/// ```no_run
/// use cloudstack_db::compute::UserVm;
/// use cloudstack_db::schema::cloud::user_vm;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<UserVm> = user_vm::table.select(UserVm::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = user_vm, check_for_backend(diesel::mysql::Mysql))]
pub struct UserVm {
    /// `id` bigint(20) unsigned.
    pub id: VmId,
    /// `iso_id` bigint(20) unsigned, nullable.
    pub iso_id: Option<TemplateId>,
    /// `display_name` varchar(255), nullable.
    pub display_name: Option<String>,
    /// `user_data` mediumtext, nullable.
    pub user_data: Option<String>,
    /// Id of the user data. `user_data_id` bigint(20) unsigned, nullable.
    pub user_data_id: Option<u64>,
    /// Value of the comma-separated list of parameters. `user_data_details` mediumtext, nullable.
    pub user_data_details: Option<String>,
    /// Defines if the parameters have been updated for the vm. `update_parameters` tinyint(1), default 1.
    pub update_parameters: bool,
    /// Defines the type of UserVM. `user_vm_type` varchar(255), nullable, default 'UserVM'.
    pub user_vm_type: Option<String>,
}

/// A new row of `cloud`.`user_vm`: the columns a user VM is created with; the others keep
/// their defaults. `None` stores NULL, so the INSERT has one text.
///
/// ```no_run
/// # fn demo(new: cloudstack_db::compute::NewUserVm, conn: &mut diesel::MysqlConnection) -> diesel::QueryResult<usize> {
/// use diesel::RunQueryDsl;
/// diesel::insert_into(cloudstack_db::schema::cloud::user_vm::table).values(new).execute(conn)
/// # }
/// ```
#[derive(Debug, Clone, Insertable)]
#[diesel(
    table_name = user_vm,
    check_for_backend(diesel::mysql::Mysql),
    treat_none_as_default_value = false
)]
pub struct NewUserVm {
    /// `id` bigint(20) unsigned (the `vm_instance` row's).
    pub id: VmId,
    /// `iso_id` bigint(20) unsigned, nullable.
    pub iso_id: Option<TemplateId>,
    /// `display_name` varchar(255), nullable.
    pub display_name: Option<String>,
    /// `user_data` mediumtext, nullable.
    pub user_data: Option<String>,
}
