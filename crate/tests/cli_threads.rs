//! `ruleplay match --threads N`: the output is the same bytes (stdout, stderr, exit status)
//! whatever N, from a file and from a pipe, for every rule type that streams.

// The CLI is native only.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_ruleplay");

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-threads-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// `ruleplay ARGS`, fed `stdin` through a pipe when given.
fn run(args: &[String], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut pipe = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        // Written from another thread: the child writes verdicts while it reads.
        let text = text.to_string();
        std::thread::spawn(move || {
            let _ = pipe.write_all(text.as_bytes());
        });
    } else {
        drop(pipe);
    }
    child.wait_with_output().expect("wait")
}

/// Event `i`: names and hosts cycle, times go forward with a little disorder, and a few lines
/// are blank or not JSON.
fn line(i: usize) -> String {
    if i % 997 == 5 {
        return "{\"broken\": \n".into();
    }
    if i % 501 == 7 {
        return "\n".into();
    }
    let names = ["curl", "wget", "sh", "nc", "python"];
    let name = names[(i * 7) % names.len()];
    let host = format!("h{}", (i * 13) % 37);
    let secs = i * 10 + (i % 4) * 3;
    format!(
        "{{\"@timestamp\":{},\"event\":{{\"category\":\"process\",\"type\":[\"start\"]}},\"n\":{i},\"host\":{{\"name\":\"{host}\"}},\"process\":{{\"name\":\"{name}\",\"args\":[\"{name}\",\"-x\",\"{}\"],\"parent\":{{\"name\":\"exim4\"}}}},\"user\":{{\"name\":\"u{}\"}},\"pad\":\"{}\"}}\n",
        1_700_000_000_000u64 + secs as u64 * 1000,
        i % 11,
        i % 5,
        "x".repeat(i % 200),
    )
}

const NEW_TERMS: &str = r#"[rule]
name = "nt"
type = "new_terms"
language = "kuery"
query = "process.parent.name:exim4"
[rule.new_terms]
field = "new_terms_fields"
value = ["host.name", "process.name"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-1h"
"#;

const THRESHOLD: &str = r#"[rule]
name = "t"
type = "threshold"
language = "kuery"
query = "process.name:(curl or sh)"
[rule.threshold]
field = ["host.name"]
value = 40
"#;

#[test]
fn every_thread_count_gives_the_same_bytes() {
    let dir = scratch("same");
    // About 0.6 MB: several chunks of a file read, many more of a pipe.
    let text: String = (0..2_500).map(line).collect();
    let events = dir.join("e.ndjson");
    std::fs::write(&events, &text).expect("write");
    let nt = dir.join("nt.toml");
    std::fs::write(&nt, NEW_TERMS).expect("write");
    let th = dir.join("th.toml");
    std::fs::write(&th, THRESHOLD).expect("write");
    let items = r#"{"item_id":"i","list_id":"l","name":"no nc","type":"simple","namespace_type":"single","entries":[{"field":"process.name","operator":"included","type":"match","value":"nc"}]}"#;
    let exceptions = dir.join("x.ndjson");
    std::fs::write(&exceptions, items).expect("write");
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let cases: Vec<Vec<String>> = vec![
        vec![
            "--kql".into(),
            "process.name:(curl or nc) and not n:3*".into(),
        ],
        vec![
            "--eql".into(),
            "process where process.name in (\"sh\", \"nc\") and user.name != \"u3\"".into(),
            "--explain".into(),
        ],
        vec![
            "--rule".into(),
            s(&nt),
            "--now".into(),
            "2023-11-15T00:00:00Z".into(),
        ],
        vec![
            "--rule".into(),
            s(&nt),
            "--reorder-window".into(),
            "1".into(),
        ],
        vec![
            "--rule".into(),
            s(&th),
            "--summary".into(),
            "--only-alerts".into(),
        ],
    ];
    for case in cases {
        for from_pipe in [false, true] {
            let args = |threads: usize| {
                let mut a: Vec<String> = vec!["match".into()];
                a.extend(case.iter().cloned());
                a.extend([
                    "--events".into(),
                    if from_pipe { "-".into() } else { s(&events) },
                    "--exceptions".into(),
                    s(&exceptions),
                    "--threads".into(),
                    threads.to_string(),
                ]);
                a
            };
            let input = from_pipe.then_some(text.as_str());
            let one = run(&args(1), input);
            assert!(!one.stdout.is_empty(), "{case:?}");
            {
                let threads = 3;
                let many = run(&args(threads), input);
                let what = format!("{case:?} pipe={from_pipe} threads={threads}");
                // `--summary` ends with the run's seconds: compare without them.
                let cut = |o: &[u8]| {
                    let t = String::from_utf8_lossy(o).into_owned();
                    match t.find("\"seconds\"") {
                        Some(p) => t[..p].to_string(),
                        None => t,
                    }
                };
                assert_eq!(cut(&one.stdout), cut(&many.stdout), "{what}");
                assert_eq!(one.stderr, many.stderr, "{what}");
                assert_eq!(one.status.code(), many.status.code(), "{what}");
            }
        }
    }
}
