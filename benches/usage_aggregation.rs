//! The usage job on 1 000 000 generated events (1 000 accounts, two days): events per second
//! through copy + helper tables, and for the whole run including the records.
//!
//! `cargo bench --bench usage_aggregation` (`CSDB_USAGE_BENCH_EVENTS` changes the count)
//!
//! A single timed run, not a criterion loop: one run is a minute of work on one dataset, and
//! its phases are reported separately.
//!
//! In the same run, the server's floor: the rows any runner keeping CloudStack's tables must
//! write, as three single set-based statements sent by hand (copy the events, mark them
//! processed, insert as many records as the run wrote) into scratch copies of those tables. No
//! runner on this server can be faster than that floor; the whole run is reported against it.

use std::time::Instant;

use diesel::connection::SimpleConnection;

use chrono::NaiveDate;
use cloudstack_db::usage::{AggregationOptions, AggregationProgress, UsagePeriod, aggregate};
use cloudstack_db_testing::{HistorySpec, TestDatabases, generate_usage_history};

fn main() {
    // `cargo bench` passes `--bench`; a filter that does not name this bench skips it.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if !args.is_empty()
        && !args
            .iter()
            .any(|a| "usage_aggregation".contains(a.as_str()))
    {
        return;
    }
    let events: u64 = std::env::var("CSDB_USAGE_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let test = TestDatabases::new().expect("test databases");
    let db = test.database();
    let started = Instant::now();
    let history = generate_usage_history(
        db,
        &HistorySpec {
            accounts: 1000,
            events,
            ..HistorySpec::default()
        },
    )
    .expect("history");
    println!(
        "usage_aggregation: generated {} events for {} VMs of {} accounts in {:.1}s",
        history.events,
        history.vms,
        history.accounts.len(),
        started.elapsed().as_secs_f64()
    );
    let d = |n| NaiveDate::from_ymd_opt(2026, 11, n).unwrap();
    let options = AggregationOptions::for_period(UsagePeriod::days(d(23), d(24)));
    let started = Instant::now();
    let mut intake_done = None;
    let report = aggregate(db, &options, &mut |p| {
        if let AggregationProgress::Window { index: 1, .. } = p {
            intake_done = Some(started.elapsed());
        }
    })
    .expect("aggregation");
    let intake = intake_done.expect("records phase reached").as_secs_f64();
    let total = report.elapsed.as_secs_f64();
    let applied = report.events.applied + report.events.ignored;
    println!(
        "usage_aggregation: copy + helper tables: {applied} events in {intake:.1}s = {:.0} events/s",
        applied as f64 / intake
    );
    println!(
        "usage_aggregation: records: {} rows for {} windows in {:.1}s",
        report.records_written,
        report.windows,
        total - intake
    );
    println!(
        "usage_aggregation: whole run: {:.1}s = {:.0} events/s",
        total,
        applied as f64 / total
    );
    let floor = server_floor(&test);
    println!(
        "usage_aggregation: server floor (copy {applied} events, mark them processed, insert {} \
         records; three set-based statements by hand): {floor:.1}s = at most {:.0} events/s; \
         whole run ÷ floor = {:.2}",
        report.records_written,
        applied as f64 / floor,
        total / floor
    );
}

/// Seconds the server takes for the writes every runner must do, as single statements on a
/// connection of its own: the events copied into an empty copy of `usage_event`, marked
/// processed there, and the run's records copied into an empty copy of `cloud_usage`.
fn server_floor(test: &TestDatabases) -> f64 {
    let mut conn = cloudstack_db_testing::admin_connection().expect("admin connection");
    let usage = test.usage_name();
    let cloud = test.cloud_name();
    let columns = "id, type, account_id, created, zone_id, resource_id, resource_name, \
                   offering_id, template_id, size, resource_type, virtual_size";
    conn.batch_execute(&format!(
        "CREATE TABLE `{usage}`.floor_events LIKE `{usage}`.usage_event; \
         CREATE TABLE `{usage}`.floor_records LIKE `{usage}`.cloud_usage"
    ))
    .expect("scratch tables");
    let started = Instant::now();
    for sql in [
        format!(
            "INSERT INTO `{usage}`.floor_events ({columns}) \
             SELECT {columns} FROM `{cloud}`.usage_event"
        ),
        format!("UPDATE `{usage}`.floor_events SET processed = 1"),
        format!("INSERT INTO `{usage}`.floor_records SELECT * FROM `{usage}`.cloud_usage"),
    ] {
        conn.batch_execute(&sql).expect("floor statement");
    }
    started.elapsed().as_secs_f64()
}
