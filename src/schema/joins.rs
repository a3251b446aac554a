//! Table pairs that may appear in one query although no foreign key links them.
//!
//! The generated schema only allows tables connected by foreign keys to share a query (which keeps
//! compile times down); the pairs the repositories join otherwise are listed here.

use super::cloud::*;

diesel::allow_tables_to_appear_in_same_query!(async_job, account);
diesel::allow_tables_to_appear_in_same_query!(event, account);
diesel::allow_tables_to_appear_in_same_query!(usage_event, account);
