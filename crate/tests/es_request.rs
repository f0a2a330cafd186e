//! `ruleplay es`: the request Elasticsearch would run. The corpus check is independent of the
//! evaluator: every corpus KQL rule's request is JSON built only of query types Elasticsearch
//! knows, with the parameters those take (a walk of the DSL).

mod common;

use ruleplay::es::{build, kit::kit, Options};
use ruleplay::event::parse::parse_events;
use ruleplay::exceptions::toml_format::import_any;
use ruleplay::rule::load_rule;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

/// Why `q` is not a query Elasticsearch accepts, at `at`.
fn check_query(q: &Value, at: &str) -> Result<(), String> {
    let obj = q.as_object().ok_or(format!("{at}: not an object"))?;
    let [(kind, params)] = obj.iter().collect::<Vec<_>>()[..] else {
        return Err(format!("{at}: a query has one key, found {}", obj.len()));
    };
    let at = format!("{at}.{kind}");
    let p = params
        .as_object()
        .ok_or(format!("{at}: parameters are an object"))?;
    let only = |keys: &[&str]| match p.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(k) => Err(format!("{at}: unknown parameter {k}")),
        None => Ok(()),
    };
    let one_field = || match p.len() {
        1 => Ok(p.iter().next().map(|(_, v)| v).unwrap_or(&Value::Null)),
        n => Err(format!("{at}: one field expected, found {n}")),
    };
    match kind.as_str() {
        "bool" => {
            only(&[
                "must",
                "filter",
                "should",
                "must_not",
                "minimum_should_match",
            ])?;
            for k in ["must", "filter", "should", "must_not"] {
                match p.get(k) {
                    None => {}
                    Some(Value::Array(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            check_query(item, &format!("{at}.{k}[{i}]"))?;
                        }
                    }
                    Some(one) => check_query(one, &format!("{at}.{k}"))?,
                }
            }
            Ok(())
        }
        "match" | "match_phrase" => match one_field()? {
            Value::Object(o) if o.contains_key("query") => Ok(()),
            Value::Object(_) | Value::Array(_) => Err(format!("{at}: a value or {{query}}")),
            _ => Ok(()),
        },
        "term" | "wildcard" => match one_field()? {
            Value::Object(o) if o.contains_key("value") => Ok(()),
            Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(()),
            _ => Err(format!("{at}: a value or {{value}}")),
        },
        "terms" => match one_field()? {
            Value::Array(_) => Ok(()),
            _ => Err(format!("{at}: a list of values")),
        },
        "range" => match one_field()? {
            Value::Object(o)
                if !o.is_empty()
                    && o.keys().all(|k| {
                        ["gt", "gte", "lt", "lte", "time_zone", "format"].contains(&k.as_str())
                    }) =>
            {
                Ok(())
            }
            _ => Err(format!("{at}: bounds expected")),
        },
        "exists" => {
            only(&["field"])?;
            p.get("field")
                .and_then(Value::as_str)
                .map(|_| ())
                .ok_or(format!("{at}: field expected"))
        }
        "query_string" => {
            only(&["query", "fields", "analyze_wildcard", "time_zone"])?;
            p.get("query")
                .and_then(Value::as_str)
                .map(|_| ())
                .ok_or(format!("{at}: query expected"))
        }
        "multi_match" => {
            only(&["query", "type", "lenient"])?;
            match p.get("type").and_then(Value::as_str) {
                Some("best_fields" | "phrase") => Ok(()),
                _ => Err(format!("{at}: type best_fields or phrase")),
            }
        }
        "nested" => {
            only(&["path", "query", "score_mode", "ignore_unmapped"])?;
            check_query(p.get("query").unwrap_or(&Value::Null), &at)
        }
        "match_all" => only(&[]),
        other => Err(format!("{at}: unknown query type {other}")),
    }
}

fn opts() -> Options<'static> {
    Options {
        now_ms: 1_700_000_000_000,
        ..Default::default()
    }
}

#[test]
fn every_corpus_kuery_rule_gives_a_request_of_known_query_types() {
    let Some(files) = common::corpus_rule_files("es_request") else {
        return;
    };
    let (mut kuery, mut eql, mut failures) = (0, 0, Vec::new());
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let Ok(rule) = load_rule(&text) else { continue };
        let lang = rule.effective_language().unwrap_or("");
        if !["kuery", "eql"].contains(&lang) {
            continue;
        }
        for time_range in [false, true] {
            let o = Options {
                time_range,
                ..opts()
            };
            let built = match build(&rule, &o) {
                Ok(b) => b,
                Err(d) => {
                    failures.push(format!("{}: {}", file.display(), d.message));
                    continue;
                }
            };
            // Through text and back: what is printed is valid JSON.
            let r: Value =
                serde_json::from_str(&serde_json::to_string(&built.request).unwrap()).unwrap();
            let body = &r["body"];
            let checked = if lang == "kuery" {
                if !r["path"].as_str().unwrap().ends_with("/_search") {
                    failures.push(format!("{}: path {}", file.display(), r["path"]));
                }
                check_query(&body["query"], "query")
            } else {
                if body["query"] != json!(rule.query.as_deref().unwrap()) {
                    failures.push(format!("{}: EQL query not sent as written", file.display()));
                }
                check_query(&body["filter"], "filter")
            };
            if let Err(e) = checked {
                failures.push(format!("{}: {e}", file.display()));
            }
        }
        if lang == "kuery" {
            kuery += 1;
        } else {
            eql += 1;
        }
    }
    eprintln!("es corpus: {kuery} kuery and {eql} eql rules checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(kuery, 792, "the corpus has 792 kuery rules");
}

fn example(name: &str) -> ruleplay::rule::Rule {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../rules")
        .join(name)
        .join("rule.toml");
    load_rule(&std::fs::read_to_string(path).unwrap()).unwrap()
}

// build_eql_search_request.ts: the EQL as written, the filters and exceptions in
// `filter.bool.filter` (after the time range when asked for), the rule's EQL parameters.
#[test]
fn eql_request_shape() {
    let mut rule = example("eql_sequence_by_maxspan");
    rule.tiebreaker_field = Some("event.sequence".into());
    rule.event_category_override = Some("event.type".into());
    let b = build(&rule, &opts()).unwrap();
    assert_eq!(b.request.method, "GET");
    assert!(
        b.request.path.ends_with("/_eql/search"),
        "{}",
        b.request.path
    );
    let body = &b.request.body;
    assert_eq!(body["query"], json!(rule.query.clone().unwrap()));
    assert_eq!(body["size"], json!(100));
    assert_eq!(body["tiebreaker_field"], json!("event.sequence"));
    assert_eq!(body["event_category_field"], json!("event.type"));
    assert!(body.get("timestamp_field").is_none());
    let filters = body["filter"]["bool"]["filter"].as_array().unwrap();
    assert_eq!(filters.len(), 1);
    assert_eq!(
        filters[0],
        json!({"bool": {"must": [], "filter": [], "should": [], "must_not": []}})
    );
    let timed = build(
        &rule,
        &Options {
            time_range: true,
            ..opts()
        },
    )
    .unwrap();
    let filters = timed.request.body["filter"]["bool"]["filter"].clone();
    assert_eq!(
        filters[0],
        json!({"range": {"@timestamp": {"gte": rule.from.clone().unwrap_or("now-6m".into()),
            "lte": "now", "format": "strict_date_optional_time"}}})
    );
}

// build_events_query.ts `buildTimeRangeFilter`: with a timestamp override, events without it
// are windowed by @timestamp; without --time-range the query has no bounds at all.
#[test]
fn time_window_with_timestamp_override() {
    let mut rule = example("kql_exists_ranges");
    rule.timestamp_override = Some("event.ingested".into());
    rule.from = Some("now-9m".into());
    let plain = build(&rule, &opts()).unwrap().request.body;
    assert!(!plain["query"]
        .to_string()
        .contains("strict_date_optional_time"));
    let timed = build(
        &rule,
        &Options {
            time_range: true,
            ..opts()
        },
    )
    .unwrap()
    .request
    .body;
    let range = |f: &str| {
        json!({"range": {f: {"gte": "now-9m", "lte": "now",
        "format": "strict_date_optional_time"}}})
    };
    assert_eq!(
        timed["query"]["bool"]["filter"][1],
        json!({"bool": {"minimum_should_match": 1, "should": [range("event.ingested"),
            {"bool": {"filter": [range("@timestamp"),
                {"bool": {"must_not": {"exists": {"field": "event.ingested"}}}}]}}]}})
    );
    assert_eq!(timed["query"]["bool"]["filter"][0], plain["query"]);
}

// build_threshold_aggregation.ts and build_new_terms_aggregation.ts.
#[test]
fn threshold_and_new_terms_aggregations() {
    let rule = example("threshold_cardinality");
    let t = rule.threshold.clone().unwrap();
    let body = build(&rule, &opts()).unwrap().request.body;
    assert_eq!(body["size"], json!(0));
    let agg = &body["aggregations"]["thresholdTerms"];
    assert_eq!(
        agg["composite"]["sources"].as_array().unwrap().len(),
        t.field.len()
    );
    assert_eq!(
        agg["aggs"]["count_check"]["bucket_selector"]["script"],
        json!(format!("params.docCount >= {}", t.value))
    );
    assert_eq!(
        agg["aggs"]["cardinality_count"]["cardinality"]["field"],
        json!(t.cardinality[0].field)
    );

    let rule = example("new_terms_multi_field");
    let nt = rule.new_terms.clone().unwrap();
    let o = Options {
        time_range: true,
        ..opts()
    };
    let body = build(&rule, &o).unwrap().request.body;
    let agg = &body["aggregations"]["new_terms"];
    let sources: Vec<String> = agg["composite"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_object().unwrap().keys().next().unwrap().clone())
        .collect();
    assert_eq!(sources, nt.fields);
    let start = ruleplay::time::date_math(rule.from.as_deref().unwrap_or("now-6m"), o.now_ms);
    assert_eq!(
        agg["aggs"]["filtering_agg"]["bucket_selector"]["script"]["params"]["start_time"],
        json!(start.unwrap())
    );
    // The search covers the history window.
    let history = nt.history_window_start.unwrap();
    assert_eq!(
        body["query"]["bool"]["filter"][1]["range"]["@timestamp"]["gte"],
        json!(history)
    );
}

#[test]
fn machine_learning_has_no_request() {
    let mut rule = example("exim4");
    rule.rule_type = "machine_learning".into();
    let e = build(&rule, &opts()).unwrap_err();
    assert_eq!(
        e.kind,
        ruleplay::diagnostic::RuleErrorKind::NoRequest.into()
    );
}

/// The kit of the exim4 seed, as a snapshot (`UPDATE_SNAPSHOTS=1` rewrites it).
#[test]
fn exim4_kit_snapshot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/exim4");
    let rule = example("exim4");
    let events = parse_events(&std::fs::read_to_string(dir.join("events.ndjson")).unwrap());
    let text = kit(&rule, &events.events, &opts()).unwrap();
    assert_eq!(text, kit(&rule, &events.events, &opts()).unwrap());
    let snap = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/es/exim4_kit.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snap, &text).unwrap();
    }
    assert_eq!(text, std::fs::read_to_string(&snap).unwrap());
    let index = ruleplay::es::kit::scratch_index(&rule, &events.events);
    for line in [
        format!("PUT /{index}"),
        format!("POST /{index}/_bulk?refresh=true"),
        format!("GET /{index}/_search"),
        format!("DELETE /{index}"),
    ] {
        assert!(text.lines().any(|l| l == line), "{line}");
    }
    // One action line and one source line per event.
    assert_eq!(
        text.lines()
            .filter(|l| l.starts_with("{\"index\":{\"_id\":"))
            .count(),
        events.events.len()
    );
}

#[test]
fn kit_mappings_use_ecs_types() {
    let m = ruleplay::es::kit::mappings(&[
        "@timestamp".into(),
        "process.name".into(),
        "process.command_line.text".into(),
        "process.pid".into(),
        "source.ip".into(),
        "custom.thing".into(),
        "threat.enrichments.indicator.ip".into(),
    ]);
    let p = &m["properties"];
    assert_eq!(p["@timestamp"]["type"], json!("date"));
    assert_eq!(
        p["process"]["properties"]["name"],
        json!({"type": "keyword", "ignore_above": 1024})
    );
    assert_eq!(
        p["process"]["properties"]["command_line"]["fields"]["text"]["type"],
        json!("match_only_text")
    );
    assert_eq!(p["process"]["properties"]["pid"]["type"], json!("long"));
    assert_eq!(p["source"]["properties"]["ip"]["type"], json!("ip"));
    assert_eq!(p["custom"]["properties"]["thing"]["type"], json!("keyword"));
    assert_eq!(
        p["threat"]["properties"]["enrichments"]["type"],
        json!("nested")
    );
}

#[test]
fn cli_prints_one_request_with_exceptions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/exercise4_exception");
    let out = Command::new(env!("CARGO_BIN_EXE_ruleplay"))
        .args(["es", "--now", "2025-01-01T00:00:00Z", "--rule"])
        .arg(root.join("rule.toml"))
        .arg("--exceptions")
        .arg(root.join("exceptions.ndjson"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["method"], json!("GET"));
    let items = import_any(&std::fs::read_to_string(root.join("exceptions.ndjson")).unwrap()).items;
    let must_not = r["body"]["query"]["bool"]["must_not"].as_array().unwrap();
    assert_eq!(must_not.len(), 1);
    // One clause per item, or per OS and OS field for items with os_types.
    let expected: usize = items.iter().map(|i| (2 * i.os_types.len()).max(1)).sum();
    assert_eq!(
        must_not[0]["bool"]["should"].as_array().unwrap().len(),
        expected
    );
    check_query(&r["body"]["query"], "query").unwrap();

    let kit = Command::new(env!("CARGO_BIN_EXE_ruleplay"))
        .args(["es", "--kit", "--rule"])
        .arg(root.join("rule.toml"))
        .arg("--events")
        .arg(root.join("events.ndjson"))
        .output()
        .unwrap();
    assert!(kit.status.success());
    assert!(String::from_utf8_lossy(&kit.stdout).contains("_bulk?refresh=true"));
    let missing = Command::new(env!("CARGO_BIN_EXE_ruleplay"))
        .args(["es", "--kit", "--kql", "a:b"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}
