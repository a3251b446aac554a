//! The event log (`event`): record inside the caller's transaction, start/complete pairs,
//! filtered keyset lists, archive and purge in bounded batches, and bulk inserts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::{Event, EventLevel, EventState, NewEvent};
use crate::Result;
use crate::db::Tx;
use crate::repo::{Page, PageRequest, last_insert_id, literal, now};
use crate::schema::cloud::event;
use crate::types::{AccountId, DomainId, EventId, IntBool, UserId};

/// MySQL's limit on placeholders in one statement.
pub const MAX_PLACEHOLDERS: usize = 65_535;
/// Placeholders one event row takes in a multi-row INSERT (every column but `id`).
const PLACEHOLDERS_PER_EVENT: usize = 15;

/// A new event: who did what, at which level.
///
/// ```
/// use cloudstack_db::events::log::event;
/// use cloudstack_db::events::EventLevel;
/// use cloudstack_db::types::{AccountId, DomainId, UserId};
/// let e = event("VM.START", "Starting VM web-1", UserId(2), AccountId(2), DomainId(1), EventLevel::Info);
/// assert_eq!(e.event_type, "VM.START");
/// ```
pub fn event(
    kind: &str,
    description: &str,
    user: UserId,
    account: AccountId,
    domain: DomainId,
    level: EventLevel,
) -> NewEvent {
    NewEvent {
        id: None,
        uuid: Some(uuid::Uuid::new_v4()),
        event_type: kind.to_owned(),
        state: Some(EventState::Completed),
        description: description.to_owned(),
        user_id: user,
        account_id: account,
        domain_id: domain,
        resource_id: None,
        resource_type: None,
        created: now(),
        level,
        start_id: None,
        parameters: None,
        archived: false,
        display: Some(true),
    }
}

/// Inserts one event in the caller's transaction and returns its id.
///
/// ```no_run
/// use cloudstack_db::events::{log, EventLevel};
/// use cloudstack_db::types::{AccountId, DomainId, UserId};
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let new = log::event("VM.START", "started web-1", UserId(2), AccountId(2), DomainId(1), EventLevel::Info);
/// let id = db.write(|tx| log::record(tx, new))?;
/// # Ok(()) }
/// ```
pub fn record(tx: &mut Tx<'_>, new: NewEvent) -> Result<EventId> {
    let conn = tx.conn();
    diesel::insert_into(event::table)
        .values(new)
        .execute(conn)?;
    Ok(EventId(last_insert_id(conn)?))
}

/// Records the start of an action (state `Started`); complete it with [`record_completed`].
pub fn record_started(tx: &mut Tx<'_>, mut new: NewEvent) -> Result<EventId> {
    new.state = Some(EventState::Started);
    new.start_id = None;
    record(tx, new)
}

/// Records the completion of the action started by `start` (state `Completed`, `start_id` set).
pub fn record_completed(tx: &mut Tx<'_>, start: EventId, mut new: NewEvent) -> Result<EventId> {
    new.state = Some(EventState::Completed);
    new.start_id = Some(start);
    record(tx, new)
}

/// How many event rows go into one INSERT so it stays under [`MAX_PLACEHOLDERS`].
///
/// ```
/// assert_eq!(cloudstack_db::events::log::bulk_chunk_size(), 4369);
/// ```
pub fn bulk_chunk_size() -> usize {
    MAX_PLACEHOLDERS / PLACEHOLDERS_PER_EVENT
}

/// Inserts many events with multi-row INSERTs of at most [`bulk_chunk_size`] rows; returns how
/// many were written. Run it in a transaction to make it all-or-nothing.
///
/// The rows go as SQL text rather than as bound parameters: Diesel binds every parameter of a
/// multi-row INSERT into its own buffer and prepares the statement anew each time, which makes
/// tens of thousands of parameters the slow part. Every string is sent as a hexadecimal
/// literal with a `_utf8mb4` introducer (`_utf8mb4 X'…'`), which no content and no `sql_mode`
/// can turn into SQL; numbers and times are formatted by this function; `None` is `DEFAULT`,
/// as Diesel's insert of the struct would send it.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::events::{log, EventLevel};
/// use cloudstack_db::types::{AccountId, DomainId, UserId};
/// let events = (0..10_000)
///     .map(|i| log::event("VM.STOP", &format!("stopped {i}"), UserId(2), AccountId(2), DomainId(1), EventLevel::Info))
///     .collect();
/// assert_eq!(db.write(|tx| log::bulk_insert(tx, events))?, 10_000);
/// # Ok(()) }
/// ```
pub fn bulk_insert(tx: &mut Tx<'_>, events: Vec<NewEvent>) -> Result<usize> {
    literal::insert_rows(
        tx.conn(),
        "INSERT INTO `event` (`id`, `uuid`, `type`, `state`, `description`, `user_id`, \
         `account_id`, `domain_id`, `resource_id`, `resource_type`, `created`, `level`, \
         `start_id`, `parameters`, `archived`, `display`)",
        &events,
        bulk_chunk_size(),
        &mut |v, e| {
            v.opt_uint(e.id.map(EventId::get));
            match e.uuid {
                Some(u) => v.uuid(u),
                None => v.opt_text(None),
            }
            v.text(&e.event_type);
            v.opt_text(e.state.map(|s| s.as_str()));
            v.text(&e.description);
            v.uint(e.user_id.get());
            v.uint(e.account_id.get());
            v.uint(e.domain_id.get());
            v.opt_uint(e.resource_id);
            v.opt_text(e.resource_type.as_deref());
            v.datetime(e.created.naive_utc());
            v.text(e.level.as_str());
            v.opt_uint(e.start_id.map(EventId::get));
            v.opt_text(e.parameters.as_deref());
            v.flag(e.archived);
            v.opt_uint(e.display.map(u64::from));
            Ok(())
        },
    )
}

/// Which events [`list`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Of this account.
    pub account_id: Option<AccountId>,
    /// Of this domain.
    pub domain_id: Option<DomainId>,
    /// Of this type (`VM.START`, ...).
    pub event_type: Option<String>,
    /// At this level.
    pub level: Option<EventLevel>,
    /// Created at or after.
    pub from: Option<DateTime<Utc>>,
    /// Created before.
    pub until: Option<DateTime<Utc>>,
    /// Also archived events.
    pub include_archived: bool,
}

/// A page of events matching `filter`, in id order.
///
/// May read from a replica: run it on [`crate::Database::cloud_reads`] when data a few
/// seconds old will do (see `docs/scaling.md`).
pub fn list(
    conn: &mut MysqlConnection,
    filter: &EventFilter,
    page: &PageRequest,
) -> Result<Page<Event>> {
    let build = || {
        let mut q = event::table.into_boxed();
        if !filter.include_archived {
            q = q.filter(event::archived.eq(IntBool(false)));
        }
        if let Some(a) = filter.account_id {
            q = q.filter(event::account_id.eq(a));
        }
        if let Some(d) = filter.domain_id {
            q = q.filter(event::domain_id.eq(d));
        }
        if let Some(t) = &filter.event_type {
            q = q.filter(event::type_.eq(t.clone()));
        }
        if let Some(l) = filter.level {
            q = q.filter(event::level.eq(l));
        }
        if let Some(from) = filter.from {
            q = q.filter(event::created.ge(from.naive_utc()));
        }
        if let Some(until) = filter.until {
            q = q.filter(event::created.lt(until.naive_utc()));
        }
        q
    };
    crate::repo::keyset_page!(
        conn,
        page,
        build,
        event::id,
        EventId(page.after_id()),
        Event,
        |e: &Event| e.id.get()
    )
}

/// The ids of up to `batch` events created before `cut` (only those not archived yet when
/// `unarchived_only`), oldest first.
fn ids_created_before(
    conn: &mut MysqlConnection,
    cut: DateTime<Utc>,
    batch: u32,
    unarchived_only: bool,
) -> Result<Vec<EventId>> {
    let mut q = event::table
        .filter(event::created.lt(cut.naive_utc()))
        .into_boxed();
    if unarchived_only {
        q = q.filter(event::archived.eq(IntBool(false)));
    }
    Ok(q.order(event::id)
        .limit(i64::from(batch.max(1)))
        .select(event::id)
        .load(conn)?)
}

/// Marks events created before `cut` archived, `batch` rows per statement; returns how many.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let cut = chrono::Utc::now() - chrono::Duration::days(30);
/// let archived = db.write(|tx| cloudstack_db::events::log::archive_older_than(tx, cut, 1000))?;
/// # Ok(()) }
/// ```
pub fn archive_older_than(tx: &mut Tx<'_>, cut: DateTime<Utc>, batch: u32) -> Result<usize> {
    let conn = tx.conn();
    crate::repo::in_batches(|| {
        let ids = ids_created_before(conn, cut, batch, true)?;
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(diesel::update(event::table.filter(event::id.eq_any(ids)))
            .set(event::archived.eq(IntBool(true)))
            .execute(conn)?)
    })
}

/// Deletes events created before `cut`, `batch` rows per statement; returns how many.
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// let cut = chrono::Utc::now() - chrono::Duration::days(365);
/// let purged = db.write(|tx| cloudstack_db::events::log::purge_older_than(tx, cut, 1000))?;
/// # Ok(()) }
/// ```
pub fn purge_older_than(tx: &mut Tx<'_>, cut: DateTime<Utc>, batch: u32) -> Result<usize> {
    let conn = tx.conn();
    crate::repo::in_batches(|| {
        let ids = ids_created_before(conn, cut, batch, false)?;
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(diesel::delete(event::table.filter(event::id.eq_any(ids))).execute(conn)?)
    })
}
