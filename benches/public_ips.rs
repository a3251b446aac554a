//! Public IP allocations per second with 1, 2, 4, 8 and 16 allocating threads (each with its own
//! connection) on one range of 2 000 addresses; and a range of 16 384 addresses created in one
//! call (a bulk write: addresses per second).
//!
//! `cargo bench --bench public_ips`

use cloudstack_db::db::Tx;
use std::time::{Duration, Instant};

use cloudstack_db::Error;
use cloudstack_db::catalog::NewDataCenter;
use cloudstack_db::catalog::zones;
use cloudstack_db::network::public_ips::{self, AllocateRequest};
use cloudstack_db::types::{AccountId, DomainId};
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
    for threads in [1usize, 2, 4, 8, 16] {
        group.bench_function(format!("allocate_until_exhausted/{threads}_threads"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let started = Instant::now();
                    std::thread::scope(|s| {
                        for _ in 0..threads {
                            let (db, request) = (db.clone(), request.clone());
                            s.spawn(move || {
                                let mut conn = db.cloud().get().unwrap();
                                loop {
                                    match Tx::run(&mut conn, &db, None, |tx| public_ips::allocate(tx, &request)) {
                                        Ok(_) => {}
                                        Err(Error::Exhausted { .. }) => break,
                                        Err(e) => panic!("{e}"),
                                    }
                                }
                            });
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

/// Addresses in the bulk-created range.
const RANGE: u64 = 16_384;

criterion_group!(benches, allocations);
criterion_main!(benches);
