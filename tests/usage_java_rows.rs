//! The usage job on histories written the way CloudStack's Java servers write them: plain
//! `cloud.usage_event` and `usage_event_details` rows (and `account` rows), each case's
//! records checked field by field against values worked out by hand — custom offerings,
//! hidden addresses, removed accounts, hourly windows across midnight, a leading remainder of a
//! minute or less, and events that arrive for time already billed.

mod common;

use chrono::Duration;
use cloudstack_db::usage::*;
use common::usage_rows::*;

#[test]
fn a_custom_offering_vm_is_billed_with_its_cpu_and_memory_per_offering() {
    let test = common::fresh();
    let db = test.database();
    let custom = [("cpuNumber", "4"), ("cpuSpeed", "2000"), ("memory", "8192")];
    vm_event(db, "VM.CREATE", 2, at(23, 10, 0), 500, 99, &custom);
    vm_event(db, "VM.START", 2, at(23, 11, 0), 500, 99, &custom);
    vm_event(db, "VM.STOP", 2, at(23, 13, 30), 500, 99, &custom);
    // Scaled down to a fixed offering at 20:00 (no details: cpu and memory NULL).
    vm_event(db, "VM.UPGRADE", 2, at(23, 20, 0), 500, 2, &[]);
    run(db, day(23), Duration::days(1));

    let got = records(db);
    let summary: Vec<_> = got
        .iter()
        .map(|r| {
            (
                r.usage_type,
                r.offering_id,
                r.cpu_cores,
                r.cpu_speed,
                r.memory,
                r.usage_display.as_str(),
                r.raw_usage,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            // 11:00–13:30 inclusive of its last millisecond.
            (
                Some(UsageType::RunningVm),
                Some(99),
                Some(4),
                Some(2000),
                Some(8192),
                "2.5 Hrs",
                hours(9_000_001)
            ),
            // 20:00–23:59:59.999 on offering 2, 10:00–20:00 on the custom one (records in
            // offering order).
            (
                Some(UsageType::AllocatedVm),
                Some(2),
                None,
                None,
                None,
                "4 Hrs",
                hours(14_400_000)
            ),
            (
                Some(UsageType::AllocatedVm),
                Some(99),
                Some(4),
                Some(2000),
                Some(8192),
                "10 Hrs",
                hours(36_000_001)
            ),
        ]
    );
    let r = &got[0];
    assert_eq!(
        (
            r.description.as_str(),
            r.vm_name.as_deref(),
            r.usage_id,
            r.resource_kind.as_deref(),
            r.account_id.get(),
            r.domain_id.get(),
            r.zone_id.get(),
            r.template_id.map(|t| t.get()),
        ),
        (
            "box running time (ServiceOffering: 99) (Template: 4)",
            Some("box"),
            Some(500),
            Some("KVM"),
            2,
            1,
            1,
            Some(4)
        )
    );
    assert_eq!(
        got[1].description,
        "box allocated (ServiceOffering: 2) (Template: 4)"
    );
    assert!(
        got.iter().all(|r| r.start_date == at(23, 0, 0)
            && r.end_date == at(23, 23, 59) + Duration::seconds(59))
    );
}

#[test]
fn a_hidden_address_is_billed_as_hidden() {
    let test = common::fresh();
    let db = test.database();
    event(
        db,
        "NET.IPASSIGN",
        2,
        at(23, 6, 0),
        70,
        "198.51.100.7",
        None,
        Some(0),
        Some(1),
        Some("VirtualNetwork"),
        &[("hidden", "true")],
    );
    event(
        db,
        "NET.IPASSIGN",
        2,
        at(23, 6, 0),
        71,
        "198.51.100.8",
        None,
        Some(1),
        Some(0),
        Some("VirtualNetwork"),
        &[("hidden", "false")],
    );
    event(
        db,
        "NET.IPRELEASE",
        2,
        at(23, 7, 0),
        71,
        "198.51.100.8",
        None,
        Some(1),
        Some(0),
        Some("VirtualNetwork"),
        &[],
    );
    run(db, day(23), Duration::days(1));
    let got: Vec<_> = records(db)
        .into_iter()
        .map(|r| {
            (
                r.usage_id,
                r.description,
                r.is_hidden,
                r.size,
                r.resource_kind,
                r.usage_display,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // Source NAT (size 1), not system (template 0), hidden; 06:00 to the day's end.
            (
                Some(70),
                "IPAddress: 198.51.100.7".into(),
                true,
                Some(0),
                Some("SourceNat".into()),
                "18 Hrs".into()
            ),
            // A system address (template 1) is billed with size 1; not source NAT: type "".
            (
                Some(71),
                "IPAddress: 198.51.100.8".into(),
                false,
                Some(1),
                Some(String::new()),
                "1 Hrs".into()
            ),
        ]
    );
}

#[test]
fn accounts_removed_more_than_three_days_before_the_run_are_not_billed() {
    let test = common::fresh();
    let db = test.database();
    let long_gone = account(db, "long-gone", Some(at(19, 12, 0)));
    let just_gone = account(db, "just-gone", Some(at(20, 12, 0)));
    for (acct, vm) in [(2, 600), (long_gone, 601), (just_gone, 602)] {
        vm_event(db, "VM.CREATE", acct, at(23, 0, 0), vm, 1, &[]);
    }
    run(db, day(23), Duration::days(1));
    // The run starts on the 23rd at 00:00: removed on the 20th at 12:00 is within three days.
    let billed: Vec<u64> = records(db).iter().map(|r| r.account_id.get()).collect();
    assert_eq!(billed, vec![2, just_gone]);
    // Both were mirrored into cloud_usage.account, as CloudStack's job does.
    let mirrored: i64 = db
        .usage()
        .run(|c| {
            cloudstack_db_testing::count(
                c,
                "SELECT COUNT(*) FROM account WHERE removed IS NOT NULL",
            )
        })
        .unwrap();
    assert_eq!(mirrored, 2);
}

#[test]
fn hourly_windows_cut_a_run_across_midnight() {
    let test = common::fresh();
    let db = test.database();
    vm_event(db, "VM.START", 2, at(23, 22, 30), 700, 1, &[]);
    vm_event(db, "VM.STOP", 2, at(24, 1, 15), 700, 1, &[]);
    let period = UsagePeriod::new(at(23, 22, 0), at(24, 2, 0) - Duration::milliseconds(1)).unwrap();
    let report = run(db, period, Duration::hours(1));
    assert_eq!(report.windows, 4);
    let got: Vec<_> = records(db)
        .into_iter()
        .map(|r| (r.start_date, r.usage_display, r.raw_usage))
        .collect();
    assert_eq!(
        got,
        vec![
            // 22:30:00.000–22:59:59.999, a whole hour, 00:00–01:15:00.000 inclusive.
            (at(23, 22, 0), "0.5 Hrs".to_owned(), hours(1_800_000)),
            (at(23, 23, 0), "1 Hrs".to_owned(), hours(3_600_000)),
            (at(24, 0, 0), "1 Hrs".to_owned(), hours(3_600_000)),
            (at(24, 1, 0), "0.25 Hrs".to_owned(), hours(900_001)),
        ]
    );
}

#[test]
fn a_leading_remainder_of_a_minute_or_less_is_billed_in_the_first_window() {
    let test = common::fresh();
    let db = test.database();
    vm_event(db, "VM.START", 2, at(23, 0, 0), 800, 1, &[]);
    // A day and 30 seconds: one window, not a day plus a 30-second one.
    let period = UsagePeriod::parse("2026-11-23", "2026-11-24 00:00:29").unwrap();
    let report = run(db, period, Duration::days(1));
    assert_eq!(report.windows, 1);
    let got = records(db);
    assert_eq!(got.len(), 1);
    // 23rd 00:00:00.000 to 24th 00:00:29.999, inclusive: 86 430 000 ms.
    assert_eq!(got[0].raw_usage, hours(86_430_000));
    assert_eq!(got[0].usage_display, "24.008333 Hrs");
    assert_eq!(
        (got[0].start_date, got[0].end_date),
        (at(23, 0, 0), at(24, 0, 0) + Duration::seconds(29))
    );
}

#[test]
fn an_event_arriving_for_time_already_billed_moves_the_next_run_back_to_it() {
    let test = common::fresh();
    let db = test.database();
    run(db, day(23), Duration::days(1));
    // Written late (after the 23rd was billed) for 15:00 on the 23rd.
    vm_event(db, "VM.START", 2, at(23, 15, 0), 900, 1, &[]);
    vm_event(db, "VM.STOP", 2, at(24, 3, 0), 900, 1, &[]);
    let report = run(db, day(24), Duration::days(1));
    assert_eq!(
        report.period,
        Some(UsagePeriod::new(at(23, 15, 0), day(24).end()).unwrap())
    );
    assert_eq!(report.windows, 2);
    let got: Vec<_> = records(db)
        .into_iter()
        .map(|r| (r.start_date, r.end_date, r.usage_display))
        .collect();
    assert_eq!(
        got,
        vec![
            // 15:00 to the 23rd's end, then 00:00–03:00 inclusive.
            (
                at(23, 15, 0),
                at(23, 23, 59) + Duration::seconds(59),
                "9 Hrs".to_owned()
            ),
            (
                at(24, 0, 0),
                at(24, 23, 59) + Duration::seconds(59),
                "3 Hrs".to_owned()
            ),
        ]
    );
}
