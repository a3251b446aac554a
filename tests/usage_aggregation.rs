//! The usage job: a scripted two-day history driven through the repositories, aggregated day by
//! day and checked against hours computed by hand; re-runs, overlaps and concurrent runs.

mod common;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use cloudstack_db::Database;
use cloudstack_db::compute::{VmEvent, vms};
use cloudstack_db::db::{SchemaRelease, Tx, schema_release};
use cloudstack_db::network::public_ips::{self, AllocateRequest};
use cloudstack_db::repo::with_clock_at;
use cloudstack_db::storage::volumes::{self, VolumeSpec};
use cloudstack_db::storage::{VolumeEvent, VolumeType};
use cloudstack_db::types::*;
use cloudstack_db::types::{ImageFormat, ProvisioningType};
use cloudstack_db::usage::billing::{self, RecordFilter};
use cloudstack_db::usage::*;
use cloudstack_db_testing::count;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Unsigned};

const GIB: u64 = 1 << 30;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
}

/// Ids of what the scripted history created.
struct History {
    vm: VmId,
    root: VolumeId,
    data: VolumeId,
    ip_overnight: (IpAddressId, String),
    ip_source_nat: (IpAddressId, String),
}

/// Day 23 and 24 of November 2026, through the repositories with a scripted clock:
/// - VM `web`: created 23rd 08:00, running 09:00–22:30 and 23:00–(24th) 02:15, destroyed
///   24th 20:00 (its ROOT volume goes with it);
/// - DATA volume: 5 GiB from 23rd 10:00, resized to 20 GiB at 18:00, deleted 24th 06:00;
/// - an address held 90 minutes over midnight (23:15–00:45), and a source NAT address held 90
///   minutes on the 24th (10:00–11:30).
fn script(db: &Database) -> History {
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn).id;
    common::public_range(conn, db, zone);
    let spec = common::vm_spec(zone, "web");
    let vol = |name: &str, kind, vm, device, offering, template, size| VolumeSpec {
        name: name.to_owned(),
        account_id: AccountId(2),
        domain_id: DomainId(1),
        zone_id: zone,
        volume_type: kind,
        disk_offering_id: DiskOfferingId(offering),
        template_id: template,
        size,
        instance_id: Some(vm),
        device_id: Some(device),
        format: Some(ImageFormat::Qcow2),
        provisioning_type: ProvisioningType::Thin,
        display_volume: true,
    };
    let (vm, root) = with_clock_at(at(23, 8, 0), || {
        let vm = Tx::run(conn, db, None, |tx| vms::create(tx, &spec))
            .unwrap()
            .instance;
        let root = Tx::run(conn, db, None, |tx| {
            volumes::create(
                tx,
                &vol(
                    "ROOT-web",
                    VolumeType::Root,
                    vm.id,
                    0,
                    1,
                    Some(TemplateId(4)),
                    8 * GIB,
                ),
            )
        })
        .unwrap();
        (vm, root)
    });
    let run = |conn: &mut MysqlConnection, vm, when, events: &[VmEvent]| {
        with_clock_at(when, || {
            events.iter().fold(vm, |vm, e| {
                Tx::run(conn, &db, None, |tx| {
                    vms::transition(tx, &vm, *e, Some(Some(11)))
                })
                .unwrap()
            })
        })
    };
    let start = [VmEvent::StartRequested, VmEvent::OperationSucceeded];
    let stop = [VmEvent::StopRequested, VmEvent::OperationSucceeded];
    let vm = run(conn, vm, at(23, 9, 0), &start);
    let data = with_clock_at(at(23, 10, 0), || {
        let data = Tx::run(conn, db, None, |tx| {
            volumes::create(
                tx,
                &vol("DATA-web", VolumeType::DataDisk, vm.id, 1, 3, None, 5 * GIB),
            )
        })
        .unwrap();
        let creating = Tx::run(conn, &db, None, |tx| {
            volumes::transition(tx, &data, VolumeEvent::CreateRequested)
        })
        .unwrap();
        Tx::run(conn, &db, None, |tx| {
            volumes::transition(tx, &creating, VolumeEvent::OperationSucceeded)
        })
        .unwrap()
    });
    let data = with_clock_at(at(23, 18, 0), || {
        Tx::run(conn, &db, None, |tx| volumes::resize(tx, &data, 20 * GIB)).unwrap()
    });
    let vm = run(conn, vm, at(23, 22, 30), &stop);
    let vm = run(conn, vm, at(23, 23, 0), &start);
    let request = AllocateRequest::for_account(zone, AccountId(2), DomainId(1));
    let overnight = with_clock_at(at(23, 23, 15), || {
        Tx::run(conn, &db, None, |tx| public_ips::allocate(tx, &request)).unwrap()
    });
    let vm = run(conn, vm, at(24, 2, 15), &stop);
    with_clock_at(at(24, 0, 45), || {
        Tx::run(conn, &db, None, |tx| public_ips::release(tx, &overnight)).unwrap()
    });
    with_clock_at(at(24, 6, 0), || {
        let detached = Tx::run(conn, &db, None, |tx| volumes::detach(tx, &data)).unwrap();
        Tx::run(conn, &db, None, |tx| volumes::destroy(tx, &detached)).unwrap();
    });
    let snat_request = AllocateRequest {
        source_nat: true,
        ..request
    };
    let snat = with_clock_at(at(24, 10, 0), || {
        Tx::run(conn, &db, None, |tx| {
            public_ips::allocate(tx, &snat_request)
        })
        .unwrap()
    });
    with_clock_at(at(24, 11, 30), || {
        Tx::run(conn, &db, None, |tx| public_ips::release(tx, &snat)).unwrap()
    });
    with_clock_at(at(24, 20, 0), || {
        Tx::run(conn, &db, None, |tx| {
            vms::transition(tx, &vm, VmEvent::DestroyRequested, None)
        })
        .unwrap()
    });
    History {
        vm: vm.id,
        root: root.id,
        data: data.id,
        ip_overnight: (overnight.id, overnight.public_ip_address.clone()),
        ip_source_nat: (snat.id, snat.public_ip_address.clone()),
    }
}

fn aggregate_days(db: &Database, first: u32, last: u32) -> AggregationReport {
    let options = AggregationOptions::for_period(UsagePeriod::days(day(first), day(last)));
    aggregate(db, &options, &mut |_| {}).unwrap()
}

fn records(db: &Database) -> Vec<UsageRecord> {
    use cloudstack_db::schema::cloud_usage::cloud_usage;
    db.usage()
        .run(|conn| {
            Ok(cloud_usage::table
                .order((
                    cloud_usage::start_date,
                    cloud_usage::usage_type,
                    cloud_usage::usage_id,
                    cloud_usage::size,
                    cloud_usage::type_,
                ))
                .select(UsageRecord::as_select())
                .load(conn)?)
        })
        .unwrap()
}

/// One expected record: usage type, resource, description, display, hours (to 1e-5), size,
/// `type` column.
type Expected = (
    UsageType,
    u64,
    String,
    &'static str,
    f64,
    Option<u64>,
    Option<&'static str>,
);

fn check_day(records: &[&UsageRecord], d: u32, expected: &[Expected]) {
    assert_eq!(
        records.len(),
        expected.len(),
        "records of the {d}th: {:#?}",
        records.iter().map(|r| &r.description).collect::<Vec<_>>()
    );
    for (r, (kind, usage_id, description, display, hours, size, type_)) in
        records.iter().zip(expected)
    {
        let what = format!("{d}th {description}");
        assert_eq!(r.usage_type, Some(*kind), "{what}");
        assert_eq!(r.usage_id, Some(*usage_id), "{what}");
        assert_eq!(&r.description, description, "{what}");
        assert_eq!(r.usage_display, *display, "{what}");
        assert!(
            (r.raw_usage - hours).abs() < 1e-5,
            "{what}: raw {}",
            r.raw_usage
        );
        assert_eq!(r.size, *size, "{what}");
        assert_eq!(r.resource_kind.as_deref(), *type_, "{what}");
        assert_eq!(
            (r.account_id, r.domain_id, r.zone_id.get() > 0),
            (AccountId(2), DomainId(1), true),
            "{what}"
        );
        assert_eq!(r.start_date, at(d, 0, 0), "{what}");
        assert_eq!(
            r.end_date,
            at(d, 23, 59) + chrono::Duration::seconds(59),
            "{what}"
        );
        assert!(!r.quota_calculated && !r.is_hidden, "{what}");
    }
}

#[test]
fn a_scripted_two_day_history_gives_the_hand_computed_records() {
    let test = common::fresh();
    assert_eq!(
        test.database().cloud().run(schema_release).unwrap(),
        SchemaRelease::V4_22_1
    );
    the_scripted_history_gives_the_hand_computed_records(test.database());
}

/// The same history on a CloudStack 4.22.0 database — no `vm_id` in `cloud.usage_event`,
/// `cloud_usage.usage_event` and `cloud_usage.usage_volume` — gives the same records.
#[test]
fn a_cloudstack_4_22_0_database_gives_the_same_records() {
    let test = common::fresh();
    let config = test.config_with(cloudstack_db_testing::test_pool_settings());
    let mut admin = cloudstack_db_testing::admin_connection().unwrap();
    diesel::sql_query(format!(
        "ALTER TABLE `{}`.usage_event DROP COLUMN vm_id",
        test.cloud_name()
    ))
    .execute(&mut admin)
    .unwrap();
    for table in ["usage_event", "usage_volume"] {
        diesel::sql_query(format!(
            "ALTER TABLE `{}`.{table} DROP COLUMN vm_id",
            test.usage_name()
        ))
        .execute(&mut admin)
        .unwrap();
    }
    let db = Database::connect(&config).unwrap();
    assert_eq!(
        db.cloud().run(schema_release).unwrap(),
        SchemaRelease::V4_22_0
    );
    assert_eq!(
        db.usage().run(schema_release).unwrap(),
        SchemaRelease::V4_22_0
    );
    the_scripted_history_gives_the_hand_computed_records(&db);
}

fn the_scripted_history_gives_the_hand_computed_records(db: &Database) {
    let h = script(db);

    let first = aggregate_days(db, 23, 23);
    let second = aggregate_days(db, 24, 24);
    assert!(matches!(first.outcome, AggregationOutcome::Aggregated(_)));
    assert!(matches!(second.outcome, AggregationOutcome::Aggregated(_)));
    // The first run copies every event created by the end of the 23rd; the second the rest.
    let total_events = db
        .cloud()
        .run(|c| count(c, "SELECT COUNT(*) FROM usage_event"))
        .unwrap() as u64;
    assert_eq!(first.events_copied + second.events_copied, total_events);
    assert_eq!(
        first.events.applied + first.events.ignored + second.events.applied + second.events.ignored,
        total_events
    );

    let all = records(db);
    let on = |d: u32| {
        all.iter()
            .filter(|r| r.start_date == at(d, 0, 0))
            .collect::<Vec<_>>()
    };
    let vm = h.vm.get();
    let running =
        |vm_name: &str| format!("{vm_name} running time (ServiceOffering: 1) (Template: 4)");
    let allocated =
        |vm_name: &str| format!("{vm_name} allocated (ServiceOffering: 1) (Template: 4)");
    let (ip1, addr1) = (&h.ip_overnight.0, &h.ip_overnight.1);
    let (ip2, addr2) = (&h.ip_source_nat.0, &h.ip_source_nat.1);
    assert_eq!(
        h.ip_overnight, h.ip_source_nat,
        "the range hands out its lowest free address both times"
    );
    // Hours by hand. Every span counts one extra millisecond (CloudStack's inclusive end); a
    // span clipped at the day's end stops at 23:59:59.999, so it comes out round.
    check_day(
        &on(23),
        23,
        &[
            // 09:00–22:30 (13.5 h + 1 ms) + 23:00–24:00 (1 h) = 14.5 h
            (
                UsageType::RunningVm,
                vm,
                running("web"),
                "14.5 Hrs",
                14.5,
                None,
                Some("KVM"),
            ),
            // 08:00–24:00
            (
                UsageType::AllocatedVm,
                vm,
                allocated("web"),
                "16 Hrs",
                16.0,
                None,
                Some("KVM"),
            ),
            // 23:15–24:00
            (
                UsageType::IpAddress,
                ip1.get(),
                format!("IPAddress: {addr1}"),
                "0.75 Hrs",
                0.75,
                Some(0),
                Some(""),
            ),
            // ROOT 08:00–24:00 (template volume); DATA 5 GiB 10:00–18:00, 20 GiB 18:00–24:00
            (
                UsageType::Volume,
                h.root.get(),
                format!("Volume Id: {} usage time (Template: 4)", h.root.get()),
                "16 Hrs",
                16.0,
                Some(8 * GIB),
                None,
            ),
            (
                UsageType::Volume,
                h.data.get(),
                format!("Volume Id: {} usage time (DiskOffering: 3)", h.data.get()),
                "8 Hrs",
                8.0,
                Some(5 * GIB),
                None,
            ),
            (
                UsageType::Volume,
                h.data.get(),
                format!("Volume Id: {} usage time (DiskOffering: 3)", h.data.get()),
                "6 Hrs",
                6.0,
                Some(20 * GIB),
                None,
            ),
        ],
    );
    check_day(
        &on(24),
        24,
        &[
            // 00:00–02:15
            (
                UsageType::RunningVm,
                vm,
                running("web"),
                "2.25 Hrs",
                2.25,
                None,
                Some("KVM"),
            ),
            // 00:00–20:00
            (
                UsageType::AllocatedVm,
                vm,
                allocated("web"),
                "20 Hrs",
                20.0,
                None,
                Some("KVM"),
            ),
            // One address, held 00:00–00:45 and again (as source NAT) 10:00–11:30: CloudStack
            // sums an address's rows into one record, typed by the last row.
            (
                UsageType::IpAddress,
                ip2.get(),
                format!("IPAddress: {addr2}"),
                "2.25 Hrs",
                2.25,
                Some(0),
                Some("SourceNat"),
            ),
            // ROOT 00:00–20:00; DATA 20 GiB 00:00–06:00
            (
                UsageType::Volume,
                h.root.get(),
                format!("Volume Id: {} usage time (Template: 4)", h.root.get()),
                "20 Hrs",
                20.0,
                Some(8 * GIB),
                None,
            ),
            (
                UsageType::Volume,
                h.data.get(),
                format!("Volume Id: {} usage time (DiskOffering: 3)", h.data.get()),
                "6 Hrs",
                6.0,
                Some(20 * GIB),
                None,
            ),
        ],
    );
    // The VM records carry the VM's fields.
    let r = on(23)[0];
    assert_eq!(
        (
            r.vm_instance_id,
            r.vm_name.as_deref(),
            r.offering_id,
            r.template_id
        ),
        (Some(h.vm), Some("web"), Some(1), Some(TemplateId(4)))
    );
    // Exactly the float CloudStack stores: 2 h 15 min + 1 ms in single precision.
    assert_eq!(
        on(24)[0].raw_usage,
        f64::from(8_100_001f32 / 1000f32 / 60f32 / 60f32)
    );
    assert_ne!(on(24)[0].raw_usage, 2.25);

    // Every event was processed once; each helper row is closed where the history closed it.
    let usage = &mut *db.usage().get().unwrap();
    let count = |c: &mut MysqlConnection, sql| cloudstack_db_testing::count(c, sql).unwrap();
    assert_eq!(
        count(
            usage,
            "SELECT COUNT(*) FROM usage_event WHERE processed = 0"
        ),
        0
    );
    assert_eq!(
        count(usage, "SELECT COUNT(*) FROM usage_vm_instance"),
        3,
        "two running spans, one allocated span"
    );
    assert_eq!(
        count(
            usage,
            "SELECT COUNT(*) FROM usage_vm_instance WHERE end_date IS NULL"
        ),
        0
    );
    assert_eq!(
        count(
            usage,
            "SELECT COUNT(*) FROM usage_volume WHERE deleted IS NULL"
        ),
        0
    );
    assert_eq!(
        count(
            usage,
            "SELECT COUNT(*) FROM usage_ip_address WHERE released IS NULL"
        ),
        0
    );
    assert_eq!(
        count(usage, "SELECT COUNT(*) FROM usage_job WHERE success = 1"),
        2
    );
    assert_eq!(
        count(
            usage,
            "SELECT COUNT(*) FROM usage_job WHERE job_type = 0 AND pid IS NOT NULL AND host LIKE 'cloudstack-db@%' AND start_date = '2026-11-24 00:00:00' AND end_date = '2026-11-24 23:59:59' AND end_millis - start_millis = 86399999"
        ),
        1
    );
    // The recurring job goes on: one open row, this runner's, for the next run.
    assert_eq!(
        count(
            usage,
            "SELECT COUNT(*) FROM usage_job WHERE end_millis = 0 AND job_type = 0 AND success IS NULL AND host LIKE 'cloudstack-db@%'"
        ),
        1
    );
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Checksum {
    #[diesel(sql_type = Text, column_name = "Table")]
    table: String,
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>, column_name = "Checksum")]
    checksum: Option<u64>,
}

/// Checksums of every table the usage job writes, with row counts.
fn usage_state(db: &Database) -> Vec<(String, Option<u64>, i64)> {
    let tables = [
        "cloud_usage",
        "usage_vm_instance",
        "usage_volume",
        "usage_ip_address",
        "usage_event",
    ];
    db.usage()
        .run(|conn| {
            let sums: Vec<Checksum> =
                diesel::sql_query(format!("CHECKSUM TABLE {}", tables.join(", "))).load(conn)?;
            sums.into_iter()
                .zip(tables)
                .map(|(c, t)| {
                    Ok((
                        c.table,
                        c.checksum,
                        count(conn, &format!("SELECT COUNT(*) FROM {t}"))?,
                    ))
                })
                .collect()
        })
        .unwrap()
}

/// Every record as comparable values (ids left out).
fn record_values(db: &Database) -> Vec<String> {
    let mut rows: Vec<String> = records(db)
        .into_iter()
        .map(|r| {
            format!(
                "{}|{}|{}|{}|{}|{:?}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}",
                r.zone_id.get(),
                r.account_id.get(),
                r.domain_id.get(),
                r.description,
                r.usage_display,
                r.usage_type,
                r.raw_usage,
                r.vm_instance_id,
                r.vm_name,
                r.offering_id,
                r.template_id,
                r.usage_id,
                r.resource_kind,
                r.size,
                r.start_date,
                r.end_date
            )
        })
        .collect();
    rows.sort();
    rows
}

/// A `usage_job` row without its heartbeat: id, host, start and end millis, success.
type JobRow = (u64, Option<String>, u64, u64, Option<bool>);

/// `usage_job` rows without their heartbeat (a claim refreshes it).
fn jobs(db: &Database) -> Vec<JobRow> {
    use cloudstack_db::schema::cloud_usage::usage_job;
    db.usage()
        .run(|conn| {
            Ok(usage_job::table
                .order(usage_job::id)
                .select(UsageJob::as_select())
                .load(conn)?
                .into_iter()
                .map(|j| (j.id.get(), j.host, j.start_millis, j.end_millis, j.success))
                .collect())
        })
        .unwrap()
}

#[test]
fn running_a_day_again_changes_nothing_and_overlaps_are_refused() {
    let test = common::fresh();
    let db = test.database();
    script(db);
    aggregate_days(db, 23, 23);
    aggregate_days(db, 24, 24);
    let before = usage_state(db);
    assert!(before.iter().all(|(_, sum, _)| sum.is_some()), "{before:?}");

    let jobs_before = jobs(db);
    // Every run starts where the last successful one ended: a day already billed, or both
    // days at once, leave nothing to do.
    for (first, last) in [(23, 23), (24, 24), (23, 24)] {
        let again = aggregate_days(db, first, last);
        assert_eq!(
            again.outcome,
            AggregationOutcome::UpToDate {
                billed_through: at(24, 23, 59) + chrono::Duration::milliseconds(59_999)
            },
            "{again:?}"
        );
        assert_eq!((again.events_copied, again.records_written), (0, 0));
    }
    assert_eq!(usage_state(db), before, "a second run wrote something");
    assert_eq!(jobs(db), jobs_before);
    let both = AggregationOptions::for_period(UsagePeriod::days(day(23), day(24)));

    // One run over both days (two one-day windows) gives the same records as two runs.
    let other = common::fresh();
    script(other.database());
    let report = aggregate(other.database(), &both, &mut |_| {}).unwrap();
    assert_eq!(report.windows, 2);
    assert_eq!(record_values(other.database()), record_values(db));
}

#[test]
fn two_runners_at_once_bill_a_period_once() {
    let test = common::fresh();
    let db = test.database();
    script(db);
    // Two runners on two hosts start together: the usage job lock orders their claims, the
    // first opens the job, the second finds it owned by a live runner and does nothing.
    let outcomes: Vec<AggregationOutcome> = std::thread::scope(|s| {
        let runs: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|host| {
                s.spawn(move || {
                    let options = AggregationOptions {
                        runner: RunnerIdentity {
                            host: format!("cloudstack-db@{host}"),
                            pid: std::process::id() as i32,
                        },
                        ..AggregationOptions::for_period(UsagePeriod::day(day(23)))
                    };
                    aggregate(db, &options, &mut |_| {}).unwrap().outcome
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let aggregated = outcomes
        .iter()
        .filter(|o| matches!(o, AggregationOutcome::Aggregated(_)))
        .count();
    let skipped = outcomes
        .iter()
        .filter(|o| matches!(o, AggregationOutcome::NotOwner(_)))
        .count();
    assert_eq!((aggregated, skipped), (1, 1), "{outcomes:?}");
    assert_eq!(records(db).len(), 6);
    let usage = &mut *db.usage().get().unwrap();
    assert_eq!(
        count(usage, "SELECT COUNT(*) FROM usage_job WHERE success = 1").unwrap(),
        1
    );
    assert_eq!(
        count(
            usage,
            "SELECT COUNT(*) FROM usage_event WHERE processed = 0 AND created < '2026-11-24'"
        )
        .unwrap(),
        0
    );
}

#[test]
fn billing_queries_sum_per_account_type_and_resource() {
    let test = common::fresh();
    let db = test.database();
    let h = script(db);
    aggregate_days(db, 23, 24);
    let conn = &mut *db.usage().get().unwrap();

    let mine = RecordFilter::account(AccountId(2));
    let page = billing::list_records(
        conn,
        &mine,
        &cloudstack_db::repo::PageRequest::first(5).with_total(),
    )
    .unwrap();
    assert_eq!(
        (page.items.len(), page.total, page.next.is_some()),
        (5, Some(11), true)
    );
    let rest = billing::list_records(
        conn,
        &mine,
        &cloudstack_db::repo::PageRequest::after(page.next.unwrap(), 50),
    )
    .unwrap();
    assert_eq!((rest.items.len(), rest.next), (6, None));

    let totals = billing::totals_by_account(conn, &RecordFilter::default()).unwrap();
    let hours = |t: UsageType| {
        totals
            .iter()
            .find(|x| x.usage_type == Some(t))
            .map(|x| (x.records, x.raw_usage))
    };
    let close = |got: Option<(i64, f64)>, records: i64, want: f64| {
        let (n, h) = got.unwrap();
        assert_eq!(n, records);
        assert!((h - want).abs() < 1e-4, "{h} vs {want}");
    };
    close(hours(UsageType::RunningVm), 2, 14.5 + 2.25);
    close(hours(UsageType::AllocatedVm), 2, 16.0 + 20.0);
    close(hours(UsageType::IpAddress), 2, 0.75 + 0.75 + 1.5);
    close(hours(UsageType::Volume), 5, 16.0 + 8.0 + 6.0 + 20.0 + 6.0);
    assert!(totals.iter().all(|t| t.account_id == AccountId(2)));

    let second_day = RecordFilter::account(AccountId(2)).within(UsagePeriod::day(day(24)));
    let data =
        billing::totals_by_resource(conn, &second_day.clone().of_type(UsageType::Volume)).unwrap();
    assert_eq!(
        data.iter()
            .map(|t| (t.usage_id, t.records))
            .collect::<Vec<_>>(),
        vec![(Some(h.root.get()), 1), (Some(h.data.get()), 1)]
    );
    // Usage ids are per type (VM 1, volume 1 and address 1 all exist here).
    let vm_day = billing::list_records(
        conn,
        &second_day
            .of_resource(h.vm.get())
            .of_type(UsageType::RunningVm),
        &cloudstack_db::repo::PageRequest::first(10),
    )
    .unwrap();
    assert_eq!(
        vm_day
            .items
            .iter()
            .map(|r| r.usage_display.as_str())
            .collect::<Vec<_>>(),
        vec!["2.25 Hrs"]
    );
    assert!(
        billing::list_records(
            conn,
            &RecordFilter::account(AccountId(99)),
            &cloudstack_db::repo::PageRequest::first(10)
        )
        .unwrap()
        .items
        .is_empty()
    );
}

/// A Java usage server, as its heartbeat acts on `usage_job` (`UsageManagerImpl.Heartbeat`,
/// SHARING.md §2a): under the job lock, it takes the newest open recurring row when the row is
/// its own or the row's heartbeat is more than five minutes old. Returns whether it holds the
/// row afterwards.
fn java_heartbeat(db: &Database, host: &str, pid: i32) -> bool {
    #[derive(QueryableByName)]
    struct Open {
        #[diesel(sql_type = Unsigned<BigInt>)]
        id: u64,
        #[diesel(sql_type = Nullable<Text>)]
        host: Option<String>,
        #[diesel(sql_type = Nullable<diesel::sql_types::Integer>)]
        pid: Option<i32>,
        #[diesel(sql_type = BigInt)]
        stale: i64,
    }
    let conn = &mut *db.usage().get().unwrap();
    assert_eq!(
        count(
            conn,
            "SELECT COALESCE(GET_LOCK('usage.job.heartbeat.check', 3), 0)"
        )
        .unwrap(),
        1
    );
    let open: Vec<Open> = diesel::sql_query(
        "SELECT id, host, pid, CAST(heartbeat < UTC_TIMESTAMP() - INTERVAL 5 MINUTE AS SIGNED) AS stale \
           FROM usage_job WHERE end_millis = 0 AND job_type = 0 ORDER BY id DESC LIMIT 1",
    )
    .load(conn)
    .unwrap();
    let mut holds = false;
    if let Some(row) = open.first() {
        let own = row.host.as_deref() == Some(host) && row.pid == Some(pid);
        if own || row.stale == 1 {
            diesel::sql_query(
                "UPDATE usage_job SET host = ?, pid = ?, heartbeat = UTC_TIMESTAMP(), scheduled = 0 WHERE id = ?",
            )
            .bind::<Text, _>(host)
            .bind::<diesel::sql_types::Integer, _>(pid)
            .bind::<Unsigned<BigInt>, _>(row.id)
            .execute(conn)
            .unwrap();
            holds = true;
        }
    }
    diesel::sql_query("DO RELEASE_LOCK('usage.job.heartbeat.check')")
        .execute(conn)
        .unwrap();
    holds
}

/// The pid of a process that has ended.
fn dead_pid() -> i32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id() as i32;
    child.wait().unwrap();
    pid
}

fn run_as(db: &Database, runner: &RunnerIdentity, first: u32, last: u32) -> AggregationReport {
    let options = AggregationOptions {
        runner: runner.clone(),
        ..AggregationOptions::for_period(UsagePeriod::days(day(first), day(last)))
    };
    aggregate(db, &options, &mut |_| {}).unwrap()
}

#[test]
fn the_job_passes_between_java_and_the_crate_and_killed_runs_without_billing_twice_or_skipping() {
    let reference = common::fresh();
    script(reference.database());
    aggregate_days(reference.database(), 23, 24);

    let test = common::fresh();
    let db = test.database();
    script(db);
    let (java_host, java_pid) = ("mgmt1.example/10.1.1.1", 4242);
    let usage = &mut *db.usage().get().unwrap();
    // A Java usage server runs: its open recurring row, its heartbeat fresh, and a one-off job
    // somebody asked it for.
    diesel::sql_query(format!(
        "INSERT INTO usage_job (host, pid, job_type, scheduled, heartbeat) VALUES \
         ('{java_host}', {java_pid}, 0, 0, UTC_TIMESTAMP()), ('{java_host}', {java_pid}, 1, 0, UTC_TIMESTAMP())"
    ))
    .execute(usage)
    .unwrap();

    // 1. Java is alive: the crate does nothing, not even copy an event.
    let me = RunnerIdentity::this_process();
    let first_process = RunnerIdentity {
        pid: dead_pid(),
        ..me.clone()
    };
    let report = run_as(db, &first_process, 23, 23);
    match &report.outcome {
        AggregationOutcome::NotOwner(owner) => {
            assert_eq!(
                (owner.host.as_deref(), owner.pid),
                (Some(java_host), Some(java_pid))
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(count(usage, "SELECT COUNT(*) FROM usage_event").unwrap(), 0);

    // 2. Java dies (heartbeat 6 minutes old): the crate takes the job over, drops Java's
    //    pending one-off row as Java's own takeover does, and bills the 23rd.
    diesel::sql_query("UPDATE usage_job SET heartbeat = UTC_TIMESTAMP() - INTERVAL 6 MINUTE")
        .execute(usage)
        .unwrap();
    let report = run_as(db, &first_process, 23, 23);
    assert!(
        matches!(report.outcome, AggregationOutcome::Aggregated(_)),
        "{report:?}"
    );
    assert_eq!(
        count(usage, "SELECT COUNT(*) FROM usage_job WHERE job_type = 1").unwrap(),
        0
    );

    // 3. A crate run of the 24th is killed after its helper tables committed, before its
    //    records: its row stays open, claimed by a process that is gone.
    let killed = RunnerIdentity {
        pid: dead_pid(),
        ..me.clone()
    };
    assert!(matches!(claim(usage, &killed).unwrap(), Claim::Owner(_)));
    let end_24 = UsagePeriod::day(day(24)).end();
    copy_new_events(db, end_24, 100, &mut |_| {}).unwrap();
    apply_pending_events(db, end_24, 100, &mut |_| {}).unwrap();
    assert_eq!(
        count(
            usage,
            "SELECT COUNT(*) FROM cloud_usage WHERE start_date >= '2026-11-24'"
        )
        .unwrap(),
        0
    );
    // Java cannot take it yet (the heartbeat is fresh); the next crate run resumes at once.
    assert!(!java_heartbeat(db, java_host, java_pid));
    let report = run_as(db, &me, 24, 24);
    assert!(
        matches!(report.outcome, AggregationOutcome::Aggregated(_)),
        "{report:?}"
    );
    assert_eq!(report.period, Some(UsagePeriod::day(day(24))));

    // 4. The crate hands over: Java's next heartbeat takes the job, and the crate then stays
    //    out of its way.
    assert!(!java_heartbeat(db, java_host, java_pid));
    assert_eq!(hand_over(usage, &me).unwrap(), 1);
    assert!(java_heartbeat(db, java_host, java_pid));
    let java = RunnerIdentity {
        host: java_host.to_owned(),
        pid: java_pid,
    };
    // (Java's run of the 25th, under its identity.)
    let report = run_as(db, &java, 25, 25);
    assert!(
        matches!(report.outcome, AggregationOutcome::Aggregated(_)),
        "{report:?}"
    );
    assert!(matches!(
        run_as(db, &me, 26, 26).outcome,
        AggregationOutcome::NotOwner(_)
    ));

    // 5. Java stops cleanly (it deletes its open rows): the crate opens the job again and
    //    bills on from where Java stopped.
    diesel::sql_query(format!(
        "DELETE FROM usage_job WHERE end_millis = 0 AND host = '{java_host}'"
    ))
    .execute(usage)
    .unwrap();
    let report = run_as(db, &me, 26, 26);
    assert_eq!(report.period, Some(UsagePeriod::day(day(26))));

    // Four successful runs, each starting one millisecond after the previous one ended, and
    // exactly the records of one uninterrupted run.
    let done: Vec<(u64, u64)> = jobs(db)
        .into_iter()
        .filter(|j| j.4 == Some(true))
        .map(|j| (j.2, j.3))
        .collect();
    assert_eq!(done.len(), 4, "{done:?}");
    assert_eq!(done[0].0, UsagePeriod::day(day(23)).start_millis() as u64);
    for pair in done.windows(2) {
        assert_eq!(pair[1].0, pair[0].1 + 1, "{done:?}");
    }
    assert_eq!(done[3].1, UsagePeriod::day(day(26)).end_millis() as u64);
    assert_eq!(record_values(db), record_values(reference.database()));
    assert_eq!(
        count(
            usage,
            "SELECT COUNT(*) FROM usage_event WHERE processed = 0"
        )
        .unwrap(),
        0
    );
}
