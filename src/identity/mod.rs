//! Identity and access: domains, accounts, users, roles and role permissions.

mod account;
pub mod accounts;
pub mod api_keys;
mod domain;
pub mod domains;
pub mod first_start;
pub mod password;
mod role;
mod role_permission;
pub mod roles;
mod types;
mod user;
pub mod users;

pub use account::{Account, NewAccount};
pub use domain::{Domain, NewDomain};
pub use role::{NewRole, Role};
pub use role_permission::{NewRolePermission, RolePermission};
pub use types::*;
pub use user::{NewUser, User};
