//! Enum columns of zones, templates and offerings.

use crate::types::text_enum;

text_enum! {
    /// A zone's network model (`DataCenter.NetworkType`).
    ZoneNetworkType in "data_center.networktype" { Basic = "Basic", Advanced = "Advanced" }
}

text_enum! {
    /// Core or edge zone (`DataCenter.Type`).
    ZoneType in "data_center.type" { Core = "Core", Edge = "Edge" }
}

text_enum! {
    /// Whether a zone takes new allocations (`Grouping.AllocationState`).
    AllocationState in "data_center.allocation_state" { Enabled = "Enabled", Disabled = "Disabled" }
}

text_enum! {
    /// A template's state (`VirtualMachineTemplate.State`).
    TemplateState in "vm_template.state" {
        Active = "Active", Inactive = "Inactive", NotUploaded = "NotUploaded",
        UploadInProgress = "UploadInProgress", UploadError = "UploadError",
        UploadAbandoned = "UploadAbandoned",
    }
}

text_enum! {
    /// A template's kind (`Storage.TemplateType`).
    TemplateType in "vm_template.type" {
        Routing = "ROUTING", System = "SYSTEM", BuiltIn = "BUILTIN", PerHost = "PERHOST",
        User = "USER", Vnf = "VNF", DataDisk = "DATADISK", IsoDisk = "ISODISK",
    }
}

text_enum! {
    /// A template's CPU architecture, stored as the arch string (`CPU.CPUArch`).
    CpuArch in "vm_template.arch" { I686 = "i686", X86_64 = "x86_64", Aarch64 = "aarch64" }
}

text_enum! {
    /// How a VM's user data may override the template's (`UserData.UserDataOverridePolicy`).
    UserDataOverridePolicy in "vm_template.user_data_link_policy" {
        AllowOverride = "ALLOWOVERRIDE", Append = "APPEND", DenyOverride = "DENYOVERRIDE",
    }
}

text_enum! {
    /// A disk offering's cache mode (`DiskOffering.DiskCacheMode`, stored lower-case).
    DiskCacheMode in "disk_offering.cache_mode" {
        None = "none", WriteBack = "writeback", WriteThrough = "writethrough",
        HypervisorDefault = "hypervisor_default",
    }
}
