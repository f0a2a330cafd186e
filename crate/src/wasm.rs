//! Thin wasm-bindgen layer over [`crate::engine`]: one `Playground` handle holding the loaded rule
//! and events, returning plain JS objects. No logic lives here beyond conversion: byte spans become
//! UTF-16 code units of the text the user typed (what browser editors count), 64-bit integers
//! outside JS's safe range become floats, and errors become `js_sys::Error`.

use crate::diagnostic::{Diagnostic, Span};
use crate::engine::{self, Lang, Loaded, RunOptions};
use crate::event::lookup::fields;
use crate::event::parse::{parse_events, EventError};
use crate::event::table::EventTable;
use crate::explain::Clause;
use crate::tojson::{to_json, Obj, RuleJson, ToJson};
use serde_json::Value;
use std::cell::OnceCell;
use wasm_bindgen::prelude::*;

/// The crate version, so the page can show which core it runs.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Results cross to JS as JSON text parsed by `JSON.parse`: plain objects for maps and `null` for
/// `None`, as the page expects. The text is written by `crate::tojson` (the same JSON as serde's
/// derives, a fraction of the code), and `JSON.parse` builds the objects faster than one JS call
/// per field would.
fn to_js<T: ToJson + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(&to_json(value)).map_err(|_| JsError::new("JSON.parse failed on a result"))
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

struct JsDiagnostic {
    message: String,
    start: usize,
    end: usize,
    /// 1-based line and 1-based column in UTF-16 code units.
    line: usize,
    col: usize,
    expected: Vec<String>,
    secondary: Option<Span>,
}

impl ToJson for JsDiagnostic {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("message", &self.message)
            .field("start", &self.start)
            .field("end", &self.end)
            .field("line", &self.line)
            .field("col", &self.col)
            .field("expected", &self.expected)
            .opt("secondary", &self.secondary)
            .end();
    }
}

impl JsDiagnostic {
    fn new(d: &Diagnostic, text: &str, map: &Utf16Map) -> Self {
        let span = map.span(d.span);
        let start = d.span.start.min(text.len());
        let line_start = text.as_bytes()[..start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        JsDiagnostic {
            message: d.message.clone(),
            start: span.start,
            end: span.end,
            line: text.as_bytes()[..line_start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1,
            col: span.start - map.offset(line_start) + 1,
            expected: d.expected.clone(),
            secondary: d.secondary.map(|s| map.span(s)),
        }
    }
}

/// JS numbers are doubles: 64-bit integers beyond 2^53 (event values may hold them) become floats.
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

fn clause_to_js(clause: &mut Clause, map: &Utf16Map) {
    clause.span = map.span(clause.span);
    for looked in &mut clause.looked {
        js_safe(&mut looked.value);
    }
    for child in &mut clause.children {
        clause_to_js(child, map);
    }
}

/// Event-text line/column errors: serde_json counts columns in bytes, editors in UTF-16 units.
fn event_error_to_js(e: &EventError, line_text: Option<&str>) -> EventError {
    let column = match line_text {
        Some(line) => Utf16Map::new(line).offset(e.column.saturating_sub(1)) + 1,
        None => e.column,
    };
    EventError {
        line: e.line,
        column,
        message: e.message.clone(),
    }
}

fn event_errors_to_js(errors: &[EventError], text: &str) -> Vec<EventError> {
    if errors.is_empty() {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    errors
        .iter()
        .map(|e| event_error_to_js(e, e.line.checked_sub(1).and_then(|i| lines.get(i).copied())))
        .collect()
}

fn now_ms() -> f64 {
    // `performance` exists in pages and workers; fall back to the coarser Date.
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .filter(|p| !p.is_undefined())
        .and_then(|p| {
            let now = js_sys::Reflect::get(&p, &"now".into()).ok()?;
            let now: js_sys::Function = now.dyn_into().ok()?;
            now.call0(&p).ok()?.as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}

struct RuleResult<'a> {
    ok: bool,
    diagnostics: Vec<JsDiagnostic>,
    /// The rule (written with the query span given here, not its byte span: no copy of the
    /// rule is made, which also keeps `Rule::clone` out of the module).
    rule: Option<(&'a crate::rule::Rule, Option<Span>)>,
    /// Where the query sits in the source: inside a rule file, or all of a bare query.
    query_span: Option<Span>,
    notes: &'a [String],
}

struct EventsResult<'a> {
    count: usize,
    errors: Vec<EventError>,
    fields: Vec<String>,
    /// 1-based line of each event in the text, for jumping to it.
    lines: &'a [usize],
}

struct ExceptionsResult<'a> {
    count: usize,
    errors: Vec<EventError>,
    /// The items as read, for the page's exceptions panel.
    items: &'a [crate::exceptions::ExceptionItem],
}

#[derive(Default)]
struct Counts {
    alert: usize,
    matched: usize,
    suppressed: usize,
    no_match: usize,
}

struct EvaluateResult<'a> {
    events: &'a [engine::EventVerdict],
    sequences: &'a [engine::SequenceHit],
    /// Threshold rules' buckets.
    groups: &'a [crate::ruletype::ThresholdGroup],
    counts: Counts,
    notes: &'a [String],
    ms: f64,
}

/// [`engine::Explanation`] with the query trace flattened into it, as the page reads it.
struct ExplainResult<'a> {
    index: usize,
    status: engine::Status,
    matched: bool,
    alert: bool,
    reason: Option<&'a str>,
    /// `null` when the query cannot be evaluated (ES|QL, ML rules, ...).
    root: Option<&'a Clause>,
    near_miss: &'a [crate::explain::NearMiss],
    exceptions: &'a [Clause],
    sequences: &'a [engine::SequenceHit],
}

impl ToJson for RuleResult<'_> {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("ok", &self.ok)
            .field("diagnostics", &self.diagnostics)
            .field("rule", &self.rule.map(|(r, span)| RuleJson(r, span)))
            .field("query_span", &self.query_span)
            .field("notes", self.notes)
            .end();
    }
}

impl ToJson for EventsResult<'_> {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("count", &self.count)
            .field("errors", &self.errors)
            .field("fields", &self.fields)
            .field("lines", self.lines)
            .end();
    }
}

impl ToJson for ExceptionsResult<'_> {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("count", &self.count)
            .field("errors", &self.errors)
            .field("items", self.items)
            .end();
    }
}

impl ToJson for Counts {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("alert", &self.alert)
            .field("match", &self.matched)
            .field("suppressed", &self.suppressed)
            .field("no_match", &self.no_match)
            .end();
    }
}

impl ToJson for EvaluateResult<'_> {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("events", self.events)
            .field("sequences", self.sequences)
            .field("groups", self.groups)
            .field("counts", &self.counts)
            .field("notes", self.notes)
            .field("ms", &self.ms)
            .end();
    }
}

impl ToJson for ExplainResult<'_> {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("index", &self.index)
            .field("status", &self.status)
            .field("matched", &self.matched)
            .field("alert", &self.alert)
            .opt("reason", &self.reason)
            .field("root", &self.root)
            .field("near_miss", self.near_miss)
            .field("exceptions", self.exceptions)
            .field("sequences", self.sequences)
            .end();
    }
}

/// The page's handle: a rule, a batch of events, exceptions and a clock, evaluated on demand.
#[wasm_bindgen]
pub struct Playground {
    source: String,
    loaded: Option<Loaded>,
    events: Vec<Value>,
    /// The event view of `events`, built on the first evaluation that reads one (EQL; KQL from
    /// the second run over the batch on, see `Loaded::table_pays_on_first_run`) and reused by
    /// every later one until the events change.
    table: OnceCell<Option<EventTable>>,
    /// Runs (evaluate, explain) over the current events.
    runs: std::cell::Cell<u32>,
    opts: RunOptions,
}

impl Default for Playground {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl Playground {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Playground {
        Playground {
            source: String::new(),
            loaded: None,
            events: Vec::new(),
            table: OnceCell::new(),
            runs: std::cell::Cell::new(0),
            opts: RunOptions::default(),
        }
    }

    /// Load a rule file (`toml`) or a bare query (`kql`, `eql`).
    pub fn set_rule(&mut self, source: String, lang: &str) -> Result<JsValue, JsError> {
        let Some(lang) = Lang::parse(lang) else {
            return Err(JsError::new(&format!(
                "unknown rule language {lang:?}; expected \"toml\", \"kql\" or \"eql\""
            )));
        };
        let map = Utf16Map::new(&source);
        let (loaded, diagnostics) = match engine::load(&source, lang) {
            Ok(loaded) => (Some(loaded), Vec::new()),
            Err(diags) => (None, diags),
        };
        let rule = loaded.as_ref().and_then(Loaded::rule);
        // The rule's own query span, in UTF-16 units like every span the page gets.
        let rule_query_span = rule.and_then(|r| r.query_span).map(|s| map.span(s));
        let result = RuleResult {
            ok: loaded.is_some(),
            diagnostics: diagnostics
                .iter()
                .map(|d| JsDiagnostic::new(d, &source, &map))
                .collect(),
            rule: rule.map(|r| (r, rule_query_span)),
            query_span: match (&loaded, lang) {
                (None, _) => None,
                (Some(_), Lang::Toml) => rule_query_span,
                (Some(_), _) => Some(map.span(Span::new(0, source.len()))),
            },
            notes: loaded.as_ref().map_or(&[], Loaded::notes),
        };
        let js = to_js(&result)?;
        self.loaded = loaded;
        self.source = source;
        Ok(js)
    }

    /// Events as NDJSON or one JSON array; bad lines are reported and the others kept.
    pub fn set_events(&mut self, text: &str) -> Result<JsValue, JsError> {
        let parsed = parse_events(text);
        // A sorted Vec rather than a BTreeSet: `fields` already sorts Vec<String>, so this
        // reuses that sort instead of adding a B-tree of strings to the module. Most events
        // bring no new field, which costs one binary search per field.
        let mut names: Vec<String> = Vec::new();
        for event in &parsed.events {
            let new = fields(event);
            if new.iter().any(|f| names.binary_search(f).is_err()) {
                names.extend(new);
                names.sort();
                names.dedup();
            }
        }
        let js = to_js(&EventsResult {
            count: parsed.events.len(),
            errors: event_errors_to_js(&parsed.errors, text),
            fields: names,
            lines: &parsed.lines,
        })?;
        self.events = parsed.events;
        self.table = OnceCell::new();
        self.runs.set(0);
        Ok(js)
    }

    /// Exception items as NDJSON (a Kibana exception-list export); empty text clears them.
    pub fn set_exceptions(&mut self, text: &str) -> Result<JsValue, JsError> {
        let parsed = crate::exceptions::import_ndjson(text);
        let js = to_js(&ExceptionsResult {
            count: parsed.items.len(),
            errors: event_errors_to_js(&parsed.errors, text),
            items: &parsed.items,
        })?;
        self.opts.exceptions = parsed.items;
        Ok(js)
    }

    /// The "now" used by date math and rule look-back windows, in epoch milliseconds.
    pub fn set_now(&mut self, ms: f64) {
        self.opts.now = Some(ms as i64);
    }

    pub fn evaluate(&self) -> Result<JsValue, JsError> {
        let loaded = self.loaded()?;
        let started = now_ms();
        let mut result = loaded.run_with_table(&self.events, self.table(loaded), &self.opts);
        let ms = now_ms() - started;
        let mut counts = Counts::default();
        for v in &result.events {
            match v.status {
                engine::Status::Alert => counts.alert += 1,
                engine::Status::Match => counts.matched += 1,
                engine::Status::Suppressed => counts.suppressed += 1,
                engine::Status::NoMatch => counts.no_match += 1,
            }
        }
        for hit in &mut result.sequences {
            hit.join_keys.iter_mut().for_each(js_safe);
        }
        to_js(&EvaluateResult {
            events: &result.events,
            sequences: &result.sequences,
            groups: &result.groups,
            counts,
            notes: &result.notes,
            ms,
        })
    }

    /// Why event `index` got its verdict; `null` when there is no such event.
    pub fn explain(&self, index: usize) -> Result<JsValue, JsError> {
        let loaded = self.loaded()?;
        let table = self.table(loaded);
        let Some(mut x) = loaded.explain_with_table(&self.events, table, index, &self.opts) else {
            return Ok(JsValue::NULL);
        };
        // Trace spans point into the loaded source (the rule file for TOML).
        let map = Utf16Map::new(&self.source);
        if let Some(trace) = &mut x.trace {
            clause_to_js(&mut trace.root, &map);
            for miss in &mut trace.near_miss {
                miss.span = map.span(miss.span);
            }
        }
        for clause in &mut x.exceptions {
            clause_to_js(clause, &map);
        }
        for hit in &mut x.sequences {
            hit.join_keys.iter_mut().for_each(js_safe);
        }
        to_js(&ExplainResult {
            index: x.index,
            status: x.status,
            matched: x.matched,
            alert: x.alert,
            reason: x.reason.as_deref(),
            root: x.trace.as_ref().map(|t| &t.root),
            near_miss: x.trace.as_ref().map_or(&[], |t| &t.near_miss),
            exceptions: &x.exceptions,
            sequences: &x.sequences,
        })
    }

    /// Skip the per-event near-miss count in `evaluate` (it costs an explanation per
    /// non-matching event); `misses` is then absent.
    pub fn set_skip_misses(&mut self, skip: bool) {
        self.opts.skip_misses = skip;
    }
}

impl Playground {
    /// The event view of the events, when `loaded` reads one: built on first use per batch.
    fn table(&self, loaded: &Loaded) -> Option<&EventTable> {
        let runs = self.runs.get();
        self.runs.set(runs.saturating_add(1));
        if !loaded.uses_table()
            || (runs == 0 && self.table.get().is_none() && !loaded.table_pays_on_first_run())
        {
            return None;
        }
        self.table
            .get_or_init(|| EventTable::new(&self.events))
            .as_ref()
    }

    fn loaded(&self) -> Result<&Loaded, JsError> {
        self.loaded
            .as_ref()
            .ok_or_else(|| JsError::new("no rule loaded: call set_rule with a rule that parses"))
    }
}
