//! Reading a batch of events: NDJSON (one object per line, blank lines ignored) or one JSON array.
//! A bad line is reported with its line number and the others are still read.

use serde::Serialize;
use serde_json::Value;

/// Inputs bigger than this are refused with a clear message instead of exhausting memory.
pub const MAX_INPUT_BYTES: usize = 512 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventError {
    /// 1-based line of the input where the bad event starts.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Events {
    pub events: Vec<Value>,
    /// For each event, its 1-based line in the input.
    pub lines: Vec<usize>,
    pub errors: Vec<EventError>,
}

pub fn parse_events(text: &str) -> Events {
    let mut out = Events::default();
    if text.len() > MAX_INPUT_BYTES {
        out.errors.push(EventError {
            line: 1,
            column: 1,
            message: format!(
                "input is {} bytes; the limit is {MAX_INPUT_BYTES}",
                text.len()
            ),
        });
        return out;
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let first_line = text[..text.len() - trimmed.len()].matches('\n').count() + 1;
        match serde_json::from_str::<Vec<Value>>(text) {
            Ok(events) => {
                out.lines = vec![first_line; events.len()];
                out.events = events;
            }
            Err(e) => out.errors.push(EventError {
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            }),
        }
        return out;
    }
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(v @ Value::Object(_)) => {
                out.events.push(v);
                out.lines.push(line_no);
            }
            Ok(_) => out.errors.push(EventError {
                line: line_no,
                column: 1,
                message: "an event must be a JSON object".into(),
            }),
            Err(e) => out.errors.push(EventError {
                line: line_no,
                column: e.column(),
                message: e.to_string(),
            }),
        }
    }
    out
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
    }

    #[test]
    fn json_array_is_accepted() {
        let got = parse_events("\n [{\"a\":1},{\"b\":2}]");
        assert_eq!(got.events.len(), 2);
        assert!(got.errors.is_empty());
    }
}
