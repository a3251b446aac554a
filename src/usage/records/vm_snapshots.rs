//! Records of VM snapshots (`VMSnapshotUsageParser`, type 25) and VM snapshots kept on primary
//! storage (`VMSnapshotOnPrimaryParser`, type 27). Unlike the other parsers these change the
//! helper rows while they bill — a VM snapshot row is marked `processed` once a later one of the
//! same volume bills it, a primary-storage row of size 0 is ended — and their records span
//! from a row's creation rather than the window's start. The rows are replayed in memory in
//! Java's order; the changes are written when [`Scope::settle_at`] says so.

use chrono::{DateTime, NaiveDateTime, SubsecRound, TimeZone, Utc};
use diesel::prelude::*;

use super::{Scope, base_record};
use crate::Result;
use crate::schema::cloud_usage::{
    account, usage_snapshot_on_primary as sp, usage_vmsnapshot as vs,
};
use crate::types::{VmId, ZoneId};
use crate::usage::{NewUsageRecord, UsageType, hours_display, raw_usage_hours, readable_size};

/// The accounts a window bills: live, or removed at or after the scope's `removed_since`.
fn billed_accounts(
    conn: &mut MysqlConnection,
    scope: &Scope,
    accounts: (u64, u64),
) -> Result<std::collections::HashMap<u64, u64>> {
    let rows: Vec<(u64, Option<u64>)> = account::table
        .filter(account::id.between(accounts.0, accounts.1))
        .filter(
            account::removed
                .is_null()
                .or(account::removed.ge(scope.removed_since.naive_utc())),
        )
        .select((account::id, account::domain_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, domain)| Some((id, domain?)))
        .collect())
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&t)
}

/// A record from `start` to `end` (whole seconds in the table, as Java stores them).
fn spanning(
    scope: &Scope,
    account: u64,
    domain: u64,
    zone: u64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> NewUsageRecord {
    let duration_ms = (end - start).num_milliseconds() + 1;
    let raw = raw_usage_hours(duration_ms as u64);
    NewUsageRecord {
        zone_id: ZoneId(zone),
        usage_display: hours_display(raw),
        raw_usage: raw,
        start_date: start.trunc_subsecs(0),
        end_date: end.trunc_subsecs(0),
        ..base_record(scope, account, zone, domain, duration_ms)
    }
}

#[derive(Debug, Clone, Queryable)]
struct VmSnapshotRow {
    volume_id: u64,
    zone_id: u64,
    account_id: u64,
    vm_id: u64,
    disk_offering_id: Option<u64>,
    size: Option<i64>,
    created: NaiveDateTime,
    processed: Option<NaiveDateTime>,
    vm_snapshot_id: Option<i64>,
}

/// Appends the VM snapshot records of `scope` for `accounts`; with `scope.settle_at`, marks
/// the rows Java marks processed.
pub(super) fn push_vm_snapshot_records(
    conn: &mut MysqlConnection,
    scope: &Scope,
    accounts: (u64, u64),
    records: &mut Vec<NewUsageRecord>,
) -> Result<()> {
    let billed = billed_accounts(conn, scope, accounts)?;
    let (s, e) = (scope.window.start(), scope.window.end());
    // Java binds the window as whole-second text.
    let (s_sec, e_sec) = (
        s.trunc_subsecs(0).naive_utc(),
        e.trunc_subsecs(0).naive_utc(),
    );
    let mut rows: Vec<VmSnapshotRow> = vs::table
        .filter(vs::account_id.between(accounts.0, accounts.1))
        .filter(
            vs::created
                .between(s_sec, e_sec)
                .or(vs::created.lt(s_sec).and(vs::processed.is_null())),
        )
        .order((vs::account_id, vs::created, vs::id))
        .select((
            vs::volume_id,
            vs::zone_id,
            vs::account_id,
            vs::vm_id,
            vs::disk_offering_id,
            vs::size,
            vs::created,
            vs::processed,
            vs::vm_snapshot_id,
        ))
        .load(conn)?;
    rows.retain(|r| billed.contains_key(&r.account_id));
    let mut processed: Vec<(u64, u64, u64, NaiveDateTime)> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let account = rows[i].account_id;
        let end = rows[i..]
            .iter()
            .position(|r| r.account_id != account)
            .map_or(rows.len(), |n| i + n);
        let domain = billed[&account];
        // Key (vm, volume) → index of the row still to bill to the window's end, in the
        // order Java's map hands them out (insertion order here; the records are the same).
        let mut unprocessed: Vec<((u64, u64), usize)> = Vec::new();
        let put = |unprocessed: &mut Vec<((u64, u64), usize)>, key, idx| match unprocessed
            .iter_mut()
            .find(|(k, _)| *k == key)
        {
            Some(slot) => slot.1 = idx,
            None => unprocessed.push((key, idx)),
        };
        for idx in i..end {
            let row = rows[idx].clone();
            let key = (row.vm_id, row.volume_id);
            if row.created < s_sec {
                put(&mut unprocessed, key, idx);
                continue;
            }
            // The newest earlier row of the volume not processed yet (as the loop has left
            // them).
            let previous = (i..end)
                .filter(|&p| {
                    let r = &rows[p];
                    r.volume_id == row.volume_id
                        && r.vm_id == row.vm_id
                        && r.created < row.created
                        && r.processed.is_none()
                })
                .max_by_key(|&p| rows[p].created);
            let Some(p) = previous.filter(|&p| rows[p].size.unwrap_or(0) != 0) else {
                put(&mut unprocessed, key, idx);
                continue;
            };
            let prev = rows[p].clone();
            let from = utc(prev.created).max(s);
            records.push(vm_snapshot_record(
                scope,
                domain,
                &row,
                &prev,
                from,
                utc(row.created),
            ));
            let mark = scope.settle_at.map_or(e_sec, |t| t.naive_utc());
            rows[p].processed = Some(mark);
            processed.push((prev.account_id, prev.volume_id, prev.vm_id, prev.created));
            if row.size.unwrap_or(0) == 0 {
                rows[idx].processed = Some(mark);
                processed.push((row.account_id, row.volume_id, row.vm_id, row.created));
            } else {
                put(&mut unprocessed, key, idx);
            }
        }
        for (_, idx) in unprocessed {
            let row = &rows[idx];
            let from = utc(row.created).max(s);
            records.push(vm_snapshot_record(scope, domain, row, row, from, e));
        }
        i = end;
    }
    if let Some(at) = scope.settle_at {
        for (account, volume, vm, created) in processed {
            diesel::update(
                vs::table
                    .filter(vs::account_id.eq(account))
                    .filter(vs::volume_id.eq(volume))
                    .filter(vs::vm_id.eq(vm))
                    .filter(vs::created.eq(created)),
            )
            .set(vs::processed.eq(at.naive_utc()))
            .execute(conn)?;
        }
    }
    Ok(())
}

/// Java's record: zone of `row`, offering and size of `sized`, snapshot id of `row`.
fn vm_snapshot_record(
    scope: &Scope,
    domain: u64,
    row: &VmSnapshotRow,
    sized: &VmSnapshotRow,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> NewUsageRecord {
    let size = sized.size.unwrap_or(0);
    let snapshot = row
        .vm_snapshot_id
        .map_or_else(|| "null".to_owned(), |v| v.to_string());
    let mut description = format!(
        "VMSnapshot Id: {snapshot} Usage: VM Id: {} Volume Id: {} ",
        row.vm_id, row.volume_id
    );
    if let Some(offering) = sized.disk_offering_id {
        description.push_str(&format!(" DiskOffering: {offering}"));
    }
    description.push_str(&format!(" Size: {}", readable_size(size.max(0) as u64)));
    NewUsageRecord {
        description,
        usage_type: Some(UsageType::VmSnapshot),
        vm_instance_id: Some(VmId(row.vm_id)),
        offering_id: sized.disk_offering_id,
        usage_id: row.vm_snapshot_id.map(|v| v as u64),
        size: Some(size.max(0) as u64),
        ..spanning(scope, row.account_id, domain, row.zone_id, from, to)
    }
}

#[derive(Debug, Clone, Queryable)]
struct OnPrimaryRow {
    volume_id: u64,
    zone_id: u64,
    account_id: u64,
    vm_id: u64,
    name: Option<String>,
    physicalsize: Option<i64>,
    virtualsize: Option<i64>,
    created: NaiveDateTime,
    deleted: Option<NaiveDateTime>,
    vm_snapshot_id: Option<i64>,
}

/// Appends the records of VM snapshots on primary storage of `scope` for `accounts`; with
/// `scope.settle_at`, ends the rows of size 0 as Java does.
pub(super) fn push_on_primary_records(
    conn: &mut MysqlConnection,
    scope: &Scope,
    accounts: (u64, u64),
    records: &mut Vec<NewUsageRecord>,
) -> Result<()> {
    let billed = billed_accounts(conn, scope, accounts)?;
    let (s, e) = (scope.window.start(), scope.window.end());
    let (s_sec, e_sec) = (
        s.trunc_subsecs(0).naive_utc(),
        e.trunc_subsecs(0).naive_utc(),
    );
    let rows: Vec<OnPrimaryRow> = sp::table
        .filter(sp::account_id.between(accounts.0, accounts.1))
        .filter(
            sp::created
                .lt(e_sec)
                .and(sp::deleted.is_null())
                .or(sp::deleted.between(s_sec, e_sec)),
        )
        .order((sp::account_id, sp::created, sp::id))
        .select((
            sp::volume_id,
            sp::zone_id,
            sp::account_id,
            sp::vm_id,
            sp::name,
            sp::physicalsize,
            sp::virtualsize,
            sp::created,
            sp::deleted,
            sp::vm_snapshot_id,
        ))
        .load(conn)?;
    let mut emptied = Vec::new();
    // (account, name) → the last row of that name, in first-seen order.
    let mut by_name: Vec<((u64, Option<String>), OnPrimaryRow)> = Vec::new();
    for row in rows {
        if !billed.contains_key(&row.account_id) {
            continue;
        }
        if row.physicalsize.unwrap_or(0) == 0 {
            emptied.push(row);
            continue;
        }
        let key = (row.account_id, row.name.clone());
        match by_name.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = row,
            None => by_name.push((key, row)),
        }
    }
    for (_, row) in by_name {
        let from = utc(row.created).max(s);
        let to = row.deleted.map(utc).filter(|d| *d < e).unwrap_or(e);
        let virtual_size = row.virtualsize.unwrap_or(0).max(0) as u64;
        let snapshot = row
            .vm_snapshot_id
            .map_or_else(|| "null".to_owned(), |v| v.to_string());
        records.push(NewUsageRecord {
            description: format!(
                "VMSnapshot Id: {snapshot} On Primary Usage: VM Id: {} Size: {}",
                row.volume_id,
                readable_size(virtual_size)
            ),
            usage_type: Some(UsageType::VmSnapshotOnPrimary),
            vm_instance_id: Some(VmId(row.volume_id)),
            vm_name: row.name.clone(),
            usage_id: row.vm_snapshot_id.map(|v| v as u64),
            size: Some(row.physicalsize.unwrap_or(0).max(0) as u64),
            virtual_size: Some(virtual_size),
            ..spanning(
                scope,
                row.account_id,
                billed[&row.account_id],
                row.zone_id,
                from,
                to,
            )
        });
    }
    if let Some(at) = scope.settle_at {
        for row in emptied {
            diesel::update(
                sp::table
                    .filter(sp::account_id.eq(row.account_id))
                    .filter(sp::volume_id.eq(row.volume_id))
                    .filter(sp::vm_id.eq(row.vm_id))
                    .filter(sp::created.eq(row.created)),
            )
            .set(sp::deleted.eq(at.naive_utc()))
            .execute(conn)?;
        }
    }
    Ok(())
}
