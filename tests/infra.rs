//! Pods, clusters, hosts and host capacity as CloudStack writes and guards them: the hosts
//! placement may use, guarded status changes, and capacity reserved under the rows' locks so
//! concurrent placements never over-commit a host.

mod common;

use cloudstack_db::db::Tx;
use cloudstack_db::infra::capacity::{self, VmShare};
use cloudstack_db::infra::hosts::{self, HostFilter};
use cloudstack_db::infra::{HostStatus, ResourceState};
use cloudstack_db::prelude::*;
use cloudstack_db::repo::PageRequest;
use cloudstack_db::types::{HostId, HypervisorType};
use diesel::MysqlConnection;
use diesel::connection::SimpleConnection;

/// Pod 10 (enabled), cluster 20 (enabled, KVM) and 21 (disabled), and four hosts:
/// 101 Up/Enabled in 20 tagged `gpu`, 102 Down in 20, 103 Up/Enabled in 21, 104 Up/Disabled in 20.
fn racks(conn: &mut MysqlConnection, zone: ZoneId) {
    let z = zone.get();
    let host = |id: u64, status: &str, state: &str, cluster: u64| {
        format!(
            "INSERT INTO host (id, name, uuid, status, type, private_ip_address, data_center_id, pod_id, \
             cluster_id, hypervisor_type, version, dom0_memory, last_ping, resource_state, cpus, speed, ram) \
             VALUES ({id}, 'host-{id}', UUID(), '{status}', 'Routing', '10.1.0.{id}', {z}, 10, {cluster}, \
             'KVM', '4.22.0.0', 0, 0, '{state}', 16, 2000, {ram});",
            ram = 64u64 << 30
        )
    };
    conn.batch_execute(&format!(
        "INSERT INTO host_pod_ref (id, name, uuid, data_center_id, gateway, cidr_address, cidr_size, \
           allocation_state) VALUES (10, 'pod-10', UUID(), {z}, '10.1.0.1', '10.1.0.0', 24, 'Enabled'); \
         INSERT INTO cluster (id, name, uuid, pod_id, data_center_id, hypervisor_type, allocation_state) \
           VALUES (20, 'c-20', UUID(), 10, {z}, 'KVM', 'Enabled'), (21, 'c-21', UUID(), 10, {z}, 'KVM', 'Disabled'); \
         {} {} {} {} \
         INSERT INTO host_tags (host_id, tag) VALUES (101, 'gpu');",
        host(101, "Up", "Enabled", 20),
        host(102, "Down", "Enabled", 20),
        host(103, "Up", "Enabled", 21),
        host(104, "Up", "Disabled", 20),
    ))
    .unwrap();
}

fn ids(hosts: &[cloudstack_db::infra::Host]) -> Vec<u64> {
    hosts.iter().map(|h| h.id.get()).collect()
}

#[test]
fn placement_sees_only_up_enabled_hosts_in_open_clusters_and_pods() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    racks(&mut conn, zone);
    let kvm = HostFilter::for_placement(zone, HypervisorType::Kvm, None);
    assert_eq!(
        ids(&hosts::placement_candidates(&mut conn, &kvm).unwrap()),
        [101]
    );
    let gpu = HostFilter::for_placement(zone, HypervisorType::Kvm, Some("gpu"));
    assert_eq!(
        ids(&hosts::placement_candidates(&mut conn, &gpu).unwrap()),
        [101]
    );
    let none = HostFilter::for_placement(zone, HypervisorType::Kvm, Some("fpga"));
    assert!(
        hosts::placement_candidates(&mut conn, &none)
            .unwrap()
            .is_empty()
    );
    // The plain list: every Up host of the pod, one page of two and the rest.
    let up = HostFilter {
        pod_id: Some(cloudstack_db::types::PodId(10)),
        status: Some(HostStatus::Up),
        ..Default::default()
    };
    let first = hosts::list(&mut conn, &up, &PageRequest::first(2).with_total()).unwrap();
    assert_eq!((ids(&first.items), first.total), (vec![101, 103], Some(3)));
    let rest = hosts::list(&mut conn, &up, &PageRequest::after(first.next.unwrap(), 2)).unwrap();
    assert_eq!(ids(&rest.items), [104]);
    assert!(rest.next.is_none());
}

#[test]
fn a_host_status_change_is_guarded_and_a_host_gone_down_takes_no_vm() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    racks(&mut conn, zone);
    let h = hosts::find(&mut conn, HostId(101)).unwrap();
    Tx::run(&mut conn, db, None, |tx| {
        capacity::set_host_totals(tx, &h, 16 * 2000, 64 << 30, 16)
    })
    .unwrap();
    let down = Tx::run(&mut conn, db, None, |tx| {
        hosts::set_status(tx, &h, HostStatus::Down)
    })
    .unwrap();
    assert_eq!(
        (down.status, down.update_count),
        (HostStatus::Down, h.update_count + 1)
    );
    // A second writer with the same read loses.
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| hosts::set_status(
            tx,
            &h,
            HostStatus::Alert
        )),
        Err(Error::StaleState { entity: "host", .. })
    ));
    let share = VmShare {
        cores: 1,
        speed_mhz: 1000,
        memory_mib: 1024,
    };
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| capacity::reserve_vm(
            tx, h.id, share
        )),
        Err(Error::Conflict(_))
    ));
    assert!(
        capacity::of_host(&mut conn, h.id)
            .unwrap()
            .iter()
            .all(|r| r.used_capacity == 0)
    );
    // Disabled for allocation: the same.
    let up = Tx::run(&mut conn, db, None, |tx| {
        hosts::set_status(tx, &down, HostStatus::Up)
    })
    .unwrap();
    Tx::run(&mut conn, db, None, |tx| {
        hosts::set_resource_state(tx, &up, ResourceState::Disabled)
    })
    .unwrap();
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| capacity::reserve_vm(
            tx, h.id, share
        )),
        Err(Error::Conflict(_))
    ));
}

#[test]
fn sixteen_concurrent_placements_on_a_host_with_room_for_ten_place_exactly_ten() {
    let test = common::fresh();
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    racks(&mut conn, zone);
    let h = hosts::find(&mut conn, HostId(101)).unwrap();
    // Room for ten 2-core 1 GHz VMs by CPU (20 GHz); memory is plentiful.
    Tx::run(&mut conn, &db, None, |tx| {
        capacity::set_host_totals(tx, &h, 20_000, 64 << 30, 16)
    })
    .unwrap();
    drop(conn);
    let share = VmShare {
        cores: 2,
        speed_mhz: 1000,
        memory_mib: 512,
    };
    for round in 0..3 {
        let barrier = std::sync::Barrier::new(16);
        let results: Vec<Result<()>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..16)
                .map(|_| {
                    let (db, barrier) = (db.clone(), &barrier);
                    s.spawn(move || {
                        barrier.wait();
                        db.write_with_retry(&cloudstack_db::db::RetryPolicy::default(), |tx| {
                            capacity::reserve_vm(tx, h.id, share)
                        })
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let placed = results.iter().filter(|r| r.is_ok()).count();
        let refused = results
            .iter()
            .filter(|r| {
                matches!(
                    r,
                    Err(Error::Exhausted {
                        resource: "host CPU",
                        ..
                    })
                )
            })
            .count();
        assert_eq!((placed, refused), (10, 6), "round {round}: {results:?}");
        let mut conn = db.cloud().get().unwrap();
        let rows = capacity::of_host(&mut conn, h.id).unwrap();
        let used = |ty| {
            rows.iter()
                .find(|r| r.capacity_type == ty)
                .unwrap()
                .used_capacity
        };
        assert_eq!(
            (
                used(capacity::CPU),
                used(capacity::MEMORY),
                used(capacity::CPU_CORE)
            ),
            (20_000, (10 * 512) << 20, 20)
        );
        for _ in 0..10 {
            Tx::run(&mut conn, &db, None, |tx| {
                capacity::release_vm(tx, h.id, share)
            })
            .unwrap();
        }
    }
    // A cluster over-commit of 2 doubles the room.
    let mut conn = db.cloud().get().unwrap();
    conn.batch_execute("INSERT INTO cluster_details (cluster_id, name, value) VALUES (20, 'cpuOvercommitRatio', '2')")
        .unwrap();
    for _ in 0..20 {
        Tx::run(&mut conn, &db, None, |tx| {
            capacity::reserve_vm(tx, h.id, share)
        })
        .unwrap();
    }
    assert!(matches!(
        Tx::run(&mut conn, &db, None, |tx| capacity::reserve_vm(
            tx, h.id, share
        )),
        Err(Error::Exhausted { .. })
    ));
}

#[test]
fn a_vm_started_on_a_host_takes_its_offerings_share_or_nothing_changes() {
    use cloudstack_db::compute::placement;
    use cloudstack_db::compute::{VmState, vms};
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    racks(&mut conn, zone);
    let h = hosts::find(&mut conn, HostId(101)).unwrap();
    Tx::run(&mut conn, db, None, |tx| {
        capacity::set_host_totals(tx, &h, 32_000, 64 << 30, 16)
    })
    .unwrap();
    let vm = Tx::run(&mut conn, db, None, |tx| {
        vms::create(tx, &common::vm_spec(zone, "placed"))
    })
    .unwrap()
    .instance;
    // Small Instance, as the first start writes it.
    let share = placement::share_of(&mut conn, &vm).unwrap();
    assert_eq!(
        (share.cores, share.speed_mhz, share.memory_mib),
        (1, 500, 512)
    );
    let starting = Tx::run(&mut conn, db, None, |tx| placement::start_on(tx, &vm, h.id)).unwrap();
    assert_eq!(
        (starting.state, starting.host_id),
        (VmState::Starting, Some(101))
    );
    let used: Vec<i64> = capacity::of_host(&mut conn, h.id)
        .unwrap()
        .iter()
        .map(|r| r.used_capacity)
        .collect();
    assert_eq!(used, [512 << 20, 500, 1], "memory, CPU, cores");
    // On a host gone down: refused, the VM still Stopped, nothing taken.
    let other = Tx::run(&mut conn, db, None, |tx| {
        vms::create(tx, &common::vm_spec(zone, "refused"))
    })
    .unwrap()
    .instance;
    Tx::run(&mut conn, db, None, |tx| {
        hosts::set_status(tx, &h, HostStatus::Down)
    })
    .unwrap();
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| placement::start_on(
            tx, &other, h.id
        )),
        Err(Error::Conflict(_))
    ));
    assert_eq!(
        vms::find(&mut conn, other.id).unwrap().instance.state,
        VmState::Stopped
    );
    let after: Vec<i64> = capacity::of_host(&mut conn, h.id)
        .unwrap()
        .iter()
        .map(|r| r.used_capacity)
        .collect();
    assert_eq!(after, used);
}

#[test]
fn a_host_going_down_while_vms_are_placed_never_gets_one_after_it_went_down() {
    use cloudstack_db::compute::placement;
    use cloudstack_db::compute::vms;
    let test = common::fresh();
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    racks(&mut conn, zone);
    drop(conn);
    for round in 0..8 {
        let mut conn = db.cloud().get().unwrap();
        let h = hosts::find(&mut conn, HostId(101)).unwrap();
        let h = if h.status == HostStatus::Up {
            h
        } else {
            Tx::run(&mut conn, &db, None, |tx| {
                hosts::set_status(tx, &h, HostStatus::Up)
            })
            .unwrap()
        };
        Tx::run(&mut conn, &db, None, |tx| {
            capacity::set_host_totals(tx, &h, 32_000, 64 << 30, 16)
        })
        .unwrap();
        let before: Vec<i64> = capacity::of_host(&mut conn, h.id)
            .unwrap()
            .iter()
            .map(|r| r.used_capacity)
            .collect();
        let vm = Tx::run(&mut conn, &db, None, |tx| {
            vms::create(tx, &common::vm_spec(zone, &format!("race-{round}")))
        })
        .unwrap()
        .instance;
        drop(conn);
        let barrier = std::sync::Barrier::new(2);
        let (placed, downed) = std::thread::scope(|s| {
            let placer = s.spawn(|| {
                barrier.wait();
                db.write(|tx| placement::start_on(tx, &vm, h.id))
            });
            let breaker = s.spawn(|| {
                barrier.wait();
                // The agent's report: retried on a lost race, as the Java server retries it.
                loop {
                    let current = db.read(|c| hosts::find(c, h.id)).unwrap();
                    match db.write(|tx| hosts::set_status(tx, &current, HostStatus::Down)) {
                        Err(Error::StaleState { .. }) => continue,
                        other => break other,
                    }
                }
            });
            (placer.join().unwrap(), breaker.join().unwrap())
        });
        downed.unwrap();
        let mut conn = db.cloud().get().unwrap();
        let after: Vec<i64> = capacity::of_host(&mut conn, h.id)
            .unwrap()
            .iter()
            .map(|r| r.used_capacity)
            .collect();
        let state = vms::find(&mut conn, vm.id).unwrap().instance;
        match placed {
            // Placed first: on the host, its share taken, and the host went down after.
            Ok(_) => {
                assert_eq!(state.host_id, Some(101), "round {round}");
                assert_eq!(
                    after,
                    [before[0] + (512 << 20), before[1] + 500, before[2] + 1],
                    "round {round}"
                );
            }
            // The host was down first: nothing taken, the VM still Stopped.
            Err(Error::Conflict(_)) => {
                assert_eq!((after, state.host_id), (before, None), "round {round}");
            }
            Err(other) => panic!("round {round}: {other}"),
        }
        assert_eq!(
            hosts::find(&mut conn, h.id).unwrap().status,
            HostStatus::Down
        );
    }
}

#[test]
fn sixteen_concurrent_volume_placements_fill_a_pool_to_its_allocation_threshold_and_no_further() {
    use cloudstack_db::storage::VolumeType;
    use cloudstack_db::storage::volumes::{self, VolumeSpec};
    use cloudstack_db::types::{ImageFormat, ProvisioningType, StoragePoolId};
    let test = common::fresh();
    let db = test.database().clone();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    // 100 GiB of NFS: over-provisioned twice (the default), usable to 85 %: 170 GiB.
    Tx::run(&mut conn, &db, None, |tx| {
        cloudstack_db_testing::storage_pool(tx, zone, 1)
    })
    .unwrap();
    conn.batch_execute(&format!(
        "UPDATE storage_pool SET capacity_bytes = {} WHERE id = 1",
        100u64 << 30
    ))
    .unwrap();
    let volumes: Vec<_> = (0..16)
        .map(|i| {
            Tx::run(&mut conn, &db, None, |tx| {
                volumes::create(
                    tx,
                    &VolumeSpec {
                        name: format!("d-{i}"),
                        account_id: AccountId(2),
                        domain_id: DomainId(1),
                        zone_id: zone,
                        volume_type: VolumeType::DataDisk,
                        disk_offering_id: DiskOfferingId(3),
                        template_id: None,
                        size: 20 << 30,
                        instance_id: None,
                        device_id: None,
                        format: Some(ImageFormat::Qcow2),
                        provisioning_type: ProvisioningType::Thin,
                        display_volume: true,
                    },
                )
            })
            .unwrap()
        })
        .collect();
    drop(conn);
    let barrier = std::sync::Barrier::new(16);
    let settings = cloudstack_db::settings::Settings::new(None);
    let results: Vec<Result<()>> = std::thread::scope(|s| {
        let handles: Vec<_> = volumes
            .iter()
            .map(|v| {
                let (db, barrier, settings) = (db.clone(), &barrier, &settings);
                s.spawn(move || {
                    barrier.wait();
                    db.write(|tx| capacity::place_volume(tx, settings, v, StoragePoolId(1)))
                        .map(|_| ())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let placed = results.iter().filter(|r| r.is_ok()).count();
    let refused = results
        .iter()
        .filter(|r| {
            matches!(
                r,
                Err(Error::Exhausted {
                    resource: "primary storage",
                    ..
                })
            )
        })
        .count();
    assert_eq!((placed, refused), (8, 8), "{results:?}");
    let mut conn = db.cloud().get().unwrap();
    assert_eq!(
        cloudstack_db_testing::count(&mut conn, "SELECT COUNT(*) FROM volumes WHERE pool_id = 1")
            .unwrap(),
        8
    );
}
