//! The domain tree: `parent`, `path` (`/child/grand/`), `level`, `child_count`, maintained the
//! way CloudStack's `DomainDaoImpl` does.

use diesel::prelude::*;

use super::{Domain, DomainState, NewDomain};
use crate::db::Tx;
use crate::repo::{last_insert_id, now};
use crate::schema::cloud::{account, domain};
use crate::types::{AccountId, DomainId};
use crate::{Error, Result};

/// The ROOT domain's id.
pub const ROOT_DOMAIN: DomainId = DomainId(1);

/// Locks a live domain's row (`FOR UPDATE`) until the transaction ends; a missing or removed
/// domain is [`Error::NotFound`]. Every creation of a name that must be unique in a domain — a
/// child domain, an account, a user — takes it first, so concurrent creators of one name run
/// one after another and the later one sees the earlier's row (CloudStack checks before it
/// inserts and has no key that would stop a second writer).
pub(crate) fn lock_live(conn: &mut MysqlConnection, id: DomainId) -> Result<Domain> {
    Ok(domain::table
        .filter(domain::id.eq(id))
        .filter(domain::removed.is_null())
        .select(Domain::as_select())
        .for_update()
        .first(conn)?)
}

/// What a new domain is made of.
///
/// ```
/// use cloudstack_db::identity::domains::{DomainSpec, ROOT_DOMAIN};
/// let spec = DomainSpec::new(ROOT_DOMAIN, "engineering", cloudstack_db::types::AccountId(2));
/// assert_eq!(spec.parent, ROOT_DOMAIN);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainSpec {
    /// The parent domain.
    pub parent: DomainId,
    /// The name (no `/`; unique among the parent's live children).
    pub name: String,
    /// The owning account.
    pub owner: AccountId,
}

impl DomainSpec {
    /// A child `name` of `parent` owned by `owner`.
    ///
    /// ```
    /// use cloudstack_db::identity::domains::{DomainSpec, ROOT_DOMAIN};
    /// let spec = DomainSpec::new(ROOT_DOMAIN, "web", cloudstack_db::types::AccountId(2));
    /// assert_eq!(spec.name, "web");
    /// ```
    pub fn new(parent: DomainId, name: impl Into<String>, owner: AccountId) -> Self {
        Self {
            parent,
            name: name.into(),
            owner,
        }
    }
}

/// Creates a child domain: the parent is locked, the child's path is the parent's path plus
/// `name/`, its level one more, and the parent's `child_count` and `next_child_seq` go up — in
/// the caller's transaction. A name with `/`, an inactive or missing parent, or a live sibling
/// with the same name is refused.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::identity::domains::{self, DomainSpec, ROOT_DOMAIN};
/// let spec = DomainSpec::new(ROOT_DOMAIN, "engineering", cloudstack_db::types::AccountId(2));
/// let eng = db.write(|tx| domains::create(tx, &spec))?;
/// assert_eq!(eng.path, "/engineering/");
/// # Ok(()) }
/// ```
pub fn create(tx: &mut Tx<'_>, spec: &DomainSpec) -> Result<Domain> {
    let (parent, name, owner) = (spec.parent, spec.name.as_str(), spec.owner);
    let conn = tx.conn();
    if name.trim().is_empty() || name.contains('/') {
        return Err(Error::invalid_value(
            "domain.name",
            name,
            "must not be empty or contain `/`",
        ));
    }
    let parent_row = lock_live(conn, parent)?;
    if parent_row.state != DomainState::Active {
        return Err(Error::Conflict(format!(
            "parent domain {parent} is not active"
        )));
    }
    let sibling: i64 = domain::table
        .filter(domain::parent.eq(parent))
        .filter(domain::name.eq(name))
        .filter(domain::removed.is_null())
        .count()
        .get_result(conn)?;
    if sibling > 0 {
        return Err(Error::Duplicate {
            key: "parent".into(),
        });
    }
    diesel::update(domain::table.filter(domain::id.eq(parent)))
        .set((
            domain::child_count.eq(domain::child_count + 1),
            domain::next_child_seq.eq(domain::next_child_seq + 1),
        ))
        .execute(conn)?;
    diesel::insert_into(domain::table)
        .values(NewDomain {
            id: None,
            parent: Some(parent),
            name: Some(name.to_owned()),
            uuid: Some(uuid::Uuid::new_v4()),
            owner,
            path: format!("{}{name}/", parent_row.path),
            level: Some(parent_row.level + 1),
            child_count: None,
            next_child_seq: None,
            created: Some(now()),
            removed: None,
            state: None,
            network_domain: None,
            domain_type: None,
        })
        .execute(conn)?;
    let id = DomainId(last_insert_id(conn)?);
    crate::resources::create_counts(tx, crate::resources::Owner::Domain(id))?;
    find(tx.conn(), id)
}

crate::repo::live_finders!(
    domain,
    Domain,
    DomainId,
    "identity::domains",
    "cloudstack_db::types::DomainId(1)"
);

/// A live domain by path (`/` is ROOT, `/a/b/` a grandchild).
pub fn find_by_path(conn: &mut MysqlConnection, path: &str) -> Result<Domain> {
    if !crate::repo::fits_charset(path, crate::repo::Charset::Utf8mb3) {
        return Err(Error::NotFound);
    }
    Ok(domain::table
        .filter(domain::path.eq(path))
        .filter(domain::removed.is_null())
        .select(Domain::as_select())
        .first(conn)?)
}

/// `text` with LIKE's wildcards escaped.
fn like_prefix(text: &str) -> String {
    let mut out = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    out.push('%');
    out
}

/// The live domains under `id`, itself included, ordered by path.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list_subtree(conn: &mut MysqlConnection, id: DomainId) -> Result<Vec<Domain>> {
    let top = find(conn, id)?;
    Ok(domain::table
        .filter(domain::path.like(like_prefix(&top.path)))
        .filter(domain::removed.is_null())
        .order(domain::path)
        .select(Domain::as_select())
        .load(conn)?)
}

/// Whether `ancestor` is `descendant` or above it, decided from the two domains' paths (one
/// query for the two rows; the tree is not loaded). Missing or removed domains are not related.
pub fn is_ancestor(
    conn: &mut MysqlConnection,
    ancestor: DomainId,
    descendant: DomainId,
) -> Result<bool> {
    let rows: Vec<(DomainId, String)> = domain::table
        .filter(domain::id.eq_any([ancestor, descendant]))
        .filter(domain::removed.is_null())
        .select((domain::id, domain::path))
        .load(conn)?;
    let path = |id| rows.iter().find(|(i, _)| *i == id).map(|(_, p)| p.as_str());
    Ok(match (path(ancestor), path(descendant)) {
        (Some(a), Some(d)) => d.starts_with(a),
        _ => false,
    })
}

fn ensure_empty(conn: &mut MysqlConnection, id: DomainId) -> Result<()> {
    let accounts: i64 = account::table
        .filter(account::domain_id.eq(id))
        .filter(account::removed.is_null())
        .count()
        .get_result(conn)?;
    let children: i64 = domain::table
        .filter(domain::parent.eq(id))
        .filter(domain::removed.is_null())
        .count()
        .get_result(conn)?;
    if accounts > 0 || children > 0 {
        return Err(Error::Conflict(format!(
            "domain {id} is not empty ({accounts} account(s), {children} child domain(s))"
        )));
    }
    Ok(())
}

/// Soft-deletes an empty domain (no live accounts or children; never ROOT) and lowers its
/// parent's `child_count`, in one transaction.
pub fn remove(tx: &mut Tx<'_>, id: DomainId) -> Result<()> {
    let conn = tx.conn();
    if id == ROOT_DOMAIN {
        return Err(Error::Conflict("the ROOT domain cannot be removed".into()));
    }
    let row = lock_live(conn, id)?;
    let parent = row
        .parent
        .ok_or_else(|| Error::Conflict("a domain without parent cannot be removed".into()))?;
    lock_live(conn, parent)?;
    ensure_empty(conn, id)?;
    diesel::update(domain::table.filter(domain::id.eq(parent)))
        .set(domain::child_count.eq(domain::child_count - 1))
        .execute(conn)?;
    crate::repo::soft_delete!(conn, domain, id)
}

/// Moves an empty domain under `new_parent`: path and level follow, both parents' counts are
/// kept right, in one transaction.
pub fn move_domain(tx: &mut Tx<'_>, id: DomainId, new_parent: DomainId) -> Result<Domain> {
    let conn = tx.conn();
    if id == ROOT_DOMAIN || id == new_parent {
        return Err(Error::Conflict(
            "ROOT cannot move, and a domain cannot be its own parent".into(),
        ));
    }
    let row = lock_live(conn, id)?;
    let old_parent = row
        .parent
        .ok_or_else(|| Error::Conflict("a domain without parent cannot move".into()))?;
    let target = lock_live(conn, new_parent)?;
    lock_live(conn, old_parent)?;
    ensure_empty(conn, id)?;
    let name = row.name.clone().unwrap_or_default();
    let clash: i64 = domain::table
        .filter(domain::parent.eq(new_parent))
        .filter(domain::name.eq(&name))
        .filter(domain::removed.is_null())
        .count()
        .get_result(conn)?;
    if clash > 0 {
        return Err(Error::Duplicate {
            key: "parent".into(),
        });
    }
    diesel::update(domain::table.filter(domain::id.eq(old_parent)))
        .set(domain::child_count.eq(domain::child_count - 1))
        .execute(conn)?;
    diesel::update(domain::table.filter(domain::id.eq(new_parent)))
        .set((
            domain::child_count.eq(domain::child_count + 1),
            domain::next_child_seq.eq(domain::next_child_seq + 1),
        ))
        .execute(conn)?;
    diesel::update(domain::table.filter(domain::id.eq(id)))
        .set((
            domain::parent.eq(new_parent),
            domain::path.eq(format!("{}{name}/", target.path)),
            domain::level.eq(target.level + 1),
        ))
        .execute(conn)?;
    find(conn, id)
}
