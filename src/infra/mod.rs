//! Infrastructure: pods, clusters, hosts and primary storage pools — models, finds, the lists
//! placement needs, and state changes guarded as CloudStack's DAOs guard them — and host
//! capacity (`op_host_capacity`) reserved in the transaction of the change that uses it.

pub mod capacity;
mod cluster;
pub mod clusters;
mod host;
pub mod hosts;
mod pod;
pub mod pods;
mod storage_pool;
pub mod storage_pools;
mod types;

pub use cluster::Cluster;
pub use host::Host;
pub use pod::Pod;
pub use storage_pool::StoragePool;
pub use types::*;
