//! Network: guest networks, public VLAN ranges and public IP addresses.

mod ip_address;
mod network;
mod types;
mod vlan;

pub use ip_address::{IpAddress, NewIpAddress};
pub use network::{Network, NewNetwork};
pub use types::*;
pub use vlan::{NewVlan, Vlan};
