//! Networks, public IP ranges and concurrent public IP allocation.

mod common;

use cloudstack_db::db::Tx;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr};

use cloudstack_db::Error;
use cloudstack_db::network::networks::{self, NetworkEvent, NetworkFilter, NetworkSpec};
use cloudstack_db::network::public_ips::{self, AllocateRequest, IpFilter, RangeSpec};
use cloudstack_db::network::*;
use cloudstack_db::repo::PageRequest;
use cloudstack_db::types::*;
use cloudstack_db_testing::count;
use diesel::prelude::*;

fn network_spec(zone: ZoneId, name: &str, traffic: TrafficType) -> NetworkSpec {
    NetworkSpec {
        name: name.into(),
        display_text: Some(name.into()),
        account_id: AccountId(2),
        domain_id: DomainId(1),
        zone_id: zone,
        traffic_type: traffic,
        guest_type: (traffic == TrafficType::Guest).then_some(GuestType::Isolated),
        broadcast_domain_type: BroadcastDomainType::Vlan,
        vlan: Some("100".into()),
        gateway: Some("10.1.1.1".parse().unwrap()),
        cidr: Some("10.1.1.0/24".into()),
        mode: Some(NetworkMode::Dhcp),
        acl_type: Some(AclType::Account),
        network_offering_id: 1,
        physical_network_id: Some(200),
        guru_name: "ExternalGuestNetworkGuru".into(),
    }
}

fn range(zone: ZoneId, network: NetworkId, start: &str, end: &str) -> RangeSpec {
    RangeSpec {
        zone_id: zone,
        network_id: network,
        physical_network_id: 200,
        vlan_tag: "untagged".into(),
        gateway: "10.10.0.1".parse().unwrap(),
        netmask: "255.255.248.0".parse().unwrap(),
        start: start.parse().unwrap(),
        end: end.parse().unwrap(),
        ip6: Some((
            "fd00::1".into(),
            "fd00::/64".into(),
            "fd00::10-fd00::ff".into(),
        )),
        vlan_type: VlanType::VirtualNetwork,
    }
}

#[test]
fn networks_are_created_validated_listed_and_moved_through_their_states() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn).id;
    let net = Tx::run(conn, db, None, |tx| {
        networks::create(tx, &network_spec(zone, "guest-1", TrafficType::Guest))
    })
    .unwrap();
    assert_eq!(net.id, NetworkId(200), "networks_seq starts at 200");
    assert_eq!(
        (
            net.related,
            net.state,
            net.broadcast_uri.as_deref(),
            net.cidr.as_deref()
        ),
        (
            net.id,
            NetworkState::Allocated,
            Some("vlan://100"),
            Some("10.1.1.0/24")
        )
    );
    let mut bad = network_spec(zone, "bad", TrafficType::Guest);
    bad.gateway = Some("10.2.0.1".parse().unwrap());
    assert!(matches!(
        Tx::run(conn, db, None, |tx| networks::create(tx, &bad)),
        Err(Error::InvalidValue { .. })
    ));
    bad.gateway = None;
    bad.cidr = Some("10.1.1.7/24".into());
    assert!(matches!(
        Tx::run(conn, db, None, |tx| networks::create(tx, &bad)),
        Err(Error::InvalidValue { .. })
    ));
    bad.cidr = None;
    bad.vlan = Some("5000".into());
    assert!(matches!(
        Tx::run(conn, db, None, |tx| networks::create(tx, &bad)),
        Err(Error::InvalidValue { .. })
    ));
    Tx::run(conn, db, None, |tx| {
        networks::create(tx, &network_spec(zone, "public", TrafficType::Public))
    })
    .unwrap();
    let guests = networks::list(
        conn,
        &NetworkFilter {
            traffic_type: Some(TrafficType::Guest),
            guest_type: Some(GuestType::Isolated),
            zone_id: Some(zone),
            ..Default::default()
        },
        &PageRequest::first(10).with_total(),
    )
    .unwrap();
    assert_eq!((guests.items.len(), guests.total), (1, Some(1)));
    let implementing = Tx::run(conn, &db, None, |tx| {
        networks::transition(tx, &net, NetworkEvent::ImplementNetwork)
    })
    .unwrap();
    let implemented = Tx::run(conn, &db, None, |tx| {
        networks::transition(tx, &implementing, NetworkEvent::OperationSucceeded)
    })
    .unwrap();
    assert_eq!(implemented.state, NetworkState::Implemented);
    assert!(matches!(
        Tx::run(conn, &db, None, |tx| networks::transition(
            tx,
            &implementing,
            NetworkEvent::OperationSucceeded
        )),
        Err(Error::StaleState { .. })
    ));
    assert!(matches!(
        Tx::run(conn, &db, None, |tx| networks::transition(
            tx,
            &implemented,
            NetworkEvent::ImplementNetwork
        )),
        Err(Error::IllegalTransition { .. })
    ));
    Tx::run(conn, &db, None, |tx| networks::remove(tx, net.id)).unwrap();
    assert!(matches!(networks::find(conn, net.id), Err(Error::NotFound)));
}

#[test]
fn thirty_two_allocators_share_a_range_of_1000_each_address_exactly_once() {
    let test = common::fresh();
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    let public = Tx::run(&mut conn, &db, None, |tx| {
        networks::create(tx, &network_spec(zone, "public", TrafficType::Public))
    })
    .unwrap();
    // 10.10.0.10 .. 10.10.3.241 is 1000 addresses.
    let vlan = Tx::run(&mut conn, &db, None, |tx| {
        public_ips::create_range(tx, &range(zone, public.id, "10.10.0.10", "10.10.3.241"))
    })
    .unwrap();
    assert_eq!(
        (
            vlan.ip4_range.as_deref(),
            vlan.vlan_id.as_deref(),
            vlan.ip6_range.as_deref()
        ),
        (
            Some("10.10.0.10-10.10.3.241"),
            Some("vlan://untagged"),
            Some("fd00::10-fd00::ff")
        )
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) FROM user_ip_address WHERE state = 'Free' AND allocated IS NULL"
        )
        .unwrap(),
        1000
    );
    // Every row as CloudStack writes a range's addresses (defaults where it leaves them): one
    // MAC number each, a uuid each, displayed, not system, not portable, not removed.
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) FROM user_ip_address WHERE display = 1 AND is_system = 0 \
               AND is_portable = 0 AND source_nat = 0 AND one_to_one_nat = 0 AND removed IS NULL \
               AND forsystemvms = 0 AND for_router = 0 AND CHAR_LENGTH(uuid) = 36 \
               AND created IS NOT NULL AND account_id IS NULL AND network_id IS NULL"
        )
        .unwrap(),
        1000
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(DISTINCT mac_address) + COUNT(DISTINCT uuid) FROM user_ip_address"
        )
        .unwrap(),
        2000
    );
    drop(conn);
    let request = AllocateRequest::for_account(zone, AccountId(2), DomainId(1));
    let per_thread: Vec<Vec<(IpAddressId, IpAddr)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..32)
            .map(|_| {
                let (db, request) = (db.clone(), request.clone());
                s.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        match db.write(|tx| public_ips::allocate(tx, &request)) {
                            Ok(ip) => mine.push((ip.id, ip.address().unwrap())),
                            Err(Error::Exhausted { .. }) => return mine,
                            Err(other) => panic!("allocation failed: {other}"),
                        }
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let all: Vec<(IpAddressId, IpAddr)> = per_thread.into_iter().flatten().collect();
    let addresses: HashSet<IpAddr> = all.iter().map(|(_, a)| *a).collect();
    assert_eq!(all.len(), 1000);
    assert_eq!(addresses.len(), 1000, "no address handed out twice");
    let expected: HashSet<IpAddr> = (u32::from(Ipv4Addr::new(10, 10, 0, 10))
        ..=u32::from(Ipv4Addr::new(10, 10, 3, 241)))
        .map(|n| IpAddr::V4(Ipv4Addr::from(n)))
        .collect();
    assert_eq!(addresses, expected);
    // The 1001st allocation gets the typed error.
    let mut conn = db.cloud().get().unwrap();
    assert!(matches!(
        Tx::run(&mut conn, &db, None, |tx| public_ips::allocate(
            tx, &request
        )),
        Err(Error::Exhausted {
            resource: "public IP address",
            ..
        })
    ));
    // Usage events match the allocations one to one.
    let assigned: Vec<Option<u64>> = {
        use cloudstack_db::schema::cloud::usage_event::dsl::*;
        usage_event
            .filter(type_.eq("NET.IPASSIGN"))
            .select(resource_id)
            .load(&mut *conn)
            .unwrap()
    };
    let assigned: HashSet<u64> = assigned.into_iter().flatten().collect();
    assert_eq!(
        assigned,
        all.iter().map(|(id, _)| id.get()).collect::<HashSet<u64>>()
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) FROM usage_event WHERE type = 'NET.IPASSIGN'"
        )
        .unwrap(),
        1000
    );
    assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM usage_event WHERE type = 'NET.IPASSIGN' AND template_id = 0 AND size = 0 AND resource_type = 'VirtualNetwork'").unwrap(), 1000);

    // Release one and allocate again: the same address comes back, with both usage events.
    let (first_id, first_addr) = all[0];
    let first = public_ips::find(&mut conn, first_id).unwrap();
    let freed = Tx::run(&mut conn, &db, None, |tx| public_ips::release(tx, &first)).unwrap();
    assert_eq!(
        (
            freed.state,
            freed.account_id,
            freed.allocated,
            freed.network_id
        ),
        (IpAddressState::Free, None, None, None)
    );
    assert!(matches!(
        Tx::run(&mut conn, &db, None, |tx| public_ips::release(tx, &freed)),
        Err(Error::Conflict(_))
    ));
    let again = Tx::run(&mut conn, &db, None, |tx| {
        public_ips::allocate(
            tx,
            &AllocateRequest {
                source_nat: true,
                ..request.clone()
            },
        )
    })
    .unwrap();
    assert_eq!(
        (again.id, again.address().unwrap(), again.source_nat),
        (first_id, first_addr, true)
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) FROM usage_event WHERE type = 'NET.IPRELEASE'"
        )
        .unwrap(),
        1
    );
    let listed = public_ips::list(
        &mut conn,
        &IpFilter {
            account_id: Some(AccountId(2)),
            state: Some(IpAddressState::Allocated),
            ..Default::default()
        },
        &PageRequest::first(1).with_total(),
    )
    .unwrap();
    assert_eq!(listed.total, Some(1000));
    assert_eq!(
        public_ips::find_by_address(&mut conn, zone, first_addr)
            .unwrap()
            .id,
        first_id
    );
}

#[test]
fn overlapping_ranges_and_deleting_used_ranges_are_refused() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn).id;
    let public = Tx::run(conn, db, None, |tx| {
        networks::create(tx, &network_spec(zone, "public", TrafficType::Public))
    })
    .unwrap();
    let a = Tx::run(conn, &db, None, |tx| {
        public_ips::create_range(tx, &range(zone, public.id, "10.10.0.10", "10.10.0.20"))
    })
    .unwrap();
    for (start, end) in [
        ("10.10.0.20", "10.10.0.30"),
        ("10.10.0.1", "10.10.0.10"),
        ("10.10.0.12", "10.10.0.13"),
        ("10.10.0.5", "10.10.0.40"),
    ] {
        assert!(
            matches!(
                Tx::run(conn, &db, None, |tx| public_ips::create_range(
                    tx,
                    &range(zone, public.id, start, end)
                )),
                Err(Error::Conflict(_))
            ),
            "{start}-{end}"
        );
    }
    assert!(matches!(
        Tx::run(conn, &db, None, |tx| public_ips::create_range(
            tx,
            &range(zone, public.id, "10.10.0.30", "10.10.0.25")
        )),
        Err(Error::InvalidValue { .. })
    ));
    assert!(
        matches!(
            Tx::run(conn, &db, None, |tx| public_ips::create_range(
                tx,
                &range(zone, public.id, "10.20.0.1", "10.20.0.5")
            )),
            Err(Error::InvalidValue { .. })
        ),
        "outside the gateway's subnet"
    );
    let b = Tx::run(conn, &db, None, |tx| {
        public_ips::create_range(tx, &range(zone, public.id, "10.10.0.21", "10.10.0.25"))
    })
    .unwrap();
    assert_eq!(public_ips::list_ranges(conn, zone).unwrap().len(), 2);
    let ip = Tx::run(conn, &db, None, |tx| {
        public_ips::allocate(
            tx,
            &AllocateRequest {
                zone_id: zone,
                account_id: AccountId(2),
                domain_id: DomainId(1),
                vlan_id: Some(b.id),
                network_id: Some(public.id),
                source_nat: false,
                is_system: false,
            },
        )
    })
    .unwrap();
    assert_eq!(ip.vlan_db_id, b.id);
    assert!(matches!(
        Tx::run(conn, &db, None, |tx| public_ips::delete_range(tx, b.id)),
        Err(Error::Conflict(_))
    ));
    Tx::run(conn, &db, None, |tx| public_ips::delete_range(tx, a.id)).unwrap();
    assert_eq!(
        count(
            conn,
            &format!(
                "SELECT COUNT(*) FROM user_ip_address WHERE vlan_db_id = {}",
                a.id
            )
        )
        .unwrap(),
        0
    );
    Tx::run(conn, &db, None, |tx| public_ips::release(tx, &ip)).unwrap();
    Tx::run(conn, &db, None, |tx| public_ips::delete_range(tx, b.id)).unwrap();
    assert!(public_ips::list_ranges(conn, zone).unwrap().is_empty());
}

/// A usage event and one of its details: (type, resource, detail name, detail value).
type EventDetail = (String, Option<u64>, Option<String>, Option<String>);

#[test]
fn addresses_of_a_network_that_hides_usage_are_billed_with_the_hidden_detail() {
    use cloudstack_db::network::network_details::{self, HIDE_IP_ADDRESS_USAGE};
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    let (shown, hidden) = Tx::run(&mut conn, db, None, |tx| {
        let shown = networks::create(tx, &network_spec(zone, "shown", TrafficType::Guest))?;
        let hidden = networks::create(tx, &network_spec(zone, "hidden", TrafficType::Guest))?;
        let public = networks::create(tx, &network_spec(zone, "public", TrafficType::Public))?;
        public_ips::create_range(tx, &range(zone, public.id, "10.10.0.10", "10.10.0.20"))?;
        // Only exactly "true" hides; an earlier value is replaced.
        network_details::set(tx, hidden.id, HIDE_IP_ADDRESS_USAGE, "yes", true)?;
        network_details::set(tx, hidden.id, HIDE_IP_ADDRESS_USAGE, "true", true)?;
        network_details::set(tx, shown.id, HIDE_IP_ADDRESS_USAGE, "TRUE", true)?;
        Ok((shown.id, hidden.id))
    })
    .unwrap();
    let mut allocate_and_release = |network: NetworkId| {
        let request = AllocateRequest {
            network_id: Some(network),
            ..AllocateRequest::for_account(zone, AccountId(2), DomainId(1))
        };
        let ip = Tx::run(&mut conn, db, None, |tx| public_ips::allocate(tx, &request)).unwrap();
        Tx::run(&mut conn, db, None, |tx| public_ips::release(tx, &ip)).unwrap();
        ip.id.get()
    };
    let (a, b) = (allocate_and_release(shown), allocate_and_release(hidden));
    use cloudstack_db::schema::cloud::{usage_event as e, usage_event_details as d};
    let details: Vec<EventDetail> = e::table
        .left_join(d::table)
        .filter(e::type_.like("NET.IP%"))
        .order((e::id, d::id.nullable()))
        .select((
            e::type_,
            e::resource_id,
            d::name.nullable(),
            d::value.nullable(),
        ))
        .load(&mut *conn)
        .unwrap();
    let (none, hidden) = (None::<String>, Some("hidden".to_owned()));
    let yes = Some("true".to_owned());
    assert_eq!(
        details,
        [
            (
                "NET.IPASSIGN".to_owned(),
                Some(a),
                none.clone(),
                none.clone()
            ),
            (
                "NET.IPRELEASE".to_owned(),
                Some(a),
                none.clone(),
                none.clone()
            ),
            (
                "NET.IPASSIGN".to_owned(),
                Some(b),
                hidden.clone(),
                yes.clone()
            ),
            ("NET.IPRELEASE".to_owned(), Some(b), hidden, yes),
        ],
        "events of {a} (shown) carry no detail"
    );
}

#[test]
fn an_administrator_ends_or_moves_a_quarantine_and_the_address_is_free_again() {
    use cloudstack_db::identity::{AccountType, accounts};
    use cloudstack_db::network::quarantine;
    use diesel::connection::SimpleConnection;
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    let one = "10.45.0.9".parse().unwrap();
    let range = Tx::run(&mut conn, db, None, |tx| {
        cloudstack_db_testing::public_range(tx, zone, one, one, "255.255.255.0".parse().unwrap())
    })
    .unwrap();
    let [first, second] = ["q-first", "q-second"].map(|name| {
        Tx::run(&mut conn, db, None, |tx| {
            accounts::create(
                tx,
                &accounts::AccountSpec::new(DomainId(1), name, AccountType::Normal),
            )
        })
        .unwrap()
        .id
    });
    conn.batch_execute(
        "INSERT INTO configuration (instance, name, value) VALUES \
         ('DEFAULT', 'public.ip.address.quarantine.duration', '60')",
    )
    .unwrap();
    let ask = |account| AllocateRequest {
        network_id: Some(range.network_id),
        ..AllocateRequest::for_account(zone, account, DomainId(1))
    };
    let held = Tx::run(&mut conn, db, None, |tx| {
        public_ips::allocate(tx, &ask(first))
    })
    .unwrap();
    Tx::run(&mut conn, db, None, |tx| public_ips::release(tx, &held)).unwrap();
    let q = quarantine::current(&mut conn, held.id)
        .unwrap()
        .expect("in quarantine");
    assert_eq!(q.previous_owner_id, first);
    let minutes = (q.end_date - q.created).num_minutes();
    assert_eq!(minutes, 60);
    // An end in the past is refused; a later one is kept.
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| quarantine::set_end_date(
            tx, held.id, past
        )),
        Err(Error::InvalidValue { .. })
    ));
    let later = q.end_date + chrono::Duration::hours(1);
    let moved = Tx::run(&mut conn, db, None, |tx| {
        quarantine::set_end_date(tx, held.id, later)
    })
    .unwrap();
    assert_eq!(moved.end_date, later);
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| public_ips::allocate(
            tx,
            &ask(second)
        )),
        Err(Error::Exhausted { .. })
    ));
    let ended = Tx::run(&mut conn, db, None, |tx| {
        quarantine::end(tx, held.id, AccountId(2), "given to another tenant")
    })
    .unwrap();
    assert_eq!(
        (ended.remover_account_id, ended.removal_reason.as_deref()),
        (Some(AccountId(2)), Some("given to another tenant"))
    );
    assert!(quarantine::current(&mut conn, held.id).unwrap().is_none());
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| quarantine::end(
            tx,
            held.id,
            AccountId(2),
            "again"
        )),
        Err(Error::NotFound)
    ));
    let taken = Tx::run(&mut conn, db, None, |tx| {
        public_ips::allocate(tx, &ask(second))
    })
    .unwrap();
    assert_eq!((taken.id, taken.account_id), (held.id, Some(second)));
}

/// Eighteen one-address ranges, the last two dedicated — one to a domain, one to an account —
/// so that the dedications are found beyond the first statement's sixteen ranges: each owner
/// gets its own range first, and nobody else ever gets them or may ask for them.
#[test]
fn ranges_dedicated_to_a_domain_or_an_account_beyond_sixteen_ranges_go_to_their_owners() {
    use cloudstack_db::identity::{AccountType, accounts, domains};
    use cloudstack_db::network::dedicated::{dedicate_to_account, dedicate_to_domain};
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn).id;
    let team = |conn: &mut MysqlConnection, name: &str| {
        Tx::run(conn, db, None, |tx| {
            let domain = domains::create(
                tx,
                &domains::DomainSpec::new(DomainId(1), name, AccountId(2)),
            )?;
            let account = accounts::create(
                tx,
                &accounts::AccountSpec::new(domain.id, name, AccountType::Normal),
            )?;
            Ok((domain.id, account.id))
        })
        .unwrap()
    };
    let (team_domain, team_member) = team(conn, "team");
    let (solo_domain, solo) = team(conn, "solo");
    let (other_domain, other) = team(conn, "other");
    let ranges: Vec<VlanId> = Tx::run(conn, db, None, |tx| {
        let public = networks::create(tx, &network_spec(zone, "public", TrafficType::Public))?;
        (10..28)
            .map(|host| {
                let address = format!("10.10.0.{host}");
                Ok(public_ips::create_range(tx, &range(zone, public.id, &address, &address))?.id)
            })
            .collect::<Result<Vec<_>, Error>>()
    })
    .unwrap();
    let (for_domain, for_account) = (ranges[16], ranges[17]);
    Tx::run(conn, db, None, |tx| {
        dedicate_to_domain(tx, for_domain, team_domain)?;
        dedicate_to_account(tx, for_account, solo)
    })
    .unwrap();
    let mut allocate = |account, domain, vlan_id| {
        let request = AllocateRequest {
            vlan_id,
            ..AllocateRequest::for_account(zone, account, domain)
        };
        Tx::run(conn, db, None, |tx| public_ips::allocate(tx, &request))
    };
    assert_eq!(
        allocate(team_member, team_domain, None).unwrap().vlan_db_id,
        for_domain
    );
    assert_eq!(
        allocate(solo, solo_domain, None).unwrap().vlan_db_id,
        for_account
    );
    for dedicated in [for_domain, for_account] {
        assert!(matches!(
            allocate(other, other_domain, Some(dedicated)),
            Err(Error::Conflict(_))
        ));
    }
    // The other account takes the sixteen undedicated addresses, then finds none.
    let mut taken = HashSet::new();
    for _ in 0..16 {
        let ip = allocate(other, other_domain, None).unwrap();
        assert!(!ip.vlan_db_id.eq(&for_domain) && !ip.vlan_db_id.eq(&for_account));
        assert!(taken.insert(ip.vlan_db_id));
    }
    assert!(matches!(
        allocate(other, other_domain, None),
        Err(Error::Exhausted { .. })
    ));
}
