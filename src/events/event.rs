//! `cloud`.`event`: EventVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{EventLevel, EventState};
use crate::schema::cloud::event;
use crate::types::{
    AccountId, DomainId, EventId, IntBool, OptionOf, UserId, UtcDateTime, UuidText,
};

/// A row of `cloud`.`event` as CloudStack's `EventVO` maps it.
///
/// ```no_run
/// use cloudstack_db::events::Event;
/// use cloudstack_db::schema::cloud::event;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Event> = event::table.select(Event::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = event, check_for_backend(diesel::mysql::Mysql))]
pub struct Event {
    /// `id` bigint(20) unsigned.
    pub id: EventId,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `type` varchar(50).
    #[diesel(column_name = type_)]
    pub event_type: String,
    /// `state` varchar(32), default 'Completed'.
    pub state: EventState,
    /// `description` varchar(1024).
    pub description: String,
    /// `user_id` bigint(20) unsigned.
    pub user_id: UserId,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// ID of the resource associated with the event. `resource_id` bigint(20) unsigned, nullable.
    pub resource_id: Option<u64>,
    /// Type of the resource associated with the event. `resource_type` varchar(32), nullable.
    pub resource_type: Option<String>,
    /// `created` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// `level` varchar(16).
    pub level: EventLevel,
    /// `start_id` bigint(20) unsigned, default 0.
    pub start_id: EventId,
    /// `parameters` varchar(1024), nullable.
    pub parameters: Option<String>,
    /// `archived` tinyint(1) unsigned, default 0.
    #[diesel(deserialize_as = IntBool)]
    pub archived: bool,
    /// True if the detail can be displayed to the end user. `display` tinyint(1), default 1.
    pub display: bool,
}

/// A new row of `cloud`.`event`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = event, check_for_backend(diesel::mysql::Mysql))]
pub struct NewEvent {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<EventId>,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `type` varchar(50).
    #[diesel(column_name = type_)]
    pub event_type: String,
    /// `state` varchar(32), default 'Completed'. `None` stores the column default.
    pub state: Option<EventState>,
    /// `description` varchar(1024).
    pub description: String,
    /// `user_id` bigint(20) unsigned.
    pub user_id: UserId,
    /// `account_id` bigint(20) unsigned.
    pub account_id: AccountId,
    /// `domain_id` bigint(20) unsigned.
    pub domain_id: DomainId,
    /// ID of the resource associated with the event. `resource_id` bigint(20) unsigned, nullable.
    pub resource_id: Option<u64>,
    /// Type of the resource associated with the event. `resource_type` varchar(32), nullable.
    pub resource_type: Option<String>,
    /// `created` datetime.
    #[diesel(serialize_as = UtcDateTime)]
    pub created: DateTime<Utc>,
    /// `level` varchar(16).
    pub level: EventLevel,
    /// `start_id` bigint(20) unsigned, default 0. `None` stores the column default.
    pub start_id: Option<EventId>,
    /// `parameters` varchar(1024), nullable.
    pub parameters: Option<String>,
    /// `archived` tinyint(1) unsigned, default 0.
    #[diesel(serialize_as = IntBool)]
    pub archived: bool,
    /// True if the detail can be displayed to the end user. `display` tinyint(1), default 1. `None` stores the column default.
    pub display: Option<bool>,
}
