//! What a usage run reports while it works: each phase (copy, helper tables, records) announces
//! its size before it starts, and its steps add up to that size and to the run's report.

mod common;

use chrono::Duration;
use cloudstack_db::usage::*;
use common::usage_rows::*;

#[test]
fn every_phase_announces_its_size_and_its_steps_add_up_to_it() {
    let test = common::fresh();
    let db = test.database();
    vm_event(db, "VM.CREATE", 2, at(23, 1, 0), 500, 1, &[]);
    vm_event(db, "VM.START", 2, at(23, 2, 0), 500, 1, &[]);
    vm_event(db, "VM.STOP", 2, at(23, 14, 30), 500, 1, &[]);
    JavaEvent::new("NET.IPASSIGN", 2, at(23, 3, 0), 41, "10.1.1.41").insert(db);
    JavaEvent::new("LB.CREATE", 2, at(23, 8, 0), 601, "lb").insert(db);

    let mut seen = Vec::new();
    let options = AggregationOptions {
        range: Duration::hours(6),
        // One event per helper batch, four per copy batch: every phase takes several steps.
        batch_size: 1,
        ..AggregationOptions::for_period(day(23))
    };
    let report = aggregate(db, &options, &mut |p| seen.push(p)).unwrap();
    assert!(matches!(report.outcome, AggregationOutcome::Aggregated(_)));

    let position = |wanted: &dyn Fn(&AggregationProgress) -> bool| {
        seen.iter().position(wanted).expect("reported")
    };
    let copying = position(&|p| matches!(p, AggregationProgress::Copying { .. }));
    let applying = position(&|p| matches!(p, AggregationProgress::Applying { .. }));
    let first_window = position(&|p| matches!(p, AggregationProgress::Window { .. }));
    assert!(copying < applying && applying < first_window, "{seen:?}");
    assert_eq!(seen[copying], AggregationProgress::Copying { total: 5 });
    assert_eq!(seen[applying], AggregationProgress::Applying { total: 5 });

    let copied: Vec<u64> = seen
        .iter()
        .filter_map(|p| match p {
            AggregationProgress::Copied(n) => Some(*n),
            _ => None,
        })
        .collect();
    assert_eq!(copied, vec![4, 1]);
    assert_eq!(report.events_copied, 5);

    let applied: Vec<u64> = seen
        .iter()
        .filter_map(|p| match p {
            AggregationProgress::Applied(b) => Some(b.applied + b.ignored),
            _ => None,
        })
        .collect();
    assert_eq!(applied, vec![1; 5]);
    assert!(seen[applying..first_window].iter().all(|p| matches!(
        p,
        AggregationProgress::Applied(_) | AggregationProgress::Applying { .. }
    )));

    let windows: Vec<(usize, usize)> = seen
        .iter()
        .filter_map(|p| match p {
            AggregationProgress::Window { index, windows } => Some((*index, *windows)),
            _ => None,
        })
        .collect();
    assert_eq!(windows, vec![(1, 4), (2, 4), (3, 4), (4, 4)]);
    let recorded: u64 = seen[first_window..]
        .iter()
        .map(|p| match p {
            AggregationProgress::Recorded(n) => *n,
            AggregationProgress::Window { .. } => 0,
            other => panic!("{other:?} after the records phase began"),
        })
        .sum();
    // The VM runs in three windows and is allocated in three; the address and the load
    // balancer are billed in every window from theirs on.
    assert!(report.records_written >= 8, "{report:?}");
    assert_eq!(recorded, report.records_written);
    assert_eq!(recorded, records(db).len() as u64);
}
