//! Reading an owner's counts and limits, and setting a limit (`ResourceLimitManagerImpl
//! .updateResourceLimit`).

use diesel::prelude::*;

use super::{Owner, ResourceCount, ResourceLimit, ResourceType};
use crate::db::Tx;
use crate::repo::{Charset, check_text};
use crate::schema::cloud::{resource_count, resource_limit};
use crate::{Error, Result};

/// Every count row of `owner` (untagged and tagged), by type and tag.
///
/// ```no_run
/// use cloudstack_db::resources::{counts_of, Owner};
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let rows = counts_of(conn, Owner::Account(cloudstack_db::types::AccountId(2)))?;
/// # Ok(()) }
/// ```
pub fn counts_of(conn: &mut MysqlConnection, owner: Owner) -> Result<Vec<ResourceCount>> {
    Ok(super::accounting::owner_rows(owner)
        .order((
            resource_count::type_,
            resource_count::tag,
            resource_count::id,
        ))
        .select(ResourceCount::as_select())
        .load(conn)?)
}

/// Every limit an administrator set for `owner`, by type and tag (types without a row are
/// limited by the domain tree and the global defaults, see [`super::check_limit`]).
///
/// ```no_run
/// use cloudstack_db::resources::{limits_of, Owner};
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let rows = limits_of(conn, Owner::Domain(cloudstack_db::types::DomainId(3)))?;
/// # Ok(()) }
/// ```
pub fn limits_of(conn: &mut MysqlConnection, owner: Owner) -> Result<Vec<ResourceLimit>> {
    let rows = resource_limit::table.into_boxed();
    let rows = match owner {
        Owner::Account(a) => rows
            .filter(resource_limit::account_id.eq(a))
            .filter(resource_limit::domain_id.is_null()),
        Owner::Domain(d) => rows
            .filter(resource_limit::domain_id.eq(d))
            .filter(resource_limit::account_id.is_null()),
    };
    Ok(rows
        .order((
            resource_limit::type_,
            resource_limit::tag,
            resource_limit::id,
        ))
        .select(ResourceLimit::as_select())
        .load(conn)?)
}

/// Sets `owner`'s limit of `ty` (under `tag`, or for every resource of the type) to `max`
/// (`-1`: unlimited; storage types in bytes), updating its row or adding one, in the caller's
/// transaction. A `max` below -1 is [`Error::InvalidValue`]. Existing resources over the new
/// limit stay; the next create is refused.
///
/// ```no_run
/// use cloudstack_db::resources::{set_limit, Owner, ResourceType};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let owner = Owner::Account(cloudstack_db::types::AccountId(7));
/// db.write(|tx| set_limit(tx, owner, ResourceType::UserVm, None, 20))?;
/// # Ok(()) }
/// ```
pub fn set_limit(
    tx: &mut Tx<'_>,
    owner: Owner,
    ty: ResourceType,
    tag: Option<&str>,
    max: i64,
) -> Result<()> {
    if max < -1 {
        return Err(Error::invalid_value(
            "resource_limit.max",
            max.to_string(),
            "a limit is -1 (unlimited) or more",
        ));
    }
    if let Some(tag) = tag {
        check_text("resource_limit.tag", tag, 64, Charset::Utf8mb3)?;
    }
    let (account, domain) = match owner {
        Owner::Account(a) => (Some(a), None),
        Owner::Domain(d) => (None, Some(d)),
    };
    let conn = tx.conn();
    let existing: Option<u64> = LimitRow {
        ty: ty.as_str(),
        tag: tag.map(str::to_owned),
        account: account.map(|a| a.get()),
        domain: domain.map(|d| d.get()),
    }
    .get_result(conn)
    .optional()?;
    match existing {
        Some(id) => {
            diesel::update(resource_limit::table.find(id))
                .set(resource_limit::max.eq(max))
                .execute(conn)?;
        }
        None => {
            diesel::insert_into(resource_limit::table)
                .values((
                    resource_limit::account_id.eq(account),
                    resource_limit::domain_id.eq(domain),
                    resource_limit::type_.eq(ty.as_str()),
                    resource_limit::max.eq(max),
                    resource_limit::tag.eq(tag),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

crate::db::statement::cached_statement! {
    /// The id of an owner's limit row of a type and tag, locked.
    LimitRow {
        ty: &'static str as diesel::sql_types::Text,
        tag: Option<String> as diesel::sql_types::Nullable<diesel::sql_types::Text>,
        account: Option<u64> as diesel::sql_types::Nullable<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>>,
        domain: Option<u64> as diesel::sql_types::Nullable<diesel::sql_types::Unsigned<diesel::sql_types::BigInt>>,
    } -> diesel::sql_types::Unsigned<diesel::sql_types::BigInt> =
        "SELECT `id` FROM `resource_limit` WHERE `type` = ? AND `tag` <=> ? \
         AND `account_id` <=> ? AND `domain_id` <=> ? ORDER BY `id` LIMIT 1 FOR UPDATE"
}
