//! Compute: VM instances and user VMs, zones (`data_center`) and service offerings.

mod data_center;
mod service_offering;
mod types;
mod user_vm;
mod vm_instance;
mod vm_state_machine;
pub mod vms;
pub mod zones_and_offerings;

pub use data_center::{DataCenter, NewDataCenter};
pub use service_offering::{NewServiceOffering, ServiceOffering};
pub use types::*;
pub use user_vm::{NewUserVm, UserVm};
pub use vm_instance::{NewVmInstance, VmInstance};
pub use vm_state_machine::{VmEvent, VmTransition, vm_transition, vm_transitions};
