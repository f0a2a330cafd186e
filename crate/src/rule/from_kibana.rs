//! Rules as Kibana gives them → detection-rules TOML, which the rest of the engine (and the
//! page's rule editor) reads. Two inputs: Kibana's rule export (Rules → Export, `_export`:
//! NDJSON with one rule per line, then the exception lists and items those rules reference,
//! then a summary line) and the detection engine API's rule JSON (one rule object, pretty or
//! not, an array of them, or `_find`'s `{"data": [...]}`).
//!
//! The API's rule object and the `[rule]` table of detection-rules are the same keys, except:
//! new terms (`new_terms_fields` and `history_window_start` → `[rule.new_terms]` in the
//! published shape), and keys Kibana manages itself (`id`, `created_at`, `revision`,
//! `immutable`, `rule_source`, `execution_summary`, …), which are not part of a rule file.
//! Every other key is written as it is, so the engine reads everything it reads from a rule
//! file (`query`, `language`, `type`, `index`, `filters`, `threshold`, `timestamp_override`,
//! `exceptions_list`, `from`, `interval`, `max_signals`, …) and unknown keys survive a round
//! trip (`rule::to_kibana`).

use super::toml_out::{dr_date, is_inline, Writer};
use crate::diagnostic::{Diagnostic, RuleErrorKind, Span};
use serde::Serialize;
use serde_json::{Map, Value};
use toml_writer::ToTomlValue;

/// Keys of Kibana's rule objects that Kibana sets itself: not part of a rule file.
pub const SERVER_KEYS: &[&str] = &[
    "id",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "revision",
    "immutable",
    "rule_source",
    "execution_summary",
];

/// A Kibana rule file, read: its rules and the exception lines beside them.
#[derive(Clone, Debug, Default)]
pub struct KibanaRules {
    pub rules: Vec<Map<String, Value>>,
    /// Exception list containers and items, as exported (for `import_ndjson`).
    pub exception_lines: Vec<Value>,
    /// The export's summary line, when there is one.
    pub summary: Option<Value>,
    /// Where it came from, for the note: "Kibana rule export (NDJSON)" or "detection engine
    /// API rule JSON".
    pub what: &'static str,
}

/// One rule of the file, for a picker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleChoice {
    pub rule_id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub rule_type: String,
}

/// A rule converted to TOML, with the exceptions of the file it references.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Converted {
    pub toml: String,
    /// The referenced exception lists and their items as a Kibana exception-list export
    /// (NDJSON), when the file has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exceptions: Option<String>,
    /// One line saying what was found ("Kibana rule export: 2 rules, …; converted “X” to TOML").
    pub note: String,
    pub choices: Vec<RuleChoice>,
}

/// Whether `text` is a rule as Kibana gives it (JSON) rather than a TOML file: TOML never
/// starts with `{`, and a TOML table header `[x]` is not a JSON array of objects.
pub fn is_kibana(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('{') || (t.starts_with('[') && t[1..].trim_start().starts_with('{'))
}

fn error(kind: RuleErrorKind, message: String, at: usize) -> Diagnostic {
    Diagnostic::new(kind, message, Span::new(at, at))
}

fn json_error(text: &str, line_start: usize, e: &serde_json::Error) -> Diagnostic {
    let line_text = &text[line_start..];
    let at = line_text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum::<usize>()
        + e.column().saturating_sub(1);
    let mut at = (line_start + at).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = message.strip_suffix(&suffix).unwrap_or(&message);
    error(
        RuleErrorKind::KibanaJson,
        format!("invalid Kibana rule JSON: {message}"),
        at,
    )
}

/// Read a Kibana rule file: one JSON document (a rule, an array of rules, `{"data": [...]}`),
/// else NDJSON.
pub fn read(text: &str) -> Result<KibanaRules, Diagnostic> {
    let mut out = KibanaRules::default();
    match serde_json::from_str::<Value>(text) {
        Ok(v) => {
            out.what = "detection engine API rule JSON";
            let list = match v {
                Value::Array(a) => a,
                Value::Object(mut o) => match o.remove("data") {
                    Some(Value::Array(a)) if !o.contains_key("rule_id") => a,
                    Some(d) => {
                        o.insert("data".into(), d);
                        vec![Value::Object(o)]
                    }
                    None => vec![Value::Object(o)],
                },
                _ => Vec::new(),
            };
            for v in list {
                out.add(v);
            }
        }
        Err(_) => {
            out.what = "Kibana rule export (NDJSON)";
            let mut start = 0;
            for line in text.split_inclusive('\n') {
                let at = start;
                start += line.len();
                if line.trim().is_empty() {
                    continue;
                }
                let v =
                    serde_json::from_str::<Value>(line).map_err(|e| json_error(text, at, &e))?;
                out.add(v);
            }
        }
    }
    if out.rules.is_empty() {
        return Err(error(
            RuleErrorKind::NoSuchRule,
            format!("{} without a rule (no object with a rule_id)", out.what),
            0,
        )
        .expected(["a Kibana rule object with rule_id, name, type and query"]));
    }
    Ok(out)
}

impl KibanaRules {
    fn add(&mut self, v: Value) {
        let Value::Object(o) = v else { return };
        let has = |k: &str| o.contains_key(k);
        if has("exported_count") || has("exported_rules_count") {
            self.summary = Some(Value::Object(o));
        } else if has("rule_id") && has("type") {
            self.rules.push(o);
        } else if has("list_id") || has("entries") || has("item_id") {
            self.exception_lines.push(Value::Object(o));
        }
        // Anything else (action connectors as saved objects) is not the engine's business.
    }

    pub fn choices(&self) -> Vec<RuleChoice> {
        let s = |o: &Map<String, Value>, k: &str| {
            o.get(k).and_then(Value::as_str).unwrap_or("").to_string()
        };
        self.rules
            .iter()
            .map(|r| RuleChoice {
                rule_id: s(r, "rule_id"),
                name: s(r, "name"),
                rule_type: s(r, "type"),
            })
            .collect()
    }

    /// The rule with this `rule_id` or `name`; with neither, the only rule. Several rules and
    /// no choice, or no such rule, is an error listing the choices.
    pub fn select(&self, rule_id: Option<&str>, name: Option<&str>) -> Result<usize, Diagnostic> {
        let choices = self.choices();
        let list = || {
            choices
                .iter()
                .map(|c| format!("{} ({})", c.rule_id, c.name))
                .collect::<Vec<_>>()
        };
        let found: Vec<usize> = choices
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                rule_id.is_none_or(|id| c.rule_id == id) && name.is_none_or(|n| c.name == n)
            })
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [one] => Ok(*one),
            [] => Err(error(
                RuleErrorKind::NoSuchRule,
                format!(
                    "no rule of the file has that rule_id / name; it has: {}",
                    list().join(", ")
                ),
                0,
            )
            .expected(list())),
            _ => Err(error(
                RuleErrorKind::AmbiguousRule,
                format!(
                    "the file holds {} rules; choose one (--rule-id or --rule-name): {}",
                    found.len(),
                    list().join(", ")
                ),
                0,
            )
            .expected(list())),
        }
    }

    /// The exception lines of the lists rule `index` references (its `exceptions_list`
    /// `list_id`s), as NDJSON; `None` when there are none.
    pub fn exceptions_of(&self, index: usize) -> Option<String> {
        let rule = self.rules.get(index)?;
        let ids: Vec<&str> = rule
            .get("exceptions_list")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.get("list_id").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default();
        let mut out = String::new();
        for line in &self.exception_lines {
            let list_id = line.get("list_id").and_then(Value::as_str);
            if list_id.is_some_and(|l| ids.contains(&l)) {
                out.push_str(&line.to_string());
                out.push('\n');
            }
        }
        (!out.is_empty()).then_some(out)
    }
}

/// Read `text` and convert the rule chosen by `rule_id` / `name` (or the only one).
pub fn convert(
    text: &str,
    rule_id: Option<&str>,
    name: Option<&str>,
) -> Result<Converted, Diagnostic> {
    let file = read(text)?;
    let index = file.select(rule_id, name)?;
    Ok(file.converted(index))
}

impl KibanaRules {
    /// Rule `index` as TOML, with its exceptions and the note.
    pub fn converted(&self, index: usize) -> Converted {
        let rule = self.rules.get(index).cloned().unwrap_or_default();
        let exceptions = self.exceptions_of(index);
        let items = exceptions.as_deref().map_or(0, |e| {
            e.lines().filter(|l| l.contains("\"entries\"")).count()
        });
        let name = rule.get("name").and_then(Value::as_str).unwrap_or("");
        let mut note = format!(
            "{}: {}; “{name}” converted to detection-rules TOML",
            self.what,
            if self.rules.len() == 1 {
                "1 rule".to_string()
            } else {
                format!("{} rules", self.rules.len())
            }
        );
        if items > 0 {
            note.push_str(&format!(
                ", with the {} exception item{} of the lists it references",
                items,
                if items == 1 { "" } else { "s" }
            ));
        }
        Converted {
            toml: to_toml(&rule),
            exceptions,
            note,
            choices: self.choices(),
        }
    }
}

/// One Kibana rule object as a detection-rules TOML file.
pub fn to_toml(rule: &Map<String, Value>) -> String {
    let mut meta = Map::new();
    if let Some(d) = dr_date(rule.get("created_at")) {
        meta.insert("creation_date".into(), Value::String(d));
    }
    if let Some(d) = dr_date(rule.get("updated_at")) {
        meta.insert("updated_date".into(), Value::String(d));
    }
    let mut r = Map::new();
    let mut new_terms = Map::new();
    for (k, v) in rule {
        if SERVER_KEYS.contains(&k.as_str()) || v.is_null() {
            continue;
        }
        if matches!(v, Value::Array(a) if a.is_empty()) {
            continue;
        }
        match k.as_str() {
            "new_terms_fields" => {
                new_terms.insert("field".into(), Value::String("new_terms_fields".into()));
                new_terms.insert("value".into(), v.clone());
            }
            "history_window_start" => {
                let entry = serde_json::json!([{"field": "history_window_start", "value": v}]);
                new_terms.insert("history_window_start".into(), entry);
            }
            "query" => {}
            _ => {
                r.insert(k.clone(), v.clone());
            }
        }
    }
    if !new_terms.is_empty() {
        r.insert("new_terms".into(), Value::Object(new_terms));
    }
    let mut w = Writer::default();
    if !meta.is_empty() {
        w.table(&["metadata"], &meta, false);
    }
    // `[rule]`'s own keys, the query last among them (as detection-rules writes it), then its
    // sub-tables.
    let (own, subs): (Map<String, Value>, Map<String, Value>) =
        r.into_iter().partition(|(_, v)| is_inline(v));
    w.table(&["rule"], &own, false);
    if let Some(q) = rule.get("query").and_then(Value::as_str) {
        w.line(&format!("query = {}", query_string(q)));
    }
    for (k, v) in &subs {
        match v {
            Value::Object(o) => w.table(&["rule", k], o, false),
            Value::Array(a) => {
                for o in a.iter().filter_map(Value::as_object) {
                    w.table(&["rule", k], o, true);
                }
            }
            _ => {}
        }
    }
    w.out
}

/// The query as a TOML string: `'''` on lines of its own as detection-rules writes queries,
/// when a literal string can hold it, else a basic string with escapes.
fn query_string(q: &str) -> String {
    let literal_ok = !q.contains("'''")
        && !q.ends_with('\'')
        && q.chars().all(|c| c == '\n' || c == '\t' || !c.is_control());
    if literal_ok {
        format!("'''\n{q}'''")
    } else {
        q.to_toml_value()
    }
}
