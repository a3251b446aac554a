//! The command line of `cloudstack-setup-databases`, with the real tool's rules.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use cloudstack_db::Secret;
use cloudstack_db::crypto::EncryptorVersion;

/// `cloudstack-setup-databases user:[password]@mysqlhost:[port] [options]`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cloudstack-setup-databases cloud:cloud@localhost --deploy-as=root:password -i 192.168.122.10\n  cloudstack-setup-databases cloud:cloud@db.example:3306 --schema-only\n\nExit status: 0 done, 1 failed (also: the databases exist, use --force-recreate), 2 bad command line."
)]
pub struct SetupArgs {
    /// The CloudStack database user, its password and the server: user:[password]@mysqlhost:[port].
    #[arg(value_name = "user:[password]@mysqlhost:[port]", required = true, num_args = 1..)]
    pub target: Vec<String>,

    /// Administrator credentials (rootuser:[rootpassword]): create the databases and the user,
    /// deploy the schema and default data.
    #[arg(
        short = 'd',
        long = "deploy-as",
        value_name = "ROOTUSER:[ROOTPASSWORD]"
    )]
    pub deploy_as: Option<String>,

    /// Create the schema as the CloudStack user; the databases and the user must already exist.
    #[arg(short = 's', long = "schema-only")]
    pub schema_only: bool,

    /// Drop and recreate `cloud` and `cloud_usage` when they already exist.
    #[arg(long = "force-recreate")]
    pub force_recreate: bool,

    /// The cluster node IP of this management server (default: detected).
    #[arg(short = 'i', long = "mshost", value_name = "IP")]
    pub mshost: Option<String>,

    /// The region id.
    #[arg(short = 'r', long = "regionid", value_name = "N", default_value_t = 1)]
    pub region_id: u32,

    /// Where the management server key lives: a key file, the web prompt, or CLOUD_SECRET_KEY
    /// (`none` writes db.properties values in plain text; a cloudstack-db extension).
    #[arg(short = 'e', long = "encrypt-type", value_enum, default_value_t = EncryptType::File)]
    pub encrypt_type: EncryptType,

    /// The management server key, which encrypts the values in db.properties. Kept off the
    /// command line with CLOUDSTACK_MANAGEMENT_KEY or --managementserver-secretkey-file.
    #[arg(
        short = 'm',
        long = "managementserver-secretkey",
        value_name = "KEY",
        default_value = "password",
        hide_default_value = true,
        env = "CLOUDSTACK_MANAGEMENT_KEY",
        hide_env_values = true
    )]
    pub management_key: Secret,

    /// A file whose first line is the management server key (takes precedence over -m).
    #[arg(long = "managementserver-secretkey-file", value_name = "FILE")]
    pub management_key_file: Option<PathBuf>,

    /// The database secret, which encrypts encrypted columns. Kept off the command line with
    /// CLOUDSTACK_DATABASE_KEY or --database-secretkey-file.
    #[arg(
        short = 'k',
        long = "database-secretkey",
        value_name = "KEY",
        default_value = "password",
        hide_default_value = true,
        env = "CLOUDSTACK_DATABASE_KEY",
        hide_env_values = true
    )]
    pub database_key: Secret,

    /// A file whose first line is the database secret (takes precedence over -k).
    #[arg(long = "database-secretkey-file", value_name = "FILE")]
    pub database_key_file: Option<PathBuf>,

    /// A file whose first line is the CloudStack user's password, used when the
    /// user:[password]@mysqlhost argument has none (CLOUDSTACK_DB_PASSWORD does the same).
    #[arg(long = "password-file", value_name = "FILE")]
    pub password_file: Option<PathBuf>,

    /// A file whose first line is the --deploy-as password, used when --deploy-as has none
    /// (CLOUDSTACK_DB_ROOT_PASSWORD does the same; with --deploy-as=USER, no colon, and
    /// neither, the tool asks on the terminal).
    #[arg(long = "deploy-as-password-file", value_name = "FILE")]
    pub admin_password_file: Option<PathBuf>,

    /// The encryptor version: V2 (AES-256-GCM) or V1 (legacy PBEWithMD5AndDES).
    #[arg(short = 'g', long = "encryptor-version", value_name = "V1|V2", default_value = "V2", value_parser = parse_version)]
    pub encryptor_version: EncryptorVersion,

    /// The directory of db.properties.
    #[arg(
        short = 'c',
        long = "db-conf-path",
        value_name = "DIR",
        default_value = "/etc/cloudstack/management"
    )]
    pub conf_dir: PathBuf,

    /// Where the management server key file is written with `-e file` (default: DIR/key).
    #[arg(short = 'n', long = "encryption-key-file", value_name = "FILE")]
    pub key_file: Option<PathBuf>,

    /// CloudStack's SQL directory: deploy from its files, as CloudStack's tool does (through the
    /// mysql client, 4.0.0's schema, which a management server upgrades at its first start),
    /// instead of the crate's 4.22 migrations.
    #[arg(short = 'f', long = "db-files-path", value_name = "DIR")]
    pub db_files_path: Option<PathBuf>,

    /// The jar CloudStack's tool encrypts with. Accepted and not needed: encryption is built in.
    #[arg(short = 'j', long = "encryption-jar-path", value_name = "JAR")]
    pub encryption_jar: Option<PathBuf>,

    /// The mysql client's directory: where `-f` finds the `mysql` program (else the PATH).
    /// Without `-f` no client program is run.
    #[arg(short = 'b', long = "mysql-bin-path", value_name = "DIR")]
    pub mysql_bin_path: Option<PathBuf>,

    /// Do not create users or grant privileges (they exist already).
    #[arg(short = 'u', long = "skip-users-auto-creation")]
    pub skip_users: bool,

    /// Print every statement and detail.
    #[arg(short = 'v', long = "debug")]
    pub debug: bool,

    /// server-setup.xml for an automated setup (needs CloudStack's Java tools; not supported).
    #[arg(short = 'a', long = "auto", value_name = "FILE", hide = true)]
    pub auto: Option<PathBuf>,
}

/// `-e`: where the management server key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EncryptType {
    /// In a key file beside db.properties (mode 0640).
    File,
    /// Typed in at the management server's start.
    Web,
    /// In the CLOUD_SECRET_KEY environment variable.
    Env,
    /// No encryption: db.properties holds plain values.
    None,
}

impl EncryptType {
    /// The value written to `db.cloud.encryption.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::File => "file",
            Self::Web => "web",
            Self::Env => "env",
            Self::None => "none",
        }
    }
}

fn parse_version(text: &str) -> Result<EncryptorVersion, String> {
    EncryptorVersion::parse(text).ok_or_else(|| format!("`{text}` is not V1 or V2"))
}

/// A MySQL account: user and password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// User name.
    pub user: String,
    /// Password (may be empty).
    pub password: Secret,
}

/// The positional argument, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbTarget {
    /// The CloudStack user.
    pub credentials: Credentials,
    /// The server host.
    pub host: String,
    /// The server port.
    pub port: u16,
}

/// Why the command line is refused (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    /// More or fewer than one positional argument.
    #[error("expected exactly one user:[password]@mysqlhost:[port] argument, got {0}")]
    PositionalCount(usize),
    /// An empty user name.
    #[error("the {0} user name must not be empty")]
    EmptyUser(&'static str),
    /// A quote, space, backslash or backtick in a user or password.
    #[error("the {0} must not contain a quote, a space, a backslash or a backtick")]
    ForbiddenCharacter(&'static str),
    /// A port that is not a positive integer.
    #[error("the port `{0}` is not a positive integer")]
    BadPort(String),
    /// `--schema-only` with `--deploy-as`.
    #[error("--schema-only cannot be combined with --deploy-as")]
    SchemaOnlyWithDeployAs,
    /// The admin user is the CloudStack user.
    #[error("--deploy-as must name another user than the CloudStack user `{0}`")]
    SameUser(String),
    /// A secret file that cannot be read.
    #[error("cannot read the {what} from {path}: {reason}")]
    SecretFile {
        /// Which secret.
        what: &'static str,
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The terminal prompt for a password failed.
    #[error("cannot read the {0} from the terminal: {1}")]
    Prompt(&'static str, String),
    /// `--auto` needs CloudStack's Java tools.
    #[error("--auto needs CloudStack's Java DatabaseConfig tool, which this tool does not run")]
    AutoUnsupported,
}

/// Checks a user or password for the characters the real tool refuses.
fn check_chars(text: &str, what: &'static str) -> Result<(), UsageError> {
    if text
        .chars()
        .any(|c| matches!(c, '\'' | '"' | ' ' | '\\' | '`'))
    {
        Err(UsageError::ForbiddenCharacter(what))
    } else {
        Ok(())
    }
}

/// Splits `user:[password]` (at the first `:`).
///
/// ```
/// use cloudstack_db_cli::setup_args::parse_credentials;
/// let c = parse_credentials("root:", "admin").unwrap();
/// assert_eq!((c.user.as_str(), c.password.expose()), ("root", ""));
/// assert!(parse_credentials(":pw", "admin").is_err());
/// ```
pub fn parse_credentials(text: &str, role: &'static str) -> Result<Credentials, UsageError> {
    let (user, password) = text.split_once(':').unwrap_or((text, ""));
    if user.is_empty() {
        return Err(UsageError::EmptyUser(role));
    }
    check_chars(
        user,
        if role == "admin" {
            "admin user name"
        } else {
            "user name"
        },
    )?;
    check_chars(
        password,
        if role == "admin" {
            "admin password"
        } else {
            "password"
        },
    )?;
    Ok(Credentials {
        user: user.to_owned(),
        password: Secret::new(password),
    })
}

/// Splits `user:[password]@mysqlhost:[port]` at the last `@`; no `@` means `localhost`, no port
/// means 3306.
///
/// ```
/// use cloudstack_db_cli::setup_args::parse_target;
/// let t = parse_target("cloud:p@ss@db1:3307").unwrap();
/// assert_eq!((t.credentials.user.as_str(), t.credentials.password.expose()), ("cloud", "p@ss"));
/// assert_eq!((t.host.as_str(), t.port), ("db1", 3307));
/// ```
pub fn parse_target(text: &str) -> Result<DbTarget, UsageError> {
    let (credentials, server) = match text.rsplit_once('@') {
        Some((c, s)) => (c, s),
        None => (text, "localhost"),
    };
    let credentials = parse_credentials(credentials, "CloudStack")?;
    let (host, port) = match server.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() => {
            let port: u16 = port
                .parse()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| UsageError::BadPort(port.to_owned()))?;
            (host, port)
        }
        Some((host, _)) => (host, 3306),
        None => (server, 3306),
    };
    let host = if host.is_empty() { "localhost" } else { host };
    Ok(DbTarget {
        credentials,
        host: host.to_owned(),
        port,
    })
}

/// What the command line asks for, checked, with every secret found (argument, file,
/// environment or prompt).
#[derive(Debug, Clone)]
pub struct SetupPlan {
    /// The CloudStack user and server.
    pub target: DbTarget,
    /// The administrator, with `--deploy-as`.
    pub admin: Option<Credentials>,
    /// The management server key.
    pub management_key: Secret,
    /// The database secret.
    pub database_key: Secret,
}

/// The environment variable for the CloudStack user's password.
pub const PASSWORD_ENV: &str = "CLOUDSTACK_DB_PASSWORD";
/// The environment variable for the `--deploy-as` password.
pub const ADMIN_PASSWORD_ENV: &str = "CLOUDSTACK_DB_ROOT_PASSWORD";

/// The first line of a secret file (without its line end).
fn secret_file(path: &std::path::Path, what: &'static str) -> Result<Secret, UsageError> {
    let text = std::fs::read_to_string(path).map_err(|e| UsageError::SecretFile {
        what,
        path: path.display().to_string(),
        reason: e.kind().to_string(),
    })?;
    Ok(Secret::new(text.lines().next().unwrap_or("")))
}

/// A password the argument left empty: from `file`, else from `env`, else empty (or, for
/// `prompt`, asked on the terminal when there is one).
fn missing_password(
    file: Option<&std::path::Path>,
    env: &str,
    what: &'static str,
    prompt: Option<&str>,
) -> Result<Secret, UsageError> {
    if let Some(path) = file {
        return secret_file(path, what);
    }
    if let Some(value) = std::env::var_os(env) {
        return Ok(Secret::new(value.to_string_lossy().into_owned()));
    }
    match prompt {
        Some(question) if std::io::IsTerminal::is_terminal(&std::io::stdin()) => {
            rpassword::prompt_password(question)
                .map(Secret::new)
                .map_err(|e| UsageError::Prompt(what, e.to_string()))
        }
        _ => Ok(Secret::new("")),
    }
}

impl SetupArgs {
    /// Applies the real tool's rules to the command line.
    pub fn plan(&self) -> Result<SetupPlan, UsageError> {
        if self.target.len() != 1 {
            return Err(UsageError::PositionalCount(self.target.len()));
        }
        if self.auto.is_some() {
            return Err(UsageError::AutoUnsupported);
        }
        let mut target = parse_target(&self.target[0])?;
        if target.credentials.password.is_empty() {
            target.credentials.password = missing_password(
                self.password_file.as_deref(),
                PASSWORD_ENV,
                "CloudStack user's password",
                None,
            )?;
            check_chars(target.credentials.password.expose(), "password")?;
        }
        let admin = match self.deploy_as.as_deref() {
            None => None,
            Some(d) => {
                let mut admin = parse_credentials(d, "admin")?;
                if admin.password.is_empty() {
                    // `USER:` says the password is empty; `USER` alone may be asked for.
                    let prompt = (!d.contains(':'))
                        .then(|| format!("Password of the MySQL user {}: ", admin.user));
                    admin.password = missing_password(
                        self.admin_password_file.as_deref(),
                        ADMIN_PASSWORD_ENV,
                        "--deploy-as password",
                        prompt.as_deref(),
                    )?;
                    check_chars(admin.password.expose(), "admin password")?;
                }
                Some(admin)
            }
        };
        if self.schema_only && admin.is_some() {
            return Err(UsageError::SchemaOnlyWithDeployAs);
        }
        if let Some(admin) = &admin {
            if admin.user == target.credentials.user {
                return Err(UsageError::SameUser(admin.user.clone()));
            }
        }
        let management_key = match &self.management_key_file {
            Some(path) => secret_file(path, "management server key")?,
            None => self.management_key.clone(),
        };
        let database_key = match &self.database_key_file {
            Some(path) => secret_file(path, "database secret")?,
            None => self.database_key.clone(),
        };
        Ok(SetupPlan {
            target,
            admin,
            management_key,
            database_key,
        })
    }
}
