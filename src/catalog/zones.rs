//! Zones (`data_center`): create, find, list.

use diesel::prelude::*;

use super::{DataCenter, NewDataCenter};
use crate::Result;
use crate::db::Tx;
use crate::repo::{last_insert_id, now};
use crate::schema::cloud::data_center;
use crate::types::ZoneId;

/// Creates a zone; `uuid` and `created` are filled in when left empty.
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database) -> cloudstack_db::Result<()> {
/// let zone = db.write(|tx| zones::create(tx, &NewDataCenter {
///     name: Some("zone1".into()), dns1: "8.8.8.8".into(), internal_dns1: "10.0.0.2".into(),
///     ..Default::default()
/// }))?;
/// # Ok(()) }
/// ```
pub fn create(tx: &mut Tx<'_>, zone: &NewDataCenter) -> Result<DataCenter> {
    let zone = NewDataCenter {
        uuid: zone.uuid.or_else(|| Some(uuid::Uuid::new_v4())),
        created: zone.created.or_else(|| Some(now())),
        ..zone.clone()
    };
    let conn = tx.conn();
    diesel::insert_into(data_center::table)
        .values(zone)
        .execute(conn)?;
    let id = ZoneId(last_insert_id(conn)?);
    find(conn, id)
}

crate::repo::live_finders!(
    data_center,
    DataCenter,
    ZoneId,
    "catalog::zones",
    "cloudstack_db::types::ZoneId(1)",
    name
);

crate::repo::live_list_all!(data_center, DataCenter, "catalog::zones");
