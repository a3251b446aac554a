//! `cloudstack-setup-databases`: create the databases and the user, deploy the schema and
//! default data, and write db.properties — and undo it all when a step fails.

use std::io::Write;
use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::setup_args::{Credentials, EncryptType, SetupArgs, SetupPlan, UsageError};
use super::sql_files::{ClientTarget, SqlFiles, run_file};
use cloudstack_db::crypto::{Encryptor, enc_value};
use cloudstack_db::db::{
    ConnectionTarget, DatabaseConfig, DbProperties, ServerFlavor, ServerInfo, SessionSettings,
};
use cloudstack_db::migrations::{self, Schema};
use cloudstack_db::{Database, Error};

const TEMPLATE: &str = include_str!("db.properties.template");

/// How a setup run ended, when it did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum SetupFailure {
    /// The command line broke one of the tool's rules (exit status 2).
    #[error("{0}")]
    Usage(#[from] UsageError),
    /// `cloud` or `cloud_usage` exists and `--force-recreate` was not given (exit status 1, as
    /// every runtime failure of CloudStack's tool).
    #[error("database(s) {} already exist: nothing was changed; run again with --force-recreate to drop and recreate them", .0.join(", "))]
    DatabasesExist(Vec<String>),
    /// A step failed; what could be undone was undone (exit status 1).
    #[error("{error}{}", remains(.remaining))]
    Failed {
        /// What went wrong.
        error: Error,
        /// What is left behind and how to remove it (empty when everything was undone).
        remaining: Vec<String>,
    },
}

fn remains(remaining: &[String]) -> String {
    if remaining.is_empty() {
        String::new()
    } else {
        format!("\nleft behind:\n  {}", remaining.join("\n  "))
    }
}

impl SetupFailure {
    /// The process exit status for this failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => 2,
            Self::DatabasesExist(_) => 1,
            Self::Failed { .. } => 1,
        }
    }
}

impl From<Error> for SetupFailure {
    fn from(error: Error) -> Self {
        Self::Failed {
            error,
            remaining: Vec::new(),
        }
    }
}

/// What this run changed, so a failure can undo it.
#[derive(Default)]
struct Undo {
    created_databases: Vec<String>,
    created_users: Vec<(String, String)>,
    /// Users that existed: how to put back their password and grants (statements holding the
    /// password hash, never printed).
    changed_users: Vec<UserBefore>,
    properties: Option<(PathBuf, Option<String>)>,
    key_file: Option<(PathBuf, Option<Vec<u8>>)>,
}

/// A user as it was before the run changed it: its authentication (plugin and stored hash, from
/// `mysql.user`) and its privileges (from `information_schema`), enough to put both back.
struct UserBefore {
    user: String,
    host: String,
    plugin: String,
    authentication: String,
    /// `GRANT` statements giving back each privilege it had.
    grants: Vec<String>,
}

#[derive(QueryableByName)]
struct Authentication {
    #[diesel(sql_type = diesel::sql_types::Text)]
    plugin: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    authentication: String,
}

#[derive(QueryableByName)]
struct Privilege {
    #[diesel(sql_type = diesel::sql_types::Text)]
    on: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    privilege: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    grantable: String,
}

/// A string literal for SQL text (the stored hash may hold any byte).
fn quoted(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('\'', "\\'")
        .replace('\0', "\\0");
    format!("'{escaped}'")
}

impl UserBefore {
    /// Reads how `user`@`host` is defined now.
    fn read(conn: &mut MysqlConnection, user: &str, host: &str) -> Result<Self, Error> {
        let auth: Authentication = diesel::sql_query(
            "SELECT CAST(plugin AS CHAR) AS plugin, CAST(authentication_string AS CHAR) AS authentication \
             FROM mysql.user WHERE User = ? AND Host = ?",
        )
        .bind::<diesel::sql_types::Text, _>(user)
        .bind::<diesel::sql_types::Text, _>(host)
        .get_result(conn)?;
        let grantee = format!("'{user}'@'{host}'");
        let privileges: Vec<Privilege> = diesel::sql_query(
            "SELECT '*.*' AS `on`, PRIVILEGE_TYPE AS privilege, IS_GRANTABLE AS grantable \
               FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ? \
             UNION ALL SELECT CONCAT('`', REPLACE(TABLE_SCHEMA, '`', '``'), '`.*'), PRIVILEGE_TYPE, IS_GRANTABLE \
               FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ? \
             UNION ALL SELECT CONCAT('`', REPLACE(TABLE_SCHEMA, '`', '``'), '`.`', REPLACE(TABLE_NAME, '`', '``'), '`'), \
                    PRIVILEGE_TYPE, IS_GRANTABLE \
               FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ?",
        )
        .bind::<diesel::sql_types::Text, _>(&grantee)
        .bind::<diesel::sql_types::Text, _>(&grantee)
        .bind::<diesel::sql_types::Text, _>(&grantee)
        .load(conn)?;
        let grants = privileges
            .into_iter()
            .filter(|p| p.privilege != "USAGE")
            .map(|p| {
                let option = if p.grantable == "YES" {
                    " WITH GRANT OPTION"
                } else {
                    ""
                };
                format!("GRANT {} ON {} TO {grantee}{option}", p.privilege, p.on)
            })
            .collect();
        Ok(Self {
            user: user.to_owned(),
            host: host.to_owned(),
            plugin: auth.plugin,
            authentication: auth.authentication,
            grants,
        })
    }

    /// The statements that put it back: its authentication as it was, no privilege but the
    /// ones it had. (Column privileges and granted roles are not read, so not restored.)
    fn restore(&self, flavor: ServerFlavor) -> Vec<String> {
        let grantee = format!("'{}'@'{}'", self.user, self.host);
        let authentication = match flavor {
            ServerFlavor::MariaDb => format!(
                "ALTER USER {grantee} IDENTIFIED VIA {} USING {}",
                self.plugin,
                quoted(&self.authentication)
            ),
            ServerFlavor::MySql => format!(
                "ALTER USER {grantee} IDENTIFIED WITH {} AS {}",
                self.plugin,
                quoted(&self.authentication)
            ),
        };
        let mut statements = vec![
            authentication,
            format!("REVOKE ALL PRIVILEGES, GRANT OPTION FROM {grantee}"),
        ];
        statements.extend(self.grants.iter().cloned());
        statements
    }
}

struct Run<'a, W: Write> {
    args: &'a SetupArgs,
    plan: SetupPlan,
    out: W,
    cloud_db: String,
    usage_db: String,
    properties_path: PathBuf,
    /// `-f DIR`: deploy from CloudStack's SQL files instead of the crate's migrations.
    sql_files: Option<SqlFiles>,
    undo: Undo,
}

/// Runs the setup as the command line says, printing each step to `out`.
///
/// ```no_run
/// use clap::Parser;
/// # #[derive(Parser)] struct Cli { #[command(flatten)] args: cloudstack_db_cli::setup_args::SetupArgs }
/// let cli = Cli::parse_from(["setup", "cloud:cloud@localhost", "--deploy-as=root:", "-i", "127.0.0.1"]);
/// cloudstack_db_cli::setup::run_setup(&cli.args, std::io::stdout()).unwrap();
/// ```
pub fn run_setup<W: Write>(args: &SetupArgs, out: W) -> Result<(), SetupFailure> {
    let mut plan = args.plan()?;
    if args.encrypt_type == EncryptType::Env {
        // As CloudStack's tool: with `-e env` the key is CLOUD_SECRET_KEY, which the management
        // server reads at start; without it the tool stops.
        plan.management_key = cloudstack_db::db::management_key_from_env()?;
    }
    let sql_files = args
        .db_files_path
        .as_deref()
        .map(SqlFiles::open)
        .transpose()?;
    let properties_path = args.conf_dir.join("db.properties");
    let existing = properties_path
        .exists()
        .then(|| DbProperties::read(&properties_path))
        .transpose()?;
    let name = |key: &str, default: &str| {
        existing
            .as_ref()
            .and_then(|p| p.get(key))
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(default)
            .to_owned()
    };
    let (cloud_db, usage_db) = (
        name("db.cloud.name", "cloud"),
        name("db.usage.name", "cloud_usage"),
    );
    for db in [&cloud_db, &usage_db] {
        if db.is_empty()
            || !db
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        {
            return Err(Error::Config(format!(
                "database name `{db}` in db.properties is not a plain identifier"
            ))
            .into());
        }
    }
    let mut run = Run {
        args,
        plan,
        out,
        cloud_db,
        usage_db,
        properties_path,
        sql_files,
        undo: Undo::default(),
    };
    match run.execute() {
        Ok(()) => Ok(()),
        Err(SetupFailure::Failed { error, .. }) => {
            let remaining = run.rollback();
            Err(SetupFailure::Failed { error, remaining })
        }
        Err(other) => Err(other),
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

impl<W: Write> Run<'_, W> {
    fn say(&mut self, line: impl AsRef<str>) {
        let _ = writeln!(self.out, "{}", line.as_ref());
    }

    fn step(&mut self, line: impl AsRef<str>) {
        self.say(format!("==> {}", line.as_ref()));
    }

    fn server(&self, credentials: &Credentials, database: &str) -> ConnectionTarget {
        ConnectionTarget::new(
            self.plan.target.host.clone(),
            self.plan.target.port,
            credentials.user.clone(),
            credentials.password.clone(),
            database,
        )
    }

    fn connect(&self, credentials: &Credentials, database: &str) -> Result<MysqlConnection, Error> {
        let mut conn = self.server(credentials, database).connect()?;
        SessionSettings::default().apply(&mut conn)?;
        Ok(conn)
    }

    fn execute(&mut self) -> Result<(), SetupFailure> {
        let mshost = self.args.mshost.clone().unwrap_or_else(detect_host_ip);
        self.step(format!(
            "Setting up CloudStack databases `{}` and `{}` on {}:{} for user `{}`",
            self.cloud_db,
            self.usage_db,
            self.plan.target.host,
            self.plan.target.port,
            self.plan.target.credentials.user
        ));
        if let Some(admin) = self.plan.admin.clone() {
            self.deploy(&admin)?;
        } else if self.args.schema_only {
            self.schema_only()?;
        } else {
            self.say("    no --deploy-as or --schema-only: only db.properties is written");
        }
        self.write_properties(&mshost)?;
        self.verify()?;
        self.summary(&mshost);
        Ok(())
    }

    fn deploy(&mut self, admin: &Credentials) -> Result<(), SetupFailure> {
        self.step(format!("Connecting as `{}`", admin.user));
        let mut conn = self.connect(admin, "information_schema")?;
        let existing: Vec<String> = diesel::sql_query(format!(
            "SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name IN ('{}', '{}') ORDER BY schema_name",
            self.cloud_db, self.usage_db
        ))
        .load::<Name>(&mut conn)
        .map_err(Error::from)?
        .into_iter()
        .map(|n| n.name)
        .collect();
        if !existing.is_empty() && !self.args.force_recreate {
            return Err(SetupFailure::DatabasesExist(existing));
        }
        self.backup_properties()?;
        for db in &existing {
            self.step(format!("Dropping database `{db}` (--force-recreate)"));
            conn.batch_execute(&format!("DROP DATABASE `{db}`"))
                .map_err(Error::from)?;
        }
        if self.sql_files.is_some() {
            return self.deploy_from_sql_files(&mut conn, admin);
        }
        for db in [self.cloud_db.clone(), self.usage_db.clone()] {
            self.step(format!("Creating database `{db}`"));
            conn.batch_execute(&format!(
                "CREATE DATABASE `{db}` CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci"
            ))
            .map_err(Error::from)?;
            self.undo.created_databases.push(db);
        }
        if self.args.skip_users {
            self.say("    --skip-users-auto-creation: users and grants left as they are");
        } else {
            self.create_user(&mut conn)?;
        }
        let admin = admin.clone();
        self.migrate_both(&admin)
    }

    fn create_user(&mut self, conn: &mut MysqlConnection) -> Result<(), SetupFailure> {
        let Credentials { user, password } = self.plan.target.credentials.clone();
        for host in ["localhost", "%"] {
            let exists = user_exists(conn, &user, host)?;
            // User and password were checked for quotes, spaces, backslashes and backticks.
            let identified = format!("IDENTIFIED BY '{}'", password.expose());
            if exists {
                let before = UserBefore::read(conn, &user, host)?;
                self.undo.changed_users.push(before);
                self.step(format!("Setting the password of user `{user}`@`{host}`"));
                conn.batch_execute(&format!("ALTER USER '{user}'@'{host}' {identified}"))
                    .map_err(Error::from)?;
            } else {
                self.step(format!("Creating user `{user}`@`{host}`"));
                conn.batch_execute(&format!("CREATE USER '{user}'@'{host}' {identified}"))
                    .map_err(Error::from)?;
                self.undo
                    .created_users
                    .push((user.clone(), host.to_owned()));
            }
            conn.batch_execute(&format!(
                "GRANT ALL ON `{cloud}`.* TO '{user}'@'{host}'; GRANT ALL ON `{usage}`.* TO '{user}'@'{host}'; \
                 GRANT PROCESS ON *.* TO '{user}'@'{host}'",
                cloud = self.cloud_db,
                usage = self.usage_db
            ))
            .map_err(Error::from)?;
        }
        Ok(())
    }

    fn schema_only(&mut self) -> Result<(), SetupFailure> {
        self.backup_properties()?;
        let user = self.plan.target.credentials.clone();
        if self.sql_files.is_some() {
            return self.run_sql_files(&user, true);
        }
        self.migrate_both(&user)
    }

    /// `-f DIR` with `--deploy-as`: the users' state is kept for the rollback (the files drop
    /// and create the CloudStack user), then the files run; they create the databases.
    fn deploy_from_sql_files(
        &mut self,
        conn: &mut MysqlConnection,
        admin: &Credentials,
    ) -> Result<(), SetupFailure> {
        let user = self.plan.target.credentials.user.clone();
        if !self.args.skip_users {
            for host in ["localhost", "%"] {
                if user_exists(conn, &user, host)? {
                    let before = UserBefore::read(conn, &user, host)?;
                    self.undo.changed_users.push(before);
                } else {
                    self.undo
                        .created_users
                        .push((user.clone(), host.to_owned()));
                }
            }
        }
        // Whatever the files create under these names is dropped again if a later step fails.
        self.undo.created_databases = vec![self.cloud_db.clone(), self.usage_db.clone()];
        self.run_sql_files(admin, false)?;
        for db in [self.cloud_db.clone(), self.usage_db.clone()] {
            let made = diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM information_schema.schemata WHERE schema_name = '{db}'"
            ))
            .get_result::<Count>(conn)
            .map_err(Error::from)?
            .n > 0;
            if !made {
                return Err(Error::Config(format!(
                    "the SQL files did not create `{db}`, the database db.properties names"
                ))
                .into());
            }
        }
        Ok(())
    }

    /// Runs CloudStack's SQL files through the mysql client as `login`, as CloudStack's tool
    /// does (see [`SqlFiles`]), and says what version the result is.
    fn run_sql_files(
        &mut self,
        login: &Credentials,
        schema_only: bool,
    ) -> Result<(), SetupFailure> {
        let files = self.sql_files.clone().expect("checked by the caller");
        let host = self.plan.target.host.clone();
        let bin_dir = self.args.mysql_bin_path.clone();
        let target = ClientTarget {
            host: &host,
            port: self.plan.target.port,
            login,
            bin_dir: bin_dir.as_deref(),
        };
        let user = self.plan.target.credentials.clone();
        let skip_users = self.args.skip_users;
        for file in files.scripts(schema_only) {
            self.step(format!("Applying {}", file.display()));
            run_file(&target, &file, &user, skip_users)?;
        }
        let mut conn = self.connect(login, &self.cloud_db.clone())?;
        let version = migrations::newest_version(&mut conn)?
            .map(|(v, _)| v)
            .unwrap_or_else(|| "(no version row)".into());
        self.say(format!(
            "    CloudStack schema {version} from the SQL files: a CloudStack management server \
             upgrades it at its first start; `cloudstack-db adopt` takes it over once it is 4.22"
        ));
        Ok(())
    }

    fn migrate_both(&mut self, credentials: &Credentials) -> Result<(), SetupFailure> {
        for (schema, db) in [
            (Schema::Cloud, self.cloud_db.clone()),
            (Schema::Usage, self.usage_db.clone()),
        ] {
            self.step(format!("Deploying the schema and default data into `{db}`"));
            let mut conn = self.connect(credentials, &db)?;
            let pending = migrations::pending(&mut conn, schema)?.len() as u64;
            let bar = indicatif::ProgressBar::new(pending).with_message(db.clone());
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "    {bar:30} {pos}/{len} migrations of {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let applied = migrations::migrate_with_progress(&mut conn, schema, |_| bar.inc(1))?;
            bar.finish_and_clear();
            if self.args.debug {
                self.say(format!("    applied {}", applied.join(", ")));
            }
            self.say(format!("    {} migration(s) applied", applied.len()));
        }
        Ok(())
    }

    /// Keeps the current db.properties in memory for the rollback. Unlike CloudStack's tool, no
    /// `db.properties.origin` copy is written: it would hold the previous password in a second
    /// file (the real tool removes its copy at the end; a crash would leave it).
    fn backup_properties(&mut self) -> Result<(), Error> {
        if self.undo.properties.is_none() {
            let before = std::fs::read_to_string(&self.properties_path).ok();
            self.undo.properties = Some((self.properties_path.clone(), before));
        }
        Ok(())
    }

    fn write_properties(&mut self, mshost: &str) -> Result<(), SetupFailure> {
        self.backup_properties()?;
        self.step(format!("Writing {}", self.properties_path.display()));
        std::fs::create_dir_all(&self.args.conf_dir).map_err(|e| {
            Error::Config(format!(
                "cannot create {}: {e}",
                self.args.conf_dir.display()
            ))
        })?;
        let mut props = match &self.undo.properties {
            Some((_, Some(text))) => DbProperties::parse(text),
            _ => DbProperties::parse(TEMPLATE),
        };
        let t = &self.plan.target;
        let port = t.port.to_string();
        let region = self.args.region_id.to_string();
        for (key, value) in [
            ("cluster.node.IP", mshost),
            ("region.id", region.as_str()),
            ("db.cloud.username", t.credentials.user.as_str()),
            ("db.cloud.host", t.host.as_str()),
            ("db.cloud.port", port.as_str()),
            ("db.cloud.name", self.cloud_db.as_str()),
            ("db.usage.username", t.credentials.user.as_str()),
            ("db.usage.host", t.host.as_str()),
            ("db.usage.port", port.as_str()),
            ("db.usage.name", self.usage_db.as_str()),
        ] {
            props.set(key, value);
        }
        let password = t.credentials.password.expose();
        let encrypt_type = self.args.encrypt_type;
        props.set("db.cloud.encryption.type", encrypt_type.as_str());
        if encrypt_type == EncryptType::None {
            props.set("db.cloud.password", password);
            props.set("db.usage.password", password);
            props.set("db.cloud.encrypt.secret", self.plan.database_key.expose());
            props.set(
                "db.cloud.encryptor.version",
                self.args.encryptor_version.as_str(),
            );
        } else {
            let mgmt = Encryptor::new(
                self.plan.management_key.expose(),
                Some(self.args.encryptor_version),
            );
            let enc = |value: &str| -> Result<String, Error> {
                Ok(if value.is_empty() {
                    String::new()
                } else {
                    enc_value(&mgmt.encrypt(value)?)
                })
            };
            props.set("db.cloud.password", &enc(password)?);
            props.set("db.usage.password", &enc(password)?);
            props.set(
                "db.cloud.encrypt.secret",
                &enc(self.plan.database_key.expose())?,
            );
            props.set(
                "db.cloud.encryptor.version",
                self.args.encryptor_version.as_str(),
            );
            self.say(format!(
                "    passwords and the database secret encrypted ({}, management key kept by `{}`)",
                self.args.encryptor_version.as_str(),
                encrypt_type.as_str()
            ));
            if encrypt_type == EncryptType::File {
                self.write_key_file()?;
            }
        }
        let temp = self.properties_path.with_extension("properties.new");
        write_private(&temp, props.to_text().as_bytes())?;
        std::fs::rename(&temp, &self.properties_path).map_err(|e| {
            Error::Config(format!(
                "cannot replace {}: {e}",
                self.properties_path.display()
            ))
        })?;
        Ok(())
    }

    fn key_file_path(&self) -> PathBuf {
        self.args
            .key_file
            .clone()
            .unwrap_or_else(|| self.args.conf_dir.join("key"))
    }

    fn write_key_file(&mut self) -> Result<(), Error> {
        let path = self.key_file_path();
        self.undo.key_file = Some((path.clone(), std::fs::read(&path).ok()));
        write_private(
            &path,
            format!("{}\n", self.plan.management_key.expose()).as_bytes(),
        )?;
        chown_group_cloud(&path);
        self.say(format!(
            "    management server key written to {} (mode 0640)",
            path.display()
        ));
        Ok(())
    }

    /// Opens the written db.properties with the library and logs in as the CloudStack user.
    fn verify(&mut self) -> Result<(), SetupFailure> {
        if self.plan.admin.is_none() && !self.args.schema_only {
            return Ok(());
        }
        self.step("Checking that db.properties opens both databases as the CloudStack user");
        let key = self.plan.management_key.clone();
        let mut config =
            DatabaseConfig::from_db_properties_file_with_key(&self.properties_path, &key)?;
        for pool in [&mut config.cloud, &mut config.usage] {
            pool.pool.max_size = 1;
            pool.pool.min_idle = Some(0);
        }
        let db = Database::connect(&config)?;
        let version = db.cloud().run(migrations::newest_version)?;
        db.usage().run(|c| Ok(c.batch_execute("SELECT 1")?))?;
        self.say(format!(
            "    ok: logged in to both databases; `{}` says CloudStack {}",
            self.cloud_db,
            version
                .map(|(v, _)| v)
                .unwrap_or_else(|| "(no version row)".into())
        ));
        Ok(())
    }

    fn summary(&mut self, mshost: &str) {
        self.step("Done");
        let t = self.plan.target.clone();
        self.say(format!(
            "    databases:     `{}`, `{}` on {}:{}",
            self.cloud_db, self.usage_db, t.host, t.port
        ));
        self.say(format!("    user:          {}", t.credentials.user));
        self.say(format!(
            "    db.properties: {}",
            self.properties_path.display()
        ));
        self.say(format!(
            "    cluster IP:    {mshost}, region {}",
            self.args.region_id
        ));
        if self.plan.admin.is_some() {
            self.say(
                "    no account or user yet, as after CloudStack's own tool: a management server's \
                 first start (or `cloudstack-db first-start`) creates them, admin with the password \
                 `password` — change it after the first login",
            );
        }
    }

    /// Undoes what this run changed; returns what could not be undone, with how to remove it.
    fn rollback(&mut self) -> Vec<String> {
        let mut remaining = Vec::new();
        if let Some((path, before)) = self.undo.properties.take() {
            let restored = match before {
                Some(text) => std::fs::write(&path, text),
                None if path.exists() => std::fs::remove_file(&path),
                None => Ok(()),
            };
            if let Err(e) = restored {
                remaining.push(format!("{} could not be restored ({e})", path.display()));
            }
        }
        if let Some((path, before)) = self.undo.key_file.take() {
            let restored = match before {
                Some(bytes) => std::fs::write(&path, bytes),
                None => std::fs::remove_file(&path),
            };
            if let Err(e) = restored {
                remaining.push(format!(
                    "key file {} ({e}): rm {}",
                    path.display(),
                    path.display()
                ));
            }
        }
        let drops: Vec<String> = self
            .undo
            .created_databases
            .iter()
            .map(|db| format!("DROP DATABASE IF EXISTS `{db}`"))
            .chain(
                self.undo
                    .created_users
                    .iter()
                    .map(|(u, h)| format!("DROP USER IF EXISTS '{u}'@'{h}'")),
            )
            .collect();
        let changed = std::mem::take(&mut self.undo.changed_users);
        if drops.is_empty() && changed.is_empty() {
            return remaining;
        }
        let admin = self.plan.admin.clone();
        let conn = admin
            .ok_or_else(|| Error::Config("no admin connection".into()))
            .and_then(|admin| self.connect(&admin, "information_schema"));
        let mut conn = match conn {
            Ok(conn) => conn,
            Err(e) => {
                remaining.push(format!(
                    "could not undo ({e}); run as an admin: {};",
                    drops.join("; ")
                ));
                for u in &changed {
                    remaining.push(format!(
                        "user `{}`@`{}`: its password and grants were changed and could not be put back",
                        u.user, u.host
                    ));
                }
                return remaining;
            }
        };
        if !drops.is_empty() {
            match conn.batch_execute(&drops.join("; ")) {
                Ok(()) => self.say(format!("    undone: {}", drops.join("; "))),
                Err(e) => remaining.push(format!(
                    "could not undo ({e}); run as an admin: {};",
                    drops.join("; ")
                )),
            }
        }
        // The server's flavor decides how a stored hash is given back: asked once, and only
        // when a user has to be put back.
        let mut flavor = None;
        for u in &changed {
            let known =
                flavor.get_or_insert_with(|| ServerInfo::query(&mut conn).map(|info| info.flavor));
            let restored = match known {
                Ok(flavor) => u
                    .restore(*flavor)
                    .iter()
                    .try_for_each(|statement| conn.batch_execute(statement))
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match restored {
                Ok(()) => self.say(format!(
                    "    undone: user `{}`@`{}` has its earlier password and grants again",
                    u.user, u.host
                )),
                Err(e) => remaining.push(format!(
                    "user `{}`@`{}`: its password and grants were changed and could not be put back ({e})",
                    u.user, u.host
                )),
            }
        }
        remaining
    }
}

/// This host's address as the real tool finds it: the host name's first non-loopback IPv4
/// address, or 127.0.0.1.
/// Whether the account `user`@`host` exists (names were checked for quotes by the argument
/// rules).
fn user_exists(conn: &mut MysqlConnection, user: &str, host: &str) -> Result<bool, Error> {
    Ok(diesel::sql_query(format!(
        "SELECT COUNT(*) AS n FROM mysql.user WHERE user = '{user}' AND host = '{host}'"
    ))
    .get_result::<Count>(conn)?
    .n > 0)
}

fn detect_host_ip() -> String {
    use std::net::ToSocketAddrs;
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let host = host.trim();
    if host.is_empty() {
        return "127.0.0.1".into();
    }
    (host, 0)
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.find(|a| a.is_ipv4() && !a.ip().is_loopback()))
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "127.0.0.1".into())
}

/// Writes a file that holds secrets: created with mode 0640 from the start (never readable by
/// others, not even for a moment), truncated and set to 0640 when it exists already.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    use std::io::Write;
    let failed = |e: std::io::Error| Error::Config(format!("cannot write {}: {e}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o640);
    let mut file = options.open(path).map_err(failed)?;
    set_mode(path, 0o640)?;
    file.write_all(bytes).map_err(failed)?;
    file.sync_all().map_err(failed)
}

fn set_mode(path: &Path, mode: u32) -> Result<(), Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| {
            Error::Config(format!("cannot set the mode of {}: {e}", path.display()))
        })?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Gives the key file to group `cloud` when that group exists (as the real tool does).
fn chown_group_cloud(path: &Path) {
    #[cfg(unix)]
    {
        let group = std::fs::read_to_string("/etc/group").unwrap_or_default();
        let gid = group.lines().find_map(|line| {
            let mut fields = line.split(':');
            (fields.next() == Some("cloud")).then(|| fields.nth(1)?.parse::<u32>().ok())?
        });
        if let Some(gid) = gid {
            let _ = std::os::unix::fs::chown(path, None, Some(gid));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}
