//! What server we talk to: MySQL or MariaDB, and which version.

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::Result;

/// The server family; they differ in a few variable names and features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ServerFlavor {
    /// Oracle MySQL (or Percona Server).
    MySql,
    /// MariaDB.
    MariaDb,
}

/// The server's flavor and version, read with `SELECT VERSION()`.
///
/// ```
/// use cloudstack_db::db::{ServerFlavor, ServerInfo};
///
/// let maria = ServerInfo::parse("10.11.19-MariaDB-0+deb12u1");
/// assert_eq!(maria.flavor, ServerFlavor::MariaDb);
/// assert_eq!(maria.isolation_variable(), "tx_isolation");
/// let mysql = ServerInfo::parse("8.0.40");
/// assert_eq!(mysql.isolation_variable(), "transaction_isolation");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServerInfo {
    /// MySQL or MariaDB.
    pub flavor: ServerFlavor,
    /// Major, minor and patch version.
    pub version: (u32, u32, u32),
    /// The full `VERSION()` string.
    pub version_string: String,
}

#[derive(QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = Text)]
    version: String,
}

impl ServerInfo {
    /// Asks the server.
    ///
    /// ```no_run
    /// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
    /// let info = cloudstack_db::db::ServerInfo::query(conn)?;
    /// println!("{} {:?}", info.version_string, info.flavor);
    /// # Ok(()) }
    /// ```
    pub fn query(conn: &mut MysqlConnection) -> Result<Self> {
        let row: VersionRow = diesel::sql_query("SELECT VERSION() AS version").get_result(conn)?;
        Ok(Self::parse(&row.version))
    }

    /// Interprets a `VERSION()` string.
    ///
    /// ```
    /// let info = cloudstack_db::db::ServerInfo::parse("11.4.2-MariaDB");
    /// assert_eq!(info.version, (11, 4, 2));
    /// ```
    pub fn parse(version_string: &str) -> Self {
        let flavor = if version_string.to_ascii_lowercase().contains("mariadb") {
            ServerFlavor::MariaDb
        } else {
            ServerFlavor::MySql
        };
        let numeric = version_string.split(['-', '+', ' ']).next().unwrap_or("");
        let mut parts = numeric.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let version = (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        );
        Self {
            flavor,
            version,
            version_string: version_string.to_owned(),
        }
    }

    /// The session variable that holds the isolation level: `tx_isolation` on MariaDB before
    /// 11.1, `transaction_isolation` on MySQL 8 and MariaDB 11.1+.
    ///
    /// ```
    /// let info = cloudstack_db::db::ServerInfo::parse("11.1.0-MariaDB");
    /// assert_eq!(info.isolation_variable(), "transaction_isolation");
    /// ```
    pub fn isolation_variable(&self) -> &'static str {
        match self.flavor {
            ServerFlavor::MariaDb if self.version < (11, 1, 0) => "tx_isolation",
            _ => "transaction_isolation",
        }
    }

    /// Whether `SELECT ... FOR UPDATE SKIP LOCKED` is available (MySQL 8.0+, MariaDB 10.6+).
    ///
    /// ```
    /// assert!(cloudstack_db::db::ServerInfo::parse("10.6.1-MariaDB").supports_skip_locked());
    /// assert!(!cloudstack_db::db::ServerInfo::parse("5.7.44").supports_skip_locked());
    /// ```
    pub fn supports_skip_locked(&self) -> bool {
        match self.flavor {
            ServerFlavor::MariaDb => self.version >= (10, 6, 0),
            ServerFlavor::MySql => self.version >= (8, 0, 1),
        }
    }
}
