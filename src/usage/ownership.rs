//! Who runs the usage job: CloudStack's ownership protocol on `cloud_usage.usage_job`, so this
//! crate's runner and a Java usage server hand the job over to each other in either direction
//! (`SHARING.md` §2a).
//!
//! The open rows (`end_millis = 0`) say who owns the job: a runner may run only while the
//! newest open row carries its `host` and `pid`. It takes the open recurring row over when that
//! row is its own, when its heartbeat is more than five minutes old, or when it was left by a
//! process of this runner's host that no longer exists; it keeps the heartbeat fresh while it
//! runs; it closes the row and opens the next one in the transaction that writes the records.
//! Every change happens under the MySQL user lock the Java servers take
//! (`usage.job.heartbeat.check`), and every write is conditional on the row still being this
//! runner's, so two runners never both finish a job — also on Galera, where a concurrent
//! write to the same row fails certification.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::{NewUsageJob, UsageJob, UsageJobType, UsagePeriod};
use crate::repo::last_insert_id;
use crate::schema::cloud_usage::usage_job;
use crate::types::UsageJobId;
use crate::{Error, Result};

/// The MySQL user lock CloudStack's usage servers hold around every `usage_job` change.
pub const JOB_LOCK: &str = "usage.job.heartbeat.check";

/// How old an owner's heartbeat must be before another runner may take the job over
/// (hard-coded in CloudStack's `UsageJobDaoImpl#checkHeartbeat`).
pub const STALE_HEARTBEAT: Duration = Duration::minutes(5);

/// `usage_job.job_type` / `scheduled` values.
const NOT_SCHEDULED: i32 = 0;
const SCHEDULED: i32 = 1;

/// Who a runner is in `usage_job.host` / `pid`.
///
/// ```
/// use cloudstack_db::usage::RunnerIdentity;
/// let me = RunnerIdentity::this_process();
/// assert!(me.host.starts_with("cloudstack-db@"));
/// assert_eq!(me.pid, std::process::id() as i32);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerIdentity {
    /// `usage_job.host`: never Java's `<hostname>/<address>`, so a Java server starting on the
    /// same machine (which deletes the open rows of its own host) leaves this runner's alone.
    pub host: String,
    /// `usage_job.pid`.
    pub pid: i32,
}

impl RunnerIdentity {
    /// `cloudstack-db@<hostname>` and this process's id.
    pub fn this_process() -> Self {
        let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "localhost".to_owned());
        Self {
            host: format!("cloudstack-db@{name}"),
            pid: std::process::id() as i32,
        }
    }

    fn owns(&self, job: &UsageJob) -> bool {
        job.host.as_deref() == Some(self.host.as_str()) && job.pid == Some(self.pid)
    }

    /// A row of this runner's host whose process is gone (a killed run): on Linux, no
    /// `/proc/<pid>`. Where that cannot be told, the process is taken to be alive.
    fn left_by_dead_process(&self, job: &UsageJob) -> bool {
        if job.host.as_deref() != Some(self.host.as_str()) {
            return false;
        }
        match job.pid {
            Some(pid) if pid > 0 && pid != self.pid => {
                std::path::Path::new("/proc/self").exists()
                    && !std::path::Path::new(&format!("/proc/{pid}")).exists()
            }
            _ => false,
        }
    }
}

/// The holder of the usage job when it is not this runner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOwner {
    /// The newest open `usage_job` row.
    pub job: UsageJobId,
    /// Its `host` (Java's `<hostname>/<address>`, or another runner's).
    pub host: Option<String>,
    /// Its `pid`.
    pub pid: Option<i32>,
    /// Its last heartbeat.
    pub heartbeat: DateTime<Utc>,
}

/// What [`claim`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// This runner owns the job: run it on this row (recurring, or a one-off addressed to it).
    Owner(UsageJob),
    /// Another server owns it and is alive.
    NotOwner(JobOwner),
}

/// Runs `f` holding [`JOB_LOCK`] on `conn`, waiting up to `wait_seconds` for it;
/// [`Error::Conflict`] when it stays taken. The lock is released afterwards (it is the
/// connection's, so `f` may run transactions on `conn` or elsewhere).
pub(crate) fn with_job_lock<T>(
    conn: &mut MysqlConnection,
    wait_seconds: i32,
    f: impl FnOnce(&mut MysqlConnection) -> Result<T>,
) -> Result<T> {
    #[derive(QueryableByName)]
    struct Got {
        #[diesel(sql_type = BigInt)]
        got: i64,
    }
    let got: Got = diesel::sql_query("SELECT CAST(COALESCE(GET_LOCK(?, ?), 0) AS SIGNED) AS got")
        .bind::<Text, _>(JOB_LOCK)
        .bind::<Integer, _>(wait_seconds)
        .get_result(conn)?;
    if got.got != 1 {
        return Err(Error::Conflict(format!(
            "the usage job lock `{JOB_LOCK}` stayed taken for {wait_seconds} s"
        )));
    }
    let result = f(conn);
    let released = diesel::sql_query("DO RELEASE_LOCK(?)")
        .bind::<Text, _>(JOB_LOCK)
        .execute(conn);
    match (result, released) {
        (Ok(value), Ok(_)) => Ok(value),
        (Err(e), _) => Err(e),
        (Ok(_), Err(e)) => Err(e.into()),
    }
}

/// The server's UTC clock, to the millisecond (heartbeats are compared on one clock).
fn server_now(conn: &mut MysqlConnection) -> Result<DateTime<Utc>> {
    let at: chrono::NaiveDateTime = diesel::select(
        diesel::dsl::sql::<diesel::sql_types::Datetime>("UTC_TIMESTAMP(3)"),
    )
    .get_result(conn)?;
    Ok(at.and_utc())
}

fn open_rows(conn: &mut MysqlConnection) -> Result<Vec<UsageJob>> {
    Ok(usage_job::table
        .filter(usage_job::end_millis.eq(0))
        .order(usage_job::id.desc())
        .select(UsageJob::as_select())
        .for_update()
        .load(conn)?)
}

fn insert_recurring(conn: &mut MysqlConnection, me: &RunnerIdentity) -> Result<UsageJobId> {
    diesel::insert_into(usage_job::table)
        .values(NewUsageJob {
            id: None,
            host: Some(me.host.clone()),
            pid: Some(me.pid),
            job_type: Some(UsageJobType::Recurring),
            scheduled: Some(NOT_SCHEDULED),
            start_millis: None,
            end_millis: None,
            exec_time: None,
            start_date: None,
            end_date: None,
            success: None,
            heartbeat: server_now(conn)?.trunc_subsecs(0),
        })
        .execute(conn)?;
    Ok(UsageJobId(last_insert_id(conn)?))
}

/// Takes the usage job for `me` if CloudStack's protocol lets it: under [`JOB_LOCK`], the
/// newest open recurring row is taken over when it is `me`'s, when its heartbeat is older
/// than [`STALE_HEARTBEAT`], or when a dead process of `me`'s host left it (a new owner
/// deletes the other servers' pending one-off rows, as Java does); with no open row at all,
/// one is opened for `me`. `me` then owns the job if the newest open row of any type is
/// its own ([`Claim::Owner`]; a pending one-off row addressed to it is marked scheduled).
///
/// ```no_run
/// use cloudstack_db::usage::{claim, Claim, RunnerIdentity};
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// match claim(conn, &RunnerIdentity::this_process())? {
///     Claim::Owner(job) => println!("running usage_job {}", job.id.get()),
///     Claim::NotOwner(owner) => println!("{:?} runs the usage job", owner.host),
/// }
/// # Ok(()) }
/// ```
pub fn claim(conn: &mut MysqlConnection, me: &RunnerIdentity) -> Result<Claim> {
    with_job_lock(conn, 10, |conn| {
        crate::db::transaction(conn, |conn| {
            let now = server_now(conn)?;
            let mut open = open_rows(conn)?;
            if open.is_empty() {
                insert_recurring(conn, me)?;
                open = open_rows(conn)?;
            } else if let Some(recurring) = open
                .iter()
                .find(|j| j.job_type == Some(UsageJobType::Recurring))
                .cloned()
            {
                let stale = now - recurring.heartbeat > STALE_HEARTBEAT;
                let mine = me.owns(&recurring);
                if mine || stale || me.left_by_dead_process(&recurring) {
                    diesel::update(usage_job::table.find(recurring.id))
                        .set((
                            usage_job::host.eq(Some(me.host.clone())),
                            usage_job::pid.eq(Some(me.pid)),
                            usage_job::heartbeat.eq(now.naive_utc()),
                            usage_job::scheduled.eq(Some(NOT_SCHEDULED)),
                        ))
                        .execute(conn)?;
                    if !mine {
                        // `deleteOneOffJobs`: the new owner drops the others' pending one-offs.
                        diesel::delete(
                            usage_job::table
                                .filter(usage_job::end_millis.eq(0))
                                .filter(usage_job::job_type.eq(UsageJobType::Single))
                                .filter(usage_job::scheduled.eq(NOT_SCHEDULED))
                                .filter(
                                    usage_job::host
                                        .ne(me.host.clone())
                                        .or(usage_job::pid.ne(me.pid))
                                        .or(usage_job::host.is_null())
                                        .or(usage_job::pid.is_null()),
                                ),
                        )
                        .execute(conn)?;
                    }
                    open = open_rows(conn)?;
                }
            }
            let newest = open.into_iter().next().ok_or(Error::NotFound)?;
            if !me.owns(&newest) {
                return Ok(Claim::NotOwner(JobOwner {
                    job: newest.id,
                    host: newest.host,
                    pid: newest.pid,
                    heartbeat: newest.heartbeat,
                }));
            }
            if newest.job_type == Some(UsageJobType::Single) && newest.scheduled != Some(SCHEDULED)
            {
                diesel::update(usage_job::table.find(newest.id))
                    .set(usage_job::scheduled.eq(Some(SCHEDULED)))
                    .execute(conn)?;
            }
            let job = usage_job::table
                .find(newest.id)
                .select(UsageJob::as_select())
                .first(conn)?;
            Ok(Claim::Owner(job))
        })
    })
}

/// Refreshes the heartbeat of `me`'s job `job` (under [`JOB_LOCK`], waiting 3 s as Java's
/// heartbeat does). `Ok(Some(false))` when the row is no longer `me`'s open row (taken over or
/// finished); `Ok(None)` when the lock was busy and nothing was written.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection, job: cloudstack_db::types::UsageJobId) -> cloudstack_db::Result<()> {
/// use cloudstack_db::usage::{heartbeat, RunnerIdentity};
/// if heartbeat(conn, &RunnerIdentity::this_process(), job)? == Some(false) {
///     println!("lost the usage job");
/// }
/// # Ok(()) }
/// ```
pub fn heartbeat(
    conn: &mut MysqlConnection,
    me: &RunnerIdentity,
    job: UsageJobId,
) -> Result<Option<bool>> {
    match with_job_lock(conn, 3, |conn| {
        Ok(set_own_heartbeats(conn, me, Some(job), "UTC_TIMESTAMP()")? == 1)
    }) {
        Ok(still_mine) => Ok(Some(still_mine)),
        Err(Error::Conflict(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Hands the job over: moves the heartbeat of `me`'s open rows back past
/// [`STALE_HEARTBEAT`], so the next Java heartbeat (or another runner) takes the job at once
/// instead of five minutes later. The rows stay open, as the protocol requires.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// cloudstack_db::usage::hand_over(conn, &cloudstack_db::usage::RunnerIdentity::this_process())?;
/// # Ok(()) }
/// ```
pub fn hand_over(conn: &mut MysqlConnection, me: &RunnerIdentity) -> Result<usize> {
    with_job_lock(conn, 10, |conn| {
        set_own_heartbeats(conn, me, None, "UTC_TIMESTAMP() - INTERVAL 6 MINUTE")
    })
}

/// Sets `heartbeat` to the server-side expression `at` on `me`'s open rows — only row `job`
/// when given — and says how many rows that was (0: the row is no longer `me`'s open one).
fn set_own_heartbeats(
    conn: &mut MysqlConnection,
    me: &RunnerIdentity,
    job: Option<UsageJobId>,
    at: &'static str,
) -> Result<usize> {
    let (first, last) = match job {
        Some(job) => (job, job),
        None => (UsageJobId(0), UsageJobId(u64::MAX)),
    };
    Ok(diesel::update(
        usage_job::table
            .filter(usage_job::id.between(first, last))
            .filter(usage_job::end_millis.eq(0))
            .filter(usage_job::host.eq(me.host.clone()))
            .filter(usage_job::pid.eq(me.pid)),
    )
    .set(usage_job::heartbeat.eq(diesel::dsl::sql::<diesel::sql_types::Datetime>(at)))
    .execute(conn)?)
}

/// `end_millis` of the newest successful run (`UsageJobDaoImpl#getLastJobSuccessDateMillis`),
/// 0 when none.
pub(crate) fn last_success_millis(conn: &mut MysqlConnection) -> Result<u64> {
    Ok(usage_job::table
        .filter(usage_job::end_millis.gt(0))
        .filter(usage_job::success.eq(1))
        .order(usage_job::end_millis.desc())
        .select(usage_job::end_millis)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// Ends `me`'s job `job` with `period` inside the caller's transaction (the one writing the
/// records): locks the row and refuses with [`Error::Conflict`] unless it is still `me`'s open
/// row and no other run succeeded since `last_success` was read; then closes it as
/// `UsageJobDaoImpl#updateJobSuccess` does and, for the recurring job, opens the next one.
pub(crate) fn finish(
    conn: &mut MysqlConnection,
    me: &RunnerIdentity,
    job: UsageJobId,
    last_success: u64,
    period: &UsagePeriod,
    exec_ms: u64,
) -> Result<()> {
    let row = usage_job::table
        .find(job)
        .select(UsageJob::as_select())
        .for_update()
        .first(conn)
        .optional()?;
    let Some(row) = row.filter(|r| r.end_millis == 0 && me.owns(r)) else {
        return Err(Error::Conflict(format!(
            "usage_job {} is no longer this runner's open job: another server took it over or finished it",
            job.get()
        )));
    };
    let newest_success: Option<u64> = usage_job::table
        .filter(usage_job::end_millis.gt(0))
        .filter(usage_job::success.eq(1))
        .order(usage_job::end_millis.desc())
        .select(usage_job::end_millis)
        .for_update()
        .first(conn)
        .optional()?;
    if newest_success.unwrap_or(0) != last_success {
        return Err(Error::Conflict(format!(
            "another run billed up to {} ms while usage_job {} ran",
            newest_success.unwrap_or(0),
            job.get()
        )));
    }
    let n = diesel::update(
        usage_job::table
            .find(job)
            .filter(usage_job::end_millis.eq(0))
            .filter(usage_job::host.eq(me.host.clone()))
            .filter(usage_job::pid.eq(me.pid)),
    )
    .set((
        usage_job::start_millis.eq(period.start_millis() as u64),
        usage_job::end_millis.eq(period.end_millis() as u64),
        usage_job::exec_time.eq(exec_ms),
        // Whole seconds, as Java's DAO formats dates (a DATETIME would round .999 up).
        usage_job::start_date.eq(Some(period.start().trunc_subsecs(0).naive_utc())),
        usage_job::end_date.eq(Some(period.end().trunc_subsecs(0).naive_utc())),
        usage_job::success.eq(Some(1)),
    ))
    .execute(conn)?;
    if n != 1 {
        return Err(Error::Conflict(format!(
            "usage_job {} changed while it was being closed",
            job.get()
        )));
    }
    if row.job_type == Some(UsageJobType::Recurring) {
        insert_recurring(conn, me)?;
    }
    Ok(())
}
