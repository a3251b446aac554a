//! Integer-coded columns of the usage database.

use diesel::sql_types::{Integer, Unsigned};

use crate::types::ordinal_enum;

ordinal_enum! {
    /// The kind of a usage record (`UsageTypes`).
    UsageType as u32, Unsigned<Integer>, in "cloud_usage.usage_type / usage_vm_instance.usage_type" {
        RunningVm = 1 as "RUNNING_VM", AllocatedVm = 2 as "ALLOCATED_VM", IpAddress = 3 as "IP_ADDRESS", NetworkBytesSent = 4 as "NETWORK_BYTES_SENT",
        NetworkBytesReceived = 5 as "NETWORK_BYTES_RECEIVED", Volume = 6 as "VOLUME", Template = 7 as "TEMPLATE", Iso = 8 as "ISO", Snapshot = 9 as "SNAPSHOT",
        SecurityGroup = 10 as "SECURITY_GROUP", LoadBalancerPolicy = 11 as "LOAD_BALANCER_POLICY", PortForwardingRule = 12 as "PORT_FORWARDING_RULE",
        NetworkOffering = 13 as "NETWORK_OFFERING", VpnUsers = 14 as "VPN_USERS", VmDiskIoRead = 21 as "VM_DISK_IO_READ", VmDiskIoWrite = 22 as "VM_DISK_IO_WRITE",
        VmDiskBytesRead = 23 as "VM_DISK_BYTES_READ", VmDiskBytesWrite = 24 as "VM_DISK_BYTES_WRITE", VmSnapshot = 25 as "VM_SNAPSHOT", VolumeSecondary = 26 as "VOLUME_SECONDARY",
        VmSnapshotOnPrimary = 27 as "VM_SNAPSHOT_ON_PRIMARY", Backup = 28 as "BACKUP", Bucket = 29 as "BUCKET", Network = 30 as "NETWORK", Vpc = 31 as "VPC",
    }
}

ordinal_enum! {
    /// Whether a usage job is the recurring one or a single run (`UsageJobVO` constants).
    UsageJobType as i32, Integer, in "usage_job.job_type" { Recurring = 0 as "JOB_TYPE_RECURRING", Single = 1 as "JOB_TYPE_SINGLE" }
}
