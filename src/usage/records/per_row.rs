//! Records of guest networks (`NetworksUsageParser`), VPCs (`VpcUsageParser`) and backup
//! offerings of VMs (`BackupUsageParser`): one per helper row in the window — these parsers do
//! not group rows.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Unsigned};

use super::{Scope, base_record, literal};
use crate::Result;
use crate::usage::{NewUsageRecord, UsageType};

#[derive(QueryableByName)]
struct RowUsage {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    domain_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    resource: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    offering: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    zone_id: u64,
    #[diesel(sql_type = Nullable<Text>)]
    state: Option<String>,
    #[diesel(sql_type = Unsigned<BigInt>)]
    size: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    protected_size: u64,
    #[diesel(sql_type = BigInt)]
    duration_ms: i64,
}

/// A helper table and the expressions (over its alias `t`) a record takes from each row.
struct PerRow {
    table: &'static str,
    resource: &'static str,
    offering: &'static str,
    state: &'static str,
    size: &'static str,
    protected_size: &'static str,
}

const NETWORKS: PerRow = PerRow {
    table: "usage_networks",
    resource: "t.network_id",
    offering: "t.network_offering_id",
    state: "t.state",
    size: "0",
    protected_size: "0",
};

const VPCS: PerRow = PerRow {
    table: "usage_vpc",
    resource: "t.vpc_id",
    offering: "0",
    state: "t.state",
    size: "0",
    protected_size: "0",
};

// Java reads NULL sizes as 0 (`ResultSet#getLong`).
const BACKUPS: PerRow = PerRow {
    table: "usage_backup",
    resource: "t.vm_id",
    offering: "t.backup_offering_id",
    state: "NULL",
    size: "COALESCE(t.size, 0)",
    protected_size: "COALESCE(t.protected_size, 0)",
};

/// The rows of `table` the parsers read for the window (open ones created by its end, and
/// those created or removed in it or spanning it), each with its clipped duration.
fn rows(
    conn: &mut MysqlConnection,
    scope: &Scope,
    accounts: (u64, u64),
    shape: &PerRow,
) -> Result<Vec<RowUsage>> {
    let PerRow {
        table,
        resource,
        offering,
        state,
        size,
        protected_size,
    } = shape;
    let (s_ms, e_ms) = (scope.window.start_millis(), scope.window.end_millis());
    let (s, e) = (literal(scope.window.start()), literal(scope.window.end()));
    let removed_since = literal(scope.removed_since);
    let ms = |col: &str| format!("TIMESTAMPDIFF(SECOND, '1970-01-01', {col}) * 1000");
    Ok(diesel::sql_query(format!(
        "SELECT t.account_id, a.domain_id, {resource} AS resource, \
                CAST({offering} AS UNSIGNED) AS offering, t.zone_id, {state} AS state, \
                CAST({size} AS UNSIGNED) AS size, \
                CAST({protected_size} AS UNSIGNED) AS protected_size, \
                CAST(LEAST(COALESCE({removed_ms}, {e_ms}), {e_ms}) \
                     - GREATEST({created_ms}, {s_ms}) + 1 AS SIGNED) AS duration_ms \
           FROM {table} t \
           JOIN account a ON a.id = t.account_id \
                         AND (a.removed IS NULL OR a.removed >= {removed_since}) \
          WHERE t.account_id BETWEEN {low} AND {high} \
            AND ((t.removed IS NULL AND t.created <= {e}) OR (t.created BETWEEN {s} AND {e}) \
                 OR (t.removed BETWEEN {s} AND {e}) OR (t.created <= {s} AND t.removed >= {e})) \
          ORDER BY t.account_id, t.id",
        removed_ms = ms("t.removed"),
        created_ms = ms("t.created"),
        low = accounts.0,
        high = accounts.1,
    ))
    .load(conn)?)
}

/// Appends the network, VPC and backup records of `scope` for `accounts` to `records`.
pub(super) fn push_records(
    conn: &mut MysqlConnection,
    scope: &Scope,
    accounts: (u64, u64),
    records: &mut Vec<NewUsageRecord>,
) -> Result<()> {
    for r in rows(conn, scope, accounts, &NETWORKS)? {
        records.push(NewUsageRecord {
            description: format!(
                "Network usage for network ID: {}, network offering: {}",
                r.resource, r.offering
            ),
            usage_type: Some(UsageType::Network),
            offering_id: Some(r.offering),
            usage_id: Some(r.resource),
            size: Some(0),
            state: r.state,
            ..base_record(scope, r.account_id, r.zone_id, r.domain_id, r.duration_ms)
        });
    }
    for r in rows(conn, scope, accounts, &VPCS)? {
        records.push(NewUsageRecord {
            description: format!("VPC usage for VPC ID: {}", r.resource),
            usage_type: Some(UsageType::Vpc),
            usage_id: Some(r.resource),
            size: Some(0),
            ..base_record(scope, r.account_id, r.zone_id, r.domain_id, r.duration_ms)
        });
    }
    for r in rows(conn, scope, accounts, &BACKUPS)? {
        records.push(NewUsageRecord {
            description: format!(
                "Backup usage VM ID: {}, backup offering: {}",
                r.resource, r.offering
            ),
            usage_type: Some(UsageType::Backup),
            vm_instance_id: Some(crate::types::VmId(r.resource)),
            offering_id: Some(r.offering),
            usage_id: Some(r.resource),
            size: Some(r.size),
            virtual_size: Some(r.protected_size),
            ..base_record(scope, r.account_id, r.zone_id, r.domain_id, r.duration_ms)
        });
    }
    Ok(())
}
