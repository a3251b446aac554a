//! Disk offerings (`disk_offering`): create, find, list.

use diesel::prelude::*;

use super::{DiskOffering, NewDiskOffering};
use crate::Result;
use crate::db::Tx;
use crate::repo::{last_insert_id, now};
use crate::schema::cloud::disk_offering;
use crate::types::DiskOfferingId;

/// Creates a disk offering; `uuid` and `created` are filled in when left empty.
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, offering: NewDiskOffering) -> cloudstack_db::Result<()> {
/// let offering = db.write(|tx| disk_offerings::create(tx, &offering))?;
/// # Ok(()) }
/// ```
pub fn create(tx: &mut Tx<'_>, offering: &NewDiskOffering) -> Result<DiskOffering> {
    let offering = NewDiskOffering {
        uuid: offering.uuid.or_else(|| Some(uuid::Uuid::new_v4())),
        created: offering.created.or_else(|| Some(now())),
        ..offering.clone()
    };
    let conn = tx.conn();
    diesel::insert_into(disk_offering::table)
        .values(offering)
        .execute(conn)?;
    let id = DiskOfferingId(last_insert_id(conn)?);
    find(conn, id)
}

crate::repo::live_finders!(
    disk_offering,
    DiskOffering,
    DiskOfferingId,
    "catalog::disk_offerings",
    "cloudstack_db::types::DiskOfferingId(1)",
    name
);

/// Every live disk offering, by id (a short reference list, not paged).
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let offerings = db.read(|c| cloudstack_db::catalog::disk_offerings::list_all(c))?;
/// # Ok(()) }
/// ```
pub fn list_all(conn: &mut MysqlConnection) -> Result<Vec<DiskOffering>> {
    Ok(disk_offering::table
        .filter(disk_offering::removed.is_null())
        .order(disk_offering::id)
        .select(DiskOffering::as_select())
        .load(conn)?)
}
