//! Count rows, count changes and limit checks (`ResourceLimitManagerImpl`, `ResourceCountDaoImpl`).

use diesel::prelude::*;

use super::ResourceType;
use crate::db::Tx;
use crate::repo::settings;
use crate::schema::cloud::{account, domain, resource_count, roles};
use crate::types::{AccountId, DomainId, RoleId};
use crate::{Error, Result};

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
/// The ROOT domain: it has no limits.
const ROOT_DOMAIN: DomainId = DomainId(1);

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

fn insert_row(
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

/// An account as the accounting needs it: its domain and whether it is a root admin.
struct Counted {
    domain: Option<DomainId>,
    root_admin: bool,
}

fn counted(conn: &mut MysqlConnection, id: AccountId) -> Result<Counted> {
    let (domain, kind, role): (Option<DomainId>, u32, Option<RoleId>) = account::table
        .find(id)
        .select((account::domain_id, account::type_, account::role_id))
        .first(conn)?;
    // CloudStack's isRootAdmin: the account's role is of type Admin (type ADMIN without role).
    let root_admin = match role {
        Some(role) => roles::table
            .find(role)
            .select(roles::role_type)
            .first::<String>(conn)
            .optional()?
            .is_some_and(|t| t == "Admin"),
        None => kind == 1,
    };
    Ok(Counted { domain, root_admin })
}

/// `domain` and its ancestors, nearest first (ROOT last).
fn domain_chain(conn: &mut MysqlConnection, domain: DomainId) -> Result<Vec<DomainId>> {
    let mut chain = vec![domain];
    let mut at = domain;
    while let Some(parent) = domain::table
        .find(at)
        .select(domain::parent)
        .first::<Option<DomainId>>(conn)
        .optional()?
        .flatten()
    {
        if chain.contains(&parent) {
            break; // a cycle in bad data: stop rather than loop
        }
        chain.push(parent);
        at = parent;
    }
    Ok(chain)
}

/// The row of `owner`, `ty` and `tag`, locked (`FOR UPDATE`), created first when missing (as
/// CloudStack creates missing tagged rows on the fly); returns its count.
fn lock_row(
    conn: &mut MysqlConnection,
    owner: Owner,
    ty: ResourceType,
    tag: Option<&str>,
) -> Result<i64> {
    let (account, domain) = ids(owner);
    let read = |conn: &mut MysqlConnection| -> Result<Option<i64>> {
        Ok(LockCount {
            ty: ty.as_str(),
            tag: tag.map(str::to_owned),
            account,
            domain,
        }
        .get_result::<i64>(conn)
        .optional()?)
    };
    if let Some(count) = read(conn)? {
        return Ok(count);
    }
    insert_row(conn, owner, ty, tag)?;
    Ok(read(conn)?.unwrap_or(0))
}

fn ids(owner: Owner) -> (Option<u64>, Option<u64>) {
    match owner {
        Owner::Account(a) => (Some(a.get()), None),
        Owner::Domain(d) => (None, Some(d.get())),
    }
}

crate::db::statement::cached_statement! {
    /// An owner's count row of a type and tag (`<=>`: NULL for the untagged row), locked.
    LockCount {
        ty: &'static str as diesel::sql_types::Text,
        tag: Option<String> as diesel::sql_types::Nullable<diesel::sql_types::Text>,
        account: Option<u64> as diesel::sql_types::Nullable<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>>,
        domain: Option<u64> as diesel::sql_types::Nullable<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>>,
    } -> diesel::sql_types::BigInt =
        "SELECT `count` FROM `resource_count` WHERE `type` = ? AND `tag` <=> ? \
         AND `account_id` <=> ? AND `domain_id` <=> ? ORDER BY `id` LIMIT 1 FOR UPDATE"
}

crate::db::statement::cached_statement! {
    /// Adds to an owner's count row of a type and tag.
    AddToCount {
        delta: i64 as diesel::sql_types::BigInt,
        ty: &'static str as diesel::sql_types::Text,
        tag: Option<String> as diesel::sql_types::Nullable<diesel::sql_types::Text>,
        account: Option<u64> as diesel::sql_types::Nullable<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>>,
        domain: Option<u64> as diesel::sql_types::Nullable<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>>,
    } = "UPDATE `resource_count` SET `count` = `count` + ? WHERE `type` = ? AND `tag` <=> ? \
         AND `account_id` <=> ? AND `domain_id` <=> ?"
}

crate::db::statement::cached_statement! {
    /// An owner's limit of a type and tag.
    OwnLimit {
        ty: &'static str as diesel::sql_types::Text,
        tag: Option<String> as diesel::sql_types::Nullable<diesel::sql_types::Text>,
        account: Option<u64> as diesel::sql_types::Nullable<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>>,
        domain: Option<u64> as diesel::sql_types::Nullable<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>>,
    } -> diesel::sql_types::BigInt =
        "SELECT `max` FROM `resource_limit` WHERE `type` = ? AND `tag` <=> ? \
         AND `account_id` <=> ? AND `domain_id` <=> ? ORDER BY `id` LIMIT 1"
}

/// The rows a change of one account's counts touches: the account's, then every domain's
/// above it (nearest first, ROOT last), and whether the account is a root admin — looked up
/// once for all the types one operation counts.
struct Ledger {
    account: AccountId,
    root_admin: bool,
    chain: Vec<DomainId>,
}

impl Ledger {
    fn of(conn: &mut MysqlConnection, account: AccountId) -> Result<Self> {
        let owner = counted(conn, account)?;
        let chain = match owner.domain {
            Some(d) => domain_chain(conn, d)?,
            None => Vec::new(),
        };
        Ok(Self {
            account,
            root_admin: owner.root_admin,
            chain,
        })
    }

    fn owners(&self) -> impl Iterator<Item = Owner> + '_ {
        std::iter::once(Owner::Account(self.account))
            .chain(self.chain.iter().map(|d| Owner::Domain(*d)))
    }

    /// Adds `delta` to every row of `ty` and `tag`, locked first in one order (the account,
    /// then its domains upwards) by every writer; one cached statement per row.
    fn add(
        &self,
        conn: &mut MysqlConnection,
        ty: ResourceType,
        tag: Option<&str>,
        delta: i64,
    ) -> Result<()> {
        if delta == 0 {
            return Ok(());
        }
        for owner in self.owners() {
            lock_row(conn, owner, ty, tag)?;
        }
        for owner in self.owners() {
            let (account, domain) = ids(owner);
            AddToCount {
                delta,
                ty: ty.as_str(),
                tag: tag.map(str::to_owned),
                account,
                domain,
            }
            .execute(conn)?;
        }
        Ok(())
    }

    /// Checks `wanted` more of `ty` (under `tag`) against the account's limit, then each
    /// domain's up to ROOT, under the count rows' locks. A tag without a limit of its own is
    /// limited as the untagged type (`findCorrectResourceLimitForAccount/ForDomain`).
    fn check(
        &self,
        conn: &mut MysqlConnection,
        ty: ResourceType,
        tag: Option<&str>,
        wanted: i64,
    ) -> Result<()> {
        if wanted <= 0 {
            return Ok(());
        }
        let account = self.account;
        let named = |owner: String| match tag {
            Some(t) => format!("{owner} (tag {t})"),
            None => owner,
        };
        let count = lock_row(conn, Owner::Account(account), ty, tag)?;
        let limit = if self.root_admin {
            -1
        } else {
            self.account_limit(conn, ty, tag)?
        };
        over(limit, count, wanted, ty, || {
            named(format!("account {account}"))
        })?;
        for at in 0..self.chain.len() {
            let d = self.chain[at];
            let count = lock_row(conn, Owner::Domain(d), ty, tag)?;
            let limit = self.domain_limit(conn, at, ty, tag)?;
            over(limit, count, wanted, ty, || named(format!("domain {d}")))?;
        }
        Ok(())
    }

    fn account_limit(
        &self,
        conn: &mut MysqlConnection,
        ty: ResourceType,
        tag: Option<&str>,
    ) -> Result<i64> {
        if let Some(l) = own_limit(conn, Owner::Account(self.account), ty, tag)? {
            return Ok(l);
        }
        match tag {
            Some(_) => self.account_limit(conn, ty, None),
            None => default_limit(conn, "account", ty),
        }
    }

    /// The limit of the domain at `self.chain[at]`: its own row, else the nearest ancestor's
    /// below ROOT, else (for a tag) the untagged limit, else `max.domain.<type>`; ROOT has none.
    fn domain_limit(
        &self,
        conn: &mut MysqlConnection,
        at: usize,
        ty: ResourceType,
        tag: Option<&str>,
    ) -> Result<i64> {
        if self.chain[at] == ROOT_DOMAIN {
            return Ok(-1);
        }
        for above in &self.chain[at..] {
            if *above == ROOT_DOMAIN {
                break;
            }
            if let Some(l) = own_limit(conn, Owner::Domain(*above), ty, tag)? {
                return Ok(l);
            }
        }
        match tag {
            Some(_) => self.domain_limit(conn, at, ty, None),
            None => default_limit(conn, "domain", ty),
        }
    }
}

/// The untagged row and each of `tags`: the rows one change touches.
fn with_untagged(tags: &[String]) -> impl Iterator<Item = Option<&str>> {
    std::iter::once(None).chain(tags.iter().map(|t| Some(t.as_str())))
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
    for (ty, delta) in deltas {
        for tag in with_untagged(tags) {
            ledger.add(conn, *ty, tag, *delta)?;
        }
    }
    Ok(())
}

/// Checks that `account` may have each `(type, wanted)` more: its limit (its `resource_limit`
/// row, else `max.account.<type>`, else unlimited; none for root admins), then each domain
/// above it up to ROOT (its row, else its ancestors' rows below ROOT, else
/// `max.domain.<type>`; ROOT has none). The count rows are locked first, so concurrent
/// creators are checked one after the other. Over a limit: [`Error::LimitExceeded`], nothing
/// changed.
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
    for (ty, amount) in wanted {
        ledger.check(conn, *ty, None, *amount)?;
    }
    Ok(())
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
    for (ty, amount) in amounts {
        for tag in with_untagged(tags) {
            ledger.check(conn, *ty, tag, *amount)?;
        }
    }
    for (ty, amount) in amounts {
        for tag in with_untagged(tags) {
            ledger.add(conn, *ty, tag, *amount)?;
        }
    }
    Ok(())
}

fn over(
    limit: i64,
    count: i64,
    wanted: i64,
    ty: ResourceType,
    owner: impl FnOnce() -> String,
) -> Result<()> {
    let Some(after) = count.checked_add(wanted) else {
        return Err(Error::invalid_value(
            "resource_count.count",
            wanted.to_string(),
            format!(
                "the {ty} count of {} ({count}) cannot grow by that much",
                owner()
            ),
        ));
    };
    if limit >= 0 && after > limit {
        return Err(Error::LimitExceeded {
            resource: ty.as_str(),
            owner: owner(),
            limit,
            count,
            wanted,
        });
    }
    Ok(())
}

/// The `resource_limit` of `owner`, `ty` and `tag`, if an administrator set one.
fn own_limit(
    conn: &mut MysqlConnection,
    owner: Owner,
    ty: ResourceType,
    tag: Option<&str>,
) -> Result<Option<i64>> {
    let (account, domain) = ids(owner);
    Ok(OwnLimit {
        ty: ty.as_str(),
        tag: tag.map(str::to_owned),
        account,
        domain,
    }
    .get_result::<i64>(conn)
    .optional()?)
}

/// The global default `max.<kind>.<type>` (GiB for storage types, counted in bytes); a
/// missing, unreadable or negative value is unlimited (`-1`).
fn default_limit(conn: &mut MysqlConnection, kind: &str, ty: ResourceType) -> Result<i64> {
    let name = format!("max.{kind}.{}", ty.setting_suffix());
    let value = settings::global(conn, &name)?
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(-1);
    Ok(match value {
        v if v < 0 => -1,
        v if ty.is_storage() => v.saturating_mul(1 << 30),
        v => v,
    })
}
