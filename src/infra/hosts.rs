//! Hosts: finds, the keyset list placement filters, and the status and resource-state changes
//! `HostDaoImpl` guards (status with `update_count`, resource state with the state read).

use diesel::prelude::*;

use super::{AllocationState, Host, HostStatus, HostType, ManagedState, ResourceState};
use crate::db::Tx;
use crate::repo::{Page, PageRequest};
use crate::schema::cloud::{cluster, host, host_pod_ref, host_tags};
use crate::types::{ClusterId, HostId, HypervisorType, PodId, ZoneId};
use crate::{Error, Result};

crate::repo::live_finders!(
    host,
    Host,
    HostId,
    "infra::hosts",
    "cloudstack_db::types::HostId(1)"
);

/// Filters for [`list`]: every field that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostFilter {
    /// Zone.
    pub zone_id: Option<ZoneId>,
    /// Pod.
    pub pod_id: Option<PodId>,
    /// Cluster.
    pub cluster_id: Option<ClusterId>,
    /// Hypervisor.
    pub hypervisor: Option<HypervisorType>,
    /// Kind (`Routing` for hypervisors).
    pub host_type: Option<HostType>,
    /// Connection status, e.g. `Up`.
    pub status: Option<HostStatus>,
    /// Resource state, e.g. `Enabled`.
    pub resource_state: Option<ResourceState>,
    /// A host tag the host must carry (`host_tags`, plain tags, not rules).
    pub tag: Option<String>,
}

impl HostFilter {
    /// What a VM of `hypervisor` can be placed on in `zone`: routing hosts that are `Up` and
    /// `Enabled`, optionally carrying `tag`. (Pods and clusters must be enabled too: see
    /// [`placement_candidates`].)
    ///
    /// ```
    /// use cloudstack_db::infra::{hosts::HostFilter, HostStatus};
    /// use cloudstack_db::types::{HypervisorType, ZoneId};
    /// let f = HostFilter::for_placement(ZoneId(1), HypervisorType::Kvm, None);
    /// assert_eq!(f.status, Some(HostStatus::Up));
    /// ```
    pub fn for_placement(zone: ZoneId, hypervisor: HypervisorType, tag: Option<&str>) -> Self {
        Self {
            zone_id: Some(zone),
            hypervisor: Some(hypervisor),
            host_type: Some(HostType::Routing),
            status: Some(HostStatus::Up),
            resource_state: Some(ResourceState::Enabled),
            tag: tag.map(str::to_owned),
            ..Self::default()
        }
    }
}

fn filtered(filter: &HostFilter) -> host::BoxedQuery<'_, diesel::mysql::Mysql> {
    let mut q = host::table.filter(host::removed.is_null()).into_boxed();
    if let Some(z) = filter.zone_id {
        q = q.filter(host::data_center_id.eq(z));
    }
    if let Some(p) = filter.pod_id {
        q = q.filter(host::pod_id.eq(p));
    }
    if let Some(c) = filter.cluster_id {
        q = q.filter(host::cluster_id.eq(c));
    }
    if let Some(h) = filter.hypervisor {
        q = q.filter(host::hypervisor_type.eq(h));
    }
    if let Some(t) = filter.host_type {
        q = q.filter(host::type_.eq(t));
    }
    if let Some(s) = filter.status {
        q = q.filter(host::status.eq(s));
    }
    if let Some(r) = filter.resource_state {
        q = q.filter(host::resource_state.eq(r));
    }
    if let Some(tag) = &filter.tag {
        let tagged = host_tags::table
            .filter(host_tags::tag.eq(tag.clone()))
            .filter(host_tags::is_tag_a_rule.eq(0))
            .select(host_tags::host_id);
        q = q.filter(host::id.eq_any(tagged));
    }
    q
}

/// A page of live hosts matching `filter`, in id order.
///
/// ```no_run
/// use cloudstack_db::infra::hosts::{self, HostFilter};
/// use cloudstack_db::repo::PageRequest;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let up = HostFilter { status: Some(cloudstack_db::infra::HostStatus::Up), ..Default::default() };
/// let page = hosts::list(conn, &up, &PageRequest::first(50))?;
/// # Ok(()) }
/// ```
pub fn list(
    conn: &mut MysqlConnection,
    filter: &HostFilter,
    page: &PageRequest,
) -> Result<Page<Host>> {
    let build = || filtered(filter);
    crate::repo::keyset_page!(
        conn,
        page,
        build,
        host::id,
        HostId(page.after_id()),
        Host,
        |h: &Host| h.id.get()
    )
}

/// The hosts a VM can be placed on (`filter`, usually [`HostFilter::for_placement`]) whose pod
/// and cluster take new resources too (allocation `Enabled`, cluster `Managed`), by id.
///
/// ```no_run
/// use cloudstack_db::infra::hosts::{self, HostFilter};
/// use cloudstack_db::types::{HypervisorType, ZoneId};
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let candidates = hosts::placement_candidates(conn, &HostFilter::for_placement(ZoneId(1), HypervisorType::Kvm, None))?;
/// # Ok(()) }
/// ```
pub fn placement_candidates(conn: &mut MysqlConnection, filter: &HostFilter) -> Result<Vec<Host>> {
    let open_clusters = cluster::table
        .filter(cluster::removed.is_null())
        .filter(cluster::allocation_state.eq(AllocationState::Enabled))
        .filter(cluster::managed_state.eq(ManagedState::Managed))
        .select(cluster::id.nullable());
    let open_pods = host_pod_ref::table
        .filter(host_pod_ref::removed.is_null())
        .filter(host_pod_ref::allocation_state.eq(AllocationState::Enabled))
        .select(host_pod_ref::id.nullable());
    Ok(filtered(filter)
        .filter(host::cluster_id.eq_any(open_clusters))
        .filter(host::pod_id.eq_any(open_pods))
        .order(host::id)
        .select(Host::as_select())
        .load(conn)?)
}

/// Changes a host's status from the one read in `host` (`HostDaoImpl.updateState`: guarded by
/// status and `update_count`, which it bumps; a host going `Down`/`Disconnected`/`Alert` also
/// loses its management server, one coming `Up` keeps it); a host changed since is
/// [`Error::StaleState`].
///
/// ```no_run
/// use cloudstack_db::infra::{hosts, HostStatus};
/// # fn demo(db: &cloudstack_db::Database, h: &cloudstack_db::infra::Host) -> cloudstack_db::Result<()> {
/// let down = db.write(|tx| hosts::set_status(tx, h, HostStatus::Down))?;
/// # Ok(()) }
/// ```
pub fn set_status(tx: &mut Tx<'_>, h: &Host, to: HostStatus) -> Result<Host> {
    let conn = tx.conn();
    let loses_server = matches!(
        to,
        HostStatus::Down | HostStatus::Disconnected | HostStatus::Alert
    );
    let target = host::table
        .filter(host::id.eq(h.id))
        .filter(host::removed.is_null())
        .filter(host::status.eq(h.status))
        .filter(host::update_count.eq(h.update_count));
    let n = if loses_server {
        diesel::update(target)
            .set((
                host::status.eq(to),
                host::update_count.eq(host::update_count + 1),
                host::mgmt_server_id.eq(None::<u64>),
                host::last_mgmt_server_id.eq(h.mgmt_server_id.or(h.last_mgmt_server_id)),
                host::disconnected.eq(Some(crate::repo::now().naive_utc())),
            ))
            .execute(conn)?
    } else {
        diesel::update(target)
            .set((
                host::status.eq(to),
                host::update_count.eq(host::update_count + 1),
            ))
            .execute(conn)?
    };
    if n == 0 {
        return Err(stale(h, "status and update_count"));
    }
    find_including_removed(conn, h.id)
}

/// Changes a host's resource state from the one read in `host` (`HostDaoImpl
/// .updateResourceState`, guarded by that state); a host changed since is
/// [`Error::StaleState`].
///
/// ```no_run
/// use cloudstack_db::infra::{hosts, ResourceState};
/// # fn demo(db: &cloudstack_db::Database, h: &cloudstack_db::infra::Host) -> cloudstack_db::Result<()> {
/// db.write(|tx| hosts::set_resource_state(tx, h, ResourceState::Disabled))?;
/// # Ok(()) }
/// ```
pub fn set_resource_state(tx: &mut Tx<'_>, h: &Host, to: ResourceState) -> Result<Host> {
    let conn = tx.conn();
    let n = diesel::update(
        host::table
            .filter(host::id.eq(h.id))
            .filter(host::removed.is_null())
            .filter(host::resource_state.eq(h.resource_state)),
    )
    .set(host::resource_state.eq(to))
    .execute(conn)?;
    if n == 0 {
        return Err(stale(h, "resource state"));
    }
    find_including_removed(conn, h.id)
}

fn stale(h: &Host, what: &str) -> Error {
    Error::StaleState {
        entity: "host",
        id: h.id.get(),
        detail: format!(
            "another writer changed its {what} first (read {} / {} at {})",
            h.status, h.resource_state, h.update_count
        ),
    }
}
