//! The parsed TOML tree (`rule::toml_reader`) → the rule model, by hand.
//!
//! Why not `#[derive(Deserialize)]`: the model keeps unknown keys, and serde's flatten support
//! buffers every value and instantiates the derive code for several deserializers; in the wasm
//! build that was the largest single contributor to the module size. Walking the parsed tree
//! directly is a fraction of the code, and every value still has its span, so a wrongly typed key
//! is reported where it is. Values the model does not type are kept as JSON values (datetimes as
//! their text), which is what the page shows anyway.

use super::model::{
    ExceptionListRef, InvestigationFields, Metadata, MitreRef, NewTerms, Rule, Technique, Threat,
    Threshold,
};
use super::toml_reader::{Item as Val, Table, Value};
use crate::diagnostic::Diagnostic;
use serde_json::{Map, Value as Json};

/// A whole rule file, split the way the loader needs it.
pub struct File<'i> {
    pub metadata: Option<Metadata>,
    pub rule: Option<Rule>,
    /// The `query` value in `[rule]`, for its position in the file.
    pub query: Option<&'i Val>,
    pub sections: Map<String, Json>,
}

fn err(what: &str, expected: &str, v: &Val) -> Diagnostic {
    Diagnostic::new(
        crate::diagnostic::RuleErrorKind::Syntax,
        format!(
            "invalid rule file: {what}: expected {expected}, found {}",
            v.value.type_str()
        ),
        v.span,
    )
}

pub fn file(root: &Table) -> Result<File<'_>, Diagnostic> {
    let mut out = File {
        metadata: None,
        rule: None,
        query: None,
        sections: Map::new(),
    };
    for (k, _, v) in &root.entries {
        match k.as_str() {
            "metadata" => out.metadata = Some(metadata(table(v, "metadata")?)?),
            "rule" => {
                let t = table(v, "rule")?;
                out.query = t.get("query");
                out.rule = Some(rule(t)?);
            }
            other => {
                out.sections.insert(other.to_string(), value(v));
            }
        }
    }
    Ok(out)
}

fn table<'a>(v: &'a Val, what: &str) -> Result<&'a Table, Diagnostic> {
    v.value.as_table().ok_or_else(|| err(what, "a table", v))
}

fn string(v: &Val, what: &str) -> Result<String, Diagnostic> {
    v.value
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| err(what, "a string", v))
}

fn integer(v: &Val, what: &str) -> Result<i64, Diagnostic> {
    match v.value {
        Value::Integer(n) => Ok(n),
        _ => Err(err(what, "an integer", v)),
    }
}

/// A list of strings, also written as a single string (some published files do that).
fn one_or_many(v: &Val, what: &str) -> Result<Vec<String>, Diagnostic> {
    match &v.value {
        Value::String(s) => Ok(vec![s.to_string()]),
        Value::Array(a) => a.iter().map(|x| string(x, what)).collect(),
        _ => Err(err(what, "a string or a list of strings", v)),
    }
}

fn array_of<T>(
    v: &Val,
    what: &str,
    f: impl Fn(&Table, &str) -> Result<T, Diagnostic>,
) -> Result<Vec<T>, Diagnostic> {
    let Value::Array(a) = &v.value else {
        return Err(err(what, "an array of tables", v));
    };
    a.iter().map(|x| f(table(x, what)?, what)).collect()
}

/// A TOML value as JSON: datetimes as their text; NaN and infinities, which JSON cannot hold,
/// as null (what serializing them through serde_json gave before).
pub fn value(v: &Val) -> Json {
    match &v.value {
        Value::String(s) | Value::Datetime(s) => Json::String(s.clone()),
        Value::Integer(n) => Json::from(*n),
        Value::Float(x) => serde_json::Number::from_f64(*x).map_or(Json::Null, Json::Number),
        Value::Boolean(b) => Json::Bool(*b),
        Value::Array(a) => Json::Array(a.iter().map(value).collect()),
        Value::Table(t) => {
            // Inserting one by one: collecting into the map would instantiate a sort (size).
            let mut m = Map::new();
            for (k, _, v) in &t.entries {
                m.insert(k.clone(), value(v));
            }
            Json::Object(m)
        }
    }
}

fn metadata(t: &Table) -> Result<Metadata, Diagnostic> {
    let mut m = Metadata::default();
    for (k, _, v) in &t.entries {
        let key = k.as_str();
        let what = &format!("metadata.{key}");
        match key {
            "creation_date" => m.creation_date = Some(string(v, what)?),
            "updated_date" => m.updated_date = Some(string(v, what)?),
            "maturity" => m.maturity = Some(string(v, what)?),
            "integration" => m.integration = one_or_many(v, what)?,
            _ => {
                m.extra.insert(key.to_string(), value(v));
            }
        }
    }
    Ok(m)
}

fn rule(t: &Table) -> Result<Rule, Diagnostic> {
    let mut r = Rule {
        rule_type: "query".to_string(),
        ..Rule::default()
    };
    for (k, _, v) in &t.entries {
        let key = k.as_str();
        let what = &format!("rule.{key}");
        // One call site per value shape (the key only picks the field): a call site per key
        // made this the largest function of the wasm module.
        if let Some(slot) = string_slot(&mut r, key) {
            *slot = string(v, what)?;
            continue;
        }
        if let Some(slot) = optional_string_slot(&mut r, key) {
            *slot = Some(string(v, what)?);
            continue;
        }
        if let Some(slot) = list_slot(&mut r, key) {
            *slot = one_or_many(v, what)?;
            continue;
        }
        match key {
            "risk_score" | "max_signals" => {
                let n = Some(integer(v, what)?);
                if key == "risk_score" {
                    r.risk_score = n;
                } else {
                    r.max_signals = n;
                }
            }
            "investigation_fields" => {
                let t = table(v, what)?;
                let mut f = InvestigationFields::default();
                for (k, _, v) in &t.entries {
                    match k.as_str() {
                        "field_names" => f.field_names = one_or_many(v, what)?,
                        other => {
                            f.extra.insert(other.to_string(), value(v));
                        }
                    }
                }
                r.investigation_fields = Some(f);
            }
            "threat" => r.threat = array_of(v, what, threat)?,
            "exceptions_list" => r.exceptions_list = array_of(v, what, exception_list)?,
            "filters" => {
                let Value::Array(a) = &v.value else {
                    return Err(err(what, "an array", v));
                };
                r.filters = a.iter().map(value).collect();
            }
            "new_terms" => r.new_terms = Some(converted(v, NewTerms::try_from)?),
            "threshold" => r.threshold = Some(converted(v, Threshold::try_from)?),
            _ => {
                r.extra.insert(key.to_string(), value(v));
            }
        }
    }
    Ok(r)
}

fn string_slot<'r>(r: &'r mut Rule, key: &str) -> Option<&'r mut String> {
    Some(match key {
        "name" => &mut r.name,
        "description" => &mut r.description,
        "rule_id" => &mut r.rule_id,
        "type" => &mut r.rule_type,
        _ => return None,
    })
}

fn optional_string_slot<'r>(r: &'r mut Rule, key: &str) -> Option<&'r mut Option<String>> {
    Some(match key {
        "language" => &mut r.language,
        "query" => &mut r.query,
        "from" => &mut r.from,
        "to" => &mut r.to,
        "interval" => &mut r.interval,
        "severity" => &mut r.severity,
        "license" => &mut r.license,
        "note" => &mut r.note,
        "setup" => &mut r.setup,
        "timestamp_override" => &mut r.timestamp_override,
        "event_category_override" => &mut r.event_category_override,
        "tiebreaker_field" => &mut r.tiebreaker_field,
        "building_block_type" => &mut r.building_block_type,
        _ => return None,
    })
}

fn list_slot<'r>(r: &'r mut Rule, key: &str) -> Option<&'r mut Vec<String>> {
    Some(match key {
        "index" => &mut r.index,
        "tags" => &mut r.tags,
        "author" => &mut r.author,
        "references" => &mut r.references,
        "false_positives" => &mut r.false_positives,
        _ => return None,
    })
}

fn converted<T>(v: &Val, f: impl Fn(Json) -> Result<T, String>) -> Result<T, Diagnostic> {
    f(value(v)).map_err(|msg| {
        Diagnostic::new(
            crate::diagnostic::RuleErrorKind::Syntax,
            format!("invalid rule file: {msg}"),
            v.span,
        )
    })
}

fn mitre_ref(t: &Table, what: &str) -> Result<MitreRef, Diagnostic> {
    let mut m = MitreRef::default();
    for (k, _, v) in &t.entries {
        match k.as_str() {
            "id" => m.id = string(v, what)?,
            "name" => m.name = string(v, what)?,
            "reference" => m.reference = string(v, what)?,
            other => {
                m.extra.insert(other.to_string(), value(v));
            }
        }
    }
    Ok(m)
}

fn technique(t: &Table, what: &str) -> Result<Technique, Diagnostic> {
    let mut m = Technique::default();
    for (k, _, v) in &t.entries {
        match k.as_str() {
            "id" => m.id = string(v, what)?,
            "name" => m.name = string(v, what)?,
            "reference" => m.reference = string(v, what)?,
            "subtechnique" => m.subtechnique = array_of(v, what, mitre_ref)?,
            other => {
                m.extra.insert(other.to_string(), value(v));
            }
        }
    }
    Ok(m)
}

fn threat(t: &Table, what: &str) -> Result<Threat, Diagnostic> {
    let mut m = Threat::default();
    for (k, _, v) in &t.entries {
        match k.as_str() {
            "framework" => m.framework = string(v, what)?,
            "tactic" => m.tactic = Some(mitre_ref(table(v, what)?, what)?),
            "technique" => m.technique = array_of(v, what, technique)?,
            other => {
                m.extra.insert(other.to_string(), value(v));
            }
        }
    }
    Ok(m)
}

fn exception_list(t: &Table, what: &str) -> Result<ExceptionListRef, Diagnostic> {
    let mut m = ExceptionListRef::default();
    for (k, _, v) in &t.entries {
        match k.as_str() {
            "id" => m.id = string(v, what)?,
            "list_id" => m.list_id = string(v, what)?,
            "namespace_type" => m.namespace_type = Some(string(v, what)?),
            "type" => m.list_type = Some(string(v, what)?),
            other => {
                m.extra.insert(other.to_string(), value(v));
            }
        }
    }
    Ok(m)
}
