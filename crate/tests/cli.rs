//! The `ruleplay` binary, driven as scripts and CI use it.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_ruleplay");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run ruleplay")
}

fn stdout_lines(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch folder under the target dir, fresh per test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("dir");
    }
    std::fs::write(&p, text).expect("write");
    p.to_string_lossy().into_owned()
}

const RULE: &str = r#"[metadata]
creation_date = "2026/11/23"

[rule]
name = "curl from exim4"
type = "query"
language = "kuery"
query = '''
process.parent.name:exim4 and
  process.name:curl
'''
"#;

const EVENTS: &str = r#"{"process":{"name":"curl","parent":{"name":"exim4"}}}
{"process":{"name":"wget","parent":{"name":"exim4"}}}
{"process":{"name":"curl","parent":{"name":"postfix"}}}
"#;

#[test]
fn help_exits_zero() {
    let o = run(&["--help"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("ruleplay match"));
}

#[test]
fn match_kql_prints_one_line_per_event() {
    let dir = scratch("kql");
    let ev = write(&dir, "e.ndjson", EVENTS);
    let o = run(&["match", "--kql", "process.name:curl", "--events", &ev]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = stdout_lines(&o);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0], serde_json::json!({"index": 0, "match": true}));
    assert_eq!(lines[1], serde_json::json!({"index": 1, "match": false}));
}

#[test]
fn match_rule_adds_alert_and_explain_adds_trace() {
    let dir = scratch("rule");
    let rule = write(&dir, "r.toml", RULE);
    let ev = write(&dir, "e.ndjson", EVENTS);
    let o = run(&["match", "--rule", &rule, "--events", &ev]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = stdout_lines(&o);
    let alerts: Vec<bool> = lines
        .iter()
        .map(|l| l["alert"].as_bool().unwrap())
        .collect();
    assert_eq!(alerts, [true, false, false]);
    assert_eq!(lines[0]["status"], "alert");

    let o = run(&["match", "--rule", &rule, "--events", &ev, "--explain"]);
    let lines = stdout_lines(&o);
    assert_eq!(lines[2]["trace"]["matched"], false);
    let nm = &lines[2]["trace"]["near_miss"][0];
    assert_eq!(nm["field"], "process.parent.name");
    // The clause span points into the rule file, at the value `exim4` of the failing clause.
    let start = nm["span"]["start"].as_u64().unwrap() as usize;
    let end = nm["span"]["end"].as_u64().unwrap() as usize;
    assert_eq!(&RULE[start..end], "exim4");
    // Keys keep the documented order.
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.starts_with("{\"index\":0,\"match\":true,\"alert\":true"),
        "{text}"
    );
}

/// A scratch folder with the rule, the events and `exceptions` as x.ndjson; their paths.
fn with_exceptions(name: &str, exceptions: &str) -> (PathBuf, String, String, String) {
    let dir = scratch(name);
    let rule = write(&dir, "r.toml", RULE);
    let ev = write(&dir, "e.ndjson", EVENTS);
    let exc = write(&dir, "x.ndjson", exceptions);
    (dir, rule, ev, exc)
}

/// `match --rule R --events E --exceptions X`.
fn match_args<'a>(rule: &'a str, ev: &'a str, exc: &'a str) -> [&'a str; 7] {
    ["match", "--rule", rule, "--events", ev, "--exceptions", exc]
}

#[test]
fn exceptions_file_suppresses() {
    let (_, rule, ev, exc) = with_exceptions(
        "exceptions",
        concat!(
            r#"{"list_id":"l","type":"detection","name":"L","namespace_type":"single"}"#,
            "\n",
            r#"{"list_id":"l","item_id":"i","name":"curl is fine","type":"simple","entries":[{"field":"process.name","operator":"included","type":"match","value":"curl"}]}"#,
            "\n",
            r#"{"exported_exception_list_count":1,"exported_exception_list_item_count":1}"#,
            "\n",
        ),
    );
    let o = run(&match_args(&rule, &ev, &exc));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout_lines(&o)[0]["status"], "suppressed");
}

#[test]
fn bad_event_lines_are_reported_and_the_rest_evaluated() {
    let dir = scratch("bad");
    let ev = write(&dir, "e.ndjson", "{\"a\":\"b\"}\n{oops\n\n{\"a\":\"c\"}\n");
    let o = run(&["match", "--kql", "a:c", "--events", &ev]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(":2:"), "{}", stderr(&o));
    let lines = stdout_lines(&o);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["match"], true);
}

#[test]
fn parse_reports_line_and_column() {
    assert!(run(&["parse", "--kql", "a:b and c:d"]).status.success());
    let o = run(&["parse", "--kql", "a:b and (c:d"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("1:"), "{}", stderr(&o));

    let dir = scratch("parse");
    let good = write(&dir, "good.toml", RULE);
    assert!(run(&["parse", "--rule", &good]).status.success());
    // The query error is reported at its place in the file: the end of the query text, which
    // is the start of line 11 (the query ends with a newline before the closing quotes).
    let bad = write(
        &dir,
        "bad.toml",
        &RULE.replace("process.name:curl", "process.name:(curl"),
    );
    let o = run(&["parse", "--rule", &bad]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("bad.toml:11:1: expected"), "{err}");
    // TOML syntax errors too.
    let broken = write(&dir, "broken.toml", "[rule]\nname = \"x\nquery = 'a'\n");
    let o = run(&["parse", "--rule", &broken]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("broken.toml:2:"), "{}", stderr(&o));
}

#[test]
fn unknown_options_are_errors() {
    let o = run(&["match", "--kql", "a:b", "--frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--frobnicate"));
    let o = run(&["match", "--kql", "a", "--eql", "b"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn test_command_counts_and_shows_differences() {
    let dir = scratch("examples");
    write(&dir, "good/rule.toml", RULE);
    write(&dir, "good/events.ndjson", EVENTS);
    write(
        &dir,
        "good/expected.json",
        r#"{"verdicts": ["alert", "no_match", "no_match"]}"#,
    );
    let o = run(&["test", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).contains("1 passed, 0 failed"));

    write(&dir, "bad/rule.toml", RULE);
    write(&dir, "bad/events.ndjson", EVENTS);
    write(
        &dir,
        "bad/expected.json",
        r#"{"verdicts": ["alert", "alert", "no_match"]}"#,
    );
    let o = run(&["test", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("1 passed, 1 failed"), "{out}");
    assert!(out.contains("FAIL bad"), "{out}");
    assert!(
        out.contains("event 1: expected \"alert\", got \"no_match\""),
        "{out}"
    );
}

#[test]
fn eql_event_queries_and_sequences() {
    let dir = scratch("eql");
    let ev = write(
        &dir,
        "e.ndjson",
        concat!(
            r#"{"@timestamp":"2024-01-01T00:00:00Z","event":{"category":"process"},"process":{"name":"a","pid":1}}"#,
            "\n",
            r#"{"@timestamp":"2024-01-01T00:00:01Z","event":{"category":"process"},"process":{"name":"a","pid":2}}"#,
            "\n",
            r#"{"@timestamp":"2024-01-01T00:00:02Z","event":{"category":"network"},"process":{"pid":1}}"#,
            "\n",
        ),
    );
    let o = run(&[
        "match",
        "--eql",
        r#"process where process.name == "a""#,
        "--events",
        &ev,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m: Vec<bool> = stdout_lines(&o)
        .iter()
        .map(|l| l["match"].as_bool().unwrap())
        .collect();
    assert_eq!(m, [true, true, false]);

    let q = r#"sequence by process.pid [process where process.name == "a"] [network where true]"#;
    let o = run(&["match", "--eql", q, "--events", &ev]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "{\"sequence\":[0,2]}\n");

    let o = run(&["parse", "--eql", "process where"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).starts_with("1:"), "{}", stderr(&o));
}

#[test]
fn version_and_usage_errors() {
    let o = run(&["--version"]);
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!("ruleplay {}\n", env!("CARGO_PKG_VERSION"))
    );
    // No command, no folder for `test`, options `parse` does not take: usage errors.
    assert_eq!(run(&[]).status.code(), Some(2));
    assert_eq!(run(&["test"]).status.code(), Some(2));
    assert_eq!(
        run(&["parse", "--kql", "a", "--events", "x"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["match", "--kql", "a"]).status.code(), Some(2));
    let o = run(&["match", "--kql", "a", "--events", "-", "--now", "soon"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("soon"), "{}", stderr(&o));
}

#[test]
fn errors_show_the_source_line_with_carets() {
    let o = run(&["parse", "--kql", "a:b and (c:d"]);
    assert_eq!(
        stderr(&o),
        "1:13: expected \"and\", \"or\" or \")\" but found end of query\n  |\n1 | a:b and (c:d\n  |             ^\n"
    );

    let dir = scratch("carets");
    let rule = write(
        &dir,
        "r.toml",
        "[rule]\nname = 'x'\nrisk_score = \"high\"\n",
    );
    let o = run(&["parse", "--rule", &rule]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o),
        format!(
            "{rule}:3:14: invalid rule file: rule.risk_score: expected an integer, found string\n  |\n3 | risk_score = \"high\"\n  |              ^^^^^^\n"
        )
    );
    let broken = write(&dir, "broken.toml", "[rule]\nname = \"x\nquery = 'a'\n");
    let err = stderr(&run(&["parse", "--rule", &broken]));
    assert_eq!(
        err,
        format!("{broken}:2:10: invalid rule file: invalid basic string (expected `\"`)\n  |\n2 | name = \"x\n  |          ^\n")
    );

    let ev = write(&dir, "e.ndjson", "{\"a\":\"b\"}\n{\"a\": oops}\n");
    let o = run(&["match", "--kql", "a:b", "--events", &ev]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!(
            // One position: serde_json's own " at line 1 column 7" (of the line alone) is dropped.
            "{ev}:2:7: expected value\n  |\n2 | {{\"a\": oops}}\n  |       ^\n"
        )),
        "{err}"
    );
}

#[test]
fn value_lists_apply_is_in_list_entries() {
    let (dir, rule, ev, exc) = with_exceptions(
        "value-lists",
        concat!(
            r#"{"list_id":"l","item_id":"i","name":"listed","type":"simple","entries":[{"field":"process.name","operator":"included","type":"list","list":{"id":"tools","type":"keyword"}}]}"#,
            "\n",
        ),
    );
    let list = write(&dir, "tools.txt", "wget\ncurl\n");
    let args = match_args(&rule, &ev, &exc);
    // Without the list the item is reported and not applied.
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout_lines(&o)[0]["status"], "alert");
    assert!(stderr(&o).contains("not loaded"), "{}", stderr(&o));
    // The type comes from the entry when the flag gives none.
    let flag = format!("tools={list}");
    let o = run(&[&args[..], &["--value-list", &flag]].concat());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout_lines(&o)[0]["status"], "suppressed");
    // An ip list with a line that is not an address: reported with its line, exit 1.
    let flag = format!("tools={list}:ip");
    let o = run(&[&args[..], &["--value-list", &flag]].concat());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("tools.txt:1:1:"), "{}", stderr(&o));
    let o = run(&[&args[..], &["--value-list", "nofile"]].concat());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn exceptions_command_converts_both_ways() {
    let dir = scratch("exceptions-convert");
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/exceptions_io/"
    );
    let toml_path = format!("{fixture}ssh_admin_exceptions.toml");
    let o = run(&["exceptions", "--to", "ndjson", &toml_path]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ndjson = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(stdout_lines(&o).len(), 3);
    let back = write(&dir, "back.ndjson", &ndjson);
    let o = run(&["exceptions", "--to", "toml", &back]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        std::fs::read_to_string(&toml_path).expect("fixture")
    );
    let bad = write(&dir, "bad.toml", "[[exceptions]\n");
    let o = run(&["exceptions", "--to", "ndjson", &bad]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("bad.toml:1:"), "{}", stderr(&o));
    let o = run(&["exceptions", "--to", "yaml", &bad]);
    assert_eq!(o.status.code(), Some(2));
}
