//! Async jobs: the multi-server job queue in `async_job`.

mod async_job;
mod types;

pub use async_job::{AsyncJob, NewAsyncJob};
pub use types::*;
