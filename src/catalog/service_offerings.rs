//! Compute offerings (`service_offering`): create, find, list.

use diesel::prelude::*;

use super::{NewServiceOffering, ServiceOffering};
use crate::Result;
use crate::db::Tx;
use crate::repo::{last_insert_id, now};
use crate::schema::cloud::service_offering;
use crate::types::ServiceOfferingId;

/// Creates a compute offering; `uuid` and `created` are filled in when left empty.
///
/// ```no_run
/// use cloudstack_db::prelude::*;
/// # fn demo(db: &Database, offering: NewServiceOffering) -> cloudstack_db::Result<()> {
/// let offering = db.write(|tx| service_offerings::create(tx, &offering))?;
/// # Ok(()) }
/// ```
pub fn create(tx: &mut Tx<'_>, offering: &NewServiceOffering) -> Result<ServiceOffering> {
    let offering = NewServiceOffering {
        uuid: offering.uuid.or_else(|| Some(uuid::Uuid::new_v4())),
        created: offering.created.or_else(|| Some(now())),
        ..offering.clone()
    };
    let conn = tx.conn();
    diesel::insert_into(service_offering::table)
        .values(offering)
        .execute(conn)?;
    let id = ServiceOfferingId(last_insert_id(conn)?);
    find(conn, id)
}

crate::repo::live_finders!(
    service_offering,
    ServiceOffering,
    ServiceOfferingId,
    "catalog::service_offerings",
    "cloudstack_db::types::ServiceOfferingId(1)",
    name
);

crate::repo::live_list_all!(
    service_offering,
    ServiceOffering,
    "catalog::service_offerings"
);
