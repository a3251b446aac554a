//! `network_details`: name/value settings of a network (`NetworkDetailsDaoImpl`), e.g.
//! [`HIDE_IP_ADDRESS_USAGE`].

use diesel::prelude::*;

use crate::Result;
use crate::db::Tx;
use crate::repo::{Charset, check_text};
use crate::schema::cloud::network_details;
use crate::types::NetworkId;

/// `Network.hideIpAddressUsage`: with the value `true`, the usage events of the network's
/// public addresses carry the `hidden` detail and CloudStack's usage server hides them.
pub const HIDE_IP_ADDRESS_USAGE: &str = "hideIpAddressUsage";

/// Sets `network`'s detail `name` to `value` (replacing an earlier value), in the caller's
/// transaction. Text longer than its column is [`crate::Error::InvalidValue`].
///
/// ```no_run
/// use cloudstack_db::network::network_details::{self, HIDE_IP_ADDRESS_USAGE};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let net = cloudstack_db::types::NetworkId(204);
/// db.write(|tx| network_details::set(tx, net, HIDE_IP_ADDRESS_USAGE, "true", true))?;
/// # Ok(()) }
/// ```
pub fn set(
    tx: &mut Tx<'_>,
    network: NetworkId,
    name: &str,
    value: &str,
    display: bool,
) -> Result<()> {
    check_text("network_details.name", name, 255, Charset::Utf8mb3)?;
    check_text("network_details.value", value, 1024, Charset::Utf8mb3)?;
    let conn = tx.conn();
    diesel::delete(
        network_details::table
            .filter(network_details::network_id.eq(network))
            .filter(network_details::name.eq(name)),
    )
    .execute(conn)?;
    diesel::insert_into(network_details::table)
        .values((
            network_details::network_id.eq(network),
            network_details::name.eq(name),
            network_details::value.eq(value),
            network_details::display.eq(display),
        ))
        .execute(conn)?;
    Ok(())
}

/// `network`'s detail `name`, if set (the first row, as `findDetail` reads it).
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let hidden = cloudstack_db::network::network_details::get(conn, cloudstack_db::types::NetworkId(204), "hideIpAddressUsage")?;
/// # Ok(()) }
/// ```
pub fn get(conn: &mut MysqlConnection, network: NetworkId, name: &str) -> Result<Option<String>> {
    Ok(network_details::table
        .filter(network_details::network_id.eq(network))
        .filter(network_details::name.eq(name))
        .order(network_details::id)
        .select(network_details::value)
        .first(conn)
        .optional()?)
}

/// Whether `network` hides its addresses' usage (`NetworkDetailsDaoImpl.isNetworkUsageHidden`:
/// the detail is exactly `true`).
pub(crate) fn usage_hidden(conn: &mut MysqlConnection, network: NetworkId) -> Result<bool> {
    Ok(get(conn, network, HIDE_IP_ADDRESS_USAGE)?.as_deref() == Some("true"))
}
