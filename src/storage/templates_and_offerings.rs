//! Templates (`vm_template`) and disk offerings (`disk_offering`).

use diesel::prelude::*;

use super::{
    DiskOffering, NewDiskOffering, NewVmTemplate, TemplateState, TemplateType, VmTemplate,
};
use crate::compute::HypervisorType;
use crate::db::transaction;
use crate::repo::{IdSource, SequenceName, last_insert_id, now};
use crate::schema::cloud::{disk_offering, vm_template};
use crate::types::{AccountId, DiskOfferingId, TemplateId};
use crate::{Error, Result};

/// Which templates [`list_templates`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateFilter {
    /// For this hypervisor.
    pub hypervisor_type: Option<HypervisorType>,
    /// Of this kind (SYSTEM, BUILTIN, USER, ...).
    pub template_type: Option<TemplateType>,
    /// Owned by this account.
    pub account_id: Option<AccountId>,
    /// Public ones only.
    pub public_only: bool,
    /// Usable in every zone (`cross_zones`); zone-specific placement lives in
    /// `template_zone_ref`, outside this crate's tables.
    pub cross_zones_only: bool,
}

/// A live template by id.
pub fn find_template(conn: &mut MysqlConnection, id: TemplateId) -> Result<VmTemplate> {
    Ok(vm_template::table
        .filter(vm_template::id.eq(id))
        .filter(vm_template::removed.is_null())
        .select(VmTemplate::as_select())
        .first(conn)?)
}

/// A template by id, removed or not.
pub fn find_template_including_removed(
    conn: &mut MysqlConnection,
    id: TemplateId,
) -> Result<VmTemplate> {
    Ok(vm_template::table
        .filter(vm_template::id.eq(id))
        .select(VmTemplate::as_select())
        .first(conn)?)
}

/// A live template by uuid.
pub fn find_template_by_uuid(conn: &mut MysqlConnection, uuid: uuid::Uuid) -> Result<VmTemplate> {
    Ok(vm_template::table
        .filter(vm_template::uuid.eq(uuid.hyphenated().to_string()))
        .filter(vm_template::removed.is_null())
        .select(VmTemplate::as_select())
        .first(conn)?)
}

/// A live template by its unique name (e.g. `routing-3`).
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let kvm = cloudstack_db::storage::templates_and_offerings::find_template_by_unique_name(conn, "centos55-x86_64")?;
/// # Ok(()) }
/// ```
pub fn find_template_by_unique_name(
    conn: &mut MysqlConnection,
    unique_name: &str,
) -> Result<VmTemplate> {
    Ok(vm_template::table
        .filter(vm_template::unique_name.eq(unique_name))
        .filter(vm_template::removed.is_null())
        .order(vm_template::id)
        .select(VmTemplate::as_select())
        .first(conn)?)
}

/// Live templates matching `filter`, by id.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list_templates(
    conn: &mut MysqlConnection,
    filter: &TemplateFilter,
) -> Result<Vec<VmTemplate>> {
    let mut q = vm_template::table
        .filter(vm_template::removed.is_null())
        .into_boxed();
    if let Some(h) = filter.hypervisor_type {
        q = q.filter(vm_template::hypervisor_type.eq(h));
    }
    if let Some(t) = filter.template_type {
        q = q.filter(vm_template::type_.eq(t));
    }
    if let Some(a) = filter.account_id {
        q = q.filter(vm_template::account_id.eq(a));
    }
    if filter.public_only {
        q = q.filter(vm_template::public.eq(1));
    }
    if filter.cross_zones_only {
        q = q.filter(vm_template::cross_zones.eq(1));
    }
    Ok(q.order(vm_template::id)
        .select(VmTemplate::as_select())
        .load(conn)?)
}

/// Creates a template with its id from `vm_template_seq` (user templates start at 200);
/// `id`, `uuid` and `created` of `template` are replaced.
pub fn create_template(
    conn: &mut MysqlConnection,
    ids: &impl IdSource,
    mut template: NewVmTemplate,
) -> Result<VmTemplate> {
    template.id = TemplateId(ids.next_id(SequenceName::VmTemplate)?);
    template.uuid = Some(uuid::Uuid::new_v4());
    template.created = now();
    let id = template.id;
    transaction(conn, |conn| {
        diesel::insert_into(vm_template::table)
            .values(template)
            .execute(conn)?;
        find_template(conn, id)
    })
}

/// Sets a template's state the way `VMTemplateDaoImpl.updateState` does: guarded by the old
/// state and `update_count`, bumping `update_count` and setting `updated`.
pub fn set_template_state(
    conn: &mut MysqlConnection,
    template: &VmTemplate,
    to: TemplateState,
) -> Result<VmTemplate> {
    let mut update = diesel::update(vm_template::table)
        .filter(vm_template::id.eq(template.id))
        .into_boxed();
    update = match template.state {
        Some(s) => update.filter(vm_template::state.eq(s)),
        None => update.filter(vm_template::state.is_null()),
    };
    update = match template.update_count {
        Some(c) => update.filter(vm_template::update_count.eq(c)),
        None => update.filter(vm_template::update_count.is_null()),
    };
    let n = update
        .set((
            vm_template::state.eq(to),
            vm_template::updated.eq(now().naive_utc()),
            vm_template::update_count.eq(template.update_count.unwrap_or(0) + 1),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(Error::StaleState {
            entity: "vm_template",
            id: template.id.get(),
            detail: "state or update_count changed since it was read".into(),
        });
    }
    find_template_including_removed(conn, template.id)
}

/// Soft-deletes a template.
pub fn remove_template(conn: &mut MysqlConnection, id: TemplateId) -> Result<()> {
    crate::repo::soft_delete!(conn, vm_template, id)
}

/// Creates a disk offering; `uuid` and `created` are filled in when left empty.
pub fn create_disk_offering(
    conn: &mut MysqlConnection,
    mut offering: NewDiskOffering,
) -> Result<DiskOffering> {
    offering.uuid = offering.uuid.or_else(|| Some(uuid::Uuid::new_v4()));
    offering.created = offering.created.or_else(|| Some(now()));
    transaction(conn, |conn| {
        diesel::insert_into(disk_offering::table)
            .values(offering)
            .execute(conn)?;
        let id = DiskOfferingId(last_insert_id(conn)?);
        find_disk_offering(conn, id)
    })
}

/// A live disk offering by id.
pub fn find_disk_offering(conn: &mut MysqlConnection, id: DiskOfferingId) -> Result<DiskOffering> {
    Ok(disk_offering::table
        .filter(disk_offering::id.eq(id))
        .filter(disk_offering::removed.is_null())
        .select(DiskOffering::as_select())
        .first(conn)?)
}

/// A live disk offering by uuid.
pub fn find_disk_offering_by_uuid(
    conn: &mut MysqlConnection,
    uuid: uuid::Uuid,
) -> Result<DiskOffering> {
    Ok(disk_offering::table
        .filter(disk_offering::uuid.eq(uuid.hyphenated().to_string()))
        .filter(disk_offering::removed.is_null())
        .select(DiskOffering::as_select())
        .first(conn)?)
}

/// The first live disk offering with this name (CloudStack's defaults have two "Large").
pub fn find_disk_offering_by_name(conn: &mut MysqlConnection, name: &str) -> Result<DiskOffering> {
    Ok(disk_offering::table
        .filter(disk_offering::name.eq(name))
        .filter(disk_offering::removed.is_null())
        .order(disk_offering::id)
        .select(DiskOffering::as_select())
        .first(conn)?)
}

/// Every live disk offering, by id.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list_disk_offerings(conn: &mut MysqlConnection) -> Result<Vec<DiskOffering>> {
    Ok(disk_offering::table
        .filter(disk_offering::removed.is_null())
        .order(disk_offering::id)
        .select(DiskOffering::as_select())
        .load(conn)?)
}
