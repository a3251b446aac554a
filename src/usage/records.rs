//! Usage records (`cloud_usage.cloud_usage`) of one window, computed from the helper tables
//! with set-based SQL: every helper row overlapping the window is clipped to it, its duration
//! is `end - start + 1 ms` as CloudStack's parsers count it, and durations are summed per
//! resource.

use std::collections::HashMap;

use chrono::SubsecRound;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Datetime, Nullable, Smallint, Text, Unsigned};

use super::{NewUsageRecord, UsagePeriod, UsageType, hours_display, raw_usage_hours};
use crate::schema::cloud_usage::cloud_usage;
use crate::types::{AccountId, DomainId, TemplateId, VmId, ZoneId};
use crate::{Database, Error, Result};

/// Accounts whose records are computed by one set of statements.
const ACCOUNTS_PER_STEP: u64 = 500;
/// Rows per multi-row INSERT of records (25 columns each).
const INSERT_CHUNK: usize = 2000;

/// `duration_ms` of a helper row clipped to the window: `?1` window start ms, `?2` window end
/// ms; `{start}`/`{end}` are the row's columns.
fn clipped_duration(start: &str, end: &str) -> String {
    format!(
        "SUM(LEAST(COALESCE(TIMESTAMPDIFF(SECOND, '1970-01-01', {end}) * 1000, ?), ?) \
           - GREATEST(TIMESTAMPDIFF(SECOND, '1970-01-01', {start}) * 1000, ?) + 1)"
    )
}

#[derive(QueryableByName)]
struct VmUsage {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    zone_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    vm_instance_id: u64,
    #[diesel(sql_type = Unsigned<diesel::sql_types::Integer>)]
    usage_type: u32,
    #[diesel(sql_type = Unsigned<BigInt>)]
    service_offering_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    template_id: u64,
    #[diesel(sql_type = Nullable<Text>)]
    hypervisor_type: Option<String>,
    #[diesel(sql_type = Nullable<Unsigned<diesel::sql_types::Integer>>)]
    cpu_speed: Option<u32>,
    #[diesel(sql_type = Nullable<Unsigned<diesel::sql_types::Integer>>)]
    cpu_cores: Option<u32>,
    #[diesel(sql_type = Nullable<Unsigned<diesel::sql_types::Integer>>)]
    memory: Option<u32>,
    #[diesel(sql_type = Text)]
    vm_name: String,
    #[diesel(sql_type = BigInt)]
    duration_ms: i64,
}

#[derive(QueryableByName)]
struct VolumeUsage {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    zone_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    volume_id: u64,
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    disk_offering_id: Option<u64>,
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    template_id: Option<u64>,
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    size: Option<u64>,
    #[diesel(sql_type = BigInt)]
    duration_ms: i64,
}

#[derive(QueryableByName)]
struct IpUsage {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    zone_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    ip_id: u64,
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

/// Writes the records of `window` on `conn` (the caller's usage transaction); returns how
/// many. Domains come from `cloud.account` through `db`.
pub(crate) fn write_window_records(
    db: &Database,
    conn: &mut MysqlConnection,
    window: &UsagePeriod,
    domains: &mut HashMap<AccountId, DomainId>,
) -> Result<u64> {
    let range: AccountRange = diesel::sql_query(
        "SELECT MIN(low) AS low, MAX(high) AS high FROM ( \
           SELECT MIN(account_id) AS low, MAX(account_id) AS high FROM usage_vm_instance \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_volume \
           UNION ALL SELECT MIN(account_id), MAX(account_id) FROM usage_ip_address) AS r",
    )
    .get_result(conn)?;
    let (Some(low), Some(high)) = (range.low, range.high) else {
        return Ok(0);
    };
    let mut written = 0;
    let mut first = low;
    while first <= high {
        let last = first.saturating_add(ACCOUNTS_PER_STEP - 1).min(high);
        let records = window_records(db, conn, window, first, last, domains)?;
        for chunk in crate::repo::owned_chunks(records, INSERT_CHUNK) {
            written += diesel::insert_into(cloud_usage::table)
                .values(chunk)
                .execute(conn)? as u64;
        }
        first = last + 1;
    }
    Ok(written)
}

fn window_records(
    db: &Database,
    conn: &mut MysqlConnection,
    window: &UsagePeriod,
    first_account: u64,
    last_account: u64,
    domains: &mut HashMap<AccountId, DomainId>,
) -> Result<Vec<NewUsageRecord>> {
    let (start_ms, end_ms) = (window.start_millis(), window.end_millis());
    // The window's bounds to the second, as the datetime columns hold them (its last second
    // is included; MySQL would round a .999 up to the next day).
    let (start_second, end_second) = (
        window.start().trunc_subsecs(0),
        window.end().trunc_subsecs(0),
    );
    let (start_dt_second, end_dt_second) = (start_second.naive_utc(), end_second.naive_utc());
    let overlapping = |start: &str, end: &str| {
        format!("{start} <= ? AND ({end} IS NULL OR {end} >= ?) AND account_id BETWEEN ? AND ?")
    };
    // The parameters of every query below, in the order of `clipped_duration` and `overlapping`.
    macro_rules! with_window_binds {
        ($query:expr) => {
            $query
                .bind::<BigInt, _>(end_ms)
                .bind::<BigInt, _>(end_ms)
                .bind::<BigInt, _>(start_ms)
                .bind::<Datetime, _>(end_dt_second)
                .bind::<Datetime, _>(start_dt_second)
                .bind::<Unsigned<BigInt>, _>(first_account)
                .bind::<Unsigned<BigInt>, _>(last_account)
        };
    }
    let vms: Vec<VmUsage> = with_window_binds!(diesel::sql_query(format!(
        "SELECT account_id, zone_id, vm_instance_id, usage_type, service_offering_id, template_id, \
                hypervisor_type, cpu_speed, cpu_cores, memory, MAX(vm_name) AS vm_name, \
                CAST({} AS SIGNED) AS duration_ms \
           FROM usage_vm_instance WHERE usage_type IN (1, 2) AND {} \
          GROUP BY account_id, zone_id, vm_instance_id, usage_type, service_offering_id, \
                   template_id, hypervisor_type, cpu_speed, cpu_cores, memory \
         HAVING duration_ms > 0 \
          ORDER BY account_id, vm_instance_id, usage_type, service_offering_id",
        clipped_duration("start_date", "end_date"),
        overlapping("start_date", "end_date"),
    )))
    .load(conn)?;

    let volumes: Vec<VolumeUsage> = with_window_binds!(diesel::sql_query(format!(
        "SELECT account_id, zone_id, volume_id, disk_offering_id, template_id, size, \
                CAST({} AS SIGNED) AS duration_ms \
           FROM usage_volume WHERE {} \
          GROUP BY account_id, zone_id, volume_id, disk_offering_id, template_id, size \
         HAVING duration_ms > 0 \
          ORDER BY account_id, volume_id, size",
        clipped_duration("created", "deleted"),
        overlapping("created", "deleted"),
    )))
    .load(conn)?;

    let ips: Vec<IpUsage> = with_window_binds!(diesel::sql_query(format!(
        "SELECT account_id, zone_id, ip_id, public_ip_address, is_source_nat, is_system, \
                is_hidden, CAST({} AS SIGNED) AS duration_ms \
           FROM usage_ip_address WHERE {} \
          GROUP BY account_id, zone_id, ip_id, public_ip_address, is_source_nat, is_system, is_hidden \
         HAVING duration_ms > 0 \
          ORDER BY account_id, ip_id",
        clipped_duration("assigned", "released"),
        overlapping("assigned", "released"),
    )))
    .load(conn)?;

    let accounts = vms
        .iter()
        .map(|r| r.account_id)
        .chain(volumes.iter().map(|r| r.account_id))
        .chain(ips.iter().map(|r| r.account_id))
        .map(AccountId);
    super::intake::learn_domains(db, accounts, domains)?;
    let domain = |id: u64| {
        domains.get(&AccountId(id)).copied().ok_or_else(|| {
            Error::invalid_value(
                "cloud_usage helper rows: account_id",
                id.to_string(),
                "no such account in cloud.account",
            )
        })
    };

    let base = |account: u64, zone: u64, domain_id: DomainId, duration_ms: i64| {
        let raw = raw_usage_hours(duration_ms as u64);
        NewUsageRecord {
            id: None,
            zone_id: ZoneId(zone),
            account_id: AccountId(account),
            domain_id,
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
            start_date: start_second,
            end_date: end_second,
            virtual_size: None,
            cpu_speed: None,
            cpu_cores: None,
            memory: None,
            quota_calculated: None,
            is_hidden: false,
            state: None,
        }
    };

    let mut records = Vec::with_capacity(vms.len() + volumes.len() + ips.len());
    for r in vms {
        let usage_type = if r.usage_type == 1 {
            UsageType::RunningVm
        } else {
            UsageType::AllocatedVm
        };
        let what = match usage_type {
            UsageType::RunningVm => "running time",
            _ => "allocated",
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
            ..base(
                r.account_id,
                r.zone_id,
                domain(r.account_id)?,
                r.duration_ms,
            )
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
            ..base(
                r.account_id,
                r.zone_id,
                domain(r.account_id)?,
                r.duration_ms,
            )
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
            ..base(
                r.account_id,
                r.zone_id,
                domain(r.account_id)?,
                r.duration_ms,
            )
        });
    }
    Ok(records)
}
