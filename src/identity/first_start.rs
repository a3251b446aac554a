//! The last step of a fresh install, which CloudStack's management server takes at its first
//! start: enabling the default `admin` user. Migrating never does it; the setup tool and
//! deployments without a Java server call [`finish_fresh_install`] explicitly.

use diesel::prelude::*;

use super::AccountState;
use super::password::hash_password;
use crate::Result;
use crate::db::Tx;
use crate::schema::cloud::user;
use crate::types::UserId;

/// The default admin user's id.
pub const DEFAULT_ADMIN_ID: UserId = UserId(2);
/// The password a fresh CloudStack install gives the admin user. Change it.
pub const DEFAULT_ADMIN_PASSWORD: &str = "password";

/// Enables user 2 (`admin`) with the password `password`, hashed CloudStack's default way, if
/// it is still `disabled` — what CloudStack's management server does at its first start on a
/// fresh install. Returns whether it changed anything (a second call changes nothing).
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::identity::first_start::finish_fresh_install;
/// if db.write(finish_fresh_install)? {
///     eprintln!("admin enabled with the default password: change it");
/// }
/// # Ok(()) }
/// ```
pub fn finish_fresh_install(tx: &mut Tx<'_>) -> Result<bool> {
    let conn = tx.conn();
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
