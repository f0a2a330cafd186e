//! A rule → Kibana's rule export NDJSON, which Rules → Import (`_import`) reads: the rule
//! object, the exception lists and items it references, and the export summary line, in the
//! order Kibana's own `_export` writes them.
//!
//! The rule object is the `[rule]` table as JSON with the API's spelling of new terms
//! (`new_terms_fields`, `history_window_start`), plus what the import schema
//! (`RuleToImport`: the create schema with `rule_id` required) needs and a rule file may leave
//! out: `language` (its default for the rule type) and `enabled` (false unless the file says
//! otherwise, so importing never starts a rule nobody switched on). `risk_score`, `severity`,
//! `name` and `description` are required by Kibana and by detection-rules alike; they are
//! written as the file has them.

use super::model::Rule;
use serde_json::{json, Map, Value};

/// Keys of the model's JSON that are not rule keys (`[metadata]`, other tables, positions).
const NOT_RULE_KEYS: &[&str] = &["metadata", "sections", "query_span"];

/// The Kibana rule object for `rule`. `lists` are the exception list containers to reference
/// (their `list_id`s are added to `exceptions_list` when the rule does not reference them yet).
pub fn rule_object(rule: &Rule, lists: &[Value]) -> Map<String, Value> {
    let Ok(Value::Object(mut o)) = serde_json::to_value(rule) else {
        return Map::new();
    };
    for k in NOT_RULE_KEYS {
        o.remove(*k);
    }
    if let Some(nt) = o.remove("new_terms") {
        o.insert(
            "new_terms_fields".into(),
            nt.get("fields").cloned().unwrap_or(json!([])),
        );
        if let Some(h) = nt.get("history_window_start").filter(|h| !h.is_null()) {
            o.insert("history_window_start".into(), h.clone());
        }
    }
    if let (None, Some(l)) = (&rule.language, rule.effective_language()) {
        o.insert("language".into(), Value::String(l.to_string()));
    }
    o.entry("enabled").or_insert(Value::Bool(false));
    let mut refs: Vec<Value> = o
        .get("exceptions_list")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for list in lists {
        let list_id = list.get("list_id").and_then(Value::as_str);
        let known = refs
            .iter()
            .any(|r| r.get("list_id").and_then(Value::as_str) == list_id);
        if let (Some(list_id), false) = (list_id, known) {
            let get =
                |k: &str, d: &str| list.get(k).and_then(Value::as_str).unwrap_or(d).to_string();
            refs.push(json!({
                "id": get("id", list_id),
                "list_id": list_id,
                "namespace_type": get("namespace_type", "single"),
                "type": get("type", "detection"),
            }));
        }
    }
    // Kibana writes the key even when empty.
    o.insert("exceptions_list".into(), Value::Array(refs));
    o
}

/// The export NDJSON: the rule, `lists` and `items` (as Kibana's exception export writes them),
/// and the summary line.
pub fn export(rule: &Rule, lists: &[Value], items: &[Value]) -> String {
    let mut out = String::new();
    out.push_str(&Value::Object(rule_object(rule, lists)).to_string());
    out.push('\n');
    for line in lists.iter().chain(items) {
        out.push_str(&line.to_string());
        out.push('\n');
    }
    // Kibana's `getExportDetailsNdjson`: every exported object counts in `exported_count`.
    // Written as text: the same line as a `json!` object, for a fraction of the wasm.
    let (l, i) = (lists.len(), items.len());
    out.push_str(&format!(
        "{{\"exported_count\":{},\"exported_rules_count\":1,\"missing_rules\":[],\
         \"missing_rules_count\":0,\"exported_exception_list_count\":{l},\
         \"exported_exception_list_item_count\":{i},\"missing_exception_list_item_count\":0,\
         \"missing_exception_list_items\":[],\"missing_exception_lists\":[],\
         \"missing_exception_lists_count\":0,\"excluded_action_connection_count\":0,\
         \"excluded_action_connections\":[],\"exported_action_connector_count\":0,\
         \"missing_action_connection_count\":0,\"missing_action_connections\":[]}}\n",
        1 + l + i
    ));
    out
}

/// When items come without their list (an exceptions editor holding items only): the list
/// container Kibana needs to import them, named after their `list_id`.
pub fn list_for_items(list_id: &str) -> Value {
    let mut list: Map<String, Value> = [
        ("list_id", list_id),
        ("name", list_id),
        ("description", "Exceptions exported by ruleplay"),
        ("namespace_type", "single"),
        ("type", "detection"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
    .collect();
    list.insert("tags".into(), Value::Array(Vec::new()));
    Value::Object(list)
}

/// Lists and items as Kibana's import needs them: every item in a list the file has (one made
/// up, `<rule_id>-exceptions`, for items that name none), with the keys the item schema
/// requires and a hand-written item may lack (`type`, `namespace_type`, `description`).
pub fn complete_exceptions(
    rule_id: &str,
    mut lists: Vec<Value>,
    items: Vec<Value>,
) -> (Vec<Value>, Vec<Value>) {
    let mut out = Vec::new();
    for item in items {
        let Value::Object(mut o) = item else { continue };
        let list_id = match o.get("list_id").and_then(Value::as_str) {
            Some(l) => l.to_string(),
            None => lists
                .first()
                .and_then(|l| l.get("list_id"))
                .and_then(Value::as_str)
                .map_or_else(|| format!("{rule_id}-exceptions"), str::to_string),
        };
        let known = lists
            .iter()
            .any(|l| l.get("list_id").and_then(Value::as_str) == Some(list_id.as_str()));
        if !known {
            lists.push(list_for_items(&list_id));
        }
        o.insert("list_id".into(), Value::String(list_id));
        o.entry("type")
            .or_insert_with(|| Value::String("simple".into()));
        o.entry("namespace_type")
            .or_insert_with(|| Value::String("single".into()));
        let name = o.get("name").cloned().unwrap_or_default();
        o.entry("description").or_insert(name);
        out.push(Value::Object(o));
    }
    (lists, out)
}

/// Keys every rule object Kibana imports must have (`RuleToImport`), for checks and tests.
pub const REQUIRED_KEYS: &[&str] = &[
    "rule_id",
    "name",
    "description",
    "risk_score",
    "severity",
    "type",
];

/// The required keys `o` lacks.
pub fn missing_keys(o: &Map<String, Value>) -> Vec<&'static str> {
    REQUIRED_KEYS
        .iter()
        .copied()
        .filter(|k| !o.contains_key(*k))
        .collect()
}
