//! Enum columns of events.

use crate::types::text_enum;

text_enum! {
    /// An event's state (`Event.State`).
    EventState in "event.state" {
        Created = "Created", Scheduled = "Scheduled", Started = "Started", Completed = "Completed",
    }
}

text_enum! {
    /// An event's level (EventVO's constants).
    EventLevel in "event.level" { Info = "INFO", Warn = "WARN", Error = "ERROR" }
}
