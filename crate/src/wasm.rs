//! The wasm-bindgen face of [`engine::Session`]: it converts, nothing more. Structured answers
//! cross as plain JS objects made by serde-wasm-bindgen from the same serde types the CLI prints;
//! per-event verdicts cross as typed arrays. Conversions done here: byte spans and columns become
//! UTF-16 code units of the text the user typed (what browser editors count), 64-bit integers
//! outside JS's safe range become floats, and errors become `Error` objects.

use crate::diagnostic::{Diagnostic, Span};
use crate::engine::{self, Lang};
use crate::event::parse::EventError;
use crate::exclusions::Op;
use crate::explain::Clause;
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

mod bridge;
mod esql;
pub use bridge::{is_kibana_rule, kibana_rule};
mod exceptions;
mod exceptions_io;
pub use exceptions::ecs_field_names;
mod preview;
pub use preview::verdict_diff;
mod bigfile;
#[cfg(feature = "es")]
mod es;
pub use bigfile::pretty_event;
mod mappings;
mod redact;

/// The TypeScript shapes of the serde types below, for `pkg/ruleplay.d.ts` (see the file).
#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("wasm_types.d.ts");

/// The crate version, so the page can show which core it runs.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Plain objects for maps, `null` for `None`: what the page reads.
const SERIALIZER: serde_wasm_bindgen::Serializer =
    serde_wasm_bindgen::Serializer::json_compatible();

/// Any serde value as a plain JS object. It goes through a `serde_json::Value` first: event
/// values (in traces, join keys, rule metadata) may hold 64-bit integers beyond 2^53, which
/// serde-wasm-bindgen refuses and [`js_safe`] turns into floats, as `JSON.parse` would. It also
/// instantiates serde-wasm-bindgen's serializer once (for `Value`) instead of once per type.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let mut v = serde_json::to_value(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_safe(&mut v);
    v.serialize(&SERIALIZER)
        .map_err(|e| JsError::new(&e.to_string()))
}

/// JS numbers are doubles: 64-bit integers beyond 2^53 become floats.
fn js_safe(value: &mut Value) {
    match value {
        Value::Number(n) => {
            const SAFE: u64 = 1 << 53;
            let unsafe_int = match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => i.unsigned_abs() > SAFE,
                (None, Some(u)) => u > SAFE,
                (None, None) => false,
            };
            if unsafe_int {
                if let Some(f) = n.as_f64().and_then(serde_json::Number::from_f64) {
                    *n = f;
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(js_safe),
        Value::Object(map) => map.values_mut().for_each(js_safe),
        _ => {}
    }
}

/// Byte offsets → UTF-16 code units for one text. Only non-ASCII characters shift offsets, so it
/// stores where each one ends and the running difference; ASCII text costs nothing.
struct Utf16Map {
    /// (byte offset just after a non-ASCII char, UTF-8 bytes minus UTF-16 units up to there)
    marks: Vec<(usize, usize)>,
    len: usize,
}

impl Utf16Map {
    fn new(text: &str) -> Self {
        let mut marks = Vec::new();
        let mut delta = 0;
        for (i, c) in text.char_indices() {
            if !c.is_ascii() {
                delta += c.len_utf8() - c.len_utf16();
                marks.push((i + c.len_utf8(), delta));
            }
        }
        Utf16Map {
            marks,
            len: text.len(),
        }
    }

    fn offset(&self, byte: usize) -> usize {
        let byte = byte.min(self.len);
        let i = self.marks.partition_point(|&(at, _)| at <= byte);
        byte - if i == 0 { 0 } else { self.marks[i - 1].1 }
    }

    fn span(&self, span: Span) -> Span {
        Span::new(self.offset(span.start), self.offset(span.end))
    }
}

/// A [`Diagnostic`] with UTF-16 spans and where it starts as the editor counts: 1-based line,
/// 1-based column in UTF-16 units.
#[derive(Serialize)]
struct JsDiagnostic {
    #[serde(flatten)]
    diagnostic: Diagnostic,
    line: usize,
    col: usize,
}

impl JsDiagnostic {
    fn new(d: &Diagnostic, text: &str, map: &Utf16Map) -> Self {
        let start = d.span.start.min(text.len());
        let line_start = text.as_bytes()[..start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let mut diagnostic = d.clone();
        diagnostic.span = map.span(d.span);
        diagnostic.secondary = d.secondary.map(|s| map.span(s));
        JsDiagnostic {
            line: text.as_bytes()[..line_start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1,
            col: diagnostic.span.start - map.offset(line_start) + 1,
            diagnostic,
        }
    }
}

/// What loading a rule gave.
#[derive(Serialize)]
struct JsRuleReport<'a> {
    ok: bool,
    diagnostics: Vec<JsDiagnostic>,
    /// The rule, its `query_span` in UTF-16 units.
    rule: Option<crate::rule::Rule>,
    query_span: Option<Span>,
    notes: Vec<String>,
    /// For a bare query: the rule file with this query written into it.
    rule_file: Option<&'a str>,
    /// After `switch_lang`: the text the rule view shows now.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    /// The exclusion lists of the rule text, spans in UTF-16 units.
    exclusions: Vec<crate::exclusions::ExclusionList>,
}

/// An exclusion-list edit: the whole edited text, or why it cannot be made.
#[derive(Serialize)]
struct JsExclusionEdit {
    ok: bool,
    diagnostics: Vec<JsDiagnostic>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

/// A filter's matching events, or why the filter does not parse.
#[derive(Serialize)]
struct JsFilter {
    ok: bool,
    diagnostics: Vec<JsDiagnostic>,
}

/// What replacing an event did: the events as read again, and the edit in UTF-16 units of the
/// events text before it, for the page's editor to make the same change.
#[derive(Serialize)]
struct JsEventEdit {
    ok: bool,
    diagnostics: Vec<JsDiagnostic>,
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<crate::engine::EventsReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    span: Option<Span>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
}

fn one_diagnostic(d: &Diagnostic, text: &str) -> Vec<JsDiagnostic> {
    vec![JsDiagnostic::new(d, text, &Utf16Map::new(text))]
}

fn clause_to_js(clause: &mut Clause, map: &Utf16Map) {
    let mut stack = vec![clause];
    while let Some(c) = stack.pop() {
        c.span = map.span(c.span);
        stack.extend(c.children.iter_mut());
    }
}

/// Event-text columns: serde_json counts them in bytes, editors in UTF-16 units.
fn event_errors_to_js(errors: &mut [EventError], text: &str) {
    if errors.is_empty() {
        return;
    }
    let lines: Vec<&str> = text.lines().collect();
    for e in errors {
        if let Some(line) = e.line.checked_sub(1).and_then(|i| lines.get(i)) {
            e.column = Utf16Map::new(line).offset(e.column.saturating_sub(1)) + 1;
        }
    }
}

/// `performance.now()` in a worker or a page; `Date.now()` elsewhere (node, in the tests).
fn now_ms() -> f64 {
    let global = js_sys::global();
    let performance = if let Some(w) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        w.performance()
    } else if let Some(w) = global.dyn_ref::<web_sys::Window>() {
        w.performance()
    } else {
        None
    };
    performance.map_or_else(js_sys::Date::now, |p| p.now())
}

fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<(), JsError> {
    js_sys::Reflect::set(target, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|_| JsError::new("cannot set a result field"))
}

fn no_rule() -> JsError {
    JsError::new("no rule loaded: call set_rule with a rule that parses")
}

/// The page's handle on an [`engine::Session`].
#[wasm_bindgen(js_name = Session)]
#[derive(Default)]
pub struct JsSession {
    inner: engine::Session,
}

#[wasm_bindgen(js_class = Session)]
impl JsSession {
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsSession {
        JsSession::default()
    }

    /// Load a rule file (`toml`) or a bare query (`kql`, `eql`).
    #[wasm_bindgen(unchecked_return_type = "RuleReport")]
    pub fn set_rule(&mut self, source: String, lang: &str) -> Result<JsValue, JsError> {
        let Some(lang) = Lang::parse(lang) else {
            return Err(JsError::new(&format!(
                "unknown rule language {lang:?}; expected \"toml\", \"kql\" or \"eql\""
            )));
        };
        self.inner.set_rule(source, lang).ok();
        self.report(false)
    }

    /// Switch the rule view to `lang` (`toml`, `kql`, `eql`): the report's `source` is what the
    /// view shows now (the rule's query, the rule file, or `fallback`; see `Session::switch_lang`).
    #[wasm_bindgen(unchecked_return_type = "RuleReport")]
    pub fn switch_lang(&mut self, lang: &str, fallback: String) -> Result<JsValue, JsError> {
        let Some(lang) = Lang::parse(lang) else {
            return Err(JsError::new(&format!("unknown rule language {lang:?}")));
        };
        self.inner.switch_lang(lang, fallback);
        self.report(true)
    }

    /// What the last `set_rule` gave, with the warnings as they stand for the current events
    /// (a new batch may have a field the query names): errors first, then warnings.
    #[wasm_bindgen(unchecked_return_type = "RuleReport")]
    pub fn rule_report(&self) -> Result<JsValue, JsError> {
        self.report(false)
    }

    fn report(&self, with_source: bool) -> Result<JsValue, JsError> {
        let s = &self.inner;
        let map = Utf16Map::new(s.source());
        let rule = s.rule().map(|r| {
            let mut r = r.clone();
            r.query_span = r.query_span.map(|q| map.span(q));
            r
        });
        to_js(&JsRuleReport {
            ok: s.loaded().is_some(),
            diagnostics: s
                .diagnostics()
                .iter()
                .chain(s.warnings())
                .map(|d| JsDiagnostic::new(d, s.source(), &map))
                .collect(),
            rule,
            query_span: s.query_span().map(|q| map.span(q)),
            notes: s.notes(),
            rule_file: s.rule_file(),
            source: with_source.then(|| s.source()),
            exclusions: s
                .exclusions()
                .into_iter()
                .map(|l| l.map_spans(|sp| map.span(sp)))
                .collect(),
        })
    }

    /// `source` (the rule view's text, as `lang`) with `values` added to or removed from the
    /// exclusion lists of `field` (`op`: `add`, `add_pattern`, `remove`); the session is unchanged.
    #[wasm_bindgen(unchecked_return_type = "ExclusionEdit")]
    pub fn exclude(
        &self,
        source: &str,
        lang: &str,
        field: &str,
        op: &str,
        values: Vec<String>,
    ) -> Result<JsValue, JsError> {
        let Some(lang) = Lang::parse(lang) else {
            return Err(JsError::new(&format!("unknown rule language {lang:?}")));
        };
        let make: fn(String, String) -> Op = match op {
            "add" => |field, value| Op::Add { field, value },
            "add_pattern" => |field, pattern| Op::AddPattern { field, pattern },
            "remove" => |field, value| Op::Remove { field, value },
            other => {
                return Err(JsError::new(&format!(
                "unknown exclusion edit {other:?}; expected \"add\", \"add_pattern\" or \"remove\""
            )))
            }
        };
        let ops: Vec<Op> = values
            .into_iter()
            .map(|v| make(field.to_string(), v))
            .collect();
        to_js(&match self.inner.edit_exclusions(source, lang, &ops) {
            Ok(text) => JsExclusionEdit {
                ok: true,
                diagnostics: Vec::new(),
                text: Some(text),
            },
            Err(d) => JsExclusionEdit {
                ok: false,
                diagnostics: one_diagnostic(&d, source),
                text: None,
            },
        })
    }

    /// The distinct values of `field` in the events, most frequent first (at most 200), each
    /// with its text as the query's language writes it.
    #[wasm_bindgen(unchecked_return_type = "FieldValue[]")]
    pub fn field_values(&self, field: &str) -> Result<JsValue, JsError> {
        to_js(&self.inner.field_values(field))
    }

    /// Events as NDJSON or one JSON array, as a string or UTF-8 bytes (a `Uint8Array`).
    #[wasm_bindgen(unchecked_return_type = "EventsReport")]
    pub fn set_events(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] text: JsValue,
    ) -> Result<JsValue, JsError> {
        let text = match text.as_string() {
            Some(s) => s,
            None => match text.dyn_into::<js_sys::Uint8Array>() {
                // Lossy, like the TextDecoder the page would use: a bad byte is one bad event.
                Ok(bytes) => String::from_utf8(bytes.to_vec())
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
                Err(_) => return Err(JsError::new("events must be a string or a Uint8Array")),
            },
        };
        let mut report = self.inner.set_events(text);
        let errors_text = self.inner.events_text();
        event_errors_to_js(&mut report.errors, errors_text);
        to_js(&report)
    }

    /// Exception items as NDJSON (a Kibana exception-list export); empty text clears them.
    #[wasm_bindgen(unchecked_return_type = "ExceptionsReport")]
    pub fn set_exceptions(&mut self, text: &str) -> Result<JsValue, JsError> {
        let mut report = self.inner.set_exceptions(text);
        event_errors_to_js(&mut report.errors, text);
        to_js(&report)
    }

    /// Pin "now" (epoch milliseconds); `null` goes back to the latest event time under the
    /// rule's timestamp field, as `ruleplay test` takes it.
    pub fn pin_now(&mut self, ms: Option<f64>) {
        self.inner.pin_now(ms.map(|ms| ms as i64));
    }

    /// The "now" of the next evaluation, epoch milliseconds.
    pub fn now(&self) -> f64 {
        self.inner.now() as f64
    }

    /// Verdicts (near-miss counts left for `near_misses`): a summary object with `status`
    /// (`Uint8Array` of status codes) and `misses` (`Int32Array`, -1 until the near-miss pass).
    #[wasm_bindgen(unchecked_return_type = "Evaluation")]
    pub fn evaluate(&mut self) -> Result<JsValue, JsError> {
        let started = now_ms();
        let report = self.inner.evaluate().ok_or_else(no_rule)?;
        let ms = now_ms() - started;
        let js = to_js(&report)?;
        set(&js, "status", &js_sys::Uint8Array::from(&report.status[..]))?;
        set(&js, "misses", &js_sys::Int32Array::from(&report.misses[..]))?;
        set(&js, "ms", &JsValue::from_f64(ms))?;
        Ok(js)
    }

    /// The near-miss pass over the last evaluation: `{misses: Int32Array, ms}`.
    #[wasm_bindgen(unchecked_return_type = "NearMisses")]
    pub fn near_misses(&mut self) -> Result<JsValue, JsError> {
        let started = now_ms();
        let report = self.inner.near_misses().ok_or_else(no_rule)?;
        let ms = now_ms() - started;
        let js: JsValue = js_sys::Object::new().into();
        set(&js, "misses", &js_sys::Int32Array::from(&report.misses[..]))?;
        set(&js, "ms", &JsValue::from_f64(ms))?;
        Ok(js)
    }

    /// The result list's rows for these event numbers.
    #[wasm_bindgen(unchecked_return_type = "Row[]")]
    pub fn rows(&self, indices: &[u32]) -> Result<JsValue, JsError> {
        let indices: Vec<usize> = indices.iter().map(|&i| i as usize).collect();
        to_js(&self.inner.rows(&indices))
    }

    /// Why event `index` got its verdict; `null` when there is no such event.
    #[wasm_bindgen(unchecked_return_type = "Explanation | null")]
    pub fn explain(&mut self, index: usize) -> Result<JsValue, JsError> {
        if self.inner.loaded().is_none() {
            return Err(no_rule());
        }
        let Some(x) = self.inner.explain(index) else {
            return Ok(JsValue::NULL);
        };
        self.explanation_to_js(x)
    }

    /// An explanation with its spans in UTF-16 units of the loaded source (trace spans point
    /// into it: the rule file for TOML).
    fn explanation_to_js(&self, mut x: engine::ExplanationView) -> Result<JsValue, JsError> {
        let map = Utf16Map::new(self.inner.source());
        if let Some(root) = &mut x.root {
            clause_to_js(root, &map);
        }
        for miss in &mut x.near_miss {
            miss.span = map.span(miss.span);
        }
        for clause in &mut x.exceptions {
            clause_to_js(clause, &map);
        }
        #[cfg(feature = "esql")]
        if let Some(stage) = x.esql.as_mut().and_then(|e| e.stage.as_mut()) {
            stage.span = map.span(stage.span);
        }
        to_js(&x)
    }

    /// Event `index` as written (parsed by `JSON.parse`, so keys keep their order); `undefined`
    /// when there is no such event.
    pub fn event(&self, index: usize) -> Result<JsValue, JsError> {
        match self.inner.event_text(index) {
            Some(text) => js_sys::JSON::parse(text)
                .map_err(|_| JsError::new("an event no longer parses as JSON")),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Event `index` pretty-printed for editing; `undefined` when there is no such event.
    pub fn event_pretty(&self, index: usize) -> Option<String> {
        self.inner.event_pretty(index)
    }

    /// Replace event `index` by `json` in the events text and read the events again.
    #[wasm_bindgen(unchecked_return_type = "EventEdit")]
    pub fn replace_event(&mut self, index: usize, json: &str) -> Result<JsValue, JsError> {
        let before = Utf16Map::new(self.inner.events_text());
        match self.inner.replace_event(index, json) {
            Ok(edit) => {
                let mut events = edit.report;
                event_errors_to_js(&mut events.errors, self.inner.events_text());
                to_js(&JsEventEdit {
                    ok: true,
                    diagnostics: Vec::new(),
                    events: Some(events),
                    span: Some(before.span(edit.span)),
                    text: Some(edit.text),
                })
            }
            Err(d) => to_js(&JsEventEdit {
                ok: false,
                diagnostics: one_diagnostic(&d, json),
                events: None,
                span: None,
                text: None,
            }),
        }
    }

    /// The events a KQL filter matches: `{ok, diagnostics, indices: Uint32Array}` (`indices`
    /// empty when the filter does not parse).
    #[wasm_bindgen(unchecked_return_type = "Filter")]
    pub fn filter(&self, kql: &str) -> Result<JsValue, JsError> {
        let (indices, diagnostics) = match self.inner.filter(kql) {
            Ok(indices) => (indices, Vec::new()),
            Err(d) => (Vec::new(), one_diagnostic(&d, kql)),
        };
        let js = to_js(&JsFilter {
            ok: diagnostics.is_empty(),
            diagnostics,
        })?;
        set(&js, "indices", &js_sys::Uint32Array::from(&indices[..]))?;
        Ok(js)
    }

    /// The 1-based line of the events text where event `index` starts.
    pub fn event_line(&self, index: usize) -> Option<u32> {
        self.inner
            .event_line(index)
            .and_then(|l| u32::try_from(l).ok())
    }
}
