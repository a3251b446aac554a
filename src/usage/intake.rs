//! Event intake: copy new events from `cloud` into `cloud_usage` (same ids), then apply the
//! unprocessed copies to the helper tables in bounded batches, each batch one transaction that
//! also marks its events processed — so every event is applied exactly once, also when a run
//! dies half-way.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Datetime};

use super::CopiedUsageEvent;
use super::helper_tables::{AppliedEvents, EventDetails, HelperBatch, domain_of};
use super::row_helpers::{self, RowSettings};
use crate::db::RetryPolicy;
use crate::schema::cloud::account;
use crate::schema::cloud_usage::usage_event;
use crate::types::{AccountId, DomainId};
use crate::{Database, Result};

#[derive(QueryableByName)]
struct MaxId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The columns the copy moves, in both tables' order; `vm_id` follows when both databases are
/// 4.22.1.
const COPIED_COLUMNS: &str = "`id`, `type`, `account_id`, `created`, `zone_id`, `resource_id`, \
     `resource_name`, `offering_id`, `template_id`, `size`, `resource_type`, `virtual_size`";

fn quoted(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Copies the events of `cloud.usage_event` not yet in `cloud_usage.usage_event` whose ids are
/// at most the highest id created by `until` (CloudStack copies by id range, so an event
/// committed late with a lower id than one already copied is never picked up). Both databases
/// must be on one server, as CloudStack's usage server also requires. `on_progress` hears how
/// many rows the copy will move (before the first batch) and how many each batch copied; returns
/// the total.
///
/// ```no_run
/// use cloudstack_db::usage::{CopyProgress, copy_new_events};
/// let db = cloudstack_db::Database::from_env()?;
/// let copied = copy_new_events(&db, chrono::Utc::now(), 20_000, &mut |p| match p {
///     CopyProgress::Counted(total) => println!("copying {total} events"),
///     CopyProgress::Copied(n) => println!("copied {n} more"),
/// })?;
/// println!("{copied} events copied");
/// # Ok::<(), cloudstack_db::Error>(())
/// ```
pub fn copy_new_events(
    db: &Database,
    until: DateTime<Utc>,
    batch_size: u64,
    on_progress: &mut dyn FnMut(CopyProgress),
) -> Result<u64> {
    let cloud_db = quoted(&db.cloud().target().database);
    let (max_id, cloud_release): (MaxId, _) = db.cloud().run(|conn| {
        let release = crate::db::schema_release(conn)?;
        Ok((diesel::sql_query(
            "SELECT CAST(COALESCE(MAX(id), 0) AS SIGNED) AS id FROM usage_event WHERE created <= ?",
        )
        .bind::<Datetime, _>(until.naive_utc())
        .get_result(conn)?, release))
    })?;
    let mut copied = 0;
    db.usage().run(|conn| {
        let both_have_vm_id =
            cloud_release.has_usage_vm_id() && crate::db::schema_release(conn)?.has_usage_vm_id();
        let columns = if both_have_vm_id {
            format!("{COPIED_COLUMNS}, `vm_id`")
        } else {
            COPIED_COLUMNS.to_owned()
        };
        let recent: MaxId =
            diesel::sql_query("SELECT CAST(COALESCE(MAX(id), 0) AS SIGNED) AS id FROM usage_event")
                .get_result(conn)?;
        let mut low = recent.id;
        if low < max_id.id {
            let to_copy: MaxId = diesel::sql_query(format!(
                "SELECT COUNT(*) AS id FROM {cloud_db}.usage_event WHERE id > ? AND id <= ?"
            ))
            .bind::<BigInt, _>(low)
            .bind::<BigInt, _>(max_id.id)
            .get_result(conn)?;
            on_progress(CopyProgress::Counted(to_copy.id as u64));
        }
        while low < max_id.id {
            let high = (low + batch_size.max(1) as i64).min(max_id.id);
            // IGNORE only ever skips rows another run copied at the same time: the two tables
            // have the same columns, so no value can be truncated or refused.
            let n = diesel::sql_query(format!(
                "INSERT IGNORE INTO usage_event ({columns}) \
                 SELECT {columns} FROM {cloud_db}.usage_event WHERE id > ? AND id <= ?"
            ))
            .bind::<BigInt, _>(low)
            .bind::<BigInt, _>(high)
            .execute(conn)? as u64;
            // Their details, by the same id range (`UsageEventDaoImpl#getRecentEvents`).
            diesel::sql_query(format!(
                "INSERT IGNORE INTO usage_event_details (id, usage_event_id, name, value) \
                 SELECT id, usage_event_id, name, value FROM {cloud_db}.usage_event_details \
                 WHERE usage_event_id > ? AND usage_event_id <= ?"
            ))
            .bind::<BigInt, _>(low)
            .bind::<BigInt, _>(high)
            .execute(conn)?;
            copied += n;
            on_progress(CopyProgress::Copied(n));
            low = high;
        }
        Ok(())
    })?;
    Ok(copied)
}

/// What [`copy_new_events`] reports while it copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyProgress {
    /// How many events the copy is about to move (before the first batch).
    Counted(u64),
    /// One committed batch copied this many more.
    Copied(u64),
}

/// How many copied events created by `until` are still unprocessed.
pub fn pending_events(db: &Database, until: DateTime<Utc>) -> Result<u64> {
    db.usage().run(|conn| {
        let n: i64 = usage_event::table
            .filter(usage_event::processed.eq(0))
            .filter(usage_event::created.le(until.naive_utc()))
            .count()
            .get_result(conn)?;
        Ok(n as u64)
    })
}

/// When the oldest copied event created by `until` that is still unprocessed was created
/// (a run bills from there when that is before the last successful run's end).
pub fn oldest_pending(db: &Database, until: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
    db.usage().run(|conn| {
        let at: Option<chrono::NaiveDateTime> = usage_event::table
            .filter(usage_event::processed.eq(0))
            .filter(usage_event::created.le(until.naive_utc()))
            .select(diesel::dsl::min(usage_event::created))
            .first(conn)?;
        Ok(at.map(|t| t.and_utc()))
    })
}

/// Applies the unprocessed copied events created by `until` to the helper tables, oldest
/// first, `batch_size` at a time (a batch never splits one second, so rows opened and closed
/// at the same instant meet in memory). Each batch is one transaction that also sets
/// `processed = 1`; `on_batch` hears each committed batch.
pub fn apply_pending_events(
    db: &Database,
    until: DateTime<Utc>,
    batch_size: usize,
    on_batch: &mut dyn FnMut(&AppliedEvents),
) -> Result<AppliedEvents> {
    let mut total = AppliedEvents::default();
    let mut domains: HashMap<AccountId, DomainId> = HashMap::new();
    // Every event up to this second has been applied by this call: the next batch starts after
    // it instead of scanning the processed rows again (the table has no index on `processed`).
    let mut applied_through: Option<DateTime<Utc>> = None;
    let snapshot_virtual_size = db.cloud().run(snapshots_by_virtual_size)?;
    loop {
        let done = db
            .usage()
            .transaction_with_retry(&RetryPolicy::default(), |conn| {
                let events = next_batch(conn, applied_through, until, batch_size.max(1))?;
                let Some(last) = events.last().map(|e| e.created) else {
                    return Ok(None);
                };
                learn_domains(db, events.iter().map(|e| e.account_id), &mut domains)?;
                let mut batch = HelperBatch::load(conn, &events)?;
                let details = EventDetails::load(conn, &events)?;
                let mut counts = AppliedEvents::default();
                let settings = RowSettings {
                    snapshot_virtual_size,
                    now: Utc::now(),
                };
                let uploaded = row_helpers::uploaded_volumes(conn, &events)?;
                for e in &events {
                    let mut applied = batch.apply(e, &domains, &details)?;
                    let needed = match (e.event_type.as_str(), e.resource_id) {
                        (_, None) => false,
                        ("VOLUME.CREATE", Some(volume)) => uploaded.contains(&volume),
                        (kind, Some(_)) => row_helpers::handles(kind),
                    };
                    if needed {
                        let domain = domain_of(e, &domains)?;
                        applied |=
                            row_helpers::apply(conn, e, domain, details.of(e.id.get()), &settings)?;
                    }
                    if applied {
                        counts.applied += 1;
                    } else {
                        counts.ignored += 1;
                    }
                }
                batch.write(conn)?;
                let ids: Vec<_> = events.iter().map(|e| e.id).collect();
                for chunk in ids.chunks(5000) {
                    diesel::update(usage_event::table.filter(usage_event::id.eq_any(chunk)))
                        .set(usage_event::processed.eq(1))
                        .execute(conn)?;
                }
                Ok(Some((counts, last)))
            })?;
        match done {
            None => return Ok(total),
            Some((counts, last)) => {
                applied_through = Some(last);
                total.applied += counts.applied;
                total.ignored += counts.ignored;
                on_batch(&counts);
            }
        }
    }
}

/// `usage.snapshot.virtualsize.select` in `cloud.configuration`: whether snapshots are billed by
/// virtual size (read once per run, as the usage server reads it at start).
fn snapshots_by_virtual_size(conn: &mut MysqlConnection) -> Result<bool> {
    use crate::schema::cloud::configuration;
    let value: Option<Option<String>> = configuration::table
        .filter(configuration::name.eq("usage.snapshot.virtualsize.select"))
        .select(configuration::value)
        .first(conn)
        .optional()?;
    // Java's Boolean.valueOf: true only for "true", any case.
    Ok(value
        .flatten()
        .is_some_and(|v| v.eq_ignore_ascii_case("true")))
}

/// The next unprocessed events in `created` order, locked; a full batch is cut before its
/// last second unless that second is all there is, which is then taken whole.
fn next_batch(
    conn: &mut MysqlConnection,
    after: Option<DateTime<Utc>>,
    until: DateTime<Utc>,
    batch_size: usize,
) -> Result<Vec<CopiedUsageEvent>> {
    // MySQL's smallest DATETIME when nothing was applied yet.
    let from = after.map(|t| t.naive_utc()).unwrap_or_else(|| {
        chrono::NaiveDate::from_ymd_opt(1000, 1, 1)
            .expect("valid date")
            .and_time(chrono::NaiveTime::MIN)
    });
    let with_vm_id = crate::db::schema_release(conn)?.has_usage_vm_id();
    // Unprocessed events created after `after` and by `by`, oldest first, locked.
    let pending = |conn: &mut MysqlConnection,
                   after: chrono::NaiveDateTime,
                   by: chrono::NaiveDateTime,
                   limit: i64|
     -> QueryResult<Vec<CopiedUsageEvent>> {
        let query = usage_event::table
            .filter(usage_event::processed.eq(0))
            .filter(usage_event::created.gt(after))
            .filter(usage_event::created.le(by))
            .order((usage_event::created, usage_event::id))
            .limit(limit);
        if with_vm_id {
            query
                .select(CopiedUsageEvent::as_select())
                .for_update()
                .load(conn)
        } else {
            query
                .select(super::usage_event_copy::columns_without_vm_id())
                .for_update()
                .load(conn)
        }
    };
    let mut events = pending(conn, from, until.naive_utc(), batch_size as i64)?;
    if events.len() < batch_size {
        return Ok(events);
    }
    let last_second = events[events.len() - 1].created;
    events.retain(|e| e.created < last_second);
    if events.is_empty() {
        // That second alone (DATETIME has whole seconds), however many events it holds.
        let second = last_second.naive_utc();
        events = pending(
            conn,
            second - chrono::Duration::seconds(1),
            second,
            i64::MAX,
        )?;
    }
    Ok(events)
}

/// Adds to `domains` the domain of every account in `accounts` it does not know yet, read from
/// `cloud.account` in one query (accounts without a domain stay unknown).
pub(crate) fn learn_domains(
    db: &Database,
    accounts: impl Iterator<Item = AccountId>,
    domains: &mut HashMap<AccountId, DomainId>,
) -> Result<()> {
    let missing: Vec<AccountId> = accounts
        .filter(|a| !domains.contains_key(a))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let found: Vec<(AccountId, Option<DomainId>)> = db.cloud().run(|cloud| {
        Ok(account::table
            .filter(account::id.eq_any(&missing))
            .select((account::id, account::domain_id))
            .load(cloud)?)
    })?;
    domains.extend(found.into_iter().filter_map(|(a, d)| Some((a, d?))));
    Ok(())
}
