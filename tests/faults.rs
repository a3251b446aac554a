//! Faults in the middle of work: a connection killed inside a transaction, and many more
//! callers than connections.

mod common;

use std::sync::Barrier;
use std::time::{Duration, Instant};

use cloudstack_db::db::PoolSettings;
use cloudstack_db::testing::{count, test_pool_settings};
use cloudstack_db::{Database, Error};
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
