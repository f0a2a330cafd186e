//! Running a query over a list of events the way Elasticsearch's `_eql/search` does: events are
//! put in (timestamp, tiebreaker, input position) order, event queries return the matching events,
//! sequences and samples return their hits, then the `| head N` / `| tail N` pipes and the `size`
//! limit apply.

use super::ast::{Body, Pipe};
use super::sample::run_sample;
use super::sequence::{explain_sequence, run_sequence, SequenceExplanation};
pub use super::stage::SeqHit;
use super::stage::{stages, Ordinal, StepHits, TieValue};
use super::EqlQuery;
use crate::event::ecs::FieldType;
use crate::event::lookup::FieldPath;
use crate::event::table::EventTable;
use serde::Serialize;
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::HashMap;

/// How to run a query over events (the request parameters of `_eql/search`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// Field holding the event time (epoch millis number, digits, ISO 8601, or
    /// `millis.nanos` digits as Elasticsearch renders `date_nanos`).
    pub timestamp_field: String,
    /// Orders events whose timestamps tie (Elasticsearch's `tiebreaker_field`).
    pub tiebreaker_field: Option<String>,
    /// Maximum number of events / sequences / samples returned (`size`); `None` = no limit.
    pub size: Option<usize>,
    /// Samples per join key (`max_samples_per_key`, default 1).
    pub max_samples_per_key: Option<usize>,
    /// Index mapping types by field name, where they matter to running (sample join keys on
    /// `date` fields compare as epoch millis, as Elasticsearch's composite aggregation does).
    /// Empty by default.
    pub field_types: HashMap<String, FieldType>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            timestamp_field: "@timestamp".to_string(),
            tiebreaker_field: None,
            size: None,
            max_samples_per_key: None,
            field_types: HashMap::new(),
        }
    }
}

/// What a query returned.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Output {
    /// Event queries: indices (into the input) of the matching events, in timestamp order,
    /// after the pipes.
    pub events: Vec<usize>,
    /// Sequence and sample queries: one entry per hit, in Elasticsearch's response order.
    pub sequences: Vec<SeqHit>,
}

impl EqlQuery {
    /// Run the query over `events` (any order; they are sorted as Elasticsearch sorts them).
    pub fn run(&self, events: &[Value], opts: &RunOptions) -> Output {
        self.run_with_table(events, None, opts)
    }

    /// [`EqlQuery::run`] with the step queries evaluated on an event view: `table` and, for each
    /// of `events`, its row in the table. Same output; join keys and timestamps are still read
    /// from `events` (only for the events that match a step).
    pub fn run_with_table(
        &self,
        events: &[Value],
        table: Option<(&EventTable, &[usize])>,
        opts: &RunOptions,
    ) -> Output {
        let hits = table
            .filter(|(_, rows)| rows.len() == events.len())
            .and_then(|(t, rows)| StepHits::new(&self.compiled, t, rows));
        let hits = hits.as_ref();
        let q = &self.query;
        let mut out = Output::default();
        match &q.body {
            Body::Event(_) => {
                let order = ordered(events, opts);
                let hits: Vec<usize> = order
                    .iter()
                    .map(|o| o.index)
                    .filter(|&i| match (hits, self.steps().first()) {
                        (Some(h), _) => h.step(0, i),
                        (None, Some(c)) => c.matches(&events[i]),
                        (None, None) => false,
                    })
                    .collect();
                out.events = limit(apply_pipes(hits, &q.pipes), opts.size);
            }
            Body::Sequence(seq) => {
                let order = ordered(events, opts);
                let hits = run_sequence(
                    seq,
                    self.steps(),
                    self.until(),
                    &self.keys,
                    events,
                    &order,
                    hits,
                );
                out.sequences = limit(apply_pipes(hits, &q.pipes), opts.size);
            }
            Body::Sample(sample) => {
                let per_key = opts.max_samples_per_key.unwrap_or(1).max(1);
                let hits = run_sample(
                    &stages(&sample.steps, self.steps(), &self.keys),
                    events,
                    hits,
                    per_key,
                    opts.size,
                    &opts.field_types,
                );
                out.sequences = limit(apply_pipes(hits, &q.pipes), opts.size);
            }
        }
        out
    }
}

impl EqlQuery {
    /// For sequence queries: which event filled which step, or where the chain broke and the
    /// closest candidate event for that step. `None` for event and sample queries.
    pub fn explain_sequences(
        &self,
        events: &[Value],
        opts: &RunOptions,
    ) -> Option<SequenceExplanation> {
        match &self.query.body {
            Body::Sequence(seq) => {
                let order = ordered(events, opts);
                Some(explain_sequence(
                    seq,
                    self.steps(),
                    self.until(),
                    &self.keys,
                    events,
                    &order,
                ))
            }
            _ => None,
        }
    }
}

fn limit<T>(mut v: Vec<T>, size: Option<usize>) -> Vec<T> {
    if let Some(n) = size {
        v.truncate(n);
    }
    v
}

/// `| head N` keeps the first N, `| tail N` the last N (still in ascending order, as
/// Elasticsearch returns them); pipes apply left to right.
pub fn apply_pipes<T>(mut items: Vec<T>, pipes: &[Pipe]) -> Vec<T> {
    for p in pipes {
        match p {
            Pipe::Head(n, _) => items.truncate(usize::try_from(*n).unwrap_or(usize::MAX)),
            Pipe::Tail(n, _) => {
                let n = usize::try_from(*n).unwrap_or(usize::MAX);
                if items.len() > n {
                    items.drain(..items.len() - n);
                }
            }
        }
    }
    items
}

fn cmp_tie(a: &Option<TieValue>, b: &Option<TieValue>) -> Ordering {
    match (a, b) {
        (Some(TieValue::Num(x)), Some(TieValue::Num(y))) => x.total_cmp(y),
        (Some(TieValue::Str(x)), Some(TieValue::Str(y))) => x.cmp(y),
        (Some(TieValue::Num(_)), Some(TieValue::Str(_))) => Ordering::Less,
        (Some(TieValue::Str(_)), Some(TieValue::Num(_))) => Ordering::Greater,
        // Elasticsearch sorts missing values last.
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The events in Elasticsearch's order: by timestamp, then tiebreaker, then input position (the
/// sort is stable). Events without a timestamp keep their input order after the timed ones, as
/// Elasticsearch sorts missing values last; when no event has one, input order is kept.
pub fn ordered(events: &[Value], opts: &RunOptions) -> Vec<Ordinal> {
    let ts_path = FieldPath::new(&opts.timestamp_field);
    let tb_path = opts.tiebreaker_field.as_deref().map(FieldPath::new);
    let mut v: Vec<Ordinal> = events
        .iter()
        .enumerate()
        .map(|(index, e)| Ordinal {
            index,
            ts: ts_path.first(e).and_then(timestamp_nanos),
            tiebreaker: tb_path
                .as_ref()
                .and_then(|p| p.first(e))
                .and_then(tie_value),
        })
        .collect();
    v.sort_by(|a, b| cmp_time((a.ts, &a.tiebreaker), (b.ts, &b.tiebreaker)));
    v
}

/// Elasticsearch's order of two events by (timestamp, tiebreaker): missing values last.
pub(crate) fn cmp_time(
    a: (Option<i128>, &Option<TieValue>),
    b: (Option<i128>, &Option<TieValue>),
) -> Ordering {
    let ts = match (a.0, b.0) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    ts.then_with(|| cmp_tie(a.1, b.1))
}

/// A tiebreaker field's value: a number or a string.
pub(crate) fn tie_value(v: &Value) -> Option<TieValue> {
    match v {
        Value::Number(n) => n.as_f64().map(TieValue::Num),
        Value::String(s) => Some(TieValue::Str(s.clone())),
        _ => None,
    }
}

const NANOS_PER_MILLI: i128 = 1_000_000;

/// A timestamp value in epoch nanoseconds: a JSON number (epoch millis), epoch-millis digits
/// with an optional `.nnnnnn` fraction (how `date_nanos` values are written), or ISO 8601 with
/// up to nanosecond precision.
pub fn timestamp_nanos(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(i as i128 * NANOS_PER_MILLI)
            } else {
                n.as_f64()
                    .filter(|f| f.is_finite())
                    .map(|f| (f * 1e6) as i128)
            }
        }
        Value::String(s) => parse_ts_str(s.trim()),
        _ => None,
    }
}

fn parse_ts_str(s: &str) -> Option<i128> {
    let (int, frac) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let signed_int = int.strip_prefix('-').unwrap_or(int);
    if digits(signed_int) && frac.is_none_or(digits) {
        let ms: i128 = int.parse().ok()?;
        let sub = frac.map(|f| frac_nanos(f, 6)).unwrap_or(0);
        return Some(ms * NANOS_PER_MILLI + if ms < 0 { -sub } else { sub });
    }
    let ms = crate::time::parse_date(s)? as i128;
    // parse_date keeps milliseconds; add the sub-millisecond digits of an ISO fraction back.
    let sub = iso_sub_millis(s);
    Some(ms * NANOS_PER_MILLI + sub)
}

/// The first `scale` digits of a fraction as an integer (right-padded with zeros).
fn frac_nanos(f: &str, scale: usize) -> i128 {
    let mut n: i128 = 0;
    for i in 0..scale {
        let d = f.as_bytes().get(i).map_or(0, |b| (b - b'0') as i128);
        n = n * 10 + d;
    }
    n
}

/// Nanoseconds below the millisecond in an ISO time's fraction (`…:54.294365140Z` → 365140).
fn iso_sub_millis(s: &str) -> i128 {
    let Some(t) = s.find(['T', 't', ' ']) else {
        return 0;
    };
    let time = &s[t..];
    let Some(dot) = time.find(['.', ',']) else {
        return 0;
    };
    let frac: String = time[dot + 1..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    if frac.len() <= 3 {
        return 0;
    }
    frac_nanos(&frac[3..], 6)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_in_all_shapes() {
        assert_eq!(timestamp_nanos(&json!(5)), Some(5_000_000));
        assert_eq!(timestamp_nanos(&json!("5")), Some(5_000_000));
        assert_eq!(
            timestamp_nanos(&json!("131577000000.123456")),
            Some(131_577_000_000_123_456)
        );
        assert_eq!(
            timestamp_nanos(&json!("1970-01-01T00:00:00.001000002Z")),
            Some(1_000_002)
        );
        assert_eq!(
            timestamp_nanos(&json!("1970-01-01T00:00:01Z")),
            Some(1_000_000_000)
        );
        assert_eq!(timestamp_nanos(&json!(true)), None);
    }

    #[test]
    fn ordering_is_stable_and_puts_untimed_last() {
        let evs = vec![
            json!({"@timestamp": 2, "n": 0}),
            json!({"n": 1}),
            json!({"@timestamp": 1, "n": 2}),
            json!({"@timestamp": 2, "n": 3}),
        ];
        let o: Vec<usize> = ordered(&evs, &RunOptions::default())
            .iter()
            .map(|o| o.index)
            .collect();
        assert_eq!(o, vec![2, 0, 3, 1]);
    }

    #[test]
    fn pipes_head_and_tail() {
        let v: Vec<u32> = (0..10).collect();
        let head = Pipe::Head(4, crate::Span::new(0, 0));
        let tail = Pipe::Tail(2, crate::Span::new(0, 0));
        assert_eq!(
            apply_pipes(v.clone(), &[head.clone(), tail.clone()]),
            vec![2, 3]
        );
        assert_eq!(apply_pipes(v, &[tail]), vec![8, 9]);
    }
}
