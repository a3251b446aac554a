//! A VM's network interfaces (`nics`): created with the VM or added later, listed in device
//! order, removed softly. Starting and stopping a VM bills its NICs' network offerings
//! (`NETWORK.OFFERING.ASSIGN` / `.REMOVE`, see [`crate::compute::vms::transition`]).

use diesel::prelude::*;

use super::{NewNic, Nic, NicReservationStrategy, NicState, VmInstance};
use crate::db::Tx;
use crate::events::usage_event_for;
use crate::events::usage_events::{insert_usage_event, kinds};
use crate::network::NetworkMode;
use crate::repo::{Charset, check_text, now};
use crate::schema::cloud::{networks, nics};
use crate::types::{NetworkId, NicId, VmId};
use crate::{Error, Result};

/// What a new NIC is made of; [`NicSpec::in_network`] fills the usual rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NicSpec {
    /// The network the NIC is in.
    pub network_id: NetworkId,
    /// `aa:bb:cc:dd:ee:ff`.
    pub mac_address: Option<String>,
    /// The IPv4 address.
    pub ip4_address: Option<String>,
    /// The IPv4 netmask.
    pub netmask: Option<String>,
    /// The IPv4 gateway.
    pub gateway: Option<String>,
    /// `vlan://100` and the like.
    pub broadcast_uri: Option<String>,
    /// `vlan://100` and the like.
    pub isolation_uri: Option<String>,
    /// How the address is assigned.
    pub mode: Option<NetworkMode>,
    /// When the network resources are reserved.
    pub strategy: NicReservationStrategy,
    /// The network guru that reserved it.
    pub reserver_name: Option<String>,
    /// The device number in the VM (0 first).
    pub device_id: Option<i32>,
    /// The VM's default NIC (billed with size 1).
    pub default_nic: bool,
    /// Shown to the end user.
    pub display_nic: bool,
}

impl NicSpec {
    /// A displayed default NIC in `network` at device 0, reserved at start, nothing else set.
    ///
    /// ```
    /// use cloudstack_db::compute::nics::NicSpec;
    /// use cloudstack_db::types::NetworkId;
    /// let nic = NicSpec::in_network(NetworkId(204));
    /// assert!(nic.default_nic && nic.device_id == Some(0));
    /// ```
    pub fn in_network(network_id: NetworkId) -> Self {
        Self {
            network_id,
            mac_address: None,
            ip4_address: None,
            netmask: None,
            gateway: None,
            broadcast_uri: None,
            isolation_uri: None,
            mode: None,
            strategy: NicReservationStrategy::Start,
            reserver_name: None,
            device_id: Some(0),
            default_nic: true,
            display_nic: true,
        }
    }
}

crate::repo::live_finders!(
    nics,
    Nic,
    NicId,
    "compute::nics",
    "cloudstack_db::types::NicId(1)"
);

/// Adds a NIC in state `Allocated` to `vm`, in the caller's transaction. The network must be
/// live ([`Error::NotFound`]); over-long text is [`Error::InvalidValue`] naming the column.
/// Adding a NIC writes no usage event: a stopped VM's NICs are billed from its next start.
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// use cloudstack_db::compute::nics::{self, NicSpec};
/// # fn demo(db: &Database, vm: &VmInstance) -> cloudstack_db::Result<()> {
/// let nic = db.write(|tx| nics::create(tx, vm, &NicSpec::in_network(cloudstack_db::types::NetworkId(204))))?;
/// # Ok(()) }
/// ```
pub fn create(tx: &mut Tx<'_>, vm: &VmInstance, spec: &NicSpec) -> Result<Nic> {
    for (column, value, max) in [
        ("nics.mac_address", &spec.mac_address, 17),
        ("nics.ip4_address", &spec.ip4_address, 40),
        ("nics.netmask", &spec.netmask, 15),
        ("nics.gateway", &spec.gateway, 15),
        ("nics.broadcast_uri", &spec.broadcast_uri, 255),
        ("nics.isolation_uri", &spec.isolation_uri, 255),
        ("nics.reserver_name", &spec.reserver_name, 255),
    ] {
        if let Some(value) = value {
            check_text(column, value, max, Charset::Utf8mb3)?;
        }
    }
    let conn = tx.conn();
    let network_live: Option<u64> = networks::table
        .filter(networks::id.eq(spec.network_id))
        .filter(networks::removed.is_null())
        .select(networks::id)
        .first(conn)
        .optional()?;
    if network_live.is_none() {
        return Err(Error::NotFound);
    }
    let row = NewNic {
        id: None,
        uuid: Some(uuid::Uuid::new_v4()),
        instance_id: Some(vm.id),
        mac_address: spec.mac_address.clone(),
        ip4_address: spec.ip4_address.clone(),
        netmask: spec.netmask.clone(),
        gateway: spec.gateway.clone(),
        ip_type: None,
        broadcast_uri: spec.broadcast_uri.clone(),
        network_id: spec.network_id,
        mode: spec.mode,
        state: NicState::Allocated,
        strategy: spec.strategy,
        reserver_name: spec.reserver_name.clone(),
        reservation_id: None,
        device_id: spec.device_id,
        update_time: Some(now()),
        isolation_uri: spec.isolation_uri.clone(),
        ip6_address: None,
        default_nic: spec.default_nic,
        vm_type: Some(vm.vm_type),
        created: now(),
        removed: None,
        ip6_gateway: None,
        ip6_cidr: None,
        secondary_ip: Some(0),
        display_nic: spec.display_nic,
        mtu: None,
    };
    diesel::insert_into(nics::table).values(row).execute(conn)?;
    let id = NicId(crate::repo::last_insert_id(conn)?);
    find_including_removed(conn, id)
}

/// `vm`'s live NICs by device and id (`NicDaoImpl.listByVmId`).
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let nics = cloudstack_db::compute::nics::list_for_vm(conn, cloudstack_db::types::VmId(7))?;
/// # Ok(()) }
/// ```
pub fn list_for_vm(conn: &mut MysqlConnection, vm: VmId) -> Result<Vec<Nic>> {
    Ok(nics::table
        .filter(nics::instance_id.eq(vm))
        .filter(nics::removed.is_null())
        .order((nics::device_id, nics::id))
        .select(Nic::as_select())
        .load(conn)?)
}

/// Soft-deletes a NIC of `vm` (sets `removed`); [`Error::NotFound`] when it is not a live NIC
/// of `vm`. A NIC unplugged from a running VM ends its offering's billing
/// (`NETWORK.OFFERING.REMOVE`, size 1 for the default NIC, as `VirtualMachineManagerImpl`
/// writes it).
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, vm: &cloudstack_db::compute::VmInstance) -> cloudstack_db::Result<()> {
/// db.write(|tx| cloudstack_db::compute::nics::remove(tx, vm, cloudstack_db::types::NicId(3)))?;
/// # Ok(()) }
/// ```
pub fn remove(tx: &mut Tx<'_>, vm: &VmInstance, id: NicId) -> Result<()> {
    let conn = tx.conn();
    let nic = find(conn, id)?;
    if nic.instance_id != Some(vm.id) {
        return Err(Error::NotFound);
    }
    crate::repo::soft_delete!(conn, nics, id)?;
    if vm.state == super::VmState::Running {
        write_offering_events(conn, vm, &[nic], kinds::NETWORK_OFFERING_REMOVE, true)?;
    }
    Ok(())
}

/// One `kind` usage event per NIC of a displayed user VM, as `UserVmManagerImpl` and
/// `UserVmStateListener` write them: resource `vm`, name the NIC's id, offering its network's
/// offering, size 1 for the default NIC when `default_is_one` (a start's ASSIGN, an unplug's
/// REMOVE) and 0 otherwise (a stop's REMOVE).
pub(crate) fn write_offering_events(
    conn: &mut MysqlConnection,
    vm: &VmInstance,
    nics: &[Nic],
    kind: &str,
    default_is_one: bool,
) -> Result<()> {
    if !vm.display_vm || vm.discriminator != super::VmDiscriminator::User {
        return Ok(());
    }
    for nic in nics {
        let offering: Option<u64> = networks::table
            .find(nic.network_id)
            .select(networks::network_offering_id)
            .first(conn)
            .optional()?;
        let mut event = usage_event_for(
            kind,
            vm.account_id,
            vm.data_center_id,
            vm.id.get(),
            &nic.id.to_string(),
        );
        event.offering_id = offering;
        event.size = Some(u64::from(default_is_one && nic.default_nic));
        insert_usage_event(conn, event)?;
    }
    Ok(())
}
