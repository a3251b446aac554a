//! `usage::verify`: a period recomputed from the helper tables without writing anything and
//! compared with the records in `cloud_usage` — none differ on the runner's own output, and a
//! changed, a deleted and a foreign record are each named with their account, type and
//! resource.

mod common;

use chrono::Duration;
use cloudstack_db::Database;
use cloudstack_db::usage::*;
use common::usage_rows::*;
use diesel::prelude::*;

fn history(db: &Database) {
    vm_event(db, "VM.CREATE", 2, at(23, 1, 0), 500, 1, &[]);
    vm_event(db, "VM.START", 2, at(23, 2, 0), 500, 1, &[]);
    vm_event(db, "VM.STOP", 2, at(23, 14, 30), 500, 1, &[]);
    JavaEvent {
        offering: Some(3),
        size: Some(1 << 30),
        ..JavaEvent::new("VOLUME.CREATE", 2, at(23, 1, 0), 700, "root")
    }
    .insert(db);
    JavaEvent::new("NET.IPASSIGN", 2, at(23, 3, 0), 41, "10.1.1.41").insert(db);
    JavaEvent::new("LB.CREATE", 2, at(23, 8, 0), 601, "lb").insert(db);
    JavaEvent {
        size: Some(1 << 31),
        virtual_size: Some(1 << 32),
        template: Some(4),
        ..JavaEvent::new("TEMPLATE.CREATE", 2, at(23, 5, 0), 201, "tpl")
    }
    .insert(db);
    JavaEvent {
        offering: Some(10),
        ..JavaEvent::new("NETWORK.CREATE", 2, at(23, 4, 0), 204, "net")
    }
    .insert(db);
    // VM snapshots are left out of the check (their parser consumes its rows).
    JavaEvent {
        template: Some(700),
        size: Some(1 << 20),
        ..JavaEvent::new("VMSNAPSHOT.CREATE", 2, at(23, 9, 0), 500, "vs")
    }
    .insert(db);
    db.cloud()
        .run(|c| {
            diesel::sql_query(
                "INSERT INTO user_statistics (data_center_id, account_id, public_ip_address, \
                   device_id, device_type, network_id, agg_bytes_sent, agg_bytes_received) \
                 VALUES (1, 2, '10.1.1.41', 5, 'DomainRouter', 204, 900, 1200)",
            )
            .execute(c)?;
            Ok(())
        })
        .unwrap();
}

fn usage_exec(db: &Database, sql: &str) -> usize {
    db.usage()
        .run(|c| Ok(diesel::sql_query(sql).execute(c)?))
        .unwrap()
}

#[test]
fn verify_finds_nothing_on_the_runners_own_output_and_names_every_altered_record() {
    let test = common::fresh();
    let db = test.database();
    history(db);
    let six_hours = Duration::hours(6);
    run(db, day(23), six_hours);

    let clean = verify(db, day(23), six_hours).unwrap();
    assert_eq!(clean.windows, 4);
    assert!(clean.expected >= 15, "{clean:?}");
    assert_eq!(clean.found, clean.expected);
    assert_eq!(clean.differences, vec![]);
    // Nothing was written: the check can run again with the same answer.
    assert_eq!(verify(db, day(23), six_hours).unwrap(), clean);

    // One volume record billed an hour more, one load-balancer record gone, one record that
    // no history explains.
    let (volume_id, volume_start): (u64, chrono::NaiveDateTime) = db
        .usage()
        .run(|c| {
            use cloudstack_db::schema::cloud_usage::cloud_usage as u;
            Ok(u::table
                .filter(u::usage_type.eq(UsageType::Volume))
                .order(u::start_date.desc())
                .select((u::id, u::start_date))
                .first(c)?)
        })
        .unwrap();
    assert_eq!(
        usage_exec(
            db,
            &format!(
                "UPDATE cloud_usage SET raw_usage = 7, usage_display = '7 Hrs' WHERE id = {volume_id}"
            )
        ),
        1
    );
    assert_eq!(
        usage_exec(
            db,
            "DELETE FROM cloud_usage WHERE usage_type = 11 AND start_date = '2026-11-23 12:00:00'"
        ),
        1
    );
    usage_exec(
        db,
        "INSERT INTO cloud_usage (zone_id, account_id, domain_id, description, usage_display, \
           usage_type, raw_usage, usage_id, start_date, end_date) \
         VALUES (1, 2, 1, 'Port Forwarding Rule: 999 usage time', '6 Hrs', 12, 6, 999, \
                 '2026-11-23 18:00:00', '2026-11-23 23:59:59')",
    );

    let report = verify(db, day(23), six_hours).unwrap();
    let lines: Vec<String> = report.differences.iter().map(|d| d.to_string()).collect();
    assert_eq!(report.differences.len(), 3, "{lines:#?}");
    // In window order, then account, type and resource.
    let changed = &report.differences[1];
    assert_eq!(
        (
            changed.account_id.get(),
            changed.usage_type,
            changed.usage_id,
            changed.start.naive_utc()
        ),
        (2, Some(UsageType::Volume), Some(700), volume_start)
    );
    match &changed.difference {
        Difference::Changed { id, fields } => {
            assert_eq!(*id, volume_id);
            assert_eq!(
                fields,
                &vec![
                    ("usage_display", "6 Hrs".to_owned(), "7 Hrs".to_owned()),
                    ("raw_usage", "6.0".to_owned(), "7.0".to_owned()),
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(
            (&report.differences[0].usage_type, report.differences[0].usage_id, &report.differences[0].difference),
            (Some(UsageType::LoadBalancerPolicy), Some(601), Difference::Missing { expected })
                if expected == "Load Balancing Policy: 601 usage time, 6 Hrs"
        ),
        "{lines:#?}"
    );
    assert!(
        matches!(
            (
                &report.differences[2].usage_type,
                report.differences[2].usage_id,
                &report.differences[2].difference
            ),
            (
                Some(UsageType::PortForwardingRule),
                Some(999),
                Difference::Unexpected { .. }
            )
        ),
        "{lines:#?}"
    );
    assert_eq!(
        lines[0],
        "account 2 LOAD_BALANCER_POLICY resource 601 2026-11-23 12:00:00..2026-11-23 17:59:59: \
         missing (Load Balancing Policy: 601 usage time, 6 Hrs)"
    );
}
