//! Transactions, savepoints and whole-transaction retry against the real server.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Barrier};

use cloudstack_db::db::{RetryPolicy, in_transaction, transaction, transaction_with_retry};
use cloudstack_db::{Error, RetryReason};
use cloudstack_db_testing::count;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

#[test]
fn commit_and_rollback() {
    let test = common::fresh();
    let pool = test.database().cloud();
    pool.run(common::create_scratch_table).unwrap();

    pool.transaction(|c| Ok(c.batch_execute("INSERT INTO effects (who) VALUES ('ok')")?))
        .unwrap();
    let failed: Result<(), Error> = pool.transaction(|c| {
        c.batch_execute("INSERT INTO effects (who) VALUES ('lost')")?;
        Err(Error::Config("caller gave up".into()))
    });
    assert!(matches!(failed, Err(Error::Config(_))));
    pool.run(|c| {
        assert_eq!(
            count(c, "SELECT COUNT(*) FROM effects WHERE who = 'ok'")?,
            1
        );
        assert_eq!(
            count(c, "SELECT COUNT(*) FROM effects WHERE who = 'lost'")?,
            0
        );
        Ok(())
    })
    .unwrap();
}

#[test]
fn nested_transaction_rolls_back_to_its_savepoint_only() {
    let test = common::fresh();
    let pool = test.database().cloud();
    pool.run(common::create_scratch_table).unwrap();

    pool.transaction(|c| {
        assert!(in_transaction(c));
        c.batch_execute("INSERT INTO effects (who) VALUES ('outer')")?;
        let inner: Result<(), Error> = transaction(c, |c| {
            c.batch_execute("INSERT INTO effects (who) VALUES ('inner')")?;
            Err(Error::NotFound)
        });
        assert!(matches!(inner, Err(Error::NotFound)));
        // The inner insert is gone already inside the outer transaction.
        assert_eq!(
            count(c, "SELECT COUNT(*) FROM effects WHERE who = 'inner'")?,
            0
        );
        transaction(c, |c| {
            Ok(c.batch_execute("INSERT INTO effects (who) VALUES ('inner2')")?)
        })?;
        Ok(())
    })
    .unwrap();

    let whos: Vec<String> = pool
        .run(|c| {
            #[derive(QueryableByName)]
            struct W {
                #[diesel(sql_type = diesel::sql_types::Text)]
                who: String,
            }
            let rows: Vec<W> = diesel::sql_query("SELECT who FROM effects ORDER BY id").load(c)?;
            Ok(rows.into_iter().map(|w| w.who).collect())
        })
        .unwrap();
    assert_eq!(whos, ["outer", "inner2"]);

    // An outer failure takes the committed savepoints with it.
    let failed: Result<(), Error> = pool.transaction(|c| {
        transaction(c, |c| {
            Ok(c.batch_execute("INSERT INTO effects (who) VALUES ('gone')")?)
        })?;
        Err(Error::NotFound)
    });
    assert!(failed.is_err());
    let n = pool
        .run(|c| count(c, "SELECT COUNT(*) FROM effects WHERE who = 'gone'"))
        .unwrap();
    assert_eq!(n, 0);
}

/// Two transactions lock rows 1 and 2 in opposite orders; the server picks a victim, which the
/// retry runs again from the start. Each transaction's effect is committed exactly once.
#[test]
fn a_real_deadlock_is_retried_whole_and_commits_once() {
    let test = common::fresh();
    let pool = test.database().cloud().clone();
    pool.run(common::create_scratch_table).unwrap();

    let both_hold_first_lock = Arc::new(Barrier::new(2));
    let attempts = Arc::new(AtomicU32::new(0));
    let run = |first: u32, second: u32, who: &'static str| {
        let pool = pool.clone();
        let barrier = both_hold_first_lock.clone();
        let attempts = attempts.clone();
        std::thread::spawn(move || {
            let mut mine = 0;
            let result = pool.transaction_with_retry(&RetryPolicy::attempts(5), |c| {
                mine += 1;
                attempts.fetch_add(1, Ordering::SeqCst);
                c.batch_execute(&format!("UPDATE t SET v = v + 1 WHERE id = {first}"))?;
                if mine == 1 {
                    barrier.wait();
                }
                c.batch_execute(&format!("UPDATE t SET v = v + 1 WHERE id = {second}"))?;
                c.batch_execute(&format!("INSERT INTO effects (who) VALUES ('{who}')"))?;
                Ok(mine)
            });
            (who, result)
        })
    };
    let a = run(1, 2, "a");
    let b = run(2, 1, "b");
    let results = [a.join().unwrap(), b.join().unwrap()];

    let mut tries: Vec<u32> = results
        .iter()
        .map(|(who, r)| *r.as_ref().unwrap_or_else(|e| panic!("{who} failed: {e}")))
        .collect();
    tries.sort_unstable();
    assert_eq!(
        tries,
        [1, 2],
        "exactly one transaction was the deadlock victim and retried once"
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    pool.run(|c| {
        assert_eq!(count(c, "SELECT COUNT(*) FROM effects WHERE who = 'a'")?, 1);
        assert_eq!(count(c, "SELECT COUNT(*) FROM effects WHERE who = 'b'")?, 1);
        assert_eq!(
            count(c, "SELECT SUM(v) FROM t")?,
            4,
            "each row bumped once per transaction"
        );
        Ok(())
    })
    .unwrap();
}

/// With a single attempt the deadlock surfaces as a typed retryable error and leaves no rows.
#[test]
fn a_deadlock_without_retries_is_a_typed_error_and_leaves_nothing() {
    let test = common::fresh();
    let pool = test.database().cloud().clone();
    pool.run(common::create_scratch_table).unwrap();
    let barrier = Arc::new(Barrier::new(2));
    let run = |first: u32, second: u32, who: &'static str| {
        let pool = pool.clone();
        let barrier = barrier.clone();
        std::thread::spawn(move || {
            pool.transaction_with_retry(&RetryPolicy::attempts(1), |c| {
                c.batch_execute(&format!("INSERT INTO effects (who) VALUES ('{who}')"))?;
                c.batch_execute(&format!("UPDATE t SET v = v + 1 WHERE id = {first}"))?;
                barrier.wait();
                c.batch_execute(&format!("UPDATE t SET v = v + 1 WHERE id = {second}"))?;
                Ok(())
            })
        })
    };
    let a = run(1, 2, "a");
    let b = run(2, 1, "b");
    let results = [a.join().unwrap(), b.join().unwrap()];
    let failures: Vec<&Error> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(failures.len(), 1, "{results:?}");
    assert!(
        matches!(
            failures[0],
            Error::Retryable {
                reason: RetryReason::Deadlock,
                ..
            }
        ),
        "{:?}",
        failures[0]
    );
    pool.run(|c| {
        assert_eq!(
            count(c, "SELECT COUNT(*) FROM effects")?,
            1,
            "the victim left no row"
        );
        assert_eq!(count(c, "SELECT SUM(v) FROM t")?, 2);
        Ok(())
    })
    .unwrap();
}

/// Inside a caller's transaction a retry is impossible: the closure runs once.
#[test]
fn retry_inside_an_outer_transaction_runs_once() {
    let test = common::fresh();
    let pool = test.database().cloud();
    let mut calls = 0;
    let result: Result<(), Error> = pool.transaction(|c| {
        transaction_with_retry(c, &RetryPolicy::attempts(5), |_| {
            calls += 1;
            Err(Error::Retryable {
                reason: RetryReason::Deadlock,
                message: "simulated".into(),
            })
        })
    });
    assert!(matches!(result, Err(Error::Retryable { .. })));
    assert_eq!(calls, 1);
}

/// Non-retryable errors are returned at once, retryable ones up to the attempt limit.
#[test]
fn retry_counts_attempts_and_stops_on_other_errors() {
    let test = common::fresh();
    let pool = test.database().cloud();
    let mut calls = 0;
    let result: Result<(), Error> = pool.transaction_with_retry(&RetryPolicy::attempts(3), |_| {
        calls += 1;
        Err(Error::Retryable {
            reason: RetryReason::LockWaitTimeout,
            message: "simulated".into(),
        })
    });
    assert!(matches!(
        result,
        Err(Error::Retryable {
            reason: RetryReason::LockWaitTimeout,
            ..
        })
    ));
    assert_eq!(calls, 3);

    let mut calls = 0;
    let result: Result<(), Error> = pool.transaction_with_retry(&RetryPolicy::attempts(3), |_| {
        calls += 1;
        Err(Error::NotFound)
    });
    assert!(matches!(result, Err(Error::NotFound)));
    assert_eq!(calls, 1);
}

/// A deadlock victim whose code handles the error inside the transaction and carries on: the
/// server already rolled back its writes and ended the transaction, so "committing" would keep
/// only what came after. The crate does not report that as committed: the victim gets
/// `Retryable` (on Galera the same happens to a transaction aborted while idle: its next
/// statement, whatever it is, gets 1213). What ran after the swallowed error ran outside any
/// transaction and stays — which is why the crate's own code never takes an error for
/// "not found" (`repo::exists`).
#[test]
fn a_transaction_that_swallowed_a_deadlock_is_not_reported_committed() {
    let test = common::fresh();
    let pool = test.database().cloud().clone();
    pool.run(common::create_scratch_table).unwrap();

    let both_hold_first_lock = Arc::new(Barrier::new(2));
    let run = |first: u32, second: u32, who: &'static str| {
        let pool = pool.clone();
        let barrier = both_hold_first_lock.clone();
        std::thread::spawn(move || {
            pool.transaction_with_retry(&RetryPolicy::attempts(1), |c| {
                c.batch_execute(&format!("UPDATE t SET v = v + 1 WHERE id = {first}"))?;
                barrier.wait();
                // Careless code: the error of this statement is ignored.
                let _ = c.batch_execute(&format!("UPDATE t SET v = v + 1 WHERE id = {second}"));
                Ok(who)
            })
        })
    };
    let a = run(1, 2, "a");
    let b = run(2, 1, "b");
    let results = [a.join().unwrap(), b.join().unwrap()];
    let committed: Vec<&str> = results
        .iter()
        .filter_map(|r| r.as_ref().ok().copied())
        .collect();
    assert_eq!(committed.len(), 1, "{results:?}");
    let refused: Vec<&Error> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        matches!(refused[..], [Error::Retryable { .. }]),
        "the victim is told it did not commit: {refused:?}"
    );
    pool.run(|c| {
        assert_eq!(
            count(c, "SELECT SUM(v) FROM t")?,
            2,
            "only the survivor's two updates"
        );
        Ok(())
    })
    .unwrap();
}

#[test]
fn begin_commit_and_rollback_are_one_prepared_execution_each() {
    use common::session_status;
    let test = common::fresh();
    let pool = test.database().cloud();
    pool.run(common::create_scratch_table).unwrap();
    let mut conn = pool.get().unwrap();
    let c: &mut MysqlConnection = &mut conn;
    let insert = |c: &mut MysqlConnection| {
        diesel::sql_query("INSERT INTO effects (who) VALUES ('x')").execute(c)
    };
    // Warm the connection's statement cache, then measure a committed and a rolled-back
    // transaction. Reading a counter is itself one prepared statement.
    transaction(c, |c| Ok(insert(c)?)).unwrap();
    let _: Result<(), Error> = transaction(c, |_| Err(Error::NotFound));
    let reading = -session_status(c, "COM_STMT_EXECUTE") + session_status(c, "COM_STMT_EXECUTE");
    let (executes, prepares) = (
        session_status(c, "COM_STMT_EXECUTE"),
        session_status(c, "COM_STMT_PREPARE"),
    );
    let begins = session_status(c, "COM_BEGIN");
    transaction(c, |c| Ok(insert(c)?)).unwrap();
    let failed: Result<(), Error> = transaction(c, |c| {
        insert(c)?;
        Err(Error::NotFound)
    });
    assert!(matches!(failed, Err(Error::NotFound)));
    let begins_now = session_status(c, "COM_BEGIN");
    let executes_now = session_status(c, "COM_STMT_EXECUTE");
    let prepares_now = session_status(c, "COM_STMT_PREPARE");
    // Two BEGINs (counted as such by the server), two inserts, a COMMIT and a ROLLBACK, all
    // executions of statements the connection had already prepared (the inserts are raw SQL,
    // which Diesel prepares each time). Sent as text they would not count as executions.
    assert_eq!(begins_now - begins, 2);
    assert_eq!(executes_now - executes - 4 * reading, 6);
    assert_eq!(
        prepares_now - prepares - 4 * reading,
        2,
        "only the two raw inserts"
    );
    assert!(!in_transaction(c));
    assert_eq!(
        count(c, "SELECT COUNT(*) FROM effects WHERE who = 'x'").unwrap(),
        2
    );
}

diesel::table! {
    t (id) {
        id -> Integer,
        v -> Integer,
    }
}

/// The deadlock victim's connection is held (not returned to a pool in between) and its
/// statements are Diesel's cached prepared ones, as a repository's are; the deadlock strikes a
/// locking read that has already sent a row. After the typed deadlock error the same
/// connection runs the same statements again.
#[test]
fn a_held_connection_runs_its_next_transactions_after_a_prepared_statement_deadlock() {
    let test = common::fresh();
    let pool = test.database().cloud().clone();
    pool.run(common::create_scratch_table).unwrap();
    let bump = |c: &mut MysqlConnection, id: i32| -> Result<usize, Error> {
        Ok(diesel::update(t::table.find(id))
            .set(t::v.eq(t::v + 1))
            .execute(c)?)
    };
    // Both rows in one locking read, the row it already holds first: that row is sent before
    // the server finds the deadlock on the other.
    let lock_both = |c: &mut MysqlConnection, own_first: i32| -> Result<usize, Error> {
        let rows: Vec<i32> = if own_first == 1 {
            t::table
                .select(t::v)
                .order(t::id.asc())
                .for_update()
                .load(c)?
        } else {
            t::table
                .select(t::v)
                .order(t::id.desc())
                .for_update()
                .load(c)?
        };
        Ok(rows.len())
    };
    let barrier = Arc::new(Barrier::new(2));
    let run = |first: i32| {
        let pool = pool.clone();
        let barrier = barrier.clone();
        std::thread::spawn(move || {
            let mut conn = pool.get().unwrap();
            let outcome = transaction(&mut conn, |c| {
                bump(c, first)?;
                barrier.wait();
                lock_both(c, first)
            });
            (first, conn, outcome)
        })
    };
    let a = run(1);
    let b = run(2);
    let mut results = [a.join().unwrap(), b.join().unwrap()];
    let victims: Vec<&Error> = results.iter().filter_map(|r| r.2.as_ref().err()).collect();
    assert_eq!(victims.len(), 1, "one deadlock victim");
    assert!(victims[0].is_retryable(), "{:?}", victims[0]);
    // One connection at a time now: the same statements, three times each.
    for (first, conn, _) in &mut results {
        for _ in 0..3 {
            let again = transaction(conn, |c| Ok(bump(c, *first)? + lock_both(c, *first)?));
            assert_eq!(again.as_ref().ok(), Some(&3), "{again:?}");
        }
    }
    let sum = pool.run(|c| count(c, "SELECT SUM(v) FROM t")).unwrap();
    assert_eq!(
        sum,
        1 + 2 * 3,
        "the winner's bump and three per connection after"
    );
}
