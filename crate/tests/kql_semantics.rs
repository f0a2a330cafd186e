//! KQL semantics as Elasticsearch would decide them: a table of (query, event, expected verdict).
//! Every case also checks that `explain` agrees with `matches`.

use ruleplay::diagnostic::KqlErrorKind;
use ruleplay::explain::Verdict;
use ruleplay::kql::compile;
use serde_json::{json, Value};

/// 2024-06-15T12:00:00Z, the "now" of the date cases.
const NOW: i64 = 1_718_452_800_000;

fn cases() -> Vec<(&'static str, Value, bool)> {
    let exim = json!({"host": {"os": {"type": "linux"}}, "event": {"type": ["start"], "action": "exec"},
        "process": {"name": "bash", "executable": "/usr/bin/bash", "parent": {"name": "exim4"}}});
    let long = "x".repeat(1025);
    vec![
        // --- field lookup: nested, dotted and mixed keys are one field
        ("process.name:bash", json!({"process": {"name": "bash"}}), true),
        ("process.name:bash", json!({"process.name": "bash"}), true),
        ("process.parent.name:exim4", json!({"process": {"parent.name": "exim4"}}), true),
        ("process.name:bash", json!({"process": {"name": "sh"}}), false),
        // --- arrays: any value matches, at any level
        ("process.args:-c", json!({"process": {"args": ["bash", "-c", "id"]}}), true),
        ("process.args:x", json!({"process": [{"args": "y"}, {"args": ["x"]}]}), true),
        ("process.args:z", json!({"process": {"args": ["bash", "-c"]}}), false),
        // --- missing, null and [] make positive clauses false and `not` true
        ("process.name:bash", json!({}), false),
        ("not process.name:bash", json!({}), true),
        ("not process.name:bash", json!({"process": {"name": null}}), true),
        ("not process.name:bash", json!({"process": {"name": []}}), true),
        ("process.name:*", json!({"process": {"name": null}}), false),
        ("process.name:*", json!({"process": {"name": []}}), false),
        // "" is indexed as an (empty) term: it exists, and matches ""
        ("process.name:*", json!({"process": {"name": ""}}), true),
        (r#"process.name:"""#, json!({"process": {"name": ""}}), true),
        ("not process.name:*", json!({"process": {"name": "x"}}), false),
        // Objects: `exists` on an object is true when something under it is indexed.
        ("process:*", json!({"process": {"name": "x"}}), true),
        ("process:*", json!({"process": {}}), false),
        // --- keyword: exact and case-sensitive
        ("process.name:Bash", json!({"process": {"name": "bash"}}), false),
        ("process.name:bash", json!({"process": {"name": "bash "}}), false),
        (r#"process.name:"bash""#, json!({"process": {"name": "bash"}}), true),
        // constant_keyword and wildcard types are exact too
        ("data_stream.type:logs", json!({"data_stream": {"type": "logs"}}), true),
        ("data_stream.type:Logs", json!({"data_stream": {"type": "logs"}}), false),
        ("process.command_line:*curl*", json!({"process": {"command_line": "sh -c curl x"}}), true),
        ("process.command_line:*CURL*", json!({"process": {"command_line": "sh -c curl x"}}), false),
        // --- wildcards: anchored, `*` only, any characters incl. spaces; `?` is literal
        ("process.name:ex*", json!({"process": {"name": "exim4"}}), true),
        ("process.name:*im*", json!({"process": {"name": "exim4"}}), true),
        ("process.name:im*", json!({"process": {"name": "exim4"}}), false),
        ("process.name:ex?m4", json!({"process": {"name": "exim4"}}), false),
        ("process.name:ex?m4", json!({"process": {"name": "ex?m4"}}), true),
        (r"process.name:ex\*", json!({"process": {"name": "exim4"}}), false),
        (r"process.name:ex\*", json!({"process": {"name": "ex*"}}), true),
        // a quoted `*` is literal
        (r#"process.name:"ex*""#, json!({"process": {"name": "exim4"}}), false),
        ("process.executable:/usr/*/bash", json!({"process": {"executable": "/usr/local/bin/bash"}}), true),
        // --- unquoted values with inner spaces are one value
        ("process.title:foo bar", json!({"process": {"title": "foo bar"}}), true),
        ("process.title:foo bar", json!({"process": {"title": "foo"}}), false),
        // --- keyword fields compare a JSON number by its text
        ("event.code:4624", json!({"event": {"code": 4624}}), true),
        ("event.code:4624", json!({"event": {"code": "4624"}}), true),
        ("event.code:04624", json!({"event": {"code": 4624}}), false),
        ("event.code:46*", json!({"event": {"code": 4624}}), true),
        ("labels.flag:true", json!({"labels": {"flag": true}}), true),
        // --- numeric fields: numbers or numeric strings (coerced), compared as numbers
        ("process.pid:42", json!({"process": {"pid": 42}}), true),
        ("process.pid:42", json!({"process": {"pid": "42"}}), true),
        ("process.pid:42.0", json!({"process": {"pid": 42}}), true),
        ("process.pid:43", json!({"process": {"pid": 42}}), false),
        // A non-numeric value on a long field is a query error in Elasticsearch: no hits.
        ("process.pid:abc", json!({"process": {"pid": 42}}), false),
        ("process.pid > 40", json!({"process": {"pid": 42}}), true),
        ("process.pid >= 42 and process.pid <= 42", json!({"process": {"pid": 42}}), true),
        ("process.pid < 42", json!({"process": {"pid": 42}}), false),
        // numeric, not lexicographic: 9 < 10
        ("process.pid < 10", json!({"process": {"pid": 9}}), true),
        // --- keyword ranges are lexicographic (term order)
        ("host.name > m", json!({"host": {"name": "zeta"}}), true),
        ("host.name < m", json!({"host": {"name": "alpha"}}), true),
        ("host.name < 10", json!({"host": {"name": "9"}}), false),
        // --- booleans
        ("process.interactive:true", json!({"process": {"interactive": true}}), true),
        ("process.interactive:false", json!({"process": {"interactive": true}}), false),
        ("process.interactive:true", json!({"process": {"interactive": "true"}}), true),
        // --- ip fields: addresses and CIDR
        ("source.ip:10.0.0.0/8", json!({"source": {"ip": "10.1.2.3"}}), true),
        ("source.ip:10.0.0.0/8", json!({"source": {"ip": "192.168.1.1"}}), false),
        ("source.ip:10.1.2.3", json!({"source": {"ip": "10.1.2.3"}}), true),
        (r#"source.ip:"::ffff:10.1.2.3""#, json!({"source": {"ip": "10.1.2.3"}}), true),
        ("not source.ip:(10.0.0.0/8 or 192.168.0.0/16)", json!({"source": {"ip": "8.8.8.8"}}), true),
        ("source.ip > 10.0.0.1", json!({"source": {"ip": "10.0.0.2"}}), true),
        // --- text fields are analysed: unquoted = any token (match), quoted = phrase
        ("message:hello", json!({"message": "Hello, World"}), true),
        ("message:HELLO", json!({"message": "hello world"}), true),
        ("message:hello there", json!({"message": "hello world"}), true),
        (r#"message:"hello world""#, json!({"message": "Hello  world!"}), true),
        (r#"message:"world hello""#, json!({"message": "hello world"}), false),
        ("message:hell", json!({"message": "hello world"}), false),
        // wildcards apply per token, lowercased (query_string normalises wildcard terms)
        ("message:hel*", json!({"message": "HELLO world"}), true),
        ("message:*ORL*", json!({"message": "hello world"}), true),
        ("message:hello*world", json!({"message": "hello world"}), false),
        // multi-field: `.text` reads its parent's value, analysed
        ("process.command_line.text:curl", json!({"process": {"command_line": "sh -c CURL x"}}), true),
        // --- dates: ISO text and epoch millis; `is` on a date covers the written precision
        ("@timestamp:2024-06-15", json!({"@timestamp": "2024-06-15T08:00:00Z"}), true),
        ("@timestamp:2024-06-15", json!({"@timestamp": "2024-06-16T00:00:00Z"}), false),
        ("@timestamp > now-1d", json!({"@timestamp": "2024-06-15T00:00:00Z"}), true),
        ("@timestamp > now-1d", json!({"@timestamp": "2024-06-13T00:00:00Z"}), false),
        ("@timestamp < now-1d", json!({"@timestamp": 1_700_000_000_000i64}), true),
        // `gt` rounds a date up: > 2024-06-15 means after that whole day
        ("@timestamp > 2024-06-15", json!({"@timestamp": "2024-06-15T23:00:00Z"}), false),
        ("@timestamp >= 2024-06-15", json!({"@timestamp": "2024-06-15T23:00:00Z"}), true),
        ("@timestamp <= now/d", json!({"@timestamp": "2024-06-15T23:00:00Z"}), true),
        ("@timestamp < now/d", json!({"@timestamp": "2024-06-15T01:00:00Z"}), false),
        // --- ignore_above: longer keyword values are not indexed and match nothing
        ("process.name:*", json!({"process": {"name": long.clone()}}), false),
        ("process.name:x*", json!({"process": {"name": long.clone()}}), false),
        ("not process.name:x*", json!({"process": {"name": long.clone()}}), true),
        ("process.name:x*", json!({"process": {"name": [long.clone(), "xy"]}}), true),
        // unknown fields behave as keyword, with no ignore_above
        ("custom.thing:x*", json!({"custom": {"thing": long.clone()}}), true),
        ("custom.thing:Abc", json!({"custom": {"thing": "abc"}}), false),
        // --- wildcard field names expand over the event's fields
        ("file.hash.*:abc", json!({"file": {"hash": {"md5": "x", "sha256": "abc"}}}), true),
        ("file.hash.*:abc", json!({"file": {"hash": {"md5": "x"}}}), false),
        ("file.hash.*:*", json!({"file": {"name": "x"}}), false),
        ("*:*", json!({}), true),
        ("*:exim4", json!({"a": {"b": "exim4"}}), true),
        // --- free text: any field; keyword exact, text analysed, numbers leniently
        ("exim4", json!({"process": {"parent": {"name": "exim4"}}}), true),
        ("exim", json!({"process": {"parent": {"name": "exim4"}}}), false),
        ("world", json!({"message": "Hello World"}), true),
        ("4624", json!({"event": {"code": 4624}}), true),
        ("ex*", json!({"process": {"name": "exim4"}}), true),
        (r#""hello world""#, json!({"message": "oh hello world"}), true),
        // --- empty query matches everything
        ("", json!({}), true),
        ("   ", json!({"a": 1}), true),
        // --- boolean structure and precedence: not > and > or
        ("a:1 or b:2 and c:3", json!({"a": "1"}), true),
        ("(a:1 or b:2) and c:3", json!({"a": "1"}), false),
        ("not a:1 and b:2", json!({"b": "2"}), true),
        ("a:1 OR b:2", json!({"b": "2"}), true),
        ("NOT a:1", json!({"a": "2"}), true),
        // value lists with nesting
        ("a:(x or y)", json!({"a": "y"}), true),
        ("a:(x and y)", json!({"a": ["x", "y"]}), true),
        ("a:(x and y)", json!({"a": "x"}), false),
        ("a:(x and not y)", json!({"a": "x"}), true),
        ("a:(x or (y and z))", json!({"a": ["y", "z"]}), true),
        ("a:(not (x or y))", json!({"a": "z"}), true),
        // --- escapes
        (r"a:foo\:bar", json!({"a": "foo:bar"}), true),
        (r"a:\(x\)", json!({"a": "(x)"}), true),
        (r"a:x \and y", json!({"a": "x and y"}), true),
        (r#"a:"say \"hi\"""#, json!({"a": "say \"hi\""}), true),
        (r#"a:"tab\there""#, json!({"a": "tab\there"}), true),
        (r#"a:"\u00e9""#, json!({"a": "é"}), true),
        (r"a:C\\Windows", json!({"a": r"C\Windows"}), true),
        // --- nested: the inner query must hold within one object
        ("users:{ name:alice and role:admin }", json!({"users": [{"name": "alice", "role": "user"}, {"name": "bob", "role": "admin"}]}), false),
        ("users:{ name:alice and role:admin }", json!({"users": [{"name": "bob"}, {"name": "alice", "role": "admin"}]}), true),
        ("users:{ name:alice }", json!({}), false),
        // --- the Exim4 seed
        ("host.os.type:linux and event.type:start and event.action:exec and process.parent.name:exim4 and not process.name:(exim4 or sort or sshd)", exim.clone(), true),
        ("host.os.type:linux and event.type:start and not process.name:(exim4 or bash)", exim, false),
    ]
}

#[test]
fn semantics_table() {
    let mut failures = Vec::new();
    for (i, (query, event, expected)) in cases().into_iter().enumerate() {
        let q = match compile(query) {
            Ok(q) => q,
            Err(e) => {
                failures.push(format!("#{i} {query:?}: parse error {}", e.render(query)));
                continue;
            }
        };
        let got = q.matches(&event, NOW);
        if got != expected {
            failures.push(format!(
                "#{i} {query:?} on {event}: expected {expected}, got {got}"
            ));
        }
        let trace = q.explain(&event, NOW);
        if trace.verdict.is_true() != got {
            failures.push(format!(
                "#{i} {query:?} on {event}: explain says {:?}, matches says {got}",
                trace.verdict
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn explanations_name_values_paths_and_reasons() {
    let q = compile("process.parent.name:exim4 and not process.name:(exim4 or sort)").unwrap();
    let ev = json!({"process": {"name": "sort", "parent": {"name": ["postfix", "x"]}}});
    let c = q.explain(&ev, NOW);
    assert_eq!(c.kind, "and");
    let leaf = &c.children[0];
    assert_eq!(
        (leaf.kind.as_str(), leaf.verdict),
        ("match", Verdict::False)
    );
    assert_eq!(leaf.looked[1].path, "process.parent.name[1]");
    assert_eq!(
        leaf.message.as_deref(),
        Some(r#"process.parent.name is ["postfix", "x"], not "exim4""#)
    );
    let not = &c.children[1];
    assert_eq!(not.kind, "not");
    let or = &not.children[0];
    assert_eq!(or.children[1].looked[0].pattern.as_deref(), Some("sort"));
    assert!(or.children[1].looked[0].matched);
    let src = "process.parent.name:exim4 and not process.name:(exim4 or sort)";
    assert_eq!(or.children[1].span.text(src), "sort");

    let missing = q.explain(&json!({}), NOW);
    assert_eq!(missing.children[0].verdict, Verdict::Missing);
    assert_eq!(
        missing.children[0].message.as_deref(),
        Some("process.parent.name is missing")
    );

    let long = compile("process.name:x*").unwrap();
    let c = long.explain(&json!({"process": {"name": "x".repeat(2000)}}), NOW);
    assert!(c.message.unwrap().contains("ignore_above"));

    let kinds = compile(r#"a:* and b:"q" and c:x* and d > 1 and free and e:{f:1}"#).unwrap();
    let c = kinds.explain(&json!({}), NOW);
    let got: Vec<&str> = c.children.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(
        got,
        ["exists", "phrase", "wildcard", "range", "freetext", "nested"]
    );
}

#[test]
fn trace_serializes() {
    let q = compile("a:1 or b:(2 or 3)").unwrap();
    let c = q.explain(&json!({"b": 3}), NOW);
    let s = serde_json::to_string(&ruleplay::explain::Trace::new(c)).unwrap();
    assert!(s.contains("\"matched\":true"), "{s}");
}

#[test]
fn robustness() {
    let deep = format!("{}a:b{}", "(".repeat(100_000), ")".repeat(100_000));
    let too_deep = ruleplay::diagnostic::ErrorKind::from(KqlErrorKind::TooDeep);
    assert_eq!(ruleplay::kql::parse(&deep).unwrap_err().kind, too_deep);
    let nested = format!("{}b:c{}", "a:{".repeat(100_000), "}".repeat(100_000));
    assert_eq!(ruleplay::kql::parse(&nested).unwrap_err().kind, too_deep);
    // `*a*a*…*b` against 100 KB: the wildcard matcher is linear-time.
    let pattern = format!("f:{}b", "*a".repeat(50));
    let q = compile(&pattern).unwrap();
    let ev = json!({"f": "a".repeat(100_000)});
    assert!(!q.matches(&ev, NOW));
    // Found by cargo-fuzz: date math far outside the date range overflowed instead of failing.
    for src in [
        "now-998999999y998996aor m",
        "@timestamp < now+9223372036854775807M/y",
    ] {
        let q = compile(src).unwrap();
        let ev = json!({"@timestamp": "2024-01-01T00:00:00Z"});
        assert!(!q.matches(&ev, NOW));
        assert!(!q.explain(&ev, NOW).verdict.is_true());
    }
    // Garbage never panics.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let alphabet: Vec<char> = "ab :()<>=\"\\*{}orandnot \u{a0}é".chars().collect();
    let mut compiled = 0;
    for _ in 0..20_000 {
        let len = (seed % 24) as usize;
        let mut s = String::new();
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        if let Ok(q) = compile(&s) {
            let ev = json!({"a": ["b", 1], "ab": {"a": "b"}});
            assert_eq!(
                q.matches(&ev, NOW),
                q.explain(&ev, NOW).verdict.is_true(),
                "{s}"
            );
            compiled += 1;
        }
    }
    // The agreement check above ran on a fair share of the inputs, not on none.
    assert!(compiled > 10_000, "only {compiled} of 20,000 compiled");
}
