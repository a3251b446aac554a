//! The async job queue in `async_job`, safe with many management servers polling at once.
//!
//! A job is claimed with `SELECT ... FOR UPDATE SKIP LOCKED` (MySQL 8, MariaDB 10.6+), so
//! claimers never wait behind each other's row locks and every job goes to exactly one server.
//! Completion and cancellation only move a job that is still `IN_PROGRESS` and only by the
//! server running it, so a race between them ends in exactly one final state and a job handed
//! over from a silent server is finished once.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Datetime, Nullable};

use super::{AsyncJob, JobStatus};
use crate::db::Tx;
use crate::repo::{Page, PageRequest, last_insert_id, now};
use crate::schema::cloud::async_job;
use crate::types::{AccountId, JobId, UserId};
use crate::{Error, Result};

/// CloudStack's result code for a job that failed on an internal error (and for orphans).
pub const INTERNAL_ERROR: i32 = 530;
/// The result CloudStack writes for jobs of a dead management server.
pub const ORPHAN_RESULT: &str = "job cancelled because of management server restart or shutdown";

/// A job to submit.
#[derive(Debug, Clone)]
pub struct JobSpec {
    /// The command class name (`job_cmd`), e.g. `org.apache.cloudstack.api.command.user.vm.DeployVMCmd`.
    pub cmd: String,
    /// The serialized command parameters (`job_cmd_info`, JSON).
    pub cmd_info: String,
    /// Who submitted it.
    pub user_id: UserId,
    /// On behalf of which account.
    pub account_id: AccountId,
    /// The kind of object it works on (`VirtualMachine`, `Volume`, ...).
    pub instance_type: Option<String>,
    /// The id of that object.
    pub instance_id: Option<u64>,
    /// The management server that submitted it.
    pub init_msid: i64,
    /// The dispatcher (`ApiAsyncJobDispatcher` for API commands).
    pub dispatcher: Option<String>,
}

impl JobSpec {
    /// A job running `cmd` with parameters `cmd_info` for `user` of `account`, submitted by
    /// management server `init_msid`, about no particular object, with the default dispatcher.
    ///
    /// ```
    /// use cloudstack_db::jobs::queue::JobSpec;
    /// use cloudstack_db::types::{AccountId, UserId};
    /// let job = JobSpec::new("DeployVMCmd", "{}", UserId(2), AccountId(2), 1);
    /// assert!(job.instance_id.is_none());
    /// ```
    pub fn new(
        cmd: impl Into<String>,
        cmd_info: impl Into<String>,
        user_id: UserId,
        account_id: AccountId,
        init_msid: i64,
    ) -> Self {
        Self {
            cmd: cmd.into(),
            cmd_info: cmd_info.into(),
            user_id,
            account_id,
            instance_type: None,
            instance_id: None,
            init_msid,
            dispatcher: None,
        }
    }
}

/// Submits a job: `IN_PROGRESS`, not yet claimed by any server.
pub fn submit(tx: &mut Tx<'_>, spec: &JobSpec) -> Result<AsyncJob> {
    let conn = tx.conn();
    let at = now().naive_utc();
    SubmitJob {
        user_id: spec.user_id.get(),
        account_id: spec.account_id.get(),
        instance_type: spec.instance_type.clone(),
        instance_id: spec.instance_id,
        cmd: spec.cmd.clone(),
        cmd_info: spec.cmd_info.clone(),
        status: JobStatus::InProgress,
        init_msid: spec.init_msid,
        created: at,
        last_updated: at,
        uuid: uuid::Uuid::new_v4().hyphenated().to_string(),
        dispatcher: spec.dispatcher.clone(),
    }
    .execute(conn)?;
    let id = JobId(last_insert_id(conn)?);
    find(conn, id)
}

crate::db::statement::cached_statement! {
    /// [`submit`]'s INSERT (cached): the columns a new job sets; the others take their
    /// defaults.
    SubmitJob {
        user_id: u64 as diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
        account_id: u64 as diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
        instance_type: Option<String> as Nullable<diesel::sql_types::Text>,
        instance_id: Option<u64> as Nullable<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>>,
        cmd: String as diesel::sql_types::Text,
        cmd_info: String as diesel::sql_types::Text,
        status: JobStatus as diesel::sql_types::Integer,
        init_msid: i64 as diesel::sql_types::BigInt,
        created: chrono::NaiveDateTime as Datetime,
        last_updated: chrono::NaiveDateTime as Datetime,
        uuid: String as diesel::sql_types::Text,
        dispatcher: Option<String> as Nullable<diesel::sql_types::Text>,
    } = "INSERT INTO `async_job` (`user_id`, `account_id`, `instance_type`, `instance_id`, `job_cmd`, \
         `job_cmd_info`, `job_cmd_ver`, `job_status`, `job_process_status`, `job_result_code`, \
         `job_init_msid`, `created`, `last_updated`, `uuid`, `related`, `job_dispatcher`) \
         VALUES (?, ?, ?, ?, ?, ?, 1, ?, 0, 0, ?, ?, ?, ?, '', ?)"
}

/// A job by id, finished or not (completion sets `removed`, so this includes removed rows) —
/// what a client polls.
pub fn find(conn: &mut MysqlConnection, id: JobId) -> Result<AsyncJob> {
    Ok(async_job::table
        .find(id)
        .select(AsyncJob::as_select())
        .first(conn)?)
}

/// A job by uuid, finished or not.
pub fn find_by_uuid(conn: &mut MysqlConnection, uuid: uuid::Uuid) -> Result<AsyncJob> {
    Ok(async_job::table
        .filter(async_job::uuid.eq(uuid.hyphenated().to_string()))
        .select(AsyncJob::as_select())
        .first(conn)?)
}

/// Claims up to `max` unclaimed `IN_PROGRESS` jobs (oldest first) for management server `msid`,
/// skipping rows other claimers hold locked.
pub fn claim(tx: &mut Tx<'_>, msid: i64, max: u32) -> Result<Vec<AsyncJob>> {
    let conn = tx.conn();
    let ids: Vec<JobId> = async_job::table
        .filter(async_job::job_status.eq(JobStatus::InProgress))
        .filter(async_job::job_executing_msid.is_null())
        .filter(async_job::job_complete_msid.is_null())
        .order(async_job::id)
        .limit(i64::from(max.max(1)))
        .select(async_job::id)
        .for_update()
        .skip_locked()
        .load(conn)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // One job (what `claim_next` asks for) goes through statements that stay prepared; an
    // `IN` list is prepared anew for each call.
    if let [one] = ids.as_slice() {
        ClaimOne {
            msid,
            id: one.get(),
        }
        .execute(conn)?;
        return Ok(vec![
            async_job::table
                .find(*one)
                .select(AsyncJob::as_select())
                .first(conn)?,
        ]);
    }
    diesel::update(async_job::table.filter(async_job::id.eq_any(&ids)))
        .set((
            async_job::job_executing_msid.eq(msid),
            async_job::last_updated.eq(database_clock()),
        ))
        .execute(conn)?;
    Ok(async_job::table
        .filter(async_job::id.eq_any(&ids))
        .order(async_job::id)
        .select(AsyncJob::as_select())
        .load(conn)?)
}

crate::db::statement::cached_statement! {
    /// The claim of one job (cached; the common case of [`claim_next`]).
    ClaimOne {
        msid: i64 as diesel::sql_types::BigInt,
        id: u64 as diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
    } = "UPDATE `async_job` SET `job_executing_msid` = ?, `last_updated` = UTC_TIMESTAMP() WHERE `id` = ?"
}

/// Claims the oldest unclaimed job for `msid`, if any.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::jobs::{queue, JobStatus};
/// if let Some(job) = db.write(|tx| queue::claim_next(tx, 42))? {
///     db.write(|tx| queue::complete(tx, job.id, 42, JobStatus::Succeeded, 0, Some("{}")))?;
/// }
/// # Ok(()) }
/// ```
pub fn claim_next(tx: &mut Tx<'_>, msid: i64) -> Result<Option<AsyncJob>> {
    Ok(claim(tx, msid, 1)?.into_iter().next())
}

/// [`claim`] for a registered server's run: the registry must still show `me` as the server's
/// current run and not `Down` ([`crate::servers::check_current`]: a replaced, invalidated or
/// marked-down run is [`Error::StaleState`] and claims nothing), then up to `max` jobs are
/// claimed for its msid.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, me: cloudstack_db::servers::ServerSession) -> cloudstack_db::Result<()> {
/// let jobs = db.write(|tx| cloudstack_db::jobs::queue::claim_as(tx, &me, 10))?;
/// # Ok(()) }
/// ```
pub fn claim_as(
    tx: &mut Tx<'_>,
    me: &crate::servers::ServerSession,
    max: u32,
) -> Result<Vec<AsyncJob>> {
    crate::servers::check_current(tx, me)?;
    claim(tx, me.job_msid(), max)
}

fn stale(id: JobId, detail: &str) -> Error {
    Error::StaleState {
        entity: "async_job",
        id: id.get(),
        detail: detail.to_owned(),
    }
}

/// The database server's clock (UTC), for the heartbeat columns: servers whose clocks disagree
/// then still agree on how long a job has been silent ([`Orphaned::SilentFor`]).
fn database_clock() -> diesel::expression::SqlLiteral<Nullable<Datetime>> {
    diesel::dsl::sql("UTC_TIMESTAMP()")
}

/// Records that `msid` is still working on a job (`last_updated` = the database's now).
pub fn heartbeat(tx: &mut Tx<'_>, id: JobId, msid: i64) -> Result<()> {
    let conn = tx.conn();
    let n = diesel::update(
        async_job::table
            .filter(async_job::id.eq(id))
            .filter(async_job::job_executing_msid.eq(msid))
            .filter(async_job::job_status.eq(JobStatus::InProgress)),
    )
    .set(async_job::last_updated.eq(database_clock()))
    .execute(conn)?;
    if n == 0 {
        Err(stale(id, "not in progress on this server"))
    } else {
        Ok(())
    }
}

fn finish(
    conn: &mut MysqlConnection,
    id: JobId,
    msid: i64,
    status: JobStatus,
    code: i32,
    result: Option<&str>,
) -> Result<AsyncJob> {
    let at = now().naive_utc();
    // Only the server running the job — or, before anyone claimed it, the one it was
    // submitted to — finishes it: after an orphan hand-over the old server's late completion
    // changes nothing, so a job's outcome is written once.
    let n = diesel::update(
        async_job::table
            .filter(async_job::id.eq(id))
            .filter(async_job::job_status.eq(JobStatus::InProgress))
            .filter(
                async_job::job_executing_msid
                    .eq(msid)
                    .or(async_job::job_executing_msid
                        .is_null()
                        .and(async_job::job_init_msid.eq(msid))),
            ),
    )
    .set((
        async_job::job_status.eq(status),
        async_job::job_result_code.eq(code),
        async_job::job_result.eq(result),
        async_job::job_complete_msid.eq(msid),
        async_job::job_executing_msid.eq(None::<i64>),
        async_job::last_updated.eq(at),
        async_job::removed.eq(at),
    ))
    .execute(conn)?;
    if n == 0 {
        let job = find(conn, id)?;
        return Err(stale(
            id,
            &if job.job_status != Some(JobStatus::InProgress) {
                "already finished".to_owned()
            } else {
                format!(
                    "in progress on server {:?} (submitted by {:?}), not {msid}",
                    job.job_executing_msid, job.job_init_msid
                )
            },
        ));
    }
    find(conn, id)
}

/// Completes a job that is still `IN_PROGRESS` (as `completeAsyncJob`): status, result code and
/// result, `job_complete_msid`, `last_updated` and `removed` set, `job_executing_msid` cleared.
/// Only the server `msid` executing it may (or, while nobody has claimed it, the server it was
/// submitted to); a job finished already or running elsewhere is [`Error::StaleState`].
/// `result` is stored as given: for an API job use [`succeed`] or [`fail`], which write it the
/// way `queryAsyncJobResult` reads it.
pub fn complete(
    tx: &mut Tx<'_>,
    id: JobId,
    msid: i64,
    status: JobStatus,
    code: i32,
    result: Option<&str>,
) -> Result<AsyncJob> {
    let conn = tx.conn();
    if status == JobStatus::InProgress {
        return Err(Error::invalid_value(
            "async_job.job_status",
            "IN_PROGRESS",
            "not a final status",
        ));
    }
    finish(conn, id, msid, status, code, result)
}

/// Completes an API job with its response, as `ApiAsyncJobDispatcher` does on success:
/// `SUCCEEDED`, result code 0, the result `<class>/<object name>/<JSON>`
/// ([`ApiResult::serialize`](super::result::ApiResult::serialize)); guarded as [`complete`].
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// use cloudstack_db::jobs::{queue, result::ApiResult};
/// # fn demo(db: &Database, job: JobId) -> cloudstack_db::Result<()> {
/// let response = ApiResult::new(
///     "org.apache.cloudstack.api.response.UserVmResponse",
///     "virtualmachine",
///     serde_json::json!({"id": "…", "state": "Running"}),
/// );
/// db.write(|tx| queue::succeed(tx, job, 1, &response))?;
/// # Ok(()) }
/// ```
pub fn succeed(
    tx: &mut Tx<'_>,
    id: JobId,
    msid: i64,
    response: &super::result::ApiResult,
) -> Result<AsyncJob> {
    let stored = response.serialize()?;
    finish(tx.conn(), id, msid, JobStatus::Succeeded, 0, Some(&stored))
}

/// Fails an API job as `ApiAsyncJobDispatcher` does: `FAILED`, the result code `error_code`
/// (e.g. [`INTERNAL_ERROR`]) and CloudStack's `ExceptionResponse` with `text`
/// ([`ApiResult::failure`](super::result::ApiResult::failure)); guarded as [`complete`].
pub fn fail(
    tx: &mut Tx<'_>,
    id: JobId,
    msid: i64,
    error_code: i32,
    text: &str,
) -> Result<AsyncJob> {
    let stored = super::result::ApiResult::failure(error_code, text).serialize()?;
    finish(
        tx.conn(),
        id,
        msid,
        JobStatus::Failed,
        error_code,
        Some(&stored),
    )
}

/// What CloudStack writes when it cancels a job (its job GC, for a job blocking others too
/// long).
pub const CANCELLED_RESULT: &str = "Job is cancelled as it has been blocking others for too long";

/// Cancels a job that is still `IN_PROGRESS` the way CloudStack does — CloudStack never writes
/// `CANCELLED`: `FAILED`, result code 0 and the plain result `reason` (CloudStack's own is
/// [`CANCELLED_RESULT`]); guarded as [`complete`].
pub fn cancel(tx: &mut Tx<'_>, id: JobId, msid: i64, reason: &str) -> Result<AsyncJob> {
    let conn = tx.conn();
    finish(conn, id, msid, JobStatus::Failed, 0, Some(reason))
}

/// Which jobs [`list`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobFilter {
    /// Of this account.
    pub account_id: Option<AccountId>,
    /// In this status.
    pub status: Option<JobStatus>,
}

/// A page of jobs (finished ones included), in id order.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list(
    conn: &mut MysqlConnection,
    filter: &JobFilter,
    page: &PageRequest,
) -> Result<Page<AsyncJob>> {
    let build = || {
        let mut q = async_job::table.into_boxed();
        if let Some(a) = filter.account_id {
            q = q.filter(async_job::account_id.eq(a));
        }
        if let Some(s) = filter.status {
            q = q.filter(async_job::job_status.eq(s));
        }
        q
    };
    crate::repo::keyset_page!(
        conn,
        page,
        build,
        async_job::id,
        JobId(page.after_id()),
        AsyncJob,
        |j: &AsyncJob| j.id.get()
    )
}

/// Which in-progress jobs count as orphaned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orphaned {
    /// Jobs of a management server known to be dead: executing there, or submitted there and
    /// never claimed (CloudStack's `cleanupLeftOverJobs` selection).
    OfServer(i64),
    /// Claimed jobs whose heartbeat (`last_updated`) is older than this.
    SilentSince(DateTime<Utc>),
    /// Claimed jobs whose heartbeat is older than this, by the database server's clock.
    SilentFor(std::time::Duration),
    /// Jobs of every server the registry ([`crate::servers`]) does not show alive — silent for
    /// longer than this (by the database's clock), `Down`, or never registered: executing
    /// there, or submitted there and never claimed.
    OfInactiveServers(std::time::Duration),
}

fn orphan_ids(conn: &mut MysqlConnection, which: Orphaned) -> Result<Vec<JobId>> {
    let base = async_job::table
        .filter(async_job::job_status.eq(JobStatus::InProgress))
        .filter(async_job::job_complete_msid.is_null());
    let ids = match which {
        Orphaned::OfServer(msid) => base
            .filter(
                async_job::job_executing_msid
                    .eq(msid)
                    .or(async_job::job_executing_msid
                        .is_null()
                        .and(async_job::job_init_msid.eq(msid))),
            )
            .order(async_job::created)
            .select(async_job::id)
            .for_update()
            .load(conn)?,
        Orphaned::SilentSince(cut) => base
            .filter(async_job::job_executing_msid.is_not_null())
            .filter(async_job::last_updated.lt(cut.naive_utc()))
            .order(async_job::created)
            .select(async_job::id)
            .for_update()
            .load(conn)?,
        Orphaned::OfInactiveServers(threshold) => {
            let alive: Vec<i64> = crate::servers::live(conn, threshold)?
                .into_iter()
                .filter(|s| s.state != Some(crate::servers::ServerState::Down))
                .map(|s| s.msid as i64)
                .collect();
            base.filter(
                async_job::job_executing_msid.ne_all(alive.clone()).or(
                    async_job::job_executing_msid
                        .is_null()
                        .and(async_job::job_init_msid.ne_all(alive)),
                ),
            )
            .order(async_job::created)
            .select(async_job::id)
            .for_update()
            .load(conn)?
        }
        Orphaned::SilentFor(silence) => base
            .filter(async_job::job_executing_msid.is_not_null())
            .filter(
                async_job::last_updated.lt(diesel::dsl::sql::<Nullable<Datetime>>(&format!(
                    "UTC_TIMESTAMP() - INTERVAL {} SECOND",
                    silence.as_secs()
                ))),
            )
            .order(async_job::created)
            .select(async_job::id)
            .for_update()
            .load(conn)?,
    };
    Ok(ids)
}

/// The orphaned jobs, oldest first.
pub fn find_orphans(conn: &mut MysqlConnection, which: Orphaned) -> Result<Vec<AsyncJob>> {
    let ids = orphan_ids(conn, which)?;
    Ok(async_job::table
        .filter(async_job::id.eq_any(ids))
        .order(async_job::created)
        .select(AsyncJob::as_select())
        .load(conn)?)
}

/// Hands orphaned jobs back to the queue (unclaimed, so another server claims them); returns
/// how many.
pub fn requeue_orphans(tx: &mut Tx<'_>, which: Orphaned) -> Result<usize> {
    let conn = tx.conn();
    let ids = orphan_ids(conn, which)?;
    Ok(
        diesel::update(async_job::table.filter(async_job::id.eq_any(ids)))
            .set((
                async_job::job_executing_msid.eq(None::<i64>),
                async_job::last_updated.eq(now().naive_utc()),
            ))
            .execute(conn)?,
    )
}

/// Fails orphaned jobs the way CloudStack does for a dead server: `FAILED`, code 530, result
/// [`ORPHAN_RESULT`], completed by `msid`; returns how many.
pub fn fail_orphans(tx: &mut Tx<'_>, which: Orphaned, msid: i64) -> Result<usize> {
    let conn = tx.conn();
    let ids = orphan_ids(conn, which)?;
    let at = now().naive_utc();
    Ok(
        diesel::update(async_job::table.filter(async_job::id.eq_any(ids)))
            .set((
                async_job::job_status.eq(JobStatus::Failed),
                async_job::job_result_code.eq(INTERNAL_ERROR),
                async_job::job_result.eq(ORPHAN_RESULT),
                async_job::job_complete_msid.eq(msid),
                async_job::job_executing_msid.eq(None::<i64>),
                async_job::last_updated.eq(at),
                async_job::removed.eq(at),
            ))
            .execute(conn)?,
    )
}

/// Deletes finished jobs whose `removed` is older than `cut`, at most `batch` rows per
/// statement (each its own short transaction), until none is left; returns how many.
pub fn expunge_finished(tx: &mut Tx<'_>, cut: DateTime<Utc>, batch: u32) -> Result<usize> {
    let conn = tx.conn();
    crate::repo::in_batches(|| {
        let ids: Vec<JobId> = async_job::table
            .filter(async_job::job_status.ne(JobStatus::InProgress))
            .filter(async_job::job_complete_msid.is_not_null())
            .filter(async_job::removed.le(cut.naive_utc()))
            .order(async_job::id)
            .limit(i64::from(batch.max(1)))
            .select(async_job::id)
            .load(conn)?;
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(diesel::delete(async_job::table.filter(async_job::id.eq_any(ids))).execute(conn)?)
    })
}
