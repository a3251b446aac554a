//! Records of network bytes (`NetworkUsageParser`, types 4 and 5), disk I/O
//! (`VmDiskUsageParser`, types 21–24) and bucket sizes (`BucketUsageParser`, type 29): amounts,
//! not hours — the deltas the run recorded in the window, and every bucket's size in every
//! window.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Unsigned};

use super::{Scope, base_record, literal};
use crate::Result;
use crate::types::{NetworkId, VmId, ZoneId};
use crate::usage::{NewUsageRecord, UsageType};

#[derive(QueryableByName)]
struct TrafficRow {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    domain_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    zone_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    host_id: u64,
    #[diesel(sql_type = Nullable<Text>)]
    host_type: Option<String>,
    #[diesel(sql_type = Unsigned<BigInt>)]
    network_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    bytes_sent: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    bytes_received: u64,
}

#[derive(QueryableByName)]
struct DiskRow {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    domain_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    zone_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    vm_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    volume_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    io_read: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    io_write: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    bytes_read: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    bytes_write: u64,
}

#[derive(QueryableByName)]
struct BucketRow {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    domain_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    bucket_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    size: u64,
}

/// `FROM {table} t JOIN account a` for the billed accounts of `accounts` and rows stamped in
/// the window.
fn stamped_in_window(scope: &Scope, accounts: (u64, u64), table: &str) -> String {
    format!(
        "FROM {table} t JOIN account a ON a.id = t.account_id \
              AND (a.removed IS NULL OR a.removed >= {removed}) \
         WHERE t.account_id BETWEEN {low} AND {high} \
           AND t.event_time_millis BETWEEN {s} AND {e}",
        removed = literal(scope.removed_since),
        low = accounts.0,
        high = accounts.1,
        s = scope.window.start_millis(),
        e = scope.window.end_millis(),
    )
}

/// Whose a record is: account, its domain, and the zone.
#[derive(Clone, Copy)]
struct Owner {
    account: u64,
    domain: u64,
    zone: u64,
}

/// Rows of one key: the key, the last row read, and the sums.
type Group<R, S> = ((u64, u64, u64, u64), R, S);

/// A record of an amount (not hours): its display is `"{amount} {unit}"`.
fn amount(
    scope: &Scope,
    owner: Owner,
    usage_type: UsageType,
    value: u64,
    unit: &str,
    description: String,
) -> NewUsageRecord {
    let Owner {
        account,
        domain,
        zone,
    } = owner;
    NewUsageRecord {
        zone_id: ZoneId(zone),
        description,
        usage_display: format!("{value} {unit}"),
        usage_type: Some(usage_type),
        raw_usage: value as f64,
        ..base_record(scope, account, zone, domain, 0)
    }
}

/// Appends the traffic, disk I/O and bucket records of `scope` for `accounts`.
pub(super) fn push_records(
    conn: &mut MysqlConnection,
    scope: &Scope,
    accounts: (u64, u64),
    records: &mut Vec<NewUsageRecord>,
) -> Result<()> {
    let traffic: Vec<TrafficRow> = diesel::sql_query(format!(
        "SELECT t.account_id, a.domain_id, t.zone_id, t.host_id, t.host_type, t.network_id, \
                t.bytes_sent, t.bytes_received {} \
          ORDER BY t.account_id, t.zone_id, t.host_id, t.network_id, t.event_time_millis",
        stamped_in_window(scope, accounts, "usage_network")
    ))
    .load(conn)?;
    // Per account: per zone, or per router and network when the row names a router; the
    // sums keep the last row's type and network.
    let mut groups: Vec<Group<TrafficRow, (u64, u64)>> = Vec::new();
    for row in traffic {
        let key = (
            row.account_id,
            row.zone_id,
            row.host_id,
            if row.host_id != 0 { row.network_id } else { 0 },
        );
        let (sent, received) = (row.bytes_sent, row.bytes_received);
        // Rows come ordered by their key: a group is always the last one so far.
        match groups.last_mut().filter(|g| g.0 == key) {
            Some(g) => {
                g.2 = (g.2.0.wrapping_add(sent), g.2.1.wrapping_add(received));
                g.1 = row;
            }
            None => groups.push((key, row, (sent, received))),
        }
    }
    for (_, last, (sent, received)) in groups {
        if sent == 0 && received == 0 {
            continue;
        }
        let host = (last.host_id != 0).then_some(last.host_id);
        let for_host = host.map_or_else(String::new, |h| format!(" for Host: {h}"));
        for (usage_type, value, unit, what) in [
            (UsageType::NetworkBytesSent, sent, "bytes sent", "sent"),
            (
                UsageType::NetworkBytesReceived,
                received,
                "bytes received",
                "received",
            ),
        ] {
            records.push(NewUsageRecord {
                usage_id: host,
                resource_kind: last.host_type.clone(),
                network_id: Some(NetworkId(last.network_id)),
                ..amount(
                    scope,
                    Owner {
                        account: last.account_id,
                        domain: last.domain_id,
                        zone: last.zone_id,
                    },
                    usage_type,
                    value,
                    unit,
                    format!("network bytes {what}{for_host}"),
                )
            });
        }
    }

    let disks: Vec<DiskRow> = diesel::sql_query(format!(
        "SELECT t.account_id, a.domain_id, t.zone_id, t.vm_id, t.volume_id, t.io_read, \
                t.io_write, t.bytes_read, t.bytes_write {} \
          ORDER BY t.account_id, t.zone_id, t.vm_id, t.volume_id, t.event_time_millis",
        stamped_in_window(scope, accounts, "usage_vm_disk")
    ))
    .load(conn)?;
    let mut groups: Vec<Group<DiskRow, [u64; 4]>> = Vec::new();
    for row in disks {
        let key = (
            row.account_id,
            row.zone_id,
            row.vm_id,
            if row.vm_id != 0 { row.volume_id } else { 0 },
        );
        let values = [row.io_read, row.io_write, row.bytes_read, row.bytes_write];
        match groups.last_mut().filter(|g| g.0 == key) {
            Some(g) => {
                for (s, v) in g.2.iter_mut().zip(values) {
                    *s = s.wrapping_add(v);
                }
                g.1 = row;
            }
            None => groups.push((key, row, values)),
        }
    }
    for (_, last, sums) in groups {
        if sums.iter().all(|v| *v == 0) {
            continue;
        }
        let named = last.vm_id != 0 && last.volume_id != 0;
        let for_vm = if named {
            format!(" for Vm: {} and Volume: {}", last.vm_id, last.volume_id)
        } else {
            String::new()
        };
        for (i, (usage_type, unit, what)) in [
            (
                UsageType::VmDiskIoRead,
                "io read",
                "disk I/O read (io requests)",
            ),
            (
                UsageType::VmDiskIoWrite,
                "io write",
                "disk I/O write (io requests)",
            ),
            (
                UsageType::VmDiskBytesRead,
                "bytes read",
                "disk I/O read (bytes)",
            ),
            (
                UsageType::VmDiskBytesWrite,
                "bytes write",
                "disk I/O write (bytes)",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            records.push(NewUsageRecord {
                vm_instance_id: named.then_some(VmId(last.vm_id)),
                usage_id: Some(last.volume_id),
                resource_kind: Some("VirtualMachine".to_owned()),
                ..amount(
                    scope,
                    Owner {
                        account: last.account_id,
                        domain: last.domain_id,
                        zone: last.zone_id,
                    },
                    usage_type,
                    sums[i],
                    unit,
                    format!("{what}{for_vm}"),
                )
            });
        }
    }

    let buckets: Vec<BucketRow> = diesel::sql_query(format!(
        "SELECT b.account_id, a.domain_id, b.bucket_id, b.size \
           FROM bucket_statistics b JOIN account a ON a.id = b.account_id \
                AND (a.removed IS NULL OR a.removed >= {removed}) \
          WHERE b.account_id BETWEEN {low} AND {high} AND b.size > 0 \
          ORDER BY b.account_id, b.id",
        removed = literal(scope.removed_since),
        low = accounts.0,
        high = accounts.1,
    ))
    .load(conn)?;
    for b in buckets {
        // Java writes every bucket record in zone 1.
        records.push(NewUsageRecord {
            usage_id: Some(b.bucket_id),
            ..amount(
                scope,
                Owner {
                    account: b.account_id,
                    domain: b.domain_id,
                    zone: 1,
                },
                UsageType::Bucket,
                b.size,
                "bytes",
                "Bucket Size".to_owned(),
            )
        });
    }
    Ok(())
}
