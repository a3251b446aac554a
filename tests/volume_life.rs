//! A volume's end as CloudStack's storage layer writes it (`../shared/cloudstack-schema/SHARING.md`
//! §3, §4): destroyed volumes stay live in `Destroy` for recovery and for CloudStack's storage
//! cleanup; deleting one on storage goes through `Expunging` and `Expunged` before `removed`;
//! a VM whose creation failed gives its counts and volumes back once.

mod common;

use cloudstack_db::compute::{VmEvent, vms};
use cloudstack_db::db::Tx;
use cloudstack_db::prelude::*;
use cloudstack_db::storage::volumes::{self, VolumeSpec};
use cloudstack_db::storage::{Volume, VolumeChanges, VolumeEvent, VolumeType};
use cloudstack_db::types::{ImageFormat, ProvisioningType};
use cloudstack_db_testing::count;
use diesel::MysqlConnection;

const GIB: u64 = 1 << 30;

fn spec(zone: ZoneId, name: &str, volume_type: VolumeType, size: u64) -> VolumeSpec {
    VolumeSpec {
        name: name.into(),
        account_id: AccountId(2),
        domain_id: DomainId(1),
        zone_id: zone,
        volume_type,
        disk_offering_id: DiskOfferingId(1),
        template_id: None,
        size,
        instance_id: None,
        device_id: None,
        format: Some(ImageFormat::Qcow2),
        provisioning_type: ProvisioningType::Thin,
        display_volume: true,
    }
}

/// A detached data volume created on storage pool 1: `Ready`, `pool_id` set.
fn ready_on_pool(db: &Database, conn: &mut MysqlConnection, zone: ZoneId, name: &str) -> Volume {
    Tx::run(conn, db, None, |tx| {
        cloudstack_db_testing::storage_pool(tx, zone, 1)?;
        let v = volumes::create(tx, &spec(zone, name, VolumeType::DataDisk, 5 * GIB))?;
        let creating = volumes::transition(tx, &v, VolumeEvent::CreateRequested)?;
        let ready = volumes::transition(tx, &creating, VolumeEvent::OperationSucceeded)?;
        let changes = VolumeChanges {
            pool_id: Some(Some(1)),
            path: Some(Some(format!("{}.qcow2", ready.id))),
            ..Default::default()
        };
        volumes::update(tx, ready.id, &changes)
    })
    .unwrap()
}

/// The admin account's (volume, primary_storage) counts.
fn volume_counts(conn: &mut MysqlConnection) -> (i64, i64) {
    let of = |conn: &mut MysqlConnection, kind: &str| {
        count(
            conn,
            &format!(
                "SELECT count FROM resource_count WHERE account_id = 2 AND type = '{kind}' \
                 AND tag IS NULL"
            ),
        )
        .unwrap()
    };
    (of(conn, "volume"), of(conn, "primary_storage"))
}

/// The usage event types of `resource`, in order.
fn billed(conn: &mut MysqlConnection, resource: VolumeId) -> Vec<String> {
    use cloudstack_db::schema::cloud::usage_event;
    use diesel::prelude::*;
    usage_event::table
        .filter(usage_event::resource_id.eq(resource.get()))
        .filter(usage_event::type_.like("VOLUME.%"))
        .order(usage_event::id)
        .select(usage_event::type_)
        .load(conn)
        .unwrap()
}

#[test]
fn a_deleted_volume_on_storage_goes_through_expunging_and_expunged_before_it_is_removed() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    let before = volume_counts(&mut conn);
    let v = ready_on_pool(db, &mut conn, zone, "data-1");
    assert_eq!(
        volume_counts(&mut conn),
        (before.0 + 1, before.1 + 5 * GIB as i64)
    );

    let expunging = Tx::run(&mut conn, db, None, |tx| volumes::delete(tx, &v)).unwrap();
    assert_eq!(
        (expunging.state, expunging.removed),
        (Some(VolumeState::Expunging), None),
        "the disk is still on storage: the row stays live until storage deleted it"
    );
    assert_eq!(volume_counts(&mut conn), before, "given back at Destroy");
    let done = Tx::run(&mut conn, db, None, |tx| {
        volumes::finish_expunge(tx, &expunging)
    })
    .unwrap();
    assert_eq!(done.state, Some(VolumeState::Expunged));
    assert!(done.removed.is_some());
    assert_eq!(volume_counts(&mut conn), before, "given back once");
    assert_eq!(billed(&mut conn, v.id), ["VOLUME.CREATE", "VOLUME.DELETE"]);
    // Finishing twice, or a volume that is not Expunging, is refused.
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| volumes::finish_expunge(tx, &done)),
        Err(Error::Conflict(_))
    ));
}

#[test]
fn a_destroyed_volume_stays_for_recovery_and_for_cloudstacks_storage_cleanup() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    let before = volume_counts(&mut conn);
    let v = ready_on_pool(db, &mut conn, zone, "data-2");
    let kept = ready_on_pool(db, &mut conn, zone, "data-3");
    let destroyed = Tx::run(&mut conn, db, None, |tx| volumes::destroy(tx, &v)).unwrap();
    assert_eq!(
        (destroyed.state, destroyed.removed, destroyed.pool_id),
        (Some(VolumeState::Destroy), None, Some(1))
    );
    assert_eq!(
        volume_counts(&mut conn).0,
        before.0 + 1,
        "only the kept one counts"
    );
    // CloudStack's storage cleanup finds it once storage.cleanup.delay has passed.
    let later = chrono::Utc::now() + chrono::Duration::seconds(5);
    let earlier = chrono::Utc::now() - chrono::Duration::seconds(3600);
    let due: Vec<VolumeId> = volumes::list_to_be_expunged(&mut conn, later)
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(due, [v.id]);
    assert!(
        volumes::list_to_be_expunged(&mut conn, earlier)
            .unwrap()
            .is_empty()
    );

    let back = Tx::run(&mut conn, db, None, |tx| volumes::recover(tx, &destroyed)).unwrap();
    assert_eq!(back.state, Some(VolumeState::Ready));
    assert_eq!(
        volume_counts(&mut conn),
        (before.0 + 2, before.1 + 10 * GIB as i64)
    );
    assert_eq!(
        billed(&mut conn, v.id),
        ["VOLUME.CREATE", "VOLUME.DELETE", "VOLUME.CREATE"]
    );
    assert_eq!(billed(&mut conn, kept.id), ["VOLUME.CREATE"]);
    // Recovering a volume that is not destroyed is refused and changes nothing.
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| volumes::recover(tx, &back)),
        Err(Error::Conflict(_))
    ));
}

#[test]
fn what_cloudstack_refuses_to_destroy_is_refused_and_left_as_it_was() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    let protected = ready_on_pool(db, &mut conn, zone, "protected");
    let protected = Tx::run(&mut conn, db, None, |tx| {
        let changes = VolumeChanges {
            delete_protection: Some(Some(true)),
            ..Default::default()
        };
        volumes::update(tx, protected.id, &changes)
    })
    .unwrap();
    let allocated = Tx::run(&mut conn, db, None, |tx| {
        volumes::create(tx, &spec(zone, "new", VolumeType::DataDisk, GIB))
    })
    .unwrap();
    for (volume, why) in [
        (&protected, "delete protection"),
        (&allocated, "only be deleted"),
    ] {
        match Tx::run(&mut conn, db, None, |tx| volumes::destroy(tx, volume)) {
            Err(Error::Conflict(message)) => assert!(message.contains(why), "{message}"),
            other => panic!("{why}: {other:?}"),
        }
        assert_eq!(volumes::find(&mut conn, volume.id).unwrap(), *volume);
    }
    // An Allocated volume is deleted at once: removed, Destroy, VOLUME.DELETE, uncounted.
    let before = volume_counts(&mut conn);
    let gone = Tx::run(&mut conn, db, None, |tx| volumes::delete(tx, &allocated)).unwrap();
    assert_eq!(
        (gone.state, gone.removed.is_some()),
        (Some(VolumeState::Destroy), true)
    );
    assert_eq!(
        volume_counts(&mut conn),
        (before.0 - 1, before.1 - GIB as i64)
    );
    assert_eq!(
        billed(&mut conn, allocated.id),
        ["VOLUME.CREATE", "VOLUME.DELETE"]
    );
}

#[test]
fn a_vm_whose_creation_failed_gives_its_counts_and_volumes_back_once() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    let vm_counts = |conn: &mut MysqlConnection| {
        count(
            conn,
            "SELECT SUM(count) FROM resource_count WHERE account_id = 2 AND tag IS NULL \
             AND type IN ('user_vm', 'cpu', 'memory')",
        )
        .unwrap()
    };
    let (vms_before, volumes_before) = (vm_counts(&mut conn), volume_counts(&mut conn));
    let (vm, root) = Tx::run(&mut conn, db, None, |tx| {
        let vm = vms::create(tx, &common::vm_spec(zone, "failed"))?;
        let root = volumes::create(
            tx,
            &vm.attached(&VolumeSpec {
                template_id: Some(TemplateId(4)),
                device_id: Some(0),
                ..spec(zone, "ROOT-failed", VolumeType::Root, 8 * GIB)
            }),
        )?;
        let creating = volumes::transition(tx, &root, VolumeEvent::CreateRequested)?;
        volumes::transition(tx, &creating, VolumeEvent::OperationSucceeded)?;
        Ok((vm.instance, root.id))
    })
    .unwrap();
    assert!(vm_counts(&mut conn) > vms_before);
    let error = Tx::run(&mut conn, db, None, |tx| {
        vms::transition(tx, &vm, VmEvent::OperationFailedToError, None)
    })
    .unwrap();
    assert_eq!(vm_counts(&mut conn), vms_before);
    assert_eq!(volume_counts(&mut conn), volumes_before);
    assert_eq!(
        volumes::find(&mut conn, root).unwrap().state,
        Some(VolumeState::Destroy)
    );
    // Destroying it from Error gives nothing back twice.
    Tx::run(&mut conn, db, None, |tx| {
        vms::transition(tx, &error, VmEvent::DestroyRequested, None)
    })
    .unwrap();
    assert_eq!(vm_counts(&mut conn), vms_before);
    assert_eq!(volume_counts(&mut conn), volumes_before);
    // The ROOT volume: VOLUME.DELETE from the failed creation and again from the destroy, as
    // CloudStack writes them.
    assert_eq!(
        billed(&mut conn, root),
        ["VOLUME.CREATE", "VOLUME.DELETE", "VOLUME.DELETE"]
    );
}

#[test]
fn expunging_a_vm_row_gives_its_volumes_counts_back() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let zone = common::zone(&mut conn).id;
    let before = volume_counts(&mut conn);
    let vm = Tx::run(&mut conn, db, None, |tx| {
        let vm = vms::create(tx, &common::vm_spec(zone, "gone"))?;
        volumes::create(
            tx,
            &vm.attached(&VolumeSpec {
                template_id: Some(TemplateId(4)),
                device_id: Some(0),
                ..spec(zone, "ROOT-gone", VolumeType::Root, 8 * GIB)
            }),
        )?;
        Ok(vm.instance)
    })
    .unwrap();
    assert_eq!(
        volume_counts(&mut conn),
        (before.0 + 1, before.1 + 8 * GIB as i64)
    );
    Tx::run(&mut conn, db, None, |tx| vms::expunge(tx, vm.id)).unwrap();
    assert_eq!(volume_counts(&mut conn), before);
    assert!(volumes::list_for_vm(&mut conn, vm.id).unwrap().is_empty());
}
