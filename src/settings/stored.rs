//! The `*_details` tables that hold scoped overrides (`ScopedConfigStorage`), their parents
//! (`getParentScope`) and their writes (`updateConfiguration`).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Unsigned};

use super::Scope;
use crate::Result;
use crate::schema::cloud::{
    account, account_details, cluster, cluster_details, data_center_details, domain,
    domain_details, image_store_details, storage_pool, storage_pool_details,
};
use crate::types::{AccountId, DomainId, ZoneId};

/// How far account and domain overrides fall back.
#[derive(Debug, Clone, Copy)]
pub(super) struct Walk {
    /// `enable.domain.settings.for.child.domain`: a domain without a value takes its parent's.
    pub domains_inherit: bool,
    /// `enable.account.settings.for.domain`: an account without a value takes its domain's.
    pub accounts_use_domains: bool,
}

/// A cluster keeps the overprovisioning factors under its own names
/// (`ClusterDetailsDaoImpl.getCpuMemoryOvercommitRatio`).
fn cluster_name(key: &str) -> &str {
    if key.eq_ignore_ascii_case("cpu.overprovisioning.factor") {
        "cpuOvercommitRatio"
    } else if key.eq_ignore_ascii_case("mem.overprovisioning.factor") {
        "memoryOvercommitRatio"
    } else {
        key
    }
}

/// The scope's own stored text of `key` (the first row, as `findDetail`), with the account and
/// domain fall-backs of `AccountDetailsDaoImpl` and `DomainDetailsDaoImpl`.
pub(super) fn value_at(
    conn: &mut MysqlConnection,
    key: &str,
    scope: Scope,
    walk: Walk,
) -> Result<Option<String>> {
    macro_rules! first {
        ($table:ident, $owner:ident, $id:expr, $name:expr) => {
            $table::table
                .filter($table::$owner.eq($id))
                .filter($table::name.eq($name))
                .order($table::id)
                .select($table::value)
                .first::<String>(conn)
                .optional()?
        };
    }
    Ok(match scope {
        Scope::Global | Scope::ManagementServer(_) => None,
        Scope::Zone(z) => first!(data_center_details, dc_id, z.get(), key),
        Scope::Cluster(c) => first!(cluster_details, cluster_id, c, cluster_name(key)),
        Scope::StoragePool(p) => first!(storage_pool_details, pool_id, p, key),
        Scope::ImageStore(s) => first!(image_store_details, store_id, s, key),
        Scope::Domain(d) => {
            let mut at = Some(d);
            let mut found = None;
            while let Some(d) = at {
                found = first!(domain_details, domain_id, d.get(), key);
                if found.is_some() || !walk.domains_inherit {
                    break;
                }
                at = domain_parent(conn, d)?;
            }
            found
        }
        Scope::Account(a) => {
            let own = first!(account_details, account_id, a.get(), key);
            if own.is_some() || !walk.accounts_use_domains || !walk.domains_inherit {
                own
            } else {
                match account_domain(conn, a)? {
                    Some(d) => value_at(conn, key, Scope::Domain(d), walk)?,
                    None => None,
                }
            }
        }
    })
}

fn domain_parent(conn: &mut MysqlConnection, d: DomainId) -> Result<Option<DomainId>> {
    Ok(domain::table
        .find(d)
        .select(domain::parent)
        .first::<Option<DomainId>>(conn)
        .optional()?
        .flatten())
}

fn account_domain(conn: &mut MysqlConnection, a: AccountId) -> Result<Option<DomainId>> {
    Ok(account::table
        .find(a)
        .select(account::domain_id)
        .first::<Option<DomainId>>(conn)
        .optional()?
        .flatten())
}

#[derive(QueryableByName)]
struct Zone {
    #[diesel(sql_type = Unsigned<BigInt>)]
    data_center_id: u64,
}

/// `getParentScope`: a cluster's zone, a pool's cluster (its zone when it has none), an image
/// store's zone, an account's domain; nothing for the others.
pub(super) fn parent_of(conn: &mut MysqlConnection, scope: Scope) -> Result<Option<Scope>> {
    Ok(match scope {
        Scope::Cluster(c) => cluster::table
            .find(c)
            .select(cluster::data_center_id)
            .first::<u64>(conn)
            .optional()?
            .map(|z| Scope::Zone(ZoneId(z))),
        Scope::StoragePool(p) => storage_pool::table
            .find(p)
            .select((storage_pool::cluster_id, storage_pool::data_center_id))
            .first::<(Option<u64>, u64)>(conn)
            .optional()?
            .map(|(cluster, zone)| match cluster {
                Some(c) => Scope::Cluster(c),
                None => Scope::Zone(ZoneId(zone)),
            }),
        Scope::ImageStore(s) => {
            diesel::sql_query("SELECT data_center_id FROM image_store WHERE id = ?")
                .bind::<Unsigned<BigInt>, _>(s)
                .get_result::<Zone>(conn)
                .optional()?
                .map(|z| Scope::Zone(ZoneId(z.data_center_id)))
        }
        Scope::Account(a) => account_domain(conn, a)?.map(Scope::Domain),
        Scope::Global | Scope::Zone(_) | Scope::Domain(_) | Scope::ManagementServer(_) => None,
    })
}

/// Writes `value` (already encrypted where it must be) as `scope`'s override of `key`: zone,
/// pool and image-store rows are replaced (`addDetail`), cluster, account and domain rows
/// updated in place or added. The scope's resource must exist ([`crate::Error::NotFound`]).
pub(super) fn store_at(
    conn: &mut MysqlConnection,
    key: &str,
    scope: Scope,
    value: &str,
) -> Result<()> {
    if missing(conn, scope)? {
        return Err(crate::Error::NotFound);
    }
    macro_rules! replace {
        ($table:ident, $owner:ident, $id:expr, $($extra:expr),*) => {{
            diesel::delete(
                $table::table
                    .filter($table::$owner.eq($id))
                    .filter($table::name.eq(key)),
            )
            .execute(conn)?;
            diesel::insert_into($table::table)
                .values(($table::$owner.eq($id), $table::name.eq(key), $table::value.eq(value) $(, $extra)*))
                .execute(conn)?;
        }};
    }
    macro_rules! upsert {
        ($table:ident, $owner:ident, $id:expr, $name:expr) => {{
            let n = diesel::update(
                $table::table
                    .filter($table::$owner.eq($id))
                    .filter($table::name.eq($name)),
            )
            .set($table::value.eq(value))
            .execute(conn)?;
            if n == 0 {
                diesel::insert_into($table::table)
                    .values((
                        $table::$owner.eq($id),
                        $table::name.eq($name),
                        $table::value.eq(value),
                    ))
                    .execute(conn)?;
            }
        }};
    }
    match scope {
        Scope::Zone(z) => replace!(
            data_center_details,
            dc_id,
            z.get(),
            data_center_details::display.eq(true)
        ),
        Scope::StoragePool(p) => replace!(
            storage_pool_details,
            pool_id,
            p,
            storage_pool_details::display.eq(true)
        ),
        Scope::ImageStore(s) => replace!(
            image_store_details,
            store_id,
            s,
            image_store_details::display.eq(true)
        ),
        Scope::Cluster(c) => upsert!(cluster_details, cluster_id, c, cluster_name(key)),
        Scope::Account(a) => upsert!(account_details, account_id, a.get(), key),
        Scope::Domain(d) => upsert!(domain_details, domain_id, d.get(), key),
        Scope::Global | Scope::ManagementServer(_) => {
            return Err(crate::Error::invalid_value(
                format!("configuration.{key}"),
                scope.name(),
                "no table keeps settings at this scope",
            ));
        }
    }
    Ok(())
}

/// True when the scope's resource does not exist (a live row for zones, clusters, pools,
/// accounts and domains).
fn missing(conn: &mut MysqlConnection, scope: Scope) -> Result<bool> {
    use crate::schema::cloud::data_center;
    let found = match scope {
        Scope::Zone(z) => data_center::table
            .find(z)
            .select(data_center::id)
            .first::<ZoneId>(conn)
            .optional()?
            .is_some(),
        Scope::Cluster(c) => cluster::table
            .find(c)
            .select(cluster::id)
            .first::<u64>(conn)
            .optional()?
            .is_some(),
        Scope::StoragePool(p) => storage_pool::table
            .find(p)
            .select(storage_pool::id)
            .first::<u64>(conn)
            .optional()?
            .is_some(),
        Scope::Account(a) => account::table
            .find(a)
            .select(account::id)
            .first::<AccountId>(conn)
            .optional()?
            .is_some(),
        Scope::Domain(d) => domain::table
            .find(d)
            .select(domain::id)
            .first::<DomainId>(conn)
            .optional()?
            .is_some(),
        Scope::ImageStore(s) => {
            diesel::sql_query("SELECT id AS data_center_id FROM image_store WHERE id = ?")
                .bind::<Unsigned<BigInt>, _>(s)
                .get_result::<Zone>(conn)
                .optional()?
                .is_some()
        }
        Scope::Global | Scope::ManagementServer(_) => true,
    };
    Ok(!found)
}
