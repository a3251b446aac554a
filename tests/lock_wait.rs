//! No statement waits for a table lock longer than the configured `lock_wait_timeout`: a read
//! blocked behind `LOCK TABLES` ends with the typed, retryable lock wait timeout.

mod common;

use std::time::{Duration, Instant};

use cloudstack_db::RetryReason;
use cloudstack_db::db::PoolConfig;
use cloudstack_db::prelude::*;
use cloudstack_db_testing::{admin_connection, test_pool_settings};
use diesel::connection::SimpleConnection;

#[test]
fn a_read_behind_lock_tables_ends_within_the_lock_wait() {
    let test = common::fresh();
    let mut config = test.config_with(test_pool_settings());
    config.cloud.session.lock_wait_timeout = Duration::from_secs(2);
    let db = Database::connect(&config).unwrap();

    let mut holder = admin_connection().unwrap();
    holder
        .batch_execute(&format!(
            "LOCK TABLES `{}`.vm_instance WRITE",
            test.cloud_name()
        ))
        .unwrap();
    let started = Instant::now();
    // On a thread of its own: without the bound the read would wait for a year, and the test
    // must fail instead of hanging.
    let (answer, answered) = std::sync::mpsc::channel();
    let reader = db.clone();
    std::thread::spawn(move || {
        let _ = answer
            .send(reader.read(|c| vms::list(c, &VmFilter::default(), &PageRequest::first(10))));
    });
    let err = answered
        .recv_timeout(Duration::from_secs(30))
        .expect("the read ended within 30 s")
        .unwrap_err();
    let waited = started.elapsed();
    holder.batch_execute("UNLOCK TABLES").unwrap();
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
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_secs(2 + 5),
        "waited {waited:?} for a 2 s lock wait"
    );
    // The pool serves again once the lock is gone.
    assert!(
        db.read(|c| vms::list(c, &VmFilter::default(), &PageRequest::first(10)))
            .is_ok()
    );
}

#[test]
fn the_lock_wait_comes_from_the_url_and_session_variables_override_it() {
    let c = PoolConfig::from_url("mysql://cloud@127.0.0.1/cloud?lockWaitTimeout=7").unwrap();
    assert_eq!(c.session.lock_wait_timeout, Duration::from_secs(7));
    let mut s = c.session.clone();
    s.extra_variables
        .push(("lock_wait_timeout".into(), "9".into()));
    let sql = s.statements().unwrap();
    let (ours, theirs) = (
        sql.find("lock_wait_timeout = 7").unwrap(),
        sql.find("lock_wait_timeout = '9'")
            .or_else(|| sql.find("lock_wait_timeout = 9"))
            .unwrap(),
    );
    assert!(ours < theirs, "the later assignment wins: {sql}");
}
