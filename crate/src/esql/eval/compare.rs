//! Ordering and equality of values: numbers across integer, long, unsigned_long and double;
//! strings by UTF-8 bytes (`==` is case-sensitive); dates with date_nanos; ips as Elasticsearch
//! orders them (IPv4 as IPv4-mapped IPv6); versions by their numeric parts.

use crate::esql::value::Scalar;
use std::cmp::Ordering;
use std::net::IpAddr;

fn ip_bytes(ip: &IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// Versions compare part by part: numeric parts as numbers, before textual ones.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let split = |s: &str| -> Vec<String> { s.split(['.', '-', '+']).map(str::to_string).collect() };
    let (pa, pb) = (split(a), split(b));
    for (x, y) in pa.iter().zip(pb.iter()) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(m), Ok(n)) => m.cmp(&n),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    pa.len().cmp(&pb.len())
}

/// The order of two comparable values; `None` when they are not comparable.
pub fn compare(a: &Scalar, b: &Scalar) -> Option<Ordering> {
    use Scalar as S;
    let int = |s: &Scalar| -> Option<i128> {
        match s {
            S::Int(i) => Some((*i).into()),
            S::Long(i) => Some((*i).into()),
            S::ULong(u) => Some((*u).into()),
            _ => None,
        }
    };
    let float = |s: &Scalar| -> Option<f64> {
        match s {
            S::Int(i) => Some((*i).into()),
            S::Long(i) => Some(*i as f64),
            S::ULong(u) => Some(*u as f64),
            S::Double(d) => Some(*d),
            _ => None,
        }
    };
    if let (Some(x), Some(y)) = (int(a), int(b)) {
        return Some(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (float(a), float(b)) {
        // Java's Double.compare: -0.0 < 0.0, NaN above everything.
        return Some(x.total_cmp(&y));
    }
    match (a, b) {
        (S::Str(x), S::Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (S::Bool(x), S::Bool(y)) => Some(x.cmp(y)),
        (S::Date(x), S::Date(y)) | (S::DateNanos(x), S::DateNanos(y)) => Some(x.cmp(y)),
        (S::Date(x), S::DateNanos(y)) => Some((i128::from(*x) * 1_000_000).cmp(&i128::from(*y))),
        (S::DateNanos(x), S::Date(y)) => Some(i128::from(*x).cmp(&(i128::from(*y) * 1_000_000))),
        (S::Ip(x), S::Ip(y)) => Some(ip_bytes(x).cmp(&ip_bytes(y))),
        (S::Version(x), S::Version(y)) => Some(compare_versions(x, y)),
        (S::TimeDuration(x), S::TimeDuration(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// A total order for sorting (incomparable values by their kind).
pub fn total_order(a: &Scalar, b: &Scalar) -> Ordering {
    compare(a, b).unwrap_or_else(|| kind(a).cmp(&kind(b)))
}

fn kind(s: &Scalar) -> u8 {
    match s {
        Scalar::Bool(_) => 0,
        Scalar::Int(_) | Scalar::Long(_) | Scalar::ULong(_) | Scalar::Double(_) => 1,
        Scalar::Str(_) => 2,
        Scalar::Date(_) | Scalar::DateNanos(_) => 3,
        Scalar::Ip(_) => 4,
        Scalar::Version(_) => 5,
        Scalar::DatePeriod { .. } => 6,
        Scalar::TimeDuration(_) => 7,
    }
}
