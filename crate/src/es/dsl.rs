//! Building query DSL values. `serde_json::json!` expands every object in place (a map, a
//! `to_value` per key); these few non-inlined builders keep the wasm small, where the page pays
//! for each byte on its first load.

use serde_json::{Map, Value};

/// `{key: value}`.
#[inline(never)]
pub fn one(key: &str, value: Value) -> Value {
    let mut m = Map::new();
    m.insert(key.to_string(), value);
    Value::Object(m)
}

/// An object of `pairs`, in order given (keys sort as serde_json's map does).
#[inline(never)]
pub fn obj(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

/// A JSON string.
#[inline(never)]
pub fn s(text: &str) -> Value {
    Value::String(text.to_string())
}

/// `{outer: {field: value}}`: the shape of every leaf query.
pub fn leaf(outer: &str, field: &str, value: Value) -> Value {
    one(outer, one(field, value))
}

/// `{bool: {should: items, minimum_should_match: 1}}`.
pub fn should1(items: Vec<Value>) -> Value {
    one(
        "bool",
        obj(vec![
            ("should", Value::Array(items)),
            ("minimum_should_match", Value::from(1)),
        ]),
    )
}

/// `{bool: {key: value}}`.
pub fn bool1(key: &str, value: Value) -> Value {
    one("bool", one(key, value))
}
