//! Public IP allocations per second with 1, 2, 4, 8 and 16 allocating threads (each with its own
//! connection) on one range of 2 000 addresses.
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
    Tx::run(&mut conn, &db, None, |tx| {
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
}

criterion_group!(benches, allocations);
criterion_main!(benches);
