//! Host capacity (`op_host_capacity`) as `CapacityManagerImpl` keeps it: a row per host and
//! type (memory in bytes, CPU in MHz, CPU cores) with total, used and reserved amounts. A VM
//! takes its share in the transaction that places it, under the rows' locks and within the
//! total times the cluster's over-commit ratio, so concurrent placements never over-commit. A
//! volume is put on a primary storage pool the same way ([`place_volume`]).

use diesel::prelude::*;

use super::{Host, HostStatus, ResourceState, StoragePoolStatus};
use crate::db::Tx;
use crate::schema::cloud::{cluster_details, host, op_host_capacity, storage_pool, volumes};
use crate::settings::{Scope, Settings};
use crate::storage::volumes as volumes_repo;
use crate::storage::{StoragePoolType, Volume, VolumeState};
use crate::types::{HostId, StoragePoolId};
use crate::{Error, Result};

/// `Capacity.CAPACITY_TYPE_MEMORY`: bytes.
pub const MEMORY: u32 = 0;
/// `Capacity.CAPACITY_TYPE_CPU`: MHz (cores × speed).
pub const CPU: u32 = 1;
/// `Capacity.CAPACITY_TYPE_CPU_CORE`: cores.
pub const CPU_CORE: u32 = 90;

/// One row of `op_host_capacity`.
///
/// ```no_run
/// use cloudstack_db::infra::capacity::HostCapacity;
/// use cloudstack_db::schema::cloud::op_host_capacity;
/// use diesel::prelude::*;
/// # fn demo(conn: &mut diesel::MysqlConnection) -> QueryResult<()> {
/// let rows: Vec<HostCapacity> = op_host_capacity::table.select(HostCapacity::as_select()).load(conn)?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = op_host_capacity, check_for_backend(diesel::mysql::Mysql))]
pub struct HostCapacity {
    /// `id` bigint(20) unsigned.
    pub id: u64,
    /// `host_id` bigint(20) unsigned, nullable.
    pub host_id: Option<HostId>,
    /// `data_center_id` bigint(20) unsigned.
    pub data_center_id: u64,
    /// `pod_id` bigint(20) unsigned, nullable.
    pub pod_id: Option<u64>,
    /// `cluster_id` bigint(20) unsigned, nullable.
    pub cluster_id: Option<u64>,
    /// In use. `used_capacity` bigint(20).
    pub used_capacity: i64,
    /// Held for stopped VMs that keep their place. `reserved_capacity` bigint(20).
    pub reserved_capacity: i64,
    /// The host's real total (before over-commit). `total_capacity` bigint(20).
    pub total_capacity: i64,
    /// [`MEMORY`], [`CPU`], [`CPU_CORE`], ... `capacity_type` int(1) unsigned.
    pub capacity_type: u32,
    /// `Enabled` or `Disabled`. `capacity_state` varchar(32), default 'Enabled'.
    pub capacity_state: String,
}

/// What a VM needs of a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VmShare {
    /// Cores.
    pub cores: u32,
    /// MHz per core.
    pub speed_mhz: u32,
    /// Memory in MiB.
    pub memory_mib: u64,
}

impl VmShare {
    fn amounts(self) -> [(u32, i64); 3] {
        [
            (CPU, i64::from(self.cores) * i64::from(self.speed_mhz)),
            (MEMORY, self.memory_mib as i64 * 1024 * 1024),
            (CPU_CORE, i64::from(self.cores)),
        ]
    }
}

/// Sets a host's totals (`CapacityManagerImpl.updateCapacityForHost` when the host connects):
/// creates the CPU, memory and core rows it lacks, updates the totals of those it has.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, h: &cloudstack_db::infra::Host) -> cloudstack_db::Result<()> {
/// use cloudstack_db::infra::capacity;
/// db.write(|tx| capacity::set_host_totals(tx, h, 16 * 2000, 64 << 30, 16))?;
/// # Ok(()) }
/// ```
pub fn set_host_totals(
    tx: &mut Tx<'_>,
    h: &Host,
    cpu_mhz: i64,
    memory_bytes: i64,
    cores: i64,
) -> Result<()> {
    let conn = tx.conn();
    for (ty, total) in [(CPU, cpu_mhz), (MEMORY, memory_bytes), (CPU_CORE, cores)] {
        let n = diesel::update(
            op_host_capacity::table
                .filter(op_host_capacity::host_id.eq(h.id))
                .filter(op_host_capacity::capacity_type.eq(ty)),
        )
        .set((
            op_host_capacity::total_capacity.eq(total),
            op_host_capacity::update_time.eq(Some(crate::repo::now().naive_utc())),
        ))
        .execute(conn)?;
        if n == 0 {
            diesel::insert_into(op_host_capacity::table)
                .values((
                    op_host_capacity::host_id.eq(Some(h.id)),
                    op_host_capacity::data_center_id.eq(h.data_center_id.get()),
                    op_host_capacity::pod_id.eq(h.pod_id.map(|p| p.get())),
                    op_host_capacity::cluster_id.eq(h.cluster_id.map(|c| c.get())),
                    op_host_capacity::used_capacity.eq(0),
                    op_host_capacity::reserved_capacity.eq(0),
                    op_host_capacity::total_capacity.eq(total),
                    op_host_capacity::capacity_type.eq(ty),
                    op_host_capacity::created.eq(Some(crate::repo::now().naive_utc())),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// A host's capacity rows, by type.
///
/// ```no_run
/// # fn demo(conn: &mut diesel::MysqlConnection) -> cloudstack_db::Result<()> {
/// let rows = cloudstack_db::infra::capacity::of_host(conn, cloudstack_db::types::HostId(1))?;
/// # Ok(()) }
/// ```
pub fn of_host(conn: &mut MysqlConnection, h: HostId) -> Result<Vec<HostCapacity>> {
    Ok(op_host_capacity::table
        .filter(op_host_capacity::host_id.eq(h))
        .order(op_host_capacity::capacity_type)
        .select(HostCapacity::as_select())
        .load(conn)?)
}

/// A cluster's over-commit ratio (`cpuOvercommitRatio` / `memoryOvercommitRatio` in
/// `cluster_details`), 1 when unset or unreadable.
fn overcommit(conn: &mut MysqlConnection, cluster: Option<u64>, name: &str) -> Result<f64> {
    let Some(cluster) = cluster else {
        return Ok(1.0);
    };
    let value: Option<String> = cluster_details::table
        .filter(cluster_details::cluster_id.eq(cluster))
        .filter(cluster_details::name.eq(name))
        .select(cluster_details::value)
        .first(conn)
        .optional()?;
    Ok(value.and_then(|v| v.trim().parse().ok()).unwrap_or(1.0))
}

/// Takes `share` of host `h` for a VM placed there (`allocateVmCapacity`), in the caller's
/// transaction: the host row is locked and must be `Up` and `Enabled` ([`Error::Conflict`]
/// otherwise — a host that went down meanwhile takes nothing), then its capacity rows are
/// locked and the CPU and memory must fit within the total times the cluster's over-commit
/// ratio ([`Error::Exhausted`], nothing changed). A host without capacity rows is
/// [`Error::NotFound`].
///
/// ```no_run
/// use cloudstack_db::infra::capacity::{self, VmShare};
/// # fn demo(db: &cloudstack_db::Database, h: cloudstack_db::types::HostId) -> cloudstack_db::Result<()> {
/// let share = VmShare { cores: 2, speed_mhz: 1000, memory_mib: 2048 };
/// db.write(|tx| capacity::reserve_vm(tx, h, share))?;
/// # Ok(()) }
/// ```
pub fn reserve_vm(tx: &mut Tx<'_>, h: HostId, share: VmShare) -> Result<()> {
    let conn = tx.conn();
    let row: Option<(HostStatus, ResourceState, Option<u64>)> = host::table
        .filter(host::id.eq(h))
        .filter(host::removed.is_null())
        .select((host::status, host::resource_state, host::cluster_id))
        .for_update()
        .first(conn)
        .optional()?;
    let Some((status, state, cluster)) = row else {
        return Err(Error::NotFound);
    };
    if status != HostStatus::Up || state != ResourceState::Enabled {
        return Err(Error::Conflict(format!(
            "host {h} is {status} and {state}: it takes no VM"
        )));
    }
    let rows = locked_rows(conn, h)?;
    let cpu_ratio = overcommit(conn, cluster, "cpuOvercommitRatio")?;
    let mem_ratio = overcommit(conn, cluster, "memoryOvercommitRatio")?;
    for (ty, wanted) in share.amounts() {
        let Some(r) = rows.iter().find(|r| r.capacity_type == ty) else {
            return Err(Error::NotFound);
        };
        let ratio = match ty {
            CPU => cpu_ratio,
            MEMORY => mem_ratio,
            _ => continue, // cores are counted, not limited (as CloudStack)
        };
        let total = (r.total_capacity as f64 * ratio) as i64;
        if r.used_capacity + r.reserved_capacity + wanted > total {
            return Err(Error::Exhausted {
                resource: if ty == CPU { "host CPU" } else { "host memory" },
                detail: format!(
                    "host {h}: {} used, {} reserved, {wanted} asked for, {total} in all",
                    r.used_capacity, r.reserved_capacity
                ),
            });
        }
    }
    add_used(conn, &rows, share, 1)
}

/// Gives back what [`reserve_vm`] took (`releaseVmCapacity`), in the caller's transaction;
/// used amounts never go below 0.
///
/// ```no_run
/// use cloudstack_db::infra::capacity::{self, VmShare};
/// # fn demo(db: &cloudstack_db::Database, h: cloudstack_db::types::HostId) -> cloudstack_db::Result<()> {
/// let share = VmShare { cores: 2, speed_mhz: 1000, memory_mib: 2048 };
/// db.write(|tx| capacity::release_vm(tx, h, share))?;
/// # Ok(()) }
/// ```
pub fn release_vm(tx: &mut Tx<'_>, h: HostId, share: VmShare) -> Result<()> {
    let conn = tx.conn();
    let rows = locked_rows(conn, h)?;
    add_used(conn, &rows, share, -1)
}

fn locked_rows(conn: &mut MysqlConnection, h: HostId) -> Result<Vec<HostCapacity>> {
    Ok(op_host_capacity::table
        .filter(op_host_capacity::host_id.eq(h))
        .filter(op_host_capacity::capacity_type.eq_any([MEMORY, CPU, CPU_CORE]))
        .order(op_host_capacity::id)
        .select(HostCapacity::as_select())
        .for_update()
        .load(conn)?)
}

fn add_used(
    conn: &mut MysqlConnection,
    rows: &[HostCapacity],
    share: VmShare,
    sign: i64,
) -> Result<()> {
    let at = crate::repo::now().naive_utc();
    for (ty, amount) in share.amounts() {
        if let Some(r) = rows.iter().find(|r| r.capacity_type == ty) {
            let used = (r.used_capacity + sign * amount).max(0);
            diesel::update(op_host_capacity::table.find(r.id))
                .set((
                    op_host_capacity::used_capacity.eq(used),
                    op_host_capacity::update_time.eq(Some(at)),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// `storage.overprovisioning.factor` (pool, else global), 2 when unset — for the pool types
/// CloudStack over-provisions (NFS, VMFS, RBD, PowerFlex, Filesystem); 1 for the others.
fn storage_factor(
    conn: &mut MysqlConnection,
    settings: &Settings,
    pool: StoragePoolId,
    pool_type: StoragePoolType,
) -> Result<f64> {
    let overprovisioned = matches!(
        pool_type,
        StoragePoolType::NetworkFilesystem
            | StoragePoolType::Vmfs
            | StoragePoolType::Rbd
            | StoragePoolType::PowerFlex
            | StoragePoolType::Filesystem
    );
    if !overprovisioned {
        return Ok(1.0);
    }
    Ok(settings
        .get::<f64>(
            conn,
            "storage.overprovisioning.factor",
            Scope::StoragePool(pool.get()),
        )?
        .unwrap_or(2.0))
}

/// Puts `volume` on primary storage pool `pool` (`volumes.pool_id`), in the caller's
/// transaction, if the pool has room (`StorageManagerImpl.storagePoolHasEnoughSpace`): the
/// pool row is locked, so placements on one pool are checked one after the other, and the
/// sizes of the pool's live volumes plus this one must stay within its capacity times
/// `storage.overprovisioning.factor` times `pool.storage.allocated.capacity.disablethreshold`
/// (default 0.85), both read through `settings` (the caller's cache, as CloudStack's
/// `ConfigKey`s are cached: not the whole `configuration` table per placement). A pool that is
/// not `Up` is [`Error::Conflict`]; one without room [`Error::Exhausted`]; nothing changes then.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database, v: &cloudstack_db::storage::Volume) -> cloudstack_db::Result<()> {
/// let settings = cloudstack_db::settings::Settings::new(db.column_encryptor().cloned());
/// let pool = cloudstack_db::types::StoragePoolId(1);
/// let placed = db.write(|tx| cloudstack_db::infra::capacity::place_volume(tx, &settings, v, pool))?;
/// # Ok(()) }
/// ```
pub fn place_volume(
    tx: &mut Tx<'_>,
    settings: &Settings,
    volume: &Volume,
    pool: StoragePoolId,
) -> Result<Volume> {
    let conn = tx.conn();
    let row: Option<(Option<StoragePoolStatus>, StoragePoolType, Option<u64>)> =
        storage_pool::table
            .filter(storage_pool::id.eq(pool))
            .filter(storage_pool::removed.is_null())
            .select((
                storage_pool::status,
                storage_pool::pool_type,
                storage_pool::capacity_bytes,
            ))
            .for_update()
            .first(conn)
            .optional()?;
    let Some((status, pool_type, capacity)) = row else {
        return Err(Error::NotFound);
    };
    if status != Some(StoragePoolStatus::Up) {
        return Err(Error::Conflict(format!("storage pool {pool} is not Up")));
    }
    let used: i64 = volumes::table
        .filter(volumes::pool_id.eq(pool.get()))
        .filter(volumes::removed.is_null())
        .filter(volumes::id.ne(volume.id))
        .filter(volumes::state.ne_all([
            VolumeState::Destroy,
            VolumeState::Expunging,
            VolumeState::Expunged,
        ]))
        .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "CAST(COALESCE(SUM(size), 0) AS SIGNED)",
        ))
        .first(conn)?;
    let factor = storage_factor(conn, settings, pool, pool_type)?;
    let threshold = settings
        .get::<f64>(
            conn,
            "pool.storage.allocated.capacity.disablethreshold",
            Scope::StoragePool(pool.get()),
        )?
        .unwrap_or(0.85);
    let room = (capacity.unwrap_or(0) as f64 * factor * threshold) as i64;
    let wanted = volume.size as i64;
    if used + wanted > room {
        return Err(Error::Exhausted {
            resource: "primary storage",
            detail: format!("pool {pool}: {used} allocated, {wanted} asked for, {room} allowed"),
        });
    }
    let changes = crate::storage::VolumeChanges {
        pool_id: Some(Some(pool.get())),
        ..Default::default()
    };
    volumes_repo::update(tx, volume.id, &changes)
}
