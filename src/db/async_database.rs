//! [`AsyncDatabase`]: the crate's reads and writes for tokio servers (feature `async`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use diesel::MysqlConnection;

use super::{Database, RetryPolicy, Tx};
use crate::{Error, Result};

/// A [`Database`] for async code: each call runs its closure — the whole transaction, with its
/// retries and their back-off — on tokio's blocking pool, so no runtime worker ever waits for
/// the database. Cheap to clone.
///
/// Cancellation: dropping the returned future never leaves a transaction half-applied or a
/// connection inside a transaction. A call whose future is dropped before its closure starts
/// does nothing ([`Error::Cancelled`] is what it would have returned); once the closure has
/// started, the transaction runs to its end on the blocking pool — COMMIT or ROLLBACK — and the
/// connection goes back to the pool, whether anyone still waits for the result or not.
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// use cloudstack_db::AsyncDatabase;
///
/// # async fn demo(db: Database, spec: UserVmSpec) -> cloudstack_db::Result<()> {
/// let db = AsyncDatabase::new(db);
/// let vm = db.write(move |tx| vms::create(tx, &spec)).await?;
/// let found = db.read(move |conn| vms::find(conn, vm.instance.id)).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct AsyncDatabase {
    db: Database,
}

impl AsyncDatabase {
    /// Wraps the pools of `db`.
    ///
    /// ```no_run
    /// # fn demo() -> cloudstack_db::Result<()> {
    /// let db = cloudstack_db::AsyncDatabase::new(cloudstack_db::Database::from_env()?);
    /// # Ok(()) }
    /// ```
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The synchronous [`Database`] behind this one.
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::AsyncDatabase) {
    /// let pools = db.blocking();
    /// # }
    /// ```
    pub fn blocking(&self) -> &Database {
        &self.db
    }

    /// [`Database::read`] on the blocking pool.
    ///
    /// ```no_run
    /// # async fn demo(db: &cloudstack_db::AsyncDatabase) -> cloudstack_db::Result<()> {
    /// let zones = db.read(|conn| cloudstack_db::catalog::zones::list_all(conn)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut MysqlConnection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.off_runtime(move |db| db.read(f)).await
    }

    /// [`Database::write`] on the blocking pool: `f` runs in one transaction.
    ///
    /// ```no_run
    /// # async fn demo(db: &cloudstack_db::AsyncDatabase, id: cloudstack_db::types::VmId) -> cloudstack_db::Result<()> {
    /// db.write(move |tx| cloudstack_db::compute::vms::remove(tx, id)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut Tx<'_>) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.off_runtime(move |db| db.write(f)).await
    }

    /// [`Database::write_with_retry`] on the blocking pool: the retries and the back-off between
    /// them sleep a blocking-pool thread, never a runtime worker.
    ///
    /// ```no_run
    /// use cloudstack_db::prelude::*;
    /// # async fn demo(db: &cloudstack_db::AsyncDatabase, request: AllocateRequest) -> cloudstack_db::Result<()> {
    /// let ip = db
    ///     .write_with_retry(RetryPolicy::default(), move |tx| public_ips::allocate(tx, &request))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn write_with_retry<T, F>(&self, policy: RetryPolicy, f: F) -> Result<T>
    where
        F: FnMut(&mut Tx<'_>) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.off_runtime(move |db| db.write_with_retry(&policy, f))
            .await
    }

    /// [`Database::usage_read`] on the blocking pool.
    ///
    /// ```no_run
    /// # async fn demo(db: &cloudstack_db::AsyncDatabase) -> cloudstack_db::Result<()> {
    /// let info = db.usage_read(|conn| cloudstack_db::db::ServerInfo::query(conn)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn usage_read<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut MysqlConnection) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.off_runtime(move |db| db.usage_read(f)).await
    }

    /// [`Database::usage_write`] on the blocking pool.
    ///
    /// ```no_run
    /// # use diesel::RunQueryDsl;
    /// # async fn demo(db: &cloudstack_db::AsyncDatabase) -> cloudstack_db::Result<()> {
    /// db.usage_write(|tx| Ok(diesel::sql_query("DELETE FROM usage_job WHERE id = 0").execute(tx.conn())?))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn usage_write<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut Tx<'_>) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.off_runtime(move |db| db.usage_write(f)).await
    }

    /// Runs `work` on tokio's blocking pool unless the caller's future was dropped before it
    /// started; a panic in `work` is resumed in the caller.
    async fn off_runtime<T, W>(&self, work: W) -> Result<T>
    where
        W: FnOnce(&Database) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let cancelled = Arc::new(AtomicBool::new(false));
        let guard = CancelOnDrop(cancelled.clone());
        let db = self.db.clone();
        let task = tokio::task::spawn_blocking(move || {
            if cancelled.load(Ordering::SeqCst) {
                return Err(Error::Cancelled);
            }
            work(&db)
        });
        let outcome = task.await;
        drop(guard); // the work has ended: nothing reads the flag any more
        match outcome {
            Ok(result) => result,
            Err(join) if join.is_panic() => std::panic::resume_unwind(join.into_panic()),
            Err(_) => Err(Error::Cancelled),
        }
    }
}

/// Set when the future holding it is dropped before the blocking work ended.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}
