//! Redaction before sharing: the string values of chosen fields are replaced by consistent
//! placeholders (`placeholder.rs`) in the events text itself. Only those values' bytes change;
//! every other byte (key order, numbers as written, whitespace, lines that do not parse) stays,
//! so the redacted text reads like the original and a verdict can be compared event by event
//! (the session does that: `Session::redact`).
//!
//! Fields are matched the way lookups see them: `{"host":{"name":…}}`, `{"host.name":…}` and any
//! mix are the field `host.name`, and every element of an array under it is one of its values.

mod category;
mod placeholder;
#[cfg(test)]
mod tests;

pub use category::{category, home_users, Category};
pub use placeholder::{Mapping, Placeholders};

use crate::diagnostic::Span;
use crate::event::formats::read_events;
use crate::event::layout::Tokens;
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::iter::Peekable;
use std::net::IpAddr;

/// A field the events have, as the page offers it for redaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChoice {
    pub field: String,
    pub category: Category,
    /// Offered pre-checked.
    #[serde(rename = "default")]
    pub default_on: bool,
}

/// The events with the chosen fields' values replaced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Redaction {
    pub text: String,
    /// String values replaced (values left as they were, like `127.0.0.1`, do not count).
    pub replaced: usize,
    /// Each original value and its placeholder, in order of first appearance.
    pub mappings: Vec<Mapping>,
    /// Lines or elements that are not events (malformed JSON): left as written, not redacted.
    #[serde(rename = "unreadErrors")]
    pub unread_errors: usize,
}

/// Every field of `fields` (a batch's field names) with its category, the categorised ones first.
pub fn choices(fields: &[String]) -> Vec<FieldChoice> {
    let mut out: Vec<FieldChoice> = fields
        .iter()
        .map(|f| {
            let category = category(f);
            FieldChoice {
                field: f.clone(),
                category,
                default_on: category.default_on(),
            }
        })
        .collect();
    out.sort_by(|a, b| (a.category, &a.field).cmp(&(b.category, &b.field)));
    out
}

/// Redact `fields` in an events text (NDJSON or a JSON array).
pub fn redact_events(text: &str, fields: &[String]) -> Redaction {
    let parsed = read_events(text);
    redact(
        text,
        &parsed.spans,
        &parsed.events,
        fields,
        parsed.errors.len(),
    )
}

/// Redact `fields` in `text`, whose events (`events`) sit at `spans`.
pub fn redact(
    text: &str,
    spans: &[Span],
    events: &[Value],
    fields: &[String],
    unread_errors: usize,
) -> Redaction {
    let mut ctx = Ctx {
        chosen: fields.iter().map(|f| (f.clone(), category(f))).collect(),
        placeholders: Placeholders::new(string_values(events)),
        edits: Vec::new(),
        base: 0,
    };
    if !ctx.chosen.is_empty() {
        for span in spans {
            let Some(event) = text.get(span.start..span.end) else {
                continue;
            };
            ctx.base = span.start;
            let mut tokens = Tokens::spanned(event).peekable();
            value(&mut tokens, &mut String::new(), &mut ctx);
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, replacement) in &ctx.edits {
        out.push_str(&text[at..*start]);
        out.push_str(replacement);
        at = *end;
    }
    out.push_str(&text[at..]);
    Redaction {
        text: out,
        replaced: ctx.edits.len(),
        mappings: ctx.placeholders.into_mappings(),
        unread_errors,
    }
}

struct Ctx {
    chosen: HashMap<String, Category>,
    placeholders: Placeholders,
    /// (start, end, new JSON string) in the whole text, in order.
    edits: Vec<(usize, usize, String)>,
    /// Where the event being walked starts in the whole text.
    base: usize,
}

/// Walks one JSON value; `path` is the dotted field name of the value (keys joined by `.`).
fn value<'a>(
    tokens: &mut Peekable<impl Iterator<Item = (usize, &'a str)>>,
    path: &mut String,
    ctx: &mut Ctx,
) {
    let Some((at, token)) = tokens.next() else {
        return;
    };
    match token {
        "{" => loop {
            let Some((_, key)) = tokens.next() else {
                return;
            };
            match key {
                "}" => return,
                "," => continue,
                _ => {}
            }
            if tokens.next().map(|t| t.1) != Some(":") {
                return;
            }
            let len = path.len();
            let Ok(key) = serde_json::from_str::<String>(key) else {
                return;
            };
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&key);
            value(tokens, path, ctx);
            path.truncate(len);
        },
        "[" => loop {
            match tokens.peek().map(|t| t.1) {
                None => return,
                Some("]") => {
                    tokens.next();
                    return;
                }
                Some(",") => {
                    tokens.next();
                }
                Some(_) => value(tokens, path, ctx),
            }
        },
        _ if token.starts_with('"') => {
            let Some(&category) = ctx.chosen.get(path.as_str()) else {
                return;
            };
            let Ok(original) = serde_json::from_str::<String>(token) else {
                return;
            };
            let leaf = path.rsplit('.').next().unwrap_or_default();
            let spaces = !matches!(leaf, "command_line" | "args");
            let new = replace(&original, category, spaces, &mut ctx.placeholders);
            if new != original {
                if let Ok(json) = serde_json::to_string(&new) {
                    let start = ctx.base + at;
                    ctx.edits.push((start, start + token.len(), json));
                }
            }
        }
        _ => {}
    }
}

/// The redacted form of one string value of a field of `category`.
pub fn replace(value: &str, category: Category, spaces: bool, p: &mut Placeholders) -> String {
    if value.trim().is_empty() {
        return value.to_string();
    }
    if let Ok(ip) = value.parse::<IpAddr>() {
        return p.ip(value, ip).unwrap_or_else(|| value.to_string());
    }
    match category {
        Category::Host => p.host(value),
        Category::User => p.user(value),
        Category::Email => p.email(value),
        Category::Domain => p.domain(value),
        Category::Ip | Category::Other => p.other(value),
        Category::Path => {
            let mut out = String::with_capacity(value.len());
            let mut at = 0;
            for (start, end) in home_users(value, spaces) {
                out.push_str(&value[at..start]);
                out.push_str(&p.user(&value[start..end]));
                at = end;
            }
            out.push_str(&value[at..]);
            out
        }
    }
}

/// The string values of the events that a placeholder could equal (IP addresses and values that
/// start like one): only those, so a big batch does not copy every string it holds.
fn string_values(events: &[Value]) -> HashSet<String> {
    const PREFIXES: &[&str] = &["host-", "user-", "domain-", "value-", "ip-"];
    let mut out = HashSet::new();
    let mut stack: Vec<&Value> = events.iter().collect();
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s)
                if PREFIXES.iter().any(|p| s.starts_with(p)) || s.parse::<IpAddr>().is_ok() =>
            {
                out.insert(s.clone());
            }
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    out
}
