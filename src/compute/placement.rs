//! Starting a VM on a host with the host's capacity taken in the same transaction.

use super::shape::Shape;
use super::{VmEvent, VmInstance, vms};
use crate::Result;
use crate::db::Tx;
use crate::infra::capacity::{self, VmShare};
use crate::types::HostId;

/// What `vm` takes of a host: its offering's cores, speed and memory (a custom offering's
/// from the VM's details).
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection, vm: &cloudstack_db::compute::VmInstance) -> cloudstack_db::Result<()> {
/// let share = cloudstack_db::compute::placement::share_of(conn, vm)?;
/// # Ok(()) }
/// ```
pub fn share_of(conn: &mut diesel::MysqlConnection, vm: &VmInstance) -> Result<VmShare> {
    let shape = Shape::of(conn, vm.service_offering_id, vm.vm_template_id, Some(vm.id))?;
    Ok(VmShare {
        cores: shape.cpu.unwrap_or(0),
        speed_mhz: shape.speed.unwrap_or(0),
        memory_mib: shape.memory.unwrap_or(0),
    })
}

/// Starts `vm` on `host` the way CloudStack's deployment does it, in one transaction: the
/// host's CPU, memory and cores taken ([`capacity::reserve_vm`]: the host must be `Up` and
/// `Enabled` and have room, or nothing changes) and `StartRequested` with the host
/// ([`vms::transition`], which refuses a VM changed meanwhile with `StaleState`).
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, vm: &cloudstack_db::compute::VmInstance) -> cloudstack_db::Result<()> {
/// let starting = db.write(|tx| cloudstack_db::compute::placement::start_on(tx, vm, cloudstack_db::types::HostId(100)))?;
/// # Ok(()) }
/// ```
pub fn start_on(tx: &mut Tx<'_>, vm: &VmInstance, host: HostId) -> Result<VmInstance> {
    let share = share_of(tx.conn(), vm)?;
    capacity::reserve_vm(tx, host, share)?;
    vms::transition(tx, vm, VmEvent::StartRequested, Some(Some(host.get())))
}
