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
