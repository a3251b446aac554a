//! Usage metering: the `cloud_usage` database.

mod types;
mod usage_ip_address;
mod usage_job;
mod usage_network;
mod usage_record;
mod usage_vm_instance;
mod usage_volume;

pub use types::*;
pub use usage_ip_address::{NewUsageIpAddress, UsageIpAddress};
pub use usage_job::{NewUsageJob, UsageJob};
pub use usage_network::{NewUsageNetwork, UsageNetwork};
pub use usage_record::{NewUsageRecord, UsageRecord};
pub use usage_vm_instance::{NewUsageVmInstance, UsageVmInstance};
pub use usage_volume::{NewUsageVolume, UsageVolume};
