//! Volumes, templates, and zones and offerings through the repositories.

mod common;

use cloudstack_db::Error;
use cloudstack_db::compute::vms;
use cloudstack_db::compute::zones_and_offerings as zones;
use cloudstack_db::compute::{VmEvent, VmState};
use cloudstack_db::repo::PageRequest;
use cloudstack_db::storage::templates_and_offerings as templates;
use cloudstack_db::storage::volumes::{self, VolumeFilter, VolumeSpec};
use cloudstack_db::storage::*;
use cloudstack_db::testing::count;
use cloudstack_db::types::*;
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
    let vm = vms::create(conn, db, None, &common::vm_spec(zone, "vm-a"))
        .unwrap()
        .instance;
    let other = vms::create(conn, db, None, &common::vm_spec(zone, "vm-b"))
        .unwrap()
        .instance;

    let root = volumes::create(
        conn,
        db,
        &volume_spec(zone, "ROOT-1", VolumeType::Root, Some(vm.id), Some(0)),
    )
    .unwrap();
    let data = volumes::create(
        conn,
        db,
        &volume_spec(zone, "DATA-1", VolumeType::DataDisk, Some(vm.id), Some(1)),
    )
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
    let detached = volumes::detach(conn, &data).unwrap();
    assert_eq!(
        (
            detached.instance_id,
            detached.device_id,
            detached.update_count
        ),
        (None, None, 1)
    );
    assert!(matches!(
        volumes::detach(conn, &data),
        Err(Error::StaleState { .. })
    ));
    let moved = volumes::attach(conn, &detached, other.id, 1).unwrap();
    assert_eq!(moved.instance_id, Some(other.id));
    assert!(matches!(
        volumes::attach(conn, &detached, vm.id, 2),
        Err(Error::StaleState { .. })
    ));

    // Allocated → Creating → Ready, then a resize writes VOLUME.RESIZE.
    let creating = volumes::transition(conn, &moved, VolumeEvent::CreateRequested).unwrap();
    let ready = volumes::transition(conn, &creating, VolumeEvent::OperationSucceeded).unwrap();
    assert_eq!(ready.state, Some(VolumeState::Ready));
    assert!(matches!(
        volumes::transition(conn, &creating, VolumeEvent::OperationSucceeded),
        Err(Error::StaleState { .. })
    ));
    assert!(matches!(
        volumes::transition(conn, &ready, VolumeEvent::RestoreSucceeded),
        Err(Error::IllegalTransition { .. })
    ));
    let resizing = volumes::transition(conn, &ready, VolumeEvent::ResizeRequested).unwrap();
    let resized = volumes::transition(conn, &resizing, VolumeEvent::OperationSucceeded).unwrap();
    assert_eq!(resized.update_count, moved.update_count + 4);
    assert_eq!(events(conn).last().unwrap().0, "VOLUME.RESIZE");

    // Destroying the data disk writes VOLUME.DELETE and soft-deletes it.
    let gone = volumes::destroy(conn, &resized).unwrap();
    assert_eq!(
        (gone.state, gone.removed.is_some()),
        (Some(VolumeState::Destroy), true)
    );
    assert!(matches!(volumes::find(conn, gone.id), Err(Error::NotFound)));
    assert_eq!(events(conn).last().unwrap().0, "VOLUME.DELETE");

    // Destroying the VM writes VM.DESTROY and the ROOT volume's VOLUME.DELETE in one go.
    let destroyed = vms::transition(conn, &vm, VmEvent::DestroyRequested, None).unwrap();
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
    volumes::expunge(conn, gone.id).unwrap();
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
    let kvm = templates::find_template_by_unique_name(conn, "centos55-x86_64").unwrap();
    assert_eq!((kvm.id, kvm.format), (TemplateId(4), ImageFormat::Qcow2));
    assert!(
        matches!(
            templates::find_template_by_unique_name(conn, "centos53-x86_64"),
            Err(Error::NotFound)
        ),
        "template 2 is removed"
    );
    let by_hv = templates::list_templates(
        conn,
        &templates::TemplateFilter {
            hypervisor_type: Some(cloudstack_db::compute::HypervisorType::Kvm),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(by_hv.iter().map(|t| t.id.get()).collect::<Vec<_>>(), [3, 4]);
    let public = templates::list_templates(
        conn,
        &templates::TemplateFilter {
            public_only: true,
            cross_zones_only: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        public.iter().map(|t| t.id.get()).collect::<Vec<_>>(),
        [4, 5, 6, 7, 11]
    );

    let mine = templates::create_template(
        conn,
        db,
        NewVmTemplate {
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
            hypervisor_type: Some(cloudstack_db::compute::HypervisorType::Kvm),
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
    .unwrap();
    assert_eq!(mine.id, TemplateId(200), "user templates start at 200");
    let active = templates::set_template_state(conn, &mine, TemplateState::Active).unwrap();
    assert_eq!(
        (active.state, active.update_count),
        (Some(TemplateState::Active), Some(1))
    );
    assert!(matches!(
        templates::set_template_state(conn, &mine, TemplateState::Inactive),
        Err(Error::StaleState { .. })
    ));
    templates::remove_template(conn, mine.id).unwrap();
    assert!(matches!(
        templates::find_template(conn, mine.id),
        Err(Error::NotFound)
    ));
}

#[test]
fn zones_and_offerings_are_created_and_found() {
    let test = common::fresh();
    let mut conn = test.database().cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn);
    assert_eq!(
        zones::find_zone_by_name(conn, "zone-1").unwrap().id,
        zone.id
    );
    assert_eq!(
        zones::find_zone_by_uuid(conn, zone.uuid.unwrap())
            .unwrap()
            .id,
        zone.id
    );
    assert_eq!(zones::list_zones(conn).unwrap().len(), 1);
    assert_eq!(
        zones::find_service_offering_by_name(conn, "Medium Instance")
            .unwrap()
            .id,
        ServiceOfferingId(2)
    );
    let large = templates::find_disk_offering_by_name(conn, "Large").unwrap();
    assert_eq!((large.id, large.disk_size), (DiskOfferingId(5), 100 * GIB));
    let gold = templates::create_disk_offering(
        conn,
        NewDiskOffering {
            name: "Gold".into(),
            disk_size: 50 * GIB,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        templates::find_disk_offering_by_uuid(conn, gold.uuid.unwrap())
            .unwrap()
            .name,
        "Gold"
    );
    assert_eq!(templates::list_disk_offerings(conn).unwrap().len(), 8);
    let big = zones::create_service_offering(
        conn,
        cloudstack_db::compute::NewServiceOffering {
            name: "Big".into(),
            cpu: Some(8),
            speed: Some(2000),
            ram_size: Some(16384),
            disk_offering_id: Some(gold.id),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        zones::find_service_offering_by_uuid(conn, big.uuid.unwrap())
            .unwrap()
            .cpu,
        Some(8)
    );
    assert_eq!(zones::list_service_offerings(conn).unwrap().len(), 3);
}

#[test]
fn deploy_creates_the_vm_and_its_volumes_in_one_transaction_or_nothing() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let conn: &mut MysqlConnection = &mut conn;
    let zone = common::zone(conn).id;
    let spec = common::vm_spec(zone, "deployed");
    let root = volume_spec(zone, "ROOT-d", VolumeType::Root, None, Some(0));
    let data = volume_spec(zone, "DATA-d", VolumeType::DataDisk, None, Some(1));
    let done = vms::deploy(
        conn,
        db,
        db.column_encryptor(),
        &spec,
        &[root.clone(), data],
    )
    .unwrap();
    assert_eq!(done.volumes.len(), 2);
    assert!(
        done.volumes
            .iter()
            .all(|v| v.instance_id == Some(done.vm.instance.id))
    );
    assert_eq!(
        common::usage_events(conn)
            .iter()
            .map(|(t, _)| t.as_str())
            .collect::<Vec<_>>(),
        ["VM.CREATE", "VOLUME.CREATE", "VOLUME.CREATE"]
    );

    // A volume that cannot be made takes the VM and the other volume with it.
    let bad = VolumeSpec {
        disk_offering_id: DiskOfferingId(999),
        ..volume_spec(zone, "DATA-bad", VolumeType::DataDisk, None, Some(1))
    };
    let err = vms::deploy(
        conn,
        db,
        db.column_encryptor(),
        &common::vm_spec(zone, "broken"),
        &[root, bad],
    )
    .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidValue { column, .. } if column == "volumes.disk_offering_id"),
        "{err}"
    );
    assert_eq!(count(conn, "SELECT COUNT(*) FROM vm_instance").unwrap(), 1);
    assert_eq!(count(conn, "SELECT COUNT(*) FROM volumes").unwrap(), 2);
    assert_eq!(count(conn, "SELECT COUNT(*) FROM usage_event").unwrap(), 3);
}
