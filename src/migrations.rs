//! The embedded migrations of both databases and functions to apply or revert them.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{Database, Error, Result};

/// Migrations of the `cloud` database (`migrations/cloud/`).
pub const CLOUD_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/cloud");
/// Migrations of the `cloud_usage` database (`migrations/cloud_usage/`).
pub const USAGE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/cloud_usage");

/// A fingerprint of the migration files this crate was built with (it changes whenever one of
/// them does): the test harness names its template databases after it.
///
/// ```
/// assert_eq!(cloudstack_db::migrations::FINGERPRINT.len(), 16);
/// ```
pub const FINGERPRINT: &str = env!("CSDB_MIGRATIONS_HASH");

/// Which of the two databases a migration set belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Schema {
    /// The `cloud` database.
    Cloud,
    /// The `cloud_usage` database.
    Usage,
}

impl Schema {
    /// The embedded migrations of this database.
    ///
    /// ```
    /// use cloudstack_db::migrations::Schema;
    /// use diesel::migration::MigrationSource;
    /// use diesel::mysql::Mysql;
    /// let n = MigrationSource::<Mysql>::migrations(&Schema::Cloud.migrations()).unwrap().len();
    /// assert!(n > 0);
    /// ```
    pub fn migrations(self) -> EmbeddedMigrations {
        match self {
            Schema::Cloud => CLOUD_MIGRATIONS,
            Schema::Usage => USAGE_MIGRATIONS,
        }
    }

    /// CloudStack's name for this database.
    ///
    /// ```
    /// use cloudstack_db::migrations::Schema;
    /// assert_eq!(Schema::Usage.database_name(), "cloud_usage");
    /// ```
    pub fn database_name(self) -> &'static str {
        match self {
            Schema::Cloud => "cloud",
            Schema::Usage => "cloud_usage",
        }
    }
}

/// What [`crate::Database::run_migrations`] applied, by version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationReport {
    /// Versions applied to `cloud`.
    pub cloud: Vec<String>,
    /// Versions applied to `cloud_usage`.
    pub usage: Vec<String>,
}

/// Applies every pending migration of `schema` on `conn`; returns the versions applied.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::migrations::{run_pending, Schema};
/// let applied = run_pending(conn, Schema::Cloud)?;
/// # Ok(()) }
/// ```
pub fn run_pending(conn: &mut MysqlConnection, schema: Schema) -> Result<Vec<String>> {
    let applied = conn
        .run_pending_migrations(schema.migrations())
        .map_err(|e| Error::Migration(e.to_string()))?;
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
}

/// Applies the pending migrations of `schema`; returns the versions applied. Only schema and
/// CloudStack's default rows, as CloudStack's own setup tool leaves them: no account, user or
/// offering (a management server's first start writes those, or the crate's
/// `identity::first_start::first_start`).
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::migrations::{migrate, Schema};
/// let applied = migrate(conn, Schema::Cloud)?;
/// # Ok(()) }
/// ```
pub fn migrate(conn: &mut MysqlConnection, schema: Schema) -> Result<Vec<String>> {
    migrate_with_progress(conn, schema, |_| ())
}

/// Like [`migrate`], calling `progress(version)` after each migration (for a progress bar).
///
/// A database CloudStack made (its tables there, the crate's migrations not recorded) is
/// refused with [`Error::Migration`] before anything is created: it is adopted
/// (`install::adopt`, `cloudstack-db adopt`), not migrated.
pub fn migrate_with_progress(
    conn: &mut MysqlConnection,
    schema: Schema,
    mut progress: impl FnMut(&str),
) -> Result<Vec<String>> {
    if let Found::CloudStack { version, .. } = found(conn, schema)? {
        return Err(Error::Migration(format!(
            "this {} database was made by CloudStack{}, not by the crate: adopt it with \
             `cloudstack-db adopt` (nothing was changed)",
            schema.database_name(),
            version.map(|v| format!(" ({v})")).unwrap_or_default()
        )));
    }
    let unknown = unknown_applied(conn, schema)?;
    if !unknown.is_empty() {
        return Err(Error::Migration(format!(
            "this {} database records migrations this cloudstack-db does not have ({}): an \
             earlier build made it, before the migrations deployed CloudStack's whole schema; \
             deploy it anew (the setup tool with --force-recreate) — nothing was changed",
            schema.database_name(),
            unknown.join(", ")
        )));
    }
    let pending = conn
        .pending_migrations(schema.migrations())
        .map_err(|e| Error::Migration(e.to_string()))?;
    let mut applied = Vec::with_capacity(pending.len());
    for migration in pending {
        let version = conn
            .run_migration(&*migration)
            .map_err(|e| Error::Migration(e.to_string()))?
            .to_string();
        progress(&version);
        applied.push(version);
    }
    Ok(applied)
}

/// The versions recorded in `conn`'s Diesel bookkeeping that `schema`'s migrations do not
/// have (none on a database without the table).
fn unknown_applied(conn: &mut MysqlConnection, schema: Schema) -> Result<Vec<String>> {
    if !has_table(conn, "__diesel_schema_migrations")? {
        return Ok(Vec::new());
    }
    let applied = conn
        .applied_migrations()
        .map_err(|e| Error::Migration(e.to_string()))?;
    let known: Vec<String> =
        diesel::migration::MigrationSource::<diesel::mysql::Mysql>::migrations(
            &schema.migrations(),
        )
        .map_err(|e| Error::Migration(e.to_string()))?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    let mut unknown: Vec<String> = applied
        .into_iter()
        .map(|v| v.to_string())
        .filter(|v| !known.contains(v))
        .collect();
    unknown.sort();
    Ok(unknown)
}

/// Reverts every applied migration of `schema`, newest first; returns the versions reverted.
pub fn revert_all(conn: &mut MysqlConnection, schema: Schema) -> Result<Vec<String>> {
    let reverted = conn
        .revert_all_migrations(schema.migrations())
        .map_err(|e| Error::Migration(e.to_string()))?;
    Ok(reverted.into_iter().map(|v| v.to_string()).collect())
}

/// The versions of `schema` not yet applied on `conn`.
pub fn pending(conn: &mut MysqlConnection, schema: Schema) -> Result<Vec<String>> {
    let pending = conn
        .pending_migrations(schema.migrations())
        .map_err(|e| Error::Migration(e.to_string()))?;
    Ok(pending
        .iter()
        .map(|m| m.name().version().to_string())
        .collect())
}

// Migrating is a step above the connection layer, so `Database` learns it here.
impl Database {
    /// Applies the pending migrations of both databases and says which ran ([`migrate`]): schema
    /// and CloudStack's default rows only — no account, user or offering (see
    /// `identity::first_start::first_start`).
    ///
    /// ```no_run
    /// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
    /// let report = db.run_migrations()?;
    /// println!("applied {} migrations", report.cloud.len() + report.usage.len());
    /// # Ok(()) }
    /// ```
    pub fn run_migrations(&self) -> Result<MigrationReport> {
        let cloud = self.cloud().run(|conn| migrate(conn, Schema::Cloud))?;
        let usage = self.usage().run(|conn| migrate(conn, Schema::Usage))?;
        Ok(MigrationReport { cloud, usage })
    }
}

/// What a database is, as far as adopting it is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The crate's migrations are recorded already (it made the database or adopted it).
    Managed,
    /// Nothing of CloudStack's or the crate's: `migrate` deploys it.
    Empty,
    /// A CloudStack database the crate does not manage yet; for `cloud`, the newest `version`
    /// row and its step.
    CloudStack {
        /// The newest `version` row's version (`cloud` only).
        version: Option<String>,
        /// Its step (`Complete` when the upgrade to it finished).
        step: Option<String>,
    },
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = Text)]
    version: String,
    #[diesel(sql_type = Text)]
    step: String,
}

fn has_table(conn: &mut MysqlConnection, table: &str) -> Result<bool> {
    let found: Count = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
    )
    .bind::<Text, _>(table)
    .get_result(conn)?;
    Ok(found.n > 0)
}

/// What the database `conn` uses is (see [`Found`]). Reads only: it creates nothing, not even
/// Diesel's bookkeeping table.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::migrations::{found, Found, Schema};
/// if let Found::CloudStack { version, .. } = found(conn, Schema::Cloud)? {
///     println!("CloudStack {version:?}: adopt it");
/// }
/// # Ok(()) }
/// ```
pub fn found(conn: &mut MysqlConnection, schema: Schema) -> Result<Found> {
    if has_table(conn, "__diesel_schema_migrations")? {
        let recorded: Count =
            diesel::sql_query("SELECT COUNT(*) AS n FROM __diesel_schema_migrations")
                .get_result(conn)?;
        if recorded.n > 0 {
            return Ok(Found::Managed);
        }
    }
    let marker = match schema {
        Schema::Cloud => "version",
        Schema::Usage => "usage_job",
    };
    if !has_table(conn, marker)? {
        return Ok(Found::Empty);
    }
    if schema == Schema::Usage {
        return Ok(Found::CloudStack {
            version: None,
            step: None,
        });
    }
    let newest = newest_version(conn)?;
    Ok(Found::CloudStack {
        version: newest.as_ref().map(|(v, _)| v.clone()),
        step: newest.map(|(_, s)| s),
    })
}

/// The newest `version` row's version and step (CloudStack reads its current version from the
/// newest row by id); `None` when the table is empty.
pub fn newest_version(conn: &mut MysqlConnection) -> Result<Option<(String, String)>> {
    let newest: Option<VersionRow> = diesel::sql_query(
        "SELECT CAST(TRIM(version) AS CHAR) AS version, CAST(TRIM(step) AS CHAR) AS step \
         FROM version ORDER BY id DESC LIMIT 1",
    )
    .get_result(conn)
    .optional()?;
    Ok(newest.map(|v| (v.version, v.step)))
}
