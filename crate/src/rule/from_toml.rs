//! The spanned TOML tree (`toml::de::DeTable`) → the rule model, by hand.
//!
//! Why not `#[derive(Deserialize)]`: the model keeps unknown keys, and serde's flatten support
//! buffers every value and instantiates the derive code for several deserializers; in the wasm
//! build that was the largest single contributor to the module size. Walking the parsed tree
//! directly is a fraction of the code, and every value still has its span, so a wrongly typed key
//! is reported where it is. Values the model does not type are kept as JSON values (datetimes as
//! their text), which is what the page shows anyway.

use super::model::{
    ExceptionListRef, InvestigationFields, Metadata, MitreRef, ModelError, NewTerms, Rule,
    Technique, Threat, Threshold,
};
use crate::diagnostic::{Diagnostic, RuleErrorKind, Span};
use serde_json::{Map, Value as Json};
use toml::de::{DeTable as Table, DeValue as Value};
use toml::Spanned;

type Val<'i> = Spanned<Value<'i>>;

/// A whole rule file, split the way the loader needs it.
pub struct File<'t, 'i> {
    pub metadata: Option<Metadata>,
    pub rule: Option<Rule>,
    /// The `query` value in `[rule]`, for its position in the file.
    pub query: Option<&'t Val<'i>>,
    pub sections: Map<String, Json>,
}

/// The byte span of a value or key as the core's `Span`.
pub fn span<T>(v: &Spanned<T>) -> Span {
    let r = v.span();
    Span::new(r.start, r.end)
}

fn err(what: &str, expected: &str, v: &Val) -> Diagnostic {
    Diagnostic::new(
        RuleErrorKind::WrongType,
        format!(
            "invalid rule file: {what}: expected {expected}, found {}",
            v.get_ref().type_str()
        ),
        span(v),
    )
    .expected([expected])
}

fn invalid(message: &str, v: &Val) -> Diagnostic {
    Diagnostic::new(
        RuleErrorKind::InvalidValue,
        format!("invalid rule file: {message}"),
        span(v),
    )
}

pub fn file<'t, 'i>(root: &'t Table<'i>) -> Result<File<'t, 'i>, Diagnostic> {
    let mut out = File {
        metadata: None,
        rule: None,
        query: None,
        sections: Map::new(),
    };
    for (k, v) in root.iter() {
        match k.get_ref().as_ref() {
            "metadata" => out.metadata = Some(metadata(table(v, "metadata")?)?),
            "rule" => {
                let t = table(v, "rule")?;
                out.query = t.get("query");
                out.rule = Some(rule(t)?);
            }
            other => {
                out.sections.insert(other.to_string(), value(v)?);
            }
        }
    }
    Ok(out)
}

fn table<'t, 'i>(v: &'t Val<'i>, what: &str) -> Result<&'t Table<'i>, Diagnostic> {
    v.get_ref()
        .as_table()
        .ok_or_else(|| err(what, "a table", v))
}

fn string(v: &Val, what: &str) -> Result<String, Diagnostic> {
    v.get_ref()
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| err(what, "a string", v))
}

fn integer(v: &Val, what: &str) -> Result<i64, Diagnostic> {
    match v.get_ref() {
        // The crate leaves the range check to whoever converts the digits.
        Value::Integer(n) => i64::from_str_radix(n.as_str(), n.radix())
            .map_err(|_| invalid("integer number overflowed", v)),
        _ => Err(err(what, "an integer", v)),
    }
}

/// A list of strings, also written as a single string (some published files do that).
fn one_or_many(v: &Val, what: &str) -> Result<Vec<String>, Diagnostic> {
    match v.get_ref() {
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
    let Value::Array(a) = v.get_ref() else {
        return Err(err(what, "an array of tables", v));
    };
    a.iter().map(|x| f(table(x, what)?, what)).collect()
}

/// A TOML value as JSON: datetimes as their text; NaN and infinities, which JSON cannot hold,
/// as null (what serializing them through serde_json gave before). Numbers that overflow are
/// errors, as TOML requires.
pub fn value(v: &Val) -> Result<Json, Diagnostic> {
    Ok(match v.get_ref() {
        Value::String(s) => Json::String(s.to_string()),
        Value::Datetime(d) => Json::String(d.to_string()),
        Value::Integer(_) => Json::from(integer(v, "")?),
        Value::Float(x) => {
            let text = x.as_str();
            let f: f64 = text
                .parse()
                .map_err(|_| invalid("invalid floating-point number", v))?;
            if f.is_infinite() && !text.contains("inf") {
                return Err(invalid("floating-point number overflowed", v));
            }
            serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
        }
        Value::Boolean(b) => Json::Bool(*b),
        Value::Array(a) => Json::Array(a.iter().map(value).collect::<Result<_, _>>()?),
        Value::Table(t) => {
            // Inserting one by one: collecting into the map would instantiate a sort (size).
            let mut m = Map::new();
            for (k, v) in t.iter() {
                m.insert(k.get_ref().to_string(), value(v)?);
            }
            Json::Object(m)
        }
    })
}

fn metadata(t: &Table) -> Result<Metadata, Diagnostic> {
    let mut m = Metadata::default();
    for (k, v) in t.iter() {
        let key = k.get_ref().as_ref();
        let what = &format!("metadata.{key}");
        match key {
            "creation_date" => m.creation_date = Some(string(v, what)?),
            "updated_date" => m.updated_date = Some(string(v, what)?),
            "maturity" => m.maturity = Some(string(v, what)?),
            "integration" => m.integration = one_or_many(v, what)?,
            _ => {
                m.extra.insert(key.to_string(), value(v)?);
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
    for (k, v) in t.iter() {
        let key = k.get_ref().as_ref();
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
                for (k, v) in t.iter() {
                    match k.get_ref().as_ref() {
                        "field_names" => f.field_names = one_or_many(v, what)?,
                        other => {
                            f.extra.insert(other.to_string(), value(v)?);
                        }
                    }
                }
                r.investigation_fields = Some(f);
            }
            "threat" => r.threat = array_of(v, what, threat)?,
            "exceptions_list" => r.exceptions_list = array_of(v, what, exception_list)?,
            "filters" => {
                let Value::Array(a) = v.get_ref() else {
                    return Err(err(what, "an array", v));
                };
                r.filters = a.iter().map(value).collect::<Result<_, _>>()?;
            }
            "new_terms" => r.new_terms = Some(converted(v, NewTerms::try_from)?),
            "threshold" => r.threshold = Some(converted(v, Threshold::try_from)?),
            _ => {
                r.extra.insert(key.to_string(), value(v)?);
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

fn converted<T>(v: &Val, f: impl Fn(Json) -> Result<T, ModelError>) -> Result<T, Diagnostic> {
    f(value(v)?)
        .map_err(|(kind, msg)| Diagnostic::new(kind, format!("invalid rule file: {msg}"), span(v)))
}

fn mitre_ref(t: &Table, what: &str) -> Result<MitreRef, Diagnostic> {
    let mut m = MitreRef::default();
    for (k, v) in t.iter() {
        match k.get_ref().as_ref() {
            "id" => m.id = string(v, what)?,
            "name" => m.name = string(v, what)?,
            "reference" => m.reference = string(v, what)?,
            other => {
                m.extra.insert(other.to_string(), value(v)?);
            }
        }
    }
    Ok(m)
}

fn technique(t: &Table, what: &str) -> Result<Technique, Diagnostic> {
    let mut m = Technique::default();
    for (k, v) in t.iter() {
        match k.get_ref().as_ref() {
            "id" => m.id = string(v, what)?,
            "name" => m.name = string(v, what)?,
            "reference" => m.reference = string(v, what)?,
            "subtechnique" => m.subtechnique = array_of(v, what, mitre_ref)?,
            other => {
                m.extra.insert(other.to_string(), value(v)?);
            }
        }
    }
    Ok(m)
}

fn threat(t: &Table, what: &str) -> Result<Threat, Diagnostic> {
    let mut m = Threat::default();
    for (k, v) in t.iter() {
        match k.get_ref().as_ref() {
            "framework" => m.framework = string(v, what)?,
            "tactic" => m.tactic = Some(mitre_ref(table(v, what)?, what)?),
            "technique" => m.technique = array_of(v, what, technique)?,
            other => {
                m.extra.insert(other.to_string(), value(v)?);
            }
        }
    }
    Ok(m)
}

fn exception_list(t: &Table, what: &str) -> Result<ExceptionListRef, Diagnostic> {
    let mut m = ExceptionListRef::default();
    for (k, v) in t.iter() {
        match k.get_ref().as_ref() {
            "id" => m.id = string(v, what)?,
            "list_id" => m.list_id = string(v, what)?,
            "namespace_type" => m.namespace_type = Some(string(v, what)?),
            "type" => m.list_type = Some(string(v, what)?),
            other => {
                m.extra.insert(other.to_string(), value(v)?);
            }
        }
    }
    Ok(m)
}
