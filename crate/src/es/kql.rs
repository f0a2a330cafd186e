//! KQL syntax tree → query DSL, as Kibana's `kbn-es-query` `toElasticsearchQuery` builds it
//! (`src/kuery/functions/{or,and,not,is,range,nested}.ts`, `node_types/wildcard.ts`).
//!
//! Kibana's translation depends on the data view's fields. The detection engine passes none
//! (`getQueryFilter`: `fields: []`), so every field name goes through as written with no type:
//! `match` / `match_phrase`, `query_string` for wildcard values, `exists` for `f:*`, `range` with
//! the operator alone. [`Fields::Ecs`] is what a data view holding the ECS (or `--mapping`) types
//! gives instead: `range` with `time_zone` for date fields, `term` / `wildcard` for fields that are
//! only `keyword`.

use crate::event::ecs::{field_info, FieldType};
use crate::kql::ast::{Literal, Node, Part, Query, RangeOp, ValueExpr};
use serde_json::{json, Map, Value};

/// Where field types come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fields {
    /// No field list, as the detection engine calls `buildEsQuery`.
    #[default]
    None,
    /// A data view with the ECS table's types (and the mappings in force).
    Ecs,
}

/// The kind of a data-view field as `is` and `range` tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Date,
    /// `esTypes` is exactly `["keyword"]`.
    Keyword,
    Other,
}

/// `toElasticsearchQuery`'s config (`KueryQueryOptions`).
#[derive(Clone, Debug)]
pub struct KqlConfig {
    pub fields: Fields,
    /// `dateFormatTZ`: the detection engine sends `Zulu`.
    pub date_format_tz: Option<String>,
}

impl Default for KqlConfig {
    fn default() -> Self {
        KqlConfig {
            fields: Fields::None,
            date_format_tz: Some("Zulu".into()),
        }
    }
}

impl KqlConfig {
    /// The data-view field `name` stands for, if the data view has it.
    fn kind(&self, name: &str) -> Option<Kind> {
        if self.fields == Fields::None {
            return None;
        }
        let info = field_info(name);
        if !info.known {
            return None;
        }
        Some(match info.ty {
            t if t.is_date() => Kind::Date,
            FieldType::Keyword => Kind::Keyword,
            _ => Kind::Other,
        })
    }
}

/// The DSL of a whole query: an empty query is Kibana's `is('*', '*')`, `match_all`.
pub fn query_dsl(q: &Query, cfg: &KqlConfig) -> Value {
    match &q.root {
        Some(root) => node_dsl(root, cfg, None),
        None => json!({"match_all": {}}),
    }
}

/// One node; `nested` is the path of the enclosing nested group.
pub fn node_dsl(n: &Node, cfg: &KqlConfig, nested: Option<&str>) -> Value {
    match n {
        Node::Or { items, .. } => or(items.iter().map(|i| node_dsl(i, cfg, nested)).collect()),
        Node::And { items, .. } => and(items.iter().map(|i| node_dsl(i, cfg, nested)).collect()),
        Node::Not { inner, .. } => not(node_dsl(inner, cfg, nested)),
        Node::Field { field, value, .. } => value_dsl(field, value, cfg, nested),
        Node::Range {
            field, op, value, ..
        } => range(field, *op, value, cfg, nested),
        Node::Nested { field, query, .. } => {
            let path = full_name(&field.text(), nested);
            json!({"nested": {
                "path": path,
                "query": node_dsl(query, cfg, Some(&path)),
                "score_mode": "none",
            }})
        }
        Node::FreeText { value, .. } => free_text(value, nested),
    }
}

fn or(items: Vec<Value>) -> Value {
    json!({"bool": {"should": items, "minimum_should_match": 1}})
}

fn and(items: Vec<Value>) -> Value {
    json!({"bool": {"filter": items}})
}

fn not(inner: Value) -> Value {
    json!({"bool": {"must_not": inner}})
}

/// `field: (a or b and not c)`: the grammar turns the list into one `is` per value under the
/// same `or` / `and` / `not`.
fn value_dsl(field: &Literal, v: &ValueExpr, cfg: &KqlConfig, nested: Option<&str>) -> Value {
    match v {
        ValueExpr::Or { items, .. } => or(items
            .iter()
            .map(|i| value_dsl(field, i, cfg, nested))
            .collect()),
        ValueExpr::And { items, .. } => and(items
            .iter()
            .map(|i| value_dsl(field, i, cfg, nested))
            .collect()),
        ValueExpr::Not { inner, .. } => not(value_dsl(field, inner, cfg, nested)),
        ValueExpr::Value { value } => is(field, value, cfg, nested),
    }
}

/// `nestedPath.name` inside a nested group (`getFullFieldNameNode`).
fn full_name(name: &str, nested: Option<&str>) -> String {
    match nested {
        Some(p) => format!("{p}.{name}"),
        None => name.to_string(),
    }
}

/// A literal's value as Kibana's grammar builds it: unquoted `null`, `true` and `false` become
/// JSON null and booleans; everything else (numbers included) stays a string.
pub fn literal_value(l: &Literal) -> Value {
    let text = l.text();
    if !l.quoted {
        match text.as_str() {
            "null" => return Value::Null,
            "true" => return Value::Bool(true),
            "false" => return Value::Bool(false),
            _ => {}
        }
    }
    Value::String(text)
}

/// A wildcard literal for `query_string` (`wildcard.toQueryStringQuery`): its text with the
/// query-string reserved characters escaped, wildcards as `*`.
pub fn query_string_text(l: &Literal) -> String {
    let mut out = String::new();
    for p in &l.parts {
        match p {
            Part::Wildcard => out.push('*'),
            Part::Text(t) => out.push_str(&escape_query_string(t)),
        }
    }
    out
}

/// `escapeQueryString`: a backslash before each of `+-=&|><!(){}[]^"~*?:\/`.
pub fn escape_query_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "+-=&|><!(){}[]^\"~*?:\\/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A value with no field: `multi_match` over the default fields, or `query_string` for a
/// wildcard value. Inside a nested group Kibana prefixes the missing field name as
/// `path.null`, so that case becomes a field query on that name, as there.
fn free_text(value: &Literal, nested: Option<&str>) -> Value {
    if let Some(path) = nested {
        return is_on(&format!("{path}.null"), value, &KqlConfig::default());
    }
    if value.is_wildcard() {
        return json!({"query_string": {"query": query_string_text(value)}});
    }
    json!({"multi_match": {
        "type": if value.quoted { "phrase" } else { "best_fields" },
        "query": literal_value(value),
        "lenient": true,
    }})
}

/// `is(field, value)`.
fn is(field: &Literal, value: &Literal, cfg: &KqlConfig, nested: Option<&str>) -> Value {
    if field.is_star() && value.is_star() {
        return json!({"match_all": {}});
    }
    let name = full_name(&field.text(), nested);
    // Wildcard field names match data-view fields Kibana lists from the cluster; without that
    // list the name goes through as written.
    let cfg_here = if field.is_wildcard() {
        KqlConfig {
            fields: Fields::None,
            ..cfg.clone()
        }
    } else {
        cfg.clone()
    };
    is_on(&name, value, &cfg_here)
}

fn is_on(name: &str, value: &Literal, cfg: &KqlConfig) -> Value {
    let kind = cfg.kind(name);
    let q = if value.is_star() {
        json!({"exists": {"field": name}})
    } else if value.is_wildcard() {
        let text = query_string_text(value);
        if kind == Some(Kind::Keyword) {
            json!({"wildcard": {name: {"value": text}}})
        } else {
            json!({"query_string": {"fields": [name], "query": text}})
        }
    } else {
        let v = literal_value(value);
        match kind {
            Some(Kind::Date) => {
                let mut r = Map::new();
                r.insert("gte".into(), v.clone());
                r.insert("lte".into(), v.clone());
                add_time_zone(&mut r, &v, cfg);
                json!({"range": {name: r}})
            }
            Some(Kind::Keyword) => json!({"term": {name: {"value": v}}}),
            _ => {
                let ty = if value.quoted {
                    "match_phrase"
                } else {
                    "match"
                };
                json!({ty: {name: v}})
            }
        }
    };
    or(vec![q])
}

/// `time_zone` from `dateFormatTZ`, except for epoch values (numbers or digit-only strings),
/// which are absolute.
fn add_time_zone(r: &mut Map<String, Value>, v: &Value, cfg: &KqlConfig) {
    let epoch = match v {
        Value::Number(_) => true,
        Value::String(s) => !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()),
        _ => false,
    };
    if let (Some(tz), false) = (&cfg.date_format_tz, epoch) {
        r.insert("time_zone".into(), Value::String(tz.clone()));
    }
}

fn range(
    field: &Literal,
    op: RangeOp,
    value: &Literal,
    cfg: &KqlConfig,
    nested: Option<&str>,
) -> Value {
    let name = full_name(&field.text(), nested);
    let key = match op {
        RangeOp::Lt => "lt",
        RangeOp::Lte => "lte",
        RangeOp::Gt => "gt",
        RangeOp::Gte => "gte",
    };
    let v = literal_value(value);
    let mut params = Map::new();
    params.insert(key.into(), v.clone());
    let kind = if field.is_wildcard() {
        None
    } else {
        cfg.kind(&name)
    };
    if kind == Some(Kind::Date) {
        add_time_zone(&mut params, &v, cfg);
    }
    or(vec![json!({"range": {name: params}})])
}

#[cfg(test)]
#[path = "kql_tests.rs"]
mod tests;
