//! `_search` and `_eql/search` responses: the hits, in the order Elasticsearch returned them.

use super::detect::{obj, Obj};
use super::error_at;
use super::hits::{plural, HitReader};
use super::offset_in;
use crate::diagnostic::EventErrorKind;
use crate::event::parse::{Events, Format};
use serde_json::value::RawValue;

/// The response inside `_async_search`'s `response` or Kibana Inspect's `rawResponse`.
fn unwrap<'a>(top: &Obj<'a>) -> Option<Obj<'a>> {
    if top.contains_key("hits") {
        return Some(top.clone());
    }
    ["rawResponse", "response"]
        .iter()
        .filter_map(|k| top.get(k))
        .filter_map(|r| obj(r.get()))
        .find(|inner| inner.contains_key("hits"))
}

/// The array `raw` (at `what` in the response), or an error saying it is not one.
fn array<'a>(
    text: &str,
    raw: &'a RawValue,
    what: &str,
    r: &mut HitReader,
) -> Option<Vec<&'a RawValue>> {
    match serde_json::from_str::<Vec<&RawValue>>(raw.get()) {
        Ok(a) => Some(a),
        Err(_) => {
            let at = offset_in(text, raw.get());
            r.out.errors.push(error_at(
                text,
                at,
                EventErrorKind::InvalidResponse,
                format!("{what} must be an array of hits"),
            ));
            None
        }
    }
}

/// `hits.total`: a number (older Elasticsearch) or `{value, relation}`; with "gte" a lower bound.
fn total(hits: &Obj) -> Option<String> {
    let raw = hits.get("total")?;
    if let Ok(n) = serde_json::from_str::<u64>(raw.get()) {
        return Some(n.to_string());
    }
    let t = obj(raw.get())?;
    let n = serde_json::from_str::<u64>(t.get("value")?.get()).ok()?;
    let gte = t.get("relation").is_some_and(|r| r.get() == "\"gte\"");
    Some(if gte {
        format!("at least {n}")
    } else {
        n.to_string()
    })
}

pub(super) fn read(text: &str, top: &Obj) -> Events {
    let Some(top) = unwrap(top) else {
        return Events::default();
    };
    let Some(hits) = top.get("hits").and_then(|h| obj(h.get())) else {
        let mut r = HitReader::new(text, Format::Search);
        let at = top.get("hits").map_or(0, |h| offset_in(text, h.get()));
        r.out.errors.push(error_at(
            text,
            at,
            EventErrorKind::InvalidResponse,
            "hits must be an object".into(),
        ));
        return r.out;
    };
    if let Some(list) = hits.get("hits") {
        let mut r = HitReader::new(text, Format::Search);
        let list = array(text, list, "hits.hits", &mut r).unwrap_or_default();
        for (i, hit) in list.iter().enumerate() {
            r.hit(hit, i + 1, None);
        }
        let of = match total(&hits) {
            Some(t) if t != list.len().to_string() => format!(" (of {t} matching documents)"),
            _ => String::new(),
        };
        return r.finish(format!(
            "Elasticsearch _search response: {}{of}, events read from hits.hits[]._source",
            plural(list.len(), "hit")
        ));
    }
    let mut r = HitReader::new(text, Format::EqlSearch);
    if let Some(list) = hits.get("events") {
        let list = array(text, list, "hits.events", &mut r).unwrap_or_default();
        for (i, hit) in list.iter().enumerate() {
            r.hit(hit, i + 1, None);
        }
        return r.finish(format!(
            "Elasticsearch _eql/search response: {}, events read from hits.events[]._source",
            plural(list.len(), "event")
        ));
    }
    let sequences = hits
        .get("sequences")
        .and_then(|s| array(text, s, "hits.sequences", &mut r))
        .unwrap_or_default();
    for (s, seq) in sequences.iter().enumerate() {
        let events = obj(seq.get()).and_then(|o| o.get("events"));
        let Some(events) = events else {
            let at = offset_in(text, seq.get());
            let message = format!("sequence {} has no events array", s + 1);
            r.out
                .errors
                .push(error_at(text, at, EventErrorKind::InvalidResponse, message));
            continue;
        };
        let what = format!("hits.sequences[{s}].events");
        for (i, hit) in array(text, events, &what, &mut r)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            r.hit(hit, i + 1, Some(s + 1));
        }
    }
    let n = r.out.events.len();
    r.finish(format!(
        "Elasticsearch _eql/search response: {}, {} read from hits.sequences[].events[]._source in sequence order",
        plural(sequences.len(), "sequence"),
        plural(n, "event"),
    ))
}
