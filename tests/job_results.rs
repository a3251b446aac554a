//! Async jobs finished the way CloudStack's API reads and writes them: results in
//! `ApiSerializerHelper`'s `<class>/<object name>/<JSON>` shape (what `queryAsyncJobResult`
//! shows), failures as its `ExceptionResponse`, cancellation as FAILED (CloudStack never writes
//! CANCELLED), and only the server running a job finishes it.

mod common;

use cloudstack_db::jobs::queue::{self, JobSpec, Orphaned};
use cloudstack_db::jobs::result::ApiResult;
use cloudstack_db::jobs::{AsyncJob, JobStatus};
use cloudstack_db::prelude::*;

fn submit(db: &Database, init_msid: i64) -> AsyncJob {
    db.write(|tx| {
        queue::submit(
            tx,
            &JobSpec::new(
                "org.apache.cloudstack.api.command.user.vm.StartVMCmd",
                "{\"id\":\"7\"}",
                UserId(2),
                AccountId(2),
                init_msid,
            ),
        )
    })
    .unwrap()
}

fn claim(db: &Database, msid: i64) -> AsyncJob {
    db.write(|tx| queue::claim_next(tx, msid))
        .unwrap()
        .expect("a job to claim")
}

#[test]
fn results_and_failures_are_stored_the_way_query_async_job_result_reads_them() {
    let test = common::fresh();
    let db = test.database();
    let job = submit(db, 1);
    claim(db, 1);
    let response = ApiResult::new(
        "org.apache.cloudstack.api.response.UserVmResponse",
        "virtualmachine",
        serde_json::json!({"id": "0f5e", "name": "vm/1", "state": "Running"}),
    );
    let done = db
        .write(|tx| queue::succeed(tx, job.id, 1, &response))
        .unwrap();
    assert_eq!(
        (
            done.job_status,
            done.job_result_code,
            done.job_result.as_deref()
        ),
        (
            Some(JobStatus::Succeeded),
            Some(0),
            Some(
                "org.apache.cloudstack.api.response.UserVmResponse/virtualmachine/\
                 {\"id\":\"0f5e\",\"name\":\"vm/1\",\"state\":\"Running\"}"
            )
        )
    );
    // Read back as CloudStack splits it (a '/' inside the JSON stays in the JSON).
    assert_eq!(
        ApiResult::parse(done.job_result.as_deref().unwrap()),
        Some(response)
    );
    // A result as Java's ApiSerializerHelper writes one without an object name.
    let java =
        ApiResult::parse("com.cloud.api.response.SuccessResponse/{\"success\":true}").unwrap();
    assert_eq!(
        (java.object_name, java.json["success"].as_bool()),
        (None, Some(true))
    );

    let job = submit(db, 1);
    claim(db, 1);
    let failed = db
        .write(|tx| {
            queue::fail(
                tx,
                job.id,
                1,
                queue::INTERNAL_ERROR,
                "Unable to start VM: no \"host\"",
            )
        })
        .unwrap();
    assert_eq!(
        (
            failed.job_status,
            failed.job_result_code,
            failed.job_result.as_deref()
        ),
        (
            Some(JobStatus::Failed),
            Some(530),
            Some(
                "org.apache.cloudstack.api.response.ExceptionResponse/null/\
                 {\"uuidList\":[],\"errorcode\":530,\"errortext\":\"Unable to start VM: no \\\"host\\\"\"}"
            )
        )
    );
    // A result CloudStack could not read back is refused before anything is written.
    let job = submit(db, 1);
    claim(db, 1);
    let bad = ApiResult::new("com.cloud.A/B", "x", serde_json::json!({}));
    assert!(matches!(
        db.write(|tx| queue::succeed(tx, job.id, 1, &bad)),
        Err(Error::InvalidValue { .. })
    ));
    assert_eq!(
        db.read(|c| queue::find(c, job.id)).unwrap().job_status,
        Some(JobStatus::InProgress)
    );
}

#[test]
fn cancelling_writes_failed_with_the_reason_as_cloudstack_does() {
    let test = common::fresh();
    let db = test.database();
    let job = submit(db, 1);
    claim(db, 1);
    let cancelled = db
        .write(|tx| queue::cancel(tx, job.id, 1, queue::CANCELLED_RESULT))
        .unwrap();
    assert_eq!(
        (
            cancelled.job_status,
            cancelled.job_result_code,
            cancelled.job_result.as_deref()
        ),
        (
            Some(JobStatus::Failed),
            Some(0),
            Some(queue::CANCELLED_RESULT)
        )
    );
    assert!(cancelled.removed.is_some() && cancelled.job_executing_msid.is_none());
}

#[test]
fn only_the_server_running_a_job_finishes_it_even_after_a_hand_over() {
    let test = common::fresh();
    let db = test.database();
    let job = submit(db, 1);
    claim(db, 1);
    // Server 2 neither completes, fails nor cancels what server 1 runs.
    let others = [
        db.write(|tx| queue::complete(tx, job.id, 2, JobStatus::Succeeded, 0, None)),
        db.write(|tx| queue::fail(tx, job.id, 2, 530, "x")),
        db.write(|tx| queue::cancel(tx, job.id, 2, "x")),
    ];
    for result in &others {
        assert!(
            matches!(
                result,
                Err(Error::StaleState {
                    entity: "async_job",
                    ..
                })
            ),
            "{result:?}"
        );
    }
    assert_eq!(
        db.read(|c| queue::find(c, job.id)).unwrap().job_status,
        Some(JobStatus::InProgress)
    );
    // Server 1 falls silent; its job is handed over and server 2 runs it.
    db.write(|tx| queue::requeue_orphans(tx, Orphaned::OfServer(1)))
        .unwrap();
    let again = claim(db, 2);
    assert_eq!(again.id, job.id);
    // Server 1's late completion changes nothing: the job is finished once, by server 2.
    let late = db.write(|tx| queue::complete(tx, job.id, 1, JobStatus::Succeeded, 0, Some("late")));
    assert!(matches!(late, Err(Error::StaleState { .. })), "{late:?}");
    let done = db
        .write(|tx| queue::complete(tx, job.id, 2, JobStatus::Succeeded, 0, None))
        .unwrap();
    assert_eq!((done.job_complete_msid, done.job_result), (Some(2), None));

    // An unclaimed job: the server it was submitted to may cancel it, another may not.
    let queued = submit(db, 3);
    let by_other = db.write(|tx| queue::cancel(tx, queued.id, 4, "no"));
    assert!(
        matches!(by_other, Err(Error::StaleState { .. })),
        "{by_other:?}"
    );
    let by_submitter = db
        .write(|tx| queue::cancel(tx, queued.id, 3, "not wanted"))
        .unwrap();
    assert_eq!(by_submitter.job_status, Some(JobStatus::Failed));
}
