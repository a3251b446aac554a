//! Identity and access: domains, accounts, users, roles and role permissions.

mod account;
mod domain;
pub mod password;
mod role;
mod role_permission;
mod types;
mod user;

pub use account::{Account, NewAccount};
pub use domain::{Domain, NewDomain};
pub use role::{NewRole, Role};
pub use role_permission::{NewRolePermission, RolePermission};
pub use types::*;
pub use user::{NewUser, User};
