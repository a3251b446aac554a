//! Compute: user VMs (`vm_instance` + `user_vm`) and their state machine. Imports the catalog
//! and storage (a VM's volumes), never the other way round.

mod nic;
pub mod nics;
pub mod placement;
mod shape;
mod types;
mod user_vm;
mod vm_instance;
mod vm_state_machine;
pub mod vms;

pub use nic::{NewNic, Nic};
pub use types::*;
pub use user_vm::{NewUserVm, UserVm};
pub use vm_instance::{NewVmInstance, VmInstance};
pub use vm_state_machine::{VmEvent, VmTransition, vm_transition, vm_transitions};
pub use vms::{UserVmRow, UserVmSpec, VmChanges, VmFilter};
