//! What every repository shares: ids from CloudStack's `sequence` table, keyset pages with an
//! opaque cursor, and the clock.
//!
//! Repository functions take `&mut MysqlConnection`, so a caller can run several of them in one
//! transaction (`cloudstack_db::db::transaction(conn, |conn| ...)`) or pass a pooled connection
//! (`&mut *db.cloud().get()?`).

mod page;
mod sequence;
mod soft_delete;

pub use page::{Cursor, MAX_PAGE_SIZE, Page, PageRequest};
pub use sequence::{IdSource, SequenceName, next_in_sequence};
pub(crate) use soft_delete::{expunge_row, soft_delete};

use chrono::{DateTime, SubsecRound, Utc};

/// Now, in UTC, to the second (what a `datetime` column stores).
///
/// ```
/// use chrono::Timelike;
/// assert_eq!(cloudstack_db::repo::now().nanosecond(), 0);
/// ```
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

diesel::define_sql_function! {
    /// MySQL's `LAST_INSERT_ID()`.
    #[sql_name = "LAST_INSERT_ID"]
    fn last_insert_id_sql() -> diesel::sql_types::Unsigned<diesel::sql_types::BigInt>;
}

/// The AUTO_INCREMENT id the last INSERT on `conn` generated.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let id = cloudstack_db::repo::last_insert_id(conn)?;
/// # Ok(()) }
/// ```
pub fn last_insert_id(conn: &mut diesel::MysqlConnection) -> crate::Result<u64> {
    use diesel::RunQueryDsl;
    Ok(diesel::select(last_insert_id_sql()).get_result(conn)?)
}

/// Runs `step` (one bounded batch, returning the rows it touched) until a batch touches
/// nothing; returns the total. Each step is its own statement, so no single huge one runs.
pub(crate) fn in_batches(mut step: impl FnMut() -> crate::Result<usize>) -> crate::Result<usize> {
    let mut total = 0;
    loop {
        match step()? {
            0 => return Ok(total),
            n => total += n,
        }
    }
}
