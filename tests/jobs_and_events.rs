//! The async job queue with many management servers, orphans, cancel-vs-complete races, and the
//! event log (pagination, archive, purge, bulk insert).

mod common;

use cloudstack_db::db::Tx;
use std::collections::HashSet;
use std::sync::{Arc, Barrier};

use chrono::{Duration, Utc};
use cloudstack_db::Error;
use cloudstack_db::events::log::{self, EventFilter};
use cloudstack_db::events::{EventLevel, EventState};
use cloudstack_db::jobs::JobStatus;
use cloudstack_db::jobs::queue::{self, JobFilter, JobSpec, Orphaned};
use cloudstack_db::repo::PageRequest;
use cloudstack_db::types::*;
use cloudstack_db_testing::count;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

fn spec(i: usize) -> JobSpec {
    JobSpec {
        cmd: "org.apache.cloudstack.api.command.user.vm.DeployVMCmd".into(),
        cmd_info: format!("{{\"n\":{i}}}"),
        user_id: UserId(2),
        account_id: AccountId(2),
        instance_type: Some("VirtualMachine".into()),
        instance_id: Some(i as u64),
        init_msid: 1000,
        dispatcher: Some("ApiAsyncJobDispatcher".into()),
    }
}

#[test]
fn eight_servers_claim_5000_jobs_each_exactly_once() {
    const JOBS: usize = 5000;
    let test = common::fresh();
    let db = test.database().clone();
    db.cloud()
        .transaction(|c| {
            for i in 0..JOBS {
                Tx::run(c, &db, None, |tx| queue::submit(tx, &spec(i)))?;
            }
            Ok(())
        })
        .unwrap();
    let claimed: Vec<Vec<JobId>> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..=8i64)
            .map(|msid| {
                let db = db.clone();
                s.spawn(move || {
                    let mut conn = db.cloud().get().unwrap();
                    let mut mine = Vec::new();
                    // Claim in small batches until the queue is empty; errors would surface here.
                    loop {
                        let jobs =
                            Tx::run(&mut conn, &db, None, |tx| queue::claim(tx, msid, 5)).unwrap();
                        if jobs.is_empty() {
                            break;
                        }
                        for job in jobs {
                            assert_eq!(job.job_executing_msid, Some(msid));
                            Tx::run(&mut conn, &db, None, |tx| {
                                queue::heartbeat(tx, job.id, msid)
                            })
                            .unwrap();
                            Tx::run(&mut conn, &db, None, |tx| {
                                queue::complete(
                                    tx,
                                    job.id,
                                    msid,
                                    JobStatus::Succeeded,
                                    0,
                                    Some("{\"ok\":true}"),
                                )
                            })
                            .unwrap();
                            mine.push(job.id);
                        }
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let all: Vec<JobId> = claimed.iter().flatten().copied().collect();
    let distinct: HashSet<JobId> = all.iter().copied().collect();
    assert_eq!(all.len(), JOBS, "every job claimed");
    assert_eq!(distinct.len(), JOBS, "no job claimed twice");
    assert!(
        claimed.iter().filter(|c| !c.is_empty()).count() >= 2,
        "the work was shared"
    );
    let mut conn = db.cloud().get().unwrap();
    assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM async_job WHERE job_status = 1 AND removed IS NOT NULL AND job_executing_msid IS NULL").unwrap(), JOBS as i64);
    // Each job was completed by the server that claimed it.
    for (i, mine) in claimed.iter().enumerate() {
        for id in mine.iter().take(20) {
            assert_eq!(
                queue::find(&mut conn, *id).unwrap().job_complete_msid,
                Some(i as i64 + 1)
            );
        }
    }
    let page = queue::list(
        &mut conn,
        &JobFilter {
            status: Some(JobStatus::Succeeded),
            ..Default::default()
        },
        &PageRequest::first(10).with_total(),
    )
    .unwrap();
    assert_eq!(page.total, Some(JOBS as i64));
}

#[test]
fn orphans_of_a_dead_server_are_handed_back_or_failed() {
    let test = common::fresh();
    let mut conn = test.database().cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    for i in 0..6 {
        test.database()
            .write(|tx| queue::submit(tx, &spec(i)))
            .unwrap();
    }
    let dead = test.database().write(|tx| queue::claim(tx, 7, 3)).unwrap();
    let alive = test.database().write(|tx| queue::claim(tx, 8, 1)).unwrap();
    assert_eq!(
        queue::find_orphans(conn, Orphaned::OfServer(7))
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        test.database()
            .write(|tx| queue::requeue_orphans(tx, Orphaned::OfServer(7)))
            .unwrap(),
        3
    );
    let again = test.database().write(|tx| queue::claim(tx, 9, 10)).unwrap();
    let ids: HashSet<JobId> = again.iter().map(|j| j.id).collect();
    assert!(
        dead.iter().all(|j| ids.contains(&j.id)),
        "the dead server's jobs are claimable again"
    );
    assert_eq!(again.len(), 5, "three handed back plus two never claimed");
    // Server 9 goes silent: its jobs' heartbeats are old; server 8 keeps beating.
    conn.batch_execute("UPDATE async_job SET last_updated = UTC_TIMESTAMP() - INTERVAL 10 MINUTE WHERE job_executing_msid = 9").unwrap();
    test.database()
        .write(|tx| queue::heartbeat(tx, alive[0].id, 8))
        .unwrap();
    let cut = Utc::now() - Duration::minutes(2);
    assert_eq!(
        queue::find_orphans(conn, Orphaned::SilentSince(cut))
            .unwrap()
            .len(),
        5
    );
    assert_eq!(
        test.database()
            .write(|tx| queue::fail_orphans(tx, Orphaned::SilentSince(cut), 8))
            .unwrap(),
        5
    );
    let failed = queue::find(conn, again[0].id).unwrap();
    assert_eq!(
        (
            failed.job_status,
            failed.job_result_code,
            failed.job_result.as_deref()
        ),
        (
            Some(JobStatus::Failed),
            Some(530),
            Some(queue::ORPHAN_RESULT)
        )
    );
    assert!(failed.removed.is_some());
    assert_eq!(
        queue::find(conn, alive[0].id).unwrap().job_status,
        Some(JobStatus::InProgress)
    );
    // Finished jobs older than a cut are expunged in small batches.
    conn.batch_execute(
        "UPDATE async_job SET removed = UTC_TIMESTAMP() - INTERVAL 2 DAY WHERE job_status <> 0",
    )
    .unwrap();
    assert_eq!(
        test.database()
            .write(|tx| queue::expunge_finished(tx, Utc::now() - Duration::days(1), 2))
            .unwrap(),
        5
    );
    assert_eq!(count(conn, "SELECT COUNT(*) FROM async_job").unwrap(), 1);
}

#[test]
fn cancel_racing_completion_ends_in_exactly_one_final_state() {
    let test = common::fresh();
    let db = test.database().clone();
    for round in 0..20 {
        let job = db.write(|tx| queue::submit(tx, &spec(round))).unwrap();
        let job = db
            .write(|tx| queue::claim_next(tx, 1))
            .unwrap()
            .unwrap_or(job);
        let barrier = Arc::new(Barrier::new(2));
        let (d1, b1, d2, b2) = (db.clone(), barrier.clone(), db.clone(), barrier);
        let completer = std::thread::spawn(move || {
            let mut c = d1.cloud().get().unwrap();
            b1.wait();
            Tx::run(&mut c, &d1, None, |tx| {
                queue::complete(tx, job.id, 1, JobStatus::Succeeded, 0, None)
            })
        });
        let canceller = std::thread::spawn(move || {
            let mut c = d2.cloud().get().unwrap();
            b2.wait();
            // The server running the job cancels it while its worker completes it.
            Tx::run(&mut c, &d2, None, |tx| {
                queue::cancel(tx, job.id, 1, queue::CANCELLED_RESULT)
            })
        });
        let (done, cancelled) = (completer.join().unwrap(), canceller.join().unwrap());
        assert!(
            done.is_ok() != cancelled.is_ok(),
            "round {round}: exactly one wins: {done:?} / {cancelled:?}"
        );
        let loser = if done.is_ok() { &cancelled } else { &done };
        assert!(matches!(
            loser,
            Err(Error::StaleState {
                entity: "async_job",
                ..
            })
        ));
        let last = db.cloud().run(|c| queue::find(c, job.id)).unwrap();
        let expected = if done.is_ok() {
            JobStatus::Succeeded
        } else {
            JobStatus::Failed
        };
        assert_eq!(last.job_status, Some(expected));
    }
}

#[test]
fn events_page_archive_purge_and_bulk_insert() {
    let test = common::fresh();
    let mut conn = test.database().cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    // A start/complete pair inside a caller's transaction.
    let (start, done) = test
        .database()
        .write(|tx| {
            let start = log::record_started(
                tx,
                log::event(
                    "VM.START",
                    "Starting VM",
                    UserId(2),
                    AccountId(2),
                    DomainId(1),
                    EventLevel::Info,
                ),
            )?;
            let done = log::record_completed(
                tx,
                start,
                log::event(
                    "VM.START",
                    "Started VM",
                    UserId(2),
                    AccountId(2),
                    DomainId(1),
                    EventLevel::Info,
                ),
            )?;
            Ok((start, done))
        })
        .unwrap();
    let pair = log::list(conn, &EventFilter::default(), &PageRequest::first(10))
        .unwrap()
        .items;
    assert_eq!(
        (pair[0].state, pair[1].state, pair[1].start_id),
        (EventState::Started, EventState::Completed, start)
    );
    assert_eq!(pair[1].id, done);

    // 10 000 events in multi-row statements: more placeholders than one statement may hold.
    let old = Utc::now() - Duration::days(40);
    let events: Vec<_> = (0..10_000)
        .map(|i| {
            let mut e = log::event(
                if i % 2 == 0 {
                    "VOLUME.CREATE"
                } else {
                    "VM.STOP"
                },
                &format!("event {i}"),
                UserId(2),
                AccountId(if i % 3 == 0 { 1 } else { 2 }),
                DomainId(1),
                if i % 10 == 0 {
                    EventLevel::Error
                } else {
                    EventLevel::Info
                },
            );
            if i < 4000 {
                e.created = old;
            }
            e
        })
        .collect();
    const { assert!(10_000 * 15 > log::MAX_PLACEHOLDERS) };
    assert_eq!(
        test.database()
            .write(|tx| log::bulk_insert(tx, events))
            .unwrap(),
        10_000
    );
    assert_eq!(count(conn, "SELECT COUNT(*) FROM event").unwrap(), 10_002);

    // Filtered keyset pages see every matching row once.
    let filter = EventFilter {
        account_id: Some(AccountId(1)),
        level: Some(EventLevel::Error),
        ..Default::default()
    };
    let expected = count(
        conn,
        "SELECT COUNT(*) FROM event WHERE account_id = 1 AND level = 'ERROR'",
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut page = log::list(conn, &filter, &PageRequest::first(50).with_total()).unwrap();
    assert_eq!(page.total, Some(expected));
    loop {
        seen.extend(page.items.iter().map(|e| e.id.get()));
        match page.next {
            Some(cursor) => {
                page = log::list(conn, &filter, &PageRequest::after(cursor, 50)).unwrap()
            }
            None => break,
        }
    }
    assert_eq!(seen.len() as i64, expected);
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    let recent = EventFilter {
        from: Some(Utc::now() - Duration::days(1)),
        event_type: Some("VM.STOP".into()),
        ..Default::default()
    };
    assert_eq!(
        log::list(conn, &recent, &PageRequest::first(1).with_total())
            .unwrap()
            .total,
        Some(3000)
    );

    // Archive then purge the old ones in batches of 500.
    let cut = Utc::now() - Duration::days(30);
    assert_eq!(
        test.database()
            .write(|tx| log::archive_older_than(tx, cut, 500))
            .unwrap(),
        4000
    );
    assert_eq!(
        log::list(
            conn,
            &EventFilter::default(),
            &PageRequest::first(1).with_total()
        )
        .unwrap()
        .total,
        Some(6002)
    );
    let with_archived = EventFilter {
        include_archived: true,
        ..Default::default()
    };
    assert_eq!(
        log::list(conn, &with_archived, &PageRequest::first(1).with_total())
            .unwrap()
            .total,
        Some(10_002)
    );
    assert_eq!(
        test.database()
            .write(|tx| log::purge_older_than(tx, cut, 500))
            .unwrap(),
        4000
    );
    assert_eq!(count(conn, "SELECT COUNT(*) FROM event").unwrap(), 6002);
}

#[test]
fn bulk_insert_stores_every_string_exactly_and_defaults_what_is_not_given() {
    let test = common::fresh();
    let db = test.database();
    let conn = &mut *db.cloud().get().unwrap();
    let tricky = [
        "it's \"quoted\"",
        "back\\slash \\' and \\\\",
        "nul \0 inside",
        "line\nbreak\r\tand \x1a",
        "emoji 🦀 and 中文",
        "'); DROP TABLE event; --",
        "",
        "%_? ${} @x",
    ];
    let events: Vec<_> = tricky
        .iter()
        .map(|d| {
            let mut e = log::event(
                "VM.START",
                d,
                UserId(2),
                AccountId(2),
                DomainId(1),
                EventLevel::Warn,
            );
            e.state = None;
            e.display = None;
            e.parameters = Some(format!("{{\"p\":\"{}\"}}", d.escape_default()));
            e
        })
        .collect();
    assert_eq!(
        Tx::run(conn, &db, None, |tx| log::bulk_insert(tx, events)).unwrap(),
        tricky.len()
    );
    let stored: Vec<(String, String, bool, Option<String>)> = {
        use cloudstack_db::schema::cloud::event::dsl::*;
        event
            .order(id)
            .select((description, state, display, parameters))
            .load(conn)
            .unwrap()
    };
    assert_eq!(
        stored.len(),
        tricky.len(),
        "the injection attempt did not drop anything"
    );
    for ((description, state, display, parameters), want) in stored.iter().zip(tricky) {
        assert_eq!(description, want);
        assert_eq!(
            (state.as_str(), *display),
            ("Completed", true),
            "column defaults"
        );
        assert_eq!(
            parameters.as_deref(),
            Some(format!("{{\"p\":\"{}\"}}", want.escape_default()).as_str())
        );
    }
}

/// Orphan detection compares the database's clock with itself, never two servers' clocks: a
/// server whose clock runs 10 minutes behind keeps its job alive with its heartbeats, and one
/// whose clock runs 10 minutes ahead does not see every job as silent.
#[test]
fn orphan_detection_does_not_compare_two_servers_clocks() {
    let test = common::fresh();
    let db = test.database();
    db.write(|tx| queue::submit(tx, &spec(1))).unwrap();
    let job = db.write(|tx| queue::claim_next(tx, 20)).unwrap().unwrap();
    // Server 20's clock is 10 minutes behind when it beats.
    let behind = Utc::now() - Duration::minutes(10);
    cloudstack_db::repo::with_clock_at(behind, || {
        db.write(|tx| queue::heartbeat(tx, job.id, 20)).unwrap()
    });
    // Server 21 looks for jobs silent for 2 minutes, its clock 10 minutes ahead.
    let ahead = Utc::now() + Duration::minutes(10);
    let silent = cloudstack_db::repo::with_clock_at(ahead, || {
        let mut conn = db.cloud().get().unwrap();
        queue::find_orphans(
            &mut conn,
            Orphaned::SilentFor(std::time::Duration::from_secs(120)),
        )
        .unwrap()
    });
    assert!(silent.is_empty(), "a beating job found silent: {silent:?}");
    // A job that really stopped beating 10 minutes ago (by the database's clock) is found.
    let mut conn = db.cloud().get().unwrap();
    conn.batch_execute(&format!(
        "UPDATE async_job SET last_updated = UTC_TIMESTAMP() - INTERVAL 10 MINUTE WHERE id = {}",
        job.id.get()
    ))
    .unwrap();
    let silent = queue::find_orphans(
        &mut conn,
        Orphaned::SilentFor(std::time::Duration::from_secs(120)),
    )
    .unwrap();
    assert_eq!(silent.iter().map(|j| j.id).collect::<Vec<_>>(), [job.id]);
}

/// A submitted job's row, column by column: what the job framework's submit writes.
#[test]
fn a_submitted_job_row_holds_exactly_what_a_new_job_holds() {
    let test = common::fresh();
    let db = test.database();
    let job = db.write(|tx| queue::submit(tx, &spec(7))).unwrap();
    let mut conn = db.cloud().get().unwrap();
    let row = common::rows_as_text(
        &mut conn,
        "async_job",
        "user_id, account_id, instance_type, instance_id, job_cmd, job_cmd_info, job_cmd_ver, \
         job_status, job_process_status, job_result_code, job_result, job_init_msid, \
         job_complete_msid, last_polled, removed, related, job_type, job_dispatcher, \
         job_executing_msid, job_pending_signals, created = last_updated, \
         uuid REGEXP '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'",
    );
    assert_eq!(
        row,
        [
            r#"[2, 2, "VirtualMachine", 7, "org.apache.cloudstack.api.command.user.vm.DeployVMCmd", "{\"n\":7}", 1, 0, 0, 0, null, 1000, null, null, null, "", null, "ApiAsyncJobDispatcher", null, 0, true, true]"#
        ]
    );
    assert_eq!(job.job_status, Some(JobStatus::InProgress));
    assert!(job.created.is_some());
}
