//! `cloud_usage`.`usage_event`: the usage server's copy of `cloud`.`usage_event`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::cloud_usage::usage_event;
use crate::types::{AccountId, IntBool, TemplateId, UsageEventId, UtcDateTime, VmId, ZoneId};

/// A usage event as copied into `cloud_usage` (same id as in `cloud`); `processed` is set
/// once the event has been applied to the helper tables. Rows are only ever written by
/// [`crate::usage::aggregate`], so there is no insert struct.
///
/// ```no_run
/// use cloudstack_db::usage::CopiedUsageEvent;
/// use cloudstack_db::schema::cloud_usage::usage_event;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let pending: Vec<CopiedUsageEvent> = usage_event::table
///     .filter(usage_event::processed.eq(0))
///     .select(CopiedUsageEvent::as_select())
///     .limit(10)
///     .load(conn)?;
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
#[diesel(table_name = usage_event, check_for_backend(diesel::mysql::Mysql))]
pub struct CopiedUsageEvent {
    /// `id` bigint(20) unsigned: the id of the event in `cloud`.
    pub id: UsageEventId,
    /// `type` varchar(32), e.g. `VM.START`.
    #[diesel(column_name = type_)]
    pub event_type: String,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `created` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// `zone_id` bigint(20) unsigned.
    pub zone_id: ZoneId,
    /// `resource_id` bigint(20) unsigned, nullable.
    pub resource_id: Option<u64>,
    /// `resource_name` varchar(255), nullable.
    pub resource_name: Option<String>,
    /// `offering_id` bigint(20) unsigned, nullable.
    pub offering_id: Option<u64>,
    /// `template_id` bigint(20) unsigned, nullable.
    pub template_id: Option<TemplateId>,
    /// `size` bigint(20) unsigned, nullable.
    pub size: Option<u64>,
    /// `resource_type` varchar(32), nullable.
    pub resource_type: Option<String>,
    /// `processed` tinyint(4), default 0.
    #[diesel(deserialize_as = IntBool)]
    pub processed: bool,
    /// `virtual_size` bigint(20) unsigned, nullable.
    pub virtual_size: Option<u64>,
    /// `vm_id` bigint(20) unsigned, nullable (4.22.1).
    pub vm_id: Option<VmId>,
}

/// The selection of [`columns_without_vm_id`].
pub(crate) type ColumnsWithoutVmId = (
    usage_event::id,
    usage_event::type_,
    usage_event::account_id,
    usage_event::created,
    usage_event::zone_id,
    usage_event::resource_id,
    usage_event::resource_name,
    usage_event::offering_id,
    usage_event::template_id,
    usage_event::size,
    usage_event::resource_type,
    usage_event::processed,
    usage_event::virtual_size,
    crate::db::NoVmId,
);

/// The columns of [`CopiedUsageEvent`] in a CloudStack 4.22.0 database, which has no `vm_id`:
/// NULL stands in for it, so rows load into the same struct.
pub(crate) fn columns_without_vm_id() -> ColumnsWithoutVmId {
    use usage_event::dsl as c;
    (
        c::id,
        c::type_,
        c::account_id,
        c::created,
        c::zone_id,
        c::resource_id,
        c::resource_name,
        c::offering_id,
        c::template_id,
        c::size,
        c::resource_type,
        c::processed,
        c::virtual_size,
        crate::db::no_vm_id(),
    )
}
