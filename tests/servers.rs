//! Management servers registered, kept alive and marked down in `mshost` as CloudStack's
//! cluster manager does, by the database's clock; the job queue's orphans follow the registry.

mod common;

use std::time::Duration;

use cloudstack_db::jobs::queue::{self, JobSpec, Orphaned};
use cloudstack_db::prelude::*;
use cloudstack_db::servers::{self, Registration, ServerState};
use diesel::connection::SimpleConnection;

fn submit(db: &Database, init_msid: i64) -> JobId {
    db.write(|tx| {
        queue::submit(
            tx,
            &JobSpec::new(
                "org.apache.cloudstack.api.command.user.vm.StartVMCmd",
                "{}",
                UserId(2),
                AccountId(2),
                init_msid,
            ),
        )
    })
    .unwrap()
    .id
}

#[test]
fn a_restart_replaces_the_run_and_the_old_run_can_no_longer_beat() {
    let test = common::fresh();
    let db = test.database();
    // The crate's own clock far in the past: the registry still uses the database's.
    let first =
        cloudstack_db::repo::with_clock_at(chrono::Utc::now() - chrono::Duration::days(3), || {
            db.write(|tx| {
                servers::register(
                    tx,
                    &Registration {
                        runid: 1,
                        ..Registration::new(42, "ms-1", "10.0.0.5")
                    },
                )
            })
        })
        .unwrap();
    let rows = db
        .read(|c| servers::live(c, Duration::from_secs(5)))
        .unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(
        (
            row.msid,
            row.runid,
            row.state,
            row.name.as_deref(),
            row.service_port,
            row.alert_count
        ),
        (42, 1, Some(ServerState::Up), Some("ms-1"), 9090, 0)
    );
    assert!(row.uuid.is_some());
    let again = db
        .write(|tx| {
            servers::register(
                tx,
                &Registration {
                    runid: 2,
                    ..Registration::new(42, "ms-1b", "10.0.0.6")
                },
            )
        })
        .unwrap();
    assert_eq!(again.id, first.id, "one row per msid");
    assert!(matches!(
        db.write(|tx| servers::heartbeat(tx, &first)),
        Err(Error::StaleState {
            entity: "mshost",
            ..
        })
    ));
    db.write(|tx| servers::heartbeat(tx, &again)).unwrap();
    // Invalidated by a peer: its next beat is refused.
    assert!(
        db.write(|tx| servers::invalidate(tx, again.id, again.runid))
            .unwrap()
    );
    assert!(matches!(
        db.write(|tx| servers::heartbeat(tx, &again)),
        Err(Error::StaleState { .. })
    ));
}

#[test]
fn a_silent_server_is_marked_down_its_jobs_are_orphans_and_a_beat_brings_it_back() {
    let test = common::fresh();
    let db = test.database();
    let [a, b] = [1u64, 2].map(|msid| {
        db.write(|tx| {
            servers::register(
                tx,
                &Registration::new(msid, &format!("ms-{msid}"), "10.0.0.5"),
            )
        })
        .unwrap()
    });
    let on_a = submit(db, 1);
    let on_b = submit(db, 2);
    let on_nobody = submit(db, 77);
    db.write(|tx| queue::claim_next(tx, a.job_msid()))
        .unwrap()
        .unwrap();
    db.write(|tx| queue::claim_next(tx, b.job_msid()))
        .unwrap()
        .unwrap();
    // b stopped beating 200 s ago by the database's clock.
    db.cloud()
        .run(|c| {
            c.batch_execute("UPDATE mshost SET last_update = UTC_TIMESTAMP() - INTERVAL 200 SECOND WHERE msid = 2")?;
            Ok(())
        })
        .unwrap();
    let live: Vec<u64> = db
        .read(|c| servers::live(c, servers::DEFAULT_THRESHOLD))
        .unwrap()
        .iter()
        .map(|s| s.msid)
        .collect();
    assert_eq!(live, [1]);
    let orphans: Vec<JobId> = db
        .read(|c| queue::find_orphans(c, Orphaned::OfInactiveServers(servers::DEFAULT_THRESHOLD)))
        .unwrap()
        .iter()
        .map(|j| j.id)
        .collect();
    assert!(
        orphans.contains(&on_b) && orphans.contains(&on_nobody),
        "{orphans:?}"
    );
    assert!(!orphans.contains(&on_a));
    let down = db
        .write(|tx| servers::mark_inactive_down(tx, servers::DEFAULT_THRESHOLD))
        .unwrap();
    assert_eq!(down.iter().map(|s| s.msid).collect::<Vec<_>>(), [2]);
    assert!(
        db.write(|tx| servers::mark_inactive_down(tx, servers::DEFAULT_THRESHOLD))
            .unwrap()
            .is_empty()
    );
    // Its next beat (same run) brings it back Up and live.
    db.write(|tx| servers::heartbeat(tx, &b)).unwrap();
    let back = db
        .read(|c| servers::live(c, servers::DEFAULT_THRESHOLD))
        .unwrap();
    assert_eq!(
        back.iter().map(|s| (s.msid, s.state)).collect::<Vec<_>>(),
        [(1, Some(ServerState::Up)), (2, Some(ServerState::Up))]
    );
    // Stopping: Down, so its jobs are orphans again although it beat a moment ago.
    db.write(|tx| servers::stop(tx, &b)).unwrap();
    let orphans = db
        .read(|c| queue::find_orphans(c, Orphaned::OfInactiveServers(servers::DEFAULT_THRESHOLD)))
        .unwrap();
    assert!(orphans.iter().any(|j| j.id == on_b));
}

#[test]
fn a_server_in_maintenance_comes_back_in_maintenance() {
    let test = common::fresh();
    let db = test.database();
    let me = db
        .write(|tx| servers::register(tx, &Registration::new(9, "ms-9", "10.0.0.9")))
        .unwrap();
    db.cloud()
        .run(|c| {
            c.batch_execute("UPDATE mshost SET state = 'PreparingForMaintenance' WHERE msid = 9")?;
            Ok(())
        })
        .unwrap();
    db.write(|tx| servers::stop(tx, &me)).unwrap();
    db.write(|tx| {
        servers::register(
            tx,
            &Registration {
                runid: me.runid + 1,
                ..Registration::new(9, "ms-9", "10.0.0.9")
            },
        )
    })
    .unwrap();
    let row = db
        .read(|c| servers::live(c, servers::DEFAULT_THRESHOLD))
        .unwrap()
        .remove(0);
    assert_eq!(row.state, Some(ServerState::Maintenance));
    assert!(matches!(
        db.write(|tx| servers::register(tx, &Registration::new(10, &"x".repeat(256), "10.0.0.9"))),
        Err(Error::InvalidValue { .. })
    ));
}

#[test]
fn only_a_current_run_claims_jobs() {
    let test = common::fresh();
    let db = test.database();
    let old = db
        .write(|tx| {
            servers::register(
                tx,
                &Registration {
                    runid: 1,
                    ..Registration::new(5, "ms-5", "10.0.0.5")
                },
            )
        })
        .unwrap();
    let job = submit(db, 5);
    let new = db
        .write(|tx| {
            servers::register(
                tx,
                &Registration {
                    runid: 2,
                    ..Registration::new(5, "ms-5", "10.0.0.5")
                },
            )
        })
        .unwrap();
    // The replaced run claims nothing; the current one claims the job.
    let refused = db.write(|tx| queue::claim_as(tx, &old, 10));
    assert!(
        matches!(refused, Err(Error::StaleState { .. })),
        "{refused:?}"
    );
    let claimed = db.write(|tx| queue::claim_as(tx, &new, 10)).unwrap();
    assert_eq!(
        claimed
            .iter()
            .map(|j| (j.id, j.job_executing_msid))
            .collect::<Vec<_>>(),
        [(job, Some(5))]
    );
    // Marked down: no more claims until it beats again.
    submit(db, 5);
    db.write(|tx| servers::stop(tx, &new)).unwrap();
    assert!(matches!(
        db.write(|tx| queue::claim_as(tx, &new, 10)),
        Err(Error::StaleState { .. })
    ));
    db.write(|tx| servers::heartbeat(tx, &new)).unwrap();
    assert_eq!(
        db.write(|tx| queue::claim_as(tx, &new, 10)).unwrap().len(),
        1
    );
}
