//! Exception items as the detection engine puts them in the rule's search: the lists plugin's
//! `buildExceptionFilter` (`x-pack/.../lists/server/services/exception_lists/
//! build_exception_filter.ts`). One filter whose `bool.should` holds each item's clauses (items
//! ORed); it is negated (`meta.negate`), so it lands in the query's `must_not`. Per item: one
//! entry is its clause alone, several are `bool.filter` (ANDed); `os_types` makes one
//! `bool.filter` per OS and per OS field (`host.os.type`, then `host.os.name.caseless`), the OS
//! match first, then the entries.
//!
//! Entries: `match` → `bool.should[match_phrase]` with `minimum_should_match: 1`; `match_any` →
//! the same per value (one `match_phrase` when there is a single value); `wildcard` →
//! `bool.filter.wildcard {field: value}` (no `case_insensitive`); `exists` → `bool.should[exists]`;
//! `excluded` wraps any of those in `bool.must_not`; `nested` → `nested {path, query,
//! score_mode: none}` with the inner fields prefixed by the path. Value lists (`list`) are read
//! from the list index and inlined: keyword and ip lists as `bool.filter.terms` (`must_not` when
//! excluded), ip_range lists as `range {gte, lte}` per `a-b` value plus one `terms` of the CIDRs
//! under `bool.should` (`must_not` when excluded). Text lists, lists over 65,536 values and
//! ip_range lists over 200 dash ranges are not put in the query: Kibana filters those in memory
//! after the search (query and indicator-match rules only).

use crate::exceptions::value_lists::{ListType, ValueLists};
use crate::exceptions::{Entry, ExceptionItem, Operator};
use crate::time::parse_date;
use serde_json::{json, Value};

/// The exception filter's query (`{bool: {should: [...]}}`) and notes on items left out; `None`
/// when no item is applied.
pub fn exception_query(
    items: &[ExceptionItem],
    lists: &ValueLists,
    now_ms: i64,
) -> (Option<Value>, Vec<String>) {
    let mut should = Vec::new();
    let mut notes = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let label = item.label(i);
        if let Some(t) = item.expire_time.as_deref().and_then(parse_date) {
            if t < now_ms {
                notes.push(format!("{label} has expired and is not sent"));
                continue;
            }
        }
        if item.entries.is_empty() {
            notes.push(format!("{label} has no entries and is not sent"));
            continue;
        }
        match item_clauses(item, lists) {
            Ok(c) => should.extend(c),
            Err(why) => notes.push(format!("{label} is not sent: {why}")),
        }
    }
    if should.is_empty() {
        return (None, notes);
    }
    (Some(json!({"bool": {"should": should}})), notes)
}

/// `buildExceptionItemFilter`: the should-clauses of one item.
fn item_clauses(item: &ExceptionItem, lists: &ValueLists) -> Result<Vec<Value>, String> {
    let entries: Vec<Value> = item
        .entries
        .iter()
        .map(|e| entry_clause(e, None, lists))
        .collect::<Result<_, _>>()?;
    if !item.os_types.is_empty() {
        let mut out = Vec::new();
        for os_field in ["host.os.type", "host.os.name.caseless"] {
            for os in &item.os_types {
                let mut filter = vec![phrase_clause(os_field, os)];
                filter.extend(entries.iter().cloned());
                out.push(json!({"bool": {"filter": filter}}));
            }
        }
        return Ok(out);
    }
    Ok(match <[Value; 1]>::try_from(entries) {
        Ok([one]) => vec![one],
        Err(many) => vec![json!({"bool": {"filter": many}})],
    })
}

fn phrase_clause(field: &str, value: &str) -> Value {
    json!({"bool": {"minimum_should_match": 1, "should": [{"match_phrase": {field: value}}]}})
}

fn excluded(op: Operator, clause: Value) -> Value {
    match op {
        Operator::Included => clause,
        Operator::Excluded => json!({"bool": {"must_not": clause}}),
    }
}

/// `createInnerAndClauses`: one entry, its field prefixed by the nested parent.
fn entry_clause(e: &Entry, parent: Option<&str>, lists: &ValueLists) -> Result<Value, String> {
    let full = |f: &str| match parent {
        Some(p) => format!("{p}.{f}"),
        None => f.to_string(),
    };
    Ok(match e {
        Entry::Match {
            field,
            operator,
            value,
        } => excluded(*operator, phrase_clause(&full(field), value)),
        Entry::MatchAny {
            field,
            operator,
            value,
        } => {
            let f = full(field);
            let clause = match value.as_slice() {
                [one] => phrase_clause(&f, one),
                many => json!({"bool": {"minimum_should_match": 1,
                    "should": many.iter().map(|v| phrase_clause(&f, v)).collect::<Vec<_>>()}}),
            };
            excluded(*operator, clause)
        }
        Entry::Wildcard {
            field,
            operator,
            value,
        } => excluded(
            *operator,
            json!({"bool": {"filter": {"wildcard": {full(field): value}}}}),
        ),
        Entry::Exists { field, operator } => excluded(
            *operator,
            json!({"bool": {"minimum_should_match": 1, "should": [{"exists": {"field": full(field)}}]}}),
        ),
        Entry::Nested { field, entries } => {
            let inner: Vec<Value> = entries
                .iter()
                .map(|e| entry_clause(e, Some(field), lists))
                .collect::<Result<_, _>>()?;
            let query = match <[Value; 1]>::try_from(inner) {
                Ok([one]) => one,
                Err(many) => json!({"bool": {"filter": many}}),
            };
            json!({"nested": {"path": field, "query": query, "score_mode": "none"}})
        }
        Entry::List {
            field,
            operator,
            list,
        } => {
            let Some(l) = lists.get(&list.id) else {
                return Err(format!(
                    "value list \"{}\" is not loaded (Kibana inlines its values from the list index)",
                    list.id
                ));
            };
            if !l.inlined() {
                return Err(format!(
                    "value list \"{}\" is filtered in memory after the search, not in the query",
                    list.id
                ));
            }
            let f = full(field);
            let key = if *operator == Operator::Excluded {
                "must_not"
            } else {
                "filter"
            };
            if l.list_type == ListType::IpRange {
                let (dash, cidr): (Vec<&String>, Vec<&String>) =
                    l.values.iter().partition(|v| v.contains('-'));
                let mut clauses: Vec<Value> = dash
                    .iter()
                    .map(|v| {
                        let (lo, hi) = v.split_once('-').unwrap_or((v, v));
                        json!({"range": {f.as_str(): {"gte": lo, "lte": hi}}})
                    })
                    .collect();
                if !cidr.is_empty() {
                    clauses.push(json!({"terms": {f.as_str(): cidr}}));
                }
                let key = if key == "filter" { "should" } else { key };
                json!({"bool": {key: clauses, "minimum_should_match": 1}})
            } else {
                json!({"bool": {key: {"terms": {f: l.values}}}})
            }
        }
    })
}

#[cfg(test)]
#[path = "exceptions_tests.rs"]
mod tests;
