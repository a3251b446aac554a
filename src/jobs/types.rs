//! Enum columns of async jobs.

use diesel::sql_types::Integer;

use crate::types::ordinal_enum;

ordinal_enum! {
    /// An async job's status (`JobInfo.Status`), stored as its ordinal.
    JobStatus as i32, Integer, in "async_job.job_status" {
        InProgress = 0 as "IN_PROGRESS", Succeeded = 1 as "SUCCEEDED", Failed = 2 as "FAILED", Cancelled = 3 as "CANCELLED",
    }
}
