//! Events: the event log (`event`) and usage events (`usage_event`).

mod event;
pub mod log;
mod types;
mod usage_event;
pub mod usage_events;

pub use event::{Event, NewEvent};
pub use types::*;
pub use usage_event::{NewUsageEvent, UsageEvent, UsageEventDetail};
pub use usage_events::{record_usage_event, usage_event_for};
