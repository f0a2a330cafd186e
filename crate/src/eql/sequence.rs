//! Sequences with Elasticsearch's matching algorithm (its `SequenceMatcher`), replayed over the
//! events in order:
//! * an event matching the first positive step starts a new in-flight sequence for its join key;
//! * an event matching step n takes the *newest* in-flight sequence of its key waiting at step
//!   n-1 that is strictly before it, and every older one of that key and step is dropped;
//! * the taken sequence is then rejected when the event is more than `maxspan` after the
//!   sequence's first event (exactly `maxspan` is still inside), or when an `until` event of the
//!   same key lies between the sequence's last event (inclusive) and this one;
//! * missing-event steps `![…]` are not matched in flight: a completed sequence is checked
//!   afterwards for an event of that step (same key) between its neighbouring positive events,
//!   or — for leading/trailing missing steps — within `maxspan` before/after it;
//! * hits come out ordered by their last event.
//!
//! Join keys are the query-level `by` keys then the step's own; a multi-valued key field gives
//! one candidate per value (and the cartesian product across keys); an absent non-optional key
//! excludes the event, an absent `?optional` key is the key `null`.

use super::ast::Sequence;
use super::eval::CompiledEvent;
use super::stage::{key_tuples, stages, KeyExpr, KeyVal, Ordinal, SeqHit, Stage, StepHits};
use crate::diagnostic::Span;
use crate::explain::Trace;
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};

const NANOS_PER_MILLI: i128 = 1_000_000;

/// An in-flight or completed sequence: the ranks (positions in the ordered event list) that
/// filled each stage.
#[derive(Clone, Debug)]
pub(crate) struct SeqState {
    pub key: Vec<KeyVal>,
    pub ranks: Vec<Option<usize>>,
    /// The last stage filled.
    pub current: usize,
}

impl SeqState {
    fn start_rank(&self) -> usize {
        self.ranks.iter().flatten().next().copied().unwrap_or(0)
    }
    fn last_rank(&self) -> usize {
        self.ranks[self.current].unwrap_or(0)
    }
}

/// Why a candidate event could not advance a sequence (for explanations).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rejection {
    Maxspan,
    Until,
}

/// Observer hooks used by the explanation; running a query uses none.
pub(crate) trait Observer {
    fn rejected(&mut self, _seq: usize, _stage: usize, _rank: usize, _why: Rejection) {}
}

struct NoObserver;
impl Observer for NoObserver {}

pub(crate) struct Matcher<'q, 'e> {
    pub stages: Vec<Stage<'q>>,
    until: Option<(&'q CompiledEvent, &'q [KeyExpr])>,
    pub maxspan: Option<i128>,
    pub events: &'e [Value],
    pub order: &'e [Ordinal],
    /// Step verdicts precomputed on an event view, when the run has one.
    pub hits: Option<&'e StepHits>,
    positive: Vec<usize>,
    prev_positive: Vec<Option<usize>>,
    /// Every sequence ever created; groups hold indices into it.
    pub seqs: Vec<SeqState>,
    groups: HashMap<(usize, Vec<KeyVal>), VecDeque<usize>>,
    until_marks: HashMap<Vec<KeyVal>, Vec<usize>>,
    pub completed: Vec<usize>,
}

impl<'q, 'e> Matcher<'q, 'e> {
    /// `keys`: the join keys of each step, then of `until`.
    pub fn new(
        seq: &'q Sequence,
        compiled: &'q [CompiledEvent],
        until: Option<&'q CompiledEvent>,
        keys: &'q [Vec<KeyExpr>],
        events: &'e [Value],
        order: &'e [Ordinal],
    ) -> Self {
        let stages = stages(&seq.steps, compiled, keys);
        let positive: Vec<usize> = (0..stages.len()).filter(|&i| !stages[i].missing).collect();
        let prev_positive = (0..stages.len())
            .map(|i| (0..i).rev().find(|&j| !stages[j].missing))
            .collect();
        let until = until.zip(keys.get(seq.steps.len()).map(Vec::as_slice));
        Matcher {
            stages,
            until,
            maxspan: seq
                .maxspan
                .as_ref()
                .map(|(ms, _)| *ms as i128 * NANOS_PER_MILLI)
                .filter(|n| *n > 0),
            events,
            order,
            hits: None,
            positive,
            prev_positive,
            seqs: Vec::new(),
            groups: HashMap::new(),
            until_marks: HashMap::new(),
            completed: Vec::new(),
        }
    }

    pub fn event(&self, rank: usize) -> &'e Value {
        &self.events[self.order[rank].index]
    }

    /// Whether stage `s`'s query matches the event at `rank`.
    fn stage_matches(&self, s: usize, rank: usize) -> bool {
        match self.hits {
            Some(h) => h.step(self.stages[s].step, self.order[rank].index),
            None => self.stages[s].matches(self.event(rank)),
        }
    }

    pub fn ts(&self, rank: usize) -> Option<i128> {
        self.order[rank].ts
    }

    /// `to - from > maxspan`; events without a timestamp never exceed it.
    pub fn exceeds(&self, from: Option<i128>, to: Option<i128>) -> bool {
        match (self.maxspan, from, to) {
            (Some(m), Some(a), Some(b)) => b - a > m,
            _ => false,
        }
    }

    pub fn run(&mut self) {
        self.run_with(&mut NoObserver)
    }

    pub(crate) fn run_with(&mut self, obs: &mut dyn Observer) {
        let (Some(&first), Some(&last)) = (self.positive.first(), self.positive.last()) else {
            return;
        };
        // Steps expanded by `runs=N` share their query: evaluate it once per event.
        let steps = self.stages.last().map_or(0, |s| s.step + 1);
        let mut step_hit: Vec<Option<bool>> = vec![None; steps];
        for rank in 0..self.order.len() {
            let ev = self.event(rank);
            step_hit.iter_mut().for_each(|h| *h = None);
            for si in (0..self.positive.len()).rev() {
                let s = self.positive[si];
                let step = self.stages[s].step;
                let hit = match step_hit[step] {
                    Some(h) => h,
                    None => {
                        let h = self.stage_matches(s, rank);
                        step_hit[step] = Some(h);
                        h
                    }
                };
                if !hit {
                    continue;
                }
                for key in key_tuples(self.stages[s].keys, ev) {
                    if s == first {
                        let mut ranks = vec![None; self.stages.len()];
                        ranks[s] = Some(rank);
                        self.seqs.push(SeqState {
                            key: key.clone(),
                            ranks,
                            current: s,
                        });
                        let id = self.seqs.len() - 1;
                        if s == last {
                            self.completed.push(id);
                        } else {
                            self.groups.entry((s, key)).or_default().push_back(id);
                        }
                    } else {
                        self.advance(s, key, rank, last, obs);
                    }
                }
            }
            if let Some((uc, ukeys)) = self.until {
                let hit = match self.hits {
                    Some(h) => h.step(
                        self.stages.last().map_or(0, |s| s.step + 1),
                        self.order[rank].index,
                    ),
                    None => uc.matches(ev),
                };
                if hit {
                    for key in key_tuples(ukeys, ev) {
                        self.until_marks.entry(key).or_default().push(rank);
                    }
                }
            }
        }
        if self.stages.iter().any(|s| s.missing) {
            self.check_missing();
        }
        // Elasticsearch keeps completed sequences ordered by their last event.
        let seqs = &self.seqs;
        // `&dyn Fn` key: shares one stable-sort instantiation with `ruletype::time_order`.
        let key: &dyn Fn(&usize) -> i64 = &|&id| seqs[id].last_rank() as i64;
        self.completed.sort_by_key(key);
    }

    fn advance(
        &mut self,
        s: usize,
        key: Vec<KeyVal>,
        rank: usize,
        last: usize,
        obs: &mut dyn Observer,
    ) {
        let Some(prev) = self.prev_positive[s] else {
            return;
        };
        let gk = (prev, key);
        let Some(group) = self.groups.get_mut(&gk) else {
            return;
        };
        // Every member is strictly before `rank` (events are replayed in order and a stage only
        // ever holds earlier events): take the newest, drop the rest.
        let Some(id) = group.pop_back() else {
            return;
        };
        group.clear();
        self.groups.remove(&gk);
        let key = gk.1;
        let start = self.seqs[id].start_rank();
        if self.exceeds(self.ts(start), self.ts(rank)) {
            obs.rejected(id, s, rank, Rejection::Maxspan);
            return;
        }
        if let Some(marks) = self.until_marks.get(&key) {
            // The nearest until event strictly before this one, if it is at or after the
            // sequence's last event, cuts the sequence.
            let idx = marks.partition_point(|&m| m < rank);
            if idx > 0 && marks[idx - 1] >= self.seqs[id].last_rank() {
                obs.rejected(id, s, rank, Rejection::Until);
                return;
            }
        }
        let st = &mut self.seqs[id];
        st.ranks[s] = Some(rank);
        st.current = s;
        if s == last {
            self.completed.push(id);
        } else {
            self.groups.entry((s, key)).or_default().push_back(id);
        }
    }

    /// Drop completed sequences that a missing-event step contradicts (Elasticsearch's
    /// `TumblingWindow.doCheckMissingEvents`: time windows in milliseconds, the step's own
    /// join keys filtered on the sequence's key values).
    fn check_missing(&mut self) {
        let n = self.stages.len();
        // Events of each missing stage: (timestamp nanos, key tuples).
        let mut cand: Vec<Vec<(i128, Vec<Vec<KeyVal>>)>> = vec![Vec::new(); n];
        let mut step_cache: HashMap<usize, usize> = HashMap::new();
        for s in 0..n {
            if !self.stages[s].missing {
                continue;
            }
            if let Some(&src) = step_cache.get(&self.stages[s].step) {
                cand[s] = cand[src].clone();
                continue;
            }
            for rank in 0..self.order.len() {
                let ev = self.event(rank);
                let Some(ts) = self.ts(rank) else { continue };
                if self.stage_matches(s, rank) {
                    cand[s].push((ts, key_tuples(self.stages[s].keys, ev)));
                }
            }
            step_cache.insert(self.stages[s].step, s);
        }
        let ms = |t: i128| t.div_euclid(NANOS_PER_MILLI) * NANOS_PER_MILLI;
        let trailing = |i: usize| (i + 1..n).all(|j| self.stages[j].missing);
        let first_missing = self.stages[0].missing;
        let last_missing = self.stages[n - 1].missing;
        let mut kept = Vec::new();
        for &id in &self.completed {
            let seq = &self.seqs[id];
            let start_ts = self.ts(seq.start_rank());
            let last_ts = self.ts(seq.last_rank());
            let key_ok = |tuples: &Vec<Vec<KeyVal>>| tuples.contains(&seq.key);
            let mut leading = true;
            let mut discarded = false;
            let mut last_leading: Option<i128> = None;
            let mut first_trailing: Option<i128> = None;
            for (i, cands) in cand.iter().enumerate() {
                if !self.stages[i].missing {
                    leading = false;
                    continue;
                }
                if leading {
                    let Some(b) = start_ts.map(ms) else { continue };
                    for (t, k) in cands {
                        if *t < b && key_ok(k) {
                            last_leading = Some(last_leading.map_or(*t, |l| l.max(*t)));
                        }
                    }
                } else if trailing(i) {
                    let Some(b) = last_ts.map(ms) else { continue };
                    for (t, k) in cands {
                        if ms(*t) > b && key_ok(k) {
                            first_trailing = Some(first_trailing.map_or(*t, |f| f.min(*t)));
                        }
                    }
                } else {
                    let before = (0..i).rev().find_map(|j| seq.ranks[j]);
                    let after = (i + 1..n).find_map(|j| seq.ranks[j]);
                    let (Some(lo), Some(hi)) = (
                        before.and_then(|r| self.ts(r)).map(ms),
                        after.and_then(|r| self.ts(r)).map(ms),
                    ) else {
                        continue;
                    };
                    if cands
                        .iter()
                        .any(|(t, k)| ms(*t) > lo && *t < hi && key_ok(k))
                    {
                        discarded = true;
                        break;
                    }
                }
            }
            if discarded {
                continue;
            }
            let bigger = |a: Option<i128>, b: Option<i128>| match (a, b) {
                (Some(_), Some(_)) => self.exceeds(a, b),
                _ => true,
            };
            let keep = (first_trailing.is_none() && last_leading.is_none())
                || (last_leading.is_none() && first_missing)
                || (first_trailing.is_none() && last_missing)
                || (first_missing && last_missing && bigger(last_leading, first_trailing))
                || (first_missing && !last_missing && bigger(last_leading, last_ts))
                || (!first_missing && last_missing && bigger(start_ts, first_trailing));
            if keep {
                kept.push(id);
            }
        }
        self.completed = kept;
    }

    pub fn hit(&self, id: usize) -> SeqHit {
        let s = &self.seqs[id];
        SeqHit {
            events: s
                .ranks
                .iter()
                .map(|r| r.map(|r| self.order[r].index))
                .collect(),
            join_keys: s.key.iter().map(KeyVal::to_json).collect(),
        }
    }
}

/// All hits of a sequence query over events already put in order.
pub fn run_sequence(
    seq: &Sequence,
    compiled: &[CompiledEvent],
    until: Option<&CompiledEvent>,
    keys: &[Vec<KeyExpr>],
    events: &[Value],
    order: &[Ordinal],
    hits: Option<&StepHits>,
) -> Vec<SeqHit> {
    let mut m = Matcher::new(seq, compiled, until, keys, events, order);
    m.hits = hits;
    m.run();
    m.completed.iter().map(|&id| m.hit(id)).collect()
}

/// Why a sequence did (or did not) come together: the chain that got furthest, the step where
/// it broke, and the event that came closest to filling that step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SequenceExplanation {
    /// Some sequence completed (the steps are then those of the first hit).
    pub matched: bool,
    /// One entry per stage (`runs=N` steps count N times) of the chain shown.
    pub steps: Vec<StepFill>,
    /// The stage that never filled, for a broken chain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<usize>,
    /// The closest candidate event for `broken_at` and why it did not fill it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<Candidate>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepFill {
    /// Stage index (after `runs` expansion).
    pub stage: usize,
    /// Index of the bracketed step in the query text.
    pub step: usize,
    /// Source span of the step.
    pub span: Span,
    /// A missing-event step `![…]` (never filled by an event).
    pub missing: bool,
    /// Input index of the event that filled the stage.
    pub event: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// Input index of the event.
    pub event: usize,
    pub reason: CandidateReason,
    /// Plain words for the page.
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateReason {
    /// The event satisfies the step's condition but its join key differs.
    KeyMismatch,
    /// The event would fill the step but comes later than `maxspan` after the first event.
    MaxspanExceeded,
    /// An `until` event of the same key came in between.
    Until,
    /// A newer chain with the same key took the event (Elasticsearch keeps one per key and step).
    Superseded,
    /// The event's condition for this step is false (the near-miss clauses say which parts).
    ConditionFalse,
}

#[derive(Default)]
struct Recorder {
    rejections: Vec<(usize, usize, usize, Rejection)>,
}

impl Observer for Recorder {
    fn rejected(&mut self, seq: usize, stage: usize, rank: usize, why: Rejection) {
        self.rejections.push((seq, stage, rank, why));
    }
}

fn key_text(k: &[KeyVal]) -> String {
    let parts: Vec<String> = k.iter().map(|v| v.to_json().to_string()).collect();
    parts.join(", ")
}

/// Explain a sequence query over events already put in order.
pub fn explain_sequence(
    seq: &Sequence,
    compiled: &[CompiledEvent],
    until: Option<&CompiledEvent>,
    keys: &[Vec<KeyExpr>],
    events: &[Value],
    order: &[Ordinal],
) -> SequenceExplanation {
    let mut m = Matcher::new(seq, compiled, until, keys, events, order);
    let mut rec = Recorder::default();
    m.run_with(&mut rec);
    let fills = |ranks: &[Option<usize>]| -> Vec<StepFill> {
        m.stages
            .iter()
            .enumerate()
            .map(|(i, st)| StepFill {
                stage: i,
                step: st.step,
                span: st.step_ref.span,
                missing: st.missing,
                event: ranks.get(i).copied().flatten().map(|r| order[r].index),
            })
            .collect()
    };
    if let Some(&id) = m.completed.first() {
        return SequenceExplanation {
            matched: true,
            steps: fills(&m.seqs[id].ranks),
            broken_at: None,
            candidate: None,
        };
    }
    let positive: Vec<usize> = (0..m.stages.len())
        .filter(|&i| !m.stages[i].missing)
        .collect();
    let Some(&first) = positive.first() else {
        return SequenceExplanation {
            matched: false,
            steps: fills(&[]),
            broken_at: None,
            candidate: None,
        };
    };
    // The chain that got furthest (the earliest one among equals).
    let best = (0..m.seqs.len()).max_by_key(|&id| (m.seqs[id].current, std::cmp::Reverse(id)));
    let Some(id) = best else {
        // Nothing filled the first step: the closest event by its condition.
        let candidate = closest_by_condition(&m, first, 0);
        return SequenceExplanation {
            matched: false,
            steps: fills(&[]),
            broken_at: Some(first),
            candidate,
        };
    };
    let partial = &m.seqs[id];
    let broken = positive.iter().copied().find(|&s| s > partial.current);
    let steps = fills(&partial.ranks);
    let Some(broken) = broken else {
        // Every positive step filled: a missing-event step ruled the sequence out.
        let missing = (0..m.stages.len()).find(|&i| m.stages[i].missing);
        return SequenceExplanation {
            matched: false,
            steps,
            broken_at: missing,
            candidate: None,
        };
    };
    let after = partial.last_rank() + 1;
    // 1. An event that would have filled the step but maxspan/until rejected it.
    if let Some(&(_, _, rank, why)) = rec
        .rejections
        .iter()
        .find(|(s, st, _, _)| *s == id && *st == broken)
    {
        let (reason, message) = match why {
            Rejection::Maxspan => (
                CandidateReason::MaxspanExceeded,
                "the event comes later than maxspan after the sequence's first event".to_string(),
            ),
            Rejection::Until => (
                CandidateReason::Until,
                "an until event with the same key came first".to_string(),
            ),
        };
        return SequenceExplanation {
            matched: false,
            steps,
            broken_at: Some(broken),
            candidate: Some(Candidate {
                event: order[rank].index,
                reason,
                message,
            }),
        };
    }
    // 2. An event satisfying the step's condition with another key, or one taken by a newer chain.
    let stage = &m.stages[broken];
    for o in order.iter().skip(after) {
        let ev = &events[o.index];
        if !stage.matches(ev) {
            continue;
        }
        let keys = key_tuples(stage.keys, ev);
        let (reason, message) = if keys.contains(&partial.key) {
            (
                CandidateReason::Superseded,
                "a newer chain with the same key took this event".to_string(),
            )
        } else {
            (
                CandidateReason::KeyMismatch,
                format!(
                    "join key is [{}], the sequence's is [{}]",
                    keys.iter()
                        .map(|k| key_text(k))
                        .collect::<Vec<_>>()
                        .join("] or ["),
                    key_text(&partial.key)
                ),
            )
        };
        return SequenceExplanation {
            matched: false,
            steps,
            broken_at: Some(broken),
            candidate: Some(Candidate {
                event: o.index,
                reason,
                message,
            }),
        };
    }
    // 3. The later event whose condition came closest.
    let candidate = closest_by_condition(&m, broken, after);
    SequenceExplanation {
        matched: false,
        steps,
        broken_at: Some(broken),
        candidate,
    }
}

/// The event from rank `from` on with the fewest near-miss clauses for `stage`'s condition.
fn closest_by_condition(m: &Matcher, stage: usize, from: usize) -> Option<Candidate> {
    let st = &m.stages[stage];
    let mut best: Option<(usize, usize, String)> = None;
    for rank in from..m.order.len() {
        let clause = st.compiled.explain(m.event(rank));
        let trace = Trace::new(clause);
        let n = trace.near_miss.len().max(1);
        if best.as_ref().is_none_or(|(b, _, _)| n < *b) {
            let msg = trace
                .near_miss
                .iter()
                .map(|nm| nm.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            best = Some((n, rank, msg));
        }
    }
    best.map(|(_, rank, message)| Candidate {
        event: m.order[rank].index,
        reason: CandidateReason::ConditionFalse,
        message: if message.is_empty() {
            "the step's condition is false".to_string()
        } else {
            message
        },
    })
}
