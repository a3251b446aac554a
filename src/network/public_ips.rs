//! Public IP ranges (`vlan`) and their addresses (`user_ip_address`): ranges that never
//! overlap in a zone, allocation that is correct with many allocators at once (`FOR UPDATE SKIP
//! LOCKED`: no allocator waits behind another's row lock), release, and the `NET.IPASSIGN` /
//! `NET.IPRELEASE` usage events in the same transaction as the change.

use std::net::{IpAddr, Ipv4Addr};

use diesel::prelude::*;

use super::addressing::{Ipv4Range, parse_ip, vlan_uri};
use super::dedicated::Dedications;
use super::{IpAddress, IpAddressState, NewIpAddress, NewVlan, Vlan, VlanType};
use crate::db::Tx;
use crate::events::usage_event_for;
use crate::events::usage_events::{insert_usage_event, kinds};
use crate::repo::{Page, PageRequest, last_insert_id, now};
use crate::schema::cloud::{data_center, user_ip_address, vlan};
use crate::types::{AccountId, DomainId, IpAddressId, NetworkId, TemplateId, VlanId, VmId, ZoneId};
use crate::{Error, Result};

/// The system account, whose addresses CloudStack writes no usage events for.
const SYSTEM_ACCOUNT: AccountId = AccountId(1);
/// Rows per multi-row INSERT of a range's addresses.
const ADDRESS_CHUNK: usize = 2000;

/// A public IP range to create.
#[derive(Debug, Clone)]
pub struct RangeSpec {
    /// Zone.
    pub zone_id: ZoneId,
    /// The network the range belongs to (the zone's Public network).
    pub network_id: NetworkId,
    /// The physical network (outside this crate's tables).
    pub physical_network_id: u64,
    /// VLAN tag (`100` or `untagged`), stored as `vlan://100`.
    pub vlan_tag: String,
    /// Gateway.
    pub gateway: Ipv4Addr,
    /// Netmask.
    pub netmask: Ipv4Addr,
    /// First address.
    pub start: Ipv4Addr,
    /// Last address.
    pub end: Ipv4Addr,
    /// IPv6 gateway, CIDR and range, stored as given.
    pub ip6: Option<(String, String, String)>,
    /// `VirtualNetwork` (source NAT, static NAT) or `DirectAttached`.
    pub vlan_type: VlanType,
}

fn live_ranges(conn: &mut MysqlConnection, zone: ZoneId) -> Result<Vec<Vlan>> {
    Ok(vlan::table
        .filter(vlan::data_center_id.eq(zone))
        .filter(vlan::removed.is_null())
        .select(Vlan::as_select())
        .load(conn)?)
}

/// Creates a range and one `Free` address row per address, in one transaction. A range that
/// overlaps a live range of the zone is refused ([`Error::Conflict`]); the zone row is locked
/// while checking, so two overlapping ranges cannot both get in.
pub fn create_range(tx: &mut Tx<'_>, spec: &RangeSpec) -> Result<Vlan> {
    let conn = tx.conn();
    let range = Ipv4Range::new(spec.start, spec.end, spec.gateway, spec.netmask)?;
    let tag = vlan_uri(&spec.vlan_tag)?;
    let mac_base: u64 = data_center::table
        .filter(data_center::id.eq(spec.zone_id))
        .select(data_center::mac_address)
        .for_update()
        .first(conn)?;
    for existing in live_ranges(conn, spec.zone_id)? {
        if let Some(other) = existing.ip4_range.as_deref().and_then(Ipv4Range::parse) {
            if other.overlaps(&range) {
                return Err(Error::Conflict(format!(
                    "{range} overlaps range {other} (vlan {}) in zone {}",
                    existing.id, spec.zone_id
                )));
            }
        }
    }
    let at = now();
    diesel::insert_into(vlan::table)
        .values(NewVlan {
            id: None,
            uuid: Some(uuid::Uuid::new_v4()),
            vlan_id: Some(tag.clone()),
            vlan_gateway: Some(spec.gateway.to_string()),
            vlan_netmask: Some(spec.netmask.to_string()),
            ip4_range: Some(range.to_string()),
            vlan_type: Some(spec.vlan_type),
            data_center_id: spec.zone_id,
            network_id: spec.network_id,
            physical_network_id: spec.physical_network_id,
            ip6_gateway: spec.ip6.as_ref().map(|i| i.0.clone()),
            ip6_cidr: spec.ip6.as_ref().map(|i| i.1.clone()),
            ip6_range: spec.ip6.as_ref().map(|i| i.2.clone()),
            removed: None,
            created: Some(at),
        })
        .execute(conn)?;
    let vlan_id = VlanId(last_insert_id(conn)?);
    // Each address takes the zone's next MAC address number.
    // One statement's rows at a time: a /16 is 65 536 addresses.
    let mut addresses = range.addresses().enumerate().peekable();
    let mut chunk: Vec<NewIpAddress> = Vec::with_capacity(ADDRESS_CHUNK);
    while addresses.peek().is_some() {
        chunk.clear();
        chunk.extend(
            addresses
                .by_ref()
                .take(ADDRESS_CHUNK)
                .map(|(i, ip)| NewIpAddress {
                    id: None,
                    uuid: Some(uuid::Uuid::new_v4()),
                    account_id: None,
                    domain_id: None,
                    public_ip_address: ip.to_string(),
                    data_center_id: spec.zone_id,
                    source_nat: false,
                    allocated: None,
                    vlan_db_id: vlan_id,
                    one_to_one_nat: false,
                    vm_id: None,
                    state: Some(IpAddressState::Free),
                    mac_address: mac_base + i as u64,
                    source_network_id: spec.network_id,
                    network_id: None,
                    physical_network_id: spec.physical_network_id,
                    is_system: false,
                    vpc_id: None,
                    dnat_vmip: None,
                    is_portable: false,
                    display: None,
                    removed: None,
                    created: Some(at),
                    rule_state: None,
                    forsystemvms: None,
                    for_router: None,
                }),
        );
        crate::repo::literal::insert_rows(
            conn,
            super::ip_address::INSERT_HEAD,
            &chunk,
            ADDRESS_CHUNK,
            &mut |v, a: &NewIpAddress| a.write_values(v),
        )?;
    }
    diesel::update(data_center::table.filter(data_center::id.eq(spec.zone_id)))
        .set(data_center::mac_address.eq(mac_base + range.len()))
        .execute(conn)?;
    Ok(vlan::table
        .find(vlan_id)
        .select(Vlan::as_select())
        .first(conn)?)
}

/// Deletes a range and its addresses, refused ([`Error::Conflict`]) while any of them is
/// allocated.
pub fn delete_range(tx: &mut Tx<'_>, id: VlanId) -> Result<()> {
    let conn = tx.conn();
    vlan::table
        .filter(vlan::id.eq(id))
        .filter(vlan::removed.is_null())
        .select(vlan::id)
        .for_update()
        .first::<VlanId>(conn)?;
    let in_use: i64 = user_ip_address::table
        .filter(user_ip_address::vlan_db_id.eq(id))
        .filter(
            user_ip_address::allocated
                .is_not_null()
                .or(user_ip_address::state.ne(IpAddressState::Free)),
        )
        .count()
        .get_result(conn)?;
    if in_use > 0 {
        return Err(Error::Conflict(format!(
            "range {id} has {in_use} address(es) in use"
        )));
    }
    diesel::delete(user_ip_address::table.filter(user_ip_address::vlan_db_id.eq(id)))
        .execute(conn)?;
    crate::repo::soft_delete!(conn, vlan, id)
}

/// What an allocation asks for.
#[derive(Debug, Clone)]
pub struct AllocateRequest {
    /// Zone.
    pub zone_id: ZoneId,
    /// New owner.
    pub account_id: AccountId,
    /// Owner's domain.
    pub domain_id: DomainId,
    /// Only from this range.
    pub vlan_id: Option<VlanId>,
    /// Associate with this guest network at once.
    pub network_id: Option<NetworkId>,
    /// The network's source NAT address.
    pub source_nat: bool,
    /// Used by the system (a system VM, a router).
    pub is_system: bool,
}

impl AllocateRequest {
    /// An address for `account` from any range of `zone`: not source NAT, not for the system,
    /// not associated with a network yet.
    ///
    /// ```
    /// use cloudstack_db::network::public_ips::AllocateRequest;
    /// use cloudstack_db::types::{AccountId, DomainId, ZoneId};
    /// let r = AllocateRequest::for_account(ZoneId(1), AccountId(2), DomainId(1));
    /// assert!(!r.source_nat && r.vlan_id.is_none());
    /// ```
    pub fn for_account(zone_id: ZoneId, account_id: AccountId, domain_id: DomainId) -> Self {
        Self {
            zone_id,
            account_id,
            domain_id,
            vlan_id: None,
            network_id: None,
            source_nat: false,
            is_system: false,
        }
    }
}

fn usage_for(
    conn: &mut MysqlConnection,
    ip: &IpAddress,
    kind: &str,
    owner: AccountId,
) -> Result<()> {
    if owner == SYSTEM_ACCOUNT {
        return Ok(());
    }
    let vlan_type: Option<VlanType> = vlan::table
        .find(ip.vlan_db_id)
        .select(vlan::vlan_type)
        .first(conn)?;
    let mut event = usage_event_for(
        kind,
        owner,
        ip.data_center_id,
        ip.id.get(),
        &ip.public_ip_address,
    );
    // CloudStack's IP-address shape: template_id = is_system, size = source NAT, type = VLAN type.
    event.template_id = Some(TemplateId(u64::from(ip.is_system)));
    event.size = Some(u64::from(ip.source_nat));
    event.resource_type = vlan_type.map(|t| t.as_str().to_owned());
    // IpAddressManagerImpl.isUsageHidden: the associated network, else the source network.
    let network = ip.network_id.unwrap_or(ip.source_network_id);
    if super::network_details::usage_hidden(conn, network)? {
        event.details.push(("hidden".to_owned(), "true".to_owned()));
    }
    insert_usage_event(conn, event)?;
    Ok(())
}

crate::db::statement::cached_statement! {
    /// The first free address of a range, skipping rows other allocators hold.
    PickFreeAddress {
        zone: u64 as diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
        range: u64 as diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
        for_system_vms: bool as diesel::sql_types::Bool,
    } -> diesel::sql_types::Unsigned<diesel::sql_types::BigInt> =
        "SELECT `id` FROM `user_ip_address` FORCE INDEX (PRIMARY) WHERE `data_center_id` = ? \
         AND `vlan_db_id` = ? AND `forsystemvms` = ? AND `allocated` IS NULL AND `removed` IS NULL \
         ORDER BY `id` LIMIT 1 FOR UPDATE SKIP LOCKED"
}

crate::db::statement::cached_statement! {
    /// An address becomes an account's (cached: Diesel prepares its UPDATEs on every call).
    MarkAllocated {
        account: u64 as diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
        domain: u64 as diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
        at: chrono::NaiveDateTime as diesel::sql_types::Datetime,
        source_nat: bool as diesel::sql_types::Bool,
        is_system: bool as diesel::sql_types::Bool,
        network: Option<u64> as diesel::sql_types::Nullable<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>>,
        id: u64 as diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
    } = "UPDATE `user_ip_address` SET `account_id` = ?, `domain_id` = ?, `allocated` = ?, \
         `source_nat` = ?, `is_system` = ?, `network_id` = ?, `state` = 'Allocated' WHERE `id` = ?"
}

crate::db::statement::cached_statement! {
    /// An address goes back to the free pool, every ownership and NAT field cleared.
    MarkFree {
        id: u64 as diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
    } = "UPDATE `user_ip_address` SET `account_id` = NULL, `domain_id` = NULL, `allocated` = NULL, \
         `network_id` = NULL, `vpc_id` = NULL, `vm_id` = NULL, `dnat_vmip` = NULL, `source_nat` = 0, \
         `one_to_one_nat` = 0, `is_system` = 0, `display` = 1, `state` = 'Free' WHERE `id` = ?"
}

/// Allocates a free address (`allocated IS NULL`) to an account: the candidate row is taken with
/// `FOR UPDATE SKIP LOCKED`, so concurrent allocators each get a different address without
/// waiting; the row becomes `Allocated` and `NET.IPASSIGN` is written, in one transaction —
/// retried whole when InnoDB picks it as a deadlock victim (unless it runs inside the caller's
/// transaction, which then gets the retryable error). No free address is [`Error::Exhausted`].
pub fn allocate(tx: &mut Tx<'_>, request: &AllocateRequest) -> Result<IpAddress> {
    let conn = tx.conn();
    {
        // The ranges first, without locks; then the address row is locked alone (a join would
        // lock the range row too, and SKIP LOCKED would then skip every address behind it).
        let mut ranges = vlan::table
            .filter(vlan::data_center_id.eq(request.zone_id))
            .filter(vlan::removed.is_null())
            .filter(vlan::vlan_type.eq(VlanType::VirtualNetwork))
            .order(vlan::id)
            .select(vlan::id)
            .into_boxed();
        if let Some(v) = request.vlan_id {
            ranges = ranges.filter(vlan::id.eq(v));
        }
        let ranges: Vec<VlanId> = ranges.load(conn)?;
        // CloudStack's order: the ranges dedicated to the account or to its domain, then — if
        // `use.system.public.ips` allows (default true) — the zone's ranges dedicated to nobody.
        // Another owner's dedicated range is never used.
        let dedications = Dedications::of(conn, &ranges)?;
        let own: Vec<VlanId> = ranges
            .iter()
            .copied()
            .filter(|r| dedications.is_for(*r, request.account_id, request.domain_id))
            .collect();
        let pool_allowed = crate::repo::settings::global(conn, "use.system.public.ips")?
            .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
        let pool: Vec<VlanId> = ranges
            .iter()
            .copied()
            .filter(|r| !dedications.is_dedicated(*r))
            .filter(|_| pool_allowed)
            .collect();
        if let Some(asked) = request.vlan_id {
            if !own.contains(&asked) && !pool.contains(&asked) && ranges.contains(&asked) {
                return Err(Error::Conflict(format!(
                    "range {asked} is dedicated to another account or domain"
                )));
            }
        }
        let ranges: Vec<VlanId> = own.iter().chain(&pool).copied().collect();
        // Range by range, non-system addresses first, each pick walking the primary key in id
        // order: the first free row not locked by another allocator is taken and nothing else
        // is locked. (Through the `allocated` index, InnoDB would lock every candidate and wait
        // for rows other allocators hold — a queue, and deadlocks with their UPDATEs.)
        let mut picked = None;
        'search: for for_system_vms in [false, true] {
            for range in &ranges {
                picked = PickFreeAddress {
                    zone: request.zone_id.get(),
                    range: range.get(),
                    for_system_vms,
                }
                .get_result::<u64>(conn)
                .optional()?
                .map(|id| (IpAddressId(id), *range));
                if picked.is_some() {
                    break 'search;
                }
            }
        }
        let id = picked.ok_or_else(|| Error::Exhausted {
            resource: "public IP address",
            detail: format!(
                "zone {}{}",
                request.zone_id,
                request
                    .vlan_id
                    .map(|v| format!(", range {v}"))
                    .unwrap_or_default()
            ),
        })?;
        let (id, picked_range) = id;
        // An address in another owner's quarantine is not handed out: the allocation fails
        // (CloudStack does not skip to the next one); its previous owner gets it back.
        super::quarantine::check_allocatable(tx, id, request.account_id)?;
        // The public IP limit, for addresses not from the owner's dedicated ranges.
        if !own.contains(&picked_range) {
            crate::resources::check_limit(
                tx,
                request.account_id,
                &[(crate::resources::ResourceType::PublicIp, 1)],
            )?;
        }
        let conn = tx.conn();
        MarkAllocated {
            account: request.account_id.get(),
            domain: request.domain_id.get(),
            at: now().naive_utc(),
            source_nat: request.source_nat,
            is_system: request.is_system,
            network: request.network_id.map(NetworkId::get),
            id: id.get(),
        }
        .execute(conn)?;
        let ip = find(conn, id)?;
        // No per-address billing from a range dedicated to the account (markPublicIpAsAllocated);
        // a domain's dedicated range is billed as the zone's.
        if !dedications.accounts.contains_key(&ip.vlan_db_id) {
            usage_for(conn, &ip, kinds::NET_IP_ASSIGN, request.account_id)?;
        }
        count_public_ip(tx, &ip, 1, Some(&dedications))?;
        Ok(ip)
    }
}

/// Releases an address its holder read as `held` back to `Free` (owner, allocation time,
/// network, VM and NAT fields cleared) and writes `NET.IPRELEASE`, in one transaction (retried
/// whole on deadlock). The row is locked and must still be the same holding — the same owner
/// and allocation time as `held`: an address released and allocated again since (to anyone)
/// is [`Error::StaleState`] and stays as it is; one that is not allocated is
/// [`Error::Conflict`].
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, zone: ZoneId) -> cloudstack_db::Result<()> {
/// let ip = db.write(|tx| public_ips::allocate(tx, &AllocateRequest::for_account(zone, AccountId(2), DomainId(1))))?;
/// let freed = db.write(|tx| public_ips::release(tx, &ip))?;
/// # Ok(()) }
/// ```
pub fn release(tx: &mut Tx<'_>, held: &IpAddress) -> Result<IpAddress> {
    let conn = tx.conn();
    let ip: IpAddress = user_ip_address::table
        .filter(user_ip_address::id.eq(held.id))
        .filter(user_ip_address::removed.is_null())
        .select(IpAddress::as_select())
        .for_update()
        .first(conn)?;
    let owner = still_held(&ip, held)?;
    usage_for(conn, &ip, kinds::NET_IP_RELEASE, owner)?;
    MarkFree { id: held.id.get() }.execute(conn)?;
    count_public_ip(tx, &ip, -1, None)?;
    super::quarantine::quarantine_released(tx, &ip, owner)?;
    find(tx.conn(), held.id)
}

/// Changes the owner's `public_ip` count by `delta` when CloudStack counts the address
/// (`checkIfIpResourceCountShouldBeUpdated`): it belongs to a network or VPC, is not
/// `Reserved` and is not in a range dedicated to an account (`dedications`, when the caller
/// has looked them up already); never for the system account.
fn count_public_ip(
    tx: &mut Tx<'_>,
    ip: &IpAddress,
    delta: i64,
    dedications: Option<&Dedications>,
) -> Result<()> {
    let Some(owner) = ip.account_id else {
        return Ok(());
    };
    if (ip.network_id.is_none() && ip.vpc_id.is_none()) || ip.state == IpAddressState::Reserved {
        return Ok(());
    }
    let account_dedicated = match dedications {
        Some(known) => known.accounts.contains_key(&ip.vlan_db_id),
        None => Dedications::of(tx.conn(), &[ip.vlan_db_id])?
            .accounts
            .contains_key(&ip.vlan_db_id),
    };
    if account_dedicated {
        return Ok(());
    }
    crate::resources::change(
        tx,
        owner,
        &[(crate::resources::ResourceType::PublicIp, delta)],
    )
}

/// The owner of `current` when it is still the holding `held` describes; otherwise why not.
fn still_held(current: &IpAddress, held: &IpAddress) -> Result<AccountId> {
    let holding = |ip: &IpAddress| ip.account_id.zip(ip.allocated);
    match (holding(current), holding(held)) {
        (Some((owner, at)), Some(read)) if (owner, at) == read => Ok(owner),
        (None, _) => Err(Error::Conflict(format!(
            "address {} is not allocated",
            current.public_ip_address
        ))),
        (now, read) => Err(Error::StaleState {
            entity: "user_ip_address",
            id: current.id.get(),
            detail: format!(
                "released or allocated again since it was read: held by {read:?}, now {now:?}"
            ),
        }),
    }
}
/// Associates an allocated address with a network and optionally a VM.
pub fn associate(
    tx: &mut Tx<'_>,
    id: IpAddressId,
    network: NetworkId,
    vm: Option<VmId>,
) -> Result<IpAddress> {
    let conn = tx.conn();
    let before = find(conn, id)?;
    let n = diesel::update(
        user_ip_address::table
            .filter(user_ip_address::id.eq(id))
            .filter(user_ip_address::state.eq(IpAddressState::Allocated)),
    )
    .set((
        user_ip_address::network_id.eq(network),
        user_ip_address::vm_id.eq(vm),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(Error::Conflict(format!("address {id} is not allocated")));
    }
    let after = find(conn, id)?;
    // Counted once it belongs to a network (or VPC), as markPublicIpAsAllocated counts it then.
    if before.network_id.is_none() && before.vpc_id.is_none() {
        count_public_ip(tx, &after, 1, None)?;
    }
    Ok(after)
}

/// Marks an address its holder read as `held` as its network's source NAT address (or not).
/// Only while it is still that holding (owner and allocation time) and `Allocated`: otherwise
/// [`Error::StaleState`] (another holding) or [`Error::Conflict`] (not allocated), nothing
/// changed.
pub fn set_source_nat(tx: &mut Tx<'_>, held: &IpAddress, on: bool) -> Result<IpAddress> {
    let conn = tx.conn();
    let n = diesel::update(held_row(
        held.id,
        IpAddressState::Allocated,
        held.account_id,
        held.allocated.map(|t| t.naive_utc()),
    ))
    .set(user_ip_address::source_nat.eq(crate::types::IntBool(on)))
    .execute(conn)?;
    changed_or_why(conn, held, n)
}

/// Turns static NAT to `vm` on (`Some`) or off (`None`) for an address its holder read as
/// `held`, guarded as [`set_source_nat`]; the VM must be a live VM of the address's owner
/// ([`Error::Conflict`] otherwise), as CloudStack checks.
pub fn set_static_nat(tx: &mut Tx<'_>, held: &IpAddress, vm: Option<VmId>) -> Result<IpAddress> {
    let conn = tx.conn();
    if let (Some(vm), Some(owner)) = (vm, held.account_id) {
        use crate::schema::cloud::vm_instance;
        let owned: i64 = vm_instance::table
            .filter(vm_instance::id.eq(vm))
            .filter(vm_instance::account_id.eq(owner))
            .filter(vm_instance::removed.is_null())
            .count()
            .get_result(conn)?;
        if owned == 0 {
            return Err(Error::Conflict(format!(
                "VM {vm} is not a live VM of account {owner}, which holds address {}",
                held.public_ip_address
            )));
        }
    }
    let n = diesel::update(held_row(
        held.id,
        IpAddressState::Allocated,
        held.account_id,
        held.allocated.map(|t| t.naive_utc()),
    ))
    .set((
        user_ip_address::one_to_one_nat.eq(crate::types::IntBool(vm.is_some())),
        user_ip_address::vm_id.eq(vm),
    ))
    .execute(conn)?;
    changed_or_why(conn, held, n)
}

/// The row of `held` while it is still that holding: live, `Allocated`, same owner and time.
#[diesel::dsl::auto_type(no_type_alias)]
fn held_row(
    id: IpAddressId,
    allocated_state: IpAddressState,
    owner: Option<AccountId>,
    at: Option<chrono::NaiveDateTime>,
) -> _ {
    user_ip_address::table
        .filter(user_ip_address::id.eq(id))
        .filter(user_ip_address::removed.is_null())
        .filter(user_ip_address::state.eq(allocated_state))
        .filter(user_ip_address::account_id.eq(owner))
        .filter(user_ip_address::allocated.eq(at))
}

/// After a guarded NAT change: the row as it is now, or why the guard matched nothing.
fn changed_or_why(conn: &mut MysqlConnection, held: &IpAddress, n: usize) -> Result<IpAddress> {
    let current = find(conn, held.id)?;
    if n == 0 {
        still_held(&current, held)?;
        return Err(Error::Conflict(format!(
            "address {} is {}, not Allocated",
            current.public_ip_address, current.state
        )));
    }
    Ok(current)
}

crate::repo::live_finders!(
    user_ip_address,
    IpAddress,
    IpAddressId,
    "network::public_ips",
    "cloudstack_db::types::IpAddressId(1)"
);

/// A live address row by its address in a zone.
pub fn find_by_address(
    conn: &mut MysqlConnection,
    zone: ZoneId,
    address: IpAddr,
) -> Result<IpAddress> {
    Ok(user_ip_address::table
        .filter(user_ip_address::data_center_id.eq(zone))
        .filter(user_ip_address::public_ip_address.eq(address.to_string()))
        .filter(user_ip_address::removed.is_null())
        .select(IpAddress::as_select())
        .first(conn)?)
}

impl IpAddress {
    /// The address, typed.
    ///
    /// ```no_run
    /// # fn demo(ip: cloudstack_db::network::IpAddress) -> cloudstack_db::Result<()> {
    /// let addr: std::net::IpAddr = ip.address()?;
    /// # Ok(()) }
    /// ```
    pub fn address(&self) -> Result<IpAddr> {
        parse_ip("user_ip_address.public_ip_address", &self.public_ip_address)
    }
}

/// Which addresses [`list`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpFilter {
    /// Owner.
    pub account_id: Option<AccountId>,
    /// Associated network.
    pub network_id: Option<NetworkId>,
    /// State.
    pub state: Option<IpAddressState>,
    /// Zone.
    pub zone_id: Option<ZoneId>,
    /// Range.
    pub vlan_id: Option<VlanId>,
}

/// A page of live address rows matching `filter`, in id order.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list(
    conn: &mut MysqlConnection,
    filter: &IpFilter,
    page: &PageRequest,
) -> Result<Page<IpAddress>> {
    let build = || {
        let mut q = user_ip_address::table
            .filter(user_ip_address::removed.is_null())
            .into_boxed();
        if let Some(a) = filter.account_id {
            q = q.filter(user_ip_address::account_id.eq(a));
        }
        if let Some(n) = filter.network_id {
            q = q.filter(user_ip_address::network_id.eq(n));
        }
        if let Some(s) = filter.state {
            q = q.filter(user_ip_address::state.eq(s));
        }
        if let Some(z) = filter.zone_id {
            q = q.filter(user_ip_address::data_center_id.eq(z));
        }
        if let Some(v) = filter.vlan_id {
            q = q.filter(user_ip_address::vlan_db_id.eq(v));
        }
        q
    };
    crate::repo::keyset_page!(
        conn,
        page,
        build,
        user_ip_address::id,
        IpAddressId(page.after_id()),
        IpAddress,
        |ip: &IpAddress| ip.id.get()
    )
}

/// The live ranges of a zone.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list_ranges(conn: &mut MysqlConnection, zone: ZoneId) -> Result<Vec<Vlan>> {
    live_ranges(conn, zone)
}
