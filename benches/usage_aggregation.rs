//! The usage job on 1 000 000 generated events (1 000 accounts, two days): events per second
//! through copy + helper tables, and for the whole run including the records.
//!
//! `cargo bench --bench usage_aggregation` (`CSDB_USAGE_BENCH_EVENTS` changes the count)
//!
//! A single timed run, not a criterion loop: one run is a minute of work on one dataset, and
//! its phases are reported separately.

use std::time::Instant;

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
}
