//! Faults in the middle of work: a connection killed inside a transaction, during a read and
//! while idle in the pool, and many more callers than connections. (A whole server killed and
//! restarted under load: `tests/server_restart.rs`.)

mod common;

use cloudstack_db::db::Tx;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use cloudstack_db::compute::vms::{self, VmFilter};
use cloudstack_db::db::{PoolSettings, RetryPolicy};
use cloudstack_db::repo::PageRequest;
use cloudstack_db::{Database, Error};
use cloudstack_db_testing::{admin_connection, count, test_pool_settings};
use diesel::connection::SimpleConnection;

#[test]
fn a_connection_killed_inside_a_transaction_loses_the_transaction_and_nothing_else() {
    let test = common::fresh();
    let db = test.database();
    db.cloud().run(common::create_scratch_table).unwrap();
    let err = db
        .cloud()
        .transaction(|c| {
            c.batch_execute(
                "INSERT INTO effects (who) VALUES ('a'), ('b'); UPDATE t SET v = 7 WHERE id = 1",
            )?;
            // Another session kills this connection between two statements of the transaction.
            common::kill(common::connection_id(c)?)?;
            c.batch_execute("INSERT INTO effects (who) VALUES ('c')")?;
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, Error::ConnectionLost { .. }), "{err:?}");
    // Nothing of the transaction is visible; the pool hands out a working connection at once.
    let conn = &mut *db.cloud().get().unwrap();
    assert_eq!(count(conn, "SELECT COUNT(*) FROM effects").unwrap(), 0);
    assert_eq!(
        count(conn, "SELECT CAST(v AS SIGNED) FROM t WHERE id = 1").unwrap(),
        0
    );
}

#[test]
fn many_more_callers_than_connections_wait_then_time_out_typed_never_hang() {
    let test = common::fresh();
    let wait = Duration::from_millis(400);
    let config = test.config_with(PoolSettings {
        max_size: 2,
        connection_timeout: wait,
        ..test_pool_settings()
    });
    let db = Database::connect(&config).unwrap();
    // Two callers hold both connections until everyone else has given up.
    let holders = Barrier::new(2 + 16);
    let finished = Barrier::new(2 + 1);
    let outcomes: Vec<(Result<i64, Error>, Duration)> = std::thread::scope(|s| {
        for _ in 0..2 {
            let (db, holders, finished) = (&db, &holders, &finished);
            s.spawn(move || {
                let held = db.cloud().get().unwrap();
                holders.wait(); // both held, the waiters start
                finished.wait(); // every waiter has its answer
                drop(held);
            });
        }
        let waiters: Vec<_> = (0..16)
            .map(|_| {
                let (db, holders) = (&db, &holders);
                s.spawn(move || {
                    holders.wait();
                    let started = Instant::now();
                    let result = db.cloud().run(common::connection_id);
                    let took = started.elapsed();
                    (result, took)
                })
            })
            .collect();
        let outcomes = waiters.into_iter().map(|w| w.join().unwrap()).collect();
        finished.wait();
        outcomes
    });
    for (result, took) in &outcomes {
        assert!(
            matches!(result, Err(Error::PoolTimeout { .. })),
            "{result:?}"
        );
        assert!(*took >= wait && *took < wait * 10, "waited {took:?}");
    }
    // Once the holders are gone every caller is served again.
    for _ in 0..4 {
        db.cloud().run(common::connection_id).unwrap();
    }
}

#[test]
fn a_transaction_whose_connection_dies_before_commit_runs_again_on_a_new_connection() {
    let test = common::fresh();
    let db = test.database();
    db.cloud().run(common::create_scratch_table).unwrap();
    let mut connections = Vec::new();
    db.cloud()
        .transaction_with_retry(&RetryPolicy::attempts(3), |c| {
            let id = common::connection_id(c)?;
            connections.push(id);
            c.batch_execute(&format!(
                "INSERT INTO effects (who) VALUES ('{}')",
                connections.len()
            ))?;
            if connections.len() == 1 {
                // The first attempt's connection is killed before COMMIT: the server rolls it
                // back, so running it again is safe.
                common::kill(id)?;
            }
            c.batch_execute("UPDATE t SET v = v + 1 WHERE id = 1")?;
            Ok(())
        })
        .unwrap();
    assert_eq!(connections.len(), 2, "ran twice");
    assert_ne!(
        connections[0], connections[1],
        "the second time on a new connection"
    );
    let conn = &mut *db.cloud().get().unwrap();
    assert_eq!(
        common::rows_as_text(conn, "effects", "who"),
        vec!["[\"2\"]".to_owned()],
        "only the second attempt's row"
    );
    assert_eq!(
        count(conn, "SELECT CAST(v AS SIGNED) FROM t WHERE id = 1").unwrap(),
        1
    );
}

#[test]
fn a_read_killed_while_it_runs_is_connection_lost_and_the_pool_goes_on() {
    let test = common::fresh();
    let db = test.database();
    let conn = &mut *db.cloud().get().unwrap();
    let zone = common::zone(conn).id;
    Tx::run(conn, db, None, |tx| {
        vms::create(tx, &common::vm_spec(zone, "listed"))
    })
    .unwrap();
    // Another session holds the table, so the list blocks inside the server.
    let mut holder = test.raw_cloud_connection().unwrap();
    holder
        .batch_execute("LOCK TABLES vm_instance WRITE")
        .unwrap();
    let mut reader = db.cloud().get().unwrap();
    let reader_id = common::connection_id(&mut reader).unwrap();
    let listing = std::thread::spawn(move || {
        reader.run(|c| vms::list(c, &VmFilter::default(), &PageRequest::first(50)))
    });
    let mut admin = admin_connection().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(
        &mut admin,
        &format!(
            "SELECT COUNT(*) FROM information_schema.processlist \
             WHERE id = {reader_id} AND state LIKE 'Waiting for table%'"
        ),
    )
    .unwrap()
        == 0
    {
        assert!(Instant::now() < deadline, "the read never started waiting");
        std::thread::yield_now();
    }
    common::kill(reader_id).unwrap();
    let err = listing.join().unwrap().unwrap_err();
    assert!(matches!(err, Error::ConnectionLost { .. }), "{err:?}");
    holder.batch_execute("UNLOCK TABLES").unwrap();
    // The next read gets a working connection without help.
    let page = db
        .cloud()
        .run(|c| vms::list(c, &VmFilter::default(), &PageRequest::first(50)))
        .unwrap();
    assert_eq!(page.items.len(), 1);
}

#[test]
fn connections_killed_while_idle_are_replaced_before_anyone_uses_them() {
    let test = common::fresh();
    // Every checkout pings an idle connection: a killed one is replaced, no caller sees it.
    let config = test.config_with(PoolSettings {
        max_size: 3,
        validate_idle_after: Some(Duration::ZERO),
        ..test_pool_settings()
    });
    let db = Database::connect(&config).unwrap();
    let first = hold_all_three(&db);
    for id in &first {
        common::kill(*id).unwrap();
    }
    let second = hold_all_three(&db);
    assert!(
        first.iter().all(|id| !second.contains(id)),
        "{first:?} {second:?}"
    );
}

#[test]
fn after_one_call_finds_a_dead_connection_the_others_are_checked_before_use() {
    let test = common::fresh();
    // No idle check: the first call finds out, the pool then checks the rest (a server restart
    // kills every pooled connection at once).
    let config = test.config_with(PoolSettings {
        max_size: 3,
        validate_idle_after: None,
        ..test_pool_settings()
    });
    let db = Database::connect(&config).unwrap();
    let first = hold_all_three(&db);
    for id in &first {
        common::kill(*id).unwrap();
    }
    let err = db.cloud().run(common::connection_id).unwrap_err();
    assert!(matches!(err, Error::ConnectionLost { .. }), "{err:?}");
    let second = hold_all_three(&db);
    assert!(
        first.iter().all(|id| !second.contains(id)),
        "{first:?} {second:?}"
    );
}

/// Checks out all three connections at once and returns their server ids.
fn hold_all_three(db: &Database) -> Vec<i64> {
    let mut held: Vec<_> = (0..3).map(|_| db.cloud().get().unwrap()).collect();
    held.iter_mut()
        .map(|c| common::connection_id(c).unwrap())
        .collect()
}
