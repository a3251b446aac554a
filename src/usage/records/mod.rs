//! Usage records (`cloud_usage.cloud_usage`) of one window, computed from the helper tables
//! with set-based SQL the way CloudStack's time-based parsers compute them
//! (`VMInstanceUsageParser`, `VolumeUsageParser`, `IPAddressUsageParser`): for the accounts a
//! run bills (live in `cloud_usage.account`, or removed at most three days before the run's
//! start), every helper row overlapping the window — and every open one — is clipped to it,
//! counts `end - start + 1 ms` unless it starts after the window, and is summed per the
//! parser's key; the record takes its name from the first row it counts and its other fields
//! from the last row read.

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Smallint, Text, Unsigned};

use super::{NewUsageRecord, UsagePeriod, UsageType, hours_display, raw_usage_hours};
use crate::Result;
use crate::types::{AccountId, DomainId, TemplateId, VmId, ZoneId};

mod per_row;
mod services;
mod storage;
mod traffic;
mod vm_snapshots;

/// Accounts whose records are computed by one set of statements.
const ACCOUNTS_PER_STEP: u64 = 500;
/// Rows per multi-row INSERT of records (25 columns each).
const INSERT_CHUNK: usize = 2000;

/// Which accounts a run bills, and the window: everything the record queries are built from.
/// Only numbers and timestamps this module formats go into the SQL text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scope {
    /// The window, to the millisecond.
    pub window: UsagePeriod,
    /// Accounts removed at or after this instant are still billed
    /// (`AccountDaoImpl#findRecentlyDeletedAccounts`: the run's start less three days).
    pub removed_since: DateTime<Utc>,
    /// When set, the parsers that change helper rows as they bill (VM snapshots) write those
    /// changes, stamped with this instant (Java's `new Date()`); unset, computing the records
    /// changes nothing.
    pub settle_at: Option<DateTime<Utc>>,
}

/// `at` as a DATETIME literal (whole seconds, as Java binds dates).
pub(crate) fn literal(at: DateTime<Utc>) -> String {
    format!("'{}'", at.format("%Y-%m-%d %H:%M:%S"))
}

/// A time-based helper table as its parser reads it.
struct TimeTable {
    table: &'static str,
    start: &'static str,
    end: &'static str,
    /// The parser's grouping key (besides the account).
    key: &'static [&'static str],
    /// Whether rows that are still open are read whatever their start (VM and volume
    /// parsers), or only when they started by the window's end (addresses).
    open_rows_always: bool,
}

impl TimeTable {
    /// `SELECT g.*, a.domain_id, {columns}` where `g` has the key, `duration_ms`, `first_id`
    /// and `last_id`, `f` is the first row counted and `l` the last row read.
    fn query(&self, scope: &Scope, accounts: (u64, u64), columns: &str) -> String {
        let (s_ms, e_ms) = (scope.window.start_millis(), scope.window.end_millis());
        let s = literal(scope.window.start());
        let e = literal(scope.window.end());
        let removed = literal(scope.removed_since);
        let ms = |col: &str| format!("TIMESTAMPDIFF(SECOND, '1970-01-01', {col}) * 1000");
        let (t, start, end) = (self.table, self.start, self.end);
        let key = self.key.join(", ");
        let open = if self.open_rows_always {
            format!("{end} IS NULL")
        } else {
            format!("({end} IS NULL AND {start} <= {e})")
        };
        format!(
            "SELECT g.*, a.domain_id AS domain_id, {columns} FROM ( \
               SELECT account_id, {key}, \
                      CAST(SUM(CASE WHEN {start} <= {e} THEN \
                          LEAST(COALESCE({end_ms}, {e_ms}), {e_ms}) - GREATEST({start_ms}, {s_ms}) + 1 \
                          ELSE 0 END) AS SIGNED) AS duration_ms, \
                      MIN(CASE WHEN {start} <= {e} THEN id END) AS first_id, MAX(id) AS last_id \
                 FROM {t} \
                WHERE account_id BETWEEN {low} AND {high} \
                  AND ({open} OR ({start} <= {e} AND {end} >= {s})) \
                GROUP BY account_id, {key} HAVING duration_ms > 0) g \
             JOIN account a ON a.id = g.account_id AND (a.removed IS NULL OR a.removed >= {removed}) \
             JOIN {t} f ON f.id = g.first_id JOIN {t} l ON l.id = g.last_id \
             ORDER BY g.account_id, {ordered_key}",
            end_ms = ms(end),
            start_ms = ms(start),
            low = accounts.0,
            high = accounts.1,
            ordered_key = self
                .key
                .iter()
                .map(|k| format!("g.{k}"))
                .collect::<Vec<_>>()
                .join(", "),
        )
    }
}

const VMS: TimeTable = TimeTable {
    table: "usage_vm_instance",
    start: "start_date",
    end: "end_date",
    key: &[
        "vm_instance_id",
        "usage_type",
        "service_offering_id",
        "cpu_cores",
        "cpu_speed",
        "memory",
    ],
    open_rows_always: true,
};

const VOLUMES: TimeTable = TimeTable {
    table: "usage_volume",
    start: "created",
    end: "deleted",
    key: &["volume_id", "disk_offering_id", "size"],
    open_rows_always: true,
};

const ADDRESSES: TimeTable = TimeTable {
    table: "usage_ip_address",
    start: "assigned",
    end: "released",
    key: &["ip_id"],
    open_rows_always: false,
};

#[derive(QueryableByName)]
struct VmUsage {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    domain_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    vm_instance_id: u64,
    #[diesel(sql_type = Unsigned<diesel::sql_types::Integer>)]
    usage_type: u32,
    #[diesel(sql_type = Unsigned<BigInt>)]
    service_offering_id: u64,
    #[diesel(sql_type = Nullable<Unsigned<diesel::sql_types::Integer>>)]
    cpu_speed: Option<u32>,
    #[diesel(sql_type = Nullable<Unsigned<diesel::sql_types::Integer>>)]
    cpu_cores: Option<u32>,
    #[diesel(sql_type = Nullable<Unsigned<diesel::sql_types::Integer>>)]
    memory: Option<u32>,
    #[diesel(sql_type = Text)]
    vm_name: String,
    #[diesel(sql_type = Unsigned<BigInt>)]
    zone_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    template_id: u64,
    #[diesel(sql_type = Nullable<Text>)]
    hypervisor_type: Option<String>,
    #[diesel(sql_type = BigInt)]
    duration_ms: i64,
}

#[derive(QueryableByName)]
struct VolumeUsage {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    domain_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    volume_id: u64,
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    disk_offering_id: Option<u64>,
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    size: Option<u64>,
    #[diesel(sql_type = Unsigned<BigInt>)]
    zone_id: u64,
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    template_id: Option<u64>,
    #[diesel(sql_type = BigInt)]
    duration_ms: i64,
}

#[derive(QueryableByName)]
struct IpUsage {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    domain_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    ip_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    zone_id: u64,
    #[diesel(sql_type = Text)]
    public_ip_address: String,
    #[diesel(sql_type = Smallint)]
    is_source_nat: i16,
    #[diesel(sql_type = Smallint)]
    is_system: i16,
    #[diesel(sql_type = Smallint)]
    is_hidden: i16,
    #[diesel(sql_type = BigInt)]
    duration_ms: i64,
}

#[derive(QueryableByName)]
struct AccountRange {
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    low: Option<u64>,
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    high: Option<u64>,
}

/// Writes the records of `scope` on `conn` (the caller's usage transaction), telling `on_written`
/// each inserted chunk; returns how many.
pub(crate) fn write_window_records(
    conn: &mut MysqlConnection,
    scope: &Scope,
    on_written: &mut dyn FnMut(u64),
) -> Result<u64> {
    let mut written = 0;
    for_account_steps(conn, |conn, accounts| {
        let records = window_records(conn, scope, accounts)?;
        for chunk in records.chunks(INSERT_CHUNK) {
            let n = crate::repo::literal::insert_rows(
                conn,
                super::usage_record::INSERT_HEAD,
                chunk,
                INSERT_CHUNK,
                &mut |v, r: &NewUsageRecord| r.write_values(v),
            )? as u64;
            written += n;
            on_written(n);
        }
        Ok(())
    })?;
    Ok(written)
}

/// Runs `step` over the accounts that have helper rows, [`ACCOUNTS_PER_STEP`] ids at a time.
pub(crate) fn for_account_steps(
    conn: &mut MysqlConnection,
    mut step: impl FnMut(&mut MysqlConnection, (u64, u64)) -> Result<()>,
) -> Result<()> {
    let range: AccountRange = diesel::sql_query(
        "SELECT MIN(low) AS low, MAX(high) AS high FROM ( \
           SELECT MIN(account_id) AS low, MAX(account_id) AS high FROM usage_vm_instance \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_volume \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_ip_address \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_storage \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_security_group \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_load_balancer_policy \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_port_forwarding \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_network_offering \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_vpn_user \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_networks \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_vpc \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_backup \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_vmsnapshot \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_snapshot_on_primary \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_network \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_vm_disk \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM bucket_statistics) AS r",
    )
    .get_result(conn)?;
    let (Some(low), Some(high)) = (range.low, range.high) else {
        return Ok(());
    };
    let mut first = low;
    while first <= high {
        let last = first.saturating_add(ACCOUNTS_PER_STEP - 1).min(high);
        step(conn, (first, last))?;
        first = last + 1;
    }
    Ok(())
}

/// The records of `scope` for the accounts in `accounts`, in the order they are written.
pub(crate) fn window_records(
    conn: &mut MysqlConnection,
    scope: &Scope,
    accounts: (u64, u64),
) -> Result<Vec<NewUsageRecord>> {
    let vms: Vec<VmUsage> = diesel::sql_query(VMS.query(
        scope,
        accounts,
        "f.vm_name AS vm_name, l.zone_id AS zone_id, l.template_id AS template_id, \
         l.hypervisor_type AS hypervisor_type",
    ))
    .load(conn)?;
    let volumes: Vec<VolumeUsage> = diesel::sql_query(VOLUMES.query(
        scope,
        accounts,
        "l.zone_id AS zone_id, l.template_id AS template_id",
    ))
    .load(conn)?;
    let ips: Vec<IpUsage> = diesel::sql_query(ADDRESSES.query(
        scope,
        accounts,
        "l.zone_id AS zone_id, l.public_ip_address AS public_ip_address, \
         l.is_source_nat AS is_source_nat, l.is_system AS is_system, l.is_hidden AS is_hidden",
    ))
    .load(conn)?;

    let base = |account: u64, zone: u64, domain: u64, duration_ms: i64| {
        base_record(scope, account, zone, domain, duration_ms)
    };

    let mut records = Vec::with_capacity(vms.len() + volumes.len() + ips.len());
    for r in vms {
        let (usage_type, what) = if r.usage_type == 1 {
            (UsageType::RunningVm, "running time")
        } else {
            (UsageType::AllocatedVm, "allocated")
        };
        records.push(NewUsageRecord {
            description: format!(
                "{} {what} (ServiceOffering: {}) (Template: {})",
                r.vm_name, r.service_offering_id, r.template_id
            ),
            usage_type: Some(usage_type),
            vm_instance_id: Some(VmId(r.vm_instance_id)),
            vm_name: Some(r.vm_name),
            offering_id: Some(r.service_offering_id),
            template_id: Some(TemplateId(r.template_id)),
            usage_id: Some(r.vm_instance_id),
            resource_kind: r.hypervisor_type,
            cpu_speed: r.cpu_speed,
            cpu_cores: r.cpu_cores,
            memory: r.memory,
            ..base(r.account_id, r.zone_id, r.domain_id, r.duration_ms)
        });
    }
    for r in volumes {
        let mut description = format!("Volume Id: {} usage time", r.volume_id);
        if let Some(template) = r.template_id {
            description.push_str(&format!(" (Template: {template})"));
        } else if let Some(offering) = r.disk_offering_id {
            description.push_str(&format!(" (DiskOffering: {offering})"));
        }
        records.push(NewUsageRecord {
            description,
            usage_type: Some(UsageType::Volume),
            offering_id: r.disk_offering_id,
            template_id: r.template_id.map(TemplateId),
            usage_id: Some(r.volume_id),
            size: r.size,
            ..base(r.account_id, r.zone_id, r.domain_id, r.duration_ms)
        });
    }
    for r in ips {
        records.push(NewUsageRecord {
            description: format!("IPAddress: {}", r.public_ip_address),
            usage_type: Some(UsageType::IpAddress),
            usage_id: Some(r.ip_id),
            size: Some(u64::from(r.is_system != 0)),
            resource_kind: Some(
                if r.is_source_nat != 0 {
                    "SourceNat"
                } else {
                    ""
                }
                .to_owned(),
            ),
            is_hidden: r.is_hidden != 0,
            ..base(r.account_id, r.zone_id, r.domain_id, r.duration_ms)
        });
    }
    storage::push_records(conn, scope, accounts, &mut records)?;
    services::push_records(conn, scope, accounts, &mut records)?;
    per_row::push_records(conn, scope, accounts, &mut records)?;
    vm_snapshots::push_vm_snapshot_records(conn, scope, accounts, &mut records)?;
    vm_snapshots::push_on_primary_records(conn, scope, accounts, &mut records)?;
    traffic::push_records(conn, scope, accounts, &mut records)?;
    Ok(records)
}

/// A record of `scope`'s window for `duration_ms` of use, with only the fields every time-based
/// parser sets; the caller fills in the rest.
fn base_record(
    scope: &Scope,
    account: u64,
    zone: u64,
    domain: u64,
    duration_ms: i64,
) -> NewUsageRecord {
    let raw = raw_usage_hours(duration_ms as u64);
    NewUsageRecord {
        id: None,
        zone_id: ZoneId(zone),
        account_id: AccountId(account),
        domain_id: DomainId(domain),
        description: String::new(),
        usage_display: hours_display(raw),
        usage_type: None,
        raw_usage: raw,
        vm_instance_id: None,
        vm_name: None,
        offering_id: None,
        template_id: None,
        usage_id: None,
        resource_kind: None,
        size: None,
        network_id: None,
        start_date: scope.window.start().trunc_subsecs(0),
        end_date: scope.window.end().trunc_subsecs(0),
        virtual_size: None,
        cpu_speed: None,
        cpu_cores: None,
        memory: None,
        quota_calculated: None,
        is_hidden: false,
        state: None,
    }
}

/// Mirrors `cloud.account` into `cloud_usage.account` as CloudStack's usage job does at the
/// start of every run (`UsageManagerImpl#parse`, `UsageDaoImpl#saveAccounts/updateAccounts`):
/// accounts above the highest id already there are inserted (removed ones too); those at or
/// below it that are live, or were removed at or after `run_start`, get their name and
/// `removed` updated. Both databases on one server, as for the event copy.
pub(crate) fn mirror_accounts(
    conn: &mut MysqlConnection,
    cloud_db: &str,
    run_start: DateTime<Utc>,
) -> Result<()> {
    let since = literal(run_start);
    diesel::sql_query(format!(
        "UPDATE account u JOIN {cloud_db}.account c ON c.id = u.id \
            SET u.account_name = c.account_name, u.removed = c.removed \
          WHERE c.removed IS NULL OR c.removed >= {since}"
    ))
    .execute(conn)?;
    diesel::sql_query(format!(
        "INSERT INTO account (id, account_name, type, role_id, domain_id, removed, cleanup_needed) \
         SELECT c.id, c.account_name, c.type, c.role_id, c.domain_id, c.removed, c.cleanup_needed \
           FROM {cloud_db}.account c \
          WHERE c.id > (SELECT COALESCE(MAX(id), 0) FROM (SELECT id FROM account) AS known)"
    ))
    .execute(conn)?;
    Ok(())
}

/// `removed_since` of a run starting at `start`.
pub(crate) fn removed_since(start: DateTime<Utc>) -> DateTime<Utc> {
    start - chrono::Duration::days(3)
}
