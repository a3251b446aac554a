//! Bookkeeping of aggregation runs in `usage_job`: who ran, which period, whether it succeeded.

use chrono::{DateTime, SubsecRound, TimeZone, Utc};
use diesel::prelude::*;

use super::{NewUsageJob, UsageJob, UsageJobType, UsagePeriod};
use crate::repo::{last_insert_id, now};
use crate::schema::cloud_usage::usage_job;
use crate::types::UsageJobId;
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

/// [`period_status`] for a run about to write its records, inside its transaction: locks the
/// successful rows overlapping `period` *and every open row* (each run's own row is open until
/// it finishes), in id order. Two runs therefore queue on each other's rows — also under READ
/// COMMITTED, where InnoDB takes no gap locks — and the second sees the first's success.
pub(crate) fn lock_period(
    conn: &mut MysqlConnection,
    period: &UsagePeriod,
) -> Result<PeriodStatus> {
    let rows: Vec<UsageJob> = usage_job::table
        .filter(
            usage_job::success
                .is_null()
                .or(usage_job::success.eq(1).and(
                    usage_job::end_millis
                        .ge(period.start_millis() as u64)
                        .and(usage_job::start_millis.le(period.end_millis() as u64)),
                )),
        )
        .order(usage_job::id)
        .select(UsageJob::as_select())
        .for_update()
        .load(conn)?;
    Ok(status_of(
        period,
        rows.into_iter()
            .filter(|j| j.success == Some(true))
            .collect(),
    ))
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
    let last_end: Option<u64> = usage_job::table
        .filter(usage_job::success.eq(1))
        .filter(usage_job::end_millis.gt(0))
        .order(usage_job::end_millis.desc())
        .select(usage_job::end_millis)
        .first(conn)
        .optional()?;
    let start = match last_end {
        Some(end) => Utc
            .timestamp_millis_opt(end as i64 + 1)
            .single()
            .ok_or_else(|| Error::Config(format!("usage_job.end_millis {end} is not a time")))?,
        None => Utc.from_utc_datetime(&now.date_naive().and_time(chrono::NaiveTime::MIN)),
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

/// `"<hostname>/<address>"` as CloudStack's usage server writes `usage_job.host`: the address
/// is the local one this machine uses to reach `server`.
pub(crate) fn this_host(server: &str, port: u16) -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".to_owned());
    let address = std::net::UdpSocket::bind(("0.0.0.0", 0))
        .and_then(|s| s.connect((server, port)).map(|()| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|_| "127.0.0.1".to_owned());
    format!("{name}/{address}")
}

/// Inserts the open row of a run that is starting (committed at once, so a run that dies
/// leaves its trace with `success` NULL).
pub(crate) fn open_job(conn: &mut MysqlConnection, host: String) -> Result<UsageJobId> {
    diesel::insert_into(usage_job::table)
        .values(NewUsageJob {
            id: None,
            host: Some(host),
            pid: Some(std::process::id() as i32),
            job_type: Some(UsageJobType::Single),
            scheduled: Some(0),
            start_millis: None,
            end_millis: None,
            exec_time: None,
            start_date: None,
            end_date: None,
            success: None,
            heartbeat: now(),
        })
        .execute(conn)?;
    Ok(UsageJobId(last_insert_id(conn)?))
}

/// Closes a run's row with its period, duration and outcome.
pub(crate) fn close_job(
    conn: &mut MysqlConnection,
    job: UsageJobId,
    period: &UsagePeriod,
    started: DateTime<Utc>,
    success: bool,
) -> Result<()> {
    let exec_ms = (Utc::now() - started).num_milliseconds().max(0) as u64;
    let n = diesel::update(usage_job::table.find(job))
        .set((
            usage_job::start_millis.eq(period.start_millis() as u64),
            usage_job::end_millis.eq(period.end_millis() as u64),
            usage_job::exec_time.eq(exec_ms),
            usage_job::start_date.eq(Some(period.start().trunc_subsecs(0).naive_utc())),
            usage_job::end_date.eq(Some(period.end().trunc_subsecs(0).naive_utc())),
            usage_job::success.eq(Some(i32::from(success))),
            usage_job::heartbeat.eq(now().naive_utc()),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}
