//! The usage job on a generated history of many accounts: killed half-way through its events,
//! or inside the transaction that writes its records, and run again, it ends where an
//! uninterrupted run ends.

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

/// `cloudstack-db usage` over [`two_days`] on `test`'s databases, its output piped.
fn usage_cli(test: &cloudstack_db_testing::TestDatabases) -> std::process::Child {
    usage_cli_with(test, &["--batch-size", "250"])
}

/// `cloudstack-db usage --start 2026-11-23 --end 2026-11-24 {extra}`, its output piped.
fn usage_cli_with(
    test: &cloudstack_db_testing::TestDatabases,
    extra: &[&str],
) -> std::process::Child {
    let config = test.config_with(test_pool_settings());
    Command::new(env!("CARGO_BIN_EXE_cloudstack-db"))
        .args(["usage", "--start", "2026-11-23", "--end", "2026-11-24"])
        .args(extra)
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
        .unwrap()
}

#[derive(diesel::QueryableByName)]
struct Held {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    held: i32,
}

#[test]
fn a_run_killed_inside_its_records_transaction_leaves_no_record_and_runs_again() {
    use diesel::RunQueryDsl;
    use diesel::connection::SimpleConnection;
    let reference = common::fresh();
    generate_usage_history(reference.database(), &spec()).unwrap();
    let clean = aggregate(
        reference.database(),
        &AggregationOptions::for_period(two_days()),
        &mut |_| {},
    )
    .unwrap();

    let test = common::fresh();
    let db = test.database();
    let generated = generate_usage_history(db, &spec()).unwrap();
    // The first record of the second window waits for a named lock the test holds (a trigger
    // asks for it): when the run says it writes that window, the first window's records are
    // written inside its records transaction, which cannot commit until the test lets go.
    let lock = format!("csdb_{}", test.usage_name());
    let mut blocker = cloudstack_db_testing::admin_connection().unwrap();
    blocker
        .batch_execute(&format!(
            "CREATE TRIGGER `{db}`.hold_second_window BEFORE INSERT ON `{db}`.cloud_usage \
             FOR EACH ROW SET @held = IF(NEW.start_date >= '2026-11-24', GET_LOCK('{lock}', 120), 0)",
            db = test.usage_name()
        ))
        .unwrap();
    let held: Vec<Held> = diesel::sql_query(format!("SELECT GET_LOCK('{lock}', 0) AS held"))
        .load(&mut blocker)
        .unwrap();
    assert_eq!(held[0].held, 1);
    let mut child = usage_cli(&test);
    let mut seen = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.starts_with("writing records of window 2 of") {
            child.kill().unwrap();
            break;
        }
    }
    child.wait().unwrap();
    blocker
        .batch_execute(&format!("DO RELEASE_LOCK('{lock}')"))
        .unwrap();
    assert!(
        seen.iter().any(|l| l.starts_with("writing records")),
        "the run reached its records: {seen:?}"
    );
    // Off a terminal every phase is announced with its size and counted up to it.
    let n = generated.events;
    for line in [
        format!("copying {n} event(s) from cloud"),
        format!("copied {n} of {n} events"),
        format!("applying {n} pending event(s)"),
        format!("applied {n} of {n} events"),
    ] {
        assert!(seen.contains(&line), "{line:?} in {seen:?}");
    }
    let conn = &mut *db.usage().get().unwrap();
    assert_eq!(
        count(conn, "SELECT COUNT(*) FROM usage_event WHERE processed = 1").unwrap() as u64,
        generated.events,
        "the helper tables were done before the records"
    );
    assert_eq!(count(conn, "SELECT COUNT(*) FROM cloud_usage").unwrap(), 0);
    assert_eq!(
        count(conn, "SELECT COUNT(*) FROM usage_job WHERE success IS NULL").unwrap(),
        1,
        "the killed run's row stays open"
    );

    let again = aggregate(db, &AggregationOptions::for_period(two_days()), &mut |_| {}).unwrap();
    assert!(matches!(again.outcome, AggregationOutcome::Aggregated(_)));
    assert_eq!(again.records_written, clean.records_written);
    assert_eq!(
        common::usage_contents(db),
        common::usage_contents(reference.database())
    );
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
    let mut child = usage_cli(&test);
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

#[test]
fn verify_on_a_generated_history_finds_nothing_then_names_an_altered_record() {
    let test = common::fresh();
    let db = test.database();
    generate_usage_history(db, &spec()).unwrap();
    aggregate(db, &AggregationOptions::for_period(two_days()), &mut |_| {}).unwrap();
    let records = db
        .usage()
        .run(|c| count(c, "SELECT COUNT(*) FROM cloud_usage"))
        .unwrap();
    assert!(records > 100, "{records}");

    let output = usage_cli_with(&test, &["--verify"])
        .wait_with_output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains(&format!(
            "{records} record(s) recomputed, {records} found, 0 difference(s)"
        )),
        "{text}"
    );

    let altered: i64 = db
        .usage()
        .run(|c| count(c, "SELECT MIN(id) FROM cloud_usage WHERE usage_type = 1"))
        .unwrap();
    db.usage()
        .run(|c| {
            use diesel::RunQueryDsl;
            diesel::sql_query(format!(
                "UPDATE cloud_usage SET raw_usage = raw_usage + 1 WHERE id = {altered}"
            ))
            .execute(c)?;
            Ok(())
        })
        .unwrap();
    let output = usage_cli_with(&test, &["--verify"])
        .wait_with_output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(1), "{text}");
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("account ")).collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].contains("RUNNING_VM")
            && lines[0].contains(&format!("record {altered} differs: raw_usage")),
        "{text}"
    );
    // Checking wrote nothing.
    assert_eq!(
        db.usage()
            .run(|c| count(c, "SELECT COUNT(*) FROM cloud_usage"))
            .unwrap(),
        records
    );
}
