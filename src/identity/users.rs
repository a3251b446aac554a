//! Users: create with a CloudStack PBKDF2 password, log in with lockout after failed attempts,
//! state changes, lookups.

use diesel::prelude::*;

use super::password::{hash_password, verify_password};
use super::{Account, AccountState, NewUser, User, UserSource};
use crate::db::Tx;
use crate::repo::{Charset, check_text, exists, fits_charset};
use crate::repo::{last_insert_id, now};
use crate::schema::cloud::{account, user};
use crate::types::{AccountId, DomainId, UserId};
use crate::{Error, Result, Secret};

/// What a new user is made of.
#[derive(Debug, Clone)]
pub struct UserSpec {
    /// Login name (unique within the domain).
    pub username: String,
    /// Password in plain text; stored as a PBKDF2 hash.
    pub password: Secret,
    /// The account it belongs to.
    pub account_id: AccountId,
    /// First name.
    pub firstname: Option<String>,
    /// Last name.
    pub lastname: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
}

/// Creates an enabled user. A live user with the same name in the account's domain is
/// [`Error::Duplicate`].
pub fn create(tx: &mut Tx<'_>, spec: &UserSpec) -> Result<User> {
    let conn = tx.conn();
    if spec.username.trim().is_empty() {
        return Err(Error::invalid_value(
            "user.username",
            &spec.username,
            "must not be empty",
        ));
    }
    if spec.password.is_empty() {
        return Err(Error::InvalidValue {
            column: "user.password".into(),
            value: None,
            reason: "must not be empty".into(),
        });
    }
    check_text("user.username", &spec.username, 255, Charset::Utf8mb3)?;
    for (column, value, charset) in [
        ("user.firstname", &spec.firstname, Charset::Utf8mb4),
        ("user.lastname", &spec.lastname, Charset::Utf8mb4),
        ("user.email", &spec.email, Charset::Utf8mb3),
    ] {
        if let Some(value) = value {
            check_text(column, value, 255, charset)?;
        }
    }
    let hash = hash_password(spec.password.expose());
    let owner: Account = account::table
        .filter(account::id.eq(spec.account_id))
        .filter(account::removed.is_null())
        .select(Account::as_select())
        .first(conn)?;
    if let Some(domain) = owner.domain_id {
        // Creations in one domain run one after another (see `domains::lock_live`).
        super::domains::lock_live(conn, domain)?;
        if exists(find_by_username(conn, domain, &spec.username))? {
            return Err(Error::Duplicate {
                key: "username".into(),
            });
        }
    }
    diesel::insert_into(user::table)
        .values(NewUser {
            id: None,
            uuid: Some(uuid::Uuid::new_v4()),
            username: spec.username.clone(),
            password: hash,
            account_id: spec.account_id,
            firstname: spec.firstname.clone(),
            lastname: spec.lastname.clone(),
            email: spec.email.clone(),
            state: Some(AccountState::Enabled),
            api_key: None,
            secret_key: None,
            api_key_access: None,
            created: now(),
            removed: None,
            timezone: None,
            registration_token: None,
            is_registered: false,
            incorrect_login_attempts: None,
            default: false,
            source: Some(UserSource::Native),
            external_entity: None,
            is_user_2fa_enabled: false,
            key_for_2fa: None,
            user_2fa_provider: None,
        })
        .execute(conn)?;
    let id = UserId(last_insert_id(conn)?);
    find(conn, id)
}

crate::repo::live_finders!(
    user,
    User,
    UserId,
    "identity::users",
    "cloudstack_db::types::UserId(2)"
);

/// Changes for [`update`]: `None` leaves a column alone; `Some(None)` sets it to NULL. (Name,
/// password, state and keys have functions of their own.)
///
/// ```
/// let c = cloudstack_db::identity::users::UserChanges { email: Some(None), ..Default::default() };
/// assert!(c.firstname.is_none());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, AsChangeset)]
#[diesel(table_name = user, check_for_backend(diesel::mysql::Mysql))]
pub struct UserChanges {
    /// `user.firstname`.
    pub firstname: Option<Option<String>>,
    /// `user.lastname`.
    pub lastname: Option<Option<String>>,
    /// `user.email`.
    pub email: Option<Option<String>>,
    /// `user.timezone`.
    pub timezone: Option<Option<String>>,
}

/// Applies `changes` to a live user and returns it as it is now; a user that is not live is
/// [`Error::NotFound`], a value its column cannot hold [`Error::InvalidValue`].
///
/// ```no_run
/// use cloudstack_db::identity::users::{self, UserChanges};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let changes = UserChanges { email: Some(Some("admin@example.org".into())), ..Default::default() };
/// let admin = db.write(|tx| users::update(tx, cloudstack_db::types::UserId(2), &changes))?;
/// # Ok(()) }
/// ```
pub fn update(tx: &mut Tx<'_>, id: UserId, changes: &UserChanges) -> Result<User> {
    use crate::repo::check_text_change;
    check_text_change("user.firstname", &changes.firstname, 255, Charset::Utf8mb4)?;
    check_text_change("user.lastname", &changes.lastname, 255, Charset::Utf8mb4)?;
    check_text_change("user.email", &changes.email, 255, Charset::Utf8mb3)?;
    check_text_change("user.timezone", &changes.timezone, 30, Charset::Utf8mb3)?;
    let conn = tx.conn();
    crate::repo::update_live!(conn, user, id, changes)?;
    find(conn, id)
}

/// A live user by login name within a domain.
pub fn find_by_username(
    conn: &mut MysqlConnection,
    domain: DomainId,
    username: &str,
) -> Result<User> {
    if !fits_charset(username, Charset::Utf8mb3) {
        return Err(Error::NotFound);
    }
    Ok(user::table
        .inner_join(account::table)
        .filter(account::domain_id.eq(domain))
        .filter(user::username.eq(username))
        .filter(user::removed.is_null())
        .filter(account::removed.is_null())
        .select(User::as_select())
        .first(conn)?)
}

/// Sets a live user's state (`enabled`, `disabled`, `locked`); enabling also clears the failed
/// login count.
pub fn set_state(tx: &mut Tx<'_>, id: UserId, state: AccountState) -> Result<User> {
    let conn = tx.conn();
    let target = user::table
        .filter(user::id.eq(id))
        .filter(user::removed.is_null());
    let n = if state == AccountState::Enabled {
        diesel::update(target)
            .set((user::state.eq(state), user::incorrect_login_attempts.eq(0)))
            .execute(conn)?
    } else {
        diesel::update(target)
            .set(user::state.eq(state))
            .execute(conn)?
    };
    if n == 0 {
        return Err(Error::NotFound);
    }
    find(conn, id)
}

/// Replaces a user's password with the PBKDF2 hash of `password`.
pub fn set_password(tx: &mut Tx<'_>, id: UserId, password: &Secret) -> Result<()> {
    let conn = tx.conn();
    let n = diesel::update(
        user::table
            .filter(user::id.eq(id))
            .filter(user::removed.is_null()),
    )
    .set(user::password.eq(hash_password(password.expose())))
    .execute(conn)?;
    if n == 0 { Err(Error::NotFound) } else { Ok(()) }
}

/// Checks a login: the user (by name in `domain`) and its account must be enabled and live, and
/// the password must verify (in constant time). A wrong password raises
/// `incorrect_login_attempts`; at `max_attempts` the user is locked. Success resets the count.
///
/// The outer `Result` is the database's (it aborts the transaction); the inner one is the
/// verdict ([`Error::AuthenticationFailed`]). Commit the transaction whatever the verdict, so a
/// failed attempt is counted: return the verdict from the closure and `?` it afterwards.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, password: cloudstack_db::Secret) -> cloudstack_db::Result<()> {
/// use cloudstack_db::{identity::users, types::DomainId};
/// let user = db.write(|tx| users::login(tx, DomainId(1), "admin", &password, 5))??;
/// # Ok(()) }
/// ```
pub fn login(
    tx: &mut Tx<'_>,
    domain: DomainId,
    username: &str,
    password: &Secret,
    max_attempts: u32,
) -> Result<Result<User>> {
    let refused = |reason| Error::AuthenticationFailed { reason };
    let conn = tx.conn();
    {
        let row: Option<(User, Account)> = user::table
            .inner_join(account::table)
            .filter(account::domain_id.eq(domain))
            .filter(user::username.eq(username))
            .filter(user::removed.is_null())
            .filter(account::removed.is_null())
            .select((User::as_select(), Account::as_select()))
            .for_update()
            .first(conn)
            .optional()?;
        let Some((found, owner)) = row else {
            return Ok(Err(refused("unknown user")));
        };
        if found.state != AccountState::Enabled {
            return Ok(Err(refused("user is not enabled")));
        }
        if owner.state != AccountState::Enabled {
            return Ok(Err(refused("account is not enabled")));
        }
        if verify_password(password.expose(), found.password.expose()).unwrap_or(false) {
            diesel::update(user::table.filter(user::id.eq(found.id)))
                .set(user::incorrect_login_attempts.eq(0))
                .execute(conn)?;
            return Ok(Ok(find(conn, found.id)?));
        }
        let attempts = found.incorrect_login_attempts + 1;
        let lock = attempts >= max_attempts;
        diesel::update(user::table.filter(user::id.eq(found.id)))
            .set((
                user::incorrect_login_attempts.eq(attempts),
                user::state.eq(if lock {
                    AccountState::Locked
                } else {
                    found.state
                }),
            ))
            .execute(conn)?;
        Ok(Err(refused(if lock {
            "wrong password; the user is now locked"
        } else {
            "wrong password"
        })))
    }
}

/// Soft-deletes a user.
pub fn remove(tx: &mut Tx<'_>, id: UserId) -> Result<()> {
    let conn = tx.conn();
    crate::repo::soft_delete!(conn, user, id)
}
