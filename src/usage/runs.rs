//! Bookkeeping of aggregation runs in `usage_job`: who ran, which period, whether it succeeded.

use chrono::{DateTime, SubsecRound, TimeZone, Utc};
use diesel::prelude::*;

use super::{UsageJob, UsagePeriod};
use crate::schema::cloud_usage::usage_job;
use crate::{Error, Result};

/// What `usage_job` says about a period.
#[derive(Debug, Clone, PartialEq)]
pub enum PeriodStatus {
    /// No successful run covers any of it.
    Open,
    /// A successful run covered exactly this period.
    Done(UsageJob),
    /// A successful run covered part of it (or more): aggregating it would count usage twice.
    Overlaps(UsageJob),
}

/// Whether `period` was already aggregated, from the successful `usage_job` rows.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::usage::{period_status, PeriodStatus, UsagePeriod};
/// let day = UsagePeriod::last_full_day(chrono::Utc::now());
/// if let PeriodStatus::Done(job) = period_status(conn, &day)? {
///     println!("aggregated by {:?}", job.host);
/// }
/// # Ok(()) }
/// ```
///
/// May read from a replica: run it on [`crate::Database::usage_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn period_status(conn: &mut MysqlConnection, period: &UsagePeriod) -> Result<PeriodStatus> {
    let jobs: Vec<UsageJob> = usage_job::table
        .filter(usage_job::success.eq(1))
        .filter(usage_job::end_millis.ge(period.start_millis() as u64))
        .filter(usage_job::start_millis.le(period.end_millis() as u64))
        .order(usage_job::id)
        .select(UsageJob::as_select())
        .load(conn)?;
    Ok(status_of(period, jobs))
}

fn status_of(period: &UsagePeriod, jobs: Vec<UsageJob>) -> PeriodStatus {
    let exact = |j: &UsageJob| {
        j.start_millis == period.start_millis() as u64 && j.end_millis == period.end_millis() as u64
    };
    match jobs.iter().find(|j| exact(j)) {
        Some(job) => PeriodStatus::Done(job.clone()),
        None => match jobs.into_iter().next() {
            Some(job) => PeriodStatus::Overlaps(job),
            None => PeriodStatus::Open,
        },
    }
}

/// The period a catching-up run covers at `now`, as CloudStack's recurring job computes it:
/// from one millisecond after the end of the last successful run (or, when none succeeded
/// yet, from midnight UTC of `now`'s day) to the end of the last whole second before `now`.
/// `None` when that span is empty.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// if let Some(period) = cloudstack_db::usage::catch_up_period(conn, chrono::Utc::now())? {
///     println!("next run covers {period}");
/// }
/// # Ok(()) }
/// ```
pub fn catch_up_period(
    conn: &mut MysqlConnection,
    now: DateTime<Utc>,
) -> Result<Option<UsagePeriod>> {
    let start = match super::ownership::last_success_millis(conn)? {
        0 => Utc.from_utc_datetime(&now.date_naive().and_time(chrono::NaiveTime::MIN)),
        end => Utc
            .timestamp_millis_opt(end as i64 + 1)
            .single()
            .ok_or_else(|| Error::Config(format!("usage_job.end_millis {end} is not a time")))?,
    };
    let end = now.trunc_subsecs(0) - chrono::Duration::milliseconds(1);
    Ok(UsagePeriod::new(start, end).ok())
}

/// The period of a finished job row.
///
/// ```
/// # use cloudstack_db::usage::{job_period, UsageJob};
/// # fn demo(job: &UsageJob) { let _ = job_period(job); }
/// ```
pub fn job_period(job: &UsageJob) -> Option<UsagePeriod> {
    let start = Utc.timestamp_millis_opt(job.start_millis as i64).single()?;
    let end = Utc.timestamp_millis_opt(job.end_millis as i64).single()?;
    UsagePeriod::new(start, end).ok()
}
