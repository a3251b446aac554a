//! How the two pools are configured: from URLs, the environment, or CloudStack's db.properties.

use std::path::Path;
use std::time::Duration;

use super::{ConnectionTarget, DbProperties, SessionSettings};
use crate::crypto::{Encryptor, EncryptorVersion, unwrap_enc};
use crate::{Error, Result, Secret};

/// The environment variable that holds the management server key with `db.cloud.encryption.type=env`.
pub const CLOUD_SECRET_KEY_ENV: &str = "CLOUD_SECRET_KEY";

/// The `cloud` database URL when `CLOUD_DATABASE_URL` is not set: CloudStack's default user on
/// the local server.
pub const DEFAULT_CLOUD_URL: &str = "mysql://cloud:cloud@127.0.0.1:3306/cloud";
/// The `cloud_usage` database URL when `USAGE_DATABASE_URL` is not set.
pub const DEFAULT_USAGE_URL: &str = "mysql://cloud:cloud@127.0.0.1:3306/cloud_usage";

/// Pool sizing and connection health settings.
///
/// A connection that went back to the pool a moment ago is handed out again without a test
/// query (r2d2's `test_on_check_out` would add a `SELECT 1` round trip to every call and double
/// the cost of a point read). One that sat idle for longer than `validate_idle_after` is pinged
/// first, and after any call through the pool found a connection dead (a server restart, a
/// `KILL`) every connection opened before that is pinged before its next use, so the dead ones
/// are replaced before a caller sees them. A call that fails with [`Error::ConnectionLost`]
/// discards its connection. Idle connections are closed after `idle_timeout` and every
/// connection is replaced after `max_lifetime`, both well below the server's default
/// `wait_timeout` of 8 hours.
///
/// ```
/// let p = cloudstack_db::db::PoolSettings::default();
/// assert_eq!(p.max_size, 10);
/// assert_eq!(p.min_idle, Some(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolSettings {
    /// Most connections open at once (`db.cloud.maxActive`).
    pub max_size: u32,
    /// Idle connections kept open (`db.cloud.minIdleConnections`); `None` keeps `max_size`.
    pub min_idle: Option<u32>,
    /// How long a caller waits for a free connection before [`Error::PoolTimeout`]
    /// (`db.cloud.maxWait`).
    pub connection_timeout: Duration,
    /// Close connections idle for longer than this (`db.cloud.minEvictableIdleTimeMillis`).
    pub idle_timeout: Option<Duration>,
    /// Replace connections older than this.
    pub max_lifetime: Option<Duration>,
    /// Ping a connection idle for longer than this before handing it out (`None`: only after a
    /// connection was found dead). HikariCP's default bypass window, 500 ms, is the default.
    pub validate_idle_after: Option<Duration>,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_size: 10,
            min_idle: Some(1),
            connection_timeout: Duration::from_secs(30),
            idle_timeout: Some(Duration::from_secs(600)),
            max_lifetime: Some(Duration::from_secs(1800)),
            validate_idle_after: Some(Duration::from_millis(500)),
        }
    }
}

/// Everything needed to open one pool: where, how many, and with which session settings.
///
/// ```
/// use cloudstack_db::db::PoolConfig;
/// let c = PoolConfig::from_url("mysql://root@127.0.0.1/cloud").unwrap();
/// assert_eq!(c.target.database, "cloud");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolConfig {
    /// Server, credentials and database.
    pub target: ConnectionTarget,
    /// Pool sizes and timeouts.
    pub pool: PoolSettings,
    /// Session settings applied to every new connection.
    pub session: SessionSettings,
    /// Servers to open connections on when `target.host` cannot be reached, in order (CloudStack's
    /// `db.cloud.replicas` with `db.ha.enabled=true`; same port, user and database). Once a
    /// connection opens on one of them the pool stays there (see `docs/scaling.md`).
    pub failover_hosts: Vec<(String, u16)>,
}

impl PoolConfig {
    /// A pool for `url` with default pool and CloudStack session settings; the URL parameter
    /// `lockWaitTimeout` (whole seconds) bounds how long a statement waits for a table lock.
    ///
    /// ```
    /// use cloudstack_db::db::PoolConfig;
    /// let c = PoolConfig::from_url("mysql://u@h/cloud?lockWaitTimeout=5").unwrap();
    /// assert_eq!(c.session.lock_wait_timeout.as_secs(), 5);
    /// assert!(c.target.url_params.is_empty());
    /// assert!(PoolConfig::from_url("mysql://u@h/cloud?lockWaitTimeout=soon").is_err());
    /// ```
    pub fn from_url(url: &str) -> Result<Self> {
        let mut target = ConnectionTarget::from_url(url)?;
        let lock_wait = target
            .url_params
            .iter()
            .position(|(name, _)| name == "lockWaitTimeout")
            .map(|at| target.url_params.remove(at).1);
        let mut config = Self::new(target);
        if let Some(seconds) = lock_wait {
            let seconds: u64 = seconds.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                Error::Config(format!(
                    "lockWaitTimeout={seconds}: expected a whole number of seconds, at least 1"
                ))
            })?;
            config.session.lock_wait_timeout = std::time::Duration::from_secs(seconds);
        }
        Ok(config)
    }

    /// A pool for `target` with default pool and CloudStack session settings.
    ///
    /// ```
    /// use cloudstack_db::db::{ConnectionTarget, PoolConfig};
    /// let c = PoolConfig::new(ConnectionTarget::new("h", 3306, "u", "", "cloud"));
    /// assert_eq!(c.pool.max_size, 10);
    /// ```
    pub fn new(target: ConnectionTarget) -> Self {
        Self {
            target,
            pool: PoolSettings::default(),
            session: SessionSettings::default(),
            failover_hosts: Vec::new(),
        }
    }

    /// The same pool (sizes, session settings) for a replica at `target`: no failover hosts of
    /// its own.
    ///
    /// ```
    /// use cloudstack_db::db::{ConnectionTarget, PoolConfig};
    /// let mut primary = PoolConfig::from_url("mysql://u@db1:3306/cloud").unwrap();
    /// primary.failover_hosts.push(("db2".into(), 3306));
    /// let replica = primary.replica_at(ConnectionTarget::new("db2", 3306, "u", "", "cloud"));
    /// assert!(replica.failover_hosts.is_empty());
    /// assert_eq!(replica.pool, primary.pool);
    /// ```
    pub fn replica_at(&self, target: ConnectionTarget) -> Self {
        Self {
            target,
            failover_hosts: Vec::new(),
            ..self.clone()
        }
    }

    /// Every server this pool may connect to: `target` first, then the failover hosts.
    ///
    /// ```
    /// use cloudstack_db::db::PoolConfig;
    /// let mut c = PoolConfig::from_url("mysql://u@db1:3306/cloud").unwrap();
    /// c.failover_hosts.push(("db2".into(), 3306));
    /// let hosts: Vec<String> = c.targets().iter().map(|t| t.host.clone()).collect();
    /// assert_eq!(hosts, ["db1", "db2"]);
    /// ```
    pub fn targets(&self) -> Vec<ConnectionTarget> {
        let mut all = vec![self.target.clone()];
        for (host, port) in &self.failover_hosts {
            all.push(ConnectionTarget {
                host: host.clone(),
                port: *port,
                ..self.target.clone()
            });
        }
        all
    }
}

/// Configuration of both databases.
///
/// ```
/// use cloudstack_db::db::{DatabaseConfig, DbProperties};
///
/// let props = DbProperties::parse(
///     "db.cloud.host=10.0.0.5\ndb.cloud.port=3306\ndb.cloud.username=cloud\n\
///      db.cloud.password=cloud\ndb.cloud.name=cloud\ndb.cloud.maxActive=250\n\
///      db.cloud.maxWait=600000\ndb.usage.host=10.0.0.5\ndb.usage.port=3306\n\
///      db.usage.username=cloud\ndb.usage.password=cloud\ndb.usage.name=cloud_usage\n",
/// );
/// let config = DatabaseConfig::from_db_properties(&props).unwrap();
/// assert_eq!(config.cloud.target.host, "10.0.0.5");
/// assert_eq!(config.cloud.pool.max_size, 250);
/// assert_eq!(config.usage.target.database, "cloud_usage");
/// ```
#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// The `cloud` database.
    pub cloud: PoolConfig,
    /// The `cloud_usage` database.
    pub usage: PoolConfig,
    /// The encryptor of encrypted columns (`user.secret_key`, `vm_instance.vnc_password`): the
    /// database secret (`db.cloud.encrypt.secret`) and the configured encryptor version.
    pub column_encryptor: Option<Encryptor>,
    /// Read replicas of both databases (none by default).
    pub replicas: ReplicaConfig,
}

/// Read replicas beside the primary: where reads that may be slightly behind can go.
///
/// ```
/// let r = cloudstack_db::db::ReplicaConfig::default();
/// assert!(r.cloud.is_empty());
/// assert_eq!(r.max_lag, std::time::Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaConfig {
    /// Replicas of the `cloud` database.
    pub cloud: Vec<PoolConfig>,
    /// Replicas of the `cloud_usage` database.
    pub usage: Vec<PoolConfig>,
    /// A replica further behind than this (`Seconds_Behind_Master`), or not replicating at
    /// all, is skipped until it catches up.
    pub max_lag: Duration,
    /// How long a replica's health (reachable, replicating, lag) is trusted before it is
    /// checked again (one `SHOW SLAVE STATUS` round trip).
    pub recheck_after: Duration,
}

impl Default for ReplicaConfig {
    fn default() -> Self {
        Self {
            cloud: Vec::new(),
            usage: Vec::new(),
            max_lag: Duration::from_secs(5),
            recheck_after: Duration::from_secs(1),
        }
    }
}

impl ReplicaConfig {
    /// Replicas of both databases from URLs of their servers (`mysql://user:pw@host:port`; the
    /// database names are the primary's), with the primary's pool and session settings.
    ///
    /// ```
    /// use cloudstack_db::db::{DatabaseConfig, ReplicaConfig};
    /// let mut c = DatabaseConfig::from_urls("mysql://u@db1/cloud", "mysql://u@db1/cloud_usage").unwrap();
    /// c.replicas = ReplicaConfig::from_urls(&c, &["mysql://reader@db2:3306"]).unwrap();
    /// assert_eq!(c.replicas.cloud[0].target.host, "db2");
    /// assert_eq!(c.replicas.usage[0].target.database, "cloud_usage");
    /// ```
    pub fn from_urls(primary: &DatabaseConfig, urls: &[&str]) -> Result<Self> {
        let mut replicas = Self::default();
        for url in urls {
            // The URL names a server; a database in it is ignored (the primary's are used).
            let authority_only = url
                .split_once("://")
                .is_some_and(|(_, rest)| !rest.contains('/'));
            let server = if authority_only {
                ConnectionTarget::from_url(&format!("{url}/{}", primary.cloud.target.database))?
            } else {
                ConnectionTarget::from_url(url)?
            };
            for (list, of) in [
                (&mut replicas.cloud, &primary.cloud),
                (&mut replicas.usage, &primary.usage),
            ] {
                list.push(of.replica_at(server.with_database(of.target.database.clone())));
            }
        }
        Ok(replicas)
    }
}

impl DatabaseConfig {
    /// From two URLs.
    ///
    /// ```
    /// let c = cloudstack_db::db::DatabaseConfig::from_urls(
    ///     "mysql://root@localhost/cloud", "mysql://root@localhost/cloud_usage").unwrap();
    /// assert_eq!(c.usage.target.database, "cloud_usage");
    /// ```
    pub fn from_urls(cloud_url: &str, usage_url: &str) -> Result<Self> {
        Ok(Self {
            cloud: PoolConfig::from_url(cloud_url)?,
            usage: PoolConfig::from_url(usage_url)?,
            column_encryptor: None,
            replicas: ReplicaConfig::default(),
        })
    }

    /// Both pools for these two targets, with default pool and session settings.
    ///
    /// ```
    /// use cloudstack_db::db::{ConnectionTarget, DatabaseConfig};
    /// let t = ConnectionTarget::new("127.0.0.1", 3306, "cloud", "cloud", "cloud");
    /// let c = DatabaseConfig::new(t.clone(), t.with_database("cloud_usage"));
    /// assert!(c.column_encryptor.is_none());
    /// ```
    pub fn new(cloud: ConnectionTarget, usage: ConnectionTarget) -> Self {
        Self {
            cloud: PoolConfig::new(cloud),
            usage: PoolConfig::new(usage),
            column_encryptor: None,
            replicas: ReplicaConfig::default(),
        }
    }

    /// From `CLOUD_DATABASE_URL` and `USAGE_DATABASE_URL`, defaulting to
    /// [`DEFAULT_CLOUD_URL`] and [`DEFAULT_USAGE_URL`].
    ///
    /// ```no_run
    /// let config = cloudstack_db::db::DatabaseConfig::from_env()?;
    /// # Ok::<(), cloudstack_db::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        let var = |name: &str, default: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| default.to_owned())
        };
        let cloud = var("CLOUD_DATABASE_URL", DEFAULT_CLOUD_URL);
        let usage = var("USAGE_DATABASE_URL", DEFAULT_USAGE_URL);
        Self::from_urls(&cloud, &usage)
            .map_err(|e| Error::Config(format!("CLOUD_DATABASE_URL / USAGE_DATABASE_URL: {e}")))
    }

    /// From a db.properties file on disk.
    ///
    /// ```no_run
    /// let c = cloudstack_db::db::DatabaseConfig::from_db_properties_file(
    ///     "/etc/cloudstack/management/db.properties")?;
    /// # Ok::<(), cloudstack_db::Error>(())
    /// ```
    pub fn from_db_properties_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let props = DbProperties::read(path)?;
        let key = management_key(&props, path.parent(), None)?;
        Self::from_db_properties_with_key(&props, key.as_ref())
    }

    /// From a db.properties file, decrypting `ENC(...)` values with the given management server
    /// key instead of the one its `db.cloud.encryption.type` points at.
    pub fn from_db_properties_file_with_key(path: impl AsRef<Path>, key: &Secret) -> Result<Self> {
        Self::from_db_properties_with_key(&DbProperties::read(path)?, Some(key))
    }

    /// From parsed db.properties: keys `db.cloud.*` and `db.usage.*` (host, port, username,
    /// password, name, maxActive, minIdleConnections, maxWait, minEvictableIdleTimeMillis,
    /// url.params).
    ///
    /// `ENC(...)` values are decrypted with the management server key from `CLOUD_SECRET_KEY`
    /// when `db.cloud.encryption.type=env`; with a key file use
    /// [`DatabaseConfig::from_db_properties_file`], or pass the key to
    /// [`DatabaseConfig::from_db_properties_with_key`].
    pub fn from_db_properties(props: &DbProperties) -> Result<Self> {
        let key = management_key(props, None, None)?;
        Self::from_db_properties_with_key(props, key.as_ref())
    }

    /// From parsed db.properties, decrypting `ENC(...)` values with `key` (the management server
    /// key; `None` when the file holds no encrypted value).
    ///
    /// ```
    /// use cloudstack_db::crypto::{Encryptor, EncryptorVersion, enc_value};
    /// use cloudstack_db::db::{DatabaseConfig, DbProperties};
    /// use cloudstack_db::Secret;
    ///
    /// let mgmt = Encryptor::new("mgmt-key", Some(EncryptorVersion::V2));
    /// let text = format!(
    ///     "db.cloud.host=db1\ndb.cloud.port=3306\ndb.cloud.name=cloud\ndb.cloud.username=cloud\n\
    ///      db.cloud.password={}\ndb.usage.host=db1\ndb.usage.port=3306\ndb.usage.name=cloud_usage\n\
    ///      db.usage.username=cloud\ndb.cloud.encryptor.version=V2\ndb.cloud.encrypt.secret={}\n",
    ///     enc_value(&mgmt.encrypt("cloud").unwrap()),
    ///     enc_value(&mgmt.encrypt("db-secret").unwrap()),
    /// );
    /// let c = DatabaseConfig::from_db_properties_with_key(
    ///     &DbProperties::parse(&text), Some(&Secret::new("mgmt-key"))).unwrap();
    /// assert_eq!(c.cloud.target.password.expose(), "cloud");
    /// assert!(c.column_encryptor.is_some());
    /// ```
    pub fn from_db_properties_with_key(props: &DbProperties, key: Option<&Secret>) -> Result<Self> {
        let values = PropertyValues {
            props,
            key,
            version: encryptor_version(props)?,
        };
        let column_encryptor = values
            .secret("db.cloud.encrypt.secret")?
            .filter(|s| !s.is_empty())
            .map(|secret| Encryptor::new(secret, values.version));
        let mut cloud = pool_from_properties(&values, "db.cloud")?;
        let mut usage = pool_from_properties(&values, "db.usage")?;
        let mut replicas = ReplicaConfig::default();
        if props.get("db.ha.enabled").map(str::trim) == Some("true") {
            for (pool, prefix, list) in [
                (&mut cloud, "db.cloud", &mut replicas.cloud),
                (&mut usage, "db.usage", &mut replicas.usage),
            ] {
                let hosts = replica_hosts(props, prefix, pool.target.port)?;
                // CloudStack's JDBC URL lists the replicas after the primary: failover targets.
                pool.failover_hosts = hosts.clone();
                for (host, port) in hosts {
                    list.push(pool.replica_at(ConnectionTarget {
                        host,
                        port,
                        ..pool.target.clone()
                    }));
                }
            }
        }
        Ok(Self {
            cloud,
            usage,
            column_encryptor,
            replicas,
        })
    }
}

/// `<prefix>.replicas`: comma-separated `host` or `host:port` (default: the primary's port).
fn replica_hosts(props: &DbProperties, prefix: &str, port: u16) -> Result<Vec<(String, u16)>> {
    let Some(list) = props.get(&format!("{prefix}.replicas")) else {
        return Ok(Vec::new());
    };
    list.split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(|entry| match entry.rsplit_once(':') {
            Some((host, p)) if !host.contains(':') => p
                .parse::<u16>()
                .map(|p| (host.to_owned(), p))
                .map_err(|_| Error::Config(format!("{prefix}.replicas: bad port in `{entry}`"))),
            _ => Ok((entry.to_owned(), port)),
        })
        .collect()
}

/// The encryptor version configured in `db.cloud.encryptor.version` (`None`: try V2, then V1).
fn encryptor_version(props: &DbProperties) -> Result<Option<EncryptorVersion>> {
    match props
        .get("db.cloud.encryptor.version")
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => Ok(None),
        Some(v) => EncryptorVersion::parse(v).map(Some).ok_or_else(|| {
            Error::Config(format!(
                "db.cloud.encryptor.version must be V1 or V2, not `{v}`"
            ))
        }),
    }
}

/// The management server key for `ENC(...)` values, as `db.cloud.encryption.type` says:
/// `file` reads the `key` file beside db.properties, `env` reads `CLOUD_SECRET_KEY`; `given`
/// wins over both. `None` when encryption is off.
///
/// ```
/// use cloudstack_db::db::{DbProperties, management_key};
/// let none = DbProperties::parse("db.cloud.encryption.type=none");
/// assert!(management_key(&none, None, None).unwrap().is_none());
/// let web = DbProperties::parse("db.cloud.encryption.type=web");
/// assert!(management_key(&web, None, None).is_err());
/// ```
pub fn management_key(
    props: &DbProperties,
    conf_dir: Option<&Path>,
    given: Option<Secret>,
) -> Result<Option<Secret>> {
    if given.is_some() {
        return Ok(given);
    }
    let kind = props
        .get("db.cloud.encryption.type")
        .map(str::trim)
        .unwrap_or("none");
    match kind {
        "" | "none" => Ok(None),
        "env" => management_key_from_env().map(Some),
        "file" => {
            let Some(dir) = conf_dir else {
                return Err(Error::Config(
                    "db.cloud.encryption.type=file: read db.properties from its file so the key file beside it can be found".into(),
                ));
            };
            let path = dir.join("key");
            #[cfg(unix)]
            if let Ok(meta) = std::fs::metadata(&path) {
                use std::os::unix::fs::PermissionsExt;
                if let Some(problem) = key_file_permission_problem(meta.permissions().mode()) {
                    // CloudStack itself reads the key whatever its mode; the crate does too, and
                    // says so.
                    tracing::warn!(path = %path.display(), "the management server key file {problem}");
                }
            }
            let key = std::fs::read_to_string(&path).map_err(|e| {
                Error::Config(format!(
                    "cannot read the management server key {}: {e}",
                    path.display()
                ))
            })?;
            Ok(Some(Secret::new(key.trim_end_matches(['\n', '\r']))))
        }
        "web" => Err(Error::Config(
            "db.cloud.encryption.type=web: pass the management server key explicitly".into(),
        )),
        other => Err(Error::Config(format!(
            "unknown db.cloud.encryption.type `{other}`"
        ))),
    }
}

/// The management server key from [`CLOUD_SECRET_KEY_ENV`] (encryption type `env`); unset or
/// empty is an [`Error::Config`] naming the variable.
///
/// ```
/// // SAFETY (edition 2024): the doc test is a process of its own, with no other thread.
/// unsafe { std::env::remove_var(cloudstack_db::db::CLOUD_SECRET_KEY_ENV) };
/// let err = cloudstack_db::db::management_key_from_env().unwrap_err();
/// assert!(err.to_string().contains("CLOUD_SECRET_KEY"));
/// ```
pub fn management_key_from_env() -> Result<Secret> {
    match std::env::var(CLOUD_SECRET_KEY_ENV) {
        Ok(key) if !key.is_empty() => Ok(Secret::new(key)),
        _ => Err(Error::Config(format!(
            "the encryption type is `env` but {CLOUD_SECRET_KEY_ENV} is not set"
        ))),
    }
}

/// What is wrong with a key file's mode, if anything: anyone may read it, or others than its
/// owner may change it (`0640`, as the setup tool writes it, is fine).
///
/// ```
/// use cloudstack_db::db::key_file_permission_problem;
/// assert_eq!(key_file_permission_problem(0o100640), None);
/// assert!(key_file_permission_problem(0o100644).is_some());
/// assert!(key_file_permission_problem(0o100660).is_some());
/// ```
pub fn key_file_permission_problem(mode: u32) -> Option<&'static str> {
    if mode & 0o004 != 0 {
        Some("is readable by every user (chmod 0640 or stricter)")
    } else if mode & 0o022 != 0 {
        Some("can be changed by users other than its owner (chmod 0640 or stricter)")
    } else {
        None
    }
}

/// db.properties values with `ENC(...)` decrypted on the way out.
struct PropertyValues<'a> {
    props: &'a DbProperties,
    key: Option<&'a Secret>,
    version: Option<EncryptorVersion>,
}

impl PropertyValues<'_> {
    /// The value of `name`, decrypted when it is `ENC(...)`.
    /// Refuses (never sends on as plain text) a value that starts like `ENC(` but is not a
    /// whole `ENC(...)` holding something, naming the key and its line.
    fn secret(&self, name: &str) -> Result<Option<Secret>> {
        let Some(value) = self.props.get(name) else {
            return Ok(None);
        };
        let at = || {
            self.props
                .line_of(name)
                .map(|n| format!("db.properties line {n}, `{name}`"))
                .unwrap_or_else(|| format!("db.properties `{name}`"))
        };
        let Some(ciphertext) = unwrap_enc(value) else {
            if value.trim_start().starts_with("ENC(") {
                return Err(Error::Config(format!(
                    "{}: starts with ENC( but has no closing `)`",
                    at()
                )));
            }
            return Ok(Some(Secret::new(value)));
        };
        if ciphertext.trim().is_empty() {
            return Err(Error::Config(format!("{}: ENC() holds nothing", at())));
        }
        let key = self.key.ok_or_else(|| {
            Error::Config(format!(
                "{} is encrypted (ENC(...)); decrypting needs the management server key",
                at()
            ))
        })?;
        Encryptor::new(key.clone(), self.version)
            .decrypt(ciphertext)
            .map(Some)
            .map_err(|_| {
                Error::Config(format!(
                    "{}: cannot decrypt it with the management server key",
                    at()
                ))
            })
    }

    /// A value that is not a secret, trimmed.
    fn plain(&self, name: &str) -> Result<Option<String>> {
        Ok(self.secret(name)?.map(|s| s.expose().trim().to_owned()))
    }
}

fn pool_from_properties(values: &PropertyValues<'_>, prefix: &str) -> Result<PoolConfig> {
    let props = values.props;
    let key = |name: &str| format!("{prefix}.{name}");
    let plain = |name: &str| values.plain(&key(name));
    // CloudStack builds its JDBC URL from these keys and has no default for any of them.
    let required = |name: &str| -> Result<String> {
        plain(name)?
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Error::Config(format!("db.properties has no `{}`", key(name))))
    };
    let host = required("host")?;
    let port = props
        .number::<u16>(&key("port"))?
        .ok_or_else(|| Error::Config(format!("db.properties has no `{}`", key("port"))))?;
    let user = plain("username")?
        .ok_or_else(|| Error::Config(format!("db.properties has no `{}`", key("username"))))?;
    let password = values.secret(&key("password"))?.unwrap_or_default();
    let database = required("name")?;
    let mut config = PoolConfig::new(ConnectionTarget::new(host, port, user, password, database));

    if let Some(max) = props.number::<u32>(&key("maxActive"))? {
        if max == 0 {
            return Err(Error::Config(format!(
                "`{}` must be at least 1",
                key("maxActive")
            )));
        }
        config.pool.max_size = max;
    }
    if let Some(min) = props.number::<u32>(&key("minIdleConnections"))? {
        config.pool.min_idle = Some(min.min(config.pool.max_size));
    }
    if let Some(ms) = props.number::<u64>(&key("maxWait"))? {
        config.pool.connection_timeout = Duration::from_millis(ms.max(1));
    }
    if let Some(ms) = props.number::<u64>(&key("minEvictableIdleTimeMillis"))? {
        config.pool.idle_timeout = (ms > 0).then(|| Duration::from_millis(ms));
    }
    // CloudStack reads `db.cloud.useSSL` for both databases.
    if let Some(use_ssl) = props.get("db.cloud.useSSL") {
        let mut param = vec![("useSSL".to_owned(), use_ssl.trim().to_owned())];
        config.target.client.take_params(&mut param)?;
    }
    if let Some(params) = props.get(&key("url.params")) {
        apply_url_params(&mut config, params)?;
    }
    if [key("trustStore"), "db.cloud.trustStore".to_owned()]
        .iter()
        .any(|k| props.get(k).is_some_and(|v| !v.trim().is_empty()))
        && config.target.client.tls.is_required()
        && !config.target.url_params.iter().any(|(k, _)| k == "ssl_ca")
    {
        tracing::warn!(
            "db.cloud.trustStore is a Java key store, which this crate cannot read: the \
             connection is encrypted but the server's certificate is not checked; give a PEM CA \
             as ssl_ca in db.cloud.url.params to check it"
        );
    }
    Ok(config)
}

/// Applies the JDBC URL parameters CloudStack keeps in `db.cloud.url.params`:
/// `sessionVariables` (sql_mode and friends), `serverTimezone`, the timeouts and TLS settings
/// (see [`super::ClientSettings::take_params`]) and `ssl_ca`/`ssl_cert`/`ssl_key`. JDBC-only parameters such as
/// `prepStmtCacheSize` have no meaning here and are ignored.
fn apply_url_params(config: &mut PoolConfig, params: &str) -> Result<()> {
    // What is not handled here goes to the client settings, which take what they know.
    let mut others = Vec::new();
    for pair in params.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "ssl_ca" | "ssl_cert" | "ssl_key" => {
                let value = percent_encoding::percent_decode_str(value)
                    .decode_utf8_lossy()
                    .into_owned();
                config.target.url_params.push((name.to_owned(), value));
            }
            "sessionVariables" => {
                for (var, val) in session_variables(value) {
                    if var.eq_ignore_ascii_case("sql_mode") {
                        config.session.sql_mode = val;
                    } else if var.eq_ignore_ascii_case("time_zone") {
                        config.session.time_zone = val;
                    } else {
                        config.session.extra_variables.push((var, val));
                    }
                }
            }
            "serverTimezone" => {
                if !matches!(value, "UTC" | "GMT" | "Etc/UTC" | "+00:00" | "Z") {
                    return Err(Error::Config(format!(
                        "serverTimezone={value}: CloudStack stores datetimes as UTC; only UTC is supported"
                    )));
                }
            }
            _ => others.push((name.to_owned(), value.to_owned())),
        }
    }
    config.target.client.take_params(&mut others)?;
    for (name, _) in others {
        tracing::debug!(parameter = %name, "JDBC URL parameter ignored");
    }
    Ok(())
}

/// Splits Connector/J's `sessionVariables` (`a='x,y',b=2` — commas inside quotes kept).
fn session_variables(text: &str) -> Vec<(String, String)> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    for c in text.chars() {
        match c {
            '\'' | '"' => {
                in_quotes = !in_quotes;
                current.push(c);
            }
            ',' | ';' if !in_quotes => items.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    items.push(current);
    items
        .into_iter()
        .filter_map(|item| {
            let (k, v) = item.split_once('=')?;
            let v = v.trim().trim_matches(|c| c == '\'' || c == '"');
            Some((k.trim().to_owned(), v.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_ha_keys_give_failover_hosts_and_read_replicas() {
        let base = "db.cloud.username=cloud\ndb.cloud.host=db1\ndb.cloud.port=3307\n\
                    db.cloud.name=cloud\ndb.usage.name=cloud_usage\n\
                    db.usage.username=cloud\ndb.usage.host=db1\ndb.usage.port=3306\n\
                    db.cloud.replicas=db2, db3:3310\ndb.usage.replicas=db4\n";
        let off = DatabaseConfig::from_db_properties(&DbProperties::parse(base)).unwrap();
        assert!(off.cloud.failover_hosts.is_empty() && off.replicas.cloud.is_empty());

        let on = DatabaseConfig::from_db_properties(&DbProperties::parse(&format!(
            "{base}db.ha.enabled=true\n"
        )))
        .unwrap();
        assert_eq!(
            on.cloud.failover_hosts,
            [("db2".to_owned(), 3307), ("db3".to_owned(), 3310)]
        );
        assert_eq!(on.usage.failover_hosts, [("db4".to_owned(), 3306)]);
        let replicas: Vec<(String, u16, String)> = on
            .replicas
            .cloud
            .iter()
            .map(|r| {
                (
                    r.target.host.clone(),
                    r.target.port,
                    r.target.database.clone(),
                )
            })
            .collect();
        assert_eq!(
            replicas,
            [
                ("db2".to_owned(), 3307, "cloud".to_owned()),
                ("db3".to_owned(), 3310, "cloud".to_owned())
            ]
        );
        assert_eq!(on.replicas.usage[0].target.database, "cloud_usage");
        assert!(
            on.replicas
                .cloud
                .iter()
                .all(|r| r.failover_hosts.is_empty())
        );
        let bad = format!("{base}db.ha.enabled=true\ndb.cloud.replicas=db2:http\n");
        assert!(DatabaseConfig::from_db_properties(&DbProperties::parse(&bad)).is_err());
    }

    const CLOUDSTACK_TEMPLATE: &str = r"
# CloudStack database settings
db.cloud.username=cloud
db.cloud.password=cloud
db.cloud.host=localhost
db.cloud.port=3306
db.cloud.name=cloud
db.cloud.maxActive=250
db.cloud.maxIdle=30
db.cloud.maxWait=600000
db.cloud.minIdleConnections=5
db.cloud.minEvictableIdleTimeMillis=240000
db.cloud.url.params=prepStmtCacheSize=517&cachePrepStmts=true&sessionVariables=sql_mode='STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'&serverTimezone=UTC
db.usage.username=cloud
db.usage.password=cloud
db.usage.host=localhost
db.usage.port=3306
db.usage.name=cloud_usage
db.usage.maxActive=100
db.usage.maxWait=600000
db.usage.url.params=serverTimezone=UTC
";

    #[test]
    fn cloudstack_default_template() {
        let c =
            DatabaseConfig::from_db_properties(&DbProperties::parse(CLOUDSTACK_TEMPLATE)).unwrap();
        assert_eq!(
            c.cloud.target.to_string(),
            "mysql://cloud:***@localhost:3306/cloud"
        );
        assert_eq!(c.cloud.pool.max_size, 250);
        assert_eq!(c.cloud.pool.min_idle, Some(5));
        assert_eq!(c.cloud.pool.connection_timeout, Duration::from_secs(600));
        assert_eq!(c.cloud.pool.idle_timeout, Some(Duration::from_secs(240)));
        assert_eq!(c.cloud.session.sql_mode, crate::db::CLOUDSTACK_SQL_MODE);
        assert!(c.cloud.session.extra_variables.is_empty());
        assert_eq!(c.usage.pool.max_size, 100);
        assert_eq!(c.usage.target.database, "cloud_usage");
        assert_eq!(c.usage.target.password.expose(), "cloud");
    }

    #[test]
    fn encrypted_values_are_refused_without_leaking() {
        let text = CLOUDSTACK_TEMPLATE
            .replace("db.cloud.password=cloud", "db.cloud.password=ENC(abcdef==)");
        let err = DatabaseConfig::from_db_properties(&DbProperties::parse(&text)).unwrap_err();
        assert!(matches!(err, Error::Config(_)));
        assert!(err.to_string().contains("db.cloud.password"));
        assert!(!err.to_string().contains("abcdef"));
    }

    #[test]
    fn missing_username_and_bad_numbers_are_config_errors() {
        let no_user = DbProperties::parse(
            "db.cloud.host=h\ndb.cloud.port=3306\ndb.cloud.name=cloud\ndb.usage.username=u",
        );
        let err = DatabaseConfig::from_db_properties(&no_user).unwrap_err();
        assert!(err.to_string().contains("db.cloud.username"), "{err}");
        let bad_port = DbProperties::parse(
            "db.cloud.host=h\ndb.cloud.username=u\ndb.cloud.port=x\ndb.usage.username=u",
        );
        let err = DatabaseConfig::from_db_properties(&bad_port).unwrap_err();
        assert!(err.to_string().contains("db.cloud.port"), "{err}");
        let zero =
            DbProperties::parse("db.cloud.username=u\ndb.cloud.maxActive=0\ndb.usage.username=u");
        assert!(DatabaseConfig::from_db_properties(&zero).is_err());
    }

    /// CloudStack's template with `key` removed or given another value.
    fn template_with(key: &str, value: Option<&str>) -> DbProperties {
        let mut text = String::new();
        for line in CLOUDSTACK_TEMPLATE.lines() {
            match line.split_once('=') {
                Some((k, _)) if k == key => {
                    if let Some(v) = value {
                        text.push_str(&format!("{k}={v}\n"));
                    }
                }
                _ => text.push_str(&format!("{line}\n")),
            }
        }
        DbProperties::parse(&text)
    }

    #[test]
    fn keys_cloudstack_has_no_default_for_are_required() {
        assert!(DatabaseConfig::from_db_properties(&template_with("none", None)).is_ok());
        for key in [
            "db.cloud.host",
            "db.cloud.port",
            "db.cloud.name",
            "db.usage.host",
            "db.usage.port",
            "db.usage.name",
        ] {
            for value in [None, Some("")] {
                let err =
                    DatabaseConfig::from_db_properties(&template_with(key, value)).unwrap_err();
                assert!(
                    matches!(&err, Error::Config(m) if m.contains(key)),
                    "{key}={value:?}: {err}"
                );
            }
        }
    }

    #[test]
    fn a_value_that_is_not_a_whole_enc_is_refused_naming_its_line() {
        let key = Secret::new("mgmt-key");
        for (value, says) in [
            ("ENC(abcdef==", "no closing"),
            ("ENC()", "holds nothing"),
            ("ENC(   )", "holds nothing"),
            ("ENC(bm90IGEgY2lwaGVydGV4dA==)", "cannot decrypt"),
        ] {
            let props = template_with("db.cloud.password", Some(value));
            let line = props.line_of("db.cloud.password").unwrap();
            let err = DatabaseConfig::from_db_properties_with_key(&props, Some(&key)).unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains(&format!("line {line}")) && text.contains("db.cloud.password"),
                "{value}: {text}"
            );
            assert!(text.contains(says), "{value}: {text}");
            assert!(!text.contains("abcdef") && !text.contains("bm90"), "{text}");
        }
    }

    #[test]
    fn session_variables_keep_quoted_commas_and_extra_variables() {
        let vars = session_variables("sql_mode='A,B',wait_timeout=100;foo=\"x\"");
        assert_eq!(
            vars,
            vec![
                ("sql_mode".to_owned(), "A,B".to_owned()),
                ("wait_timeout".to_owned(), "100".to_owned()),
                ("foo".to_owned(), "x".to_owned())
            ]
        );
        let mut c = PoolConfig::from_url("mysql://u@h/cloud").unwrap();
        assert!(apply_url_params(&mut c, "serverTimezone=America/New_York").is_err());
        apply_url_params(&mut c, "sessionVariables=sql_mode='A',wait_timeout=100").unwrap();
        assert_eq!(c.session.sql_mode, "A");
        assert_eq!(
            c.session.extra_variables,
            vec![("wait_timeout".into(), "100".into())]
        );
    }
}
