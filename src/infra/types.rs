//! Enum columns of pods, clusters, hosts and storage pools.

use crate::types::text_enum;

pub use crate::catalog::AllocationState;

text_enum! {
    /// A host's connection status (`Status`).
    HostStatus in "host.status" {
        Creating = "Creating", Connecting = "Connecting", Up = "Up", Down = "Down",
        Disconnected = "Disconnected", Alert = "Alert", Removed = "Removed", Error = "Error",
        Rebalancing = "Rebalancing", Unknown = "Unknown",
    }
}

text_enum! {
    /// What kind of agent-managed resource a host row is (`Host.Type`).
    HostType in "host.type" {
        Storage = "Storage", Routing = "Routing", SecondaryStorage = "SecondaryStorage",
        SecondaryStorageCmdExecutor = "SecondaryStorageCmdExecutor", ConsoleProxy = "ConsoleProxy",
        ExternalFirewall = "ExternalFirewall", ExternalLoadBalancer = "ExternalLoadBalancer",
        ExternalVirtualSwitchSupervisor = "ExternalVirtualSwitchSupervisor", PxeServer = "PxeServer",
        BaremetalPxe = "BaremetalPxe", BaremetalDhcp = "BaremetalDhcp", TrafficMonitor = "TrafficMonitor",
        NetScalerControlCenter = "NetScalerControlCenter", ExternalDhcp = "ExternalDhcp",
        SecondaryStorageVm = "SecondaryStorageVM", LocalSecondaryStorage = "LocalSecondaryStorage",
        L2Networking = "L2Networking",
    }
}

text_enum! {
    /// Whether a host takes new resources (`ResourceState`).
    ResourceState in "host.resource_state" {
        Creating = "Creating", Enabled = "Enabled", Disabled = "Disabled",
        ErrorInPrepareForMaintenance = "ErrorInPrepareForMaintenance",
        PrepareForMaintenance = "PrepareForMaintenance", ErrorInMaintenance = "ErrorInMaintenance",
        Maintenance = "Maintenance", Error = "Error", Degraded = "Degraded",
    }
}

text_enum! {
    /// Who manages a cluster (`Cluster.ClusterType`).
    ClusterType in "cluster.cluster_type" { CloudManaged = "CloudManaged", ExternalManaged = "ExternalManaged" }
}

text_enum! {
    /// Whether CloudStack manages a cluster (`Managed.ManagedState`).
    ManagedState in "cluster.managed_state" {
        Managed = "Managed", PrepareUnmanaged = "PrepareUnmanaged", Unmanaged = "Unmanaged",
        PrepareUnmanagedError = "PrepareUnmanagedError",
    }
}

text_enum! {
    /// A storage pool's state (`StoragePoolStatus`).
    StoragePoolStatus in "storage_pool.status" {
        Initial = "Initial", Initialized = "Initialized", Creating = "Creating", Attaching = "Attaching",
        Up = "Up", PrepareForMaintenance = "PrepareForMaintenance",
        ErrorInMaintenance = "ErrorInMaintenance", CancelMaintenance = "CancelMaintenance",
        Maintenance = "Maintenance", Disabled = "Disabled", Removed = "Removed",
    }
}

text_enum! {
    /// Where a storage pool can be used (`ScopeType`).
    PoolScope in "storage_pool.scope" {
        Host = "HOST", Cluster = "CLUSTER", Zone = "ZONE", Region = "REGION", Global = "GLOBAL",
    }
}
