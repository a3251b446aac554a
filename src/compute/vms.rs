//! User VMs: a `vm_instance` row plus a `user_vm` row with the same id, created, read, changed
//! and removed together, with CloudStack's optimistic state changes and usage events.

use diesel::prelude::*;

use super::shape::{Shape, save_custom};
use super::{
    NewUserVm, NewVmInstance, PowerState, UserVm, VmDiscriminator, VmEvent, VmInstance, VmState,
    VmType, vm_transition,
};
use crate::db::{SequenceName, Tx};
use crate::events::usage_event_for;
use crate::events::usage_events::{insert_usage_event, kinds};
use crate::repo::{Charset, Page, PageRequest, check_text, now};
use crate::schema::cloud::{user_vm, vm_instance};
use crate::storage::{VolumeSpec, VolumeType, volumes};
use crate::types::{
    AccountId, DomainId, HypervisorType, ServiceOfferingId, TemplateId, UserId, VmId, ZoneId,
};
use crate::{Error, Result, Secret};

pub use super::shape::CustomCompute;

/// What a new user VM is made of.
#[derive(Debug, Clone)]
pub struct UserVmSpec {
    /// The VM's name (`vm_instance.name`, also its host name).
    pub name: String,
    /// The name shown to users (`user_vm.display_name`).
    pub display_name: Option<String>,
    /// The owner.
    pub account_id: AccountId,
    /// The owner's domain.
    pub domain_id: DomainId,
    /// The user who deployed it.
    pub user_id: UserId,
    /// The zone.
    pub zone_id: ZoneId,
    /// The compute offering.
    pub service_offering_id: ServiceOfferingId,
    /// The template it is deployed from.
    pub template_id: TemplateId,
    /// The guest OS (`guest_os.id`).
    pub guest_os_id: u64,
    /// The hypervisor.
    pub hypervisor_type: Option<HypervisorType>,
    /// The VNC password in plain text; stored encrypted with the database secret.
    pub vnc_password: Secret,
    /// Restart the VM on failure.
    pub ha_enabled: bool,
    /// Shown to the end user; CloudStack writes no usage events for hidden VMs.
    pub display_vm: bool,
    /// User data (Base64 text).
    pub user_data: Option<String>,
    /// The cpu, speed and memory on a custom compute offering (required there, refused on a
    /// fixed one).
    pub custom_compute: Option<CustomCompute>,
}

/// A user VM: its `vm_instance` row and its `user_vm` row.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UserVmRow {
    /// The `vm_instance` part.
    pub instance: VmInstance,
    /// The `user_vm` part.
    pub user_vm: UserVm,
}

impl UserVmRow {
    /// `volume` as one of this VM's volumes: attached to it and owned by its account and
    /// domain — what [`crate::storage::volumes::create`] needs to create the VM's disks.
    ///
    /// ```no_run
    /// use cloudstack_db::prelude::*;
    /// # fn demo(db: &Database, spec: UserVmSpec, root: VolumeSpec) -> cloudstack_db::Result<()> {
    /// db.write(|tx| {
    ///     let vm = vms::create(tx, &spec)?;
    ///     volumes::create(tx, &vm.attached(&root))
    /// })?;
    /// # Ok(()) }
    /// ```
    pub fn attached(&self, volume: &VolumeSpec) -> VolumeSpec {
        VolumeSpec {
            account_id: self.instance.account_id,
            domain_id: self.instance.domain_id,
            instance_id: Some(self.instance.id),
            ..volume.clone()
        }
    }
}

/// Filters for [`list`]: every field that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VmFilter {
    /// Owner account.
    pub account_id: Option<AccountId>,
    /// Owner domain.
    pub domain_id: Option<DomainId>,
    /// Zone.
    pub zone_id: Option<ZoneId>,
    /// State.
    pub state: Option<VmState>,
    /// Exact name.
    pub name: Option<String>,
    /// Also list removed (expunged) VMs.
    pub include_removed: bool,
}

/// Changes for [`update`]: `None` leaves a column alone; `Some(None)` sets it to NULL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VmChanges {
    /// `user_vm.display_name`.
    pub display_name: Option<Option<String>>,
    /// `vm_instance.ha_enabled`.
    pub ha_enabled: Option<bool>,
    /// `vm_instance.display_vm`.
    pub display_vm: Option<bool>,
    /// `vm_instance.service_offering_id` (a stopped VM's new offering).
    pub service_offering_id: Option<ServiceOfferingId>,
    /// `user_vm.user_data`.
    pub user_data: Option<Option<String>>,
    /// `vm_instance.power_state`.
    pub power_state: Option<Option<PowerState>>,
}

/// Creates a user VM in state `Stopped`, with its id from `vm_instance_seq`, its `user_vm` row
/// and the `VM.CREATE` usage event, in the caller's transaction. The VNC password is stored
/// encrypted when the [`Tx`] has a column encryptor.
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, spec: UserVmSpec) -> cloudstack_db::Result<()> {
/// let vm = db.write(|tx| vms::create(tx, &spec))?;
/// println!("created {} ({})", vm.instance.instance_name, vm.instance.id);
/// # Ok(()) }
/// ```
pub fn create(tx: &mut Tx<'_>, spec: &UserVmSpec) -> Result<UserVmRow> {
    if spec.name.trim().is_empty() {
        return Err(Error::invalid_value(
            "vm_instance.name",
            &spec.name,
            "must not be empty",
        ));
    }
    check_text("vm_instance.name", &spec.name, 255, Charset::Utf8mb3)?;
    if let Some(display_name) = &spec.display_name {
        check_text(
            "vm_instance.display_name",
            display_name,
            255,
            Charset::Utf8mb4,
        )?;
    }
    let shape = Shape::of(
        tx.conn(),
        spec.service_offering_id,
        Some(spec.template_id),
        None,
    )?
    .with_custom(spec.custom_compute)?;
    if spec.display_vm {
        shape.count(tx, spec.account_id, 1, true)?;
    }
    let id = VmId(tx.next_id(SequenceName::VmInstance)?);
    let vnc_password = match tx.encryptor() {
        Some(e) => Secret::new(e.encrypt(spec.vnc_password.expose())?),
        None => spec.vnc_password.clone(),
    };
    let created = now();
    let instance = NewVmInstance {
        id,
        name: spec.name.clone(),
        uuid: Some(uuid::Uuid::new_v4()),
        instance_name: format!("i-{}-{}-VM", spec.account_id, id),
        state: VmState::Stopped,
        vm_template_id: Some(spec.template_id),
        guest_os_id: spec.guest_os_id,
        data_center_id: spec.zone_id,
        host_id: None,
        vnc_password,
        ha_enabled: spec.ha_enabled,
        limit_cpu_use: false,
        update_count: 0,
        created,
        discriminator: VmDiscriminator::User,
        vm_type: VmType::User,
        account_id: spec.account_id,
        domain_id: spec.domain_id,
        service_offering_id: spec.service_offering_id,
        hypervisor_type: spec.hypervisor_type,
        display_name: None,
        dynamically_scalable: false,
        display_vm: spec.display_vm,
        user_id: spec.user_id,
    };
    let user = NewUserVm {
        id,
        iso_id: None,
        display_name: spec.display_name.clone(),
        user_data: spec.user_data.clone(),
    };
    let conn = tx.conn();
    diesel::insert_into(vm_instance::table)
        .values(instance)
        .execute(conn)?;
    diesel::insert_into(user_vm::table)
        .values(user)
        .execute(conn)?;
    if let Some(custom) = spec.custom_compute {
        save_custom(tx, id, custom)?;
    }
    let conn = tx.conn();
    let row = find_including_removed(conn, id)?;
    write_vm_usage_event_of(conn, &row.instance, kinds::VM_CREATE, &shape)?;
    Ok(row)
}

/// The VM usage event CloudStack writes (skipped for VMs hidden from users).
fn write_vm_usage_event(conn: &mut MysqlConnection, vm: &VmInstance, kind: &str) -> Result<()> {
    if !vm.display_vm || vm.discriminator != VmDiscriminator::User {
        return Ok(());
    }
    let shape = Shape::of(conn, vm.service_offering_id, vm.vm_template_id, Some(vm.id))?;
    write_vm_usage_event_of(conn, vm, kind, &shape)
}

/// [`write_vm_usage_event`] with the VM's shape already read (a create has it).
fn write_vm_usage_event_of(
    conn: &mut MysqlConnection,
    vm: &VmInstance,
    kind: &str,
    shape: &Shape,
) -> Result<()> {
    if !vm.display_vm || vm.discriminator != VmDiscriminator::User {
        return Ok(());
    }
    let mut event = usage_event_for(
        kind,
        vm.account_id,
        vm.data_center_id,
        vm.id.get(),
        &vm.name,
    );
    event.offering_id = Some(vm.service_offering_id.get());
    event.template_id = vm.vm_template_id;
    event.resource_type = vm.hypervisor_type.map(|h| h.as_str().to_owned());
    // generateUsageEvent: a custom offering's cpu, speed and memory as details.
    event.details = shape.usage_details();
    insert_usage_event(conn, event)?;
    Ok(())
}

fn load(conn: &mut MysqlConnection, id: VmId, include_removed: bool) -> Result<UserVmRow> {
    // Two fixed queries rather than a boxed one: Diesel caches each by type, without building
    // and hashing the SQL text on every call.
    let query = vm_instance::table
        .inner_join(user_vm::table)
        .filter(vm_instance::id.eq(id))
        .select((VmInstance::as_select(), UserVm::as_select()));
    let (instance, user_vm) = if include_removed {
        query.first(conn)?
    } else {
        query.filter(vm_instance::removed.is_null()).first(conn)?
    };
    Ok(UserVmRow { instance, user_vm })
}

/// A live (not removed) user VM by id; [`Error::NotFound`] otherwise.
pub fn find(conn: &mut MysqlConnection, id: VmId) -> Result<UserVmRow> {
    load(conn, id, false)
}

/// A user VM by id, removed or not.
pub fn find_including_removed(conn: &mut MysqlConnection, id: VmId) -> Result<UserVmRow> {
    load(conn, id, true)
}

/// A live user VM by uuid.
pub fn find_by_uuid(conn: &mut MysqlConnection, uuid: uuid::Uuid) -> Result<UserVmRow> {
    let (instance, user_vm) = vm_instance::table
        .inner_join(user_vm::table)
        .filter(vm_instance::uuid.eq(uuid.hyphenated().to_string()))
        .filter(vm_instance::removed.is_null())
        .select((VmInstance::as_select(), UserVm::as_select()))
        .first(conn)?;
    Ok(UserVmRow { instance, user_vm })
}

/// A page of VMs matching `filter`, in id order, continued from the request's cursor.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list(
    conn: &mut MysqlConnection,
    filter: &VmFilter,
    page: &PageRequest,
) -> Result<Page<VmInstance>> {
    let build = || {
        let mut q = vm_instance::table.into_boxed();
        if !filter.include_removed {
            q = q.filter(vm_instance::removed.is_null());
        }
        if let Some(a) = filter.account_id {
            q = q.filter(vm_instance::account_id.eq(a));
        }
        if let Some(d) = filter.domain_id {
            q = q.filter(vm_instance::domain_id.eq(d));
        }
        if let Some(z) = filter.zone_id {
            q = q.filter(vm_instance::data_center_id.eq(z));
        }
        if let Some(s) = filter.state {
            q = q.filter(vm_instance::state.eq(s));
        }
        if let Some(n) = &filter.name {
            q = q.filter(vm_instance::name.eq(n.clone()));
        }
        q
    };
    crate::repo::keyset_page!(
        conn,
        page,
        build,
        vm_instance::id,
        VmId(page.after_id()),
        VmInstance,
        |vm: &VmInstance| vm.id.get()
    )
}

/// Applies `changes` to both rows of a live VM and returns it as it is now; a VM that is not
/// live is [`Error::NotFound`].
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, id: VmId) -> cloudstack_db::Result<()> {
/// let changes = VmChanges { display_name: Some(None), ..Default::default() };
/// let vm = db.write(|tx| vms::update(tx, id, &changes))?;
/// assert_eq!(vm.user_vm.display_name, None);
/// # Ok(()) }
/// ```
pub fn update(tx: &mut Tx<'_>, id: VmId, changes: &VmChanges) -> Result<UserVmRow> {
    crate::repo::check_text_change(
        "user_vm.display_name",
        &changes.display_name,
        255,
        Charset::Utf8mb4,
    )?;
    let conn = tx.conn();
    let instance = InstanceChanges {
        ha_enabled: changes.ha_enabled,
        display_vm: changes.display_vm,
        service_offering_id: changes.service_offering_id,
        power_state: changes.power_state,
    };
    crate::repo::update_live!(conn, vm_instance, id, &instance)?;
    let user = UserVmChanges {
        display_name: changes.display_name.as_ref().map(Option::as_deref),
        user_data: changes.user_data.as_ref().map(Option::as_deref),
    };
    if user.display_name.is_some() || user.user_data.is_some() {
        diesel::update(user_vm::table.filter(user_vm::id.eq(id)))
            .set(&user)
            .execute(conn)?;
    }
    find(conn, id)
}

/// The `vm_instance` part of [`VmChanges`].
#[derive(AsChangeset)]
#[diesel(table_name = vm_instance, check_for_backend(diesel::mysql::Mysql))]
struct InstanceChanges {
    ha_enabled: Option<bool>,
    display_vm: Option<bool>,
    service_offering_id: Option<ServiceOfferingId>,
    power_state: Option<Option<PowerState>>,
}

/// The `user_vm` part of [`VmChanges`].
#[derive(AsChangeset)]
#[diesel(table_name = user_vm, check_for_backend(diesel::mysql::Mysql))]
struct UserVmChanges<'a> {
    display_name: Option<Option<&'a str>>,
    user_data: Option<Option<&'a str>>,
}

/// Soft-deletes a VM: sets `removed` to now (as CloudStack's `remove`). The rows stay.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, id: cloudstack_db::types::VmId) -> cloudstack_db::Result<()> {
/// db.write(|tx| cloudstack_db::compute::vms::remove(tx, id))?;
/// # Ok(()) }
/// ```
pub fn remove(tx: &mut Tx<'_>, id: VmId) -> Result<()> {
    crate::repo::soft_delete!(tx.conn(), vm_instance, id)
}

/// Deletes a VM for real: its `vm_instance` row and (by cascade) its `user_vm`, `nics` and
/// `volumes` rows. Its live volumes are deleted first through [`volumes::expunge`], so the
/// counts of those not yet given back (a ROOT volume that was never destroyed) are.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, id: cloudstack_db::types::VmId) -> cloudstack_db::Result<()> {
/// db.write(|tx| cloudstack_db::compute::vms::expunge(tx, id))?;
/// # Ok(()) }
/// ```
pub fn expunge(tx: &mut Tx<'_>, id: VmId) -> Result<()> {
    for volume in volumes::list_for_vm(tx.conn(), id)? {
        volumes::expunge(tx, volume.id)?;
    }
    crate::repo::expunge_row!(tx.conn(), vm_instance, id)
}

/// Moves a VM through CloudStack's state machine, the way `VMInstanceDaoImpl.updateState` does:
/// the transition is checked first ([`Error::IllegalTransition`], nothing written); then one
/// guarded `UPDATE` changes the row only if it is live and its state, host and `update_count`
/// are still those of `vm` (bumping `update_count`, setting `update_time`), and the usage events
/// of the transition are written in the same transaction. Only the caller whose UPDATE changed
/// the row succeeds: a lost race is [`Error::StaleState`] even when the winner moved the VM
/// where this caller wanted it (two servers starting one VM on two hosts must not both think
/// they own the start); a removed VM is [`Error::NotFound`]. `new_host` is the host after the
/// transition (`None`: unchanged).
///
/// The returned row is `vm` with the new state, host, count and time — what the UPDATE wrote —
/// without reading it back (a transition without usage events is one round trip).
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, vm: VmInstance) -> cloudstack_db::Result<()> {
/// let starting = db.write(|tx| vms::transition(tx, &vm, VmEvent::StartRequested, Some(Some(7))))?;
/// let running = db.write(|tx| vms::transition(tx, &starting, VmEvent::OperationSucceeded, None))?;
/// # Ok(()) }
/// ```
pub fn transition(
    tx: &mut Tx<'_>,
    vm: &VmInstance,
    event: VmEvent,
    new_host: Option<Option<u64>>,
) -> Result<VmInstance> {
    let t = vm_transition(vm.state, event)?;
    let host = new_host.unwrap_or(vm.host_id);
    if t.to == vm.state && host == vm.host_id {
        return Ok(vm.clone());
    }
    let at = now();
    let changed = VmInstance {
        state: t.to,
        host_id: host,
        update_count: vm.update_count + 1,
        update_time: Some(at),
        ..vm.clone()
    };
    let conn = tx.conn();
    let matched = GuardedStateUpdate {
        to: t.to,
        host,
        at: at.naive_utc(),
        id: vm.id.get(),
        from: vm.state,
        count: vm.update_count,
        current_host: vm.host_id,
    }
    .execute(conn)?;
    if matched == 0 {
        return Err(lost_race(conn, vm)?);
    }
    // UserVmManagerImpl.finalizeStart bills each NIC's offering before the Starting → Running
    // transition; a VM found running by a power report gets VM.START only.
    if vm.state == VmState::Starting && event == VmEvent::OperationSucceeded {
        let nics = super::nics::list_for_vm(conn, vm.id)?;
        super::nics::write_offering_events(
            conn,
            &changed,
            &nics,
            kinds::NETWORK_OFFERING_ASSIGN,
            true,
        )?;
    }
    if t.usage {
        write_transition_usage(conn, &changed, vm.state)?;
    }
    if changed.discriminator == VmDiscriminator::User {
        if event == VmEvent::DestroyRequested {
            write_root_volume_usage(conn, &changed, kinds::VOLUME_DELETE)?;
        } else if vm.state == VmState::Destroyed && t.to == VmState::Stopped {
            write_root_volume_usage(conn, &changed, kinds::VOLUME_CREATE)?;
        }
    }
    // Resource counts (UserVmManagerImpl): a destroy gives the VM's user_vm, cpu and memory
    // back — unless it was in Error, which a failed deployment already gave back — and a
    // recovery takes them again, within the limits.
    if changed.display_vm && changed.discriminator == VmDiscriminator::User {
        match (vm.state, t.to) {
            (from, VmState::Destroyed) if from != VmState::Error && from != VmState::Destroyed => {
                Shape::of(
                    tx.conn(),
                    vm.service_offering_id,
                    vm.vm_template_id,
                    Some(vm.id),
                )?
                .count(tx, vm.account_id, -1, false)?
            }
            (VmState::Destroyed, VmState::Stopped) => Shape::of(
                tx.conn(),
                vm.service_offering_id,
                vm.vm_template_id,
                Some(vm.id),
            )?
            .count(tx, vm.account_id, 1, true)?,
            _ => {}
        }
    }
    // A VM whose creation failed (UserVmManagerImpl.updateVmStateForFailedVmCreation): its
    // Creating, Ready and Allocated volumes are destroyed, and its counts given back — so a
    // later destroy from Error gives nothing back twice.
    if changed.discriminator == VmDiscriminator::User
        && vm.state == VmState::Stopped
        && event == VmEvent::OperationFailedToError
    {
        use crate::storage::VolumeState;
        for volume in volumes::list_for_vm(tx.conn(), vm.id)? {
            if matches!(
                volume.state,
                Some(VolumeState::Creating | VolumeState::Ready | VolumeState::Allocated)
            ) {
                volumes::destroy_for_failed_vm(tx, &volume)?;
            }
        }
        if changed.display_vm {
            Shape::of(
                tx.conn(),
                vm.service_offering_id,
                vm.vm_template_id,
                Some(vm.id),
            )?
            .count(tx, vm.account_id, -1, false)?;
        }
    }
    Ok(changed)
}

crate::db::statement::cached_statement! {
    /// `VMInstanceDaoImpl.updateState`'s UPDATE: only a live row still in `from`, at `count`,
    /// on `current_host` (`<=>`: NULL-safe) changes.
    GuardedStateUpdate {
        to: VmState as diesel::sql_types::Text,
        host: Option<u64> as diesel::sql_types::Nullable<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>>,
        at: chrono::NaiveDateTime as diesel::sql_types::Datetime,
        id: u64 as diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
        from: VmState as diesel::sql_types::Text,
        count: u64 as diesel::sql_types::Unsigned<diesel::sql_types::BigInt>,
        current_host: Option<u64> as diesel::sql_types::Nullable<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>>,
    } = "UPDATE `vm_instance` SET `update_count` = `update_count` + 1, `state` = ?, `host_id` = ?, \
         `update_time` = ? WHERE `id` = ? AND `removed` IS NULL AND `state` = ? AND `update_count` = ? \
         AND `host_id` <=> ?"
}

/// The guarded UPDATE matched nothing: the VM is gone ([`Error::NotFound`]) or another writer
/// changed it first ([`Error::StaleState`]) — also when that writer moved it where this caller
/// wanted it: only the caller whose UPDATE changed the row succeeds.
fn lost_race(conn: &mut MysqlConnection, vm: &VmInstance) -> Result<Error> {
    let current = find_including_removed(conn, vm.id)?.instance;
    if current.removed.is_some() {
        return Ok(Error::NotFound);
    }
    Ok(Error::StaleState {
        entity: "vm_instance",
        id: vm.id.get(),
        detail: format!(
            "another writer changed it first: expected state {} on host {:?} at update_count {}, \
             found {} on host {:?} at {}",
            vm.state,
            vm.host_id,
            vm.update_count,
            current.state,
            current.host_id,
            current.update_count
        ),
    })
}

/// What CloudStack's `UserVmStateListener` writes for a USAGE transition into `vm.state`.
fn write_transition_usage(
    conn: &mut MysqlConnection,
    vm: &VmInstance,
    from: VmState,
) -> Result<()> {
    match vm.state {
        VmState::Stopped if from == VmState::Destroyed => {
            write_vm_usage_event(conn, vm, kinds::VM_CREATE)
        }
        VmState::Running => write_vm_usage_event(conn, vm, kinds::VM_START),
        VmState::Stopped => {
            write_vm_usage_event(conn, vm, kinds::VM_STOP)?;
            let nics = super::nics::list_for_vm(conn, vm.id)?;
            super::nics::write_offering_events(
                conn,
                vm,
                &nics,
                kinds::NETWORK_OFFERING_REMOVE,
                false,
            )
        }
        VmState::Destroyed | VmState::Error | VmState::Expunging => {
            write_vm_usage_event(conn, vm, kinds::VM_DESTROY)
        }
        _ => Ok(()),
    }
}

/// The ROOT volume's usage events `UserVmManagerImpl` writes itself (not its listener): after
/// any successful destroy — from Error too — VOLUME.DELETE; on recovery VOLUME.CREATE (offering
/// NULL for a compute-only disk offering, template, size). Only for displayed volumes.
fn write_root_volume_usage(conn: &mut MysqlConnection, vm: &VmInstance, kind: &str) -> Result<()> {
    for root in volumes::list_for_vm(conn, vm.id)?
        .into_iter()
        .filter(|v| v.volume_type == VolumeType::Root && v.display_volume)
    {
        let event = if kind == kinds::VOLUME_CREATE {
            volumes::recreation_event(conn, &root)?
        } else {
            usage_event_for(
                kind,
                root.account_id,
                root.data_center_id,
                root.id.get(),
                root.name.as_deref().unwrap_or_default(),
            )
        };
        insert_usage_event(conn, event)?;
    }
    Ok(())
}
