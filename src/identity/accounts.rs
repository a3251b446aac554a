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

/// What a new account is made of.
///
/// ```
/// use cloudstack_db::identity::{accounts::AccountSpec, AccountType};
/// use cloudstack_db::types::DomainId;
/// let spec = AccountSpec::new(DomainId(1), "team-a", AccountType::Normal);
/// assert_eq!(spec.role_id, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSpec {
    /// The domain it belongs to.
    pub domain_id: DomainId,
    /// The account name (unique among the domain's live accounts).
    pub name: String,
    /// Normal, admin, domain admin, ...
    pub account_type: AccountType,
    /// Its role; `None`: the type's default role ([`default_role`]).
    pub role_id: Option<RoleId>,
}

impl AccountSpec {
    /// An account `name` of `account_type` in `domain` with the type's default role.
    ///
    /// ```
    /// use cloudstack_db::identity::{accounts::AccountSpec, AccountType};
    /// let spec = AccountSpec::new(cloudstack_db::types::DomainId(1), "ops", AccountType::Admin);
    /// assert_eq!(spec.name, "ops");
    /// ```
    pub fn new(domain: DomainId, name: impl Into<String>, account_type: AccountType) -> Self {
        Self {
            domain_id: domain,
            name: name.into(),
            account_type,
            role_id: None,
        }
    }
}

/// Creates an enabled account; the role defaults to the type's default role. A live account
/// with the same name in the domain is [`Error::Duplicate`] — also for concurrent creators: the
/// domain's row is locked first, so they run one after another. A missing or removed domain is
/// [`Error::NotFound`].
///
/// ```no_run
/// use cloudstack_db::identity::{accounts::{self, AccountSpec}, AccountType};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let spec = AccountSpec::new(cloudstack_db::types::DomainId(1), "team-a", AccountType::Normal);
/// let account = db.write(|tx| accounts::create(tx, &spec))?;
/// # Ok(()) }
/// ```
pub fn create(tx: &mut Tx<'_>, spec: &AccountSpec) -> Result<Account> {
    let (domain, name, account_type, role) = (
        spec.domain_id,
        spec.name.as_str(),
        spec.account_type,
        spec.role_id,
    );
    let conn = tx.conn();
    if name.trim().is_empty() {
        return Err(Error::invalid_value(
            "account.account_name",
            name,
            "must not be empty",
        ));
    }
    check_text("account.account_name", name, 100, Charset::Utf8mb4)?;
    // Creations in one domain run one after another (see `domains::lock_live`).
    super::domains::lock_live(conn, domain)?;
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
    // Its resource counts, in the same transaction (ResourceCountDaoImpl.createResourceCounts).
    crate::resources::create_counts(tx, crate::resources::Owner::Account(id))?;
    find(tx.conn(), id)
}

crate::repo::live_finders!(
    account,
    Account,
    AccountId,
    "identity::accounts",
    "cloudstack_db::types::AccountId(2)"
);

/// Changes for [`update`]: `None` leaves a column alone; `Some(None)` sets it to NULL. (Name,
/// state and role have functions of their own.)
///
/// ```
/// let c = cloudstack_db::identity::accounts::AccountChanges { network_domain: Some(None), ..Default::default() };
/// assert!(c.default_zone_id.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = account, check_for_backend(diesel::mysql::Mysql))]
pub struct AccountChanges {
    /// `account.network_domain`.
    pub network_domain: Option<Option<String>>,
    /// `account.default_zone_id` (a zone that does not exist is [`Error::ForeignKey`]).
    pub default_zone_id: Option<Option<crate::types::ZoneId>>,
}

/// Applies `changes` to a live account and returns it as it is now; an account that is not live
/// is [`Error::NotFound`], a value its column cannot hold [`Error::InvalidValue`].
///
/// ```no_run
/// use cloudstack_db::identity::accounts::{self, AccountChanges};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let changes = AccountChanges { network_domain: Some(Some("cs2cloud.internal".into())), ..Default::default() };
/// let admin = db.write(|tx| accounts::update(tx, cloudstack_db::types::AccountId(2), &changes))?;
/// # Ok(()) }
/// ```
pub fn update(tx: &mut Tx<'_>, id: AccountId, changes: &AccountChanges) -> Result<Account> {
    crate::repo::check_text_change(
        "account.network_domain",
        &changes.network_domain,
        255,
        Charset::Utf8mb3,
    )?;
    let conn = tx.conn();
    crate::repo::update_live!(conn, account, id, changes)?;
    find(conn, id)
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
    crate::repo::keyset_page!(
        conn,
        page,
        build,
        account::id,
        AccountId(page.after_id()),
        Account,
        |a: &Account| a.id.get()
    )
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
