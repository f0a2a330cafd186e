//! What sequences and samples share: hits, the events' order, join keys (compiled with the
//! query, read per event), stages after `runs=N` expansion, and step verdicts precomputed on an
//! event view.

use super::ast::{Expr, ExprKind, Step};
use super::eval::{CompiledEvent, CompiledExpr};
use super::value::EqlValue;
use crate::event::lookup::FieldPath;
use crate::event::table::EventTable;
use serde::Serialize;
use serde_json::Value;

/// One sequence or sample hit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeqHit {
    /// The event that filled each step (`runs=N` steps count N times); `None` is the placeholder
    /// of a missing-event step `![…]`.
    pub events: Vec<Option<usize>>,
    /// The join key values of the hit (`null` for an absent optional key).
    pub join_keys: Vec<Value>,
}

/// An event's place in time: timestamp in nanoseconds since the epoch (if it has one),
/// tiebreaker value, input position.
#[derive(Clone, Debug)]
pub struct Ordinal {
    pub index: usize,
    pub ts: Option<i128>,
    pub tiebreaker: Option<TieValue>,
}

/// A tiebreaker value: numbers sort numerically, strings by bytes, numbers before strings.
#[derive(Clone, Debug, PartialEq)]
pub enum TieValue {
    Num(f64),
    Str(String),
}

/// A join key value, comparable and hashable (floats by bits).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyVal {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(String),
}

impl KeyVal {
    pub fn from_json(v: &Value) -> Option<KeyVal> {
        Some(match v {
            Value::Null => KeyVal::Null,
            Value::Bool(b) => KeyVal::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => KeyVal::Int(i),
                None => {
                    let f = n.as_f64()?;
                    if f.fract() == 0.0 && f.abs() < 9.0e15 {
                        KeyVal::Int(f as i64)
                    } else {
                        KeyVal::Float(f.to_bits())
                    }
                }
            },
            Value::String(s) => KeyVal::Str(s.clone()),
            // Objects are not keys in Elasticsearch (they are not indexed as one value).
            _ => return None,
        })
    }

    pub fn to_json(&self) -> Value {
        match self {
            KeyVal::Null => Value::Null,
            KeyVal::Bool(b) => Value::Bool(*b),
            KeyVal::Int(i) => Value::from(*i),
            KeyVal::Float(bits) => Value::from(f64::from_bits(*bits)),
            KeyVal::Str(s) => Value::String(s.clone()),
        }
    }

    fn from_eql(v: &EqlValue, out: &mut Vec<KeyVal>) {
        match v {
            EqlValue::Null => {}
            EqlValue::Bool(b) => out.push(KeyVal::Bool(*b)),
            EqlValue::Int(i) => out.push(KeyVal::Int(*i)),
            EqlValue::Float(f) => out.push(KeyVal::Float(f.to_bits())),
            EqlValue::Str(s) => out.push(KeyVal::Str(s.clone())),
            EqlValue::Many(vs) => vs.iter().for_each(|v| Self::from_eql(v, out)),
        }
    }
}

/// Every compiled event query's verdict on every event, computed up front from an event view.
pub struct StepHits {
    /// `[compiled query][event]`: the steps in order, then `until`.
    hits: Vec<Vec<bool>>,
}

impl StepHits {
    /// `None` unless `rows` ascend strictly (what the engine passes: all events, or those kept
    /// by filters and exceptions), so each matching row maps back to one event.
    /// `compiled`: every compiled event query (steps, then `until`).
    pub fn new(compiled: &[CompiledEvent], table: &EventTable, rows: &[usize]) -> Option<StepHits> {
        if !rows.windows(2).all(|w| w[0] < w[1]) || rows.last().is_some_and(|&r| r >= table.len()) {
            return None;
        }
        let rows32: Vec<u32> = rows.iter().filter_map(|&r| u32::try_from(r).ok()).collect();
        let mut pos = vec![usize::MAX; table.len()];
        for (i, &r) in rows.iter().enumerate() {
            pos[r] = i;
        }
        let hits = compiled
            .iter()
            .map(|c| {
                let mut matched = rows32.clone();
                c.filter_rows(&c.bind(table), &mut matched);
                let mut h = vec![false; rows.len()];
                for r in matched {
                    if let Some(&i) = pos.get(r as usize) {
                        h[i] = true;
                    }
                }
                h
            })
            .collect();
        Some(StepHits { hits })
    }

    /// Whether compiled query `i` (step `i`, or `until` after the steps) matches event `event`.
    pub fn step(&self, i: usize, event: usize) -> bool {
        self.hits
            .get(i)
            .and_then(|h| h.get(event))
            .copied()
            .unwrap_or(false)
    }
}

/// A join key, compiled once per query: a plain field is read directly (every value of a
/// multi-valued field is a candidate), anything else is evaluated.
#[derive(Clone, Debug)]
pub struct KeyExpr {
    read: KeyRead,
    /// `?field`: an absent value is the key `null` instead of excluding the event.
    pub optional: bool,
}

#[derive(Clone, Debug)]
enum KeyRead {
    Field(FieldPath),
    Expr(CompiledExpr),
}

impl KeyExpr {
    pub fn new(expr: &Expr) -> Self {
        match &expr.kind {
            ExprKind::Field(f) => KeyExpr {
                read: KeyRead::Field(FieldPath::new(&f.name)),
                optional: f.optional,
            },
            _ => KeyExpr {
                read: KeyRead::Expr(CompiledExpr::new(expr)),
                optional: false,
            },
        }
    }

    /// The query-level `by` keys followed by a step's own.
    pub fn for_step(by: &[Expr], step_by: &[Expr]) -> Vec<KeyExpr> {
        by.iter().chain(step_by).map(KeyExpr::new).collect()
    }

    /// The field read, when the key is a plain field.
    pub fn field_name(&self) -> Option<&str> {
        match &self.read {
            KeyRead::Field(p) => Some(p.name()),
            KeyRead::Expr(_) => None,
        }
    }

    /// The distinct candidate values of this key in `event`, in document order. Null elements
    /// of arrays are ignored; no value at all gives `[Null]` for optional keys and `[]` (the
    /// event cannot join) otherwise.
    pub fn values(&self, event: &Value) -> Vec<KeyVal> {
        let mut out: Vec<KeyVal> = Vec::new();
        match &self.read {
            KeyRead::Field(p) => {
                let mut vals = Vec::new();
                p.values(event, &mut vals);
                for v in vals {
                    if let Some(k) = KeyVal::from_json(v) {
                        if k != KeyVal::Null && !out.contains(&k) {
                            out.push(k);
                        }
                    }
                }
            }
            KeyRead::Expr(e) => {
                let mut all = Vec::new();
                KeyVal::from_eql(&e.value(event), &mut all);
                for k in all {
                    if !out.contains(&k) {
                        out.push(k);
                    }
                }
            }
        }
        if out.is_empty() && self.optional {
            out.push(KeyVal::Null);
        }
        out
    }
}

/// Every combination of the keys' candidate values (cartesian product, in order); empty when a
/// non-optional key has no value.
pub fn key_tuples(keys: &[KeyExpr], event: &Value) -> Vec<Vec<KeyVal>> {
    let mut tuples: Vec<Vec<KeyVal>> = vec![Vec::with_capacity(keys.len())];
    for k in keys {
        let vals = k.values(event);
        if vals.is_empty() {
            return Vec::new();
        }
        if vals.len() == 1 {
            let v = vals.into_iter().next().unwrap_or(KeyVal::Null);
            tuples.iter_mut().for_each(|t| t.push(v.clone()));
            continue;
        }
        let mut next = Vec::with_capacity(tuples.len() * vals.len());
        for t in &tuples {
            for v in &vals {
                let mut t2 = t.clone();
                t2.push(v.clone());
                next.push(t2);
            }
        }
        tuples = next;
    }
    tuples
}

/// One stage of a sequence or sample after `runs=N` expansion.
#[derive(Clone, Debug)]
pub struct Stage<'q> {
    /// The step's compiled query.
    pub compiled: &'q CompiledEvent,
    pub keys: &'q [KeyExpr],
    pub missing: bool,
    /// Index of the step in the query text this stage comes from.
    pub step: usize,
    pub step_ref: &'q Step,
}

impl Stage<'_> {
    pub fn matches(&self, event: &Value) -> bool {
        self.compiled.matches(event)
    }
}

/// Expand steps into stages: each step counts `runs` times. `compiled` and `keys` hold each
/// step's compiled query and join keys (same order as `steps`).
pub fn stages<'q>(
    steps: &'q [Step],
    compiled: &'q [CompiledEvent],
    keys: &'q [Vec<KeyExpr>],
) -> Vec<Stage<'q>> {
    let mut out = Vec::new();
    for (i, ((st, compiled), keys)) in steps.iter().zip(compiled).zip(keys).enumerate() {
        for _ in 0..st.runs.unwrap_or(1).max(1) {
            out.push(Stage {
                compiled,
                keys,
                missing: st.missing,
                step: i,
                step_ref: st,
            });
        }
    }
    out
}
