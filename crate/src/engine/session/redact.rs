//! Redaction before sharing, checked: the session's events with chosen fields replaced
//! ([`crate::redact`]), and whether the rule (with its exceptions and "now") still gives every
//! event the same verdict. The events of the session are not changed.

use super::*;
use crate::explain::Verdict;
use crate::redact::{self, FieldChoice, Mapping, Redaction};

/// Clauses named per changed event.
const MAX_CLAUSES: usize = 3;

/// [`Session::redact`]'s answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RedactReport {
    pub redaction: Redaction,
    /// `None` without a loaded rule (nothing to compare).
    pub check: Option<VerdictCheck>,
    /// Original values that the rule or the exceptions name: their verdicts likely change.
    pub literals: Vec<Literal>,
}

/// The verdicts over the redacted events against those over the events.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VerdictCheck {
    pub events: usize,
    /// Events whose verdict changed, in order.
    pub changes: Vec<RedactionChange>,
    /// The EQL sequence hits are the same events.
    #[serde(rename = "sequencesSame")]
    pub sequences_same: bool,
    /// The verdicts over the redacted events, as `expected.json` writes them.
    pub after: Vec<Status>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RedactionChange {
    pub index: usize,
    pub before: Status,
    pub after: Status,
    /// The fields read by the clauses whose outcome changed.
    pub fields: Vec<String>,
    /// Which clause decided it, and which value it read before and after.
    pub why: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Literal {
    pub original: String,
    pub placeholder: String,
    /// `rule` or `exceptions`.
    pub place: &'static str,
}

impl Session {
    /// The batch's fields as the page offers them for redaction (defaults by category).
    pub fn redaction_choices(&self) -> Vec<FieldChoice> {
        redact::choices(&self.fields)
    }

    /// The events with `fields` redacted, and the verdict check.
    pub fn redact(&self, fields: &[String]) -> RedactReport {
        let redaction = redact::redact(
            &self.text,
            &self.parsed.spans,
            &self.parsed.events,
            fields,
            self.parsed.errors.len(),
        );
        let check = self.check(&redaction.text, fields);
        let literals = self.literals(&redaction.mappings);
        RedactReport {
            redaction,
            check,
            literals,
        }
    }

    fn check(&self, redacted: &str, fields: &[String]) -> Option<VerdictCheck> {
        let loaded = self.loaded.as_ref()?;
        let opts = self.options(true);
        let before = loaded.run(&self.parsed.events, &opts);
        let parsed = read_events(redacted);
        let after = loaded.run(&parsed.events, &opts);
        let changes = before
            .events
            .iter()
            .zip(&after.events)
            .filter(|(b, a)| b.status != a.status)
            .map(|(b, a)| {
                let was = loaded.explain_run(&self.parsed.events, &before, b.index, &opts);
                let is = loaded.explain_run(&parsed.events, &after, a.index, &opts);
                let (fields_read, why) = match (was, is) {
                    (Some(was), Some(is)) => self.changed_clauses(&was, &is, fields),
                    _ => (Vec::new(), String::new()),
                };
                let why = if why.is_empty() {
                    a.reason
                        .clone()
                        .or_else(|| b.reason.clone())
                        .unwrap_or_else(|| "the rule type decides it over several events".into())
                } else {
                    why
                };
                RedactionChange {
                    index: b.index,
                    before: b.status,
                    after: a.status,
                    fields: fields_read,
                    why,
                }
            })
            .collect();
        let hits = |r: &RunResult| -> Vec<Vec<Option<usize>>> {
            r.sequences.iter().map(|h| h.events.clone()).collect()
        };
        Some(VerdictCheck {
            events: before.events.len(),
            changes,
            sequences_same: hits(&before) == hits(&after),
            after: after.events.iter().map(|v| v.status).collect(),
        })
    }

    /// The clauses (query, then exceptions) whose outcome differs between two explanations of
    /// one event: their fields, and a sentence.
    fn changed_clauses(
        &self,
        was: &Explanation,
        is: &Explanation,
        chosen: &[String],
    ) -> (Vec<String>, String) {
        let mut a = Vec::new();
        let mut b = Vec::new();
        if let (Some(x), Some(y)) = (&was.trace, &is.trace) {
            leaves(&x.root, &mut a);
            leaves(&y.root, &mut b);
        }
        let query_leaves = a.len().min(b.len());
        was.exceptions.iter().for_each(|c| leaves(c, &mut a));
        is.exceptions.iter().for_each(|c| leaves(c, &mut b));
        let mut fields = Vec::new();
        let mut parts = Vec::new();
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            if x.verdict == y.verdict {
                continue;
            }
            let field = x.field.clone().unwrap_or_default();
            let redacted = chosen
                .iter()
                .any(|f| field == *f || field.starts_with(&format!("{f}.")));
            if !field.is_empty() && !fields.contains(&field) {
                fields.push(field.clone());
            }
            if parts.len() < MAX_CLAUSES {
                let what = match self.source.get(x.span.start..x.span.end) {
                    Some(text) if i < query_leaves && !text.is_empty() => {
                        // A KQL value clause spans the value only: name the field with it.
                        if field.is_empty() || text.contains(field.as_str()) {
                            format!("`{text}`")
                        } else {
                            format!("`{field}: {text}`")
                        }
                    }
                    _ => format!("an exception entry on {field}"),
                };
                // The value that made it hold, else the first it read.
                let value = |c: &Clause| {
                    c.looked
                        .iter()
                        .find(|l| l.matched == c.verdict.is_true())
                        .or(c.looked.first())
                        .map_or_else(|| "no value".to_string(), |l| l.value.to_string())
                };
                parts.push(format!(
                    "{what} {} on {}, {} on {}{}",
                    said(x.verdict),
                    value(x),
                    said(y.verdict),
                    value(y),
                    if redacted {
                        ""
                    } else {
                        " (a field not redacted)"
                    }
                ));
            }
        }
        (fields, parts.join("; "))
    }

    fn literals(&self, mappings: &[Mapping]) -> Vec<Literal> {
        let exceptions = serde_json::to_string(&self.exceptions).unwrap_or_default();
        let mut out = Vec::new();
        for m in mappings {
            let escaped = serde_json::to_string(&m.original).unwrap_or_default();
            let escaped = escaped.trim_matches('"');
            for (place, text, needle) in [
                ("rule", self.source.as_str(), m.original.as_str()),
                ("exceptions", exceptions.as_str(), escaped),
            ] {
                if contains_word(text, needle) {
                    out.push(Literal {
                        original: m.original.clone(),
                        placeholder: m.placeholder.clone(),
                        place,
                    });
                }
            }
        }
        out
    }
}

fn said(v: Verdict) -> &'static str {
    match v {
        Verdict::True => "held",
        Verdict::False => "failed",
        Verdict::Missing => "found no value",
    }
}

/// The leaf clauses of a tree, in order.
fn leaves<'a>(root: &'a Clause, out: &mut Vec<&'a Clause>) {
    let mut stack = vec![root];
    while let Some(c) = stack.pop() {
        if c.children.is_empty() {
            out.push(c);
        } else {
            stack.extend(c.children.iter().rev());
        }
    }
}

/// `needle` in `text`, any case, not inside a longer word (`bob` is not in `bobcat`).
fn contains_word(text: &str, needle: &str) -> bool {
    if needle.chars().count() < 2 {
        return false;
    }
    let text = text.to_lowercase();
    let needle = needle.to_lowercase();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    text.match_indices(&needle).any(|(i, m)| {
        !word(text[..i].chars().next_back()) && !word(text[i + m.len()..].chars().next())
    })
}
