//! The helper tables CloudStack's usage server writes one event at a time, with a lookup
//! before each write (`usage_storage`, `usage_load_balancer_policy`, `usage_port_forwarding`,
//! `usage_network_offering`, `usage_vpn_user`, `usage_security_group`, `usage_networks`,
//! `usage_vpc`, `usage_backup`, `usage_vmsnapshot`, `usage_snapshot_on_primary`): each event becomes the
//! same statements `UsageManagerImpl#createHelperRecord` runs for it, in event order, on the
//! batch's transaction. These events are few next to VM, volume and address events, so the
//! statements are not batched.

use chrono::{DateTime, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;

use super::CopiedUsageEvent;
use crate::schema::cloud_usage::{
    usage_backup as bk, usage_load_balancer_policy as lb, usage_network_offering as no,
    usage_networks as nw, usage_port_forwarding as pf, usage_security_group as sg,
    usage_snapshot_on_primary as sp, usage_storage as st, usage_vmsnapshot as vs, usage_vpc as vpc,
    usage_vpn_user as vpn,
};
use crate::types::DomainId;
use crate::{Error, Result};

/// `usage_storage.storage_type` (`StorageTypes`).
pub(crate) mod storage_type {
    /// A template copy in one zone.
    pub const TEMPLATE: u32 = 1;
    /// An ISO copy in one zone.
    pub const ISO: u32 = 2;
    /// A volume snapshot on secondary storage.
    pub const SNAPSHOT: u32 = 3;
    /// An uploaded volume still on secondary storage.
    pub const VOLUME: u32 = 4;
}

/// What the run knows that the events do not say.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowSettings {
    /// `usage.snapshot.virtualsize.select`: snapshots are billed by virtual size.
    pub snapshot_virtual_size: bool,
    /// What Java's `new Date()` is while the batch applies (VPN user removals use it).
    pub now: DateTime<Utc>,
}

/// The volumes of a batch's VOLUME.CREATE events that have (or may get, by an upload in the
/// batch) a secondary-storage row: only those need this module's part of VOLUME.CREATE, so the
/// common case costs one query per batch instead of one per event.
pub(crate) fn uploaded_volumes(
    conn: &mut MysqlConnection,
    events: &[CopiedUsageEvent],
) -> Result<std::collections::HashSet<u64>> {
    let mut uploaded: std::collections::HashSet<u64> = events
        .iter()
        .filter(|e| e.event_type == "VOLUME.UPLOAD")
        .filter_map(|e| e.resource_id)
        .collect();
    let created: Vec<u64> = events
        .iter()
        .filter(|e| e.event_type == "VOLUME.CREATE")
        .filter_map(|e| e.resource_id)
        .collect();
    for chunk in created.chunks(5000) {
        let known: Vec<u64> = st::table
            .filter(st::storage_type.eq(storage_type::VOLUME))
            .filter(st::entity_id.eq_any(chunk))
            .select(st::entity_id)
            .distinct()
            .load(conn)?;
        uploaded.extend(known);
    }
    Ok(uploaded)
}

/// Whether `kind` is an event this module applies (VOLUME.CREATE also goes to
/// [`super::helper_tables`] for `usage_volume`; this module only needs it for the volumes
/// [`uploaded_volumes`] names).
pub(crate) fn handles(kind: &str) -> bool {
    matches!(
        kind,
        "VOLUME.CREATE"
            | "VOLUME.UPLOAD"
            | "TEMPLATE.CREATE"
            | "TEMPLATE.COPY"
            | "TEMPLATE.DELETE"
            | "ISO.CREATE"
            | "ISO.COPY"
            | "ISO.DELETE"
            | "SNAPSHOT.CREATE"
            | "SNAPSHOT.DELETE"
            | "NETWORK.OFFERING.CREATE"
            | "NETWORK.OFFERING.ASSIGN"
            | "NETWORK.OFFERING.REMOVE"
            | "NETWORK.OFFERING.DELETE"
            | "SG.ASSIGN"
            | "SG.REMOVE"
            | "NETWORK.CREATE"
            | "NETWORK.UPDATE"
            | "NETWORK.DELETE"
            | "VPC.CREATE"
            | "VPC.DELETE"
            | "BACKUP.OFFERING.ASSIGN"
            | "BACKUP.OFFERING.BACKUPS.DEL"
            | "BACKUP.USAGE.METRIC"
            | "VMSNAPSHOT.CREATE"
            | "VMSNAPSHOT.DELETE"
            | "VMSNAPSHOT.ON_PRIMARY"
            | "VMSNAPSHOT.OFF_PRIMARY"
    ) || kind.starts_with("LB.")
        || kind.starts_with("NET.RULE")
        || kind.starts_with("VPN.USER")
}

/// Applies one event; returns whether it changed (or was meant to change) a helper row.
/// `domain` is the event account's domain in `cloud.account`.
pub(crate) fn apply(
    conn: &mut MysqlConnection,
    e: &CopiedUsageEvent,
    domain: DomainId,
    details: &[(String, String)],
    settings: &RowSettings,
) -> Result<bool> {
    let Some(resource) = e.resource_id else {
        return Ok(false);
    };
    let at = e.created.naive_utc();
    let account = e.account_id.get();
    let zone = e.zone_id.get();
    let kind = e.event_type.as_str();
    match kind {
        "VOLUME.CREATE" => {
            // An uploaded volume that was attached stops being billed on secondary storage,
            // when it is the only storage row the volume ever had.
            let rows: i64 = st::table
                .filter(st::entity_id.eq(resource))
                .filter(st::storage_type.eq(storage_type::VOLUME))
                .count()
                .get_result(conn)?;
            if rows == 1 {
                diesel::update(
                    st::table
                        .filter(st::entity_id.eq(resource))
                        .filter(st::storage_type.eq(storage_type::VOLUME))
                        .filter(st::deleted.is_null()),
                )
                .set(st::deleted.eq(at))
                .execute(conn)?;
            }
            // usage_volume is helper_tables' part of this event.
            Ok(false)
        }
        "VOLUME.UPLOAD" => {
            close_storage(conn, account, resource, storage_type::VOLUME, None, at)?;
            insert_storage(
                conn,
                e,
                resource,
                domain,
                storage_type::VOLUME,
                e.template_id.map(|t| t.get()),
                e.size.unwrap_or(0),
                None,
            )?;
            Ok(true)
        }
        "TEMPLATE.CREATE" | "TEMPLATE.COPY" => {
            let size = e.size.unwrap_or(0);
            if size < 1 || open_storage(conn, account, resource, storage_type::TEMPLATE, zone)? {
                return Ok(false);
            }
            insert_storage(
                conn,
                e,
                resource,
                domain,
                storage_type::TEMPLATE,
                e.template_id.map(|t| t.get()),
                size,
                e.virtual_size,
            )?;
            Ok(true)
        }
        "ISO.CREATE" | "ISO.COPY" => {
            if open_storage(conn, account, resource, storage_type::ISO, zone)? {
                return Ok(false);
            }
            let size = e.size.unwrap_or(0);
            insert_storage(
                conn,
                e,
                resource,
                domain,
                storage_type::ISO,
                None,
                size,
                Some(size),
            )?;
            Ok(true)
        }
        "TEMPLATE.DELETE" => {
            close_storage(
                conn,
                account,
                resource,
                storage_type::TEMPLATE,
                Some(zone),
                at,
            )?;
            Ok(true)
        }
        "ISO.DELETE" => {
            close_storage(conn, account, resource, storage_type::ISO, Some(zone), at)?;
            Ok(true)
        }
        "SNAPSHOT.CREATE" => {
            let size = if settings.snapshot_virtual_size {
                e.virtual_size
            } else {
                e.size
            };
            insert_storage(
                conn,
                e,
                resource,
                domain,
                storage_type::SNAPSHOT,
                None,
                size.unwrap_or(0),
                None,
            )?;
            Ok(true)
        }
        "SNAPSHOT.DELETE" => {
            close_storage(conn, account, resource, storage_type::SNAPSHOT, None, at)?;
            Ok(true)
        }
        "LB.CREATE" => {
            diesel::insert_into(lb::table)
                .values((
                    lb::lb_id.eq(resource),
                    lb::zone_id.eq(zone),
                    lb::account_id.eq(account),
                    lb::domain_id.eq(domain.get()),
                    lb::created.eq(at),
                ))
                .execute(conn)?;
            Ok(true)
        }
        "LB.DELETE" => {
            diesel::update(
                lb::table
                    .filter(lb::account_id.eq(account))
                    .filter(lb::lb_id.eq(resource))
                    .filter(lb::deleted.is_null()),
            )
            .set(lb::deleted.eq(at))
            .execute(conn)?;
            Ok(true)
        }
        "NET.RULEADD" => {
            diesel::insert_into(pf::table)
                .values((
                    pf::pf_id.eq(resource),
                    pf::zone_id.eq(zone),
                    pf::account_id.eq(account),
                    pf::domain_id.eq(domain.get()),
                    pf::created.eq(at),
                ))
                .execute(conn)?;
            Ok(true)
        }
        "NET.RULEDELETE" => {
            diesel::update(
                pf::table
                    .filter(pf::account_id.eq(account))
                    .filter(pf::pf_id.eq(resource))
                    .filter(pf::deleted.is_null()),
            )
            .set(pf::deleted.eq(at))
            .execute(conn)?;
            Ok(true)
        }
        "NETWORK.OFFERING.CREATE" | "NETWORK.OFFERING.ASSIGN" => {
            let Some(offering) = e.offering_id else {
                return Ok(false);
            };
            diesel::insert_into(no::table)
                .values((
                    no::zone_id.eq(zone),
                    no::account_id.eq(account),
                    no::domain_id.eq(domain.get()),
                    no::vm_instance_id.eq(resource),
                    no::network_offering_id.eq(offering),
                    no::is_default.eq(i16::from(e.size == Some(1))),
                    no::created.eq(at),
                    no::nic_id.eq(nic_id(e)),
                ))
                .execute(conn)?;
            Ok(true)
        }
        "NETWORK.OFFERING.REMOVE" | "NETWORK.OFFERING.DELETE" => {
            let Some(offering) = e.offering_id else {
                return Ok(false);
            };
            let open = no::table
                .filter(no::account_id.eq(account))
                .filter(no::vm_instance_id.eq(resource))
                .filter(no::network_offering_id.eq(offering))
                .filter(no::deleted.is_null());
            // Java looks the row up by NIC too, but its update ends every open row of the VM
            // on that offering.
            let found: bool =
                diesel::select(exists(open.filter(no::nic_id.eq(nic_id(e))))).get_result(conn)?;
            if found {
                diesel::update(open).set(no::deleted.eq(at)).execute(conn)?;
            }
            Ok(true)
        }
        "VPN.USER.ADD" => {
            let open: bool = diesel::select(exists(
                vpn::table
                    .filter(vpn::zone_id.eq(zone))
                    .filter(vpn::account_id.eq(account))
                    .filter(vpn::domain_id.eq(domain.get()))
                    .filter(vpn::user_id.eq(resource))
                    .filter(vpn::deleted.is_null()),
            ))
            .get_result(conn)?;
            if open {
                return Ok(false);
            }
            diesel::insert_into(vpn::table)
                .values((
                    vpn::zone_id.eq(zone),
                    vpn::account_id.eq(account),
                    vpn::domain_id.eq(domain.get()),
                    vpn::user_id.eq(resource),
                    vpn::user_name.eq(e.resource_name.as_deref()),
                    vpn::created.eq(at),
                ))
                .execute(conn)?;
            Ok(true)
        }
        "VPN.USER.REMOVE" => {
            let open = vpn::table
                .filter(vpn::account_id.eq(account))
                .filter(vpn::user_id.eq(resource))
                .filter(vpn::deleted.is_null());
            let found: bool = diesel::select(exists(
                open.filter(vpn::zone_id.eq(zone))
                    .filter(vpn::domain_id.eq(domain.get())),
            ))
            .get_result(conn)?;
            if found {
                // Java ends the row at the moment it applies the event, not at the event's
                // time (`UsageManagerImpl#deleteUsageVpnUser`).
                let now = settings.now.naive_utc();
                diesel::update(open)
                    .set(vpn::deleted.eq(now))
                    .execute(conn)?;
            }
            Ok(true)
        }
        "SG.ASSIGN" => {
            let Some(group) = e.offering_id else {
                return Ok(false);
            };
            diesel::insert_into(sg::table)
                .values((
                    sg::zone_id.eq(zone),
                    sg::account_id.eq(account),
                    sg::domain_id.eq(domain.get()),
                    sg::vm_instance_id.eq(resource),
                    sg::security_group_id.eq(group),
                    sg::created.eq(at),
                ))
                .execute(conn)?;
            Ok(true)
        }
        "SG.REMOVE" => {
            let Some(group) = e.offering_id else {
                return Ok(false);
            };
            diesel::update(
                sg::table
                    .filter(sg::account_id.eq(account))
                    .filter(sg::vm_instance_id.eq(resource))
                    .filter(sg::security_group_id.eq(group))
                    .filter(sg::deleted.is_null()),
            )
            .set(sg::deleted.eq(at))
            .execute(conn)?;
            Ok(true)
        }
        "NETWORK.CREATE" => {
            let known: bool = diesel::select(exists(nw::table.filter(nw::network_id.eq(resource))))
                .get_result(conn)?;
            if known {
                return Ok(false);
            }
            insert_network(conn, e, resource, domain, Some("Allocated"))?;
            Ok(true)
        }
        "NETWORK.UPDATE" => {
            end_network(conn, resource, at)?;
            insert_network(conn, e, resource, domain, e.resource_type.as_deref())?;
            Ok(true)
        }
        "NETWORK.DELETE" => {
            end_network(conn, resource, at)?;
            Ok(true)
        }
        "VPC.CREATE" => {
            let known: bool = diesel::select(exists(vpc::table.filter(vpc::vpc_id.eq(resource))))
                .get_result(conn)?;
            if known {
                return Ok(false);
            }
            diesel::insert_into(vpc::table)
                .values((
                    vpc::vpc_id.eq(resource),
                    vpc::zone_id.eq(zone),
                    vpc::account_id.eq(account),
                    vpc::domain_id.eq(domain.get()),
                    vpc::state.eq("Enabled"),
                    vpc::created.eq(at),
                ))
                .execute(conn)?;
            Ok(true)
        }
        "VPC.DELETE" => {
            // Whoever owns it: Java matches the VPC id alone.
            diesel::update(
                vpc::table
                    .filter(vpc::vpc_id.eq(resource))
                    .filter(vpc::removed.is_null()),
            )
            .set(vpc::removed.eq(at))
            .execute(conn)?;
            Ok(true)
        }
        "BACKUP.OFFERING.ASSIGN" => {
            let offering = backup_offering(e)?;
            // Java's row leaves the sizes unset: NULL, not the columns' default 0.
            diesel::insert_into(bk::table)
                .values((
                    bk::zone_id.eq(zone),
                    bk::account_id.eq(account),
                    bk::domain_id.eq(domain.get()),
                    bk::vm_id.eq(resource),
                    bk::backup_offering_id.eq(offering),
                    bk::size.eq(None::<i64>),
                    bk::protected_size.eq(None::<i64>),
                    bk::created.eq(at),
                ))
                .execute(conn)?;
            Ok(true)
        }
        "BACKUP.OFFERING.BACKUPS.DEL" => {
            let offering = backup_offering(e)?;
            diesel::update(
                bk::table
                    .filter(bk::account_id.eq(account))
                    .filter(bk::vm_id.eq(resource))
                    .filter(bk::backup_offering_id.eq(offering))
                    .filter(bk::removed.is_null()),
            )
            .set(bk::removed.eq(at))
            .execute(conn)?;
            Ok(true)
        }
        "BACKUP.USAGE.METRIC" => {
            let offering = backup_offering(e)?;
            // Java updates one row of the VM and offering, ended or not, whoever owns it
            // (`UsageBackupDaoImpl#updateMetrics`, `findOneBy`): the first by id here.
            let first: Option<u64> = bk::table
                .filter(bk::vm_id.eq(resource))
                .filter(bk::backup_offering_id.eq(offering))
                .select(bk::id)
                .order(bk::id)
                .first(conn)
                .optional()?;
            let Some(id) = first else {
                return Ok(false);
            };
            diesel::update(bk::table.find(id))
                .set((
                    bk::size.eq(e.size.map(|v| signed(v, "usage_event.size")).transpose()?),
                    bk::protected_size.eq(e
                        .virtual_size
                        .map(|v| signed(v, "usage_event.virtual_size"))
                        .transpose()?),
                ))
                .execute(conn)?;
            Ok(true)
        }
        "VMSNAPSHOT.CREATE" => {
            // The event's template_id holds the volume (Java unboxes it).
            let volume = e.template_id.map(|t| t.get()).ok_or_else(|| {
                Error::invalid_value(
                    "usage_event.template_id",
                    "NULL",
                    "VMSNAPSHOT.CREATE names no volume",
                )
            })?;
            let size = signed(e.size.unwrap_or(0), "usage_event.size")?;
            diesel::insert_into(vs::table)
                .values((
                    vs::volume_id.eq(volume),
                    vs::zone_id.eq(zone),
                    vs::account_id.eq(account),
                    vs::domain_id.eq(domain.get()),
                    vs::vm_id.eq(resource),
                    vs::disk_offering_id.eq(e.offering_id),
                    vs::size.eq(Some(size)),
                    vs::created.eq(at),
                    vs::vm_snapshot_id.eq(vm_snapshot_id(details)?),
                ))
                .on_conflict_do_nothing()
                .execute(conn)?;
            Ok(true)
        }
        "VMSNAPSHOT.DELETE" => {
            // Matched on the event's disk offering; a NULL one matches nothing, as in Java.
            let mut rows = vs::table
                .filter(vs::zone_id.eq(zone))
                .filter(vs::account_id.eq(account))
                .filter(vs::domain_id.eq(domain.get()))
                .filter(vs::vm_id.eq(resource))
                .filter(vs::processed.is_null())
                .into_boxed();
            rows = match e.offering_id {
                Some(offering) => rows.filter(vs::disk_offering_id.eq(offering)),
                None => rows.filter(diesel::dsl::sql::<diesel::sql_types::Bool>("FALSE")),
            };
            let ids: Vec<i64> = rows.select(vs::id).load(conn)?;
            if !ids.is_empty() {
                diesel::update(vs::table.filter(vs::id.eq_any(ids)))
                    .set(vs::processed.eq(at))
                    .execute(conn)?;
            }
            Ok(true)
        }
        "VMSNAPSHOT.ON_PRIMARY" => {
            diesel::insert_into(sp::table)
                .values((
                    sp::volume_id.eq(resource),
                    sp::zone_id.eq(zone),
                    sp::account_id.eq(account),
                    sp::domain_id.eq(domain.get()),
                    sp::vm_id.eq(resource),
                    sp::name.eq(e.resource_name.as_deref()),
                    sp::type_.eq(0),
                    sp::physicalsize.eq(Some(signed(e.size.unwrap_or(0), "usage_event.size")?)),
                    sp::virtualsize.eq(Some(signed(
                        e.virtual_size.unwrap_or(0),
                        "usage_event.virtual_size",
                    )?)),
                    sp::created.eq(at),
                    sp::vm_snapshot_id.eq(vm_snapshot_id(details)?),
                ))
                .on_conflict_do_nothing()
                .execute(conn)?;
            Ok(true)
        }
        "VMSNAPSHOT.OFF_PRIMARY" => {
            let Some(name) = e.resource_name.as_deref() else {
                return Ok(false);
            };
            diesel::update(
                sp::table
                    .filter(sp::account_id.eq(account))
                    .filter(sp::vm_id.eq(resource))
                    .filter(sp::name.eq(name))
                    .filter(sp::deleted.is_null()),
            )
            .set(sp::deleted.eq(at))
            .execute(conn)?;
            Ok(true)
        }
        // Other LB.*, NET.RULE* and VPN.USER* events: Java looks at them and changes nothing.
        _ => Ok(false),
    }
}

/// The `vmSnapshotId` detail of a VM snapshot event (`Long.valueOf` in Java: a detail that is
/// not a number fails the run).
fn vm_snapshot_id(details: &[(String, String)]) -> Result<Option<i64>> {
    details
        .iter()
        .find(|(k, _)| k == "vmSnapshotId")
        .map(|(_, v)| {
            v.parse().map_err(|_| {
                Error::invalid_value(
                    "usage_event_details.value",
                    v.clone(),
                    "vmSnapshotId must be a number",
                )
            })
        })
        .transpose()
}

/// `v` for a signed BIGINT column.
fn signed(v: u64, column: &str) -> Result<i64> {
    i64::try_from(v)
        .map_err(|_| Error::invalid_value(column, v.to_string(), "larger than a signed BIGINT"))
}

/// The backup offering of a BACKUP.* event (Java unboxes it: an event without one fails the run).
fn backup_offering(e: &CopiedUsageEvent) -> Result<u64> {
    e.offering_id.ok_or_else(|| {
        Error::invalid_value(
            "usage_event.offering_id",
            "NULL",
            format!("{} names no backup offering", e.event_type),
        )
    })
}

/// Ends the open rows of `network` (of any account, as Java matches the network id alone).
fn end_network(conn: &mut MysqlConnection, network: u64, at: chrono::NaiveDateTime) -> Result<()> {
    diesel::update(
        nw::table
            .filter(nw::network_id.eq(network))
            .filter(nw::removed.is_null()),
    )
    .set(nw::removed.eq(at))
    .execute(conn)?;
    Ok(())
}

fn insert_network(
    conn: &mut MysqlConnection,
    e: &CopiedUsageEvent,
    network: u64,
    domain: DomainId,
    state: Option<&str>,
) -> Result<()> {
    // Java's helper row takes the offering as a primitive: an event without one fails the run.
    let offering = e.offering_id.ok_or_else(|| {
        Error::invalid_value(
            "usage_event.offering_id",
            "NULL",
            format!(
                "{} of network {network} names no network offering",
                e.event_type
            ),
        )
    })?;
    diesel::insert_into(nw::table)
        .values((
            nw::network_offering_id.eq(offering),
            nw::zone_id.eq(e.zone_id.get()),
            nw::network_id.eq(network),
            nw::account_id.eq(e.account_id.get()),
            nw::domain_id.eq(domain.get()),
            nw::state.eq(state),
            nw::created.eq(e.created.naive_utc()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The NIC id CloudStack puts in a network-offering event's `resource_name` (0 when it is
/// not a number, as in Java).
fn nic_id(e: &CopiedUsageEvent) -> u64 {
    e.resource_name
        .as_deref()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn open_storage(
    conn: &mut MysqlConnection,
    account: u64,
    entity: u64,
    kind: u32,
    zone: u64,
) -> Result<bool> {
    Ok(diesel::select(exists(
        st::table
            .filter(st::account_id.eq(account))
            .filter(st::entity_id.eq(entity))
            .filter(st::storage_type.eq(kind))
            .filter(st::zone_id.eq(zone))
            .filter(st::deleted.is_null()),
    ))
    .get_result(conn)?)
}

/// Ends the open `usage_storage` rows of the account's `entity` (in `zone` when given).
fn close_storage(
    conn: &mut MysqlConnection,
    account: u64,
    entity: u64,
    kind: u32,
    zone: Option<u64>,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    let mut rows = st::table
        .filter(st::account_id.eq(account))
        .filter(st::entity_id.eq(entity))
        .filter(st::storage_type.eq(kind))
        .filter(st::deleted.is_null())
        .into_boxed();
    if let Some(zone) = zone {
        rows = rows.filter(st::zone_id.eq(zone));
    }
    let ids: Vec<i64> = rows.select(st::id).load(conn)?;
    if !ids.is_empty() {
        diesel::update(st::table.filter(st::id.eq_any(ids)))
            .set(st::deleted.eq(at))
            .execute(conn)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn insert_storage(
    conn: &mut MysqlConnection,
    e: &CopiedUsageEvent,
    entity: u64,
    domain: DomainId,
    kind: u32,
    source: Option<u64>,
    size: u64,
    virtual_size: Option<u64>,
) -> Result<()> {
    // The unique key (entity, type, zone, created) makes a repeated event a no-op, as Java's
    // caught EntityExistsException does.
    diesel::insert_into(st::table)
        .values((
            st::entity_id.eq(entity),
            st::zone_id.eq(e.zone_id.get()),
            st::account_id.eq(e.account_id.get()),
            st::domain_id.eq(domain.get()),
            st::storage_type.eq(kind),
            st::source_id.eq(source),
            st::size.eq(size),
            st::created.eq(e.created.naive_utc()),
            st::virtual_size.eq(virtual_size),
        ))
        .on_conflict_do_nothing()
        .execute(conn)?;
    Ok(())
}

/// Ends, at the account's removal, the template rows of public templates owned by accounts
/// removed at or after `removed_since` — what Java does after each window for recently
/// removed accounts (`UsageManagerImpl#parse`, `UsageDaoImpl#listPublicTemplatesByAccount`).
pub(crate) fn close_public_templates_of_removed_accounts(
    conn: &mut MysqlConnection,
    cloud_db: &str,
    removed_since: DateTime<Utc>,
) -> Result<()> {
    diesel::sql_query(format!(
        "UPDATE usage_storage s \
           JOIN account a ON a.id = s.account_id \
           JOIN {cloud_db}.vm_template t ON t.id = s.entity_id AND t.account_id = s.account_id \
            SET s.deleted = a.removed \
          WHERE s.storage_type = {template} AND s.deleted IS NULL \
            AND a.removed IS NOT NULL AND a.removed >= ? \
            AND t.public = 1 AND t.removed IS NULL",
        template = storage_type::TEMPLATE,
    ))
    .bind::<diesel::sql_types::Datetime, _>(removed_since.naive_utc())
    .execute(conn)?;
    Ok(())
}
