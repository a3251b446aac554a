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

/// Pod 10, KVM cluster 20 in it and routing host `host` in that cluster — `Up`, `Enabled`, 16
/// cores at 2000 MHz, 64 GiB — as an agent registering a hypervisor leaves them; created
/// unless they exist. Returns the host id.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::types::ZoneId;
/// let host = db.write(|tx| cloudstack_db_testing::rack(tx, ZoneId(1), 100))?;
/// # Ok(()) }
/// ```
pub fn rack(tx: &mut Tx<'_>, zone: ZoneId, host: u64) -> Result<u64> {
    let conn = tx.conn();
    diesel::sql_query(
        "INSERT IGNORE INTO host_pod_ref (id, name, uuid, data_center_id, gateway, cidr_address, \
         cidr_size, allocation_state) VALUES (10, 'pod-10', UUID(), ?, '10.1.0.1', '10.1.0.0', 24, 'Enabled')",
    )
    .bind::<Unsigned<BigInt>, _>(zone.0)
    .execute(conn)?;
    diesel::sql_query(
        "INSERT IGNORE INTO cluster (id, name, uuid, pod_id, data_center_id, hypervisor_type, \
         allocation_state) VALUES (20, 'cluster-20', UUID(), 10, ?, 'KVM', 'Enabled')",
    )
    .bind::<Unsigned<BigInt>, _>(zone.0)
    .execute(conn)?;
    diesel::sql_query(
        "INSERT IGNORE INTO host (id, name, uuid, status, type, private_ip_address, data_center_id, \
         pod_id, cluster_id, hypervisor_type, version, dom0_memory, last_ping, resource_state, cpus, \
         speed, ram) VALUES (?, CONCAT('kvm-', ?), UUID(), 'Up', 'Routing', CONCAT('10.1.0.', ? % 250), \
         ?, 10, 20, 'KVM', '4.22.0.0', 0, 0, 'Enabled', 16, 2000, 68719476736)",
    )
    .bind::<Unsigned<BigInt>, _>(host)
    .bind::<Unsigned<BigInt>, _>(host)
    .bind::<Unsigned<BigInt>, _>(host)
    .bind::<Unsigned<BigInt>, _>(zone.0)
    .execute(conn)?;
    Ok(host)
}
