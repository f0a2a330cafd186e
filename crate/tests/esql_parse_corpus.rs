//! Every ES|QL rule of the detection-rules corpus parses; the count is pinned. A rule that does
//! not parse is listed with the parser's message, so a new failure names what it trips on.

mod common;

/// ES|QL rules in the corpus (`rules/` and `rules_building_block/`).
const ESQL_RULES: usize = 212;
/// Of those, the ones that do not parse.
const NOT_PARSING: usize = 0;
/// Commands the rules use that need a cluster (`COMPLETION` calls an inference endpoint), with
/// how many rules use each.
const NOT_EVALUABLE: &[(&str, usize)] = &[("COMPLETION", 7)];

#[test]
fn every_corpus_esql_rule_parses() {
    let Some(queries) = common::corpus_queries("every_corpus_esql_rule_parses", "esql") else {
        return;
    };
    let mut failures = Vec::new();
    let mut unsupported = std::collections::BTreeMap::<String, usize>::new();
    for (file, q) in &queries {
        match ruleplay::esql::parse(q) {
            Ok(query) => {
                for c in &query.commands {
                    if let ruleplay::esql::ast::CommandKind::Unsupported(name) = &c.kind {
                        *unsupported.entry(name.clone()).or_default() += 1;
                    }
                }
            }
            Err(ds) => failures.push(format!(
                "{}: {}",
                file.display(),
                ruleplay::esql::es_message(q, &ds[0])
            )),
        }
    }
    eprintln!(
        "{} ES|QL rules, {} do not parse; commands not evaluated offline: {unsupported:?}",
        queries.len(),
        failures.len()
    );
    for f in &failures {
        eprintln!("  {f}");
    }
    assert_eq!(queries.len(), ESQL_RULES, "ES|QL rules in the corpus");
    let unsupported: Vec<(&str, usize)> =
        unsupported.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        unsupported, NOT_EVALUABLE,
        "commands that parse but are not evaluated offline"
    );
    assert_eq!(
        failures.len(),
        NOT_PARSING,
        "ES|QL rules that do not parse:\n{}",
        failures.join("\n")
    );
}

/// Every corpus ES|QL rule passes the language half's verifier over no events (the columns it
/// mentions declared, as the rule type declares them): what stops one is a function the
/// functions half does not have yet or a command that needs a cluster, each named.
#[test]
fn every_corpus_esql_rule_verifies_or_names_what_is_missing() {
    use ruleplay::diagnostic::{ErrorKind, EsqlErrorKind};
    let Some(queries) = common::corpus_queries("every_corpus_esql_rule_verifies", "esql") else {
        return;
    };
    let opts = ruleplay::esql::Options {
        ecs_columns: true,
        ..Default::default()
    };
    let mut missing = std::collections::BTreeMap::<String, usize>::new();
    let mut wrong = Vec::new();
    let mut ok = 0;
    for (file, q) in &queries {
        let Ok(query) = ruleplay::esql::parse(q) else {
            continue;
        };
        match ruleplay::esql::evaluate(&query, &[], &opts) {
            Ok(_) => ok += 1,
            Err(d)
                if matches!(
                    d.kind,
                    ErrorKind::Esql(
                        EsqlErrorKind::UnknownFunction | EsqlErrorKind::NotEvaluableOffline
                    )
                ) =>
            {
                *missing.entry(d.message.clone()).or_default() += 1;
            }
            // What the EQL regex engine RLIKE shares does not take of Lucene's syntax, named:
            // a leading `*` (Lucene's RegExp reads it as a literal: parseSimpleExp falls through
            // to parseCharExp; tests/eql_errors.rs pins the refusal for EQL) and the `&`
            // intersection operator.
            Err(d) if d.message.starts_with("Invalid regex pattern for RLIKE") => {
                let why = d
                    .message
                    .rsplit('[')
                    .next()
                    .unwrap_or("")
                    .trim_end_matches(']');
                *missing.entry(format!("RLIKE: {why}")).or_default() += 1;
            }
            Err(d) => wrong.push(format!(
                "{}: {}",
                file.display(),
                ruleplay::esql::es_message(q, &d)
            )),
        }
    }
    eprintln!(
        "{ok} of {} corpus ES|QL rules verify; stopped by: {missing:#?}",
        queries.len()
    );
    assert!(
        wrong.is_empty(),
        "{} rule(s) fail the verifier:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
