//! What every repository shares: keyset pages with an opaque cursor, text checks against a
//! column, soft delete, and the clock.
//!
//! Every aggregate has the same shape: reads take `&mut MysqlConnection` (a pooled connection,
//! or [`crate::db::Tx::conn`] inside a write); writes take the open transaction,
//! `&mut` [`crate::db::Tx`], so any number of them compose into one COMMIT without savepoints.

mod finders;
pub(crate) mod literal;
mod page;
mod row_writes;
pub mod settings;
mod text;

pub(crate) use finders::{keyset_page, live_finders, live_list_all};
pub use page::{Cursor, MAX_PAGE_SIZE, Page, PageRequest};
pub(crate) use row_writes::{expunge_row, soft_delete, update_live};
pub use text::{Charset, check_text, check_text_change, fits_charset};

use chrono::{DateTime, SubsecRound, Utc};

thread_local! {
    static FIXED_NOW: std::cell::Cell<Option<DateTime<Utc>>> = const { std::cell::Cell::new(None) };
}

/// Whether a lookup found its row: `Ok(true)`, `Ok(false)` for [`crate::Error::NotFound`], and
/// every other error passed on. Inside a transaction an error must never be taken for "not
/// found": after a deadlock the server has already ended the transaction.
///
/// ```
/// use cloudstack_db::{repo::exists, Error};
/// assert_eq!(exists(Ok::<_, Error>(1)).unwrap(), true);
/// assert_eq!(exists::<i32>(Err(Error::NotFound)).unwrap(), false);
/// assert!(exists::<i32>(Err(Error::Config("x".into()))).is_err());
/// ```
pub fn exists<T>(lookup: crate::Result<T>) -> crate::Result<bool> {
    match lookup {
        Ok(_) => Ok(true),
        Err(crate::Error::NotFound) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Now, in UTC, to the second (what a `datetime` column stores) — or the instant
/// [`with_clock_at`] set on this thread.
///
/// ```
/// use chrono::Timelike;
/// assert_eq!(cloudstack_db::repo::now().nanosecond(), 0);
/// ```
pub fn now() -> DateTime<Utc> {
    FIXED_NOW
        .with(|fixed| fixed.get())
        .unwrap_or_else(|| Utc::now().trunc_subsecs(0))
}

/// Runs `f` with [`now`] returning `at` on this thread: every timestamp the repositories write
/// (`created`, `updated`, usage event times, ...) is `at`. For replaying or importing history
/// and for tests that script what happened when; the previous clock comes back afterwards,
/// also when `f` panics.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use cloudstack_db::repo::{now, with_clock_at};
/// let midnight = Utc.with_ymd_and_hms(2026, 11, 24, 0, 0, 0).unwrap();
/// assert_eq!(with_clock_at(midnight, now), midnight);
/// assert_ne!(now(), midnight);
/// ```
pub fn with_clock_at<T>(at: DateTime<Utc>, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<DateTime<Utc>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            FIXED_NOW.with(|fixed| fixed.set(self.0));
        }
    }
    let _restore = Restore(FIXED_NOW.with(|fixed| fixed.replace(Some(at.trunc_subsecs(0)))));
    f()
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

/// Splits `rows` into owned pieces of at most `size` (for multi-row INSERTs of structs that
/// only insert by value).
///
/// ```
/// let pieces: Vec<Vec<u8>> = cloudstack_db::repo::owned_chunks(vec![1, 2, 3], 2).collect();
/// assert_eq!(pieces, vec![vec![1, 2], vec![3]]);
/// ```
pub fn owned_chunks<T>(mut rows: Vec<T>, size: usize) -> impl Iterator<Item = Vec<T>> {
    let size = size.max(1);
    std::iter::from_fn(move || {
        if rows.is_empty() {
            return None;
        }
        let rest = rows.split_off(rows.len().min(size));
        Some(std::mem::replace(&mut rows, rest))
    })
}
