//! What users actually have as events, detected from the text itself: NDJSON or a JSON array
//! of events (`event::parse`), an Elasticsearch `_search` response (`hits.hits[]._source`), an
//! `_eql/search` response (`hits.events[]`, `hits.sequences[].events[]`), the same wrapped by
//! `_async_search` (`response`) or Kibana's Inspect panel (`rawResponse`), and search hits on
//! their own: a JSON array of them (what Kibana Discover's "Copy selected as JSON" puts on the
//! clipboard: `JSON.stringify(rows.map(r => r.raw))`), one hit, or one hit per line. A hit
//! without `_source` is read from its `fields` (Discover asks for `fields: ["*"]`), which holds
//! the same values under dotted keys as arrays: Elasticsearch's view of an event either way.
//!
//! Every event keeps its bytes in the text (the `_source` or `fields` object) so the page shows
//! it as written, and the hit it came from (`Events::origins`) so explanations name the hit.

mod detect;
mod hits;
mod response;

pub use super::parse::Format;
pub use detect::streams_as_ndjson;

use super::parse::{parse_events, EventError, Events, MAX_INPUT_BYTES};
use crate::diagnostic::EventErrorKind;

/// Read events in whichever format `text` is in; `Events::note` says what was found when it is
/// not plain NDJSON or an array of events.
pub fn read_events(text: &str) -> Events {
    if text.len() > MAX_INPUT_BYTES {
        return parse_events(text);
    }
    match detect::detect(text) {
        detect::Shape::Plain => parse_events(text),
        detect::Shape::HitArray(raw, error) => hits::read_array(text, &raw, error),
        detect::Shape::HitLines => hits::read_lines(text),
        detect::Shape::Response(top) => response::read(text, &top),
        detect::Shape::Broken(error) => Events {
            errors: vec![error],
            note: Some("an Elasticsearch response that does not read as JSON".into()),
            ..Events::default()
        },
    }
}

/// An error at byte `at` of `text`, with its 1-based line and column.
pub(crate) fn error_at(text: &str, at: usize, kind: EventErrorKind, message: String) -> EventError {
    let at = at.min(text.len());
    let before = text.as_bytes().get(..at).unwrap_or_default();
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    EventError {
        kind,
        line,
        column: at - line_start + 1,
        message,
    }
}

/// Counts lines front to back as offsets grow, so each event's first line costs only the bytes
/// since the last one.
pub(crate) struct Lines<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The 1-based line of byte `offset` (offsets must not go backwards).
    pub(crate) fn line_of(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset > self.at {
            let slice = self.text.get(self.at..offset).unwrap_or_default();
            self.line += slice.iter().filter(|&&b| b == b'\n').count();
            self.at = offset;
        }
        self.line
    }
}

/// Where `inner` (a sub-slice of `text`, as serde_json's raw values are) starts in `text`.
pub(crate) fn offset_in(text: &str, inner: &str) -> usize {
    (inner.as_ptr() as usize)
        .saturating_sub(text.as_ptr() as usize)
        .min(text.len())
}

#[cfg(test)]
mod tests;
