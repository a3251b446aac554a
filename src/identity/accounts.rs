//! Accounts: create, find by name within a domain, list, state changes, role, soft delete.

use diesel::prelude::*;

use super::{Account, AccountState, AccountType, NewAccount};
use crate::db::Tx;
use crate::repo::{Charset, check_text, exists};
use crate::repo::{Page, PageRequest, last_insert_id, now};
use crate::schema::cloud::account;
use crate::types::{AccountId, DomainId, RoleId};
use crate::{Error, Result};

/// The default role of an account type, as CloudStack's `RoleType` maps them.
///
/// ```
/// use cloudstack_db::identity::{accounts::default_role, AccountType};
/// use cloudstack_db::types::RoleId;
/// assert_eq!(default_role(AccountType::Normal), Some(RoleId(4)));
/// assert_eq!(default_role(AccountType::Admin), Some(RoleId(1)));
/// ```
pub fn default_role(account_type: AccountType) -> Option<RoleId> {
    match account_type {
        AccountType::Normal => Some(RoleId(4)),
        AccountType::Admin => Some(RoleId(1)),
        AccountType::DomainAdmin => Some(RoleId(3)),
        AccountType::ResourceDomainAdmin => Some(RoleId(2)),
        _ => None,
    }
}

/// Creates an enabled account `name` in `domain`; `role` defaults to the type's default role.
/// A live account with the same name in the domain is [`Error::Duplicate`].
pub fn create(
    tx: &mut Tx<'_>,
    domain: DomainId,
    name: &str,
    account_type: AccountType,
    role: Option<RoleId>,
) -> Result<Account> {
    let conn = tx.conn();
    if name.trim().is_empty() {
        return Err(Error::invalid_value(
            "account.account_name",
            name,
            "must not be empty",
        ));
    }
    check_text("account.account_name", name, 100, Charset::Utf8mb4)?;
    if exists(find_by_name(conn, domain, name))? {
        return Err(Error::Duplicate {
            key: "account_name".into(),
        });
    }
    diesel::insert_into(account::table)
        .values(NewAccount {
            id: None,
            account_name: Some(name.to_owned()),
            uuid: Some(uuid::Uuid::new_v4()),
            account_type,
            role_id: role.or_else(|| default_role(account_type)),
            domain_id: Some(domain),
            state: Some(AccountState::Enabled),
            created: Some(now()),
            removed: None,
            cleanup_needed: None,
            network_domain: None,
            default_zone_id: None,
            default: false,
            api_key_access: None,
        })
        .execute(conn)?;
    let id = AccountId(last_insert_id(conn)?);
    find(conn, id)
}

/// A live account by id.
pub fn find(conn: &mut MysqlConnection, id: AccountId) -> Result<Account> {
    Ok(account::table
        .filter(account::id.eq(id))
        .filter(account::removed.is_null())
        .select(Account::as_select())
        .first(conn)?)
}

/// A live account by name within a domain.
pub fn find_by_name(conn: &mut MysqlConnection, domain: DomainId, name: &str) -> Result<Account> {
    Ok(account::table
        .filter(account::domain_id.eq(domain))
        .filter(account::account_name.eq(name))
        .filter(account::removed.is_null())
        .select(Account::as_select())
        .first(conn)?)
}

/// A page of live accounts of a domain (all domains when `None`), in id order.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list(
    conn: &mut MysqlConnection,
    domain: Option<DomainId>,
    page: &PageRequest,
) -> Result<Page<Account>> {
    let build = || {
        let mut q = account::table
            .filter(account::removed.is_null())
            .into_boxed();
        if let Some(d) = domain {
            q = q.filter(account::domain_id.eq(d));
        }
        q
    };
    let rows = build()
        .filter(account::id.gt(AccountId(page.after_id())))
        .order(account::id)
        .limit(i64::from(page.limit()) + 1)
        .select(Account::as_select())
        .load(conn)?;
    let total = if page.count_total {
        Some(build().count().get_result(conn)?)
    } else {
        None
    };
    Ok(Page::from_rows(rows, page, |a| a.id.get(), total))
}

/// Sets a live account's state (`enabled`, `disabled`, `locked`).
pub fn set_state(tx: &mut Tx<'_>, id: AccountId, state: AccountState) -> Result<Account> {
    let conn = tx.conn();
    let n = diesel::update(
        account::table
            .filter(account::id.eq(id))
            .filter(account::removed.is_null()),
    )
    .set(account::state.eq(state))
    .execute(conn)?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    find(conn, id)
}

/// Gives a live account another role.
pub fn assign_role(tx: &mut Tx<'_>, id: AccountId, role: RoleId) -> Result<Account> {
    let conn = tx.conn();
    let n = diesel::update(
        account::table
            .filter(account::id.eq(id))
            .filter(account::removed.is_null()),
    )
    .set(account::role_id.eq(role))
    .execute(conn)?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    find(conn, id)
}

/// Soft-deletes an account (its rows stay, `removed` is set).
pub fn remove(tx: &mut Tx<'_>, id: AccountId) -> Result<()> {
    let conn = tx.conn();
    crate::repo::soft_delete!(conn, account, id)
}
