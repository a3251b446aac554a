//! Storage: volumes, templates and disk offerings.

mod disk_offering;
mod types;
mod vm_template;
mod volume;

pub use disk_offering::{DiskOffering, NewDiskOffering};
pub use types::*;
pub use vm_template::{NewVmTemplate, VmTemplate};
pub use volume::{NewVolume, Volume};
