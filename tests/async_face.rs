//! The async face (feature `async`): closures run on tokio's blocking pool, so runtime workers
//! stay free while calls wait for the database; a dropped future never leaves half a
//! transaction, nor a connection inside one.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use cloudstack_db::db::{PoolSettings, in_transaction};
use cloudstack_db::{AsyncDatabase, Error};
use cloudstack_db_testing::{TestDatabases, admin_connection, count, test_pool_settings};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// How long the test waits for an answer that must come before it calls the run failed.
const BOUND: Duration = Duration::from_secs(60);

fn databases(max_size: u32) -> TestDatabases {
    common::log_to_file();
    let test = TestDatabases::with_pool(PoolSettings {
        max_size,
        ..test_pool_settings()
    })
    .expect("test databases");
    test.database()
        .cloud()
        .run(common::create_scratch_table)
        .unwrap();
    test
}

/// A connection of its own holding row 1 of the test's `t` locked until it commits.
fn lock_row_1(test: &TestDatabases) -> MysqlConnection {
    let mut blocker = admin_connection().unwrap();
    blocker
        .batch_execute(&format!(
            "BEGIN; SELECT v FROM `{}`.t WHERE id = 1 FOR UPDATE",
            test.cloud_name()
        ))
        .unwrap();
    blocker
}

fn runtime(blocking_threads: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(blocking_threads)
        .enable_time()
        .build()
        .unwrap()
}

#[test]
fn more_tasks_than_connections_all_finish_and_the_workers_stay_free() {
    let test = databases(2);
    let db = AsyncDatabase::new(test.database().clone());
    let rt = runtime(16);
    let mut blocker = lock_row_1(&test);
    let (started_tx, started) = mpsc::channel();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let db = db.clone();
            let started_tx = started_tx.clone();
            rt.spawn(async move {
                db.write(move |tx| {
                    started_tx.send(()).unwrap();
                    diesel::sql_query("UPDATE t SET v = v + 1 WHERE id = 1").execute(tx.conn())?;
                    Ok(())
                })
                .await
            })
        })
        .collect();
    // Both pooled connections are now inside a write, waiting for the row lock; the other 14
    // tasks wait for a connection. Were any of that waiting done on a runtime worker (there are
    // two), the runtime could not run this probe.
    for _ in 0..2 {
        started.recv_timeout(BOUND).expect("two writes under way");
    }
    let (probe_tx, probe) = mpsc::channel();
    rt.spawn(async move {
        let inner = tokio::spawn(async { 7 }).await.unwrap();
        probe_tx.send(inner).unwrap();
    });
    assert_eq!(
        probe.recv_timeout(BOUND),
        Ok(7),
        "a runtime task ran while every connection waited for the database"
    );
    blocker.batch_execute("COMMIT").unwrap();
    for task in tasks {
        rt.block_on(task).unwrap().unwrap();
    }
    let total = db
        .blocking()
        .cloud()
        .run(|c| count(c, "SELECT v FROM t WHERE id = 1"));
    assert_eq!(total.unwrap(), 16);
}

#[test]
fn a_dropped_future_leaves_its_started_transaction_whole_and_skips_one_not_started() {
    let test = databases(1);
    let db = AsyncDatabase::new(test.database().clone());
    // One blocking thread: a second call queues behind the first.
    let rt = runtime(1);
    let mut blocker = lock_row_1(&test);
    let (started_tx, started) = mpsc::channel();
    let first = {
        let db = db.clone();
        rt.spawn(async move {
            db.write(move |tx| {
                let conn = tx.conn();
                conn.batch_execute("INSERT INTO effects (who) VALUES ('a1')")?;
                started_tx.send(()).unwrap();
                conn.batch_execute("UPDATE t SET v = v + 1 WHERE id = 1")?;
                conn.batch_execute("INSERT INTO effects (who) VALUES ('a2')")?;
                Ok(())
            })
            .await
        })
    };
    started
        .recv_timeout(BOUND)
        .expect("the first write under way");
    // The second call is polled once — its work is queued behind the first on the one blocking
    // thread — and then dropped by a timeout that has already run out.
    let second = {
        let db = db.clone();
        rt.spawn(async move {
            let call = db.write(|tx| {
                tx.conn()
                    .batch_execute("INSERT INTO effects (who) VALUES ('b')")?;
                Ok(())
            });
            tokio::time::timeout(Duration::ZERO, call).await
        })
    };
    assert!(
        rt.block_on(second).unwrap().is_err(),
        "the second call was given up before it could start"
    );
    // The first caller goes away while its transaction waits in the server.
    first.abort();
    assert!(rt.block_on(first).unwrap_err().is_cancelled());
    blocker.batch_execute("COMMIT").unwrap();

    // The one connection comes back only when the first transaction has ended; this read runs
    // after the second call's turn on the one blocking thread.
    let (effects, first_parts, open_transaction) = rt
        .block_on(db.read(|c| {
            Ok((
                count(c, "SELECT COUNT(*) FROM effects")?,
                count(c, "SELECT COUNT(*) FROM effects WHERE who IN ('a1', 'a2')")?,
                in_transaction(c),
            ))
        }))
        .unwrap();
    assert_eq!(first_parts, 2, "the started transaction committed whole");
    assert_eq!(
        effects, 2,
        "the call dropped before it started wrote nothing"
    );
    assert!(
        !open_transaction,
        "the connection came back outside any transaction"
    );
    let v = rt.block_on(db.read(|c| count(c, "SELECT v FROM t WHERE id = 1")));
    assert_eq!(v.unwrap(), 1);
}

#[test]
fn retries_and_errors_come_back_typed() {
    let test = databases(2);
    let db = AsyncDatabase::new(test.database().clone());
    let rt = runtime(4);
    // A closure that fails: nothing of it stays.
    let err = rt
        .block_on(db.write(|tx| {
            tx.conn()
                .batch_execute("INSERT INTO effects (who) VALUES ('gone')")?;
            Err::<(), _>(Error::Conflict("refused on purpose".into()))
        }))
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err}");
    // A retryable failure on the first attempt: the whole closure runs again.
    let attempts = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let seen = attempts.clone();
    rt.block_on(
        db.write_with_retry(cloudstack_db::db::RetryPolicy::attempts(3), move |tx| {
            tx.conn()
                .batch_execute("INSERT INTO effects (who) VALUES ('retried')")?;
            if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                return Err(Error::Retryable {
                    reason: cloudstack_db::RetryReason::Deadlock,
                    message: "first attempt".into(),
                });
            }
            Ok(())
        }),
    )
    .unwrap();
    assert_eq!(attempts.load(std::sync::atomic::Ordering::SeqCst), 2);
    let rows = rt.block_on(db.read(|c| {
        Ok((
            count(c, "SELECT COUNT(*) FROM effects WHERE who = 'gone'")?,
            count(c, "SELECT COUNT(*) FROM effects WHERE who = 'retried'")?,
        ))
    }));
    assert_eq!(rows.unwrap(), (0, 1));
}
