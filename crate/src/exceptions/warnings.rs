//! The warnings Kibana's exception flyout gives, and the ones the playground can add because it
//! has the events: each names its item and entry so the page shows it next to that entry.
//!
//! | kind | where Kibana has it |
//! |---|---|
//! | `wildcard_with_is` | `WildCardWithWrongOperatorCallout` (kbn-securitysolution-exception-list-components), from `hasWrongOperatorWithWildcard` (kbn-securitysolution-list-utils): a `match` entry whose value has `*` or `?` |
//! | `case_mismatch` | the docs' "Rule exceptions are case-sensitive" (add-manage-exceptions.md); `match_phrase` on a keyword is an exact term match |
//! | `unknown_field` | the flyout's unmapped-field warning (`getMappingConflictsInfo`); here: no event has the field |
//! | `sequence_rule` | `sequenceWarningAdd`/`sequenceWarningEdit` (rule_exceptions translations, kibana#79007): the filter removes events before the sequence is assembled |
//! | `expired` | `removeExpiredExceptions` (lists plugin, rule execution): items with `expire_time` before the run's start are dropped |
//! | `bad_expire_time` | an `expire_time` that is not a date is ignored (the item applies) |

use super::{Entry, ExceptionItem};
use crate::event::ecs::field_info;
use crate::event::lookup::{has_field, FieldPath};
use crate::time::parse_date;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    WildcardWithIs,
    CaseMismatch,
    UnknownField,
    SequenceRule,
    Expired,
    BadExpireTime,
}

/// One warning about an exception item.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExceptionWarning {
    pub kind: WarningKind,
    /// The item's index among the items of the text.
    pub item: usize,
    /// The entry's index path: into the item's entries, then into a nested group's entries.
    /// Empty for the item as a whole.
    pub entry: Vec<usize>,
    pub message: String,
    /// What the warning suggests instead: an operator (`matches`), a value, a field name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// What the warnings look at besides the items.
pub struct Context<'a> {
    pub events: &'a [Value],
    /// The events' field names, sorted.
    pub fields: &'a [String],
    /// Whether the rule's query is an EQL sequence (or sample).
    pub sequence: bool,
    /// The run's "now", epoch milliseconds.
    pub now_ms: i64,
    /// The known field name nearest to a misspelled one, if any.
    pub nearest: &'a dyn Fn(&str) -> Option<String>,
}

/// The warnings of `items`, in item and entry order. `values` caches the events' values of the
/// fields looked at: keep it while the events stay the same.
pub fn check(
    items: &[ExceptionItem],
    cx: &Context,
    values: &mut ValueIndex,
) -> Vec<ExceptionWarning> {
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let mut warn = |kind, entry: Vec<usize>, message: String, suggestion: Option<String>| {
            out.push(ExceptionWarning {
                kind,
                item: index,
                entry,
                message,
                suggestion,
            })
        };
        if let Some(exp) = &item.expire_time {
            match parse_date(exp) {
                Some(t) if t < cx.now_ms => warn(
                    WarningKind::Expired,
                    Vec::new(),
                    format!("Expired at {exp}: Kibana drops expired items when the rule runs, so this item is not applied"),
                    None,
                ),
                Some(_) => {}
                None => warn(
                    WarningKind::BadExpireTime,
                    Vec::new(),
                    format!("\"{exp}\" is not a date (ISO 8601, e.g. 2026-12-31T00:00:00Z); the item never expires"),
                    None,
                ),
            }
        }
        if cx.sequence {
            warn(
                WarningKind::SequenceRule,
                Vec::new(),
                "This rule's query is an EQL sequence: the exception applies to every event of it. An event it matches is removed before sequences are assembled, so the whole sequence does not alert. To exclude values from one step only, edit that step of the query.".into(),
                None,
            );
        }
        let mut path = Vec::new();
        check_entries(
            &item.entries,
            None,
            &mut path,
            cx,
            values,
            &mut |e, m, s, k| warn(k, e, m, s),
        );
    }
    out
}

type Warn<'w> = dyn FnMut(Vec<usize>, String, Option<String>, WarningKind) + 'w;

fn check_entries(
    entries: &[Entry],
    parent: Option<&str>,
    path: &mut Vec<usize>,
    cx: &Context,
    values: &mut ValueIndex,
    warn: &mut Warn,
) {
    for (i, entry) in entries.iter().enumerate() {
        path.push(i);
        let field = match parent {
            Some(p) => format!("{p}.{}", entry.field()),
            None => entry.field().to_string(),
        };
        if let Entry::Nested { entries, .. } = entry {
            check_entries(entries, Some(&field), path, cx, values, warn);
        } else {
            check_field(&field, path, cx, warn);
        }
        match entry {
            Entry::Match { value, .. } if value.contains(['*', '?']) => warn(
                path.clone(),
                "Using a \"*\" or a \"?\" in the value with the \"is\" operator can make the entry ineffective: it matches those characters literally. Change the operator to \"matches\".".into(),
                Some("matches".into()),
                WarningKind::WildcardWithIs,
            ),
            _ => {}
        }
        let literal: &[String] = match entry {
            Entry::Match { value, .. } => std::slice::from_ref(value),
            Entry::MatchAny { value, .. } => value,
            _ => &[],
        };
        if !field.is_empty() && !field_info(&field).ty.is_text() {
            for value in literal {
                if let Some(seen) = values.case_variant(cx.events, &field, value) {
                    warn(
                        path.clone(),
                        format!("Exceptions are case-sensitive: \"{value}\" does not match the events' \"{seen}\" of {field}. Add both values, or use the field's .caseless version where ECS has one."),
                        Some(seen),
                        WarningKind::CaseMismatch,
                    );
                }
            }
        }
        path.pop();
    }
}

fn check_field(field: &str, path: &[usize], cx: &Context, warn: &mut Warn) {
    if field.is_empty() || cx.events.is_empty() || has_field(cx.fields, field) {
        return;
    }
    let suggestion = (cx.nearest)(field);
    let mut message = format!("No event has the field \"{field}\", so this entry can never match");
    if let Some(s) = &suggestion {
        message.push_str(&format!("; did you mean \"{s}\"?"));
    }
    warn(
        path.to_vec(),
        message,
        suggestion,
        WarningKind::UnknownField,
    );
}

/// The events' string values per field, looked up once per field (a field's scan over 100,000
/// events takes tens of milliseconds; the form asks again at every key).
#[derive(Debug, Default)]
pub struct ValueIndex {
    /// field → (value lowercased → one value as the events have it; exact values)
    fields: HashMap<String, (HashMap<String, String>, std::collections::HashSet<String>)>,
}

impl ValueIndex {
    /// A value of `field` in the events that equals `value` but for case, when no event has
    /// `value` itself.
    fn case_variant(&mut self, events: &[Value], field: &str, value: &str) -> Option<String> {
        let (lower, exact) = self.fields.entry(field.to_string()).or_insert_with(|| {
            let path = FieldPath::new(field);
            let (mut lower, mut exact) = (HashMap::new(), std::collections::HashSet::new());
            let mut found = Vec::new();
            for event in events {
                found.clear();
                path.values(event, &mut found);
                for v in &found {
                    if let Value::String(s) = v {
                        lower.entry(s.to_lowercase()).or_insert_with(|| s.clone());
                        exact.insert(s.clone());
                    }
                }
            }
            (lower, exact)
        });
        if exact.contains(value) {
            return None;
        }
        lower.get(&value.to_lowercase()).cloned()
    }
}

#[cfg(test)]
#[path = "warnings_tests.rs"]
mod tests;
