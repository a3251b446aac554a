//! Volumes, templates, and zones and offerings through the repositories.

mod common;

use cloudstack_db::Error;
use cloudstack_db::catalog::*;
use cloudstack_db::catalog::{disk_offerings, service_offerings, templates, zones};
use cloudstack_db::compute::vms;
use cloudstack_db::compute::{VmEvent, VmState};
use cloudstack_db::db::Tx;
use cloudstack_db::network::public_ips::{self, AllocateRequest};
use cloudstack_db::repo::PageRequest;
use cloudstack_db::storage::volumes::{self, VolumeFilter, VolumeSpec};
use cloudstack_db::storage::*;
use cloudstack_db::types::*;
use cloudstack_db::types::{ImageFormat, ProvisioningType};
use cloudstack_db_testing::count;
use diesel::prelude::*;

const GIB: u64 = 1024 * 1024 * 1024;

fn volume_spec(
    zone: ZoneId,
    name: &str,
    kind: VolumeType,
    vm: Option<VmId>,
    device: Option<u64>,
) -> VolumeSpec {
    let root = kind == VolumeType::Root;
    VolumeSpec {
        name: name.to_owned(),
        account_id: AccountId(2),
        domain_id: DomainId(1),
        zone_id: zone,
        volume_type: kind,
        // A ROOT volume takes the compute offering's own (compute-only) disk offering.
        disk_offering_id: if root {
            DiskOfferingId(1)
        } else {
            DiskOfferingId(3)
        },
        template_id: root.then_some(TemplateId(4)),
        size: if root { 8 * GIB } else { 5 * GIB },
        instance_id: vm,
        device_id: device,
        format: Some(ImageFormat::Qcow2),
        provisioning_type: ProvisioningType::Thin,
        display_volume: true,
    }
}

type EventRow = (
    String,
    Option<u64>,
    Option<u64>,
    Option<TemplateId>,
    Option<u64>,
    Option<VmId>,
);

fn events(conn: &mut MysqlConnection) -> Vec<EventRow> {
    use cloudstack_db::schema::cloud::usage_event::dsl::*;
    usage_event
        .filter(type_.like("VOLUME.%"))
        .order(id)
        .select((type_, resource_id, offering_id, template_id, size, vm_id))
        .load(conn)
        .unwrap()
}

#[test]
fn volumes_are_created_attached_resized_and_destroyed_with_usage_events() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn).id;
    let vm = Tx::run(conn, db, None, |tx| {
        vms::create(tx, &common::vm_spec(zone, "vm-a"))
    })
    .unwrap()
    .instance;
    let other = Tx::run(conn, db, None, |tx| {
        vms::create(tx, &common::vm_spec(zone, "vm-b"))
    })
    .unwrap()
    .instance;

    let root = Tx::run(conn, db, None, |tx| {
        volumes::create(
            tx,
            &volume_spec(zone, "ROOT-1", VolumeType::Root, Some(vm.id), Some(0)),
        )
    })
    .unwrap();
    let data = Tx::run(conn, db, None, |tx| {
        volumes::create(
            tx,
            &volume_spec(zone, "DATA-1", VolumeType::DataDisk, Some(vm.id), Some(1)),
        )
    })
    .unwrap();
    assert_eq!(
        (root.id, data.id),
        (VolumeId(1), VolumeId(2)),
        "volume_seq starts at 1"
    );
    assert_eq!(
        (root.state, root.update_count),
        (Some(VolumeState::Allocated), 0)
    );
    assert!(root.uuid.is_some() && root.created.is_some() && root.attached.is_some());
    assert_eq!(
        events(conn),
        vec![
            (
                "VOLUME.CREATE".into(),
                Some(1),
                None,
                Some(TemplateId(4)),
                Some(8 * GIB),
                Some(vm.id)
            ),
            (
                "VOLUME.CREATE".into(),
                Some(2),
                Some(3),
                None,
                Some(5 * GIB),
                Some(vm.id)
            ),
        ],
        "offering NULL for a compute-only offering, as CloudStack"
    );
    assert_eq!(
        volumes::list_for_vm(conn, vm.id)
            .unwrap()
            .iter()
            .map(|v| v.id)
            .collect::<Vec<_>>(),
        [root.id, data.id]
    );
    assert_eq!(
        volumes::find_by_uuid(conn, root.uuid.unwrap()).unwrap().id,
        root.id
    );

    // Move the data disk to the other VM; an attach from a stale read is refused.
    let detached = Tx::run(conn, &db, None, |tx| volumes::detach(tx, &data)).unwrap();
    assert_eq!(
        (
            detached.instance_id,
            detached.device_id,
            detached.update_count
        ),
        (None, None, 1)
    );
    assert!(matches!(
        Tx::run(conn, &db, None, |tx| volumes::detach(tx, &data)),
        Err(Error::StaleState { .. })
    ));
    let moved = Tx::run(conn, &db, None, |tx| {
        volumes::attach(tx, &detached, other.id, 1)
    })
    .unwrap();
    assert_eq!(moved.instance_id, Some(other.id));
    assert!(matches!(
        Tx::run(conn, &db, None, |tx| volumes::attach(
            tx, &detached, vm.id, 2
        )),
        Err(Error::StaleState { .. })
    ));

    // Allocated → Creating → Ready, then a resize writes VOLUME.RESIZE.
    let creating = Tx::run(conn, &db, None, |tx| {
        volumes::transition(tx, &moved, VolumeEvent::CreateRequested)
    })
    .unwrap();
    let ready = Tx::run(conn, &db, None, |tx| {
        volumes::transition(tx, &creating, VolumeEvent::OperationSucceeded)
    })
    .unwrap();
    assert_eq!(ready.state, Some(VolumeState::Ready));
    assert!(matches!(
        Tx::run(conn, &db, None, |tx| volumes::transition(
            tx,
            &creating,
            VolumeEvent::OperationSucceeded
        )),
        Err(Error::StaleState { .. })
    ));
    assert!(matches!(
        Tx::run(conn, &db, None, |tx| volumes::transition(
            tx,
            &ready,
            VolumeEvent::RestoreSucceeded
        )),
        Err(Error::IllegalTransition { .. })
    ));
    let resizing = Tx::run(conn, &db, None, |tx| {
        volumes::transition(tx, &ready, VolumeEvent::ResizeRequested)
    })
    .unwrap();
    let resized = Tx::run(conn, &db, None, |tx| {
        volumes::transition(tx, &resizing, VolumeEvent::OperationSucceeded)
    })
    .unwrap();
    assert_eq!(resized.update_count, moved.update_count + 4);
    assert_eq!(events(conn).last().unwrap().0, "VOLUME.RESIZE");

    // Destroying the data disk writes VOLUME.DELETE and leaves it live in Destroy (recoverable,
    // for CloudStack's storage cleanup); deleting it — on no storage pool — removes it.
    // An attached volume is refused (CloudStack's "detach it first"), nothing changed.
    assert!(matches!(
        Tx::run(conn, &db, None, |tx| volumes::destroy(tx, &resized)),
        Err(Error::Conflict(_))
    ));
    let detached = Tx::run(conn, &db, None, |tx| volumes::detach(tx, &resized)).unwrap();
    let destroyed = Tx::run(conn, &db, None, |tx| volumes::destroy(tx, &detached)).unwrap();
    assert_eq!(
        (destroyed.state, destroyed.removed.is_some()),
        (Some(VolumeState::Destroy), false)
    );
    assert_eq!(events(conn).last().unwrap().0, "VOLUME.DELETE");
    let gone = Tx::run(conn, &db, None, |tx| volumes::delete(tx, &destroyed)).unwrap();
    assert_eq!(
        (gone.state, gone.removed.is_some()),
        (Some(VolumeState::Destroy), true)
    );
    assert!(matches!(volumes::find(conn, gone.id), Err(Error::NotFound)));
    assert_eq!(events(conn).last().unwrap().0, "VOLUME.DELETE");

    // Destroying the VM writes VM.DESTROY and the ROOT volume's VOLUME.DELETE in one go.
    let destroyed = Tx::run(conn, &db, None, |tx| {
        vms::transition(tx, &vm, VmEvent::DestroyRequested, None)
    })
    .unwrap();
    assert_eq!(destroyed.state, VmState::Destroyed);
    let last: Vec<String> = common::usage_events(conn)
        .into_iter()
        .rev()
        .take(2)
        .map(|(k, _)| k)
        .collect();
    assert_eq!(last, ["VOLUME.DELETE", "VM.DESTROY"]);
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) FROM usage_event WHERE type = 'VOLUME.DELETE' AND resource_id = 1"
        )
        .unwrap(),
        1
    );

    // Lists: by account with a total, removed volumes hidden unless asked for.
    let page = volumes::list(
        conn,
        &VolumeFilter {
            account_id: Some(AccountId(2)),
            ..Default::default()
        },
        &PageRequest::first(10).with_total(),
    )
    .unwrap();
    assert_eq!((page.items.len(), page.total), (1, Some(1)));
    let all = volumes::list(
        conn,
        &VolumeFilter {
            include_removed: true,
            ..Default::default()
        },
        &PageRequest::first(1),
    )
    .unwrap();
    assert!(all.next.is_some(), "a second page exists");
    Tx::run(conn, &db, None, |tx| volumes::expunge(tx, gone.id)).unwrap();
    assert!(matches!(
        volumes::find_including_removed(conn, gone.id),
        Err(Error::NotFound)
    ));
}

#[test]
fn templates_are_found_by_unique_name_and_hypervisor_and_created_from_the_sequence() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let kvm = templates::find_by_unique_name(conn, "centos55-x86_64").unwrap();
    assert_eq!((kvm.id, kvm.format), (TemplateId(4), ImageFormat::Qcow2));
    assert!(
        matches!(
            templates::find_by_unique_name(conn, "centos53-x86_64"),
            Err(Error::NotFound)
        ),
        "template 2 is removed"
    );
    let by_hv = templates::list(
        conn,
        &templates::TemplateFilter {
            hypervisor_type: Some(cloudstack_db::types::HypervisorType::Kvm),
            ..Default::default()
        },
        &cloudstack_db::repo::PageRequest::first(500),
    )
    .map(|p| p.items)
    .unwrap();
    assert_eq!(by_hv.iter().map(|t| t.id.get()).collect::<Vec<_>>(), [3, 4]);
    let public = templates::list(
        conn,
        &templates::TemplateFilter {
            public_only: true,
            cross_zones_only: true,
            ..Default::default()
        },
        &cloudstack_db::repo::PageRequest::first(500),
    )
    .map(|p| p.items)
    .unwrap();
    assert_eq!(
        public.iter().map(|t| t.id.get()).collect::<Vec<_>>(),
        [4, 5, 6, 7, 11]
    );

    let mine = Tx::run(conn, db, None, |tx| {
        templates::create(
            tx,
            &NewVmTemplate {
                id: TemplateId(0),
                unique_name: "mine".into(),
                name: "My template".into(),
                uuid: None,
                public: false,
                featured: false,
                template_type: Some(TemplateType::User),
                hvm: true,
                bits: 64,
                url: Some("http://images.example/mine.qcow2".into()),
                format: ImageFormat::Qcow2,
                created: cloudstack_db::repo::now(),
                removed: None,
                account_id: AccountId(2),
                checksum: None,
                display_text: Some("mine".into()),
                enable_password: false,
                enable_sshkey: false,
                guest_os_id: 112,
                bootable: true,
                prepopulate: false,
                cross_zones: false,
                extractable: true,
                hypervisor_type: Some(cloudstack_db::types::HypervisorType::Kvm),
                source_template_id: None,
                template_tag: None,
                sort_key: None,
                size: None,
                state: Some(TemplateState::NotUploaded),
                update_count: Some(0),
                updated: None,
                dynamically_scalable: false,
                parent_template_id: None,
                direct_download: None,
                deploy_as_is: None,
                user_data_id: None,
                user_data_link_policy: None,
                arch: Some(CpuArch::X86_64),
                for_cks: None,
                extension_id: None,
            },
        )
    })
    .unwrap();
    assert_eq!(mine.id, TemplateId(200), "user templates start at 200");
    let active = Tx::run(conn, &db, None, |tx| {
        templates::set_state(tx, &mine, TemplateState::Active)
    })
    .unwrap();
    assert_eq!(
        (active.state, active.update_count),
        (Some(TemplateState::Active), Some(1))
    );
    assert!(matches!(
        Tx::run(conn, &db, None, |tx| templates::set_state(
            tx,
            &mine,
            TemplateState::Inactive
        )),
        Err(Error::StaleState { .. })
    ));
    Tx::run(conn, &db, None, |tx| templates::remove(tx, mine.id)).unwrap();
    assert!(matches!(
        templates::find(conn, mine.id),
        Err(Error::NotFound)
    ));
}

#[test]
fn zones_and_offerings_are_created_and_found() {
    let test = common::fresh();
    let mut conn = test.database().cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn);
    assert_eq!(zones::find_by_name(conn, "zone-1").unwrap().id, zone.id);
    assert_eq!(
        zones::find_by_uuid(conn, zone.uuid.unwrap()).unwrap().id,
        zone.id
    );
    assert_eq!(zones::list_all(conn).unwrap().len(), 1);
    assert_eq!(
        service_offerings::find_by_name(conn, "Medium Instance")
            .unwrap()
            .id,
        ServiceOfferingId(2)
    );
    let large = disk_offerings::find_by_name(conn, "Large").unwrap();
    assert_eq!((large.id, large.disk_size), (DiskOfferingId(5), 100 * GIB));
    let gold = test
        .database()
        .write(|tx| {
            disk_offerings::create(
                tx,
                &NewDiskOffering {
                    name: "Gold".into(),
                    disk_size: 50 * GIB,
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(
        disk_offerings::find_by_uuid(conn, gold.uuid.unwrap())
            .unwrap()
            .name,
        "Gold"
    );
    // The first start's six (two compute-only) and Gold.
    assert_eq!(disk_offerings::list_all(conn).unwrap().len(), 7);
    let big = test
        .database()
        .write(|tx| {
            service_offerings::create(
                tx,
                &cloudstack_db::catalog::NewServiceOffering {
                    name: "Big".into(),
                    cpu: Some(8),
                    speed: Some(2000),
                    ram_size: Some(16384),
                    disk_offering_id: Some(gold.id),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert_eq!(
        service_offerings::find_by_uuid(conn, big.uuid.unwrap())
            .unwrap()
            .cpu,
        Some(8)
    );
    assert_eq!(service_offerings::list_all(conn).unwrap().len(), 3);
}

/// `Com_savepoint` of the session `conn` belongs to.
fn savepoints_sent(conn: &mut MysqlConnection) -> i64 {
    count(
        conn,
        "SELECT CAST(VARIABLE_VALUE AS SIGNED) FROM information_schema.SESSION_STATUS \
         WHERE VARIABLE_NAME = 'COM_SAVEPOINT'",
    )
    .unwrap()
}

#[test]
fn a_vm_its_volumes_and_an_address_compose_in_one_write_without_savepoints() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn).id;
    common::public_range(conn, db, zone);
    let spec = common::vm_spec(zone, "deployed");
    let root = volume_spec(zone, "ROOT-d", VolumeType::Root, None, Some(0));
    let data = volume_spec(zone, "DATA-d", VolumeType::DataDisk, None, Some(1));
    let (vm, volumes, ip, savepoints) = db
        .write(|tx| {
            let before = savepoints_sent(tx.conn());
            let vm = vms::create(tx, &spec)?;
            let volumes = [&root, &data]
                .into_iter()
                .map(|v| volumes::create(tx, &vm.attached(v)))
                .collect::<Result<Vec<_>, _>>()?;
            let request =
                AllocateRequest::for_account(zone, vm.instance.account_id, vm.instance.domain_id);
            let ip = public_ips::allocate(tx, &request)?;
            Ok((vm, volumes, ip, savepoints_sent(tx.conn()) - before))
        })
        .unwrap();
    assert_eq!(
        savepoints, 0,
        "composing writes in one `write` sends no SAVEPOINT"
    );
    assert_eq!(volumes.len(), 2);
    assert!(
        volumes
            .iter()
            .all(|v| v.instance_id == Some(vm.instance.id))
    );
    assert_eq!(ip.account_id, Some(vm.instance.account_id));
    assert_eq!(
        common::usage_events(conn)
            .iter()
            .map(|(t, _)| t.as_str())
            .collect::<Vec<_>>(),
        [
            "VM.CREATE",
            "VOLUME.CREATE",
            "VOLUME.CREATE",
            "NET.IPASSIGN"
        ]
    );

    // A volume that cannot be made takes the VM, the other volume and the address with it.
    let bad = VolumeSpec {
        disk_offering_id: DiskOfferingId(999),
        ..volume_spec(zone, "DATA-bad", VolumeType::DataDisk, None, Some(1))
    };
    let err = db
        .write(|tx| {
            let vm = vms::create(tx, &common::vm_spec(zone, "broken"))?;
            let request =
                AllocateRequest::for_account(zone, vm.instance.account_id, vm.instance.domain_id);
            public_ips::allocate(tx, &request)?;
            volumes::create(tx, &vm.attached(&root))?;
            volumes::create(tx, &vm.attached(&bad))
        })
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidValue { column, .. } if column == "volumes.disk_offering_id"),
        "{err}"
    );
    assert_eq!(count(conn, "SELECT COUNT(*) FROM vm_instance").unwrap(), 1);
    assert_eq!(count(conn, "SELECT COUNT(*) FROM volumes").unwrap(), 2);
    assert_eq!(count(conn, "SELECT COUNT(*) FROM usage_event").unwrap(), 4);
    assert_eq!(
        count(
            conn,
            "SELECT COUNT(*) FROM user_ip_address WHERE allocated IS NOT NULL"
        )
        .unwrap(),
        1
    );
}
