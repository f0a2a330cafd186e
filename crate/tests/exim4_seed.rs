//! The Exim4 seed rule (new_terms on process.executable, 14-day history) against events covering
//! every kind of verdict: matched, each kind of exclusion, case differences, missing fields,
//! array values, new-terms first sighting / repeat / after the window, and exceptions.
//!
//! The rule file is read from `../shared/seeds/`. Without `../shared` the tests fail under CI;
//! otherwise they read the copy in the repository's `rules/` (with a message).

use ruleplay::engine::{self, Lang, Loaded, RunOptions, Status};
use ruleplay::exceptions::{Entry, ExceptionItem, Operator};
use serde_json::{json, Value};
use std::path::Path;

mod common;

/// The repository's copy of the seed (the `exim4` example).
const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/exim4/rule.toml");
const RULE_ID: &str = "6eb862bb-013d-4d4f-a14b-341433ca1a1f";

fn seed_source() -> String {
    let path = common::shared(
        "exim4_seed (reading the seed; using rules/exim4/rule.toml)",
        "seeds/unusual_exim4_child_process.toml",
    );
    let path = path.as_deref().unwrap_or(Path::new(EXAMPLE));
    let src = std::fs::read_to_string(path).expect("read the Exim4 rule");
    assert!(
        src.contains(RULE_ID),
        "{} is not the Exim4 seed",
        path.display()
    );
    src
}

fn load() -> Loaded {
    engine::load(&seed_source(), Lang::Toml).expect("the seed rule loads")
}

/// A child process of `parent` named `name` running `exe`, `day` days after 2024-09-01.
fn child(day: u32, parent: Value, name: Value, exe: Value) -> Value {
    let mut ev = json!({
        "@timestamp": format!("2024-09-{:02}T10:00:00Z", day + 1),
        "host": {"os": {"type": "linux"}, "name": "mx-1"},
        "event": {"type": ["start"], "action": "exec", "category": ["process"]},
        "process": {"parent": {"name": parent}, "name": name, "executable": exe},
    });
    // Null means "leave the field out" in these fixtures.
    let p = ev["process"].as_object_mut().unwrap();
    p.retain(|_, v| !v.is_null());
    if p["parent"]["name"].is_null() {
        p.remove("parent");
    }
    ev
}

/// (event, expected status, why) — the why is the Elasticsearch reasoning for the verdict.
fn cases() -> Vec<(Value, Status, &'static str)> {
    use Status::*;
    let mut linux_caps = child(0, json!("exim4"), json!("curl"), json!("/usr/bin/curl"));
    linux_caps["host"]["os"]["type"] = json!("Linux");
    let mut ended = child(0, json!("exim4"), json!("nc"), json!("/usr/bin/nc"));
    ended["event"]["type"] = json!(["end"]);
    let mut start_and_end = child(1, json!("exim4"), json!("bash"), json!("/bin/bash"));
    start_and_end["event"]["type"] = json!(["start", "end"]);
    let dotted = json!({
        "@timestamp": "2024-09-03T10:00:00Z",
        "host.os.type": "linux",
        "event.type": "start", "event.action": "exec",
        "process.parent.name": "exim4", "process.name": "perl",
        "process": {"executable": "/usr/bin/perl"},
    });
    vec![
        (
            child(0, json!("exim4"), json!("bash"), json!("/bin/bash")),
            Alert,
            "matches; first sighting of /bin/bash",
        ),
        (
            child(0, json!("exim4"), json!("sort"), json!("/usr/bin/sort")),
            NoMatch,
            "sort is in the not-list",
        ),
        (
            child(0, json!("exim4"), json!("sshd"), json!("/usr/sbin/sshd")),
            NoMatch,
            "sshd is in the not-list",
        ),
        (
            child(
                0,
                json!("exim4"),
                json!("update-exim4.conf"),
                json!("/usr/sbin/update-exim4.conf"),
            ),
            NoMatch,
            "a not-list value with dots and a dash is one keyword term",
        ),
        (
            child(
                0,
                json!("exim4"),
                json!("start-stop-daemon"),
                json!("/sbin/start-stop-daemon"),
            ),
            NoMatch,
            "start-stop-daemon is in the not-list",
        ),
        (
            child(0, json!("EXIM4"), json!("bash"), json!("/bin/bash")),
            NoMatch,
            "process.parent.name is a keyword: case-sensitive, EXIM4 is not exim4",
        ),
        (
            child(0, json!("exim4"), json!("Sort"), json!("/usr/bin/Sort")),
            Alert,
            "keyword again: Sort is not excluded by `sort`; new executable",
        ),
        (
            child(0, Value::Null, json!("bash"), json!("/bin/bash")),
            NoMatch,
            "missing process.parent.name: the positive clause is false",
        ),
        (
            child(0, json!("exim4"), Value::Null, json!("/tmp/x")),
            Alert,
            "missing process.name: the not-list clause is false, so `not` of it is true",
        ),
        (
            child(
                0,
                json!("exim4"),
                json!(["grep", "curl"]),
                json!("/usr/bin/curl"),
            ),
            NoMatch,
            "array: one value (grep) is in the not-list, so `not` excludes the event",
        ),
        (
            linux_caps,
            NoMatch,
            "host.os.type is a keyword: Linux is not linux",
        ),
        (ended, NoMatch, "event.type is end, not start"),
        (
            start_and_end,
            Match,
            "array event.type [start, end] matches start; /bin/bash seen 1 day earlier: repeat",
        ),
        (
            dotted,
            Alert,
            "dotted keys address the same fields; /usr/bin/perl is new",
        ),
        (
            child(16, json!("exim4"), json!("bash"), json!("/bin/bash")),
            Alert,
            "/bin/bash last seen 15 days earlier: outside the 14-day window, new again",
        ),
        (
            child(17, json!("exim4"), json!("bash"), Value::Null),
            Match,
            "matches the query but has no process.executable: new_terms never alerts",
        ),
    ]
}

fn now() -> RunOptions {
    RunOptions {
        now: ruleplay::time::parse_date("2024-09-30T00:00:00Z"),
        ..Default::default()
    }
}

#[test]
fn exim4_verdicts() {
    let rule = load();
    let cases = cases();
    assert!(cases.len() >= 12);
    let events: Vec<Value> = cases.iter().map(|c| c.0.clone()).collect();
    let result = rule.run(&events, &now());
    assert_eq!(result.events.len(), cases.len(), "one verdict per event");
    let mut wrong = Vec::new();
    for (i, (v, (_, want, why))) in result.events.iter().zip(&cases).enumerate() {
        if v.status != *want {
            wrong.push(format!(
                "event {i}: expected {want:?}, got {:?} ({why}); reason: {:?}",
                v.status, v.reason
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn explanations_name_the_deciding_clause() {
    let rule = load();
    let events: Vec<Value> = cases().into_iter().map(|c| c.0).collect();
    // EXIM4 parent: the near miss is the parent-name clause, with the value it saw.
    let x = rule.explain(&events, 5, &now()).expect("explanation");
    let trace = x.trace.expect("trace");
    assert!(!trace.matched);
    assert_eq!(trace.near_miss.len(), 1, "{:?}", trace.near_miss);
    assert_eq!(
        trace.near_miss[0].field.as_deref(),
        Some("process.parent.name")
    );
    assert!(
        trace.near_miss[0].message.contains("EXIM4"),
        "{}",
        trace.near_miss[0].message
    );
    // The repeat says where the term was seen before.
    let x = rule.explain(&events, 12, &now()).expect("explanation");
    assert_eq!(x.status, Status::Match);
    assert!(
        x.reason
            .as_deref()
            .unwrap_or("")
            .contains("already seen in event #0"),
        "{:?}",
        x.reason
    );
    // Near-miss counts are reported for non-matching events.
    let r = rule.run(&events, &now());
    assert_eq!(r.events[5].misses, Some(1));
    assert_eq!(r.events[0].misses, None);
}

#[test]
fn exceptions_suppress_and_do_not_seed_history() {
    let rule = load();
    let bash = |day| child(day, json!("exim4"), json!("bash"), json!("/bin/bash"));
    let mut on_relay = bash(0);
    on_relay["host"]["name"] = json!("relay-01");
    let events = vec![on_relay, bash(1), bash(2)];
    let mut opts = now();
    opts.exceptions = vec![ExceptionItem::simple(
        "bash on relays",
        Entry::MatchAny {
            field: "host.name".into(),
            operator: Operator::Included,
            value: vec!["relay-01".into(), "relay-02".into()],
        },
    )];
    let r = rule.run(&events, &opts);
    let statuses: Vec<Status> = r.events.iter().map(|v| v.status).collect();
    // Kibana applies exceptions as a filter on the rule's searches, so the excepted first event
    // is not part of the new-terms history: the next /bin/bash is still a first sighting.
    assert_eq!(statuses, [Status::Suppressed, Status::Alert, Status::Match]);
    assert!(r.events[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("bash on relays"));
}
