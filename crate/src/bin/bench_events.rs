//! The event source of `scripts/bench_cli.mjs`'s long pipe runs: writes the lines of a template
//! NDJSON file (made by `gen_events.py`) over and over to stdout until BYTES are written, each
//! line's `"@timestamp"` rewritten to one second after the previous line's, so that the stream is
//! in time order however long it runs (the generator's own times wrap every 14 hours). Python
//! writes about 10 MB/s on the bench machine; this writes the 10 GB run at the pace `ruleplay`
//! reads it. A measurement tool, never a test.
//!
//! USAGE: bench_events TEMPLATE.ndjson BYTES | ruleplay match --events - …

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

/// 2024-09-01T10:00:00Z, the generator's first event.
const START_MS: i64 = 1_725_184_800_000;
const KEY: &str = "\"@timestamp\":\"";

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(Ok(limit))) = (args.get(1), args.get(2).map(|b| b.parse::<u64>())) else {
        eprintln!("usage: bench_events TEMPLATE.ndjson BYTES");
        return std::process::ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        eprintln!("{path}: no lines");
        return std::process::ExitCode::from(2);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut written: u64 = 0;
    let mut i: i64 = 0;
    while written < limit {
        for line in &lines {
            let shown = ruleplay::time::format_millis(START_MS + i * 1000);
            i += 1;
            let mut len = line.len() as u64 + 1;
            let r = match line.find(KEY) {
                // The template's times are `YYYY-MM-DDTHH:MM:SSZ` (20 bytes).
                Some(p) if line.len() >= p + KEY.len() + 20 => {
                    let at = p + KEY.len();
                    len = len + shown.len() as u64 - 20;
                    out.write_all(&line.as_bytes()[..at])
                        .and_then(|()| out.write_all(shown.as_bytes()))
                        .and_then(|()| out.write_all(&line.as_bytes()[at + 20..]))
                }
                _ => out.write_all(line.as_bytes()),
            }
            .and_then(|()| out.write_all(b"\n"));
            if r.is_err() {
                // The reader went away.
                return std::process::ExitCode::SUCCESS;
            }
            written += len;
            if written >= limit {
                break;
            }
        }
    }
    let _ = out.flush();
    std::process::ExitCode::SUCCESS
}
