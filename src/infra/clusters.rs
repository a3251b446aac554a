//! Clusters.

use diesel::prelude::*;

use super::{AllocationState, Cluster, ManagedState};
use crate::Result;
use crate::schema::cloud::cluster;
use crate::types::{ClusterId, HypervisorType, PodId, ZoneId};

crate::repo::live_finders!(
    cluster,
    Cluster,
    ClusterId,
    "infra::clusters",
    "cloudstack_db::types::ClusterId(1)"
);

/// Filters for [`list`]: every field that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterFilter {
    /// Zone.
    pub zone_id: Option<ZoneId>,
    /// Pod.
    pub pod_id: Option<PodId>,
    /// Hypervisor.
    pub hypervisor: Option<HypervisorType>,
    /// Only clusters that take new resources: allocation `Enabled` and `Managed`.
    pub allocatable_only: bool,
}

/// The live clusters matching `filter`, by id.
///
/// ```no_run
/// use cloudstack_db::infra::clusters::{self, ClusterFilter};
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let filter = ClusterFilter { zone_id: Some(cloudstack_db::types::ZoneId(1)), allocatable_only: true, ..Default::default() };
/// let found = clusters::list(conn, &filter)?;
/// # Ok(()) }
/// ```
pub fn list(conn: &mut MysqlConnection, filter: &ClusterFilter) -> Result<Vec<Cluster>> {
    let mut q = cluster::table
        .filter(cluster::removed.is_null())
        .into_boxed();
    if let Some(z) = filter.zone_id {
        q = q.filter(cluster::data_center_id.eq(z));
    }
    if let Some(p) = filter.pod_id {
        q = q.filter(cluster::pod_id.eq(p));
    }
    if let Some(h) = filter.hypervisor {
        q = q.filter(cluster::hypervisor_type.eq(h));
    }
    if filter.allocatable_only {
        q = q
            .filter(cluster::allocation_state.eq(AllocationState::Enabled))
            .filter(cluster::managed_state.eq(ManagedState::Managed));
    }
    Ok(q.order(cluster::id)
        .select(Cluster::as_select())
        .load(conn)?)
}
