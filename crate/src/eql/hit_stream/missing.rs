//! Missing-event steps `![…]` in a streamed sequence, with `sequence.rs`'s `check_missing`
//! (Elasticsearch's `TumblingWindow.doCheckMissingEvents`) decided as the events come: a hit is
//! checked for middle and leading missing events when it completes (they are all earlier), and
//! waits, when the last step is missing, for the first later event of that step and key (the
//! earliest is the one that decides) or for the time past which none can matter. Missing steps
//! need `maxspan`, so only the candidate events of the last `maxspan` are kept.

use super::super::stage::{KeyVal, SeqHit};
use std::collections::VecDeque;

const NANOS_PER_MILLI: i128 = 1_000_000;

fn ms(t: i128) -> i128 {
    t.div_euclid(NANOS_PER_MILLI) * NANOS_PER_MILLI
}

pub(super) struct Absent {
    /// Per stage: whether it is a missing-event step.
    missing: Vec<bool>,
    maxspan: i128,
    /// Per missing stage: its events with a time (time, key tuples), oldest first.
    seen: Vec<VecDeque<(i128, Vec<Vec<KeyVal>>)>>,
    /// Completed hits in completion order, until decided.
    pending: VecDeque<Pending>,
}

struct Pending {
    hit: SeqHit,
    key: Vec<KeyVal>,
    last_ts: Option<i128>,
    /// What a trailing missing event is measured from: the start (no leading missing step) or
    /// the latest leading missing event.
    anchor: Option<i128>,
    keep: Option<bool>,
}

impl Absent {
    pub(super) fn new(missing: Vec<bool>, maxspan: i128) -> Absent {
        let n = missing.len();
        Absent {
            missing,
            maxspan,
            seen: vec![VecDeque::new(); n],
            pending: VecDeque::new(),
        }
    }

    fn exceeds(&self, from: Option<i128>, to: Option<i128>) -> bool {
        match (from, to) {
            (Some(a), Some(b)) => b - a > self.maxspan,
            _ => false,
        }
    }

    /// Events the missing steps match (`steps[s]`: the key tuples when stage `s` matches), and
    /// the time now: decides the hits waiting for a trailing missing event.
    pub(super) fn observe(&mut self, ts: Option<i128>, stage_hits: &[Option<&Vec<Vec<KeyVal>>>]) {
        let Some(t) = ts else {
            return;
        };
        let n = self.missing.len();
        let last_missing = self.missing[n - 1];
        for (s, hit) in stage_hits.iter().enumerate() {
            let Some(tuples) = hit.filter(|_| self.missing[s]) else {
                continue;
            };
            let trailing = (s + 1..n).all(|j| self.missing[j]);
            if trailing && last_missing {
                let maxspan = self.maxspan;
                for p in self.pending.iter_mut().filter(|p| p.keep.is_none()) {
                    let after = p.last_ts.is_some_and(|l| ms(t) > ms(l));
                    if after && tuples.contains(&p.key) {
                        // The earliest trailing event decides (later ones are later still).
                        p.keep = Some(p.anchor.is_none_or(|a| t - a > maxspan));
                    }
                }
            }
            self.seen[s].push_back((t, tuples.clone()));
        }
        // Past `maxspan` after the anchor, no trailing event can discard a hit.
        let maxspan = self.maxspan;
        for p in self.pending.iter_mut().filter(|p| p.keep.is_none()) {
            if p.anchor.is_some_and(|a| t - a > maxspan) {
                p.keep = Some(true);
            }
        }
        // Leading and middle checks never look further back than `maxspan` (and a millisecond).
        for q in &mut self.seen {
            while q
                .front()
                .is_some_and(|(old, _)| t - old > maxspan + NANOS_PER_MILLI)
            {
                q.pop_front();
            }
        }
    }

    /// A completed sequence: `ts[s]` the time of the event that filled stage `s`.
    pub(super) fn complete(&mut self, hit: SeqHit, key: Vec<KeyVal>, ts: &[Option<i128>]) {
        let n = self.missing.len();
        let key_ok = |tuples: &Vec<Vec<KeyVal>>| tuples.contains(&key);
        let filled = |s: usize| !self.missing[s] && hit.events[s].is_some();
        let start_ts = (0..n).find(|&s| filled(s)).and_then(|s| ts[s]);
        let last_ts = (0..n).rev().find(|&s| filled(s)).and_then(|s| ts[s]);
        let first_missing = self.missing[0];
        let last_missing = self.missing[n - 1];
        let mut leading = true;
        let mut last_leading: Option<i128> = None;
        for i in 0..n {
            if !self.missing[i] {
                leading = false;
                continue;
            }
            let trailing = (i + 1..n).all(|j| self.missing[j]);
            if leading {
                let Some(b) = start_ts.map(ms) else { continue };
                for (t, k) in &self.seen[i] {
                    if *t < b && key_ok(k) {
                        last_leading = Some(last_leading.map_or(*t, |l| l.max(*t)));
                    }
                }
            } else if !trailing {
                let before = (0..i).rev().find(|&j| filled(j)).and_then(|j| ts[j]);
                let after = (i + 1..n).find(|&j| filled(j)).and_then(|j| ts[j]);
                let (Some(lo), Some(hi)) = (before.map(ms), after.map(ms)) else {
                    continue;
                };
                if self.seen[i]
                    .iter()
                    .any(|(t, k)| ms(*t) > lo && *t < hi && key_ok(k))
                {
                    return;
                }
            }
        }
        let bigger = |a: Option<i128>, b: Option<i128>| match (a, b) {
            (Some(_), Some(_)) => self.exceeds(a, b),
            _ => true,
        };
        // `check_missing`'s rule: without a trailing step, decided now.
        let (anchor, keep) = if !last_missing {
            let keep = last_leading.is_none() || (first_missing && bigger(last_leading, last_ts));
            (None, Some(keep))
        } else if first_missing && last_leading.is_none() {
            (None, Some(true))
        } else if first_missing {
            (last_leading, None)
        } else if start_ts.is_none() {
            (None, Some(true))
        } else {
            (start_ts, None)
        };
        self.pending.push_back(Pending {
            hit,
            key,
            last_ts,
            anchor,
            keep,
        });
    }

    /// Hand over the decided hits at the front, in completion order.
    pub(super) fn release(&mut self, emit: &mut dyn FnMut(SeqHit)) {
        while let Some(keep) = self.pending.front().map(|p| p.keep) {
            let Some(keep) = keep else { return };
            if let Some(p) = self.pending.pop_front() {
                if keep {
                    emit(p.hit);
                }
            }
        }
    }

    /// The end of the input: no trailing event will come.
    pub(super) fn finish(&mut self, emit: &mut dyn FnMut(SeqHit)) {
        for p in &mut self.pending {
            p.keep.get_or_insert(true);
        }
        self.release(emit);
    }

    pub(super) fn waiting(&self) -> usize {
        self.pending.len()
    }
}
