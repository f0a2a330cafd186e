//! Field lookup with Elasticsearch's view of a document: `process.name` addresses
//! `{"process":{"name":…}}`, `{"process.name":…}` and any mix; arrays at any level flatten into
//! the list of values; `null` contributes no value.

use serde_json::{Map, Value};

/// Objects with at most this many keys are scanned once instead of probed once per split…
const SCAN_KEYS: usize = 32;
/// …when the remaining name has at most this many segments.
const SCAN_SPLITS: usize = 8;

/// A field name split once into its dot-separated segments, so lookups do not re-split it per event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath {
    name: String,
    /// Byte offset of the end of each segment in `name`.
    ends: Vec<usize>,
}

impl FieldPath {
    pub fn new(name: &str) -> Self {
        let mut ends: Vec<usize> = name.match_indices('.').map(|(i, _)| i).collect();
        ends.push(name.len());
        FieldPath {
            name: name.to_string(),
            ends,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every leaf value at this path (objects included: they make `exists` true), nulls skipped.
    pub fn values<'a>(&self, event: &'a Value, out: &mut Vec<&'a Value>) {
        self.walk(event, 0, &mut |v, _| out.push(v), &mut None);
    }

    /// The first leaf value, if any; cheaper than collecting them all.
    pub fn first<'a>(&self, event: &'a Value) -> Option<&'a Value> {
        let mut found = None;
        self.walk(
            event,
            0,
            &mut |v, _| {
                if found.is_none() {
                    found = Some(v)
                }
            },
            &mut None,
        );
        found
    }

    /// Whether `f` holds for any leaf value (the same values as [`values`](Self::values)), without
    /// collecting them: the per-event hot path of query evaluation allocates nothing.
    pub fn any_value(&self, event: &Value, mut f: impl FnMut(&Value) -> bool) -> bool {
        let mut found = false;
        self.walk(
            event,
            0,
            &mut |v, _| {
                if !found && f(v) {
                    found = true;
                }
            },
            &mut None,
        );
        found
    }

    /// Values with their concrete paths (`process.args[1]`), for explanations.
    pub fn values_with_paths<'a>(&self, event: &'a Value) -> Vec<(String, &'a Value)> {
        let mut out = Vec::new();
        let mut path = Some(String::new());
        self.walk(
            event,
            0,
            &mut |v, p| out.push((p.unwrap_or_default().to_string(), v)),
            &mut path,
        );
        out
    }

    /// `seg` is the index of the first segment not yet consumed (the start of the remaining name).
    fn walk<'a>(
        &self,
        value: &'a Value,
        seg: usize,
        f: &mut dyn FnMut(&'a Value, Option<&str>),
        path: &mut Option<String>,
    ) {
        match value {
            Value::Null => {}
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.as_ref().map(String::len);
                    if let Some(p) = path.as_mut() {
                        p.push_str(&format!("[{i}]"));
                    }
                    self.walk(item, seg, f, path);
                    if let (Some(p), Some(len)) = (path.as_mut(), len) {
                        p.truncate(len);
                    }
                }
            }
            _ if seg == self.ends.len() => f(value, path.as_deref()),
            Value::Object(map) => self.walk_object(map, seg, f, path),
            _ => {}
        }
    }

    fn walk_object<'a>(
        &self,
        map: &'a Map<String, Value>,
        seg: usize,
        f: &mut dyn FnMut(&'a Value, Option<&str>),
        path: &mut Option<String>,
    ) {
        let start = if seg == 0 { 0 } else { self.ends[seg - 1] + 1 };
        // Try every split: `a.b.c` may be stored as a→b→c, "a.b"→c, a→"b.c" or "a.b.c".
        let splits = self.ends.len() - seg;
        let mut found: [Option<&'a Value>; SCAN_SPLITS] = [None; SCAN_SPLITS];
        if splits <= SCAN_SPLITS && map.len() <= SCAN_KEYS {
            // One pass over a small object's keys is much cheaper than one `get` per split: a
            // key whose length is no split's length is skipped without reading its bytes (a
            // separate allocation, often a cache miss), where `get` compares every key it passes.
            let rest = &self.name.as_bytes()[start..];
            for (k, v) in map {
                let Some(i) = self.ends[seg..].iter().position(|&e| e - start == k.len()) else {
                    continue;
                };
                if &rest[..k.len()] == k.as_bytes() {
                    found[i] = Some(v);
                }
            }
        }
        for next in seg..self.ends.len() {
            let key = &self.name[start..self.ends[next]];
            let child = if splits <= SCAN_SPLITS && map.len() <= SCAN_KEYS {
                found[next - seg]
            } else {
                map.get(key)
            };
            if let Some(child) = child {
                let len = path.as_ref().map(String::len);
                if let Some(p) = path.as_mut() {
                    if !p.is_empty() {
                        p.push('.');
                    }
                    p.push_str(key);
                }
                self.walk(child, next + 1, f, path);
                if let (Some(p), Some(len)) = (path.as_mut(), len) {
                    p.truncate(len);
                }
            }
        }
    }
}

/// All values of `field` in `event`; see [`FieldPath::values`].
pub fn lookup<'a>(event: &'a Value, field: &str) -> Vec<&'a Value> {
    let mut out = Vec::new();
    FieldPath::new(field).values(event, &mut out);
    out
}

/// All values of `field` with their concrete paths; see [`FieldPath::values_with_paths`].
pub fn lookup_paths<'a>(event: &'a Value, field: &str) -> Vec<(String, &'a Value)> {
    FieldPath::new(field).values_with_paths(event)
}

/// Whether sorted field names (as [`fields`] gives them) hold `field` or an object under it.
pub fn has_field(sorted: &[String], field: &str) -> bool {
    let at = sorted.partition_point(|f| f.as_str() < field);
    sorted[at..]
        .iter()
        .take_while(|f| f.starts_with(field))
        .any(|f| f.len() == field.len() || f.as_bytes()[field.len()] == b'.')
}

/// The scalar values anywhere under `v` (objects and arrays opened, nulls skipped).
pub fn flattened_leaves<'v>(v: &'v Value, out: &mut Vec<&'v Value>) {
    match v {
        Value::Object(m) => m.values().for_each(|c| flattened_leaves(c, out)),
        Value::Array(items) => items.iter().for_each(|c| flattened_leaves(c, out)),
        Value::Null => {}
        leaf => out.push(leaf),
    }
}

/// Every leaf field name in the event, dotted (`process.parent.name`), array positions dropped,
/// sorted and deduplicated. Empty objects and nulls give no field.
pub fn fields(event: &Value) -> Vec<String> {
    fn go(v: &Value, prefix: &mut String, out: &mut Vec<String>) {
        match v {
            Value::Null => {}
            Value::Array(items) => items.iter().for_each(|i| go(i, prefix, out)),
            Value::Object(map) => {
                for (k, child) in map {
                    let len = prefix.len();
                    if !prefix.is_empty() {
                        prefix.push('.');
                    }
                    prefix.push_str(k);
                    go(child, prefix, out);
                    prefix.truncate(len);
                }
            }
            _ => out.push(prefix.clone()),
        }
    }
    let mut out = Vec::new();
    go(event, &mut String::new(), &mut out);
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_dotted_and_mixed_keys_are_one_field() {
        for ev in [
            json!({"process": {"parent": {"name": "exim4"}}}),
            json!({"process.parent.name": "exim4"}),
            json!({"process.parent": {"name": "exim4"}}),
            json!({"process": {"parent.name": "exim4"}}),
        ] {
            assert_eq!(
                lookup(&ev, "process.parent.name"),
                [&json!("exim4")],
                "{ev}"
            );
        }
    }

    #[test]
    fn every_split_is_found_in_order_in_small_and_large_objects() {
        // Small objects are scanned once, large ones probed per split: same values, same order
        // (shortest key first), also with empty segments and near-miss keys.
        let mut ev = json!({
            "a": {"b": {"c": 1}, "b.c": 2}, "a.b": {"c": 3}, "a.b.c": 4,
            "a.bc": 9, "ab.c": 9, "a.b.": 9, "": {"x": 5}, "x": {"": {"": 6}}
        });
        let want = [&json!(1), &json!(2), &json!(3), &json!(4)];
        assert_eq!(lookup(&ev, "a.b.c"), want);
        assert_eq!(lookup(&ev, ".x"), [&json!(5)]);
        assert_eq!(lookup(&ev, "x.."), [&json!(6)]);
        for i in 0..40 {
            ev[format!("pad{i}")] = json!(i);
        }
        assert_eq!(lookup(&ev, "a.b.c"), want);
        assert_eq!(lookup(&ev, ".x"), [&json!(5)]);
        let deep = "s.".repeat(12) + "s";
        assert!(lookup(&ev, &deep).is_empty());
    }

    #[test]
    fn arrays_flatten_at_any_level_and_null_is_no_value() {
        let ev = json!({"process": [{"args": ["a", null, ["b"]]}, {"args": "c"}, null]});
        assert_eq!(
            lookup(&ev, "process.args"),
            [&json!("a"), &json!("b"), &json!("c")]
        );
        assert!(lookup(&json!({"a": null}), "a").is_empty());
        assert!(lookup(&json!({"a": []}), "a").is_empty());
        assert_eq!(lookup(&json!({"a": ""}), "a"), [&json!("")]);
    }

    #[test]
    fn paths_name_array_positions() {
        let ev = json!({"process": {"args": ["x", "y"]}});
        let got = lookup_paths(&ev, "process.args");
        assert_eq!(got[1], ("process.args[1]".to_string(), &json!("y")));
    }

    #[test]
    fn scalar_in_the_middle_is_no_value() {
        assert!(lookup(&json!({"a": "x"}), "a.b").is_empty());
    }

    #[test]
    fn fields_lists_leaves() {
        let ev = json!({"a": {"b": 1, "c": [{"d": 2}]}, "e.f": null, "g": "x"});
        assert_eq!(fields(&ev), ["a.b", "a.c.d", "g"]);
    }
}
