//! Every query path of the crate beside the same work done by hand through a raw client, on
//! one generated dataset (100 000 VMs with ROOT volumes across 1 000 accounts), in one run: the
//! ratio of the medians is the crate's overhead. `scripts/bench-report` turns the results into
//! `bench-report.md`.
//!
//! `cargo bench --bench query_paths`

#[path = "query_paths/dataset.rs"]
mod dataset;
#[path = "query_paths/raw.rs"]
mod raw;

use std::cell::Cell;
use std::time::{Duration, Instant};

use cloudstack_db::compute::vms::{self, VmFilter};
use cloudstack_db::compute::{VmEvent, VmState};
use cloudstack_db::events::{EventLevel, log};
use cloudstack_db::identity::{api_keys, roles};
use cloudstack_db::jobs::queue::{self, JobSpec};
use cloudstack_db::network::public_ips::{self, AllocateRequest};
use cloudstack_db::repo::PageRequest;
use cloudstack_db::storage::volumes;
use cloudstack_db::types::*;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main, measurement::WallTime};
use diesel::connection::SimpleConnection;

use dataset::Dataset;
use raw::{Raw, column_u64};

const EVENTS: usize = 10_000;

fn configure<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    group
}

fn raw_url(data: &Dataset) -> String {
    data.test
        .config_with(cloudstack_db::testing::test_pool_settings())
        .cloud
        .target
        .diesel_url()
        .expose()
        .to_owned()
}

fn point_reads(c: &mut Criterion, data: &Dataset, raw: &mut Raw) {
    let db = data.db();
    let next = Cell::new(0usize);
    let pick = |list_len: usize| {
        let i = next.get();
        next.set(i + 1);
        i % list_len
    };
    // Both sides read the same row; checked once.
    let id = data.vm_ids[0];
    let via_crate = db.cloud().run(|c| vms::find(c, id)).unwrap();
    assert_eq!(column_u64(&raw.find_vm(id.get()), "account_id"), via_crate.instance.account_id.get());

    let mut g = configure(c, "find_vm_by_id");
    g.bench_function("crate", |b| {
        b.iter(|| db.cloud().run(|c| vms::find(c, data.vm_ids[pick(data.vm_ids.len())])).unwrap())
    });
    g.bench_function("raw", |b| b.iter(|| raw.find_vm(data.vm_ids[pick(data.vm_ids.len())].get())));
    g.finish();

    let uuids: Vec<uuid::Uuid> = data.vm_uuids.iter().map(|u| u.parse().unwrap()).collect();
    let mut g = configure(c, "find_vm_by_uuid");
    g.bench_function("crate", |b| {
        b.iter(|| db.cloud().run(|c| vms::find_by_uuid(c, uuids[pick(uuids.len())])).unwrap())
    });
    g.bench_function("raw", |b| b.iter(|| raw.find_vm_by_uuid(&data.vm_uuids[pick(uuids.len())])));
    g.finish();

    let first = db
        .cloud()
        .run(|c| vms::list(c, &VmFilter { account_id: Some(data.account(7)), ..Default::default() }, &PageRequest::first(50)))
        .unwrap();
    let raw_first = raw.list_vms(data.account(7).get(), 0, 50);
    assert_eq!(first.items.len(), 50);
    assert_eq!(column_u64(&raw_first[49], "id"), first.items[49].id.get());
    let mut g = configure(c, "list_vms_page_of_50_for_account");
    g.bench_function("crate", |b| {
        b.iter(|| {
            let filter = VmFilter { account_id: Some(data.account(pick(1000))), ..Default::default() };
            db.cloud().run(|c| vms::list(c, &filter, &PageRequest::first(50))).unwrap()
        })
    });
    g.bench_function("raw", |b| b.iter(|| raw.list_vms(data.account(pick(1000)).get(), 0, 50)));
    g.finish();

    let mut g = configure(c, "api_key_lookup");
    g.bench_function("crate", |b| {
        b.iter(|| db.cloud().run(|c| api_keys::find_by_api_key(c, &data.api_key)).unwrap())
    });
    g.bench_function("raw", |b| b.iter(|| raw.api_key_lookup(&data.api_key)));
    g.finish();

    assert!(db.cloud().run(|c| roles::is_allowed(c, data.role, "listVirtualMachines")).unwrap());
    assert!(raw.is_allowed(data.role.get(), "listVirtualMachines"));
    let mut g = configure(c, "role_permission_check");
    g.bench_function("crate", |b| {
        b.iter(|| db.cloud().run(|c| roles::is_allowed(c, data.role, "listVirtualMachines")).unwrap())
    });
    g.bench_function("raw", |b| b.iter(|| raw.is_allowed(data.role.get(), "listVirtualMachines")));
    g.finish();
}

fn writes(c: &mut Criterion, data: &Dataset, raw: &mut Raw) {
    let db = data.db();
    let n = Cell::new(0usize);
    let next = || {
        let i = n.get();
        n.set(i + 1);
        i
    };
    let encryptor = db.column_encryptor().unwrap().clone();

    let mut g = configure(c, "create_vm_with_root_volume");
    g.bench_function("crate", |b| {
        b.iter(|| {
            let spec = data.vm_spec(next());
            db.cloud()
                .transaction(|c| {
                    let vm = vms::create(c, db, db.column_encryptor(), &spec)?.instance;
                    volumes::create(c, db, &data.root_spec(vm.id, vm.account_id))?;
                    Ok(vm)
                })
                .unwrap()
        })
    });
    g.bench_function("raw", |b| {
        b.iter(|| {
            let i = next();
            raw.create_vm_with_root(&format!("bench-raw-{i}"), data.account(i).get(), data.zone.get(), &encryptor)
        })
    });
    g.finish();

    // A start and a stop: four guarded state changes, two of them with their usage event.
    let vm = db.cloud().run(|c| vms::find(c, data.vm_ids[1])).unwrap().instance;
    let raw_vm = data.vm_ids[2];
    let mut current = vm;
    let mut g = configure(c, "vm_start_and_stop");
    g.bench_function("crate", |b| {
        b.iter(|| {
            for (event, host) in [
                (VmEvent::StartRequested, Some(Some(1))),
                (VmEvent::OperationSucceeded, None),
                (VmEvent::StopRequested, None),
                (VmEvent::OperationSucceeded, Some(None)),
            ] {
                current = db.cloud().run(|c| vms::transition(c, &current, event, host)).unwrap();
            }
            assert_eq!(current.state, VmState::Stopped);
        })
    });
    let raw_row = raw.find_vm(raw_vm.get());
    let mut count = column_u64(&raw_row, "update_count");
    let account = column_u64(&raw_row, "account_id");
    let name: String = raw_row.get("name").unwrap();
    g.bench_function("raw", |b| {
        b.iter(|| {
            let z = data.zone.get();
            count = raw.transition(raw_vm.get(), "Stopped", "Starting", count, None, Some(1), None);
            count = raw.transition(raw_vm.get(), "Starting", "Running", count, Some(1), Some(1), Some(("VM.START", account, z, &name)));
            count = raw.transition(raw_vm.get(), "Running", "Stopping", count, Some(1), Some(1), None);
            count = raw.transition(raw_vm.get(), "Stopping", "Stopped", count, Some(1), None, Some(("VM.STOP", account, z, &name)));
        })
    });
    g.finish();

    let request = AllocateRequest {
        zone_id: data.zone,
        account_id: data.account(3),
        domain_id: DomainId(1),
        vlan_id: None,
        network_id: None,
        source_nat: false,
        is_system: false,
    };
    let mut g = configure(c, "allocate_and_release_ip");
    g.bench_function("crate", |b| {
        b.iter(|| {
            let ip = db.cloud().run(|c| public_ips::allocate(c, &request)).unwrap();
            db.cloud().run(|c| public_ips::release(c, ip.id)).unwrap()
        })
    });
    g.bench_function("raw", |b| b.iter(|| raw.allocate_and_release(data.zone.get(), data.account(3).get())));
    g.finish();

    let spec = |i: usize| JobSpec {
        cmd: "org.apache.cloudstack.api.command.user.vm.StartVMCmd".into(),
        cmd_info: format!("{{\"id\":{i}}}"),
        user_id: UserId(2),
        account_id: AccountId(2),
        instance_type: Some("VirtualMachine".into()),
        instance_id: Some(i as u64),
        init_msid: 1,
        dispatcher: None,
    };
    let submit = |count: u64| {
        db.cloud()
            .transaction(|c| {
                for i in 0..count {
                    queue::submit(c, &spec(i as usize))?;
                }
                Ok(())
            })
            .unwrap()
    };
    let mut g = configure(c, "claim_async_job");
    g.bench_function("crate", |b| {
        b.iter_custom(|iters| {
            submit(iters);
            let started = Instant::now();
            for _ in 0..iters {
                db.cloud().run(|c| queue::claim_next(c, 7)).unwrap().expect("a job");
            }
            started.elapsed()
        })
    });
    g.bench_function("raw", |b| {
        b.iter_custom(|iters| {
            submit(iters);
            let started = Instant::now();
            for _ in 0..iters {
                raw.claim_next(8).expect("a job");
            }
            started.elapsed()
        })
    });
    g.finish();

    let mut g = configure(c, "bulk_insert_10000_events");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("crate", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let events: Vec<_> = (0..EVENTS)
                    .map(|i| log::event("VM.STOP", &format!("event {i}"), UserId(2), AccountId(2), DomainId(1), EventLevel::Info))
                    .collect();
                let mut conn = db.cloud().get().unwrap();
                let started = Instant::now();
                assert_eq!(log::bulk_insert(&mut conn, events).unwrap(), EVENTS);
                total += started.elapsed();
                conn.batch_execute("DELETE FROM event").unwrap();
            }
            total
        })
    });
    g.bench_function("raw", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let statements = raw_event_inserts(EVENTS);
                let started = Instant::now();
                for sql in &statements {
                    raw.run_sql(sql);
                }
                total += started.elapsed();
                raw.run_sql("DELETE FROM event");
            }
            total
        })
    });
    g.finish();
}

/// The multi-row INSERTs a person would write: literal values, text protocol, client-side
/// uuids, as many rows a statement as the crate puts in one.
fn raw_event_inserts(rows: usize) -> Vec<String> {
    let chunk = log::bulk_chunk_size();
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S");
    (0..rows)
        .collect::<Vec<_>>()
        .chunks(chunk)
        .map(|part| {
            let values: Vec<String> = part
                .iter()
                .map(|i| {
                    format!(
                        "('{}', 'VM.STOP', 'Completed', 'event {i}', 2, 2, 1, '{now}', 'INFO', 0, 1)",
                        uuid::Uuid::new_v4()
                    )
                })
                .collect();
            format!(
                "INSERT INTO event (uuid, type, state, description, user_id, account_id, domain_id, created, level, archived, display) VALUES {}",
                values.join(", ")
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let data = dataset::build();
    let mut raw = Raw::connect(&raw_url(&data));
    point_reads(c, &data, &mut raw);
    writes(c, &data, &mut raw);
}

criterion_group!(benches, bench);
criterion_main!(benches);
