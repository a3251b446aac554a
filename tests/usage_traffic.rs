//! Usage types 4/5 (network bytes), 21–24 (disk I/O) and 29 (buckets) from the counters
//! CloudStack's management servers keep in `cloud.user_statistics`, `cloud.vm_disk_statistics`
//! and `cloud.bucket_statistics`, written here as those servers write them: each run bills what
//! the counters grew by since the previous run, records checked against values worked out by
//! hand.

mod common;

use chrono::Duration;
use cloudstack_db::Database;
use cloudstack_db::usage::*;
use common::usage_rows::*;
use diesel::prelude::*;

fn exec(db: &Database, sql: &str) {
    db.cloud()
        .run(|c| {
            diesel::sql_query(sql).execute(c)?;
            Ok(())
        })
        .unwrap();
}

type Amount = (
    Option<UsageType>,
    String,
    String,
    f64,
    Option<u64>,
    Option<String>,
    Option<u64>,
    Option<u64>,
    u64,
);

fn amounts(db: &Database, d: u32) -> Vec<Amount> {
    let mut got: Vec<Amount> = records(db)
        .into_iter()
        .filter(|r| r.start_date == at(d, 0, 0))
        .map(|r| {
            (
                r.usage_type,
                r.description,
                r.usage_display,
                r.raw_usage,
                r.usage_id,
                r.resource_kind,
                r.network_id.map(|n| n.get()),
                r.vm_instance_id.map(|v| v.get()),
                r.zone_id.get(),
            )
        })
        .collect();
    got.sort_by_key(|a| (a.0.map(|t| t.value()), a.4));
    got
}

#[allow(clippy::too_many_arguments)]
fn amount(
    t: UsageType,
    description: &str,
    display: &str,
    raw: f64,
    usage_id: u64,
    kind: &str,
    network: Option<u64>,
    vm: Option<u64>,
) -> Amount {
    (
        Some(t),
        description.to_owned(),
        display.to_owned(),
        raw,
        Some(usage_id),
        (!kind.is_empty()).then(|| kind.to_owned()),
        network,
        vm,
        1,
    )
}

#[test]
fn traffic_disk_io_and_buckets_are_billed_by_what_the_counters_grew() {
    let test = common::fresh();
    let db = test.database();
    // Router 5 has two public addresses on network 204; router 6 has not sent anything yet.
    exec(
        db,
        "INSERT INTO user_statistics (id, data_center_id, account_id, public_ip_address, device_id, \
           device_type, network_id, agg_bytes_sent, agg_bytes_received) VALUES \
           (1, 1, 2, '10.0.0.5', 5, 'DomainRouter', 204, 1000, 5000), \
           (2, 1, 2, '10.0.0.6', 5, 'DomainRouter', 204, 500, 0), \
           (3, 1, 2, '10.0.0.7', 6, 'DomainRouter', 205, 0, 0)",
    );
    exec(
        db,
        "INSERT INTO vm_disk_statistics (id, data_center_id, account_id, vm_id, volume_id, \
           agg_io_read, agg_io_write, agg_bytes_read, agg_bytes_write) VALUES \
           (1, 1, 2, 500, 600, 10, 20, 4096, 8192)",
    );
    exec(
        db,
        "INSERT INTO bucket_statistics (account_id, bucket_id, size) VALUES (2, 9, 123456), (2, 10, 0)",
    );
    run(db, day(23), Duration::days(1));

    let disk = |t, what: &str, display: &str, raw| {
        amount(
            t,
            &format!("{what} for Vm: 500 and Volume: 600"),
            display,
            raw,
            600,
            "VirtualMachine",
            None,
            Some(500),
        )
    };
    let bucket = amount(
        UsageType::Bucket,
        "Bucket Size",
        "123456 bytes",
        123456.0,
        9,
        "",
        None,
        None,
    );
    assert_eq!(
        amounts(db, 23),
        vec![
            // Router 5's two addresses summed; router 6 grew by nothing: no records.
            amount(
                UsageType::NetworkBytesSent,
                "network bytes sent for Host: 5",
                "1500 bytes sent",
                1500.0,
                5,
                "DomainRouter",
                Some(204),
                None
            ),
            amount(
                UsageType::NetworkBytesReceived,
                "network bytes received for Host: 5",
                "5000 bytes received",
                5000.0,
                5,
                "DomainRouter",
                Some(204),
                None
            ),
            disk(
                UsageType::VmDiskIoRead,
                "disk I/O read (io requests)",
                "10 io read",
                10.0
            ),
            disk(
                UsageType::VmDiskIoWrite,
                "disk I/O write (io requests)",
                "20 io write",
                20.0
            ),
            disk(
                UsageType::VmDiskBytesRead,
                "disk I/O read (bytes)",
                "4096 bytes read",
                4096.0
            ),
            disk(
                UsageType::VmDiskBytesWrite,
                "disk I/O write (bytes)",
                "8192 bytes write",
                8192.0
            ),
            bucket.clone(),
        ]
    );

    // The next day: router 5 sent 300 more, router 6 received 70, the disk did nothing.
    exec(
        db,
        "UPDATE user_statistics SET agg_bytes_sent = 1300 WHERE id = 1",
    );
    exec(
        db,
        "UPDATE user_statistics SET agg_bytes_received = 70 WHERE id = 3",
    );
    run(db, day(24), Duration::days(1));
    let router = |t, what: &str, host: u64, network, display: &str, raw| {
        amount(
            t,
            &format!("network bytes {what} for Host: {host}"),
            display,
            raw,
            host,
            "DomainRouter",
            Some(network),
            None,
        )
    };
    assert_eq!(
        amounts(db, 24),
        vec![
            router(
                UsageType::NetworkBytesSent,
                "sent",
                5,
                204,
                "300 bytes sent",
                300.0
            ),
            router(
                UsageType::NetworkBytesSent,
                "sent",
                6,
                205,
                "0 bytes sent",
                0.0
            ),
            router(
                UsageType::NetworkBytesReceived,
                "received",
                5,
                204,
                "0 bytes received",
                0.0
            ),
            router(
                UsageType::NetworkBytesReceived,
                "received",
                6,
                205,
                "70 bytes received",
                70.0
            ),
            // A bucket is billed its whole size in every window.
            bucket,
        ]
    );
    // The counters were mirrored into cloud_usage as Java mirrors them.
    let mirrored = db
        .usage()
        .run(|c| {
            cloudstack_db_testing::count(
                c,
                "SELECT agg_bytes_sent FROM user_statistics WHERE id = 1",
            )
        })
        .unwrap();
    assert_eq!(mirrored, 1300);
}
