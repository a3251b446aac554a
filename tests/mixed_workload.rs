//! Many threads mixing every kind of write at once — VM deployments and state changes, public
//! address allocation, job claims, event writes — then invariants checked by SQL: nothing lost,
//! nothing done twice, every usage event matching its change, sequences ahead of their ids.
//!
//! Soak mode: `CSDB_SOAK_MINUTES=30 cargo test --test mixed_workload -- --nocapture` runs the
//! same workload for that long instead of a fixed number of rounds, then checks the same
//! invariants.

mod common;

use cloudstack_db::db::Tx;
use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cloudstack_db::compute::{VmEvent, VmState, vms};
use cloudstack_db::events::{EventLevel, log};
use cloudstack_db::jobs::JobStatus;
use cloudstack_db::jobs::queue::{self, JobSpec};
use cloudstack_db::network::public_ips::{self, AllocateRequest};
use cloudstack_db::storage::VolumeType;
use cloudstack_db::storage::volumes::{self, VolumeSpec};
use cloudstack_db::types::ProvisioningType;
use cloudstack_db::types::*;
use cloudstack_db::{Error, db::PoolSettings};
use cloudstack_db_testing::{TestDatabases, count, test_pool_settings};

const THREADS: usize = 8;
/// Rounds per thread in a normal run.
const ROUNDS: usize = 25;
/// Addresses a thread keeps at most (the test range has 41; 8 threads × 4 leaves room).
const KEPT_PER_THREAD: usize = 4;

/// How long to run: a fixed number of rounds, or until a deadline (soak mode).
#[derive(Clone, Copy)]
enum Length {
    Rounds(usize),
    Until(Instant),
}

impl Length {
    fn from_env() -> Self {
        match std::env::var("CSDB_SOAK_MINUTES")
            .ok()
            .and_then(|m| m.parse::<u64>().ok())
        {
            Some(minutes) if minutes > 0 => {
                Length::Until(Instant::now() + Duration::from_secs(minutes * 60))
            }
            _ => Length::Rounds(ROUNDS),
        }
    }

    /// Whether the workload goes on after `finished` rounds (decided by one thread for all).
    fn goes_on(self, finished: usize) -> bool {
        match self {
            Length::Rounds(n) => finished < n,
            Length::Until(deadline) => Instant::now() < deadline,
        }
    }
}

#[derive(Default)]
struct Done {
    vms: Vec<(VmId, u64)>,
    starts: u64,
    stops: u64,
    assigns: u64,
    releases: u64,
    claimed: Vec<JobId>,
    submitted: u64,
    events: u64,
    /// Races for the shared VM this thread lost, told so (`StaleState`).
    stale: u64,
    /// Races for the shared VM that answered success (the winner, or the VM already there).
    shared_ok: u64,
}

#[test]
fn a_mixed_workload_loses_nothing_and_does_nothing_twice() {
    common::log_to_file();
    let test = TestDatabases::with_pool(PoolSettings {
        max_size: 12,
        ..test_pool_settings()
    })
    .unwrap();
    let db = test.database();
    let (zone, shared_vm) = {
        let conn = &mut *db.cloud().get().unwrap();
        let zone = common::zone(conn).id;
        common::public_range(conn, db, zone);
        let vm = Tx::run(conn, db, None, |tx| {
            vms::create(tx, &common::vm_spec(zone, "shared"))
        })
        .unwrap()
        .instance;
        (zone, vm.id)
    };
    // The update counts the shared VM's transitions returned: a call that finds the VM already
    // where it was going succeeds with the winner's count, so each real change is one value.
    let shared_changes = Mutex::new(HashSet::new());
    // Each round, every thread reads the shared VM, then all try the same change at once.
    let race = std::sync::Barrier::new(THREADS);
    let length = Length::from_env();
    let going_on = AtomicBool::new(length.goes_on(0));
    let done: Vec<Done> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let (shared_changes, race, going_on) = (&shared_changes, &race, &going_on);
                s.spawn(move || {
                    let mut d = Done::default();
                    let mut kept = std::collections::VecDeque::new();
                    let mut r = 0;
                    while going_on.load(Ordering::SeqCst) {
                        // A deployment with its ROOT volume, then a start and a stop.
                        let spec = common::vm_spec(zone, &format!("vm-{t}-{r}"));
                        let root = VolumeSpec {
                            name: format!("ROOT-{t}-{r}"),
                            account_id: AccountId(2),
                            domain_id: DomainId(1),
                            zone_id: zone,
                            volume_type: VolumeType::Root,
                            disk_offering_id: DiskOfferingId(1),
                            template_id: Some(TemplateId(4)),
                            size: 1 << 30,
                            instance_id: None,
                            device_id: Some(0),
                            format: None,
                            provisioning_type: ProvisioningType::Thin,
                            display_volume: true,
                        };
                        let deployed = db
                            .write(|tx| {
                                let vm = vms::create(tx, &spec)?;
                                volumes::create(tx, &vm.attached(&root))?;
                                Ok(vm)
                            })
                            .unwrap();
                        let mut vm = deployed.instance;
                        for (e, host) in [
                            (VmEvent::StartRequested, Some(Some(1))),
                            (VmEvent::OperationSucceeded, None),
                            (VmEvent::StopRequested, None),
                            (VmEvent::OperationSucceeded, Some(None)),
                        ] {
                            vm = db
                                .cloud()
                                .run(|c| {
                                    Tx::run(c, &db, None, |tx| vms::transition(tx, &vm, e, host))
                                })
                                .unwrap();
                        }
                        d.starts += 1;
                        d.stops += 1;
                        d.vms.push((vm.id, vm.update_count));

                        // Everyone fights over one VM: one change a round, whoever wins.
                        let current = db
                            .cloud()
                            .run(|c| vms::find(c, shared_vm))
                            .unwrap()
                            .instance;
                        race.wait();
                        // Round by round around the whole cycle, so two of every four
                        // changes write a usage event: a change made more than once (an
                        // unguarded UPDATE) would write it more than once.
                        let (event, host) = match current.state {
                            VmState::Stopped => (VmEvent::StartRequested, Some(Some(1))),
                            VmState::Starting => (VmEvent::OperationSucceeded, None),
                            VmState::Running => (VmEvent::StopRequested, None),
                            VmState::Stopping => (VmEvent::OperationSucceeded, Some(None)),
                            other => panic!("shared VM in {other}"),
                        };
                        match db.cloud().run(|c| {
                            Tx::run(c, &db, None, |tx| {
                                vms::transition(tx, &current, event, host)
                            })
                        }) {
                            Ok(after) => {
                                shared_changes.lock().unwrap().insert(after.update_count);
                                d.shared_ok += 1;
                            }
                            Err(Error::StaleState { .. }) => d.stale += 1,
                            Err(other) => panic!("{other}"),
                        }
                        if race.wait().is_leader() {
                            going_on.store(length.goes_on(r + 1), Ordering::SeqCst);
                        }
                        race.wait();

                        // An address for a moment.
                        let request = AllocateRequest::for_account(zone, AccountId(2), DomainId(1));
                        let ip = db.write(|tx| public_ips::allocate(tx, &request)).unwrap();
                        d.assigns += 1;
                        // Some are kept a while (the range has 41 addresses).
                        if r % 8 == 0 {
                            kept.push_back(ip);
                        } else {
                            db.write(|tx| public_ips::release(tx, &ip)).unwrap();
                            d.releases += 1;
                        }
                        if kept.len() > KEPT_PER_THREAD {
                            let oldest = kept.pop_front().expect("more than the limit");
                            db.cloud()
                                .run(|c| {
                                    Tx::run(c, &db, None, |tx| public_ips::release(tx, &oldest))
                                })
                                .unwrap();
                            d.releases += 1;
                        }

                        // A job submitted, one claimed (anyone's), and an event.
                        db.write(|tx| queue::submit(tx, &job_spec(t, r))).unwrap();
                        d.submitted += 1;
                        if let Some(job) = db
                            .cloud()
                            .run(|c| {
                                Tx::run(c, &db, None, |tx| queue::claim_next(tx, t as i64 + 100))
                            })
                            .unwrap()
                        {
                            db.cloud()
                                .run(|c| {
                                    Tx::run(c, &db, None, |tx| {
                                        queue::complete(
                                            tx,
                                            job.id,
                                            t as i64 + 100,
                                            JobStatus::Succeeded,
                                            0,
                                            Some("{}"),
                                        )
                                    })
                                })
                                .unwrap();
                            d.claimed.push(job.id);
                        }
                        db.cloud()
                            .run(|c| {
                                Tx::run(c, &db, None, |tx| {
                                    log::record(
                                        tx,
                                        log::event(
                                            "VM.STOP",
                                            "mixed",
                                            UserId(2),
                                            AccountId(2),
                                            DomainId(1),
                                            EventLevel::Info,
                                        ),
                                    )
                                })
                            })
                            .unwrap();
                        d.events += 1;
                        r += 1;
                    }
                    d
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });

    // Jobs still queued are claimed now, so every submitted job must have been claimed once.
    let mut drained = Vec::new();
    while let Some(job) = db.write(|tx| queue::claim_next(tx, 99)).unwrap() {
        db.cloud()
            .run(|c| {
                Tx::run(c, &db, None, |tx| {
                    queue::complete(tx, job.id, 99, JobStatus::Succeeded, 0, Some("{}"))
                })
            })
            .unwrap();
        drained.push(job.id);
    }
    let rounds = done.iter().map(|d| d.vms.len()).sum::<usize>() / THREADS;
    eprintln!("mixed workload: {rounds} rounds of {THREADS} threads");

    let conn = &mut *db.cloud().get().unwrap();
    let mut n = |sql: &str| count(conn, sql).unwrap() as u64;
    let sum = |f: fn(&Done) -> u64| done.iter().map(f).sum::<u64>();
    let vms_made = done.iter().map(|d| d.vms.len() as u64).sum::<u64>();

    // Every VM and volume exists once, with its creation events.
    assert_eq!(n("SELECT COUNT(*) FROM vm_instance"), vms_made + 1);
    assert_eq!(n("SELECT COUNT(*) FROM volumes"), vms_made);
    assert_eq!(
        n("SELECT COUNT(*) FROM usage_event WHERE type = 'VM.CREATE'"),
        vms_made + 1
    );
    assert_eq!(
        n("SELECT COUNT(*) FROM usage_event WHERE type = 'VOLUME.CREATE'"),
        vms_made
    );
    // No lost update_count increment: each VM's count is what its owner saw last.
    for d in &done {
        for (id, seen) in &d.vms {
            let stored = n(&format!(
                "SELECT CAST(update_count AS SIGNED) FROM vm_instance WHERE id = {}",
                id.get()
            ));
            assert_eq!(stored, *seen, "vm {id}");
        }
    }
    let shared = n(&format!(
        "SELECT CAST(update_count AS SIGNED) FROM vm_instance WHERE id = {}",
        shared_vm.get()
    ));
    let seen = shared_changes.lock().unwrap().clone();
    assert_eq!(
        seen,
        (1..=shared).collect::<HashSet<u64>>(),
        "every increment stored, none lost"
    );
    assert_eq!(
        shared, rounds as u64,
        "one change a round, the seven others lost the race"
    );
    assert_eq!(
        sum(|d| d.stale) + sum(|d| d.shared_ok),
        (THREADS * rounds) as u64,
        "every racer got an answer"
    );
    assert!(
        sum(|d| d.shared_ok) >= rounds as u64,
        "a winner every round"
    );
    // Round r moved the shared VM out of the r % 4-th state of Stopped, Starting, Running,
    // Stopping: VM.START in rounds 1, 5, ..., VM.STOP in rounds 3, 7, ..., each written once.
    let shared_events = |kind: &str| {
        format!(
            "SELECT COUNT(*) FROM usage_event WHERE type = '{kind}' AND resource_id = {}",
            shared_vm.get()
        )
    };
    assert_eq!(n(&shared_events("VM.START")), (rounds as u64 + 2) / 4);
    assert_eq!(n(&shared_events("VM.STOP")), rounds as u64 / 4);
    // Usage events of the other VMs match their changes.
    let others = |kind: &str| {
        format!(
            "SELECT COUNT(*) FROM usage_event WHERE type = '{kind}' AND resource_id <> {}",
            shared_vm.get()
        )
    };
    assert_eq!(n(&others("VM.START")), sum(|d| d.starts));
    assert_eq!(n(&others("VM.STOP")), sum(|d| d.stops));
    assert_eq!(
        n("SELECT COUNT(*) FROM usage_event WHERE type = 'NET.IPASSIGN'"),
        sum(|d| d.assigns)
    );
    assert_eq!(
        n("SELECT COUNT(*) FROM usage_event WHERE type = 'NET.IPRELEASE'"),
        sum(|d| d.releases)
    );
    // No address held twice: the allocated rows are exactly the unreleased ones, each distinct.
    assert_eq!(
        n("SELECT COUNT(*) FROM user_ip_address WHERE allocated IS NOT NULL"),
        sum(|d| d.assigns - d.releases)
    );
    assert_eq!(
        n(
            "SELECT COUNT(DISTINCT public_ip_address) FROM user_ip_address WHERE allocated IS NOT NULL"
        ),
        sum(|d| d.assigns - d.releases)
    );
    // No job run twice.
    let claimed: Vec<JobId> = done
        .iter()
        .flat_map(|d| d.claimed.iter().copied())
        .chain(drained)
        .collect();
    let distinct: HashSet<JobId> = claimed.iter().copied().collect();
    assert_eq!(claimed.len(), distinct.len());
    assert_eq!(
        claimed.len() as u64,
        sum(|d| d.submitted),
        "every submitted job claimed, each once"
    );
    assert_eq!(
        n("SELECT COUNT(*) FROM async_job WHERE job_status = 1"),
        claimed.len() as u64
    );
    assert_eq!(
        n("SELECT COUNT(*) FROM event WHERE description = 'mixed'"),
        sum(|d| d.events)
    );
    // Sequences are ahead of every id they handed out.
    assert!(
        n("SELECT CAST(value AS SIGNED) FROM sequence WHERE name = 'vm_instance_seq'")
            > n("SELECT CAST(MAX(id) AS SIGNED) FROM vm_instance")
    );
    assert!(
        n("SELECT CAST(value AS SIGNED) FROM sequence WHERE name = 'volume_seq'")
            > n("SELECT CAST(MAX(id) AS SIGNED) FROM volumes")
    );
    // Resource counts equal the live rows they count, for the account and for ROOT above it:
    // user VMs not destroyed, their CPUs, memory; volumes not removed (a destroyed data volume
    // is no longer counted) and their bytes.
    let live_vms = "FROM vm_instance v JOIN service_offering o ON o.id = v.service_offering_id \
                    WHERE v.account_id = 2 AND v.removed IS NULL AND v.display_vm = 1 \
                    AND v.type = 'User' AND v.state NOT IN ('Destroyed', 'Expunging', 'Error')";
    let live_volumes = "FROM volumes WHERE account_id = 2 AND removed IS NULL AND display_volume = 1 \
                        AND NOT (volume_type <> 'ROOT' AND state = 'Destroy')";
    for (ty, live) in [
        ("user_vm", format!("SELECT COUNT(*) {live_vms}")),
        (
            "cpu",
            format!("SELECT CAST(COALESCE(SUM(o.cpu), 0) AS SIGNED) {live_vms}"),
        ),
        (
            "memory",
            format!("SELECT CAST(COALESCE(SUM(o.ram_size), 0) AS SIGNED) {live_vms}"),
        ),
        ("volume", format!("SELECT COUNT(*) {live_volumes}")),
        (
            "primary_storage",
            format!("SELECT CAST(COALESCE(SUM(size), 0) AS SIGNED) {live_volumes}"),
        ),
    ] {
        let want = n(&live);
        for owner in ["account_id = 2", "domain_id = 1"] {
            assert_eq!(
                n(&format!(
                    "SELECT `count` FROM resource_count WHERE {owner} AND type = '{ty}' AND tag IS NULL"
                )),
                want,
                "{ty} of {owner}"
            );
        }
    }
}

fn job_spec(thread: usize, round: usize) -> JobSpec {
    JobSpec::new(
        "Cmd",
        format!("{{\"thread\":{thread},\"round\":{round}}}"),
        UserId(2),
        AccountId(2),
        1,
    )
}
