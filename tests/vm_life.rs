//! A VM's life as CloudStack bills it (`../shared/cloudstack-schema/SHARING.md` §3): the ROOT
//! volume's VOLUME.DELETE after any successful destroy — from Error too — and VOLUME.CREATE on
//! recovery, written by the VM's own operations; nothing for a volume hidden from users.

mod common;

use cloudstack_db::compute::{VmEvent, VmInstance, vms};
use cloudstack_db::db::Tx;
use cloudstack_db::prelude::*;
use cloudstack_db::storage::VolumeType;
use cloudstack_db::storage::volumes::{self, VolumeSpec};
use cloudstack_db::types::{ImageFormat, ProvisioningType};
use diesel::MysqlConnection;

fn deployed(
    db: &Database,
    conn: &mut MysqlConnection,
    name: &str,
    shown: bool,
) -> (VmInstance, VolumeId) {
    let zone = common::zone(conn).id;
    Tx::run(conn, db, None, |tx| {
        let vm = vms::create(tx, &common::vm_spec(zone, name))?;
        let root = volumes::create(
            tx,
            &vm.attached(&VolumeSpec {
                name: format!("ROOT-{name}"),
                account_id: AccountId(2),
                domain_id: DomainId(1),
                zone_id: zone,
                volume_type: VolumeType::Root,
                disk_offering_id: DiskOfferingId(1),
                template_id: Some(TemplateId(4)),
                size: 8 << 30,
                instance_id: None,
                device_id: Some(0),
                format: Some(ImageFormat::Qcow2),
                provisioning_type: ProvisioningType::Thin,
                display_volume: shown,
            }),
        )?;
        Ok((vm.instance, root.id))
    })
    .unwrap()
}

/// A usage event as (type, offering, template, size, vm).
type Billed = (String, Option<u64>, Option<u64>, Option<u64>, Option<u64>);

/// The volume usage events of `resource`.
fn events_of(conn: &mut MysqlConnection, resource: u64) -> Vec<Billed> {
    use cloudstack_db::schema::cloud::usage_event;
    use diesel::prelude::*;
    usage_event::table
        .filter(usage_event::resource_id.eq(resource))
        .filter(usage_event::type_.like("VOLUME.%"))
        .order(usage_event::id)
        .select((
            usage_event::type_,
            usage_event::offering_id,
            usage_event::template_id,
            usage_event::size,
            usage_event::vm_id,
        ))
        .load(conn)
        .unwrap()
}

#[test]
fn destroying_a_vm_in_error_still_ends_its_root_volume_billing() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let (vm, root) = deployed(db, &mut conn, "err", true);
    let broken = Tx::run(&mut conn, db, None, |tx| {
        vms::transition(tx, &vm, VmEvent::OperationFailedToError, None)
    })
    .unwrap();
    Tx::run(&mut conn, db, None, |tx| {
        vms::transition(tx, &broken, VmEvent::DestroyRequested, None)
    })
    .unwrap();
    let kinds: Vec<String> = events_of(&mut conn, root.get())
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(kinds, ["VOLUME.CREATE", "VOLUME.DELETE"]);
}

#[test]
fn recovering_a_destroyed_vm_reopens_its_root_volume_billing() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let (vm, root) = deployed(db, &mut conn, "back", true);
    let destroyed = Tx::run(&mut conn, db, None, |tx| {
        vms::transition(tx, &vm, VmEvent::DestroyRequested, None)
    })
    .unwrap();
    Tx::run(&mut conn, db, None, |tx| {
        vms::transition(tx, &destroyed, VmEvent::RecoveryRequested, None)
    })
    .unwrap();
    let gib8 = Some(8u64 << 30);
    assert_eq!(
        events_of(&mut conn, root.get()),
        [
            (
                "VOLUME.CREATE".into(),
                None,
                Some(4),
                gib8,
                Some(vm.id.get())
            ),
            ("VOLUME.DELETE".into(), None, None, None, None),
            // Offering NULL: the ROOT volume's disk offering is compute-only.
            (
                "VOLUME.CREATE".into(),
                None,
                Some(4),
                gib8,
                Some(vm.id.get())
            ),
        ]
    );
}

#[test]
fn a_root_volume_hidden_from_users_is_not_billed_on_destroy_or_recovery() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let (vm, root) = deployed(db, &mut conn, "hidden", false);
    let destroyed = Tx::run(&mut conn, db, None, |tx| {
        vms::transition(tx, &vm, VmEvent::DestroyRequested, None)
    })
    .unwrap();
    Tx::run(&mut conn, db, None, |tx| {
        vms::transition(tx, &destroyed, VmEvent::RecoveryRequested, None)
    })
    .unwrap();
    assert_eq!(events_of(&mut conn, root.get()), []);
}

/// A guest network of the admin account using network offering `offering`.
fn network(
    db: &Database,
    conn: &mut MysqlConnection,
    zone: ZoneId,
    name: &str,
    offering: u64,
) -> NetworkId {
    use cloudstack_db::network::networks::{self, NetworkSpec};
    use cloudstack_db::network::*;
    Tx::run(conn, db, None, |tx| {
        networks::create(
            tx,
            &NetworkSpec {
                name: name.into(),
                display_text: None,
                account_id: AccountId(2),
                domain_id: DomainId(1),
                zone_id: zone,
                traffic_type: TrafficType::Guest,
                guest_type: Some(GuestType::Isolated),
                broadcast_domain_type: BroadcastDomainType::Vlan,
                vlan: None,
                gateway: None,
                cidr: None,
                mode: Some(NetworkMode::Dhcp),
                acl_type: Some(AclType::Account),
                network_offering_id: offering,
                physical_network_id: Some(200),
                guru_name: "ExternalGuestNetworkGuru".into(),
            },
        )
    })
    .unwrap()
    .id
}

/// A usage event as (type, resource name, offering, size).
type NicBilled = (String, Option<String>, Option<u64>, Option<u64>);

/// The NETWORK.OFFERING and VM usage events of `vm`, as (type, NIC id or VM name, offering, size).
fn vm_and_nic_events(conn: &mut MysqlConnection, vm: VmId) -> Vec<NicBilled> {
    use cloudstack_db::schema::cloud::usage_event;
    use diesel::prelude::*;
    usage_event::table
        .filter(usage_event::resource_id.eq(vm.get()))
        .filter(
            usage_event::type_
                .like("VM.%")
                .or(usage_event::type_.like("NETWORK.OFFERING.%")),
        )
        .order(usage_event::id)
        .select((
            usage_event::type_,
            usage_event::resource_name,
            usage_event::offering_id,
            usage_event::size,
        ))
        .load(conn)
        .unwrap()
}

#[test]
fn starts_and_stops_bill_each_nics_network_offering() {
    use cloudstack_db::compute::nics::{self, NicSpec};
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    let first = network(db, &mut conn, zone, "front", 1);
    let second = network(db, &mut conn, zone, "back", 2);
    let (vm, _) = deployed(db, &mut conn, "nics", true);
    let (default_nic, other_nic) = Tx::run(&mut conn, db, None, |tx| {
        let a = nics::create(tx, &vm, &NicSpec::in_network(first))?;
        let b = nics::create(
            tx,
            &vm,
            &NicSpec {
                default_nic: false,
                device_id: Some(1),
                ..NicSpec::in_network(second)
            },
        )?;
        Ok((a.id.to_string(), b.id.to_string()))
    })
    .unwrap();
    let step = |conn: &mut MysqlConnection, vm: &VmInstance, event| {
        Tx::run(conn, db, None, |tx| {
            vms::transition(tx, vm, event, Some(Some(1)))
        })
        .unwrap()
    };
    let starting = step(&mut conn, &vm, VmEvent::StartRequested);
    let running = step(&mut conn, &starting, VmEvent::OperationSucceeded);
    let stopping = step(&mut conn, &running, VmEvent::StopRequested);
    let stopped = step(&mut conn, &stopping, VmEvent::OperationSucceeded);
    // Found running by a power report: VM.START without ASSIGN.
    let reported = step(&mut conn, &stopped, VmEvent::FollowAgentPowerOnReport);
    // Unplugged from the running VM: REMOVE, size 0 for a NIC that is not the default.
    let unplugged = NicId(other_nic.parse().unwrap());
    Tx::run(&mut conn, db, None, |tx| {
        nics::remove(tx, &reported, unplugged)
    })
    .unwrap();
    let vm_event = |kind: &str| (kind.to_owned(), Some("nics".to_owned()), Some(1), None);
    let nic_event = |kind: &str, nic: &str, offering, size| {
        (
            kind.to_owned(),
            Some(nic.to_owned()),
            Some(offering),
            Some(size),
        )
    };
    let (d, o) = (default_nic.as_str(), other_nic.as_str());
    assert_eq!(
        vm_and_nic_events(&mut conn, vm.id),
        [
            vm_event("VM.CREATE"),
            nic_event("NETWORK.OFFERING.ASSIGN", d, 1, 1),
            nic_event("NETWORK.OFFERING.ASSIGN", o, 2, 0),
            vm_event("VM.START"),
            vm_event("VM.STOP"),
            nic_event("NETWORK.OFFERING.REMOVE", d, 1, 0),
            nic_event("NETWORK.OFFERING.REMOVE", o, 2, 0),
            vm_event("VM.START"),
            nic_event("NETWORK.OFFERING.REMOVE", o, 2, 0),
        ]
    );
}

#[test]
fn a_vm_on_a_custom_offering_is_counted_and_billed_with_its_own_cpu_and_memory() {
    use cloudstack_db::compute::vms::CustomCompute;
    use cloudstack_db::schema::cloud::{usage_event as e, usage_event_details as d};
    use cloudstack_db_testing::count;
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    // A copy of Small Instance that leaves cpu, speed and memory to the VM.
    conn.batch_execute(
        "CREATE TEMPORARY TABLE so AS SELECT * FROM service_offering WHERE id = 1; \
         UPDATE so SET id = 50, uuid = UUID(), unique_name = NULL, cpu = NULL, speed = NULL, \
           ram_size = NULL; \
         INSERT INTO service_offering SELECT * FROM so;",
    )
    .unwrap();
    let custom = CustomCompute {
        cpu_number: 4,
        cpu_speed: 2000,
        memory_mib: 8192,
    };
    let spec = |offering: u64, custom: Option<CustomCompute>| vms::UserVmSpec {
        service_offering_id: ServiceOfferingId(offering),
        custom_compute: custom,
        ..common::vm_spec(zone, "custom")
    };
    let used = |conn: &mut MysqlConnection| {
        count(
            conn,
            "SELECT SUM(count * (type = 'cpu')) * 100000 + SUM(count * (type = 'memory')) \
             FROM resource_count WHERE account_id = 2 AND tag IS NULL",
        )
        .unwrap()
    };
    let before = used(&mut conn);
    // A custom offering needs the values, a fixed one takes none: refused, nothing written.
    for (offering, values) in [(50, None), (1, Some(custom))] {
        match Tx::run(&mut conn, db, None, |tx| {
            vms::create(tx, &spec(offering, values))
        }) {
            Err(Error::InvalidValue { column, .. }) => assert_eq!(column, "vm_instance_details"),
            other => panic!("offering {offering}: {other:?}"),
        }
    }
    assert_eq!(used(&mut conn), before);
    let vm = Tx::run(&mut conn, db, None, |tx| {
        vms::create(tx, &spec(50, Some(custom)))
    })
    .unwrap()
    .instance;
    assert_eq!(used(&mut conn), before + 4 * 100_000 + 8192);
    let starting = Tx::run(&mut conn, db, None, |tx| {
        vms::transition(tx, &vm, VmEvent::StartRequested, Some(Some(1)))
    })
    .unwrap();
    let running = Tx::run(&mut conn, db, None, |tx| {
        vms::transition(tx, &starting, VmEvent::OperationSucceeded, None)
    })
    .unwrap();
    let details: Vec<(String, String, String)> = e::table
        .inner_join(d::table)
        .filter(e::resource_id.eq(vm.id.get()))
        .filter(e::type_.like("VM.%"))
        .order((e::id, d::id))
        .select((e::type_, d::name, d::value))
        .load(&mut *conn)
        .unwrap();
    let of = |kind: &str| {
        [("cpuNumber", "4"), ("cpuSpeed", "2000"), ("memory", "8192")]
            .map(|(n, v)| (kind.to_owned(), n.to_owned(), v.to_owned()))
    };
    assert_eq!(details, [of("VM.CREATE"), of("VM.START")].concat());
    Tx::run(&mut conn, db, None, |tx| {
        let stopping = vms::transition(tx, &running, VmEvent::StopRequested, None)?;
        let stopped = vms::transition(tx, &stopping, VmEvent::OperationSucceeded, None)?;
        vms::transition(tx, &stopped, VmEvent::DestroyRequested, None)
    })
    .unwrap();
    assert_eq!(
        used(&mut conn),
        before,
        "the destroy gave the custom values back"
    );
}
