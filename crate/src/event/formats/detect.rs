//! Telling the formats apart from the text's first bytes, its first line, and only when those
//! cannot tell (a pretty-printed document), the whole text.

use crate::event::parse::{array_elements, EventError};
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// A JSON object with its values left as raw slices of the text (their places are known). A
/// list, not a map: the objects of a response are small, and a map of raw values was new code
/// in the wasm (a BTreeMap's, measured ~2 KB gzipped).
#[derive(Clone, Default)]
pub(super) struct Obj<'a>(Vec<(String, &'a RawValue)>);

impl<'a> Obj<'a> {
    /// The value of `key` (the last one, as serde_json's own objects keep duplicates).
    pub(super) fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    pub(super) fn contains_key(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }
}

impl<'de> Deserialize<'de> for Obj<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Obj<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Obj<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    out.push(entry);
                }
                Ok(Obj(out))
            }
        }
        d.deserialize_map(V)
    }
}

pub(super) enum Shape<'a> {
    /// NDJSON or an array of events: `event::parse` reads it as before.
    Plain,
    /// An array of search hits (or one pretty-printed hit), with the error that stopped it early.
    HitArray(Vec<&'a RawValue>, Option<EventError>),
    /// One search hit per line.
    HitLines,
    /// A `_search` or `_eql/search` response (maybe wrapped).
    Response(Obj<'a>),
    /// A document that starts like an Elasticsearch response but is not valid JSON.
    Broken(EventError),
}

/// Keys Elasticsearch responses (and their `_async_search` / Inspect wrappers) start with; a
/// document starting with one is reported as a broken response rather than as NDJSON lines.
const RESPONSE_KEYS: &[&str] = &[
    "took",
    "timed_out",
    "_shards",
    "hits",
    "is_partial",
    "is_running",
    "rawResponse",
    "response",
];

/// Keys a search hit starts with (`_index` first, as Elasticsearch writes hits).
const HIT_KEYS: &[&str] = &["_index", "_id", "_source", "_score"];

pub(super) fn obj(raw: &str) -> Option<Obj<'_>> {
    serde_json::from_str(raw).ok()
}

/// A search hit: `_source`, or `fields` beside the hit's `_id`/`_index` (an event has neither).
pub(super) fn is_hit(o: &Obj) -> bool {
    o.contains_key("_source")
        || (o.contains_key("fields") && (o.contains_key("_id") || o.contains_key("_index")))
}

/// A `_search` / `_eql/search` response: `hits` holding `hits`, `events` or `sequences`; or one
/// wrapped in `response` (`_async_search`) or `rawResponse` (Kibana's Inspect → Response).
pub(super) fn is_response(o: &Obj) -> bool {
    if let Some(hits) = o.get("hits").and_then(|h| obj(h.get())) {
        return ["hits", "events", "sequences"]
            .iter()
            .any(|k| hits.contains_key(k));
    }
    ["response", "rawResponse"]
        .iter()
        .filter_map(|k| o.get(k))
        .filter_map(|r| obj(r.get()))
        .any(|inner| inner.contains_key("hits"))
}

pub(super) fn detect(text: &str) -> Shape<'_> {
    let t = text.trim_start();
    match t.as_bytes().first() {
        Some(b'[') => {
            if first_element(t).is_some_and(|o| is_hit(&o)) {
                let (raw, error) = array_elements(text);
                Shape::HitArray(raw, error)
            } else {
                Shape::Plain
            }
        }
        Some(b'{') => detect_object(text, t),
        _ => Shape::Plain,
    }
}

fn detect_object<'a>(text: &'a str, t: &'a str) -> Shape<'a> {
    let first_line = t.lines().next().unwrap_or_default();
    if let Some(o) = obj(first_line) {
        return if is_response(&o) {
            // One compact response (maybe followed by more lines, which is an error).
            match serde_json::from_str::<Obj>(text) {
                Ok(top) => Shape::Response(top),
                Err(e) => Shape::Broken(EventError::from_json(e.line(), &e)),
            }
        } else if is_hit(&o) {
            Shape::HitLines
        } else {
            Shape::Plain
        };
    }
    match serde_json::from_str::<Obj>(text) {
        Ok(top) if is_response(&top) => Shape::Response(top),
        Ok(top) if is_hit(&top) => match serde_json::from_str::<&RawValue>(text) {
            Ok(raw) => Shape::HitArray(vec![raw], None),
            Err(_) => Shape::Plain,
        },
        Err(e) if first_key(t).is_some_and(|k| RESPONSE_KEYS.contains(&k.as_str())) => {
            Shape::Broken(EventError::from_json(e.line(), &e))
        }
        _ => Shape::Plain,
    }
}

/// The first element of the array `t` (which starts with `[`), when it is an object.
fn first_element(t: &str) -> Option<Obj<'_>> {
    let rest = t.get(1..)?;
    let raw = serde_json::Deserializer::from_str(rest)
        .into_iter::<&RawValue>()
        .next()?
        .ok()?;
    obj(raw.get())
}

/// The first key of the object `t` (which starts with `{`).
fn first_key(t: &str) -> Option<String> {
    let rest = t.get(1..)?.trim_start();
    serde_json::Deserializer::from_str(rest)
        .into_iter::<String>()
        .next()?
        .ok()
}

/// Whether an input that starts with `head` (its first bytes, as buffered) streams as NDJSON:
/// not an array, not a pretty-printed document, and its first line is neither a response nor a
/// hit. Anything else is read whole and given to [`super::read_events`].
pub fn streams_as_ndjson(head: &[u8]) -> bool {
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = head.get(start..).unwrap_or_default();
    match head.first() {
        Some(b'[') => false,
        Some(b'{') => {
            let end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
            let line = head.get(..end).unwrap_or_default();
            let line = std::str::from_utf8(line).unwrap_or_default();
            // The buffer may end inside a character: its valid part is enough for a first key.
            let text = match std::str::from_utf8(head) {
                Ok(s) => s,
                Err(e) => std::str::from_utf8(head.get(..e.valid_up_to()).unwrap_or_default())
                    .unwrap_or_default(),
            };
            match obj(line) {
                Some(o) => !is_response(&o) && !is_hit(&o),
                // A pretty-printed document, or a bad first line of NDJSON (which streams).
                None => !first_key(text).is_some_and(|k| {
                    RESPONSE_KEYS.contains(&k.as_str()) || HIT_KEYS.contains(&k.as_str())
                }),
            }
        }
        _ => true,
    }
}
