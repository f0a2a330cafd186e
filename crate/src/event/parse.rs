//! Reading a batch of events: NDJSON (one object per line, blank lines ignored) or one JSON array.
//! A bad line is reported with its line number and the others are still read. Every event keeps
//! where it sits in the text (its bytes and the line it starts on), so the page can jump to it and
//! show it as written.

use crate::diagnostic::{Diagnostic, EventErrorKind, Span};
use serde::de::DeserializeSeed;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// Inputs bigger than this are refused with a clear message instead of exhausting memory.
pub const MAX_INPUT_BYTES: usize = 512 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventError {
    /// What went wrong; code and tests match on this, never on `message`. (Not sent to the page,
    /// whose event errors are line, column and message.)
    #[serde(skip)]
    pub kind: EventErrorKind,
    /// 1-based line of the input where the bad event starts.
    pub line: usize,
    /// 1-based, in bytes (serde_json's count).
    pub column: usize,
    pub message: String,
}

impl EventError {
    /// serde_json's error on line `line` (1-based) of the input. Its message loses serde_json's
    /// " at line L column C" suffix: the error has one position, `line` and `column`.
    pub fn from_json(line: usize, e: &serde_json::Error) -> Self {
        let message = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        EventError {
            kind: match e.classify() {
                serde_json::error::Category::Eof => EventErrorKind::Truncated,
                _ => EventErrorKind::InvalidJson,
            },
            line,
            column: e.column(),
            message: message
                .strip_suffix(&suffix)
                .map_or_else(|| message.clone(), str::to_string),
        }
    }

    /// As a diagnostic with an empty span at the line and column in `text` (the input the
    /// error was found in), for renderers that show the source line.
    pub fn diagnostic(&self, text: &str) -> Diagnostic {
        let line_start = text
            .split_inclusive('\n')
            .take(self.line.saturating_sub(1))
            .map(str::len)
            .sum::<usize>();
        let mut at = (line_start + self.column.saturating_sub(1)).min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        Diagnostic::new(self.kind, self.message.clone(), Span::new(at, at))
    }
}

#[derive(Debug, Default)]
pub struct Events {
    pub events: Vec<Value>,
    /// For each event, the 1-based line of the input where it starts.
    pub lines: Vec<usize>,
    /// For each event, its bytes in the input (the whole object, for NDJSON and arrays alike).
    pub spans: Vec<Span>,
    pub errors: Vec<EventError>,
    /// For events read from Elasticsearch hits (`event::formats`), the hit each came from, in
    /// event order; empty for NDJSON and plain arrays.
    pub origins: Vec<Origin>,
    /// What `event::formats` found when it is not plain NDJSON or a JSON array of events: one
    /// line for the user ("Elasticsearch _search response: 12 hits, …").
    pub note: Option<String>,
    pub format: Format,
}

/// The format events were read from (see `event::formats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// One event per line (also what an empty text is).
    #[default]
    Ndjson,
    /// One JSON array of events.
    Array,
    /// An Elasticsearch `_search` response (also wrapped by `_async_search` or Kibana's Inspect).
    Search,
    /// An Elasticsearch `_eql/search` response: `hits.events` or `hits.sequences`.
    EqlSearch,
    /// Search hits on their own: a JSON array of them (Kibana Discover's "Copy selected as
    /// JSON"), one hit, or one hit per line.
    Hits,
}

impl Format {
    /// A short name for notes and the page.
    pub fn name(self) -> &'static str {
        match self {
            Format::Ndjson => "NDJSON",
            Format::Array => "JSON array",
            Format::Search => "_search response",
            Format::EqlSearch => "_eql/search response",
            Format::Hits => "search hits",
        }
    }
}

/// The search hit an event was read from: explanations and row labels name it ("hit 3 (_id
/// abc)") rather than a line of a pretty-printed response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// 1-based, in the order the response lists its hits (within the sequence for EQL
    /// sequences).
    pub hit: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    /// 1-based sequence number, for the events of an EQL sequences response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<usize>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        if let Some(s) = self.sequence {
            write!(f, "sequence {s}, ")?;
        }
        write!(f, "hit {}", self.hit)?;
        match &self.id {
            Some(id) => write!(f, " (_id {id})"),
            None => Ok(()),
        }
    }
}

pub fn parse_events(text: &str) -> Events {
    let mut out = Events::default();
    if text.len() > MAX_INPUT_BYTES {
        out.errors.push(EventError {
            kind: EventErrorKind::TooLarge,
            line: 1,
            column: 1,
            message: format!(
                "input is {} bytes; the limit is {MAX_INPUT_BYTES}",
                text.len()
            ),
        });
        return out;
    }
    if text.trim_start().starts_with('[') {
        out.format = Format::Array;
        read_array(text, &mut out);
        return out;
    }
    let mut start = 0;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let at = start;
        // `lines` drops "\n" or "\r\n"; the next line starts after whichever was there.
        start += line.len();
        if text[start..].starts_with("\r\n") {
            start += 2;
        } else if start < text.len() {
            start += 1;
        }
        match parse_line(line, line_no) {
            Ok(Some(v)) => {
                out.events.push(v);
                out.lines.push(line_no);
                out.spans.push(Span::new(at, at + line.len()));
            }
            Ok(None) => {}
            Err(e) => out.errors.push(e),
        }
    }
    out
}

/// One NDJSON line (number `line_no`, 1-based): its event, `None` for a blank line, or why it is
/// not an event. Shared by [`parse_events`] and readers that stream a file line by line.
pub fn parse_line(line: &str, line_no: usize) -> Result<Option<Value>, EventError> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    match serde_json::from_str::<Value>(line) {
        Ok(v @ Value::Object(_)) => Ok(Some(v)),
        Ok(_) => Err(EventError {
            kind: EventErrorKind::NotAnObject,
            line: line_no,
            column: 1,
            message: "an event must be a JSON object".into(),
        }),
        Err(e) => Err(EventError::from_json(line_no, &e)),
    }
}

/// One JSON array of events. Its elements are read as raw slices of `text` first, which is how each
/// one's place (bytes, first line) is known; a pretty-printed array spreads events over many lines.
/// An error stops the array there: it is reported (a trailing comma at the comma) and every
/// element read before it is kept.
fn read_array(text: &str, out: &mut Events) {
    let (raw, error) = array_elements(text);
    out.errors.extend(error);
    let base = text.as_ptr() as usize;
    let (mut line, mut counted) = (1, 0);
    for item in raw {
        let slice = item.get();
        // `slice` borrows from `text` (serde_json hands out sub-slices of its input).
        let start = (slice.as_ptr() as usize)
            .saturating_sub(base)
            .min(text.len());
        line += text.as_bytes()[counted..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = start;
        match serde_json::from_str::<Value>(slice) {
            Ok(v) => {
                out.events.push(v);
                out.lines.push(line);
                out.spans.push(Span::new(start, start + slice.len()));
            }
            // Unreachable in practice: the slice was just read as valid JSON.
            Err(e) => out.errors.push(EventError::from_json(line, &e)),
        }
    }
}

/// The elements of the JSON array `text` as raw slices of it, and the error that stopped the
/// array early (every complete element before it is kept).
pub fn array_elements(text: &str) -> (Vec<&RawValue>, Option<EventError>) {
    let mut raw: Vec<&RawValue> = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let read = Elements(&mut raw)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    (raw, read.err().map(|e| array_error(text, &e)))
}

/// serde_json reports a trailing comma where it found the `]` after it; the comma is what to fix.
fn array_error(text: &str, e: &serde_json::Error) -> EventError {
    let mut err = EventError::from_json(e.line(), e);
    if !err.message.starts_with("trailing comma") {
        return err;
    }
    let line_start: usize = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum();
    let at = (line_start + e.column().saturating_sub(1)).min(text.len());
    if let Some(comma) = text[..at].rfind(',') {
        let line = text[..comma].matches('\n').count() + 1;
        let line_start = text[..comma].rfind('\n').map_or(0, |i| i + 1);
        err.line = line;
        err.column = comma - line_start + 1;
    }
    err
}

/// Reads a JSON array's elements into the vector one by one, so those before an error survive it.
struct Elements<'a, 'de>(&'a mut Vec<&'de RawValue>);

impl<'de> serde::de::DeserializeSeed<'de> for Elements<'_, 'de> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Elements<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of events")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            self.0.push(item);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndjson_keeps_good_lines_and_reports_bad_ones() {
        let got = parse_events("{\"a\":1}\n\n{oops\n{\"b\":2}\n3\n");
        assert_eq!(got.events.len(), 2);
        assert_eq!(got.lines, [1, 4]);
        assert_eq!(
            got.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            [3, 5]
        );
        assert_eq!(
            got.errors.iter().map(|e| e.kind).collect::<Vec<_>>(),
            [EventErrorKind::InvalidJson, EventErrorKind::NotAnObject]
        );
    }

    #[test]
    fn error_kinds() {
        let kinds = |text: &str| -> Vec<EventErrorKind> {
            parse_events(text).errors.iter().map(|e| e.kind).collect()
        };
        assert_eq!(kinds("{\"a\": [1,\n"), [EventErrorKind::Truncated]);
        assert_eq!(kinds("[{\"a\": 1}"), [EventErrorKind::Truncated]);
        assert_eq!(kinds("{\"a\": 1,}"), [EventErrorKind::InvalidJson]);
        assert_eq!(kinds("[{}, {} x]"), [EventErrorKind::InvalidJson]);
        assert_eq!(
            kinds("\"s\"\n[1]\n"),
            [EventErrorKind::NotAnObject, EventErrorKind::NotAnObject]
        );
    }

    #[test]
    fn errors_as_diagnostics_point_at_their_line_and_column() {
        let text = "{\"a\":1}\n{\"é\": x}\n";
        let got = parse_events(text);
        let d = got.errors[0].diagnostic(text);
        assert_eq!(d.kind, EventErrorKind::InvalidJson.into());
        assert_eq!(&text[d.span.start..], "x}\n");
        let text = "\n [{\"a\": 1},\n  {\"b\": ]";
        let d = parse_events(text).errors[0].diagnostic(text);
        assert_eq!(&text[d.span.start..], "]");
    }

    #[test]
    fn json_array_is_accepted() {
        let got = parse_events("\n [{\"a\":1},{\"b\":2}]");
        assert_eq!(got.events.len(), 2);
        assert!(got.errors.is_empty());
        assert_eq!(got.lines, [2, 2]);
    }

    #[test]
    fn every_event_knows_its_first_line_and_bytes() {
        let text = "[\n  {\n    \"a\": 1\n  },\n  {\"b\": [2,\n 3]}\n]\n";
        let got = parse_events(text);
        assert!(got.errors.is_empty(), "{:?}", got.errors);
        assert_eq!(got.lines, [2, 5]);
        let slices: Vec<&str> = got.spans.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(slices, ["{\n    \"a\": 1\n  }", "{\"b\": [2,\n 3]}"]);
        let nd = "{\"a\":1}\r\n\r\n{\"b\":2}\n{\"c\":3}";
        let got = parse_events(nd);
        assert_eq!(got.lines, [1, 3, 4]);
        let slices: Vec<&str> = got.spans.iter().map(|s| &nd[s.start..s.end]).collect();
        assert_eq!(slices, ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"]);
    }

    #[test]
    fn messages_carry_one_position() {
        let got = parse_events("{\"a\":1}\n{\"b\": x}\n");
        let e = &got.errors[0];
        assert_eq!((e.line, e.column), (2, 7));
        assert_eq!(e.message, "expected value");
        let got = parse_events("[{\"a\": 1}, {\"b\": x}]");
        assert_eq!(got.errors[0].message, "expected value");
    }

    #[test]
    fn a_trailing_comma_is_reported_at_the_comma_and_the_events_before_it_kept() {
        let text = "[\n  {\"a\": 1},\n  {\"b\": 2},\n]\n";
        let got = parse_events(text);
        assert_eq!(got.events.len(), 2);
        assert_eq!(got.lines, [2, 3]);
        assert_eq!(got.errors.len(), 1);
        let e = &got.errors[0];
        assert_eq!((e.line, e.column), (3, 11));
        assert_eq!(e.message, "trailing comma");
        assert_eq!(&text[e.diagnostic(text).span.start..][..1], ",");
    }

    #[test]
    fn an_array_keeps_every_complete_element_before_its_first_error() {
        let got = parse_events("[{\"a\": 1}, {\"b\": 2}, {\"c\": ]");
        assert_eq!(got.events.len(), 2);
        assert_eq!(got.errors.len(), 1);
        let got = parse_events("[{\"a\": 1}, {\"b\": 2}");
        assert_eq!(got.events.len(), 2);
        assert_eq!(got.errors[0].kind, EventErrorKind::Truncated);
        let got = parse_events("[{\"a\": 1}] x");
        assert_eq!(got.events.len(), 1);
        assert_eq!(got.errors[0].message, "trailing characters");
    }
}
