//! Every EQL query of the Elastic detection-rules corpus must parse (issue 4, §5).

use std::path::{Path, PathBuf};

fn corpus_root() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/detection-rules"
    ))
    .into()
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
}

/// (path, query) for every `language = "eql"` rule.
fn eql_queries(root: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    toml_files(&root.join("rules"), &mut files);
    toml_files(&root.join("rules_building_block"), &mut files);
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable rule file");
        let doc: toml::Table = match toml::from_str(&text) {
            Ok(d) => d,
            Err(e) => panic!("{}: not TOML: {e}", f.display()),
        };
        let Some(rule) = doc.get("rule").and_then(|r| r.as_table()) else {
            continue;
        };
        if rule.get("language").and_then(|l| l.as_str()) != Some("eql") {
            continue;
        }
        if let Some(q) = rule.get("query").and_then(|q| q.as_str()) {
            out.push((f, q.to_string()));
        }
    }
    out
}

#[test]
fn every_corpus_eql_query_parses() {
    let root = corpus_root();
    if !root.is_dir() {
        eprintln!("SKIP: {} is absent", root.display());
        return;
    }
    let queries = eql_queries(&root);
    let mut failures = Vec::new();
    for (path, q) in &queries {
        // compile = parse + checks that need the whole query (regular expressions compile).
        if let Err(d) = ruleplay::eql::compile(q) {
            failures.push(format!(
                "{}: {}\n    near: {:?}",
                path.display(),
                d.render(q),
                &q[d.span.start.min(q.len())..(d.span.start + 40).min(q.len())]
            ));
        }
    }
    println!(
        "eql corpus: {} queries, {} parsed, {} failed",
        queries.len(),
        queries.len() - failures.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} corpus EQL queries failed to parse:\n{}",
        failures.len(),
        queries.len(),
        failures.join("\n")
    );
    assert!(
        queries.len() > 1000,
        "expected the full corpus, found {}",
        queries.len()
    );
}
