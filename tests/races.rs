//! Races between management servers writing the same rows: only the caller whose guarded
//! UPDATE changed a row is told it succeeded; every other one gets a typed error, and nothing
//! is written for it (no usage event, no second owner).

mod common;

use std::sync::{Arc, Barrier};

use cloudstack_db::compute::{VmEvent, VmState, vms};
use cloudstack_db::db::PoolSettings;
use cloudstack_db::db::Tx;
use cloudstack_db::prelude::*;
use cloudstack_db_testing::{TestDatabases, count, test_pool_settings};

const RACERS: usize = 8;
const ROUNDS: usize = 12;

/// Eight servers (each with its own connection) read the same stopped VM and ask to start it,
/// each on its own host, at the same moment: one succeeds, seven get `StaleState`, the row has
/// the winner's host and one more `update_count`, and one VM.START is written — round after
/// round.
#[test]
fn eight_servers_starting_one_stopped_vm_exactly_one_is_told_it_succeeded() {
    common::log_to_file();
    // A connection for each racer and one for the test itself.
    let test = TestDatabases::with_pool(PoolSettings {
        max_size: RACERS as u32 + 4,
        ..test_pool_settings()
    })
    .unwrap();
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    Tx::run(&mut conn, &db, None, |tx| {
        for host in 100..100 + RACERS as u64 {
            cloudstack_db_testing::host(tx, zone, host)?;
        }
        Ok(())
    })
    .unwrap();
    for round in 0..ROUNDS {
        let vm = Tx::run(&mut conn, &db, None, |tx| {
            vms::create(tx, &common::vm_spec(zone, &format!("race-{round}")))
        })
        .unwrap()
        .instance;
        let barrier = Arc::new(Barrier::new(RACERS));
        let racers: Vec<_> = (0..RACERS as u64)
            .map(|n| {
                let (db, vm, barrier) = (db.clone(), vm.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let mut conn = db.cloud().get().unwrap();
                    barrier.wait();
                    let result = Tx::run(&mut conn, &db, None, |tx| {
                        vms::transition(tx, &vm, VmEvent::StartRequested, Some(Some(100 + n)))
                    });
                    (100 + n, result)
                })
            })
            .collect();
        let results: Vec<_> = racers.into_iter().map(|r| r.join().unwrap()).collect();
        let winners: Vec<_> = results
            .iter()
            .filter_map(|(host, r)| r.as_ref().ok().map(|vm| (*host, vm.clone())))
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        for (_, result) in &results {
            if let Err(e) = result {
                assert!(
                    matches!(
                        e,
                        Error::StaleState {
                            entity: "vm_instance",
                            ..
                        }
                    ),
                    "round {round}: a loser got {e:?}"
                );
            }
        }
        let (host, told) = &winners[0];
        let now = vms::find(&mut conn, vm.id).unwrap().instance;
        assert_eq!(
            (now.state, now.host_id, now.update_count),
            (VmState::Starting, Some(*host), vm.update_count + 1),
            "round {round}: the row is the winner's"
        );
        assert_eq!(told.host_id, Some(*host));
        // StartRequested is no USAGE transition: the winner alone moves it on to Running,
        // and that writes VM.START once.
        Tx::run(&mut conn, &db, None, |tx| {
            vms::transition(tx, &now, VmEvent::OperationSucceeded, None)
        })
        .unwrap();
        assert_eq!(
            count(
                &mut conn,
                &format!(
                    "SELECT COUNT(*) FROM usage_event WHERE type = 'VM.START' AND resource_id = {}",
                    vm.id.get()
                )
            )
            .unwrap(),
            1
        );
    }
}

/// An address released by its holder and allocated to another account cannot be released,
/// nor its NAT changed, by the first holder's stale copy; NAT changes need an allocated address.
#[test]
fn an_address_is_released_or_changed_only_by_whoever_holds_it() {
    use cloudstack_db::identity::{AccountType, accounts};
    use cloudstack_db::network::IpAddressState;
    use cloudstack_db::network::public_ips::{self, AllocateRequest};
    let test = common::fresh();
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    // A range of one address: whoever allocates next gets the same row.
    let one = "10.44.0.9".parse().unwrap();
    Tx::run(&mut conn, &db, None, |tx| {
        cloudstack_db_testing::public_range(tx, zone, one, one, "255.255.255.0".parse().unwrap())
    })
    .unwrap();
    let other = Tx::run(&mut conn, &db, None, |tx| {
        accounts::create(
            tx,
            &accounts::AccountSpec::new(DomainId(1), "other", AccountType::Normal),
        )
    })
    .unwrap();
    let held_by_admin = Tx::run(&mut conn, &db, None, |tx| {
        public_ips::allocate(
            tx,
            &AllocateRequest::for_account(zone, AccountId(2), DomainId(1)),
        )
    })
    .unwrap();
    Tx::run(&mut conn, &db, None, |tx| {
        public_ips::release(tx, &held_by_admin)
    })
    .unwrap();
    let held_by_other = Tx::run(&mut conn, &db, None, |tx| {
        public_ips::allocate(
            tx,
            &AllocateRequest::for_account(zone, other.id, DomainId(1)),
        )
    })
    .unwrap();
    assert_eq!(held_by_other.id, held_by_admin.id, "the same row");

    // The admin's stale copy changes nothing of the other account's address.
    let stale = [
        Tx::run(&mut conn, &db, None, |tx| {
            public_ips::release(tx, &held_by_admin)
        }),
        Tx::run(&mut conn, &db, None, |tx| {
            public_ips::set_source_nat(tx, &held_by_admin, true)
        }),
        Tx::run(&mut conn, &db, None, |tx| {
            public_ips::set_static_nat(tx, &held_by_admin, None)
        }),
    ];
    for result in &stale {
        assert!(
            matches!(
                result,
                Err(Error::StaleState {
                    entity: "user_ip_address",
                    ..
                })
            ),
            "{result:?}"
        );
    }
    let now = public_ips::find(&mut conn, held_by_other.id).unwrap();
    assert_eq!(
        (now.account_id, now.state, now.source_nat, now.allocated),
        (
            Some(other.id),
            IpAddressState::Allocated,
            false,
            held_by_other.allocated
        )
    );
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) FROM usage_event WHERE type = 'NET.IPRELEASE'"
        )
        .unwrap(),
        1,
        "only the admin's own release was billed"
    );

    // The holder itself may; a free address has no NAT to change.
    let snat = Tx::run(&mut conn, &db, None, |tx| {
        public_ips::set_source_nat(tx, &held_by_other, true)
    })
    .unwrap();
    assert!(snat.source_nat);
    let admins_vm = Tx::run(&mut conn, &db, None, |tx| {
        vms::create(tx, &common::vm_spec(zone, "admins"))
    })
    .unwrap()
    .instance;
    let foreign = Tx::run(&mut conn, &db, None, |tx| {
        public_ips::set_static_nat(tx, &snat, Some(admins_vm.id))
    });
    assert!(
        matches!(foreign, Err(Error::Conflict(_))),
        "another account's VM: {foreign:?}"
    );
    let freed = Tx::run(&mut conn, &db, None, |tx| public_ips::release(tx, &snat)).unwrap();
    assert_eq!(freed.state, IpAddressState::Free);
    let on_free = Tx::run(&mut conn, &db, None, |tx| {
        public_ips::set_static_nat(tx, &freed, None)
    });
    assert!(
        matches!(
            on_free,
            Err(Error::StaleState { .. }) | Err(Error::Conflict(_))
        ),
        "{on_free:?}"
    );
}

/// Sixteen allocators — eight for each of two accounts with a range dedicated to each, all
/// taking three addresses — against those ranges and a zone pool: nobody ever gets an address
/// of the other account's range; each account's own range is used up before the pool; the
/// account-dedicated addresses get no NET.IPASSIGN, the pool's do.
#[test]
fn allocators_never_take_another_accounts_dedicated_range() {
    use cloudstack_db::identity::{AccountType, accounts};
    use cloudstack_db::network::VlanType;
    use cloudstack_db::network::dedicated::dedicate_to_account;
    use cloudstack_db::network::public_ips::{self, AllocateRequest, RangeSpec};
    const PER_ACCOUNT: usize = 8;
    const EACH: usize = 3;
    common::log_to_file();
    let test = TestDatabases::with_pool(PoolSettings {
        max_size: 2 * PER_ACCOUNT as u32 + 4,
        ..test_pool_settings()
    })
    .unwrap();
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    let mask = "255.255.0.0".parse().unwrap();
    let pool = Tx::run(&mut conn, &db, None, |tx| {
        cloudstack_db_testing::public_range(
            tx,
            zone,
            "10.50.9.1".parse().unwrap(),
            "10.50.9.60".parse().unwrap(),
            mask,
        )
    })
    .unwrap();
    let range = |first: &str, last: &str| RangeSpec {
        zone_id: zone,
        network_id: pool.network_id,
        physical_network_id: 200,
        vlan_tag: "untagged".into(),
        gateway: "10.50.0.1".parse().unwrap(),
        netmask: mask,
        start: first.parse().unwrap(),
        end: last.parse().unwrap(),
        ip6: None,
        vlan_type: VlanType::VirtualNetwork,
    };
    let mut owners = Vec::new();
    for (name, first, last) in [
        ("ded-a", "10.50.1.1", "10.50.1.10"),
        ("ded-b", "10.50.2.1", "10.50.2.10"),
    ] {
        let account = Tx::run(&mut conn, &db, None, |tx| {
            accounts::create(
                tx,
                &accounts::AccountSpec::new(DomainId(1), name, AccountType::Normal),
            )
        })
        .unwrap();
        let own = Tx::run(&mut conn, &db, None, |tx| {
            let own = public_ips::create_range(tx, &range(first, last))?;
            dedicate_to_account(tx, own.id, account.id)?;
            Ok(own)
        })
        .unwrap();
        owners.push((account.id, own.id));
    }
    let barrier = Arc::new(Barrier::new(2 * PER_ACCOUNT));
    let workers: Vec<_> = (0..2 * PER_ACCOUNT)
        .map(|n| {
            let (db, barrier) = (db.clone(), barrier.clone());
            let (account, _) = owners[n % 2];
            std::thread::spawn(move || {
                barrier.wait();
                (0..EACH)
                    .map(|_| {
                        let request = AllocateRequest::for_account(zone, account, DomainId(1));
                        db.write_with_retry(&RetryPolicy::default(), |tx| {
                            public_ips::allocate(tx, &request)
                        })
                        .map(|ip| (account, ip))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let taken: Vec<_> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(taken.len(), 2 * PER_ACCOUNT * EACH);
    for (account, own) in &owners {
        let (other_account, other_range) = owners.iter().find(|(a, _)| a != account).unwrap();
        let mine: Vec<_> = taken
            .iter()
            .filter(|(a, _)| a == account)
            .map(|(_, ip)| ip)
            .collect();
        assert!(
            mine.iter().all(|ip| ip.vlan_db_id != *other_range),
            "{account} took from {other_account}'s range"
        );
        let from_own = mine.iter().filter(|ip| ip.vlan_db_id == *own).count();
        assert_eq!(from_own, 10, "{account}'s own range is used up first");
        assert_eq!(
            mine.iter().filter(|ip| ip.vlan_db_id == pool.id).count(),
            PER_ACCOUNT * EACH - 10
        );
    }
    assert_eq!(
        count(
            &mut conn,
            "SELECT COUNT(*) FROM usage_event WHERE type = 'NET.IPASSIGN'"
        )
        .unwrap(),
        (2 * (PER_ACCOUNT * EACH - 10)) as i64,
        "only the pool's addresses are billed one by one"
    );
    // Asking for the other account's range by name is refused.
    let (a, _) = owners[0];
    let (_, b_range) = owners[1];
    let refused = Tx::run(&mut conn, &db, None, |tx| {
        public_ips::allocate(
            tx,
            &AllocateRequest {
                vlan_id: Some(b_range),
                ..AllocateRequest::for_account(zone, a, DomainId(1))
            },
        )
    });
    assert!(matches!(refused, Err(Error::Conflict(_))), "{refused:?}");
}

/// With a quarantine duration set, a released address is refused to other accounts (the
/// allocation fails, as in CloudStack, rather than taking another address) and handed back to
/// its previous owner, which ends the quarantine. The public IP limit counts addresses of a
/// network and refuses the one too many.
#[test]
fn a_quarantined_address_goes_back_only_to_its_previous_owner() {
    use cloudstack_db::identity::{AccountType, accounts};
    use cloudstack_db::network::public_ips::{self, AllocateRequest};
    use diesel::connection::SimpleConnection;
    let test = common::fresh();
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    let one = "10.44.0.9".parse().unwrap();
    let range = Tx::run(&mut conn, &db, None, |tx| {
        cloudstack_db_testing::public_range(tx, zone, one, one, "255.255.255.0".parse().unwrap())
    })
    .unwrap();
    let [first, second] = ["first", "second"].map(|name| {
        Tx::run(&mut conn, &db, None, |tx| {
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
         ('DEFAULT', 'public.ip.address.quarantine.duration', '60'), \
         ('DEFAULT', 'max.account.public.ips', '1')",
    )
    .unwrap();
    let ask = |account| AllocateRequest {
        network_id: Some(range.network_id),
        ..AllocateRequest::for_account(zone, account, DomainId(1))
    };
    let held = Tx::run(&mut conn, &db, None, |tx| {
        public_ips::allocate(tx, &ask(first))
    })
    .unwrap();
    Tx::run(&mut conn, &db, None, |tx| public_ips::release(tx, &held)).unwrap();
    assert_eq!(
        count(&mut conn, &format!(
            "SELECT COUNT(*) FROM quarantined_ips WHERE public_ip_address_id = {} AND previous_owner_id = {first} \
             AND end_date > UTC_TIMESTAMP() + INTERVAL 59 MINUTE AND removed IS NULL", held.id.get()
        ))
        .unwrap(),
        1
    );
    let refused = Tx::run(&mut conn, &db, None, |tx| {
        public_ips::allocate(tx, &ask(second))
    });
    assert!(
        matches!(&refused, Err(Error::Exhausted { detail, .. }) if detail.contains("quarantine")),
        "{refused:?}"
    );
    let back = Tx::run(&mut conn, &db, None, |tx| {
        public_ips::allocate(tx, &ask(first))
    })
    .unwrap();
    assert_eq!((back.id, back.account_id), (held.id, Some(first)));
    assert_eq!(
        count(&mut conn, &format!("SELECT COUNT(*) FROM quarantined_ips WHERE removed IS NOT NULL AND remover_account_id = {first}"))
            .unwrap(),
        1,
        "the quarantine ended when its previous owner took the address back"
    );
    // One address of a network is the limit: a second one is refused naming the type.
    Tx::run(&mut conn, &db, None, |tx| {
        public_ips::create_range(
            tx,
            &public_ips::RangeSpec {
                zone_id: zone,
                network_id: range.network_id,
                physical_network_id: 200,
                vlan_tag: "untagged".into(),
                gateway: "10.44.0.1".parse().unwrap(),
                netmask: "255.255.255.0".parse().unwrap(),
                start: "10.44.0.20".parse().unwrap(),
                end: "10.44.0.21".parse().unwrap(),
                ip6: None,
                vlan_type: cloudstack_db::network::VlanType::VirtualNetwork,
            },
        )
    })
    .unwrap();
    let over = Tx::run(&mut conn, &db, None, |tx| {
        public_ips::allocate(tx, &ask(first))
    });
    assert!(
        matches!(
            over,
            Err(Error::LimitExceeded {
                resource: "public_ip",
                limit: 1,
                ..
            })
        ),
        "{over:?}"
    );
}
