//! detection-rules' exception files (`detection_rules/exception.py`, `TOMLExceptionContents`):
//! a `[metadata]` table (`creation_date`, `list_name`, `rule_ids`, `rule_names`, `updated_date`)
//! and per exception list one `[[exceptions]]` with its `[exceptions.container]` (the Kibana
//! list) and `[[exceptions.items]]`, each with `[[exceptions.items.entries]]`.
//!
//! Reading keeps every key, and writing writes every key the list and items have (Kibana's
//! `id`, `created_at`, `os_types`, … as well as the keys detection-rules models), so that
//! NDJSON → TOML → NDJSON and TOML → NDJSON → TOML lose nothing. TOML has no `null`: null
//! values are left out, as detection-rules' own writer strips them.

use super::{export_ndjson, import_ndjson, ExceptionItem, Import};
use crate::diagnostic::{line_col, EventErrorKind};
use crate::event::parse::EventError;
use crate::rule::toml_out::{dr_date, Writer};
use serde_json::{Map, Value};
use toml::de::{DeTable, DeValue};

/// The two exchange formats of an exception list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Kibana's `_export` NDJSON: the list, its items, a summary line.
    Ndjson,
    /// A detection-rules exception TOML file.
    Toml,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "ndjson" | "json" => Some(Format::Ndjson),
            "toml" => Some(Format::Toml),
            _ => None,
        }
    }

    /// The format of `text`: NDJSON starts with `{`, anything else is read as TOML.
    pub fn sniff(text: &str) -> Format {
        if text.trim_start().starts_with('{') {
            Format::Ndjson
        } else {
            Format::Toml
        }
    }
}

fn file_error(src: &str, offset: usize, message: String) -> EventError {
    let (line, column) = line_col(src, offset);
    EventError {
        kind: EventErrorKind::InvalidExceptionFile,
        line,
        column,
        message,
    }
}

/// Read an exception file in either format (see [`Format::sniff`]).
pub fn import_any(text: &str) -> Import {
    match Format::sniff(text) {
        Format::Ndjson => import_ndjson(text),
        Format::Toml => import_toml(text),
    }
}

/// Read a detection-rules exception TOML file. Errors carry the line and column of the key.
pub fn import_toml(text: &str) -> Import {
    let mut out = Import::default();
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let at = e.span().map_or(0, |r| r.start);
            out.errors.push(file_error(
                text,
                at,
                format!("not a TOML file: {}", e.message()),
            ));
            return out;
        }
    };
    let root = root.get_ref();
    if let Some(meta) = root.get("metadata") {
        out.metadata = Some(to_json(meta.get_ref()));
    }
    let Some(exceptions) = root.get("exceptions") else {
        out.errors.push(file_error(
            text,
            0,
            "the file has no [[exceptions]] (a detection-rules exception file has [metadata] and [[exceptions]] with [exceptions.container] and [[exceptions.items]])".into(),
        ));
        return out;
    };
    let Some(blocks) = exceptions.get_ref().as_array() else {
        out.errors.push(file_error(
            text,
            exceptions.span().start,
            "`exceptions` must be an array of tables ([[exceptions]])".into(),
        ));
        return out;
    };
    for block in blocks.iter() {
        let Some(table) = block.get_ref().as_table() else {
            out.errors.push(file_error(
                text,
                block.span().start,
                "each [[exceptions]] must be a table".into(),
            ));
            continue;
        };
        if let Some(container) = table.get("container") {
            out.lists.push(to_json(container.get_ref()));
        }
        let Some(items) = table.get("items") else {
            continue;
        };
        let Some(items) = items.get_ref().as_array() else {
            out.errors.push(file_error(
                text,
                items.span().start,
                "`items` must be an array of tables ([[exceptions.items]])".into(),
            ));
            continue;
        };
        for item in items.iter() {
            match ExceptionItem::from_json(to_json(item.get_ref())) {
                Ok(it) => out.items.push(it),
                Err(e) => out.errors.push(EventError {
                    kind: EventErrorKind::InvalidExceptionItem,
                    ..file_error(
                        text,
                        item.span().start,
                        format!("not a valid exception item: {e}"),
                    )
                }),
            }
        }
    }
    out
}

/// A TOML value as JSON: datetimes and integers written as in the file become strings and
/// numbers.
fn to_json(v: &DeValue<'_>) -> Value {
    match v {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .map_or_else(|_| Value::String(i.as_str().to_string()), Value::from),
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(f.as_str().to_string()), Value::Number),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().map(|x| to_json(x.get_ref())).collect()),
        DeValue::Table(t) => Value::Object(
            t.iter()
                .map(|(k, x)| (k.get_ref().to_string(), to_json(x.get_ref())))
                .collect(),
        ),
    }
}

/// The `[metadata]` detection-rules requires, from the first list when the import had none.
fn metadata_for(imp_meta: Option<&Value>, lists: &[Value]) -> Value {
    if let Some(m) = imp_meta {
        return m.clone();
    }
    let first = lists.first();
    let get = |k: &str| first.and_then(|l| l.get(k));
    let mut m = Map::new();
    if let Some(d) = dr_date(get("created_at")) {
        m.insert("creation_date".into(), Value::String(d));
    }
    m.insert(
        "list_name".into(),
        get("name").cloned().unwrap_or(Value::String(String::new())),
    );
    m.insert("rule_ids".into(), Value::Array(Vec::new()));
    m.insert("rule_names".into(), Value::Array(Vec::new()));
    if let Some(d) = dr_date(get("updated_at")) {
        m.insert("updated_date".into(), Value::String(d));
    }
    Value::Object(m)
}

/// Write a detection-rules exception TOML file: `metadata` (the import's, else one derived from
/// the first list), then one `[[exceptions]]` per list with the items of its `list_id`. Items
/// whose `list_id` no list has go with the first list (a list is made up when there is none).
pub fn export_toml(metadata: Option<&Value>, lists: &[Value], items: &[ExceptionItem]) -> String {
    let mut lists: Vec<Value> = lists.to_vec();
    if lists.is_empty() && !items.is_empty() {
        let list_id = items
            .iter()
            .find_map(|i| i.list_id.clone())
            .unwrap_or_else(|| "ruleplay-exceptions".into());
        lists.push(serde_json::json!({
            "description": "", "list_id": list_id, "name": list_id,
            "namespace_type": "single", "tags": [], "type": "detection",
        }));
    }
    let ids: Vec<Option<&str>> = lists
        .iter()
        .map(|l| l.get("list_id").and_then(Value::as_str))
        .collect();
    let mut grouped: Vec<Vec<Value>> = vec![Vec::new(); lists.len()];
    for item in items {
        let at = ids
            .iter()
            .position(|id| id.is_some() && *id == item.list_id.as_deref())
            .unwrap_or(0);
        if let (Some(group), Ok(v)) = (grouped.get_mut(at), serde_json::to_value(item)) {
            group.push(v);
        }
    }
    let mut w = Writer::default();
    if let Value::Object(m) = metadata_for(metadata, &lists) {
        w.table(&["metadata"], &m, false);
    }
    for (list, group) in lists.iter().zip(grouped) {
        w.line("[[exceptions]]");
        if let Value::Object(m) = list {
            w.table(&["exceptions", "container"], m, false);
        }
        for item in group {
            if let Value::Object(m) = item {
                w.table(&["exceptions", "items"], &m, true);
            }
        }
    }
    w.out
}

/// Convert an exception file to `to` (either format in). The errors are the import's.
pub fn convert(text: &str, to: Format) -> (String, Vec<EventError>) {
    let imp = import_any(text);
    let out = match to {
        Format::Ndjson => export_ndjson(&imp.lists, &imp.items),
        Format::Toml => export_toml(imp.metadata.as_ref(), &imp.lists, &imp.items),
    };
    (out, imp.errors)
}
