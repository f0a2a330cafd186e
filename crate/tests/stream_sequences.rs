//! Differential: EQL sequences and samples streamed (`engine::Stream`, events one by one in
//! input order, a little out of time order) give exactly the hits of a whole run, in the same
//! order, over generated events — with join keys (multi-valued and absent), maxspan, until,
//! runs, pipes, and an exception that hides events from the search. Input more out of order than
//! the reorder window is an error, never other hits; the cap on open sequences warns.

use ruleplay::engine::{load, Lang, RunOptions, SequenceHit};
use serde_json::{json, Value};
use std::collections::HashSet;

struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// `n` events a second apart, each moved by up to ±3 s (so a little out of order).
fn events(seed: u64, n: usize) -> Vec<Value> {
    let mut r = Lcg(seed);
    let names = ["p", "q", "r", "s"];
    (0..n)
        .map(|i| {
            let user = ["x", "y"][r.below(2) as usize];
            let t = 1_700_000_000_000i64 + i as i64 * 1000 + (r.below(7) as i64 - 3) * 1000;
            let mut e = json!({
                "@timestamp": t,
                "event": {"category": "process"},
                "n": i,
                "process": {"name": names[r.below(4) as usize]},
                "user": {"name": user},
            });
            match r.below(10) {
                0 => {}
                1 => e["host"] = json!({"name": ["a", "b"]}),
                k => {
                    let host = ["a", "b", "c"][(k % 3) as usize];
                    e["host"] = json!({ "name": host });
                }
            }
            e
        })
        .collect()
}

const QUERIES: &[&str] = &[
    r#"sequence by host.name [process where process.name == "p"] [process where process.name == "q"]"#,
    r#"sequence by host.name with maxspan=5s [any where process.name == "p"] [any where process.name in ("q", "r")] [any where process.name == "s"]"#,
    r#"sequence by host.name [any where process.name == "p"] [any where process.name == "q"] until [any where process.name == "s"]"#,
    r#"sequence with maxspan=20s [any where process.name == "p"] by user.name [any where process.name == "q"] by user.name [any where true] by user.name | head 5"#,
    r#"sequence by user.name [any where process.name == "p"] with runs=2 [any where process.name == "q"] | tail 3"#,
    r#"sequence by ?host.name, user.name with maxspan=3s [any where process.name != "s"] [any where process.name != "p"]"#,
    r#"sequence by host.name with maxspan=6s [any where process.name == "p"] ![any where process.name == "r"] [any where process.name == "q"]"#,
    r#"sequence by host.name with maxspan=8s ![any where process.name == "s"] [any where process.name == "p"] [any where process.name == "q"]"#,
    r#"sequence by user.name with maxspan=5s [any where process.name == "p"] [any where process.name == "q"] ![any where process.name == "r"]"#,
    r#"sequence by user.name with maxspan=9s ![any where process.name == "s"] [any where process.name == "p"] [any where process.name == "q"] ![any where process.name == "r"]"#,
    r#"sample by host.name [any where process.name == "p"] [any where process.name == "q"]"#,
    r#"sample by host.name, user.name [any where process.name == "p"] [any where process.name == "r"] [any where true] | tail 4"#,
];

/// Hides user y on host c from the search.
const EXCEPTION: &str = r#"{"item_id":"i","list_id":"l","name":"y on c","type":"simple","namespace_type":"single","entries":[{"field":"user.name","operator":"included","type":"match","value":"y"},{"field":"host.name","operator":"included","type":"match","value":"c"}]}"#;

/// The hits of a stream over `events` (in the order given), its distinct alerted events, and
/// the first order error.
fn streamed(
    query: &str,
    events: &[Value],
    opts: &RunOptions,
    window: usize,
) -> Result<(Vec<SequenceHit>, usize), String> {
    let loaded = load(query, Lang::Eql).map_err(|_| "loads".to_string())?;
    let mut stream = loaded.stream(opts).ok_or("streams")?.reorder_window(window);
    let mut hits = Vec::new();
    for e in events {
        stream
            .push(e, &mut |_| panic!("sequences give no per-event verdicts"))
            .map_err(|e| e.message)?;
        hits.extend(stream.take_hits());
    }
    stream.finish(&mut |_| panic!("sequences give no per-event verdicts"));
    if let Some(e) = stream.late_error() {
        return Err(e.message);
    }
    hits.extend(stream.take_hits());
    assert_eq!(stream.warning(), None);
    Ok((hits, stream.alerted()))
}

#[test]
fn streamed_hits_equal_a_whole_run() {
    let opts = RunOptions {
        now: Some(1_800_000_000_000),
        exceptions: ruleplay::exceptions::import_ndjson(EXCEPTION).items,
        ..Default::default()
    };
    let mut compared = 0;
    for seed in 1..=6 {
        let evs = events(seed, 300);
        for q in QUERIES {
            let loaded = load(q, Lang::Eql).unwrap_or_else(|_| panic!("{q} loads"));
            let whole = loaded.run(&evs, &opts).sequences;
            let alerted: HashSet<usize> = whole
                .iter()
                .flat_map(|h| h.events.iter().flatten().copied())
                .collect();
            let (hits, n) = streamed(q, &evs, &opts, 1_000).unwrap_or_else(|e| panic!("{q}: {e}"));
            assert_eq!(hits, whole, "seed {seed}: {q}");
            assert_eq!(n, alerted.len(), "seed {seed}: {q}");
            compared += usize::from(!whole.is_empty());
            // A window smaller than the disorder: the same hits or an error, never others.
            match streamed(q, &evs, &opts, 2) {
                Ok((hits, _)) => assert_eq!(hits, whole, "seed {seed} window 2: {q}"),
                Err(e) => assert!(e.contains("out of time order"), "{e}"),
            }
        }
    }
    assert!(compared > 30, "only {compared} runs had hits");
}

#[test]
fn the_cap_on_open_sequences_warns() {
    let evs = events(7, 400);
    let loaded = load(QUERIES[0], Lang::Eql).expect("loads");
    let mut stream = loaded
        .stream(&RunOptions::default())
        .expect("streams")
        .max_open(1);
    for e in &evs {
        stream.push(e, &mut |_| {}).expect("in order");
    }
    stream.finish(&mut |_| {});
    let w = stream.warning().expect("a warning");
    assert!(w.contains("more than 1 open partial sequences"), "{w}");
    // Under the cap: no warning, and the peak says how many were open.
    let mut stream = loaded.stream(&RunOptions::default()).expect("streams");
    for e in &evs {
        stream.push(e, &mut |_| {}).expect("in order");
    }
    stream.finish(&mut |_| {});
    assert_eq!(stream.warning(), None);
    assert!(stream.peak_open().is_some_and(|p| (1..=3).contains(&p)));
}

#[test]
fn events_without_a_time_after_maxspan_closed_sequences_are_an_error() {
    let mut evs = events(3, 3000);
    evs.push(
        json!({"event": {"category": "process"}, "host": {"name": "a"}, "process": {"name": "s"}}),
    );
    let q = QUERIES[1];
    let loaded = load(q, Lang::Eql).expect("loads");
    let whole = loaded.run(&evs, &RunOptions::default()).sequences;
    match streamed(q, &evs, &RunOptions::default(), 10) {
        Ok((hits, _)) => assert_eq!(hits, whole),
        Err(e) => assert!(e.contains("has no timestamp"), "{e}"),
    }
}
