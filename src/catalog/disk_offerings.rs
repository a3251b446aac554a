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

crate::repo::live_list_all!(disk_offering, DiskOffering, "catalog::disk_offerings");
