//! The rule model: Elastic detection-rules TOML as published, as plain data (built from the
//! parsed TOML by `rule::from_toml`; serialized with serde for the page).
//!
//! Every table keeps the keys it does not model in `extra`, so no published (or future) key makes
//! a file fail to load, and the page can still show it. Only the keys the engine interprets are
//! typed; their types follow the detection-rules schema.

use crate::diagnostic::{RuleErrorKind, Span};
use serde::Serialize;
use serde_json::{Map, Value};

/// Why a table the model reads as a whole (`[rule.new_terms]`, `[rule.threshold]`) was refused.
pub type ModelError = (RuleErrorKind, String);

fn wrong_type(message: impl Into<String>) -> ModelError {
    (RuleErrorKind::WrongType, message.into())
}

fn missing(message: impl Into<String>) -> ModelError {
    (RuleErrorKind::MissingKey, message.into())
}

fn invalid(message: impl Into<String>) -> ModelError {
    (RuleErrorKind::InvalidValue, message.into())
}

/// `[metadata]`: bookkeeping of the detection-rules repository.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maturity: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub integration: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One loaded rule file: the `[rule]` table's keys, plus `[metadata]` and any other top-level
/// table (`[transform]`, …) kept in `sections`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Rule {
    pub name: String,
    pub description: String,
    pub rule_id: String,
    /// `query`, `eql`, `new_terms`, `threshold`, `esql`, `machine_learning`, `threat_match`, …
    #[serde(rename = "type")]
    pub rule_type: String,
    /// `kuery`, `eql`, `lucene`, `esql`; absent for machine_learning rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub index: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk_score: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub author: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub false_positives: Vec<String>,
    /// The investigation guide (Markdown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub investigation_fields: Option<InvestigationFields>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub threat: Vec<Threat>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exceptions_list: Vec<ExceptionListRef>,
    /// Kibana filter objects ANDed with the query (see `rule::filters`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<serde_json::Value>,
    /// Field the rule orders and windows events by instead of `@timestamp` (falls back to
    /// `@timestamp` when an event lacks it, as Kibana does by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_override: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_category_override: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiebreaker_field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_signals: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building_block_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_terms: Option<NewTerms>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<Threshold>,
    /// `[rule]` keys not modelled above, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,

    /// `[metadata]` (filled by the loader).
    pub metadata: Metadata,
    /// Top-level tables other than `[metadata]` and `[rule]`, e.g. `[transform]` (filled by the loader).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub sections: Map<String, Value>,
    /// Where the query text sits in the rule file (filled by the loader).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_span: Option<Span>,
    /// Maps byte offsets in `query` back to the file (escapes make them differ).
    #[serde(skip)]
    pub query_pos: Option<QueryPos>,
}

impl Rule {
    /// The language the query is written in, with the detection-rules defaults
    /// (`eql` rules are EQL, other query-based rules default to KQL as Kibana does).
    pub fn effective_language(&self) -> Option<&str> {
        match (&self.language, self.rule_type.as_str()) {
            (Some(l), _) => Some(l.as_str()),
            (None, "eql") => Some("eql"),
            (None, "esql") => Some("esql"),
            (None, "machine_learning") => None,
            (None, _) if self.query.is_some() => Some("kuery"),
            _ => None,
        }
    }

    /// The field events are ordered by: `timestamp_override` when set, else `@timestamp`.
    pub fn timestamp_field(&self) -> &str {
        self.timestamp_override.as_deref().unwrap_or("@timestamp")
    }

    /// MITRE ATT&CK identifiers referenced by the rule, tactics first.
    pub fn mitre_ids(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in &self.threat {
            if let Some(tac) = &t.tactic {
                out.push(tac.id.clone());
            }
            for tech in &t.technique {
                out.push(tech.id.clone());
                out.extend(tech.subtechnique.iter().map(|s| s.id.clone()));
            }
        }
        out
    }
}

/// Maps a byte offset inside the decoded query string to a byte offset in the rule file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryPos {
    /// File offset of the query's first byte.
    pub base: usize,
    /// When escapes or line-ending backslashes make the decoded text differ from the source:
    /// the file offset of each decoded byte, plus one entry for the end.
    pub map: Option<Vec<usize>>,
}

impl QueryPos {
    pub fn to_file(&self, offset: usize) -> usize {
        match &self.map {
            None => self.base + offset,
            Some(m) => m.get(offset).or(m.last()).copied().unwrap_or(self.base),
        }
    }

    pub fn span_to_file(&self, span: Span) -> Span {
        Span::new(self.to_file(span.start), self.to_file(span.end))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct InvestigationFields {
    pub field_names: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One `[[rule.threat]]` entry: a MITRE tactic and its techniques.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Threat {
    pub framework: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tactic: Option<MitreRef>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub technique: Vec<Technique>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MitreRef {
    pub id: String,
    pub name: String,
    pub reference: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Technique {
    pub id: String,
    pub name: String,
    pub reference: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subtechnique: Vec<MitreRef>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `[[rule.exceptions_list]]`: a reference to a Kibana exception list (its items live in Kibana).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ExceptionListRef {
    pub id: String,
    pub list_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_type: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub list_type: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `[rule.new_terms]`. The published shape is
/// `field = "new_terms_fields"`, `value = [...]`, `[[rule.new_terms.history_window_start]]`
/// `field = "history_window_start"`, `value = "now-14d"`; Kibana's API shape
/// (`new_terms_fields = [...]`, `history_window_start = "now-14d"`) is accepted too.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct NewTerms {
    pub fields: Vec<String>,
    /// Date math relative to the event, e.g. `now-14d`.
    pub history_window_start: Option<String>,
}

impl TryFrom<Value> for NewTerms {
    type Error = ModelError;

    fn try_from(v: Value) -> Result<Self, ModelError> {
        let t = v
            .as_object()
            .ok_or_else(|| wrong_type("expected a table for rule.new_terms"))?;
        let strings = |v: &Value, what: &str| -> Result<Vec<String>, ModelError> {
            match v {
                Value::String(s) => Ok(vec![s.clone()]),
                Value::Array(a) => a
                    .iter()
                    .map(|x| {
                        x.as_str().map(str::to_string).ok_or_else(|| {
                            wrong_type(format!("expected field names (strings) in {what}"))
                        })
                    })
                    .collect(),
                _ => Err(wrong_type(format!(
                    "expected a list of field names in {what}"
                ))),
            }
        };
        let mut out = NewTerms::default();
        if let Some(f) = t.get("new_terms_fields") {
            out.fields = strings(f, "new_terms_fields")?;
        } else if t.get("field").and_then(Value::as_str) == Some("new_terms_fields") {
            if let Some(v) = t.get("value") {
                out.fields = strings(v, "rule.new_terms.value")?;
            }
        } else if let Some(f) = t.get("field") {
            return Err(invalid(format!(
                "expected field = \"new_terms_fields\" in rule.new_terms, found {f}"
            )));
        }
        match t.get("history_window_start") {
            None => {}
            Some(Value::String(s)) => out.history_window_start = Some(s.clone()),
            Some(Value::Array(items)) => {
                for item in items {
                    let Some(it) = item.as_object() else { continue };
                    if it.get("field").and_then(Value::as_str) == Some("history_window_start") {
                        out.history_window_start =
                            it.get("value").and_then(Value::as_str).map(str::to_string);
                    }
                }
            }
            Some(_) => {
                return Err(wrong_type(
                    "expected date math such as \"now-14d\" in history_window_start",
                ))
            }
        }
        if out.fields.len() > 3 {
            return Err(invalid(format!(
                "new_terms takes at most 3 fields, found {}",
                out.fields.len()
            )));
        }
        Ok(out)
    }
}

/// `[rule.threshold]`: group by `field` (none = one group), alert when a group has ≥ `value`
/// events and, for each `cardinality` entry, ≥ that many distinct values of its field.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Threshold {
    pub field: Vec<String>,
    pub value: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cardinality: Vec<Cardinality>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Cardinality {
    pub field: String,
    pub value: u64,
}

impl TryFrom<Value> for Threshold {
    type Error = ModelError;

    fn try_from(v: Value) -> Result<Self, ModelError> {
        let t = v
            .as_object()
            .ok_or_else(|| wrong_type("expected a table for rule.threshold"))?;
        let field = match t.get("field") {
            None => Vec::new(),
            Some(Value::String(s)) if s.is_empty() => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .map(|x| {
                    x.as_str().map(str::to_string).ok_or_else(|| {
                        wrong_type("expected field names (strings) in rule.threshold.field")
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(wrong_type(
                    "expected a list of field names in rule.threshold.field",
                ))
            }
        };
        let count = |v: Option<&Value>, what: &str| -> Result<u64, ModelError> {
            match v.map(|x| (x, x.as_u64())) {
                Some((_, Some(n))) => Ok(n),
                Some((other, None)) => {
                    let found =
                        format!("expected a non-negative integer for {what}, found {other}");
                    Err(if other.is_i64() {
                        invalid(found)
                    } else {
                        wrong_type(found)
                    })
                }
                None => Err(missing(format!("{what} is missing"))),
            }
        };
        let value = count(t.get("value"), "rule.threshold.value")?;
        let mut cardinality = Vec::new();
        if let Some(c) = t.get("cardinality") {
            let items = c
                .as_array()
                .ok_or_else(|| wrong_type("expected [[rule.threshold.cardinality]] entries"))?;
            for item in items {
                let it = item
                    .as_object()
                    .ok_or_else(|| wrong_type("expected a table in rule.threshold.cardinality"))?;
                let field = match it.get("field") {
                    Some(Value::String(s)) => s.clone(),
                    Some(_) => {
                        return Err(wrong_type(
                            "expected a string for rule.threshold.cardinality.field",
                        ))
                    }
                    None => return Err(missing("rule.threshold.cardinality needs a field")),
                };
                let value = count(it.get("value"), "rule.threshold.cardinality.value")?;
                cardinality.push(Cardinality { field, value });
            }
        }
        Ok(Threshold {
            field,
            value,
            cardinality,
        })
    }
}
