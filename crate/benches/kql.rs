//! KQL benchmarks (a bench binary, not a timed test): `cargo bench -p ruleplay --bench kql`.
//!
//! 1. Parse (and compile) every `kuery` query of `../shared/corpus/detection-rules`; total time.
//! 2. The Exim4 seed query over generated events (`../shared/conformance/eql/gen_events.py`, or
//!    `KQL_BENCH_EVENTS=file.ndjson`): serde_json parsing alone vs parsing + evaluation.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared");

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

fn kuery_queries() -> Vec<String> {
    let root = Path::new(SHARED).join("corpus/detection-rules");
    let mut files = Vec::new();
    for sub in ["rules", "rules_building_block"] {
        toml_files(&root.join(sub), &mut files);
    }
    let mut out = Vec::new();
    for f in files {
        let Ok(doc) = std::fs::read_to_string(&f)
            .unwrap_or_default()
            .parse::<toml::Table>()
        else {
            continue;
        };
        let rule = doc.get("rule").and_then(|r| r.as_table());
        if rule
            .and_then(|r| r.get("language"))
            .and_then(|l| l.as_str())
            == Some("kuery")
        {
            if let Some(q) = rule.and_then(|r| r.get("query")).and_then(|q| q.as_str()) {
                out.push(q.to_string());
            }
        }
    }
    out
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
