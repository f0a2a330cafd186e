//! The exported JS API (the `Session` class), exercised from wasm under node (`npm test` runs it with
//! wasm-bindgen-test-runner; natively this file compiles to nothing). Results are read back through
//! serde so the assertions see exactly the shape JS sees.
#![cfg(target_arch = "wasm32")]

use ruleplay::wasm::{self, JsSession as Session};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

fn js(v: JsValue) -> Value {
    serde_wasm_bindgen::from_value(v).expect("result converts back to JSON")
}

fn error_message(e: wasm_bindgen::JsError) -> String {
    let v: JsValue = e.into();
    let err = v
        .dyn_into::<js_sys::Error>()
        .expect("errors reach JS as Error objects");
    err.message().into()
}

const EVENTS: &str = r#"{"process":{"name":"bash","parent":{"name":"exim4"}},"event":{"type":["start"]}}
{"process":{"name":"bash","parent":{"name":"postfix"}},"event":{"type":["start"]}}
{"process":{"name":"sort","parent":{"name":"exim4"}},"event":{"type":["start"]}}
"#;

const RULE: &str = r#"[metadata]
creation_date = "2024/01/01"

[rule]
name = "Unusual child of exim4 — café"
description = "Shells spawned by the mail server ✉"
rule_id = "00000000-0000-0000-0000-000000000000"
type = "query"
language = "kuery"
risk_score = 47
severity = "medium"
index = ["logs-*"]
tags = ["Domain: Endpoint"]
query = '''
process.parent.name:exim4 and not process.name:sort
'''
"#;

fn playground(rule: &str, lang: &str, events: &str) -> Session {
    let mut p = Session::new();
    p.pin_now(Some(1_700_000_000_000.0));
    let loaded = js(p.set_rule(rule.to_string(), lang).unwrap());
    assert_eq!(loaded["ok"], json!(true), "{loaded}");
    let ev = js(p.set_events(events.into()).unwrap());
    assert_eq!(ev["errors"], json!([]), "{ev}");
    p
}

/// An evaluation's typed arrays (status codes, near-miss counts) and the rest as JSON.
struct Evaluation {
    status: Vec<u8>,
    misses: Vec<i32>,
    summary: Value,
}

fn evaluation(v: JsValue) -> Evaluation {
    let take = |key: &str| {
        let key = JsValue::from_str(key);
        let field = js_sys::Reflect::get(&v, &key).unwrap();
        js_sys::Reflect::delete_property(v.unchecked_ref::<js_sys::Object>(), &key).unwrap();
        field
    };
    let status = take("status")
        .dyn_into::<js_sys::Uint8Array>()
        .expect("status is a Uint8Array")
        .to_vec();
    let misses = take("misses")
        .dyn_into::<js_sys::Int32Array>()
        .expect("misses is an Int32Array")
        .to_vec();
    Evaluation {
        status,
        misses,
        summary: js(v),
    }
}

fn statuses(r: &Evaluation) -> Vec<&'static str> {
    r.status
        .iter()
        .map(|&c| ["alert", "match", "suppressed", "no_match"][c as usize])
        .collect()
}

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(wasm::version(), env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn bare_kql_query_evaluates_every_event() {
    let p = playground(
        "process.parent.name:exim4 and not process.name:sort",
        "kql",
        EVENTS,
    );
    let mut p = p;
    let r = evaluation(p.evaluate().unwrap());
    assert_eq!(statuses(&r), ["alert", "no_match", "no_match"]);
    assert_eq!(r.misses, [-1, -1, -1], "counted by a later pass");
    assert_eq!(
        r.summary["counts"],
        json!({"alert": 1, "match": 0, "suppressed": 0, "no_match": 2})
    );
    assert!(r.summary["ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(r.summary["now"], json!(1_700_000_000_000u64));
    assert_eq!(r.summary["missesPending"], json!(true));
    assert_eq!(r.summary["reasons"], json!({}));
}

#[wasm_bindgen_test]
fn rule_file_gives_metadata_and_a_utf16_query_span() {
    let mut p = Session::new();
    let r = js(p.set_rule(RULE.to_string(), "toml").unwrap());
    assert_eq!(r["ok"], json!(true), "{r}");
    assert_eq!(r["rule"]["name"], json!("Unusual child of exim4 — café"));
    assert_eq!(r["rule"]["type"], json!("query"));
    assert_eq!(r["rule"]["risk_score"], json!(47));
    assert_eq!(r["rule"]["severity"], json!("medium"));
    // The span must select the query in the text as JS sees it (UTF-16), despite "—", "é", "✉".
    let utf16: Vec<u16> = RULE.encode_utf16().collect();
    let (start, end) = (
        r["query_span"]["start"].as_u64().unwrap() as usize,
        r["query_span"]["end"].as_u64().unwrap() as usize,
    );
    let query = String::from_utf16(&utf16[start..end]).unwrap();
    assert!(
        query.contains("process.parent.name:exim4 and not process.name:sort"),
        "{query:?}"
    );
}

#[wasm_bindgen_test]
fn syntax_errors_carry_utf16_spans_line_and_column() {
    let mut p = Session::new();
    // "é" is 2 bytes but 1 UTF-16 unit; "😀" is 4 bytes and 2 units.
    let src = "process.name:\"é😀\" and\n  (host.name:x";
    let r = js(p.set_rule(src.to_string(), "kql").unwrap());
    assert_eq!(r["ok"], json!(false));
    assert_eq!(r["rule"], Value::Null);
    let d = &r["diagnostics"][0];
    assert!(!d["message"].as_str().unwrap().is_empty(), "{d}");
    let start = d["span"]["start"].as_u64().unwrap() as usize;
    let utf16_len = src.encode_utf16().count();
    assert!(start <= utf16_len && d["span"]["end"].as_u64().unwrap() as usize <= utf16_len);
    // The error is on the second line, after the byte/UTF-16 difference of the first.
    assert_eq!(d["line"], json!(2), "{d}");
    let line2_start = "process.name:\"é😀\" and\n".encode_utf16().count();
    assert!(start >= line2_start, "{d}");
    assert_eq!(d["col"].as_u64().unwrap() as usize, start - line2_start + 1);
}

#[wasm_bindgen_test]
fn unknown_language_is_an_error_object() {
    let mut p = Session::new();
    let e = p.set_rule("x".into(), "sql").unwrap_err();
    assert!(error_message(e).contains("sql"));
}

#[wasm_bindgen_test]
fn evaluating_without_a_rule_is_an_error_object() {
    let mut p = Session::new();
    assert!(error_message(p.evaluate().unwrap_err()).contains("no rule"));
    assert!(error_message(p.explain(0).unwrap_err()).contains("no rule"));
}

#[wasm_bindgen_test]
fn events_report_bad_lines_fields_and_positions() {
    let mut p = Session::new();
    let r = js(p
        .set_events("{\"a\":{\"b\":1}}\n{\"é\":\"x\", oops}\n\n{\"c\":[1,2]}\n".into())
        .unwrap());
    assert_eq!(r["count"], json!(2));
    assert_eq!(r["errorCount"], json!(1));
    assert_eq!(r["fields"], json!(["a.b", "c"]));
    assert_eq!(
        (p.event_line(0), p.event_line(1), p.event_line(2)),
        (Some(1), Some(4), None)
    );
    assert_eq!(js(p.event(1).unwrap()), json!({"c": [1, 2]}));
    assert!(p.event(2).unwrap().is_undefined());
    let err = &r["errors"][0];
    assert_eq!(err["line"], json!(2));
    // serde_json points at byte column 12 of the line ("oops", after the 2-byte "é"); the page
    // counts UTF-16 units: 11.
    assert_eq!(err["column"], json!(11), "{err}");
}

#[wasm_bindgen_test]
fn explain_gives_the_clause_tree_and_near_misses_in_utf16() {
    let src = "process.name:\"café\" and process.parent.name:exim4";
    let mut p = playground(
        src,
        "kql",
        "{\"process\":{\"name\":\"café\",\"parent\":{\"name\":\"postfix\"}}}\n",
    );
    let r = js(p.explain(0).unwrap());
    assert_eq!(r["matched"], json!(false), "{r}");
    let root = &r["root"];
    assert_eq!(root["verdict"], json!("false"));
    let utf16: Vec<u16> = src.encode_utf16().collect();
    assert_eq!(root["span"]["end"].as_u64().unwrap() as usize, utf16.len());
    let miss = &r["near_miss"][0];
    let (s, e) = (
        miss["span"]["start"].as_u64().unwrap() as usize,
        miss["span"]["end"].as_u64().unwrap() as usize,
    );
    // The near miss points at the failing clause (or its value) in the query as typed.
    let missed = String::from_utf16(&utf16[s..e]).unwrap();
    assert!(
        missed.contains("exim4") && "process.parent.name:exim4".contains(&missed),
        "{missed:?}"
    );
    assert!(
        miss["message"].as_str().unwrap().contains("postfix"),
        "{miss}"
    );
    assert_eq!(js(p.explain(7).unwrap()), Value::Null);
}

#[wasm_bindgen_test]
fn huge_integers_in_events_do_not_break_results() {
    let mut p = playground(
        "big >= 0",
        "kql",
        "{\"big\": 18446744073709551615}\n{\"big\": -9223372036854775808}\n",
    );
    let r = evaluation(p.evaluate().unwrap());
    assert_eq!(statuses(&r), ["alert", "no_match"]);
    // The values the trace looked at reach JS as the nearest doubles, as JSON.parse reads them.
    let x = js(p.explain(0).unwrap());
    let looked = &x["root"]["looked"][0];
    assert_eq!(looked["path"], json!("big"), "{x}");
    assert_eq!(
        looked["value"].as_f64(),
        Some(18446744073709551615u64 as f64),
        "{x}"
    );
    let x = js(p.explain(1).unwrap());
    assert_eq!(
        x["root"]["looked"][0]["value"].as_f64(),
        Some(i64::MIN as f64),
        "{x}"
    );
    assert_eq!(x["status"], json!("no_match"));
    // The event itself is its text parsed by JSON.parse: the same doubles.
    assert_eq!(
        js(p.event(0).unwrap())["big"].as_f64(),
        Some(1.8446744073709552e19)
    );
}

#[wasm_bindgen_test]
fn eql_sequences_are_reported() {
    let events = r#"{"@timestamp":"2024-01-01T00:00:00Z","event":{"category":"process"},"process":{"name":"a"},"host":{"id":"h"}}
{"@timestamp":"2024-01-01T00:00:01Z","event":{"category":"network"},"host":{"id":"h"}}
{"@timestamp":"2024-01-01T00:00:02Z","event":{"category":"network"},"host":{"id":"other"}}
"#;
    let mut p = playground(
        "sequence by host.id [process where process.name == \"a\"] [network where true]",
        "eql",
        events,
    );
    let r = evaluation(p.evaluate().unwrap());
    assert_eq!(
        r.summary["sequences"][0]["events"],
        json!([0, 1]),
        "{}",
        r.summary
    );
    assert_eq!(r.summary["sequences"][0]["join_keys"], json!(["h"]));
    // The third event matches a step's query but is in no sequence: "match", not an alert.
    assert_eq!(statuses(&r), ["alert", "alert", "match"]);
}

#[wasm_bindgen_test]
fn exceptions_suppress_alerts() {
    let mut p = playground(RULE, "toml", EVENTS);
    let exceptions = r#"{"list_id":"l","item_id":"i","type":"simple","namespace_type":"single","name":"ok","description":"","entries":[{"field":"process.name","operator":"included","type":"match","value":"bash"}]}
{"exported_exception_list_count":1,"exported_exception_list_item_count":1,"missing_exception_list_item_count":0,"missing_exception_list_items":[],"missing_exception_lists":[],"missing_exception_lists_count":0}
"#;
    let r = js(p.set_exceptions(exceptions).unwrap());
    assert_eq!(r["count"], json!(1), "{r}");
    assert_eq!(r["errors"], json!([]));
    let r = evaluation(p.evaluate().unwrap());
    assert_eq!(statuses(&r), ["suppressed", "no_match", "no_match"]);
    assert!(
        r.summary["reasons"]["0"].as_str().unwrap().contains("ok"),
        "{}",
        r.summary
    );
}

#[wasm_bindgen_test]
fn near_misses_rows_and_now_cross_as_the_page_reads_them() {
    let mut p = playground("process.name:bash and host.name:x", "kql", EVENTS);
    let r = evaluation(p.evaluate().unwrap());
    assert_eq!(r.misses, [-1, -1, -1]);
    let m = p.near_misses().unwrap();
    let misses = js_sys::Reflect::get(&m, &"misses".into())
        .unwrap()
        .dyn_into::<js_sys::Int32Array>()
        .unwrap()
        .to_vec();
    // Event 2 holds neither clause: no near miss, however few clauses stood in the way.
    assert_eq!(misses, [1, 1, -1]);
    let rows = js(p.rows(&[0, 2, 9]).unwrap());
    assert_eq!(rows[0]["summary"], json!("exim4 → bash"));
    assert!(
        rows[0]["why"].as_str().unwrap().contains("host.name"),
        "{rows}"
    );
    assert_eq!(rows[1]["summary"], json!("exim4 → sort"));
    assert_eq!(rows.as_array().unwrap().len(), 2, "no event 9");
    assert_eq!(p.now(), 1_700_000_000_000.0);
    p.pin_now(None);
    // No timestamps in these events: the clock.
    assert!((p.now() - js_sys::Date::now()).abs() < 60_000.0);
}

#[wasm_bindgen_test]
fn query_errors_in_a_rule_file_point_into_the_file_in_utf16() {
    let src = RULE.replace(
        "process.parent.name:exim4 and not",
        "process.parent.name:exim4 and (not",
    );
    let mut p = Session::new();
    let r = js(p.set_rule(src.clone(), "toml").unwrap());
    assert_eq!(r["ok"], json!(false));
    let d = &r["diagnostics"][0];
    let utf16: Vec<u16> = src.encode_utf16().collect();
    let (s, e) = (
        d["span"]["start"].as_u64().unwrap() as usize,
        d["span"]["end"].as_u64().unwrap() as usize,
    );
    let query_start = src[..src.find("process.parent").unwrap()]
        .encode_utf16()
        .count();
    assert!(s >= query_start && e <= utf16.len(), "{d}");
    // The unclosed "(" is reported at the end of the query (the line of the closing quotes) with
    // the "(" itself as the secondary span.
    let query_line = RULE.lines().position(|l| l.contains("exim4 and")).unwrap() + 1;
    assert!(d["line"].as_u64().unwrap() as usize >= query_line, "{d}");
    let open = d["secondary"]["start"].as_u64().unwrap() as usize;
    assert_eq!(String::from_utf16(&utf16[open..open + 1]).unwrap(), "(");
}

#[wasm_bindgen_test]
fn warnings_cross_with_their_severity_and_follow_the_events() {
    let mut p = Session::new();
    // "é" before the field: the warning's span is in UTF-16 units.
    let src = "process.name:\"é\" and proces.name:bash";
    let r = js(p.set_rule(src.to_string(), "kql").unwrap());
    assert_eq!(r["ok"], json!(true));
    let d = &r["diagnostics"][0];
    assert_eq!(d["severity"], json!("warning"), "{d}");
    let start = src.find("proces.").unwrap() - 1;
    assert_eq!(d["span"]["start"], json!(start), "{d}");
    assert!(d["message"]
        .as_str()
        .unwrap()
        .contains("did you mean \"process.name\""));
    // Events that have the field take the warning away.
    p.set_events(r#"{"proces":{"name":"bash"}}"#.into())
        .unwrap();
    let r = js(p.rule_report().unwrap());
    assert_eq!(r["diagnostics"], json!([]), "{r}");
    let e = js(p.set_rule("a:b (".into(), "kql").unwrap());
    assert_eq!(e["diagnostics"][0]["severity"], json!("error"));
}

#[wasm_bindgen_test]
fn field_values_cross_most_frequent_first() {
    let p = playground("process.name:x", "kql", EVENTS);
    let v = js(p.field_values("process.name").unwrap());
    assert_eq!(
        v,
        json!([
            {"value": "bash", "count": 2, "insert": "bash"},
            {"value": "sort", "count": 1, "insert": "sort"}
        ])
    );
}

#[wasm_bindgen_test]
fn switching_views_carries_one_query_and_writes_edits_back() {
    let mut p = playground(RULE, "toml", EVENTS);
    let r = js(p.switch_lang("kql", "ignored".into()).unwrap());
    assert_eq!(
        r["source"],
        json!("process.parent.name:exim4 and not process.name:sort\n")
    );
    assert_eq!(
        r["rule_file"],
        json!(RULE),
        "the same query changes no byte"
    );
    assert!(
        r["notes"][0].as_str().unwrap().contains("no longer apply"),
        "{r}"
    );
    let r = js(p
        .set_rule(
            "process.parent.name:exim4 and user.name:\"é\"".into(),
            "kql",
        )
        .unwrap());
    assert!(r["rule_file"]
        .as_str()
        .unwrap()
        .contains("query = '''\nprocess.parent.name:exim4 and user.name:\"é\"'''"));
    let r = js(p.switch_lang("toml", String::new()).unwrap());
    assert_eq!(
        r["rule"]["query"],
        json!("process.parent.name:exim4 and user.name:\"é\"")
    );
    assert_eq!(r["rule_file"], Value::Null);
}

#[wasm_bindgen_test]
fn a_kql_filter_gives_indices_or_diagnostics() {
    let p = playground("process.name:*", "kql", EVENTS);
    let v = p.filter("process.name:bash").unwrap();
    let indices = js_sys::Reflect::get(&v, &JsValue::from_str("indices"))
        .unwrap()
        .dyn_into::<js_sys::Uint32Array>()
        .expect("indices is a Uint32Array")
        .to_vec();
    assert_eq!(indices, [0, 1]);
    let v = p.filter("process.name:(é").unwrap();
    let key = JsValue::from_str("indices");
    js_sys::Reflect::delete_property(v.unchecked_ref::<js_sys::Object>(), &key).unwrap();
    let v = js(v);
    assert_eq!(v["ok"], json!(false));
    assert_eq!(v["diagnostics"][0]["col"], json!(16));
}

#[wasm_bindgen_test]
fn an_edited_event_comes_back_as_a_utf16_change() {
    let mut p = playground("process.name:*", "kql", &format!("{{\"é\":1}}\n{EVENTS}"));
    assert_eq!(p.event_pretty(0).as_deref(), Some("{\n  \"é\": 1\n}"));
    let r = js(p.replace_event(1, "{\n  \"a\": 2\n}").unwrap());
    assert_eq!(r["ok"], json!(true));
    // `{"é":1}` and its line break are 8 UTF-16 units (9 bytes).
    assert_eq!(r["span"]["start"], json!(8));
    assert_eq!(r["text"], json!("{\"a\":2}"));
    assert_eq!(r["events"]["count"], json!(4));
    let r = js(p.replace_event(1, "{\"a\": }").unwrap());
    assert_eq!(r["ok"], json!(false));
    assert_eq!(r["diagnostics"][0]["line"], json!(1));
}

#[wasm_bindgen_test]
fn exclusion_lists_cross_in_utf16_and_edits_come_back_whole() {
    let p = playground(RULE, "toml", EVENTS);
    let report = js(p.rule_report().unwrap());
    let list = &report["exclusions"][0];
    assert_eq!(list["field"], json!("process.name"));
    assert_eq!(list["items"][0]["value"], json!("sort"));
    // The span is in UTF-16 units of the rule text (its name and description are not ASCII).
    let units: Vec<u16> = RULE.encode_utf16().collect();
    let (start, end) = (
        list["items"][0]["span"]["start"].as_u64().unwrap() as usize,
        list["items"][0]["span"]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(String::from_utf16(&units[start..end]).unwrap(), "sort");
    let values = vec!["grep".to_string(), "sed".to_string()];
    let r = js(p
        .exclude(RULE, "toml", "process.name", "add", values)
        .unwrap());
    assert_eq!(r["ok"], json!(true), "{r}");
    let text = r["text"].as_str().unwrap();
    assert!(text.contains("grep") && text.contains("sed"), "{text}");
    // The session is not changed by the edit: the page puts the text in its editor.
    assert_eq!(
        js(p.rule_report().unwrap())["exclusions"],
        report["exclusions"]
    );
    let r = js(p
        .exclude(RULE, "toml", "process.name", "remove", vec!["nope".into()])
        .unwrap());
    assert_eq!(r["ok"], json!(false));
    assert!(p
        .exclude(RULE, "toml", "process.name", "drop", vec![])
        .is_err());
}

#[wasm_bindgen_test]
fn value_lists_conversion_and_references_cross_as_the_page_reads_them() {
    let rule = format!(
        "{RULE}\n[[rule.exceptions_list]]\nid = \"x1\"\nlist_id = \"mail\"\nnamespace_type = \"single\"\ntype = \"detection\"\n"
    );
    let mut p = playground(&rule, "toml", EVENTS);
    let toml = "[[exceptions]]\n[exceptions.container]\nlist_id = \"mail\"\nname = \"Mail\"\ntype = \"detection\"\n\n[[exceptions.items]]\nlist_id = \"mail\"\nname = \"shells\"\ntype = \"simple\"\n\n[[exceptions.items.entries]]\nfield = \"process.name\"\noperator = \"included\"\ntype = \"list\"\nlist = { id = \"shells.txt\", type = \"keyword\" }\n";
    let conv = js(p.convert_exceptions(toml, "ndjson").unwrap());
    assert_eq!(conv["errors"], json!([]), "{conv}");
    let ndjson = conv["text"].as_str().unwrap().to_string();
    assert!(ndjson.contains("shells.txt"), "{ndjson}");
    assert!(
        error_message(p.convert_exceptions(toml, "yaml").unwrap_err()).contains("ndjson or toml")
    );

    let refs = js(p.exception_list_refs().unwrap());
    assert_eq!(refs[0]["loaded"], json!(false), "{refs}");
    js(p.set_exceptions(&ndjson).unwrap());
    let refs = js(p.exception_list_refs().unwrap());
    assert_eq!(
        refs,
        json!([{"id": "x1", "list_id": "mail", "type": "detection", "namespace_type": "single", "loaded": true}])
    );
    // The list is not loaded yet: the item is reported and not applied.
    let r = evaluation(p.evaluate().unwrap());
    assert_eq!(statuses(&r), ["alert", "no_match", "no_match"]);

    let lists = plain(&json!([{"id": "shells.txt", "type": "keyword", "text": "zsh\nbash\n"}]));
    let reports = js(p.set_value_lists(lists).unwrap());
    assert_eq!(
        reports,
        json!([{"id": "shells.txt", "type": "keyword", "count": 2, "errors": []}])
    );
    let r = evaluation(p.evaluate().unwrap());
    assert_eq!(statuses(&r), ["suppressed", "no_match", "no_match"]);
    assert!(p
        .export_exceptions("toml")
        .unwrap()
        .contains("[[exceptions.items.entries]]"));

    let bad = plain(&json!([{"id": "l", "type": "ip", "text": "1.2.3.4\nnope ✓\n"}]));
    let reports = js(p.set_value_lists(bad).unwrap());
    assert_eq!(reports[0]["errors"][0]["line"], json!(2), "{reports}");
    let missing = plain(&json!([{"id": "l"}]));
    assert!(error_message(p.set_value_lists(missing).unwrap_err()).contains("`type`"));
}

/// A plain JS object or array, as the page builds them (serde-wasm-bindgen would make Maps).
fn plain(v: &Value) -> JsValue {
    js_sys::JSON::parse(&v.to_string()).unwrap()
}
