//! Consistent placeholders: the same original value always gets the same placeholder, across
//! events and fields, numbered in order of first appearance. IPs keep their family and the kind
//! of range they are in (a private address stays private, so the `not destination.ip:10.0.0.0/8`
//! that many rules have reads it the same); a placeholder never equals a value the events have.

use super::category::Category;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One original value and what replaced it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mapping {
    pub category: Category,
    pub original: String,
    pub placeholder: String,
    /// How many values of the chosen fields it replaced.
    pub count: usize,
}

/// An address range placeholders are drawn from: its first address and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Pool {
    V4(u32, u32),
    V6(u128),
    Name(&'static str),
}

/// Documentation ranges (RFC 5737), then the benchmarking range (RFC 2544): public addresses
/// that belong to nobody.
const PUBLIC_V4: &[(u32, u32)] = &[
    (0xC000_0200, 256),
    (0xC633_6400, 256),
    (0xCB00_7100, 256),
    (0xC612_0000, 1 << 17),
];

#[derive(Default)]
pub struct Placeholders {
    /// (kind, original) → index into `mappings`.
    known: HashMap<(Category, String), usize>,
    mappings: Vec<Mapping>,
    next: HashMap<Pool, u64>,
    /// The events' values a placeholder could equal: using one would merge two values.
    taken: HashSet<String>,
}

impl Placeholders {
    pub fn new(taken: HashSet<String>) -> Self {
        Placeholders {
            taken,
            ..Placeholders::default()
        }
    }

    pub fn into_mappings(self) -> Vec<Mapping> {
        self.mappings
    }

    /// The placeholder of `value` as a `kind`, made on first sight.
    fn get(
        &mut self,
        kind: Category,
        value: &str,
        make: impl FnOnce(&mut Self) -> String,
    ) -> String {
        let key = (kind, value.to_string());
        if let Some(&i) = self.known.get(&key) {
            self.mappings[i].count += 1;
            return self.mappings[i].placeholder.clone();
        }
        let placeholder = make(self);
        self.taken.insert(placeholder.clone());
        self.known.insert(key, self.mappings.len());
        self.mappings.push(Mapping {
            category: kind,
            original: value.to_string(),
            placeholder: placeholder.clone(),
            count: 1,
        });
        placeholder
    }

    /// `prefix-N` (with `suffix`), the first N whose placeholder no event has.
    fn numbered(&mut self, prefix: &'static str, suffix: &str) -> String {
        let counter = self.next.entry(Pool::Name(prefix)).or_insert(0);
        loop {
            *counter += 1;
            let candidate = format!("{prefix}-{counter}{suffix}");
            if !self.taken.contains(&candidate) {
                return candidate;
            }
        }
    }

    pub fn host(&mut self, value: &str) -> String {
        self.get(Category::Host, value, |p| {
            p.numbered("host", if value.contains('.') { ".example" } else { "" })
        })
    }

    pub fn user(&mut self, value: &str) -> String {
        self.get(Category::User, value, |p| p.numbered("user", ""))
    }

    pub fn domain(&mut self, value: &str) -> String {
        self.get(Category::Domain, value, |p| {
            p.numbered("domain", ".example")
        })
    }

    pub fn other(&mut self, value: &str) -> String {
        self.get(Category::Other, value, |p| p.numbered("value", ""))
    }

    /// `local@domain` → the local part as a user name, at example.com.
    pub fn email(&mut self, value: &str) -> String {
        match value.rsplit_once('@') {
            Some((local, _)) if !local.is_empty() => {
                let user = self.user(local);
                self.get(Category::Email, value, |_| format!("{user}@example.com"))
            }
            _ => self.other(value),
        }
    }

    /// The address's placeholder, or `None` for addresses that name nobody (loopback,
    /// unspecified, multicast, link-local IPv4, documentation ranges): they stay as written.
    pub fn ip(&mut self, value: &str, ip: IpAddr) -> Option<String> {
        let pools = pools(ip)?;
        Some(self.get(Category::Ip, value, |p| p.address(&pools, ip)))
    }

    fn address(&mut self, pools: &[Pool], ip: IpAddr) -> String {
        for &pool in pools {
            let counter = self.next.entry(pool).or_insert(0);
            loop {
                let n = *counter;
                *counter += 1;
                let candidate = match pool {
                    Pool::V4(base, size) => {
                        // Skip the .0 and .255 of every /24: they read as network and broadcast.
                        let offset = (n / 254) * 256 + n % 254 + 1;
                        if offset >= u64::from(size) {
                            break;
                        }
                        let addr = Ipv4Addr::from(base.wrapping_add(offset as u32));
                        match ip {
                            IpAddr::V6(_) => addr.to_ipv6_mapped().to_string(),
                            IpAddr::V4(_) => addr.to_string(),
                        }
                    }
                    Pool::V6(base) => Ipv6Addr::from(base + u128::from(n) + 1).to_string(),
                    Pool::Name(_) => break,
                };
                if !self.taken.contains(&candidate) {
                    return candidate;
                }
            }
        }
        // Every pool is used up (over 130,000 distinct public addresses): still no real address.
        self.numbered("ip", "")
    }
}

/// Where placeholders for `ip` come from, in order; `None` to keep it.
fn pools(ip: IpAddr) -> Option<Vec<Pool>> {
    let v4 = match ip {
        IpAddr::V4(v4) => v4,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4,
            None => return v6_pools(v6),
        },
    };
    let [a, b, c, _] = v4.octets();
    let documentation = matches!((a, b, c), (192, 0, 2) | (198, 51, 100) | (203, 0, 113));
    if v4.is_loopback()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_link_local()
        || documentation
    {
        return None;
    }
    let private = match (a, b) {
        (10, _) => Some((0x0A00_0000, 1 << 24)),
        (172, 16..=31) => Some((0xAC10_0000, 1 << 20)),
        (192, 168) => Some((0xC0A8_0000, 1 << 16)),
        (100, 64..=127) => Some((0x6440_0000, 1 << 22)),
        _ => None,
    };
    Some(match private {
        Some((base, size)) => vec![Pool::V4(base, size)],
        None => PUBLIC_V4.iter().map(|&(b, s)| Pool::V4(b, s)).collect(),
    })
}

fn v6_pools(v6: Ipv6Addr) -> Option<Vec<Pool>> {
    let first = v6.segments()[0];
    if v6.is_loopback() || v6.is_unspecified() || v6.is_multicast() {
        return None;
    }
    Some(vec![Pool::V6(match first {
        0x2001 if v6.segments()[1] == 0x0db8 => return None,
        f if f & 0xffc0 == 0xfe80 => 0xfe80 << 112,
        f if f & 0xfe00 == 0xfc00 => 0xfd00 << 112,
        _ => 0x2001_0db8 << 96,
    })])
}
