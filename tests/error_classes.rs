//! Every error class that can be provoked on one server is provoked and classified.

mod common;

use std::time::{Duration, Instant};

use cloudstack_db::db::{PoolSettings, RetryPolicy};
use cloudstack_db::{Database, Error, RetryReason};
use cloudstack_db_testing::{TestUser, admin_connection, count, test_pool_settings};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

#[derive(QueryableByName, Debug)]
#[allow(dead_code)] // read only to make the statements load a row
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[test]
fn not_found() {
    let test = common::fresh();
    let err = test
        .database()
        .cloud()
        .run(|c| {
            Ok(
                diesel::sql_query("SELECT 1 AS n FROM sequence WHERE name = 'nope'")
                    .get_result::<N>(c)?,
            )
        })
        .unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
}

#[test]
fn duplicate_names_the_unique_key() {
    let test = common::fresh();
    let pool = test.database().cloud();
    let insert =
        "INSERT INTO version (version, updated, step) VALUES ('9.9.9.9', NOW(), 'Complete')";
    pool.run(|c| Ok(c.batch_execute(insert)?)).unwrap();
    let err = pool.run(|c| Ok(c.batch_execute(insert)?)).unwrap_err();
    assert!(
        matches!(&err, Error::Duplicate { key } if key == "version"),
        "{err:?}"
    );

    let seq = "INSERT INTO sequence (name, value) VALUES ('x_seq', 1)";
    pool.run(|c| Ok(c.batch_execute(seq)?)).unwrap();
    // Through a prepared statement too (Diesel maps 1062 itself there).
    let err = pool
        .run(|c| {
            Ok(
                diesel::sql_query("INSERT INTO sequence (name, value) VALUES ('x_seq', 2)")
                    .execute(c)?,
            )
        })
        .unwrap_err();
    assert!(
        matches!(&err, Error::Duplicate { key } if key == "PRIMARY"),
        "{err:?}"
    );
}

#[test]
fn foreign_key_names_the_constraint() {
    let test = common::fresh();
    let pool = test.database().cloud();
    pool.run(|c| {
        Ok(c.batch_execute(
            "CREATE TABLE parent (id INT PRIMARY KEY) ENGINE=InnoDB; \
             CREATE TABLE child (id INT PRIMARY KEY, parent_id INT NOT NULL, \
               CONSTRAINT fk_child__parent_id FOREIGN KEY (parent_id) REFERENCES parent (id)) ENGINE=InnoDB; \
             INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1)",
        )?)
    })
    .unwrap();
    let err = pool
        .run(|c| Ok(diesel::sql_query("INSERT INTO child VALUES (2, 99)").execute(c)?))
        .unwrap_err();
    assert!(
        matches!(&err, Error::ForeignKey { constraint } if constraint == "fk_child__parent_id"),
        "{err:?}"
    );
    let err = pool
        .run(|c| Ok(c.batch_execute("DELETE FROM parent WHERE id = 1")?))
        .unwrap_err();
    assert!(
        matches!(&err, Error::ForeignKey { constraint } if constraint == "fk_child__parent_id"),
        "{err:?}"
    );
}

#[test]
fn strict_mode_turns_bad_values_into_invalid_value() {
    let test = common::fresh();
    let pool = test.database().cloud();
    let long = "x".repeat(65);
    let cases = [
        (
            format!("INSERT INTO sequence (name, value) VALUES ('{long}', 1)"),
            "name",
            "too long",
        ),
        (
            "INSERT INTO sequence (name, value) VALUES ('neg', -1)".to_owned(),
            "value",
            "out of range",
        ),
        (
            "INSERT INTO sequence (name, value) VALUES ('nul', NULL)".to_owned(),
            "value",
            "NULL",
        ),
        (
            "INSERT INTO sequence (name, value) VALUES ('txt', 'abc')".to_owned(),
            "value",
            "not accepted",
        ),
        (
            "INSERT INTO version (version, step) VALUES ('1', 'x')".to_owned(),
            "updated",
            "no default",
        ),
    ];
    for (sql, column, reason) in cases {
        let err = pool
            .run(|c| Ok(diesel::sql_query(&sql).execute(c)?))
            .unwrap_err();
        match &err {
            Error::InvalidValue {
                column: got,
                reason: why,
                ..
            } => {
                assert_eq!(got, column, "{sql}");
                assert!(why.contains(reason), "{sql}: {why}");
            }
            other => panic!("{sql}: expected InvalidValue, got {other:?}"),
        }
    }
    let n = pool
        .run(|c| count(c, "SELECT COUNT(*) FROM sequence"))
        .unwrap();
    assert_eq!(n, 9, "nothing was stored beside the 9 default sequences");
}

#[test]
fn lock_wait_timeout_is_retryable() {
    let test = common::fresh();
    let pool = test.database().cloud();
    pool.run(common::create_scratch_table).unwrap();
    let mut holder = pool.get().unwrap();
    holder
        .batch_execute("BEGIN; SELECT v FROM t WHERE id = 1 FOR UPDATE")
        .unwrap();
    let err = pool
        .run(|c| {
            c.batch_execute("SET SESSION innodb_lock_wait_timeout = 1")?;
            let r = c.batch_execute("UPDATE t SET v = 5 WHERE id = 1");
            c.batch_execute("SET SESSION innodb_lock_wait_timeout = DEFAULT")?;
            Ok(r?)
        })
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Retryable {
                reason: RetryReason::LockWaitTimeout,
                ..
            }
        ),
        "{err:?}"
    );
    holder.batch_execute("ROLLBACK").unwrap();
}

#[test]
fn record_changed_since_snapshot_is_retryable_where_the_server_has_it() {
    let test = common::fresh();
    let pool = test.database().cloud();
    pool.run(common::create_scratch_table).unwrap();
    let mut reader = pool.get().unwrap();
    let has_snapshot_isolation = reader
        .batch_execute("SET SESSION innodb_snapshot_isolation = ON")
        .is_ok();
    if !has_snapshot_isolation {
        // Only a server that cannot have the variable may skip: MySQL, or MariaDB before
        // 10.6.18 (and the 10.11 line before 10.11.8). Anywhere else its absence is a failure.
        let server = cloudstack_db::db::ServerInfo::query(&mut reader).unwrap();
        let (major, minor, patch) = server.version;
        let mariadb_without_it = server.flavor == cloudstack_db::db::ServerFlavor::MariaDb
            && ((major, minor) < (10, 6)
                || ((major, minor) == (10, 6) && patch < 18)
                || ((major, minor) == (10, 11) && patch < 8));
        assert!(
            server.flavor == cloudstack_db::db::ServerFlavor::MySql || mariadb_without_it,
            "{} should have innodb_snapshot_isolation",
            server.version_string
        );
        eprintln!(
            "{} has no innodb_snapshot_isolation: 1020 not provoked",
            server.version_string
        );
        return;
    }
    reader
        .batch_execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ; START TRANSACTION WITH CONSISTENT SNAPSHOT")
        .unwrap();
    let _: Vec<N> = diesel::sql_query("SELECT v AS n FROM t WHERE id = 1")
        .load(&mut *reader)
        .unwrap();
    pool.run(|c| Ok(c.batch_execute("UPDATE t SET v = 7 WHERE id = 1")?))
        .unwrap();
    let err = Error::from(
        reader
            .batch_execute("UPDATE t SET v = v + 1 WHERE id = 1")
            .unwrap_err(),
    );
    assert!(
        matches!(
            err,
            Error::Retryable {
                reason: RetryReason::RecordChanged,
                ..
            }
        ),
        "{err:?}"
    );
    reader.batch_execute("ROLLBACK").unwrap();
    reader.mark_lost(); // do not return a connection with changed isolation to the pool
}

#[test]
fn read_only_transaction_is_read_only() {
    let test = common::fresh();
    let err = test
        .database()
        .cloud()
        .run(|c| {
            c.batch_execute("START TRANSACTION READ ONLY")?;
            let r =
                diesel::sql_query("INSERT INTO sequence (name, value) VALUES ('ro', 1)").execute(c);
            c.batch_execute("ROLLBACK")?;
            Ok(r?)
        })
        .unwrap_err();
    assert!(matches!(err, Error::ReadOnly { .. }), "{err:?}");
}

/// Turns the server's global `read_only` on for the guard's life (root is not affected by it).
struct GlobalReadOnly;

impl GlobalReadOnly {
    fn on() -> Self {
        admin_connection()
            .unwrap()
            .batch_execute("SET GLOBAL read_only = 1")
            .unwrap();
        Self
    }
}

impl Drop for GlobalReadOnly {
    fn drop(&mut self) {
        admin_connection()
            .unwrap()
            .batch_execute("SET GLOBAL read_only = 0")
            .unwrap();
    }
}

#[test]
fn read_only_server_refuses_writes_with_read_only() {
    let test = common::fresh();
    let user = TestUser::create(&test).unwrap();
    let mut config = test.config_with(test_pool_settings());
    config.cloud.target = user.target_for(&config.cloud.target);
    config.usage.target = user.target_for(&config.usage.target);
    let db = Database::connect(&config).unwrap();
    let guard = GlobalReadOnly::on();
    let err = db
        .cloud()
        .run(|c| {
            Ok(
                diesel::sql_query("INSERT INTO sequence (name, value) VALUES ('ro', 1)")
                    .execute(c)?,
            )
        })
        .unwrap_err();
    drop(guard);
    assert!(matches!(err, Error::ReadOnly { .. }), "{err:?}");
    let n = test
        .database()
        .cloud()
        .run(|c| count(c, "SELECT COUNT(*) FROM sequence"))
        .unwrap();
    assert_eq!(n, 9, "only the default sequences");
}

#[test]
fn killed_idle_connection_is_connection_lost_and_replaced() {
    let test = common::fresh();
    // Without the idle check the call that takes the killed connection finds out.
    let config = test.config_with(PoolSettings {
        max_size: 1,
        validate_idle_after: None,
        ..test_pool_settings()
    });
    let db = Database::connect(&config).unwrap();
    let pool = db.cloud();
    let first = pool.run(common::connection_id).unwrap();
    common::kill(first).unwrap();
    let err = pool.run(common::connection_id).unwrap_err();
    assert!(err.is_connection_lost(), "{err:?}");
    // The dead connection was discarded: the next call gets a new one without help.
    let second = pool.run(common::connection_id).unwrap();
    assert_ne!(first, second);
}

#[test]
fn connection_killed_during_a_query_is_connection_lost() {
    let test = common::fresh();
    let pool = test.database().cloud().clone();
    let mut conn = pool.get().unwrap();
    let id = common::connection_id(&mut conn).unwrap();
    let sleeper = std::thread::spawn(move || {
        let r = conn.run(|c| Ok(c.batch_execute("SELECT SLEEP(30)")?));
        (r, conn)
    });
    // Wait until the server shows the query running, then kill the connection.
    let mut admin = admin_connection().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let running = count(
            &mut admin,
            &format!("SELECT COUNT(*) FROM information_schema.processlist WHERE id = {id} AND info LIKE 'SELECT SLEEP%'"),
        )
        .unwrap();
        if running == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the query never started");
        std::thread::yield_now();
    }
    admin
        .batch_execute(&format!("KILL CONNECTION {id}"))
        .unwrap();
    let (result, _conn) = sleeper.join().unwrap();
    let err = result.unwrap_err();
    assert!(err.is_connection_lost(), "{err:?}");
}

#[test]
fn exhausted_pool_times_out_with_pool_timeout() {
    let test = common::fresh();
    let config = test.config_with(PoolSettings {
        max_size: 1,
        connection_timeout: Duration::from_millis(300),
        ..test_pool_settings()
    });
    let db = Database::connect(&config).unwrap();
    let held = db.cloud().get().unwrap();
    let started = Instant::now();
    let err = db.cloud().run(common::connection_id).unwrap_err();
    let waited = started.elapsed();
    assert!(
        matches!(err, Error::PoolTimeout { waited } if waited == Duration::from_millis(300)),
        "{err:?}"
    );
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    drop(held);
    db.cloud().run(common::connection_id).unwrap();
}

#[test]
fn wrong_password_is_a_connect_error_without_the_password() {
    let test = common::fresh();
    let user = TestUser::create(&test).unwrap();
    let mut config = test.config_with(test_pool_settings());
    let mut target = user.target_for(&config.cloud.target);
    target.password = cloudstack_db::Secret::new("Wr0ngPassw0rd-xyz");
    config.cloud.target = target;
    let err = Database::connect(&config).unwrap_err();
    assert!(matches!(err, Error::Connect(_)), "{err:?}");
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("Wr0ngPassw0rd-xyz"), "{shown}");
        assert!(!shown.contains(user.password.expose()), "{shown}");
    }
}

#[test]
fn unknown_database_is_a_connect_error() {
    let test = common::fresh();
    let mut config = test.config_with(test_pool_settings());
    config.usage.target.database = "csdb_no_such_database".into();
    let err = Database::connect(&config).unwrap_err();
    assert!(
        matches!(&err, Error::Connect(m) if m.contains("csdb_no_such_database")),
        "{err:?}"
    );
}

#[test]
fn retry_policy_gives_up_on_persistent_lock_timeouts() {
    // A transaction that always hits a held lock fails with the typed error after its attempts.
    let test = common::fresh();
    let pool = test.database().cloud();
    pool.run(common::create_scratch_table).unwrap();
    let mut holder = pool.get().unwrap();
    holder
        .batch_execute("BEGIN; SELECT v FROM t WHERE id = 2 FOR UPDATE")
        .unwrap();
    let mut attempts = 0;
    let err = pool
        .transaction_with_retry(&RetryPolicy::attempts(2), |c| {
            attempts += 1;
            c.batch_execute("SET SESSION innodb_lock_wait_timeout = 1")?;
            c.batch_execute("UPDATE t SET v = 9 WHERE id = 2")?;
            Ok(())
        })
        .unwrap_err();
    holder.batch_execute("ROLLBACK").unwrap();
    assert!(
        matches!(
            err,
            Error::Retryable {
                reason: RetryReason::LockWaitTimeout,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(attempts, 2);
    let v = pool
        .run(|c| count(c, "SELECT v FROM t WHERE id = 2"))
        .unwrap();
    assert_eq!(v, 0);
}
