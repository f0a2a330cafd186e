//! The Foxmail seed rule (issue 4): its query read from the rule file with the `toml` crate, run
//! against hand-written events covering every branch, and against the shared conformance events.
//! Without `../shared` the tests fail under CI; otherwise they use the embedded query and skip
//! the conformance events, with a message.

use ruleplay::eql;
use ruleplay::explain::Verdict;
use serde_json::{json, Value};

mod common;

/// The query exactly as the rule file holds it (TOML literal string: backslashes verbatim).
const QUERY: &str = r#"process where host.os.type == "windows" and event.type == "start" and
process.parent.name : "Foxmail.exe" and process.args : ("?:\\Users\\*\\AppData\\*", "\\\\*")"#;

fn seed_query() -> String {
    let Some(path) = common::shared(
        "foxmail_seed (reading the seed; using the embedded query)",
        "seeds/potential_foxmail_exploitation.toml",
    ) else {
        return QUERY.to_string();
    };
    let text = std::fs::read_to_string(&path).expect("read the seed rule");
    let doc: toml::Table = toml::from_str(&text).expect("seed rule is TOML");
    let q = doc["rule"]["query"]
        .as_str()
        .expect("rule.query")
        .trim()
        .to_string();
    assert_eq!(q, QUERY, "the seed's query changed");
    q
}

fn ev(os: &str, ty: Value, cat: Value, parent: &str, args: Value) -> Value {
    json!({"event": {"category": cat, "type": ty}, "host": {"os": {"type": os}},
           "process": {"name": "cmd.exe", "parent": {"name": parent}, "args": args}})
}

#[test]
fn patterns_after_eql_unescaping() {
    let q = eql::parse(&seed_query()).unwrap();
    let text = format!("{:?}", q);
    // `"?:\\Users\\*\\AppData\\*"` is `?:\Users\*\AppData\*`; `"\\\\*"` is `\\*`.
    assert!(
        text.contains(r#"Str("?:\\Users\\*\\AppData\\*")"#),
        "{text}"
    );
    assert!(text.contains(r#"Str("\\\\*")"#), "{text}");
}

#[test]
fn seed_rule_verdicts() {
    let q = eql::compile(&seed_query()).unwrap();
    let p = json!(["process"]);
    let s = json!(["start"]);
    let appdata = r"C:\Users\bob\AppData\Local\Temp\a.exe";
    let cases: Vec<(&str, Value, bool)> = vec![
        (
            "AppData pattern",
            ev(
                "windows",
                s.clone(),
                p.clone(),
                "Foxmail.exe",
                json!([appdata]),
            ),
            true,
        ),
        (
            "UNC pattern",
            ev(
                "windows",
                s.clone(),
                p.clone(),
                "Foxmail.exe",
                json!([r"\\10.0.0.5\share\x.dll"]),
            ),
            true,
        ),
        (
            "parent lower case (: is case-insensitive)",
            ev(
                "windows",
                s.clone(),
                p.clone(),
                "foxmail.exe",
                json!([appdata]),
            ),
            true,
        ),
        (
            "parent upper case",
            ev(
                "windows",
                s.clone(),
                p.clone(),
                "FOXMAIL.EXE",
                json!([appdata]),
            ),
            true,
        ),
        (
            "path case variant",
            ev(
                "windows",
                s.clone(),
                p.clone(),
                "Foxmail.exe",
                json!([r"c:\USERS\bob\appdata\x"]),
            ),
            true,
        ),
        (
            "? is any drive letter",
            ev(
                "windows",
                s.clone(),
                p.clone(),
                "Foxmail.exe",
                json!([r"Z:\Users\x\AppData\y"]),
            ),
            true,
        ),
        (
            "? is exactly one character",
            ev(
                "windows",
                s.clone(),
                p.clone(),
                "Foxmail.exe",
                json!([r"ZZ:\Users\x\AppData\y"]),
            ),
            false,
        ),
        (
            "near miss: no user directory",
            ev(
                "windows",
                s.clone(),
                p.clone(),
                "Foxmail.exe",
                json!([r"C:\Users\AppData\x"]),
            ),
            false,
        ),
        (
            "single backslash is not UNC",
            ev(
                "windows",
                s.clone(),
                p.clone(),
                "Foxmail.exe",
                json!([r"\share\x"]),
            ),
            false,
        ),
        (
            "wrong OS",
            ev(
                "linux",
                s.clone(),
                p.clone(),
                "Foxmail.exe",
                json!([appdata]),
            ),
            false,
        ),
        (
            "OS value is exact (==)",
            ev(
                "Windows",
                s.clone(),
                p.clone(),
                "Foxmail.exe",
                json!([appdata]),
            ),
            false,
        ),
        (
            "wrong event type",
            ev(
                "windows",
                json!(["end"]),
                p.clone(),
                "Foxmail.exe",
                json!([appdata]),
            ),
            false,
        ),
        (
            "wrong category",
            ev(
                "windows",
                s.clone(),
                json!(["file"]),
                "Foxmail.exe",
                json!([appdata]),
            ),
            false,
        ),
        (
            "category array, any element",
            ev(
                "windows",
                s.clone(),
                json!(["file", "process"]),
                "Foxmail.exe",
                json!([appdata]),
            ),
            true,
        ),
        (
            "other parent",
            ev(
                "windows",
                s.clone(),
                p.clone(),
                "Foxmail2.exe",
                json!([appdata]),
            ),
            false,
        ),
        (
            "args array: third element matches",
            ev(
                "windows",
                s.clone(),
                p.clone(),
                "Foxmail.exe",
                json!(["cmd.exe", "/c", appdata]),
            ),
            true,
        ),
        (
            "args array: none matches",
            ev(
                "windows",
                s.clone(),
                p.clone(),
                "Foxmail.exe",
                json!(["cmd.exe", "/c", "x"]),
            ),
            false,
        ),
        (
            "args as a plain string",
            ev(
                "windows",
                s.clone(),
                p.clone(),
                "Foxmail.exe",
                json!(appdata),
            ),
            true,
        ),
        (
            "dotted keys",
            json!({"event.category": "process", "event.type": "start", "host.os.type": "windows",
            "process.parent.name": "Foxmail.exe", "process.args": [appdata]}),
            true,
        ),
    ];
    let mut missing_args = ev("windows", s.clone(), p.clone(), "Foxmail.exe", json!(null));
    missing_args["process"]
        .as_object_mut()
        .unwrap()
        .remove("args");
    let mut all = cases;
    all.push(("missing args", missing_args.clone(), false));
    all.push((
        "args null",
        ev("windows", s, p, "Foxmail.exe", json!(null)),
        false,
    ));
    assert!(all.len() >= 12);
    for (name, e, want) in &all {
        assert_eq!(q.matches(e), *want, "{name}: {e}");
        let trace = q.explain(e);
        assert_eq!(trace.verdict.is_true(), *want, "{name}: explain disagrees");
    }
    // The explanation of the missing-args event names the missing field.
    let t = ruleplay::explain::Trace::new(q.explain(&missing_args));
    assert_eq!(t.near_miss.len(), 1);
    assert_eq!(t.near_miss[0].verdict, Verdict::Missing);
    assert_eq!(t.near_miss[0].message, "process.args is missing");
}

#[test]
fn near_miss_names_the_failing_clause() {
    let q = eql::compile(&seed_query()).unwrap();
    let e = ev(
        "windows",
        json!(["start"]),
        json!(["process"]),
        "postfix",
        json!([r"C:\Users\b\AppData\x"]),
    );
    let t = ruleplay::explain::Trace::new(q.explain(&e));
    assert!(!t.matched);
    assert_eq!(t.near_miss.len(), 1);
    assert_eq!(
        t.near_miss[0].message,
        r#"process.parent.name is "postfix", not "Foxmail.exe""#
    );
    let q_src = seed_query();
    let span = t.near_miss[0].span;
    assert_eq!(
        &q_src[span.start..span.end],
        r#"process.parent.name : "Foxmail.exe""#
    );
}

#[test]
fn shared_conformance_events_agree() {
    let Some(dir) = common::shared("foxmail_seed", "conformance/eql") else {
        return;
    };
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).expect(f);
    let (events, expected) = (read("foxmail_events.ndjson"), read("foxmail_expected.json"));
    let expected: Value = serde_json::from_str(&expected).unwrap();
    let q = eql::compile(expected["query"].as_str().unwrap()).unwrap();
    let parsed = ruleplay::event::parse::parse_events(&events);
    assert!(parsed.errors.is_empty());
    let want = expected["expected"].as_array().unwrap();
    assert!(!want.is_empty());
    assert_eq!(parsed.events.len(), want.len());
    for w in want {
        let i = w["index"].as_u64().unwrap() as usize;
        let m = w["match"].as_bool().unwrap();
        assert_eq!(q.matches(&parsed.events[i]), m, "event {i}: {}", w["why"]);
        assert_eq!(
            q.explain(&parsed.events[i]).verdict.is_true(),
            m,
            "event {i} explain"
        );
    }
    println!("foxmail conformance: {} events agree", want.len());
}
