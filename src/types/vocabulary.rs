//! Enum columns that several aggregates share: hypervisors, disk formats and provisioning,
//! offering states.

use super::text_enum;

text_enum! {
    /// A hypervisor (`HypervisorType`, stored by name, read case-insensitively).
    HypervisorType in "hypervisor_type (vm_instance, vm_template, usage_vm_instance)" {
        None = "None", XenServer = "XenServer", Kvm = "KVM", VMware = "VMware", Hyperv = "Hyperv",
        VirtualBox = "VirtualBox", Parralels = "Parralels", BareMetal = "BareMetal",
        Simulator = "Simulator", Ovm = "Ovm", Ovm3 = "Ovm3", Lxc = "LXC", Custom = "Custom",
        External = "External", Any = "Any",
    }
}

text_enum! {
    /// A disk image format (`Storage.ImageFormat`).
    ImageFormat in "vm_template.format / volumes.format" {
        Qcow2 = "QCOW2", Raw = "RAW", Vhd = "VHD", Iso = "ISO", Ova = "OVA", Vhdx = "VHDX",
        BareMetal = "BAREMETAL", External = "EXTERNAL", Vmdk = "VMDK", Vdi = "VDI", Tar = "TAR",
        Zip = "ZIP", Dir = "DIR",
    }
}

text_enum! {
    /// How a disk is provisioned (`Storage.ProvisioningType`, stored lower-case).
    ProvisioningType in "volumes.provisioning_type / disk_offering.provisioning_type" {
        Thin = "thin", Sparse = "sparse", Fat = "fat",
    }
}

text_enum! {
    /// Whether a disk or service offering is usable (`DiskOffering.State`, `ServiceOffering.State`).
    OfferingState in "disk_offering.state / service_offering.state" { Inactive = "Inactive", Active = "Active" }
}
