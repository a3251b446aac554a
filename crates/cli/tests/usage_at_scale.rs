//! The usage job on a generated history of many accounts: killed half-way and run again, it
//! ends where an uninterrupted run ends.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use chrono::NaiveDate;
use cloudstack_db::usage::{
    AggregationOptions, AggregationOutcome, AggregationProgress, UsagePeriod, aggregate,
};
use cloudstack_db_testing::{HistorySpec, count, generate_usage_history, test_pool_settings};

fn two_days() -> UsagePeriod {
    let d = |n| NaiveDate::from_ymd_opt(2026, 11, n).unwrap();
    UsagePeriod::days(d(23), d(24))
}

fn spec() -> HistorySpec {
    HistorySpec {
        accounts: 25,
        events: 20_000,
        ..HistorySpec::default()
    }
}

#[test]
fn a_run_killed_half_way_and_run_again_gives_the_records_of_an_uninterrupted_run() {
    // The reference: the same history aggregated in one go.
    let reference = common::fresh();
    let generated = generate_usage_history(reference.database(), &spec()).unwrap();
    assert!(
        generated.events >= 20_000 && generated.vms > 1000,
        "{generated:?}"
    );
    let mut applied_batches = 0u64;
    let clean = aggregate(
        reference.database(),
        &AggregationOptions::for_period(two_days()),
        &mut |p| {
            if let AggregationProgress::Applied(b) = p {
                applied_batches += b.applied + b.ignored;
            }
        },
    )
    .unwrap();
    assert!(matches!(clean.outcome, AggregationOutcome::Aggregated(_)));
    assert_eq!(
        applied_batches, generated.events,
        "every event applied once"
    );
    assert!(clean.records_written > 2 * generated.vms, "{clean:?}");

    // The same history, aggregated by the command line, which is killed mid-run.
    let test = common::fresh();
    let db = test.database();
    generate_usage_history(db, &spec()).unwrap();
    let config = test.config_with(test_pool_settings());
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloudstack-db"))
        .args([
            "usage",
            "--start",
            "2026-11-23",
            "--end",
            "2026-11-24",
            "--batch-size",
            "250",
        ])
        .env(
            "CLOUD_DATABASE_URL",
            config.cloud.target.diesel_url().expose(),
        )
        .env(
            "USAGE_DATABASE_URL",
            config.usage.target.diesel_url().expose(),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        // "applied N of M events": kill once a fifth is done.
        let done: Option<u64> = line
            .strip_prefix("applied ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok());
        if done.is_some_and(|n| n >= generated.events / 5) {
            child.kill().unwrap();
            break;
        }
    }
    child.wait().unwrap();
    drop(lines);
    let conn = &mut *db.usage().get().unwrap();
    let processed =
        count(conn, "SELECT COUNT(*) FROM usage_event WHERE processed = 1").unwrap() as u64;
    assert!(
        processed >= generated.events / 5 && processed < generated.events,
        "the kill landed mid-run: {processed} of {} processed; output {seen:?}",
        generated.events
    );
    assert_eq!(count(conn, "SELECT COUNT(*) FROM cloud_usage").unwrap(), 0);
    assert_eq!(
        count(conn, "SELECT COUNT(*) FROM usage_job WHERE success IS NULL").unwrap(),
        1,
        "the killed run's row stays open"
    );

    // Run again: it picks up where the batches stopped and ends where the reference ended.
    let again = aggregate(db, &AggregationOptions::for_period(two_days()), &mut |_| {}).unwrap();
    assert!(matches!(again.outcome, AggregationOutcome::Aggregated(_)));
    assert_eq!(
        again.events.applied + again.events.ignored + processed,
        generated.events
    );
    assert_eq!(again.records_written, clean.records_written);
    assert_eq!(
        common::usage_contents(db),
        common::usage_contents(reference.database())
    );
}
