//! One change of an account's counts as a handful of statements, however many types, tags and
//! domains it touches: the account looked up, its count rows found (missing ones created), locked
//! together in ascending id order, checked against the limits read in one statement (and the
//! global defaults in one more, when some limit falls back to them), then changed by one
//! `UPDATE` (`listAllRowsToUpdate`, `lockRows`, `updateCountByDeltaForIds`).

use std::collections::BTreeMap;

use diesel::prelude::*;

use super::ResourceType;
use super::accounting::{Owner, insert_row};
use super::batch::{
    AccountLedger, AddCounts, CountRows, DOMAIN_SLOTS, LockCounts, NO_DOMAIN, OwnLimits, ROW_SLOTS,
    TYPE_SLOTS,
};
use crate::repo::settings;
use crate::schema::cloud::domain;
use crate::types::{AccountId, DomainId};
use crate::{Error, Result};

/// The ROOT domain: it has no limits.
const ROOT_DOMAIN: DomainId = DomainId(1);

/// One row a change touches: a type (under a tag, or untagged) of one owner.
pub(super) type Kind<'t> = (ResourceType, Option<&'t str>);

/// A count row found for an owner and kind, with its count once locked.
struct Row {
    id: u64,
    owner: Owner,
    ty: ResourceType,
    tag: Option<String>,
    count: i64,
}

/// The account a change is for: whether it is a root admin and its domain and every domain
/// above it (nearest first, ROOT last), looked up once for every type the change counts.
pub(super) struct Ledger {
    account: AccountId,
    root_admin: bool,
    chain: Vec<DomainId>,
}

/// The rows of one change, found (and locked, for a check).
pub(super) struct Rows<'l> {
    ledger: &'l Ledger,
    rows: Vec<Row>,
}

impl Ledger {
    /// The account, its role and its domain's parent in one statement; further ancestors one
    /// statement each.
    pub(super) fn of(conn: &mut MysqlConnection, account: AccountId) -> Result<Self> {
        let (domain, kind, role, role_type, parent): (
            Option<u64>,
            u32,
            Option<u64>,
            Option<String>,
            Option<u64>,
        ) = AccountLedger {
            account: account.get(),
        }
        .get_result(conn)?;
        // CloudStack's isRootAdmin: the account's role is of type Admin (type ADMIN without role).
        let root_admin = match role {
            Some(_) => role_type.as_deref() == Some("Admin"),
            None => kind == 1,
        };
        let mut chain: Vec<DomainId> = domain.map(DomainId).into_iter().collect();
        let mut next = parent.map(DomainId);
        while let Some(parent) = next {
            if chain.contains(&parent) {
                break; // a cycle in bad data: stop rather than loop
            }
            chain.push(parent);
            next = domain::table
                .find(parent)
                .select(domain::parent)
                .first::<Option<DomainId>>(conn)
                .optional()?
                .flatten();
        }
        Ok(Self {
            account,
            root_admin,
            chain,
        })
    }

    /// Whether the account is a root admin, whom CloudStack does not limit at all
    /// (`checkResourceLimitWithTag` returns before it locks or checks anything).
    pub(super) fn unlimited(&self) -> bool {
        self.root_admin
    }

    fn owners(&self) -> impl Iterator<Item = Owner> + '_ {
        std::iter::once(Owner::Account(self.account))
            .chain(self.chain.iter().map(|d| Owner::Domain(*d)))
    }

    fn domain_ids(&self) -> Vec<u64> {
        self.chain.iter().map(|d| d.get()).collect()
    }

    /// Every owner's row of each of `kinds`, created first where missing (as CloudStack creates
    /// missing tagged rows on the fly); not locked.
    pub(super) fn rows(&self, conn: &mut MysqlConnection, kinds: &[Kind<'_>]) -> Result<Rows<'_>> {
        let mut rows = self.read_rows(conn, kinds)?;
        let mut created = false;
        for owner in self.owners() {
            for (ty, tag) in kinds {
                if !rows.iter().any(|r| r.is(owner, *ty, *tag)) {
                    insert_row(conn, owner, *ty, *tag)?;
                    created = true;
                }
            }
        }
        if created {
            rows = self.read_rows(conn, kinds)?;
        }
        Ok(Rows { ledger: self, rows })
    }

    /// The oldest row of each owner and kind (a NULL tag does not stop duplicates).
    fn read_rows(&self, conn: &mut MysqlConnection, kinds: &[Kind<'_>]) -> Result<Vec<Row>> {
        let mut types: Vec<&'static str> = kinds.iter().map(|(ty, _)| ty.as_str()).collect();
        types.sort_unstable();
        types.dedup();
        let domains = self.domain_ids();
        let domains: &[u64] = if domains.is_empty() {
            NO_DOMAIN
        } else {
            &domains
        };
        let mut found = Vec::new();
        for types in types.chunks(TYPE_SLOTS) {
            for domains in domains.chunks(DOMAIN_SLOTS) {
                found.extend(
                    CountRows {
                        types,
                        account: self.account.get(),
                        domains,
                    }
                    .load::<(
                        u64,
                        Option<String>,
                        Option<String>,
                        Option<u64>,
                        Option<u64>,
                    )>(conn)?,
                );
            }
        }
        found.sort_unstable_by_key(|r| r.0);
        let mut rows: Vec<Row> = Vec::with_capacity(found.len());
        for (id, ty, tag, account, domain) in found {
            let Some(ty) = ty.as_deref().and_then(ResourceType::from_name) else {
                continue;
            };
            let Some(owner) = owner_of(account, domain) else {
                continue;
            };
            let wanted = kinds.iter().any(|(t, g)| *t == ty && *g == tag.as_deref());
            if wanted && !rows.iter().any(|r| r.is(owner, ty, tag.as_deref())) {
                rows.push(Row {
                    id,
                    owner,
                    ty,
                    tag,
                    count: 0,
                });
            }
        }
        Ok(rows)
    }
}

/// The owner of a count or limit row: an account's (no domain) or a domain's (no account).
fn owner_of(account: Option<u64>, domain: Option<u64>) -> Option<Owner> {
    match (account, domain) {
        (Some(a), None) => Some(Owner::Account(AccountId(a))),
        (None, Some(d)) => Some(Owner::Domain(DomainId(d))),
        _ => None,
    }
}

impl Row {
    fn is(&self, owner: Owner, ty: ResourceType, tag: Option<&str>) -> bool {
        self.owner == owner && self.ty == ty && self.tag.as_deref() == tag
    }
}

/// A limit as found: a value, or a global default still to read.
enum Limit {
    Is(i64),
    Default(String, ResourceType),
}

impl Rows<'_> {
    /// Locks every row (`FOR UPDATE`, ascending id: one order for every writer) and reads its
    /// count.
    pub(super) fn lock(&mut self, conn: &mut MysqlConnection) -> Result<()> {
        let mut ids: Vec<u64> = self.rows.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(ROW_SLOTS) {
            let locked = LockCounts { ids: chunk }.load::<(u64, i64)>(conn)?;
            for (id, count) in locked {
                for row in self.rows.iter_mut().filter(|r| r.id == id) {
                    row.count = count;
                }
            }
        }
        Ok(())
    }

    fn count(&self, owner: Owner, ty: ResourceType, tag: Option<&str>) -> i64 {
        self.rows
            .iter()
            .find(|r| r.is(owner, ty, tag))
            .map_or(0, |r| r.count)
    }

    /// Checks `wanted` more of each kind (locked first) against the account's limit, then each
    /// domain's up to ROOT, kind by kind in order; the first one over is
    /// [`Error::LimitExceeded`]. A tag without a limit of its own is limited as the untagged
    /// type (`findCorrectResourceLimitForAccount/ForDomain`).
    pub(super) fn check(
        &self,
        conn: &mut MysqlConnection,
        wanted: &[(Kind<'_>, i64)],
    ) -> Result<()> {
        let wanted: Vec<_> = wanted.iter().filter(|(_, w)| *w > 0).collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let ledger = self.ledger;
        let mut types: Vec<ResourceType> = wanted.iter().map(|((ty, _), _)| *ty).collect();
        types.sort_unstable_by_key(|t| t.as_str());
        types.dedup();
        let own = self.own_limits(conn, &types)?;
        // Every limit in check order, then the global defaults some of them fall back to.
        let mut limits = Vec::new();
        for ((ty, tag), _) in &wanted {
            limits.push(match ledger.root_admin {
                true => Limit::Is(-1),
                false => account_limit(&own, ledger.account, *ty, *tag),
            });
            for at in 0..ledger.chain.len() {
                limits.push(domain_limit(&own, &ledger.chain, at, *ty, *tag));
            }
        }
        let names: Vec<String> = limits
            .iter()
            .filter_map(|l| match l {
                Limit::Default(name, _) => Some(name.clone()),
                Limit::Is(_) => None,
            })
            .collect();
        let defaults = match names.is_empty() {
            true => Vec::new(),
            false => settings::globals(conn, &names)?,
        };
        let mut limits = limits.into_iter().map(|l| match l {
            Limit::Is(v) => v,
            Limit::Default(name, ty) => default_value(&defaults, &name, ty),
        });
        for ((ty, tag), amount) in wanted {
            let named = |owner: String| match tag {
                Some(t) => format!("{owner} (tag {t})"),
                None => owner,
            };
            for owner in ledger.owners() {
                let limit = limits.next().unwrap_or(-1);
                let count = self.count(owner, *ty, *tag);
                over(limit, count, *amount, *ty, || match owner {
                    Owner::Account(a) => named(format!("account {a}")),
                    Owner::Domain(d) => named(format!("domain {d}")),
                })?;
            }
        }
        Ok(())
    }

    /// The limits set for the account (unless a root admin) and its domains below ROOT.
    fn own_limits(
        &self,
        conn: &mut MysqlConnection,
        types: &[ResourceType],
    ) -> Result<Vec<OwnLimit>> {
        let ledger = self.ledger;
        let domains: Vec<u64> = ledger
            .chain
            .iter()
            .filter(|d| **d != ROOT_DOMAIN)
            .map(|d| d.get())
            .collect();
        if ledger.root_admin && domains.is_empty() {
            return Ok(Vec::new());
        }
        let domains: &[u64] = if domains.is_empty() {
            NO_DOMAIN
        } else {
            &domains
        };
        let names: Vec<&'static str> = types.iter().map(|t| t.as_str()).collect();
        let mut own = Vec::new();
        for types in names.chunks(TYPE_SLOTS) {
            for domains in domains.chunks(DOMAIN_SLOTS) {
                let rows = OwnLimits {
                    types,
                    account: ledger.account.get(),
                    domains,
                }
                .load::<(
                    Option<String>,
                    Option<String>,
                    Option<u64>,
                    Option<u64>,
                    i64,
                )>(conn)?;
                own.extend(
                    rows.into_iter()
                        .filter_map(|(ty, tag, account, domain, max)| {
                            Some(OwnLimit {
                                ty: ResourceType::from_name(ty.as_deref()?)?,
                                tag,
                                owner: owner_of(account, domain)?,
                                max,
                            })
                        }),
                );
            }
        }
        Ok(own)
    }

    /// Adds each `(kind, delta)` to every owner's row of the kind, in one statement a
    /// [`ROW_SLOTS`] rows (ascending id).
    pub(super) fn add(&self, conn: &mut MysqlConnection, deltas: &[(Kind<'_>, i64)]) -> Result<()> {
        let mut by_id: BTreeMap<u64, i64> = BTreeMap::new();
        for ((ty, tag), delta) in deltas.iter().filter(|(_, d)| *d != 0) {
            for row in self
                .rows
                .iter()
                .filter(|r| r.ty == *ty && r.tag.as_deref() == *tag)
            {
                let sum = by_id.entry(row.id).or_default();
                *sum = sum.saturating_add(*delta);
            }
        }
        let (ids, sums): (Vec<u64>, Vec<i64>) = by_id.into_iter().filter(|(_, d)| *d != 0).unzip();
        for (ids, deltas) in ids.chunks(ROW_SLOTS).zip(sums.chunks(ROW_SLOTS)) {
            // Unchecked (root admin) counts can still overflow: the server refuses the UPDATE
            // (out of range), and the caller gets the typed error a check gives.
            AddCounts { ids, deltas }
                .execute(conn)
                .map_err(|e| match &e {
                    diesel::result::Error::DatabaseError(_, info)
                        if info.message().contains("value is out of range") =>
                    {
                        Error::invalid_value(
                            "resource_count.count",
                            format!("{deltas:?}"),
                            "a count cannot grow beyond a signed 64-bit number",
                        )
                    }
                    _ => Error::from(e),
                })?;
        }
        Ok(())
    }
}

/// A `resource_limit` row an administrator set.
struct OwnLimit {
    ty: ResourceType,
    tag: Option<String>,
    owner: Owner,
    max: i64,
}

/// The oldest limit set for `owner`, `ty` and `tag`.
fn own(own: &[OwnLimit], owner: Owner, ty: ResourceType, tag: Option<&str>) -> Option<i64> {
    own.iter()
        .find(|l| l.owner == owner && l.ty == ty && l.tag.as_deref() == tag)
        .map(|l| l.max)
}

/// The account's own limit, else (for a tag) its untagged one, else `max.account.<type>`.
fn account_limit(
    set: &[OwnLimit],
    account: AccountId,
    ty: ResourceType,
    tag: Option<&str>,
) -> Limit {
    if let Some(l) = own(set, Owner::Account(account), ty, tag) {
        return Limit::Is(l);
    }
    match tag {
        Some(_) => account_limit(set, account, ty, None),
        None => Limit::Default(format!("max.account.{}", ty.setting_suffix()), ty),
    }
}

/// The limit of the domain at `chain[at]`: its own row, else the nearest ancestor's below ROOT,
/// else (for a tag) the untagged limit, else `max.domain.<type>`; ROOT has none.
fn domain_limit(
    set: &[OwnLimit],
    chain: &[DomainId],
    at: usize,
    ty: ResourceType,
    tag: Option<&str>,
) -> Limit {
    if chain[at] == ROOT_DOMAIN {
        return Limit::Is(-1);
    }
    for above in &chain[at..] {
        if *above == ROOT_DOMAIN {
            break;
        }
        if let Some(l) = own(set, Owner::Domain(*above), ty, tag) {
            return Limit::Is(l);
        }
    }
    match tag {
        Some(_) => domain_limit(set, chain, at, ty, None),
        None => Limit::Default(format!("max.domain.{}", ty.setting_suffix()), ty),
    }
}

/// A global default (GiB for storage types, counted in bytes); a missing, unreadable or
/// negative value is unlimited (`-1`).
fn default_value(defaults: &[(String, Option<String>)], name: &str, ty: ResourceType) -> i64 {
    let value = defaults
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, v)| v.as_deref())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(-1);
    match value {
        v if v < 0 => -1,
        v if ty.is_storage() => v.saturating_mul(1 << 30),
        v => v,
    }
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
