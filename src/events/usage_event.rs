//! `cloud`.`usage_event`: UsageEventVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::cloud::{usage_event, usage_event_details};
use crate::types::{
    AccountId, AutoIncrement, IntBool, TemplateId, UsageEventId, UtcDateTime, VmId, ZoneId,
};

/// A row of `cloud`.`usage_event` as CloudStack's `UsageEventVO` maps it.
///
/// ```no_run
/// use cloudstack_db::events::UsageEvent;
/// use cloudstack_db::schema::cloud::usage_event;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<UsageEvent> = usage_event::table.select(UsageEvent::as_select()).limit(10).load(conn)?;
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
pub struct UsageEvent {
    /// `id` bigint(20) unsigned.
    pub id: UsageEventId,
    /// `type` varchar(32).
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
    /// VM ID associated with volume usage events (4.22.1). `vm_id` bigint(20) unsigned, nullable.
    pub vm_id: Option<VmId>,
}

/// A new row of `cloud`.`usage_event`, every column. `None` stores NULL — for `id`, the next
/// AUTO_INCREMENT value — so the INSERT has one text and each connection prepares it once.
/// `details` become `usage_event_details` rows of the new event, written in the same
/// transaction by [`crate::events::record_usage_event`] (a bulk `insert_into` of these rows
/// writes the events only).
#[derive(Debug, Clone, Insertable)]
#[diesel(
    table_name = usage_event,
    check_for_backend(diesel::mysql::Mysql),
    treat_none_as_default_value = false
)]
pub struct NewUsageEvent {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    #[diesel(serialize_as = AutoIncrement<UsageEventId>)]
    pub id: Option<UsageEventId>,
    /// `type` varchar(32).
    #[diesel(column_name = type_)]
    pub event_type: String,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `created` datetime.
    #[diesel(serialize_as = UtcDateTime)]
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
    #[diesel(serialize_as = IntBool)]
    pub processed: bool,
    /// `virtual_size` bigint(20) unsigned, nullable.
    pub virtual_size: Option<u64>,
    /// VM ID associated with volume usage events (4.22.1). `vm_id` bigint(20) unsigned, nullable.
    pub vm_id: Option<VmId>,
    /// `usage_event_details` (name, value) pairs: the cpu/speed/memory of a VM on a custom
    /// offering, `hidden` for an address whose network hides its usage.
    #[diesel(skip_insertion)]
    pub details: Vec<(String, String)>,
}

/// A row of `cloud`.`usage_event_details`: one name/value pair of a usage event.
///
/// ```no_run
/// use cloudstack_db::events::UsageEventDetail;
/// use cloudstack_db::schema::cloud::usage_event_details;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<UsageEventDetail> = usage_event_details::table.select(UsageEventDetail::as_select()).load(conn)?;
/// # Ok(()) }
/// ```
#[derive(
    Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize, serde::Deserialize,
)]
#[diesel(table_name = usage_event_details, check_for_backend(diesel::mysql::Mysql))]
pub struct UsageEventDetail {
    /// `id` bigint(20) unsigned.
    pub id: u64,
    /// `usage_event_id` bigint(20) unsigned.
    pub usage_event_id: UsageEventId,
    /// `name` varchar(255).
    pub name: String,
    /// `value` varchar(1024).
    pub value: String,
}

impl NewUsageEvent {
    /// Inserts the row into a CloudStack 4.22.0 database, whose `usage_event` has no `vm_id`
    /// (the value has nowhere to go there, as in CloudStack 4.22.0 itself).
    pub(crate) fn insert_without_vm_id(self, conn: &mut MysqlConnection) -> QueryResult<usize> {
        use usage_event::dsl as c;
        diesel::insert_into(usage_event::table)
            .values((
                c::id.eq(AutoIncrement::from(self.id)),
                c::type_.eq(self.event_type),
                c::account_id.eq(self.account_id),
                c::created.eq(UtcDateTime::from(self.created)),
                c::zone_id.eq(self.zone_id),
                c::resource_id.eq(self.resource_id),
                c::resource_name.eq(self.resource_name),
                c::offering_id.eq(self.offering_id),
                c::template_id.eq(self.template_id),
                c::size.eq(self.size),
                c::resource_type.eq(self.resource_type),
                c::processed.eq(IntBool::from(self.processed)),
                c::virtual_size.eq(self.virtual_size),
            ))
            .execute(conn)
    }
}
