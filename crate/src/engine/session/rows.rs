//! What the page shows of the events: row summaries and their "why", and the values of a field
//! for completion (written as the query's language needs them).

use super::*;

impl Session {
    /// The distinct values of `field` in the events, most frequent first (ties in value order),
    /// at most [`MAX_FIELD_VALUES`]; each written as the query's language needs it.
    pub fn field_values(&self, field: &str) -> Vec<FieldValue> {
        let path = FieldPath::new(field);
        let mut counts: std::collections::HashMap<String, (usize, bool)> = Default::default();
        let mut values = Vec::new();
        for event in &self.parsed.events {
            values.clear();
            path.values(event, &mut values);
            for v in &values {
                let (text, is_string) = match v {
                    Value::String(s) => (s.clone(), true),
                    Value::Number(n) => (n.to_string(), false),
                    Value::Bool(b) => (b.to_string(), false),
                    _ => continue,
                };
                counts.entry(text).or_insert((0, is_string)).0 += 1;
            }
        }
        let mut out: Vec<(String, usize, bool)> =
            counts.into_iter().map(|(v, (n, s))| (v, n, s)).collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.truncate(MAX_FIELD_VALUES);
        let eql = self.query_lang() == Some(Lang::Eql);
        out.into_iter()
            .map(|(value, count, is_string)| FieldValue {
                insert: if eql {
                    eql_literal(&value, is_string)
                } else {
                    kql_literal(&value)
                },
                value,
                count,
            })
            .collect()
    }

    /// The result list's rows for `indices` (events that do not exist are left out).
    pub fn rows(&self, indices: &[usize]) -> Vec<Row> {
        indices
            .iter()
            .filter_map(|&index| {
                let event = self.parsed.events.get(index)?;
                Some(Row {
                    index,
                    summary: self.summarize(event),
                    why: self.why(index, event),
                    hit: self.event_origin(index),
                })
            })
            .collect()
    }

    /// One line per event: for process events the parent → child and its command line (what an
    /// analyst reads first), otherwise the values of the fields the query looks at.
    pub(super) fn summarize(&self, event: &Value) -> String {
        let name = text_at(event, "process.name");
        let s = if !name.is_empty() {
            let parent = text_at(event, "process.parent.name");
            let mut cmd = text_at(event, "process.command_line");
            if cmd.is_empty() {
                cmd = text_at(event, "process.args");
            }
            let mut s = String::new();
            if !parent.is_empty() {
                s.push_str(&parent);
                s.push_str(" → ");
            }
            s.push_str(&name);
            if !cmd.is_empty() {
                s.push_str("  ");
                s.push_str(&cmd);
            }
            s
        } else {
            let queried: Vec<&str> = self
                .summary_fields()
                .iter()
                .map(String::as_str)
                .filter(|&f| f != "event.category")
                .collect();
            let fields = if queried.is_empty() {
                vec!["event.action", "message"]
            } else {
                queried
            };
            let parts: Vec<String> = fields
                .into_iter()
                .map(|f| text_at(event, f))
                .filter(|v| !v.is_empty())
                .take(SUMMARY_MAX_VALUES)
                .collect();
            parts.join(" · ")
        };
        match s.char_indices().nth(SUMMARY_MAX_CHARS) {
            Some((cut, _)) => format!("{}…", &s[..cut]),
            None => s,
        }
    }

    /// The fields the query looks at, in the order its trace names them (read off the first
    /// event's trace once per run).
    fn summary_fields(&self) -> &[String] {
        self.summary_fields.get_or_init(|| {
            let mut out = Vec::new();
            let trace = match (&self.loaded, self.parsed.events.first()) {
                (Some(loaded), Some(event)) => loaded.trace(event, self.now()),
                _ => None,
            };
            if let Some(t) = trace {
                let mut stack = vec![&t.root];
                while let Some(c) = stack.pop() {
                    if let Some(f) = &c.field {
                        if !out.contains(f) {
                            out.push(f.clone());
                        }
                    }
                    stack.extend(c.children.iter().rev());
                }
            }
            out
        })
    }

    /// For a near miss of the last evaluation (once the near-miss pass ran), the clauses that
    /// kept it from matching, in words.
    fn why(&self, index: usize, event: &Value) -> Option<String> {
        let misses = *self.misses.as_ref()?.get(index)?;
        if !(1..=NEAR_MISS_MAX as i32).contains(&misses) {
            return None;
        }
        let trace = self
            .loaded
            .as_ref()?
            .trace(event, self.last.as_ref()?.now)?;
        let words: Vec<&str> = trace.near_miss.iter().map(|m| m.message.as_str()).collect();
        (!words.is_empty()).then(|| words.join("; "))
    }
}

/// A KQL value: bare when Kibana's grammar reads it back unchanged as one unquoted literal,
/// else a quoted string.
fn kql_literal(value: &str) -> String {
    let bare = !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || "\\():<>\"*{}".contains(c))
        && !["and", "or", "not", "null", "true", "false"]
            .iter()
            .any(|k| value.eq_ignore_ascii_case(k));
    if bare {
        value.to_string()
    } else {
        quoted(value)
    }
}

/// `"…"` with backslashes and quotes escaped: a string both KQL and EQL read back unchanged.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// An EQL value: strings in double quotes (backslashes and quotes escaped), numbers and
/// booleans bare.
fn eql_literal(value: &str, is_string: bool) -> String {
    if is_string {
        quoted(value)
    } else {
        value.to_string()
    }
}

/// The scalar values at `field`, space-separated (objects left out).
fn text_at(event: &Value, field: &str) -> String {
    let mut values = Vec::new();
    FieldPath::new(field).values(event, &mut values);
    let words: Vec<String> = values
        .into_iter()
        .filter_map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        })
        .collect();
    words.join(" ")
}
