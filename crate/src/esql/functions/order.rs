//! How ES|QL orders values of one type (MV_SORT, MV_MIN/MV_MAX, MIN/MAX, TOP, GREATEST): numbers
//! by value (any mix of numeric types), strings by UTF-8 bytes, ips as 16-byte IPv6 addresses,
//! versions by their numeric parts, booleans false before true.

use crate::esql::value::Scalar;
use std::cmp::Ordering;
use std::net::IpAddr;

/// `None` for values of types that do not compare (a string and a number).
pub fn compare(a: &Scalar, b: &Scalar) -> Option<Ordering> {
    use Scalar::*;
    match (a, b) {
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Str(x), Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Version(x), Version(y)) => Some(compare_versions(x, y)),
        (Ip(x), Ip(y)) => Some(ip_bytes(x).cmp(&ip_bytes(y))),
        (Date(x), Date(y)) | (DateNanos(x), DateNanos(y)) => Some(x.cmp(y)),
        (Date(ms), DateNanos(ns)) => Some(
            i128::from(*ms)
                .saturating_mul(1_000_000)
                .cmp(&i128::from(*ns)),
        ),
        (DateNanos(ns), Date(ms)) => {
            Some(i128::from(*ns).cmp(&i128::from(*ms).saturating_mul(1_000_000)))
        }
        (Int(_) | Long(_) | ULong(_), Int(_) | Long(_) | ULong(_)) => {
            Some(whole(a)?.cmp(&whole(b)?))
        }
        (Double(x), _) => b.as_f64().map(|y| x.total_cmp(&y)),
        (_, Double(y)) => a.as_f64().map(|x| x.total_cmp(y)),
        _ => None,
    }
}

/// Total order for sorting values of one column (incomparable pairs count as equal).
pub fn sort_order(a: &Scalar, b: &Scalar) -> Ordering {
    compare(a, b).unwrap_or(Ordering::Equal)
}

fn whole(s: &Scalar) -> Option<i128> {
    match *s {
        Scalar::Int(v) => Some(i128::from(v)),
        Scalar::Long(v) => Some(i128::from(v)),
        Scalar::ULong(v) => Some(i128::from(v)),
        _ => None,
    }
}

/// Elasticsearch stores every ip as 16 bytes, IPv4 mapped into IPv6 (`::ffff:a.b.c.d`).
pub(crate) fn ip_bytes(ip: &IpAddr) -> [u8; 16] {
    match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        IpAddr::V6(v6) => v6.octets(),
    }
}

/// Versions compare part by part on `.`: numeric parts as numbers and before alphanumeric
/// ones; a pre-release (`1.0.0-beta`) sorts before its release.
fn compare_versions(a: &str, b: &str) -> Ordering {
    let split = |v: &str| -> (String, Option<String>) {
        let (main, pre) = match v.split_once('-') {
            Some((m, p)) => (m.to_string(), Some(p.to_string())),
            None => (v.to_string(), None),
        };
        (main.split('+').next().unwrap_or_default().to_string(), pre)
    };
    let (am, ap) = split(a);
    let (bm, bp) = split(b);
    match compare_parts(&am, &bm) {
        Ordering::Equal => match (ap, bp) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => compare_parts(&x, &y),
        },
        other => other,
    }
}

fn compare_parts(a: &str, b: &str) -> Ordering {
    let mut xs = a.split('.');
    let mut ys = b.split('.');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(p), Ok(q)) => p.cmp(&q),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}
