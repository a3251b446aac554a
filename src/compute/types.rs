//! Enum columns of VMs.

use crate::types::text_enum;

text_enum! {
    /// A VM's state (`VirtualMachine.State`).
    VmState in "vm_instance.state" {
        Starting = "Starting", Running = "Running", Stopping = "Stopping", Stopped = "Stopped",
        Destroyed = "Destroyed", Expunging = "Expunging", Migrating = "Migrating", Error = "Error",
        Unknown = "Unknown", Shutdown = "Shutdown", Restoring = "Restoring",
    }
}

text_enum! {
    /// What kind of VM a row is (`VirtualMachine.Type`, column `vm_type`).
    VmType in "vm_instance.vm_type" {
        User = "User", DomainRouter = "DomainRouter", ConsoleProxy = "ConsoleProxy",
        SecondaryStorageVm = "SecondaryStorageVm", ElasticIpVm = "ElasticIpVm",
        ElasticLoadBalancerVm = "ElasticLoadBalancerVm", InternalLoadBalancerVm = "InternalLoadBalancerVm",
        NetScalerVm = "NetScalerVm", UserBareMetal = "UserBareMetal", Instance = "Instance",
    }
}

text_enum! {
    /// The JPA discriminator in `vm_instance.type`: which entity class (and joined table) a row is.
    VmDiscriminator in "vm_instance.type" {
        User = "User", DomainRouter = "DomainRouter", ConsoleProxy = "ConsoleProxy",
        SecondaryStorageVm = "SecondaryStorageVm",
    }
}

text_enum! {
    /// The power state the hypervisor last reported (`VirtualMachine.PowerState`).
    PowerState in "vm_instance.power_state" {
        PowerUnknown = "PowerUnknown", PowerOn = "PowerOn", PowerOff = "PowerOff",
        PowerReportMissing = "PowerReportMissing",
    }
}

text_enum! {
    /// A NIC's reservation state (`Nic.State`).
    NicState in "nics.state" {
        Allocated = "Allocated", Reserving = "Reserving", Reserved = "Reserved",
        Releasing = "Releasing", Deallocating = "Deallocating",
    }
}

text_enum! {
    /// When a NIC's network resources are reserved (`Nic.ReservationStrategy`).
    NicReservationStrategy in "nics.strategy" {
        PlaceHolder = "PlaceHolder", Create = "Create", Start = "Start", Managed = "Managed",
    }
}
