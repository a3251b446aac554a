//! A three-node MariaDB Galera cluster (galera-4) on 127.0.0.1: the concurrency workload runs
//! against all three nodes at once and one node is SIGKILLed mid-run.

use cloudstack_db::db::Tx;
use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cloudstack_db::compute::{VmEvent, VmState, vms};
use cloudstack_db::db::{DatabaseConfig, PoolSettings, RetryPolicy};
use cloudstack_db::events::{EventLevel, log};
use cloudstack_db::jobs::JobStatus;
use cloudstack_db::jobs::queue::{self, JobSpec};
use cloudstack_db::network::public_ips::{self, AllocateRequest};
use cloudstack_db::types::*;
use cloudstack_db::{Database, Error};
use cloudstack_db_testing::{LocalServer, count, free_port, test_pool_settings};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

const PROVIDER: &str = "/usr/lib/galera/libgalera_smm.so";

/// Three Galera nodes, stopped when dropped.
pub struct Cluster {
    pub nodes: Vec<LocalServer>,
}

#[derive(QueryableByName)]
struct Status {
    #[diesel(sql_type = diesel::sql_types::Text)]
    state: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    size: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    status: String,
}

impl Cluster {
    pub fn start() -> Self {
        let ports = |_| free_port().unwrap();
        let group: Vec<u16> = (0..3).map(ports).collect();
        let ist: Vec<u16> = (0..3).map(ports).collect();
        let sst: Vec<u16> = (0..3).map(ports).collect();
        let address = group
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut nodes: Vec<LocalServer> = (0..3)
            .map(|i| {
                let options = [
                    "wsrep_on=ON".to_owned(),
                    format!("wsrep_provider={PROVIDER}"),
                    format!("wsrep_cluster_address=gcomm://{address}"),
                    format!(
                        "wsrep_provider_options=gmcast.listen_addr=tcp://127.0.0.1:{};\
                         ist.recv_addr=127.0.0.1:{};gcache.size=32M;\
                         evs.keepalive_period=PT0.5S;evs.inactive_check_period=PT0.5S;\
                         evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT6S",
                        group[i], ist[i]
                    ),
                    format!("wsrep_sst_receive_address=127.0.0.1:{}", sst[i]),
                    "wsrep_sst_method=rsync".into(),
                    format!("wsrep_node_name=node{i}"),
                    "binlog_format=ROW".into(),
                    "default_storage_engine=InnoDB".into(),
                    "innodb_autoinc_lock_mode=2".into(),
                ];
                let options: Vec<&str> = options.iter().map(String::as_str).collect();
                // Only the first node gets a data directory; the others receive it by SST.
                LocalServer::create(&options, i == 0).unwrap()
            })
            .collect();
        nodes[0].launch(&["--wsrep-new-cluster"], true).unwrap();
        wait_synced(&nodes[0], 1);
        for (i, node) in nodes.iter_mut().enumerate().skip(1) {
            // A joiner that lost the race for membership exits; it is started again once.
            if let Err(first) = node.launch(&[], true) {
                eprintln!("galera joiner {i} exited while starting, starting it again: {first}");
                node.launch(&[], true).unwrap();
            }
            wait_synced(node, i + 1);
        }
        Self { nodes }
    }
}

/// Polls until `node` is Synced in a Primary component of `size` nodes.
fn wait_synced(node: &LocalServer, size: usize) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let status = node.admin_connection().ok().and_then(|mut c| {
            diesel::sql_query(
                "SELECT \
                 (SELECT variable_value FROM information_schema.global_status WHERE variable_name = 'WSREP_LOCAL_STATE_COMMENT') AS state, \
                 (SELECT variable_value FROM information_schema.global_status WHERE variable_name = 'WSREP_CLUSTER_SIZE') AS size, \
                 (SELECT variable_value FROM information_schema.global_status WHERE variable_name = 'WSREP_CLUSTER_STATUS') AS status",
            )
            .get_result::<Status>(&mut c)
            .ok()
        });
        if let Some(s) = &status {
            if s.state == "Synced" && s.size == size.to_string() && s.status == "Primary" {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "node on port {} never synced in a cluster of {size}: {:?}\n{}",
            node.port(),
            status.map(|s| (s.state, s.size, s.status)),
            node.error_log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Set when a worker fails, so the others stop instead of running on.
static ABANDONED: AtomicBool = AtomicBool::new(false);

/// Sets [`ABANDONED`] when the worker holding it panics.
struct AbandonOnPanic;

impl Drop for AbandonOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            ABANDONED.store(true, Ordering::SeqCst);
        }
    }
}

/// The outcome of an operation that was run until it settled.
enum Settled<T> {
    Done(T),
    /// The connection died during COMMIT: it may or may not have happened.
    Unknown,
}

/// Runs `op` (a read, or writes in one transaction) until it succeeds, retrying what certainly
/// did not happen (Galera conflicts,
/// deadlocks, a node that is gone or not ready); a COMMIT of unknown fate is reported as such.
fn settle<T>(mut op: impl FnMut() -> Result<T, Error>) -> Settled<T> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        assert!(!ABANDONED.load(Ordering::SeqCst), "another worker failed");
        match op() {
            Ok(value) => return Settled::Done(value),
            Err(Error::CommitUnknown { .. }) => return Settled::Unknown,
            Err(err)
                if err.is_retryable()
                    || matches!(
                        err,
                        Error::ConnectionLost { .. }
                            | Error::Connect(_)
                            | Error::PoolTimeout { .. }
                    ) =>
            {
                assert!(Instant::now() < deadline, "never settled: {err}");
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(other) => panic!("untyped or unexpected failure: {other:?}"),
        }
    }
}

#[derive(Default)]
struct Seen {
    events: Vec<String>,
    unknown_events: Vec<String>,
    own_vm: Option<(VmId, u64, u64)>,
    shared_wins: Vec<u64>,
    shared_unknown: u64,
    claimed: Vec<JobId>,
    unknown: u64,
    /// The servers this thread's events were written on.
    ports: HashSet<u16>,
}

const THREADS: usize = 6;
const ROUNDS: usize = 16;

#[test]
fn the_mixed_workload_on_three_nodes_survives_losing_one_and_loses_nothing() {
    let _serial = crate::one_at_a_time();
    crate::log_to_file();
    let mut cluster = Cluster::start();
    let root = cluster.nodes[0]
        .migrated_databases(PoolSettings {
            max_size: 6,
            connection_timeout: Duration::from_secs(3),
            ..test_pool_settings()
        })
        .unwrap();
    let ports: Vec<u16> = cluster.nodes.iter().map(LocalServer::port).collect();
    // Every node's pool fails over to the other two.
    let databases: Vec<Database> = (0..3)
        .map(|i| {
            let mut config: DatabaseConfig = root.clone();
            for pool in [&mut config.cloud, &mut config.usage] {
                pool.target.port = ports[i];
                // A node that stops answering — a killed peer's connections, or a session
                // Galera aborted that never replies (seen: 'Killed' in the processlist with the
                // client waiting) — is a typed error after 10 s, and the call is retried.
                pool.target.client.read_timeout = Duration::from_secs(10);
                pool.target.client.write_timeout = Duration::from_secs(10);
                pool.target.client.connect_timeout = Duration::from_secs(3);
                pool.failover_hosts = (1..3)
                    .map(|k| ("127.0.0.1".to_owned(), ports[(i + k) % 3]))
                    .collect();
            }
            Database::connect(&config).unwrap()
        })
        .collect();
    let setup = &databases[0];
    let (zone, shared_vm, own_vms) = {
        let conn = &mut *setup.cloud().get().unwrap();
        // Galera needs a primary key on every table.
        assert_eq!(
            count(
                conn,
                "SELECT COUNT(*) FROM information_schema.tables t WHERE t.table_schema IN ('cloud', 'cloud_usage') \
                 AND t.table_type = 'BASE TABLE' AND NOT EXISTS (SELECT 1 FROM information_schema.table_constraints c \
                 WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.constraint_type = 'PRIMARY KEY')"
            )
            .unwrap(),
            0
        );
        let zone = crate::common::zone(conn).id;
        let _range = Tx::run(conn, setup, None, |tx| {
            cloudstack_db_testing::public_range(
                tx,
                zone,
                "10.40.0.10".parse().unwrap(),
                "10.40.0.60".parse().unwrap(),
                "255.255.255.0".parse().unwrap(),
            )
        });
        let mut make = |name: &str| {
            Tx::run(conn, setup, None, |tx| {
                vms::create(tx, &crate::common::vm_spec(zone, name))
            })
            .unwrap()
            .instance
            .id
        };
        let shared = make("shared");
        let own: Vec<VmId> = (0..THREADS).map(|t| make(&format!("own-{t}"))).collect();
        (zone, shared, own)
    };
    let policy = RetryPolicy {
        max_attempts: 8,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(200),
    };
    let held = Mutex::new(HashSet::new());
    let (progress, rounds_done) = mpsc::channel::<()>();
    // A worker that reaches three quarters of its rounds before node 2 is killed waits for the
    // kill, so every worker also writes after it (a fast worker could otherwise finish first).
    let killed = (Mutex::new(false), std::sync::Condvar::new());
    let seen: Vec<Seen> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let db = &databases[t % 3];
                let (policy, held, progress, killed) = (&policy, &held, progress.clone(), &killed);
                let own = own_vms[t];
                s.spawn(move || {
                    let _abandon = AbandonOnPanic;
                    let mut seen = Seen::default();
                    let mut own_done = 0;
                    let mut own_unknown = 0;
                    for r in 0..ROUNDS {
                        if r == ROUNDS * 3 / 4 {
                            let (lock, cvar) = killed;
                            let mut done = lock.lock().unwrap();
                            while !*done {
                                done = cvar.wait(done).unwrap();
                            }
                        }
                        // An event.
                        let name = format!("t{t}-r{r}");
                        match settle(|| {
                            db.cloud().transaction_with_retry(policy, |c| {
                                Tx::run(c, &db, None, |tx| log::record(tx, event(&name)))?;
                                crate::replication::port_of(c)
                            })
                        }) {
                            Settled::Done(port) => {
                                seen.events.push(name);
                                seen.ports.insert(port);
                            }
                            Settled::Unknown => seen.unknown_events.push(name),
                        }
                        // The thread's own VM one step further (read and changed in one
                        // transaction, so a retry starts from what is stored).
                        match settle(|| {
                            db.cloud().transaction_with_retry(policy, |c| {
                                let vm = vms::find(c, own)?.instance;
                                let (e, host) = next_step(vm.state);
                                Tx::run(c, &db, None, |tx| vms::transition(tx, &vm, e, host))
                            })
                        }) {
                            Settled::Done(_) => own_done += 1,
                            Settled::Unknown => own_unknown += 1,
                        }
                        // Everyone races for the shared VM from what they read.
                        let current = match settle(|| db.cloud().run(|c| vms::find(c, shared_vm))) {
                            Settled::Done(row) => row.instance,
                            Settled::Unknown => unreachable!("a read has no COMMIT"),
                        };
                        let (e, host) = match current.state {
                            VmState::Stopped => (VmEvent::StartRequested, Some(Some(1))),
                            _ => (VmEvent::OperationFailed, Some(None)),
                        };
                        match settle(|| {
                            match db.cloud().transaction_with_retry(policy, |c| {
                                Tx::run(c, &db, None, |tx| vms::transition(tx, &current, e, host))
                            }) {
                                Ok(after) if after.update_count == current.update_count + 1 => {
                                    Ok(Some(after.update_count))
                                }
                                // Already where it was going (another caller won): not a win.
                                Ok(_) | Err(Error::StaleState { .. }) => Ok(None),
                                Err(other) => Err(other),
                            }
                        }) {
                            Settled::Done(Some(count)) => seen.shared_wins.push(count),
                            Settled::Done(None) => {}
                            Settled::Unknown => seen.shared_unknown += 1,
                        }
                        // An address, held by exactly one worker for the rest of the round (the
                        // job work below): another worker handed the same address meanwhile
                        // finds it in `held`.
                        let request = AllocateRequest::for_account(zone, AccountId(2), DomainId(1));
                        let holding = match settle(|| {
                            db.cloud().transaction_with_retry(policy, |c| {
                                Tx::run(c, &db, None, |tx| public_ips::allocate(tx, &request))
                            })
                        }) {
                            Settled::Done(ip) => {
                                assert!(
                                    held.lock().unwrap().insert(ip.id),
                                    "address {} handed out twice",
                                    ip.public_ip_address
                                );
                                Some(ip)
                            }
                            Settled::Unknown => {
                                seen.unknown += 1;
                                None
                            }
                        };
                        // A job submitted, one claimed and completed.
                        if let Settled::Unknown = settle(|| {
                            db.cloud().transaction_with_retry(policy, |c| {
                                Tx::run(c, &db, None, |tx| queue::submit(tx, &job(t, r)))
                                    .map(|_| ())
                            })
                        }) {
                            seen.unknown += 1;
                        }
                        let msid = 100 + t as i64;
                        match settle(|| {
                            db.cloud().transaction_with_retry(policy, |c| {
                                Tx::run(c, &db, None, |tx| queue::claim_next(tx, msid))
                            })
                        }) {
                            Settled::Done(Some(job)) => {
                                seen.claimed.push(job.id);
                                let _ = settle(|| {
                                    db.cloud().transaction_with_retry(policy, |c| {
                                        Tx::run(c, &db, None, |tx| {
                                            queue::complete(
                                                tx,
                                                job.id,
                                                msid,
                                                JobStatus::Succeeded,
                                                0,
                                                Some("{}"),
                                            )
                                        })
                                        .map(|_| ())
                                    })
                                });
                            }
                            Settled::Done(None) => {}
                            Settled::Unknown => seen.unknown += 1,
                        }
                        // Let the address go: out of `held` first, since once released another
                        // worker may rightly be handed it.
                        if let Some(ip) = holding {
                            held.lock().unwrap().remove(&ip.id);
                            if let Settled::Unknown = settle(|| {
                                db.cloud().transaction_with_retry(policy, |c| {
                                    Tx::run(c, &db, None, |tx| public_ips::release(tx, &ip))
                                        .map(|_| ())
                                })
                            }) {
                                seen.unknown += 1;
                            }
                        }
                        let _ = progress.send(());
                    }
                    seen.own_vm = Some((own, own_done, own_unknown));
                    seen
                })
            })
            .collect();
        drop(progress);
        // Halfway through, node 2 dies.
        for _ in 0..(THREADS * ROUNDS / 2) {
            if rounds_done.recv_timeout(Duration::from_secs(120)).is_err() {
                ABANDONED.store(true, Ordering::SeqCst);
                break;
            }
        }
        cluster.nodes[2].kill();
        *killed.0.lock().unwrap() = true;
        killed.1.notify_all();
        // The rest of the rounds, with a bound: a call that never returns (no client read
        // timeout can be set through Diesel) must fail the test, not hang CI.
        let deadline = Instant::now() + Duration::from_secs(90);
        while workers.iter().any(|w| !w.is_finished()) {
            if Instant::now() > deadline {
                use std::io::Write;
                let mut err = std::io::stderr();
                let _ = writeln!(
                    err,
                    "galera workload did not finish within 90 s after the node loss"
                );
                crate::common::dump_thread_stacks();
                for node in cluster.nodes.iter_mut() {
                    let _ = writeln!(
                        err,
                        "--- node on port {}:\n{}",
                        node.port(),
                        node.error_log_tail()
                    );
                    if node.is_running() {
                        let _ = err.write_all(&crate::common::server_activity(node.port()));
                    }
                    node.kill();
                }
                std::process::exit(101);
            }
            let _ = rounds_done.recv_timeout(Duration::from_secs(1));
        }
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });

    // The threads of the killed node carried on on the others.
    for (t, s) in seen.iter().enumerate().filter(|(t, _)| t % 3 == 2) {
        assert!(
            s.ports.contains(&ports[2]) && s.ports.iter().any(|p| *p != ports[2]),
            "thread {t} wrote on {:?} (node 2 is {})",
            s.ports,
            ports[2]
        );
    }
    // Checked on a surviving node, with causal reads.
    let mut conn =
        MysqlConnection::establish(&format!("mysql://root@127.0.0.1:{}/cloud", ports[0])).unwrap();
    conn.batch_execute("SET SESSION wsrep_sync_wait = 1")
        .unwrap();
    let conn = &mut conn;
    let stored: HashSet<String> =
        diesel::sql_query("SELECT description AS text FROM event WHERE type = 'TEST.EVENT'")
            .load::<crate::replication::Text>(conn)
            .unwrap()
            .into_iter()
            .map(|r| r.text)
            .collect();
    let stored_count = count(conn, "SELECT COUNT(*) FROM event WHERE type = 'TEST.EVENT'").unwrap();
    assert_eq!(stored_count as usize, stored.len(), "no event stored twice");
    let unknown_events: HashSet<&String> = seen.iter().flat_map(|s| &s.unknown_events).collect();
    for s in &seen {
        for name in &s.events {
            assert!(stored.contains(name), "committed event {name} lost");
        }
    }
    let committed: HashSet<&String> = seen.iter().flat_map(|s| &s.events).collect();
    for name in &stored {
        assert!(
            committed.contains(name) || unknown_events.contains(name),
            "{name} stored but reported failed"
        );
    }
    // No lost update_count increment: each thread's VM moved once per reported step.
    for s in &seen {
        let (id, done, unknown) = s.own_vm.expect("set by the worker");
        let stored = count(
            conn,
            &format!(
                "SELECT CAST(update_count AS SIGNED) FROM vm_instance WHERE id = {}",
                id.get()
            ),
        )
        .unwrap() as u64;
        assert!(
            stored >= done && stored <= done + unknown,
            "vm {id}: {stored} changes stored, {done} reported (+{unknown} unknown)"
        );
    }
    // The shared VM: every increment stored was reported by a caller (a caller that finds the
    // VM already where it was going is told the winner's count, so a count may be reported
    // twice), and none reported is beyond what is stored: no increment lost.
    let reported: HashSet<u64> = seen
        .iter()
        .flat_map(|s| s.shared_wins.iter().copied())
        .collect();
    let shared = count(
        conn,
        &format!(
            "SELECT CAST(update_count AS SIGNED) FROM vm_instance WHERE id = {}",
            shared_vm.get()
        ),
    )
    .unwrap() as u64;
    let shared_unknown: u64 = seen.iter().map(|s| s.shared_unknown).sum();
    let missing = (1..=shared).filter(|n| !reported.contains(n)).count() as u64;
    assert!(
        missing <= shared_unknown && reported.iter().all(|n| *n <= shared),
        "shared vm: {shared} changes stored, reported {reported:?} (+{shared_unknown} unknown)"
    );
    let wins = reported;
    // No job run twice.
    let claimed: Vec<JobId> = seen
        .iter()
        .flat_map(|s| s.claimed.iter().copied())
        .collect();
    let distinct_jobs: HashSet<JobId> = claimed.iter().copied().collect();
    assert_eq!(
        claimed.len(),
        distinct_jobs.len(),
        "a job was claimed twice"
    );
    // Every address the workers reported released is free again.
    let unknown: u64 = seen.iter().map(|s| s.unknown).sum();
    let still_allocated = count(
        conn,
        "SELECT COUNT(*) FROM user_ip_address WHERE allocated IS NOT NULL",
    )
    .unwrap() as u64;
    assert!(
        still_allocated <= unknown,
        "{still_allocated} addresses still allocated"
    );
    // The other survivor has the same rows, read through a pool whose sessions wait for the
    // cluster to catch up (`wsrep_sync_wait=1`, as a session that needs its writes everywhere).
    let mut causal = root.clone();
    causal.cloud.target.port = ports[1];
    causal
        .cloud
        .session
        .extra_variables
        .push(("wsrep_sync_wait".into(), "1".into()));
    let survivor = Database::connect(&causal).unwrap();
    let other = &mut *survivor.cloud().get().unwrap();
    assert_eq!(
        count(other, "SELECT CAST(@@session.wsrep_sync_wait AS SIGNED)").unwrap(),
        1
    );
    for table in ["event", "vm_instance", "async_job", "usage_event"] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        assert_eq!(
            count(conn, &sql).unwrap(),
            count(other, &sql).unwrap(),
            "{table}"
        );
    }
    eprintln!(
        "galera: {} events, {} shared wins, {} jobs claimed, {} unknown outcomes",
        stored.len(),
        wins.len(),
        claimed.len(),
        unknown + shared_unknown + unknown_events.len() as u64
    );
}

/// The next step of a VM's start/stop cycle.
fn next_step(state: VmState) -> (VmEvent, Option<Option<u64>>) {
    match state {
        VmState::Stopped => (VmEvent::StartRequested, Some(Some(1))),
        VmState::Starting => (VmEvent::OperationSucceeded, None),
        VmState::Running => (VmEvent::StopRequested, None),
        _ => (VmEvent::OperationSucceeded, Some(None)),
    }
}

fn event(description: &str) -> cloudstack_db::events::NewEvent {
    log::event(
        "TEST.EVENT",
        description,
        UserId(2),
        AccountId(2),
        DomainId(1),
        EventLevel::Info,
    )
}

fn job(thread: usize, round: usize) -> JobSpec {
    JobSpec::new(
        "Cmd",
        format!("{{\"thread\":{thread},\"round\":{round}}}"),
        UserId(2),
        AccountId(2),
        1,
    )
}
