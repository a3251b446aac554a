//! Enum columns of volumes, templates and disk offerings.

use crate::types::text_enum;

text_enum! {
    /// A volume's state (`Volume.State`).
    VolumeState in "volumes.state" {
        Allocated = "Allocated", Creating = "Creating", Ready = "Ready", Migrating = "Migrating",
        Snapshotting = "Snapshotting", RevertSnapshotting = "RevertSnapshotting", Resizing = "Resizing",
        Expunging = "Expunging", Expunged = "Expunged", Destroy = "Destroy", Destroying = "Destroying",
        UploadOp = "UploadOp", Copying = "Copying", Uploaded = "Uploaded", NotUploaded = "NotUploaded",
        UploadInProgress = "UploadInProgress", UploadError = "UploadError",
        UploadAbandoned = "UploadAbandoned", Attaching = "Attaching", Restoring = "Restoring",
    }
}

text_enum! {
    /// A volume's role (`Volume.Type`).
    VolumeType in "volumes.volume_type" {
        Unknown = "UNKNOWN", Root = "ROOT", Swap = "SWAP", DataDisk = "DATADISK", Iso = "ISO",
    }
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
    /// A primary storage pool's type (`Storage.StoragePoolType`).
    StoragePoolType in "volumes.pool_type" {
        Filesystem = "Filesystem", NetworkFilesystem = "NetworkFilesystem", IscsiLun = "IscsiLUN",
        Iscsi = "Iscsi", Iso = "ISO", Lvm = "LVM", Clvm = "CLVM", Rbd = "RBD",
        SharedMountPoint = "SharedMountPoint", Vmfs = "VMFS", PreSetup = "PreSetup", Ext = "EXT",
        Ocfs2 = "OCFS2", Smb = "SMB", Gluster = "Gluster", PowerFlex = "PowerFlex",
        ManagedNfs = "ManagedNFS", Linstor = "Linstor", DatastoreCluster = "DatastoreCluster",
        StorPool = "StorPool", FiberChannel = "FiberChannel",
    }
}

text_enum! {
    /// A disk offering's cache mode (`DiskOffering.DiskCacheMode`, stored lower-case).
    DiskCacheMode in "disk_offering.cache_mode" {
        None = "none", WriteBack = "writeback", WriteThrough = "writethrough",
        HypervisorDefault = "hypervisor_default",
    }
}

text_enum! {
    /// Whether a disk or service offering is usable (`DiskOffering.State`, `ServiceOffering.State`).
    OfferingState in "disk_offering.state / service_offering.state" { Inactive = "Inactive", Active = "Active" }
}
