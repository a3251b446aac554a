//! `cloudstack-db doctor`: the server's settings against CloudStack's recommendations.

use std::process::ExitCode;

use diesel::prelude::*;
use diesel::sql_types::Text;

use cloudstack_db::Result;
use cloudstack_db::db::{CLOUDSTACK_SQL_MODE, DatabaseConfig};

#[derive(QueryableByName)]
struct Globals {
    #[diesel(sql_type = Text)]
    sql_mode: String,
    #[diesel(sql_type = Text)]
    innodb_rollback_on_timeout: String,
    #[diesel(sql_type = Text)]
    innodb_lock_wait_timeout: String,
    #[diesel(sql_type = Text)]
    max_connections: String,
    #[diesel(sql_type = Text)]
    log_bin: String,
    #[diesel(sql_type = Text)]
    binlog_format: String,
    #[diesel(sql_type = Text)]
    server_id: String,
    #[diesel(sql_type = Text)]
    character_set_server: String,
}

/// One checked setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Finding {
    pub name: &'static str,
    pub value: String,
    pub ok: bool,
    pub fix: String,
}

fn is_on(value: &str) -> bool {
    matches!(value.to_ascii_uppercase().as_str(), "1" | "ON")
}

fn findings(g: &Globals) -> Vec<Finding> {
    let mode: Vec<String> = g
        .sql_mode
        .split(',')
        .map(|m| m.trim().to_ascii_uppercase())
        .collect();
    let missing: Vec<&str> = CLOUDSTACK_SQL_MODE
        .split(',')
        .filter(|f| !mode.iter().any(|m| m == f))
        .collect();
    let number = |v: &str| v.trim().parse::<u64>().unwrap_or(0);
    vec![
        Finding {
            name: "sql_mode",
            value: g.sql_mode.clone(),
            ok: missing.is_empty(),
            fix: format!("add {} (sql-mode=\"{CLOUDSTACK_SQL_MODE}\" in [mysqld]; the crate also sets it per session)", missing.join(",")),
        },
        Finding {
            name: "innodb_rollback_on_timeout",
            value: g.innodb_rollback_on_timeout.clone(),
            ok: is_on(&g.innodb_rollback_on_timeout),
            fix: "set innodb_rollback_on_timeout=1 in [mysqld] (not dynamic: restart)".into(),
        },
        Finding {
            name: "innodb_lock_wait_timeout",
            value: g.innodb_lock_wait_timeout.clone(),
            ok: number(&g.innodb_lock_wait_timeout) >= 600,
            fix: "set innodb_lock_wait_timeout=600 in [mysqld] (or SET GLOBAL innodb_lock_wait_timeout=600)".into(),
        },
        Finding {
            name: "max_connections",
            value: g.max_connections.clone(),
            ok: number(&g.max_connections) >= 1000,
            fix: "set max_connections=1000 in [mysqld]: each management server pools up to 350 connections".into(),
        },
        Finding {
            name: "log_bin",
            value: g.log_bin.clone(),
            ok: is_on(&g.log_bin),
            fix: "set log-bin=mysql-bin in [mysqld] (needed for replication and point-in-time recovery; restart)".into(),
        },
        Finding {
            name: "binlog_format",
            value: g.binlog_format.clone(),
            ok: g.binlog_format.eq_ignore_ascii_case("ROW"),
            fix: "set binlog-format=ROW in [mysqld]".into(),
        },
        Finding {
            name: "server_id",
            value: g.server_id.clone(),
            ok: number(&g.server_id) > 0,
            fix: "set server_id=1 (unique per server) in [mysqld]".into(),
        },
        Finding {
            name: "character_set_server",
            value: g.character_set_server.clone(),
            ok: g.character_set_server.starts_with("utf8"),
            fix: "set character-set-server=utf8mb4 in [mysqld] (CloudStack's tables name their own utf8 charsets)".into(),
        },
    ]
}

pub(super) fn run(config: &DatabaseConfig, strict: bool) -> Result<ExitCode> {
    let server = config.cloud.target.with_database("information_schema");
    let mut conn = MysqlConnection::establish(server.diesel_url().expose())?;
    let globals: Globals = diesel::sql_query(
        "SELECT @@global.sql_mode AS sql_mode, \
                CAST(@@global.innodb_rollback_on_timeout AS CHAR) AS innodb_rollback_on_timeout, \
                CAST(@@global.innodb_lock_wait_timeout AS CHAR) AS innodb_lock_wait_timeout, \
                CAST(@@global.max_connections AS CHAR) AS max_connections, \
                CAST(@@global.log_bin AS CHAR) AS log_bin, \
                @@global.binlog_format AS binlog_format, \
                CAST(@@global.server_id AS CHAR) AS server_id, \
                @@global.character_set_server AS character_set_server",
    )
    .get_result(&mut conn)?;
    println!(
        "server {}:{} against CloudStack's recommended settings",
        server.host, server.port
    );
    let found = findings(&globals);
    for f in &found {
        if f.ok {
            println!("ok    {} = {}", f.name, f.value);
        } else {
            println!("warn  {} = {}: {}", f.name, f.value, f.fix);
        }
    }
    let warnings = found.iter().filter(|f| !f.ok).count();
    println!("{} ok, {warnings} to fix", found.len() - warnings);
    Ok(if strict && warnings > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recommended_settings_are_all_ok_and_defaults_are_not() {
        let good = Globals {
            sql_mode: CLOUDSTACK_SQL_MODE.into(),
            innodb_rollback_on_timeout: "1".into(),
            innodb_lock_wait_timeout: "600".into(),
            max_connections: "1000".into(),
            log_bin: "1".into(),
            binlog_format: "ROW".into(),
            server_id: "1".into(),
            character_set_server: "utf8mb4".into(),
        };
        assert!(findings(&good).iter().all(|f| f.ok));
        let stock = Globals {
            sql_mode: "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION".into(),
            innodb_rollback_on_timeout: "0".into(),
            innodb_lock_wait_timeout: "50".into(),
            max_connections: "151".into(),
            log_bin: "0".into(),
            binlog_format: "MIXED".into(),
            server_id: "0".into(),
            character_set_server: "latin1".into(),
        };
        let bad: Vec<&str> = findings(&stock)
            .iter()
            .filter(|f| !f.ok)
            .map(|f| f.name)
            .collect();
        assert_eq!(bad.len(), 8, "{bad:?}");
        let sql_mode = &findings(&stock)[0];
        assert!(
            sql_mode.fix.contains("NO_ZERO_IN_DATE,NO_ZERO_DATE"),
            "{}",
            sql_mode.fix
        );
    }
}
