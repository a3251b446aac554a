//! `cloud`.`domain`: DomainVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::{DomainState, DomainType};
use crate::schema::cloud::domain;
use crate::types::{AccountId, DomainId, OptionOf, UtcDateTime, UuidText};

/// A row of `cloud`.`domain` as CloudStack's `DomainVO` maps it.
///
/// ```no_run
/// use cloudstack_db::identity::Domain;
/// use cloudstack_db::schema::cloud::domain;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Domain> = domain::table.select(Domain::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = domain, check_for_backend(diesel::mysql::Mysql))]
pub struct Domain {
    /// `id` bigint(20) unsigned.
    pub id: DomainId,
    /// `parent` bigint(20) unsigned, nullable.
    pub parent: Option<DomainId>,
    /// `name` varchar(255), nullable.
    pub name: Option<String>,
    /// `uuid` varchar(40), nullable.
    #[diesel(deserialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `owner` bigint(20) unsigned.
    pub owner: AccountId,
    /// `path` varchar(255).
    pub path: String,
    /// `level` int(10), default 0.
    pub level: i32,
    /// `child_count` int(10), default 0.
    pub child_count: i32,
    /// `next_child_seq` bigint(20) unsigned, default 1.
    pub next_child_seq: u64,
    /// Date created. `created` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(deserialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// State of the domain. `state` char(32), default 'Active'.
    pub state: DomainState,
    /// `network_domain` varchar(255), nullable.
    pub network_domain: Option<String>,
    /// Type of the domain - can be Normal or Project. `type` varchar(255), default 'Normal'.
    #[diesel(column_name = type_)]
    pub domain_type: DomainType,
}

/// A new row of `cloud`.`domain`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = domain, check_for_backend(diesel::mysql::Mysql))]
pub struct NewDomain {
    /// `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<DomainId>,
    /// `parent` bigint(20) unsigned, nullable.
    pub parent: Option<DomainId>,
    /// `name` varchar(255), nullable.
    pub name: Option<String>,
    /// `uuid` varchar(40), nullable.
    #[diesel(serialize_as = OptionOf<UuidText>)]
    pub uuid: Option<Uuid>,
    /// `owner` bigint(20) unsigned.
    pub owner: AccountId,
    /// `path` varchar(255).
    pub path: String,
    /// `level` int(10), default 0. `None` stores the column default.
    pub level: Option<i32>,
    /// `child_count` int(10), default 0. `None` stores the column default.
    pub child_count: Option<i32>,
    /// `next_child_seq` bigint(20) unsigned, default 1. `None` stores the column default.
    pub next_child_seq: Option<u64>,
    /// Date created. `created` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub created: Option<DateTime<Utc>>,
    /// Date removed. `removed` datetime, nullable.
    #[diesel(serialize_as = OptionOf<UtcDateTime>)]
    pub removed: Option<DateTime<Utc>>,
    /// State of the domain. `state` char(32), default 'Active'. `None` stores the column default.
    pub state: Option<DomainState>,
    /// `network_domain` varchar(255), nullable.
    pub network_domain: Option<String>,
    /// Type of the domain - can be Normal or Project. `type` varchar(255), default 'Normal'. `None` stores the column default.
    #[diesel(column_name = type_)]
    pub domain_type: Option<DomainType>,
}
