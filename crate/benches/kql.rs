//! KQL benchmarks (a bench binary, not a timed test): `cargo bench -p ruleplay --bench kql`.
//!
//! 1. Parse (and compile) every `kuery` query of `../shared/corpus/detection-rules`; total time.
//! 2. The Exim4 seed query over generated events (`../shared/conformance/eql/gen_events.py`, or
//!    `KQL_BENCH_EVENTS=file.ndjson`): serde_json parsing alone vs parsing + evaluation.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared");

fn kuery_queries() -> Vec<String> {
    common::queries("kuery")
        .unwrap_or_default()
        .into_iter()
        .map(|(_, q)| q)
        .collect()
}

/// Best of `runs` timings (the least disturbed by the other processes on the machine).
fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn corpus_parse() {
    let queries = kuery_queries();
    if queries.is_empty() {
        eprintln!("SKIP corpus parse: no kuery rules under {SHARED}/corpus/detection-rules");
        return;
    }
    let bytes: usize = queries.iter().map(String::len).sum();
    let parse = best(10, || {
        for q in &queries {
            std::hint::black_box(ruleplay::kql::parse(q).is_ok());
        }
    });
    let compile = best(10, || {
        for q in &queries {
            std::hint::black_box(ruleplay::kql::compile(q).is_ok());
        }
    });
    println!(
        "corpus: {} kuery queries, {} KB: parse {:.2} ms, parse+compile {:.2} ms (best of 10)",
        queries.len(),
        bytes / 1024,
        ms(parse),
        ms(compile)
    );
}

fn events_text() -> Option<String> {
    if let Ok(path) = std::env::var("KQL_BENCH_EVENTS") {
        return std::fs::read_to_string(path).ok();
    }
    let gen = Path::new(SHARED).join("conformance/eql/gen_events.py");
    let out = std::process::Command::new("python3")
        .arg(gen)
        .arg("100000")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn exim_eval() {
    let Some(text) = events_text() else {
        eprintln!("SKIP exim eval: could not generate events (python3 + {SHARED}/conformance/eql/gen_events.py)");
        return;
    };
    let rule =
        std::fs::read_to_string(Path::new(SHARED).join("seeds/unusual_exim4_child_process.toml"))
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok());
    let Some(query) = rule
        .as_ref()
        .and_then(|r| r.get("rule"))
        .and_then(|r| r.get("query"))
        .and_then(|q| q.as_str())
    else {
        eprintln!("SKIP exim eval: seed rule absent");
        return;
    };
    let q = ruleplay::kql::compile(query).expect("the seed query compiles");
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let now = 1_725_300_000_000;
    let mut hits = 0;
    let parse_only = best(5, || {
        for l in &lines {
            let v: serde_json::Value = serde_json::from_str(l).expect("valid event");
            std::hint::black_box(&v);
        }
    });
    let parse_eval = best(5, || {
        hits = 0;
        for l in &lines {
            let v: serde_json::Value = serde_json::from_str(l).expect("valid event");
            hits += usize::from(q.matches(&v, now));
        }
    });
    let events: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("valid event"))
        .collect();
    let eval_only = best(5, || {
        for v in &events {
            std::hint::black_box(q.matches(v, now));
        }
    });
    let n = lines.len() as f64;
    println!(
        "exim4: {} events, {hits} matches: parse {:.1} ms, parse+eval {:.1} ms ({:.0} events/s), \
         eval alone {:.1} ms; evaluation adds {:.1}% on top of parsing",
        lines.len(),
        ms(parse_only),
        ms(parse_eval),
        n / parse_eval.as_secs_f64(),
        ms(eval_only),
        (ms(parse_eval) / ms(parse_only) - 1.0) * 100.0
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a name filter is not supported, everything runs.
    corpus_parse();
    exim_eval();
}
