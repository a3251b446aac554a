//! Which CloudStack 4.22 release a database's columns belong to.
//!
//! 4.22.1 added `vm_id` to `cloud.usage_event`, `cloud_usage.usage_event` and
//! `cloud_usage.usage_volume` (`../shared/cloudstack-schema/SHARING.md` §1); databases of both
//! releases are in the field. The crate reads and writes those tables with or without the
//! column, as the database has it.

use std::sync::{Arc, OnceLock};

use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Unsigned};

use crate::Result;

/// The CloudStack 4.22 release whose columns a database has.
///
/// ```
/// use cloudstack_db::db::SchemaRelease;
/// assert!(SchemaRelease::V4_22_1.has_usage_vm_id());
/// assert!(!SchemaRelease::V4_22_0.has_usage_vm_id());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SchemaRelease {
    /// 4.22.0: no `vm_id` in the usage event and volume tables.
    V4_22_0,
    /// 4.22.1 (what the crate's migrations deploy): `vm_id` in them.
    V4_22_1,
}

/// The columns 4.22.1 added, as `(table, column)`: a 4.22.0 database has none of them.
const ADDED_IN_4_22_1: [(&str, &str); 2] = [("usage_event", "vm_id"), ("usage_volume", "vm_id")];

impl SchemaRelease {
    /// Whether `usage_event` (and, in `cloud_usage`, `usage_volume`) has `vm_id`.
    pub fn has_usage_vm_id(self) -> bool {
        self >= Self::V4_22_1
    }

    /// Whether a database of this release lacks `table`.`column` because a later 4.22 release
    /// added it.
    ///
    /// ```
    /// use cloudstack_db::db::SchemaRelease;
    /// assert!(SchemaRelease::V4_22_0.lacks("usage_volume", "vm_id"));
    /// assert!(!SchemaRelease::V4_22_1.lacks("usage_volume", "vm_id"));
    /// assert!(!SchemaRelease::V4_22_0.lacks("usage_volume", "size"));
    /// ```
    pub fn lacks(self, table: &str, column: &str) -> bool {
        !self.has_usage_vm_id() && ADDED_IN_4_22_1.contains(&(table, column))
    }
}

/// What a 4.22.0 database's reads select in place of `vm_id`: NULL, so rows load into the same
/// structs as on 4.22.1.
pub(crate) type NoVmId = SqlLiteral<Nullable<Unsigned<BigInt>>>;

/// The [`NoVmId`] selection.
pub(crate) fn no_vm_id() -> NoVmId {
    diesel::dsl::sql("NULL")
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The release of the database `conn` is using (its current schema), from its columns. A pooled
/// connection asks the server once for its whole pool and remembers the answer; another
/// connection asks each time.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::db::{schema_release, SchemaRelease};
/// if schema_release(conn)? == SchemaRelease::V4_22_0 {
///     println!("a CloudStack 4.22.0 database: usage events carry no vm_id");
/// }
/// # Ok(()) }
/// ```
pub fn schema_release(conn: &mut MysqlConnection) -> Result<SchemaRelease> {
    let shared: Option<Arc<OnceLock<SchemaRelease>>> =
        super::abort_watch::watch(conn).and_then(|w| w.release().cloned());
    if let Some(known) = shared.as_ref().and_then(|s| s.get()) {
        return Ok(*known);
    }
    // Any one of 4.22.1's columns there makes it 4.22.1.
    let wanted: Vec<String> = ADDED_IN_4_22_1
        .iter()
        .map(|(table, column)| format!("(TABLE_NAME = '{table}' AND COLUMN_NAME = '{column}')"))
        .collect();
    let found: Found = diesel::sql_query(format!(
        "SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
         AND ({})",
        wanted.join(" OR ")
    ))
    .get_result(conn)?;
    let release = if found.n > 0 {
        SchemaRelease::V4_22_1
    } else {
        SchemaRelease::V4_22_0
    };
    if let Some(shared) = shared {
        let _ = shared.set(release);
    }
    Ok(release)
}
