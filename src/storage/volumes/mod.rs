//! Volumes: create with a sequence id and its usage event, attach and detach, optimistic state
//! changes (`update_count` and `updated` guards, no row lock — as `VolumeDaoImpl.updateState`);
//! destroying, recovering and expunging in [`deletion`] (re-exported here).

mod deletion;

pub use deletion::*;

use diesel::prelude::*;

use super::{NewVolume, Volume, VolumeEvent, VolumeState, VolumeType, volume_transition};
use crate::catalog::DiskOffering;
use crate::db::{SequenceName, Tx};
use crate::events::usage_events::{insert_usage_event, kinds};
use crate::events::{NewUsageEvent, usage_event_for};
use crate::repo::{Charset, Page, PageRequest, check_text, now};
use crate::schema::cloud::{disk_offering, volumes};
use crate::types::{
    AccountId, DiskOfferingId, DomainId, ImageFormat, ProvisioningType, TemplateId, VmId, VolumeId,
    ZoneId,
};
use crate::{Error, Result};

/// What a new volume is made of.
#[derive(Debug, Clone)]
pub struct VolumeSpec {
    /// The volume's name.
    pub name: String,
    /// The owner.
    pub account_id: AccountId,
    /// The owner's domain.
    pub domain_id: DomainId,
    /// The zone.
    pub zone_id: ZoneId,
    /// ROOT, DATADISK, ...
    pub volume_type: VolumeType,
    /// The disk offering (for a ROOT volume, the compute offering's own disk offering).
    pub disk_offering_id: DiskOfferingId,
    /// The template a ROOT volume is made from.
    pub template_id: Option<TemplateId>,
    /// Size in bytes.
    pub size: u64,
    /// Attached to this VM from the start (`device_id` 0 for ROOT).
    pub instance_id: Option<VmId>,
    /// The device number on the VM.
    pub device_id: Option<u64>,
    /// Disk format.
    pub format: Option<ImageFormat>,
    /// Thin, sparse or fat.
    pub provisioning_type: ProvisioningType,
    /// Shown to the end user; CloudStack writes no usage events for hidden volumes.
    pub display_volume: bool,
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeFilter {
    /// Owner account.
    pub account_id: Option<AccountId>,
    /// Attached to this VM.
    pub instance_id: Option<VmId>,
    /// Zone.
    pub zone_id: Option<ZoneId>,
    /// State.
    pub state: Option<VolumeState>,
    /// Type.
    pub volume_type: Option<VolumeType>,
    /// Also list removed volumes.
    pub include_removed: bool,
}

/// Creates a volume in state `Allocated` with its id from `volume_seq`, writing `VOLUME.CREATE`
/// in the same transaction (offering NULL when the disk offering is compute-only, as CloudStack).
/// An empty or over-long name or a size of 0 is [`Error::InvalidValue`], refused before an id is
/// taken; so is an unknown disk offering.
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, spec: VolumeSpec) -> cloudstack_db::Result<()> {
/// let volume = db.write(|tx| volumes::create(tx, &spec))?;
/// assert_eq!(volume.state, Some(VolumeState::Allocated));
/// # Ok(()) }
/// ```
pub fn create(tx: &mut Tx<'_>, spec: &VolumeSpec) -> Result<Volume> {
    if spec.name.trim().is_empty() {
        return Err(Error::invalid_value(
            "volumes.name",
            &spec.name,
            "must not be empty",
        ));
    }
    check_text("volumes.name", &spec.name, 255, Charset::Utf8mb4)?;
    if spec.size == 0 {
        return Err(Error::invalid_value(
            "volumes.size",
            "0",
            "a volume needs a size of at least one byte",
        ));
    }
    // CloudStack holds sizes in a Java long: a larger one cannot be counted or shown.
    let Ok(bytes) = i64::try_from(spec.size) else {
        return Err(Error::invalid_value(
            "volumes.size",
            spec.size.to_string(),
            "larger than CloudStack's sizes (a signed 64-bit count of bytes)",
        ));
    };
    let offering: DiskOffering = disk_offering::table
        .filter(disk_offering::id.eq(spec.disk_offering_id))
        .select(DiskOffering::as_select())
        .first(tx.conn())
        .map_err(|e| match e {
            diesel::result::Error::NotFound => Error::invalid_value(
                "volumes.disk_offering_id",
                spec.disk_offering_id.to_string(),
                "no such disk offering",
            ),
            other => other.into(),
        })?;
    if spec.display_volume {
        // Counted at allocation, checked against the limits first (nothing written on refusal).
        use crate::resources::{ResourceType, reserve_tagged, storage_tags_of};
        let amounts = [
            (ResourceType::Volume, 1),
            (ResourceType::PrimaryStorage, bytes),
        ];
        let tags = storage_tags_of(tx.conn(), offering.tags.as_deref())?;
        reserve_tagged(tx, spec.account_id, &tags, &amounts).map_err(|e| match e {
            Error::InvalidValue { reason, value, .. } => Error::InvalidValue {
                column: "volumes.size".into(),
                value,
                reason,
            },
            other => other,
        })?;
    }
    let id = VolumeId(tx.next_id(SequenceName::Volume)?);
    let at = now();
    let row = NewVolume {
        id,
        account_id: spec.account_id,
        domain_id: spec.domain_id,
        instance_id: spec.instance_id,
        device_id: spec.device_id,
        name: Some(spec.name.clone()),
        uuid: Some(uuid::Uuid::new_v4()),
        size: spec.size,
        data_center_id: spec.zone_id,
        volume_type: spec.volume_type,
        disk_offering_id: spec.disk_offering_id,
        template_id: spec.template_id,
        recreatable: false,
        created: Some(at),
        attached: spec.instance_id.map(|_| at),
        updated: Some(at),
        state: Some(VolumeState::Allocated),
        update_count: 0,
        display_volume: spec.display_volume,
        format: spec.format,
        provisioning_type: spec.provisioning_type,
    };
    let conn = tx.conn();
    diesel::insert_into(volumes::table)
        .values(row)
        .execute(conn)?;
    let volume = find_including_removed(conn, id)?;
    if volume.display_volume {
        insert_usage_event(conn, creation_event(&volume, offering.compute_only))?;
    }
    Ok(volume)
}

/// The VOLUME.CREATE CloudStack writes for `volume` — at allocation and when a VM's recovery
/// reopens its ROOT volume: its offering (NULL when `compute_only`: a ROOT volume on a compute
/// offering's own disk offering), template, size and VM.
pub(crate) fn creation_event(volume: &Volume, compute_only: bool) -> NewUsageEvent {
    let mut event = usage_event_for(
        kinds::VOLUME_CREATE,
        volume.account_id,
        volume.data_center_id,
        volume.id.get(),
        volume.name.as_deref().unwrap_or_default(),
    );
    event.offering_id = (!compute_only).then_some(volume.disk_offering_id.get());
    event.template_id = volume.template_id;
    event.size = Some(volume.size);
    event.vm_id = volume.instance_id;
    event
}

/// [`creation_event`] for a volume billed again (a recovered volume, a recovered VM's ROOT
/// volume), its disk offering's `compute_only` read here.
pub(crate) fn recreation_event(
    conn: &mut MysqlConnection,
    volume: &Volume,
) -> Result<NewUsageEvent> {
    let compute_only = disk_offering::table
        .find(volume.disk_offering_id)
        .select(disk_offering::compute_only)
        .first::<crate::types::IntBool>(conn)
        .optional()?
        .is_some_and(|b| b.0);
    Ok(creation_event(volume, compute_only))
}

crate::repo::live_finders!(
    volumes,
    Volume,
    VolumeId,
    "storage::volumes",
    "cloudstack_db::types::VolumeId(1)"
);

/// The live volumes attached to a VM, by device number.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list_for_vm(conn: &mut MysqlConnection, vm: VmId) -> Result<Vec<Volume>> {
    Ok(volumes::table
        .filter(volumes::instance_id.eq(vm))
        .filter(volumes::removed.is_null())
        .order((volumes::device_id.asc(), volumes::id.asc()))
        .select(Volume::as_select())
        .load(conn)?)
}

/// A page of volumes matching `filter`, in id order.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list(
    conn: &mut MysqlConnection,
    filter: &VolumeFilter,
    page: &PageRequest,
) -> Result<Page<Volume>> {
    let build = || {
        let mut q = volumes::table.into_boxed();
        if !filter.include_removed {
            q = q.filter(volumes::removed.is_null());
        }
        if let Some(a) = filter.account_id {
            q = q.filter(volumes::account_id.eq(a));
        }
        if let Some(v) = filter.instance_id {
            q = q.filter(volumes::instance_id.eq(v));
        }
        if let Some(z) = filter.zone_id {
            q = q.filter(volumes::data_center_id.eq(z));
        }
        if let Some(s) = filter.state {
            q = q.filter(volumes::state.eq(s));
        }
        if let Some(t) = filter.volume_type {
            q = q.filter(volumes::volume_type.eq(t));
        }
        q
    };
    crate::repo::keyset_page!(
        conn,
        page,
        build,
        volumes::id,
        VolumeId(page.after_id()),
        Volume,
        |v: &Volume| v.id.get()
    )
}

/// Changes for [`update`]: `None` leaves a column alone; `Some(None)` sets it to NULL. (The
/// display flag changes billing and is not here.)
///
/// ```
/// let rename = cloudstack_db::storage::VolumeChanges { name: Some(Some("data-2".into())), ..Default::default() };
/// assert!(rename.max_iops.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = volumes, check_for_backend(diesel::mysql::Mysql))]
pub struct VolumeChanges {
    /// `volumes.name`.
    pub name: Option<Option<String>>,
    /// `volumes.min_iops`.
    pub min_iops: Option<Option<u64>>,
    /// `volumes.max_iops`.
    pub max_iops: Option<Option<u64>>,
    /// `volumes.delete_protection`.
    pub delete_protection: Option<Option<bool>>,
    /// `volumes.pool_id`: the primary storage pool the volume was created on.
    pub pool_id: Option<Option<u64>>,
    /// `volumes.path`: the volume's path on its pool.
    pub path: Option<Option<String>>,
}

/// Applies `changes` to a live volume and returns it as it is now; a volume that is not live is
/// [`Error::NotFound`], a name its column cannot hold [`Error::InvalidValue`].
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, id: VolumeId) -> cloudstack_db::Result<()> {
/// let changes = VolumeChanges { delete_protection: Some(Some(true)), ..Default::default() };
/// let volume = db.write(|tx| volumes::update(tx, id, &changes))?;
/// # Ok(()) }
/// ```
pub fn update(tx: &mut Tx<'_>, id: VolumeId, changes: &VolumeChanges) -> Result<Volume> {
    crate::repo::check_text_change("volumes.name", &changes.name, 255, Charset::Utf8mb4)?;
    crate::repo::check_text_change("volumes.path", &changes.path, 255, Charset::Utf8mb3)?;
    let conn = tx.conn();
    crate::repo::update_live!(conn, volumes, id, changes)?;
    find(conn, id)
}

fn stale(volume: &Volume, detail: &str) -> Error {
    Error::StaleState {
        entity: "volumes",
        id: volume.id.get(),
        detail: detail.to_owned(),
    }
}

/// Attaches a detached volume to `vm` as device `device_id`, guarded by `update_count`; a
/// volume changed, attached or removed since it was read is [`Error::StaleState`].
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, v: cloudstack_db::storage::Volume, vm: cloudstack_db::types::VmId) -> cloudstack_db::Result<()> {
/// let v = db.write(|tx| cloudstack_db::storage::volumes::attach(tx, &v, vm, 1))?;
/// # Ok(()) }
/// ```
pub fn attach(tx: &mut Tx<'_>, volume: &Volume, vm: VmId, device_id: u64) -> Result<Volume> {
    let conn = tx.conn();
    let at = now().naive_utc();
    let n = diesel::update(
        volumes::table
            .filter(volumes::id.eq(volume.id))
            .filter(volumes::update_count.eq(volume.update_count))
            .filter(volumes::instance_id.is_null())
            .filter(volumes::removed.is_null()),
    )
    .set((
        volumes::instance_id.eq(vm),
        volumes::device_id.eq(device_id),
        volumes::attached.eq(at),
        volumes::updated.eq(at),
        volumes::update_count.eq(volumes::update_count + 1),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(stale(
            volume,
            "changed, attached or removed since it was read",
        ));
    }
    find(conn, volume.id)
}

/// Detaches a volume from its VM, guarded by `update_count`.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, v: cloudstack_db::storage::Volume) -> cloudstack_db::Result<()> {
/// let v = db.write(|tx| cloudstack_db::storage::volumes::detach(tx, &v))?;
/// assert_eq!(v.instance_id, None);
/// # Ok(()) }
/// ```
pub fn detach(tx: &mut Tx<'_>, volume: &Volume) -> Result<Volume> {
    let conn = tx.conn();
    let n = diesel::update(
        volumes::table
            .filter(volumes::id.eq(volume.id))
            .filter(volumes::update_count.eq(volume.update_count))
            .filter(volumes::instance_id.is_not_null()),
    )
    .set((
        volumes::instance_id.eq(None::<VmId>),
        volumes::device_id.eq(None::<u64>),
        volumes::attached.eq(None::<chrono::NaiveDateTime>),
        volumes::updated.eq(now().naive_utc()),
        volumes::update_count.eq(volumes::update_count + 1),
    ))
    .execute(conn)?;
    if n == 0 {
        return Err(stale(volume, "changed or detached since it was read"));
    }
    find(conn, volume.id)
}

/// Moves a volume through CloudStack's volume state machine: `UPDATE ... SET state, updated,
/// update_count + 1 WHERE id AND state AND update_count` (0 rows: [`Error::StaleState`]), and the
/// usage events `VolumeStateListener` writes, in the caller's transaction.
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, v: Volume) -> cloudstack_db::Result<()> {
/// let creating = db.write(|tx| volumes::transition(tx, &v, VolumeEvent::CreateRequested))?;
/// # Ok(()) }
/// ```
pub fn transition(tx: &mut Tx<'_>, volume: &Volume, event: VolumeEvent) -> Result<Volume> {
    let from = volume.state.ok_or_else(|| {
        Error::invalid_value(
            "volumes.state",
            "NULL",
            "a volume without state has no transitions",
        )
    })?;
    let (to, usage) = volume_transition(from, event)?;
    let conn = tx.conn();
    {
        let n = diesel::update(
            volumes::table
                .filter(volumes::id.eq(volume.id))
                .filter(volumes::state.eq(from))
                .filter(volumes::update_count.eq(volume.update_count)),
        )
        .set((
            volumes::state.eq(to),
            volumes::updated.eq(now().naive_utc()),
            volumes::update_count.eq(volumes::update_count + 1),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(stale(
                volume,
                &format!(
                    "expected state {from} and update_count {}",
                    volume.update_count
                ),
            ));
        }
        let current = find_including_removed(conn, volume.id)?;
        if usage && current.display_volume {
            write_transition_usage(conn, &current, from)?;
        }
        // VolumeServiceImpl.destroyVolume gives a volume's counts back as it enters Destroy
        // (an Allocated volume deleted for good was removed, and given back, first);
        // recoverVolume takes them again, within the limits.
        if to == VolumeState::Destroy && !from.is_destroyed() && current.removed.is_none() {
            uncount(tx, &current)?;
        } else if from == VolumeState::Destroy && event == VolumeEvent::RecoverRequested {
            count_again(tx, &current)?;
        }
        Ok(current)
    }
}

/// Takes a recovered, displayed volume's `volume` and `primary_storage` counts again, within
/// the owner's limits ([`Error::LimitExceeded`]).
fn count_again(tx: &mut Tx<'_>, volume: &Volume) -> Result<()> {
    if !volume.display_volume {
        return Ok(());
    }
    use crate::resources::{ResourceType, reserve_tagged};
    let tags = tags_of(tx.conn(), volume)?;
    reserve_tagged(
        tx,
        volume.account_id,
        &tags,
        &[
            (ResourceType::Volume, 1),
            (ResourceType::PrimaryStorage, volume.size as i64),
        ],
    )
}

/// Gives a displayed volume's `volume` and `primary_storage` counts back.
pub(super) fn uncount(tx: &mut Tx<'_>, volume: &Volume) -> Result<()> {
    if !volume.display_volume {
        return Ok(());
    }
    use crate::resources::{ResourceType, change_tagged};
    let tags = tags_of(tx.conn(), volume)?;
    change_tagged(
        tx,
        volume.account_id,
        &tags,
        &[
            (ResourceType::Volume, -1),
            (ResourceType::PrimaryStorage, -(volume.size as i64)),
        ],
    )
}

/// The storage tags `volume` is counted under (its disk offering's, those configured).
fn tags_of(conn: &mut MysqlConnection, volume: &Volume) -> Result<Vec<String>> {
    let tags: Option<Option<String>> = disk_offering::table
        .find(volume.disk_offering_id)
        .select(disk_offering::tags)
        .first(conn)
        .optional()?;
    crate::resources::storage_tags_of(conn, tags.flatten().as_deref())
}

fn write_transition_usage(
    conn: &mut MysqlConnection,
    volume: &Volume,
    from: VolumeState,
) -> Result<()> {
    let name = volume.name.clone().unwrap_or_default();
    let base = |kind| {
        usage_event_for(
            kind,
            volume.account_id,
            volume.data_center_id,
            volume.id.get(),
            &name,
        )
    };
    let event = match (from, volume.state) {
        (VolumeState::Resizing, Some(VolumeState::Ready)) => {
            let mut e = base(kinds::VOLUME_RESIZE);
            e.offering_id = Some(volume.disk_offering_id.get());
            e.template_id = volume.template_id;
            e.size = Some(volume.size);
            e
        }
        (_, Some(VolumeState::Ready)) => {
            let mut e = base(kinds::VOLUME_CREATE);
            e.offering_id = Some(volume.disk_offering_id.get());
            e.size = Some(volume.size);
            e
        }
        // ROOT volumes get their VOLUME.DELETE from the VM's destroy.
        (_, Some(VolumeState::Destroy)) if volume.volume_type != VolumeType::Root => {
            base(kinds::VOLUME_DELETE)
        }
        _ => return Ok(()),
    };
    insert_usage_event(conn, event)?;
    Ok(())
}

/// Resizes a `Ready` volume the way CloudStack's resize does: `ResizeRequested` (to
/// `Resizing`), the new size stored, then `OperationSucceeded` back to `Ready`, which writes
/// `VOLUME.RESIZE` with the new size — all in one transaction. A size of 0 is
/// [`Error::InvalidValue`].
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, v: &cloudstack_db::storage::Volume) -> cloudstack_db::Result<()> {
/// let bigger = db.write(|tx| cloudstack_db::storage::volumes::resize(tx, v, 40 << 30))?;
/// assert_eq!(bigger.size, 40 << 30);
/// # Ok(()) }
/// ```
pub fn resize(tx: &mut Tx<'_>, volume: &Volume, new_size: u64) -> Result<Volume> {
    if new_size == 0 {
        return Err(Error::invalid_value(
            "volumes.size",
            "0",
            "a volume needs a size of at least one byte",
        ));
    }
    let Ok(new_bytes) = i64::try_from(new_size) else {
        return Err(Error::invalid_value(
            "volumes.size",
            new_size.to_string(),
            "larger than CloudStack's sizes (a signed 64-bit count of bytes)",
        ));
    };
    let resizing = transition(tx, volume, VolumeEvent::ResizeRequested)?;
    if resizing.display_volume {
        // updateVolumeResourceCountForDiskOfferingChange: primary storage by the difference,
        // a growth checked against the limits first.
        use crate::resources::{ResourceType, change_tagged, reserve_tagged};
        let tags = tags_of(tx.conn(), &resizing)?;
        let delta = [(
            ResourceType::PrimaryStorage,
            new_bytes - resizing.size as i64,
        )];
        if delta[0].1 > 0 {
            reserve_tagged(tx, resizing.account_id, &tags, &delta)?;
        } else {
            change_tagged(tx, resizing.account_id, &tags, &delta)?;
        }
    }
    diesel::update(volumes::table.find(resizing.id))
        .set(volumes::size.eq(new_size))
        .execute(tx.conn())?;
    let resizing = find_including_removed(tx.conn(), resizing.id)?;
    transition(tx, &resizing, VolumeEvent::OperationSucceeded)
}
