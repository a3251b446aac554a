//! A zone's public network with one address range, as tests and benches need it (with the
//! physical network 200 it belongs to).

use std::net::Ipv4Addr;

use cloudstack_db::Result;
use cloudstack_db::db::Tx;
use cloudstack_db::network::public_ips::{self, RangeSpec};
use cloudstack_db::network::{
    BroadcastDomainType, NetworkMode, TrafficType, Vlan, VlanType, networks,
};
use cloudstack_db::types::{AccountId, DomainId, ZoneId};

/// Creates the public network of `zone` (owned by the system account) and a `VirtualNetwork`
/// range `first`–`last` in it; the gateway is the first address of the subnet `netmask` gives.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::types::ZoneId;
/// let range = db.write(|tx| cloudstack_db_testing::public_range(
///     tx, ZoneId(1), "10.30.0.10".parse().unwrap(), "10.30.0.50".parse().unwrap(),
///     "255.255.255.0".parse().unwrap()))?;
/// assert_eq!(range.ip4_range.as_deref(), Some("10.30.0.10-10.30.0.50"));
/// # Ok(()) }
/// ```
pub fn public_range(
    tx: &mut Tx<'_>,
    zone: ZoneId,
    first: Ipv4Addr,
    last: Ipv4Addr,
    netmask: Ipv4Addr,
) -> Result<Vlan> {
    crate::physical_network(tx, zone, 200)?;
    let public = networks::create(
        tx,
        &networks::NetworkSpec {
            name: "public".into(),
            display_text: Some("public".into()),
            account_id: AccountId(1),
            domain_id: DomainId(1),
            zone_id: zone,
            traffic_type: TrafficType::Public,
            guest_type: None,
            broadcast_domain_type: BroadcastDomainType::Vlan,
            vlan: None,
            gateway: None,
            cidr: None,
            mode: Some(NetworkMode::Static),
            acl_type: None,
            network_offering_id: 1,
            physical_network_id: Some(200),
            guru_name: "PublicNetworkGuru".into(),
        },
    )?;
    let gateway = Ipv4Addr::from((u32::from(first) & u32::from(netmask)) + 1);
    public_ips::create_range(
        tx,
        &RangeSpec {
            zone_id: zone,
            network_id: public.id,
            physical_network_id: 200,
            vlan_tag: "untagged".into(),
            gateway,
            netmask,
            start: first,
            end: last,
            ip6: None,
            vlan_type: VlanType::VirtualNetwork,
        },
    )
}
