//! Network: guest networks, public VLAN ranges and public IP addresses.

mod guest_network;
mod ip_address;
mod types;
mod vlan;

pub use guest_network::{Network, NewNetwork};
pub use ip_address::{IpAddress, NewIpAddress};
pub use types::*;
pub use vlan::{NewVlan, Vlan};
