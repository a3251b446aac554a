//! # cloudstack-db
//!
//! A typed Diesel data-access layer for Apache CloudStack's MySQL databases: `cloud`
//! (configuration and runtime state) and `cloud_usage` (metering).
//!
//! The connection layer ([`db`]) holds one r2d2 pool per database, applies CloudStack's
//! session settings (`sql_mode`, UTC, READ COMMITTED) to every connection, and offers
//! transactions with savepoints and whole-transaction retry. Every failure is a typed
//! [`Error`]; secrets never appear in `Debug`, `Display`, logs or errors ([`Secret`]).
//!
//! ```no_run
//! use cloudstack_db::Database;
//!
//! let db = Database::from_env()?;
//! db.run_migrations()?;
//! let mut conn = db.cloud().get()?;
//! let live = cloudstack_db::db::SessionSnapshot::read(&mut conn)?;
//! assert_eq!(live.time_zone, "+00:00");
//! # Ok::<(), cloudstack_db::Error>(())
//! ```
#![warn(missing_docs)]

pub mod catalog;
pub mod compute;
pub mod crypto;
pub mod db;
mod error;
pub mod events;
pub mod identity;
pub mod install;
pub mod jobs;
pub mod migrations;
pub mod network;
pub mod prelude;
pub mod repo;
pub mod schema;
mod secret;
pub mod storage;
pub mod types;
pub mod usage;

pub use db::Database;
pub use error::{Error, Result, RetryReason, classify_server_message, name_unexpected_null};
pub use secret::Secret;
