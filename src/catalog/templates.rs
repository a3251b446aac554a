//! Templates (`vm_template`): create with a sequence id, find, page through, change state,
//! remove.

use diesel::prelude::*;

use super::{NewVmTemplate, TemplateState, TemplateType, VmTemplate};
use crate::db::{SequenceName, Tx};
use crate::repo::{Page, PageRequest, now};
use crate::schema::cloud::vm_template;
use crate::types::{AccountId, HypervisorType, TemplateId};
use crate::{Error, Result};

/// Which templates [`list`] returns.
///
/// ```
/// use cloudstack_db::catalog::templates::TemplateFilter;
/// let public = TemplateFilter { public_only: true, ..Default::default() };
/// assert!(public.account_id.is_none());
/// ```
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

crate::repo::live_finders!(
    vm_template,
    VmTemplate,
    TemplateId,
    "catalog::templates",
    "cloudstack_db::types::TemplateId(2)"
);

/// A live template by its unique name (e.g. `routing-3`).
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let kvm = cloudstack_db::catalog::templates::find_by_unique_name(conn, "centos55-x86_64")?;
/// # Ok(()) }
/// ```
pub fn find_by_unique_name(conn: &mut MysqlConnection, unique_name: &str) -> Result<VmTemplate> {
    Ok(vm_template::table
        .filter(vm_template::unique_name.eq(unique_name))
        .filter(vm_template::removed.is_null())
        .order(vm_template::id)
        .select(VmTemplate::as_select())
        .first(conn)?)
}

/// A page of live templates matching `filter`, in id order.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let page = templates::list(conn, &TemplateFilter::default(), &PageRequest::first(50))?;
/// # Ok(()) }
/// ```
pub fn list(
    conn: &mut MysqlConnection,
    filter: &TemplateFilter,
    page: &PageRequest,
) -> Result<Page<VmTemplate>> {
    let build = || {
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
        q
    };
    crate::repo::keyset_page!(
        conn,
        page,
        build,
        vm_template::id,
        TemplateId(page.after_id()),
        VmTemplate,
        |t: &VmTemplate| t.id.get()
    )
}

/// Creates a template with its id from `vm_template_seq` (user templates start at 200);
/// `id`, `uuid` and `created` of `template` are replaced.
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, template: NewVmTemplate) -> cloudstack_db::Result<()> {
/// let template = db.write(|tx| templates::create(tx, &template))?;
/// assert!(template.id.get() >= 200);
/// # Ok(()) }
/// ```
pub fn create(tx: &mut Tx<'_>, template: &NewVmTemplate) -> Result<VmTemplate> {
    let template = NewVmTemplate {
        id: TemplateId(tx.next_id(SequenceName::VmTemplate)?),
        uuid: Some(uuid::Uuid::new_v4()),
        created: now(),
        ..template.clone()
    };
    let id = template.id;
    let conn = tx.conn();
    diesel::insert_into(vm_template::table)
        .values(template)
        .execute(conn)?;
    find(conn, id)
}

/// Sets a template's state the way `VMTemplateDaoImpl.updateState` does: guarded by the old
/// state and `update_count`, bumping `update_count` and setting `updated`; a row changed since
/// `template` was read is [`Error::StaleState`].
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, t: VmTemplate) -> cloudstack_db::Result<()> {
/// let t = db.write(|tx| templates::set_state(tx, &t, TemplateState::Inactive))?;
/// # Ok(()) }
/// ```
pub fn set_state(tx: &mut Tx<'_>, template: &VmTemplate, to: TemplateState) -> Result<VmTemplate> {
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
    let conn = tx.conn();
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
    find_including_removed(conn, template.id)
}

/// Soft-deletes a template (`removed` = now); [`Error::NotFound`] when no live one has `id`.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// db.write(|tx| cloudstack_db::catalog::templates::remove(tx, cloudstack_db::types::TemplateId(201)))?;
/// # Ok(()) }
/// ```
pub fn remove(tx: &mut Tx<'_>, id: TemplateId) -> Result<()> {
    crate::repo::soft_delete!(tx.conn(), vm_template, id)
}
