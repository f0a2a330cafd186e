//! Kibana exception items: entries are ANDed, items are ORed, and an event any item matches is
//! removed from the rule's search.
//!
//! Kibana turns each item into an Elasticsearch query (x-pack lists, `build_exception_filter`):
//! `match` → `match_phrase`, `match_any` → `should` of `match_phrase`, `wildcard` → `wildcard`,
//! `exists` → `exists`, `excluded` → `must_not` of the same, `nested` → `nested`, and a non-empty
//! `os_types` adds "host.os.type or host.os.name.caseless is one of them". The filter is applied
//! to the rule's searches, so an excepted event never reaches the rule type (a new_terms history,
//! a threshold count or a sequence). Value-list entries (`type: list`) read the lists loaded
//! ([`value_lists`]); an item on a list that is not loaded is reported and not applied. Items whose
//! `expire_time` is before "now" are not applied, as in Kibana 8.9+.
//!
//! Import and export use Kibana's exception-list NDJSON (one list, its items, a summary line) and
//! detection-rules' exception TOML ([`toml_format`]).

pub mod toml_format;
pub mod value_lists;

mod os_types;

use crate::diagnostic::{EventErrorKind, Span};
use crate::event::lookup::FieldPath;
use crate::event::parse::EventError;
use crate::explain::{Clause, Verdict};
use crate::rule::filters::{wildcard_for, Cond, FieldTest, TestKind};
use crate::time::parse_date;
use serde::Serialize;
use serde_json::{Map, Value};
use value_lists::{InList, ValueLists};

pub mod edit;
pub mod warnings;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Operator {
    #[default]
    Included,
    Excluded,
}

/// A value-list reference (`{"id": "admin-jump-hosts.txt", "type": "ip"}`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListRef {
    pub id: String,
    #[serde(rename = "type")]
    pub list_type: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entry {
    Match {
        field: String,
        operator: Operator,
        value: String,
    },
    MatchAny {
        field: String,
        operator: Operator,
        value: Vec<String>,
    },
    Wildcard {
        field: String,
        operator: Operator,
        value: String,
    },
    Exists {
        field: String,
        operator: Operator,
    },
    Nested {
        field: String,
        entries: Vec<Entry>,
    },
    List {
        field: String,
        operator: Operator,
        list: ListRef,
    },
}

impl Entry {
    pub fn field(&self) -> &str {
        match self {
            Entry::Match { field, .. }
            | Entry::MatchAny { field, .. }
            | Entry::Wildcard { field, .. }
            | Entry::Exists { field, .. }
            | Entry::Nested { field, .. }
            | Entry::List { field, .. } => field,
        }
    }
}

/// One exception item as Kibana exports it. Keys not modelled here are kept in `extra` so an
/// import/export round trip loses nothing.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ExceptionItem {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub entries: Vec<Entry>,
    pub os_types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expire_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_id: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ExceptionItem {
    /// The value lists the item's entries reference (nested entries included).
    pub fn list_refs(&self) -> Vec<&ListRef> {
        let mut out = Vec::new();
        lists_of(&self.entries, &mut out);
        out
    }

    /// How notes name the item: by its name, else by its position (`index`, 0-based).
    pub fn label(&self, index: usize) -> String {
        if self.name.is_empty() {
            format!("exception item #{}", index + 1)
        } else {
            format!("exception item \"{}\"", self.name)
        }
    }

    /// A one-entry item, e.g. for the page's "exclude this value" chips.
    pub fn simple(name: &str, entry: Entry) -> Self {
        Self::with_entries(name, vec![entry])
    }

    /// A `simple` item of a `single` namespace list with these entries (ANDed).
    pub fn with_entries(name: &str, entries: Vec<Entry>) -> Self {
        let mut extra = Map::new();
        extra.insert("type".into(), Value::from("simple"));
        extra.insert("namespace_type".into(), Value::from("single"));
        ExceptionItem {
            name: name.to_string(),
            entries,
            extra,
            ..Default::default()
        }
    }
}

// Reading items from JSON by hand rather than with `#[derive(Deserialize)]`: serde's `flatten`
// (for `extra`) and internally tagged enums (`Entry`) buffer through generic content code that
// was a large part of the wasm module. The checks and messages follow what the derive did.

fn str_field(o: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!(
            "invalid type: {other}, expected a string for `{key}`"
        )),
    }
}

/// A string with a default when absent (`null` is an error, as serde's `#[serde(default)]` has it).
fn default_str(o: &Map<String, Value>, key: &str) -> Result<String, String> {
    match o.get(key) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!(
            "invalid type: {other}, expected a string for `{key}`"
        )),
    }
}

fn required_str(o: &Map<String, Value>, key: &str) -> Result<String, String> {
    match o.get(key) {
        None => Err(format!("missing field `{key}`")),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!(
            "invalid type: {other}, expected a string for `{key}`"
        )),
    }
}

fn strings_field(o: &Map<String, Value>, key: &str) -> Result<Vec<String>, String> {
    match o.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!(
                    "invalid type: {other}, expected a string in `{key}`"
                )),
            })
            .collect(),
        Some(other) => Err(format!(
            "invalid type: {other}, expected a list for `{key}`"
        )),
    }
}

fn entries_field(o: &Map<String, Value>, required: bool) -> Result<Vec<Entry>, String> {
    match o.get("entries") {
        None if required => Err("missing field `entries`".into()),
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(Entry::from_json).collect(),
        Some(other) => Err(format!(
            "invalid type: {other}, expected a list for `entries`"
        )),
    }
}

/// Kibana stores values as strings; accept JSON numbers and booleans too (hand-written items).
fn lenient_string(o: &Map<String, Value>) -> Result<String, String> {
    let v = o.get("value").ok_or("missing field `value`")?;
    crate::rule::filters::scalar_text(v)
        .ok_or_else(|| format!("expected a string value, found {v}"))
}

fn lenient_strings(o: &Map<String, Value>) -> Result<Vec<String>, String> {
    match o.get("value").ok_or("missing field `value`")? {
        Value::Array(items) => items
            .iter()
            .map(|v| {
                crate::rule::filters::scalar_text(v)
                    .ok_or_else(|| format!("expected string values, found {v}"))
            })
            .collect(),
        v => crate::rule::filters::scalar_text(v)
            .map(|s| vec![s])
            .ok_or_else(|| format!("expected a list of values, found {v}")),
    }
}

impl Entry {
    pub fn from_json(v: &Value) -> Result<Entry, String> {
        let Value::Object(o) = v else {
            return Err(format!("invalid type: {v}, expected an entry object"));
        };
        let field = || required_str(o, "field");
        let operator = || match o.get("operator") {
            None => Ok(Operator::Included),
            Some(Value::String(s)) if s == "included" => Ok(Operator::Included),
            Some(Value::String(s)) if s == "excluded" => Ok(Operator::Excluded),
            Some(Value::String(s)) => Err(format!(
                "unknown variant `{s}`, expected `included` or `excluded`"
            )),
            Some(other) => Err(format!(
                "unknown variant {other}, expected `included` or `excluded`"
            )),
        };
        let kind = match o.get("type") {
            None => return Err("missing field `type`".into()),
            Some(Value::String(s)) => s.as_str(),
            Some(other) => return Err(format!("invalid type: {other}, expected an entry type")),
        };
        Ok(match kind {
            "match" => Entry::Match {
                field: field()?,
                operator: operator()?,
                value: lenient_string(o)?,
            },
            "match_any" => Entry::MatchAny {
                field: field()?,
                operator: operator()?,
                value: lenient_strings(o)?,
            },
            "wildcard" => Entry::Wildcard {
                field: field()?,
                operator: operator()?,
                value: lenient_string(o)?,
            },
            "exists" => Entry::Exists {
                field: field()?,
                operator: operator()?,
            },
            "nested" => Entry::Nested {
                field: field()?,
                entries: entries_field(o, true)?,
            },
            "list" => Entry::List {
                field: field()?,
                operator: operator()?,
                list: match o.get("list") {
                    None => return Err("missing field `list`".into()),
                    Some(Value::Object(l)) => ListRef {
                        id: required_str(l, "id")?,
                        list_type: default_str(l, "type")?,
                    },
                    Some(other) => {
                        return Err(format!("invalid type: {other}, expected a list reference"))
                    }
                },
            },
            other => {
                return Err(format!(
                    "unknown variant `{other}`, expected one of `match`, `match_any`, `wildcard`, `exists`, `nested`, `list`"
                ))
            }
        })
    }
}

impl ExceptionItem {
    /// An item from its JSON object, keys not modelled kept in `extra`.
    pub fn from_json(v: Value) -> Result<ExceptionItem, String> {
        let Value::Object(mut o) = v else {
            return Err("invalid type: expected an exception item object".into());
        };
        let item = ExceptionItem {
            name: default_str(&o, "name")?,
            description: str_field(&o, "description")?,
            entries: entries_field(&o, false)?,
            os_types: strings_field(&o, "os_types")?,
            expire_time: str_field(&o, "expire_time")?,
            item_id: str_field(&o, "item_id")?,
            list_id: str_field(&o, "list_id")?,
            extra: Map::new(),
        };
        for key in [
            "name",
            "description",
            "entries",
            "os_types",
            "expire_time",
            "item_id",
            "list_id",
        ] {
            o.remove(key);
        }
        Ok(ExceptionItem { extra: o, ..item })
    }
}

/// The result of reading an exception-list NDJSON export.
#[derive(Debug, Default)]
pub struct Import {
    /// List containers (`type: detection`, `endpoint`, …) as exported.
    pub lists: Vec<Value>,
    pub items: Vec<ExceptionItem>,
    /// The trailing `exported_exception_list_count` line, when present.
    pub summary: Option<Value>,
    /// A detection-rules exception file's `[metadata]` table.
    pub metadata: Option<Value>,
    pub errors: Vec<EventError>,
}

/// Read Kibana's exception-list export: one JSON object per line. Bad lines are reported with
/// their line number; the others are kept.
pub fn import_ndjson(text: &str) -> Import {
    let mut out = Import::default();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let err = |kind: EventErrorKind, message: String| EventError {
            kind,
            line: line_no,
            column: 1,
            message,
        };
        let v: Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                out.errors.push(EventError::from_json(line_no, &e));
                continue;
            }
        };
        let Some(obj) = v.as_object() else {
            out.errors.push(err(
                EventErrorKind::NotAnObject,
                "expected a JSON object".into(),
            ));
            continue;
        };
        if obj.contains_key("exported_exception_list_count")
            || obj.contains_key("exported_exception_list_item_count")
        {
            out.summary = Some(v);
        } else if obj.contains_key("entries") || obj.contains_key("item_id") {
            match ExceptionItem::from_json(v) {
                Ok(item) => out.items.push(item),
                Err(e) => out.errors.push(err(
                    EventErrorKind::InvalidExceptionItem,
                    format!("not a valid exception item: {e}"),
                )),
            }
        } else {
            out.lists.push(v);
        }
    }
    out
}

/// Write Kibana's exception-list export: the lists, the items, then the summary line.
pub fn export_ndjson(lists: &[Value], items: &[ExceptionItem]) -> String {
    let mut out = String::new();
    for l in lists {
        out.push_str(&l.to_string());
        out.push('\n');
    }
    for it in items {
        out.push_str(&serde_json::to_string(it).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(
        // Kibana's summary keys today (`exception_export_details`, kbn-securitysolution-io-ts-list-types).
        &serde_json::json!({
            "exported_exception_list_count": lists.len(),
            "exported_exception_list_item_count": items.len(),
            "missing_exception_list_item_count": 0,
            "missing_exception_list_items": [],
            "missing_exception_lists": [],
            "missing_exception_lists_count": 0,
        })
        .to_string(),
    );
    out.push('\n');
    out
}

/// One item, compiled to the condition Kibana would send to Elasticsearch.
#[derive(Clone, Debug)]
struct Compiled {
    /// Index in the items given to [`ExceptionSet::new`].
    index: usize,
    name: String,
    cond: Cond,
}

/// The items of a run, compiled once.
#[derive(Clone, Debug, Default)]
pub struct ExceptionSet {
    items: Vec<Compiled>,
    /// Why some items are not applied (value lists, expired, empty).
    pub notes: Vec<String>,
}

impl ExceptionSet {
    /// The items without value lists (items on a list are reported and not applied).
    pub fn new(items: &[ExceptionItem], now_ms: i64) -> Self {
        Self::with_lists(items, now_ms, &ValueLists::new(), true)
    }

    /// The items, `list` entries reading `lists`. `in_memory`: whether the rule type applies the
    /// lists Kibana cannot inline into the query (text lists, lists over 65,536 values or 200
    /// ranges): Kibana filters those in memory after the search only for query, saved-query, ML
    /// and indicator-match rules; EQL, threshold and new_terms rules skip such items with the
    /// warning "The following exceptions won't be applied to rule execution".
    pub fn with_lists(
        items: &[ExceptionItem],
        now_ms: i64,
        lists: &ValueLists,
        in_memory: bool,
    ) -> Self {
        let mut set = ExceptionSet::default();
        for (index, item) in items.iter().enumerate() {
            let label = item.label(index);
            if let Some(exp) = &item.expire_time {
                match parse_date(exp) {
                    Some(t) if t < now_ms => {
                        set.notes
                            .push(format!("{label} expired at {exp} and was not applied"));
                        continue;
                    }
                    Some(_) => {}
                    None => set.notes.push(format!(
                        "{label}: expire_time \"{exp}\" is not a date and was ignored"
                    )),
                }
            }
            if item.entries.is_empty() {
                set.notes
                    .push(format!("{label} has no entries and was not applied"));
                continue;
            }
            if let Some(note) = unusable_list(&item.entries, lists, in_memory, &label) {
                set.notes.push(note);
                continue;
            }
            let mut must: Vec<Cond> = item
                .entries
                .iter()
                .map(|e| compile_entry(e, None, lists))
                .collect();
            if !item.os_types.is_empty() {
                let should = item
                    .os_types
                    .iter()
                    .flat_map(|os| os_types::tests(os))
                    .collect();
                must.push(Cond::Bool {
                    must: Vec::new(),
                    should,
                    must_not: Vec::new(),
                    min_should: 1,
                });
            }
            set.items.push(Compiled {
                index,
                name: label,
                cond: Cond::Bool {
                    must,
                    should: Vec::new(),
                    must_not: Vec::new(),
                    min_should: 0,
                },
            });
        }
        set
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The index (into the items given) of the first item matching `event`.
    pub fn matching_item(&self, event: &Value) -> Option<usize> {
        self.items
            .iter()
            .find(|c| c.cond.matches(event))
            .map(|c| c.index)
    }

    /// Plain words naming the item that matched.
    pub fn describe(&self, index: usize) -> String {
        self.items.iter().find(|c| c.index == index).map_or_else(
            || format!("exception item #{}", index + 1),
            |c| c.name.clone(),
        )
    }

    /// One `exception` clause per applied item: true when the item matches (removes the event).
    pub fn explain(&self, event: &Value) -> Vec<Clause> {
        self.items
            .iter()
            .map(|c| {
                let inner = c.cond.explain(event, Span::default());
                let mut clause = Clause::new("exception", Span::default(), inner.verdict);
                clause.message = Some(if inner.verdict.is_true() {
                    format!("{} matched, so the event is excluded", c.name)
                } else {
                    format!("{} did not match", c.name)
                });
                clause.field = None;
                if inner.verdict == Verdict::Missing {
                    clause.verdict = Verdict::False;
                }
                clause.children.push(inner);
                clause
            })
            .collect()
    }
}

fn lists_of<'a>(entries: &'a [Entry], out: &mut Vec<&'a ListRef>) {
    for e in entries {
        match e {
            Entry::List { list, .. } => out.push(list),
            Entry::Nested { entries, .. } => lists_of(entries, out),
            _ => {}
        }
    }
}

/// Why an item's value lists keep it from being applied, if they do.
fn unusable_list(
    entries: &[Entry],
    lists: &ValueLists,
    in_memory: bool,
    label: &str,
) -> Option<String> {
    let mut refs = Vec::new();
    lists_of(entries, &mut refs);
    refs.iter().find_map(|r| match lists.get(&r.id) {
        None => Some(format!(
            "{label} uses the value list \"{}\", which is not loaded (add it under Value lists, or --value-list {}=FILE), so the item was not applied",
            r.id, r.id
        )),
        Some(l) if !in_memory && !l.inlined() => Some(format!(
            "{label} uses the {} value list \"{}\" ({} values), which Kibana matches only after the search of query, ML and indicator-match rules: it won't be applied to this rule's execution",
            l.list_type.as_str(),
            r.id,
            l.len()
        )),
        Some(_) => None,
    })
}

/// `parent`: the nested path when compiling the entries of a `nested` entry.
fn compile_entry(e: &Entry, parent: Option<&str>, lists: &ValueLists) -> Cond {
    let test = |field: &str, kind: TestKind| -> Cond {
        Cond::Test(match parent {
            Some(p) => FieldTest::nested(field, &format!("{p}.{field}"), kind),
            None => FieldTest::new(field, kind),
        })
    };
    let full = |field: &str| parent.map_or(field.to_string(), |p| format!("{p}.{field}"));
    let (cond, op) = match e {
        Entry::Match {
            field,
            operator,
            value,
        } => (test(field, TestKind::Phrase(value.clone())), *operator),
        Entry::MatchAny {
            field,
            operator,
            value,
        } => (
            Cond::Bool {
                must: Vec::new(),
                should: value
                    .iter()
                    .map(|v| test(field, TestKind::Phrase(v.clone())))
                    .collect(),
                must_not: Vec::new(),
                min_should: 1,
            },
            *operator,
        ),
        Entry::Wildcard {
            field,
            operator,
            value,
        } => (
            test(
                field,
                TestKind::Wildcard(wildcard_for(&full(field), value, false)),
            ),
            *operator,
        ),
        Entry::Exists { field, operator } => (test(field, TestKind::Exists), *operator),
        Entry::Nested { field, entries } => (
            Cond::Nested {
                field: full(field),
                path: FieldPath::new(field),
                cond: Box::new(Cond::Bool {
                    must: entries
                        .iter()
                        .map(|e| compile_entry(e, Some(&full(field)), lists))
                        .collect(),
                    should: Vec::new(),
                    must_not: Vec::new(),
                    min_should: 0,
                }),
            },
            Operator::Included,
        ),
        Entry::List {
            field,
            operator,
            list,
        } => match lists.get(&list.id) {
            Some(l) => (
                test(
                    field,
                    TestKind::Custom(std::sync::Arc::new(InList(l.clone()))),
                ),
                *operator,
            ),
            // Items on lists not loaded are left out before compiling; never match if one slips by.
            None => (
                Cond::Bool {
                    must: Vec::new(),
                    should: Vec::new(),
                    must_not: vec![Cond::All],
                    min_should: 0,
                },
                Operator::Included,
            ),
        },
    };
    match op {
        Operator::Included => cond,
        Operator::Excluded => Cond::Bool {
            must: Vec::new(),
            should: Vec::new(),
            must_not: vec![cond],
            min_should: 0,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(entries: Value) -> ExceptionItem {
        ExceptionItem::from_json(json!({"name": "t", "entries": entries})).unwrap()
    }

    fn set(items: &[ExceptionItem]) -> ExceptionSet {
        ExceptionSet::new(items, parse_date("2026-11-23T00:00:00Z").unwrap())
    }

    #[test]
    fn entries_and_items() {
        let it = item(json!([
            {"field": "process.parent.name", "operator": "included", "type": "match", "value": "exim4"},
            {"field": "process.name", "operator": "included", "type": "match_any", "value": ["mailman", "qrunner"]}
        ]));
        let s = set(&[it]);
        let ev = |p: &str, n: &str| json!({"process": {"name": n, "parent": {"name": p}}});
        assert_eq!(s.matching_item(&ev("exim4", "qrunner")), Some(0));
        assert_eq!(s.matching_item(&ev("exim4", "bash")), None);
        // keyword fields are case-sensitive, as match_phrase on a keyword is a term query.
        assert_eq!(s.matching_item(&ev("EXIM4", "qrunner")), None);
    }

    #[test]
    fn excluded_operator_is_must_not() {
        let it = item(json!([
            {"field": "process.executable", "type": "wildcard", "value": "/usr/local/lib/exim-hooks/*.sh"},
            {"field": "user.name", "operator": "excluded", "type": "match", "value": "root"}
        ]));
        let s = set(&[it]);
        let ev = |u: Value| json!({"process": {"executable": "/usr/local/lib/exim-hooks/a.sh"}, "user": {"name": u}});
        assert!(s.matching_item(&ev(json!("mail"))).is_some());
        assert!(s.matching_item(&ev(json!("root"))).is_none());
        // A missing user.name satisfies must_not.
        assert!(s.matching_item(&ev(Value::Null)).is_some());
    }

    #[test]
    fn exists_excluded_and_os_types() {
        let mut it = item(json!([
            {"field": "process.command_line", "operator": "excluded", "type": "exists"}
        ]));
        it.os_types = vec!["linux".into()];
        let s = set(&[it]);
        assert!(s
            .matching_item(&json!({"host": {"os": {"type": "linux"}}}))
            .is_some());
        assert!(s
            .matching_item(
                &json!({"host": {"os": {"type": "linux"}}, "process": {"command_line": ""}})
            )
            .is_none());
        assert!(s
            .matching_item(&json!({"host": {"os": {"type": "windows"}}}))
            .is_none());
        assert!(s
            .matching_item(&json!({"host": {"os": {"name": {"caseless": "linux"}}}}))
            .is_some());
    }

    #[test]
    fn nested_entries_must_hold_in_one_object() {
        let it = item(
            json!([{"field": "process.Ext.code_signature", "type": "nested", "entries": [
            {"field": "subject_name", "operator": "included", "type": "match", "value": "Good Ltd"},
            {"field": "trusted", "operator": "included", "type": "match", "value": "true"}]}]),
        );
        let s = set(&[it]);
        let ok = json!({"process": {"Ext": {"code_signature": [
            {"subject_name": "Bad", "trusted": true}, {"subject_name": "Good Ltd", "trusted": true}]}}});
        assert!(s.matching_item(&ok).is_some());
        let split = json!({"process": {"Ext": {"code_signature": [
            {"subject_name": "Good Ltd", "trusted": false}, {"subject_name": "Bad", "trusted": true}]}}});
        assert!(s.matching_item(&split).is_none());
    }

    #[test]
    fn lists_expired_and_empty_items_are_noted() {
        let list = item(
            json!([{"field": "source.ip", "type": "list", "operator": "included",
            "list": {"id": "hosts.txt", "type": "ip"}}]),
        );
        let mut expired = item(json!([{"field": "a", "type": "exists"}]));
        expired.expire_time = Some("2026-01-01T00:00:00Z".into());
        let s = set(&[list, expired, item(json!([]))]);
        assert!(s.is_empty());
        assert_eq!(s.notes.len(), 3, "{:?}", s.notes);
        assert!(s.notes[0].contains("value list"));
        assert!(s.notes[1].contains("expired"));
    }

    #[test]
    fn explain_marks_the_matching_item() {
        let s = set(&[item(
            json!([{"field": "process.name", "type": "match", "value": "sort"}]),
        )]);
        let c = s.explain(&json!({"process": {"name": "sort"}}));
        assert_eq!(c[0].verdict, Verdict::True);
        let c = s.explain(&json!({}));
        assert_eq!(c[0].verdict, Verdict::False);
    }

    #[test]
    fn bad_lines_are_reported() {
        let imp = import_ndjson("{\"entries\": 5}\nnot json\n");
        assert_eq!(imp.errors.len(), 2);
        assert_eq!(imp.errors[1].line, 2);
        assert_eq!(
            imp.errors.iter().map(|e| e.kind).collect::<Vec<_>>(),
            [
                EventErrorKind::InvalidExceptionItem,
                EventErrorKind::InvalidJson
            ]
        );
        let imp = import_ndjson("[1]\n");
        assert_eq!(imp.errors[0].kind, EventErrorKind::NotAnObject);
    }
}
