//! Where a setting can be overridden (`ConfigKey.Scope`).

use crate::types::{AccountId, DomainId, ZoneId};

/// A place a setting's value is read at: the global `configuration` row, or one resource whose
/// `*_details` table may hold an override (`ConfigKey.Scope`, with its id).
///
/// ```
/// use cloudstack_db::settings::Scope;
/// use cloudstack_db::types::AccountId;
/// assert_eq!(Scope::Account(AccountId(7)).name(), "Account");
/// assert_eq!(Scope::Global.bit(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `configuration.value`.
    Global,
    /// A zone (`data_center_details`).
    Zone(ZoneId),
    /// A cluster (`cluster_details`).
    Cluster(u64),
    /// A primary storage pool (`storage_pool_details`).
    StoragePool(u64),
    /// A management server (no details table: its settings are read globally).
    ManagementServer(u64),
    /// A secondary storage (`image_store_details`).
    ImageStore(u64),
    /// A domain (`domain_details`).
    Domain(DomainId),
    /// An account (`account_details`).
    Account(AccountId),
}

impl Scope {
    /// CloudStack's name of the scope kind.
    pub fn name(self) -> &'static str {
        match self {
            Self::Global => "Global",
            Self::Zone(_) => "Zone",
            Self::Cluster(_) => "Cluster",
            Self::StoragePool(_) => "StoragePool",
            Self::ManagementServer(_) => "ManagementServer",
            Self::ImageStore(_) => "ImageStore",
            Self::Domain(_) => "Domain",
            Self::Account(_) => "Account",
        }
    }

    /// The kind's bit in `configuration.scope` (`ConfigKey.Scope.getBitValue`).
    pub fn bit(self) -> u64 {
        match self {
            Self::Global => 1,
            Self::Zone(_) => 1 << 1,
            Self::Cluster(_) => 1 << 2,
            Self::StoragePool(_) => 1 << 3,
            Self::ManagementServer(_) => 1 << 4,
            Self::ImageStore(_) => 1 << 5,
            Self::Domain(_) => 1 << 6,
            Self::Account(_) => 1 << 7,
        }
    }

    /// The names of the scope kinds a `configuration.scope` bitmask allows, Global for 0.
    ///
    /// ```
    /// assert_eq!(cloudstack_db::settings::Scope::kinds_of(2 | 128), ["Zone", "Account"]);
    /// ```
    pub fn kinds_of(bitmask: i64) -> Vec<&'static str> {
        const KINDS: [&str; 8] = [
            "Global",
            "Zone",
            "Cluster",
            "StoragePool",
            "ManagementServer",
            "ImageStore",
            "Domain",
            "Account",
        ];
        if bitmask <= 0 {
            return vec!["Global"];
        }
        KINDS
            .iter()
            .enumerate()
            .filter(|(i, _)| bitmask & (1 << i) != 0)
            .map(|(_, k)| *k)
            .collect()
    }
}

/// A kind of scope without its resource: what a setting may be overridden at.
///
/// ```
/// use cloudstack_db::settings::ScopeKind;
/// assert_eq!(ScopeKind::mask(&[ScopeKind::Domain, ScopeKind::Account]), 192);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum ScopeKind {
    Global,
    Zone,
    Cluster,
    StoragePool,
    ManagementServer,
    ImageStore,
    Domain,
    Account,
}

impl ScopeKind {
    /// The kind's bit in `configuration.scope`.
    pub fn bit(self) -> i64 {
        1 << (self as i64)
    }

    /// The `configuration.scope` bitmask of `kinds` (0 for global only, as CloudStack stores it).
    pub fn mask(kinds: &[ScopeKind]) -> i64 {
        if kinds.iter().all(|k| *k == ScopeKind::Global) {
            return 0;
        }
        kinds.iter().map(|k| k.bit()).fold(0, |a, b| a | b)
    }
}
