//! User VMs through the repository: CloudStack-compatible rows, soft delete, optimistic state
//! changes, sequence ids under concurrency, atomic creates, and keyset pagination.

mod common;

use cloudstack_db::db::Tx;
use std::sync::{Arc, Barrier};

use cloudstack_db::compute::vms::{self, VmChanges, VmFilter};
use cloudstack_db::compute::{VmEvent, VmState, vm_transitions};
use cloudstack_db::repo::PageRequest;
use cloudstack_db::types::*;
use cloudstack_db::{Error, Secret};
use cloudstack_db_testing::count;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

#[test]
fn create_writes_both_rows_and_the_usage_event_like_cloudstack() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn);
    let vm = Tx::run(&mut conn, db, db.column_encryptor(), |tx| {
        vms::create(tx, &common::vm_spec(zone.id, "web-1"))
    })
    .unwrap();
    let i = &vm.instance;
    assert_eq!(i.id, VmId(1), "vm_instance_seq starts at 1");
    assert_eq!(vm.user_vm.id, i.id);
    assert_eq!(i.instance_name, "i-2-1-VM");
    assert_eq!(
        (
            i.state,
            i.update_count,
            i.vm_type.as_str(),
            i.discriminator.as_str()
        ),
        (VmState::Stopped, 0, "User", "User")
    );
    assert!(i.uuid.is_some() && i.removed.is_none());
    assert_eq!(vm.user_vm.display_name.as_deref(), Some("web-1 display"));
    // The VNC password is stored encrypted with the database secret.
    assert_ne!(i.vnc_password.expose(), "vnc-secret");
    assert_eq!(
        db.column_encryptor()
            .unwrap()
            .decrypt(i.vnc_password.expose())
            .unwrap()
            .expose(),
        "vnc-secret"
    );
    // The sequence moved on; the usage event is CloudStack's VM.CREATE.
    assert_eq!(
        count(
            &mut conn,
            "SELECT value FROM sequence WHERE name = 'vm_instance_seq'"
        )
        .unwrap(),
        2
    );
    let (kind, offering, template, rtype, zone_id): (
        String,
        Option<u64>,
        Option<TemplateId>,
        Option<String>,
        ZoneId,
    ) = {
        use cloudstack_db::schema::cloud::usage_event::dsl::*;
        usage_event
            .select((type_, offering_id, template_id, resource_type, zone_id))
            .first(&mut *conn)
            .unwrap()
    };
    assert_eq!(
        (kind.as_str(), offering, template, rtype.as_deref(), zone_id),
        (
            "VM.CREATE",
            Some(1),
            Some(TemplateId(4)),
            Some("KVM"),
            zone.id
        )
    );

    // Finders.
    assert_eq!(vms::find(&mut conn, i.id).unwrap(), vm);
    assert_eq!(vms::find_by_uuid(&mut conn, i.uuid.unwrap()).unwrap(), vm);
    assert!(matches!(
        vms::find(&mut conn, VmId(999)),
        Err(Error::NotFound)
    ));

    // Update with Option<Option<_>>: clear the display name, set HA.
    let changed = Tx::run(&mut conn, &db, None, |tx| {
        vms::update(
            tx,
            i.id,
            &VmChanges {
                display_name: Some(None),
                ha_enabled: Some(true),
                ..Default::default()
            },
        )
    })
    .unwrap();
    assert_eq!(
        (changed.user_vm.display_name, changed.instance.ha_enabled),
        (None, true)
    );
    // Both tables at once, the same values again, and nothing at all.
    let both = VmChanges {
        user_data: Some(Some("dXNlcmRhdGE=".into())),
        power_state: Some(Some(cloudstack_db::compute::PowerState::PowerOff)),
        ..Default::default()
    };
    for changes in [&both, &both, &VmChanges::default()] {
        let now = Tx::run(&mut conn, &db, None, |tx| vms::update(tx, i.id, changes)).unwrap();
        assert_eq!(now.user_vm.user_data.as_deref(), Some("dXNlcmRhdGE="));
        assert_eq!(
            now.instance.power_state,
            Some(cloudstack_db::compute::PowerState::PowerOff)
        );
        assert!(
            now.instance.ha_enabled,
            "untouched columns keep their values"
        );
    }
    let too_long = VmChanges {
        display_name: Some(Some("n".repeat(256))),
        ..Default::default()
    };
    assert!(matches!(
        Tx::run(&mut conn, &db, None, |tx| vms::update(tx, i.id, &too_long)),
        Err(Error::InvalidValue { .. })
    ));

    // Soft delete hides it from finders and lists; expunge deletes both rows.
    Tx::run(&mut conn, &db, None, |tx| vms::remove(tx, i.id)).unwrap();
    assert!(matches!(vms::find(&mut conn, i.id), Err(Error::NotFound)));
    assert!(matches!(
        Tx::run(&mut conn, &db, None, |tx| vms::update(tx, i.id, &both)),
        Err(Error::NotFound)
    ));
    assert!(
        vms::find_including_removed(&mut conn, i.id)
            .unwrap()
            .instance
            .removed
            .is_some()
    );
    assert!(
        vms::list(&mut conn, &VmFilter::default(), &PageRequest::first(10))
            .unwrap()
            .items
            .is_empty()
    );
    let all = VmFilter {
        include_removed: true,
        ..Default::default()
    };
    assert_eq!(
        vms::list(&mut conn, &all, &PageRequest::first(10))
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(matches!(
        Tx::run(&mut conn, &db, None, |tx| vms::remove(tx, i.id)),
        Err(Error::NotFound)
    ));
    Tx::run(&mut conn, &db, None, |tx| vms::expunge(tx, i.id)).unwrap();
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) FROM vm_instance").unwrap(),
        0
    );
    assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM user_vm").unwrap(), 0);
}

#[test]
fn start_stop_destroy_follow_the_state_machine_and_write_usage_events() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn);
    let vm = Tx::run(&mut conn, db, None, |tx| {
        vms::create(tx, &common::vm_spec(zone.id, "app"))
    })
    .unwrap()
    .instance;
    let starting = Tx::run(&mut conn, &db, None, |tx| {
        vms::transition(tx, &vm, VmEvent::StartRequested, Some(Some(11)))
    })
    .unwrap();
    assert_eq!(
        (starting.state, starting.host_id, starting.update_count),
        (VmState::Starting, Some(11), 1)
    );
    assert!(starting.update_time.is_some());
    let running = Tx::run(&mut conn, &db, None, |tx| {
        vms::transition(tx, &starting, VmEvent::OperationSucceeded, None)
    })
    .unwrap();
    assert_eq!((running.state, running.update_count), (VmState::Running, 2));
    let stopping = Tx::run(&mut conn, &db, None, |tx| {
        vms::transition(tx, &running, VmEvent::StopRequested, None)
    })
    .unwrap();
    let stopped = Tx::run(&mut conn, &db, None, |tx| {
        vms::transition(tx, &stopping, VmEvent::OperationSucceeded, Some(None))
    })
    .unwrap();
    assert_eq!((stopped.state, stopped.host_id), (VmState::Stopped, None));
    // An illegal event is refused before anything is written.
    let err = Tx::run(&mut conn, &db, None, |tx| {
        vms::transition(tx, &stopped, VmEvent::AgentReportMigrated, None)
    })
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::IllegalTransition {
                entity: "vm_instance",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        vms::find(&mut conn, vm.id).unwrap().instance.update_count,
        4
    );
    // A no-op transition (same state, same host) writes nothing either.
    let same = Tx::run(&mut conn, &db, None, |tx| {
        vms::transition(tx, &stopped, VmEvent::StopRequested, None)
    })
    .unwrap();
    assert_eq!(same.update_count, 4);
    let destroyed = Tx::run(&mut conn, &db, None, |tx| {
        vms::transition(tx, &stopped, VmEvent::DestroyRequested, None)
    })
    .unwrap();
    assert_eq!(destroyed.state, VmState::Destroyed);
    let recovered = Tx::run(&mut conn, &db, None, |tx| {
        vms::transition(tx, &destroyed, VmEvent::RecoveryRequested, None)
    })
    .unwrap();
    assert_eq!(recovered.state, VmState::Stopped);
    let kinds: Vec<String> = common::usage_events(&mut conn)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        kinds,
        [
            "VM.CREATE",
            "VM.START",
            "VM.STOP",
            "VM.DESTROY",
            "VM.CREATE"
        ]
    );
}

#[test]
fn the_state_machine_has_cloudstacks_usage_transitions() {
    let usage: Vec<(VmState, VmEvent, VmState)> = vm_transitions()
        .filter(|t| t.usage)
        .map(|t| (t.from, t.event, t.to))
        .collect();
    assert_eq!(usage.len(), 15);
    assert!(usage.contains(&(
        VmState::Destroyed,
        VmEvent::RecoveryRequested,
        VmState::Stopped
    )));
    assert!(
        !usage.iter().any(|(from, _, _)| *from == VmState::Migrating),
        "migrations never write usage"
    );
    assert_eq!(vm_transitions().count(), 55);
}

#[test]
fn two_racing_transitions_one_wins_the_other_is_stale() {
    let test = common::fresh();
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn);
    let vm = Tx::run(&mut conn, &db, None, |tx| {
        vms::create(tx, &common::vm_spec(zone.id, "race"))
    })
    .unwrap()
    .instance;
    drop(conn);
    let barrier = Arc::new(Barrier::new(2));
    let racer = |event: VmEvent| {
        let (db, vm, barrier) = (db.clone(), vm.clone(), barrier.clone());
        std::thread::spawn(move || {
            let mut conn = db.cloud().get().unwrap();
            barrier.wait();
            Tx::run(&mut conn, &db, None, |tx| {
                vms::transition(tx, &vm, event, None)
            })
        })
    };
    let a = racer(VmEvent::StartRequested);
    let b = racer(VmEvent::DestroyRequested);
    let results = [a.join().unwrap(), b.join().unwrap()];
    let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    let lost: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!((won.len(), lost.len()), (1, 1), "{results:?}");
    assert!(
        matches!(
            lost[0],
            Error::StaleState {
                entity: "vm_instance",
                ..
            }
        ),
        "{:?}",
        lost[0]
    );
    let now = vms::find(&mut db.cloud().get().unwrap(), vm.id)
        .unwrap()
        .instance;
    assert_eq!(now.update_count, vm.update_count + 1);
    assert_eq!(now.state, won[0].state);
}

#[test]
fn racing_to_the_same_state_is_one_success_and_one_stale_with_one_write() {
    let test = common::fresh();
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn);
    let vm = Tx::run(&mut conn, &db, None, |tx| {
        vms::create(tx, &common::vm_spec(zone.id, "same"))
    })
    .unwrap()
    .instance;
    let first = Tx::run(&mut conn, &db, None, |tx| {
        vms::transition(tx, &vm, VmEvent::DestroyRequested, None)
    })
    .unwrap();
    // A second caller with the old snapshot asks for the same transition: the first one made
    // it, so the second is told it lost — only the caller whose UPDATE changed the row succeeds.
    let second = Tx::run(&mut conn, &db, None, |tx| {
        vms::transition(tx, &vm, VmEvent::DestroyRequested, None)
    });
    assert!(
        matches!(
            second,
            Err(Error::StaleState {
                entity: "vm_instance",
                ..
            })
        ),
        "{second:?}"
    );
    assert_eq!(first.update_count, 1);
    let destroys = common::usage_events(&mut conn)
        .into_iter()
        .filter(|(k, _)| k == "VM.DESTROY")
        .count();
    assert_eq!(destroys, 1, "the usage event is written once");
}

#[test]
fn concurrent_creates_and_cloudstack_style_inserts_never_collide() {
    const THREADS: usize = 16;
    const PER_THREAD: usize = 200;
    let test = common::fresh();
    let db = test.database().clone();
    let zone = common::zone(&mut db.cloud().get().unwrap());
    let cloudstack_inserts: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let db = db.clone();
                let test = &test;
                s.spawn(move || {
                    let mut raw = test.raw_cloud_connection().unwrap();
                    let mut plain = 0;
                    for i in 0..PER_THREAD {
                        let spec = common::vm_spec(zone.id, &format!("vm-{t}-{i}"));
                        db.write(|tx| vms::create(tx, &spec)).unwrap();
                        if i % 10 == 0 {
                            // What CloudStack's SequenceFetcher does, in plain SQL, then its insert.
                            raw.batch_execute(&format!(
                                "BEGIN; \
                                 SELECT value INTO @id FROM sequence WHERE name = 'vm_instance_seq' FOR UPDATE; \
                                 UPDATE sequence SET value = value + 1 WHERE name = 'vm_instance_seq'; \
                                 COMMIT; \
                                 INSERT INTO vm_instance (id, name, instance_name, state, guest_os_id, vnc_password, created, \
                                   type, vm_type, account_id, domain_id, service_offering_id, data_center_id) \
                                 VALUES (@id, 'cs-{t}-{i}', CONCAT('i-2-', @id, '-VM'), 'Stopped', 112, 'x', UTC_TIMESTAMP(), \
                                   'User', 'User', 2, 1, 1, {zone}); \
                                 INSERT INTO user_vm (id) VALUES (@id)",
                                zone = zone.id
                            ))
                            .unwrap();
                            plain += 1;
                        }
                    }
                    plain
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let mut conn = db.cloud().get().unwrap();
    let total = (THREADS * PER_THREAD + cloudstack_inserts) as i64;
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) FROM vm_instance").unwrap(),
        total
    );
    assert_eq!(
        count(&mut conn, "SELECT COUNT(DISTINCT id) FROM vm_instance").unwrap(),
        total
    );
    assert_eq!(
        count(&mut conn, "SELECT MAX(id) FROM vm_instance").unwrap(),
        total,
        "no id skipped"
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT value FROM sequence WHERE name = 'vm_instance_seq'"
        )
        .unwrap(),
        total + 1
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) FROM usage_event WHERE type = 'VM.CREATE'"
        )
        .unwrap(),
        (THREADS * PER_THREAD) as i64
    );
}

#[test]
fn a_failure_after_the_vm_row_leaves_nothing() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn);
    // Inject a real failure: the usage event insert, after vm_instance and user_vm, is refused.
    conn.batch_execute(
        "CREATE TRIGGER fail_usage BEFORE INSERT ON usage_event FOR EACH ROW \
         SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'",
    )
    .unwrap();
    let err = db
        .cloud()
        .transaction(|c| {
            Tx::run(c, db, None, |tx| {
                vms::create(tx, &common::vm_spec(zone.id, "doomed"))
            })
        })
        .unwrap_err();
    assert!(err.to_string().contains("injected failure"), "{err}");
    for table in ["vm_instance", "user_vm", "usage_event"] {
        assert_eq!(
            count(&mut conn, &format!("SELECT COUNT(*) FROM {table}")).unwrap(),
            0,
            "{table}"
        );
    }
    // Inside a caller's transaction too: the caller's work is rolled back with it.
    let err = db.cloud().transaction(|c| {
        c.batch_execute("INSERT INTO sequence (name, value) VALUES ('caller_seq', 1)")?;
        Tx::run(c, db, None, |tx| {
            vms::create(tx, &common::vm_spec(zone.id, "doomed-2"))
        })
    });
    assert!(err.is_err());
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) FROM sequence WHERE name = 'caller_seq'"
        )
        .unwrap(),
        0
    );
}

#[test]
fn pagination_walks_every_vm_once_while_rows_are_inserted() {
    let test = common::fresh();
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn);
    // 10 000 VMs of account 2 (plain SQL keeps the set-up fast; the list under test is the crate's).
    conn.batch_execute(&format!(
        "INSERT INTO vm_instance (id, name, instance_name, state, guest_os_id, vnc_password, created, type, vm_type, \
           account_id, domain_id, service_offering_id, data_center_id) \
         SELECT n, CONCAT('bulk-', n), CONCAT('i-2-', n, '-VM'), 'Stopped', 112, 'x', UTC_TIMESTAMP(), 'User', 'User', 2, 1, 1, {zone} \
           FROM (SELECT a.d * 1000 + b.d * 100 + c.d * 10 + e.d + 1 AS n \
                   FROM (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL \
                         SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) a, \
                        (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL \
                         SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b, \
                        (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL \
                         SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) c, \
                        (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL \
                         SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) e) numbers; \
         UPDATE sequence SET value = 10001 WHERE name = 'vm_instance_seq'",
        zone = zone.id
    ))
    .unwrap();
    let filter = VmFilter {
        account_id: Some(AccountId(2)),
        ..Default::default()
    };
    let first = vms::list(&mut conn, &filter, &PageRequest::first(100).with_total()).unwrap();
    assert_eq!(first.total, Some(10_000));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (db, stop) = (db.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 300 {
                db.cloud()
                    .transaction(|c| {
                        Tx::run(c, &db, None, |tx| {
                            vms::create(tx, &common::vm_spec(zone.id, &format!("late-{n}")))
                        })
                    })
                    .unwrap();
                n += 1;
            }
            n
        })
    };
    let mut seen: Vec<u64> = first.items.iter().map(|v| v.id.get()).collect();
    let mut next = first.next;
    let mut pages = 1;
    while let Some(cursor) = next {
        let page = vms::list(&mut conn, &filter, &PageRequest::after(cursor, 100)).unwrap();
        seen.extend(page.items.iter().map(|v| v.id.get()));
        next = page.next;
        pages += 1;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let inserted = writer.join().unwrap();
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing: no row repeated"
    );
    let initial: Vec<u64> = seen.iter().copied().filter(|id| *id <= 10_000).collect();
    assert_eq!(
        initial,
        (1..=10_000).collect::<Vec<u64>>(),
        "no initial row missed"
    );
    assert!(seen.len() <= 10_000 + inserted);
    assert!(pages >= 100);
    // A cursor is opaque text and survives a round trip; a bad one is a typed error.
    let token = PageRequest::after(cloudstack_db::repo::Cursor::after_id(5), 1)
        .after
        .unwrap()
        .to_string();
    assert_eq!(
        cloudstack_db::repo::Cursor::parse(&token)
            .unwrap()
            .last_id(),
        5
    );
    assert!(matches!(
        cloudstack_db::repo::Cursor::parse("garbage!"),
        Err(Error::InvalidValue { .. })
    ));
    let _ = Secret::default();
}
