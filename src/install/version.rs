//! `cloud`.`version`: VersionVO.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::cloud::version;
use crate::types::{UtcDateTime, VersionId};

/// A row of `cloud`.`version` as CloudStack's `VersionVO` maps it.
///
/// ```no_run
/// use cloudstack_db::install::Version;
/// use cloudstack_db::schema::cloud::version;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Version> = version::table.select(Version::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = version, check_for_backend(diesel::mysql::Mysql))]
pub struct Version {
    /// Id. `id` bigint(20) unsigned.
    pub id: VersionId,
    /// Version. `version` char(40).
    #[diesel(column_name = version_)]
    pub version: String,
    /// Date this version table was updated. `updated` datetime.
    #[diesel(deserialize_as = UtcDateTime)]
    pub updated: DateTime<Utc>,
    /// Step in the upgrade to this version. `step` char(32).
    pub step: String,
}

/// A new row of `cloud`.`version`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = version, check_for_backend(diesel::mysql::Mysql))]
pub struct NewVersion {
    /// Id. `id` bigint(20) unsigned. `None` lets the server assign it.
    pub id: Option<VersionId>,
    /// Version. `version` char(40).
    #[diesel(column_name = version_)]
    pub version: String,
    /// Date this version table was updated. `updated` datetime.
    #[diesel(serialize_as = UtcDateTime)]
    pub updated: DateTime<Utc>,
    /// Step in the upgrade to this version. `step` char(32).
    pub step: String,
}
