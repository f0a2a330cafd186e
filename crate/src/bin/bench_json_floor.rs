//! The naive floor `scripts/bench_cli.mjs` compares `ruleplay match` with: read an NDJSON file
//! line by line and parse every line into a full `serde_json::Value` (what any tool that "just
//! parses the JSON" pays), counting the objects. A measurement, never a test.
//!
//! USAGE: bench_json_floor EVENTS.ndjson

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::BufRead;

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bench_json_floor EVENTS.ndjson");
        return std::process::ExitCode::from(2);
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let reader = std::io::BufReader::with_capacity(256 * 1024, file);
    let (mut objects, mut errors) = (0u64, 0u64);
    for line in reader.lines() {
        let Ok(line) = line else {
            errors += 1;
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(serde_json::Value::Object(_)) => objects += 1,
            _ => errors += 1,
        }
    }
    println!("objects={objects} errors={errors}");
    std::process::ExitCode::SUCCESS
}
