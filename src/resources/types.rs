//! The resource types CloudStack counts (`Resource.ResourceType`).

/// A resource type, stored by its name in `resource_count.type` / `resource_limit.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceType {
    /// User VMs.
    UserVm,
    /// Public IP addresses.
    PublicIp,
    /// Volumes.
    Volume,
    /// Snapshots.
    Snapshot,
    /// Templates.
    Template,
    /// Projects.
    Project,
    /// Networks.
    Network,
    /// VPCs.
    Vpc,
    /// CPU cores.
    Cpu,
    /// Memory, in MiB.
    Memory,
    /// Primary storage, in bytes.
    PrimaryStorage,
    /// Secondary storage, in bytes.
    SecondaryStorage,
    /// Backups.
    Backup,
    /// Backup storage, in bytes.
    BackupStorage,
    /// Buckets.
    Bucket,
    /// Object storage, in bytes.
    ObjectStorage,
    /// GPUs.
    Gpu,
}

impl ResourceType {
    /// Every type, in CloudStack's order (the order count rows are created in).
    pub const ALL: [ResourceType; 17] = [
        Self::UserVm,
        Self::PublicIp,
        Self::Volume,
        Self::Snapshot,
        Self::Template,
        Self::Project,
        Self::Network,
        Self::Vpc,
        Self::Cpu,
        Self::Memory,
        Self::PrimaryStorage,
        Self::SecondaryStorage,
        Self::Backup,
        Self::BackupStorage,
        Self::Bucket,
        Self::ObjectStorage,
        Self::Gpu,
    ];

    /// The stored name.
    ///
    /// ```
    /// use cloudstack_db::resources::ResourceType;
    /// assert_eq!(ResourceType::PrimaryStorage.as_str(), "primary_storage");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserVm => "user_vm",
            Self::PublicIp => "public_ip",
            Self::Volume => "volume",
            Self::Snapshot => "snapshot",
            Self::Template => "template",
            Self::Project => "project",
            Self::Network => "network",
            Self::Vpc => "vpc",
            Self::Cpu => "cpu",
            Self::Memory => "memory",
            Self::PrimaryStorage => "primary_storage",
            Self::SecondaryStorage => "secondary_storage",
            Self::Backup => "backup",
            Self::BackupStorage => "backup_storage",
            Self::Bucket => "bucket",
            Self::ObjectStorage => "object_storage",
            Self::Gpu => "gpu",
        }
    }

    /// The type a stored name names, if any.
    ///
    /// ```
    /// use cloudstack_db::resources::ResourceType;
    /// assert_eq!(ResourceType::from_name("user_vm"), Some(ResourceType::UserVm));
    /// assert_eq!(ResourceType::from_name("nope"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The end of the global default limit settings' names: `max.account.<this>` and
    /// `max.domain.<this>`.
    ///
    /// ```
    /// use cloudstack_db::resources::ResourceType;
    /// assert_eq!(ResourceType::UserVm.setting_suffix(), "user.vms");
    /// ```
    pub fn setting_suffix(self) -> &'static str {
        match self {
            Self::UserVm => "user.vms",
            Self::PublicIp => "public.ips",
            Self::Volume => "volumes",
            Self::Snapshot => "snapshots",
            Self::Template => "templates",
            Self::Project => "projects",
            Self::Network => "networks",
            Self::Vpc => "vpcs",
            Self::Cpu => "cpus",
            Self::Memory => "memory",
            Self::PrimaryStorage => "primary.storage",
            Self::SecondaryStorage => "secondary.storage",
            Self::Backup => "backups",
            Self::BackupStorage => "backup.storage",
            Self::Bucket => "buckets",
            Self::ObjectStorage => "object.storage",
            Self::Gpu => "gpus",
        }
    }

    /// Whether the global default limits of this type are given in GiB and counted in bytes.
    pub fn is_storage(self) -> bool {
        matches!(
            self,
            Self::PrimaryStorage
                | Self::SecondaryStorage
                | Self::BackupStorage
                | Self::ObjectStorage
        )
    }
}

impl std::fmt::Display for ResourceType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
