//! The connection layer: configuration, the pools, session settings, transactions and the
//! transaction context ([`Tx`]) every write runs in.

mod abort_watch;
#[cfg(feature = "async")]
mod async_database;
mod client;
mod client_hook;
mod config;
mod database;
mod manager;
mod pool;
mod properties;
mod replicas;
mod retry;
mod schema_release;
mod sequence;
mod server;
mod session;
pub(crate) mod statement;
mod target;
mod transaction_sql;
mod tx;

pub use abort_watch::AbortWatch;
#[cfg(feature = "async")]
pub use async_database::AsyncDatabase;
pub use client::{ClientSettings, TlsMode};
pub use config::{
    CLOUD_SECRET_KEY_ENV, DEFAULT_CLOUD_URL, DEFAULT_USAGE_URL, DatabaseConfig, PoolConfig,
    PoolSettings, ReplicaConfig, key_file_permission_problem, management_key,
    management_key_from_env,
};
pub use database::Database;
pub use manager::{ManagedConnection, MysqlManager};
pub use pool::{DbPool, PooledConnection};
pub use properties::DbProperties;
pub use replicas::{ReadRouter, ReadTarget, ReadYourWrites};
pub use retry::{RetryPolicy, in_transaction, transaction, transaction_with_retry};
pub(crate) use schema_release::{NoVmId, no_vm_id};
pub use schema_release::{SchemaRelease, schema_release};
pub use sequence::{IdSource, SequenceName, next_in_sequence};
pub use server::{ServerFlavor, ServerInfo};
pub use session::{CLOUDSTACK_SQL_MODE, IsolationLevel, SessionSettings, SessionSnapshot};
pub use target::ConnectionTarget;
pub use tx::Tx;
