//! `ruleplay match` over big inputs: streaming, stdin, gzip, `--only-alerts` and `--summary`.

// The CLI (and flate2, its dependency) is native only.
#![cfg(not(target_arch = "wasm32"))]

use flate2::write::GzEncoder;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_ruleplay");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run ruleplay")
}

/// `ruleplay ARGS` with `input` on its standard input.
fn run_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}

fn lines(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-stream-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

const RULE: &str = r#"[rule]
name = "curl from exim4"
type = "query"
language = "kuery"
query = "process.parent.name:exim4 and process.name:curl"
"#;

/// Event `i` of a generated input: every third one alerts.
fn event(i: usize) -> String {
    let name = if i.is_multiple_of(3) { "curl" } else { "wget" };
    format!(
        r#"{{"@timestamp":"2026-11-24T10:00:00Z","event":{{"category":"process"}},"n":{i},"process":{{"name":"{name}","parent":{{"name":"exim4"}}}}}}"#
    )
}

fn ndjson(n: usize) -> String {
    (0..n).map(|i| event(i) + "\n").collect()
}

#[test]
fn gzip_files_and_stdin_give_the_same_lines_as_a_file() {
    let dir = scratch("gzip");
    let rule = dir.join("rule.toml");
    std::fs::write(&rule, RULE).expect("write");
    let text = ndjson(50);
    let plain = dir.join("e.ndjson");
    std::fs::write(&plain, &text).expect("write");
    let gz = dir.join("e.ndjson.gz");
    let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text.as_bytes()).expect("gzip");
    std::fs::write(&gz, enc.finish().expect("gzip")).expect("write");
    let r = rule.to_string_lossy();
    let a = run(&["match", "--rule", &r, "--events", &plain.to_string_lossy()]);
    let b = run(&["match", "--rule", &r, "--events", &gz.to_string_lossy()]);
    assert!(a.status.success() && b.status.success());
    assert_eq!(lines(&a).len(), 50);
    assert_eq!(a.stdout, b.stdout);
    let c = run_with_stdin(&["match", "--rule", &r, "--events", "-"], &text);
    assert_eq!(a.stdout, c.stdout);
}

/// A stream and a whole run (the same events as one JSON array, which is read whole) agree on
/// every line, explanations included.
#[test]
fn streamed_lines_equal_a_whole_run() {
    let dir = scratch("differential");
    let items = r#"{"item_id":"i","list_id":"l","name":"n3","type":"simple","namespace_type":"single","entries":[{"field":"n","operator":"included","type":"match","value":"3"}]}"#;
    let exceptions = dir.join("x.ndjson");
    std::fs::write(&exceptions, items).expect("write");
    let stream = dir.join("e.ndjson");
    std::fs::write(&stream, ndjson(30)).expect("write");
    let array = dir.join("e.json");
    let all: Vec<String> = (0..30).map(event).collect();
    std::fs::write(&array, format!("[\n{}\n]", all.join(",\n"))).expect("write");
    for (source, explain) in [
        (["--kql", "process.name:curl and not n:27"], true),
        (["--eql", "process where process.name == \"curl\""], true),
        // Without --explain the stream parses only the fields the query reads.
        (["--kql", "process.name:curl and not n:27"], false),
        (
            ["--eql", "process where process.parent.name : \"EXIM4\""],
            false,
        ),
    ] {
        let args = |events: &Path| {
            let mut a: Vec<String> = vec!["match".into(), source[0].into(), source[1].into()];
            a.extend([
                "--events".into(),
                events.to_string_lossy().into_owned(),
                "--exceptions".into(),
                exceptions.to_string_lossy().into_owned(),
                "--now".into(),
                "2026-11-24T12:00:00Z".into(),
            ]);
            if explain {
                a.push("--explain".into());
            }
            a
        };
        let a = Command::new(BIN).args(args(&stream)).output().expect("run");
        let b = Command::new(BIN).args(args(&array)).output().expect("run");
        assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
        assert_eq!(lines(&a), lines(&b), "{source:?}");
        assert_eq!(a.stderr, b.stderr);
    }
}

#[test]
fn only_alerts_and_summary() {
    let dir = scratch("summary");
    let rule = dir.join("rule.toml");
    std::fs::write(&rule, RULE).expect("write");
    let events = dir.join("e.ndjson");
    std::fs::write(&events, ndjson(10)).expect("write");
    let (r, e) = (rule.to_string_lossy(), events.to_string_lossy());

    let only = lines(&run(&[
        "match",
        "--rule",
        &r,
        "--events",
        &e,
        "--only-alerts",
    ]));
    let idx: Vec<i64> = only.iter().filter_map(|l| l["index"].as_i64()).collect();
    assert_eq!(idx, [0, 3, 6, 9]);

    let summary = lines(&run(&["match", "--rule", &r, "--events", &e, "--summary"]));
    assert_eq!(summary.len(), 1, "the summary alone: {summary:?}");
    let s = &summary[0]["summary"];
    assert_eq!(
        (
            &s["events"],
            &s["alerts"],
            &s["matched"],
            &s["no_match"],
            &s["errors"]
        ),
        (&10.into(), &4.into(), &4.into(), &6.into(), &0.into())
    );
    assert!(s["seconds"].as_f64().is_some_and(|t| t >= 0.0));

    let both = lines(&run(&[
        "match",
        "--rule",
        &r,
        "--events",
        &e,
        "--only-alerts",
        "--summary",
    ]));
    assert_eq!(both.len(), 5);
    assert_eq!(both[4]["summary"]["alerts"], 4);

    // A bare query "alerts" on a match.
    let q = lines(&run(&[
        "match",
        "--kql",
        "n >= 8",
        "--events",
        &e,
        "--only-alerts",
    ]));
    assert_eq!(q.len(), 2);
}

/// A bad line in a stream is reported with its own line number (header and gutter) and the
/// others are still evaluated; the exit status is 1.
#[test]
fn bad_lines_in_a_stream_keep_their_line_numbers() {
    let dir = scratch("bad");
    let events = dir.join("e.ndjson");
    std::fs::write(
        &events,
        format!("{}\n\n{{\"a\": oops}}\n{}\n", event(0), event(3)),
    )
    .expect("write");
    let o = run(&[
        "match",
        "--kql",
        "process.name:curl",
        "--events",
        &events.to_string_lossy(),
        "--summary",
        "--only-alerts",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("e.ndjson:3:7: expected value"), "{err}");
    assert!(err.contains("3 | {\"a\": oops}"), "{err}");
    let out = lines(&o);
    assert_eq!(out.len(), 3);
    assert_eq!(out[2]["summary"]["errors"], 1);
    assert_eq!(out[2]["summary"]["events"], 2);
}

/// Verdicts reach a reader while the input is still open: a pipe that has sent one line gets
/// that line's verdict back before it sends the next.
#[test]
fn verdicts_are_written_as_soon_as_they_are_final() {
    let mut child = Command::new(BIN)
        .args(["match", "--kql", "process.name:curl", "--events", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    for i in 0..3 {
        writeln!(stdin, "{}", event(i)).expect("write");
        stdin.flush().expect("flush");
        let mut got = String::new();
        stdout.read_line(&mut got).expect("read");
        let v: Value = serde_json::from_str(&got).expect("json");
        assert_eq!(v["index"], i);
    }
    drop(stdin);
    assert!(child.wait().expect("wait").success());
}

/// Threshold streams too: its groups are decided at the end of the input, and the lines equal
/// those of a whole run (the same events as a JSON array).
#[test]
fn threshold_streams_and_counts_groups() {
    let dir = scratch("threshold");
    let rule = dir.join("rule.toml");
    std::fs::write(
        &rule,
        "[rule]\nname = \"t\"\ntype = \"threshold\"\nlanguage = \"kuery\"\nquery = \"process.name:*\"\n[rule.threshold]\nfield = [\"process.name\"]\nvalue = 4\n",
    )
    .expect("write");
    let stream = dir.join("e.ndjson");
    std::fs::write(&stream, ndjson(12)).expect("write");
    let array = dir.join("e.json");
    let all: Vec<String> = (0..12).map(event).collect();
    std::fs::write(&array, format!("[{}]", all.join(","))).expect("write");
    let r = rule.to_string_lossy();
    let a = run(&[
        "match",
        "--rule",
        &r,
        "--events",
        &stream.to_string_lossy(),
        "--explain",
    ]);
    let b = run(&[
        "match",
        "--rule",
        &r,
        "--events",
        &array.to_string_lossy(),
        "--explain",
    ]);
    let mut la = lines(&a);
    la.sort_by_key(|l| l["index"].as_i64());
    assert_eq!(la, lines(&b));
    // curl: 4 events (alert), wget: 8 (alert).
    let s = lines(&run(&[
        "match",
        "--rule",
        &r,
        "--events",
        &stream.to_string_lossy(),
        "--summary",
    ]));
    assert_eq!(s[0]["summary"]["groups"], 2);
    assert_eq!(s[0]["summary"]["alerts"], 12);
}

/// Sequences stream from a pipe too (the seeds' new_terms rule is covered by its own test).
#[test]
fn sequences_stream_from_a_pipe() {
    let text = format!(
        "{}\n{}\n",
        event(0),
        event(3).replace("10:00:00", "10:00:01")
    );
    let o = run_with_stdin(
        &[
            "match",
            "--eql",
            "sequence [process where process.name == \"curl\"] [process where process.name == \"curl\"]",
            "--events",
            "-",
            "--summary",
            "--only-alerts",
        ],
        &text,
    );
    let out = lines(&o);
    assert_eq!(out[0]["sequence"], serde_json::json!([0, 1]));
    assert_eq!(out[1]["summary"]["sequences"], 1);
}

/// An optional field no event, mapping or ECS knows is `null` (`eql::optional`), which only the
/// whole input can tell: NDJSON is then read whole before any verdict, and nothing matches.
#[test]
fn optional_fields_wait_for_every_event() {
    let dir = scratch("optional");
    let events = dir.join("e.ndjson");
    std::fs::write(&events, "{\"a\":1}\n{\"a\":2}\n").expect("write");
    let e = events.to_string_lossy();
    let q = r#"any where ?foo.baz != "x""#;
    let out = lines(&run(&["match", "--eql", q, "--events", &e]));
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|l| l["match"] == false), "{out:?}");
    // Once an event has the field, it is known and read per event.
    std::fs::write(&events, "{\"a\":1}\n{\"foo\":{\"baz\":\"y\"}}\n").expect("write");
    let out = lines(&run(&["match", "--eql", q, "--events", &e]));
    assert_eq!(out[1]["match"], true);
}

/// A sequence streamed (NDJSON) prints the lines of a whole run (the same events as a JSON
/// array); past `--max-open-sequences` it warns on stderr and in the summary.
#[test]
fn streamed_sequences_equal_a_whole_run_and_warn_at_the_cap() {
    let dir = scratch("sequences");
    let stream = dir.join("e.ndjson");
    let all: Vec<String> = (0..40)
        .map(|i| {
            event(i)
                .replace("10:00:00", &format!("10:00:{:02}", i))
                .replace(
                    "\"n\":",
                    &format!("\"host\":{{\"name\":\"h{}\"}},\"n\":", i % 4),
                )
        })
        .collect();
    std::fs::write(&stream, all.join("\n") + "\n").expect("write");
    let array = dir.join("e.json");
    std::fs::write(&array, format!("[{}]", all.join(","))).expect("write");
    let q = "sequence by host.name [process where process.name == \"curl\"] [process where process.name == \"wget\"]";
    let args = |events: &Path, extra: &[&str]| {
        let mut a = vec!["match", "--eql", q, "--explain", "--events"]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        a.push(events.to_string_lossy().into_owned());
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let a = Command::new(BIN)
        .args(args(&stream, &[]))
        .output()
        .expect("run");
    let b = Command::new(BIN)
        .args(args(&array, &[]))
        .output()
        .expect("run");
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let hits = lines(&a);
    assert!(hits.len() > 3, "{hits:?}");
    assert_eq!(hits, lines(&b));
    assert!(hits.iter().all(|h| h["join_keys"].is_array()));

    let capped = Command::new(BIN)
        .args(args(&stream, &["--max-open-sequences", "1", "--summary"]))
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&capped.stderr);
    assert!(
        err.contains("warning: more than 1 open partial sequences"),
        "{err}"
    );
    let out = lines(&capped);
    let s = &out[out.len() - 1]["summary"];
    assert!(
        s["warnings"][0]
            .as_str()
            .is_some_and(|w| w.contains("dropped")),
        "{s}"
    );
    assert_eq!(s["open_peak"], 1);
}
