//! Primary storage pools.

use diesel::prelude::*;

use super::{PoolScope, StoragePool, StoragePoolStatus};
use crate::db::Tx;
use crate::schema::cloud::{storage_pool, storage_pool_tags};
use crate::types::{ClusterId, HypervisorType, PodId, StoragePoolId, ZoneId};
use crate::{Error, Result};

crate::repo::live_finders!(
    storage_pool,
    StoragePool,
    StoragePoolId,
    "infra::storage_pools",
    "cloudstack_db::types::StoragePoolId(1)"
);

/// Filters for [`list`]: every field that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolFilter {
    /// Zone.
    pub zone_id: Option<ZoneId>,
    /// Pod.
    pub pod_id: Option<PodId>,
    /// Cluster.
    pub cluster_id: Option<ClusterId>,
    /// Scope (cluster-wide, zone-wide, host-local).
    pub scope: Option<PoolScope>,
    /// Hypervisor (zone-wide pools name theirs).
    pub hypervisor: Option<HypervisorType>,
    /// Status, e.g. `Up`.
    pub status: Option<StoragePoolStatus>,
    /// A storage tag the pool must carry (`storage_pool_tags`, plain tags, not rules).
    pub tag: Option<String>,
}

/// The live pools matching `filter`, by id.
///
/// ```no_run
/// use cloudstack_db::infra::{storage_pools::{self, PoolFilter}, StoragePoolStatus};
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let filter = PoolFilter { status: Some(StoragePoolStatus::Up), tag: Some("ssd".into()), ..Default::default() };
/// let pools = storage_pools::list(conn, &filter)?;
/// # Ok(()) }
/// ```
pub fn list(conn: &mut MysqlConnection, filter: &PoolFilter) -> Result<Vec<StoragePool>> {
    let mut q = storage_pool::table
        .filter(storage_pool::removed.is_null())
        .into_boxed();
    if let Some(z) = filter.zone_id {
        q = q.filter(storage_pool::data_center_id.eq(z));
    }
    if let Some(p) = filter.pod_id {
        q = q.filter(storage_pool::pod_id.eq(p));
    }
    if let Some(c) = filter.cluster_id {
        q = q.filter(storage_pool::cluster_id.eq(c));
    }
    if let Some(s) = filter.scope {
        q = q.filter(storage_pool::scope.eq(s));
    }
    if let Some(h) = filter.hypervisor {
        q = q.filter(storage_pool::hypervisor.eq(h));
    }
    if let Some(s) = filter.status {
        q = q.filter(storage_pool::status.eq(s));
    }
    if let Some(tag) = &filter.tag {
        let tagged = storage_pool_tags::table
            .filter(storage_pool_tags::tag.eq(tag.clone()))
            .filter(storage_pool_tags::is_tag_a_rule.eq(0))
            .select(storage_pool_tags::pool_id);
        q = q.filter(storage_pool::id.eq_any(tagged));
    }
    Ok(q.order(storage_pool::id)
        .select(StoragePool::as_select())
        .load(conn)?)
}

/// Moves a pool from the status read in `pool` to `to` (guarded by that status, as
/// `StoragePoolDaoImpl` updates it); a pool changed since is [`Error::StaleState`].
///
/// ```no_run
/// use cloudstack_db::infra::{storage_pools, StoragePoolStatus};
/// # fn demo(db: &cloudstack_db::Database, pool: &cloudstack_db::infra::StoragePool) -> cloudstack_db::Result<()> {
/// db.write(|tx| storage_pools::set_status(tx, pool, StoragePoolStatus::Maintenance))?;
/// # Ok(()) }
/// ```
pub fn set_status(
    tx: &mut Tx<'_>,
    pool: &StoragePool,
    to: StoragePoolStatus,
) -> Result<StoragePool> {
    let conn = tx.conn();
    let live = storage_pool::table
        .filter(storage_pool::id.eq(pool.id))
        .filter(storage_pool::removed.is_null());
    let set = (
        storage_pool::status.eq(Some(to)),
        storage_pool::update_time.eq(Some(crate::repo::now().naive_utc())),
    );
    let n = match pool.status {
        Some(from) => diesel::update(live.filter(storage_pool::status.eq(from)))
            .set(set)
            .execute(conn)?,
        None => diesel::update(live.filter(storage_pool::status.is_null()))
            .set(set)
            .execute(conn)?,
    };
    if n == 0 {
        return Err(Error::StaleState {
            entity: "storage_pool",
            id: pool.id.get(),
            detail: format!("expected status {:?}", pool.status),
        });
    }
    find(conn, pool.id)
}
