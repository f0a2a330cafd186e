//! Replays Elasticsearch's own EQL spec suite (x-pack/plugin/eql/qa, copied to
//! `../shared/conformance/eql/elasticsearch/`, see its RUNNER.md) through the core: 301 cases
//! over the test indices, with the loader transforms and request settings of the Java runner.
//! test_queries.toml cases also run against the `endgame-140-nanos` index (as
//! `EqlDateNanosSpecTestCase` does) and pass only when both runs agree with the expected ids.
//!
//! Prints one line `eql_es_suite: P passed, F failed`; fails below 290 passed, on any failure not
//! listed in `KNOWN_FAILURES`, and on any listed case that passes.

use ruleplay::eql::run::RunOptions;
use ruleplay::event::ecs::FieldType;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

mod common;

/// Cases that do not pass, with the reason. Keep in sync: an unexpected pass fails the test.
const KNOWN_FAILURES: &[(&str, &str)] = &[
    (
        "filterOnDateNanosWithNanos",
        "dates are compared in epoch milliseconds; the sub-millisecond digits of a date_nanos literal are dropped",
    ),
    (
        "filterOnDateNanosWithNanosRange",
        "dates are compared in epoch milliseconds; the sub-millisecond digits of a date_nanos literal are dropped",
    ),
    (
        "sequenceWithVersionRangeCheck",
        "`version` is an Elasticsearch `version` field (semver order); the evaluator knows ECS types only and compares it as a keyword",
    ),
    (
        "sequenceWithVersionRangeCheck2",
        "`version` is an Elasticsearch `version` field (semver order); the evaluator knows ECS types only and compares it as a keyword",
    ),
];

/// test_queries.toml cases whose nanos re-run is not expected to agree. Newer Elasticsearch
/// versions of `EqlDateNanosSpecTestCase` load only test_queries_date_nanos.toml; older ones also
/// replayed test_queries.toml. On the nanos index the FILETIME digits are read as nanoseconds,
/// so time spans are 100x shorter than on endgame-140 and a `maxspan` that cuts a sequence on one
/// index does not on the other.
const NANOS_EXEMPT: &[(&str, &str)] = &[(
    "sequencesOnDifferentEventTypes7",
    "maxspan=500ms: the 5.08 s span on endgame-140 is 50.8 ms on the nanos index",
)];

const MIN_PASSED: usize = 290;
const FILETIME_EPOCH_DIFF_MS: i64 = 11_644_473_600_000;

#[derive(Debug)]
struct Case {
    file: String,
    name: String,
    query: String,
    /// The actual ids must equal one of these (in order).
    alternatives: Vec<Vec<i64>>,
    join_keys: Vec<String>,
    size: Option<usize>,
    max_samples_per_key: Option<usize>,
}

/// The ES files write bare `null` inside `join_keys = [...]`, which TOML rejects: quote it
/// (the Java runner compares join keys as strings anyway, null as "null").
fn fix_null_join_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_keys = false;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("join_keys") {
            in_keys = true;
        }
        if in_keys {
            out.push_str(&quote_bare_null(line));
            if line.contains(']') {
                in_keys = false;
            }
        } else {
            out.push_str(line);
        }
    }
    out
}

fn quote_bare_null(line: &str) -> String {
    let b = line.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'"';
        if line[i..].starts_with("null")
            && (i == 0 || !word(b[i - 1]))
            && b.get(i + 4).is_none_or(|&c| !word(c))
        {
            out.push_str("\"null\"");
            i += 4;
        } else {
            let ch = line[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn load_cases(dir: &Path, file: &str) -> Vec<Case> {
    let text = std::fs::read_to_string(dir.join(file)).expect("read spec file");
    let doc: toml::Table = toml::from_str(&fix_null_join_keys(&text))
        .unwrap_or_else(|e| panic!("{file}: bad TOML: {e}"));
    let queries = doc
        .get("queries")
        .and_then(|q| q.as_array())
        .cloned()
        .unwrap_or_default();
    let ids = |v: &toml::Value| -> Vec<i64> {
        v.as_array()
            .map(|a| a.iter().filter_map(|x| x.as_integer()).collect())
            .unwrap_or_default()
    };
    queries
        .iter()
        .map(|q| {
            let t = q.as_table().expect("query table");
            let name = t
                .get("name")
                .or_else(|| t.get("note"))
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .trim()
                .to_string();
            let expected = t.get("expected_event_ids").expect("expected_event_ids");
            let arr = expected.as_array().cloned().unwrap_or_default();
            let alternatives = if !arr.is_empty() && arr.iter().all(|x| x.is_array()) {
                arr.iter().map(ids).collect()
            } else {
                vec![ids(expected)]
            };
            let join_keys = t
                .get("join_keys")
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .map(|k| match k {
                            toml::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            Case {
                file: file.to_string(),
                name,
                query: t["query"].as_str().expect("query").trim().to_string(),
                alternatives,
                join_keys,
                size: t
                    .get("size")
                    .and_then(|v| v.as_integer())
                    .map(|n| n as usize),
                max_samples_per_key: t
                    .get("max_samples_per_key")
                    .and_then(|v| v.as_integer())
                    .map(|n| n as usize),
            }
        })
        .collect()
}

/// An index as the Java `DataLoader` builds it: documents after the loader transform, plus
/// what the mapping does at index time (aliases, `null_value`, custom date formats).
struct Index {
    docs: Vec<Value>,
    /// Mapping types (union over the indices of a multi-index request).
    types: HashMap<String, FieldType>,
    id_field: &'static str,
    tiebreaker: Option<&'static str>,
}

#[derive(Clone, Copy, PartialEq)]
enum Transform {
    None,
    FiletimeMillis,
    FiletimeNanos,
}

fn strip_comment_lines(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn read_mapping(dir: &Path, name: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(name)).expect("read mapping");
    let body: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{name}: bad mapping JSON: {e}"))
}

/// Flatten `properties` into `dotted.name -> field mapping`.
fn flatten_mapping(props: &Map<String, Value>, prefix: &str, out: &mut HashMap<String, Value>) {
    for (k, v) in props {
        let name = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if let Some(sub) = v.get("properties").and_then(|p| p.as_object()) {
            flatten_mapping(sub, &name, out);
        } else {
            out.insert(name, v.clone());
        }
    }
}

/// Parse a date written in a Java `DateTimeFormatter` pattern of the suite (`dd-MM-yyyy`,
/// `yyyy-MM-dd`) into epoch millis.
fn parse_custom_date(value: &str, format: &str) -> Option<i64> {
    let fields: Vec<&str> = format.split('-').collect();
    let parts: Vec<&str> = value.split('-').collect();
    if fields.len() != 3 || parts.len() != 3 {
        return None;
    }
    let (mut y, mut m, mut d) = (None, None, None);
    for (f, p) in fields.iter().zip(parts) {
        match *f {
            "yyyy" => y = p.parse::<i64>().ok(),
            "MM" => m = p.parse::<u32>().ok(),
            "dd" => d = p.parse::<u32>().ok(),
            _ => return None,
        }
    }
    Some(ruleplay::time::days_from_civil(y?, m?, d?) * 86_400_000)
}

/// The type EQL sees: `[runtime_random_keyword_type]` (keyword or wildcard at random) is an exact
/// string; `text` with a keyword sub-field is matched through that sub-field.
fn field_type(m: &Value) -> Option<FieldType> {
    let ty = m.get("type")?.as_str()?;
    if ty == "alias" {
        return None;
    }
    if ty == "[runtime_random_keyword_type]" || (ty == "text" && m.get("fields").is_some()) {
        return Some(FieldType::Keyword);
    }
    FieldType::parse(ty)
}

fn apply_mapping(doc: &mut Value, fields: &HashMap<String, Value>) {
    let Some(obj) = doc.as_object_mut() else {
        return;
    };
    for (name, m) in fields {
        let ty = m.get("type").and_then(|t| t.as_str()).unwrap_or("");
        if ty == "alias" {
            if let Some(path) = m.get("path").and_then(|p| p.as_str()) {
                if let Some(v) = obj.get(path).cloned() {
                    obj.insert(name.clone(), v);
                }
            }
            continue;
        }
        // `null_value`: an explicit JSON null is indexed as that value (a missing key stays null).
        if let Some(nv) = m.get("null_value") {
            if obj.get(name).is_some_and(Value::is_null) {
                obj.insert(name.clone(), nv.clone());
            }
        }
        // Custom date formats: the suite's join keys render such dates as epoch millis.
        if ty == "date" {
            if let Some(fmt) = m.get("format").and_then(|f| f.as_str()) {
                if let Some(Value::String(s)) = obj.get(name) {
                    if let Some(ms) = parse_custom_date(s, fmt) {
                        obj.insert(name.clone(), Value::from(ms));
                    }
                }
            }
        }
    }
}

fn load_index(
    dir: &Path,
    data: &[&str],
    mapping: &[&str],
    transform: Transform,
    id_field: &'static str,
    tiebreaker: Option<&'static str>,
) -> Index {
    let mut docs = Vec::new();
    let mut types = HashMap::new();
    for (d, m) in data.iter().zip(mapping) {
        let text = std::fs::read_to_string(dir.join(d)).expect("read data");
        let mut part: Vec<Value> = serde_json::from_str(&strip_comment_lines(&text))
            .unwrap_or_else(|e| panic!("{d}: bad data JSON: {e}"));
        let mapping = read_mapping(dir, m);
        let mut fields = HashMap::new();
        if let Some(props) = mapping.get("properties").and_then(|p| p.as_object()) {
            flatten_mapping(props, "", &mut fields);
        }
        for (name, m) in &fields {
            if let Some(t) = field_type(m) {
                types.entry(name.clone()).or_insert(t);
            }
        }
        for doc in &mut part {
            match transform {
                Transform::None => {}
                Transform::FiletimeMillis => {
                    let ft = doc["timestamp"].as_i64().expect("timestamp");
                    doc["@timestamp"] = Value::from(ft / 10_000 - FILETIME_EPOCH_DIFF_MS);
                }
                Transform::FiletimeNanos => {
                    let ft = doc["timestamp"].as_i64().expect("timestamp");
                    let digits = ft.to_string();
                    let (millis, frac) = digits.split_at(digits.len().min(12));
                    doc["@timestamp"] = Value::from(if frac.chars().all(|c| c == '0') {
                        millis.to_string()
                    } else {
                        format!("{millis}.{frac}")
                    });
                    doc["timestamp"] = Value::from(ft / 1_000_000);
                }
            }
            apply_mapping(doc, &fields);
        }
        docs.extend(part);
    }
    Index {
        docs,
        types,
        id_field,
        tiebreaker,
    }
}

fn key_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

/// The request settings of a case on an index.
fn run_options(case: &Case, index: &Index) -> RunOptions {
    RunOptions {
        timestamp_field: "@timestamp".to_string(),
        tiebreaker_field: index.tiebreaker.map(str::to_string),
        size: Some(case.size.unwrap_or(50)),
        max_samples_per_key: case.max_samples_per_key,
        field_types: index.types.clone(),
    }
}

/// A sequence or sample case run as a stream (`eql::hit_stream`, events given one by one in
/// the search's order) gives the hits of the whole run: `None`, or what differs.
fn stream_differs(case: &Case, index: &Index) -> Option<String> {
    let q = ruleplay::eql::compile(&case.query).ok()?;
    if !q.streams_hits() {
        return None;
    }
    let opts = run_options(case, index);
    let whole = q.run(&index.docs, &opts).sequences;
    let mut stream = q.hit_stream(&opts, usize::MAX)?;
    let order: Vec<usize> = if matches!(q.query.body, ruleplay::eql::ast::Body::Sequence(_)) {
        ruleplay::eql::run::ordered(&index.docs, &opts)
            .iter()
            .map(|o| o.index)
            .collect()
    } else {
        (0..index.docs.len()).collect()
    };
    let mut got = Vec::new();
    for i in order {
        let seen = q.observe(&index.docs[i], &opts);
        stream.push(i, &seen, &mut |h| got.push(h)).ok()?;
    }
    stream.finish(&mut |h| got.push(h));
    (got != whole).then(|| format!("stream {got:?}\nwhole {whole:?}"))
}

/// Run one case; `Ok(())` when it agrees with the spec, otherwise what came back.
fn run_case(case: &Case, index: &Index) -> Result<(), String> {
    let q = ruleplay::eql::compile(&case.query)
        .map_err(|d| format!("compile error: {}", d.render(&case.query)))?;
    let opts = run_options(case, index);
    let out = q.run(&index.docs, &opts);
    let id = |i: usize| index.docs[i][index.id_field].as_i64().unwrap_or(i64::MIN);
    let (ids, keys): (Vec<i64>, Vec<String>) = if q.is_event_query() {
        (out.events.iter().map(|&i| id(i)).collect(), Vec::new())
    } else {
        (
            out.sequences
                .iter()
                .flat_map(|s| s.events.iter().map(|e| e.map_or(-1, id)))
                .collect(),
            out.sequences
                .iter()
                .flat_map(|s| s.join_keys.iter().map(key_string))
                .collect(),
        )
    };
    if !case.alternatives.contains(&ids) {
        return Err(format!(
            "ids {ids:?}, expected {}",
            if case.alternatives.len() == 1 {
                format!("{:?}", case.alternatives[0])
            } else {
                format!("one of {:?}", case.alternatives)
            }
        ));
    }
    if !case.join_keys.is_empty() && case.join_keys != keys {
        return Err(format!("join keys {keys:?}, expected {:?}", case.join_keys));
    }
    Ok(())
}

#[test]
fn eql_es_suite() {
    let Some(dir) = common::shared("eql_es_suite", "conformance/eql/elasticsearch") else {
        return;
    };
    let endgame = load_index(
        &dir,
        &["endgame-140.data"],
        &["endgame-140.mapping"],
        Transform::FiletimeMillis,
        "serial_event_id",
        Some("serial_event_id"),
    );
    let nanos = load_index(
        &dir,
        &["endgame-140.data"],
        &["endgame-140-nanos.mapping"],
        Transform::FiletimeNanos,
        "serial_event_id",
        Some("serial_event_id"),
    );
    let extra = load_index(
        &dir,
        &["extra.data"],
        &["extra.mapping"],
        Transform::None,
        "sequence",
        Some("sequence"),
    );
    let missing = load_index(
        &dir,
        &["missing-events.data"],
        &["missing-events.mapping"],
        Transform::None,
        "sequence",
        Some("sequence"),
    );
    let sample = load_index(
        &dir,
        &["sample1.data", "sample2.data", "sample3.data"],
        &["sample1.mapping", "sample2.mapping", "sample3.mapping"],
        Transform::None,
        "id",
        None,
    );
    let sample_multi = load_index(
        &dir,
        &["sample-multi.data"],
        &["sample-multi.mapping"],
        Transform::None,
        "id",
        None,
    );
    // file -> (index, and the nanos index for test_queries.toml)
    let suites: [(&str, &Index, Option<&Index>); 8] = [
        ("test_queries.toml", &endgame, Some(&nanos)),
        ("additional_test_queries.toml", &endgame, None),
        ("test_queries_date.toml", &endgame, None),
        ("test_queries_date_nanos.toml", &nanos, None),
        ("test_extra.toml", &extra, None),
        ("test_missing_events.toml", &missing, None),
        ("test_sample.toml", &sample, None),
        ("test_sample_multi.toml", &sample_multi, None),
    ];
    let known: HashMap<&str, &str> = KNOWN_FAILURES.iter().copied().collect();
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut problems = Vec::new();
    let mut total = 0;
    let (mut stream_diffs, mut streamed) = (Vec::new(), 0);
    for (file, index, also) in suites {
        for case in load_cases(&dir, file) {
            total += 1;
            if let Some(d) = stream_differs(&case, index) {
                stream_diffs.push(format!("{}::{}: {d}", case.file, case.name));
            }
            streamed +=
                usize::from(ruleplay::eql::compile(&case.query).is_ok_and(|q| q.streams_hits()));
            let mut result = run_case(&case, index);
            let nanos_exempt = NANOS_EXEMPT.iter().any(|(n, _)| *n == case.name);
            if let (Ok(()), Some(nx), false) = (&result, also, nanos_exempt) {
                result = run_case(&case, nx).map_err(|e| format!("on the nanos index: {e}"));
            }
            let label = format!("{}::{}", case.file, case.name);
            match (result, known.get(case.name.as_str())) {
                (Ok(()), None) => passed += 1,
                (Ok(()), Some(_)) => {
                    passed += 1;
                    problems.push(format!(
                        "{label}: passes but is listed in KNOWN_FAILURES (remove it)"
                    ));
                }
                (Err(e), Some(_)) => {
                    failed += 1;
                    eprintln!("known failure {label}: {e}");
                }
                (Err(e), None) => {
                    failed += 1;
                    problems.push(format!("{label}: {e}\n    query: {}", case.query));
                }
            }
        }
    }
    println!("eql_es_suite: {passed} passed, {failed} failed");
    println!(
        "eql_es_suite: {streamed} cases also streamed, {} differ",
        stream_diffs.len()
    );
    assert!(stream_diffs.is_empty(), "{}", stream_diffs.join("\n"));
    for p in &problems {
        eprintln!("UNEXPECTED {p}");
    }
    assert_eq!(total, 301, "the suite holds 301 cases");
    assert!(
        problems.is_empty(),
        "{} unexpected results (see above)",
        problems.len()
    );
    assert!(
        passed >= MIN_PASSED,
        "only {passed} passed (need {MIN_PASSED})"
    );
}
