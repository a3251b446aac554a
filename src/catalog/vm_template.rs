//! `cloud`.`vm_template`: VMTemplateVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{CpuArch, TemplateState, TemplateType, UserDataOverridePolicy};
use crate::schema::cloud::vm_template;
use crate::types::HypervisorType;
use crate::types::ImageFormat;
use crate::types::{AccountId, IntBool, OptionOf, TemplateId, UtcDateTime, UuidText};

/// A row of `cloud`.`vm_template` as CloudStack's `VMTemplateVO` maps it.
///
/// ```no_run
/// use cloudstack_db::catalog::VmTemplate;
/// use cloudstack_db::schema::cloud::vm_template;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<VmTemplate> = vm_template::table.select(VmTemplate::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = vm_template, check_for_backend(diesel::mysql::Mysql))]
pub struct VmTemplate {
    /// `id` bigint(20) unsigned.
    pub id: TemplateId,
    /// `unique_name` varchar(255).
    pub unique_name: String,
    /// `name` varchar(255).
    pub name: String,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `public` int(1) unsigned.
    #[diesel(deserialize_as = IntBool)]
    pub public: bool,
    /// `featured` int(1) unsigned.
    #[diesel(deserialize_as = IntBool)]
    pub featured: bool,
    /// `type` varchar(32), nullable.
    #[diesel(column_name = type_)]
    pub template_type: Option<TemplateType>,
    /// Requires HVM. `hvm` int(1) unsigned.
    #[diesel(deserialize_as = IntBool)]
    pub hvm: bool,
    /// 32 bit or 64 bit. `bits` int(6) unsigned.
    pub bits: u32,
    /// The url where the template exists externally. `url` varchar(1024), nullable.
    pub url: Option<String>,
    /// Format for the template. `format` varchar(32).
    pub format: ImageFormat,
    /// Date created. `created` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// Date removed if not null. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// Id of the account that created this template. `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// Checksum for the template root disk. `checksum` varchar(255), nullable.
    pub checksum: Option<String>,
    /// Description text set by the admin for display purpose only. `display_text` varchar(4096), nullable.
    pub display_text: Option<String>,
    /// True if this template supports password reset. `enable_password` int(1) unsigned, default 1.
    #[diesel(deserialize_as = IntBool)]
    pub enable_password: bool,
    /// True if this template supports sshkey reset. `enable_sshkey` int(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub enable_sshkey: bool,
    /// The OS of the template. `guest_os_id` bigint(20) unsigned.
    pub guest_os_id: u64,
    /// True if this template represents a bootable ISO. `bootable` int(1) unsigned, default 1.
    #[diesel(deserialize_as = IntBool)]
    pub bootable: bool,
    /// Prepopulate this template to primary storage. `prepopulate` int(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub prepopulate: bool,
    /// Make this template available in all zones. `cross_zones` int(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub cross_zones: bool,
    /// Is this template extractable. `extractable` int(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub extractable: bool,
    /// Hypervisor that the template belongs to. `hypervisor_type` varchar(32), nullable.
    pub hypervisor_type: Option<HypervisorType>,
    /// Id of the original template, if this template is created from snapshot. `source_template_id` bigint(20) unsigned, nullable.
    pub source_template_id: Option<TemplateId>,
    /// Template tag. `template_tag` varchar(255), nullable.
    pub template_tag: Option<String>,
    /// Sort key used for customising sort method. `sort_key` int(32), default 0.
    pub sort_key: i32,
    /// `size` bigint(20) unsigned, nullable.
    pub size: Option<u64>,
    /// `state` varchar(255), nullable.
    pub state: Option<TemplateState>,
    /// `update_count` bigint(20) unsigned, nullable.
    pub update_count: Option<u64>,
    /// `updated` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub updated: Option<DateTime<Utc>>,
    /// True if template contains XS/VMWare tools inorder to support dynamic scaling of VM cpu/memory. `dynamically_scalable` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub dynamically_scalable: bool,
    /// If datadisk template, then id of the root template this template belongs to. `parent_template_id` bigint(20) unsigned, nullable.
    pub parent_template_id: Option<TemplateId>,
    /// Indicates if Secondary Storage is bypassed and template is downloaded to Primary Storage. `direct_download` tinyint(1), nullable, default 0.
    pub direct_download: Option<bool>,
    /// True if the template should be deployed with disks and networks as defined by OVF. `deploy_as_is` tinyint(1), default 0.
    pub deploy_as_is: bool,
    /// Id of the user data. `user_data_id` bigint(20) unsigned, nullable.
    pub user_data_id: Option<u64>,
    /// User data link policy with template. `user_data_link_policy` varchar(255), nullable.
    pub user_data_link_policy: Option<UserDataOverridePolicy>,
    /// The CPU architecture of the template/ISO. `arch` varchar(8), nullable, default 'x86_64'.
    pub arch: Option<CpuArch>,
    /// If true, the template can be used for CKS cluster deployment. `for_cks` int(1) unsigned, nullable, default 0.
    #[diesel(deserialize_as = OptionOf<IntBool>)]
    pub for_cks: Option<bool>,
    /// Id of the extension. `extension_id` bigint(20) unsigned, nullable.
    pub extension_id: Option<u64>,
}

/// A new row of `cloud`.`vm_template`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = vm_template, check_for_backend(diesel::mysql::Mysql))]
pub struct NewVmTemplate {
    /// `id` bigint(20) unsigned.
    pub id: TemplateId,
    /// `unique_name` varchar(255).
    pub unique_name: String,
    /// `name` varchar(255).
    pub name: String,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `public` int(1) unsigned.
    #[diesel(serialize_as = IntBool)]
    pub public: bool,
    /// `featured` int(1) unsigned.
    #[diesel(serialize_as = IntBool)]
    pub featured: bool,
    /// `type` varchar(32), nullable.
    #[diesel(column_name = type_)]
    pub template_type: Option<TemplateType>,
    /// Requires HVM. `hvm` int(1) unsigned.
    #[diesel(serialize_as = IntBool)]
    pub hvm: bool,
    /// 32 bit or 64 bit. `bits` int(6) unsigned.
    pub bits: u32,
    /// The url where the template exists externally. `url` varchar(1024), nullable.
    pub url: Option<String>,
    /// Format for the template. `format` varchar(32).
    pub format: ImageFormat,
    /// Date created. `created` datetime.
    #[diesel(serialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// Date removed if not null. `removed` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// Id of the account that created this template. `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// Checksum for the template root disk. `checksum` varchar(255), nullable.
    pub checksum: Option<String>,
    /// Description text set by the admin for display purpose only. `display_text` varchar(4096), nullable.
    pub display_text: Option<String>,
    /// True if this template supports password reset. `enable_password` int(1) unsigned, default 1.
    #[diesel(serialize_as = IntBool)]
    pub enable_password: bool,
    /// True if this template supports sshkey reset. `enable_sshkey` int(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub enable_sshkey: bool,
    /// The OS of the template. `guest_os_id` bigint(20) unsigned.
    pub guest_os_id: u64,
    /// True if this template represents a bootable ISO. `bootable` int(1) unsigned, default 1.
    #[diesel(serialize_as = IntBool)]
    pub bootable: bool,
    /// Prepopulate this template to primary storage. `prepopulate` int(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub prepopulate: bool,
    /// Make this template available in all zones. `cross_zones` int(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub cross_zones: bool,
    /// Is this template extractable. `extractable` int(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub extractable: bool,
    /// Hypervisor that the template belongs to. `hypervisor_type` varchar(32), nullable.
    pub hypervisor_type: Option<HypervisorType>,
    /// Id of the original template, if this template is created from snapshot. `source_template_id` bigint(20) unsigned, nullable.
    pub source_template_id: Option<TemplateId>,
    /// Template tag. `template_tag` varchar(255), nullable.
    pub template_tag: Option<String>,
    /// Sort key used for customising sort method. `sort_key` int(32), default 0. `None` stores the column default.
    pub sort_key: Option<i32>,
    /// `size` bigint(20) unsigned, nullable.
    pub size: Option<u64>,
    /// `state` varchar(255), nullable.
    pub state: Option<TemplateState>,
    /// `update_count` bigint(20) unsigned, nullable.
    pub update_count: Option<u64>,
    /// `updated` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub updated: Option<DateTime<Utc>>,
    /// True if template contains XS/VMWare tools inorder to support dynamic scaling of VM cpu/memory. `dynamically_scalable` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub dynamically_scalable: bool,
    /// If datadisk template, then id of the root template this template belongs to. `parent_template_id` bigint(20) unsigned, nullable.
    pub parent_template_id: Option<TemplateId>,
    /// Indicates if Secondary Storage is bypassed and template is downloaded to Primary Storage. `direct_download` tinyint(1), nullable, default 0.
    pub direct_download: Option<bool>,
    /// True if the template should be deployed with disks and networks as defined by OVF. `deploy_as_is` tinyint(1), default 0. `None` stores the column default.
    pub deploy_as_is: Option<bool>,
    /// Id of the user data. `user_data_id` bigint(20) unsigned, nullable.
    pub user_data_id: Option<u64>,
    /// User data link policy with template. `user_data_link_policy` varchar(255), nullable.
    pub user_data_link_policy: Option<UserDataOverridePolicy>,
    /// The CPU architecture of the template/ISO. `arch` varchar(8), nullable, default 'x86_64'.
    pub arch: Option<CpuArch>,
    /// If true, the template can be used for CKS cluster deployment. `for_cks` int(1) unsigned, nullable, default 0.
    #[diesel(serialize_as = OptionOf<IntBool>)]
    pub for_cks: Option<bool>,
    /// Id of the extension. `extension_id` bigint(20) unsigned, nullable.
    pub extension_id: Option<u64>,
}
