//! Sequences and samples over events given one at a time, with the hits of
//! [`EqlQuery::run`](super::EqlQuery::run) and memory for what is still open, not for the input.
//!
//! A sequence replays `sequence.rs`'s matcher event by event, in time order (the caller puts the
//! events in order: `engine::stream`). Only the newest partial sequence of a (stage, join key)
//! can ever advance — an advance takes it and drops the older ones — so one slot per (stage,
//! key) is all the matcher keeps; a slot whose first event is more than `maxspan` before the
//! latest event can never complete and is dropped; an `until` mark is kept while its key has an
//! open slot. Without `maxspan`, partial sequences stay open to the end, as in Elasticsearch.
//! Their number is capped ([`DEFAULT_MAX_OPEN`]): past the cap the slots that advanced longest
//! ago are dropped, and [`HitStream::warning`] says how many (hits may then be missing).
//! Missing-event steps `![…]` look back and ahead around each hit, never further than `maxspan`
//! (which they need): `missing.rs` keeps their events of the last `maxspan` and holds a hit back
//! until its trailing missing step is decided.
//!
//! A sample keeps, per join key, the first `steps + max_samples_per_key - 1` events of each
//! step (all that `sample.rs` ever reads) and picks its samples at the end; the number of keys
//! is capped the same way (new keys past the cap are not followed).

mod missing;

use super::ast::{Body, Pipe};
use super::run::{apply_pipes, tie_value, timestamp_nanos, RunOptions};
use super::sample::{normalize_dates, pick_samples};
use super::stage::{key_tuples, KeyVal, SeqHit, TieValue};
use super::EqlQuery;
use crate::event::lookup::FieldPath;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

/// Open partial sequences (sample join keys) a stream keeps at most by default. A slot costs
/// about 200 bytes with a short key: 100,000 stay under 32 MB. Elasticsearch has no count:
/// its `eql_sequence` circuit breaker (50% of the heap) fails the query instead.
pub const DEFAULT_MAX_OPEN: usize = 100_000;

const NANOS_PER_MILLI: i128 = 1_000_000;

/// What a sequence or sample reads of one event: its place in time and, for each compiled query
/// (steps, then `until`), the join key tuples when the query matches. Computed from the event
/// alone (any thread).
#[derive(Clone, Debug)]
pub struct Observed {
    pub ts: Option<i128>,
    pub tiebreaker: Option<TieValue>,
    pub steps: Vec<Option<Vec<Vec<KeyVal>>>>,
}

impl EqlQuery {
    /// Whether [`EqlQuery::hit_stream`] gives this query's hits: sequences (those with
    /// missing-event steps have a maxspan) and samples.
    pub fn streams_hits(&self) -> bool {
        match &self.query.body {
            // Missing-event steps need maxspan (the parser says so): their checks look back and
            // ahead no further than it.
            Body::Sequence(s) => s.maxspan.is_some() || !s.steps.iter().any(|st| st.missing),
            Body::Sample(_) => true,
            Body::Event(_) => false,
        }
    }

    /// What the hit stream reads of `event` (see [`Observed`]).
    pub fn observe(&self, event: &Value, opts: &RunOptions) -> Observed {
        let ts = FieldPath::new(&opts.timestamp_field)
            .first(event)
            .and_then(timestamp_nanos);
        let tiebreaker = opts
            .tiebreaker_field
            .as_deref()
            .and_then(|f| FieldPath::new(f).first(event).and_then(tie_value));
        let sample = matches!(self.query.body, Body::Sample(_));
        let steps = self
            .compiled
            .iter()
            .zip(&self.keys)
            .map(|(c, keys)| {
                c.matches(event).then(|| {
                    let mut tuples = key_tuples(keys, event);
                    if sample {
                        normalize_dates(keys, &mut tuples, &opts.field_types);
                    }
                    tuples
                })
            })
            .collect();
        Observed {
            ts,
            tiebreaker,
            steps,
        }
    }

    /// A stream of this query's hits (`None` unless [`EqlQuery::streams_hits`]), keeping at
    /// most `max_open` partial sequences or sample keys.
    pub fn hit_stream(&self, opts: &RunOptions, max_open: usize) -> Option<HitStream> {
        if !self.streams_hits() {
            return None;
        }
        let kind = match &self.query.body {
            Body::Sequence(seq) => {
                let mut stage_step = Vec::new();
                for (i, st) in seq.steps.iter().enumerate() {
                    for _ in 0..st.runs.unwrap_or(1).max(1) {
                        stage_step.push(i);
                    }
                }
                let missing: Vec<bool> = stage_step.iter().map(|&i| seq.steps[i].missing).collect();
                let positive: Vec<usize> = (0..missing.len()).filter(|&i| !missing[i]).collect();
                let prev = (0..missing.len())
                    .map(|i| (0..i).rev().find(|&j| !missing[j]))
                    .collect();
                let maxspan = seq
                    .maxspan
                    .as_ref()
                    .map(|(ms, _)| i128::from(*ms) * NANOS_PER_MILLI)
                    .filter(|n| *n > 0);
                let absent = match maxspan {
                    Some(m) if missing.iter().any(|&x| x) => Some(missing::Absent::new(missing, m)),
                    _ => None,
                };
                Kind::Sequence(Box::new(SeqMatcher {
                    stage_step,
                    positive,
                    prev,
                    absent,
                    until: seq.until.as_ref().map(|_| seq.steps.len()),
                    maxspan,
                    slots: HashMap::new(),
                    until_marks: HashMap::new(),
                    rank: 0,
                    latest: None,
                    pruned: false,
                    untimed: false,
                    next_sweep: SWEEP_FLOOR,
                }))
            }
            Body::Sample(sample) => {
                let stages: usize = sample
                    .steps
                    .iter()
                    .map(|st| st.runs.unwrap_or(1).max(1) as usize)
                    .sum();
                let mut stage_step = Vec::new();
                for (i, st) in sample.steps.iter().enumerate() {
                    for _ in 0..st.runs.unwrap_or(1).max(1) {
                        stage_step.push(i);
                    }
                }
                let per_key = opts.max_samples_per_key.unwrap_or(1).max(1);
                Kind::Sample(SampleKeys {
                    stage_step,
                    take: stages + per_key - 1,
                    per_key,
                    keys: HashMap::new(),
                })
            }
            Body::Event(_) => return None,
        };
        // `size` limits the hits after the pipes; a sample also stops at `size` before them.
        let size = opts
            .size
            .map(|n| Pipe::Head(n as u64, crate::diagnostic::Span::default()));
        let mut pipes = Vec::new();
        if matches!(kind, Kind::Sample(_)) {
            pipes.extend(size.clone());
        }
        pipes.extend(self.query.pipes.iter().cloned());
        pipes.extend(size);
        Some(HitStream {
            kind,
            pipes: Pipes::new(&pipes),
            max_open,
            dropped: 0,
            peak: 0,
        })
    }
}

/// Hits as they become final, with the query's pipes (`| head`, `| tail`) and `size` applied.
pub struct HitStream {
    kind: Kind,
    pipes: Pipes,
    max_open: usize,
    /// Partial sequences (sample keys) given up at the cap.
    dropped: usize,
    peak: usize,
}

enum Kind {
    Sequence(Box<SeqMatcher>),
    Sample(SampleKeys),
}

/// An event the stream cannot place without changing a verdict.
#[derive(Clone, Debug, PartialEq)]
pub struct NoTime;

impl HitStream {
    /// The next event (in time order for a sequence, input order for a sample), `index` its
    /// position in the input. `emit` gets every hit that became final.
    pub fn push(
        &mut self,
        index: usize,
        seen: &Observed,
        emit: &mut dyn FnMut(SeqHit),
    ) -> Result<(), NoTime> {
        let pipes = &mut self.pipes;
        let open = match &mut self.kind {
            Kind::Sequence(m) => {
                m.push(index, seen, &mut |h| pipes.take(h, emit))?;
                if m.slots.len() > self.max_open {
                    self.dropped += m.evict(self.max_open);
                }
                m.slots.len() + m.absent.as_ref().map_or(0, missing::Absent::waiting)
            }
            Kind::Sample(s) => {
                s.push(index, seen, self.max_open, &mut self.dropped);
                s.keys.len()
            }
        };
        self.peak = self.peak.max(open);
        Ok(())
    }

    /// The end of the input: samples and `| tail` hits come out now.
    pub fn finish(&mut self, emit: &mut dyn FnMut(SeqHit)) {
        let pipes = &mut self.pipes;
        match &mut self.kind {
            Kind::Sample(s) => s.finish(&mut |h| pipes.take(h, emit)),
            Kind::Sequence(m) => {
                if let Some(a) = &mut m.absent {
                    a.finish(&mut |h| pipes.take(h, emit));
                }
            }
        }
        self.pipes.finish(emit);
    }

    /// Keep at most `max` partial sequences (sample keys) open (at least 1).
    pub fn set_max_open(&mut self, max: usize) {
        self.max_open = max.max(1);
    }

    /// The input indices of the events a later hit may still name (in open partial sequences,
    /// or kept for a sample).
    pub fn open_events(&self) -> Vec<usize> {
        match &self.kind {
            Kind::Sequence(m) => m
                .slots
                .values()
                .flat_map(|s| s.events.iter().flatten().copied())
                .collect(),
            Kind::Sample(s) => s.keys.values().flatten().flatten().copied().collect(),
        }
    }

    /// The most partial sequences (sample keys) open at once so far.
    pub fn peak_open(&self) -> usize {
        self.peak
    }

    /// Why the hits may be incomplete: the cap was reached.
    pub fn warning(&self) -> Option<String> {
        (self.dropped > 0).then(|| {
            let what = match self.kind {
                Kind::Sequence(_) => "open partial sequences",
                Kind::Sample(_) => "sample join keys",
            };
            format!(
                "more than {} {what} at once: {} were dropped (hits that needed them are missing); raise --max-open-sequences, or give the sequence a maxspan",
                self.max_open, self.dropped
            )
        })
    }
}

/// `| head` and `| tail` over hits that arrive in order (see [`apply_pipes`]): heads before
/// the first tail stop the stream; the first tail keeps a window; the pipes after it apply at
/// the end.
struct Pipes {
    /// How many hits to accept at most.
    accept: usize,
    accepted: usize,
    /// The first tail's window, and the pipes after it.
    tail: Option<(usize, Vec<Pipe>)>,
    kept: VecDeque<SeqHit>,
}

impl Pipes {
    fn new(pipes: &[Pipe]) -> Pipes {
        let mut accept = usize::MAX;
        let mut tail = None;
        for (i, p) in pipes.iter().enumerate() {
            match p {
                Pipe::Head(n, _) => accept = accept.min(usize::try_from(*n).unwrap_or(usize::MAX)),
                Pipe::Tail(n, _) => {
                    let rest = pipes[i + 1..].to_vec();
                    tail = Some((usize::try_from(*n).unwrap_or(usize::MAX), rest));
                    break;
                }
            }
        }
        Pipes {
            accept,
            accepted: 0,
            tail,
            kept: VecDeque::new(),
        }
    }

    fn full(&self) -> bool {
        self.accepted >= self.accept
    }

    fn take(&mut self, hit: SeqHit, emit: &mut dyn FnMut(SeqHit)) {
        if self.full() {
            return;
        }
        self.accepted += 1;
        match &self.tail {
            Some((n, _)) => {
                self.kept.push_back(hit);
                if self.kept.len() > *n {
                    self.kept.pop_front();
                }
            }
            None => emit(hit),
        }
    }

    fn finish(&mut self, emit: &mut dyn FnMut(SeqHit)) {
        if let Some((_, rest)) = &self.tail {
            let kept: Vec<SeqHit> = self.kept.drain(..).collect();
            apply_pipes(kept, rest).into_iter().for_each(emit);
        }
    }
}

/// Slots are swept for expired ones when their number doubles, from this many.
const SWEEP_FLOOR: usize = 1024;

/// The newest partial sequence of one (stage, key).
struct Slot {
    /// Input index and time of the event that filled each stage so far.
    events: Vec<Option<usize>>,
    ts: Vec<Option<i128>>,
    start_ts: Option<i128>,
    last_rank: u64,
}

struct SeqMatcher {
    /// The step of each stage (after `runs=N`).
    stage_step: Vec<usize>,
    /// The stages that are not missing-event steps, and each stage's previous such stage.
    positive: Vec<usize>,
    prev: Vec<Option<usize>>,
    /// The checks of missing-event steps, when there are some.
    absent: Option<missing::Absent>,
    /// The index of `until` among the observed queries.
    until: Option<usize>,
    maxspan: Option<i128>,
    slots: HashMap<(usize, Vec<KeyVal>), Slot>,
    /// The rank of the latest `until` event of each key.
    until_marks: HashMap<Vec<KeyVal>, u64>,
    rank: u64,
    /// The latest timestamp seen.
    latest: Option<i128>,
    /// Slots were dropped as expired: an event without a time could have advanced them.
    pruned: bool,
    /// An event without a time came (they come last): expired slots are kept from now on.
    untimed: bool,
    next_sweep: usize,
}

impl SeqMatcher {
    fn exceeds(&self, from: Option<i128>, to: Option<i128>) -> bool {
        match (self.maxspan, from, to) {
            (Some(m), Some(a), Some(b)) => b - a > m,
            _ => false,
        }
    }

    fn push(
        &mut self,
        index: usize,
        seen: &Observed,
        emit: &mut dyn FnMut(SeqHit),
    ) -> Result<(), NoTime> {
        let rank = self.rank;
        self.rank += 1;
        let n = self.stage_step.len();
        if seen.ts.is_none() {
            // `exceeds` holds for no event without a time: it could advance any slot.
            if self.pruned && seen.steps.iter().any(Option::is_some) {
                return Err(NoTime);
            }
            self.untimed = true;
        } else {
            self.latest = seen.ts;
        }
        let (Some(&first), Some(&last)) = (self.positive.first(), self.positive.last()) else {
            return Ok(());
        };
        for si in (0..self.positive.len()).rev() {
            let s = self.positive[si];
            let Some(Some(tuples)) = seen.steps.get(self.stage_step[s]) else {
                continue;
            };
            for key in tuples {
                let slot = if s == first {
                    let mut events = vec![None; n];
                    events[s] = Some(index);
                    let mut ts = vec![None; n];
                    ts[s] = seen.ts;
                    Slot {
                        events,
                        ts,
                        start_ts: seen.ts,
                        last_rank: rank,
                    }
                } else {
                    let Some(prev) = self.prev[s] else {
                        continue;
                    };
                    let Some(mut slot) = self.slots.remove(&(prev, key.clone())) else {
                        continue;
                    };
                    if self.exceeds(slot.start_ts, seen.ts) {
                        continue;
                    }
                    // The latest until event of the key is strictly before this one; at or
                    // after the slot's last event, it cuts the sequence.
                    if self
                        .until_marks
                        .get(key)
                        .is_some_and(|&m| m >= slot.last_rank)
                    {
                        continue;
                    }
                    slot.events[s] = Some(index);
                    slot.ts[s] = seen.ts;
                    slot.last_rank = rank;
                    slot
                };
                if s == last {
                    let hit = SeqHit {
                        events: slot.events,
                        join_keys: key.iter().map(KeyVal::to_json).collect(),
                    };
                    match &mut self.absent {
                        Some(a) => a.complete(hit, key.clone(), &slot.ts),
                        None => emit(hit),
                    }
                } else {
                    self.slots.insert((s, key.clone()), slot);
                }
            }
        }
        if let Some(Some(tuples)) = self.until.and_then(|u| seen.steps.get(u)) {
            for key in tuples {
                // Only a key with an open slot can be cut; later slots start after the mark.
                if self
                    .positive
                    .iter()
                    .any(|&s| self.slots.contains_key(&(s, key.clone())))
                {
                    self.until_marks.insert(key.clone(), rank);
                }
            }
        }
        if let Some(a) = &mut self.absent {
            let hits: Vec<Option<&Vec<Vec<KeyVal>>>> = self
                .stage_step
                .iter()
                .map(|&st| seen.steps.get(st).and_then(Option::as_ref))
                .collect();
            a.observe(seen.ts, &hits);
            a.release(emit);
        }
        if self.slots.len() >= self.next_sweep {
            self.sweep();
            self.next_sweep = (self.slots.len() * 2).max(SWEEP_FLOOR);
        }
        Ok(())
    }

    /// Drop the slots no later event can complete (more than `maxspan` old), and the until
    /// marks of keys without a slot.
    fn sweep(&mut self) {
        if self.maxspan.is_some() && !self.untimed {
            let before = self.slots.len();
            let latest = self.latest;
            let maxspan = self.maxspan;
            self.slots
                .retain(|_, slot| match (maxspan, slot.start_ts, latest) {
                    (Some(m), Some(a), Some(b)) => b - a <= m,
                    _ => true,
                });
            self.pruned |= self.slots.len() < before;
        }
        let live: HashSet<&Vec<KeyVal>> = self.slots.keys().map(|(_, k)| k).collect();
        self.until_marks.retain(|k, _| live.contains(k));
    }

    /// Drop the slots that advanced longest ago until `max` are left (after the expired ones);
    /// returns how many were dropped.
    fn evict(&mut self, max: usize) -> usize {
        self.sweep();
        if self.slots.len() <= max {
            return 0;
        }
        // Down to 90%: evicting one at a time would sort on every event.
        let keep = max - max / 10;
        let mut ranks: Vec<u64> = self.slots.values().map(|s| s.last_rank).collect();
        let cut = ranks.len() - keep;
        ranks.select_nth_unstable(cut);
        let threshold = ranks[cut];
        let before = self.slots.len();
        self.slots.retain(|_, s| s.last_rank >= threshold);
        self.pruned = true;
        let live: HashSet<&Vec<KeyVal>> = self.slots.keys().map(|(_, k)| k).collect();
        self.until_marks.retain(|k, _| live.contains(k));
        before - self.slots.len()
    }
}

/// A sample's events so far, per join key and stage.
struct SampleKeys {
    stage_step: Vec<usize>,
    /// Events per stage and key that the sample can use.
    take: usize,
    per_key: usize,
    keys: HashMap<Vec<KeyVal>, Vec<Vec<usize>>>,
}

impl SampleKeys {
    fn push(&mut self, index: usize, seen: &Observed, max: usize, dropped: &mut usize) {
        let n = self.stage_step.len();
        for (s, &step) in self.stage_step.iter().enumerate() {
            let Some(Some(tuples)) = seen.steps.get(step) else {
                continue;
            };
            for key in tuples {
                let full = self.keys.len() >= max;
                let lists = match self.keys.get_mut(key) {
                    Some(l) => l,
                    None if full => {
                        *dropped += 1;
                        continue;
                    }
                    None => self
                        .keys
                        .entry(key.clone())
                        .or_insert_with(|| vec![Vec::new(); n]),
                };
                if lists[s].len() < self.take {
                    lists[s].push(index);
                }
            }
        }
    }

    fn finish(&mut self, emit: &mut dyn FnMut(SeqHit)) {
        // Keys present in every stage, ascending (Elasticsearch's composite aggregation order).
        let keys: BTreeMap<Vec<KeyVal>, Vec<Vec<usize>>> = self
            .keys
            .drain()
            .filter(|(_, lists)| lists.iter().all(|l| !l.is_empty()))
            .collect();
        for (key, lists) in keys {
            for events in pick_samples(&lists, self.per_key) {
                emit(SeqHit {
                    events: events.into_iter().map(Some).collect(),
                    join_keys: key.iter().map(KeyVal::to_json).collect(),
                });
            }
        }
    }
}
