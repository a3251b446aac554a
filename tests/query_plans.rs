//! Every list query of the repositories uses an index on a realistically filled table: the SQL
//! each list call sends is captured through Diesel's instrumentation and `EXPLAIN`ed.

mod common;

use cloudstack_db::db::Tx;
use std::sync::{Arc, Mutex};

use cloudstack_db::compute::vms::{self, VmFilter};
use cloudstack_db::events::log::{self, EventFilter};
use cloudstack_db::events::{EventLevel, NewEvent};
use cloudstack_db::jobs::queue::{self, JobFilter};
use cloudstack_db::network::public_ips::{self, IpFilter};
use cloudstack_db::repo::PageRequest;
use cloudstack_db::storage::volumes::{self, VolumeFilter};
use cloudstack_db::types::*;
use cloudstack_db_testing::clone_rows;
use diesel::connection::{Connection, InstrumentationEvent};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

/// The statements `f` sends on `conn`, with their bind values written into the SQL.
fn statements_of(conn: &mut MysqlConnection, f: impl FnOnce(&mut MysqlConnection)) -> Vec<String> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            sink.lock().unwrap().push(query.to_string());
        }
    });
    f(conn);
    conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
    let seen = seen.lock().unwrap().clone();
    seen.iter().map(|q| inline_binds(q)).collect()
}

/// `SELECT ... ? ... -- binds: [AccountId(5), 51]` → `SELECT ... 5 ...`.
fn inline_binds(debug: &str) -> String {
    let (sql, binds) = debug.rsplit_once(" -- binds: [").unwrap_or((debug, "]"));
    let binds: Vec<String> = binds
        .trim_end_matches(']')
        .split(", ")
        .filter(|b| !b.is_empty())
        .map(|b| {
            let inner = b
                .rsplit_once('(')
                .map(|(_, v)| v.trim_end_matches(')'))
                .unwrap_or(b);
            if inner.parse::<f64>().is_ok() {
                inner.to_owned()
            } else {
                format!("'{}'", inner.trim_matches('"').replace('\'', "''"))
            }
        })
        .collect();
    let mut out = String::new();
    for (i, piece) in sql.split('?').enumerate() {
        if i > 0 {
            out.push_str(binds.get(i - 1).map(String::as_str).unwrap_or("NULL"));
        }
        out.push_str(piece);
    }
    out
}

#[derive(QueryableByName, Debug)]
struct Plan {
    #[diesel(sql_type = Text)]
    table: String,
    #[diesel(sql_type = Text, column_name = "type")]
    access: String,
    #[diesel(sql_type = Nullable<Text>)]
    key: Option<String>,
}

/// The tables `sql` reads without an index.
fn full_scans(conn: &mut MysqlConnection, sql: &str) -> Vec<Plan> {
    let plans: Vec<Plan> = diesel::sql_query(format!("EXPLAIN {sql}"))
        .load(conn)
        .unwrap();
    plans
        .into_iter()
        .filter(|p| p.access == "ALL" || p.key.is_none())
        .collect()
}

/// Runs `list` and checks that every SELECT it sent uses an index.
fn assert_list_indexed(
    conn: &mut MysqlConnection,
    what: &str,
    list: impl FnOnce(&mut MysqlConnection),
) {
    let statements = statements_of(conn, list);
    let lists: Vec<&String> = statements
        .iter()
        .filter(|s| s.starts_with("SELECT"))
        .collect();
    assert!(
        !lists.is_empty(),
        "{what}: no SELECT captured from {statements:?}"
    );
    for sql in lists {
        let scans = full_scans(conn, sql);
        let tables: Vec<(&str, &str)> = scans
            .iter()
            .map(|p| (p.table.as_str(), p.access.as_str()))
            .collect();
        assert!(
            tables.is_empty(),
            "{what}: full scan of {tables:?} for {sql}"
        );
    }
}

#[test]
fn list_queries_use_indexes() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = test.raw_cloud_connection().unwrap();
    let conn = &mut conn;
    let zone = common::zone(conn).id;
    let vm = Tx::run(conn, db, None, |tx| {
        vms::create(tx, &common::vm_spec(zone, "seed"))
    })
    .unwrap()
    .instance;
    let vol = Tx::run(conn, db, None, |tx| {
        volumes::create(
            tx,
            &volumes::VolumeSpec {
                name: "ROOT-seed".into(),
                account_id: AccountId(2),
                domain_id: DomainId(1),
                zone_id: zone,
                volume_type: cloudstack_db::storage::VolumeType::Root,
                disk_offering_id: DiskOfferingId(1),
                template_id: Some(TemplateId(4)),
                size: 1 << 30,
                instance_id: Some(vm.id),
                device_id: Some(0),
                format: None,
                provisioning_type: cloudstack_db::types::ProvisioningType::Thin,
                display_volume: true,
            },
        )
    })
    .unwrap();
    let range = common::public_range(conn, db, zone);
    let event: NewEvent = log::event(
        "VM.START",
        "seed",
        UserId(2),
        AccountId(2),
        DomainId(1),
        EventLevel::Info,
    );
    Tx::run(conn, &db, None, |tx| log::record(tx, event)).unwrap();
    Tx::run(conn, &db, None, |tx| {
        queue::submit(
            tx,
            &queue::JobSpec::new("Cmd", "{}", UserId(2), AccountId(2), 1),
        )
    })
    .unwrap();
    // 20 000 rows each, spread over 200 accounts.
    let (v, o) = (vm.id.get(), vol.id.get());
    let account = "101 + (n.n % 200)";
    clone_rows(
        conn,
        "account",
        "src.id = 2",
        200,
        &[
            ("id", "100 + n.n".into()),
            ("account_name", "CONCAT('plan-', n.n)".into()),
            ("uuid", "UUID()".into()),
        ],
    )
    .unwrap();
    clone_rows(
        conn,
        "vm_instance",
        &format!("src.id = {v}"),
        20_000,
        &[
            ("id", format!("{v} + n.n")),
            ("uuid", "UUID()".into()),
            ("instance_name", format!("CONCAT('i-', {v} + n.n)")),
            ("account_id", account.into()),
        ],
    )
    .unwrap();
    clone_rows(
        conn,
        "volumes",
        &format!("src.id = {o}"),
        20_000,
        &[
            ("id", format!("{o} + n.n")),
            ("uuid", "UUID()".into()),
            ("instance_id", format!("{v} + n.n")),
            ("account_id", account.into()),
        ],
    )
    .unwrap();
    clone_rows(
        conn,
        "event",
        "src.id = (SELECT MIN(id) FROM event)",
        20_000,
        &[
            ("id", "NULL".into()),
            ("uuid", "UUID()".into()),
            ("account_id", account.into()),
        ],
    )
    .unwrap();
    clone_rows(
        conn,
        "async_job",
        "src.id = (SELECT MIN(id) FROM async_job)",
        20_000,
        &[
            ("id", "NULL".into()),
            ("uuid", "UUID()".into()),
            ("account_id", account.into()),
        ],
    )
    .unwrap();
    clone_rows(
        conn,
        "user_ip_address",
        &format!(
            "src.vlan_db_id = {} AND src.id = (SELECT MIN(id) FROM user_ip_address)",
            range.id.get()
        ),
        20_000,
        &[
            ("id", "NULL".into()),
            ("uuid", "UUID()".into()),
            (
                "public_ip_address",
                "CONCAT('10.', n.n DIV 65536, '.', (n.n DIV 256) % 256, '.', n.n % 256)".into(),
            ),
            ("account_id", account.into()),
            ("allocated", "NOW()".into()),
            ("state", "'Allocated'".into()),
        ],
    )
    .unwrap();
    // A NIC per VM and a snapshot per volume, 20 000 each; the account's count rows for the
    // 200 accounts.
    let vm_row = cloudstack_db::compute::vms::find(conn, vm.id)
        .unwrap()
        .instance;
    Tx::run(conn, db, None, |tx| {
        cloudstack_db::compute::nics::create(
            tx,
            &vm_row,
            &cloudstack_db::compute::nics::NicSpec::in_network(range.network_id),
        )
    })
    .unwrap();
    clone_rows(
        conn,
        "nics",
        "src.id = (SELECT MIN(id) FROM nics)",
        20_000,
        &[
            ("id", "NULL".into()),
            ("uuid", "UUID()".into()),
            ("instance_id", format!("{v} + n.n")),
        ],
    )
    .unwrap();
    diesel::sql_query(format!(
        "INSERT INTO snapshots (data_center_id, account_id, domain_id, volume_id, disk_offering_id, \
         status, name, uuid, snapshot_type, size, hypervisor_type) \
         VALUES ({}, 2, 1, {o}, 1, 'BackedUp', 's', UUID(), 0, 1, 'KVM')",
        zone.get()
    ))
    .execute(conn)
    .unwrap();
    clone_rows(
        conn,
        "snapshots",
        "src.volume_id = (SELECT MIN(volume_id) FROM snapshots)",
        20_000,
        &[
            ("id", "NULL".into()),
            ("uuid", "UUID()".into()),
            ("volume_id", format!("{o} + n.n")),
            ("account_id", account.into()),
        ],
    )
    .unwrap();
    clone_rows(
        conn,
        "resource_count",
        "src.account_id = 2 AND src.type = 'user_vm' AND src.tag IS NULL",
        200,
        &[("id", "NULL".into()), ("account_id", "100 + n.n".into())],
    )
    .unwrap();
    diesel::sql_query(
        "ANALYZE TABLE vm_instance, volumes, event, async_job, user_ip_address, nics, snapshots, \
         resource_count",
    )
    .execute(conn)
    .unwrap();

    // The check sees a full scan when there is one.
    assert_eq!(
        full_scans(
            conn,
            "SELECT * FROM vm_instance WHERE display_vm = 1 AND name LIKE 'x%'"
        )
        .len(),
        1
    );

    let mine = AccountId(150);
    let page = PageRequest::first(50);
    assert_list_indexed(conn, "VMs of an account", |c| {
        vms::list(
            c,
            &VmFilter {
                account_id: Some(mine),
                ..Default::default()
            },
            &page,
        )
        .unwrap();
    });
    assert_list_indexed(conn, "volumes of an account", |c| {
        volumes::list(
            c,
            &VolumeFilter {
                account_id: Some(mine),
                ..Default::default()
            },
            &page,
        )
        .unwrap();
    });
    assert_list_indexed(conn, "volumes of a VM", |c| {
        volumes::list_for_vm(c, VmId(v + 7)).unwrap();
    });
    assert_list_indexed(conn, "NICs of a VM", |c| {
        cloudstack_db::compute::nics::list_for_vm(c, VmId(v + 7)).unwrap();
    });
    assert_list_indexed(conn, "snapshots of a volume", |c| {
        cloudstack_db::storage::snapshots::list_for_volume(c, VolumeId(o + 7)).unwrap();
    });
    assert_list_indexed(conn, "count rows of an account", |c| {
        use cloudstack_db::resources::{Owner, counts_of};
        counts_of(c, Owner::Account(mine)).unwrap();
    });
    assert_list_indexed(conn, "volumes due for storage cleanup", |c| {
        volumes::list_to_be_expunged(c, chrono::Utc::now()).unwrap();
    });
    assert_list_indexed(conn, "events of an account", |c| {
        log::list(
            c,
            &EventFilter {
                account_id: Some(mine),
                ..Default::default()
            },
            &page,
        )
        .unwrap();
    });
    assert_list_indexed(conn, "jobs of an account", |c| {
        queue::list(
            c,
            &JobFilter {
                account_id: Some(mine),
                ..Default::default()
            },
            &page,
        )
        .unwrap();
    });
    assert_list_indexed(conn, "addresses of an account", |c| {
        public_ips::list(
            c,
            &IpFilter {
                account_id: Some(mine),
                ..Default::default()
            },
            &page,
        )
        .unwrap();
    });
}

#[test]
fn binds_are_written_into_the_captured_sql() {
    assert_eq!(
        inline_binds("SELECT a FROM t WHERE x = ? AND y = ? -- binds: [AccountId(5), \"it's\"]"),
        "SELECT a FROM t WHERE x = 5 AND y = 'it''s'"
    );
}

#[test]
fn infrastructure_and_registry_lists_use_indexes() {
    use cloudstack_db::infra::hosts::{self, HostFilter};
    use cloudstack_db::infra::storage_pools::{self, PoolFilter};
    use cloudstack_db::infra::{StoragePoolStatus, clusters, pods};
    use cloudstack_db::servers;
    use diesel::connection::SimpleConnection;
    let test = common::fresh();
    let db = test.database();
    let mut conn = test.raw_cloud_connection().unwrap();
    let conn = &mut conn;
    let zone = common::zone(conn).id;
    let z = zone.get();
    conn.batch_execute(&format!(
        "INSERT INTO host_pod_ref (id, name, uuid, data_center_id, gateway, cidr_address, cidr_size) \
           VALUES (10, 'pod-10', UUID(), {z}, '10.1.0.1', '10.1.0.0', 24); \
         INSERT INTO cluster (id, name, uuid, pod_id, data_center_id, hypervisor_type) \
           VALUES (20, 'c-20', UUID(), 10, {z}, 'KVM'); \
         INSERT INTO host (id, name, uuid, status, type, private_ip_address, data_center_id, pod_id, \
           cluster_id, hypervisor_type, version, dom0_memory, last_ping) \
           VALUES (100, 'h', UUID(), 'Up', 'Routing', '10.1.0.100', {z}, 10, 20, 'KVM', '4.22.0.0', 0, 0); \
         INSERT INTO storage_pool (id, name, uuid, pool_type, port, data_center_id, pod_id, cluster_id, \
           host_address, path, status, scope) \
           VALUES (100, 'p', UUID(), 'NetworkFilesystem', 2049, {z}, 10, 20, '10.0.0.250', '/p', 'Up', 'CLUSTER');"
    ))
    .unwrap();
    Tx::run(conn, db, None, |tx| {
        servers::register(tx, &servers::Registration::new(1, "ms", "10.0.0.5"))
    })
    .unwrap();
    // Other zones' hosts, pools and old servers: 20 000 / 5 000 / 2 000 rows.
    let other_zone = "1000 + (n.n % 50)";
    clone_rows(
        conn,
        "host",
        "src.id = 100",
        20_000,
        &[
            ("id", "1000 + n.n".into()),
            ("uuid", "UUID()".into()),
            ("data_center_id", other_zone.into()),
            ("pod_id", "NULL".into()),
            ("cluster_id", "NULL".into()),
        ],
    )
    .unwrap();
    clone_rows(
        conn,
        "storage_pool",
        "src.id = 100",
        5_000,
        &[
            ("id", "1000 + n.n".into()),
            ("uuid", "UUID()".into()),
            ("data_center_id", other_zone.into()),
            ("pod_id", "NULL".into()),
            ("cluster_id", "NULL".into()),
        ],
    )
    .unwrap();
    clone_rows(
        conn,
        "mshost",
        "src.msid = 1",
        2_000,
        &[
            ("id", "NULL".into()),
            ("msid", "1000 + n.n".into()),
            ("uuid", "UUID()".into()),
            ("last_update", "UTC_TIMESTAMP() - INTERVAL 1 DAY".into()),
        ],
    )
    .unwrap();
    diesel::sql_query("ANALYZE TABLE host, storage_pool, mshost, cluster, host_pod_ref")
        .execute(conn)
        .unwrap();
    let page = PageRequest::first(50);
    assert_list_indexed(conn, "hosts of a zone", |c| {
        hosts::list(
            c,
            &HostFilter {
                zone_id: Some(zone),
                ..Default::default()
            },
            &page,
        )
        .unwrap();
    });
    assert_list_indexed(conn, "hosts of a pod", |c| {
        let f = HostFilter {
            pod_id: Some(PodId(10)),
            ..Default::default()
        };
        hosts::list(c, &f, &page).unwrap();
    });
    assert_list_indexed(conn, "placement candidates", |c| {
        let f = HostFilter::for_placement(zone, HypervisorType::Kvm, None);
        hosts::placement_candidates(c, &f).unwrap();
    });
    assert_list_indexed(conn, "pools of a zone", |c| {
        let f = PoolFilter {
            zone_id: Some(zone),
            status: Some(StoragePoolStatus::Up),
            ..Default::default()
        };
        storage_pools::list(c, &f).unwrap();
    });
    assert_list_indexed(conn, "clusters of a zone", |c| {
        let f = clusters::ClusterFilter {
            zone_id: Some(zone),
            ..Default::default()
        };
        clusters::list(c, &f).unwrap();
    });
    assert_list_indexed(conn, "pods of a zone", |c| {
        pods::list_in_zone(c, zone, true).unwrap();
    });
    assert_list_indexed(conn, "live management servers", |c| {
        servers::live(c, servers::DEFAULT_THRESHOLD).unwrap();
    });
    assert_list_indexed(conn, "silent management servers", |c| {
        servers::inactive(c, servers::DEFAULT_THRESHOLD).unwrap();
    });
}
