//! Conformance: every `language = "kuery"` query of the published detection-rules corpus parses.
//! The corpus lives outside the repository (`../shared/corpus/detection-rules`); the test skips
//! with a message when it is absent.

use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/corpus/detection-rules"
    ))
    .into()
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

/// `(file, query)` for every kuery rule in the corpus, or `None` when the corpus is absent.
pub fn kuery_queries() -> Option<Vec<(PathBuf, String)>> {
    let root = corpus_dir();
    if !root.is_dir() {
        return None;
    }
    let mut files = Vec::new();
    for sub in ["rules", "rules_building_block"] {
        toml_files(&root.join(sub), &mut files);
    }
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable rule file");
        let Ok(doc) = text.parse::<toml::Table>() else {
            continue;
        };
        let Some(rule) = doc.get("rule").and_then(|r| r.as_table()) else {
            continue;
        };
        if rule.get("language").and_then(|l| l.as_str()) != Some("kuery") {
            continue;
        }
        if let Some(q) = rule.get("query").and_then(|q| q.as_str()) {
            out.push((file, q.to_string()));
        }
    }
    Some(out)
}

#[test]
fn every_corpus_kuery_query_parses_and_compiles() {
    let Some(queries) = kuery_queries() else {
        eprintln!("SKIP: {} is absent", corpus_dir().display());
        return;
    };
    let mut failures = Vec::new();
    for (file, q) in &queries {
        if let Err(e) = ruleplay::kql::compile(q) {
            failures.push(format!("{}: {}", file.display(), e.render(q)));
        }
    }
    // Evaluation and explanation agree on every corpus query (a linux exec and a windows start).
    let events = [
        serde_json::json!({"host": {"os": {"type": "linux"}}, "event": {"category": ["process"],
            "type": ["start"], "action": "exec"}, "process": {"name": "bash", "args": ["bash", "-c", "id"],
            "parent": {"name": "exim4"}}, "user": {"name": "root"}}),
        serde_json::json!({"host.os.type": "windows", "event.category": "process", "event.type": "start",
            "process": {"name": "cmd.exe", "pe": {"original_file_name": "Cmd.Exe"}, "args": ["/c", "whoami"]},
            "winlog": {"event_id": "4624"}, "event.code": 4624}),
    ];
    for (file, q) in &queries {
        let Ok(compiled) = ruleplay::kql::compile(q) else {
            continue;
        };
        for ev in &events {
            if compiled.matches(ev, 0) != compiled.explain(ev, 0).verdict.is_true() {
                failures.push(format!(
                    "{}: matches and explain disagree on {ev}",
                    file.display()
                ));
            }
        }
    }
    eprintln!(
        "kql corpus: {} of {} kuery queries parse",
        queries.len() - failures.len(),
        queries.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        queries.len() > 700,
        "expected the whole corpus, got {}",
        queries.len()
    );
}
