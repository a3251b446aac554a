//! Rows of CloudStack's infrastructure tables the crate does not model yet (physical networks,
//! hosts), which the full 4.22 schema's foreign keys require before a public range is created or
//! a VM is started on a host. Written with plain SQL, only the NOT NULL columns set.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Unsigned};

use cloudstack_db::Result;
use cloudstack_db::db::Tx;
use cloudstack_db::types::ZoneId;

/// The physical network `id` of `zone` (`Enabled`), created unless it exists.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::types::ZoneId;
/// db.write(|tx| cloudstack_db_testing::physical_network(tx, ZoneId(1), 200))?;
/// # Ok(()) }
/// ```
pub fn physical_network(tx: &mut Tx<'_>, zone: ZoneId, id: u64) -> Result<u64> {
    diesel::sql_query(
        "INSERT INTO physical_network (id, uuid, name, data_center_id, state, created) \
         SELECT ?, UUID(), CONCAT('physical-', ?), ?, 'Enabled', UTC_TIMESTAMP() FROM DUAL \
         WHERE NOT EXISTS (SELECT 1 FROM physical_network WHERE id = ?)",
    )
    .bind::<Unsigned<BigInt>, _>(id)
    .bind::<Unsigned<BigInt>, _>(id)
    .bind::<Unsigned<BigInt>, _>(zone.0)
    .bind::<Unsigned<BigInt>, _>(id)
    .execute(tx.conn())?;
    Ok(id)
}

/// The routing host `id` of `zone` (`Up`, KVM), created unless it exists.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::types::ZoneId;
/// db.write(|tx| cloudstack_db_testing::host(tx, ZoneId(1), 1))?;
/// # Ok(()) }
/// ```
pub fn host(tx: &mut Tx<'_>, zone: ZoneId, id: u64) -> Result<u64> {
    diesel::sql_query(
        "INSERT INTO host (id, name, uuid, status, type, private_ip_address, data_center_id, \
         hypervisor_type, version, dom0_memory, last_ping) \
         SELECT ?, CONCAT('host-', ?), UUID(), 'Up', 'Routing', CONCAT('10.0.0.', ? % 250), ?, \
         'KVM', '4.22.0.0', 0, 0 FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM host WHERE id = ?)",
    )
    .bind::<Unsigned<BigInt>, _>(id)
    .bind::<Unsigned<BigInt>, _>(id)
    .bind::<Unsigned<BigInt>, _>(id)
    .bind::<Unsigned<BigInt>, _>(zone.0)
    .bind::<Unsigned<BigInt>, _>(id)
    .execute(tx.conn())?;
    Ok(id)
}

/// The NFS primary storage pool `id` of `zone` (`Up`), created unless it exists.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::types::ZoneId;
/// db.write(|tx| cloudstack_db_testing::storage_pool(tx, ZoneId(1), 1))?;
/// # Ok(()) }
/// ```
pub fn storage_pool(tx: &mut Tx<'_>, zone: ZoneId, id: u64) -> Result<u64> {
    diesel::sql_query(
        "INSERT INTO storage_pool (id, name, uuid, pool_type, port, data_center_id, \
         host_address, path, status, created) \
         SELECT ?, CONCAT('pool-', ?), UUID(), 'NetworkFilesystem', 2049, ?, '10.0.0.250', \
         CONCAT('/export/primary-', ?), 'Up', UTC_TIMESTAMP() FROM DUAL \
         WHERE NOT EXISTS (SELECT 1 FROM storage_pool WHERE id = ?)",
    )
    .bind::<Unsigned<BigInt>, _>(id)
    .bind::<Unsigned<BigInt>, _>(id)
    .bind::<Unsigned<BigInt>, _>(zone.0)
    .bind::<Unsigned<BigInt>, _>(id)
    .bind::<Unsigned<BigInt>, _>(id)
    .execute(tx.conn())?;
    Ok(id)
}
