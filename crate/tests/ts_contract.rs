//! The TypeScript shapes in `crate/src/wasm_types.d.ts` (what `npm test` type-checks the page
//! against) say what the serde types serialize to: every key a value has is declared, and every
//! required declared key is there. A field renamed in Rust fails here, before the page.

use ruleplay::engine::{Lang, Session};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const TYPES: &str = include_str!("../src/wasm_types.d.ts");

/// One interface: its top-level property names (with whether they are optional) and whether it
/// takes any other key (`[extra: string]: unknown`).
#[derive(Debug)]
struct Shape {
    props: BTreeMap<String, bool>,
    open: bool,
}

fn interfaces() -> BTreeMap<String, Shape> {
    let mut out = BTreeMap::new();
    let mut rest = TYPES;
    while let Some(at) = rest.find("export interface ") {
        rest = &rest[at + "export interface ".len()..];
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric()).collect();
        let open_brace = rest.find('{').expect("an interface body");
        // The body up to its matching brace, keeping only depth-1 text.
        let (mut depth, mut top, mut end) = (0, String::new(), 0);
        for (i, c) in rest[open_brace..].char_indices() {
            match c {
                '{' | '[' | '(' | '<' => depth += 1,
                '}' | ']' | ')' | '>' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = open_brace + i;
                break;
            }
            if depth == 1 && c != '{' {
                top.push(c);
            } else if depth == 2 && c == '[' {
                top.push('[');
            }
        }
        let body = &rest[open_brace..end];
        let mut props = BTreeMap::new();
        for part in top.split([';', '\n']) {
            let part = part.trim();
            let part = part.rsplit("*/").next().unwrap_or(part).trim();
            if let Some((key, _)) = part.split_once(':') {
                let key = key.trim();
                let (key, optional) = match key.strip_suffix('?') {
                    Some(k) => (k, true),
                    None => (key, false),
                };
                if !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_') {
                    props.insert(key.to_string(), optional);
                }
            }
        }
        let open = body.contains("[extra: string]: unknown");
        out.insert(name, Shape { props, open });
        rest = &rest[end..];
    }
    out
}

fn check(shapes: &BTreeMap<String, Shape>, name: &str, value: &Value) {
    let shape = shapes
        .get(name)
        .unwrap_or_else(|| panic!("no interface {name} in wasm_types.d.ts"));
    let obj = value
        .as_object()
        .unwrap_or_else(|| panic!("{name}: {value}"));
    for key in obj.keys() {
        assert!(
            shape.open || shape.props.contains_key(key),
            "{name} has no field {key:?} in wasm_types.d.ts (the value: {value})"
        );
    }
    for (key, optional) in &shape.props {
        assert!(
            *optional || obj.contains_key(key),
            "{name}.{key} is declared required but the value has none: {value}"
        );
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("serializable")
}

#[test]
fn the_declared_shapes_are_what_serde_writes() {
    let shapes = interfaces();
    assert!(shapes.len() >= 20, "{:?}", shapes.keys());

    let mut s = Session::new();
    let rule = r#"
[metadata]
creation_date = "2024/01/01"
[rule]
name = "n"
description = "d"
rule_id = "id"
type = "threshold"
language = "kuery"
query = "user.name:* and not host.name:x"
risk_score = 21
severity = "low"
tags = ["t"]
[[rule.threat]]
framework = "MITRE ATT&CK"
[rule.threat.tactic]
id = "TA0001"
name = "Initial Access"
reference = "https://attack.mitre.org/tactics/TA0001/"
[rule.threshold]
field = ["user.name"]
value = 2
"#;
    s.set_rule(rule.into(), Lang::Toml).unwrap();
    check(&shapes, "Rule", &to_value(s.rule().unwrap()));
    check(
        &shapes,
        "MitreRef",
        &to_value(&s.rule().unwrap().threat[0].tactic),
    );
    check(&shapes, "Span", &to_value(&s.query_span().unwrap()));
    let es = to_value(&s.es_request(true).unwrap().unwrap());
    check(&shapes, "EsBuilt", &es);
    check(&shapes, "EsRequest", &es["request"]);
    let lists = s.exclusions();
    check(&shapes, "ExclusionList", &to_value(&lists[0]));
    check(&shapes, "ExclusionItem", &to_value(&lists[0].items[0]));

    let events = "{\"user\":{\"name\":\"a\"},\"host\":{\"name\":\"x\"}}\n{\"user\":{\"name\":\"a\"}}\n{\"user\":{\"name\":\"a\"}}\n{bad\n";
    let report = s.set_events(events.into());
    check(&shapes, "EventsReport", &to_value(&report));
    check(&shapes, "EventError", &to_value(&report.errors[0]));

    let x = s.set_exceptions(concat!(
        r#"{"name":"e","type":"simple","entries":[{"field":"user.name","operator":"included","type":"match","value":"zz"}],"os_types":[]}"#,
        "\n"
    ));
    assert_eq!(x.errors, []);
    check(&shapes, "ExceptionsReport", &to_value(&x));
    let m = s.set_mappings(r#"{"properties": {"a": {"type": "ip"}}}"#);
    check(&shapes, "MappingsReport", &to_value(&m));
    check(&shapes, "MappingsReport", &to_value(&s.set_mappings("{}")));
    s.set_mappings("");
    check(&shapes, "ExceptionItem", &to_value(&x.items[0]));
    let mut ws = Session::new();
    ws.set_events("{\"user\":{\"name\":\"a\"}}\n".into());
    ws.set_exceptions(r#"{"name":"w","entries":[{"field":"user.name","type":"match","value":"a*"},{"field":"user.nme","type":"exists"}]}"#);
    let warnings = to_value(&ws.exception_warnings());
    assert_eq!(warnings.as_array().map(Vec::len), Some(2), "{warnings}");
    for w in warnings.as_array().into_iter().flatten() {
        check(&shapes, "ExceptionWarning", w);
    }

    let r = s.evaluate().unwrap();
    let mut eval = to_value(&r);
    // What the wasm layer adds beside the serde fields: the typed arrays and the time.
    for key in ["status", "misses", "ms"] {
        eval[key] = json!(0);
    }
    check(&shapes, "Evaluation", &eval);
    check(&shapes, "Counts", &eval["counts"]);
    check(&shapes, "ThresholdGroup", &to_value(&r.groups[0]));

    s.near_misses().unwrap();
    check(&shapes, "Row", &to_value(&s.rows(&[0])[0]));
    let x = to_value(&s.explain(0).unwrap());
    check(&shapes, "Explanation", &x);
    check(&shapes, "Clause", &x["root"]);
    check(&shapes, "Clause", &x["root"]["children"][0]);
    check(&shapes, "Clause", &x["root"]["children"][1]);
    check(
        &shapes,
        "FieldValue",
        &to_value(&s.field_values("user.name")[0]),
    );
    check(&shapes, "NearMiss", &x["near_miss"][0]);
    check(&shapes, "Looked", &x["root"]["children"][0]["looked"][0]);

    let mut seq = Session::new();
    seq.set_rule(
        "sequence by user.name [any where true] [any where true]".into(),
        Lang::Eql,
    )
    .unwrap();
    seq.set_events("{\"@timestamp\":1,\"user\":{\"name\":\"a\"}}\n{\"@timestamp\":2,\"user\":{\"name\":\"a\"}}\n".into());
    let r = seq.evaluate().unwrap();
    check(&shapes, "SequenceHit", &to_value(&r.sequences[0]));

    // Diagnostics: the serde fields plus the editor position the wasm layer adds.
    let d = s.set_rule("a:(b".into(), Lang::Kql).unwrap_err()[0].clone();
    let mut d = to_value(&d);
    d["line"] = json!(1);
    d["col"] = json!(1);
    check(&shapes, "Diagnostic", &d);
    check(&shapes, "ErrorKind", &d["kind"]);
    s.set_rule("proces.name:x".into(), Lang::Kql).unwrap();
    let mut w = to_value(&s.warnings()[0]);
    w["line"] = json!(1);
    w["col"] = json!(1);
    check(&shapes, "Diagnostic", &w);
    assert_eq!(w["severity"], json!("warning"));
}

#[test]
fn the_exception_io_shapes_are_what_serde_writes() {
    let shapes = interfaces();
    let mut s = Session::new();
    let input = ruleplay::engine::ValueListInput {
        id: "hosts".into(),
        list_type: "ip".into(),
        text: "10.0.0.1\nnope\n".into(),
    };
    check(
        &shapes,
        "ValueListInput",
        &json!({"id": "hosts", "type": "ip", "text": ""}),
    );
    let reports = s.set_value_lists(&[input]);
    check(&shapes, "ValueListReport", &to_value(&reports[0]));
    check(&shapes, "EventError", &to_value(&reports[0].errors[0]));
    let (ndjson, errors) = s.convert_exceptions(
        "[[exceptions]]\n[exceptions.container]\nlist_id = \"l\"\n",
        ruleplay::exceptions::toml_format::Format::Ndjson,
    );
    check(
        &shapes,
        "ExceptionConversion",
        &json!({"text": ndjson, "errors": to_value(&errors)}),
    );
    let rule = "[rule]\nname = \"n\"\ndescription = \"d\"\nrule_id = \"id\"\ntype = \"query\"\nlanguage = \"kuery\"\nquery = \"a:b\"\nrisk_score = 1\nseverity = \"low\"\n[[rule.exceptions_list]]\nid = \"i\"\nlist_id = \"l\"\nnamespace_type = \"single\"\ntype = \"detection\"\n";
    s.set_rule(rule.into(), Lang::Toml).unwrap();
    s.set_exceptions(&ndjson);
    let refs = s.exception_list_refs();
    assert!(refs[0].loaded);
    check(&shapes, "ExceptionListRef", &to_value(&refs[0]));
}

#[test]
fn the_exclude_this_shapes_are_what_serde_writes() {
    let shapes = interfaces();
    let mut s = Session::new();
    s.set_rule("a:1 and not b:(x or y)".into(), Lang::Kql)
        .unwrap();
    s.set_events("{\"a\":1,\"b\":\"x\",\"c\":[\"p\",\"q\"]}\n{\"a\":1,\"b\":\"z\"}\n".into());
    s.evaluate().unwrap();
    let item = s.exception_item(&[("c".into(), vec!["p".into(), "q".into()])]);
    let p = s
        .preview(&ruleplay::engine::Change::Exception(item))
        .unwrap();
    let mut report = to_value(&p);
    report["ok"] = json!(true);
    report["diagnostics"] = json!([]);
    check(&shapes, "PreviewReport", &report);
    check(&shapes, "VerdictDiff", &report["diff"]);
    let p = s
        .preview(&ruleplay::engine::Change::Exclude {
            field: "b".into(),
            values: vec!["z".into()],
        })
        .unwrap();
    let mut report = to_value(&p);
    report["ok"] = json!(true);
    report["diagnostics"] = json!([]);
    check(&shapes, "PreviewReport", &report);
    check(&shapes, "VerdictChange", &report["diff"]["changed"][0]);
    let offer = to_value(&s.exclude_offer(0, Some("c")).unwrap());
    check(&shapes, "Offer", &offer);
    check(&shapes, "OfferField", &offer["fields"][0]);
    let c = to_value(&s.coverage());
    check(&shapes, "Coverage", &c);
    for clause in c["clauses"].as_array().unwrap() {
        check(&shapes, "ClauseCoverage", clause);
    }
    check(&shapes, "ValueCoverage", &c["values"][0]);
    check(&shapes, "RuleExport", &to_value(&s.export_rule(None)));
}

#[test]
fn the_redaction_and_export_shapes_are_what_serde_writes() {
    let shapes = interfaces();
    let mut s = Session::new();
    s.set_rule("user.name:root".into(), Lang::Kql).unwrap();
    s.set_events("{\"user\":{\"name\":\"root\"},\"host\":{\"name\":\"h\"}}\n".into());
    check(
        &shapes,
        "RedactionChoice",
        &to_value(&s.redaction_choices()[0]),
    );
    let r = to_value(&s.redact(&["user.name".to_string()]));
    check(&shapes, "RedactReport", &r);
    check(&shapes, "Redaction", &r["redaction"]);
    check(&shapes, "RedactionMapping", &r["redaction"]["mappings"][0]);
    check(&shapes, "VerdictCheck", &r["check"]);
    check(&shapes, "RedactionChange", &r["check"]["changes"][0]);
    check(&shapes, "RedactionLiteral", &r["literals"][0]);
    check(
        &shapes,
        "ExampleFolder",
        &to_value(&s.example_folder("t", None, "").unwrap()),
    );
}

#[cfg(feature = "esql")]
#[test]
fn the_esql_shapes_are_what_serde_writes() {
    let shapes = interfaces();
    let mut s = Session::new();
    let rule = "[rule]\nname = \"n\"\ntype = \"esql\"\nlanguage = \"esql\"\nquery = '''\nfrom x | where a == 1 | stats c = count(*) by h | where c >= 1'''\n";
    s.set_rule(rule.into(), Lang::Toml).unwrap();
    s.set_events("{\"a\":1,\"h\":\"x\"}\n{\"a\":2,\"h\":\"y\"}\n".into());
    s.evaluate().unwrap();
    let report = to_value(s.esql_report().unwrap());
    check(&shapes, "EsqlReport", &report);
    check(&shapes, "EsqlColumn", &report["columns"][0]);
    check(&shapes, "EsqlStage", &report["stages"][0]);
    for i in 0..2 {
        let x = to_value(&s.explain(i).unwrap());
        check(&shapes, "Explanation", &x);
        check(&shapes, "EsqlEventExplanation", &x["esql"]);
    }
    let x = to_value(&s.explain(1).unwrap());
    check(&shapes, "EsqlStage", &x["esql"]["stage"]);
}

#[test]
fn the_bridge_shapes_are_what_serde_writes() {
    let shapes = interfaces();
    let mut s = Session::new();
    let response = r#"{"took":1,"hits":{"hits":[{"_id":"a","_source":{"a":1}},{"_id":"b","fields":{"a":[2]}}]}}"#;
    let report = s.set_events(response.into());
    assert!(report.note.is_some());
    check(&shapes, "EventsReport", &to_value(&report));
    let rows = s.rows(&[1]);
    assert_eq!(rows[0].hit.as_deref(), Some("hit 2 (_id b)"));
    check(&shapes, "Row", &to_value(&rows[0]));
    let export = concat!(
        r#"{"rule_id":"r1","name":"One","type":"query","query":"a:1","description":"d","risk_score":1,"severity":"low"}"#,
        "\n",
        r#"{"rule_id":"r2","name":"Two","type":"eql","query":"any where true","description":"d","risk_score":1,"severity":"low"}"#,
        "\n"
    );
    let file = ruleplay::rule::from_kibana::read(export).expect("reads");
    for c in file.choices() {
        check(&shapes, "RuleChoice", &to_value(&c));
    }
    // `KibanaRule` (wasm::bridge) is `Converted`'s fields plus `ok` and `diagnostics`.
    let mut c = to_value(&file.converted(0));
    if let Some(o) = c.as_object_mut() {
        o.insert("ok".into(), json!(true));
        o.insert("diagnostics".into(), json!([]));
    }
    check(&shapes, "KibanaRule", &c);
}

#[test]
fn the_big_file_shapes_are_what_serde_writes() {
    let shapes = interfaces();
    let mut s = Session::new();
    assert!(s.set_rule("process.name:bash".into(), Lang::Kql).is_ok());
    s.file_begin(false);
    let progress = s
        .file_push(b"{\"process\":{\"name\":\"bash\"}}\n{\"pro")
        .expect("a file is being read");
    check(&shapes, "FileProgress", &to_value(&progress));
    s.file_push(b"cess\":{\"name\":\"sh\"}}\nnot json\n");
    let report = s.file_end().expect("a file is being read");
    assert_eq!(report.count, 2);
    check(&shapes, "EventsReport", &to_value(&report));
    let mut ev = to_value(&s.evaluate().expect("a rule"));
    // What the wasm layer adds beside the serde fields: the typed arrays and the time.
    for key in ["status", "misses", "ms"] {
        ev[key] = json!(0);
    }
    check(&shapes, "Evaluation", &ev);
    let x = s
        .explain_file_event(
            0,
            "{\"process\":{\"name\":\"bash\"},\"user\":{\"name\":\"root\"}}",
        )
        .expect("event 0");
    check(&shapes, "Explanation", &to_value(&x));
    check(
        &shapes,
        "Row",
        &to_value(&s.file_rows(&[1], &["{\"process\":{\"name\":\"sh\"}}".into()])[0]),
    );
}
