//! EQL's values during evaluation and how two of them compare, with Elasticsearch's rules:
//! numbers across types, strings by bytes, booleans against `"true"`/`"false"`, IPs by address.

use super::ast::CmpOp;
use crate::pattern::cidr::{ip_key, parse_ip};
use serde_json::Value;
use std::cmp::Ordering;

/// A value during evaluation; `Null` is EQL's null (a missing field, or an undefined result).
#[derive(Clone, Debug, PartialEq)]
pub enum EqlValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// Every value of a multi-valued field.
    Many(Vec<EqlValue>),
}

impl EqlValue {
    pub fn is_null(&self) -> bool {
        matches!(self, EqlValue::Null)
    }

    /// JSON form (for join keys and explanations).
    pub fn to_json(&self) -> Value {
        match self {
            EqlValue::Null => Value::Null,
            EqlValue::Bool(b) => Value::Bool(*b),
            EqlValue::Int(i) => Value::from(*i),
            EqlValue::Float(f) => Value::from(*f),
            EqlValue::Str(s) => Value::String(s.clone()),
            EqlValue::Many(vs) => Value::Array(vs.iter().map(EqlValue::to_json).collect()),
        }
    }

    /// The single value a script sees: Elasticsearch scripts read the first doc value, and doc
    /// values are sorted (numbers ascending, strings by bytes).
    pub(super) fn scalar(self) -> EqlValue {
        match self {
            EqlValue::Many(vs) => vs.into_iter().min_by(sort_order).unwrap_or(EqlValue::Null),
            v => v,
        }
    }
}

fn sort_order(a: &EqlValue, b: &EqlValue) -> Ordering {
    compare_values(a, b).unwrap_or_else(|| rank(a).cmp(&rank(b)))
}

fn rank(v: &EqlValue) -> u8 {
    match v {
        EqlValue::Null => 0,
        EqlValue::Bool(_) => 1,
        EqlValue::Int(_) | EqlValue::Float(_) => 2,
        EqlValue::Str(_) => 3,
        EqlValue::Many(_) => 4,
    }
}

fn num_of(v: &EqlValue) -> Option<f64> {
    match v {
        EqlValue::Int(i) => Some(*i as f64),
        EqlValue::Float(f) => Some(*f),
        EqlValue::Str(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// Ordering of two single values; `None` when they are not comparable (a string that is not a
/// number against a number, a boolean against a number, …).
pub fn compare_values(a: &EqlValue, b: &EqlValue) -> Option<Ordering> {
    use EqlValue::*;
    match (a, b) {
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Str(x), Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Bool(x), Str(s)) | (Str(s), Bool(x)) => {
            let y = match s.as_str() {
                "true" => true,
                "false" => false,
                _ => return None,
            };
            let o = x.cmp(&y);
            Some(if matches!(a, Bool(_)) { o } else { o.reverse() })
        }
        (Int(_) | Float(_) | Str(_), Int(_) | Float(_) | Str(_)) => {
            num_of(a)?.partial_cmp(&num_of(b)?)
        }
        _ => None,
    }
}

pub(super) fn values_equal(a: &EqlValue, b: &EqlValue, ci: bool) -> bool {
    if ci {
        if let (EqlValue::Str(x), EqlValue::Str(y)) = (a, b) {
            return x.to_lowercase() == y.to_lowercase();
        }
    }
    compare_values(a, b) == Some(Ordering::Equal)
}

/// On an `ip` field a CIDR constant matches the addresses inside it, as Elasticsearch's
/// `IpFieldMapper.termQuery` reads `10.0.0.0/8` (EQL `==` and `in` alike; KQL does the same).
pub(super) fn ip_equal(a: &EqlValue, b: &EqlValue) -> bool {
    match (a, b) {
        (EqlValue::Str(x), EqlValue::Str(y)) if y.contains('/') => {
            crate::pattern::cidr::Cidr::parse(y).is_some_and(|c| c.contains_str(x))
        }
        (EqlValue::Str(x), EqlValue::Str(y)) => match (parse_ip(x), parse_ip(y)) {
            (Some(p), Some(q)) => p == q,
            _ => x == y,
        },
        _ => values_equal(a, b, false),
    }
}

/// `a OP b` for single values; incomparable values are unequal and unordered.
pub(super) fn cmp_holds(op: CmpOp, a: &EqlValue, b: &EqlValue, ip: bool) -> bool {
    if ip && matches!(op, CmpOp::Eq | CmpOp::Ne) {
        return ip_equal(a, b) == (op == CmpOp::Eq);
    }
    // `<`, `<=`, `>`, `>=` on an ip field are range queries over addresses (IPv4 inside the
    // IPv6 space, as Lucene's InetAddressPoint orders them), not over strings.
    if ip {
        if let (EqlValue::Str(x), EqlValue::Str(y)) = (a, b) {
            if let (Some(p), Some(q)) = (ip_key(x), ip_key(y)) {
                return match op {
                    CmpOp::Lt => p < q,
                    CmpOp::Le => p <= q,
                    CmpOp::Gt => p > q,
                    CmpOp::Ge => p >= q,
                    CmpOp::Eq => p == q,
                    CmpOp::Ne => p != q,
                };
            }
        }
    }
    match compare_values(a, b) {
        Some(o) => match op {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
        },
        None => op == CmpOp::Ne,
    }
}
