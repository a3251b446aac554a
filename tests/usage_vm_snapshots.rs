//! Usage types 25 and 27 on histories written the way CloudStack's Java servers write them:
//! VM snapshots billed from one snapshot of a volume to the next, and VM snapshots kept on
//! primary storage — records that start at a row's creation, and helper rows the run itself
//! marks, all checked against values worked out by hand.

mod common;

use chrono::{DateTime, Duration, Utc};
use cloudstack_db::usage::*;
use common::usage_rows::*;
use diesel::prelude::*;

const GIB: u64 = 1 << 30;

type Fields = (
    Option<UsageType>,
    String,
    String,
    f64,
    Option<u64>,
    Option<u64>,
    Option<u64>,
    Option<u64>,
    Option<String>,
    DateTime<Utc>,
    DateTime<Utc>,
);

fn of_type(db: &cloudstack_db::Database, t: UsageType) -> Vec<Fields> {
    let mut got: Vec<Fields> = records(db)
        .into_iter()
        .filter(|r| r.usage_type == Some(t))
        .map(|r| {
            (
                r.usage_type,
                r.description,
                r.usage_display,
                r.raw_usage,
                r.vm_instance_id.map(|v| v.get()),
                r.usage_id,
                r.size,
                r.virtual_size,
                r.vm_name,
                r.start_date,
                r.end_date,
            )
        })
        .collect();
    got.sort_by_key(|a| (a.9, a.4));
    got
}

fn end_of(d: u32) -> DateTime<Utc> {
    at(d, 23, 59) + Duration::seconds(59)
}

#[test]
fn vm_snapshots_are_billed_from_one_snapshot_of_a_volume_to_the_next() {
    let test = common::fresh();
    let db = test.database();
    let snapshot = |kind, vm, volume, d, hour, size, details| JavaEvent {
        offering: Some(3),
        template: Some(volume),
        size,
        details,
        ..JavaEvent::new(kind, 2, at(d, hour, 0), vm, "vmsnap")
    };
    snapshot(
        "VMSNAPSHOT.CREATE",
        1300,
        70,
        23,
        2,
        Some(GIB),
        &[("vmSnapshotId", "81")],
    )
    .insert(db);
    snapshot(
        "VMSNAPSHOT.CREATE",
        1300,
        70,
        23,
        8,
        Some(3 * GIB),
        &[("vmSnapshotId", "82")],
    )
    .insert(db);
    snapshot("VMSNAPSHOT.CREATE", 1301, 71, 23, 22, Some(GIB), &[]).insert(db);
    run(db, day(23), Duration::days(1));

    let desc = |id: &str, vm, volume, size: &str| {
        format!(
            "VMSnapshot Id: {id} Usage: VM Id: {vm} Volume Id: {volume}  DiskOffering: 3 Size: {size}"
        )
    };
    let one = "(1.00 GB) 1073741824";
    let three = "(3.00 GB) 3221225472";
    let row = |id, vm: u64, volume, size_text, display: &str, ms, usage_id, size, from, to| {
        (
            Some(UsageType::VmSnapshot),
            desc(id, vm, volume, size_text),
            display.to_owned(),
            hours(ms),
            Some(vm),
            usage_id,
            Some(size),
            None,
            None,
            from,
            to,
        )
    };
    let day23 = vec![
        // The first snapshot, 02:00 until the next one at 08:00, under the next one's id.
        row(
            "82",
            1300,
            70,
            one,
            "6 Hrs",
            21_600_001,
            Some(82),
            GIB,
            at(23, 2, 0),
            at(23, 8, 0),
        ),
        // The latest one, from its creation to the window's end.
        row(
            "82",
            1300,
            70,
            three,
            "16 Hrs",
            57_600_000,
            Some(82),
            3 * GIB,
            at(23, 8, 0),
            end_of(23),
        ),
        row(
            "null",
            1301,
            71,
            one,
            "2 Hrs",
            7_200_000,
            None,
            GIB,
            at(23, 22, 0),
            end_of(23),
        ),
    ];
    assert_eq!(of_type(db, UsageType::VmSnapshot), day23);
    // The first snapshot's row is done with; the others are still open.
    let processed = db
        .usage()
        .run(|c| {
            cloudstack_db_testing::count(
                c,
                "SELECT COUNT(*) FROM usage_vmsnapshot WHERE processed IS NOT NULL",
            )
        })
        .unwrap();
    assert_eq!(processed, 1);

    // VM 1301's snapshot is deleted on the 24th: Java marks its row processed, so that day
    // bills only VM 1300's latest snapshot, whole.
    snapshot("VMSNAPSHOT.DELETE", 1301, 71, 24, 6, None, &[]).insert(db);
    run(db, day(24), Duration::days(1));
    let mut both = day23;
    both.push(row(
        "82",
        1300,
        70,
        three,
        "24 Hrs",
        86_400_000,
        Some(82),
        3 * GIB,
        at(24, 0, 0),
        end_of(24),
    ));
    assert_eq!(of_type(db, UsageType::VmSnapshot), both);
}

#[test]
fn vm_snapshots_on_primary_storage_are_billed_from_creation_to_removal() {
    let test = common::fresh();
    let db = test.database();
    let on_primary = |kind, vm, name, hour, size, virtual_size, details| JavaEvent {
        size,
        virtual_size,
        details,
        ..JavaEvent::new(kind, 2, at(23, hour, 0), vm, name)
    };
    on_primary(
        "VMSNAPSHOT.ON_PRIMARY",
        1200,
        "snapA",
        3,
        Some(2 * GIB),
        Some(4 * GIB),
        &[("vmSnapshotId", "77")],
    )
    .insert(db);
    on_primary("VMSNAPSHOT.OFF_PRIMARY", 1200, "snapA", 9, None, None, &[]).insert(db);
    // No physical size: not billed, and the run ends its row.
    on_primary(
        "VMSNAPSHOT.ON_PRIMARY",
        1201,
        "snapB",
        10,
        Some(0),
        Some(GIB),
        &[],
    )
    .insert(db);
    on_primary(
        "VMSNAPSHOT.ON_PRIMARY",
        1202,
        "snapC",
        20,
        Some(GIB),
        Some(GIB),
        &[],
    )
    .insert(db);
    let before = Utc::now() - Duration::seconds(1);
    run(db, day(23), Duration::days(1));

    assert_eq!(
        of_type(db, UsageType::VmSnapshotOnPrimary),
        vec![
            (
                Some(UsageType::VmSnapshotOnPrimary),
                "VMSnapshot Id: 77 On Primary Usage: VM Id: 1200 Size: (4.00 GB) 4294967296"
                    .to_owned(),
                "6 Hrs".to_owned(),
                hours(21_600_001),
                Some(1200),
                Some(77),
                Some(2 * GIB),
                Some(4 * GIB),
                Some("snapA".to_owned()),
                at(23, 3, 0),
                at(23, 9, 0),
            ),
            (
                Some(UsageType::VmSnapshotOnPrimary),
                "VMSnapshot Id: null On Primary Usage: VM Id: 1202 Size: (1.00 GB) 1073741824"
                    .to_owned(),
                "4 Hrs".to_owned(),
                hours(14_400_000),
                Some(1202),
                None,
                Some(GIB),
                Some(GIB),
                Some("snapC".to_owned()),
                at(23, 20, 0),
                end_of(23),
            ),
        ]
    );
    let emptied: Option<chrono::NaiveDateTime> = db
        .usage()
        .run(|c| {
            use cloudstack_db::schema::cloud_usage::usage_snapshot_on_primary as sp;
            Ok(sp::table
                .filter(sp::vm_id.eq(1201))
                .select(sp::deleted)
                .first(c)?)
        })
        .unwrap();
    assert!(
        emptied.is_some_and(|t| t >= before.naive_utc() - Duration::seconds(1)),
        "{emptied:?}"
    );
}
