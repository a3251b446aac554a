//! Volume snapshots as `SnapshotManagerImpl` writes them: allocated against the owner's
//! `snapshot` and `secondary_storage` limits, moved through `Snapshot.State`, billed with
//! `SNAPSHOT.CREATE` once backed up (its physical size, the volume's size as virtual size) and
//! `SNAPSHOT.DELETE` when a backed-up snapshot is deleted, counts given back.

use diesel::prelude::*;

use super::{Snapshot, SnapshotState, SnapshotType, Volume, VolumeState};
use crate::db::Tx;
use crate::events::usage_event_for;
use crate::events::usage_events::{insert_usage_event, kinds};
use crate::repo::{Charset, check_text, now};
use crate::resources::{ResourceType, change, reserve};
use crate::schema::cloud::{snapshot_store_ref, snapshots, vm_instance};
use crate::types::{HypervisorType, SnapshotId, UtcDateTime, VolumeId};
use crate::{Error, Result};

/// What happens to a snapshot (`Snapshot.Event`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum SnapshotEvent {
    CreateRequested,
    OperationNotPerformed,
    BackupToSecondary,
    BackedupToSecondary,
    DestroyRequested,
    CopyingRequested,
    OperationSucceeded,
    OperationFailed,
}

use SnapshotEvent as E;
use SnapshotState as S;

/// `SnapshotStateMachineManagerImpl`'s transitions.
const TRANSITIONS: &[(SnapshotState, SnapshotEvent, SnapshotState)] = &[
    (S::Allocated, E::CreateRequested, S::Creating),
    (S::Creating, E::OperationSucceeded, S::CreatedOnPrimary),
    (S::Creating, E::OperationNotPerformed, S::BackedUp),
    (S::Creating, E::OperationFailed, S::Error),
    (S::CreatedOnPrimary, E::BackupToSecondary, S::BackingUp),
    (S::CreatedOnPrimary, E::OperationNotPerformed, S::BackedUp),
    (S::BackingUp, E::OperationSucceeded, S::BackedUp),
    (S::BackingUp, E::OperationFailed, S::Error),
    (S::BackingUp, E::OperationNotPerformed, S::BackedUp),
    (S::BackedUp, E::DestroyRequested, S::Destroying),
    (S::BackedUp, E::CopyingRequested, S::Copying),
    (S::BackedUp, E::BackupToSecondary, S::BackingUp),
    (S::Copying, E::OperationSucceeded, S::BackedUp),
    (S::Copying, E::OperationFailed, S::BackedUp),
    (S::Destroying, E::OperationSucceeded, S::Destroyed),
    (S::Destroying, E::OperationFailed, S::BackedUp),
    (S::Destroying, E::DestroyRequested, S::Destroying),
    (S::BackingUp, E::BackupToSecondary, S::BackingUp),
];

/// The state `event` leads to from `from`, or [`Error::IllegalTransition`].
///
/// ```
/// use cloudstack_db::storage::SnapshotState;
/// use cloudstack_db::storage::snapshots::{snapshot_transition, SnapshotEvent};
/// assert_eq!(snapshot_transition(SnapshotState::Allocated, SnapshotEvent::CreateRequested).unwrap(), SnapshotState::Creating);
/// assert!(snapshot_transition(SnapshotState::Destroyed, SnapshotEvent::CreateRequested).is_err());
/// ```
pub fn snapshot_transition(from: SnapshotState, event: SnapshotEvent) -> Result<SnapshotState> {
    TRANSITIONS
        .iter()
        .find(|(f, e, _)| *f == from && *e == event)
        .map(|(_, _, to)| *to)
        .ok_or_else(|| Error::IllegalTransition {
            entity: "snapshots",
            from: from.to_string(),
            event: format!("{event:?}"),
        })
}

crate::repo::live_finders!(
    snapshots,
    Snapshot,
    SnapshotId,
    "storage::snapshots",
    "cloudstack_db::types::SnapshotId(1)"
);

/// A volume's live snapshots, oldest first.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let all = cloudstack_db::storage::snapshots::list_for_volume(conn, cloudstack_db::types::VolumeId(7))?;
/// # Ok(()) }
/// ```
pub fn list_for_volume(conn: &mut MysqlConnection, volume: VolumeId) -> Result<Vec<Snapshot>> {
    Ok(snapshots::table
        .filter(snapshots::volume_id.eq(volume))
        .filter(snapshots::removed.is_null())
        .order(snapshots::id)
        .select(Snapshot::as_select())
        .load(conn)?)
}

/// Allocates a snapshot of a `Ready` volume as `allocSnapshot` does, in the caller's
/// transaction: the owner's `snapshot` (1) and `secondary_storage` (the volume's size) limits
/// checked and counted, the row `Allocated` with the volume's zone, owner, offering, size and
/// IOPS, named `name` or `<VM name or "detached">_<volume name>_<yyyyMMddHHmmss>` (UTC). A
/// volume that is not `Ready` or not live is [`Error::Conflict`]; over a limit
/// [`Error::LimitExceeded`], nothing written.
///
/// ```no_run
/// use cloudstack_db::storage::{snapshots, SnapshotType};
/// use cloudstack_db::types::HypervisorType;
/// # fn demo(db: &cloudstack_db::Database, v: &cloudstack_db::storage::Volume) -> cloudstack_db::Result<()> {
/// let snap = db.write(|tx| snapshots::allocate(tx, v, None, SnapshotType::Manual, HypervisorType::Kvm))?;
/// # Ok(()) }
/// ```
pub fn allocate(
    tx: &mut Tx<'_>,
    volume: &Volume,
    name: Option<&str>,
    snapshot_type: SnapshotType,
    hypervisor: HypervisorType,
) -> Result<Snapshot> {
    if volume.removed.is_some() || volume.state != Some(VolumeState::Ready) {
        return Err(Error::Conflict(format!(
            "volume {} is not in ready state",
            volume.id
        )));
    }
    let conn = tx.conn();
    let name = match name {
        Some(n) => n.to_owned(),
        None => {
            let vm: Option<String> = match volume.instance_id {
                Some(vm) => vm_instance::table
                    .filter(vm_instance::id.eq(vm))
                    .filter(vm_instance::removed.is_null())
                    .select(vm_instance::name)
                    .first(conn)
                    .optional()?,
                None => None,
            };
            format!(
                "{}_{}_{}",
                vm.as_deref().unwrap_or("detached"),
                volume.name.as_deref().unwrap_or_default(),
                now().format("%Y%m%d%H%M%S")
            )
        }
    };
    check_text("snapshots.name", &name, 255, Charset::Utf8mb3)?;
    let size = i64::try_from(volume.size).unwrap_or(i64::MAX);
    reserve(
        tx,
        volume.account_id,
        &[
            (ResourceType::Snapshot, 1),
            (ResourceType::SecondaryStorage, size),
        ],
    )?;
    let conn = tx.conn();
    diesel::insert_into(snapshots::table)
        .values((
            snapshots::data_center_id.eq(volume.data_center_id),
            snapshots::account_id.eq(volume.account_id),
            snapshots::domain_id.eq(volume.domain_id),
            snapshots::volume_id.eq(volume.id),
            snapshots::disk_offering_id.eq(volume.disk_offering_id),
            snapshots::status.eq(Some(SnapshotState::Allocated)),
            snapshots::name.eq(&name),
            snapshots::uuid.eq(Some(uuid::Uuid::new_v4().to_string())),
            snapshots::snapshot_type.eq(snapshot_type),
            snapshots::type_description.eq(Some(snapshot_type.name())),
            snapshots::size.eq(volume.size),
            snapshots::created.eq(Some(UtcDateTime::from(now()))),
            snapshots::hypervisor_type.eq(hypervisor),
            snapshots::version.eq(Some("2.2")),
            snapshots::min_iops.eq(volume.min_iops),
            snapshots::max_iops.eq(volume.max_iops),
        ))
        .execute(conn)?;
    let id = SnapshotId(crate::repo::last_insert_id(conn)?);
    find_including_removed(conn, id)
}

/// Moves a snapshot from the state read in `snapshot` by `event`
/// ([`Error::IllegalTransition`] before anything is written); a snapshot changed since is
/// [`Error::StaleState`]. Writes no usage event: [`backed_up`] and [`delete`] do.
///
/// ```no_run
/// use cloudstack_db::storage::snapshots::{self, SnapshotEvent};
/// # fn demo(db: &cloudstack_db::Database, s: &cloudstack_db::storage::Snapshot) -> cloudstack_db::Result<()> {
/// let creating = db.write(|tx| snapshots::transition(tx, s, SnapshotEvent::CreateRequested))?;
/// # Ok(()) }
/// ```
pub fn transition(tx: &mut Tx<'_>, snapshot: &Snapshot, event: SnapshotEvent) -> Result<Snapshot> {
    let from = snapshot.status.ok_or_else(|| {
        Error::invalid_value(
            "snapshots.status",
            "NULL",
            "a snapshot without state has no transitions",
        )
    })?;
    let to = snapshot_transition(from, event)?;
    set_state(tx.conn(), snapshot, from, to)
}

fn set_state(
    conn: &mut MysqlConnection,
    snapshot: &Snapshot,
    from: SnapshotState,
    to: SnapshotState,
) -> Result<Snapshot> {
    let n = diesel::update(
        snapshots::table
            .filter(snapshots::id.eq(snapshot.id))
            .filter(snapshots::status.eq(from)),
    )
    .set(snapshots::status.eq(Some(to)))
    .execute(conn)?;
    if n == 0 {
        return Err(Error::StaleState {
            entity: "snapshots",
            id: snapshot.id.get(),
            detail: format!("expected state {from}"),
        });
    }
    find_including_removed(conn, snapshot.id)
}

/// Where a backed-up snapshot lies: a secondary (image) store, its path there and the bytes it
/// takes (delta snapshots take less than the volume).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotCopy {
    /// `image_store.id`.
    pub store_id: u64,
    /// The path on the store.
    pub install_path: String,
    /// Bytes on the store.
    pub physical_size: u64,
}

/// Records a snapshot backed up to secondary storage, as `takeSnapshot` finishes one: its
/// `snapshot_store_ref` row (`Image`, `Ready`), `BackedUp` (from `BackingUp`, or from
/// `Creating`/`CreatedOnPrimary` when no backup step ran), `SNAPSHOT.CREATE` (size = physical
/// size, virtual size = the volume's) and `secondary_storage` corrected to the physical size,
/// all in the caller's transaction.
///
/// ```no_run
/// use cloudstack_db::storage::snapshots::{self, SnapshotCopy};
/// # fn demo(db: &cloudstack_db::Database, s: &cloudstack_db::storage::Snapshot) -> cloudstack_db::Result<()> {
/// let copy = SnapshotCopy { store_id: 1, install_path: "snapshots/2/7/abc".into(), physical_size: 1 << 30 };
/// let done = db.write(|tx| snapshots::backed_up(tx, s, &copy))?;
/// # Ok(()) }
/// ```
pub fn backed_up(tx: &mut Tx<'_>, snapshot: &Snapshot, copy: &SnapshotCopy) -> Result<Snapshot> {
    check_text(
        "snapshot_store_ref.install_path",
        &copy.install_path,
        255,
        Charset::Utf8mb3,
    )?;
    let event = match snapshot.status {
        Some(SnapshotState::BackingUp) => SnapshotEvent::OperationSucceeded,
        _ => SnapshotEvent::OperationNotPerformed,
    };
    let done = transition(tx, snapshot, event)?;
    let conn = tx.conn();
    diesel::insert_into(snapshot_store_ref::table)
        .values((
            snapshot_store_ref::store_id.eq(copy.store_id),
            snapshot_store_ref::snapshot_id.eq(done.id.get()),
            snapshot_store_ref::created.eq(UtcDateTime::from(now())),
            snapshot_store_ref::last_updated.eq(Some(UtcDateTime::from(now()))),
            snapshot_store_ref::store_role.eq(Some("Image")),
            snapshot_store_ref::size.eq(Some(done.size)),
            snapshot_store_ref::physical_size.eq(Some(copy.physical_size)),
            snapshot_store_ref::install_path.eq(Some(&copy.install_path)),
            snapshot_store_ref::state.eq("Ready"),
            snapshot_store_ref::update_count.eq(Some(0u64)),
            snapshot_store_ref::ref_cnt.eq(Some(0u64)),
            snapshot_store_ref::volume_id.eq(Some(done.volume_id.get())),
        ))
        .execute(conn)?;
    let mut event = usage_event_for(
        kinds::SNAPSHOT_CREATE,
        done.account_id,
        done.data_center_id,
        done.id.get(),
        &done.name,
    );
    event.size = Some(copy.physical_size);
    event.virtual_size = Some(done.size);
    insert_usage_event(conn, event)?;
    // Delta snapshots: the count was taken for the whole volume.
    let over = done.size as i64 - copy.physical_size as i64;
    change(
        tx,
        done.account_id,
        &[(ResourceType::SecondaryStorage, -over)],
    )?;
    Ok(done)
}

/// Deletes a snapshot as `deleteSnapshot` does, in the caller's transaction: a `BackedUp` one
/// is billed to an end (`SNAPSHOT.DELETE`, size 0) and goes `Destroying → Destroyed`, any other
/// straight to `Destroyed`; `removed` is set, its store copies marked `Destroyed`, and the owner
/// gets back one `snapshot` (unless it was in `Error`) and the `secondary_storage` its ready
/// copies took (for one never backed up, what its allocation counted). A destroyed snapshot or
/// one of a group is [`Error::Conflict`].
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, s: &cloudstack_db::storage::Snapshot) -> cloudstack_db::Result<()> {
/// let gone = db.write(|tx| cloudstack_db::storage::snapshots::delete(tx, s))?;
/// # Ok(()) }
/// ```
pub fn delete(tx: &mut Tx<'_>, snapshot: &Snapshot) -> Result<Snapshot> {
    let from = snapshot.status.unwrap_or(SnapshotState::Error);
    if from == SnapshotState::Destroyed || snapshot.removed.is_some() {
        return Err(Error::Conflict(format!(
            "snapshot {} is already destroyed",
            snapshot.id
        )));
    }
    if snapshot.snapshot_type == SnapshotType::Group {
        return Err(Error::Conflict(format!(
            "snapshot {} is part of a group and cannot be deleted alone",
            snapshot.id
        )));
    }
    let conn = tx.conn();
    let copies: Vec<Option<u64>> = snapshot_store_ref::table
        .filter(snapshot_store_ref::snapshot_id.eq(snapshot.id.get()))
        .filter(snapshot_store_ref::state.eq("Ready"))
        .filter(
            snapshot_store_ref::store_role
                .ne("Primary")
                .or(snapshot_store_ref::store_role.is_null()),
        )
        .select(snapshot_store_ref::physical_size)
        .for_update()
        .load(conn)?;
    let gone = if from == SnapshotState::BackedUp {
        let destroying = transition(tx, snapshot, SnapshotEvent::DestroyRequested)?;
        let mut event = usage_event_for(
            kinds::SNAPSHOT_DELETE,
            snapshot.account_id,
            snapshot.data_center_id,
            snapshot.id.get(),
            &snapshot.name,
        );
        event.size = Some(0);
        insert_usage_event(tx.conn(), event)?;
        transition(tx, &destroying, SnapshotEvent::OperationSucceeded)?
    } else {
        set_state(tx.conn(), snapshot, from, SnapshotState::Destroyed)?
    };
    let conn = tx.conn();
    crate::repo::soft_delete!(conn, snapshots, gone.id)?;
    diesel::update(
        snapshot_store_ref::table.filter(snapshot_store_ref::snapshot_id.eq(gone.id.get())),
    )
    .set(snapshot_store_ref::state.eq("Destroyed"))
    .execute(conn)?;
    let stored: i64 = if copies.is_empty() {
        snapshot.size as i64
    } else {
        copies.iter().map(|s| s.unwrap_or(0) as i64).sum()
    };
    let snapshot_count = if from == SnapshotState::Error { 0 } else { -1 };
    change(
        tx,
        snapshot.account_id,
        &[
            (ResourceType::Snapshot, snapshot_count),
            (ResourceType::SecondaryStorage, -stored),
        ],
    )?;
    find_including_removed(tx.conn(), gone.id)
}
