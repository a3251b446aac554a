//! Private `mariadbd` instances on 127.0.0.1 for tests that stop, kill and restart a server, or
//! need several (replication, Galera), without touching the shared server on 3306.
//!
//! Each instance has its own data directory under the system temp dir, a free port, and runs as
//! a child of the test process with `--defaults-file` (the system's /etc/mysql is not read).
//! Dropping the value kills the server and removes the directory, also when the test panics.
//! Directories left by a test process that died are swept (their servers killed) by the next
//! [`LocalServer::start`].

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use diesel::prelude::*;

use cloudstack_db::db::{ConnectionTarget, DatabaseConfig, PoolSettings};
use cloudstack_db::{Error, Result};

/// Where every private instance's directory lives.
const BASE_DIR: &str = "csdb-servers";
/// How long a start (or restart with crash recovery) may take.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// One private `mariadbd` on 127.0.0.1.
///
/// ```no_run
/// use cloudstack_db_testing::LocalServer;
///
/// let mut server = LocalServer::start(&["server_id=1"])?;
/// let url = server.admin_url("mysql");
/// server.kill();    // SIGKILL, like a crash
/// server.restart()?; // same data, same port
/// # Ok::<(), cloudstack_db::Error>(())
/// ```
pub struct LocalServer {
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl std::fmt::Debug for LocalServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalServer")
            .field("port", &self.port)
            .field("dir", &self.dir)
            .field("running", &self.child.is_some())
            .finish()
    }
}

/// A free TCP port on 127.0.0.1 (the OS picks it; it is released before the server binds it).
///
/// ```
/// assert!(cloudstack_db_testing::free_port().unwrap() > 1024);
/// ```
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(io)?;
    Ok(listener.local_addr().map_err(io)?.port())
}

fn io(err: std::io::Error) -> Error {
    Error::Config(format!("local test server: {err}"))
}

/// Whether the process runs as root (then `mariadbd` needs `--user=mysql`); asked once.
fn running_as_root() -> bool {
    static ROOT: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ROOT.get_or_init(|| {
        Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false)
    })
}

impl LocalServer {
    /// Creates a data directory (`mariadb-install-db`, root without a password) and starts a
    /// server on a free port with `options` (lines of a `[mariadbd]` section, e.g.
    /// `"log_bin=mysql-bin"`), waiting until it accepts connections.
    pub fn start(options: &[&str]) -> Result<Self> {
        let mut server = Self::create(options, true)?;
        server.launch(&[], true)?;
        Ok(server)
    }

    /// Prepares an instance without starting it: configuration, and the data directory when
    /// `install` is set (a Galera joiner gets its data by state transfer instead). Start it
    /// with [`LocalServer::launch`].
    pub fn create(options: &[&str], install: bool) -> Result<Self> {
        sweep_orphans();
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir()
            .join(BASE_DIR)
            .join(format!("{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("data")).map_err(io)?;
        fs::create_dir_all(dir.join("tmp")).map_err(io)?;
        let port = free_port()?;
        let server = Self {
            dir,
            port,
            child: None,
        };
        server.write_config(options)?;
        server.chown()?;
        if install {
            server.install()?;
        }
        server.chown()?;
        Ok(server)
    }

    /// Starts a server created with [`LocalServer::create`] (or stopped), with `args` on its
    /// command line, and waits until it accepts connections when `wait` is set.
    pub fn launch(&mut self, args: &[&str], wait: bool) -> Result<()> {
        let mut command = Command::new("mariadbd");
        command
            .arg(format!(
                "--defaults-file={}",
                self.dir.join("my.cnf").display()
            ))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if running_as_root() {
            command.arg("--user=mysql");
        }
        self.child = Some(command.spawn().map_err(io)?);
        if wait {
            self.wait_until_ready()
        } else {
            Ok(())
        }
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The instance's directory (data, socket, error log).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `mysql://root@127.0.0.1:<port>/<database>`.
    pub fn admin_url(&self, database: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{database}", self.port)
    }

    /// The admin target for `database`.
    pub fn admin_target(&self, database: &str) -> Result<ConnectionTarget> {
        ConnectionTarget::from_url(&self.admin_url(database))
    }

    /// A new connection as root.
    pub fn admin_connection(&self) -> Result<MysqlConnection> {
        Ok(MysqlConnection::establish(&self.admin_url("mysql"))?)
    }

    /// Creates `cloud` and `cloud_usage` with every migration applied and returns a
    /// configuration for them (as root, with the test column encryptor and `pool`).
    pub fn migrated_databases(&self, pool: PoolSettings) -> Result<DatabaseConfig> {
        let admin = self.admin_target("mysql")?;
        super::create_migrated(
            &mut self.admin_connection()?,
            &admin,
            "cloud",
            "cloud_usage",
        )?;
        Ok(super::config_for(&admin, "cloud", "cloud_usage", pool))
    }

    /// Kills the server with SIGKILL (a crash: no clean shutdown) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Freezes the server with SIGSTOP: connections stay open and nothing answers, as with a
    /// server stuck in I/O or a network that drops every packet. [`LocalServer::thaw`] resumes it.
    pub fn freeze(&mut self) {
        self.signal("-STOP");
    }

    /// Resumes a server frozen with [`LocalServer::freeze`] (SIGCONT).
    pub fn thaw(&mut self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        if let Some(child) = &self.child {
            let status = Command::new("kill")
                .arg(signal)
                .arg(child.id().to_string())
                .status();
            assert!(
                status.is_ok_and(|s| s.success()),
                "kill {signal} {} failed",
                child.id()
            );
        }
    }

    /// Stops the server with SIGTERM (a clean shutdown), SIGKILL after a minute.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
            let deadline = Instant::now() + START_TIMEOUT;
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same data and port (after [`LocalServer::kill`] it
    /// goes through crash recovery) and waits until it accepts connections.
    pub fn restart(&mut self) -> Result<()> {
        self.launch(&[], true)
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// The last lines of the server's error log (for failure messages).
    pub fn error_log_tail(&self) -> String {
        let log = fs::read_to_string(self.dir.join("error.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    fn write_config(&self, options: &[&str]) -> Result<()> {
        let dir = self.dir.display();
        let mut cnf = format!(
            "[mariadbd]\ndatadir={dir}/data\nport={port}\nbind-address=127.0.0.1\n\
             socket={dir}/mysqld.sock\npid-file={dir}/mysqld.pid\nlog-error={dir}/error.log\n\
             tmpdir={dir}/tmp\n\
             innodb_buffer_pool_size=64M\ninnodb_log_file_size=16M\nperformance_schema=OFF\n\
             skip-name-resolve\nmax_connections=300\ncharacter-set-server=utf8mb3\n\
             collation-server=utf8mb3_general_ci\n",
            port = self.port
        );
        for option in options {
            cnf.push_str(option);
            cnf.push('\n');
        }
        fs::write(self.dir.join("my.cnf"), cnf).map_err(io)
    }

    fn install(&self) -> Result<()> {
        let mut command = Command::new("mariadb-install-db");
        command
            .arg("--no-defaults")
            .arg("--auth-root-authentication-method=normal")
            .arg("--skip-test-db")
            .arg(format!("--datadir={}/data", self.dir.display()))
            // Concurrent installs with the default /tmp collide on temporary table names.
            .arg(format!("--tmpdir={}/tmp", self.dir.display()));
        if running_as_root() {
            command.arg("--user=mysql");
        }
        let out = command.output().map_err(io)?;
        if !out.status.success() {
            return Err(Error::Config(format!(
                "mariadb-install-db failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        Ok(())
    }

    fn chown(&self) -> Result<()> {
        if running_as_root() {
            let status = Command::new("chown")
                .args(["-R", "mysql:mysql"])
                .arg(&self.dir)
                .status()
                .map_err(io)?;
            if !status.success() {
                return Err(Error::Config(
                    "chown of the test server's directory failed".into(),
                ));
            }
        }
        Ok(())
    }

    /// Polls until a connection succeeds; fails at once if the process exits.
    fn wait_until_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if MysqlConnection::establish(&self.admin_url("mysql")).is_ok() {
                return Ok(());
            }
            if !self.is_running() {
                return Err(Error::Config(format!(
                    "test server on port {} exited while starting:\n{}",
                    self.port,
                    self.error_log_tail()
                )));
            }
            if Instant::now() > deadline {
                return Err(Error::Config(format!(
                    "test server on port {} not ready after {START_TIMEOUT:?}:\n{}",
                    self.port,
                    self.error_log_tail()
                )));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.kill();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Kills the servers and removes the directories of test processes that are gone.
fn sweep_orphans() {
    let base = std::env::temp_dir().join(BASE_DIR);
    let Ok(entries) = fs::read_dir(&base) else {
        return;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        // Directories are named `<pid of the test process>-<n>`.
        let owner = entry
            .file_name()
            .to_string_lossy()
            .split('-')
            .next()
            .map(str::to_owned);
        let owner_alive = owner
            .and_then(|o| o.parse::<u32>().ok())
            .is_some_and(|pid| Path::new(&format!("/proc/{pid}")).exists());
        if owner_alive {
            continue;
        }
        if let Ok(pid) = fs::read_to_string(dir.join("mysqld.pid")) {
            let _ = Command::new("kill").arg("-KILL").arg(pid.trim()).status();
        }
        let _ = fs::remove_dir_all(&dir);
    }
}
