//! Resource accounting as CloudStack keeps it: count rows for every account and domain, changes
//! in the transaction of the change that causes them, for the account and every domain above
//! it, and limits checked before a create — under the count rows' locks, so concurrent creators
//! never pass a limit together.

mod common;

use std::sync::{Arc, Barrier};

use cloudstack_db::compute::{VmEvent, vms};
use cloudstack_db::db::{PoolSettings, Tx};
use cloudstack_db::identity::{AccountType, accounts, domains};
use cloudstack_db::prelude::*;
use cloudstack_db::resources::ResourceType;
use cloudstack_db::storage::VolumeType;
use cloudstack_db::storage::volumes::{self, VolumeSpec};
use cloudstack_db::types::{ImageFormat, ProvisioningType};
use cloudstack_db_testing::{TestDatabases, count, test_pool_settings};
use diesel::MysqlConnection;
use diesel::connection::SimpleConnection;

/// The count of `ty` for `owner` (`account_id = n` or `domain_id = n`).
fn counted(conn: &mut MysqlConnection, owner: &str, ty: ResourceType) -> i64 {
    count(
        conn,
        &format!(
            "SELECT `count` FROM resource_count WHERE {owner} AND type = '{ty}' AND tag IS NULL"
        ),
    )
    .unwrap()
}

fn team(db: &Database, conn: &mut MysqlConnection, name: &str) -> (DomainId, AccountId) {
    let domain = Tx::run(conn, db, None, |tx| {
        domains::create(
            tx,
            &domains::DomainSpec::new(DomainId(1), name, AccountId(2)),
        )
    })
    .unwrap();
    let account = Tx::run(conn, db, None, |tx| {
        accounts::create(
            tx,
            &accounts::AccountSpec::new(domain.id, name, AccountType::Normal),
        )
    })
    .unwrap();
    (domain.id, account.id)
}

fn volume(
    zone: ZoneId,
    account: AccountId,
    domain: DomainId,
    name: &str,
    kind: VolumeType,
    size: u64,
) -> VolumeSpec {
    let root = kind == VolumeType::Root;
    VolumeSpec {
        name: name.to_owned(),
        account_id: account,
        domain_id: domain,
        zone_id: zone,
        volume_type: kind,
        disk_offering_id: DiskOfferingId(if root { 1 } else { 3 }),
        template_id: root.then_some(TemplateId(4)),
        size,
        instance_id: None,
        device_id: None,
        format: Some(ImageFormat::Qcow2),
        provisioning_type: ProvisioningType::Thin,
        display_volume: true,
    }
}

fn vm_of(zone: ZoneId, account: AccountId, domain: DomainId, name: &str) -> vms::UserVmSpec {
    vms::UserVmSpec {
        account_id: account,
        domain_id: domain,
        ..common::vm_spec(zone, name)
    }
}

#[test]
fn counts_follow_vms_and_volumes_for_the_account_and_every_domain_above_it() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    // The first start gave ROOT and accounts 1 and 2 every type; a new domain and account get
    // theirs when created.
    for owner in ["domain_id = 1", "account_id = 1", "account_id = 2"] {
        assert_eq!(
            count(
                conn,
                &format!("SELECT COUNT(*) FROM resource_count WHERE {owner}")
            )
            .unwrap(),
            17,
            "{owner}"
        );
    }
    let zone = common::zone(conn).id;
    let (domain, account) = team(db, conn, "counted");
    let (a, d) = (
        format!("account_id = {account}"),
        format!("domain_id = {domain}"),
    );
    assert_eq!(
        count(
            conn,
            &format!("SELECT COUNT(*) FROM resource_count WHERE {a}")
        )
        .unwrap(),
        17
    );
    assert_eq!(
        count(
            conn,
            &format!("SELECT COUNT(*) FROM resource_count WHERE {d}")
        )
        .unwrap(),
        17
    );

    // A VM of Small Instance (1 CPU, 512 MiB) with an 8 GiB ROOT volume.
    let gib = 1i64 << 30;
    let vm = Tx::run(conn, db, None, |tx| {
        let vm = vms::create(tx, &vm_of(zone, account, domain, "counted-1"))?;
        volumes::create(
            tx,
            &vm.attached(&volume(
                zone,
                account,
                domain,
                "ROOT-1",
                VolumeType::Root,
                8 << 30,
            )),
        )?;
        Ok(vm.instance)
    })
    .unwrap();
    let expect = |conn: &mut MysqlConnection, vms: i64, volumes: i64, bytes: i64| {
        for owner in [&a, &d, &"domain_id = 1".to_owned()] {
            assert_eq!(
                [
                    counted(conn, owner, ResourceType::UserVm),
                    counted(conn, owner, ResourceType::Cpu),
                    counted(conn, owner, ResourceType::Memory),
                    counted(conn, owner, ResourceType::Volume),
                    counted(conn, owner, ResourceType::PrimaryStorage),
                ],
                [vms, vms, 512 * vms, volumes, bytes],
                "{owner}"
            );
        }
    };
    expect(conn, 1, 1, 8 * gib);
    // A data volume comes and goes.
    let data = Tx::run(conn, db, None, |tx| {
        volumes::create(
            tx,
            &volume(
                zone,
                account,
                domain,
                "DATA-1",
                VolumeType::DataDisk,
                5 << 30,
            ),
        )
    })
    .unwrap();
    expect(conn, 1, 2, 13 * gib);
    Tx::run(conn, db, None, |tx| volumes::delete(tx, &data)).unwrap();
    expect(conn, 1, 1, 8 * gib);
    // Destroying the VM gives its user_vm, cpu and memory back (its ROOT volume stays counted
    // until removed); recovering takes them again.
    let destroyed = Tx::run(conn, db, None, |tx| {
        vms::transition(tx, &vm, VmEvent::DestroyRequested, None)
    })
    .unwrap();
    expect(conn, 0, 1, 8 * gib);
    Tx::run(conn, db, None, |tx| {
        vms::transition(tx, &destroyed, VmEvent::RecoveryRequested, None)
    })
    .unwrap();
    expect(conn, 1, 1, 8 * gib);
}

#[test]
fn a_limit_refuses_naming_resource_limit_and_owner_and_counts_nothing() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn).id;
    let (domain, account) = team(db, conn, "limited");
    // Set twice: the second call changes the one row.
    use cloudstack_db::resources::{Owner, limits_of, set_limit};
    for max in [3, 1] {
        Tx::run(conn, db, None, |tx| {
            set_limit(tx, Owner::Account(account), ResourceType::UserVm, None, max)
        })
        .unwrap();
    }
    let limits: Vec<(Option<String>, i64, Option<String>)> =
        limits_of(conn, Owner::Account(account))
            .unwrap()
            .into_iter()
            .map(|l| (l.resource_type, l.max, l.tag))
            .collect();
    assert_eq!(limits, [(Some("user_vm".to_owned()), 1, None)]);
    assert!(matches!(
        Tx::run(conn, db, None, |tx| {
            set_limit(tx, Owner::Account(account), ResourceType::UserVm, None, -2)
        }),
        Err(Error::InvalidValue { .. })
    ));
    Tx::run(conn, db, None, |tx| {
        vms::create(tx, &vm_of(zone, account, domain, "first"))
    })
    .unwrap();
    let refused = Tx::run(conn, db, None, |tx| {
        vms::create(tx, &vm_of(zone, account, domain, "second"))
    });
    match refused {
        Err(Error::LimitExceeded {
            resource: "user_vm",
            owner,
            limit: 1,
            count: 1,
            wanted: 1,
        }) => {
            assert_eq!(owner, format!("account {account}"))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        counted(
            conn,
            &format!("account_id = {account}"),
            ResourceType::UserVm
        ),
        1
    );
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) FROM vm_instance WHERE name = 'second'"
        )
        .unwrap(),
        0
    );

    // A domain's limit covers every account below it: 1 CPU for the domain, its second account
    // is refused naming the domain. A global default per account applies where no row does.
    conn.batch_execute(&format!(
        "INSERT INTO resource_limit (domain_id, type, max) VALUES ({domain}, 'cpu', 1)"
    ))
    .unwrap();
    let second = Tx::run(conn, db, None, |tx| {
        accounts::create(
            tx,
            &accounts::AccountSpec::new(domain, "limited-2", AccountType::Normal),
        )
    })
    .unwrap();
    let refused = Tx::run(conn, db, None, |tx| {
        vms::create(tx, &vm_of(zone, second.id, domain, "third"))
    });
    assert!(
        matches!(&refused, Err(Error::LimitExceeded { resource: "cpu", owner, limit: 1, .. }) if *owner == format!("domain {domain}")),
        "{refused:?}"
    );
    conn.batch_execute(
        "INSERT INTO configuration (instance, name, value) VALUES ('DEFAULT', 'max.account.volumes', '0')",
    )
    .unwrap();
    let refused = Tx::run(conn, db, None, |tx| {
        volumes::create(
            tx,
            &volume(zone, second.id, domain, "D", VolumeType::DataDisk, 1 << 30),
        )
    });
    assert!(
        matches!(
            refused,
            Err(Error::LimitExceeded {
                resource: "volume",
                limit: 0,
                ..
            })
        ),
        "{refused:?}"
    );
    // The root admin account has no account limits.
    Tx::run(conn, db, None, |tx| {
        volumes::create(
            tx,
            &volume(
                zone,
                AccountId(2),
                DomainId(1),
                "A",
                VolumeType::DataDisk,
                1 << 30,
            ),
        )
    })
    .unwrap();
}

/// Sixteen servers deploy at once into an account limited to five VMs, round after round:
/// exactly five succeed, the others get `LimitExceeded`, and the count equals the live VMs.
#[test]
fn sixteen_concurrent_deployers_against_a_limit_of_five_make_exactly_five() {
    const DEPLOYERS: usize = 16;
    const LIMIT: i64 = 5;
    common::log_to_file();
    let test = TestDatabases::with_pool(PoolSettings {
        max_size: DEPLOYERS as u32 + 4,
        ..test_pool_settings()
    })
    .unwrap();
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    for round in 0..4 {
        let (domain, account) = team(&db, &mut conn, &format!("race-{round}"));
        conn.batch_execute(&format!(
            "INSERT INTO resource_limit (account_id, type, max) VALUES ({account}, 'user_vm', {LIMIT})"
        ))
        .unwrap();
        let barrier = Arc::new(Barrier::new(DEPLOYERS));
        let deployers: Vec<_> = (0..DEPLOYERS)
            .map(|n| {
                let (db, barrier) = (db.clone(), barrier.clone());
                std::thread::spawn(move || {
                    let spec = vm_of(zone, account, domain, &format!("r{round}-{n}"));
                    barrier.wait();
                    db.write_with_retry(&RetryPolicy::default(), |tx| vms::create(tx, &spec))
                })
            })
            .collect();
        let results: Vec<_> = deployers.into_iter().map(|d| d.join().unwrap()).collect();
        let made = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(made as i64, LIMIT, "round {round}");
        for r in results.iter().filter_map(|r| r.as_ref().err()) {
            assert!(
                matches!(
                    r,
                    Error::LimitExceeded {
                        resource: "user_vm",
                        ..
                    }
                ),
                "{r:?}"
            );
        }
        let live = count(
            &mut conn,
            &format!(
                "SELECT COUNT(*) FROM vm_instance WHERE account_id = {account} AND removed IS NULL"
            ),
        )
        .unwrap();
        assert_eq!(live, LIMIT);
        assert_eq!(
            counted(
                &mut conn,
                &format!("account_id = {account}"),
                ResourceType::UserVm
            ),
            LIMIT
        );
        assert_eq!(
            counted(
                &mut conn,
                &format!("domain_id = {domain}"),
                ResourceType::UserVm
            ),
            LIMIT
        );
    }
}

/// A public address counts once it belongs to a network (at allocation or when associated)
/// and stops counting when released; one from a range dedicated to the account never counts.
#[test]
fn public_addresses_count_while_they_belong_to_a_network() {
    use cloudstack_db::network::dedicated::dedicate_to_account;
    use cloudstack_db::network::public_ips::{self, AllocateRequest};
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn).id;
    let (domain, account) = team(db, conn, "addresses");
    let range = common::public_range(conn, db, zone);
    let a = format!("account_id = {account}");
    let request = AllocateRequest::for_account(zone, account, domain);
    let loose = Tx::run(conn, db, None, |tx| public_ips::allocate(tx, &request)).unwrap();
    assert_eq!(
        counted(conn, &a, ResourceType::PublicIp),
        0,
        "no network yet"
    );
    let joined = Tx::run(conn, db, None, |tx| {
        public_ips::associate(tx, loose.id, range.network_id, None)
    })
    .unwrap();
    assert_eq!(counted(conn, &a, ResourceType::PublicIp), 1);
    assert_eq!(
        counted(
            conn,
            &format!("domain_id = {domain}"),
            ResourceType::PublicIp
        ),
        1
    );
    let with_network = Tx::run(conn, db, None, |tx| {
        public_ips::allocate(
            tx,
            &AllocateRequest {
                network_id: Some(range.network_id),
                ..request
            },
        )
    })
    .unwrap();
    assert_eq!(counted(conn, &a, ResourceType::PublicIp), 2);
    Tx::run(conn, db, None, |tx| public_ips::release(tx, &joined)).unwrap();
    Tx::run(conn, db, None, |tx| public_ips::release(tx, &with_network)).unwrap();
    assert_eq!(counted(conn, &a, ResourceType::PublicIp), 0);
    // The whole range dedicated to the account: its addresses never count.
    Tx::run(conn, db, None, |tx| {
        dedicate_to_account(tx, range.id, account)
    })
    .unwrap();
    Tx::run(conn, db, None, |tx| {
        public_ips::allocate(
            tx,
            &AllocateRequest {
                network_id: Some(range.network_id),
                ..request
            },
        )
    })
    .unwrap();
    assert_eq!(counted(conn, &a, ResourceType::PublicIp), 0);
}

/// `(untagged, tagged)` counts of `ty` for `owner`.
fn counted_with(
    conn: &mut MysqlConnection,
    owner: &str,
    ty: ResourceType,
    tag: &str,
) -> (i64, i64) {
    let tagged = count(
        conn,
        &format!(
            "SELECT `count` FROM resource_count WHERE {owner} AND type = '{ty}' AND tag = '{tag}'"
        ),
    )
    .unwrap();
    (counted(conn, owner, ty), tagged)
}

#[test]
fn host_and_storage_tags_are_counted_and_limited_alongside_the_untagged_rows() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn).id;
    conn.batch_execute(
        "INSERT INTO configuration (category, instance, component, name, value) VALUES \
           ('Advanced', 'DEFAULT', 'ResourceLimitManager', 'resource.limit.host.tags', 'gpu, fast'), \
           ('Advanced', 'DEFAULT', 'ResourceLimitManager', 'resource.limit.storage.tags', 'ssd') \
         ON DUPLICATE KEY UPDATE value = VALUES(value); \
         UPDATE service_offering SET host_tag = 'gpu,other' WHERE id = 1; \
         UPDATE disk_offering SET tags = 'ssd,slow' WHERE id = 3;",
    )
    .unwrap();
    let (domain, account) = team(db, conn, "tagged");
    let a = format!("account_id = {account}");
    let d = format!("domain_id = {domain}");
    // Creation gave the account a row per configured tag of the tagged types: 17 + 4×2 + 2×1.
    let rows = cloudstack_db::resources::counts_of(
        conn,
        cloudstack_db::resources::Owner::Account(account),
    )
    .unwrap();
    let gpu_rows = rows
        .iter()
        .filter(|r| r.tag.as_deref() == Some("gpu"))
        .count();
    assert_eq!(gpu_rows, 4, "user_vm, cpu, memory, gpu");
    assert_eq!(rows.len(), 17 + 4 * 2 + 2);
    // A tagged limit of one VM for the account.
    conn.batch_execute(&format!(
        "INSERT INTO resource_limit (account_id, type, max, tag) VALUES ({account}, 'user_vm', 1, 'gpu')"
    ))
    .unwrap();
    let vm = Tx::run(conn, db, None, |tx| {
        vms::create(tx, &vm_of(zone, account, domain, "t1"))
    })
    .unwrap()
    .instance;
    for owner in [&a, &d] {
        assert_eq!(
            counted_with(conn, owner, ResourceType::UserVm, "gpu"),
            (1, 1),
            "{owner}"
        );
        assert_eq!(
            counted_with(conn, owner, ResourceType::Memory, "gpu"),
            (512, 512)
        );
        assert_eq!(
            counted_with(conn, owner, ResourceType::UserVm, "fast"),
            (1, 0)
        );
    }
    match Tx::run(conn, db, None, |tx| {
        vms::create(tx, &vm_of(zone, account, domain, "t2"))
    }) {
        Err(Error::LimitExceeded {
            resource,
            owner,
            limit,
            ..
        }) => {
            assert_eq!((resource, limit), ("user_vm", 1));
            assert!(owner.contains("tag gpu"), "{owner}");
        }
        other => panic!("expected the tagged limit: {other:?}"),
    }
    assert_eq!(counted_with(conn, &a, ResourceType::UserVm, "gpu"), (1, 1));
    // A volume on a tagged disk offering counts its ssd rows; a resize moves them too.
    let data = Tx::run(conn, db, None, |tx| {
        volumes::create(
            tx,
            &volume(
                zone,
                account,
                domain,
                "DATA-t",
                VolumeType::DataDisk,
                2 << 30,
            ),
        )
    })
    .unwrap();
    assert_eq!(
        counted_with(conn, &a, ResourceType::PrimaryStorage, "ssd"),
        (2 << 30, 2 << 30)
    );
    let ready = Tx::run(conn, db, None, |tx| {
        let creating = volumes::transition(
            tx,
            &data,
            cloudstack_db::storage::VolumeEvent::CreateRequested,
        )?;
        volumes::transition(
            tx,
            &creating,
            cloudstack_db::storage::VolumeEvent::OperationSucceeded,
        )
    })
    .unwrap();
    let bigger = Tx::run(conn, db, None, |tx| volumes::resize(tx, &ready, 3 << 30)).unwrap();
    assert_eq!(
        counted_with(conn, &d, ResourceType::PrimaryStorage, "ssd"),
        (3 << 30, 3 << 30)
    );
    Tx::run(conn, db, None, |tx| volumes::destroy(tx, &bigger)).unwrap();
    assert_eq!(counted_with(conn, &a, ResourceType::Volume, "ssd"), (0, 0));
    // Destroying the VM gives the tagged rows back with the untagged ones.
    Tx::run(conn, db, None, |tx| {
        vms::transition(tx, &vm, VmEvent::DestroyRequested, None)
    })
    .unwrap();
    assert_eq!(counted_with(conn, &a, ResourceType::UserVm, "gpu"), (0, 0));
    assert_eq!(counted_with(conn, &d, ResourceType::Cpu, "gpu"), (0, 0));
}
