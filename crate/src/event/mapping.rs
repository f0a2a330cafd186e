//! User mappings: the JSON `GET index/_mapping` returns, an index template's `mappings`, or a bare
//! `{"properties": …}`. Their field types override ECS's (real indices hold integration and
//! custom fields ECS does not define). The mappings in force are per thread (the CLI sets them
//! once; the wasm page is one thread), so every layer that asks [`super::ecs::field_info`] for a
//! type sees them without threading a parameter through each evaluator.

use super::ecs::FieldType;
use crate::diagnostic::{Diagnostic, EventErrorKind, Span};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// One mapped field, by its dotted name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappedField {
    pub ty: FieldType,
    pub ignore_above: Option<usize>,
    /// Where the values live: the parent for a multi-field (`host.os.name.caseless` reads
    /// `host.os.name`), the `path` of an `alias`, else the field itself.
    pub source: String,
}

/// Fields of one or more mappings, flattened to dotted names. Later mappings win.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mappings {
    fields: HashMap<String, MappedField>,
}

impl Mappings {
    /// Read a mapping document; an error names what is wrong (spans cover the whole text: the
    /// JSON parser's position is given in the message).
    pub fn parse(text: &str) -> Result<Mappings, Diagnostic> {
        let mut m = Mappings::default();
        m.add(text)?;
        Ok(m)
    }

    /// Add the fields of another mapping document.
    pub fn add(&mut self, text: &str) -> Result<(), Diagnostic> {
        let whole = Span::new(0, text.len());
        let doc: Value = serde_json::from_str(text).map_err(|e| {
            Diagnostic::new(
                EventErrorKind::InvalidJson,
                format!("mapping is not JSON: {e}"),
                whole,
            )
        })?;
        let mut found = Vec::new();
        collect_properties(&doc, 0, &mut found);
        if found.is_empty() {
            return Err(Diagnostic::new(
                EventErrorKind::InvalidMapping,
                "no \"properties\" found: expected the JSON of GET index/_mapping, GET _index_template/x, GET _component_template/x, a template's \"mappings\", or {\"properties\": …}",
                whole,
            ));
        }
        for props in found {
            self.flatten(props, "");
        }
        // Aliases read their target's values and type (Elasticsearch resolves them so).
        let aliases: Vec<(String, String)> = self
            .fields
            .iter()
            .filter(|(_, f)| f.ty == FieldType::Object && f.source.starts_with('\u{0}'))
            .map(|(n, f)| (n.clone(), f.source[1..].to_string()))
            .collect();
        for (name, path) in aliases {
            let target = self.fields.get(&path).cloned();
            match target {
                Some(t) => {
                    self.fields.insert(name, t);
                }
                None => {
                    self.fields.remove(&name);
                }
            }
        }
        Ok(())
    }

    fn flatten(&mut self, props: &Map<String, Value>, prefix: &str) {
        for (key, def) in props {
            let name = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            let ty_name = def.get("type").and_then(Value::as_str);
            let sub = def.get("properties").and_then(Value::as_object);
            let ty = match ty_name {
                Some("alias") => {
                    if let Some(path) = def.get("path").and_then(Value::as_str) {
                        // Resolved once every field is known (see `add`).
                        self.fields.insert(
                            name.clone(),
                            MappedField {
                                ty: FieldType::Object,
                                ignore_above: None,
                                source: format!("\u{0}{path}"),
                            },
                        );
                    }
                    continue;
                }
                Some(t) => FieldType::parse(t).unwrap_or(FieldType::Keyword),
                None if sub.is_some() => FieldType::Object,
                None => continue,
            };
            let ignore_above = def
                .get("ignore_above")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok());
            self.fields.insert(
                name.clone(),
                MappedField {
                    ty,
                    ignore_above,
                    source: name.clone(),
                },
            );
            if let Some(multi) = def.get("fields").and_then(Value::as_object) {
                for (mk, md) in multi {
                    let mty = md
                        .get("type")
                        .and_then(Value::as_str)
                        .and_then(FieldType::parse)
                        .unwrap_or(FieldType::Keyword);
                    self.fields.insert(
                        format!("{name}.{mk}"),
                        MappedField {
                            ty: mty,
                            ignore_above: md
                                .get("ignore_above")
                                .and_then(Value::as_u64)
                                .and_then(|n| usize::try_from(n).ok()),
                            source: name.clone(),
                        },
                    );
                }
            }
            if let Some(sub) = sub {
                self.flatten(sub, &name);
            }
        }
    }

    pub fn get(&self, field: &str) -> Option<&MappedField> {
        self.fields.get(field)
    }

    /// Whether `field` has a `keyword` multi-field: Elasticsearch's EQL then matches a `text`
    /// field exactly through it (QL `EsField.getExactInfo`, testMultiField).
    pub fn has_keyword_subfield(&self, field: &str) -> bool {
        let prefix = format!("{field}.");
        self.fields.iter().any(|(n, f)| {
            n.strip_prefix(&prefix)
                .is_some_and(|rest| !rest.contains('.'))
                && f.source == field
                && f.ty == FieldType::Keyword
        })
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Every mapped field name, for completion and "known field" checks.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }
}

/// Every `properties` object reachable through `mappings` (any index of a `GET _mapping`
/// answer, a composable template's `template.mappings`, each template of a `GET
/// _index_template/x` or `GET _component_template/x` answer, whose lists are arrays), or the
/// document's own.
fn collect_properties<'v>(v: &'v Value, depth: usize, out: &mut Vec<&'v Map<String, Value>>) {
    if depth > 6 {
        return;
    }
    if let Some(items) = v.as_array() {
        for item in items {
            collect_properties(item, depth + 1, out);
        }
        return;
    }
    let Some(obj) = v.as_object() else {
        return;
    };
    if let Some(p) = obj.get("properties").and_then(Value::as_object) {
        out.push(p);
        return;
    }
    for (k, child) in obj {
        // `_doc` wraps typed mappings of old indices; anything else may be an index name.
        let _ = k;
        collect_properties(child, depth + 1, out);
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Mappings>>> = const { RefCell::new(None) };
}

/// Put `m` in force for this thread (`None`: ECS only).
pub fn set_current(m: Option<Mappings>) {
    CURRENT.with(|c| *c.borrow_mut() = m.map(Rc::new));
}

/// The mappings in force, if any.
pub fn current() -> Option<Rc<Mappings>> {
    CURRENT.with(|c| c.borrow().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_get_mapping_answers_and_templates() {
        let get = r#"{"logs-a":{"mappings":{"properties":{"custom":{"properties":{"score":{"type":"float"}}},
            "host":{"properties":{"os":{"properties":{"name":{"type":"keyword","fields":{"caseless":{"type":"keyword","normalizer":"lowercase"}}}}}}},
            "who":{"type":"alias","path":"custom.score"}}}}}"#;
        let m = Mappings::parse(get).unwrap();
        assert_eq!(m.get("custom.score").unwrap().ty, FieldType::Float);
        assert_eq!(
            m.get("host.os.name.caseless").unwrap().source,
            "host.os.name"
        );
        assert_eq!(m.get("who").unwrap().source, "custom.score");
        let template = r#"{"template":{"mappings":{"properties":{"a":{"type":"ip"}}}}}"#;
        assert_eq!(
            Mappings::parse(template).unwrap().get("a").unwrap().ty,
            FieldType::Ip
        );
        // GET _index_template/x and GET _component_template/x answers: lists of templates.
        let index_templates = r#"{"index_templates":[{"name":"logs-custom","index_template":{
            "index_patterns":["logs-custom-*"],"composed_of":["ecs@mappings"],
            "template":{"settings":{},"mappings":{"dynamic_templates":[{"strings":{"match_mapping_type":"string","mapping":{"type":"keyword"}}}],
            "properties":{"custom":{"properties":{"port":{"type":"long"}}}}}}}}]}"#;
        let m = Mappings::parse(index_templates).unwrap();
        assert_eq!(m.get("custom.port").unwrap().ty, FieldType::Long);
        let components = r#"{"component_templates":[
            {"name":"a","component_template":{"template":{"mappings":{"properties":{"x":{"type":"ip"}}}}}},
            {"name":"b","component_template":{"template":{"mappings":{"properties":{"y":{"type":"date"}}}}}}]}"#;
        let m = Mappings::parse(components).unwrap();
        assert_eq!(m.get("x").unwrap().ty, FieldType::Ip);
        assert_eq!(m.get("y").unwrap().ty, FieldType::Date);
        assert!(Mappings::parse("{}").is_err());
        assert!(Mappings::parse("not json").is_err());
    }
}
