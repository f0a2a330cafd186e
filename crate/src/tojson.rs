//! JSON text for what the wasm layer returns, written by hand.
//!
//! Why not `serde_json::to_string` on the derived `Serialize` impls: serde instantiates a
//! serializer entry point per (field type × container), plus a flattening serializer for the
//! structs that keep unknown keys; in the wasm build that was ~20 KB of code. These impls write
//! the same JSON as the derives (same keys, order, skipped fields and flattened `extra` maps), which
//! `tests` below check against `serde_json::to_value` on the derived impls. The derives stay for the
//! CLI, where size does not matter.

use crate::diagnostic::Span;
use crate::engine::{EventVerdict, SequenceHit, Status};
use crate::event::parse::EventError;
use crate::exceptions::{Entry, ExceptionItem, ListRef, Operator};
use crate::explain::{Clause, Looked, NearMiss, Verdict};
use crate::rule::{
    Cardinality, ExceptionListRef, InvestigationFields, Metadata, MitreRef, NewTerms, Rule,
    Technique, Threat, Threshold,
};
use crate::ruletype::ThresholdGroup;
use serde_json::{Map, Value};
use std::fmt::Write;

pub trait ToJson {
    fn write_json(&self, out: &mut String);
}

pub fn to_json<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

/// An object being written: `{` on creation, `}` on [`Obj::end`].
pub struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Obj<'a> {
    pub fn new(out: &'a mut String) -> Self {
        out.push('{');
        Obj { out, first: true }
    }

    fn key(&mut self, key: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        key.write_json(self.out);
        self.out.push(':');
    }

    pub fn field<T: ToJson + ?Sized>(&mut self, key: &str, value: &T) -> &mut Self {
        self.key(key);
        value.write_json(self.out);
        self
    }

    /// `#[serde(skip_serializing_if = "Option::is_none")]`
    pub fn opt<T: ToJson>(&mut self, key: &str, value: &Option<T>) -> &mut Self {
        if let Some(v) = value {
            self.field(key, v);
        }
        self
    }

    /// `#[serde(skip_serializing_if = "Vec::is_empty")]`
    pub fn list<T: ToJson>(&mut self, key: &str, value: &[T]) -> &mut Self {
        if !value.is_empty() {
            self.field(key, value);
        }
        self
    }

    /// `#[serde(flatten)]` of a map: its entries inline.
    pub fn flatten(&mut self, map: &Map<String, Value>) -> &mut Self {
        for (k, v) in map {
            self.field(k, v);
        }
        self
    }

    pub fn end(&mut self) {
        self.out.push('}');
    }
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        out.push('"');
        let mut start = 0;
        for (i, b) in self.bytes().enumerate() {
            let esc = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0..=0x1f => "",
                _ => continue,
            };
            out.push_str(&self[start..i]);
            if esc.is_empty() {
                let _ = write!(out, "\\u{b:04x}");
            } else {
                out.push_str(esc);
            }
            start = i + 1;
        }
        out.push_str(&self[start..]);
        out.push('"');
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        self.as_str().write_json(out);
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn write_json(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
integers!(usize, u32, u64, i64);

impl ToJson for f64 {
    /// As serde_json writes it (`null` when not finite).
    fn write_json(&self, out: &mut String) {
        match serde_json::Number::from_f64(*self) {
            Some(n) => {
                let _ = write!(out, "{n}");
            }
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            v.write_json(out);
        }
        out.push(']');
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

/// Tuples serialize as arrays.
impl<A: ToJson, B: ToJson> ToJson for (A, B) {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        self.0.write_json(out);
        out.push(',');
        self.1.write_json(out);
        out.push(']');
    }
}

impl ToJson for Value {
    fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => b.write_json(out),
            Value::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Value::String(s) => s.write_json(out),
            Value::Array(a) => a.write_json(out),
            Value::Object(m) => m.write_json(out),
        }
    }
}

impl ToJson for Map<String, Value> {
    fn write_json(&self, out: &mut String) {
        Obj::new(out).flatten(self).end();
    }
}

impl ToJson for Span {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("start", &self.start)
            .field("end", &self.end)
            .end();
    }
}

impl ToJson for Verdict {
    fn write_json(&self, out: &mut String) {
        let s = match self {
            Verdict::True => "true",
            Verdict::False => "false",
            Verdict::Missing => "missing",
        };
        s.write_json(out);
    }
}

impl ToJson for Status {
    fn write_json(&self, out: &mut String) {
        self.as_str().write_json(out);
    }
}

impl ToJson for Looked {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("path", &self.path)
            .field("value", &self.value)
            .field("matched", &self.matched)
            .opt("pattern", &self.pattern)
            .end();
    }
}

impl ToJson for Clause {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("kind", &self.kind)
            .field("span", &self.span)
            .field("verdict", &self.verdict)
            .opt("field", &self.field)
            .list("looked", &self.looked)
            .opt("message", &self.message)
            .list("children", &self.children)
            .end();
    }
}

impl ToJson for NearMiss {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("span", &self.span)
            .opt("field", &self.field)
            .field("verdict", &self.verdict)
            .field("message", &self.message)
            .end();
    }
}

impl ToJson for EventVerdict {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("index", &self.index)
            .field("matched", &self.matched)
            .field("alert", &self.alert)
            .field("status", &self.status)
            .opt("reason", &self.reason)
            .opt("misses", &self.misses)
            .end();
    }
}

impl ToJson for SequenceHit {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("events", &self.events)
            .field("join_keys", &self.join_keys)
            .end();
    }
}

impl ToJson for ThresholdGroup {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("key", &self.key)
            .field("events", &self.events)
            .field("count", &self.count)
            .field("cardinality", &self.cardinality)
            .field("alert", &self.alert)
            .end();
    }
}

impl ToJson for EventError {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("line", &self.line)
            .field("column", &self.column)
            .field("message", &self.message)
            .end();
    }
}

impl ToJson for Operator {
    fn write_json(&self, out: &mut String) {
        let s = match self {
            Operator::Included => "included",
            Operator::Excluded => "excluded",
        };
        s.write_json(out);
    }
}

impl ToJson for ListRef {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("id", &self.id)
            .field("type", &self.list_type)
            .end();
    }
}

impl ToJson for Entry {
    /// Internally tagged: `type` first, then the variant's fields.
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        match self {
            Entry::Match {
                field,
                operator,
                value,
            } => o
                .field("type", "match")
                .field("field", field)
                .field("operator", operator)
                .field("value", value),
            Entry::MatchAny {
                field,
                operator,
                value,
            } => o
                .field("type", "match_any")
                .field("field", field)
                .field("operator", operator)
                .field("value", value),
            Entry::Wildcard {
                field,
                operator,
                value,
            } => o
                .field("type", "wildcard")
                .field("field", field)
                .field("operator", operator)
                .field("value", value),
            Entry::Exists { field, operator } => o
                .field("type", "exists")
                .field("field", field)
                .field("operator", operator),
            Entry::Nested { field, entries } => o
                .field("type", "nested")
                .field("field", field)
                .field("entries", entries),
            Entry::List {
                field,
                operator,
                list,
            } => o
                .field("type", "list")
                .field("field", field)
                .field("operator", operator)
                .field("list", list),
        }
        .end();
    }
}

impl ToJson for ExceptionItem {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("name", &self.name)
            .opt("description", &self.description)
            .field("entries", &self.entries)
            .field("os_types", &self.os_types)
            .opt("expire_time", &self.expire_time)
            .opt("item_id", &self.item_id)
            .opt("list_id", &self.list_id)
            .flatten(&self.extra)
            .end();
    }
}

impl ToJson for Metadata {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .opt("creation_date", &self.creation_date)
            .opt("updated_date", &self.updated_date)
            .opt("maturity", &self.maturity)
            .list("integration", &self.integration)
            .flatten(&self.extra)
            .end();
    }
}

impl ToJson for InvestigationFields {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("field_names", &self.field_names)
            .flatten(&self.extra)
            .end();
    }
}

impl ToJson for MitreRef {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("id", &self.id)
            .field("name", &self.name)
            .field("reference", &self.reference)
            .flatten(&self.extra)
            .end();
    }
}

impl ToJson for Technique {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("id", &self.id)
            .field("name", &self.name)
            .field("reference", &self.reference)
            .list("subtechnique", &self.subtechnique)
            .flatten(&self.extra)
            .end();
    }
}

impl ToJson for Threat {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("framework", &self.framework)
            .opt("tactic", &self.tactic)
            .list("technique", &self.technique)
            .flatten(&self.extra)
            .end();
    }
}

impl ToJson for ExceptionListRef {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("id", &self.id)
            .field("list_id", &self.list_id)
            .opt("namespace_type", &self.namespace_type)
            .opt("type", &self.list_type)
            .flatten(&self.extra)
            .end();
    }
}

impl ToJson for NewTerms {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("fields", &self.fields)
            .field("history_window_start", &self.history_window_start)
            .end();
    }
}

impl ToJson for Cardinality {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("field", &self.field)
            .field("value", &self.value)
            .end();
    }
}

impl ToJson for Threshold {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("field", &self.field)
            .field("value", &self.value)
            .list("cardinality", &self.cardinality)
            .end();
    }
}

impl ToJson for Rule {
    fn write_json(&self, out: &mut String) {
        RuleJson(self, self.query_span).write_json(out);
    }
}

/// A rule written with another `query_span` (the wasm layer's UTF-16 one).
pub struct RuleJson<'a>(pub &'a Rule, pub Option<Span>);

impl ToJson for RuleJson<'_> {
    fn write_json(&self, out: &mut String) {
        let RuleJson(r, query_span) = self;
        let mut o = Obj::new(out);
        o.field("name", &r.name)
            .field("description", &r.description)
            .field("rule_id", &r.rule_id)
            .field("type", &r.rule_type)
            .opt("language", &r.language)
            .opt("query", &r.query)
            .list("index", &r.index)
            .opt("from", &r.from)
            .opt("to", &r.to)
            .opt("interval", &r.interval)
            .opt("risk_score", &r.risk_score)
            .opt("severity", &r.severity)
            .list("tags", &r.tags)
            .list("author", &r.author)
            .opt("license", &r.license)
            .list("references", &r.references)
            .list("false_positives", &r.false_positives)
            .opt("note", &r.note)
            .opt("setup", &r.setup)
            .opt("investigation_fields", &r.investigation_fields)
            .list("threat", &r.threat)
            .list("exceptions_list", &r.exceptions_list)
            .list("filters", &r.filters)
            .opt("timestamp_override", &r.timestamp_override)
            .opt("event_category_override", &r.event_category_override)
            .opt("tiebreaker_field", &r.tiebreaker_field)
            .opt("max_signals", &r.max_signals)
            .opt("building_block_type", &r.building_block_type)
            .opt("new_terms", &r.new_terms)
            .opt("threshold", &r.threshold)
            .flatten(&r.extra)
            .field("metadata", &r.metadata);
        if !r.sections.is_empty() {
            o.field("sections", &r.sections);
        }
        o.opt("query_span", query_span).end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{self, Lang, RunOptions};
    use serde::Serialize;
    use serde_json::json;

    /// The hand-written JSON parses to exactly what the derived `Serialize` impl gives.
    fn same<T: ToJson + Serialize>(v: &T) {
        let ours: Value = serde_json::from_str(&to_json(v)).expect("valid JSON");
        let theirs = serde_json::to_value(v).expect("serializable");
        assert_eq!(ours, theirs);
    }

    #[test]
    fn strings_escape_like_serde_json() {
        for s in [
            "",
            "plain",
            "q\"b\\s",
            "nl\n\r\t\u{8}\u{c}",
            "ctl\u{1}\u{1f}\u{7f}",
            "é😀",
        ] {
            assert_eq!(to_json(s), serde_json::to_string(s).unwrap());
        }
        for x in [0.5, 1.0, -3e300, 1e-7, f64::NAN] {
            assert_eq!(to_json(&x), serde_json::to_string(&x).unwrap());
        }
        let v = json!({"a": [1, -2, 3.5, u64::MAX, null, true, "x"], "b": {"c": {}}});
        assert_eq!(to_json(&v), serde_json::to_string(&v).unwrap());
    }

    #[test]
    fn rules_with_every_field() {
        let src = r#"
[metadata]
creation_date = "2020/01/01"
integration = ["endpoint"]
odd = 1979-05-27

[rule]
name = "n"
description = "d"
rule_id = "id"
type = "threshold"
language = "kuery"
query = "process.name:a"
index = ["logs-*"]
from = "now-9m"
risk_score = 47
severity = "medium"
tags = ["t"]
author = ["Elastic"]
false_positives = ["fp"]
note = "note"
timestamp_override = "event.ingested"
max_signals = 5
future = { x = [1, 2.5, "s"] }
filters = [{ meta = { negate = false }, query = { match_phrase = { "host.name" = "h" } } }]

[rule.investigation_fields]
field_names = ["host.name"]
extra_key = true

[[rule.threat]]
framework = "MITRE ATT&CK"
[rule.threat.tactic]
id = "TA0002"
name = "Execution"
reference = "https://attack.mitre.org/tactics/TA0002/"
[[rule.threat.technique]]
id = "T1059"
name = "Command"
reference = "https://attack.mitre.org/techniques/T1059/"
[[rule.threat.technique.subtechnique]]
id = "T1059.004"
name = "Unix Shell"
reference = "https://attack.mitre.org/techniques/T1059/004/"

[[rule.exceptions_list]]
id = "e"
list_id = "l"
type = "detection"
namespace_type = "single"

[rule.threshold]
field = ["host.id"]
value = 3
[[rule.threshold.cardinality]]
field = "user.name"
value = 2

[transform]
osquery = [{ label = "x" }]
"#;
        let rule = crate::rule::load_rule(src).unwrap();
        same(&rule);
        let nt = crate::rule::load_rule(
            "[rule]\ntype = 'new_terms'\n[rule.new_terms]\nnew_terms_fields = ['a']\n",
        )
        .unwrap();
        assert!(nt.new_terms.is_some());
        same(&nt);
        same(&crate::rule::load_rule("[rule]\n").unwrap());
    }

    #[test]
    fn runs_explanations_and_exceptions() {
        let src = "[rule]\ntype = 'query'\nlanguage = 'kuery'\nquery = 'process.name:(a or b) and not host.name:x*'\n";
        let loaded = engine::load(src, Lang::Toml).unwrap();
        let events = vec![
            json!({"process": {"name": "a"}, "host": {"name": "y"}}),
            json!({"process": {"name": ["c", "d"]}, "host": {"name": "xx"}}),
            json!({"host.name": 1}),
        ];
        let exceptions = crate::exceptions::import_ndjson(concat!(
            r#"{"name":"e","entries":[{"field":"host.name","operator":"excluded","type":"match_any","value":["y"]},"#,
            r#"{"field":"p","type":"nested","entries":[{"field":"q","operator":"included","type":"exists"}]},"#,
            r#"{"field":"r","operator":"included","type":"list","list":{"id":"l","type":"ip"}}],"os_types":["linux"],"extra":{"k":[1]}}"#,
        ));
        assert!(exceptions.errors.is_empty(), "{:?}", exceptions.errors);
        same(&exceptions.items);
        let opts = RunOptions {
            exceptions: exceptions.items,
            ..RunOptions::default()
        };
        let r = loaded.run(&events, &opts);
        same(&r.events);
        for i in 0..events.len() {
            let x = loaded.explain(&events, i, &opts).unwrap();
            let trace = x.trace.as_ref().unwrap();
            same(&trace.root);
            same(&trace.near_miss);
            same(&x.exceptions);
        }
        let eql = engine::load(
            "sequence by host.id [process where true] [network where true]",
            Lang::Eql,
        )
        .unwrap();
        let ev = vec![
            json!({"@timestamp": 1, "event": {"category": "process"}, "host": {"id": "h"}}),
            json!({"@timestamp": 2, "event": {"category": "network"}, "host": {"id": "h"}}),
        ];
        let r = eql.run(&ev, &RunOptions::default());
        assert_eq!(r.sequences.len(), 1);
        same(&r.sequences);
        let thr = engine::load(
            "[rule]\ntype='threshold'\nquery='*'\n[rule.threshold]\nfield=['h']\nvalue=1\n[[rule.threshold.cardinality]]\nfield='u'\nvalue=1\n",
            Lang::Toml,
        )
        .unwrap();
        let r = thr.run(&[json!({"h": "a", "u": "x"})], &RunOptions::default());
        assert!(!r.groups.is_empty());
        same(&r.groups);
        let errs = crate::event::parse::parse_events("{}\n{bad\n").errors;
        same(&errs);
    }
}
