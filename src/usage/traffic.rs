//! Network traffic, disk I/O and bucket sizes: the counters CloudStack's management servers
//! keep in `cloud.user_statistics`, `cloud.vm_disk_statistics` and `cloud.bucket_statistics`,
//! mirrored into `cloud_usage` at the start of each run, and turned into per-run deltas in
//! `usage_network` and `usage_vm_disk` the way `UsageManagerImpl#parse`,
//! `#createNetworkHelperEntry` and `#createVmDiskHelperEntry` do.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Unsigned};

use super::records::literal;
use crate::schema::cloud_usage::{usage_network, usage_vm_disk};
use crate::{Error, Result};

/// Java reads at most this many disk counters per run: its paging loop over
/// `vm_disk_statistics` tests the traffic loop's (empty) last page and stops after one page
/// (`UsageManagerImpl#parse`). Kept so records match; counters past it are billed in later
/// runs only if they come within the first page.
pub(crate) const DISK_COUNTERS_PER_RUN: i64 = 500;

/// Copies the three counter tables from `cloud_db` into `cloud_usage` as Java does before it
/// copies events (`UsageDaoImpl#updateUserStats/saveUserStats`, `#updateVmDiskStats/
/// saveVmDiskStats`, `#updateBucketStats/saveBucketStats`): rows up to the highest id already
/// mirrored get their counters updated, rows above it are inserted. Both databases are on one
/// server, as for the event copy.
pub(crate) fn mirror_counters(conn: &mut MysqlConnection, cloud_db: &str) -> Result<()> {
    let statements = [
        format!(
            "UPDATE user_statistics u JOIN {cloud_db}.user_statistics c ON c.id = u.id \
                SET u.net_bytes_received = c.net_bytes_received, u.net_bytes_sent = c.net_bytes_sent, \
                    u.current_bytes_received = c.current_bytes_received, \
                    u.current_bytes_sent = c.current_bytes_sent, \
                    u.agg_bytes_received = c.agg_bytes_received, u.agg_bytes_sent = c.agg_bytes_sent"
        ),
        format!(
            "INSERT INTO user_statistics (id, data_center_id, account_id, public_ip_address, \
               device_id, device_type, network_id, net_bytes_received, net_bytes_sent, \
               current_bytes_received, current_bytes_sent, agg_bytes_received, agg_bytes_sent) \
             SELECT id, data_center_id, account_id, public_ip_address, device_id, device_type, \
               network_id, net_bytes_received, net_bytes_sent, current_bytes_received, \
               current_bytes_sent, agg_bytes_received, agg_bytes_sent \
               FROM {cloud_db}.user_statistics \
              WHERE id > (SELECT COALESCE(MAX(id), 0) FROM (SELECT id FROM user_statistics) AS m) \
              ORDER BY id"
        ),
        format!(
            "UPDATE vm_disk_statistics u JOIN {cloud_db}.vm_disk_statistics c ON c.id = u.id \
                SET u.net_io_read = c.net_io_read, u.net_io_write = c.net_io_write, \
                    u.current_io_read = c.current_io_read, u.current_io_write = c.current_io_write, \
                    u.agg_io_read = c.agg_io_read, u.agg_io_write = c.agg_io_write, \
                    u.net_bytes_read = c.net_bytes_read, u.net_bytes_write = c.net_bytes_write, \
                    u.current_bytes_read = c.current_bytes_read, \
                    u.current_bytes_write = c.current_bytes_write, \
                    u.agg_bytes_read = c.agg_bytes_read, u.agg_bytes_write = c.agg_bytes_write"
        ),
        format!(
            "INSERT INTO vm_disk_statistics (id, data_center_id, account_id, vm_id, volume_id, \
               net_io_read, net_io_write, current_io_read, current_io_write, agg_io_read, \
               agg_io_write, net_bytes_read, net_bytes_write, current_bytes_read, \
               current_bytes_write, agg_bytes_read, agg_bytes_write) \
             SELECT id, data_center_id, account_id, vm_id, volume_id, net_io_read, net_io_write, \
               current_io_read, current_io_write, agg_io_read, agg_io_write, net_bytes_read, \
               net_bytes_write, current_bytes_read, current_bytes_write, agg_bytes_read, \
               agg_bytes_write \
               FROM {cloud_db}.vm_disk_statistics \
              WHERE id > (SELECT COALESCE(MAX(id), 0) FROM (SELECT id FROM vm_disk_statistics) AS m) \
              ORDER BY id"
        ),
        format!(
            "UPDATE bucket_statistics u JOIN {cloud_db}.bucket_statistics c ON c.id = u.id \
                SET u.size = c.size"
        ),
        format!(
            "INSERT INTO bucket_statistics (id, account_id, bucket_id, size) \
             SELECT id, account_id, bucket_id, size FROM {cloud_db}.bucket_statistics \
              WHERE id > (SELECT COALESCE(MAX(id), 0) FROM (SELECT id FROM bucket_statistics) AS m) \
              ORDER BY id"
        ),
    ];
    for sql in statements {
        diesel::sql_query(sql).execute(conn)?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct TrafficCounter {
    #[diesel(sql_type = Unsigned<BigInt>)]
    data_center_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    device_id: u64,
    #[diesel(sql_type = Text)]
    device_type: String,
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    network_id: Option<u64>,
    #[diesel(sql_type = Unsigned<BigInt>)]
    agg_bytes_received: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    agg_bytes_sent: u64,
}

#[derive(QueryableByName)]
struct DiskCounter {
    #[diesel(sql_type = Unsigned<BigInt>)]
    data_center_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    vm_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    volume_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    agg_io_read: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    agg_io_write: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    agg_bytes_read: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    agg_bytes_write: u64,
}

/// Java's `long` arithmetic on the unsigned columns.
fn java_long(v: u64) -> i64 {
    v as i64
}

/// `now - before`, 0 when the counter went backwards (a router was recreated).
fn delta(now: i64, before: i64) -> u64 {
    now.wrapping_sub(before).max(0) as u64
}

/// Writes this run's traffic and disk deltas, stamped `end_millis` (the run's end), for the
/// accounts live or removed at or after `removed_since`: per router and network (per VM and
/// volume for disks), the counters summed over the account's rows minus the sums the latest
/// earlier run of that account and zone recorded. Rows of a key written before by a run with
/// the same end are left as they are.
pub(crate) fn record_deltas(
    conn: &mut MysqlConnection,
    end_millis: u64,
    removed_since: DateTime<Utc>,
) -> Result<()> {
    record_traffic_deltas(conn, end_millis, removed_since)?;
    record_disk_deltas(conn, end_millis, removed_since)
}

fn record_traffic_deltas(
    conn: &mut MysqlConnection,
    end_millis: u64,
    removed_since: DateTime<Utc>,
) -> Result<()> {
    // The latest rows of each account and zone, keyed as `UsageNetworkDaoImpl` keys them.
    let latest: Vec<LatestTraffic> = diesel::sql_query(
        "SELECT u.account_id, u.zone_id, u.host_id, u.network_id, u.agg_bytes_sent, \
                u.agg_bytes_received \
           FROM usage_network u \
           JOIN (SELECT account_id, zone_id, MAX(event_time_millis) AS max_date \
                   FROM usage_network GROUP BY account_id, zone_id) m \
             ON u.account_id = m.account_id AND u.zone_id = m.zone_id \
            AND u.event_time_millis = m.max_date",
    )
    .load(conn)?;
    let mut before: HashMap<String, (i64, i64)> = HashMap::new();
    for r in latest {
        let key = if r.host_id != 0 {
            format!(
                "{}-{}-Host-{}-Network-{}",
                r.zone_id, r.account_id, r.host_id, r.network_id
            )
        } else {
            format!("{}-{}", r.zone_id, r.account_id)
        };
        before.insert(
            key,
            (java_long(r.agg_bytes_sent), java_long(r.agg_bytes_received)),
        );
    }
    let counters: Vec<TrafficCounter> = diesel::sql_query(format!(
        "SELECT us.data_center_id, us.account_id, us.device_id, us.device_type, us.network_id, \
                us.agg_bytes_received, us.agg_bytes_sent \
           FROM user_statistics us JOIN account a ON us.account_id = a.id \
          WHERE a.removed IS NULL OR a.removed >= {} ORDER BY us.id",
        literal(removed_since)
    ))
    .load(conn)?;
    // Summed per router and network, in first-seen order; the first row names them.
    let mut order: Vec<String> = Vec::new();
    let mut sums: HashMap<String, (TrafficCounter, i64, i64)> = HashMap::new();
    for c in counters {
        let network = c
            .network_id
            .map_or_else(|| "null".to_owned(), |n| n.to_string());
        let key = format!(
            "{}-{}-Host-{}-Network-{network}",
            c.data_center_id, c.account_id, c.device_id
        );
        let (sent, received) = (java_long(c.agg_bytes_sent), java_long(c.agg_bytes_received));
        match sums.get_mut(&key) {
            Some(sum) => {
                sum.1 = sum.1.wrapping_add(sent);
                sum.2 = sum.2.wrapping_add(received);
            }
            None => {
                order.push(key.clone());
                sums.insert(key, (c, sent, received));
            }
        }
    }
    for key in order {
        let (c, sent, received) = &sums[&key];
        let (sent_before, received_before) = before.get(&key).copied().unwrap_or((0, 0));
        // Java binds the network id as a primitive: a counter without one fails the run.
        let network = c.network_id.ok_or_else(|| {
            Error::invalid_value(
                "user_statistics.network_id",
                "NULL",
                format!("traffic counter of router {} names no network", c.device_id),
            )
        })?;
        diesel::insert_into(usage_network::table)
            .values((
                usage_network::account_id.eq(c.account_id),
                usage_network::zone_id.eq(c.data_center_id),
                usage_network::host_id.eq(c.device_id),
                usage_network::host_type.eq(Some(c.device_type.as_str())),
                usage_network::network_id.eq(network),
                usage_network::bytes_sent.eq(delta(*sent, sent_before)),
                usage_network::bytes_received.eq(delta(*received, received_before)),
                usage_network::agg_bytes_received.eq(*received as u64),
                usage_network::agg_bytes_sent.eq(*sent as u64),
                usage_network::event_time_millis.eq(end_millis),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct LatestTraffic {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    zone_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    host_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    network_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    agg_bytes_sent: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    agg_bytes_received: u64,
}

#[derive(QueryableByName)]
struct LatestDisk {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    zone_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    vm_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    volume_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    agg_io_read: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    agg_io_write: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    agg_bytes_read: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    agg_bytes_write: u64,
}

fn record_disk_deltas(
    conn: &mut MysqlConnection,
    end_millis: u64,
    removed_since: DateTime<Utc>,
) -> Result<()> {
    let latest: Vec<LatestDisk> = diesel::sql_query(
        "SELECT u.account_id, u.zone_id, u.vm_id, u.volume_id, u.agg_io_read, u.agg_io_write, \
                u.agg_bytes_read, u.agg_bytes_write \
           FROM usage_vm_disk u \
           JOIN (SELECT account_id, zone_id, MAX(event_time_millis) AS max_date \
                   FROM usage_vm_disk GROUP BY account_id, zone_id) m \
             ON u.account_id = m.account_id AND u.zone_id = m.zone_id \
            AND u.event_time_millis = m.max_date",
    )
    .load(conn)?;
    let mut before: HashMap<String, [i64; 4]> = HashMap::new();
    for r in latest {
        let key = if r.vm_id != 0 {
            format!(
                "{}-{}-Vm-{}-Disk-{}",
                r.zone_id, r.account_id, r.vm_id, r.volume_id
            )
        } else {
            format!("{}-{}", r.zone_id, r.account_id)
        };
        before.insert(
            key,
            [
                java_long(r.agg_io_read),
                java_long(r.agg_io_write),
                java_long(r.agg_bytes_read),
                java_long(r.agg_bytes_write),
            ],
        );
    }
    let counters: Vec<DiskCounter> = diesel::sql_query(format!(
        "SELECT bcf.data_center_id, bcf.account_id, bcf.vm_id, bcf.volume_id, bcf.agg_io_read, \
                bcf.agg_io_write, bcf.agg_bytes_read, bcf.agg_bytes_write \
           FROM vm_disk_statistics bcf JOIN account a ON bcf.account_id = a.id \
          WHERE a.removed IS NULL OR a.removed >= {} ORDER BY bcf.id LIMIT {DISK_COUNTERS_PER_RUN}",
        literal(removed_since)
    ))
    .load(conn)?;
    let mut order: Vec<String> = Vec::new();
    let mut sums: HashMap<String, (DiskCounter, [i64; 4])> = HashMap::new();
    for c in counters {
        let key = format!(
            "{}-{}-Vm-{}-Disk-{}",
            c.data_center_id, c.account_id, c.vm_id, c.volume_id
        );
        let values = [
            java_long(c.agg_io_read),
            java_long(c.agg_io_write),
            java_long(c.agg_bytes_read),
            java_long(c.agg_bytes_write),
        ];
        match sums.get_mut(&key) {
            Some((_, sum)) => {
                for (s, v) in sum.iter_mut().zip(values) {
                    *s = s.wrapping_add(v);
                }
            }
            None => {
                order.push(key.clone());
                sums.insert(key, (c, values));
            }
        }
    }
    for key in order {
        let (c, now) = &sums[&key];
        let was = before.get(&key).copied().unwrap_or([0; 4]);
        diesel::insert_into(usage_vm_disk::table)
            .values((
                usage_vm_disk::account_id.eq(c.account_id),
                usage_vm_disk::zone_id.eq(c.data_center_id),
                usage_vm_disk::vm_id.eq(c.vm_id),
                usage_vm_disk::volume_id.eq(c.volume_id),
                usage_vm_disk::io_read.eq(delta(now[0], was[0])),
                usage_vm_disk::io_write.eq(delta(now[1], was[1])),
                usage_vm_disk::agg_io_read.eq(now[0] as u64),
                usage_vm_disk::agg_io_write.eq(now[1] as u64),
                usage_vm_disk::bytes_read.eq(delta(now[2], was[2])),
                usage_vm_disk::bytes_write.eq(delta(now[3], was[3])),
                usage_vm_disk::agg_bytes_read.eq(now[2] as u64),
                usage_vm_disk::agg_bytes_write.eq(now[3] as u64),
                usage_vm_disk::event_time_millis.eq(end_millis),
            ))
            .on_conflict_do_nothing()
            .execute(conn)?;
    }
    Ok(())
}
