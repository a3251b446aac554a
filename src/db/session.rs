//! The session settings CloudStack runs with, applied to every new pooled connection.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::ServerInfo;
use crate::{Error, Result};

/// CloudStack's `sql_mode` (db.properties `db.cloud.url.params` sessionVariables).
pub const CLOUDSTACK_SQL_MODE: &str = "STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION";

/// A transaction isolation level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum IsolationLevel {
    /// `READ UNCOMMITTED`
    ReadUncommitted,
    /// `READ COMMITTED` — what CloudStack's connection pool uses.
    ReadCommitted,
    /// `REPEATABLE READ` — the InnoDB default.
    RepeatableRead,
    /// `SERIALIZABLE`
    Serializable,
}

impl IsolationLevel {
    /// The SQL spelling, e.g. `READ COMMITTED`.
    ///
    /// ```
    /// use cloudstack_db::db::IsolationLevel;
    /// assert_eq!(IsolationLevel::ReadCommitted.sql(), "READ COMMITTED");
    /// ```
    pub fn sql(self) -> &'static str {
        match self {
            Self::ReadUncommitted => "READ UNCOMMITTED",
            Self::ReadCommitted => "READ COMMITTED",
            Self::RepeatableRead => "REPEATABLE READ",
            Self::Serializable => "SERIALIZABLE",
        }
    }

    /// Reads the server's variable spelling (`READ-COMMITTED`) or the SQL spelling.
    ///
    /// ```
    /// use cloudstack_db::db::IsolationLevel;
    /// assert_eq!(IsolationLevel::parse("READ-COMMITTED"), Some(IsolationLevel::ReadCommitted));
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        match text
            .trim()
            .to_ascii_uppercase()
            .replace(['-', '_'], " ")
            .as_str()
        {
            "READ UNCOMMITTED" => Some(Self::ReadUncommitted),
            "READ COMMITTED" => Some(Self::ReadCommitted),
            "REPEATABLE READ" => Some(Self::RepeatableRead),
            "SERIALIZABLE" => Some(Self::Serializable),
            _ => None,
        }
    }
}

/// What every pooled connection is set to when the pool opens it.
///
/// The defaults are CloudStack's: its `sql_mode`, time zone UTC, isolation READ COMMITTED.
/// `lc_messages` is pinned to `en_US` because the crate classifies some errors by message.
/// `lock_wait_timeout` (how long a statement waits for a table or metadata lock, e.g. behind
/// `LOCK TABLES`; the server's default is a year) is bounded to 60 s.
///
/// ```
/// use cloudstack_db::db::{IsolationLevel, SessionSettings, CLOUDSTACK_SQL_MODE};
///
/// let s = SessionSettings::default();
/// assert_eq!(s.sql_mode, CLOUDSTACK_SQL_MODE);
/// assert_eq!(s.time_zone, "+00:00");
/// assert_eq!(s.isolation, IsolationLevel::ReadCommitted);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSettings {
    /// `@@session.sql_mode`.
    pub sql_mode: String,
    /// `@@session.time_zone`; `+00:00` needs no time zone tables on the server.
    pub time_zone: String,
    /// The session's default transaction isolation.
    pub isolation: IsolationLevel,
    /// `@@session.lock_wait_timeout`, whole seconds (at least 1): a statement waiting longer for
    /// a table or metadata lock fails with the retryable lock wait timeout (1205). The URL's
    /// `lockWaitTimeout` (seconds) sets it; a `lock_wait_timeout` among `extra_variables`
    /// overrides it.
    pub lock_wait_timeout: Duration,
    /// Further `name = value` session variables (from db.properties `sessionVariables`).
    pub extra_variables: Vec<(String, String)>,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            sql_mode: CLOUDSTACK_SQL_MODE.to_owned(),
            time_zone: "+00:00".to_owned(),
            isolation: IsolationLevel::ReadCommitted,
            lock_wait_timeout: Duration::from_secs(60),
            extra_variables: Vec::new(),
        }
    }
}

impl SessionSettings {
    /// The statements that apply these settings, sent as one batch (one round trip).
    ///
    /// ```
    /// let sql = cloudstack_db::db::SessionSettings::default().statements().unwrap();
    /// assert!(sql.contains("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"));
    /// assert!(sql.contains("lock_wait_timeout = 60"));
    /// ```
    pub fn statements(&self) -> Result<String> {
        let mut assignments = vec![
            format!("sql_mode = {}", quote(&self.sql_mode)),
            format!("time_zone = {}", quote(&self.time_zone)),
            "lc_messages = 'en_US'".to_owned(),
            format!(
                "lock_wait_timeout = {}",
                self.lock_wait_timeout.as_secs().max(1)
            ),
        ];
        for (name, value) in &self.extra_variables {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(Error::Config(format!(
                    "session variable name `{name}` is not a plain identifier"
                )));
            }
            assignments.push(format!("{name} = {}", literal(value)));
        }
        Ok(format!(
            "SET SESSION {}; SET SESSION TRANSACTION ISOLATION LEVEL {}",
            assignments.join(", "),
            self.isolation.sql()
        ))
    }

    /// Applies the settings to a connection.
    ///
    /// ```no_run
    /// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
    /// cloudstack_db::db::SessionSettings::default().apply(conn)?;
    /// # Ok(()) }
    /// ```
    pub fn apply(&self, conn: &mut MysqlConnection) -> Result<()> {
        conn.batch_execute(&self.statements()?)?;
        Ok(())
    }
}

/// A number or a bare word (`ON`, `utf8mb4`) as it is, anything else as a quoted string.
fn literal(value: &str) -> String {
    let word = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'));
    let bare = word || value.parse::<f64>().is_ok_and(f64::is_finite);
    if bare { value.to_owned() } else { quote(value) }
}

/// Quotes a string literal for MySQL (backslash and quote escaped).
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The session settings a connection actually has, read back from the server.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let live = cloudstack_db::db::SessionSnapshot::read(conn)?;
/// println!("sql_mode={} time_zone={} isolation={}", live.sql_mode, live.time_zone, live.isolation);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName, serde::Serialize)]
pub struct SessionSnapshot {
    /// `@@session.sql_mode`
    #[diesel(sql_type = Text)]
    pub sql_mode: String,
    /// `@@session.time_zone`
    #[diesel(sql_type = Text)]
    pub time_zone: String,
    /// `@@session.tx_isolation` (MariaDB < 11.1) or `@@session.transaction_isolation`
    #[diesel(sql_type = Text)]
    pub isolation: String,
    /// `@@session.lc_messages`
    #[diesel(sql_type = Text)]
    pub lc_messages: String,
    /// `@@session.autocommit`, as `0` / `1`
    #[diesel(sql_type = Text)]
    pub autocommit: String,
}

impl SessionSnapshot {
    /// Reads the live values with one `SELECT @@session...`.
    pub fn read(conn: &mut MysqlConnection) -> Result<Self> {
        let server = ServerInfo::query(conn)?;
        let sql = format!(
            "SELECT @@session.sql_mode AS sql_mode, @@session.time_zone AS time_zone, \
             @@session.{} AS isolation, @@session.lc_messages AS lc_messages, \
             IF(@@session.autocommit, '1', '0') AS autocommit",
            server.isolation_variable()
        );
        Ok(diesel::sql_query(sql).get_result(conn)?)
    }

    /// The isolation level, parsed.
    ///
    /// ```
    /// use cloudstack_db::db::{IsolationLevel, SessionSnapshot};
    /// let s = SessionSnapshot { sql_mode: String::new(), time_zone: "+00:00".into(),
    ///     isolation: "READ-COMMITTED".into(), lc_messages: "en_US".into(), autocommit: "1".into() };
    /// assert_eq!(s.isolation_level(), Some(IsolationLevel::ReadCommitted));
    /// ```
    pub fn isolation_level(&self) -> Option<IsolationLevel> {
        IsolationLevel::parse(&self.isolation)
    }

    /// The `sql_mode` flags as a sorted list (the server may reorder them).
    ///
    /// ```
    /// use cloudstack_db::db::SessionSnapshot;
    /// let s = SessionSnapshot { sql_mode: "B,A".into(), time_zone: String::new(),
    ///     isolation: String::new(), lc_messages: String::new(), autocommit: "1".into() };
    /// assert_eq!(s.sql_mode_flags(), vec!["A", "B"]);
    /// ```
    pub fn sql_mode_flags(&self) -> Vec<&str> {
        let mut flags: Vec<&str> = self.sql_mode.split(',').filter(|f| !f.is_empty()).collect();
        flags.sort_unstable();
        flags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_variables_are_quoted_only_when_needed() {
        let settings = SessionSettings {
            extra_variables: vec![
                ("wait_timeout".into(), "100".into()),
                ("auto_increment_offset".into(), "-1".into()),
                ("character_set_client".into(), "utf8mb4".into()),
                ("init_connect".into(), "x'; DROP TABLE t; --".into()),
            ],
            ..SessionSettings::default()
        };
        let sql = settings.statements().unwrap();
        assert!(sql.contains("wait_timeout = 100,"), "{sql}");
        assert!(sql.contains("auto_increment_offset = -1,"), "{sql}");
        assert!(sql.contains("character_set_client = utf8mb4,"), "{sql}");
        assert!(
            sql.contains("init_connect = 'x''; DROP TABLE t; --'"),
            "{sql}"
        );
        let bad = SessionSettings {
            extra_variables: vec![("a = 1; DROP TABLE t".into(), "1".into())],
            ..SessionSettings::default()
        };
        assert!(matches!(bad.statements(), Err(Error::Config(_))));
    }
}
