//! threshold: events grouped by the rule's fields, as a terms aggregation buckets them; a group
//! alerts when it has enough events (and enough distinct values of the cardinality fields).
//! [`ThresholdState`] takes candidates one at a time, so a stream remembers only the groups and
//! their members' indices.

use super::{combinations, term_values, TypeVerdict};
use crate::event::ecs::field_info;
use crate::event::lookup::FieldPath;
use crate::rule::Threshold;
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// One threshold bucket.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThresholdGroup {
    /// (field, value) per group-by field.
    pub key: Vec<(String, String)>,
    pub events: Vec<usize>,
    pub count: u64,
    /// (field, distinct values) per cardinality condition.
    pub cardinality: Vec<(String, u64)>,
    pub alert: bool,
}

/// threshold over `events`: per-event verdicts (an event alerts when it belongs to an alerting
/// group) and the groups themselves.
pub fn threshold(
    events: &[Value],
    candidates: &[bool],
    spec: &Threshold,
) -> (Vec<TypeVerdict>, Vec<ThresholdGroup>) {
    let mut out = vec![TypeVerdict::default(); events.len()];
    let mut state = ThresholdState::new(spec);
    for (i, ev) in events.iter().enumerate() {
        if candidates[i] {
            if let Some(v) = state.add(ev, i) {
                out[i] = v;
            }
        }
    }
    let (verdicts, groups) = state.finish();
    for (i, v) in verdicts {
        out[i] = v;
    }
    (out, groups)
}

/// The groups so far.
pub struct ThresholdState<'a> {
    spec: &'a Threshold,
    paths: Vec<FieldPath>,
    cardinality_paths: Vec<FieldPath>,
    /// Keys in the order their first event came.
    order: Vec<Vec<String>>,
    groups: HashMap<Vec<String>, Group>,
}

#[derive(Default)]
struct Group {
    members: Vec<usize>,
    /// Distinct values per cardinality field.
    distinct: Vec<HashSet<String>>,
}

impl<'a> ThresholdState<'a> {
    pub fn new(spec: &'a Threshold) -> Self {
        let path = |f: &String| FieldPath::new(&field_info(f).source);
        ThresholdState {
            spec,
            paths: spec.field.iter().map(path).collect(),
            cardinality_paths: spec.cardinality.iter().map(|c| path(&c.field)).collect(),
            order: Vec::new(),
            groups: HashMap::new(),
        }
    }

    /// Candidate `index`; `Some` when its verdict is final at once (it is in no group).
    pub fn add(&mut self, ev: &Value, index: usize) -> Option<TypeVerdict> {
        let spec = self.spec;
        let per_field: Vec<Vec<String>> = spec
            .field
            .iter()
            .zip(&self.paths)
            .map(|(f, p)| term_values(ev, p, f))
            .collect();
        if let Some(k) = per_field.iter().position(Vec::is_empty) {
            return Some(TypeVerdict {
                alert: false,
                reason: Some(format!(
                    "{} has no value, so the event is in no threshold group",
                    spec.field[k]
                )),
            });
        }
        let card_values: Vec<Vec<String>> = spec
            .cardinality
            .iter()
            .zip(&self.cardinality_paths)
            .map(|(c, p)| term_values(ev, p, &c.field))
            .collect();
        // A multi-valued field puts the event in one bucket per value, as a terms aggregation does.
        for key in combinations(&per_field) {
            let order = &mut self.order;
            let group = self.groups.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                Group {
                    members: Vec::new(),
                    distinct: vec![HashSet::new(); card_values.len()],
                }
            });
            group.members.push(index);
            for (set, values) in group.distinct.iter_mut().zip(&card_values) {
                set.extend(values.iter().cloned());
            }
        }
        None
    }

    /// The verdicts of the grouped candidates (by index, ascending) and the groups.
    pub fn finish(mut self) -> (Vec<(usize, TypeVerdict)>, Vec<ThresholdGroup>) {
        let spec = self.spec;
        let mut verdicts: HashMap<usize, TypeVerdict> = HashMap::new();
        let mut result = Vec::new();
        for key in std::mem::take(&mut self.order) {
            let group = self.groups.remove(&key).unwrap_or_default();
            let count = group.members.len() as u64;
            let cardinality: Vec<(String, u64)> = spec
                .cardinality
                .iter()
                .zip(&group.distinct)
                .map(|(c, d)| (c.field.clone(), d.len() as u64))
                .collect();
            let alert = count >= spec.value
                && spec
                    .cardinality
                    .iter()
                    .zip(&cardinality)
                    .all(|(c, (_, n))| *n >= c.value);
            let label = if key.is_empty() {
                "all events".to_string()
            } else {
                spec.field
                    .iter()
                    .zip(&key)
                    .map(|(f, v)| format!("{f}=\"{v}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let card_text: String = spec
                .cardinality
                .iter()
                .zip(&cardinality)
                .map(|(c, (_, n))| format!("; {n} distinct {} (needs ≥ {})", c.field, c.value))
                .collect();
            let reason = format!(
                "group {label} has {count} event(s) (threshold ≥ {}){card_text}: {}",
                spec.value,
                if alert { "alert" } else { "no alert" }
            );
            for &i in &group.members {
                let v = verdicts.entry(i).or_default();
                // An event in several buckets alerts when any of them does; explain an alerting one.
                if alert || !v.alert {
                    v.alert |= alert;
                    v.reason = Some(reason.clone());
                }
            }
            result.push(ThresholdGroup {
                key: spec.field.iter().cloned().zip(key).collect(),
                events: group.members,
                count,
                cardinality,
                alert,
            });
        }
        let mut verdicts: Vec<(usize, TypeVerdict)> = verdicts.into_iter().collect();
        verdicts.sort_by_key(|(i, _)| *i);
        (verdicts, result)
    }
}
