//! Volume snapshots as CloudStack's `SnapshotManagerImpl` writes them: limits and counts at
//! allocation, the state machine, SNAPSHOT.CREATE with the physical size once backed up,
//! SNAPSHOT.DELETE for a backed-up one, counts given back.

mod common;

use cloudstack_db::db::Tx;
use cloudstack_db::identity::{AccountType, accounts};
use cloudstack_db::prelude::*;
use cloudstack_db::resources::{Owner, ResourceType, set_limit};
use cloudstack_db::storage::snapshots::{self, SnapshotCopy, SnapshotEvent};
use cloudstack_db::storage::volumes::{self, VolumeSpec};
use cloudstack_db::storage::{SnapshotState, SnapshotType, Volume, VolumeEvent, VolumeType};
use cloudstack_db::types::{HypervisorType, ImageFormat, ProvisioningType};
use diesel::MysqlConnection;

const GIB: u64 = 1 << 30;

fn ready_volume(
    db: &Database,
    conn: &mut MysqlConnection,
    account: AccountId,
    name: &str,
) -> Volume {
    let zone = common::zone(conn).id;
    Tx::run(conn, db, None, |tx| {
        let v = volumes::create(
            tx,
            &VolumeSpec {
                name: name.into(),
                account_id: account,
                domain_id: DomainId(1),
                zone_id: zone,
                volume_type: VolumeType::DataDisk,
                disk_offering_id: DiskOfferingId(3),
                template_id: None,
                size: 5 * GIB,
                instance_id: None,
                device_id: None,
                format: Some(ImageFormat::Qcow2),
                provisioning_type: ProvisioningType::Thin,
                display_volume: true,
            },
        )?;
        let creating = volumes::transition(tx, &v, VolumeEvent::CreateRequested)?;
        volumes::transition(tx, &creating, VolumeEvent::OperationSucceeded)
    })
    .unwrap()
}

fn counts(conn: &mut MysqlConnection, account: AccountId) -> (i64, i64) {
    let of = |conn: &mut MysqlConnection, ty: &str| {
        cloudstack_db_testing::count(
            conn,
            &format!("SELECT count FROM resource_count WHERE account_id = {account} AND type = '{ty}' AND tag IS NULL"),
        )
        .unwrap()
    };
    (of(conn, "snapshot"), of(conn, "secondary_storage"))
}

/// The snapshot usage events of `id`: (type, size, virtual size).
fn billed(conn: &mut MysqlConnection, id: u64) -> Vec<(String, Option<u64>, Option<u64>)> {
    use cloudstack_db::schema::cloud::usage_event as e;
    use diesel::prelude::*;
    e::table
        .filter(e::resource_id.eq(id))
        .filter(e::type_.like("SNAPSHOT.%"))
        .order(e::id)
        .select((e::type_, e::size, e::virtual_size))
        .load(conn)
        .unwrap()
}

#[test]
fn a_snapshot_is_counted_billed_with_its_physical_size_and_given_back_when_deleted() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let volume = ready_volume(db, &mut conn, AccountId(2), "DATA-s");
    let before = counts(&mut conn, AccountId(2));
    let snap = Tx::run(&mut conn, db, None, |tx| {
        snapshots::allocate(tx, &volume, None, SnapshotType::Manual, HypervisorType::Kvm)
    })
    .unwrap();
    assert_eq!(snap.status, Some(SnapshotState::Allocated));
    assert!(snap.name.starts_with("detached_DATA-s_"), "{}", snap.name);
    assert_eq!(
        (snap.size, snap.type_description.as_deref()),
        (5 * GIB, Some("MANUAL"))
    );
    assert_eq!(
        counts(&mut conn, AccountId(2)),
        (before.0 + 1, before.1 + 5 * GIB as i64)
    );
    let backing = Tx::run(&mut conn, db, None, |tx| {
        let creating = snapshots::transition(tx, &snap, SnapshotEvent::CreateRequested)?;
        let on_primary = snapshots::transition(tx, &creating, SnapshotEvent::OperationSucceeded)?;
        snapshots::transition(tx, &on_primary, SnapshotEvent::BackupToSecondary)
    })
    .unwrap();
    assert_eq!(backing.status, Some(SnapshotState::BackingUp));
    // A second writer from the same read loses; an event the state has no transition for is refused.
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| snapshots::transition(
            tx,
            &snap,
            SnapshotEvent::CreateRequested
        )),
        Err(Error::StaleState { .. })
    ));
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| snapshots::transition(
            tx,
            &backing,
            SnapshotEvent::CreateRequested
        )),
        Err(Error::IllegalTransition { .. })
    ));
    let copy = SnapshotCopy {
        store_id: 1,
        install_path: "snapshots/2/1/s1".into(),
        physical_size: GIB,
    };
    let done = Tx::run(&mut conn, db, None, |tx| {
        snapshots::backed_up(tx, &backing, &copy)
    })
    .unwrap();
    assert_eq!(done.status, Some(SnapshotState::BackedUp));
    assert_eq!(
        billed(&mut conn, done.id.get()),
        [("SNAPSHOT.CREATE".to_owned(), Some(GIB), Some(5 * GIB))]
    );
    assert_eq!(
        counts(&mut conn, AccountId(2)),
        (before.0 + 1, before.1 + GIB as i64),
        "the physical size"
    );
    let gone = Tx::run(&mut conn, db, None, |tx| snapshots::delete(tx, &done)).unwrap();
    assert_eq!(gone.status, Some(SnapshotState::Destroyed));
    assert!(gone.removed.is_some());
    assert_eq!(
        billed(&mut conn, done.id.get()),
        [
            ("SNAPSHOT.CREATE".to_owned(), Some(GIB), Some(5 * GIB)),
            ("SNAPSHOT.DELETE".to_owned(), Some(0), None)
        ]
    );
    assert_eq!(counts(&mut conn, AccountId(2)), before);
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| snapshots::delete(tx, &gone)),
        Err(Error::Conflict(_))
    ));
}

#[test]
fn limits_refuse_a_snapshot_and_one_never_backed_up_is_deleted_without_billing() {
    let test = common::fresh();
    let db = test.database();
    let mut conn = db.cloud().get().unwrap();
    let account = Tx::run(&mut conn, db, None, |tx| {
        accounts::create(
            tx,
            &accounts::AccountSpec::new(DomainId(1), "snapper", AccountType::Normal),
        )
    })
    .unwrap()
    .id;
    let volume = ready_volume(db, &mut conn, account, "DATA-l");
    Tx::run(&mut conn, db, None, |tx| {
        set_limit(tx, Owner::Account(account), ResourceType::Snapshot, None, 1)
    })
    .unwrap();
    let first = Tx::run(&mut conn, db, None, |tx| {
        snapshots::allocate(
            tx,
            &volume,
            Some("first"),
            SnapshotType::Manual,
            HypervisorType::Kvm,
        )
    })
    .unwrap();
    match Tx::run(&mut conn, db, None, |tx| {
        snapshots::allocate(
            tx,
            &volume,
            Some("second"),
            SnapshotType::Manual,
            HypervisorType::Kvm,
        )
    }) {
        Err(Error::LimitExceeded {
            resource: "snapshot",
            limit: 1,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(
        snapshots::list_for_volume(&mut conn, volume.id)
            .unwrap()
            .len(),
        1
    );
    // Never backed up: no SNAPSHOT.DELETE, and everything its allocation took comes back.
    Tx::run(&mut conn, db, None, |tx| snapshots::delete(tx, &first)).unwrap();
    assert!(billed(&mut conn, first.id.get()).is_empty());
    assert_eq!(counts(&mut conn, account), (0, 0));
    // A volume that is not Ready has no snapshot.
    let destroyed = Tx::run(&mut conn, db, None, |tx| volumes::destroy(tx, &volume)).unwrap();
    assert!(matches!(
        Tx::run(&mut conn, db, None, |tx| {
            snapshots::allocate(
                tx,
                &destroyed,
                None,
                SnapshotType::Manual,
                HypervisorType::Kvm,
            )
        }),
        Err(Error::Conflict(_))
    ));
}
