//! Count rows, count changes and limit checks (`ResourceLimitManagerImpl`, `ResourceCountDaoImpl`).

use diesel::prelude::*;

use super::ResourceType;
use super::counting::{Kind, Ledger};
use crate::Result;
use crate::db::Tx;
use crate::repo::settings;
use crate::schema::cloud::resource_count;
use crate::types::{AccountId, DomainId};

/// Whose resources a count row counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    /// An account.
    Account(AccountId),
    /// A domain (everything below it included).
    Domain(DomainId),
}

/// CloudStack's system account: nothing it owns is counted.
const SYSTEM_ACCOUNT: AccountId = AccountId(1);

/// Creates the count rows `owner` lacks — one per [`ResourceType`], tag NULL, count 0 — as
/// CloudStack does when it creates an account or a domain (and, for missing ones, at every
/// start). Returns how many it wrote.
///
/// ```no_run
/// use cloudstack_db::resources::{create_counts, Owner};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// db.write(|tx| create_counts(tx, Owner::Account(cloudstack_db::types::AccountId(2))))?;
/// # Ok(()) }
/// ```
pub fn create_counts(tx: &mut Tx<'_>, owner: Owner) -> Result<usize> {
    let conn = tx.conn();
    let have: Vec<(Option<String>, Option<String>)> = owner_rows(owner)
        .select((resource_count::type_, resource_count::tag))
        .load(conn)?;
    let (host_tags, storage_tags) = (
        configured_tags(conn, HOST_TAGS)?,
        configured_tags(conn, STORAGE_TAGS)?,
    );
    let mut wrote = 0;
    for ty in ResourceType::ALL {
        let tags = match ty {
            ResourceType::UserVm | ResourceType::Cpu | ResourceType::Memory | ResourceType::Gpu => {
                &host_tags[..]
            }
            ResourceType::Volume | ResourceType::PrimaryStorage => &storage_tags[..],
            _ => &[],
        };
        for tag in std::iter::once(None).chain(tags.iter().map(|t| Some(t.as_str()))) {
            let exists = have
                .iter()
                .any(|(t, g)| t.as_deref() == Some(ty.as_str()) && g.as_deref() == tag);
            if !exists {
                insert_row(conn, owner, ty, tag)?;
                wrote += 1;
            }
        }
    }
    Ok(wrote)
}

/// `resource.limit.host.tags`: the host tags counted and limited apart (VMs, cpu, memory, gpu).
const HOST_TAGS: &str = "resource.limit.host.tags";
/// `resource.limit.storage.tags`: the storage tags counted and limited apart (volumes, primary
/// storage).
const STORAGE_TAGS: &str = "resource.limit.storage.tags";

/// A comma-separated tag setting as `ResourceLimitManagerImpl` reads it: trimmed, empty ones
/// dropped.
fn configured_tags(conn: &mut MysqlConnection, name: &str) -> Result<Vec<String>> {
    Ok(settings::global(conn, name)?
        .map(|v| split_tags(&v))
        .unwrap_or_default())
}

fn split_tags(csv: &str) -> Vec<String> {
    csv.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The tags a VM of a service offering (`host_tag`, comma-separated) and template
/// (`template_tag`) is counted under besides the untagged rows: those of
/// `resource.limit.host.tags` it carries (`getResourceLimitHostTags`).
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let tags = cloudstack_db::resources::host_tags_of(conn, Some("gpu,fast"), None)?;
/// # Ok(()) }
/// ```
pub fn host_tags_of(
    conn: &mut MysqlConnection,
    offering_host_tag: Option<&str>,
    template_tag: Option<&str>,
) -> Result<Vec<String>> {
    let offering = offering_host_tag.map(split_tags).unwrap_or_default();
    let template = template_tag.filter(|t| !t.is_empty());
    if offering.is_empty() && template.is_none() {
        return Ok(Vec::new());
    }
    let configured = configured_tags(conn, HOST_TAGS)?;
    let mut tags: Vec<String> = offering
        .into_iter()
        .filter(|t| configured.contains(t))
        .collect();
    if let Some(t) = template
        && configured.iter().any(|c| c == t)
        && !tags.iter().any(|have| have == t)
    {
        tags.push(t.to_owned());
    }
    Ok(tags)
}

/// The tags a volume of a disk offering (`tags`, comma-separated) is counted under besides the
/// untagged rows: those of `resource.limit.storage.tags` it carries
/// (`getResourceLimitStorageTags`).
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let tags = cloudstack_db::resources::storage_tags_of(conn, Some("ssd"))?;
/// # Ok(()) }
/// ```
pub fn storage_tags_of(
    conn: &mut MysqlConnection,
    offering_tags: Option<&str>,
) -> Result<Vec<String>> {
    let offering = offering_tags.map(split_tags).unwrap_or_default();
    if offering.is_empty() {
        return Ok(Vec::new());
    }
    let configured = configured_tags(conn, STORAGE_TAGS)?;
    Ok(offering
        .into_iter()
        .filter(|t| configured.contains(t))
        .collect())
}

/// The count rows of `owner`, every tag (boxed: the filters differ per owner kind).
pub(super) fn owner_rows<'a>(owner: Owner) -> resource_count::BoxedQuery<'a, diesel::mysql::Mysql> {
    let rows = resource_count::table.into_boxed();
    match owner {
        Owner::Account(a) => rows
            .filter(resource_count::account_id.eq(a))
            .filter(resource_count::domain_id.is_null()),
        Owner::Domain(d) => rows
            .filter(resource_count::domain_id.eq(d))
            .filter(resource_count::account_id.is_null()),
    }
}

pub(super) fn insert_row(
    conn: &mut MysqlConnection,
    owner: Owner,
    ty: ResourceType,
    tag: Option<&str>,
) -> Result<()> {
    let (account, domain) = match owner {
        Owner::Account(a) => (Some(a), None),
        Owner::Domain(d) => (None, Some(d)),
    };
    diesel::insert_into(resource_count::table)
        .values((
            resource_count::account_id.eq(account),
            resource_count::domain_id.eq(domain),
            resource_count::type_.eq(ty.as_str()),
            resource_count::count.eq(0i64),
            resource_count::tag.eq(tag),
        ))
        .execute(conn)?;
    Ok(())
}

/// Each `(type, amount)` for the untagged row and for each of `tags`, in order.
fn kinds<'t>(amounts: &[(ResourceType, i64)], tags: &'t [String]) -> Vec<(Kind<'t>, i64)> {
    amounts
        .iter()
        .flat_map(|(ty, amount)| {
            std::iter::once(None)
                .chain(tags.iter().map(|t| Some(t.as_str())))
                .map(move |tag| ((*ty, tag), *amount))
        })
        .collect()
}

/// Adds each `(type, delta)` (negative to take away) to the counts of `account` and of every
/// domain above it, as CloudStack's `updateCountByDeltaForIds` (missing rows are created
/// first). Nothing is counted for the system account.
///
/// ```no_run
/// use cloudstack_db::resources::{change, ResourceType};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let account = cloudstack_db::types::AccountId(7);
/// db.write(|tx| change(tx, account, &[(ResourceType::Volume, -1)]))?;
/// # Ok(()) }
/// ```
pub fn change(tx: &mut Tx<'_>, account: AccountId, deltas: &[(ResourceType, i64)]) -> Result<()> {
    change_tagged(tx, account, &[], deltas)
}

/// [`change`] of the untagged rows and of the rows of each of `tags` (what
/// [`host_tags_of`] or [`storage_tags_of`] found), as CloudStack changes tagged rows alongside.
///
/// ```no_run
/// use cloudstack_db::resources::{change_tagged, ResourceType};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let account = cloudstack_db::types::AccountId(7);
/// db.write(|tx| change_tagged(tx, account, &["ssd".into()], &[(ResourceType::Volume, -1)]))?;
/// # Ok(()) }
/// ```
pub fn change_tagged(
    tx: &mut Tx<'_>,
    account: AccountId,
    tags: &[String],
    deltas: &[(ResourceType, i64)],
) -> Result<()> {
    if account == SYSTEM_ACCOUNT || deltas.iter().all(|(_, d)| *d == 0) {
        return Ok(());
    }
    let conn = tx.conn();
    let ledger = Ledger::of(conn, account)?;
    let changes = kinds(deltas, tags);
    let kinds: Vec<Kind<'_>> = changes.iter().map(|(k, _)| *k).collect();
    ledger.rows(conn, &kinds)?.add(conn, &changes)
}

/// Checks that `account` may have each `(type, wanted)` more: its limit (its `resource_limit`
/// row, else `max.account.<type>`, else unlimited), then each domain above it up to ROOT (its
/// row, else its ancestors' rows below ROOT, else `max.domain.<type>`; ROOT has none). The
/// count rows are locked first, so concurrent creators are checked one after the other. Over a
/// limit: [`Error::LimitExceeded`], nothing changed. A root admin is not limited at all and
/// nothing is locked for it (`checkResourceLimitWithTag` returns first).
///
/// ```no_run
/// use cloudstack_db::resources::{check_limit, ResourceType};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let account = cloudstack_db::types::AccountId(7);
/// db.write(|tx| check_limit(tx, account, &[(ResourceType::PublicIp, 1)]))?;
/// # Ok(()) }
/// ```
pub fn check_limit(
    tx: &mut Tx<'_>,
    account: AccountId,
    wanted: &[(ResourceType, i64)],
) -> Result<()> {
    if account == SYSTEM_ACCOUNT || wanted.iter().all(|(_, w)| *w <= 0) {
        return Ok(());
    }
    let conn = tx.conn();
    let ledger = Ledger::of(conn, account)?;
    if ledger.unlimited() {
        return Ok(());
    }
    let wanted = kinds(wanted, &[]);
    let kinds: Vec<Kind<'_>> = wanted.iter().map(|(k, _)| *k).collect();
    let mut rows = ledger.rows(conn, &kinds)?;
    rows.lock(conn)?;
    rows.check(conn, &wanted)
}

/// [`check_limit`] for every amount, then [`change`] by them: what a creator calls before its
/// insert, in its transaction (the account and its domains looked up once).
///
/// ```no_run
/// use cloudstack_db::resources::{reserve, ResourceType};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let account = cloudstack_db::types::AccountId(7);
/// db.write(|tx| reserve(tx, account, &[(ResourceType::UserVm, 1), (ResourceType::Cpu, 2)]))?;
/// # Ok(()) }
/// ```
pub fn reserve(tx: &mut Tx<'_>, account: AccountId, amounts: &[(ResourceType, i64)]) -> Result<()> {
    reserve_tagged(tx, account, &[], amounts)
}

/// [`reserve`] under the untagged limits and counts and those of each of `tags`
/// (`checkResourceLimitWithTag`, then the tagged increments).
///
/// ```no_run
/// use cloudstack_db::resources::{reserve_tagged, ResourceType};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let account = cloudstack_db::types::AccountId(7);
/// db.write(|tx| reserve_tagged(tx, account, &["gpu".into()], &[(ResourceType::UserVm, 1)]))?;
/// # Ok(()) }
/// ```
pub fn reserve_tagged(
    tx: &mut Tx<'_>,
    account: AccountId,
    tags: &[String],
    amounts: &[(ResourceType, i64)],
) -> Result<()> {
    if account == SYSTEM_ACCOUNT {
        return Ok(());
    }
    let conn = tx.conn();
    let ledger = Ledger::of(conn, account)?;
    let amounts = kinds(amounts, tags);
    let kinds: Vec<Kind<'_>> = amounts.iter().map(|(k, _)| *k).collect();
    let mut rows = ledger.rows(conn, &kinds)?;
    if !ledger.unlimited() {
        rows.lock(conn)?;
        rows.check(conn, &amounts)?;
    }
    rows.add(conn, &amounts)
}
