//! EQL sequences and samples in a [`Stream`](super::Stream): events that pass the rule's
//! filters and exceptions (what the rule's search would see) are put in Elasticsearch's order
//! (timestamp, tiebreaker, input position) through a bounded reorder window, as new_terms
//! candidates are, and given to the query's [`HitStream`]; hits come out as they become final.
//! An event earlier than one already given is an error, never a different verdict.

use super::OutOfOrder;
use crate::engine::SequenceHit;
use crate::eql::hit_stream::{HitStream, Observed};
use crate::eql::run::cmp_time;
use crate::time::format_millis;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashSet};

pub(super) struct SeqHold {
    hits: HitStream,
    /// Sequences only: events waiting for their turn in time order.
    order: Option<Reorder>,
    /// Hits waiting for the caller.
    pub(super) ready: Vec<SequenceHit>,
    /// Events named by some hit, kept while a later hit could name them again.
    alerted: HashSet<usize>,
    alerted_total: usize,
    next_gc: usize,
}

pub(super) struct Reorder {
    waiting: BinaryHeap<Reverse<Pending>>,
    pub(super) window: usize,
    last: Option<Pending>,
}

struct Pending {
    index: usize,
    seen: Box<Observed>,
}

impl Pending {
    fn cmp_key(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.seen, &other.seen);
        cmp_time((a.ts, &a.tiebreaker), (b.ts, &b.tiebreaker))
            .then_with(|| self.index.cmp(&other.index))
    }
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_key(other) == Ordering::Equal
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_key(other)
    }
}

/// The alerted-event set is pruned when it doubles, from this size.
const GC_FLOOR: usize = 4096;

impl SeqHold {
    pub(super) fn new(hits: HitStream, ordered: bool, window: usize) -> SeqHold {
        SeqHold {
            hits,
            order: ordered.then(|| Reorder {
                waiting: BinaryHeap::new(),
                window,
                last: None,
            }),
            ready: Vec::new(),
            alerted: HashSet::new(),
            alerted_total: 0,
            next_gc: GC_FLOOR,
        }
    }

    pub(super) fn set_max_open(&mut self, max: usize) {
        self.hits.set_max_open(max);
    }

    pub(super) fn set_window(&mut self, window: usize) {
        if let Some(o) = &mut self.order {
            o.window = window.max(1);
        }
    }

    /// An event the rule's search sees (`None`: filtered out or excepted).
    pub(super) fn push(
        &mut self,
        index: usize,
        seen: Option<Box<Observed>>,
    ) -> Result<(), OutOfOrder> {
        let Some(seen) = seen else {
            return Ok(());
        };
        let p = Pending { index, seen };
        let Some(order) = &mut self.order else {
            return self.give(&p);
        };
        if let Some(last) = order.last.as_ref().filter(|last| p < **last) {
            return Err(OutOfOrder {
                index,
                message: format!(
                    "event #{index} ({}) is earlier than event #{} ({}), which the sequence has already taken: the events are out of time order by more than the reorder window ({} events); sort them by time or raise the window",
                    show(p.seen.ts),
                    last.index,
                    show(last.seen.ts),
                    order.window
                ),
            });
        }
        order.waiting.push(Reverse(p));
        if order.waiting.len() > order.window {
            self.release_one()?;
        }
        Ok(())
    }

    fn release_one(&mut self) -> Result<bool, OutOfOrder> {
        let Some(order) = &mut self.order else {
            return Ok(false);
        };
        let Some(Reverse(p)) = order.waiting.pop() else {
            return Ok(false);
        };
        let r = self.give(&p);
        if let Some(order) = &mut self.order {
            order.last = Some(p);
        }
        r.map(|()| true)
    }

    fn give(&mut self, p: &Pending) -> Result<(), OutOfOrder> {
        let mut got = Vec::new();
        self.hits
            .push(p.index, &p.seen, &mut |h| got.push(h))
            .map_err(|_| OutOfOrder {
                index: p.index,
                message: format!(
                    "event #{} has no timestamp and could join a sequence that maxspan has already closed (events without a time come last, after every timed one); give it a time, or read the input whole as a JSON array",
                    p.index
                ),
            })?;
        for h in got {
            self.hit(h);
        }
        Ok(())
    }

    fn hit(&mut self, h: crate::eql::stage::SeqHit) {
        for &i in h.events.iter().flatten() {
            if self.alerted.insert(i) {
                self.alerted_total += 1;
            }
        }
        self.ready.push(SequenceHit {
            events: h.events,
            join_keys: h.join_keys,
        });
        if self.alerted.len() >= self.next_gc {
            // A later hit names only events still open in the matcher or waiting.
            let open = self.hits.open_events();
            let waiting = self
                .order
                .iter()
                .flat_map(|o| o.waiting.iter().map(|Reverse(p)| p.index));
            let live: HashSet<usize> = open.into_iter().chain(waiting).collect();
            self.alerted.retain(|i| live.contains(i));
            self.next_gc = (self.alerted.len() * 2).max(GC_FLOOR);
        }
    }

    /// The end of the input: the waiting events, then the hits that wait for the end.
    pub(super) fn finish(&mut self) -> Result<(), OutOfOrder> {
        while self.release_one()? {}
        let mut got = Vec::new();
        self.hits.finish(&mut |h| got.push(h));
        for h in got {
            self.hit(h);
        }
        Ok(())
    }

    pub(super) fn alerted(&self) -> usize {
        self.alerted_total
    }

    pub(super) fn hits(&self) -> &HitStream {
        &self.hits
    }
}

fn show(t: Option<i128>) -> String {
    t.and_then(|ns| i64::try_from(ns.div_euclid(1_000_000)).ok())
        .map_or_else(|| "no time".into(), format_millis)
}
