//! Differential test of KQL over the event view: for every kuery query of the detection-rules
//! corpus (plus hand-written edge cases), evaluating through an `EventTable`
//! (`KqlQuery::bind` + `matches_row`) must give exactly the verdict of the serde_json path
//! (`KqlQuery::matches`). The events mix hand-written shapes (dotted and nested keys, arrays,
//! arrays of objects, nulls, numbers as strings, over-long keywords, text fields, ips, dates,
//! non-ASCII) with events synthesised from each query's own field/value pairs, so most queries
//! meet values that match them. Example rules are compared end to end (with and without a table)
//! in `eql_table_diff.rs`, which covers the KQL examples too.

use ruleplay::event::prune::parse_line_pruned;
use ruleplay::event::EventTable;
use ruleplay::kql::ast::{Node, ValueExpr};
use serde_json::{json, Map, Value};

mod common;

const NOW: i64 = 1_800_000_000_000;

/// The corpus's kuery queries; `None` when the test must skip (`common::shared`).
fn kuery_queries() -> Option<Vec<String>> {
    common::corpus_queries("kql_table_diff", "kuery")
        .map(|qs| qs.into_iter().map(|(_, q)| q).collect())
}

/// Hand-written events covering the shapes the table must flatten like `FieldPath` does.
fn varied_events() -> Vec<Value> {
    let long = "x".repeat(1100);
    vec![
        json!({}),
        json!({"host.os.type": "linux", "event": {"type": ["start", "info"], "action": "exec"},
               "process": {"name": "bash", "parent": {"name": "exim4"}, "args": ["-c", null, ["id"]]}}),
        json!({"host": {"os": {"type": "windows"}}, "event.category": "process",
               "process": {"name": "powershell.exe", "executable": "C:\\Windows\\System32\\powershell.exe",
               "command_line": "powershell -enc AAAA", "args": ["-enc", "AAAA"], "pid": 4624}}),
        json!({"process": [{"name": "a"}, {"name": "cmd.exe", "args": "/c"}, null], "user": {"name": null}}),
        json!({"event": {"code": "4624"}, "winlog": {"event_id": 4624}, "process.pid": "123",
               "destination": {"port": "443"}, "source.port": 53}),
        json!({"source": {"ip": "10.1.2.3"}, "destination.ip": ["192.168.0.1", "::1", "not-an-ip"]}),
        json!({"@timestamp": "2027-01-15T08:00:00Z", "event": {"created": 1_799_990_000_000_i64}}),
        json!({"user": {"name": long.clone(), "full_name": long}, "file": {"name": "ünïcødé.txt", "path": "/tmp/ü"}}),
        json!({"message": "Hello World, failed password for root", "process.command_line": "cmd.exe /c whoami"}),
        json!({"dns": {"question": {"name": "evil.example.com"}}, "url": {"full": "http://x/y?z"}}),
        json!({"process": {"parent": {}}, "file": {"hash": {}}, "registry": {"data": {"strings": []}}}),
        json!({"process": {"code_signature": {"trusted": false, "subject_name": "Microsoft Corporation"}},
               "dll": {"code_signature": {"trusted": "true", "status": "trusted"}}}),
        json!({"event.outcome": "success", "event": {"outcome": "failure"}, "a.b": {"c": 1}, "a": {"b.c": 2}}),
        json!({"powershell": {"file": {"script_block_text": "Invoke-Mimikatz -DumpCreds; [Reflection.Assembly]::Load"}}}),
        json!({"file": {"extension": "EXE", "Ext": {"header_bytes": "4d5a"}}, "process.name": ["A", "b", 3, true, 1.5]}),
        json!({"network": {"direction": "ingress", "transport": "tcp"}, "related": {"ip": ["1.2.3.4"]}}),
        // `log.syslog.structured_data` is `flattened`: its own name reaches every leaf under it.
        json!({"log": {"syslog": {"structured_data": {"key": "x", "origin": {"ip": "y"}}}}}),
        json!({"log.syslog.structured_data": {"a": {"b": ["y", {"c": "x"}]}}}),
        json!({"log": {"syslog": {"structured_data": [{"key": {"sub": "x"}}, "z"]}}}),
        json!({"log": {"syslog.structured_data": [null, {"k": [1, "x"]}]}}),
        json!({"log": {"syslog": {"structured_data": {"k": null, "e": {}}}}}),
        json!({"log": {"syslog": {"structured_data": "x"}}}),
    ]
}

fn set(ev: &mut Map<String, Value>, field: &str, v: Value, shape: usize) {
    match shape % 3 {
        // Dotted key.
        0 => {
            let slot = ev.entry(field.to_string()).or_insert(Value::Null);
            push(slot, v);
        }
        // Nested objects, and (shape 2) an array of objects on the first segment.
        _ => {
            let mut parts = field.split('.');
            let first = parts.next().unwrap_or("");
            let rest: Vec<&str> = parts.collect();
            let mut cur = ev.entry(first.to_string()).or_insert(Value::Null);
            if rest.is_empty() {
                push(cur, v);
                return;
            }
            if shape % 3 == 2 {
                let obj = json!({rest.join("."): v});
                push(cur, obj);
                return;
            }
            for p in rest {
                if !cur.is_object() {
                    // Keep what is there next to the object.
                    if cur.is_null() {
                        *cur = json!({});
                    } else {
                        let old = cur.take();
                        *cur = json!({"": old});
                    }
                }
                cur = cur
                    .as_object_mut()
                    .expect("object")
                    .entry(p.to_string())
                    .or_insert(Value::Null);
            }
            push(cur, v);
        }
    }
}

fn push(slot: &mut Value, v: Value) {
    match slot {
        Value::Null => *slot = v,
        Value::Array(a) => a.push(v),
        other => {
            let old = other.take();
            *other = json!([old, v]);
        }
    }
}

/// `(field, value)` pairs of a query's leaves, nested prefixes included.
fn pairs(n: &Node, prefix: &str, out: &mut Vec<(String, String)>) {
    fn values(v: &ValueExpr, out: &mut Vec<String>) {
        match v {
            ValueExpr::Or { items, .. } | ValueExpr::And { items, .. } => {
                items.iter().for_each(|i| values(i, out))
            }
            ValueExpr::Not { inner, .. } => values(inner, out),
            ValueExpr::Value { value } => out.push(value.text()),
        }
    }
    match n {
        Node::Or { items, .. } | Node::And { items, .. } => {
            items.iter().for_each(|i| pairs(i, prefix, out))
        }
        Node::Not { inner, .. } => pairs(inner, prefix, out),
        Node::Field { field, value, .. } => {
            let mut vs = Vec::new();
            values(value, &mut vs);
            for v in vs {
                out.push((format!("{prefix}{}", field.text()), v));
            }
        }
        Node::Range { field, value, .. } => {
            out.push((format!("{prefix}{}", field.text()), value.text()))
        }
        Node::Nested { field, query, .. } => {
            pairs(query, &format!("{prefix}{}.", field.text()), out)
        }
        Node::FreeText { .. } => {}
    }
}

/// Events built from a query's own values: wildcards filled in, numbers sometimes as JSON
/// numbers, one shape per event (dotted, nested, array of objects).
fn synthesised(q: &str, seed: usize) -> Vec<Value> {
    let Ok(ast) = ruleplay::kql::parse(q) else {
        return Vec::new();
    };
    let Some(root) = &ast.root else {
        return Vec::new();
    };
    let mut ps = Vec::new();
    pairs(root, "", &mut ps);
    let mut out = Vec::new();
    for shape in 0..3 {
        let mut ev = Map::new();
        for (i, (f, v)) in ps.iter().enumerate() {
            if f.contains('*') || (i + seed + shape) % 5 == 4 {
                continue; // leave some fields out, so `not` and missing fields are exercised
            }
            let filled = v.replace('*', if shape == 1 { "" } else { "Zz" });
            let val = match filled.parse::<i64>() {
                Ok(n) if shape == 2 => json!(n),
                _ => json!(filled),
            };
            set(&mut ev, f, val, shape + seed);
        }
        out.push(Value::Object(ev));
    }
    out
}

fn compare(queries: &[String], events: &[Value]) -> usize {
    let table = EventTable::new(events).expect("table");
    let mut n = 0;
    for q in queries {
        // Every edge and corpus query compiles (kql_corpus.rs checks the corpus on its own).
        let c = ruleplay::kql::compile(q).unwrap_or_else(|e| panic!("`{q}`: {}", e.render(q)));
        let b = c.bind(&table);
        for (i, ev) in events.iter().enumerate() {
            assert_eq!(
                c.matches(ev, NOW),
                c.matches_row(&b, i, ev, NOW),
                "`{q}` on event {i}: {ev}"
            );
            n += 1;
        }
    }
    n
}

const EDGE_QUERIES: &[&str] = &[
    "",
    "*:*",
    "process.parent:*",
    "file.hash:*",
    "registry.data.strings:*",
    "user.name:*",
    "user.name:x*",
    "user.full_name.text:xxx*",
    "process.name:(bash or A or 3 or true or 1.5)",
    "process.name:*",
    "process.args:(\"-c\" and id)",
    "winlog.event_id:4624 and event.code:4624 and process.pid >= 100",
    "source.port < 100 or destination.port:443",
    "source.ip:10.0.0.0/8 or destination.ip:(\"::1\" or 192.168.0.0/16)",
    "destination.ip > 10.0.0.0",
    "@timestamp >= now-30d and event.created < now/d",
    "@timestamp:2027-01-15 or @timestamp > \"2027-01-15T07\"",
    "message:password and message:\"failed password\" and message:fail*",
    "process.command_line.text:whoami",
    "powershell.file.script_block_text:(Mimikatz or \"Reflection.Assembly\")",
    "file.name:ünïcødé.txt or file.path:/tmp/*",
    "process.code_signature.trusted:false and dll.code_signature.trusted:true",
    "event.outcome:(success or failure) and a.b.c:(1 or 2)",
    "process:{ name:cmd.exe and args:\"/c\" }",
    "process.*:bash or *.name:cmd.exe",
    "bash",
    "\"failed password\"",
    "file.extension:exe or file.extension:EXE or file.Ext.header_bytes:4d5a*",
    "not host.os.type:linux and not event.type:start",
    // `?` is literal in KQL (and `\?` a syntax error: only special characters escape).
    "dns.question.name:*.example.com and url.full:*?*",
    "log.syslog.structured_data:x",
    "log.syslog.structured_data:(y or 1) and not log.syslog.structured_data:z",
    "log.syslog.structured_data:x*",
    "log.syslog.structured_data:*",
    "not log.syslog.structured_data:*",
    "log.syslog.structured_data.key:x",
    "log.syslog.structured_data.key.sub:x or log.syslog.structured_data.a.b.c:x",
    "log.syslog.structured_data.key:*",
];

#[test]
fn edge_queries_agree_on_table_and_json() {
    let mut events = varied_events();
    for (i, q) in EDGE_QUERIES.iter().enumerate() {
        events.extend(synthesised(q, i));
    }
    let queries: Vec<String> = EDGE_QUERIES.iter().map(|s| s.to_string()).collect();
    let n = compare(&queries, &events);
    assert!(n > 1000, "{n}");
}

#[test]
fn corpus_queries_agree_on_table_and_json() {
    let Some(queries) = kuery_queries() else {
        return;
    };
    assert!(queries.len() > 500, "{}", queries.len());
    let mut events = varied_events();
    for (i, q) in queries.iter().enumerate() {
        events.extend(synthesised(q, i));
    }
    // Corpus queries against every event (varied + everyone's synthesised events), one table.
    let n = compare(&queries, &events);
    eprintln!(
        "{} corpus queries x {} events: {n} verdicts agree",
        queries.len(),
        events.len()
    );
    assert_eq!(n, queries.len() * events.len());
}

/// What the streaming CLI parses of each line (`event::prune`: only the fields the engine says
/// the query reads) gives every query the verdict of the full event: each corpus and edge query
/// over the varied events and the events synthesised from its own values.
#[test]
fn queries_agree_on_pruned_events() {
    let mut queries: Vec<String> = EDGE_QUERIES.iter().map(|q| q.to_string()).collect();
    queries.extend(kuery_queries().unwrap_or_default());
    let varied = varied_events();
    let (mut pruned_queries, mut verdicts) = (0, 0);
    for (i, q) in queries.iter().enumerate() {
        let c = ruleplay::kql::compile(q).unwrap_or_else(|e| panic!("`{q}`: {}", e.render(q)));
        let Some(needed) = ruleplay::engine::load(q, ruleplay::engine::Lang::Kql)
            .ok()
            .and_then(|l| l.needed_fields(&ruleplay::engine::RunOptions::default()))
        else {
            continue;
        };
        pruned_queries += 1;
        for ev in varied.iter().cloned().chain(synthesised(q, i)) {
            let pruned = parse_line_pruned(&ev.to_string(), 1, &needed)
                .expect("parses")
                .expect("event");
            assert_eq!(
                c.matches(&ev, NOW),
                c.matches(&pruned, NOW),
                "`{q}` pruned to {pruned}: {ev}"
            );
            verdicts += 1;
        }
    }
    eprintln!("{pruned_queries} queries read a known set of fields: {verdicts} verdicts agree");
    assert!(pruned_queries > EDGE_QUERIES.len() / 2);
}
