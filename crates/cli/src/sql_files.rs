//! `cloudstack-setup-databases -f DIR`: deploying from CloudStack's own SQL directory the way
//! CloudStack's tool does — its files, in its order, through the `mysql` client program (from
//! `-b DIR` when given), with the CloudStack user's name and password put in place of the
//! files' `cloud`/`cloud`. The result is the schema those files describe (4.0.0 for
//! CloudStack's packaged directory), which a management server upgrades at its first start.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cloudstack_db::Error;

use super::setup_args::Credentials;

/// The files a CloudStack SQL directory must hold (the real tool checks the same ones).
const REQUIRED: [&str; 4] = [
    "create-database.sql",
    "create-schema.sql",
    "templates.sql",
    "server-setup.sql",
];

/// CloudStack's SQL directory, checked to hold the files its tool needs.
///
/// ```no_run
/// let files = cloudstack_db_cli::sql_files::SqlFiles::open("/usr/share/cloudstack-management/setup".as_ref())?;
/// assert_eq!(files.scripts(false)[0].file_name().unwrap(), "create-database.sql");
/// # Ok::<(), cloudstack_db::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SqlFiles {
    dir: PathBuf,
}

impl SqlFiles {
    /// Checks that `dir` holds CloudStack's SQL files; names the missing ones otherwise.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        let missing: Vec<&str> = REQUIRED
            .into_iter()
            .filter(|f| !dir.join(f).is_file())
            .collect();
        if !missing.is_empty() {
            return Err(Error::Config(format!(
                "-f {}: not CloudStack's SQL directory, it lacks {}",
                dir.display(),
                missing.join(", ")
            )));
        }
        Ok(Self {
            dir: dir.to_owned(),
        })
    }

    /// The files to run, in CloudStack's order: the database and schema files (only the
    /// schema ones with `--schema-only`; the premium ones when present), `server-setup.sql`,
    /// `templates.sql`, and `schema-level.sql` when present.
    pub fn scripts(&self, schema_only: bool) -> Vec<PathBuf> {
        let first: &[&str] = if schema_only {
            &["create-schema", "create-schema-premium"]
        } else {
            &[
                "create-database",
                "create-schema",
                "create-database-premium",
                "create-schema-premium",
            ]
        };
        first
            .iter()
            .chain(&["server-setup", "templates", "schema-level"])
            .map(|name| self.dir.join(format!("{name}.sql")))
            .filter(|path| path.is_file())
            .collect()
    }
}

/// The statements about the CloudStack user in the files, rewritten for `user` with
/// `password` (what CloudStack's tool replaces, in its order).
fn replacements(user: &str, password: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "CREATE USER cloud identified by 'cloud';",
            format!(
                "CREATE USER {user}@`localhost` identified by '{password}'; CREATE USER {user}@`%` identified by '{password}';"
            ),
        ),
        (
            "cloud identified by 'cloud';",
            format!("{user} identified by '{password}';"),
        ),
        (
            "cloud@`localhost` identified by 'cloud'",
            format!("{user}@`localhost` identified by '{password}'"),
        ),
        (
            "cloud@`%` identified by 'cloud'",
            format!("{user}@`%` identified by '{password}'"),
        ),
        ("to cloud@`localhost`", format!("to {user}@`localhost`")),
        ("to cloud@`%`", format!("to {user}@`%`")),
        ("TO cloud@`localhost`", format!("to {user}@`localhost`")),
        ("TO cloud@`%`", format!("to {user}@`%`")),
        (
            "WHERE `User` = 'cloud' and host =",
            format!("WHERE `User` = '{user}' and host ="),
        ),
        ("DROP USER 'cloud'", format!("DROP USER '{user}'")),
        ("CALL `test`.`drop_user_if_exists`() ;", String::new()),
    ]
}

/// With `--skip-users-auto-creation`: the user statements left out (before the replacements).
const SKIPPED_WITHOUT_USERS: [(&str, &str); 10] = [
    ("CREATE USER cloud@`localhost` identified by 'cloud';", ""),
    ("CREATE USER cloud@`%` identified by 'cloud';", ""),
    ("GRANT ALL ON cloud.* to cloud@`localhost`;", ""),
    ("GRANT ALL ON cloud.* to cloud@`%`;", ""),
    ("GRANT ALL ON cloud_usage.* to cloud@`localhost`;", ""),
    ("GRANT ALL ON cloud_usage.* to cloud@`%`;", ""),
    ("GRANT process ON *.* TO cloud@`localhost`;", ""),
    ("GRANT process ON *.* TO cloud@`%`;", ""),
    ("DROP USER 'cloud'@'localhost' ;", "DO NULL;"),
    ("DROP USER 'cloud'@'%' ;", "DO NULL;"),
];

/// The text of `file` as it is sent to the server: the user statements skipped or rewritten.
///
/// ```
/// use cloudstack_db_cli::sql_files::rewrite;
/// let sql = rewrite("GRANT ALL ON cloud.* to cloud@`%`;", "cs", "pw", false);
/// assert_eq!(sql, "GRANT ALL ON cloud.* to cs@`%`;");
/// assert_eq!(rewrite("GRANT ALL ON cloud.* to cloud@`%`;", "cs", "pw", true), "");
/// ```
pub fn rewrite(text: &str, user: &str, password: &str, skip_users: bool) -> String {
    let mut text = text.to_owned();
    if skip_users {
        for (from, to) in SKIPPED_WITHOUT_USERS {
            text = text.replace(from, to);
        }
    }
    for (from, to) in replacements(user, password) {
        text = text.replace(from, &to);
    }
    text
}

/// Where the client program is: `mysql` in `-b DIR`, else the first of `mysql` and `mariadb`
/// on the PATH.
fn client_program(bin_dir: Option<&Path>) -> Result<PathBuf, Error> {
    if let Some(dir) = bin_dir {
        let program = dir.join("mysql");
        return if program.is_file() {
            Ok(program)
        } else {
            Err(Error::Config(format!(
                "-b {}: no mysql client program there",
                dir.display()
            )))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["mysql", "mariadb"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(Error::Config(
        "-f needs the mysql client program (mysql or mariadb on the PATH, or -b DIR)".into(),
    ))
}

/// Where and as whom the files run.
pub struct ClientTarget<'a> {
    /// Server host.
    pub host: &'a str,
    /// Server port.
    pub port: u16,
    /// The account the files run as (`--deploy-as`, or the CloudStack user with
    /// `--schema-only`).
    pub login: &'a Credentials,
    /// The `-b` directory, if given.
    pub bin_dir: Option<&'a Path>,
}

/// Runs `file`, rewritten for `user` (see [`rewrite`]), through the client program as
/// `target.login`. The password goes to the client in its environment (`MYSQL_PWD`), not on
/// its command line, and the text on its standard input, not in a file.
pub fn run_file(
    target: &ClientTarget<'_>,
    file: &Path,
    user: &Credentials,
    skip_users: bool,
) -> Result<(), Error> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::Config(format!("{}: {e}", file.display())))?;
    let sql = rewrite(&text, &user.user, user.password.expose(), skip_users);
    let mut child = Command::new(client_program(target.bin_dir)?)
        .arg("--no-defaults")
        .arg("--protocol=tcp")
        .arg(format!("--host={}", target.host))
        .arg(format!("--port={}", target.port))
        .arg(format!("--user={}", target.login.user))
        .env("MYSQL_PWD", target.login.password.expose())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Config(format!("cannot run the mysql client: {e}")))?;
    let mut stdin = child.stdin.take().expect("piped");
    let written = stdin.write_all(sql.as_bytes());
    drop(stdin);
    let output = child
        .wait_with_output()
        .map_err(|e| Error::Config(format!("the mysql client: {e}")))?;
    if !output.status.success() || written.is_err() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        // The client names the failing line; the password is never in its output (it was
        // not on its command line), but a statement of the file could echo it: cut it out.
        let message = stderr.replace(user.password.expose(), "***");
        return Err(Error::Config(format!(
            "{} failed: {}",
            file.display(),
            message.trim()
        )));
    }
    Ok(())
}
