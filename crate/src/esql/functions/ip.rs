//! IP functions: CIDR_MATCH and IP_PREFIX. Addresses compare as Elasticsearch stores them, 16
//! bytes with IPv4 mapped into IPv6.

use super::convert::parse_ip;
use super::order::ip_bytes;
use super::sig::{func, func_single, illegal, is_string, is_whole, one, single, Call, Resolved};
use super::Failure;
use crate::esql::value::{DataType, Scalar, Value};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub(crate) fn resolve(name: &str, call: &mut Call<'_, '_>) -> Option<Resolved> {
    Some(match name {
        "cidr_match" => cidr_match(call),
        "ip_prefix" => ip_prefix(call),
        _ => return None,
    })
}

fn is_ip(t: DataType) -> bool {
    t == DataType::Ip
}

fn cidr_match(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(2, usize::MAX)?;
    call.expect(0, is_ip, "ip")?;
    for i in 1..call.len() {
        call.expect(i, is_string, "string")?;
    }
    func(DataType::Boolean, |args, _| {
        let Some(first) = args.first() else {
            return Ok(Value::Null);
        };
        let Some(Scalar::Ip(ip)) = single(first)? else {
            return Ok(Value::Null);
        };
        // The blocks may be multi-valued: any of their values matching is a match.
        for block in args.iter().skip(1).flat_map(|v| v.values()) {
            let text = block.as_str().unwrap_or_default();
            if in_block(ip, text)? {
                return Ok(one(Scalar::Bool(true)));
            }
        }
        Ok(one(Scalar::Bool(false)))
    })
}

/// Whether `ip` is in `block` (`a.b.c.d/n`, `v6/n`, or a bare address).
pub fn in_block(ip: &IpAddr, block: &str) -> Result<bool, Failure> {
    let (addr, prefix) = match block.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (block, None),
    };
    let net = parse_ip(addr)?;
    let v4 = matches!(net, IpAddr::V4(_));
    let max = if v4 { 32 } else { 128 };
    let bits: u32 = match prefix {
        None => max,
        Some(p) => p
            .parse()
            .ok()
            .filter(|b| *b <= max)
            .ok_or_else(|| illegal(format!("Expected a CIDR but got [{block}]")))?,
    };
    // Mapped: an IPv4 block covers the last 32 of the 128 bits.
    let bits = if v4 { bits + 96 } else { bits };
    Ok(prefix_bits_equal(&ip_bytes(ip), &ip_bytes(&net), bits))
}

fn prefix_bits_equal(a: &[u8; 16], b: &[u8; 16], bits: u32) -> bool {
    let x = u128::from_be_bytes(*a);
    let y = u128::from_be_bytes(*b);
    let mask = if bits == 0 {
        0
    } else {
        u128::MAX << (128 - bits)
    };
    x & mask == y & mask
}

fn ip_prefix(call: &mut Call<'_, '_>) -> Resolved {
    call.arity(3, 3)?;
    call.expect(0, is_ip, "ip")?;
    call.expect(1, is_whole, "integer")?;
    call.expect(2, is_whole, "integer")?;
    func_single(DataType::Ip, |v| {
        let Scalar::Ip(ip) = v[0] else {
            return Ok(Value::Null);
        };
        let v4 = v[1].as_i64().unwrap_or(-1);
        let v6 = v[2].as_i64().unwrap_or(-1);
        if !(0..=32).contains(&v4) {
            return Err(illegal(format!(
                "Prefix length v4 must be in range [0, 32], found {v4}"
            )));
        }
        if !(0..=128).contains(&v6) {
            return Err(illegal(format!(
                "Prefix length v6 must be in range [0, 128], found {v6}"
            )));
        }
        let out = match ip {
            IpAddr::V4(a) => {
                let mask = if v4 == 0 { 0 } else { u32::MAX << (32 - v4) };
                IpAddr::V4(Ipv4Addr::from(u32::from(*a) & mask))
            }
            IpAddr::V6(a) => {
                let mask = if v6 == 0 { 0 } else { u128::MAX << (128 - v6) };
                IpAddr::V6(Ipv6Addr::from(u128::from(*a) & mask))
            }
        };
        Ok(one(Scalar::Ip(out)))
    })
}
