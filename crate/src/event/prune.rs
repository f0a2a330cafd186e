//! Reading only the part of an event a rule looks at. serde_json still scans every byte of the
//! line (it must, to find where values end), but what no needed field lies under is skipped
//! without building it: no strings, maps or vectors allocated for it. Whatever is kept is the
//! JSON as written, so field lookups (dotted, nested and mixed keys, arrays) see exactly what a
//! full parse would give them for the needed fields.

use super::parse::EventError;
use crate::diagnostic::EventErrorKind;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// The dotted paths a rule reads, as a tree of path segments. A key path is kept when it is
/// one of them, lies under one (the whole value is kept), or leads to one (kept, with only the
/// keys that still lead to a needed path).
#[derive(Clone, Debug, Default)]
pub struct Needed {
    paths: Vec<String>,
    root: Node,
}

#[derive(Clone, Debug, Default)]
struct Node {
    /// This path is needed: everything under it is kept.
    whole: bool,
    children: Vec<(String, Node)>,
}

/// What to do with the value at a key path.
#[derive(Clone, Copy)]
enum Keep<'n> {
    All,
    /// An ancestor of needed paths: objects keep the keys that lead on; scalars are kept (a
    /// multi-field such as `process.name.text` reads its parent's value).
    Toward(&'n Node),
    Skip,
}

impl Needed {
    pub fn new<I: IntoIterator<Item = String>>(paths: I) -> Self {
        let mut paths: Vec<String> = paths.into_iter().filter(|p| !p.is_empty()).collect();
        paths.sort();
        paths.dedup();
        let mut root = Node::default();
        for p in &paths {
            let mut node = &mut root;
            for seg in p.split('.') {
                let at = match node.children.iter().position(|(s, _)| s == seg) {
                    Some(i) => i,
                    None => {
                        node.children.push((seg.to_string(), Node::default()));
                        node.children.len() - 1
                    }
                };
                node = &mut node.children[at].1;
            }
            node.whole = true;
        }
        Needed { paths, root }
    }

    pub fn paths(&self) -> &[String] {
        &self.paths
    }
}

impl Node {
    /// What to do with the value of `key` in the object at this node. A dotted key walks one
    /// segment per dot, as field lookups join keys with dots.
    fn keep<'n>(&'n self, key: &str) -> Keep<'n> {
        let mut node = self;
        // Bytes, not `str::split`: this runs for every key of every event.
        for seg in key.as_bytes().split(|&b| b == b'.') {
            match node.children.iter().find(|(s, _)| s.as_bytes() == seg) {
                Some((_, child)) if child.whole => return Keep::All,
                Some((_, child)) => node = child,
                None => return Keep::Skip,
            }
        }
        Keep::Toward(node)
    }
}

/// [`super::parse::parse_line`] keeping only what `needed` names.
pub fn parse_line_pruned(
    line: &str,
    line_no: usize,
    needed: &Needed,
) -> Result<Option<Value>, EventError> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    let mut de = serde_json::Deserializer::from_str(line);
    let seed = Pruned {
        keep: Keep::Toward(&needed.root),
    };
    let value = seed
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| EventError::from_json(line_no, &e))?;
    match value {
        Some(v @ Value::Object(_)) => Ok(Some(v)),
        _ => Err(EventError {
            kind: EventErrorKind::NotAnObject,
            line: line_no,
            column: 1,
            message: "an event must be a JSON object".into(),
        }),
    }
}

/// An object key, borrowed from the line when it has no escapes (skipped keys cost no
/// allocation).
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A value to read as `keep` says; `None` when skipped.
struct Pruned<'n> {
    keep: Keep<'n>,
}

impl<'de> DeserializeSeed<'de> for Pruned<'_> {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        match self.keep {
            Keep::Skip => <IgnoredAny as serde::Deserialize>::deserialize(d).map(|_| None),
            Keep::All => serde::Deserialize::deserialize(d).map(Some),
            Keep::Toward(_) => d.deserialize_any(self),
        }
    }
}

impl<'de> Visitor<'de> for Pruned<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(
            serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
        ))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Value::String(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Some(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Some(Value::Null))
    }

    /// Array elements continue the same key path (ES flattens arrays of objects).
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Pruned { keep: self.keep })? {
            out.extend(v);
        }
        Ok(Some(Value::Array(out)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        let Keep::Toward(node) = self.keep else {
            // Not reached: kept-whole and skipped values are not visited.
            return Ok(None);
        };
        while let Some(Key(key)) = map.next_key::<Key>()? {
            let keep = node.keep(&key);
            if let Keep::Skip = keep {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            if let Some(v) = map.next_value_seed(Pruned { keep })? {
                out.insert(key.into_owned(), v);
            }
        }
        Ok(Some(Value::Object(out)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::lookup::FieldPath;
    use crate::event::parse::parse_line;
    use serde_json::json;

    fn pruned(line: &str, paths: &[&str]) -> Value {
        let needed = Needed::new(paths.iter().map(|p| p.to_string()));
        parse_line_pruned(line, 1, &needed)
            .expect("parses")
            .expect("an event")
    }

    #[test]
    fn keeps_needed_paths_through_nested_dotted_and_mixed_keys() {
        let line = r#"{"process":{"name":"a","pid":1,"parent":{"name":"p","args":["x"]}},"process.parent.name":"q","host.os":{"type":"linux","name":"d"},"big":{"deep":[1,2,{"x":"y"}]},"user":[{"name":"u","id":1},{"name":"v"}]}"#;
        let v = pruned(line, &["process.parent.name", "host.os.type", "user.name"]);
        assert_eq!(
            v,
            json!({"process":{"parent":{"name":"p"}},"process.parent.name":"q","host.os":{"type":"linux"},"user":[{"name":"u"},{"name":"v"}]})
        );
        // Lookups of the needed paths see what a full parse shows them.
        let full = parse_line(line, 1).expect("parses").expect("event");
        for p in [
            "process.parent.name",
            "host.os.type",
            "user.name",
            "process.name",
        ] {
            let path = FieldPath::new(p);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            path.values(&v, &mut a);
            path.values(&full, &mut b);
            if p == "process.name" {
                assert!(a.is_empty());
            } else {
                assert_eq!(a, b, "{p}");
            }
        }
    }

    #[test]
    fn a_needed_object_is_kept_whole_and_ancestors_keep_scalars() {
        let v = pruned(
            r#"{"process":{"name":"a","args":["b"]},"x":1}"#,
            &["process", "process.name.text"],
        );
        assert_eq!(v, json!({"process":{"name":"a","args":["b"]}}));
        let v = pruned(r#"{"process":{"name":"a"},"x":1}"#, &["process.name.text"]);
        assert_eq!(v, json!({"process":{"name":"a"}}));
    }

    #[test]
    fn errors_are_the_same_as_a_full_parse() {
        let needed = Needed::new(["a".to_string()]);
        for bad in [r#"{"a": oops}"#, r#"{"b": [1, 2"#, "[1]", r#"{"a":1} x"#] {
            let a = parse_line_pruned(bad, 7, &needed).expect_err("bad");
            let b = parse_line(bad, 7).expect_err("bad");
            assert_eq!(
                (a.kind, a.line, a.column),
                (b.kind, b.line, b.column),
                "{bad}"
            );
        }
    }
}
