//! Job claims per second with 1, 2, 4, 8 and 16 workers (each a "management server"), each with
//! a connection of its own (`own_connection`: the server runs that many transactions at once) and
//! all sharing one pool of twice the machine's cores in connections (`shared_pool`). The single claim and the bulk event insert beside a raw client are in
//! `query_paths`.
//!
//! `cargo bench --bench jobs_and_events`

use cloudstack_db::db::Tx;
use std::time::{Duration, Instant};

use cloudstack_db::Database;
use cloudstack_db::db::PoolSettings;
use cloudstack_db::jobs::JobStatus;
use cloudstack_db::jobs::queue::{self, JobSpec};
use cloudstack_db::types::{AccountId, JobId, UserId};
use cloudstack_db_testing::TestDatabases;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use diesel::connection::SimpleConnection;

const JOBS: usize = 1000;

fn spec(i: usize) -> JobSpec {
    JobSpec {
        cmd: "org.apache.cloudstack.api.command.user.vm.StartVMCmd".into(),
        cmd_info: format!("{{\"id\":{i}}}"),
        user_id: UserId(2),
        account_id: AccountId(2),
        instance_type: Some("VirtualMachine".into()),
        instance_id: Some(i as u64),
        init_msid: 1,
        dispatcher: None,
    }
}

fn job_claims(c: &mut Criterion) {
    let test = TestDatabases::with_pool(cloudstack_db::db::PoolSettings {
        max_size: 18,
        ..cloudstack_db_testing::test_pool_settings()
    })
    .expect("test databases");
    let db = test.database().clone();
    let mut group = c.benchmark_group("job_claims");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(JOBS as u64));
    let shared = Database::connect(&test.config_with(PoolSettings {
        max_size: 2 * std::thread::available_parallelism().map_or(2, |n| n.get() as u32),
        ..cloudstack_db_testing::test_pool_settings()
    }))
    .expect("the shared pool");
    for (way, pool) in [("own_connection", None), ("shared_pool", Some(&shared))] {
        for workers in [1usize, 2, 4, 8, 16] {
            group.bench_function(format!("{way}/{workers}_workers"), |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        db.cloud()
                            .transaction(|conn| {
                                for i in 0..JOBS {
                                    Tx::run(conn, &db, None, |tx| queue::submit(tx, &spec(i)))?;
                                }
                                Ok(())
                            })
                            .unwrap();
                        let started = Instant::now();
                        std::thread::scope(|s| {
                            for w in 0..workers {
                                let db = db.clone();
                                s.spawn(move || work_off(&db, pool, 100 + w as i64));
                            }
                        });
                        total += started.elapsed();
                        db.cloud()
                            .run(|c| Ok(c.batch_execute("DELETE FROM async_job")?))
                            .unwrap();
                    }
                    total
                })
            });
        }
    }
    group.finish();
}

/// Claims and completes jobs as server `msid` until none is left: on a connection held for the
/// whole run, or (with `shared`) a connection of the shared pool for each transaction.
fn work_off(db: &Database, shared: Option<&Database>, msid: i64) {
    let mut own = match shared {
        None => Some(db.cloud().get().unwrap()),
        Some(_) => None,
    };
    let mut write = |f: &mut dyn FnMut(&mut Tx<'_>) -> cloudstack_db::Result<Option<JobId>>| {
        loop {
            let done = match (&mut own, shared) {
                (Some(conn), _) => Tx::run(conn, db, None, &mut *f),
                (None, Some(pool)) => pool.write(&mut *f),
                (None, None) => unreachable!(),
            };
            match done {
                // A deadlock victim was rolled back whole: the caller runs it again.
                Err(e) if e.is_retryable() => continue,
                other => break other.unwrap(),
            }
        }
    };
    while let Some(job) = write(&mut |tx| Ok(queue::claim_next(tx, msid)?.map(|j| j.id))) {
        write(&mut |tx| {
            queue::complete(tx, job, msid, JobStatus::Succeeded, 0, None)?;
            Ok(None)
        });
    }
}

criterion_group!(benches, job_claims);
criterion_main!(benches);
