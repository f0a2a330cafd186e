//! Every published Elastic detection rule loads: `../shared/corpus/detection-rules` (2,192 TOML
//! files). Skips with a message when the corpus is absent.

use ruleplay::engine::{self, Lang};
use ruleplay::rule::load_rule;
use std::collections::BTreeMap;
mod common;

/// Every rule file of the corpus, sorted; `None` (with a visible SKIP) when `../shared` is absent.
fn corpus_files() -> Option<Vec<std::path::PathBuf>> {
    let files = common::rule_files();
    if files.is_none() {
        eprintln!("SKIP: {} not found", common::DETECTION_RULES);
    }
    files
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

/// `rule::toml_reader` (the library's own TOML reader) reads every corpus file exactly as the
/// `toml` crate does — same keys, same values, same byte span for every value — so swapping the
/// crate out changed nothing a published rule can show. `toml` is a dev-dependency, only here.
#[test]
fn toml_reader_agrees_with_the_toml_crate() {
    use ruleplay::rule::toml_reader::{self, Table, Value};
    use toml::de::{DeTable, DeValue};
    use toml::Spanned;

    fn same_table(ours: &Table, theirs: &DeTable<'_>, path: &str, out: &mut Vec<String>) {
        if ours.entries.len() != theirs.len() {
            out.push(format!(
                "{path}: {} keys, toml has {}",
                ours.entries.len(),
                theirs.len()
            ));
        }
        for (k, v) in theirs {
            let key = k.get_ref().as_ref();
            match ours.get(key) {
                Some(item) => same(&item.value, item.span, v, &format!("{path}.{key}"), out),
                None => out.push(format!("{path}.{key}: missing")),
            }
        }
    }

    fn same(
        ours: &Value,
        span: ruleplay::diagnostic::Span,
        theirs: &Spanned<DeValue<'_>>,
        path: &str,
        out: &mut Vec<String>,
    ) {
        let want = theirs.span();
        let leaf = |ok: bool, out: &mut Vec<String>| {
            if !ok {
                out.push(format!(
                    "{path}: {ours:?} differs from {:?}",
                    theirs.get_ref()
                ));
            }
            if (span.start, span.end) != (want.start, want.end) {
                out.push(format!("{path}: span {span:?}, toml says {want:?}"));
            }
        };
        match (ours, theirs.get_ref()) {
            (Value::String(a), DeValue::String(b)) => leaf(a == b.as_ref(), out),
            (Value::Integer(a), DeValue::Integer(b)) => leaf(
                i64::from_str_radix(b.as_str(), b.radix()).ok() == Some(*a),
                out,
            ),
            (Value::Float(a), DeValue::Float(b)) => {
                let b: f64 = b.as_str().replace('_', "").parse().unwrap_or(f64::NAN);
                leaf(a == &b || (a.is_nan() && b.is_nan()), out)
            }
            (Value::Boolean(a), DeValue::Boolean(b)) => leaf(a == b, out),
            (Value::Datetime(a), DeValue::Datetime(b)) => leaf(*a == b.to_string(), out),
            (Value::Array(a), DeValue::Array(b)) => {
                if a.len() != b.len() {
                    out.push(format!("{path}: {} items, toml has {}", a.len(), b.len()));
                }
                for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                    same(&x.value, x.span, y, &format!("{path}[{i}]"), out);
                }
            }
            (Value::Table(a), DeValue::Table(b)) => same_table(a, b, path, out),
            _ => out.push(format!(
                "{path}: {ours:?} differs from {:?}",
                theirs.get_ref()
            )),
        }
    }

    let Some(files) = corpus_files() else { return };
    let mut failures = Vec::new();
    for f in &files {
        let src = std::fs::read_to_string(f).expect("readable rule file");
        let theirs = DeTable::parse(&src).expect("the corpus is valid TOML");
        match toml_reader::parse(&src) {
            Ok(ours) => {
                let mut diffs = Vec::new();
                same_table(&ours, theirs.get_ref(), "", &mut diffs);
                failures.extend(diffs.into_iter().map(|d| format!("{}: {d}", f.display())));
            }
            Err(d) => failures.push(format!("{}:{}", f.display(), d.render(&src))),
        }
    }
    eprintln!("{} files read identically by both readers", files.len());
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures
            .iter()
            .take(50)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
