//! EQL throughput benchmark (run by scripts/bench_eql.sh; a measurement, never a test).
//!
//! USAGE: bench_eql QUERY_OR_RULE_TOML EVENTS.ndjson [--repeat N]
//! Prints parse/compile time, match-only throughput of `EqlQuery::matches` over every event, and
//! the throughput of `EqlQuery::run` (sorting by @timestamp included), best of N.

use ruleplay::eql::run::RunOptions;
use std::time::Instant;

fn query_text(arg: &str) -> Result<String, String> {
    if !std::path::Path::new(arg).exists() {
        return Ok(arg.to_string());
    }
    let text = std::fs::read_to_string(arg).map_err(|e| format!("{arg}: {e}"))?;
    if !arg.ends_with(".toml") {
        return Ok(text);
    }
    // A rule file, or a bare `query = '…'` document.
    if let Ok(rule) = ruleplay::rule::load_rule(&text) {
        return rule.query.ok_or_else(|| format!("{arg}: no rule.query"));
    }
    let doc = ruleplay::rule::toml_reader::parse(&text).map_err(|e| format!("{arg}: {e}"))?;
    doc.get("query")
        .and_then(|q| q.value.as_str())
        .map(str::to_string)
        .ok_or_else(|| format!("{arg}: no rule.query"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: bench_eql QUERY_OR_RULE_TOML EVENTS.ndjson [--repeat N]");
        std::process::exit(2);
    }
    let repeat = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(3)
        .max(1);
    let src = query_text(&args[0]).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let t0 = Instant::now();
    let text = std::fs::read_to_string(&args[1]).unwrap_or_else(|e| {
        eprintln!("{}: {e}", args[1]);
        std::process::exit(2)
    });
    let parsed = ruleplay::event::parse::parse_events(&text);
    let events = parsed.events;
    let load = t0.elapsed();
    let t1 = Instant::now();
    let q = ruleplay::eql::compile(&src).unwrap_or_else(|d| {
        eprintln!("{}", d.render(&src));
        std::process::exit(1)
    });
    let compile = t1.elapsed();
    println!(
        "events={} json_load={:.3}s compile={:.6}s",
        events.len(),
        load.as_secs_f64(),
        compile.as_secs_f64()
    );
    let mut best_match = f64::MAX;
    let mut best_run = f64::MAX;
    let mut matched = 0;
    for rep in 0..repeat {
        let t = Instant::now();
        matched = events.iter().filter(|e| q.matches(e)).count();
        let m = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let out = q.run(&events, &RunOptions::default());
        let r = t.elapsed().as_secs_f64();
        best_match = best_match.min(m);
        best_run = best_run.min(r);
        println!(
            "rep {rep}: match={m:.4}s -> {:.0} events/s, matches={matched}; run={r:.4}s (hits {} events / {} sequences)",
            events.len() as f64 / m,
            out.events.len(),
            out.sequences.len()
        );
    }
    println!(
        "BEST match-only throughput: {:.0} events/s",
        events.len() as f64 / best_match
    );
    println!(
        "BEST run throughput (sort + match): {:.0} events/s",
        events.len() as f64 / best_run
    );
    println!("matches={matched}");
}
