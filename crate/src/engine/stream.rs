//! Verdicts one event at a time, for inputs too big to hold: the CLI streams a file through a
//! [`Stream`] and prints each verdict as soon as it is final.
//!
//! A query (KQL or an EQL event query, with the rule's filters and exceptions) decides each
//! event alone, at once. new_terms decides a candidate from the earlier ones in time order: the
//! stream keeps each term's latest sighting (what the rule type must remember) and holds back up
//! to [`Stream::reorder_window`] candidates, so that input a little out of time order still gets
//! the verdicts of a whole run; a candidate earlier than one already decided is an error, never
//! a different verdict. Threshold decides its candidates at the end of the input, from their
//! groups: the stream remembers the groups and their members' indices, not the events. EQL
//! sequences and samples hand their hits over as they become final (`stream/sequence.rs`,
//! `eql::hit_stream`).

mod sequence;

use super::{settle, Explanation, Kind, Loaded, Query, RunOptions, SequenceHit, Status};
use crate::eql::hit_stream::{Observed, DEFAULT_MAX_OPEN};
use crate::exceptions::ExceptionSet;
use crate::ruletype::{
    EventTime, NewTermsState, Terms, ThresholdGroup, ThresholdState, TypeVerdict,
};
use crate::time::format_millis;
use serde_json::Value;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::collections::HashMap;

/// Candidates new_terms holds back by default to put them in time order.
pub const DEFAULT_REORDER_WINDOW: usize = 100_000;

/// A run over events given one by one (see the module documentation).
pub struct Stream<'a> {
    judge: Judge<'a>,
    notes: Vec<String>,
    next: usize,
    new_terms: Option<NewTermsOrder<'a>>,
    threshold: Option<ThresholdHold<'a>>,
    sequence: Option<sequence::SeqHold>,
    /// An error [`Stream::finish`] met (see [`Stream::late_error`]).
    late: Option<OutOfOrder>,
}

/// What decides an event alone (query, filters, exceptions, the trace): it reads nothing
/// earlier events left behind, so it may run on any thread, in any order (the CLI judges
/// chunks of lines on every core, then gives them to [`Stream::push_judged`] in input order).
#[derive(Clone)]
pub struct Judge<'a> {
    loaded: &'a Loaded,
    exceptions: ExceptionSet,
    now: i64,
    explain: bool,
    /// new_terms reads a candidate's time and terms here (its state here stays empty), so the
    /// event itself need not wait for its turn.
    new_terms: Option<(NewTermsState<'a>, EventTime)>,
    /// An EQL sequence or sample: what it reads of each event, in its search's terms.
    sequence: Option<(&'a crate::eql::EqlQuery, crate::eql::run::RunOptions)>,
}

/// An event judged alone (see [`Judge`]).
#[derive(Clone, Debug)]
pub struct Judged {
    matched: bool,
    excepted: Option<usize>,
    /// Boxed: a judged event stays small (no allocation) when no explanation is asked for.
    explanation: Option<Box<Explanation>>,
    /// A new_terms candidate's time and terms.
    new_terms: Option<(Option<i64>, Terms)>,
    /// What a sequence or sample reads of the event, when its search sees it (it passes the
    /// filters and no exception removes it).
    observed: Option<Box<Observed>>,
}

impl Judged {
    /// The event's status unless a sequence hit names it (then it is an alert), and whether
    /// it matched.
    pub fn status_alone(&self) -> (Status, bool) {
        let status = match (self.matched, self.excepted) {
            (true, Some(_)) => Status::Suppressed,
            (true, None) => Status::Match,
            (false, _) => Status::NoMatch,
        };
        (status, self.matched)
    }
}

impl Judge<'_> {
    pub fn judge(&self, event: &Value) -> Judged {
        let loaded = self.loaded;
        let matched = loaded.query_matches(event, self.now) && loaded.filters_pass(event);
        let excepted = if matched && !self.exceptions.is_empty() {
            self.exceptions.matching_item(event)
        } else {
            None
        };
        let explanation = self.explain.then(|| {
            Box::new(Explanation {
                index: 0,
                status: Status::NoMatch,
                matched,
                alert: false,
                reason: None,
                trace: loaded.trace(event, self.now),
                exceptions: self.exceptions.explain(event),
                sequences: Vec::new(),
                #[cfg(feature = "esql")]
                esql: None,
            })
        });
        let new_terms = self
            .new_terms
            .as_ref()
            .filter(|_| matched && excepted.is_none())
            .map(|(state, clock)| (clock.of(event), state.terms(event)));
        let observed = self.sequence.as_ref().and_then(|(q, opts)| {
            let seen = loaded.filters_pass(event) && self.exceptions.matching_item(event).is_none();
            seen.then(|| Box::new(q.observe(event, opts)))
        });
        Judged {
            matched,
            excepted,
            explanation,
            new_terms,
            observed,
        }
    }
}

/// threshold's groups, and the explanations of the candidates waiting for the end.
struct ThresholdHold<'a> {
    state: ThresholdState<'a>,
    explanations: HashMap<usize, Box<Explanation>>,
}

/// new_terms' state and the candidates waiting for their turn in time order.
struct NewTermsOrder<'a> {
    state: NewTermsState<'a>,
    clock: EventTime,
    waiting: BinaryHeap<Reverse<Waiting>>,
    window: usize,
    /// (time key, index) of the last candidate decided.
    last: Option<(i64, usize)>,
}

/// A candidate held back: what its verdict needs, not the event.
struct Waiting {
    key: (i64, usize),
    time: Option<i64>,
    terms: Terms,
    explanation: Option<Box<Explanation>>,
}

impl PartialEq for Waiting {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Waiting {}
impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Waiting {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

/// An event's final verdict (events numbered in the order given, from 0), with its explanation
/// when the stream was asked for them.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamVerdict {
    pub index: usize,
    pub matched: bool,
    pub status: Status,
    pub reason: Option<String>,
    pub explanation: Option<Explanation>,
}

/// Input the stream cannot decide faithfully.
#[derive(Clone, Debug, PartialEq)]
pub struct OutOfOrder {
    pub index: usize,
    pub message: String,
}

impl Loaded {
    /// Whether [`Loaded::stream`] works for this rule: not when an optional field waits for the
    /// events, nor for sequences with a `timestamp_override` (the search uses it only when every event has it).
    pub fn streams(&self) -> bool {
        // ES|QL's pipeline (STATS, SORT, LIMIT) needs every row before it says anything.
        if self.waits_for_event_fields() || self.is_esql() {
            return false;
        }
        match &self.query {
            Query::Eql(q) if !q.is_event_query() => {
                q.streams_hits() && self.timestamp_field() == "@timestamp"
            }
            _ => true,
        }
    }

    /// The EQL search options of a sequence or sample (as `Loaded::run_sequences` sets them).
    fn sequence_options(&self) -> crate::eql::run::RunOptions {
        let mut opts = crate::eql::run::RunOptions::default();
        if let Some(rule) = &self.rule {
            opts.tiebreaker_field = rule.tiebreaker_field.clone();
        }
        opts
    }

    /// Whether the query's meaning depends on which fields the events have (an EQL optional
    /// field that only events can make known, `eql::optional`): then the events are read first.
    pub fn waits_for_event_fields(&self) -> bool {
        matches!(&self.query, super::Query::Eql(q) if q.optional_fields_wait_for_events())
    }

    /// A streaming run with `opts` (its "now" defaults to the clock: a stream cannot look ahead
    /// for the latest event time), or `None` when the rule type needs all events at once.
    pub fn stream(&self, opts: &RunOptions) -> Option<Stream<'_>> {
        if !self.streams() {
            return None;
        }
        let now = opts.now.unwrap_or_else(super::clock_now);
        let exceptions = self.exception_set(opts, now);
        let notes = self.run_notes(opts, &exceptions);
        let new_terms = match &self.kind {
            Kind::NewTerms(spec) => Some(NewTermsOrder {
                state: NewTermsState::new(spec),
                clock: EventTime::new(self.timestamp_field()),
                waiting: BinaryHeap::new(),
                window: DEFAULT_REORDER_WINDOW,
                last: None,
            }),
            _ => None,
        };
        let threshold = match &self.kind {
            Kind::Threshold(spec) => Some(ThresholdHold {
                state: ThresholdState::new(spec),
                explanations: HashMap::new(),
            }),
            _ => None,
        };
        let sequence = match &self.query {
            Query::Eql(q) if !q.is_event_query() => {
                let eql_opts = self.sequence_options();
                let hits = q.hit_stream(&eql_opts, DEFAULT_MAX_OPEN)?;
                Some((
                    sequence::SeqHold::new(
                        hits,
                        matches!(q.query.body, crate::eql::ast::Body::Sequence(_)),
                        DEFAULT_REORDER_WINDOW,
                    ),
                    (&**q, eql_opts),
                ))
            }
            _ => None,
        };
        let (sequence, seq_judge) = match sequence {
            Some((hold, j)) => (Some(hold), Some(j)),
            None => (None, None),
        };
        Some(Stream {
            judge: Judge {
                loaded: self,
                exceptions,
                now,
                explain: false,
                new_terms: match &self.kind {
                    Kind::NewTerms(spec) => Some((
                        NewTermsState::new(spec),
                        EventTime::new(self.timestamp_field()),
                    )),
                    _ => None,
                },
                sequence: seq_judge,
            },
            notes,
            next: 0,
            new_terms,
            threshold,
            sequence,
            late: None,
        })
    }
}

impl<'a> Stream<'a> {
    /// What judges events alone for this stream (clone it for other threads).
    pub fn judge(&self) -> &Judge<'a> {
        &self.judge
    }

    /// The notes of this run (the same as [`Loaded::run`] gives).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The "now" of this run, in epoch milliseconds.
    pub fn now(&self) -> i64 {
        self.judge.now
    }

    /// Give every verdict its explanation (the trace is taken when the event arrives).
    pub fn explain(mut self, yes: bool) -> Self {
        self.judge.explain = yes;
        self
    }

    /// Whether [`Stream::push_judged`] reads the event itself, besides its [`Judged`]: threshold
    /// remembers its groups from it (everything else is in the [`Judged`]).
    pub fn reads_events(&self) -> bool {
        self.threshold.is_some()
    }

    /// How many new_terms candidates (sequence events) may wait to be put in time order (at
    /// least 1).
    pub fn reorder_window(mut self, window: usize) -> Self {
        if let Some(nt) = &mut self.new_terms {
            nt.window = window.max(1);
        }
        if let Some(seq) = &mut self.sequence {
            seq.set_window(window);
        }
        self
    }

    /// How many partial sequences (sample join keys) may be open at once; past it the oldest
    /// are dropped with a [`Stream::warning`].
    pub fn max_open(mut self, max: usize) -> Self {
        if let Some(seq) = &mut self.sequence {
            seq.set_max_open(max);
        }
        self
    }

    /// A sequence or sample: hand over the hits that became final (in Elasticsearch's order).
    /// Their events get no per-event verdicts from [`Stream::push`]: see
    /// [`Judged::status_alone`] and [`Stream::alerted`].
    pub fn take_hits(&mut self) -> Vec<SequenceHit> {
        self.sequence
            .as_mut()
            .map(|s| std::mem::take(&mut s.ready))
            .unwrap_or_default()
    }

    /// How many distinct events the hits so far name (alerts).
    pub fn alerted(&self) -> usize {
        self.sequence.as_ref().map_or(0, sequence::SeqHold::alerted)
    }

    /// The most partial sequences (sample join keys) open at once so far.
    pub fn peak_open(&self) -> Option<usize> {
        self.sequence.as_ref().map(|s| s.hits().peak_open())
    }

    /// An event [`Stream::finish`] could not place (a sequence event without a time after
    /// maxspan closed sequences): the hits stop before it.
    pub fn late_error(&mut self) -> Option<OutOfOrder> {
        self.late.take()
    }

    /// Why the hits may be incomplete (the cap on open sequences was reached).
    pub fn warning(&self) -> Option<String> {
        self.sequence.as_ref().and_then(|s| s.hits().warning())
    }

    /// Take the next event; `emit` gets every verdict that became final (in the order they do:
    /// each carries its index). An [`OutOfOrder`] error ends the stream.
    pub fn push(
        &mut self,
        event: &Value,
        emit: &mut dyn FnMut(StreamVerdict),
    ) -> Result<(), OutOfOrder> {
        let judged = self.judge.judge(event);
        self.push_judged(event, judged, emit)
    }

    /// [`Stream::push`] for an event already judged by this stream's [`Judge`]. `event` is read
    /// only when [`Stream::reads_events`] says so.
    pub fn push_judged(
        &mut self,
        event: &Value,
        judged: Judged,
        emit: &mut dyn FnMut(StreamVerdict),
    ) -> Result<(), OutOfOrder> {
        let loaded = self.judge.loaded;
        let index = self.next;
        self.next += 1;
        let Judged {
            matched,
            excepted,
            explanation,
            new_terms,
            observed,
        } = judged;
        if let Some(seq) = &mut self.sequence {
            return seq.push(index, observed);
        }
        let explanation = explanation.map(|mut x| {
            x.index = index;
            x
        });
        let candidate = matched && excepted.is_none();
        let tv = match (&loaded.kind, &mut self.new_terms) {
            (Kind::NeverAlerts(why), _) => TypeVerdict {
                alert: false,
                reason: candidate.then(|| why.clone()),
            },
            (_, Some(nt)) if candidate => {
                let (time, terms) =
                    new_terms.unwrap_or_else(|| (nt.clock.of(event), nt.state.terms(event)));
                let key = (time.unwrap_or(i64::MIN), index);
                if let Some(last) = nt.last.filter(|&last| key < last) {
                    return Err(OutOfOrder {
                        index,
                        message: format!(
                            "event #{index} ({}) is earlier than event #{} ({}), which new_terms has already decided: the events are out of time order by more than the reorder window ({} candidate events); sort them by time or raise the window",
                            show_time(time),
                            last.1,
                            show_time((last.0 != i64::MIN).then_some(last.0)),
                            nt.window
                        ),
                    });
                }
                nt.waiting.push(Reverse(Waiting {
                    key,
                    time,
                    terms,
                    explanation,
                }));
                if nt.waiting.len() > nt.window {
                    self.release_one(emit);
                }
                return Ok(());
            }
            (Kind::Threshold(_), _) if candidate => {
                let Some(hold) = &mut self.threshold else {
                    return Ok(());
                };
                match hold.state.add(event, index) {
                    Some(tv) => tv,
                    None => {
                        if let Some(x) = explanation {
                            hold.explanations.insert(index, x);
                        }
                        return Ok(());
                    }
                }
            }
            _ => TypeVerdict {
                alert: candidate,
                reason: None,
            },
        };
        let (status, reason) = settle(matched, excepted, tv, &self.judge.exceptions);
        emit(finish(index, matched, status, reason, explanation));
        Ok(())
    }

    /// The end of the input: decide every candidate still waiting. Returns threshold's groups.
    /// (A sequence's last hits then wait in [`Stream::take_hits`].)
    pub fn finish(&mut self, emit: &mut dyn FnMut(StreamVerdict)) -> Vec<ThresholdGroup> {
        if let Some(seq) = &mut self.sequence {
            if let Err(e) = seq.finish() {
                self.late = Some(e);
            }
        }
        while self.release_one(emit) {}
        let Some(ThresholdHold {
            state,
            mut explanations,
        }) = self.threshold.take()
        else {
            return Vec::new();
        };
        let (verdicts, groups) = state.finish();
        for (index, tv) in verdicts {
            let (status, reason) = settle(true, None, tv, &self.judge.exceptions);
            let x = explanations.remove(&index);
            emit(finish(index, true, status, reason, x));
        }
        groups
    }

    /// Decide the earliest waiting candidate; false when none waits.
    fn release_one(&mut self, emit: &mut dyn FnMut(StreamVerdict)) -> bool {
        let Some(nt) = &mut self.new_terms else {
            return false;
        };
        let Some(Reverse(w)) = nt.waiting.pop() else {
            return false;
        };
        nt.last = Some(w.key);
        let tv = nt.state.decide(w.terms, w.time, w.key.1);
        let (status, reason) = settle(true, None, tv, &self.judge.exceptions);
        emit(finish(w.key.1, true, status, reason, w.explanation));
        true
    }
}

fn finish(
    index: usize,
    matched: bool,
    status: Status,
    reason: Option<String>,
    explanation: Option<Box<Explanation>>,
) -> StreamVerdict {
    let explanation = explanation.map(|x| {
        let mut x = *x;
        x.status = status;
        x.alert = status == Status::Alert;
        x.reason = reason.clone();
        x
    });
    StreamVerdict {
        index,
        matched,
        status,
        reason,
        explanation,
    }
}

fn show_time(t: Option<i64>) -> String {
    t.map_or_else(|| "no time".into(), format_millis)
}

#[cfg(test)]
mod tests {
    use super::super::{load, Lang, RunOptions};
    use crate::event::parse::parse_events;

    /// A stream gives every event the verdict a whole run gives it.
    fn same_as_run(lang: Lang, source: &str, events: &str, exceptions: &str) {
        let loaded = load(source, lang).expect("loads");
        let parsed = parse_events(events);
        let opts = RunOptions {
            now: Some(1_700_000_000_000),
            exceptions: crate::exceptions::import_ndjson(exceptions).items,
            skip_misses: true,
            ..Default::default()
        };
        let whole = loaded.run(&parsed.events, &opts);
        let mut stream = loaded.stream(&opts).expect("streams").explain(true);
        assert_eq!(stream.notes(), whole.notes.as_slice());
        let mut got = Vec::new();
        for ev in &parsed.events {
            stream.push(ev, &mut |v| got.push(v)).expect("in order");
        }
        stream.finish(&mut |v| got.push(v));
        got.sort_by_key(|v| v.index);
        assert_eq!(got.len(), whole.events.len());
        for (s, v) in got.iter().zip(&whole.events) {
            assert_eq!(
                (s.index, s.matched, s.status, s.reason.as_deref()),
                (v.index, v.matched, v.status, v.reason.as_deref())
            );
            let y = loaded
                .explain_run(&parsed.events, &whole, v.index, &opts)
                .expect("explains");
            assert_eq!(s.explanation.as_ref(), Some(&y));
        }
    }

    const EVENTS: &str = r#"{"process":{"name":"sort","args":["a"]},"host":{"os":{"type":"linux"}}}
{"process.name":"bash","event":{"type":"start"}}
{"process":{"name":["cron","sh"]}}
{"user":{"name":"root"}}
"#;

    #[test]
    fn kql_and_eql_event_queries_stream_like_a_run() {
        same_as_run(
            Lang::Kql,
            "process.name:(sort or sh) and not user.name:x",
            EVENTS,
            "",
        );
        same_as_run(
            Lang::Eql,
            r#"process where process.name in ("sort", "bash")"#,
            EVENTS,
            "",
        );
        let item = r#"{"item_id":"a","list_id":"l","name":"no sort","type":"simple","namespace_type":"single","entries":[{"field":"process.name","operator":"included","type":"match","value":"sort"}]}"#;
        same_as_run(Lang::Kql, "process.name:*", EVENTS, item);
    }

    const NEW_TERMS: &str = r#"[rule]
name = "nt"
type = "new_terms"
language = "kuery"
query = "process.name:*"
[rule.new_terms]
field = "new_terms_fields"
value = ["process.name"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-1h"
"#;

    /// new_terms events a little out of time order: the same verdicts as a whole run (which
    /// sorts by time), as long as the reorder window covers the disorder.
    const NT_EVENTS: &str = r#"{"@timestamp":"2026-01-01T00:10:00Z","process":{"name":"a"}}
{"@timestamp":"2026-01-01T00:00:00Z","process":{"name":"a"}}
{"@timestamp":"2026-01-01T03:00:00Z","process":{"name":"a"}}
{"process":{"name":"b"}}
{"@timestamp":"2026-01-01T03:30:00Z","process":{"name":["a","c"]}}
{"@timestamp":"2026-01-01T03:20:00Z","process":{"name":"c"}}
{"@timestamp":"2026-01-01T03:40:00Z","user":{"name":"x"}}
"#;

    #[test]
    fn new_terms_streams_like_a_run() {
        same_as_run(Lang::Toml, NEW_TERMS, NT_EVENTS, "");
    }

    #[test]
    fn new_terms_out_of_order_beyond_the_window_is_an_error() {
        let loaded = load(NEW_TERMS, Lang::Toml).expect("loads");
        let parsed = parse_events(NT_EVENTS);
        let mut stream = loaded
            .stream(&RunOptions::default())
            .expect("streams")
            .reorder_window(1);
        let mut got = Vec::new();
        stream
            .push(&parsed.events[0], &mut |v| got.push(v.index))
            .expect("first");
        // With a window of one, event 0 waits; event 1 (earlier) is still in time: both wait
        // until one is released, then 0 is decided.
        stream
            .push(&parsed.events[1], &mut |v| got.push(v.index))
            .expect("reordered");
        assert_eq!(got, [1]);
        let err = stream
            .push(&parsed.events[3], &mut |v| got.push(v.index))
            .expect_err("no time after a decided event");
        assert_eq!(err.index, 2);
        assert!(err.message.contains("out of time order"), "{}", err.message);
    }

    const THRESHOLD: &str = r#"[rule]
name = "t"
type = "threshold"
language = "kuery"
query = "process.name:*"
[rule.threshold]
field = ["host.name"]
value = 2
[[rule.threshold.cardinality]]
field = "user.name"
value = 2
"#;

    #[test]
    fn threshold_streams_like_a_run() {
        let events = r#"{"host":{"name":"a"},"process":{"name":"x"},"user":{"name":"u"}}
{"host":{"name":["a","b"]},"process":{"name":"y"},"user":{"name":"v"}}
{"host":{"name":"b"},"process":{"name":"y"},"user":{"name":"v"}}
{"process":{"name":"z"}}
{"host":{"name":"c"},"user":{"name":"w"}}
"#;
        same_as_run(Lang::Toml, THRESHOLD, events, "");
    }

    #[test]
    fn sequences_with_missing_event_steps_stream() {
        let seq = load("sequence [any where true] [any where true]", Lang::Eql).expect("loads");
        assert!(seq.stream(&RunOptions::default()).is_some());
        let missing = load(
            "sequence with maxspan=1h [any where true] ![any where true] [any where true]",
            Lang::Eql,
        )
        .expect("loads");
        assert!(missing.stream(&RunOptions::default()).is_some());
    }
}
