//! A whole server going away: killed (SIGKILL) under load and restarted, and a connection lost
//! while its COMMIT is in flight. Each test runs its own private `mariadbd` on 127.0.0.1
//! (`testing::LocalServer`), so killing it disturbs no other test.

mod common;

use cloudstack_db::db::Tx;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use cloudstack_db::db::{DbPool, PoolConfig, PoolSettings, RetryPolicy};
use cloudstack_db::events::log;
use cloudstack_db::{Database, Error};
use cloudstack_db_testing::{LocalServer, count, test_pool_settings};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

const WRITERS: u32 = 4;

/// What a writer saw: each event it wrote, by outcome.
#[derive(Default)]
struct Outcomes {
    committed: Vec<String>,
    unknown: Vec<String>,
    errors: Vec<Error>,
}

#[test]
fn a_server_killed_under_load_and_restarted_loses_no_committed_write_and_the_pool_recovers_alone() {
    common::log_to_file();
    let mut server = LocalServer::start(&[]).unwrap();
    let config = server
        .migrated_databases(PoolSettings {
            max_size: 6,
            connection_timeout: Duration::from_secs(2),
            ..test_pool_settings()
        })
        .unwrap();
    let db = Database::connect(&config).unwrap();
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
    };
    // 0: before the crash, 1: server down, 2: restarted.
    let phase = Arc::new(AtomicU32::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (report, reports) = mpsc::channel::<(u32, u32, bool)>();
    // Writers are detached threads, not scoped ones: a writer stuck inside a call must make the
    // test fail, not hang it waiting for a join.
    let outcomes: Vec<Outcomes> = {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (db, policy, phase, stop, report) = (
                    db.clone(),
                    policy.clone(),
                    phase.clone(),
                    stop.clone(),
                    report.clone(),
                );
                let (db, policy, phase, stop) = (db, policy, phase, stop);
                std::thread::spawn(move || {
                    let (db, policy) = (&db, &policy);
                    let mut out = Outcomes::default();
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        n += 1;
                        let name = format!("w{w}-{n}");
                        let seen_phase = phase.load(Ordering::SeqCst);
                        let written = db.cloud().transaction_with_retry(policy, |c| {
                            Tx::run(c, &db, None, |tx| log::record(tx, common::event(&name)))?;
                            Ok(())
                        });
                        // A read outside any transaction, as list pages do.
                        let read = db.cloud().run(|c| count(c, "SELECT COUNT(*) FROM event"));
                        let ok = written.is_ok() && read.is_ok();
                        match written {
                            Ok(()) => out.committed.push(name),
                            Err(Error::CommitUnknown { .. }) => out.unknown.push(name),
                            Err(other) => out.errors.push(other),
                        }
                        if let Err(other) = read {
                            out.errors.push(other);
                        }
                        let _ = report.send((w, seen_phase, ok));
                    }
                    out
                })
            })
            .collect();
        drop(report);
        // Waits for `needed` reports that match (from every writer, with `all`).
        let wait_for = |wanted: &dyn Fn(u32, bool) -> bool, needed: usize, all: bool| {
            let mut seen = HashSet::new();
            let mut hits = 0;
            let deadline = Instant::now() + Duration::from_secs(90);
            while hits < needed || (all && seen.len() < WRITERS as usize) {
                let left = deadline.saturating_duration_since(Instant::now());
                let Ok((w, p, ok)) = reports.recv_timeout(left) else {
                    stop.store(true, Ordering::SeqCst);
                    panic!("writers stalled for 90 s (told to stop; a stuck one is left behind)");
                };
                if wanted(p, ok) {
                    hits += 1;
                    seen.insert(w);
                }
            }
        };
        // Load is running: 40 successful writes.
        wait_for(&|p, ok| p == 0 && ok, 40, false);
        server.kill();
        phase.store(1, Ordering::SeqCst);
        // Calls started while the server is down fail (typed, checked below).
        wait_for(&|p, ok| p == 1 && !ok, 4, false);
        server.restart().unwrap();
        phase.store(2, Ordering::SeqCst);
        // Every writer succeeds again without doing anything about it.
        wait_for(&|p, ok| p == 2 && ok, 1, true);
        stop.store(true, Ordering::SeqCst);
        writers.into_iter().map(|w| w.join().unwrap()).collect()
    };

    for out in &outcomes {
        for err in &out.errors {
            assert!(
                matches!(
                    err,
                    Error::ConnectionLost { .. } | Error::Connect(_) | Error::PoolTimeout { .. }
                ),
                "unexpected error kind: {err:?}"
            );
        }
    }
    assert!(
        outcomes.iter().any(|o| !o.errors.is_empty()),
        "the crash was seen by someone"
    );
    let stored: Vec<String> = db
        .cloud()
        .run(|c| {
            Ok(diesel::sql_query("SELECT description AS name FROM event")
                .load::<Name>(c)?
                .into_iter()
                .map(|n| n.name)
                .collect())
        })
        .unwrap();
    let stored_set: HashSet<&String> = stored.iter().collect();
    assert_eq!(stored.len(), stored_set.len(), "no event written twice");
    let committed: Vec<&String> = outcomes.iter().flat_map(|o| &o.committed).collect();
    let unknown: HashSet<&String> = outcomes.iter().flat_map(|o| &o.unknown).collect();
    for name in &committed {
        assert!(stored_set.contains(name), "committed write {name} lost");
    }
    let committed: HashSet<&String> = committed.into_iter().collect();
    for name in &stored {
        assert!(
            committed.contains(name) || unknown.contains(name),
            "{name} stored but its writer was told it failed"
        );
    }
    eprintln!(
        "restart under load: {} committed, {} unknown, {} typed errors",
        committed.len(),
        unknown.len(),
        outcomes.iter().map(|o| o.errors.len()).sum::<usize>()
    );
}

#[test]
fn a_connection_lost_during_commit_is_commit_unknown_and_never_retried() {
    common::log_to_file();
    let server = LocalServer::start(&[]).unwrap();
    let mut admin = server.admin_connection().unwrap();
    admin
        .batch_execute(
            "CREATE DATABASE scratch; \
             CREATE TABLE scratch.effects (id INT AUTO_INCREMENT PRIMARY KEY, who VARCHAR(8) NOT NULL)",
        )
        .unwrap();
    let pool =
        DbPool::connect(&PoolConfig::from_url(&server.admin_url("scratch")).unwrap()).unwrap();
    let (written, go_on) = (mpsc::channel::<i64>(), mpsc::channel::<()>());
    let (written_tx, written_rx) = written;
    let (go_tx, go_rx) = go_on;
    let committer = std::thread::spawn(move || {
        let mut attempts = 0;
        let result = pool.transaction_with_retry(&RetryPolicy::attempts(5), |c| {
            attempts += 1;
            c.batch_execute("INSERT INTO effects (who) VALUES ('x')")?;
            let id = connection_id(c)?;
            written_tx.send(id).unwrap();
            go_rx.recv().unwrap();
            Ok(())
        });
        (result, attempts)
    });
    let id = written_rx.recv().unwrap();
    // The global read lock lets the INSERT stand but holds its COMMIT.
    admin.batch_execute("FLUSH TABLES WITH READ LOCK").unwrap();
    go_tx.send(()).unwrap();
    let mut watcher = server.admin_connection().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while count(
        &mut watcher,
        &format!(
            "SELECT COUNT(*) FROM information_schema.processlist WHERE id = {id} AND info = 'COMMIT'"
        ),
    )
    .unwrap()
        == 0
    {
        assert!(Instant::now() < deadline, "COMMIT never reached the server");
        std::thread::yield_now();
    }
    watcher
        .batch_execute(&format!("KILL CONNECTION {id}"))
        .unwrap();
    admin.batch_execute("UNLOCK TABLES").unwrap();
    let (result, attempts) = committer.join().unwrap();
    let err = result.unwrap_err();
    assert!(matches!(err, Error::CommitUnknown { .. }), "{err:?}");
    assert!(err.is_connection_lost());
    assert_eq!(attempts, 1, "an unknown COMMIT is never run again");
    assert!(
        count(&mut watcher, "SELECT COUNT(*) FROM scratch.effects").unwrap() <= 1,
        "at most the one attempt"
    );
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

fn connection_id(conn: &mut MysqlConnection) -> cloudstack_db::Result<i64> {
    count(conn, "SELECT CAST(CONNECTION_ID() AS SIGNED)")
}
