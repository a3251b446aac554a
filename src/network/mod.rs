//! Network: guest networks, public VLAN ranges and public IP addresses.

pub mod addressing;
pub mod dedicated;
mod guest_network;
mod ip_address;
pub mod network_details;
pub mod networks;
pub mod public_ips;
pub mod quarantine;
mod quarantined_ip;
mod types;
mod vlan;

pub use guest_network::{Network, NewNetwork};
pub use ip_address::{IpAddress, NewIpAddress};
pub use quarantined_ip::QuarantinedIp;
pub use types::*;
pub use vlan::{NewVlan, Vlan};
