//! Public addresses in quarantine (`quarantined_ips`): after its release an address stays its
//! previous owner's for `public.ip.address.quarantine.duration` minutes (domain setting, default
//! 0 = no quarantine); nobody else is given it meanwhile (`IpAddressManagerImpl`). An
//! administrator can end a quarantine early ([`end`]) or move its end ([`set_end_date`]).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{IpAddress, QuarantinedIp};
use crate::db::Tx;
use crate::repo::{Charset, check_text, now, settings};
use crate::schema::cloud::quarantined_ips;
use crate::types::{AccountId, IpAddressId, UtcDateTime};
use crate::{Error, Result};

/// The setting that turns quarantine on, in minutes.
const DURATION: &str = "public.ip.address.quarantine.duration";
/// CloudStack's system account: its addresses are never quarantined.
const SYSTEM_ACCOUNT: AccountId = AccountId(1);

/// The address's quarantine if one holds now (its latest row, not ended, before its end date).
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::network::quarantine;
/// if let Some(q) = quarantine::current(conn, cloudstack_db::types::IpAddressId(9))? {
///     println!("kept for account {} until {}", q.previous_owner_id, q.end_date);
/// }
/// # Ok(()) }
/// ```
pub fn current(conn: &mut MysqlConnection, ip: IpAddressId) -> Result<Option<QuarantinedIp>> {
    let latest: Option<QuarantinedIp> = quarantined_ips::table
        .filter(quarantined_ips::public_ip_address_id.eq(ip))
        .order(quarantined_ips::id.desc())
        .select(QuarantinedIp::as_select())
        .first(conn)
        .optional()?;
    Ok(latest.filter(|q| q.active_at(now())))
}

/// Ends the address's quarantine now (`removeQuarantinedIp`), recording who and why, in the
/// caller's transaction; [`Error::NotFound`] when none holds. A reason longer than its column
/// is [`Error::InvalidValue`].
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::types::{AccountId, IpAddressId};
/// db.write(|tx| cloudstack_db::network::quarantine::end(tx, IpAddressId(9), AccountId(2), "reassigned"))?;
/// # Ok(()) }
/// ```
pub fn end(
    tx: &mut Tx<'_>,
    ip: IpAddressId,
    remover: AccountId,
    reason: &str,
) -> Result<QuarantinedIp> {
    check_text(
        "quarantined_ips.removal_reason",
        reason,
        255,
        Charset::Utf8mb3,
    )?;
    let conn = tx.conn();
    let q = locked_current(conn, ip)?.ok_or(Error::NotFound)?;
    diesel::update(quarantined_ips::table.find(q.id))
        .set((
            quarantined_ips::removed.eq(Some(now().naive_utc())),
            quarantined_ips::removal_reason.eq(Some(reason)),
            quarantined_ips::remover_account_id.eq(Some(remover)),
        ))
        .execute(conn)?;
    reread(conn, q.id)
}

/// Moves the end of the address's quarantine to `end_date` (`updateQuarantinedIp`), which must
/// lie ahead ([`Error::InvalidValue`]); [`Error::NotFound`] when none holds.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let until = chrono::Utc::now() + chrono::Duration::hours(2);
/// db.write(|tx| cloudstack_db::network::quarantine::set_end_date(tx, cloudstack_db::types::IpAddressId(9), until))?;
/// # Ok(()) }
/// ```
pub fn set_end_date(
    tx: &mut Tx<'_>,
    ip: IpAddressId,
    end_date: DateTime<Utc>,
) -> Result<QuarantinedIp> {
    if end_date <= now() {
        return Err(Error::invalid_value(
            "quarantined_ips.end_date",
            end_date.to_rfc3339(),
            "the end of a quarantine must lie ahead",
        ));
    }
    let conn = tx.conn();
    let q = locked_current(conn, ip)?.ok_or(Error::NotFound)?;
    diesel::update(quarantined_ips::table.find(q.id))
        .set(quarantined_ips::end_date.eq(UtcDateTime::from(end_date)))
        .execute(conn)?;
    reread(conn, q.id)
}

/// [`current`], its row locked.
fn locked_current(conn: &mut MysqlConnection, ip: IpAddressId) -> Result<Option<QuarantinedIp>> {
    let latest: Option<QuarantinedIp> = quarantined_ips::table
        .filter(quarantined_ips::public_ip_address_id.eq(ip))
        .order(quarantined_ips::id.desc())
        .select(QuarantinedIp::as_select())
        .for_update()
        .first(conn)
        .optional()?;
    Ok(latest.filter(|q| q.active_at(now())))
}

fn reread(conn: &mut MysqlConnection, id: u64) -> Result<QuarantinedIp> {
    Ok(quarantined_ips::table
        .find(id)
        .select(QuarantinedIp::as_select())
        .first(conn)?)
}

/// Refuses an address still in another owner's quarantine ([`Error::Exhausted`], as
/// CloudStack's InsufficientAddressCapacity); for its previous owner the quarantine ends now.
pub(crate) fn check_allocatable(tx: &mut Tx<'_>, id: IpAddressId, owner: AccountId) -> Result<()> {
    let Some(q) = locked_current(tx.conn(), id)? else {
        return Ok(());
    };
    if q.previous_owner_id != owner {
        return Err(Error::Exhausted {
            resource: "public IP address",
            detail: format!(
                "address {id} is in quarantine for account {} until {}",
                q.previous_owner_id, q.end_date
            ),
        });
    }
    end(
        tx,
        id,
        owner,
        "IP was removed from quarantine because it has been allocated by the previous owner",
    )?;
    Ok(())
}

/// After a release: quarantines the address for its previous owner when the domain setting
/// (`settings::for_domain`) gives a duration above 0; never for the system account.
pub(crate) fn quarantine_released(tx: &mut Tx<'_>, ip: &IpAddress, owner: AccountId) -> Result<()> {
    if owner == SYSTEM_ACCOUNT {
        return Ok(());
    }
    let conn = tx.conn();
    let minutes = settings::for_domain(conn, ip.domain_id, DURATION)?
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(0);
    if minutes <= 0 {
        return Ok(());
    }
    let at = now();
    diesel::insert_into(quarantined_ips::table)
        .values((
            quarantined_ips::uuid.eq(Some(uuid::Uuid::new_v4().to_string())),
            quarantined_ips::public_ip_address_id.eq(ip.id),
            quarantined_ips::previous_owner_id.eq(owner),
            quarantined_ips::created.eq(UtcDateTime::from(at)),
            quarantined_ips::end_date
                .eq(UtcDateTime::from(at + chrono::Duration::minutes(minutes))),
        ))
        .execute(conn)?;
    Ok(())
}
