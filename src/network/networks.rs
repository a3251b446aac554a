//! Networks: create with a sequence id (`networks_seq`), find, list, the network state machine,
//! soft delete. CIDRs, gateways and VLAN URIs are checked and stored in CloudStack's form.

use std::net::IpAddr;

use diesel::prelude::*;

use super::addressing::{parse_cidr, vlan_uri};
use super::{
    AclType, BroadcastDomainType, GuestType, Network, NetworkMode, NetworkState, NewNetwork,
    TrafficType,
};
use crate::db::{SequenceName, Tx};
use crate::repo::{Page, PageRequest, now};
use crate::schema::cloud::networks;
use crate::types::{AccountId, DomainId, NetworkId, ZoneId};
use crate::{Error, Result};

/// What happens to a network (`Network.Event`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum NetworkEvent {
    ImplementNetwork,
    DestroyNetwork,
    OperationSucceeded,
    OperationFailed,
}

/// The network state machine (no transition writes usage events).
///
/// ```
/// use cloudstack_db::network::networks::{network_transition, NetworkEvent};
/// use cloudstack_db::network::NetworkState;
/// assert_eq!(network_transition(NetworkState::Allocated, NetworkEvent::ImplementNetwork).unwrap(), NetworkState::Implementing);
/// assert!(network_transition(NetworkState::Destroy, NetworkEvent::ImplementNetwork).is_err());
/// ```
pub fn network_transition(from: NetworkState, event: NetworkEvent) -> Result<NetworkState> {
    use NetworkEvent as E;
    use NetworkState as S;
    let to = match (from, event) {
        (S::Allocated, E::ImplementNetwork) => S::Implementing,
        (S::Allocated, E::DestroyNetwork) => S::Destroy,
        (S::Setup, E::DestroyNetwork) => S::Destroy,
        (S::Implementing, E::OperationSucceeded) => S::Implemented,
        (S::Implementing, E::OperationFailed) => S::Shutdown,
        (S::Implemented, E::DestroyNetwork) => S::Shutdown,
        (S::Shutdown, E::OperationSucceeded) => S::Allocated,
        (S::Shutdown, E::OperationFailed) => S::Shutdown,
        _ => {
            return Err(Error::IllegalTransition {
                entity: "networks",
                from: from.to_string(),
                event: format!("{event:?}"),
            });
        }
    };
    Ok(to)
}

/// What a new network is made of.
#[derive(Debug, Clone)]
pub struct NetworkSpec {
    /// Name.
    pub name: String,
    /// Description.
    pub display_text: Option<String>,
    /// Owner.
    pub account_id: AccountId,
    /// Owner's domain.
    pub domain_id: DomainId,
    /// Zone.
    pub zone_id: ZoneId,
    /// Traffic it carries.
    pub traffic_type: TrafficType,
    /// Shared, Isolated, L2 (guest networks).
    pub guest_type: Option<GuestType>,
    /// Isolation.
    pub broadcast_domain_type: BroadcastDomainType,
    /// VLAN tag (`100`, `vlan://100`, `untagged`), stored as `vlan://100`.
    pub vlan: Option<String>,
    /// Gateway; must lie in `cidr`.
    pub gateway: Option<IpAddr>,
    /// The network's CIDR, e.g. `10.1.1.0/24`.
    pub cidr: Option<String>,
    /// Address assignment.
    pub mode: Option<NetworkMode>,
    /// Who may use it.
    pub acl_type: Option<AclType>,
    /// The network offering (`network_offerings.id`, outside this crate's tables).
    pub network_offering_id: u64,
    /// The physical network (outside this crate's tables).
    pub physical_network_id: Option<u64>,
    /// The guru that implements it, e.g. `ExternalGuestNetworkGuru`.
    pub guru_name: String,
}

/// Creates a network in state `Allocated` with its id from `networks_seq` (`related` = itself).
/// An empty name, a bad CIDR or VLAN, or a gateway outside the CIDR is [`Error::InvalidValue`],
/// refused before an id is taken.
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, spec: cloudstack_db::network::networks::NetworkSpec) -> cloudstack_db::Result<()> {
/// let network = db.write(|tx| networks::create(tx, &spec))?;
/// # Ok(()) }
/// ```
pub fn create(tx: &mut Tx<'_>, spec: &NetworkSpec) -> Result<Network> {
    if spec.name.trim().is_empty() {
        return Err(Error::invalid_value(
            "networks.name",
            &spec.name,
            "must not be empty",
        ));
    }
    let cidr = spec
        .cidr
        .as_deref()
        .map(|c| parse_cidr("networks.cidr", c))
        .transpose()?;
    if let (Some(gateway), Some(cidr)) = (spec.gateway, cidr) {
        if !cidr.contains(&gateway) {
            return Err(Error::invalid_value(
                "networks.gateway",
                gateway.to_string(),
                "outside the network's CIDR",
            ));
        }
    }
    let broadcast_uri = spec.vlan.as_deref().map(vlan_uri).transpose()?;
    let id = NetworkId(tx.next_id(SequenceName::Networks)?);
    let row = NewNetwork {
        id,
        name: Some(spec.name.clone()),
        uuid: Some(uuid::Uuid::new_v4()),
        display_text: spec.display_text.clone(),
        traffic_type: spec.traffic_type,
        broadcast_domain_type: spec.broadcast_domain_type,
        broadcast_uri,
        gateway: spec.gateway.map(|g| g.to_string()),
        cidr: cidr.map(|c| c.to_string()),
        mode: spec.mode,
        network_offering_id: spec.network_offering_id,
        physical_network_id: spec.physical_network_id,
        data_center_id: spec.zone_id,
        guru_name: spec.guru_name.clone(),
        state: NetworkState::Allocated,
        related: id,
        domain_id: spec.domain_id,
        account_id: spec.account_id,
        dns1: None,
        dns2: None,
        ip6dns1: None,
        ip6dns2: None,
        guru_data: None,
        set_fields: None,
        acl_type: spec.acl_type,
        network_domain: None,
        reservation_id: None,
        guest_type: spec.guest_type,
        restart_required: false,
        created: now(),
        removed: None,
        specify_ip_ranges: false,
        vpc_id: None,
        ip6_gateway: None,
        ip6_cidr: None,
        network_cidr: None,
        display_network: None,
        network_acl_id: None,
        streched_l2: None,
        redundant: None,
        external_id: None,
        public_mtu: None,
        private_mtu: None,
    };
    let conn = tx.conn();
    diesel::insert_into(networks::table)
        .values(row)
        .execute(conn)?;
    find(conn, id)
}

crate::repo::live_finders!(
    networks,
    Network,
    NetworkId,
    "network::networks",
    "cloudstack_db::types::NetworkId(200)"
);

/// Which networks [`list`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkFilter {
    /// Owner.
    pub account_id: Option<AccountId>,
    /// Zone.
    pub zone_id: Option<ZoneId>,
    /// State.
    pub state: Option<NetworkState>,
    /// Traffic type.
    pub traffic_type: Option<TrafficType>,
    /// Guest type.
    pub guest_type: Option<GuestType>,
}

/// A page of live networks matching `filter`, in id order.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list(
    conn: &mut MysqlConnection,
    filter: &NetworkFilter,
    page: &PageRequest,
) -> Result<Page<Network>> {
    let build = || {
        let mut q = networks::table
            .filter(networks::removed.is_null())
            .into_boxed();
        if let Some(a) = filter.account_id {
            q = q.filter(networks::account_id.eq(a));
        }
        if let Some(z) = filter.zone_id {
            q = q.filter(networks::data_center_id.eq(z));
        }
        if let Some(s) = filter.state {
            q = q.filter(networks::state.eq(s));
        }
        if let Some(t) = filter.traffic_type {
            q = q.filter(networks::traffic_type.eq(t));
        }
        if let Some(g) = filter.guest_type {
            q = q.filter(networks::guest_type.eq(g));
        }
        q
    };
    crate::repo::keyset_page!(
        conn,
        page,
        build,
        networks::id,
        NetworkId(page.after_id()),
        Network,
        |n: &Network| n.id.get()
    )
}

/// Changes for [`update`]: `None` leaves a column alone; `Some(None)` sets it to NULL.
///
/// ```
/// let c = cloudstack_db::network::networks::NetworkChanges { display_text: Some(None), ..Default::default() };
/// assert!(c.name.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = networks, check_for_backend(diesel::mysql::Mysql))]
pub struct NetworkChanges {
    /// `networks.name`.
    pub name: Option<Option<String>>,
    /// `networks.display_text`.
    pub display_text: Option<Option<String>>,
    /// `networks.network_domain`.
    pub network_domain: Option<Option<String>>,
}

/// Applies `changes` to a live network and returns it as it is now; a network that is not live
/// is [`Error::NotFound`], a value its column cannot hold [`Error::InvalidValue`].
///
/// ```no_run
/// use cloudstack_db::network::networks::{self, NetworkChanges};
/// # fn demo(db: &cloudstack_db::Database, id: cloudstack_db::types::NetworkId) -> cloudstack_db::Result<()> {
/// let changes = NetworkChanges { name: Some(Some("web-tier".into())), ..Default::default() };
/// let network = db.write(|tx| networks::update(tx, id, &changes))?;
/// # Ok(()) }
/// ```
pub fn update(tx: &mut Tx<'_>, id: NetworkId, changes: &NetworkChanges) -> Result<Network> {
    use crate::repo::{Charset, check_text_change};
    check_text_change("networks.name", &changes.name, 255, Charset::Utf8mb4)?;
    check_text_change(
        "networks.display_text",
        &changes.display_text,
        255,
        Charset::Utf8mb4,
    )?;
    check_text_change(
        "networks.network_domain",
        &changes.network_domain,
        255,
        Charset::Utf8mb3,
    )?;
    let conn = tx.conn();
    crate::repo::update_live!(conn, networks, id, changes)?;
    find(conn, id)
}

/// Moves a network through its state machine, guarded by the state it was read in (the
/// `networks` table has no update counter); a lost race is [`Error::StaleState`].
pub fn transition(tx: &mut Tx<'_>, network: &Network, event: NetworkEvent) -> Result<Network> {
    let conn = tx.conn();
    let to = network_transition(network.state, event)?;
    let n = diesel::update(
        networks::table
            .filter(networks::id.eq(network.id))
            .filter(networks::state.eq(network.state))
            .filter(networks::removed.is_null()),
    )
    .set(networks::state.eq(to))
    .execute(conn)?;
    if n == 0 {
        return Err(Error::StaleState {
            entity: "networks",
            id: network.id.get(),
            detail: format!("no longer in state {}", network.state),
        });
    }
    find(conn, network.id)
}

/// Soft-deletes a network.
pub fn remove(tx: &mut Tx<'_>, id: NetworkId) -> Result<()> {
    let conn = tx.conn();
    crate::repo::soft_delete!(conn, networks, id)
}
