//! Enum columns of networks, VLAN ranges and public IP addresses.

use crate::types::text_enum;

text_enum! {
    /// A network's state (`Network.State`).
    NetworkState in "networks.state" {
        Allocated = "Allocated", Setup = "Setup", Implementing = "Implementing",
        Implemented = "Implemented", Shutdown = "Shutdown", Destroy = "Destroy",
    }
}

text_enum! {
    /// Shared, isolated or L2 guest network (`Network.GuestType`).
    GuestType in "networks.guest_type" { Shared = "Shared", Isolated = "Isolated", L2 = "L2" }
}

text_enum! {
    /// The traffic a network carries (`Networks.TrafficType`).
    TrafficType in "networks.traffic_type" {
        None = "None", Public = "Public", Guest = "Guest", Storage = "Storage",
        Management = "Management", Control = "Control", Vpn = "Vpn",
    }
}

text_enum! {
    /// How a network's broadcast domain is isolated (`Networks.BroadcastDomainType`).
    BroadcastDomainType in "networks.broadcast_domain_type" {
        Native = "Native", Vlan = "Vlan", Vswitch = "Vswitch", LinkLocal = "LinkLocal", Vnet = "Vnet",
        Storage = "Storage", Lswitch = "Lswitch", Mido = "Mido", Pvlan = "Pvlan", Vxlan = "Vxlan",
        Vcs = "Vcs", UnDecided = "UnDecided", OpenDaylight = "OpenDaylight", Tungsten = "TUNGSTEN",
        Nsx = "NSX", Netris = "Netris",
    }
}

text_enum! {
    /// How addresses are assigned in a network (`Networks.Mode`).
    NetworkMode in "networks.mode" { None = "None", Static = "Static", Dhcp = "Dhcp", ExternalDhcp = "ExternalDhcp" }
}

text_enum! {
    /// Who may use a guest network (`ControlledEntity.ACLType`).
    AclType in "networks.acl_type" { Account = "Account", Domain = "Domain" }
}

text_enum! {
    /// A public IP address's state (`IpAddress.State`).
    IpAddressState in "user_ip_address.state / user_ip_address.rule_state" {
        Allocating = "Allocating", Allocated = "Allocated", Releasing = "Releasing",
        Reserved = "Reserved", Free = "Free",
    }
}

text_enum! {
    /// Whether a VLAN range is direct-attached or for virtual networks (`Vlan.VlanType`).
    VlanType in "vlan.vlan_type" { DirectAttached = "DirectAttached", VirtualNetwork = "VirtualNetwork" }
}
