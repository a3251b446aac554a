//! Enum columns of volumes.

use diesel::sql_types::Integer;

use crate::types::{ordinal_enum, text_enum};

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

impl VolumeState {
    /// `Destroy`, `Expunging` or `Expunged`: the volume no longer counts against its owner.
    ///
    /// ```
    /// use cloudstack_db::storage::VolumeState;
    /// assert!(VolumeState::Expunging.is_destroyed() && !VolumeState::Ready.is_destroyed());
    /// ```
    pub fn is_destroyed(self) -> bool {
        matches!(self, Self::Destroy | Self::Expunging | Self::Expunged)
    }
}

text_enum! {
    /// A volume's role (`Volume.Type`).
    VolumeType in "volumes.volume_type" {
        Unknown = "UNKNOWN", Root = "ROOT", Swap = "SWAP", DataDisk = "DATADISK", Iso = "ISO",
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
    /// A snapshot's state (`Snapshot.State`), stored in `snapshots.status`.
    SnapshotState in "snapshots.status" {
        Allocated = "Allocated", Creating = "Creating", CreatedOnPrimary = "CreatedOnPrimary",
        BackingUp = "BackingUp", BackedUp = "BackedUp", Copying = "Copying", Destroying = "Destroying",
        Destroyed = "Destroyed", Hidden = "Hidden", Error = "Error",
    }
}

ordinal_enum! {
    /// What made a snapshot (`Snapshot.Type`), stored as its ordinal; `type_description` holds
    /// the name.
    SnapshotType as i32, Integer, in "snapshots.snapshot_type" {
        Manual = 0 as "MANUAL", Recurring = 1 as "RECURRING", Template = 2 as "TEMPLATE",
        Hourly = 3 as "HOURLY", Daily = 4 as "DAILY", Weekly = 5 as "WEEKLY", Monthly = 6 as "MONTHLY",
        Group = 7 as "GROUP", FromGroup = 8 as "FROM_GROUP",
    }
}
