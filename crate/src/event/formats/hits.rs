//! Search hits → events: a hit's `_source`, else its `fields`, with the hit it came from.

use super::detect::{obj, Obj};
use super::{error_at, offset_in, Lines};
use crate::diagnostic::{EventErrorKind, Span};
use crate::event::parse::{EventError, Events, Format, Origin};
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::HashSet;

/// Reads hits one by one into events, counting what the note reports.
pub(super) struct HitReader<'a> {
    text: &'a str,
    lines: Lines<'a>,
    pub(super) out: Events,
    /// Hits read from `fields` (no `_source`).
    from_fields: usize,
    /// EQL sequence events marked `missing` (a missing event of the sequence: no document).
    missing: usize,
    /// Events of EQL sequences already read from an earlier sequence (same `_index` and `_id`).
    repeated: usize,
    /// `_index` NUL `_id` of the sequence events read.
    seen: HashSet<String>,
}

fn string(o: &Obj, key: &str) -> Option<String> {
    o.get(key)
        .and_then(|r| serde_json::from_str::<String>(r.get()).ok())
}

impl<'a> HitReader<'a> {
    pub(super) fn new(text: &'a str, format: Format) -> Self {
        HitReader {
            text,
            lines: Lines::new(text),
            out: Events {
                format,
                ..Events::default()
            },
            from_fields: 0,
            missing: 0,
            repeated: 0,
            seen: HashSet::new(),
        }
    }

    fn error(&mut self, at: usize, kind: EventErrorKind, message: String) {
        self.out.errors.push(error_at(self.text, at, kind, message));
    }

    /// Read hit number `hit` (1-based; within sequence `sequence` for EQL sequences).
    pub(super) fn hit(&mut self, raw: &RawValue, hit: usize, sequence: Option<usize>) {
        let at = offset_in(self.text, raw.get());
        let Some(o) = obj(raw.get()) else {
            self.error(
                at,
                EventErrorKind::NotAnObject,
                format!("hit {hit} is not a JSON object"),
            );
            return;
        };
        if o.get("missing").is_some_and(|m| m.get() == "true") {
            self.missing += 1;
            return;
        }
        let id = string(&o, "_id");
        let index = string(&o, "_index");
        if let (Some(_), Some(i), Some(x)) = (sequence, &index, &id) {
            if !self.seen.insert(format!("{i}\u{0}{x}")) {
                self.repeated += 1;
                return;
            }
        }
        let source = o.get("_source").filter(|s| s.get() != "null");
        let (doc, from_fields) = match (source, o.get("fields")) {
            (Some(s), _) => (s, false),
            (None, Some(f)) => (f, true),
            (None, None) => {
                let message = format!("hit {hit} has neither _source nor fields: no event to read");
                self.error(at, EventErrorKind::InvalidResponse, message);
                return;
            }
        };
        let start = offset_in(self.text, doc.get());
        match serde_json::from_str::<Value>(doc.get()) {
            Ok(v @ Value::Object(_)) => {
                self.from_fields += usize::from(from_fields);
                self.out.events.push(v);
                self.out.lines.push(self.lines.line_of(start));
                self.out
                    .spans
                    .push(Span::new(start, start + doc.get().len()));
                self.out.origins.push(Origin {
                    hit,
                    id,
                    index,
                    sequence,
                });
            }
            _ => {
                let what = if from_fields { "fields" } else { "_source" };
                self.error(
                    start,
                    EventErrorKind::NotAnObject,
                    format!("hit {hit}: {what} must be a JSON object"),
                );
            }
        }
    }

    /// The events, with the note: `what` (the format and its counts) and what was read how.
    pub(super) fn finish(mut self, what: String) -> Events {
        let mut note = what;
        if self.from_fields > 0 {
            let all = self.from_fields == self.out.events.len();
            note.push_str(&format!(
                "; {} without _source, read from `fields` (values as arrays under dotted keys, \
                 multi-fields such as .keyword as fields of their own)",
                if all {
                    "every hit".to_string()
                } else {
                    plural(self.from_fields, "hit")
                },
            ));
        }
        if self.repeated > 0 {
            note.push_str(&format!(
                "; {} of several sequences read once",
                plural(self.repeated, "event")
            ));
        }
        if self.missing > 0 {
            note.push_str(&format!(
                "; {} skipped (no document)",
                plural(self.missing, "missing event")
            ));
        }
        self.out.note = Some(note);
        self.out
    }
}

/// "1 hit", "3 hits".
pub(super) fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// A JSON array of hits (or one hit), as Kibana Discover's "Copy selected as JSON" gives.
pub(super) fn read_array(text: &str, raw: &[&RawValue], error: Option<EventError>) -> Events {
    let mut r = HitReader::new(text, Format::Hits);
    for (i, hit) in raw.iter().enumerate() {
        r.hit(hit, i + 1, None);
    }
    r.out.errors.extend(error);
    let what = if text.trim_start().starts_with('[') {
        format!(
            "a JSON array of {} (as Kibana Discover's \"Copy selected as JSON\" gives): events read from each hit's _source",
            plural(raw.len(), "search hit")
        )
    } else {
        "one search hit: the event read from its _source".to_string()
    };
    r.finish(what)
}

/// One hit per line.
pub(super) fn read_lines(text: &str) -> Events {
    let mut r = HitReader::new(text, Format::Hits);
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        n += 1;
        match serde_json::from_str::<&RawValue>(line) {
            Ok(raw) => r.hit(raw, n, None),
            Err(e) => r.out.errors.push(EventError::from_json(i + 1, &e)),
        }
    }
    r.finish(format!(
        "{}, one per line: events read from each hit's _source",
        plural(n, "search hit")
    ))
}
