//! Every query path of the crate beside the same work done by hand through a raw client, on
//! one generated dataset (100 000 VMs with ROOT volumes across 1 000 accounts), in one run: the
//! ratio of the medians is the crate's overhead. `scripts/bench-report` turns the results into
//! `bench-report.md`.
//!
//! `cargo bench --bench query_paths`

#[path = "query_paths/clients.rs"]
mod clients;
#[path = "query_paths/dataset.rs"]
mod dataset;
#[path = "query_paths/measure.rs"]
mod measure;
#[path = "query_paths/raw.rs"]
mod raw;
#[path = "query_paths/split.rs"]
mod split;

use cloudstack_db::db::Tx;
use std::cell::Cell;

use cloudstack_db::compute::vms::{self, VmFilter};
use cloudstack_db::compute::{VmEvent, VmState};
use cloudstack_db::events::{EventLevel, log};
use cloudstack_db::identity::{api_keys, roles};
use cloudstack_db::jobs::queue::{self, JobSpec};
use cloudstack_db::network::public_ips::{self, AllocateRequest};
use cloudstack_db::repo::PageRequest;
use cloudstack_db::storage::volumes;
use cloudstack_db::types::*;
use criterion::Criterion;
use diesel::connection::SimpleConnection;

use clients::{Client, LibMysql, RustMysql};
use dataset::Dataset;
use measure::Paths;
use raw::Raw;

/// Registers the same hand-written work through both raw clients: `libmysqlclient` (the C
/// library Diesel itself uses, text protocol) and `mysql_crate` (pure Rust, cached prepared
/// statements).
macro_rules! raw_pair {
    ($paths:expr, $group:expr, $raws:expr, |$raw:ident| $body:expr) => {{
        let (lib, rust) = &mut *$raws;
        {
            let $raw = &mut *lib;
            $paths.path($group, "libmysqlclient", || $body);
        }
        {
            let $raw = &mut *rust;
            $paths.path($group, "mysql_crate", || $body);
        }
    }};
}

type Raws = (Raw<LibMysql>, Raw<RustMysql>);

type VmInstanceRow = cloudstack_db::compute::VmInstance;

const EVENTS: usize = 10_000;

/// Where the dataset's `cloud` database is, for connections outside the crate.
fn cloud_target(data: &Dataset) -> cloudstack_db::db::ConnectionTarget {
    data.test
        .config_with(cloudstack_db_testing::test_pool_settings())
        .cloud
        .target
}

fn raw_clients(data: &Dataset) -> Raws {
    let target = cloud_target(data);
    let lib = || {
        LibMysql::connect(
            &target.host,
            target.port,
            &target.user,
            target.password.expose(),
            &target.database,
        )
    };
    let url = target.diesel_url().expose().to_owned();
    (
        Raw::new(lib(), lib()),
        Raw::new(RustMysql::connect(&url), RustMysql::connect(&url)),
    )
}

/// The server's process, when it runs on this machine (found through its `@@pid_file`).
fn local_server(data: &Dataset) -> Option<split::Server> {
    let mut conn = RustMysql::connect(cloud_target(data).diesel_url().expose());
    let pid_file = clients::str_at(&conn.query("SELECT @@pid_file", &[]), 0, 0);
    split::Server::find(pid_file.as_deref())
}

fn point_reads(p: &mut Paths<'_>, data: &Dataset, raws: &mut Raws) {
    let db = data.db();
    let next = Cell::new(0usize);
    let pick = |list_len: usize| {
        let i = next.get();
        next.set(i + 1);
        i % list_len
    };
    // Each side reads what the other reads; checked once.
    let id = data.vm_ids[0];
    let via_crate = db.cloud().run(|c| vms::find(c, id)).unwrap();
    for rows in [raws.0.find_vm(id.get()), raws.1.find_vm(id.get())] {
        assert_eq!(rows.len(), 1);
        assert_eq!(clients::u64_at(&rows, 0, 0), via_crate.instance.id.get());
    }

    let group = "find_vm_by_id";
    p.path(group, "crate", || {
        db.cloud()
            .run(|c| vms::find(c, data.vm_ids[pick(data.vm_ids.len())]))
            .unwrap()
    });
    raw_pair!(p, group, raws, |raw| raw
        .find_vm(data.vm_ids[pick(data.vm_ids.len())].get()));

    let uuids: Vec<uuid::Uuid> = data.vm_uuids.iter().map(|u| u.parse().unwrap()).collect();
    let group = "find_vm_by_uuid";
    p.path(group, "crate", || {
        db.cloud()
            .run(|c| vms::find_by_uuid(c, uuids[pick(uuids.len())]))
            .unwrap()
    });
    raw_pair!(p, group, raws, |raw| raw
        .find_vm_by_uuid(&data.vm_uuids[pick(uuids.len())]));

    let account = data.account(7);
    let first = db
        .cloud()
        .run(|c| {
            vms::list(
                c,
                &VmFilter {
                    account_id: Some(account),
                    ..Default::default()
                },
                &PageRequest::first(50),
            )
        })
        .unwrap();
    assert_eq!(first.items.len(), 50);
    assert_eq!(raws.0.list_vms(account.get(), 0, 50).len(), 51);
    let group = "list_vms_page_of_50_for_account";
    p.path(group, "crate", || {
        let filter = VmFilter {
            account_id: Some(data.account(pick(1000))),
            ..Default::default()
        };
        db.cloud()
            .run(|c| vms::list(c, &filter, &PageRequest::first(50)))
            .unwrap()
    });
    raw_pair!(p, group, raws, |raw| raw.list_vms(
        data.account(pick(1000)).get(),
        0,
        50
    ));

    let group = "api_key_lookup";
    p.path(group, "crate", || {
        db.cloud()
            .run(|c| api_keys::find_by_api_key(c, &data.api_key))
            .unwrap()
    });
    raw_pair!(p, group, raws, |raw| raw.api_key_lookup(&data.api_key));

    assert_eq!(
        db.cloud()
            .run(|c| roles::decide(c, data.role, "listVirtualMachines"))
            .unwrap(),
        roles::RoleDecision::Allow
    );
    assert!(raws.0.is_allowed(data.role.get(), "listVirtualMachines"));
    assert!(raws.1.is_allowed(data.role.get(), "listVirtualMachines"));
    let group = "role_permission_check";
    p.path(group, "crate", || {
        db.cloud()
            .run(|c| roles::decide(c, data.role, "listVirtualMachines"))
            .unwrap()
    });
    raw_pair!(p, group, raws, |raw| raw
        .is_allowed(data.role.get(), "listVirtualMachines"));
}

fn writes(p: &mut Paths<'_>, data: &Dataset, raws: &mut Raws) {
    let db = data.db();
    let n = Cell::new(0usize);
    let next = || {
        let i = n.get();
        n.set(i + 1);
        i
    };
    let encryptor = db.column_encryptor().unwrap().clone();

    let group = "create_vm_with_root_volume";
    p.path(group, "crate", || {
        let spec = data.vm_spec(next());
        let root = data.root_spec(VmId(0), spec.account_id);
        db.write(|tx| {
            let vm = vms::create(tx, &spec)?;
            let root = volumes::create(tx, &vm.attached(&root))?;
            Ok((vm, root))
        })
        .unwrap()
    });
    raw_pair!(p, group, raws, |raw| {
        let i = next();
        raw.create_vm_with_root(
            &format!("bench-raw-{i}"),
            data.account(i).get(),
            data.zone.get(),
            &encryptor,
        )
    });

    // A start and a stop: four guarded state changes, two of them with their usage event.
    let mut current = db
        .cloud()
        .run(|c| vms::find(c, data.vm_ids[1]))
        .unwrap()
        .instance;
    let group = "vm_start_and_stop";
    p.path(group, "crate", || {
        for (event, host) in [
            (VmEvent::StartRequested, Some(Some(1))),
            (VmEvent::OperationSucceeded, None),
            (VmEvent::StopRequested, None),
            (VmEvent::OperationSucceeded, Some(None)),
        ] {
            current = db
                .cloud()
                .run(|c| {
                    Tx::run(c, &db, None, |tx| {
                        vms::transition(tx, &current, event, host)
                    })
                })
                .unwrap();
        }
        assert_eq!(current.state, VmState::Stopped);
    });
    fn cycles<C: Client>(p: &mut Paths<'_>, name: &str, raw: &mut Raw<C>, vm: &VmInstanceRow) {
        let mut count = vm.update_count;
        p.path("vm_start_and_stop", name, || {
            count = raw.start_and_stop(
                vm.id.get(),
                vm.account_id.get(),
                vm.data_center_id.get(),
                &vm.name,
                count,
            )
        });
    }
    let (lib, rust) = &mut *raws;
    let lib_vm = db
        .cloud()
        .run(|c| vms::find(c, data.vm_ids[2]))
        .unwrap()
        .instance;
    let rust_vm = db
        .cloud()
        .run(|c| vms::find(c, data.vm_ids[3]))
        .unwrap()
        .instance;
    cycles(p, "libmysqlclient", lib, &lib_vm);
    cycles(p, "mysql_crate", rust, &rust_vm);

    let request = AllocateRequest {
        zone_id: data.zone,
        account_id: data.account(3),
        domain_id: DomainId(1),
        vlan_id: None,
        network_id: None,
        source_nat: false,
        is_system: false,
    };
    let group = "allocate_and_release_ip";
    p.path(group, "crate", || {
        let ip = db.write(|tx| public_ips::allocate(tx, &request)).unwrap();
        db.write(|tx| public_ips::release(tx, &ip)).unwrap()
    });
    raw_pair!(p, group, raws, |raw| raw
        .allocate_and_release(data.zone.get(), data.account(3).get()));

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
    // One job is submitted before each claim, outside the measured call.
    let submit = |i: u64| db.write(|tx| queue::submit(tx, &spec(i as usize))).unwrap();
    let n = Cell::new(0u64);
    let next_job = || {
        n.set(n.get() + 1);
        submit(n.get())
    };
    let group = "claim_async_job";
    p.path_with_setup(group, "crate", &next_job, |_| {
        db.write(|tx| queue::claim_next(tx, 7))
            .unwrap()
            .expect("a job")
    });
    let (lib, rust) = &mut *raws;
    p.path_with_setup(group, "libmysqlclient", &next_job, |_| {
        lib.claim_next(8).expect("a job")
    });
    p.path_with_setup(group, "mysql_crate", &next_job, |_| {
        rust.claim_next(9).expect("a job")
    });

    // The rows exist before the measured call (as the crate's events do), the table is emptied
    // before each; turning the rows into SQL text is part of the work, as serialising binds is
    // for the crate. One transaction, as the crate's `bulk_insert` runs in the caller's `write`.
    let group = "bulk_insert_10000_events";
    p.path_with_setup(
        group,
        "crate",
        || {
            let mut conn = db.cloud().get().unwrap();
            conn.batch_execute("DELETE FROM event").unwrap();
            let events: Vec<_> = (0..EVENTS)
                .map(|i| {
                    log::event(
                        "VM.STOP",
                        &format!("event {i}"),
                        UserId(2),
                        AccountId(2),
                        DomainId(1),
                        EventLevel::Info,
                    )
                })
                .collect();
            (conn, events)
        },
        |(mut conn, events)| {
            assert_eq!(
                Tx::run(&mut conn, &db, None, |tx| log::bulk_insert(tx, events)).unwrap(),
                EVENTS
            )
        },
    );
    fn bulk<C: Client>(p: &mut Paths<'_>, name: &str, raw: &mut Raw<C>) {
        let raw = std::cell::RefCell::new(raw);
        p.path_with_setup(
            "bulk_insert_10000_events",
            name,
            || {
                raw.borrow_mut().conn.text("DELETE FROM event");
                (0..EVENTS)
                    .map(|i| (uuid::Uuid::new_v4(), format!("event {i}")))
                    .collect::<Vec<_>>()
            },
            |rows| {
                let mut raw = raw.borrow_mut();
                raw.conn.text("START TRANSACTION");
                for sql in &raw_event_inserts(&rows) {
                    raw.conn.text(sql);
                }
                raw.conn.text("COMMIT");
            },
        );
    }
    let (lib, rust) = &mut *raws;
    bulk(p, "libmysqlclient", lib);
    bulk(p, "mysql_crate", rust);

    // The server's own floor for the same rows: one set-based INSERT ... SELECT from a copy of
    // them already on the server, no client work at all.
    let lib = std::cell::RefCell::new(lib);
    {
        let mut raw = lib.borrow_mut();
        raw.conn.text("DELETE FROM event");
        let rows: Vec<_> = (0..EVENTS)
            .map(|i| (uuid::Uuid::new_v4(), format!("event {i}")))
            .collect();
        for sql in &raw_event_inserts(&rows) {
            raw.conn.text(sql);
        }
        raw.conn
            .text("CREATE TABLE bench_event_source AS SELECT * FROM event");
    }
    p.path_with_setup(
        group,
        "server_floor",
        || lib.borrow_mut().conn.text("DELETE FROM event"),
        |()| {
            let mut raw = lib.borrow_mut();
            raw.conn.text("START TRANSACTION");
            raw.conn.text(
                "INSERT INTO event (uuid, type, state, description, user_id, account_id, domain_id, \
                   created, level, archived, display) \
                 SELECT uuid, type, state, description, user_id, account_id, domain_id, created, \
                   level, archived, display FROM bench_event_source",
            );
            raw.conn.text("COMMIT");
        },
    );
}

/// The multi-row INSERTs a person would write: literal values, text protocol, client-side
/// uuids, as many rows a statement as the crate puts in one. (The descriptions are known to
/// need no escaping.)
fn raw_event_inserts(rows: &[(uuid::Uuid, String)]) -> Vec<String> {
    let chunk = log::bulk_chunk_size();
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
    rows.chunks(chunk)
        .map(|part| {
            let values: Vec<String> = part
                .iter()
                .map(|(uuid, description)| {
                    format!(
                        "('{uuid}', 'VM.STOP', 'Completed', '{description}', 2, 2, 1, '{now}', 'INFO', 0, 1)"
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

/// Waits (at most 10 s) until the server's threads have used under 5% of a core for 100 ms:
/// InnoDB flushes pages and purges old row versions on its own threads after a write commits,
/// on the same two cores, and a path measured meanwhile would pay for another's writes. Does
/// nothing when the server's process cannot be read (a server on another machine).
fn settle_server(server: Option<split::Server>) -> impl FnMut() + 'static {
    move || {
        let Some(server) = &server else { return };
        let window = std::time::Duration::from_millis(100);
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(10) {
            let before = server.cpu_ns().unwrap_or(0);
            std::thread::sleep(window);
            let used = server.cpu_ns().unwrap_or(0).saturating_sub(before);
            if used < window.as_nanos() as u64 / 20 {
                return;
            }
        }
    }
}

fn bench(p: &mut Paths<'_>, data: Dataset, server: Option<split::Server>) {
    measure::set_settle(settle_server(server));
    let mut raws = raw_clients(&data);
    point_reads(p, &data, &mut raws);
    writes(p, &data, &mut raws);
}

/// Wall time through criterion; with `QUERY_PATHS_INSTRUCTIONS=<labels file>`, instruction
/// mode for callgrind instead; with `QUERY_PATHS_SPLIT=<file>`, where the wall time goes (see
/// `measure` and `split`).
fn main() {
    let data = dataset::build();
    let server = local_server(&data);
    if let Some(labels) = std::env::var_os("QUERY_PATHS_INSTRUCTIONS") {
        return bench(&mut Paths::instructions(&labels), data, server);
    }
    if let Some(out) = std::env::var_os("QUERY_PATHS_SPLIT") {
        let Some(found) = server else {
            eprintln!("split mode: the server's process is not readable on this machine");
            std::process::exit(2);
        };
        return bench(&mut Paths::split(&out, found), data, server);
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut Paths::Wall(&mut c), data, server);
    c.final_summary();
}
