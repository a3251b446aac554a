//! [`Database`]: the two pools a CloudStack management server needs.

use std::path::Path;

use diesel::MysqlConnection;

use super::{DatabaseConfig, DbPool, ReadRouter, ReadYourWrites, RetryPolicy, Tx};
use crate::Result;
use crate::crypto::Encryptor;

/// Both CloudStack databases: a pool for `cloud` and one for `cloud_usage`. Cheap to clone.
///
/// Reads run on a connection ([`Database::read`]); writes run in a transaction
/// ([`Database::write`]), whose [`Tx`] every write function of the crate takes.
///
/// ```no_run
/// use cloudstack_db::prelude::*;
///
/// let db = Database::from_env()?;       // CLOUD_DATABASE_URL / USAGE_DATABASE_URL
/// let zones = db.read(|conn| zones::list_all(conn))?;
/// # Ok::<(), cloudstack_db::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Database {
    cloud: DbPool,
    usage: DbPool,
    sequences: DbPool,
    cloud_reads: ReadRouter,
    usage_reads: ReadRouter,
    column_encryptor: Option<Encryptor>,
}

impl Database {
    /// Opens both pools (each checks its address and credentials with one connection first).
    pub fn connect(config: &DatabaseConfig) -> Result<Self> {
        // Sequence ids are taken on connections of their own while the caller may hold a
        // `cloud` connection: a small separate pool, so creators never starve each other.
        let mut sequences = config.cloud.clone();
        sequences.pool.max_size = sequences.pool.max_size.clamp(1, 4);
        sequences.pool.min_idle = Some(0);
        let cloud = DbPool::connect(&config.cloud)?;
        let usage = DbPool::connect(&config.usage)?;
        let r = &config.replicas;
        Ok(Self {
            cloud_reads: ReadRouter::new(cloud.clone(), &r.cloud, r.max_lag, r.recheck_after)?,
            usage_reads: ReadRouter::new(usage.clone(), &r.usage, r.max_lag, r.recheck_after)?,
            usage,
            // Same target and credentials as `cloud`, which was just checked.
            sequences: DbPool::connect_verified(&sequences)?,
            cloud,
            column_encryptor: config.column_encryptor.clone(),
        })
    }

    /// Opens both pools from `CLOUD_DATABASE_URL` and `USAGE_DATABASE_URL`.
    pub fn from_env() -> Result<Self> {
        Self::connect(&DatabaseConfig::from_env()?)
    }

    /// Opens both pools as CloudStack's `db.properties` describes them.
    ///
    /// ```no_run
    /// let db = cloudstack_db::Database::from_db_properties_file(
    ///     "/etc/cloudstack/management/db.properties")?;
    /// # Ok::<(), cloudstack_db::Error>(())
    /// ```
    pub fn from_db_properties_file(path: impl AsRef<Path>) -> Result<Self> {
        Self::connect(&DatabaseConfig::from_db_properties_file(path)?)
    }

    /// Runs `f` on a pooled `cloud` connection, outside any transaction (see
    /// [`DbPool::run`]): the way to call the crate's reads.
    ///
    /// ```no_run
    /// use cloudstack_db::prelude::*;
    /// # fn demo(db: &Database) -> cloudstack_db::Result<()> {
    /// let offerings = db.read(|conn| service_offerings::list_all(conn))?;
    /// # Ok(()) }
    /// ```
    pub fn read<T>(&self, f: impl FnOnce(&mut MysqlConnection) -> Result<T>) -> Result<T> {
        self.cloud.run(f)
    }

    /// Runs `f` in one transaction on the `cloud` database: COMMIT when it returns `Ok`,
    /// ROLLBACK (nothing left behind) when it returns `Err`. Every write function called with
    /// the [`Tx`] joins this transaction — no savepoints.
    ///
    /// ```no_run
    /// use cloudstack_db::prelude::*;
    /// # fn demo(db: &Database, spec: UserVmSpec, root: VolumeSpec) -> cloudstack_db::Result<()> {
    /// // A VM, its ROOT volume and a public address: one transaction, one COMMIT.
    /// let (vm, root, ip) = db.write(|tx| {
    ///     let vm = vms::create(tx, &spec)?;
    ///     let root = volumes::create(tx, &vm.attached(&root))?;
    ///     let owner = AllocateRequest::for_account(vm.instance.data_center_id,
    ///         vm.instance.account_id, vm.instance.domain_id);
    ///     let ip = public_ips::allocate(tx, &owner)?;
    ///     Ok((vm, root, ip))
    /// })?;
    /// # Ok(()) }
    /// ```
    pub fn write<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        self.write_on(&self.cloud, f)
    }

    /// Like [`Database::write`], running the **whole** closure again, on a new connection where
    /// needed, whenever the transaction certainly did not commit (deadlock, lock wait timeout,
    /// a connection lost before COMMIT, …; see [`DbPool::transaction_with_retry`]). The closure
    /// may therefore run more than once: keep side effects outside the database out of it.
    ///
    /// ```no_run
    /// use cloudstack_db::prelude::*;
    /// # fn demo(db: &Database, request: AllocateRequest) -> cloudstack_db::Result<()> {
    /// let ip = db.write_with_retry(&RetryPolicy::default(), |tx| public_ips::allocate(tx, &request))?;
    /// # Ok(()) }
    /// ```
    pub fn write_with_retry<T>(
        &self,
        policy: &RetryPolicy,
        f: impl FnMut(&mut Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        self.write_with_retry_on(&self.cloud, policy, f)
    }

    /// [`Database::read`] on the `cloud_usage` database.
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
    /// let info = db.usage_read(|conn| cloudstack_db::db::ServerInfo::query(conn))?;
    /// # Ok(()) }
    /// ```
    pub fn usage_read<T>(&self, f: impl FnOnce(&mut MysqlConnection) -> Result<T>) -> Result<T> {
        self.usage.run(f)
    }

    /// [`Database::write`] on the `cloud_usage` database.
    ///
    /// ```no_run
    /// # use diesel::RunQueryDsl;
    /// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
    /// db.usage_write(|tx| Ok(diesel::sql_query("DELETE FROM usage_job WHERE id = 0").execute(tx.conn())?))?;
    /// # Ok(()) }
    /// ```
    pub fn usage_write<T>(&self, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        self.write_on(&self.usage, f)
    }

    /// [`Database::write_with_retry`] on the `cloud_usage` database.
    ///
    /// ```no_run
    /// # use diesel::RunQueryDsl;
    /// use cloudstack_db::db::RetryPolicy;
    /// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
    /// db.usage_write_with_retry(&RetryPolicy::default(), |tx| {
    ///     Ok(diesel::sql_query("DELETE FROM usage_job WHERE id = 0").execute(tx.conn())?)
    /// })?;
    /// # Ok(()) }
    /// ```
    pub fn usage_write_with_retry<T>(
        &self,
        policy: &RetryPolicy,
        f: impl FnMut(&mut Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        self.write_with_retry_on(&self.usage, policy, f)
    }

    fn write_on<T>(&self, pool: &DbPool, f: impl FnOnce(&mut Tx<'_>) -> Result<T>) -> Result<T> {
        let encryptor = self.column_encryptor.as_ref();
        pool.run(|conn| Tx::run(conn, self, encryptor, f))
    }

    fn write_with_retry_on<T>(
        &self,
        pool: &DbPool,
        policy: &RetryPolicy,
        mut f: impl FnMut(&mut Tx<'_>) -> Result<T>,
    ) -> Result<T> {
        let encryptor = self.column_encryptor.as_ref();
        pool.transaction_with_retry(policy, |conn| Tx::within(conn, self, encryptor, &mut f))
    }

    /// The `cloud` database pool.
    pub fn cloud(&self) -> &DbPool {
        &self.cloud
    }

    /// The `cloud_usage` database pool.
    pub fn usage(&self) -> &DbPool {
        &self.usage
    }

    /// The pool [`super::IdSource`] takes sequence ids from (a few connections of the
    /// `cloud` database, apart from [`Database::cloud`]).
    pub fn sequences(&self) -> &DbPool {
        &self.sequences
    }

    /// The encryptor of encrypted columns (`db.cloud.encrypt.secret`), when configured.
    pub fn column_encryptor(&self) -> Option<&Encryptor> {
        self.column_encryptor.as_ref()
    }

    /// Reads of the `cloud` database that may be up to the configured lag behind (lists,
    /// reports): a healthy read replica, or the primary (see `docs/scaling.md`).
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
    /// let zones = db.cloud_reads().run(|c| cloudstack_db::catalog::zones::list_all(c))?;
    /// # Ok(()) }
    /// ```
    pub fn cloud_reads(&self) -> &ReadRouter {
        &self.cloud_reads
    }

    /// Reads of the `cloud_usage` database that may be behind (usage records, billing
    /// reports): a healthy read replica, or the primary.
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database) {
    /// assert_eq!(db.usage_reads().replica_count(), 0);
    /// # }
    /// ```
    pub fn usage_reads(&self) -> &ReadRouter {
        &self.usage_reads
    }

    /// A session of writes and reads on the `cloud` database that always sees its own writes,
    /// reading from replicas once they have them.
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
    /// let mut session = db.read_your_writes();
    /// let zones = session.read(|c| cloudstack_db::catalog::zones::list_all(c))?;
    /// # Ok(()) }
    /// ```
    pub fn read_your_writes(&self) -> ReadYourWrites {
        ReadYourWrites::new(self.cloud_reads.clone())
    }
}
