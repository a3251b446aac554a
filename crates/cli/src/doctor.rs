//! `cloudstack-db doctor`: the server's settings against CloudStack's recommendations.

use std::process::ExitCode;

use diesel::prelude::*;
use diesel::sql_types::Text;

use cloudstack_db::Result;
use cloudstack_db::db::{CLOUDSTACK_SQL_MODE, DatabaseConfig, ServerFlavor, ServerInfo};

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

#[derive(QueryableByName)]
struct StatusRow {
    #[diesel(sql_type = Text, column_name = "Value")]
    value: String,
}

/// One `SHOW ... LIKE` value, empty when the server has no such variable.
fn show_value(conn: &mut MysqlConnection, sql: &str) -> Result<String> {
    Ok(diesel::sql_query(sql)
        .load::<StatusRow>(conn)?
        .into_iter()
        .next()
        .map(|r| r.value)
        .unwrap_or_default())
}

/// What doctor says of TLS: this connection's cipher (empty: plaintext) and the server's
/// `have_ssl` (YES: TLS offered, DISABLED: built with TLS but not configured).
fn tls_lines(cipher: &str, have_ssl: &str, required: bool) -> Vec<String> {
    let connection = if cipher.is_empty() {
        "connection not encrypted".to_owned()
    } else {
        format!("connection encrypted ({cipher})")
    };
    let server = match have_ssl.to_ascii_uppercase().as_str() {
        "" => "server TLS state unknown (no have_ssl variable)".to_owned(),
        "YES" => "server offers TLS (have_ssl=YES)".to_owned(),
        other => format!("server offers no TLS (have_ssl={other})"),
    };
    let requirement = if required {
        "TLS required by the configuration"
    } else {
        "TLS not required by the configuration (ssl_mode, db.cloud.useSSL)"
    };
    vec![
        format!("tls   {connection}"),
        format!("tls   {server}"),
        format!("tls   {requirement}"),
    ]
}

/// The server version against what the crate needs: MariaDB 10.6 or later, MySQL 8.0 or later.
fn version_finding(info: &ServerInfo) -> Finding {
    let (flavor, needed) = match info.flavor {
        ServerFlavor::MariaDb => ("MariaDB", (10, 6, 0)),
        ServerFlavor::MySql => ("MySQL", (8, 0, 0)),
    };
    Finding {
        name: "server_version",
        value: format!("{flavor} {}", info.version_string),
        ok: info.version >= needed,
        fix: format!(
            "cloudstack-db needs {flavor} {}.{} or later: upgrade the server",
            needed.0, needed.1
        ),
    }
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
    let mut conn = server.connect()?;
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
    let cipher = show_value(&mut conn, "SHOW SESSION STATUS LIKE 'Ssl_cipher'")?;
    let have_ssl = show_value(&mut conn, "SHOW GLOBAL VARIABLES LIKE 'have_ssl'")?;
    for line in tls_lines(&cipher, &have_ssl, server.client.tls.is_required()) {
        println!("{line}");
    }
    let mut found = vec![version_finding(&ServerInfo::query(&mut conn)?)];
    found.extend(findings(&globals));
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
    fn the_server_version_must_be_mariadb_10_6_or_mysql_8() {
        let info = |flavor, version: (u32, u32, u32)| ServerInfo {
            flavor,
            version,
            version_string: format!("{}.{}.{}", version.0, version.1, version.2),
        };
        assert!(version_finding(&info(ServerFlavor::MariaDb, (10, 11, 19))).ok);
        assert!(version_finding(&info(ServerFlavor::MySql, (8, 0, 36))).ok);
        let old = version_finding(&info(ServerFlavor::MariaDb, (10, 5, 27)));
        assert!(!old.ok);
        assert_eq!(old.value, "MariaDB 10.5.27");
        assert!(old.fix.contains("MariaDB 10.6 or later"), "{}", old.fix);
        assert!(!version_finding(&info(ServerFlavor::MySql, (5, 7, 44))).ok);
    }

    #[test]
    fn tls_lines_say_what_is_encrypted() {
        let plain = tls_lines("", "DISABLED", false);
        assert_eq!(plain[0], "tls   connection not encrypted");
        assert_eq!(plain[1], "tls   server offers no TLS (have_ssl=DISABLED)");
        let tls = tls_lines("TLS_AES_256_GCM_SHA384", "YES", true);
        assert_eq!(
            tls[0],
            "tls   connection encrypted (TLS_AES_256_GCM_SHA384)"
        );
        assert_eq!(tls[2], "tls   TLS required by the configuration");
    }

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
