//! Storage: volumes, templates and disk offerings.

mod disk_offering;
pub mod templates_and_offerings;
mod types;
mod vm_template;
mod volume;
mod volume_state_machine;
pub mod volumes;

pub use disk_offering::{DiskOffering, NewDiskOffering};
pub use types::*;
pub use vm_template::{NewVmTemplate, VmTemplate};
pub use volume::{NewVolume, Volume};
pub use volume_state_machine::{VolumeEvent, volume_transition};
