//! Sequence semantics pinned against Elasticsearch's behaviour (the ES spec suite in
//! eql_es_suite.rs is the authority; these are small, readable cases of the same rules).

use ruleplay::eql::run::{RunOptions, SeqHit};
use ruleplay::eql::sequence::CandidateReason;
use serde_json::{json, Value};

fn ev(ts: i64, cat: &str, name: &str, user: &str) -> Value {
    json!({"@timestamp": ts, "event": {"category": cat}, "name": name, "user": user})
}

fn run(q: &str, events: &[Value]) -> Vec<SeqHit> {
    let q = ruleplay::eql::compile(q).unwrap_or_else(|d| panic!("{}", d.render(q)));
    q.run(events, &RunOptions::default()).sequences
}

fn ids(hits: &[SeqHit]) -> Vec<Vec<Option<usize>>> {
    hits.iter().map(|h| h.events.clone()).collect()
}

fn some(v: &[usize]) -> Vec<Option<usize>> {
    v.iter().copied().map(Some).collect()
}

#[test]
fn by_keys_join_on_equal_values() {
    let events = [
        ev(1, "process", "a", "bob"),
        ev(2, "process", "a", "eve"),
        ev(3, "file", "b", "eve"),
        ev(4, "file", "b", "bob"),
    ];
    let hits = run(
        r#"sequence by user [process where name == "a"] [file where name == "b"]"#,
        &events,
    );
    // Ordered by the last event: eve's sequence completes first.
    assert_eq!(ids(&hits), vec![some(&[1, 2]), some(&[0, 3])]);
    assert_eq!(hits[0].join_keys, vec![json!("eve")]);
    // Per-step keys on differently named fields join by value.
    let events = [
        json!({"@timestamp": 1, "event": {"category": "process"}, "pid": 7}),
        json!({"@timestamp": 2, "event": {"category": "file"}, "owner_pid": 7}),
    ];
    let hits = run(
        "sequence [process where true] by pid [file where true] by owner_pid",
        &events,
    );
    assert_eq!(ids(&hits), vec![some(&[0, 1])]);
    assert_eq!(hits[0].join_keys, vec![json!(7)]);
}

#[test]
fn absent_key_excludes_the_event_unless_optional() {
    let events = [
        json!({"@timestamp": 1, "event": {"category": "process"}}),
        json!({"@timestamp": 2, "event": {"category": "file"}}),
    ];
    assert!(run(
        "sequence by user [process where true] [file where true]",
        &events
    )
    .is_empty());
    // `?user`: null is a valid join key value (test_extra::sequenceOptionalFieldAsKeyAndFirstFilter).
    let hits = run(
        "sequence by ?user [process where true] [file where true]",
        &events,
    );
    assert_eq!(ids(&hits), vec![some(&[0, 1])]);
    assert_eq!(hits[0].join_keys, vec![Value::Null]);
}

#[test]
fn maxspan_edge_is_inclusive() {
    let q = r#"sequence with maxspan=1s [process where true] [file where true]"#;
    // Exactly maxspan apart: inside (Elasticsearch rejects only when the span is greater).
    let at = [ev(1_000, "process", "a", "u"), ev(2_000, "file", "b", "u")];
    assert_eq!(ids(&run(q, &at)), vec![some(&[0, 1])]);
    // One millisecond past: outside.
    let past = [ev(1_000, "process", "a", "u"), ev(2_001, "file", "b", "u")];
    assert!(run(q, &past).is_empty());
}

#[test]
fn newest_pending_sequence_is_taken() {
    // Two process events then one file event: Elasticsearch advances the newest pending sequence
    // of the key and drops the older one.
    let events = [
        ev(1, "process", "a", "u"),
        ev(2, "process", "a", "u"),
        ev(3, "file", "b", "u"),
    ];
    let hits = run(
        "sequence by user [process where true] [file where true]",
        &events,
    );
    assert_eq!(ids(&hits), vec![some(&[1, 2])]);
}

#[test]
fn until_cuts_pending_sequences() {
    let q = r#"sequence by user [process where true] [file where true] until [network where true]"#;
    let events = [
        ev(1, "process", "a", "u"),
        ev(2, "network", "x", "u"),
        ev(3, "file", "b", "u"),
        ev(4, "process", "a", "v"),
        ev(5, "network", "x", "w"),
        ev(6, "file", "b", "v"),
    ];
    // u's chain is cut by its until event; v's is not (w's until event has another key).
    assert_eq!(ids(&run(q, &events)), vec![some(&[3, 5])]);
}

#[test]
fn runs_repeat_a_step() {
    let q = r#"sequence by user [process where true] with runs=2 [file where true]"#;
    let events = [
        ev(1, "process", "a", "u"),
        ev(2, "file", "b", "u"),
        ev(3, "process", "a", "u"),
        ev(4, "process", "a", "u"),
        ev(5, "file", "b", "u"),
    ];
    assert_eq!(ids(&run(q, &events)), vec![some(&[2, 3, 4])]);
}

#[test]
fn missing_event_steps() {
    let q = r#"sequence with maxspan=1m [process where name == "a"] ![file where name == "m"] [process where name == "b"]"#;
    let events = [
        ev(1, "process", "a", "u"),
        ev(2, "process", "b", "u"),
        ev(3, "process", "a", "u"),
        ev(4, "file", "m", "u"),
        ev(5, "process", "b", "u"),
    ];
    // The second chain has the missing event between its steps: dropped.
    let hits = run(q, &events);
    assert_eq!(ids(&hits), vec![vec![Some(0), None, Some(1)]]);
    // Trailing missing step: an event of it within maxspan after the sequence rules it out.
    let q = r#"sequence with maxspan=10ms [process where name == "a"] ![file where name == "m"]"#;
    let events = [
        ev(100, "process", "a", "u"),
        ev(105, "file", "m", "u"),
        ev(200, "process", "a", "u"),
        ev(300, "file", "m", "u"),
    ];
    assert_eq!(ids(&run(q, &events)), vec![vec![Some(2), None]]);
}

#[test]
fn out_of_order_input_is_sorted_by_timestamp() {
    let q = "sequence by user [process where true] [file where true]";
    let events = [ev(3_000, "file", "b", "u"), ev(1_000, "process", "a", "u")];
    // Indices refer to the input; order follows @timestamp (ISO strings too).
    assert_eq!(ids(&run(q, &events)), vec![some(&[1, 0])]);
    let events = [
        json!({"@timestamp": "2024-01-01T00:00:02Z", "event": {"category": "file"}, "user": "u"}),
        json!({"@timestamp": "2024-01-01T00:00:01Z", "event": {"category": "process"}, "user": "u"}),
    ];
    assert_eq!(ids(&run(q, &events)), vec![some(&[1, 0])]);
    // Equal timestamps keep input order (stable sort): the file event comes first, so no match.
    let tie = [ev(5, "file", "b", "u"), ev(5, "process", "a", "u")];
    assert!(run(q, &tie).is_empty());
    let tie = [ev(5, "process", "a", "u"), ev(5, "file", "b", "u")];
    assert_eq!(ids(&run(q, &tie)), vec![some(&[0, 1])]);
    // Without timestamps, input order.
    let none = [
        json!({"event": {"category": "process"}, "user": "u"}),
        json!({"event": {"category": "file"}, "user": "u"}),
    ];
    assert_eq!(ids(&run(q, &none)), vec![some(&[0, 1])]);
}

#[test]
fn head_and_tail_pipes_on_sequences() {
    let events: Vec<Value> = (0..6)
        .map(|i| ev(i, if i % 2 == 0 { "process" } else { "file" }, "x", "u"))
        .collect();
    let q = "sequence by user [process where true] [file where true]";
    assert_eq!(run(q, &events).len(), 3);
    assert_eq!(
        ids(&run(&format!("{q} | head 1"), &events)),
        vec![some(&[0, 1])]
    );
    assert_eq!(
        ids(&run(&format!("{q} | tail 2"), &events)),
        vec![some(&[2, 3]), some(&[4, 5])]
    );
}

#[test]
fn explanation_of_a_broken_chain() {
    let opts = RunOptions::default();
    let q = ruleplay::eql::compile(
        "sequence by user with maxspan=1s [process where name == \"a\"] [file where name == \"b\"]",
    )
    .expect("compiles");
    // Key mismatch.
    let events = [ev(0, "process", "a", "bob"), ev(10, "file", "b", "eve")];
    let x = q.explain_sequences(&events, &opts).expect("a sequence");
    assert!(!x.matched);
    assert_eq!(x.broken_at, Some(1));
    assert_eq!(x.steps[0].event, Some(0));
    let c = x.candidate.expect("a candidate");
    assert_eq!((c.event, c.reason), (1, CandidateReason::KeyMismatch));
    // Maxspan exceeded.
    let events = [ev(0, "process", "a", "bob"), ev(5_000, "file", "b", "bob")];
    let c = q
        .explain_sequences(&events, &opts)
        .and_then(|x| x.candidate)
        .expect("a candidate");
    assert_eq!((c.event, c.reason), (1, CandidateReason::MaxspanExceeded));
    // Condition false: the closest event is reported.
    let events = [ev(0, "process", "a", "bob"), ev(10, "file", "c", "bob")];
    let c = q
        .explain_sequences(&events, &opts)
        .and_then(|x| x.candidate)
        .expect("a candidate");
    assert_eq!((c.event, c.reason), (1, CandidateReason::ConditionFalse));
    // A complete match lists which event filled which step.
    let events = [ev(0, "process", "a", "bob"), ev(10, "file", "b", "bob")];
    let x = q.explain_sequences(&events, &opts).expect("a sequence");
    assert!(x.matched);
    let filled: Vec<Option<usize>> = x.steps.iter().map(|s| s.event).collect();
    assert_eq!(filled, some(&[0, 1]));
}
