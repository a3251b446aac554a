//! Zones (`data_center`) and compute offerings (`service_offering`): create, find, list.

use diesel::prelude::*;

use super::{DataCenter, NewDataCenter, NewServiceOffering, ServiceOffering};
use crate::Result;
use crate::repo::{last_insert_id, now};
use crate::schema::cloud::{data_center, service_offering};
use crate::types::{ServiceOfferingId, ZoneId};

/// Creates a zone; `uuid` and `created` are filled in when left empty.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// use cloudstack_db::compute::{zones_and_offerings::create_zone, NewDataCenter};
/// let zone = create_zone(conn, NewDataCenter {
///     name: Some("zone1".into()), dns1: "8.8.8.8".into(), internal_dns1: "10.0.0.2".into(),
///     ..Default::default()
/// })?;
/// # Ok(()) }
/// ```
pub fn create_zone(conn: &mut MysqlConnection, mut zone: NewDataCenter) -> Result<DataCenter> {
    zone.uuid = zone.uuid.or_else(|| Some(uuid::Uuid::new_v4()));
    zone.created = zone.created.or_else(|| Some(now()));
    crate::db::transaction(conn, |conn| {
        diesel::insert_into(data_center::table)
            .values(zone)
            .execute(conn)?;
        let id = ZoneId(last_insert_id(conn)?);
        find_zone(conn, id)
    })
}

/// A live zone by id.
pub fn find_zone(conn: &mut MysqlConnection, id: ZoneId) -> Result<DataCenter> {
    Ok(data_center::table
        .filter(data_center::id.eq(id))
        .filter(data_center::removed.is_null())
        .select(DataCenter::as_select())
        .first(conn)?)
}

/// A live zone by uuid.
pub fn find_zone_by_uuid(conn: &mut MysqlConnection, uuid: uuid::Uuid) -> Result<DataCenter> {
    Ok(data_center::table
        .filter(data_center::uuid.eq(uuid.hyphenated().to_string()))
        .filter(data_center::removed.is_null())
        .select(DataCenter::as_select())
        .first(conn)?)
}

/// A live zone by name.
pub fn find_zone_by_name(conn: &mut MysqlConnection, name: &str) -> Result<DataCenter> {
    Ok(data_center::table
        .filter(data_center::name.eq(name))
        .filter(data_center::removed.is_null())
        .select(DataCenter::as_select())
        .first(conn)?)
}

/// Every live zone, by id.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list_zones(conn: &mut MysqlConnection) -> Result<Vec<DataCenter>> {
    Ok(data_center::table
        .filter(data_center::removed.is_null())
        .order(data_center::id)
        .select(DataCenter::as_select())
        .load(conn)?)
}

/// Creates a compute offering; `uuid` and `created` are filled in when left empty.
pub fn create_service_offering(
    conn: &mut MysqlConnection,
    mut offering: NewServiceOffering,
) -> Result<ServiceOffering> {
    offering.uuid = offering.uuid.or_else(|| Some(uuid::Uuid::new_v4()));
    offering.created = offering.created.or_else(|| Some(now()));
    crate::db::transaction(conn, |conn| {
        diesel::insert_into(service_offering::table)
            .values(offering)
            .execute(conn)?;
        let id = ServiceOfferingId(last_insert_id(conn)?);
        find_service_offering(conn, id)
    })
}

/// A live compute offering by id.
pub fn find_service_offering(
    conn: &mut MysqlConnection,
    id: ServiceOfferingId,
) -> Result<ServiceOffering> {
    Ok(service_offering::table
        .filter(service_offering::id.eq(id))
        .filter(service_offering::removed.is_null())
        .select(ServiceOffering::as_select())
        .first(conn)?)
}

/// A live compute offering by uuid.
pub fn find_service_offering_by_uuid(
    conn: &mut MysqlConnection,
    uuid: uuid::Uuid,
) -> Result<ServiceOffering> {
    Ok(service_offering::table
        .filter(service_offering::uuid.eq(uuid.hyphenated().to_string()))
        .filter(service_offering::removed.is_null())
        .select(ServiceOffering::as_select())
        .first(conn)?)
}

/// A live compute offering by name.
pub fn find_service_offering_by_name(
    conn: &mut MysqlConnection,
    name: &str,
) -> Result<ServiceOffering> {
    Ok(service_offering::table
        .filter(service_offering::name.eq(name))
        .filter(service_offering::removed.is_null())
        .order(service_offering::id)
        .select(ServiceOffering::as_select())
        .first(conn)?)
}

/// Every live compute offering, by id.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list_service_offerings(conn: &mut MysqlConnection) -> Result<Vec<ServiceOffering>> {
    Ok(service_offering::table
        .filter(service_offering::removed.is_null())
        .order(service_offering::id)
        .select(ServiceOffering::as_select())
        .load(conn)?)
}
