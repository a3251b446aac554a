//! Pods (`host_pod_ref`).

use diesel::prelude::*;

use super::{AllocationState, Pod};
use crate::Result;
use crate::schema::cloud::host_pod_ref;
use crate::types::{PodId, ZoneId};

crate::repo::live_finders!(
    host_pod_ref,
    Pod,
    PodId,
    "infra::pods",
    "cloudstack_db::types::PodId(1)"
);

/// A zone's live pods by id; with `enabled_only`, those whose allocation state is `Enabled`.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let pods = cloudstack_db::infra::pods::list_in_zone(conn, cloudstack_db::types::ZoneId(1), true)?;
/// # Ok(()) }
/// ```
pub fn list_in_zone(
    conn: &mut MysqlConnection,
    zone: ZoneId,
    enabled_only: bool,
) -> Result<Vec<Pod>> {
    let mut q = host_pod_ref::table
        .filter(host_pod_ref::data_center_id.eq(zone))
        .filter(host_pod_ref::removed.is_null())
        .into_boxed();
    if enabled_only {
        q = q.filter(host_pod_ref::allocation_state.eq(AllocationState::Enabled));
    }
    Ok(q.order(host_pod_ref::id)
        .select(Pod::as_select())
        .load(conn)?)
}
