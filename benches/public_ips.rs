//! Public IP allocations per second with 1, 2, 4, 8 and 16 allocating threads on one range of
//! 2 000 addresses — each thread with a connection of its own (`own_connection`: the server runs
//! that many transactions at once), and all of them sharing one pool of twice the machine's
//! cores in connections (`shared_pool`: how a management server's threads use the crate) — and a range
//! of 16 384 addresses created in one call (a bulk write: addresses per second).
//!
//! `cargo bench --bench public_ips`

use cloudstack_db::db::Tx;
use std::time::{Duration, Instant};

use cloudstack_db::catalog::NewDataCenter;
use cloudstack_db::catalog::zones;
use cloudstack_db::db::PoolSettings;
use cloudstack_db::network::public_ips::{self, AllocateRequest};
use cloudstack_db::types::{AccountId, DomainId};
use cloudstack_db::{Database, Error};
use cloudstack_db_testing::TestDatabases;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use diesel::connection::SimpleConnection;

const ADDRESSES: u64 = 2000;

fn allocations(c: &mut Criterion) {
    let test = TestDatabases::with_pool(cloudstack_db::db::PoolSettings {
        max_size: 18,
        ..cloudstack_db_testing::test_pool_settings()
    })
    .expect("test databases");
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let zone = Tx::run(&mut conn, &db, None, |tx| {
        zones::create(
            tx,
            &NewDataCenter {
                name: Some("bench".into()),
                dns1: "8.8.8.8".into(),
                internal_dns1: "10.0.0.2".into(),
                ..Default::default()
            },
        )
    })
    .unwrap();
    let first = Tx::run(&mut conn, &db, None, |tx| {
        cloudstack_db_testing::public_range(
            tx,
            zone.id,
            "10.20.0.10".parse().unwrap(),
            "10.20.7.217".parse().unwrap(),
            "255.255.240.0".parse().unwrap(),
        )
    })
    .unwrap();
    drop(conn);
    let request = AllocateRequest::for_account(zone.id, AccountId(2), DomainId(1));
    let mut group = c.benchmark_group("public_ip_allocation");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15))
        .throughput(Throughput::Elements(ADDRESSES));
    let shared = Database::connect(&test.config_with(PoolSettings {
        max_size: shared_pool(),
        ..cloudstack_db_testing::test_pool_settings()
    }))
    .expect("the shared pool");
    for (way, pool) in [("own_connection", None), ("shared_pool", Some(&shared))] {
        for threads in [1usize, 2, 4, 8, 16] {
            group.bench_function(format!("{way}/{threads}_threads"), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let started = Instant::now();
                        std::thread::scope(|s| {
                            for _ in 0..threads {
                                let request = request.clone();
                                let db = db.clone();
                                s.spawn(move || allocate_until_exhausted(&db, pool, &request));
                            }
                        });
                        total += started.elapsed();
                        db.cloud()
                            .run(|c| {
                                Ok(c.batch_execute(
                                    "UPDATE user_ip_address SET state = 'Free', allocated = NULL, account_id = NULL, domain_id = NULL; \
                                     DELETE FROM usage_event",
                                )?)
                            })
                            .unwrap();
                    }
                    total
                })
            });
        }
    }
    group.finish();

    // 10.40.0.0 .. 10.40.63.255: 16 384 addresses, created, then deleted outside the timing.
    let spec = public_ips::RangeSpec {
        zone_id: zone.id,
        network_id: first.network_id,
        physical_network_id: first.physical_network_id,
        vlan_tag: "untagged".into(),
        gateway: "10.40.0.1".parse().unwrap(),
        netmask: "255.255.192.0".parse().unwrap(),
        start: "10.40.0.0".parse().unwrap(),
        end: "10.40.63.255".parse().unwrap(),
        ip6: None,
        vlan_type: cloudstack_db::network::VlanType::VirtualNetwork,
    };
    let mut group = c.benchmark_group("address_range");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15))
        .throughput(Throughput::Elements(RANGE));
    group.bench_function(format!("create_{RANGE}_addresses"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                let range = db.write(|tx| public_ips::create_range(tx, &spec)).unwrap();
                total += started.elapsed();
                db.write(|tx| public_ips::delete_range(tx, range.id))
                    .unwrap();
            }
            total
        })
    });
    group.finish();
}

/// Allocates until the range is exhausted: on a connection held for the whole run, or (with
/// `shared`) a connection of the shared pool for each allocation.
fn allocate_until_exhausted(db: &Database, shared: Option<&Database>, request: &AllocateRequest) {
    let allocate = |tx: &mut Tx<'_>| public_ips::allocate(tx, request);
    let mut own = match shared {
        None => Some(db.cloud().get().unwrap()),
        Some(_) => None,
    };
    loop {
        let done = match (&mut own, shared) {
            (Some(conn), _) => Tx::run(conn, db, None, allocate),
            (None, Some(pool)) => pool.write(allocate),
            (None, None) => unreachable!(),
        };
        match done {
            Ok(_) => {}
            Err(Error::Exhausted { .. }) => break,
            // A deadlock victim (InnoDB can still pick one among SKIP LOCKED pickers): its
            // transaction was rolled back whole, so the caller runs it again.
            Err(e) if e.is_retryable() => {}
            Err(e) => panic!("{e}"),
        }
    }
}

/// Connections in the shared pool: twice the cores of this machine, where the server runs.
fn shared_pool() -> u32 {
    2 * std::thread::available_parallelism().map_or(2, |n| n.get() as u32)
}

/// Addresses in the bulk-created range.
const RANGE: u64 = 16_384;

criterion_group!(benches, allocations);
criterion_main!(benches);
