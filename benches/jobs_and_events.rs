//! Job claims per second with 1, 2, 4, 8 and 16 workers (each a "management server" with its own
//! connection). The single claim and the bulk event insert beside a raw client are in
//! `query_paths`.
//!
//! `cargo bench --bench jobs_and_events`

use cloudstack_db::db::Tx;
use std::time::{Duration, Instant};

use cloudstack_db::jobs::JobStatus;
use cloudstack_db::jobs::queue::{self, JobSpec};
use cloudstack_db::types::{AccountId, UserId};
use cloudstack_db_testing::TestDatabases;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use diesel::connection::SimpleConnection;

const JOBS: usize = 2000;

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
    for workers in [1usize, 2, 4, 8, 16] {
        group.bench_function(format!("claim_and_complete/{workers}_workers"), |b| {
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
                            s.spawn(move || {
                                let mut conn = db.cloud().get().unwrap();
                                let msid = 100 + w as i64;
                                while let Some(job) =
                                    Tx::run(&mut conn, &db, None, |tx| queue::claim_next(tx, msid))
                                        .unwrap()
                                {
                                    Tx::run(&mut conn, &db, None, |tx| {
                                        queue::complete(
                                            tx,
                                            job.id,
                                            msid,
                                            JobStatus::Succeeded,
                                            0,
                                            None,
                                        )
                                    })
                                    .unwrap();
                                }
                            });
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
    group.finish();
}

criterion_group!(benches, job_claims);
criterion_main!(benches);
