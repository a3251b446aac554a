//! Async jobs: the multi-server job queue in `async_job`.

mod async_job;
pub mod queue;
pub mod result;
mod types;

pub use async_job::{AsyncJob, NewAsyncJob};
pub use types::*;
