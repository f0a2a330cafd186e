//! The events readers (`event::formats`): every format gives the verdicts the same events give
//! as NDJSON, on every example of `rules/` (its expected.json is the NDJSON verdicts), and the
//! CLI reads them too.

use serde_json::{json, Map, Value};
use std::path::Path;

const RULES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules");

fn events(ndjson: &str) -> Vec<Value> {
    ndjson
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("the examples' events are JSON"))
        .collect()
}

fn hit(i: usize, source: &Value) -> Value {
    json!({"_index": ".ds-logs-test", "_id": format!("id{i}"), "_score": null, "_source": source})
}

/// What Elasticsearch's `fields` option returns for a document: leaf values as arrays under
/// dotted keys (nulls and empty arrays left out).
fn fields_of(source: &Value) -> Value {
    fn walk(prefix: &str, v: &Value, out: &mut Map<String, Value>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, x, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(prefix, x, out)),
            Value::Null => {}
            leaf => {
                if let Value::Array(vals) = out
                    .entry(prefix.to_string())
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    vals.push(leaf.clone());
                }
            }
        }
    }
    let mut out = Map::new();
    walk("", source, &mut out);
    Value::Object(out)
}

/// The events written in each format, by name.
fn formats(ndjson: &str) -> Vec<(&'static str, String)> {
    let evs = events(ndjson);
    let hits: Vec<Value> = evs.iter().enumerate().map(|(i, e)| hit(i, e)).collect();
    let total = json!({"value": evs.len(), "relation": "eq"});
    let search = json!({"took": 2, "timed_out": false,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": total, "max_score": null, "hits": hits}});
    let eql = json!({"is_partial": false, "is_running": false, "took": 3, "timed_out": false,
        "hits": {"total": total, "events": hits}});
    let fields_only: Vec<Value> = evs
        .iter()
        .enumerate()
        .map(|(i, e)| json!({"_index": "i", "_id": format!("id{i}"), "fields": fields_of(e)}))
        .collect();
    let hit_lines: String = hits.iter().map(|h| format!("{h}\n")).collect();
    vec![
        (
            "_search (pretty)",
            serde_json::to_string_pretty(&search).unwrap_or_default(),
        ),
        ("_search (compact)", search.to_string()),
        (
            "_async_search",
            json!({"id": "x", "is_partial": false, "is_running": false, "response": search})
                .to_string(),
        ),
        (
            "Inspect rawResponse",
            serde_json::to_string_pretty(&json!({"rawResponse": search})).unwrap_or_default(),
        ),
        (
            "_eql/search",
            serde_json::to_string_pretty(&eql).unwrap_or_default(),
        ),
        (
            "Discover copy as JSON",
            Value::Array(hits.clone()).to_string(),
        ),
        ("hits, one per line", hit_lines),
        (
            "fields only",
            json!({"hits": {"hits": fields_only}}).to_string(),
        ),
        ("JSON array", Value::Array(evs).to_string()),
    ]
}

#[test]
fn every_format_gives_the_ndjson_verdicts_on_every_example() {
    let mut dirs: Vec<_> = std::fs::read_dir(Path::new(RULES))
        .expect("the rules/ folder exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("rule.toml").is_file())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for d in &dirs {
        let name = d.file_name().unwrap_or_default().to_string_lossy();
        let ndjson = std::fs::read_to_string(d.join("events.ndjson")).expect("events.ndjson");
        for (format, text) in formats(&ndjson) {
            let read = |f: &str| {
                if f == "events.ndjson" {
                    Ok(text.clone())
                } else {
                    std::fs::read_to_string(d.join(f))
                }
            };
            for p in ruleplay::engine::exercise::check_folder(&read) {
                failures.push(format!("{name} as {format}: {p}"));
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn explanations_name_the_hit() {
    let ndjson =
        std::fs::read_to_string(Path::new(RULES).join("exim4/events.ndjson")).expect("events");
    for (format, text) in formats(&ndjson).into_iter().take(7) {
        let e = ruleplay::event::read_events(&text);
        assert!(e.note.is_some(), "{format}");
        assert_eq!(e.origins.len(), e.events.len(), "{format}");
        assert_eq!(e.origins[2].to_string(), "hit 3 (_id id2)", "{format}");
    }
}

/// `ruleplay match` reads every format, says what it found on stderr, and gives the NDJSON
/// verdicts with the hit each event came from.
#[test]
fn the_cli_reads_every_format() {
    let bin = env!("CARGO_BIN_EXE_ruleplay");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("event-formats");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    for example in ["exim4", "new_terms_multi_field", "eql_sequence_by_maxspan"] {
        let d = Path::new(RULES).join(example);
        let ndjson = std::fs::read_to_string(d.join("events.ndjson")).expect("events");
        let rule = d.join("rule.toml");
        let run = |events: &Path| {
            std::process::Command::new(bin)
                .args(["match", "--rule"])
                .arg(&rule)
                .arg("--events")
                .arg(events)
                .output()
                .expect("run ruleplay")
        };
        // Streamed NDJSON prints verdicts as they are decided; compare them in event order.
        let lines = |o: &std::process::Output| -> Vec<Value> {
            let mut v: Vec<Value> = String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(|l| {
                    let mut v: Value = serde_json::from_str(l).expect("JSON lines");
                    if let Some(m) = v.as_object_mut() {
                        m.remove("from");
                    }
                    v
                })
                .collect();
            v.sort_by_key(|x| (x["index"].as_u64(), x.to_string()));
            v
        };
        let want = lines(&run(&d.join("events.ndjson")));
        for (i, (format, text)) in formats(&ndjson).into_iter().enumerate() {
            let path = dir.join(format!("{example}-{i}.json"));
            std::fs::write(&path, &text).expect("write");
            let out = run(&path);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{example} as {format}: {err}");
            assert_eq!(lines(&out), want, "{example} as {format}");
            if format != "JSON array" {
                assert!(err.contains("note:"), "{example} as {format}: {err}");
            }
        }
    }
}

#[test]
fn the_cli_reports_a_broken_response_where_it_breaks() {
    let bin = env!("CARGO_BIN_EXE_ruleplay");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("event-formats-broken");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join("broken.json");
    std::fs::write(
        &path,
        "{\n  \"took\": 1,\n  \"hits\": {\"hits\": [\n    {\"_id\": \"a\", \"_source\": {\"a\": 1}},\n    {\"_id\": \"b\"}\n  ]}\n}\n",
    )
    .expect("write");
    let out = std::process::Command::new(bin)
        .args(["match", "--kql", "a:1", "--events"])
        .arg(&path)
        .output()
        .expect("run ruleplay");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(":5:5: hit 2 has neither _source nor fields"),
        "{err}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}
