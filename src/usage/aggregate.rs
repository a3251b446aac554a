//! The usage job: copy events, apply them to the helper tables, write the records of a period
//! and mark the period done — the records and the mark in one transaction.

use std::collections::HashMap;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};

use super::helper_tables::AppliedEvents;
use super::intake::{apply_pending_events, copy_new_events, pending_events};
use super::records::write_window_records;
use super::runs::{PeriodStatus, close_job, lock_period, open_job, period_status, this_host};
use super::{DEFAULT_AGGREGATION_RANGE, UsagePeriod};
use crate::db::RetryPolicy;
use crate::types::UsageJobId;
use crate::{Database, Error, Result};

/// What to aggregate and how.
///
/// ```
/// use cloudstack_db::usage::{AggregationOptions, UsagePeriod};
/// let options = AggregationOptions::for_period(UsagePeriod::last_full_day(chrono::Utc::now()));
/// assert_eq!(options.batch_size, 5000);
/// ```
#[derive(Debug, Clone)]
pub struct AggregationOptions {
    /// The span whose records are written.
    pub period: UsagePeriod,
    /// Length of the windows the period is cut into (CloudStack's
    /// `usage.stats.job.aggregation.range`, default one day); each window gets its own records.
    pub range: Duration,
    /// Events copied and applied per transaction.
    pub batch_size: usize,
}

impl AggregationOptions {
    /// `period` in windows of one day, 5000 events a batch.
    pub fn for_period(period: UsagePeriod) -> Self {
        Self {
            period,
            range: DEFAULT_AGGREGATION_RANGE,
            batch_size: 5000,
        }
    }
}

/// Where a run is, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregationProgress {
    /// `n` more events were copied from `cloud`.
    Copied(u64),
    /// About to apply `total` pending events.
    Applying {
        /// Events waiting to be applied.
        total: u64,
    },
    /// One batch of events was applied and committed.
    Applied(AppliedEvents),
    /// Records of window `index` (of `windows`) are being computed.
    Window {
        /// 1-based.
        index: usize,
        /// How many windows the period has.
        windows: usize,
    },
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregationOutcome {
    /// Records were written and the period marked done by this `usage_job` row.
    Aggregated(UsageJobId),
    /// The period had been aggregated already (by that job): nothing was written.
    AlreadyAggregated(UsageJobId),
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregationReport {
    /// The period.
    pub period: UsagePeriod,
    /// How it ended.
    pub outcome: AggregationOutcome,
    /// Events copied from `cloud` in this run.
    pub events_copied: u64,
    /// Events applied to helper tables, and events skipped, in this run.
    pub events: AppliedEvents,
    /// Windows the period was cut into.
    pub windows: usize,
    /// `cloud_usage` rows written.
    pub records_written: u64,
    /// Wall time.
    pub elapsed: StdDuration,
}

/// Runs the usage job for `options.period`: copies new events into `cloud_usage`, applies
/// every pending event up to the period's end to the helper tables (each batch exactly once,
/// committed as it goes), then writes the period's `cloud_usage` records and marks the period
/// successful in `usage_job` in a single transaction. A period already aggregated is left as
/// it is ([`AggregationOutcome::AlreadyAggregated`]); one that overlaps an aggregated period
/// is refused with [`Error::Conflict`]. A run that dies half-way leaves no records and can
/// simply be run again.
///
/// ```no_run
/// use cloudstack_db::usage::{aggregate, AggregationOptions, UsagePeriod};
/// let db = cloudstack_db::Database::from_env()?;
/// let day = UsagePeriod::last_full_day(chrono::Utc::now());
/// let report = aggregate(&db, &AggregationOptions::for_period(day), &mut |_| {})?;
/// println!("{} records", report.records_written);
/// # Ok::<(), cloudstack_db::Error>(())
/// ```
pub fn aggregate(
    db: &Database,
    options: &AggregationOptions,
    progress: &mut dyn FnMut(AggregationProgress),
) -> Result<AggregationReport> {
    let started_at = Instant::now();
    let period = options.period;
    let report = |outcome, events_copied, events, windows, records_written| AggregationReport {
        period,
        outcome,
        events_copied,
        events,
        windows,
        records_written,
        elapsed: started_at.elapsed(),
    };
    match db.usage().run(|conn| period_status(conn, &period))? {
        PeriodStatus::Done(job) => {
            return Ok(report(
                AggregationOutcome::AlreadyAggregated(job.id),
                0,
                AppliedEvents::default(),
                0,
                0,
            ));
        }
        PeriodStatus::Overlaps(job) => return Err(overlap_error(&period, &job)),
        PeriodStatus::Open => {}
    }
    let target = db.usage().target();
    let host = this_host(&target.host, target.port);
    let job = db.usage().run(|conn| open_job(conn, host))?;
    let started = Utc::now();
    let result = run_job(db, options, job, started, progress);
    match result {
        Ok((outcome, copied, events, windows, written)) => {
            Ok(report(outcome, copied, events, windows, written))
        }
        Err(err) => {
            // Best effort: the run's row says it failed (a dead connection may prevent it).
            let _ = db
                .usage()
                .run(|conn| close_job(conn, job, &period, started, false));
            Err(err)
        }
    }
}

type JobResult = (AggregationOutcome, u64, AppliedEvents, usize, u64);

fn run_job(
    db: &Database,
    options: &AggregationOptions,
    job: UsageJobId,
    started: chrono::DateTime<Utc>,
    progress: &mut dyn FnMut(AggregationProgress),
) -> Result<JobResult> {
    let period = options.period;
    let batch = options.batch_size.max(1);
    let copied = copy_new_events(db, period.end(), batch as u64 * 4, &mut |n| {
        progress(AggregationProgress::Copied(n))
    })?;
    let total = pending_events(db, period.end())?;
    progress(AggregationProgress::Applying { total });
    let events = apply_pending_events(db, period.end(), batch, &mut |b| {
        progress(AggregationProgress::Applied(*b))
    })?;
    let windows = period.windows(options.range);
    let mut domains = HashMap::new();
    let written = db
        .usage()
        .transaction_with_retry(&RetryPolicy::default(), |conn| {
            match lock_period(conn, &period)? {
                PeriodStatus::Open => {}
                PeriodStatus::Done(done) => {
                    return Ok(Err(AggregationOutcome::AlreadyAggregated(done.id)));
                }
                PeriodStatus::Overlaps(other) => return Err(overlap_error(&period, &other)),
            }
            let mut written = 0;
            for (i, window) in windows.iter().enumerate() {
                progress(AggregationProgress::Window {
                    index: i + 1,
                    windows: windows.len(),
                });
                written += write_window_records(db, conn, window, &mut domains)?;
            }
            close_job(conn, job, &period, started, true)?;
            Ok(Ok(written))
        })?;
    match written {
        Ok(written) => Ok((
            AggregationOutcome::Aggregated(job),
            copied,
            events,
            windows.len(),
            written,
        )),
        Err(already) => {
            // Another run finished the period first: this run's row records that it did not.
            db.usage()
                .run(|conn| close_job(conn, job, &period, started, false))?;
            Ok((already, copied, events, windows.len(), 0))
        }
    }
}

fn overlap_error(period: &UsagePeriod, job: &super::UsageJob) -> Error {
    let theirs = super::job_period(job)
        .map(|p| p.to_string())
        .unwrap_or_else(|| "an unreadable period".to_owned());
    Error::Conflict(format!(
        "usage period {period} overlaps {theirs}, already aggregated by usage_job {}",
        job.id.get()
    ))
}
