//! Every published Elastic detection rule loads: `../shared/corpus/detection-rules` (2,192 TOML
//! files). When the corpus is absent: fails under CI, skips with a message otherwise.

use ruleplay::engine::{self, Lang};
use ruleplay::rule::load_rule;
use std::collections::BTreeMap;
mod common;

/// Every rule file of the corpus, sorted; `None` (a visible SKIP, or a failure under CI) when
/// `../shared` is absent.
fn corpus_files() -> Option<Vec<std::path::PathBuf>> {
    common::corpus_rule_files("rule_corpus")
}

#[test]
fn every_corpus_rule_loads() {
    let Some(files) = corpus_files() else { return };
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut with_query_span = 0;
    for f in &files {
        let src = std::fs::read_to_string(f).expect("readable rule file");
        match load_rule(&src) {
            Ok(rule) => {
                let key = format!(
                    "{}/{}",
                    rule.rule_type,
                    rule.language.as_deref().unwrap_or("-")
                );
                *by_kind.entry(key).or_default() += 1;
                if let (Some(q), Some(span)) = (&rule.query, rule.query_span) {
                    if let Err(why) = query_span_holds(&src, q, span, &rule) {
                        failures.push(format!("{}: {why}", f.display()));
                    }
                    with_query_span += 1;
                }
                if rule.rule_type == "new_terms" {
                    let nt = rule.new_terms.as_ref().expect("new_terms table");
                    assert!(!nt.fields.is_empty(), "{}", f.display());
                    assert!(nt.history_window_start.is_some(), "{}", f.display());
                }
                if rule.rule_type == "threshold" {
                    assert!(rule.threshold.is_some(), "{}", f.display());
                }
            }
            Err(d) => failures.push(format!("{}:{}", f.display(), d.render(&src))),
        }
    }
    eprintln!(
        "loaded {} rule files; {with_query_span} with a query",
        files.len()
    );
    for (k, n) in &by_kind {
        eprintln!("  {k:<28} {n}");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(files.len(), 2192, "the corpus has 2,192 files");
    assert_eq!(
        with_query_span, 2086,
        "rules with a query (all but the 106 machine-learning ones)"
    );
}

/// The recorded query span is the body of the query's TOML string in the file: between its
/// delimiters, and decoding it as that kind of string gives the query; the offset map sends each
/// character of the query to that character in the file, or to the escape that wrote it.
fn query_span_holds(
    src: &str,
    query: &str,
    span: ruleplay::diagnostic::Span,
    rule: &ruleplay::rule::Rule,
) -> Result<(), String> {
    let doc = toml::de::DeTable::parse(src).map_err(|e| e.to_string())?;
    let token = doc.get_ref()["rule"]
        .get_ref()
        .get("query")
        .ok_or("no rule.query token")?
        .span();
    if !(token.start <= span.start && span.start <= span.end && span.end <= token.end) {
        return Err(format!("query span {span:?} outside its token {token:?}"));
    }
    let (open, body, close) = (
        &src[token.start..span.start],
        &src[span.start..span.end],
        &src[span.end..token.end],
    );
    let delimiter = open.trim_end_matches(['\r', '\n']);
    if !["'", "\"", "'''", "\"\"\""].contains(&delimiter) || close != delimiter {
        return Err(format!(
            "query span does not sit between delimiters: {open:?} … {close:?}"
        ));
    }
    let wrapped = format!("q = {delimiter}{body}{close}");
    let again = toml::de::DeTable::parse(&wrapped)
        .map_err(|e| format!("the query span does not decode: {}", e.message()))?;
    if again.get_ref()["q"].get_ref().as_str() != Some(query) {
        return Err("the text at the query span decodes to another query".into());
    }
    let pos = rule.query_pos.as_ref().ok_or("no query position")?;
    let mapped = query.char_indices().all(|(i, c)| {
        let at = &src[pos.to_file(i)..];
        at.starts_with(c) || at.starts_with('\\') || at.starts_with("\r\n")
    });
    if !mapped || pos.to_file(query.len()) != span.end {
        return Err("the query's offset map does not lead back to the file".into());
    }
    Ok(())
}

/// Through the engine: no published rule is rejected for its language or rule type; the ones
/// that cannot be evaluated say so in their notes.
#[test]
fn every_corpus_rule_loads_in_the_engine() {
    let Some(files) = corpus_files() else { return };
    let mut failures = Vec::new();
    let mut noted = 0;
    for f in &files {
        let src = std::fs::read_to_string(f).expect("readable rule file");
        match engine::load(&src, Lang::Toml) {
            Ok(l) => {
                let rule = l.rule().expect("a rule");
                let unevaluable = matches!(rule.language.as_deref(), Some("esql" | "lucene"))
                    || rule.rule_type == "machine_learning";
                // An ES|QL rule the engine evaluates needs no note; one it cannot says why.
                if unevaluable && !l.is_esql() {
                    assert!(!l.notes().is_empty(), "{} needs a note", f.display());
                    noted += 1;
                }
            }
            Err(ds) => failures.push(format!("{}:{}", f.display(), ds[0].render(&src))),
        }
    }
    eprintln!(
        "{} rules loaded in the engine, {noted} flagged as not evaluable",
        files.len()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
