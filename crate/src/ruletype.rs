//! Rule types that look at more than one event: new_terms and threshold, simulated over the
//! ordered list of events given to the playground.
//!
//! Assumptions (the README lists them):
//! - Events are ordered by the rule's timestamp field (`timestamp_override`, falling back to
//!   `@timestamp` as Kibana does), stable for ties. Events without a readable timestamp sort
//!   first, in input order, and count as inside any history window.
//! - new_terms behaves as if the rule ran continuously: an event alerts when one of its terms was
//!   not seen in any earlier candidate event whose time is within `history_window_start`
//!   (date math evaluated with "now" = the event's time, so `now-14d` = 14 days before it).
//!   Kibana runs on a schedule and alerts once per new term per run; with one event per term per
//!   run the verdicts are the same.
//! - threshold treats all the events as one rule execution window.
//! - Only candidates count: events that match the query and the rule's filters and that no
//!   exception removed (Kibana applies both as filters on its searches).

use crate::event::ecs::field_info;
use crate::event::lookup::FieldPath;
use crate::rule::filters::{indexed, scalar_text};
use crate::rule::NewTerms;
use crate::time::{date_math, format_millis, parse_date};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

mod threshold;
pub use threshold::{threshold, ThresholdGroup, ThresholdState};

/// Combinations of new-terms values per event beyond this are not considered (Kibana also
/// bounds the combinations it builds from array values).
pub const MAX_TERM_COMBINATIONS: usize = 1000;

/// The rule type's decision for one event.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TypeVerdict {
    pub alert: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Reads an event's time: the rule's timestamp field, else `@timestamp` (paths compiled once).
#[derive(Clone)]
pub struct EventTime {
    primary: FieldPath,
    fallback: Option<FieldPath>,
}

impl EventTime {
    pub fn new(field: &str) -> Self {
        EventTime {
            primary: FieldPath::new(field),
            fallback: (field != "@timestamp").then(|| FieldPath::new("@timestamp")),
        }
    }

    /// Epoch milliseconds, when the event has a readable time.
    pub fn of(&self, event: &Value) -> Option<i64> {
        let read = |p: &FieldPath| {
            p.first(event).and_then(|v| match v {
                Value::String(s) => parse_date(s),
                Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
                _ => None,
            })
        };
        read(&self.primary).or_else(|| self.fallback.as_ref().and_then(read))
    }
}

/// The event's time in epoch milliseconds: `field`, else `@timestamp`.
pub fn event_time(event: &Value, field: &str) -> Option<i64> {
    EventTime::new(field).of(event)
}

/// `indices` in time order (stable; events without a time first).
pub fn time_order(indices: &[usize], times: &[Option<i64>]) -> Vec<usize> {
    let mut idx = indices.to_vec();
    // Through `&dyn Fn`: every `sort_by_key` of indices by an i64 with this key type shares one
    // instantiation of the (large) stable sort in the wasm; `eql::sequence` sorts the same way.
    let key: &dyn Fn(&usize) -> i64 = &|&i| times[i].unwrap_or(i64::MIN);
    idx.sort_by_key(key);
    idx
}

/// Indexed scalar values of `field` in `event`, as Elasticsearch's terms see them.
fn term_values(event: &Value, path: &FieldPath, field: &str) -> Vec<String> {
    let info = field_info(field);
    let mut vals = Vec::new();
    path.values(event, &mut vals);
    let mut out: Vec<String> = vals
        .into_iter()
        .filter_map(scalar_text)
        .filter(|t| indexed(&info, t))
        .collect();
    out.dedup();
    out
}

/// Cartesian product of per-field values, bounded.
fn combinations(per_field: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = vec![Vec::new()];
    for vals in per_field {
        let mut next = Vec::new();
        'outer: for prefix in &out {
            for v in vals {
                if next.len() >= MAX_TERM_COMBINATIONS {
                    break 'outer;
                }
                let mut p = prefix.clone();
                p.push(v.clone());
                next.push(p);
            }
        }
        out = next;
    }
    out
}

fn show_term(fields: &[String], term: &[String]) -> String {
    fields
        .iter()
        .zip(term)
        .map(|(f, v)| format!("{f} \"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// new_terms over `events`; `candidates[i]` says whether event `i` matched the query, the
/// filters and no exception. Non-candidates get `alert: false` and no reason.
pub fn new_terms(
    events: &[Value],
    candidates: &[bool],
    spec: &NewTerms,
    timestamp_field: &str,
) -> Vec<TypeVerdict> {
    let mut out = vec![TypeVerdict::default(); events.len()];
    let picked: Vec<(usize, &Value)> = events
        .iter()
        .enumerate()
        .filter(|&(i, _)| candidates.get(i).copied().unwrap_or(false))
        .collect();
    for (i, v) in new_terms_picked(&picked, spec, timestamp_field) {
        if let Some(o) = out.get_mut(i) {
            *o = v;
        }
    }
    out
}

/// [`new_terms`] over the candidates alone, each given with its index among all the events
/// (what the verdicts are keyed by and their reasons name): for callers that do not hold the
/// other events (a file read in pieces).
pub fn new_terms_picked(
    picked: &[(usize, &Value)],
    spec: &NewTerms,
    timestamp_field: &str,
) -> Vec<(usize, TypeVerdict)> {
    let mut state = NewTermsState::new(spec);
    // Only candidates take part, so only their times are read.
    let clock = EventTime::new(timestamp_field);
    let times: Vec<Option<i64>> = picked.iter().map(|(_, e)| clock.of(e)).collect();
    let local: Vec<usize> = (0..picked.len()).collect();
    time_order(&local, &times)
        .into_iter()
        .filter_map(|k| {
            let &(i, event) = picked.get(k)?;
            let terms = state.terms(event);
            Some((i, state.decide(terms, times.get(k).copied().flatten(), i)))
        })
        .collect()
}

/// What new_terms remembers between events: each term's latest sighting. Events are given to
/// [`NewTermsState::decide`] in time order (see the module documentation).
#[derive(Clone)]
pub struct NewTermsState<'a> {
    spec: &'a NewTerms,
    paths: Vec<FieldPath>,
    /// term → (time, index) of its latest sighting so far.
    seen: HashMap<Vec<String>, (Option<i64>, usize)>,
}

/// An event's new-terms combinations, or why it cannot alert.
pub type Terms = Result<Vec<Vec<String>>, String>;

impl<'a> NewTermsState<'a> {
    pub fn new(spec: &'a NewTerms) -> Self {
        NewTermsState {
            spec,
            paths: spec
                .fields
                .iter()
                .map(|f| FieldPath::new(&field_info(f).source))
                .collect(),
            seen: HashMap::new(),
        }
    }

    /// The term combinations of a candidate event (read once, in any order).
    pub fn terms(&self, event: &Value) -> Terms {
        if self.spec.fields.is_empty() {
            return Err("the new_terms rule names no fields, so it never alerts".into());
        }
        let per_field: Vec<Vec<String>> = self
            .spec
            .fields
            .iter()
            .zip(&self.paths)
            .map(|(f, p)| term_values(event, p, f))
            .collect();
        if let Some(k) = per_field.iter().position(Vec::is_empty) {
            return Err(format!(
                "{} has no value, and new_terms events without the field never alert",
                self.spec.fields[k]
            ));
        }
        Ok(combinations(&per_field))
    }

    /// The verdict of candidate `index` at `time`, given every earlier candidate already.
    pub fn decide(&mut self, terms: Terms, time: Option<i64>, index: usize) -> TypeVerdict {
        let spec = self.spec;
        let terms = match terms {
            Ok(t) => t,
            Err(reason) => {
                return TypeVerdict {
                    alert: false,
                    reason: Some(reason),
                }
            }
        };
        let window_start = match (&spec.history_window_start, time) {
            (Some(h), Some(t)) => date_math(h, t),
            _ => None,
        };
        let mut out = TypeVerdict::default();
        let mut new = Vec::new();
        let mut repeat = None;
        for term in &terms {
            match self.seen.get(term) {
                Some(&(t, j)) if in_window(t, window_start) => {
                    repeat = repeat.or(Some((term, t, j)))
                }
                _ => new.push(term),
            }
        }
        if let Some(first) = new.first() {
            out.alert = true;
            let earlier = match self.seen.get(*first) {
                Some(&(Some(t), j)) => format!(
                    " (last seen in event #{j} at {}, before the history window starting {})",
                    format_millis(t),
                    window_start.map_or("?".into(), format_millis)
                ),
                _ => String::new(),
            };
            out.reason = Some(format!(
                "new term: {} was not seen in the history window{earlier}",
                show_term(&spec.fields, first)
            ));
        } else if let Some((term, t, j)) = repeat {
            out.reason = Some(format!(
                "{} was already seen in event #{j}{}, within the history window ({})",
                show_term(&spec.fields, term),
                t.map_or(String::new(), |t| format!(" at {}", format_millis(t))),
                spec.history_window_start.as_deref().unwrap_or("unbounded")
            ));
        }
        for term in terms {
            self.seen.insert(term, (time, index));
        }
        out
    }
}

/// Whether a sighting at `seen` lies inside a window starting at `start` (unknown times count as
/// inside; a missing window start means an unbounded history).
fn in_window(seen: Option<i64>, start: Option<i64>) -> bool {
    match (seen, start) {
        (Some(s), Some(w)) => s >= w,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::{Cardinality, Threshold};
    use serde_json::json;

    fn ev(ts: &str, exe: Value) -> Value {
        json!({"@timestamp": ts, "process": {"executable": exe}})
    }

    fn spec(fields: &[&str]) -> NewTerms {
        NewTerms {
            fields: fields.iter().map(|s| s.to_string()).collect(),
            history_window_start: Some("now-14d".into()),
        }
    }

    fn alerts(v: &[TypeVerdict]) -> Vec<bool> {
        v.iter().map(|v| v.alert).collect()
    }

    #[test]
    fn first_sighting_repeat_and_after_window() {
        let events = vec![
            ev("2024-09-01T00:00:00Z", json!("/bin/a")),
            ev("2024-09-02T00:00:00Z", json!("/bin/a")),
            // 14 days + 1 s after the last sighting: outside the window again.
            ev("2024-09-16T00:00:01Z", json!("/bin/a")),
            ev("2024-09-16T00:00:02Z", json!("/bin/b")),
        ];
        let v = new_terms(
            &events,
            &[true; 4],
            &spec(&["process.executable"]),
            "@timestamp",
        );
        assert_eq!(alerts(&v), [true, false, true, true]);
        assert!(v[1]
            .reason
            .as_deref()
            .unwrap()
            .contains("already seen in event #0"));
        assert!(v[2]
            .reason
            .as_deref()
            .unwrap()
            .contains("before the history window"));
    }

    #[test]
    fn exactly_at_window_start_is_still_seen() {
        let events = vec![
            ev("2024-09-01T00:00:00Z", json!("/bin/a")),
            ev("2024-09-15T00:00:00Z", json!("/bin/a")),
        ];
        let v = new_terms(
            &events,
            &[true; 2],
            &spec(&["process.executable"]),
            "@timestamp",
        );
        assert_eq!(alerts(&v), [true, false]);
    }

    #[test]
    fn ordered_by_time_not_input_and_ties_are_stable() {
        let events = vec![
            ev("2024-09-02T00:00:00Z", json!("/bin/a")),
            ev("2024-09-01T00:00:00Z", json!("/bin/a")),
            ev("2024-09-01T00:00:00Z", json!("/bin/a")),
        ];
        let v = new_terms(
            &events,
            &[true; 3],
            &spec(&["process.executable"]),
            "@timestamp",
        );
        assert_eq!(alerts(&v), [false, true, false]);
    }

    #[test]
    fn arrays_count_each_value_and_missing_never_alerts() {
        let events = vec![
            ev("2024-09-01T00:00:00Z", json!(["/bin/a", "/bin/b"])),
            ev("2024-09-01T00:00:01Z", json!("/bin/b")),
            ev("2024-09-01T00:00:02Z", json!(["/bin/b", "/bin/c"])),
            json!({"@timestamp": "2024-09-01T00:00:03Z"}),
            ev("2024-09-01T00:00:04Z", json!([])),
        ];
        let v = new_terms(
            &events,
            &[true; 5],
            &spec(&["process.executable"]),
            "@timestamp",
        );
        assert_eq!(alerts(&v), [true, false, true, false, false]);
        assert!(v[3].reason.as_deref().unwrap().contains("never alert"));
    }

    #[test]
    fn non_candidates_do_not_seed_history() {
        let events = vec![
            ev("2024-09-01T00:00:00Z", json!("/bin/a")),
            ev("2024-09-01T00:00:01Z", json!("/bin/a")),
        ];
        let v = new_terms(
            &events,
            &[false, true],
            &spec(&["process.executable"]),
            "@timestamp",
        );
        assert_eq!(alerts(&v), [false, true]);
    }

    #[test]
    fn combination_of_fields() {
        let mk = |h: &str, u: &str| json!({"@timestamp": "2024-09-01T00:00:00Z", "host": {"id": h}, "user": {"id": u}});
        let events = vec![
            mk("h1", "u1"),
            mk("h1", "u2"),
            mk("h2", "u1"),
            mk("h1", "u1"),
        ];
        let v = new_terms(
            &events,
            &[true; 4],
            &spec(&["host.id", "user.id"]),
            "@timestamp",
        );
        assert_eq!(alerts(&v), [true, true, true, false]);
    }

    #[test]
    fn timestamp_override_falls_back() {
        let e = json!({"@timestamp": "2024-09-01T00:00:00Z", "event": {"ingested": "2024-09-02T00:00:00Z"}});
        assert_eq!(
            event_time(&e, "event.ingested"),
            parse_date("2024-09-02T00:00:00Z")
        );
        let e = json!({"@timestamp": "2024-09-01T00:00:00Z"});
        assert_eq!(
            event_time(&e, "event.ingested"),
            parse_date("2024-09-01T00:00:00Z")
        );
    }

    #[test]
    fn threshold_groups_and_cardinality() {
        let mk = |h: Value, u: &str| json!({"host": {"id": h}, "user": {"name": u}});
        let events = vec![
            mk(json!("a"), "x"),
            mk(json!("a"), "y"),
            mk(json!("b"), "x"),
            mk(json!(["a", "b"]), "x"),
            json!({"user": {"name": "z"}}),
        ];
        let spec = Threshold {
            field: vec!["host.id".into()],
            value: 3,
            cardinality: vec![],
        };
        let (v, groups) = threshold(&events, &[true; 5], &spec);
        assert_eq!(alerts(&v), [true, true, false, true, false]);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].count, 3);
        assert!(v[4]
            .reason
            .as_deref()
            .unwrap()
            .contains("no threshold group"));

        let spec = Threshold {
            field: vec![],
            value: 1,
            cardinality: vec![Cardinality {
                field: "user.name".into(),
                value: 4,
            }],
        };
        let (v, groups) = threshold(&events, &[true; 5], &spec);
        assert_eq!(groups[0].cardinality, [("user.name".to_string(), 3)]);
        assert!(!v[0].alert);
        assert!(v[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("3 distinct user.name (needs ≥ 4)"));
    }
}
