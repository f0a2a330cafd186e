//! Samples as Elasticsearch computes them (its `SampleIterator`): join keys present in every
//! step are taken in ascending key order (an absent `?optional` key — `null` — first); for each
//! key, every step contributes its first `steps + max_samples_per_key - 1` events (document
//! order, no time order: samples need no timestamp), and samples are picked by backtracking so
//! that one sample never uses the same event twice, up to `max_samples_per_key` per key.

use super::stage::{key_tuples, KeyExpr, KeyVal, SeqHit, Stage, StepHits};
use crate::event::ecs::FieldType;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Bounds the backtracking search per key (each key has at most `steps + per_key - 1` events
/// per step, so this only guards pathological `max_samples_per_key` values).
const MAX_BACKTRACK_STEPS: usize = 1_000_000;

/// All samples over `stages` (see [`stages`](super::stage::stages)).
pub fn run_sample(
    stages: &[Stage],
    events: &[Value],
    hits: Option<&StepHits>,
    per_key: usize,
    size: Option<usize>,
    field_types: &HashMap<String, FieldType>,
) -> Vec<SeqHit> {
    let n = stages.len();
    if n == 0 {
        return Vec::new();
    }
    // Per stage: the matching events in document order with their key tuples.
    let mut per_stage: Vec<Vec<(usize, Vec<Vec<KeyVal>>)>> = vec![Vec::new(); n];
    for (i, ev) in events.iter().enumerate() {
        for (s, st) in stages.iter().enumerate() {
            let hit = match hits {
                Some(h) => h.step(st.step, i),
                None => st.matches(ev),
            };
            if hit {
                let mut tuples = key_tuples(st.keys, ev);
                normalize_dates(st.keys, &mut tuples, field_types);
                if !tuples.is_empty() {
                    per_stage[s].push((i, tuples));
                }
            }
        }
    }
    // Keys present in every stage, ascending (Elasticsearch's composite aggregation order).
    // Inserted one by one: `collect()` into a BTreeSet instantiates a whole sort (wasm size).
    let mut common: BTreeSet<Vec<KeyVal>> = BTreeSet::new();
    for k in per_stage[0].iter().flat_map(|(_, ks)| ks.iter()) {
        common.insert(k.clone());
    }
    for stage in &per_stage[1..] {
        let here: HashSet<&Vec<KeyVal>> = stage.iter().flat_map(|(_, ks)| ks.iter()).collect();
        common.retain(|k| here.contains(k));
    }
    let take = n + per_key - 1;
    let limit = size.unwrap_or(usize::MAX);
    let mut out = Vec::new();
    for key in common {
        let lists: Vec<Vec<usize>> = per_stage
            .iter()
            .map(|stage| {
                stage
                    .iter()
                    .filter(|(_, ks)| ks.contains(&key))
                    .map(|(i, _)| *i)
                    .take(take)
                    .collect()
            })
            .collect();
        for events in pick_samples(&lists, per_key) {
            if out.len() >= limit {
                return out;
            }
            out.push(SeqHit {
                events: events.into_iter().map(Some).collect(),
                join_keys: key.iter().map(KeyVal::to_json).collect(),
            });
        }
    }
    out
}

/// The samples of one key: distinct-event combinations of `lists` (one list per stage, at most
/// `stages + per_key - 1` events each), at most `per_key` of them.
pub(crate) fn pick_samples(lists: &[Vec<usize>], per_key: usize) -> Vec<Vec<usize>> {
    let mut found = Vec::new();
    let mut budget = MAX_BACKTRACK_STEPS;
    pick(
        lists,
        &mut Vec::with_capacity(lists.len()),
        per_key,
        &mut found,
        &mut budget,
    );
    found
}

/// Distinct-event combinations, one event per list, in list order, at most `max` of them.
fn pick(
    lists: &[Vec<usize>],
    partial: &mut Vec<usize>,
    max: usize,
    found: &mut Vec<Vec<usize>>,
    budget: &mut usize,
) {
    let depth = partial.len();
    if depth == lists.len() {
        found.push(partial.clone());
        return;
    }
    for &e in &lists[depth] {
        if found.len() >= max || *budget == 0 {
            return;
        }
        *budget -= 1;
        if partial.contains(&e) {
            continue;
        }
        partial.push(e);
        pick(lists, partial, max, found, budget);
        partial.pop();
    }
}

/// Keys on `date` fields group by instant (epoch millis), whatever way the source wrote them.
pub(crate) fn normalize_dates(
    keys: &[KeyExpr],
    tuples: &mut [Vec<KeyVal>],
    field_types: &HashMap<String, FieldType>,
) {
    for (j, k) in keys.iter().enumerate() {
        let is_date = k
            .field_name()
            .and_then(|f| field_types.get(f))
            .is_some_and(|t| t.is_date());
        if !is_date {
            continue;
        }
        for t in tuples.iter_mut() {
            if let KeyVal::Str(s) = &t[j] {
                if let Some(ms) = crate::time::parse_date(s) {
                    t[j] = KeyVal::Int(ms);
                }
            }
        }
    }
}
