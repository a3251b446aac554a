//! Usage metering: the `cloud_usage` database, and the usage job that turns `cloud`'s usage
//! events into billing records ([`aggregate`]), with the queries a billing system needs
//! ([`billing`]).

mod aggregate;
pub mod billing;
mod helper_tables;
mod hours;
mod intake;
mod intervals;
mod ownership;
mod period;
mod records;
mod row_helpers;
mod runs;
mod sizes;
mod traffic;
mod types;
mod usage_event_copy;
mod usage_ip_address;
mod usage_job;
mod usage_network;
mod usage_record;
mod usage_vm_instance;
mod usage_volume;
mod verify;

pub use aggregate::{
    AggregationOptions, AggregationOutcome, AggregationProgress, AggregationReport, aggregate,
};
pub use helper_tables::AppliedEvents;
pub use hours::{hours_display, raw_usage_hours};
pub use intake::{
    CopyProgress, apply_pending_events, copy_new_events, oldest_pending, pending_events,
};
pub use ownership::{
    Claim, JOB_LOCK, JobOwner, RunnerIdentity, STALE_HEARTBEAT, claim, hand_over, heartbeat,
};
pub use period::{DEFAULT_AGGREGATION_RANGE, UsagePeriod};
pub use runs::{PeriodStatus, catch_up_period, job_period, period_status};
pub use sizes::readable_size;
pub use types::*;
pub use usage_event_copy::CopiedUsageEvent;
pub use usage_ip_address::{NewUsageIpAddress, UsageIpAddress};
pub use usage_job::{NewUsageJob, UsageJob};
pub use usage_network::{NewUsageNetwork, UsageNetwork};
pub use usage_record::{NewUsageRecord, UsageRecord};
pub use usage_vm_instance::{NewUsageVmInstance, UsageVmInstance};
pub use usage_volume::{NewUsageVolume, UsageVolume};
pub use verify::{Difference, NOT_RECOMPUTABLE, RecordDifference, VerifyReport, verify};
