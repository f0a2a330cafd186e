//! The spanned TOML tree (`toml::de::DeTable`) → the rule model, by hand.
//!
//! Why not `#[derive(Deserialize)]`: the model keeps unknown keys with `#[serde(flatten)]`, and
//! serde's flatten support buffers every value and instantiates the derive code for several
//! deserializers; in the wasm build that was the largest single contributor to the module size.
//! Walking the parsed tree directly is a fraction of the code, and every value still has its span,
//! so a wrongly typed key is reported where it is.

use super::model::{
    ExceptionListRef, InvestigationFields, Metadata, MitreRef, NewTerms, Rule, Technique, Threat,
    Threshold,
};
use crate::diagnostic::{Diagnostic, Span};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

type Val<'i> = Spanned<DeValue<'i>>;

/// A whole rule file, split the way the loader needs it.
pub struct File<'i> {
    pub metadata: Option<Metadata>,
    pub rule: Option<Rule>,
    /// The `query` value in `[rule]`, for its position in the file.
    pub query: Option<&'i Val<'i>>,
    pub sections: toml::Table,
}

fn err(what: &str, expected: &str, v: &Val<'_>) -> Diagnostic {
    let span = v.span();
    Diagnostic::new(
        format!(
            "invalid rule file: {what}: expected {expected}, found {}",
            v.get_ref().type_str()
        ),
        Span::new(span.start, span.end),
    )
}

pub fn file<'i>(root: &'i DeTable<'i>) -> Result<File<'i>, Diagnostic> {
    let mut out = File {
        metadata: None,
        rule: None,
        query: None,
        sections: toml::Table::new(),
    };
    for (k, v) in root {
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

fn table<'a, 'i>(v: &'a Val<'i>, what: &str) -> Result<&'a DeTable<'i>, Diagnostic> {
    v.get_ref()
        .as_table()
        .ok_or_else(|| err(what, "a table", v))
}

fn string(v: &Val<'_>, what: &str) -> Result<String, Diagnostic> {
    v.get_ref()
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| err(what, "a string", v))
}

fn integer(v: &Val<'_>, what: &str) -> Result<i64, Diagnostic> {
    match value(v)? {
        toml::Value::Integer(n) => Ok(n),
        _ => Err(err(what, "an integer", v)),
    }
}

/// A list of strings, also written as a single string (some published files do that).
fn one_or_many(v: &Val<'_>, what: &str) -> Result<Vec<String>, Diagnostic> {
    match v.get_ref() {
        DeValue::String(s) => Ok(vec![s.to_string()]),
        DeValue::Array(a) => a.iter().map(|x| string(x, what)).collect(),
        _ => Err(err(what, "a string or a list of strings", v)),
    }
}

fn array_of<'i, T>(
    v: &Val<'i>,
    what: &str,
    f: impl Fn(&DeTable<'i>, &str) -> Result<T, Diagnostic>,
) -> Result<Vec<T>, Diagnostic> {
    let DeValue::Array(a) = v.get_ref() else {
        return Err(err(what, "an array of tables", v));
    };
    a.iter().map(|x| f(table(x, what)?, what)).collect()
}

/// Converts a value to `toml::Value`, with the checks `toml::from_str` makes.
pub fn value(v: &Val<'_>) -> Result<toml::Value, Diagnostic> {
    let overflow = |kind: &str| {
        let span = v.span();
        Diagnostic::new(
            format!("invalid rule file: {kind} number overflowed"),
            Span::new(span.start, span.end),
        )
    };
    Ok(match v.get_ref() {
        DeValue::String(s) => toml::Value::String(s.to_string()),
        DeValue::Integer(n) => toml::Value::Integer(
            i64::from_str_radix(n.as_str(), n.radix()).map_err(|_| overflow("integer"))?,
        ),
        DeValue::Float(f) => {
            let x: f64 = f.as_str().parse().map_err(|_| overflow("floating-point"))?;
            if x.is_infinite() && !f.as_str().contains("inf") {
                return Err(overflow("floating-point"));
            }
            toml::Value::Float(x)
        }
        DeValue::Boolean(b) => toml::Value::Boolean(*b),
        DeValue::Datetime(d) => toml::Value::Datetime(*d),
        DeValue::Array(a) => toml::Value::Array(a.iter().map(value).collect::<Result<_, _>>()?),
        DeValue::Table(t) => toml::Value::Table(to_table(t)?),
    })
}

fn to_table(t: &DeTable<'_>) -> Result<toml::Table, Diagnostic> {
    let mut out = toml::Table::new();
    for (k, v) in t {
        out.insert(k.get_ref().to_string(), value(v)?);
    }
    Ok(out)
}

fn metadata(t: &DeTable<'_>) -> Result<Metadata, Diagnostic> {
    let mut m = Metadata::default();
    for (k, v) in t {
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

fn rule(t: &DeTable<'_>) -> Result<Rule, Diagnostic> {
    let mut r = Rule {
        rule_type: "query".to_string(),
        ..Rule::default()
    };
    for (k, v) in t {
        let key = k.get_ref().as_ref();
        let what = &format!("rule.{key}");
        let s = || string(v, what);
        match key {
            "name" => r.name = s()?,
            "description" => r.description = s()?,
            "rule_id" => r.rule_id = s()?,
            "type" => r.rule_type = s()?,
            "language" => r.language = Some(s()?),
            "query" => r.query = Some(s()?),
            "index" => r.index = one_or_many(v, what)?,
            "from" => r.from = Some(s()?),
            "to" => r.to = Some(s()?),
            "interval" => r.interval = Some(s()?),
            "risk_score" => r.risk_score = Some(integer(v, what)?),
            "severity" => r.severity = Some(s()?),
            "tags" => r.tags = one_or_many(v, what)?,
            "author" => r.author = one_or_many(v, what)?,
            "license" => r.license = Some(s()?),
            "references" => r.references = one_or_many(v, what)?,
            "false_positives" => r.false_positives = one_or_many(v, what)?,
            "note" => r.note = Some(s()?),
            "setup" => r.setup = Some(s()?),
            "investigation_fields" => {
                let t = table(v, what)?;
                let mut f = InvestigationFields::default();
                for (k, v) in t {
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
                let DeValue::Array(a) = v.get_ref() else {
                    return Err(err(what, "an array", v));
                };
                r.filters = a
                    .iter()
                    .map(|x| {
                        // Through `toml::Value`'s serializer, so datetimes and NaN come out as
                        // they did when the filters were deserialized straight into JSON.
                        serde_json::to_value(value(x)?)
                            .map_err(|e| Diagnostic::new(e.to_string(), Span::default()))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "timestamp_override" => r.timestamp_override = Some(s()?),
            "event_category_override" => r.event_category_override = Some(s()?),
            "tiebreaker_field" => r.tiebreaker_field = Some(s()?),
            "max_signals" => r.max_signals = Some(integer(v, what)?),
            "building_block_type" => r.building_block_type = Some(s()?),
            "new_terms" => r.new_terms = Some(converted(v, NewTerms::try_from)?),
            "threshold" => r.threshold = Some(converted(v, Threshold::try_from)?),
            _ => {
                r.extra.insert(key.to_string(), value(v)?);
            }
        }
    }
    Ok(r)
}

fn converted<T>(
    v: &Val<'_>,
    f: impl Fn(toml::Value) -> Result<T, String>,
) -> Result<T, Diagnostic> {
    f(value(v)?).map_err(|msg| {
        let span = v.span();
        Diagnostic::new(
            format!("invalid rule file: {msg}"),
            Span::new(span.start, span.end),
        )
    })
}

fn mitre_ref(t: &DeTable<'_>, what: &str) -> Result<MitreRef, Diagnostic> {
    let mut m = MitreRef::default();
    for (k, v) in t {
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

fn technique(t: &DeTable<'_>, what: &str) -> Result<Technique, Diagnostic> {
    let mut m = Technique::default();
    for (k, v) in t {
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

fn threat(t: &DeTable<'_>, what: &str) -> Result<Threat, Diagnostic> {
    let mut m = Threat::default();
    for (k, v) in t {
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

fn exception_list(t: &DeTable<'_>, what: &str) -> Result<ExceptionListRef, Diagnostic> {
    let mut m = ExceptionListRef::default();
    for (k, v) in t {
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
