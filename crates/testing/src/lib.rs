//! Throw-away databases for integration tests, cloned from a migrated template.
//!
//! Each [`TestDatabases`] is a fresh pair of databases (`…_cloud`, `…_usage`) with every
//! migration applied and the crate's first start run, under a unique name, dropped again when
//! the value is dropped — also when the test panics. Migrating for every test would dominate the
//! suite, so the migrations run once into a *template* pair named after a fingerprint of the
//! migration files; tests copy the template's tables (one multi-statement round trip).
//! [`TestDatabases::new`] copies the tables the crate models and the tables their foreign keys
//! name (about 40 of CloudStack's 352), so the 4.22 schema's size does not multiply each test's
//! cost; [`TestDatabases::full`] copies every table and view. Databases left behind by a crashed
//! run are swept the next time a test process starts.
//!
//! The server is `CSDB_TEST_ADMIN_URL` (default `mysql://root@127.0.0.1:3306/mysql`); the user
//! needs the right to create and drop databases.
//!
//! ```no_run
//! use cloudstack_db_testing::TestDatabases;
//!
//! let test = TestDatabases::new()?;
//! let db = test.database();
//! let n: i64 = db.cloud().run(|conn| {
//!     use diesel::prelude::*;
//!     Ok(cloudstack_db_testing::count(conn, "SELECT COUNT(*) FROM sequence")?)
//! })?;
//! # Ok::<(), cloudstack_db::Error>(())
//! ```

mod clone_rows;
pub mod facts;
mod infrastructure;
mod local_server;
mod public_range;
mod usage_history;

pub use clone_rows::clone_rows;
pub use infrastructure::{host, physical_network, rack, storage_pool};
pub use local_server::{LocalServer, free_port};
pub use public_range::public_range;
pub use usage_history::{HistorySpec, HistorySummary, generate_usage_history};

use std::collections::BTreeSet;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use cloudstack_db::db::Tx;
use cloudstack_db::db::{ConnectionTarget, DatabaseConfig, PoolConfig, PoolSettings};
use cloudstack_db::identity::first_start::first_start;
use cloudstack_db::migrations::{self, Schema};
use cloudstack_db::{Database, Error, Result};

/// The fingerprint of the migration files this crate was built with.
const MIGRATIONS_HASH: &str = cloudstack_db::migrations::FINGERPRINT;
/// Bumped whenever what the harness does to a template beyond the migrations changes (the
/// crate's first start included), so stale
/// templates are rebuilt.
const TEMPLATE_REVISION: u32 = 5;
/// The database secret (`db.cloud.encrypt.secret`) of test databases' column encryptor.
pub const TEST_DATABASE_SECRET: &str = "test-database-secret";
/// Prefix of every per-test database.
const TEST_PREFIX: &str = "csdbt_";
/// Table in the template's usage database that marks the template as complete.
const READY_MARKER: &str = "csdb_template_ready";
/// Test databases older than this are swept even when their process may be alive elsewhere.
const STALE_AFTER: Duration = Duration::from_secs(12 * 3600);

/// The server tests run against, from `CSDB_TEST_ADMIN_URL`.
///
/// ```
/// let admin = cloudstack_db_testing::admin_target().unwrap();
/// assert!(!admin.host.is_empty());
/// ```
pub fn admin_target() -> Result<ConnectionTarget> {
    let url = std::env::var("CSDB_TEST_ADMIN_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "mysql://root@127.0.0.1:3306/mysql".to_owned());
    ConnectionTarget::from_url(&url)
}

/// A new, unpooled connection as the test admin (no session settings beyond Diesel's).
pub fn admin_connection() -> Result<MysqlConnection> {
    Ok(MysqlConnection::establish(
        admin_target()?.diesel_url().expose(),
    )?)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Runs a `SELECT COUNT(*) ...` (or any query returning one BIGINT column) and returns it.
pub fn count(conn: &mut MysqlConnection, sql: &str) -> Result<i64> {
    let row: Count = diesel::sql_query(format!("SELECT ({sql}) AS n")).get_result(conn)?;
    Ok(row.n)
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

fn names(conn: &mut MysqlConnection, sql: &str) -> Result<Vec<String>> {
    let rows: Vec<Name> = diesel::sql_query(sql).load(conn)?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// A pair of freshly migrated databases for one test, dropped on drop.
pub struct TestDatabases {
    cloud_name: String,
    usage_name: String,
    admin: ConnectionTarget,
    database: Option<Database>,
}

impl std::fmt::Debug for TestDatabases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabases")
            .field("cloud", &self.cloud_name)
            .field("usage", &self.usage_name)
            .finish()
    }
}

/// Pool settings for tests: few connections, none opened ahead of use.
///
/// ```
/// assert_eq!(cloudstack_db_testing::test_pool_settings().min_idle, Some(0));
/// ```
pub fn test_pool_settings() -> PoolSettings {
    PoolSettings {
        max_size: 8,
        min_idle: Some(0),
        connection_timeout: Duration::from_secs(30),
        ..PoolSettings::default()
    }
}

impl TestDatabases {
    /// Fresh databases with every migration applied and pools with [`test_pool_settings`].
    pub fn new() -> Result<Self> {
        Self::with_pool(test_pool_settings())
    }

    /// Fresh migrated databases with the given pool settings, holding the tables the crate
    /// models and the tables their foreign keys name (see [`TestDatabases::full`]).
    pub fn with_pool(pool: PoolSettings) -> Result<Self> {
        Self::cloned(pool, Scope::Modelled)
    }

    /// Fresh databases with *every* table and view of CloudStack 4.22 — what the migrations
    /// deploy, for tests of the schema as a whole or of tables the crate does not model.
    pub fn full() -> Result<Self> {
        Self::cloned(test_pool_settings(), Scope::Full)
    }

    fn cloned(pool: PoolSettings, scope: Scope) -> Result<Self> {
        let template = template()?;
        let mut test = Self::allocate()?;
        let mut admin = admin_connection()?;
        let mut batch = String::new();
        for (schema, name) in [
            (Schema::Cloud, &test.cloud_name),
            (Schema::Usage, &test.usage_name),
        ] {
            batch.push_str(&template.clone_script(schema, name, scope));
        }
        admin.batch_execute(&batch)?;
        test.database = Some(Database::connect(&test.config_with(pool))?);
        Ok(test)
    }

    /// Fresh *empty* databases (nothing migrated), e.g. to test the migrations themselves.
    pub fn empty() -> Result<Self> {
        let mut test = Self::allocate()?;
        let mut admin = admin_connection()?;
        admin.batch_execute(&format!(
            "CREATE DATABASE `{}` CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci; \
             CREATE DATABASE `{}` CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci",
            test.cloud_name, test.usage_name
        ))?;
        test.database = Some(Database::connect(&test.config_with(test_pool_settings()))?);
        Ok(test)
    }

    fn allocate() -> Result<Self> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let stem = format!("{TEST_PREFIX}{epoch}_{}_{n}", std::process::id());
        Ok(Self {
            cloud_name: format!("{stem}_cloud"),
            usage_name: format!("{stem}_usage"),
            admin: admin_target()?,
            database: None,
        })
    }

    /// The pools of the two test databases.
    pub fn database(&self) -> &Database {
        self.database.as_ref().expect("set up in the constructor")
    }

    /// Name of the test's `cloud` database.
    pub fn cloud_name(&self) -> &str {
        &self.cloud_name
    }

    /// Name of the test's `cloud_usage` database.
    pub fn usage_name(&self) -> &str {
        &self.usage_name
    }

    /// A configuration for these databases with the given pool settings (e.g. to build a second
    /// `Database` with a tiny pool).
    pub fn config_with(&self, pool: PoolSettings) -> DatabaseConfig {
        config_for(&self.admin, &self.cloud_name, &self.usage_name, pool)
    }

    /// A new unpooled connection to the test's `cloud` database with CloudStack's session
    /// settings — what another management server (or CloudStack itself) would hold.
    pub fn raw_cloud_connection(&self) -> Result<MysqlConnection> {
        let config = self.config_with(test_pool_settings());
        let mut conn = MysqlConnection::establish(config.cloud.target.diesel_url().expose())?;
        config.cloud.session.apply(&mut conn)?;
        Ok(conn)
    }
}

/// A configuration for databases `cloud` and `usage` on the server of `admin`, with the test
/// column encryptor.
fn config_for(
    admin: &ConnectionTarget,
    cloud: &str,
    usage: &str,
    pool: PoolSettings,
) -> DatabaseConfig {
    let make = |name: &str| PoolConfig {
        pool: pool.clone(),
        ..PoolConfig::new(admin.with_database(name))
    };
    DatabaseConfig {
        cloud: make(cloud),
        usage: make(usage),
        column_encryptor: Some(cloudstack_db::crypto::Encryptor::new(
            TEST_DATABASE_SECRET,
            Some(cloudstack_db::crypto::EncryptorVersion::V2),
        )),
        replicas: cloudstack_db::db::ReplicaConfig::default(),
    }
}

impl Drop for TestDatabases {
    fn drop(&mut self) {
        drop(self.database.take());
        let dropped = admin_connection().and_then(|mut conn| {
            conn.batch_execute(&format!(
                "SET SESSION lock_wait_timeout = 10; DROP DATABASE IF EXISTS `{}`; \
                 DROP DATABASE IF EXISTS `{}`",
                self.cloud_name, self.usage_name
            ))
            .map_err(Error::from)
        });
        if let Err(err) = dropped {
            eprintln!("could not drop test databases {self:?}: {err} (the next run sweeps them)");
        }
    }
}

/// The migrated template databases and the DDL to copy them.
struct Template {
    cloud: SchemaCopy,
    usage: SchemaCopy,
}

struct SchemaCopy {
    source: String,
    /// `(table, CREATE TABLE)` as `SHOW CREATE TABLE` prints it, every table.
    create: Vec<(String, String)>,
    /// The tables [`Scope::Modelled`] copies.
    modelled: BTreeSet<String>,
    /// Tables that hold rows to copy.
    with_rows: Vec<String>,
    /// `CREATE VIEW` statements (no definer), each after the views it reads.
    views: Vec<String>,
}

/// How much of the template a test database gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The tables the crate models, the tables their foreign keys name (transitively) and
    /// Diesel's bookkeeping.
    Modelled,
    /// Every table and view.
    Full,
}

impl Template {
    fn clone_script(&self, schema: Schema, target: &str, scope: Scope) -> String {
        let copy = match schema {
            Schema::Cloud => &self.cloud,
            Schema::Usage => &self.usage,
        };
        let wanted = |table: &str| scope == Scope::Full || copy.modelled.contains(table);
        let mut sql = format!(
            "CREATE DATABASE `{target}` CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci;\n\
             USE `{target}`;\nSET foreign_key_checks = 0;\n"
        );
        for (table, create) in &copy.create {
            if wanted(table) {
                sql.push_str(create);
                sql.push_str(";\n");
            }
        }
        for table in copy.with_rows.iter().filter(|t| wanted(t)) {
            sql.push_str(&format!(
                "INSERT INTO `{target}`.`{table}` SELECT * FROM `{}`.`{table}`;\n",
                copy.source
            ));
        }
        sql.push_str("SET foreign_key_checks = 1;\n");
        if scope == Scope::Full {
            for view in &copy.views {
                sql.push_str(view);
                sql.push_str(";\n");
            }
        }
        sql
    }
}

fn template() -> Result<&'static Template> {
    static TEMPLATE: OnceLock<std::result::Result<Template, String>> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| build_template().map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::Migration(format!("test template: {e}")))
}

fn build_template() -> Result<Template> {
    let stem = template_stem();
    let cloud = format!("{stem}_cloud");
    let usage = format!("{stem}_usage");
    let mut admin = admin_connection()?;
    let lock = stem.clone();
    let got: Count = diesel::sql_query(format!("SELECT COALESCE(GET_LOCK('{lock}', 600), 0) AS n"))
        .get_result(&mut admin)?;
    if got.n != 1 {
        return Err(Error::Migration(
            "timed out waiting for the template lock".into(),
        ));
    }
    let result = (|| {
        sweep_leftovers(&mut admin)?;
        let ready = count(
            &mut admin,
            &format!(
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = '{usage}' AND table_name = '{READY_MARKER}'"
            ),
        )? == 1;
        if !ready {
            create_template(&mut admin, &cloud, &usage)?;
        }
        admin.batch_execute(&format!(
            "UPDATE `{usage}`.`{READY_MARKER}` SET last_used = NOW()"
        ))?;
        Ok(Template {
            cloud: read_schema(&mut admin, &cloud, Schema::Cloud, &[])?,
            usage: read_schema(&mut admin, &usage, Schema::Usage, &[READY_MARKER])?,
        })
    })();
    diesel::sql_query(format!("DO RELEASE_LOCK('{lock}')")).execute(&mut admin)?;
    result
}

/// The name stem of this build's template databases.
fn template_stem() -> String {
    format!("csdb_tpl_{MIGRATIONS_HASH}_r{TEMPLATE_REVISION}")
}

fn create_template(admin: &mut MysqlConnection, cloud: &str, usage: &str) -> Result<()> {
    create_migrated(admin, &admin_target()?, cloud, usage)?;
    admin.batch_execute(&format!(
        "CREATE TABLE `{usage}`.`{READY_MARKER}` (last_used datetime NOT NULL); \
         INSERT INTO `{usage}`.`{READY_MARKER}` VALUES (NOW())"
    ))?;
    Ok(())
}

/// (Re)creates the databases `cloud` and `usage` on the server `admin_target` points at, runs
/// every migration in them and finishes the fresh install (the default admin enabled), as the
/// setup tool leaves a deployment.
fn create_migrated(
    admin: &mut MysqlConnection,
    admin_target: &ConnectionTarget,
    cloud: &str,
    usage: &str,
) -> Result<()> {
    admin.batch_execute(&format!(
        "DROP DATABASE IF EXISTS `{cloud}`; DROP DATABASE IF EXISTS `{usage}`; \
         CREATE DATABASE `{cloud}` CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci; \
         CREATE DATABASE `{usage}` CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci"
    ))?;
    let session = cloudstack_db::db::SessionSettings::default();
    for (schema, name) in [(Schema::Cloud, cloud), (Schema::Usage, usage)] {
        let mut conn =
            MysqlConnection::establish(admin_target.with_database(name).diesel_url().expose())?;
        session.apply(&mut conn)?;
        migrations::migrate(&mut conn, schema)?;
        if schema == Schema::Cloud {
            let ids = std::sync::Mutex::new(MysqlConnection::establish(
                admin_target.with_database(name).diesel_url().expose(),
            )?);
            Tx::run(&mut conn, &ids, None, first_start)?;
        }
    }
    Ok(())
}

#[derive(QueryableByName)]
struct CreateTable {
    #[diesel(sql_type = Text, column_name = "Create Table")]
    create: String,
}

#[derive(QueryableByName)]
struct CreateView {
    #[diesel(sql_type = Text, column_name = "Create View")]
    create: String,
}

#[derive(QueryableByName)]
struct Reference {
    #[diesel(sql_type = Text)]
    child: String,
    #[diesel(sql_type = Text)]
    parent: String,
}

/// Tables read or written with SQL of their own although the crate does not model them: the
/// first start's security group and network offerings, the harness's physical networks and
/// hosts, the settings API key access is decided by.
const ALSO_COPIED: [&str; 6] = [
    "security_group",
    "network_offerings",
    "physical_network",
    "host",
    "configuration",
    "domain_details",
];

fn read_schema(
    admin: &mut MysqlConnection,
    db: &str,
    schema: Schema,
    skip: &[&str],
) -> Result<SchemaCopy> {
    let tables = names(
        admin,
        &format!(
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = '{db}' AND table_type = 'BASE TABLE' ORDER BY table_name"
        ),
    )?;
    let mut copy = SchemaCopy {
        source: db.to_owned(),
        create: Vec::new(),
        modelled: BTreeSet::new(),
        with_rows: Vec::new(),
        views: Vec::new(),
    };
    for table in tables.into_iter().filter(|t| !skip.contains(&t.as_str())) {
        let row: CreateTable =
            diesel::sql_query(format!("SHOW CREATE TABLE `{db}`.`{table}`")).get_result(admin)?;
        if count(admin, &format!("SELECT COUNT(*) FROM `{db}`.`{table}`"))? > 0 {
            copy.with_rows.push(table.clone());
        }
        copy.create.push((table, row.create));
    }
    // The modelled tables and, transitively, every table a foreign key of theirs names (a
    // child row's insert needs its parent table).
    let references: Vec<Reference> = diesel::sql_query(format!(
        "SELECT table_name AS child, referenced_table_name AS parent \
           FROM information_schema.referential_constraints WHERE constraint_schema = '{db}'"
    ))
    .load(admin)?;
    let mut pending: Vec<String> = cloudstack_db::schema::modelled_tables(schema.database_name())
        .into_iter()
        .chain(ALSO_COPIED)
        .chain(["__diesel_schema_migrations"])
        .map(str::to_owned)
        .collect();
    while let Some(table) = pending.pop() {
        if copy.modelled.insert(table.clone()) {
            pending.extend(
                references
                    .iter()
                    .filter(|r| r.child == table)
                    .map(|r| r.parent.clone()),
            );
        }
    }
    // Views, each after those it reads (information_schema.view_table_usage is MariaDB 11+).
    let mut views: Vec<(String, String)> = Vec::new();
    for view in names(
        admin,
        &format!(
            "SELECT table_name AS name FROM information_schema.views \
             WHERE table_schema = '{db}' ORDER BY table_name"
        ),
    )? {
        let row: CreateView =
            diesel::sql_query(format!("SHOW CREATE VIEW `{db}`.`{view}`")).get_result(admin)?;
        let body = row
            .create
            .split_once(" VIEW ")
            .map(|(_, rest)| rest.to_owned())
            .unwrap_or(row.create);
        // Read from another database, the definition names the template's tables with it.
        let body = body.replace(&format!("`{db}`."), "");
        views.push((view, format!("CREATE VIEW {body}")));
    }
    while !views.is_empty() {
        let ready = views
            .iter()
            .position(|(name, body)| {
                !views
                    .iter()
                    .any(|(other, _)| other != name && body.contains(&format!("`{other}`")))
            })
            .unwrap_or(0);
        copy.views.push(views.remove(ready).1);
    }
    Ok(copy)
}

/// Whether the local process `pid` (not this one) has ended.
fn process_gone(pid: u32) -> bool {
    pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Drops test databases of processes that are gone (or older than 12 hours) and templates of
/// other migration versions unused for 6 hours.
fn sweep_leftovers(admin: &mut MysqlConnection) -> Result<()> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let local = matches!(
        admin_target()?.host.as_str(),
        "127.0.0.1" | "localhost" | "::1"
    );
    let mut drop = Vec::new();
    for name in names(
        admin,
        "SELECT schema_name AS name FROM information_schema.schemata",
    )? {
        if let Some(rest) = name.strip_prefix(TEST_PREFIX) {
            let mut parts = rest.split('_');
            let epoch: u64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
            let pid: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
            let process_gone = local && process_gone(pid);
            if process_gone || now.saturating_sub(epoch) > STALE_AFTER.as_secs() {
                drop.push(name);
            }
        } else if name.starts_with("csdb_tpl_") && !name.starts_with(&template_stem()) {
            let stem = name.trim_end_matches("_cloud").trim_end_matches("_usage");
            let unused = count(
                admin,
                &format!(
                    "SELECT COUNT(*) FROM information_schema.tables t \
                     WHERE t.table_schema = '{stem}_usage' AND t.table_name = '{READY_MARKER}'"
                ),
            )? == 0
                || count(
                    admin,
                    &format!(
                        "SELECT COUNT(*) FROM `{stem}_usage`.`{READY_MARKER}` \
                         WHERE last_used < NOW() - INTERVAL 6 HOUR"
                    ),
                )? > 0;
            if unused {
                drop.push(name);
            }
        }
    }
    for name in drop {
        tracing::info!(database = %name, "sweeping a leftover test database");
        admin.batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"))?;
    }
    if local {
        let users = names(
            admin,
            "SELECT DISTINCT user AS name FROM mysql.user WHERE user LIKE 'csdbu\\_%'",
        )?;
        for user in users {
            let pid: u32 = user
                .split('_')
                .nth(1)
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            if process_gone(pid) {
                let sql: String = USER_HOSTS
                    .iter()
                    .map(|host| format!("DROP USER IF EXISTS '{user}'@'{host}';"))
                    .collect();
                admin.batch_execute(&sql)?;
            }
        }
    }
    Ok(())
}

/// A MySQL user with a random password and all privileges on one test's databases, dropped on
/// drop — for tests that need a non-root user (wrong passwords, read-only servers, grants).
pub struct TestUser {
    /// The user name (created for `localhost`, `127.0.0.1` and `%`).
    pub name: String,
    /// Its password.
    pub password: cloudstack_db::Secret,
}

impl std::fmt::Debug for TestUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestUser")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

const USER_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "%"];

impl TestUser {
    /// Creates the user with privileges on `test`'s two databases.
    pub fn create(test: &TestDatabases) -> Result<Self> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "csdbu_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let password: String = uuid::Uuid::new_v4().simple().to_string();
        let mut admin = admin_connection()?;
        let mut sql = String::new();
        for host in USER_HOSTS {
            sql.push_str(&format!(
                "DROP USER IF EXISTS '{name}'@'{host}'; CREATE USER '{name}'@'{host}' IDENTIFIED BY '{password}'; \
                 GRANT ALL PRIVILEGES ON `{}`.* TO '{name}'@'{host}'; \
                 GRANT ALL PRIVILEGES ON `{}`.* TO '{name}'@'{host}';",
                test.cloud_name, test.usage_name
            ));
        }
        admin.batch_execute(&sql)?;
        Ok(Self {
            name,
            password: cloudstack_db::Secret::new(password),
        })
    }

    /// `target` with this user's credentials.
    pub fn target_for(&self, target: &ConnectionTarget) -> ConnectionTarget {
        ConnectionTarget {
            user: self.name.clone(),
            password: self.password.clone(),
            ..target.clone()
        }
    }
}

impl Drop for TestUser {
    fn drop(&mut self) {
        let sql: String = USER_HOSTS
            .iter()
            .map(|host| format!("DROP USER IF EXISTS '{}'@'{host}';", self.name))
            .collect();
        if let Err(err) =
            admin_connection().and_then(|mut c| c.batch_execute(&sql).map_err(Error::from))
        {
            eprintln!("could not drop test user {}: {err}", self.name);
        }
    }
}
