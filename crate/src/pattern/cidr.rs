//! IP addresses and CIDR ranges as Elasticsearch's `ip` type compares them: IPv4 addresses are
//! IPv4-mapped IPv6 internally, so `::ffff:10.0.0.1` equals `10.0.0.1`.

use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    net: u128,
    prefix: u32,
}

fn to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v4) => u128::from(v4.to_ipv6_mapped()),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

/// An address as one ordered number (IPv4 mapped into IPv6, as Elasticsearch stores it).
pub fn ip_key(s: &str) -> Option<u128> {
    parse_ip(s).map(to_u128)
}

/// Parse an address, accepting IPv6 in brackets too.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let s = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(s);
    s.parse().ok()
}

impl Cidr {
    /// `10.0.0.0/8`, `fe80::/10`, or a bare address (a /32 or /128).
    pub fn parse(s: &str) -> Option<Cidr> {
        let (addr, bits) = match s.trim().split_once('/') {
            Some((a, b)) => (a, Some(b.parse::<u32>().ok()?)),
            None => (s.trim(), None),
        };
        let ip = parse_ip(addr)?;
        let (max, shift) = match ip {
            IpAddr::V4(_) => (32, 96),
            IpAddr::V6(_) => (128, 0),
        };
        let bits = bits.unwrap_or(max);
        if bits > max {
            return None;
        }
        let prefix = bits + shift;
        let mask = if prefix == 0 {
            0
        } else {
            u128::MAX << (128 - prefix)
        };
        Some(Cidr {
            net: to_u128(ip) & mask,
            prefix,
        })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let mask = if self.prefix == 0 {
            0
        } else {
            u128::MAX << (128 - self.prefix)
        };
        to_u128(ip) & mask == self.net
    }

    pub fn contains_str(&self, s: &str) -> bool {
        parse_ip(s).is_some_and(|ip| self.contains(ip))
    }
}

/// Whether two textual addresses are the same address (`::ffff:1.2.3.4` == `1.2.3.4`).
pub fn same_ip(a: &str, b: &str) -> bool {
    match (parse_ip(a), parse_ip(b)) {
        (Some(x), Some(y)) => to_u128(x) == to_u128(y),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_and_v6_ranges() {
        let c = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(c.contains_str("10.1.2.3"));
        assert!(!c.contains_str("11.0.0.1"));
        assert!(c.contains_str("::ffff:10.0.0.1"));
        assert!(Cidr::parse("fe80::/10").unwrap().contains_str("fe80::1"));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains_str("8.8.8.8"));
        assert!(Cidr::parse("1.2.3.4").unwrap().contains_str("1.2.3.4"));
        assert!(Cidr::parse("1.2.3.4/33").is_none());
        assert!(same_ip("::ffff:1.2.3.4", "1.2.3.4"));
    }
}
