//! Records of network services held over time: security groups (`SecurityGroupUsageParser`),
//! load-balancing policies (`LoadBalancerUsageParser`), port-forwarding rules
//! (`PortForwardingUsageParser`), network offerings of VM NICs (`NetworkOfferingUsageParser`)
//! and VPN users (`VPNUserUsageParser`).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Unsigned};

use super::{Scope, TimeTable, base_record};
use crate::Result;
use crate::types::VmId;
use crate::usage::{NewUsageRecord, UsageType};

/// A helper table and the columns its records are made of: the key in `first`/`second`
/// (`0` when there is no second part), a name and a flag (`NULL`/`0` when unused).
struct Service {
    table: TimeTable,
    first: &'static str,
    second: &'static str,
    name: &'static str,
    flag: &'static str,
}

const fn service(
    table: &'static str,
    key: &'static [&'static str],
    columns: [&'static str; 4],
) -> Service {
    Service {
        table: TimeTable {
            table,
            start: "created",
            end: "deleted",
            key,
            open_rows_always: true,
        },
        first: columns[0],
        second: columns[1],
        name: columns[2],
        flag: columns[3],
    }
}

const SECURITY_GROUPS: Service = service(
    "usage_security_group",
    &["vm_instance_id", "security_group_id"],
    ["vm_instance_id", "security_group_id", "NULL", "0"],
);
const LOAD_BALANCERS: Service = service(
    "usage_load_balancer_policy",
    &["lb_id"],
    ["lb_id", "0", "NULL", "0"],
);
const PORT_FORWARDS: Service = service(
    "usage_port_forwarding",
    &["pf_id"],
    ["pf_id", "0", "NULL", "0"],
);
// The flag is whether the last row read was the VM's default NIC.
const NETWORK_OFFERINGS: Service = service(
    "usage_network_offering",
    &["vm_instance_id", "network_offering_id"],
    [
        "vm_instance_id",
        "network_offering_id",
        "NULL",
        "(SELECT is_default FROM usage_network_offering n WHERE n.id = r.last_id)",
    ],
);
const VPN_USERS: Service = service(
    "usage_vpn_user",
    &["user_id", "user_name"],
    ["user_id", "0", "user_name", "0"],
);

/// One grouped row of any of the tables: its key in `first`/`second` (absent parts 0).
#[derive(QueryableByName)]
struct ServiceUsage {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    domain_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    first: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    second: u64,
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
    #[diesel(sql_type = BigInt)]
    flag: i64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    zone_id: u64,
    #[diesel(sql_type = BigInt)]
    duration_ms: i64,
}

fn load(
    conn: &mut MysqlConnection,
    scope: &Scope,
    accounts: (u64, u64),
    service: &Service,
) -> Result<Vec<ServiceUsage>> {
    let inner = service.table.query(scope, accounts, "l.zone_id AS zone_id");
    let Service {
        first,
        second,
        name,
        flag,
        ..
    } = service;
    Ok(diesel::sql_query(format!(
        "SELECT account_id, domain_id, CAST({first} AS UNSIGNED) AS first, \
                CAST({second} AS UNSIGNED) AS second, {name} AS name, \
                CAST({flag} AS SIGNED) AS flag, zone_id, duration_ms \
           FROM ({inner}) AS r"
    ))
    .load(conn)?)
}

/// Appends the network-service records of `scope` for `accounts` to `records`.
pub(super) fn push_records(
    conn: &mut MysqlConnection,
    scope: &Scope,
    accounts: (u64, u64),
    records: &mut Vec<NewUsageRecord>,
) -> Result<()> {
    let base =
        |r: &ServiceUsage| base_record(scope, r.account_id, r.zone_id, r.domain_id, r.duration_ms);
    for r in load(conn, scope, accounts, &SECURITY_GROUPS)? {
        records.push(NewUsageRecord {
            description: format!(
                "Security Group: {} for Vm : {} usage time",
                r.second, r.first
            ),
            usage_type: Some(UsageType::SecurityGroup),
            vm_instance_id: Some(VmId(r.first)),
            usage_id: Some(r.second),
            ..base(&r)
        });
    }
    for r in load(conn, scope, accounts, &LOAD_BALANCERS)? {
        records.push(NewUsageRecord {
            description: format!("Load Balancing Policy: {} usage time", r.first),
            usage_type: Some(UsageType::LoadBalancerPolicy),
            usage_id: Some(r.first),
            ..base(&r)
        });
    }
    for r in load(conn, scope, accounts, &PORT_FORWARDS)? {
        records.push(NewUsageRecord {
            description: format!("Port Forwarding Rule: {} usage time", r.first),
            usage_type: Some(UsageType::PortForwardingRule),
            usage_id: Some(r.first),
            ..base(&r)
        });
    }
    // The record's usage_id is whether the last row read was the VM's default NIC.
    for r in load(conn, scope, accounts, &NETWORK_OFFERINGS)? {
        records.push(NewUsageRecord {
            description: format!(
                "Network offering:{} for Vm : {} usage time",
                r.second, r.first
            ),
            usage_type: Some(UsageType::NetworkOffering),
            vm_instance_id: Some(VmId(r.first)),
            offering_id: Some(r.second),
            usage_id: Some(u64::from(r.flag != 0)),
            ..base(&r)
        });
    }
    for r in load(conn, scope, accounts, &VPN_USERS)? {
        let name = r.name.as_deref().unwrap_or("null");
        records.push(NewUsageRecord {
            description: format!("VPN User: {name}, Id: {} usage time", r.first),
            usage_type: Some(UsageType::VpnUsers),
            usage_id: Some(r.first),
            ..base(&r)
        });
    }
    Ok(())
}
