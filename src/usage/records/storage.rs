//! Records of templates, ISOs, snapshots and uploaded volumes (`StorageUsageParser`): one per
//! account, entity, storage type and zone, sized from the last helper row read.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Unsigned};

use super::{Scope, TimeTable, base_record};
use crate::Result;
use crate::types::TemplateId;
use crate::usage::row_helpers::storage_type;
use crate::usage::{NewUsageRecord, UsageType, readable_size};

const STORAGE: TimeTable = TimeTable {
    table: "usage_storage",
    start: "created",
    end: "deleted",
    key: &["entity_id", "storage_type", "zone_id"],
    open_rows_always: true,
};

#[derive(QueryableByName)]
struct StorageUsage {
    #[diesel(sql_type = Unsigned<BigInt>)]
    account_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    domain_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    entity_id: u64,
    #[diesel(sql_type = Unsigned<diesel::sql_types::Integer>)]
    storage_type: u32,
    #[diesel(sql_type = Unsigned<BigInt>)]
    zone_id: u64,
    #[diesel(sql_type = Unsigned<BigInt>)]
    size: u64,
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    virtual_size: Option<u64>,
    #[diesel(sql_type = Nullable<Unsigned<BigInt>>)]
    source_id: Option<u64>,
    #[diesel(sql_type = BigInt)]
    duration_ms: i64,
}

/// Appends the storage records of `scope` for `accounts` to `records`.
pub(super) fn push_records(
    conn: &mut MysqlConnection,
    scope: &Scope,
    accounts: (u64, u64),
    records: &mut Vec<NewUsageRecord>,
) -> Result<()> {
    let rows: Vec<StorageUsage> = diesel::sql_query(STORAGE.query(
        scope,
        accounts,
        "l.size AS size, l.virtual_size AS virtual_size, l.source_id AS source_id",
    ))
    .load(conn)?;
    for r in rows {
        // Java reads NULL numbers as 0 (`ResultSet#getLong`).
        let (usage_type, label) = match r.storage_type {
            storage_type::TEMPLATE => (UsageType::Template, "Template"),
            storage_type::ISO => (UsageType::Iso, "ISO"),
            storage_type::SNAPSHOT => (UsageType::Snapshot, "Snapshot"),
            storage_type::VOLUME => (UsageType::VolumeSecondary, "Volume"),
            // Java writes such a record with usage type 0; nobody writes such rows.
            _ => continue,
        };
        let virtual_size = if usage_type == UsageType::Iso {
            r.size
        } else {
            r.virtual_size.unwrap_or(0)
        };
        let mut description = format!("{label} Id:{} Size:{}", r.entity_id, readable_size(r.size));
        if usage_type != UsageType::Snapshot {
            description.push_str(&format!(" VirtualSize: {}", readable_size(virtual_size)));
        }
        records.push(NewUsageRecord {
            description,
            usage_type: Some(usage_type),
            template_id: (usage_type == UsageType::Template)
                .then(|| TemplateId(r.source_id.unwrap_or(0))),
            usage_id: Some(r.entity_id),
            size: Some(r.size),
            virtual_size: Some(virtual_size),
            ..base_record(scope, r.account_id, r.zone_id, r.domain_id, r.duration_ms)
        });
    }
    Ok(())
}
