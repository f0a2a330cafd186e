//! Every EQL query of the Elastic detection-rules corpus must parse (issue 4, §5).

mod common;

#[test]
fn every_corpus_eql_query_parses() {
    let Some(queries) = common::corpus_queries("eql_parse_corpus", "eql") else {
        return;
    };
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
    assert_eq!(queries.len(), 1081, "the corpus has 1,081 EQL queries");
}
