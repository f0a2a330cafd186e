//! `--mapping FILE` (issue 13, §5), optional fields against the events (§4) and exception
//! entries on typed fields (§2), driven through the `ruleplay` binary as the audit replays them.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_ruleplay");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run ruleplay")
}

fn matches(o: &Output) -> Vec<bool> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON line"))
        .map(|v| v["match"].as_bool().unwrap_or(false) && v["status"] != "suppressed")
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-mappings-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.to_string_lossy().into_owned()
}

const MAPPING: &str = r#"{"logs-custom-default": {"mappings": {"properties": {
  "custom": {"properties": {"score": {"type": "long"}, "addr": {"type": "ip"}, "when": {"type": "date"}}},
  "host": {"properties": {"os": {"properties": {"name": {"type": "keyword",
    "fields": {"caseless": {"type": "keyword", "normalizer": "lowercase"}}}}}}}
}}}}"#;

#[test]
fn mapped_types_override_ecs_and_unknown_defaults() {
    let dir = scratch("types");
    let mapping = write(&dir, "mapping.json", MAPPING);
    let events = write(
        &dir,
        "events.ndjson",
        "{\"custom\":{\"score\":9,\"addr\":\"10.1.2.3\"}}\n{\"custom\":{\"score\":10,\"addr\":\"192.168.0.1\"}}\n",
    );
    // Unmapped, `custom.score` is a keyword: "9" > "10" as strings. Mapped as long, 9 < 10.
    let q = "custom.score > 9";
    assert_eq!(
        matches(&run(&["match", "--kql", q, "--events", &events])),
        [false, false]
    );
    assert_eq!(
        matches(&run(&[
            "match",
            "--kql",
            q,
            "--events",
            &events,
            "--mapping",
            &mapping
        ])),
        [false, true]
    );
    // An ip from the mapping takes CIDR values.
    let o = run(&[
        "match",
        "--kql",
        "custom.addr:10.0.0.0/8",
        "--events",
        &events,
        "--mapping",
        &mapping,
    ]);
    assert_eq!(matches(&o), [true, false]);
    // And the EQL verifier uses it: `:` on a long is refused, as Elasticsearch refuses it.
    let o = run(&[
        "parse",
        "--eql",
        "any where custom.score : 9",
        "--mapping",
        &mapping,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("consider using [==] instead"));
    assert_eq!(
        run(&["parse", "--eql", "any where custom.score : 9"])
            .status
            .code(),
        Some(0)
    );
    // A text field with a keyword multi-field (what dynamic mapping makes of strings) is matched
    // exactly through it in EQL (testMultiField); without one it is refused.
    let text_mapping = write(
        &dir,
        "text.json",
        r#"{"properties": {"note": {"type": "text", "fields": {"keyword": {"type": "keyword"}}}, "body": {"type": "text"}}}"#,
    );
    let notes = write(&dir, "notes.ndjson", "{\"note\":\"Hello World\"}\n");
    let o = run(&[
        "match",
        "--eql",
        r#"any where note == "Hello World""#,
        "--events",
        &notes,
        "--mapping",
        &text_mapping,
    ]);
    assert_eq!(matches(&o), [true]);
    let o = run(&[
        "parse",
        "--eql",
        r#"any where body == "x""#,
        "--mapping",
        &text_mapping,
    ]);
    assert_eq!(o.status.code(), Some(1));
    // A file with no mappings in it is an error, not ECS silently.
    let bad = write(&dir, "bad.json", "{\"nothing\": 1}");
    assert_eq!(
        run(&["parse", "--kql", "a:1", "--mapping", &bad])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn unknown_optional_fields_are_null() {
    // Analyzer: an optional field the mapping does not have is the constant null, so
    // `?foo.baz != "x"` is null and matches nothing; a field some event has is known.
    let dir = scratch("optional");
    let events = write(
        &dir,
        "events.ndjson",
        "{\"event\":{\"category\":\"process\"},\"foo\":{\"bar\":\"y\"}}\n{\"event\":{\"category\":\"process\"}}\n",
    );
    let run_eql = |q: &str| matches(&run(&["match", "--eql", q, "--events", &events]));
    assert_eq!(run_eql(r#"any where ?foo.baz != "x""#), [false, false]);
    assert_eq!(run_eql("any where ?foo.baz == null"), [true, true]);
    // foo.bar is in the events: `!=` is a must_not term query, true where the field is absent.
    assert_eq!(run_eql(r#"any where ?foo.bar != "x""#), [true, true]);
    assert_eq!(run_eql(r#"any where ?foo.bar == "y""#), [true, false]);
}

#[test]
fn exception_entries_follow_field_types() {
    let dir = scratch("exceptions");
    let mapping = write(&dir, "mapping.json", MAPPING);
    let events = write(
        &dir,
        "events.ndjson",
        "{\"@timestamp\":\"2024-05-01T10:00:00Z\",\"host\":{\"os\":{\"name\":\"Windows\",\"type\":\"windows\"}}}\n{\"@timestamp\":\"2024-05-02T10:00:00Z\",\"host\":{\"os\":{\"name\":\"Linux\"}}}\n",
    );
    // A `match` entry on a date field covers the day it names (DateFieldMapper.termQuery).
    let date_item = r#"{"list_id":"l","item_id":"i","name":"day","type":"simple","namespace_type":"single","entries":[{"field":"@timestamp","operator":"included","type":"match","value":"2024-05-01"}]}"#;
    let exc = write(&dir, "date.ndjson", &format!("{date_item}\n"));
    let o = run(&[
        "match",
        "--kql",
        "host.os.name:*",
        "--events",
        &events,
        "--exceptions",
        &exc,
    ]);
    assert_eq!(
        matches(&o),
        [true, true],
        "a bare query reports matches only"
    );
    let rule = write(
        &dir,
        "rule.toml",
        "[rule]\nname = \"r\"\ntype = \"query\"\nlanguage = \"kuery\"\nquery = \"host.os.name:*\"\nrisk_score = 1\nseverity = \"low\"\nrule_id = \"x\"\ndescription = \"d\"\n",
    );
    let status = |o: &Output| -> Vec<String> {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("JSON")["status"].to_string())
            .collect()
    };
    let o = run(&[
        "match",
        "--rule",
        &rule,
        "--events",
        &events,
        "--exceptions",
        &exc,
    ]);
    assert_eq!(
        status(&o),
        ["\"suppressed\"", "\"alert\""],
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // `os_types` reads host.os.name.caseless when the mapping has that multi-field: it is
    // host.os.name under a lowercase normalizer, so "linux" finds "Linux".
    let os_item = r#"{"list_id":"l","item_id":"j","name":"os","type":"simple","namespace_type":"single","os_types":["linux"],"entries":[{"field":"host.os.name","operator":"included","type":"wildcard","value":"*"}]}"#;
    let exc = write(&dir, "os.ndjson", &format!("{os_item}\n"));
    let o = run(&[
        "match",
        "--rule",
        &rule,
        "--events",
        &events,
        "--exceptions",
        &exc,
    ]);
    assert_eq!(status(&o), ["\"alert\"", "\"alert\""]);
    let o = run(&[
        "match",
        "--rule",
        &rule,
        "--events",
        &events,
        "--exceptions",
        &exc,
        "--mapping",
        &mapping,
    ]);
    assert_eq!(status(&o), ["\"alert\"", "\"suppressed\""]);
}
