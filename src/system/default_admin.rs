//! The last step of a fresh install: enabling the default `admin` user.

use diesel::prelude::*;

use crate::Result;
use crate::identity::AccountState;
use crate::identity::password::hash_password;
use crate::schema::cloud::user;
use crate::types::UserId;

/// The default admin user's id.
pub const DEFAULT_ADMIN_ID: UserId = UserId(2);
/// The password a fresh CloudStack install gives the admin user. Change it.
pub const DEFAULT_ADMIN_PASSWORD: &str = "password";

/// Enables user 2 (`admin`) with the password `password`, hashed CloudStack's default way, if
/// it is still `disabled` — what CloudStack's management server does at start on a fresh
/// install. Returns whether it changed anything.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// if cloudstack_db::system::enable_default_admin(conn)? {
///     eprintln!("admin enabled with the default password: change it");
/// }
/// # Ok(()) }
/// ```
pub fn enable_default_admin(conn: &mut MysqlConnection) -> Result<bool> {
    let hash = hash_password(DEFAULT_ADMIN_PASSWORD);
    let changed = diesel::update(
        user::table
            .filter(user::id.eq(DEFAULT_ADMIN_ID))
            .filter(user::state.eq(AccountState::Disabled))
            .filter(user::removed.is_null()),
    )
    .set((
        user::password.eq(&hash),
        user::state.eq(AccountState::Enabled),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}
