//! Benchmark: parse (and compile) every EQL query of the detection-rules corpus.
//! `cargo run --release --bin bench_eql_parse [CORPUS_DIR]` (default `../shared/corpus/detection-rules`
//! relative to the repository root). Prints the best of several rounds.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::Instant;

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for p in rd.flatten().map(|e| e.path()) {
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
}

fn main() {
    let root = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/corpus/detection-rules"
            ))
            .into()
        });
    let mut files = Vec::new();
    toml_files(&root.join("rules"), &mut files);
    toml_files(&root.join("rules_building_block"), &mut files);
    let mut queries = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let Ok(rule) = ruleplay::rule::load_rule(&text) else {
            continue;
        };
        if rule.language.as_deref() == Some("eql") {
            if let Some(q) = rule.query {
                queries.push(q);
            }
        }
    }
    if queries.is_empty() {
        eprintln!("no EQL queries under {}", root.display());
        std::process::exit(1);
    }
    let bytes: usize = queries.iter().map(String::len).sum();
    let mut best_parse = f64::MAX;
    let mut best_compile = f64::MAX;
    for _ in 0..10 {
        let t = Instant::now();
        let mut ok = 0;
        for q in &queries {
            ok += ruleplay::eql::parse(q).is_ok() as usize;
        }
        best_parse = best_parse.min(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(ok, queries.len(), "every corpus query parses");
        let t = Instant::now();
        for q in &queries {
            let _ = ruleplay::eql::compile(q);
        }
        best_compile = best_compile.min(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "eql corpus: {} queries, {} KB; parse {:.1} ms, parse+compile {:.1} ms (best of 10)",
        queries.len(),
        bytes / 1024,
        best_parse,
        best_compile
    );
}
