//! `cloud`.`sequence`: SequenceFetcher.

use diesel::prelude::*;

use crate::schema::cloud::sequence;

/// A row of `cloud`.`sequence` as CloudStack's `SequenceFetcher` maps it.
///
/// ```no_run
/// use cloudstack_db::install::Sequence;
/// use cloudstack_db::schema::cloud::sequence;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<Sequence> = sequence::table.select(Sequence::as_select()).limit(10).load(conn)?;
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
#[diesel(table_name = sequence, check_for_backend(diesel::mysql::Mysql))]
#[diesel(primary_key(name))]
pub struct Sequence {
    /// Name of the sequence. `name` varchar(64).
    pub name: String,
    /// Sequence value. `value` bigint(20) unsigned.
    pub value: u64,
}

/// A new row of `cloud`.`sequence`. Optional fields of NOT NULL columns left `None` take the
/// column's default.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = sequence, check_for_backend(diesel::mysql::Mysql))]
pub struct NewSequence {
    /// Name of the sequence. `name` varchar(64).
    pub name: String,
    /// Sequence value. `value` bigint(20) unsigned.
    pub value: u64,
}
