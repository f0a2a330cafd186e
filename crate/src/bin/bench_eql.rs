//! EQL throughput benchmark (run by scripts/bench_eql.sh; a measurement, never a test).
//!
//! USAGE: bench_eql QUERY_OR_RULE_TOML EVENTS.ndjson [--repeat N] [--table-only]
//! Prints JSON parse time, event-view (`EventTable`) build time, compile + bind time, match-only
//! throughput of `EqlQuery::matching_rows` over the table (the headline figure, the
//! analogue of Python eql's timed loop over its pre-built events), the same on the serde_json
//! values (`EqlQuery::matches`, for comparison), and the throughput of `EqlQuery::run` (sorting by
//! @timestamp included), best of N.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
    let doc = toml::de::DeTable::parse(&text).map_err(|e| format!("{arg}: {}", e.message()))?;
    doc.get_ref()
        .get("query")
        .and_then(|q| q.get_ref().as_str())
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
    let tt = Instant::now();
    let table = ruleplay::event::EventTable::new(&events).unwrap_or_else(|| {
        eprintln!("event view: too many values");
        std::process::exit(1)
    });
    let table_build = tt.elapsed();
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
    println!(
        "table_build={:.3}s ({} columns, {} distinct strings, ~{:.1} MB)",
        table_build.as_secs_f64(),
        table.column_count(),
        table.string_count(),
        table.heap_bytes() as f64 / 1e6
    );
    let mut best_table = f64::MAX;
    let mut best_table_run = f64::MAX;
    let mut table_matched = 0;
    let rows: Vec<usize> = (0..events.len()).collect();
    for rep in 0..repeat {
        // Binding (columns resolved, per-string caches empty) is part of every timed pass.
        let t = Instant::now();
        let b = q.bind(&table);
        table_matched = q.matching_rows(&b).iter().filter(|&&h| h).count();
        let m = t.elapsed().as_secs_f64();
        best_table = best_table.min(m);
        let t = Instant::now();
        let out = q.run_with_table(&events, Some((&table, &rows)), &RunOptions::default());
        let r = t.elapsed().as_secs_f64();
        best_table_run = best_table_run.min(r);
        println!(
            "rep {rep}: table match={m:.4}s -> {:.0} events/s ({:.1} ns/event), matches={table_matched}; table run={r:.4}s (hits {} events)",
            events.len() as f64 / m,
            m * 1e9 / events.len().max(1) as f64,
            out.events.len()
        );
    }
    println!(
        "BEST table run throughput (sort + match): {:.0} events/s",
        events.len() as f64 / best_table_run
    );
    if args.iter().any(|a| a == "--table-only") {
        // For profiling the event-view path alone.
        println!("matches={table_matched}");
        return;
    }
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
        "BEST match-only throughput: {:.0} events/s (event view; table build {:.3}s not included)",
        events.len() as f64 / best_table,
        table_build.as_secs_f64()
    );
    println!(
        "BEST serde_json match-only throughput: {:.0} events/s",
        events.len() as f64 / best_match
    );
    println!(
        "BEST run throughput (sort + match): {:.0} events/s",
        events.len() as f64 / best_run
    );
    if matched != table_matched {
        eprintln!("MISMATCH: serde_json path {matched} matches, table path {table_matched}");
        std::process::exit(1);
    }
    println!("matches={table_matched}");
}
