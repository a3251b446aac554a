//! Resource accounting as CloudStack's `ResourceLimitManagerImpl` keeps it: a `resource_count`
//! row per owner (account or domain) and resource type, changed in the transaction of the
//! change that causes it — for the account and every domain above it — and limits
//! (`resource_limit`, else the global `max.account.*` / `max.domain.*` settings, `-1` =
//! unlimited) checked before a create under the count rows' locks, so concurrent creators
//! never pass a limit together.

mod accounting;
mod batch;
mod counting;
mod ledger;
mod resource_count;
mod resource_limit;
mod types;

pub use accounting::{
    Owner, change, change_tagged, check_limit, create_counts, host_tags_of, reserve,
    reserve_tagged, storage_tags_of,
};
pub use ledger::{counts_of, limits_of, set_limit};
pub use resource_count::ResourceCount;
pub use resource_limit::ResourceLimit;
pub use types::ResourceType;
