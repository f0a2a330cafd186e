//! The engine the CLI and the page call: load a rule (TOML) or a bare KQL/EQL query, run it over
//! a list of events (query → rule filters → exceptions → rule type), and explain any verdict.
//!
//! Pipeline per run:
//! 1. every event is tested against the query and the rule's `[[rule.filters]]` ("matched");
//! 2. matched events that an exception item covers are "suppressed" — Kibana adds exceptions as
//!    a filter to the rule's searches, so they never reach step 3;
//! 3. the rule type decides over the remaining candidates: query/EQL event queries alert per
//!    event, new_terms and threshold look at the ordered list (`crate::ruletype`), EQL sequences
//!    and samples alert for the events of each hit.

use crate::diagnostic::{Diagnostic, Span};
use crate::eql::{self, EqlQuery};
use crate::event::table::EventTable;
use crate::exceptions::value_lists::ValueLists;
use crate::exceptions::{ExceptionItem, ExceptionSet};
use crate::explain::{Clause, Trace, Verdict};
use crate::kql;
use crate::rule::filters::{compile_filters, Filter};
use crate::rule::{load_rule, NewTerms, Rule, Threshold};
use crate::ruletype::{self, ThresholdGroup};
use serde::Serialize;
use serde_json::Value;

#[cfg(feature = "esql")]
mod esql;
pub mod exercise;
mod hints;
mod needed;
mod session;
mod stream;
#[cfg(feature = "esql")]
pub use esql::{EsqlColumn, EsqlEventExplanation, EsqlReport, EsqlStage};
pub use session::{
    verdict_diff, Change, ClauseCoverage, Coverage, Offer, OfferField, Preview, RuleExport,
    ValueCoverage, VerdictChange, VerdictDiff,
};
pub use session::{
    Counts, EvaluationReport, EventEdit, EventsReport, ExampleFolder, ExceptionListRefView,
    ExceptionsReport, ExplanationView, FieldValue, Literal, MappingsReport, NearMissReport,
    RedactReport, RedactionChange, Row, Session, ValueListInput, ValueListReport, VerdictCheck,
    AUTO_NEAR_MISS_MAX, MAX_FIELD_VALUES, MAX_REPORTED_ERRORS, MAX_REPORTED_FIELDS, NEAR_MISS_MAX,
};
pub use session::{FileProgress, CHUNK_EVENTS, FILE_ARRAY_MAX};
pub use stream::{Judge, Judged, OutOfOrder, Stream, StreamVerdict, DEFAULT_REORDER_WINDOW};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Toml,
    Kql,
    Eql,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "toml" | "rule" => Some(Lang::Toml),
            "kql" | "kuery" => Some(Lang::Kql),
            "eql" => Some(Lang::Eql),
            _ => None,
        }
    }
}

/// What the query is, once compiled.
#[derive(Clone, Debug)]
enum Query {
    Kql(Box<kql::KqlQuery>),
    Eql(Box<EqlQuery>),
    #[cfg(feature = "esql")]
    Esql(Box<crate::esql::rule::RuleQuery>),
    /// Lucene, ES|QL (in a build without it), machine learning, or no query: loads, never matches (see the notes).
    None,
}

/// How the rule decides alerts from the matching events.
#[derive(Clone, Debug)]
enum Kind {
    Query,
    NewTerms(NewTerms),
    Threshold(Threshold),
    /// The query can be evaluated but the rule type needs data the playground lacks.
    NeverAlerts(String),
}

/// A loaded rule or query, ready to run.
#[derive(Clone, Debug)]
pub struct Loaded {
    lang: Lang,
    rule: Option<Rule>,
    query: Query,
    kind: Kind,
    filters: Vec<Filter>,
    notes: Vec<String>,
}

/// Options of one run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// "now" in epoch milliseconds for date math and exception expiry; `None` = the clock.
    pub now: Option<i64>,
    pub exceptions: Vec<ExceptionItem>,
    /// The value lists `list` entries of the exceptions read, by id.
    pub value_lists: ValueLists,
    /// Skip the near-miss count of non-matching events (it costs an explanation per event).
    pub skip_misses: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Alert,
    Match,
    Suppressed,
    NoMatch,
}

impl Status {
    /// The one-byte code the page's typed arrays carry (`www/results.js` reads the same codes).
    pub fn code(self) -> u8 {
        match self {
            Status::Alert => 0,
            Status::Match => 1,
            Status::Suppressed => 2,
            Status::NoMatch => 3,
        }
    }

    /// The status of a [`Status::code`].
    pub fn from_code(code: u8) -> Option<Status> {
        [
            Status::Alert,
            Status::Match,
            Status::Suppressed,
            Status::NoMatch,
        ]
        .get(usize::from(code))
        .copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Alert => "alert",
            Status::Match => "match",
            Status::Suppressed => "suppressed",
            Status::NoMatch => "no_match",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventVerdict {
    pub index: usize,
    /// The query and the rule's filters match the event.
    pub matched: bool,
    pub alert: bool,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For events that did not match: how many clauses the near-miss summary names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub misses: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SequenceHit {
    pub events: Vec<Option<usize>>,
    pub join_keys: Vec<Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunResult {
    pub events: Vec<EventVerdict>,
    /// EQL sequence and sample hits (indices into the events given).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sequences: Vec<SequenceHit>,
    /// Threshold buckets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<ThresholdGroup>,
    /// An ES|QL rule's output table, its rows' source events and its pipeline's stages.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg(feature = "esql")]
    pub esql: Option<Box<EsqlReport>>,
    pub notes: Vec<String>,
    /// The "now" the run used (epoch milliseconds).
    pub now: i64,
}

/// Everything said about one event's verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    pub index: usize,
    pub status: Status,
    pub matched: bool,
    pub alert: bool,
    /// The rule type's or the exception's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The query (and filters) trace; `None` when the query cannot be evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Trace>,
    /// One clause per applied exception item.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<Clause>,
    /// Sequence hits the event belongs to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sequences: Vec<SequenceHit>,
    /// An ES|QL rule's account: where the event dropped out, the rows it is a source of.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg(feature = "esql")]
    pub esql: Option<EsqlEventExplanation>,
}

/// Load a rule file or a query. Diagnostic spans are relative to `source`; a query inside a TOML
/// file is mapped to its place in the file.
pub fn load(source: &str, lang: Lang) -> Result<Loaded, Vec<Diagnostic>> {
    let mut loaded = Loaded {
        lang,
        rule: None,
        query: Query::None,
        kind: Kind::Query,
        filters: Vec::new(),
        notes: Vec::new(),
    };
    match lang {
        Lang::Kql => {
            loaded.query = Query::Kql(Box::new(kql::compile(source).map_err(|d| vec![d])?))
        }
        Lang::Eql => {
            loaded.query = Query::Eql(Box::new(eql::compile(source).map_err(|d| vec![d])?))
        }
        Lang::Toml => {
            let rule = load_rule(source).map_err(|d| vec![d])?;
            loaded.configure(&rule)?;
            loaded.rule = Some(rule);
        }
    }
    Ok(loaded)
}

impl Loaded {
    fn configure(&mut self, rule: &Rule) -> Result<(), Vec<Diagnostic>> {
        let notes = &mut self.notes;
        let to_file = |d: Diagnostic| -> Diagnostic {
            match &rule.query_pos {
                Some(pos) => {
                    let mut d = d;
                    d.span = pos.span_to_file(d.span);
                    d.secondary = d.secondary.map(|s| pos.span_to_file(s));
                    d
                }
                None => d,
            }
        };
        let rule_type = rule.rule_type.as_str();
        let language = rule.effective_language();
        match (rule_type, language, &rule.query) {
            ("machine_learning", _, _) => notes.push(
                "machine_learning rules have no query: the playground cannot evaluate them (they alert on anomaly scores from ML jobs)".into(),
            ),
            #[cfg(feature = "esql")]
            (_, Some("esql"), Some(q)) => match crate::esql::rule::compile(q) {
                Ok(c) => self.query = Query::Esql(Box::new(c)),
                // A command or function that needs a cluster (or that the evaluator lacks): the
                // rule loads and says which, as published rules always load.
                Err(d) if d.kind == crate::diagnostic::EsqlErrorKind::NotEvaluable.into() => {
                    notes.push(format!(
                        "the ES|QL query cannot be evaluated offline: {}; the rule loads but never matches",
                        d.message
                    ))
                }
                Err(d) => return Err(vec![to_file(d)]),
            },
            #[cfg(not(feature = "esql"))]
            (_, Some("esql"), Some(_)) => notes.push(
                "this build has no ES|QL evaluator; the rule loads but never matches".into(),
            ),
            (_, Some("lucene"), _) => notes.push(
                "Lucene queries cannot be evaluated in the playground; the rule loads but never matches".into(),
            ),
            (_, _, None) => notes.push(format!(
                "the {rule_type} rule has no query, so nothing can be evaluated"
            )),
            (_, Some("kuery"), Some(q)) => {
                self.query = Query::Kql(Box::new(kql::compile(q).map_err(|d| vec![to_file(d)])?));
            }
            (_, Some("eql"), Some(q)) => {
                self.query = Query::Eql(Box::new(eql::compile(q).map_err(|d| vec![to_file(d)])?));
            }
            (_, other, Some(_)) => notes.push(format!(
                "the query language {} is not known; the rule loads but never matches",
                other.unwrap_or("(none)")
            )),
        }
        self.kind = match rule_type {
            "query" | "eql" | "machine_learning" | "esql" => Kind::Query,
            "new_terms" => match &rule.new_terms {
                Some(nt) => {
                    if nt.history_window_start.is_none() {
                        notes.push("the new_terms rule has no history_window_start: every earlier event counts as history".into());
                    }
                    Kind::NewTerms(nt.clone())
                }
                None => Kind::NeverAlerts(
                    "the new_terms rule has no [rule.new_terms] table, so it cannot alert".into(),
                ),
            },
            "threshold" => match &rule.threshold {
                Some(t) => Kind::Threshold(t.clone()),
                None => Kind::NeverAlerts(
                    "the threshold rule has no [rule.threshold] table, so it cannot alert".into(),
                ),
            },
            "threat_match" => Kind::NeverAlerts(
                "threat_match rules alert when events match threat indicators from other indices; the playground evaluates the query only and never alerts".into(),
            ),
            other => {
                notes.push(format!(
                    "rule type \"{other}\" is not known; it is treated as a query rule"
                ));
                Kind::Query
            }
        };
        if let Kind::NeverAlerts(why) = &self.kind {
            notes.push(why.clone());
        }
        let (filters, filter_notes) = compile_filters(&rule.filters);
        self.filters = filters;
        notes.extend(filter_notes);
        if rule.extra.contains_key("alert_suppression") {
            notes.push("alert_suppression is not simulated: every alerting event is listed".into());
        }
        if rule.event_category_override.is_some() {
            notes.push("event_category_override is not applied: EQL categories are read from event.category".into());
        }
        Ok(())
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn rule(&self) -> Option<&Rule> {
        self.rule.as_ref()
    }

    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Whether the query is an EQL sequence or sample (its results are hits, not per-event).
    pub fn is_sequence(&self) -> bool {
        matches!(&self.query, Query::Eql(q) if !q.is_event_query())
    }

    fn timestamp_field(&self) -> &str {
        self.rule
            .as_ref()
            .map_or("@timestamp", Rule::timestamp_field)
    }

    /// The default "now" of a run over `events`: their latest time under the rule's timestamp
    /// field (`timestamp_override`, else `@timestamp`), so that examples and pasted samples do
    /// not depend on the day they run. `ruleplay test` and the page's session both take it.
    pub fn latest_event_time(&self, events: &[Value]) -> Option<i64> {
        latest_event_time(events, self.timestamp_field())
    }

    /// Query verdict for one event (filters not included).
    fn query_matches(&self, event: &Value, now: i64) -> bool {
        match &self.query {
            Query::Kql(q) => q.matches(event, now),
            // A sequence's `until` event also matched part of the query (it ends pending
            // sequences), so it counts as a match, not a miss.
            Query::Eql(q) => q.matches(event) || q.until().is_some_and(|u| u.matches(event)),
            #[cfg(feature = "esql")]
            Query::Esql(_) => false,
            Query::None => false,
        }
    }

    fn filters_pass(&self, event: &Value) -> bool {
        self.filters.iter().all(|f| f.matches(event))
    }

    /// The query and filter trace of one event. Clause spans are relative to the loaded source:
    /// for a rule file they point into the file.
    fn trace(&self, event: &Value, now: i64) -> Option<Trace> {
        let mut root = match &self.query {
            Query::Kql(q) => q.explain(event, now),
            Query::Eql(q) => match q.until() {
                Some(until) => {
                    let children = vec![q.explain(event), until.explain(event)];
                    let verdict = Verdict::from_bool(children.iter().any(|c| c.verdict.is_true()));
                    let mut or = Clause::new("or", q.query.span, verdict);
                    or.children = children;
                    or
                }
                None => q.explain(event),
            },
            #[cfg(feature = "esql")]
            Query::Esql(_) => return None,
            Query::None => return None,
        };
        if let Some(pos) = self.rule.as_ref().and_then(|r| r.query_pos.as_ref()) {
            map_spans(&mut root, &|s| pos.span_to_file(s));
        }
        if self.filters.is_empty() {
            return Some(Trace::new(root));
        }
        let mut children = vec![root];
        children.extend(self.filters.iter().map(|f| f.explain(event)));
        let verdict = Verdict::from_bool(children.iter().all(|c| c.verdict.is_true()));
        let mut and = Clause::new("and", Span::default(), verdict);
        and.children = children;
        Some(Trace::new(and))
    }

    /// How many clauses the near-miss summary of a non-matching event names (`None` when the
    /// query cannot be evaluated, or when no positive clause held: such an event is no near
    /// miss however few clauses stood in the way).
    fn near_miss_count(&self, event: &Value, now: i64) -> Option<u32> {
        self.trace(event, now)
            .filter(Trace::positive_held)
            .map(|t| u32::try_from(t.near_miss.len()).unwrap_or(u32::MAX))
    }

    /// What a run with `opts` says besides verdicts: the rule's notes, exception items not
    /// applied, exception lists the rule references but the run was not given.
    fn run_notes(&self, opts: &RunOptions, exceptions: &ExceptionSet) -> Vec<String> {
        let mut notes = self.notes.clone();
        notes.extend(exceptions.notes.iter().cloned());
        if let Some(rule) = self.rule.as_ref().filter(|r| !r.exceptions_list.is_empty()) {
            if opts.exceptions.is_empty() {
                let ids: Vec<&str> = rule
                    .exceptions_list
                    .iter()
                    .map(|l| l.list_id.as_str())
                    .collect();
                notes.push(format!(
                    "the rule references exception list(s) {}; their items live in Kibana — give an exception-list export to apply them",
                    ids.join(", ")
                ));
            }
        }
        notes
    }

    pub fn run(&self, events: &[Value], opts: &RunOptions) -> RunResult {
        self.run_with_table(events, None, opts)
    }

    /// Whether [`Loaded::run_with_table`] reads an event view (EQL and KQL queries do);
    /// callers that re-run over the same events (the page) build one [`EventTable`] per batch
    /// for them.
    pub fn uses_table(&self) -> bool {
        matches!(self.query, Query::Eql(_) | Query::Kql(_))
    }

    /// Whether the event view pays for its build on the first run over a batch: for EQL
    /// sequences and samples (every step reads every event); not for event queries, KQL
    /// included — building it costs more than one JSON evaluation (Foxmail over 100k events in
    /// chromium: 526 ms with the build vs 245 ms on JSON), so callers build it when they run a
    /// second time.
    pub fn table_pays_on_first_run(&self) -> bool {
        matches!(&self.query, Query::Eql(q) if !q.is_event_query())
    }

    /// [`Loaded::run`] reading the query's fields from `table`, the event view of `events`
    /// (same events, same order; ignored when its length differs). Same result, faster when
    /// the table is reused across runs: building one costs about three JSON evaluations.
    pub fn run_with_table(
        &self,
        events: &[Value],
        table: Option<&EventTable>,
        opts: &RunOptions,
    ) -> RunResult {
        let now = opts.now.unwrap_or_else(clock_now);
        #[cfg(feature = "esql")]
        if let Query::Esql(q) = &self.query {
            return self.run_esql(q, events, opts, now);
        }
        let exceptions = self.exception_set(opts, now);
        let notes = self.run_notes(opts, &exceptions);

        let n = events.len();
        let table = table.filter(|t| t.len() == n);
        let query_hits: Option<Vec<bool>> = match (&self.query, table) {
            (Query::Eql(q), Some(t)) => {
                let b = q.bind(t);
                let mut hits = q.matching_rows(&b);
                if let Some(u) = q.until_index() {
                    let all: Vec<u32> = (0..n).filter_map(|r| u32::try_from(r).ok()).collect();
                    for r in q.filter_rows(&b, u, &all) {
                        hits[r as usize] = true;
                    }
                }
                Some(hits)
            }
            (Query::Kql(q), Some(t)) => {
                let b = q.bind(t);
                Some(
                    events
                        .iter()
                        .enumerate()
                        .map(|(i, ev)| q.matches_row(&b, i, ev, now))
                        .collect(),
                )
            }
            _ => None,
        };
        let mut matched = vec![false; n];
        let mut excepted: Vec<Option<usize>> = vec![None; n];
        for (i, ev) in events.iter().enumerate() {
            let hit = match &query_hits {
                Some(h) => h[i],
                None => self.query_matches(ev, now),
            };
            matched[i] = hit && self.filters_pass(ev);
            if matched[i] && !exceptions.is_empty() {
                excepted[i] = exceptions.matching_item(ev);
            }
        }
        let candidates: Vec<bool> = (0..n)
            .map(|i| matched[i] && excepted[i].is_none())
            .collect();

        let mut sequences = Vec::new();
        let mut groups = Vec::new();
        let type_verdicts: Vec<ruletype::TypeVerdict> = if self.is_sequence() {
            let hits = self.run_sequences(events, table, &exceptions);
            let mut v = vec![ruletype::TypeVerdict::default(); n];
            for hit in &hits {
                for &i in hit.events.iter().flatten() {
                    v[i].alert = true;
                    matched[i] = true;
                }
            }
            sequences = hits;
            v
        } else {
            match &self.kind {
                Kind::Query => candidates
                    .iter()
                    .map(|&c| ruletype::TypeVerdict {
                        alert: c,
                        reason: None,
                    })
                    .collect(),
                Kind::NewTerms(spec) => {
                    ruletype::new_terms(events, &candidates, spec, self.timestamp_field())
                }
                Kind::Threshold(spec) => {
                    let (v, g) = ruletype::threshold(events, &candidates, spec);
                    groups = g;
                    v
                }
                Kind::NeverAlerts(why) => candidates
                    .iter()
                    .map(|&c| ruletype::TypeVerdict {
                        alert: false,
                        reason: c.then(|| why.clone()),
                    })
                    .collect(),
            }
        };

        let verdicts = type_verdicts
            .into_iter()
            .enumerate()
            .map(|(i, tv)| {
                let (status, reason) = settle(matched[i], excepted[i], tv, &exceptions);
                let misses = (status == Status::NoMatch && !opts.skip_misses)
                    .then(|| self.near_miss_count(&events[i], now))
                    .flatten();
                EventVerdict {
                    index: i,
                    matched: matched[i],
                    alert: status == Status::Alert,
                    status,
                    reason,
                    misses,
                }
            })
            .collect();
        RunResult {
            events: verdicts,
            sequences,
            groups,
            #[cfg(feature = "esql")]
            esql: None,
            notes,
            now,
        }
    }

    /// The run's exception items, compiled against its value lists.
    fn exception_set(&self, opts: &RunOptions, now: i64) -> ExceptionSet {
        // Kibana filters the lists it cannot inline into the query (text, large) in memory after
        // the search only for query-language rules (`filterEventsAgainstList`); EQL, threshold
        // and new_terms rules report such items as not applied.
        let in_memory = !matches!(self.query, Query::Eql(_))
            && !self.is_esql()
            && !matches!(self.kind, Kind::NewTerms(_) | Kind::Threshold(_));
        ExceptionSet::with_lists(&opts.exceptions, now, &opts.value_lists, in_memory)
    }

    /// Sequence and sample hits over the events the rule's search would see: those passing the
    /// rule filters and no exception.
    fn run_sequences(
        &self,
        events: &[Value],
        table: Option<&EventTable>,
        exceptions: &ExceptionSet,
    ) -> Vec<SequenceHit> {
        let Query::Eql(q) = &self.query else {
            return Vec::new();
        };
        let mut opts = eql::run::RunOptions::default();
        if let Some(rule) = &self.rule {
            // Kibana falls back to @timestamp when the override field is absent; EQL's search
            // needs one field for every event, so the override is used only when all have it.
            let field = rule.timestamp_field();
            if field != "@timestamp"
                && events.iter().all(|e| {
                    crate::event::lookup::FieldPath::new(field)
                        .first(e)
                        .is_some()
                })
            {
                opts.timestamp_field = field.to_string();
            }
            opts.tiebreaker_field = rule.tiebreaker_field.clone();
        }
        let keep: Vec<usize> = (0..events.len())
            .filter(|&i| {
                self.filters_pass(&events[i]) && exceptions.matching_item(&events[i]).is_none()
            })
            .collect();
        let out = if keep.len() == events.len() {
            q.run_with_table(events, table.map(|t| (t, keep.as_slice())), &opts)
        } else {
            let subset: Vec<Value> = keep.iter().map(|&i| events[i].clone()).collect();
            let mut out = q.run_with_table(&subset, table.map(|t| (t, keep.as_slice())), &opts);
            for hit in &mut out.sequences {
                for e in hit.events.iter_mut().flatten() {
                    *e = keep[*e];
                }
            }
            out
        };
        out.sequences
            .into_iter()
            .map(|h| SequenceHit {
                events: h.events,
                join_keys: h.join_keys,
            })
            .collect()
    }

    /// Explain event `index` of a run over `events` (runs the rule; when explaining many events
    /// of one run, use [`Loaded::explain_run`]).
    pub fn explain(
        &self,
        events: &[Value],
        index: usize,
        opts: &RunOptions,
    ) -> Option<Explanation> {
        self.explain_with_table(events, None, index, opts)
    }

    /// [`Loaded::explain`] with the run reading `table`, the event view of `events` (see
    /// [`Loaded::run_with_table`]); the trace itself reads the JSON event.
    pub fn explain_with_table(
        &self,
        events: &[Value],
        table: Option<&EventTable>,
        index: usize,
        opts: &RunOptions,
    ) -> Option<Explanation> {
        let mut run_opts = opts.clone();
        run_opts.skip_misses = true;
        let result = self.run_with_table(events, table, &run_opts);
        self.explain_run(events, &result, index, opts)
    }

    /// Explain event `index` of `result`, a run of this rule over `events` with `opts`.
    pub fn explain_run(
        &self,
        events: &[Value],
        result: &RunResult,
        index: usize,
        opts: &RunOptions,
    ) -> Option<Explanation> {
        let event = events.get(index)?;
        let v = result.events.get(index)?;
        #[cfg(feature = "esql")]
        if let Query::Esql(q) = &self.query {
            return Some(self.explain_esql(q, events, result, index, opts));
        }
        let exceptions = self.exception_set(opts, result.now);
        Some(Explanation {
            index,
            status: v.status,
            matched: v.matched,
            alert: v.alert,
            reason: v.reason.clone(),
            trace: self.trace(event, result.now),
            exceptions: exceptions.explain(event),
            sequences: result
                .sequences
                .iter()
                .filter(|h| h.events.contains(&Some(index)))
                .cloned()
                .collect(),
            #[cfg(feature = "esql")]
            esql: None,
        })
    }

    /// Whether the query is ES|QL (its results are an output table, `RunResult::esql`).
    pub fn is_esql(&self) -> bool {
        #[cfg(feature = "esql")]
        if matches!(self.query, Query::Esql(_)) {
            return true;
        }
        false
    }
}

/// Apply `f` to the span of every clause of the tree (iteratively: traces can be deep).
fn map_spans(root: &mut Clause, f: &dyn Fn(Span) -> Span) {
    let mut stack = vec![root];
    while let Some(c) = stack.pop() {
        c.span = f(c.span);
        stack.extend(c.children.iter_mut());
    }
}

/// An event's status from whether it matched, the exception item that removed it and what the
/// rule type said.
fn settle(
    matched: bool,
    excepted: Option<usize>,
    tv: ruletype::TypeVerdict,
    exceptions: &ExceptionSet,
) -> (Status, Option<String>) {
    if let (true, Some(item)) = (matched, excepted) {
        (
            Status::Suppressed,
            Some(format!("removed by {}", exceptions.describe(item))),
        )
    } else if tv.alert {
        (Status::Alert, tv.reason)
    } else if matched {
        (Status::Match, tv.reason)
    } else {
        (Status::NoMatch, None)
    }
}

/// The wall clock in epoch milliseconds.
pub fn clock_now() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}

/// The latest event time (rule timestamp field, else `@timestamp`), used as "now" by
/// [`check_example`] so examples do not depend on the day they run.
pub fn latest_event_time(events: &[Value], timestamp_field: &str) -> Option<i64> {
    let clock = ruletype::EventTime::new(timestamp_field);
    events.iter().filter_map(|e| clock.of(e)).max()
}

/// Check one example (the `rules/<name>/` format): returns the mismatches, empty when it passes.
/// `expected` is `{"verdicts": [...], "sequences": [[...]], "now": "ISO" (optional)}`.
pub fn check_example(
    rule_src: &str,
    events_src: &str,
    expected_src: &str,
    exceptions_src: Option<&str>,
) -> Vec<String> {
    check_example_with_lists(
        rule_src,
        events_src,
        expected_src,
        exceptions_src,
        &ValueLists::new(),
    )
}

/// [`check_example`] with value lists for the exceptions' `list` entries.
pub fn check_example_with_lists(
    rule_src: &str,
    events_src: &str,
    expected_src: &str,
    exceptions_src: Option<&str>,
    value_lists: &ValueLists,
) -> Vec<String> {
    let mut problems = Vec::new();
    let loaded = match load(rule_src, Lang::Toml) {
        Ok(l) => l,
        Err(ds) => {
            return ds
                .iter()
                .map(|d| format!("rule.toml:{}", d.render(rule_src)))
                .collect()
        }
    };
    let parsed = crate::event::formats::read_events(events_src);
    for e in &parsed.errors {
        problems.push(format!(
            "events.ndjson:{}:{}: {}",
            e.line, e.column, e.message
        ));
    }
    let expected: Value = match serde_json::from_str(expected_src) {
        Ok(v) => v,
        Err(e) => {
            problems.push(format!("expected.json: {e}"));
            return problems;
        }
    };
    let mut opts = RunOptions {
        skip_misses: true,
        value_lists: value_lists.clone(),
        ..Default::default()
    };
    if let Some(src) = exceptions_src {
        let imp = crate::exceptions::toml_format::import_any(src);
        for e in &imp.errors {
            problems.push(format!("exceptions.ndjson:{}: {}", e.line, e.message));
        }
        opts.exceptions = imp.items;
    }
    opts.now = match expected.get("now").and_then(Value::as_str) {
        Some(s) => match crate::time::parse_date(s) {
            Some(t) => Some(t),
            None => {
                problems.push(format!("expected.json: \"now\" is not a date: {s}"));
                None
            }
        },
        None => loaded.latest_event_time(&parsed.events),
    };
    let result = loaded.run(&parsed.events, &opts);
    let got: Vec<&str> = result.events.iter().map(|v| v.status.as_str()).collect();
    match expected.get("verdicts").and_then(Value::as_array) {
        Some(want) => {
            if want.len() != got.len() {
                problems.push(format!(
                    "expected {} verdicts, the events file has {} events",
                    want.len(),
                    got.len()
                ));
            }
            for (i, (w, g)) in want.iter().zip(&got).enumerate() {
                if w.as_str() != Some(*g) {
                    let why = result.events[i]
                        .reason
                        .as_deref()
                        .map_or(String::new(), |r| format!(" ({r})"));
                    problems.push(format!("event {i}: expected {w}, got \"{g}\"{why}"));
                }
            }
        }
        None => problems.push("expected.json has no \"verdicts\" list".into()),
    }
    if let Some(want) = expected.get("sequences") {
        let got: Vec<Vec<Option<usize>>> =
            result.sequences.iter().map(|h| h.events.clone()).collect();
        let got_json = serde_json::to_value(&got).unwrap_or(Value::Null);
        if *want != got_json {
            problems.push(format!("sequences: expected {want}, got {got_json}"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unsupported_languages_load_with_notes() {
        let mut cases = vec![
            (
                "[rule]\ntype='query'\nlanguage='lucene'\nquery='a:b'\n",
                "Lucene",
            ),
            ("[rule]\ntype='machine_learning'\n", "machine_learning"),
        ];
        // A build with ES|QL evaluates the query (crate/tests/esql_rule.rs).
        if cfg!(not(feature = "esql")) {
            cases.push((
                "[rule]\ntype='esql'\nlanguage='esql'\nquery='from x'\n",
                "ES|QL",
            ));
        }
        for (src, word) in cases {
            let l = load(src, Lang::Toml).unwrap();
            assert!(
                l.notes().iter().any(|n| n.contains(word)),
                "{:?}",
                l.notes()
            );
            let r = l.run(&[json!({"a": "b"})], &RunOptions::default());
            assert_eq!(r.events[0].status, Status::NoMatch);
        }
    }

    #[test]
    fn query_errors_point_into_the_file() {
        let src = "[rule]\ntype = 'query'\nlanguage = 'kuery'\nquery = '''\na:b and (c:d\n'''\n";
        let errs = load(src, Lang::Toml).unwrap_err();
        let (line, _) = crate::diagnostic::line_col(src, errs[0].span.start);
        assert!(line >= 5, "{}", errs[0].render(src));
    }

    #[test]
    fn toml_errors_render_line_col() {
        let src = "[rule]\nname = 'x\n";
        let errs = load(src, Lang::Toml).unwrap_err();
        assert!(
            errs[0].render(src).starts_with("2:"),
            "{}",
            errs[0].render(src)
        );
    }

    #[test]
    fn rule_filters_and_their_trace() {
        let src = r#"
[rule]
type = "query"
language = "kuery"
query = "event.action:exec"
[[rule.filters]]
meta = { negate = true }
query = { wildcard = { "process.executable" = { value = "/usr/*", case_insensitive = true } } }
"#;
        let l = load(src, Lang::Toml).unwrap();
        let events = [
            json!({"event": {"action": "exec"}, "process": {"executable": "/tmp/x"}}),
            json!({"event": {"action": "exec"}, "process": {"executable": "/USR/bin/x"}}),
        ];
        let r = l.run(&events, &RunOptions::default());
        assert_eq!(r.events[0].status, Status::Alert);
        assert_eq!(r.events[1].status, Status::NoMatch);
        assert_eq!(r.events[1].misses, Some(1));
        let x = l.explain(&events, 1, &RunOptions::default()).unwrap();
        let trace = x.trace.unwrap();
        assert_eq!(trace.root.kind, "and");
        assert_eq!(trace.root.children[1].kind, "filter");
        assert!(
            trace.near_miss[0].message.contains("/USR/bin/x"),
            "{:?}",
            trace.near_miss
        );
    }

    #[test]
    fn threshold_through_the_engine() {
        let src = "[rule]\ntype='threshold'\nlanguage='kuery'\nquery='event.outcome:failure'\n[rule.threshold]\nfield=['user.name']\nvalue=2\n";
        let l = load(src, Lang::Toml).unwrap();
        let ev = |u: &str, o: &str| json!({"user": {"name": u}, "event": {"outcome": o}});
        let events = [
            ev("a", "failure"),
            ev("b", "failure"),
            ev("a", "failure"),
            ev("a", "success"),
        ];
        let r = l.run(&events, &RunOptions::default());
        let st: Vec<Status> = r.events.iter().map(|v| v.status).collect();
        assert_eq!(
            st,
            [Status::Alert, Status::Match, Status::Alert, Status::NoMatch]
        );
        assert_eq!(r.groups.len(), 2);
        assert!(r.events[1]
            .reason
            .as_deref()
            .unwrap()
            .contains("1 event(s)"));
    }

    #[test]
    fn explain_run_agrees_with_explain() {
        let l = load("a:b", Lang::Kql).unwrap();
        let events = [json!({"a": "b"}), json!({"a": "c"})];
        let opts = RunOptions {
            now: Some(0),
            ..Default::default()
        };
        let r = l.run(&events, &opts);
        for i in 0..2 {
            assert_eq!(
                l.explain(&events, i, &opts),
                l.explain_run(&events, &r, i, &opts)
            );
        }
    }

    #[test]
    fn threat_match_never_alerts() {
        let l = load(
            "[rule]\ntype='threat_match'\nlanguage='kuery'\nquery='a:b'\n",
            Lang::Toml,
        )
        .unwrap();
        assert!(l.notes().iter().any(|n| n.contains("threat_match")));
        // The query is evaluated: a matching event is a match (with the reason) but no alert.
        let r = l.run(
            &[json!({"a": "b"}), json!({"a": "c"})],
            &RunOptions::default(),
        );
        let got: Vec<(bool, bool, Status)> = r
            .events
            .iter()
            .map(|v| (v.matched, v.alert, v.status))
            .collect();
        assert_eq!(
            got,
            [
                (true, false, Status::Match),
                (false, false, Status::NoMatch)
            ]
        );
        assert!(r.events[0]
            .reason
            .as_deref()
            .is_some_and(|w| w.contains("threat indicators")));
        assert_eq!(r.events[1].reason, None);
    }
}
