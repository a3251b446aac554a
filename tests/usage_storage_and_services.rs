//! Usage types 7–14 and 26 on histories written the way CloudStack's Java servers write them:
//! templates, ISOs, snapshots and uploaded volumes on secondary storage, security groups,
//! load-balancing policies, port-forwarding rules, network offerings of NICs and VPN users —
//! every record field checked against values worked out by hand.

mod common;

use chrono::Duration;
use cloudstack_db::usage::*;
use common::usage_rows::*;
use diesel::prelude::*;

const GIB: u64 = 1 << 30;

fn of_types(db: &cloudstack_db::Database, types: &[UsageType]) -> Vec<UsageRecord> {
    records(db)
        .into_iter()
        .filter(|r| r.usage_type.is_some_and(|t| types.contains(&t)))
        .collect()
}

/// The fields a record of these types carries, in one tuple.
#[allow(clippy::type_complexity)]
fn fields(
    r: &UsageRecord,
) -> (
    Option<UsageType>,
    u64,
    String,
    String,
    f64,
    Option<u64>,
    Option<u64>,
    Option<u64>,
    Option<u64>,
    Option<u64>,
    Option<u64>,
) {
    (
        r.usage_type,
        r.zone_id.get(),
        r.description.clone(),
        r.usage_display.clone(),
        r.raw_usage,
        r.usage_id,
        r.template_id.map(|t| t.get()),
        r.size,
        r.virtual_size,
        r.vm_instance_id.map(|v| v.get()),
        r.offering_id,
    )
}

#[test]
fn templates_isos_snapshots_and_uploaded_volumes_are_billed_per_copy_and_zone() {
    let test = common::fresh();
    let db = test.database();
    let template = |kind, zone, hour, size| JavaEvent {
        zone,
        template: Some(7),
        size: Some(size),
        virtual_size: Some(5 * GIB),
        ..JavaEvent::new(kind, 2, at(23, hour, 0), 201, "tpl")
    };
    template("TEMPLATE.CREATE", 1, 6, 2 * GIB).insert(db);
    template("TEMPLATE.COPY", 2, 12, 2 * GIB).insert(db);
    // A second copy event for a zone that already has the template changes nothing.
    template("TEMPLATE.COPY", 2, 13, 2 * GIB).insert(db);
    template("TEMPLATE.DELETE", 1, 18, 2 * GIB).insert(db);
    // A template without a size is not billed.
    JavaEvent {
        size: Some(0),
        ..JavaEvent::new("TEMPLATE.CREATE", 2, at(23, 6, 0), 202, "empty")
    }
    .insert(db);
    JavaEvent {
        size: Some(13_107),
        ..JavaEvent::new("ISO.CREATE", 2, at(23, 0, 0), 301, "iso")
    }
    .insert(db);
    JavaEvent {
        size: Some(GIB),
        virtual_size: Some(5 * GIB),
        ..JavaEvent::new("SNAPSHOT.CREATE", 2, at(23, 20, 0), 401, "snap")
    }
    .insert(db);
    for (kind, minute) in [("SNAPSHOT.CREATE", 0), ("SNAPSHOT.DELETE", 30)] {
        JavaEvent {
            size: Some(3 * 1024),
            ..JavaEvent::new(kind, 2, at(23, 1, minute), 402, "snap2")
        }
        .insert(db);
    }
    // Uploaded at 08:00, attached (VOLUME.CREATE) at 09:00: secondary storage billing stops.
    JavaEvent {
        size: Some(1 << 20),
        ..JavaEvent::new("VOLUME.UPLOAD", 2, at(23, 8, 0), 501, "up")
    }
    .insert(db);
    JavaEvent {
        offering: Some(3),
        size: Some(1 << 20),
        ..JavaEvent::new("VOLUME.CREATE", 2, at(23, 9, 0), 501, "up")
    }
    .insert(db);
    run(db, day(23), Duration::days(1));

    let mut got: Vec<_> = of_types(
        db,
        &[
            UsageType::Template,
            UsageType::Iso,
            UsageType::Snapshot,
            UsageType::VolumeSecondary,
        ],
    )
    .iter()
    .map(fields)
    .collect();
    got.sort_by_key(|f| (f.0.map(|t| t.value()), f.5, f.1));
    let template_desc =
        "Template Id:201 Size:(2.00 GB) 2147483648 VirtualSize: (5.00 GB) 5368709120";
    assert_eq!(
        got,
        vec![
            // Zone 1: 06:00–18:00 inclusive of its last millisecond.
            (
                Some(UsageType::Template),
                1,
                template_desc.to_owned(),
                "12 Hrs".to_owned(),
                hours(43_200_001),
                Some(201),
                Some(7),
                Some(2 * GIB),
                Some(5 * GIB),
                None,
                None
            ),
            // Zone 2: 12:00 to the window's end, 23:59:59.999.
            (
                Some(UsageType::Template),
                2,
                template_desc.to_owned(),
                "12 Hrs".to_owned(),
                hours(43_200_000),
                Some(201),
                Some(7),
                Some(2 * GIB),
                Some(5 * GIB),
                None,
                None
            ),
            // The whole day; an ISO's virtual size is its size.
            (
                Some(UsageType::Iso),
                1,
                "ISO Id:301 Size:(12.80 KB) 13107 VirtualSize: (12.80 KB) 13107".to_owned(),
                "24 Hrs".to_owned(),
                hours(86_400_000),
                Some(301),
                None,
                Some(13_107),
                Some(13_107),
                None,
                None
            ),
            // Billed by physical size (usage.snapshot.virtualsize.select is unset); no virtual
            // size in the text, 0 in the column (Java reads the NULL as 0).
            (
                Some(UsageType::Snapshot),
                1,
                "Snapshot Id:401 Size:(1.00 GB) 1073741824".to_owned(),
                "4 Hrs".to_owned(),
                hours(14_400_000),
                Some(401),
                None,
                Some(GIB),
                Some(0),
                None,
                None
            ),
            (
                Some(UsageType::Snapshot),
                1,
                "Snapshot Id:402 Size:(3.00 KB) 3072".to_owned(),
                "0.5 Hrs".to_owned(),
                hours(1_800_001),
                Some(402),
                None,
                Some(3072),
                Some(0),
                None,
                None
            ),
            (
                Some(UsageType::VolumeSecondary),
                1,
                "Volume Id:501 Size:(1.00 MB) 1048576 VirtualSize: (0 bytes) 0".to_owned(),
                "1 Hrs".to_owned(),
                hours(3_600_001),
                Some(501),
                None,
                Some(1 << 20),
                Some(0),
                None,
                None
            ),
        ]
    );
    // The attached volume is billed on primary storage from 09:00.
    let volumes = of_types(db, &[UsageType::Volume]);
    assert_eq!(volumes.len(), 1);
    assert_eq!(
        (volumes[0].usage_id, volumes[0].raw_usage),
        (Some(501), hours(54_000_000))
    );
    assert!(records(db).iter().all(|r| r.account_id.get() == 2
        && r.domain_id.get() == 1
        && r.start_date == at(23, 0, 0)
        && r.end_date == at(23, 23, 59) + Duration::seconds(59)));
    // One helper row per template copy and zone: the repeated copy event added none.
    let rows = db
        .usage()
        .run(|c| {
            cloudstack_db_testing::count(
                c,
                "SELECT COUNT(*) FROM usage_storage WHERE entity_id = 201 AND storage_type = 1",
            )
        })
        .unwrap();
    assert_eq!(rows, 2);
}

#[test]
fn snapshots_are_billed_by_virtual_size_when_the_setting_says_so() {
    let test = common::fresh();
    let db = test.database();
    db.cloud()
        .run(|c| {
            // As the management server stores the setting (`Config.UsageSnapshotSelection`).
            diesel::sql_query(
                "INSERT INTO configuration (category, instance, component, name, value) \
                 VALUES ('Usage', 'DEFAULT', 'management-server', \
                         'usage.snapshot.virtualsize.select', 'true')",
            )
            .execute(c)?;
            Ok(())
        })
        .unwrap();
    JavaEvent {
        size: Some(GIB),
        virtual_size: Some(5 * GIB),
        ..JavaEvent::new("SNAPSHOT.CREATE", 2, at(23, 12, 0), 401, "snap")
    }
    .insert(db);
    run(db, day(23), Duration::days(1));
    let got = of_types(db, &[UsageType::Snapshot]);
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].size, got[0].description.as_str()),
        (Some(5 * GIB), "Snapshot Id:401 Size:(5.00 GB) 5368709120")
    );
}

#[test]
fn network_services_are_billed_per_rule_group_offering_and_vpn_user() {
    let test = common::fresh();
    let db = test.database();
    let started = chrono::Utc::now() - Duration::seconds(1);
    JavaEvent::new("LB.CREATE", 2, at(23, 2, 0), 601, "lb").insert(db);
    JavaEvent::new("LB.DELETE", 2, at(23, 5, 0), 601, "lb").insert(db);
    JavaEvent::new("NET.RULEADD", 2, at(23, 22, 0), 701, "pf").insert(db);
    let sg = |kind, hour| JavaEvent {
        offering: Some(9),
        ..JavaEvent::new(kind, 2, at(23, hour, 0), 800, "vm")
    };
    sg("SG.ASSIGN", 0).insert(db);
    sg("SG.REMOVE", 6).insert(db);
    // NIC 55 on offering 11: 10:00–12:00, then from 14:00 on; a removal naming another NIC
    // changes nothing.
    let nic = |kind, hour, nic| JavaEvent {
        offering: Some(11),
        size: Some(1),
        ..JavaEvent::new(kind, 2, at(23, hour, 0), 800, nic)
    };
    nic("NETWORK.OFFERING.ASSIGN", 10, "55").insert(db);
    nic("NETWORK.OFFERING.REMOVE", 12, "55").insert(db);
    nic("NETWORK.OFFERING.ASSIGN", 14, "55").insert(db);
    nic("NETWORK.OFFERING.REMOVE", 15, "56").insert(db);
    JavaEvent::new("VPN.USER.ADD", 2, at(23, 3, 0), 900, "alice").insert(db);
    JavaEvent::new("VPN.USER.REMOVE", 2, at(23, 4, 0), 900, "alice").insert(db);
    run(db, day(23), Duration::days(1));

    let mut got: Vec<_> = of_types(
        db,
        &[
            UsageType::SecurityGroup,
            UsageType::LoadBalancerPolicy,
            UsageType::PortForwardingRule,
            UsageType::NetworkOffering,
            UsageType::VpnUsers,
        ],
    )
    .iter()
    .map(fields)
    .collect();
    got.sort_by_key(|f| f.0.map(|t| t.value()));
    let row = |t, desc: &str, display: &str, ms, usage_id, vm, offering| {
        (
            Some(t),
            1,
            desc.to_owned(),
            display.to_owned(),
            hours(ms),
            Some(usage_id),
            None,
            None,
            None,
            vm,
            offering,
        )
    };
    assert_eq!(
        got,
        vec![
            row(
                UsageType::SecurityGroup,
                "Security Group: 9 for Vm : 800 usage time",
                "6 Hrs",
                21_600_001,
                9,
                Some(800),
                None
            ),
            row(
                UsageType::LoadBalancerPolicy,
                "Load Balancing Policy: 601 usage time",
                "3 Hrs",
                10_800_001,
                601,
                None,
                None
            ),
            row(
                UsageType::PortForwardingRule,
                "Port Forwarding Rule: 701 usage time",
                "2 Hrs",
                7_200_000,
                701,
                None,
                None
            ),
            // 10:00–12:00 inclusive plus 14:00 to the end; usage_id says "default NIC".
            row(
                UsageType::NetworkOffering,
                "Network offering:11 for Vm : 800 usage time",
                "12 Hrs",
                43_200_001,
                1,
                Some(800),
                Some(11)
            ),
            // Java ends a VPN user's row when it applies the removal, not at the event's
            // time: the run happens after the day, so the whole rest of it is billed.
            row(
                UsageType::VpnUsers,
                "VPN User: alice, Id: 900 usage time",
                "21 Hrs",
                75_600_000,
                900,
                None,
                None
            ),
        ]
    );
    let vpn_end: chrono::NaiveDateTime = db
        .usage()
        .run(|c| {
            use cloudstack_db::schema::cloud_usage::usage_vpn_user as v;
            Ok(v::table.select(v::deleted.assume_not_null()).first(c)?)
        })
        .unwrap();
    assert!(vpn_end >= started.naive_utc() - Duration::seconds(1));
}

#[test]
fn public_templates_of_a_removed_account_stop_being_billed_at_its_removal() {
    let test = common::fresh();
    let db = test.database();
    let gone = account(db, "gone", Some(at(23, 12, 0)));
    db.cloud()
        .run(|c| {
            diesel::sql_query(format!(
                "INSERT INTO vm_template (id, unique_name, name, public, featured, hvm, bits, \
                   format, created, account_id, guest_os_id) \
                 VALUES (950, 'pub', 'pub', 1, 0, 1, 64, 'QCOW2', '2026-11-01 00:00:00', {gone}, 1)"
            ))
            .execute(c)?;
            Ok(())
        })
        .unwrap();
    JavaEvent {
        size: Some(GIB),
        virtual_size: Some(GIB),
        ..JavaEvent::new("TEMPLATE.CREATE", gone, at(23, 6, 0), 950, "pub")
    }
    .insert(db);
    run(db, day(23), Duration::days(1));
    // The day's record is computed before the row is ended (as Java does it)...
    let got = of_types(db, &[UsageType::Template]);
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].account_id.get(), got[0].raw_usage),
        (gone, hours(64_800_000))
    );
    // ...then the row ends at the removal, so the next day bills nothing.
    let ended: Option<chrono::NaiveDateTime> = db
        .usage()
        .run(|c| {
            use cloudstack_db::schema::cloud_usage::usage_storage as s;
            Ok(s::table.select(s::deleted).first(c)?)
        })
        .unwrap();
    assert_eq!(ended, Some(at(23, 12, 0).naive_utc()));
    run(db, day(24), Duration::days(1));
    assert_eq!(of_types(db, &[UsageType::Template]).len(), 1);
}

#[test]
fn networks_and_vpcs_are_billed_per_helper_row_with_its_state() {
    let test = common::fresh();
    let db = test.database();
    let network = |kind, hour, offering, state| JavaEvent {
        offering: Some(offering),
        resource_type: state,
        ..JavaEvent::new(kind, 2, at(23, hour, 0), 204, "net")
    };
    network("NETWORK.CREATE", 1, 10, None).insert(db);
    network("NETWORK.UPDATE", 7, 11, Some("Implemented")).insert(db);
    // A network that already has helper rows is not created again.
    network("NETWORK.CREATE", 8, 12, None).insert(db);
    network("NETWORK.DELETE", 10, 11, None).insert(db);
    JavaEvent::new("VPC.CREATE", 2, at(23, 18, 0), 31, "vpc").insert(db);
    // Created and deleted in one second: Java still writes a record, of 1 ms.
    JavaEvent::new("VPC.CREATE", 2, at(23, 2, 0), 32, "brief").insert(db);
    JavaEvent::new("VPC.DELETE", 2, at(23, 2, 0), 32, "brief").insert(db);
    run(db, day(23), Duration::days(1));

    let summary = |db| {
        let mut got: Vec<_> = of_types(db, &[UsageType::Network, UsageType::Vpc])
            .into_iter()
            .map(|r| {
                (
                    r.usage_type,
                    r.usage_id,
                    r.offering_id,
                    r.description,
                    r.usage_display,
                    r.raw_usage,
                    r.state,
                    r.size,
                    r.start_date,
                )
            })
            .collect();
        got.sort_by_key(|g| (g.8, g.0.map(|t| t.value()), g.1, g.2));
        got
    };
    let network_desc = |o| format!("Network usage for network ID: 204, network offering: {o}");
    let day23 = vec![
        (
            Some(UsageType::Network),
            Some(204),
            Some(10),
            network_desc(10),
            "6 Hrs".to_owned(),
            hours(21_600_001),
            Some("Allocated".to_owned()),
            Some(0),
            at(23, 0, 0),
        ),
        (
            Some(UsageType::Network),
            Some(204),
            Some(11),
            network_desc(11),
            "3 Hrs".to_owned(),
            hours(10_800_001),
            Some("Implemented".to_owned()),
            Some(0),
            at(23, 0, 0),
        ),
        (
            Some(UsageType::Vpc),
            Some(31),
            None,
            "VPC usage for VPC ID: 31".to_owned(),
            "6 Hrs".to_owned(),
            hours(21_600_000),
            None,
            Some(0),
            at(23, 0, 0),
        ),
        (
            Some(UsageType::Vpc),
            Some(32),
            None,
            "VPC usage for VPC ID: 32".to_owned(),
            "0 Hrs".to_owned(),
            hours(1),
            None,
            Some(0),
            at(23, 0, 0),
        ),
    ];
    assert_eq!(summary(db), day23);

    // The next day only the VPC is still there.
    run(db, day(24), Duration::days(1));
    let mut both = day23;
    both.push((
        Some(UsageType::Vpc),
        Some(31),
        None,
        "VPC usage for VPC ID: 31".to_owned(),
        "24 Hrs".to_owned(),
        hours(86_400_000),
        None,
        Some(0),
        at(24, 0, 0),
    ));
    assert_eq!(summary(db), both);
}

#[test]
fn backups_are_billed_per_assignment_with_the_last_metrics() {
    let test = common::fresh();
    let db = test.database();
    let backup = |kind, vm, hour| JavaEvent {
        offering: Some(5),
        ..JavaEvent::new(kind, 2, at(23, hour, 0), vm, "vm")
    };
    backup("BACKUP.OFFERING.ASSIGN", 1000, 4).insert(db);
    JavaEvent {
        size: Some(3 * GIB),
        virtual_size: Some(10 * GIB),
        ..backup("BACKUP.USAGE.METRIC", 1000, 5)
    }
    .insert(db);
    backup("BACKUP.OFFERING.BACKUPS.DEL", 1000, 16).insert(db);
    // Never measured: sizes are read as 0.
    backup("BACKUP.OFFERING.ASSIGN", 1001, 20).insert(db);
    run(db, day(23), Duration::days(1));

    let mut got: Vec<_> = of_types(db, &[UsageType::Backup])
        .iter()
        .map(fields)
        .collect();
    got.sort_by_key(|f| f.5);
    let row = |vm: u64, display: &str, ms, size, protected| {
        (
            Some(UsageType::Backup),
            1,
            format!("Backup usage VM ID: {vm}, backup offering: 5"),
            display.to_owned(),
            hours(ms),
            Some(vm),
            None,
            Some(size),
            Some(protected),
            Some(vm),
            Some(5),
        )
    };
    assert_eq!(
        got,
        vec![
            row(1000, "12 Hrs", 43_200_001, 3 * GIB, 10 * GIB),
            row(1001, "4 Hrs", 14_400_000, 0, 0),
        ]
    );
}
