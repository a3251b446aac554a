//! [`Database`]: the two pools a CloudStack management server needs.

use std::path::Path;

use super::{DatabaseConfig, DbPool, ReadRouter, ReadYourWrites};
use crate::Result;
use crate::crypto::Encryptor;
use crate::migrations::{self, MigrationReport, Schema};

/// Both CloudStack databases: a pool for `cloud` and one for `cloud_usage`. Cheap to clone.
///
/// ```no_run
/// use cloudstack_db::Database;
/// use diesel::RunQueryDsl;
///
/// let db = Database::from_env()?;       // CLOUD_DATABASE_URL / USAGE_DATABASE_URL
/// db.cloud().transaction(|conn| {
///     diesel::sql_query("UPDATE sequence SET value = value + 1 WHERE name = 'volume_seq'")
///         .execute(conn)?;
///     Ok(())
/// })?;
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

    /// The `cloud` database pool.
    pub fn cloud(&self) -> &DbPool {
        &self.cloud
    }

    /// The `cloud_usage` database pool.
    pub fn usage(&self) -> &DbPool {
        &self.usage
    }

    /// The pool [`crate::repo::IdSource`] takes sequence ids from (a few connections of the
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
    /// let zones = db.cloud_reads().run(|c| cloudstack_db::compute::zones_and_offerings::list_zones(c))?;
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
    /// let zones = session.read(|c| cloudstack_db::compute::zones_and_offerings::list_zones(c))?;
    /// # Ok(()) }
    /// ```
    pub fn read_your_writes(&self) -> ReadYourWrites {
        ReadYourWrites::new(self.cloud_reads.clone())
    }

    /// Applies the pending migrations of both databases and says which ran; a fresh install also
    /// gets its `admin` user enabled, as CloudStack's first start does
    /// ([`crate::migrations::migrate`]).
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
    /// let report = db.run_migrations()?;
    /// println!("applied {} migrations", report.cloud.len() + report.usage.len());
    /// # Ok(()) }
    /// ```
    pub fn run_migrations(&self) -> Result<MigrationReport> {
        let cloud = self
            .cloud
            .run(|conn| migrations::migrate(conn, Schema::Cloud))?;
        let usage = self
            .usage
            .run(|conn| migrations::migrate(conn, Schema::Usage))?;
        Ok(MigrationReport { cloud, usage })
    }
}
