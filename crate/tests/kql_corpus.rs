//! Conformance: every `language = "kuery"` query of the published detection-rules corpus parses.
//! The corpus lives outside the repository (`../shared/corpus/detection-rules`); when it is absent
//! the test fails under CI and skips with a message otherwise (`common::shared`).

mod common;

#[test]
fn every_corpus_kuery_query_parses_and_compiles() {
    let Some(queries) = common::corpus_queries("kql_corpus", "kuery") else {
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
    assert_eq!(queries.len(), 792, "the corpus has 792 kuery queries");
}
