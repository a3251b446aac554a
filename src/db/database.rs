//! [`Database`]: the two pools a CloudStack management server needs.

use std::path::Path;

use super::{DatabaseConfig, DbPool};
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
        Ok(Self {
            usage: DbPool::connect(&config.usage)?,
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
