//! The usage job as CloudStack's usage server runs it (`UsageManagerImpl#parse`), under its
//! ownership protocol ([`super::ownership`]): claim the job, copy events, apply them to the
//! helper tables (committed batch by batch), then write the records of every window and close
//! the job — the records and the close in one transaction.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::helper_tables::AppliedEvents;
use super::intake::{
    CopyProgress, apply_pending_events, copy_new_events, oldest_pending, pending_events,
};
use super::ownership::{self, Claim, JobOwner, RunnerIdentity, with_job_lock};
use super::records::{Scope, mirror_accounts, removed_since, write_window_records};
use super::row_helpers::close_public_templates_of_removed_accounts;
use super::traffic;
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
    /// The run's nominal span. Its end is the last millisecond billed (clipped to now); its
    /// start counts only when no run ever succeeded: otherwise a run starts one millisecond
    /// after the last successful one ended, and earlier still when an unprocessed event is
    /// older — as CloudStack's job does, so nothing is billed twice or skipped.
    pub period: UsagePeriod,
    /// Length of the windows the span is cut into (CloudStack's
    /// `usage.stats.job.aggregation.range`, default one day); each window gets its own records.
    pub range: Duration,
    /// Events copied and applied per transaction.
    pub batch_size: usize,
    /// Who this runner is in `usage_job`.
    pub runner: RunnerIdentity,
    /// How often the job's heartbeat is refreshed while it runs (CloudStack's servers take a
    /// job over once its heartbeat is five minutes old).
    pub heartbeat_every: StdDuration,
}

impl AggregationOptions {
    /// `period` in windows of one day, 5000 events a batch, as this process, heartbeat every
    /// 30 s.
    pub fn for_period(period: UsagePeriod) -> Self {
        Self {
            period,
            range: DEFAULT_AGGREGATION_RANGE,
            batch_size: 5000,
            runner: RunnerIdentity::this_process(),
            heartbeat_every: StdDuration::from_secs(30),
        }
    }
}

/// Where a run is, for progress displays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregationProgress {
    /// About to copy `total` events from `cloud`.
    Copying {
        /// Events the copy will move.
        total: u64,
    },
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
    /// `n` more records of the current window were written (they commit together with the
    /// run's `usage_job` row at the end).
    Recorded(u64),
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AggregationOutcome {
    /// Records were written and the span marked done by this `usage_job` row.
    Aggregated(UsageJobId),
    /// The last successful run already billed up to the period's end: nothing was written.
    UpToDate {
        /// The last millisecond billed.
        billed_through: DateTime<Utc>,
    },
    /// Another server owns the usage job and is alive: nothing was done.
    NotOwner(JobOwner),
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregationReport {
    /// The span billed (`None` when nothing was).
    pub period: Option<UsagePeriod>,
    /// How it ended.
    pub outcome: AggregationOutcome,
    /// Events copied from `cloud` in this run.
    pub events_copied: u64,
    /// Events applied to helper tables, and events skipped, in this run.
    pub events: AppliedEvents,
    /// Windows the span was cut into.
    pub windows: usize,
    /// `cloud_usage` rows written.
    pub records_written: u64,
    /// Wall time.
    pub elapsed: StdDuration,
}

impl AggregationReport {
    fn nothing(outcome: AggregationOutcome, started: Instant) -> Self {
        Self {
            period: None,
            outcome,
            events_copied: 0,
            events: AppliedEvents::default(),
            windows: 0,
            records_written: 0,
            elapsed: started.elapsed(),
        }
    }
}

/// Runs the usage job once, as CloudStack's usage server would: claims the job in
/// `usage_job` ([`super::claim`]; another live owner means [`AggregationOutcome::NotOwner`]),
/// keeps its heartbeat fresh while running, copies new events into `cloud_usage`, applies
/// every pending event up to the period's end to the helper tables (each batch exactly once,
/// committed as it goes), then writes the records of every window from one millisecond after
/// the last successful run (or the oldest pending event) to the period's end, closes the job
/// row and opens the next one — records and close in a single transaction that first checks
/// the job is still this runner's. A run that dies half-way leaves no records and its row
/// open: the next run (this crate's or Java's, once the heartbeat is five minutes old) picks
/// the job up and bills from the last success.
///
/// ```no_run
/// use cloudstack_db::usage::{aggregate, AggregationOptions, UsagePeriod};
/// let db = cloudstack_db::Database::from_env()?;
/// let day = UsagePeriod::last_full_day(chrono::Utc::now());
/// let report = aggregate(&db, &AggregationOptions::for_period(day), &mut |_| {})?;
/// println!("{:?}: {} records", report.outcome, report.records_written);
/// # Ok::<(), cloudstack_db::Error>(())
/// ```
pub fn aggregate(
    db: &Database,
    options: &AggregationOptions,
    progress: &mut dyn FnMut(AggregationProgress),
) -> Result<AggregationReport> {
    let started = Instant::now();
    let job = match db
        .usage()
        .run(|conn| ownership::claim(conn, &options.runner))?
    {
        Claim::Owner(job) => job.id,
        Claim::NotOwner(owner) => {
            return Ok(AggregationReport::nothing(
                AggregationOutcome::NotOwner(owner),
                started,
            ));
        }
    };
    let beat = Heartbeat::default();
    std::thread::scope(|s| {
        s.spawn(|| beat.keep_alive(db, &options.runner, job, options.heartbeat_every));
        let result = run_job(db, options, job, &beat, started, progress);
        beat.stop();
        result
    })
}

/// The heartbeat of a running job, refreshed from its own thread.
#[derive(Default)]
struct Heartbeat {
    stopped: Mutex<bool>,
    wake: Condvar,
    lost: AtomicBool,
}

impl Heartbeat {
    fn keep_alive(&self, db: &Database, me: &RunnerIdentity, job: UsageJobId, every: StdDuration) {
        let mut stopped = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let (guard, _) = self
                .wake
                .wait_timeout(stopped, every)
                .unwrap_or_else(|e| e.into_inner());
            stopped = guard;
            if *stopped {
                return;
            }
            match db.usage().run(|conn| ownership::heartbeat(conn, me, job)) {
                Ok(Some(false)) => {
                    tracing::warn!(job = job.get(), "usage job taken over while running");
                    self.lost.store(true, Ordering::SeqCst);
                    return;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(job = job.get(), error = %e, "usage job heartbeat failed"),
            }
        }
    }

    fn stop(&self) {
        *self.stopped.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.wake.notify_all();
    }

    fn check(&self, job: UsageJobId) -> Result<()> {
        if self.lost.load(Ordering::SeqCst) {
            return Err(Error::Conflict(format!(
                "usage_job {} was taken over by another server while this run was going",
                job.get()
            )));
        }
        Ok(())
    }
}

fn millis(ms: u64) -> Result<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms as i64)
        .single()
        .ok_or_else(|| Error::Config(format!("usage_job.end_millis {ms} is not a time")))
}

fn run_job(
    db: &Database,
    options: &AggregationOptions,
    job: UsageJobId,
    beat: &Heartbeat,
    started: Instant,
    progress: &mut dyn FnMut(AggregationProgress),
) -> Result<AggregationReport> {
    let last_success = db.usage().run(ownership::last_success_millis)?;
    let end = options.period.end().min(Utc::now());
    let mut start = if last_success > 0 {
        millis(last_success + 1)?
    } else {
        options.period.start()
    };
    if start >= end {
        return Ok(AggregationReport::nothing(
            AggregationOutcome::UpToDate {
                billed_through: millis(last_success)?,
            },
            started,
        ));
    }
    let cloud_db = format!("`{}`", db.cloud().target().database.replace('`', "``"));
    db.usage().run(|conn| {
        mirror_accounts(conn, &cloud_db, start)?;
        traffic::mirror_counters(conn, &cloud_db)
    })?;
    let batch = options.batch_size.max(1);
    let copied = copy_new_events(db, end, batch as u64 * 4, &mut |p| {
        progress(match p {
            CopyProgress::Counted(total) => AggregationProgress::Copying { total },
            CopyProgress::Copied(n) => AggregationProgress::Copied(n),
        })
    })?;
    beat.check(job)?;
    if let Some(oldest) = oldest_pending(db, end)? {
        start = start.min(oldest);
    }
    let total = pending_events(db, end)?;
    progress(AggregationProgress::Applying { total });
    let events = apply_pending_events(db, end, batch, &mut |b| {
        progress(AggregationProgress::Applied(*b))
    })?;
    let period = UsagePeriod::new(start, end)?;
    let removed_since = removed_since(period.start());
    db.usage()
        .transaction_with_retry(&RetryPolicy::default(), |conn| {
            traffic::record_deltas(conn, period.end_millis() as u64, removed_since)
        })?;
    beat.check(job)?;
    let windows = period.windows(options.range);
    let mut lock_conn = db.usage().get()?;
    let written = lock_conn.run(|lock_conn| {
        // Java's servers change `usage_job` only under this lock: holding it while the
        // records commit keeps their heartbeat from taking the job over half-way.
        with_job_lock(lock_conn, 30, |_| {
            beat.check(job)?;
            db.usage()
                .transaction_with_retry(&RetryPolicy::default(), |conn| {
                    let mut written = 0;
                    for (i, window) in windows.iter().enumerate() {
                        progress(AggregationProgress::Window {
                            index: i + 1,
                            windows: windows.len(),
                        });
                        let scope = Scope {
                            window: *window,
                            removed_since,
                            settle_at: Some(Utc::now()),
                        };
                        written += write_window_records(conn, &scope, &mut |n| {
                            progress(AggregationProgress::Recorded(n))
                        })?;
                        close_public_templates_of_removed_accounts(conn, &cloud_db, removed_since)?;
                    }
                    let exec_ms = started.elapsed().as_millis() as u64;
                    ownership::finish(conn, &options.runner, job, last_success, &period, exec_ms)?;
                    Ok(written)
                })
        })
    })?;
    Ok(AggregationReport {
        period: Some(period),
        outcome: AggregationOutcome::Aggregated(job),
        events_copied: copied,
        events,
        windows: windows.len(),
        records_written: written,
        elapsed: started.elapsed(),
    })
}
