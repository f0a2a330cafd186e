//! How `FROM` sees JSON events: dotted and nested keys flattened to dotted column names, arrays
//! (and arrays of objects) to multi-values, types from the declared index columns, the user's
//! mappings and ECS (`event::ecs`), else from the JSON values. Multi-values come back as
//! Elasticsearch reads them from doc values: keyword, ip and version sorted and de-duplicated,
//! numbers, dates and booleans sorted; text in source order.

use super::value::{DataType, Scalar, Value};
use crate::event::ecs::{self, FieldType};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Top-level keys Elasticsearch keeps out of `_source` (`METADATA` reads them).
pub const METADATA: [&str; 3] = ["_id", "_index", "_version"];

/// The leaves of an event by dotted name, in key order (nulls dropped: a missing value).
pub fn flatten(event: &Json) -> BTreeMap<String, Vec<&Json>> {
    fn walk<'a>(v: &'a Json, prefix: &str, out: &mut BTreeMap<String, Vec<&'a Json>>) {
        match v {
            Json::Object(map) => {
                for (k, child) in map {
                    if prefix.is_empty() && METADATA.contains(&k.as_str()) {
                        continue;
                    }
                    let name = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(child, &name, out);
                }
            }
            Json::Array(items) => {
                for item in items {
                    walk(item, prefix, out);
                }
            }
            Json::Null => {}
            leaf => out.entry(prefix.to_string()).or_default().push(leaf),
        }
    }
    let mut out = BTreeMap::new();
    walk(event, "", &mut out);
    out
}

/// ES|QL's type for a mapped field type (`None`: a type ES|QL reads as unsupported).
pub fn from_field_type(t: FieldType) -> DataType {
    use FieldType as F;
    match t {
        F::Keyword | F::ConstantKeyword | F::Wildcard => DataType::Keyword,
        F::Text | F::MatchOnlyText => DataType::Text,
        F::Long => DataType::Long,
        F::Integer | F::Short | F::Byte => DataType::Integer,
        F::UnsignedLong => DataType::UnsignedLong,
        F::Float | F::HalfFloat | F::Double | F::ScaledFloat => DataType::Double,
        F::Boolean => DataType::Boolean,
        F::Ip => DataType::Ip,
        F::Date => DataType::Date,
        F::DateNanos => DataType::DateNanos,
        F::Version => DataType::Version,
        F::Object | F::Nested | F::Flattened | F::GeoPoint => DataType::Unsupported,
    }
}

/// The type of a column no index declares: the mappings' or ECS's when they know the field,
/// else what its JSON values are (long for integers, double, boolean, keyword).
pub fn infer_type(name: &str, values: &[&Json]) -> DataType {
    let info = ecs::field_info(name);
    if info.known {
        return from_field_type(info.ty);
    }
    let mut ty = DataType::Null;
    for v in values {
        let t = match v {
            Json::Bool(_) => DataType::Boolean,
            Json::Number(n) if n.is_i64() => DataType::Long,
            Json::Number(n) if n.is_u64() => DataType::UnsignedLong,
            Json::Number(_) => DataType::Double,
            _ => DataType::Keyword,
        };
        ty = match (ty, t) {
            (DataType::Null, t) => t,
            (a, b) if a == b => a,
            (a, b) if a.is_numeric() && b.is_numeric() => DataType::Double,
            _ => DataType::Keyword,
        };
    }
    if ty == DataType::Null {
        DataType::Keyword
    } else {
        ty
    }
}

/// A cell of type `ty` from JSON leaves; values that do not convert are dropped, as a
/// mapping with `ignore_malformed` would.
pub fn to_value(values: &[&Json], ty: DataType) -> Value {
    let mut out: Vec<Scalar> = values.iter().filter_map(|v| scalar(v, ty)).collect();
    match ty {
        DataType::Text | DataType::Unsupported => {}
        DataType::Keyword | DataType::Ip | DataType::Version => {
            out.sort_by(super::eval::compare::total_order);
            out.dedup();
        }
        _ => out.sort_by(super::eval::compare::total_order),
    }
    Value::from_vec(out)
}

fn json_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One JSON leaf as a value of type `ty`.
pub fn scalar(v: &Json, ty: DataType) -> Option<Scalar> {
    use super::eval::convert;
    match (ty, v) {
        (DataType::Keyword | DataType::Text, v) => Some(Scalar::Str(json_text(v).into())),
        (DataType::Boolean, Json::Bool(b)) => Some(Scalar::Bool(*b)),
        (DataType::Integer, Json::Number(n)) => n
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .map(Scalar::Int),
        (DataType::Long, Json::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map(Scalar::Long),
        (DataType::UnsignedLong, Json::Number(n)) => n.as_u64().map(Scalar::ULong),
        (DataType::Double, Json::Number(n)) => n.as_f64().map(Scalar::Double),
        (DataType::Date, Json::Number(n)) => n.as_i64().map(Scalar::Date),
        (DataType::DateNanos, Json::Number(n)) => n
            .as_i64()
            .map(|ms| Scalar::DateNanos(ms.saturating_mul(1_000_000))),
        (_, Json::String(s)) => convert::from_string(s, ty).ok(),
        _ => None,
    }
}
