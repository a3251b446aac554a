//! Addresses, CIDRs and broadcast URIs in the text forms CloudStack stores.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv4Net};

use crate::{Error, Result};

/// Parses a CIDR (`10.1.1.0/24`, `fd00::/64`); the address must be the network address.
///
/// ```
/// use cloudstack_db::network::addressing::parse_cidr;
/// assert_eq!(parse_cidr("networks.cidr", "10.1.1.0/24").unwrap().to_string(), "10.1.1.0/24");
/// assert!(parse_cidr("networks.cidr", "10.1.1.5/24").is_err());
/// assert!(parse_cidr("networks.cidr", "10.1.1.0/33").is_err());
/// ```
pub fn parse_cidr(column: &str, text: &str) -> Result<IpNet> {
    let net: IpNet = text
        .trim()
        .parse()
        .map_err(|_| Error::invalid_value(column, text, "not a CIDR like 10.1.1.0/24"))?;
    if net.network() != net.addr() {
        return Err(Error::invalid_value(
            column,
            text,
            "the address is not the network address",
        ));
    }
    Ok(net)
}

/// A VLAN broadcast URI as CloudStack writes it: `vlan://<1..4094>` or `vlan://untagged`.
///
/// ```
/// use cloudstack_db::network::addressing::vlan_uri;
/// assert_eq!(vlan_uri("100").unwrap(), "vlan://100");
/// assert_eq!(vlan_uri("vlan://untagged").unwrap(), "vlan://untagged");
/// assert!(vlan_uri("4095").is_err());
/// ```
pub fn vlan_uri(tag: &str) -> Result<String> {
    let bare = tag.trim().strip_prefix("vlan://").unwrap_or(tag.trim());
    if bare.eq_ignore_ascii_case("untagged") {
        return Ok("vlan://untagged".into());
    }
    match bare.parse::<u16>() {
        Ok(id) if (1..=4094).contains(&id) => Ok(format!("vlan://{id}")),
        _ => Err(Error::invalid_value(
            "vlan tag",
            tag,
            "must be 1 to 4094 or `untagged`",
        )),
    }
}

/// An IPv4 range `start-end` inside the subnet of `gateway`/`netmask`, as `vlan.ip4_range`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Range {
    /// First address.
    pub start: Ipv4Addr,
    /// Last address (inclusive).
    pub end: Ipv4Addr,
}

impl Ipv4Range {
    /// A checked range: start ≤ end, both in the gateway's subnet, at most 65 536 addresses.
    ///
    /// ```
    /// use cloudstack_db::network::addressing::Ipv4Range;
    /// let r = Ipv4Range::new("203.0.113.10".parse().unwrap(), "203.0.113.20".parse().unwrap(),
    ///     "203.0.113.1".parse().unwrap(), "255.255.255.0".parse().unwrap()).unwrap();
    /// assert_eq!((r.len(), r.to_string()), (11, "203.0.113.10-203.0.113.20".to_string()));
    /// ```
    pub fn new(
        start: Ipv4Addr,
        end: Ipv4Addr,
        gateway: Ipv4Addr,
        netmask: Ipv4Addr,
    ) -> Result<Self> {
        let prefix = u32::from(netmask).leading_ones() as u8;
        if u32::from(netmask).count_ones() != u32::from(prefix) {
            return Err(Error::invalid_value(
                "vlan.vlan_netmask",
                netmask.to_string(),
                "not a netmask",
            ));
        }
        let subnet = Ipv4Net::new(gateway, prefix).map_err(|_| {
            Error::invalid_value("vlan.vlan_netmask", netmask.to_string(), "not a netmask")
        })?;
        if u32::from(start) > u32::from(end) {
            return Err(Error::invalid_value(
                "vlan.ip4_range",
                format!("{start}-{end}"),
                "start is after end",
            ));
        }
        for ip in [start, end] {
            if !subnet.contains(&ip) {
                return Err(Error::invalid_value(
                    "vlan.ip4_range",
                    ip.to_string(),
                    "outside the gateway's subnet",
                ));
            }
        }
        let range = Self { start, end };
        if range.len() > 65_536 {
            return Err(Error::invalid_value(
                "vlan.ip4_range",
                range.to_string(),
                "more than 65 536 addresses",
            ));
        }
        Ok(range)
    }

    /// Parses `start-end`.
    pub fn parse(text: &str) -> Option<Self> {
        let (a, b) = text.split_once('-')?;
        Some(Self {
            start: a.trim().parse().ok()?,
            end: b.trim().parse().ok()?,
        })
    }

    /// Number of addresses.
    pub fn len(&self) -> u64 {
        u64::from(u32::from(self.end)) - u64::from(u32::from(self.start)) + 1
    }

    /// Whether the range is empty (never, for a checked range).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether two ranges share an address.
    pub fn overlaps(&self, other: &Self) -> bool {
        u32::from(self.start) <= u32::from(other.end)
            && u32::from(other.start) <= u32::from(self.end)
    }

    /// Every address, in order.
    pub fn addresses(&self) -> impl Iterator<Item = Ipv4Addr> {
        (u32::from(self.start)..=u32::from(self.end)).map(Ipv4Addr::from)
    }
}

impl std::fmt::Display for Ipv4Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// Parses a stored address (`public_ip_address`), IPv4 or IPv6.
pub fn parse_ip(column: &str, text: &str) -> Result<IpAddr> {
    text.trim()
        .parse()
        .map_err(|_| Error::invalid_value(column, text, "not an IP address"))
}
