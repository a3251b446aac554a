//! Public addresses in quarantine (`quarantined_ips`): after its release an address stays its
//! previous owner's for `public.ip.address.quarantine.duration` minutes (domain setting, default
//! 0 = no quarantine); nobody else is given it meanwhile (`IpAddressManagerImpl`).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Datetime, Nullable, Text, Unsigned};

use super::IpAddress;
use crate::db::Tx;
use crate::repo::{now, settings};
use crate::types::{AccountId, IpAddressId};
use crate::{Error, Result};

/// The setting that turns quarantine on, in minutes.
const DURATION: &str = "public.ip.address.quarantine.duration";
/// CloudStack's system account: its addresses are never quarantined.
const SYSTEM_ACCOUNT: AccountId = AccountId(1);

#[derive(QueryableByName)]
struct Quarantine {
    #[diesel(sql_type = Unsigned<BigInt>)]
    id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    previous_owner_id: u64,
    #[diesel(sql_type = Datetime)]
    end_date: chrono::NaiveDateTime,
    #[diesel(sql_type = Nullable<Datetime>)]
    removed: Option<chrono::NaiveDateTime>,
}

/// Refuses an address still in another owner's quarantine ([`Error::Exhausted`], as
/// CloudStack's InsufficientAddressCapacity); for its previous owner the quarantine ends now.
pub(crate) fn check_allocatable(tx: &mut Tx<'_>, id: IpAddressId, owner: AccountId) -> Result<()> {
    let conn = tx.conn();
    let latest: Option<Quarantine> = diesel::sql_query(
        "SELECT id, previous_owner_id, end_date, removed FROM quarantined_ips \
         WHERE public_ip_address_id = ? ORDER BY id DESC LIMIT 1",
    )
    .bind::<Unsigned<BigInt>, _>(id.get())
    .get_result(conn)
    .optional()?;
    let Some(q) = latest else {
        return Ok(());
    };
    let at = now().naive_utc();
    let still = match q.removed {
        Some(removed) => at < removed,
        None => at < q.end_date,
    };
    if !still {
        return Ok(());
    }
    if q.previous_owner_id != owner.get() {
        return Err(Error::Exhausted {
            resource: "public IP address",
            detail: format!(
                "address {id} is in quarantine for account {} until {}",
                q.previous_owner_id, q.end_date
            ),
        });
    }
    diesel::sql_query(
        "UPDATE quarantined_ips SET removed = ?, removal_reason = ?, remover_account_id = ? \
         WHERE id = ?",
    )
    .bind::<Datetime, _>(at)
    .bind::<Text, _>(
        "IP was removed from quarantine because it has been allocated by the previous owner",
    )
    .bind::<Unsigned<BigInt>, _>(owner.get())
    .bind::<Unsigned<BigInt>, _>(q.id)
    .execute(conn)?;
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
    let at = now().naive_utc();
    diesel::sql_query(
        "INSERT INTO quarantined_ips (uuid, public_ip_address_id, previous_owner_id, created, end_date) \
         VALUES (UUID(), ?, ?, ?, ?)",
    )
    .bind::<Unsigned<BigInt>, _>(ip.id.get())
    .bind::<Unsigned<BigInt>, _>(owner.get())
    .bind::<Datetime, _>(at)
    .bind::<Datetime, _>(at + chrono::Duration::minutes(minutes))
    .execute(conn)?;
    Ok(())
}
