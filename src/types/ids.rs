//! One id type per table, so a `VmId` cannot be passed where a `VolumeId` is expected.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::mysql::{Mysql, MysqlValue};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{BigInt, Unsigned};

macro_rules! define_ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            AsExpression, FromSqlRow, serde::Serialize, serde::Deserialize,
        )]
        #[diesel(sql_type = Unsigned<BigInt>)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// The raw id.
            pub fn get(self) -> u64 {
                self.0
            }
        }

        impl From<u64> for $name {
            fn from(value: u64) -> Self {
                Self(value)
            }
        }

        impl From<$name> for u64 {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromSql<Unsigned<BigInt>, Mysql> for $name {
            fn from_sql(bytes: MysqlValue<'_>) -> deserialize::Result<Self> {
                <u64 as FromSql<Unsigned<BigInt>, Mysql>>::from_sql(bytes).map(Self)
            }
        }

        impl ToSql<Unsigned<BigInt>, Mysql> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
                <u64 as ToSql<Unsigned<BigInt>, Mysql>>::to_sql(&self.0, out)
            }
        }
    )*};
}

define_ids! {
    /// `vm_instance.id` (also `user_vm.id`); taken from the `vm_instance_seq` sequence.
    ///
    /// ```
    /// let id = cloudstack_db::types::VmId(7);
    /// assert_eq!(id.to_string(), "7");
    /// assert_eq!(u64::from(id), 7);
    /// ```
    VmId;
    /// `volumes.id`; taken from the `volume_seq` sequence.
    VolumeId;
    /// `vm_template.id`; user templates take theirs from `vm_template_seq` (starts at 200).
    TemplateId;
    /// `networks.id`; taken from `networks_seq` (starts at 200).
    NetworkId;
    /// `user_ip_address.id`.
    IpAddressId;
    /// `vlan.id`.
    VlanId;
    /// `account.id`.
    AccountId;
    /// `user.id`.
    UserId;
    /// `domain.id`.
    DomainId;
    /// `roles.id`.
    RoleId;
    /// `role_permissions.id`.
    RolePermissionId;
    /// `async_job.id`.
    JobId;
    /// `event.id`.
    EventId;
    /// `usage_event.id` (the same ids in `cloud_usage.usage_event`).
    UsageEventId;
    /// `data_center.id` (a zone).
    ZoneId;
    /// `disk_offering.id`.
    DiskOfferingId;
    /// `service_offering.id`.
    ServiceOfferingId;
    /// `version.id`.
    VersionId;
    /// `cloud_usage.cloud_usage.id` (one usage record).
    UsageRecordId;
    /// `cloud_usage.usage_job.id`.
    UsageJobId;
    /// `nics.id` (AUTO_INCREMENT).
    NicId;
    /// `host_pod_ref.id` (a pod).
    PodId;
    /// `cluster.id`.
    ClusterId;
    /// `host.id`.
    HostId;
    /// `storage_pool.id` (a primary storage pool).
    StoragePoolId;
    /// `snapshots.id`.
    SnapshotId;
}
