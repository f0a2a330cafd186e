//! JSON_EXTRACT(json, path): the value at a path (`a.b[0]`, `$.a`, `['key.with.dots']`) of a
//! JSON text, as keyword: a string as itself, anything else as compact JSON in source order.
//! A duplicated key resolves to its first occurrence, as Elasticsearch's streaming parser does.

use super::sig::{func_single, illegal, is_string, string, Call, Resolved};
use super::Failure;
use crate::esql::value::{DataType, Value};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// A JSON document that keeps keys in order and duplicates as written.
enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            entries.push((k, v));
        }
        Ok(Json::Object(entries))
    }
}

impl Json {
    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(&n.to_string()),
            Json::Str(s) => out.push_str(&serde_json::Value::from(s.as_str()).to_string()),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::from(k.as_str()).to_string());
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

enum Step {
    Key(String),
    Index(usize),
}

/// `$`, `a.b`, `a[0]`, `['a.b'].c`, `$[1].name`.
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let p = path.trim();
    let p = p.strip_prefix('$').unwrap_or(p);
    let chars: Vec<char> = p.chars().collect();
    let mut steps = Vec::new();
    let mut i = 0;
    let mut key = String::new();
    let flush = |key: &mut String, steps: &mut Vec<Step>| {
        if !key.is_empty() {
            steps.push(Step::Key(std::mem::take(key)));
        }
    };
    while i < chars.len() {
        match chars[i] {
            '.' => {
                flush(&mut key, &mut steps);
                i += 1;
            }
            '[' => {
                flush(&mut key, &mut steps);
                let close = chars[i..].iter().position(|c| *c == ']')? + i;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner = inner.trim();
                if let Some(quoted) = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                {
                    steps.push(Step::Key(quoted.to_string()));
                } else {
                    steps.push(Step::Index(inner.parse().ok()?));
                }
                i = close + 1;
            }
            c => {
                key.push(c);
                i += 1;
            }
        }
    }
    flush(&mut key, &mut steps);
    Some(steps)
}

pub(crate) fn extract(json: &str, path: &str) -> Result<Value, Failure> {
    let doc: Json = serde_json::from_str(json).map_err(|_| illegal("invalid JSON input"))?;
    let steps = parse_path(path).ok_or_else(|| illegal(format!("invalid path [{path}]")))?;
    let missing = || illegal(format!("path [{path}] does not exist"));
    let mut at = &doc;
    for step in &steps {
        at = match (step, at) {
            (Step::Key(k), Json::Object(entries)) => entries
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v)
                .ok_or_else(missing)?,
            (Step::Index(n), Json::Array(items)) => items
                .get(*n)
                .ok_or_else(|| illegal("array index out of bounds"))?,
            _ => return Err(missing()),
        };
    }
    Ok(match at {
        Json::Null => Value::Null,
        Json::Str(s) => string(s.as_str()),
        other => {
            let mut out = String::new();
            other.write(&mut out);
            string(out)
        }
    })
}

pub(crate) fn resolve(name: &str, call: &mut Call<'_, '_>) -> Option<Resolved> {
    if name != "json_extract" {
        return None;
    }
    Some((|| {
        call.arity(2, 2)?;
        call.expect(0, is_string, "string")?;
        call.expect(1, is_string, "string")?;
        func_single(DataType::Keyword, |v| {
            extract(
                v[0].as_str().unwrap_or_default(),
                v[1].as_str().unwrap_or_default(),
            )
        })
    })())
}
