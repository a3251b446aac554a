//! The names most callers need, in one import: `use cloudstack_db::prelude::*;`.
//!
//! ```
//! use cloudstack_db::prelude::*;
//! let page = PageRequest::first(50);
//! assert_eq!(page.limit(), 50);
//! ```

pub use crate::catalog::templates::TemplateFilter;
pub use crate::catalog::{
    DataCenter, DiskOffering, NewDataCenter, NewDiskOffering, NewServiceOffering, NewVmTemplate,
    ServiceOffering, TemplateState, VmTemplate, disk_offerings, service_offerings, templates,
    zones,
};
pub use crate::compute::{
    UserVmRow, UserVmSpec, VmChanges, VmEvent, VmFilter, VmInstance, VmState, vms,
};
pub use crate::db::{RetryPolicy, Tx};
pub use crate::identity::{accounts, domains, users};
pub use crate::jobs::queue;
pub use crate::network::networks;
pub use crate::network::public_ips::{self, AllocateRequest};
pub use crate::repo::{Page, PageRequest};
pub use crate::storage::{
    Volume, VolumeChanges, VolumeEvent, VolumeFilter, VolumeSpec, VolumeState, volumes,
};
pub use crate::types::*;
pub use crate::{Database, Error, Result, Secret};
