//! Every published Elastic detection rule loads: `../shared/corpus/detection-rules` (2,192 TOML
//! files). Skips with a message when the corpus is absent.

use ruleplay::engine::{self, Lang};
use ruleplay::rule::load_rule;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpus/detection-rules"
);

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

/// Every rule file of the corpus, sorted; `None` (with a visible SKIP) when `../shared` is absent.
fn corpus_files() -> Option<Vec<PathBuf>> {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        eprintln!("SKIP: {CORPUS} not found");
        return None;
    }
    let mut files = Vec::new();
    toml_files(root, &mut files);
    files.sort();
    Some(files)
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
                    // The recorded position must lead back to the query text in the file.
                    // The recorded position must lead back to the query text in the file: verbatim
                    // when there is no escape map, character by character otherwise.
                    let pos = rule.query_pos.as_ref().expect("query position");
                    let ok = match &pos.map {
                        None => span.text(&src) == q,
                        Some(_) => q.char_indices().all(|(i, c)| {
                            let at = &src[pos.to_file(i)..];
                            at.starts_with(c) || at.starts_with('\\') || at.starts_with("\r\n")
                        }),
                    };
                    if !ok {
                        failures.push(format!(
                            "{}: query position does not match the file",
                            f.display()
                        ));
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
                if unevaluable {
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
