//! A volume's end, as CloudStack's storage layer writes it (`VolumeApiServiceImpl`,
//! `VolumeServiceImpl`, `VolumeOrchestrator`; SHARING.md §3):
//!
//! - [`destroy`]: `Ready → Destroy`, `VOLUME.DELETE` for a non-ROOT volume, counts given back;
//!   the row stays live (`removed` NULL) so the volume can be [`recover`]ed, and CloudStack's
//!   storage cleanup deletes the disk once `storage.cleanup.delay` has passed
//!   ([`list_to_be_expunged`] is the same list);
//! - [`delete`] (destroy and expunge): an `Allocated` volume, never created on storage, is
//!   removed at once; one on storage goes `Destroy → Expunging`, the caller deletes the disk,
//!   then [`finish_expunge`] records `Expunged` and sets `removed` (a failed deletion goes back
//!   with [`super::transition`] and `OperationFailed`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{Volume, VolumeEvent, VolumeState, VolumeType, find_including_removed, transition};
use crate::db::Tx;
use crate::events::usage_event_for;
use crate::events::usage_events::{insert_usage_event, kinds};
use crate::schema::cloud::{vm_instance, volumes};
use crate::types::VolumeId;
use crate::{Error, Result};

/// Destroys a volume the way `destroyVolume` without expunge does: `DestroyRequested` then the
/// `Destroy → Destroy` success that writes `VOLUME.DELETE` (not for ROOT volumes, billed by
/// their VM), and the owner's `volume` and `primary_storage` counts given back — in the
/// caller's transaction. The row stays live in `Destroy`. A volume attached to a live VM, with
/// delete protection, still `Allocated`/`Uploaded` (those can only be [`delete`]d) or being
/// uploaded is [`Error::Conflict`]; one already destroyed comes back unchanged.
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, v: &Volume) -> cloudstack_db::Result<()> {
/// let gone = db.write(|tx| volumes::destroy(tx, v))?;
/// assert_eq!(gone.state, Some(VolumeState::Destroy));
/// assert!(gone.removed.is_none());
/// # Ok(()) }
/// ```
pub fn destroy(tx: &mut Tx<'_>, volume: &Volume) -> Result<Volume> {
    check_deletable(tx.conn(), volume, false)?;
    destroy_if_possible(tx, volume)
}

/// Deletes a volume for good, as `deleteVolume` (destroy with expunge) does. An `Allocated`
/// volume — never created on storage — is removed, moved to `Destroy` (`VOLUME.DELETE` for a
/// non-ROOT volume) and uncounted; so is a destroyed one that has no storage pool. A volume on
/// storage is destroyed if it is not yet and moved on to `Expunging`: the caller deletes it from
/// storage and then calls [`finish_expunge`]. The returned volume says which happened
/// (`removed` set, or state `Expunging`). Refusals as for [`destroy`].
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, v: &Volume) -> cloudstack_db::Result<()> {
/// let v = db.write(|tx| volumes::delete(tx, v))?;
/// if v.state == Some(VolumeState::Expunging) {
///     // ... delete the disk from its storage pool, then:
///     db.write(|tx| volumes::finish_expunge(tx, &v))?;
/// }
/// # Ok(()) }
/// ```
pub fn delete(tx: &mut Tx<'_>, volume: &Volume) -> Result<Volume> {
    check_deletable(tx.conn(), volume, true)?;
    if volume.state == Some(VolumeState::Allocated) {
        crate::repo::soft_delete!(tx.conn(), volumes, volume.id)?;
        let removed = find_including_removed(tx.conn(), volume.id)?;
        let requested = transition(tx, &removed, VolumeEvent::DestroyRequested)?;
        let destroyed = transition(tx, &requested, VolumeEvent::OperationSucceeded)?;
        super::uncount(tx, &destroyed)?;
        return Ok(destroyed);
    }
    let destroyed = destroy_if_possible(tx, volume)?;
    if destroyed.state == Some(VolumeState::Expunging) {
        return Ok(destroyed);
    }
    if destroyed.pool_id.is_none() {
        // Never created on primary storage: nothing to delete there.
        crate::repo::soft_delete!(tx.conn(), volumes, destroyed.id)?;
        return find_including_removed(tx.conn(), destroyed.id);
    }
    transition(tx, &destroyed, VolumeEvent::ExpungingRequested)
}

/// Records that storage deleted an `Expunging` volume: `Expunging → Expunged`, then `removed`
/// set, in the caller's transaction. A volume in another state is [`Error::Conflict`]; one
/// changed since it was read [`Error::StaleState`].
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, v: &cloudstack_db::storage::Volume) -> cloudstack_db::Result<()> {
/// let done = db.write(|tx| cloudstack_db::storage::volumes::finish_expunge(tx, v))?;
/// assert!(done.removed.is_some());
/// # Ok(()) }
/// ```
pub fn finish_expunge(tx: &mut Tx<'_>, volume: &Volume) -> Result<Volume> {
    if volume.state != Some(VolumeState::Expunging) {
        return Err(Error::Conflict(format!(
            "volume {} is {}, not Expunging",
            volume.id,
            state_name(volume)
        )));
    }
    let expunged = transition(tx, volume, VolumeEvent::OperationSucceeded)?;
    crate::repo::soft_delete!(tx.conn(), volumes, expunged.id)?;
    find_including_removed(tx.conn(), expunged.id)
}

/// Recovers a destroyed volume as `recoverVolume` does: detached (a ROOT volume becomes a data
/// disk, as `VolumeDaoImpl.detachVolume` leaves it), `Destroy → Ready`, counted again within
/// the owner's limits ([`Error::LimitExceeded`], nothing changed) and billed again
/// (`VOLUME.CREATE`: offering NULL for a compute-only one, template, size). A volume not in
/// `Destroy` is [`Error::Conflict`].
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, v: &Volume) -> cloudstack_db::Result<()> {
/// let back = db.write(|tx| volumes::recover(tx, v))?;
/// assert_eq!(back.state, Some(VolumeState::Ready));
/// # Ok(()) }
/// ```
pub fn recover(tx: &mut Tx<'_>, volume: &Volume) -> Result<Volume> {
    if volume.removed.is_some() {
        return Err(Error::NotFound);
    }
    if volume.state != Some(VolumeState::Destroy) {
        return Err(Error::Conflict(format!(
            "volume {} is {}, not Destroy",
            volume.id,
            state_name(volume)
        )));
    }
    let conn = tx.conn();
    let detached = diesel::update(
        volumes::table
            .filter(volumes::id.eq(volume.id))
            .filter(volumes::update_count.eq(volume.update_count)),
    )
    .set((
        volumes::instance_id.eq(None::<u64>),
        volumes::device_id.eq(None::<u64>),
        volumes::attached.eq(None::<chrono::NaiveDateTime>),
        volumes::volume_type.eq(if volume.volume_type == VolumeType::Root {
            VolumeType::DataDisk
        } else {
            volume.volume_type
        }),
    ))
    .execute(conn)?;
    if detached == 0 {
        return Err(Error::StaleState {
            entity: "volumes",
            id: volume.id.get(),
            detail: format!("expected update_count {}", volume.update_count),
        });
    }
    let detached = find_including_removed(conn, volume.id)?;
    let ready = transition(tx, &detached, VolumeEvent::RecoverRequested)?;
    if ready.display_volume {
        let conn = tx.conn();
        let event = super::recreation_event(conn, &ready)?;
        insert_usage_event(conn, event)?;
    }
    Ok(ready)
}

/// The destroyed volumes CloudStack's storage cleanup expunges (`VolumeDaoImpl
/// .listVolumesToBeDestroyed` as `StorageManagerImpl.cleanupStorage` filters it): live, in
/// `Destroy`, not changed since `before` (now minus `storage.cleanup.delay`), and not the ROOT
/// volume of a `Destroyed` VM (that one goes with its VM's expunge).
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let due = chrono::Utc::now() - chrono::Duration::seconds(86_400);
/// let volumes = cloudstack_db::storage::volumes::list_to_be_expunged(conn, due)?;
/// # Ok(()) }
/// ```
pub fn list_to_be_expunged(
    conn: &mut MysqlConnection,
    before: DateTime<Utc>,
) -> Result<Vec<Volume>> {
    let destroyed_vms = vm_instance::table
        .filter(vm_instance::state.eq("Destroyed"))
        .select(vm_instance::id.nullable());
    Ok(volumes::table
        .filter(volumes::state.eq(VolumeState::Destroy))
        .filter(volumes::removed.is_null())
        .filter(volumes::updated.lt(before.naive_utc()))
        .filter(
            volumes::volume_type
                .ne(VolumeType::Root)
                .or(volumes::instance_id.is_null())
                .or(volumes::instance_id.ne_all(destroyed_vms)),
        )
        .order(volumes::id)
        .select(Volume::as_select())
        .load(conn)?)
}

/// Soft-deletes a volume row (sets `removed`), giving its counts back if it was still counted.
/// Storage is not touched: for a volume on storage use [`delete`].
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, id: cloudstack_db::types::VolumeId) -> cloudstack_db::Result<()> {
/// db.write(|tx| cloudstack_db::storage::volumes::remove(tx, id))?;
/// # Ok(()) }
/// ```
pub fn remove(tx: &mut Tx<'_>, id: VolumeId) -> Result<()> {
    let volume = find_including_removed(tx.conn(), id)?;
    crate::repo::soft_delete!(tx.conn(), volumes, id)?;
    uncount_on_removal(tx, &volume)
}

/// Deletes a volume row for real (`DELETE`), giving its counts back if it was still counted.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, id: cloudstack_db::types::VolumeId) -> cloudstack_db::Result<()> {
/// db.write(|tx| cloudstack_db::storage::volumes::expunge(tx, id))?;
/// # Ok(()) }
/// ```
pub fn expunge(tx: &mut Tx<'_>, id: VolumeId) -> Result<()> {
    let volume = find_including_removed(tx.conn(), id)?;
    crate::repo::expunge_row!(tx.conn(), volumes, id)?;
    uncount_on_removal(tx, &volume)
}

/// A volume of a VM whose creation failed (`VolumeOrchestrator.destroyVolume`, called by
/// `UserVmManagerImpl.updateVmStateForFailedVmCreation`): an `Allocated` one is removed and moved
/// to `Destroy`, any other destroyed; both uncounted, then `VOLUME.DELETE` written — for every
/// type, after the one a data volume's own destroy already wrote, as CloudStack does.
pub(crate) fn destroy_for_failed_vm(tx: &mut Tx<'_>, volume: &Volume) -> Result<()> {
    if volume.state == Some(VolumeState::Allocated) {
        crate::repo::soft_delete!(tx.conn(), volumes, volume.id)?;
        let removed = find_including_removed(tx.conn(), volume.id)?;
        transition(tx, &removed, VolumeEvent::DestroyRequested)?;
        super::uncount(tx, &removed)?;
    } else {
        destroy_if_possible(tx, volume)?;
    }
    if volume.display_volume {
        let event = usage_event_for(
            kinds::VOLUME_DELETE,
            volume.account_id,
            volume.data_center_id,
            volume.id.get(),
            volume.name.as_deref().unwrap_or_default(),
        );
        insert_usage_event(tx.conn(), event)?;
    }
    Ok(())
}

/// `VolumeServiceImpl.destroyVolume` unless the volume is already destroyed or `Allocated`
/// (`STATES_VOLUME_CANNOT_BE_DESTROYED`), which come back as they are.
fn destroy_if_possible(tx: &mut Tx<'_>, volume: &Volume) -> Result<Volume> {
    match volume.state {
        Some(s) if s.is_destroyed() || s == VolumeState::Allocated => Ok(volume.clone()),
        _ => {
            let requested = transition(tx, volume, VolumeEvent::DestroyRequested)?;
            transition(tx, &requested, VolumeEvent::OperationSucceeded)
        }
    }
}

/// `retrieveAndValidateVolume` and `validateDestroyVolume`: what may not be destroyed.
fn check_deletable(conn: &mut MysqlConnection, volume: &Volume, expunge: bool) -> Result<()> {
    if volume.removed.is_some() {
        return Err(Error::NotFound);
    }
    let refuse = |why: &str| Err(Error::Conflict(format!("volume {}: {why}", volume.id)));
    if volume.delete_protection == Some(true) {
        return refuse("delete protection is on");
    }
    if let Some(vm) = volume.instance_id {
        let live: Option<u64> = vm_instance::table
            .filter(vm_instance::id.eq(vm))
            .filter(vm_instance::removed.is_null())
            .select(vm_instance::id)
            .first(conn)
            .optional()?;
        if live.is_some() && volume.state != Some(VolumeState::Expunged) {
            return refuse("attached to a VM; detach it first");
        }
    }
    match volume.state {
        Some(VolumeState::NotUploaded | VolumeState::UploadInProgress) => {
            refuse("it is being uploaded")
        }
        Some(VolumeState::Allocated | VolumeState::Uploaded) if !expunge => {
            refuse("an Allocated or Uploaded volume can only be deleted, not destroyed")
        }
        _ => Ok(()),
    }
}

/// A live volume leaving: a destroyed one gave its counts back already.
fn uncount_on_removal(tx: &mut Tx<'_>, volume: &Volume) -> Result<()> {
    let given_back =
        volume.removed.is_some() || volume.state.is_some_and(VolumeState::is_destroyed);
    if given_back {
        return Ok(());
    }
    super::uncount(tx, volume)
}

fn state_name(volume: &Volume) -> String {
    volume
        .state
        .map_or_else(|| "without state".to_owned(), |s| s.to_string())
}
