//! A primary and a replica (two private `mariadbd`, ROW binlog replication by GTID).

use cloudstack_db::db::Tx;
use std::time::{Duration, Instant};

use cloudstack_db::db::{DatabaseConfig, PoolSettings, ReadTarget, ReplicaConfig, RetryPolicy};
use cloudstack_db::events::log;
use cloudstack_db::{Database, Error};
use cloudstack_db_testing::{LocalServer, count, test_pool_settings};

use crate::link::Link;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// A primary, its replica, and a configuration that connects as an application user (without
/// the privilege to write to a read-only server, as CloudStack's `cloud` user).
pub struct Replicated {
    pub primary: LocalServer,
    pub replica: LocalServer,
    pub config: DatabaseConfig,
    /// The replica replicates through this link, which a test can stall.
    pub link: Link,
}

impl Replicated {
    pub fn start(max_lag: Duration) -> Self {
        let primary =
            LocalServer::start(&["server_id=1", "log_bin=mysql-bin", "binlog_format=ROW"]).unwrap();
        let replica = LocalServer::start(&[
            "server_id=2",
            "read_only=1",
            "relay_log=relay-bin",
            "log_bin=mysql-bin",
            "binlog_format=ROW",
        ])
        .unwrap();
        let link = Link::to(primary.port());
        // The replica replays the primary's whole binlog, so everything below reaches it.
        replica
            .admin_connection()
            .unwrap()
            .batch_execute(&format!(
                "SET GLOBAL gtid_slave_pos = ''; \
                 CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = {}, \
                   MASTER_USER = 'repl', MASTER_PASSWORD = 'repl-pw', MASTER_CONNECT_RETRY = 1, \
                   MASTER_USE_GTID = slave_pos; \
                 START SLAVE",
                link.port()
            ))
            .unwrap();
        primary
            .admin_connection()
            .unwrap()
            .batch_execute(
                "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-pw'; \
                 GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'; \
                 CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'app-pw'; \
                 GRANT ALL ON cloud.* TO 'app'@'127.0.0.1'; \
                 GRANT ALL ON cloud_usage.* TO 'app'@'127.0.0.1'; \
                 GRANT SLAVE MONITOR ON *.* TO 'app'@'127.0.0.1'",
            )
            .unwrap();
        let root = primary
            .migrated_databases(PoolSettings {
                connection_timeout: Duration::from_secs(2),
                ..test_pool_settings()
            })
            .unwrap();
        let mut config = root.clone();
        for pool in [&mut config.cloud, &mut config.usage] {
            pool.target.user = "app".into();
            pool.target.password = "app-pw".into();
        }
        config.replicas = ReplicaConfig {
            max_lag,
            recheck_after: Duration::ZERO,
            ..ReplicaConfig::from_urls(
                &config,
                &[&format!("mysql://app:app-pw@127.0.0.1:{}", replica.port())],
            )
            .unwrap()
        };
        let replicated = Self {
            primary,
            replica,
            config,
            link,
        };
        replicated.wait_until_replica_has_everything();
        replicated
    }

    /// Polls until the replica has applied everything the primary has committed.
    pub fn wait_until_replica_has_everything(&self) {
        let position: Text = diesel::sql_query("SELECT @@gtid_binlog_pos AS text")
            .get_result(&mut self.primary.admin_connection().unwrap())
            .unwrap();
        let waited: Number = diesel::sql_query("SELECT MASTER_GTID_WAIT(?, 60) AS n")
            .bind::<diesel::sql_types::Text, _>(&position.text)
            .get_result(&mut self.replica.admin_connection().unwrap())
            .unwrap();
        assert_eq!(
            waited.n,
            Some(0),
            "the replica caught up with {}",
            position.text
        );
    }

    pub fn replica_admin(&self, sql: &str) {
        self.replica
            .admin_connection()
            .unwrap()
            .batch_execute(sql)
            .unwrap();
    }
}

#[derive(QueryableByName)]
pub struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub text: String,
}

#[derive(QueryableByName)]
pub struct Number {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
    pub n: Option<i64>,
}

/// The port of the server a connection is on.
pub fn port_of(conn: &mut MysqlConnection) -> cloudstack_db::Result<u16> {
    Ok(count(conn, "SELECT CAST(@@port AS SIGNED)")? as u16)
}

fn events_named(conn: &mut MysqlConnection, description: &str) -> cloudstack_db::Result<i64> {
    count(
        conn,
        &format!("SELECT COUNT(*) FROM event WHERE description = '{description}'"),
    )
}

#[test]
fn reads_go_to_a_healthy_replica_and_to_the_primary_when_it_lags_stops_or_dies() {
    let _serial = crate::one_at_a_time();
    crate::log_to_file();
    let mut servers = Replicated::start(Duration::from_secs(1));
    let db = Database::connect(&servers.config).unwrap();
    let reads = db.cloud_reads();
    let replica_port = servers.replica.port();
    let primary_port = servers.primary.port();

    db.cloud()
        .run(|c| {
            Tx::run(c, &db, None, |tx| {
                log::record(tx, crate::common::event("written on the primary"))
            })
        })
        .unwrap();
    servers.wait_until_replica_has_everything();
    let ((port, seen), target) = reads
        .run_traced(|c| Ok((port_of(c)?, events_named(c, "written on the primary")?)))
        .unwrap();
    assert_eq!(
        (target, port, seen),
        (ReadTarget::Replica(0), replica_port, 1)
    );

    // Replication stopped: the replica is skipped, reads go to the primary.
    servers.replica_admin("STOP SLAVE SQL_THREAD");
    let (port, target) = reads.run_traced(port_of).unwrap();
    assert_eq!((target, port), (ReadTarget::Primary, primary_port));
    assert!(
        reads.skip_reason(0).unwrap().contains("SQL thread"),
        "{:?}",
        reads.skip_reason(0)
    );
    servers.replica_admin("START SLAVE SQL_THREAD");
    servers.wait_until_replica_has_everything();
    assert_eq!(reads.run_traced(port_of).unwrap().1, ReadTarget::Replica(0));

    // Lagging past the bound: the replica applies events 30 s late.
    servers.replica_admin("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 30; START SLAVE");
    db.cloud()
        .run(|c| {
            Tx::run(c, &db, None, |tx| {
                log::record(tx, crate::common::event("delayed"))
            })
        })
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let lagging =
        || !reads.replica_usable(0) && reads.skip_reason(0).is_some_and(|r| r.contains("behind"));
    while !lagging() {
        assert!(
            Instant::now() < deadline,
            "the delayed replica never lagged: {:?}",
            reads.skip_reason(0)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Every read for the next two seconds goes where the row is: Seconds_Behind_Master alone
    // was once seen within the bound during a MASTER_DELAY wait (the replica then looked usable
    // and a read routed there missed the row); the primary's sampled GTID position keeps it
    // skipped.
    let until = Instant::now() + Duration::from_secs(2);
    let mut reads_done = 0;
    while Instant::now() < until || reads_done < 20 {
        let ((port, seen), target) = reads
            .run_traced(|c| Ok((port_of(c)?, events_named(c, "delayed")?)))
            .unwrap();
        assert_eq!(
            (target, port, seen),
            (ReadTarget::Primary, primary_port, 1),
            "read {reads_done}: {:?}",
            reads.skip_reason(0)
        );
        reads_done += 1;
    }
    servers.replica_admin("STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE");
    servers.wait_until_replica_has_everything();
    assert_eq!(reads.run_traced(port_of).unwrap().1, ReadTarget::Replica(0));

    // The replica dies: reads keep working, on the primary.
    servers.replica.kill();
    let (port, target) = reads.run_traced(port_of).unwrap();
    assert_eq!((target, port), (ReadTarget::Primary, primary_port));
}

#[derive(QueryableByName)]
struct ReplicaStatus {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "Slave_IO_Running")]
    io_running: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>, column_name = "Seconds_Behind_Master")]
    behind: Option<i64>,
}

#[test]
fn a_replica_cut_off_from_its_primary_is_skipped_though_it_reports_no_lag() {
    let _serial = crate::one_at_a_time();
    crate::log_to_file();
    let servers = Replicated::start(Duration::from_secs(1));
    let db = Database::connect(&servers.config).unwrap();
    let reads = db.cloud_reads();
    let primary_port = servers.primary.port();
    let write = |description: &str| {
        db.cloud()
            .run(|c| {
                Tx::run(c, &db, None, |tx| {
                    log::record(tx, crate::common::event(description))
                })
            })
            .unwrap();
    };
    write("before the stall");
    servers.wait_until_replica_has_everything();
    assert_eq!(reads.run_traced(port_of).unwrap().1, ReadTarget::Replica(0));

    // The network to the primary hangs: the replica receives nothing more, yet reports its
    // I/O thread running and no lag (its SQL thread has applied all it has).
    servers.link.stall();
    write("during the stall");
    let written = Instant::now();
    let status: ReplicaStatus = diesel::sql_query("SHOW SLAVE STATUS")
        .get_result(&mut servers.replica.admin_connection().unwrap())
        .unwrap();
    assert_eq!(
        (status.io_running.as_str(), status.behind),
        ("Yes", Some(0))
    );

    // Within the bound the replica may still serve reads; once the write is older than the
    // bound, every read goes to the primary and sees it.
    let deadline = written + Duration::from_secs(20);
    loop {
        let ((port, seen), target) = reads
            .run_traced(|c| Ok((port_of(c)?, events_named(c, "during the stall")?)))
            .unwrap();
        if target == ReadTarget::Primary {
            assert_eq!((port, seen), (primary_port, 1));
            break;
        }
        assert!(
            written.elapsed() < Duration::from_secs(2),
            "a replica without the write still served reads {:?} after it",
            written.elapsed()
        );
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(50));
    }
    let why = reads.skip_reason(0).unwrap();
    assert!(why.contains("not applied"), "{why}");
    for _ in 0..10 {
        assert_eq!(reads.run_traced(port_of).unwrap().1, ReadTarget::Primary);
    }

    // The link comes back: the replica catches up and serves reads again.
    servers.link.resume();
    servers.wait_until_replica_has_everything();
    let ((_, seen), target) = reads
        .run_traced(|c| Ok((port_of(c)?, events_named(c, "during the stall")?)))
        .unwrap();
    assert_eq!((target, seen), (ReadTarget::Replica(0), 1));
}

#[test]
fn a_session_reads_its_own_writes_from_the_primary_until_the_replica_has_them() {
    let _serial = crate::one_at_a_time();
    crate::log_to_file();
    let servers = Replicated::start(Duration::from_secs(30));
    let db = Database::connect(&servers.config).unwrap();
    let mut session = db.read_your_writes();
    // Before any write, any healthy replica serves.
    assert_eq!(
        session.read_traced(port_of).unwrap().1,
        ReadTarget::Replica(0)
    );

    servers.replica_admin("STOP SLAVE SQL_THREAD");
    session
        .write(&RetryPolicy::default(), |c| {
            Tx::run(c, &db, None, |tx| {
                log::record(tx, crate::common::event("mine"))
            })?;
            Ok(())
        })
        .unwrap();
    // The replica is healthy by the lag rule (it knows no newer event), but lacks the write.
    let (seen, target) = session.read_traced(|c| events_named(c, "mine")).unwrap();
    assert_eq!((target, seen), (ReadTarget::Primary, 1));

    servers.replica_admin("START SLAVE SQL_THREAD");
    servers.wait_until_replica_has_everything();
    let (seen, target) = session.read_traced(|c| events_named(c, "mine")).unwrap();
    assert_eq!((target, seen), (ReadTarget::Replica(0), 1));
}

#[test]
fn writes_fail_over_to_the_next_server_once_it_accepts_writes() {
    let _serial = crate::one_at_a_time();
    crate::log_to_file();
    let mut servers = Replicated::start(Duration::from_secs(30));
    let mut config = servers.config.clone();
    config.cloud.failover_hosts = vec![("127.0.0.1".into(), servers.replica.port())];
    let db = Database::connect(&config).unwrap();
    let policy = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
    };
    let write = |name: &str| {
        db.cloud().transaction_with_retry(&policy, |c| {
            Tx::run(c, &db, None, |tx| {
                log::record(tx, crate::common::event(name))
            })?;
            port_of(c)
        })
    };
    assert_eq!(write("before").unwrap(), servers.primary.port());
    servers.wait_until_replica_has_everything();

    servers.primary.kill();
    // The pool moves to the replica, which still refuses writes: a typed refusal.
    let err = write("while read-only").unwrap_err();
    assert!(err.is_read_only_server(), "{err:?}");
    assert!(matches!(err, Error::ReadOnly { .. }));

    // Promoted (as an operator or orchestrator would): the same pool writes there, unchanged.
    servers.replica_admin("STOP SLAVE; SET GLOBAL read_only = 0");
    assert_eq!(write("after").unwrap(), servers.replica.port());
    let conn = &mut servers.replica.admin_connection().unwrap();
    conn.batch_execute("USE cloud").unwrap();
    assert_eq!(
        events_named(conn, "before").unwrap(),
        1,
        "replicated before the crash"
    );
    assert_eq!(events_named(conn, "while read-only").unwrap(), 0);
    assert_eq!(events_named(conn, "after").unwrap(), 1);
}
