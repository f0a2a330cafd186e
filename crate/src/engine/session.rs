//! What the page works on, in one place: the loaded rule or query, the events as written and as
//! parsed, their event view, the exceptions and "now". The wasm layer converts its answers to JS
//! and the worker relays them, so the page and `ruleplay test` cannot disagree on semantics.
//!
//! A session re-evaluates the same events many times (one run per edit), so it keeps what a run
//! can reuse: the event view (built on the second run over a batch, or the first when it pays at
//! once), the last run's verdicts (explanations and row text trace one event against them instead
//! of running the rule again), and the near-miss counts, computed by a later, separate pass
//! because they cost a trace per non-matching event.

use super::{
    clock_now, latest_event_time, load, Explanation, Lang, Loaded, RunOptions, RunResult,
    SequenceHit, Status,
};
use crate::diagnostic::{Diagnostic, EventErrorKind, Span};
use crate::event::formats::read_events;
use crate::event::layout;
use crate::event::lookup::{fields, FieldPath};
use crate::event::parse::{EventError, Events};
use crate::event::table::EventTable;
use crate::exceptions::{import_ndjson, ExceptionItem};
use crate::explain::{Clause, NearMiss};
use crate::rule::{set_query, Rule};
use crate::ruletype::ThresholdGroup;
use serde::Serialize;
use serde_json::Value;
use std::cell::{Cell, OnceCell};
use std::collections::BTreeMap;

mod bigfile;
mod bridge;
mod coverage;
mod edits;
#[cfg(feature = "es")]
mod es;
#[cfg(feature = "esql")]
mod esql;
mod example_folder;
mod exception_warnings;
mod exclusions;
mod export;
mod mappings;
mod preview;
mod redact;
pub use mappings::MappingsReport;
mod rows;
mod value_lists;
pub use value_lists::{ExceptionListRefView, ValueListInput, ValueListReport};

use bigfile::FileEvents;
pub use bigfile::{FileProgress, CHUNK_EVENTS, FILE_ARRAY_MAX};
pub use coverage::{ClauseCoverage, Coverage, ValueCoverage};
pub use export::RuleExport;
pub use preview::{verdict_diff, Change, Offer, OfferField, Preview, VerdictChange, VerdictDiff};

pub use example_folder::ExampleFolder;
pub use redact::{Literal, RedactReport, RedactionChange, VerdictCheck};

/// Event errors reported per batch; the count says how many there were in all.
pub const MAX_REPORTED_ERRORS: usize = 200;
/// Field names reported per batch (for completion; a batch can have thousands).
pub const MAX_REPORTED_FIELDS: usize = 5000;
/// Up to this many events the near-miss pass is worth running right after the verdicts; above,
/// the page runs it when asked (its near-miss filter).
pub const AUTO_NEAR_MISS_MAX: usize = 20_000;
/// A non-matching event is a near miss when its near-miss summary names 1 to this many clauses
/// and a positive clause held (`www/results.js` draws the same line).
pub const NEAR_MISS_MAX: u32 = 1;
/// Values offered for completion per field: the most frequent ones.
pub const MAX_FIELD_VALUES: usize = 200;
/// Row summaries are cut to this many characters.
const SUMMARY_MAX_CHARS: usize = 160;
/// Values in a row summary of a non-process event.
const SUMMARY_MAX_VALUES: usize = 3;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub alert: usize,
    #[serde(rename = "match")]
    pub matched: usize,
    pub suppressed: usize,
    pub no_match: usize,
}

/// A batch of events as read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventsReport {
    pub count: usize,
    /// The first [`MAX_REPORTED_ERRORS`] errors.
    pub errors: Vec<EventError>,
    #[serde(rename = "errorCount")]
    pub error_count: usize,
    /// The first [`MAX_REPORTED_FIELDS`] field names of the batch, sorted.
    pub fields: Vec<String>,
    /// The format the events were read from (`event::formats`).
    pub format: crate::event::parse::Format,
    /// What was found, for formats other than NDJSON and arrays of events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// An exception-list export as read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExceptionsReport {
    pub count: usize,
    pub errors: Vec<EventError>,
    pub items: Vec<ExceptionItem>,
}

/// One evaluation: per-event verdicts as codes ([`Status::code`]) and near-miss counts, plus what
/// the page shows once per run. The two per-event vectors travel as typed arrays, not in the
/// serialized summary.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvaluationReport {
    #[serde(skip)]
    pub status: Vec<u8>,
    /// Near-miss clause count per event; -1 where there is none or it is not known yet.
    #[serde(skip)]
    pub misses: Vec<i32>,
    /// The rule type's or the exception's words, by event index (only events that have some).
    pub reasons: BTreeMap<usize, String>,
    pub sequences: Vec<SequenceHit>,
    pub groups: Vec<ThresholdGroup>,
    pub counts: Counts,
    pub notes: Vec<String>,
    /// The "now" the run used, epoch milliseconds.
    pub now: i64,
    /// The near-miss counts come from a later pass ([`Session::near_misses`]).
    #[serde(rename = "missesPending")]
    pub misses_pending: bool,
    /// Whether that pass is cheap enough to run at once ([`AUTO_NEAR_MISS_MAX`]).
    #[serde(rename = "missesAuto")]
    pub misses_auto: bool,
}

/// The near-miss pass's counts, as [`EvaluationReport::misses`].
#[derive(Clone, Debug, PartialEq)]
pub struct NearMissReport {
    pub misses: Vec<i32>,
}

/// A value of a field in the events, for completion after `field:` (KQL) or `field ==` (EQL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldValue {
    /// The value as the events have it (numbers and booleans as JSON writes them).
    pub value: String,
    /// How many times the events have it.
    pub count: usize,
    /// The value as the query's language writes it: quoted when it has to be.
    pub insert: String,
}

/// One row of the result list: a one-line summary of the event and, for near misses, why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    pub index: usize,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
    /// The search hit the event was read from ("hit 3 (_id abc)"), for Elasticsearch responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit: Option<String>,
}

/// What [`Session::replace_event`] changed in the events text.
#[derive(Clone, Debug, PartialEq)]
pub struct EventEdit {
    pub report: EventsReport,
    /// The bytes of the old events text that were replaced.
    pub span: Span,
    /// What replaced them: the edited event, on one line when the old one was on one line.
    pub text: String,
}

/// The last rule file loaded (a TOML rule), which a bare query of its language edits: the page's
/// KQL/EQL view and its TOML view show one query.
struct RuleFile {
    text: String,
    /// The rule's type and query language, when the file loaded.
    rule_type: Option<String>,
    query_lang: Option<Lang>,
}

/// [`Explanation`] with the query trace's root and near-miss summary beside the verdict, as the
/// explanation panel reads it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExplanationView {
    pub index: usize,
    pub status: Status,
    pub matched: bool,
    pub alert: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `None` when the query cannot be evaluated (ES|QL, ML rules, ...).
    pub root: Option<Clause>,
    pub near_miss: Vec<NearMiss>,
    /// One clause away from matching while another positive clause held.
    pub near: bool,
    /// What decided a non-match, in one line (see [`crate::explain::Trace::headline`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    pub exceptions: Vec<Clause>,
    pub sequences: Vec<SequenceHit>,
    /// An ES|QL rule's account of the event (where it dropped out, its output rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg(feature = "esql")]
    pub esql: Option<super::EsqlEventExplanation>,
}

impl From<Explanation> for ExplanationView {
    fn from(x: Explanation) -> Self {
        let (root, near_miss, near, headline) = match x.trace {
            Some(t) => (Some(t.root), t.near_miss, t.near, t.headline),
            None => (None, Vec::new(), false, None),
        };
        ExplanationView {
            index: x.index,
            status: x.status,
            matched: x.matched,
            alert: x.alert,
            reason: x.reason,
            root,
            near_miss,
            near,
            headline,
            exceptions: x.exceptions,
            sequences: x.sequences,
            #[cfg(feature = "esql")]
            esql: x.esql,
        }
    }
}

/// The page's working state; see the module documentation.
#[derive(Default)]
pub struct Session {
    source: String,
    lang: Option<Lang>,
    loaded: Option<Loaded>,
    diagnostics: Vec<Diagnostic>,
    /// Warnings about the query (see `hints`), kept up to date with the events' fields.
    warnings: Vec<Diagnostic>,
    /// The events text as given, for showing an event as written.
    text: String,
    parsed: Events,
    fields: Vec<String>,
    exceptions: Vec<ExceptionItem>,
    exception_errors: Vec<EventError>,
    /// The list lines (containers) and file metadata of the exceptions text, for export.
    exception_lists: Vec<Value>,
    exception_metadata: Option<Value>,
    value_lists: crate::exceptions::value_lists::ValueLists,
    pinned_now: Option<i64>,
    /// The latest event time under the loaded rule's timestamp field, computed once per batch
    /// and rule timestamp field.
    latest: OnceCell<Option<i64>>,
    /// The event view of the events: built on the first run that reads one (EQL sequences; other
    /// queries from the second run over a batch on, see [`Loaded::table_pays_on_first_run`]) and
    /// reused until the events change.
    table: OnceCell<Option<EventTable>>,
    /// Passes over the current events (evaluations and near-miss passes).
    runs: Cell<u32>,
    rule_file: Option<RuleFile>,
    /// For a bare query: how it relates to the rule file (what no longer applies, whether edits
    /// are written into the file).
    link_note: Option<String>,
    last: Option<RunResult>,
    misses: Option<Vec<i32>>,
    summary_fields: OnceCell<Vec<String>>,
    /// The events' values of the fields exception items name, for their warnings.
    exception_values: std::cell::RefCell<crate::exceptions::warnings::ValueIndex>,
    /// The coverage pass under way over the current run (see `coverage`).
    coverage: Option<coverage::Pass>,
    /// Events read from a file instead of the text (see `bigfile`).
    file: Option<FileEvents>,
}

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    /// Load a rule file or a bare query; `Err` with its diagnostics when it does not load (the
    /// session then has no rule: [`Session::evaluate`] answers `None`). A bare query in the
    /// language of the last rule file loaded is written into that file's query
    /// ([`Session::rule_file`]): editing it is editing the rule's query.
    pub fn set_rule(&mut self, source: String, lang: Lang) -> Result<(), &[Diagnostic]> {
        let (loaded, diagnostics) = match load(&source, lang) {
            Ok(loaded) => (Some(loaded), Vec::new()),
            Err(diagnostics) => (None, diagnostics),
        };
        match lang {
            Lang::Toml => {
                let rule = loaded.as_ref().and_then(Loaded::rule);
                self.rule_file = Some(RuleFile {
                    text: source.clone(),
                    rule_type: rule.map(|r| r.rule_type.clone()),
                    query_lang: rule
                        .and_then(Rule::effective_language)
                        .and_then(Lang::parse)
                        .filter(|&l| l != Lang::Toml),
                });
                self.link_note = None;
            }
            Lang::Kql | Lang::Eql => self.link_note = self.write_back(&source, lang),
        }
        if self.timestamp_field_of(loaded.as_ref()) != self.timestamp_field() {
            self.latest = OnceCell::new();
        }
        self.loaded = loaded;
        self.diagnostics = diagnostics;
        self.source = source;
        self.lang = Some(lang);
        self.refresh_warnings();
        self.forget_run();
        if self.loaded.is_some() {
            Ok(())
        } else {
            Err(&self.diagnostics)
        }
    }

    /// Events in any format `event::formats` reads (NDJSON, a JSON array, Elasticsearch
    /// responses and hits); bad lines are reported and the others kept.
    pub fn set_events(&mut self, text: String) -> EventsReport {
        self.file = None;
        self.parsed = read_events(&text);
        self.text = text;
        self.exception_values = Default::default();
        self.fields = field_names(&self.parsed.events);
        self.events_changed();
        self.refresh_warnings();
        self.latest = OnceCell::new();
        self.table = OnceCell::new();
        self.runs.set(0);
        self.forget_run();
        EventsReport {
            count: self.parsed.events.len(),
            errors: first(&self.parsed.errors, MAX_REPORTED_ERRORS),
            error_count: self.parsed.errors.len(),
            fields: first(&self.fields, MAX_REPORTED_FIELDS),
            format: self.parsed.format,
            note: self.parsed.note.clone(),
        }
    }

    /// The language of the query: KQL or EQL (for a rule file, its `language`).
    fn query_lang(&self) -> Option<Lang> {
        match self.lang? {
            Lang::Toml => match self.rule()?.effective_language()? {
                "eql" => Some(Lang::Eql),
                "kuery" => Some(Lang::Kql),
                _ => None,
            },
            lang => Some(lang),
        }
    }

    /// Exception items as NDJSON (a Kibana exception-list export); empty text clears them.
    pub fn set_exceptions(&mut self, text: &str) -> ExceptionsReport {
        let parsed = import_ndjson(text);
        self.exception_lists = parsed.lists;
        self.exception_metadata = parsed.metadata;
        self.exceptions = parsed.items;
        self.exception_errors = parsed.errors;
        self.forget_run();
        ExceptionsReport {
            count: self.exceptions.len(),
            errors: self.exception_errors.clone(),
            items: self.exceptions.clone(),
        }
    }

    /// Pin "now" (epoch milliseconds), or with `None` go back to the default: the latest event
    /// time under the rule's timestamp field, as `ruleplay test` takes it, else the clock.
    pub fn pin_now(&mut self, now: Option<i64>) {
        self.pinned_now = now;
        self.forget_run();
    }

    /// The "now" of the next run.
    pub fn now(&self) -> i64 {
        self.pinned_now
            .or_else(|| {
                *self.latest.get_or_init(|| match &self.loaded {
                    Some(l) => l.latest_event_time(&self.parsed.events),
                    None => latest_event_time(&self.parsed.events, self.timestamp_field()),
                })
            })
            .unwrap_or_else(clock_now)
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn lang(&self) -> Option<Lang> {
        self.lang
    }

    pub fn loaded(&self) -> Option<&Loaded> {
        self.loaded.as_ref()
    }

    pub fn rule(&self) -> Option<&Rule> {
        self.loaded.as_ref().and_then(Loaded::rule)
    }

    /// Why the last [`Session::set_rule`] did not load (empty when it did).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Warnings about the query: it loads (or fails) as written, but probably does not say what
    /// was meant (a misspelled keyword read as part of a value, a field no event has and ECS
    /// does not define). They follow the events: a new batch may have the field.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// What the loaded rule cannot simulate, and similar remarks; for a bare query first how it
    /// relates to the rule file.
    pub fn notes(&self) -> Vec<String> {
        let rule = self.loaded.as_ref().map_or(&[][..], Loaded::notes);
        self.link_note.iter().chain(rule).cloned().collect()
    }

    /// Where the query sits in the source: inside a rule file, or all of a bare query.
    pub fn query_span(&self) -> Option<Span> {
        let loaded = self.loaded.as_ref()?;
        match loaded.lang() {
            Lang::Toml => loaded.rule().and_then(|r| r.query_span),
            Lang::Kql | Lang::Eql => Some(Span::new(0, self.source.len())),
        }
    }

    /// The events text as given.
    pub fn events_text(&self) -> &str {
        &self.text
    }

    pub fn events(&self) -> &[Value] {
        &self.parsed.events
    }

    pub fn event_errors(&self) -> &[EventError] {
        &self.parsed.errors
    }

    /// Every field name of the batch, sorted.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    pub fn exceptions(&self) -> &[ExceptionItem] {
        &self.exceptions
    }

    pub fn exception_errors(&self) -> &[EventError] {
        &self.exception_errors
    }

    /// Whether the event view of the current events is built (it is reused by every later run).
    pub fn has_event_view(&self) -> bool {
        self.table.get().is_some_and(Option::is_some)
    }

    /// The 1-based line of the events text where event `index` starts.
    pub fn event_line(&self, index: usize) -> Option<usize> {
        self.parsed.lines.get(index).copied()
    }

    /// Event `index` as written in the events text.
    pub fn event_text(&self, index: usize) -> Option<&str> {
        let span = self.parsed.spans.get(index)?;
        self.text.get(span.start..span.end)
    }

    /// Evaluate the loaded rule over the events, near-miss counts left for
    /// [`Session::near_misses`]; `None` without a loaded rule.
    pub fn evaluate(&mut self) -> Option<EvaluationReport> {
        if self.file.is_some() {
            return self.evaluate_file();
        }
        let loaded = self.loaded.as_ref()?;
        let opts = self.options(true);
        let result = loaded.run_with_table(&self.parsed.events, self.table(loaded), &opts);
        let mut counts = Counts::default();
        let mut reasons = BTreeMap::new();
        let status = result
            .events
            .iter()
            .map(|v| {
                match v.status {
                    Status::Alert => counts.alert += 1,
                    Status::Match => counts.matched += 1,
                    Status::Suppressed => counts.suppressed += 1,
                    Status::NoMatch => counts.no_match += 1,
                }
                if let Some(r) = &v.reason {
                    reasons.insert(v.index, r.clone());
                }
                v.status.code()
            })
            .collect::<Vec<u8>>();
        let n = status.len();
        let report = EvaluationReport {
            misses: vec![-1; n],
            status,
            reasons,
            sequences: result.sequences.clone(),
            groups: result.groups.clone(),
            counts,
            notes: result.notes.clone(),
            now: result.now,
            misses_pending: true,
            misses_auto: n <= AUTO_NEAR_MISS_MAX,
        };
        self.last = Some(result);
        self.misses = None;
        self.summary_fields = OnceCell::new();
        Some(report)
    }

    /// The near-miss pass over the last evaluation: per event, how many clauses its near-miss
    /// summary names (-1 for events that matched). `None` without a rule. Runs the evaluation
    /// first when there is none.
    pub fn near_misses(&mut self) -> Option<NearMissReport> {
        if self.last.is_none() {
            self.evaluate()?;
        }
        let loaded = self.loaded.as_ref()?;
        let last = self.last.as_ref()?;
        // The pass is idle-time work: it also builds the event view when this is the batch's
        // second pass, so that the next edit's run reads it.
        self.table(loaded);
        let misses: Vec<i32> = last
            .events
            .iter()
            .zip(&self.parsed.events)
            .map(|(v, event)| {
                (v.status == Status::NoMatch)
                    .then(|| loaded.near_miss_count(event, last.now))
                    .flatten()
                    .map_or(-1, |n| i32::try_from(n).unwrap_or(i32::MAX))
            })
            .collect();
        self.misses = Some(misses.clone());
        Some(NearMissReport { misses })
    }

    /// Why event `index` got its verdict in the last evaluation (run first when there is none);
    /// `None` without a rule or such an event.
    pub fn explain(&mut self, index: usize) -> Option<ExplanationView> {
        if self.last.is_none() {
            self.evaluate()?;
        }
        let loaded = self.loaded.as_ref()?;
        let last = self.last.as_ref()?;
        let opts = self.options(true);
        loaded
            .explain_run(&self.parsed.events, last, index, &opts)
            .map(ExplanationView::from)
    }

    fn options(&self, skip_misses: bool) -> RunOptions {
        RunOptions {
            now: Some(self.now()),
            exceptions: self.exceptions.clone(),
            value_lists: self.value_lists.clone(),
            skip_misses,
        }
    }

    /// The event view of the events, when `loaded` reads one and it pays (see `table`).
    fn table(&self, loaded: &Loaded) -> Option<&EventTable> {
        let runs = self.runs.get();
        self.runs.set(runs.saturating_add(1));
        if !loaded.uses_table()
            || (runs == 0 && self.table.get().is_none() && !loaded.table_pays_on_first_run())
        {
            return None;
        }
        self.table
            .get_or_init(|| EventTable::new(&self.parsed.events))
            .as_ref()
    }

    fn timestamp_field(&self) -> &str {
        self.timestamp_field_of(self.loaded.as_ref())
    }

    fn timestamp_field_of<'a>(&self, loaded: Option<&'a Loaded>) -> &'a str {
        loaded.map_or("@timestamp", Loaded::timestamp_field)
    }

    fn refresh_warnings(&mut self) {
        self.warnings = match self.lang {
            Some(lang) => super::hints::query_hints(&self.source, lang, self.rule(), &self.fields),
            None => Vec::new(),
        };
    }

    /// What a run computed no longer holds.
    fn forget_run(&mut self) {
        self.last = None;
        self.misses = None;
        self.coverage = None;
        self.summary_fields = OnceCell::new();
    }
}

fn first<T: Clone>(items: &[T], n: usize) -> Vec<T> {
    items[..items.len().min(n)].to_vec()
}

/// The sorted field names of a batch. A sorted Vec rather than a set: most events bring no new
/// field, which then costs one binary search per field.
fn field_names(events: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for event in events {
        let new = fields(event);
        if new.iter().any(|f| names.binary_search(f).is_err()) {
            names.extend(new);
            names.sort();
            names.dedup();
        }
    }
    names
}
