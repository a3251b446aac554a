//! No call waits forever: a server that accepts and never answers, and one frozen with SIGSTOP
//! in the middle of a query and of a COMMIT, give typed errors within the configured connect and
//! read timeouts; the pool serves again once the server is back; and another pool keeps opening
//! connections while one is stuck.
//!
//! Every wait below runs on a thread of its own and is received with a bound far above the
//! configured timeout, so a broken bound fails the test instead of hanging it.

mod common;

use std::net::TcpListener;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cloudstack_db::Error;
use cloudstack_db::db::{ConnectionTarget, DbPool, PoolConfig, PoolSettings};
use cloudstack_db_testing::{LocalServer, test_pool_settings};
use diesel::prelude::*;

/// A TCP listener that never accepts: the kernel completes the handshake, nothing ever answers.
fn silent_listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    (listener, port)
}

/// Runs `f` on its own thread and returns its result and how long it took, failing the test if
/// it has not returned after `bound`.
fn timed<T: Send + 'static>(
    bound: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> (T, Duration) {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let started = Instant::now();
        let value = f();
        let _ = send.send((value, started.elapsed()));
    });
    receive
        .recv_timeout(bound)
        .unwrap_or_else(|_| panic!("still waiting after {bound:?}"))
}

const BOUND: Duration = Duration::from_secs(60);

#[test]
fn a_listener_that_never_answers_fails_connect_and_pool_within_the_connect_timeout() {
    let (_listener, port) = silent_listener();
    let url = format!("mysql://root@127.0.0.1:{port}/cloud?connectTimeout=2000");
    let target = ConnectionTarget::from_url(&url).unwrap();
    assert_eq!(target.client.connect_timeout, Duration::from_secs(2));

    let (result, took) = timed(BOUND, move || target.connect().map(|_| ()));
    assert!(matches!(result, Err(Error::Connect(_))), "{result:?}");
    assert!(took < Duration::from_secs(3), "connect took {took:?}");

    let mut config = PoolConfig::from_url(&url).unwrap();
    config.pool.connection_timeout = Duration::from_secs(30);
    let (result, took) = timed(BOUND, move || DbPool::connect(&config).map(|_| ()));
    assert!(matches!(result, Err(Error::Connect(_))), "{result:?}");
    assert!(
        took < Duration::from_secs(3),
        "opening the pool took {took:?}"
    );
}

#[test]
fn a_checkout_from_a_pool_whose_server_became_a_silent_listener_fails_within_the_connect_timeout() {
    // A pool opened on a real server with no connection kept, then the server replaced by a
    // listener on the same port that never answers.
    let (mut server, pool) = server_and_pool(3000);
    assert_eq!(pool.state().0, 0, "no pooled connection to fall back on");
    let port = server.port();
    server.kill();
    let _listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let (checkout, took) = timed(BOUND, move || pool.get().map(|_| ()));
    assert!(matches!(checkout, Err(Error::Connect(_))), "{checkout:?}");
    assert!(took < Duration::from_secs(3), "the checkout took {took:?}");
}

/// A private server, a pool on it with short timeouts and the session id of one of its
/// connections.
fn server_and_pool(read_timeout_ms: u64) -> (LocalServer, DbPool) {
    let server = LocalServer::start(&[]).unwrap();
    let mut config = PoolConfig::from_url(&format!(
        "mysql://root@127.0.0.1:{}/mysql?connectTimeout=2000&socketTimeout={read_timeout_ms}",
        server.port()
    ))
    .unwrap();
    config.pool = PoolSettings {
        max_size: 2,
        min_idle: Some(0),
        connection_timeout: Duration::from_secs(30),
        ..test_pool_settings()
    };
    let pool = DbPool::connect(&config).unwrap();
    (server, pool)
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[test]
fn a_server_frozen_mid_query_and_mid_commit_gives_typed_errors_within_the_read_timeout() {
    let (mut server, pool) = server_and_pool(3000);
    pool.run(|c| {
        diesel::sql_query("CREATE DATABASE scratch").execute(c)?;
        diesel::sql_query("CREATE TABLE scratch.t (id INT PRIMARY KEY)").execute(c)?;
        Ok(())
    })
    .unwrap();

    // Mid-COMMIT: the row is written, then the server stops, then the library's COMMIT goes.
    let (inserted, row_written) = mpsc::channel();
    let (frozen, server_frozen) = mpsc::channel::<()>();
    let committer = pool.clone();
    let commit = std::thread::spawn(move || {
        committer.transaction(|c| {
            diesel::sql_query("INSERT INTO scratch.t VALUES (1)").execute(c)?;
            inserted.send(()).unwrap();
            server_frozen.recv().unwrap();
            Ok(())
        })
    });
    row_written.recv().unwrap();
    // Mid-query: a 2 s statement is on its way when the server stops.
    let (sending, sent) = mpsc::channel();
    let querier = pool.clone();
    let query = std::thread::spawn(move || {
        let mut conn = querier.get().unwrap();
        sending.send(()).unwrap();
        conn.run(|c| {
            Ok(diesel::sql_query("SELECT SLEEP(2) + 1 AS n")
                .get_result::<Number>(c)?
                .n)
        })
    });
    sent.recv().unwrap();
    server.freeze();
    let frozen_at = Instant::now();
    frozen.send(()).unwrap();
    let (query_result, query_took) = timed(BOUND, move || query.join().unwrap());
    let query_took = query_took.min(frozen_at.elapsed());
    assert!(
        matches!(query_result, Err(Error::ConnectionLost { .. })),
        "{query_result:?}"
    );
    assert!(
        query_took < Duration::from_secs(4),
        "the frozen query failed {query_took:?} after the stop"
    );
    let (commit_result, _) = timed(BOUND, move || commit.join().unwrap());
    let commit_took = frozen_at.elapsed();
    assert!(
        matches!(commit_result, Err(Error::CommitUnknown { .. })),
        "{commit_result:?}"
    );
    assert!(
        commit_took < Duration::from_secs(4),
        "the frozen COMMIT failed {commit_took:?} after the stop"
    );

    // A checkout that needs a new connection while the server is frozen fails within the
    // connect timeout (+1 s), typed; meanwhile another pool opens its connections on its own
    // thread.
    let other = common::fresh();
    let mut other_config = other.config_with(test_pool_settings()).cloud;
    other_config.pool.min_idle = Some(3);
    other_config.pool.max_size = 3;
    let waiting_pool = pool.clone();
    let (asking, asked) = mpsc::channel();
    let checkout = std::thread::spawn(move || {
        let started = Instant::now();
        asking.send(()).unwrap();
        (waiting_pool.get().map(|_| ()), started.elapsed())
    });
    asked.recv().unwrap();
    let other_pool = DbPool::connect(&other_config).unwrap();
    let opening = Instant::now();
    while other_pool.state().0 < 3 {
        assert!(
            opening.elapsed() < Duration::from_secs(10),
            "the other pool opened {} of 3 connections",
            other_pool.state().0
        );
        std::thread::yield_now();
    }
    let filled_in = opening.elapsed();
    let ((checkout, took), _) = timed(BOUND, move || checkout.join().unwrap());
    assert!(matches!(checkout, Err(Error::Connect(_))), "{checkout:?}");
    assert!(took < Duration::from_secs(3), "the checkout took {took:?}");
    assert!(
        filled_in < Duration::from_secs(2),
        "the other pool needed {filled_in:?}: it waited for the stuck connect"
    );

    // Back again: the pool serves without the caller doing anything, and the COMMIT of unknown
    // fate is found to have not happened (the server never received it).
    server.thaw();
    let (answer, _) = timed(BOUND, move || {
        pool.run(|c| {
            Ok(diesel::sql_query("SELECT COUNT(*) AS n FROM scratch.t")
                .get_result::<Number>(c)?
                .n)
        })
    });
    assert_eq!(answer.unwrap(), 0);
}
