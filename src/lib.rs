#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod catalog;
pub mod compute;
pub mod crypto;
pub mod db;
mod error;
pub mod events;
pub mod identity;
pub mod infra;
pub mod install;
pub mod jobs;
pub mod migrations;
pub mod network;
pub mod prelude;
pub mod repo;
pub mod resources;
pub mod schema;
mod secret;
pub mod servers;
pub mod settings;
pub mod storage;
pub mod types;
pub mod usage;

#[cfg(feature = "async")]
pub use db::AsyncDatabase;
pub use db::Database;
pub use error::{Error, Result, RetryReason, classify_server_message, name_unexpected_null};
pub use secret::Secret;
