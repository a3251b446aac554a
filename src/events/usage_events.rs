//! Writing usage events (`usage_event`) the way CloudStack's `UsageEventUtils` does.

use diesel::prelude::*;

use super::NewUsageEvent;
use crate::Result;
use crate::db::Tx;
use crate::schema::cloud::{usage_event, usage_event_details};
use crate::types::{AccountId, ZoneId};

/// Usage event type strings (`EventTypes`).
pub mod kinds {
    /// A VM was created (deployed or recovered).
    pub const VM_CREATE: &str = "VM.CREATE";
    /// A VM started running.
    pub const VM_START: &str = "VM.START";
    /// A VM stopped.
    pub const VM_STOP: &str = "VM.STOP";
    /// A VM was destroyed.
    pub const VM_DESTROY: &str = "VM.DESTROY";
    /// A stopped VM got a new service offering.
    pub const VM_UPGRADE: &str = "VM.UPGRADE";
    /// A running VM was scaled to a new service offering.
    pub const VM_DYNAMIC_SCALE: &str = "VM.DYNAMIC.SCALE";
    /// A volume was created.
    pub const VOLUME_CREATE: &str = "VOLUME.CREATE";
    /// A volume was deleted.
    pub const VOLUME_DELETE: &str = "VOLUME.DELETE";
    /// A volume was resized.
    pub const VOLUME_RESIZE: &str = "VOLUME.RESIZE";
    /// A volume was uploaded to secondary storage.
    pub const VOLUME_UPLOAD: &str = "VOLUME.UPLOAD";
    /// A public IP was assigned to an account.
    pub const NET_IP_ASSIGN: &str = "NET.IPASSIGN";
    /// A public IP was released.
    pub const NET_IP_RELEASE: &str = "NET.IPRELEASE";
    /// A volume snapshot was backed up.
    pub const SNAPSHOT_CREATE: &str = "SNAPSHOT.CREATE";
    /// A backed-up volume snapshot was deleted.
    pub const SNAPSHOT_DELETE: &str = "SNAPSHOT.DELETE";
    /// A VM's NIC started using a network offering (the VM started).
    pub const NETWORK_OFFERING_ASSIGN: &str = "NETWORK.OFFERING.ASSIGN";
    /// A VM's NIC stopped using a network offering (the VM stopped, or the NIC was unplugged).
    pub const NETWORK_OFFERING_REMOVE: &str = "NETWORK.OFFERING.REMOVE";
}

/// A usage event with only the common columns set; fill the rest with struct update syntax.
///
/// ```
/// use cloudstack_db::events::{usage_event_for, usage_events::kinds};
/// use cloudstack_db::types::{AccountId, ZoneId};
/// let e = usage_event_for(kinds::VM_START, AccountId(2), ZoneId(1), 7, "web-1");
/// assert_eq!((e.event_type.as_str(), e.resource_id), ("VM.START", Some(7)));
/// ```
pub fn usage_event_for(
    kind: &str,
    account: AccountId,
    zone: ZoneId,
    resource_id: u64,
    resource_name: &str,
) -> NewUsageEvent {
    NewUsageEvent {
        id: None,
        event_type: kind.to_owned(),
        account_id: account,
        created: crate::repo::now(),
        zone_id: zone,
        resource_id: Some(resource_id),
        resource_name: Some(resource_name.to_owned()),
        offering_id: None,
        template_id: None,
        size: None,
        resource_type: None,
        processed: false,
        virtual_size: None,
        vm_id: None,
        details: Vec::new(),
    }
}

/// Inserts a usage event in the caller's transaction: one prepared INSERT, cached on the
/// connection, then one `usage_event_details` row per detail (as `UsageEventDaoImpl.saveDetails`
/// does, in the same transaction). Callers that need the new id ask
/// [`crate::repo::last_insert_id`] right after (for an event without details).
///
/// ```no_run
/// # fn demo(db: &cloudstack_db::Database) -> cloudstack_db::Result<()> {
/// use cloudstack_db::events::{record_usage_event, usage_event_for, usage_events::kinds};
/// use cloudstack_db::types::{AccountId, ZoneId};
/// let event = usage_event_for(kinds::VM_START, AccountId(2), ZoneId(1), 7, "web-1");
/// db.write(|tx| record_usage_event(tx, event))?;
/// # Ok(()) }
/// ```
pub fn record_usage_event(tx: &mut Tx<'_>, event: NewUsageEvent) -> Result<()> {
    insert_usage_event(tx.conn(), event)
}

/// [`record_usage_event`] for the aggregates' own helpers, which hold the transaction's
/// connection.
pub(crate) fn insert_usage_event(
    conn: &mut MysqlConnection,
    mut event: NewUsageEvent,
) -> Result<()> {
    let details = std::mem::take(&mut event.details);
    if crate::db::schema_release(conn)?.has_usage_vm_id() {
        diesel::insert_into(usage_event::table)
            .values(event)
            .execute(conn)?;
    } else {
        event.insert_without_vm_id(conn)?;
    }
    if details.is_empty() {
        return Ok(());
    }
    let id = crate::repo::last_insert_id(conn)?;
    let rows: Vec<_> = details
        .iter()
        .map(|(name, value)| {
            (
                usage_event_details::usage_event_id.eq(id),
                usage_event_details::name.eq(name),
                usage_event_details::value.eq(value),
            )
        })
        .collect();
    diesel::insert_into(usage_event_details::table)
        .values(&rows)
        .execute(conn)?;
    Ok(())
}
