//! The catalog: what VMs and volumes are made from and placed in — zones (`data_center`),
//! compute offerings (`service_offering`), disk offerings (`disk_offering`) and templates
//! (`vm_template`). It imports no other aggregate; compute and storage import it.

mod data_center;
mod disk_offering;
pub mod disk_offerings;
mod service_offering;
pub mod service_offerings;
pub mod templates;
mod types;
mod vm_template;
pub mod zones;

pub use data_center::{DataCenter, NewDataCenter};
pub use disk_offering::{DiskOffering, NewDiskOffering};
pub use service_offering::{NewServiceOffering, ServiceOffering};
pub use types::*;
pub use vm_template::{NewVmTemplate, VmTemplate};
